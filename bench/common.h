/* SPDX-License-Identifier: MIT */
/*
 * What the bench workloads share. Each workload is a program that does a
 * fixed amount of work and prints one line of key=value pairs; bench/run
 * runs it natively and preloaded and compares.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <pthread.h>

/* Seconds on the monotonic clock. */
double bench_now(void);

/* The work phase's wall time and the CPU time of all the process's threads
 * in it: on a shared machine CPU time is the steadier of the two, since it
 * does not count time spent waiting for another program to yield a CPU. */
struct bench_clock {
	double wall, cpu;
};
void bench_start(struct bench_clock *c);
void bench_stop(struct bench_clock *c); /* start values become elapsed */

/* argv[i] as a positive number, or `dflt` when absent. Exits on junk. */
long bench_arg(int argc, char **argv, int i, long dflt);

/* CPU work the compiler cannot remove: `n` dependent steps. */
void bench_work(long n);

/* Peak resident memory (VmHWM) in KiB, or -1. */
long bench_peak_rss_kb(void);

/* The result line: work times, operations, peak RSS, then `extra` if any. */
void bench_report(const struct bench_clock *c, long ops, const char *extra);

/* Start `n` threads running fn(index) and wait for all of them; `c` covers
 * the first start to the last join. */
void bench_run_threads(int n, void *(*fn)(void *), struct bench_clock *c);

#endif /* BENCH_COMMON_H */
