/*-------------------------------------------------------------------------
 *
 * offsetcommitter.h
 *	  The offset committer process (postmaster/offsetcommitter.c): writes
 *	  the consumer groups' offset commits queued by the backends to the
 *	  catalog in batches (kafka/offsetstore.h).
 *
 * include/postmaster/offsetcommitter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OFFSETCOMMITTER_H
#define STRATA_OFFSETCOMMITTER_H

#include "c.h"

/*
 * The offset committer's main loop; the postmaster's child start-up code
 * calls it with the process slot, latch and signal handlers set up
 * (postmaster/interrupt.h).  Never returns: proc_exit(0) on SIGTERM.
 */
extern void OffsetCommitterMain(void) pg_attribute_noreturn();

#endif							/* STRATA_OFFSETCOMMITTER_H */
