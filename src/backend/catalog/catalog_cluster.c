/*-------------------------------------------------------------------------
 *
 * catalog_cluster.c
 *	  The catalog's side of the cluster: brokers, controller, coordinator
 *	  slots, placement, fencing, moves and WAL recoveries (see
 *	  catalog/catalog_cluster.h for the transactions and locks each takes).
 *
 * src/backend/catalog/catalog_cluster.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdlib.h>

#include "catalog/catalog.h"
#include "catalog/catalog_balancer.h"
#include "catalog/catalog_cluster.h"
#include "catalog_int.h"

#define I64(buf, v)	snprintf((buf), sizeof(buf), "%lld", (long long) (v))

static void
rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}

static int32
get_int_or(PGresult *res, int row, int col, int32 dflt)
{
	return PQgetisnull(res, row, col) ? dflt : (int32) atoi(PQgetvalue(res, row, col));
}

/* ---------- loading the view ---------- */

bool
CatalogLoadCluster(PGconn *conn, CatalogClusterView *view, char *err, size_t errlen)
{
	PGresult   *b = NULL,
			   *c = NULL,
			   *s = NULL;

	memset(view, 0, sizeof(*view));
	view->controller = -1;
	if (!CatalogExec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err, errlen))
		return false;
	b = CatalogQuery(conn,
					 "SELECT id, strata.broker_live(state, lease_expires), epoch, state,"
					 " coalesce(rack, ''), advertised_listeners FROM strata.brokers ORDER BY id",
					 0, NULL, err, errlen);
	if (b != NULL)
		c = CatalogQuery(conn, "SELECT controller, controller_epoch FROM strata.cluster",
						 0, NULL, err, errlen);
	if (c != NULL)
		s = CatalogQuery(conn, "SELECT slot, leader, leader_epoch FROM strata.coordinator_slots ORDER BY slot",
						 0, NULL, err, errlen);
	if (s == NULL || !CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
	{
		PQclear(b);
		PQclear(c);
		PQclear(s);
		rollback(conn);
		return false;
	}

	view->nbrokers = PQntuples(b);
	view->brokers = palloc0(sizeof(CatalogBroker) * (size_t) Max(view->nbrokers, 1));
	for (int i = 0; i < view->nbrokers; i++)
	{
		CatalogBroker *cb = &view->brokers[i];

		cb->id = atoi(PQgetvalue(b, i, 0));
		cb->live = strcmp(PQgetvalue(b, i, 1), "t") == 0;
		cb->epoch = strtoll(PQgetvalue(b, i, 2), NULL, 10);
		strlcpy_s(cb->state, PQgetvalue(b, i, 3), sizeof(cb->state));
		strlcpy_s(cb->rack, PQgetvalue(b, i, 4), sizeof(cb->rack));
		strlcpy_s(cb->advertised, PQgetvalue(b, i, 5), sizeof(cb->advertised));
	}
	if (PQntuples(c) == 1)
	{
		view->controller = get_int_or(c, 0, 0, -1);
		view->controller_epoch = strtoll(PQgetvalue(c, 0, 1), NULL, 10);
	}
	view->nslots = PQntuples(s);
	view->slot_leaders = palloc(sizeof(int32) * (size_t) Max(view->nslots, 1));
	view->slot_epochs = palloc(sizeof(int32) * (size_t) Max(view->nslots, 1));
	for (int i = 0; i < view->nslots; i++)
	{
		view->slot_leaders[i] = get_int_or(s, i, 1, -1);
		view->slot_epochs[i] = get_int_or(s, i, 2, 0);
	}
	PQclear(b);
	PQclear(c);
	PQclear(s);
	return true;
}

void
CatalogFreeClusterView(CatalogClusterView *view)
{
	if (view->brokers)
		pfree(view->brokers);
	if (view->slot_leaders)
		pfree(view->slot_leaders);
	if (view->slot_epochs)
		pfree(view->slot_epochs);
	memset(view, 0, sizeof(*view));
}

/* ---------- placement ---------- */

