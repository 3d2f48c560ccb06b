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

int lp_stackwalk(uintptr_t *pcs, int depth, int *truncated)
{
	void *buf[LP_MAX_STACK_DEPTH + LP_STACK_SLACK + 1];
	int n, skip = 0, keep;

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
	__atomic_add_fetch(&walks, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&forking, __ATOMIC_SEQ_CST)) {
		__atomic_sub_fetch(&walks, 1, __ATOMIC_RELEASE);
		*truncated = 0;
		return 0;
	}
	in_libunwind = 1;
	n = unw_backtrace(buf, depth + LP_STACK_SLACK + 1);
	in_libunwind = 0;
	__atomic_sub_fetch(&walks, 1, __ATOMIC_RELEASE);
	while (skip < n && lp_self_code((uintptr_t)buf[skip]))
		skip++;
	keep = n - skip;
	*truncated = keep > depth;
	if (keep > depth)
		keep = depth;
	memcpy(pcs, buf + skip, (size_t)keep * sizeof(*pcs));
	return keep;
}
