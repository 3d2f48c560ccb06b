/* SPDX-License-Identifier: MIT */
/*
 * A sample's labels (LOCKPROF_LABELS; docs/profiles.md, "Labels"): which
 * lock, which thread, and for a wait how long, as the recorder keeps them
 * in the stack table's key. Filled for kept samples only, outside the
 * program's critical sections.
 */
#ifndef LP_LABELS_H
#define LP_LABELS_H

#include <stdint.h>

#define LP_THREAD_NAME_MAX 16 /* the kernel's TASK_COMM_LEN */

struct lp_labels {
	uint64_t lock;                   /* record/lockid.h; 0: none */
	char thread[LP_THREAD_NAME_MAX]; /* the thread's name; "": none */
	uint32_t wait;                   /* the wait's bucket + 1; 0: none */
	uint32_t zero;                   /* padding, zero: labels compare as bytes */
};

/* The `wait` label's values, shortest first; a wait of `ns` falls in
 * bucket lp_wait_bucket(ns). */
#define LP_WAIT_BUCKETS 7
extern const char *const lp_wait_bucket_names[LP_WAIT_BUCKETS];
int lp_wait_bucket(int64_t ns);

/*
 * Fill `l` with the labels in `which` (LP_LABEL_*): the lock `obj`, first
 * seen at return address `site`; the calling thread's name; the bucket of
 * `waited` ns (none when negative: a release).
 */
void lp_labels_fill(struct lp_labels *l, int which, const void *obj,
		    uintptr_t site, int64_t waited);

/* A thread was renamed (pthread_setname_np, prctl(PR_SET_NAME)), after
 * the fact: every thread reads its name again at its next labelled sample. */
void lp_thread_renamed(void);

#endif /* LP_LABELS_H */
