/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for every parser of outside input in the library: the
 * environment values (lp_parse_duration, lp_parse_count, lp_parse_signal,
 * and lp_config_load, which also parses LOCKPROF_HTTP). The input is split
 * at NUL bytes into values of the variables. Checks what the parsers
 * promise besides not crashing: results in range, durations round-trip
 * through lp_format_duration, warnings are single lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"

static const char *const names[] = {
	"LOCKPROF", "LOCKPROF_BLOCK_RATE", "LOCKPROF_MUTEX_FRACTION",
	"LOCKPROF_STACK_DEPTH", "LOCKPROF_MAX_STACKS", "LOCKPROF_MAX_LOCKS",
	"LOCKPROF_DIR", "LOCKPROF_HTTP", "LOCKPROF_INTERVAL", "LOCKPROF_SIGNAL",
};
#define NVARS (sizeof(names) / sizeof(names[0]))
static const char *values[NVARS];

static const char *get(const char *name)
{
	for (size_t i = 0; i < NVARS; i++)
		if (strcmp(name, names[i]) == 0)
			return values[i];
	return NULL;
}

static void warn(const char *line)
{
	size_t n = strlen(line);

	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		abort();
}

static void durations(const char *s)
{
	int64_t ns, again;
	char buf[48];

	if (lp_parse_duration(s, &ns) != 0)
		return;
	if (ns < 0 || ns > 24 * 3600LL * 1000000000LL)
		abort();
	lp_format_duration(ns, buf, sizeof(buf));
	if (lp_parse_duration(buf, &again) != 0 || again != ns)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *p = copy;
	struct lp_config c;
	int64_t v;
	int sig;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	/* value i is the i-th NUL-terminated piece; missing ones are unset */
	for (size_t i = 0; i < NVARS; i++) {
		values[i] = p < copy + size + 1 && (i == 0 || p > copy) ? p : NULL;
		if (values[i])
			p += strlen(p) + 1;
		if (p > copy + size)
			p = copy + size + 1;
	}
	durations(copy);
	if (lp_parse_count(copy, 1000, &v) == 0 && (v < 0 || v > 1000))
		abort();
	if (lp_parse_signal(copy, &sig) == 0 && (sig < 0 || sig > 64))
		abort();
	lp_config_load(&c, get, warn);
	if (c.stack_depth < 1 || c.stack_depth > LP_MAX_STACK_DEPTH ||
	    c.max_locks < 64 || c.max_stacks < 1 || c.block_rate < 0 ||
	    c.mutex_fraction < 0 || (c.interval != 0 && c.interval < LP_MIN_INTERVAL_NS))
		abort();
	free(copy);
	return 0;
}
