/*-------------------------------------------------------------------------
 *
 * catalogworker.c
 *	  The catalog worker: the auxiliary process that keeps this broker's
 *	  lease in the catalog alive and listens for the catalog's NOTIFYs.
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
 *	  drops the connection, logs the outage once, and reconnects with a
 *	  backoff that doubles from 100 ms up to catalog_retry_max; on success it
 *	  logs the recovery once, LISTENs again and renews the lease at once.
 *	  The rest of the broker keeps serving what it can meanwhile.
 *
 *	  On shutdown (SIGTERM) it marks the broker stopped, with its lease
 *	  expired, so that other brokers need not wait for the lease to run out.
 *
 *	  Later issues hang their work on the notifications received here
 *	  (loading topics and partitions into shared memory, opening partitions
 *	  when leadership moves).
 *
 * src/backend/catalog/catalogworker.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>

#include "balancer/loadreport.h"
#include "catalog/catalog.h"
#include "catalog/catalog_balancer.h"
#include "catalog/catalog_cluster.h"
#include "kafka/cluster.h"
#include "kafka/offsetstore.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "storage/wal.h"
#include "postmaster/pmsignal.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define BACKOFF_START_MS	100

static PGconn *conn = NULL;

/* Outage bookkeeping: logged once when it starts and once when it ends. */
static bool in_outage = false;
static int64 outage_start_ms = 0;
static int64 backoff_ms = BACKOFF_START_MS;
static bool fenced_logged = false;

static void
drop_connection(void)
{
	if (conn)
		PQfinish(conn);
	conn = NULL;
}

/* Note a failure: the first one of an outage is logged, later ones not. */
static void
note_outage(const char *what)
{
	if (!in_outage)
	{
		char	   *desc = CatalogDescribe();

		elog(WARNING, "catalog unreachable (%s): %s; retrying with backoff up to catalog_retry_max (%lld ms)",
			 desc, what, (long long) catalog_retry_max);
		pfree(desc);
		in_outage = true;
		outage_start_ms = MonotonicMs();
		backoff_ms = BACKOFF_START_MS;
	}
	else
		backoff_ms = Min(backoff_ms * 2, catalog_retry_max);
	drop_connection();
}

/*
 * Connect without blocking: PQconnectStartParams + PQconnectPoll, waiting
 * on the socket (and nothing else: a SIGTERM is looked at when this returns,
 * at most CATALOG_CONNECT_TIMEOUT seconds later).
 */
static PGconn *
worker_connect(char *err, size_t errlen)
{
	PGconn	   *c;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int64		deadline = MonotonicMs() + CATALOG_CONNECT_TIMEOUT * 1000;

	c = CatalogConnectStart("strata catalog worker", err, errlen);
	if (c == NULL)
		return NULL;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		int64		remaining = deadline - MonotonicMs();
		int			rc;

		if (remaining <= 0)
		{
			snprintf(err, errlen, "could not connect: timeout after %d s", CATALOG_CONNECT_TIMEOUT);
			PQfinish(c);
			return NULL;
		}
		rc = WaitLatchOrSocket(MyLatch,
							   (st == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE) |
							   WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							   PQsocket(c), (long) remaining);
		if (rc & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE))
			st = PQconnectPoll(c);
	}
	if (st == PGRES_POLLING_FAILED)
	{
		CatalogConnError(c, "could not connect", err, errlen);
		PQfinish(c);
		return NULL;
	}
	return c;
}

/*
 * Run one statement asynchronously, waiting on the socket at most
 * timeout_ms.  Returns the (last) result with an OK status, or NULL with
 * err set; after a NULL the connection may be unusable and the caller
 * drops it.
 */
