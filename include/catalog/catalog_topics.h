/*-------------------------------------------------------------------------
 *
 * catalog_topics.h
 *	  Topics, partitions, topic configs and streams in the catalog (tables
 *	  strata.topics, strata.topic_configs, strata.partitions,
 *	  strata.streams, strata.cluster).
 *
 *	  A partition's data is a stream.  A stream has an epoch, bumped by the
 *	  broker that opens it (in the statement that opens it); every later
 *	  write touching the stream (object commits, start offsets) carries the
 *	  epoch it was opened with and changes nothing once another broker has
 *	  opened it since.  Leadership (partitions.leader, leader_epoch) and
 *	  stream epochs move together: a partition changing hands belongs in one
 *	  transaction here, with its end offset and producer states
 *	  (catalog_producers.h) and the new leader with leader_epoch + 1.
 *
 *	  Transactions and locks:
 *	  - CatalogCreateTopic, CatalogDeleteTopic, CatalogAddPartitions,
 *	    CatalogAlterTopicConfigs and CatalogLoadTopics each run ONE
 *	    transaction of their own (the connection must not be inside one),
 *	    rolled back on any failure; they lock the rows they write (the
 *	    topic's, its partitions' and streams' rows) and take no advisory
 *	    lock.  The caller serialises them within the broker
 *	    (RegistryChangeLock, kafka/partition.h).
 *	  - CatalogTrimStream and CatalogAdvanceStreamStarts are one statement
 *	    each, locking the streams' rows they update.
 *
 *	  Results are palloc'd; free them with the function named.
 *
 * include/catalog/catalog_topics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_TOPICS_H
#define STRATA_CATALOG_TOPICS_H

#include "c.h"

#include <libpq-fe.h>

/* ---- streams ---- */

/*
 * DeleteRecords: move a stream's start offset (and its end offset, which
 * is never below it) up to target, if the stream still has epoch.  *ours
 * false: it does not (another broker opened it; nothing changed);
 * otherwise *start gets the start offset now.
 */
extern bool CatalogTrimStream(PGconn *conn, uint64 stream_id, int64 epoch, int64 target,
							  bool *ours, int64 *start, char *err, size_t errlen);

/* A stream's start offset as retention moves it. */
typedef struct CatalogStreamStart
{
	uint64		stream_id;
	int64		epoch;			/* the epoch this broker opened it with */
	int64		start_offset;
} CatalogStreamStart;

/*
 * Retention: move each stream's start offset (and end offset) up to the
 * given one, if the stream still has the given epoch and the new start is
 * not above what objects hold (object_end_offset).  Returns how many
 * streams moved, with their start offsets now in *moved (palloc'd; epoch
 * not set), or -1 with err.
 */
extern int	CatalogAdvanceStreamStarts(PGconn *conn, const CatalogStreamStart *want, int n,
									   CatalogStreamStart **moved, char *err, size_t errlen);

#endif							/* STRATA_CATALOG_TOPICS_H */
