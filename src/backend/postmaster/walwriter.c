/*-------------------------------------------------------------------------
 *
 * walwriter.c
 *	  The WAL writer process: recovers the WAL, then moves the ring's new
 *	  bytes to the device and wakes the appenders waiting for them.
 *
 *	  This file is the process: its start-up, main loop, signals and
 *	  waiting.  The work it drives belongs to storage/wal/: recovery
 *	  (walrecovery.c, WalRecover) and the libaio group commit
 *	  (walaio.c, WalAio*), whose file comment explains how the writer and
 *	  the appenders that write for themselves share the device.
 *
 *	  The loop follows PostgreSQL's walwriter: reset the latch, do the
 *	  work, handle interrupts, wait.  It waits on its latch (appenders,
 *	  the uploader's trims and shutdown set it) and, while writes are in
 *	  flight, on the completion eventfd.  On shutdown it leaves only once
 *	  everything published has been written, so the postmaster stops it
 *	  last (doc/architecture.md).
 *
 * src/backend/postmaster/walwriter.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "postmaster/walwriter.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/wal.h"
#include "utils/elog.h"

void
WalWriterMain(void)
{
	int			fd = WalRecover();

	/*
	 * Recovery is done.  The postmaster opens the broker once the topic
	 * registry is loaded too, and the catalog worker waits for the
	 * recovered stream ends before it loads the registry: wake both.
	 */
	SendPostmasterSignal(PMSIGNAL_WAL_READY);
	SetLatch(AuxProcLatch(PROC_CATALOG));
	WalAioInit(fd);

	for (;;)
	{
		WalLsn		published;
		int			waitfd;

		ResetLatch(MyLatch);
		published = WalAioFlush();

		if (ShutdownRequestPending && WalAioIdle(published))
		{
			elog(DEBUG1, "WAL writer shutting down at LSN %llu", (unsigned long long) published);
			WalAioClose();
			proc_exit(0);
		}
		if (ConfigReloadPending)
			ProcessConfigReloadIfPending();

		waitfd = WalAioWaitFd();
		if (waitfd >= 0)
			(void) WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH,
									 waitfd, -1);
		else
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
}
