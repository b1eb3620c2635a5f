/*-------------------------------------------------------------------------
 *
 * compaction.h
 *	  Object maintenance, run by the uploader between uploads: compaction
 *	  (stream-set objects split into stream objects, small stream objects
 *	  merged), retention (retention.ms / retention.bytes advance each
 *	  stream's start offset), and removal of what nothing references any
 *	  more (ranges below a stream's start or of a deleted stream, objects
 *	  left without a range, orphans: garbage collection).
 *
 *	  doc/objects.md ("Compaction, retention and deletion") describes the
 *	  policy; catalog/catalog_objects.h the prepare/put/commit protocol
 *	  every object written here follows.
 *
 *	  Which partitions this broker leads is the Kafka layer's knowledge
 *	  (its topic registry); it hands it down through a LedStreamSource it
 *	  registers, so nothing here looks at the registry itself.
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

/* Room for a topic name in a LedStream (Kafka's limit is 249). */
#define LED_STREAM_TOPIC_MAX	255

/* A partition this broker leads, as compaction and retention see it. */
typedef struct LedStream
{
	int64		stream_id;
	int64		epoch;			/* the stream's epoch as this broker opened it */
	int64		retention_ms;	/* the topic's; -1: no limit */
	int64		retention_bytes;	/* the topic's; -1: no limit */
	int32		partition;		/* for log lines */
	char		topic[LED_STREAM_TOPIC_MAX + 1];
} LedStream;

/*
 * The partitions this broker leads, from whoever knows them: registered by
 * the Kafka layer (kafka/partition.c, PartitionShmemInit, in the postmaster
 * before it forks the uploader, so the uploader inherits it; a test tool
 * that sets up the registry the same way gets it too).
 *
 * collect: the partitions led here, in any order (*streams palloc'd, *n);
 * false while that is not known yet (the registry not loaded since the
 * start): then compaction and retention do nothing, the sweep goes on.
 *
 * advance_log_start: raise the log start offset readers see for stream_id
 * to at least start (retention moved it in the catalog); returns what it
 * was before, or -1 if the stream is not open here.
 */
typedef struct LedStreamSource
{
	bool		(*collect) (LedStream **streams, int *n);
	int64		(*advance_log_start) (int64 stream_id, int64 start);
} LedStreamSource;

extern void ObjMaintenanceSetLedStreams(const LedStreamSource *source);

/*
 * Who paces the objects that maintenance writes (the uploader, so that a
 * compaction is not a burst on the disk the WAL shares): begin is called
 * as an object of size bytes starts, piece after each piece of it
 * (upload_part_size bytes, the last one shorter) has been handed to the
 * store, to wait as long as the pace asks.  None registered: objects are
 * written in one put, at full speed.
 */
typedef struct ObjMaintenancePacer
{
	void		(*begin) (uint64 size);
	void		(*piece) (size_t len);
} ObjMaintenancePacer;

extern void ObjMaintenanceSetPacer(const ObjMaintenancePacer *pacer);

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
 * transaction) and its own store.  Asks the LedStreamSource for the
 * partitions this broker leads (no source registered: none).  *did_work says whether anything changed,
 * so the caller knows whether to call again soon.  Returns false with one
 * line in err on a catalog or store failure; nothing is left half done
 * (objects written but not committed are abandoned to garbage collection).
 */
extern bool ObjMaintenanceStep(PGconn *conn, ObjStore *store, bool *did_work,
							   char *err, size_t errlen);

/* Free the buffer kept from one stream object to the next (when idle). */
extern void ObjMaintenanceReleaseBuffers(void);

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
