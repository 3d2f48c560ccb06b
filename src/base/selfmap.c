/* SPDX-License-Identifier: MIT */
#include <link.h>
#include <string.h>

#include "selfmap.h"

struct lp_selfmap lp_self;

/* Libraries whose static locks belong to the profiler, by file name:
 * liburcu's registry (taken when a thread exits) and libunwind's caches
 * (freed when a thread exits). */
static int ours(const char *path, int is_self)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return is_self || strncmp(base, "liburcu", 7) == 0 ||
	       strncmp(base, "libunwind", 9) == 0;
}

static int scan(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t me = (uintptr_t)arg;
	int is_self = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
		    me >= lo && me < lo + ph->p_memsz) {
			lp_self.code = (struct lp_range){ lo, lo + ph->p_memsz };
			is_self = 1;
		}
	}
	if (!ours(info->dlpi_name ? info->dlpi_name : "", is_self))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) &&
		    lp_self.ndata < LP_SELF_DATA_MAX) {
			struct lp_range r = { lo, lo + ph->p_memsz };

			lp_self.data[lp_self.ndata++] = r;
			if (lp_self.ndata == 1 || r.lo < lp_self.span.lo)
				lp_self.span.lo = r.lo;
			if (r.hi > lp_self.span.hi)
				lp_self.span.hi = r.hi;
		}
	}
	return 0;
}

void lp_selfmap_init(void)
{
	dl_iterate_phdr(scan, (void *)(uintptr_t)lp_selfmap_init);
}
