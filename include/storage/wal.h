/*-------------------------------------------------------------------------
 *
 * wal.h
 *	  The write-ahead log: a shared-memory ring that backends append record
 *	  batches to, written to the WAL device by the WAL writer.
 *
 *	  Positions are LSNs: byte positions in an endless logical log.  The ring
 *	  in shared memory (log_cache_size bytes) holds LSN x at x % ring_size;
 *	  the device holds it at WAL_DATA_START + x % device_data_size.  Four
 *	  positions move forward only:
 *
 *		trim <= flushed <= published <= reserved
 *
 *	  reserved:  next LSN handed out to an appender (under the insert lock);
 *	  published: every record below it has been copied into the ring;
 *	  flushed:   every record below it is durable on the device;
 *	  trim:      everything below it is safe in object storage (WalTrim).
 *
 *	  The ring IS the log cache (storage/logcache.h): fetches read records
 *	  straight from it, and bytes below trim stay readable until the space
 *	  is needed again.  An appender may use space up to
 *	  align_down(durable trim, 4 KiB) + min(ring size, device data size);
 *	  past that it waits (back-pressure) until the uploader trims.
 *
 *	  Contract for appenders (backends):
 *	  - The process must own a process slot (MyProcSlot, MyLatch).
 *	  - Appends of one stream must be serialised by the caller (the
 *	    partition's append lock held across WalAppend), so that a stream's
 *	    records are in offset order in the WAL.
 *	  - WalAppend* returns the end LSN of what it appended once the bytes
 *	    are in the ring; durability needs WalWaitFlushed(end_lsn) (or
 *	    WalTryFlush / WalRequestFlushWakeup).  Neither ever fails because
 *	    the WAL is full: they sleep until space is trimmed.  A record larger
 *	    than a quarter of the WAL's capacity is a caller bug (ERROR).
 *	  - An append wakes the WAL writer only if a device write is already in
 *	    progress.  Otherwise the appender is expected to wait for its record
 *	    next, and waiting writes the ring itself when no write is in
 *	    progress (as PostgreSQL's XLogFlush does), which saves the two
 *	    process wake-ups (appender to writer, writer to appender) that cost
 *	    more than the write on a small VM.  A caller that appends without
 *	    waiting (acks=0) calls WalKickWriter() afterwards; proc_exit pays a
 *	    kick still owed, so bytes never sit unwritten in the ring.
 *	  - Before recovery has finished (WalIsReady), appends wait for it.
 *
 * include/storage/wal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_WAL_H
#define STRATA_WAL_H

#include "c.h"

typedef uint64 WalLsn;

#define WAL_BLOCK_SIZE			4096
#define WAL_HEADER_BLOCKS		2
#define WAL_DATA_START			(WAL_HEADER_BLOCKS * WAL_BLOCK_SIZE)
#define WAL_RECORD_ALIGN		8

/* ---- Device header (one 4 KiB block, two alternating copies) ---- */
#define WAL_HEADER_MAGIC		0x4c574453	/* "SDWL" little-endian */

/*
 * Version 2 lets a padding record end at any block boundary (the WAL
 * writer closes the block a write ends in, walaio.c); in version 1 padding
 * only ever ran to the end of the data area.  A version 1 device is read
 * as it is and becomes version 2 at recovery, before any new record;
 * an older binary refuses a version 2 device instead of stopping its
 * recovery at the first block padding.
 */
#define WAL_FORMAT_VERSION		2
#define WAL_FORMAT_VERSION_MIN	1

typedef struct WalDeviceHeader
{
	uint32		magic;			/* WAL_HEADER_MAGIC */
	uint32		version;		/* WAL_FORMAT_VERSION */
	uint64		capacity;		/* bytes of the device in use, headers included */
	uint64		sequence;		/* incremented by every header write; slot = seq % 2 */
	uint64		trim_lsn;		/* recovery scans from here */
	uint64		node_id;		/* broker_id of the owning broker */
	uint64		node_epoch;		/* the broker's epoch when it last opened the WAL */
	uint32		generation;		/* incremented at each recovery (see walrecovery.c) */
	uint32		block_size;		/* WAL_BLOCK_SIZE */
	int64		created_at;		/* Unix time in seconds (information only) */
	uint32		wal_id;			/* random, chosen at creation; every record
								 * carries it, so data of an earlier WAL on
								 * the same device never passes as ours */
	uint32		crc;			/* CRC-32C of the bytes before this field */
} WalDeviceHeader;

