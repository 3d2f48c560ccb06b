/* SPDX-License-Identifier: MIT */
/*
 * The encoder on a hand-made snapshot whose stacks are real addresses of this
 * process (its static functions, libc's write, an anonymous code page), with
 * a truncated record, an overflow record and an empty one. The profile is
 * unpacked with protobuf-c and checked field by field, then read by
 * `go tool pprof -raw` (the reader that matters), and the text form is read
 * by pprof's legacy parser to the same totals. Exits 77 (skipped) after the
 * protobuf checks when `go` is not installed.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "export/pprof_encode.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;

static __attribute__((noinline)) int lp_fn_a(int x)
{
	volatile int v = x;

	for (int i = 0; i < x; i++)
		v += i * v;
	return v;
}

static __attribute__((noinline)) int lp_fn_b(int x)
{
	volatile int v = x;

	for (int i = 0; i < x; i++)
		v ^= lp_fn_a(i) + i;
	return v;
}

static __attribute__((noinline)) int lp_fn_c(int x)
{
	volatile int v = x;

	for (int i = 0; i < x; i++)
		v -= lp_fn_b(i) * i;
	return v;
}

#define EXPECT_COUNT (3 + 2 + 1 + 1 + 5)
#define EXPECT_DELAY (3000 + 500 + 77 + 10 + 1)

struct fixture {
	uintptr_t a, b, c, w, anon; /* code addresses the stacks return into */
	uintptr_t pcs[5][3];
	struct lp_record rec[6];
	struct lp_snapshot snap;
	struct lp_symbolizer *sym;
	char exe[PATH_MAX];
	void *anon_page;
};

static void fixture_init(struct fixture *f, enum lp_kind kind)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	memset(f, 0, sizeof(*f));
	REQUIRE(libc, "libc not loaded");
	f->anon_page = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(f->anon_page != MAP_FAILED, "mmap");
	/* "Return addresses": code address + 1 is what the locations get. */
	f->a = (uintptr_t)lp_fn_a + 9;
	f->b = (uintptr_t)lp_fn_b + 9;
	f->c = (uintptr_t)lp_fn_c + 9;
	f->w = (uintptr_t)dlsym(libc, "write") + 5;
	f->anon = (uintptr_t)f->anon_page + 0x10;
	dlclose(libc);
	REQUIRE(realpath("/proc/self/exe", f->exe), "realpath");

	memcpy(f->pcs[0], (uintptr_t[]){f->a, f->b, f->c}, sizeof(f->pcs[0]));
	memcpy(f->pcs[1], (uintptr_t[]){f->b, f->c + 8}, 2 * sizeof(uintptr_t));
	memcpy(f->pcs[2], (uintptr_t[]){f->a}, sizeof(uintptr_t));
	memcpy(f->pcs[3], (uintptr_t[]){f->w, f->a}, 2 * sizeof(uintptr_t));
	memcpy(f->pcs[4], (uintptr_t[]){f->anon, f->c}, 2 * sizeof(uintptr_t));
	/* Out of order on purpose: the encoders sort heaviest first. */
	f->rec[0] = (struct lp_record){LP_FX_ONE, 10, 2, 0, f->pcs[3], {0}};
	f->rec[1] = (struct lp_record){3 * LP_FX_ONE, 3000, 3, 0, f->pcs[0], {0}};
	f->rec[2] = (struct lp_record){2 * LP_FX_ONE + LP_FX_ONE * 4 / 10, 500,
				       2, LP_STACK_TRUNCATED, f->pcs[1], {0}};
	f->rec[3] = (struct lp_record){LP_FX_ONE, 77, 0, LP_STACK_OVERFLOW,
				       NULL, {0}};
	f->rec[4] = (struct lp_record){LP_FX_ONE / 4, 0, 1, 0, f->pcs[2], {0}};
	f->rec[5] = (struct lp_record){5 * LP_FX_ONE, 1, 2, 0, f->pcs[4], {0}};
	f->snap = (struct lp_snapshot){
		.kind = kind,
		.time_nanos = 1700000000123456789LL,
		.duration_nanos = 2500000000LL,
		.period = kind == LP_MUTEX ? 10 : 1,
		.n = 6,
		.records = f->rec,
	};
	f->sym = lp_symbolizer_new();
	REQUIRE(f->sym && lp_symbolizer_refresh(f->sym) == 0, "symbolizer");
}

