/*-------------------------------------------------------------------------
 *
 * api_fetch.c
 *	  Fetch (with fetch sessions), ListOffsets, OffsetForLeaderEpoch and
 *	  DeleteRecords: the read side of a partition.
 *
 *	  A partition's high watermark is the end of what is durable in the WAL
 *	  (the log cache's flushed next offset); fetches never see data that
 *	  could still be lost.  Fresh data is served from the log cache in
 *	  shared memory without touching a disk; older data, which the log
 *	  cache no longer holds, from object storage (storage/objreader.h).
 *	  The WAL device is never read.
 *
 *	  A fetch that finds less than MinBytes sleeps on its latch, registered
 *	  with the log cache, until the WAL writer flushes new data or MaxWaitMs
 *	  passes; it never polls.
 *
 *	  Fetch sessions (KIP-227) are kept per connection: a client that
 *	  reconnects elsewhere gets FETCH_SESSION_ID_NOT_FOUND and starts a new
 *	  one, as the protocol allows.
 *
 *	  Authorisation (kafka/authorizer.h): Fetch needs READ on the topic,
 *	  ListOffsets and OffsetForLeaderEpoch DESCRIBE, DeleteRecords DELETE;
 *	  a partition of a topic the principal may not use gets
 *	  TOPIC_AUTHORIZATION_FAILED.
 *
 * src/backend/kafka/api_fetch.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>

#include "catalog/catalog_topics.h"
#include "kafka/authorizer.h"
#include "kafka/handlers.h"
#include "kafka/partition.h"
#include "kafka/records.h"
#include "kafka/topics.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/objreader.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/* The high watermark: end of durable data. */
static int64
partition_high_watermark(StrataPartition *part)
{
	int64		next,
				flushed;

	if (LogCacheStreamEnd((uint64) part->stream_id, &next, &flushed))
		return flushed;
	/* Nothing of this stream is waiting in the WAL: all of it is durable. */
	return part->next_offset;
}

/*
 * Look a partition up by topic name (or id when the name is null) and
 * check the client's idea of the leader epoch.  Returns the registry index
 * or -1 with *err set.
 */
static int
lookup_partition_leader(KStr name, const uint8 *topic_id, int32 partition, int32 current_epoch,
						int16 *err, int32 *leader_out, int32 *epoch_out)
{
	int			t,
				pidx = -1;
	int32		epoch = 0;
	int32		leader = -1;
	bool		served = false;

	RegistryLock();
	t = name.len >= 0 ? TopicLookupByName(name.ptr, (size_t) name.len) : TopicLookupById(topic_id);
	if (t >= 0)
		pidx = PartitionLookup(t, partition);
	if (pidx >= 0)
	{
		epoch = PartitionGet(pidx)->leader_epoch;
		leader = PartitionGet(pidx)->leader_id;
		served = PartitionServedHere(PartitionGet(pidx));
	}
	RegistryUnlock();
	if (t < 0 && name.len < 0)
	{
		*err = KAFKA_ERR_UNKNOWN_TOPIC_ID;
		return -1;
	}
	if (pidx < 0)
	{
		*err = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
		return -1;
	}
	/*
	 * Led here in the catalog but not opened yet (it moved here while this
	 * broker loaded the catalog, and the load its move's notification
	 * brings opens it): its end offset is not known, perhaps an older
	 * one, and a reader told "the end" here would stop short.  Retriable,
	 * with no leader to hint at: the client asks for metadata again.
	 */
	if (leader == (int32) broker_id && !served)
		leader = -1;
	if (leader_out)
		*leader_out = leader;
	if (epoch_out)
		*epoch_out = epoch;
	if (leader != (int32) broker_id)
	{
		*err = KAFKA_ERR_NOT_LEADER_OR_FOLLOWER;
		return -1;
	}
	if (current_epoch >= 0 && current_epoch > epoch)
	{
		*err = KAFKA_ERR_UNKNOWN_LEADER_EPOCH;
		return -1;
	}
	if (current_epoch >= 0 && current_epoch < epoch)
	{
		*err = KAFKA_ERR_FENCED_LEADER_EPOCH;
		return -1;
	}
	*err = KAFKA_ERR_NONE;
	return pidx;
}

static int
lookup_partition(KStr name, const uint8 *topic_id, int32 partition, int32 current_epoch,
				 int16 *err)
{
	return lookup_partition_leader(name, topic_id, partition, current_epoch, err, NULL, NULL);
}

/* ---------- fetch sessions ---------- */

typedef struct SessionPartition
{
	char	   *topic;			/* name (palloc'd) */
	uint8		topic_id[16];
	int32		partition;
	int64		fetch_offset;
	int32		max_bytes;
	int32		current_epoch;
	bool		may_read;		/* READ on the topic, decided per request */
	/* what the client was last told, to send only changes */
	int64		last_hw;
	int64		last_log_start;
	bool		sent_once;
	/*
	 * what the last read_partition returned, for the per-topic metrics and
	 * the balancer's per-partition traffic
	 */
	int			read_topic;
	int			read_pidx;
	int64		read_stream;
	uint64		read_bytes;
	uint64		read_records;
} SessionPartition;

