/*-------------------------------------------------------------------------
 *
 * offsetcommitter.c
 *	  The offset committer: the auxiliary process that writes the offset
 *	  commits the backends queue (kafka/offsetstore.h) to the catalog, many
 *	  requests in one transaction.
 *
 *	  Started by the postmaster (slot, latch and signal handlers are set up
 *	  before OffsetCommitterMain is called; see postmaster/interrupt.h).  A
 *	  backend that queues a commit sets our latch; each wake drains the
 *	  queue and writes what it holds, so requests that arrive while a
 *	  transaction runs go into the next one (a group commit without a
 *	  timer).  The queue, the batch and the cache are offsetstore.c's.
 *
 *	  It holds one catalog connection, made without blocking in libpq
 *	  (CatalogConnectWait), and no lock while it talks to the catalog.
 *	  When the catalog cannot be reached it keeps its batch, logs the outage
 *	  once and tries again with the catalog's backoff (CatalogBackoff),
 *	  merging newly queued requests into the batch; backends whose wait
 *	  exceeds offsets_commit_timeout withdraw their requests meanwhile.
 *
 * src/backend/postmaster/offsetcommitter.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog.h"
#include "kafka/offsetstore.h"
#include "postmaster/interrupt.h"
#include "postmaster/offsetcommitter.h"
#include "storage/latch.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* Milliseconds between two DEBUG1 lines of counters (when they moved). */
#define STATS_INTERVAL_MS	10000

static PGconn *conn = NULL;

/*
 * Write the batch of npending requests, connecting first if need be.
 * Failures are logged once per outage; the backoff says when to try again.
 */
static void
write_pending(CatalogBackoff *backoff)
{
	char		err[1024];
	bool		ok;
	int64		lasted;

	if (conn == NULL)
		conn = CatalogConnectWait("strata offset committer", err, sizeof(err));
	ok = conn != NULL && OffsetCommitterWrite(conn, err, sizeof(err));
	if (!ok)
	{
		if (conn != NULL)
			PQfinish(conn);
		conn = NULL;
		if (CatalogBackoffFailed(backoff))
		{
			char	   *desc = CatalogDescribe();

			elog(WARNING, "offset committer: catalog unreachable (%s): %s; offset commits wait up to offsets_commit_timeout (%lld ms), then fail with COORDINATOR_NOT_AVAILABLE",
				 desc, err, (long long) offsets_commit_timeout);
			pfree(desc);
		}
		return;
	}
	lasted = CatalogBackoffSucceeded(backoff);
	if (lasted >= 0)
		elog(LOG, "offset committer: catalog reachable again after %.1f s",
			 (double) lasted / 1000.0);
}

void
OffsetCommitterMain(void)
{
	CatalogBackoff backoff = CATALOG_BACKOFF_INIT;
	int64		next_stats = MonotonicMs() + STATS_INTERVAL_MS;
	uint64		stats_seen = 0;

	for (;;)
	{
		char		err[1024];
		int			npending;
		int64		now;
		long		timeout;

		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		npending = OffsetCommitterDrain();

		/*
		 * Shutdown comes after every backend has exited (the postmaster
		 * stops backends first), so nobody waits for what is left.
		 */
		if (ShutdownRequestPending)
		{
			if (npending > 0 && conn != NULL)
				(void) OffsetCommitterWrite(conn, err, sizeof(err));
			OffsetCommitterLogStats("at shutdown");
			if (conn)
				PQfinish(conn);
			proc_exit(0);
		}

		if (npending > 0 && CatalogBackoffDue(&backoff, MonotonicMs()))
		{
			write_pending(&backoff);
			continue;			/* more may have arrived meanwhile */
		}
		now = MonotonicMs();
		if (now >= next_stats)
		{
			OffsetStoreStats s;

			OffsetStoreGetStats(&s);
			if (s.requests != stats_seen)
				OffsetCommitterLogStats(NULL);
			stats_seen = s.requests;
			next_stats = now + STATS_INTERVAL_MS;
		}
		timeout = (long) (next_stats - now);
		if (npending > 0)
			timeout = Min(timeout, (long) Max(backoff.retry_at_ms - now, 0));
		WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout);
	}
}
