/* SPDX-License-Identifier: MIT */
/* LP_CHECK in a debug build: a broken invariant says which, where, in one
 * line on stderr, and aborts; one that holds does nothing. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/check.h"
#include "base/log.h"

int main(void)
{
	int pipefd[2], status, two = 2;
	char line[256] = "";
	ssize_t n;
	pid_t child;

	LP_CHECK(two == 2);
	if (pipe(pipefd) != 0)
		return 1;
	child = fork();
	if (child == 0) {
		dup2(pipefd[1], 2);
		lp_log_init(NULL);
		LP_CHECK(two == 3);
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], line, sizeof(line) - 1);
	waitpid(child, &status, 0);
	line[n > 0 ? n : 0] = 0;
	printf("child: %s, said: %s", WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGABRT ? "aborted" : "did not abort", line);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
	    !strstr(line, "invariant broken at") || !strstr(line, "two == 3")) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("1 passed, 0 failed\n");
	return 0;
}
