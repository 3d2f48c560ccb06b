/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdkeep.h"
#include "fd.h"

/* The number to move to: LP_HTTP_FD_FLOOR, or lower when the soft limit
 * would leave no room above it for the endpoint's sockets; 0 when the limit
 * is too small for moving to be worth it. */
static int high_floor(void)
{
	const long room = LP_HTTP_FD_ROOM;
	struct rlimit rl;
	long floor = LP_HTTP_FD_FLOOR;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur - room < floor)
		floor = (long)rl.rlim_cur - room;
	return floor > 3 ? (int)floor : 0;
}

static int same_file(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

int lp_http_fd_take(struct lp_http_fd *o, int fd)
{
	struct stat st;
	int floor = high_floor(), high;

	o->fd = -1;
	if (fstat(fd, &st) != 0)
		return -1; /* closed by the program already: not ours to close */
	if (fd < floor && (high = fcntl(fd, F_DUPFD_CLOEXEC, floor)) >= 0) {
		/* The low number goes back only while it is still this socket. */
		if (same_file(fd, st.st_dev, st.st_ino))
			close(fd);
		fd = high;
	}
	o->fd = fd;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	return 0;
}

int lp_http_fd_take_kept(struct lp_http_fd *o, int fd)
{
	return lp_http_fd_take(o, lp_fdkeep_try(fd));
}

int lp_http_fd_ours(const struct lp_http_fd *o)
{
	return same_file(o->fd, o->dev, o->ino);
}

void lp_http_fd_close(struct lp_http_fd *o)
{
	int fd = o->fd;

	o->fd = -1;
	if (!same_file(fd, o->dev, o->ino))
		return;
	if (lp_fdkeep_has(fd))
		lp_fdkeep_close(fd);
	else
		close(fd);
}
