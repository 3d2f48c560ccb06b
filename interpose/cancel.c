/* SPDX-License-Identifier: MIT */
/*
 * pthread_setcanceltype, followed per thread: a lock wait (mutex, rwlock),
 * which is no cancellation point, can only be ended by cancellation in a
 * thread that turned asynchronous cancellation on. Only there does its
 * wrapper register a cleanup handler around the real call: everyone else's
 * contended lock pays nothing for it.
 */
#undef __EXCEPTIONS /* interpose/wrap.h */
#include <pthread.h>

#include "base/export.h"
#include "record/recorder.h"
#include "real.h"
#include "wrap.h"

__thread int lp_cancel_async __attribute__((tls_model("initial-exec")));

LP_EXPORT int pthread_setcanceltype(int type, int *oldtype)
{
	int rc = lp_real_get()->setcanceltype(type, oldtype);

	if (rc == 0)
		lp_cancel_async = type == PTHREAD_CANCEL_ASYNCHRONOUS;
	return rc;
}
