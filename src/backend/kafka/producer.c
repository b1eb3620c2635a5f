/*-------------------------------------------------------------------------
 *
 * producer.c
 *	  Idempotent producers' state: the shared-memory table of (stream,
 *	  producer id) entries, Kafka's duplicate/sequence/epoch rules, the
 *	  snapshot format, saving snapshots to the catalog and rebuilding the
 *	  state at start (see kafka/producer.h).
 *
 *	  The rules are those of Kafka 3.x brokers for batches from clients
 *	  (facts from Kafka's ProducerStateManager/ProducerAppendInfo docs):
 *
 *	  - A batch with the producer's current epoch whose first and last
 *	    sequence equal those of one of the last five batches is a
 *	    duplicate: answered with NONE and the original offsets, not
 *	    appended.
 *	  - An epoch below the producer's current one: INVALID_PRODUCER_EPOCH
 *	    (Kafka 2.7+ answers this, not PRODUCER_FENCED, to every Produce
 *	    version; PRODUCER_FENCED belongs to the transaction coordinator).
 *	  - A new (higher) epoch must start at sequence 0, else
 *	    OUT_OF_ORDER_SEQUENCE_NUMBER; the state is reset to the new epoch.
 *	  - The same epoch must continue at last sequence + 1 (0 after
 *	    INT32_MAX), else OUT_OF_ORDER_SEQUENCE_NUMBER.
 *	  - An unknown producer (never seen, evicted, or whose state was
 *	    removed) is accepted whatever its sequence: Kafka stopped answering
 *	    UNKNOWN_PRODUCER_ID for this with KIP-360 (2.5), because clients
 *	    cannot recover from it well.
 *
 *	  Table layout: a fixed array of entries with chained hash buckets
 *	  (int32 links) and a doubly linked LRU list; free entries are chained
 *	  through hash_next.  Everything is protected by one SMutex, held for a
 *	  hash lookup and a few comparisons at a time.
 *
 * src/backend/kafka/producer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>

#include "catalog/catalog_objects.h"
#include "catalog/catalog_producers.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/protocol.h"
#include "storage/logcache.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "storage/wal.h"
#include "utils/crc32c.h"
#include "utils/elog.h"
#include "utils/guc.h"

#define LSN_PENDING		UINT64_MAX	/* recorded, WAL append not done yet */
#define NIL				(-1)

typedef struct ProducerBatchState
{
	int32		first_seq;
	int32		last_seq;
	int64		first_offset;
	int64		last_offset;
	int64		timestamp;
	uint64		end_lsn;		/* 0: durable (recovered); LSN_PENDING */
} ProducerBatchState;

typedef struct ProducerEntry
{
	uint64		stream_id;
	int64		producer_id;	/* -1: free */
	int16		epoch;
	uint8		nbatches;
	uint8		oldest;			/* ring index of the oldest batch */
	int32		hash_next;		/* bucket chain, or free list */
	int32		lru_prev;		/* towards the most recently used */
	int32		lru_next;		/* towards the least recently used */
	ProducerBatchState batches[PRODUCER_BATCHES];
} ProducerEntry;

typedef struct ProducerStateHeader
{
	SMutex		lock;
	int32		capacity;
	int32		nbuckets;		/* a power of two */
	int32		free_head;
	int32		lru_head;		/* most recently used */
	int32		lru_tail;		/* least recently used: evicted first */
	int32		nused;
	uint32		recovered;		/* ProducerStateRecover has run */
	uint64		evictions;
	uint64		duplicates;
	uint64		recovered_batches;
	uint64		recovered_snapshots;
} ProducerStateHeader;

static ProducerStateHeader *PS = NULL;
static ProducerEntry *Entries;
static int32 *Buckets;

static int32
bucket_count(void)
{
	int32		n = 16;

	while (n < max_producer_states * 2 && n < (1 << 30))
		n <<= 1;
	return n;
}

size_t
ProducerStateShmemSize(void)
{
	size_t		size = MAXALIGN(sizeof(ProducerStateHeader));

	size = add_size(size, mul_size(sizeof(ProducerEntry), (size_t) max_producer_states));
	size = add_size(size, mul_size(sizeof(int32), (size_t) bucket_count()));
	return size;
}

void
ProducerStateShmemInit(void)
{
	bool		found;
	char	   *p;

	/*
	 * An upload's commit saves the producer state of its streams in its
	 * transaction, since the WAL it was rebuilt from is trimmed then.
	 * Registered here, in the postmaster before it forks, so the uploader
	 * inherits it.
	 */
	CatalogSetCommitHook(ProducerStateSaveSnapshots);

	p = ShmemInitStruct("Producer State", ProducerStateShmemSize(), &found);
	PS = (ProducerStateHeader *) p;
	p += MAXALIGN(sizeof(ProducerStateHeader));
	Entries = (ProducerEntry *) p;
	p += sizeof(ProducerEntry) * (size_t) max_producer_states;
	Buckets = (int32 *) p;
	if (found)
		return;

	memset(PS, 0, sizeof(ProducerStateHeader));
	SMutexInit(&PS->lock);
	PS->capacity = (int32) max_producer_states;
	PS->nbuckets = bucket_count();
	PS->lru_head = PS->lru_tail = NIL;
	for (int32 i = 0; i < PS->nbuckets; i++)
		Buckets[i] = NIL;
	for (int32 i = 0; i < PS->capacity; i++)
	{
		Entries[i].producer_id = -1;
		Entries[i].hash_next = i + 1 < PS->capacity ? i + 1 : NIL;
		Entries[i].lru_prev = Entries[i].lru_next = NIL;
	}
	PS->free_head = PS->capacity > 0 ? 0 : NIL;
}

