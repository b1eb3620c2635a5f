/*-------------------------------------------------------------------------
 *
 * procarray.c
 *	  Process slots in shared memory (see storage/procarray.h).
 *
 * src/backend/storage/ipc/procarray.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <unistd.h>

#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/elog.h"
#include "utils/guc.h"

ProcArrayShmemStruct *ProcArray = NULL;
ProcSlot   *MyProc = NULL;
int			MyProcSlot = -1;

static int
total_slots(void)
{
	return NUM_AUX_PROCS + (int) max_connections;
}

size_t
ProcArrayShmemSize(void)
{
	return add_size(offsetof(ProcArrayShmemStruct, slots),
					mul_size(sizeof(ProcSlot), (size_t) total_slots()));
}

void
ProcArrayShmemInit(void)
{
	bool		found;

	ProcArray = ShmemInitStruct("ProcArray", ProcArrayShmemSize(), &found);
	if (found)
		return;
	ProcArray->nslots = total_slots();
	for (int i = 0; i < ProcArray->nslots; i++)
	{
		ProcSlot   *slot = &ProcArray->slots[i];

		slot->state = PROC_SLOT_UNUSED;
		slot->kind = i < NUM_AUX_PROCS ? i : PROC_BACKEND;
		slot->pid = 0;
		InitSharedLatch(&slot->latch);
	}
}

int
ProcSlotAssign(ProcKind kind)
{
	int			from = kind == PROC_BACKEND ? NUM_AUX_PROCS : (int) kind;
	int			to = kind == PROC_BACKEND ? ProcArray->nslots : (int) kind + 1;

	for (int i = from; i < to; i++)
	{
		ProcSlot   *slot = &ProcArray->slots[i];

		if (__atomic_load_n(&slot->state, __ATOMIC_SEQ_CST) == PROC_SLOT_UNUSED)
		{
			slot->kind = kind;
			slot->pid = 0;
			InitSharedLatch(&slot->latch);
			__atomic_store_n(&slot->state, PROC_SLOT_ASSIGNED, __ATOMIC_SEQ_CST);
			return i;
		}
	}
	return -1;
}

bool
ProcSlotRelease(int slotno)
{
	ProcSlot   *slot = &ProcArray->slots[slotno];
	uint32		state = __atomic_exchange_n(&slot->state, PROC_SLOT_UNUSED, __ATOMIC_SEQ_CST);

	slot->pid = 0;
	return state == PROC_SLOT_ASSIGNED;
}

void
ProcSlotActivate(int slotno)
{
	MyProcSlot = slotno;
	MyProc = &ProcArray->slots[slotno];
	MyProc->pid = getpid();
	MyLatch = &MyProc->latch;
	OwnLatch(MyLatch);
	__atomic_store_n(&MyProc->state, PROC_SLOT_ACTIVE, __ATOMIC_SEQ_CST);
}

void
ProcSlotDeactivate(void)
{
	if (MyProc == NULL)
		return;
	DisownLatch(MyLatch);
	__atomic_store_n(&MyProc->state, PROC_SLOT_ASSIGNED, __ATOMIC_SEQ_CST);
	MyProc = NULL;
}

Latch *
AuxProcLatch(ProcKind kind)
{
	Ensure(kind < NUM_AUX_PROCS);
	return &ProcArray->slots[kind].latch;
}

const char *
ProcKindName(ProcKind kind)
{
	switch (kind)
	{
		case PROC_WALWRITER:
			return "wal writer";
		case PROC_UPLOADER:
			return "uploader";
		case PROC_CATALOG:
			return "catalog worker";
		case PROC_BALANCER:
			return "balancer";
		case PROC_METRICS:
			return "metrics exporter";
		case PROC_COMMITTER:
			return "offset committer";
		case PROC_BACKEND:
			return "backend";
		case PROC_POSTMASTER:
			return "postmaster";
	}
	return "?";
}
