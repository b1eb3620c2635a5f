/*-------------------------------------------------------------------------
 *
 * spin.c
 *	  Spinlock slow path, futex helpers and the futex-based SMutex.
 *
 * src/backend/storage/ipc/spin.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "storage/spin.h"
#include "utils/elog.h"

void
s_lock_slow(slock_t *lock)
{
	int			spins = 0;

	for (;;)
	{
		while (__atomic_load_n(&lock->v, __ATOMIC_RELAXED) != 0)
		{
			if (++spins < 100)
				__builtin_ia32_pause();
			else
			{
				/* The holder was probably descheduled: give it the CPU. */
				sched_yield();
				if (spins > 10 * 1000 * 1000)
					elog(PANIC, "stuck spinlock detected");
			}
		}
		if (__atomic_exchange_n(&lock->v, 1, __ATOMIC_ACQUIRE) == 0)
			return;
	}
}

int
futex_wait(uint32 *addr, uint32 expected, long timeout_ms)
{
	struct timespec ts,
			   *tsp = NULL;

	if (timeout_ms >= 0)
	{
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	return (int) syscall(SYS_futex, addr, FUTEX_WAIT, expected, tsp, NULL, 0);
}

void
futex_wake(uint32 *addr, int nwake)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, nwake, NULL, NULL, 0);
}

/* SMutexes this process holds: an exit that leaves any held is a crash. */
int			SMutexHeldCount = 0;

void
SMutexInit(SMutex *m)
{
	__atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
}

bool
SMutexTryLock(SMutex *m)
{
	uint32		expected = 0;

	if (!__atomic_compare_exchange_n(&m->state, &expected, 1, false,
									 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	SMutexHeldCount++;
	return true;
}

/* Drepper's three-state futex mutex ("Futexes Are Tricky", mutex 2). */
void
SMutexLock(SMutex *m)
{
	uint32		c = 0;

	SMutexHeldCount++;
	if (__atomic_compare_exchange_n(&m->state, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0)
	{
		futex_wait(&m->state, 2, -1);
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

void
SMutexUnlock(SMutex *m)
{
	SMutexHeldCount--;
	if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1)
	{
		__atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
		futex_wake(&m->state, 1);
	}
}
