/* SPDX-License-Identifier: MIT */
/*
 * A program linked against liblockprof (not preloaded: the loader ignores
 * LD_PRELOAD in a setuid program), for test_secure.py, which makes a copy
 * setuid root and runs it as another user.
 *
 * secure [start]: with "start", turns recording on itself (lockprof_start,
 * every event). Contends on a mutex (one sure wait), prints
 * "ready secure=N" (N: the kernel's AT_SECURE), waits for the end of its
 * input and exits 0.
 */
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>

#include "lockprof.h"
#include "onewait.h"
#include "safe.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "start") == 0) {
		lockprof_set_block_rate(1);
		lockprof_set_mutex_fraction(1);
		lockprof_start();
	}
	one_wait();
	printf("ready secure=%lu\n", getauxval(AT_SECURE));
	fflush(stdout);
	while (getchar() != EOF)
		;
	return 0;
}
