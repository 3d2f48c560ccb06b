/* SPDX-License-Identifier: MIT */
/*
 * Source frames from DWARF, through elfutils' libdw, which is loaded with
 * dlopen the first time a dump asks: a profiled process that never dumps
 * does not map it, and a machine without libdw gets profiles without lines
 * or inline frames. Dump time only: it allocates.
 */
#ifndef LP_DWARF_LINES_H
#define LP_DWARF_LINES_H

#include <stddef.h>
#include <stdint.h>

struct lp_dwarf;

/* The DWARF of an ELF file, or NULL (no libdw, unreadable, no DWARF). */
struct lp_dwarf *lp_dwarf_open(const char *path);
void lp_dwarf_close(struct lp_dwarf *d);

/* One source frame: a function, and where in it. */
struct lp_dwarf_frame {
	const char *name; /* linkage (mangled) name, else the DWARF name;
			   * NULL when the DWARF has none */
	const char *file; /* absolute when the compilation directory is;
			   * NULL when unknown */
	int line;         /* 0 when unknown */
};

/*
 * The frames of a link-time address, innermost first: the functions
 * inlined at it, each with the line it is at, then the function the code
 * is in, with the line of the outermost inlined call (or of the address).
 * Writes at most `max` (a deeper chain keeps its innermost max-1 and the
 * outer function). Returns how many, 0 when the DWARF does not cover the
 * address. Strings live as long as `d`.
 */
size_t lp_dwarf_frames(struct lp_dwarf *d, uint64_t addr,
		       struct lp_dwarf_frame *out, size_t max);

#endif /* LP_DWARF_LINES_H */
