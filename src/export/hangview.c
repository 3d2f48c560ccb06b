/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/clock.h"
#include "format/waiting_text.h"
#include "hangview.h"
#include "lockname.h"
#include "pprof_encode.h"
#include "record/lockid.h"
#include "record/waiting.h"

/* What a waiter's lines and labels say, beside its wait. */
struct names {
	char thread[64], owner[64];
	char lock[512];          /* its address until named (name_locks) */
	char tid[32], owner_label[96];
	uint64_t lock_id;        /* record/lockid.h; 0: the address stays */
};

struct lp_hang_view {
	struct lp_wait_now *waits; /* longest first */
	struct lp_waiter *info;    /* the same order */
	struct names *names;
	size_t n;
	int64_t time_nanos;
	int locks_named;
};

static int earliest_first(const void *a, const void *b)
{
	const struct lp_wait_now *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* /proc/self/task/TID/comm, without its newline; "" when gone. */
static void thread_name(long tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* An int of the program's memory. The lock may be freed as its wait ends:
 * read through the kernel, which fails where a load would crash; where a
 * sandbox forbids that, read directly while the wait is still on. */
static int read_int(uintptr_t addr, const struct lp_wait_now *w, int *out)
{
	struct iovec local = { out, sizeof(*out) };
	struct iovec remote = { (void *)addr, sizeof(*out) };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (n == (ssize_t)sizeof(*out))
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM) && lp_waiting_still(w)) {
		*out = __atomic_load_n((const int *)addr, __ATOMIC_RELAXED);
		return 0;
	}
	return -1;
}

/* The thread holding the lock that `w` waits for, 0 when none is known:
 * a mutex's owner, a write-locked rwlock's writer. Condition variables
 * and semaphores have no owner. */
static long owner_of(const struct lp_wait_now *w)
{
	size_t off;
	int tid;

	switch (w->prim) {
	case LP_PRIM_MUTEX_LOCK:
	case LP_PRIM_MUTEX_TIMEDLOCK:
	case LP_PRIM_MUTEX_CLOCKLOCK:
		off = offsetof(pthread_mutex_t, __data.__owner);
		break;
	case LP_PRIM_RWLOCK_RDLOCK:
	case LP_PRIM_RWLOCK_TIMEDRDLOCK:
	case LP_PRIM_RWLOCK_CLOCKRDLOCK:
	case LP_PRIM_RWLOCK_WRLOCK:
	case LP_PRIM_RWLOCK_TIMEDWRLOCK:
	case LP_PRIM_RWLOCK_CLOCKWRLOCK:
		off = offsetof(pthread_rwlock_t, __data.__cur_writer);
		break;
	default:
		return 0;
	}
	if (read_int(w->obj + off, w, &tid) != 0)
		return 0;
	/* glibc's marks of a robust mutex whose owner died (and of one that
	 * cannot be recovered) are no thread. */
	return tid > 0 && tid < 0x7ffffffe ? tid : 0;
}

struct lp_hang_view *lp_hang_view_take(void)
{
	struct lp_hang_view *v = calloc(1, sizeof(*v));
	int64_t now;

	if (!v || lp_waiting_snapshot(&v->waits, &v->n) != 0)
		goto fail;
	now = lp_now();
	v->time_nanos = lp_wall_now();
	if (v->n > 1)
		qsort(v->waits, v->n, sizeof(*v->waits), earliest_first);
	v->info = calloc(v->n + 1, sizeof(*v->info));
	v->names = calloc(v->n + 1, sizeof(*v->names));
	if (!v->info || !v->names)
		goto fail;
	for (size_t i = 0; i < v->n; i++) {
		const struct lp_wait_now *w = &v->waits[i];
		struct lp_waiter *in = &v->info[i];
		struct names *nm = &v->names[i];
		const char *prim = lp_primitive_name(w->prim);

		in->tid = w->tid;
		in->owner = owner_of(w);
		in->waited_ns = now > w->start ? now - w->start : 0;
		in->primitive = prim ? prim : "";
		thread_name(in->tid, nm->thread, sizeof(nm->thread));
		if (in->owner)
			thread_name(in->owner, nm->owner, sizeof(nm->owner));
		/* Named as the lock label names it, from the program's first
		 * frame (after the primitive's): a lock not yet seen is
		 * remembered as first seen there. A wait without a stack keeps
		 * the address rather than have the lock remembered nowhere. */
		if (w->npcs > 1)
			nm->lock_id = lp_lockid((const void *)w->obj, w->pcs[1]);
		snprintf(nm->lock, sizeof(nm->lock), "0x%lx", (unsigned long)w->obj);
		in->thread = nm->thread;
		in->owner_name = nm->owner;
		in->lock = nm->lock;
		snprintf(nm->tid, sizeof(nm->tid), "%ld", in->tid);
		if (in->owner)
			snprintf(nm->owner_label, sizeof(nm->owner_label), "%ld %s",
				 in->owner, in->owner_name);
	}
	return v;
fail:
	lp_hang_view_free(v);
	return NULL;
}

