/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdlib.h>

#include "guard.h"
#include "thread.h"

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;

	lp_guard_enter(); /* for the thread's whole life: never left */
	free(p);
	return s.fn(s.arg);
}

int lp_thread_start(pthread_t *th, const char *name, void *(*fn)(void *),
		    void *arg)
{
	struct start *s = malloc(sizeof(*s));
	sigset_t all, old;
	pthread_attr_t attr;
	int rc;

	if (!s)
		return -1;
	s->fn = fn;
	s->arg = arg;
	/* Blocked from its first instruction: the mask is inherited. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(th, &attr, trampoline, s);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		free(s);
		return -1;
	}
	pthread_setname_np(*th, name);
	return 0;
}
