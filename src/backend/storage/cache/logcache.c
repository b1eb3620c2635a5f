/*-------------------------------------------------------------------------
 *
 * logcache.c
 *	  The log cache index over the WAL ring (see storage/logcache.h).
 *
 *	  Entries are allocated in LSN order (under the WAL insert lock), so the
 *	  entry array is itself a ring: entry seq lives in slot seq % nentries,
 *	  and allocating seq reuses the slot of seq - nentries, which is allowed
 *	  only once that record has been trimmed.  When an entry is reused it is
 *	  the oldest of its stream, so the stream's first_seq simply moves on to
 *	  the entry's successor.
 *
 *	  Readers run without locks, as a seqlock reader would: they copy an
 *	  entry, then check its seq is unchanged; they copy record bytes, then
 *	  check the ring's reserved position has not lapped them.
 *
 *	  A reader that sends batches to its socket straight from the ring
 *	  (LogCacheReadSlices) cannot check after the fact: it pins the ring
 *	  first.  Its process slot's read_pin holds the lowest LSN it reads;
 *	  the appenders' limit (limit_base + capacity) stays at or below
 *	  read_pin + ring_size while it is set -- the pin lowers it if need be
 *	  (pin_ring), the WAL writer raises it no further (walaio.c) -- so those
 *	  bytes stay as they are until LogCacheUnpin.  Setting a pin and moving
 *	  the limit both happen under the insert lock, and a pin is only set
 *	  on bytes no reservation has reached yet.
 *
 * src/backend/storage/cache/logcache.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/wal_internal.h"
#include "utils/elog.h"
#include "utils/metrics.h"

uint64
LogCacheNumEntries(void)
{
	return Max((uint64) 4096, WalRingSize() / 512);
}

uint32
LogCacheNumStreams(void)
{
	uint64		want = Max((uint64) 1024, LogCacheNumEntries() / 4);
	uint32		n = 1;

	while (n < want)
		n <<= 1;
	return n;
}

size_t
LogCacheEntriesSize(void)
{
	return mul_size(sizeof(LogCacheEntry), (size_t) LogCacheNumEntries());
}

size_t
LogCacheShmemSize(void)
{
	return add_size(LogCacheEntriesSize(),
					mul_size(sizeof(LogCacheStream), LogCacheNumStreams()));
}

/* Runs after WalShmemInit when shared memory is created. */
void
LogCacheShmemInit(void)
{
	bool		found;
	char	   *p;

	Ensure(WalShmem != NULL);
	p = ShmemInitStruct("LogCache", LogCacheShmemSize(), &found);
	WalShmem->entries = (LogCacheEntry *) p;
	WalShmem->streams = (LogCacheStream *) (p + LogCacheEntriesSize());
	if (found)
		return;
	WalShmem->nentries = LogCacheNumEntries();
	WalShmem->nstreams = LogCacheNumStreams();

	/*
	 * A fresh segment is zeroed, which is what an empty entry (seq 0) and an
	 * unused stream slot look like: touching every page here would only cost
	 * page faults.  Sequence numbers start at 1.
	 */
	WalShmem->entry_alloc = 1;
	WalShmem->flush_scan_seq = 1;
}

static inline uint32
stream_hash(uint64 id)
{
	id ^= id >> 33;
	id *= UINT64_C(0xff51afd7ed558ccd);
	id ^= id >> 33;
	return (uint32) id;
}

/* Find a stream's slot; NULL if absent.  Slots are never freed. */
static LogCacheStream *
stream_lookup(uint64 stream_id)
{
	uint32		mask = WalShmem->nstreams - 1;
	uint32		h = stream_hash(stream_id) & mask;

	for (uint32 i = 0; i < WalShmem->nstreams; i++)
	{
		LogCacheStream *s = &WalShmem->streams[(h + i) & mask];

		if (!__atomic_load_n(&s->in_use, __ATOMIC_ACQUIRE))
			return NULL;
		if (s->stream_id == stream_id)
			return s;
	}
	return NULL;
}

