/* SPDX-License-Identifier: MIT */
/*
 * Symbolization from /proc/self/maps, dl_iterate_phdr and the ELF files on
 * disk. Per refresh: the executable mappings are read from /proc/self/maps;
 * dl_iterate_phdr gives each loaded object's load bias and its in-memory
 * build-id; the symbol tables come from the mapped files (read once, then
 * cached by device and inode for the symbolizer's lifetime, names copied so
 * that a file changing on disk cannot change or fault them).
 */
#include "dwarf_lines.h"
#include "base/grow.h"
#include "base/progress.h"
#include "symbolize.h"

#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Where Debian's -dbgsym packages put separate debug files (a test
 * builds with its own). */
#ifndef LP_DEBUG_ROOT
#define LP_DEBUG_ROOT "/usr/lib/debug"
#endif
/* DWARF whose compressed sections are bigger is not opened: libdw
 * inflates them whole at open, some 15 ms of CPU a MiB, at every
 * process's first dump (libc6-dbg's: 3.7 MiB). */
#define MAX_COMPRESSED_DWARF (2u << 20)
#define DELETED_SUFFIX " (deleted)"
#define MAX_BUILD_ID 64 /* bytes of a build-id note we accept */
#define BUILD_ID_HEX (2 * MAX_BUILD_ID + 1)

struct lp_sym {
	uintptr_t start, end; /* [start, end) in the file's virtual addresses */
	uintptr_t reach;      /* max end of this and all earlier symbols */
	uint32_t name;        /* offset in lp_elf.names */
	uint8_t rank;         /* 0 global, 1 weak, 2 local: lower wins */
};

struct lp_load {
	uint64_t offset, vaddr, filesz;
};

/* One ELF file, read once. */
struct lp_elf {
	uint64_t key_dev, key_ino;   /* as /proc/self/maps names it */
	uint64_t file_dev, file_ino; /* what was opened at its path */
	char build_id[BUILD_ID_HEX];
	struct lp_sym *syms;          /* functions */
	size_t nsyms;
	char *names;
	struct lp_sym *objs;          /* data objects (lp_symbolize_data) */
	size_t nobjs;
	char *obj_names;
	struct lp_load *loads;
	size_t nloads;
	char *path;                  /* to read the symbols when first needed */
	bool syms_read;
	char *debug_path;            /* its separate debug file, or NULL */
	const char *dwarf_path;      /* path or debug_path: the DWARF to read */
	struct lp_dwarf *dwarf;      /* opened when first needed */
	bool dwarf_tried;
};

/* Per executable mapping, parallel to lp_symbolizer.info. */
struct lp_map {
	uint64_t dev, ino;
	uintptr_t bias;
	bool has_bias, is_main;
	char build_id[BUILD_ID_HEX];
	char *path;
	struct lp_elf *elf; /* NULL when no symbols can be trusted */
};

struct lp_symbolizer {
	struct lp_mapping_info *info;
	struct lp_map *map;
	size_t n;
	struct lp_elf **elves;
	size_t nelves;
};

/* ---- reading ELF images ---- */

struct elf_image {
	const unsigned char *base;
	size_t size;
};

/* A bounds-checked view of [off, off+len) of the image, or NULL. */
static const void *elf_at(const struct elf_image *im, uint64_t off,
			  uint64_t len)
{
	if (off > im->size || len > im->size - off)
		return NULL;
	return im->base + off;
}

static const ElfW(Ehdr) *elf_header(const struct elf_image *im)
{
	const ElfW(Ehdr) *eh = elf_at(im, 0, sizeof(*eh));

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != (__ELF_NATIVE_CLASS == 64 ? ELFCLASS64
								: ELFCLASS32))
		return NULL;
	return eh;
}

static const ElfW(Shdr) *elf_sections(const struct elf_image *im, size_t *n)
{
	const ElfW(Ehdr) *eh = elf_header(im);
	const ElfW(Shdr) *sh;

	*n = 0;
	if (!eh || eh->e_shentsize != sizeof(*sh))
		return NULL;
	sh = elf_at(im, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(*sh));
	if (sh)
		*n = eh->e_shnum;
	return sh;
}

static const ElfW(Phdr) *elf_segments(const struct elf_image *im, size_t *n)
{
	const ElfW(Ehdr) *eh = elf_header(im);
	const ElfW(Phdr) *ph;

	*n = 0;
	if (!eh || eh->e_phentsize != sizeof(*ph))
		return NULL;
	ph = elf_at(im, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*ph));
	if (ph)
		*n = eh->e_phnum;
	return ph;
}

