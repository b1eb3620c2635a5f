/*-------------------------------------------------------------------------
 *
 * catalog_producers.c
 *	  Producer ids and producer-state snapshots in the catalog (see
 *	  include/catalog/catalog_producers.h).
 *
 * src/backend/catalog/catalog_producers.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>

#include "catalog/catalog.h"
#include "catalog/catalog_producers.h"
#include "catalog_int.h"

int64
CatalogNextProducerId(PGconn *conn, char *err, size_t errlen)
{
	PGresult   *res;
	int64		id;

	res = CatalogQueryRetry(conn, "SELECT nextval('strata.producer_ids')", 0, NULL, err, errlen);
	if (res == NULL)
		return -1;
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

/* The snapshots of a result of (stream_id, end_offset, snapshot). */
static int
snapshots_of(PGresult *res, CatalogProducerSnapshot **out)
{
	int			n = PQntuples(res);
	CatalogProducerSnapshot *s = palloc(sizeof(CatalogProducerSnapshot) * (size_t) Max(n, 1));

	for (int r = 0; r < n; r++)
	{
		s[r].stream_id = (uint64) strtoull(PQgetvalue(res, r, 0), NULL, 10);
		s[r].end_offset = strtoll(PQgetvalue(res, r, 1), NULL, 10);
		s[r].len = 0;
		s[r].data = PQunescapeBytea((const unsigned char *) PQgetvalue(res, r, 2), &s[r].len);
	}
	PQclear(res);
	*out = s;
	return n;
}

int
CatalogLoadProducerSnapshots(PGconn *conn, const uint64 *stream_ids, int n,
							 CatalogProducerSnapshot **out, char *err, size_t errlen)
{
	int64	   *ids = palloc(sizeof(int64) * (size_t) Max(n, 1));
	char	   *arr;
	const char *params[1];
	PGresult   *res;

	for (int i = 0; i < n; i++)
		ids[i] = (int64) stream_ids[i];
	arr = CatalogInt64Array(ids, n);
	params[0] = arr;
	res = CatalogQuery(conn,
					   "SELECT stream_id, end_offset, snapshot FROM strata.producer_snapshots "
					   "WHERE stream_id = ANY ($1::bigint[])",
					   1, params, err, errlen);
	pfree(arr);
	pfree(ids);
	if (res == NULL)
		return -1;
	return snapshots_of(res, out);
}

int
CatalogLoadLedProducerSnapshots(PGconn *conn, int32 broker, CatalogProducerSnapshot **out,
								char *err, size_t errlen)
{
	char		idbuf[24];
	const char *params[1] = {CatalogInt64Text(broker, idbuf)};
	PGresult   *res;

	res = CatalogQuery(conn,
					   "SELECT s.stream_id, s.end_offset, s.snapshot "
					   "FROM strata.producer_snapshots s "
					   "JOIN strata.partitions p ON p.stream_id = s.stream_id "
					   "WHERE p.leader IS NULL OR p.leader = $1 "
					   "ORDER BY s.stream_id",
					   1, params, err, errlen);
	if (res == NULL)
		return -1;
	return snapshots_of(res, out);
}

void
CatalogFreeProducerSnapshots(CatalogProducerSnapshot *snaps, int n)
{
	for (int i = 0; i < n; i++)
		if (snaps[i].data)
			PQfreemem(snaps[i].data);
	pfree(snaps);
}

bool
CatalogSaveProducerSnapshot(PGconn *conn, uint64 stream_id, int64 end_offset,
							const uint8 *data, size_t len, int nproducers,
							char *err, size_t errlen)
{
	char		sbuf[24],
				ebuf[24],
				cbuf[24];
	const char *params[4] = {sbuf, ebuf, (const char *) data, cbuf};
	int			lengths[4] = {0, 0, (int) len, 0};
	int			formats[4] = {0, 0, 1, 0};	/* the snapshot goes as binary bytea */
	PGresult   *res;

	snprintf(sbuf, sizeof(sbuf), "%llu", (unsigned long long) stream_id);
	CatalogInt64Text(end_offset, ebuf);
	CatalogInt64Text(nproducers, cbuf);
	res = PQexecParams(conn,
					   "INSERT INTO strata.producer_snapshots (stream_id, end_offset, snapshot, producers, updated) "
					   "VALUES ($1::bigint, $2::bigint, $3::bytea, $4::int, now()) "
					   "ON CONFLICT (stream_id) DO UPDATE SET end_offset = EXCLUDED.end_offset, "
					   "snapshot = EXCLUDED.snapshot, producers = EXCLUDED.producers, updated = now() "
					   "WHERE strata.producer_snapshots.end_offset <= EXCLUDED.end_offset",
					   4, NULL, params, lengths, formats, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		CatalogConnError(conn, "catalog query failed", err, errlen);
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}
