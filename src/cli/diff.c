/* SPDX-License-Identifier: MIT */
/* lockprof diff: what changed between a baseline and a new profile. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "compare.h"
#include "json.h"
#include "options.h"
#include "pprof_build.h"
#include "units.h"

static const char usage[] =
	"usage: lockprof diff [-n N] [--by KEY] [--full-paths]\n"
	"                     [--type delay|contentions] [--per-second] [--json]\n"
	"                     [-o DIFF.pprof] BASE NEW\n"
	"\n"
	"Compare two profiles of one kind site by site: base and new totals\n"
	"(the same work done twice), or rates per second of each file's\n"
	"duration with --per-second (runs of different lengths); the absolute\n"
	"and relative change, sites that appeared or vanished; ranked by the\n"
	"size of the change, largest first. BASE and NEW may be URLs of a live\n"
	"endpoint (http://HOST:PORT/debug/pprof/block?seconds=N).\n"
	"\n"
	"  -n N          show the first N sites (default 20, 0 for all)\n"
	"  --by KEY      function (default), line, stack, leaf, lock, thread or\n"
	"                wait: as in 'top'\n"
	"  --full-paths  --by line: file names as in the profile, not relative\n"
	"                to its source root\n"
	"  --type T      compare delay (default) or contentions\n"
	"  --per-second  compare rates per second of each profile's duration\n"
	"  --json        one JSON object instead of the table\n"
	"  -o FILE       also write NEW minus BASE (BASE scaled to NEW's\n"
	"                duration with --per-second) as a gzip pprof file for\n"
	"                go tool pprof; values of sites that shrank are negative\n"
	"  -h, --help    this help\n";

struct diff_args {
	struct lp_opts o;
	const char *base, *new_;
};

static int parse(int argc, char **argv, struct diff_args *a)
{
	static const struct lp_cmdline cl = {
		.cmd = "diff", .usage = usage, .operands = 2,
		.takes = LP_TAKES_N | LP_TAKES_BY | LP_TAKES_TYPE |
			 LP_TAKES_JSON | LP_TAKES_OUT | LP_TAKES_PER_SECOND |
			 LP_TAKES_FULL_PATHS,
		.operands_error = "expected BASE and NEW profiles",
	};
	int rc;

	*a = (struct diff_args){ .o.n = 20 };
	rc = lp_parse_options(&cl, argc, argv, &a->o);
	if (!rc) {
		a->base = argv[optind];
		a->new_ = argv[optind + 1];
	}
	return rc;
}

static void json_file(struct lp_json *j, const char *key,
		      const struct lp_model *m)
{
	lp_json_open(j, key, '{');
	lp_json_str(j, "file", m->path);
	lp_json_str(j, "kind", lp_meta_kind(&m->meta));
	if (m->duration_ns)
		lp_json_num(j, "duration_ns", (double)m->duration_ns);
	else
		lp_json_null(j, "duration_ns");
	lp_json_close(j, '}');
}

static void json_values(struct lp_json *j, const char *key,
			const struct lp_cmp_value *v)
{
	lp_json_open(j, key, '{');
	lp_json_num(j, "delay_ns", v->delay);
	lp_json_num(j, "contentions", v->contentions);
	lp_json_close(j, '}');
}

/* Both totals as the files have them, times a scale each. */
static void json_totals(struct lp_json *j, const char *key,
			const struct lp_cmp_value *b, const struct lp_cmp_value *n,
			double bk, double nk)
{
	struct lp_cmp_value x = { b->contentions * bk, b->delay * bk };
	struct lp_cmp_value y = { n->contentions * nk, n->delay * nk };

	lp_json_open(j, key, '{');
	json_values(j, "base", &x);
	json_values(j, "new", &y);
	lp_json_close(j, '}');
}

static void print_json(const struct diff_args *a, const struct lp_model *m,
		       const struct lp_cmp *c, size_t shown)
{
	double bt = lp_cmp_pick(&c->base_total, a->o.type);
	double nt = lp_cmp_pick(&c->new_total, a->o.type);
	struct lp_json j;

	lp_json_init(&j, stdout);
	lp_json_open(&j, NULL, '{');
	json_file(&j, "base_file", &m[0]);
	json_file(&j, "new_file", &m[1]);
	lp_json_str(&j, "by", lp_by_name(a->o.by));
	lp_json_str(&j, "type", lp_type_name(a->o.type));
	lp_json_bool(&j, "per_second", c->rates);
	if (c->note[0])
		lp_json_str(&j, "note", c->note);
	else
		lp_json_null(&j, "note");
	lp_json_open(&j, "total", '{');
	json_values(&j, "base", &c->base_total);
	json_values(&j, "new", &c->new_total);
	lp_json_num(&j, "change", nt - bt);
	lp_json_num(&j, "factor", bt ? nt / bt : INFINITY);
	lp_json_close(&j, '}');
	json_totals(&j, "totals", &c->base_sum, &c->new_sum, 1, 1);
	if (c->timed)
		json_totals(&j, "rates", &c->base_sum, &c->new_sum,
			    1e9 / (double)m[0].duration_ns,
			    1e9 / (double)m[1].duration_ns);
	else
		lp_json_null(&j, "rates");
	lp_json_num(&j, "sites_total", (double)c->n);
	lp_json_open(&j, "sites", '[');
	for (size_t i = 0; i < shown; i++) {
		const struct lp_cmp_row *r = &c->rows[i];

		lp_json_open(&j, NULL, '{');
		lp_json_str(&j, "site", r->site);
		lp_json_str(&j, "status", lp_row_status(r, a->o.type));
		json_values(&j, "base", &r->base);
		json_values(&j, "new", &r->new_);
		lp_json_num(&j, "change", r->change);
		lp_json_num(&j, "factor", r->factor);
		lp_json_close(&j, '}');
	}
	lp_json_close(&j, ']');
	lp_json_close(&j, '}');
	lp_json_end(&j);
}

