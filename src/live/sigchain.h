/* SPDX-License-Identifier: MIT */
/*
 * The signals the profiler handles for the program: LOCKPROF_SIGNAL, and
 * SIGTERM/SIGINT where the program left their default. sigaction() and
 * signal() are interposed for those signals only, so a handler the program
 * installs later does not silently turn the profiler's off:
 *
 *  - the dump signal: the program's handler is recorded and called by the
 *    profiler's, which stays installed (with the program's mask and flags);
 *    the program reads back its own handler as the old action;
 *  - an exit signal: the program's handler replaces the profiler's (it then
 *    decides how the process ends; exit() still writes the profiles), and
 *    the program reads back SIG_DFL where the profiler's handler was.
 *
 * Not covered: sigset(), sysv_signal(), bsd_signal() and raw rt_sigaction
 * system calls, which replace the profiler's handler as they always did.
 */
#ifndef LP_SIGCHAIN_H
#define LP_SIGCHAIN_H

#include <signal.h>

typedef void (*lp_sig_fn)(int, siginfo_t *, void *);

/* glibc's sigaction, past the interposed one. */
int lp_sigaction_real(int sig, const struct sigaction *act, struct sigaction *old);

/* Install `fn` for the dump signal, keeping what was there to forward to. */
int lp_sigchain_dump(int sig, lp_sig_fn fn);

/* Install `fn` for an exit signal if its action is the default. Returns 1
 * when installed, 0 when the signal is the program's. */
int lp_sigchain_exit(int sig, lp_sig_fn fn);

/* From the dump signal's handler: run the program's action for it. */
void lp_sigchain_forward(int sig, siginfo_t *si, void *uc);

#endif /* LP_SIGCHAIN_H */
