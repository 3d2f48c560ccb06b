/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "base/export.h"
#include "sigchain.h"

extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

enum mode { M_NONE, M_DUMP, M_EXIT };

static int mode[NSIG];
static lp_sig_fn ours[NSIG];
/* The program's action for the dump signal, double-buffered: a handler on
 * another thread reads slot `cur` while sigaction() fills the other. */
static struct sigaction prog[2];
static int cur;
static int busy;

int lp_sigaction_real(int sig, const struct sigaction *act, struct sigaction *old)
{
	return __sigaction(sig, act, old);
}

/* Serialize changes; with every signal blocked, a handler that calls
 * sigaction() cannot interrupt one in progress on its own thread. */
static void lock(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, old);
	while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(const sigset_t *old)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Ours in the kernel, with the mask and flags the program asked for. */
static int install_ours(int sig, const struct sigaction *like)
{
	struct sigaction k = *like;

	k.sa_sigaction = ours[sig];
	k.sa_flags |= SA_SIGINFO;
	return __sigaction(sig, &k, NULL);
}

int lp_sigchain_dump(int sig, lp_sig_fn fn)
{
	struct sigaction like = { .sa_flags = SA_RESTART | SA_ONSTACK };
	sigset_t old;
	int rc;

	sigemptyset(&like.sa_mask);
	lock(&old);
	ours[sig] = fn;
	rc = __sigaction(sig, NULL, &prog[cur]);
	if (rc == 0)
		rc = install_ours(sig, &like);
	if (rc == 0)
		mode[sig] = M_DUMP;
	unlock(&old);
	return rc;
}

int lp_sigchain_exit(int sig, lp_sig_fn fn)
{
	struct sigaction now, sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t old;
	int installed = 0;

	sigemptyset(&sa.sa_mask);
	lock(&old);
	if (__sigaction(sig, NULL, &now) == 0 && !(now.sa_flags & SA_SIGINFO) &&
	    now.sa_handler == SIG_DFL && __sigaction(sig, &sa, NULL) == 0) {
		ours[sig] = fn;
		mode[sig] = M_EXIT;
		installed = 1;
	}
	unlock(&old);
	return installed;
}

void lp_sigchain_forward(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *a = &prog[__atomic_load_n(&cur, __ATOMIC_ACQUIRE)];

	if (a->sa_flags & SA_SIGINFO) {
		if (a->sa_sigaction)
			a->sa_sigaction(sig, si, uc);
	} else if (a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN) {
		a->sa_handler(sig);
	}
}

LP_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	struct sigaction prev;
	sigset_t old;
	int rc = 0;

	if (sig <= 0 || sig >= NSIG ||
	    __atomic_load_n(&mode[sig], __ATOMIC_ACQUIRE) == M_NONE)
		return __sigaction(sig, act, oldact);
	lock(&old);
	if (mode[sig] == M_DUMP) {
		prev = prog[cur];
		if (act && (rc = install_ours(sig, act)) == 0) {
			prog[!cur] = *act;
			__atomic_store_n(&cur, !cur, __ATOMIC_RELEASE);
		}
	} else if (mode[sig] == M_EXIT) {
		memset(&prev, 0, sizeof(prev));
		prev.sa_handler = SIG_DFL;
		/* The default stays ours: it dumps, then terminates. */
		if (act && ((act->sa_flags & SA_SIGINFO) || act->sa_handler != SIG_DFL) &&
		    (rc = __sigaction(sig, act, NULL)) == 0)
			mode[sig] = M_NONE;
	} else {
		rc = __sigaction(sig, act, &prev); /* handed back meanwhile */
	}
	unlock(&old);
	if (rc == 0 && oldact)
		*oldact = prev;
	return rc;
}

LP_EXPORT __sighandler_t signal(int sig, __sighandler_t handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;

	/* glibc's signal(): BSD semantics. */
	if (handler == SIG_ERR || sig <= 0 || sig >= NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig);
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}
