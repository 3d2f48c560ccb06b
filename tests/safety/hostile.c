/* SPDX-License-Identifier: MIT */
/*
 * The host program in its hardest moments (issue 17). Every subcommand
 * prints one line per observation; the driver (test_hostile.py) compares
 * the lines of a native run and of a run under the library.
 *
 * hostile fds HOW LAYOUT: closes every descriptor from 3 (HOW: closefrom,
 * or close_range for the raw system call), then opens its own on the freed
 * numbers in the order LAYOUT spells (D a data file, O and B files it
 * writes, P a socketpair, L a listening TCP socket on 127.0.0.1), contends
 * on a mutex, raises SIGUSR2 (the driver's LOCKPROF_SIGNAL; the program
 * handles it too), then uses each: the data file read whole, a request
 * through the socketpair read whole, 10 connections accepted. Then it idles
 * for a second with all of them open and prints the CPU time that took on
 * a line starting "cpu" (the driver bounds it instead of comparing it).
 *
 * hostile termexit: a SIGTERM handler calls exit(0) while main allocates
 * and frees in a loop and 3 threads contend on a mutex. Prints "ready"
 * when the loop starts; the driver sends SIGTERM.
 *
 * hostile storm N: 2 threads contend on a mutex while main forks N
 * children, 4 at a time; each child locks that mutex once (the program's
 * own atfork handlers make it safe), every fourth also waits once for a
 * thread of its own, and exits with exit(0). Every child's wait is bounded.
 *
 * hostile pid1 inside|outside: meant to run as PID 1 of a new PID
 * namespace; blocks in read() on a pipe while it is sent SIGTERM (inside:
 * by a child it forked, which then writes to the pipe; outside: the driver
 * sends it and writes to stdin). The kernel does not deliver to PID 1 a
 * signal left at its default action, so the read goes on.
 *
 * hostile fullpipe: fills a big stdout buffer and returns from main; exit()
 * then blocks flushing it into a pipe nobody reads, and gets SIGTERM.
 *
 * hostile firstfd: prints what its first open() returns.
 *
 * hostile nofile [self]: (self: sets RLIMIT_NOFILE to 8 itself) opens
 * /dev/null until EMFILE and prints how many it got, contends, and exits
 * with them all open.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "safe.h"

/* ---- contention, so that the library records and walks stacks ---- */

static pthread_mutex_t contended = PTHREAD_MUTEX_INITIALIZER;
static int stop_contending;

struct rounds {
	long n;          /* rounds, or until stop_contending when < 0 */
	long hold_ns;
};

__attribute__((noinline)) static void *contend(void *arg)
{
	const struct rounds *r = arg;

	for (long i = 0; r->n < 0 || i < r->n; i++) {
		if (r->n < 0 && __atomic_load_n(&stop_contending, __ATOMIC_RELAXED))
			break;
		pthread_mutex_lock(&contended);
		safe_spin_ns(r->hold_ns);
		pthread_mutex_unlock(&contended);
	}
	return NULL;
}

/* `n` threads, `rounds` rounds each, joined. */
static void contend_a_while(int n, long rounds)
{
	struct rounds r = { rounds, 2000 };
	pthread_t th[8];

	for (int i = 0; i < n; i++)
		PT(pthread_create(&th[i], NULL, contend, &r));
	for (int i = 0; i < n; i++)
		PT(pthread_join(th[i], NULL));
}

static void start_contending_forever(int n)
{
	static struct rounds r = { -1, 1000 };
	pthread_t th;

	for (int i = 0; i < n; i++) {
		PT(pthread_create(&th, NULL, contend, &r));
		PT(pthread_detach(th));
	}
}

/* ---- fds ---- */

#define DATA_SIZE 4096
#define REQUEST_SIZE 1000
#define CONNECTIONS 10

static volatile sig_atomic_t usr2_handled;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_handled++;
}

static unsigned char pattern(size_t i, unsigned seed)
{
	return (unsigned char)((i * 131 + seed) % 251);
}

static int pattern_ok(const unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern(i, seed))
			return 0;
	return 1;
}