static void fixture_free(struct fixture *f)
{
	lp_symbolizer_free(f->sym);
	munmap(f->anon_page, 4096);
}

static uint8_t *gunzip(const uint8_t *in, size_t len, size_t *outlen)
{
	z_stream z = {0};
	size_t cap = 4 * len + 4096;
	uint8_t *out = malloc(cap);
	int rc;

	REQUIRE(out && inflateInit2(&z, 15 + 16) == Z_OK, "inflateInit2");
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	do {
		if (z.total_out == cap) {
			out = realloc(out, cap *= 2);
			REQUIRE(out, "oom");
		}
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
	} while (rc == Z_OK);
	REQUIRE(rc == Z_STREAM_END, "not a gzip stream (%d)", rc);
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
}

static const Location *location(const Profile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	return NULL;
}

static const Function *function(const Profile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	return NULL;
}

static const char *str(const Profile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i]
						       : "<out of range>";
}

/* The name at a location, "" for none. */
static const char *loc_name(const Profile *p, const Location *l)
{
	const Function *fn;

	if (l->n_line == 0)
		return "";
	fn = function(p, l->line[0]->function_id);
	return fn ? str(p, fn->name) : "<bad function id>";
}

/* Sample i has the given frames (address, name; leaf first). */
static void check_sample(const Profile *p, size_t i, int64_t count,
			 int64_t delay, size_t n, const uint64_t *addr,
			 const char *const *name)
{
	const Perftools__Profiles__Sample *s;

	REQUIRE(i < p->n_sample, "no sample %zu", i);
	s = p->sample[i];
	CHECK(s->n_value == 2 && s->value[0] == count && s->value[1] == delay,
	      "sample %zu values", i);
	REQUIRE(s->n_location_id == n, "sample %zu has %zu frames, want %zu",
		i, s->n_location_id, n);
	for (size_t k = 0; k < n; k++) {
		const Location *l = location(p, s->location_id[k]);

		REQUIRE(l, "sample %zu frame %zu: no location %lu", i, k,
			(unsigned long)s->location_id[k]);
		CHECK(l->address == addr[k], "sample %zu frame %zu: %#lx != %#lx",
		      i, k, (unsigned long)l->address, (unsigned long)addr[k]);
		CHECK(strcmp(loc_name(p, l), name[k]) == 0,
		      "sample %zu frame %zu: %s != %s", i, k, loc_name(p, l),
		      name[k]);
	}
}

static void check_ids(const Profile *p)
{
	for (size_t i = 0; i < p->n_location; i++) {
		const Location *l = p->location[i];

		CHECK(l->id != 0, "location id 0");
		for (size_t k = 0; k < i; k++)
			CHECK(p->location[k]->id != l->id &&
				      p->location[k]->address != l->address,
			      "locations %zu and %zu: same id or address", k, i);
		CHECK(l->mapping_id <= p->n_mapping, "bad mapping id");
		/* one line per function inlined there, then the function */
		for (size_t k = 0; k < l->n_line; k++)
			CHECK(function(p, l->line[k]->function_id) &&
				      l->line[k]->line >= 0,
			      "bad line %zu of location %lu", k,
			      (unsigned long)l->id);
	}
	for (size_t i = 0; i < p->n_function; i++) {
		const Function *fn = p->function[i];

		CHECK(fn->id == i + 1 && fn->name == fn->system_name &&
			      fn->name > 0,
		      "bad function %zu", i);
		for (size_t k = 0; k < i; k++)
			CHECK(p->function[k]->name != fn->name,
			      "function name twice");
	}
	/* Lines are claimed only with functions, filenames with lines. */
	for (size_t i = 0; i < p->n_mapping; i++)
		CHECK(p->mapping[i]->id == i + 1 &&
			      p->mapping[i]->has_filenames ==
				      p->mapping[i]->has_line_numbers &&
			      (!p->mapping[i]->has_line_numbers ||
			       p->mapping[i]->has_functions),
		      "bad mapping %zu", i);
}

