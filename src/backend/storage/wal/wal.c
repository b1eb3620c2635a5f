/*-------------------------------------------------------------------------
 *
 * wal.c
 *	  The WAL ring in shared memory: appending, waiting for durability,
 *	  back-pressure and trimming.  The WAL writer process
 *	  (postmaster/walwriter.c, with walaio.c) moves the bytes to the
 *	  device; recovery (walrecovery.c) fills the ring at start.
 *
 *	  An append takes the insert spinlock only to compute where its records
 *	  go (a few additions, plus the log cache index entries), advances the
 *	  reserved position and notes in its process slot that it is copying
 *	  from that LSN on.  It copies the record header and body outside the
 *	  lock, then clears the note: that is "publishing".  The WAL writer
 *	  computes the published position as the smallest LSN any slot is still
 *	  copying at (or reserved, if none is), and writes everything below.
 *
 *	  Waiting never polls.  An appender that wants durability first tries
 *	  the fast path (WalTryFlush, PostgreSQL's XLogFlush done the same way):
 *	  if no device write is in progress, it takes write_lck and writes and
 *	  syncs everything published itself, with one synchronous O_DIRECT
 *	  pwrite, and wakes the other waiters that write satisfied.  On this
 *	  kind of machine (2 paravirtualised vCPUs) a process wake-up costs
 *	  more than a 4 KiB O_DSYNC write, and the slow path below needs two of
 *	  them per acknowledgement.  Otherwise (a libaio write of the WAL writer
 *	  or another appender's write is in progress) it puts the LSN it waits
 *	  for in its slot and sleeps on its latch; after every flush whoever
 *	  flushed sets the latches of exactly the slots whose LSN is now
 *	  flushed.  An appender that finds the WAL full sets wait_space and
 *	  sleeps; the WAL writer wakes those after it made a trim durable.
 *
 *	  Since a waiting appender writes itself, an append does not wake the
 *	  WAL writer unless a write is in progress already (then the writer
 *	  will find the new bytes when it reaps, and may submit them alongside).
 *	  It remembers the kick it owes instead; waiting, WalKickWriter or
 *	  proc_exit pay it.
 *
 * src/backend/storage/wal/wal.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/crc32c.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

WalShmemStruct *WalShmem = NULL;

/*
 * This process's appends that the WAL writer was not told about (see the
 * file comment): the largest end LSN, or 0.
 */
static WalLsn kick_owed = 0;

/*
 * This process's descriptor of the WAL device for WalTryFlush, opened on
 * first use with the WAL writer's flags.  It belongs to one recovery of
 * the device (wal_id and generation): a test that recreates shared memory
 * and the device gets a fresh one.
 */
static int	flush_fd = -1;
static uint32 flush_fd_wal_id;
static uint32 flush_fd_generation;
static bool flush_fd_failed = false;

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
	WalShmem->upload_wake_lsn = WAL_NO_UPLOAD_WAKEUP;
	SMutexInit(&WalShmem->write_lck);
	WalShmem->write_pos = 0;
	WalShmem->aio_inflight = 0;
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
		WalShmem->slots[i].read_pin = WAL_NO_PIN;
	}
	p += sizeof(WalSlotState) * (size_t) WalShmem->nslots;
	WalShmem->ring = (char *) TYPEALIGN(WAL_BLOCK_SIZE, (uintptr_t) p);
	WalShmem->ring_size = WalRingSize();
	/* The geometry below is fixed by recovery, which reads the device. */
	WalShmem->dev_data_size = 0;
	WalShmem->capacity = 0;
	WalShmem->ready = 0;
}

/* ---- populating this process's view of the ring ---- */

/*
 * Each process maps the ring (shared memory) page by page as it first
 * touches it: a backend that appends 256 MB took 65,536 page faults doing
 * so, a tenth of the broker's CPU in a produce benchmark with a new
 * connection per run.  Instead, the first touch of each RING_CHUNK asks the
 * kernel to map the whole chunk at once (MADV_POPULATE_WRITE or _READ,
 * Linux 5.14); on a kernel without them the pages fault in as before.  The
 * bitmaps of chunks done are this process's own (a forked child starts
 * with none: the postmaster never touches the ring).
 */
#define RING_CHUNK		(2 * 1024 * 1024)

static uint8 *ring_mapped_rw = NULL;	/* populated for writing */
static uint8 *ring_mapped_r = NULL;	/* for reading (or writing) */

