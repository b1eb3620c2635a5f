/*-------------------------------------------------------------------------
 *
 * api_offsets.c
 *	  OffsetCommit, OffsetFetch, OffsetDelete and DeleteGroups: committed
 *	  offsets, durable in the catalog (strata.committed_offsets).
 *
 *	  An OffsetCommit is answered after its offsets are committed in the
 *	  catalog.  The backend does not write them itself: it hands the rows to
 *	  the offset committer (offsetstore.c), which writes the commits of many
 *	  requests, from many connections, in one transaction.  OffsetFetch
 *	  answers from the committer's cache of each group's offsets, loaded
 *	  from the catalog on first use.  A commit too large for the queue, and
 *	  the deletes, are written from here and drop the group from the cache.

 *	  When the catalog cannot be reached the coordinator answers
 *	  COORDINATOR_NOT_AVAILABLE, which every client retries after looking
 *	  the coordinator up again; the backend reconnects on the next request.
 *
 * src/backend/kafka/api_offsets.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog.h"
#include "kafka/group.h"
#include "kafka/handlers.h"
#include "kafka/offsetstore.h"
#include "kafka/partition.h"
#include "kafka/topics.h"
#include "utils/elog.h"

/* ---------- a growable text buffer for array literals ---------- */

typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_init(Buf *b)
{
	b->cap = 256;
	b->len = 0;
	b->data = palloc(b->cap);
	b->data[0] = '\0';
}

