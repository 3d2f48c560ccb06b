/* SPDX-License-Identifier: MIT */
/*
 * A word to sleep on, without a descriptor: Linux futexes, private to the
 * process. Both calls are plain system calls, safe in signal handlers.
 * The profiler's threads wait on these instead of pipes, which would take
 * descriptor numbers of the program's (docs/safety.md).
 */
#ifndef LP_FUTEX_H
#define LP_FUTEX_H

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleep while *word == expected, at most timeout_ns (< 0: no limit), or
 * until woken; may return early (a signal, a spurious wake-up). */
static inline void lp_futex_wait(uint32_t *word, uint32_t expected,
				 int64_t timeout_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000),
		.tv_nsec = (long)(timeout_ns % 1000000000),
	};

	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected,
		timeout_ns < 0 ? NULL : &ts, NULL, 0);
}

/* Wake every thread sleeping on `word`. */
static inline void lp_futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

#endif /* LP_FUTEX_H */
