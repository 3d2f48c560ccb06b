/* SPDX-License-Identifier: MIT */
/*
 * Writing untrusted names (they come from profiles) into JSON and SVG:
 * invalid UTF-8 becomes U+FFFD, control characters are escaped or dropped,
 * so the output always parses.
 */
#ifndef LP_CLI_ESCAPE_H
#define LP_CLI_ESCAPE_H

#include <stdio.h>

/* A JSON string literal, quotes included. */
void lp_json_string(FILE *f, const char *s);
/* XML character data or attribute value (no quotes added). */
void lp_xml_text(FILE *f, const char *s);
/* The same, at most `max` characters, "..." appended when cut. */
void lp_xml_text_cut(FILE *f, const char *s, size_t max);

#endif
