/*-------------------------------------------------------------------------
 *
 * procarray.h
 *	  The array of process slots in shared memory.
 *
 *	  The postmaster assigns a slot to every child before forking it
 *	  (UNUSED -> ASSIGNED).  The child marks it ACTIVE once running and
 *	  back to ASSIGNED as the last thing of a clean exit.  When the postmaster
 *	  reaps a child whose slot is still ACTIVE, the child did not clean up
 *	  after itself: that is a crash even if its exit status was 0 (as in
 *	  PostgreSQL's pmsignal.c).  Each slot holds the child's latch.
 *
 *	  Slots 0 .. NUM_AUX_PROCS-1 belong to the auxiliary processes, one each;
 *	  the rest to backends.
 *
 * include/storage/procarray.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PROCARRAY_H
#define STRATA_PROCARRAY_H

#include "c.h"
#include "storage/latch.h"

typedef enum ProcKind
{
	PROC_WALWRITER = 0,
	PROC_UPLOADER,
	PROC_CATALOG,
	PROC_BALANCER,
	PROC_METRICS,				/* only when metrics_listen is set */
	PROC_COMMITTER,				/* offset committer (kafka/offsetstore.c) */
	NUM_AUX_PROCS,
	PROC_BACKEND = NUM_AUX_PROCS,
	PROC_POSTMASTER
} ProcKind;

typedef enum ProcSlotState
{
	PROC_SLOT_UNUSED = 0,
	PROC_SLOT_ASSIGNED,
	PROC_SLOT_ACTIVE
} ProcSlotState;

typedef struct ProcSlot
{
	uint32		state;			/* ProcSlotState */
	int			kind;			/* ProcKind */
	pid_t		pid;
	Latch		latch;
} __attribute__((aligned(64))) ProcSlot;

typedef struct ProcArrayShmemStruct
{
	int			nslots;
	ProcSlot	slots[];
} ProcArrayShmemStruct;

extern ProcArrayShmemStruct *ProcArray;
extern ProcSlot *MyProc;
extern int	MyProcSlot;

extern size_t ProcArrayShmemSize(void);
extern void ProcArrayShmemInit(void);

/* Postmaster: find and assign a free slot for kind; -1 if none. */
extern int	ProcSlotAssign(ProcKind kind);
/* Postmaster: after reaping; returns false if the child did not clean up. */
extern bool ProcSlotRelease(int slot);

/* Child: mark own slot active and own its latch; and the reverse at exit. */
extern void ProcSlotActivate(int slot);
extern void ProcSlotDeactivate(void);

/* The latch of an auxiliary process (to wake it), e.g. the WAL writer's. */
extern Latch *AuxProcLatch(ProcKind kind);

extern const char *ProcKindName(ProcKind kind);

#endif							/* STRATA_PROCARRAY_H */
