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
 *	  state is recovered (kafka/producer.c), users and ACLs by
 *	  kafka/security.c (SecurityCacheLoad), before the registry's first
 *	  load so that the broker never opens without them, the cluster view
 *	  (brokers, controller, coordinator slots) by catalog_cluster.c into
 *	  kafka/cluster.c.
 *
 *	  In a cluster (doc/cluster.md) it also: records each renewal in shared
 *	  memory (the lease deadline acknowledgements respect) and, when the
 *	  renewal finds this broker fenced, stops acknowledgements and has the
 *	  postmaster restart the broker as a new incarnation; publishes the
 *	  broker's load (balancer/loadreport.c) with each renewal; wakes the uploader for hand-offs
 *	  and WAL recoveries; and, when the broker stops (SIGUSR2), requests
 *	  the moves of everything it leads and tells the postmaster once they
 *	  are done.
 *
 * src/backend/postmaster/catalogworker.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "balancer/loadreport.h"
#include "catalog/catalog.h"
#include "catalog/catalog_balancer.h"
#include "catalog/catalog_brokers.h"
#include "catalog/catalog_cluster.h"
#include "kafka/cluster.h"
#include "kafka/group.h"
#include "kafka/offsetstore.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/security.h"
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
/* The catalog says 'alive' (registered 'starting': catalog_brokers.h). */
static bool alive_announced = false;
/* The cluster view needs (re)loading: at connect and on broker or slot changes. */
static bool cluster_stale = true;

/* Users and ACLs need (re)loading: at connect and on strata_security. */
static bool security_stale = true;

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
 * Load users and ACLs into shared memory when they are stale (kafka/
 * security.h).  false means the connection is to be dropped.
 */
static bool
sync_security(char *err, size_t errlen)
{
	if (!security_stale)
		return true;
	if (!SecurityCacheLoad(conn, err, errlen))
		return false;
	security_stale = false;
	return true;
}

/*
 * Load the topic registry from the catalog when it is stale.  After the
 * first successful load, the renewal that makes this broker 'alive' tells
 * the postmaster the broker can open (renew_lease), so users and ACLs are
 * loaded before it.  false means the connection is to be dropped.
 */
static bool
sync_topics(char *err, size_t errlen)
{
	bool		handoffs;

	if (!topics_stale || security_stale)
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
		/*
		 * The partitions led here are open: the next renewal, at once,
		 * makes this broker 'alive', which lets the balancer give it
		 * partitions, and then the postmaster opens the listeners.
		 */
		topics_loaded_once = true;
		RegistrySetLoaded();
		SetLatch(AuxProcLatch(PROC_UPLOADER));
		SetLatch(MyLatch);
	}
	return true;
}

/*
 * Which coordinator slots came to this broker or left it with the leaders
 * just loaded (palloc'd flags), and whether any did; *away flags those that
 * left.
 */
static bool
moved_slots(const int32 *leaders, int nslots, bool **moved, bool **away)
{
	bool		any = false;

	*moved = palloc0(sizeof(bool) * (size_t) Max(nslots, 1));
	*away = palloc0(sizeof(bool) * (size_t) Max(nslots, 1));
	for (int s = 0; s < nslots; s++)
	{
		int32		was = ClusterSlotLeader(s, NULL);

		if (was != leaders[s] && (was == (int32) broker_id || leaders[s] == (int32) broker_id))
		{
			(*moved)[s] = any = true;
			(*away)[s] = was == (int32) broker_id;
		}
	}
	return any;
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
	bool	   *moved,
			   *away,
				any_moved;

	if (!cluster_stale)
		return true;
	if (!CatalogLoadCluster(conn, &view, err, errlen))
		return false;
	brokers = palloc0(sizeof(ClusterBroker) * (size_t) Max(view.nbrokers, 1));
	for (int i = 0; i < view.nbrokers; i++)
	{
		brokers[i].id = view.brokers[i].id;
		/* A broker still starting does not accept clients yet: not listed. */
		brokers[i].live = view.brokers[i].live && strcmp(view.brokers[i].state, "starting") != 0;
		strlcpy_s(brokers[i].rack, view.brokers[i].rack, sizeof(brokers[i].rack));
		strlcpy_s(brokers[i].advertised, view.brokers[i].advertised, sizeof(brokers[i].advertised));
	}
	ClusterSetController(view.controller, view.controller_epoch);

	/*
	 * Offsets cached for the groups of a slot that came or went may be stale
	 * (the other coordinator wrote to the catalog meanwhile): forgotten
	 * before the new leaders are published, so that no backend serves them
	 * as the coordinator.  Groups of a slot that went are forgotten after,
	 * so that their waiting members answer NOT_COORDINATOR.
	 */
	any_moved = moved_slots(view.slot_leaders, view.nslots, &moved, &away);
	if (any_moved)
		OffsetCacheForgetSlots(moved, view.nslots);
	ClusterSetSlots(view.slot_leaders, view.slot_epochs, view.nslots);
	if (any_moved)
		GroupForgetSlots(away, view.nslots);
	pfree(moved);
	pfree(away);
	ClusterSetBrokers(brokers, view.nbrokers);
	pfree(brokers);
	CatalogFreeClusterView(&view);
	cluster_stale = false;
	return true;
}

