/* SPDX-License-Identifier: MIT */
/*
 * Symbolization of this process's code addresses: which executable mapping
 * an address is in (with the mapped file's path, offset and GNU build-id)
 * and which function, from the ELF symbol tables (.symtab and .dynsym, and a
 * separate debug file's when the object has no .symtab: under
 * /usr/lib/debug/.build-id, or where .gnu_debuglink says), and which
 * functions are inlined there, from DWARF. Runs at dump time, never on a lock path; it may allocate and
 * uses stdio. Not thread-safe: one caller at a time per symbolizer.
 */
#ifndef LP_SYMBOLIZE_H
#define LP_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf_lines.h"

struct lp_mapping_info {
	uint64_t start, limit, offset; /* as in /proc/self/maps */
	const char *path;              /* "" for anonymous code */
	const char *build_id;          /* lower-case hex, "" when none */
};

struct lp_symbolizer;

/* NULL when out of memory. Keeps parsed ELF files cached across refreshes. */
struct lp_symbolizer *lp_symbolizer_new(void);
void lp_symbolizer_free(struct lp_symbolizer *sym);

/* Re-read the process's executable mappings. Returns 0 or -1. */
int lp_symbolizer_refresh(struct lp_symbolizer *sym);

/* The executable mappings in /proc/self/maps order, except that the main
 * program's come first (pprof takes mapping[0] as the main binary). Paths
 * have any " (deleted)" suffix removed. Valid until the next refresh. */
size_t lp_symbolizer_mappings(const struct lp_symbolizer *sym,
			      const struct lp_mapping_info **out);

/*
 * Symbolize a code address (a call instruction: return address minus 1).
 * Returns the index of its mapping, or -1. *name is the function's symbol
 * name (mangled as in the ELF file) or NULL when none covers the address;
 * *sym_offset is addr minus the symbol's start (0 when no name). Of aliases
 * at one address the global one wins, then the one with fewer leading
 * underscores ("write", not "__write"). Pointers stay valid until the
 * symbolizer is freed.
 */
int lp_symbolize(struct lp_symbolizer *sym, uintptr_t addr,
		 const char **name, uintptr_t *sym_offset);

/*
 * The source frames of a code address (lp_dwarf_frames): the functions
 * inlined at it, innermost first, then the function it is in, with files
 * and lines. From the DWARF of the object's own file, else of its separate
 * debug file, when libdw can be loaded. Returns how many, 0 when unknown.
 * Strings stay valid until the symbolizer is freed.
 */
size_t lp_symbolize_frames(struct lp_symbolizer *sym, uintptr_t addr,
			   struct lp_dwarf_frame *out, size_t max);

/*
 * A name for an address of mapping `mi` that no symbol covers, the same in
 * every run: the object's file name and the address as in the file (its
 * link-time address, what `addr2line -e FILE` takes), "libfoo.so+0x1a2b",
 * in brackets for the main program, "[prog]+0x1a2b". Returns snprintf's
 * count, 0 for anonymous code (no name).
 */
int lp_symbolize_unnamed(const struct lp_symbolizer *sym, int mi,
			 uintptr_t addr, char *buf, size_t len);

/*
 * A name for a data address (a lock) of this process: when it is inside a
 * loaded object's data or bss, the symbol covering it ("accounts_lock"),
 * with "+0xOFF" when it is not at the symbol's start ("table+0x40"), or
 * with no symbol the object's file name and the address as in the file
 * ("[prog]+0x4010", "libfoo.so+0x2a0"), the same in every run. Needs a
 * refresh since the object was loaded. Returns snprintf's count, 0 when
 * the address is in no loaded object (heap, stacks, other mappings).
 */
int lp_symbolize_data(struct lp_symbolizer *sym, uintptr_t addr, char *buf,
		      size_t len);

#endif /* LP_SYMBOLIZE_H */
