/*
 * test_wal_flush.c
 *	  The appenders' own flush (WalTryFlush, the XLogFlush-style fast path):
 *	  an appender writes and syncs the ring itself when no write is in
 *	  progress, and only then; what it writes is on the device (a fresh
 *	  recovery finds it, across ring and device wrap-arounds, with both
 *	  wal_sync_method values); an append wakes the WAL writer only when
 *	  someone else holds write_lck, or when the WAL writer's writes are in
 *	  flight and the append takes the unwritten data past
 *	  WAL_PIPELINE_MIN_IO; WalKickWriter pays the kick it owes; more than
 *	  WAL_SYNC_WRITE_MAX waiting is left to the WAL writer's libaio writes.
 *
 * src/test/unit/test_wal_flush.c
 */
#include "c.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>

#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "tap.h"
#include "wal_test_util.h"

static void
fill(char *buf, uint32 len, int64 base)
{
	for (uint32 i = 0; i < len; i++)
		buf[i] = (char) (base * 13 + i * 7);
}

/* Recover in-process (no writer) and count stream 1's intact records from trim on. */
static int
recover_and_check(int64 *first, int64 *next)
{
	static char body[40000];
	static char got[40000];
	WalLsn		pos;
	LogCacheRecord rec;
	int			good = 0;

	wal_test_fresh_shmem();
	close(WalRecover());
	*first = -1;
	*next = -1;
	pos = WalTrimLsn();
	while (LogCacheNextRecord(&pos, &rec))
	{
		size_t		len = rec.len1 + rec.len2;

		if (rec.stream_id != 1 || len > sizeof(got))
			return -1;
		if (*next >= 0 && rec.base_offset != *next)
			return -1;
		fill(body, (uint32) len, rec.base_offset);
		memcpy(got, rec.body1, rec.len1);
		memcpy(got + rec.len1, rec.body2, rec.len2);
		if (memcmp(got, body, len) != 0)
			return -1;
		if (*first < 0)
			*first = rec.base_offset;
		*next = rec.base_offset + rec.record_count;
		good++;
	}
	return good;
}

