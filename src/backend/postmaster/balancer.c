/*-------------------------------------------------------------------------
 *
 * balancer.c
 *	  The balancer process.
 *
 *	  Every broker runs one; the one that holds the controller role
 *	  (balancer/controller.c) fences dead brokers, has their WAL recovered
 *	  and their partitions and coordinator slots moved.  Auto-balancing and
 *	  auto-scaling (DESIGN §5) will run here too, on the controller only.
 *
 *	  The module code it drives (the controller; later placement, moves,
 *	  scaling) is in src/backend/balancer/, as the WAL writer's is in
 *	  storage/wal/.
 *
 * src/backend/postmaster/balancer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "balancer/controller.h"
#include "postmaster/balancer.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"

void
BalancerMain(void)
{
	elog(DEBUG1, "balancer started");
	for (;;)
	{
		int			fd;
		int			events;
		int64		wait_ms;

		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
		{
			ControllerShutdown();
			proc_exit(0);
		}
		wait_ms = ControllerStep(&fd, &events);
		WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH | events,
						  fd, (long) wait_ms);
	}
}
