/* SPDX-License-Identifier: MIT */
#include "progress.h"

unsigned long lp_progress;