/* No WAL writer process: only this one writes. */
static void
without_writer(const char *method)
{
	static char body[40000];
	Latch	   *wl;
	WalLsn		a,
				b,
				c,
				d,
				e;
	WalStats	st;
	int64		next,
				fnext,
				first;
	int			n;
	char		err[256];

	/* a fresh device: stream 1 starts at offset 0 */
	unlink(wal_test_path);
	if (!WalDeviceCreate(wal_test_path, 2 * 1024 * 1024, 0, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	wal_test_fresh_shmem();
	close(WalRecover());
	wl = AuxProcLatch(PROC_WALWRITER);

	fill(body, 1000, 0);
	ResetLatch(wl);
	a = WalAppend(1, 1, 0, 1, 0, body, 1000);
	ok(WalFlushedLsn() < a, "%s: an append alone is not flushed", method);
	ok(!__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: with no write in progress an append does not wake the WAL writer", method);
	WalKickWriter();
	ok(__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: WalKickWriter wakes it for the append it was not told about", method);
	ResetLatch(wl);
	WalKickWriter();
	ok(!__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST), "%s: a second kick owes nothing", method);

	ok(WalTryFlush(a), "%s: WalTryFlush writes the ring itself when nobody writes", method);
	ok(WalFlushedLsn() >= a, "%s: and the flushed position covers the record", method);
	fnext = -1;
	if (!LogCacheStreamEnd(1, &next, &fnext))
		fnext = -1;
	ok(fnext == 1, "%s: the stream's durable end moved with it (%lld)", method, (long long) fnext);
	WalGetStats(&st);
	ok(st.sync_writes >= 1 && st.writes == st.sync_writes, "%s: counted as the appender's write", method);

	/*
	 * A libaio write of the writer in flight: no second writer of its
	 * blocks, and the writer looks at what is published when the write
	 * completes, so a small append or a wait does not wake it; an append
	 * that takes the unwritten data past WAL_PIPELINE_MIN_IO does.
	 */
	fill(body, 2000, 1);
	WalShmem->aio_inflight = 1;
	ResetLatch(wl);
	b = WalAppend(1, 1, 1, 1, 0, body, 2000);
	ok(!__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: with a write in flight a small append does not wake the WAL writer", method);
	ok(!WalTryFlush(b) && WalFlushedLsn() < b,
	   "%s: no appender write while the WAL writer has writes in flight", method);
	WalRequestFlushWakeup(b);
	ok(!__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: nor does arming a flush wake-up for it", method);
	WalCancelFlushWakeup();
	fill(body, 36000, 2);
	(void) WalAppend(1, 1, 2, 1, 0, body, 36000);
	ok(!__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: nor 38 KB unwritten", method);
	fill(body, 36000, 3);
	e = WalAppend(1, 1, 3, 1, 0, body, 36000);
	ok(__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: the append that takes it past %d KB wakes the writer", method,
	   WAL_PIPELINE_MIN_IO / 1024);
	WalShmem->aio_inflight = 0;

	/*
	 * More than WAL_SYNC_WRITE_MAX waiting: an appender leaves it to the
	 * WAL writer, whose round (played by this process) writes it.
	 */
	ok(!WalTryFlush(e) && WalFlushedLsn() < b,
	   "%s: with %d KB waiting the appender leaves the write to the WAL writer", method,
	   (int) ((e - WalFlushedLsn()) / 1024));
	ResetLatch(wl);
	fill(body, 100, 4);
	e = WalAppend(1, 1, 4, 1, 0, body, 100);
	ok(__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: and an append with that much waiting wakes the writer at once", method);
	{
		int64		devsize;

		WalAioInit(WalDeviceOpen(wal_test_path, &devsize));
		for (int i = 0; i < 1000; i++)
		{
			WalLsn		published = WalAioFlush();
			struct pollfd pfd = {WalAioWaitFd(), POLLIN, 0};

			if (WalAioIdle(published))
				break;
			if (pfd.fd >= 0)
				(void) poll(&pfd, 1, 100);
		}
		WalAioClose();
	}
	ok(WalFlushedLsn() >= e, "%s: and the WAL writer's round flushes it", method);

	/* write_lck held by someone else (no libaio write): wake the writer. */
	SMutexLock(&WalShmem->write_lck);
	ResetLatch(wl);
	fill(body, 500, 5);
	d = WalAppend(1, 1, 5, 1, 0, body, 500);
	ok(__atomic_load_n(&wl->is_set, __ATOMIC_SEQ_CST),
	   "%s: with write_lck held elsewhere an append wakes the WAL writer", method);
	ok(!WalTryFlush(d), "%s: and does not write while someone else holds write_lck", method);
	SMutexUnlock(&WalShmem->write_lck);

	/* A record below ours still being copied: flush up to it, report false. */
	fill(body, 3000, 6);
	c = WalAppend(1, 1, 6, 1, 0, body, 3000);
	WalShmem->slots[MyProcSlot == 0 ? 1 : 0].inserting_at = d;
	ok(!WalTryFlush(c), "%s: not flushed past an append still being copied", method);
	ok(WalFlushedLsn() == d, "%s: but flushed up to it (%llu, want %llu)", method,
	   (unsigned long long) WalFlushedLsn(), (unsigned long long) d);
	WalShmem->slots[MyProcSlot == 0 ? 1 : 0].inserting_at = WAL_NOT_INSERTING;
	ok(WalTryFlush(c) && WalFlushedLsn() >= c, "%s: then all of it", method);

	/* Everything flushed is on the device. */
	n = recover_and_check(&first, &next);
	ok(n == 7 && first == 0 && next == 7, "%s: recovery finds the 7 records the appender wrote (%d)",
	   method, n);
}

int
main(void)
{
	char		err[256];
	static char big[30000];
	pid_t		writer;
	int			status;
	WalStats	st0,
				st1;
	int64		off = 3;
	int64		first,
				next;
	int			n;
	WalLsn		pos;

	wal_test_as_postmaster();
	wal_test_settings();
	InitLatchSupport();

	without_writer("o_dsync");

	/*
	 * With a WAL writer process: appends of 30 KB lap the 1 MiB ring and
	 * the 2 MiB device several times, trimmed as they go; an appender that
	 * waits writes them itself (the writer, never poked, stays idle).
	 */
	wal_test_fresh_shmem();
	writer = wal_test_fork_writer();
	WalWaitReady();
	WalGetStats(&st0);
	pos = WalTrimLsn();
	for (int i = 0; i < 200; i++)
	{
		LogCacheRecord rec;

		fill(big, sizeof(big), off);
		WalWaitFlushed(WalAppend(1, 1, off, 2, 0, big, sizeof(big)));
		off += 2;
		if (i % 10 == 9 && i < 190)
		{
			while (LogCacheNextRecord(&pos, &rec))
				;
			WalTrim(pos);
		}
	}
	WalGetStats(&st1);
	ok(st1.sync_writes - st0.sync_writes >= 150,
	   "waiting appenders wrote the ring themselves (%llu of %llu writes)",
	   (unsigned long long) (st1.sync_writes - st0.sync_writes),
	   (unsigned long long) (st1.writes - st0.writes));
	ok(WalInsertLsn() > 2 * 2 * 1024 * 1024, "the LSN lapped the device twice (%llu)",
	   (unsigned long long) WalInsertLsn());
	kill(writer, SIGTERM);
	waitpid(writer, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "WAL writer exits 0 after SIGTERM");
	n = recover_and_check(&first, &next);
	ok(n >= 10 && next == off, "recovery after the laps: %d intact records up to offset %lld (want %lld)",
	   n, (long long) next, (long long) off);

	/* The same appender path with wal_sync_method = fdatasync. */
	if (!GucSet("wal_sync_method", "fdatasync", GUC_SRC_CMDLINE, err, sizeof(err)))
		return 1;
	without_writer("fdatasync");

	wal_test_cleanup();
	return done_testing();
}