static LogCacheStream *
stream_insert_locked(uint64 stream_id)
{
	uint32		mask = WalShmem->nstreams - 1;
	uint32		h = stream_hash(stream_id) & mask;

	/* keep a quarter free so probes stay short */
	for (uint32 i = 0; i < WalShmem->nstreams - WalShmem->nstreams / 4; i++)
	{
		LogCacheStream *s = &WalShmem->streams[(h + i) & mask];

		if (!s->in_use)
		{
			s->stream_id = stream_id;
			s->first_seq = WAL_NO_SEQ;
			s->last_seq = WAL_NO_SEQ;
			s->next_offset = 0;
			s->flushed_next = 0;
			__atomic_store_n(&s->in_use, 1, __ATOMIC_RELEASE);
			return s;
		}
		if (s->stream_id == stream_id)
			return s;
	}
	return NULL;
}

static inline LogCacheEntry *
entry_slot(uint64 seq)
{
	return &WalShmem->entries[seq % WalShmem->nentries];
}

bool
LogCacheEntriesAvailableLocked(int n, WalLsn durable_trim)
{
	uint64		last = WalShmem->entry_alloc + (uint64) n - 1;
	LogCacheEntry *e;

	if ((uint64) n > WalShmem->nentries)
		return false;
	e = entry_slot(last);
	if (e->seq == 0)
		return true;			/* never used */
	/* the newest entry to be reused must be trimmed (so are older ones) */
	return e->lsn + WalRecordSize(e->body_len) <= durable_trim;
}

/*
 * Add the index entry of a data record at lsn.  Called with the WAL insert
 * lock held, by appenders and by recovery.
 */
bool
LogCacheAddEntryLocked(const WalRecordHeader *hdr, WalLsn lsn)
{
	LogCacheStream *s = stream_lookup(hdr->stream_id);
	uint64		seq;
	LogCacheEntry *e;

	if (s == NULL)
		s = stream_insert_locked(hdr->stream_id);
	if (s == NULL)
		return false;

	seq = WalShmem->entry_alloc;
	e = entry_slot(seq);
	if (e->seq != 0)
	{
		/* reusing the oldest entry of some stream: unlink it */
		LogCacheStream *old = stream_lookup(e->stream_id);

		if (old != NULL && old->first_seq == e->seq)
		{
			__atomic_store_n(&old->first_seq, e->next_seq, __ATOMIC_RELEASE);
			if (old->last_seq == e->seq)
				__atomic_store_n(&old->last_seq, WAL_NO_SEQ, __ATOMIC_RELEASE);
		}
		if (e->next_seq != WAL_NO_SEQ)
			__atomic_store_n(&entry_slot(e->next_seq)->prev_seq, WAL_NO_SEQ, __ATOMIC_RELEASE);
	}
	/* invalidate while rewriting, so a concurrent reader's check fails */
	__atomic_store_n(&e->seq, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	/*
	 * A stream's chain holds consecutive batches only.  A batch that does
	 * not follow the last one (the stream was led by another broker
	 * meanwhile, and is open here again further on) starts a new chain:
	 * readers then find the old entries no more, and read what lies between
	 * from object storage instead of skipping it.
	 */
	if (s->last_seq != WAL_NO_SEQ &&
		hdr->base_offset != __atomic_load_n(&s->next_offset, __ATOMIC_ACQUIRE))
	{
		__atomic_store_n(&s->first_seq, WAL_NO_SEQ, __ATOMIC_RELEASE);
		__atomic_store_n(&s->last_seq, WAL_NO_SEQ, __ATOMIC_RELEASE);
	}
	e->lsn = lsn;
	e->stream_id = hdr->stream_id;
	e->stream_epoch = hdr->stream_epoch;
	e->base_offset = hdr->base_offset;
	e->record_count = hdr->record_count;
	e->body_len = hdr->body_len;
	e->prev_seq = s->last_seq;
	e->next_seq = WAL_NO_SEQ;
	__atomic_store_n(&e->seq, seq, __ATOMIC_RELEASE);
	if (s->last_seq != WAL_NO_SEQ)
		__atomic_store_n(&entry_slot(s->last_seq)->next_seq, seq, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&s->first_seq, seq, __ATOMIC_RELEASE);
	__atomic_store_n(&s->last_seq, seq, __ATOMIC_RELEASE);
	s->stream_epoch = hdr->stream_epoch;
	__atomic_store_n(&s->next_offset, hdr->base_offset + (int64) hdr->record_count, __ATOMIC_RELEASE);
	__atomic_store_n(&WalShmem->entry_alloc, seq + 1, __ATOMIC_RELEASE);
	return true;
}

/* Copy entry seq; false if it is no longer (or not yet) that entry. */
static bool
entry_read(uint64 seq, LogCacheEntry *out)
{
	LogCacheEntry *e;

	if (seq == WAL_NO_SEQ || seq == 0)
		return false;
	e = entry_slot(seq);
	if (__atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) != seq)
		return false;
	out->lsn = e->lsn;
	out->stream_id = e->stream_id;
	out->stream_epoch = e->stream_epoch;
	out->base_offset = e->base_offset;
	out->record_count = e->record_count;
	out->body_len = e->body_len;
	out->prev_seq = __atomic_load_n(&e->prev_seq, __ATOMIC_ACQUIRE);
	out->next_seq = __atomic_load_n(&e->next_seq, __ATOMIC_ACQUIRE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	out->seq = seq;
	return __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) == seq;
}

