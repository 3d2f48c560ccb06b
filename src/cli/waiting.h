/* SPDX-License-Identifier: MIT */
/* The waits in progress as the CLI reads them (lockprof waiting, top). */
#ifndef LP_CLI_WAITING_H
#define LP_CLI_WAITING_H

#include "format/pprof_decode.h"

/* Sample types [waiting/count, waited/nanoseconds]? */
int lp_is_waiting_profile(const lp_profile *p);

/* Its text view on stdout. An exit status. */
int lp_waiting_print(const lp_profile *p);

#endif
