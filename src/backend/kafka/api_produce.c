/*-------------------------------------------------------------------------
 *
 * api_produce.c
 *	  Produce: validate each partition's record batch, assign offsets by
 *	  rewriting the batch header, append every partition of the request to
 *	  the WAL in one reservation, and answer once the WAL writer has flushed
 *	  it (acks=1 and acks=all; acks=0 gets no response at all).
 *
 *	  Offsets are assigned under each partition's append lock, and the WAL
 *	  space is reserved before those locks are released, so a stream's
 *	  records are in the WAL in offset order.  The locks of one request are
 *	  taken in registry-index order, so two requests touching the same
 *	  partitions cannot deadlock.
 *
 *	  A batch is never decompressed: its header and CRC are checked (and an
 *	  uncompressed batch's records walked) by kafka/records.c.  The one
 *	  exception is a legacy message set (magic 0/1, Produce v0-v2), which is
 *	  converted into a magic-2 batch first, as Kafka converts it
 *	  (kafka/legacy.c): decompressed if gzip'd, recompressed the same way.
 *	  A request's conversions together inflate at most
 *	  socket_request_max_bytes; the converted batches live in the request's
 *	  memory context.
 *
 *	  Batches of idempotent producers (producer id >= 0) are checked
 *	  against the producer state (kafka/producer.h) under the append lock,
 *	  before an offset is assigned: a retried batch is answered with its
 *	  original offsets and not appended again (its response waits for the
 *	  original's WAL flush, like any other), and a sequence gap or a stale
 *	  epoch gets Kafka's error for the partition.
 *
 *	  A topic the principal may not WRITE gets TOPIC_AUTHORIZATION_FAILED
 *	  for each of its partitions (kafka/authorizer.h).
 *
 * src/backend/kafka/api_produce.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/authorizer.h"
#include "kafka/cluster.h"
#include "kafka/handlers.h"
#include "kafka/legacy.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/records.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* One partition of the request that passed validation. */
typedef struct ProducePart
{
	int			pidx;			/* registry index */
	StrataPartition *part;
	PartitionProduceResponse *resp;
	uint8	   *batch;			/* the batch, in the request frame (or converted) */
	RecordBatchInfo info;
	bool		log_append_time;
	int			item;			/* its WAL append item, or -1 if not appended */
	int16		producer_error; /* found under the append lock */
	char		producer_errmsg[256];
} ProducePart;

static int
compare_parts(const void *a, const void *b)
{
	const ProducePart *pa = a;
	const ProducePart *pb = b;

	return (pa->pidx > pb->pidx) - (pa->pidx < pb->pidx);
}

/*
 * May this broker append to the partition now?  It must lead it, have its
 * stream open, not be handing it off, and hold a valid lease.
 */
static bool
partition_writable(StrataPartition *part)
{
	return PartitionServedHere(part) &&
		!__atomic_load_n(&part->handoff, __ATOMIC_ACQUIRE) && ClusterLeaseValid();
}

/*
 * NOT_LEADER_OR_FOLLOWER, with the leader to go to (KIP-951: v10+ clients
 * use it without a metadata round trip).  During a hand-off the leader is
 * still this broker until the move commits: the hint then names nobody.
 */
static void
not_leader(PartitionProduceResponse *pr, StrataPartition *part)
{
	pr->ErrorCode = KAFKA_ERR_NOT_LEADER_OR_FOLLOWER;
	if (part->leader_id != (int32) broker_id && part->leader_id >= 0)
	{
		pr->CurrentLeader.LeaderId = part->leader_id;
		pr->CurrentLeader.LeaderEpoch = part->leader_epoch;
	}
}

/*
 * CreateTime topics: Kafka's message.timestamp.before.max.ms and
 * after.max.ms (each falling back to the deprecated difference.max.ms when
 * unset).  A record timestamped further than that from now makes the batch
 * INVALID_TIMESTAMP.  Strata never decompresses, so a compressed batch is
 * judged by its first and largest timestamps; an uncompressed one by its
 * records' smallest and largest.  Records without a timestamp (-1) pass.
 */
