/*-------------------------------------------------------------------------
 *
 * objcatalog.c
 *	  Objects and stream ranges in the catalog: prepare, commit with epoch
 *	  checks, lookup for readers, garbage collection.
 *
 *	  See include/storage/objcatalog.h for the protocol and migrate.c
 *	  (migration 3) for the tables.  Arrays go to PostgreSQL as text array
 *	  literals and come back through unnest(), so a commit of any number of
 *	  objects and ranges is a fixed number of statements.
 *
 * src/backend/storage/objstore/objcatalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_brokers.h"
#include "kafka/producer.h"
#include "storage/objcatalog.h"
#include "utils/elog.h"
#include "utils/guc.h"

void
ObjCatalogKey(int64 object_id, ObjFormatKind kind, char *buf, size_t len)
{
	/*
	 * A short hash prefix spreads keys over S3's partitions (which split by
	 * key prefix); the id in hex sorts objects of one prefix by age.
	 */
	uint32		h = (uint32) ((uint64) object_id * UINT64_C(0x9E3779B97F4A7C15) >> 56);

	snprintf(buf, len, "data/%02x/%016llx.%s", h, (unsigned long long) object_id,
			 kind == OBJFORMAT_SSO ? "sso" : "so");
}

char *
ObjCatalogInt64Array(const int64 *values, int n)
{
	char	   *out = palloc((size_t) n * 21 + 3);
	char	   *p = out;

	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", (long long) values[i]);
	*p++ = '}';
	*p = '\0';
	return out;
}

static char *
uint64_array(const uint64 *values, int n)
{
	return ObjCatalogInt64Array((const int64 *) values, n);
}

static void
rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}

bool
ObjCatalogPrepare(PGconn *conn, ObjFormatKind kind, int64 *object_id,
				  char *key, size_t keylen, char *err, size_t errlen)
{
	char		timeout[32];
	char		me[16];
	char		epoch[32];
	char		kkey[OBJCATALOG_KEY_LEN];
	const char *params[5];
	PGresult   *res;
	int64		id;

	/*
	 * The id comes first (nextval), so the key can carry it; the row goes
	 * in with it in the same statement.
	 */
	snprintf(timeout, sizeof(timeout), "%lld", (long long) object_prepare_timeout);
	snprintf(me, sizeof(me), "%d", (int) broker_id);
	snprintf(epoch, sizeof(epoch), "%lld", (long long) CatalogBrokerEpoch);
	res = CatalogQuery(conn, "SELECT nextval('strata.objects_id_seq')", 0, NULL, err, errlen);
	if (res == NULL)
		return false;
	id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	ObjCatalogKey(id, kind, kkey, sizeof(kkey));
	{
		char		sid[32];

		snprintf(sid, sizeof(sid), "%lld", (long long) id);
		params[0] = sid;
		params[1] = kkey;
		params[2] = kind == OBJFORMAT_SSO ? "sso" : "so";
		params[3] = me;
		params[4] = epoch;
		{
			const char *p6[6] = {params[0], params[1], params[2], params[3], params[4], timeout};

			if (!CatalogExec(conn,
							 "INSERT INTO strata.objects (id, key, kind, state, broker_id, broker_epoch, prepare_deadline) "
							 "VALUES ($1::bigint, $2, $3, 'prepared', $4::int, $5::bigint, "
							 "        now() + $6::bigint * interval '1 millisecond')",
							 6, p6, err, errlen))
				return false;
		}
	}
	*object_id = id;
	strlcpy_s(key, kkey, keylen);
	return true;
}

/*
 * The commit's ranges, all objects at once (inside its transaction).
 * Compaction first removes the replaced objects' ranges of the streams it
 * rewrote, so the new ranges never overlap old ones; uploads advance the
 * streams' end offsets.
 */
