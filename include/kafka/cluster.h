/*-------------------------------------------------------------------------
 *
 * cluster.h
 *	  The shared-memory view of the cluster this broker belongs to: the
 *	  registered brokers (id, advertised listeners, rack, live or not), the
 *	  controller, the group coordinator slots and who leads each, and this
 *	  broker's own standing (its lease deadline, whether it was fenced).
 *
 *	  The catalog is the source of truth; the catalog worker loads this view
 *	  at start and whenever the catalog announces a change (NOTIFY on
 *	  strata_brokers and strata_slots), and renews this broker's lease.
 *	  Backends read it to answer Metadata, DescribeCluster and
 *	  FindCoordinator, to refuse group requests for slots led elsewhere
 *	  (NOT_COORDINATOR), and before acknowledging a produce
 *	  (ClusterLeaseValid): a broker never acknowledges once another broker
 *	  may have taken over its WAL (doc/cluster.md, "Fencing").
 *
 *	  Locking: one spinlock over the tables; readers copy what they need.
 *	  The lease deadline and the fenced flag are atomics.
 *
 * include/kafka/cluster.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_CLUSTER_H
#define STRATA_KAFKA_CLUSTER_H

#include "c.h"

#define CLUSTER_MAX_BROKERS		256
#define CLUSTER_MAX_SLOTS		1000	/* bound of strata.cluster.coordinator_slots */
#define CLUSTER_LISTENERS_LEN	512
#define CLUSTER_RACK_LEN		64

/* One registered broker as the catalog describes it. */
typedef struct ClusterBroker
{
	int32		id;
	bool		live;			/* strata.broker_live() and not 'starting' when
								 * loaded: listed in Metadata */
	char		rack[CLUSTER_RACK_LEN];	/* "" = none */
	char		advertised[CLUSTER_LISTENERS_LEN];	/* advertised_listeners */
} ClusterBroker;

extern size_t ClusterShmemSize(void);
extern void ClusterShmemInit(void);

/* ---- written by the catalog worker ---- */
extern void ClusterSetBrokers(const ClusterBroker *brokers, int n);
extern void ClusterSetController(int32 controller_id, int64 controller_epoch);
extern void ClusterSetSlots(const int32 *leaders, const int32 *epochs, int n);

/*
 * The lease: renewed at monotonic time sent_ms (taken before the renewal
 * was sent) for lease_ms; acknowledgements stop at sent_ms + lease_ms -
 * ClusterLeaseMargin(lease_ms).
 */
extern void ClusterLeaseRenewed(int64 sent_ms, int64 lease_ms);
extern int64 ClusterLeaseMargin(int64 lease_ms);
/* This broker's registration was taken over: nothing more is acknowledged. */
extern void ClusterSetFenced(void);
extern bool ClusterIsFenced(void);

/* ---- read by anyone ---- */

/*
 * True while this broker may acknowledge produce requests: its lease is
 * valid (by the margin) and it was not fenced.  A broker without a lease
 * yet (still starting) is not valid.
 */
extern bool ClusterLeaseValid(void);

/* Copy the brokers (up to max) into out; returns how many. */
extern int	ClusterGetBrokers(ClusterBroker *out, int max);
/* One broker by id; false if not registered. */
extern bool ClusterGetBroker(int32 id, ClusterBroker *out);

/*
 * host:port of the listener named listener (a security protocol) in a
 * broker's advertised listeners, else of the first of them, as a broker
 * falls back for its own address (ListenerAdvertisedFor).
 */
extern bool ClusterAddressIn(const char *advertised, const char *listener, char *host,
							 size_t hostlen, int32 *port);
/* The same for broker id; false if it is not registered. */
extern bool ClusterBrokerAddress(int32 id, const char *listener, char *host, size_t hostlen,
								 int32 *port);

/* The controller's broker id, -1 if none is known. */
extern int32 ClusterControllerId(void);

/* Number of coordinator slots (0 until loaded). */
extern int	ClusterSlotCount(void);

/*
 * Kafka's placement of a group (or transactional id) onto a slot:
 * abs(String.hashCode(key)) % nslots, the hash computed on the key's UTF-16
 * code units as Java does.
 */
extern int	ClusterKeySlot(const char *key, size_t len, int nslots);

/* The leader of slot (-1 if none) and its epoch. */
extern int32 ClusterSlotLeader(int slot, int32 *epoch);

/*
 * True once some coordinator slot has a leader: before that (a broker just
 * started, its controller has not placed the slots yet) no broker
 * coordinates any group.
 */
extern bool ClusterSlotsPlaced(void);

/* The leader of the slot that key maps to; -1 while unknown. */
extern int32 ClusterCoordinatorFor(const char *key, size_t len);

/*
 * Whether this broker coordinates key (a group or transactional id): 0 if
 * it does, COORDINATOR_NOT_AVAILABLE while the key's slot has no leader (or
 * the slots are not loaded yet), NOT_COORDINATOR if another broker leads it.
 */
extern int16 ClusterCoordinatorError(const char *key, size_t len);

/*
 * WAL recoveries may be waiting for this broker (the catalog announced
 * one): set by the catalog worker, taken (tested and cleared) by the
 * uploader, which asks the catalog then.
 */
extern void ClusterNoteRecoveryWork(void);
extern bool ClusterTakeRecoveryWork(void);

/* True once the catalog worker has loaded the view. */
extern bool ClusterIsLoaded(void);

#endif							/* STRATA_KAFKA_CLUSTER_H */
