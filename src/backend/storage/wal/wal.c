/*-------------------------------------------------------------------------
 *
 * wal.c
 *	  The WAL ring in shared memory: appending, waiting for durability,
 *	  back-pressure and trimming.  The WAL writer (walwriter.c) moves the
 *	  bytes to the device; recovery (walrecovery.c) fills the ring at start.
 *
 *	  An append takes the insert spinlock only to compute where its records
 *	  go (a few additions, plus the log cache index entries), advances the
 *	  reserved position and notes in its process slot that it is copying
 *	  from that LSN on.  It copies the record header and body outside the
 *	  lock, then clears the note: that is "publishing".  The WAL writer
 *	  computes the published position as the smallest LSN any slot is still
 *	  copying at (or reserved, if none is), and writes everything below.
 *
 *	  Waiting never polls.  An appender that wants durability puts the LSN
 *	  it waits for in its slot and sleeps on its latch; after every flush the
 *	  WAL writer sets the latches of exactly the slots whose LSN is now
 *	  flushed.  An appender that finds the WAL full sets wait_space and
 *	  sleeps; the WAL writer wakes those after it made a trim durable.
 *
 * src/backend/storage/wal/wal.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/crc32c.h"
#include "utils/elog.h"
#include "utils/guc.h"

WalShmemStruct *WalShmem = NULL;

/* One WalSlotState per process slot: the same count as procarray.c's. */
static int
wal_nslots(void)
{
	return NUM_AUX_PROCS + (int) max_connections;
}

uint64
WalRingSize(void)
{
	return TYPEALIGN_DOWN(WAL_BLOCK_SIZE, (uint64) log_cache_size);
}

size_t
WalShmemSize(void)
{
	size_t		size = CACHELINEALIGN(sizeof(WalShmemStruct));

	size = add_size(size, mul_size(sizeof(WalSlotState), (size_t) wal_nslots()));
	/* the ring, aligned to a block for O_DIRECT */
	size = add_size(size, add_size((size_t) WalRingSize(), WAL_BLOCK_SIZE));
	return size;
}

/*
 * Runs in the postmaster (or a test) when shared memory is created, before
 * LogCacheShmemInit.
 */
void
WalShmemInit(void)
{
	bool		found;
	char	   *p;

	p = ShmemInitStruct("WAL", WalShmemSize(), &found);
	WalShmem = (WalShmemStruct *) p;
	if (found)
		return;
	memset(WalShmem, 0, sizeof(WalShmemStruct));
	SpinLockInit(&WalShmem->insert_lck);
	WalShmem->upload_wake_lsn = UINT64_MAX;
	p += CACHELINEALIGN(sizeof(WalShmemStruct));
	WalShmem->nslots = wal_nslots();
	Ensure(ProcArray != NULL && ProcArray->nslots == WalShmem->nslots);
	WalShmem->slots = (WalSlotState *) p;
	for (int i = 0; i < WalShmem->nslots; i++)
	{
		WalShmem->slots[i].inserting_at = WAL_NOT_INSERTING;
		WalShmem->slots[i].wait_flush_lsn = 0;
		WalShmem->slots[i].wait_space = 0;
		WalShmem->slots[i].data_waiting = 0;
	}
	p += sizeof(WalSlotState) * (size_t) WalShmem->nslots;
	WalShmem->ring = (char *) TYPEALIGN(WAL_BLOCK_SIZE, (uintptr_t) p);
	WalShmem->ring_size = WalRingSize();
	/* The geometry below is fixed by recovery, which reads the device. */
	WalShmem->dev_data_size = 0;
	WalShmem->capacity = 0;
	WalShmem->ready = 0;
}

/* ---- ring copy helpers ---- */

void
WalRingWrite(WalLsn lsn, const void *src, size_t len)
{
	uint64		R = WalShmem->ring_size;
	uint64		off = lsn % R;
	size_t		first = (size_t) Min((uint64) len, R - off);

	memcpy(WalShmem->ring + off, src, first);
	if (first < len)
		memcpy(WalShmem->ring, (const char *) src + first, len - first);
}

void
WalRingRead(WalLsn lsn, void *dst, size_t len)
{
	uint64		R = WalShmem->ring_size;
	uint64		off = lsn % R;
	size_t		first = (size_t) Min((uint64) len, R - off);

	memcpy(dst, WalShmem->ring + off, first);
	if (first < len)
		memcpy((char *) dst + first, WalShmem->ring, len - first);
}

static void
ring_zero(WalLsn lsn, size_t len)
{
	static const char zeros[WAL_RECORD_ALIGN];

	Assert(len < WAL_RECORD_ALIGN);
	if (len > 0)
		WalRingWrite(lsn, zeros, len);
}

