/*-------------------------------------------------------------------------
 *
 * api_admin.c
 *	  Topic administration: CreateTopics, DeleteTopics, CreatePartitions,
 *	  DescribeConfigs, AlterConfigs and IncrementalAlterConfigs.
 *
 *	  The work is done by kafka/topics.c against the catalog; this file
 *	  translates between the wire structs and it, and maps its results onto
 *	  Kafka error codes.  A backend opens its own catalog connection the
 *	  first time it serves one of these requests.  Broker configs are the
 *	  settings table: described as they are, altered through
 *	  strata.auto.conf (reloadable settings only).
 *
 *	  Authorisation (kafka/authorizer.h), as Kafka: CreateTopics needs
 *	  CREATE on the cluster or the topic, DeleteTopics DELETE and
 *	  CreatePartitions ALTER on the topic; configs need DESCRIBE_CONFIGS or
 *	  ALTER_CONFIGS on the topic, or on the cluster for the broker's.
 *
 * src/backend/kafka/api_admin.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <signal.h>

#include "kafka/authorizer.h"
#include "kafka/backend.h"
#include "kafka/handlers.h"
#include "kafka/partition.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "postmaster/pmsignal.h"
#include "utils/guc.h"

/* Kafka's ConfigResource types and config sources. */
#define RESOURCE_TOPIC		2
#define RESOURCE_BROKER		4
#define SOURCE_DYNAMIC_TOPIC	1
#define SOURCE_STATIC_BROKER	4
#define SOURCE_DEFAULT			5
/* DescribeConfigs ConfigType values */
#define CONFIG_TYPE_BOOLEAN		1
#define CONFIG_TYPE_STRING		2
#define CONFIG_TYPE_INT			3
#define CONFIG_TYPE_LONG		5
#define CONFIG_TYPE_DOUBLE		6
#define CONFIG_TYPE_LIST		7

static int16
topic_error(TopicResult r)
{
	switch (r)
	{
		case TOPIC_OK:
			return KAFKA_ERR_NONE;
		case TOPIC_EXISTS:
			return KAFKA_ERR_TOPIC_ALREADY_EXISTS;
		case TOPIC_NOT_FOUND:
			return KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
		case TOPIC_INVALID_NAME:
			return KAFKA_ERR_INVALID_TOPIC_EXCEPTION;
		case TOPIC_INVALID_PARTITIONS:
			return KAFKA_ERR_INVALID_PARTITIONS;
		case TOPIC_INVALID_REPLICATION:
			return KAFKA_ERR_INVALID_REPLICATION_FACTOR;
		case TOPIC_INVALID_ASSIGNMENT:
			return KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
		case TOPIC_INVALID_CONFIG:
			return KAFKA_ERR_INVALID_CONFIG;
		case TOPIC_REGISTRY_FULL:
			return KAFKA_ERR_POLICY_VIOLATION;
		case TOPIC_CATALOG_ERROR:
			return KAFKA_ERR_UNKNOWN_SERVER_ERROR;
	}
	return KAFKA_ERR_UNKNOWN_SERVER_ERROR;
}

/* The broker ids a client assigned to one partition. */
typedef struct BrokerList
{
	int32		count;
	const int32 *items;
} BrokerList;

/* Partitions of the named topic now (registry), -1 if unknown. */
static int32
topic_partition_count(KStr name)
{
	int32		n = -1;
	int			t;

	RegistryLock();
	t = TopicLookupByName(name.ptr, (size_t) Max(name.len, 0));
	if (t >= 0)
		n = TopicGet(t)->num_partitions;
	RegistryUnlock();
	return n;
}

/*
 * A client's replica assignment: one broker per partition (Strata keeps
 * one replica), partitions first..first+n-1 each exactly once.  Sets *err
 * and *msg on a bad one; the assignment in *out (arena) otherwise.
 */
