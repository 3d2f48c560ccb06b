/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer on this very process: its own static functions (this
 * executable is linked without -rdynamic, so only .symtab names them), libc,
 * the vdso, a copy of the executable mapped by hand (bias from the file, not
 * from ld.so), a deleted file, corrupt ELF files mapped executable, and
 * data: a static lock, an address inside a static table, one in libc's
 * data, and heap and stack addresses (no name).
 * Built twice: as PIE and as non-PIE.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "export/symbolize.h"

/* Static and not inlined: named only by the executable's .symtab. */
static __attribute__((noinline)) int lp_static_alpha(int x)
{
	volatile int v = x;

	for (int i = 0; i < x; i++)
		v += i * v;
	return v;
}

static __attribute__((noinline)) int lp_static_beta(int x)
{
	volatile int v = x;

	for (int i = 0; i < x; i++)
		v ^= lp_static_alpha(i);
	return v;
}

int main(void);

/* Data named only by .symtab (lp_symbolize_data). */
static long lp_static_lock;
static char lp_static_table[256] = {1};

/* The build-id as readelf prints it, "" when readelf is missing. */
static void readelf_build_id(const char *path, char *out, size_t n)
{
	char cmd[PATH_MAX + 64], line[512];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, " Build ID: %127s", out) == 1 && strlen(out) < n)
			break;
	pclose(p);
}

static void check_named(struct lp_symbolizer *sym, uintptr_t addr,
			const char *want, uintptr_t want_off, int want_map)
{
	const char *name;
	uintptr_t off;
	int mi = lp_symbolize(sym, addr, &name, &off);

	CHECK(mi == want_map || (want_map < 0 && mi >= 0),
	      "%#lx: mapping %d, want %d", (unsigned long)addr, mi, want_map);
	CHECK(name && strcmp(name, want) == 0, "%#lx: name %s, want %s",
	      (unsigned long)addr, name ? name : "(null)", want);
	CHECK(off == want_off, "%#lx: offset %#lx, want %#lx",
	      (unsigned long)addr, (unsigned long)off,
	      (unsigned long)want_off);
}

static int find_mapping(struct lp_symbolizer *sym, const char *path)
{
	const struct lp_mapping_info *m;
	size_t n = lp_symbolizer_mappings(sym, &m);

	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].path, path) == 0)
			return (int)i;
	return -1;
}

static void test_main_program(struct lp_symbolizer *sym)
{
	const struct lp_mapping_info *m;
	char exe[PATH_MAX], id[128];
	size_t n = lp_symbolizer_mappings(sym, &m);
	Dl_info di;

	REQUIRE(n > 0, "no executable mappings");
	REQUIRE(realpath("/proc/self/exe", exe), "realpath");
	CHECK(strcmp(m[0].path, exe) == 0, "mapping[0] is %s, want %s",
	      m[0].path, exe);
	readelf_build_id(exe, id, sizeof(id));
	CHECK(m[0].build_id[0] != '\0', "main program has no build-id");
	CHECK(!id[0] || strcmp(m[0].build_id, id) == 0,
	      "build-id %s, readelf says %s", m[0].build_id, id);

	check_named(sym, (uintptr_t)lp_static_alpha + 3, "lp_static_alpha", 3,
		    0);
	check_named(sym, (uintptr_t)lp_static_beta, "lp_static_beta", 0, 0);
	check_named(sym, (uintptr_t)main + 1, "main", 1, 0);
	/* The point of reading .symtab: dladdr cannot name a static. */
	CHECK(!dladdr((void *)lp_static_alpha, &di) || !di.dli_sname ||
		      strcmp(di.dli_sname, "lp_static_alpha") != 0,
	      "executable exports its statics: built with -rdynamic?");
}

