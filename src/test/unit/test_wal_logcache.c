/*
 * test_wal_logcache.c
 *	  The append API and the log cache as a fetch handler uses them, with a
 *	  real WAL writer process (WalWriterMain) forked from this test:
 *	  appends become durable and readable, reads start at the batch holding
 *	  an offset, honour max_offset and the buffer size, report misses once
 *	  the ring has lapped, and a registered fetch is woken by new data.
 *	  Reads by reference pin the ring: an appender waits for pinned space
 *	  and goes on once the pin is dropped.  A stream reopened at a later
 *	  offset (a partition moved back here) forgets its earlier batches.
 *
 * src/test/unit/test_wal_logcache.c
 */
#include "c.h"

#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "tap.h"
#include "wal_test_util.h"

static void
fill(char *buf, uint32 len, int64 base)
{
	for (uint32 i = 0; i < len; i++)
		buf[i] = (char) (base * 7 + i);
}

static void
child_too_big(void)
{
	static char big[300 * 1024];

	wal_test_fresh_shmem();
	(void) WalRecover();
	(void) WalAppend(1, 1, 0, 1, 0, big, sizeof(big));
}

/*
 * LogCacheStreamReopen, on stream 2 (offsets 0..19 in the cache): a
 * partition that comes back to this broker at a later offset forgets what
 * the cache holds of its earlier time here.
 */
static void
test_reopen(void)
{
	char		out[4096];
	size_t		bytes;
	int64		next,
				fnext;
	LogCacheResult rc;

	LogCacheStreamReopen(2, 10);
	ok(LogCacheStreamEnd(2, &next, &fnext) && next == 20 && fnext == 20,
	   "reopened below its end: the stream is unchanged");
	rc = LogCacheRead(2, 0, INT64_MAX, out, sizeof(out), &bytes, &next);
	ok(rc == LOGCACHE_OK && next == 20, "and its batches are still read from the cache");

	LogCacheStreamReopen(2, 100);
	ok(LogCacheStreamEnd(2, &next, &fnext) && next == 100 && fnext == 100,
	   "reopened above its end: end and durable end are the new offset");
	ok(LogCacheRead(2, 0, INT64_MAX, out, sizeof(out), &bytes, &next) == LOGCACHE_MISS,
	   "a read below the new offset goes to object storage, not to the earlier batches");
	rc = LogCacheRead(2, 100, INT64_MAX, out, sizeof(out), &bytes, &next);
	ok(rc == LOGCACHE_OK && bytes == 0 && next == 100, "a read at the new end returns nothing yet");
	WalWaitFlushed(WalAppend(2, 2, 100, 2, 0, "yz", 2));
	rc = LogCacheRead(2, 100, INT64_MAX, out, sizeof(out), &bytes, &next);
	ok(rc == LOGCACHE_OK && bytes == 2 && next == 102 && memcmp(out, "yz", 2) == 0,
	   "an append at the new offset is read back");
	ok(LogCacheRead(2, 0, INT64_MAX, out, sizeof(out), &bytes, &next) == LOGCACHE_MISS,
	   "and the earlier batches stay forgotten");

	LogCacheStreamReopen(98, 5);
	ok(!LogCacheStreamEnd(98, &next, &fnext), "a stream the cache does not hold is left unknown");
}

