/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "hangview.h"
#include "base/guard.h"
#include "base/log.h"
#include "pprof_encode.h"
#include "base/proctree.h"
#include "base/progress.h"
#include "record/recorder.h"
#include "safefile.h"
#include "symbolize.h"

static char dir[PATH_MAX];
static int dir_said; /* the start said the directory cannot be written */

/* One symbolizer for the process: it caches parsed ELF files. */
static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lp_symbolizer *sym;
/* Held while a profile is written to its file (lp_dump_snapshot_path). */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

void lp_dump_init(const struct lp_config *cfg, int secure)
{
	if (cfg->dir) {
		snprintf(dir, sizeof(dir), "%s", cfg->dir);
	} else if (getcwd(dir, sizeof(dir))) {
		/* Processes this one starts write next to it, wherever they
		 * run: the tree's files stay together. */
		if (!secure)
			setenv("LOCKPROF_DIR", dir, 0);
	} else {
		snprintf(dir, sizeof(dir), ".");
	}
}

void lp_dump_before_fork(void)
{
	pthread_mutex_lock(&sym_lock);
}

void lp_dump_after_fork_parent(void)
{
	pthread_mutex_unlock(&sym_lock);
}

void lp_dump_after_fork_child(void)
{
	/* A dump of the parent's may have been under way at the fork, its
	 * symbolizer half-updated: the child starts a new one (the old one's
	 * memory is left as it is, never freed). */
	sym = NULL;
	pthread_mutex_init(&sym_lock, NULL);
	pthread_mutex_init(&write_lock, NULL);
}

int lp_dump_encode(const struct lp_snapshot *s, int text, uint8_t **buf,
		   size_t *len)
{
	int rc = -1;

	pthread_mutex_lock(&sym_lock);
	if (!sym)
		sym = lp_symbolizer_new();
	/* A profile without samples names no address: reading the maps and
	 * the loaded objects would be most of the exit of a process that never
	 * waited. */
	if (sym && (s->n == 0 || lp_symbolizer_refresh(sym) == 0))
		rc = text ? lp_pprof_text(s, sym, (char **)buf, len) :
			    lp_pprof_encode(s, sym, buf, len);
	pthread_mutex_unlock(&sym_lock);
	if (rc != 0)
		errno = ENOMEM;
	return rc;
}

int lp_dump_waiting_encode(struct lp_hang_view *v, int text, uint8_t **buf,
			   size_t *len)
{
	int rc = -1;

	pthread_mutex_lock(&sym_lock);
	if (!sym)
		sym = lp_symbolizer_new();
	if (sym && lp_symbolizer_refresh(sym) == 0)
		rc = lp_hang_view_encode(v, sym, text, buf, len);
	pthread_mutex_unlock(&sym_lock);
	if (rc != 0)
		errno = ENOMEM;
	return rc;
}

/* Write an encoded file to `fd`, or in place of the file at `path` when
 * `path` is not NULL, and free it; the write's errno kept. */
static int write_and_free(int fd, const char *path, uint8_t *buf, size_t len)
{
	int rc = path ? lp_file_replace(path, buf, len) : lp_write_all(fd, buf, len);
	int err = errno;

	free(buf);
	errno = err;
	return rc;
}

int lp_dump_snapshot_fd(const struct lp_snapshot *s, int fd)
{
	uint8_t *buf;
	size_t len;

	if (lp_dump_encode(s, 0, &buf, &len) != 0)
		return -1;
	return write_and_free(fd, NULL, buf, len);
}

int lp_dump_snapshot_path(const struct lp_snapshot *s, const char *path)
{
	uint8_t *buf;
	size_t len;
	int rc = -1, err;

	/* The exit dump, an interval or signal dump and the C API may write
	 * at once: one at a time, and none after the exit dump, which keeps
	 * this lock (lp_dump_at_exit). No fsync: the rename is what keeps
	 * readers from a half-written file, and flushing to the disk would put
	 * the disk's latency (easily tens of ms on a busy server) into the
	 * program's exit. The file is made only once the profile is
	 * encoded, which may take long (symbolizing). */
	pthread_mutex_lock(&write_lock);
	if (lp_dump_encode(s, 0, &buf, &len) == 0)
		rc = write_and_free(-1, path, buf, len);
	err = errno;
	pthread_mutex_unlock(&write_lock);
	errno = err;
	return rc;
}

int lp_dump_snapshot_and_free(struct lp_snapshot *s, int fd, const char *path)
{
	int rc = path ? lp_dump_snapshot_path(s, path) : lp_dump_snapshot_fd(s, fd);
	int err = errno;

	lp_snapshot_free(s);
	errno = err;
	return rc;
}

/* The hang view `v` to `fd`, or in place of the file at `path`. */
static int write_waiting(struct lp_hang_view *v, int text, int fd, const char *path)
{
	uint8_t *buf;
	size_t len;

	if (lp_dump_waiting_encode(v, text, &buf, &len) != 0)
		return -1;
	return write_and_free(fd, path, buf, len);
}

int lp_dump_waiting_fd(int fd, int text)
{
	int saved = lp_guard_enter(), rc = -1, err;
	struct lp_hang_view *v = lp_hang_view_take();

	errno = ENOMEM;
	if (v)
		rc = write_waiting(v, text, fd, NULL);
	err = errno;
	lp_hang_view_free(v);
	lp_guard_leave(rc == 0 ? saved : err);
	return rc;
}

