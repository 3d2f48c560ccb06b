/* SPDX-License-Identifier: MIT */
#include <limits.h>

#include "base/clock.h"
#include "base/log.h"
#include "export/dump.h"
#include "export/hangview.h"
#include "watchdog.h"

#define MS 1000000LL

static int64_t hang;
static struct lp_hang_view *reported; /* the last report's waits */
static int64_t reported_at;

void lp_watchdog_start(int64_t ns)
{
	hang = ns;
}

/* A look every quarter of the duration, at most every second: a wait is
 * reported less than that after it reached the duration. */
int64_t lp_watchdog_period(void)
{
	if (hang <= 0)
		return 0;
	return hang / 4 < 1000 * MS ? hang / 4 : 1000 * MS;
}

/* Write the files; with `why`, say so in one line. */
static void report(struct lp_hang_view *v, int why)
{
	char path[PATH_MAX + 64] = "", line[1536];

	if (lp_dump_waiting_files(v, path, sizeof(path)) != 0 || !why)
		return;
	lp_hang_view_summary(v, line, sizeof(line));
	lp_logf("lockprof: %s (%s)", line, path);
}

void lp_watchdog_look(void)
{
	int64_t now = lp_now();
	struct lp_hang_view *v;

	if (reported) {
		if (lp_hang_view_still(reported, hang))
			return;
		lp_hang_view_free(reported);
		reported = NULL;
	}
	if (reported_at && now - reported_at < hang)
		return;
	if (lp_hang_longest_lock_wait() < hang || !(v = lp_hang_view_take()))
		return;
	report(v, 1);
	reported = v;
	reported_at = now;
}

void lp_watchdog_dump(void)
{
	struct lp_hang_view *v = lp_hang_view_take();

	if (v)
		report(v, 0);
	lp_hang_view_free(v);
}

void lp_watchdog_after_fork_child(void)
{
	/* The parent's view: its memory is left as it is. */
	reported = NULL;
	reported_at = 0;
}