static int16
check_timestamps(const TopicConfig *config, const RecordBatchInfo *info, int64 now,
				 char *errmsg, size_t errlen)
{
	int64		before = config->timestamp_before_max_ms != INT64_MAX ?
		config->timestamp_before_max_ms : config->timestamp_difference_max_ms;
	int64		after = config->timestamp_after_max_ms != INT64_MAX ?
		config->timestamp_after_max_ms : config->timestamp_difference_max_ms;
	int64		lo = info->computed_min_timestamp;
	int64		hi = info->computed_max_timestamp;
	int64		bad;

	if (lo >= 0 && lo < now && now - lo > before)
		bad = lo;
	else if (hi >= 0 && hi > now && hi - now > after)
		bad = hi;
	else
		return KAFKA_ERR_NONE;
	snprintf(errmsg, errlen,
			 "Timestamp %lld of a record is out of range: it should be within [now - %lld ms, now + %lld ms] (message.timestamp.before.max.ms, message.timestamp.after.max.ms)",
			 (long long) bad, (long long) before, (long long) after);
	return KAFKA_ERR_INVALID_TIMESTAMP;
}

/*
 * The partition's records as one magic-2 batch in pp->batch and pp->info:
 * the request's own bytes, or (Produce v0-v2) a legacy message set
 * converted in the request's memory context.  *inflated counts what the
 * request's conversions have decompressed so far.
 */
static int16
produce_batch(const KafkaRequestHeader *h, const PartitionProduceData *pd, ProducePart *pp,
			  size_t *inflated, char *errmsg, size_t errlen)
{
	uint8	   *batch;
	size_t		blen,
				used = 0;
	int16		err;

	pp->batch = (uint8 *) pd->Records.ptr;
	if (h->api_version >= 3 || pd->Records.len <= 0 ||
		!LegacyIsMessageSet(pd->Records.ptr, (size_t) pd->Records.len))
		return RecordsValidateProduce(pd->Records.ptr, pd->Records.len, h->api_version,
									  &pp->info, errmsg, errlen);
	err = LegacyMessageSetConvert(pd->Records.ptr, (size_t) pd->Records.len,
								  (size_t) socket_request_max_bytes - *inflated,
								  &batch, &blen, &used, errmsg, errlen);
	*inflated += used;
	if (err != KAFKA_ERR_NONE)
		return err;
	pp->batch = batch;
	return RecordBatchValidate(batch, blen, 0, &pp->info, errmsg, errlen);
}

/*
 * Check one partition of the request: the topic and partition, leadership,
 * the batch itself, its size and timestamps.  Fills pp and returns true if
 * the batch may be appended; else sets the partition's error in pr.
 */
