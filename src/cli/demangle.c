/* SPDX-License-Identifier: MIT */
#include "demangle.h"

#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

/*
 * libstdc++'s abi::__cxa_demangle, by its C symbol. The Itanium mangling
 * grammar is large and still grows (lambdas, concepts, ABI tags); GCC's
 * own demangler follows it release by release, where one of our own would
 * be a second, lagging copy that fails on exactly the names that matter.
 */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len,
		     int *status);

#define ANON "(anonymous namespace)"
#define OP "operator"
#define OP_LEN (sizeof(OP) - 1)

/* Index of the bracket closing the one at s[i], or of the final NUL when
 * it is not closed. Brackets of all kinds nest as one. */
static size_t closing(const char *s, size_t i)
{
	int depth = 0;

	for (; s[i]; i++) {
		if (strchr("(<{[", s[i]))
			depth++;
		else if (strchr(")>}]", s[i]) && --depth == 0)
			return i;
	}
	return i;
}

/* Where the "::" following a parameter list (past qualifiers such as
 * " const") starts, or 0 when the list ends the name. */
static size_t scope_after(const char *s, size_t i)
{
	while (s[i] && s[i] != '(' && s[i] != '<' && s[i] != '[') {
		if (s[i] == ':' && s[i + 1] == ':')
			return i;
		i++;
	}
	return 0;
}

/* "non-virtual thunk to ", "transaction clone for ": the length of such
 * a leading description; pprof keeps these names whole but templates. */
static size_t special_prefix(const char *s)
{
	size_t span = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 #-");
	size_t end = 0;

	for (size_t i = 0; i < span; i++) {
		if (!strncmp(s + i, " for ", 5) && i + 5 <= span)
			end = i + 5;
		else if (!strncmp(s + i, " to ", 4) && i + 4 <= span)
			end = i + 4;
	}
	return end;
}

static int is_operator(const char *s, size_t i)
{
	return !strncmp(s + i, OP, OP_LEN) &&
	       (i == 0 || s[i - 1] == ':' || s[i - 1] == ' ') &&
	       !strchr("abcdefghijklmnopqrstuvwxyz"
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", s[i + OP_LEN]);
}

/* Length of the symbol of a punctuation operator at s, longest first, so
 * that a template's '<' after "operator==" is not taken for its name. */
static size_t operator_symbol(const char *s)
{
	static const char *const ops[] = {
		"<<=", ">>=", "->*", "<=>", "()", "[]", "->", "<<", ">>",
		"<=", ">=", "==", "!=", "&&", "||", "++", "--", "+=", "-=",
		"*=", "/=", "%=", "&=", "|=", "^=", "+", "-", "*", "/", "%",
		"^", "&", "|", "~", "!", "=", "<", ">", ",",
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(s, ops[i], strlen(ops[i])))
			return strlen(ops[i]);
	return 0;
}

/* Copies an operator's name, whose brackets are no template or parameter
 * list ("operator()", "operator<<", "operator new[]"); returns where the
 * name ends. */
static size_t add_operator(struct sbuf *b, const char *s, size_t i)
{
	size_t n;

	i += OP_LEN;
	if (s[i] == ' ' || s[i] == '"') /* new, delete, conversion, literal */
		n = strcspn(s + i, "(<");
	else
		n = operator_symbol(s + i);
	sb_add(b, s + i - OP_LEN, n + OP_LEN);
	i += n;
	/* "operator< <int>": the space keeps two '<' apart, no return type. */
	if (s[i] == ' ' && s[i + 1] == '<')
		i++;
	return i;
}

/* s[from, to) without template arguments, for the parts kept whole:
 * lambdas, the parameters of an enclosing function, a thunk's target. */
static void add_untemplated(struct sbuf *b, const char *s, size_t from,
			    size_t to)
{
	while (from < to) {
		if (s[from] == '<') {
			from = closing(s, from) + 1;
		} else if (is_operator(s, from)) {
			from = add_operator(b, s, from);
		} else {
			sb_add(b, s + from, 1);
			from++;
		}
	}
}

/* The demangled name s as pprof's default "simplified" mode shows it. */
static void simplify(struct sbuf *b, const char *s)
{
	size_t i = 0, j;

	if (special_prefix(s)) {
		add_untemplated(b, s, 0, strlen(s));
		return;
	}
	/* Lambdas and unnamed types ({lambda(int)#1}) are kept whole. */
	while (s[i]) {
		if (!strncmp(s + i, ANON, strlen(ANON))) {
			sb_str(b, ANON);
			i += strlen(ANON);
		} else if (s[i] == '{') {
			j = closing(s, i);
			j += s[j] != '\0';
			add_untemplated(b, s, i, j);
			i = j;
		} else if (s[i] == '<') {
			i = closing(s, i);
			i += s[i] != '\0';
		} else if (s[i] == '(') {
			j = scope_after(s, closing(s, i));
			if (!j) /* the parameters, qualifiers, clone suffix */
				return;
			add_untemplated(b, s, i, j);
			i = j;
		} else if (s[i] == ' ') { /* what came before: return type */
			b->len = 0;
			sb_add(b, "", 0); /* terminates it there */
			i++;
		} else if (is_operator(s, i)) {
			i = add_operator(b, s, i);
		} else {
			sb_add(b, s + i++, 1);
		}
	}
}

char *lp_demangle(const char *system_name)
{
	struct sbuf b = { 0 };
	int status = -1;
	char *full = NULL;

	if (!strncmp(system_name, "_Z", 2))
		full = __cxa_demangle(system_name, NULL, NULL, &status);
	if (status != 0) { /* not C++, or not a name the ABI knows */
		free(full);
		return strdup(system_name);
	}
	simplify(&b, full);
	free(full);
	return sb_take(&b);
}
