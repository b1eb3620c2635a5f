/*-------------------------------------------------------------------------
 *
 * producer.h
 *	  Idempotent producers: the per-partition producer state that lets a
 *	  broker recognise a retried batch, and its snapshots in the catalog.
 *
 *	  For every (stream, producer id) that appended recently, shared memory
 *	  holds the producer's epoch and its last five batches (first and last
 *	  sequence, first and last offset, max timestamp, and the end LSN of the
 *	  WAL record that holds it).  Produce consults it under the partition's
 *	  append lock (ProducerStateCheck) before assigning offsets: a batch
 *	  equal to one of the five is a duplicate and is answered with the
 *	  original offset; anything else must follow the last sequence (Kafka's
 *	  rules, see producer.c).
 *
 *	  The table is bounded (max_producer_states entries); when it is full
 *	  the least recently used entry is evicted, and that producer is then
 *	  unknown, which Kafka's rules treat like a producer whose state was
 *	  removed by retention (its next batch is accepted whatever its
 *	  sequence).
 *
 *	  Durability: the state is rebuilt at start (and after every crash
 *	  restart) by ProducerStateRecover: snapshots from the catalog first,
 *	  then every batch in the recovered WAL at or after each snapshot's end
 *	  offset.  The uploader, before it trims the WAL, saves snapshots of the
 *	  streams it uploaded (ProducerStateSaveSnapshots, the object commit's
 *	  hook: catalog/catalog_objects.h) in its commit transaction, so state
 *	  trimmed from the WAL is never lost.
 *
 *	  Locking: ProducerStateLock (an SMutex inside this module) protects the
 *	  table.  It is taken inside a partition's append lock, never the other
 *	  way round, and never held across anything that sleeps.
 *
 * include/kafka/producer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_PRODUCER_H
#define STRATA_KAFKA_PRODUCER_H

#include "c.h"

#include <libpq-fe.h>

#include "catalog/catalog_producers.h"
#include "kafka/records.h"

#define PRODUCER_BATCHES		5	/* batches remembered per producer (Kafka's) */
#define PRODUCER_NO_EPOCH		(-1)

/* One remembered batch. */
typedef struct ProducerBatchMeta
{
	int32		first_seq;
	int32		last_seq;
	int64		first_offset;
	int64		last_offset;
	int64		timestamp;		/* the batch's max timestamp */
} ProducerBatchMeta;

/* A producer's state in one stream, as a snapshot holds it. */
typedef struct ProducerSnapshotEntry
{
	int64		producer_id;
	int16		epoch;
	int			nbatches;		/* 0..PRODUCER_BATCHES, oldest first */
	ProducerBatchMeta batches[PRODUCER_BATCHES];
} ProducerSnapshotEntry;

/* Outcome of checking one batch. */
typedef enum ProducerCheckResult
{
	PRODUCER_APPEND,			/* in sequence (or not idempotent): append it */
	PRODUCER_DUPLICATE,			/* a retry of a remembered batch: answer with
								 * its offsets, do not append */
	PRODUCER_ERROR				/* refused: *error and the message say why */
} ProducerCheckResult;

/* What ProducerStateCheck tells about a duplicate. */
typedef struct ProducerDuplicate
{
	int64		first_offset;
	int64		last_offset;
	int64		timestamp;
	uint64		end_lsn;		/* WAL position to wait for; 0: durable */
	bool		pending;		/* appended by the caller's own request */
} ProducerDuplicate;

extern size_t ProducerStateShmemSize(void);
extern void ProducerStateShmemInit(void);

/*
 * The last sequence of a batch: base_sequence + last_offset_delta, wrapping
 * past INT32_MAX to 0 as Kafka's sequences do.
 */
extern int32 ProducerLastSequence(int32 base_sequence, int32 last_offset_delta);

/*
 * ProducerStateCheck: Kafka's checks for one validated batch (info) about
 * to be appended to stream_id; the caller (a backend serving Produce) holds
 * the partition's append lock.  Batches without a producer id are always
 * PRODUCER_APPEND.  On PRODUCER_APPEND with a producer id, the batch is
 * recorded at once at first_offset (so a second batch of the same producer
 * in the same request sees it) with its WAL position pending: call
 * ProducerStateSetLsn once the WAL append returned, still under the append
 * lock.  On PRODUCER_ERROR, *error gets the Kafka error code and errmsg a
 * one-line reason.
 */
extern ProducerCheckResult ProducerStateCheck(uint64 stream_id, const RecordBatchInfo *info,
											  int64 first_offset, int64 timestamp,
											  ProducerDuplicate *dup, int16 *error,
											  char *errmsg, size_t errlen);

/* Fill in the end LSN of a batch ProducerStateCheck recorded. */
extern void ProducerStateSetLsn(uint64 stream_id, int64 producer_id, int64 first_offset,
								uint64 end_lsn);

