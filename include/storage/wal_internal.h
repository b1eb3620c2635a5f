/*-------------------------------------------------------------------------
 *
 * wal_internal.h
 *	  Shared-memory layout of the WAL ring and its log cache index.  Only
 *	  for storage/wal/ and storage/cache/; everybody else uses wal.h and
 *	  logcache.h.
 *
 *	  Locking: insert_lck (a spinlock, held for a few hundred instructions
 *	  at most) protects reserved, limit_base, limit_held, the slots'
 *	  read_pin and their count npins, entry_alloc, the entries being
 *	  allocated and the stream table's links.  (The WAL writer also reads
 *	  the slots' read_pin under it when it raises the limit after a trim,
 *	  but only while some pin is set.)  The positions that other
 *	  processes read without the lock (reserved, flushed, trim, ...) are
 *	  written with atomic stores.  The WAL writer alone writes durable_trim.
 *
 *	  write_lck (an SMutex: its holder may sleep in a device write) is held
 *	  by whoever moves the device's write position: the WAL writer while it
 *	  submits or reaps its libaio writes, or an appender that writes and
 *	  syncs the ring itself (wal.c, WalTryFlush).  It protects write_pos,
 *	  aio_inflight, flush_scan_seq, and the advancing of flushed and of the
 *	  streams' flushed_next.  An appender writes only when aio_inflight is 0
 *	  (read under the lock), which means every libaio write has completed
 *	  and flushed == write_pos, and the WAL writer's writes never share a
 *	  block with one in flight (each ends on a block boundary, padded, or
 *	  the next waits for it): so at most one write of a block is ever in
 *	  progress, and the flushed position advances in order.
 *
 * include/storage/wal_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_WAL_INTERNAL_H
#define STRATA_WAL_INTERNAL_H

#include "c.h"
#include "storage/spin.h"
#include "storage/wal.h"

#define WAL_NO_SEQ			UINT64_MAX
#define WAL_NOT_INSERTING	UINT64_MAX
#define WAL_NO_PIN			UINT64_MAX

/*
 * While writes are in flight, the WAL writer starts another only once at
 * least this much new data is published (walaio.c): smaller amounts wait
 * for the next completion and go with whatever has come by then.  So
 * writes stay large enough that the padding closing each one (at most a
 * block) costs little, and an appender wakes the writer only when its
 * append takes the unwritten data past this mark (wal.c).
 */
#define WAL_PIPELINE_MIN_IO	(64 * 1024)

/*
 * An appender writes the ring itself (WalTryFlush) only when at most this
 * much is waiting to be written: that saves the two process wake-ups a
 * small write through the WAL writer costs.  More goes to the WAL writer,
 * whose libaio writes can be several in flight while the appender -- a
 * backend reading pipelined produce requests -- goes on appending, instead
 * of it waiting for one synchronous write after another.
 */
#define WAL_SYNC_WRITE_MAX	(64 * 1024)

/* Per process slot (indexed like ProcArray->slots). */
typedef struct WalSlotState
{
	uint64		inserting_at;	/* start LSN of an append being copied, or
								 * WAL_NOT_INSERTING */
	uint64		wait_flush_lsn; /* waiting for flushed >= this; 0 none */
	uint32		wait_space;		/* waiting for ring space or readiness */
	uint32		data_waiting;	/* registered by LogCacheWaitRegister */
	uint64		data_wait_stream;
	int64		data_wait_offset;
	uint64		read_pin;		/* lowest LSN this process reads straight
								 * from the ring (LogCacheReadSlices), or
								 * WAL_NO_PIN; set and cleared under
								 * insert_lck */
} __attribute__((aligned(64))) WalSlotState;

/* One log cache index entry per WAL data record. */
typedef struct LogCacheEntry
{
	uint64		seq;			/* entry sequence number (from 1); slot = seq %
								 * nentries; 0 = empty */
	WalLsn		lsn;			/* start of the record header */
	uint64		stream_id;
	uint64		stream_epoch;
	int64		base_offset;
	uint32		record_count;
	uint32		body_len;
	uint64		prev_seq;		/* same stream; WAL_NO_SEQ if none */
	uint64		next_seq;
} LogCacheEntry;

typedef struct LogCacheStream
{
	uint32		in_use;
	uint32		pad;
	uint64		stream_id;
	uint64		stream_epoch;
	uint64		first_seq;		/* oldest entry still in the index */
	uint64		last_seq;
	int64		next_offset;	/* after the last appended batch */
	int64		flushed_next;	/* after the last durable batch */
} LogCacheStream;

