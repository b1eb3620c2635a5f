/*-------------------------------------------------------------------------
 *
 * api_metadata.c
 *	  ApiVersions, Metadata and DescribeCluster: what the broker speaks and
 *	  what it holds.
 *
 *	  Brokers are the cluster's live brokers as the catalog worker last
 *	  loaded them (kafka/cluster.h), each with the advertised listener of the
 *	  kind the client connected through, and its rack; before the view is
 *	  loaded (the first moments after a start) this broker alone.  The
 *	  controller is the broker holding the controller role, or, while none
 *	  is known, the broker answering (every broker serves admin requests).
 *	  Replication is not Kafka's here: data is durable in the WAL and then
 *	  in object storage, so every partition reports one replica, its
 *	  leader, in sync.
 *
 *	  Authorisation (kafka/authorizer.h), as Kafka: a request for all
 *	  topics lists only those the principal may DESCRIBE; a topic named in
 *	  the request that it may not describe gets TOPIC_AUTHORIZATION_FAILED,
 *	  whether or not it exists; auto-creation needs CREATE on the cluster
 *	  or on the topic.
 *
 * src/backend/kafka/api_metadata.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/authorizer.h"
#include "kafka/backend.h"
#include "kafka/cluster.h"
#include "kafka/handlers.h"
#include "kafka/partition.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/listeners.h"

/*
 * ApiVersions of a version the table serves (the backend answers other
 * versions itself, see dispatch.c): the table's keys and versions.
 */
bool
KafkaHandleApiVersions(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaApiVersionsAnswer(h->api_version, reqp, respp);
	return true;
}

/*
 * The live brokers (this one always among them), for the listener the
 * client connected through; returns how many, entries in *out (arena).
 */
static int
describe_brokers(KArena *arena, KafkaEndpoint **out)
{
	ClusterBroker *cb = palloc(sizeof(ClusterBroker) * CLUSTER_MAX_BROKERS);
	int			nb = ClusterGetBrokers(cb, CLUSTER_MAX_BROKERS);
	KafkaEndpoint *e = KArenaArray(arena, nb + 1, sizeof(KafkaEndpoint));
	int			n = 0;
	bool		self_listed = false;

	for (int i = 0; i < nb; i++)
	{
		char		host[256];
		int32		port;

		if (!cb[i].live && cb[i].id != (int32) broker_id)
			continue;
		if (cb[i].id == (int32) broker_id)
		{
			/* Our own address from our settings: the view may be older. */
			KafkaAdvertisedAddress(host, sizeof(host), &port);
			self_listed = true;
		}
		else if (!ClusterAddressIn(cb[i].advertised, MyListenerName, host, sizeof(host), &port))
			continue;
		e[n].id = cb[i].id;
		e[n].host = KStrArena(arena, host);
		e[n].port = port;
		e[n].rack = cb[i].rack[0] ? KStrArena(arena, cb[i].rack) : KSTR_NULL;
		n++;
	}
	if (!self_listed)
	{
		char		host[256];

		KafkaAdvertisedAddress(host, sizeof(host), &e[n].port);
		e[n].id = (int32) broker_id;
		e[n].host = KStrArena(arena, host);
		e[n].rack = broker_rack[0] ? KStrArena(arena, broker_rack) : KSTR_NULL;
		n++;
	}
	pfree(cb);
	*out = e;
	return n;
}