/* ---------- sequences ---------- */

int32
ProducerLastSequence(int32 base_sequence, int32 last_offset_delta)
{
	if (base_sequence > INT32_MAX - last_offset_delta)
		return (int32) ((int64) last_offset_delta - ((int64) INT32_MAX - base_sequence) - 1);
	return base_sequence + last_offset_delta;
}

static bool
in_sequence(int32 last_seq, int32 next_seq)
{
	return (int64) next_seq == (int64) last_seq + 1 ||
		(next_seq == 0 && last_seq == INT32_MAX);
}

/* ---------- the table (caller holds PS->lock) ---------- */

static uint32
entry_hash(uint64 stream_id, int64 producer_id)
{
	uint64		v = stream_id * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64) producer_id;

	v ^= v >> 33;
	v *= UINT64_C(0xff51afd7ed558ccd);
	v ^= v >> 33;
	return (uint32) v;
}

static int32
lookup(uint64 stream_id, int64 producer_id)
{
	int32		i = Buckets[entry_hash(stream_id, producer_id) & (uint32) (PS->nbuckets - 1)];

	while (i != NIL)
	{
		if (Entries[i].stream_id == stream_id && Entries[i].producer_id == producer_id)
			return i;
		i = Entries[i].hash_next;
	}
	return NIL;
}

static void
lru_unlink(int32 i)
{
	ProducerEntry *e = &Entries[i];

	if (e->lru_prev != NIL)
		Entries[e->lru_prev].lru_next = e->lru_next;
	else
		PS->lru_head = e->lru_next;
	if (e->lru_next != NIL)
		Entries[e->lru_next].lru_prev = e->lru_prev;
	else
		PS->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NIL;
}

static void
lru_push_head(int32 i)
{
	ProducerEntry *e = &Entries[i];

	e->lru_prev = NIL;
	e->lru_next = PS->lru_head;
	if (PS->lru_head != NIL)
		Entries[PS->lru_head].lru_prev = i;
	PS->lru_head = i;
	if (PS->lru_tail == NIL)
		PS->lru_tail = i;
}

static void
touch(int32 i)
{
	if (PS->lru_head != i)
	{
		lru_unlink(i);
		lru_push_head(i);
	}
}

static void
hash_remove(int32 i)
{
	int32	   *link = &Buckets[entry_hash(Entries[i].stream_id, Entries[i].producer_id) &
							(uint32) (PS->nbuckets - 1)];

	while (*link != NIL && *link != i)
		link = &Entries[*link].hash_next;
	if (*link == i)
		*link = Entries[i].hash_next;
}

/*
 * A new entry for (stream, producer), most recently used, with no batches;
 * evicts the least recently used entry when the table is full.  NIL only
 * if the table has no entries at all.
 */
static int32
entry_new(uint64 stream_id, int64 producer_id, int16 epoch)
{
	int32		i = PS->free_head;
	uint32		b;

	if (i != NIL)
	{
		PS->free_head = Entries[i].hash_next;
		PS->nused++;
	}
	else
	{
		i = PS->lru_tail;
		if (i == NIL)
			return NIL;
		hash_remove(i);
		lru_unlink(i);
		PS->evictions++;
	}
	memset(&Entries[i], 0, sizeof(ProducerEntry));
	Entries[i].stream_id = stream_id;
	Entries[i].producer_id = producer_id;
	Entries[i].epoch = epoch;
	b = entry_hash(stream_id, producer_id) & (uint32) (PS->nbuckets - 1);
	Entries[i].hash_next = Buckets[b];
	Buckets[b] = i;
	lru_push_head(i);
	return i;
}

static ProducerBatchState *
batch_at(ProducerEntry *e, int k)
{
	return &e->batches[(e->oldest + k) % PRODUCER_BATCHES];
}

static ProducerBatchState *
newest_batch(ProducerEntry *e)
{
	return e->nbatches > 0 ? batch_at(e, e->nbatches - 1) : NULL;
}

/* Remember a batch; a new epoch forgets the batches of the old one. */
static void
entry_add_batch(ProducerEntry *e, int16 epoch, int32 first_seq, int32 last_seq,
				int64 first_offset, int64 last_offset, int64 timestamp, uint64 end_lsn)
{
	ProducerBatchState *b;

	if (e->epoch != epoch)
	{
		e->epoch = epoch;
		e->nbatches = 0;
		e->oldest = 0;
	}
	if (e->nbatches == PRODUCER_BATCHES)
	{
		e->oldest = (uint8) ((e->oldest + 1) % PRODUCER_BATCHES);
		e->nbatches--;
	}
	b = batch_at(e, e->nbatches);
	e->nbatches++;
	b->first_seq = first_seq;
	b->last_seq = last_seq;
	b->first_offset = first_offset;
	b->last_offset = last_offset;
	b->timestamp = timestamp;
	b->end_lsn = end_lsn;
}

