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
 *	  Authorisation (kafka/authorizer.h), as Kafka: committing needs READ on
 *	  the group and on each topic, fetching DESCRIBE on both (a fetch of
 *	  all of a group's offsets leaves out topics the principal may not
 *	  describe), OffsetDelete DELETE on the group and READ on each topic,
 *	  DeleteGroups DELETE on each group.
 *
 * src/backend/kafka/api_offsets.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog_groups.h"
#include "kafka/authorizer.h"
#include "kafka/cluster.h"
#include "kafka/group.h"
#include "kafka/handlers.h"
#include "kafka/offsetstore.h"
#include "kafka/partition.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "utils/guc.h"

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

/*
 * The backend's catalog connection, made on first use (kafka/topics.h);
 * NULL if the catalog cannot be reached (logged).  The catalog_groups.h
 * functions reconnect once themselves when it was lost meanwhile.
 */
static PGconn *
offsets_conn(void)
{
	char	   *msg = NULL;

	return BackendCatalogConnection(&msg);
}

/* A catalog failure: logged; the client gets COORDINATOR_NOT_AVAILABLE. */
static void
offsets_failed(const char *err)
{
	elog(LOG, "%s", err);
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

/*
 * Write one request's rows from this backend (one statement), for a
 * request too large for the committer's queue.  Returns a Kafka error.
 */
static int
commit_direct(const char *group_id, const char *protocol_type, int nrows, const OffsetRow *rows)
{
	PGconn	   *pg = offsets_conn();
	CatalogOffsetGroup group = {group_id, protocol_type, -1};
	CatalogOffset *co;
	char		err[1024];
	bool		refused;
	CatalogWaitResult r;

	if (pg == NULL)
		return KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
	if (ClusterSlotCount() > 0)
		group.slot = ClusterKeySlot(group_id, strlen(group_id), ClusterSlotCount());
	co = palloc(sizeof(CatalogOffset) * (size_t) Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		co[i].group_id = group_id;
		co[i].topic = rows[i].topic;
		co[i].partition = rows[i].partition;
		co[i].offset = rows[i].offset;
		co[i].leader_epoch = rows[i].leader_epoch;
		co[i].metadata = rows[i].metadata;
		co[i].metadata_len = rows[i].metadata_len;
	}
	r = CatalogCommitOffsets(pg, (int32) broker_id, &group, 1, co, nrows, &refused, -1,
							 err, sizeof(err));
	pfree(co);
	if (r != CATALOG_WAIT_OK)
	{
		offsets_failed(err);
		return KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
	}
	if (refused)
	{
		elog(LOG, "offset commit for group \"%s\" not written: its coordinator slot has moved to another broker",
			 group_id);
		return KAFKA_ERR_NOT_COORDINATOR;
	}
	return KAFKA_ERR_NONE;
}

/*
 * May this OffsetCommit commit for its group?  The group's error, or
 * KAFKA_ERR_NONE with group_id and member_id filled in.
 */
static int16
commit_check_group(const OffsetCommitRequest *req, char *group_id, char *member_id)
{
	char		instance_id[GROUP_MEMBER_ID_MAX + 1];
	int16		err;

	member_id[0] = '\0';
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
		return KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
	if (!group_id_valid(req->GroupId, group_id, GROUP_ID_MAX + 1))
		return KAFKA_ERR_INVALID_GROUP_ID;
	if ((err = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
		return err;
	if (req->MemberId.len > GROUP_MEMBER_ID_MAX || req->GroupInstanceId.len > GROUP_MEMBER_ID_MAX)
		return KAFKA_ERR_UNKNOWN_MEMBER_ID;
	memcpy(member_id, req->MemberId.ptr ? req->MemberId.ptr : "", (size_t) Max(req->MemberId.len, 0));
	member_id[Max(req->MemberId.len, 0)] = '\0';
	if (req->GroupInstanceId.len >= 0)
	{
		memcpy(instance_id, req->GroupInstanceId.ptr, (size_t) req->GroupInstanceId.len);
		instance_id[req->GroupInstanceId.len] = '\0';
	}
	return GroupValidateCommit(group_id, member_id,
							   req->GroupInstanceId.len >= 0 ? instance_id : NULL,
							   req->GenerationIdOrMemberEpoch);
}

/*
 * Commit rows durably (through the offset committer, or from here when
 * they are larger than its whole queue); on a failure every partition
 * still answered KAFKA_ERR_NONE gets the error instead.
 */
static void
commit_rows(const char *group_id, const char *member_id, OffsetRow *rows, int nrows,
			OffsetCommitResponse *resp)
{
	const char *ptype = member_id[0] ? "consumer" : NULL;
	int			rc = OffsetStoreCommit(group_id, ptype, nrows, rows);

	if (rc == OFFSET_COMMIT_TOO_LARGE)
	{
		/* Larger than the whole queue: write it from here. */
		rc = commit_direct(group_id, ptype, nrows, rows);
		OffsetCacheForget(group_id);
	}
	if (rc == KAFKA_ERR_NONE)
		return;
	/* Not durable: every partition we meant to commit failed. */
	for (int t = 0; t < resp->Topics.count; t++)
		for (int p = 0; p < resp->Topics.items[t].Partitions.count; p++)
		{
			OffsetCommitResponsePartition *op = &resp->Topics.items[t].Partitions.items[p];

			if (op->ErrorCode == KAFKA_ERR_NONE)
				op->ErrorCode = (int16) rc;
		}
}

bool
KafkaHandleOffsetCommit(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const OffsetCommitRequest *req = reqp;
	OffsetCommitResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	int16		group_err;
	int32		nt = Max(req->Topics.count, 0);
	int			nrows = 0;
	int			total_parts = 0;
	OffsetRow  *rows;
	bool	   *may_read = KArenaArray(&conn->arena, Max(nt, 1), sizeof(bool));

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
		may_read[t] = KafkaAuthorizeTopic(rt->Name, ACL_OP_READ);
		total_parts += np;
		if (np > 0)
		{
			ot->Partitions.items = KafkaResponseArray(&conn->arena, &OffsetCommitResponsePartition_schema, np);
			ot->Partitions.count = np;
		}
		for (int p = 0; p < np; p++)
			ot->Partitions.items[p].PartitionIndex = rt->Partitions.items[p].PartitionIndex;
	}

	group_err = commit_check_group(req, group_id, member_id);

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
			else if (!may_read[t])
				op->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
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
		commit_rows(group_id, member_id, rows, nrows, resp);
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
	PGconn	   *pg = offsets_conn();
	CatalogOffset *rows;
	char		err[1024];
	int			n;
	FetchedOffset *f;

	if (pg == NULL)
		return -1;
	n = CatalogLoadOffsets(pg, group_id, &rows, err, sizeof(err));
	if (n < 0)
	{
		offsets_failed(err);
		return -1;
	}
	f = n > 0 ? KArenaArray(arena, n, sizeof(FetchedOffset)) : NULL;
	for (int i = 0; i < n; i++)
	{
		f[i].topic = KStrArena(arena, rows[i].topic).ptr;
		f[i].partition = rows[i].partition;
		f[i].offset = rows[i].offset;
		f[i].epoch = rows[i].leader_epoch;
		f[i].metadata = rows[i].metadata ? kstr_copy(arena, rows[i].metadata, rows[i].metadata_len) : KSTR_NULL;
	}
	CatalogFreeOffsets(rows, n);
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
	if (!KafkaAuthorizeGroup(gid, ACL_OP_DESCRIBE))
	{
		out->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return;
	}
	if (!group_id_valid(gid, group_id, sizeof(group_id)))
	{
		out->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return;
	}
	if ((out->ErrorCode = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
		return;
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
		int			kept = 0;
		bool		may = false;

		/* ... of the topics the principal may describe, silently. */
		for (int i = 0; i < n; i++)
		{
			if (i == 0 || strcmp(f[i].topic, f[i - 1].topic) != 0)
				may = KafkaAuthorizeQuiet(ACL_RESOURCE_TOPIC, f[i].topic, (int32) strlen(f[i].topic),
										  ACL_OP_DESCRIBE);
			if (may)
				f[kept++] = f[i];
		}
		n = kept;

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

		bool		may = KafkaAuthorizeTopic(topics[t].name, ACL_OP_DESCRIBE);

		ot->Name = topics[t].name;
		ot->Partitions.items = KafkaResponseArray(arena, &OffsetFetchResponsePartitions_schema, np);
		ot->Partitions.count = np;
		for (int p = 0; p < np; p++)
		{
			OffsetFetchResponsePartitions *op = &ot->Partitions.items[p];
			const FetchedOffset *fo = may ? find_offset(f, n, topics[t].name, topics[t].parts[p]) : NULL;

			op->PartitionIndex = topics[t].parts[p];
			if (!may)
			{
				op->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
				op->CommittedOffset = -1;
				op->CommittedLeaderEpoch = -1;
				op->Metadata = KSTR_LIT("");
			}
			else if (fo != NULL)
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
	PGconn	   *pg = offsets_conn();
	char		err[1024];

	if (pg == NULL)
		return false;
	if (!CatalogGroupExists(pg, group_id, found, err, sizeof(err)))
	{
		offsets_failed(err);
		return false;
	}
	return true;
}

/* Remove one committed offset; a Kafka error. */
static int16
delete_offset(const char *group_id, const char *topic, int32 partition)
{
	PGconn	   *pg = offsets_conn();
	char		err[1024];
	bool		ok = false;

	if (pg != NULL)
	{
		ok = CatalogDeleteOffset(pg, group_id, topic, partition, err, sizeof(err));
		if (!ok)
			offsets_failed(err);
	}
	OffsetCacheForget(group_id);
	return ok ? KAFKA_ERR_NONE : KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
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
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_DELETE))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	if (!group_id_valid(req->GroupId, group_id, sizeof(group_id)))
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return true;
	}
	if ((resp->ErrorCode = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
		return true;
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
		bool		may_read = KafkaAuthorizeTopic(rt->Name, ACL_OP_READ);

		GroupInfo(group_id, &members, topic, &subscribed);
		ot->Name = rt->Name;
		ot->Partitions.items = KafkaResponseArray(&conn->arena, &OffsetDeleteResponsePartition_schema, np);
		ot->Partitions.count = np;
		for (int p = 0; p < np; p++)
		{
			OffsetDeleteResponsePartition *op = &ot->Partitions.items[p];
			int32		part = rt->Partitions.items[p].PartitionIndex;

			op->PartitionIndex = part;
			if (!may_read)
				op->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			else if (subscribed)
				op->ErrorCode = KAFKA_ERR_GROUP_SUBSCRIBED_TO_TOPIC;
			else if (!partition_exists(rt->Name, part))
				op->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			else
				op->ErrorCode = delete_offset(group_id, topic, part);
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
		bool		existed = false;
		bool		deleted = false;
		PGconn	   *pg;
		char		err[1024];

		r->GroupId = req->GroupsNames.items[i];
		if (!KafkaAuthorizeGroup(r->GroupId, ACL_OP_DELETE))
		{
			r->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
			continue;
		}
		if (!group_id_valid(r->GroupId, group_id, sizeof(group_id)))
		{
			r->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
			continue;
		}
		if ((r->ErrorCode = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
			continue;
		in_memory = GroupInfo(group_id, &members, NULL, NULL);
		if (in_memory && members > 0)
		{
			r->ErrorCode = KAFKA_ERR_NON_EMPTY_GROUP;
			continue;
		}
		pg = offsets_conn();
		if (pg != NULL)
		{
			deleted = CatalogDeleteGroup(pg, group_id, &existed, err, sizeof(err));
			if (!deleted)
				offsets_failed(err);
		}
		OffsetCacheForget(group_id);
		if (!deleted)
			r->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
		else if (!existed && !in_memory)
			r->ErrorCode = KAFKA_ERR_GROUP_ID_NOT_FOUND;
		else if (!GroupForget(group_id))
			r->ErrorCode = KAFKA_ERR_NON_EMPTY_GROUP;	/* a member joined meanwhile */
		else
			r->ErrorCode = KAFKA_ERR_NONE;
	}
	return true;
}

/* ---------- the operator views ---------- */

void
GroupCatalogRecord(const char *group_id, const char *protocol_type, const char *protocol,
				   int32 generation, const char *state, int nmembers,
				   const GroupSnapshotMember *members)
{
	PGconn	   *pg = offsets_conn();
	CatalogGroupMember *cm;
	char		err[1024];

	if (pg == NULL)
	{
		elog(LOG, "could not record group \"%s\" in the catalog", group_id);
		return;
	}
	cm = palloc(sizeof(CatalogGroupMember) * (size_t) Max(nmembers, 1));
	for (int i = 0; i < nmembers; i++)
	{
		cm[i].member_id = members[i].member_id;
		cm[i].instance_id = members[i].has_instance ? members[i].instance_id : NULL;
		cm[i].client_id = members[i].client_id;
		cm[i].client_host = members[i].client_host;
		cm[i].session_timeout_ms = members[i].session_timeout;
		cm[i].rebalance_timeout_ms = members[i].rebalance_timeout;
	}
	if (!CatalogRecordGroup(pg, group_id, protocol_type, protocol, generation, state,
							cm, nmembers, err, sizeof(err)))
	{
		offsets_failed(err);
		elog(LOG, "could not record group \"%s\" in the catalog", group_id);
	}
	pfree(cm);
}
