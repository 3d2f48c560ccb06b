/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "proctree.h"

static int is_root;
static long root_pid;
static int64_t root_start;

void lp_proctree_init(const char *(*get)(const char *), int secure)
{
	const char *pid = get("LOCKPROF_ROOT_PID");
	const char *start = get("LOCKPROF_ROOT_START");
	char buf[24];

	root_pid = pid ? atol(pid) : 0;
	is_root = root_pid <= 0 || root_pid == (long)getpid();
	if (is_root) {
		root_pid = (long)getpid();
		root_start = lp_wall_now();
	} else {
		root_start = start ? atoll(start) : 0;
	}
	if (secure || (pid && start))
		return;
	snprintf(buf, sizeof(buf), "%ld", root_pid);
	setenv("LOCKPROF_ROOT_PID", buf, 1);
	snprintf(buf, sizeof(buf), "%lld", (long long)root_start);
	setenv("LOCKPROF_ROOT_START", buf, 1);
}

void lp_proctree_after_fork_child(void)
{
	is_root = 0;
}

int lp_proctree_is_root(void)
{
	return is_root;
}

long lp_proctree_root_pid(void)
{
	return root_pid;
}

int64_t lp_proctree_root_start(void)
{
	return root_start;
}
