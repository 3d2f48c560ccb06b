/* SPDX-License-Identifier: MIT */
/*
 * Decoding and validating pprof files. Every check here is one a reader
 * would otherwise have to repeat before indexing, and every failure is
 * reported as one line.
 */
#include "pprof_decode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef Perftools__Profiles__Location lp_location;
typedef Perftools__Profiles__Function lp_function;
typedef Perftools__Profiles__Mapping lp_mapping;

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- ids ---------------------------------------------------------------- */

struct id_entry {
	uint64_t id;
	const void *obj;
};

struct id_table {
	size_t n;
	struct id_entry *e;
};

struct lp_pprof_index {
	struct id_table loc, fn, map;
};

static int cmp_id(const void *a, const void *b)
{
	uint64_t x = ((const struct id_entry *)a)->id;
	uint64_t y = ((const struct id_entry *)b)->id;

	return x < y ? -1 : x > y;
}

/* Sorted (id, object) pairs of the n messages in objs. */
static int table_build(struct id_table *t, void *const *objs, size_t n,
		       uint64_t (*getid)(const void *))
{
	t->n = n;
	t->e = NULL;
	if (!n)
		return 0;
	t->e = malloc(n * sizeof(*t->e));
	if (!t->e)
		return -1;
	for (size_t i = 0; i < n; i++) {
		t->e[i].id = getid(objs[i]);
		t->e[i].obj = objs[i];
	}
	qsort(t->e, n, sizeof(*t->e), cmp_id);
	return 0;
}

static const void *table_find(const struct id_table *t, uint64_t id)
{
	struct id_entry key = { .id = id };
	const struct id_entry *e;

	if (!t->n)
		return NULL;
	e = bsearch(&key, t->e, t->n, sizeof(*t->e), cmp_id);
	return e ? e->obj : NULL;
}

/* 0 when ids are nonzero and unique, else the offending id (0 or a dup)
 * in *bad and -1. */
static int table_check(const struct id_table *t, uint64_t *bad)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].id == 0 || (i && t->e[i].id == t->e[i - 1].id)) {
			*bad = t->e[i].id;
			return -1;
		}
	}
	return 0;
}

static uint64_t loc_id(const void *o) { return ((const lp_location *)o)->id; }
static uint64_t fn_id(const void *o) { return ((const lp_function *)o)->id; }
static uint64_t map_id(const void *o) { return ((const lp_mapping *)o)->id; }

struct lp_pprof_index *lp_pprof_index_new(const lp_profile *p)
{
	struct lp_pprof_index *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	if (table_build(&ix->loc, (void *const *)p->location, p->n_location,
			loc_id) ||
	    table_build(&ix->fn, (void *const *)p->function, p->n_function,
			fn_id) ||
	    table_build(&ix->map, (void *const *)p->mapping, p->n_mapping,
			map_id)) {
		lp_pprof_index_free(ix);
		return NULL;
	}
	return ix;
}

void lp_pprof_index_free(struct lp_pprof_index *ix)
{
	if (!ix)
		return;
	free(ix->loc.e);
	free(ix->fn.e);
	free(ix->map.e);
	free(ix);
}

const lp_location *lp_pprof_location(const struct lp_pprof_index *ix,
				     uint64_t id)
{
	return table_find(&ix->loc, id);
}

const lp_function *lp_pprof_function(const struct lp_pprof_index *ix,
				     uint64_t id)
{
	return table_find(&ix->fn, id);
}

const lp_mapping *lp_pprof_mapping(const struct lp_pprof_index *ix,
				   uint64_t id)
{
	return table_find(&ix->map, id);
}

/* ---- validation --------------------------------------------------------- */

#define STR_OK(p, i) ((i) >= 0 && (uint64_t)(i) < (uint64_t)(p)->n_string_table)

static int check_str(const lp_profile *p, int64_t i, const char *what,
		     char *err, size_t errlen)
{
	if (STR_OK(p, i))
		return 0;
	fail(err, errlen, "invalid profile: %s string index %lld out of range "
	     "(string table has %zu entries)", what, (long long)i,
	     p->n_string_table);
	return -1;
}

static int check_ids(const struct lp_pprof_index *ix, char *err,
		     size_t errlen)
{
	static const char *const what[] = { "location", "function", "mapping" };
	const struct id_table *t[] = { &ix->loc, &ix->fn, &ix->map };
	uint64_t bad;

	for (int i = 0; i < 3; i++) {
		if (table_check(t[i], &bad)) {
			if (bad)
				fail(err, errlen, "invalid profile: duplicate "
				     "%s id %llu", what[i],
				     (unsigned long long)bad);
			else
				fail(err, errlen, "invalid profile: %s with "
				     "id 0", what[i]);
			return -1;
		}
	}
	return 0;
}

