/*-------------------------------------------------------------------------
 *
 * catalog_brokers.c
 *	  Brokers in the catalog: registering this broker, keeping its lease,
 *	  marking it stopped, and its upload status (see
 *	  include/catalog/catalog_brokers.h for transactions and locks).
 *
 *	  CatalogStartupCheck runs in the postmaster before shared memory is
 *	  created: a broker that cannot reach its catalog, whose catalog is from
 *	  a newer Strata, or whose broker_id is held by another live broker must
 *	  not start at all, and the operator gets one line saying why.
 *
 *	  Registration bumps the broker's epoch.  Everything the broker later
 *	  writes about itself is conditional on that epoch (WHERE epoch = $n), so
 *	  once someone else has taken over the id (a restart elsewhere, or a
 *	  fencing balancer) the old incarnation's writes match no row.
 *
 * src/backend/catalog/catalog_brokers.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <limits.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/catalog_brokers.h"
#include "catalog_int.h"
#include "utils/elog.h"
#include "utils/guc.h"

int64		CatalogBrokerEpoch = 0;

/* ---------- registration ---------- */

/* The absolute data directory as registered (host + data_dir identify us). */
static char *
registered_data_dir(void)
{
	char		buf[PATH_MAX];

	if (DataDir && realpath(DataDir, buf) != NULL)
		return pstrdup(buf);
	return pstrdup(DataDir ? DataDir : "");
}

static char *
registered_host(void)
{
	char		buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		return pstrdup("localhost");
	buf[sizeof(buf) - 1] = '\0';
	return pstrdup(buf);
}

static char *
effective_wal_device(const char *datadir)
{
	if (wal_device && wal_device[0])
		return pstrdup(wal_device);
	return psprintf("%s/wal/strata.wal", datadir);
}

/*
 * Register this broker.  One transaction: make sure a row exists, lock it
 * (FOR UPDATE: two brokers starting with one id are serialised here), look
 * at who holds it, then take it over with epoch + 1.
 */
static bool
register_broker(PGconn *conn, char *err, size_t errlen)
{
	char		e[768];
	char		idbuf[24];
	char		leasebuf[24];
	char		pidbuf[24];
	char	   *host = registered_host();
	char	   *datadir = registered_data_dir();
	char	   *wal = effective_wal_device(datadir);
	const char *adv = (advertised_listeners && advertised_listeners[0]) ? advertised_listeners : listeners;
	PGresult   *res;
	bool		ok = false;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) broker_id);
	snprintf(leasebuf, sizeof(leasebuf), "%lld", (long long) broker_lease_time);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int) getpid());

	if (!CatalogExec(conn, "BEGIN", 0, NULL, e, sizeof(e)))
		goto fail;
	{
		const char *p[5] = {idbuf, listeners, adv, host, datadir};

		if (!CatalogExec(conn,
						 "INSERT INTO strata.brokers (id, listeners, advertised_listeners, host, data_dir, state, epoch)"
						 " VALUES ($1, $2, $3, $4, $5, 'stopped', 0) ON CONFLICT (id) DO NOTHING",
						 5, p, e, sizeof(e)))
			goto fail;
	}
	{
		const char *p[1] = {idbuf};

		res = CatalogQuery(conn,
						   "SELECT host, data_dir, listeners, pid,"
						   " (state IN ('starting', 'alive') AND lease_expires > now()) AS live,"
						   " to_char(lease_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'"
						   " FROM strata.brokers WHERE id = $1 FOR UPDATE",
						   1, p, e, sizeof(e));
		if (res == NULL)
			goto fail;
		if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 4), "t") == 0 &&
			(strcmp(PQgetvalue(res, 0, 0), host) != 0 ||
			 strcmp(PQgetvalue(res, 0, 1), datadir) != 0))
		{
			snprintf(err, errlen,
					 "broker_id %s is already registered in the catalog by a live broker (listeners %s, data directory %s on host %s, pid %s, lease valid until %s); give this broker another broker_id, or stop the other one and wait for its lease to expire",
					 idbuf, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0),
					 PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 5));
			PQclear(res);
			CatalogRollback(conn);
			goto out;
		}
		PQclear(res);
	}
	{
		const char *p[7] = {idbuf, listeners, adv, host, datadir, pidbuf, leasebuf};
		const char *p9[9] = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], wal,
		broker_rack && broker_rack[0] ? broker_rack : NULL};

		res = CatalogQuery(conn,
						   "UPDATE strata.brokers SET listeners = $2, advertised_listeners = $3,"
						   " host = $4, data_dir = $5, pid = $6, state = 'starting', epoch = epoch + 1,"
						   " lease_expires = now() + $7::bigint * interval '1 millisecond',"
						   " last_heartbeat = now(), wal_device = $8, rack = $9"
						   " WHERE id = $1 RETURNING epoch",
						   9, p9, e, sizeof(e));
		if (res == NULL)
			goto fail;
		CatalogBrokerEpoch = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	{
		/*
		 * A recovery of our WAL by another broker that has not finished is
		 * superseded: we recover it ourselves now (its commit is conditional
		 * on the recovery still pending and on our old stream epochs).
		 */
		const char *p[1] = {idbuf};

		if (!CatalogExec(conn,
						 "UPDATE strata.wal_recoveries SET state = 'superseded', finished = clock_timestamp()"
						 " WHERE broker_id = $1 AND state = 'pending'",
						 1, p, e, sizeof(e)))
			goto fail;
	}
	if (!CatalogExec(conn, "COMMIT", 0, NULL, e, sizeof(e)))
		goto fail;
	ok = true;
	goto out;

