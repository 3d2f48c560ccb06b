/* SPDX-License-Identifier: MIT */
/*
 * lockprof waiting: the hang view's text (src/format/waiting_text.h) from
 * a waiting profile, saved (waiting.pprof) or live (the endpoint's
 * /debug/pprof/waiting); `lockprof top` of a waiting profile prints the
 * same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "format/waiting_text.h"
#include "options.h"
#include "profile_model.h"
#include "url.h"
#include "waiting.h"

static const char usage[] =
	"usage: lockprof waiting FILE|URL\n"
	"\n"
	"Print the threads that were waiting when a waiting profile was taken\n"
	"(waiting.pprof, written by LOCKPROF_HANG or LOCKPROF_SIGNAL; FILE '-'\n"
	"is standard input), or that wait now in a live process: URL is its\n"
	"endpoint (http://127.0.0.1:6060, or .../debug/pprof/waiting). One\n"
	"block per thread, longest first, with its lock's owner and its stack;\n"
	"then the owners that are not waiting, then any deadlock cycle.\n"
	"\n"
	"  -h, --help    this help\n";

static int is_type(const lp_profile *p, size_t i, const char *type, const char *unit)
{
	return i < p->n_sample_type &&
	       !strcmp(p->string_table[p->sample_type[i]->type], type) &&
	       !strcmp(p->string_table[p->sample_type[i]->unit], unit);
}

int lp_is_waiting_profile(const lp_profile *p)
{
	return p->n_sample_type == 2 && is_type(p, 0, "waiting", "count") &&
	       is_type(p, 1, "waited", "nanoseconds");
}

struct view {
	const lp_profile *p;
	struct lp_pprof_index *ix;
	const Perftools__Profiles__Sample **sample; /* of each waiter */
};

static const char *label(const lp_profile *p, const Perftools__Profiles__Sample *s,
			 const char *key)
{
	for (size_t i = 0; i < s->n_label; i++)
		if (!strcmp(p->string_table[s->label[i]->key], key))
			return p->string_table[s->label[i]->str];
	return "";
}

/* A waiter's frames, as the library's text writes them; the leaf, which is
 * the primitive named on the line above, left out. */
static void stack(FILE *f, size_t i, void *arg)
{
	const struct view *v = arg;
	const Perftools__Profiles__Sample *s = v->sample[i];
	const char *prim = label(v->p, s, "primitive");

	for (size_t k = 0; k < s->n_location_id; k++) {
		const Perftools__Profiles__Location *l =
			lp_pprof_location(v->ix, s->location_id[k]);

		if (l->n_line == 0) {
			fprintf(f, "#\t0x%llx\n", (unsigned long long)l->address);
			continue;
		}
		for (size_t j = 0; j < l->n_line; j++) {
			const Perftools__Profiles__Function *fn =
				lp_pprof_function(v->ix, l->line[j]->function_id);
			const char *name = v->p->string_table[fn->name];
			const char *file = v->p->string_table[fn->filename];

			if (k == 0 && !strcmp(name, prim))
				continue;
			if (*file && l->line[j]->line)
				fprintf(f, "#\t0x%llx\t%s\t%s:%lld\n",
					(unsigned long long)l->address, name, file,
					(long long)l->line[j]->line);
			else
				fprintf(f, "#\t0x%llx\t%s\n",
					(unsigned long long)l->address, name);
		}
	}
}

int lp_waiting_print(const lp_profile *p)
{
	struct lp_waiter *w = calloc(p->n_sample + 1, sizeof(*w));
	struct view v = { p, lp_pprof_index_new(p),
			  calloc(p->n_sample + 1, sizeof(*v.sample)) };
	int rc = LP_EXIT_BAD;

	if (!w || !v.ix || !v.sample)
		goto out;
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		char *rest;

		w[i].tid = strtol(label(p, s, "tid"), NULL, 10);
		w[i].thread = label(p, s, "thread");
		w[i].primitive = label(p, s, "primitive");
		w[i].lock = label(p, s, "lock");
		/* "TID NAME" */
		w[i].owner = strtol(label(p, s, "owner"), &rest, 10);
		w[i].owner_name = *rest == ' ' ? rest + 1 : rest;
		w[i].waited_ns = s->value[1];
		v.sample[i] = s;
	}
	/* Longest first, each waiter keeping its sample. */
	for (size_t i = 1; i < p->n_sample; i++)
		for (size_t j = i; j > 0 && (w[j].waited_ns > w[j - 1].waited_ns ||
					     (w[j].waited_ns == w[j - 1].waited_ns &&
					      w[j].tid < w[j - 1].tid)); j--) {
			struct lp_waiter t = w[j];
			const Perftools__Profiles__Sample *ts = v.sample[j];

			w[j] = w[j - 1];
			w[j - 1] = t;
			v.sample[j] = v.sample[j - 1];
			v.sample[j - 1] = ts;
		}
	rc = lp_waiters_text(stdout, w, p->n_sample, stack, &v) ? LP_EXIT_BAD : LP_EXIT_OK;
out:
	free(w);
	free(v.sample);
	lp_pprof_index_free(v.ix);
	return rc;
}

/* An endpoint's URL names the profile, or the profile is added. */
static char *profile_url(const char *url)
{
	size_t n = strlen(url);
	char *out;

	if (strstr(url, "/debug/pprof/"))
		return strdup(url);
	while (n && url[n - 1] == '/')
		n--;
	if (asprintf(&out, "%.*s/debug/pprof/waiting", (int)n, url) < 0)
		return NULL;
	return out;
}

int lp_cmd_waiting(int argc, char **argv)
{
	char err[1024], *path;
	lp_profile *p;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return LP_EXIT_OK;
	}
	if (argc != 2)
		return lp_input_error("waiting", "expected one profile file or URL "
					   "(lockprof waiting --help)");
	path = lp_is_url(argv[1]) ? profile_url(argv[1]) : strdup(argv[1]);
	if (!path)
		return lp_input_error("waiting", "out of memory");
	p = lp_profile_read(path, err, sizeof(err));
	free(path);
	if (!p)
		return lp_input_error("waiting", err);
	if (!lp_is_waiting_profile(p)) {
		lp_pprof_free(p);
		snprintf(err, sizeof(err), "%s: not a waiting profile (sample types "
			 "waiting/count, waited/nanoseconds)", argv[1]);
		return lp_input_error("waiting", err);
	}
	rc = lp_waiting_print(p);
	lp_pprof_free(p);
	return rc;
}