/* True once ProducerStateRecover has run in this shared memory. */
extern bool ProducerStateIsRecovered(void);

/*
 * Rebuild the state after start or a crash restart: load the snapshots of
 * the streams this broker leads (or that have no leader) from the catalog,
 * then replay every batch of the recovered WAL whose base offset is at or
 * after its stream's snapshot end offset.  Run by the catalog worker once
 * the WAL is recovered and before the first registry load (so before the
 * broker accepts connections); a second call in the same shared memory
 * does nothing.  false with a one-line message on a catalog error.
 */
extern bool ProducerStateRecover(PGconn *conn, char *err, size_t errlen);

/*
 * For partitions this broker starts leading after start-up (a partition
 * moved here): forget what shared memory holds of these streams and load
 * their snapshots from the catalog (none: they start empty).  Call it
 * before the partitions accept produce requests.  false with a one-line
 * message on a catalog error.
 */
extern bool ProducerStateLoadSnapshots(PGconn *conn, const uint64 *stream_ids, int n,
									   char *err, size_t errlen);

/*
 * The object commit's hook (CatalogCommitHook), registered by
 * ProducerStateShmemInit: upsert into strata.producer_snapshots
 * (CatalogSaveProducerSnapshots), inside the caller's open
 * transaction, a snapshot of each given stream's producer state with the
 * offset it ends at (the stream's next offset then, or its first batch
 * still being appended).  It takes no append lock (an appender may hold
 * one while waiting for the WAL space the uploader frees; see producer.c).
 * Before returning it waits (on MyLatch: the caller owns a process slot)
 * until the WAL is flushed past everything the snapshots cover, so a
 * committed snapshot never describes batches a crash could still lose.
 * In a process without a broker's shared memory (a tool committing
 * objects) there is no state: it saves nothing and returns true.  Streams not in the registry are skipped.  Fails (false, one
 * line in err) on a catalog error, or before ProducerStateRecover has run,
 * since the state would be incomplete then.
 */
extern bool ProducerStateSaveSnapshots(PGconn *conn, const uint64 *stream_ids, int n,
									   char *err, size_t errlen);

/*
 * The snapshot format (pure functions; the unit tests use them):
 *
 *	  "SPS1" magic, uint16 version (1), uint32 entry count, then per entry:
 *	  int64 producer id, int16 epoch, uint8 batch count, then per batch:
 *	  int32 first seq, int32 last seq, int64 first offset, int64 last
 *	  offset, int64 timestamp; finally a CRC-32C of everything before it.
 *	  All big-endian.  Entries are in least-recently-used-first order.
 *
 * ProducerSnapshotEncode writes into buf (may be NULL to size) and returns
 * the number of bytes the encoding takes.  ProducerSnapshotDecode checks
 * everything (lengths, counts, CRC, value ranges) before trusting it, fills
 * up to max entries and sets *n; false with a reason in err otherwise.
 */
extern size_t ProducerSnapshotEncode(const ProducerSnapshotEntry *entries, int n,
									 uint8 *buf, size_t buflen);
extern bool ProducerSnapshotDecode(const uint8 *buf, size_t len,
								   ProducerSnapshotEntry *entries, int max, int *n,
								   char *err, size_t errlen);

/*
 * For CatalogSaveProducerSnapshots: fill snap with stream_id's snapshot of
 * the n entries (encoded into palloc'd data), ending at end_offset; and
 * free the data of n snapshots so filled, and their array.
 */
extern void ProducerSnapshotFill(CatalogProducerSnapshot *snap, uint64 stream_id, int64 end_offset,
								 const ProducerSnapshotEntry *entries, int n);
extern void ProducerSnapshotsFreeFilled(CatalogProducerSnapshot *snaps, int n);

/*
 * Apply one batch (its RecordBatch header at hdr, placed at base_offset) to
 * a snapshot's entries (*n of at most max, least recently used first), as
 * recovery replays batches into shared memory: for a broker that recovers
 * another's WAL and commits that broker's streams' producer state.
 */
extern void ProducerSnapshotApplyBatch(ProducerSnapshotEntry *entries, int *n, int max,
									   const uint8 *hdr, int64 base_offset);

/* Counters (for tests and metrics). */
typedef struct ProducerStateStats
{
	uint64		entries;		/* producer entries in use */
	uint64		capacity;
	uint64		evictions;
	uint64		duplicates;		/* batches answered as duplicates */
	uint64		recovered_batches;	/* replayed from the WAL at recovery */
	uint64		recovered_snapshots;	/* entries loaded from snapshots */
} ProducerStateStats;
extern void ProducerStateGetStats(ProducerStateStats *stats);

#endif							/* STRATA_KAFKA_PRODUCER_H */
