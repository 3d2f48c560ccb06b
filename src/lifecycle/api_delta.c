/* SPDX-License-Identifier: MIT */
/*
 * The delta part of the public API (include/lockprof.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "export/dump.h"
#include "base/guard.h"
#include "base/export.h"
#include "lockprof.h"
#include "record/recorder.h"

struct lockprof_snapshot {
	struct lp_snapshot p[2]; /* LP_BLOCK, LP_MUTEX */
};

static int take(struct lp_snapshot p[2])
{
	if (lp_profiler_snapshot(LP_BLOCK, &p[0]) != 0)
		return -1;
	if (lp_profiler_snapshot(LP_MUTEX, &p[1]) != 0) {
		lp_snapshot_free(&p[0]);
		return -1;
	}
	return 0;
}

LP_EXPORT lockprof_snapshot *lockprof_snapshot_take(void)
{
	int saved = lp_guard_enter();
	lockprof_snapshot *s = malloc(sizeof(*s));

	if (s && take(s->p) != 0) {
		free(s);
		s = NULL;
	}
	lp_guard_leave(s ? saved : ENOMEM);
	return s;
}

LP_EXPORT void lockprof_snapshot_free(lockprof_snapshot *s)
{
	int saved;

	if (!s)
		return;
	saved = lp_guard_enter();
	lp_snapshot_free(&s->p[0]);
	lp_snapshot_free(&s->p[1]);
	free(s);
	lp_guard_leave(saved);
}

/* One profile's delta to a path (when path) or an fd (when fd >= 0). */
static int write_delta(const struct lp_snapshot *now, const struct lp_snapshot *before,
		       const char *path, int fd)
{
	struct lp_snapshot d;

	if (!path && fd < 0)
		return 0;
	if (lp_snapshot_delta(now, before, &d) != 0) {
		errno = ENOMEM;
		return -1;
	}
	return lp_dump_snapshot_and_free(&d, fd, path);
}

static int dump_delta(lockprof_snapshot *since, const char *paths[2],
		      const int fds[2], int advance)
{
	int saved = lp_guard_enter(), rc = -1, err = EINVAL;
	struct lp_snapshot now[2];

	if (since && take(now) == 0) {
		rc = 0;
		for (int k = 0; k < 2 && rc == 0; k++)
			rc = write_delta(&now[k], &since->p[k], paths[k], fds[k]);
		err = errno;
		for (int k = 0; k < 2; k++) {
			if (rc == 0 && advance) {
				lp_snapshot_free(&since->p[k]);
				since->p[k] = now[k];
			} else {
				lp_snapshot_free(&now[k]);
			}
		}
	} else if (since) {
		err = ENOMEM;
	}
	lp_guard_leave(rc == 0 ? saved : err);
	return rc;
}

LP_EXPORT int lockprof_dump_delta(lockprof_snapshot *since, const char *block_path,
				  const char *mutex_path, int advance)
{
	const char *paths[2] = { block_path, mutex_path };
	const int fds[2] = { -1, -1 };

	return dump_delta(since, paths, fds, advance);
}

LP_EXPORT int lockprof_dump_delta_fd(lockprof_snapshot *since, int block_fd,
				     int mutex_fd, int advance)
{
	const char *paths[2] = { NULL, NULL };
	const int fds[2] = { block_fd, mutex_fd };

	return dump_delta(since, paths, fds, advance);
}
