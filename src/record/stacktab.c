/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/cpu.h"
#include "base/lfht.h"
#include "stacktab.h"

/*
 * A stack's counters, split by CPU (lp_cpu_now), each part on a line of its
 * own: threads on two CPUs that count the same stack (every release of a
 * hot lock from one place, recording everything) do not pass one line back
 * and forth with each count. A snapshot adds the parts up.
 */
#define COUNT_PARTS 4
struct counts {
	uint64_t contentions_fx;
	int64_t delay;
} __attribute__((aligned(64)));

struct lp_stack {
	struct cds_lfht_node node;
	struct counts *counts;   /* COUNT_PARTS of them */
	uint64_t hash;
	uint32_t depth;
	uint32_t flags;
	struct lp_labels labels; /* with LP_STACK_LABELS; else zero */
	uintptr_t pcs[];
};

struct lp_stacktab {
	struct cds_lfht *ht;
	int64_t max_stacks;
	int64_t count;
	struct lp_stack overflow;
};

static struct counts *counts_new(void)
{
	return lp_arena_alloc_aligned(COUNT_PARTS * sizeof(struct counts), 64);
}

struct stack_key {
	const uintptr_t *pcs;
	uint32_t depth, flags;
	const struct lp_labels *labels; /* with LP_STACK_LABELS */
};

