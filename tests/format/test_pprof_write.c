/* SPDX-License-Identifier: MIT */
/*
 * The pprof writer on its own: equal strings, functions and locations are
 * added once, equal samples summed (or kept apart by a writer that does
 * not sum), a sum that overflows refused, all-zero samples left out, and
 * the packed profile read back by the decoder as it was written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "format/pprof_write.h"

typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

static uint64_t function(struct lp_pprof_writer *w, const char *name)
{
	Function f = PERFTOOLS__PROFILES__FUNCTION__INIT;

	f.name = f.system_name = lp_pprof_writer_string(w, name);
	return lp_pprof_writer_function(w, &f);
}

static uint64_t location(struct lp_pprof_writer *w, uint64_t addr,
			 uint64_t fn, int64_t line)
{
	Location l = PERFTOOLS__PROFILES__LOCATION__INIT;
	Line ln = PERFTOOLS__PROFILES__LINE__INIT, *lp = &ln;

	ln.function_id = fn;
	ln.line = line;
	l.mapping_id = 1;
	l.address = addr;
	l.line = &lp;
	l.n_line = 1;
	return lp_pprof_writer_location(w, &l);
}

static int sample(struct lp_pprof_writer *w, uint64_t *ids, size_t n,
		  int64_t count, int64_t delay, Label *label)
{
	Sample s = PERFTOOLS__PROFILES__SAMPLE__INIT;
	int64_t v[2] = {count, delay};

	s.location_id = ids;
	s.n_location_id = n;
	s.value = v;
	s.n_value = 2;
	s.label = &label;
	s.n_label = label ? 1 : 0;
	return lp_pprof_writer_sample(w, &s);
}

/* Pack with a two-type header and decode again. */
static lp_profile *round_trip(struct lp_pprof_writer *w)
{
	lp_profile head = PERFTOOLS__PROFILES__PROFILE__INIT;
	ValueType vt[2], *vtp[2] = {&vt[0], &vt[1]};
	uint8_t *gz;
	size_t len;
	char err[256];
	lp_profile *p;

	for (int i = 0; i < 2; i++) {
		perftools__profiles__value_type__init(&vt[i]);
		vt[i].type = lp_pprof_writer_string(w, i ? "delay" : "contentions");
		vt[i].unit = lp_pprof_writer_string(w, i ? "nanoseconds" : "count");
	}
	head.sample_type = vtp;
	head.n_sample_type = 2;
	head.period = 1;
	head.duration_nanos = 5;
	REQUIRE(lp_pprof_writer_pack(w, &head, Z_BEST_SPEED, &gz, &len) == 0,
		"pack");
	p = lp_pprof_decode(gz, len, err, sizeof(err));
	REQUIRE(p, "decode: %s", err);
	free(gz);
	return p;
}

static void test_summing(void)
{
	struct lp_pprof_writer *w = lp_pprof_writer_new(true);
	Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
	Label label = PERFTOOLS__PROFILES__LABEL__INIT;
	uint64_t f, g, ab[2], ba[2];
	lp_profile *p;

	REQUIRE(w, "new");
	CHECK(lp_pprof_writer_string(w, "") == 0, "string 0 is \"\"");
	CHECK(lp_pprof_writer_string(w, "x") == lp_pprof_writer_string(w, "x"),
	      "strings interned");
	CHECK(!strcmp(lp_pprof_writer_string_at(w, lp_pprof_writer_string(w, "x")),
		      "x"), "string_at");
	m.memory_start = 0x1000;
	m.memory_limit = 0x2000;
	m.filename = lp_pprof_writer_string(w, "/bin/x");
	CHECK(lp_pprof_writer_mapping(w, &m) == 1, "mapping id 1");
	CHECK(lp_pprof_writer_mapping(w, &m) == 2, "mappings never merged");
	f = function(w, "f");
	g = function(w, "g");
	CHECK(f == 1 && g == 2 && function(w, "f") == f, "functions interned");
	ab[0] = ba[1] = location(w, 0x1100, f, 3);
	ab[1] = ba[0] = location(w, 0x1200, g, 4);
	CHECK(ab[0] == 1 && ab[1] == 2, "location ids");
	CHECK(location(w, 0x1100, f, 3) == ab[0], "locations interned");
	CHECK(location(w, 0x1100, f, 5) == 3, "another line, another location");
	label.key = lp_pprof_writer_string(w, "k");
	label.str = lp_pprof_writer_string(w, "v");
	CHECK(sample(w, ab, 2, 1, 100, NULL) == 0, "sample");
	CHECK(sample(w, ba, 2, 2, 200, NULL) == 0, "other stack");
	CHECK(sample(w, ab, 2, 3, 300, NULL) == 0, "same stack: summed");
	CHECK(sample(w, ab, 2, 4, 400, &label) == 0, "labelled: apart");
	CHECK(sample(w, ab, 1, 0, 0, NULL) == 0, "all zero");
	CHECK(sample(w, ab, 2, 1, INT64_MAX, NULL) == -1 && errno == EOVERFLOW,
	      "overflow refused, nothing added");

	p = round_trip(w);
	CHECK(p->n_sample == 3, "samples: %zu, want 3 (all-zero left out)",
	      p->n_sample);
	CHECK(p->n_sample == 3 && p->sample[0]->value[0] == 4 &&
	      p->sample[0]->value[1] == 400, "summed in the first");
	CHECK(p->n_sample == 3 && p->sample[1]->location_id[0] == ab[1] &&
	      p->sample[1]->value[0] == 2, "second as given");
	CHECK(p->n_sample == 3 && p->sample[2]->n_label == 1 &&
	      !strcmp(p->string_table[p->sample[2]->label[0]->str], "v"),
	      "the label");
	CHECK(p->n_location == 3 && p->n_function == 2 && p->n_mapping == 2,
	      "tables: %zu locations, %zu functions, %zu mappings",
	      p->n_location, p->n_function, p->n_mapping);
	CHECK(p->n_location == 3 && p->location[2]->line[0]->line == 5 &&
	      p->location[0]->mapping_id == 1, "location content");
	CHECK(p->n_function == 2 &&
	      !strcmp(p->string_table[p->function[1]->name], "g"), "names");
	CHECK(p->duration_nanos == 5 && p->n_sample_type == 2, "the header");
	lp_pprof_free(p);
	lp_pprof_writer_free(w);
}

static void test_distinct(void)
{
	struct lp_pprof_writer *w = lp_pprof_writer_new(false);
	Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
	uint64_t id;
	lp_profile *p;

	REQUIRE(w, "new");
	m.memory_limit = 0x100;
	CHECK(lp_pprof_writer_mapping(w, &m) == 1, "mapping");
	id = location(w, 0x10, function(w, "f"), 1);
	CHECK(lp_pprof_writer_expect(w, 2, 2, 4) == 0, "expect");
	CHECK(sample(w, &id, 1, 1, 10, NULL) == 0 &&
	      sample(w, &id, 1, 2, 20, NULL) == 0, "samples");
	p = round_trip(w);
	CHECK(p->n_sample == 2, "not summed: %zu samples", p->n_sample);
	lp_pprof_free(p);
	lp_pprof_writer_free(w);
}

int main(void)
{
	test_summing();
	test_distinct();
	return check_done("test_pprof_write");
}
