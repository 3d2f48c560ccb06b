/* SPDX-License-Identifier: MIT */
/*
 * lockprof run: the program, with the profiler preloaded. The tool sets the
 * library's environment, checks what it can before the program starts
 * (where the profiles go, whether the program can be profiled), runs the
 * program as its child (run_child.h), and says at the end what was written.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "merge.h"
#include "base/config.h"
#include "base/addr.h"
#include "run_checks.h"
#include "run_child.h"
#include "run_summary.h"

#ifndef LOCKPROF_LIBDIR
#define LOCKPROF_LIBDIR "/usr/local/lib"
#endif

static const char usage[] =
	"usage: lockprof run [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"\n"
	"Run PROGRAM with liblockprof preloaded; block.pprof and mutex.pprof\n"
	"(and hold.pprof with --hold-fraction) are written when it exits\n"
	"(block.PID.pprof, mutex.PID.pprof, ... for the processes it starts),\n"
	"and one line on stderr names them. The exit status is the program's.\n"
	"\n"
	"  --block-rate D      block profile rate: 1 records every wait, 0 off,\n"
	"                      or a duration like 10us, 1ms (default 10us)\n"
	"  --mutex-fraction N  sample 1 in N contended releases, 0 off (default 10)\n"
	"  --hold-fraction N   time 1 in N acquisitions of mutexes and write locks\n"
	"                      into hold.pprof, 0 off (default 0)\n"
	"  --dir DIR           where profiles go (default: the current directory)\n"
	"  --http ADDR         serve /debug/pprof/{block,mutex,hold} on ADDR\n"
	"                      (127.0.0.1:6060, unix:/path; 127.0.0.1:0 picks a port)\n"
	"  --interval D        rewrite the profiles every D (at least 100ms)\n"
	"  --signal SIG        rewrite them when SIG arrives (USR1, USR2, HUP, ...),\n"
	"                      with waiting.txt and waiting.pprof\n"
	"  --hang D            when a lock wait has lasted D (at least 100ms),\n"
	"                      write waiting.txt and waiting.pprof: the threads\n"
	"                      waiting, their owners and any deadlock\n"
	"  --stack-depth N     frames kept per stack, 1 to 128 (default 64)\n"
	"  --labels L          label samples with some of lock, thread, wait\n"
	"                      (comma separated; default none)\n"
	"  --merge             after the program, merge the profiles of every\n"
	"                      process of the tree into one block.pprof, one\n"
	"                      mutex.pprof and one hold.pprof (the per-process\n"
	"                      files are removed)\n"
	"  --library PATH      the liblockprof.so to preload\n"
	"  -q, --quiet         no line at the end\n"
	"  -h, --help          this text\n";

struct run_args {
	const char *library;
	char dir[PATH_MAX];
	int quiet, signal, merge;
};

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

/* LD_PRELOAD for the program: what is there, then the library; in front,
 * a runtime the program needs first (`first`, lp_run_preload_first). */
static int set_preload(const char *first, const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *value;
	int rc;

	if (!old)
		old = "";
	/* After what is there: a sanitizer runtime must stay first, and an
	 * interposer ahead of us chains to us through RTLD_NEXT anyway. */
	if (asprintf(&value, "%s%s%s%s%s", first, *first && *old ? ":" : "", old,
		     *first || *old ? ":" : "", lib) < 0)
		return -1;
	rc = setenv("LD_PRELOAD", value, 1);
	free(value);
	return rc;
}

static int bad(const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "lockprof run: %s '%s': %s (lockprof run --help)\n",
		opt, val, what);
	return 2;
}

/* An option's value, checked as the library will read it, into the
 * environment: 0, or 2 after saying what is wrong. */
