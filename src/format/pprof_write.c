/* SPDX-License-Identifier: MIT */
/*
 * The writer keeps each kind of message in one growing array, with the
 * repeated parts (lines, location ids, values, labels) in pools of their
 * own, and indexes them by content; the protobuf-c message is laid out
 * only when packing, pointing into those arrays.
 */
#include "pprof_write.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/grow.h"
#include "base/hashtab.h"

typedef Perftools__Profiles__Function PbFunction;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;

/* A location: its lines are line[line0, line0 + nline). */
struct loc {
	uint64_t mapping_id, address;
	protobuf_c_boolean is_folded;
	uint32_t line0, nline;
};

/* A sample: its location ids, values and labels in the pools. */
struct sample {
	uint32_t id0, nid, value0, nvalue, label0, nlabel;
};

struct lp_pprof_writer {
	char **str;
	size_t nstr, str_cap;
	struct lp_hashtab str_index;

	PbFunction *fn;
	size_t nfn, fn_cap;
	struct lp_hashtab fn_index;

	PbMapping *map;
	size_t nmap, map_cap;

	struct loc *loc;
	size_t nloc, loc_cap;
	struct lp_hashtab loc_index;
	PbLine *line;
	size_t nline, line_cap;

	struct sample *smp;
	size_t nsmp, smp_cap;
	bool sum;                     /* smp_index is kept */
	struct lp_hashtab smp_index;
	uint64_t *id;
	size_t nid, id_cap;
	int64_t *value;
	size_t nvalue, value_cap;
	PbLabel *label;
	size_t nlabel, label_cap;
};

/* Room for `more` elements past n in *arr; ENOMEM when there is none, or
 * when n + more would not fit 32 bits, as the entries of an index and the
 * offsets kept in struct loc and struct sample must. */
