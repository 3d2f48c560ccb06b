/* SPDX-License-Identifier: MIT */
/*
 * Reading profiles: ours and any other producer's (Go's runtime, pprof's
 * own output), gzip-compressed or not. Decoding validates what readers rely
 * on (string indexes in range, ids unique and resolvable, one value per
 * sample type), so callers can index without checks.
 */
#ifndef LP_PPROF_DECODE_H
#define LP_PPROF_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile lp_profile;

/* Largest input accepted, compressed or not (a bound for hostile files). */
#define LP_PPROF_MAX_BYTES ((size_t)256 << 20)

/*
 * Decode `len` bytes. On failure returns NULL and writes one line (no
 * newline) saying what is wrong into err.
 */
lp_profile *lp_pprof_decode(const uint8_t *buf, size_t len,
			    char *err, size_t errlen);

/* The same, from a file ("-" is standard input). The error names the file. */
lp_profile *lp_pprof_read_file(const char *path, char *err, size_t errlen);

void lp_pprof_free(lp_profile *p);

/*
 * Lookup by id in a decoded profile. Validation guarantees that every id a
 * profile references resolves, except a location's mapping_id 0 ("no
 * mapping"), for which lp_pprof_mapping returns NULL.
 */
struct lp_pprof_index;

struct lp_pprof_index *lp_pprof_index_new(const lp_profile *p);
void lp_pprof_index_free(struct lp_pprof_index *ix);
const Perftools__Profiles__Location *
lp_pprof_location(const struct lp_pprof_index *ix, uint64_t id);
const Perftools__Profiles__Function *
lp_pprof_function(const struct lp_pprof_index *ix, uint64_t id);
const Perftools__Profiles__Mapping *
lp_pprof_mapping(const struct lp_pprof_index *ix, uint64_t id);

#endif /* LP_PPROF_DECODE_H */
