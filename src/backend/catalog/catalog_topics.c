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

/*
 * Inside the caller's transaction: partitions [from, to) of topic id,
 * partition from + i led by leaders[i] (leader epoch 0), each on a new
 * stream.  The streams of the partitions broker me leads are opened at once
 * (epoch 1); the others stay closed (epoch 0) until their leaders open
 * them.  *parts (palloc'd, to - from entries) gets them.
 */
static bool
insert_partitions(PGconn *conn, const uint8 id[16], int32 from, int32 to, const int32 *leaders,
				  int32 me, CatalogPartition **parts, char *err, size_t errlen)
{
	char		idtext[37];
	char		fbuf[24],
				mebuf[24];
	CatalogArray la;
	const char *params[4];
	PGresult   *res;
	int			n;

	CatalogUuidText(id, idtext);
	CatalogArrayInit(&la);
	for (int32 i = 0; i < to - from; i++)
		CatalogArrayInt(&la, leaders[i]);
	params[0] = idtext;
	params[1] = CatalogInt64Text(from, fbuf);
	params[2] = CatalogArrayFinish(&la);
	params[3] = CatalogInt64Text(me, mebuf);
	res = CatalogQuery(conn,
					   "WITH l AS (SELECT (ord - 1)::int AS i, leader, nextval('strata.streams_id_seq') AS sid"
					   "           FROM unnest($3::int[]) WITH ORDINALITY AS u(leader, ord)),"
					   " s AS (INSERT INTO strata.streams (id, epoch, state)"
					   "       SELECT sid, CASE WHEN leader = $4::int THEN 1 ELSE 0 END,"
					   "              CASE WHEN leader = $4::int THEN 'opened' ELSE 'closed' END FROM l)"
					   " INSERT INTO strata.partitions (topic_id, index, stream_id, leader, leader_epoch)"
					   " SELECT $1::uuid, $2::int + i, sid, leader, 0 FROM l"
					   " RETURNING index, stream_id, CASE WHEN leader = $4::int THEN 1 ELSE 0 END, leader",
					   4, params, err, errlen);
	CatalogArrayFree(&la);
	if (res == NULL)
		return false;
	n = PQntuples(res);
	*parts = palloc0(sizeof(CatalogPartition) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		CatalogPartition *p = &(*parts)[i];

		memcpy(p->topic_id, id, 16);
		p->index = atoi(PQgetvalue(res, i, 0));
		p->stream_id = atoll(PQgetvalue(res, i, 1));
		p->stream_epoch = atoll(PQgetvalue(res, i, 2));
		p->leader = atoi(PQgetvalue(res, i, 3));
		p->target_broker = -1;
		p->opened_now = p->stream_epoch > 0;
	}
	PQclear(res);
	return true;
}

/* Upsert one config of topic idtext (inside the caller's transaction). */
static bool
set_config(PGconn *conn, const char *idtext, const CatalogTopicConfig *c, char *err, size_t errlen)
{
	const char *p3[3] = {idtext, c->name, c->value};

	return CatalogExec(conn, "INSERT INTO strata.topic_configs (topic_id, name, value) VALUES ($1, $2, $3) "
					   "ON CONFLICT (topic_id, name) DO UPDATE SET value = EXCLUDED.value",
					   3, p3, err, errlen);
}

CatalogTopicResult
CatalogCreateTopic(PGconn *conn, const char *name, const CatalogTopicConfig *configs, int nconfigs,
				   int32 nparts, const int32 *leaders, int32 me, uint8 id_out[16],
				   CatalogPartition **parts, char *err, size_t errlen)
{
	char		idtext[37];
	const char *params[1];
	PGresult   *res;

	*parts = NULL;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		goto fail;
	params[0] = name;
	res = CatalogQuery(conn, "INSERT INTO strata.topics (name) VALUES ($1) "
					   "ON CONFLICT (name) DO NOTHING RETURNING id::text",
					   1, params, err, errlen);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		CatalogRollback(conn);
		return CATALOG_TOPIC_EXISTS;
	}
	strlcpy_s(idtext, PQgetvalue(res, 0, 0), sizeof(idtext));
	PQclear(res);
	CatalogUuidParse(idtext, id_out);
	for (int i = 0; i < nconfigs; i++)
		if (!set_config(conn, idtext, &configs[i], err, errlen))
			goto fail;
	if (!insert_partitions(conn, id_out, 0, nparts, leaders, me, parts, err, errlen))
		goto fail;
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return CATALOG_TOPIC_OK;