static int room(void *arr, size_t *cap, size_t n, size_t more, size_t size)
{
	if (more > UINT32_MAX - n || lp_grow(arr, cap, n + more, size)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The same, exactly: for what is known to come. */
static int room_exact(void *arr, size_t *cap, size_t n, size_t more,
		      size_t size)
{
	void **a = arr, *p;

	if (n + more <= *cap)
		return 0;
	p = more > UINT32_MAX - n ? NULL : realloc(*a, (n + more) * size);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	*a = p;
	*cap = n + more;
	return 0;
}

/* Index entry `n` under hash; ENOMEM when the index cannot grow. */
static int index_add(struct lp_hashtab *h, uint64_t hash, size_t n)
{
	if (lp_hashtab_add(h, hash, (uint32_t)n)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

struct lp_pprof_writer *lp_pprof_writer_new(bool sum)
{
	struct lp_pprof_writer *w = calloc(1, sizeof(*w));

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->sum = sum;
	if (lp_pprof_writer_string(w, "") != 0) {
		lp_pprof_writer_free(w);
		return NULL;
	}
	return w;
}

void lp_pprof_writer_free(struct lp_pprof_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nstr; i++)
		free(w->str[i]);
	free(w->str);
	lp_hashtab_free(&w->str_index);
	free(w->fn);
	lp_hashtab_free(&w->fn_index);
	free(w->map);
	free(w->loc);
	lp_hashtab_free(&w->loc_index);
	free(w->line);
	free(w->smp);
	lp_hashtab_free(&w->smp_index);
	free(w->id);
	free(w->value);
	free(w->label);
	free(w);
}

/* What the equality callbacks get: the writer and the message (or the
 * string) looked for. */
struct key {
	const struct lp_pprof_writer *w;
	const void *m;
};

/* ---- strings ---- */

static bool str_is(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;

	return strcmp(k->w->str[i], k->m) == 0;
}

int64_t lp_pprof_writer_string(struct lp_pprof_writer *w, const char *s)
{
	struct key k = {w, s};
	uint64_t hash = lp_hash_bytes(LP_HASH_SEED, s, strlen(s));
	uint32_t i = lp_hashtab_find(&w->str_index, hash, str_is, &k);
	char *copy;

	if (i != LP_HASHTAB_NONE)
		return i;
	if (room(&w->str, &w->str_cap, w->nstr, 1, sizeof(*w->str)))
		return -1;
	copy = strdup(s);
	if (!copy || index_add(&w->str_index, hash, w->nstr)) {
		free(copy);
		errno = ENOMEM;
		return -1;
	}
	w->str[w->nstr] = copy;
	return (int64_t)w->nstr++;
}

const char *lp_pprof_writer_string_at(const struct lp_pprof_writer *w,
				      int64_t ix)
{
	return w->str[ix];
}

/* ---- functions and mappings ---- */

static uint64_t function_hash(const PbFunction *f)
{
	uint64_t h = lp_hash_word(LP_HASH_SEED, (uint64_t)f->name);

	h = lp_hash_word(h, (uint64_t)f->system_name);
	h = lp_hash_word(h, (uint64_t)f->filename);
	return lp_hash_word(h, (uint64_t)f->start_line);
}

static bool function_is(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const PbFunction *a = &k->w->fn[i], *b = k->m;

	return a->name == b->name && a->system_name == b->system_name &&
	       a->filename == b->filename && a->start_line == b->start_line;
}

uint64_t lp_pprof_writer_function(struct lp_pprof_writer *w,
				  const PbFunction *f)
{
	struct key k = {w, f};
	uint64_t hash = function_hash(f);
	uint32_t i = lp_hashtab_find(&w->fn_index, hash, function_is, &k);
	PbFunction *n;

	if (i != LP_HASHTAB_NONE)
		return (uint64_t)i + 1;
	if (room(&w->fn, &w->fn_cap, w->nfn, 1, sizeof(*w->fn)) ||
	    index_add(&w->fn_index, hash, w->nfn))
		return 0;
	n = &w->fn[w->nfn++];
	perftools__profiles__function__init(n);
	n->id = w->nfn;
	n->name = f->name;
	n->system_name = f->system_name;
	n->filename = f->filename;
	n->start_line = f->start_line;
	return n->id;
}

uint64_t lp_pprof_writer_mapping(struct lp_pprof_writer *w, const PbMapping *m)
{
	static const PbMapping init = PERFTOOLS__PROFILES__MAPPING__INIT;
	PbMapping *n;

	if (room(&w->map, &w->map_cap, w->nmap, 1, sizeof(*w->map)))
		return 0;
	n = &w->map[w->nmap++];
	*n = *m;
	n->base = init.base; /* none of a decoded m's unknown fields */
	n->id = w->nmap;
	return n->id;
}

PbMapping *lp_pprof_writer_mapping_at(struct lp_pprof_writer *w, uint64_t id)
{
	return &w->map[id - 1];
}

/* ---- locations ---- */

static uint64_t location_hash(const PbLocation *l)
{
	uint64_t h = lp_hash_word(LP_HASH_SEED, l->mapping_id);

	h = lp_hash_word(h, l->address);
	h = lp_hash_word(h, (uint64_t)l->is_folded);
	for (size_t i = 0; i < l->n_line; i++) {
		h = lp_hash_word(h, l->line[i]->function_id);
		h = lp_hash_word(h, (uint64_t)l->line[i]->line);
		h = lp_hash_word(h, (uint64_t)l->line[i]->column);
	}
	return h;
}

static bool location_is(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const struct loc *a = &k->w->loc[i];
	const PbLocation *b = k->m;

	if (a->mapping_id != b->mapping_id || a->address != b->address ||
	    !a->is_folded != !b->is_folded || a->nline != b->n_line)
		return false;
	for (size_t j = 0; j < a->nline; j++) {
		const PbLine *x = &k->w->line[a->line0 + j], *y = b->line[j];

		if (x->function_id != y->function_id || x->line != y->line ||
		    x->column != y->column)
			return false;
	}
	return true;
}

uint64_t lp_pprof_writer_location(struct lp_pprof_writer *w,
				  const PbLocation *l)
{
	struct key k = {w, l};
	uint64_t hash = location_hash(l);
	uint32_t i = lp_hashtab_find(&w->loc_index, hash, location_is, &k);

	if (i != LP_HASHTAB_NONE)
		return (uint64_t)i + 1;
	if (room(&w->loc, &w->loc_cap, w->nloc, 1, sizeof(*w->loc)) ||
	    room(&w->line, &w->line_cap, w->nline, l->n_line,
		 sizeof(*w->line)) ||
	    index_add(&w->loc_index, hash, w->nloc))
		return 0;
	w->loc[w->nloc] = (struct loc){l->mapping_id, l->address, l->is_folded,
				       (uint32_t)w->nline, (uint32_t)l->n_line};
	for (size_t j = 0; j < l->n_line; j++) {
		PbLine *n = &w->line[w->nline++];

		perftools__profiles__line__init(n);
		n->function_id = l->line[j]->function_id;
		n->line = l->line[j]->line;
		n->column = l->line[j]->column;
	}
	return ++w->nloc;
}

/* ---- samples ---- */

static uint64_t sample_hash(const PbSample *s)
{
	uint64_t h = lp_hash_word(LP_HASH_SEED, s->n_location_id);

	for (size_t i = 0; i < s->n_location_id; i++)
		h = lp_hash_word(h, s->location_id[i]);
	for (size_t i = 0; i < s->n_label; i++) {
		h = lp_hash_word(h, (uint64_t)s->label[i]->key);
		h = lp_hash_word(h, (uint64_t)s->label[i]->str);
		h = lp_hash_word(h, (uint64_t)s->label[i]->num);
		h = lp_hash_word(h, (uint64_t)s->label[i]->num_unit);
	}
	return h;
}

static bool sample_is(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const struct sample *a = &k->w->smp[i];
	const PbSample *b = k->m;

	if (a->nid != b->n_location_id || a->nlabel != b->n_label ||
	    (a->nid && memcmp(&k->w->id[a->id0], b->location_id,
			      a->nid * sizeof(*b->location_id))))
		return false;
	for (size_t j = 0; j < a->nlabel; j++) {
		const PbLabel *x = &k->w->label[a->label0 + j], *y = b->label[j];

		if (x->key != y->key || x->str != y->str || x->num != y->num ||
		    x->num_unit != y->num_unit)
			return false;
	}
	return true;
}

/* All of the sums, or none of them. */
static int add_values(int64_t *to, const int64_t *from, size_t n)
{
	int64_t sum;

	for (size_t i = 0; i < n; i++) {
		if (__builtin_add_overflow(to[i], from[i], &sum)) {
			errno = EOVERFLOW;
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		to[i] += from[i];
	return 0;
}

int lp_pprof_writer_sample(struct lp_pprof_writer *w, const PbSample *s)
{
	struct key k = {w, s};
	uint64_t hash = w->sum ? sample_hash(s) : 0;
	uint32_t i = w->sum ? lp_hashtab_find(&w->smp_index, hash, sample_is, &k) :
			      LP_HASHTAB_NONE;
	struct sample *n;

	if (i != LP_HASHTAB_NONE)
		return add_values(&w->value[w->smp[i].value0], s->value,
				  w->smp[i].nvalue);
	if (room(&w->smp, &w->smp_cap, w->nsmp, 1, sizeof(*w->smp)) ||
	    room(&w->id, &w->id_cap, w->nid, s->n_location_id,
		 sizeof(*w->id)) ||
	    room(&w->value, &w->value_cap, w->nvalue, s->n_value,
		 sizeof(*w->value)) ||
	    room(&w->label, &w->label_cap, w->nlabel, s->n_label,
		 sizeof(*w->label)) ||
	    (w->sum && index_add(&w->smp_index, hash, w->nsmp)))
		return -1;
	n = &w->smp[w->nsmp++];
	*n = (struct sample){(uint32_t)w->nid, (uint32_t)s->n_location_id,
			     (uint32_t)w->nvalue, (uint32_t)s->n_value,
			     (uint32_t)w->nlabel, (uint32_t)s->n_label};
	if (s->n_location_id)
		memcpy(&w->id[w->nid], s->location_id,
		       s->n_location_id * sizeof(*w->id));
	if (s->n_value)
		memcpy(&w->value[w->nvalue], s->value,
		       s->n_value * sizeof(*w->value));
	for (size_t j = 0; j < s->n_label; j++) {
		PbLabel *l = &w->label[w->nlabel + j];

		perftools__profiles__label__init(l);
		l->key = s->label[j]->key;
		l->str = s->label[j]->str;
		l->num = s->label[j]->num;
		l->num_unit = s->label[j]->num_unit;
	}
	w->nid += s->n_location_id;
	w->nvalue += s->n_value;
	w->nlabel += s->n_label;
	return 0;
}

int lp_pprof_writer_expect(struct lp_pprof_writer *w, size_t samples,
			   size_t location_ids, size_t values)
{
	return room_exact(&w->smp, &w->smp_cap, w->nsmp, samples,
			  sizeof(*w->smp)) ||
	       room_exact(&w->id, &w->id_cap, w->nid, location_ids,
			  sizeof(*w->id)) ||
	       room_exact(&w->value, &w->value_cap, w->nvalue, values,
			  sizeof(*w->value)) ? -1 : 0;
}

/* ---- packing ---- */

/* Everything the Profile message points into, freed together. */
struct layout {
	PbFunction **fnp;
	PbMapping **mapp;
	PbLocation *loc, **locp;
	PbLine **linep;
	PbSample *smp, **smpp;
	PbLabel **labelp;
};

static void layout_free(struct layout *o)
{
	free(o->fnp);
	free(o->mapp);
	free(o->loc);
	free(o->locp);
	free(o->linep);
	free(o->smp);
	free(o->smpp);
	free(o->labelp);
}

static bool all_zero(const int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i])
			return false;
	return true;
}

/* The samples with a value, in the order first added. */
static size_t lay_samples(struct lp_pprof_writer *w, struct layout *o)
{
	size_t kept = 0;

	for (size_t i = 0; i < w->nlabel; i++)
		o->labelp[i] = &w->label[i];
	for (size_t i = 0; i < w->nsmp; i++) {
		const struct sample *a = &w->smp[i];
		PbSample *s = &o->smp[kept];

		if (all_zero(&w->value[a->value0], a->nvalue))
			continue;
		perftools__profiles__sample__init(s);
		/* No pointer into an array that was never made (a stack of no
		 * frames, no labels): NULL, as protobuf-c has it. */
		s->location_id = a->nid ? &w->id[a->id0] : NULL;
		s->n_location_id = a->nid;
		s->value = &w->value[a->value0];
		s->n_value = a->nvalue;
		s->label = a->nlabel ? &o->labelp[a->label0] : NULL;
		s->n_label = a->nlabel;
		o->smpp[kept++] = s;
	}
	return kept;
}

static void lay_locations(struct lp_pprof_writer *w, struct layout *o)
{
	for (size_t i = 0; i < w->nline; i++)
		o->linep[i] = &w->line[i];
	for (size_t i = 0; i < w->nloc; i++) {
		PbLocation *l = &o->loc[i];

		perftools__profiles__location__init(l);
		l->id = i + 1;
		l->mapping_id = w->loc[i].mapping_id;
		l->address = w->loc[i].address;
		l->is_folded = w->loc[i].is_folded;
		l->line = &o->linep[w->loc[i].line0];
		l->n_line = w->loc[i].nline;
		o->locp[i] = l;
	}
}

/* Lay the message out over the writer's arrays: 0, or -1 (ENOMEM). */
static int lay_out(struct lp_pprof_writer *w, struct layout *o,
		   lp_profile *p)
{
	o->fnp = malloc((w->nfn + 1) * sizeof(*o->fnp));
	o->mapp = malloc((w->nmap + 1) * sizeof(*o->mapp));
	o->loc = malloc((w->nloc + 1) * sizeof(*o->loc));
	o->locp = malloc((w->nloc + 1) * sizeof(*o->locp));
	o->linep = malloc((w->nline + 1) * sizeof(*o->linep));
	o->smp = malloc((w->nsmp + 1) * sizeof(*o->smp));
	o->smpp = malloc((w->nsmp + 1) * sizeof(*o->smpp));
	o->labelp = malloc((w->nlabel + 1) * sizeof(*o->labelp));
	if (!o->fnp || !o->mapp || !o->loc || !o->locp || !o->linep ||
	    !o->smp || !o->smpp || !o->labelp) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < w->nfn; i++)
		o->fnp[i] = &w->fn[i];
	for (size_t i = 0; i < w->nmap; i++)
		o->mapp[i] = &w->map[i];
	lay_locations(w, o);
	p->n_sample = lay_samples(w, o);
	p->sample = o->smpp;
	p->mapping = o->mapp;
	p->n_mapping = w->nmap;
	p->location = o->locp;
	p->n_location = w->nloc;
	p->function = o->fnp;
	p->n_function = w->nfn;
	p->string_table = w->str;
	p->n_string_table = w->nstr;
	return 0;
}

static int gzip_buf(const uint8_t *in, size_t inlen, int level, uint8_t **out,
		    size_t *outlen)
{
	z_stream z = {0};
	uint8_t *buf;
	int rc;

	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		return -1;
	}
	z.avail_out = (uInt)deflateBound(&z, inlen);
	buf = malloc(z.avail_out);
	if (!buf) {
		deflateEnd(&z);
		errno = ENOMEM;
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
		errno = EIO;
		return -1;
	}
	*out = buf;
	return 0;
}

int lp_pprof_writer_pack(struct lp_pprof_writer *w, const lp_profile *head,
			 int level, uint8_t **out, size_t *len)
{
	lp_profile p = *head;
	struct layout o = {0};
	uint8_t *raw = NULL;
	size_t rawlen;
	int rc = -1;

	if (lay_out(w, &o, &p) == 0) {
		rawlen = perftools__profiles__profile__get_packed_size(&p);
		raw = malloc(rawlen + 1);
		if (raw) {
			perftools__profiles__profile__pack(&p, raw);
			rc = gzip_buf(raw, rawlen, level, out, len);
		} else {
			errno = ENOMEM;
		}
	}
	free(raw);
	layout_free(&o);
	return rc;
}