/*
 * ---- Record header (64 bytes, little-endian, records 8-byte aligned) ----
 *
 * A padding record fills space no record uses: the rest of the data area
 * before its end (a record never crosses it), or the rest of the block a
 * WAL write ends in -- into the next block when fewer than a header's
 * bytes are left there, so it is shorter than two blocks.  Its body is
 * not written.  When fewer than a header's bytes are left before the end
 * of the data area, nothing marks the gap: readers skip to the start.
 */
#define WAL_RECORD_MAGIC		0x52445453	/* "STDR" */
#define WAL_PADDING_MAGIC		0x50445453	/* "STDP" */

typedef struct WalRecordHeader
{
	uint32		magic;			/* WAL_RECORD_MAGIC or WAL_PADDING_MAGIC */
	uint32		body_len;		/* bytes after the header (padding: not written) */
	uint32		crc;			/* CRC-32C of header (crc field zero) + body */
	uint32		record_count;	/* Kafka records in the batch */
	uint64		lsn;			/* this record's own LSN: a stale record from an
								 * earlier lap of the device never matches */
	uint64		stream_id;
	uint64		stream_epoch;
	int64		base_offset;	/* Kafka offset of the first record */
	int64		max_timestamp;	/* Kafka maxTimestamp, for the object index */
	uint32		generation;		/* device header generation when written */
	uint32		wal_id;			/* the device header's wal_id */
} WalRecordHeader;

#define WAL_RECORD_HEADER_SIZE	((uint32) sizeof(WalRecordHeader))

StaticAssertDecl(sizeof(WalRecordHeader) == 64, "WalRecordHeader must be 64 bytes");
StaticAssertDecl(sizeof(WalDeviceHeader) <= WAL_BLOCK_SIZE, "device header fits a block");

/* Total aligned size a record with body_len bytes takes in the log. */
static inline uint64
WalRecordSize(uint64 body_len)
{
	return TYPEALIGN(WAL_RECORD_ALIGN, WAL_RECORD_HEADER_SIZE + body_len);
}

/* One record to append: a Kafka record batch of one stream. */
typedef struct WalAppendItem
{
	uint64		stream_id;
	uint64		stream_epoch;
	int64		base_offset;
	uint32		record_count;	/* offsets the batch spans (lastOffsetDelta + 1,
								 * which produce checks equals the record
								 * count): next offset = base + this */
	int64		max_timestamp;
	const void *data;			/* the record batch bytes */
	uint32		len;

	/*
	 * Optional, 0 if unused: crc_tail_from > 0 says that crc_tail is the
	 * CRC-32C of data[crc_tail_from, len), already computed by the caller
	 * over exactly the bytes to be appended (the Produce handler's verified
	 * Kafka batch CRC), so that the record's CRC reads only the header and
	 * the bytes before crc_tail_from, and combines (crc32c_combine).
	 */
	uint32		crc_tail_from;
	uint32		crc_tail;
	/* out: where it went */
	WalLsn		lsn;			/* start of its record header */
	WalLsn		end_lsn;		/* end of the record (what to wait for) */
} WalAppendItem;

/* ---- Format helpers (walformat.c; pure functions, used by the tests) ---- */

/* Fill hdr's checksum; body may be NULL for padding records. */
extern void WalRecordSetCrc(WalRecordHeader *hdr, const void *body);
/* CRC of a record whose body lies in up to two pieces (ring wrap). */
extern uint32 WalRecordComputeCrc(const WalRecordHeader *hdr,
								  const void *body1, size_t len1,
								  const void *body2, size_t len2);
/*
 * The same as WalRecordComputeCrc over one contiguous body of len bytes,
 * given tail_crc, the CRC-32C of body[tail_from, len): only the header and
 * the first tail_from bytes are read.
 */
extern uint32 WalRecordComputeCrcKnownTail(const WalRecordHeader *hdr,
										   const void *body, size_t len,
										   size_t tail_from, uint32 tail_crc);
extern void WalDeviceHeaderSetCrc(WalDeviceHeader *hdr);
/* True if the block holds a header with good magic, version and CRC. */
extern bool WalDeviceHeaderValid(const WalDeviceHeader *hdr);

/*
 * The checks made on a record header found at LSN pos (data_size: bytes
 * of the data area) before its body is read: its own LSN, magic, wal_id,
 * generation order (prev_generation: that of the record before, 0 for the
 * first), and a length that does not cross the end of the data area.
 * Returns NULL and sets *size (bytes the record takes) if plausible, else
 * why not.  The CRC is checked separately (WalRecordComputeCrc).
 */