static PGresult *
worker_exec(const char *sql, int nparams, const char *const *params,
			long timeout_ms, char *err, size_t errlen)
{
	int64		deadline = MonotonicMs() + timeout_ms;
	PGresult   *res;
	PGresult   *last = NULL;
	ExecStatusType st;

	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
	{
		CatalogConnError(conn, "could not send a query", err, errlen);
		return NULL;
	}
	while (PQisBusy(conn))
	{
		int64		remaining = deadline - MonotonicMs();
		int			rc;

		if (remaining <= 0)
		{
			snprintf(err, errlen, "no answer within %ld ms", timeout_ms);
			return NULL;
		}
		rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							   PQsocket(conn), (long) remaining);
		if ((rc & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
		{
			CatalogConnError(conn, "connection lost", err, errlen);
			return NULL;
		}
	}
	while ((res = PQgetResult(conn)) != NULL)
	{
		PQclear(last);
		last = res;
	}
	st = last ? PQresultStatus(last) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
	{
		CatalogConnError(conn, "query failed", err, errlen);
		if (last && PQresultErrorMessage(last)[0])
		{
			char		tmp[768];

			snprintf(tmp, sizeof(tmp), "query failed: %s", PQresultErrorMessage(last));
			for (char *p = tmp; *p; p++)
				if (*p == '\n')
					*p = ' ';
			snprintf(err, errlen, "%s", tmp);
		}
		PQclear(last);
		return NULL;
	}
	return last;
}

/* The registry needs (re)loading: at connect and on partition changes. */
static bool topics_stale = true;
static bool topics_loaded_once = false;
/* The cluster view needs (re)loading: at connect and on broker or slot changes. */
static bool cluster_stale = true;

static void
handle_notifications(void)
{
	PGnotify   *n;

	while ((n = PQnotifies(conn)) != NULL)
	{
		elog(DEBUG1, "catalog notification on %s: %s", n->relname, n->extra);
		if (strcmp(n->relname, CATALOG_CHANNEL_PARTITIONS) == 0)
			topics_stale = true;
		else if (strcmp(n->relname, CATALOG_CHANNEL_BROKERS) == 0 ||
				 strcmp(n->relname, CATALOG_CHANNEL_SLOTS) == 0)
			cluster_stale = true;
		else if (strcmp(n->relname, CATALOG_CHANNEL_RECOVERIES) == 0)
		{
			/* The uploader looks for recoveries assigned to it. */
			ClusterNoteRecoveryWork();
			SetLatch(AuxProcLatch(PROC_UPLOADER));
		}
		PQfreemem(n);
	}
}

/*
 * Coordinator slots that came to this broker or left it since the last
 * load: the offsets cached for their groups may be stale (the other
 * coordinator wrote to the catalog meanwhile), so they are forgotten.
 */
static void
forget_moved_slots(const int32 *leaders, int nslots)
{
	bool	   *moved = palloc0(sizeof(bool) * (size_t) Max(nslots, 1));
	bool		any = false;

	for (int s = 0; s < nslots; s++)
	{
		int32		was = ClusterSlotLeader(s, NULL);

		if (was != leaders[s] && (was == (int32) broker_id || leaders[s] == (int32) broker_id))
			moved[s] = any = true;
	}
	if (any)
		OffsetCacheForgetSlots(moved, nslots);
	pfree(moved);
}

/*
 * Load the brokers, the controller and the coordinator slots into shared
 * memory when the catalog announced a change.  false means the connection
 * is to be dropped.
 */
static bool
sync_cluster(char *err, size_t errlen)
{
	CatalogClusterView view;
	ClusterBroker *brokers;

	if (!cluster_stale)
		return true;
	if (!CatalogLoadCluster(conn, &view, err, errlen))
		return false;
	brokers = palloc0(sizeof(ClusterBroker) * (size_t) Max(view.nbrokers, 1));
	for (int i = 0; i < view.nbrokers; i++)
	{
		brokers[i].id = view.brokers[i].id;
		brokers[i].live = view.brokers[i].live;
		strlcpy_s(brokers[i].rack, view.brokers[i].rack, sizeof(brokers[i].rack));
		strlcpy_s(brokers[i].advertised, view.brokers[i].advertised, sizeof(brokers[i].advertised));
	}
	ClusterSetController(view.controller, view.controller_epoch);
	forget_moved_slots(view.slot_leaders, view.nslots);
	ClusterSetSlots(view.slot_leaders, view.slot_epochs, view.nslots);
	ClusterSetBrokers(brokers, view.nbrokers);
	pfree(brokers);
	CatalogFreeClusterView(&view);
	cluster_stale = false;
	return true;
}

/*
 * Load the topic registry from the catalog when it is stale; the first
 * successful load tells the postmaster the broker can open.  false means
 * the connection is to be dropped.
 */
static bool
sync_topics(char *err, size_t errlen)
{
	bool		handoffs;

	if (!topics_stale)
		return true;
	/* Partitions' next offsets come from the recovered WAL: wait for it. */
	if (!WalIsReady())
		return true;			/* the WAL writer sets our latch when it is */
	/* Idempotent producers' state, before any client can produce. */
	if (!ProducerStateRecover(conn, err, errlen))
		return false;
	if (!TopicsLoad(conn, !topics_loaded_once, &handoffs, err, errlen))
		return false;
	topics_stale = false;
	if (handoffs)
		SetLatch(AuxProcLatch(PROC_UPLOADER));
	if (!topics_loaded_once)
	{
		topics_loaded_once = true;
		RegistrySetLoaded();
		SetLatch(AuxProcLatch(PROC_UPLOADER));
		SendPostmasterSignal(PMSIGNAL_TOPICS_LOADED);
	}
	return true;
}

/*
 * Publish this broker's load with each lease renewal, in one statement:
 * its traffic and latencies, and each partition's traffic it measured
 * (balancer/loadreport.c), for strata.broker_load and the balancer.
 */
static bool
publish_load(char *err, size_t errlen)
{
	CatalogBrokerLoad load;
	CatalogPartitionLoad *parts;
	int			nparts;
	char	   *params[CATALOG_PUBLISH_LOAD_NPARAMS];
	PGresult   *res;

	LoadReportBuild(&load, &parts, &nparts);
	CatalogPublishLoadParams((int32) broker_id, CatalogBrokerEpoch, &load, parts, nparts, params);
	res = worker_exec(CatalogPublishLoadSQL, CATALOG_PUBLISH_LOAD_NPARAMS, (const char *const *) params,
					  broker_lease_time / 3, err, errlen);
	CatalogPublishLoadParamsFree(params);
	pfree(parts);
	if (res == NULL)
		return false;
	PQclear(res);
	LoadReportCommit();
	return true;
}

/* Renew the lease; false means the connection is to be dropped. */
static bool
renew_lease(char *err, size_t errlen)
{
	char		idbuf[24],
				epochbuf[24],
				leasebuf[24];
	const char *p[3] = {idbuf, epochbuf, leasebuf};
	PGresult   *res;
	int64		sent_ms;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) broker_id);
	snprintf(epochbuf, sizeof(epochbuf), "%lld", (long long) CatalogBrokerEpoch);
	snprintf(leasebuf, sizeof(leasebuf), "%lld", (long long) broker_lease_time);
	/* The lease runs from before the request left, never from its answer. */
	sent_ms = MonotonicMs();
	res = worker_exec(CatalogRenewLeaseSQL, 3, p, broker_lease_time / 3, err, errlen);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 0)
	{
		/*
		 * Fenced: the controller (or a broker started with our id) has
		 * bumped our epoch, so another broker may be recovering our WAL.
		 * Acknowledge nothing more, and have the postmaster restart this
		 * broker as a new incarnation (doc/cluster.md, "Fencing").
		 */
		ClusterSetFenced();
		if (!fenced_logged)
		{
			elog(WARNING, "broker %lld is no longer registered with epoch %lld in the catalog (fenced by the controller, or its broker_id taken over): acknowledging nothing more and restarting as a new incarnation",
				 (long long) broker_id, (long long) CatalogBrokerEpoch);
			SendPostmasterSignal(PMSIGNAL_FENCED);
		}
		fenced_logged = true;
	}
	else
	{
		fenced_logged = false;
		ClusterLeaseRenewed(sent_ms, broker_lease_time);
	}
	PQclear(res);
	return fenced_logged || publish_load(err, errlen);
}

