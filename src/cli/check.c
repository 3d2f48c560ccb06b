/* SPDX-License-Identifier: MIT */
/* lockprof check: a CI gate on contention regressions. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "base/config.h"
#include "compare.h"
#include "json.h"
#include "options.h"
#include "units.h"

static const char usage[] =
	"usage: lockprof check --max-increase PCT [--min-delay D]\n"
	"                      [--min-contentions N] [--by KEY]\n"
	"                      [--full-paths] [--type delay|contentions]\n"
	"                      [--per-second] [--json] BASE NEW\n"
	"\n"
	"Exit 1 (printing what) when NEW waits more than BASE beyond the\n"
	"thresholds, 0 when not, 2 on bad input. Totals are compared (the same\n"
	"work done twice), or rates per second of each profile's duration with\n"
	"--per-second (runs of different lengths). The total and every site are\n"
	"checked: one regresses when it grew by more than PCT percent and by at\n"
	"least the noise floor; a site absent from BASE regresses when it\n"
	"reaches the floor.\n"
	"\n"
	"  --max-increase PCT    allowed growth in percent, e.g. 10 or 10%\n"
	"  --min-delay D         noise floor for --type delay (default 1ms):\n"
	"                        smaller increases never fail; per second with\n"
	"                        --per-second. Units: ns, us, ms, s\n"
	"  --min-contentions N   noise floor for --type contentions (default 1)\n"
	"  --by KEY              function (default), line, stack, leaf, lock,\n"
	"                        thread or wait (as in 'top')\n"
	"  --full-paths          --by line: file names as in the profile\n"
	"  --type T              check delay (default) or contentions\n"
	"  --per-second          compare rates per second, not totals\n"
	"  --json                one JSON object instead of text\n"
	"  -h, --help            this help\n";

struct check_args {
	struct lp_opts o;
	int have_pct;
	double pct, min_delay, min_cont;
	const char *base, *new_;
};

static int own_option(int c, const char *arg, void *ctx)
{
	struct check_args *a = ctx;
	int64_t ns;

	switch (c) {
	case LP_OPT_MAX_INCREASE:
		a->have_pct = 1;
		return lp_parse_number(arg, &a->pct);
	case LP_OPT_MIN_DELAY:
		if (lp_parse_duration(arg, &ns))
			return -1;
		a->min_delay = (double)ns;
		return 0;
	case LP_OPT_MIN_CONTENTIONS:
		return lp_parse_number(arg, &a->min_cont);
	}
	return -1;
}

static int parse(int argc, char **argv, struct check_args *a)
{
	static const struct option longs[] = {
		{ "max-increase", required_argument, NULL, LP_OPT_MAX_INCREASE },
		{ "min-delay", required_argument, NULL, LP_OPT_MIN_DELAY },
		{ "min-contentions", required_argument, NULL,
		  LP_OPT_MIN_CONTENTIONS },
		{ 0, 0, 0, 0 },
	};
	const struct lp_cmdline cl = {
		.cmd = "check", .usage = usage, .longs = longs,
		.takes = LP_TAKES_BY | LP_TAKES_TYPE | LP_TAKES_JSON |
			 LP_TAKES_PER_SECOND | LP_TAKES_FULL_PATHS,
		.own = own_option, .ctx = a,
	};
	int rc;

	*a = (struct check_args){ .min_delay = 1e6, .min_cont = 1 };
	rc = lp_parse_options(&cl, argc, argv, &a->o);
	if (rc)
		return rc;
	/* Before the operands: the option is what a bare `check A B` lacks. */
	if (!a->have_pct)
		return lp_usage_error("check", "--max-increase PCT is required");
	if (argc - optind != 2)
		return lp_usage_error("check", "expected BASE and NEW profiles");
	a->base = argv[optind];
	a->new_ = argv[optind + 1];
	return 0;
}

static int regressed(const struct check_args *a, double base, double new_)
{
	double floor = a->o.type == LP_VT_DELAY ? a->min_delay : a->min_cont;

	if (new_ - base < floor || new_ <= base)
		return 0;
	return base <= 0 || 100 * (new_ - base) / base > a->pct;
}