typedef struct WalShmemStruct
{
	slock_t		insert_lck;
	/* protected by insert_lck */
	WalLsn		reserved;
	WalLsn		limit_base;		/* align_down(durable trim, block), or
								 * lower while read pins need it
								 * (logcache.c); appenders reserve up to
								 * limit_base + capacity */
	bool		limit_held;		/* a read pin holds limit_base down */
	int			npins;			/* slots with a read_pin set */
	uint64		entry_alloc;	/* next entry sequence number */

	/* atomics */
	WalLsn		flushed;
	WalLsn		trim_requested;
	WalLsn		durable_trim;
	uint32		ready;
	uint64		node_epoch;		/* requested (WalSetNodeEpoch) */
	uint64		durable_node_epoch; /* in the device header */
	uint32		backpressure_logged;
	WalLsn		upload_wake_lsn;	/* set the uploader's latch once flushed >= this */

	/* protected by write_lck (see above); read atomically without it */
	SMutex		write_lck;
	WalLsn		write_pos;		/* everything below is written, or in a
								 * libaio write in flight */
	uint32		aio_inflight;	/* libaio writes of the WAL writer not yet
								 * reaped */
	uint64		flush_scan_seq; /* first log cache entry not yet flushed */

	/* geometry, fixed by recovery */
	uint64		ring_size;
	uint64		dev_data_size;
	uint64		capacity;		/* min(ring_size, dev_data_size) */
	uint64		max_append;		/* capacity / 4 */
	uint32		generation;
	uint32		wal_id;

	uint64		nentries;
	uint32		nstreams;		/* power of two */
	int			nslots;

	WalStats	stats;			/* atomically incremented */

	/* pieces of the segment (the mapping is inherited at fork) */
	char	   *ring;
	WalSlotState *slots;
	LogCacheEntry *entries;
	LogCacheStream *streams;
} WalShmemStruct;

extern WalShmemStruct *WalShmem;

#define WalAtomicRead(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define WalAtomicWrite(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define WalAtomicAdd(p, v)		__atomic_fetch_add((p), (v), __ATOMIC_RELAXED)

/* Ring helpers: copy in/out at an LSN, wrapping at the ring end. */
/*
 * Map ring bytes [lsn, lsn + len) into this process ahead of use, a chunk
 * at a time (wal.c: first touches of shared memory fault page by page).
 */
extern void WalRingPopulate(WalLsn lsn, size_t len, bool write);
extern void WalRingWrite(WalLsn lsn, const void *src, size_t len);
extern void WalRingRead(WalLsn lsn, void *dst, size_t len);

/* logcache.c, called with insert_lck held; false if the stream table is full. */
extern bool LogCacheAddEntryLocked(const WalRecordHeader *hdr, WalLsn lsn);
/* logcache.c: true if allocating n more entries reuses none still untrimmed. */
extern bool LogCacheEntriesAvailableLocked(int n, WalLsn durable_trim);
extern size_t LogCacheEntriesSize(void);
extern uint64 LogCacheNumEntries(void);
extern uint32 LogCacheNumStreams(void);

/* Size of the ring from the settings (log_cache_size rounded down). */
extern uint64 WalRingSize(void);

/* wal.c: the LSN below which every reserved record has been copied in. */
extern WalLsn WalComputePublished(void);

/*
 * wal.c, WAL writer with write_lck held: end what is published on a block
 * boundary with a padding record, if nothing is reserved beyond it; returns
 * the new published position.
 */
extern WalLsn WalPadToBlock(WalLsn published);

/*
 * wal.c, with write_lck held: the device write (pwrite or io_submit) of
 * the ring from write_pos has ended at new_flush: make it the flushed
 * position (log cache streams first).  Returns true if any stream moved;
 * after releasing the lock call WalWakeFlushWaiters and, if true,
 * LogCacheWakeDataWaiters.
 */
extern bool WalAdvanceFlushedLocked(WalLsn new_flush);

/* wal.c, WAL writer: wake flush waiters / space waiters. */
extern void WalWakeFlushWaiters(WalLsn flushed);
extern void WalWakeSpaceWaiters(void);

/* walrecovery.c: open the device per wal_sync_method (FATAL on failure). */
extern int	WalDeviceOpen(const char *path, int64 *size);
/* walrecovery.c: write the next header copy with this trim; PANIC on error. */
extern void WalWriteHeader(int fd, WalLsn trim);

#endif							/* STRATA_WAL_INTERNAL_H */
