/* SPDX-License-Identifier: MIT */
/*
 * A daemon's start: descriptors 0, 1 and 2 closed, 0 and 1 reopened on
 * /dev/null, and the program's data file data.db takes descriptor 2. A
 * library that writes its messages to descriptor 2 from then on writes
 * them into the data (test_stderr.py).
 *
 * datafd STOPFILE [_exit]: writes "DATA" into data.db, then contends on a
 * mutex (one sure wait per round) every 10 ms until STOPFILE exists (at
 * most 60 s), and leaves by exit(), or by _exit() (no exit dump).
 */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "onewait.h"
#include "safe.h"

int main(int argc, char **argv)
{
	long long end = safe_now_ns() + 60 * 1000000000LL;

	if (argc < 2)
		return 2;
	close(0);
	close(1);
	close(2);
	if (open("/dev/null", O_RDONLY) != 0 || open("/dev/null", O_WRONLY) != 1 ||
	    open("data.db", O_WRONLY | O_CREAT | O_TRUNC, 0644) != 2)
		return 97;
	if (write(2, "DATA", 4) != 4)
		return 96;
	do {
		one_wait();
		safe_sleep_ms(10);
	} while (access(argv[1], F_OK) != 0 && safe_now_ns() < end);
	if (access(argv[1], F_OK) != 0)
		return 98;
	if (argc > 2 && strcmp(argv[2], "_exit") == 0)
		_exit(0);
	return 0;
}
