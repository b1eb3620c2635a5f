/*-------------------------------------------------------------------------
 *
 * cluster.c
 *	  The shared-memory view of the cluster (see kafka/cluster.h).
 *
 * src/backend/kafka/cluster.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/cluster.h"
#include "kafka/protocol.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/guc.h"
#include "utils/listeners.h"
#include "utils/timestamp.h"

typedef struct ClusterShared
{
	slock_t		lock;
	bool		loaded;
	int			nbrokers;
	ClusterBroker brokers[CLUSTER_MAX_BROKERS];
	int32		controller_id;
	int64		controller_epoch;
	int			nslots;
	int32		slot_leader[CLUSTER_MAX_SLOTS];
	int32		slot_epoch[CLUSTER_MAX_SLOTS];
	/* this broker */
	int64		lease_deadline_ms;	/* atomic; MonotonicMs, 0 = none yet */
	uint32		fenced;			/* atomic */
	uint32		recovery_work;	/* atomic */
} ClusterShared;

static ClusterShared *Cluster;

size_t
ClusterShmemSize(void)
{
	return sizeof(ClusterShared);
}

void
ClusterShmemInit(void)
{
	bool		found;

	Cluster = ShmemInitStruct("cluster", sizeof(ClusterShared), &found);
	if (!found)
	{
		memset(Cluster, 0, sizeof(ClusterShared));
		SpinLockInit(&Cluster->lock);
		Cluster->controller_id = -1;
	}
}

void
ClusterSetBrokers(const ClusterBroker *brokers, int n)
{
	n = Min(n, CLUSTER_MAX_BROKERS);
	SpinLockAcquire(&Cluster->lock);
	memcpy(Cluster->brokers, brokers, sizeof(ClusterBroker) * (size_t) n);
	Cluster->nbrokers = n;
	Cluster->loaded = true;
	SpinLockRelease(&Cluster->lock);
}

void
ClusterSetController(int32 controller_id, int64 controller_epoch)
{
	SpinLockAcquire(&Cluster->lock);
	Cluster->controller_id = controller_id;
	Cluster->controller_epoch = controller_epoch;
	SpinLockRelease(&Cluster->lock);
}

void
ClusterSetSlots(const int32 *leaders, const int32 *epochs, int n)
{
	n = Min(n, CLUSTER_MAX_SLOTS);
	SpinLockAcquire(&Cluster->lock);
	memcpy(Cluster->slot_leader, leaders, sizeof(int32) * (size_t) n);
	memcpy(Cluster->slot_epoch, epochs, sizeof(int32) * (size_t) n);
	Cluster->nslots = n;
	SpinLockRelease(&Cluster->lock);
}

/*
 * How long before the catalog may consider the lease expired this broker
 * stops acknowledging: a tenth of the lease, and at least 500 ms, for the
 * difference between the rates of this machine's monotonic clock and the
 * catalog's clock over one lease, and for scheduling delays between the
 * check and the acknowledgement leaving (doc/cluster.md, "Fencing").
 */
int64
ClusterLeaseMargin(int64 lease_ms)
{
	return Max(lease_ms / 10, 500);
}

