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
#include "procwait.h"
#include "safe.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *waiter(void *arg)
{
	__atomic_store_n((int *)arg, safe_gettid(), __ATOMIC_RELEASE);
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int tid = 0;

	if (argc > 1 && strcmp(argv[1], "start") == 0) {
		lockprof_set_block_rate(1);
		lockprof_set_mutex_fraction(1);
		lockprof_start();
	}
	pthread_mutex_lock(&lock);
	PT(pthread_create(&t, NULL, waiter, &tid));
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	safe_wait_blocked(tid);
	pthread_mutex_unlock(&lock);
	PT(pthread_join(t, NULL));
	printf("ready secure=%lu\n", getauxval(AT_SECURE));
	fflush(stdout);
	while (getchar() != EOF)
		;
	return 0;
}
