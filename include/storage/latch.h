/*-------------------------------------------------------------------------
 *
 * latch.h
 *	  Latches: how one process wakes another that is waiting for work.
 *
 *	  Every process owns the latch of its slot in the process array
 *	  (MyLatch).  Discipline, as in PostgreSQL:
 *
 *		for (;;)
 *		{
 *			ResetLatch(MyLatch);
 *			if (work is available)
 *				do it;
 *			else
 *				WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms);
 *		}
 *
 *	  A waker first publishes the work, then calls SetLatch().  Because the
 *	  latch is reset before the check, a SetLatch() between the check and the
 *	  wait is not lost.
 *
 *	  A waiter sleeps on a futex on the latch word when it waits for the
 *	  latch alone, and in poll() on a signalfd (SIGURG) when it waits on a
 *	  socket too; SetLatch() wakes whichever the owner is doing.  Nobody ever
 *	  sleep-polls.
 *
 *	  Postmaster death: children get SIGKILL through PR_SET_PDEATHSIG, so a
 *	  child can never outlive the postmaster; poll-based waits also watch the
 *	  postmaster-alive pipe and report WL_POSTMASTER_DEATH.
 *
 * include/storage/latch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_LATCH_H
#define STRATA_LATCH_H

#include "c.h"

typedef struct Latch
{
	uint32		is_set;			/* futex word: 1 when set */
	uint32		waiting;		/* 0 no, 1 futex wait, 2 poll wait */
	pid_t		owner_pid;
} Latch;

#define WL_LATCH_SET		 (1 << 0)
#define WL_SOCKET_READABLE	 (1 << 1)
#define WL_SOCKET_WRITEABLE	 (1 << 2)
#define WL_TIMEOUT			 (1 << 3)
#define WL_POSTMASTER_DEATH	 (1 << 4)
#define WL_EXIT_ON_PM_DEATH	 (1 << 5)

extern Latch *MyLatch;

extern void InitSharedLatch(Latch *latch);
extern void OwnLatch(Latch *latch);
extern void DisownLatch(Latch *latch);
extern void SetLatch(Latch *latch);
extern void ResetLatch(Latch *latch);

/* Set up this process's latch machinery (signalfd); call once after fork. */
extern void InitLatchSupport(void);

/*
 * Wait until one of events happens; timeout_ms < 0 waits forever (needs
 * WL_TIMEOUT unset).  Returns the events that occurred.
 */
extern int	WaitLatch(Latch *latch, int events, long timeout_ms);
extern int	WaitLatchOrSocket(Latch *latch, int events, int sock, long timeout_ms);

/* Postmaster-alive pipe: the postmaster holds the write end open. */
extern int	postmaster_alive_fds[2];
extern bool PostmasterIsAlive(void);

#endif							/* STRATA_LATCH_H */