/* The name of section `sh`, or NULL. */
static const char *section_name(const struct elf_image *im,
				const ElfW(Shdr) *sh)
{
	const ElfW(Ehdr) *eh = elf_header(im);
	size_t nsh;
	const ElfW(Shdr) *all = elf_sections(im, &nsh), *ss;
	const char *names;

	if (!eh || eh->e_shstrndx >= nsh)
		return NULL;
	ss = &all[eh->e_shstrndx];
	names = elf_at(im, ss->sh_offset, ss->sh_size);
	if (!names || sh->sh_name >= ss->sh_size ||
	    !memchr(names + sh->sh_name, '\0', ss->sh_size - sh->sh_name))
		return NULL;
	return names + sh->sh_name;
}

static const ElfW(Shdr) *section_named(const struct elf_image *im,
				       const char *name)
{
	size_t nsh;
	const ElfW(Shdr) *sh = elf_sections(im, &nsh);

	for (size_t i = 0; i < nsh; i++) {
		const char *n = section_name(im, &sh[i]);

		if (n && strcmp(n, name) == 0)
			return &sh[i];
	}
	return NULL;
}

/* Whether the file has DWARF that is cheap enough to open. */
static bool has_cheap_dwarf(const struct elf_image *im)
{
	size_t nsh;
	const ElfW(Shdr) *sh = elf_sections(im, &nsh);
	const ElfW(Shdr) *info = section_named(im, ".debug_info");
	uint64_t compressed = 0;

	if (!info || info->sh_type == SHT_NOBITS)
		return false;
	for (size_t i = 0; i < nsh; i++) {
		const char *n = section_name(im, &sh[i]);

		if (n && strncmp(n, ".debug_", 7) == 0 &&
		    (sh[i].sh_flags & SHF_COMPRESSED))
			compressed += sh[i].sh_size;
	}
	return compressed <= MAX_COMPRESSED_DWARF;
}

static int elf_map(const char *path, struct elf_image *im, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait */
	void *p;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size <= 0) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	im->base = p;
	im->size = (size_t)st->st_size;
	return 0;
}

static void elf_unmap(struct elf_image *im)
{
	munmap((void *)im->base, im->size);
}

/* ---- build-ids ---- */

static size_t note_pad(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

/* Find NT_GNU_BUILD_ID in a note area and write it as hex. */
static bool note_build_id(const unsigned char *p, size_t len, size_t align,
			  char hex[BUILD_ID_HEX])
{
	ElfW(Nhdr) nh;

	align = align == 8 ? 8 : 4;
	while (len >= sizeof(nh)) {
		size_t name_off = sizeof(nh), desc_off, next;

		memcpy(&nh, p, sizeof(nh));
		desc_off = name_off + note_pad(nh.n_namesz, align);
		if (desc_off > len || nh.n_descsz > len - desc_off)
			return false;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(p + name_off, "GNU", 4) == 0 && nh.n_descsz > 0 &&
		    nh.n_descsz <= MAX_BUILD_ID) {
			for (size_t i = 0; i < nh.n_descsz; i++)
				sprintf(hex + 2 * i, "%02x", p[desc_off + i]);
			return true;
		}
		next = desc_off + note_pad(nh.n_descsz, align);
		if (next >= len)
			return false;
		p += next;
		len -= next;
	}
	return false;
}

/* The file's build-id from its PT_NOTE segments, else its note sections
 * (separate debug files may only have the latter intact). */
static bool elf_build_id(const struct elf_image *im, char hex[BUILD_ID_HEX])
{
	size_t nph, nsh;
	const ElfW(Phdr) *ph = elf_segments(im, &nph);
	const ElfW(Shdr) *sh = elf_sections(im, &nsh);

	for (size_t i = 0; i < nph; i++) {
		const void *p = elf_at(im, ph[i].p_offset, ph[i].p_filesz);

		if (ph[i].p_type == PT_NOTE && p &&
		    note_build_id(p, ph[i].p_filesz, ph[i].p_align, hex))
			return true;
	}
	for (size_t i = 0; i < nsh; i++) {
		const void *p = elf_at(im, sh[i].sh_offset, sh[i].sh_size);

		if (sh[i].sh_type == SHT_NOTE && p &&
		    note_build_id(p, sh[i].sh_size, sh[i].sh_addralign, hex))
			return true;
	}
	return false;
}