extern const char *WalRecordHeaderCheck(const WalRecordHeader *hdr, WalLsn pos,
										uint64 data_size, const WalDeviceHeader *dev,
										uint32 prev_generation, uint64 *size);
/* The valid header copy with the highest sequence in the two header blocks, or NULL. */
extern const WalDeviceHeader *WalChooseHeader(const char *blocks);

/*
 * Read a WAL device without recovering it into shared memory, e.g. a dead
 * broker's device during failover: opens it read-only, takes its newest
 * valid header (whatever its node id), and calls cb for each data record
 * from the trim position on, in LSN order, with the same checks as
 * recovery, stopping at the first torn or corrupt record or when cb
 * returns false.  body is valid only during the call.  On failure returns
 * false with a one-line message in err; *dev gets the header used.
 */
typedef bool (*WalScanCallback) (const WalRecordHeader *hdr, const char *body, void *arg);
extern bool WalScanDevice(const char *path, WalDeviceHeader *dev, WalScanCallback cb,
						  void *arg, char *err, size_t errlen);

/*
 * After a recovery by another broker: advance the device's trim position
 * to trim_lsn and its node epoch to node_epoch (the fencing epoch), so the
 * fenced owner, restarted, does not replay what was recovered.  The device
 * must belong to node_id.  false with one line in err.
 */
extern bool WalMarkRecovered(const char *path, uint64 node_id, WalLsn trim_lsn, uint64 node_epoch,
							 char *err, size_t errlen);

/*
 * Create a WAL device: a file preallocated to size bytes (rounded down to
 * 4 KiB), or, for an existing block device, the whole device (size
 * ignored).  Writes both header blocks for node node_id, epoch 0, trim 0.
 * On failure returns false and puts a one-line message in err.
 * strata_ctl init calls this with wal_device / wal_size.
 */
extern bool WalDeviceCreate(const char *path, uint64 size, uint64 node_id,
							char *err, size_t errlen);

/* The path the settings name (wal_device, or DATADIR/wal/strata.wal); palloc'd. */
extern char *WalDevicePath(void);

/* ---- Shared memory ---- */
extern size_t WalShmemSize(void);
extern void WalShmemInit(void);

/* ---- Appending (backends) ---- */

/* Append one record batch; returns its end LSN (what to wait for). */
extern WalLsn WalAppend(uint64 stream_id, uint64 stream_epoch, int64 base_offset,
						uint32 record_count, int64 max_timestamp,
						const void *data, uint32 len);

/*
 * Append several records (e.g. one produce request's partitions) with one
 * reservation; fills each item's lsn/end_lsn and returns the largest end
 * LSN.  Records of one stream must be in offset order within items.
 */
extern WalLsn WalAppendMulti(WalAppendItem *items, int nitems);

/*
 * Largest record body an append accepts (a quarter of the WAL's capacity,
 * less the record header).  Callers refuse bigger batches before taking any
 * lock, since WalAppend* raises ERROR for them.  Waits for recovery.
 */
extern uint64 WalMaxRecordBytes(void);

/*
 * Sleep on MyLatch until the flushed position is >= end_lsn.  No polling:
 * the WAL writer sets exactly the latches of the waiters a flush satisfied.
 * May consume a latch wakeup meant for something else; callers re-check
 * their own conditions afterwards, as everywhere with latches.
 */
extern void WalWaitFlushed(WalLsn end_lsn);

/*
 * The fast path of WalWaitFlushed, for a process that would otherwise
 * sleep: if the flushed position is below end_lsn and no device write is
 * in progress, write and sync the ring in this process (one synchronous
 * O_DIRECT pwrite of the 4 KiB-aligned span of everything published, per
 * wal_sync_method), advance the flushed position and wake the other
 * waiters that satisfied.  Returns true if the flushed position is now
 * >= end_lsn; false if a write by someone else is in progress, another
 * append below end_lsn is still being copied, or more than 64 KiB waits to
 * be written (the WAL writer's libaio writes do better then) -- then arm
 * WalRequestFlushWakeup and sleep.  Never sleeps except in the write.
 */
extern bool WalTryFlush(WalLsn end_lsn);

/*
 * Make sure the WAL writer will write what this process appended, without
 * waiting for it (acks=0 produce).  Cheap when nothing is owed.
 */
