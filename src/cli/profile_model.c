/* SPDX-License-Identifier: MIT */
#include "profile_model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "primitives.h"
#include "sbuf.h"
#include "srcpath.h"
#include "url.h"

const char *const lp_label_keys[LP_KEYS] = { "lock", "thread", "wait" };

/* The sample's string labels of lp_label_keys (the first of each key). */
static void read_labels(const lp_profile *p, const Perftools__Profiles__Sample *s,
			struct lp_model_stack *st)
{
	for (size_t i = 0; i < s->n_label; i++) {
		const Perftools__Profiles__Label *l = s->label[i];

		if (!l->str)
			continue;
		for (int k = 0; k < LP_KEYS; k++)
			if (!st->labels[k] && !strcmp(p->string_table[l->key], lp_label_keys[k]))
				st->labels[k] = p->string_table[l->str];
	}
}

static int find_type(const lp_profile *p, const char *type, const char *unit)
{
	for (size_t i = 0; i < p->n_sample_type; i++) {
		const Perftools__Profiles__ValueType *v = p->sample_type[i];

		if (!strcmp(p->string_table[v->type], type) &&
		    !strcmp(p->string_table[v->unit], unit))
			return (int)i;
	}
	return -1;
}

static void describe_types(const lp_profile *p, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_sample_type && off < len; i++) {
		const Perftools__Profiles__ValueType *v = p->sample_type[i];
		int n = snprintf(buf + off, len - off, "%s%s/%s", i ? ", " : "",
				 p->string_table[v->type],
				 p->string_table[v->unit]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Index of the frame (func, file, line), added when new; -1 when OOM. */
static int64_t intern_frame(struct lp_model *m, const char *func,
			    const char *file, int64_t line)
{
	struct sbuf key = { 0 };
	size_t idx;
	int added;

	sb_str(&key, func);
	sb_add(&key, "", 1);
	sb_str(&key, file);
	sb_printf(&key, "%c%" PRId64, 0, line);
	if (key.oom)
		return -1;
	idx = strmap_put(&m->frame_ix, key.s, key.len, m->n_frames, &added);
	sb_free(&key);
	if (idx == (size_t)-1)
		return -1;
	if (added) {
		struct lp_frame *f;

		if ((m->n_frames & (m->n_frames - 1)) == 0) {
			size_t cap = m->n_frames ? m->n_frames * 2 : 16;
			struct lp_frame *nf = realloc(m->frames,
						      cap * sizeof(*nf));

			if (!nf)
				return -1;
			m->frames = nf;
		}
		f = &m->frames[m->n_frames];
		f->func = strdup(func);
		f->file = file[0] ? lp_path_clean(file) : strdup("");
		f->line = line;
		f->primitive = lp_is_primitive(func);
		m->n_frames++;
		if (!f->func || !f->file)
			return -1;
		lp_src_root_add(&m->src_root, &m->src_root_len, f->file);
	}
	return (int64_t)idx;
}

/*
 * The name pprof shows for fn: one the writer set apart from the system
 * name is final; else the system name, demangled and simplified. Kept per
 * string in shown[], so that a C++ name is demangled once, not per frame.
 * NULL when out of memory.
 */
static const char *func_name(const lp_profile *p, char **shown,
			     const Perftools__Profiles__Function *f)
{
	const char *name = p->string_table[f->name];

	if (name[0] && strcmp(name, p->string_table[f->system_name]))
		return name;
	if (!shown[f->system_name])
		shown[f->system_name] =
			lp_demangle(p->string_table[f->system_name]);
	return shown[f->system_name];
}

/* Frames of one location, innermost (leaf) first, appended to out. */
static int location_frames(struct lp_model *m,
			   const struct lp_pprof_index *ix, char **shown,
			   uint64_t id, uint32_t *out, size_t *n)
{
	const lp_profile *p = m->prof;
	const Perftools__Profiles__Location *l = lp_pprof_location(ix, id);
	char addr[32];
	int64_t f;

	for (size_t i = 0; i < l->n_line; i++) {
		const Perftools__Profiles__Function *fn =
			lp_pprof_function(ix, l->line[i]->function_id);
		const char *name = func_name(p, shown, fn);

		if (!name)
			return -1;
		if (!name[0]) {
			snprintf(addr, sizeof(addr), "0x%" PRIx64, l->address);
			name = addr;
		}
		f = intern_frame(m, name, p->string_table[fn->filename],
				 l->line[i]->line);
		if (f < 0)
			return -1;
		out[(*n)++] = (uint32_t)f;
	}
	if (l->n_line == 0) {
		snprintf(addr, sizeof(addr), "0x%" PRIx64, l->address);
		f = intern_frame(m, addr, "", 0);
		if (f < 0)
			return -1;
		out[(*n)++] = (uint32_t)f;
	}
	return 0;
}

/* Inlined frames multiply: a location of many lines referenced by many
 * samples. A bound on the total keeps hostile files from exhausting memory. */
#define MAX_TOTAL_FRAMES ((size_t)1 << 26)

static int build_stacks(struct lp_model *m, const struct lp_pprof_index *ix,
			char **shown, char *err, size_t errlen)
{
	const lp_profile *p = m->prof;
	size_t total = 0;

	m->stacks = calloc(p->n_sample ? p->n_sample : 1, sizeof(*m->stacks));
	if (!m->stacks)
		goto oom;
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		struct lp_model_stack *st = &m->stacks[m->n_stacks++];
		size_t depth = 0;

		for (size_t j = 0; j < s->n_location_id; j++) {
			const Perftools__Profiles__Location *l =
				lp_pprof_location(ix, s->location_id[j]);

			depth += l->n_line ? l->n_line : 1;
		}
		total += depth;
		if (total > MAX_TOTAL_FRAMES) {
			snprintf(err, errlen, "%s: stacks too large (more than "
				 "%zu frames in all)", m->path,
				 MAX_TOTAL_FRAMES);
			return -1;
		}
		st->frames = malloc((depth ? depth : 1) * sizeof(uint32_t));
		if (!st->frames)
			goto oom;
		for (size_t j = 0; j < s->n_location_id; j++)
			if (location_frames(m, ix, shown, s->location_id[j],
					    st->frames, &st->n))
				goto oom;
		read_labels(p, s, st);
		st->contentions = (double)s->value[m->ci];
		st->delay = (double)s->value[m->di];
		m->contentions += st->contentions;
		m->delay += st->delay;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", m->path);
	return -1;
}

/* Stacks from the samples, with the index and the name cache they need. */
static int load_stacks(struct lp_model *m, char *err, size_t errlen)
{
	size_t n = m->prof->n_string_table;
	struct lp_pprof_index *ix = lp_pprof_index_new(m->prof);
	char **shown = calloc(n ? n : 1, sizeof(*shown));
	int rc = -1;

	if (ix && shown)
		rc = build_stacks(m, ix, shown, err, errlen);
	else
		snprintf(err, errlen, "%s: out of memory", m->path);
	for (size_t i = 0; shown && i < n; i++)
		free(shown[i]);
	free(shown);
	lp_pprof_index_free(ix);
	return rc;
}

static lp_profile *fetch(const char *url, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	lp_profile *p;
	char why[512];

	if (lp_fetch(url, &buf, &len, err, errlen))
		return NULL;
	p = lp_pprof_decode(buf, len, why, sizeof(why));
	if (!p)
		snprintf(err, errlen, "%s: %s", url, why);
	free(buf);
	return p;
}

lp_profile *lp_profile_read(const char *path, char *err, size_t errlen)
{
	return lp_is_url(path) ? fetch(path, err, errlen) :
				 lp_pprof_read_file(path, err, errlen);
}

int lp_model_load(const char *path, struct lp_model *m, char *err,
		  size_t errlen)
{
	lp_profile *p = lp_profile_read(path, err, errlen);

	return p ? lp_model_of(p, path, m, err, errlen) : -1;
}

int lp_model_of(lp_profile *p, const char *path, struct lp_model *m,
		char *err, size_t errlen)
{
	char types[160];

	memset(m, 0, sizeof(*m));
	m->path = path;
	m->prof = p;
	m->ci = find_type(m->prof, "contentions", "count");
	m->di = find_type(m->prof, "delay", "nanoseconds");
	/* A hold profile: holds and the time held stand for them. */
	if (m->ci < 0 && m->di < 0) {
		m->ci = find_type(m->prof, "holds", "count");
		m->di = find_type(m->prof, "held", "nanoseconds");
		m->hold = 1;
	}
	if (m->ci < 0 || m->di < 0) {
		describe_types(m->prof, types, sizeof(types));
		snprintf(err, errlen, "%s: not a block, mutex or hold profile: "
			 "sample types are [%s], expected contentions/count and "
			 "delay/nanoseconds, or holds/count and held/nanoseconds",
			 path, types);
		lp_model_free(m);
		return -1;
	}
	m->duration_ns = m->prof->duration_nanos;
	if (load_stacks(m, err, errlen)) {
		lp_model_free(m);
		return -1;
	}
	lp_meta_read(m->prof, &m->meta);
	return 0;
}

void lp_model_keep_paths(struct lp_model *m, int keep)
{
	if (keep)
		m->src_root_len = 0;
}

const char *lp_model_file(const struct lp_model *m, const struct lp_frame *f)
{
	if (m->src_root_len && !strncmp(f->file, m->src_root, m->src_root_len))
		return f->file + m->src_root_len;
	return f->file;
}

void lp_model_free(struct lp_model *m)
{
	for (size_t i = 0; i < m->n_frames; i++) {
		free(m->frames[i].func);
		free(m->frames[i].file);
	}
	for (size_t i = 0; i < m->n_stacks; i++)
		free(m->stacks[i].frames);
	free(m->frames);
	free(m->stacks);
	strmap_free(&m->frame_ix);
	lp_pprof_free(m->prof);
	memset(m, 0, sizeof(*m));
}

int lp_model_compatible(const struct lp_model *a, const struct lp_model *b,
			char *err, size_t errlen)
{
	if (!a->meta.kind[0] || !b->meta.kind[0] ||
	    !strcmp(a->meta.kind, b->meta.kind))
		return 0;
	snprintf(err, errlen, "%s is a %s profile but %s is a %s profile: "
		 "use profiles of one kind", a->path, a->meta.kind, b->path,
		 b->meta.kind);
	return -1;
}
