/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "stackmemo.h"

/* Hits saved up beyond this are not worth keeping: a thread that had many
 * once pays for new memos with new hits. */
#define CREDIT_MAX LP_MEMO_COST(4 * LP_MEMO_FRAMES)

void lp_stackmemo_init(struct lp_stackmemos *t)
{
	memset(t, 0, sizeof(*t));
	t->credit = LP_MEMO_CREDIT_START;
}

int lp_stackmemo_find(struct lp_stackmemos *t, uintptr_t cfa, int limit, const uintptr_t **pcs)
{
	for (int i = 0; i < LP_MEMOS; i++) {
		struct lp_stackmemo *m = &t->m[i];
		int k = 0;

		if (!m->kept || m->cfa != cfa || m->limit != limit)
			continue;
		/* From the innermost slot out: a slot is read only when every
		 * slot below it, nearer to the running frame, matched. */
		while (k < m->n && *(const volatile uintptr_t *)m->slots[k] == m->pcs[k])
			k++;
		if (k < m->n)
			continue;
		*pcs = m->pcs;
		m->used = ++t->clock;
		if (t->credit < CREDIT_MAX)
			t->credit++;
		return m->n;
	}
	return -1;
}

struct lp_stackmemo *lp_stackmemo_note(struct lp_stackmemos *t, uintptr_t cfa, int limit,
				       const uintptr_t *pcs, int n)
{
	struct lp_stackmemo *m, *victim = &t->m[0];

	if (n <= 0 || n > LP_MEMO_FRAMES)
		return NULL;
	for (int i = 0; i < LP_MEMOS; i++) {
		m = &t->m[i];
		if (m->cfa == cfa && m->limit == limit && m->n == n &&
		    !memcmp(m->pcs, pcs, (size_t)n * sizeof(*pcs))) {
			m->used = ++t->clock;
			/* A kept memo that missed: its slots no longer hold
			 * these return addresses where they did (another
			 * thread's stack reused at the same address is one
			 * way); walk again to find where they are now. */
			if (m->kept) {
				m->kept = 0;
				m->seen = 1;
			}
			if (m->seen < 0)
				return NULL;
			if (m->seen < LP_MEMO_REPEATS)
				m->seen++;
			if (m->seen < LP_MEMO_REPEATS || t->credit < LP_MEMO_COST(n))
				return NULL;
			t->credit -= LP_MEMO_COST(n);
			return m;
		}
		if (m->used < victim->used)
			victim = m;
	}
	/* The least recently used memo makes room. */
	m = victim;
	m->cfa = cfa;
	m->limit = limit;
	m->n = n;
	m->seen = 1;
	m->kept = 0;
	m->used = ++t->clock;
	memcpy(m->pcs, pcs, (size_t)n * sizeof(*pcs));
	return NULL;
}

void lp_stackmemo_keep(struct lp_stackmemo *m, const uintptr_t *const *slots)
{
	if (!slots) {
		m->seen = -1;
		return;
	}
	memcpy(m->slots, slots, (size_t)m->n * sizeof(*slots));
	m->kept = 1;
}