extern void WalKickWriter(void);

/*
 * The non-blocking form, for a process that waits on other things too (a
 * backend pipelining produce requests waits on its socket as well): ask
 * the WAL writer to set MyLatch once the flushed position reaches end_lsn.
 * A later call replaces the request; the writer disarms it when it wakes
 * the process.  WalCancelFlushWakeup withdraws it.
 */
extern void WalRequestFlushWakeup(WalLsn end_lsn);
extern void WalCancelFlushWakeup(void);

/* Current positions (atomic reads). */
extern WalLsn WalFlushedLsn(void);
extern WalLsn WalInsertLsn(void);
extern WalLsn WalTrimLsn(void);

/* ---- Trimming (the uploader) ---- */

/*
 * Everything below lsn is safe in object storage: advance the trim
 * position (clamped to the flushed position; never moves back).  The WAL
 * writer rewrites the device header; once that is durable the space is
 * reused and appenders blocked on a full WAL are woken.
 */
extern void WalTrim(WalLsn lsn);

/*
 * The uploader: set its latch once the flushed position reaches lsn (its
 * upload threshold), so that it needs no timer to notice new data
 * (WAL_NO_UPLOAD_WAKEUP: none).  An appender that has to wait for space
 * sets it too, whatever the threshold.
 */
#define WAL_NO_UPLOAD_WAKEUP	UINT64_MAX
extern void WalRequestUploadWakeup(WalLsn lsn);

/* Bytes the WAL can hold before appends wait (min of ring and device). */
extern uint64 WalCapacity(void);

/*
 * The catalog worker, once it knows this broker's epoch: record it in the
 * device header (written by the WAL writer), so that whoever takes the
 * device over after a failure can tell which incarnation wrote it.
 */
extern void WalSetNodeEpoch(uint64 epoch);
extern uint64 WalNodeEpoch(void);

/* ---- Readiness and recovery ---- */

/* True once recovery has finished and appends/reads may proceed. */
extern bool WalIsReady(void);
/* Sleep on MyLatch until recovery has finished. */
extern void WalWaitReady(void);

/*
 * Recover the device named by the settings into the (freshly created)
 * shared memory: newest valid header, scan from trim, stop at the first
 * torn or corrupt record, rebuild ring and log cache, bump the generation
 * in the header, mark the WAL ready.  Run by the WAL writer at start; the
 * unit tests call it in-process.  Refuses (FATAL) a device of another
 * node, one smaller than its header says, or one that is not a WAL.
 * Returns the device fd (O_DIRECT, opened per wal_sync_method).
 */
extern int	WalRecover(void);

/* ---- The WAL writer's device writes (walaio.c) ---- */

/*
 * Run only by the WAL writer process (postmaster/walwriter.c), which owns
 * the device's libaio context.  WalAioInit takes the descriptor WalRecover
 * returned.  Each WalAioFlush is one round: reap completed writes, make a
 * requested trim durable, submit what was published since, wake the
 * waiters; it takes write_lck (waiting for an appender's write) and
 * returns the published position it saw.  WalAioIdle(that) says whether a
 * shutdown may end now; WalAioWaitFd is the completion eventfd to wait on
 * with the latch while writes are in flight (-1 when none is).
 */
extern void WalAioInit(int fd);
extern WalLsn WalAioFlush(void);
extern bool WalAioIdle(WalLsn published);
extern int	WalAioWaitFd(void);
extern void WalAioClose(void);

/* Statistics (shared counters). */
typedef struct WalStats
{
	uint64		appends;			/* records appended */
	uint64		append_bytes;
	uint64		writes;				/* device write I/Os (both kinds) */
	uint64		pipelined_writes;	/* of which the WAL writer submitted
									 * while another of its writes was in
									 * flight */
	uint64		write_bytes;
	uint64		write_ns;			/* sum over writes of submission to
									 * completion seen (Little's law: divided
									 * by elapsed time, the mean number of
									 * writes in flight) */
	uint64		sync_writes;		/* of which written by appenders
									 * themselves (WalTryFlush) */
	uint64		sync_write_bytes;
	uint64		backpressure_waits;	/* appends that had to wait for space */
	uint64		padding_bytes;		/* padding the WAL writer added to end
									 * its writes on a block boundary */
	uint64		header_writes;
	uint64		recovered_records;
	uint64		recovered_bytes;
} WalStats;
extern void WalGetStats(WalStats *stats);

#endif							/* STRATA_WAL_H */