static void
ring_populate_chunks(uint64 off, uint64 len, bool write)
{
	uint64		nchunks = (WalShmem->ring_size + RING_CHUNK - 1) / RING_CHUNK;
	uint8	   *done;

	if (ring_mapped_rw == NULL)
	{
		/* zeroed: nothing populated yet; never freed (the process's life) */
		ring_mapped_rw = calloc((size_t) (nchunks + 7) / 8, 1);
		ring_mapped_r = calloc((size_t) (nchunks + 7) / 8, 1);
		if (ring_mapped_rw == NULL || ring_mapped_r == NULL)
		{
			free(ring_mapped_rw);
			free(ring_mapped_r);
			ring_mapped_rw = ring_mapped_r = NULL;
			return;				/* no memory for 16 bytes: let pages fault */
		}
	}
	done = write ? ring_mapped_rw : ring_mapped_r;
	for (uint64 c = off / RING_CHUNK; c <= (off + len - 1) / RING_CHUNK && c < nchunks; c++)
	{
		uint64		start = c * RING_CHUNK;

		if (done[c / 8] & (1 << (c % 8)))
			continue;
#if defined(MADV_POPULATE_WRITE) && defined(MADV_POPULATE_READ)
		(void) madvise(WalShmem->ring + start, (size_t) Min((uint64) RING_CHUNK, WalShmem->ring_size - start),
					   write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
#endif
		done[c / 8] |= (uint8) (1 << (c % 8));
		if (write)
			ring_mapped_r[c / 8] |= (uint8) (1 << (c % 8));
	}
}

void
WalRingPopulate(WalLsn lsn, size_t len, bool write)
{
	uint64		R = WalShmem->ring_size;
	uint64		off = lsn % R;
	uint64		first = Min((uint64) len, R - off);

	if (len == 0)
		return;
	ring_populate_chunks(off, first, write);
	if (first < len)
		ring_populate_chunks(0, len - first, write);
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

/*
 * Run by the WAL writer (walaio.c) with write_lck held, before it writes up
 * to published: if published ends inside a block and nothing is reserved
 * beyond it (no appender is copying in, none has reserved since), reserve
 * a padding record from there to the end of the block -- of the next block
 * when fewer than a record header's bytes are left, or to the end of the
 * data area if that comes first -- and write its header into the ring.
 * The write then ends on a whole block and the appends after it start in
 * a fresh one, so the next write can be in flight together with this one
 * instead of waiting to write the same block again (the device may apply
 * two writes of one block in either order).  Costs at most a block and a
 * header of WAL space per write.  Returns the new published position, or
 * published itself if it could not pad (an append is reserved past it, or
 * the padding does not fit before the WAL is full).
 *
 * The writer's slot says it is copying while it writes the header, as an
 * appender's would, though nobody else may write the ring to the device
 * while write_lck is held.
 */
WalLsn
WalPadToBlock(WalLsn published)
{
	WalSlotState *me;
	uint64		D = WalShmem->dev_data_size;
	uint64		off = published % D;
	uint64		gap;
	uint32		generation;

	Assert(SMutexIsLocked(&WalShmem->write_lck));
	if (published % WAL_BLOCK_SIZE == 0)
		return published;
	gap = WAL_BLOCK_SIZE - published % WAL_BLOCK_SIZE;
	if (gap < WAL_RECORD_HEADER_SIZE)
		gap += WAL_BLOCK_SIZE;
	if (off + gap > D)
		gap = D - off;			/* the data area ends first */

	me = my_wal_slot();
	SpinLockAcquire(&WalShmem->insert_lck);
	if (WalShmem->reserved != published ||
		published + gap > WalShmem->limit_base + WalShmem->capacity)
	{
		SpinLockRelease(&WalShmem->insert_lck);
		return published;
	}
	__atomic_store_n(&me->inserting_at, published, __ATOMIC_SEQ_CST);
	__atomic_store_n(&WalShmem->reserved, published + gap, __ATOMIC_SEQ_CST);
	generation = WalShmem->generation;
	SpinLockRelease(&WalShmem->insert_lck);

	/* A gap too small for a header (the data area's end) stays unmarked. */
	write_padding(published, gap, generation, WalShmem->wal_id);
	__atomic_store_n(&me->inserting_at, WAL_NOT_INSERTING, __ATOMIC_SEQ_CST);
	WalAtomicAdd(&WalShmem->stats.padding_bytes, gap);
	return published + gap;
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

/* The record header of an append item (crc left zero). */
static void
fill_record_header(WalRecordHeader *hdr, const WalAppendItem *it, uint32 generation)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = WAL_RECORD_MAGIC;
	hdr->body_len = it->len;
	hdr->record_count = it->record_count;
	hdr->lsn = it->lsn;
	hdr->stream_id = it->stream_id;
	hdr->stream_epoch = it->stream_epoch;
	hdr->base_offset = it->base_offset;
	hdr->max_timestamp = it->max_timestamp;
	hdr->generation = generation;
	hdr->wal_id = WalShmem->wal_id;
}

/*
 * Reserve space for the items, waiting (back-pressure) while the WAL is
 * full: place each record (filling its lsn and end_lsn, and pad[i], the
 * padding before it), index them in the log cache, advance the reserved
 * position and note in our slot that we are copying from the start.
 * Takes insert_lck for the placement only; sleeps on MyLatch without it.
 * Returns the end of the reservation; *generation gets the device
 * generation the records are written with.
 */
static WalLsn
reserve_records(WalSlotState *me, WalAppendItem *items, int nitems, uint64 *pad,
				uint32 *generation)
{
	WalLsn		start;
	WalLsn		end;
	bool		no_index_logged = false;
	uint64		wait_start_us = 0;

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
			*generation = WalShmem->generation;
			for (int i = 0; i < nitems; i++)
			{
				WalRecordHeader hdr;

				fill_record_header(&hdr, &items[i], *generation);
				if (!LogCacheAddEntryLocked(&hdr, items[i].lsn))
					no_index_logged = true;
			}
			SpinLockRelease(&WalShmem->insert_lck);
			break;
		}
		SpinLockRelease(&WalShmem->insert_lck);
		if (attempt == 0)
		{
			wait_start_us = MetricsNowUs();
			log_backpressure();

			/*
			 * Space comes back only once what fills the WAL is flushed and
			 * then trimmed, and our own earlier appends (a pipelining
			 * backend's) may be what nobody has told the writer about.
			 */
			WalKickWriter();
			continue;			/* set wait_space, then check again */
		}
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
	if (me->wait_space)
		__atomic_store_n(&me->wait_space, 0, __ATOMIC_SEQ_CST);
	if (wait_start_us != 0)
		MetricsObserve(METRIC_WAL_BACKPRESSURE_WAIT, MetricsNowUs() - wait_start_us);

	if (no_index_logged)
		elog(WARNING, "log cache stream table is full: new streams' batches are not indexed (fetches read them from object storage); raise log_cache_size");
	return end;
}

/* Copy reserved records into the ring (no lock: the space is ours). */
static void
copy_records(const WalAppendItem *items, int nitems, const uint64 *pad, uint32 generation)
{
	for (int i = 0; i < nitems; i++)
	{
		const WalAppendItem *it = &items[i];
		WalRecordHeader hdr;
		uint64		size = WalRecordSize(it->len);

		WalRingPopulate(it->lsn - pad[i], (size_t) (pad[i] + size), true);
		if (pad[i] > 0)
			write_padding(it->lsn - pad[i], pad[i], generation, WalShmem->wal_id);
		fill_record_header(&hdr, it, generation);
		if (it->crc_tail_from > 0 && it->crc_tail_from <= it->len)
			hdr.crc = WalRecordComputeCrcKnownTail(&hdr, it->data, it->len,
												   it->crc_tail_from, it->crc_tail);
		else
			WalRecordSetCrc(&hdr, it->data);
		WalRingWrite(it->lsn, &hdr, sizeof(hdr));
		WalRingWrite(it->lsn + WAL_RECORD_HEADER_SIZE, it->data, it->len);
		ring_zero(it->lsn + WAL_RECORD_HEADER_SIZE + it->len,
				  (size_t) (size - WAL_RECORD_HEADER_SIZE - it->len));
		WalAtomicAdd(&WalShmem->stats.append_bytes, it->len);
	}
	WalAtomicAdd(&WalShmem->stats.appends, (uint64) nitems);
}

/*
 * Publish our copied records [start, end).  Then decide whether the WAL
 * writer must be woken for them:
 *
 * - While the writer has libaio writes in flight (aio_inflight > 0), no:
 *   it reaps each completion and then looks at what is published, which
 *   includes our bytes.  Only an append that takes the published-but-
 *   unwritten data past WAL_PIPELINE_MIN_IO wakes it, so that it can start
 *   another write alongside those in flight; an append of a few KiB does
 *   not cost a process wake-up.
 * - Else, if write_lck is held (an appender's synchronous write, or the
 *   writer between rounds), yes: whoever holds it may have computed the
 *   published position before our store, and then nobody else would write
 *   our bytes before our caller waits.
 * - Else, if more than WAL_SYNC_WRITE_MAX is unwritten, yes: no appender
 *   writes that much itself, and the writer can start while our caller (a
 *   backend with more pipelined requests to read) goes on appending.
 * - Else not now: our caller's wait writes them itself (WalTryFlush), and
 *   waking the writer would only make it race us for write_lck.  The kick
 *   is owed (WalKickWriter, WalRequestFlushWakeup, proc_exit).
 *
 * Both sides use sequentially consistent atomics: the writer stores
 * aio_inflight (under write_lck) before it next computes the published
 * position, and we load it after our store.  So if we see writes in
 * flight, the writer's next look comes after our store and sees our
 * bytes; and if it missed them while holding the lock, we see either its
 * writes in flight or the lock.
 */
static void
publish_records(WalSlotState *me, WalLsn start, WalLsn end)
{
	WalLsn		unwritten;

	__atomic_store_n(&me->inserting_at, WAL_NOT_INSERTING, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&WalShmem->aio_inflight, __ATOMIC_SEQ_CST) != 0)
	{
		unwritten = __atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST);
		if (end >= unwritten + WAL_PIPELINE_MIN_IO && start < unwritten + WAL_PIPELINE_MIN_IO)
			SetLatch(AuxProcLatch(PROC_WALWRITER));
		kick_owed = 0;
	}
	else if (!wal_appender_flush || SMutexIsLocked(&WalShmem->write_lck) ||
			 end - __atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST) > WAL_SYNC_WRITE_MAX)
	{
		SetLatch(AuxProcLatch(PROC_WALWRITER));
		kick_owed = 0;
	}
	else
		kick_owed = Max(kick_owed, end);
}

