/* lockprof folded: stacks in the folded format of flamegraph.pl. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "options.h"

static const char usage[] =
	"usage: lockprof folded [--type delay|contentions] FILE\n"
	"\n"
	"Print each stack of a block or mutex profile as one line, frames\n"
	"root first joined by ';', then a space and its value: the input of\n"
	"flamegraph.pl, inferno-flamegraph and speedscope. Identical stacks\n"
	"are summed; stacks with value 0 are left out. Inlined calls are\n"
	"frames of their own; ';' inside a name becomes ':'.\n"
	"\n"
	"  --type T      delay in nanoseconds (default) or contentions\n"
	"  -h, --help    this help\n";

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct lp_site *)a)->name,
		      ((const struct lp_site *)b)->name);
}

int lp_cmd_folded(int argc, char **argv)
{
	static const struct lp_cmdline cl = {
		.cmd = "folded", .usage = usage, .takes = LP_TAKES_TYPE,
		.operands = 1, .operands_error = "expected one profile file",
	};
	struct lp_opts o = { .type = LP_VT_DELAY };
	struct lp_model m;
	struct lp_sites s;
	char err[512];
	int rc = lp_parse_options(&cl, argc, argv, &o);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	if (lp_model_load(argv[optind], &m, err, sizeof(err)))
		return lp_input_error("folded", err);
	if (lp_sites_build(&m, LP_BY_STACK, &s)) {
		lp_model_free(&m);
		return lp_input_error("folded", "out of memory");
	}
	/* Sorted by stack: stable output, diffable between runs. */
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), cmp_name);
	for (size_t i = 0; i < s.n; i++) {
		double v = lp_site_value(&s.v[i], o.type);

		if (v)
			printf("%s %.0f\n", s.v[i].name, v);
	}
	lp_sites_free(&s);
	lp_model_free(&m);
	return LP_EXIT_OK;
}