static bool
insert_ranges(PGconn *conn, const ObjCatalogObject *objects, int nobjects, bool advance_end,
			  const int64 *replaced, int nreplaced, char *err, size_t errlen)
{
	int64	   *c[7];
	char	   *a[7];
	int			nranges = 0;
	int			k = 0;
	bool		ok = true;

	for (int o = 0; o < nobjects; o++)
		nranges += objects[o].nranges;
	if (nranges == 0)
		return true;
	for (int j = 0; j < 7; j++)
		c[j] = palloc(sizeof(int64) * (size_t) nranges);
	for (int o = 0; o < nobjects; o++)
		for (int r = 0; r < objects[o].nranges; r++, k++)
		{
			const ObjCatalogRange *rg = &objects[o].ranges[r];

			c[0][k] = (int64) rg->stream_id;
			c[1][k] = rg->start_offset;
			c[2][k] = rg->end_offset;
			c[3][k] = objects[o].object_id;
			c[4][k] = rg->record_count;
			c[5][k] = rg->bytes;
			c[6][k] = rg->max_timestamp;
		}
	for (int j = 0; j < 7; j++)
		a[j] = ObjCatalogInt64Array(c[j], nranges);

	if (nreplaced > 0)
	{
		char	   *a_rep = ObjCatalogInt64Array(replaced, nreplaced);
		const char *params[2] = {a_rep, a[0]};

		ok = CatalogExec(conn,
						 "DELETE FROM strata.stream_ranges "
						 "WHERE object_id = ANY($1::bigint[]) AND stream_id = ANY($2::bigint[])",
						 2, params, err, errlen);
		pfree(a_rep);
	}
	if (ok)
	{
		const char *params[7] = {a[0], a[1], a[2], a[3], a[4], a[5], a[6]};

		ok = CatalogExec(conn,
						 "INSERT INTO strata.stream_ranges "
						 "(stream_id, start_offset, end_offset, object_id, record_count, bytes, max_timestamp) "
						 "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], "
						 "                     $5::bigint[], $6::bigint[], $7::bigint[])",
						 7, params, err, errlen);
	}
	if (ok && advance_end)
	{
		const char *params[2] = {a[0], a[2]};

		ok = CatalogExec(conn,
						 "UPDATE strata.streams s SET end_offset = greatest(s.end_offset, e.end_offset), "
						 "       object_end_offset = greatest(s.object_end_offset, e.end_offset) "
						 "FROM (SELECT id, max(eo) AS end_offset "
						 "      FROM unnest($1::bigint[], $2::bigint[]) AS u(id, eo) GROUP BY id) e "
						 "WHERE s.id = e.id",
						 2, params, err, errlen);
	}
	for (int j = 0; j < 7; j++)
	{
		pfree(c[j]);
		pfree(a[j]);
	}
	return ok;
}

/* Mark the objects committed; every one must still be 'prepared'. */
static bool
mark_committed(PGconn *conn, const ObjCatalogObject *objects, int nobjects,
			   char *err, size_t errlen)
{
	int64	   *c[3];
	char	   *a[3];
	PGresult   *res;
	bool		ok;

	for (int j = 0; j < 3; j++)
		c[j] = palloc(sizeof(int64) * (size_t) Max(nobjects, 1));
	for (int o = 0; o < nobjects; o++)
	{
		c[0][o] = objects[o].object_id;
		c[1][o] = (int64) objects[o].size;
		c[2][o] = objects[o].compactions;
	}
	for (int j = 0; j < 3; j++)
		a[j] = ObjCatalogInt64Array(c[j], nobjects);
	{
		const char *params[3] = {a[0], a[1], a[2]};

		res = CatalogQuery(conn,
						   "UPDATE strata.objects o SET state = 'committed', size = u.size, "
						   "       compactions = u.lvl, committed = now() "
						   "FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS u(id, size, lvl) "
						   "WHERE o.id = u.id AND o.state = 'prepared' RETURNING o.id",
						   3, params, err, errlen);
	}
	ok = res != NULL;
	if (ok && PQntuples(res) != nobjects)
	{
		/* Garbage collection took a prepared row we were late with. */
		snprintf(err, errlen, "objects were no longer prepared at commit (past object_prepare_timeout = %lld ms?)",
				 (long long) object_prepare_timeout);
		ok = false;
	}
	PQclear(res);
	for (int j = 0; j < 3; j++)
	{
		pfree(c[j]);
		pfree(a[j]);
	}
	return ok;
}

/*
 * Compaction: a replaced object left without any range goes to 'deleting';
 * it is deleted from the store after object_delete_delay, so readers that
 * located it can finish.
 */
static bool
retire_replaced(PGconn *conn, const int64 *replaced, int nreplaced, char *err, size_t errlen)
{
	char	   *a_rep;
	char		delay[32];
	const char *params[2];
	bool		ok;

	if (nreplaced == 0)
		return true;
	a_rep = ObjCatalogInt64Array(replaced, nreplaced);
	snprintf(delay, sizeof(delay), "%lld", (long long) object_delete_delay);
	params[0] = a_rep;
	params[1] = delay;
	ok = CatalogExec(conn,
					 "UPDATE strata.objects o SET state = 'deleting', "
					 "       delete_after = now() + $2::bigint * interval '1 millisecond' "
					 "WHERE o.id = ANY($1::bigint[]) AND o.state = 'committed' "
					 "  AND NOT EXISTS (SELECT 1 FROM strata.stream_ranges r WHERE r.object_id = o.id)",
					 2, params, err, errlen);
	pfree(a_rep);
	return ok;
}

