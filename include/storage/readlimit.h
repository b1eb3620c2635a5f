/*-------------------------------------------------------------------------
 *
 * readlimit.h
 *	  The broker-wide budget for cold reads: cold_read_bandwidth bytes per
 *	  second fetched from object storage for consumers, shared by every
 *	  backend (as AutoMQ caps catch-up reads so that they cannot take the
 *	  network or the CPU from producers).
 *
 *	  A token bucket in shared memory.  A reader reserves the bytes of a GET
 *	  before making it and sleeps until the bucket has refilled past them;
 *	  the bucket may go into debt, so readers that reserve one after another
 *	  are paced in the order they came.  It holds at most a tenth of a
 *	  second's worth, so an idle spell does not turn into a burst.  Block
 *	  cache hits cost nothing: only bytes that must come from the store.
 *
 *	  A reader that already has something to answer with may ask not to
 *	  wait past a deadline (the fetch's max wait): then the reservation is
 *	  refused and the reader answers with what it has, instead of holding a
 *	  consumer's whole response back.
 *
 * include/storage/readlimit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_READLIMIT_H
#define STRATA_READLIMIT_H

#include "c.h"

extern size_t ColdReadLimitShmemSize(void);
extern void ColdReadLimitShmemInit(void);

/*
 * Reserve bytes of the budget and sleep until they are paid for.  With
 * deadline_ms >= 0 (MonotonicMs), a reservation that would have to wait
 * past it is not made and false is returned; with -1 the caller always
 * waits.  True at once when cold_read_bandwidth is 0 (no limit).  The
 * sleep ends early on shutdown; the process latch stays set if it was.
 */
extern bool ColdReadLimitAcquire(uint64 bytes, int64 deadline_ms);

/*
 * The most read-ahead worth asking for in one GET under the limit: a
 * quarter of a second's budget (UINT64_MAX with no limit).  A larger GET
 * would hold its fetch back for longer than a consumer should wait.
 */
extern uint64 ColdReadLimitReadAhead(void);

/* The wait a reservation of bytes would need now, in microseconds. */
extern int64 ColdReadLimitWaitUs(uint64 bytes);

#endif							/* STRATA_READLIMIT_H */
