/*-------------------------------------------------------------------------
 *
 * walwriter.c
 *	  The WAL writer process: recovers the WAL, then moves the ring's new
 *	  bytes to the device and wakes the appenders waiting for them.
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
 *	  The last block of a write is usually partial; it is written again,
 *	  fuller, by the next write.  Two writes of the same block must never be
 *	  in flight together (the device may apply them in either order), so a
 *	  write that would start in a block still being written waits for that
 *	  write to complete, and while other writes are in flight only whole
 *	  blocks are submitted.
 *
 *	  The flushed position advances in submission order over completed
 *	  writes (with wal_sync_method = fdatasync, after an fdatasync); then
 *	  the waiters it satisfied are woken, and the log cache's per-stream
 *	  flushed offsets move on (waking fetches).
 *
 * src/backend/storage/wal/walwriter.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <libaio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"

#define WAL_MAX_IO		(1024 * 1024)

typedef struct WalIo
{
	struct iocb cb;
	WalLsn		end_lsn;		/* flushed position once this completes */
	WalLsn		blk_end;		/* end of the last block it writes */
	size_t		len;
	bool		done;
	uint64		submit_us;		/* for strata_wal_flush_duration_seconds */
} WalIo;

static int	wal_fd = -1;
static int	wal_efd = -1;
static io_context_t wal_ctx;
static WalIo *wal_ios;
static int	wal_depth;
static int	io_head;			/* oldest in flight */
static int	io_count;
static WalLsn submitted;		/* everything below is in a submitted write */

/* The LSN below which every reserved record has been copied in. */
static WalLsn
compute_published(void)
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

static void
submit_writes(WalLsn published)
{
	struct iocb *cbs[256];
	int			n = 0;
	uint64		R = WalShmem->ring_size;
	uint64		D = WalShmem->dev_data_size;
	uint64		now_us = MetricsNowUs();

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
	}
}

static void
reap_writes(void)
{
	struct io_event events[256];
	struct timespec zero = {0, 0};
	uint64		v;
	int			n;
	WalLsn		old_flush = WalShmem->flushed;
	WalLsn		new_flush = old_flush;
	uint64		retired_us[256];
	int			nretired = 0;

	if (read(wal_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		elog(PANIC, "could not read the WAL writer's eventfd: %s", strerror(errno));
	if (io_count == 0)
		return;
	n = io_getevents(wal_ctx, 0, wal_depth, events, &zero);
	if (n < 0 && n != -EINTR)
		elog(PANIC, "io_getevents on the WAL device failed: %s", strerror(-n));
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
	}
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
		bool		streams_moved;

		if (wal_sync_method == WAL_SYNC_FDATASYNC && fdatasync(wal_fd) < 0)
			elog(PANIC, "could not fdatasync the WAL device: %s", strerror(errno));
		streams_moved = LogCacheFlushAdvanced(new_flush);
		__atomic_store_n(&WalShmem->flushed, new_flush, __ATOMIC_SEQ_CST);
		WalWakeFlushWaiters(new_flush);
		if (streams_moved)
			LogCacheWakeDataWaiters();

		/* After the wakeups: the metrics must not delay the waiters. */
		{
			uint64		now_us = MetricsNowUs();

			MetricsObserve(METRIC_WAL_FLUSH_BYTES, new_flush - old_flush);
			for (int i = 0; i < nretired; i++)
				MetricsObserve(METRIC_WAL_FLUSH_DURATION, now_us - retired_us[i]);
		}
	}
}

/*
 * Make a requested trim (or node epoch) durable in the header, then free
 * the space.
 */
static void
apply_trim(void)
{
	WalLsn		t = __atomic_load_n(&WalShmem->trim_requested, __ATOMIC_SEQ_CST);

	if (t <= WalShmem->durable_trim)
	{
		if (__atomic_load_n(&WalShmem->node_epoch, __ATOMIC_SEQ_CST) !=
			WalShmem->durable_node_epoch)
			WalWriteHeader(wal_fd, WalShmem->durable_trim);
		return;
	}
	WalWriteHeader(wal_fd, t);
	__atomic_store_n(&WalShmem->durable_trim, t, __ATOMIC_SEQ_CST);
	SpinLockAcquire(&WalShmem->insert_lck);
	WalShmem->limit_base = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, t);
	SpinLockRelease(&WalShmem->insert_lck);
	WalWakeSpaceWaiters();
}

void
WalWriterMain(void)
{
	int			rc;

	wal_fd = WalRecover();
	/*
	 * Recovery is done.  The postmaster opens the broker once the topic
	 * registry is loaded too, and the catalog worker waits for the
	 * recovered stream ends before it loads the registry: wake both.
	 */
	SendPostmasterSignal(PMSIGNAL_WAL_READY);
	SetLatch(AuxProcLatch(PROC_CATALOG));
	submitted = WalShmem->flushed;
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

	for (;;)
	{
		WalLsn		published;

		ResetLatch(MyLatch);
		reap_writes();
		apply_trim();
		published = compute_published();
		submit_writes(published);

		if (ShutdownRequestPending && io_count == 0 && submitted >= published)
		{
			elog(DEBUG1, "WAL writer shutting down at LSN %llu", (unsigned long long) submitted);
			io_destroy(wal_ctx);
			close(wal_fd);
			proc_exit(0);
		}
		if (ConfigReloadPending)
			ProcessConfigReloadIfPending();

		if (io_count > 0)
			(void) WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH,
									 wal_efd, -1);
		else
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
	}
}