bool
CatalogPlacePartitions(PGconn *conn, int n, int32 fallback, int32 *leaders,
					   char *err, size_t errlen)
{
	PGresult   *res;
	int			nb;
	int64	   *load;

	res = CatalogQuery(conn,
					   "SELECT b.id, (SELECT count(*) FROM strata.partitions p"
					   "              WHERE coalesce(p.target_broker, p.leader) = b.id)"
					   " FROM strata.brokers b WHERE strata.broker_live(b.state, b.lease_expires)"
					   " ORDER BY b.id",
					   0, NULL, err, errlen);
	if (res == NULL)
		return false;
	nb = PQntuples(res);
	if (nb == 0)
	{
		for (int i = 0; i < n; i++)
			leaders[i] = fallback;
		PQclear(res);
		return true;
	}
	load = palloc(sizeof(int64) * (size_t) nb);
	for (int j = 0; j < nb; j++)
		load[j] = strtoll(PQgetvalue(res, j, 1), NULL, 10);
	/* Each partition to the least loaded broker, lowest id among equals. */
	for (int i = 0; i < n; i++)
	{
		int			best = 0;

		for (int j = 1; j < nb; j++)
			if (load[j] < load[best])
				best = j;
		leaders[i] = atoi(PQgetvalue(res, best, 0));
		load[best]++;
	}
	pfree(load);
	PQclear(res);
	return true;
}

bool
CatalogBrokerLive(PGconn *conn, int32 id, bool *exists, bool *live, char *err, size_t errlen)
{
	char		idbuf[24];
	const char *p[1] = {idbuf};
	PGresult   *res;

	I64(idbuf, id);
	res = CatalogQuery(conn, "SELECT strata.broker_live(state, lease_expires) FROM strata.brokers WHERE id = $1",
					   1, p, err, errlen);
	if (res == NULL)
		return false;
	*exists = PQntuples(res) == 1;
	*live = *exists && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return true;
}

/* ---------- the controller ---------- */

bool
CatalogControllerAcquire(PGconn *conn, int32 broker_id, int64 broker_epoch,
						 bool *acquired, int64 *controller_epoch, char *err, size_t errlen)
{
	PGresult   *res;
	char		idbuf[24],
				epochbuf[24];
	const char *p[2] = {idbuf, epochbuf};

	*acquired = false;
	res = CatalogQuery(conn, "SELECT pg_try_advisory_lock(" CATALOG_CONTROLLER_LOCK_KEY ")",
					   0, NULL, err, errlen);
	if (res == NULL)
		return false;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
	{
		PQclear(res);
		return true;
	}
	PQclear(res);
	I64(idbuf, broker_id);
	I64(epochbuf, broker_epoch);
	res = CatalogQuery(conn,
					   "UPDATE strata.cluster SET controller = $1::int, controller_epoch = controller_epoch + 1"
					   " WHERE EXISTS (SELECT 1 FROM strata.brokers WHERE id = $1::int AND epoch = $2::bigint"
					   "               AND state IN ('starting', 'alive'))"
					   " RETURNING controller_epoch",
					   2, p, err, errlen);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		*acquired = true;
		*controller_epoch = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	if (!*acquired)
		CatalogControllerUnlock(conn);
	return true;
}

bool
CatalogControllerSetIdleTimeout(PGconn *conn, int64 idle_ms, char *err, size_t errlen)
{
	char		sql[64];

	snprintf(sql, sizeof(sql), "SET idle_session_timeout = %lld", (long long) idle_ms);
	return CatalogExecScript(conn, sql, err, errlen);
}

bool
CatalogControllerListen(PGconn *conn, char *err, size_t errlen)
{
	return CatalogExecScript(conn, "LISTEN " CATALOG_CHANNEL_BROKERS "; LISTEN " CATALOG_CHANNEL_PARTITIONS
							 "; LISTEN " CATALOG_CHANNEL_BALANCER, err, errlen);
}

bool
CatalogControllerSendLockWait(PGconn *conn, char *err, size_t errlen)
{
	if (PQsendQuery(conn, "SELECT pg_advisory_lock(" CATALOG_CONTROLLER_LOCK_KEY ")"))
		return true;
	CatalogConnError(conn, "could not send a query", err, errlen);
	return false;
}

