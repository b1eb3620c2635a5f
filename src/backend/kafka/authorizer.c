/*-------------------------------------------------------------------------
 *
 * authorizer.c
 *	  The authorizer: ACLs checked for every request (kafka/authorizer.h).
 *
 *	  A decision scans the ACLs of the backend's private copy of the
 *	  security cache once, noting whether any ACL covers the resource,
 *	  whether a DENY applies and whether an ALLOW does.  The principal and
 *	  host are the connection's (MyPrincipal, MyClientHost).  The copy is
 *	  brought up to date once per request, before dispatch (dispatch.c), so
 *	  one request sees one state of the ACLs, and nothing here allocates or
 *	  locks: a handler may ask while holding an SMutex (RegistryLock).
 *
 * IDENTIFICATION
 *	  src/backend/kafka/authorizer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/authorizer.h"
#include "kafka/backend.h"
#include "kafka/security.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"

/* The operations each resource type has (Kafka's AclEntry.supportedOperations). */
static int32
supported_operations(AclResourceType type)
{
#define B(op) (1 << (op))
	switch (type)
	{
		case ACL_RESOURCE_TOPIC:
			return B(ACL_OP_READ) | B(ACL_OP_WRITE) | B(ACL_OP_CREATE) | B(ACL_OP_DESCRIBE) |
				B(ACL_OP_DELETE) | B(ACL_OP_ALTER) | B(ACL_OP_DESCRIBE_CONFIGS) | B(ACL_OP_ALTER_CONFIGS);
		case ACL_RESOURCE_GROUP:
			return B(ACL_OP_READ) | B(ACL_OP_DESCRIBE) | B(ACL_OP_DELETE);
		case ACL_RESOURCE_CLUSTER:
			return B(ACL_OP_CREATE) | B(ACL_OP_CLUSTER_ACTION) | B(ACL_OP_DESCRIBE_CONFIGS) |
				B(ACL_OP_ALTER_CONFIGS) | B(ACL_OP_IDEMPOTENT_WRITE) | B(ACL_OP_ALTER) | B(ACL_OP_DESCRIBE);
		case ACL_RESOURCE_TRANSACTIONAL_ID:
			return B(ACL_OP_DESCRIBE) | B(ACL_OP_WRITE);
		case ACL_RESOURCE_DELEGATION_TOKEN:
			return B(ACL_OP_DESCRIBE);
		case ACL_RESOURCE_USER:
			return B(ACL_OP_CREATE_TOKENS) | B(ACL_OP_DESCRIBE_TOKENS);
		default:
			return 0;
	}
#undef B
}

/* Does an ALLOW for acl_op allow op?  (ALL, the same, or an implying one.) */
static bool
allow_covers(int acl_op, AclOperation op)
{
	if (acl_op == ACL_OP_ALL || acl_op == (int) op)
		return true;
	if (op == ACL_OP_DESCRIBE)
		return acl_op == ACL_OP_READ || acl_op == ACL_OP_WRITE || acl_op == ACL_OP_DELETE ||
			acl_op == ACL_OP_ALTER;
	if (op == ACL_OP_DESCRIBE_CONFIGS)
		return acl_op == ACL_OP_ALTER_CONFIGS;
	return false;
}

static bool
applies_to_me(const AclEntry *a)
{
	return (strcmp(a->principal, MyPrincipal) == 0 || strcmp(a->principal, ACL_WILDCARD_PRINCIPAL) == 0) &&
		(strcmp(a->host, MyClientHost) == 0 || strcmp(a->host, ACL_WILDCARD) == 0);
}

/*
 * Is the connection's principal in super_users ("User:a;User:b")?  A scan
 * of the setting's text, allocating nothing (handlers may ask while holding
 * an SMutex).
 */
static bool
is_super_user(void)
{
	size_t		plen = strlen(MyPrincipal);

	for (const char *p = super_users; *p;)
	{
		size_t		len = strcspn(p, ";");
		const char *s = p;
		size_t		l = len;

		while (l > 0 && *s == ' ')
			s++, l--;
		while (l > 0 && s[l - 1] == ' ')
			l--;
		if (l == plen && memcmp(s, MyPrincipal, l) == 0)
			return true;
		p += len;
		if (*p == ';')
			p++;
	}
	return false;
}

typedef enum Decision
{
	DECIDED_SUPER_USER,
	DECIDED_ALLOW_ACL,
	DECIDED_NO_ACL_ALLOWED,		/* no ACL, allow_everyone_if_no_acl_found */
	DECIDED_DENY_ACL,
	DECIDED_NO_ALLOW,			/* ACLs, but none allows */
	DECIDED_NO_ACL,				/* no ACL at all */
	DECIDED_NOT_LOADED			/* users and ACLs not loaded */
} Decision;

static Decision
decide(AclResourceType type, const char *name, int32 len, AclOperation op)
{
	const AclEntry *acls;
	int			n;
	bool		any = false;
	bool		allowed = false;

	if (is_super_user())
		return DECIDED_SUPER_USER;
	if (!SecurityCacheUsable())
		return DECIDED_NOT_LOADED;
	acls = SecurityAcls(&n);
	for (int i = 0; i < n; i++)
	{
		const AclEntry *a = &acls[i];

		if (!AclPatternCovers(a, type, name, len))
			continue;
		any = true;
		if (!applies_to_me(a))
			continue;
		if (a->permission == ACL_PERMISSION_DENY && (a->operation == ACL_OP_ALL || a->operation == op))
			return DECIDED_DENY_ACL;
		if (a->permission == ACL_PERMISSION_ALLOW && allow_covers(a->operation, op))
			allowed = true;
	}
	if (allowed)
		return DECIDED_ALLOW_ACL;
	if (!any)
		return allow_everyone_if_no_acl_found ? DECIDED_NO_ACL_ALLOWED : DECIDED_NO_ACL;
	return DECIDED_NO_ALLOW;
}

