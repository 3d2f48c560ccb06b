/* SPDX-License-Identifier: MIT */
#include "profile_meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of `key=` among the space-separated words of s, copied into
 * val; 0 when found. */
static int word(const char *s, const char *key, char *val, size_t len)
{
	size_t k = strlen(key);

	for (const char *w = s; *w; w += strcspn(w, " ")) {
		w += strspn(w, " ");
		if (!strncmp(w, key, k) && w[k] == '=') {
			size_t n = strcspn(w + k + 1, " ");

			if (n >= len)
				return -1;
			memcpy(val, w + k + 1, n);
			val[n] = '\0';
			return 0;
		}
	}
	return -1;
}

void lp_meta_read(const lp_profile *p, struct lp_meta *out)
{
	char v[32];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < p->n_comment; i++) {
		const char *c = p->string_table[p->comment[i]];

		if (strncmp(c, "lockprof ", 9))
			continue;
		if (word(c, "kind", out->kind, sizeof(out->kind)))
			out->kind[0] = '\0';
		if (!word(c, "root", v, sizeof(v)))
			out->root_pid = strtol(v, NULL, 10);
		if (!word(c, "start", v, sizeof(v)))
			out->start_ns = strtoll(v, NULL, 10);
		return;
	}
}

void lp_meta_comment(const struct lp_meta *m, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (!m->kind[0] && !m->root_pid)
		return;
	n = snprintf(buf, len, "lockprof");
	if (m->kind[0] && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " kind=%s", m->kind);
	if (m->root_pid && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " root=%ld start=%lld",
			 m->root_pid, (long long)m->start_ns);
}

const char *lp_meta_kind(const struct lp_meta *m)
{
	return m->kind[0] ? m->kind : "contention";
}