typedef struct FetchSession
{
	int32		id;				/* 0: none */
	int32		epoch;			/* the next epoch the client must send */
	SessionPartition *parts;	/* in TopMemoryContext, as their topics */
	int			nparts;
	int			cap;
} FetchSession;

static FetchSession session;

static void
session_reset(void)
{
	for (int i = 0; i < session.nparts; i++)
		pfree(session.parts[i].topic);
	session.nparts = 0;
	session.id = 0;
	session.epoch = 0;
}

/*
 * KafkaFetchSessionAbort: run by the backend's ERROR recovery when a Fetch
 * failed; the session may be half-updated, so it is dropped, and the
 * client's next incremental fetch gets FETCH_SESSION_ID_NOT_FOUND and
 * starts a new one.
 */
void
KafkaFetchSessionAbort(void)
{
	session_reset();
}

static SessionPartition *
session_find(const char *topic, const uint8 *topic_id, int32 partition, bool by_id)
{
	for (int i = 0; i < session.nparts; i++)
	{
		SessionPartition *sp = &session.parts[i];

		if (sp->partition == partition &&
			(by_id ? memcmp(sp->topic_id, topic_id, 16) == 0 : strcmp(sp->topic, topic) == 0))
			return sp;
	}
	return NULL;
}

static void
session_upsert(const char *topic, const uint8 *topic_id, bool by_id, const FetchPartition *fp)
{
	SessionPartition *sp = session_find(topic, topic_id, fp->Partition, by_id);

	if (sp == NULL)
	{
		/* The session outlives the request: TopMemoryContext. */
		char	   *name = MemoryContextStrdup(TopMemoryContext, topic);

		if (session.nparts == session.cap)
		{
			int			cap = session.cap ? session.cap * 2 : 16;
			size_t		size = sizeof(SessionPartition) * (size_t) cap;

			session.parts = session.parts ? repalloc(session.parts, size)
				: MemoryContextAlloc(TopMemoryContext, size);
			session.cap = cap;
		}
		sp = &session.parts[session.nparts++];
		memset(sp, 0, sizeof(*sp));
		sp->topic = name;
		if (topic_id)
			memcpy(sp->topic_id, topic_id, 16);
		sp->partition = fp->Partition;
	}
	sp->fetch_offset = fp->FetchOffset;
	sp->max_bytes = fp->PartitionMaxBytes;
	sp->current_epoch = fp->CurrentLeaderEpoch;
}

static void
session_forget(const char *topic, const uint8 *topic_id, bool by_id, int32 partition)
{
	SessionPartition *sp = session_find(topic, topic_id, partition, by_id);

	if (sp == NULL)
		return;
	pfree(sp->topic);
	*sp = session.parts[--session.nparts];
}

/* Topic name of a topic id (v13+ requests name topics by id only). */
static char *
topic_name_of(const uint8 *id)
{
	char		name[TOPIC_NAME_MAX + 1] = "";
	int			t;

	RegistryLock();
	t = TopicLookupById(id);
	if (t >= 0)
		strlcpy_s(name, TopicGet(t)->name, sizeof(name));
	RegistryUnlock();
	return pstrdup(name);
}

/* ---------- reading ---------- */

/* Records in the whole batches buf[0..len) (for the per-topic metrics). */
static uint64
count_records(const char *buf, size_t len)
{
	uint64		n = 0;
	size_t		off = 0;

	while (len - off >= RECORD_BATCH_OVERHEAD)
	{
		const uint8 *b = (const uint8 *) buf + off;
		uint32		blen = ((uint32) b[RB_LENGTH_OFF] << 24) | ((uint32) b[RB_LENGTH_OFF + 1] << 16) |
			((uint32) b[RB_LENGTH_OFF + 2] << 8) | b[RB_LENGTH_OFF + 3];
		int32		cnt = (int32) (((uint32) b[RB_RECORD_COUNT_OFF] << 24) |
								   ((uint32) b[RB_RECORD_COUNT_OFF + 1] << 16) |
								   ((uint32) b[RB_RECORD_COUNT_OFF + 2] << 8) |
								   b[RB_RECORD_COUNT_OFF + 3]);

		if (cnt > 0)
			n += (uint64) cnt;
		if ((uint64) blen + RECORD_BATCH_LOG_OVERHEAD > len - off)
			break;
		off += (size_t) blen + RECORD_BATCH_LOG_OVERHEAD;
	}
	return n;
}

/*
 * Read whole batches of a stream from offset on: the log cache first, and
 * object storage for what it no longer holds.  Results as LogCacheRead's;
 * LOGCACHE_MISS here means a failure, logged, for which the client gets
 * KAFKA_STORAGE_ERROR (retriable).  wait_deadline is ObjReadStream's: a
 * cold read that cold_read_bandwidth would hold past it reads nothing
 * (LOGCACHE_OK with *got 0), and the fetch answers with what it has.
 */