/* ---------- produce ---------- */

ProducerCheckResult
ProducerStateCheck(uint64 stream_id, const RecordBatchInfo *info,
				   int64 first_offset, int64 timestamp,
				   ProducerDuplicate *dup, int16 *error, char *errmsg, size_t errlen)
{
	int64		pid = info->producer_id;
	int16		epoch = info->producer_epoch;
	int32		first_seq = info->base_sequence;
	int32		last_seq;
	int32		i;
	ProducerEntry *e = NULL;

	if (pid < 0)
		return PRODUCER_APPEND;
	if (first_seq < 0 || epoch < 0)
	{
		*error = KAFKA_ERR_INVALID_RECORD;
		snprintf(errmsg, errlen, "A batch of producer %lld has %s %d; an idempotent batch needs both >= 0",
				 (long long) pid, first_seq < 0 ? "base sequence" : "producer epoch",
				 first_seq < 0 ? first_seq : epoch);
		return PRODUCER_ERROR;
	}
	last_seq = ProducerLastSequence(first_seq, info->last_offset_delta);

	SMutexLock(&PS->lock);
	i = lookup(stream_id, pid);
	if (i != NIL)
	{
		e = &Entries[i];
		touch(i);
		if (e->epoch == epoch)
		{
			for (int k = 0; k < e->nbatches; k++)
			{
				ProducerBatchState *b = batch_at(e, k);

				if (b->first_seq == first_seq && b->last_seq == last_seq)
				{
					dup->first_offset = b->first_offset;
					dup->last_offset = b->last_offset;
					dup->timestamp = b->timestamp;
					dup->pending = b->end_lsn == LSN_PENDING;
					dup->end_lsn = dup->pending ? 0 : b->end_lsn;
					PS->duplicates++;
					SMutexUnlock(&PS->lock);
					elog(DEBUG1, "duplicate batch of producer %lld epoch %d seq %d-%d in stream %llu: answered with its offset %lld",
						 (long long) pid, epoch, first_seq, last_seq,
						 (unsigned long long) stream_id, (long long) dup->first_offset);
					return PRODUCER_DUPLICATE;
				}
			}
		}
		if (epoch < e->epoch)
		{
			*error = KAFKA_ERR_INVALID_PRODUCER_EPOCH;
			snprintf(errmsg, errlen, "Epoch of producer %lld is %d, which is smaller than the last seen epoch %d",
					 (long long) pid, epoch, e->epoch);
			SMutexUnlock(&PS->lock);
			return PRODUCER_ERROR;
		}
		if (epoch != e->epoch)
		{
			if (first_seq != 0)
			{
				*error = KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
				snprintf(errmsg, errlen, "Invalid sequence number for new epoch %d of producer %lld: %d (a new epoch starts at 0)",
						 epoch, (long long) pid, first_seq);
				SMutexUnlock(&PS->lock);
				return PRODUCER_ERROR;
			}
		}
		else
		{
			ProducerBatchState *last = newest_batch(e);
			int32		cur = last ? last->last_seq : -1;

			if (!in_sequence(cur, first_seq))
			{
				*error = KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
				snprintf(errmsg, errlen, "Out of order sequence number for producer %lld: %d (incoming seq. number), %d (current end sequence number)",
						 (long long) pid, first_seq, cur);
				SMutexUnlock(&PS->lock);
				return PRODUCER_ERROR;
			}
		}
	}
	else
	{
		/* Unknown producer: any sequence is accepted (see the file header). */
		i = entry_new(stream_id, pid, epoch);
		if (i == NIL)
		{
			SMutexUnlock(&PS->lock);
			return PRODUCER_APPEND;
		}
		e = &Entries[i];
	}
	entry_add_batch(e, epoch, first_seq, last_seq, first_offset,
					first_offset + info->last_offset_delta, timestamp, LSN_PENDING);
	SMutexUnlock(&PS->lock);
	return PRODUCER_APPEND;
}

void
ProducerStateSetLsn(uint64 stream_id, int64 producer_id, int64 first_offset, uint64 end_lsn)
{
	int32		i;

	if (producer_id < 0)
		return;
	SMutexLock(&PS->lock);
	i = lookup(stream_id, producer_id);
	if (i != NIL)
	{
		ProducerEntry *e = &Entries[i];

		for (int k = 0; k < e->nbatches; k++)
			if (batch_at(e, k)->first_offset == first_offset)
				batch_at(e, k)->end_lsn = end_lsn;
	}
	SMutexUnlock(&PS->lock);
}

/* ---------- snapshot format ---------- */

#define SNAP_MAGIC			"SPS1"
#define SNAP_VERSION		1
#define SNAP_HEADER_SIZE	10	/* magic 4, version 2, count 4 */
#define SNAP_ENTRY_SIZE		11	/* pid 8, epoch 2, nbatches 1 */
#define SNAP_BATCH_SIZE		32
#define SNAP_CRC_SIZE		4

static uint8 *
put16(uint8 *p, uint16 v)
{
	p[0] = (uint8) (v >> 8);
	p[1] = (uint8) v;
	return p + 2;
}

