#include "pprof_build.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sbuf.h"

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

/* Room for element n of *arr: arrays grow at powers of two. */
static int room(struct lp_builder *b, void *arr, size_t n, size_t size)
{
	void **a = arr, *na;

	if (n & (n - 1))
		return 0;
	na = realloc(*a, (n ? 2 * n : 1) * size);
	if (!na) {
		failed(b, "out of memory");
		return -1;
	}
	*a = na;
	return 0;
}

/* New message of `size` bytes initialized from `init`, appended to arr. */
static void *append(struct lp_builder *b, void *arr, size_t *n,
		    const void *init, size_t size)
{
	void ***a = arr;
	void *m;

	if (room(b, a, *n, sizeof(void *)))
		return NULL;
	m = malloc(size);
	if (!m) {
		failed(b, "out of memory");
		return NULL;
	}
	memcpy(m, init, size);
	(*a)[(*n)++] = m;
	return m;
}

static int64_t string(struct lp_builder *b, const char *s)
{
	size_t len = strlen(s), idx;
	int added;

	idx = strmap_put(&b->strings, s, len, b->p.n_string_table, &added);
	if (idx == (size_t)-1) {
		failed(b, "out of memory");
		return 0;
	}
	if (added) {
		char *copy = strdup(s);

		if (!copy || room(b, &b->p.string_table, b->p.n_string_table,
				  sizeof(char *))) {
			free(copy);
			failed(b, "out of memory");
			return 0;
		}
		b->p.string_table[b->p.n_string_table++] = copy;
	}
	return (int64_t)idx;
}

void lp_builder_init(struct lp_builder *b)
{
	static const lp_profile init = PERFTOOLS__PROFILES__PROFILE__INIT;

	memset(b, 0, sizeof(*b));
	b->p = init;
	string(b, ""); /* string_table[0] */
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
	int64_t ix;

	if (!text[0])
		return 0;
	ix = string(b, text);
	if (b->failed || room(b, &b->p.comment, b->p.n_comment, sizeof(int64_t)))
		return -1;
	b->p.comment[b->p.n_comment++] = ix;
	return 0;
}

static uint64_t function(struct lp_builder *b, const lp_profile *src,
			 const pb_function *f)
{
	static const pb_function init = PERFTOOLS__PROFILES__FUNCTION__INIT;
	pb_function n = init, *m;
	struct sbuf key = { 0 };
	size_t idx;
	int added;

	n.name = string(b, src->string_table[f->name]);
	n.system_name = string(b, src->string_table[f->system_name]);
	n.filename = string(b, src->string_table[f->filename]);
	n.start_line = f->start_line;
	n.id = b->p.n_function + 1;
	sb_printf(&key, "%lld %lld %lld %lld", (long long)n.name,
		  (long long)n.system_name, (long long)n.filename,
		  (long long)n.start_line);
	if (key.oom) {
		failed(b, "out of memory");
		return 0;
	}
	idx = strmap_put(&b->functions, key.s, key.len, n.id, &added);
	sb_free(&key);
	if (idx == (size_t)-1) {
		failed(b, "out of memory");
		return 0;
	}
	if (added) {
		m = append(b, &b->p.function, &b->p.n_function, &n, sizeof(n));
		if (!m)
			return 0;
	}
	return idx;
}

/* The mapping's id, and in *delta what to add to src addresses in it. */
static uint64_t mapping(struct lp_builder *b, const lp_profile *src,
			const pb_mapping *m, int64_t *delta)
{
	static const pb_mapping init = PERFTOOLS__PROFILES__MAPPING__INIT;
	const char *build_id = src->string_table[m->build_id];
	const char *file = src->string_table[m->filename];
	/* pprof rounds sizes to pages: one binary maps alike everywhere. */
	uint64_t size = ((m->memory_limit - m->memory_start) + 0xfff) & ~0xfffull;
	pb_mapping n = init, *t;
	struct sbuf key = { 0 };
	size_t idx;
	int added;

	sb_printf(&key, "%llx %llx %s", (unsigned long long)size,
		  (unsigned long long)m->file_offset,
		  build_id[0] ? build_id : file);
	if (key.oom) {
		failed(b, "out of memory");
		return 0;
	}
	idx = strmap_put(&b->mappings, key.s, key.len, b->p.n_mapping + 1,
			 &added);
	sb_free(&key);
	if (idx == (size_t)-1) {
		failed(b, "out of memory");
		return 0;
	}
	if (added) {
		n = *m;
		n.base = init.base;
		n.id = idx;
		n.filename = string(b, file);
		n.build_id = string(b, build_id);
		if (!append(b, &b->p.mapping, &b->p.n_mapping, &n, sizeof(n)))
			return 0;
	}
	t = b->p.mapping[idx - 1];
	/* A mapping is complete only if it is complete in every input. */
	t->has_functions &= m->has_functions;
	t->has_filenames &= m->has_filenames;
	t->has_line_numbers &= m->has_line_numbers;
	t->has_inline_frames &= m->has_inline_frames;
	*delta = (int64_t)(t->memory_start - m->memory_start);
	return idx;
}

