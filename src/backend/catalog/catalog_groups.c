/*-------------------------------------------------------------------------
 *
 * catalog_groups.c
 *	  Consumer groups and committed offsets in the catalog (see
 *	  include/catalog/catalog_groups.h).
 *
 *	  Rows go to PostgreSQL as array literals taken apart by unnest(), so a
 *	  commit of any number of offsets, from any number of groups, is one
 *	  statement.  An offset's metadata is bytes (any byte, NUL included, as
 *	  Kafka keeps it; column bytea since migration 5): it travels as hex.
 *
 * src/backend/catalog/catalog_groups.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_groups.h"
#include "catalog_int.h"

/*
 * The commit, fenced by the coordinator slots: only the groups whose slot
 * broker $10 leads are written, their slot rows locked FOR SHARE so that a
 * move of the slot (an UPDATE) waits for this transaction or, committed
 * first, makes the group refused.  The result lists the refused groups.
 */
static const char commit_sql[] =
"WITH ok AS (\n"
"    SELECT x.g FROM unnest($1::text[], $9::int[]) AS x(g, s)\n"
"    JOIN strata.coordinator_slots c ON c.slot = x.s AND c.leader = $10::int\n"
"    FOR SHARE OF c),\n"
"g AS (\n"
"    INSERT INTO strata.groups (group_id, protocol_type)\n"
"    SELECT DISTINCT ON (x.g) x.g, x.pt FROM unnest($1::text[], $2::text[]) AS x(g, pt)\n"
"    WHERE x.g IN (SELECT g FROM ok)\n"
"    ORDER BY x.g, x.pt\n"
"    ON CONFLICT (group_id) DO UPDATE SET updated = now()),\n"
"o AS (\n"
"    INSERT INTO strata.committed_offsets\n"
"        (group_id, topic, partition, committed_offset, leader_epoch, metadata, commit_time)\n"
"    SELECT u.g, u.t, u.p, u.o, u.e, decode(u.mhex, 'hex'), now()\n"
"    FROM unnest($3::text[], $4::text[], $5::int[], $6::bigint[], $7::int[], $8::text[])\n"
"        AS u(g, t, p, o, e, mhex)\n"
"    WHERE u.g IN (SELECT g FROM ok)\n"
"    ON CONFLICT (group_id, topic, partition) DO UPDATE\n"
"        SET committed_offset = EXCLUDED.committed_offset, leader_epoch = EXCLUDED.leader_epoch,\n"
"            metadata = EXCLUDED.metadata, commit_time = EXCLUDED.commit_time)\n"
"SELECT x.g FROM unnest($1::text[]) AS x(g) WHERE x.g NOT IN (SELECT g FROM ok)";

#define COMMIT_PARAMS 10

CatalogWaitResult
CatalogCommitOffsets(PGconn *conn, int32 coordinator, const CatalogOffsetGroup *groups, int ngroups,
					 const CatalogOffset *rows, int nrows, bool *refused,
					 long timeout_ms, char *err, size_t errlen)
{
	CatalogArray a[COMMIT_PARAMS - 1];
	const char *params[COMMIT_PARAMS];
	char		cbuf[16];
	PGresult   *res = NULL;
	CatalogWaitResult r;

	for (int i = 0; i < COMMIT_PARAMS - 1; i++)
		CatalogArrayInit(&a[i]);
	for (int i = 0; i < ngroups; i++)
	{
		const char *pt = groups[i].protocol_type;

		CatalogArrayText(&a[0], groups[i].group_id, (int32) strlen(groups[i].group_id));
		CatalogArrayText(&a[1], pt, pt ? (int32) strlen(pt) : 0);
		CatalogArrayInt(&a[8], groups[i].slot);
		refused[i] = false;
	}
	for (int i = 0; i < nrows; i++)
	{
		const CatalogOffset *o = &rows[i];

		CatalogArrayText(&a[2], o->group_id, (int32) strlen(o->group_id));
		CatalogArrayText(&a[3], o->topic, (int32) strlen(o->topic));
		CatalogArrayInt(&a[4], o->partition);
		CatalogArrayInt(&a[5], o->offset);
		CatalogArrayInt(&a[6], o->leader_epoch);
		CatalogArrayHex(&a[7], o->metadata, o->metadata_len);
	}
	for (int i = 0; i < COMMIT_PARAMS - 1; i++)
		params[i] = CatalogArrayFinish(&a[i]);
	snprintf(cbuf, sizeof(cbuf), "%d", (int) coordinator);
	params[COMMIT_PARAMS - 1] = cbuf;

	if (timeout_ms >= 0)
		r = CatalogQueryWait(conn, commit_sql, COMMIT_PARAMS, params, timeout_ms, true, &res, err, errlen);
	else
	{
		res = CatalogQueryRetry(conn, commit_sql, COMMIT_PARAMS, params, err, errlen);
		r = res != NULL ? CATALOG_WAIT_OK
			: PQstatus(conn) == CONNECTION_OK ? CATALOG_WAIT_REJECTED : CATALOG_WAIT_LOST;
	}
	if (r == CATALOG_WAIT_OK)
	{
		for (int t = 0; t < PQntuples(res); t++)
			for (int i = 0; i < ngroups; i++)
				if (strcmp(groups[i].group_id, PQgetvalue(res, t, 0)) == 0)
					refused[i] = true;
	}
	PQclear(res);
	for (int i = 0; i < COMMIT_PARAMS - 1; i++)
		CatalogArrayFree(&a[i]);
	return r;
}