static void write_all(int fd, const void *buf, size_t n)
{
	CHECK(write(fd, buf, n) == (ssize_t)n);
}

static void write_line(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

/* Reads until EOF or until nothing came for 2 s: how many bytes. */
static size_t read_whole(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 2000) <= 0)
			return got;
		n = read(fd, buf + got, cap - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return got;
		got += (size_t)n;
		if (got == cap)
			return got;
	}
}

static long cpu_ms(void)
{
	struct rusage ru;

	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

static int fds_main(const char *how, const char *layout)
{
	int data = -1, out_a = -1, out_b = -1, pair[2] = { -1, -1 }, lsn = -1;
	unsigned char buf[DATA_SIZE * 2];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	struct sigaction sa = { .sa_handler = on_usr2 };
	int fd, accepted = 0;
	size_t got;
	long before;

	/* The data file, written before the descriptors are closed. */
	for (size_t i = 0; i < DATA_SIZE; i++)
		buf[i] = pattern(i, 1);
	fd = open("data", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	write_all(fd, buf, DATA_SIZE);
	CHECK(close(fd) == 0);
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);

	if (strcmp(how, "closefrom") == 0)
		closefrom(3);
	else
		CHECK(syscall(SYS_close_range, 3U, ~0U, 0) == 0);

	for (const char *c = layout; *c; c++) {
		switch (*c) {
		case 'D':
			data = open("data", O_RDONLY);
			CHECK(data >= 0);
			printf("data file: fd %d\n", data);
			break;
		case 'O':
		case 'B':
			fd = open(*c == 'O' ? "out-a" : "out-b",
				  O_WRONLY | O_CREAT | O_TRUNC, 0644);
			CHECK(fd >= 0);
			*(*c == 'O' ? &out_a : &out_b) = fd;
			printf("out-%c: fd %d\n", *c == 'O' ? 'a' : 'b', fd);
			break;
		case 'P':
			CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
			printf("socketpair: server fd %d, client fd %d\n", pair[0], pair[1]);
			break;
		case 'L':
			lsn = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			CHECK(lsn >= 0);
			addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			CHECK(bind(lsn, (struct sockaddr *)&addr, sizeof(addr)) == 0);
			CHECK(listen(lsn, 16) == 0);
			CHECK(getsockname(lsn, (struct sockaddr *)&addr, &alen) == 0);
			printf("listening socket: fd %d\n", lsn);
			break;
		}
	}
	CHECK(data >= 0 && out_a >= 0 && out_b >= 0 && pair[0] >= 0 && lsn >= 0);
	write_line(out_a, "out-a: before the dump\n");
	write_line(out_b, "out-b: before the dump\n");

	contend_a_while(4, 2000);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	safe_sleep_ms(300); /* the dump, on the library's thread */
	printf("SIGUSR2 handled %d time(s)\n", (int)usr2_handled);
	write_line(out_a, "out-a: after the dump\n");
	write_line(out_b, "out-b: after the dump\n");

	got = read_whole(data, buf, sizeof(buf));
	printf("data file: read %zu of %d, content %s\n", got, DATA_SIZE,
	       pattern_ok(buf, got, 1) ? "intact" : "changed");

	for (size_t i = 0; i < REQUEST_SIZE; i++)
		buf[i] = pattern(i, 2);
	write_all(pair[1], buf, REQUEST_SIZE);
	CHECK(shutdown(pair[1], SHUT_WR) == 0);
	got = read_whole(pair[0], buf, sizeof(buf));
	printf("socketpair: request read %zu of %d, content %s\n", got, REQUEST_SIZE,
	       pattern_ok(buf, got, 2) ? "intact" : "changed");
	write_line(pair[0], "done");
	got = read_whole(pair[1], buf, sizeof(buf));
	printf("socketpair: reply read %zu of 4\n", got);

	for (int i = 0; i < CONNECTIONS; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct pollfd p = { .fd = lsn, .events = POLLIN };

		CHECK(c >= 0);
		CHECK(connect(c, (struct sockaddr *)&addr, sizeof(addr)) == 0 ||
		      errno == EINPROGRESS);
		if (poll(&p, 1, 1000) == 1) {
			int a = accept(lsn, NULL, NULL);

			if (a >= 0) {
				accepted++;
				close(a);
			}
		}
		close(c);
	}
	printf("listening socket: accepted %d of %d connections\n", accepted, CONNECTIONS);
	fflush(stdout);

	/* Idle, everything still open: what does the process spend? */
	before = cpu_ms();
	safe_sleep_ms(1000);
	printf("cpu while idle for 1 s: %ld ms\n", cpu_ms() - before);

	close(data);
	close(out_a);
	close(out_b);
	close(pair[0]);
	close(pair[1]);
	close(lsn);
	return 0;
}

/* ---- termexit ---- */

static void exit_on_term(int sig)
{
	(void)sig;
	exit(0);
}

static int termexit_main(void)
{
	struct sigaction sa = { .sa_handler = exit_on_term };
	void *slots[64] = { 0 };
	unsigned long x = 12345;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGTERM, &sa, NULL) == 0);
	start_contending_forever(3);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		size_t i, size;

		x = x * 6364136223846793005UL + 1442695040888963407UL;
		i = (x >> 33) % 64;
		size = 16 + (x >> 40) % 65536;
		free(slots[i]);
		slots[i] = malloc(size);
		CHECK(slots[i] != NULL);
		memset(slots[i], (int)i, size < 256 ? size : 256);
	}
}

