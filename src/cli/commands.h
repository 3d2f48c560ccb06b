/* SPDX-License-Identifier: MIT */
/* The lockprof subcommands: each takes its own argv (argv[0] is its name)
 * and returns the process exit status. */
#ifndef LP_CLI_COMMANDS_H
#define LP_CLI_COMMANDS_H

struct lp_command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

int lp_cmd_run(int argc, char **argv);

#endif /* LP_CLI_COMMANDS_H */