static LogCacheResult
read_stream(uint64 stream_id, int64 offset, int64 max_offset, char *buf, size_t cap,
			int64 wait_deadline, size_t *got, int64 *next)
{
	LogCacheResult r = LogCacheRead(stream_id, offset, max_offset, buf, cap, got, next);
	ObjReadResult o;
	PGconn	   *pg;
	char	   *connmsg = NULL;
	char		err[768];

	if (r != LOGCACHE_MISS && r != LOGCACHE_UNKNOWN_STREAM)
		return r;
	pg = BackendCatalogConnection(&connmsg);
	o = ObjReadStream(pg, stream_id, offset, max_offset, buf, cap, wait_deadline, got, next,
					  err, sizeof(err));
	switch (o)
	{
		case OBJREAD_OK:
			return LOGCACHE_OK;
		case OBJREAD_THROTTLED:
			*got = 0;
			*next = offset;
			return LOGCACHE_OK;
		case OBJREAD_TOO_SMALL:
			return LOGCACHE_TOO_SMALL;
		case OBJREAD_NOT_FOUND:
			elog(LOG, "fetch of stream %llu at offset %lld: neither the log cache nor object storage holds it",
				 (unsigned long long) stream_id, (long long) offset);
			break;
		case OBJREAD_ERROR:
			elog(LOG, "fetch of stream %llu at offset %lld from object storage failed: %s",
				 (unsigned long long) stream_id, (long long) offset, err);
			break;
	}
	*got = 0;
	*next = offset;
	return LOGCACHE_MISS;
}

/*
 * The record batches of the partition being read, in pieces: slices of
 * the WAL ring (the log cache's, referred to by the response and sent from
 * there, kafka/backend.c) and buffers read from object storage.  Reused
 * from one partition to the next (in TopMemoryContext); read_partition
 * copies them into the request arena.
 */
static KPiece *pieces;
static int	npieces;
static int	maxpieces;

#define SLICES_PER_READ 512
/* Bytes read from object storage at a time (into the request arena). */
#define COLD_READ_CHUNK (1024 * 1024)

static void
add_piece(const void *ptr, size_t len, bool external)
{
	if (npieces == maxpieces)
	{
		maxpieces = Max(maxpieces * 2, 1024);
		pieces = pieces ? repalloc(pieces, sizeof(KPiece) * (size_t) maxpieces)
			: MemoryContextAlloc(TopMemoryContext, sizeof(KPiece) * (size_t) maxpieces);
	}
	pieces[npieces].ptr = ptr;
	pieces[npieces].len = len;
	pieces[npieces].external = external;
	npieces++;
}

/*
 * Read whole batches of a stream from offset on, at most cap bytes, and
 * add them to the pieces: what the log cache holds as slices of the ring,
 * pinned and not copied (LogCacheReadSlices; kafka/backend.c drops the pin
 * once the response is sent), what it no longer holds from object storage
 * into the request arena.  Results as read_stream's.
 */
static LogCacheResult
read_chunk(KafkaConn *conn, uint64 stream_id, int64 offset, int64 max_offset, size_t cap,
		   int64 wait_deadline, size_t *got, int64 *next, uint64 *records)
{
	LogCacheSlice slices[SLICES_PER_READ];
	int			nslices;
	LogCacheResult r;
	char	   *buf;

	r = LogCacheReadSlices(stream_id, offset, max_offset, cap, slices, lengthof(slices),
						   &nslices, got, next, records);
	if (r == LOGCACHE_OK)
	{
		for (int i = 0; i < nslices; i++)
			add_piece(slices[i].ptr, slices[i].len, true);
		MetricsInc(METRIC_LOG_CACHE_SENT_BYTES, (int64) *got);
		return r;
	}
	if (r == LOGCACHE_TOO_SMALL)
		return r;

	/*
	 * Object storage, a chunk at a time (each read stops at the end of an
	 * object anyway); a batch larger than the chunk but within cap is read
	 * whole with a buffer of its size.
	 */
	for (size_t size = Min(cap, (size_t) COLD_READ_CHUNK);;)
	{
		buf = KArenaBuffer(&conn->arena, NULL, 0, size);
		r = read_stream(stream_id, offset, max_offset, buf, size, wait_deadline, got, next);
		if (r != LOGCACHE_TOO_SMALL || *got <= size || *got > cap)
			break;
		size = *got;
	}
	if (r == LOGCACHE_OK && *got > 0)
	{
		add_piece(buf, *got, false);
		*records = count_records(buf, *got);
	}
	else
		*records = 0;
	return r;
}

/*
 * Read one partition's data into the response entry.  Returns the number
 * of record bytes added.  budget is what is left of the request's
 * MaxBytes; first says no data has been added yet (then a batch larger
 * than the budget is returned whole, as Kafka does, so the client can
 * make progress, and a cold read waits for cold_read_bandwidth as long as
 * it must).  Once there is data to answer with, cold reads wait for the
 * budget no later than deadline, the fetch's max wait.
 */
