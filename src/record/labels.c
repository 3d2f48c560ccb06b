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

void lp_labels_fill(struct lp_labels *l, int which, const void *obj,
		    uintptr_t site, int64_t waited)
{
	memset(l, 0, sizeof(*l));
	if (which & LP_LABEL_LOCK)
		l->lock = lp_lockid(obj, site);
	/* The system call, not prctl(): one system call per kept sample
	 * (PR_GET_NAME reads the name set by pthread_setname_np or prctl,
	 * from whichever thread), and no wrapper a program may interpose. */
	if ((which & LP_LABEL_THREAD) &&
	    syscall(SYS_prctl, PR_GET_NAME, (unsigned long)l->thread, 0ul, 0ul, 0ul) != 0)
		l->thread[0] = 0;
	l->thread[LP_THREAD_NAME_MAX - 1] = 0;
	if ((which & LP_LABEL_WAIT) && waited >= 0)
		l->wait = (uint32_t)lp_wait_bucket(waited) + 1;
}
