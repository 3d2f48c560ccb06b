/*
 * lockprof: the command-line tool. Dispatches to one subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct lp_command commands[] = {
	{ "run", "run a program with the profiler preloaded", lp_cmd_run },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: lockprof COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'lockprof COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "lockprof: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
