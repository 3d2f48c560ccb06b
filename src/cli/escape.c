/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <stdint.h>

/* Decode one code point at s; returns its length in bytes (>= 1) and sets
 * *cp, U+FFFD for an invalid or overlong sequence. */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4;
	else
		goto bad;
	*cp = s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		goto bad;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static void put_utf8(FILE *f, uint32_t cp)
{
	if (cp < 0x80) {
		fputc((int)cp, f);
	} else if (cp < 0x800) {
		fputc(0xc0 | (cp >> 6), f);
		fputc(0x80 | (cp & 0x3f), f);
	} else if (cp < 0x10000) {
		fputc(0xe0 | (cp >> 12), f);
		fputc(0x80 | ((cp >> 6) & 0x3f), f);
		fputc(0x80 | (cp & 0x3f), f);
	} else {
		fputc(0xf0 | (cp >> 18), f);
		fputc(0x80 | ((cp >> 12) & 0x3f), f);
		fputc(0x80 | ((cp >> 6) & 0x3f), f);
		fputc(0x80 | (cp & 0x3f), f);
	}
}

void lp_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	fputc('"', f);
	while (*p) {
		p += utf8_next(p, &cp);
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (int)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp < 0x20 || cp == 0x7f)
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			put_utf8(f, cp);
	}
	fputc('"', f);
}

void lp_xml_text_cut(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t shown = 0;
	uint32_t cp;

	while (*p) {
		if (shown == max) {
			fputs("...", f);
			return;
		}
		p += utf8_next(p, &cp);
		shown++;
		switch (cp) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* XML 1.0 forbids most control characters. */
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
			    cp == 0xfffe || cp == 0xffff)
				fputc('?', f);
			else
				put_utf8(f, cp);
		}
	}
}

void lp_xml_text(FILE *f, const char *s)
{
	lp_xml_text_cut(f, s, (size_t)-1);
}
