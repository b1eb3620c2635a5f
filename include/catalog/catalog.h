/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Access to the catalog: the PostgreSQL database holding the cluster's
 *	  metadata (schema "strata"), reached through libpq.
 *
 *	  The "catalog" setting is either a libpq connection string (an external
 *	  PostgreSQL shared by several brokers) or "embedded": the PostgreSQL
 *	  that strata_ctl runs in DATADIR/catalog, reached only on its unix
 *	  socket (socket directory DATADIR/catalog, port 5432, database and user
 *	  "strata").
 *
 *	  Every function reporting failure writes ONE line into the caller's err
 *	  buffer, naming the catalog, so that the postmaster and strata_ctl can
 *	  print it as it is.  Nothing here calls elog(ERROR): callers (the
 *	  postmaster before it forks, the catalog worker, strata_ctl) decide what
 *	  a failure means for them.
 *
 * include/catalog/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_H
#define STRATA_CATALOG_H

#include "c.h"

#include <libpq-fe.h>

/* What "catalog = embedded" means. */
#define CATALOG_EMBEDDED_SUBDIR		"catalog"
#define CATALOG_EMBEDDED_PORT		5432
#define CATALOG_EMBEDDED_DBNAME		"strata"
#define CATALOG_EMBEDDED_USER		"strata"

/* Seconds libpq waits for a connection to be made (connect_timeout). */
#define CATALOG_CONNECT_TIMEOUT		5

/* LISTEN/NOTIFY channels (see migrate.c). */
#define CATALOG_CHANNEL_BROKERS		"strata_brokers"
#define CATALOG_CHANNEL_PARTITIONS	"strata_partitions"
#define CATALOG_CHANNEL_SECURITY	"strata_security"

/* True when the catalog setting says "embedded" (case-insensitive). */
extern bool CatalogIsEmbedded(void);

/*
 * The libpq connection string this broker uses: the catalog setting itself,
 * or for "embedded" one built from DataDir.  Fails (false, err) when the
 * embedded socket path would not fit in a unix socket address.  *result is
 * palloc'd.
 */
extern bool CatalogConninfo(char **result, char *err, size_t errlen);

/*
 * A short description of what is tried, for error messages:
 * "catalog = 'embedded' (socket /x/catalog/.s.PGSQL.5432)" or
 * "catalog = 'host=... dbname=...'".  palloc'd.
 */
extern char *CatalogDescribe(void);

/*
 * Connect (blocking, at most CATALOG_CONNECT_TIMEOUT seconds per host).
 * NULL with one line in err on failure:
 *	could not connect to the catalog (catalog = '...'): <reason>; start
 *	PostgreSQL or fix the catalog setting
 */
extern PGconn *CatalogConnect(char *err, size_t errlen);

/*
 * The non-blocking form, for processes that must keep serving their latch:
 * returns a connection started with PQconnectStartParams (the caller
 * drives PQconnectPoll, with CATALOG_CONNECT_TIMEOUT as its deadline), or
 * NULL with one line in err.
 */
extern PGconn *CatalogConnectStart(const char *application_name, char *err, size_t errlen);

/*
 * Run one statement with text parameters ($1..$n, NULL = SQL NULL) and
 * check that it returned PGRES_COMMAND_OK or PGRES_TUPLES_OK.  Returns the
 * result (caller PQclear()s it), or NULL with "catalog query failed: ..."
 * in err (the result is cleared then).
 */
extern PGresult *CatalogQuery(PGconn *conn, const char *sql, int nparams,
							  const char *const *params, char *err, size_t errlen);

/* CatalogQuery for statements whose result is not needed. */
extern bool CatalogExec(PGconn *conn, const char *sql, int nparams,
						const char *const *params, char *err, size_t errlen);

/* Run a whole script of ';'-separated statements (no parameters). */
extern bool CatalogExecScript(PGconn *conn, const char *sql, char *err, size_t errlen);

/* Write PQerrorMessage(conn) into err as one line (newlines folded). */
extern void CatalogConnError(PGconn *conn, const char *what, char *err, size_t errlen);

/* Send the connection's notices to the log (DEBUG1) instead of stderr. */
extern void CatalogSetNoticeProcessor(PGconn *conn);

/* --- migrate.c --- */

/* Highest schema version this binary knows. */
extern int	CatalogSchemaVersion(void);

/*
 * Bring the catalog schema up to CatalogSchemaVersion(): each pending
 * migration in its own transaction under a transaction-level advisory lock,
 * so brokers starting at once apply each exactly once.  A catalog whose
 * version is newer than this binary's is refused.  *applied (may be NULL)
 * gets the number of migrations applied now.
 */
extern bool CatalogMigrate(PGconn *conn, int *applied, char *err, size_t errlen);

/* Current schema version recorded in the catalog (0 = none); -1 on error. */
extern int	CatalogCurrentVersion(PGconn *conn, char *err, size_t errlen);

/* --- register.c --- */

/* This broker's registration epoch (set by CatalogStartupCheck). */
extern int64 CatalogBrokerEpoch;

/*
 * Run by the postmaster before it creates shared memory: connect, apply
 * pending migrations, register this broker (epoch + 1, state alive, a
 * lease of broker_lease_time), refusing if another live broker holds the
 * same broker_id.  false with one line in err on failure.
 */
extern bool CatalogStartupCheck(char *err, size_t errlen);

/*
 * Statements the catalog worker runs on its own (asynchronous) connection:
 * renew the lease ($1 broker id, $2 epoch, $3 lease in ms; returns a row
 * unless this broker was fenced) and mark the broker stopped ($1, $2).
 */
extern const char CatalogRenewLeaseSQL[];
extern const char CatalogMarkStoppedSQL[];

#endif							/* STRATA_CATALOG_H */
