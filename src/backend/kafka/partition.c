/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  The shared-memory registry of topics and partitions (see
 *	  kafka/partition.h).
 *
 *	  Three open-addressing hash indexes (linear probing, tombstones on
 *	  removal) map a topic name, a (topic, partition) pair and a stream id
 *	  to table indexes.  Each index has twice as many buckets as entries can
 *	  exist, so probes stay short.
 *
 * src/backend/kafka/partition.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/partition.h"
#include "storage/compaction.h"
#include "storage/wal.h"
#include "storage/shmem.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"

#define BUCKET_EMPTY	(-1)
#define BUCKET_DELETED	(-2)

typedef struct RegistryHeader
{
	SMutex		lock;
	SMutex		change_lock;	/* see RegistryChangeLock */
	int			ntopics;		/* capacity of the topic table */
	int			nparts;			/* capacity of the partition table */
	int			nbuckets;		/* per hash index */
	size_t		part_size;		/* bytes per partition entry */
	char		cluster_id[64]; /* Kafka cluster id, from the catalog */
	uint32		loaded;			/* atomic: RegistrySetLoaded was called */
} RegistryHeader;

static RegistryHeader *Registry;
static StrataTopic *Topics;
static char *Parts;				/* variable-size StrataPartition entries */
static int32 *TopicIndex;		/* by name */
static int32 *PartIndex;		/* by (topic, partition) */
static int32 *StreamIndex;		/* by stream id */

static size_t
part_entry_size(void)
{
	return MAXALIGN(sizeof(StrataPartition));
}

static int
topic_capacity(void)
{
	return (int) max_partitions;
}

size_t
PartitionShmemSize(void)
{
	size_t		size = MAXALIGN(sizeof(RegistryHeader));
	size_t		nbuckets = (size_t) max_partitions * 2;

	size = add_size(size, mul_size(sizeof(StrataTopic), (size_t) topic_capacity()));
	size = add_size(size, mul_size(part_entry_size(), (size_t) max_partitions));
	size = add_size(size, mul_size(sizeof(int32) * 3, nbuckets));
	return size;
}

StaticAssertDecl(TOPIC_NAME_MAX <= LED_STREAM_TOPIC_MAX, "a topic name must fit in a LedStream");

/*
 * The partitions this broker leads, for object maintenance (the
 * LedStreamSource registered below).  Takes RegistryLock.
 */
static bool
collect_led_streams(LedStream **streams, int *n)
{
	int			cap = 64;
	LedStream  *out;
	int			k = 0;

	if (!RegistryIsLoaded())
		return false;

	/*
	 * Grown as needed rather than sized for the registry's capacity
	 * (max_partitions may be large; this broker may lead few).  palloc
	 * under the lock is fine: it never raises while we hold it except on
	 * out of memory, which ends the process anyway.
	 */
	out = palloc(sizeof(LedStream) * (size_t) cap);
	RegistryLock();
	for (int i = 0; i < Registry->nparts; i++)
	{
		StrataPartition *p = PartitionGet(i);
		StrataTopic *t;

		if (p->state != TOPIC_LIVE || p->leader_id != (int32) broker_id)
			continue;
		t = TopicGet(p->topic);
		if (t->state != TOPIC_LIVE)
			continue;
		if (k == cap)
		{
			cap *= 2;
			out = repalloc(out, sizeof(LedStream) * (size_t) cap);
		}
		out[k].stream_id = p->stream_id;
		out[k].epoch = p->stream_epoch;
		out[k].retention_ms = t->config.retention_ms;
		out[k].retention_bytes = t->config.retention_bytes;
		out[k].partition = p->partition;
		strlcpy_s(out[k].topic, t->name, sizeof(out[k].topic));
		k++;
	}
	RegistryUnlock();
	*streams = out;
	*n = k;
	return true;
}

