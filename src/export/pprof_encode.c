/* SPDX-License-Identifier: MIT */
/*
 * The pprof encoder: what a snapshot and the symbolizer say, as calls to
 * the pprof writer (src/format/pprof_write.h). The records are walked
 * heaviest first, as Go sorts them; each address is symbolized once, into
 * a location kept here with what the text form prints (its own file and
 * line per frame, its offset), and a function is made per name, its file
 * the first one seen. The text form walks the same way.
 */
#include "base/grow.h"
#include "base/hashtab.h"
#include "format/pprof_write.h"
#include "lockname.h"
#include "pprof_encode.h"
#include "record/primitive.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Addresses of the pseudo-frames' locations: below any mapped code, and
 * distinct so that tools keying on addresses keep them apart. */
#define TRUNCATED_ADDR 1
#define OVERFLOW_ADDR 2

/* ---- the builder ---- */

/* A Line of a location: one function of the inline chain at an address. */
struct loc_line {
	uint64_t function; /* function id */
	const char *file;  /* source file, NULL when unknown */
	int line;          /* source line, 0 when unknown */
};

struct loc {
	uint64_t addr;     /* return address minus 1, or a pseudo address */
	uint64_t id;       /* the writer's location id */
	uintptr_t offset;  /* from the function's start */
	bool named;        /* by a symbol or DWARF: not module+offset */
	uint32_t line0, nline; /* its lines in builder.line, innermost first */
};

/* Inline frames kept per address. */
#define MAX_FRAMES 32

struct builder {
	struct lp_pprof_writer *w;
	struct lp_symbolizer *sym;
	const struct lp_mapping_info *maps;
	size_t nmaps;
	bool *map_used, *map_unnamed, *map_unlined;

	uint64_t *str_fn; /* function id named by each string, 0 for none */
	size_t str_fn_cap;

	int64_t *fn_name; /* string index of function id i+1 */
	const char **fn_file; /* its source file (the first seen), or NULL */
	size_t nfn, fn_cap, fn_file_cap;

	struct loc *loc; /* by address: loc_index */
	size_t nloc, loc_cap;
	struct lp_hashtab loc_index;

	struct loc_line *line;
	size_t nline, line_cap;

	uint64_t *lock_id; /* lock ids named so far, and their names' strings */
	int64_t *lock_str;
	size_t nlock, lock_cap, lock_str_cap;
	struct lp_hashtab lock_index;
	int64_t label_key[3]; /* the strings "lock", "thread", "wait" */
};

/* The id of the function named s (added if new), or 0 on OOM. The writer
 * gets the functions at the end (pb_functions), their files known. */
static uint64_t fn_intern(struct builder *b, const char *s)
{
	int64_t si = lp_pprof_writer_string(b->w, s);
	size_t had = b->str_fn_cap;

	if (si < 0 || lp_grow((void **)&b->str_fn, &b->str_fn_cap,
			      (size_t)si + 1, sizeof(*b->str_fn)))
		return 0;
	memset(b->str_fn + had, 0, (b->str_fn_cap - had) * sizeof(*b->str_fn));
	if (b->str_fn[si])
		return b->str_fn[si];
	if (lp_grow((void **)&b->fn_name, &b->fn_cap, b->nfn + 1,
		 sizeof(*b->fn_name)) ||
	    lp_grow((void **)&b->fn_file, &b->fn_file_cap, b->nfn + 1,
		 sizeof(*b->fn_file)))
		return 0;
	b->fn_file[b->nfn] = NULL;
	b->fn_name[b->nfn++] = si;
	return b->str_fn[si] = b->nfn;
}

