/*-------------------------------------------------------------------------
 *
 * objcatalog.h
 *	  The catalog's record of objects in object storage and of the stream
 *	  ranges they hold (tables strata.objects and strata.stream_ranges,
 *	  migration 3; doc/objects.md).
 *
 *	  Writing an object, by the uploader or by compaction, is always:
 *
 *	    1. ObjCatalogPrepare: a 'prepared' row with a deadline; its id
 *	       names the object's key.
 *	    2. put the object.
 *	    3. ObjCatalogCommit: in one transaction, check every stream's epoch
 *	       (a fenced broker commits nothing), insert the ranges, mark the
 *	       objects committed, retire what they replace.
 *
 *	  A writer that dies between 1 and 3 leaves a prepared row past its
 *	  deadline: ObjCatalogCollectGarbage deletes the object (if it was ever
 *	  written) and the row.  So the store never holds an object the catalog
 *	  does not know.
 *
 *	  None of these functions raises ERROR: each returns failure with one
 *	  line in err.  The caller owns the connection and must not be inside a
 *	  transaction (the functions run their own), except where noted.
 *
 * include/storage/objcatalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OBJCATALOG_H
#define STRATA_OBJCATALOG_H

#include "c.h"

#include <libpq-fe.h>

#include "storage/objformat.h"
#include "storage/objstore.h"

#define OBJCATALOG_KEY_LEN	64

/* One stream's part of an object. */
typedef struct ObjCatalogRange
{
	uint64		stream_id;
	int64		start_offset;
	int64		end_offset;		/* exclusive */
	int64		record_count;
	int64		bytes;
	int64		max_timestamp;	/* -1 if unknown */
} ObjCatalogRange;

/* An object to commit (already in the store). */
typedef struct ObjCatalogObject
{
	int64		object_id;		/* from ObjCatalogPrepare */
	uint64		size;
	int			compactions;	/* 0 for an upload; compaction: 1 + max of inputs */
	const ObjCatalogRange *ranges;
	int			nranges;
} ObjCatalogObject;

/* The epoch a stream was opened with by this broker. */
typedef struct ObjCatalogStreamEpoch
{
	uint64		stream_id;
	int64		epoch;
} ObjCatalogStreamEpoch;

typedef enum ObjCatalogResult
{
	OBJCAT_OK,
	OBJCAT_FENCED,				/* a stream's epoch or state differs: nothing
								 * committed; *fenced lists the streams */
	OBJCAT_ERROR				/* catalog unreachable or query failed */
} ObjCatalogResult;

/* A committed object holding part of a stream, for readers. */
typedef struct ObjCatalogLocation
{
	int64		object_id;
	char		key[OBJCATALOG_KEY_LEN];
	uint64		size;
	int64		start_offset;	/* of the stream's range in it */
	int64		end_offset;		/* exclusive */
} ObjCatalogLocation;

/* The key of object id of a kind, e.g. "data/3f/000000000000002a.sso". */
extern void ObjCatalogKey(int64 object_id, ObjFormatKind kind, char *buf, size_t len);

/*
 * Insert a prepared row (deadline: now + object_prepare_timeout) for an
 * object this broker is about to write; returns its id and key.
 */
extern bool ObjCatalogPrepare(PGconn *conn, ObjFormatKind kind, int64 *object_id,
							  char *key, size_t keylen, char *err, size_t errlen);

/*
 * Commit objects in one transaction:
 *  - every stream in epochs must still have that epoch and state 'opened'
 *    (locked FOR UPDATE); if not, nothing is committed, OBJCAT_FENCED is
 *    returned and *fenced (palloc'd) lists those streams;
 *  - the objects' ranges are inserted and the objects marked committed;
 *  - advance_end (uploads): each stream's end_offset and object_end_offset
 *    move up to the end of its new ranges;
 *  - replaced (compaction): the ranges that the replaced objects held of
 *    the streams now committed are removed, and a replaced object left
 *    without any range is marked 'deleting' (deleted from the store after
 *    object_delete_delay, so readers holding its location can finish).
 * A connection lost during COMMIT leaves the outcome unknown: the caller
 * asks ObjCatalogObjectState after reconnecting.
 */
extern ObjCatalogResult ObjCatalogCommit(PGconn *conn,
										 const ObjCatalogObject *objects, int nobjects,
										 const ObjCatalogStreamEpoch *epochs, int nepochs,
										 bool advance_end,
										 const int64 *replaced, int nreplaced,
										 uint64 **fenced, int *nfenced,
										 char *err, size_t errlen);

/*
 * ObjCatalogCommit with more in the same transaction: save_snapshots says
 * whether the streams' producer snapshots are saved (uploads and
 * hand-offs: yes; a recovery of another broker's WAL saves its own), and
 * hook, if set, runs last before COMMIT (a hand-off's new leaders, a
 * recovery's reassignment); a hook returning false rolls everything back
 * (OBJCAT_ERROR with its err).
 */
typedef bool (*ObjCatalogCommitHook) (PGconn *conn, void *arg, char *err, size_t errlen);
extern ObjCatalogResult ObjCatalogCommitExt(PGconn *conn,
											const ObjCatalogObject *objects, int nobjects,
											const ObjCatalogStreamEpoch *epochs, int nepochs,
											bool advance_end,
											const int64 *replaced, int nreplaced,
											bool save_snapshots, ObjCatalogCommitHook hook,
											void *hook_arg, uint64 **fenced, int *nfenced,
											char *err, size_t errlen);

/* The state of an object row ("prepared", "committed", "deleting", or "" if gone). */
extern bool ObjCatalogObjectState(PGconn *conn, int64 object_id, char *state, size_t len,
								  char *err, size_t errlen);

/*
 * Streams' object_end_offset, epoch, state and leader, for the uploader.
 * For each id in ids: object_ends[i] (-1 if the stream does not exist),
 * epochs[i], opened[i], leaders[i] (the broker leading its partition, -1
 * if none or the partition is gone).
 */
extern bool ObjCatalogStreamInfo(PGconn *conn, const uint64 *ids, int n,
								 int64 *object_ends, int64 *epochs, bool *opened,
								 int32 *leaders, char *err, size_t errlen);

/*
 * Readers: up to max committed objects holding stream_id at or after
 * offset, in offset order.  Returns how many, or -1 on error.
 */
extern int	ObjCatalogLookup(PGconn *conn, uint64 stream_id, int64 offset,
							 ObjCatalogLocation *out, int max, char *err, size_t errlen);

/*
 * Garbage collection, run by the uploader between uploads: deletes from
 * the store, then from the catalog, objects in state 'deleting' whose
 * delete_after has passed and 'prepared' objects past their deadline (at
 * most limit of them).  *deleted gets how many went.  A store failure
 * leaves the rows for the next round.
 */
extern bool ObjCatalogCollectGarbage(PGconn *conn, ObjStore *store, int limit,
									 int *deleted, char *err, size_t errlen);

/* Build a PostgreSQL array literal "{1,2,3}" (palloc'd). */
extern char *ObjCatalogInt64Array(const int64 *values, int n);

#endif							/* STRATA_OBJCATALOG_H */