static const char *
decision_reason(Decision d)
{
	switch (d)
	{
		case DECIDED_SUPER_USER:
			return "super user";
		case DECIDED_ALLOW_ACL:
			return "an ALLOW ACL matches";
		case DECIDED_NO_ACL_ALLOWED:
			return "no ACL for the resource, allow_everyone_if_no_acl_found = on";
		case DECIDED_DENY_ACL:
			return "a DENY ACL matches";
		case DECIDED_NO_ALLOW:
			return "no ALLOW ACL matches";
		case DECIDED_NO_ACL:
			return "no ACL for the resource";
		case DECIDED_NOT_LOADED:
			return "ACLs not loaded from the catalog yet";
	}
	return "?";
}

static bool
authorize(AclResourceType type, const char *name, int32 len, AclOperation op, bool quiet)
{
	Decision	d;
	bool		ok;

	if (!authorizer)
		return true;
	d = decide(type, name, len, op);
	ok = d == DECIDED_SUPER_USER || d == DECIDED_ALLOW_ACL || d == DECIDED_NO_ACL_ALLOWED;
	MetricsInc(ok ? METRIC_AUTHORIZATIONS_ALLOWED : METRIC_AUTHORIZATIONS_DENIED, 1);
	if (!quiet && (log_authorization == LOG_AUTHORIZATION_ALL ||
				   (log_authorization == LOG_AUTHORIZATION_DENIED && !ok)))
		elog(LOG, "authorization: %s from %s %s %s on %s \"%.*s\" (%s)",
			 MyPrincipal, MyClientHost, ok ? "allowed" : "denied", AclOperationName(op),
			 AclResourceTypeName(type), (int) Min(len, 255), name, decision_reason(d));
	return ok;
}

bool
KafkaAuthorize(AclResourceType type, const char *name, int32 len, AclOperation op)
{
	return authorize(type, name, len, op, false);
}

bool
KafkaAuthorizeQuiet(AclResourceType type, const char *name, int32 len, AclOperation op)
{
	return authorize(type, name, len, op, true);
}

bool
KafkaAuthorizeTopic(KStr name, AclOperation op)
{
	return authorize(ACL_RESOURCE_TOPIC, name.ptr ? name.ptr : "", Max(name.len, 0), op, false);
}

bool
KafkaAuthorizeGroup(KStr name, AclOperation op)
{
	return authorize(ACL_RESOURCE_GROUP, name.ptr ? name.ptr : "", Max(name.len, 0), op, false);
}

bool
KafkaAuthorizeCluster(AclOperation op)
{
	return authorize(ACL_RESOURCE_CLUSTER, ACL_CLUSTER_NAME, (int32) strlen(ACL_CLUSTER_NAME), op, false);
}

bool
KafkaAuthorizeAny(AclResourceType type, AclOperation op)
{
	const AclEntry *acls;
	int			n;
	bool		any = false;
	bool		allowed = false;
	bool		ok;

	if (!authorizer)
		return true;
	if (is_super_user())
		ok = true;
	else
	{
		acls = SecurityAcls(&n);
		for (int i = 0; i < n && SecurityCacheUsable(); i++)
		{
			const AclEntry *a = &acls[i];
			bool		everything;

			if (a->resource_type != type)
				continue;
			any = true;
			if (!applies_to_me(a))
				continue;
			everything = (a->pattern_type == ACL_PATTERN_LITERAL && strcmp(a->resource_name, ACL_WILDCARD) == 0) ||
				(a->pattern_type == ACL_PATTERN_PREFIXED && a->resource_name_len == 0);
			if (a->permission == ACL_PERMISSION_DENY && everything &&
				(a->operation == ACL_OP_ALL || a->operation == op))
			{
				allowed = false;
				break;
			}
			if (a->permission == ACL_PERMISSION_ALLOW && (a->operation == ACL_OP_ALL || a->operation == op))
				allowed = true;
		}
		ok = SecurityCacheUsable() && (allowed || (!any && allow_everyone_if_no_acl_found));
	}
	MetricsInc(ok ? METRIC_AUTHORIZATIONS_ALLOWED : METRIC_AUTHORIZATIONS_DENIED, 1);
	if (log_authorization == LOG_AUTHORIZATION_ALL || (log_authorization == LOG_AUTHORIZATION_DENIED && !ok))
		elog(LOG, "authorization: %s from %s %s %s on any %s",
			 MyPrincipal, MyClientHost, ok ? "allowed" : "denied", AclOperationName(op),
			 AclResourceTypeName(type));
	return ok;
}

int32
KafkaAuthorizedOperations(AclResourceType type, const char *name, int32 len)
{
	int32		supported = supported_operations(type);
	int32		result = 0;

	if (!authorizer)
		return supported;
	for (int op = 0; op < ACL_OPERATIONS; op++)
		if ((supported & (1 << op)) && KafkaAuthorizeQuiet(type, name, len, (AclOperation) op))
			result |= 1 << op;
	return result;
}