/* True if the ring still holds the bytes from lsn on (nothing lapped them). */
static bool
ring_intact(WalLsn lsn)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&WalShmem->reserved, __ATOMIC_SEQ_CST) <= lsn + WalShmem->ring_size;
}

bool
LogCacheStreamEnd(uint64 stream_id, int64 *next_offset, int64 *flushed_next)
{
	LogCacheStream *s;

	if (WalShmem == NULL || WalShmem->streams == NULL)
		return false;
	s = stream_lookup(stream_id);
	if (s == NULL)
		return false;
	*next_offset = __atomic_load_n(&s->next_offset, __ATOMIC_ACQUIRE);
	if (flushed_next)
		*flushed_next = __atomic_load_n(&s->flushed_next, __ATOMIC_ACQUIRE);
	return true;
}

/*
 * Without this, a stream led here before keeps the end of that earlier
 * time in the cache until its first append here: fetches would take it
 * for the high watermark (OFFSET_OUT_OF_RANGE, ListOffsets answering an
 * old offset) and find nothing to read below the new start.  The chain
 * is dropped as the append path drops one that does not continue.
 */
void
LogCacheStreamReopen(uint64 stream_id, int64 offset)
{
	LogCacheStream *s;

	if (WalShmem == NULL || WalShmem->streams == NULL)
		return;
	SpinLockAcquire(&WalShmem->insert_lck);
	s = stream_lookup(stream_id);
	if (s != NULL && __atomic_load_n(&s->next_offset, __ATOMIC_ACQUIRE) < offset)
	{
		__atomic_store_n(&s->first_seq, WAL_NO_SEQ, __ATOMIC_RELEASE);
		__atomic_store_n(&s->last_seq, WAL_NO_SEQ, __ATOMIC_RELEASE);
		__atomic_store_n(&s->next_offset, offset, __ATOMIC_RELEASE);
		if (__atomic_load_n(&s->flushed_next, __ATOMIC_ACQUIRE) < offset)
			__atomic_store_n(&s->flushed_next, offset, __ATOMIC_SEQ_CST);
	}
	SpinLockRelease(&WalShmem->insert_lck);
}

void
LogCacheStreamIterInit(LogCacheStreamIter *it)
{
	it->pos = 0;
}

bool
LogCacheStreamIterNext(LogCacheStreamIter *it, LogCacheStreamInfo *info)
{
	while (it->pos < WalShmem->nstreams)
	{
		LogCacheStream *s = &WalShmem->streams[it->pos++];
		LogCacheEntry e;

		if (!__atomic_load_n(&s->in_use, __ATOMIC_ACQUIRE))
			continue;
		info->stream_id = s->stream_id;
		info->stream_epoch = s->stream_epoch;
		info->next_offset = __atomic_load_n(&s->next_offset, __ATOMIC_ACQUIRE);
		info->flushed_next = __atomic_load_n(&s->flushed_next, __ATOMIC_ACQUIRE);
		if (entry_read(__atomic_load_n(&s->first_seq, __ATOMIC_ACQUIRE), &e))
			info->start_offset = e.base_offset;
		else
			info->start_offset = info->next_offset;
		return true;
	}
	return false;
}