static uint8 *
put32(uint8 *p, uint32 v)
{
	p = put16(p, (uint16) (v >> 16));
	return put16(p, (uint16) v);
}

static uint8 *
put64(uint8 *p, uint64 v)
{
	p = put32(p, (uint32) (v >> 32));
	return put32(p, (uint32) v);
}

static uint16
get16(const uint8 *p)
{
	return (uint16) ((p[0] << 8) | p[1]);
}

static uint32
get32(const uint8 *p)
{
	return ((uint32) get16(p) << 16) | get16(p + 2);
}

static uint64
get64(const uint8 *p)
{
	return ((uint64) get32(p) << 32) | get32(p + 4);
}

void
ProducerSnapshotFill(CatalogProducerSnapshot *snap, uint64 stream_id, int64 end_offset,
					 const ProducerSnapshotEntry *entries, int n)
{
	snap->stream_id = stream_id;
	snap->end_offset = end_offset;
	snap->nproducers = n;
	snap->len = ProducerSnapshotEncode(entries, n, NULL, 0);
	snap->data = palloc(snap->len);
	(void) ProducerSnapshotEncode(entries, n, snap->data, snap->len);
}

void
ProducerSnapshotsFreeFilled(CatalogProducerSnapshot *snaps, int n)
{
	for (int i = 0; i < n; i++)
		pfree(snaps[i].data);
	pfree(snaps);
}

size_t
ProducerSnapshotEncode(const ProducerSnapshotEntry *entries, int n, uint8 *buf, size_t buflen)
{
	size_t		need = SNAP_HEADER_SIZE + SNAP_CRC_SIZE;
	uint8	   *p;

	for (int i = 0; i < n; i++)
		need += SNAP_ENTRY_SIZE + (size_t) Min(Max(entries[i].nbatches, 0), PRODUCER_BATCHES) * SNAP_BATCH_SIZE;
	if (buf == NULL || buflen < need)
		return need;
	p = buf;
	memcpy(p, SNAP_MAGIC, 4);
	p += 4;
	p = put16(p, SNAP_VERSION);
	p = put32(p, (uint32) n);
	for (int i = 0; i < n; i++)
	{
		const ProducerSnapshotEntry *e = &entries[i];
		int			nb = Min(Max(e->nbatches, 0), PRODUCER_BATCHES);

		p = put64(p, (uint64) e->producer_id);
		p = put16(p, (uint16) e->epoch);
		*p++ = (uint8) nb;
		for (int k = 0; k < nb; k++)
		{
			p = put32(p, (uint32) e->batches[k].first_seq);
			p = put32(p, (uint32) e->batches[k].last_seq);
			p = put64(p, (uint64) e->batches[k].first_offset);
			p = put64(p, (uint64) e->batches[k].last_offset);
			p = put64(p, (uint64) e->batches[k].timestamp);
		}
	}
	p = put32(p, crc32c(0, buf, (size_t) (p - buf)));
	Assert((size_t) (p - buf) == need);
	return need;
}

bool
ProducerSnapshotDecode(const uint8 *buf, size_t len, ProducerSnapshotEntry *entries,
					   int max, int *n, char *err, size_t errlen)
{
	const uint8 *p = buf;
	const uint8 *end;
	uint32		count;

	*n = 0;
	if (buf == NULL || len < SNAP_HEADER_SIZE + SNAP_CRC_SIZE)
	{
		snprintf(err, errlen, "producer snapshot too short (%zu bytes)", len);
		return false;
	}
	if (memcmp(p, SNAP_MAGIC, 4) != 0)
	{
		snprintf(err, errlen, "not a producer snapshot (bad magic)");
		return false;
	}
	if (get16(p + 4) != SNAP_VERSION)
	{
		snprintf(err, errlen, "producer snapshot version %u is not supported (this binary reads version %d)",
				 get16(p + 4), SNAP_VERSION);
		return false;
	}
	end = buf + len - SNAP_CRC_SIZE;
	if (crc32c(0, buf, len - SNAP_CRC_SIZE) != get32(end))
	{
		snprintf(err, errlen, "producer snapshot checksum mismatch");
		return false;
	}
	count = get32(p + 6);
	p += SNAP_HEADER_SIZE;
	/* every entry takes at least SNAP_ENTRY_SIZE bytes: bound before use */
	if (count > (uint32) ((size_t) (end - p) / SNAP_ENTRY_SIZE))
	{
		snprintf(err, errlen, "producer snapshot claims %u entries but has room for %zu",
				 count, (size_t) (end - p) / SNAP_ENTRY_SIZE);
		return false;
	}
	if (count > (uint32) Max(max, 0))
	{
		snprintf(err, errlen, "producer snapshot has %u entries, more than %d", count, max);
		return false;
	}
	for (uint32 i = 0; i < count; i++)
	{
		ProducerSnapshotEntry *e = &entries[i];
		int			nb;

		if ((size_t) (end - p) < SNAP_ENTRY_SIZE)
			goto truncated;
		e->producer_id = (int64) get64(p);
		e->epoch = (int16) get16(p + 8);
		nb = p[10];
		p += SNAP_ENTRY_SIZE;
		if (e->producer_id < 0 || e->epoch < 0)
		{
			snprintf(err, errlen, "producer snapshot entry %u has producer id %lld epoch %d",
					 i, (long long) e->producer_id, e->epoch);
			return false;
		}
		if (nb > PRODUCER_BATCHES)
		{
			snprintf(err, errlen, "producer snapshot entry %u has %d batches (at most %d)",
					 i, nb, PRODUCER_BATCHES);
			return false;
		}
		if ((size_t) (end - p) < (size_t) nb * SNAP_BATCH_SIZE)
			goto truncated;
		e->nbatches = nb;
		for (int k = 0; k < nb; k++)
		{
			ProducerBatchMeta *b = &e->batches[k];

			b->first_seq = (int32) get32(p);
			b->last_seq = (int32) get32(p + 4);
			b->first_offset = (int64) get64(p + 8);
			b->last_offset = (int64) get64(p + 16);
			b->timestamp = (int64) get64(p + 24);
			p += SNAP_BATCH_SIZE;
			if (b->first_seq < 0 || b->last_seq < 0 || b->first_offset < 0 ||
				b->last_offset < b->first_offset ||
				(k > 0 && b->first_offset <= e->batches[k - 1].last_offset))
			{
				snprintf(err, errlen, "producer snapshot entry %u batch %d is inconsistent (seq %d-%d, offsets %lld-%lld)",
						 i, k, b->first_seq, b->last_seq,
						 (long long) b->first_offset, (long long) b->last_offset);
				return false;
			}
		}
	}
	if (p != end)
	{
		snprintf(err, errlen, "producer snapshot has %zu trailing bytes", (size_t) (end - p));
		return false;
	}
	*n = (int) count;
	return true;

truncated:
	snprintf(err, errlen, "producer snapshot is truncated");
	return false;
}