static bool
produce_check_partition(const KafkaRequestHeader *h, KArena *arena, int topic,
						const TopicConfig *config, const PartitionProduceData *pd,
						PartitionProduceResponse *pr, ProducePart *pp, size_t *inflated)
{
	char		errmsg[256];
	int16		err;

	if (topic < 0)
	{
		pr->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
		return false;
	}
	RegistryLock();
	pp->pidx = PartitionLookup(topic, pd->Index);
	RegistryUnlock();
	if (pp->pidx < 0)
	{
		pr->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
		return false;
	}
	pp->part = PartitionGet(pp->pidx);
	if (!partition_writable(pp->part))
	{
		not_leader(pr, pp->part);
		return false;
	}
	err = produce_batch(h, pd, pp, inflated, errmsg, sizeof(errmsg));
	if (err == KAFKA_ERR_NONE && pp->info.size > config->max_message_bytes)
	{
		err = KAFKA_ERR_MESSAGE_TOO_LARGE;
		snprintf(errmsg, sizeof(errmsg), "The record batch is %d bytes, more than max.message.bytes (%lld)",
				 pp->info.size, (long long) config->max_message_bytes);
	}
	if (err == KAFKA_ERR_NONE && (uint64) pp->info.size > WalMaxRecordBytes())
	{
		err = KAFKA_ERR_MESSAGE_TOO_LARGE;
		snprintf(errmsg, sizeof(errmsg), "The record batch is %d bytes, more than this broker's WAL takes in one record (%llu; raise log_cache_size and wal_size)",
				 pp->info.size, (unsigned long long) WalMaxRecordBytes());
	}
	if (err == KAFKA_ERR_NONE && !config->log_append_time)
		err = check_timestamps(config, &pp->info, WallClockMs(), errmsg, sizeof(errmsg));
	if (err == KAFKA_ERR_NONE && pp->info.transactional)
	{
		err = KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
		snprintf(errmsg, sizeof(errmsg), "Transactions are not supported yet");
	}
	if (err != KAFKA_ERR_NONE)
	{
		pr->ErrorCode = err;
		pr->ErrorMessage = KStrArena(arena, errmsg);
		if (h->api_version >= 8)
		{
			pr->RecordErrors.count = 1;
			pr->RecordErrors.items = KArenaArray(arena, 1, sizeof(BatchIndexAndErrorMessage));
			pr->RecordErrors.items[0].BatchIndex = 0;
			pr->RecordErrors.items[0].BatchIndexErrorMessage = pr->ErrorMessage;
		}
		return false;
	}
	/* The frame (or the converted copy) is this backend's own: rewrite in place. */
	pp->resp = pr;
	pp->log_append_time = config->log_append_time;
	return true;
}

/*
 * Step 1: give the response the request's shape and check every partition
 * (request_error, if set, answers them all).  Returns the partitions that
 * passed, in *parts (arena), and their number.
 */
static int
produce_validate(KArena *arena, const KafkaRequestHeader *h, const ProduceRequest *req,
				 ProduceResponse *resp, int16 request_error, ProducePart **parts)
{
	int			nparts = 0;
	int			nvalid = 0;
	size_t		inflated = 0;	/* by legacy message set conversions */

	for (int32 t = 0; t < req->TopicData.count; t++)
		nparts += Max(req->TopicData.items[t].PartitionData.count, 0);
	*parts = KArenaArray(arena, Max(nparts, 1), sizeof(ProducePart));

	resp->Responses.count = req->TopicData.count;
	resp->Responses.items = KArenaArray(arena, req->TopicData.count, sizeof(TopicProduceResponse));
	for (int32 t = 0; t < req->TopicData.count; t++)
	{
		const TopicProduceData *td = &req->TopicData.items[t];
		TopicProduceResponse *tr = &resp->Responses.items[t];
		int			topic;
		TopicConfig config = {0};
		bool		may_write = KafkaAuthorizeTopic(td->Name, ACL_OP_WRITE);

		tr->Name = td->Name;
		tr->PartitionResponses.count = td->PartitionData.count;
		tr->PartitionResponses.items = KArenaArray(arena, td->PartitionData.count,
												   sizeof(PartitionProduceResponse));
		RegistryLock();
		topic = TopicLookupByName(td->Name.ptr, (size_t) Max(td->Name.len, 0));
		if (topic >= 0)
			config = TopicGet(topic)->config;
		RegistryUnlock();

		for (int32 p = 0; p < td->PartitionData.count; p++)
		{
			PartitionProduceResponse *pr = &tr->PartitionResponses.items[p];

			pr->Index = td->PartitionData.items[p].Index;
			pr->ErrorMessage = KSTR_NULL;
			pr->CurrentLeader.LeaderId = -1;
			pr->CurrentLeader.LeaderEpoch = -1;
			pr->BaseOffset = -1;
			pr->LogAppendTimeMs = -1;
			pr->LogStartOffset = -1;
			if (request_error != KAFKA_ERR_NONE)
				pr->ErrorCode = request_error;
			else if (!may_write)
				pr->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			else if (produce_check_partition(h, arena, topic, &config, &td->PartitionData.items[p],
											 pr, &(*parts)[nvalid], &inflated))
				nvalid++;
		}
	}
	return nvalid;
}

