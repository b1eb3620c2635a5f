/*-------------------------------------------------------------------------
 *
 * walwriter.h
 *	  The WAL writer process (postmaster/walwriter.c).
 *
 * include/postmaster/walwriter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_WALWRITER_H
#define STRATA_POSTMASTER_WALWRITER_H

#include "c.h"

/*
 * The WAL writer's main function: recovers the WAL, then writes the ring
 * to the device until shutdown (storage/wal.h, WalAio*).  Started by the
 * postmaster's StartChildProcess; the unit tests and the WAL benchmark
 * fork it the same way.  Never returns.
 */
extern void WalWriterMain(void) pg_attribute_noreturn();

#endif							/* STRATA_POSTMASTER_WALWRITER_H */
