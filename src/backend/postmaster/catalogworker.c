/*-------------------------------------------------------------------------
 *
 * catalogworker.c
 *	  The catalog worker: the auxiliary process that keeps this broker's
 *	  lease in the catalog alive, listens for the catalog's NOTIFYs and
 *	  keeps the topic registry in step with the catalog.
 *
 *	  Started by the postmaster (slot, latch and signal handlers are set up
 *	  before CatalogWorkerMain is called; see postmaster/interrupt.h).  It
 *	  holds one libpq connection, used asynchronously so that the process
 *	  only ever sleeps in WaitLatchOrSocket on its latch and the connection's
 *	  socket together: a NOTIFY, a SIGTERM/SIGHUP, the next lease renewal or
 *	  the postmaster's death wake it.  The catalog is never polled in a loop.
 *
 *	  Connection loss (catalog restarted, network gone, a statement that
 *	  does not answer within a third of the lease) is never fatal: the worker
 *	  drops the connection, logs the outage once, and reconnects with the
 *	  catalog's backoff (CatalogBackoff: from 100 ms, doubling, up to
 *	  catalog_retry_max); on success it logs the recovery once, LISTENs
 *	  again and renews the lease at once.  The rest of the broker keeps
 *	  serving what it can meanwhile.
 *
 *	  On shutdown (SIGTERM) it marks the broker stopped, with its lease
 *	  expired, so that other brokers need not wait for the lease to run out.
 *
 *	  The work itself is done by the modules: the lease by catalog_brokers.c,
 *	  the registry load by kafka/topics.c (TopicsLoad) after the producer
 *	  state is recovered (kafka/producer.c).
 *
 * src/backend/postmaster/catalogworker.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog.h"
#include "catalog/catalog_brokers.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "postmaster/catalogworker.h"
#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* Milliseconds mark_stopped waits for the catalog at shutdown. */
#define MARK_STOPPED_TIMEOUT_MS		2000

static PGconn *conn = NULL;
static CatalogBackoff backoff = CATALOG_BACKOFF_INIT;
static bool fenced_logged = false;

/* The registry needs (re)loading: at connect and on partition changes. */
static bool topics_stale = true;
static bool topics_loaded_once = false;

static void
drop_connection(void)
{
	if (conn)
		PQfinish(conn);
	conn = NULL;
}

/*
 * A failure: drop the connection and schedule the next attempt; the first
 * failure of an outage is logged, later ones not.
 */
static void
note_outage(const char *what)
{
	if (CatalogBackoffFailed(&backoff))
	{
		char	   *desc = CatalogDescribe();

		elog(WARNING, "catalog unreachable (%s): %s; retrying with backoff up to catalog_retry_max (%lld ms)",
			 desc, what, (long long) catalog_retry_max);
		pfree(desc);
	}
	drop_connection();
}

/*
 * Load the topic registry from the catalog when it is stale; the first
 * successful load tells the postmaster the broker can open.  false means
 * the connection is to be dropped.
 */
static bool
sync_topics(char *err, size_t errlen)
{
	if (!topics_stale)
		return true;
	/* Partitions' next offsets come from the recovered WAL: wait for it. */
	if (!WalIsReady())
		return true;			/* the WAL writer sets our latch when it is */
	/* Idempotent producers' state, before any client can produce. */
	if (!ProducerStateRecover(conn, err, errlen))
		return false;
	if (!TopicsLoad(conn, err, errlen))
		return false;
	topics_stale = false;
	if (!topics_loaded_once)
	{
		topics_loaded_once = true;
		RegistrySetLoaded();
		SetLatch(AuxProcLatch(PROC_UPLOADER));
		SendPostmasterSignal(PMSIGNAL_TOPICS_LOADED);
	}
	return true;
}

/* Renew the lease; false means the connection is to be dropped. */
static bool
renew_lease(char *err, size_t errlen)
{
	bool		still_ours;

	if (!CatalogRenewLease(conn, broker_lease_time / 3, &still_ours, err, errlen))
		return false;
	if (!still_ours)
	{
		if (!fenced_logged)
			elog(WARNING, "broker %lld is no longer registered with epoch %lld in the catalog: another process took over this broker_id; not renewing the lease",
				 (long long) broker_id, (long long) CatalogBrokerEpoch);
		fenced_logged = true;
	}
	else
		fenced_logged = false;
	return true;
}

static void
mark_stopped(void)
{
	char		err[768];

	if (conn == NULL)
		return;
	if (!CatalogMarkBrokerStopped(conn, MARK_STOPPED_TIMEOUT_MS, err, sizeof(err)))
		elog(LOG, "could not mark broker %lld stopped in the catalog: %s", (long long) broker_id, err);
	else
		elog(DEBUG1, "broker %lld marked stopped in the catalog", (long long) broker_id);
}

/* Connect and LISTEN; false (and no connection) on failure. */
static bool
connect_and_listen(char *err, size_t errlen)
{
	conn = CatalogConnectWait("strata catalog worker", err, errlen);
	if (conn != NULL && !CatalogListen(conn, err, errlen))
		drop_connection();
	return conn != NULL;
}

void
CatalogWorkerMain(void)
{
	int64		next_renew = 0;		/* when the lease is next renewed */

	for (;;)
	{
		char		err[1024];
		int64		now;
		int64		wake;
		int			events;
		int			rc;

		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
		{
			mark_stopped();
			drop_connection();
			proc_exit(0);
		}
		ProcessConfigReloadIfPending();

		if (conn == NULL && CatalogBackoffDue(&backoff, MonotonicMs()))
		{
			if (!connect_and_listen(err, sizeof(err)))
				note_outage(err);
			else
			{
				next_renew = 0; /* renew at once */
				topics_stale = true;
			}
		}
		now = MonotonicMs();
		if (conn != NULL && now >= next_renew)
		{
			if (!renew_lease(err, sizeof(err)))
				note_outage(err);
			else
			{
				int64		lasted = CatalogBackoffSucceeded(&backoff);

				if (lasted >= 0)
					elog(LOG, "catalog reachable again after %.1f s; lease renewed",
						 (double) lasted / 1000.0);
				next_renew = MonotonicMs() + Max(broker_lease_time / 3, 1);
			}
		}
		if (conn != NULL &&
			(CatalogConsumeNotifications(conn) & CATALOG_CHANGED_PARTITIONS))
			topics_stale = true;
		if (conn != NULL && !sync_topics(err, sizeof(err)))
			note_outage(err);

		now = MonotonicMs();
		wake = conn != NULL ? next_renew : backoff.retry_at_ms;
		events = WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH;
		if (conn != NULL)
			events |= WL_SOCKET_READABLE;
		rc = WaitLatchOrSocket(MyLatch, events, conn ? PQsocket(conn) : -1,
							   (long) Max(wake - now, 0));
		if (conn != NULL && (rc & WL_SOCKET_READABLE))
		{
			if (!PQconsumeInput(conn) || PQstatus(conn) == CONNECTION_BAD)
			{
				CatalogConnError(conn, "connection lost", err, sizeof(err));
				note_outage(err);
			}
			else
			{
				if (CatalogConsumeNotifications(conn) & CATALOG_CHANGED_PARTITIONS)
					topics_stale = true;
				SetLatch(MyLatch);	/* reload at the top of the loop */
			}
		}
	}
}