/* Retention moved a stream's start: the LedStreamSource's other half. */
static int64
advance_led_log_start(int64 stream_id, int64 start)
{
	int64		before = -1;
	int			p;

	RegistryLock();
	p = PartitionLookupByStream(stream_id);
	if (p >= 0)
		before = PartitionAdvanceLogStart(PartitionGet(p), start);
	RegistryUnlock();
	return before;
}

static const LedStreamSource led_streams = {collect_led_streams, advance_led_log_start};

void
PartitionShmemInit(void)
{
	bool		found;
	char	   *p;

	/*
	 * Object maintenance (the uploader's) learns from the registry which
	 * partitions we lead.  Registered here, in the postmaster before it
	 * forks, so every child inherits it.
	 */
	ObjMaintenanceSetLedStreams(&led_streams);

	p = ShmemInitStruct("Partition Registry", PartitionShmemSize(), &found);
	Registry = (RegistryHeader *) p;
	p += MAXALIGN(sizeof(RegistryHeader));
	Topics = (StrataTopic *) p;
	p += sizeof(StrataTopic) * (size_t) topic_capacity();
	Parts = p;
	p += part_entry_size() * (size_t) max_partitions;
	TopicIndex = (int32 *) p;
	p += sizeof(int32) * (size_t) max_partitions * 2;
	PartIndex = (int32 *) p;
	p += sizeof(int32) * (size_t) max_partitions * 2;
	StreamIndex = (int32 *) p;
	if (found)
		return;

	SMutexInit(&Registry->lock);
	SMutexInit(&Registry->change_lock);
	Registry->ntopics = topic_capacity();
	Registry->nparts = (int) max_partitions;
	Registry->loaded = 0;
	Registry->nbuckets = (int) max_partitions * 2;
	Registry->part_size = part_entry_size();
	memset(Topics, 0, sizeof(StrataTopic) * (size_t) Registry->ntopics);
	memset(Parts, 0, Registry->part_size * (size_t) Registry->nparts);
	for (int i = 0; i < Registry->nbuckets; i++)
		TopicIndex[i] = PartIndex[i] = StreamIndex[i] = BUCKET_EMPTY;
}

void
RegistrySetClusterId(const char *id)
{
	RegistryLock();
	strlcpy_s(Registry->cluster_id, id, sizeof(Registry->cluster_id));
	RegistryUnlock();
}

void
RegistryGetClusterId(char *buf, size_t len)
{
	RegistryLock();
	strlcpy_s(buf, Registry->cluster_id, len);
	RegistryUnlock();
}

void
RegistryChangeLock(void)
{
	SMutexLock(&Registry->change_lock);
}

void
RegistryChangeUnlock(void)
{
	SMutexUnlock(&Registry->change_lock);
}

void
RegistryLock(void)
{
	SMutexLock(&Registry->lock);
}

void
RegistryUnlock(void)
{
	SMutexUnlock(&Registry->lock);
}

StrataTopic *
TopicGet(int idx)
{
	Assert(idx >= 0 && idx < Registry->ntopics);
	return &Topics[idx];
}

StrataPartition *
PartitionGet(int idx)
{
	Assert(idx >= 0 && idx < Registry->nparts);
	return (StrataPartition *) (Parts + Registry->part_size * (size_t) idx);
}

bool
PartitionServedHere(const StrataPartition *p)
{
	return p->leader_id == (int32) broker_id && p->stream_epoch > 0;
}

int
TopicCapacity(void)
{
	return Registry->ntopics;
}

int
PartitionCapacity(void)
{
	return Registry->nparts;
}