static void
buf_putn(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		while (b->len + n + 1 > b->cap)
			b->cap *= 2;
		b->data = repalloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_puts(Buf *b, const char *s)
{
	buf_putn(b, s, strlen(s));
}

/* Append one element of a PostgreSQL array literal (quoted, or NULL). */
static void
buf_array_elem(Buf *b, const char *s, int32 len)
{
	if (b->len > 1)
		buf_puts(b, ",");
	if (len < 0)
	{
		buf_puts(b, "NULL");
		return;
	}
	buf_puts(b, "\"");
	for (int32 i = 0; i < len; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
			buf_puts(b, "\\");
		buf_putn(b, &s[i], 1);
	}
	buf_puts(b, "\"");
}

/*
 * Append one element holding bytes as hex (NULL if len < 0), which the
 * statement turns back into bytea with decode(.., 'hex'): metadata may
 * hold any byte, NUL included, and text cannot.
 */
static void
buf_array_hex(Buf *b, const char *s, int32 len)
{
	static const char hex[] = "0123456789abcdef";

	if (b->len > 1)
		buf_puts(b, ",");
	if (len < 0)
	{
		buf_puts(b, "NULL");
		return;
	}
	buf_puts(b, "\"");
	for (int32 i = 0; i < len; i++)
	{
		char		x[2] = {hex[(uint8) s[i] >> 4], hex[(uint8) s[i] & 15]};

		buf_putn(b, x, 2);
	}
	buf_puts(b, "\"");
}

/* The bytes of hex text (as encode(.., 'hex') writes it) as a KStr in the arena. */
static KStr
kstr_from_hex(KArena *arena, const char *hex)
{
	size_t		n = strlen(hex) / 2;
	char	   *p = KArenaAlloc(arena, n + 1);
	KStr		r;

	if (p == NULL)
		elog(ERROR, "request arena exhausted");
	for (size_t i = 0; i < n; i++)
	{
		int			hi = hex[2 * i],
					lo = hex[2 * i + 1];

		hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
		p[i] = (char) ((hi << 4) | lo);
	}
	p[n] = '\0';
	r.ptr = p;
	r.len = (int32) n;
	return r;
}

/* len bytes at s (any bytes) as a KStr in the arena. */
static KStr
kstr_copy(KArena *arena, const char *s, int32 len)
{
	char	   *p = KArenaAlloc(arena, (size_t) len + 1);
	KStr		r;

	if (p == NULL)
		elog(ERROR, "request arena exhausted");
	if (len > 0)
		memcpy(p, s, (size_t) len);
	p[len] = '\0';
	r.ptr = p;
	r.len = len;
	return r;
}

static void
buf_array_int(Buf *b, int64 v)
{
	char		tmp[32];

	snprintf(tmp, sizeof(tmp), "%s%lld", b->len > 1 ? "," : "", (long long) v);
	buf_puts(b, tmp);
}

/*
 * Run a catalog statement, reconnecting once if the connection was lost
 * (the catalog restarted since the last request).  NULL on failure, after
 * logging why.
 */
static PGresult *
offsets_query(const char *sql, int nparams, const char *const *params)
{
	for (int attempt = 0; attempt < 2; attempt++)
	{
		char	   *msg = NULL;
		char		err[1024];
		PGconn	   *pg = BackendCatalogConnection(&msg);
		PGresult   *res;

		if (pg == NULL)
			return NULL;
		res = CatalogQuery(pg, sql, nparams, params, err, sizeof(err));
		if (res != NULL)
			return res;
		if (PQstatus(pg) == CONNECTION_OK)
		{
			elog(LOG, "%s", err);
			return NULL;
		}
		/* Lost connection: BackendCatalogConnection reconnects. */
	}
	return NULL;
}

static bool
group_id_valid(KStr s, char *buf, size_t cap)
{
	return s.len > 0 && KStrCopy(buf, cap, s);
}

/* Does topic/partition exist in the registry? */
static bool
partition_exists(KStr topic, int32 partition)
{
	int			t;
	bool		ok = false;

	if (topic.len <= 0)
		return false;
	RegistryLock();
	t = TopicLookupByName(topic.ptr, (size_t) topic.len);
	if (t >= 0 && partition >= 0 && PartitionLookup(t, partition) >= 0)
		ok = true;
	RegistryUnlock();
	return ok;
}

/* ---------- OffsetCommit ---------- */

static const char commit_sql[] =
"WITH g AS (\n"
"    INSERT INTO strata.groups (group_id, protocol_type) VALUES ($1, $2)\n"
"    ON CONFLICT (group_id) DO UPDATE SET updated = now()\n"
"    RETURNING group_id)\n"
"INSERT INTO strata.committed_offsets\n"
"    (group_id, topic, partition, committed_offset, leader_epoch, metadata, commit_time)\n"
"SELECT g.group_id, u.t, u.p, u.o, u.e, decode(u.mhex, 'hex'), now()\n"
"FROM g, unnest($3::text[], $4::int[], $5::bigint[], $6::int[], $7::text[]) AS u(t, p, o, e, mhex)\n"
"ON CONFLICT (group_id, topic, partition) DO UPDATE\n"
"    SET committed_offset = EXCLUDED.committed_offset, leader_epoch = EXCLUDED.leader_epoch,\n"
"        metadata = EXCLUDED.metadata, commit_time = EXCLUDED.commit_time";

/*
 * Write one request's rows from this backend (one statement), for a
 * request too large for the committer's queue.  Returns a Kafka error.
 */
static int
commit_direct(const char *group_id, const char *protocol_type, int nrows, const OffsetRow *rows)
{
	Buf			topics,
				parts,
				offsets,
				epochs,
				metas;
	const char *params[7];
	PGresult   *res;

	buf_init(&topics);
	buf_init(&parts);
	buf_init(&offsets);
	buf_init(&epochs);
	buf_init(&metas);
	buf_puts(&topics, "{");
	buf_puts(&parts, "{");
	buf_puts(&offsets, "{");
	buf_puts(&epochs, "{");
	buf_puts(&metas, "{");
	for (int i = 0; i < nrows; i++)
	{
		buf_array_elem(&topics, rows[i].topic, (int32) strlen(rows[i].topic));
		buf_array_int(&parts, rows[i].partition);
		buf_array_int(&offsets, rows[i].offset);
		buf_array_int(&epochs, rows[i].leader_epoch);
		buf_array_hex(&metas, rows[i].metadata, rows[i].metadata ? rows[i].metadata_len : -1);
	}
	buf_puts(&topics, "}");
	buf_puts(&parts, "}");
	buf_puts(&offsets, "}");
	buf_puts(&epochs, "}");
	buf_puts(&metas, "}");
	params[0] = group_id;
	params[1] = protocol_type;
	params[2] = topics.data;
	params[3] = parts.data;
	params[4] = offsets.data;
	params[5] = epochs.data;
	params[6] = metas.data;
	res = offsets_query(commit_sql, 7, params);
	if (res != NULL)
		PQclear(res);
	pfree(topics.data);
	pfree(parts.data);
	pfree(offsets.data);
	pfree(epochs.data);
	pfree(metas.data);
	return res != NULL ? KAFKA_ERR_NONE : KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
}

bool
KafkaHandleOffsetCommit(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const OffsetCommitRequest *req = reqp;
	OffsetCommitResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	char		instance_id[GROUP_MEMBER_ID_MAX + 1];
	int16		group_err = KAFKA_ERR_NONE;
	int32		nt = Max(req->Topics.count, 0);
	int			nrows = 0;
	int			total_parts = 0;
	OffsetRow  *rows;

	(void) h;
	if (nt > 0)
	{
		resp->Topics.items = KafkaResponseArray(&conn->arena, &OffsetCommitResponseTopic_schema, nt);
		resp->Topics.count = nt;
	}
	for (int t = 0; t < nt; t++)
	{
		const OffsetCommitRequestTopic *rt = &req->Topics.items[t];
		OffsetCommitResponseTopic *ot = &resp->Topics.items[t];
		int32		np = Max(rt->Partitions.count, 0);

		ot->Name = rt->Name;
		total_parts += np;
		if (np > 0)
		{
			ot->Partitions.items = KafkaResponseArray(&conn->arena, &OffsetCommitResponsePartition_schema, np);
			ot->Partitions.count = np;
		}
		for (int p = 0; p < np; p++)
			ot->Partitions.items[p].PartitionIndex = rt->Partitions.items[p].PartitionIndex;
	}

	if (!group_id_valid(req->GroupId, group_id, sizeof(group_id)))
		group_err = KAFKA_ERR_INVALID_GROUP_ID;
	else if (req->MemberId.len > GROUP_MEMBER_ID_MAX || req->GroupInstanceId.len > GROUP_MEMBER_ID_MAX)
		group_err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else
	{
		memcpy(member_id, req->MemberId.ptr ? req->MemberId.ptr : "", (size_t) Max(req->MemberId.len, 0));
		member_id[Max(req->MemberId.len, 0)] = '\0';
		if (req->GroupInstanceId.len >= 0)
		{
			memcpy(instance_id, req->GroupInstanceId.ptr, (size_t) req->GroupInstanceId.len);
			instance_id[req->GroupInstanceId.len] = '\0';
		}
		group_err = GroupValidateCommit(group_id, member_id,
										req->GroupInstanceId.len >= 0 ? instance_id : NULL,
										req->GenerationIdOrMemberEpoch);
	}

	rows = palloc(sizeof(OffsetRow) * (size_t) Max(total_parts, 1));
	for (int t = 0; t < nt; t++)
	{
		const OffsetCommitRequestTopic *rt = &req->Topics.items[t];

		for (int p = 0; p < rt->Partitions.count; p++)
		{
			const OffsetCommitRequestPartition *rp = &rt->Partitions.items[p];
			OffsetCommitResponsePartition *op = &resp->Topics.items[t].Partitions.items[p];

			if (group_err != KAFKA_ERR_NONE)
				op->ErrorCode = group_err;
			else if (!partition_exists(rt->Name, rp->PartitionIndex) ||
					 memchr(rt->Name.ptr, '\0', (size_t) rt->Name.len) != NULL)
				op->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			else if (rp->CommittedMetadata.len > OFFSET_METADATA_MAX)
				op->ErrorCode = KAFKA_ERR_OFFSET_METADATA_TOO_LARGE;	/* any bytes, as Kafka */
			else
			{
				OffsetRow  *r = &rows[nrows++];

				op->ErrorCode = KAFKA_ERR_NONE;
				r->topic = pnstrdup_kstr(rt->Name);
				r->partition = rp->PartitionIndex;
				r->offset = rp->CommittedOffset;
				r->leader_epoch = rp->CommittedLeaderEpoch;
				r->metadata = rp->CommittedMetadata.len < 0 ? NULL : rp->CommittedMetadata.ptr;
				r->metadata_len = Max(rp->CommittedMetadata.len, 0);
			}
		}
	}

	if (nrows > 0)
	{
		const char *ptype = member_id[0] ? "consumer" : NULL;
		int			rc = OffsetStoreCommit(group_id, ptype, nrows, rows);

		if (rc == OFFSET_COMMIT_TOO_LARGE)
		{
			/* Larger than the whole queue: write it from here. */
			rc = commit_direct(group_id, ptype, nrows, rows);
			OffsetCacheForget(group_id);
		}
		if (rc != KAFKA_ERR_NONE)
		{
			/* Not durable: every partition we meant to commit failed. */
			for (int t = 0; t < nt; t++)
				for (int p = 0; p < resp->Topics.items[t].Partitions.count; p++)
				{
					OffsetCommitResponsePartition *op = &resp->Topics.items[t].Partitions.items[p];

					if (op->ErrorCode == KAFKA_ERR_NONE)
						op->ErrorCode = (int16) rc;
				}
		}
	}
	for (int i = 0; i < nrows; i++)
		pfree((char *) rows[i].topic);
	pfree(rows);
	return true;
}

/* ---------- OffsetFetch ---------- */

typedef struct FetchedOffset
{
	const char *topic;
	int32		partition;
	int64		offset;
	int32		epoch;
	KStr		metadata;
} FetchedOffset;

/*
 * All committed offsets of a group, in the arena.  Returns the count, or
 * -1 if the catalog is unreachable.
 */
static int
load_offsets(KArena *arena, const char *group_id, FetchedOffset **out)
{
	const char *params[1] = {group_id};
	PGresult   *res = offsets_query("SELECT topic, partition, committed_offset, leader_epoch, encode(metadata, 'hex') "
									"FROM strata.committed_offsets WHERE group_id = $1 "
									"ORDER BY topic, partition", 1, params);
	int			n;
	FetchedOffset *f;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	f = n > 0 ? KArenaArray(arena, n, sizeof(FetchedOffset)) : NULL;
	for (int i = 0; i < n; i++)
	{
		f[i].topic = KStrArena(arena, PQgetvalue(res, i, 0)).ptr;
		f[i].partition = atoi(PQgetvalue(res, i, 1));
		f[i].offset = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		f[i].epoch = PQgetisnull(res, i, 3) ? -1 : atoi(PQgetvalue(res, i, 3));
		f[i].metadata = PQgetisnull(res, i, 4) ? KSTR_NULL : kstr_from_hex(arena, PQgetvalue(res, i, 4));
	}
	PQclear(res);
	*out = f;
	return n;
}

static int
fetched_cmp(const void *a, const void *b)
{
	const FetchedOffset *x = a;
	const FetchedOffset *y = b;
	int			c = strcmp(x->topic, y->topic);

	return c != 0 ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/*
 * A group's committed offsets sorted by topic and partition: from the
 * cache (offsetstore.c) when it holds the group, else from the catalog,
 * which then fills the cache.  -1 if neither can answer.
 */
static int
group_offsets(KArena *arena, const char *group_id, FetchedOffset **out)
{
	OffsetRow  *rows;
	int			n;
	uint64		load_id;

	if (OffsetCacheLookup(group_id, &rows, &n, &load_id))
	{
		FetchedOffset *f = n > 0 ? KArenaArray(arena, n, sizeof(FetchedOffset)) : NULL;

		for (int i = 0; i < n; i++)
		{
			f[i].topic = KStrArena(arena, rows[i].topic).ptr;
			f[i].partition = rows[i].partition;
			f[i].offset = rows[i].offset;
			f[i].epoch = rows[i].leader_epoch;
			f[i].metadata = rows[i].metadata ? kstr_copy(arena, rows[i].metadata, rows[i].metadata_len) : KSTR_NULL;
			pfree((char *) rows[i].topic);
			if (rows[i].metadata)
				pfree((char *) rows[i].metadata);
		}
		if (rows)
			pfree(rows);
		if (n > 1)
			qsort(f, (size_t) n, sizeof(FetchedOffset), fetched_cmp);
		*out = f;
		return n;
	}
	n = load_offsets(arena, group_id, out);
	if (load_id != 0)
	{
		rows = n > 0 ? palloc(sizeof(OffsetRow) * (size_t) n) : NULL;
		for (int i = 0; i < n; i++)
		{
			const FetchedOffset *fo = &(*out)[i];

			rows[i].topic = fo->topic;
			rows[i].partition = fo->partition;
			rows[i].offset = fo->offset;
			rows[i].leader_epoch = fo->epoch;
			rows[i].metadata = fo->metadata.len >= 0 ? fo->metadata.ptr : NULL;
			rows[i].metadata_len = Max(fo->metadata.len, 0);
		}
		OffsetCacheInstall(group_id, load_id, n >= 0, Max(n, 0), rows);
		if (rows)
			pfree(rows);
	}
	return n;
}

static const FetchedOffset *
find_offset(const FetchedOffset *f, int n, KStr topic, int32 partition)
{
	for (int i = 0; i < n; i++)
		if (f[i].partition == partition && topic.len >= 0 &&
			strlen(f[i].topic) == (size_t) topic.len && memcmp(f[i].topic, topic.ptr, (size_t) topic.len) == 0)
			return &f[i];
	return NULL;
}

/*
 * Answer one group in the v8+ layout (the older layout is converted from
 * it).  topics == NULL (count -1) asks for every committed offset.
 */
typedef struct FetchTopicReq
{
	KStr		name;
	int32		nparts;
	const int32 *parts;
} FetchTopicReq;

static void
fetch_group(KArena *arena, KStr gid, int32 ntopics, const FetchTopicReq *topics,
			OffsetFetchResponseGroup *out)
{
	char		group_id[GROUP_ID_MAX + 1];
	FetchedOffset *f = NULL;
	int			n;

	out->GroupId = gid;
	if (!group_id_valid(gid, group_id, sizeof(group_id)))
	{
		out->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return;
	}
	n = group_offsets(arena, group_id, &f);
	if (n < 0)
	{
		out->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
		return;
	}
	if (ntopics < 0)
	{
		/* Every committed offset, grouped by topic (rows are sorted). */
		int			nt = 0;

		for (int i = 0; i < n; i++)
			if (i == 0 || strcmp(f[i].topic, f[i - 1].topic) != 0)
				nt++;
		out->Topics.items = KafkaResponseArray(arena, &OffsetFetchResponseTopics_schema, nt);
		out->Topics.count = nt;
		for (int i = 0, t = -1; i < n; i++)
		{
			OffsetFetchResponseTopics *ot;
			OffsetFetchResponsePartitions *op;

			if (i == 0 || strcmp(f[i].topic, f[i - 1].topic) != 0)
			{
				int			np = 0;

				t++;
				for (int j = i; j < n && strcmp(f[j].topic, f[i].topic) == 0; j++)
					np++;
				ot = &out->Topics.items[t];
				ot->Name = KStrArena(arena, f[i].topic);
				ot->Partitions.items = KafkaResponseArray(arena, &OffsetFetchResponsePartitions_schema, np);
				ot->Partitions.count = 0;
			}
			ot = &out->Topics.items[t];
			op = &ot->Partitions.items[ot->Partitions.count++];
			op->PartitionIndex = f[i].partition;
			op->CommittedOffset = f[i].offset;
			op->CommittedLeaderEpoch = f[i].epoch;
			op->Metadata = f[i].metadata;
		}
		return;
	}
	out->Topics.items = KafkaResponseArray(arena, &OffsetFetchResponseTopics_schema, ntopics);
	out->Topics.count = Max(ntopics, 0);
	for (int t = 0; t < ntopics; t++)
	{
		OffsetFetchResponseTopics *ot = &out->Topics.items[t];
		int32		np = Max(topics[t].nparts, 0);

		ot->Name = topics[t].name;
		ot->Partitions.items = KafkaResponseArray(arena, &OffsetFetchResponsePartitions_schema, np);
		ot->Partitions.count = np;
		for (int p = 0; p < np; p++)
		{
			OffsetFetchResponsePartitions *op = &ot->Partitions.items[p];
			const FetchedOffset *fo = find_offset(f, n, topics[t].name, topics[t].parts[p]);

			op->PartitionIndex = topics[t].parts[p];
			if (fo != NULL)
			{
				op->CommittedOffset = fo->offset;
				op->CommittedLeaderEpoch = fo->epoch;
				op->Metadata = fo->metadata;
			}
			else
			{
				/* Nothing committed: offset -1 and empty metadata, as Kafka. */
				op->CommittedOffset = -1;
				op->CommittedLeaderEpoch = -1;
				op->Metadata = KSTR_LIT("");
			}
		}
	}
}

bool
KafkaHandleOffsetFetch(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	KArena	   *arena = &conn->arena;
	const OffsetFetchRequest *req = reqp;
	OffsetFetchResponse *resp = respp;

	if (h->api_version >= 8)
	{
		int32		ng = Max(req->Groups.count, 0);

		resp->Groups.items = KafkaResponseArray(arena, &OffsetFetchResponseGroup_schema, ng);
		resp->Groups.count = ng;
		for (int i = 0; i < ng; i++)
		{
			const OffsetFetchRequestGroup *rg = &req->Groups.items[i];
			int32		nt = rg->Topics.count;
			FetchTopicReq *tr = nt > 0 ? KArenaArray(arena, nt, sizeof(FetchTopicReq)) : NULL;

			for (int t = 0; t < nt; t++)
			{
				tr[t].name = rg->Topics.items[t].Name;
				tr[t].nparts = rg->Topics.items[t].PartitionIndexes.count;
				tr[t].parts = rg->Topics.items[t].PartitionIndexes.items;
			}
			fetch_group(arena, rg->GroupId, nt, tr, &resp->Groups.items[i]);
		}
		return true;
	}
	else
	{
		/* One group in the old layout: answer it as v8 and convert. */
		OffsetFetchResponseGroup one;
		int32		nt = req->Topics.count;
		FetchTopicReq *tr = nt > 0 ? KArenaArray(arena, nt, sizeof(FetchTopicReq)) : NULL;

		/* v0 and v1 have no "all topics" form: an empty list is empty. */
		if (h->api_version < 2 && nt < 0)
			nt = 0;
		for (int t = 0; t < nt; t++)
		{
			tr[t].name = req->Topics.items[t].Name;
			tr[t].nparts = req->Topics.items[t].PartitionIndexes.count;
			tr[t].parts = req->Topics.items[t].PartitionIndexes.items;
		}
		KafkaSetDefaults(&OffsetFetchResponseGroup_schema, &one);
		fetch_group(arena, req->GroupId, nt, tr, &one);
		resp->ErrorCode = one.ErrorCode;
		if (one.ErrorCode != KAFKA_ERR_NONE && nt > 0)
		{
			/* v0/v1 carry errors per partition only: report it there. */
			one.Topics.items = KafkaResponseArray(arena, &OffsetFetchResponseTopics_schema, nt);
			one.Topics.count = nt;
			for (int t = 0; t < nt; t++)
			{
				int32		np = Max(tr[t].nparts, 0);

				one.Topics.items[t].Name = tr[t].name;
				one.Topics.items[t].Partitions.items =
					KafkaResponseArray(arena, &OffsetFetchResponsePartitions_schema, np);
				one.Topics.items[t].Partitions.count = np;
				for (int p = 0; p < np; p++)
				{
					one.Topics.items[t].Partitions.items[p].PartitionIndex = tr[t].parts[p];
					one.Topics.items[t].Partitions.items[p].CommittedOffset = -1;
					one.Topics.items[t].Partitions.items[p].ErrorCode = one.ErrorCode;
				}
			}
		}
		resp->Topics.count = one.Topics.count;
		resp->Topics.items = KafkaResponseArray(arena, &OffsetFetchResponseTopic_schema, one.Topics.count);
		for (int t = 0; t < one.Topics.count; t++)
		{
			OffsetFetchResponseTopics *src = &one.Topics.items[t];
			OffsetFetchResponseTopic *dst = &resp->Topics.items[t];

			dst->Name = src->Name;
			dst->Partitions.count = src->Partitions.count;
			dst->Partitions.items = KafkaResponseArray(arena, &OffsetFetchResponsePartition_schema, src->Partitions.count);
			for (int p = 0; p < src->Partitions.count; p++)
			{
				dst->Partitions.items[p].PartitionIndex = src->Partitions.items[p].PartitionIndex;
				dst->Partitions.items[p].CommittedOffset = src->Partitions.items[p].CommittedOffset;
				dst->Partitions.items[p].CommittedLeaderEpoch = src->Partitions.items[p].CommittedLeaderEpoch;
				dst->Partitions.items[p].Metadata = src->Partitions.items[p].Metadata;
				dst->Partitions.items[p].ErrorCode = src->Partitions.items[p].ErrorCode;
			}
		}
	}
	return true;
}

/* ---------- OffsetDelete ---------- */

static bool
group_in_catalog(const char *group_id, bool *found)
{
	const char *params[1] = {group_id};
	PGresult   *res = offsets_query("SELECT 1 FROM strata.groups WHERE group_id = $1", 1, params);

	if (res == NULL)
		return false;
	*found = PQntuples(res) > 0;
	PQclear(res);
	return true;
}

bool
KafkaHandleOffsetDelete(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const OffsetDeleteRequest *req = reqp;
	OffsetDeleteResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	int			members;
	bool		found = false;
	int32		nt = Max(req->Topics.count, 0);

	(void) h;
	if (!group_id_valid(req->GroupId, group_id, sizeof(group_id)))
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return true;
	}
	if (!group_in_catalog(group_id, &found))
	{
		resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
		return true;
	}
	if (!GroupInfo(group_id, &members, NULL, NULL) && !found)
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_ID_NOT_FOUND;
		return true;
	}
	resp->Topics.items = KafkaResponseArray(&conn->arena, &OffsetDeleteResponseTopic_schema, nt);
	resp->Topics.count = nt;
	for (int t = 0; t < nt; t++)
	{
		const OffsetDeleteRequestTopic *rt = &req->Topics.items[t];
		OffsetDeleteResponseTopic *ot = &resp->Topics.items[t];
		int32		np = Max(rt->Partitions.count, 0);
		char	   *topic = pnstrdup_kstr(rt->Name);
		bool		subscribed = false;

		GroupInfo(group_id, &members, topic, &subscribed);
		ot->Name = rt->Name;
		ot->Partitions.items = KafkaResponseArray(&conn->arena, &OffsetDeleteResponsePartition_schema, np);
		ot->Partitions.count = np;
		for (int p = 0; p < np; p++)
		{
			OffsetDeleteResponsePartition *op = &ot->Partitions.items[p];
			int32		part = rt->Partitions.items[p].PartitionIndex;

			op->PartitionIndex = part;
			if (subscribed)
				op->ErrorCode = KAFKA_ERR_GROUP_SUBSCRIBED_TO_TOPIC;
			else if (!partition_exists(rt->Name, part))
				op->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			else
			{
				char		pbuf[16];
				const char *params[3] = {group_id, topic, pbuf};
				PGresult   *res;

				snprintf(pbuf, sizeof(pbuf), "%d", part);
				res = offsets_query("DELETE FROM strata.committed_offsets "
									"WHERE group_id = $1 AND topic = $2 AND partition = $3", 3, params);
				OffsetCacheForget(group_id);
				op->ErrorCode = res ? KAFKA_ERR_NONE : KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
				if (res)
					PQclear(res);
			}
		}
		pfree(topic);
	}
	return true;
}