/* This process's waiting.txt or waiting.pprof (waiting.PID.* but for the
 * first process). */
static void waiting_path(const char *ext, char *path, size_t len)
{
	if (lp_proctree_is_root())
		snprintf(path, len, "%s/waiting.%s", dir, ext);
	else
		snprintf(path, len, "%s/waiting.%ld.%s", dir, (long)getpid(), ext);
}

int lp_dump_waiting_files(struct lp_hang_view *v, char *txt_path, size_t len)
{
	char path[PATH_MAX + 64];
	int saved = lp_guard_enter(), rc = 0;

	for (int text = 1; text >= 0 && rc == 0; text--) {
		waiting_path(text ? "txt" : "pprof", path, sizeof(path));
		pthread_mutex_lock(&write_lock);
		rc = write_waiting(v, text, -1, path);
		pthread_mutex_unlock(&write_lock);
		if (rc != 0)
			lp_logf("lockprof: cannot write %s: %s", path, strerror(errno));
		else if (text)
			snprintf(txt_path, len, "%s", path);
	}
	lp_guard_leave(saved);
	return rc;
}

static int dump_profile(enum lp_kind kind, int fd, const char *path)
{
	struct lp_snapshot s;

	if (lp_profiler_snapshot(kind, &s) != 0) {
		errno = ENOMEM;
		return -1;
	}
	return lp_dump_snapshot_and_free(&s, fd, path);
}

int lp_dump_profile_fd(enum lp_kind kind, int fd)
{
	int saved = lp_guard_enter(), rc, err;

	rc = dump_profile(kind, fd, NULL);
	err = errno;
	lp_guard_leave(rc == 0 ? saved : err);
	return rc;
}

int lp_dump_profile_path(enum lp_kind kind, const char *path)
{
	int saved = lp_guard_enter(), rc, err;

	rc = dump_profile(kind, -1, path);
	err = errno;
	lp_guard_leave(rc == 0 ? saved : err);
	return rc;
}

void lp_dump_process_path(enum lp_kind kind, char *path, size_t len)
{
	if (lp_proctree_is_root())
		snprintf(path, len, "%s/%s.pprof", dir, lp_kind_name(kind));
	else
		snprintf(path, len, "%s/%s.%ld.pprof", dir, lp_kind_name(kind),
			 (long)getpid());
}

static int recorded_nothing(const struct lp_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->records[i].contentions_fx || s->records[i].delay_ns)
			return 0;
	return 1;
}

int lp_dump_process(int *failing)
{
	struct lp_snapshot s[LP_KINDS];
	char path[PATH_MAX + 64], line[PATH_MAX + 200];
	int saved = lp_guard_enter(), failed = 0, n = 0, taken = 0, all_empty = 1;
	/* The hold profile is written only when it is on. */
	int kinds = lp_profiler_has(LP_HOLD) ? LP_KINDS : LP_HOLD;

	for (int k = 0; k < kinds; k++, taken++) {
		if (lp_profiler_snapshot((enum lp_kind)k, &s[k]) != 0)
			break;
		all_empty = all_empty && recorded_nothing(&s[k]);
	}
	/* A process tree (make -j, a shell loop) would leave a file per
	 * profile and process: only the first process writes profiles that
	 * hold nothing, so that an empty result is still seen. */
	if (taken == kinds && !lp_proctree_is_root() && all_empty)
		goto out;
	for (int k = 0; k < kinds; k++) {
		int rc = -1;

		lp_dump_process_path((enum lp_kind)k, path, sizeof(path));
		errno = ENOMEM;
		if (k < taken)
			rc = lp_dump_snapshot_path(&s[k], path);
		if (rc != 0 && !failed++)
			n = snprintf(line, sizeof(line), "lockprof: cannot write %s: %s",
				     path, strerror(errno));
	}
	/* One line whatever failed: the first error, and how many profiles;
	 * said once until the dumps work again, and not at all when the
	 * start said it. */
	if (failed && n > 0 && !*failing && !dir_said)
		lp_logf("%s%s", line, failed == 1 ? "" :
				      kinds == LP_KINDS ? " (nor the other profiles)" :
							  " (nor the mutex profile)");
	*failing = failed != 0;
	if (!failed)
		dir_said = 0;
out:
	for (int k = 0; k < taken; k++)
		lp_snapshot_free(&s[k]);
	lp_guard_leave(saved);
	return failed ? -1 : 0;
}

void lp_dump_at_exit(void)
{
	int failing = 0;

	lp_dump_process(&failing);
	/* The process is going: a dump that another thread (the interval
	 * dumps) started now would be cut short by the exit and leave its
	 * temporary file behind. */
	pthread_mutex_lock(&write_lock);
}

static int dir_writable(void)
{
	struct stat st;

	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return 0;
	}
	return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
}

void lp_dump_check_dir(void)
{
	if (lp_proctree_is_root() && !dir_writable()) {
		lp_logf("lockprof: cannot write profiles into %s: %s; none will be "
			"written there (LOCKPROF_DIR)", dir, strerror(errno));
		dir_said = 1;
	}
}
