/* SPDX-License-Identifier: MIT */
/*
 * Inline frames and separate debug files, on this very process. A function
 * inlined into another is a frame of its own, innermost first, each with
 * its line. Stripped copies of this executable, mapped by hand, are named
 * by module and offset without a debug file, and get their names, lines
 * and inline frames back from one found through .gnu_debuglink (in .debug/
 * beside the copy), then from one found by build-id under LP_DEBUG_ROOT
 * (meson points it into the build tree). Needs objcopy: skipped without.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "export/symbolize.h"

static uintptr_t called_at; /* the call instruction in lp_inner_step */
static int inner_line, outer_line;

static __attribute__((noinline)) void capture(void)
{
	called_at = (uintptr_t)__builtin_return_address(0) - 1;
	__asm__ volatile("" ::: "memory");
}

static inline __attribute__((always_inline)) void lp_inner_step(void)
{
	inner_line = __LINE__ + 1;
	capture();
}

static __attribute__((noinline)) void lp_outer_fn(void)
{
	outer_line = __LINE__ + 1;
	lp_inner_step();
	__asm__ volatile("" ::: "memory");
}

static __attribute__((format(printf, 1, 2))) void run(const char *fmt, ...)
{
	va_list ap;
	char *cmd;

	va_start(ap, fmt);
	REQUIRE(vasprintf(&cmd, fmt, ap) >= 0, "oom");
	va_end(ap);
	REQUIRE(system(cmd) == 0, "%s", cmd);
	free(cmd);
}

static int main_bias_cb(struct dl_phdr_info *di, size_t size, void *arg)
{
	(void)size;
	*(uintptr_t *)arg = di->dlpi_addr;
	return 1; /* the first object is the program */
}

/* What a frame lookup at `addr` must find: lp_inner_step inlined into
 * lp_outer_fn, with their lines in this file. */
static void check_frames(struct lp_symbolizer *sym, uintptr_t addr,
			 const char *what)
{
	struct lp_dwarf_frame f[8];
	size_t n = lp_symbolize_frames(sym, addr, f, 8);
	const char *file;

	REQUIRE(n == 2, "%s: %zu frames, want 2", what, n);
	CHECK(f[0].name && strcmp(f[0].name, "lp_inner_step") == 0 &&
		      f[0].line == inner_line,
	      "%s: innermost %s:%d, want lp_inner_step:%d", what,
	      f[0].name ? f[0].name : "(null)", f[0].line, inner_line);
	CHECK(f[1].name && strcmp(f[1].name, "lp_outer_fn") == 0 &&
		      f[1].line == outer_line,
	      "%s: outer %s:%d, want lp_outer_fn:%d", what,
	      f[1].name ? f[1].name : "(null)", f[1].line, outer_line);
	file = f[0].file ? strrchr(f[0].file, '/') : NULL;
	CHECK(file && strcmp(file, "/test_debuginfo.c") == 0 &&
		      f[0].file[0] == '/',
	      "%s: file %s", what, f[0].file ? f[0].file : "(null)");
}

/* Map the code of `path` (a copy of this executable) where ours is mapped
 * from, refresh, and return where called_at is in the copy. */
static uintptr_t map_copy(struct lp_symbolizer *sym, const char *path,
			  void **base, size_t *len)
{
	const struct lp_mapping_info *m;
	const char *name;
	uintptr_t off;
	int mi = lp_symbolize(sym, called_at, &name, &off);
	int fd = open(path, O_RDONLY);

	REQUIRE(mi >= 0 && fd >= 0, "mapping of %s", path);
	lp_symbolizer_mappings(sym, &m);
	*len = m[mi].limit - m[mi].start;
	*base = mmap(NULL, *len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
		     (off_t)m[mi].offset);
	close(fd);
	REQUIRE(*base != MAP_FAILED, "map %s", path);
	off = called_at - m[mi].start;
	REQUIRE(lp_symbolizer_refresh(sym) == 0, "refresh");
	return (uintptr_t)*base + off;
}

/* A stripped copy's frame: named and lined when `debug` says a debug file
 * is there to be found, else module+offset. */
