/*-------------------------------------------------------------------------
 *
 * authorizer.h
 *	  Is the connection's principal allowed an operation on a resource?
 *	  The one function every request handler asks (authorizer = on).
 *
 *	  Kafka's rules (its AclAuthorizer / StandardAuthorizer):
 *	  - authorizer = off: everything is allowed.
 *	  - A principal listed in super_users is allowed everything.
 *	  - The ACLs that apply to a resource are those of its type whose
 *	    pattern covers its name (a literal name, the literal "*", or a
 *	    prefix), for the principal (or User:*) and the client's host (or *).
 *	  - A DENY for the operation (or ALL) wins over any ALLOW.
 *	  - An ALLOW for the operation, for ALL, or for an operation implying it
 *	    allows: READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS
 *	    implies DESCRIBE_CONFIGS.
 *	  - A resource no ACL covers at all (for anybody) is allowed only with
 *	    allow_everyone_if_no_acl_found = on.
 *	  - Until users and ACLs are loaded (kafka/security.h), only super
 *	    users are allowed anything.
 *
 *	  Every decision is counted (strata_authorizations_allowed_total,
 *	  strata_authorizations_denied_total) and, as log_authorization says,
 *	  logged; the "quiet" variants are for filtering what a principal may
 *	  see (Metadata's list of all topics, ListGroups), which Kafka does not
 *	  log either.
 *
 *	  Process: a backend; reads its private copy of the security cache, no
 *	  locks.
 *
 * include/kafka/authorizer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_AUTHORIZER_H
#define STRATA_KAFKA_AUTHORIZER_H

#include "c.h"

#include "kafka/acl.h"
#include "kafka/kbuf.h"

extern bool KafkaAuthorize(AclResourceType type, const char *name, int32 len, AclOperation op);
extern bool KafkaAuthorizeQuiet(AclResourceType type, const char *name, int32 len, AclOperation op);

/* The same for a named topic or group (a KStr of the request), or the cluster. */
extern bool KafkaAuthorizeTopic(KStr name, AclOperation op);
extern bool KafkaAuthorizeGroup(KStr name, AclOperation op);
extern bool KafkaAuthorizeCluster(AclOperation op);

/*
 * Kafka's authorizeByResourceType: is the principal allowed op on some
 * resource of the type?  True when an ALLOW for the principal (or User:*)
 * and op (or ALL) exists on that type and no DENY for op (or ALL) covers
 * every resource of the type (literal "*" or the empty prefix); or, with
 * allow_everyone_if_no_acl_found, when the type has no ACL at all.  Used by
 * InitProducerId: an idempotent producer needs IDEMPOTENT_WRITE on the
 * cluster or WRITE on some topic.
 */
extern bool KafkaAuthorizeAny(AclResourceType type, AclOperation op);

/*
 * The operations allowed on a resource as Kafka's bit field (bit n set for
 * operation n), for TopicAuthorizedOperations and
 * ClusterAuthorizedOperations; without the authorizer, every operation the
 * resource type has.
 */
extern int32 KafkaAuthorizedOperations(AclResourceType type, const char *name, int32 len);

#endif							/* STRATA_KAFKA_AUTHORIZER_H */