/* FNV-1a, then a final mix. */
static uint32
hash_bytes(const void *data, size_t len)
{
	const uint8 *p = data;
	uint32		h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

static uint32
hash_u64(uint64 v)
{
	v ^= v >> 33;
	v *= UINT64_C(0xff51afd7ed558ccd);
	v ^= v >> 33;
	return (uint32) v;
}

/*
 * Generic probe: walk from the hash's bucket; match() decides whether an
 * entry is the one looked for.  Returns the bucket of the match, or -1;
 * *insert_at gets the first reusable bucket on the way.
 */
typedef bool (*match_fn) (int32 entry, const void *key);

static int
probe(int32 *index, uint32 hash, match_fn match, const void *key, int *insert_at)
{
	int			n = Registry->nbuckets;
	int			b = (int) (hash % (uint32) n);

	if (insert_at)
		*insert_at = -1;
	for (int i = 0; i < n; i++, b = (b + 1) % n)
	{
		int32		e = index[b];

		if (e == BUCKET_EMPTY)
		{
			if (insert_at && *insert_at < 0)
				*insert_at = b;
			return -1;
		}
		if (e == BUCKET_DELETED)
		{
			if (insert_at && *insert_at < 0)
				*insert_at = b;
			continue;
		}
		if (match(e, key))
			return b;
	}
	return -1;
}

typedef struct NameKey
{
	const char *name;
	size_t		len;
} NameKey;

static bool
match_topic_name(int32 e, const void *key)
{
	const NameKey *k = key;

	return Topics[e].state == TOPIC_LIVE && (size_t) Topics[e].name_len == k->len &&
		memcmp(Topics[e].name, k->name, k->len) == 0;
}

typedef struct PartKey
{
	int32		topic;
	int32		partition;
} PartKey;

static bool
match_part(int32 e, const void *key)
{
	const PartKey *k = key;
	StrataPartition *p = PartitionGet(e);

	return p->state == TOPIC_LIVE && p->topic == k->topic && p->partition == k->partition;
}

static bool
match_stream(int32 e, const void *key)
{
	StrataPartition *p = PartitionGet(e);

	return p->state == TOPIC_LIVE && p->stream_id == *(const int64 *) key;
}

int
TopicLookupByName(const char *name, size_t len)
{
	NameKey		k = {name, len};
	int			b = probe(TopicIndex, hash_bytes(name, len), match_topic_name, &k, NULL);

	return b < 0 ? -1 : TopicIndex[b];
}

int
TopicLookupById(const uint8 id[16])
{
	for (int i = 0; i < Registry->ntopics; i++)
		if (Topics[i].state == TOPIC_LIVE && memcmp(Topics[i].id, id, 16) == 0)
			return i;
	return -1;
}

int
PartitionLookup(int topic, int32 partition)
{
	PartKey		k = {topic, partition};
	uint32		h = hash_u64(((uint64) (uint32) topic << 32) | (uint32) partition);
	int			b = probe(PartIndex, h, match_part, &k, NULL);

	return b < 0 ? -1 : PartIndex[b];
}

int
PartitionLookupByStream(int64 stream_id)
{
	int			b = probe(StreamIndex, hash_u64((uint64) stream_id), match_stream, &stream_id, NULL);

	return b < 0 ? -1 : StreamIndex[b];
}

void
TopicConfigDefaults(TopicConfig *config)
{
	config->retention_ms = INT64_C(7) * 24 * 3600 * 1000;
	config->retention_bytes = -1;
	config->max_message_bytes = 1048588;
	config->segment_bytes = INT64_C(1073741824);
	config->log_append_time = false;
	config->timestamp_before_max_ms = INT64_MAX;
	config->timestamp_after_max_ms = INT64_MAX;
	config->timestamp_difference_max_ms = INT64_MAX;
	config->stored_overrides = 0;
}

int
TopicInstall(const char *name, size_t len, const uint8 id[16],
			 const TopicConfig *config, int32 num_partitions)
{
	NameKey		k = {name, len};
	uint32		h = hash_bytes(name, len);
	int			insert_at;
	int			b = probe(TopicIndex, h, match_topic_name, &k, &insert_at);
	int			idx;

	if (len > TOPIC_NAME_MAX)
		return -1;
	if (b >= 0)
		idx = TopicIndex[b];
	else
	{
		idx = -1;
		for (int i = 0; i < Registry->ntopics; i++)
			if (Topics[i].state == TOPIC_FREE)
			{
				idx = i;
				break;
			}
		if (idx < 0 || insert_at < 0)
			return -1;
		memset(&Topics[idx], 0, sizeof(StrataTopic));
		memcpy(Topics[idx].name, name, len);
		Topics[idx].name_len = (int32) len;
		TopicIndex[insert_at] = idx;
		Topics[idx].state = TOPIC_LIVE;
	}
	memcpy(Topics[idx].id, id, 16);
	Topics[idx].config = *config;
	Topics[idx].num_partitions = num_partitions;
	return idx;
}

int
PartitionInstall(int topic, int32 partition, int64 stream_id, int64 stream_epoch,
				 int32 leader_id, int32 leader_epoch,
				 int64 log_start_offset, int64 next_offset)
{
	PartKey		k = {topic, partition};
	uint32		h = hash_u64(((uint64) (uint32) topic << 32) | (uint32) partition);
	int			insert_at;
	int			b = probe(PartIndex, h, match_part, &k, &insert_at);
	StrataPartition *p;
	int			idx;

	if (b >= 0)
	{
		idx = PartIndex[b];
		p = PartitionGet(idx);
	}
	else
	{
		int			sb;

		idx = -1;
		for (int i = 0; i < Registry->nparts; i++)
			if (PartitionGet(i)->state == TOPIC_FREE)
			{
				idx = i;
				break;
			}
		if (idx < 0 || insert_at < 0)
			return -1;
		p = PartitionGet(idx);
		memset(p, 0, Registry->part_size);
		p->topic = topic;
		p->partition = partition;
		p->stream_id = stream_id;
		SMutexInit(&p->append_lock);
		p->next_offset = next_offset;
		p->log_start_offset = log_start_offset;
		p->max_timestamp = -1;
		p->max_timestamp_offset = -1;
		p->target_broker = -1;
		PartIndex[insert_at] = idx;
		p->state = TOPIC_LIVE;
		probe(StreamIndex, hash_u64((uint64) stream_id), match_stream, &stream_id, &sb);
		if (sb >= 0)
			StreamIndex[sb] = idx;
	}
	p->stream_epoch = stream_epoch;
	p->leader_id = leader_id;
	p->leader_epoch = leader_epoch;
	if (log_start_offset > __atomic_load_n(&p->log_start_offset, __ATOMIC_ACQUIRE))
		__atomic_store_n(&p->log_start_offset, log_start_offset, __ATOMIC_RELEASE);
	return idx;
}

void
PartitionOpened(int idx, int64 stream_epoch, int32 leader_epoch,
				int64 log_start_offset, int64 next_offset)
{
	StrataPartition *p = PartitionGet(idx);

	SMutexLock(&p->append_lock);
	p->stream_epoch = stream_epoch;
	p->leader_id = (int32) broker_id;
	p->leader_epoch = leader_epoch;
	p->next_offset = next_offset;
	p->max_timestamp = -1;
	p->max_timestamp_offset = -1;
	p->target_broker = -1;
	p->handoff_lsn = 0;
	__atomic_store_n(&p->log_start_offset, log_start_offset, __ATOMIC_RELEASE);
	__atomic_store_n(&p->handoff, 0, __ATOMIC_RELEASE);
	SMutexUnlock(&p->append_lock);
}

void
PartitionSetHandoff(int idx, int32 target)
{
	StrataPartition *p = PartitionGet(idx);

	SMutexLock(&p->append_lock);
	p->target_broker = target;
	if (target >= 0)
	{
		/* Every append so far holds the lock while it reserves WAL space. */
		p->handoff_lsn = WalInsertLsn();
		__atomic_store_n(&p->handoff, 1, __ATOMIC_RELEASE);
	}
	else
		__atomic_store_n(&p->handoff, 0, __ATOMIC_RELEASE);
	SMutexUnlock(&p->append_lock);
}

int
PartitionCollectHandoffs(PartitionHandoff *out, int max)
{
	int			n = 0;

	RegistryLock();
	for (int i = 0; i < Registry->nparts && n < max; i++)
	{
		StrataPartition *p = PartitionGet(i);

		if (p->state != TOPIC_LIVE || !__atomic_load_n(&p->handoff, __ATOMIC_ACQUIRE) ||
			!PartitionServedHere(p))
			continue;
		SMutexLock(&p->append_lock);
		out[n].idx = i;
		out[n].stream_id = (uint64) p->stream_id;
		out[n].stream_epoch = p->stream_epoch;
		out[n].target = p->target_broker;
		out[n].next_offset = p->next_offset;
		out[n].handoff_lsn = p->handoff_lsn;
		SMutexUnlock(&p->append_lock);
		if (out[n].target >= 0)
			n++;
	}
	RegistryUnlock();
	return n;
}

int
PartitionCountLed(void)
{
	int			n = 0;

	RegistryLock();
	for (int i = 0; i < Registry->nparts; i++)
		if (PartitionGet(i)->state == TOPIC_LIVE && PartitionGet(i)->leader_id == (int32) broker_id)
			n++;
	RegistryUnlock();
	return n;
}

void
PartitionHandedOff(int idx, int32 target, int32 leader_epoch)
{
	StrataPartition *p;

	RegistryLock();
	p = PartitionGet(idx);
	SMutexLock(&p->append_lock);
	p->leader_id = target;
	p->leader_epoch = leader_epoch;
	p->stream_epoch = 0;
	p->target_broker = -1;
	__atomic_store_n(&p->handoff, 0, __ATOMIC_RELEASE);
	SMutexUnlock(&p->append_lock);
	RegistryUnlock();
}

static void
index_remove(int32 *index, int32 entry)
{
	for (int i = 0; i < Registry->nbuckets; i++)
		if (index[i] == entry)
			index[i] = BUCKET_DELETED;
}

void
TopicRemove(int topic)
{
	for (int i = 0; i < Registry->nparts; i++)
	{
		StrataPartition *p = PartitionGet(i);

		if (p->state == TOPIC_LIVE && p->topic == topic)
		{
			index_remove(PartIndex, i);
			index_remove(StreamIndex, i);
			p->state = TOPIC_FREE;
		}
	}
	index_remove(TopicIndex, topic);
	Topics[topic].state = TOPIC_FREE;
}

int64
PartitionAdvanceLogStart(StrataPartition *part, int64 start)
{
	int64		cur = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);
	int64		before = cur;

	while (cur < start &&
		   !__atomic_compare_exchange_n(&part->log_start_offset, &cur, start, false,
										__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	return before;
}

void
RegistrySetLoaded(void)
{
	__atomic_store_n(&Registry->loaded, 1, __ATOMIC_SEQ_CST);
}

bool
RegistryIsLoaded(void)
{
	return __atomic_load_n(&Registry->loaded, __ATOMIC_SEQ_CST) != 0;
}

void
TopicCountIn(int topic, uint64 bytes, uint64 records)
{
	if (topic < 0 || topic >= Registry->ntopics)
		return;
	__atomic_fetch_add(&Topics[topic].bytes_in, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&Topics[topic].records_in, records, __ATOMIC_RELAXED);
}

void
TopicCountOut(int topic, uint64 bytes, uint64 records)
{
	if (topic < 0 || topic >= Registry->ntopics)
		return;
	__atomic_fetch_add(&Topics[topic].bytes_out, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&Topics[topic].records_out, records, __ATOMIC_RELAXED);
}

void
TopicTrafficTotals(uint64 *bytes_in, uint64 *bytes_out)
{
	*bytes_in = 0;
	*bytes_out = 0;
	RegistryLock();
	for (int t = 0; t < Registry->ntopics; t++)
		if (Topics[t].state == TOPIC_LIVE)
		{
			*bytes_in += __atomic_load_n(&Topics[t].bytes_in, __ATOMIC_RELAXED);
			*bytes_out += __atomic_load_n(&Topics[t].bytes_out, __ATOMIC_RELAXED);
		}
	RegistryUnlock();
}

void
PartitionCountIn(StrataPartition *part, uint64 bytes)
{
	__atomic_fetch_add(&part->bytes_in, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&part->batches_in, 1, __ATOMIC_RELAXED);
}

void
PartitionCountOut(int idx, int64 stream_id, uint64 bytes)
{
	StrataPartition *p;

	if (idx < 0 || idx >= Registry->nparts)
		return;
	p = PartitionGet(idx);
	/* An entry freed and reused since the read counts nothing. */
	if (__atomic_load_n(&p->stream_id, __ATOMIC_RELAXED) != stream_id)
		return;
	__atomic_fetch_add(&p->bytes_out, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->reads_out, 1, __ATOMIC_RELAXED);
}

int
PartitionTrafficCollect(PartitionTraffic **out)
{
	int			cap = 0,
				n = 0;
	PartitionTraffic *t;

	/* Count, allocate outside the lock, then copy what still fits. */
	RegistryLock();
	for (int i = 0; i < Registry->nparts; i++)
		if (PartitionGet(i)->state == TOPIC_LIVE)
			cap++;
	RegistryUnlock();
	cap += 16;
	t = palloc(sizeof(PartitionTraffic) * (size_t) cap);
	RegistryLock();
	for (int i = 0; i < Registry->nparts && n < cap; i++)
	{
		StrataPartition *p = PartitionGet(i);

		if (p->state != TOPIC_LIVE || !PartitionServedHere(p))
			continue;
		t[n].idx = i;
		memcpy(t[n].topic_id, Topics[p->topic].id, 16);
		t[n].partition = p->partition;
		t[n].stream_id = p->stream_id;
		t[n].stream_epoch = p->stream_epoch;
		t[n].bytes_in = __atomic_load_n(&p->bytes_in, __ATOMIC_RELAXED);
		t[n].batches_in = __atomic_load_n(&p->batches_in, __ATOMIC_RELAXED);
		t[n].bytes_out = __atomic_load_n(&p->bytes_out, __ATOMIC_RELAXED);
		t[n].reads_out = __atomic_load_n(&p->reads_out, __ATOMIC_RELAXED);
		n++;
	}
	RegistryUnlock();
	*out = t;
	return n;
}

int
TopicMetricsCollect(MetricTopicSample **samples, int *npartitions)
{
	int			n = 0,
				np = 0;
	MetricTopicSample *out;

	int			cap = 0;

	/* Count, allocate outside the lock, then copy what still fits. */
	RegistryLock();
	for (int i = 0; i < Registry->ntopics; i++)
		if (Topics[i].state == TOPIC_LIVE)
			cap++;
	RegistryUnlock();
	cap += 16;
	out = palloc(sizeof(MetricTopicSample) * (size_t) cap);
	RegistryLock();
	for (int i = 0; i < Registry->ntopics && n < cap; i++)
	{
		StrataTopic *t = &Topics[i];

		if (t->state != TOPIC_LIVE)
			continue;
		strlcpy_s(out[n].name, t->name, sizeof(out[n].name));
		out[n].bytes_in = __atomic_load_n(&t->bytes_in, __ATOMIC_RELAXED);
		out[n].records_in = __atomic_load_n(&t->records_in, __ATOMIC_RELAXED);
		out[n].bytes_out = __atomic_load_n(&t->bytes_out, __ATOMIC_RELAXED);
		out[n].records_out = __atomic_load_n(&t->records_out, __ATOMIC_RELAXED);
		n++;
	}
	for (int i = 0; i < Registry->nparts; i++)
		if (PartitionGet(i)->state == TOPIC_LIVE)
			np++;
	RegistryUnlock();
	*samples = out;
	*npartitions = np;
	return n;
}