static void check_copy(struct lp_symbolizer *sym, const char *path,
		       int debug, uintptr_t link_addr)
{
	const char *name, *base = strrchr(path, '/') + 1;
	char want[PATH_MAX + 32], got[PATH_MAX + 32];
	struct lp_dwarf_frame f[8];
	uintptr_t off, at;
	size_t len;
	void *map;
	int mi;

	at = map_copy(sym, path, &map, &len);
	mi = lp_symbolize(sym, at, &name, &off);
	REQUIRE(mi > 0, "%s: in mapping %d", path, mi);
	if (debug) {
		CHECK(name && strcmp(name, "lp_outer_fn") == 0,
		      "%s: named %s, want lp_outer_fn", path,
		      name ? name : "(null)");
		check_frames(sym, at, path);
	} else {
		CHECK(!name, "%s: stripped copy named %s", path, name);
		CHECK(lp_symbolize_frames(sym, at, f, 8) == 0,
		      "%s: frames without DWARF", path);
		snprintf(want, sizeof(want), "%s+%#lx", base,
			 (unsigned long)link_addr);
		lp_symbolize_unnamed(sym, mi, at, got, sizeof(got));
		CHECK(strcmp(got, want) == 0, "unnamed: %s, want %s", got, want);
	}
	munmap(map, len);
}

int main(void)
{
	char exe[PATH_MAX], dir[] = "/tmp/lp-debuginfo-XXXXXX", id[PATH_MAX];
	char path[PATH_MAX + 16], want[PATH_MAX], got[PATH_MAX];
	char build_id[128]; /* hex: 2 per byte of a build-id, which is 20 */
	const struct lp_mapping_info *m;
	struct lp_symbolizer *sym = lp_symbolizer_new();
	uintptr_t bias = 0;

	if (system("objcopy --version >/dev/null 2>&1") != 0) {
		printf("SKIP: no objcopy\n");
		return 77;
	}
	lp_outer_fn();
	dl_iterate_phdr(main_bias_cb, &bias);
	REQUIRE(sym && lp_symbolizer_refresh(sym) == 0, "symbolizer");
	REQUIRE(realpath("/proc/self/exe", exe) && mkdtemp(dir), "temp dir");

	/* This executable: the inline frame, its own DWARF. */
	check_frames(sym, called_at, "this executable");
	lp_symbolizer_mappings(sym, &m);
	snprintf(want, sizeof(want), "[%s]+%#lx", strrchr(exe, '/') + 1,
		 (unsigned long)(called_at - bias));
	lp_symbolize_unnamed(sym, 0, called_at, got, sizeof(got));
	CHECK(strcmp(got, want) == 0, "main program: %s, want %s", got, want);

	/* Stripped: no names, module+offset. The build-id tree of an
	 * earlier run is removed first. */
	REQUIRE(m[0].build_id[0], "no build-id");
	/* A copy: the mappings are the symbolizer's, replaced at each refresh
	 * (check_copy refreshes). */
	snprintf(build_id, sizeof(build_id), "%s", m[0].build_id);
	snprintf(id, sizeof(id), "%s/.build-id/%.2s", LP_DEBUG_ROOT, build_id);
	run("rm -rf '%s' && objcopy --strip-all '%s' '%s/bare' && "
	    "mkdir '%s/.debug' && objcopy --only-keep-debug '%s' "
	    "'%s/.debug/linked.debug' && objcopy --strip-all "
	    "--add-gnu-debuglink='%s/.debug/linked.debug' '%s' '%s/linked'",
	    id, exe, dir, dir, exe, dir, dir, exe, dir);
	snprintf(path, sizeof(path), "%s/bare", dir);
	check_copy(sym, path, 0, called_at - bias);

	/* Through .gnu_debuglink, in .debug/ beside the copy. */
	snprintf(path, sizeof(path), "%s/linked", dir);
	check_copy(sym, path, 1, 0);

	/* By build-id, as a -dbgsym package installs it. */
	run("mkdir -p '%s' && objcopy --only-keep-debug '%s' '%s/%s.debug' "
	    "&& objcopy --strip-all '%s' '%s/by-id'",
	    id, exe, id, build_id + 2, exe, dir);
	snprintf(path, sizeof(path), "%s/by-id", dir);
	check_copy(sym, path, 1, 0);

	run("rm -rf '%s' '%s'", dir, id);
	lp_symbolizer_free(sym);
	return check_done("test_debuginfo");
}