/*
 * Stopping (SIGUSR2 from the postmaster): request the moves of everything
 * this broker leads to the other live brokers, once; then, as the uploader
 * completes them, tell the postmaster when nothing is led here any more.
 * With no other live broker there is nothing to hand off: done at once.
 * false means the connection is to be dropped (tried again after it).
 */
static bool handoff_requested = false;
static bool handoff_reported = false;

static bool
drive_handoff(char *err, size_t errlen)
{
	if (!HandoffRequestPending || handoff_reported)
		return true;
	if (!handoff_requested)
	{
		int			nmoves;

		if (!CatalogDrainBroker(conn, (int32) broker_id, CatalogBrokerEpoch, &nmoves, err, errlen))
			return false;
		handoff_requested = true;
		if (nmoves > 0)
			elog(LOG, "stopping: handing %d partition%s off to other brokers", nmoves, nmoves == 1 ? "" : "s");
		else if (PartitionCountLed() > 0)
		{
			elog(LOG, "stopping: no other live broker to hand partitions to; they stay with this broker");
			handoff_reported = true;
			SendPostmasterSignal(PMSIGNAL_HANDED_OFF);
			return true;
		}
	}
	if (PartitionCountLed() == 0)
	{
		handoff_reported = true;
		SendPostmasterSignal(PMSIGNAL_HANDED_OFF);
	}
	return true;
}

