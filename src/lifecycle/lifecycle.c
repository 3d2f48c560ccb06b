/* SPDX-License-Identifier: MIT */
/*
 * The process's life around the recorder: start-up (the constructor), fork
 * and exit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <urcu-bp.h>

#include "base/arena.h"
#include "live/autodump.h"
#include "base/clock.h"
#include "export/dump.h"
#include "base/guard.h"
#include "live/live.h"
#include "base/log.h"
#include "lifecycle.h"
#include "export/pprof_encode.h"
#include "base/proctree.h"
#include "record/recorder.h"
#include "base/selfmap.h"

/*
 * ThreadSanitizer's runtime, in a program built with -fsanitize=thread.
 * Such a program is not profiled: libunwind frees a thread's cache at the
 * thread's exit under a mutex, through ThreadSanitizer's interceptor after
 * ThreadSanitizer has let go of the thread, and the process crashes.
 */
extern void __tsan_init(void) __attribute__((weak));

static int init_state;           /* 0 not yet, 1 running, 2 done */
static int usable;               /* started, and LOCKPROF is not 0 */
static int secure;               /* AT_SECURE: see env() */

/* Fork: liburcu's bulletproof flavor must be told; the child keeps one
 * thread and starts profiles of its own. */
static __thread int fork_saved_errno __attribute__((tls_model("initial-exec")));

static void before_fork(void)
{
	fork_saved_errno = lp_guard_enter();
	lp_dump_before_fork();
	lp_stackwalk_before_fork();
	urcu_bp_before_fork();
}

static void after_fork_parent(void)
{
	urcu_bp_after_fork_parent();
	lp_stackwalk_after_fork(0);
	lp_dump_after_fork_parent();
	/* errno is fork's now: a failed fork's error, not the one before. */
	lp_guard_leave(errno);
}

static void after_fork_child(void)
{
	urcu_bp_after_fork_child();
	lp_stackwalk_after_fork(1);
	lp_arena_after_fork_child();
	lp_recorder_after_fork_child();
	lp_proctree_after_fork_child();
	lp_dump_after_fork_child();
	lp_live_after_fork_child();
	lp_guard_leave(fork_saved_errno);
}

/*
 * A process that runs with privileges its caller lacks (setuid, setgid, file
 * capabilities: the kernel's AT_SECURE) takes nothing from the environment,
 * which is the caller's: secure_getenv() sees no variable there. Nor does
 * it record, serve or write anything by default; only the program itself,
 * through the C API, turns recording on (lockprof_start).
 */
static const char *env(const char *name)
{
	return secure_getenv(name);
}

void lp_profiler_init(void)
{
	struct lp_config cfg;
	int idle = 0, saved;

	if (!__atomic_compare_exchange_n(&init_state, &idle, 1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	saved = lp_guard_enter();
	secure = getauxval(AT_SECURE) != 0;
	lp_log_init(env("LOCKPROF_LOG"));
	lp_config_load(&cfg, env, lp_log);
	if (cfg.enabled && __tsan_init) {
		lp_log("lockprof: the program runs under ThreadSanitizer; not profiling "
		       "(docs/safety.md)");
		cfg.enabled = 0;
	}
	lp_prof.stack_depth = cfg.stack_depth;
	lp_prof.block_rate = cfg.block_rate;
	lp_prof.mutex_fraction = cfg.mutex_fraction;
	lp_prof.labels = cfg.labels;
	lp_proctree_init(env, secure);
	lp_dump_init(&cfg, secure);
	lp_pprof_set_run(lp_proctree_root_pid(), lp_proctree_root_start());
	if (cfg.enabled) {
		lp_clock_start();
		lp_selfmap_init();
		lp_stackwalk_init();
		if (lp_recorder_init(&cfg) != 0) {
			lp_log("lockprof: out of memory at start; not profiling");
			cfg.enabled = 0;
		} else {
			lp_prof.hold_fraction = cfg.hold_fraction;
		}
	}
	if (cfg.enabled) {
		/* Register this thread with RCU now, so the first lock event
		 * of the main thread does not do it. */
		urcu_bp_register_thread();
		usable = 1;
		pthread_atfork(before_fork, after_fork_parent, after_fork_child);
		if (!secure) {
			lp_dump_check_dir();
			/* Someone may look at the waits in progress. */
			lp_prof.hang_view = cfg.hang > 0 || cfg.dump_signal ||
					    cfg.http.kind != LP_ADDR_NONE;
			__atomic_store_n(&lp_prof.recording, 1, __ATOMIC_RELEASE);
			/* The TSC's rate is measured once, off the program's
			 * threads (src/base/clock.c). */
			lp_autodump_once(LP_CLOCK_CALIBRATE_AFTER, lp_clock_calibrate);
			lp_live_start(&cfg);
		}
	}
	__atomic_store_n(&lp_prof.configured, 1, __ATOMIC_RELEASE);
	lp_guard_leave(saved);
	__atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
}

int lp_profiler_ready(void)
{
	return __atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == 2 && usable;
}

__attribute__((constructor)) static void lp_constructor(void)
{
	lp_profiler_init();
}

__attribute__((destructor)) static void lp_destructor(void)
{
	if (!lp_profiler_ready())
		return;
	/* A privileged process writes files only when it asked to record. */
	if (secure && !__atomic_load_n(&lp_prof.recording, __ATOMIC_ACQUIRE))
		return;
	/* On the dump thread, which does not hold what the exiting thread
	 * may (an exit from a signal handler that interrupted malloc). */
	if (lp_autodump_exit() != 0)
		lp_dump_at_exit();
	lp_live_at_exit();
}
