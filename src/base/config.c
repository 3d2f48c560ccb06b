/* SPDX-License-Identifier: MIT */
/*
 * Environment variables (docs/configuration.md lists them all).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"

/* Longest accepted duration: a day (an interval of hours is reasonable; a
 * rate that long means "almost never"). */
#define MAX_DURATION_NS (24LL * 3600 * 1000000000LL)

static const struct {
	const char *name;
	int64_t ns;
} units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	{ "m", 60000000000LL }, { "h", 3600000000000LL },
};

int lp_parse_duration(const char *s, int64_t *ns)
{
	int64_t whole = 0, frac = 0, frac_scale = 1, unit = 1;
	const char *p = s;

	if (!s || !*s)
		return -1;
	if (strcmp(s, "off") == 0) {
		*ns = 0;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > MAX_DURATION_NS)
			return -1;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (frac_scale < 1000000000) { /* beyond 1e-9 is noise */
				frac = frac * 10 + (*p - '0');
				frac_scale *= 10;
			}
		}
	}
	if (*p) {
		size_t i;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(p, units[i].name) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		unit = units[i].ns;
	}
	if (whole > MAX_DURATION_NS / unit)
		return -1;
	/* frac * unit would overflow for minutes and hours: split unit. */
	whole = whole * unit + unit / frac_scale * frac +
		unit % frac_scale * frac / frac_scale;
	if (whole > MAX_DURATION_NS)
		return -1;
	*ns = whole;
	return 0;
}

int lp_parse_count(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

void lp_format_duration(int64_t ns, char *buf, size_t len)
{
	size_t i = sizeof(units) / sizeof(units[0]);

	while (--i > 0 && (ns < units[i].ns || ns % units[i].ns != 0))
		;
	snprintf(buf, len, "%lld%s", (long long)(ns / units[i].ns), units[i].name);
}

/* Signals a program can spare for "dump now": none of them means exit by
 * convention, reports a fault, stops or is used by the C library. */
static const struct {
	const char *name;
	int sig;
} dump_signals[] = {
	{ "HUP", SIGHUP }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	{ "WINCH", SIGWINCH }, { "PWR", SIGPWR }, { "URG", SIGURG },
};

static int parse_rt(const char *s, int *sig)
{
	int base, dir = 0;
	int64_t off = 0;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		dir = 1;
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		dir = -1;
	} else {
		return -1;
	}
	s += 5;
	if (*s) {
		if (*s != (dir > 0 ? '+' : '-') ||
		    lp_parse_count(s + 1, SIGRTMAX - SIGRTMIN, &off) != 0)
			return -1;
	}
	*sig = base + dir * (int)off;
	return 0;
}

int lp_parse_signal(const char *s, int *sig)
{
	int64_t n;
	size_t i;

	if (!s || !*s)
		return -1;
	if (strcmp(s, "0") == 0 || strcmp(s, "off") == 0) {
		*sig = 0;
		return 0;
	}
	if (lp_parse_count(s, 64, &n) == 0) {
		for (i = 0; i < sizeof(dump_signals) / sizeof(dump_signals[0]); i++)
			if (dump_signals[i].sig == n)
				break;
		if (i == sizeof(dump_signals) / sizeof(dump_signals[0]) &&
		    (n < SIGRTMIN || n > SIGRTMAX))
			return -1;
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(dump_signals) / sizeof(dump_signals[0]); i++) {
		if (strcasecmp(s, dump_signals[i].name) == 0) {
			*sig = dump_signals[i].sig;
			return 0;
		}
	}
	return parse_rt(s, sig);
}

static void warn_bad(lp_warn_fn warn, const char *name, const char *value,
		     const char *expected, const char *dflt)
{
	char line[512], shown[101];
	size_t i;

	/* The value is outside input: no control characters (a newline would
	 * make the warning two lines, or forge one). */
	for (i = 0; i < sizeof(shown) - 1 && value[i]; i++)
		shown[i] = (unsigned char)value[i] < 0x20 || value[i] == 0x7f ? '?' : value[i];
	shown[i] = 0;
	snprintf(line, sizeof(line),
		 "lockprof: %s='%s' is not %s; using %s\n",
		 name, shown, expected, dflt);
	warn(line);
}

static void load_duration(const char *name, int64_t dflt, int64_t *out,
			  lp_getenv_fn get, lp_warn_fn warn)
{
	const char *v = get(name);
	char d[32];

	*out = dflt;
	if (v && lp_parse_duration(v, out) != 0) {
		*out = dflt;
		lp_format_duration(dflt, d, sizeof(d));
		warn_bad(warn, name, v, "a duration (like 10us, 1ms, 0 for off)", d);
	}
}