/* ---- storm ---- */

#define STORM_IN_FLIGHT 4
#define CHILD_BOUND_MS 10000

/* The program's own fork safety for the mutex its children lock. */
static void storm_prepare(void) { pthread_mutex_lock(&contended); }
static void storm_release(void) { pthread_mutex_unlock(&contended); }

static pthread_mutex_t child_own = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void *child_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&child_own);
	pthread_mutex_unlock(&child_own);
	return NULL;
}

__attribute__((noinline)) static void storm_child(int i)
{
	pthread_mutex_lock(&contended);
	pthread_mutex_unlock(&contended);
	if (i % 4 == 0) {
		pthread_t th;

		pthread_mutex_lock(&child_own);
		if (pthread_create(&th, NULL, child_waiter, NULL) != 0)
			exit(98);
		safe_spin_ns(300000); /* the thread queues up */
		pthread_mutex_unlock(&child_own);
		pthread_join(th, NULL);
	}
	exit(0);
}

static int storm_main(long n)
{
	struct { pid_t pid; long long born; } slot[STORM_IN_FLIGHT] = { { 0, 0 } };
	long started = 0, exited0 = 0, signalled = 0, other = 0, hung = 0;
	int first_signal = 0, in_flight = 0;

	PT(pthread_atfork(storm_prepare, storm_release, storm_release));
	start_contending_forever(2);
	fflush(stdout);
	while (started < n || in_flight > 0) {
		for (int s = 0; s < STORM_IN_FLIGHT && started < n; s++) {
			if (slot[s].pid)
				continue;
			pid_t pid = fork();

			CHECK(pid >= 0);
			if (pid == 0)
				storm_child((int)started);
			slot[s].pid = pid;
			slot[s].born = safe_now_ns();
			started++;
			in_flight++;
		}
		for (int s = 0; s < STORM_IN_FLIGHT; s++) {
			int st;
			pid_t r;

			if (!slot[s].pid)
				continue;
			r = waitpid(slot[s].pid, &st, WNOHANG);
			CHECK(r >= 0);
			if (r == 0) {
				if (safe_now_ns() - slot[s].born < CHILD_BOUND_MS * 1000000LL)
					continue;
				kill(slot[s].pid, SIGKILL);
				CHECK(waitpid(slot[s].pid, &st, 0) == slot[s].pid);
				hung++;
			} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
				exited0++;
			} else if (WIFSIGNALED(st)) {
				signalled++;
				if (!first_signal)
					first_signal = WTERMSIG(st);
			} else {
				other++;
			}
			slot[s].pid = 0;
			in_flight--;
		}
		if (in_flight == STORM_IN_FLIGHT)
			usleep(100);
	}
	__atomic_store_n(&stop_contending, 1, __ATOMIC_RELAXED);
	printf("children: %ld forked, %ld exited 0, %ld killed by a signal, "
	       "%ld other status, %ld hung\n", started, exited0, signalled, other, hung);
	if (first_signal)
		printf("first signal: %s\n", strsignal(first_signal));
	return 0;
}