static int64
read_partition(KafkaConn *conn, SessionPartition *sp, PartitionData *out, int64 budget, bool first,
			   int64 deadline)
{
	int16		err;
	int32		leader = -1,
				leader_epoch = -1;
	int			pidx = lookup_partition_leader(sp->topic[0] ? (KStr) {sp->topic, (int32) strlen(sp->topic)} : KSTR_NULL,
											   sp->topic_id, sp->partition, sp->current_epoch, &err,
											   &leader, &leader_epoch);
	StrataPartition *part;
	int64		hw,
				log_start;
	size_t		cap,
				got = 0;
	uint64		records = 0;
	LogCacheResult r;

	sp->read_bytes = 0;
	out->PartitionIndex = sp->partition;
	if (!sp->may_read)
	{
		pidx = -1;
		err = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
	}
	/* Tagged fields are sent only when they differ from these defaults. */
	out->DivergingEpoch.Epoch = -1;
	out->DivergingEpoch.EndOffset = -1;
	out->CurrentLeader.LeaderId = -1;
	out->CurrentLeader.LeaderEpoch = -1;
	out->SnapshotId.EndOffset = -1;
	out->SnapshotId.Epoch = -1;
	out->HighWatermark = -1;
	out->LastStableOffset = -1;
	out->LogStartOffset = -1;
	out->PreferredReadReplica = -1;
	out->AbortedTransactions.count = -1;
	out->Records = (KBytes) {NULL, 0};
	if (pidx < 0)
	{
		out->ErrorCode = err;
		/* KIP-951: the leader to go to, with its endpoint in NodeEndpoints. */
		if ((err == KAFKA_ERR_NOT_LEADER_OR_FOLLOWER || err == KAFKA_ERR_FENCED_LEADER_EPOCH) && leader >= 0)
		{
			out->CurrentLeader.LeaderId = leader;
			out->CurrentLeader.LeaderEpoch = leader_epoch;
		}
		return 0;
	}
	part = PartitionGet(pidx);
	hw = partition_high_watermark(part);
	log_start = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);
	out->HighWatermark = hw;
	out->LastStableOffset = hw;
	out->LogStartOffset = log_start;
	out->AbortedTransactions.count = 0;
	if (sp->fetch_offset < log_start || sp->fetch_offset > hw)
	{
		out->ErrorCode = KAFKA_ERR_OFFSET_OUT_OF_RANGE;
		return 0;
	}
	if (sp->fetch_offset == hw || (budget <= 0 && !first))
		return 0;

	cap = (size_t) Max(Min((int64) sp->max_bytes, budget), 0);
	if (cap == 0 && !first)
		return 0;

	/*
	 * Read chunk after chunk until the allowance is full or the high
	 * watermark reached.  A first batch larger than the allowance is
	 * returned whole when this is the response's first data (as Kafka
	 * does, so the client can make progress); otherwise what does not fit
	 * is read by the next fetch.  Once there is data to answer with, cold
	 * reads wait for their budget no later than the fetch's deadline.
	 */
	npieces = 0;
	r = LOGCACHE_OK;
	for (int64 next = sp->fetch_offset; next < hw && (got < cap || got == 0);)
	{
		size_t		more;
		int64		after;
		uint64		recs;
		int64		wait_deadline = got == 0 && first ? -1 : deadline;

		r = read_chunk(conn, (uint64) part->stream_id, next, hw, cap - got, wait_deadline,
					   &more, &after, &recs);
		if (r == LOGCACHE_TOO_SMALL && got == 0 && (more <= cap || first || cap == 0))
			r = read_chunk(conn, (uint64) part->stream_id, next, hw, more, wait_deadline,
						   &more, &after, &recs);
		if (r != LOGCACHE_OK || more == 0)
			break;
		got += more;
		records += recs;
		next = after;
	}
	if (got > 0)
	{
		KScatter   *sc = KArenaBuffer(&conn->arena, NULL, 0,
									  offsetof(KScatter, pieces) + sizeof(KPiece) * (size_t) npieces);

		sc->n = npieces;
		memcpy(sc->pieces, pieces, sizeof(KPiece) * (size_t) npieces);
		out->Records = (KBytes) {NULL, (int32) got, sc};
		/* Counted once the response is final (KafkaHandleFetch). */
		sp->read_topic = part->topic;
		sp->read_pidx = pidx;
		sp->read_stream = part->stream_id;
		sp->read_bytes = (uint64) got;
		sp->read_records = records;
		return (int64) got;
	}
	if (r == LOGCACHE_MISS || r == LOGCACHE_UNKNOWN_STREAM)
		out->ErrorCode = KAFKA_ERR_KAFKA_STORAGE_ERROR;
	return 0;
}

/*
 * The session step of a Fetch (KIP-227): a full fetch without a session, a
 * full fetch opening one, or an incremental fetch of the current one.
 * Returns false when the request is answered with a session error.
 */