/* A count; "off" is 0 where 0 is allowed (min 0), an error elsewhere. */
static void load_count(const char *name, int64_t min, int64_t max,
		       int64_t dflt, int64_t *out, lp_getenv_fn get,
		       lp_warn_fn warn)
{
	const char *v = get(name);
	char expected[96], d[32];

	*out = dflt;
	if (v && min == 0 && strcmp(v, "off") == 0) {
		*out = 0;
	} else if (v && (lp_parse_count(v, max, out) != 0 || *out < min)) {
		*out = dflt;
		snprintf(expected, sizeof(expected),
			 "a whole number from %lld to %lld%s",
			 (long long)min, (long long)max, min == 0 ? " or off" : "");
		snprintf(d, sizeof(d), "%lld", (long long)dflt);
		warn_bad(warn, name, v, expected, d);
	}
}

int lp_parse_labels(const char *s, int *labels)
{
	static const char *const names[] = { "lock", "thread", "wait" };
	int bits = 0;

	if (strcmp(s, "off") == 0 || !*s) {
		*labels = 0;
		return 0;
	}
	for (const char *p = s;; p++) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(*names); i++)
			if (len == strlen(names[i]) && strncmp(p, names[i], len) == 0)
				break;
		if (i == sizeof(names) / sizeof(*names) || (bits & 1 << i))
			return -1;
		bits |= 1 << i;
		p += len;
		if (!*p)
			break;
	}
	*labels = bits;
	return 0;
}

/* The live profiles (docs/live.md): all off unless asked for. */
static void load_live(struct lp_config *c, lp_getenv_fn get, lp_warn_fn warn)
{
	const char *http = get("LOCKPROF_HTTP");
	const char *sig = get("LOCKPROF_SIGNAL");

	if (http && strcmp(http, "off") == 0) {
		c->http.kind = LP_ADDR_NONE;
	} else if (http && *http && lp_http_addr_parse(http, &c->http) != 0) {
		warn_bad(warn, "LOCKPROF_HTTP", http,
			 "an address (127.0.0.1:6060, [::1]:6060, host:port, "
			 "unix:/path)", "no endpoint");
		c->http.kind = LP_ADDR_NONE;
	} else if (!http || !*http) {
		c->http.kind = LP_ADDR_NONE;
	}
	load_duration("LOCKPROF_INTERVAL", 0, &c->interval, get, warn);
	if (c->interval > 0 && c->interval < LP_MIN_INTERVAL_NS) {
		warn_bad(warn, "LOCKPROF_INTERVAL", get("LOCKPROF_INTERVAL"),
			 "at least 100ms", "off");
		c->interval = 0;
	}
	load_duration("LOCKPROF_HANG", 0, &c->hang, get, warn);
	if (c->hang > 0 && c->hang < LP_MIN_HANG_NS) {
		warn_bad(warn, "LOCKPROF_HANG", get("LOCKPROF_HANG"),
			 "at least 100ms", "off");
		c->hang = 0;
	}
	c->dump_signal = 0;
	if (sig && lp_parse_signal(sig, &c->dump_signal) != 0) {
		c->dump_signal = 0;
		warn_bad(warn, "LOCKPROF_SIGNAL", sig,
			 "a signal a program can spare (USR1, USR2, HUP, "
			 "WINCH, PWR, URG, RTMIN+n)", "off");
	}
}

void lp_config_load(struct lp_config *c, lp_getenv_fn get, lp_warn_fn warn)
{
	const char *on = get("LOCKPROF");
	const char *dir = get("LOCKPROF_DIR");
	const char *labels = get("LOCKPROF_LABELS");
	int64_t depth;

	c->enabled = 1;
	if (on && strcmp(on, "0") != 0 && strcmp(on, "1") != 0 &&
	    strcmp(on, "off") != 0 && strcmp(on, "on") != 0)
		warn_bad(warn, "LOCKPROF", on, "0, 1, off or on", "1");
	else if (on && (strcmp(on, "0") == 0 || strcmp(on, "off") == 0))
		c->enabled = 0;

	load_duration("LOCKPROF_BLOCK_RATE", LP_DEFAULT_BLOCK_RATE,
		      &c->block_rate, get, warn);
	load_count("LOCKPROF_MUTEX_FRACTION", 0, LP_MAX_MUTEX_FRACTION,
		   LP_DEFAULT_MUTEX_FRACTION, &c->mutex_fraction, get, warn);
	load_count("LOCKPROF_HOLD_FRACTION", 0, 1000000000, 0, &c->hold_fraction, get, warn);
	load_count("LOCKPROF_STACK_DEPTH", 1, LP_MAX_STACK_DEPTH,
		   LP_DEFAULT_STACK_DEPTH, &depth, get, warn);
	c->stack_depth = (int)depth;
	load_count("LOCKPROF_MAX_STACKS", 1, 1 << 24, LP_DEFAULT_MAX_STACKS,
		   &c->max_stacks, get, warn);
	load_count("LOCKPROF_MAX_LOCKS", 64, 1 << 24, LP_DEFAULT_MAX_LOCKS,
		   &c->max_locks, get, warn);
	c->dir = (dir && *dir) ? dir : NULL;
	c->labels = 0;
	if (labels && lp_parse_labels(labels, &c->labels) != 0)
		warn_bad(warn, "LOCKPROF_LABELS", labels,
			 "a comma-separated subset of lock, thread and wait, or off",
			 "none");
	load_live(c, get, warn);
}