static void check_mappings(const Profile *p, struct fixture *f)
{
	const struct lp_mapping_info *mi;
	size_t n = lp_symbolizer_mappings(f->sym, &mi);

	REQUIRE(p->n_mapping == n && n > 2, "%zu mappings, want %zu",
		p->n_mapping, n);
	CHECK(strcmp(str(p, p->mapping[0]->filename), f->exe) == 0,
	      "mapping[0] is %s", str(p, p->mapping[0]->filename));
	CHECK(strlen(str(p, p->mapping[0]->build_id)) >= 16,
	      "main program's build-id: '%s'", str(p, p->mapping[0]->build_id));
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Mapping *m = p->mapping[i];
		const char *name;
		uintptr_t off;
		/* Which of our addresses this mapping holds. */
		bool main = mi[i].start <= f->a && f->a < mi[i].limit;
		bool libc = mi[i].start <= f->w && f->w < mi[i].limit;
		bool anon = mi[i].start <= f->anon && f->anon < mi[i].limit;

		CHECK(m->memory_start == mi[i].start &&
			      m->memory_limit == mi[i].limit &&
			      m->file_offset == mi[i].offset &&
			      strcmp(str(p, m->filename), mi[i].path) == 0 &&
			      strcmp(str(p, m->build_id), mi[i].build_id) == 0,
		      "mapping %zu differs from the symbolizer's", i);
		CHECK(m->has_functions == (main || libc),
		      "mapping %zu (%s): has_functions %d", i,
		      str(p, m->filename), m->has_functions);
		CHECK(!anon || lp_symbolize(f->sym, f->anon - 1, &name, &off) ==
				       (int)i,
		      "anonymous page is not mapping %zu", i);
	}
}

static Profile *encode_and_unpack(struct fixture *f, uint8_t **gz,
				  size_t *gzlen)
{
	uint8_t *raw;
	size_t rawlen;
	Profile *p;

	REQUIRE(lp_pprof_encode(&f->snap, f->sym, gz, gzlen) == 0, "encode");
	raw = gunzip(*gz, *gzlen, &rawlen);
	p = perftools__profiles__profile__unpack(NULL, rawlen, raw);
	free(raw);
	REQUIRE(p, "protobuf-c cannot unpack the profile");
	return p;
}

static void test_proto(struct fixture *f, uint8_t **gz, size_t *gzlen)
{
	Profile *p = encode_and_unpack(f, gz, gzlen);
	uint8_t *again;
	size_t againlen;

	REQUIRE(p->n_string_table > 0 && strcmp(p->string_table[0], "") == 0,
		"string_table[0] is not empty");
	REQUIRE(p->n_sample_type == 2 && p->period_type, "sample types");
	CHECK(!strcmp(str(p, p->sample_type[0]->type), "contentions") &&
		      !strcmp(str(p, p->sample_type[0]->unit), "count") &&
		      !strcmp(str(p, p->sample_type[1]->type), "delay") &&
		      !strcmp(str(p, p->sample_type[1]->unit), "nanoseconds") &&
		      !strcmp(str(p, p->period_type->type), "contentions") &&
		      !strcmp(str(p, p->period_type->unit), "count"),
	      "sample or period types");
	CHECK(p->period == 1 && p->default_sample_type == 0, "period");
	CHECK(p->time_nanos == f->snap.time_nanos &&
		      p->duration_nanos == f->snap.duration_nanos,
	      "time %ld duration %ld", (long)p->time_nanos,
	      (long)p->duration_nanos);
	REQUIRE(p->n_sample == 5, "%zu samples, want 5", p->n_sample);
	check_sample(p, 0, 3, 3000, 3,
		     (uint64_t[]){f->a - 1, f->b - 1, f->c - 1},
		     (const char *[]){"lp_fn_a", "lp_fn_b", "lp_fn_c"});
	check_sample(p, 1, 2, 500, 3, (uint64_t[]){f->b - 1, f->c + 7, 1},
		     (const char *[]){"lp_fn_b", "lp_fn_c", LP_FRAME_TRUNCATED});
	check_sample(p, 2, 1, 77, 1, (uint64_t[]){2},
		     (const char *[]){LP_FRAME_OVERFLOW});
	check_sample(p, 3, 1, 10, 2, (uint64_t[]){f->w - 1, f->a - 1},
		     (const char *[]){"write", "lp_fn_a"});
	check_sample(p, 4, 5, 1, 2, (uint64_t[]){f->anon - 1, f->c - 1},
		     (const char *[]){"", "lp_fn_c"});
	CHECK(p->n_location == 8, "%zu locations, want 8", p->n_location);
	CHECK(p->n_function == 6, "%zu functions, want 6", p->n_function);
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->address < 3)
			CHECK(p->location[i]->mapping_id == 0,
			      "pseudo-frame with a mapping");
		else if (p->location[i]->address == f->a - 1)
			CHECK(p->location[i]->mapping_id == 1,
			      "own code not in mapping 1");
	check_ids(p);
	check_mappings(p, f);
	perftools__profiles__profile__free_unpacked(p, NULL);

	/* Same snapshot, same symbolizer: the same bytes. */
	REQUIRE(lp_pprof_encode(&f->snap, f->sym, &again, &againlen) == 0,
		"encode");
	CHECK(againlen == *gzlen && memcmp(again, *gz, againlen) == 0,
	      "encoding is not deterministic");
	free(again);
}