/* ---------- recovery ---------- */

bool
ProducerStateIsRecovered(void)
{
	return PS != NULL && __atomic_load_n(&PS->recovered, __ATOMIC_ACQUIRE) != 0;
}

typedef struct StreamEnd
{
	uint64		stream_id;
	int64		end_offset;
} StreamEnd;

static int
cmp_stream_end(const void *a, const void *b)
{
	uint64		x = ((const StreamEnd *) a)->stream_id;
	uint64		y = ((const StreamEnd *) b)->stream_id;

	return (x > y) - (x < y);
}

/* Install one snapshot entry (caller holds PS->lock). */
static void
install_entry(uint64 stream_id, const ProducerSnapshotEntry *s)
{
	int32		i = lookup(stream_id, s->producer_id);
	ProducerEntry *e;

	if (i == NIL)
		i = entry_new(stream_id, s->producer_id, s->epoch);
	else
		touch(i);
	if (i == NIL)
		return;
	e = &Entries[i];
	e->epoch = s->epoch;
	e->nbatches = 0;
	e->oldest = 0;
	for (int k = 0; k < s->nbatches; k++)
		entry_add_batch(e, s->epoch, s->batches[k].first_seq, s->batches[k].last_seq,
						s->batches[k].first_offset, s->batches[k].last_offset,
						s->batches[k].timestamp, 0);
}

/* What replaying a batch needs of its RecordBatch header. */
typedef struct BatchIds
{
	int64		pid;
	int16		epoch;
	int32		first_seq;
	int32		delta;
	int64		max_ts;
} BatchIds;

/* Read them; false for a batch that carries no producer state (none, or a control batch). */
static bool
batch_ids(const uint8 *hdr, BatchIds *b)
{
	int16		attributes = (int16) get16(hdr + RB_ATTRIBUTES_OFF);

	b->pid = (int64) get64(hdr + RB_PRODUCER_ID_OFF);
	b->epoch = (int16) get16(hdr + RB_PRODUCER_EPOCH_OFF);
	b->first_seq = (int32) get32(hdr + RB_BASE_SEQUENCE_OFF);
	b->delta = (int32) get32(hdr + RB_LAST_OFFSET_DELTA_OFF);
	b->max_ts = (int64) get64(hdr + RB_MAX_TIMESTAMP_OFF);
	return b->pid >= 0 && b->epoch >= 0 && b->first_seq >= 0 && b->delta >= 0 &&
		!(attributes & RB_ATTR_CONTROL);
}

/* Replay one batch found in the WAL (caller holds PS->lock). */
static void
replay_batch(uint64 stream_id, const uint8 *hdr, int64 base_offset)
{
	BatchIds	b;
	int64		pid;
	int16		epoch;
	int32		i;
	ProducerEntry *e;

	if (!batch_ids(hdr, &b))
		return;
	pid = b.pid;
	epoch = b.epoch;
	i = lookup(stream_id, pid);
	if (i == NIL)
		i = entry_new(stream_id, pid, epoch);
	else
		touch(i);
	if (i == NIL)
		return;
	e = &Entries[i];
	if (epoch < e->epoch)
		return;					/* a fenced producer's batch: keep the newer epoch */
	entry_add_batch(e, epoch, b.first_seq, ProducerLastSequence(b.first_seq, b.delta),
					base_offset, base_offset + b.delta, b.max_ts, 0);
	PS->recovered_batches++;
}