/*
 * Publish this broker's load with each lease renewal, in one statement:
 * its traffic and latencies, and each partition's traffic it measured
 * (balancer/loadreport.c), for strata.broker_utilisation and the balancer.
 */
static bool
publish_load(char *err, size_t errlen)
{
	CatalogBrokerLoad load;
	CatalogPartitionLoad *parts;
	int			nparts;
	bool		ok;

	LoadReportBuild(&load, &parts, &nparts);
	ok = CatalogPublishLoad(conn, (int32) broker_id, CatalogBrokerEpoch, &load, parts, nparts,
							broker_lease_time / 3, err, errlen);
	pfree(parts);
	if (!ok)
		return false;
	LoadReportCommit();
	return true;
}

/*
 * Renew the lease; false means the connection is to be dropped.  The lease
 * runs from before the request left, never from its answer.
 */
static bool
renew_lease(char *err, size_t errlen)
{
	bool		still_ours;
	int64		sent_ms = MonotonicMs();

	if (!CatalogRenewLease(conn, broker_lease_time / 3, topics_loaded_once, &still_ours, err, errlen))
		return false;
	if (!still_ours)
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
		return true;
	}
	fenced_logged = false;
	ClusterLeaseRenewed(sent_ms, broker_lease_time);
	if (topics_loaded_once && !alive_announced)
	{
		alive_announced = true;
		SendPostmasterSignal(PMSIGNAL_TOPICS_LOADED);
	}
	return publish_load(err, errlen);
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

/* What the catalog announced: mark what is to be reloaded, wake the uploader. */
static void
consume_notifications(void)
{
	int			changed = CatalogConsumeNotifications(conn);

	if (changed & CATALOG_CHANGED_PARTITIONS)
		topics_stale = true;
	if (changed & (CATALOG_CHANGED_BROKERS | CATALOG_CHANGED_SLOTS))
		cluster_stale = true;
	if (changed & CATALOG_CHANGED_SECURITY)
		security_stale = true;
	if (changed & CATALOG_CHANGED_RECOVERIES)
	{
		/* The uploader looks for recoveries assigned to it. */
		ClusterNoteRecoveryWork();
		SetLatch(AuxProcLatch(PROC_UPLOADER));
	}
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
				cluster_stale = true;
				security_stale = true;
				/* NOTIFYs sent while we were away are lost: look for recoveries. */
				ClusterNoteRecoveryWork();
				SetLatch(AuxProcLatch(PROC_UPLOADER));
			}
		}
		now = MonotonicMs();
		/* Loaded and not yet 'alive' (nor fenced): renew at once. */
		if (conn != NULL &&
			(now >= next_renew || (topics_loaded_once && !alive_announced && !fenced_logged)))
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
		if (conn != NULL)
			consume_notifications();
		if (conn != NULL && !sync_security(err, sizeof(err)))
			note_outage(err);
		if (conn != NULL && !sync_cluster(err, sizeof(err)))
			note_outage(err);
		if (conn != NULL && !sync_topics(err, sizeof(err)))
			note_outage(err);
		if (conn != NULL && !drive_handoff(err, sizeof(err)))
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
				consume_notifications();
				SetLatch(MyLatch);	/* reload at the top of the loop */
			}
		}
	}
}