ObjCatalogResult
ObjCatalogCommit(PGconn *conn, const ObjCatalogObject *objects, int nobjects,
				 const ObjCatalogStreamEpoch *epochs, int nepochs,
				 bool advance_end, const int64 *replaced, int nreplaced,
				 uint64 **fenced, int *nfenced, char *err, size_t errlen)
{
	int64	   *ids;
	int64	   *eps;
	PGresult   *res;

	*fenced = NULL;
	*nfenced = 0;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		return OBJCAT_ERROR;

	/*
	 * The epoch check: lock the streams' rows in id order (so two committers
	 * never deadlock) and compare.  A broker that opened a stream later
	 * bumped its epoch; from then on our commits of it fail here.
	 */
	ids = palloc(sizeof(int64) * (size_t) Max(nepochs, 1));
	eps = palloc(sizeof(int64) * (size_t) Max(nepochs, 1));
	for (int i = 0; i < nepochs; i++)
	{
		ids[i] = (int64) epochs[i].stream_id;
		eps[i] = epochs[i].epoch;
	}
	if (nepochs > 0)
	{
		char	   *a_ids = ObjCatalogInt64Array(ids, nepochs);
		char	   *a_eps = ObjCatalogInt64Array(eps, nepochs);
		const char *params[2] = {a_ids, a_eps};

		res = CatalogQuery(conn,
						   "WITH want AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS w(id, epoch)), "
						   "locked AS (SELECT s.id, s.epoch, s.state FROM strata.streams s "
						   "           WHERE s.id IN (SELECT id FROM want) ORDER BY s.id FOR UPDATE) "
						   "SELECT w.id FROM want w LEFT JOIN locked l ON l.id = w.id "
						   "WHERE l.id IS NULL OR l.epoch <> w.epoch OR l.state <> 'opened'",
						   2, params, err, errlen);
		pfree(a_ids);
		pfree(a_eps);
		if (res == NULL)
			goto fail;
		if (PQntuples(res) > 0)
		{
			*nfenced = PQntuples(res);
			*fenced = palloc(sizeof(uint64) * (size_t) *nfenced);
			for (int i = 0; i < *nfenced; i++)
				(*fenced)[i] = (uint64) strtoull(PQgetvalue(res, i, 0), NULL, 10);
			PQclear(res);
			rollback(conn);
			pfree(ids);
			pfree(eps);
			return OBJCAT_FENCED;
		}
		PQclear(res);
	}

	if (!insert_ranges(conn, objects, nobjects, advance_end, replaced, nreplaced, err, errlen) ||
		!mark_committed(conn, objects, nobjects, err, errlen) ||
		!retire_replaced(conn, replaced, nreplaced, err, errlen))
		goto fail;

	/*
	 * Uploads: the WAL these ranges came from is trimmed once this commits,
	 * so the idempotent producers' state of the streams goes into the same
	 * transaction (kafka/producer.h; it waits for the WAL to be durable
	 * past what the snapshots cover).
	 */
	if (advance_end && nepochs > 0)
	{
		uint64	   *sids = palloc(sizeof(uint64) * (size_t) nepochs);
		bool		saved;

		for (int i = 0; i < nepochs; i++)
			sids[i] = epochs[i].stream_id;
		saved = ProducerStateSaveSnapshots(conn, sids, nepochs, err, errlen);
		pfree(sids);
		if (!saved)
			goto fail;
	}
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
	{
		pfree(ids);
		pfree(eps);
		return OBJCAT_ERROR;
	}
	pfree(ids);
	pfree(eps);
	return OBJCAT_OK;

fail:
	rollback(conn);
	pfree(ids);
	pfree(eps);
	return OBJCAT_ERROR;
}

bool
ObjCatalogObjectState(PGconn *conn, int64 object_id, char *state, size_t len,
					  char *err, size_t errlen)
{
	char		sid[32];
	const char *params[1] = {sid};
	PGresult   *res;

	snprintf(sid, sizeof(sid), "%lld", (long long) object_id);
	res = CatalogQuery(conn, "SELECT state FROM strata.objects WHERE id = $1::bigint",
					   1, params, err, errlen);
	if (res == NULL)
		return false;
	strlcpy_s(state, PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "", len);
	PQclear(res);
	return true;
}