static int check_header(const lp_profile *p, char *err, size_t errlen)
{
	if (p->n_string_table == 0 || !p->string_table[0] ||
	    p->string_table[0][0] != '\0') {
		fail(err, errlen, "not a pprof profile: string_table[0] is not "
		     "the empty string");
		return -1;
	}
	for (size_t i = 0; i < p->n_sample_type; i++) {
		if (check_str(p, p->sample_type[i]->type, "sample type", err,
			      errlen) ||
		    check_str(p, p->sample_type[i]->unit, "sample unit", err,
			      errlen))
			return -1;
	}
	if (p->period_type &&
	    (check_str(p, p->period_type->type, "period type", err, errlen) ||
	     check_str(p, p->period_type->unit, "period unit", err, errlen)))
		return -1;
	for (size_t i = 0; i < p->n_comment; i++)
		if (check_str(p, p->comment[i], "comment", err, errlen))
			return -1;
	if (check_str(p, p->drop_frames, "drop_frames", err, errlen) ||
	    check_str(p, p->keep_frames, "keep_frames", err, errlen) ||
	    check_str(p, p->default_sample_type, "default_sample_type", err,
		      errlen) ||
	    check_str(p, p->doc_url, "doc_url", err, errlen))
		return -1;
	if (p->duration_nanos < 0) {
		fail(err, errlen, "invalid profile: negative duration_nanos "
		     "%lld", (long long)p->duration_nanos);
		return -1;
	}
	return 0;
}

static int check_tables(const lp_profile *p, const struct lp_pprof_index *ix,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n_mapping; i++) {
		const lp_mapping *m = p->mapping[i];

		if (check_str(p, m->filename, "mapping filename", err, errlen) ||
		    check_str(p, m->build_id, "mapping build_id", err, errlen))
			return -1;
	}
	for (size_t i = 0; i < p->n_function; i++) {
		const lp_function *f = p->function[i];

		if (check_str(p, f->name, "function name", err, errlen) ||
		    check_str(p, f->system_name, "function system_name", err,
			      errlen) ||
		    check_str(p, f->filename, "function filename", err, errlen))
			return -1;
	}
	for (size_t i = 0; i < p->n_location; i++) {
		const lp_location *l = p->location[i];

		if (l->mapping_id && !lp_pprof_mapping(ix, l->mapping_id)) {
			fail(err, errlen, "invalid profile: location %llu refers "
			     "to missing mapping %llu",
			     (unsigned long long)l->id,
			     (unsigned long long)l->mapping_id);
			return -1;
		}
		for (size_t j = 0; j < l->n_line; j++) {
			uint64_t fid = l->line[j]->function_id;

			if (!lp_pprof_function(ix, fid)) {
				fail(err, errlen, "invalid profile: location "
				     "%llu refers to missing function %llu",
				     (unsigned long long)l->id,
				     (unsigned long long)fid);
				return -1;
			}
		}
	}
	return 0;
}

static int check_samples(const lp_profile *p, const struct lp_pprof_index *ix,
			 char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];

		if (s->n_value != p->n_sample_type) {
			fail(err, errlen, "invalid profile: sample %zu has %zu "
			     "values for %zu sample types", i, s->n_value,
			     p->n_sample_type);
			return -1;
		}
		for (size_t j = 0; j < s->n_location_id; j++) {
			if (!lp_pprof_location(ix, s->location_id[j])) {
				fail(err, errlen, "invalid profile: sample %zu "
				     "refers to missing location %llu", i,
				     (unsigned long long)s->location_id[j]);
				return -1;
			}
		}
		for (size_t j = 0; j < s->n_label; j++) {
			const Perftools__Profiles__Label *l = s->label[j];

			if (check_str(p, l->key, "label key", err, errlen) ||
			    check_str(p, l->str, "label value", err, errlen) ||
			    check_str(p, l->num_unit, "label unit", err,
				      errlen))
				return -1;
		}
	}
	return 0;
}

static int validate(const lp_profile *p, char *err, size_t errlen)
{
	struct lp_pprof_index *ix;
	int rc;

	if (check_header(p, err, errlen))
		return -1;
	ix = lp_pprof_index_new(p);
	if (!ix) {
		fail(err, errlen, "out of memory");
		return -1;
	}
	rc = check_ids(ix, err, errlen) || check_tables(p, ix, err, errlen) ||
	     check_samples(p, ix, err, errlen) ? -1 : 0;
	lp_pprof_index_free(ix);
	return rc;
}

/* ---- gzip --------------------------------------------------------------- */

static int is_gzip(const uint8_t *buf, size_t len)
{
	return len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
}

