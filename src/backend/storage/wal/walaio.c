/*-------------------------------------------------------------------------
 *
 * walaio.c
 *	  The WAL writer's device writes: moves the ring's new bytes to the
 *	  device with libaio and wakes the appenders waiting for them.  The
 *	  process that runs it (its main loop, signals and waiting) is in
 *	  postmaster/walwriter.c; everything here runs in that process only.
 *
 *	  Group commit: each round takes everything published since the last
 *	  round and writes it in as few 4 KiB-aligned writes as possible (at
 *	  most WAL_MAX_IO bytes each, split where the ring or the device wraps)
 *	  straight from the ring (O_DIRECT, no copy), keeping up to wal_io_depth
 *	  of them in flight with libaio.  The busier the server, the more has
 *	  accumulated while earlier writes were in flight, so the larger each
 *	  write.  Completions are signalled on an eventfd that the main loop
 *	  waits on together with its latch.
 *
 *	  Several writes in flight.  Two writes of the same block must never be
 *	  in flight together (the device may apply them in either order).  So
 *	  before it submits a write that would end inside a block, the writer
 *	  closes that block with a padding record (WalPadToBlock), provided
 *	  every reserved record has been copied in: the write then ends on a
 *	  whole block, the appends after it start in a fresh one, and the next
 *	  write can go out while this one is in flight.  When it cannot pad (an
 *	  appender is still copying, or the WAL is full), the last block is
 *	  partial and is written again, fuller, by a later write, as before
 *	  padding existed: a write that would start in a block still being
 *	  written waits for that write to complete, and while other writes are
 *	  in flight only whole blocks are submitted.
 *
 *	  Padding costs up to a block of WAL space per write, so while writes
 *	  are in flight a new one starts only once WAL_PIPELINE_MIN_IO bytes are
 *	  waiting; less waits for the next completion and goes with whatever
 *	  has come by then (the busier the server, the larger each write).
 *	  Appenders wake the writer only when they take the waiting data past
 *	  that mark (wal.c, publish_records): otherwise the writer looks at
 *	  what is published each time a write completes.
 *
 *	  The flushed position advances in submission order over completed
 *	  writes (with wal_sync_method = fdatasync, after an fdatasync); then
 *	  the waiters it satisfied are woken, and the log cache's per-stream
 *	  flushed offsets move on (waking fetches).
 *
 *	  Appenders write too (wal.c, WalTryFlush): one that would sleep for
 *	  its record while no write is in progress writes and syncs the ring
 *	  itself.  The writer and such appenders exclude each other with
 *	  write_lck: the writer holds it while it submits writes and while it
 *	  reaps them, and publishes the number of its writes in flight
 *	  (aio_inflight) before releasing it; an appender writes only when,
 *	  under the lock, that number is 0.  So a block is never written by two
 *	  writes at once, and the flushed position, which both advance under
 *	  the lock from the shared write_pos, moves forward in order.  The
 *	  writer waits for the lock (an appender's write takes as long as one
 *	  of its own), never the reverse: an appender that finds the lock taken
 *	  or libaio writes in flight sleeps on its latch as before, and the
 *	  writer is poked to write its record if the write in progress does not
 *	  cover it.
 *
 * src/backend/storage/wal/walaio.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <libaio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "storage/logcache.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

#define WAL_MAX_IO		(1024 * 1024)

typedef struct WalIo
{
	struct iocb cb;
	WalLsn		end_lsn;		/* flushed position once this completes */
	WalLsn		blk_end;		/* end of the last block it writes */
	size_t		len;
	uint64		submit_ns;		/* for the write_ns statistic */
	bool		done;
	uint64		submit_us;		/* for strata_wal_flush_duration_seconds */
} WalIo;

static int	wal_fd = -1;
static int	wal_efd = -1;
static io_context_t wal_ctx;
static WalIo *wal_ios;
static int	wal_depth;
static int	io_head;			/* oldest in flight */
static int	io_count;				/* in flight (WalShmem->aio_inflight) */

/*
 * With writes in flight, should the data from submitted to published wait
 * for a completion rather than go out now?  Yes if it would start in a
 * block the newest write in flight still writes (that write ended inside a
 * block: it could not be padded), or if it is less than
 * WAL_PIPELINE_MIN_IO (see the file comment).  Never with nothing in
 * flight: then it goes out at once, whatever its size.
 */