static void test_empty(struct fixture *f)
{
	struct lp_snapshot s = f->snap;
	uint8_t *gz;
	size_t gzlen;
	Profile *p;

	s.n = 0;
	s.records = NULL;
	f->snap = s;
	p = encode_and_unpack(f, &gz, &gzlen);
	CHECK(p->n_sample == 0 && p->n_location == 0 && p->n_string_table &&
		      !strcmp(p->string_table[0], "") && p->n_sample_type == 2,
	      "empty profile");
	perftools__profiles__profile__free_unpacked(p, NULL);
	free(gz);
}

static void test_text_format(struct fixture *f, const char *text)
{
	char want[512];

	const char *fn[3] = { "lp_fn_a", "lp_fn_b", "lp_fn_c" };
	uintptr_t at[3] = { f->a, f->b, f->c };
	const char *p;

	snprintf(want, sizeof(want),
		 "%scycles/second=1000000000\n%s"
		 "3000 3 @ 0x%lx 0x%lx 0x%lx\n",
		 f->snap.kind == LP_MUTEX ? "--- mutex:\n" : "--- contention:\n",
		 f->snap.kind == LP_MUTEX ? "sampling period=1\n" : "",
		 (unsigned long)f->a, (unsigned long)f->b, (unsigned long)f->c);
	CHECK(strncmp(text, want, strlen(want)) == 0,
	      "text starts\n%.400s\nwant\n%s", text, want);
	/* Then one "#" line a frame: address, function+offset and, built with
	 * -g as this test is, the source file:line. */
	p = text + strlen(want);
	for (int i = 0; i < 3 && strncmp(text, want, strlen(want)) == 0; i++) {
		int n = snprintf(want, sizeof(want), "#\t0x%lx\t%s+0x8\t",
				 (unsigned long)at[i] - 1, fn[i]);
		const char *eol = strchr(p, '\n');

		CHECK(strncmp(p, want, (size_t)n) == 0 && eol &&
			      memmem(p, (size_t)(eol - p), "test_encode.c:", 14),
		      "frame line %d: %.*s", i, eol ? (int)(eol - p) : 40, p);
		if (!eol)
			break;
		p = eol + 1;
	}
	snprintf(want, sizeof(want), "\n500 2 @ 0x%lx 0x%lx 0x2\n",
		 (unsigned long)f->b, (unsigned long)f->c + 8);
	CHECK(strstr(text, want), "second record in\n%s", text);
	CHECK(strstr(text, "\n77 1 @ 0x3\n#\t0x2\t" LP_FRAME_OVERFLOW "+0x0\n\n"),
	      "overflow record in\n%s", text);
	CHECK(strstr(text, "\n1 5 @ ") && strstr(text, "\n#\t0x1\t" LP_FRAME_TRUNCATED),
	      "records in\n%s", text);
	CHECK(!strstr(text, "\n0 0 @"), "empty record written");
}

/* ---- `go tool pprof -raw` ---- */

struct raw {
	long long count, delay;
	int samples;
	char *out;
};