/* ---- readiness ---- */

bool
WalIsReady(void)
{
	return WalShmem != NULL && WalAtomicRead(&WalShmem->ready) != 0;
}

static WalSlotState *
my_wal_slot(void)
{
	if (MyProcSlot < 0 || MyProcSlot >= WalShmem->nslots || MyLatch == NULL)
		elog_fatal("WAL access from a process without a process slot");
	return &WalShmem->slots[MyProcSlot];
}

void
WalWaitReady(void)
{
	WalSlotState *me;

	if (WalIsReady())
		return;
	me = my_wal_slot();
	__atomic_store_n(&me->wait_space, 1, __ATOMIC_SEQ_CST);
	for (;;)
	{
		ResetLatch(MyLatch);
		if (__atomic_load_n(&WalShmem->ready, __ATOMIC_SEQ_CST))
			break;
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
	__atomic_store_n(&me->wait_space, 0, __ATOMIC_SEQ_CST);
}

/* ---- appending ---- */

/*
 * Where a record of size bytes starting at or after pos goes: records
 * never cross the end of the device's data area.  Sets *pad to the bytes
 * skipped before it.
 */
static WalLsn
place_record(WalLsn pos, uint64 size, uint64 *pad)
{
	uint64		D = WalShmem->dev_data_size;
	uint64		off = pos % D;

	if (off + size <= D)
	{
		*pad = 0;
		return pos;
	}
	*pad = D - off;
	return pos + *pad;
}

static void
write_padding(WalLsn lsn, uint64 len, uint32 generation, uint32 wal_id)
{
	WalRecordHeader hdr;

	/* A gap too small for a header is skipped implicitly (doc/wal.md). */
	if (len < WAL_RECORD_HEADER_SIZE)
		return;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = WAL_PADDING_MAGIC;
	hdr.body_len = (uint32) (len - WAL_RECORD_HEADER_SIZE);
	hdr.lsn = lsn;
	hdr.generation = generation;
	hdr.wal_id = wal_id;
	WalRecordSetCrc(&hdr, NULL);
	WalRingWrite(lsn, &hdr, sizeof(hdr));
}

static void
log_backpressure(void)
{
	WalAtomicAdd(&WalShmem->stats.backpressure_waits, 1);
	/* Whatever its threshold says, the uploader must make room now. */
	SetLatch(AuxProcLatch(PROC_UPLOADER));
	if (__atomic_exchange_n(&WalShmem->backpressure_logged, 1, __ATOMIC_RELAXED) == 0)
		elog(LOG, "WAL is full (%llu bytes not yet trimmed): appends wait until the uploader trims it; "
			 "raise log_cache_size/wal_size or lower upload_threshold if this recurs "
			 "(logged once; see the backpressure_waits counter)",
			 (unsigned long long) WalShmem->capacity);
}

uint64
WalMaxRecordBytes(void)
{
	WalWaitReady();
	return WalShmem->max_append - WalRecordSize(0);
}

WalLsn
WalAppendMulti(WalAppendItem *items, int nitems)
{
	WalSlotState *me;
	uint64		pads[64];
	uint64	   *pad = pads;
	uint64		total = 0;
	WalLsn		start = 0,
				end = 0;
	uint32		generation;
	bool		no_index_logged = false;

	if (nitems <= 0)
		return WalInsertLsn();
	WalWaitReady();
	me = my_wal_slot();

	for (int i = 0; i < nitems; i++)
	{
		uint64		size = WalRecordSize(items[i].len);

		if (size > WalShmem->max_append)
			elog(ERROR, "record batch of %u bytes for stream %llu is larger than a quarter of the WAL capacity (%llu bytes); raise log_cache_size and wal_size",
				 items[i].len, (unsigned long long) items[i].stream_id,
				 (unsigned long long) WalShmem->capacity);
		total += size;
	}

	/*
	 * One reservation must stay well below the capacity so that it always
	 * fits once everything before it is trimmed; bigger groups go record by
	 * record (still each one durable and in order).
	 */
	if (nitems > 1 &&
		(total > WalShmem->max_append || (uint64) nitems > WalShmem->nentries / 4))
	{
		WalLsn		maxend = 0;

		for (int i = 0; i < nitems; i++)
		{
			WalAppendMulti(&items[i], 1);
			maxend = Max(maxend, items[i].end_lsn);
		}
		return maxend;
	}

	if (nitems > (int) lengthof(pads))
		pad = palloc(sizeof(uint64) * (size_t) nitems);

	for (int attempt = 0;; attempt++)
	{
		bool		fits;

		if (attempt > 0)
		{
			__atomic_store_n(&me->wait_space, 1, __ATOMIC_SEQ_CST);
			ResetLatch(MyLatch);
		}
		SpinLockAcquire(&WalShmem->insert_lck);
		start = WalShmem->reserved;
		end = start;
		for (int i = 0; i < nitems; i++)
		{
			uint64		size = WalRecordSize(items[i].len);

			items[i].lsn = place_record(end, size, &pad[i]);
			items[i].end_lsn = items[i].lsn + size;
			end = items[i].end_lsn;
		}
		fits = end <= WalShmem->limit_base + WalShmem->capacity &&
			LogCacheEntriesAvailableLocked(nitems, WalAtomicRead(&WalShmem->durable_trim));
		if (fits)
		{
			__atomic_store_n(&me->inserting_at, start, __ATOMIC_SEQ_CST);
			__atomic_store_n(&WalShmem->reserved, end, __ATOMIC_SEQ_CST);
			generation = WalShmem->generation;
			for (int i = 0; i < nitems; i++)
			{
				WalRecordHeader hdr;

				memset(&hdr, 0, sizeof(hdr));
				hdr.magic = WAL_RECORD_MAGIC;
				hdr.body_len = items[i].len;
				hdr.record_count = items[i].record_count;
				hdr.lsn = items[i].lsn;
				hdr.stream_id = items[i].stream_id;
				hdr.stream_epoch = items[i].stream_epoch;
				hdr.base_offset = items[i].base_offset;
				if (!LogCacheAddEntryLocked(&hdr, items[i].lsn))
					no_index_logged = true;
			}
			SpinLockRelease(&WalShmem->insert_lck);
			break;
		}
		SpinLockRelease(&WalShmem->insert_lck);
		if (attempt == 0)
		{
			log_backpressure();
			continue;			/* set wait_space, then check again */
		}
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
	if (me->wait_space)
		__atomic_store_n(&me->wait_space, 0, __ATOMIC_SEQ_CST);

	if (no_index_logged)
		elog(WARNING, "log cache stream table is full: new streams' batches are not indexed (fetches read them from object storage); raise log_cache_size");

	/* Copy outside the lock. */
	for (int i = 0; i < nitems; i++)
	{
		WalAppendItem *it = &items[i];
		WalRecordHeader hdr;
		uint64		size = WalRecordSize(it->len);

		if (pad[i] > 0)
			write_padding(it->lsn - pad[i], pad[i], generation, WalShmem->wal_id);
		memset(&hdr, 0, sizeof(hdr));
		hdr.magic = WAL_RECORD_MAGIC;
		hdr.body_len = it->len;
		hdr.record_count = it->record_count;
		hdr.lsn = it->lsn;
		hdr.stream_id = it->stream_id;
		hdr.stream_epoch = it->stream_epoch;
		hdr.base_offset = it->base_offset;
		hdr.max_timestamp = it->max_timestamp;
		hdr.generation = generation;
		hdr.wal_id = WalShmem->wal_id;
		WalRecordSetCrc(&hdr, it->data);
		WalRingWrite(it->lsn, &hdr, sizeof(hdr));
		WalRingWrite(it->lsn + WAL_RECORD_HEADER_SIZE, it->data, it->len);
		ring_zero(it->lsn + WAL_RECORD_HEADER_SIZE + it->len,
				  (size_t) (size - WAL_RECORD_HEADER_SIZE - it->len));
		WalAtomicAdd(&WalShmem->stats.append_bytes, it->len);
	}
	WalAtomicAdd(&WalShmem->stats.appends, (uint64) nitems);
	if (pad != pads)
		pfree(pad);

	/* Publish, then poke the WAL writer. */
	__atomic_store_n(&me->inserting_at, WAL_NOT_INSERTING, __ATOMIC_SEQ_CST);
	SetLatch(AuxProcLatch(PROC_WALWRITER));
	return end;
}

WalLsn
WalAppend(uint64 stream_id, uint64 stream_epoch, int64 base_offset,
		  uint32 record_count, int64 max_timestamp, const void *data, uint32 len)
{
	WalAppendItem item;

	memset(&item, 0, sizeof(item));
	item.stream_id = stream_id;
	item.stream_epoch = stream_epoch;
	item.base_offset = base_offset;
	item.record_count = record_count;
	item.max_timestamp = max_timestamp;
	item.data = data;
	item.len = len;
	return WalAppendMulti(&item, 1);
}

void
WalWaitFlushed(WalLsn end_lsn)
{
	WalSlotState *me;

	if (__atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST) >= end_lsn)
		return;
	me = my_wal_slot();
	for (;;)
	{
		ResetLatch(MyLatch);
		/* (Re-)arm: the writer disarms the request when it wakes us. */
		WalRequestFlushWakeup(end_lsn);
		if (__atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST) >= end_lsn)
			break;
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
	__atomic_store_n(&me->wait_flush_lsn, 0, __ATOMIC_SEQ_CST);
}

void
WalRequestFlushWakeup(WalLsn end_lsn)
{
	WalSlotState *me = my_wal_slot();
	uint64		prev = __atomic_exchange_n(&me->wait_flush_lsn, end_lsn, __ATOMIC_SEQ_CST);

	/* Poke the writer only when this is news to it. */
	if (prev != end_lsn)
		SetLatch(AuxProcLatch(PROC_WALWRITER));
}

void
WalCancelFlushWakeup(void)
{
	__atomic_store_n(&my_wal_slot()->wait_flush_lsn, 0, __ATOMIC_SEQ_CST);
}

WalLsn
WalFlushedLsn(void)
{
	return __atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST);
}

