/* SPDX-License-Identifier: MIT */
/*
 * Profiles from a live endpoint, fetched as `go tool pprof URL` does:
 * http://HOST:PORT/debug/pprof/mutex?seconds=N waits N seconds for a delta
 * profile, so a line on stderr says what it waits for.
 */
#ifndef LP_CLI_URL_H
#define LP_CLI_URL_H

#include <stddef.h>
#include <stdint.h>

/* http:// or https:// */
int lp_is_url(const char *s);

/* The body of a GET of url (2xx only, at most LP_PPROF_MAX_BYTES) into a
 * malloc'd *buf. 0, or -1 with one line in err naming the URL. */
int lp_fetch(const char *url, uint8_t **buf, size_t *len, char *err,
	     size_t errlen);

#endif
