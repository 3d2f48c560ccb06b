#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "autodump.h"
#include "clock.h"
#include "dump.h"
#include "live.h"
#include "log.h"
#include "sigchain.h"

#define MARK_DUMP 'd'
#define MARK_EXIT 'x'

static const int exit_signals[] = { SIGTERM, SIGINT };

static int64_t interval;
static int wake[2] = { -1, -1 };   /* handlers -> thread */
static int done[2] = { -1, -1 };   /* thread -> exit handlers: dump written */
static volatile sig_atomic_t running; /* a thread reads `wake` */
static void (*tick)(void);

static void wake_thread(char mark)
{
	if (write(wake[1], &mark, 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
}

static void on_dump_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (running)
		wake_thread(MARK_DUMP);
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
	struct pollfd p = { .fd = done[0], .events = POLLIN };
	int saved = errno;

	(void)si;
	(void)uc;
	if (lp_sigaction_real(sig, NULL, &cur) == 0 && cur.sa_sigaction != on_exit_signal) {
		if (running)
			wake_thread(MARK_DUMP);
		errno = saved;
		return;
	}
	if (running) {
		wake_thread(MARK_EXIT);
		while (poll(&p, 1, LP_EXIT_DUMP_WAIT_MS) < 0 && errno == EINTR)
			;
	}
	lp_sigaction_real(sig, &dfl, NULL);
	raise(sig); /* pending until this handler returns, then fatal */
	errno = saved;
}

/* ---- the thread ---- */

static void dump_now(int *failing)
{
	char path[PATH_MAX + 64];
	int ok = 1;

	for (int k = LP_BLOCK; k <= LP_MUTEX; k++) {
		lp_dump_process_path((enum lp_kind)k, path, sizeof(path));
		if (lp_dump_profile_path((enum lp_kind)k, path) == 0)
			continue;
		ok = 0;
		if (!*failing) { /* once, not every interval */
			lp_logf("lockprof: cannot write %s: %s", path, strerror(errno));
		}
	}
	*failing = !ok;
}

static void *dumper(void *arg)
{
	int64_t next = interval > 0 ? lp_now() + interval : INT64_MAX;
	/* This thread also measures the TSC's rate, once, off the program's
	 * threads (src/clock.c). */
	int64_t calibrate = lp_now() + LP_CLOCK_CALIBRATE_AFTER;
	int failing = 0, exited = 0;

	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = wake[0], .events = POLLIN };
		int64_t now = lp_now();
		int64_t until = next < calibrate ? next : calibrate;
		int timeout = until == INT64_MAX ? -1 :
			until <= now ? 0 : (int)((until - now + 999999) / 1000000);

		if (tick && (timeout < 0 || timeout > 1000))
			timeout = 1000;
		char marks[64];
		int want = 0, leave = 0;
		ssize_t n;

		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			continue;
		while ((n = read(wake[0], marks, sizeof(marks))) > 0)
			for (ssize_t i = 0; i < n; i++) {
				want = 1;
				leave |= marks[i] == MARK_EXIT;
			}
		if (lp_now() >= calibrate) {
			lp_clock_calibrate();
			calibrate = INT64_MAX;
		}
		if (interval > 0 && lp_now() >= next) {
			want = 1;
			next = lp_now() + interval;
		}
		if (want && !exited)
			dump_now(&failing);
		if (tick)
			tick();
		if (leave && !exited) {
			exited = 1; /* the process is going: no more dumps */
			if (write(done[1], "", 1) < 0) {
				/* the handler times out instead */
			}
		}
	}
	return NULL;
}

static int start_thread(void)
{
	pthread_t th;

	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	if (pipe2(done, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    lp_live_thread(&th, "lockprof-dump", dumper, NULL) != 0) {
		close(wake[0]);
		close(wake[1]);
		if (done[0] >= 0) {
			close(done[0]);
			close(done[1]);
		}
		wake[0] = wake[1] = done[0] = done[1] = -1;
		return -1;
	}
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
	/* Only where the program left "terminate": an ignored or handled
	 * signal is the program's. */
	for (size_t i = 0; i < sizeof(exit_signals) / sizeof(exit_signals[0]); i++)
		lp_sigchain_exit(exit_signals[i], on_exit_signal);
	return 0;
}

void lp_autodump_set_tick(void (*fn)(void))
{
	tick = fn;
}

void lp_autodump_after_fork_child(void)
{
	if (!running)
		return;
	running = 0; /* a signal meanwhile must not write to the parent's pipe */
	close(wake[0]);
	close(wake[1]);
	close(done[0]);
	close(done[1]);
	wake[0] = wake[1] = done[0] = done[1] = -1;
	start_thread();
}
