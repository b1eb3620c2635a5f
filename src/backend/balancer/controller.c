/*-------------------------------------------------------------------------
 *
 * controller.c
 *	  The controller role: one broker of a cluster at a time fences brokers
 *	  whose lease has expired, has a live broker recover each one's WAL, and
 *	  gives coordinator slots and recoveries that have no live owner to live
 *	  brokers (doc/cluster.md).
 *
 *	  Election is a PostgreSQL advisory lock (CATALOG_CONTROLLER_LOCK_KEY)
 *	  held by a session of this process.  Every broker's balancer process
 *	  waits for it with pg_advisory_lock, sent asynchronously: the wait is in
 *	  the catalog, not a polling loop here.  The holder records itself in
 *	  strata.cluster (which every broker loads into its cluster view).
 *
 *	  The role must move when its holder dies or stops: a killed process's
 *	  session ends and PostgreSQL releases the lock at once; for a process
 *	  that is stopped (SIGSTOP) or cut off, the session is given
 *	  idle_session_timeout = broker_lease_time, and the controller runs a
 *	  statement at least every third of a lease, so PostgreSQL ends a silent
 *	  controller's session, and with it the lock, about one lease after it
 *	  went silent.
 *
 *	  Fencing is decided by the catalog's clock alone (lease_expires <=
 *	  now()), so a controller that is itself late fences nobody early.  The
 *	  checks run when the earliest lease may expire (the catalog says when)
 *	  and when a broker's registration changes (NOTIFY strata_brokers).
 *
 *	  Runs in the balancer process (postmaster/balancer.c); its connection
 *	  is its own.
 *
 * src/backend/balancer/controller.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "balancer/controller.h"
#include "catalog/catalog.h"
#include "catalog/catalog_balancer.h"
#include "catalog/catalog_brokers.h"
#include "catalog/catalog_cluster.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define RETRY_START_MS	100

static PGconn *conn = NULL;
static bool lock_sent = false;	/* pg_advisory_lock() in flight */
static bool is_controller = false;
static int64 controller_epoch = 0;
static int64 next_connect_ms = 0;
static int64 retry_ms = RETRY_START_MS;
static int64 next_check_ms = 0;	/* controller: next fencing check */
static int64 next_lock_ms = 0;	/* when to ask for the lock again */
static bool outage_logged = false;
static int	notified = 0;		/* CONTROLLER_NOTIFIED_* seen since taken */

static void
lose_connection(const char *why)
{
	if (!outage_logged)
		elog(LOG, "controller: catalog connection lost: %s; retrying", why);
	outage_logged = true;
	if (is_controller)
		elog(LOG, "controller: giving up the controller role (epoch %lld)", (long long) controller_epoch);
	if (conn)
		PQfinish(conn);
	conn = NULL;
	lock_sent = false;
	is_controller = false;
	next_connect_ms = MonotonicMs() + retry_ms;
	retry_ms = Min(retry_ms * 2, catalog_retry_max);
}

static void
try_connect(void)
{
	char		err[1024];

	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL)
	{
		lose_connection(err);
		return;
	}
	/*
	 * A silent session (this process stopped or cut off) must lose the
	 * lock: the catalog ends it after a lease of silence.
	 */
	if (!CatalogControllerSetIdleTimeout(conn, broker_lease_time, err, sizeof(err)))
		elog(WARNING, "controller: could not set idle_session_timeout (%s); a stopped controller keeps its role until its connection breaks", err);
	if (!CatalogControllerListen(conn, err, sizeof(err)))
	{
		lose_connection(err);
		return;
	}
	if (outage_logged)
		elog(LOG, "controller: catalog reachable again");
	outage_logged = false;
	retry_ms = RETRY_START_MS;
	next_lock_ms = 0;
}

/* Wait for the lock in the catalog (asynchronously). */
static void
send_lock_request(void)
{
	char		err[768];

	if (!CatalogControllerSendLockWait(conn, err, sizeof(err)))
	{
		lose_connection(err);
		return;
	}
	lock_sent = true;
}

/* The lock arrived: claim the role in strata.cluster. */
static void
lock_granted(void)
{
	char		err[1024];
	bool		acquired;

	if (!CatalogControllerLockWaitDone(conn, err, sizeof(err)))
	{
		lose_connection(err);
		return;
	}
	lock_sent = false;
	/* The lock is ours; CatalogControllerAcquire takes it again (re-entrant) and claims. */
	if (!CatalogControllerAcquire(conn, (int32) broker_id, CatalogBrokerEpoch, &acquired,
								  &controller_epoch, err, sizeof(err)))
	{
		lose_connection(err);
		return;
	}
	/*
	 * One unlock: with the role claimed, it undoes the second acquisition
	 * and the lock stays held; without (CatalogControllerAcquire released
	 * its own), it releases the lock we waited for.
	 */
	CatalogControllerUnlock(conn);
	if (!acquired)
	{
		/* Our registration is gone (fenced): let someone else have it. */
		next_lock_ms = MonotonicMs() + Max(broker_lease_time / 3, 100);
		return;
	}
	is_controller = true;
	next_check_ms = 0;
	notified = 0;
	elog(LOG, "controller: this broker is the controller (controller epoch %lld)", (long long) controller_epoch);
}

