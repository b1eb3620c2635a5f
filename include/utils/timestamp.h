/*-------------------------------------------------------------------------
 *
 * timestamp.h
 *	  Clock readings used all over: a monotonic clock for timeouts and
 *	  intervals, the wall clock for what is shown or stored.
 *
 * include/utils/timestamp.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_TIMESTAMP_H
#define STRATA_TIMESTAMP_H

#include "c.h"

#include <time.h>

/* Milliseconds on the monotonic clock (for timeouts; not a date). */
static inline int64
MonotonicMs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Microseconds on the monotonic clock. */
static inline int64
MonotonicUs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Nanoseconds on the monotonic clock (I/O timing statistics). */
static inline uint64
MonotonicNs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64) ts.tv_sec * 1000000000 + (uint64) ts.tv_nsec;
}

/*
 * Milliseconds since the Unix epoch (Kafka's timestamps): the one wall
 * clock; everything else measures time on the monotonic clock.
 */
static inline int64
WallClockMs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif							/* STRATA_TIMESTAMP_H */
