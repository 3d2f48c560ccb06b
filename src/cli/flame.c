/* SPDX-License-Identifier: MIT */
/* lockprof flame: a self-contained SVG flame graph, plain or differential. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "compare.h"
#include "escape.h"
#include "flame_tree.h"
#include "options.h"
#include "units.h"

static const char usage[] =
	"usage: lockprof flame [--base BASE [--per-second]] [--type delay|contentions]\n"
	"                      [--title TEXT] [--width PX] [-o OUT.svg] FILE\n"
	"\n"
	"Draw a flame graph of a block or mutex profile as one SVG file with\n"
	"no scripts and no external resources: root at the bottom, each frame\n"
	"as wide as its share of the total, hover a frame for its value.\n"
	"\n"
	"With --base, a differential flame graph: widths are FILE's, colors\n"
	"the change from BASE (totals; BASE scaled to FILE's duration with\n"
	"--per-second): red for more waiting, blue for less, the deeper the\n"
	"color the larger the change. Stacks only in BASE have no width.\n"
	"\n"
	"A profile of differences (lockprof diff -o) is drawn with each stack\n"
	"as wide as its change, red where it grew, blue where it shrank.\n"
	"\n"
	"  -o FILE       output (default standard output)\n"
	"  --base BASE   baseline profile for a differential graph\n"
	"  --per-second  compare with BASE per second of each duration\n"
	"  --type T      delay (default) or contentions\n"
	"  --title TEXT  the graph's title\n"
	"  --width PX    image width (default 1200)\n"
	"  -h, --help    this help\n";

#define ROW 17     /* frame height */
#define TOP 60     /* title and subtitle */
#define BOTTOM 34  /* footer */
#define PAD 10
#define CHAR_W 7.2 /* 12px monospace */

struct flame {
	FILE *f;
	enum lp_vtype type;
	int diff;    /* colored by the change from a base */
	int signed_; /* a profile of differences: widths are |change| */
	double total, px_per_unit;
	size_t depth;
	int width;
};

/* A warm color from the name, as flamegraph.pl's "hot" palette: the same
 * function gets the same color in every graph. */
static void hot(const char *name, int rgb[3])
{
	unsigned h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	rgb[0] = 205 + (int)(h % 50);
	rgb[1] = (int)((h >> 8) % 200);
	rgb[2] = (int)((h >> 16) % 55);
}

/*
 * White for no change, red for more waiting, blue for less; the deeper the
 * color the larger the change relative to the frame (new or gone: deepest).
 * Relative, so that small frames that doubled show as well as big ones.
 */
static void delta_color(double d, double big, int rgb[3])
{
	/* sqrt: a +50% change should already show clearly. */
	int fade = big > 0 ? (int)lround(210 * sqrt(fabs(d) / big)) : 0;

	if (d > 0)
		rgb[0] = 255, rgb[1] = rgb[2] = 250 - fade;
	else if (d < 0)
		rgb[2] = 255, rgb[0] = rgb[1] = 250 - fade;
	else
		rgb[0] = rgb[1] = rgb[2] = 245;
}

static void tooltip(const struct flame *g, const struct lp_fnode *n)
{
	char a[40], b[40], c[40];

	fputs("<title>", g->f);
	lp_xml_text(g->f, n->name);
	fprintf(g->f, ": %s (%.2f%%)",
		lp_fmt_value(g->type, n->value, a, sizeof(a)),
		g->total ? 100 * n->value / g->total : 0.0);
	if (g->signed_)
		fprintf(g->f, " changed; net %s%s", n->net > 0 ? "+" : "",
			lp_fmt_value(g->type, n->net, b, sizeof(b)));
	else if (g->diff)
		fprintf(g->f, "; base %s, change %s%s (%s)",
			lp_fmt_value(g->type, n->base, b, sizeof(b)),
			n->value > n->base ? "+" : "",
			lp_fmt_value(g->type, n->value - n->base, c,
				     sizeof(c)),
			lp_fmt_change_pct(n->base, n->value, a, sizeof(a)));
	fputs("</title>", g->f);
}