/*
 * Find the entry of stream s holding offset: walk from whichever end of the
 * stream's chain is nearer.  Returns 1 found, 0 offset below the cache,
 * -1 raced with reuse (retry), 2 offset at or past the end.
 */
static int
find_entry(LogCacheStream *s, int64 offset, LogCacheEntry *out)
{
	LogCacheEntry first,
				last,
				e;

	if (!entry_read(__atomic_load_n(&s->last_seq, __ATOMIC_ACQUIRE), &last))
	{
		if (__atomic_load_n(&s->last_seq, __ATOMIC_ACQUIRE) != WAL_NO_SEQ)
			return -1;
		/* No batch here (a stream reopened): below its end is elsewhere. */
		return offset >= __atomic_load_n(&s->next_offset, __ATOMIC_ACQUIRE) ? 2 : 0;
	}
	if (offset >= last.base_offset + (int64) last.record_count)
		return 2;
	if (!entry_read(__atomic_load_n(&s->first_seq, __ATOMIC_ACQUIRE), &first))
		return -1;
	if (offset < first.base_offset)
		return 0;
	if (offset - first.base_offset < last.base_offset - offset)
	{
		e = first;
		while (offset >= e.base_offset + (int64) e.record_count)
		{
			if (!entry_read(e.next_seq, &e))
				return -1;
		}
	}
	else
	{
		e = last;
		while (offset < e.base_offset)
		{
			if (!entry_read(e.prev_seq, &e))
				return -1;
		}
		/* offset in a gap between batches: start with the next one */
		if (offset >= e.base_offset + (int64) e.record_count && !entry_read(e.next_seq, &e))
			return -1;
	}
	*out = e;
	return 1;
}

/*
 * Pin the ring from lsn on for this process (see the file comment); false
 * if those bytes may have been overwritten already.  A pin at or below lsn
 * covers it already.  Takes insert_lck.
 *
 * The appenders' limit must stay at or below pin + ring_size.  Bytes not
 * yet trimmed are below it anyway.  Bytes trimmed but still in the ring
 * (a reader catching up) are pinned by bringing limit_base down to them,
 * which is allowed as long as no reservation already goes past the new
 * limit; limit_held then tells LogCacheUnpin to have the WAL writer raise
 * it again (walaio.c, advance_limit).
 */
static bool
pin_ring(WalLsn lsn)
{
	WalSlotState *me = &WalShmem->slots[MyProcSlot];
	WalLsn		limit;
	bool		pinned = true;

	if (__atomic_load_n(&me->read_pin, __ATOMIC_SEQ_CST) <= lsn)
		return true;
	limit = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, lsn + WalShmem->ring_size - WalShmem->capacity);
	SpinLockAcquire(&WalShmem->insert_lck);
	if (limit < WalShmem->limit_base)
	{
		if (WalShmem->reserved <= limit + WalShmem->capacity)
		{
			WalShmem->limit_base = limit;
			WalShmem->limit_held = true;
		}
		else
			pinned = false;
	}
	if (pinned)
	{
		if (me->read_pin == WAL_NO_PIN)
			WalShmem->npins++;
		__atomic_store_n(&me->read_pin, lsn, __ATOMIC_SEQ_CST);
	}
	SpinLockRelease(&WalShmem->insert_lck);
	return pinned;
}

