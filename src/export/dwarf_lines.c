/* SPDX-License-Identifier: MIT */
/*
 * Lines and inline frames. A CU's functions with code (subprograms and
 * inlined subroutines) are read once, the first time an address in it is
 * asked for, into a table of address segments each naming its innermost
 * function; a lookup is then two binary searches and a walk up the chain
 * of inlined calls, names read once per function.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <libelf.h>

#include "dwarf_lines.h"
#include "base/grow.h"
#include "base/hashtab.h"
#include "base/progress.h"

/* A relative source name joined with its compilation directory, kept for
 * the life of the handle and found again by the two libdw strings (stable
 * while the handle is open), so repeated dumps allocate nothing new. */
struct joined {
	const char *dir, *file;
	char *path;
};

/* A function with code in a CU: a subprogram (an out-of-line function) or
 * an inlined subroutine (a call inlined into its parent). */
struct scope {
	Dwarf_Off die;
	int32_t parent;        /* the scope it is inlined into; -1: none */
	bool resolved;         /* the fields below were read */
	const char *name;
	const char *call_file; /* where the parent calls it */
	int call_line;
};

#define NO_SCOPE UINT32_MAX

/* [lo, the next segment's lo) is code of `scope`, innermost; NO_SCOPE
 * for a gap (and the end). */
struct segment {
	uint64_t lo;
	uint32_t scope;
};

struct cu_scopes {
	Dwarf_Off cu;
	struct scope *scopes;
	struct segment *segs;
	size_t nsegs;
};

struct lp_dwarf {
	Dwarf *dw;
	struct joined *joined; /* made so far, indexed by joined_index */
	size_t njoined, joined_cap;
	struct lp_hashtab joined_index;
	struct cu_scopes *cus; /* by CU offset, those read so far */
	size_t ncus, cus_cap;
	char **names;          /* qualified names made (qualified_name) */
	size_t nnames, names_cap;
};

/* The few libdw functions used, found once. */
static struct {
	__typeof__(dwarf_begin) *begin;
	__typeof__(dwarf_end) *end;
	__typeof__(dwarf_addrdie) *addrdie;
	__typeof__(dwarf_getsrc_die) *getsrc_die;
	__typeof__(dwarf_linesrc) *linesrc;
	__typeof__(dwarf_lineno) *lineno;
	__typeof__(dwarf_attr) *attr;
	__typeof__(dwarf_formstring) *formstring;
	__typeof__(dwarf_getelf) *getelf;
	__typeof__(dwarf_attr_integrate) *attr_integrate;
	__typeof__(dwarf_formudata) *formudata;
	__typeof__(dwarf_child) *child;
	__typeof__(dwarf_siblingof) *siblingof;
	__typeof__(dwarf_tag) *tag;
	__typeof__(dwarf_ranges) *ranges;
	__typeof__(dwarf_dieoffset) *dieoffset;
	__typeof__(dwarf_offdie) *offdie;
	__typeof__(dwarf_getsrcfiles) *getsrcfiles;
	__typeof__(dwarf_filesrc) *filesrc;
	__typeof__(dwarf_formref_die) *formref_die;
	__typeof__(dwarf_diecu) *diecu;
	__typeof__(dwarf_srclang) *srclang;
	int (*elf_cntl)(Elf *, Elf_Cmd); /* libelf's, a dependency of libdw */
} dw;
static pthread_once_t dw_once = PTHREAD_ONCE_INIT;
static int dw_ok;

