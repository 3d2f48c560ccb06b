/* SPDX-License-Identifier: MIT */
/*
 * Writing profiles: to a file descriptor, or to a path atomically (a
 * temporary file in the same directory, then rename), and at process exit
 * under the names of docs/configuration.md: the first process of
 * a tree writes block.pprof and mutex.pprof, every other one (forked
 * children, exec'd programs) block.<pid>.pprof and mutex.<pid>.pprof.
 */
#ifndef LP_DUMP_H
#define LP_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "record/snapshot.h"

/* Decide this process's directory (passed on to the processes it starts,
 * unless `secure`); its names come from src/base/proctree.h. */
void lp_dump_init(const struct lp_config *cfg, int secure);

/* Fork: no symbolizing during it (the loader's lock, which reading the
 * loaded objects takes, would stay held in the child); a fork waits for
 * one in progress. The child drops the parent's dump state. */
void lp_dump_before_fork(void);
void lp_dump_after_fork_parent(void);
void lp_dump_after_fork_child(void);

/* Write both profiles under this process's names. A process other than the
 * first writes nothing while it has recorded nothing. A failure is said in
 * one line, unless *failing says it was already (interval dumps); *failing
 * then tells whether this one failed. 0, or -1. */
int lp_dump_process(int *failing);

/* The exit dump: lp_dump_process, and no dump to a file after it. */
void lp_dump_at_exit(void);

/* Say at start, once, when the profiles' directory cannot be written. */
void lp_dump_check_dir(void);

/* This process's file for one profile (what lp_dump_at_exit writes). */
void lp_dump_process_path(enum lp_kind kind, char *path, size_t len);

/* Encode a snapshot into a malloc'd buffer: gzip pprof, or with `text` Go's
 * debug=1 text. Symbolizes under the process's one symbolizer lock (never a
 * lock of the program). 0, or -1 with errno. */
int lp_dump_encode(const struct lp_snapshot *s, int text, uint8_t **buf,
		   size_t *len);

/* Encode a snapshot (gzip pprof) and write it. 0, or -1 with errno. */
int lp_dump_snapshot_fd(const struct lp_snapshot *s, int fd);
int lp_dump_snapshot_path(const struct lp_snapshot *s, const char *path);

/* Write `s` to `path`, or to `fd` when path is NULL, then free it (errno
 * kept). 0, or -1 with errno. */
int lp_dump_snapshot_and_free(struct lp_snapshot *s, int fd, const char *path);

/* Snapshot one profile now and write it. 0, or -1 with errno. */
int lp_dump_profile_fd(enum lp_kind kind, int fd);
int lp_dump_profile_path(enum lp_kind kind, const char *path);

/* The hang view (src/export/hangview.h), encoded as lp_dump_encode does. */
struct lp_hang_view;
int lp_dump_waiting_encode(struct lp_hang_view *v, int text, uint8_t **buf,
			   size_t *len);

/* The waits in progress now, written to `fd`: gzip pprof, or with `text`
 * the text view (the C API's lockprof_dump_waiting). 0, or -1 with errno. */
int lp_dump_waiting_fd(int fd, int text);

/* Write `v` as waiting.txt and waiting.pprof (waiting.PID.* for a process
 * other than the first) into the profiles' directory, atomically; a
 * failure said in one line. The text file's path into txt_path. 0 or -1. */
int lp_dump_waiting_files(struct lp_hang_view *v, char *txt_path, size_t len);

#endif /* LP_DUMP_H */
