/* SPDX-License-Identifier: MIT */
#include "pprof_build.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__ValueType pb_value_type;

static void failed(struct lp_builder *b, const char *why)
{
	if (!b->failed)
		snprintf(b->why, sizeof(b->why), "%s", why);
	b->failed = 1;
}

/* The writer failed: errno says why. */
static void writer_failed(struct lp_builder *b)
{
	failed(b, errno == EOVERFLOW ? "sample values overflow 64 bits" :
				       "out of memory");
}

static int64_t string(struct lp_builder *b, const char *s)
{
	int64_t ix;

	if (b->failed)
		return 0;
	ix = lp_pprof_writer_string(b->w, s);
	if (ix < 0) {
		writer_failed(b);
		return 0;
	}
	return ix;
}

void lp_builder_init(struct lp_builder *b)
{
	static const lp_profile init = PERFTOOLS__PROFILES__PROFILE__INIT;

	memset(b, 0, sizeof(*b));
	b->p = init;
	b->w = lp_pprof_writer_new(true);
	if (!b->w)
		writer_failed(b);
}

static pb_value_type *value_type(struct lp_builder *b, const lp_profile *src,
				 const pb_value_type *v)
{
	static const pb_value_type init = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	pb_value_type *n = malloc(sizeof(*n));

	if (!n) {
		failed(b, "out of memory");
		return NULL;
	}
	*n = init;
	n->type = string(b, src->string_table[v->type]);
	n->unit = string(b, src->string_table[v->unit]);
	return n;
}

