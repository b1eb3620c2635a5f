/*-------------------------------------------------------------------------
 *
 * catalog_cluster.h
 *	  The catalog's side of the cluster (migration 6, doc/cluster.md):
 *	  loading the brokers, the controller and the coordinator slots;
 *	  placing new partitions; the controller's lock and its fencing of dead
 *	  brokers; partition moves; WAL recoveries.
 *
 *	  Transactions and locks, function by function:
 *	  - CatalogLoadCluster: three reads in one REPEATABLE READ transaction
 *	    (a consistent view); no locks.
 *	  - CatalogPlacePartitions: one read, inside the caller's transaction
 *	    (topic creation); no locks: two brokers creating topics at once may
 *	    pick the same least-loaded broker, which the balancer evens out.
 *	  - CatalogControllerAcquire: pg_try_advisory_lock (session level, on
 *	    the caller's dedicated connection) then one UPDATE of strata.cluster,
 *	    conditional on the caller's broker epoch.  The wait for that lock
 *	    (CatalogControllerSendLockWait) is pg_advisory_lock on the same
 *	    session, outside any transaction.
 *	  - CatalogFenceExpired: one transaction; locks the expired brokers'
 *	    rows (UPDATE), inserts their WAL recoveries and moves their
 *	    coordinator slots (strata.reassign_slots locks the slot rows).
 *	  - CatalogMovePartition: one transaction around strata.move_partition()
 *	    (locks the partition row).
 *	  - CatalogDrainBroker: one transaction; requests a move of every
 *	    partition the broker leads and moves its coordinator slots.
 *	  - CatalogHandoffInTxn / CatalogRecoveryFinishInTxn: statements run
 *	    inside the uploader's object-commit transaction (the caller's), so a
 *	    hand-off or a recovery commits with the data it uploaded or not at
 *	    all; they lock the partition (and recovery) rows they change.
 *
 *	  Every function returns false with one line in err on failure and
 *	  leaves no transaction open (except the *InTxn ones, whose caller rolls
 *	  back).
 *
 * include/catalog/catalog_cluster.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_CLUSTER_H
#define STRATA_CATALOG_CLUSTER_H

#include "c.h"

#include <libpq-fe.h>

/* pg_try_advisory_lock key of the controller role ("STRCTRL" in ASCII). */
#define CATALOG_CONTROLLER_LOCK_KEY	"23498391637316684"

typedef struct CatalogBroker
{
	int32		id;
	bool		live;
	int64		epoch;
	char		state[16];
	char		rack[64];
	char		advertised[512];
} CatalogBroker;

typedef struct CatalogClusterView
{
	CatalogBroker *brokers;		/* palloc'd */
	int			nbrokers;
	int32		controller;		/* -1: none */
	int64		controller_epoch;
	int			nslots;
	int32	   *slot_leaders;	/* palloc'd; -1: none */
	int32	   *slot_epochs;
} CatalogClusterView;

extern bool CatalogLoadCluster(PGconn *conn, CatalogClusterView *view, char *err, size_t errlen);
extern void CatalogFreeClusterView(CatalogClusterView *view);

/*
 * Leaders for n new partitions: the live brokers that lead (or are about
 * to lead) the fewest partitions first, lowest id first among equals,
 * spreading the n over them.  fallback is used when no broker is live.
 */
extern bool CatalogPlacePartitions(PGconn *conn, int n, int32 fallback, int32 *leaders,
								   char *err, size_t errlen);

/* Is broker id registered and live?  (*exists false: not registered.) */
extern bool CatalogBrokerLive(PGconn *conn, int32 id, bool *exists, bool *live,
							  char *err, size_t errlen);

/*
 * Try to become the controller: *acquired says whether this session holds
 * the lock; if it does, the cluster row names broker_id as the controller
 * (its epoch bumped) unless broker_epoch is no longer this broker's
 * registered epoch (then the lock is released and *acquired is false).
 */
extern bool CatalogControllerAcquire(PGconn *conn, int32 broker_id, int64 broker_epoch,
									 bool *acquired, int64 *controller_epoch,
									 char *err, size_t errlen);

/*
 * The controller's session, set up once per connection: a session that
 * goes silent (its process stopped or cut off) must lose the lock, so
 * PostgreSQL ends it after idle_ms of idleness (idle_session_timeout,
 * PostgreSQL 14 and later); and it listens on the channels the controller
 * and the balancer act on (brokers, partitions, balancer).
 */
extern bool CatalogControllerSetIdleTimeout(PGconn *conn, int64 idle_ms, char *err, size_t errlen);
extern bool CatalogControllerListen(PGconn *conn, char *err, size_t errlen);

/*
 * Wait for the controller's lock in the catalog, not in a polling loop:
 * CatalogControllerSendLockWait sends pg_advisory_lock asynchronously (false:
 * it could not be sent; err says why); once the connection has its result
 * (PQisBusy false), CatalogControllerLockWaitDone consumes it (false: the
 * lock was not granted; err).  CatalogControllerUnlock releases one
 * acquisition of the lock (a session-level lock is re-entrant).
 */
extern bool CatalogControllerSendLockWait(PGconn *conn, char *err, size_t errlen);
extern bool CatalogControllerLockWaitDone(PGconn *conn, char *err, size_t errlen);
extern void CatalogControllerUnlock(PGconn *conn);