WalLsn
WalInsertLsn(void)
{
	return __atomic_load_n(&WalShmem->reserved, __ATOMIC_SEQ_CST);
}

WalLsn
WalTrimLsn(void)
{
	return __atomic_load_n(&WalShmem->trim_requested, __ATOMIC_SEQ_CST);
}

void
WalTrim(WalLsn lsn)
{
	WalLsn		flushed = WalFlushedLsn();
	WalLsn		cur;

	/*
	 * Trim positions must be record boundaries at or below the flushed
	 * position (recovery starts scanning there): the uploader passes the
	 * end LSN of the last record it uploaded.
	 */
	if (lsn > flushed)
	{
		elog(WARNING, "WAL trim to LSN %llu ignored: only %llu is flushed",
			 (unsigned long long) lsn, (unsigned long long) flushed);
		return;
	}
	cur = __atomic_load_n(&WalShmem->trim_requested, __ATOMIC_SEQ_CST);
	while (cur < lsn)
	{
		if (__atomic_compare_exchange_n(&WalShmem->trim_requested, &cur, lsn, false,
										__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		{
			SetLatch(AuxProcLatch(PROC_WALWRITER));
			break;
		}
	}
}

void
WalRequestUploadWakeup(WalLsn lsn)
{
	__atomic_store_n(&WalShmem->upload_wake_lsn, lsn, __ATOMIC_SEQ_CST);
	if (WalFlushedLsn() >= lsn)
		SetLatch(AuxProcLatch(PROC_UPLOADER));
}

uint64
WalCapacity(void)
{
	WalWaitReady();
	return WalShmem->capacity;
}

void
WalSetNodeEpoch(uint64 epoch)
{
	__atomic_store_n(&WalShmem->node_epoch, epoch, __ATOMIC_SEQ_CST);
	SetLatch(AuxProcLatch(PROC_WALWRITER));
}

uint64
WalNodeEpoch(void)
{
	return __atomic_load_n(&WalShmem->durable_node_epoch, __ATOMIC_SEQ_CST);
}

/* ---- run by the WAL writer ---- */

void
WalWakeFlushWaiters(WalLsn flushed)
{
	for (int i = 0; i < WalShmem->nslots; i++)
	{
		uint64		w = __atomic_load_n(&WalShmem->slots[i].wait_flush_lsn, __ATOMIC_SEQ_CST);

		/* Disarm, then wake: one wakeup per request, however many flushes. */
		if (w != 0 && w <= flushed &&
			__atomic_compare_exchange_n(&WalShmem->slots[i].wait_flush_lsn, &w, 0, false,
										__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			SetLatch(&ProcArray->slots[i].latch);
	}
}

void
WalWakeSpaceWaiters(void)
{
	for (int i = 0; i < WalShmem->nslots; i++)
	{
		if (__atomic_load_n(&WalShmem->slots[i].wait_space, __ATOMIC_SEQ_CST))
			SetLatch(&ProcArray->slots[i].latch);
	}
}

void
WalGetStats(WalStats *stats)
{
	stats->appends = WalAtomicRead(&WalShmem->stats.appends);
	stats->append_bytes = WalAtomicRead(&WalShmem->stats.append_bytes);
	stats->writes = WalAtomicRead(&WalShmem->stats.writes);
	stats->write_bytes = WalAtomicRead(&WalShmem->stats.write_bytes);
	stats->backpressure_waits = WalAtomicRead(&WalShmem->stats.backpressure_waits);
	stats->header_writes = WalAtomicRead(&WalShmem->stats.header_writes);
	stats->recovered_records = WalAtomicRead(&WalShmem->stats.recovered_records);
	stats->recovered_bytes = WalAtomicRead(&WalShmem->stats.recovered_bytes);
}
