/*
 * A contention profile (block or mutex) as the analysis commands see it:
 * the decoded file plus its samples turned into stacks of named frames,
 * totals, duration and a guess at which of the two kinds it is.
 */
#ifndef LP_CLI_PROFILE_MODEL_H
#define LP_CLI_PROFILE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "pprof_decode.h"
#include "strmap.h"

enum lp_pkind { LP_PKIND_UNKNOWN, LP_PKIND_BLOCK, LP_PKIND_MUTEX };
enum lp_vtype { LP_VT_DELAY, LP_VT_CONTENTIONS };

/* One frame: a function at a line. Inlined calls are frames of their own. */
struct lp_frame {
	char *func;  /* function name, or "0x<address>" when unsymbolized */
	char *file;  /* "" when unknown */
	int64_t line; /* 0 when unknown */
	int primitive;
};

struct lp_stack {
	size_t n;
	uint32_t *frames; /* indexes into lp_model.frames, leaf first */
	double contentions, delay;
};

struct lp_model {
	const char *path;
	lp_profile *prof;
	enum lp_pkind kind;
	int64_t duration_ns; /* 0: the file does not say */
	int ci, di;          /* value indexes of contentions and delay */
	size_t n_frames, n_stacks;
	struct lp_frame *frames;
	struct lp_stack *stacks;
	double contentions, delay; /* totals */
	struct strmap frame_ix;
};

/* Read and check a block or mutex profile. 0, or -1 with one line in err. */
int lp_model_load(const char *path, struct lp_model *m, char *err,
		  size_t errlen);
void lp_model_free(struct lp_model *m);

/* 0 when a and b can be compared or merged; else -1 with one line in err
 * (they are evidently of different kinds). */
int lp_model_compatible(const struct lp_model *a, const struct lp_model *b,
			char *err, size_t errlen);

const char *lp_kind_name(enum lp_pkind k);

static inline double lp_stack_value(const struct lp_stack *s,
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