/* ---------- DeleteGroups ---------- */

bool
KafkaHandleDeleteGroups(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DeleteGroupsRequest *req = reqp;
	DeleteGroupsResponse *resp = respp;
	int32		n = Max(req->GroupsNames.count, 0);

	(void) h;
	resp->Results.items = KafkaResponseArray(&conn->arena, &DeletableGroupResult_schema, n);
	resp->Results.count = n;
	for (int i = 0; i < n; i++)
	{
		DeletableGroupResult *r = &resp->Results.items[i];
		char		group_id[GROUP_ID_MAX + 1];
		int			members;
		bool		in_memory;
		const char *params[1];
		PGresult   *res;

		r->GroupId = req->GroupsNames.items[i];
		if (!group_id_valid(r->GroupId, group_id, sizeof(group_id)))
		{
			r->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
			continue;
		}
		in_memory = GroupInfo(group_id, &members, NULL, NULL);
		if (in_memory && members > 0)
		{
			r->ErrorCode = KAFKA_ERR_NON_EMPTY_GROUP;
			continue;
		}
		params[0] = group_id;
		res = offsets_query("WITH o AS (DELETE FROM strata.committed_offsets WHERE group_id = $1), "
							"m AS (DELETE FROM strata.group_members WHERE group_id = $1) "
							"DELETE FROM strata.groups WHERE group_id = $1 RETURNING 1", 1, params);
		OffsetCacheForget(group_id);
		if (res == NULL)
		{
			r->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
			continue;
		}
		if (PQntuples(res) == 0 && !in_memory)
			r->ErrorCode = KAFKA_ERR_GROUP_ID_NOT_FOUND;
		else if (!GroupForget(group_id))
			r->ErrorCode = KAFKA_ERR_NON_EMPTY_GROUP;	/* a member joined meanwhile */
		else
			r->ErrorCode = KAFKA_ERR_NONE;
		PQclear(res);
	}
	return true;
}

