/*-------------------------------------------------------------------------
 *
 * balancer.c
 *	  The balancer process.
 *
 *	  One broker of a cluster at a time will hold the balancer role (a
 *	  PostgreSQL advisory lock elects it) and place partitions, move them off
 *	  dead or overloaded brokers and drive auto-scaling (DESIGN §5).  Until
 *	  the cluster work lands it has nothing to do: it registers, waits on its
 *	  latch and exits on shutdown.
 *
 *	  The module code it will drive (placement, moves, scaling) belongs in
 *	  src/backend/balancer/, as the WAL writer's belongs in storage/wal/.
 *
 * src/backend/postmaster/balancer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

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
		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
			proc_exit(0);
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
}
