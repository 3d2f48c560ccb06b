/* SPDX-License-Identifier: MIT */
/*
 * What a profile says about itself in its comments. lockprof writes
 * "lockprof kind=block root=PID start=NS": the kind (block, mutex, or a kind
 * later work adds), which nothing else in Go's format tells, and the run
 * (the first process of the tree and when it started). Go writes no
 * comment: its profiles are of kind "contention", of no known run.
 */
#ifndef LP_CLI_PROFILE_META_H
#define LP_CLI_PROFILE_META_H

#include <stdint.h>

#include "format/pprof_decode.h"

#define LP_KIND_MAX 16

struct lp_meta {
	char kind[LP_KIND_MAX]; /* "" when the profile does not say */
	long root_pid;          /* 0 when it does not say */
	int64_t start_ns;
};

void lp_meta_read(const lp_profile *p, struct lp_meta *out);

/* The comment that says `m`, for a profile the CLI writes, into buf;
 * "" when there is nothing to say. */
void lp_meta_comment(const struct lp_meta *m, char *buf, size_t len);

/* The kind as shown: "contention" when unknown, as Go's tools say. */
const char *lp_meta_kind(const struct lp_meta *m);

#endif