fail:
	CatalogRollback(conn);
	snprintf(err, errlen, "could not register broker_id %s in the catalog: %s", idbuf, e);
out:
	pfree(host);
	pfree(datadir);
	pfree(wal);
	return ok;
}

bool
CatalogStartupCheck(char *err, size_t errlen)
{
	PGconn	   *conn;
	int			applied = 0;
	char		e[1024];

	conn = CatalogConnect(err, errlen);
	if (conn == NULL)
		return false;
	if (!CatalogMigrate(conn, &applied, e, sizeof(e)))
	{
		char	   *desc = CatalogDescribe();

		snprintf(err, errlen, "catalog (%s): %s", desc, e);
		pfree(desc);
		PQfinish(conn);
		return false;
	}
	if (applied > 0)
		elog(LOG, "catalog schema upgraded to version %d (%d migration%s applied)",
			 CatalogSchemaVersion(), applied, applied == 1 ? "" : "s");
	if (!register_broker(conn, err, errlen))
	{
		PQfinish(conn);
		return false;
	}
	elog(LOG, "registered as broker %lld in the catalog, epoch %lld",
		 (long long) broker_id, (long long) CatalogBrokerEpoch);
	PQfinish(conn);
	return true;
}

/* ---------- the lease ---------- */

bool
CatalogRenewLease(PGconn *conn, long timeout_ms, bool ready, bool *still_ours, char *err, size_t errlen)
{
	char		idbuf[24],
				epochbuf[24],
				leasebuf[24];
	const char *p[4] = {idbuf, epochbuf, leasebuf, ready ? "true" : "false"};
	PGresult   *res;
	CatalogWaitResult r;

	CatalogInt64Text(broker_id, idbuf);
	CatalogInt64Text(CatalogBrokerEpoch, epochbuf);
	CatalogInt64Text(broker_lease_time, leasebuf);
	r = CatalogQueryWait(conn,
						 "UPDATE strata.brokers SET lease_expires = now() + $3::bigint * interval '1 millisecond',"
						 " last_heartbeat = now(),"
						 " state = CASE WHEN state = 'stopping' THEN 'stopping'"
						 "              WHEN $4::boolean THEN 'alive' ELSE 'starting' END"
						 " WHERE id = $1 AND epoch = $2 RETURNING 1",
						 4, p, timeout_ms, false, &res, err, errlen);
	if (r != CATALOG_WAIT_OK)
	{
		if (r == CATALOG_WAIT_REJECTED)
		{
			char		tmp[768];

			snprintf(tmp, sizeof(tmp), "query failed: %s", err);
			strlcpy_s(err, tmp, errlen);
		}
		return false;
	}
	*still_ours = PQntuples(res) > 0;
	PQclear(res);
	return true;
}

bool
CatalogMarkBrokerStopped(PGconn *conn, long timeout_ms, char *err, size_t errlen)
{
	char		idbuf[24],
				epochbuf[24];
	const char *p[2] = {idbuf, epochbuf};
	PGresult   *res;

	CatalogInt64Text(broker_id, idbuf);
	CatalogInt64Text(CatalogBrokerEpoch, epochbuf);
	if (CatalogQueryWait(conn,
						 "UPDATE strata.brokers SET state = 'stopped', lease_expires = now(), pid = NULL"
						 " WHERE id = $1 AND epoch = $2",
						 2, p, timeout_ms, false, &res, err, errlen) != CATALOG_WAIT_OK)
		return false;
	PQclear(res);
	return true;
}

/* ---------- upload status ---------- */

bool
CatalogReportUploadStatus(PGconn *conn, const CatalogUploadStatus *st, char *err, size_t errlen)
{
	char		me[24],
				pend[24],
				trim[24],
				flushed[24],
				last[24];
	const char *params[6] = {me, pend, trim, flushed, NULL, st->last_error};

	CatalogInt64Text(broker_id, me);
	snprintf(pend, sizeof(pend), "%llu", (unsigned long long) st->pending_bytes);
	snprintf(trim, sizeof(trim), "%llu", (unsigned long long) st->wal_trim_lsn);
	snprintf(flushed, sizeof(flushed), "%llu", (unsigned long long) st->wal_flushed_lsn);
	if (st->last_upload_ms > 0)
		params[4] = CatalogInt64Text(st->last_upload_ms, last);
	return CatalogExec(conn,
					   "INSERT INTO strata.broker_uploads AS u "
					   "  (broker_id, pending_bytes, wal_trim_lsn, wal_flushed_lsn, last_upload, last_error, updated) "
					   "VALUES ($1::int, $2::bigint, $3::bigint, $4::bigint, "
					   "        to_timestamp($5::bigint / 1000.0), $6, now()) "
					   "ON CONFLICT (broker_id) DO UPDATE SET pending_bytes = excluded.pending_bytes, "
					   "  wal_trim_lsn = excluded.wal_trim_lsn, wal_flushed_lsn = excluded.wal_flushed_lsn, "
					   "  last_upload = coalesce(excluded.last_upload, u.last_upload), "
					   "  last_error = excluded.last_error, updated = now()",
					   6, params, err, errlen);
}
