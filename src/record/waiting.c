/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/arena.h"
#include "waiting.h"

struct slot {
	uint32_t seq;      /* odd while its thread writes it */
	uint32_t gen;      /* moves on with every wait */
	int waiting;
	int taken;         /* a live thread has it */
	int tid;
	int npcs, truncated;
	uint32_t prim;
	uintptr_t obj;
	int64_t start;
	struct slot *next; /* the list: never unlinked */
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
};

static struct slot *slots;
static __thread struct slot *mine __attribute__((tls_model("initial-exec")));
static pthread_key_t key;
static int key_made;

/* The thread exits: its slot is free for the next one. */
static void give_back(void *p)
{
	struct slot *s = p;

	__atomic_store_n(&s->waiting, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->taken, 0, __ATOMIC_RELEASE);
	mine = NULL;
}

int lp_waiting_init(void)
{
	if (pthread_key_create(&key, give_back) != 0)
		return -1;
	key_made = 1;
	return 0;
}

/* A free slot, or a new one (from the arena: no malloc on a lock path). */
static struct slot *claim(void)
{
	struct slot *s, *head;

	for (s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE); s; s = s->next) {
		int free_ = 0;

		if (!__atomic_load_n(&s->taken, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(&s->taken, &free_, 1, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
	}
	if (!s) {
		s = lp_arena_alloc_aligned(sizeof(*s), 64);
		if (!s)
			return NULL;
		s->taken = 1;
		head = __atomic_load_n(&slots, __ATOMIC_RELAXED);
		do
			s->next = head;
		while (!__atomic_compare_exchange_n(&slots, &head, s, 1,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	}
	__atomic_store_n(&s->tid, (int)syscall(SYS_gettid), __ATOMIC_RELAXED);
	/* Without the key (its creation failed), the slot stays taken when
	 * the thread exits: one slot lost per thread. */
	if (key_made)
		pthread_setspecific(key, s);
	mine = s;
	return s;
}

static void write_open(struct slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void write_close(struct slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

static void write_stack(struct slot *s, const uintptr_t *pcs, int npcs, int truncated)
{
	for (int i = 0; i < npcs; i++)
		__atomic_store_n(&s->pcs[i], pcs[i], __ATOMIC_RELAXED);
	__atomic_store_n(&s->npcs, npcs, __ATOMIC_RELAXED);
	__atomic_store_n(&s->truncated, truncated, __ATOMIC_RELAXED);
}

void lp_waiting_begin(const void *obj, enum lp_primitive prim, int64_t start,
		      const uintptr_t *pcs, int npcs, int truncated)
{
	struct slot *s = mine ? mine : claim();

	if (!s)
		return;
	write_open(s);
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->obj, (uintptr_t)obj, __ATOMIC_RELAXED);
	__atomic_store_n(&s->prim, (uint32_t)prim, __ATOMIC_RELAXED);
	__atomic_store_n(&s->start, start, __ATOMIC_RELAXED);
	write_stack(s, pcs, npcs > 0 ? npcs : 0, truncated);
	__atomic_store_n(&s->waiting, 1, __ATOMIC_RELAXED);
	write_close(s);
}

void lp_waiting_stack(const uintptr_t *pcs, int npcs, int truncated)
{
	struct slot *s = mine;

	if (!s)
		return;
	write_open(s);
	write_stack(s, pcs, npcs, truncated);
	write_close(s);
}

void lp_waiting_end(void)
{
	if (mine)
		__atomic_store_n(&mine->waiting, 0, __ATOMIC_RELEASE);
}

/* Read slot `s` into `w` (its stack too when `stack`): 1 when it holds a
 * wait, 0 when it does not, -1 when its thread was writing it (try
 * again). */
static int read_slot(const struct slot *s, struct lp_wait_now *w, int stack)
{
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);

	if (seq & 1)
		return -1;
	if (!__atomic_load_n(&s->waiting, __ATOMIC_RELAXED))
		return 0;
	w->slot = s;
	w->gen = __atomic_load_n(&s->gen, __ATOMIC_RELAXED);
	w->tid = __atomic_load_n(&s->tid, __ATOMIC_RELAXED);
	w->prim = (enum lp_primitive)__atomic_load_n(&s->prim, __ATOMIC_RELAXED);
	w->obj = __atomic_load_n(&s->obj, __ATOMIC_RELAXED);
	w->start = __atomic_load_n(&s->start, __ATOMIC_RELAXED);
	w->npcs = __atomic_load_n(&s->npcs, __ATOMIC_RELAXED);
	w->truncated = __atomic_load_n(&s->truncated, __ATOMIC_RELAXED);
	if (!stack || w->npcs < 0 || w->npcs > LP_MAX_STACK_DEPTH + LP_STACK_SLACK)
		w->npcs = 0;
	for (int i = 0; i < w->npcs; i++)
		w->pcs[i] = __atomic_load_n(&s->pcs[i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq ? 1 : -1;
}

/* A slot being written is read again this many times, then left out (its
 * thread is between waits, or was preempted inside its few stores). */
#define READ_TRIES 100

int lp_waiting_snapshot(struct lp_wait_now **out, size_t *n)
{
	struct lp_wait_now *v = NULL, *grown;
	size_t cap = 0;
	const struct slot *s;

	*n = 0;
	for (s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE); s; s = s->next) {
		int rc = -1;

		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				*out = NULL;
				*n = 0;
				return -1;
			}
			v = grown;
		}
		for (int t = 0; t < READ_TRIES && rc < 0; t++)
			rc = read_slot(s, &v[*n], 1);
		if (rc > 0)
			(*n)++;
	}
	if (*n == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return 0;
}

void lp_waiting_summary(size_t *n, int64_t *oldest_lock)
{
	struct lp_wait_now w;

	*n = 0;
	*oldest_lock = INT64_MAX;
	for (const struct slot *s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE); s; s = s->next) {
		int rc = -1;

		for (int t = 0; t < READ_TRIES && rc < 0; t++)
			rc = read_slot(s, &w, 0);
		if (rc <= 0)
			continue;
		(*n)++;
		if (lp_primitive_is_lock(w.prim) && w.start < *oldest_lock)
			*oldest_lock = w.start;
	}
}

int lp_waiting_still(const struct lp_wait_now *w)
{
	const struct slot *s = w->slot;

	return __atomic_load_n(&s->waiting, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&s->gen, __ATOMIC_RELAXED) == w->gen;
}

void lp_waiting_after_fork_child(void)
{
	for (struct slot *s = slots; s; s = s->next) {
		s->waiting = 0;
		if (s != mine)
			s->taken = 0;
	}
	if (mine)
		mine->tid = (int)syscall(SYS_gettid);
}
