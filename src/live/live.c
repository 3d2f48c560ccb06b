/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <unistd.h>

#include "autodump.h"
#include "http/listen.h"
#include "http/server.h"
#include "live.h"
#include "base/proctree.h"
#include "watchdog.h"

/*
 * A forked child does not serve: the parent does. When the parent is gone
 * (daemon(): fork, then the parent exits), the child takes the address
 * over, so a daemonized service keeps its endpoint. Several children (a
 * pre-forking server whose master died) race; one wins, the others stop
 * trying after a while.
 */
#define ADOPT_TRIES 30

static struct lp_http_addr http_addr;
static pid_t self, parent; /* self: as the parent knew it before the fork */
static int tries;

static void adopt_endpoint(void)
{
	if (getppid() == parent)
		return;
	if (lp_http_start(&http_addr, 0) == 0 || errno != EADDRINUSE ||
	    ++tries >= ADOPT_TRIES)
		lp_autodump_set_tick(NULL);
}

void lp_live_start(const struct lp_config *cfg)
{
	lp_autodump_set_exit_hook(lp_live_at_exit);
	lp_watchdog_start(cfg->hang);
	lp_autodump_start(cfg);
	self = getpid();
	http_addr = cfg->http;
	if (http_addr.kind != LP_ADDR_NONE)
		lp_http_start(&http_addr, lp_proctree_is_root());
}

void lp_live_at_exit(void)
{
	lp_http_at_exit();
}

void lp_live_after_fork_child(void)
{
	lp_http_after_fork_child();
	lp_autodump_set_tick(NULL);
	if (http_addr.kind != LP_ADDR_NONE) {
		parent = self; /* not getppid(): the parent may be gone already */
		tries = 0;
		lp_autodump_set_tick(adopt_endpoint);
	}
	self = getpid();
	lp_autodump_after_fork_child();
}