static void print_file(const char *label, const struct lp_model *m)
{
	char d[32];

	printf("%s %s (%s profile, ", label, m->path, lp_meta_kind(&m->meta));
	if (m->duration_ns)
		printf("%s)\n", lp_fmt_duration((double)m->duration_ns, d,
						 sizeof(d)));
	else
		printf("no duration)\n");
}

/* "Total delay: 1.94s -> 3.29s, +1.35s (+69.6%)", or "Delay per second:
 * ..." */
static void print_total(enum lp_vtype t, int rate, double b, double n)
{
	char x[4][48];

	printf("%s: %s -> %s, %s (%s)\n", rate ? (t == LP_VT_DELAY ?
	       "Delay per second" : "Contentions per second") :
	       (t == LP_VT_DELAY ? "Total delay" : "Total contentions"),
	       lp_fmt_value_as(t, rate, b, 0, x[0], 48),
	       lp_fmt_value_as(t, rate, n, 0, x[1], 48),
	       lp_fmt_value_as(t, rate, n - b, 1, x[2], 48),
	       lp_fmt_change_pct(b, n, x[3], 48));
}

static void print_totals(const struct diff_args *a, const struct lp_model *m,
			 const struct lp_cmp *c)
{
	enum lp_vtype t = a->o.type;
	double bs = lp_cmp_pick(&c->base_sum, t);
	double ns = lp_cmp_pick(&c->new_sum, t);

	if (c->rates)
		printf("Compared: %s per second of each profile's duration "
		       "(--per-second)\n", lp_type_name(t));
	else
		printf("Compared: total %s%s\n", lp_type_name(t), c->timed ?
		       " (--per-second for rates)" : "");
	if (c->note[0])
		printf("Note: %s\n", c->note);
	print_total(t, 0, bs, ns);
	if (c->timed)
		print_total(t, 1,
			    bs * 1e9 / (double)m[0].duration_ns,
			    ns * 1e9 / (double)m[1].duration_ns);
}

static void print_table(const struct diff_args *a, const struct lp_model *m,
			const struct lp_cmp *c, size_t shown)
{
	size_t counts[3] = { 0 };
	char b[5][48];

	print_file("Base:", &m[0]);
	print_file("New: ", &m[1]);
	print_totals(a, m, c);
	printf("%12s %12s %13s %8s %8s  site\n", "base", "new", "change",
	       "change%", "factor");
	for (size_t i = 0; i < shown; i++) {
		const struct lp_cmp_row *r = &c->rows[i];
		double rb = lp_cmp_pick(&r->base, a->o.type);
		double rn = lp_cmp_pick(&r->new_, a->o.type);

		printf("%12s %12s %13s %8s %8s  %s\n",
		       rb ? lp_fmt_cmp_value(c, rb, 0, b[0], 48) : "-",
		       rn ? lp_fmt_cmp_value(c, rn, 0, b[1], 48) : "-",
		       lp_fmt_cmp_value(c, r->change, 1, b[2], 48),
		       lp_fmt_change_pct(rb, rn, b[3], 48),
		       lp_fmt_factor(r, b[4], 48), r->site);
	}
	for (size_t i = 0; i < c->n; i++) {
		const char *st = lp_row_status(&c->rows[i], a->o.type);

		counts[!strcmp(st, "new") ? 1 : !strcmp(st, "gone") ? 2 : 0]++;
	}
	printf("%zu %s: %zu in both, %zu new, %zu gone", c->n,
	       lp_plural(c->n, "site", "sites"), counts[0], counts[1],
	       counts[2]);
	if (shown < c->n)
		printf(" (%zu not shown, see -n)", c->n - shown);
	printf("\n");
}

/* NEW minus BASE, BASE scaled to NEW's duration with --per-second. Of
 * the kind of its inputs, of no run. */
static int write_diff(const char *path, const struct lp_model *m,
		      const struct lp_cmp *c)
{
	struct lp_meta meta = { .root_pid = 0 };
	struct lp_builder b;
	char err[512], comment[96];
	int rc = 0;

	memcpy(meta.kind, m[1].meta.kind[0] ? m[1].meta.kind : m[0].meta.kind,
	       sizeof(meta.kind));
	lp_meta_comment(&meta, comment, sizeof(comment));
	lp_builder_init(&b);
	lp_builder_header(&b, m[1].prof);
	lp_builder_comment(&b, comment);
	lp_builder_add(&b, m[1].prof, 1.0);
	lp_builder_add(&b, m[0].prof, -c->base_scale / c->new_scale);
	b.p.time_nanos = m[1].prof->time_nanos;
	b.p.duration_nanos = m[1].prof->duration_nanos;
	if (lp_builder_write(&b, path, err, sizeof(err)))
		rc = lp_input_error("diff", err);
	lp_builder_free(&b);
	return rc;
}

int lp_cmd_diff(int argc, char **argv)
{
	struct diff_args a;
	struct lp_model m[2];
	struct lp_cmp c;
	size_t shown;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	rc = lp_load_compare("diff", a.base, a.new_, &a.o, m, &c);
	if (rc)
		return rc;
	shown = lp_rows_shown(&a.o, c.n);
	if (a.o.out)
		rc = write_diff(a.o.out, m, &c);
	/* With the diff on standard output, the table would corrupt it. */
	if (!rc && a.o.json && !(a.o.out && !strcmp(a.o.out, "-")))
		print_json(&a, m, &c, shown);
	else if (!rc && !(a.o.out && !strcmp(a.o.out, "-")))
		print_table(&a, m, &c, shown);
	lp_load_compare_free(m, &c);
	return rc;
}
