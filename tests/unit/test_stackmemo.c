/* SPDX-License-Identifier: MIT */
/* The stack memo's table (src/record/stackmemo.c) on a pretend stack: an
 * array whose words play the return-address slots. */
#include <string.h>

#include "record/stackmemo.h"
#include "unit.h"

static uintptr_t stack[128];

/* Note a walk of pcs[0..n) from `cfa` until the memo asks for its slots,
 * then give it slots stack[at..at+n). Returns the notes it took. */
static int learn(struct lp_stackmemos *t, uintptr_t cfa, const uintptr_t *pcs, int n, int at)
{
	const uintptr_t *slots[LP_MEMO_FRAMES];
	struct lp_stackmemo *m = NULL;
	int notes = 0;

	for (int i = 0; i < n; i++) {
		stack[at + i] = pcs[i];
		slots[i] = &stack[at + i];
	}
	while (!m && notes < 100) {
		m = lp_stackmemo_note(t, cfa, 64, pcs, n);
		notes++;
	}
	if (m)
		lp_stackmemo_keep(m, slots);
	return notes;
}

int main(void)
{
	static struct lp_stackmemos t;
	uintptr_t a[5] = { 0x1001, 0x2002, 0x3003, 0x4004, 0x5005 };
	uintptr_t b[5] = { 0x1001, 0x2002, 0x3003, 0x4bbb, 0x5005 };
	const uintptr_t *got;
	uintptr_t cfa = 0x7000;

	lp_stackmemo_init(&t);
	EXPECT(lp_stackmemo_find(&t, cfa, 64, &got) == -1);

	/* A stack gets its memo after LP_MEMO_REPEATS identical walks. */
	EXPECT(learn(&t, cfa, a, 5, 0) == LP_MEMO_REPEATS);
	EXPECT(lp_stackmemo_find(&t, cfa, 64, &got) == 5);
	EXPECT(!memcmp(got, a, sizeof(a)));
	/* Another place, another depth asked: no answer. */
	EXPECT(lp_stackmemo_find(&t, cfa + 16, 64, &got) == -1);
	EXPECT(lp_stackmemo_find(&t, cfa, 32, &got) == -1);

	/* One slot far from the leaf changed (another chain at the same
	 * place): the memo does not answer... */
	stack[3] = b[3];
	EXPECT(lp_stackmemo_find(&t, cfa, 64, &got) == -1);
	/* ...until that chain has a memo of its own, beside the first. */
	EXPECT(learn(&t, cfa, b, 5, 0) == LP_MEMO_REPEATS);
	EXPECT(lp_stackmemo_find(&t, cfa, 64, &got) == 5 && got[3] == b[3]);
	stack[3] = a[3];
	EXPECT(lp_stackmemo_find(&t, cfa, 64, &got) == 5 && got[3] == a[3]);

	/* A stack whose slots cannot be found is not asked for again. */
	{
		uintptr_t c[2] = { 0x9009, 0xa00a };
		struct lp_stackmemo *m = NULL;
		int asked = 0;

		for (int i = 0; i < 3 * LP_MEMO_REPEATS; i++) {
			m = lp_stackmemo_note(&t, cfa + 64, 64, c, 2);
			if (m) {
				asked++;
				lp_stackmemo_keep(m, NULL);
			}
		}
		EXPECT(asked == 1);
		EXPECT(lp_stackmemo_find(&t, cfa + 64, 64, &got) == -1);
	}

	/* Memos cost credit: a thread without hits stops making them; hits
	 * pay for the next one. */
	{
		static struct lp_stackmemos poor;
		uintptr_t d[LP_MEMO_FRAMES];
		int made = 0, notes = 0;

		lp_stackmemo_init(&poor);
		/* A short stack elsewhere, found between the others: it stays. */
		made += learn(&poor, cfa + 256, a, 5, 100) == LP_MEMO_REPEATS;
		for (int s = 0; s < 100; s++) {
			for (int i = 0; i < LP_MEMO_FRAMES; i++)
				d[i] = 0x10000 + (uintptr_t)s * 0x100 + (uintptr_t)i;
			notes = learn(&poor, cfa, d, LP_MEMO_FRAMES, 0);
			made += notes == LP_MEMO_REPEATS;
			EXPECT(lp_stackmemo_find(&poor, cfa + 256, 64, &got) == 5);
		}
		EXPECT(notes == 100);
		/* What the starting credit and the 100 hits pay for. */
		EXPECT(made >= 2 && made <= 1 + (LP_MEMO_CREDIT_START + 100) /
						    LP_MEMO_COST(LP_MEMO_FRAMES));
		for (int i = 0; i < LP_MEMO_COST(LP_MEMO_FRAMES); i++)
			lp_stackmemo_find(&poor, cfa + 256, 64, &got);
		EXPECT(learn(&poor, cfa, d, LP_MEMO_FRAMES, 0) == 1);
		EXPECT(lp_stackmemo_find(&poor, cfa, 64, &got) == LP_MEMO_FRAMES);
	}

	/* Longer stacks than a memo holds are always walked. */
	EXPECT(lp_stackmemo_note(&t, cfa, 64, a, LP_MEMO_FRAMES + 1) == NULL);
	return unit_summary();
}
