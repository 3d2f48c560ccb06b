/* SPDX-License-Identifier: MIT */
#include "primitives.h"

#include <stddef.h>
#include <string.h>

/* C and runtime primitives, and the C++ standard library's lock and wait
 * wrappers by name (demangled and mangled): only those. Other std::
 * functions (std::thread's invoker, std::function, algorithms) run the
 * program's own code, which an optimizer inlines into them: a site there
 * is the program's. */
static const char *const prefixes[] = {
	"pthread_", "__pthread_", "___pthread_", "sem_", "__new_sem_",
	"__old_sem_", "__lll_", "lll_", "futex", "__futex", "__GI_",
	"__gthread_",
	"std::mutex::", "std::timed_mutex::", "std::recursive_mutex::",
	"std::recursive_timed_mutex::", "std::shared_mutex::",
	"std::shared_timed_mutex::", "std::__shared_mutex_pthread::",
	"std::__shared_mutex_cv::", "std::__glibcxx_rwlock_",
	"std::condition_variable::", "std::condition_variable_any::",
	"std::_V2::condition_variable_any::", "std::__condvar::",
	"std::lock_guard", "std::unique_lock", "std::scoped_lock",
	"std::shared_lock", "std::lock<", "std::try_lock<", "std::__lock_impl",
	"std::counting_semaphore", "std::binary_semaphore",
	"std::__atomic_semaphore", "std::__platform_semaphore", "std::latch::",
	"std::barrier", "std::call_once", "std::__atomic_wait",
	"std::__detail::__waiter", "std::__detail::__platform_wait",
	"_ZNSt5mutex", "_ZNSt11timed_mutex", "_ZNSt15recursive_mutex",
	"_ZNSt21recursive_timed_mutex", "_ZNSt12shared_mutex",
	"_ZNSt19shared_timed_mutex", "_ZNSt22__shared_mutex_pthread",
	"_ZNSt17__shared_mutex_cv", "_ZNSt18condition_variable",
	"_ZNSt22condition_variable_any", "_ZNSt3_V222condition_variable_any",
	"_ZNSt10lock_guard", "_ZNSt11unique_lock", "_ZNSt11scoped_lock",
	"_ZNSt11shared_lock", "_ZSt4lock", "_ZSt8try_lock", "_ZSt9call_once",
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