/* ---- symbol tables ---- */

struct sym_vec {
	struct lp_sym *v;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
};

static int sym_push(struct sym_vec *sv, const ElfW(Sym) *s, const char *name,
		    size_t len)
{
	unsigned bind = ELF64_ST_BIND(s->st_info); /* same as ELF32's */
	struct lp_sym *d;

	if (lp_grow((void **)&sv->v, &sv->cap, sv->n + 1, sizeof(*sv->v)) ||
	    lp_grow((void **)&sv->names, &sv->ncap, sv->nlen + len + 1, 1))
		return -1;
	d = &sv->v[sv->n++];
	d->start = s->st_value;
	d->end = s->st_value + s->st_size;
	d->name = (uint32_t)sv->nlen;
	d->rank = bind == STB_GLOBAL || bind == STB_GNU_UNIQUE ? 0
		  : bind == STB_WEAK			       ? 1
							       : 2;
	memcpy(sv->names + sv->nlen, name, len + 1);
	sv->nlen += len + 1;
	return 0;
}

/* The symbols read into a table: functions (code addresses) or data
 * objects (lock addresses). */
enum sym_kind { SYM_CODE, SYM_DATA };

static bool is_symbol_of(const ElfW(Sym) *s, enum sym_kind kind)
{
	unsigned type = ELF64_ST_TYPE(s->st_info);
	bool of_kind = kind == SYM_CODE ? type == STT_FUNC || type == STT_GNU_IFUNC
					: type == STT_OBJECT;

	return of_kind && s->st_size > 0 && s->st_shndx != SHN_UNDEF &&
	       s->st_value + s->st_size > s->st_value;
}

/* Append the symbols of `kind` of every section of type `type`
 * (SHT_SYMTAB or SHT_DYNSYM). Returns the number of tables read, -1 on OOM. */
static int add_symbols(struct sym_vec *sv, const struct elf_image *im,
		       uint32_t type, enum sym_kind kind)
{
	size_t nsh;
	const ElfW(Shdr) *sh = elf_sections(im, &nsh);
	int tables = 0;

	for (size_t i = 0; i < nsh; i++) {
		const ElfW(Shdr) *st = &sh[i], *str;
		const ElfW(Sym) *syms;
		const char *strs;

		if (st->sh_type != type || st->sh_link >= nsh)
			continue;
		str = &sh[st->sh_link];
		syms = elf_at(im, st->sh_offset, st->sh_size);
		strs = elf_at(im, str->sh_offset, str->sh_size);
		if (!syms || !strs || str->sh_type != SHT_STRTAB)
			continue;
		tables++;
		for (size_t k = 0; k < st->sh_size / sizeof(*syms); k++) {
			const ElfW(Sym) *s = &syms[k];
			size_t room, len;

			if (!is_symbol_of(s, kind) || s->st_name >= str->sh_size)
				continue;
			room = str->sh_size - s->st_name;
			len = strnlen(strs + s->st_name, room);
			if (len == 0 || len == room)
				continue;
			if (sym_push(sv, s, strs + s->st_name, len))
				return -1;
		}
	}
	return tables;
}

static int sym_cmp(const void *a, const void *b, void *names)
{
	const struct lp_sym *x = a, *y = b;
	const char *xn = (char *)names + x->name, *yn = (char *)names + y->name;
	size_t xu = strspn(xn, "_"), yu = strspn(yn, "_");

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (xu != yu)
		return xu < yu ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return strcmp(xn, yn);
}

/* Sort by start, keep one symbol per start (the preferred alias: global
 * before weak before local, then the public name: "write", not "__write";
 * then the larger, then the smaller name), and record how far each prefix
 * reaches for the lookup. */
static void sym_finish(struct sym_vec *sv)
{
	size_t out = 0;

	if (sv->n == 0)
		return;
	qsort_r(sv->v, sv->n, sizeof(*sv->v), sym_cmp, sv->names);
	for (size_t i = 0; i < sv->n; i++)
		if (out == 0 || sv->v[i].start != sv->v[out - 1].start)
			sv->v[out++] = sv->v[i];
	sv->n = out;
	for (size_t i = 0; i < out; i++) {
		uintptr_t prev = i ? sv->v[i - 1].reach : 0;

		sv->v[i].reach = sv->v[i].end > prev ? sv->v[i].end : prev;
	}
}

