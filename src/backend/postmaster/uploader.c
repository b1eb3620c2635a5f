/*-------------------------------------------------------------------------
 *
 * uploader.c
 *	  The uploader (object-storage archiver) process.
 *
 *	  It will build stream-set objects from the log cache when
 *	  upload_threshold bytes or upload_interval have accumulated, upload them,
 *	  commit them to the catalog and advance the WAL trim point (DESIGN §3).
 *	  Until the object-storage work lands it registers, waits on its latch
 *	  and exits on shutdown.
 *
 * src/backend/postmaster/uploader.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"

void
UploaderMain(void)
{
	elog(DEBUG1, "uploader started");
	for (;;)
	{
		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
			proc_exit(0);
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
}