static uint64_t location(struct lp_builder *b, const lp_profile *src,
			 const struct lp_pprof_index *ix, const pb_location *l)
{
	static const pb_location init = PERFTOOLS__PROFILES__LOCATION__INIT;
	static const pb_line line_init = PERFTOOLS__PROFILES__LINE__INIT;
	pb_location n = init;
	struct sbuf key = { 0 };
	int64_t delta = 0;
	size_t idx;
	int added;

	if (l->mapping_id)
		n.mapping_id = mapping(b, src, lp_pprof_mapping(ix, l->mapping_id),
				       &delta);
	n.address = l->address + (uint64_t)delta;
	n.is_folded = l->is_folded;
	n.line = calloc(l->n_line + 1, sizeof(pb_line *));
	if (!n.line) {
		failed(b, "out of memory");
		return 0;
	}
	sb_printf(&key, "%llu %llx %d", (unsigned long long)n.mapping_id,
		  (unsigned long long)n.address, n.is_folded);
	for (size_t i = 0; i < l->n_line; i++) {
		const pb_line *sl = l->line[i];
		pb_line *nl = malloc(sizeof(*nl));

		if (!nl) {
			failed(b, "out of memory");
			break;
		}
		*nl = line_init;
		nl->function_id =
			function(b, src, lp_pprof_function(ix, sl->function_id));
		nl->line = sl->line;
		nl->column = sl->column;
		n.line[n.n_line++] = nl;
		sb_printf(&key, " %llu:%lld:%lld",
			  (unsigned long long)nl->function_id,
			  (long long)nl->line, (long long)nl->column);
	}
	n.id = b->p.n_location + 1;
	idx = key.oom || b->failed ? (size_t)-1 :
		strmap_put(&b->locations, key.s, key.len, n.id, &added);
	sb_free(&key);
	if (idx == (size_t)-1 || !added ||
	    !append(b, &b->p.location, &b->p.n_location, &n, sizeof(n))) {
		for (size_t i = 0; i < n.n_line; i++)
			free(n.line[i]);
		free(n.line);
		if (idx == (size_t)-1)
			failed(b, "out of memory");
	}
	return b->failed ? 0 : idx;
}

static int add_values(struct lp_builder *b, int64_t *to, const int64_t *from,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (__builtin_add_overflow(to[i], from[i], &to[i])) {
			failed(b, "sample values overflow 64 bits");
			return -1;
		}
	}
	return 0;
}

static int sample(struct lp_builder *b, const lp_profile *src,
		  const pb_sample *s, const uint64_t *locs,
		  const int64_t *values)
{
	static const pb_sample init = PERFTOOLS__PROFILES__SAMPLE__INIT;
	static const pb_label label_init = PERFTOOLS__PROFILES__LABEL__INIT;
	pb_sample n = init, *t;
	struct sbuf key = { 0 };
	size_t idx;
	int added;

	sb_add(&key, (const char *)locs, s->n_location_id * sizeof(*locs));
	n.label = calloc(s->n_label + 1, sizeof(pb_label *));
	if (!n.label) {
		failed(b, "out of memory");
		sb_free(&key);
		return -1;
	}
	for (size_t i = 0; i < s->n_label; i++) {
		const pb_label *sl = s->label[i];
		pb_label *nl = malloc(sizeof(*nl));

		if (!nl)
			break;
		*nl = label_init;
		nl->key = string(b, src->string_table[sl->key]);
		nl->str = string(b, src->string_table[sl->str]);
		nl->num = sl->num;
		nl->num_unit = string(b, src->string_table[sl->num_unit]);
		n.label[n.n_label++] = nl;
		sb_printf(&key, "|%lld %lld %lld %lld", (long long)nl->key,
			  (long long)nl->str, (long long)nl->num,
			  (long long)nl->num_unit);
	}
	idx = key.oom || n.n_label < s->n_label ? (size_t)-1 :
		strmap_put(&b->samples, key.s, key.len, b->p.n_sample, &added);
	sb_free(&key);
	if (idx != (size_t)-1 && added) {
		n.n_location_id = s->n_location_id;
		n.location_id = malloc((s->n_location_id + 1) * sizeof(uint64_t));
		n.n_value = b->p.n_sample_type;
		n.value = calloc(n.n_value + 1, sizeof(int64_t));
		if (n.location_id && n.value &&
		    append(b, &b->p.sample, &b->p.n_sample, &n, sizeof(n))) {
			memcpy(n.location_id, locs,
			       s->n_location_id * sizeof(uint64_t));
			return add_values(b, n.value, values, n.n_value);
		}
		free(n.location_id);
		free(n.value);
	}
	for (size_t i = 0; i < n.n_label; i++)
		free(n.label[i]);
	free(n.label);
	if (idx == (size_t)-1 || added) {
		failed(b, "out of memory");
		return -1;
	}
	t = b->p.sample[idx];
	return add_values(b, t->value, values, t->n_value);
}

