/*
 * The pprof encoder. A builder interns strings, functions and locations in
 * hash tables as the records are walked (heaviest first, as Go sorts them),
 * then the tables are laid out as protobuf-c messages, packed and gzipped.
 * The text form walks the same way and prints from the same location table.
 */
#include "base/grow.h"
#include "pprof_encode.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

/* Addresses of the pseudo-frames' locations: below any mapped code, and
 * distinct so that tools keying on addresses keep them apart. */
#define TRUNCATED_ADDR 1
#define OVERFLOW_ADDR 2

/* ---- a hash index: maps a 64-bit hash to entry indexes of some array ---- */

struct hslot {
	uint64_t hash;
	uint32_t idx1; /* entry index + 1; 0 = empty */
};

struct htab {
	struct hslot *slot;
	size_t cap, n; /* cap is a power of two */
};

typedef bool (*htab_eq)(const void *ctx, uint32_t idx);

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* The slot holding the entry equal to ctx, or the empty slot for it. */
static struct hslot *htab_find(const struct htab *h, uint64_t hash,
			       htab_eq eq, const void *ctx)
{
	for (size_t i = hash & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		struct hslot *s = &h->slot[i];

		if (!s->idx1 || (s->hash == hash && eq(ctx, s->idx1 - 1)))
			return s;
	}
}

/* Make room for one more entry (load factor at most 1/2). */
static int htab_reserve(struct htab *h)
{
	struct hslot *old = h->slot;
	size_t oldcap = h->cap, cap = oldcap ? oldcap * 2 : 64;

	if (2 * (h->n + 1) <= oldcap)
		return 0;
	h->slot = calloc(cap, sizeof(*h->slot));
	if (!h->slot) {
		h->slot = old;
		return -1;
	}
	h->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t k = old[i].hash & (cap - 1);

		if (!old[i].idx1)
			continue;
		while (h->slot[k].idx1)
			k = (k + 1) & (cap - 1);
		h->slot[k] = old[i];
	}
	free(old);
	return 0;
}

/* ---- the builder ---- */

/* A Line of a location: one function of the inline chain at an address. */
struct loc_line {
	uint64_t function; /* function id */
	const char *file;  /* source file, NULL when unknown */
	int line;          /* source line, 0 when unknown */
};

struct loc {
	uint64_t addr;     /* return address minus 1, or a pseudo address */
	uint64_t mapping;  /* mapping id, 0 for none */
	uintptr_t offset;  /* from the function's start */
	bool named;        /* by a symbol or DWARF: not module+offset */
	uint32_t line0, nline; /* its lines in builder.line, innermost first */
};

/* Inline frames kept per address. */
#define MAX_FRAMES 32

struct builder {
	struct lp_symbolizer *sym;
	const struct lp_mapping_info *maps;
	size_t nmaps;
	bool *map_used, *map_unnamed, *map_unlined;

	const char **str; /* borrowed: the symbolizer's, the snapshot's,
			   * or literals; all outlive the builder */
	uint64_t *str_fn; /* function id named by each string, 0 for none */
	size_t nstr, str_cap, str_fn_cap;
	struct htab str_h;

	uint64_t *fn_name; /* string index of function id i+1 */
	const char **fn_file; /* its source file (the first seen), or NULL */
	size_t nfn, fn_cap, fn_file_cap;

	struct loc *loc; /* location id i+1 */
	size_t nloc, loc_cap;
	struct htab loc_h;

	struct loc_line *line;
	size_t nline, line_cap;
	char **owned; /* module+offset names, freed with the builder */
	size_t nowned, owned_cap;
};

static bool str_eq(const void *ctx, uint32_t idx)
{
	const struct builder *b = ((const void *const *)ctx)[0];
	const char *s = ((const void *const *)ctx)[1];

	return strcmp(b->str[idx], s) == 0;
}

