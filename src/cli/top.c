/* SPDX-License-Identifier: MIT */
/* lockprof top: the ranked table of where threads wait. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "json.h"
#include "options.h"
#include "units.h"
#include "waiting.h"

static const char usage[] =
	"usage: lockprof top [-n N] [--by function|line|stack|leaf|lock|thread|wait]\n"
	"                    [--full-paths]\n"
	"                    [--type delay|contentions] [--json] FILE\n"
	"\n"
	"Rank the sites of a block or mutex profile (ours or Go's, gzip or\n"
	"not; FILE '-' is standard input, http://... a live endpoint's URL,\n"
	"fetched as go tool pprof does): delay, share of the total,\n"
	"contentions, average wait, and both per second of the profile's\n"
	"duration_nanos when the file records one.\n"
	"\n"
	"  -n N          show the first N sites (default 20, 0 for all)\n"
	"  --by KEY      function: the primitive called and its caller (default)\n"
	"                line: the same with the caller's file:line, relative\n"
	"                to the profile's source root\n"
	"                stack: the whole stack, root first\n"
	"                leaf: the leaf function, as 'go tool pprof -top' (flat)\n"
	"                lock, thread, wait: the samples' label of that name\n"
	"                (LOCKPROF_LABELS, lockprof run --labels)\n"
	"  --full-paths  --by line: file names as in the profile\n"
	"  --type T      rank and share by delay (default) or contentions\n"
	"  --json        one JSON object instead of the table\n"
	"\n"
	"Of a waiting profile (waiting.pprof), it prints what `lockprof\n"
	"waiting` does: the threads waiting, their owners, deadlocks.\n"
	"  -h, --help    this help\n";

struct top_args {
	struct lp_opts o;
	const char *path;
};

static int parse(int argc, char **argv, struct top_args *a)
{
	static const struct lp_cmdline cl = {
		.cmd = "top", .usage = usage, .operands = 1,
		.takes = LP_TAKES_N | LP_TAKES_BY | LP_TAKES_TYPE |
			 LP_TAKES_JSON | LP_TAKES_FULL_PATHS,
		.operands_error = "expected one profile file",
	};
	int rc;

	*a = (struct top_args){ .o.n = 20 };
	rc = lp_parse_options(&cl, argc, argv, &a->o);
	if (!rc)
		a->path = argv[optind];
	return rc;
}

static void print_json(const struct top_args *a, const struct lp_model *m,
		       const struct lp_sites *s, size_t shown)
{
	double secs = m->duration_ns / 1e9;
	double total = lp_model_total(m, a->o.type);
	struct lp_json j;

	lp_json_init(&j, stdout);
	lp_json_open(&j, NULL, '{');
	lp_json_str(&j, "file", m->path);
	lp_json_str(&j, "kind", lp_meta_kind(&m->meta));
	lp_json_str(&j, "by", lp_by_name(a->o.by));
	lp_json_str(&j, "type", lp_type_name(a->o.type));
	if (m->duration_ns)
		lp_json_num(&j, "duration_ns", (double)m->duration_ns);
	else
		lp_json_null(&j, "duration_ns");
	lp_json_open(&j, "total", '{');
	lp_json_num(&j, "delay_ns", m->delay);
	lp_json_num(&j, "contentions", m->contentions);
	lp_json_num(&j, "delay_ns_per_s", m->duration_ns ? m->delay / secs : NAN);
	lp_json_num(&j, "contentions_per_s",
		    m->duration_ns ? m->contentions / secs : NAN);
	lp_json_close(&j, '}');
	lp_json_num(&j, "sites_total", (double)s->n);
	lp_json_open(&j, "sites", '[');
	for (size_t i = 0; i < shown; i++) {
		const struct lp_site *x = &s->v[i];

		lp_json_open(&j, NULL, '{');
		lp_json_str(&j, "site", x->name);
		lp_json_num(&j, "delay_ns", x->delay);
		lp_json_num(&j, "contentions", x->contentions);
		lp_json_num(&j, "share",
			    total ? lp_site_value(x, a->o.type) / total : NAN);
		lp_json_num(&j, "avg_wait_ns", x->contentions ?
			    x->delay / x->contentions : NAN);
		lp_json_num(&j, "delay_ns_per_s",
			    m->duration_ns ? x->delay / secs : NAN);
		lp_json_num(&j, "contentions_per_s",
			    m->duration_ns ? x->contentions / secs : NAN);
		lp_json_close(&j, '}');
	}
	lp_json_close(&j, ']');
	lp_json_close(&j, '}');
	lp_json_end(&j);
}

static void print_header(const struct top_args *a, const struct lp_model *m,
			 size_t nsites)
{
	double secs = m->duration_ns / 1e9;
	char dur[32], d[32], c[32], dr[32], cr[32];
	const char *time = m->hold ? "held" : "delay";
	const char *one = m->hold ? "hold" : "contention";
	const char *many = m->hold ? "holds" : "contentions";

	printf("File: %s\n", m->path);
	printf("Type: %s profile, %zu %s by %s, ranked by %s\n",
	       lp_meta_kind(&m->meta), nsites,
	       lp_plural((double)nsites, "site", "sites"), lp_by_name(a->o.by),
	       lp_type_name(a->o.type));
	lp_fmt_duration(m->delay, d, sizeof(d));
	lp_fmt_count(m->contentions, c, sizeof(c));
	if (!m->duration_ns) {
		printf("Duration: not recorded (duration_nanos is 0, as in Go's "
		       "cumulative profiles): totals, no per-second rates\n");
		printf("Total: %s %s, %s %s\n", time, d, c,
		       lp_plural(m->contentions, one, many));
		return;
	}
	printf("Duration: %s; total %s %s (%s/s), %s %s (%s/s)\n",
	       lp_fmt_duration((double)m->duration_ns, dur, sizeof(dur)), time, d,
	       lp_fmt_duration(m->delay / secs, dr, sizeof(dr)), c,
	       lp_plural(m->contentions, one, many),
	       lp_fmt_count(m->contentions / secs, cr, sizeof(cr)));
}

static void print_table(const struct top_args *a, const struct lp_model *m,
			const struct lp_sites *s, size_t shown)
{
	double secs = m->duration_ns / 1e9;
	double total = lp_model_total(m, a->o.type);
	double rest = 0;
	char b[6][32];

	print_header(a, m, s->n);
	printf("%10s %7s %12s %10s", m->hold ? "held" : "delay", "share",
	       m->hold ? "holds" : "contentions", m->hold ? "avg hold" : "avg wait");
	if (m->duration_ns)
		printf(" %11s %14s", m->hold ? "held/s" : "delay/s",
		       m->hold ? "holds/s" : "contentions/s");
	printf("  site\n");
	for (size_t i = 0; i < shown; i++) {
		const struct lp_site *x = &s->v[i];

		if (total)
			snprintf(b[0], 32, "%.1f%%",
				 100 * lp_site_value(x, a->o.type) / total);
		else
			strcpy(b[0], "-");
		if (x->contentions)
			lp_fmt_duration(x->delay / x->contentions, b[1], 32);
		else
			strcpy(b[1], "-");
		printf("%10s %7s %12s %10s", lp_fmt_duration(x->delay, b[2], 32),
		       b[0], lp_fmt_count(x->contentions, b[3], 32), b[1]);
		if (m->duration_ns) {
			lp_fmt_duration(x->delay / secs, b[4], 32);
			strcat(b[4], "/s");
			printf(" %11s %14s", b[4],
			       lp_fmt_count(x->contentions / secs, b[5], 32));
		}
		printf("  %s\n", x->name);
	}
	for (size_t i = shown; i < s->n; i++)
		rest += lp_site_value(&s->v[i], a->o.type);
	if (shown < s->n)
		printf("(%zu more %s: %.1f%% of %s)\n", s->n - shown,
		       lp_plural((double)(s->n - shown), "site", "sites"),
		       total ? 100 * rest / total : 0.0,
		       lp_type_name(a->o.type));
}

int lp_cmd_top(int argc, char **argv)
{
	struct top_args a;
	struct lp_model m;
	struct lp_sites s;
	char err[512];
	size_t shown;
	lp_profile *p;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	if (!(p = lp_profile_read(a.path, err, sizeof(err))))
		return lp_input_error("top", err);
	if (lp_is_waiting_profile(p)) {
		rc = lp_waiting_print(p);
		lp_pprof_free(p);
		return rc;
	}
	if (lp_model_of(p, a.path, &m, err, sizeof(err)))
		return lp_input_error("top", err);
	lp_model_keep_paths(&m, a.o.full_paths);
	if (lp_sites_build(&m, a.o.by, &s) || lp_sites_sort(&s, a.o.type)) {
		lp_sites_free(&s);
		lp_model_free(&m);
		return lp_input_error("top", "out of memory");
	}
	shown = lp_rows_shown(&a.o, s.n);
	if (a.o.json)
		print_json(&a, &m, &s, shown);
	else
		print_table(&a, &m, &s, shown);
	lp_sites_free(&s);
	lp_model_free(&m);
	return LP_EXIT_OK;
}
