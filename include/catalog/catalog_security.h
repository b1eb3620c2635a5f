/*-------------------------------------------------------------------------
 *
 * catalog_security.h
 *	  Users (SCRAM credentials) and ACLs in the catalog (tables
 *	  strata.scram_credentials, strata.acls, strata.security_state; see
 *	  migration 7 in migrate.c).
 *
 *	  Transactions and locks:
 *	  - CatalogLoadSecurity reads the version, the credentials and the ACLs
 *	    in ONE read-only REPEATABLE READ transaction, so what it returns is
 *	    one consistent state, stamped with its version.  It takes no locks.
 *	  - CatalogAlterScramCredentials, CatalogRemoveUser, CatalogCreateAcls
 *	    and CatalogDeleteAcls each run ONE transaction of their own (the
 *	    connection must not be inside one), rolled back on any failure.
 *	    Their writes fire the statement triggers that bump
 *	    security_state.version -- taking that row's lock until commit, so
 *	    concurrent changes from several brokers are serialised there -- and
 *	    NOTIFY strata_security; each returns the version its change made,
 *	    which the broker then waits to see loaded (kafka/security.h).
 *	    CatalogDeleteAcls locks every ACL row (SELECT ... FOR UPDATE)
 *	    before choosing what to delete, so a concurrent creation cannot
 *	    slip between the choice and the deletion.
 *	  - The list functions are one statement each.
 *	  Every function but CatalogLoadSecurity reconnects once if the
 *	  connection was lost since its last use (CatalogQueryRetry for the
 *	  list statements and for BEGIN); CatalogLoadSecurity runs on the
 *	  catalog worker's connection, whose LISTENs a reset would lose, and
 *	  leaves reconnecting to the worker.
 *
 *	  Callers: backends on their own connection (BackendCatalogConnection),
 *	  the catalog worker (CatalogLoadSecurity) and strata_ctl user.
 *	  Results are palloc'd; free them with the function named.  Every
 *	  failure writes one line into err.
 *
 * include/catalog/catalog_security.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_SECURITY_H
#define STRATA_CATALOG_SECURITY_H

#include "c.h"

#include <libpq-fe.h>

#include "utils/scram.h"

#define CATALOG_AUTH_NONCE_LEN	32

/* One user's credential for one mechanism. */
typedef struct CatalogScramCredential
{
	char	   *user;
	ScramSecret secret;
} CatalogScramCredential;

/*
 * One ACL, with Kafka's names as the catalog stores them ("TOPIC",
 * "LITERAL", "User:alice", "*", "READ", "ALLOW").
 */
typedef struct CatalogAcl
{
	int64		id;				/* 0 for an ACL not stored yet */
	char	   *resource_type;
	char	   *resource_name;
	char	   *pattern_type;
	char	   *principal;
	char	   *host;
	char	   *operation;
	char	   *permission;
} CatalogAcl;

/* Everything a broker caches: see CatalogLoadSecurity. */
typedef struct CatalogSecurityState
{
	int64		version;
	uint8		auth_nonce[CATALOG_AUTH_NONCE_LEN];
	CatalogScramCredential *credentials;
	int			ncredentials;
	CatalogAcl *acls;
	int			nacls;
} CatalogSecurityState;

/* Read the whole security state in one snapshot.  false with err. */
extern bool CatalogLoadSecurity(PGconn *conn, CatalogSecurityState *out, char *err, size_t errlen);
extern void CatalogFreeSecurity(CatalogSecurityState *state);

/* ---- users ---- */

/* A change to one credential: set (insert or replace) or delete. */
typedef struct CatalogScramChange
{
	const char *user;
	bool		delete;
	ScramSecret secret;			/* mechanism always; the rest when setting */
} CatalogScramChange;

typedef enum CatalogSecurityResult
{
	CATALOG_SECURITY_OK,
	CATALOG_SECURITY_NOT_FOUND, /* a deletion found nothing: nothing done */
	CATALOG_SECURITY_ERROR		/* err says why: nothing done */
} CatalogSecurityResult;

/*
 * Apply changes in one transaction.  A deletion of a credential that does
 * not exist rolls everything back: CATALOG_SECURITY_NOT_FOUND with its
 * index in *missing.  *version: the version after the change.
 */
extern CatalogSecurityResult CatalogAlterScramCredentials(PGconn *conn, const CatalogScramChange *changes,
														  int n, int *missing, int64 *version,
														  char *err, size_t errlen);

/* Remove every credential of user; *removed counts them (0: no such user). */
extern bool CatalogRemoveUser(PGconn *conn, const char *user, int *removed, int64 *version,
							  char *err, size_t errlen);

/*
 * Credentials of one user (user != NULL) or of all, ordered by user and
 * mechanism.  Returns the count (rows in *out, free with
 * CatalogFreeScramCredentials) or -1 with err.
 */
extern int	CatalogListScramCredentials(PGconn *conn, const char *user, CatalogScramCredential **out,
										char *err, size_t errlen);
extern void CatalogFreeScramCredentials(CatalogScramCredential *rows, int n);

/* ---- ACLs ---- */

/* Store acls (one that exists already is left as it is), in one transaction. */
extern bool CatalogCreateAcls(PGconn *conn, const CatalogAcl *acls, int n, int64 *version,
							  char *err, size_t errlen);

/* Every ACL, ordered by id; the count, or -1 with err.  Free with CatalogFreeAcls. */
extern int	CatalogListAcls(PGconn *conn, CatalogAcl **out, char *err, size_t errlen);
extern void CatalogFreeAcls(CatalogAcl *rows, int n);

/*
 * Delete the ACLs for which match(acl, arg) is true, deciding with every
 * ACL row locked, in one transaction.  *deleted gets the deleted rows
 * (free with CatalogFreeAcls), *ndeleted their count.
 */
typedef bool (*CatalogAclMatch) (const CatalogAcl *acl, void *arg);
extern bool CatalogDeleteAcls(PGconn *conn, CatalogAclMatch match, void *arg,
							  CatalogAcl **deleted, int *ndeleted, int64 *version,
							  char *err, size_t errlen);

#endif							/* STRATA_CATALOG_SECURITY_H */
