#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autodump.h"
#include "guard.h"
#include "http/server.h"
#include "live.h"

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

int lp_live_thread(pthread_t *th, const char *name, void *(*fn)(void *), void *arg)
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

/*
 * A forked child does not serve: the parent does. When the parent is gone
 * (daemon(): fork, then the parent exits), the child takes the address
 * over, so a daemonized service keeps its endpoint. Several children (a
 * pre-forking server whose master died) race; one wins, the others stop
 * trying after a while.
 */
#define ADOPT_TRIES 30

static struct lp_http_addr http_addr;
static pid_t self, parent; /* self: as the parent knew it before the fork */
static int tries;

static void adopt_endpoint(void)
{
	if (getppid() == parent)
		return;
	if (lp_http_start(&http_addr, 0) == 0 || errno != EADDRINUSE ||
	    ++tries >= ADOPT_TRIES)
		lp_autodump_set_tick(NULL);
}

/* The first process of the tree (dump.c's naming): it alone reports that
 * the endpoint's address is taken. */
static int is_root(void)
{
	const char *root = secure_getenv("LOCKPROF_ROOT_PID");

	return !root || atol(root) == (long)getpid();
}

void lp_live_start(const struct lp_config *cfg)
{
	lp_autodump_start(cfg);
	self = getpid();
	http_addr = cfg->http;
	if (http_addr.kind != LP_ADDR_NONE)
		lp_http_start(&http_addr, is_root());
}

void lp_live_after_fork_child(void)
{
	lp_http_after_fork_child();
	lp_autodump_set_tick(NULL);
	if (http_addr.kind != LP_ADDR_NONE) {
		parent = self; /* not getppid(): the parent may be gone already */
		tries = 0;
		lp_autodump_set_tick(adopt_endpoint);
	}
	self = getpid();
	lp_autodump_after_fork_child();
}