/* The innermost symbol of `syms` (n of them, sorted) covering `a`: the
 * nearest start at or below it whose range holds it, walking back only
 * while an earlier one could reach. */
static const struct lp_sym *sym_find(const struct lp_sym *syms, size_t n,
				     uintptr_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0 && syms[i].reach > a;)
		if (a < syms[i].end)
			return &syms[i];
	return NULL;
}

/* ---- separate debug files ---- */

/* The CRC .gnu_debuglink checks: zlib's crc32, computed here so the unit
 * tests of the symbolizer need no zlib. */
static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

/* The file at `path` is the debug file of `e`: another ELF file with the
 * same build-id, or, when `e` has none, the CRC its debuglink gives. */
static bool is_debug_file_of(const struct lp_elf *e, const char *path,
			     const uint32_t *crc)
{
	char id[BUILD_ID_HEX] = "";
	struct elf_image im;
	struct stat st;
	bool ok;

	if (elf_map(path, &im, &st) != 0)
		return false;
	ok = elf_header(&im) &&
	     (st.st_dev != e->file_dev || st.st_ino != e->file_ino);
	if (ok && e->build_id[0])
		ok = elf_build_id(&im, id) && strcmp(id, e->build_id) == 0;
	else if (ok)
		ok = crc && crc32_of(im.base, im.size) == *crc;
	elf_unmap(&im);
	return ok;
}

/* Where gdb looks for the file .gnu_debuglink names: beside the object,
 * in .debug/ beside it, and under the debug root. */
static char *debuglink_file(const struct lp_elf *e, const struct elf_image *im)
{
	const ElfW(Shdr) *sh = section_named(im, ".gnu_debuglink");
	const char *link = sh ? elf_at(im, sh->sh_offset, sh->sh_size) : NULL;
	static const char *const forms[] = {"%s/%s", "%s/.debug/%s",
					    LP_DEBUG_ROOT "%s/%s"};
	char *dir, *path = NULL;
	size_t len;
	uint32_t crc;

	if (!link || sh->sh_type == SHT_NOBITS)
		return NULL;
	len = strnlen(link, sh->sh_size);
	/* name, NUL, padding to 4, the CRC; a name, not a path */
	if (len == 0 || (len + 4) / 4 * 4 + 4 > sh->sh_size ||
	    memchr(link, '/', len))
		return NULL;
	memcpy(&crc, link + (len + 4) / 4 * 4, 4);
	if (!(dir = strdup(e->path)))
		return NULL;
	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		if (asprintf(&path, forms[i], dirname(dir), link) < 0) {
			path = NULL;
			break;
		}
		if (is_debug_file_of(e, path, &crc))
			break;
		free(path);
		path = NULL;
		strcpy(dir, e->path); /* dirname may have cut it */
	}
	free(dir);
	return path;
}

/* The separate debug file of `e`: by build-id where Debian's -dbgsym
 * packages put it, else through .gnu_debuglink. NULL when none. */
static char *debug_file(const struct lp_elf *e, const struct elf_image *im)
{
	char *path;

	if (strlen(e->build_id) >= 4 &&
	    asprintf(&path, LP_DEBUG_ROOT "/.build-id/%.2s/%s.debug",
		     e->build_id, e->build_id + 2) >= 0) {
		if (is_debug_file_of(e, path, NULL))
			return path;
		free(path);
	}
	return debuglink_file(e, im);
}

/* Both kinds of symbols of one file's tables of `type`: the number of
 * tables read, -1 on OOM. */
static int add_all_symbols(struct sym_vec sv[2], const struct elf_image *im,
			   uint32_t type)
{
	int tables = add_symbols(&sv[SYM_CODE], im, type, SYM_CODE);

	if (tables >= 0 && add_symbols(&sv[SYM_DATA], im, type, SYM_DATA) < 0)
		return -1;
	return tables;
}

/* Symbols from the separate debug file of an object (none when `sv` is
 * NULL): functions into sv[SYM_CODE], data objects into sv[SYM_DATA];
 * whether its DWARF is worth opening. */
static int add_debug_symbols(struct sym_vec *sv, const char *path,
			     bool *cheap_dwarf)
{
	struct elf_image im;
	struct stat st;
	int rc = 0;

	*cheap_dwarf = false;
	if (elf_map(path, &im, &st) != 0)
		return 0;
	if (sv)
		rc = add_all_symbols(sv, &im, SHT_SYMTAB);
	*cheap_dwarf = has_cheap_dwarf(&im);
	elf_unmap(&im);
	return rc < 0 ? -1 : 0;
}

