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
		s[r].nproducers = 0;
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

/*
 * All the snapshots of an upload in one statement: the uploader saves one
 * per stream at each object commit (many times a second under load), and
 * one statement each would have the catalog parse and plan the same
 * upsert for every stream.  The snapshots go as hex text in an array
 * (text cannot hold every byte), decoded by the statement.
 */
bool
CatalogSaveProducerSnapshots(PGconn *conn, const CatalogProducerSnapshot *snaps, int n,
							 char *err, size_t errlen)
{
	CatalogArray a[4];
	const char *params[4];
	bool		ok;

	if (n <= 0)
		return true;
	for (int i = 0; i < 4; i++)
		CatalogArrayInit(&a[i]);
	for (int i = 0; i < n; i++)
	{
		CatalogArrayInt(&a[0], (int64) snaps[i].stream_id);
		CatalogArrayInt(&a[1], snaps[i].end_offset);
		CatalogArrayHex(&a[2], (const char *) (snaps[i].data ? snaps[i].data : (const uint8 *) ""),
						(int32) snaps[i].len);
		CatalogArrayInt(&a[3], snaps[i].nproducers);
	}
	for (int i = 0; i < 4; i++)
		params[i] = CatalogArrayFinish(&a[i]);
	ok = CatalogExec(conn,
					 "INSERT INTO strata.producer_snapshots AS s (stream_id, end_offset, snapshot, producers, updated) "
					 "SELECT u.stream_id, u.end_offset, decode(u.snapshot, 'hex'), u.producers, now() "
					 "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[]) "
					 "AS u(stream_id, end_offset, snapshot, producers) "
					 "ON CONFLICT (stream_id) DO UPDATE SET end_offset = EXCLUDED.end_offset, "
					 "snapshot = EXCLUDED.snapshot, producers = EXCLUDED.producers, updated = now() "
					 "WHERE s.end_offset <= EXCLUDED.end_offset",
					 4, params, err, errlen);
	for (int i = 0; i < 4; i++)
		CatalogArrayFree(&a[i]);
	return ok;
}