fail:
	CatalogRollback(conn);
	if (*parts)
		pfree(*parts);
	return CATALOG_TOPIC_ERROR;
}

bool
CatalogDeleteTopic(PGconn *conn, const uint8 id[16], char **name_out, char *err, size_t errlen)
{
	char		idtext[37];
	const char *params[1] = {idtext};
	PGresult   *res;

	CatalogUuidText(id, idtext);
	*name_out = NULL;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		goto fail;
	if (!CatalogExec(conn,
					 "UPDATE strata.streams SET state = 'deleted' WHERE id IN "
					 "(SELECT stream_id FROM strata.partitions WHERE topic_id = $1::uuid)",
					 1, params, err, errlen))
		goto fail;
	res = CatalogQuery(conn, "DELETE FROM strata.topics WHERE id = $1::uuid RETURNING name",
					   1, params, err, errlen);
	if (res == NULL)
		goto fail;
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
	{
		PQclear(res);
		goto fail;
	}
	if (PQntuples(res) > 0)
		*name_out = pstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;

fail:
	CatalogRollback(conn);
	return false;
}

bool
CatalogAddPartitions(PGconn *conn, const uint8 id[16], int32 current, int32 new_total,
					 const int32 *leaders, int32 me, CatalogPartition **parts,
					 char *err, size_t errlen)
{
	*parts = NULL;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen) ||
		!insert_partitions(conn, id, current, new_total, leaders, me, parts, err, errlen) ||
		!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
	{
		CatalogRollback(conn);
		if (*parts)
			pfree(*parts);
		return false;
	}
	return true;
}

bool
CatalogAlterTopicConfigs(PGconn *conn, const uint8 id[16], bool replace,
						 const CatalogTopicConfig *configs, int n, char *err, size_t errlen)
{
	char		idtext[37];

	CatalogUuidText(id, idtext);
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		goto fail;
	if (replace)
	{
		const char *p1[1] = {idtext};

		if (!CatalogExec(conn, "DELETE FROM strata.topic_configs WHERE topic_id = $1::uuid",
						 1, p1, err, errlen))
			goto fail;
	}
	for (int i = 0; i < n; i++)
	{
		const char *p2[2] = {idtext, configs[i].name};
		bool		ok;

		if (configs[i].value == NULL)
			ok = CatalogExec(conn, "DELETE FROM strata.topic_configs WHERE topic_id = $1::uuid AND name = $2",
							 2, p2, err, errlen);
		else
			ok = set_config(conn, idtext, &configs[i], err, errlen);
		if (!ok)
			goto fail;
	}
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return true;

fail:
	CatalogRollback(conn);
	return false;
}