int
main(void)
{
	char		err[256];
	pid_t		writer;
	char		body[2000];
	char		out[16384];
	size_t		bytes;
	int64		next,
				fnext;
	WalLsn		end = 0;
	LogCacheResult rc;
	int			status;

	wal_test_as_postmaster();
	wal_test_settings();
	if (!WalDeviceCreate(wal_test_path, 2 * 1024 * 1024, 0, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}

	/* A record larger than a quarter of the capacity is refused (ERROR). */
	{
		pid_t		pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
		{
			int			devnull = open("/dev/null", O_WRONLY);

			dup2(devnull, 2);
			child_too_big();
			_exit(0);
		}
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 1, "an oversized record batch is an ERROR, not a crash");
	}

	wal_test_fresh_shmem();
	writer = wal_test_fork_writer();
	InitLatchSupport();
	WalWaitReady();
	ok(WalIsReady(), "WAL ready after the writer recovered");

	/* Stream 1: 20 batches of 3 records, offsets 0..59; stream 2 interleaved. */
	for (int i = 0; i < 20; i++)
	{
		WalAppendItem items[2];

		memset(items, 0, sizeof(items));
		fill(body, 100 + (uint32) i, i * 3);
		items[0].stream_id = 1;
		items[0].stream_epoch = 1;
		items[0].base_offset = i * 3;
		items[0].record_count = 3;
		items[0].data = body;
		items[0].len = 100 + (uint32) i;
		items[1].stream_id = 2;
		items[1].stream_epoch = 1;
		items[1].base_offset = i;
		items[1].record_count = 1;
		items[1].data = "x";
		items[1].len = 1;
		end = WalAppendMulti(items, 2);
		ok(items[0].end_lsn <= items[1].lsn && items[1].end_lsn == end, "multi-append %d laid out in order", i);
	}
	WalWaitFlushed(end);
	ok(WalFlushedLsn() >= end, "WalWaitFlushed returns once flushed");
	ok(LogCacheStreamEnd(1, &next, &fnext) && next == 60 && fnext == 60, "stream 1 ends at 60 (got %lld/%lld)",
	   (long long) next, (long long) fnext);

	rc = LogCacheRead(1, 0, INT64_MAX, out, sizeof(out), &bytes, &next);
	{
		size_t		want = 0;
		bool		same = true;

		for (int i = 0; i < 20; i++)
		{
			fill(body, 100 + (uint32) i, i * 3);
			if (memcmp(out + want, body, 100 + (size_t) i) != 0)
				same = false;
			want += 100 + (size_t) i;
		}
		ok(rc == LOGCACHE_OK && bytes == want && next == 60 && same, "read of stream 1 from 0 returns all 20 batches intact");
	}
	rc = LogCacheRead(1, 31, INT64_MAX, out, sizeof(out), &bytes, &next);
	fill(body, 110, 30);
	ok(rc == LOGCACHE_OK && memcmp(out, body, 110) == 0, "read from offset 31 starts with the batch at 30");
	rc = LogCacheRead(1, 31, 40, out, sizeof(out), &bytes, &next);
	ok(rc == LOGCACHE_OK && next == 42, "max_offset 40 stops after the batch holding 39 (next %lld)", (long long) next);
	rc = LogCacheRead(1, 0, INT64_MAX, out, 250, &bytes, &next);
	ok(rc == LOGCACHE_OK && bytes == 201 && next == 6, "a 250-byte buffer holds two whole batches");
	rc = LogCacheRead(1, 0, INT64_MAX, out, 50, &bytes, &next);
	ok(rc == LOGCACHE_TOO_SMALL && bytes == 100, "a buffer smaller than the first batch says how large it is");
	rc = LogCacheRead(1, 60, INT64_MAX, out, sizeof(out), &bytes, &next);
	ok(rc == LOGCACHE_OK && bytes == 0 && next == 60, "read at the end returns nothing yet");
	ok(LogCacheRead(99, 0, INT64_MAX, out, sizeof(out), &bytes, &next) == LOGCACHE_UNKNOWN_STREAM,
	   "unknown stream");
	test_reopen();

	/* A fetch waiting at the end is woken when new data is flushed. */
	{
		pid_t		pid;
		int			ev;

		LogCacheWaitRegister(1, 60);
		ResetLatch(MyLatch);
		fflush(stdout);
		pid = fork();
		if (pid == 0)
		{
			int			slot = ProcSlotAssign(PROC_BACKEND);
			struct timespec ts = {0, 100 * 1000 * 1000};

			ProcSlotActivate(slot);
			nanosleep(&ts, NULL);
			fill(body, 500, 60);
			WalWaitFlushed(WalAppend(1, 1, 60, 5, 0, body, 500));
			_exit(0);
		}
		ev = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 10000);
		LogCacheWaitCancel();
		ok(ev & WL_LATCH_SET, "a registered fetch is woken by new data");
		rc = LogCacheRead(1, 60, INT64_MAX, out, sizeof(out), &bytes, &next);
		ok(rc == LOGCACHE_OK && bytes == 500 && next == 65, "and then reads it");
		waitpid(pid, &status, 0);
	}

	/*
	 * Lap the 1 MiB ring with trimming in between: old offsets become
	 * misses, recent ones still read.
	 */
	{
		static char big[60000];
		int64		off = 65;
		WalLsn		pos = WalTrimLsn();
		LogCacheRecord rec;
		bool		contiguous = true;
		int64		expect = 0;

		for (int i = 0; i < 60; i++)
		{
			fill(big, sizeof(big), off);
			WalWaitFlushed(WalAppend(1, 1, off, 10, 0, big, sizeof(big)));
			off += 10;
			while (LogCacheNextRecord(&pos, &rec))
			{
				if (rec.stream_id == 1)
				{
					if (rec.base_offset != expect)
						contiguous = false;
					expect = rec.base_offset + rec.record_count;
				}
			}
			WalTrim(pos);
		}
		ok(contiguous && expect == off, "the uploader's view walks every record of stream 1 in order");
		ok(LogCacheRead(1, 0, INT64_MAX, out, sizeof(out), &bytes, &next) == LOGCACHE_MISS,
		   "offset 0 is a miss once the ring has lapped");
		rc = LogCacheRead(1, off - 10, INT64_MAX, big, sizeof(big), &bytes, &next);
		fill(out, 1, off - 10);
		ok(rc == LOGCACHE_OK && bytes == sizeof(big) && big[0] == out[0] && next == off,
		   "the newest batch still reads after %lld offsets", (long long) off);
		ok(WalInsertLsn() > 2 * 1024 * 1024, "the LSN went past the device size (wrapped)");
	}

	/*
	 * Reads by reference (LogCacheReadSlices): the same bytes as a copying
	 * read, pinned.  The newest batch is trimmed already, so the pin brings
	 * the appenders' limit down to it: an appender that needs its space
	 * waits, and goes on once the pin is dropped.
	 */
	{
		static char big[60000];
		LogCacheSlice slices[8];
		int			nslices;
		uint64		records;
		int64		last = LogCacheStreamEnd(1, &next, &fnext) ? next - 10 : -1;
		size_t		got = 0;
		bool		same = true;
		pid_t		pid;
		int			ev = 0;
		struct timespec ts = {0, 50 * 1000 * 1000};

		/* the last trim is applied by the writer when it gets to it */
		for (int i = 0; i < 500 && __atomic_load_n(&WalShmem->durable_trim, __ATOMIC_SEQ_CST) < WalTrimLsn(); i++)
			nanosleep(&ts, NULL);
		rc = LogCacheReadSlices(1, last, INT64_MAX, sizeof(big), slices, lengthof(slices),
								&nslices, &bytes, &next, &records);
		fill(big, sizeof(big), last);
		for (int i = 0; i < nslices; i++)
		{
			if (memcmp(big + got, slices[i].ptr, slices[i].len) != 0)
				same = false;
			got += slices[i].len;
		}
		ok(rc == LOGCACHE_OK && bytes == sizeof(big) && got == bytes && same && records == 10 &&
		   next == last + 10, "a read by reference returns the newest batch's bytes in the ring (%d slices)",
		   nslices);
		ok(WalShmem->limit_held, "pinning trimmed bytes holds the appenders' limit down");

		fflush(stdout);
		pid = fork();
		if (pid == 0)
		{
			int			slot = ProcSlotAssign(PROC_BACKEND);
			WalLsn		pos = WalTrimLsn();
			LogCacheRecord rec;

			ProcSlotActivate(slot);
			InitLatchSupport();
			for (int i = 0; i < 20; i++)
			{
				fill(big, sizeof(big), last + 10 + i * 10);
				WalWaitFlushed(WalAppend(1, 1, last + 10 + i * 10, 10, 0, big, sizeof(big)));
				while (LogCacheNextRecord(&pos, &rec))
					;
				WalTrim(pos);
			}
			_exit(0);
		}
		for (int i = 0; i < 40 && waitpid(pid, &status, WNOHANG) == 0; i++)
			nanosleep(&ts, NULL);
		ok(waitpid(pid, &status, WNOHANG) == 0,
		   "an appender that needs the pinned space waits (20 appends of 60 KB through a 1 MiB ring)");
		fill(big, sizeof(big), last);
		got = 0;
		for (int i = 0; i < nslices; i++)
		{
			if (memcmp(big + got, slices[i].ptr, slices[i].len) != 0)
				same = false;
			got += slices[i].len;
		}
		ok(same, "the pinned bytes are intact meanwhile");
		LogCacheUnpin();
		for (int i = 0; i < 200 && (ev = waitpid(pid, &status, WNOHANG)) == 0; i++)
			nanosleep(&ts, NULL);
		ok(ev == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "once the pin is dropped the appender finishes");
		ok(!WalShmem->limit_held, "and the limit is no longer held down");
		ok(LogCacheReadSlices(1, last, INT64_MAX, sizeof(big), slices, lengthof(slices),
							  &nslices, &bytes, &next, &records) == LOGCACHE_MISS,
		   "bytes overwritten since are a miss, not a pin");
		LogCacheUnpin();
	}

	/* The node epoch goes into the device header. */
	WalSetNodeEpoch(7);
	for (int i = 0; i < 500 && WalNodeEpoch() != 7; i++)
	{
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	is_int(WalNodeEpoch(), 7, "WalSetNodeEpoch is written to the header");

	/* Clean shutdown of the writer. */
	kill(writer, SIGTERM);
	waitpid(writer, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "WAL writer exits 0 after SIGTERM");
	{
		WalDeviceHeader h[2];
		int			fd = open(wal_test_path, O_RDONLY);
		int			newest;

		if (fd < 0 || pread(fd, &h[0], sizeof(h[0]), 0) != sizeof(h[0]) ||
			pread(fd, &h[1], sizeof(h[1]), WAL_BLOCK_SIZE) != sizeof(h[1]))
			return 1;
		close(fd);
		newest = h[1].sequence > h[0].sequence ? 1 : 0;
		ok(WalDeviceHeaderValid(&h[newest]) && h[newest].node_epoch == 7 &&
		   h[newest].trim_lsn == WalTrimLsn() && h[newest].generation == 2,
		   "newest header on the device: epoch 7, the last trim, generation 2 (two recoveries)");
	}

	wal_test_cleanup();
	return done_testing();
}
