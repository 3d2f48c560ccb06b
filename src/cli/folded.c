/* SPDX-License-Identifier: MIT */
/* lockprof folded: stacks in the folded format of flamegraph.pl. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "compare.h"
#include "options.h"

static const char usage[] =
	"usage: lockprof folded [--type delay|contentions] FILE\n"
	"       lockprof folded --diff [--per-second] [--type delay|contentions]\n"
	"                       BASE NEW\n"
	"\n"
	"Print each stack of a block or mutex profile as one line, frames\n"
	"root first joined by ';', then a space and its value: the input of\n"
	"flamegraph.pl, inferno-flamegraph and speedscope. Identical stacks\n"
	"are summed; stacks with value 0 are left out. Inlined calls are\n"
	"frames of their own; ';' inside a name becomes ':'.\n"
	"\n"
	"With --diff, each stack of BASE or NEW with its two values, BASE's\n"
	"then NEW's (totals; BASE scaled to NEW's duration with --per-second):\n"
	"the form of flamegraph's difffolded.pl, which flamegraph.pl draws as\n"
	"a differential flame graph.\n"
	"\n"
	"  --type T      delay in nanoseconds (default) or contentions\n"
	"  --diff        two profiles, two columns\n"
	"  --per-second  --diff: BASE scaled to NEW's duration\n"
	"  -h, --help    this help\n";

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct lp_site *)a)->name,
		      ((const struct lp_site *)b)->name);
}

static int own_option(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != LP_OPT_DIFF)
		return -1;
	*(int *)ctx = 1;
	return 0;
}

static void print_one(const struct lp_sites *s, enum lp_vtype t)
{
	for (size_t i = 0; i < s->n; i++) {
		double v = lp_site_value(&s->v[i], t);

		if (v)
			printf("%s %.0f\n", s->v[i].name, v);
	}
}

/* Rows of the union, in the order of the names. */
static void print_two(const struct lp_cmp *c, enum lp_vtype t)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct lp_cmp_row *r = &c->rows[i];
		double b = lp_cmp_pick(&r->base, t), n = lp_cmp_pick(&r->new_, t);

		/* Rates back to NEW's scale: the values stay counts. */
		b /= c->new_scale;
		n /= c->new_scale;
		if (b || n)
			printf("%s %.0f %.0f\n", r->site, b, n);
	}
}

static int cmp_row_name(const void *a, const void *b)
{
	return strcmp(((const struct lp_cmp_row *)a)->site,
		      ((const struct lp_cmp_row *)b)->site);
}

static int folded_diff(const struct lp_opts *o, char **files)
{
	struct lp_model m[2];
	struct lp_cmp c;
	int rc = lp_load_compare("folded", files[0], files[1], o, m, &c);

	if (rc)
		return rc;
	if (c.n)
		qsort(c.rows, c.n, sizeof(*c.rows), cmp_row_name);
	print_two(&c, o->type);
	lp_load_compare_free(m, &c);
	return LP_EXIT_OK;
}

int lp_cmd_folded(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "diff", no_argument, NULL, LP_OPT_DIFF },
		{ 0, 0, 0, 0 },
	};
	int diff = 0;
	const struct lp_cmdline cl = {
		.cmd = "folded", .usage = usage, .longs = longs,
		.takes = LP_TAKES_TYPE | LP_TAKES_PER_SECOND,
		.own = own_option, .ctx = &diff,
	};
	struct lp_opts o = { .type = LP_VT_DELAY, .by = LP_BY_STACK };
	struct lp_model m;
	struct lp_sites s;
	char err[512];
	int rc = lp_parse_options(&cl, argc, argv, &o);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	if (argc - optind != (diff ? 2 : 1))
		return lp_usage_error("folded", diff ? "--diff: expected BASE "
				      "and NEW profiles" : "expected one "
				      "profile file");
	if (o.per_second && !diff)
		return lp_usage_error("folded", "--per-second goes with --diff");
	if (diff)
		return folded_diff(&o, argv + optind);
	if (lp_model_load(argv[optind], &m, err, sizeof(err)))
		return lp_input_error("folded", err);
	if (lp_sites_build(&m, LP_BY_STACK, &s)) {
		lp_model_free(&m);
		return lp_input_error("folded", "out of memory");
	}
	/* Sorted by stack: stable output, diffable between runs. */
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), cmp_name);
	print_one(&s, o.type);
	lp_sites_free(&s);
	lp_model_free(&m);
	return LP_EXIT_OK;
}