/*
 * Append the items as one reservation (see wal.h).  The steps: check the
 * sizes, reserve (waiting while the WAL is full), copy outside the lock,
 * publish.  A group too large for one reservation goes record by record.
 */
WalLsn
WalAppendMulti(WalAppendItem *items, int nitems)
{
	WalSlotState *me;
	uint64		pads[64];
	uint64	   *pad = pads;
	uint64		total = 0;
	WalLsn		start;
	WalLsn		end;
	uint32		generation = 0;

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
	end = reserve_records(me, items, nitems, pad, &generation);
	start = items[0].lsn - pad[0];
	copy_records(items, nitems, pad, generation);
	if (pad != pads)
		pfree(pad);
	publish_records(me, start, end);
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

	if (WalTryFlush(end_lsn))
		return;
	me = my_wal_slot();
	for (;;)
	{
		ResetLatch(MyLatch);
		/* (Re-)arm: whoever flushes disarms the request when it wakes us. */
		WalRequestFlushWakeup(end_lsn);
		if (__atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST) >= end_lsn)
			break;
		WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);

		/*
		 * Woken: flushed, or the write in progress ended short of our
		 * record (it was computed before we published).  If nobody is
		 * writing now, write the rest ourselves.
		 */
		if (__atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST) < end_lsn)
		{
			__atomic_store_n(&me->wait_flush_lsn, 0, __ATOMIC_SEQ_CST);
			if (WalTryFlush(end_lsn))
				break;
		}
	}
	__atomic_store_n(&me->wait_flush_lsn, 0, __ATOMIC_SEQ_CST);
}

