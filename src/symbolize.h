/*
 * Symbolization of this process's code addresses: which executable mapping
 * an address is in (with the mapped file's path, offset and GNU build-id)
 * and which function, from the ELF symbol tables (.symtab and .dynsym, and a
 * separate debug file under /usr/lib/debug/.build-id when the object has no
 * .symtab). Runs at dump time, never on a lock path; it may allocate and
 * uses stdio. Not thread-safe: one caller at a time per symbolizer.
 */
#ifndef LP_SYMBOLIZE_H
#define LP_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

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
 * The source file and line of a code address, from the DWARF line tables
 * of the object's own file, when libdw can be loaded.
 * Returns 0, or -1 when unknown. *file stays valid until the symbolizer is
 * freed.
 */
int lp_symbolize_line(struct lp_symbolizer *sym, uintptr_t addr,
		      const char **file, int *line);

#endif /* LP_SYMBOLIZE_H */
