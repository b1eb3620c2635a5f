/*-------------------------------------------------------------------------
 *
 * readlimit.c
 *	  The broker-wide budget for cold reads (see readlimit.h).
 *
 *	  One SMutex guards the bucket; it is held only for the arithmetic, and
 *	  the sleep happens after it is released.  The rate is each process's
 *	  own cold_read_bandwidth, so a reload reaches every backend the way
 *	  other settings do; the bucket itself is shared.
 *
 * src/backend/storage/objstore/readlimit.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/readlimit.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/*
 * The bucket holds at most this much of a second's budget.  A consumer's
 * fetches come one after another: while it parses a response (50 MB is
 * librdkafka's default fetch.max.bytes) it asks for nothing, and with a
 * tenth of a second banked a lone consumer got only 54% of the setting
 * (bench/catchup.sh).  A second's worth lets it use its pauses' share
 * when it comes back, and still bounds any one second's reads to twice
 * the setting.
 */
#define READLIMIT_BURST_FRACTION	1.0
/* One GET's read-ahead is at most this much of a second's budget. */
#define READLIMIT_READAHEAD_FRACTION 0.25

typedef struct ColdReadLimitCtl
{
	SMutex		lock;
	double		tokens;			/* bytes; below zero, reserved ahead */
	int64		updated_us;		/* MonotonicUs of the last refill; 0: never */
} ColdReadLimitCtl;

static ColdReadLimitCtl *ReadLimit;

size_t
ColdReadLimitShmemSize(void)
{
	return CACHELINEALIGN(sizeof(ColdReadLimitCtl));
}

void
ColdReadLimitShmemInit(void)
{
	bool		found;

	ReadLimit = ShmemInitStruct("Cold read limit", ColdReadLimitShmemSize(), &found);
	if (found)
		return;
	memset(ReadLimit, 0, sizeof(*ReadLimit));
	SMutexInit(&ReadLimit->lock);
}

/* Caller holds the lock.  Bring the bucket up to now at rate bytes/s. */
static void
refill(int64 now_us, double rate)
{
	double		cap = rate * READLIMIT_BURST_FRACTION;

	if (ReadLimit->updated_us == 0)
		ReadLimit->tokens = cap;
	else if (now_us > ReadLimit->updated_us)
		ReadLimit->tokens += (double) (now_us - ReadLimit->updated_us) / 1e6 * rate;
	if (ReadLimit->tokens > cap)
		ReadLimit->tokens = cap;
	ReadLimit->updated_us = now_us;
}

/* Caller holds the lock and has refilled.  Microseconds until bytes are paid. */
static int64
wait_for(uint64 bytes, double rate)
{
	double		missing = (double) bytes - ReadLimit->tokens;

	return missing <= 0 ? 0 : (int64) (missing / rate * 1e6) + 1;
}

/*
 * Sleep until MonotonicUs reaches until_us, or shutdown.  A SetLatch that
 * comes meanwhile (new data for the fetch that is waiting here) is kept:
 * the latch is set again before returning.
 */
static void
sleep_until(int64 until_us)
{
	bool		latch_was_set = false;

	for (;;)
	{
		int64		now = MonotonicUs();

		if (now >= until_us || ShutdownRequestPending)
			break;
		if (MyLatch == NULL)
		{
			struct timespec ts = {(until_us - now) / 1000000, ((until_us - now) % 1000000) * 1000};

			while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !ShutdownRequestPending)
				;
			continue;
		}
		if (WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					  (long) ((until_us - now + 999) / 1000)) & WL_LATCH_SET)
		{
			latch_was_set = true;
			ResetLatch(MyLatch);
		}
	}
	if (latch_was_set)
		SetLatch(MyLatch);
}

bool
ColdReadLimitAcquire(uint64 bytes, int64 deadline_ms)
{
	double		rate = (double) cold_read_bandwidth;
	int64		now,
				wait;

	if (rate <= 0 || ReadLimit == NULL || bytes == 0)
		return true;
	now = MonotonicUs();
	SMutexLock(&ReadLimit->lock);
	refill(now, rate);
	wait = wait_for(bytes, rate);
	if (wait > 0 && deadline_ms >= 0 && now + wait > deadline_ms * 1000)
	{
		SMutexUnlock(&ReadLimit->lock);
		return false;
	}
	ReadLimit->tokens -= (double) bytes;
	SMutexUnlock(&ReadLimit->lock);
	if (wait > 0)
	{
		MetricsObserve(METRIC_COLD_READ_THROTTLE_WAIT, (uint64) wait);
		sleep_until(now + wait);
	}
	return true;
}

uint64
ColdReadLimitReadAhead(void)
{
	if (cold_read_bandwidth <= 0)
		return UINT64_MAX;
	return (uint64) ((double) cold_read_bandwidth * READLIMIT_READAHEAD_FRACTION);
}

int64
ColdReadLimitWaitUs(uint64 bytes)
{
	double		rate = (double) cold_read_bandwidth;
	int64		wait;

	if (rate <= 0 || ReadLimit == NULL)
		return 0;
	SMutexLock(&ReadLimit->lock);
	refill(MonotonicUs(), rate);
	wait = wait_for(bytes, rate);
	SMutexUnlock(&ReadLimit->lock);
	return wait;
}