/* The controller's checks: fence the dead, place what has no owner. */
static void
controller_check(void)
{
	char		err[1024];
	CatalogFenced *fenced;
	int			nfenced;
	int64		next_expiry;
	int			changed;

	if (!CatalogFenceExpired(conn, &fenced, &nfenced, &next_expiry, err, sizeof(err)))
	{
		lose_connection(err);
		return;
	}
	for (int i = 0; i < nfenced; i++)
	{
		const char *why = fenced[i].stopped ? "it stopped still leading partitions" : "its lease expired";

		if (fenced[i].recovery_by >= 0)
			elog(LOG, "controller: fenced broker %d (%s; epoch now %lld); broker %d recovers its WAL and takes its partitions",
				 fenced[i].id, why, (long long) fenced[i].epoch, fenced[i].recovery_by);
		else
			elog(LOG, "controller: fenced broker %d (%s; epoch now %lld); no live broker can recover its WAL yet",
				 fenced[i].id, why, (long long) fenced[i].epoch);
	}
	if (fenced)
		pfree(fenced);
	if (!CatalogAssignOrphans(conn, &changed, err, sizeof(err)))
	{
		lose_connection(err);
		return;
	}
	if (changed > 0)
		elog(DEBUG1, "controller: assigned %d coordinator slots or WAL recoveries without a live owner", changed);

	/*
	 * Next check when the earliest lease may expire (a little after, so it
	 * has), and at least every third of a lease: that keeps the session
	 * from looking idle (idle_session_timeout) while we hold the role.
	 */
	{
		int64		wait = broker_lease_time / 3;

		if (next_expiry >= 0)
			wait = Min(wait, next_expiry + 50);
		next_check_ms = MonotonicMs() + Max(wait, 10);
	}
}

static void
drain_notifications(void)
{
	PGnotify   *n;

	while ((n = PQnotifies(conn)) != NULL)
	{
		if (strcmp(n->relname, CATALOG_CHANNEL_BROKERS) == 0)
		{
			/* A broker joined, left or changed state: look at once. */
			next_check_ms = 0;
			notified |= CONTROLLER_NOTIFIED_BROKERS;
		}
		else if (strcmp(n->relname, CATALOG_CHANNEL_PARTITIONS) == 0)
			notified |= CONTROLLER_NOTIFIED_PARTITIONS;
		else if (strcmp(n->relname, CATALOG_CHANNEL_BALANCER) == 0)
			notified |= CONTROLLER_NOTIFIED_BALANCER;
		PQfreemem(n);
	}
}

bool
ControllerIsActive(void)
{
	return is_controller;
}

PGconn *
ControllerConnection(void)
{
	return is_controller ? conn : NULL;
}

void
ControllerConnectionFailed(const char *why)
{
	lose_connection(why);
}

int
ControllerTakeNotifications(void)
{
	int			n = notified;

	notified = 0;
	return n;
}

void
ControllerShutdown(void)
{
	/* Our session's end releases the lock; the next broker takes over at once. */
	if (conn)
		PQfinish(conn);
	conn = NULL;
	is_controller = false;
}

int64
ControllerStep(int *socket_fd, int *events)
{
	int64		now = MonotonicMs();
	int64		wake;

	*socket_fd = -1;
	*events = 0;
	if (conn == NULL && now >= next_connect_ms)
		try_connect();
	if (conn != NULL && !is_controller && !lock_sent && MonotonicMs() >= next_lock_ms)
		send_lock_request();
	if (conn != NULL && (lock_sent || is_controller))
	{
		if (!PQconsumeInput(conn))
		{
			char		err[768];

			CatalogConnError(conn, "connection lost", err, sizeof(err));
			lose_connection(err);
		}
		else if (lock_sent && !PQisBusy(conn))
			lock_granted();
	}
	if (conn != NULL && is_controller)
	{
		drain_notifications();
		if (MonotonicMs() >= next_check_ms)
			controller_check();
	}

	now = MonotonicMs();
	if (conn == NULL)
		wake = next_connect_ms;
	else if (is_controller)
		wake = next_check_ms;
	else if (!lock_sent)
		wake = next_lock_ms;
	else
		wake = now + 60 * 1000;
	if (conn != NULL)
	{
		*socket_fd = PQsocket(conn);
		*events = WL_SOCKET_READABLE;
	}
	return Max(wake - now, 0);
}