/* ---------- the operator views ---------- */

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

void
GroupCatalogRecord(const char *group_id, const char *protocol_type, const char *protocol,
				   int32 generation, const char *state, int nmembers,
				   const GroupSnapshotMember *members)
{
	Buf			ids,
				insts,
				clients,
				hosts,
				sess,
				rebs;
	char		gen[16];
	const char *params[11];
	PGresult   *res;

	buf_init(&ids);
	buf_init(&insts);
	buf_init(&clients);
	buf_init(&hosts);
	buf_init(&sess);
	buf_init(&rebs);
	buf_puts(&ids, "{");
	buf_puts(&insts, "{");
	buf_puts(&clients, "{");
	buf_puts(&hosts, "{");
	buf_puts(&sess, "{");
	buf_puts(&rebs, "{");
	for (int i = 0; i < nmembers; i++)
	{
		const GroupSnapshotMember *m = &members[i];

		buf_array_elem(&ids, m->member_id, (int32) strlen(m->member_id));
		buf_array_elem(&insts, m->instance_id, m->has_instance ? (int32) strlen(m->instance_id) : -1);
		buf_array_elem(&clients, m->client_id, (int32) strlen(m->client_id));
		buf_array_elem(&hosts, m->client_host, (int32) strlen(m->client_host));
		buf_array_int(&sess, m->session_timeout);
		buf_array_int(&rebs, m->rebalance_timeout);
	}
	buf_puts(&ids, "}");
	buf_puts(&insts, "}");
	buf_puts(&clients, "}");
	buf_puts(&hosts, "}");
	buf_puts(&sess, "}");
	buf_puts(&rebs, "}");
	snprintf(gen, sizeof(gen), "%d", generation);
	params[0] = group_id;
	params[1] = protocol_type;
	params[2] = protocol;
	params[3] = gen;
	params[4] = state;
	params[5] = ids.data;
	params[6] = insts.data;
	params[7] = clients.data;
	params[8] = hosts.data;
	params[9] = sess.data;
	params[10] = rebs.data;
	res = offsets_query(record_sql, 11, params);
	if (res != NULL)
		PQclear(res);
	else
		elog(LOG, "could not record group \"%s\" in the catalog", group_id);
	pfree(ids.data);
	pfree(insts.data);
	pfree(clients.data);
	pfree(hosts.data);
	pfree(sess.data);
	pfree(rebs.data);
}