static void test_libc(struct lp_symbolizer *sym)
{
	/* libc's own, not a sanitizer's interceptor */
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uintptr_t w = libc ? (uintptr_t)dlsym(libc, "write") : 0;
	const struct lp_mapping_info *m;
	const char *name;
	uintptr_t off;
	char id[128];
	int mi;

	REQUIRE(w, "dlsym(write)");
	lp_symbolizer_mappings(sym, &m);
	mi = lp_symbolize(sym, w + 4, &name, &off);
	REQUIRE(mi > 0, "write is in mapping %d", mi);
	CHECK(strstr(m[mi].path, "libc.so") != NULL, "write's mapping is %s",
	      m[mi].path);
	/* write and __write are weak aliases: the public name wins. */
	check_named(sym, w + 4, "write", 4, mi);
	readelf_build_id(m[mi].path, id, sizeof(id));
	CHECK(m[mi].build_id[0] != '\0', "libc has no build-id");
	CHECK(!id[0] || strcmp(m[mi].build_id, id) == 0,
	      "libc build-id %s, readelf says %s", m[mi].build_id, id);
	dlclose(libc);
}

static void test_odd_addresses(struct lp_symbolizer *sym)
{
	int vdso = find_mapping(sym, "[vdso]");
	const struct lp_mapping_info *m;
	const char *name = "x";
	uintptr_t off = 1;

	lp_symbolizer_mappings(sym, &m);
	CHECK(lp_symbolize(sym, 16, &name, &off) == -1 && !name && !off,
	      "address 16 symbolized");
	if (vdso >= 0)
		CHECK(lp_symbolize(sym, m[vdso].start, &name, &off) == vdso,
		      "vdso start not in the vdso mapping");
}

static void test_cache(struct lp_symbolizer *sym)
{
	const char *a, *b;
	uintptr_t off;

	lp_symbolize(sym, (uintptr_t)lp_static_alpha, &a, &off);
	REQUIRE(lp_symbolizer_refresh(sym) == 0, "second refresh");
	lp_symbolize(sym, (uintptr_t)lp_static_alpha, &b, &off);
	CHECK(a && a == b, "names not kept across refreshes");
}

static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;

	REQUIRE(fd >= 0 && fstat(fd, &st) == 0, "open %s", path);
	buf = malloc((size_t)st.st_size);
	REQUIRE(buf && read(fd, buf, (size_t)st.st_size) == st.st_size,
		"read %s", path);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* A fresh file holding buf[0, len) (a new inode, so never a cache hit). */
static void write_temp(char *path, const char *buf, size_t len)
{
	int fd;

	strcpy(path, "/tmp/lp-symtest-XXXXXX");
	fd = mkstemp(path);
	REQUIRE(fd >= 0 && write(fd, buf, len) == (ssize_t)len, "temp file");
	close(fd);
}

static void *map_exec(const char *path, size_t len, off_t off)
{
	int fd = open(path, O_RDONLY);
	void *p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, off);

	REQUIRE(fd >= 0 && p != MAP_FAILED, "map %s", path);
	close(fd);
	return p;
}

/* A copy of this executable's code mapped by hand: ld.so does not know it,
 * so its bias comes from the file's program headers. Then deleted. */
static void test_copy(struct lp_symbolizer *sym)
{
	const struct lp_mapping_info *m;
	char path[64], *exe;
	size_t len, mlen;
	uintptr_t base, alpha = (uintptr_t)lp_static_alpha;
	int mi;

	exe = read_all("/proc/self/exe", &len);
	write_temp(path, exe, len);
	free(exe);
	lp_symbolizer_mappings(sym, &m);
	mi = lp_symbolize(sym, alpha, &(const char *){0}, &(uintptr_t){0});
	REQUIRE(mi >= 0, "alpha not mapped");
	mlen = m[mi].limit - m[mi].start;
	base = (uintptr_t)map_exec(path, mlen, (off_t)m[mi].offset);
	alpha = base + (alpha - m[mi].start);

	REQUIRE(lp_symbolizer_refresh(sym) == 0, "refresh");
	mi = find_mapping(sym, path);
	REQUIRE(mi > 0, "copy %s not listed", path);
	check_named(sym, alpha + 5, "lp_static_alpha", 5, mi);
	lp_symbolizer_mappings(sym, &m);
	CHECK(strcmp(m[mi].build_id, m[0].build_id) == 0,
	      "copy's build-id %s, want %s", m[mi].build_id, m[0].build_id);

	unlink(path);
	REQUIRE(lp_symbolizer_refresh(sym) == 0, "refresh");
	CHECK(find_mapping(sym, path) == mi, "deleted file's path not trimmed");
	check_named(sym, alpha + 5, "lp_static_alpha", 5, mi);
	munmap((void *)base, mlen);
}

