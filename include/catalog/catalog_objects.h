/*-------------------------------------------------------------------------
 *
 * catalog_objects.h
 *	  The catalog's record of objects in object storage and of the stream
 *	  ranges they hold (tables strata.objects and strata.stream_ranges,
 *	  migration 3; doc/objects.md), for the uploader, compaction, retention,
 *	  garbage collection and readers.
 *
 *	  Writing an object, by the uploader or by compaction, is always:
 *
 *	    1. CatalogPrepareObject: a 'prepared' row with a deadline; its id
 *	       names the object's key.
 *	    2. put the object.
 *	    3. CatalogCommitObjects: in one transaction, check every stream's
 *	       epoch (a fenced broker commits nothing), insert the ranges, mark
 *	       the objects committed, retire what they replace.
 *
 *	  A writer that dies between 1 and 3 leaves a prepared row past its
 *	  deadline: garbage collection (CatalogExpireOrphanObjects, then
 *	  CatalogListDeletableObjects, the store's delete, CatalogForgetObjects)
 *	  deletes the object (if it was ever written) and the row.  So the store
 *	  never holds an object the catalog does not know.
 *
 *	  Transactions and locks: CatalogCommitObjects runs its own transaction
 *	  and locks the rows of the streams it commits (FOR UPDATE, in id order,
 *	  so two committers never deadlock) and the objects' rows it updates;
 *	  every other function is one statement, its own implicit transaction,
 *	  locking only the rows it writes.  None takes an advisory lock.  The
 *	  caller owns the connection, which must not be inside a transaction.
 *
 *	  None of these functions raises ERROR: each returns failure with one
 *	  line in err.
 *
 * include/catalog/catalog_objects.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_OBJECTS_H
#define STRATA_CATALOG_OBJECTS_H

#include "c.h"

#include <libpq-fe.h>

#include "storage/objformat.h"

#define CATALOG_OBJECT_KEY_LEN	64

/* One stream's part of an object. */
typedef struct CatalogRange
{
	uint64		stream_id;
	int64		start_offset;
	int64		end_offset;		/* exclusive */
	int64		record_count;
	int64		bytes;
	int64		max_timestamp;	/* -1 if unknown */
} CatalogRange;

/* An object to commit (already in the store). */
typedef struct CatalogObject
{
	int64		object_id;		/* from CatalogPrepareObject */
	uint64		size;
	int			compactions;	/* 0 for an upload; compaction: 1 + max of inputs */
	const CatalogRange *ranges;
	int			nranges;
} CatalogObject;

/* The epoch a stream was opened with by this broker. */
typedef struct CatalogStreamEpoch
{
	uint64		stream_id;
	int64		epoch;
} CatalogStreamEpoch;

typedef enum CatalogCommitResult
{
	CATALOG_COMMIT_OK,
	CATALOG_COMMIT_FENCED,		/* a stream's epoch or state differs: nothing
								 * committed; *fenced lists the streams */
	CATALOG_COMMIT_ERROR		/* catalog unreachable or a statement failed */
} CatalogCommitResult;

/* A committed object holding part of a stream, for readers. */
typedef struct CatalogObjectLocation
{
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	uint64		size;
	int64		start_offset;	/* of the stream's range in it */
	int64		end_offset;		/* exclusive */
} CatalogObjectLocation;

/*
 * The commit hook: run by CatalogCommitObjects for uploads (advance_end),
 * inside its transaction, just before COMMIT, with the committed streams.
 * The WAL those ranges came from is trimmed once the commit is done, so
 * whatever the upper layer rebuilt from that WAL must be saved in the same
 * transaction: kafka/producer.c registers ProducerStateSaveSnapshots
 * (idempotent producers' state) from ProducerStateShmemInit, which the
 * postmaster runs before it forks, so every child (the uploader) inherits
 * it.  A process that never registers one (a tool) saves nothing more.
 * A false return (with err) fails the commit.
 */
typedef bool (*CatalogCommitHook) (PGconn *conn, const uint64 *stream_ids, int n,
								   char *err, size_t errlen);

extern void CatalogSetCommitHook(CatalogCommitHook hook);