/* The string table index of s (added if new), or -1 on OOM. */
static int64_t str_intern(struct builder *b, const char *s)
{
	const void *ctx[2] = {b, s};
	uint64_t hash = str_hash(s);
	struct hslot *slot;

	if (htab_reserve(&b->str_h) ||
	    lp_grow((void **)&b->str, &b->str_cap, b->nstr + 1, sizeof(*b->str)) ||
	    lp_grow((void **)&b->str_fn, &b->str_fn_cap, b->nstr + 1,
		 sizeof(*b->str_fn)))
		return -1;
	slot = htab_find(&b->str_h, hash, str_eq, ctx);
	if (slot->idx1)
		return slot->idx1 - 1;
	b->str[b->nstr] = s;
	b->str_fn[b->nstr] = 0;
	*slot = (struct hslot){hash, (uint32_t)++b->nstr};
	b->str_h.n++;
	return (int64_t)b->nstr - 1;
}

/* The id of the function named s (added if new), or 0 on OOM. */
static uint64_t fn_intern(struct builder *b, const char *s)
{
	int64_t si = str_intern(b, s);

	if (si < 0)
		return 0;
	if (b->str_fn[si])
		return b->str_fn[si];
	if (lp_grow((void **)&b->fn_name, &b->fn_cap, b->nfn + 1,
		 sizeof(*b->fn_name)) ||
	    lp_grow((void **)&b->fn_file, &b->fn_file_cap, b->nfn + 1,
		 sizeof(*b->fn_file)))
		return 0;
	b->fn_file[b->nfn] = NULL;
	b->fn_name[b->nfn++] = (uint64_t)si;
	return b->str_fn[si] = b->nfn;
}

static bool loc_eq(const void *ctx, uint32_t idx)
{
	const struct builder *b = ((const void *const *)ctx)[0];
	const uint64_t *addr = ((const void *const *)ctx)[1];

	return b->loc[idx].addr == *addr;
}

/* The module+offset name of an address no symbol names, kept by the
 * builder: *name is NULL for anonymous code. Returns -1 on OOM. */
static int unnamed(struct builder *b, int mi, uint64_t addr, const char **name)
{
	char buf[512];
	int n = lp_symbolize_unnamed(b->sym, mi, (uintptr_t)addr, buf,
				     sizeof(buf));

	*name = NULL;
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return 0;
	if (lp_grow((void **)&b->owned, &b->owned_cap, b->nowned + 1,
		    sizeof(*b->owned)) ||
	    !(b->owned[b->nowned] = strdup(buf)))
		return -1;
	*name = b->owned[b->nowned++];
	return 0;
}

/* Add the lines of a location, innermost first; frames the DWARF does not
 * name are left out. */
static int loc_lines(struct builder *b, struct loc *l,
		     const struct lp_dwarf_frame *f, size_t n)
{
	l->line0 = (uint32_t)b->nline;
	for (size_t i = 0; i < n; i++) {
		uint64_t fn;

		if (!f[i].name)
			continue;
		if (lp_grow((void **)&b->line, &b->line_cap, b->nline + 1,
			    sizeof(*b->line)) ||
		    !(fn = fn_intern(b, f[i].name)))
			return -1;
		if (f[i].file && !b->fn_file[fn - 1])
			b->fn_file[fn - 1] = f[i].file;
		b->line[b->nline++] = (struct loc_line){fn, f[i].file, f[i].line};
	}
	l->nline = (uint32_t)b->nline - l->line0;
	return 0;
}

/*
 * Fill a new location: symbolize it, or name it after its pseudo-frame.
 * The functions inlined at the address come from DWARF; the function the
 * code is in keeps its symbol's name (a clone's "f.constprop.0"), else
 * DWARF's, else module+offset.
 */
static int loc_fill(struct builder *b, struct loc *l, const char *pseudo)
{
	struct lp_dwarf_frame f[MAX_FRAMES];
	const char *name = pseudo;
	size_t n = 0;
	int mi = -1;

	if (!pseudo)
		mi = lp_symbolize(b->sym, (uintptr_t)l->addr, &name, &l->offset);
	if (mi >= 0)
		n = lp_symbolize_frames(b->sym, (uintptr_t)l->addr, f, MAX_FRAMES);
	if (n == 0)
		f[n++] = (struct lp_dwarf_frame){NULL, NULL, 0};
	if (name)
		f[n - 1].name = name;
	l->named = f[n - 1].name != NULL;
	if (!l->named && mi >= 0 && unnamed(b, mi, l->addr, &f[n - 1].name))
		return -1;
	if (mi >= 0 && (size_t)mi < b->nmaps) {
		l->mapping = (uint64_t)mi + 1;
		b->map_used[mi] = true;
		b->map_unnamed[mi] |= !l->named;
		b->map_unlined[mi] |= !f[0].line;
	}
	return loc_lines(b, l, f, n);
}