static bool
session_begin(const KafkaRequestHeader *h, const FetchRequest *req, FetchResponse *resp,
			  bool *incremental)
{
	*incremental = false;
	if (h->api_version < 7 || (req->SessionId == 0 && req->SessionEpoch == -1))
	{
		/* A full fetch without a session. */
		session_reset();
	}
	else if (req->SessionEpoch == 0)
	{
		/* A full fetch that opens a new session. */
		session_reset();
		session.id = (int32) (((uint32) MyProcPid << 8) ^ (uint32) MonotonicMs()) & 0x7fffffff;
		if (session.id == 0)
			session.id = 1;
		session.epoch = 1;
	}
	else if (req->SessionId != session.id || session.id == 0)
	{
		resp->ErrorCode = KAFKA_ERR_FETCH_SESSION_ID_NOT_FOUND;
		resp->SessionId = 0;
		return false;
	}
	else if (req->SessionEpoch != session.epoch)
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_FETCH_SESSION_EPOCH;
		resp->SessionId = 0;
		return false;
	}
	else
	{
		*incremental = true;
		session.epoch = session.epoch == INT32_MAX ? 1 : session.epoch + 1;
	}
	return true;
}

/* Bring the session's partition set up to date with the request. */
static void
session_update(const FetchRequest *req, bool by_id, bool incremental)
{
	if (!incremental)
	{
		for (int i = 0; i < session.nparts; i++)
			pfree(session.parts[i].topic);
		session.nparts = 0;
	}
	for (int32 t = 0; t < req->Topics.count; t++)
	{
		const FetchTopic *ft = &req->Topics.items[t];
		char	   *name = by_id ? topic_name_of(ft->TopicId.b)
			: pnstrdup_kstr(ft->Topic);

		for (int32 p = 0; p < ft->Partitions.count; p++)
			session_upsert(name, by_id ? ft->TopicId.b : NULL, by_id, &ft->Partitions.items[p]);
		pfree(name);
	}
	for (int32 t = 0; t < req->ForgottenTopicsData.count; t++)
	{
		const ForgottenTopic *fg = &req->ForgottenTopicsData.items[t];
		char	   *name = by_id ? topic_name_of(fg->TopicId.b) : pnstrdup_kstr(fg->Topic);

		for (int32 p = 0; p < fg->Partitions.count; p++)
			session_forget(name, by_id ? fg->TopicId.b : NULL, by_id, fg->Partitions.items[p]);
		pfree(name);
	}
}

/*
 * One pass over the session's partitions: read each and put it in the
 * response (one response topic per distinct topic, in session order; an
 * incremental fetch answers only partitions with news).  Returns the
 * record bytes read; *any_error if a partition got an error.
 */
static int64
fetch_read_all(KafkaConn *conn, FetchResponse *resp, int64 max_bytes, int64 deadline,
			   bool incremental, bool *any_error)
{
	int64		total = 0;
	int			ntopics = 0;
	FetchableTopicResponse *topics;

	*any_error = false;
	topics = KArenaArray(&conn->arena, Max(session.nparts, 1), sizeof(FetchableTopicResponse));
	for (int i = 0; i < session.nparts; i++)
	{
		SessionPartition *sp = &session.parts[i];
		FetchableTopicResponse *ft = NULL;
		PartitionData pd;
		int64		got;

		memset(&pd, 0, sizeof(pd));
		got = read_partition(conn, sp, &pd, max_bytes - total, total == 0, deadline);
		total += got;
		if (pd.ErrorCode != KAFKA_ERR_NONE)
			*any_error = true;
		if (incremental && got == 0 && pd.ErrorCode == KAFKA_ERR_NONE && sp->sent_once &&
			pd.HighWatermark == sp->last_hw && pd.LogStartOffset == sp->last_log_start)
			continue;
		for (int k = 0; k < ntopics; k++)
			if (strcmp(topics[k].Topic.ptr, sp->topic) == 0)
				ft = &topics[k];
		if (ft == NULL)
		{
			ft = &topics[ntopics++];
			ft->Topic = KStrArena(&conn->arena, sp->topic);
			memcpy(ft->TopicId.b, sp->topic_id, 16);
			ft->Partitions.items = KArenaArray(&conn->arena, session.nparts, sizeof(PartitionData));
			ft->Partitions.count = 0;
		}
		ft->Partitions.items[ft->Partitions.count++] = pd;
	}
	resp->Responses.items = topics;
	resp->Responses.count = ntopics;
	return total;
}

/*
 * The answer goes out: count what was read in the per-topic metrics and
 * remember what the client now knows of each partition (so that an
 * incremental fetch sends only changes).
 */
