/*
 * Source lines from DWARF line tables, through elfutils' libdw, which is
 * loaded with dlopen the first time a dump asks: a profiled process that
 * never dumps does not map it, and a machine without libdw gets profiles
 * without lines. Dump time only: it allocates.
 */
#ifndef LP_DWARF_LINES_H
#define LP_DWARF_LINES_H

#include <stdint.h>

struct lp_dwarf;

/* The DWARF of an ELF file, or NULL (no libdw, unreadable, no DWARF). */
struct lp_dwarf *lp_dwarf_open(const char *path);
void lp_dwarf_close(struct lp_dwarf *d);

/* The source file and line of a link-time address. Returns 0, or -1 when
 * the line tables do not cover it. *file lives as long as `d`. */
int lp_dwarf_line(struct lp_dwarf *d, uint64_t addr, const char **file, int *line);

#endif /* LP_DWARF_LINES_H */