/* The key of object id of a kind, e.g. "data/3f/000000000000002a.sso". */
extern void CatalogObjectKey(int64 object_id, ObjFormatKind kind, char *buf, size_t len);

/*
 * Insert a prepared row (deadline: now + object_prepare_timeout, this
 * broker and its registration epoch) for an object this broker is about
 * to write; returns its id and key.
 */
extern bool CatalogPrepareObject(PGconn *conn, ObjFormatKind kind, int64 *object_id,
								 char *key, size_t keylen, char *err, size_t errlen);

/*
 * Commit objects in one transaction:
 *  - every stream in epochs must still have that epoch and state 'opened'
 *    (locked FOR UPDATE); if not, nothing is committed,
 *    CATALOG_COMMIT_FENCED is returned and *fenced (palloc'd) lists those
 *    streams;
 *  - the objects' ranges are inserted and the objects marked committed
 *    (each must still be 'prepared');
 *  - advance_end (uploads): each stream's end_offset and object_end_offset
 *    move up to the end of its new ranges, and the commit hook runs;
 *  - replaced (compaction): the ranges that the replaced objects held of
 *    the streams now committed are removed, and a replaced object left
 *    without any range is marked 'deleting' (deleted from the store after
 *    object_delete_delay, so readers holding its location can finish).
 * A connection lost during COMMIT leaves the outcome unknown: the caller
 * asks CatalogGetObjectState after reconnecting.
 */
extern CatalogCommitResult CatalogCommitObjects(PGconn *conn,
												const CatalogObject *objects, int nobjects,
												const CatalogStreamEpoch *epochs, int nepochs,
												bool advance_end,
												const int64 *replaced, int nreplaced,
												uint64 **fenced, int *nfenced,
												char *err, size_t errlen);

/*
 * CatalogCommitObjects with more in the same transaction: run_hook says
 * whether the commit hook runs (uploads and hand-offs: yes; the recovery
 * of another broker's WAL saves that broker's producer state itself), and
 * extra, if set, runs last before COMMIT (a hand-off's new leaders, a
 * recovery's reassignment of the dead broker's partitions); extra
 * returning false rolls everything back (CATALOG_COMMIT_ERROR, its err).
 */
typedef bool (*CatalogCommitExtra) (PGconn *conn, void *arg, char *err, size_t errlen);
extern CatalogCommitResult CatalogCommitObjectsExt(PGconn *conn,
												   const CatalogObject *objects, int nobjects,
												   const CatalogStreamEpoch *epochs, int nepochs,
												   bool advance_end,
												   const int64 *replaced, int nreplaced,
												   bool run_hook, CatalogCommitExtra extra,
												   void *extra_arg, uint64 **fenced, int *nfenced,
												   char *err, size_t errlen);

/* The state of an object row ("prepared", "committed", "deleting", or "" if gone). */
extern bool CatalogGetObjectState(PGconn *conn, int64 object_id, char *state, size_t len,
								  char *err, size_t errlen);

/* What the uploader needs to know of a stream before it uploads its data. */
typedef struct CatalogStreamState
{
	int64		object_end_offset;	/* -1: the stream does not exist */
	int64		epoch;
	bool		opened;
	int32		leader;			/* broker leading its partition; -1: none,
								 * or the partition is gone */
} CatalogStreamState;

/* out[i] for ids[i], i < n. */
extern bool CatalogGetStreamStates(PGconn *conn, const uint64 *ids, int n,
								   CatalogStreamState *out, char *err, size_t errlen);

/*
 * Readers: up to max committed objects holding stream_id at or after
 * offset, in offset order.  Returns how many, or -1 on error.
 */
extern int	CatalogLookupObjects(PGconn *conn, uint64 stream_id, int64 offset,
								 CatalogObjectLocation *out, int max, char *err, size_t errlen);

/*
 * Objects put but never to be committed (a failed compaction): mark them
 * 'deleting' now rather than at their prepare deadline.  Only 'prepared'
 * rows change, so an object whose commit did happen is safe.
 */
extern bool CatalogAbandonObjects(PGconn *conn, const int64 *ids, int n,
								  char *err, size_t errlen);

/* ---- garbage collection ---- */

