/*
 * lockprof run: the program, with the profiler preloaded. The tool sets the
 * environment and then becomes the program (exec): its pid, exit status and
 * signals are the program's own, nothing stands in between.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"

#ifndef LOCKPROF_LIBDIR
#define LOCKPROF_LIBDIR "/usr/local/lib"
#endif

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: lockprof run [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"\n"
		"Run PROGRAM with liblockprof preloaded; block.pprof and mutex.pprof\n"
		"are written when it exits (block.PID.pprof, mutex.PID.pprof for the\n"
		"processes it starts).\n"
		"\n"
		"  --block-rate D      block profile rate: 1 records every wait, 0 off,\n"
		"                      or a duration like 10us, 1ms (default 10us)\n"
		"  --mutex-fraction N  sample 1 in N contended releases, 0 off (default 10)\n"
		"  --dir DIR           where profiles go (default: the current directory)\n"
		"  --stack-depth N     frames kept per stack, 1 to %d (default 64)\n"
		"  --library PATH      the liblockprof.so to preload\n"
		"  -h, --help          this text\n",
		LP_MAX_STACK_DEPTH);
}

static int readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The library next to this executable (a build tree), else the installed
 * one. */
static int find_library(char *out, size_t len)
{
	char exe[PATH_MAX - 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, len, "%s/liblockprof.so", exe);
			if (readable(out))
				return 0;
			snprintf(out, len, "%s/../lib/liblockprof.so.0", exe);
			if (readable(out))
				return 0;
		}
	}
	snprintf(out, len, "%s/liblockprof.so.0", LOCKPROF_LIBDIR);
	return readable(out) ? 0 : -1;
}

static int set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *value;
	int rc;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	/* After what is there: a sanitizer runtime must stay first, and an
	 * interposer ahead of us chains to us through RTLD_NEXT anyway. */
	if (asprintf(&value, "%s:%s", old, lib) < 0)
		return -1;
	rc = setenv("LD_PRELOAD", value, 1);
	free(value);
	return rc;
}

int lp_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "block-rate", required_argument, NULL, 'b' },
		{ "mutex-fraction", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ "stack-depth", required_argument, NULL, 's' },
		{ "library", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char lib[PATH_MAX], dir[PATH_MAX], pid[24];
	const char *library = NULL;
	int64_t v;
	int c;

	/* '+': options stop at the program's name. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (lp_parse_duration(optarg, &v) != 0) {
				fprintf(stderr, "lockprof run: --block-rate '%s' is not a duration (like 10us, 1ms, 1, 0)\n", optarg);
				return 2;
			}
			setenv("LOCKPROF_BLOCK_RATE", optarg, 1);
			break;
		case 'm':
			if (lp_parse_count(optarg, 1000000000, &v) != 0) {
				fprintf(stderr, "lockprof run: --mutex-fraction '%s' is not a whole number\n", optarg);
				return 2;
			}
			setenv("LOCKPROF_MUTEX_FRACTION", optarg, 1);
			break;
		case 'd':
			if (!realpath(optarg, dir)) {
				fprintf(stderr, "lockprof run: --dir '%s': %s\n", optarg, strerror(errno));
				return 2;
			}
			setenv("LOCKPROF_DIR", dir, 1);
			break;
		case 's':
			if (lp_parse_count(optarg, LP_MAX_STACK_DEPTH, &v) != 0 || v < 1) {
				fprintf(stderr, "lockprof run: --stack-depth '%s' is not a number from 1 to %d\n",
					optarg, LP_MAX_STACK_DEPTH);
				return 2;
			}
			setenv("LOCKPROF_STACK_DEPTH", optarg, 1);
			break;
		case 'l':
			library = optarg;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			run_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		run_usage(stderr);
		return 2;
	}
	if (library) {
		if (!realpath(library, lib)) {
			fprintf(stderr, "lockprof run: --library '%s': %s\n", library, strerror(errno));
			return 2;
		}
	} else if (find_library(lib, sizeof(lib)) != 0) {
		fprintf(stderr, "lockprof run: cannot find liblockprof.so (use --library)\n");
		return 2;
	}
	/* The program is the first process of the tree: it writes the
	 * unsuffixed files even if this tool's own environment says otherwise. */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (set_preload(lib) != 0 || setenv("LOCKPROF_ROOT_PID", pid, 1) != 0) {
		perror("lockprof run");
		return 2;
	}
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "lockprof run: %s: %s\n", argv[optind], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