/* The name of function `fn`, for the text form. */
static const char *fn_name(const struct builder *b, uint64_t fn)
{
	return lp_pprof_writer_string_at(b->w, b->fn_name[fn - 1]);
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

/* The location, as the writer keeps it: its id. */
static uint64_t loc_write(struct builder *b, const struct loc *l,
			  uint64_t mapping)
{
	Perftools__Profiles__Location pl = PERFTOOLS__PROFILES__LOCATION__INIT;
	Perftools__Profiles__Line line[MAX_FRAMES], *linep[MAX_FRAMES];

	for (uint32_t i = 0; i < l->nline; i++) {
		perftools__profiles__line__init(&line[i]);
		line[i].function_id = b->line[l->line0 + i].function;
		line[i].line = b->line[l->line0 + i].line;
		linep[i] = &line[i];
	}
	pl.mapping_id = mapping;
	pl.address = l->addr;
	pl.line = linep;
	pl.n_line = l->nline;
	return lp_pprof_writer_location(b->w, &pl);
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
	char unnamed[512];
	uint64_t mapping = 0;
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
	if (!l->named && mi >= 0) {
		/* The module+offset name; none for anonymous code. */
		int len = lp_symbolize_unnamed(b->sym, mi, (uintptr_t)l->addr,
					       unnamed, sizeof(unnamed));

		if (len > 0 && (size_t)len < sizeof(unnamed))
			f[n - 1].name = unnamed;
	}
	if (mi >= 0 && (size_t)mi < b->nmaps) {
		mapping = (uint64_t)mi + 1;
		b->map_used[mi] = true;
		b->map_unnamed[mi] |= !l->named;
		b->map_unlined[mi] |= !f[0].line;
	}
	if (loc_lines(b, l, f, n))
		return -1;
	l->id = loc_write(b, l, mapping);
	return l->id ? 0 : -1;
}

struct loc_key {
	const struct builder *b;
	uint64_t addr;
};

static bool loc_is(const void *ctx, uint32_t i)
{
	const struct loc_key *k = ctx;

	return k->b->loc[i].addr == k->addr;
}

/* The location of addr, created on first use; NULL on OOM. `pseudo` names
 * the pseudo-frame of a pseudo address, NULL for code addresses. */
static const struct loc *loc_intern(struct builder *b, uint64_t addr,
				    const char *pseudo)
{
	struct loc_key k = {b, addr};
	uint32_t i = lp_hashtab_find(&b->loc_index, addr, loc_is, &k);
	struct loc *l;

	if (i != LP_HASHTAB_NONE)
		return &b->loc[i];
	if (lp_grow((void **)&b->loc, &b->loc_cap, b->nloc + 1, sizeof(*b->loc)))
		return NULL;
	l = &b->loc[b->nloc];
	*l = (struct loc){.addr = addr};
	if (loc_fill(b, l, pseudo) ||
	    lp_hashtab_add(&b->loc_index, addr, (uint32_t)b->nloc))
		return NULL;
	b->nloc++;
	return l;
}

static int builder_init(struct builder *b, struct lp_symbolizer *sym)
{
	*b = (struct builder){.sym = sym};
	b->nmaps = lp_symbolizer_mappings(sym, &b->maps);
	b->w = lp_pprof_writer_new(false); /* a record per stack: distinct */
	b->map_used = calloc(b->nmaps + 1, sizeof(bool));
	b->map_unnamed = calloc(b->nmaps + 1, sizeof(bool));
	b->map_unlined = calloc(b->nmaps + 1, sizeof(bool));
	if (!b->w || !b->map_used || !b->map_unnamed || !b->map_unlined)
		return -1;
	return 0;
}

static void builder_free(struct builder *b)
{
	lp_pprof_writer_free(b->w);
	free(b->map_used);
	free(b->map_unnamed);
	free(b->map_unlined);
	free(b->str_fn);
	free(b->fn_name);
	free(b->fn_file);
	free(b->loc);
	lp_hashtab_free(&b->loc_index);
	free(b->line);
	free(b->lock_id);
	free(b->lock_str);
	lp_hashtab_free(&b->lock_index);
}

/* How many frames a record has once pseudo-frames are added. */
static size_t record_frames(const struct lp_record *r)
{
	if (r->flags & LP_STACK_OVERFLOW)
		return 1;
	return r->depth + !!(r->flags & LP_STACK_TRUNCATED);
}

/* Frame i (leaf first) of a record, with pseudo-frames on the root side;
 * the primitive's pseudo address (its leaf) is named after it. */
/* The location of a stack's return address: code, or the primitive's
 * pseudo address (its leaf), named after it. */
static const struct loc *pc_frame(struct builder *b, uintptr_t pc)
{
	int prim = lp_pc_primitive(pc);

	return loc_intern(b, (uint64_t)pc - 1,
			  prim >= 0 ? lp_primitive_name((unsigned)prim) : NULL);
}

static const struct loc *record_frame(struct builder *b,
				      const struct lp_record *r, size_t i)
{
	if (r->flags & LP_STACK_OVERFLOW)
		return loc_intern(b, OVERFLOW_ADDR, LP_FRAME_OVERFLOW);
	if (i == r->depth)
		return loc_intern(b, TRUNCATED_ADDR, LP_FRAME_TRUNCATED);
	return pc_frame(b, r->pcs[i]);
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

typedef Perftools__Profiles__ValueType PbValueType;

/* The profile's header: what the writer packs around its tables. */
struct pb_head {
	PbValueType vt[3], *vtp[2];
	char comment[96];      /* "lockprof kind=... [root=... start=...]" */
	int64_t comment_ix[1];
};

static int value_type(struct builder *b, PbValueType *vt, const char *type,
		      const char *unit)
{
	int64_t t = lp_pprof_writer_string(b->w, type);
	int64_t u = lp_pprof_writer_string(b->w, unit);

	perftools__profiles__value_type__init(vt);
	vt->type = t;
	vt->unit = u;
	return t < 0 || u < 0 ? -1 : 0;
}

struct lock_key {
	const struct builder *b;
	uint64_t id;
};

static bool lock_is(const void *ctx, uint32_t i)
{
	const struct lock_key *k = ctx;

	return k->b->lock_id[i] == k->id;
}

/* The string of lock `id`'s name (lockname.h), named once per profile;
 * -1 on OOM. */
static int64_t lock_name(struct builder *b, uint64_t id)
{
	struct lock_key k = {b, id};
	uint32_t i = lp_hashtab_find(&b->lock_index, id, lock_is, &k);
	char name[512];
	int64_t s;

	if (i != LP_HASHTAB_NONE)
		return b->lock_str[i];
	lp_lock_name(b->sym, id, name, sizeof(name));
	if ((s = lp_pprof_writer_string(b->w, name)) < 0 ||
	    lp_grow((void **)&b->lock_id, &b->lock_cap, b->nlock + 1, sizeof(*b->lock_id)) ||
	    lp_grow((void **)&b->lock_str, &b->lock_str_cap, b->nlock + 1,
		    sizeof(*b->lock_str)) ||
	    lp_hashtab_add(&b->lock_index, id, (uint32_t)b->nlock))
		return -1;
	b->lock_id[b->nlock] = id;
	b->lock_str[b->nlock++] = s;
	return s;
}

/* A record's labels (docs/profiles.md, "Labels") as pprof string labels,
 * into l and lp (room for 3). Returns how many, -1 on OOM. */
static int pb_labels(struct builder *b, const struct lp_record *r,
		     Perftools__Profiles__Label *l, Perftools__Profiles__Label **lp)
{
	static const char *const keys[3] = {"lock", "thread", "wait"};
	int64_t value[3] = {-1, -1, -1};
	int n = 0;

	if (!(r->flags & LP_STACK_LABELS))
		return 0;
	if (r->labels.lock && (value[0] = lock_name(b, r->labels.lock)) < 0)
		return -1;
	if (r->labels.thread[0] &&
	    (value[1] = lp_pprof_writer_string(b->w, r->labels.thread)) < 0)
		return -1;
	if (r->labels.wait > 0 && r->labels.wait <= LP_WAIT_BUCKETS &&
	    (value[2] = lp_pprof_writer_string(
		     b->w, lp_wait_bucket_names[r->labels.wait - 1])) < 0)
		return -1;
	for (int k = 0; k < 3; k++) {
		if (value[k] < 0)
			continue;
		if (!b->label_key[k] &&
		    (b->label_key[k] = lp_pprof_writer_string(b->w, keys[k])) < 0)
			return -1;
		perftools__profiles__label__init(&l[n]);
		l[n].key = b->label_key[k];
		l[n].str = value[k];
		lp[n] = &l[n];
		n++;
	}
	return n;
}

/* One sample per record, interning its locations. */
static int pb_samples(struct builder *b, const struct lp_record **recs,
		      size_t n)
{
	size_t most = 1, all = 0;
	uint64_t *ids;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		all += record_frames(recs[i]);
		if (record_frames(recs[i]) > most)
			most = record_frames(recs[i]);
	}
	if (lp_pprof_writer_expect(b->w, n, all, 2 * n))
		return -1;
	ids = malloc(most * sizeof(*ids));
	if (!ids)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		Perftools__Profiles__Sample s = PERFTOOLS__PROFILES__SAMPLE__INIT;
		Perftools__Profiles__Label label[3], *labelp[3];
		int64_t value[2] = {lp_record_contentions(recs[i]),
				    recs[i]->delay_ns};
		int nlabel = pb_labels(b, recs[i], label, labelp);

		s.n_location_id = record_frames(recs[i]);
		for (size_t f = 0; f < s.n_location_id; f++) {
			const struct loc *l = record_frame(b, recs[i], f);

			if (!l) {
				free(ids);
				return -1;
			}
			ids[f] = l->id;
		}
		if (nlabel < 0) {
			free(ids);
			return -1;
		}
		s.location_id = ids;
		s.value = value;
		s.n_value = 2;
		s.label = labelp;
		s.n_label = (size_t)nlabel;
		rc = lp_pprof_writer_sample(b->w, &s);
	}
	free(ids);
	return rc;
}

