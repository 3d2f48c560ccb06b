/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes through the decoder and, when they decode,
 * through everything the lockprof command does with a profile (the model,
 * every site key, the builder of merge and diff -o). Crashes, leaks and
 * sanitizer reports are failures; rejecting input is not.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pprof_build.h"
#include "format/pprof_decode.h"
#include "profile_model.h"
#include "sites.h"

static void exercise(const uint8_t *data, size_t size)
{
	struct lp_model m;
	struct lp_sites s;
	struct lp_builder b;
	char path[64], err[512];
	int fd = memfd_create("profile", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (lp_model_load(path, &m, err, sizeof(err)) == 0) {
		for (int by = LP_BY_FUNCTION; by <= LP_BY_LEAF; by++) {
			if (lp_sites_build(&m, by, &s) == 0)
				lp_sites_sort(&s, LP_VT_DELAY);
			lp_sites_free(&s);
		}
		lp_builder_init(&b);
		if (lp_builder_header(&b, m.prof) == 0 &&
		    lp_builder_add(&b, m.prof, 1.0) == 0)
			lp_builder_add(&b, m.prof, -0.5);
		lp_builder_write(&b, "/dev/null", err, sizeof(err));
		lp_builder_free(&b);
		lp_model_free(&m);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	lp_profile *p = lp_pprof_decode(data, size, err, sizeof(err));

	if (p) {
		lp_pprof_free(p);
		exercise(data, size);
	}
	return 0;
}
