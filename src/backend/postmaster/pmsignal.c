/*-------------------------------------------------------------------------
 *
 * pmsignal.c
 *	  Child-to-postmaster signalling (see postmaster/pmsignal.h).
 *
 * src/backend/postmaster/pmsignal.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <signal.h>

#include "postmaster/pmsignal.h"
#include "storage/shmem.h"

typedef struct PMSignalData
{
	uint32		flags[NUM_PMSIGNALS];
} PMSignalData;

static PMSignalData *PMSignalState = NULL;
pid_t		PostmasterPid = 0;

size_t
PMSignalShmemSize(void)
{
	return sizeof(PMSignalData);
}

void
PMSignalShmemInit(void)
{
	bool		found;

	PMSignalState = ShmemInitStruct("PMSignalState", PMSignalShmemSize(), &found);
	if (!found)
		memset(PMSignalState, 0, sizeof(PMSignalData));
}

void
SendPostmasterSignal(PMSignalReason reason)
{
	__atomic_store_n(&PMSignalState->flags[reason], 1, __ATOMIC_SEQ_CST);
	kill(PostmasterPid, SIGUSR1);
}

bool
CheckPostmasterSignal(PMSignalReason reason)
{
	return __atomic_exchange_n(&PMSignalState->flags[reason], 0, __ATOMIC_SEQ_CST) != 0;
}