static bool
pipeline_waits(WalLsn submitted, WalLsn published)
{
	WalIo	   *newest;

	if (io_count == 0)
		return false;
	newest = &wal_ios[(io_head + io_count - 1) % wal_depth];
	if (newest->blk_end > TYPEALIGN_DOWN(WAL_BLOCK_SIZE, submitted))
		return true;
	return published - submitted < WAL_PIPELINE_MIN_IO;
}

/*
 * Submit writes of what was published since the last ones.  Returns the
 * published position it saw (the new end of the padding, if it padded;
 * write_pos, if it let the data wait for a completion).  Takes write_lck
 * (waiting for an appender's write to end, if one is in progress).
 */
static WalLsn
submit_writes(void)
{
	struct iocb *cbs[256];
	int			n = 0;
	int			overlapped;
	uint64		R = WalShmem->ring_size;
	uint64		D = WalShmem->dev_data_size;
	WalLsn		published;
	WalLsn		submitted;
	uint64		now_us;

	/* Nothing reserved beyond the write position: no need for the lock. */
	if (WalInsertLsn() <= __atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST))
		return WalInsertLsn();
	SMutexLock(&WalShmem->write_lck);
	published = WalComputePublished();
	submitted = WalShmem->write_pos;
	Assert(io_count > 0 || WalShmem->flushed == submitted);
	now_us = MetricsNowUs();

	if (submitted < published && io_count < wal_depth && !pipeline_waits(submitted, published))
	{
		/* A write goes out now: end it on a whole block if we can. */
		published = WalPadToBlock(published);
	}
	else
		published = submitted;	/* nothing goes out this round */
	overlapped = io_count;

	while (io_count < wal_depth && submitted < published)
	{
		WalLsn		start_blk = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, submitted);
		WalLsn		end = published;
		WalLsn		end_blk;
		uint64		len;
		WalIo	   *io;

		if (io_count > 0)
		{
			WalIo	   *newest = &wal_ios[(io_head + io_count - 1) % wal_depth];

			if (newest->blk_end > start_blk)
				break;			/* that block is still being written */
			/* others in flight: whole blocks only */
			end = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, published);
			if (end <= start_blk)
				break;
		}
		end_blk = TYPEALIGN(WAL_BLOCK_SIZE, end);
		len = end_blk - start_blk;
		len = Min(len, (uint64) WAL_MAX_IO);
		len = Min(len, D - start_blk % D);
		len = Min(len, R - start_blk % R);
		if (start_blk + len < end_blk)
		{
			end_blk = start_blk + len;
			end = end_blk;
		}
		io = &wal_ios[(io_head + io_count) % wal_depth];
		io_prep_pwrite(&io->cb, wal_fd, WalShmem->ring + start_blk % R, (size_t) len,
					   (long long) (WAL_DATA_START + start_blk % D));
		io_set_eventfd(&io->cb, wal_efd);
		io->cb.data = io;
		io->end_lsn = end;
		io->blk_end = end_blk;
		io->len = (size_t) len;
		io->done = false;
		io->submit_us = now_us;
		cbs[n++] = &io->cb;
		io_count++;
		submitted = end;
	}
	if (n > 0)
	{
		int			done = 0;
		uint64		now = MonotonicNs();

		for (int i = 0; i < n; i++)
			((WalIo *) cbs[i]->data)->submit_ns = now;
		while (done < n)
		{
			int			rc = io_submit(wal_ctx, n - done, cbs + done);

			if (rc == -EAGAIN || rc == -EINTR)
				continue;
			if (rc <= 0)
				elog(PANIC, "io_submit on the WAL device failed: %s", strerror(-rc));
			done += rc;
		}
		WalAtomicAdd(&WalShmem->stats.writes, (uint64) n);
		/* all but the first of a round overlap, and that one if any was in flight */
		WalAtomicAdd(&WalShmem->stats.pipelined_writes, (uint64) (overlapped > 0 ? n : n - 1));
		__atomic_store_n(&WalShmem->write_pos, submitted, __ATOMIC_SEQ_CST);
		__atomic_store_n(&WalShmem->aio_inflight, (uint32) io_count, __ATOMIC_SEQ_CST);
	}
	SMutexUnlock(&WalShmem->write_lck);
	return published;
}