int
CatalogLoadOffsets(PGconn *conn, const char *group_id, CatalogOffset **out,
				   char *err, size_t errlen)
{
	const char *params[1] = {group_id};
	PGresult   *res;
	CatalogOffset *o;
	int			n;

	res = CatalogQueryRetry(conn,
							"SELECT topic, partition, committed_offset, leader_epoch, encode(metadata, 'hex') "
							"FROM strata.committed_offsets WHERE group_id = $1 "
							"ORDER BY topic, partition", 1, params, err, errlen);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	o = palloc(sizeof(CatalogOffset) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		o[i].group_id = group_id;
		o[i].topic = pstrdup(PQgetvalue(res, i, 0));
		o[i].partition = atoi(PQgetvalue(res, i, 1));
		o[i].offset = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		o[i].leader_epoch = PQgetisnull(res, i, 3) ? -1 : atoi(PQgetvalue(res, i, 3));
		if (PQgetisnull(res, i, 4))
		{
			o[i].metadata = NULL;
			o[i].metadata_len = 0;
		}
		else
			o[i].metadata = CatalogHexDecode(PQgetvalue(res, i, 4), &o[i].metadata_len);
	}
	PQclear(res);
	*out = o;
	return n;
}

void
CatalogFreeOffsets(CatalogOffset *rows, int n)
{
	for (int i = 0; i < n; i++)
	{
		pfree((char *) rows[i].topic);
		if (rows[i].metadata)
			pfree((char *) rows[i].metadata);
	}
	pfree(rows);
}

bool
CatalogDeleteOffset(PGconn *conn, const char *group_id, const char *topic,
					int32 partition, char *err, size_t errlen)
{
	char		pbuf[24];
	const char *params[3] = {group_id, topic, CatalogInt64Text(partition, pbuf)};
	PGresult   *res;

	res = CatalogQueryRetry(conn,
							"DELETE FROM strata.committed_offsets "
							"WHERE group_id = $1 AND topic = $2 AND partition = $3",
							3, params, err, errlen);
	PQclear(res);
	return res != NULL;
}

bool
CatalogGroupExists(PGconn *conn, const char *group_id, bool *exists, char *err, size_t errlen)
{
	const char *params[1] = {group_id};

	int			n;

	n = CatalogRowCount(CatalogQueryRetry(conn, "SELECT 1 FROM strata.groups WHERE group_id = $1",
										  1, params, err, errlen));
	*exists = n > 0;
	return n >= 0;
}

bool
CatalogDeleteGroup(PGconn *conn, const char *group_id, bool *existed, char *err, size_t errlen)
{
	const char *params[1] = {group_id};
	int			n;

	n = CatalogRowCount(CatalogQueryRetry(conn,
										  "WITH o AS (DELETE FROM strata.committed_offsets WHERE group_id = $1), "
										  "m AS (DELETE FROM strata.group_members WHERE group_id = $1) "
										  "DELETE FROM strata.groups WHERE group_id = $1 RETURNING 1",
										  1, params, err, errlen));
	*existed = n > 0;
	return n >= 0;
}

