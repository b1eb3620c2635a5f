/*-------------------------------------------------------------------------
 *
 * catalog_producers.h
 *	  Idempotent producers in the catalog: producer ids (sequence
 *	  strata.producer_ids) and the producer-state snapshots of streams
 *	  (table strata.producer_snapshots).
 *
 *	  Transactions and locks: CatalogSaveProducerSnapshots runs inside the
 *	  caller's transaction (the uploader's object commit, so a snapshot is
 *	  saved exactly when the WAL it replaces may be trimmed) and locks the
 *	  streams' snapshot rows; the others are one statement each, outside
 *	  any transaction, taking no lock.  None takes an advisory lock.
 *
 *	  The snapshot bytes are opaque here (kafka/producer.h has the format).
 *
 * include/catalog/catalog_producers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_PRODUCERS_H
#define STRATA_CATALOG_PRODUCERS_H

#include "c.h"

#include <libpq-fe.h>

/* A fresh producer id, unique across brokers and restarts; -1 with err.  Reconnects once. */
extern int64 CatalogNextProducerId(PGconn *conn, char *err, size_t errlen);

/* One stream's saved producer state. */
typedef struct CatalogProducerSnapshot
{
	uint64		stream_id;
	int64		end_offset;		/* the snapshot covers batches below it */
	uint8	   *data;			/* NULL: the column was not valid bytea */
	size_t		len;
	int			nproducers;		/* entries (saving; 0 when loaded) */
} CatalogProducerSnapshot;

/*
 * The snapshots of the given streams (those that have one).  Returns the
 * count (*out, free with CatalogFreeProducerSnapshots) or -1 with err.
 */
extern int	CatalogLoadProducerSnapshots(PGconn *conn, const uint64 *stream_ids, int n,
										 CatalogProducerSnapshot **out,
										 char *err, size_t errlen);

/*
 * The snapshots of the streams whose partitions broker leads or nobody
 * leads, in stream id order (recovery at start); as above.
 */
extern int	CatalogLoadLedProducerSnapshots(PGconn *conn, int32 broker,
											CatalogProducerSnapshot **out,
											char *err, size_t errlen);

extern void CatalogFreeProducerSnapshots(CatalogProducerSnapshot *snaps, int n);

/*
 * Inside the caller's transaction, in one statement: upsert each stream's
 * snapshot (stream_id, end_offset, data/len, and nproducers for the
 * operator's view), unless its row already holds one ending later.  The
 * stream ids must be distinct.
 */
extern bool CatalogSaveProducerSnapshots(PGconn *conn, const CatalogProducerSnapshot *snaps,
										 int n, char *err, size_t errlen);

#endif							/* STRATA_CATALOG_PRODUCERS_H */