/* A broker the controller has just fenced. */
typedef struct CatalogFenced
{
	int32		id;
	int64		epoch;			/* the fencing epoch (old + 1) */
	int32		recovery_by;	/* the broker asked to recover its WAL, -1 none */
	bool		stopped;		/* it had stopped still leading partitions
								 * (else its lease expired) */
} CatalogFenced;

/*
 * Fence every broker whose lease has expired while it was starting, alive
 * or stopping, or that stopped while still leading partitions: state
 * 'fenced', epoch + 1, a WAL recovery assigned to the least loaded live
 * broker (or, with none live, left unassigned), and its coordinator slots
 * moved to live brokers.  *fenced (palloc'd) lists them.  *next_expiry_ms
 * gets the milliseconds until the next live broker's lease expires (-1:
 * none), for the controller's next check.
 */
extern bool CatalogFenceExpired(PGconn *conn, CatalogFenced **fenced, int *nfenced,
								int64 *next_expiry_ms, char *err, size_t errlen);

/*
 * Assign unassigned pending recoveries, coordinator slots without a live
 * leader and partitions without a leader to live brokers, and even out
 * the coordinator slots (after brokers joined).  *changed counts what was
 * assigned or moved.
 */
extern bool CatalogAssignOrphans(PGconn *conn, int *changed, char *err, size_t errlen);

/*
 * strata.move_partition(topic, partition, broker, reason).  *move_id gets
 * the move's id (0: nothing to do, the broker leads it already).  On a
 * refusal err holds the catalog's message and *refused says what was
 * wrong: the topic or partition (unknown), or a broker (the target unknown
 * or not live, or the leader not live).
 */
typedef enum CatalogMoveRefusal
{
	MOVE_NOT_REFUSED,
	MOVE_REFUSED_PARTITION,
	MOVE_REFUSED_BROKER
} CatalogMoveRefusal;

extern bool CatalogMovePartition(PGconn *conn, const char *topic, int32 partition, int32 broker,
								 const char *reason, int64 *move_id, CatalogMoveRefusal *refused,
								 char *err, size_t errlen);

/* A move in flight, for ListPartitionReassignments. */
typedef struct CatalogMove
{
	char		topic[256];
	int32		partition;
	int32		from_broker;	/* -1 none */
	int32		to_broker;
} CatalogMove;

extern bool CatalogListMoves(PGconn *conn, CatalogMove **moves, int *n, char *err, size_t errlen);

/* Cancel a pending move (AlterPartitionReassignments with null replicas). */
extern bool CatalogCancelMove(PGconn *conn, const char *topic, int32 partition, bool *found,
							  char *err, size_t errlen);

/*
 * Graceful stop: request a move of every partition broker_id leads to the
 * other live brokers (fewest partitions first) and hand its coordinator
 * slots over.  *nmoves gets how many moves were requested (0 when no other
 * broker is live: the broker then stops leading what it led).
 */
extern bool CatalogDrainBroker(PGconn *conn, int32 broker_id, int64 broker_epoch, int *nmoves,
							   char *err, size_t errlen);

/*
 * Inside the caller's transaction (the uploader's commit of a stream's
 * tail): make the partition of stream_id, led by broker_id and with a move
 * target, led by the target (leader epoch + 1, in *leader_epoch), close
 * the stream, and mark the move done (recording end_offset).  *handed is
 * false if the partition no longer has a target or leader broker_id (the
 * move was cancelled).
 */
extern bool CatalogHandoffInTxn(PGconn *conn, int32 broker_id, uint64 stream_id, int64 end_offset,
								bool *handed, int32 *leader_epoch, char *err, size_t errlen);

/* A WAL recovery this broker was asked to make. */
typedef struct CatalogRecovery
{
	int32		broker_id;		/* whose WAL */
	int64		broker_epoch;	/* the fencing epoch */
	char		wal_device[1024];
} CatalogRecovery;

extern bool CatalogRecoveriesFor(PGconn *conn, int32 me, CatalogRecovery **out, int *n,
								 char *err, size_t errlen);

/*
 * The streams a fenced broker led, with the epoch it opened them with and
 * their object_end_offset, for the recovery's scan.  Only streams whose
 * partition is still led by dead and still at that epoch and 'opened'.
 */
typedef struct CatalogDeadStream
{
	uint64		stream_id;
	int64		epoch;
	int64		object_end_offset;
} CatalogDeadStream;

extern bool CatalogDeadBrokerStreams(PGconn *conn, int32 dead, CatalogDeadStream **out, int *n,
									 char *err, size_t errlen);

/*
 * Inside the caller's transaction: check the recovery is still pending
 * (lock it; *still_pending false otherwise), hand the dead broker's
 * partitions and slots to live brokers, close its streams, and mark the
 * recovery done with what it uploaded.
 */
extern bool CatalogRecoveryFinishInTxn(PGconn *conn, const CatalogRecovery *rec, int64 records,
									   int64 bytes, bool *still_pending, char *err, size_t errlen);

/* Record a recovery failure (outside any transaction). */
extern void CatalogRecoveryNoteError(PGconn *conn, const CatalogRecovery *rec, const char *msg);

#endif							/* STRATA_CATALOG_CLUSTER_H */