static const char record_sql[] =
"WITH g AS (\n"
"    INSERT INTO strata.groups AS x (group_id, protocol_type, protocol, generation, state)\n"
"    VALUES ($1, $2, $3, $4, $5)\n"
"    ON CONFLICT (group_id) DO UPDATE SET protocol_type = EXCLUDED.protocol_type,\n"
"        protocol = EXCLUDED.protocol, generation = EXCLUDED.generation,\n"
"        state = EXCLUDED.state, updated = now()\n"
"    RETURNING x.group_id),\n"
"d AS (DELETE FROM strata.group_members WHERE group_id = $1 AND member_id <> ALL ($6::text[]))\n"
"INSERT INTO strata.group_members (group_id, member_id, group_instance_id, client_id,\n"
"    client_host, session_timeout_ms, rebalance_timeout_ms, generation)\n"
"SELECT g.group_id, u.m, u.i, u.c, u.h, u.s, u.r, $4\n"
"FROM g, unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[])\n"
"    AS u(m, i, c, h, s, r)\n"
"ON CONFLICT (group_id, member_id) DO UPDATE SET group_instance_id = EXCLUDED.group_instance_id,\n"
"    client_id = EXCLUDED.client_id, client_host = EXCLUDED.client_host,\n"
"    session_timeout_ms = EXCLUDED.session_timeout_ms,\n"
"    rebalance_timeout_ms = EXCLUDED.rebalance_timeout_ms, generation = EXCLUDED.generation";

bool
CatalogRecordGroup(PGconn *conn, const char *group_id, const char *protocol_type,
				   const char *protocol, int32 generation, const char *state,
				   const CatalogGroupMember *members, int nmembers,
				   char *err, size_t errlen)
{
	CatalogArray a[6];
	char		gen[24];
	const char *params[11];
	PGresult   *res;

	for (int i = 0; i < 6; i++)
		CatalogArrayInit(&a[i]);
	for (int i = 0; i < nmembers; i++)
	{
		const CatalogGroupMember *m = &members[i];

		CatalogArrayText(&a[0], m->member_id, (int32) strlen(m->member_id));
		CatalogArrayText(&a[1], m->instance_id, m->instance_id ? (int32) strlen(m->instance_id) : 0);
		CatalogArrayText(&a[2], m->client_id, (int32) strlen(m->client_id));
		CatalogArrayText(&a[3], m->client_host, (int32) strlen(m->client_host));
		CatalogArrayInt(&a[4], m->session_timeout_ms);
		CatalogArrayInt(&a[5], m->rebalance_timeout_ms);
	}
	params[0] = group_id;
	params[1] = protocol_type;
	params[2] = protocol;
	params[3] = CatalogInt64Text(generation, gen);
	params[4] = state;
	for (int i = 0; i < 6; i++)
		params[5 + i] = CatalogArrayFinish(&a[i]);
	res = CatalogQueryRetry(conn, record_sql, 11, params, err, errlen);
	PQclear(res);
	for (int i = 0; i < 6; i++)
		CatalogArrayFree(&a[i]);
	return res != NULL;
}

int
CatalogListGroups(PGconn *conn, CatalogGroupName **out, char *err, size_t errlen)
{
	PGresult   *res;
	CatalogGroupName *g;
	int			n;

	res = CatalogQueryRetry(conn, "SELECT group_id, coalesce(protocol_type, '') FROM strata.groups",
							0, NULL, err, errlen);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	g = palloc(sizeof(CatalogGroupName) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		g[i].group_id = pstrdup(PQgetvalue(res, i, 0));
		g[i].protocol_type = pstrdup(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	*out = g;
	return n;
}

void
CatalogFreeGroupNames(CatalogGroupName *groups, int n)
{
	for (int i = 0; i < n; i++)
	{
		pfree(groups[i].group_id);
		pfree(groups[i].protocol_type);
	}
	pfree(groups);
}