static void dw_load(void)
{
	void *h = dlopen("libdw.so.1", RTLD_LAZY | RTLD_LOCAL);

	if (!h)
		return;
	*(void **)&dw.begin = dlsym(h, "dwarf_begin");
	*(void **)&dw.end = dlsym(h, "dwarf_end");
	*(void **)&dw.addrdie = dlsym(h, "dwarf_addrdie");
	*(void **)&dw.getsrc_die = dlsym(h, "dwarf_getsrc_die");
	*(void **)&dw.linesrc = dlsym(h, "dwarf_linesrc");
	*(void **)&dw.lineno = dlsym(h, "dwarf_lineno");
	*(void **)&dw.attr = dlsym(h, "dwarf_attr");
	*(void **)&dw.formstring = dlsym(h, "dwarf_formstring");
	*(void **)&dw.getelf = dlsym(h, "dwarf_getelf");
	*(void **)&dw.attr_integrate = dlsym(h, "dwarf_attr_integrate");
	*(void **)&dw.formudata = dlsym(h, "dwarf_formudata");
	*(void **)&dw.child = dlsym(h, "dwarf_child");
	*(void **)&dw.siblingof = dlsym(h, "dwarf_siblingof");
	*(void **)&dw.tag = dlsym(h, "dwarf_tag");
	*(void **)&dw.ranges = dlsym(h, "dwarf_ranges");
	*(void **)&dw.dieoffset = dlsym(h, "dwarf_dieoffset");
	*(void **)&dw.offdie = dlsym(h, "dwarf_offdie");
	*(void **)&dw.getsrcfiles = dlsym(h, "dwarf_getsrcfiles");
	*(void **)&dw.filesrc = dlsym(h, "dwarf_filesrc");
	*(void **)&dw.formref_die = dlsym(h, "dwarf_formref_die");
	*(void **)&dw.diecu = dlsym(h, "dwarf_diecu");
	*(void **)&dw.srclang = dlsym(h, "dwarf_srclang");
	*(void **)&dw.elf_cntl = dlsym(h, "elf_cntl");
	dw_ok = dw.begin && dw.end && dw.addrdie && dw.getsrc_die &&
		dw.linesrc && dw.lineno && dw.attr && dw.formstring &&
		dw.getelf && dw.attr_integrate && dw.formudata && dw.child &&
		dw.siblingof && dw.tag && dw.ranges && dw.dieoffset &&
		dw.offdie && dw.getsrcfiles && dw.filesrc && dw.formref_die &&
		dw.diecu && dw.srclang && dw.elf_cntl;
}

struct lp_dwarf *lp_dwarf_open(const char *path)
{
	struct lp_dwarf *d;
	int fd;

	pthread_once(&dw_once, dw_load);
	if (!dw_ok || !(d = malloc(sizeof(*d))))
		return NULL;
	*d = (struct lp_dwarf){0};
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait */
	d->dw = fd >= 0 ? dw.begin(fd, DWARF_C_READ) : NULL;
	/* The handle lives from dump to dump: it must not keep a descriptor,
	 * which a program that closes every descriptor would take back and
	 * libdw would then read from. FDDONE has libelf read (or keep
	 * mapped) all it needs now. */
	if (d->dw && dw.elf_cntl(dw.getelf(d->dw), ELF_C_FDDONE) != 0) {
		dw.end(d->dw);
		d->dw = NULL;
	}
	if (fd >= 0)
		close(fd);
	if (!d->dw) {
		free(d);
		return NULL;
	}
	return d;
}