void
LogCacheUnpin(void)
{
	WalSlotState *me;
	bool		held;

	if (WalShmem == NULL || MyProcSlot < 0 || MyProcSlot >= WalShmem->nslots)
		return;
	me = &WalShmem->slots[MyProcSlot];
	if (__atomic_load_n(&me->read_pin, __ATOMIC_SEQ_CST) == WAL_NO_PIN)
		return;

	/*
	 * Under the insert lock, as the WAL writer reads the pins and says
	 * whether one held the limit back: either it saw our pin and we see
	 * limit_held, or it did not see it.
	 */
	SpinLockAcquire(&WalShmem->insert_lck);
	__atomic_store_n(&me->read_pin, WAL_NO_PIN, __ATOMIC_SEQ_CST);
	WalShmem->npins--;
	held = WalShmem->limit_held;
	SpinLockRelease(&WalShmem->insert_lck);
	if (held)
		SetLatch(AuxProcLatch(PROC_WALWRITER));
}

/*
 * Where a read's batches go: copied into buf (LogCacheRead), or returned
 * as slices of the pinned ring (LogCacheReadSlices).
 */
typedef struct ReadSink
{
	char	   *buf;
	LogCacheSlice *slices;
	int			maxslices;
	int			nslices;
	uint64		records;
} ReadSink;

/* Add the body of entry e to the sink at byte used; false if no room for its slices. */
static bool
sink_add(ReadSink *sink, const LogCacheEntry *e, size_t used)
{
	uint64		R = WalShmem->ring_size;
	uint64		off = (e->lsn + WAL_RECORD_HEADER_SIZE) % R;
	size_t		first = (size_t) Min((uint64) e->body_len, R - off);

	WalRingPopulate(e->lsn + WAL_RECORD_HEADER_SIZE, e->body_len, false);
	if (sink->buf != NULL)
		WalRingRead(e->lsn + WAL_RECORD_HEADER_SIZE, sink->buf + used, e->body_len);
	else
	{
		if (sink->nslices + (first < e->body_len ? 2 : 1) > sink->maxslices)
			return false;
		sink->slices[sink->nslices].ptr = WalShmem->ring + off;
		sink->slices[sink->nslices++].len = first;
		if (first < e->body_len)
		{
			sink->slices[sink->nslices].ptr = WalShmem->ring;
			sink->slices[sink->nslices++].len = e->body_len - first;
		}
	}
	sink->records += e->record_count;
	return true;
}

static LogCacheResult
log_cache_read(uint64 stream_id, int64 offset, int64 max_offset,
			   ReadSink *sink, size_t buflen, size_t *bytes, int64 *next_offset)
{
	LogCacheStream *s;

	*bytes = 0;
	*next_offset = offset;
	if (WalShmem == NULL || !WalIsReady())
		return LOGCACHE_UNKNOWN_STREAM;
	s = stream_lookup(stream_id);
	if (s == NULL)
		return LOGCACHE_UNKNOWN_STREAM;

	for (int attempt = 0; attempt < 8; attempt++)
	{
		LogCacheEntry e;
		WalLsn		flushed = WalFlushedLsn();
		WalLsn		first_lsn;
		size_t		used = 0;
		int64		next = offset;
		int			rc = find_entry(s, offset, &e);

		if (rc == -1)
			continue;
		if (rc == 0)
			return LOGCACHE_MISS;
		if (rc == 2)
			return LOGCACHE_OK;
		first_lsn = e.lsn;
		if (sink->slices != NULL)
		{
			/*
			 * Pin before the bytes are used; the entry, read before the
			 * pin, still describes them (they were never overwritten).
			 */
			if (!pin_ring(first_lsn))
				return LOGCACHE_MISS;
		}
		sink->nslices = 0;
		sink->records = 0;
		for (;;)
		{
			WalLsn		end = e.lsn + WalRecordSize(e.body_len);

			if (end > flushed || e.base_offset >= max_offset)
				break;
			if (used + e.body_len > buflen)
			{
				if (used == 0)
				{
					*bytes = e.body_len;
					return ring_intact(first_lsn) ? LOGCACHE_TOO_SMALL : LOGCACHE_MISS;
				}
				break;
			}
			if (!sink_add(sink, &e, used))
				break;
			used += e.body_len;
			next = e.base_offset + (int64) e.record_count;
			if (e.next_seq == WAL_NO_SEQ || !entry_read(e.next_seq, &e))
				break;
		}
		if (!ring_intact(first_lsn))
		{
			/* lapped while copying: the start is gone, the cache misses */
			return LOGCACHE_MISS;
		}
		*bytes = used;
		*next_offset = next;
		return LOGCACHE_OK;
	}
	return LOGCACHE_MISS;
}

