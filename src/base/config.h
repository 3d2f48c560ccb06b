/* SPDX-License-Identifier: MIT */
/*
 * Configuration from the environment. Parsing is pure (no I/O, no
 * allocation) so that it can be unit-tested and fuzzed; a bad value yields
 * one warning line and the default.
 */
#ifndef LP_CONFIG_H
#define LP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define LP_DEFAULT_BLOCK_RATE 10000      /* 10us */
#define LP_DEFAULT_MUTEX_FRACTION 10
#define LP_MAX_MUTEX_FRACTION 1000000000 /* 1 in a billion: more is off in all but name */
#define LP_DEFAULT_STACK_DEPTH 64
#define LP_MAX_STACK_DEPTH 128
#define LP_DEFAULT_MAX_STACKS 65536
#define LP_DEFAULT_MAX_LOCKS 65536

/* The labels a sample may carry (LOCKPROF_LABELS, docs/profiles.md). */
#define LP_LABEL_LOCK 1
#define LP_LABEL_THREAD 2
#define LP_LABEL_WAIT 4

struct lp_config {
	int enabled;            /* LOCKPROF=0 turns everything off */
	int64_t block_rate;     /* ns; <= 0 off */
	int64_t mutex_fraction; /* 1 in N; <= 0 off */
	int64_t hold_fraction;  /* 1 in N acquisitions timed; <= 0 off */
	int stack_depth;
	int64_t max_stacks;     /* distinct stacks per profile */
	int64_t max_locks;      /* locks with wait state at once */
	const char *dir;        /* NULL: the working directory at start */
	struct lp_http_addr http; /* LOCKPROF_HTTP; kind NONE: no endpoint */
	int64_t interval;       /* ns between dumps to disk; 0 off */
	int dump_signal;        /* dump on this signal; 0 off */
	int labels;             /* LP_LABEL_* */
	int64_t hang;           /* LOCKPROF_HANG: report a wait this long (ns); 0 off */
};

/* A duration: an integer or decimal number of nanoseconds, or with a unit
 * (ns, us, ms, s). Returns 0, or -1 when `s` is not one. */
int lp_parse_duration(const char *s, int64_t *ns);

/* A non-negative whole number, at most `max`. Returns 0 or -1. */
int lp_parse_count(const char *s, int64_t max, int64_t *out);

/* Format a duration the way it is parsed ("10us", "1.5ms"). */
void lp_format_duration(int64_t ns, char *buf, size_t len);

/* Shortest LOCKPROF_INTERVAL: each dump symbolizes and compresses. */
#define LP_MIN_INTERVAL_NS 100000000LL

/* Shortest LOCKPROF_HANG: the watchdog looks about this often. */
#define LP_MIN_HANG_NS 100000000LL

/* A signal for on-demand dumps: "USR2", "SIGUSR1", "HUP", "WINCH", "PWR",
 * "URG", "RTMIN+3", "RTMAX-1" or its number; "0" or "off" is 0. Signals
 * that stop, kill, report faults or already mean "exit" are refused.
 * Returns 0, or -1. */
int lp_parse_signal(const char *s, int *sig);

/* A comma-separated subset of "lock", "thread" and "wait" (each at most
 * once), or "" or "off" for none, as LP_LABEL_* bits. Returns 0, or -1. */
int lp_parse_labels(const char *s, int *labels);

typedef const char *(*lp_getenv_fn)(const char *name);
typedef void (*lp_warn_fn)(const char *line);

/* Fill `c` from the environment; `warn` gets one line per bad value. */
void lp_config_load(struct lp_config *c, lp_getenv_fn get, lp_warn_fn warn);

#endif /* LP_CONFIG_H */