static bool
read_assignment(KArena *arena, int32 n, int32 first, const int32 *indexes,
				const BrokerList *brokers, TopicAssignment **out, int16 *err, KStr *msg)
{
	TopicAssignment *a = KArenaArray(arena, Max(n, 1), sizeof(TopicAssignment));

	for (int32 i = 0; i < n; i++)
	{
		int32		index = indexes ? indexes[i] : first + i;

		if (brokers[i].count != 1)
		{
			*err = KAFKA_ERR_INVALID_REPLICATION_FACTOR;
			*msg = KArenaPrintf(arena, "Partition %d is assigned %d replicas: Strata keeps one replica of each partition (durability comes from the WAL device and object storage, not copies); name one broker",
								index, brokers[i].count);
			return false;
		}
		if (index < first || index >= first + n)
		{
			*err = KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
			*msg = KArenaPrintf(arena, "Partition %d of the assignment is out of range", index);
			return false;
		}
		a[index - first].partition = index;
		a[index - first].broker = brokers[i].items[0];
	}
	for (int32 i = 0; i < n; i++)
		for (int32 j = 0; j < i; j++)
			if ((indexes ? indexes[i] : first + i) == (indexes ? indexes[j] : first + j))
			{
				*err = KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
				*msg = KArenaPrintf(arena, "Partition %d is assigned twice", indexes ? indexes[i] : first + i);
				return false;
			}
	*out = a;
	return true;
}

static KStr
msg_str(KArena *arena, const char *msg)
{
	return msg ? KStrArena(arena, msg) : KSTR_NULL;
}

/* Authorisation of a config resource: KAFKA_ERR_NONE or the error. */
static int16
config_access(int8 type, KStr name, AclOperation op)
{
	if (type == RESOURCE_TOPIC && !KafkaAuthorizeTopic(name, op))
		return KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
	if (type == RESOURCE_BROKER && !KafkaAuthorizeCluster(op))
		return KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
	return KAFKA_ERR_NONE;
}

/* The catalog connection, or an error for every item of the request. */
static PGconn *
admin_connection(char **msg)
{
	return BackendCatalogConnection(msg);
}

/* ---------- CreateTopics ---------- */