void
WalRequestFlushWakeup(WalLsn end_lsn)
{
	WalSlotState *me = my_wal_slot();
	uint64		prev = __atomic_exchange_n(&me->wait_flush_lsn, end_lsn, __ATOMIC_SEQ_CST);

	/*
	 * With libaio writes in flight the writer needs no poke: our records
	 * are published (we appended them before waiting), and after its next
	 * completion it writes what is published and scans the waiters, which
	 * includes us (we armed before looking at aio_inflight; see
	 * publish_records).  Otherwise poke it when this is news to it, or when
	 * it was never told about this process's appends (it writes everything
	 * published, so one poke covers both).
	 */
	if (__atomic_load_n(&WalShmem->aio_inflight, __ATOMIC_SEQ_CST) != 0)
		kick_owed = 0;
	else if (prev != end_lsn || kick_owed > 0)
	{
		kick_owed = 0;
		SetLatch(AuxProcLatch(PROC_WALWRITER));
	}
}

void
WalKickWriter(void)
{
	if (kick_owed == 0)
		return;
	if (WalShmem != NULL &&
		__atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST) < kick_owed &&
		AuxProcLatch(PROC_WALWRITER) != NULL)
		SetLatch(AuxProcLatch(PROC_WALWRITER));
	kick_owed = 0;
}

