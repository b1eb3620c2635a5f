/*-------------------------------------------------------------------------
 *
 * acl.h
 *	  Kafka's ACL model: resource types, pattern types, operations and
 *	  permissions with Kafka's codes and names (org.apache.kafka.common.acl
 *	  and .resource), and the matching rules shared by the authorizer and
 *	  the ACL APIs.
 *
 * include/kafka/acl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_ACL_H
#define STRATA_KAFKA_ACL_H

#include "c.h"

typedef enum AclResourceType
{
	ACL_RESOURCE_UNKNOWN = 0,
	ACL_RESOURCE_ANY = 1,
	ACL_RESOURCE_TOPIC = 2,
	ACL_RESOURCE_GROUP = 3,
	ACL_RESOURCE_CLUSTER = 4,
	ACL_RESOURCE_TRANSACTIONAL_ID = 5,
	ACL_RESOURCE_DELEGATION_TOKEN = 6,
	ACL_RESOURCE_USER = 7
} AclResourceType;

#define ACL_RESOURCE_TYPES	8

typedef enum AclPatternType
{
	ACL_PATTERN_UNKNOWN = 0,
	ACL_PATTERN_ANY = 1,
	ACL_PATTERN_MATCH = 2,
	ACL_PATTERN_LITERAL = 3,
	ACL_PATTERN_PREFIXED = 4
} AclPatternType;

typedef enum AclOperation
{
	ACL_OP_UNKNOWN = 0,
	ACL_OP_ANY = 1,
	ACL_OP_ALL = 2,
	ACL_OP_READ = 3,
	ACL_OP_WRITE = 4,
	ACL_OP_CREATE = 5,
	ACL_OP_DELETE = 6,
	ACL_OP_ALTER = 7,
	ACL_OP_DESCRIBE = 8,
	ACL_OP_CLUSTER_ACTION = 9,
	ACL_OP_DESCRIBE_CONFIGS = 10,
	ACL_OP_ALTER_CONFIGS = 11,
	ACL_OP_IDEMPOTENT_WRITE = 12,
	ACL_OP_CREATE_TOKENS = 13,
	ACL_OP_DESCRIBE_TOKENS = 14
} AclOperation;

#define ACL_OPERATIONS	15

typedef enum AclPermission
{
	ACL_PERMISSION_UNKNOWN = 0,
	ACL_PERMISSION_ANY = 1,
	ACL_PERMISSION_DENY = 2,
	ACL_PERMISSION_ALLOW = 3
} AclPermission;

/* The cluster resource's one name. */
#define ACL_CLUSTER_NAME	"kafka-cluster"
/* A literal resource name, principal or host matching all. */
#define ACL_WILDCARD		"*"
#define ACL_WILDCARD_PRINCIPAL "User:*"

/* Kafka's names ("TOPIC", "PREFIXED", "DESCRIBE_CONFIGS", "ALLOW"). */
extern const char *AclResourceTypeName(int code);
extern const char *AclPatternTypeName(int code);
extern const char *AclOperationName(int code);
extern const char *AclPermissionName(int code);
/* Name to code (case-insensitive); UNKNOWN (0) if not a name. */
extern int	AclResourceTypeFromName(const char *name);
extern int	AclPatternTypeFromName(const char *name);
extern int	AclOperationFromName(const char *name);
extern int	AclPermissionFromName(const char *name);

/*
 * An ACL as the authorizer and the ACL APIs see it.  Strings point to
 * storage owned by whoever built it (the security cache, a catalog row).
 */
typedef struct AclEntry
{
	uint8		resource_type;
	uint8		pattern_type;	/* LITERAL or PREFIXED */
	uint8		operation;
	uint8		permission;		/* ALLOW or DENY */
	const char *resource_name;
	int32		resource_name_len;
	const char *principal;
	const char *host;
} AclEntry;

/*
 * Does the ACL's resource pattern cover the resource (type, name)?
 * Literal: the same name, or the wildcard "*"; prefixed: name starts with
 * the pattern's name.
 */
extern bool AclPatternCovers(const AclEntry *acl, int resource_type, const char *name, int32 len);

/*
 * A filter as DescribeAcls and DeleteAcls carry it: NULL strings and ANY
 * codes match everything; pattern type MATCH matches every pattern that
 * covers resource_name (see AclPatternCovers).
 */
typedef struct AclFilter
{
	int			resource_type;
	const char *resource_name;	/* NULL: any */
	int32		resource_name_len;
	int			pattern_type;
	const char *principal;		/* NULL: any */
	int32		principal_len;
	const char *host;			/* NULL: any */
	int32		host_len;
	int			operation;
	int			permission;
} AclFilter;

extern bool AclFilterMatches(const AclFilter *f, const AclEntry *acl);

/*
 * Is the filter well-formed (no UNKNOWN codes)?  false with a message for
 * the client (Kafka's INVALID_REQUEST) in *msg (static text).
 */
extern bool AclFilterValid(const AclFilter *f, const char **msg);

/*
 * Can acl be created as it is?  Kafka's rules: a concrete resource type,
 * LITERAL or PREFIXED, a concrete operation and permission, a principal
 * "Type:name", a non-empty resource name, and for the cluster resource
 * only the literal "kafka-cluster".  false with the message for the
 * client (static text).
 */
extern bool AclEntryValid(const AclEntry *acl, const char **msg);

#endif							/* STRATA_KAFKA_ACL_H */
