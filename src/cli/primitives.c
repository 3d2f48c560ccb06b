#include "primitives.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const prefixes[] = {
	"pthread_", "__pthread_", "___pthread_", "sem_", "__new_sem_",
	"__old_sem_", "__lll_", "lll_", "futex", "__futex", "__GI_",
	"__gthread_", "std::", "_ZNSt", "_ZSt", /* C++ standard library */
	"sync.", "internal/sync.", "runtime.", /* Go */
	"[lockprof", "lockprof_",
};

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

int lp_is_primitive(const char *func)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(func, prefixes[i]))
			return 1;
	return 0;
}

int lp_is_release(const char *func)
{
	return lp_is_primitive(func) &&
	       (contains_ci(func, "unlock") || contains_ci(func, "sem_post") ||
		contains_ci(func, "semrelease"));
}

int lp_is_acquire(const char *func)
{
	static const char *const words[] = {
		"lock", "wait", "sem_", "semacquire", "chanrecv", "chansend",
		"select", "sleep", "park",
	};

	if (!lp_is_primitive(func) || lp_is_release(func))
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (contains_ci(func, words[i]))
			return 1;
	return 0;
}
