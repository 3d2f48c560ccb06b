/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "waiting_text.h"

static int longest_first(const void *a, const void *b)
{
	const struct lp_waiter *x = a, *y = b;

	if (x->waited_ns != y->waited_ns)
		return x->waited_ns > y->waited_ns ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

void lp_waiters_sort(struct lp_waiter *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), longest_first);
}

/* "12.3s", "450ms", "80us": three digits at most. */
static void duration(int64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000)
		snprintf(buf, len, "%.1fs", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%lldms", (long long)(ns / 1000000));
	else
		snprintf(buf, len, "%lldus", (long long)(ns / 1000));
}

void lp_waiter_line(const struct lp_waiter *w, char *buf, size_t len)
{
	char d[32];
	int n;

	duration(w->waited_ns, d, sizeof(d));
	n = snprintf(buf, len, "thread %ld \"%s\" waiting %s in %s on %s", w->tid,
		     w->thread, d, w->primitive, w->lock);
	if (w->owner && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", held by thread %ld \"%s\"",
			 w->owner, w->owner_name);
}

/* The waiter that `tid` is, or n. */
static size_t waiter_of(const struct lp_waiter *v, size_t n, long tid)
{
	for (size_t i = 0; i < n; i++)
		if (tid && v[i].tid == tid)
			return i;
	return n;
}

/* Append to buf at *at, as far as it goes. */
static __attribute__((format(printf, 4, 5))) void
append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = *at + (size_t)n < len ? *at + (size_t)n : len - 1;
}

/*
 * Each waiter waits for at most one thread (its lock's owner), so the
 * wait-for graph's cycles are found by following each path once; a cycle
 * is written from its smallest tid, the same whichever thread found it.
 */
size_t lp_waiters_cycles(const struct lp_waiter *v, size_t n, char *buf, size_t len)
{
	unsigned char *state = calloc(n + 1, 1); /* 1: on the path, 2: done */
	size_t count = 0, at = 0;

	if (len)
		buf[0] = '\0';
	if (!state)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = i, first, k;

		while (j < n && !state[j]) {
			state[j] = 1;
			j = waiter_of(v, n, v[j].owner);
		}
		if (j < n && state[j] == 1) {
			/* j is on a cycle: start it at its smallest tid */
			first = j;
			for (k = waiter_of(v, n, v[j].owner); k != j;
			     k = waiter_of(v, n, v[k].owner))
				if (v[k].tid < v[first].tid)
					first = k;
			append(buf, len, &at, "%sdeadlock: ", count ? "\n" : "");
			k = first;
			do {
				append(buf, len, &at, "thread %ld -> %s (held by %ld)%s",
				       v[k].tid, v[k].lock, v[k].owner,
				       waiter_of(v, n, v[k].owner) == first ? "" : " -> ");
				k = waiter_of(v, n, v[k].owner);
			} while (k != first);
			count++;
		}
		for (j = i; j < n && state[j] == 1; j = waiter_of(v, n, v[j].owner))
			state[j] = 2;
	}
	free(state);
	return count;
}

int lp_waiters_text(FILE *f, const struct lp_waiter *v, size_t n,
		    void (*stack)(FILE *f, size_t i, void *arg), void *arg)
{
	char line[1024];
	size_t cycles_len = 256 * (n + 1);
	char *cycles;
	int owners = 0;

	fprintf(f, "waiting: %zu thread%s\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		lp_waiter_line(&v[i], line, sizeof(line));
		fprintf(f, "\n%s\n", line);
		stack(f, i, arg);
	}
	/* Each (owner, lock) once: the owners that wait are above. */
	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (!v[i].owner || waiter_of(v, n, v[i].owner) < n)
			continue;
		for (k = 0; k < i; k++)
			if (v[k].owner == v[i].owner && strcmp(v[k].lock, v[i].lock) == 0)
				break;
		if (k < i)
			continue;
		if (!owners++)
			fprintf(f, "\nholding, not waiting:\n");
		fprintf(f, "thread %ld \"%s\" holds %s\n", v[i].owner, v[i].owner_name,
			v[i].lock);
	}
	cycles = malloc(cycles_len);
	if (cycles && lp_waiters_cycles(v, n, cycles, cycles_len))
		fprintf(f, "\n%s\n", cycles);
	free(cycles);
	return ferror(f) ? -1 : 0;
}
