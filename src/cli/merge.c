/* SPDX-License-Identifier: MIT */
/* lockprof merge: the per-process profiles of one run as one profile. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "merge.h"
#include "options.h"
#include "pprof_build.h"
#include "profile_model.h"
#include "url.h"

static int own_option(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != LP_OPT_FORCE)
		return -1;
	*(int *)ctx = 1;
	return 0;
}

static const char usage[] =
	"usage: lockprof merge [--force] -o OUT FILE...\n"
	"\n"
	"Merge profiles of one kind (the per-process files of one run:\n"
	"block.pprof and block.<pid>.pprof) into one gzip pprof file: identical\n"
	"stacks are summed, mappings of the same binary in different processes\n"
	"are recognized by build-id or file name (not load address) and their\n"
	"addresses relocated, as pprof's own merge does. Every FILE named is\n"
	"merged; OUT must not be one of them.\n"
	"\n"
	"The result covers the wall-clock span of the inputs, from the\n"
	"earliest start (time_nanos - duration_nanos) to the latest end; if an\n"
	"input has no duration_nanos, neither has the result.\n"
	"\n"
	"  -o OUT        output file ('-' for standard output); required\n"
	"  --force       merge files of different runs (lockprof's profiles\n"
	"                name their run: the first process and its start)\n"
	"  -h, --help    this help\n";

/*
 * Wall-clock span of all inputs, from the earliest start to the latest end
 * (time_nanos is when a file was written). Without times, the longest
 * input is the best lower bound. 0 when an input lacks a duration.
 */
static void span(struct lp_model *m, int n, int64_t *time, int64_t *dur)
{
	int64_t start = INT64_MAX, longest = 0;
	int timed = 1;

	*time = 0;
	*dur = 0;
	for (int i = 0; i < n; i++) {
		const lp_profile *p = m[i].prof;

		if (!p->duration_nanos) {
			fprintf(stderr, "lockprof merge: note: %s has no "
				"duration_nanos: the merged profile has none\n",
				m[i].path);
			longest = 0;
			timed = 0;
			break;
		}
		if (p->duration_nanos > longest)
			longest = p->duration_nanos;
		timed = timed && p->time_nanos > p->duration_nanos;
		if (p->time_nanos - p->duration_nanos < start)
			start = p->time_nanos - p->duration_nanos;
	}
	for (int i = 0; i < n; i++)
		if (m[i].prof->time_nanos > *time)
			*time = m[i].prof->time_nanos;
	*dur = timed && *time - start > longest ? *time - start : longest;
}

static int same_run(const struct lp_meta *a, const struct lp_meta *b)
{
	return a->root_pid == b->root_pid && a->start_ns == b->start_ns;
}

static int check_inputs(struct lp_model *m, int n, int force, char *err,
			size_t errlen)
{
	for (int i = 1; i < n; i++) {
		if (!force && !same_run(&m[0].meta, &m[i].meta) &&
		    m[0].meta.root_pid && m[i].meta.root_pid) {
			snprintf(err, errlen, "%s (run of pid %ld) and %s (run "
				 "of pid %ld) are of different runs (--force "
				 "merges them)", m[0].path, m[0].meta.root_pid,
				 m[i].path, m[i].meta.root_pid);
			return -1;
		}
		if (m[i].prof->n_sample_type != m[0].prof->n_sample_type) {
			snprintf(err, errlen, "%s and %s have different sample "
				 "types", m[0].path, m[i].path);
			return -1;
		}
		for (int j = 0; j < i; j++)
			if (lp_model_compatible(&m[j], &m[i], err, errlen))
				return -1;
	}
	return 0;
}

/* What the merged profile says: the kind of its inputs, and their run
 * when they all name the same. */
static void merged_meta(const struct lp_model *m, int n, struct lp_meta *out)
{
	*out = m[0].meta;
	for (int i = 1; i < n; i++) {
		if (!out->kind[0])
			memcpy(out->kind, m[i].meta.kind, sizeof(out->kind));
		if (!same_run(out, &m[i].meta))
			out->root_pid = 0, out->start_ns = 0;
	}
}

static int merge(struct lp_model *m, int n, const char *out, int force)
{
	struct lp_builder b;
	struct lp_meta meta;
	char err[512], comment[96];
	int64_t time, dur, period = 0;
	int rc = 0;

	if (check_inputs(m, n, force, err, sizeof(err)))
		return lp_input_error("merge", err);
	merged_meta(m, n, &meta);
	lp_meta_comment(&meta, comment, sizeof(comment));
	lp_builder_init(&b);
	lp_builder_header(&b, m[0].prof);
	lp_builder_comment(&b, comment);
	for (int i = 0; i < n; i++) {
		if (m[i].prof->period > period)
			period = m[i].prof->period;
		lp_builder_add(&b, m[i].prof, 1.0);
	}
	span(m, n, &time, &dur);
	b.p.period = period;
	b.p.time_nanos = time;
	b.p.duration_nanos = dur;
	if (lp_builder_write(&b, out, err, sizeof(err)))
		rc = lp_input_error("merge", err);
	lp_builder_free(&b);
	return rc;
}

/* OUT is not one of the inputs (it would be truncated before it is
 * read, and its samples lost), and no input is named twice. */
static int check_names(const char *out, char **files, int n)
{
	struct stat o, a, b;
	int have_out = strcmp(out, "-") && stat(out, &o) == 0;

	for (int i = 0; i < n; i++) {
		if (!strcmp(files[i], "-") || lp_is_url(files[i]) ||
		    stat(files[i], &a))
			continue;
		if (have_out && a.st_dev == o.st_dev && a.st_ino == o.st_ino)
			return lp_usage_error("merge", "the output %s is one of "
					      "the inputs: write to a new "
					      "name", out);
		for (int j = 0; j < i; j++)
			if (!stat(files[j], &b) && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino)
				return lp_usage_error("merge", "%s is named "
						      "twice", files[i]);
	}
	return 0;
}

int lp_merge_files(char *const *files, int n, const char *out, int force)
{
	struct lp_model *m;
	char err[512];
	int rc = check_names(out, (char **)files, n);

	if (rc)
		return rc;
	m = calloc((size_t)n, sizeof(*m));
	if (!m)
		return lp_input_error("merge", "out of memory");
	for (int i = 0; i < n && !rc; i++)
		if (lp_model_load(files[i], &m[i], err, sizeof(err)))
			rc = lp_input_error("merge", err);
	if (!rc)
		rc = merge(m, n, out, force);
	for (int i = 0; i < n; i++)
		lp_model_free(&m[i]);
	free(m);
	return rc;
}

int lp_cmd_merge(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "force", no_argument, NULL, LP_OPT_FORCE },
		{ 0, 0, 0, 0 },
	};
	int force = 0;
	const struct lp_cmdline cl = {
		.cmd = "merge", .usage = usage, .takes = LP_TAKES_OUT,
		.longs = longs, .own = own_option, .ctx = &force,
	};
	struct lp_opts o = { 0 };
	int n, rc = lp_parse_options(&cl, argc, argv, &o);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	n = argc - optind;
	if (!o.out)
		return lp_usage_error("merge", "-o OUT is required");
	if (n < 1)
		return lp_usage_error("merge", "expected profile files");
	return lp_merge_files(argv + optind, n, o.out, force);
}
