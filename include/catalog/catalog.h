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
 *	  This header has the connection and the statement primitives; every
 *	  statement against the "strata" schema lives in src/backend/catalog/,
 *	  one file per subject, each with its header:
 *
 *		catalog_brokers.h	registration, leases, broker status
 *		catalog_topics.h	topics, partitions, topic configs, streams
 *		catalog_objects.h	objects and their stream ranges
 *		catalog_groups.h	consumer groups and committed offsets
 *		catalog_producers.h	producer ids and producer-state snapshots
 *
 *	  Callers pass and get plain C values (structs declared there) and never
 *	  build SQL.  Each function says whether it runs its own transaction
 *	  (then the connection must not be inside one) or runs inside the
 *	  caller's, and which row and advisory locks it takes.  Nothing under
 *	  catalog/ knows the Kafka layer: what it needs from above comes through
 *	  hooks the upper layer registers (CatalogSetCommitHook).
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
#define CATALOG_CHANNEL_SLOTS		"strata_slots"
#define CATALOG_CHANNEL_RECOVERIES	"strata_recoveries"
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

/*
 * CatalogQuery for a statement run outside a transaction on a connection
 * kept between requests (a backend's): if it fails because the connection
 * was lost (the catalog restarted since the last use), the connection is
 * reset (PQreset, blocking up to CATALOG_CONNECT_TIMEOUT) and the statement
 * run once more.  Only for statements that may safely run twice.
 */
extern PGresult *CatalogQueryRetry(PGconn *conn, const char *sql, int nparams,
								   const char *const *params, char *err, size_t errlen);

/*
 * After an error abandoned what ran on conn (a backend's recoverable ERROR
 * in the middle of a catalog transaction): roll back a transaction left
 * open, so that no later use commits half of it.  false if the connection
 * is busy or broken: the caller drops it.
 */
extern bool CatalogAbandonTransaction(PGconn *conn);

/* --- waiting on the latch: for auxiliary processes that must stay responsive --- */

/*
 * Connect without blocking the process in libpq: PQconnectStartParams, then
 * PQconnectPoll while waiting on the socket (WL_EXIT_ON_PM_DEATH) at most
 * CATALOG_CONNECT_TIMEOUT seconds.  A SIGTERM is looked at by the caller
 * when this returns.  NULL with one line in err on failure.  The caller
 * owns a process slot (MyLatch).
 */
extern PGconn *CatalogConnectWait(const char *application_name, char *err, size_t errlen);

typedef enum CatalogWaitResult
{
	CATALOG_WAIT_OK,			/* *result holds the (last) result */
	CATALOG_WAIT_REJECTED,		/* the catalog answered with an error; the
								 * connection is still usable */
	CATALOG_WAIT_LOST			/* no answer in time or the connection broke:
								 * drop the connection */
} CatalogWaitResult;

/*
 * Send one statement and wait for its answer on the connection's socket
 * (WL_EXIT_ON_PM_DEATH), at most timeout_ms.  On a timeout with
 * cancel_on_timeout the statement is cancelled first (PQcancel, which
 * blocks until the server has the request): a statement left running
 * could still commit after the caller has moved on.  On CATALOG_WAIT_OK
 * *result gets the result (caller PQclear()s it); otherwise err gets one
 * line: the server's error message for CATALOG_WAIT_REJECTED, what went
 * wrong with the connection for CATALOG_WAIT_LOST.
 */
extern CatalogWaitResult CatalogQueryWait(PGconn *conn, const char *sql, int nparams,
										  const char *const *params, long timeout_ms,
										  bool cancel_on_timeout, PGresult **result,
										  char *err, size_t errlen);

/* --- notifications --- */

/* What CatalogConsumeNotifications saw announced (a bit mask). */
#define CATALOG_CHANGED_BROKERS		0x01
#define CATALOG_CHANGED_PARTITIONS	0x02
#define CATALOG_CHANGED_SLOTS		0x04
#define CATALOG_CHANGED_RECOVERIES	0x08
#define CATALOG_CHANGED_SECURITY	0x10	/* users or ACLs */

/* LISTEN on every channel the broker follows (blocking). */
extern bool CatalogListen(PGconn *conn, char *err, size_t errlen);

/*
 * Take every notification libpq has received on conn (after PQconsumeInput)
 * and return which channels announced a change; each is logged at DEBUG1.
 */
extern int	CatalogConsumeNotifications(PGconn *conn);

/* --- reconnecting --- */

/*
 * The one backoff for reaching the catalog again, used by every process
 * that keeps a catalog connection of its own (catalog worker, offset
 * committer, uploader): the first retry after CATALOG_BACKOFF_START_MS,
 * each next one after twice as long, at most catalog_retry_max.  Process
 * local; start from CATALOG_BACKOFF_INIT.
 */
#define CATALOG_BACKOFF_START_MS	100

typedef struct CatalogBackoff
{
	int64		delay_ms;		/* wait after the last failure; 0: none */
	int64		retry_at_ms;	/* MonotonicMs() of the next attempt */
	int64		outage_start_ms;	/* first failure of this outage; -1: none */
} CatalogBackoff;

#define CATALOG_BACKOFF_INIT	{0, 0, -1}

/*
 * An attempt failed: schedule the next one.  Returns true for the first
 * failure of an outage, which the caller logs (later ones it does not).
 */
extern bool CatalogBackoffFailed(CatalogBackoff *b);

/*
 * An attempt succeeded: forget the backoff.  Returns how long the outage
 * that ends now lasted, in ms (the caller logs it), or -1 if there was none.
 */
extern int64 CatalogBackoffSucceeded(CatalogBackoff *b);

/* May the next attempt start at now (MonotonicMs())? */
extern bool CatalogBackoffDue(const CatalogBackoff *b, int64 now);

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

#endif							/* STRATA_CATALOG_H */
