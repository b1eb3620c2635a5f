/*-------------------------------------------------------------------------
 *
 * offsetstore.h
 *	  Committed offsets between the backends and the catalog: the group
 *	  commit queue written by the offset committer, and the shared-memory
 *	  cache OffsetFetch answers from.
 *
 *	  OffsetCommit: a backend puts its request (all its rows) into a queue
 *	  in shared memory, wakes the offset committer (an auxiliary process)
 *	  and sleeps on its latch.  The committer takes everything queued at
 *	  once and writes it in ONE catalog transaction (one multi-row upsert
 *	  fed by arrays), then marks each request it wrote done and sets the
 *	  latch of exactly those backends.  The client's answer therefore comes
 *	  after the catalog commit, and a thousand consumers committing at once
 *	  cost a few transactions, not a thousand.  A backend waits at most
 *	  offsets_commit_timeout; then (catalog down, say) it answers
 *	  COORDINATOR_NOT_AVAILABLE, which every client retries.
 *
 *	  OffsetFetch: a group's committed offsets are loaded from the catalog
 *	  into a bounded cache (offset_cache_size) on first use and kept in step
 *	  by the committer (after each catalog commit) and by the deletes.  See
 *	  offsetstore.c for why the cache can never show an older offset than
 *	  the catalog holds.
 *
 * include/kafka/offsetstore.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_OFFSETSTORE_H
#define STRATA_KAFKA_OFFSETSTORE_H

#include "c.h"

#include <libpq-fe.h>

/* Kafka's offset.metadata.max.bytes default */
#define OFFSET_METADATA_MAX 4096

/* One committed offset, as OffsetCommit carries it and OffsetFetch answers. */
typedef struct OffsetRow
{
	const char *topic;			/* NUL-terminated */
	int32		partition;
	int64		offset;
	int32		leader_epoch;	/* -1: none */
	const char *metadata;		/* NULL: SQL NULL */
	int32		metadata_len;
} OffsetRow;

/* OffsetStoreCommit's answers besides Kafka error codes. */
#define OFFSET_COMMIT_TOO_LARGE		(-1000)

extern size_t OffsetStoreShmemSize(void);
extern void OffsetStoreShmemInit(void);

/*
 * Backend: commit rows for group_id through the committer and wait for
 * the catalog commit (at most offsets_commit_timeout).  protocol_type is
 * recorded for a group the catalog does not know yet (may be NULL).
 * Returns KAFKA_ERR_NONE, KAFKA_ERR_COORDINATOR_NOT_AVAILABLE (timed out,
 * catalog unreachable), KAFKA_ERR_UNKNOWN_SERVER_ERROR (the catalog refused
 * these rows), or OFFSET_COMMIT_TOO_LARGE when the request cannot fit in
 * the queue at all (the caller writes it itself, then calls
 * OffsetCacheForget).  Takes the queue lock briefly; sleeps without it.
 */
extern int	OffsetStoreCommit(const char *group_id, const char *protocol_type,
							  int nrows, const OffsetRow *rows);

/*
 * Backend: the group's committed offsets from the cache, if it holds the
 * group.  On a hit returns true with *out (palloc'd rows, strings
 * palloc'd too) and *n.  On a miss returns false and, when the caller may
 * load the group, *load_id > 0: the caller reads the catalog and passes
 * the rows to OffsetCacheInstall (or 0 rows after a failure, to release
 * the slot).
 */
extern bool OffsetCacheLookup(const char *group_id, OffsetRow **out, int *n, uint64 *load_id);
extern void OffsetCacheInstall(const char *group_id, uint64 load_id, bool ok,
							   int n, const OffsetRow *rows);

/*
 * Backend: the catalog's offsets of group_id were changed other than by
 * the committer (OffsetDelete, DeleteGroups, an oversized commit): drop
 * the group from the cache and keep it out until the committer's batch in
 * flight now has been applied.  Call after the catalog statement, whether
 * it succeeded or not.
 */
extern void OffsetCacheForget(const char *group_id);

/*
 * Forget the cached offsets of every group whose coordinator slot moved
 * (moved[slot], nslots slots): committed offsets are then read from the
 * catalog again, where the slot's other coordinator may have written.
 */
extern void OffsetCacheForgetSlots(const bool *moved, int nslots);

/*
 * The offset committer's work, driven by its main loop
 * (postmaster/offsetcommitter.c) and run in that process only.
 *
 * OffsetCommitterDrain moves everything queued into the committer's batch
 * (process memory), drops requests whose backends gave up, wakes backends
 * waiting for room, and returns how many requests the batch holds.  Takes
 * the queue lock briefly.
 *
 * OffsetCommitterWrite writes the batch to the catalog on conn, in one
 * statement (request by request if the catalog refuses the batch, so only
 * the offending requests fail), applies it to the cache and wakes the
 * backends written for.  Each statement waits at most
 * offsets_commit_timeout (cancelled then).  Returns false if the catalog
 * could not be reached: the batch is kept for the next attempt, and the
 * caller drops the connection.  Holds no lock while it talks to the
 * catalog.
 *
 * OffsetCommitterLogStats logs the counters (at LOG with "when", e.g. "at
 * shutdown"; at DEBUG1 with NULL).
 */
extern int	OffsetCommitterDrain(void);
extern bool OffsetCommitterWrite(PGconn *conn, char *err, size_t errlen);
extern void OffsetCommitterLogStats(const char *when);

/* Counters for tests and the bench (since shared memory was created). */
typedef struct OffsetStoreStats
{
	uint64		requests;		/* commit requests written */
	uint64		rows;			/* offsets written */
	uint64		transactions;	/* catalog transactions that wrote them */
	uint64		cache_hits;
	uint64		cache_loads;
} OffsetStoreStats;

extern void OffsetStoreGetStats(OffsetStoreStats *stats);

#endif							/* STRATA_KAFKA_OFFSETSTORE_H */
