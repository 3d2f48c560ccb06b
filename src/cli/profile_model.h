/* SPDX-License-Identifier: MIT */
/*
 * A contention profile (block or mutex) as the analysis commands see it:
 * the decoded file plus its samples turned into stacks of named frames,
 * totals, duration, and what its comments say (kind, run).
 */
#ifndef LP_CLI_PROFILE_MODEL_H
#define LP_CLI_PROFILE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "format/pprof_decode.h"
#include "profile_meta.h"
#include "strmap.h"

enum lp_vtype { LP_VT_DELAY, LP_VT_CONTENTIONS };

/* One frame: a function at a line. Inlined calls are frames of their own. */
struct lp_frame {
	char *func;  /* function name, or "0x<address>" when unsymbolized */
	char *file;  /* "" when unknown; cleaned (srcpath.h) */
	int64_t line; /* 0 when unknown */
	int primitive;
};

/* The labels lockprof writes (docs/profiles.md, "Labels"), by index. */
enum lp_label_key { LP_KEY_LOCK, LP_KEY_THREAD, LP_KEY_WAIT, LP_KEYS };
extern const char *const lp_label_keys[LP_KEYS];

struct lp_model_stack {
	size_t n;
	uint32_t *frames; /* indexes into lp_model.frames, leaf first */
	double contentions, delay;
	const char *labels[LP_KEYS]; /* the sample's string labels, or NULL */
};

struct lp_model {
	const char *path;
	lp_profile *prof;
	struct lp_meta meta;
	int64_t duration_ns; /* 0: the file does not say */
	int ci, di;          /* value indexes of contentions and delay */
	int hold;            /* a hold profile: holds and time held instead */
	size_t n_frames, n_stacks;
	struct lp_frame *frames;
	struct lp_model_stack *stacks;
	double contentions, delay; /* totals */
	const char *src_root;      /* shown file names are relative to its */
	size_t src_root_len;       /* first src_root_len bytes (srcpath.h) */
	struct strmap frame_ix;
};

/* Read and check a block, mutex or hold profile. 0, or -1 with one line
 * in err. */
int lp_model_load(const char *path, struct lp_model *m, char *err,
		  size_t errlen);

/* Read a profile from a file ("-": standard input) or a URL. NULL with one
 * line in err. */
lp_profile *lp_profile_read(const char *path, char *err, size_t errlen);

/* lp_model_load of a profile read already, which the model then owns
 * (freed on failure too). */
int lp_model_of(lp_profile *p, const char *path, struct lp_model *m,
		char *err, size_t errlen);
void lp_model_free(struct lp_model *m);

/* Show file names as in the file (cleaned), not relative to the source
 * root: --full-paths. */
void lp_model_keep_paths(struct lp_model *m, int keep);

/* A frame's file name as shown. */
const char *lp_model_file(const struct lp_model *m, const struct lp_frame *f);

/* 0 when a and b can be compared or merged; else -1 with one line in err
 * (both say their kind, and the kinds differ). */
int lp_model_compatible(const struct lp_model *a, const struct lp_model *b,
			char *err, size_t errlen);

static inline double lp_stack_value(const struct lp_model_stack *s,
				    enum lp_vtype t)
{
	return t == LP_VT_DELAY ? s->delay : s->contentions;
}

static inline double lp_model_total(const struct lp_model *m,
				    enum lp_vtype t)
{
	return t == LP_VT_DELAY ? m->delay : m->contentions;
}

#endif