/* The location of addr, created on first use; NULL on OOM. `pseudo` names
 * the pseudo-frame of a pseudo address, NULL for code addresses. */
static const struct loc *loc_intern(struct builder *b, uint64_t addr,
				    const char *pseudo)
{
	const void *ctx[2] = {b, &addr};
	uint64_t hash = mix64(addr);
	struct hslot *slot;
	struct loc *l;

	if (htab_reserve(&b->loc_h) ||
	    lp_grow((void **)&b->loc, &b->loc_cap, b->nloc + 1, sizeof(*b->loc)))
		return NULL;
	slot = htab_find(&b->loc_h, hash, loc_eq, ctx);
	if (slot->idx1)
		return &b->loc[slot->idx1 - 1];
	l = &b->loc[b->nloc];
	*l = (struct loc){.addr = addr};
	if (loc_fill(b, l, pseudo))
		return NULL;
	*slot = (struct hslot){hash, (uint32_t)++b->nloc};
	b->loc_h.n++;
	return l;
}

static int builder_init(struct builder *b, struct lp_symbolizer *sym)
{
	*b = (struct builder){.sym = sym};
	b->nmaps = lp_symbolizer_mappings(sym, &b->maps);
	b->map_used = calloc(b->nmaps + 1, sizeof(bool));
	b->map_unnamed = calloc(b->nmaps + 1, sizeof(bool));
	b->map_unlined = calloc(b->nmaps + 1, sizeof(bool));
	if (!b->map_used || !b->map_unnamed || !b->map_unlined ||
	    str_intern(b, "") != 0)
		return -1;
	return 0;
}

