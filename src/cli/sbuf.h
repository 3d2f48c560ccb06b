/* SPDX-License-Identifier: MIT */
/* A growable byte string. Allocation failure is sticky (oom) and checked
 * once by the caller, which keeps call sites short. */
#ifndef LP_CLI_SBUF_H
#define LP_CLI_SBUF_H

#include <stddef.h>

struct sbuf {
	char *s;      /* NUL-terminated when len > 0 and !oom */
	size_t len, cap;
	int oom;
};

void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Take ownership of the contents (never NULL unless oom). */
char *sb_take(struct sbuf *b);
void sb_free(struct sbuf *b);

#endif