static void
fetch_remember(const FetchResponse *resp)
{
	for (int i = 0; i < session.nparts; i++)
	{
		SessionPartition *sp = &session.parts[i];

		if (sp->read_bytes > 0)
		{
			TopicCountOut(sp->read_topic, sp->read_bytes, sp->read_records);
			PartitionCountOut(sp->read_pidx, sp->read_stream, sp->read_bytes);
		}
		for (int k = 0; k < resp->Responses.count; k++)
		{
			const FetchableTopicResponse *ft = &resp->Responses.items[k];

			for (int32 j = 0; j < ft->Partitions.count; j++)
			{
				const PartitionData *pd = &ft->Partitions.items[j];

				if (pd->PartitionIndex == sp->partition && strcmp(ft->Topic.ptr, sp->topic) == 0)
				{
					sp->last_hw = pd->HighWatermark;
					sp->last_log_start = pd->LogStartOffset;
					sp->sent_once = true;
				}
			}
		}
	}
}

/*
 * Fetch: the session step, then read every partition of the session,
 * waiting on the latch (woken by the WAL writer's flushes) until there is
 * MinBytes of data, an error, or MaxWaitMs has passed.
 */
bool
KafkaHandleFetch(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const FetchRequest *req = reqp;
	FetchResponse *resp = respp;
	bool		incremental;
	int64		deadline = MonotonicMs() + Max(req->MaxWaitMs, 0);
	int64		max_bytes = h->api_version >= 3 ? req->MaxBytes : INT32_MAX;

	if (!session_begin(h, req, resp, &incremental))
		return true;
	session_update(req, h->api_version >= 13, incremental);
	resp->SessionId = session.id;

	/* READ on each topic, once per request (an unknown topic id has no name). */
	for (int i = 0; i < session.nparts; i++)
	{
		SessionPartition *sp = &session.parts[i];

		if (i > 0 && strcmp(sp->topic, session.parts[i - 1].topic) == 0)
			sp->may_read = session.parts[i - 1].may_read;
		else
			sp->may_read = sp->topic[0] == '\0' ||
				KafkaAuthorize(ACL_RESOURCE_TOPIC, sp->topic, (int32) strlen(sp->topic), ACL_OP_READ);
	}

	for (;;)
	{
		bool		any_error;
		int64		total;
		uint64		read_start = MetricsNowUs();

		ResetLatch(MyLatch);
		LogCacheWaitRegister(LOGCACHE_ANY_STREAM, 0);
		total = fetch_read_all(conn, resp, max_bytes, deadline, incremental, &any_error);
		if (h->api_version >= 16)
			KAFKA_HINT_ENDPOINTS(&conn->arena, resp, Partitions, FetchNodeEndpoint);
		/* The read that found the data answered, without the waits before it. */
		if (total > 0)
			MetricsObserve(METRIC_FETCH_READ_DURATION, MetricsNowUs() - read_start);
		if (total >= Max(req->MinBytes, 1) || any_error || MonotonicMs() >= deadline ||
			ShutdownRequestPending || session.nparts == 0)
			break;
		/* This round's answer is dropped: so is its hold on the ring. */
		LogCacheUnpin();
		WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, (long) (deadline - MonotonicMs()));
	}
	LogCacheWaitCancel();
	fetch_remember(resp);
	return true;
}

/* ---------- ListOffsets ---------- */

#define LIST_OFFSETS_LATEST		(-1)
#define LIST_OFFSETS_EARLIEST	(-2)
#define LIST_OFFSETS_MAX_TS		(-3)

/*
 * Walk an uncompressed batch's records for the first with timestamp >= ts.
 * The batch was validated, so its varint structure is sound.
 */
static void
find_timestamp_in_batch(const uint8 *batch, const RecordBatchInfo *info, int64 ts,
						int64 *offset, int64 *found_ts)
{
	KReader		r;

	KReaderInit(&r, batch + RECORD_BATCH_OVERHEAD, (size_t) info->size - RECORD_BATCH_OVERHEAD);
	for (int32 i = 0; i < info->record_count && !r.failed; i++)
	{
		int32		len = KReadVarint(&r);
		size_t		start = r.pos;
		int64		rts;
		int32		odelta;

		(void) KReadInt8(&r);	/* attributes */
		rts = info->first_timestamp + KReadVarlong(&r);
		odelta = KReadVarint(&r);
		if (r.failed || len < 0)
			return;
		if (rts >= ts)
		{
			*offset = info->base_offset + odelta;
			*found_ts = rts;
			return;
		}
		KReadSkip(&r, (size_t) len - (r.pos - start));
	}
}

/*
 * First offset whose batch may hold a timestamp >= ts: scan the cached
 * batches of the stream from the log start.  Within an uncompressed batch
 * the exact record is found; a compressed batch answers its base offset.
 */
