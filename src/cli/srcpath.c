/* SPDX-License-Identifier: MIT */
#include "srcpath.h"

#include <stdlib.h>
#include <string.h>

/* Start of the last name in out[0, n). */
static size_t last_name(const char *out, size_t n)
{
	size_t i = n;

	while (i > 0 && out[i - 1] != '/')
		i--;
	return i;
}

char *lp_path_clean(const char *path)
{
	size_t n = 0;
	char *out = malloc(strlen(path) + 2);
	int abs = path[0] == '/';

	if (!out)
		return NULL;
	if (abs)
		out[n++] = '/';
	for (const char *p = path; *(p += strspn(p, "/"));) {
		size_t w = strcspn(p, "/"), last = last_name(out, n);
		int dots = w == 2 && p[0] == '.' && p[1] == '.';

		if (w == 1 && p[0] == '.') {
			/* nothing */
		} else if (dots && n > last &&
			   !(n - last == 2 && !strncmp(out + last, "..", 2))) {
			n = last > (size_t)abs ? last - 1 : last;
		} else if (!(dots && abs && n == 1)) {
			if (n > (size_t)abs)
				out[n++] = '/';
			memcpy(out + n, p, w);
			n += w;
		}
		p += w;
	}
	if (n == 0)
		out[n++] = '.';
	out[n] = '\0';
	return out;
}

void lp_src_root_add(const char **root, size_t *root_len, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = 0;

	if (path[0] != '/' || !strncmp(path, "/usr/", 5) || !slash)
		return;
	if (!*root) {
		*root = path;
		*root_len = (size_t)(slash - path) + 1;
		return;
	}
	while (n < *root_len && (*root)[n] == path[n])
		n++;
	while (n > 0 && (*root)[n - 1] != '/')
		n--;
	*root_len = n;
}
