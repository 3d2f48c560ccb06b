/* SPDX-License-Identifier: MIT */
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "base/fdkeep.h"
#include "base/log.h"
#include "base/selfmap.h"
#include "stackmemo.h"
#include "stackwalk.h"

/*
 * libunwind checks that an address is readable, when it is not sure of a
 * frame, by writing a byte of it into a pipe that it opens at its start-up
 * and keeps for the process's life. Opened where libunwind would, the pipe
 * would take the program's lowest free numbers, and a program that closes
 * every descriptor and opens its own files on those numbers would have
 * libunwind read from and write into them. So the pipe2() that libunwind
 * calls, on this thread and on the profiler's behalf, moves both ends to
 * kept numbers (src/base/fdkeep.h); everyone else's pipe2() is the system call,
 * as glibc's is.
 */
static __thread int in_libunwind __attribute__((tls_model("initial-exec")));
static int said_no_room;
static int pipe_fds[2] = { -1, -1 }; /* libunwind's, as last handed out */
static unsigned losses_seen;
static int pipe_lost;                /* the program took one of them */

__attribute__((visibility("default"))) int pipe2(int fds[2], int flags)
{
	int rc;

	if (!in_libunwind)
		return (int)syscall(SYS_pipe2, fds, flags);
	/* Not even for a moment in the program's numbers when they cannot be
	 * kept: other threads open files meanwhile, under a tiny limit. */
	rc = lp_fdkeep_room() ? (int)syscall(SYS_pipe2, fds, flags) : -1;
	if (rc == 0) {
		fds[0] = lp_fdkeep(fds[0]);
		fds[1] = lp_fdkeep(fds[1]);
	} else {
		fds[0] = fds[1] = -1;
	}
	__atomic_store_n(&pipe_fds[0], fds[0], __ATOMIC_RELAXED);
	__atomic_store_n(&pipe_fds[1], fds[1], __ATOMIC_RELAXED);
	if ((fds[0] < 0 || fds[1] < 0) &&
	    !__atomic_exchange_n(&said_no_room, 1, __ATOMIC_RELAXED))
		lp_log("lockprof: no descriptor numbers to spare under "
		       "RLIMIT_NOFILE for the stack walker; stacks will be missing");
	return 0;
}

/*
 * Fork. libunwind and the loader take locks of their own during a walk
 * (its caches, dl_iterate_phdr's); a child forked in the middle of a walk on
 * another thread would find them held forever and hang at its first walk.
 * So a fork waits for the walks in progress, and walks that start while it
 * is prepared take no stack.
 */
static int walks;   /* walks in progress */
static int forking; /* a fork is being prepared */

void lp_stackwalk_before_fork(void)
{
	/* A fork from a signal handler that interrupted a walk of this very
	 * thread: that walk cannot end before the fork. */
	int mine = in_libunwind;

	__atomic_store_n(&forking, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&walks, __ATOMIC_SEQ_CST) > mine)
		sched_yield();
}

void lp_stackwalk_after_fork(int child)
{
	if (child)
		__atomic_store_n(&walks, in_libunwind, __ATOMIC_RELAXED);
	__atomic_store_n(&forking, 0, __ATOMIC_RELEASE);
}

void lp_stackwalk_init(void)
{
	in_libunwind = 1;
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	in_libunwind = 0;
}

/*
 * The stack memo (stackmemo.h), on x86-64 where a return address sits just
 * below its caller's stack pointer (the CFA of the callee), at CFA - 8.
 * A signal handler that interrupts the thread's use of its memo (busy)
 * walks without it.
 */
#if defined(__x86_64__)
#define MEMO 1
#else
#define MEMO 0
#endif

_Static_assert(LP_MEMO_FRAMES == LP_DEFAULT_STACK_DEPTH + LP_STACK_SLACK + 1,
	       "a memo holds a whole walk at the default depth");

enum { MEMO_UNSET, MEMO_IDLE, MEMO_BUSY };
static __thread int memo_state __attribute__((tls_model("initial-exec")));
static __thread struct lp_stackmemos memos __attribute__((tls_model("initial-exec")));

/*
 * Where each frame of pcs[0..n), the stack from the caller of the walker
 * whose CFA is `cfa`, keeps its return address: a walk with unw_step,
 * which knows each frame's CFA (libunwind's fast unw_backtrace does not
 * say). Found only when this walk sees the same frames, each return address
 * in the slot just below its frame's stack pointer, no signal frame (an
 * interrupted frame's address is in the signal frame, not in a slot).
 */