static void
offset_for_timestamp(KafkaConn *conn, StrataPartition *part, int64 ts, int64 hw, int64 *offset, int64 *found_ts)
{
	int64		pos = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);
	size_t		cap = 1024 * 1024;
	char	   *buf = palloc(cap);

	*offset = -1;
	*found_ts = -1;

	/*
	 * What the log cache no longer holds is in objects, whose indexes give
	 * each block's largest timestamp: skip to the first block that can
	 * hold ts instead of reading everything before it.
	 */
	{
		size_t		got;
		int64		next;

		if (LogCacheRead((uint64) part->stream_id, pos, hw, buf, 0, &got, &next) == LOGCACHE_MISS ||
			!LogCacheStreamEnd((uint64) part->stream_id, &next, NULL))
		{
			char	   *connmsg = NULL;
			char		err[768];
			int64		obj_offset,
						obj_ts;
			ObjReadResult o = ObjFindTimestamp(BackendCatalogConnection(&connmsg),
											   (uint64) part->stream_id, pos, ts,
											   &obj_offset, &obj_ts, err, sizeof(err));

			if (o == OBJREAD_OK)
				pos = obj_offset;
			else if (o == OBJREAD_NOT_FOUND)
			{
				/* Not in objects: only the log cache can have it. */
				LogCacheStreamIter it;
				LogCacheStreamInfo info;
				int64		cache_start = hw;

				LogCacheStreamIterInit(&it);
				while (LogCacheStreamIterNext(&it, &info))
					if (info.stream_id == (uint64) part->stream_id)
						cache_start = info.start_offset;
				pos = Max(pos, cache_start);
			}
			else
				elog(LOG, "ListOffsets by time on stream %lld: %s", (long long) part->stream_id, err);
		}
	}
	while (pos < hw)
	{
		size_t		got;
		int64		next;
		LogCacheResult r = read_stream((uint64) part->stream_id, pos, hw, buf, cap, -1, &got, &next);

		if (r == LOGCACHE_TOO_SMALL)
		{
			cap = got;
			buf = repalloc(buf, cap);
			continue;
		}
		if (r != LOGCACHE_OK || got == 0)
			break;
		for (size_t off = 0; off < got;)
		{
			RecordBatchInfo info;
			char		errmsg[128];

			if (RecordBatchValidate((const uint8 *) buf + off, got - off, RECORDS_ALLOW_CONTROL,
									&info, errmsg, sizeof(errmsg)) != KAFKA_ERR_NONE)
				break;
			if (info.max_timestamp >= ts && info.base_offset + info.last_offset_delta >= pos)
			{
				*offset = Max(info.base_offset, pos);
				*found_ts = info.max_timestamp;
				if (info.compression == RB_COMPRESSION_NONE)
					find_timestamp_in_batch((const uint8 *) buf + off, &info, ts, offset, found_ts);
				if (*offset < pos)
					*offset = pos;
				pfree(buf);
				return;
			}
			off += (size_t) info.size;
		}
		pos = next;
	}
	pfree(buf);
}

bool
KafkaHandleListOffsets(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const ListOffsetsRequest *req = reqp;
	ListOffsetsResponse *resp = respp;

	resp->Topics.count = req->Topics.count;
	resp->Topics.items = KArenaArray(&conn->arena, req->Topics.count, sizeof(ListOffsetsTopicResponse));
	for (int32 t = 0; t < req->Topics.count; t++)
	{
		const ListOffsetsTopic *lt = &req->Topics.items[t];
		ListOffsetsTopicResponse *out = &resp->Topics.items[t];

		bool		may = KafkaAuthorizeTopic(lt->Name, ACL_OP_DESCRIBE);

		out->Name = lt->Name;
		out->Partitions.count = lt->Partitions.count;
		out->Partitions.items = KArenaArray(&conn->arena, lt->Partitions.count,
											sizeof(ListOffsetsPartitionResponse));
		for (int32 p = 0; p < lt->Partitions.count; p++)
		{
			const ListOffsetsPartition *lp = &lt->Partitions.items[p];
			ListOffsetsPartitionResponse *po = &out->Partitions.items[p];
			int16		err;
			int			pidx = may ? lookup_partition(lt->Name, NULL, lp->PartitionIndex, lp->CurrentLeaderEpoch, &err)
				: (err = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED, -1);
			StrataPartition *part;
			int64		hw;

			po->PartitionIndex = lp->PartitionIndex;
			po->Timestamp = -1;
			po->Offset = -1;
			po->LeaderEpoch = -1;
			if (pidx < 0)
			{
				po->ErrorCode = err;
				continue;
			}
			part = PartitionGet(pidx);
			hw = partition_high_watermark(part);
			po->LeaderEpoch = part->leader_epoch;
			if (lp->Timestamp == LIST_OFFSETS_LATEST)
				po->Offset = hw;
			else if (lp->Timestamp == LIST_OFFSETS_EARLIEST)
				po->Offset = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);
			else if (lp->Timestamp == LIST_OFFSETS_MAX_TS)
			{
				SMutexLock(&part->append_lock);
				if (part->max_timestamp_offset >= 0 && part->max_timestamp_offset < hw)
				{
					po->Offset = part->max_timestamp_offset;
					po->Timestamp = part->max_timestamp;
				}
				SMutexUnlock(&part->append_lock);
			}
			else if (lp->Timestamp >= 0)
				offset_for_timestamp(conn, part, lp->Timestamp, hw, &po->Offset, &po->Timestamp);
			else
				po->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
		}
	}
	return true;
}

/* ---------- OffsetForLeaderEpoch ---------- */