static int elf_read_loads(struct lp_elf *e, const struct elf_image *im)
{
	size_t nph;
	const ElfW(Phdr) *ph = elf_segments(im, &nph);

	if (nph == 0)
		return 0;
	e->loads = calloc(nph, sizeof(*e->loads));
	if (!e->loads)
		return -1;
	for (size_t i = 0; i < nph; i++)
		if (ph[i].p_type == PT_LOAD)
			e->loads[e->nloads++] = (struct lp_load){
				ph[i].p_offset, ph[i].p_vaddr, ph[i].p_filesz};
	return 0;
}

/* Read what mapping needs of one file: build-id, load segments, identity.
 * Its symbols are read when an address first asks for them: a dump names
 * only the objects its stacks pass through. An unreadable file yields an
 * entry with no symbols (cached too, so it is not retried on every
 * refresh); NULL only on out of memory. */
static struct lp_elf *elf_load(const char *path, uint64_t dev, uint64_t ino)
{
	struct lp_elf *e = calloc(1, sizeof(*e));
	struct elf_image im;
	struct stat st;

	if (!e)
		return NULL;
	e->key_dev = dev;
	e->key_ino = ino;
	e->syms_read = true;
	if (elf_map(path, &im, &st) != 0)
		return e;
	if (!elf_header(&im)) {
		elf_unmap(&im);
		return e;
	}
	e->file_dev = st.st_dev;
	e->file_ino = st.st_ino;
	elf_build_id(&im, e->build_id);
	e->path = strdup(path);
	if (!e->path || elf_read_loads(e, &im) < 0) {
		elf_unmap(&im);
		free(e->path);
		free(e->loads);
		free(e);
		return NULL;
	}
	elf_unmap(&im);
	e->syms_read = false;
	return e;
}

/* The function and data symbols of `e`, from .symtab (or its separate
 * debug file) and .dynsym, and where its DWARF is. The file must still be
 * the one read by elf_load. */
static void elf_read_symbols(struct lp_elf *e)
{
	struct sym_vec sv[2] = {{0}};
	struct elf_image im;
	struct stat st;
	bool own_dwarf, debug_dwarf = false;
	int tables, rc = 0;

	if (elf_map(e->path, &im, &st) != 0) {
		e->syms_read = true; /* gone: no names */
		return;
	}
	if (st.st_dev != e->file_dev || st.st_ino != e->file_ino) {
		elf_unmap(&im);
		e->syms_read = true;
		return;
	}
	tables = add_all_symbols(sv, &im, SHT_SYMTAB);
	own_dwarf = has_cheap_dwarf(&im);
	if (tables >= 0 && (tables == 0 || !own_dwarf) && !e->debug_path)
		e->debug_path = debug_file(e, &im);
	if (tables >= 0 && e->debug_path)
		rc = add_debug_symbols(tables == 0 ? sv : NULL, e->debug_path,
				       &debug_dwarf);
	if (tables >= 0 && rc >= 0)
		rc = add_all_symbols(sv, &im, SHT_DYNSYM);
	elf_unmap(&im);
	if (tables < 0 || rc < 0) {
		for (int k = SYM_CODE; k <= SYM_DATA; k++) {
			free(sv[k].v);
			free(sv[k].names);
		}
		return; /* out of memory: try again next time */
	}
	sym_finish(&sv[SYM_CODE]);
	sym_finish(&sv[SYM_DATA]);
	e->syms = sv[SYM_CODE].v;
	e->nsyms = sv[SYM_CODE].n;
	e->names = sv[SYM_CODE].names;
	e->objs = sv[SYM_DATA].v;
	e->nobjs = sv[SYM_DATA].n;
	e->obj_names = sv[SYM_DATA].names;
	e->dwarf_path = own_dwarf ? e->path : debug_dwarf ? e->debug_path : NULL;
	e->syms_read = true;
}

static void elf_free(struct lp_elf *e)
{
	lp_dwarf_close(e->dwarf);
	free(e->path);
	free(e->debug_path);
	free(e->syms);
	free(e->names);
	free(e->objs);
	free(e->obj_names);
	free(e->loads);
	free(e);
}

