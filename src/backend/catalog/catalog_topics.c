/*-------------------------------------------------------------------------
 *
 * catalog_topics.c
 *	  Topics, partitions, topic configs and streams in the catalog (see
 *	  include/catalog/catalog_topics.h for transactions and locks).
 *
 * src/backend/catalog/catalog_topics.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_topics.h"
#include "catalog_int.h"

/* ---------- streams ---------- */

bool
CatalogTrimStream(PGconn *conn, uint64 stream_id, int64 epoch, int64 target,
				  bool *ours, int64 *start, char *err, size_t errlen)
{
	char		sid[24],
				sepoch[24],
				off[24];
	const char *params[3] = {CatalogInt64Text((int64) stream_id, sid),
	CatalogInt64Text(epoch, sepoch), CatalogInt64Text(target, off)};
	PGresult   *res;

	res = CatalogQuery(conn,
					   "UPDATE strata.streams SET start_offset = GREATEST(start_offset, $3::bigint), "
					   "end_offset = GREATEST(end_offset, $3::bigint) "
					   "WHERE id = $1::bigint AND epoch = $2::bigint RETURNING start_offset",
					   3, params, err, errlen);
	if (res == NULL)
		return false;
	*ours = PQntuples(res) > 0;
	if (*ours)
		*start = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

int
CatalogAdvanceStreamStarts(PGconn *conn, const CatalogStreamStart *want, int n,
						   CatalogStreamStart **moved, char *err, size_t errlen)
{
	int64	   *c[3];
	char	   *a[3];
	const char *params[3];
	PGresult   *res;
	CatalogStreamStart *m;
	int			nm;

	for (int j = 0; j < 3; j++)
		c[j] = palloc(sizeof(int64) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		c[0][i] = (int64) want[i].stream_id;
		c[1][i] = want[i].epoch;
		c[2][i] = want[i].start_offset;
	}
	for (int j = 0; j < 3; j++)
	{
		a[j] = CatalogInt64Array(c[j], n);
		params[j] = a[j];
	}

	/* Only with our epoch, and never past what is in objects. */
	res = CatalogQuery(conn,
					   "UPDATE strata.streams s SET start_offset = greatest(s.start_offset, u.target), "
					   "       end_offset = greatest(s.end_offset, u.target) "
					   "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, epoch, target) "
					   "WHERE s.id = u.id AND s.epoch = u.epoch AND u.target <= s.object_end_offset "
					   "RETURNING s.id, s.start_offset",
					   3, params, err, errlen);
	for (int j = 0; j < 3; j++)
	{
		pfree(c[j]);
		pfree(a[j]);
	}
	if (res == NULL)
		return -1;
	nm = PQntuples(res);
	m = palloc0(sizeof(CatalogStreamStart) * (size_t) Max(nm, 1));
	for (int i = 0; i < nm; i++)
	{
		m[i].stream_id = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		m[i].start_offset = atoll(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	*moved = m;
	return nm;
}
