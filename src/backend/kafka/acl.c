/*-------------------------------------------------------------------------
 *
 * acl.c
 *	  Kafka's ACL model: names and codes, which resources a pattern covers,
 *	  what a filter matches, and what may be created (kafka/acl.h).
 *
 *	  No state; used by the authorizer (authorizer.c), the ACL APIs
 *	  (api_security.c) and the security cache (security.c).
 *
 * IDENTIFICATION
 *	  src/backend/kafka/acl.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/acl.h"

static const char *const resource_type_names[] = {
	"UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "DELEGATION_TOKEN", "USER"
};
static const char *const pattern_type_names[] = {
	"UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"
};
static const char *const operation_names[] = {
	"UNKNOWN", "ANY", "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE",
	"CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE",
	"CREATE_TOKENS", "DESCRIBE_TOKENS"
};
static const char *const permission_names[] = {
	"UNKNOWN", "ANY", "DENY", "ALLOW"
};

static const char *
name_of(const char *const *names, int n, int code)
{
	return code >= 0 && code < n ? names[code] : "UNKNOWN";
}

static int
code_of(const char *const *names, int n, const char *name)
{
	for (int i = 1; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return i;
	return 0;
}

const char *
AclResourceTypeName(int code)
{
	return name_of(resource_type_names, lengthof(resource_type_names), code);
}

const char *
AclPatternTypeName(int code)
{
	return name_of(pattern_type_names, lengthof(pattern_type_names), code);
}

const char *
AclOperationName(int code)
{
	return name_of(operation_names, lengthof(operation_names), code);
}

const char *
AclPermissionName(int code)
{
	return name_of(permission_names, lengthof(permission_names), code);
}

int
AclResourceTypeFromName(const char *name)
{
	return code_of(resource_type_names, lengthof(resource_type_names), name);
}

int
AclPatternTypeFromName(const char *name)
{
	return code_of(pattern_type_names, lengthof(pattern_type_names), name);
}

int
AclOperationFromName(const char *name)
{
	return code_of(operation_names, lengthof(operation_names), name);
}

int
AclPermissionFromName(const char *name)
{
	return code_of(permission_names, lengthof(permission_names), name);
}

bool
AclPatternCovers(const AclEntry *acl, int resource_type, const char *name, int32 len)
{
	if (acl->resource_type != resource_type)
		return false;
	if (acl->pattern_type == ACL_PATTERN_LITERAL)
		return (acl->resource_name_len == len && memcmp(acl->resource_name, name, (size_t) len) == 0) ||
			(acl->resource_name_len == 1 && acl->resource_name[0] == '*');
	if (acl->pattern_type == ACL_PATTERN_PREFIXED)
		return acl->resource_name_len <= len &&
			memcmp(acl->resource_name, name, (size_t) acl->resource_name_len) == 0;
	return false;
}

static bool
str_equals(const char *a, int32 alen, const char *b)
{
	return (size_t) alen == strlen(b) && memcmp(a, b, (size_t) alen) == 0;
}

bool
AclFilterMatches(const AclFilter *f, const AclEntry *acl)
{
	if (f->resource_type != ACL_RESOURCE_ANY && f->resource_type != acl->resource_type)
		return false;
	if (f->pattern_type == ACL_PATTERN_MATCH)
	{
		/* Every pattern that would cover the named resource. */
		if (f->resource_name != NULL &&
			!AclPatternCovers(acl, acl->resource_type, f->resource_name, f->resource_name_len))
			return false;
	}
	else
	{
		if (f->pattern_type != ACL_PATTERN_ANY && f->pattern_type != acl->pattern_type)
			return false;
		if (f->resource_name != NULL &&
			!(f->resource_name_len == acl->resource_name_len &&
			  memcmp(f->resource_name, acl->resource_name, (size_t) f->resource_name_len) == 0))
			return false;
	}
	if (f->principal != NULL && !str_equals(f->principal, f->principal_len, acl->principal))
		return false;
	if (f->host != NULL && !str_equals(f->host, f->host_len, acl->host))
		return false;
	if (f->operation != ACL_OP_ANY && f->operation != acl->operation)
		return false;
	if (f->permission != ACL_PERMISSION_ANY && f->permission != acl->permission)
		return false;
	return true;
}

bool
AclFilterValid(const AclFilter *f, const char **msg)
{
	if (f->resource_type <= ACL_RESOURCE_UNKNOWN || f->resource_type >= ACL_RESOURCE_TYPES)
		*msg = "Unknown resource type";
	else if (f->pattern_type <= ACL_PATTERN_UNKNOWN || f->pattern_type > ACL_PATTERN_PREFIXED)
		*msg = "Unknown pattern type";
	else if (f->operation <= ACL_OP_UNKNOWN || f->operation >= ACL_OPERATIONS)
		*msg = "Unknown operation";
	else if (f->permission <= ACL_PERMISSION_UNKNOWN || f->permission > ACL_PERMISSION_ALLOW)
		*msg = "Unknown permission type";
	else
		return true;
	return false;
}

bool
AclEntryValid(const AclEntry *acl, const char **msg)
{
	const char *colon = strchr(acl->principal, ':');

	if (acl->resource_type <= ACL_RESOURCE_ANY || acl->resource_type >= ACL_RESOURCE_TYPES)
		*msg = "Invalid resource type: ACLs need a concrete resource type";
	else if (acl->pattern_type != ACL_PATTERN_LITERAL && acl->pattern_type != ACL_PATTERN_PREFIXED)
		*msg = "Invalid pattern type: ACLs are LITERAL or PREFIXED";
	else if (acl->operation <= ACL_OP_ANY || acl->operation >= ACL_OPERATIONS)
		*msg = "Invalid operation: ACLs need a concrete operation";
	else if (acl->permission != ACL_PERMISSION_ALLOW && acl->permission != ACL_PERMISSION_DENY)
		*msg = "Invalid permission type: ACLs are ALLOW or DENY";
	else if (acl->resource_name_len <= 0)
		*msg = "Resource name must not be empty";
	else if (colon == NULL || colon == acl->principal || colon[1] == '\0')
		*msg = "Invalid principal: expected PrincipalType:name, such as User:alice";
	else if (acl->host[0] == '\0')
		*msg = "Host must not be empty (use * for any host)";
	else if (acl->resource_type == ACL_RESOURCE_CLUSTER &&
			 (acl->pattern_type != ACL_PATTERN_LITERAL ||
			  !str_equals(acl->resource_name, acl->resource_name_len, ACL_CLUSTER_NAME)))
		*msg = "The only valid name for the CLUSTER resource is the literal kafka-cluster";
	else if (memchr(acl->resource_name, '\0', (size_t) acl->resource_name_len) != NULL)
		*msg = "Resource name must not contain NUL";
	else
		return true;
	return false;
}