void lp_hang_view_free(struct lp_hang_view *v)
{
	if (!v)
		return;
	free(v->waits);
	free(v->info);
	free(v->names);
	free(v);
}

int64_t lp_hang_longest_lock_wait(void)
{
	int64_t oldest, now = lp_now();
	size_t n;

	lp_waiting_summary(&n, &oldest);
	return oldest < now ? now - oldest : 0;
}

int lp_hang_view_still(const struct lp_hang_view *v, int64_t ns)
{
	for (size_t i = 0; i < v->n; i++)
		if (lp_primitive_is_lock(v->waits[i].prim) && v->info[i].waited_ns >= ns &&
		    lp_waiting_still(&v->waits[i]))
			return 1;
	return 0;
}

void lp_hang_view_summary(const struct lp_hang_view *v, char *buf, size_t len)
{
	size_t at, first = 0;

	buf[0] = '\0';
	if (!v->n)
		return;
	while (first < v->n && !lp_primitive_is_lock(v->waits[first].prim))
		first++;
	lp_waiter_line(&v->info[first < v->n ? first : 0], buf, len);
	at = strlen(buf);
	if (v->n > 1 && at + 1 < len)
		at += (size_t)snprintf(buf + at, len - at, " (and %zu more)", v->n - 1) ;
	if (at + 2 < len) {
		char *cycles = malloc(len);

		if (cycles && lp_waiters_cycles(v->info, v->n, cycles, len)) {
			for (char *nl = cycles; (nl = strchr(nl, '\n'));)
				*nl = ';';
			snprintf(buf + at, len - at, "; %s", cycles);
		}
		free(cycles);
	}
}

/* ---- encoding ---- */

struct text_arg {
	const struct lp_hang_view *v;
	struct lp_pprof_stacks *s;
};

/* The program's frames of waiter i: its leaf, the primitive, is named on
 * the line above. */
static void text_stack(FILE *f, size_t i, void *arg)
{
	struct text_arg *t = arg;
	const struct lp_wait_now *w = &t->v->waits[i];

	for (int k = 0; k < w->npcs; k++)
		if (lp_pc_primitive(w->pcs[k]) < 0)
			lp_pprof_stacks_frame(t->s, w->pcs[k], f);
	if (w->truncated)
		fprintf(f, "#\t%s\n", LP_FRAME_TRUNCATED);
}

static int encode_text(const struct lp_hang_view *v, struct lp_pprof_stacks *s,
		       uint8_t **buf, size_t *len)
{
	struct text_arg t = { v, s };
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	int rc;

	if (!f)
		return -1;
	rc = lp_waiters_text(f, v->info, v->n, text_stack, &t);
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0) {
		free(out);
		return -1;
	}
	*buf = (uint8_t *)out;
	return 0;
}

typedef Perftools__Profiles__Label PbLabel;

static int64_t str(struct lp_pprof_writer *w, const char *s, int *failed)
{
	int64_t i = lp_pprof_writer_string(w, s);

	if (i < 0)
		*failed = 1;
	return i;
}

