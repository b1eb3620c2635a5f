/*-------------------------------------------------------------------------
 *
 * interrupt.h
 *	  Signals as seen by a child process (backend or auxiliary process).
 *
 *	  The postmaster starts every child through StartChildProcess, which
 *	  activates its process slot and latch and installs these handlers
 *	  before calling the child's main function (e.g. WalWriterMain, each
 *	  declared in its own header: postmaster/walwriter.h, ...).  The
 *	  handlers only record the signal and set MyLatch; the main loop acts:
 *
 *		SIGTERM  ShutdownRequestPending: finish what is in hand, proc_exit(0)
 *		SIGHUP   ConfigReloadPending: ProcessConfigReloadIfPending()
 *		SIGQUIT  quick die: _exit(2) at once (the postmaster is shutting
 *		         down immediately or resetting after a crash)
 *		SIGUSR1  nothing but SetLatch (a generic "look again" poke)
 *		SIGUSR2  HandoffRequestPending: the broker is stopping; the catalog
 *		         worker hands its partitions to other brokers (ignored by
 *		         the other processes)
 *
 *	  An auxiliary main function never returns: it ends with proc_exit(0)
 *	  when ShutdownRequestPending is set.  Exiting with any other status, or
 *	  without proc_exit, is treated as a crash by the postmaster.
 *
 * include/postmaster/interrupt.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_INTERRUPT_H
#define STRATA_INTERRUPT_H

#include "c.h"
#include <signal.h>

extern volatile sig_atomic_t ShutdownRequestPending;
extern volatile sig_atomic_t ConfigReloadPending;
extern volatile sig_atomic_t HandoffRequestPending;

/* Installed by the postmaster's child start-up code. */
extern void SetupChildSignalHandlers(void);

/* Re-read strata.conf if SIGHUP arrived. */
extern void ProcessConfigReloadIfPending(void);

/*
 * Clean exit of a child: release its process slot (so the postmaster knows
 * this was no crash), then exit(code).  code 0 or 1 only; anything else
 * makes the postmaster treat the exit as a crash.
 */
extern void proc_exit(int code) pg_attribute_noreturn();

#endif							/* STRATA_INTERRUPT_H */