void lp_dwarf_close(struct lp_dwarf *d)
{
	if (!d)
		return;
	dw.end(d->dw);
	for (size_t i = 0; i < d->njoined; i++)
		free(d->joined[i].path);
	free(d->joined);
	lp_hashtab_free(&d->joined_index);
	for (size_t i = 0; i < d->ncus; i++) {
		free(d->cus[i].scopes);
		free(d->cus[i].segs);
	}
	free(d->cus);
	for (size_t i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	free(d);
}

struct joined_key {
	const struct lp_dwarf *d;
	const char *dir, *file;
};

static bool joined_is(const void *ctx, uint32_t i)
{
	const struct joined_key *k = ctx;

	return k->d->joined[i].dir == k->dir && k->d->joined[i].file == k->file;
}

/* dir/file, made once per pair; `file` itself when that fails. */
static const char *join(struct lp_dwarf *d, const char *dir, const char *file)
{
	struct joined_key k = {d, dir, file};
	uint64_t h = lp_hash_word(lp_hash_word(LP_HASH_SEED, (uintptr_t)dir),
				  (uintptr_t)file);
	uint32_t i = lp_hashtab_find(&d->joined_index, h, joined_is, &k);
	char *path;

	if (i != LP_HASHTAB_NONE)
		return d->joined[i].path;
	if (lp_grow((void **)&d->joined, &d->joined_cap, d->njoined + 1,
		    sizeof(*d->joined)) ||
	    asprintf(&path, "%s/%s", dir, file) < 0)
		return file;
	if (lp_hashtab_add(&d->joined_index, h, (uint32_t)d->njoined)) {
		free(path);
		return file;
	}
	d->joined[d->njoined++] = (struct joined){dir, file, path};
	return path;
}

/* A file name of the CU, absolute when its compilation directory is:
 * pprof's list finds the source by the absolute name. */
static const char *cu_file(struct lp_dwarf *d, Dwarf_Die *cu, const char *file)
{
	Dwarf_Attribute a;
	const char *dir;

	if (!file || *file == '/')
		return file;
	dir = dw.formstring(dw.attr(cu, DW_AT_comp_dir, &a));
	return dir && *dir == '/' ? join(d, dir, file) : file;
}

/* ---- reading a CU's functions ---- */

/* An address range of a scope; `depth` orders a parent before its child
 * where both start at one address. */
struct piece {
	uint64_t lo, hi;
	uint32_t scope, depth;
};

struct cu_reader {
	struct scope *scopes;
	size_t nscopes, scopes_cap;
	struct piece *pieces;
	size_t npieces, pieces_cap;
};

/* DWARF nests scopes deeper than this only when corrupt; the walk
 * recurses, on whatever thread dumps (lockprof_dump: the program's). */
#define MAX_NESTING 64

/* Record a function DIE with code and its ranges. Returns 1, 0 when it has
 * no code (a declaration, an abstract instance), -1 when out of memory. */
static int add_scope(struct cu_reader *r, Dwarf_Die *die, int32_t parent,
		     uint32_t depth)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	size_t first = r->npieces;

	/* Functions dropped by the linker keep address 0 in some DWARF:
	 * never code in a loaded object (its headers are there). */
	while ((off = dw.ranges(die, off, &base, &lo, &hi)) > 0) {
		if (lo == 0 || hi <= lo)
			continue;
		if (lp_grow((void **)&r->pieces, &r->pieces_cap, r->npieces + 1,
			    sizeof(*r->pieces)))
			return -1;
		r->pieces[r->npieces++] =
			(struct piece){lo, hi, (uint32_t)r->nscopes, depth};
	}
	if (r->npieces == first)
		return 0;
	if (lp_grow((void **)&r->scopes, &r->scopes_cap, r->nscopes + 1,
		    sizeof(*r->scopes)))
		return -1;
	r->scopes[r->nscopes++] = (struct scope){.die = dw.dieoffset(die),
						 .parent = parent};
	return 1;
}

/* Walk the children of `die`: functions with code, and what can hold them
 * (namespaces, blocks, the functions themselves). Types are skipped:
 * compilers put member functions' code outside the class. */
static int read_children(struct cu_reader *r, Dwarf_Die *die, int32_t parent,
			 uint32_t depth)
{
	Dwarf_Die c;

	if (depth > MAX_NESTING || dw.child(die, &c) != 0)
		return 0;
	do {
		int tag = dw.tag(&c), rc;
		int32_t inner = parent;

		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
			rc = add_scope(r, &c,
				       tag == DW_TAG_subprogram ? -1 : parent,
				       depth);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
			inner = (int32_t)r->nscopes - 1;
			lp_progress_tick();
		} else if (tag != DW_TAG_lexical_block &&
			   tag != DW_TAG_namespace) {
			continue;
		}
		if (read_children(r, &c, inner, depth + 1) < 0)
			return -1;
	} while (dw.siblingof(&c, &c) == 0);
	return 0;
}

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int seg_push(struct cu_scopes *c, size_t *cap, uint64_t lo,
		    uint32_t scope)
{
	if (c->nsegs && c->segs[c->nsegs - 1].scope == scope)
		return 0;
	if (lp_grow((void **)&c->segs, cap, c->nsegs + 1, sizeof(*c->segs)))
		return -1;
	c->segs[c->nsegs++] = (struct segment){lo, scope};
	return 0;
}

/* Close the innermost open range: the code up to its end is its own. */
static int close_piece(struct cu_scopes *c, size_t *cap, const struct piece *p,
		       uint64_t *cur)
{
	int rc = 0;

	if (*cur < p->hi) {
		rc = seg_push(c, cap, *cur, p->scope);
		*cur = p->hi;
	}
	return rc;
}

/*
 * Flatten the nested ranges into segments, each of its innermost scope: a
 * sweep in address order with the open ranges on a stack. A range that
 * would overlap its enclosing one without nesting (corrupt DWARF) is cut
 * at the enclosing one's end.
 */
