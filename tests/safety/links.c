/* SPDX-License-Identifier: MIT */
/*
 * A process tree whose every dump the test can time, for planting links at
 * the names the library writes (test_links.py).
 *
 * links [spawn-only]: starts its children, each blocked until released:
 * one started by posix_spawn of this program ("links child", a process that
 * loads the library again) and, unless spawn-only, one forked (fork from a
 * process with threads is not run under ASan). Prints "children PID...",
 * then obeys lines on stdin:
 *   work     one sure contended wait on a mutex; answers "worked"
 *   release  the children contend and exit; answers "released"
 * and at end of input contends once more and exits with status 0.
 */
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "onewait.h"
#include "safe.h"

extern char **environ;

/* A child: waits for a byte on `go`, contends, exits through exit(). */
static int child(int go)
{
	char c;

	CHECK(read(go, &c, 1) == 1);
	one_wait();
	return 0;
}

int main(int argc, char **argv)
{
	char *child_argv[] = { "links", "child", NULL }, line[64];
	posix_spawn_file_actions_t fa;
	int spawned[2], forked[2], n = 1;
	pid_t pids[2];

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child(0);
	CHECK(pipe2(spawned, O_CLOEXEC) == 0 && pipe2(forked, O_CLOEXEC) == 0);
	/* The spawned child reads its go from its standard input. */
	CHECK(posix_spawn_file_actions_init(&fa) == 0);
	CHECK(posix_spawn_file_actions_adddup2(&fa, spawned[0], 0) == 0);
	PT(posix_spawn(&pids[0], "/proc/self/exe", &fa, NULL, child_argv, environ));
	close(spawned[0]);
	if (!(argc > 1 && strcmp(argv[1], "spawn-only") == 0)) {
		pids[n] = fork();
		CHECK(pids[n] >= 0);
		if (pids[n] == 0) {
			close(forked[1]);
			exit(child(forked[0]));
		}
		n++;
	}
	close(forked[0]);
	printf("children");
	for (int i = 0; i < n; i++)
		printf(" %ld", (long)pids[i]);
	printf("\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (strcmp(line, "work\n") == 0) {
			one_wait();
			printf("worked\n");
		} else if (strcmp(line, "release\n") == 0) {
			CHECK(write(spawned[1], "g", 1) == 1);
			CHECK(n == 1 || write(forked[1], "g", 1) == 1);
			for (int i = 0; i < n; i++) {
				int st;

				CHECK(waitpid(pids[i], &st, 0) == pids[i]);
				CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
			}
			printf("released\n");
		}
		fflush(stdout);
	}
	one_wait();
	return 0;
}
