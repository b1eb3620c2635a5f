/*-------------------------------------------------------------------------
 *
 * test_acl.c
 *	  Unit tests of Kafka's ACL model (kafka/acl.c): names and codes, which
 *	  resources a pattern covers, what DescribeAcls/DeleteAcls filters
 *	  match (MATCH included), and which ACLs CreateAcls may store.
 *
 * src/test/unit/test_acl.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/acl.h"
#include "tap.h"

static AclEntry
entry(int type, int pattern, const char *name, const char *principal, int op, int perm)
{
	AclEntry	e;

	e.resource_type = (uint8) type;
	e.pattern_type = (uint8) pattern;
	e.operation = (uint8) op;
	e.permission = (uint8) perm;
	e.resource_name = name;
	e.resource_name_len = (int32) strlen(name);
	e.principal = principal;
	e.host = "*";
	return e;
}

static AclFilter
filter(int type, const char *name, int pattern)
{
	AclFilter	f;

	memset(&f, 0, sizeof(f));
	f.resource_type = type;
	f.resource_name = name;
	f.resource_name_len = name ? (int32) strlen(name) : 0;
	f.pattern_type = pattern;
	f.operation = ACL_OP_ANY;
	f.permission = ACL_PERMISSION_ANY;
	return f;
}

static void
test_names(void)
{
	is_str(AclOperationName(ACL_OP_DESCRIBE_CONFIGS), "DESCRIBE_CONFIGS", "operation names are Kafka's");
	is_int(AclOperationFromName("idempotent_write"), ACL_OP_IDEMPOTENT_WRITE, "and parse case-insensitively");
	is_int(AclResourceTypeFromName("TRANSACTIONAL_ID"), ACL_RESOURCE_TRANSACTIONAL_ID, "resource types");
	is_int(AclPatternTypeFromName("PREFIXED"), ACL_PATTERN_PREFIXED, "pattern types");
	is_int(AclPermissionFromName("DENY"), ACL_PERMISSION_DENY, "permissions");
	is_int(AclOperationFromName("UNKNOWN"), 0, "UNKNOWN is not a name to parse");
	is_str(AclResourceTypeName(99), "UNKNOWN", "a code out of range is UNKNOWN");
}

static void
test_covers(void)
{
	AclEntry	lit = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_LITERAL, "orders", "User:a", ACL_OP_READ, ACL_PERMISSION_ALLOW);
	AclEntry	star = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_LITERAL, "*", "User:a", ACL_OP_READ, ACL_PERMISSION_ALLOW);
	AclEntry	pre = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_PREFIXED, "logs-", "User:a", ACL_OP_READ, ACL_PERMISSION_ALLOW);

	ok(AclPatternCovers(&lit, ACL_RESOURCE_TOPIC, "orders", 6), "a literal covers its name");
	ok(!AclPatternCovers(&lit, ACL_RESOURCE_TOPIC, "orders2", 7), "not a longer one");
	ok(!AclPatternCovers(&lit, ACL_RESOURCE_TOPIC, "order", 5), "not a shorter one");
	ok(!AclPatternCovers(&lit, ACL_RESOURCE_GROUP, "orders", 6), "not another resource type");
	ok(AclPatternCovers(&star, ACL_RESOURCE_TOPIC, "anything", 8), "the literal * covers every name");
	ok(AclPatternCovers(&pre, ACL_RESOURCE_TOPIC, "logs-app", 8), "a prefix covers names starting with it");
	ok(AclPatternCovers(&pre, ACL_RESOURCE_TOPIC, "logs-", 5), "and the prefix itself");
	ok(!AclPatternCovers(&pre, ACL_RESOURCE_TOPIC, "logs", 4), "not a name shorter than the prefix");
	ok(!AclPatternCovers(&pre, ACL_RESOURCE_TOPIC, "xlogs-a", 7), "nor one containing it elsewhere");
}

static void
test_filters(void)
{
	AclEntry	lit = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_LITERAL, "orders", "User:a", ACL_OP_READ, ACL_PERMISSION_ALLOW);
	AclEntry	pre = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_PREFIXED, "ord", "User:b", ACL_OP_WRITE, ACL_PERMISSION_DENY);
	AclFilter	f;
	const char *msg;

	f = filter(ACL_RESOURCE_ANY, NULL, ACL_PATTERN_ANY);
	ok(AclFilterMatches(&f, &lit) && AclFilterMatches(&f, &pre), "ANY with nulls matches everything");
	f = filter(ACL_RESOURCE_TOPIC, "orders", ACL_PATTERN_MATCH);
	ok(AclFilterMatches(&f, &lit) && AclFilterMatches(&f, &pre), "MATCH finds every pattern covering the name");
	f = filter(ACL_RESOURCE_TOPIC, "ord", ACL_PATTERN_LITERAL);
	ok(!AclFilterMatches(&f, &pre), "LITERAL does not match a PREFIXED ACL of that name");
	f = filter(ACL_RESOURCE_TOPIC, "ord", ACL_PATTERN_PREFIXED);
	ok(AclFilterMatches(&f, &pre) && !AclFilterMatches(&f, &lit), "PREFIXED matches exactly");
	f = filter(ACL_RESOURCE_GROUP, NULL, ACL_PATTERN_ANY);
	ok(!AclFilterMatches(&f, &lit), "another resource type does not match");
	f = filter(ACL_RESOURCE_ANY, NULL, ACL_PATTERN_ANY);
	f.principal = "User:b";
	f.principal_len = 6;
	ok(!AclFilterMatches(&f, &lit) && AclFilterMatches(&f, &pre), "the principal filter");
	f.principal = NULL;
	f.operation = ACL_OP_WRITE;
	ok(!AclFilterMatches(&f, &lit) && AclFilterMatches(&f, &pre), "the operation filter");
	f.operation = ACL_OP_ANY;
	f.permission = ACL_PERMISSION_ALLOW;
	ok(AclFilterMatches(&f, &lit) && !AclFilterMatches(&f, &pre), "the permission filter");

	f = filter(ACL_RESOURCE_UNKNOWN, NULL, ACL_PATTERN_ANY);
	ok(!AclFilterValid(&f, &msg), "a filter of resource type UNKNOWN is invalid");
	f = filter(ACL_RESOURCE_ANY, NULL, 9);
	ok(!AclFilterValid(&f, &msg), "a pattern type out of range is invalid");
	f = filter(ACL_RESOURCE_ANY, NULL, ACL_PATTERN_MATCH);
	ok(AclFilterValid(&f, &msg), "MATCH is a valid filter");
}

static void
test_valid(void)
{
	const char *msg;
	AclEntry	e = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_LITERAL, "t", "User:a", ACL_OP_READ, ACL_PERMISSION_ALLOW);

	ok(AclEntryValid(&e, &msg), "a plain ACL is valid");
	e.pattern_type = ACL_PATTERN_MATCH;
	ok(!AclEntryValid(&e, &msg), "MATCH cannot be stored");
	e.pattern_type = ACL_PATTERN_LITERAL;
	e.operation = ACL_OP_ANY;
	ok(!AclEntryValid(&e, &msg), "ANY cannot be stored as an operation");
	e.operation = ACL_OP_ALL;
	ok(AclEntryValid(&e, &msg), "ALL can");
	e.principal = "alice";
	ok(!AclEntryValid(&e, &msg), "a principal needs a type");
	e.principal = "User:";
	ok(!AclEntryValid(&e, &msg), "and a name");
	e = entry(ACL_RESOURCE_CLUSTER, ACL_PATTERN_LITERAL, "kafka-cluster", "User:a", ACL_OP_ALTER, ACL_PERMISSION_ALLOW);
	ok(AclEntryValid(&e, &msg), "the cluster is kafka-cluster");
	e = entry(ACL_RESOURCE_CLUSTER, ACL_PATTERN_PREFIXED, "kafka", "User:a", ACL_OP_ALTER, ACL_PERMISSION_ALLOW);
	ok(!AclEntryValid(&e, &msg), "not a prefix of it");
	is_str(msg, "The only valid name for the CLUSTER resource is the literal kafka-cluster", "with Kafka's reason");
	e = entry(ACL_RESOURCE_TOPIC, ACL_PATTERN_PREFIXED, "", "User:a", ACL_OP_ALTER, ACL_PERMISSION_ALLOW);
	ok(!AclEntryValid(&e, &msg), "an empty resource name is refused");
}

int
main(void)
{
	test_names();
	test_covers();
	test_filters();
	test_valid();
	return done_testing();
}
