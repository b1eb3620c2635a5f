/*-------------------------------------------------------------------------
 *
 * ipci.h
 *	  Sizing and creating the shared-memory segment (postmaster/ipci.c).
 *
 * include/postmaster/ipci.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_IPCI_H
#define STRATA_POSTMASTER_IPCI_H

#include "c.h"

/* The sum of every module's XxxShmemSize(), with slack for alignment. */
extern size_t CalculateShmemSize(void);

/*
 * Create the segment and let every module carve out its part
 * (XxxShmemInit).  Run by the postmaster at start and after a crash, before
 * it forks anything; the unit tests and tools run it in-process.
 */
extern void CreateSharedMemoryAndSemaphores(void);

#endif							/* STRATA_POSTMASTER_IPCI_H */
