/*
 * Uncontended lock/unlock pairs: one thread, its own mutex. The profiler's
 * cost here is pure wrapper overhead (the trylock-first call and the
 * release's filter check), since no lock is ever busy.
 *
 * usage: uncontended [pairs]
 */
#include <pthread.h>

#include "common.h"

int main(int argc, char **argv)
{
	long pairs = bench_arg(argc, argv, 1, 20000000);
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	double t0 = bench_now();

	for (long i = 0; i < pairs; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	bench_report(bench_now() - t0, pairs, NULL);
	return 0;
}
