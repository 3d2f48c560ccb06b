/* SPDX-License-Identifier: MIT */
/*
 * Programs that are hard on the live endpoint (tests/live/test_daemon.py,
 * test_socket_path.py). Each prints what it saw on stdout, one result a
 * line, so that a run under the library can be compared with a native run.
 *
 *	work       two threads contend a mutex 2,000 rounds each; prints
 *	           "counter 4000", exits 7
 *	closefrom  as a daemon starts: "ready PID", waits for "go" on stdin,
 *	           closes every descriptor above 2, opens a listening TCP
 *	           socket and a socketpair, and puts copies of them on the
 *	           numbers that were open before ("port P"); sends 3,000 bytes
 *	           into the pair, sleeps a second ("idle_cpu_us N": its CPU
 *	           time meanwhile), then accepts 10 connections and reads each
 *	           whole ("accepted N bytes B"), reads the pair ("pair N back
 *	           M": M bytes came back the other way); exits 0 on "quit"
 *	closefrom no-room  the same without the copies, and with no
 *	           descriptor to spare (RLIMIT_NOFILE) from the close until
 *	           2 s later: the endpoint cannot listen again
 *	forkstorm N  two threads contend a mutex while main forks N children,
 *	           4 at a time, after "go" on stdin; each child contends a
 *	           mutex of its own once and ends by exit(0) or _exit(0);
 *	           one that hangs is killed after 10 s (said on stderr) and
 *	           the storm stops
 *	           ("children N exit0 K"); exits 0 on "quit"
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNS 10
#define CONN_BYTES 10000
#define PAIR_BYTES 3000

static void sleep_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&t, &t) != 0)
		;
}

static void wait_line(const char *want)
{
	char line[64];

	while (fgets(line, sizeof(line), stdin))
		if (strncmp(line, want, strlen(want)) == 0)
			return;
	exit(2);
}

/* ---- work ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *rounds(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static int work(void)
{
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, rounds, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("counter %ld\n", counter);
	return 7;
}

/* ---- closefrom ---- */

/* The numbers above 2 open now (the library's, under it). */
static int open_fds(int *out, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			out[n++] = fd;
	}
	closedir(d);
	return n;
}

static void close_from_3(void)
{
	struct rlimit rl;

	if (syscall(SYS_close_range, 3U, ~0U, 0) == 0)
		return;
	getrlimit(RLIMIT_NOFILE, &rl); /* kernels before 5.9 */
	for (rlim_t fd = 3; fd < rl.rlim_cur && fd < 65536; fd++)
		close((int)fd);
}

static long cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* One connection, read to its end. Bytes read, or -1. */
static long read_conn(int c)
{
	struct timeval tv = { 10, 0 };
	char buf[4096], reply[32];
	long total = 0;
	ssize_t r;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((r = read(c, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != (char)('a' + (total + i) % 26))
				return -1;
		total += r;
	}
	if (r < 0)
		return -1;
	snprintf(reply, sizeof(reply), "ok %ld\n", total);
	if (write(c, reply, strlen(reply)) < 0)
		return -1;
	return total;
}

/* What is readable on `fd` within `ms`, up to `want` bytes. */
static long drain(int fd, long want, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	long got = 0;

	while (got < want && poll(&p, 1, ms) == 1) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

static int closefrom_daemon(int no_room)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int old[64], n, lfd, sp[2], one = 1, accepted = 0;
	long bytes = 0, idle, pair, back;
	char data[PAIR_BYTES];
	struct rlimit saved, none;

	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	wait_line("go");
	n = open_fds(old, 64);
	/* no-room: from the close on, no descriptor to spare (three for the
	 * program's sockets) until the endpoint has found its socket gone,
	 * which takes it a second at most (its poll's longest wait). */
	getrlimit(RLIMIT_NOFILE, &saved);
	none = saved;
	none.rlim_cur = 6;
	if (no_room && setrlimit(RLIMIT_NOFILE, &none) != 0)
		return 3;
	close_from_3();
	lfd = socket(AF_INET, SOCK_STREAM, 0); /* blocking, as most daemons' */
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 16) != 0 || getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
		return 3;
	/* The numbers the library held are now the program's too. */
	for (int i = 0; i < n && !no_room; i++)
		if (old[i] != lfd && old[i] != sp[0] && old[i] != sp[1])
			dup2(i % 2 ? sp[1] : lfd, old[i]);
	memset(data, 'p', sizeof(data));
	if (write(sp[0], data, sizeof(data)) != (ssize_t)sizeof(data))
		return 3;
	printf("port %d\n", ntohs(sa.sin_port));
	fflush(stdout);
	idle = cpu_us();
	sleep_us(no_room ? 2000000 : 1000000);
	printf("idle_cpu_us %ld\n", cpu_us() - idle);
	if (no_room && setrlimit(RLIMIT_NOFILE, &saved) != 0)
		return 3;
	alarm(20); /* a blocking accept that never returns fails the test */
	while (accepted < CONNS) {
		int c = accept(lfd, NULL, NULL);
		long r;

		if (c < 0)
			break;
		r = read_conn(c);
		close(c);
		if (r < 0)
			break;
		bytes += r;
		accepted++;
	}
	alarm(0);
	printf("accepted %d bytes %ld\n", accepted, bytes);
	pair = drain(sp[1], PAIR_BYTES, 1000);
	back = drain(sp[0], 1 << 20, 0);
	printf("pair %ld back %ld\n", pair, back);
	fflush(stdout);
	wait_line("quit");
	return 0;
}