bool
KafkaHandleCreateTopics(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const CreateTopicsRequest *req = reqp;
	CreateTopicsResponse *resp = respp;
	char	   *connmsg = NULL;
	PGconn	   *pg = admin_connection(&connmsg);
	bool		cluster_create = req->Topics.count > 0 && KafkaAuthorizeCluster(ACL_OP_CREATE);

	resp->Topics.count = req->Topics.count;
	resp->Topics.items = KArenaArray(&conn->arena, req->Topics.count, sizeof(CreatableTopicResult));
	for (int32 i = 0; i < req->Topics.count; i++)
	{
		const CreatableTopic *ct = &req->Topics.items[i];
		TopicAssignment *assign;
		CreatableTopicResult *out = &resp->Topics.items[i];
		TopicConfigEntry *entries;
		char	   *msg = NULL;
		uint8		id[16] = {0};
		TopicResult r;
		bool		duplicate = false;

		out->Name = ct->Name;
		out->NumPartitions = -1;
		out->ReplicationFactor = -1;
		out->Configs.count = -1;

		for (int32 j = 0; j < i; j++)
			if (req->Topics.items[j].Name.len == ct->Name.len &&
				memcmp(req->Topics.items[j].Name.ptr, ct->Name.ptr, (size_t) ct->Name.len) == 0)
				duplicate = true;
		if (duplicate)
		{
			out->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			out->ErrorMessage = KSTR_LIT("Create topics request has duplicate topic name.");
			continue;
		}
		if (!cluster_create && !KafkaAuthorizeTopic(ct->Name, ACL_OP_CREATE))
		{
			out->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			out->ErrorMessage = KSTR_LIT("Authorization failed.");
			continue;
		}
		assign = NULL;
		if (ct->Assignments.count > 0)
		{
			int32	   *idx = KArenaArray(&conn->arena, ct->Assignments.count, sizeof(int32));
			BrokerList *brk = KArenaArray(&conn->arena, ct->Assignments.count, sizeof(BrokerList));

			if (ct->NumPartitions != -1 || ct->ReplicationFactor != -1)
			{
				out->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
				out->ErrorMessage = KSTR_LIT("Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
				continue;
			}
			for (int32 a = 0; a < ct->Assignments.count; a++)
			{
				idx[a] = ct->Assignments.items[a].PartitionIndex;
				brk[a].count = ct->Assignments.items[a].BrokerIds.count;
				brk[a].items = ct->Assignments.items[a].BrokerIds.items;
			}
			if (!read_assignment(&conn->arena, ct->Assignments.count, 0, idx, brk, &assign,
								 &out->ErrorCode, &out->ErrorMessage))
				continue;
		}
		if (pg == NULL)
		{
			out->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
			out->ErrorMessage = msg_str(&conn->arena, connmsg);
			continue;
		}
		entries = KArenaArray(&conn->arena, Max(ct->Configs.count, 1), sizeof(TopicConfigEntry));
		for (int32 c = 0; c < ct->Configs.count; c++)
		{
			entries[c].name = ct->Configs.items[c].Name.ptr;
			entries[c].name_len = (size_t) Max(ct->Configs.items[c].Name.len, 0);
			entries[c].value = ct->Configs.items[c].Value.ptr;
			entries[c].value_len = (size_t) Max(ct->Configs.items[c].Value.len, 0);
		}
		r = TopicCreate(pg, ct->Name.ptr, (size_t) Max(ct->Name.len, 0), ct->NumPartitions,
						ct->ReplicationFactor, assign, assign ? ct->Assignments.count : 0,
						entries, Max(ct->Configs.count, 0), req->validateOnly, id, &msg);
		out->ErrorCode = topic_error(r);
		out->ErrorMessage = msg_str(&conn->arena, msg);
		if (r == TOPIC_OK)
		{
			memcpy(out->TopicId.b, id, 16);
			out->NumPartitions = assign ? ct->Assignments.count
				: ct->NumPartitions == -1 ? (int32) num_partitions : ct->NumPartitions;
			out->ReplicationFactor = 1;
		}
	}
	return true;
}

/* ---------- DeleteTopics ---------- */

/*
 * May the principal DELETE the topic, named or (v6+) given by id?  A topic
 * id that names no topic is left to TopicDelete (UNKNOWN_TOPIC_ID).
 */
static bool
delete_allowed(KStr name, const uint8 *id)
{
	char		buf[TOPIC_NAME_MAX + 1];
	int			t;

	if (name.len >= 0)
		return KafkaAuthorizeTopic(name, ACL_OP_DELETE);
	RegistryLock();
	t = TopicLookupById(id);
	if (t >= 0)
		memcpy(buf, TopicGet(t)->name, (size_t) TopicGet(t)->name_len + 1);
	RegistryUnlock();
	return t < 0 || KafkaAuthorize(ACL_RESOURCE_TOPIC, buf, (int32) strlen(buf), ACL_OP_DELETE);
}

bool
KafkaHandleDeleteTopics(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DeleteTopicsRequest *req = reqp;
	DeleteTopicsResponse *resp = respp;
	bool		by_state = h->api_version >= 6;
	int32		n = by_state ? req->Topics.count : req->TopicNames.count;
	char	   *connmsg = NULL;
	PGconn	   *pg = admin_connection(&connmsg);

	resp->Responses.count = Max(n, 0);
	resp->Responses.items = KArenaArray(&conn->arena, n, sizeof(DeletableTopicResult));
	for (int32 i = 0; i < n; i++)
	{
		DeletableTopicResult *out = &resp->Responses.items[i];
		KStr		name = by_state ? req->Topics.items[i].Name : req->TopicNames.items[i];
		const uint8 *id = by_state ? req->Topics.items[i].TopicId.b : NULL;
		uint8		id_out[16] = {0};
		char	   *msg = NULL;
		TopicResult r;

		out->Name = name;
		if (!delete_allowed(name, id))
		{
			out->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			out->ErrorMessage = KSTR_LIT("Authorization failed.");
			continue;
		}
		if (pg == NULL)
		{
			out->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
			out->ErrorMessage = msg_str(&conn->arena, connmsg);
			continue;
		}
		r = TopicDelete(pg, name.len >= 0 ? name.ptr : NULL, (size_t) Max(name.len, 0), id, id_out, &msg);
		out->ErrorCode = r == TOPIC_NOT_FOUND && name.len < 0 ? KAFKA_ERR_UNKNOWN_TOPIC_ID : topic_error(r);
		out->ErrorMessage = msg_str(&conn->arena, msg);
		memcpy(out->TopicId.b, id_out, 16);
	}
	return true;
}

/* ---------- CreatePartitions ---------- */

bool
KafkaHandleCreatePartitions(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const CreatePartitionsRequest *req = reqp;
	CreatePartitionsResponse *resp = respp;
	char	   *connmsg = NULL;
	PGconn	   *pg = admin_connection(&connmsg);

	resp->Results.count = req->Topics.count;
	resp->Results.items = KArenaArray(&conn->arena, req->Topics.count, sizeof(CreatePartitionsTopicResult));
	for (int32 i = 0; i < req->Topics.count; i++)
	{
		const CreatePartitionsTopic *t = &req->Topics.items[i];
		TopicAssignment *assign;
		CreatePartitionsTopicResult *out = &resp->Results.items[i];
		char	   *msg = NULL;
		TopicResult r;

		out->Name = t->Name;
		if (!KafkaAuthorizeTopic(t->Name, ACL_OP_ALTER))
		{
			out->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			out->ErrorMessage = KSTR_LIT("Authorization failed.");
			continue;
		}
		assign = NULL;
		if (t->Assignments.count > 0)
		{
			BrokerList *brk = KArenaArray(&conn->arena, t->Assignments.count, sizeof(BrokerList));
			int32		current = topic_partition_count(t->Name);

			for (int32 a = 0; a < t->Assignments.count; a++)
			{
				brk[a].count = t->Assignments.items[a].BrokerIds.count;
				brk[a].items = t->Assignments.items[a].BrokerIds.items;
			}
			if (current >= 0 &&
				!read_assignment(&conn->arena, t->Assignments.count, current, NULL, brk, &assign,
								 &out->ErrorCode, &out->ErrorMessage))
				continue;
		}
		if (pg == NULL)
		{
			out->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
			out->ErrorMessage = msg_str(&conn->arena, connmsg);
			continue;
		}
		r = TopicAddPartitions(pg, t->Name.ptr, (size_t) Max(t->Name.len, 0), t->Count,
							   assign, assign ? t->Assignments.count : 0, req->ValidateOnly, &msg);
		out->ErrorCode = topic_error(r);
		out->ErrorMessage = msg_str(&conn->arena, msg);
	}
	return true;
}

/* ---------- DescribeConfigs ---------- */

static bool
key_requested(const DescribeConfigsResource *res, const char *name)
{
	if (res->ConfigurationKeys.count < 0)
		return true;
	for (int32 k = 0; k < res->ConfigurationKeys.count; k++)
		if (KStrEq(res->ConfigurationKeys.items[k], name))
			return true;
	return false;
}

static int8
topic_config_type(TopicConfigType t)
{
	switch (t)
	{
		case TCT_BOOLEAN:
			return CONFIG_TYPE_BOOLEAN;
		case TCT_INT:
			return CONFIG_TYPE_INT;
		case TCT_LONG:
			return CONFIG_TYPE_LONG;
		case TCT_DOUBLE:
			return CONFIG_TYPE_DOUBLE;
		case TCT_LIST:
			return CONFIG_TYPE_LIST;
		case TCT_STRING:
			break;
	}
	return CONFIG_TYPE_STRING;
}

static void
describe_topic(KafkaConn *conn, const DescribeConfigsRequest *req, const DescribeConfigsResource *res,
			   DescribeConfigsResult *out)
{
	TopicConfig config;
	uint8		id[16];
	int			t;
	int32		n = 0;
	char	  **stored_names = NULL;
	char	  **stored_values = NULL;
	int			nstored = 0;

	RegistryLock();
	t = TopicLookupByName(res->ResourceName.ptr, (size_t) Max(res->ResourceName.len, 0));
	if (t >= 0)
	{
		config = TopicGet(t)->config;
		memcpy(id, TopicGet(t)->id, 16);
	}
	RegistryUnlock();
	if (t < 0)
	{
		out->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
		out->ErrorMessage = KSTR_LIT("This server does not host this topic.");
		return;
	}

	/*
	 * Configs Strata stores without acting on them are kept only in the
	 * catalog: read them when one that is overridden is asked for.
	 */
	for (int i = 0; i < NumTopicConfigDefs; i++)
		if ((config.stored_overrides & (UINT64_C(1) << i)) && key_requested(res, TopicConfigDefs[i].name))
		{
			char	   *msg = NULL;
			PGconn	   *pg = BackendCatalogConnection(&msg);

			nstored = pg ? TopicStoredConfigs(pg, id, &stored_names, &stored_values, &msg) : -1;
			if (nstored < 0)
			{
				out->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
				out->ErrorMessage = KStrArena(&conn->arena, msg);
				return;
			}
			break;
		}

	out->Configs.items = KArenaArray(&conn->arena, NumTopicConfigDefs, sizeof(DescribeConfigsResourceResult));
	for (int i = 0; i < NumTopicConfigDefs; i++)
	{
		const TopicConfigDef *def = &TopicConfigDefs[i];
		DescribeConfigsResourceResult *c;
		char	   *value;
		bool		is_default;

		if (!key_requested(res, def->name))
			continue;
		value = TopicConfigValue(&config, def->name);
		if (value == NULL)
		{
			/* stored only: the catalog's override, else the default */
			const char *v = def->default_value;

			if (config.stored_overrides & (UINT64_C(1) << i))
				for (int k = 0; k < nstored; k++)
					if (strcmp(stored_names[k], def->name) == 0 && stored_values[k] != NULL)
						v = stored_values[k];
			value = pstrdup(v);
		}
		is_default = !(config.stored_overrides & (UINT64_C(1) << i)) &&
			strcmp(value, def->default_value) == 0;
		c = &out->Configs.items[n++];
		c->Name = KStrArena(&conn->arena, def->name);
		c->Value = KStrArena(&conn->arena, value);
		pfree(value);
		c->ReadOnly = false;
		c->IsDefault = is_default;
		c->ConfigSource = is_default ? SOURCE_DEFAULT : SOURCE_DYNAMIC_TOPIC;
		c->IsSensitive = false;
		c->ConfigType = topic_config_type(def->type);
		c->Documentation = req->IncludeDocumentation ? KStrArena(&conn->arena, def->doc) : KSTR_NULL;
		c->Synonyms.count = 0;
	}
	out->Configs.count = n;
	for (int k = 0; k < nstored; k++)
	{
		pfree(stored_names[k]);
		if (stored_values[k])
			pfree(stored_values[k]);
	}
	if (stored_names)
	{
		pfree(stored_names);
		pfree(stored_values);
	}
}

static void
describe_broker(KafkaConn *conn, const DescribeConfigsRequest *req, const DescribeConfigsResource *res,
				DescribeConfigsResult *out)
{
	char		me[16];
	int32		n = 0;

	snprintf(me, sizeof(me), "%lld", (long long) broker_id);
	/* An empty name means "this broker" (the cluster-wide default). */
	if (res->ResourceName.len > 0 && !KStrEq(res->ResourceName, me))
	{
		out->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
		out->ErrorMessage = KStrArena(&conn->arena, psprintf("This is broker %s", me));
		return;
	}
	out->Configs.items = KArenaArray(&conn->arena, GucTableSize, sizeof(DescribeConfigsResourceResult));
	for (int i = 0; i < GucTableSize; i++)
	{
		const GucEntry *e = &GucTable[i];
		DescribeConfigsResourceResult *c;
		char	   *value;

		if (!key_requested(res, e->name))
			continue;
		value = GucShowValue(e);
		c = &out->Configs.items[n++];
		c->Name = KStrArena(&conn->arena, e->name);
		c->Value = KStrArena(&conn->arena, value);
		pfree(value);
		c->ReadOnly = e->context == GUC_POSTMASTER;
		c->IsDefault = e->source == GUC_SRC_DEFAULT;
		c->ConfigSource = e->source == GUC_SRC_DEFAULT ? SOURCE_DEFAULT : SOURCE_STATIC_BROKER;
		c->IsSensitive = false;
		c->ConfigType = e->type == GUC_BOOL ? CONFIG_TYPE_BOOLEAN :
			e->type == GUC_INT ? CONFIG_TYPE_LONG : CONFIG_TYPE_STRING;
		c->Documentation = req->IncludeDocumentation ? KStrArena(&conn->arena, e->description) : KSTR_NULL;
		c->Synonyms.count = 0;
	}
	out->Configs.count = n;
}

bool
KafkaHandleDescribeConfigs(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DescribeConfigsRequest *req = reqp;
	DescribeConfigsResponse *resp = respp;

	resp->Results.count = req->Resources.count;
	resp->Results.items = KArenaArray(&conn->arena, req->Resources.count, sizeof(DescribeConfigsResult));
	for (int32 i = 0; i < req->Resources.count; i++)
	{
		const DescribeConfigsResource *res = &req->Resources.items[i];
		DescribeConfigsResult *out = &resp->Results.items[i];

		out->ResourceType = res->ResourceType;
		out->ResourceName = res->ResourceName;
		out->ErrorMessage = KSTR_NULL;
		if ((out->ErrorCode = config_access(res->ResourceType, res->ResourceName,
											ACL_OP_DESCRIBE_CONFIGS)) != KAFKA_ERR_NONE)
			continue;
		if (res->ResourceType == RESOURCE_TOPIC)
			describe_topic(conn, req, res, out);
		else if (res->ResourceType == RESOURCE_BROKER)
			describe_broker(conn, req, res, out);
		else
		{
			out->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			out->ErrorMessage = KSTR_LIT("Only topic and broker configs can be described");
		}
	}
	return true;
}

/* ---------- AlterConfigs / IncrementalAlterConfigs ---------- */

/* IncrementalAlterConfigs operations */
#define OP_SET		0
#define OP_DELETE	1
#define OP_APPEND	2
#define OP_SUBTRACT 3

/*
 * Broker settings altered by a client go to DATADIR/strata.auto.conf (read
 * after strata.conf, like PostgreSQL's ALTER SYSTEM), and the postmaster
 * is told to reload, which passes SIGHUP on to every process.  Only
 * reloadable settings can change this way; the rest need strata.conf and a
 * restart.  names[i]/values[i] (NULL value: remove the override).
 */
static void
alter_broker(KafkaConn *conn, KStr resource, char **names, char **values, int n,
			 bool replace_all, bool validate_only, int16 *code, KStr *msg)
{
	char		err[512];
	char		me[16];

	snprintf(me, sizeof(me), "%lld", (long long) broker_id);
	if (resource.len > 0 && !KStrEq(resource, me))
	{
		*code = KAFKA_ERR_INVALID_REQUEST;
		*msg = KStrArena(&conn->arena, psprintf("This is broker %s", me));
		return;
	}
	for (int i = 0; i < n; i++)
		if (values[i] != NULL && !GucCheckValue(names[i], values[i], err, sizeof(err)))
		{
			*code = KAFKA_ERR_INVALID_CONFIG;
			*msg = KStrArena(&conn->arena, err);
			return;
		}
	if (validate_only)
		return;
	if (!GucAlterAutoConf(DataDir, (const char *const *) names, (const char *const *) values, n,
						  replace_all, err, sizeof(err)))
	{
		elog(LOG, "%s", err);
		*code = KAFKA_ERR_KAFKA_STORAGE_ERROR;
		*msg = KStrArena(&conn->arena, err);
		return;
	}
	elog(LOG, "broker configs altered by %s from %s; reloading", MyPrincipal, MyClientAddr);
	kill(PostmasterPid, SIGHUP);
}

static void
alter_topic(KafkaConn *conn, KStr name, TopicConfigEntry *entries, int n, bool incremental,
			bool validate_only, int16 *code, KStr *errmsg)
{
	char	   *msg = NULL;
	PGconn	   *pg = admin_connection(&msg);
	TopicResult r;

	if (pg == NULL)
	{
		*code = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
		*errmsg = msg_str(&conn->arena, msg);
		return;
	}
	r = TopicAlterConfigs(pg, name.ptr, (size_t) Max(name.len, 0), entries, n, incremental,
						  validate_only, &msg);
	*code = topic_error(r);
	*errmsg = msg_str(&conn->arena, msg);
}

bool
KafkaHandleAlterConfigs(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const AlterConfigsRequest *req = reqp;
	AlterConfigsResponse *resp = respp;

	resp->Responses.count = req->Resources.count;
	resp->Responses.items = KArenaArray(&conn->arena, req->Resources.count, sizeof(AlterConfigsResourceResponse));
	for (int32 i = 0; i < req->Resources.count; i++)
	{
		const AlterConfigsResource *res = &req->Resources.items[i];
		AlterConfigsResourceResponse *out = &resp->Responses.items[i];

		out->ResourceType = res->ResourceType;
		out->ResourceName = res->ResourceName;
		out->ErrorMessage = KSTR_NULL;
		if ((out->ErrorCode = config_access(res->ResourceType, res->ResourceName,
											ACL_OP_ALTER_CONFIGS)) != KAFKA_ERR_NONE)
			continue;
		if (res->ResourceType == RESOURCE_BROKER)
		{
			int32		n = Max(res->Configs.count, 0);
			char	  **names = KArenaArray(&conn->arena, Max(n, 1), sizeof(char *));
			char	  **values = KArenaArray(&conn->arena, Max(n, 1), sizeof(char *));

			for (int32 c = 0; c < n; c++)
			{
				names[c] = pnstrdup_kstr(res->Configs.items[c].Name);
				values[c] = res->Configs.items[c].Value.len < 0 ? NULL
					: pnstrdup_kstr(res->Configs.items[c].Value);
			}
			alter_broker(conn, res->ResourceName, names, values, n, true, req->ValidateOnly,
						 &out->ErrorCode, &out->ErrorMessage);
		}
		else if (res->ResourceType != RESOURCE_TOPIC)
		{
			out->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			out->ErrorMessage = KSTR_LIT("Only topic configs can be altered");
		}
		else
		{
			TopicConfigEntry *entries = KArenaArray(&conn->arena, Max(res->Configs.count, 1),
													sizeof(TopicConfigEntry));

			for (int32 c = 0; c < res->Configs.count; c++)
			{
				entries[c].name = res->Configs.items[c].Name.ptr;
				entries[c].name_len = (size_t) Max(res->Configs.items[c].Name.len, 0);
				entries[c].value = res->Configs.items[c].Value.ptr;
				entries[c].value_len = (size_t) Max(res->Configs.items[c].Value.len, 0);
			}
			alter_topic(conn, res->ResourceName, entries, Max(res->Configs.count, 0), false,
						req->ValidateOnly, &out->ErrorCode, &out->ErrorMessage);
		}
	}
	return true;
}

bool
KafkaHandleIncrementalAlterConfigs(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const IncrementalAlterConfigsRequest *req = reqp;
	IncrementalAlterConfigsResponse *resp = respp;

	resp->Responses.count = req->Resources.count;
	resp->Responses.items = KArenaArray(&conn->arena, req->Resources.count,
										sizeof(IncrementalAlterConfigsResourceResponse));
	for (int32 i = 0; i < req->Resources.count; i++)
	{
		const IncrementalAlterConfigsResource *res = &req->Resources.items[i];
		IncrementalAlterConfigsResourceResponse *out = &resp->Responses.items[i];
		TopicConfigEntry *entries;
		bool		bad_op = false;

		out->ResourceType = res->ResourceType;
		out->ResourceName = res->ResourceName;
		out->ErrorMessage = KSTR_NULL;
		if ((out->ErrorCode = config_access(res->ResourceType, res->ResourceName,
											ACL_OP_ALTER_CONFIGS)) != KAFKA_ERR_NONE)
			continue;
		if (res->ResourceType == RESOURCE_BROKER)
		{
			int32		n = Max(res->Configs.count, 0);
			char	  **names = KArenaArray(&conn->arena, Max(n, 1), sizeof(char *));
			char	  **values = KArenaArray(&conn->arena, Max(n, 1), sizeof(char *));

			for (int32 c = 0; c < n; c++)
			{
				const IncrementalAlterableConfig *ic = &res->Configs.items[c];

				names[c] = pnstrdup_kstr(ic->Name);
				values[c] = ic->ConfigOperation == OP_SET ? pnstrdup_kstr(ic->Value) : NULL;
				if (ic->ConfigOperation != OP_SET && ic->ConfigOperation != OP_DELETE)
					bad_op = true;
			}
			if (bad_op)
			{
				out->ErrorCode = KAFKA_ERR_INVALID_CONFIG;
				out->ErrorMessage = KSTR_LIT("APPEND and SUBTRACT apply only to list-valued configs, and no broker setting is one");
				continue;
			}
			alter_broker(conn, res->ResourceName, names, values, n, false, req->ValidateOnly,
						 &out->ErrorCode, &out->ErrorMessage);
			continue;
		}
		if (res->ResourceType != RESOURCE_TOPIC)
		{
			out->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			out->ErrorMessage = KSTR_LIT("Only topic configs can be altered");
			continue;
		}
		entries = KArenaArray(&conn->arena, Max(res->Configs.count, 1), sizeof(TopicConfigEntry));
		for (int32 c = 0; c < res->Configs.count; c++)
		{
			const IncrementalAlterableConfig *ic = &res->Configs.items[c];

			entries[c].name = ic->Name.ptr;
			entries[c].name_len = (size_t) Max(ic->Name.len, 0);
			if (ic->ConfigOperation == OP_SET)
			{
				entries[c].value = ic->Value.ptr ? ic->Value.ptr : "";
				entries[c].value_len = (size_t) Max(ic->Value.len, 0);
			}
			else if (ic->ConfigOperation == OP_DELETE)
			{
				entries[c].value = NULL;
				entries[c].value_len = 0;
			}
			else
				bad_op = true;	/* APPEND/SUBTRACT: not supported */
		}
		if (bad_op)
		{
			out->ErrorCode = KAFKA_ERR_INVALID_CONFIG;
			out->ErrorMessage = KSTR_LIT("APPEND and SUBTRACT are not supported for topic configs; SET the whole list instead");
			continue;
		}
		alter_topic(conn, res->ResourceName, entries, Max(res->Configs.count, 0), true,
					req->ValidateOnly, &out->ErrorCode, &out->ErrorMessage);
	}
	return true;
}
