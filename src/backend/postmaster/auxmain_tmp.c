/*
 * Temporary entry points until the WAL and catalog branches are merged.
 */
#include "c.h"

#include "catalog/catalog.h"
#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "utils/elog.h"

bool
CatalogStartupCheck(char *err, size_t errlen)
{
	return true;
}

static void pg_attribute_noreturn()
idle_main(bool wal)
{
	if (wal)
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

void
WalWriterMain(void)
{
	idle_main(true);
}

void
CatalogWorkerMain(void)
{
	idle_main(false);
}
