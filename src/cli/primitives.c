#include "primitives.h"

#include <stddef.h>
#include <string.h>

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

int lp_is_primitive(const char *func)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(func, prefixes[i]))
			return 1;
	return 0;
}
