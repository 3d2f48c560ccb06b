/* SPDX-License-Identifier: MIT */
/*
 * lockprof_snapshot_take / lockprof_dump_delta: each window holds what
 * happened in it, with advance the windows follow one another, and the
 * files read back as pprof.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../format/check.h"
#include "lockprof.h"
#include "format/pprof_decode.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void hold(void)
{
	struct timespec t = { 0, 100000 };
	nanosleep(&t, NULL);
}

#define CONTENDER(name)                                                        \
	static __attribute__((noinline)) void name(void)                       \
	{                                                                      \
		for (int i = 0; i < 200; i++) {                                \
			pthread_mutex_lock(&lock);                             \
			hold();                                                \
			pthread_mutex_unlock(&lock);                           \
		}                                                              \
	}
CONTENDER(first_window)
CONTENDER(second_window)

static void *run(void *fn)
{
	((void (*)(void))fn)();
	return NULL;
}

static void fight(void (*fn)(void))
{
	pthread_t th[3];

	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, run, (void *)fn);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
}

/* Delay of the samples whose stack names `func`; -1 if unreadable. */
static long long delay_in(const char *path, const char *func, size_t *samples)
{
	char err[256];
	lp_profile *p = lp_pprof_read_file(path, err, sizeof(err));
	struct lp_pprof_index *ix;
	long long total = 0;

	if (!p) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	ix = lp_pprof_index_new(p);
	*samples = p->n_sample;
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		int hit = 0;
		for (size_t j = 0; j < s->n_location_id; j++) {
			const Perftools__Profiles__Location *l = lp_pprof_location(ix, s->location_id[j]);
			for (size_t k = 0; l && k < l->n_line; k++) {
				const Perftools__Profiles__Function *f =
					lp_pprof_function(ix, l->line[k]->function_id);
				hit |= f && strcmp(p->string_table[f->name], func) == 0;
			}
		}
		if (hit)
			total += s->value[1];
	}
	lp_pprof_index_free(ix);
	lp_pprof_free(p);
	return total;
}

int main(void)
{
	char dir[] = "/tmp/lockprof-api-delta-XXXXXX", m1[64], m2[64], m3[64], b2[64];
	lockprof_snapshot *s;
	size_t n;
	FILE *f;

	REQUIRE(mkdtemp(dir), "mkdtemp");
	snprintf(m1, sizeof(m1), "%s/m1.pprof", dir);
	snprintf(m2, sizeof(m2), "%s/m2.pprof", dir);
	snprintf(m3, sizeof(m3), "%s/m3.pprof", dir);
	snprintf(b2, sizeof(b2), "%s/b2.pprof", dir);
	s = lockprof_snapshot_take();
	REQUIRE(s, "snapshot");
	fight(first_window);
	CHECK(lockprof_dump_delta(s, NULL, m1, 1) == 0, "first window");
	fight(second_window);
	CHECK(lockprof_dump_delta(s, b2, m2, 1) == 0, "second window");
	CHECK(lockprof_dump_delta(s, NULL, m3, 0) == 0, "quiet window");
	CHECK(lockprof_dump_delta(NULL, NULL, m3, 0) == -1, "no snapshot: -1");

	CHECK(delay_in(m1, "first_window", &n) > 0, "window 1 has its events");
	CHECK(delay_in(m1, "second_window", &n) == 0, "window 1 has nothing later");
	CHECK(delay_in(m2, "second_window", &n) > 0, "window 2 has its events");
	CHECK(delay_in(m2, "first_window", &n) == 0, "window 2 has nothing earlier");
	CHECK(delay_in(b2, "second_window", &n) > 0, "block window 2");
	CHECK(delay_in(m3, "first_window", &n) == 0 && n == 0, "quiet window: empty (%zu)", n);
	/* The fd form writes the same kind of file. */
	f = fopen(m3, "w");
	REQUIRE(f, "open");
	CHECK(lockprof_dump_delta_fd(s, -1, fileno(f), 0) == 0, "fd form");
	fclose(f);
	CHECK(delay_in(m3, "first_window", &n) == 0 && n == 0, "fd form: empty");
	lockprof_snapshot_free(s);
	unlink(m1);
	unlink(m2);
	unlink(m3);
	unlink(b2);
	rmdir(dir);
	return check_done("live-api-delta");
}
