/* SPDX-License-Identifier: MIT */
/*
 * Building a new pprof profile out of existing ones (merge, diff -o),
 * with the pprof writer (src/format/pprof_write.h): strings, functions,
 * mappings and locations are re-interned with fresh ids, mappings of the
 * same binary in different processes are recognized as pprof does
 * (build-id or file, offset and size, not the load address) and their
 * locations relocated, and samples with identical stacks and labels are
 * summed.
 */
#ifndef LP_CLI_PPROF_BUILD_H
#define LP_CLI_PPROF_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "base/hashtab.h"
#include "format/pprof_decode.h"
#include "format/pprof_write.h"

struct lp_builder {
	lp_profile p;       /* the header: types, period, comments, times */
	struct lp_pprof_writer *w; /* the rest; p's strings are its */
	struct lp_hashtab mappings; /* w's mappings by binary (mapping_is) */
	int failed;         /* sticky: out of memory or value overflow */
	char why[128];
};

void lp_builder_init(struct lp_builder *b);

/* Sample types, period type and period from `tmpl`. */
int lp_builder_header(struct lp_builder *b, const lp_profile *tmpl);

/* A comment (field 13) for the profile; "" adds none. */
int lp_builder_comment(struct lp_builder *b, const char *text);

/* All samples of src, each value multiplied by scale and rounded. src
 * must have the sample types of the header. 0, or -1 (see why). */
int lp_builder_add(struct lp_builder *b, const lp_profile *src, double scale);

/* gzip-compressed pprof to path ("-": standard output), leaving out
 * samples whose values are all zero. 0, or -1 with one line in err. */
int lp_builder_write(struct lp_builder *b, const char *path, char *err,
		     size_t errlen);

void lp_builder_free(struct lp_builder *b);

#endif
