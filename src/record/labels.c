/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/config.h"
#include "labels.h"
#include "lockid.h"

const char *const lp_wait_bucket_names[LP_WAIT_BUCKETS] = {
	"<10us", "10us-100us", "100us-1ms", "1ms-10ms", "10ms-100ms", "100ms-1s", ">=1s",
};

int lp_wait_bucket(int64_t ns)
{
	int64_t bound = 10000; /* 10us */
	int b = 0;

	while (b < LP_WAIT_BUCKETS - 1 && ns >= bound) {
		bound *= 10;
		b++;
	}
	return b;
}

/*
 * The thread's name, kept per thread: read (a PR_GET_NAME system call, some
 * 0.5 us) at its first labelled sample and again after any thread was
 * renamed, which the renaming calls say after they succeeded (so a name
 * read while a rename is under way is read again). Renames by other means
 * (a write to /proc/PID/task/TID/comm) are not seen.
 */
static unsigned renames = 1;
static __thread struct {
	unsigned renames; /* the count it was read at; 0: never */
	char name[LP_THREAD_NAME_MAX];
} thread_name __attribute__((tls_model("initial-exec")));

void lp_thread_renamed(void)
{
	__atomic_fetch_add(&renames, 1, __ATOMIC_RELEASE);
}

static void read_thread_name(char name[LP_THREAD_NAME_MAX])
{
	unsigned now = __atomic_load_n(&renames, __ATOMIC_ACQUIRE);

	if (thread_name.renames != now) {
		/* The system call, not prctl(): not the program's wrapper. */
		if (syscall(SYS_prctl, PR_GET_NAME, (unsigned long)thread_name.name,
			    0ul, 0ul, 0ul) != 0)
			thread_name.name[0] = 0;
		thread_name.name[LP_THREAD_NAME_MAX - 1] = 0;
		thread_name.renames = now;
	}
	memcpy(name, thread_name.name, LP_THREAD_NAME_MAX);
}

void lp_labels_fill(struct lp_labels *l, int which, const void *obj,
		    uintptr_t site, int64_t waited)
{
	memset(l, 0, sizeof(*l));
	if (which & LP_LABEL_LOCK)
		l->lock = lp_lockid(obj, site);
	if (which & LP_LABEL_THREAD)
		read_thread_name(l->thread);
	if ((which & LP_LABEL_WAIT) && waited >= 0)
		l->wait = (uint32_t)lp_wait_bucket(waited) + 1;
}
