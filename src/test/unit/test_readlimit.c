/*
 * test_readlimit.c
 *	  The cold-read budget (cold_read_bandwidth): no limit costs nothing;
 *	  the bucket starts with a second's worth; a reservation
 *	  beyond it waits for the refill, and the next one waits behind it
 *	  (debt); a reservation that would wait past its deadline is refused
 *	  and leaves the bucket as it was; an idle spell refills no more than
 *	  the burst.
 *
 *	  Waits are checked from below only (a sleep may run long on a busy
 *	  machine, never short).
 *
 * src/test/unit/test_readlimit.c
 */
#include "c.h"

#include "storage/readlimit.h"
#include "storage/shmem.h"
#include "tap.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define MB_ (1024 * 1024)

int
main(void)
{
	char		err[256];
	int64		t0,
				w;

	GucInitDefaults();
	ShmemCreate(ColdReadLimitShmemSize() + 65536);
	ColdReadLimitShmemInit();

	/* The default: no limit. */
	is_int(cold_read_bandwidth, 0, "cold_read_bandwidth is 0 (no limit) by default");
	ok(ColdReadLimitAcquire(UINT64_C(1) << 40, 0), "no limit: even a TiB is granted at once, past any deadline");
	is_int(ColdReadLimitWaitUs(UINT64_C(1) << 40), 0, "no limit: no wait");
	ok(ColdReadLimitReadAhead() == UINT64_MAX, "no limit: read-ahead as large as the reader likes");

	/* 10 MB/s: the bucket holds 10 MB at most. */
	ok(GucSet("cold_read_bandwidth", "10MB", GUC_SRC_CMDLINE, err, sizeof(err)), "cold_read_bandwidth = 10MB");
	is_int(ColdReadLimitReadAhead(), 10 * MB_ / 4, "read-ahead: a quarter second's worth");
	is_int(ColdReadLimitWaitUs(10 * MB_), 0, "a full bucket: 10 MB at once");
	w = ColdReadLimitWaitUs(11 * MB_);
	ok(w >= 99000 && w <= 101000, "11 MB would wait for the 11th MB: 100 ms (%lld us)", (long long) w);

	t0 = MonotonicUs();
	ok(ColdReadLimitAcquire(10 * MB_, -1), "10 MB granted");
	ok(MonotonicUs() - t0 < 50000, "without waiting");
	w = ColdReadLimitWaitUs(MB_);
	ok(w >= 90000 && w <= 101000, "the bucket is empty: the next MB waits ~100 ms (%lld us)", (long long) w);

	/* A deadline the wait would pass: refused, and nothing reserved. */
	ok(!ColdReadLimitAcquire(MB_, MonotonicMs() + 10), "a reservation that would wait past its deadline is refused");
	w = ColdReadLimitWaitUs(MB_);
	ok(w <= 101000, "and did not put the bucket into debt (%lld us)", (long long) w);

	/* Waiting: 2 MB more take at least 200 ms, and the next waits behind. */
	t0 = MonotonicUs();
	ok(ColdReadLimitAcquire(2 * MB_, -1), "2 MB granted after waiting");
	w = MonotonicUs() - t0;
	ok(w >= 180000, "waited for the refill (%lld us)", (long long) w);
	w = ColdReadLimitWaitUs(MB_);
	ok(w >= 90000, "the next MB waits behind it (%lld us)", (long long) w);
	ok(ColdReadLimitAcquire(MB_, MonotonicMs() + 1000), "a deadline far enough is met");

	/* Idle: the bucket refills to the burst (a second's worth), not beyond. */
	{
		struct timespec ts = {1, 300 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	is_int(ColdReadLimitWaitUs(10 * MB_), 0, "after an idle spell 10 MB are there at once");
	w = ColdReadLimitWaitUs(12 * MB_);
	ok(w >= 190000, "but not 12 MB: idle time does not bank more than the burst (%lld us)", (long long) w);

	/* Back to no limit: granted at once whatever the bucket says. */
	ok(GucSet("cold_read_bandwidth", "0", GUC_SRC_CMDLINE, err, sizeof(err)), "cold_read_bandwidth = 0");
	ok(ColdReadLimitAcquire(100 * MB_, 0), "no limit again: granted at once");
	ok(!GucSet("cold_read_bandwidth", "-1", GUC_SRC_CMDLINE, err, sizeof(err)),
	   "a negative bandwidth is rejected: %s", err);
	return done_testing();
}
