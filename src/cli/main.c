/* SPDX-License-Identifier: MIT */
/*
 * lockprof: the command-line tool. Dispatches to one subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"

static const struct lp_command commands[] = {
	{ "run", "run a program with the profiler preloaded", lp_cmd_run },
	{ "top", "rank the sites of a profile by delay or contentions",
	  lp_cmd_top },
	{ "diff", "compare two profiles site by site",
	  lp_cmd_diff },
	{ "check", "exit 1 when a profile regressed against a baseline",
	  lp_cmd_check },
	{ "folded", "print folded stacks for flame-graph tools", lp_cmd_folded },
	{ "flame", "draw an SVG flame graph, plain or differential",
	  lp_cmd_flame },
	{ "merge", "merge per-process profiles of one run", lp_cmd_merge },
	{ "waiting", "print the threads waiting now, their owners and deadlocks",
	  lp_cmd_waiting },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(void)
{
	size_t i;

	printf("usage: lockprof COMMAND [ARGS...]\n"
		"       lockprof --version\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\n'lockprof COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "lockprof: no command (lockprof --help)\n");
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("lockprof %s\n", LOCKPROF_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage();
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "lockprof: unknown command %s (lockprof --help)\n",
		argv[1]);
	return 2;
}