/*
 * Reap completed writes and advance the flushed position over them.
 * Returns the new flushed position if it moved (0 if not), and sets
 * *streams_moved; the caller wakes the waiters after submitting the next
 * writes, so that the device is not idle while the wake-ups run.
 */
static WalLsn
reap_writes(bool *streams_moved)
{
	struct io_event events[256];
	struct timespec zero = {0, 0};
	uint64		v;
	int			n;
	WalLsn		old_flush;
	WalLsn		new_flush;
	uint64		now;
	uint64		retired_us[256];
	int			nretired = 0;

	*streams_moved = false;
	if (read(wal_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		elog(PANIC, "could not read the WAL writer's eventfd: %s", strerror(errno));
	if (io_count == 0)
		return 0;
	n = io_getevents(wal_ctx, 0, wal_depth, events, &zero);
	if (n < 0 && n != -EINTR)
		elog(PANIC, "io_getevents on the WAL device failed: %s", strerror(-n));
	now = MonotonicNs();
	for (int i = 0; i < n; i++)
	{
		WalIo	   *io = (WalIo *) events[i].data;
		long		res = (long) events[i].res;

		if (res < 0)
			elog(PANIC, "could not write to the WAL device: %s", strerror((int) -res));
		if ((size_t) res != io->len)
			elog(PANIC, "short write to the WAL device: %ld of %zu bytes", res, io->len);
		io->done = true;
		WalAtomicAdd(&WalShmem->stats.write_bytes, io->len);
		WalAtomicAdd(&WalShmem->stats.write_ns, now - io->submit_ns);
	}
	if (n <= 0 || !wal_ios[io_head].done)
		return 0;				/* the flushed position cannot move yet */

	/*
	 * While writes are in flight no appender writes (aio_inflight > 0), so
	 * the lock is only ever briefly held by one that is checking that.
	 * The new flushed position and aio_inflight are published together
	 * under it: an appender that sees aio_inflight == 0 sees flushed ==
	 * write_pos.
	 */
	SMutexLock(&WalShmem->write_lck);
	old_flush = WalShmem->flushed;
	new_flush = old_flush;
	while (io_count > 0 && wal_ios[io_head].done)
	{
		new_flush = wal_ios[io_head].end_lsn;
		if (nretired < (int) lengthof(retired_us))
			retired_us[nretired++] = wal_ios[io_head].submit_us;
		io_head = (io_head + 1) % wal_depth;
		io_count--;
	}
	if (new_flush > old_flush)
	{
		if (wal_sync_method == WAL_SYNC_FDATASYNC && fdatasync(wal_fd) < 0)
			elog(PANIC, "could not fdatasync the WAL device: %s", strerror(errno));
		*streams_moved = WalAdvanceFlushedLocked(new_flush);
	}
	__atomic_store_n(&WalShmem->aio_inflight, (uint32) io_count, __ATOMIC_SEQ_CST);
	SMutexUnlock(&WalShmem->write_lck);
	if (new_flush > old_flush)
	{
		uint64		now_us = MetricsNowUs();

		MetricsObserve(METRIC_WAL_FLUSH_BYTES, new_flush - old_flush);
		for (int i = 0; i < nretired; i++)
			MetricsObserve(METRIC_WAL_FLUSH_DURATION, now_us - retired_us[i]);
	}
	return new_flush > old_flush ? new_flush : 0;
}

/*
 * Move the appenders' limit up to the durable trim position, as far as
 * the backends' read pins allow (storage/cache/logcache.c): no
 * reservation may reach a pinned LSN + ring_size, so limit_base stays at
 * or below pin + ring_size - capacity.  Notes in limit_held whether a pin
 * held it back; the backend that drops that pin sets our latch.  Wakes
 * the appenders waiting for space if the limit moved.
 */
static void
advance_limit(void)
{
	WalLsn		want = TYPEALIGN_DOWN(WAL_BLOCK_SIZE,
									  __atomic_load_n(&WalShmem->durable_trim, __ATOMIC_SEQ_CST));
	WalLsn		limit = want;
	bool		moved;

	SpinLockAcquire(&WalShmem->insert_lck);
	for (int i = 0; i < WalShmem->nslots && WalShmem->npins > 0; i++)
	{
		uint64		pin = __atomic_load_n(&WalShmem->slots[i].read_pin, __ATOMIC_SEQ_CST);

		if (pin != WAL_NO_PIN)
			limit = Min(limit, TYPEALIGN_DOWN(WAL_BLOCK_SIZE,
											  pin + WalShmem->ring_size - WalShmem->capacity));
	}
	moved = limit > WalShmem->limit_base;
	if (moved)
		WalShmem->limit_base = limit;
	WalShmem->limit_held = WalShmem->limit_base < want;
	SpinLockRelease(&WalShmem->insert_lck);
	if (moved)
		WalWakeSpaceWaiters();
}

/*
 * Make a requested trim (or node epoch) durable in the header, then free
 * the space (advance_limit), which a read pin may have held back until now.
 */
static void
apply_trim(void)
{
	WalLsn		t = __atomic_load_n(&WalShmem->trim_requested, __ATOMIC_SEQ_CST);

	if (t > WalShmem->durable_trim)
	{
		WalWriteHeader(wal_fd, t);
		__atomic_store_n(&WalShmem->durable_trim, t, __ATOMIC_SEQ_CST);
	}
	else if (__atomic_load_n(&WalShmem->node_epoch, __ATOMIC_SEQ_CST) !=
			 WalShmem->durable_node_epoch)
		WalWriteHeader(wal_fd, WalShmem->durable_trim);
	if (WalShmem->limit_base < TYPEALIGN_DOWN(WAL_BLOCK_SIZE, WalShmem->durable_trim))
		advance_limit();
}

/*
 * Set up libaio for the device recovery opened (fd, from WalRecover).
 * FATAL if the kernel refuses the context.
 */
void
WalAioInit(int fd)
{
	int			rc;

	wal_fd = fd;
	wal_depth = (int) Min(wal_io_depth, (int64) 256);
	wal_ios = palloc0(sizeof(WalIo) * (size_t) wal_depth);
	memset(&wal_ctx, 0, sizeof(wal_ctx));
	rc = io_setup(wal_depth, &wal_ctx);
	if (rc < 0)
		elog_fatal("io_setup(%d) for the WAL device failed: %s; lower wal_io_depth or raise /proc/sys/fs/aio-max-nr",
				   wal_depth, strerror(-rc));
	wal_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wal_efd < 0)
		elog_fatal("eventfd failed: %s", strerror(errno));
}

/*
 * One round of the WAL writer: reap completed writes, make a requested
 * trim durable, submit writes of what was published since, and wake the
 * waiters a flush satisfied.  Returns the published position the
 * submission saw (see WalAioIdle).
 */
WalLsn
WalAioFlush(void)
{
	WalLsn		published;
	WalLsn		flushed;
	bool		streams_moved;

	flushed = reap_writes(&streams_moved);
	apply_trim();

	/*
	 * Wake the waiters a flush satisfied after submitting the next writes,
	 * so that the device is not idle meanwhile (each wake-up is a system
	 * call) -- unless an appender's write holds write_lck, for which
	 * submit_writes would wait first.
	 */
	if (flushed != 0 && SMutexIsLocked(&WalShmem->write_lck))
	{
		WalWakeFlushWaiters(flushed);
		if (streams_moved)
			LogCacheWakeDataWaiters();
		flushed = 0;
	}
	published = submit_writes();
	if (flushed != 0)
	{
		WalWakeFlushWaiters(flushed);
		if (streams_moved)
			LogCacheWakeDataWaiters();
	}
	return published;
}

/*
 * True when none of the writer's writes is in flight and everything up to
 * published (WalAioFlush's result) has been written: a shutdown may end.
 */
bool
WalAioIdle(WalLsn published)
{
	return io_count == 0 &&
		__atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST) >= published;
}

/*
 * The eventfd that signals completions while writes are in flight, to
 * wait on together with the latch; -1 when none is.
 */
int
WalAioWaitFd(void)
{
	return io_count > 0 ? wal_efd : -1;
}

/* Release the libaio context and close the device (WalAioIdle was true). */
void
WalAioClose(void)
{
	io_destroy(wal_ctx);
	close(wal_fd);
	close(wal_efd);
	wal_fd = -1;
	wal_efd = -1;
}
