/*
 * Temporary entry point until the WAL branch is merged.
 */
#include "c.h"

#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "utils/elog.h"

void
WalWriterMain(void)
{
	SendPostmasterSignal(PMSIGNAL_WAL_READY);
	for (;;)
	{
		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
			proc_exit(0);
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
}