static struct lp_elf *elf_cached(struct lp_symbolizer *sym, const char *path,
				 uint64_t dev, uint64_t ino)
{
	struct lp_elf *e, **v;

	for (size_t i = 0; i < sym->nelves; i++)
		if (sym->elves[i]->key_dev == dev && sym->elves[i]->key_ino == ino)
			return sym->elves[i];
	v = realloc(sym->elves, (sym->nelves + 1) * sizeof(*v));
	if (!v)
		return NULL;
	sym->elves = v;
	e = elf_load(path, dev, ino);
	if (e)
		sym->elves[sym->nelves++] = e;
	return e;
}

/* ---- the process's mappings ---- */

struct map_list {
	struct lp_mapping_info *info;
	struct lp_map *map;
	size_t n, info_cap, map_cap;
};

static void maps_free(struct lp_mapping_info *info, struct lp_map *map,
		      size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(map[i].path);
	free(info);
	free(map);
}

/* Parse one /proc/self/maps line; adds it when executable. */
static int maps_line(struct map_list *ml, char *line)
{
	unsigned long start, limit, offset, ino;
	unsigned maj, min;
	char perms[5];
	int pos = 0;
	size_t len;
	char *path;

	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &limit,
		   perms, &offset, &maj, &min, &ino, &pos) < 7 ||
	    pos == 0 || strlen(perms) < 3 || perms[2] != 'x')
		return 0;
	path = line + pos;
	len = strcspn(path, "\n");
	if (len >= strlen(DELETED_SUFFIX) &&
	    memcmp(path + len - strlen(DELETED_SUFFIX), DELETED_SUFFIX,
		   strlen(DELETED_SUFFIX)) == 0)
		len -= strlen(DELETED_SUFFIX);
	if (lp_grow((void **)&ml->info, &ml->info_cap, ml->n + 1,
		 sizeof(*ml->info)) ||
	    lp_grow((void **)&ml->map, &ml->map_cap, ml->n + 1, sizeof(*ml->map)))
		return -1;
	path = strndup(path, len);
	if (!path)
		return -1;
	ml->map[ml->n] = (struct lp_map){.dev = makedev(maj, min),
					 .ino = ino,
					 .path = path};
	ml->info[ml->n++] = (struct lp_mapping_info){start, limit, offset,
						     NULL, NULL};
	return 0;
}

static int maps_read(struct map_list *ml)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f)
		return -1;
	while (rc == 0 && getline(&line, &cap, f) > 0)
		rc = maps_line(ml, line);
	free(line);
	fclose(f);
	return rc;
}

/* Whether [vaddr, vaddr+size) of an object is inside one of its PT_LOADs,
 * i.e. mapped and readable. */
static bool loaded(const struct dl_phdr_info *di, ElfW(Addr) vaddr,
		   ElfW(Xword) size)
{
	for (size_t k = 0; k < di->dlpi_phnum; k++) {
		const ElfW(Phdr) *ph = &di->dlpi_phdr[k];

		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr &&
		    size <= ph->p_filesz &&
		    vaddr - ph->p_vaddr <= ph->p_filesz - size)
			return true;
	}
	return false;
}

struct phdr_ctx {
	struct map_list *ml;
	bool first;
};

/* Give each mapping inside a loaded object its bias, the object's
 * in-memory build-id, and mark the main program (listed first). */
static int phdr_cb(struct dl_phdr_info *di, size_t size, void *arg)
{
	struct phdr_ctx *c = arg;
	char id[BUILD_ID_HEX] = "";
	bool is_main = c->first;

	(void)size;
	c->first = false;
	for (size_t k = 0; k < di->dlpi_phnum && !id[0]; k++) {
		const ElfW(Phdr) *ph = &di->dlpi_phdr[k];

		if (ph->p_type == PT_NOTE &&
		    loaded(di, ph->p_vaddr, ph->p_memsz))
			note_build_id((const unsigned char *)(di->dlpi_addr +
							      ph->p_vaddr),
				      ph->p_memsz, ph->p_align, id);
	}
	for (size_t k = 0; k < di->dlpi_phnum; k++) {
		const ElfW(Phdr) *ph = &di->dlpi_phdr[k];
		uintptr_t lo = di->dlpi_addr + ph->p_vaddr;
		uintptr_t hi = lo + ph->p_memsz;

		if (ph->p_type != PT_LOAD)
			continue;
		for (size_t i = 0; i < c->ml->n; i++) {
			struct lp_map *m = &c->ml->map[i];

			if (c->ml->info[i].start >= hi ||
			    c->ml->info[i].limit <= lo)
				continue;
			m->bias = di->dlpi_addr;
			m->has_bias = true;
			m->is_main = is_main;
			memcpy(m->build_id, id, sizeof(id));
		}
	}
	return 0;
}

