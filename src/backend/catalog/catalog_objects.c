/*-------------------------------------------------------------------------
 *
 * catalog_objects.c
 *	  Objects and stream ranges in the catalog: prepare, commit with epoch
 *	  checks, lookup for readers, and the statements of compaction,
 *	  retention and garbage collection.
 *
 *	  See include/catalog/catalog_objects.h for the protocol and migrate.c
 *	  (migration 3) for the tables.  Arrays go to PostgreSQL as text array
 *	  literals and come back through unnest(), so a commit of any number of
 *	  objects and ranges is a fixed number of statements.
 *
 * src/backend/catalog/catalog_objects.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_brokers.h"
#include "catalog/catalog_objects.h"
#include "catalog_int.h"
#include "utils/elog.h"
#include "utils/guc.h"

/* See CatalogCommitHook; set in the postmaster, inherited by children. */
static CatalogCommitHook commit_hook = NULL;

void
CatalogSetCommitHook(CatalogCommitHook hook)
{
	commit_hook = hook;
}

void
CatalogObjectKey(int64 object_id, ObjFormatKind kind, char *buf, size_t len)
{
	/*
	 * A short hash prefix spreads keys over S3's partitions (which split by
	 * key prefix); the id in hex sorts objects of one prefix by age.
	 */
	uint32		h = (uint32) ((uint64) object_id * UINT64_C(0x9E3779B97F4A7C15) >> 56);

	snprintf(buf, len, "data/%02x/%016llx.%s", h, (unsigned long long) object_id,
			 kind == OBJFORMAT_SSO ? "sso" : "so");
}

static char *
uint64_array(const uint64 *values, int n)
{
	return CatalogInt64Array((const int64 *) values, n);
}

