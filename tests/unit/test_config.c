/* SPDX-License-Identifier: MIT */
/* Environment parsing: durations, counts, the warnings and defaults. */
#include <string.h>

#include "base/config.h"
#include "unit.h"

static const char *const *fake_env;
static char warnings[4096];
static int nwarnings;

static const char *fake_getenv(const char *name)
{
	for (const char *const *e = fake_env; e && *e; e += 2)
		if (strcmp(e[0], name) == 0)
			return e[1];
	return NULL;
}

static void collect(const char *line)
{
	nwarnings++;
	strncat(warnings, line, sizeof(warnings) - strlen(warnings) - 1);
}

static void load(struct lp_config *c, const char *const *env)
{
	fake_env = env;
	warnings[0] = '\0';
	nwarnings = 0;
	lp_config_load(c, fake_getenv, collect);
}

static int64_t dur(const char *s)
{
	int64_t v = -42;
	return lp_parse_duration(s, &v) == 0 ? v : -1;
}

int main(void)
{
	struct lp_config c;
	int64_t v;
	char buf[32];

	EXPECT(dur("1") == 1);
	EXPECT(dur("0") == 0);
	EXPECT(dur("off") == 0);
	EXPECT(dur("10us") == 10000);
	EXPECT(dur("1.5ms") == 1500000);
	EXPECT(dur("2s") == 2000000000);
	EXPECT(dur("250ns") == 250);
	EXPECT(dur("0.5us") == 500);
	EXPECT(dur("3600s") == 3600000000000LL);
	EXPECT(dur("1h") == 3600000000000LL);
	EXPECT(dur("1.5m") == 90000000000LL);
	EXPECT(dur("24h") == 86400000000000LL);
	EXPECT(dur("86401s") == -1);
	EXPECT(dur("25h") == -1);
	EXPECT(dur("1mm") == -1);
	EXPECT(dur("99999999999999999999") == -1);
	EXPECT(dur("") == -1);
	EXPECT(dur("-1") == -1);
	EXPECT(dur("10 us") == -1);
	EXPECT(dur("10uss") == -1);
	EXPECT(dur("1.") == -1);
	EXPECT(dur(".5ms") == -1);
	EXPECT(dur("ms") == -1);

	EXPECT(lp_parse_count("10", 100, &v) == 0 && v == 10);
	EXPECT(lp_parse_count("101", 100, &v) == -1);
	EXPECT(lp_parse_count("1e3", 10000, &v) == -1);
	EXPECT(lp_parse_count("", 10, &v) == -1);
	EXPECT(lp_parse_count("99999999999999999999999", 1000, &v) == -1);

	lp_format_duration(10000, buf, sizeof(buf));
	EXPECT(strcmp(buf, "10us") == 0);
	lp_format_duration(1500000, buf, sizeof(buf));
	EXPECT(strcmp(buf, "1500us") == 0);
	lp_format_duration(7, buf, sizeof(buf));
	EXPECT(strcmp(buf, "7ns") == 0);
	lp_format_duration(120000000000LL, buf, sizeof(buf));
	EXPECT(strcmp(buf, "2m") == 0);
	lp_format_duration(7200000000000LL, buf, sizeof(buf));
	EXPECT(strcmp(buf, "2h") == 0);

	load(&c, NULL);
	EXPECT(nwarnings == 0);
	EXPECT(c.enabled == 1 && c.block_rate == 10000 && c.mutex_fraction == 10);
	EXPECT(c.stack_depth == 64 && c.max_stacks == 65536 && c.dir == NULL);

	{
		static const char *const env[] = {
			"LOCKPROF_BLOCK_RATE", "1ms", "LOCKPROF_MUTEX_FRACTION", "1",
			"LOCKPROF_STACK_DEPTH", "128", "LOCKPROF_DIR", "/tmp", NULL };
		load(&c, env);
		EXPECT(nwarnings == 0);
		EXPECT(c.block_rate == 1000000 && c.mutex_fraction == 1);
		EXPECT(c.stack_depth == 128 && strcmp(c.dir, "/tmp") == 0);
	}
	{
		static const char *const env[] = {
			"LOCKPROF_BLOCK_RATE", "soon", "LOCKPROF_MUTEX_FRACTION", "-1",
			"LOCKPROF_STACK_DEPTH", "0", "LOCKPROF", "no", NULL };
		load(&c, env);
		EXPECT(nwarnings == 4);
		EXPECT(strstr(warnings, "LOCKPROF_BLOCK_RATE='soon'") != NULL);
		EXPECT(strstr(warnings, "using 10us") != NULL);
		EXPECT(strstr(warnings, "LOCKPROF_STACK_DEPTH='0'") != NULL);
		EXPECT(c.enabled == 1 && c.block_rate == 10000 && c.mutex_fraction == 10);
		EXPECT(c.stack_depth == 64);
	}
	{
		static const char *const env[] = { "LOCKPROF", "0", NULL };
		load(&c, env);
		EXPECT(nwarnings == 0 && c.enabled == 0);
	}
	{
		/* "off" is off wherever off exists, an error elsewhere. */
		static const char *const env[] = {
			"LOCKPROF", "off", "LOCKPROF_BLOCK_RATE", "off",
			"LOCKPROF_MUTEX_FRACTION", "off", "LOCKPROF_HTTP", "off",
			"LOCKPROF_INTERVAL", "off", "LOCKPROF_SIGNAL", "off", NULL };
		load(&c, env);
		EXPECT(nwarnings == 0 && c.enabled == 0 && c.block_rate == 0);
		EXPECT(c.mutex_fraction == 0 && c.http.kind == LP_ADDR_NONE);
		EXPECT(c.interval == 0 && c.dump_signal == 0);
	}
	{
		static const char *const env[] = {
			"LOCKPROF_STACK_DEPTH", "off", "LOCKPROF_MAX_LOCKS", "off",
			"LOCKPROF_INTERVAL", "1h", NULL };
		load(&c, env);
		EXPECT(nwarnings == 2 && c.stack_depth == 64);
		EXPECT(c.interval == 3600000000000LL);
	}
	{
		/* LOCKPROF_HANG: off by default, at least 100ms. */
		static const char *const none[] = { NULL };
		static const char *const ten[] = { "LOCKPROF_HANG", "10s", NULL };
		static const char *const small[] = { "LOCKPROF_HANG", "10ms", NULL };
		static const char *const bad[] = { "LOCKPROF_HANG", "soon", NULL };

		load(&c, none);
		EXPECT(c.hang == 0);
		load(&c, ten);
		EXPECT(nwarnings == 0 && c.hang == 10000000000LL);
		load(&c, small);
		EXPECT(nwarnings == 1 && c.hang == 0 && strstr(warnings, "at least 100ms"));
		load(&c, bad);
		EXPECT(nwarnings == 1 && c.hang == 0 && strstr(warnings, "LOCKPROF_HANG='soon'"));
	}
	{
		int l = -1;

		EXPECT(lp_parse_labels("lock,thread,wait", &l) == 0 &&
		       l == (LP_LABEL_LOCK | LP_LABEL_THREAD | LP_LABEL_WAIT));
		EXPECT(lp_parse_labels("wait,lock", &l) == 0 && l == (LP_LABEL_LOCK | LP_LABEL_WAIT));
		EXPECT(lp_parse_labels("thread", &l) == 0 && l == LP_LABEL_THREAD);
		EXPECT(lp_parse_labels("off", &l) == 0 && l == 0);
		EXPECT(lp_parse_labels("", &l) == 0 && l == 0);
		EXPECT(lp_parse_labels("lock,lock", &l) == -1);
		EXPECT(lp_parse_labels("lock,", &l) == -1);
		EXPECT(lp_parse_labels(",lock", &l) == -1);
		EXPECT(lp_parse_labels("locks", &l) == -1);
		EXPECT(lp_parse_labels("Lock", &l) == -1);
		EXPECT(lp_parse_labels("lock thread", &l) == -1);
	}
	{
		static const char *const env[] = { "LOCKPROF_LABELS", "lock,thread", NULL };
		static const char *const bad[] = { "LOCKPROF_LABELS", "lock,time", NULL };

		load(&c, env);
		EXPECT(nwarnings == 0 && c.labels == (LP_LABEL_LOCK | LP_LABEL_THREAD));
		load(&c, bad);
		EXPECT(nwarnings == 1 && c.labels == 0);
		EXPECT(strstr(warnings, "LOCKPROF_LABELS='lock,time'") != NULL);
		load(&c, NULL);
		EXPECT(c.labels == 0);
	}
	return unit_summary();
}
