/* SPDX-License-Identifier: MIT */
#include "run_summary.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/pprof_decode.h"
#include "units.h"

struct file {
	char *name;
	ino_t ino;
	struct timespec mtime;
};

struct lp_run_files {
	size_t n, cap;
	struct file *v;
};

/* The profiles' names: 1 block, 2 mutex, 3 hold (lp_run_written). */
static const char *const kinds[] = { NULL, "block.", "mutex.", "hold." };
#define KINDS 4

/* block.pprof, mutex.pprof, hold.pprof (the first process), block.PID.pprof,
 * mutex.PID.pprof, hold.PID.pprof (the others): their kind, 0 for none;
 * *first tells which. */
static int profile_name(const char *name, int *first)
{
	int kind = 0;
	const char *p;

	for (int k = 1; k < KINDS && !kind; k++)
		if (!strncmp(name, kinds[k], strlen(kinds[k])))
			kind = k;
	if (!kind)
		return 0;
	p = name + strlen(kinds[kind]);
	*first = !strcmp(p, "pprof");
	if (*first)
		return kind;
	if (!*p || strspn(p, "0123456789") == 0)
		return 0;
	p += strspn(p, "0123456789");
	return strcmp(p, ".pprof") ? 0 : kind;
}

static int add(struct lp_run_files *f, const char *name, const struct stat *st)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct file *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].name = strdup(name);
	if (!f->v[f->n].name)
		return -1;
	f->v[f->n].ino = st->st_ino;
	f->v[f->n].mtime = st->st_mtim;
	f->n++;
	return 0;
}

static struct lp_run_files *scan(const char *dir)
{
	struct lp_run_files *f = calloc(1, sizeof(*f));
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	int first;

	if (!f || !d) {
		if (d)
			closedir(d);
		return f;
	}
	while ((e = readdir(d))) {
		if (profile_name(e->d_name, &first) &&
		    fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode) && add(f, e->d_name, &st)) {
			lp_run_files_free(f);
			f = NULL;
			break;
		}
	}
	closedir(d);
	return f;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name,
		      ((const struct file *)b)->name);
}

struct lp_run_files *lp_run_files_before(const char *dir)
{
	return scan(dir);
}

/* Written by the run: absent before, or another file (a new inode, as the
 * library renames a new file onto the name), or rewritten. */
static int written(const struct file *x, const struct lp_run_files *before)
{
	for (size_t i = 0; before && i < before->n; i++) {
		const struct file *b = &before->v[i];

		if (!strcmp(b->name, x->name))
			return b->ino != x->ino ||
			       b->mtime.tv_sec != x->mtime.tv_sec ||
			       b->mtime.tv_nsec != x->mtime.tv_nsec;
	}
	return 1;
}

int lp_run_written(const char *dir, const struct lp_run_files *before,
		   int kind, char ***names)
{
	struct lp_run_files *now = scan(dir);
	size_t n = 0;
	int first;

	*names = NULL;
	if (!now)
		return -1;
	*names = calloc(now->n + 1, sizeof(**names));
	for (size_t i = 0; *names && i < now->n; i++)
		if (profile_name(now->v[i].name, &first) == kind &&
		    written(&now->v[i], before))
			(*names)[n++] = strdup(now->v[i].name);
	lp_run_files_free(now);
	return *names ? (int)n : -1;
}

static long samples(const char *dir, const char *name)
{
	char path[4096], err[256];
	lp_profile *p;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	p = lp_pprof_read_file(path, err, sizeof(err));
	if (!p)
		return -1;
	n = (long)p->n_sample;
	lp_pprof_free(p);
	return n;
}

/* "block.pprof (12 samples)" */
static void say_file(const char *name, long n, const char *sep)
{
	if (n < 0)
		fprintf(stderr, "%s%s (unreadable)", sep, name);
	else
		fprintf(stderr, "%s%s (%ld %s)", sep, name, n,
			lp_plural((double)n, "sample", "samples"));
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Distinct values among n. */
static size_t distinct(long *v, size_t n)
{
	size_t d = 0;

	if (n)
		qsort(v, n, sizeof(*v), cmp_long);
	for (size_t i = 0; i < n; i++)
		d += i == 0 || v[i] != v[i - 1];
	return d;
}

void lp_run_summary(const char *dir, const struct lp_run_files *before)
{
	struct lp_run_files *after = scan(dir);
	long others[KINDS] = { 0 }, n, *pids;

	/* block before mutex, as said everywhere else (hold between). */
	if (after && after->n)
		qsort(after->v, after->n, sizeof(*after->v), cmp_file);
	size_t files = 0, other_files = 0, procs, said = 0;
	int first, kind, root = 0;

	pids = calloc(after && after->n ? after->n : 1, sizeof(*pids));

	for (size_t i = 0; after && i < after->n; i++) {
		const struct file *x = &after->v[i];

		if (!written(x, before))
			continue;
		files++;
		kind = profile_name(x->name, &first);
		n = samples(dir, x->name);
		if (first) {
			say_file(x->name, n, said++ ? ", " : "lockprof run: wrote ");
			root = 1;
		} else {
			others[kind] += n > 0 ? n : 0;
			if (pids)
				pids[other_files] = strtol(x->name + strlen(kinds[kind]),
							   NULL, 10);
			other_files++;
		}
	}
	procs = pids ? distinct(pids, other_files) : 0;
	free(pids);
	if (!files) {
		fprintf(stderr, "lockprof run: no profile was written to %s\n",
			dir);
		lp_run_files_free(after);
		return;
	}
	if (other_files)
		fprintf(stderr, "%s%zu %s of %zu other %s (block: %ld %s, "
			"mutex: %ld %s)", said ? " and " : "lockprof run: wrote ",
			other_files, lp_plural((double)other_files, "file",
					       "files"), procs,
			lp_plural((double)procs, "process", "processes"),
			others[1], lp_plural((double)others[1], "sample",
					     "samples"), others[2],
			lp_plural((double)others[2], "sample", "samples"));
	if (others[3])
		fprintf(stderr, " (hold: %ld %s)", others[3],
			lp_plural((double)others[3], "sample", "samples"));
	procs += (size_t)root;
	fprintf(stderr, " in %s; %zu %s wrote profiles\n", dir, procs,
		lp_plural((double)procs, "process", "processes"));
	lp_run_files_free(after);
}

void lp_run_files_free(struct lp_run_files *f)
{
	for (size_t i = 0; f && i < f->n; i++)
		free(f->v[i].name);
	if (f)
		free(f->v);
	free(f);
}
