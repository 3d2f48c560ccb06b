/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "autodump.h"
#include "base/clock.h"
#include "export/dump.h"
#include "base/futex.h"
#include "base/log.h"
#include "base/progress.h"
#include "sigchain.h"
#include "base/thread.h"
#include "watchdog.h"

#define MS 1000000LL

/* What the thread is asked for: bits set by handlers and the exit path. */
#define ASK_DUMP 1u
#define ASK_EXIT 2u
#define ASK_WAITING 4u /* the waiting files too (LOCKPROF_SIGNAL) */

/* The exit dump's course: asked for once, then done (or given up). */
enum { EXIT_NONE, EXIT_ASKED, EXIT_DONE };

static const int exit_signals[] = { SIGTERM, SIGINT };

static int64_t interval;
static uint32_t asked;      /* ASK_* bits, taken by the thread */
static uint32_t wake_seq;   /* futex: moves on with every ask */
static uint32_t exit_state; /* futex: EXIT_* */
static volatile sig_atomic_t running; /* a thread answers asks */
static void (*tick)(void);
static void (*once_fn)(void);
static int64_t once_after;
static void (*exit_hook)(void);

static void ask(uint32_t what)
{
	__atomic_or_fetch(&asked, what, __ATOMIC_RELEASE);
	__atomic_add_fetch(&wake_seq, 1, __ATOMIC_RELEASE);
	lp_futex_wake(&wake_seq);
}

int lp_autodump_exit(void)
{
	uint32_t none = EXIT_NONE;
	unsigned long seen;
	int64_t start, moved;

	if (!running)
		return -1;
	/* The first asks; later callers wait for the same dump, or return at
	 * once when it is over: a SIGTERM that arrives while exit() flushes
	 * stdio, after the exit dump, ends the process without delay. */
	if (__atomic_compare_exchange_n(&exit_state, &none, EXIT_ASKED, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		ask(ASK_EXIT);
	start = moved = lp_now();
	seen = lp_progress_now();
	while (__atomic_load_n(&exit_state, __ATOMIC_ACQUIRE) != EXIT_DONE) {
		int64_t now;

		lp_futex_wait(&exit_state, EXIT_ASKED, 50 * MS);
		now = lp_now();
		if (lp_progress_now() != seen) {
			seen = lp_progress_now();
			moved = now;
		}
		if (now - moved > LP_DUMP_STALL_MS * MS ||
		    now - start > LP_DUMP_WAIT_MAX_MS * MS) {
			lp_log("lockprof: the exit dump is stuck (an exit from a "
			       "signal handler?); profiles not written");
			__atomic_store_n(&exit_state, EXIT_DONE, __ATOMIC_RELEASE);
			break;
		}
	}
	return 0;
}

static void on_dump_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (running)
		ask(ASK_DUMP | ASK_WAITING);
	errno = saved;
	lp_sigchain_forward(sig, si, uc);
}

/*
 * SIGTERM/SIGINT whose action was "terminate": have the profiles written,
 * then terminate by the same signal, so the exit status is unchanged.
 * Called by a handler the program installed since (through a raw system
 * call: sigaction() hides this one), it asks for a dump and leaves the exit
 * to the program.
 */
static void on_exit_signal(int sig, siginfo_t *si, void *uc)
{
	struct sigaction cur, dfl = { .sa_handler = SIG_DFL };
	int saved = errno;

	(void)si;
	(void)uc;
	if (lp_sigaction_real(sig, NULL, &cur) == 0 && cur.sa_sigaction != on_exit_signal) {
		if (running)
			ask(ASK_DUMP);
		errno = saved;
		return;
	}
	lp_autodump_exit();
	lp_sigaction_real(sig, &dfl, NULL);
	if (exit_hook)
		exit_hook();
	raise(sig); /* pending until this handler returns, then fatal */
	errno = saved;
}

/* ---- the thread ---- */

static void *dumper(void *arg)
{
	int64_t next = interval > 0 ? lp_now() + interval : INT64_MAX;
	int64_t once = once_fn ? lp_now() + once_after : INT64_MAX;
	int64_t watch_every = lp_watchdog_period();
	int64_t watch = watch_every ? lp_now() + watch_every : INT64_MAX;
	int failing = 0;

	(void)arg;
	for (;;) {
		/* Read before taking the asks: one made after the exchange
		 * moves the sequence on, and the wait below returns. */
		uint32_t seq = __atomic_load_n(&wake_seq, __ATOMIC_ACQUIRE);
		uint32_t what = __atomic_exchange_n(&asked, 0, __ATOMIC_ACQ_REL);
		int64_t now = lp_now(), until;

		if (now >= once) {
			once_fn();
			once = INT64_MAX;
		}
		if (interval > 0 && now >= next) {
			what |= ASK_DUMP;
			next = now + interval;
		}
		if (what & ASK_EXIT) {
			/* The process is going: no dump after this one. */
			lp_dump_at_exit();
			__atomic_store_n(&exit_state, EXIT_DONE, __ATOMIC_RELEASE);
			lp_futex_wake(&exit_state);
			for (;;)
				lp_futex_wait(&wake_seq, seq, -1);
		}
		if (what & ASK_DUMP)
			lp_dump_process(&failing); /* said once, not every interval */
		if (what & ASK_WAITING)
			lp_watchdog_dump();
		if (now >= watch) {
			lp_watchdog_look();
			watch = now + watch_every;
		}
		if (tick)
			tick();
		until = next < once ? next : once;
		until = until < watch ? until : watch;
		now = lp_now();
		if (what)
			continue; /* asks may have come in meanwhile */
		if (tick && (until == INT64_MAX || until - now > 1000 * MS))
			until = now + 1000 * MS;
		lp_futex_wait(&wake_seq, seq, until == INT64_MAX ? -1 :
			      until <= now ? 0 : until - now);
	}
	return NULL;
}

static int start_thread(void)
{
	pthread_t th;

	if (lp_thread_start(&th, "lockprof-dump", dumper, NULL) != 0)
		return -1;
	running = 1;
	return 0;
}

int lp_autodump_start(const struct lp_config *cfg)
{
	interval = cfg->interval;
	if (start_thread() != 0) {
		lp_log("lockprof: cannot start the dump thread; "
		       "no interval, signal or SIGTERM dumps");
		return -1;
	}
	if (cfg->dump_signal)
		lp_sigchain_dump(cfg->dump_signal, on_dump_signal);
	/* Only where the program left "terminate", and where the kernel
	 * would deliver it: an ignored or handled signal is the program's,
	 * and the first process of a PID namespace (a container's init)
	 * ignores SIGTERM and SIGINT at their default, which a handler of
	 * ours would change. */
	if (getpid() != 1)
		for (size_t i = 0; i < sizeof(exit_signals) / sizeof(exit_signals[0]); i++)
			lp_sigchain_exit(exit_signals[i], on_exit_signal);
	return 0;
}

void lp_autodump_set_tick(void (*fn)(void))
{
	tick = fn;
}

void lp_autodump_once(int64_t after_ns, void (*fn)(void))
{
	once_after = after_ns;
	once_fn = fn;
}

void lp_autodump_set_exit_hook(void (*fn)(void))
{
	exit_hook = fn;
}

void lp_autodump_after_fork_child(void)
{
	if (!running)
		return;
	running = 0;
	asked = 0;
	exit_state = EXIT_NONE;
	lp_watchdog_after_fork_child();
	start_thread();
}
