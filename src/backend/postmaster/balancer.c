/*-------------------------------------------------------------------------
 *
 * balancer.c
 *	  The balancer process.
 *
 *	  Every broker runs one; the one that holds the controller role
 *	  (balancer/controller.c) fences dead brokers, has their WAL recovered
 *	  and their partitions and coordinator slots moved, and balances the
 *	  cluster's traffic (balancer/balancer.c): auto-balancing (DESIGN §5)
 *	  runs on the controller only, on the controller's catalog connection.
 *
 *	  The module code it drives is in src/backend/balancer/, as the WAL
 *	  writer's is in storage/wal/.
 *
 * src/backend/postmaster/balancer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "balancer/balancer.h"
#include "balancer/controller.h"
#include "postmaster/balancer.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"

void
BalancerMain(void)
{
	bool		was_controller = false;

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
		if (ControllerIsActive())
		{
			char		err[1024];
			int64		balancer_wait;

			if (!was_controller)
				BalancerReset();
			was_controller = true;
			if (!BalancerStep(ControllerConnection(), ControllerTakeNotifications(), &balancer_wait,
							  err, sizeof(err)))
			{
				ControllerConnectionFailed(err);
				continue;		/* the controller reconnects with its backoff */
			}
			wait_ms = Min(wait_ms, balancer_wait);
		}
		else
			was_controller = false;
		WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH | events,
						  fd, (long) wait_ms);
	}
}