bool
ObjCatalogStreamInfo(PGconn *conn, const uint64 *ids, int n,
					 int64 *object_ends, int64 *epochs, bool *opened,
					 int32 *leaders, char *err, size_t errlen)
{
	char	   *a_ids;
	const char *params[1];
	PGresult   *res;

	if (n == 0)
		return true;
	a_ids = uint64_array(ids, n);
	params[0] = a_ids;
	res = CatalogQuery(conn,
					   "SELECT coalesce(s.object_end_offset, -1), coalesce(s.epoch, -1), "
					   "       coalesce(s.state = 'opened', false), coalesce(p.leader, -1) "
					   "FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, n) "
					   "LEFT JOIN strata.streams s ON s.id = u.id "
					   "LEFT JOIN strata.partitions p ON p.stream_id = u.id ORDER BY u.n",
					   1, params, err, errlen);
	pfree(a_ids);
	if (res == NULL)
		return false;
	for (int i = 0; i < n && i < PQntuples(res); i++)
	{
		object_ends[i] = atoll(PQgetvalue(res, i, 0));
		epochs[i] = atoll(PQgetvalue(res, i, 1));
		opened[i] = PQgetvalue(res, i, 2)[0] == 't';
		leaders[i] = atoi(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	return true;
}

int
ObjCatalogLookup(PGconn *conn, uint64 stream_id, int64 offset,
				 ObjCatalogLocation *out, int max, char *err, size_t errlen)
{
	char		sid[32],
				off[32],
				lim[16];
	const char *params[3] = {sid, off, lim};
	PGresult   *res;
	int			n;

	snprintf(sid, sizeof(sid), "%llu", (unsigned long long) stream_id);
	snprintf(off, sizeof(off), "%lld", (long long) offset);
	snprintf(lim, sizeof(lim), "%d", max);
	res = CatalogQuery(conn,
					   "SELECT o.id, o.key, o.size, r.start_offset, r.end_offset "
					   "FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
					   "WHERE r.stream_id = $1::bigint AND r.end_offset > $2::bigint "
					   "  AND o.state = 'committed' "
					   "ORDER BY r.start_offset LIMIT $3::int",
					   3, params, err, errlen);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (int i = 0; i < n; i++)
	{
		out[i].object_id = atoll(PQgetvalue(res, i, 0));
		strlcpy_s(out[i].key, PQgetvalue(res, i, 1), sizeof(out[i].key));
		out[i].size = strtoull(PQgetvalue(res, i, 2), NULL, 10);
		out[i].start_offset = atoll(PQgetvalue(res, i, 3));
		out[i].end_offset = atoll(PQgetvalue(res, i, 4));
	}
	PQclear(res);
	return n;
}

bool
ObjCatalogCollectGarbage(PGconn *conn, ObjStore *store, int limit,
						 int *deleted, char *err, size_t errlen)
{
	char		lim[16];
	const char *params[1] = {lim};
	PGresult   *res;
	int			n;
	const char **keys;
	int64	   *ids;
	ObjStoreError oerr;

	*deleted = 0;
	snprintf(lim, sizeof(lim), "%d", limit);

	/*
	 * Orphans first become 'deleting' in the catalog, in a statement of
	 * their own: from then on a late writer's commit (which requires
	 * 'prepared') fails, so we never delete an object that gets committed.
	 */
	if (!CatalogExec(conn,
					 "UPDATE strata.objects SET state = 'deleting', delete_after = now() "
					 "WHERE state = 'prepared' AND prepare_deadline <= now()",
					 0, NULL, err, errlen))
		return false;
	res = CatalogQuery(conn,
					   "SELECT id, key FROM strata.objects "
					   "WHERE state = 'deleting' AND delete_after <= now() "
					   "ORDER BY id LIMIT $1::int",
					   1, params, err, errlen);
	if (res == NULL)
		return false;
	n = PQntuples(res);
	if (n == 0)
	{
		PQclear(res);
		return true;
	}
	keys = palloc(sizeof(char *) * (size_t) n);
	ids = palloc(sizeof(int64) * (size_t) n);
	for (int i = 0; i < n; i++)
	{
		ids[i] = atoll(PQgetvalue(res, i, 0));
		keys[i] = PQgetvalue(res, i, 1);
	}

	/*
	 * Store first, row second: if we die in between, the row is still
	 * there and the next round deletes the (already missing) key again,
	 * which S3 treats as success.
	 */
	if (!ObjStoreDeleteBatch(store, keys, n, &oerr))
	{
		snprintf(err, errlen, "could not delete unreferenced objects: %s", oerr.message);
		PQclear(res);
		pfree(keys);
		pfree(ids);
		return false;
	}
	{
		char	   *a_ids = ObjCatalogInt64Array(ids, n);
		const char *p1[1] = {a_ids};
		bool		ok;

		ok = CatalogExec(conn,
						 "DELETE FROM strata.objects WHERE id = ANY($1::bigint[]) AND state = 'deleting'",
						 1, p1, err, errlen);
		pfree(a_ids);
		if (!ok)
		{
			PQclear(res);
			pfree(keys);
			pfree(ids);
			return false;
		}
	}
	*deleted = n;
	PQclear(res);
	pfree(keys);
	pfree(ids);
	return true;
}
