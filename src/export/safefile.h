/* SPDX-License-Identifier: MIT */
/*
 * Creating files in a directory others may write to (LOCKPROF_DIR is often
 * /tmp or a shared directory, and the profiled service often root): never
 * through a link someone planted, never under a name someone can take
 * first, never half-written under any name.
 */
#ifndef LP_SAFEFILE_H
#define LP_SAFEFILE_H

/*
 * Replace the file at `path` with what `fill` writes to the descriptor it
 * is given (0, or -1 with errno): a new file of a random name (O_EXCL |
 * O_NOFOLLOW, mode 0644 less the umask) in the same directory, then renamed
 * onto `path`, which replaces whatever is there (a link is replaced, not
 * followed). On failure the new file is removed and `path` is left as it
 * was. 0, or -1 with errno.
 */
int lp_file_replace(const char *path, int (*fill)(int fd, void *arg), void *arg);

#endif /* LP_SAFEFILE_H */