void
ProducerSnapshotApplyBatch(ProducerSnapshotEntry *entries, int *n, int max,
						   const uint8 *hdr, int64 base_offset)
{
	BatchIds	b;
	int64		pid;
	int16		epoch;
	ProducerSnapshotEntry e;
	int			i;

	if (!batch_ids(hdr, &b) || max <= 0)
		return;
	pid = b.pid;
	epoch = b.epoch;
	for (i = *n - 1; i >= 0; i--)
		if (entries[i].producer_id == pid)
			break;
	if (i >= 0)
	{
		/* The most recently used entry goes last. */
		e = entries[i];
		memmove(&entries[i], &entries[i + 1], sizeof(ProducerSnapshotEntry) * (size_t) (*n - i - 1));
		(*n)--;
		if (epoch < e.epoch)
		{
			entries[(*n)++] = e;	/* a fenced producer's batch: keep the newer epoch */
			return;
		}
	}
	else
	{
		memset(&e, 0, sizeof(e));
		e.producer_id = pid;
		e.epoch = epoch;
		if (*n == max)
		{
			/* Full: the least recently used entry goes, as in shared memory. */
			memmove(&entries[0], &entries[1], sizeof(ProducerSnapshotEntry) * (size_t) (*n - 1));
			(*n)--;
		}
	}
	if (e.epoch != epoch)
	{
		e.epoch = epoch;
		e.nbatches = 0;
	}
	if (e.nbatches == PRODUCER_BATCHES)
	{
		memmove(&e.batches[0], &e.batches[1], sizeof(ProducerBatchMeta) * (PRODUCER_BATCHES - 1));
		e.nbatches--;
	}
	e.batches[e.nbatches].first_seq = b.first_seq;
	e.batches[e.nbatches].last_seq = ProducerLastSequence(b.first_seq, b.delta);
	e.batches[e.nbatches].first_offset = base_offset;
	e.batches[e.nbatches].last_offset = base_offset + b.delta;
	e.batches[e.nbatches].timestamp = b.max_ts;
	e.nbatches++;
	entries[(*n)++] = e;
}

/* Forget every entry of a stream (caller holds PS->lock). */
static void
drop_stream(uint64 stream_id)
{
	for (int32 i = 0; i < PS->capacity; i++)
	{
		if (Entries[i].producer_id < 0 || Entries[i].stream_id != stream_id)
			continue;
		hash_remove(i);
		lru_unlink(i);
		Entries[i].producer_id = -1;
		Entries[i].hash_next = PS->free_head;
		PS->free_head = i;
		PS->nused--;
	}
}

/*
 * Install snapshots loaded from the catalog, forgetting what shared memory
 * held of those streams first.  ends (room for every snapshot) gets each
 * stream's end offset, -1 for a snapshot that fails its checks (skipped
 * with a warning: then whatever the WAL holds of the stream is all there
 * is).  Returns the number of snapshots installed.
 */
static int
install_snapshots(const CatalogProducerSnapshot *snaps, int nsnaps, StreamEnd *ends, int *nends)
{
	int			nsnap = 0;

	*nends = 0;
	for (int r = 0; r < nsnaps; r++)
	{
		uint64		stream = snaps[r].stream_id;
		size_t		blen = snaps[r].len;
		ProducerSnapshotEntry *buf;
		int			max;
		char		e[256];
		int			n = 0;

		ends[*nends].stream_id = stream;
		ends[*nends].end_offset = -1;
		(*nends)++;
		SMutexLock(&PS->lock);
		drop_stream(stream);
		SMutexUnlock(&PS->lock);
		if (snaps[r].data == NULL)
		{
			elog(WARNING, "ignoring the producer snapshot of stream %llu: it is not valid bytea",
				 (unsigned long long) stream);
			continue;
		}
		/* room for as many entries as the bytes could hold (decoding checks) */
		max = (int) Min(blen / SNAP_ENTRY_SIZE + 1, (size_t) INT32_MAX / sizeof(ProducerSnapshotEntry));
		buf = palloc(sizeof(ProducerSnapshotEntry) * (size_t) max);
		if (!ProducerSnapshotDecode(snaps[r].data, blen, buf, max, &n, e, sizeof(e)))
			elog(WARNING, "ignoring the producer snapshot of stream %llu: %s",
				 (unsigned long long) stream, e);
		else
		{
			ends[*nends - 1].end_offset = snaps[r].end_offset;
			/* least recently used first: past capacity the newest stay */
			SMutexLock(&PS->lock);
			for (int k = 0; k < n; k++)
				install_entry(stream, &buf[k]);
			PS->recovered_snapshots += (uint64) n;
			SMutexUnlock(&PS->lock);
			nsnap++;
		}
		pfree(buf);
	}
	return nsnap;
}

bool
ProducerStateLoadSnapshots(PGconn *conn, const uint64 *stream_ids, int n, char *err, size_t errlen)
{
	CatalogProducerSnapshot *snaps;
	int			nsnaps;
	StreamEnd  *ends;
	int			nends;

	if (n <= 0)
		return true;
	nsnaps = CatalogLoadProducerSnapshots(conn, stream_ids, n, &snaps, err, errlen);
	if (nsnaps < 0)
		return false;
	/* streams without a snapshot start empty too */
	SMutexLock(&PS->lock);
	for (int i = 0; i < n; i++)
		drop_stream(stream_ids[i]);
	SMutexUnlock(&PS->lock);
	ends = palloc(sizeof(StreamEnd) * (size_t) Max(nsnaps, 1));
	(void) install_snapshots(snaps, nsnaps, ends, &nends);
	pfree(ends);
	CatalogFreeProducerSnapshots(snaps, nsnaps);
	return true;
}

