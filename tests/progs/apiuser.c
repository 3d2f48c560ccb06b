/* SPDX-License-Identifier: MIT */
/*
 * A program linked with -llockprof (not preloaded) that drives the C API:
 * rates set and read back, recording stopped and started, both profiles
 * written to paths and to file descriptors; the hold profile too (run with
 * LOCKPROF_HOLD_FRACTION set).
 *
 * usage: apiuser DIR   (writes DIR/{block,mutex,hold}-{path,fd}.pprof)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lockprof.h"

#define NOINLINE __attribute__((noinline))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void hammer(void)
{
	struct timespec hold = { 0, 200000 };
	for (int i = 0; i < 20; i++) {
		pthread_mutex_lock(&lock);
		nanosleep(&hold, NULL);
		pthread_mutex_unlock(&lock);
		nanosleep(&hold, NULL);
	}
}

/* Thread entry points name the phase in every stack. */
static NOINLINE void *contend_recorded(void *arg) { (void)arg; hammer(); return NULL; }
static NOINLINE void *contend_while_stopped(void *arg) { (void)arg; hammer(); return NULL; }

static void contend(void *(*site)(void *))
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, site, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}

#define EXPECT(cond) do { if (!(cond)) { fprintf(stderr, "failed: %s\n", #cond); exit(1); } } while (0)

int main(int argc, char **argv)
{
	char path[3][4096];
	int fd[3];

	if (argc != 2)
		return 2;
	EXPECT(lockprof_set_block_rate(1) == 10000); /* the default, 10us */
	EXPECT(lockprof_block_rate() == 1);
	EXPECT(lockprof_set_mutex_fraction(5000000000LL) == 10);
	EXPECT(lockprof_mutex_fraction() == 1000000000); /* as LOCKPROF_MUTEX_FRACTION */
	EXPECT(lockprof_set_mutex_fraction(1) == 1000000000);
	EXPECT(lockprof_set_mutex_fraction(-1) == 1); /* negative only reads */
	EXPECT(lockprof_mutex_fraction() == 1);

	contend(contend_recorded);
	snprintf(path[0], sizeof(path[0]), "%s/block-path.pprof", argv[1]);
	snprintf(path[1], sizeof(path[1]), "%s/mutex-path.pprof", argv[1]);
	snprintf(path[2], sizeof(path[2]), "%s/hold-path.pprof", argv[1]);
	EXPECT(lockprof_dump(path[0], path[1]) == 0);
	EXPECT(lockprof_dump_hold(path[2]) == 0);

	EXPECT(lockprof_stop() == 1);
	contend(contend_while_stopped);
	EXPECT(lockprof_start() == 0);
	snprintf(path[0], sizeof(path[0]), "%s/block-fd.pprof", argv[1]);
	snprintf(path[1], sizeof(path[1]), "%s/mutex-fd.pprof", argv[1]);
	fd[0] = open(path[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fd[1] = open(path[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(path[2], sizeof(path[2]), "%s/hold-fd.pprof", argv[1]);
	fd[2] = open(path[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd[0] >= 0 && fd[1] >= 0 && fd[2] >= 0);
	EXPECT(lockprof_dump_fd(fd[0], fd[1]) == 0);
	EXPECT(lockprof_dump_hold_fd(fd[2]) == 0);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	EXPECT(lockprof_dump("/nonexistent-dir/block.pprof", NULL) == -1);
	puts("api ok");
	return 0;
}