/* Map a corrupt image executable and symbolize in it: must not crash. */
static void try_corrupt(struct lp_symbolizer *sym, const char *buf,
			size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const struct lp_mapping_info *m;
	char path[64];
	const char *name;
	uintptr_t off, base;
	int mi;

	write_temp(path, buf, len);
	base = (uintptr_t)map_exec(path, page, 0);
	unlink(path);
	REQUIRE(lp_symbolizer_refresh(sym) == 0, "refresh");
	mi = lp_symbolize(sym, base + 64, &name, &off);
	lp_symbolizer_mappings(sym, &m);
	CHECK(mi >= 0 && strcmp(m[mi].path, path) == 0,
	      "corrupt file not listed");
	munmap((void *)base, page);
}

static void test_corrupt(struct lp_symbolizer *sym)
{
	size_t len;
	char *exe = read_all("/proc/self/exe", &len);
	char *buf = malloc(len);
	uint32_t seed = 12345;

	REQUIRE(buf, "oom");
	try_corrupt(sym, exe, 100);     /* header cut short */
	try_corrupt(sym, exe, len / 3); /* sections beyond the end */
	for (int round = 0; round < 60; round++) {
		memcpy(buf, exe, len);
		/* Scramble the headers, the notes and the tail (the section
		 * headers and the symbol tables live there). */
		for (int k = 0; k < 200; k++) {
			size_t at;

			seed = seed * 1103515245 + 12345;
			at = k % 2 ? (seed >> 8) % 1024
				   : len - 1 - (seed >> 8) % (len / 4);
			buf[at] = (char)(seed >> 24);
		}
		try_corrupt(sym, buf, len);
	}
	free(buf);
	free(exe);
}

static void test_data(struct lp_symbolizer *sym)
{
	char buf[128], here = 0, *heap = malloc(64);
	int n;

	lp_static_lock = 1;
	n = lp_symbolize_data(sym, (uintptr_t)&lp_static_lock, buf, sizeof(buf));
	CHECK(n > 0 && strcmp(buf, "lp_static_lock") == 0, "static lock: %s", n > 0 ? buf : "none");
	n = lp_symbolize_data(sym, (uintptr_t)&lp_static_table[0x40], buf, sizeof(buf));
	CHECK(n > 0 && strcmp(buf, "lp_static_table+0x40") == 0, "table+0x40: %s",
	      n > 0 ? buf : "none");
	n = lp_symbolize_data(sym, (uintptr_t)&stdout, buf, sizeof(buf));
	CHECK(n > 0 && strcmp(buf, "stdout") == 0, "libc's stdout: %s", n > 0 ? buf : "none");
	CHECK(lp_symbolize_data(sym, (uintptr_t)heap, buf, sizeof(buf)) == 0, "heap: %s", buf);
	CHECK(lp_symbolize_data(sym, (uintptr_t)&here, buf, sizeof(buf)) == 0, "stack: %s", buf);
	free(heap);
}

int main(void)
{
	struct lp_symbolizer *sym = lp_symbolizer_new();

	REQUIRE(sym, "lp_symbolizer_new");
	REQUIRE(lp_symbolizer_refresh(sym) == 0, "refresh");
	test_main_program(sym);
	test_libc(sym);
	test_odd_addresses(sym);
	test_cache(sym);
	test_copy(sym);
	test_corrupt(sym);
	test_data(sym);
	lp_symbolizer_free(sym);
	return check_done("test_symbolize");
}