/* Inflate all gzip members of buf into a malloc'd buffer. */
static uint8_t *gunzip(const uint8_t *buf, size_t len, size_t *outlen,
		       char *err, size_t errlen)
{
	z_stream zs = { 0 };
	size_t cap = len * 4 < 4096 ? 4096 : len * 4, used = 0;
	uint8_t *out = NULL;
	int rc;

	if (len > LP_PPROF_MAX_BYTES) {
		fail(err, errlen, "input too large (more than %zu bytes)",
		     (size_t)LP_PPROF_MAX_BYTES);
		return NULL;
	}
	if (inflateInit2(&zs, 15 + 32) != Z_OK) {
		fail(err, errlen, "cannot initialize zlib");
		return NULL;
	}
	zs.next_in = (Bytef *)buf;
	zs.avail_in = (uInt)len;
	for (;;) {
		if (used == cap || !out) {
			uint8_t *n;

			if (out)
				cap *= 2;
			if (cap > LP_PPROF_MAX_BYTES)
				cap = LP_PPROF_MAX_BYTES;
			if (used == cap) {
				fail(err, errlen, "decompressed profile too "
				     "large (more than %zu bytes)",
				     (size_t)LP_PPROF_MAX_BYTES);
				goto bad;
			}
			n = realloc(out, cap);
			if (!n) {
				fail(err, errlen, "out of memory");
				goto bad;
			}
			out = n;
		}
		zs.next_out = out + used;
		zs.avail_out = (uInt)(cap - used);
		rc = inflate(&zs, Z_NO_FLUSH);
		used = cap - zs.avail_out;
		if (rc == Z_STREAM_END) {
			if (zs.avail_in == 0)
				break;
			/* Concatenated members are one stream for gzip(1). */
			if (!is_gzip(zs.next_in, zs.avail_in)) {
				fail(err, errlen, "corrupt gzip data: trailing "
				     "garbage after the compressed stream");
				goto bad;
			}
			inflateReset(&zs);
			continue;
		}
		/* Z_BUF_ERROR with room left: no input to make progress. */
		if (rc == Z_OK || (rc == Z_BUF_ERROR && zs.avail_out == 0))
			continue;
		if (rc == Z_BUF_ERROR) {
			fail(err, errlen, "truncated gzip data");
			goto bad;
		}
		fail(err, errlen, "corrupt gzip data: %s",
		     zs.msg ? zs.msg : "inflate failed");
		goto bad;
	}
	inflateEnd(&zs);
	*outlen = used;
	return out;
bad:
	inflateEnd(&zs);
	free(out);
	return NULL;
}

/* ---- entry points ------------------------------------------------------- */

lp_profile *lp_pprof_decode(const uint8_t *buf, size_t len, char *err,
			    size_t errlen)
{
	uint8_t *plain = NULL;
	int gz = is_gzip(buf, len);
	lp_profile *p;

	if (len == 0) {
		fail(err, errlen, "not a pprof profile: empty input");
		return NULL;
	}
	if (gz) {
		plain = gunzip(buf, len, &len, err, errlen);
		if (!plain)
			return NULL;
		buf = plain;
	} else if (len > LP_PPROF_MAX_BYTES) {
		fail(err, errlen, "input too large (more than %zu bytes)",
		     (size_t)LP_PPROF_MAX_BYTES);
		return NULL;
	}
	p = perftools__profiles__profile__unpack(NULL, len, buf);
	free(plain);
	if (!p) {
		fail(err, errlen, "not a pprof profile: protobuf decoding "
		     "failed%s", gz ? "" : " (and not gzip-compressed)");
		return NULL;
	}
	if (validate(p, err, errlen)) {
		lp_pprof_free(p);
		return NULL;
	}
	return p;
}

static uint8_t *slurp(FILE *f, size_t *len, char *err, size_t errlen)
{
	size_t cap = 65536, used = 0;
	uint8_t *buf = malloc(cap);

	if (!buf) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	for (;;) {
		size_t n = fread(buf + used, 1, cap - used, f);

		used += n;
		if (n == 0)
			break;
		if (used == cap) {
			uint8_t *nb;

			if (cap > LP_PPROF_MAX_BYTES) {
				fail(err, errlen, "input too large (more than "
				     "%zu bytes)", (size_t)LP_PPROF_MAX_BYTES);
				free(buf);
				return NULL;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				fail(err, errlen, "out of memory");
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		fail(err, errlen, "read error: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	*len = used;
	return buf;
}

lp_profile *lp_pprof_read_file(const char *path, char *err, size_t errlen)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	char why[256];
	uint8_t *buf;
	size_t len;
	lp_profile *p = NULL;

	if (!f) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = slurp(f, &len, why, sizeof(why));
	if (!is_stdin)
		fclose(f);
	if (buf)
		p = lp_pprof_decode(buf, len, why, sizeof(why));
	free(buf);
	if (!p)
		fail(err, errlen, "%s: %s", is_stdin ? "<stdin>" : path, why);
	return p;
}

void lp_pprof_free(lp_profile *p)
{
	if (p)
		perftools__profiles__profile__free_unpacked(p, NULL);
}