int
KafkaEndpointsOf(KArena *arena, const int32 *ids, int n, KafkaEndpoint **out)
{
	KafkaEndpoint *all;
	int			nall = describe_brokers(arena, &all);
	KafkaEndpoint *e = KArenaArray(arena, Max(n, 1), sizeof(KafkaEndpoint));
	int			k = 0;

	for (int i = 0; i < n; i++)
	{
		bool		dup = false;

		for (int j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		for (int j = 0; !dup && j < nall; j++)
			if (all[j].id == ids[i])
			{
				e[k++] = all[j];
				break;
			}
	}
	*out = e;
	return k;
}

static int32
controller_id(void)
{
	int32		id = ClusterControllerId();

	return id >= 0 ? id : (int32) broker_id;
}

static KStr
cluster_id(KArena *arena)
{
	char		buf[64];

	RegistryGetClusterId(buf, sizeof(buf));
	return buf[0] ? KStrArena(arena, buf) : KSTR_NULL;
}

/*
 * Fill one topic's entry from the registry.  The caller holds RegistryLock,
 * so allocations go through b (see KafkaLockedBuild).
 */
static void
fill_topic(KafkaLockedBuild *b, MetadataResponseTopic *out, int t)
{
	StrataTopic *topic = TopicGet(t);
	int32		n = 0;

	out->ErrorCode = KAFKA_ERR_NONE;
	out->Name = LockedStr(b, topic->name);
	memcpy(out->TopicId.b, topic->id, 16);
	out->IsInternal = false;
	out->Partitions.items = LockedArray(b, topic->num_partitions, sizeof(MetadataResponsePartition));
	for (int32 i = 0; i < topic->num_partitions && out->Partitions.items != NULL; i++)
	{
		int			pi = PartitionLookup(t, i);
		StrataPartition *p;
		MetadataResponsePartition *mp;

		if (pi < 0)
			continue;
		p = PartitionGet(pi);
		mp = &out->Partitions.items[n++];
		mp->ErrorCode = KAFKA_ERR_NONE;
		mp->PartitionIndex = i;
		mp->LeaderId = p->leader_id;
		if (p->leader_id < 0)
			mp->ErrorCode = KAFKA_ERR_LEADER_NOT_AVAILABLE;
		mp->LeaderEpoch = p->leader_epoch;
		/* One replica, in sync: the leader itself (mp->LeaderId). */
		mp->ReplicaNodes.count = 1;
		mp->ReplicaNodes.items = &mp->LeaderId;
		mp->IsrNodes.count = 1;
		mp->IsrNodes.items = &mp->LeaderId;
		mp->OfflineReplicas.count = 0;
	}
	out->Partitions.count = n;
}

/* TopicAuthorizedOperations of a filled entry, when the client asked. */
static void
topic_operations(const MetadataRequest *req, MetadataResponseTopic *out)
{
	out->TopicAuthorizedOperations = req->IncludeTopicAuthorizedOperations && out->Name.len >= 0
		? KafkaAuthorizedOperations(ACL_RESOURCE_TOPIC, out->Name.ptr, out->Name.len) : INT32_MIN;
}

/*
 * Fill out from the registry's topic of that id (name NULL) or name.
 * Returns whether the topic exists.
 */
static bool
fill_topic_by(KafkaLockedBuild *b, MetadataResponseTopic *out, const uint8 *id, KStr name)
{
	int			t;

	RegistryLock();
	t = id ? TopicLookupById(id) : TopicLookupByName(name.ptr, (size_t) name.len);
	if (t >= 0)
		fill_topic(b, out, t);
	RegistryUnlock();
	KafkaLockedBuildEnd(b);
	return t >= 0;
}

/*
 * One topic the client named (v10+: or gave the id of), created first when
 * auto-creation is allowed and the principal may create it.
 */
static void
describe_requested_topic(KafkaConn *conn, KafkaLockedBuild *b, const MetadataRequest *req,
						 const MetadataRequestTopic *rt, MetadataResponseTopic *out, bool may_create)
{
	char	   *msg;

	out->Name = rt->Name;
	out->TopicId = rt->TopicId;
	out->Partitions.count = 0;
	out->TopicAuthorizedOperations = INT32_MIN;
	if (rt->Name.len < 0)
	{
		if (!fill_topic_by(b, out, rt->TopicId.b, KSTR_NULL))
			out->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_ID;
		else if (!KafkaAuthorizeTopic(out->Name, ACL_OP_DESCRIBE))
		{
			out->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			out->Name = KSTR_NULL;
			out->Partitions.count = 0;
		}
		else
			topic_operations(req, out);
		return;
	}
	if (!KafkaAuthorizeTopic(rt->Name, ACL_OP_DESCRIBE))
	{
		out->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
		return;
	}
	if (!TopicNameValid(rt->Name.ptr, (size_t) rt->Name.len, &msg))
	{
		out->ErrorCode = KAFKA_ERR_INVALID_TOPIC_EXCEPTION;
		return;
	}
	if (!fill_topic_by(b, out, NULL, rt->Name))
	{
		PGconn	   *pg;
		uint8		id[16];
		TopicResult r;

		if (!may_create)
		{
			out->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			return;
		}
		if (!KafkaAuthorizeCluster(ACL_OP_CREATE) && !KafkaAuthorizeTopic(rt->Name, ACL_OP_CREATE))
		{
			out->ErrorCode = KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED;
			return;
		}
		pg = BackendCatalogConnection(&msg);
		r = pg ? TopicCreate(pg, rt->Name.ptr, (size_t) rt->Name.len, -1, -1,
							 NULL, 0, NULL, 0, false, id, &msg)
			: TOPIC_CATALOG_ERROR;
		if (r != TOPIC_OK && r != TOPIC_EXISTS)
		{
			out->ErrorCode = r == TOPIC_CATALOG_ERROR ? KAFKA_ERR_LEADER_NOT_AVAILABLE
				: KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			return;
		}
		if (!fill_topic_by(b, out, NULL, rt->Name))
		{
			out->ErrorCode = KAFKA_ERR_LEADER_NOT_AVAILABLE;
			return;
		}
	}
	topic_operations(req, out);
}

bool
KafkaHandleMetadata(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const MetadataRequest *req = reqp;
	MetadataResponse *resp = respp;
	KArena	   *arena = &conn->arena;
	KafkaLockedBuild b = KAFKA_LOCKED_BUILD(conn);
	bool		all;
	bool		may_create;

	{
		KafkaEndpoint *e;
		int			n = describe_brokers(arena, &e);

		resp->Brokers.count = n;
		resp->Brokers.items = KArenaArray(arena, n, sizeof(MetadataResponseBroker));
		KAFKA_COPY_ENDPOINTS(resp->Brokers.items, NodeId, e, n);
	}
	resp->ClusterId = cluster_id(arena);
	resp->ControllerId = controller_id();
	if (req->IncludeClusterAuthorizedOperations)
		resp->ClusterAuthorizedOperations = KafkaAuthorizeCluster(ACL_OP_DESCRIBE)
			? KafkaAuthorizedOperations(ACL_RESOURCE_CLUSTER, ACL_CLUSTER_NAME, (int32) strlen(ACL_CLUSTER_NAME)) : 0;

	/* v0: an empty list means all topics; v1+: null means all. */
	all = (h->api_version == 0 && req->Topics.count == 0) || req->Topics.count < 0;
	may_create = auto_create_topics && (h->api_version < 4 || req->AllowAutoTopicCreation);

	if (all)
	{
		int			n = 0;

		resp->Topics.items = KArenaArray(arena, TopicCapacity(), sizeof(MetadataResponseTopic));
		RegistryLock();
		for (int t = 0; t < TopicCapacity(); t++)
		{
			StrataTopic *topic = TopicGet(t);

			/* Topics the principal may not describe are left out, silently. */
			if (topic->state == TOPIC_LIVE &&
				KafkaAuthorizeQuiet(ACL_RESOURCE_TOPIC, topic->name, topic->name_len, ACL_OP_DESCRIBE))
				fill_topic(&b, &resp->Topics.items[n++], t);
		}
		RegistryUnlock();
		KafkaLockedBuildEnd(&b);
		resp->Topics.count = n;
		for (int i = 0; i < n; i++)
			topic_operations(req, &resp->Topics.items[i]);
		return true;
	}

	resp->Topics.count = req->Topics.count;
	resp->Topics.items = KArenaArray(arena, req->Topics.count, sizeof(MetadataResponseTopic));
	for (int32 i = 0; i < req->Topics.count; i++)
		describe_requested_topic(conn, &b, req, &req->Topics.items[i], &resp->Topics.items[i], may_create);
	return true;
}

bool
KafkaHandleDescribeCluster(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DescribeClusterRequest *req = reqp;
	DescribeClusterResponse *resp = respp;

	/* EndpointType 1 is brokers; 2 (controllers) is for KRaft controllers. */
	if (h->api_version >= 1 && req->EndpointType != 1)
	{
		resp->ErrorCode = KAFKA_ERR_UNSUPPORTED_ENDPOINT_TYPE;
		resp->ErrorMessage = KSTR_LIT("Only broker endpoints (EndpointType 1) are described");
		resp->ClusterId = KSTR_LIT("");
		return true;
	}
	resp->EndpointType = 1;
	resp->ClusterId = cluster_id(&conn->arena);
	if (resp->ClusterId.len < 0)
		resp->ClusterId = KSTR_LIT("");
	resp->ControllerId = controller_id();
	{
		KafkaEndpoint *e;
		int			n = describe_brokers(&conn->arena, &e);

		resp->Brokers.count = n;
		resp->Brokers.items = KArenaArray(&conn->arena, n, sizeof(DescribeClusterBroker));
		KAFKA_COPY_ENDPOINTS(resp->Brokers.items, BrokerId, e, n);
	}
	/* No authorisation needed, as in Kafka; the operations only if asked. */
	if (req->IncludeClusterAuthorizedOperations)
		resp->ClusterAuthorizedOperations = KafkaAuthorizeCluster(ACL_OP_DESCRIBE)
			? KafkaAuthorizedOperations(ACL_RESOURCE_CLUSTER, ACL_CLUSTER_NAME, (int32) strlen(ACL_CLUSTER_NAME)) : 0;
	return true;
}
