/*-------------------------------------------------------------------------
 *
 * catalog_brokers.h
 *	  Brokers in the catalog (tables strata.brokers, strata.broker_uploads):
 *	  registration at start, the lease, stopping, upload status.
 *
 *	  This broker's rows are always written with its registration epoch in
 *	  the WHERE clause, so a broker whose id was taken over (a restart
 *	  elsewhere, or a fencing controller that bumped the epoch) changes
 *	  nothing any more.  Functions about other brokers (listing them,
 *	  fencing a dead one) belong here too.
 *
 *	  Transactions and locks:
 *	  - CatalogStartupCheck: one transaction per migration (migrate.c, under
 *	    a transaction-level advisory lock), then the registration in one
 *	    transaction holding the broker's row FOR UPDATE.
 *	  - everything else: a single statement (its own implicit transaction)
 *	    locking only this broker's row.
 *
 * include/catalog/catalog_brokers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_BROKERS_H
#define STRATA_CATALOG_BROKERS_H

#include "c.h"

#include <libpq-fe.h>

/*
 * This broker's registration epoch: set by CatalogStartupCheck in the
 * postmaster, inherited by every child.
 */
extern int64 CatalogBrokerEpoch;

/*
 * Run by the postmaster before it creates shared memory: connect, apply
 * pending migrations, register this broker (epoch + 1, state starting, a
 * lease of broker_lease_time, its listeners, host, data directory, pid and
 * WAL device), refusing if another live broker (another host or data
 * directory) holds the same broker_id.  false with one line in err on
 * failure.
 */
extern bool CatalogStartupCheck(char *err, size_t errlen);

/*
 * Renew the lease by broker_lease_time, on the catalog worker's
 * connection, waiting at most timeout_ms on the latch (CatalogQueryWait).
 * The state is 'alive' once the broker is ready (its first registry load
 * has opened the partitions it leads), 'starting' until then, as
 * CatalogStartupCheck left it; 'stopping' stays.  *still_ours is false
 * when the row no longer has our epoch (another process took the id over:
 * nothing was renewed).
 * false with err when the connection is to be dropped.
 */
extern bool CatalogRenewLease(PGconn *conn, long timeout_ms, bool ready, bool *still_ours,
							  char *err, size_t errlen);

/* Mark this broker stopped with its lease expired (at shutdown); as above. */
extern bool CatalogMarkBrokerStopped(PGconn *conn, long timeout_ms, char *err, size_t errlen);

/* How far the uploader is behind, for the strata.upload_lag view. */
typedef struct CatalogUploadStatus
{
	uint64		pending_bytes;	/* WAL bytes not yet in objects */
	uint64		wal_trim_lsn;
	uint64		wal_flushed_lsn;
	int64		last_upload_ms; /* wall clock of the last upload; 0: none */
	const char *last_error;		/* NULL: none */
} CatalogUploadStatus;

/* Upsert this broker's row of strata.broker_uploads (blocking). */
extern bool CatalogReportUploadStatus(PGconn *conn, const CatalogUploadStatus *st,
									  char *err, size_t errlen);

#endif							/* STRATA_CATALOG_BROKERS_H */