/*
 * Step 2, under the partition's append lock: the producer-state check of
 * an idempotent batch, then the offsets, written into the batch header.
 * Returns true if the batch is to be appended (then *item is filled);
 * false for a duplicate (answered with its original offsets, *dup_lsn
 * raised to its WAL position) or a producer error (kept in pp until the
 * locks are released: nothing under them may raise ERROR).
 */
static bool
produce_assign(ProducePart *pp, int64 append_time, WalAppendItem *item, WalLsn *dup_lsn)
{
	StrataPartition *part = pp->part;
	int64		base = part->next_offset;
	int64		max_ts = pp->log_append_time ? append_time : pp->info.max_timestamp;
	ProducerDuplicate dup;
	ProducerCheckResult pr;
	int16		perr = KAFKA_ERR_NONE;
	char		errmsg[256];

	pr = ProducerStateCheck((uint64) part->stream_id, &pp->info, base, max_ts,
							&dup, &perr, errmsg, sizeof(errmsg));
	if (pr == PRODUCER_DUPLICATE)
	{
		/* already appended: the original offsets, once durable */
		pp->resp->BaseOffset = dup.first_offset;
		if (pp->log_append_time)
			pp->resp->LogAppendTimeMs = dup.timestamp;
		pp->resp->LogStartOffset = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);
		if (!dup.pending)
			*dup_lsn = Max(*dup_lsn, dup.end_lsn);
		return false;
	}
	if (pr == PRODUCER_ERROR)
	{
		pp->producer_error = perr;
		strlcpy_s(pp->producer_errmsg, errmsg, sizeof(pp->producer_errmsg));
		return false;
	}

	RecordBatchSetBaseOffset(pp->batch, base);
	RecordBatchSetPartitionLeaderEpoch(pp->batch, part->leader_epoch);
	if (pp->log_append_time)
	{
		RecordBatchSetLogAppendTime(pp->batch, append_time);
		pp->resp->LogAppendTimeMs = append_time;
	}
	part->next_offset = base + pp->info.last_offset_delta + 1;
	if (max_ts > part->max_timestamp)
	{
		part->max_timestamp = max_ts;
		part->max_timestamp_offset = part->next_offset - 1;
	}
	pp->resp->BaseOffset = base;
	pp->resp->LogStartOffset = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);

	item->stream_id = (uint64) part->stream_id;
	item->stream_epoch = (uint64) part->stream_epoch;
	item->base_offset = base;
	item->record_count = (uint32) pp->info.record_count;
	item->max_timestamp = max_ts;
	item->data = pp->batch;
	item->len = (uint32) pp->info.size;

	/*
	 * The WAL record's CRC covers the batch again; the batch's own CRC,
	 * of bytes [Attributes, end), saves it reading those twice.  Since
	 * validation, only BaseOffset and PartitionLeaderEpoch (before that
	 * range) have changed, or, for LogAppendTime, bytes inside it, and then
	 * RecordBatchSetLogAppendTime stored the CRC of the rewritten bytes in
	 * the header.
	 */
	item->crc_tail_from = RB_ATTRIBUTES_OFF;
	item->crc_tail = pp->log_append_time ? LoadBE32(pp->batch + RB_CRC_OFF) : pp->info.crc;
	return true;
}

/*
 * Steps 2 and 3: take the append locks of the partitions (in registry
 * order), assign offsets, append every batch to the WAL in one
 * reservation, and release the locks.  Returns the end of what was
 * appended (0 if nothing) and raises *dup_lsn to the WAL end of answered
 * duplicates.
 */