/*
 * The reader proper is log_cache_read; this counts its outcomes for the
 * metrics: data returned is a hit, data the cache does not hold a miss.
 * A read that finds nothing new yet, or a buffer too small, is neither.
 */
static LogCacheResult
count_outcome(LogCacheResult r, size_t bytes)
{
	if (r == LOGCACHE_OK && bytes > 0)
		MetricsInc(METRIC_LOG_CACHE_HITS, 1);
	else if (r == LOGCACHE_MISS || r == LOGCACHE_UNKNOWN_STREAM)
		MetricsInc(METRIC_LOG_CACHE_MISSES, 1);
	return r;
}

LogCacheResult
LogCacheRead(uint64 stream_id, int64 offset, int64 max_offset,
			 char *buf, size_t buflen, size_t *bytes, int64 *next_offset)
{
	ReadSink	sink = {buf, NULL, 0, 0, 0};

	return count_outcome(log_cache_read(stream_id, offset, max_offset, &sink, buflen,
										bytes, next_offset), *bytes);
}

LogCacheResult
LogCacheReadSlices(uint64 stream_id, int64 offset, int64 max_offset, size_t buflen,
				   LogCacheSlice *slices, int maxslices, int *nslices,
				   size_t *bytes, int64 *next_offset, uint64 *records)
{
	ReadSink	sink = {NULL, slices, maxslices, 0, 0};
	LogCacheResult r;

	Ensure(MyProcSlot >= 0 && MyProcSlot < WalShmem->nslots && maxslices >= 2);
	r = log_cache_read(stream_id, offset, max_offset, &sink, buflen, bytes, next_offset);
	*nslices = r == LOGCACHE_OK ? sink.nslices : 0;
	*records = r == LOGCACHE_OK ? sink.records : 0;
	return count_outcome(r, *bytes);
}

/* ---- waiting for data ---- */

void
LogCacheWaitRegister(uint64 stream_id, int64 offset)
{
	WalSlotState *me;

	Ensure(MyProcSlot >= 0 && MyProcSlot < WalShmem->nslots);
	me = &WalShmem->slots[MyProcSlot];
	me->data_wait_stream = stream_id;
	me->data_wait_offset = offset;
	__atomic_store_n(&me->data_waiting, 1, __ATOMIC_SEQ_CST);
}

void
LogCacheWaitCancel(void)
{
	if (MyProcSlot >= 0 && MyProcSlot < WalShmem->nslots)
		__atomic_store_n(&WalShmem->slots[MyProcSlot].data_waiting, 0, __ATOMIC_SEQ_CST);
}

/*
 * WAL writer, when the flushed position is about to advance to flushed:
 * move the streams' flushed next offsets forward over the newly durable
 * entries.  Done before the new flushed position is published, so that an
 * appender that sees its record flushed also sees its stream's offset.
 * Returns true if any stream moved (then call LogCacheWakeDataWaiters once
 * the flushed position is published).
 */
bool
LogCacheFlushAdvanced(WalLsn flushed)
{
	uint64		seq = WalShmem->flush_scan_seq;
	uint64		alloc = __atomic_load_n(&WalShmem->entry_alloc, __ATOMIC_ACQUIRE);
	bool		any = false;

	while (seq < alloc)
	{
		LogCacheEntry e;
		LogCacheStream *s;

		if (!entry_read(seq, &e))
		{
			seq++;				/* reused already: nothing to wake for */
			continue;
		}
		if (e.lsn + WalRecordSize(e.body_len) > flushed)
			break;
		s = stream_lookup(e.stream_id);
		/* never back: LogCacheStreamReopen may have moved it on */
		if (s != NULL && __atomic_load_n(&s->flushed_next, __ATOMIC_ACQUIRE) <
			e.base_offset + (int64) e.record_count)
			__atomic_store_n(&s->flushed_next, e.base_offset + (int64) e.record_count,
							 __ATOMIC_SEQ_CST);
		any = true;
		seq++;
	}
	WalShmem->flush_scan_seq = seq;
	return any;
}

