#include "progress.h"

unsigned long lp_progress;