/* Value index in src of each header sample type, or -1. */
static int match_types(struct lp_builder *b, const lp_profile *src, int *map)
{
	for (size_t i = 0; i < b->p.n_sample_type; i++) {
		const pb_value_type *v = b->p.sample_type[i];

		map[i] = -1;
		for (size_t j = 0; j < src->n_sample_type; j++) {
			const pb_value_type *w = src->sample_type[j];

			if (!strcmp(b->p.string_table[v->type],
				    src->string_table[w->type]) &&
			    !strcmp(b->p.string_table[v->unit],
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
	else
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

static int gzip_buf(const uint8_t *in, size_t len, uint8_t **out,
		    size_t *outlen)
{
	z_stream zs = { 0 };
	size_t cap;

	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	cap = deflateBound(&zs, len);
	*out = malloc(cap);
	if (!*out) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		free(*out);
		return -1;
	}
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	return 0;
}

static int all_zero(const pb_sample *s)
{
	for (size_t i = 0; i < s->n_value; i++)
		if (s->value[i])
			return 0;
	return 1;
}

int lp_builder_write(struct lp_builder *b, const char *path, char *err,
		     size_t errlen)
{
	size_t kept = 0, all = b->p.n_sample, packed, gzlen = 0;
	uint8_t *buf, *gz = NULL;
	FILE *f;
	int ok;

	if (b->failed) {
		snprintf(err, errlen, "%s", b->why);
		return -1;
	}
	/* All-zero samples move to the end, past the count that is packed. */
	for (size_t i = 0; i < all; i++) {
		if (!all_zero(b->p.sample[i])) {
			pb_sample *t = b->p.sample[kept];

			b->p.sample[kept++] = b->p.sample[i];
			b->p.sample[i] = t;
		}
	}
	b->p.n_sample = kept;
	packed = perftools__profiles__profile__get_packed_size(&b->p);
	buf = malloc(packed ? packed : 1);
	if (buf)
		perftools__profiles__profile__pack(&b->p, buf);
	b->p.n_sample = all;
	if (!buf || gzip_buf(buf, packed, &gz, &gzlen)) {
		free(buf);
		snprintf(err, errlen, "out of memory compressing the profile");
		return -1;
	}
	free(buf);
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
	lp_profile *p = &b->p;

	for (size_t i = 0; i < p->n_sample_type; i++)
		free(p->sample_type[i]);
	free(p->sample_type);
	free(p->period_type);
	for (size_t i = 0; i < p->n_sample; i++) {
		for (size_t j = 0; j < p->sample[i]->n_label; j++)
			free(p->sample[i]->label[j]);
		free(p->sample[i]->label);
		free(p->sample[i]->location_id);
		free(p->sample[i]->value);
		free(p->sample[i]);
	}
	free(p->sample);
	for (size_t i = 0; i < p->n_mapping; i++)
		free(p->mapping[i]);
	free(p->mapping);
	for (size_t i = 0; i < p->n_location; i++) {
		for (size_t j = 0; j < p->location[i]->n_line; j++)
			free(p->location[i]->line[j]);
		free(p->location[i]->line);
		free(p->location[i]);
	}
	free(p->location);
	for (size_t i = 0; i < p->n_function; i++)
		free(p->function[i]);
	free(p->function);
	free(p->comment);
	for (size_t i = 0; i < p->n_string_table; i++)
		free(p->string_table[i]);
	free(p->string_table);
	strmap_free(&b->strings);
	strmap_free(&b->functions);
	strmap_free(&b->mappings);
	strmap_free(&b->locations);
	strmap_free(&b->samples);
}