static void draw(const struct flame *g, const struct lp_fnode *n, double x,
		 size_t depth)
{
	double w = n->value * g->px_per_unit;
	double y = TOP + (double)(g->depth - depth) * ROW;
	int rgb[3];
	size_t chars;

	if (w < 0.1)
		return;
	if (g->signed_)
		delta_color(n->net, n->value, rgb);
	else if (g->diff)
		delta_color(n->value - n->base,
			    n->value > n->base ? n->value : n->base, rgb);
	else
		hot(n->name, rgb);
	fputs("<g>", g->f);
	tooltip(g, n);
	fprintf(g->f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
		"fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>", x, y, w, ROW - 1, rgb[0],
		rgb[1], rgb[2]);
	chars = w > 6 ? (size_t)((w - 6) / CHAR_W) : 0;
	if (chars >= 3) {
		fprintf(g->f, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + 12);
		lp_xml_text_cut(g->f, n->name,
				strlen(n->name) <= chars ? chars : chars - 3);
		fputs("</text>", g->f);
	}
	fputs("</g>\n", g->f);
	for (size_t i = 0; i < n->n_kids; i++) {
		if (n->kids[i]->value <= 0)
			continue;
		draw(g, n->kids[i], x, depth + 1);
		x += n->kids[i]->value * g->px_per_unit;
	}
}

static void header(const struct flame *g, const char *title,
		   const char *subtitle, int height)
{
	fprintf(g->f, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
		"standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
		"<style>text{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,"
		"monospace;font-size:12px;fill:#000}"
		".title{font-size:17px}.sub{fill:#555}"
		"rect{stroke:#fff;stroke-width:0.5}"
		"g:hover rect{stroke:#000;stroke-width:1}</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" "
		"fill=\"#fafaf5\" style=\"stroke:none\"/>\n",
		g->width, height, g->width, height);
	fprintf(g->f, "<text class=\"title\" x=\"%d\" y=\"24\" "
		"text-anchor=\"middle\">", g->width / 2);
	lp_xml_text(g->f, title);
	fprintf(g->f, "</text>\n<text class=\"sub\" x=\"%d\" y=\"44\" "
		"text-anchor=\"middle\">", g->width / 2);
	lp_xml_text(g->f, subtitle);
	fputs("</text>\n", g->f);
}

static void footer(const struct flame *g, int height)
{
	int y = height - 12;

	if (!g->diff && !g->signed_) {
		fprintf(g->f, "<text class=\"sub\" x=\"%d\" y=\"%d\">width: "
			"share of %s; hover a frame for its value</text>\n",
			PAD, y, lp_type_name(g->type));
	} else {
		fprintf(g->f, "<rect x=\"%d\" y=\"%d\" width=\"14\" "
			"height=\"12\" fill=\"rgb(255,40,40)\"/>"
			"<text x=\"%d\" y=\"%d\">more waiting than base</text>"
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" "
			"fill=\"rgb(40,40,255)\"/>"
			"<text x=\"%d\" y=\"%d\">less waiting than base</text>"
			"<text class=\"sub\" x=\"%d\" y=\"%d\">width: %s %s"
			"</text>\n", PAD, y - 10, PAD + 20, y, PAD + 220, y - 10,
			PAD + 240, y, PAD + 440, y, g->signed_ ? "change of" :
			"new", lp_type_name(g->type));
	}
	fputs("</svg>\n", g->f);
}

struct flame_args {
	struct lp_opts o;
	const char *path, *base, *title;
	long width;
};

static void subtitle(const struct flame_args *a, const struct lp_model *m,
		     const struct lp_cmp *c, char *buf, size_t len)
{
	char v[40], d[40];
	int n;

	n = snprintf(buf, len, "%s profile, %s in all",
		     lp_meta_kind(&m[1].meta),
		     lp_fmt_value(a->o.type, lp_model_total(&m[1], a->o.type),
				  v, sizeof(v)));
	if (n < 0 || (size_t)n >= len)
		return;
	if (a->o.type == LP_VT_CONTENTIONS)
		n += snprintf(buf + n, len - (size_t)n, " contentions");
	if (m[1].duration_ns && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " over %s",
			      lp_fmt_duration((double)m[1].duration_ns, d,
					      sizeof(d)));
	if (a->base && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; base %s%s", a->base,
			 c->rates ? " scaled to this duration" : " (totals)");
	else if (lp_model_has_negative(&m[1], a->o.type) && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; differences: width is "
			 "the size of the change");
}