int lp_builder_header(struct lp_builder *b, const lp_profile *tmpl)
{
	b->p.sample_type = calloc(tmpl->n_sample_type + 1, sizeof(void *));
	if (!b->p.sample_type) {
		failed(b, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < tmpl->n_sample_type; i++) {
		pb_value_type *v = value_type(b, tmpl, tmpl->sample_type[i]);

		if (!v)
			return -1;
		b->p.sample_type[b->p.n_sample_type++] = v;
	}
	if (tmpl->period_type) {
		b->p.period_type = value_type(b, tmpl, tmpl->period_type);
		if (!b->p.period_type)
			return -1;
	}
	b->p.period = tmpl->period;
	if (tmpl->default_sample_type)
		b->p.default_sample_type =
			string(b, tmpl->string_table[tmpl->default_sample_type]);
	return b->failed ? -1 : 0;
}

int lp_builder_comment(struct lp_builder *b, const char *text)
{
	int64_t ix, *comment;

	if (!text[0])
		return 0;
	ix = string(b, text);
	if (b->failed)
		return -1;
	comment = realloc(b->p.comment, (b->p.n_comment + 1) * sizeof(*comment));
	if (!comment) {
		failed(b, "out of memory");
		return -1;
	}
	b->p.comment = comment;
	b->p.comment[b->p.n_comment++] = ix;
	return 0;
}

static uint64_t function(struct lp_builder *b, const lp_profile *src,
			 const pb_function *f)
{
	pb_function n = PERFTOOLS__PROFILES__FUNCTION__INIT;
	uint64_t id;

	n.name = string(b, src->string_table[f->name]);
	n.system_name = string(b, src->string_table[f->system_name]);
	n.filename = string(b, src->string_table[f->filename]);
	n.start_line = f->start_line;
	if (b->failed)
		return 0;
	id = lp_pprof_writer_function(b->w, &n);
	if (!id)
		writer_failed(b);
	return id;
}

/* pprof's key of a mapping: one binary maps alike in every process. */
struct mapping_key {
	const struct lp_builder *b;
	uint64_t size, file_offset;
	const char *binary; /* build-id, else file name */
};

/* pprof rounds sizes to pages. */
static uint64_t mapping_size(const pb_mapping *m)
{
	return ((m->memory_limit - m->memory_start) + 0xfff) & ~0xfffull;
}

static bool mapping_is(const void *ctx, uint32_t i)
{
	const struct mapping_key *k = ctx;
	const pb_mapping *m = lp_pprof_writer_mapping_at(k->b->w, i + 1);
	int64_t binary = m->build_id ? m->build_id : m->filename;

	return mapping_size(m) == k->size && m->file_offset == k->file_offset &&
	       !strcmp(lp_pprof_writer_string_at(k->b->w, binary), k->binary);
}

static uint64_t mapping_hash(const struct mapping_key *k)
{
	uint64_t h = lp_hash_word(LP_HASH_SEED, k->size);

	h = lp_hash_word(h, k->file_offset);
	return lp_hash_bytes(h, k->binary, strlen(k->binary));
}

/* The mapping's id, and in *delta what to add to src addresses in it. */
static uint64_t mapping(struct lp_builder *b, const lp_profile *src,
			const pb_mapping *m, int64_t *delta)
{
	const char *build_id = src->string_table[m->build_id];
	const char *file = src->string_table[m->filename];
	struct mapping_key k = {b, mapping_size(m), m->file_offset,
				build_id[0] ? build_id : file};
	uint64_t hash = mapping_hash(&k);
	uint32_t i = lp_hashtab_find(&b->mappings, hash, mapping_is, &k);
	pb_mapping *t;

	if (i == LP_HASHTAB_NONE) {
		pb_mapping n = *m;
		uint64_t id;

		n.filename = string(b, file);
		n.build_id = string(b, build_id);
		if (b->failed)
			return 0;
		id = lp_pprof_writer_mapping(b->w, &n);
		if (!id || lp_hashtab_add(&b->mappings, hash, (uint32_t)id - 1)) {
			failed(b, "out of memory");
			return 0;
		}
		i = (uint32_t)id - 1;
	}
	t = lp_pprof_writer_mapping_at(b->w, i + 1);
	/* A mapping is complete only if it is complete in every input. */
	t->has_functions &= m->has_functions;
	t->has_filenames &= m->has_filenames;
	t->has_line_numbers &= m->has_line_numbers;
	t->has_inline_frames &= m->has_inline_frames;
	*delta = (int64_t)(t->memory_start - m->memory_start);
	return i + 1;
}

static uint64_t location(struct lp_builder *b, const lp_profile *src,
			 const struct lp_pprof_index *ix, const pb_location *l)
{
	pb_location n = PERFTOOLS__PROFILES__LOCATION__INIT;
	pb_line *line = calloc(l->n_line + 1, sizeof(*line));
	pb_line **linep = calloc(l->n_line + 1, sizeof(*linep));
	int64_t delta = 0;
	uint64_t id = 0;

	if (!line || !linep)
		failed(b, "out of memory");
	else if (l->mapping_id)
		n.mapping_id = mapping(b, src,
				       lp_pprof_mapping(ix, l->mapping_id),
				       &delta);
	n.address = l->address + (uint64_t)delta;
	n.is_folded = l->is_folded;
	for (size_t i = 0; i < l->n_line && !b->failed; i++) {
		const pb_line *sl = l->line[i];

		perftools__profiles__line__init(&line[i]);
		line[i].function_id =
			function(b, src, lp_pprof_function(ix, sl->function_id));
		line[i].line = sl->line;
		line[i].column = sl->column;
		linep[n.n_line++] = &line[i];
	}
	n.line = linep;
	if (!b->failed && !(id = lp_pprof_writer_location(b->w, &n)))
		writer_failed(b);
	free(line);
	free(linep);
	return id;
}

static int sample(struct lp_builder *b, const lp_profile *src,
		  const pb_sample *s, uint64_t *locs, int64_t *values)
{
	pb_sample n = PERFTOOLS__PROFILES__SAMPLE__INIT;
	pb_label *label = calloc(s->n_label + 1, sizeof(*label));
	pb_label **labelp = calloc(s->n_label + 1, sizeof(*labelp));

	if (!label || !labelp)
		failed(b, "out of memory");
	for (size_t i = 0; i < s->n_label && !b->failed; i++) {
		const pb_label *sl = s->label[i];

		perftools__profiles__label__init(&label[i]);
		label[i].key = string(b, src->string_table[sl->key]);
		label[i].str = string(b, src->string_table[sl->str]);
		label[i].num = sl->num;
		label[i].num_unit = string(b, src->string_table[sl->num_unit]);
		labelp[n.n_label++] = &label[i];
	}
	n.location_id = locs;
	n.n_location_id = s->n_location_id;
	n.value = values;
	n.n_value = b->p.n_sample_type;
	n.label = labelp;
	if (!b->failed && lp_pprof_writer_sample(b->w, &n))
		writer_failed(b);
	free(label);
	free(labelp);
	return b->failed ? -1 : 0;
}

/* Value index in src of each header sample type, or -1. */
static int match_types(struct lp_builder *b, const lp_profile *src, int *map)
{
	for (size_t i = 0; i < b->p.n_sample_type; i++) {
		const pb_value_type *v = b->p.sample_type[i];

		map[i] = -1;
		for (size_t j = 0; j < src->n_sample_type; j++) {
			const pb_value_type *w = src->sample_type[j];

			if (!strcmp(lp_pprof_writer_string_at(b->w, v->type),
				    src->string_table[w->type]) &&
			    !strcmp(lp_pprof_writer_string_at(b->w, v->unit),
				    src->string_table[w->unit]))
				map[i] = (int)j;
		}
		if (map[i] < 0) {
			failed(b, "sample types differ");
			return -1;
		}
	}
	return 0;
}
int lp_builder_add(struct lp_builder *b, const lp_profile *src, double scale)
{
	size_t nt = b->p.n_sample_type;
	struct lp_pprof_index *ix = lp_pprof_index_new(src);
	int *map = calloc(nt + 1, sizeof(int));
	int64_t *values = calloc(nt + 1, sizeof(int64_t));
	uint64_t *locs = NULL;

	if (!ix || !map || !values)
		failed(b, "out of memory");
	else if (!b->failed)
		match_types(b, src, map);
	for (size_t i = 0; i < src->n_sample && !b->failed; i++) {
		const pb_sample *s = src->sample[i];

		free(locs);
		locs = malloc((s->n_location_id + 1) * sizeof(*locs));
		if (!locs) {
			failed(b, "out of memory");
			break;
		}
		for (size_t j = 0; j < s->n_location_id; j++)
			locs[j] = location(b, src, ix, lp_pprof_location(ix,
					   s->location_id[j]));
		for (size_t k = 0; k < nt; k++) {
			double v = nearbyint((double)s->value[map[k]] * scale);

			if (!(fabs(v) < 9.2e18)) {
				failed(b, "sample values overflow 64 bits");
				break;
			}
			values[k] = (int64_t)v;
		}
		if (!b->failed)
			sample(b, src, s, locs, values);
	}
	free(locs);
	free(values);
	free(map);
	lp_pprof_index_free(ix);
	return b->failed ? -1 : 0;
}

int lp_builder_write(struct lp_builder *b, const char *path, char *err,
		     size_t errlen)
{
	uint8_t *gz;
	size_t gzlen;
	FILE *f;
	int ok;

	if (b->failed) {
		snprintf(err, errlen, "%s", b->why);
		return -1;
	}
	if (lp_pprof_writer_pack(b->w, &b->p, Z_DEFAULT_COMPRESSION, &gz,
				 &gzlen)) {
		snprintf(err, errlen, "out of memory compressing the profile");
		return -1;
	}
	f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(gz);
		return -1;
	}
	ok = fwrite(gz, 1, gzlen, f) == gzlen;
	ok = (f == stdout ? fflush(f) : fclose(f)) == 0 && ok;
	free(gz);
	if (!ok) {
		snprintf(err, errlen, "%s: write failed: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void lp_builder_free(struct lp_builder *b)
{
	for (size_t i = 0; i < b->p.n_sample_type; i++)
		free(b->p.sample_type[i]);
	free(b->p.sample_type);
	free(b->p.period_type);
	free(b->p.comment);
	lp_pprof_writer_free(b->w);
	lp_hashtab_free(&b->mappings);
}