/* The LSN below which every reserved record has been copied in. */
WalLsn
WalComputePublished(void)
{
	WalLsn		r;

	SpinLockAcquire(&WalShmem->insert_lck);
	r = WalShmem->reserved;
	SpinLockRelease(&WalShmem->insert_lck);
	for (int i = 0; i < WalShmem->nslots; i++)
	{
		uint64		v = __atomic_load_n(&WalShmem->slots[i].inserting_at, __ATOMIC_SEQ_CST);

		if (v < r)
			r = v;
	}
	return r;
}

bool
WalAdvanceFlushedLocked(WalLsn new_flush)
{
	bool		streams_moved;

	Assert(new_flush >= WalShmem->flushed);
	streams_moved = LogCacheFlushAdvanced(new_flush);
	__atomic_store_n(&WalShmem->flushed, new_flush, __ATOMIC_SEQ_CST);
	return streams_moved;
}

/*
 * Open (or reopen, after a new recovery) this process's descriptor of the
 * WAL device for WalTryFlush, with the flags the WAL writer uses.  Called
 * without write_lck.  Returns false, after one WARNING, if it cannot: the
 * process then always leaves the writing to the WAL writer.
 */
static bool
flush_fd_ready(void)
{
	char	   *path;
	int			flags = O_RDWR | O_DIRECT | O_CLOEXEC;

	if (flush_fd >= 0 && flush_fd_wal_id == WalShmem->wal_id &&
		flush_fd_generation == WalShmem->generation)
		return true;
	if (flush_fd_failed)
		return false;
	if (flush_fd >= 0)
		close(flush_fd);
	if (wal_sync_method == WAL_SYNC_O_DSYNC)
		flags |= O_DSYNC;
	path = WalDevicePath();
	flush_fd = open(path, flags);
	if (flush_fd < 0)
	{
		elog(WARNING, "could not open WAL device \"%s\" to write the WAL from this process: %s; leaving the writing to the WAL writer",
			 path, strerror(errno));
		flush_fd_failed = true;
		pfree(path);
		return false;
	}
	pfree(path);
	flush_fd_wal_id = WalShmem->wal_id;
	flush_fd_generation = WalShmem->generation;
	return true;
}

/*
 * Write the ring from write_pos to upto (4 KiB-aligned span, split where
 * the ring or the device's data area wraps) with synchronous pwrites, and
 * sync per wal_sync_method.  write_lck held, no libaio write in flight.
 * Any failure is a PANIC, as in the WAL writer: whether the bytes reached
 * the device is unknown, so nothing may be acknowledged after it.
 */
static void
sync_write_ring(WalLsn upto)
{
	uint64		R = WalShmem->ring_size;
	uint64		D = WalShmem->dev_data_size;
	WalLsn		pos = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, WalShmem->write_pos);
	WalLsn		end_blk = TYPEALIGN(WAL_BLOCK_SIZE, upto);
	uint64		t0 = MonotonicNs();
	uint64		total = 0;
	uint64		nwrites = 0;

	while (pos < end_blk)
	{
		uint64		len = end_blk - pos;
		ssize_t		n;

		len = Min(len, D - pos % D);
		len = Min(len, R - pos % R);
		n = pwrite(flush_fd, WalShmem->ring + pos % R, (size_t) len,
				   (off_t) (WAL_DATA_START + pos % D));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			elog(PANIC, "could not write to the WAL device: %s", strerror(errno));
		if ((uint64) n != len)
			elog(PANIC, "short write to the WAL device: %zd of %llu bytes", n,
				 (unsigned long long) len);
		pos += len;
		total += len;
		nwrites++;
	}
	if (wal_sync_method == WAL_SYNC_FDATASYNC && fdatasync(flush_fd) < 0)
		elog(PANIC, "could not fdatasync the WAL device: %s", strerror(errno));
	MetricsObserve(METRIC_WAL_FLUSH_BYTES, upto - WalShmem->write_pos);
	MetricsObserve(METRIC_WAL_FLUSH_DURATION, (MonotonicNs() - t0) / 1000);
	__atomic_store_n(&WalShmem->write_pos, upto, __ATOMIC_SEQ_CST);
	WalAtomicAdd(&WalShmem->stats.writes, nwrites);
	WalAtomicAdd(&WalShmem->stats.write_bytes, total);
	WalAtomicAdd(&WalShmem->stats.sync_writes, nwrites);
	WalAtomicAdd(&WalShmem->stats.sync_write_bytes, total);
	WalAtomicAdd(&WalShmem->stats.write_ns, MonotonicNs() - t0);
}

