/*-------------------------------------------------------------------------
 *
 * spin.h
 *	  Spinlocks and a futex-based mutex for shared memory.
 *
 *	  A spinlock protects a few instructions (never a system call).  An
 *	  SMutex may be held across longer work: waiters sleep in the kernel.
 *	  Neither is released if its holder dies; that is why any abnormal exit
 *	  of a process attached to shared memory makes the postmaster rebuild it.
 *
 * include/storage/spin.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_SPIN_H
#define STRATA_SPIN_H

#include "c.h"

typedef struct slock_t
{
	volatile uint32 v;
} slock_t;

extern void s_lock_slow(slock_t *lock);

static inline void
SpinLockInit(slock_t *lock)
{
	__atomic_store_n(&lock->v, 0, __ATOMIC_RELEASE);
}

static inline void
SpinLockAcquire(slock_t *lock)
{
	if (likely(__atomic_exchange_n(&lock->v, 1, __ATOMIC_ACQUIRE) == 0))
		return;
	s_lock_slow(lock);
}

static inline void
SpinLockRelease(slock_t *lock)
{
	__atomic_store_n(&lock->v, 0, __ATOMIC_RELEASE);
}

/* A mutex whose waiters sleep on a futex (0 free, 1 locked, 2 contended). */
typedef struct SMutex
{
	uint32		state;
} SMutex;

/*
 * How many SMutexes this process holds.  proc_exit checks it: a process
 * that ends (FATAL, or an ERROR with nowhere to go) while holding one
 * would leave it locked for everybody, so it exits as a crash instead and
 * the postmaster rebuilds shared memory.  A backend's ERROR recovery does
 * the same (no ERROR may be raised with an SMutex held: utils/elog.h).
 */
extern int	SMutexHeldCount;

extern void SMutexInit(SMutex *m);
extern void SMutexLock(SMutex *m);
extern bool SMutexTryLock(SMutex *m);
extern void SMutexUnlock(SMutex *m);

/*
 * True if some process holds m right now.  Only a hint for deciding
 * whether to try the lock or wake its holder's waiters first: it may be
 * stale by the time the caller acts.  The read is sequentially
 * consistent, so a caller that stored a flag of its own before calling it
 * and a holder that reads that flag after taking m cannot both miss each
 * other (wal.c relies on this when it publishes an append).
 */
static inline bool
SMutexIsLocked(const SMutex *m)
{
	return __atomic_load_n(&m->state, __ATOMIC_SEQ_CST) != 0;
}

/* Raw futex helpers (shared, not private: the word lives in shared memory). */
extern int	futex_wait(uint32 *addr, uint32 expected, long timeout_ms);
extern void futex_wake(uint32 *addr, int nwake);

#endif							/* STRATA_SPIN_H */
