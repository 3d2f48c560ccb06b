/* SPDX-License-Identifier: MIT */
/*
 * Writing a pprof profile, for the library's encoder and the CLI alike: a
 * builder that interns strings, functions, locations and samples (equal
 * ones are added once; equal samples, same stack and labels, are summed),
 * keeps mappings as given, and packs the whole as gzip-compressed
 * protobuf.
 *
 * The messages given refer to this writer's strings and ids; their own id
 * is ignored. Ids count from 1 in the order things were first added;
 * string 0 is "". Out of memory, a call returns 0 (ids) or -1 (string
 * indexes, status), with errno set.
 */
#ifndef LP_PPROF_WRITE_H
#define LP_PPROF_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pprof_decode.h"

struct lp_pprof_writer;

/* NULL when out of memory. `sum`: whether a sample with the stack and
 * labels of an earlier one is added to it (merging profiles); a caller
 * whose samples are distinct anyway says false, and they are kept as
 * given, with no index of them. */
struct lp_pprof_writer *lp_pprof_writer_new(bool sum);
void lp_pprof_writer_free(struct lp_pprof_writer *w);

/* The index of s in the string table (copied in when new). */
int64_t lp_pprof_writer_string(struct lp_pprof_writer *w, const char *s);

/* String `ix`, valid as long as the writer. */
const char *lp_pprof_writer_string_at(const struct lp_pprof_writer *w,
				      int64_t ix);

/* The id of the function with f's name, system name, file and start line. */
uint64_t lp_pprof_writer_function(struct lp_pprof_writer *w,
				  const Perftools__Profiles__Function *f);

/* A copy of m's fields, appended: mappings are never merged here. */
uint64_t lp_pprof_writer_mapping(struct lp_pprof_writer *w,
				 const Perftools__Profiles__Mapping *m);

/* Mapping `id`: its flags may be changed. Valid until the next mapping. */
Perftools__Profiles__Mapping *
lp_pprof_writer_mapping_at(struct lp_pprof_writer *w, uint64_t id);

/* The id of the location with l's mapping, address, folding and lines. */
uint64_t lp_pprof_writer_location(struct lp_pprof_writer *w,
				  const Perftools__Profiles__Location *l);

/* Room for `samples` more samples with `location_ids` location ids and
 * `values` values in all, made at once: a large profile is then neither
 * copied as it grows nor left with room to spare. 0, or -1 (ENOMEM). */
int lp_pprof_writer_expect(struct lp_pprof_writer *w, size_t samples,
			   size_t location_ids, size_t values);

/*
 * Add s's values to the sample with its locations and labels (a new one
 * the first time, or every time for a writer that does not sum). Every
 * sample has as many values as the profile has sample types. 0, or -1
 * with errno ENOMEM, or EOVERFLOW when a sum overflows 64 bits.
 */
int lp_pprof_writer_sample(struct lp_pprof_writer *w,
			   const Perftools__Profiles__Sample *s);

/*
 * The profile, gzip-compressed at zlib's `level`, into a malloc'd buffer:
 * `head`'s sample and period types, period, comments, times (its strings
 * this writer's), and every mapping, location, function and string added,
 * with the samples whose values are not all zero. 0, or -1 (ENOMEM, or
 * EIO when compression fails) with nothing allocated.
 */
int lp_pprof_writer_pack(struct lp_pprof_writer *w, const lp_profile *head,
			 int level, uint8_t **out, size_t *len);

#endif /* LP_PPROF_WRITE_H */