bool
ProducerStateRecover(PGconn *conn, char *err, size_t errlen)
{
	CatalogProducerSnapshot *snaps;
	int			nsnaps;
	StreamEnd  *ends;
	int			nends = 0;
	int			nsnap = 0;
	WalLsn		pos;
	LogCacheRecord rec;
	uint64		before;

	if (ProducerStateIsRecovered())
		return true;
	nsnaps = CatalogLoadLedProducerSnapshots(conn, (int32) broker_id, &snaps, err, errlen);
	if (nsnaps < 0)
		return false;
	ends = palloc(sizeof(StreamEnd) * (size_t) Max(nsnaps, 1));
	nsnap = install_snapshots(snaps, nsnaps, ends, &nends);
	CatalogFreeProducerSnapshots(snaps, nsnaps);
	qsort(ends, (size_t) nends, sizeof(StreamEnd), cmp_stream_end);

	/*
	 * Replay the recovered WAL in LSN order (per stream, offset order).
	 * Nothing appends yet: the broker opens only after the first registry
	 * load, which comes after this.
	 */
	before = PS->recovered_batches;
	pos = WalTrimLsn();
	while (LogCacheNextRecord(&pos, &rec))
	{
		uint8		hdr[RECORD_BATCH_OVERHEAD];
		StreamEnd	key = {rec.stream_id, 0};
		StreamEnd  *se;

		if (rec.len1 + rec.len2 < RECORD_BATCH_OVERHEAD)
			continue;
		se = nends > 0 ? bsearch(&key, ends, (size_t) nends, sizeof(StreamEnd), cmp_stream_end) : NULL;
		if (se != NULL && rec.base_offset < se->end_offset)
			continue;
		if (rec.len1 >= RECORD_BATCH_OVERHEAD)
			memcpy(hdr, rec.body1, RECORD_BATCH_OVERHEAD);
		else
		{
			memcpy(hdr, rec.body1, rec.len1);
			memcpy(hdr + rec.len1, rec.body2, RECORD_BATCH_OVERHEAD - rec.len1);
		}
		SMutexLock(&PS->lock);
		replay_batch(rec.stream_id, hdr, rec.base_offset);
		SMutexUnlock(&PS->lock);
	}
	pfree(ends);
	__atomic_store_n(&PS->recovered, 1, __ATOMIC_RELEASE);
	elog(LOG, "producer state recovered: %d snapshots (%llu producers), %llu idempotent batches replayed from the WAL; %d producer entries in use",
		 nsnap, (unsigned long long) PS->recovered_snapshots,
		 (unsigned long long) (PS->recovered_batches - before), PS->nused);
	return true;
}

/* ---------- saving snapshots ---------- */

typedef struct SnapStream
{
	uint64		stream_id;
	StrataPartition *part;
	int64		end_offset;
	int			count;			/* entries of this stream in the snapshot */
	int			start;			/* first slot in the entry array */
	int			filled;
} SnapStream;

static int
cmp_snap_stream(const void *a, const void *b)
{
	uint64		x = ((const SnapStream *) a)->stream_id;
	uint64		y = ((const SnapStream *) b)->stream_id;

	return (x > y) - (x < y);
}

/*
 * The batches of e a snapshot ending at end_offset holds: those whose WAL
 * append is done and that start before end_offset.  Returns how many;
 * *max_lsn grows to their WAL end.
 */
static int
to_snapshot_entry(ProducerEntry *e, int64 end_offset, ProducerSnapshotEntry *s, uint64 *max_lsn)
{
	int			n = 0;

	if (s)
	{
		s->producer_id = e->producer_id;
		s->epoch = e->epoch;
	}
	for (int k = 0; k < e->nbatches; k++)
	{
		ProducerBatchState *b = batch_at(e, k);

		if (b->end_lsn == LSN_PENDING || b->first_offset >= end_offset)
			continue;
		if (s)
		{
			s->batches[n].first_seq = b->first_seq;
			s->batches[n].last_seq = b->last_seq;
			s->batches[n].first_offset = b->first_offset;
			s->batches[n].last_offset = b->last_offset;
			s->batches[n].timestamp = b->timestamp;
			*max_lsn = Max(*max_lsn, b->end_lsn);
		}
		n++;
	}
	if (s)
		s->nbatches = n;
	return n;
}

/*
 * Why no append lock is taken here: a backend holds its partition's append
 * lock while WalAppendMulti waits for WAL space, and only the uploader,
 * which calls this, frees that space.  The producer-state lock suffices:
 * Produce records a batch (pending) under it before it advances the
 * partition's next offset, and fills in its WAL position under it after
 * the append.  So, under the lock, with V the next offset read then, every
 * idempotent batch below V is recorded, and the batches still pending are
 * the stream's newest.  The snapshot ends at V or at the first pending
 * batch, whichever is lower, and holds the non-pending batches below that;
 * a producer with no such batch is left out (unknown, as if evicted).
 */