/*
 * Strata never truncates a partition: what was acknowledged is durable
 * and stays.  So for any epoch up to the current one the answer is the
 * current log end, and a consumer validating its position never sees a
 * truncation.
 */
bool
KafkaHandleOffsetForLeaderEpoch(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const OffsetForLeaderEpochRequest *req = reqp;
	OffsetForLeaderEpochResponse *resp = respp;

	resp->Topics.count = req->Topics.count;
	resp->Topics.items = KArenaArray(&conn->arena, req->Topics.count, sizeof(OffsetForLeaderTopicResult));
	for (int32 t = 0; t < req->Topics.count; t++)
	{
		const OffsetForLeaderTopic *ot = &req->Topics.items[t];
		OffsetForLeaderTopicResult *out = &resp->Topics.items[t];

		bool		may = KafkaAuthorizeTopic(ot->Topic, ACL_OP_DESCRIBE);

		out->Topic = ot->Topic;
		out->Partitions.count = ot->Partitions.count;
		out->Partitions.items = KArenaArray(&conn->arena, ot->Partitions.count, sizeof(EpochEndOffset));
		for (int32 p = 0; p < ot->Partitions.count; p++)
		{
			const OffsetForLeaderPartition *op = &ot->Partitions.items[p];
			EpochEndOffset *eo = &out->Partitions.items[p];
			int16		err;
			int			pidx = may ? lookup_partition(ot->Topic, NULL, op->Partition, op->CurrentLeaderEpoch, &err)
				: (err = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED, -1);
			StrataPartition *part;

			eo->Partition = op->Partition;
			eo->LeaderEpoch = -1;
			eo->EndOffset = -1;
			if (pidx < 0)
			{
				eo->ErrorCode = err;
				continue;
			}
			part = PartitionGet(pidx);
			if (op->LeaderEpoch > part->leader_epoch)
				continue;		/* an epoch this partition never had: undefined */
			eo->LeaderEpoch = op->LeaderEpoch;
			eo->EndOffset = partition_high_watermark(part);
		}
	}
	return true;
}

/* ---------- DeleteRecords ---------- */

bool
KafkaHandleDeleteRecords(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DeleteRecordsRequest *req = reqp;
	DeleteRecordsResponse *resp = respp;
	char	   *connmsg = NULL;
	PGconn	   *pg = NULL;

	resp->Topics.count = req->Topics.count;
	resp->Topics.items = KArenaArray(&conn->arena, req->Topics.count, sizeof(DeleteRecordsTopicResult));
	for (int32 t = 0; t < req->Topics.count; t++)
	{
		const DeleteRecordsTopic *dt = &req->Topics.items[t];
		DeleteRecordsTopicResult *out = &resp->Topics.items[t];

		bool		may = KafkaAuthorizeTopic(dt->Name, ACL_OP_DELETE);

		out->Name = dt->Name;
		out->Partitions.count = dt->Partitions.count;
		out->Partitions.items = KArenaArray(&conn->arena, dt->Partitions.count,
											sizeof(DeleteRecordsPartitionResult));
		for (int32 p = 0; p < dt->Partitions.count; p++)
		{
			const DeleteRecordsPartition *dp = &dt->Partitions.items[p];
			DeleteRecordsPartitionResult *po = &out->Partitions.items[p];
			int16		err;
			int			pidx = may ? lookup_partition(dt->Name, NULL, dp->PartitionIndex, -1, &err)
				: (err = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED, -1);
			StrataPartition *part;
			int64		hw,
						target;
			char		errbuf[1024];

			po->PartitionIndex = dp->PartitionIndex;
			po->LowWatermark = -1;
			if (pidx < 0)
			{
				po->ErrorCode = err;
				continue;
			}
			part = PartitionGet(pidx);
			hw = partition_high_watermark(part);
			target = dp->Offset == -1 ? hw : dp->Offset;
			if (target < 0 || target > hw)
			{
				po->ErrorCode = KAFKA_ERR_OFFSET_OUT_OF_RANGE;
				continue;
			}
			if (pg == NULL)
				pg = BackendCatalogConnection(&connmsg);
			if (pg == NULL)
			{
				po->ErrorCode = KAFKA_ERR_KAFKA_STORAGE_ERROR;
				continue;
			}
			/* Durable first, with the stream's epoch (a fenced broker changes nothing). */
			{
				bool		ours;

				if (!CatalogTrimStream(pg, (uint64) part->stream_id, part->stream_epoch, target,
									   &ours, &target, errbuf, sizeof(errbuf)))
				{
					elog(LOG, "%s", errbuf);
					po->ErrorCode = KAFKA_ERR_KAFKA_STORAGE_ERROR;
					continue;
				}
				if (!ours)
				{
					po->ErrorCode = KAFKA_ERR_NOT_LEADER_OR_FOLLOWER;
					continue;
				}
			}
			(void) PartitionAdvanceLogStart(part, target);
			po->LowWatermark = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);
		}
	}
	return true;
}