static void describe(const struct lp_cmp *c, const char *what, double b,
		     double n)
{
	char x[3][48];

	printf("  %s: %s -> %s (%s)\n", what,
	       lp_fmt_cmp_value(c, b, 0, x[0], 48),
	       lp_fmt_cmp_value(c, n, 0, x[1], 48),
	       lp_fmt_change_pct(b, n, x[2], 48));
}

static void json_item(struct lp_json *j, const char *site, double b, double n)
{
	lp_json_open(j, NULL, '{');
	lp_json_str(j, "site", site);
	lp_json_num(j, "base", b);
	lp_json_num(j, "new", n);
	lp_json_num(j, "increase_pct", b ? 100 * (n - b) / b : INFINITY);
	lp_json_close(j, '}');
}

static int report(const struct check_args *a, const struct lp_cmp *c)
{
	enum lp_vtype t = a->o.type;
	double bt = lp_cmp_pick(&c->base_total, t);
	double nt = lp_cmp_pick(&c->new_total, t);
	double floor = t == LP_VT_DELAY ? a->min_delay : a->min_cont;
	int total_bad = regressed(a, bt, nt);
	size_t bad = (size_t)total_bad;
	char x[3][48], what[64];
	struct lp_json j;

	for (size_t i = 0; i < c->n; i++)
		bad += (size_t)regressed(a, lp_cmp_pick(&c->rows[i].base, t),
					 lp_cmp_pick(&c->rows[i].new_, t));
	if (a->o.json) {
		lp_json_init(&j, stdout);
		lp_json_open(&j, NULL, '{');
		lp_json_bool(&j, "ok", bad == 0);
		lp_json_str(&j, "type", lp_type_name(t));
		lp_json_bool(&j, "per_second", c->rates);
		if (c->note[0])
			lp_json_str(&j, "note", c->note);
		else
			lp_json_null(&j, "note");
		lp_json_num(&j, "max_increase_pct", a->pct);
		lp_json_num(&j, "noise_floor", floor);
		lp_json_open(&j, "total", '[');
		json_item(&j, "total", bt, nt);
		lp_json_close(&j, ']');
		lp_json_open(&j, "regressions", '[');
		for (size_t i = 0; i < c->n; i++) {
			const struct lp_cmp_row *r = &c->rows[i];
			double b = lp_cmp_pick(&r->base, t);
			double n = lp_cmp_pick(&r->new_, t);

			if (regressed(a, b, n))
				json_item(&j, r->site, b, n);
		}
		lp_json_close(&j, ']');
		lp_json_close(&j, '}');
		lp_json_end(&j);
		return bad ? LP_EXIT_REGRESSION : LP_EXIT_OK;
	}
	if (c->note[0])
		printf("note: %s\n", c->note);
	lp_fmt_cmp_value(c, floor, 0, x[1], 48);
	if (!bad) {
		printf("ok: %s %s %s -> %s (%s); nothing grew more than "
		       "%g%% (noise floor %s)\n", c->rates ? "per-second" :
		       "total", lp_type_name(t),
		       lp_fmt_cmp_value(c, bt, 0, x[0], 48),
		       lp_fmt_cmp_value(c, nt, 0, x[2], 48),
		       lp_fmt_change_pct(bt, nt, what, sizeof(what)), a->pct,
		       x[1]);
		return LP_EXIT_OK;
	}
	printf("FAIL: %zu %s beyond +%g%% (noise floor %s):\n", bad,
	       lp_plural((double)bad, "regression", "regressions"), a->pct,
	       x[1]);
	if (total_bad) {
		snprintf(what, sizeof(what), "total %s", lp_type_name(t));
		describe(c, what, bt, nt);
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct lp_cmp_row *r = &c->rows[i];
		double b = lp_cmp_pick(&r->base, t);
		double n = lp_cmp_pick(&r->new_, t);

		if (regressed(a, b, n))
			describe(c, r->site, b, n);
	}
	return LP_EXIT_REGRESSION;
}

int lp_cmd_check(int argc, char **argv)
{
	struct check_args a;
	struct lp_model m[2];
	struct lp_cmp c;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	rc = lp_load_compare("check", a.base, a.new_, &a.o, m, &c);
	if (rc)
		return rc;
	rc = report(&a, &c);
	lp_load_compare_free(m, &c);
	return rc;
}
