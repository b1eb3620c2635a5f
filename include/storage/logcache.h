/*-------------------------------------------------------------------------
 *
 * logcache.h
 *	  The log cache: recent record batches of every stream, served to
 *	  fetches from shared memory without touching any disk.
 *
 *	  The cache holds no copy of its own: its bytes are the WAL ring
 *	  (storage/wal.h).  What it adds is an index in shared memory:
 *
 *	  - an entry array used as a ring in LSN order, one entry per WAL
 *	    record (stream id, base offset, record count, LSN, length), with
 *	    links to the previous and next entry of the same stream;
 *	  - a stream table (open addressing on stream id) with each stream's
 *	    first and last cached entry, its next offset (everything appended)
 *	    and its flushed next offset (everything durable).
 *
 *	  Appenders add entries under the WAL insert lock.  Readers take no
 *	  lock: they copy what they need and then check that the entries and
 *	  bytes were not reused meanwhile (entry sequence numbers and the
 *	  ring's reserved position), retrying or reporting a miss.
 *	  Entries of data not yet trimmed (uploaded) are never reused: the
 *	  appender waits instead (back-pressure), like for ring space.
 *
 *	  Reads return only durable data (below the WAL's flushed position).
 *
 * include/storage/logcache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_LOGCACHE_H
#define STRATA_LOGCACHE_H

#include "c.h"
#include "storage/wal.h"

extern size_t LogCacheShmemSize(void);
extern void LogCacheShmemInit(void);

/*
 * Next offset of a stream as far as this broker's WAL knows it: after
 * recovery, the offset following the last recovered batch.  Returns false
 * if the stream has no record in the cache.  *flushed_next gets the next
 * offset of durable data only (may be NULL).
 */
extern bool LogCacheStreamEnd(uint64 stream_id, int64 *next_offset,
							  int64 *flushed_next);

/*
 * The stream is open here again from offset on (a partition moved back to
 * this broker): if what the cache holds of it ends below offset, from an
 * earlier time it was led here, forget that chain, so that its end and
 * high watermark are offset and reads below it go to object storage.
 * Takes the WAL insert lock; run by the catalog worker.
 */
extern void LogCacheStreamReopen(uint64 stream_id, int64 offset);

/* Iterate over streams that have records in the cache (e.g. recovered). */
typedef struct LogCacheStreamInfo
{
	uint64		stream_id;
	uint64		stream_epoch;	/* epoch of its last record */
	int64		start_offset;	/* base offset of its oldest cached batch */
	int64		next_offset;
	int64		flushed_next;
} LogCacheStreamInfo;

typedef struct LogCacheStreamIter
{
	uint32		pos;
} LogCacheStreamIter;

extern void LogCacheStreamIterInit(LogCacheStreamIter *it);
extern bool LogCacheStreamIterNext(LogCacheStreamIter *it, LogCacheStreamInfo *info);

/* Result of LogCacheRead. */
typedef enum LogCacheResult
{
	LOGCACHE_OK,				/* batches copied (maybe none: nothing new yet) */
	LOGCACHE_MISS,				/* offset below what the cache holds: read
								 * object storage */
	LOGCACHE_UNKNOWN_STREAM,	/* the cache holds nothing of this stream */
	LOGCACHE_TOO_SMALL			/* the first batch is larger than buf;
								 * *bytes says how large */
} LogCacheResult;

/*
 * Fetch: copy whole record batches (Kafka RecordBatch bytes, as produced)
 * of stream_id, starting with the batch that contains offset, into buf,
 * up to buflen bytes, stopping before max_offset (exclusive; e.g. the high
 * watermark, or INT64_MAX).  On LOGCACHE_OK, *bytes is what was copied
 * and *next_offset the offset after the last batch copied (== offset if
 * none).  Takes no lock; safe against concurrent appends and reuse.
 */
extern LogCacheResult LogCacheRead(uint64 stream_id, int64 offset, int64 max_offset,
								   char *buf, size_t buflen,
								   size_t *bytes, int64 *next_offset);

/*
 * Fetch without the copy: the same batches as LogCacheRead, returned as
 * slices of the WAL ring (a batch that wraps the ring's end takes two;
 * reading stops early when maxslices, at least 2, would be exceeded).
 * The slices stay valid until LogCacheUnpin: this process's read pin,
 * set at the lowest LSN it reads (one pin covers all the reads of a
 * request), keeps appenders from reusing their space; the uploader's trims
 * still go on.  *records gets the records the batches hold.  Results as
 * LogCacheRead's; LOGCACHE_MISS also when the bytes may have been
 * overwritten before the pin.  Run by backends (a process slot is needed).
 */
typedef struct LogCacheSlice
{
	const char *ptr;
	size_t		len;
} LogCacheSlice;

extern LogCacheResult LogCacheReadSlices(uint64 stream_id, int64 offset, int64 max_offset,
										 size_t buflen, LogCacheSlice *slices, int maxslices,
										 int *nslices, size_t *bytes, int64 *next_offset,
										 uint64 *records);

/*
 * Release this process's read pin, once the slices were sent or copied.
 * Cheap when there is none; proc_exit calls it too.  Sets the WAL
 * writer's latch if the pin held the appenders' limit back.
 */
extern void LogCacheUnpin(void);

/*
 * Waiting for new data (a fetch with max_wait_ms): register interest, re-
 * check with LogCacheRead, then WaitLatch/WaitLatchOrSocket on MyLatch with
 * the fetch's timeout, then LogCacheWaitCancel().  The WAL writer sets the
 * latch once the stream's flushed next offset passes offset (or, for
 * LOGCACHE_ANY_STREAM, once any new data is flushed).
 */
#define LOGCACHE_ANY_STREAM		UINT64_MAX
extern void LogCacheWaitRegister(uint64 stream_id, int64 offset);
extern void LogCacheWaitCancel(void);

/*
 * The uploader's view: records in LSN order from a position, zero-copy.
 * Bytes between the trim and flushed positions cannot be overwritten
 * until the caller itself trims, so the pointers stay valid until then.
 * A body wrapping the ring's end comes in two pieces.
 */
typedef struct LogCacheRecord
{
	WalLsn		lsn;
	WalLsn		end_lsn;
	uint64		stream_id;
	uint64		stream_epoch;
	int64		base_offset;
	uint32		record_count;
	int64		max_timestamp;
	const char *body1;
	size_t		len1;
	const char *body2;
	size_t		len2;
} LogCacheRecord;

/*
 * Next durable data record at or after *pos (an LSN); false when none
 * below the flushed position.  Advances *pos past it (and past padding),
 * never beyond the flushed position, so *pos is always a position to trim
 * to.
 */
extern bool LogCacheNextRecord(WalLsn *pos, LogCacheRecord *rec);

/* WAL writer: before publishing a new flushed position / after it. */
extern bool LogCacheFlushAdvanced(WalLsn flushed);
extern void LogCacheWakeDataWaiters(void);

#endif							/* STRATA_LOGCACHE_H */