static int flatten(struct cu_reader *r, struct cu_scopes *c)
{
	struct piece *open = malloc((r->npieces + 1) * sizeof(*open));
	size_t top = 0, cap = 0;
	uint64_t cur = 0;
	int rc = 0;

	if (!open)
		return -1;
	qsort(r->pieces, r->npieces, sizeof(*r->pieces), piece_cmp);
	for (size_t i = 0; i < r->npieces && rc == 0; i++) {
		struct piece p = r->pieces[i];

		while (top && open[top - 1].hi <= p.lo && rc == 0)
			rc = close_piece(c, &cap, &open[--top], &cur);
		if (top && p.hi > open[top - 1].hi)
			p.hi = open[top - 1].hi;
		if (cur < p.lo && rc == 0)
			rc = seg_push(c, &cap, cur,
				      top ? open[top - 1].scope : NO_SCOPE);
		cur = p.lo;
		if (p.lo < p.hi)
			open[top++] = p;
	}
	while (top && rc == 0)
		rc = close_piece(c, &cap, &open[--top], &cur);
	if (rc == 0)
		rc = seg_push(c, &cap, cur, NO_SCOPE);
	free(open);
	return rc;
}

/* The scopes of the CU `cu`, read on first use; NULL when out of memory. */
static struct cu_scopes *cu_scopes(struct lp_dwarf *d, Dwarf_Die *cu)
{
	Dwarf_Off key = dw.dieoffset(cu);
	size_t lo = 0, hi = d->ncus;
	struct cu_reader r = {0};
	struct cu_scopes c = {.cu = key};

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->cus[mid].cu < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->ncus && d->cus[lo].cu == key)
		return &d->cus[lo];
	if (read_children(&r, cu, -1, 0) != 0 || flatten(&r, &c) != 0 ||
	    lp_grow((void **)&d->cus, &d->cus_cap, d->ncus + 1,
		    sizeof(*d->cus))) {
		free(r.scopes);
		free(r.pieces);
		free(c.segs);
		return NULL;
	}
	free(r.pieces);
	c.scopes = r.scopes;
	memmove(&d->cus[lo + 1], &d->cus[lo], (d->ncus - lo) * sizeof(*d->cus));
	d->cus[lo] = c;
	d->ncus++;
	return &d->cus[lo];
}

/* The innermost scope holding `addr`, or NO_SCOPE. */
static uint32_t scope_at(const struct cu_scopes *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->segs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? c->segs[lo - 1].scope : NO_SCOPE;
}

/* ---- names and lines ---- */

/* The DIE that declares a function, inside its class and namespaces:
 * through the abstract origin and the specification. */
static bool declaration(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	*out = *die;
	for (int hops = 0; hops < 4; hops++) {
		if (!dw.attr(out, DW_AT_abstract_origin, &a) &&
		    !dw.attr(out, DW_AT_specification, &a))
			return true;
		if (!dw.formref_die(&a, out))
			return false;
	}
	return true;
}

#define MAX_QUALIFIERS 32

/* The DIEs enclosing `target` in its CU, outermost first: down from the
 * CU, skipping every sibling whose subtree ends before it (siblingof jumps
 * by DW_AT_sibling). Returns how many, -1 when not found. */
static int enclosing(Dwarf_Die *cu, Dwarf_Off target, Dwarf_Die *out, int max)
{
	Dwarf_Die cur = *cu, c, next;
	int n = 0;

	while (n < max && dw.child(&cur, &c) == 0) {
		for (;;) {
			if (dw.dieoffset(&c) == target)
				return n;
			if (dw.siblingof(&c, &next) != 0 ||
			    dw.dieoffset(&next) > target)
				break;
			c = next;
		}
		cur = out[n++] = c;
	}
	return -1;
}

/* `name` with the namespaces, classes and functions around its C++
 * declaration ("main::operator()"); `name` itself when none, for C, or out
 * of memory. */
