/*-------------------------------------------------------------------------
 *
 * balancer.c
 *	  The balancer process.
 *
 *	  Every broker runs one; the one that holds the controller role
 *	  (balancer/controller.c) fences dead brokers, has their WAL recovered
 *	  and their partitions and coordinator slots moved, and balances the
 *	  cluster's traffic (balancer/balancer.c) and scales it
 *	  (balancer/scaling.c): auto-balancing and auto-scaling (DESIGN §5) run
 *	  on the controller only, on the controller's catalog connection.  The
 *	  scaling commands are children of this process; SIGCHLD wakes it to
 *	  reap them.
 *
 *	  The module code it drives is in src/backend/balancer/, as the WAL
 *	  writer's is in storage/wal/.
 *
 * src/backend/postmaster/balancer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <signal.h>

#include "balancer/balancer.h"
#include "balancer/controller.h"
#include "balancer/scaling.h"
#include "postmaster/balancer.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"

/* A scaling command ended: wake the loop, which reaps it. */
static void
handle_child_exit(int signo)
{
	int			save_errno = errno;

	(void) signo;
	SetLatch(MyLatch);
	errno = save_errno;
}

void
BalancerMain(void)
{
	bool		was_controller = false;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_child_exit;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);

	elog(DEBUG1, "balancer started");
	for (;;)
	{
		int			fd;
		int			events;
		int64		wait_ms;

		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		/* Scaling commands are this process's children (balancer/scaling.c). */
		ScalingReap();
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
		{
			was_controller = false;
			ScalingDropEnded();
		}
		WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH | events,
						  fd, (long) wait_ms);
	}
}
