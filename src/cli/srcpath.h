/* SPDX-License-Identifier: MIT */
/*
 * Source file names as site keys: cleaned ("/x/build/../src/a.c" is
 * "/x/src/a.c") and relative to the profile's source root, the deepest
 * directory holding every absolute source file outside /usr (as pprof's
 * -trim_path does by hand), so that the keys of two checkouts in different
 * places match.
 */
#ifndef LP_CLI_SRCPATH_H
#define LP_CLI_SRCPATH_H

#include <stddef.h>

/* path with "." and ".." resolved and "//" folded, lexically; malloc'd,
 * NULL when out of memory. */
char *lp_path_clean(const char *path);

/* How much of the source root `path` shares with `root` (its first
 * root_len bytes): root_len shortened to the deepest common directory,
 * "/"-terminated; paths that do not count (relative, under /usr) leave it
 * as it is. Start with root = NULL. */
void lp_src_root_add(const char **root, size_t *root_len, const char *path);

#endif