/* All executable mappings, so that ids and the main binary stay the same
 * from one snapshot to the next; has_functions as Go sets it: only for a
 * mapping whose referenced addresses were all named. */
static int pb_mappings(struct builder *b)
{
	for (size_t i = 0; i < b->nmaps; i++) {
		Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
		const struct lp_mapping_info *mi = &b->maps[i];

		m.memory_start = mi->start;
		m.memory_limit = mi->limit;
		m.file_offset = mi->offset;
		m.filename = lp_pprof_writer_string(b->w, mi->path);
		m.build_id = lp_pprof_writer_string(b->w, mi->build_id);
		m.has_functions = b->map_used[i] && !b->map_unnamed[i];
		/* Lines for every address used: pprof -lines and list use them
		 * as they are, as with Go's profiles. */
		m.has_filenames = m.has_line_numbers = m.has_inline_frames =
			m.has_functions && !b->map_unlined[i];
		/* Added in order, the ids are the locations' (loc_fill). */
		if (m.filename < 0 || m.build_id < 0 ||
		    lp_pprof_writer_mapping(b->w, &m) != i + 1)
			return -1;
	}
	return 0;
}

/* The functions, by name: distinct names, so the writer's ids are ours. */
static int pb_functions(struct builder *b)
{
	for (size_t i = 0; i < b->nfn; i++) {
		Perftools__Profiles__Function f = PERFTOOLS__PROFILES__FUNCTION__INIT;

		f.name = f.system_name = b->fn_name[i];
		if (b->fn_file[i] &&
		    (f.filename = lp_pprof_writer_string(b->w, b->fn_file[i])) < 0)
			return -1;
		if (lp_pprof_writer_function(b->w, &f) != i + 1)
			return -1;
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
void lp_pprof_comment(const char *kind, char *buf, size_t len)
{
	int n = snprintf(buf, len, "lockprof kind=%s", kind);

	if (run_root_pid > 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " root=%ld start=%lld",
			 run_root_pid, (long long)run_start_ns);
}

static int pb_comment(struct builder *b, struct pb_head *h, lp_profile *p,
		      const struct lp_snapshot *s)
{
	lp_pprof_comment(lp_kind_name(s->kind), h->comment, sizeof(h->comment));
	h->comment_ix[0] = lp_pprof_writer_string(b->w, h->comment);
	if (h->comment_ix[0] < 0)
		return -1;
	p->comment = h->comment_ix;
	p->n_comment = 1;
	return 0;
}

/* Everything into the writer and the header; the strings are added in the
 * order of the sections, every section interning into them. */
static int pb_build(struct builder *b, struct pb_head *h, lp_profile *p,
		    const struct lp_snapshot *s)
{
	/* The hold profile's: holds and the time held, 1 in period timed. */
	const char *count = s->kind == LP_HOLD ? "holds" : "contentions";
	const char *time = s->kind == LP_HOLD ? "held" : "delay";
	const struct lp_record **recs;
	size_t n;
	int rc;

	recs = sorted_records(s, &n);
	if (!recs)
		return -1;
	rc = value_type(b, &h->vt[0], count, "count") ||
	     value_type(b, &h->vt[1], time, "nanoseconds") ||
	     value_type(b, &h->vt[2], count, "count") ||
	     pb_samples(b, recs, n) || pb_mappings(b) || pb_functions(b) ||
	     pb_comment(b, h, p, s);
	free(recs);
	if (rc)
		return -1;
	h->vtp[0] = &h->vt[0];
	h->vtp[1] = &h->vt[1];
	p->sample_type = h->vtp;
	p->n_sample_type = 2;
	p->period_type = &h->vt[2];
	p->period = s->kind == LP_HOLD ? s->period : 1;
	p->time_nanos = s->time_nanos;
	p->duration_nanos = s->duration_nanos;
	return 0;
}

int lp_pprof_encode(const struct lp_snapshot *s, struct lp_symbolizer *sym,
		    uint8_t **out, size_t *len)
{
	lp_profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct pb_head h;
	struct builder b;
	int rc = -1;

	/* The fastest level, as Go's runtime/pprof: a dump runs inside a live
	 * service and size barely matters next to time. */
	if (builder_init(&b, sym) == 0 && pb_build(&b, &h, &p, s) == 0)
		rc = lp_pprof_writer_pack(b.w, &p, Z_BEST_SPEED, out, len);
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
		const char *name = fn_name(b, ln->function);

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
		/* The hold profile has no legacy form: the same lines under
		 * a header of its own, for people to read. */
		fprintf(f, "--- %s:\n", s->kind == LP_BLOCK ? "contention" : lp_kind_name(s->kind));
		fputs("cycles/second=1000000000\n", f);
		if (s->kind != LP_BLOCK)
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

/* ---- stacks for another profile's encoder (src/export/hangview.c) ---- */

struct lp_pprof_stacks {
	struct builder b;
};

struct lp_pprof_stacks *lp_pprof_stacks_new(struct lp_symbolizer *sym)
{
	struct lp_pprof_stacks *s = malloc(sizeof(*s));

	if (s && builder_init(&s->b, sym) != 0) {
		lp_pprof_stacks_free(s);
		return NULL;
	}
	return s;
}

void lp_pprof_stacks_free(struct lp_pprof_stacks *s)
{
	if (!s)
		return;
	builder_free(&s->b);
	free(s);
}

struct lp_pprof_writer *lp_pprof_stacks_writer(struct lp_pprof_stacks *s)
{
	return s->b.w;
}

uint64_t lp_pprof_stacks_frame(struct lp_pprof_stacks *s, uintptr_t pc, FILE *text)
{
	const struct loc *l = pc_frame(&s->b, pc);

	if (!l)
		return 0;
	if (text)
		text_frames(&s->b, text, l);
	return l->id;
}

uint64_t lp_pprof_stacks_truncated(struct lp_pprof_stacks *s)
{
	const struct loc *l = loc_intern(&s->b, TRUNCATED_ADDR, LP_FRAME_TRUNCATED);

	return l ? l->id : 0;
}

int lp_pprof_stacks_pack(struct lp_pprof_stacks *s, const lp_profile *head,
			 uint8_t **out, size_t *len)
{
	if (pb_mappings(&s->b) || pb_functions(&s->b))
		return -1;
	return lp_pprof_writer_pack(s->b.w, head, Z_BEST_SPEED, out, len);
}