/* ---- forkstorm ---- */

static int stop;

static void *hammer(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&lock);
		sleep_us(20);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;

static void *child_holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&child_lock);
	sleep_us(300);
	pthread_mutex_unlock(&child_lock);
	return NULL;
}

static void child(int i)
{
	pthread_t t;

	pthread_mutex_init(&child_lock, NULL);
	if (pthread_create(&t, NULL, child_holder, NULL) != 0)
		_exit(4);
	sleep_us(100);
	pthread_mutex_lock(&child_lock); /* contended: the holder has it */
	pthread_mutex_unlock(&child_lock);
	pthread_join(t, NULL);
	if (i % 2)
		exit(0);
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A child still there after CHILD_MAX_MS hangs: it is killed, counted as
 * failed, and no more are forked, so that a hang fails the run at once. */
#define STORM_AT_ONCE 4
#define CHILD_MAX_MS 10000

static int forkstorm(int n)
{
	pthread_t t[2];
	pid_t pids[STORM_AT_ONCE] = { 0 };
	long long started[STORM_AT_ONCE];
	int live = 0, ok = 0, done = 0, forked = 0, hung = 0;

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	wait_line("go");
	while ((forked < n && !hung) || live > 0) {
		int st, k;
		pid_t pid;

		for (k = 0; forked < n && !hung && k < STORM_AT_ONCE; k++) {
			if (pids[k])
				continue;
			pid = fork();
			if (pid == 0)
				child(forked);
			forked++;
			if (pid < 0)
				continue;
			pids[k] = pid;
			started[k] = now_ms();
			live++;
		}
		pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0)
			break;
		if (pid == 0) {
			for (k = 0; k < STORM_AT_ONCE; k++)
				if (pids[k] && now_ms() - started[k] > CHILD_MAX_MS) {
					fprintf(stderr, "child %d hangs: killed\n", pids[k]);
					kill(pids[k], SIGKILL);
					started[k] = now_ms(); /* once */
					hung = 1;
				}
			sleep_us(200);
			continue;
		}
		for (k = 0; k < STORM_AT_ONCE; k++)
			if (pids[k] == pid)
				pids[k] = 0;
		live--;
		done++;
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("children %d exit0 %d\n", done, ok);
	wait_line("quit");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "work") == 0)
		return work();
	if (argc >= 2 && strcmp(argv[1], "closefrom") == 0)
		return closefrom_daemon(argc == 3 && strcmp(argv[2], "no-room") == 0);
	if (argc == 3 && strcmp(argv[1], "forkstorm") == 0)
		return forkstorm(atoi(argv[2]));
	fprintf(stderr, "usage: hostile work|closefrom [no-room]|forkstorm N\n");
	return 2;
}