/* Run pprof -raw on a file and add up its samples. */
static int pprof_raw(const char *path, struct raw *r)
{
	char cmd[PATH_MAX + 64], *line = NULL;
	size_t cap = 0, len = 0;
	FILE *p;
	bool in_samples = false;

	memset(r, 0, sizeof(*r));
	snprintf(cmd, sizeof(cmd), "go tool pprof -raw '%s' 2>&1", path);
	p = popen(cmd, "r");
	REQUIRE(p, "popen");
	r->out = calloc(1, 1);
	while (getline(&line, &cap, p) > 0) {
		long long c, d;

		r->out = realloc(r->out, len + strlen(line) + 1);
		strcpy(r->out + len, line);
		len += strlen(line);
		if (strncmp(line, "Locations", 9) == 0)
			in_samples = false;
		if (in_samples && sscanf(line, "%lld %lld:", &c, &d) == 2) {
			r->count += c;
			r->delay += d;
			r->samples++;
		}
		if (strstr(line, "contentions/count delay/nanoseconds"))
			in_samples = true;
	}
	free(line);
	return pclose(p) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *out = fopen(path, "wb");

	REQUIRE(out && fwrite(buf, 1, len, out) == len && fclose(out) == 0,
		"write %s", path);
}

static void test_go_proto(struct fixture *f, const char *dir, uint8_t *gz,
			  size_t gzlen)
{
	const struct lp_mapping_info *mi;
	char path[PATH_MAX], want[PATH_MAX + 200];
	struct raw r;

	lp_symbolizer_mappings(f->sym, &mi);
	snprintf(path, sizeof(path), "%s/block.pb.gz", dir);
	write_file(path, gz, gzlen);
	REQUIRE(pprof_raw(path, &r) == 0, "pprof -raw failed:\n%s", r.out);
	CHECK(r.samples == 5 && r.count == EXPECT_COUNT &&
		      r.delay == EXPECT_DELAY,
	      "pprof reads %d samples, %lld/%lld:\n%s", r.samples, r.count,
	      r.delay, r.out);
	CHECK(strstr(r.out, "PeriodType: contentions count") &&
		      strstr(r.out, "Period: 1\n"),
	      "header:\n%s", r.out);
	for (const char **n = (const char *[]){"lp_fn_a", "lp_fn_b", "lp_fn_c",
					       "write", LP_FRAME_TRUNCATED,
					       LP_FRAME_OVERFLOW, NULL};
	     *n; n++)
		CHECK(strstr(r.out, *n), "no %s in\n%s", *n, r.out);
	snprintf(want, sizeof(want), "\n1: 0x%lx/0x%lx/0x%lx %s %s",
		 (unsigned long)mi[0].start, (unsigned long)mi[0].limit,
		 (unsigned long)mi[0].offset, f->exe, mi[0].build_id);
	CHECK(strstr(r.out, want), "no '%s' in\n%s", want + 1, r.out);
	free(r.out);
}

/* The text form, read by pprof's legacy parser: the same totals. */
static void test_go_text(struct fixture *f, const char *dir)
{
	char path[PATH_MAX], *text;
	size_t len;
	struct raw r;

	REQUIRE(lp_pprof_text(&f->snap, f->sym, &text, &len) == 0, "text");
	CHECK(strlen(text) == len, "text length");
	test_text_format(f, text);
	snprintf(path, sizeof(path), "%s/%s.txt", dir,
		 f->snap.kind == LP_MUTEX ? "mutex" : "block");
	write_file(path, text, len);
	free(text);
	REQUIRE(pprof_raw(path, &r) == 0, "pprof -raw failed:\n%s", r.out);
	CHECK(r.samples == 5 && r.count == EXPECT_COUNT &&
		      r.delay == EXPECT_DELAY,
	      "pprof reads %d samples, %lld/%lld from the text:\n%s",
	      r.samples, r.count, r.delay, r.out);
	free(r.out);
}

int main(void)
{
	char dir[] = "/tmp/lp-encode-XXXXXX";
	struct fixture f;
	uint8_t *gz;
	size_t gzlen;
	bool have_go = system("go version >/dev/null 2>&1") == 0;

	fixture_init(&f, LP_BLOCK);
	test_proto(&f, &gz, &gzlen);
	if (have_go) {
		REQUIRE(mkdtemp(dir), "mkdtemp");
		test_go_proto(&f, dir, gz, gzlen);
		test_go_text(&f, dir);
	}
	free(gz);
	test_empty(&f);
	fixture_free(&f);

	fixture_init(&f, LP_MUTEX);
	if (have_go)
		test_go_text(&f, dir);
	fixture_free(&f);

	if (have_go) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0, "rm %s", dir);
	} else if (!check_failures) {
		printf("SKIP: `go` not installed, pprof reading not tested\n");
		return 77;
	}
	return check_done("test_encode");
}