/* The bias from the file's PT_LOAD holding the mapping's offset, for code
 * mapped without the dynamic loader knowing. */
static bool bias_from_file(const struct lp_elf *e,
			   const struct lp_mapping_info *mi, uintptr_t *bias)
{
	for (size_t i = 0; i < e->nloads; i++) {
		const struct lp_load *l = &e->loads[i];

		if (mi->offset < l->offset + l->filesz &&
		    mi->offset + (mi->limit - mi->start) > l->offset) {
			*bias = mi->start - l->vaddr - (mi->offset - l->offset);
			return true;
		}
	}
	return false;
}

/* Whether the cached file is the one mapped: same build-id when both are
 * known, else the same device and inode. */
static bool elf_matches(const struct lp_elf *e, const struct lp_map *m)
{
	if (e->build_id[0] && m->build_id[0])
		return strcmp(e->build_id, m->build_id) == 0;
	return e->file_dev == m->dev && e->file_ino == m->ino;
}

static int attach_file(struct lp_symbolizer *sym, struct lp_map *m,
		       const struct lp_mapping_info *mi)
{
	struct lp_elf *e;

	lp_progress_tick();
	if (m->ino == 0 || m->path[0] != '/')
		return 0;
	e = elf_cached(sym, m->path, m->dev, m->ino);
	if (!e)
		return -1;
	if (!elf_matches(e, m))
		return 0;
	if (!m->build_id[0])
		memcpy(m->build_id, e->build_id, sizeof(m->build_id));
	if (!m->has_bias)
		m->has_bias = bias_from_file(e, mi, &m->bias);
	if (m->has_bias)
		m->elf = e;
	return 0;
}

/* Stable partition: the main program's mappings first. */
static void main_first(struct map_list *ml)
{
	size_t k = 0;

	for (size_t i = 0; i < ml->n; i++) {
		struct lp_mapping_info info = ml->info[i];
		struct lp_map map = ml->map[i];

		if (!map.is_main)
			continue;
		memmove(&ml->info[k + 1], &ml->info[k],
			(i - k) * sizeof(*ml->info));
		memmove(&ml->map[k + 1], &ml->map[k], (i - k) * sizeof(*ml->map));
		ml->info[k] = info;
		ml->map[k++] = map;
	}
}

struct lp_symbolizer *lp_symbolizer_new(void)
{
	return calloc(1, sizeof(struct lp_symbolizer));
}

void lp_symbolizer_free(struct lp_symbolizer *sym)
{
	if (!sym)
		return;
	maps_free(sym->info, sym->map, sym->n);
	for (size_t i = 0; i < sym->nelves; i++)
		elf_free(sym->elves[i]);
	free(sym->elves);
	free(sym);
}

int lp_symbolizer_refresh(struct lp_symbolizer *sym)
{
	struct map_list ml = {0};
	struct phdr_ctx ctx = {&ml, true};

	if (maps_read(&ml) != 0)
		goto fail;
	dl_iterate_phdr(phdr_cb, &ctx);
	for (size_t i = 0; i < ml.n; i++)
		if (attach_file(sym, &ml.map[i], &ml.info[i]) != 0)
			goto fail;
	main_first(&ml);
	for (size_t i = 0; i < ml.n; i++) {
		ml.info[i].path = ml.map[i].path;
		ml.info[i].build_id = ml.map[i].build_id;
	}
	maps_free(sym->info, sym->map, sym->n);
	sym->info = ml.info;
	sym->map = ml.map;
	sym->n = ml.n;
	return 0;
fail:
	maps_free(ml.info, ml.map, ml.n);
	return -1;
}

size_t lp_symbolizer_mappings(const struct lp_symbolizer *sym,
			      const struct lp_mapping_info **out)
{
	*out = sym->info;
	return sym->n;
}

