/* SPDX-License-Identifier: MIT */
/*
 * pthread_setname_np and prctl: the real call, and when it renamed a
 * thread, word to the recorder that thread names must be read again
 * (src/record/labels.h: the `thread` label keeps each thread's name until
 * then). Results and errno are the real calls'.
 */
#include <pthread.h>
#include <stdarg.h>
#include <sys/prctl.h>

#include "base/export.h"
#include "real.h"
#include "record/labels.h"

LP_EXPORT int pthread_setname_np(pthread_t thread, const char *name)
{
	int rc = lp_real_get()->setname_np(thread, name);

	if (rc == 0)
		lp_thread_renamed();
	return rc;
}

/* glibc's prctl passes four more words whatever the option; so does this. */
LP_EXPORT int prctl(int option, ...)
{
	unsigned long arg[4];
	va_list ap;
	int rc;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		arg[i] = va_arg(ap, unsigned long);
	va_end(ap);
	rc = lp_real_get()->prctl(option, arg[0], arg[1], arg[2], arg[3]);
	if (option == PR_SET_NAME && rc == 0)
		lp_thread_renamed();
	return rc;
}
