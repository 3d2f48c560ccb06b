/* SPDX-License-Identifier: MIT */
#include "run_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
				 SIGUSR2 };

/* Only what another process sent (kill, sigqueue): a terminal's ^C went to
 * the program already. */
static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child_pid > 0 && si->si_code <= 0)
		kill(child_pid, sig);
}

static void each_signal(int extra, void (*fn)(int sig, void *ctx), void *ctx)
{
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		fn(forwarded[i], ctx);
	if (extra > 0)
		fn(extra, ctx);
}

static void add_to_set(int sig, void *set)
{
	sigaddset(set, sig);
}

static void install(int sig, void *ctx)
{
	struct sigaction sa = { .sa_sigaction = forward,
				.sa_flags = SA_SIGINFO | SA_RESTART };

	(void)ctx;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* In the child: the program is the first process of the tree; exec it, or
 * tell the parent exec's errno through the pipe. */
static void child(char **argv, int report, const sigset_t *mask)
{
	char pid[24];
	ssize_t w;
	int err;

	sigprocmask(SIG_SETMASK, mask, NULL);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("LOCKPROF_ROOT_PID", pid, 1);
	execvp(argv[0], argv);
	err = errno;
	w = write(report, &err, sizeof(err));
	(void)w; /* nothing to do if even that fails */
	_exit(127);
}

int lp_run_child(char **argv, int extra_signal)
{
	sigset_t set, old;
	int p[2], status, err = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	sigemptyset(&set);
	each_signal(extra_signal, add_to_set, &set);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid == 0)
		child(argv, p[1], &old);
	close(p[1]);
	if (pid < 0) {
		err = errno;
		close(p[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = err;
		return -1;
	}
	child_pid = pid;
	each_signal(extra_signal, install, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (read(p[0], &err, sizeof(err)) != (ssize_t)sizeof(err))
		err = 0;
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (err) {
		errno = err;
		return -1;
	}
	return status;
}

int lp_run_exit_like(int status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;
	int sig;

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (!WIFSIGNALED(status))
		return 1;
	sig = WTERMSIG(status);
	/* The program dumped core already, if it was to. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}
