/*-------------------------------------------------------------------------
 *
 * api_metadata.c
 *	  ApiVersions, Metadata and DescribeCluster: what the broker speaks and
 *	  what it holds.
 *
 *	  Until the cluster work lands, a broker describes itself as the only
 *	  broker, the controller (librdkafka and kafkajs send admin requests to
 *	  the controller) and the leader of every partition it holds.
 *	  Replication is not Kafka's here: data is durable in the WAL and then
 *	  in object storage, so every partition reports one replica, in sync.
 *
 * src/backend/kafka/api_metadata.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/handlers.h"
#include "kafka/partition.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "utils/guc.h"

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

static void
describe_self(KArena *arena, int32 *id, KStr *host, int32 *port)
{
	char		h[256];

	KafkaAdvertisedAddress(h, sizeof(h), port);
	*host = KStrArena(arena, h);
	*id = (int32) broker_id;
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
		mp->LeaderId = p->leader_id >= 0 ? p->leader_id : (int32) broker_id;
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

	resp->Brokers.count = 1;
	resp->Brokers.items = KArenaArray(arena, 1, sizeof(MetadataResponseBroker));
	describe_self(arena, &resp->Brokers.items[0].NodeId, &resp->Brokers.items[0].Host,
				  &resp->Brokers.items[0].Port);
	resp->Brokers.items[0].Rack = KSTR_NULL;
	resp->ClusterId = cluster_id(arena);
	resp->ControllerId = (int32) broker_id;

	/* v0: an empty list means all topics; v1+: null means all. */
	all = (h->api_version == 0 && req->Topics.count == 0) || req->Topics.count < 0;
	may_create = auto_create_topics && (h->api_version < 4 || req->AllowAutoTopicCreation);

	if (all)
	{
		int			n = 0;

		resp->Topics.items = KArenaArray(arena, TopicCapacity(), sizeof(MetadataResponseTopic));
		RegistryLock();
		for (int t = 0; t < TopicCapacity(); t++)
			if (TopicGet(t)->state == TOPIC_LIVE)
			{
				resp->Topics.items[n].TopicAuthorizedOperations = INT32_MIN;
				fill_topic(&b, &resp->Topics.items[n++], t);
			}
		RegistryUnlock();
		KafkaLockedBuildEnd(&b);
		resp->Topics.count = n;
		return true;
	}

	resp->Topics.count = req->Topics.count;
	resp->Topics.items = KArenaArray(arena, req->Topics.count, sizeof(MetadataResponseTopic));
	for (int32 i = 0; i < req->Topics.count; i++)
	{
		const MetadataRequestTopic *rt = &req->Topics.items[i];
		MetadataResponseTopic *out = &resp->Topics.items[i];
		char	   *msg;
		int			t;

		out->Name = rt->Name;
		out->TopicId = rt->TopicId;
		out->Partitions.count = 0;
		out->TopicAuthorizedOperations = INT32_MIN;	/* not computed: no ACLs yet */
		if (rt->Name.len < 0)
		{
			/* v10+: by topic id */
			RegistryLock();
			t = TopicLookupById(rt->TopicId.b);
			if (t >= 0)
				fill_topic(&b, out, t);
			RegistryUnlock();
			KafkaLockedBuildEnd(&b);
			if (t < 0)
				out->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_ID;
			continue;
		}
		if (!TopicNameValid(rt->Name.ptr, (size_t) rt->Name.len, &msg))
		{
			out->ErrorCode = KAFKA_ERR_INVALID_TOPIC_EXCEPTION;
			continue;
		}
		RegistryLock();
		t = TopicLookupByName(rt->Name.ptr, (size_t) rt->Name.len);
		if (t >= 0)
			fill_topic(&b, out, t);
		RegistryUnlock();
		KafkaLockedBuildEnd(&b);
		if (t >= 0)
			continue;
		if (!may_create)
		{
			out->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			continue;
		}
		{
			PGconn	   *pg = BackendCatalogConnection(&msg);
			uint8		id[16];
			TopicResult r = pg ? TopicCreate(pg, rt->Name.ptr, (size_t) rt->Name.len, -1, -1,
											 NULL, 0, false, id, &msg)
				: TOPIC_CATALOG_ERROR;

			if (r != TOPIC_OK && r != TOPIC_EXISTS)
			{
				out->ErrorCode = r == TOPIC_CATALOG_ERROR ? KAFKA_ERR_LEADER_NOT_AVAILABLE
					: KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
				continue;
			}
			RegistryLock();
			t = TopicLookupByName(rt->Name.ptr, (size_t) rt->Name.len);
			if (t >= 0)
				fill_topic(&b, out, t);
			RegistryUnlock();
			KafkaLockedBuildEnd(&b);
			if (t < 0)
				out->ErrorCode = KAFKA_ERR_LEADER_NOT_AVAILABLE;
		}
	}
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
	resp->ControllerId = (int32) broker_id;
	resp->Brokers.count = 1;
	resp->Brokers.items = KArenaArray(&conn->arena, 1, sizeof(DescribeClusterBroker));
	describe_self(&conn->arena, &resp->Brokers.items[0].BrokerId, &resp->Brokers.items[0].Host,
				  &resp->Brokers.items[0].Port);
	resp->Brokers.items[0].Rack = KSTR_NULL;
	return true;
}
