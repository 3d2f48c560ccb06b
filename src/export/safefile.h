/* SPDX-License-Identifier: MIT */
/*
 * Creating files in a directory others may write to (LOCKPROF_DIR is often
 * /tmp or a shared directory, and the profiled service often root): never
 * through a link someone planted, never under a name someone can take
 * first, never half-written under any name.
 */
#ifndef LP_SAFEFILE_H
#define LP_SAFEFILE_H

#include <stddef.h>

/*
 * Replace the file at `path` with the `len` bytes at `buf`: a new file in
 * the same directory (mode 0644 less the umask), renamed onto `path` once
 * written, which replaces whatever is there (a link is replaced, not
 * followed). The new file has no name while it is written (O_TMPFILE), so
 * that a process killed meanwhile leaves nothing; where the file system
 * has no such files, it is created under a random name (O_EXCL |
 * O_NOFOLLOW). On failure `path` is left as it was and nothing new
 * remains. 0, or -1 with errno.
 */
int lp_file_replace(const char *path, const void *buf, size_t len);

/* write(2) until all of `buf` is written (EINTR retried): 0, or -1 with
 * write's errno. Each write moves lp_progress on. */
int lp_write_all(int fd, const void *buf, size_t len);

#endif /* LP_SAFEFILE_H */