static WalLsn
produce_append(KArena *arena, ProducePart *parts, int nvalid, WalLsn *dup_lsn)
{
	WalAppendItem *items = KArenaArray(arena, nvalid, sizeof(WalAppendItem));
	int64		append_time = WallClockMs();
	WalLsn		end_lsn = 0;
	int			nitems = 0;

	qsort(parts, (size_t) nvalid, sizeof(ProducePart), compare_parts);
	for (int i = 0; i < nvalid; i++)
		if (i == 0 || parts[i].pidx != parts[i - 1].pidx)
			SMutexLock(&parts[i].part->append_lock);
	for (int i = 0; i < nvalid; i++)
	{
		parts[i].item = -1;
		/* Leadership may have moved since the check: look again under the lock. */
		if (!partition_writable(parts[i].part))
			not_leader(parts[i].resp, parts[i].part);
		else if (produce_assign(&parts[i], append_time, &items[nitems], dup_lsn))
			parts[i].item = nitems++;
	}
	if (nitems > 0)
		end_lsn = WalAppendMulti(items, nitems);
	/* still under the append locks: a retry must find the WAL position */
	for (int i = 0; i < nvalid; i++)
		if (parts[i].item >= 0 && parts[i].info.producer_id >= 0)
			ProducerStateSetLsn((uint64) parts[i].part->stream_id, parts[i].info.producer_id,
								parts[i].resp->BaseOffset, items[parts[i].item].end_lsn);
	for (int i = nvalid - 1; i >= 0; i--)
		if (i == 0 || parts[i].pidx != parts[i - 1].pidx)
			SMutexUnlock(&parts[i].part->append_lock);

	for (int i = 0; i < nvalid; i++)
	{
		if (parts[i].producer_error != KAFKA_ERR_NONE)
		{
			parts[i].resp->ErrorCode = parts[i].producer_error;
			parts[i].resp->ErrorMessage = KStrArena(arena, parts[i].producer_errmsg);
		}
		if (parts[i].item >= 0)
		{
			TopicCountIn(parts[i].part->topic, (uint64) parts[i].info.size,
						 (uint64) parts[i].info.record_count);
			PartitionCountIn(parts[i].part, (uint64) parts[i].info.size);
		}
	}
	return end_lsn;
}

bool
KafkaHandleProduce(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const ProduceRequest *req = reqp;
	ProduceResponse *resp = respp;
	ProducePart *parts;
	int			nvalid;
	WalLsn		end_lsn = 0;
	WalLsn		dup_lsn = 0;	/* duplicates answered: their WAL positions */
	int16		request_error = KAFKA_ERR_NONE;

	if (req->TransactionalId.len >= 0)
		request_error = KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
	else if (req->Acks != 0 && req->Acks != 1 && req->Acks != -1)
		request_error = KAFKA_ERR_INVALID_REQUIRED_ACKS;

	nvalid = produce_validate(&conn->arena, h, req, resp, request_error, &parts);
	if (nvalid > 0)
		end_lsn = produce_append(&conn->arena, parts, nvalid, &dup_lsn);
	if (h->api_version >= 10)
		KAFKA_HINT_ENDPOINTS(&conn->arena, resp, PartitionResponses, ProduceNodeEndpoint);

	if (req->Acks == 0)
	{
		/* acks=0: the client expects no response at all. */
		conn->no_response = true;
		/* Nobody waits for these bytes: have the WAL writer write them. */
		if (nvalid > 0)
			WalKickWriter();
		return true;
	}
	/*
	 * The response goes out once the WAL is flushed past end_lsn; the
	 * backend keeps reading (and appending) the requests behind this one
	 * meanwhile (backend.c).
	 */
	if (nvalid > 0)
		conn->wait_lsn = Max(end_lsn, dup_lsn);
	return true;
}
