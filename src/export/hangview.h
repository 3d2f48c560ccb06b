/* SPDX-License-Identifier: MIT */
/*
 * The hang view (docs/live.md): the waits in progress read from the
 * recorder (src/record/waiting.h), each with its thread's name, its lock,
 * and that lock's owner where the primitive has one (glibc keeps a
 * mutex's owner in __data.__owner, a write-locked rwlock's writer in
 * __data.__cur_writer); written as a profile (gzip pprof, sample types
 * [waiting/count, waited/nanoseconds], the primitive as leaf frame, labels
 * thread, tid, primitive, lock and owner) or as text (src/format/
 * waiting_text.h). At render time only: it reads /proc and allocates.
 */
#ifndef LP_HANGVIEW_H
#define LP_HANGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "symbolize.h"

struct lp_hang_view;

/* The waits in progress now, longest first. NULL when out of memory. */
struct lp_hang_view *lp_hang_view_take(void);
void lp_hang_view_free(struct lp_hang_view *v);

/* The longest lock wait (mutex, rwlock) in progress now (ns), 0 when
 * none: without taking a view. */
int64_t lp_hang_longest_lock_wait(void);

/* Has any lock wait that had lasted at least `ns` when the view was taken
 * still not ended? */
int lp_hang_view_still(const struct lp_hang_view *v, int64_t ns);

/* One line: the longest lock wait (else the longest wait) and the
 * deadlock cycles, if any; its locks named once the view was encoded. */
void lp_hang_view_summary(const struct lp_hang_view *v, char *buf, size_t len);

/* Encode: gzip pprof, or with `text` the text view, into a malloc'd buffer.
 * `sym` refreshed after the view was taken. The first encoding names the
 * view's locks (until then, their addresses). 0, or -1 (out of memory). */
int lp_hang_view_encode(struct lp_hang_view *v, struct lp_symbolizer *sym,
			int text, uint8_t **buf, size_t *len);

#endif /* LP_HANGVIEW_H */
