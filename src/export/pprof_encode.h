/* SPDX-License-Identifier: MIT */
/*
 * Writing a snapshot as a profile: gzip-compressed pprof protobuf, exactly
 * as Go writes block and mutex profiles (docs/profiles.md), and Go's
 * legacy text form (debug=1). Locations carry return address minus 1, one
 * per distinct address, so the same stack keeps the same addresses across
 * snapshots of one process. Records are written heaviest (delay) first, as
 * Go sorts them; records with zero contentions and zero delay are left out.
 *
 * Every executable mapping is written (as Go does), so that mapping ids and
 * mapping[0] (the main program) do not depend on which stacks a snapshot
 * holds; has_functions is set only on a mapping that some location uses and
 * whose used addresses all got a name, so pprof symbolizes the others from
 * the binaries itself (and all of them with -symbolize=force, which also
 * adds file:line from DWARF).
 */
#ifndef LP_PPROF_ENCODE_H
#define LP_PPROF_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "format/pprof_write.h"
#include "record/snapshot.h"
#include "symbolize.h"

/* Names of the pseudo-frames for the LP_STACK_* flags. */
#define LP_FRAME_TRUNCATED "[lockprof: truncated stack]"
#define LP_FRAME_OVERFLOW "[lockprof: stack table full]"

/*
 * The run the profiles of this process belong to: the pid of the first
 * process of the tree and when it started (wall clock, ns). Written in
 * every profile's comment ("lockprof kind=block root=PID start=NS") once
 * set; until then the comment says the kind only.
 */
void lp_pprof_set_run(long root_pid, int64_t start_ns);

/*
 * Encode `s` as gzip-compressed pprof into a malloc'd buffer (*out, *len).
 * `sym` must have been refreshed after the snapshot was taken. Returns 0, or
 * -1 (out of memory, compression failure) with nothing allocated.
 */
int lp_pprof_encode(const struct lp_snapshot *s, struct lp_symbolizer *sym,
		    uint8_t **out, size_t *len);

/*
 * The same snapshot as Go's debug=1 text ("--- contention:" / "--- mutex:"),
 * NUL-terminated, malloc'd. Returns 0 or -1. Delays are nanoseconds
 * ("cycles/second=1000000000"). The mutex form says "sampling period=1":
 * the values are already scaled by the fraction and pprof's legacy parser
 * multiplies by that period, so 1 makes pprof read the same totals as from
 * the proto. Pseudo-frames appear with their fake addresses.
 */
int lp_pprof_text(const struct lp_snapshot *s, struct lp_symbolizer *sym,
		  char **out, size_t *len);

/* The profiles' comment for a profile of `kind` ("lockprof kind=... root=...
 * start=..."), cut to `len`. */
void lp_pprof_comment(const char *kind, char *buf, size_t len);

/*
 * The locations and functions of a profile that another encoder writes
 * (the waits in progress), symbolized as these profiles' are, into its
 * writer (lp_pprof_stacks_writer), which the encoder adds its samples to.
 */
struct lp_pprof_stacks;

/* NULL when out of memory. `sym` refreshed after the stacks were taken. */
struct lp_pprof_stacks *lp_pprof_stacks_new(struct lp_symbolizer *sym);
void lp_pprof_stacks_free(struct lp_pprof_stacks *s);
struct lp_pprof_writer *lp_pprof_stacks_writer(struct lp_pprof_stacks *s);

/* The location id of return address `pc` (code, or a primitive's pseudo
 * address: record/primitive.h); its debug=1 lines ("#\t0x...") written to
 * `text` unless NULL. 0 when out of memory. */
uint64_t lp_pprof_stacks_frame(struct lp_pprof_stacks *s, uintptr_t pc, FILE *text);

/* The location id of the truncated-stack pseudo-frame. 0: out of memory. */
uint64_t lp_pprof_stacks_truncated(struct lp_pprof_stacks *s);

/* Add the mappings and functions and pack with `head` (lp_pprof_writer_pack). */
int lp_pprof_stacks_pack(struct lp_pprof_stacks *s, const lp_profile *head,
			 uint8_t **out, size_t *len);

#endif /* LP_PPROF_ENCODE_H */
