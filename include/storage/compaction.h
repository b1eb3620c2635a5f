/*-------------------------------------------------------------------------
 *
 * compaction.h
 *	  Object maintenance, run by the uploader between uploads: compaction
 *	  (stream-set objects split into stream objects, small stream objects
 *	  merged), retention (retention.ms / retention.bytes advance each
 *	  stream's start offset), and removal of what nothing references any
 *	  more (ranges below a stream's start or of a deleted stream, objects
 *	  left without a range, orphans; see ObjCatalogCollectGarbage).
 *
 *	  doc/objects.md ("Compaction, retention and deletion") describes the
 *	  policy; objcatalog.h the prepare/put/commit protocol every object
 *	  written here follows.
 *
 * include/storage/compaction.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_COMPACTION_H
#define STRATA_COMPACTION_H

#include "c.h"

#include <libpq-fe.h>

#include "storage/objstore.h"

/*
 * Do one bounded piece of maintenance: one compaction (one stream-set
 * object split, or one run of small stream objects merged), or one
 * retention pass over a batch of the partitions this broker leads, or one
 * sweep of unreferenced ranges and objects plus a garbage-collection batch.
 * Successive calls take the duties in turn, so none starves the others and
 * an upload never waits behind more than one piece.
 *
 * Run by the uploader (the only process that writes objects) when no
 * upload is due, with its own catalog connection (not inside a
 * transaction) and its own store.  Takes RegistryLock briefly to read the
 * partitions this broker leads.  *did_work says whether anything changed,
 * so the caller knows whether to call again soon.  Returns false with one
 * line in err on a catalog or store failure; nothing is left half done
 * (objects written but not committed are abandoned to garbage collection).
 */
extern bool ObjMaintenanceStep(PGconn *conn, ObjStore *store, bool *did_work,
							   char *err, size_t errlen);

/* ---- pure policy, exposed for unit tests ---- */

/* One stream range as the policies see it, in offset order. */
typedef struct CompactionRange
{
	int64		start_offset;
	int64		end_offset;		/* exclusive */
	int64		bytes;
	int64		max_timestamp;	/* -1: unknown */
	int64		object_size;	/* the whole object's size */
	int64		object_age_ms;	/* since it was committed */
	bool		is_so;			/* a stream object (else a stream-set object) */
} CompactionRange;

/*
 * The start offset retention gives a stream: the end of the leading ranges
 * that are wholly expired (max_timestamp < now_ms - retention_ms) or that
 * the stream can lose while keeping at least retention_bytes (Kafka's rule:
 * drop the oldest while total - its bytes >= retention_bytes).  Ranges
 * ending at or below start_offset are ignored; the result is never below
 * start_offset nor above object_end_offset.  retention_ms / retention_bytes
 * < 0 mean no limit.
 */
extern int64 CompactionRetentionStart(const CompactionRange *ranges, int n,
									  int64 start_offset, int64 object_end_offset,
									  int64 now_ms, int64 retention_ms,
									  int64 retention_bytes);

/*
 * Pick the run of one stream's stream objects to merge: ranges[*first ..
 * *first + *count - 1], consecutive in the stream (no other object between
 * them), together at most max_size, at least two.  Either
 *  - a run of objects each smaller than small_size, worth merging only when
 *    it makes an object that is no longer small (total >= small_size) or
 *    when all its objects are older than min_age_ms (a stream gone quiet);
 *    otherwise every upload would rewrite the growing merged object again;
 *  - or, when there is no such run, a small object older than min_age_ms
 *    whose neighbouring stream objects are not small, with the smaller
 *    neighbour that fits (small-large-small, large-small-large: the small
 *    one would otherwise stay for ever).
 * Ranges ending at or below start_offset are skipped (they are about to be
 * deleted); a stream-set object's range is no neighbour.  Returns false if
 * there is nothing to merge.
 */
extern bool CompactionPickMergeRun(const CompactionRange *ranges, int n,
								   int64 start_offset, int64 small_size,
								   int64 max_size, int64 min_age_ms,
								   int *first, int *count);

#endif							/* STRATA_COMPACTION_H */
