/*-------------------------------------------------------------------------
 *
 * ipci.c
 *	  Sizing and initialising shared memory: one line per module.
 *
 *	  A module with state in shared memory provides XxxShmemSize() and
 *	  XxxShmemInit() and adds a line to each function below.
 *
 *	  This is the one file that knows every module with shared state, of
 *	  every layer (kafka/ included), which is why it lives with the
 *	  postmaster, the top of the module map, rather than in storage/ipc/
 *	  (shmem.c there provides the segment and ShmemInitStruct).
 *
 * src/backend/postmaster/ipci.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/cluster.h"
#include "kafka/group.h"
#include "kafka/offsetstore.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/security.h"
#include "postmaster/ipci.h"
#include "postmaster/pmsignal.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/readlimit.h"
#include "storage/blockcache.h"
#include "storage/shmem.h"
#include "storage/wal.h"
#include "utils/metrics.h"

size_t
CalculateShmemSize(void)
{
	size_t		size = 0;

	size = add_size(size, ProcArrayShmemSize());
	size = add_size(size, PMSignalShmemSize());
	size = add_size(size, PartitionShmemSize());
	size = add_size(size, ClusterShmemSize());
	size = add_size(size, WalShmemSize());
	size = add_size(size, LogCacheShmemSize());
	size = add_size(size, GroupShmemSize());
	size = add_size(size, OffsetStoreShmemSize());
	size = add_size(size, BlockCacheShmemSize());
	size = add_size(size, ColdReadLimitShmemSize());
	size = add_size(size, MetricsShmemSize());
	size = add_size(size, ProducerStateShmemSize());
	size = add_size(size, SecurityShmemSize());
	/* Slack for the allocations' alignment padding. */
	size = add_size(size, 64 * 1024);
	return size;
}

void
CreateSharedMemoryAndSemaphores(void)
{
	ShmemCreate(CalculateShmemSize());
	ProcArrayShmemInit();
	PMSignalShmemInit();
	PartitionShmemInit();
	ClusterShmemInit();
	WalShmemInit();
	LogCacheShmemInit();		/* after WalShmemInit */
	GroupShmemInit();
	OffsetStoreShmemInit();
	BlockCacheShmemInit();
	ColdReadLimitShmemInit();
	MetricsShmemInit();
	ProducerStateShmemInit();
	SecurityShmemInit();
}