/* One sample per waiting thread: the primitive, then its stack. */
static int pb_sample(const struct lp_hang_view *v, size_t i, struct lp_pprof_stacks *s)
{
	static const char *const keys[5] = { "thread", "tid", "primitive", "lock", "owner" };
	struct lp_pprof_writer *w = lp_pprof_stacks_writer(s);
	const struct lp_wait_now *wn = &v->waits[i];
	const struct lp_waiter *in = &v->info[i];
	const char *vals[5] = { in->thread, v->names[i].tid, in->primitive, in->lock,
				v->names[i].owner_label };
	Perftools__Profiles__Sample sm = PERFTOOLS__PROFILES__SAMPLE__INIT;
	PbLabel label[5], *labelp[5];
	uint64_t ids[LP_MAX_STACK_DEPTH + LP_STACK_SLACK + 2];
	int64_t value[2] = { 1, in->waited_ns };
	size_t n = 0, nl = 0;
	int failed = 0;

	/* The stack begins with the primitive (lp_stack_capture); a wait
	 * without one is the primitive alone. */
	if (wn->npcs == 0)
		ids[n++] = lp_pprof_stacks_frame(s, lp_primitive_pc(wn->prim), NULL);
	for (int k = 0; k < wn->npcs; k++)
		ids[n++] = lp_pprof_stacks_frame(s, wn->pcs[k], NULL);
	if (wn->truncated)
		ids[n++] = lp_pprof_stacks_truncated(s);
	for (size_t k = 0; k < n; k++)
		if (!ids[k])
			return -1;
	for (size_t k = 0; k < 5; k++) {
		if (!vals[k][0])
			continue;
		perftools__profiles__label__init(&label[nl]);
		label[nl].key = str(w, keys[k], &failed);
		label[nl].str = str(w, vals[k], &failed);
		labelp[nl] = &label[nl];
		nl++;
	}
	if (failed)
		return -1;
	sm.location_id = ids;
	sm.n_location_id = n;
	sm.value = value;
	sm.n_value = 2;
	sm.label = labelp;
	sm.n_label = nl;
	return lp_pprof_writer_sample(w, &sm);
}

static int encode_pb(const struct lp_hang_view *v, struct lp_pprof_stacks *s,
		     uint8_t **buf, size_t *len)
{
	lp_profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType vt[3], *vtp[2];
	struct lp_pprof_writer *w = lp_pprof_stacks_writer(s);
	char comment[96];
	int64_t comment_ix[1];
	int failed = 0;

	for (int k = 0; k < 3; k++)
		perftools__profiles__value_type__init(&vt[k]);
	vt[0].type = vt[2].type = str(w, "waiting", &failed);
	vt[0].unit = vt[2].unit = str(w, "count", &failed);
	vt[1].type = str(w, "waited", &failed);
	vt[1].unit = str(w, "nanoseconds", &failed);
	for (size_t i = 0; i < v->n && !failed; i++)
		failed = pb_sample(v, i, s) != 0;
	lp_pprof_comment("waiting", comment, sizeof(comment));
	comment_ix[0] = str(w, comment, &failed);
	if (failed)
		return -1;
	vtp[0] = &vt[0];
	vtp[1] = &vt[1];
	p.sample_type = vtp;
	p.n_sample_type = 2;
	p.period_type = &vt[2];
	p.period = 1;
	p.time_nanos = v->time_nanos;
	p.comment = comment_ix;
	p.n_comment = 1;
	return lp_pprof_stacks_pack(s, &p, buf, len);
}

/* The locks' names, as the profiles' lock label has them (export/
 * lockname.h), once the symbolizer is there. */
static void name_locks(struct lp_hang_view *v, struct lp_symbolizer *sym)
{
	if (v->locks_named)
		return;
	for (size_t i = 0; i < v->n; i++)
		if (v->names[i].lock_id)
			lp_lock_name(sym, v->names[i].lock_id, v->names[i].lock,
				     sizeof(v->names[i].lock));
	v->locks_named = 1;
}

int lp_hang_view_encode(struct lp_hang_view *v, struct lp_symbolizer *sym,
			int text, uint8_t **buf, size_t *len)
{
	struct lp_pprof_stacks *s = lp_pprof_stacks_new(sym);
	int rc;

	if (!s)
		return -1;
	name_locks(v, sym);
	rc = text ? encode_text(v, s, buf, len) : encode_pb(v, s, buf, len);
	lp_pprof_stacks_free(s);
	return rc;
}
