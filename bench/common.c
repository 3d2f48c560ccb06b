/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_start(struct bench_clock *c)
{
	c->wall = bench_now();
	c->cpu = cpu_now();
}

void bench_stop(struct bench_clock *c)
{
	c->wall = bench_now() - c->wall;
	c->cpu = cpu_now() - c->cpu;
}

long bench_arg(int argc, char **argv, int i, long dflt)
{
	char *end;
	long v;

	if (i >= argc)
		return dflt;
	v = strtol(argv[i], &end, 10);
	if (*end || v <= 0) {
		fprintf(stderr, "%s: argument %d: not a positive number: %s\n",
			argv[0], i, argv[i]);
		exit(2);
	}
	return v;
}

void bench_work(long n)
{
	/* volatile: the loop is the work, the optimizer must keep it. */
	static volatile unsigned long sink;
	unsigned long x = sink;

	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	sink = x;
}

long bench_peak_rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

void bench_report(const struct bench_clock *c, long ops, const char *extra)
{
	printf("seconds=%.6f cpu=%.6f ops=%ld rss_kb=%ld%s%s\n", c->wall, c->cpu,
	       ops, bench_peak_rss_kb(), extra ? " " : "", extra ? extra : "");
}

void bench_run_threads(int n, void *(*fn)(void *), struct bench_clock *c)
{
	pthread_t th[256];
	int i;

	if (n < 1 || n > 256) {
		fprintf(stderr, "threads: 1 to 256\n");
		exit(2);
	}
	bench_start(c);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, fn, (void *)(long)i) != 0) {
			perror("pthread_create");
			exit(1);
		}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	bench_stop(c);
}