static int render(const struct flame_args *a, struct lp_model *m)
{
	struct lp_fnode root = { .name = "all" };
	struct flame g = { .type = a->o.type, .diff = a->base != NULL,
			   .width = (int)a->width };
	struct lp_cmp c = { .base_scale = 1, .new_scale = 1 };
	char title[512], sub[1024];
	int height, rc = 0;

	g.signed_ = !g.diff && lp_model_has_negative(&m[1], a->o.type);
	if (g.diff && lp_cmp_scales(&c, &m[0], &m[1], a->o.per_second, sub,
				    sizeof(sub)))
		return lp_input_error("flame", sub);
	if ((g.signed_ ? lp_ftree_add_signed(&root, &m[1], a->o.type) :
			 lp_ftree_add(&root, &m[1], a->o.type, 1.0, 0)) ||
	    (g.diff && lp_ftree_add(&root, &m[0], a->o.type,
				    c.base_scale / c.new_scale, 1))) {
		rc = lp_input_error("flame", "out of memory");
		goto out;
	}
	lp_ftree_sort(&root);
	g.total = root.value;
	g.depth = lp_ftree_depth(&root);
	g.px_per_unit = root.value > 0 ? (g.width - 2.0 * PAD) / root.value : 0;
	height = TOP + (int)(g.depth + 1) * ROW + BOTTOM;
	snprintf(title, sizeof(title), "%s", a->title ? a->title : "");
	if (!a->title)
		snprintf(title, sizeof(title), "%s%s: %s", g.diff ?
			 "Differential flame graph, " : g.signed_ ?
			 "Flame graph of differences, " : "Flame graph, ",
			 lp_type_name(a->o.type), m[1].path);
	subtitle(a, m, &c, sub, sizeof(sub));
	g.f = a->o.out && strcmp(a->o.out, "-") ? fopen(a->o.out, "w") : stdout;
	if (!g.f) {
		snprintf(sub, sizeof(sub), "%s: %s", a->o.out, strerror(errno));
		rc = lp_input_error("flame", sub);
		goto out;
	}
	header(&g, title, sub, height);
	draw(&g, &root, PAD, 0);
	footer(&g, height);
	if ((g.f == stdout ? fflush(g.f) : fclose(g.f)) != 0) {
		snprintf(sub, sizeof(sub), "%s: write failed: %s",
			 a->o.out ? a->o.out : "<stdout>", strerror(errno));
		rc = lp_input_error("flame", sub);
	}
out:
	lp_ftree_free(&root);
	return rc;
}

static int own_option(int c, const char *arg, void *ctx)
{
	struct flame_args *a = ctx;
	char *end;

	switch (c) {
	case LP_OPT_BASE:
		a->base = arg;
		return 0;
	case LP_OPT_TITLE:
		a->title = arg;
		return 0;
	case LP_OPT_WIDTH:
		a->width = strtol(arg, &end, 10);
		if (*end || end == arg || a->width < 200 || a->width > 100000)
			return lp_usage_error("flame", "bad --width '%s' "
					      "(200 to 100000)", arg);
		return 0;
	}
	return -1;
}

static int parse(int argc, char **argv, struct flame_args *a)
{
	static const struct option longs[] = {
		{ "base", required_argument, NULL, LP_OPT_BASE },
		{ "title", required_argument, NULL, LP_OPT_TITLE },
		{ "width", required_argument, NULL, LP_OPT_WIDTH },
		{ 0, 0, 0, 0 },
	};
	const struct lp_cmdline cl = {
		.cmd = "flame", .usage = usage, .longs = longs,
		.takes = LP_TAKES_TYPE | LP_TAKES_OUT | LP_TAKES_PER_SECOND,
		.own = own_option, .ctx = a, .operands = 1,
		.operands_error = "expected one profile file",
	};
	int rc;

	*a = (struct flame_args){ .width = 1200 };
	rc = lp_parse_options(&cl, argc, argv, &a->o);
	if (!rc)
		a->path = argv[optind];
	return rc;
}

int lp_cmd_flame(int argc, char **argv)
{
	struct flame_args a;
	struct lp_model m[2];
	char err[1024];
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? LP_EXIT_OK : rc;
	if (a.base) {
		rc = lp_load_pair("flame", a.base, a.path, m);
		if (rc)
			return rc;
	} else {
		memset(&m[0], 0, sizeof(m[0]));
		if (lp_model_load(a.path, &m[1], err, sizeof(err)))
			return lp_input_error("flame", err);
	}
	rc = render(&a, m);
	if (a.base)
		lp_model_free(&m[0]);
	lp_model_free(&m[1]);
	return rc;
}