int lp_symbolize(struct lp_symbolizer *sym, uintptr_t addr, const char **name,
		 uintptr_t *sym_offset)
{
	*name = NULL;
	*sym_offset = 0;
	lp_progress_tick();
	for (size_t i = 0; i < sym->n; i++) {
		const struct lp_map *m = &sym->map[i];
		const struct lp_sym *s;

		if (addr < sym->info[i].start || addr >= sym->info[i].limit)
			continue;
		if (m->elf && !m->elf->syms_read)
			elf_read_symbols(m->elf);
		s = m->elf ? sym_find(m->elf->syms, m->elf->nsyms, addr - m->bias) : NULL;
		if (s) {
			*name = m->elf->names + s->name;
			*sym_offset = addr - m->bias - s->start;
		}
		return (int)i;
	}
	return -1;
}

/* The DWARF of `e`: its own file's, else its separate debug file's (see
 * MAX_COMPRESSED_DWARF for those left out). */
static void elf_open_dwarf(struct lp_elf *e)
{
	struct stat st;

	e->dwarf_tried = true;
	if (!e->dwarf_path)
		return;
	if (e->dwarf_path == e->path &&
	    (stat(e->path, &st) != 0 || st.st_dev != e->file_dev ||
	     st.st_ino != e->file_ino))
		return;
	e->dwarf = lp_dwarf_open(e->dwarf_path);
}

size_t lp_symbolize_frames(struct lp_symbolizer *sym, uintptr_t addr,
			   struct lp_dwarf_frame *out, size_t max)
{
	for (size_t i = 0; i < sym->n; i++) {
		struct lp_elf *e = sym->map[i].elf;

		if (addr < sym->info[i].start || addr >= sym->info[i].limit)
			continue;
		if (!e)
			return 0;
		if (!e->syms_read)
			elf_read_symbols(e);
		if (!e->dwarf_tried && e->syms_read)
			elf_open_dwarf(e);
		lp_progress_tick();
		if (!e->dwarf)
			return 0;
		return lp_dwarf_frames(e->dwarf, addr - sym->map[i].bias, out,
				       max);
	}
	return 0;
}

int lp_symbolize_unnamed(const struct lp_symbolizer *sym, int mi,
			 uintptr_t addr, char *buf, size_t len)
{
	const struct lp_mapping_info *info = &sym->info[mi];
	const struct lp_map *m = &sym->map[mi];
	const char *base = strrchr(m->path, '/');
	uintptr_t at = m->has_bias ? addr - m->bias
				   : addr - info->start + info->offset;

	base = base ? base + 1 : m->path;
	if (!*base)
		return 0;
	return snprintf(buf, len, m->is_main ? "[%s]+%#lx" : "%s+%#lx", base,
			(unsigned long)at);
}

/* The object whose loaded segments hold `addr`: its load bias. */
struct data_ctx {
	uintptr_t addr, bias;
	bool found;
};

static int data_cb(struct dl_phdr_info *di, size_t size, void *arg)
{
	struct data_ctx *c = arg;

	(void)size;
	for (size_t k = 0; k < di->dlpi_phnum; k++) {
		const ElfW(Phdr) *ph = &di->dlpi_phdr[k];
		uintptr_t lo = di->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && c->addr >= lo &&
		    c->addr - lo < ph->p_memsz) {
			c->bias = di->dlpi_addr;
			c->found = true;
			return 1;
		}
	}
	return 0;
}

int lp_symbolize_data(struct lp_symbolizer *sym, uintptr_t addr, char *buf,
		      size_t len)
{
	struct data_ctx c = {addr, 0, false};

	dl_iterate_phdr(data_cb, &c);
	if (!c.found)
		return 0;
	for (size_t i = 0; i < sym->n; i++) {
		const struct lp_map *m = &sym->map[i];
		const char *base = strrchr(m->path, '/');
		const struct lp_sym *s;

		if (!m->has_bias || m->bias != c.bias || !m->elf)
			continue;
		if (!m->elf->syms_read)
			elf_read_symbols(m->elf);
		s = sym_find(m->elf->objs, m->elf->nobjs, addr - c.bias);
		if (s && addr - c.bias == s->start)
			return snprintf(buf, len, "%s", m->elf->obj_names + s->name);
		if (s)
			return snprintf(buf, len, "%s+%#lx", m->elf->obj_names + s->name,
					(unsigned long)(addr - c.bias - s->start));
		base = base ? base + 1 : m->path;
		return snprintf(buf, len, m->is_main ? "[%s]+%#lx" : "%s+%#lx", base,
				(unsigned long)(addr - c.bias));
	}
	return 0;
}