static const char *qualified_name(struct lp_dwarf *d, Dwarf_Die *die,
				  const char *name)
{
	Dwarf_Die decl, cu, scopes[MAX_QUALIFIERS];
	int lang, n;
	char *q = NULL;
	size_t len = 0;
	FILE *f;

	if (!declaration(die, &decl) || !dw.diecu(&decl, &cu, NULL, NULL))
		return name;
	lang = dw.srclang(&cu);
	if (lang != DW_LANG_C_plus_plus && lang != DW_LANG_C_plus_plus_03 &&
	    lang != DW_LANG_C_plus_plus_11 && lang != DW_LANG_C_plus_plus_14)
		return name;
	n = enclosing(&cu, dw.dieoffset(&decl), scopes, MAX_QUALIFIERS);
	if (n <= 0 ||
	    lp_grow((void **)&d->names, &d->names_cap, d->nnames + 1,
		    sizeof(*d->names)) ||
	    !(f = open_memstream(&q, &len)))
		return name;
	for (int i = 0; i < n; i++) {
		Dwarf_Attribute a;
		const char *s = dw.formstring(
			dw.attr_integrate(&scopes[i], DW_AT_name, &a));
		int tag = dw.tag(&scopes[i]);

		if (!s && tag == DW_TAG_namespace)
			s = "(anonymous namespace)";
		/* A class without a name holding a function is, but for
		 * rare code, a lambda's closure ("{lambda()#1}" demangled) */
		if (!s && (tag == DW_TAG_class_type ||
			   tag == DW_TAG_structure_type))
			s = "{lambda}";
		if (s && (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
			  tag == DW_TAG_structure_type ||
			  tag == DW_TAG_union_type || tag == DW_TAG_subprogram))
			fprintf(f, "%s::", s);
	}
	fputs(name, f);
	if (fclose(f) != 0 || !q) {
		free(q);
		return name;
	}
	return d->names[d->nnames++] = q;
}

/* As the ELF symbol would be: the linkage name, through the abstract
 * origin and the declaration; else the DWARF name with its scopes (C, and
 * C++ lambdas and some template instances, which have no linkage name). */
static const char *die_name(struct lp_dwarf *d, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *s;

	s = dw.formstring(dw.attr_integrate(die, DW_AT_linkage_name, &a));
	if (!s)
		s = dw.formstring(dw.attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	if (s)
		return s;
	s = dw.formstring(dw.attr_integrate(die, DW_AT_name, &a));
	return s ? qualified_name(d, die, s) : NULL;
}

/* Entry `i` of the CU's file table. */
static const char *cu_file_at(struct lp_dwarf *d, Dwarf_Die *cu, Dwarf_Word i)
{
	Dwarf_Files *files;
	size_t n;

	if (dw.getsrcfiles(cu, &files, &n) != 0 || i >= n)
		return NULL;
	return cu_file(d, cu, dw.filesrc(files, i, NULL, NULL));
}

static struct scope *scope_read(struct lp_dwarf *d, Dwarf_Die *cu,
				struct scope *s)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Die die;

	if (s->resolved)
		return s;
	s->resolved = true;
	if (!dw.offdie(d->dw, s->die, &die))
		return s;
	s->name = die_name(d, &die);
	if (dw.formudata(dw.attr(&die, DW_AT_call_line, &a), &w) == 0 &&
	    w <= INT32_MAX)
		s->call_line = (int)w;
	if (dw.formudata(dw.attr(&die, DW_AT_call_file, &a), &w) == 0)
		s->call_file = cu_file_at(d, cu, w);
	return s;
}

size_t lp_dwarf_frames(struct lp_dwarf *d, uint64_t addr,
		       struct lp_dwarf_frame *out, size_t max)
{
	struct cu_scopes *c;
	Dwarf_Line *l;
	Dwarf_Die cu;
	uint32_t s;
	size_t n = 0;

	if (max == 0 || !dw.addrdie(d->dw, addr, &cu))
		return 0;
	out[0] = (struct lp_dwarf_frame){0};
	if ((l = dw.getsrc_die(&cu, addr)) && dw.lineno(l, &out[0].line) == 0 &&
	    out[0].line > 0)
		out[0].file = cu_file(d, &cu, dw.linesrc(l, NULL, NULL));
	if (!out[0].file)
		out[0].line = 0;
	c = cu_scopes(d, &cu);
	for (s = c ? scope_at(c, addr) : NO_SCOPE; s != NO_SCOPE && n < max;) {
		struct scope *sc = scope_read(d, &cu, &c->scopes[s]);

		out[n++].name = sc->name;
		if (sc->parent < 0)
			break;
		s = (uint32_t)sc->parent;
		if (n == max - 1) /* too deep: the outer function last */
			while (c->scopes[s].parent >= 0)
				s = (uint32_t)c->scopes[s].parent;
		if (n < max)
			out[n] = (struct lp_dwarf_frame){NULL, sc->call_file,
							 sc->call_line};
	}
	return n ? n : out[0].file != NULL;
}