static int option(int c, const char *v, struct run_args *a)
{
	struct lp_http_addr addr;
	int64_t n;
	int labels;

	switch (c) {
	case 'b':
		if (lp_parse_duration(v, &n))
			return bad("--block-rate", v, "not a duration (like 10us, 1ms, 1, 0)");
		return setenv("LOCKPROF_BLOCK_RATE", v, 1) ? 2 : 0;
	case 'm':
		if (lp_parse_count(v, 1000000000, &n))
			return bad("--mutex-fraction", v, "not a whole number");
		return setenv("LOCKPROF_MUTEX_FRACTION", v, 1) ? 2 : 0;
	case 'F':
		if (strcmp(v, "off") && lp_parse_count(v, 1000000000, &n))
			return bad("--hold-fraction", v, "not a whole number or off");
		return setenv("LOCKPROF_HOLD_FRACTION", v, 1) ? 2 : 0;
	case 'd':
		if (!realpath(v, a->dir))
			return bad("--dir", v, strerror(errno));
		return setenv("LOCKPROF_DIR", a->dir, 1) ? 2 : 0;
	case 'H':
		if (strcmp(v, "off") && lp_http_addr_parse(v, &addr))
			return bad("--http", v, "not an address (127.0.0.1:6060, [::1]:6060, unix:/path)");
		return setenv("LOCKPROF_HTTP", v, 1) ? 2 : 0;
	case 'i':
		if (strcmp(v, "off") && (lp_parse_duration(v, &n) ||
					 (n && n < LP_MIN_INTERVAL_NS)))
			return bad("--interval", v, "not a duration of at least 100ms");
		return setenv("LOCKPROF_INTERVAL", v, 1) ? 2 : 0;
	case 'W':
		if (strcmp(v, "off") && (lp_parse_duration(v, &n) ||
					 (n && n < LP_MIN_HANG_NS)))
			return bad("--hang", v, "not a duration of at least 100ms");
		return setenv("LOCKPROF_HANG", v, 1) ? 2 : 0;
	case 'S':
		if (lp_parse_signal(v, &a->signal))
			return bad("--signal", v, "not a signal a program can spare (USR1, USR2, HUP, WINCH, PWR, URG, RTMIN+n)");
		return setenv("LOCKPROF_SIGNAL", v, 1) ? 2 : 0;
	case 's':
		if (lp_parse_count(v, LP_MAX_STACK_DEPTH, &n) || n < 1)
			return bad("--stack-depth", v, "not a number from 1 to 128");
		return setenv("LOCKPROF_STACK_DEPTH", v, 1) ? 2 : 0;
	case 'L':
		if (lp_parse_labels(v, &labels))
			return bad("--labels", v, "not a comma-separated subset of lock, thread and wait");
		return setenv("LOCKPROF_LABELS", v, 1) ? 2 : 0;
	case 'l':
		a->library = v;
		return 0;
	case 'q':
		a->quiet = 1;
		return 0;
	case 'M':
		a->merge = 1;
		return 0;
	}
	return 2;
}

