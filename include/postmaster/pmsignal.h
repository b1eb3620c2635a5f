/*-------------------------------------------------------------------------
 *
 * pmsignal.h
 *	  Children telling the postmaster something: a per-reason flag in shared
 *	  memory, then SIGUSR1 to the postmaster (as PostgreSQL's pmsignal.c).
 *
 * include/postmaster/pmsignal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PMSIGNAL_H
#define STRATA_PMSIGNAL_H

#include "c.h"

typedef enum PMSignalReason
{
	PMSIGNAL_WAL_READY,			/* WAL recovery finished */
	PMSIGNAL_TOPICS_LOADED,		/* the catalog worker loaded the registry */
	PMSIGNAL_FENCED,			/* the catalog worker found this broker fenced */
	PMSIGNAL_HANDED_OFF,		/* stopping: every partition was handed off */
	NUM_PMSIGNALS
} PMSignalReason;

extern size_t PMSignalShmemSize(void);
extern void PMSignalShmemInit(void);

/* Child side. */
extern void SendPostmasterSignal(PMSignalReason reason);
/* Postmaster side: test and clear one reason. */
extern bool CheckPostmasterSignal(PMSignalReason reason);

/* The postmaster's pid, known to every child. */
extern pid_t PostmasterPid;

#endif							/* STRATA_PMSIGNAL_H */
