/*-------------------------------------------------------------------------
 *
 * uploader.h
 *	  The uploader (object-storage archiver) process
 *	  (postmaster/uploader.c).
 *
 * include/postmaster/uploader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_UPLOADER_H
#define STRATA_POSTMASTER_UPLOADER_H

#include "c.h"

/*
 * The uploader's main function: uploads the durable WAL into object
 * storage, commits the objects to the catalog, trims the WAL, and runs
 * object maintenance (compaction, retention, deletions).  Started by the
 * postmaster's StartChildProcess.  Never returns.
 */
extern void UploaderMain(void) pg_attribute_noreturn();

#endif							/* STRATA_POSTMASTER_UPLOADER_H */