static void
mark_stopped(void)
{
	char		idbuf[24],
				epochbuf[24],
				err[768];
	const char *p[2] = {idbuf, epochbuf};
	PGresult   *res;

	if (conn == NULL)
		return;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) broker_id);
	snprintf(epochbuf, sizeof(epochbuf), "%lld", (long long) CatalogBrokerEpoch);
	res = worker_exec(CatalogMarkStoppedSQL, 2, p, 2000, err, sizeof(err));
	if (res == NULL)
		elog(LOG, "could not mark broker %lld stopped in the catalog: %s", (long long) broker_id, err);
	else
	{
		elog(DEBUG1, "broker %lld marked stopped in the catalog", (long long) broker_id);
		PQclear(res);
	}
}

void
CatalogWorkerMain(void)
{
	int64		next_attempt = 0;	/* when to try connecting again */
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

		now = MonotonicMs();
		if (conn == NULL && now >= next_attempt)
		{
			conn = worker_connect(err, sizeof(err));
			if (conn != NULL &&
				!CatalogExecScript(conn, "LISTEN " CATALOG_CHANNEL_BROKERS "; LISTEN " CATALOG_CHANNEL_PARTITIONS
								   "; LISTEN " CATALOG_CHANNEL_SLOTS "; LISTEN " CATALOG_CHANNEL_RECOVERIES,
								   err, sizeof(err)))
				drop_connection();
			if (conn == NULL)
			{
				note_outage(err);
				next_attempt = MonotonicMs() + backoff_ms;
			}
			else
			{
				next_renew = 0; /* renew at once */
				topics_stale = true;
				cluster_stale = true;
				/* NOTIFYs sent while we were away are lost: look for recoveries. */
				ClusterNoteRecoveryWork();
				SetLatch(AuxProcLatch(PROC_UPLOADER));
			}
		}
		now = MonotonicMs();
		if (conn != NULL && now >= next_renew)
		{
			if (!renew_lease(err, sizeof(err)))
			{
				note_outage(err);
				next_attempt = MonotonicMs() + backoff_ms;
			}
			else
			{
				if (in_outage)
				{
					elog(LOG, "catalog reachable again after %.1f s; lease renewed",
						 (double) (MonotonicMs() - outage_start_ms) / 1000.0);
					in_outage = false;
					backoff_ms = BACKOFF_START_MS;
				}
				next_renew = MonotonicMs() + Max(broker_lease_time / 3, 1);
			}
		}
		if (conn != NULL)
			handle_notifications();
		if (conn != NULL && !sync_cluster(err, sizeof(err)))
		{
			note_outage(err);
			next_attempt = MonotonicMs() + backoff_ms;
		}
		if (conn != NULL && !sync_topics(err, sizeof(err)))
		{
			note_outage(err);
			next_attempt = MonotonicMs() + backoff_ms;
		}
		if (conn != NULL && !drive_handoff(err, sizeof(err)))
		{
			note_outage(err);
			next_attempt = MonotonicMs() + backoff_ms;
		}

		now = MonotonicMs();
		wake = conn != NULL ? next_renew : next_attempt;
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
				next_attempt = MonotonicMs() + backoff_ms;
			}
			else
			{
				handle_notifications();
				SetLatch(MyLatch);	/* reload at the top of the loop */
			}
		}
	}
}
