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

/* argv[i] as a positive number, or `dflt` when absent. Exits on junk. */
long bench_arg(int argc, char **argv, int i, long dflt);

/* CPU work the compiler cannot remove: `n` dependent steps. */
void bench_work(long n);

/* Peak resident memory (VmHWM) in KiB, or -1. */
long bench_peak_rss_kb(void);

/* The result line: work time, operations, peak RSS, then `extra` if any. */
void bench_report(double seconds, long ops, const char *extra);

/* Start `n` threads running fn(index) and wait for all of them; returns the
 * seconds from the first start to the last join. */
double bench_run_threads(int n, void *(*fn)(void *));

#endif /* BENCH_COMMON_H */