bool
ProducerStateSaveSnapshots(PGconn *conn, const uint64 *stream_ids, int n, char *err, size_t errlen)
{
	SnapStream *ss;
	int			nss = 0;
	int			total = 0;
	ProducerSnapshotEntry *out = NULL;
	uint64		covered = 0;
	bool		ok = true;

	/* a process without a broker's shared memory (a tool) has no state */
	if (PS == NULL)
		return true;
	if (!ProducerStateIsRecovered())
	{
		snprintf(err, errlen, "producer state is not recovered yet; snapshots would be incomplete");
		return false;
	}
	if (n <= 0)
		return true;
	ss = palloc0(sizeof(SnapStream) * (size_t) n);
	RegistryLock();
	for (int i = 0; i < n; i++)
	{
		int			idx = PartitionLookupByStream((int64) stream_ids[i]);

		/* Not open here: this broker holds no state of it to save. */
		if (idx < 0 || PartitionGet(idx)->stream_epoch == 0)
			continue;
		ss[nss].stream_id = stream_ids[i];
		ss[nss].part = PartitionGet(idx);
		nss++;
	}
	RegistryUnlock();
	qsort(ss, (size_t) nss, sizeof(SnapStream), cmp_snap_stream);
	{
		int			w = 0;

		for (int i = 0; i < nss; i++)
			if (w == 0 || ss[w - 1].stream_id != ss[i].stream_id)
				ss[w++] = ss[i];
		nss = w;
	}

	SMutexLock(&PS->lock);
	for (int i = 0; i < nss; i++)
		ss[i].end_offset = __atomic_load_n(&ss[i].part->next_offset, __ATOMIC_ACQUIRE);
	/* end at the first pending batch */
	for (int32 i = PS->lru_tail; i != NIL; i = Entries[i].lru_prev)
	{
		SnapStream	key = {.stream_id = Entries[i].stream_id};
		SnapStream *s = bsearch(&key, ss, (size_t) nss, sizeof(SnapStream), cmp_snap_stream);

		if (s == NULL)
			continue;
		for (int k = 0; k < Entries[i].nbatches; k++)
			if (batch_at(&Entries[i], k)->end_lsn == LSN_PENDING)
				s->end_offset = Min(s->end_offset, batch_at(&Entries[i], k)->first_offset);
	}
	for (int32 i = PS->lru_tail; i != NIL; i = Entries[i].lru_prev)
	{
		SnapStream	key = {.stream_id = Entries[i].stream_id};
		SnapStream *s = bsearch(&key, ss, (size_t) nss, sizeof(SnapStream), cmp_snap_stream);

		if (s && to_snapshot_entry(&Entries[i], s->end_offset, NULL, NULL) > 0)
		{
			s->count++;
			total++;
		}
	}
	for (int i = 0, at = 0; i < nss; i++)
	{
		ss[i].start = at;
		at += ss[i].count;
	}
	if (total > 0)
		out = palloc(sizeof(ProducerSnapshotEntry) * (size_t) total);
	/* least recently used first, so loading keeps the LRU order */
	for (int32 i = PS->lru_tail; i != NIL; i = Entries[i].lru_prev)
	{
		SnapStream	key = {.stream_id = Entries[i].stream_id};
		SnapStream *s = bsearch(&key, ss, (size_t) nss, sizeof(SnapStream), cmp_snap_stream);

		if (s && to_snapshot_entry(&Entries[i], s->end_offset, NULL, NULL) > 0)
			(void) to_snapshot_entry(&Entries[i], s->end_offset,
									 &out[s->start + s->filled++], &covered);
	}
	SMutexUnlock(&PS->lock);

	/* all the streams in one statement (ss is deduplicated above) */
	if (nss > 0)
	{
		CatalogProducerSnapshot *snaps = palloc(sizeof(CatalogProducerSnapshot) * (size_t) nss);

		for (int i = 0; i < nss; i++)
			ProducerSnapshotFill(&snaps[i], ss[i].stream_id, ss[i].end_offset,
								 out ? &out[ss[i].start] : NULL, ss[i].count);
		ok = CatalogSaveProducerSnapshots(conn, snaps, nss, err, errlen);
		ProducerSnapshotsFreeFilled(snaps, nss);
	}
	if (out)
		pfree(out);
	pfree(ss);
	if (!ok)
		return false;

	/*
	 * The snapshots may cover batches still on their way to the WAL device;
	 * the caller commits only after this returns, so wait for them to be
	 * durable: a committed snapshot must never remember a batch that a
	 * crash could lose (its retry would be taken for a duplicate).  Their
	 * WAL space is reserved, so this never waits for a trim.
	 */
	if (covered > 0)
		WalWaitFlushed(covered);
	return true;
}

void
ProducerStateGetStats(ProducerStateStats *stats)
{
	SMutexLock(&PS->lock);
	stats->entries = (uint64) PS->nused;
	stats->capacity = (uint64) PS->capacity;
	stats->evictions = PS->evictions;
	stats->duplicates = PS->duplicates;
	stats->recovered_batches = PS->recovered_batches;
	stats->recovered_snapshots = PS->recovered_snapshots;
	SMutexUnlock(&PS->lock);
}