/*
 * Run by appenders (backends) that would otherwise sleep until end_lsn is
 * flushed; see wal.h.  Takes write_lck only with SMutexTryLock, and only
 * when no libaio write is in flight, so it never waits for anybody.
 */
bool
WalTryFlush(WalLsn end_lsn)
{
	WalLsn		flushed = __atomic_load_n(&WalShmem->flushed, __ATOMIC_SEQ_CST);
	WalLsn		published;
	bool		advanced = false;
	bool		streams_moved = false;

	if (flushed >= end_lsn)
		goto done;
	if (!wal_appender_flush)
		return false;
	if (__atomic_load_n(&WalShmem->aio_inflight, __ATOMIC_SEQ_CST) != 0 ||
		SMutexIsLocked(&WalShmem->write_lck))
		return false;
	if (WalInsertLsn() - __atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST) > WAL_SYNC_WRITE_MAX)
		return false;			/* a job for the WAL writer (see WAL_SYNC_WRITE_MAX) */
	if (!WalIsReady() || !flush_fd_ready())
		return false;
	if (!SMutexTryLock(&WalShmem->write_lck))
		return false;

	/*
	 * Under the lock: aio_inflight == 0 means every write of the WAL writer
	 * has been reaped, and with it the flushed position advanced to
	 * write_pos; nobody else writes until we release the lock.
	 */
	if (WalShmem->aio_inflight != 0)
	{
		SMutexUnlock(&WalShmem->write_lck);
		return false;
	}
	Assert(WalShmem->flushed == WalShmem->write_pos);
	published = WalComputePublished();
	if (published - WalShmem->write_pos > WAL_SYNC_WRITE_MAX)
	{
		SMutexUnlock(&WalShmem->write_lck);
		return false;
	}
	if (published > WalShmem->write_pos)
	{
		sync_write_ring(published);
		streams_moved = WalAdvanceFlushedLocked(published);
		advanced = true;
	}
	flushed = WalShmem->flushed;
	SMutexUnlock(&WalShmem->write_lck);
	if (advanced)
		WalWakeFlushWaiters(flushed);
	if (streams_moved)
		LogCacheWakeDataWaiters();
	if (flushed < end_lsn)
	{
		/*
		 * A record below ours is still being copied in: its appender
		 * flushes it (and ours) when it waits, or the writer does.
		 */
		return false;
	}

done:
	if (kick_owed <= flushed)
		kick_owed = 0;
	return true;
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
	stats->pipelined_writes = WalAtomicRead(&WalShmem->stats.pipelined_writes);
	stats->write_bytes = WalAtomicRead(&WalShmem->stats.write_bytes);
	stats->write_ns = WalAtomicRead(&WalShmem->stats.write_ns);
	stats->sync_writes = WalAtomicRead(&WalShmem->stats.sync_writes);
	stats->sync_write_bytes = WalAtomicRead(&WalShmem->stats.sync_write_bytes);
	stats->backpressure_waits = WalAtomicRead(&WalShmem->stats.backpressure_waits);
	stats->padding_bytes = WalAtomicRead(&WalShmem->stats.padding_bytes);
	stats->header_writes = WalAtomicRead(&WalShmem->stats.header_writes);
	stats->recovered_records = WalAtomicRead(&WalShmem->stats.recovered_records);
	stats->recovered_bytes = WalAtomicRead(&WalShmem->stats.recovered_bytes);
}