/* WAL writer: set the latches of fetches whose stream has new durable data. */
void
LogCacheWakeDataWaiters(void)
{
	WalLsn		upload_at = __atomic_load_n(&WalShmem->upload_wake_lsn, __ATOMIC_SEQ_CST);

	if (upload_at != WAL_NO_UPLOAD_WAKEUP &&
		__atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST) >= upload_at &&
		__atomic_compare_exchange_n(&WalShmem->upload_wake_lsn, &upload_at, WAL_NO_UPLOAD_WAKEUP, false,
									__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		SetLatch(AuxProcLatch(PROC_UPLOADER));
	for (int i = 0; i < WalShmem->nslots; i++)
	{
		WalSlotState *w = &WalShmem->slots[i];

		if (!__atomic_load_n(&w->data_waiting, __ATOMIC_SEQ_CST))
			continue;
		if (w->data_wait_stream == LOGCACHE_ANY_STREAM)
			SetLatch(&ProcArray->slots[i].latch);
		else
		{
			LogCacheStream *s = stream_lookup(w->data_wait_stream);

			if (s != NULL &&
				__atomic_load_n(&s->flushed_next, __ATOMIC_SEQ_CST) > w->data_wait_offset)
				SetLatch(&ProcArray->slots[i].latch);
		}
	}
}

/* ---- the uploader's sequential view ---- */

bool
LogCacheNextRecord(WalLsn *pos, LogCacheRecord *rec)
{
	WalLsn		flushed = WalFlushedLsn();
	uint64		D = WalShmem->dev_data_size;
	uint64		R = WalShmem->ring_size;
	WalLsn		p = *pos;

	for (;;)
	{
		WalRecordHeader hdr;
		uint64		off;
		uint64		size;

		if (D - p % D < WAL_RECORD_HEADER_SIZE)
		{
			/* the unmarked gap before the end of the data area */
			if (p + (D - p % D) > flushed)
			{
				*pos = p;
				return false;
			}
			p += D - p % D;
		}
		if (p + WAL_RECORD_HEADER_SIZE > flushed)
		{
			*pos = p;
			return false;
		}
		WalRingRead(p, &hdr, sizeof(hdr));
		if (hdr.lsn != p || (hdr.magic != WAL_RECORD_MAGIC && hdr.magic != WAL_PADDING_MAGIC))
			elog(ERROR, "no WAL record starts at LSN %llu (a position below the trim position, or not a record boundary)",
				 (unsigned long long) p);
		if (hdr.magic == WAL_PADDING_MAGIC)
		{
			/*
			 * The flushed position can lie inside padding too (a write
			 * split at a block boundary): the position returned must stay
			 * at or below it, since it is what callers trim to.
			 */
			if (p + WAL_RECORD_HEADER_SIZE + hdr.body_len > flushed)
			{
				*pos = p;
				return false;
			}
			p += WAL_RECORD_HEADER_SIZE + hdr.body_len;
			continue;
		}
		size = WalRecordSize(hdr.body_len);
		/* the flushed position can lie inside a record (block-sized writes) */
		if (p + size > flushed)
		{
			*pos = p;
			return false;
		}
		rec->lsn = p;
		rec->end_lsn = p + size;
		rec->stream_id = hdr.stream_id;
		rec->stream_epoch = hdr.stream_epoch;
		rec->base_offset = hdr.base_offset;
		rec->record_count = hdr.record_count;
		rec->max_timestamp = hdr.max_timestamp;
		off = (p + WAL_RECORD_HEADER_SIZE) % R;
		rec->body1 = WalShmem->ring + off;
		rec->len1 = (size_t) Min((uint64) hdr.body_len, R - off);
		rec->body2 = WalShmem->ring;
		rec->len2 = hdr.body_len - rec->len1;
		*pos = p + size;
		return true;
	}
}