bool
CatalogControllerLockWaitDone(PGconn *conn, char *err, size_t errlen)
{
	PGresult   *res;
	bool		ok = true;

	/* Read every result, so that the connection is ready for the next query. */
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (ok && PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			CatalogConnError(conn, "pg_advisory_lock failed", err, errlen);
			ok = false;
		}
		PQclear(res);
	}
	return ok;
}

void
CatalogControllerUnlock(PGconn *conn)
{
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" CATALOG_CONTROLLER_LOCK_KEY ")"));
}

bool
CatalogFenceExpired(PGconn *conn, CatalogFenced **fenced, int *nfenced,
					int64 *next_expiry_ms, char *err, size_t errlen)
{
	PGresult   *res;
	int			n;

	*fenced = NULL;
	*nfenced = 0;
	*next_expiry_ms = -1;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		return false;

	/*
	 * Dead: a lease that expired while the broker was starting, alive or
	 * stopping, or a stopped broker that still leads partitions (a stop
	 * that could not hand them off: its WAL may hold data not yet in
	 * objects, so it is recovered like a dead broker's).
	 */
	res = CatalogQuery(conn,
					   "WITH dead AS (SELECT b.id, b.state = 'stopped' AS stopped FROM strata.brokers b"
					   "  WHERE (b.state IN ('starting', 'alive', 'stopping') AND coalesce(b.lease_expires <= now(), true))"
					   "     OR (b.state = 'stopped' AND EXISTS (SELECT 1 FROM strata.partitions p WHERE p.leader = b.id))"
					   "  FOR UPDATE OF b)"
					   " UPDATE strata.brokers b SET state = 'fenced', epoch = b.epoch + 1 FROM dead WHERE b.id = dead.id"
					   " RETURNING b.id, b.epoch, b.wal_device, b.host, dead.stopped",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	n = PQntuples(res);
	if (n > 0)
		*fenced = palloc0(sizeof(CatalogFenced) * (size_t) n);
	for (int i = 0; i < n; i++)
	{
		CatalogFenced *f = &(*fenced)[i];
		const char *p[4];
		PGresult   *r2;

		f->id = atoi(PQgetvalue(res, i, 0));
		f->epoch = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		f->recovery_by = -1;
		f->stopped = strcmp(PQgetvalue(res, i, 4), "t") == 0;
		p[0] = PQgetvalue(res, i, 0);
		p[1] = PQgetvalue(res, i, 1);
		p[2] = PQgetisnull(res, i, 2) ? "" : PQgetvalue(res, i, 2);
		p[3] = PQgetvalue(res, i, 3);
		r2 = CatalogQuery(conn,
						  "INSERT INTO strata.wal_recoveries (broker_id, broker_epoch, wal_device, host, assigned_to)"
						  " VALUES ($1::int, $2::bigint, $3, $4, strata.least_loaded_broker($1::int))"
						  " RETURNING assigned_to",
						  4, p, err, errlen);
		if (r2 == NULL)
		{
			PQclear(res);
			goto fail;
		}
		f->recovery_by = get_int_or(r2, 0, 0, -1);
		PQclear(r2);
		if (!CatalogExec(conn, "SELECT strata.reassign_slots($1::int)", 1, p, err, errlen))
		{
			PQclear(res);
			goto fail;
		}
	}
	PQclear(res);
	*nfenced = n;

	res = CatalogQuery(conn,
					   "SELECT ceil(extract(epoch FROM min(lease_expires) - now()) * 1000)::bigint"
					   " FROM strata.brokers WHERE state IN ('starting', 'alive', 'stopping')",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	if (!PQgetisnull(res, 0, 0))
		*next_expiry_ms = Max(strtoll(PQgetvalue(res, 0, 0), NULL, 10), 0);
	PQclear(res);
	return CatalogExec(conn, "COMMIT", 0, NULL, err, errlen);

fail:
	rollback(conn);
	if (*fenced)
		pfree(*fenced);
	*fenced = NULL;
	*nfenced = 0;
	return false;
}

bool
CatalogAssignOrphans(PGconn *conn, int *changed, char *err, size_t errlen)
{
	PGresult   *res;

	*changed = 0;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		return false;
	res = CatalogQuery(conn,
					   "UPDATE strata.wal_recoveries r SET assigned_to = strata.least_loaded_broker(r.broker_id)"
					   " WHERE r.state = 'pending' AND (r.assigned_to IS NULL OR NOT EXISTS"
					   "   (SELECT 1 FROM strata.brokers b WHERE b.id = r.assigned_to"
					   "    AND strata.broker_live(b.state, b.lease_expires)))"
					   " AND strata.least_loaded_broker(r.broker_id) IS NOT NULL"
					   " RETURNING 1",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	*changed += PQntuples(res);
	PQclear(res);
	/* Slots whose leader is gone or not live. */
	res = CatalogQuery(conn,
					   "SELECT sum(strata.reassign_slots(x.leader))::int FROM"
					   " (SELECT DISTINCT c.leader FROM strata.coordinator_slots c"
					   "  LEFT JOIN strata.brokers b ON b.id = c.leader"
					   "  WHERE c.leader IS NULL OR NOT strata.broker_live(b.state, b.lease_expires)) x",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	if (!PQgetisnull(res, 0, 0))
		*changed += atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	/* Partitions nobody leads (their broker's row was removed). */
	res = CatalogQuery(conn,
					   "SELECT strata.reassign_partitions(NULL, 'orphan') + strata.balance_slots()",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	*changed += atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return CatalogExec(conn, "COMMIT", 0, NULL, err, errlen);

fail:
	rollback(conn);
	return false;
}

/* ---------- moves ---------- */

bool
CatalogMovePartition(PGconn *conn, const char *topic, int32 partition, int32 broker,
					 const char *reason, int64 *move_id, CatalogMoveRefusal *refused,
					 char *err, size_t errlen)
{
	char		pbuf[24],
				bbuf[24];
	const char *p[4] = {topic, pbuf, bbuf, reason};
	PGresult   *res;
	ExecStatusType st;

	*move_id = 0;
	*refused = MOVE_NOT_REFUSED;
	I64(pbuf, partition);
	I64(bbuf, broker);
	res = PQexecParams(conn, "SELECT strata.move_partition($1, $2::int, $3::int, $4)",
					   4, NULL, p, NULL, NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK)
	{
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

		/*
		 * strata.move_partition's refusals: no_data_found (the topic or
		 * partition), undefined_object and object_not_in_prerequisite_state
		 * (the brokers).
		 */
		if (state && msg && (strcmp(state, "P0002") == 0 || strcmp(state, "42704") == 0 ||
							 strcmp(state, "55000") == 0))
		{
			*refused = strcmp(state, "P0002") == 0 ? MOVE_REFUSED_PARTITION : MOVE_REFUSED_BROKER;
			snprintf(err, errlen, "%s%s%s", msg, hint ? "; " : "", hint ? hint : "");
		}
		else
			CatalogConnError(conn, "catalog query failed", err, errlen);
		PQclear(res);
		return false;
	}
	if (!PQgetisnull(res, 0, 0))
		*move_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool
CatalogListMoves(PGconn *conn, CatalogMove **moves, int *n, char *err, size_t errlen)
{
	PGresult   *res = CatalogQuery(conn,
								   "SELECT topic, partition, from_broker, to_broker FROM strata.partition_moves"
								   " WHERE state = 'pending' ORDER BY topic, partition",
								   0, NULL, err, errlen);

	*moves = NULL;
	*n = 0;
	if (res == NULL)
		return false;
	*n = PQntuples(res);
	*moves = palloc0(sizeof(CatalogMove) * (size_t) Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		strlcpy_s((*moves)[i].topic, PQgetvalue(res, i, 0), sizeof((*moves)[i].topic));
		(*moves)[i].partition = atoi(PQgetvalue(res, i, 1));
		(*moves)[i].from_broker = get_int_or(res, i, 2, -1);
		(*moves)[i].to_broker = atoi(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	return true;
}

bool
CatalogCancelMove(PGconn *conn, const char *topic, int32 partition, bool *found,
				  char *err, size_t errlen)
{
	char		pbuf[24];
	const char *p[2] = {topic, pbuf};
	PGresult   *res;

	I64(pbuf, partition);
	*found = false;
	res = CatalogQuery(conn,
					   "WITH m AS (UPDATE strata.partition_moves SET state = 'cancelled', finished = clock_timestamp()"
					   "           WHERE topic = $1 AND partition = $2::int AND state = 'pending'"
					   "           RETURNING topic_id, partition)"
					   " UPDATE strata.partitions p SET target_broker = NULL FROM m"
					   " WHERE p.topic_id = m.topic_id AND p.index = m.partition RETURNING 1",
					   2, p, err, errlen);
	if (res == NULL)
		return false;
	*found = PQntuples(res) > 0;
	PQclear(res);
	return true;
}

bool
CatalogDrainBroker(PGconn *conn, int32 broker_id, int64 broker_epoch, int *nmoves,
				   char *err, size_t errlen)
{
	char		idbuf[24],
				epochbuf[24];
	const char *p[2] = {idbuf, epochbuf};
	PGresult   *res;

	*nmoves = 0;
	I64(idbuf, broker_id);
	I64(epochbuf, broker_epoch);
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		return false;
	res = CatalogQuery(conn, "SELECT strata.drain_broker($1::int)", 1, p, err, errlen);
	if (res == NULL)
		goto fail;
	*nmoves = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	/* Stopping: no longer a candidate for placement, moves or recoveries. */
	res = CatalogQuery(conn,
					   "UPDATE strata.brokers SET state = 'stopping' WHERE id = $1::int AND epoch = $2::bigint"
					   " RETURNING 1",
					   2, p, err, errlen);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		*nmoves = 0;
		rollback(conn);			/* fenced: nothing of ours to hand off */
		return true;
	}
	PQclear(res);
	return CatalogExec(conn, "COMMIT", 0, NULL, err, errlen);

fail:
	rollback(conn);
	return false;
}

bool
CatalogHandoffInTxn(PGconn *conn, int32 broker_id, uint64 stream_id, int64 end_offset,
					bool *handed, int32 *leader_epoch, char *err, size_t errlen)
{
	char		idbuf[24],
				sbuf[24],
				ebuf[24];
	const char *p[3] = {idbuf, sbuf, ebuf};
	PGresult   *res;

	I64(idbuf, broker_id);
	I64(sbuf, stream_id);
	I64(ebuf, end_offset);
	*handed = false;
	res = CatalogQuery(conn,
					   "UPDATE strata.partitions SET leader = target_broker, leader_epoch = leader_epoch + 1,"
					   " target_broker = NULL"
					   " WHERE stream_id = $2::bigint AND leader = $1::int AND target_broker IS NOT NULL"
					   " RETURNING topic_id, index, leader_epoch",
					   2, p, err, errlen);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		const char *q[4] = {PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), ebuf, sbuf};

		*handed = true;
		*leader_epoch = atoi(PQgetvalue(res, 0, 2));
		if (!CatalogExec(conn,
						 "UPDATE strata.partition_moves SET state = 'done', finished = clock_timestamp(),"
						 " end_offset = $3::bigint"
						 " WHERE topic_id = $1::uuid AND partition = $2::int AND state = 'pending'",
						 3, q, err, errlen) ||
			!CatalogExec(conn, "UPDATE strata.streams SET state = 'closed' WHERE id = $1::bigint",
						 1, &q[3], err, errlen))
		{
			PQclear(res);
			return false;
		}
	}
	PQclear(res);
	return true;
}

/* ---------- WAL recoveries ---------- */

bool
CatalogRecoveriesFor(PGconn *conn, int32 me, CatalogRecovery **out, int *n,
					 char *err, size_t errlen)
{
	char		idbuf[24];
	const char *p[1] = {idbuf};
	PGresult   *res;

	I64(idbuf, me);
	*out = NULL;
	*n = 0;
	res = CatalogQuery(conn,
					   "SELECT broker_id, broker_epoch, wal_device FROM strata.wal_recoveries"
					   " WHERE state = 'pending' AND assigned_to = $1::int ORDER BY requested",
					   1, p, err, errlen);
	if (res == NULL)
		return false;
	*n = PQntuples(res);
	*out = palloc0(sizeof(CatalogRecovery) * (size_t) Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		(*out)[i].broker_id = atoi(PQgetvalue(res, i, 0));
		(*out)[i].broker_epoch = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		strlcpy_s((*out)[i].wal_device, PQgetvalue(res, i, 2), sizeof((*out)[i].wal_device));
	}
	PQclear(res);
	return true;
}

bool
CatalogDeadBrokerStreams(PGconn *conn, int32 dead, CatalogDeadStream **out, int *n,
						 char *err, size_t errlen)
{
	char		idbuf[24];
	const char *p[1] = {idbuf};
	PGresult   *res;

	I64(idbuf, dead);
	*out = NULL;
	*n = 0;
	res = CatalogQuery(conn,
					   "SELECT s.id, s.epoch, s.object_end_offset FROM strata.partitions p"
					   " JOIN strata.streams s ON s.id = p.stream_id"
					   " WHERE p.leader = $1::int AND s.state = 'opened' ORDER BY s.id",
					   1, p, err, errlen);
	if (res == NULL)
		return false;
	*n = PQntuples(res);
	*out = palloc0(sizeof(CatalogDeadStream) * (size_t) Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		(*out)[i].stream_id = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		(*out)[i].epoch = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		(*out)[i].object_end_offset = strtoll(PQgetvalue(res, i, 2), NULL, 10);
	}
	PQclear(res);
	return true;
}

bool
CatalogRecoveryFinishInTxn(PGconn *conn, const CatalogRecovery *rec, int64 records, int64 bytes,
						   bool *still_pending, char *err, size_t errlen)
{
	char		idbuf[24],
				epochbuf[24],
				rbuf[24],
				bbuf[24];
	const char *p[4] = {idbuf, epochbuf, rbuf, bbuf};
	PGresult   *res;

	I64(idbuf, rec->broker_id);
	I64(epochbuf, rec->broker_epoch);
	I64(rbuf, records);
	I64(bbuf, bytes);
	*still_pending = false;
	res = CatalogQuery(conn,
					   "SELECT 1 FROM strata.wal_recoveries WHERE broker_id = $1::int AND broker_epoch = $2::bigint"
					   " AND state = 'pending' FOR UPDATE",
					   2, p, err, errlen);
	if (res == NULL)
		return false;
	*still_pending = PQntuples(res) == 1;
	PQclear(res);
	if (!*still_pending)
		return true;
	return CatalogExec(conn,
					   "UPDATE strata.streams s SET state = 'closed' FROM strata.partitions p"
					   " WHERE p.stream_id = s.id AND p.leader = $1::int AND s.state = 'opened'",
					   1, p, err, errlen) &&
		CatalogExec(conn, "SELECT strata.reassign_partitions($1::int, 'failover')", 1, p, err, errlen) &&
		CatalogExec(conn,
					"UPDATE strata.wal_recoveries SET state = 'done', finished = clock_timestamp(),"
					" records = $3::bigint, bytes = $4::bigint, last_error = NULL"
					" WHERE broker_id = $1::int AND broker_epoch = $2::bigint",
					4, p, err, errlen);
}

void
CatalogRecoveryNoteError(PGconn *conn, const CatalogRecovery *rec, const char *msg)
{
	char		idbuf[24],
				epochbuf[24],
				e[256];
	const char *p[3] = {idbuf, epochbuf, msg};

	I64(idbuf, rec->broker_id);
	I64(epochbuf, rec->broker_epoch);
	(void) CatalogExec(conn,
					   "UPDATE strata.wal_recoveries SET last_error = $3"
					   " WHERE broker_id = $1::int AND broker_epoch = $2::bigint",
					   3, p, e, sizeof(e));
}
