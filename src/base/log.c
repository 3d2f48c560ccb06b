/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static dev_t err_dev;
static ino_t err_ino;
static int err_known;          /* descriptor 2 was open at start */
static char log_path[PATH_MAX];

void lp_log_init(const char *path)
{
	struct stat st;

	if (path && *path && strlen(path) < sizeof(log_path)) {
		memcpy(log_path, path, strlen(path) + 1);
		return;
	}
	if (fstat(STDERR_FILENO, &st) == 0) {
		err_dev = st.st_dev;
		err_ino = st.st_ino;
		err_known = 1;
	}
}

static void write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

/* The file to write to now, or -1; *opened when it must be closed. */
static int sink(int *opened)
{
	struct stat st;
	int fd;

	*opened = 0;
	if (log_path[0]) {
		/* Opened for each line: no descriptor is held that the
		 * program could close and reuse. Never through a link, and
		 * never waiting for a reader (a FIFO at that path). */
		fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			  O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0644);
		*opened = fd >= 0;
		return fd;
	}
	if (err_known && fstat(STDERR_FILENO, &st) == 0 &&
	    st.st_dev == err_dev && st.st_ino == err_ino)
		return STDERR_FILENO;
	return -1;
}

void lp_log(const char *line)
{
	size_t len = strlen(line);
	int saved = errno, opened, fd = sink(&opened);

	if (fd >= 0) {
		/* One write when the newline must be added too: lines of
		 * several threads or processes do not interleave. */
		if (len > 0 && line[len - 1] == '\n') {
			write_all(fd, line, len);
		} else {
			char buf[1100];

			if (len > sizeof(buf) - 1)
				len = sizeof(buf) - 1;
			memcpy(buf, line, len);
			buf[len] = '\n';
			write_all(fd, buf, len + 1);
		}
		if (opened)
			close(fd);
	}
	errno = saved;
}

void lp_logf(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	lp_log(line);
}