int
CatalogGetTopicConfigs(PGconn *conn, const uint8 id[16], CatalogTopicConfig **out,
					   char *err, size_t errlen)
{
	char		idtext[37];
	const char *params[1] = {idtext};
	PGresult   *res;
	CatalogTopicConfig *c;
	int			n;

	CatalogUuidText(id, idtext);
	res = CatalogQuery(conn, "SELECT name, value FROM strata.topic_configs WHERE topic_id = $1::uuid",
					   1, params, err, errlen);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	c = palloc(sizeof(CatalogTopicConfig) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		c[i].name = pstrdup(PQgetvalue(res, i, 0));
		c[i].value = PQgetisnull(res, i, 1) ? NULL : pstrdup(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	*out = c;
	return n;
}

/* ---------- the registry load ---------- */

/*
 * Open the streams of the partitions broker leads that it does not have
 * open (inside the load's transaction): every one but those in open_ids
 * still at the epoch open_epochs gives and still 'opened' there.  Their
 * epoch goes up, which fences whoever wrote them before.  Returns the ids
 * opened now (palloc'd, *nopened), or NULL on error.
 */
static int64 *
open_led(PGconn *conn, int32 broker, const int64 *open_ids, const int64 *open_epochs, int nopen,
		 int *nopened, char *err, size_t errlen)
{
	char		me[24];
	char	   *ids = CatalogInt64Array(open_ids, nopen);
	char	   *epochs = CatalogInt64Array(open_epochs, nopen);
	const char *params[3] = {CatalogInt64Text(broker, me), ids, epochs};
	PGresult   *res;
	int64	   *out;

	res = CatalogQuery(conn,
					   "UPDATE strata.streams s SET epoch = s.epoch + 1, state = 'opened' "
					   "FROM strata.partitions p WHERE p.stream_id = s.id AND p.leader = $1::int "
					   "  AND NOT EXISTS (SELECT 1 FROM unnest($2::bigint[], $3::bigint[]) AS o(id, epoch) "
					   "                  WHERE o.id = s.id AND o.epoch = s.epoch AND s.state = 'opened') "
					   "RETURNING s.id",
					   3, params, err, errlen);
	pfree(ids);
	pfree(epochs);
	if (res == NULL)
		return NULL;
	*nopened = PQntuples(res);
	out = palloc(sizeof(int64) * (size_t) Max(*nopened, 1));
	for (int i = 0; i < *nopened; i++)
		out[i] = atoll(PQgetvalue(res, i, 0));
	PQclear(res);
	return out;
}

/* The topics and their configs (inside the load's transaction). */
static bool
load_topics(PGconn *conn, CatalogTopicSet *set, char *err, size_t errlen)
{
	PGresult   *topics;
	PGresult   *configs;
	uint8	   *config_topic;
	int			nconfigs;

	topics = CatalogQuery(conn,
						  "SELECT id::text, name, (SELECT count(*) FROM strata.partitions p WHERE p.topic_id = t.id) "
						  "FROM strata.topics t ORDER BY name", 0, NULL, err, errlen);
	if (topics == NULL)
		return false;
	configs = CatalogQuery(conn, "SELECT topic_id::text, name, value FROM strata.topic_configs",
						   0, NULL, err, errlen);
	if (configs == NULL)
	{
		PQclear(topics);
		return false;
	}
	nconfigs = PQntuples(configs);
	config_topic = palloc(16 * (size_t) Max(nconfigs, 1));
	for (int c = 0; c < nconfigs; c++)
		CatalogUuidParse(PQgetvalue(configs, c, 0), config_topic + 16 * c);

	set->ntopics = PQntuples(topics);
	set->topics = palloc0(sizeof(CatalogTopic) * (size_t) Max(set->ntopics, 1));
	for (int i = 0; i < set->ntopics; i++)
	{
		CatalogTopic *t = &set->topics[i];

		CatalogUuidParse(PQgetvalue(topics, i, 0), t->id);
		t->name = pstrdup(PQgetvalue(topics, i, 1));
		t->num_partitions = atoi(PQgetvalue(topics, i, 2));
		for (int c = 0; c < nconfigs; c++)
			if (memcmp(config_topic + 16 * c, t->id, 16) == 0)
				t->nconfigs++;
		t->configs = palloc(sizeof(CatalogTopicConfig) * (size_t) Max(t->nconfigs, 1));
		t->nconfigs = 0;
		for (int c = 0; c < nconfigs; c++)
		{
			CatalogTopicConfig *tc;

			if (memcmp(config_topic + 16 * c, t->id, 16) != 0)
				continue;
			tc = &t->configs[t->nconfigs++];
			tc->name = pstrdup(PQgetvalue(configs, c, 1));
			tc->value = PQgetisnull(configs, c, 2) ? NULL : pstrdup(PQgetvalue(configs, c, 2));
		}
	}
	pfree(config_topic);
	PQclear(topics);
	PQclear(configs);
	return true;
}

/* Every partition with its stream (inside the load's transaction). */
static bool
load_partitions(PGconn *conn, CatalogTopicSet *set, char *err, size_t errlen)
{
	PGresult   *parts;

	parts = CatalogQuery(conn,
						 "SELECT p.topic_id::text, p.index, p.stream_id, s.epoch, p.leader, p.leader_epoch, "
						 "       s.start_offset, s.end_offset, p.target_broker "
						 "FROM strata.partitions p JOIN strata.streams s ON s.id = p.stream_id",
						 0, NULL, err, errlen);
	if (parts == NULL)
		return false;
	set->npartitions = PQntuples(parts);
	set->partitions = palloc0(sizeof(CatalogPartition) * (size_t) Max(set->npartitions, 1));
	for (int i = 0; i < set->npartitions; i++)
	{
		CatalogPartition *p = &set->partitions[i];

		CatalogUuidParse(PQgetvalue(parts, i, 0), p->topic_id);
		p->index = atoi(PQgetvalue(parts, i, 1));
		p->stream_id = atoll(PQgetvalue(parts, i, 2));
		p->stream_epoch = atoll(PQgetvalue(parts, i, 3));
		p->leader = PQgetisnull(parts, i, 4) ? -1 : atoi(PQgetvalue(parts, i, 4));
		p->leader_epoch = atoi(PQgetvalue(parts, i, 5));
		p->start_offset = atoll(PQgetvalue(parts, i, 6));
		p->end_offset = atoll(PQgetvalue(parts, i, 7));
		p->target_broker = PQgetisnull(parts, i, 8) ? -1 : atoi(PQgetvalue(parts, i, 8));
	}
	PQclear(parts);
	return true;
}

bool
CatalogLoadTopics(PGconn *conn, int32 broker, const int64 *open_ids, const int64 *open_epochs,
				  int nopen, CatalogTopicSet *set, char *err, size_t errlen)
{
	PGresult   *cl;
	int64	   *opened = NULL;
	int			nopened = 0;

	memset(set, 0, sizeof(*set));
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		goto fail;
	opened = open_led(conn, broker, open_ids, open_epochs, nopen, &nopened, err, errlen);
	if (opened == NULL)
		goto fail;
	cl = CatalogQuery(conn, "SELECT id::text FROM strata.cluster", 0, NULL, err, errlen);
	if (cl == NULL)
		goto fail;
	set->has_cluster_id = PQntuples(cl) == 1 && CatalogUuidParse(PQgetvalue(cl, 0, 0), set->cluster_id);
	PQclear(cl);
	if (!load_topics(conn, set, err, errlen) ||
		!load_partitions(conn, set, err, errlen) ||
		!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	for (int i = 0; i < set->npartitions; i++)
		for (int k = 0; k < nopened; k++)
			if (set->partitions[i].stream_id == opened[k])
				set->partitions[i].opened_now = true;
	pfree(opened);
	return true;

fail:
	CatalogRollback(conn);
	CatalogFreeTopicSet(set);
	if (opened)
		pfree(opened);
	return false;
}

void
CatalogFreeTopicSet(CatalogTopicSet *set)
{
	for (int i = 0; i < set->ntopics; i++)
	{
		CatalogTopic *t = &set->topics[i];

		for (int c = 0; c < t->nconfigs; c++)
		{
			pfree((char *) t->configs[c].name);
			if (t->configs[c].value)
				pfree((char *) t->configs[c].value);
		}
		pfree(t->configs);
		pfree(t->name);
	}
	if (set->topics)
		pfree(set->topics);
	if (set->partitions)
		pfree(set->partitions);
	memset(set, 0, sizeof(*set));
}

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
	CatalogArray c[3];
	const char *params[3];
	PGresult   *res;
	CatalogStreamStart *m;
	int			nm;

	for (int j = 0; j < 3; j++)
		CatalogArrayInit(&c[j]);
	for (int i = 0; i < n; i++)
	{
		CatalogArrayInt(&c[0], (int64) want[i].stream_id);
		CatalogArrayInt(&c[1], want[i].epoch);
		CatalogArrayInt(&c[2], want[i].start_offset);
	}
	for (int j = 0; j < 3; j++)
		params[j] = CatalogArrayFinish(&c[j]);

	/* Only with our epoch, and never past what is in objects. */
	res = CatalogQuery(conn,
					   "UPDATE strata.streams s SET start_offset = greatest(s.start_offset, u.target), "
					   "       end_offset = greatest(s.end_offset, u.target) "
					   "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, epoch, target) "
					   "WHERE s.id = u.id AND s.epoch = u.epoch AND u.target <= s.object_end_offset "
					   "RETURNING s.id, s.start_offset",
					   3, params, err, errlen);
	for (int j = 0; j < 3; j++)
		CatalogArrayFree(&c[j]);
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