bool
CatalogPrepareObject(PGconn *conn, ObjFormatKind kind, int64 *object_id,
				  char *key, size_t keylen, char *err, size_t errlen)
{
	char		timeout[32];
	char		me[16];
	char		epoch[32];
	char		kkey[CATALOG_OBJECT_KEY_LEN];
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
	CatalogObjectKey(id, kind, kkey, sizeof(kkey));
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
insert_ranges(PGconn *conn, const CatalogObject *objects, int nobjects, bool advance_end,
			  const int64 *replaced, int nreplaced, char *err, size_t errlen)
{
	CatalogArray c[7];
	const char *a[7];
	int			nranges = 0;
	bool		ok = true;

	for (int o = 0; o < nobjects; o++)
		nranges += objects[o].nranges;
	if (nranges == 0)
		return true;
	for (int j = 0; j < 7; j++)
		CatalogArrayInit(&c[j]);
	for (int o = 0; o < nobjects; o++)
		for (int r = 0; r < objects[o].nranges; r++)
		{
			const CatalogRange *rg = &objects[o].ranges[r];

			CatalogArrayInt(&c[0], (int64) rg->stream_id);
			CatalogArrayInt(&c[1], rg->start_offset);
			CatalogArrayInt(&c[2], rg->end_offset);
			CatalogArrayInt(&c[3], objects[o].object_id);
			CatalogArrayInt(&c[4], rg->record_count);
			CatalogArrayInt(&c[5], rg->bytes);
			CatalogArrayInt(&c[6], rg->max_timestamp);
		}
	for (int j = 0; j < 7; j++)
		a[j] = CatalogArrayFinish(&c[j]);

	if (nreplaced > 0)
	{
		char	   *a_rep = CatalogInt64Array(replaced, nreplaced);
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
		CatalogArrayFree(&c[j]);
	return ok;
}

/* Mark the objects committed; every one must still be 'prepared'. */
static bool
mark_committed(PGconn *conn, const CatalogObject *objects, int nobjects,
			   char *err, size_t errlen)
{
	CatalogArray c[3];
	PGresult   *res;
	bool		ok;

	for (int j = 0; j < 3; j++)
		CatalogArrayInit(&c[j]);
	for (int o = 0; o < nobjects; o++)
	{
		CatalogArrayInt(&c[0], objects[o].object_id);
		CatalogArrayInt(&c[1], (int64) objects[o].size);
		CatalogArrayInt(&c[2], objects[o].compactions);
	}
	{
		const char *params[3] = {CatalogArrayFinish(&c[0]), CatalogArrayFinish(&c[1]),
		CatalogArrayFinish(&c[2])};

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
		CatalogArrayFree(&c[j]);
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
	a_rep = CatalogInt64Array(replaced, nreplaced);
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

/*
 * The epoch check, inside the commit's transaction: lock the streams' rows
 * in id order (so two committers never deadlock) and compare.  A broker
 * that opened a stream later bumped its epoch; from then on our commits of
 * it fail here, and *fenced (palloc'd) lists such streams.
 */
static CatalogCommitResult
check_epochs(PGconn *conn, const CatalogStreamEpoch *epochs, int nepochs,
			 uint64 **fenced, int *nfenced, char *err, size_t errlen)
{
	CatalogArray ids,
				eps;
	PGresult   *res;

	if (nepochs == 0)
		return CATALOG_COMMIT_OK;
	CatalogArrayInit(&ids);
	CatalogArrayInit(&eps);
	for (int i = 0; i < nepochs; i++)
	{
		CatalogArrayInt(&ids, (int64) epochs[i].stream_id);
		CatalogArrayInt(&eps, epochs[i].epoch);
	}
	{
		const char *params[2] = {CatalogArrayFinish(&ids), CatalogArrayFinish(&eps)};

		res = CatalogQuery(conn,
						   "WITH want AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS w(id, epoch)), "
						   "locked AS (SELECT s.id, s.epoch, s.state FROM strata.streams s "
						   "           WHERE s.id IN (SELECT id FROM want) ORDER BY s.id FOR UPDATE) "
						   "SELECT w.id FROM want w LEFT JOIN locked l ON l.id = w.id "
						   "WHERE l.id IS NULL OR l.epoch <> w.epoch OR l.state <> 'opened'",
						   2, params, err, errlen);
	}
	CatalogArrayFree(&ids);
	CatalogArrayFree(&eps);
	if (res == NULL)
		return CATALOG_COMMIT_ERROR;
	*nfenced = PQntuples(res);
	if (*nfenced > 0)
	{
		*fenced = palloc(sizeof(uint64) * (size_t) *nfenced);
		for (int i = 0; i < *nfenced; i++)
			(*fenced)[i] = (uint64) strtoull(PQgetvalue(res, i, 0), NULL, 10);
	}
	PQclear(res);
	return *nfenced > 0 ? CATALOG_COMMIT_FENCED : CATALOG_COMMIT_OK;
}

/*
 * Uploads: the WAL these ranges came from is trimmed once this commits, so
 * what the upper layer keeps of it goes into the same transaction (the
 * commit hook: the idempotent producers' state).
 */
static bool
run_commit_hook(PGconn *conn, const CatalogStreamEpoch *epochs, int nepochs,
				char *err, size_t errlen)
{
	uint64	   *sids;
	bool		saved;

	if (commit_hook == NULL || nepochs == 0)
		return true;
	sids = palloc(sizeof(uint64) * (size_t) nepochs);
	for (int i = 0; i < nepochs; i++)
		sids[i] = epochs[i].stream_id;
	saved = commit_hook(conn, sids, nepochs, err, errlen);
	pfree(sids);
	return saved;
}

CatalogCommitResult
CatalogCommitObjects(PGconn *conn, const CatalogObject *objects, int nobjects,
					 const CatalogStreamEpoch *epochs, int nepochs,
					 bool advance_end, const int64 *replaced, int nreplaced,
					 uint64 **fenced, int *nfenced, char *err, size_t errlen)
{
	return CatalogCommitObjectsExt(conn, objects, nobjects, epochs, nepochs, advance_end,
								   replaced, nreplaced, advance_end, NULL, NULL,
								   fenced, nfenced, err, errlen);
}

CatalogCommitResult
CatalogCommitObjectsExt(PGconn *conn, const CatalogObject *objects, int nobjects,
						const CatalogStreamEpoch *epochs, int nepochs,
						bool advance_end, const int64 *replaced, int nreplaced,
						bool run_hook, CatalogCommitExtra extra, void *extra_arg,
						uint64 **fenced, int *nfenced, char *err, size_t errlen)
{
	CatalogCommitResult r;

	*fenced = NULL;
	*nfenced = 0;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		return CATALOG_COMMIT_ERROR;
	r = check_epochs(conn, epochs, nepochs, fenced, nfenced, err, errlen);
	if (r == CATALOG_COMMIT_OK &&
		(!insert_ranges(conn, objects, nobjects, advance_end, replaced, nreplaced, err, errlen) ||
		 !mark_committed(conn, objects, nobjects, err, errlen) ||
		 !retire_replaced(conn, replaced, nreplaced, err, errlen) ||
		 (run_hook && !run_commit_hook(conn, epochs, nepochs, err, errlen)) ||
		 (extra != NULL && !extra(conn, extra_arg, err, errlen))))
		r = CATALOG_COMMIT_ERROR;
	if (r != CATALOG_COMMIT_OK)
	{
		CatalogRollback(conn);
		return r;
	}
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		return CATALOG_COMMIT_ERROR;
	return CATALOG_COMMIT_OK;
}

bool
CatalogGetObjectState(PGconn *conn, int64 object_id, char *state, size_t len,
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
CatalogGetStreamStates(PGconn *conn, const uint64 *ids, int n,
					   CatalogStreamState *out, char *err, size_t errlen)
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
		out[i].object_end_offset = atoll(PQgetvalue(res, i, 0));
		out[i].epoch = atoll(PQgetvalue(res, i, 1));
		out[i].opened = PQgetvalue(res, i, 2)[0] == 't';
		out[i].leader = atoi(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	return true;
}

int
CatalogLookupObjects(PGconn *conn, uint64 stream_id, int64 offset,
				 CatalogObjectLocation *out, int max, char *err, size_t errlen)
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
CatalogAbandonObjects(PGconn *conn, const int64 *ids, int n, char *err, size_t errlen)
{
	char	   *a;
	const char *params[1];
	bool		ok;

	if (n == 0)
		return true;
	a = CatalogInt64Array(ids, n);
	params[0] = a;
	ok = CatalogExec(conn,
					 "UPDATE strata.objects SET state = 'deleting', delete_after = now() "
					 "WHERE id = ANY($1::bigint[]) AND state = 'prepared'",
					 1, params, err, errlen);
	pfree(a);
	return ok;
}

/* ---------- garbage collection ---------- */

bool
CatalogExpireOrphanObjects(PGconn *conn, char *err, size_t errlen)
{
	return CatalogExec(conn,
					   "UPDATE strata.objects SET state = 'deleting', delete_after = now() "
					   "WHERE state = 'prepared' AND prepare_deadline <= now()",
					   0, NULL, err, errlen);
}

int
CatalogListDeletableObjects(PGconn *conn, int limit, CatalogObjectRef **out,
							char *err, size_t errlen)
{
	char		lim[24];
	const char *params[1] = {CatalogInt64Text(limit, lim)};
	PGresult   *res;
	CatalogObjectRef *refs;
	int			n;

	res = CatalogQuery(conn,
					   "SELECT id, key FROM strata.objects "
					   "WHERE state = 'deleting' AND delete_after <= now() "
					   "ORDER BY id LIMIT $1::int",
					   1, params, err, errlen);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	refs = palloc(sizeof(CatalogObjectRef) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		refs[i].object_id = atoll(PQgetvalue(res, i, 0));
		strlcpy_s(refs[i].key, PQgetvalue(res, i, 1), sizeof(refs[i].key));
	}
	PQclear(res);
	*out = refs;
	return n;
}

bool
CatalogForgetObjects(PGconn *conn, const int64 *ids, int n, char *err, size_t errlen)
{
	char	   *a_ids = CatalogInt64Array(ids, n);
	const char *params[1] = {a_ids};
	bool		ok;

	ok = CatalogExec(conn,
					 "DELETE FROM strata.objects WHERE id = ANY($1::bigint[]) AND state = 'deleting'",
					 1, params, err, errlen);
	pfree(a_ids);
	return ok;
}

bool
CatalogSweepRanges(PGconn *conn, int limit, int *nremoved, char *err, size_t errlen)
{
	char		lim[24];
	const char *params[1] = {CatalogInt64Text(limit, lim)};
	PGresult   *res;

	res = CatalogQuery(conn,
					   "DELETE FROM strata.stream_ranges r "
					   "WHERE (r.stream_id, r.start_offset, r.object_id) IN ("
					   "  SELECT x.stream_id, x.start_offset, x.object_id FROM strata.stream_ranges x "
					   "  LEFT JOIN strata.partitions p ON p.stream_id = x.stream_id "
					   "  LEFT JOIN strata.streams s ON s.id = x.stream_id "
					   "  WHERE p.stream_id IS NULL OR s.id IS NULL OR x.end_offset <= s.start_offset "
					   "  LIMIT $1::int) "
					   "RETURNING r.object_id",
					   1, params, err, errlen);
	*nremoved = CatalogRowCount(res);
	return *nremoved >= 0;
}

bool
CatalogSweepObjects(PGconn *conn, int limit, int *nretired, char *err, size_t errlen)
{
	char		lim[24],
				delay[24];
	const char *params[2] = {CatalogInt64Text(limit, lim), CatalogInt64Text(object_delete_delay, delay)};
	PGresult   *res;

	/*
	 * An object's ranges and its 'committed' state appear in one
	 * transaction, so a committed object with no range is never one being
	 * written.  This also catches a stream-set object whose last streams
	 * two brokers compacted at the same moment (each saw the other's range
	 * still there).
	 */
	res = CatalogQuery(conn,
					   "UPDATE strata.objects o SET state = 'deleting', "
					   "       delete_after = now() + $2::bigint * interval '1 millisecond' "
					   "WHERE o.state = 'committed' AND o.id IN ("
					   "  SELECT x.id FROM strata.objects x WHERE x.state = 'committed' "
					   "  AND NOT EXISTS (SELECT 1 FROM strata.stream_ranges r WHERE r.object_id = x.id) "
					   "  LIMIT $1::int) "
					   "RETURNING o.id",
					   2, params, err, errlen);
	*nretired = CatalogRowCount(res);
	return *nretired >= 0;
}

/* ---------- compaction and retention ---------- */

bool
CatalogFindSplitCandidate(PGconn *conn, const int64 *ids, int n, int64 min_age_ms,
						  int64 after_id, CatalogObjectInfo *out, bool *found,
						  char *err, size_t errlen)
{
	char	   *a_ids = CatalogInt64Array(ids, n);
	char		age[24],
				cur[24];
	const char *params[3] = {a_ids, CatalogInt64Text(min_age_ms, age), CatalogInt64Text(after_id, cur)};
	PGresult   *res;

	/*
	 * Oldest first, but round robin from the last one tried, so one object
	 * that cannot be read does not block the others.
	 */
	res = CatalogQuery(conn,
					   "SELECT o.id, o.key, o.size, o.compactions FROM strata.objects o "
					   "WHERE o.kind = 'sso' AND o.state = 'committed' "
					   "  AND o.committed < now() - $2::bigint * interval '1 millisecond' "
					   "  AND EXISTS (SELECT 1 FROM strata.stream_ranges r "
					   "              WHERE r.object_id = o.id AND r.stream_id = ANY($1::bigint[])) "
					   "ORDER BY o.id <= $3::bigint, o.id LIMIT 1",
					   3, params, err, errlen);
	pfree(a_ids);
	if (res == NULL)
		return false;
	*found = PQntuples(res) > 0;
	if (*found)
	{
		out->object_id = atoll(PQgetvalue(res, 0, 0));
		strlcpy_s(out->key, PQgetvalue(res, 0, 1), sizeof(out->key));
		out->size = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
		out->compactions = atoi(PQgetvalue(res, 0, 3));
	}
	PQclear(res);
	return true;
}

/*
 * The rows of a result as CatalogRangeInfo (palloc'd, *out), each column
 * going to the field its name says; fields without a column stay zero
 * (max_timestamp -1).  Clears res; returns the count, -1 if res is NULL.
 */
static int
ranges_of(PGresult *res, CatalogRangeInfo **out)
{
	int			nrows;
	CatalogRangeInfo *r;

	if (res == NULL)
		return -1;
	nrows = PQntuples(res);
	r = palloc0(sizeof(CatalogRangeInfo) * (size_t) Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		r[i].max_timestamp = -1;
		for (int c = 0; c < PQnfields(res); c++)
		{
			const char *col = PQfname(res, c);
			const char *v = PQgetvalue(res, i, c);

			if (strcmp(col, "stream_id") == 0)
				r[i].stream_id = strtoull(v, NULL, 10);
			else if (strcmp(col, "start_offset") == 0)
				r[i].start_offset = atoll(v);
			else if (strcmp(col, "end_offset") == 0)
				r[i].end_offset = atoll(v);
			else if (strcmp(col, "bytes") == 0)
				r[i].bytes = atoll(v);
			else if (strcmp(col, "max_timestamp") == 0)
				r[i].max_timestamp = atoll(v);
			else if (strcmp(col, "object_id") == 0)
				r[i].object_id = atoll(v);
			else if (strcmp(col, "key") == 0)
				strlcpy_s(r[i].key, v, sizeof(r[i].key));
			else if (strcmp(col, "object_size") == 0)
				r[i].object_size = strtoull(v, NULL, 10);
			else if (strcmp(col, "object_is_so") == 0)
				r[i].object_is_so = v[0] == 't';
			else if (strcmp(col, "compactions") == 0)
				r[i].compactions = atoi(v);
			else if (strcmp(col, "object_age_ms") == 0)
				r[i].object_age_ms = atoll(v);
			else if (strcmp(col, "stream_start") == 0)
				r[i].stream_start = atoll(v);
			else if (strcmp(col, "stream_object_end") == 0)
				r[i].stream_object_end = atoll(v);
			else if (strcmp(col, "stream_epoch") == 0)
				r[i].stream_epoch = atoll(v);
			else if (strcmp(col, "stream_opened") == 0)
				r[i].stream_opened = v[0] == 't';
		}
	}
	PQclear(res);
	*out = r;
	return nrows;
}

int
CatalogGetObjectRanges(PGconn *conn, int64 object_id, const int64 *ids, int n,
					   CatalogRangeInfo **out, char *err, size_t errlen)
{
	char	   *a_ids = CatalogInt64Array(ids, n);
	char		sid[24];
	const char *params[2] = {CatalogInt64Text(object_id, sid), a_ids};
	PGresult   *res;

	res = CatalogQuery(conn,
					   "SELECT r.stream_id, r.start_offset, r.end_offset, s.start_offset AS stream_start, "
					   "       s.epoch AS stream_epoch, s.state = 'opened' AS stream_opened "
					   "FROM strata.stream_ranges r JOIN strata.streams s ON s.id = r.stream_id "
					   "WHERE r.object_id = $1::bigint AND r.stream_id = ANY($2::bigint[]) "
					   "ORDER BY r.stream_id, r.start_offset",
					   2, params, err, errlen);
	pfree(a_ids);
	return ranges_of(res, out);
}

int
CatalogGetMergeRanges(PGconn *conn, const int64 *ids, int n, int64 small_size,
					  CatalogRangeInfo **out, char *err, size_t errlen)
{
	char	   *a_ids = CatalogInt64Array(ids, n);
	char		small[24];
	const char *params[2] = {a_ids, CatalogInt64Text(small_size, small)};
	PGresult   *res;

	res = CatalogQuery(conn,
					   "WITH r AS (SELECT r.stream_id, r.start_offset, r.end_offset, o.id, o.key, o.size, "
					   "                  o.kind, o.compactions, "
					   "                  (extract(epoch FROM now() - o.committed) * 1000)::bigint AS age_ms "
					   "           FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
					   "           WHERE r.stream_id = ANY($1::bigint[]) AND o.state = 'committed') "
					   "SELECT r.stream_id, r.start_offset, r.end_offset, r.id AS object_id, r.key, "
					   "       r.size AS object_size, r.kind = 'so' AS object_is_so, r.compactions, "
					   "       r.age_ms AS object_age_ms, s.start_offset AS stream_start, "
					   "       s.epoch AS stream_epoch, s.state = 'opened' AS stream_opened "
					   "FROM r JOIN strata.streams s ON s.id = r.stream_id "
					   "WHERE r.stream_id IN (SELECT stream_id FROM r WHERE kind = 'so' "
					   "                      GROUP BY stream_id "
					   "                      HAVING count(*) >= 2 AND bool_or(size < $2::bigint)) "
					   "ORDER BY r.stream_id, r.start_offset",
					   2, params, err, errlen);
	pfree(a_ids);
	return ranges_of(res, out);
}

int
CatalogGetRetentionRanges(PGconn *conn, const int64 *ids, int n,
						  CatalogRangeInfo **out, char *err, size_t errlen)
{
	char	   *a_ids = CatalogInt64Array(ids, n);
	const char *params[1] = {a_ids};
	PGresult   *res;

	res = CatalogQuery(conn,
					   "SELECT r.stream_id, r.start_offset, r.end_offset, r.bytes, r.max_timestamp, "
					   "       s.start_offset AS stream_start, s.object_end_offset AS stream_object_end "
					   "FROM strata.stream_ranges r JOIN strata.streams s ON s.id = r.stream_id "
					   "WHERE r.stream_id = ANY($1::bigint[]) AND r.end_offset > s.start_offset "
					   "ORDER BY r.stream_id, r.start_offset",
					   1, params, err, errlen);
	pfree(a_ids);
	return ranges_of(res, out);
}
