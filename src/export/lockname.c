/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockname.h"
#include "record/lockid.h"

/* Frames inside the C++ library's lock wrappers (std::mutex::lock,
 * __gthread_mutex_lock, ...), mangled as DWARF and symbols have them. */
static int is_lock_wrapper(const char *name)
{
	static const char *const prefixes[] = {
		"_ZNSt", "_ZNKSt", "_ZSt", "__gthread_", "__glibcxx_", "std::",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

typedef char *demangle_fn(const char *, char *, size_t *, int *);

/* `name` demangled into a malloc'd string when the process has libstdc++
 * (a C++ program always does), else NULL. */
static char *demangled(const char *name)
{
	demangle_fn *demangle;
	int status;

	if (strncmp(name, "_Z", 2) != 0)
		return NULL;
	*(void **)&demangle = dlsym(RTLD_DEFAULT, "__cxa_demangle");
	return demangle ? demangle(name, NULL, NULL, &status) : NULL;
}

/* The site a lock was initialized or first seen at: "function (how,
 * file:line)". */
static void site_name(struct lp_symbolizer *sym, uintptr_t ret, const char *how,
		      char *buf, size_t len)
{
	struct lp_dwarf_frame f[32];
	uintptr_t pc = ret - 1, offset;
	const char *name = NULL, *symbol, *file = NULL, *base;
	char unnamed[256], *readable;
	size_t n = lp_symbolize_frames(sym, pc, f, sizeof(f) / sizeof(*f)), k = 0;
	int mi, line = 0;

	while (k + 1 < n && (!f[k].name || is_lock_wrapper(f[k].name)))
		k++;
	if (n > 0) {
		name = f[k].name;
		file = f[k].file;
		line = f[k].line;
	}
	mi = lp_symbolize(sym, pc, &symbol, &offset);
	if (!name)
		name = symbol;
	if (!name && mi >= 0 &&
	    lp_symbolize_unnamed(sym, mi, pc, unnamed, sizeof(unnamed)) > 0)
		name = unnamed;
	if (!name) {
		snprintf(buf, len, "[lock %s at %#lx]", how, (unsigned long)pc);
		return;
	}
	readable = demangled(name);
	base = file ? strrchr(file, '/') : NULL;
	base = base ? base + 1 : file;
	if (base && line)
		snprintf(buf, len, "%s (%s, %s:%d)", readable ? readable : name, how,
			 base, line);
	else
		snprintf(buf, len, "%s (%s)", readable ? readable : name, how);
	free(readable);
}

void lp_lock_name(struct lp_symbolizer *sym, uint64_t id, char *buf, size_t len)
{
	uintptr_t v = lp_lockid_value(id);

	if (lp_lockid_kind(id) == LP_LOCKID_STATIC) {
		if (lp_symbolize_data(sym, v, buf, len) <= 0)
			snprintf(buf, len, "[lock in an unloaded object]");
	} else if (v) {
		site_name(sym, v, lp_lockid_kind(id) == LP_LOCKID_INIT ? "init" : "first seen",
			  buf, len);
	} else {
		snprintf(buf, len, "[lock seen without a stack]");
	}
}