void
ClusterLeaseRenewed(int64 sent_ms, int64 lease_ms)
{
	int64		deadline = sent_ms + lease_ms - ClusterLeaseMargin(lease_ms);
	int64		cur = __atomic_load_n(&Cluster->lease_deadline_ms, __ATOMIC_ACQUIRE);

	/* Renewals may complete out of order; the deadline only moves forward. */
	while (deadline > cur &&
		   !__atomic_compare_exchange_n(&Cluster->lease_deadline_ms, &cur, deadline, false,
										__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

void
ClusterSetFenced(void)
{
	__atomic_store_n(&Cluster->fenced, 1, __ATOMIC_RELEASE);
}

bool
ClusterIsFenced(void)
{
	return __atomic_load_n(&Cluster->fenced, __ATOMIC_ACQUIRE) != 0;
}

bool
ClusterLeaseValid(void)
{
	int64		deadline = __atomic_load_n(&Cluster->lease_deadline_ms, __ATOMIC_ACQUIRE);

	if (ClusterIsFenced())
		return false;
	return deadline > 0 && MonotonicMs() < deadline;
}

int
ClusterGetBrokers(ClusterBroker *out, int max)
{
	int			n;

	SpinLockAcquire(&Cluster->lock);
	n = Min(max, Cluster->nbrokers);
	memcpy(out, Cluster->brokers, sizeof(ClusterBroker) * (size_t) n);
	SpinLockRelease(&Cluster->lock);
	return n;
}

bool
ClusterGetBroker(int32 id, ClusterBroker *out)
{
	bool		found = false;

	SpinLockAcquire(&Cluster->lock);
	for (int i = 0; i < Cluster->nbrokers; i++)
		if (Cluster->brokers[i].id == id)
		{
			*out = Cluster->brokers[i];
			found = true;
			break;
		}
	SpinLockRelease(&Cluster->lock);
	return found;
}

bool
ClusterAddressIn(const char *advertised, const char *listener, char *host, size_t hostlen,
				 int32 *port)
{
	return ListenerFind(advertised, listener, host, hostlen, port) ||
		ListenerFind(advertised, NULL, host, hostlen, port);
}

bool
ClusterBrokerAddress(int32 id, const char *listener, char *host, size_t hostlen, int32 *port)
{
	ClusterBroker b;

	if (!ClusterGetBroker(id, &b))
		return false;
	return ClusterAddressIn(b.advertised, listener, host, hostlen, port);
}

int32
ClusterControllerId(void)
{
	int32		id;

	SpinLockAcquire(&Cluster->lock);
	id = Cluster->controller_id;
	SpinLockRelease(&Cluster->lock);
	return id;
}

int
ClusterSlotCount(void)
{
	int			n;

	SpinLockAcquire(&Cluster->lock);
	n = Cluster->nslots;
	SpinLockRelease(&Cluster->lock);
	return n;
}

/*
 * Java's String.hashCode over the key's UTF-16 code units (s[0]*31^(n-1) +
 * ... + s[n-1], wrapping at 32 bits), from the UTF-8 bytes Kafka clients
 * send.  A byte that starts no valid sequence counts as U+FFFD, as Java's
 * decoder replaces it.
 */
static int32
java_string_hash(const char *key, size_t len)
{
	uint32		h = 0;
	const uint8 *s = (const uint8 *) key;
	size_t		i = 0;

	while (i < len)
	{
		uint32		cp = s[i];
		int			extra = 0;

		if (cp >= 0xF0 && cp <= 0xF4)
		{
			extra = 3;
			cp &= 0x07;
		}
		else if (cp >= 0xE0 && cp < 0xF0)
		{
			extra = 2;
			cp &= 0x0F;
		}
		else if (cp >= 0xC2 && cp < 0xE0)
		{
			extra = 1;
			cp &= 0x1F;
		}
		if (extra > 0 && i + (size_t) extra < len)
		{
			bool		ok = true;

			for (int k = 1; ok && k <= extra; k++)
				ok = (s[i + (size_t) k] & 0xC0) == 0x80;
			if (!ok)
				extra = 0;
		}
		else
			extra = 0;
		if (extra > 0)
		{
			for (int k = 1; k <= extra; k++)
				cp = (cp << 6) | (s[i + (size_t) k] & 0x3F);
		}
		else if (s[i] >= 0x80)
			cp = 0xFFFD;		/* a malformed sequence: Java's replacement character */
		else
			cp = s[i];
		i += (size_t) extra + 1;
		if (cp >= 0x10000)
		{
			cp -= 0x10000;
			h = h * 31 + (0xD800 + (cp >> 10));
			h = h * 31 + (0xDC00 + (cp & 0x3FF));
		}
		else
			h = h * 31 + cp;
	}
	return (int32) h;
}

int
ClusterKeySlot(const char *key, size_t len, int nslots)
{
	int32		h = java_string_hash(key, len);
	/* Kafka's Utils.abs: Integer.MIN_VALUE maps to 0. */
	int64		a = h == INT32_MIN ? 0 : (h < 0 ? -(int64) h : h);

	if (nslots <= 0)
		return 0;
	return (int) (a % nslots);
}

int32
ClusterSlotLeader(int slot, int32 *epoch)
{
	int32		leader = -1;

	SpinLockAcquire(&Cluster->lock);
	if (slot >= 0 && slot < Cluster->nslots)
	{
		leader = Cluster->slot_leader[slot];
		if (epoch)
			*epoch = Cluster->slot_epoch[slot];
	}
	SpinLockRelease(&Cluster->lock);
	return leader;
}

bool
ClusterSlotsPlaced(void)
{
	bool		placed = false;

	SpinLockAcquire(&Cluster->lock);
	for (int i = 0; i < Cluster->nslots && !placed; i++)
		placed = Cluster->slot_leader[i] >= 0;
	SpinLockRelease(&Cluster->lock);
	return placed;
}

int32
ClusterCoordinatorFor(const char *key, size_t len)
{
	int			n = ClusterSlotCount();

	if (n == 0)
		return -1;
	return ClusterSlotLeader(ClusterKeySlot(key, len, n), NULL);
}

int16
ClusterCoordinatorError(const char *key, size_t len)
{
	int32		leader = ClusterCoordinatorFor(key, len);

	if (leader == (int32) broker_id)
		return KAFKA_ERR_NONE;
	return leader < 0 ? KAFKA_ERR_COORDINATOR_NOT_AVAILABLE : KAFKA_ERR_NOT_COORDINATOR;
}

void
ClusterNoteRecoveryWork(void)
{
	__atomic_store_n(&Cluster->recovery_work, 1, __ATOMIC_RELEASE);
}

bool
ClusterTakeRecoveryWork(void)
{
	return __atomic_exchange_n(&Cluster->recovery_work, 0, __ATOMIC_ACQ_REL) != 0;
}

bool
ClusterIsLoaded(void)
{
	bool		loaded;

	SpinLockAcquire(&Cluster->lock);
	loaded = Cluster->loaded;
	SpinLockRelease(&Cluster->lock);
	return loaded;
}