/* 0 to go on; -1 after --help; 2 after a usage error. */
static int parse(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "block-rate", required_argument, NULL, 'b' },
		{ "mutex-fraction", required_argument, NULL, 'm' },
		{ "hold-fraction", required_argument, NULL, 'F' },
		{ "dir", required_argument, NULL, 'd' },
		{ "http", required_argument, NULL, 'H' },
		{ "interval", required_argument, NULL, 'i' },
		{ "signal", required_argument, NULL, 'S' },
		{ "hang", required_argument, NULL, 'W' },
		{ "stack-depth", required_argument, NULL, 's' },
		{ "labels", required_argument, NULL, 'L' },
		{ "library", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "merge", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	optind = 0;
	opterr = 0;
	/* '+': options stop at the program's name. */
	while ((c = getopt_long(argc, argv, "+:qh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "lockprof run: %s %s (lockprof run "
				"--help)\n", c == '?' ? "unknown option" :
				"a value is needed after", argv[optind - 1]);
			return 2;
		}
		rc = option(c, optarg, a);
		if (rc)
			return rc;
	}
	if (optind >= argc) {
		fprintf(stderr, "lockprof run: no program to run (lockprof run "
			"--help)\n");
		return 2;
	}
	return 0;
}

/* Where the profiles go: --dir, else LOCKPROF_DIR, else here. */
static int output_dir(struct run_args *a)
{
	const char *env = getenv("LOCKPROF_DIR");
	char err[PATH_MAX + 128];

	if (!a->dir[0] && !(env && *env ? realpath(env, a->dir) :
			    getcwd(a->dir, sizeof(a->dir))))
		snprintf(a->dir, sizeof(a->dir), "%s", env && *env ? env : ".");
	if (lp_run_check_dir(a->dir, err, sizeof(err))) {
		fprintf(stderr, "lockprof run: %s\n", err);
		return 2;
	}
	/* Where the end's summary looks, whatever the program's cwd. */
	return setenv("LOCKPROF_DIR", a->dir, 1) ? 2 : 0;
}

/* Looks at the program about to run: a warning when it cannot be
 * profiled, and the runtime it needs first in LD_PRELOAD into `first`. */
static void look_at_program(const char *prog, char *first, size_t len)
{
	char path[PATH_MAX], why[PATH_MAX + 256];

	first[0] = '\0';
	if (lp_run_find_program(prog, path, sizeof(path)))
		return;
	lp_run_why_not_profiled(path, why, sizeof(why));
	if (why[0])
		fprintf(stderr, "lockprof run: warning: %s\n", why);
	lp_run_preload_first(path, getenv("LD_PRELOAD"), first, len);
}

/* --merge: the tree's files of one kind as one, under the first process's
 * name; the merged ones removed. Written beside them first, then renamed:
 * a failed merge leaves every file as it was. 0, or an exit status. */
static int merge_kind(const char *dir, const struct lp_run_files *before,
		      const char *kind, int k, int quiet)
{
	char **names, **paths, out[PATH_MAX + 64], tmp[PATH_MAX + 64];
	int n = lp_run_written(dir, before, k, &names), rc = 0;

	if (n <= 0) {
		free(names);
		return n < 0 ? 1 : 0;
	}
	snprintf(out, sizeof(out), "%s/%s.pprof", dir, kind);
	snprintf(tmp, sizeof(tmp), "%s/.%s.merged.%ld.tmp", dir, kind, (long)getpid());
	paths = calloc((size_t)n, sizeof(*paths));
	for (int i = 0; paths && i < n; i++)
		if (asprintf(&paths[i], "%s/%s", dir, names[i]) < 0)
			paths[i] = NULL, rc = 1;
	if (!paths || rc)
		rc = 1;
	else if ((rc = lp_merge_files(paths, n, tmp, 0)) != 0)
		unlink(tmp);
	else if (rename(tmp, out) != 0)
		rc = 1, unlink(tmp);
	if (rc)
		fprintf(stderr, "lockprof run: --merge: the %s profiles are "
			"left as they were\n", kind);
	else if (!quiet && n > 1)
		fprintf(stderr, "lockprof run: merged the %s profiles of %d "
			"processes into %s.pprof\n", kind, n, kind);
	for (int i = 0; i < n; i++) {
		if (!rc && paths[i] && strcmp(paths[i], out))
			unlink(paths[i]);
		if (paths)
			free(paths[i]);
		free(names[i]);
	}
	free(paths);
	free(names);
	return rc;
}

int lp_cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct lp_run_files *before;
	char lib[PATH_MAX], first[256];
	int rc = parse(argc, argv, &a), status;

	if (rc)
		return rc < 0 ? 0 : rc;
	if (a.library && !realpath(a.library, lib))
		return bad("--library", a.library, strerror(errno));
	if (!a.library && find_library(lib, sizeof(lib)) != 0) {
		fprintf(stderr, "lockprof run: cannot find liblockprof.so (use --library)\n");
		return 2;
	}
	rc = output_dir(&a);
	if (rc)
		return rc;
	look_at_program(argv[optind], first, sizeof(first));
	if (set_preload(first, lib) != 0) {
		perror("lockprof run");
		return 2;
	}
	before = lp_run_files_before(a.dir);
	status = lp_run_child(argv + optind, a.signal);
	if (status < 0) {
		rc = errno;
		fprintf(stderr, "lockprof run: %s: %s\n", argv[optind],
			strerror(rc));
		lp_run_files_free(before);
		return rc == ENOENT ? 127 : 126;
	}
	if (a.merge) {
		merge_kind(a.dir, before, "block", 1, a.quiet);
		merge_kind(a.dir, before, "mutex", 2, a.quiet);
		merge_kind(a.dir, before, "hold", 3, a.quiet);
	}
	if (!a.quiet)
		lp_run_summary(a.dir, before);
	lp_run_files_free(before);
	return lp_run_exit_like(status);
}