/* ---- pid1 ---- */

/* Whether process `pid` is blocked in read(2) (syscall 0 on x86-64). */
static int in_read(pid_t pid)
{
	char path[64], line[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strncmp(line, "0 ", 2) == 0; /* "running" when not in a call */
}

static int pid1_main(const char *how)
{
	int fd = 0, pipefd[2];
	pid_t child = -1;
	char buf[256];
	int rc = 0;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	if (strcmp(how, "inside") == 0) {
		CHECK(pipe(pipefd) == 0);
		child = fork();
		CHECK(child >= 0);
		if (child == 0) {
			pid_t init = getppid();
			long long end = safe_now_ns() + 5000000000LL;

			close(pipefd[0]);
			while (!in_read(init) && safe_now_ns() < end)
				safe_sleep_ms(5);
			if (kill(init, SIGTERM) != 0)
				_exit(3);
			safe_sleep_ms(200);
			if (write(pipefd[1], "data\n", 5) != 5)
				_exit(4);
			_exit(0);
		}
		close(pipefd[1]);
		fd = pipefd[0];
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			printf("read failed: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0) {
			printf("eof\n");
			break;
		}
		printf("read %zd bytes\n", n);
	}
	if (child > 0) {
		int st;

		CHECK(waitpid(child, &st, 0) == child);
		printf("child: %s %d\n", WIFEXITED(st) ? "exit status" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	return rc;
}

/* ---- fullpipe ---- */

static int fullpipe_main(void)
{
	static char big[1 << 20];
	char line[64];

	contend_a_while(3, 500);
	CHECK(setvbuf(stdout, big, _IOFBF, sizeof(big)) == 0);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = 0;
	for (int i = 0; i < 4096; i++) /* 256 KiB: more than a pipe holds */
		fputs(line, stdout);
	fprintf(stderr, "main returns\n");
	return 0;
}

/* ---- firstfd, nofile ---- */

static int firstfd_main(void)
{
	int fd = open("/dev/null", O_RDONLY);

	printf("first open() returned %d\n", fd);
	contend_a_while(3, 500);
	return 0;
}

static int nofile_main(int self)
{
	int n = 0;

	if (self) {
		struct rlimit rl = { 8, 8 };

		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	contend_a_while(3, 500);
	for (;;) {
		if (open("/dev/null", O_RDONLY) < 0) {
			printf("opened %d files, then: %s\n", n, strerror(errno));
			break;
		}
		n++;
		CHECK(n < 100000);
	}
	fflush(stdout);
	contend_a_while(3, 500);
	return 0; /* with every descriptor in use */
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	/* Every line out at once: a hung run still shows how far it got. */
	if (strcmp(cmd, "fullpipe") != 0)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "fds") == 0 && argc == 4)
		return fds_main(argv[2], argv[3]);
	if (strcmp(cmd, "termexit") == 0)
		return termexit_main();
	if (strcmp(cmd, "storm") == 0 && argc == 3)
		return storm_main(atol(argv[2]));
	if (strcmp(cmd, "pid1") == 0 && argc == 3)
		return pid1_main(argv[2]);
	if (strcmp(cmd, "fullpipe") == 0)
		return fullpipe_main();
	if (strcmp(cmd, "firstfd") == 0)
		return firstfd_main();
	if (strcmp(cmd, "nofile") == 0)
		return nofile_main(argc > 2 && strcmp(argv[2], "self") == 0);
	fprintf(stderr, "usage: hostile fds closefrom|close_range LAYOUT | termexit | "
		"storm N | pid1 inside|outside | fullpipe | firstfd | nofile [self]\n");
	return 2;
}
