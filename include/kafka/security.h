/*-------------------------------------------------------------------------
 *
 * security.h
 *	  The broker's copy of the catalog's users and ACLs, in shared memory.
 *
 *	  The catalog worker loads the whole security state (credentials, ACLs,
 *	  the auth nonce, stamped with the catalog's security version) at
 *	  connect and whenever the catalog NOTIFYs strata_security, serialises
 *	  it into the shared area and bumps a generation counter.  A backend
 *	  keeps a private, parsed copy and refreshes it when the generation it
 *	  holds is not the current one (one atomic read per request when
 *	  nothing changed), so authentication and authorisation never take a
 *	  lock on the request path.  A change made on any broker is in force on
 *	  every broker as soon as its catalog worker has reloaded, typically
 *	  milliseconds after the commit.
 *
 *	  Fail closed: until the first load, or while the last state did not
 *	  fit in security_cache_size, every authentication fails and the
 *	  authorizer allows only super users.
 *
 *	  Locking: SecurityLock (an SMutex in the shared area) is held by the
 *	  catalog worker while it writes the area and by a backend while it
 *	  copies it, nothing else; the generation is read without it.
 *
 * include/kafka/security.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_SECURITY_H
#define STRATA_KAFKA_SECURITY_H

#include "c.h"

#include <libpq-fe.h>

#include "kafka/acl.h"
#include "utils/scram.h"

extern size_t SecurityShmemSize(void);
extern void SecurityShmemInit(void);

/*
 * Catalog worker: read the security state from the catalog and publish
 * it.  false with err when the catalog could not be read (the worker
 * drops its connection and retries); a state too large for the area is
 * published as "unusable" and logged, and returns true.
 */
extern bool SecurityCacheLoad(PGconn *conn, char *err, size_t errlen);

/* Backend: bring the private copy up to date; cheap when nothing changed. */
extern void SecurityCacheRefresh(void);

/* Does the private copy hold a usable state (see "fail closed")? */
extern bool SecurityCacheUsable(void);

/* user's credential for mechanism m, copied into *out; false if none. */
extern bool SecurityLookupCredential(const char *user, size_t userlen, ScramMechanism m,
									 ScramSecret *out);

/* Does user have any credential? */
extern bool SecurityUserExists(const char *user, size_t userlen);

/* The cluster's auth nonce (CATALOG_AUTH_NONCE_LEN bytes). */
extern const uint8 *SecurityAuthNonce(void);

/* The ACLs of the private copy. */
extern const AclEntry *SecurityAcls(int *n);

/*
 * Backend, after committing a change that made catalog version `version`:
 * wait until this broker's catalog worker has published it (or timeout_ms
 * passes, or shutdown), so that the client's next request sees its own
 * change.  The private copy is refreshed.  false on timeout (logged).
 */
extern bool SecurityWaitForVersion(int64 version, long timeout_ms);

#endif							/* STRATA_KAFKA_SECURITY_H */