static uint64_t mix(uint64_t h, uint64_t word)
{
	h ^= word;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

static uint64_t hash_stack(const struct stack_key *k)
{
	uint64_t h = 0xcbf29ce484222325ull ^ k->flags;
	uint32_t i;

	for (i = 0; i < k->depth; i++)
		h = mix(h, k->pcs[i]);
	if (k->flags & LP_STACK_LABELS) {
		uint64_t words[sizeof(*k->labels) / sizeof(uint64_t)];

		memcpy(words, k->labels, sizeof(words));
		for (i = 0; i < sizeof(words) / sizeof(*words); i++)
			h = mix(h, words[i]);
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

static int match_stack(struct cds_lfht_node *node, const void *key)
{
	const struct lp_stack *e = caa_container_of(node, struct lp_stack, node);
	const struct stack_key *k = key;

	return e->depth == k->depth && e->flags == k->flags &&
	       memcmp(e->pcs, k->pcs, k->depth * sizeof(uintptr_t)) == 0 &&
	       (!(k->flags & LP_STACK_LABELS) ||
		memcmp(&e->labels, k->labels, sizeof(e->labels)) == 0);
}

struct lp_stacktab *lp_stacktab_new(int64_t max_stacks)
{
	struct lp_stacktab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->overflow.counts = counts_new();
	t->ht = t->overflow.counts ? lp_lfht_new(max_stacks) : NULL;
	if (!t->ht) {
		free(t);
		return NULL;
	}
	t->max_stacks = max_stacks;
	t->overflow.flags = LP_STACK_OVERFLOW;
	return t;
}

static void count_into(struct lp_stack *e, uint64_t contentions_fx, int64_t delay)
{
	struct counts *c = &e->counts[lp_cpu_now() & (COUNT_PARTS - 1)];

	if (contentions_fx)
		__atomic_fetch_add(&c->contentions_fx, contentions_fx, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->delay, delay, __ATOMIC_RELAXED);
}

/* A new entry, or NULL when the table is full or memory ran out. */
static struct lp_stack *new_entry(struct lp_stacktab *t, const struct stack_key *k,
				     uint64_t hash)
{
	struct lp_stack *e;

	if (__atomic_fetch_add(&t->count, 1, __ATOMIC_RELAXED) >= t->max_stacks) {
		__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	e = lp_arena_alloc(sizeof(*e) + k->depth * sizeof(uintptr_t));
	if (e)
		e->counts = counts_new();
	if (!e || !e->counts) {
		__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	cds_lfht_node_init(&e->node);
	e->hash = hash;
	e->depth = k->depth;
	e->flags = k->flags;
	e->labels = k->flags & LP_STACK_LABELS ? *k->labels : (struct lp_labels){ 0 };
	memcpy(e->pcs, k->pcs, k->depth * sizeof(uintptr_t));
	return e;
}

/*
 * A per-thread memo of the stacks last counted: a thread that waits at the
 * same places again skips the table. Entries are never removed, so a
 * remembered one is always valid; it only has to be the same stack.
 */
#define MEMO_SLOTS 8
static __thread struct memo {
	struct lp_stacktab *t;
	struct lp_stack *e;
} memo[MEMO_SLOTS] __attribute__((tls_model("initial-exec")));

static struct lp_stack *memo_find(struct lp_stacktab *t, const struct stack_key *k,
				  uint64_t hash)
{
	struct memo *m = &memo[hash & (MEMO_SLOTS - 1)];

	if (m->t == t && m->e->hash == hash && match_stack(&m->e->node, k))
		return m->e;
	return NULL;
}

struct lp_stack *lp_stacktab_add(struct lp_stacktab *t, const uintptr_t *pcs,
				 uint32_t depth, uint32_t flags,
				 const struct lp_labels *labels,
				 uint64_t contentions_fx, int64_t delay)
{
	struct stack_key k = { pcs, depth, flags | (labels ? LP_STACK_LABELS : 0), labels };
	uint64_t hash = hash_stack(&k);
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct lp_stack *e = memo_find(t, &k, hash);

	if (e) {
		count_into(e, contentions_fx, delay);
		return e;
	}
	urcu_bp_read_lock();
	cds_lfht_lookup(t->ht, hash, match_stack, &k, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node) {
		e = caa_container_of(node, struct lp_stack, node);
	} else if ((e = new_entry(t, &k, hash)) != NULL) {
		node = cds_lfht_add_unique(t->ht, hash, match_stack, &k, &e->node);
		if (node != &e->node) {
			/* Another thread added the same stack first; the
			 * arena block stays unused (rare, bounded). */
			__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
			e = caa_container_of(node, struct lp_stack, node);
		}
	} else {
		e = &t->overflow;
	}
	count_into(e, contentions_fx, delay);
	urcu_bp_read_unlock();
	if (e != &t->overflow)
		memo[hash & (MEMO_SLOTS - 1)] = (struct memo){ t, e };
	return e;
}

void lp_stack_add_delay(struct lp_stack *s, int64_t delay)
{
	count_into(s, 0, delay);
}

static int append(struct lp_snapshot *out, size_t *cap, uintptr_t **pcs_buf,
		  size_t *pcs_len, size_t *pcs_cap, const struct lp_stack *e)
{
	struct lp_record *r;
	uint64_t c = 0;
	int64_t d = 0;

	for (int i = 0; i < COUNT_PARTS; i++) {
		c += __atomic_load_n(&e->counts[i].contentions_fx, __ATOMIC_RELAXED);
		d += __atomic_load_n(&e->counts[i].delay, __ATOMIC_RELAXED);
	}

	if (c == 0 && d == 0)
		return 0;
	if (out->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		void *p = realloc(out->records, ncap * sizeof(*out->records));
		if (!p)
			return -1;
		out->records = p;
		*cap = ncap;
	}
	if (*pcs_len + e->depth > *pcs_cap) {
		size_t ncap = *pcs_cap ? *pcs_cap * 2 : 4096;
		void *p;
		while (ncap < *pcs_len + e->depth)
			ncap *= 2;
		p = realloc(*pcs_buf, ncap * sizeof(uintptr_t));
		if (!p)
			return -1;
		*pcs_buf = p;
		*pcs_cap = ncap;
	}
	if (e->depth) /* none when the walker could not run; *pcs_buf may be NULL */
		memcpy(*pcs_buf + *pcs_len, e->pcs, e->depth * sizeof(uintptr_t));
	r = &out->records[out->n++];
	r->contentions_fx = c;
	r->delay_ns = d;
	r->depth = e->depth;
	r->flags = e->flags;
	r->labels = e->labels;
	r->pcs = (const uintptr_t *)(uintptr_t)*pcs_len; /* offset until done */
	*pcs_len += e->depth;
	return 0;
}

int lp_stacktab_snapshot(struct lp_stacktab *t, struct lp_snapshot *out)
{
	struct cds_lfht_iter iter;
	struct lp_stack *e;
	uintptr_t *pcs = NULL;
	size_t cap = 0, pcs_len = 0, pcs_cap = 0, i;
	int rc = 0;

	out->n = 0;
	out->records = NULL;
	urcu_bp_read_lock();
	cds_lfht_for_each_entry(t->ht, &iter, e, node) {
		if ((rc = append(out, &cap, &pcs, &pcs_len, &pcs_cap, e)) != 0)
			break;
	}
	urcu_bp_read_unlock();
	if (rc == 0)
		rc = append(out, &cap, &pcs, &pcs_len, &pcs_cap, &t->overflow);
	if (rc != 0) {
		free(out->records);
		free(pcs);
		out->records = NULL;
		out->n = 0;
		return -1;
	}
	/* Records and pcs live in two blocks; storage owns the pcs one and
	 * records is freed with it (see lp_snapshot_free). */
	for (i = 0; i < out->n; i++)
		out->records[i].pcs = pcs + (uintptr_t)out->records[i].pcs;
	out->storage = pcs;
	return 0;
}

void lp_stacktab_reset(struct lp_stacktab *t)
{
	struct cds_lfht_iter iter;
	struct lp_stack *e;

	urcu_bp_read_lock();
	cds_lfht_for_each_entry(t->ht, &iter, e, node)
		memset(e->counts, 0, COUNT_PARTS * sizeof(struct counts));
	urcu_bp_read_unlock();
	memset(t->overflow.counts, 0, COUNT_PARTS * sizeof(struct counts));
}