/*
 * Prepared objects past their deadline become 'deleting' (to be deleted at
 * once), in a statement of their own: from then on a late writer's commit,
 * which requires 'prepared', fails, so an object deleted from the store is
 * never committed.
 */
extern bool CatalogExpireOrphanObjects(PGconn *conn, char *err, size_t errlen);

/* An object to delete from the store. */
typedef struct CatalogObjectRef
{
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
} CatalogObjectRef;

/*
 * Up to limit 'deleting' objects whose delete_after has passed, in id
 * order.  Returns the count (*out palloc'd) or -1 with err.
 */
extern int	CatalogListDeletableObjects(PGconn *conn, int limit, CatalogObjectRef **out,
										char *err, size_t errlen);

/* Remove the rows of objects deleted from the store (still 'deleting'). */
extern bool CatalogForgetObjects(PGconn *conn, const int64 *ids, int n,
								 char *err, size_t errlen);

/*
 * Up to limit stream ranges nobody can read any more (wholly below their
 * stream's start, or of a stream no partition references: its topic was
 * deleted) are removed; *nremoved says how many.
 */
extern bool CatalogSweepRanges(PGconn *conn, int limit, int *nremoved, char *err, size_t errlen);

/*
 * Up to limit committed objects left without a range become 'deleting'
 * (delete_after = now + object_delete_delay); *nretired says how many.
 */
extern bool CatalogSweepObjects(PGconn *conn, int limit, int *nretired, char *err, size_t errlen);

/* ---- compaction and retention ---- */

/*
 * A stream range with what compaction and retention need of its object and
 * of its stream.  Each function below says which fields it fills; the
 * others are zero.
 */
typedef struct CatalogRangeInfo
{
	uint64		stream_id;
	int64		start_offset;
	int64		end_offset;		/* exclusive */
	int64		bytes;
	int64		max_timestamp;	/* -1: unknown */
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	uint64		object_size;
	bool		object_is_so;	/* a stream object (else stream-set) */
	int			compactions;	/* the object's */
	int64		object_age_ms;	/* since it was committed */
	int64		stream_start;	/* the stream's start_offset */
	int64		stream_object_end;	/* its object_end_offset */
	int64		stream_epoch;
	bool		stream_opened;
} CatalogRangeInfo;

/* A committed object, as a split sees it. */
typedef struct CatalogObjectInfo
{
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	uint64		size;
	int			compactions;
} CatalogObjectInfo;

/*
 * The stream-set object to split next: committed more than min_age_ms ago,
 * holding a range of one of the streams in ids; the first after after_id
 * in id order, else the first (round robin).  *found false: none.
 */
extern bool CatalogFindSplitCandidate(PGconn *conn, const int64 *ids, int n,
									  int64 min_age_ms, int64 after_id,
									  CatalogObjectInfo *out, bool *found,
									  char *err, size_t errlen);

/*
 * The ranges object_id holds of the streams in ids, by stream and offset:
 * stream_id, start/end_offset, stream_start, stream_epoch, stream_opened.
 * Returns the count (*out palloc'd) or -1.
 */
extern int	CatalogGetObjectRanges(PGconn *conn, int64 object_id, const int64 *ids, int n,
								   CatalogRangeInfo **out, char *err, size_t errlen);

/*
 * Every committed range (of any kind: a stream-set range between two
 * stream objects breaks a run) of those streams in ids that have a stream
 * object smaller than small_size and at least one more stream object it
 * might be merged with, by stream and offset: all
 * fields but bytes, max_timestamp and stream_object_end.  Returns the
 * count (*out palloc'd) or -1.
 */
extern int	CatalogGetMergeRanges(PGconn *conn, const int64 *ids, int n, int64 small_size,
								  CatalogRangeInfo **out, char *err, size_t errlen);

/*
 * The ranges of the streams in ids that end above their stream's start,
 * by stream and offset: stream_id, start/end_offset, bytes,
 * max_timestamp, stream_start, stream_object_end.  Returns the count (*out
 * palloc'd) or -1.
 */
extern int	CatalogGetRetentionRanges(PGconn *conn, const int64 *ids, int n,
									  CatalogRangeInfo **out, char *err, size_t errlen);

#endif							/* STRATA_CATALOG_OBJECTS_H */