static void builder_free(struct builder *b)
{
	free(b->map_used);
	free(b->map_unnamed);
	free(b->map_unlined);
	free(b->str);
	free(b->str_fn);
	free(b->str_h.slot);
	free(b->fn_name);
	free(b->fn_file);
	free(b->loc);
	free(b->loc_h.slot);
	free(b->line);
	for (size_t i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	free(b->owned);
}

/* How many frames a record has once pseudo-frames are added. */
static size_t record_frames(const struct lp_record *r)
{
	if (r->flags & LP_STACK_OVERFLOW)
		return 1;
	return r->depth + !!(r->flags & LP_STACK_TRUNCATED);
}

/* Frame i (leaf first) of a record, with pseudo-frames on the root side. */
static const struct loc *record_frame(struct builder *b,
				      const struct lp_record *r, size_t i)
{
	if (r->flags & LP_STACK_OVERFLOW)
		return loc_intern(b, OVERFLOW_ADDR, LP_FRAME_OVERFLOW);
	if (i == r->depth)
		return loc_intern(b, TRUNCATED_ADDR, LP_FRAME_TRUNCATED);
	return loc_intern(b, (uint64_t)r->pcs[i] - 1, NULL);
}

static bool record_empty(const struct lp_record *r)
{
	return lp_record_contentions(r) == 0 && r->delay_ns == 0;
}

static int heavier_first(const void *a, const void *b)
{
	const struct lp_record *x = *(const struct lp_record *const *)a;
	const struct lp_record *y = *(const struct lp_record *const *)b;

	if (x->delay_ns != y->delay_ns)
		return x->delay_ns > y->delay_ns ? -1 : 1;
	if (x->contentions_fx != y->contentions_fx)
		return x->contentions_fx > y->contentions_fx ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The non-empty records, heaviest first as Go sorts them. */
static const struct lp_record **sorted_records(const struct lp_snapshot *s,
					       size_t *n)
{
	const struct lp_record **v = malloc((s->n + 1) * sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!record_empty(&s->records[i]))
			v[(*n)++] = &s->records[i];
	qsort(v, *n, sizeof(*v), heavier_first);
	return v;
}

/* ---- the protobuf form ---- */

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;

/* Everything the Profile message points into, freed together. */
struct pb_parts {
	PbValueType vt[3], *vtp[2];
	PbSample *smp, **smpp;
	uint64_t *ids;
	int64_t *vals;
	PbMapping *map, **mapp;
	PbLocation *loc, **locp;
	PbLine *line, **linep;
	PbFunction *fn, **fnp;
	char comment[96];      /* "lockprof kind=... [root=... start=...]" */
	int64_t comment_ix[1];
};

static void pb_parts_free(struct pb_parts *pp)
{
	free(pp->smp);
	free(pp->smpp);
	free(pp->ids);
	free(pp->vals);
	free(pp->map);
	free(pp->mapp);
	free(pp->loc);
	free(pp->locp);
	free(pp->line);
	free(pp->linep);
	free(pp->fn);
	free(pp->fnp);
}

static int value_type(struct builder *b, PbValueType *vt, const char *type,
		      const char *unit)
{
	int64_t t = str_intern(b, type), u = str_intern(b, unit);

	perftools__profiles__value_type__init(vt);
	vt->type = t;
	vt->unit = u;
	return t < 0 || u < 0 ? -1 : 0;
}

/* Samples, interning their locations. */
static int pb_samples(struct builder *b, struct pb_parts *pp,
		      const struct lp_record **recs, size_t n)
{
	size_t nids = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		nids += record_frames(recs[i]);
	pp->smp = calloc(n + 1, sizeof(*pp->smp));
	pp->smpp = calloc(n + 1, sizeof(*pp->smpp));
	pp->ids = calloc(nids + 1, sizeof(*pp->ids));
	pp->vals = calloc(2 * n + 1, sizeof(*pp->vals));
	if (!pp->smp || !pp->smpp || !pp->ids || !pp->vals)
		return -1;
	for (size_t i = 0; i < n; i++) {
		PbSample *s = &pp->smp[i];

		perftools__profiles__sample__init(s);
		s->location_id = &pp->ids[k];
		s->n_location_id = record_frames(recs[i]);
		for (size_t f = 0; f < s->n_location_id; f++) {
			const struct loc *l = record_frame(b, recs[i], f);

			if (!l)
				return -1;
			pp->ids[k++] = (uint64_t)(l - b->loc) + 1;
		}
		s->value = &pp->vals[2 * i];
		s->n_value = 2;
		s->value[0] = lp_record_contentions(recs[i]);
		s->value[1] = recs[i]->delay_ns;
		pp->smpp[i] = s;
	}
	return 0;
}

/* All executable mappings, so that ids and the main binary stay the same
 * from one snapshot to the next; has_functions as Go sets it: only for a
 * mapping whose referenced addresses were all named. */
static int pb_mappings(struct builder *b, struct pb_parts *pp)
{
	pp->map = calloc(b->nmaps + 1, sizeof(*pp->map));
	pp->mapp = calloc(b->nmaps + 1, sizeof(*pp->mapp));
	if (!pp->map || !pp->mapp)
		return -1;
	for (size_t i = 0; i < b->nmaps; i++) {
		const struct lp_mapping_info *mi = &b->maps[i];
		PbMapping *m = &pp->map[i];

		perftools__profiles__mapping__init(m);
		m->id = i + 1;
		m->memory_start = mi->start;
		m->memory_limit = mi->limit;
		m->file_offset = mi->offset;
		m->filename = str_intern(b, mi->path);
		m->build_id = str_intern(b, mi->build_id);
		m->has_functions = b->map_used[i] && !b->map_unnamed[i];
		/* Lines for every address used: pprof -lines and list use them
		 * as they are, as with Go's profiles. */
		m->has_filenames = m->has_line_numbers = m->has_inline_frames =
			m->has_functions && !b->map_unlined[i];
		if (m->filename < 0 || m->build_id < 0)
			return -1;
		pp->mapp[i] = m;
	}
	return 0;
}

static int pb_locations(struct builder *b, struct pb_parts *pp)
{
	pp->loc = calloc(b->nloc + 1, sizeof(*pp->loc));
	pp->locp = calloc(b->nloc + 1, sizeof(*pp->locp));
	pp->line = calloc(b->nline + 1, sizeof(*pp->line));
	pp->linep = calloc(b->nline + 1, sizeof(*pp->linep));
	if (!pp->loc || !pp->locp || !pp->line || !pp->linep)
		return -1;
	for (size_t i = 0; i < b->nline; i++) {
		perftools__profiles__line__init(&pp->line[i]);
		pp->line[i].function_id = b->line[i].function;
		pp->line[i].line = b->line[i].line;
		pp->linep[i] = &pp->line[i];
	}
	for (size_t i = 0; i < b->nloc; i++) {
		PbLocation *l = &pp->loc[i];

		perftools__profiles__location__init(l);
		l->id = i + 1;
		l->mapping_id = b->loc[i].mapping;
		l->address = b->loc[i].addr;
		l->line = &pp->linep[b->loc[i].line0];
		l->n_line = b->loc[i].nline;
		pp->locp[i] = l;
	}
	return 0;
}

static int pb_functions(struct builder *b, struct pb_parts *pp)
{
	pp->fn = calloc(b->nfn + 1, sizeof(*pp->fn));
	pp->fnp = calloc(b->nfn + 1, sizeof(*pp->fnp));
	if (!pp->fn || !pp->fnp)
		return -1;
	for (size_t i = 0; i < b->nfn; i++) {
		PbFunction *f = &pp->fn[i];

		perftools__profiles__function__init(f);
		f->id = i + 1;
		f->name = f->system_name = (int64_t)b->fn_name[i];
		if (b->fn_file[i] && (f->filename = str_intern(b, b->fn_file[i])) < 0)
			return -1;
		pp->fnp[i] = f;
	}
	return 0;
}

/* The run this process belongs to (lp_pprof_set_run); 0: not said. */
static long run_root_pid;
static int64_t run_start_ns;

void lp_pprof_set_run(long root_pid, int64_t start_ns)
{
	run_root_pid = root_pid;
	run_start_ns = start_ns;
}

/*
 * The profile's comment: its kind, which nothing else in Go's format says
 * (block and mutex profiles have the same sample types), and the run, so
 * that `lockprof merge` can refuse files of different runs. pprof shows
 * comments only with -comments.
 */
static int pb_comment(struct builder *b, struct pb_parts *pp, PbProfile *p,
		      const struct lp_snapshot *s)
{
	int n = snprintf(pp->comment, sizeof(pp->comment), "lockprof kind=%s",
			 s->kind == LP_MUTEX ? "mutex" : "block");

	if (run_root_pid > 0)
		snprintf(pp->comment + n, sizeof(pp->comment) - (size_t)n,
			 " root=%ld start=%lld", run_root_pid,
			 (long long)run_start_ns);
	pp->comment_ix[0] = str_intern(b, pp->comment);
	if (pp->comment_ix[0] < 0)
		return -1;
	p->comment = pp->comment_ix;
	p->n_comment = 1;
	return 0;
}

/* Fill the message; strings last, since every part interns into them. */
static int pb_build(struct builder *b, struct pb_parts *pp, PbProfile *p,
		    const struct lp_snapshot *s)
{
	const struct lp_record **recs;
	size_t n;
	int rc;

	recs = sorted_records(s, &n);
	if (!recs)
		return -1;
	rc = value_type(b, &pp->vt[0], "contentions", "count") ||
	     value_type(b, &pp->vt[1], "delay", "nanoseconds") ||
	     value_type(b, &pp->vt[2], "contentions", "count") ||
	     pb_samples(b, pp, recs, n) || pb_mappings(b, pp) ||
	     pb_locations(b, pp) || pb_functions(b, pp) ||
	     pb_comment(b, pp, p, s);
	if (rc) {
		free(recs);
		return -1;
	}
	pp->vtp[0] = &pp->vt[0];
	pp->vtp[1] = &pp->vt[1];
	p->sample_type = pp->vtp;
	p->n_sample_type = 2;
	p->period_type = &pp->vt[2];
	p->period = 1;
	p->sample = pp->smpp;
	p->n_sample = n;
	p->mapping = pp->mapp;
	p->n_mapping = b->nmaps;
	p->location = pp->locp;
	p->n_location = b->nloc;
	p->function = pp->fnp;
	p->n_function = b->nfn;
	/* protobuf-c only reads the strings while packing. */
	p->string_table = (char **)b->str;
	p->n_string_table = b->nstr;
	p->time_nanos = s->time_nanos;
	p->duration_nanos = s->duration_nanos;
	free(recs);
	return 0;
}

static int gzip_buf(const uint8_t *in, size_t inlen, uint8_t **out,
		    size_t *outlen)
{
	z_stream z = {0};
	uint8_t *buf;
	int rc;

	/* The fastest level, as Go's runtime/pprof: a dump runs inside a live
	 * service and size barely matters next to time. */
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.avail_out = (uInt)deflateBound(&z, inlen);
	buf = malloc(z.avail_out);
	if (!buf) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = buf;
	rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

int lp_pprof_encode(const struct lp_snapshot *s, struct lp_symbolizer *sym,
		    uint8_t **out, size_t *len)
{
	PbProfile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct pb_parts pp = {0};
	struct builder b;
	uint8_t *raw = NULL;
	size_t rawlen;
	int rc = -1;

	if (builder_init(&b, sym) == 0 && pb_build(&b, &pp, &p, s) == 0) {
		rawlen = perftools__profiles__profile__get_packed_size(&p);
		raw = malloc(rawlen + 1);
		if (raw) {
			perftools__profiles__profile__pack(&p, raw);
			rc = gzip_buf(raw, rawlen, out, len);
		}
	}
	free(raw);
	pb_parts_free(&pp);
	builder_free(&b);
	return rc;
}

/* ---- the text form ---- */

/* One "#" line per function at the address, innermost first, as Go
 * prints inlined frames. */
static void text_frames(struct builder *b, FILE *f, const struct loc *l)
{
	unsigned long long addr = l->addr, off = l->offset;

	if (l->nline == 0)
		fprintf(f, "#\t0x%llx\n", addr);
	for (uint32_t k = l->line0; k < l->line0 + l->nline; k++) {
		const struct loc_line *ln = &b->line[k];
		const char *name = b->str[b->fn_name[ln->function - 1]];

		if (!l->named)
			fprintf(f, "#\t0x%llx\t%s\n", addr, name);
		else if (ln->file)
			fprintf(f, "#\t0x%llx\t%s+0x%llx\t%s:%d\n", addr, name,
				off, ln->file, ln->line);
		else
			fprintf(f, "#\t0x%llx\t%s+0x%llx\n", addr, name, off);
	}
}

static int text_record(struct builder *b, FILE *f, const struct lp_record *r)
{
	size_t n = record_frames(r);

	fprintf(f, "%lld %lld @", (long long)r->delay_ns,
		(long long)lp_record_contentions(r));
	for (size_t i = 0; i < n; i++) {
		const struct loc *l = record_frame(b, r, i);

		if (!l)
			return -1;
		fprintf(f, " 0x%llx", (unsigned long long)l->addr + 1);
	}
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct loc *l = record_frame(b, r, i);

		if (!l)
			return -1;
		text_frames(b, f, l);
	}
	fputc('\n', f);
	return 0;
}

/*
 * Values are written as the proto has them. The mutex profile's are already
 * scaled by the sampling fraction, and pprof's legacy parser multiplies by
 * "sampling period", so that is written as 1: then pprof reads the same
 * totals from both forms (unscaling first would round).
 */
int lp_pprof_text(const struct lp_snapshot *s, struct lp_symbolizer *sym,
		  char **out, size_t *len)
{
	const struct lp_record **recs = NULL;
	struct builder b;
	size_t n = 0;
	int rc = -1;
	FILE *f;

	*out = NULL;
	f = open_memstream(out, len);
	if (!f)
		return -1;
	if (builder_init(&b, sym) == 0 && (recs = sorted_records(s, &n))) {
		fputs(s->kind == LP_MUTEX ? "--- mutex:\n" : "--- contention:\n",
		      f);
		fputs("cycles/second=1000000000\n", f);
		if (s->kind == LP_MUTEX)
			fputs("sampling period=1\n", f);
		rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = text_record(&b, f, recs[i]);
	}
	if (ferror(f))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	free(recs);
	builder_free(&b);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}