static int find_slots(uintptr_t cfa, const uintptr_t *pcs, int n, const uintptr_t **slots)
{
	unw_context_t uc;
	unw_cursor_t c;
	unw_word_t ip, sp;
	uintptr_t last = 0;
	int k = 0;

	if (unw_getcontext(&uc) != 0 || unw_init_local(&c, &uc) != 0)
		return 0;
	while (k < n && unw_step(&c) > 0) {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0 || unw_get_reg(&c, UNW_REG_SP, &sp) != 0 ||
		    unw_is_signal_frame(&c) > 0)
			return 0;
		if (sp < cfa)
			continue; /* this function's and lp_stackwalk's frames */
		if ((k == 0 && sp != cfa) || ip != pcs[k] || sp - 8 <= last ||
		    *(const uintptr_t *)(sp - 8) != ip)
			return 0;
		last = sp - 8;
		slots[k++] = (const uintptr_t *)last;
	}
	return k == n;
}

/* After a walk that found buf[0..n): the memo notes it, and finds its
 * slots when it repeated. `at` is where the walker's caller's frame is in
 * buf; the frames before it are the walker's own. */
static void memo_note(uintptr_t cfa, int depth, const uintptr_t *buf, int n, uintptr_t ret)
{
	const uintptr_t *slots[LP_MEMO_FRAMES];
	struct lp_stackmemo *m;
	int at = 0;

	while (at < n && buf[at] != ret) {
		if (!lp_self_code(buf[at]))
			return;
		at++;
	}
	m = lp_stackmemo_note(&memos, cfa, depth, buf + at, n - at);
	if (m)
		lp_stackmemo_keep(m, find_slots(cfa, m->pcs, m->n, slots) ? slots : NULL);
}

__attribute__((noinline)) int lp_stackwalk(uintptr_t *pcs, int depth, int *truncated)
{
	uintptr_t buf[LP_MAX_STACK_DEPTH + LP_STACK_SLACK + 1];
	const uintptr_t *found = buf;
	uintptr_t cfa = MEMO ? (uintptr_t)__builtin_dwarf_cfa() : 0;
	int n = -1, skip = 0, keep, memo = 0;

	/* The program took a number of libunwind's pipe (dup2): libunwind
	 * would read and write the program's file. */
	if (__builtin_expect(lp_fdkeep_losses() != losses_seen, 0)) {
		for (int i = 0; i < 2; i++) {
			int fd = __atomic_load_n(&pipe_fds[i], __ATOMIC_RELAXED);

			if (fd >= 0 && !lp_fdkeep_has(fd))
				__atomic_store_n(&pipe_lost, 1, __ATOMIC_RELAXED);
		}
		losses_seen = lp_fdkeep_losses();
	}
	if (__atomic_load_n(&pipe_lost, __ATOMIC_RELAXED)) {
		*truncated = 0;
		return 0;
	}
	if (MEMO && (memo = memo_state) != MEMO_BUSY) {
		/* Busy before the table is set up: a handler then keeps out of
		 * a half-cleared table. */
		memo_state = MEMO_BUSY;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (memo == MEMO_UNSET)
			lp_stackmemo_init(&memos);
		memo = 1;
		n = lp_stackmemo_find(&memos, cfa, depth, &found);
	}
	if (n < 0) {
		__atomic_add_fetch(&walks, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&forking, __ATOMIC_SEQ_CST)) {
			__atomic_sub_fetch(&walks, 1, __ATOMIC_RELEASE);
			n = 0;
		} else {
			in_libunwind = 1;
			n = unw_backtrace((void **)buf, depth + LP_STACK_SLACK + 1);
			if (memo && n > 0)
				memo_note(cfa, depth, buf, n,
					  (uintptr_t)__builtin_return_address(0));
			in_libunwind = 0;
			__atomic_sub_fetch(&walks, 1, __ATOMIC_RELEASE);
		}
	}
	/* Copied out before the memo is left (a found stack is in it). */
	while (skip < n && lp_self_code(found[skip]))
		skip++;
	keep = n - skip;
	*truncated = keep > depth;
	if (keep > depth)
		keep = depth;
	memcpy(pcs, found + skip, (size_t)keep * sizeof(*pcs));
	if (memo) {
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		memo_state = MEMO_IDLE;
	}
	return keep;
}
