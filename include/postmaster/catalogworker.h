/*-------------------------------------------------------------------------
 *
 * catalogworker.h
 *	  The catalog worker process (postmaster/catalogworker.c): keeps the
 *	  broker's lease, LISTENs for catalog changes and loads the topic
 *	  registry.
 *
 * include/postmaster/catalogworker.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOGWORKER_H
#define STRATA_CATALOGWORKER_H

#include "c.h"

/*
 * The catalog worker's main loop; the postmaster's child start-up code
 * calls it with the process slot, latch and signal handlers set up
 * (postmaster/interrupt.h).  Never returns: proc_exit(0) on SIGTERM.
 */
extern void CatalogWorkerMain(void) pg_attribute_noreturn();

#endif							/* STRATA_CATALOGWORKER_H */
