/* SPDX-License-Identifier: MIT */
/*
 * The hang view's text (src/format/waiting_text.c): the wait-for graph's
 * cycles, each once from its smallest tid, whichever thread leads into it
 * (a chain into a cycle, a thread waiting on its own lock, two cycles);
 * none among threads that only wait in a line; the blocks longest first,
 * the owners that are not waiting once per lock.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "format/waiting_text.h"

#define MS 1000000LL

static void no_stack(FILE *f, size_t i, void *arg)
{
	(void)arg;
	fprintf(f, "#\tframe-of-%zu\n", i);
}

static void cycles(void)
{
	/* 7 -> 5 -> 9 -> 7 (a cycle), 3 -> 7 (leads into it), 4 -> 4 (its
	 * own lock), 8 -> 100 (a holder that does not wait) */
	struct lp_waiter v[] = {
		{ 7, "t7", "pthread_mutex_lock", "a", 5, "t5", 10 * MS },
		{ 5, "t5", "pthread_mutex_lock", "b", 9, "t9", 20 * MS },
		{ 9, "t9", "pthread_rwlock_wrlock", "c", 7, "t7", 30 * MS },
		{ 3, "t3", "pthread_mutex_lock", "d", 7, "t7", 40 * MS },
		{ 4, "t4", "pthread_mutex_lock", "e", 4, "t4", 50 * MS },
		{ 8, "t8", "pthread_mutex_lock", "f", 100, "holder", 60 * MS },
	};
	char buf[1024];
	size_t n = lp_waiters_cycles(v, 6, buf, sizeof(buf));

	CHECK(n == 2, "%zu cycles", n);
	CHECK(strcmp(buf, "deadlock: thread 5 -> b (held by 9) -> thread 9 -> c "
			  "(held by 7) -> thread 7 -> a (held by 5)\n"
			  "deadlock: thread 4 -> e (held by 4)") == 0, "[%s]", buf);
	/* A line of waiters, no cycle. */
	n = lp_waiters_cycles(v + 5, 1, buf, sizeof(buf));
	CHECK(n == 0 && buf[0] == '\0', "%zu [%s]", n, buf);
}

static void text(void)
{
	struct lp_waiter v[] = {
		{ 11, "w", "sem_wait", "0x10", 0, "", 5 * MS },
		{ 12, "x", "pthread_mutex_lock", "lk", 30, "owner", 2500 * MS },
		{ 13, "y", "pthread_mutex_lock", "lk", 30, "owner", 70 * MS },
	};
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	lp_waiters_sort(v, 3);
	CHECK(v[0].tid == 12 && v[1].tid == 13 && v[2].tid == 11, "longest first");
	CHECK(lp_waiters_text(f, v, 3, no_stack, NULL) == 0, "written");
	fclose(f);
	CHECK(strcmp(out, "waiting: 3 threads\n\n"
		     "thread 12 \"x\" waiting 2.5s in pthread_mutex_lock on lk, held by thread 30 \"owner\"\n"
		     "#\tframe-of-0\n\n"
		     "thread 13 \"y\" waiting 70ms in pthread_mutex_lock on lk, held by thread 30 \"owner\"\n"
		     "#\tframe-of-1\n\n"
		     "thread 11 \"w\" waiting 5ms in sem_wait on 0x10\n"
		     "#\tframe-of-2\n\n"
		     "holding, not waiting:\n"
		     "thread 30 \"owner\" holds lk\n") == 0, "[%s]", out);
	free(out);
}

int main(void)
{
	cycles();
	text();
	return check_failures ? 1 : 0;
}
