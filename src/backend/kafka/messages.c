/*-------------------------------------------------------------------------
 *
 * messages.c
 *	  Schemas of the Kafka messages declared in include/kafka/messages.h.
 *
 *	  One row per wire field, in wire order:
 *	  KFIELD(struct, field, type, first version, last version (KV_MAX: no
 *	  limit), first nullable version (KV_NONE: never), tag (-1: not tagged),
 *	  nested schema, default); KFIELD_ARRAY is the same for arrays, whose
 *	  default is always empty.  Facts (names, types, versions, tags,
 *	  defaults) are those of Apache Kafka 3.9's message definitions.
 *	  Nested schemas come before the schema that refers to them.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/messages.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/messages.h"

static const KField ApiVersionsRequest_fields[] = {
	KFIELD(ApiVersionsRequest, ClientSoftwareName, KT_STRING, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ApiVersionsRequest, ClientSoftwareVersion, KT_STRING, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema ApiVersionsRequest_schema = KSCHEMA(ApiVersionsRequest);

static const KField ApiVersion_fields[] = {
	KFIELD(ApiVersion, ApiKey, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ApiVersion, MinVersion, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ApiVersion, MaxVersion, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema ApiVersion_schema = KSCHEMA(ApiVersion);

static const KField SupportedFeatureKey_fields[] = {
	KFIELD(SupportedFeatureKey, Name, KT_STRING, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SupportedFeatureKey, MinVersion, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SupportedFeatureKey, MaxVersion, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema SupportedFeatureKey_schema = KSCHEMA(SupportedFeatureKey);

static const KField FinalizedFeatureKey_fields[] = {
	KFIELD(FinalizedFeatureKey, Name, KT_STRING, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FinalizedFeatureKey, MaxVersionLevel, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FinalizedFeatureKey, MinVersionLevel, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema FinalizedFeatureKey_schema = KSCHEMA(FinalizedFeatureKey);

static const KField ApiVersionsResponse_fields[] = {
	KFIELD(ApiVersionsResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ApiVersionsResponse, ApiKeys, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ApiVersion_schema),
	KFIELD(ApiVersionsResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ApiVersionsResponse, SupportedFeatures, KT_STRUCT, 3, KV_MAX, KV_NONE, 0, &SupportedFeatureKey_schema),
	KFIELD(ApiVersionsResponse, FinalizedFeaturesEpoch, KT_INT64, 3, KV_MAX, KV_NONE, 1, NULL, -1),
	KFIELD_ARRAY(ApiVersionsResponse, FinalizedFeatures, KT_STRUCT, 3, KV_MAX, KV_NONE, 2, &FinalizedFeatureKey_schema),
	KFIELD(ApiVersionsResponse, ZkMigrationReady, KT_BOOL, 3, KV_MAX, KV_NONE, 3, NULL, 0),
};
const KSchema ApiVersionsResponse_schema = KSCHEMA(ApiVersionsResponse);

static const KField MetadataRequestTopic_fields[] = {
	KFIELD(MetadataRequestTopic, TopicId, KT_UUID, 10, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataRequestTopic, Name, KT_STRING, 0, KV_MAX, 10, -1, NULL, 0),
};
const KSchema MetadataRequestTopic_schema = KSCHEMA(MetadataRequestTopic);

static const KField MetadataRequest_fields[] = {
	KFIELD_ARRAY(MetadataRequest, Topics, KT_STRUCT, 0, KV_MAX, 1, -1, &MetadataRequestTopic_schema),
	KFIELD(MetadataRequest, AllowAutoTopicCreation, KT_BOOL, 4, KV_MAX, KV_NONE, -1, NULL, 1),
	KFIELD(MetadataRequest, IncludeClusterAuthorizedOperations, KT_BOOL, 8, 10, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataRequest, IncludeTopicAuthorizedOperations, KT_BOOL, 8, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema MetadataRequest_schema = KSCHEMA(MetadataRequest);

static const KField MetadataResponseBroker_fields[] = {
	KFIELD(MetadataResponseBroker, NodeId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponseBroker, Host, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponseBroker, Port, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponseBroker, Rack, KT_STRING, 1, KV_MAX, 1, -1, NULL, KDEF_NULL),
};
const KSchema MetadataResponseBroker_schema = KSCHEMA(MetadataResponseBroker);

static const KField MetadataResponsePartition_fields[] = {
	KFIELD(MetadataResponsePartition, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponsePartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponsePartition, LeaderId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponsePartition, LeaderEpoch, KT_INT32, 7, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(MetadataResponsePartition, ReplicaNodes, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
	KFIELD_ARRAY(MetadataResponsePartition, IsrNodes, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
	KFIELD_ARRAY(MetadataResponsePartition, OfflineReplicas, KT_INT32, 5, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema MetadataResponsePartition_schema = KSCHEMA(MetadataResponsePartition);

static const KField MetadataResponseTopic_fields[] = {
	KFIELD(MetadataResponseTopic, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponseTopic, Name, KT_STRING, 0, KV_MAX, 12, -1, NULL, 0),
	KFIELD(MetadataResponseTopic, TopicId, KT_UUID, 10, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MetadataResponseTopic, IsInternal, KT_BOOL, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(MetadataResponseTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &MetadataResponsePartition_schema),
	KFIELD(MetadataResponseTopic, TopicAuthorizedOperations, KT_INT32, 8, KV_MAX, KV_NONE, -1, NULL, -2147483648),
};
const KSchema MetadataResponseTopic_schema = KSCHEMA(MetadataResponseTopic);

static const KField MetadataResponse_fields[] = {
	KFIELD(MetadataResponse, ThrottleTimeMs, KT_INT32, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(MetadataResponse, Brokers, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &MetadataResponseBroker_schema),
	KFIELD(MetadataResponse, ClusterId, KT_STRING, 2, KV_MAX, 2, -1, NULL, KDEF_NULL),
	KFIELD(MetadataResponse, ControllerId, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(MetadataResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &MetadataResponseTopic_schema),
	KFIELD(MetadataResponse, ClusterAuthorizedOperations, KT_INT32, 8, 10, KV_NONE, -1, NULL, -2147483648),
};
const KSchema MetadataResponse_schema = KSCHEMA(MetadataResponse);

static const KField CreatableReplicaAssignment_fields[] = {
	KFIELD(CreatableReplicaAssignment, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(CreatableReplicaAssignment, BrokerIds, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema CreatableReplicaAssignment_schema = KSCHEMA(CreatableReplicaAssignment);

static const KField CreatableTopicConfig_fields[] = {
	KFIELD(CreatableTopicConfig, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopicConfig, Value, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
};
const KSchema CreatableTopicConfig_schema = KSCHEMA(CreatableTopicConfig);

static const KField CreatableTopic_fields[] = {
	KFIELD(CreatableTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopic, NumPartitions, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopic, ReplicationFactor, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(CreatableTopic, Assignments, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CreatableReplicaAssignment_schema),
	KFIELD_ARRAY(CreatableTopic, Configs, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CreatableTopicConfig_schema),
};
const KSchema CreatableTopic_schema = KSCHEMA(CreatableTopic);

static const KField CreateTopicsRequest_fields[] = {
	KFIELD_ARRAY(CreateTopicsRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CreatableTopic_schema),
	KFIELD(CreateTopicsRequest, timeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 60000),
	KFIELD(CreateTopicsRequest, validateOnly, KT_BOOL, 1, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema CreateTopicsRequest_schema = KSCHEMA(CreateTopicsRequest);

static const KField CreatableTopicConfigs_fields[] = {
	KFIELD(CreatableTopicConfigs, Name, KT_STRING, 5, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopicConfigs, Value, KT_STRING, 5, KV_MAX, 5, -1, NULL, 0),
	KFIELD(CreatableTopicConfigs, ReadOnly, KT_BOOL, 5, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopicConfigs, ConfigSource, KT_INT8, 5, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(CreatableTopicConfigs, IsSensitive, KT_BOOL, 5, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema CreatableTopicConfigs_schema = KSCHEMA(CreatableTopicConfigs);

static const KField CreatableTopicResult_fields[] = {
	KFIELD(CreatableTopicResult, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopicResult, TopicId, KT_UUID, 7, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopicResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatableTopicResult, ErrorMessage, KT_STRING, 1, KV_MAX, 0, -1, NULL, 0),
	KFIELD(CreatableTopicResult, TopicConfigErrorCode, KT_INT16, 5, KV_MAX, KV_NONE, 0, NULL, 0),
	KFIELD(CreatableTopicResult, NumPartitions, KT_INT32, 5, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(CreatableTopicResult, ReplicationFactor, KT_INT16, 5, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(CreatableTopicResult, Configs, KT_STRUCT, 5, KV_MAX, 5, -1, &CreatableTopicConfigs_schema),
};
const KSchema CreatableTopicResult_schema = KSCHEMA(CreatableTopicResult);

static const KField CreateTopicsResponse_fields[] = {
	KFIELD(CreateTopicsResponse, ThrottleTimeMs, KT_INT32, 2, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(CreateTopicsResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CreatableTopicResult_schema),
};
const KSchema CreateTopicsResponse_schema = KSCHEMA(CreateTopicsResponse);

static const KField DeleteTopicState_fields[] = {
	KFIELD(DeleteTopicState, Name, KT_STRING, 6, KV_MAX, 6, -1, NULL, KDEF_NULL),
	KFIELD(DeleteTopicState, TopicId, KT_UUID, 6, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteTopicState_schema = KSCHEMA(DeleteTopicState);

static const KField DeleteTopicsRequest_fields[] = {
	KFIELD_ARRAY(DeleteTopicsRequest, Topics, KT_STRUCT, 6, KV_MAX, KV_NONE, -1, &DeleteTopicState_schema),
	KFIELD_ARRAY(DeleteTopicsRequest, TopicNames, KT_STRING, 0, 5, KV_NONE, -1, NULL),
	KFIELD(DeleteTopicsRequest, TimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteTopicsRequest_schema = KSCHEMA(DeleteTopicsRequest);

static const KField DeletableTopicResult_fields[] = {
	KFIELD(DeletableTopicResult, Name, KT_STRING, 0, KV_MAX, 6, -1, NULL, 0),
	KFIELD(DeletableTopicResult, TopicId, KT_UUID, 6, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeletableTopicResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeletableTopicResult, ErrorMessage, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
};
const KSchema DeletableTopicResult_schema = KSCHEMA(DeletableTopicResult);

static const KField DeleteTopicsResponse_fields[] = {
	KFIELD(DeleteTopicsResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DeleteTopicsResponse, Responses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeletableTopicResult_schema),
};
const KSchema DeleteTopicsResponse_schema = KSCHEMA(DeleteTopicsResponse);

static const KField CreatePartitionsAssignment_fields[] = {
	KFIELD_ARRAY(CreatePartitionsAssignment, BrokerIds, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema CreatePartitionsAssignment_schema = KSCHEMA(CreatePartitionsAssignment);

static const KField CreatePartitionsTopic_fields[] = {
	KFIELD(CreatePartitionsTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatePartitionsTopic, Count, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(CreatePartitionsTopic, Assignments, KT_STRUCT, 0, KV_MAX, 0, -1, &CreatePartitionsAssignment_schema),
};
const KSchema CreatePartitionsTopic_schema = KSCHEMA(CreatePartitionsTopic);

static const KField CreatePartitionsRequest_fields[] = {
	KFIELD_ARRAY(CreatePartitionsRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CreatePartitionsTopic_schema),
	KFIELD(CreatePartitionsRequest, TimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatePartitionsRequest, ValidateOnly, KT_BOOL, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema CreatePartitionsRequest_schema = KSCHEMA(CreatePartitionsRequest);

static const KField CreatePartitionsTopicResult_fields[] = {
	KFIELD(CreatePartitionsTopicResult, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatePartitionsTopicResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CreatePartitionsTopicResult, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
};
const KSchema CreatePartitionsTopicResult_schema = KSCHEMA(CreatePartitionsTopicResult);

static const KField CreatePartitionsResponse_fields[] = {
	KFIELD(CreatePartitionsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(CreatePartitionsResponse, Results, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CreatePartitionsTopicResult_schema),
};
const KSchema CreatePartitionsResponse_schema = KSCHEMA(CreatePartitionsResponse);

static const KField PartitionProduceData_fields[] = {
	KFIELD(PartitionProduceData, Index, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionProduceData, Records, KT_RECORDS, 0, KV_MAX, 0, -1, NULL, 0),
};
const KSchema PartitionProduceData_schema = KSCHEMA(PartitionProduceData);

static const KField TopicProduceData_fields[] = {
	KFIELD(TopicProduceData, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(TopicProduceData, PartitionData, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &PartitionProduceData_schema),
};
const KSchema TopicProduceData_schema = KSCHEMA(TopicProduceData);

static const KField ProduceRequest_fields[] = {
	KFIELD(ProduceRequest, TransactionalId, KT_STRING, 3, KV_MAX, 3, -1, NULL, KDEF_NULL),
	KFIELD(ProduceRequest, Acks, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ProduceRequest, TimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ProduceRequest, TopicData, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &TopicProduceData_schema),
};
const KSchema ProduceRequest_schema = KSCHEMA(ProduceRequest);

static const KField BatchIndexAndErrorMessage_fields[] = {
	KFIELD(BatchIndexAndErrorMessage, BatchIndex, KT_INT32, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(BatchIndexAndErrorMessage, BatchIndexErrorMessage, KT_STRING, 8, KV_MAX, 8, -1, NULL, KDEF_NULL),
};
const KSchema BatchIndexAndErrorMessage_schema = KSCHEMA(BatchIndexAndErrorMessage);

static const KField ProduceLeaderIdAndEpoch_fields[] = {
	KFIELD(ProduceLeaderIdAndEpoch, LeaderId, KT_INT32, 10, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(ProduceLeaderIdAndEpoch, LeaderEpoch, KT_INT32, 10, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema ProduceLeaderIdAndEpoch_schema = KSCHEMA(ProduceLeaderIdAndEpoch);

static const KField PartitionProduceResponse_fields[] = {
	KFIELD(PartitionProduceResponse, Index, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionProduceResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionProduceResponse, BaseOffset, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionProduceResponse, LogAppendTimeMs, KT_INT64, 2, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(PartitionProduceResponse, LogStartOffset, KT_INT64, 5, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(PartitionProduceResponse, RecordErrors, KT_STRUCT, 8, KV_MAX, KV_NONE, -1, &BatchIndexAndErrorMessage_schema),
	KFIELD(PartitionProduceResponse, ErrorMessage, KT_STRING, 8, KV_MAX, 8, -1, NULL, KDEF_NULL),
	KFIELD(PartitionProduceResponse, CurrentLeader, KT_STRUCT, 10, KV_MAX, KV_NONE, 0, &ProduceLeaderIdAndEpoch_schema, 0),
};
const KSchema PartitionProduceResponse_schema = KSCHEMA(PartitionProduceResponse);

static const KField TopicProduceResponse_fields[] = {
	KFIELD(TopicProduceResponse, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(TopicProduceResponse, PartitionResponses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &PartitionProduceResponse_schema),
};
const KSchema TopicProduceResponse_schema = KSCHEMA(TopicProduceResponse);

static const KField ProduceNodeEndpoint_fields[] = {
	KFIELD(ProduceNodeEndpoint, NodeId, KT_INT32, 10, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ProduceNodeEndpoint, Host, KT_STRING, 10, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ProduceNodeEndpoint, Port, KT_INT32, 10, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ProduceNodeEndpoint, Rack, KT_STRING, 10, KV_MAX, 10, -1, NULL, KDEF_NULL),
};
const KSchema ProduceNodeEndpoint_schema = KSCHEMA(ProduceNodeEndpoint);

static const KField ProduceResponse_fields[] = {
	KFIELD_ARRAY(ProduceResponse, Responses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &TopicProduceResponse_schema),
	KFIELD(ProduceResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ProduceResponse, NodeEndpoints, KT_STRUCT, 10, KV_MAX, KV_NONE, 0, &ProduceNodeEndpoint_schema),
};
const KSchema ProduceResponse_schema = KSCHEMA(ProduceResponse);

static const KField FetchReplicaState_fields[] = {
	KFIELD(FetchReplicaState, ReplicaId, KT_INT32, 15, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchReplicaState, ReplicaEpoch, KT_INT64, 15, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema FetchReplicaState_schema = KSCHEMA(FetchReplicaState);

static const KField FetchPartition_fields[] = {
	KFIELD(FetchPartition, Partition, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchPartition, CurrentLeaderEpoch, KT_INT32, 9, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchPartition, FetchOffset, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchPartition, LastFetchedEpoch, KT_INT32, 12, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchPartition, LogStartOffset, KT_INT64, 5, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchPartition, PartitionMaxBytes, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchPartition, ReplicaDirectoryId, KT_UUID, 17, KV_MAX, KV_NONE, 0, NULL, 0),
};
const KSchema FetchPartition_schema = KSCHEMA(FetchPartition);

static const KField FetchTopic_fields[] = {
	KFIELD(FetchTopic, Topic, KT_STRING, 0, 12, KV_NONE, -1, NULL, 0),
	KFIELD(FetchTopic, TopicId, KT_UUID, 13, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(FetchTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &FetchPartition_schema),
};
const KSchema FetchTopic_schema = KSCHEMA(FetchTopic);

static const KField ForgottenTopic_fields[] = {
	KFIELD(ForgottenTopic, Topic, KT_STRING, 7, 12, KV_NONE, -1, NULL, 0),
	KFIELD(ForgottenTopic, TopicId, KT_UUID, 13, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ForgottenTopic, Partitions, KT_INT32, 7, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema ForgottenTopic_schema = KSCHEMA(ForgottenTopic);

static const KField FetchRequest_fields[] = {
	KFIELD(FetchRequest, ClusterId, KT_STRING, 12, KV_MAX, 12, 0, NULL, KDEF_NULL),
	KFIELD(FetchRequest, ReplicaId, KT_INT32, 0, 14, KV_NONE, -1, NULL, -1),
	KFIELD(FetchRequest, ReplicaState, KT_STRUCT, 15, KV_MAX, KV_NONE, 1, &FetchReplicaState_schema, 0),
	KFIELD(FetchRequest, MaxWaitMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchRequest, MinBytes, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchRequest, MaxBytes, KT_INT32, 3, KV_MAX, KV_NONE, -1, NULL, 0x7fffffff),
	KFIELD(FetchRequest, IsolationLevel, KT_INT8, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchRequest, SessionId, KT_INT32, 7, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchRequest, SessionEpoch, KT_INT32, 7, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(FetchRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &FetchTopic_schema),
	KFIELD_ARRAY(FetchRequest, ForgottenTopicsData, KT_STRUCT, 7, KV_MAX, KV_NONE, -1, &ForgottenTopic_schema),
	KFIELD(FetchRequest, RackId, KT_STRING, 11, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema FetchRequest_schema = KSCHEMA(FetchRequest);

static const KField FetchEpochEndOffset_fields[] = {
	KFIELD(FetchEpochEndOffset, Epoch, KT_INT32, 12, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchEpochEndOffset, EndOffset, KT_INT64, 12, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema FetchEpochEndOffset_schema = KSCHEMA(FetchEpochEndOffset);

static const KField FetchLeaderIdAndEpoch_fields[] = {
	KFIELD(FetchLeaderIdAndEpoch, LeaderId, KT_INT32, 12, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchLeaderIdAndEpoch, LeaderEpoch, KT_INT32, 12, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema FetchLeaderIdAndEpoch_schema = KSCHEMA(FetchLeaderIdAndEpoch);

static const KField FetchSnapshotId_fields[] = {
	KFIELD(FetchSnapshotId, EndOffset, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(FetchSnapshotId, Epoch, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema FetchSnapshotId_schema = KSCHEMA(FetchSnapshotId);

static const KField AbortedTransaction_fields[] = {
	KFIELD(AbortedTransaction, ProducerId, KT_INT64, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AbortedTransaction, FirstOffset, KT_INT64, 4, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema AbortedTransaction_schema = KSCHEMA(AbortedTransaction);

static const KField PartitionData_fields[] = {
	KFIELD(PartitionData, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionData, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionData, HighWatermark, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(PartitionData, LastStableOffset, KT_INT64, 4, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(PartitionData, LogStartOffset, KT_INT64, 5, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(PartitionData, DivergingEpoch, KT_STRUCT, 12, KV_MAX, KV_NONE, 0, &FetchEpochEndOffset_schema, 0),
	KFIELD(PartitionData, CurrentLeader, KT_STRUCT, 12, KV_MAX, KV_NONE, 1, &FetchLeaderIdAndEpoch_schema, 0),
	KFIELD(PartitionData, SnapshotId, KT_STRUCT, 12, KV_MAX, KV_NONE, 2, &FetchSnapshotId_schema, 0),
	KFIELD_ARRAY(PartitionData, AbortedTransactions, KT_STRUCT, 4, KV_MAX, 4, -1, &AbortedTransaction_schema),
	KFIELD(PartitionData, PreferredReadReplica, KT_INT32, 11, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(PartitionData, Records, KT_RECORDS, 0, KV_MAX, 0, -1, NULL, 0),
};
const KSchema PartitionData_schema = KSCHEMA(PartitionData);

static const KField FetchableTopicResponse_fields[] = {
	KFIELD(FetchableTopicResponse, Topic, KT_STRING, 0, 12, KV_NONE, -1, NULL, 0),
	KFIELD(FetchableTopicResponse, TopicId, KT_UUID, 13, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(FetchableTopicResponse, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &PartitionData_schema),
};
const KSchema FetchableTopicResponse_schema = KSCHEMA(FetchableTopicResponse);

static const KField FetchNodeEndpoint_fields[] = {
	KFIELD(FetchNodeEndpoint, NodeId, KT_INT32, 16, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchNodeEndpoint, Host, KT_STRING, 16, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchNodeEndpoint, Port, KT_INT32, 16, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchNodeEndpoint, Rack, KT_STRING, 16, KV_MAX, 16, -1, NULL, KDEF_NULL),
};
const KSchema FetchNodeEndpoint_schema = KSCHEMA(FetchNodeEndpoint);

static const KField FetchResponse_fields[] = {
	KFIELD(FetchResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchResponse, ErrorCode, KT_INT16, 7, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FetchResponse, SessionId, KT_INT32, 7, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(FetchResponse, Responses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &FetchableTopicResponse_schema),
	KFIELD_ARRAY(FetchResponse, NodeEndpoints, KT_STRUCT, 16, KV_MAX, KV_NONE, 0, &FetchNodeEndpoint_schema),
};
const KSchema FetchResponse_schema = KSCHEMA(FetchResponse);

static const KField ListOffsetsPartition_fields[] = {
	KFIELD(ListOffsetsPartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListOffsetsPartition, CurrentLeaderEpoch, KT_INT32, 4, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(ListOffsetsPartition, Timestamp, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListOffsetsPartition, MaxNumOffsets, KT_INT32, 0, 0, KV_NONE, -1, NULL, 1),
};
const KSchema ListOffsetsPartition_schema = KSCHEMA(ListOffsetsPartition);

static const KField ListOffsetsTopic_fields[] = {
	KFIELD(ListOffsetsTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListOffsetsTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ListOffsetsPartition_schema),
};
const KSchema ListOffsetsTopic_schema = KSCHEMA(ListOffsetsTopic);

static const KField ListOffsetsRequest_fields[] = {
	KFIELD(ListOffsetsRequest, ReplicaId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListOffsetsRequest, IsolationLevel, KT_INT8, 2, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListOffsetsRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ListOffsetsTopic_schema),
};
const KSchema ListOffsetsRequest_schema = KSCHEMA(ListOffsetsRequest);

static const KField ListOffsetsPartitionResponse_fields[] = {
	KFIELD(ListOffsetsPartitionResponse, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListOffsetsPartitionResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListOffsetsPartitionResponse, OldStyleOffsets, KT_INT64, 0, 0, KV_NONE, -1, NULL),
	KFIELD(ListOffsetsPartitionResponse, Timestamp, KT_INT64, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(ListOffsetsPartitionResponse, Offset, KT_INT64, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(ListOffsetsPartitionResponse, LeaderEpoch, KT_INT32, 4, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema ListOffsetsPartitionResponse_schema = KSCHEMA(ListOffsetsPartitionResponse);

static const KField ListOffsetsTopicResponse_fields[] = {
	KFIELD(ListOffsetsTopicResponse, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListOffsetsTopicResponse, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ListOffsetsPartitionResponse_schema),
};
const KSchema ListOffsetsTopicResponse_schema = KSCHEMA(ListOffsetsTopicResponse);

static const KField ListOffsetsResponse_fields[] = {
	KFIELD(ListOffsetsResponse, ThrottleTimeMs, KT_INT32, 2, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListOffsetsResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ListOffsetsTopicResponse_schema),
};
const KSchema ListOffsetsResponse_schema = KSCHEMA(ListOffsetsResponse);

static const KField OffsetForLeaderPartition_fields[] = {
	KFIELD(OffsetForLeaderPartition, Partition, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetForLeaderPartition, CurrentLeaderEpoch, KT_INT32, 2, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(OffsetForLeaderPartition, LeaderEpoch, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetForLeaderPartition_schema = KSCHEMA(OffsetForLeaderPartition);

static const KField OffsetForLeaderTopic_fields[] = {
	KFIELD(OffsetForLeaderTopic, Topic, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetForLeaderTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetForLeaderPartition_schema),
};
const KSchema OffsetForLeaderTopic_schema = KSCHEMA(OffsetForLeaderTopic);

static const KField OffsetForLeaderEpochRequest_fields[] = {
	KFIELD(OffsetForLeaderEpochRequest, ReplicaId, KT_INT32, 3, KV_MAX, KV_NONE, -1, NULL, -2),
	KFIELD_ARRAY(OffsetForLeaderEpochRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetForLeaderTopic_schema),
};
const KSchema OffsetForLeaderEpochRequest_schema = KSCHEMA(OffsetForLeaderEpochRequest);

static const KField EpochEndOffset_fields[] = {
	KFIELD(EpochEndOffset, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(EpochEndOffset, Partition, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(EpochEndOffset, LeaderEpoch, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(EpochEndOffset, EndOffset, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema EpochEndOffset_schema = KSCHEMA(EpochEndOffset);

static const KField OffsetForLeaderTopicResult_fields[] = {
	KFIELD(OffsetForLeaderTopicResult, Topic, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetForLeaderTopicResult, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &EpochEndOffset_schema),
};
const KSchema OffsetForLeaderTopicResult_schema = KSCHEMA(OffsetForLeaderTopicResult);

static const KField OffsetForLeaderEpochResponse_fields[] = {
	KFIELD(OffsetForLeaderEpochResponse, ThrottleTimeMs, KT_INT32, 2, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetForLeaderEpochResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetForLeaderTopicResult_schema),
};
const KSchema OffsetForLeaderEpochResponse_schema = KSCHEMA(OffsetForLeaderEpochResponse);

static const KField DeleteRecordsPartition_fields[] = {
	KFIELD(DeleteRecordsPartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteRecordsPartition, Offset, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteRecordsPartition_schema = KSCHEMA(DeleteRecordsPartition);

static const KField DeleteRecordsTopic_fields[] = {
	KFIELD(DeleteRecordsTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DeleteRecordsTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteRecordsPartition_schema),
};
const KSchema DeleteRecordsTopic_schema = KSCHEMA(DeleteRecordsTopic);

static const KField DeleteRecordsRequest_fields[] = {
	KFIELD_ARRAY(DeleteRecordsRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteRecordsTopic_schema),
	KFIELD(DeleteRecordsRequest, TimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteRecordsRequest_schema = KSCHEMA(DeleteRecordsRequest);

static const KField DeleteRecordsPartitionResult_fields[] = {
	KFIELD(DeleteRecordsPartitionResult, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteRecordsPartitionResult, LowWatermark, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteRecordsPartitionResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteRecordsPartitionResult_schema = KSCHEMA(DeleteRecordsPartitionResult);

static const KField DeleteRecordsTopicResult_fields[] = {
	KFIELD(DeleteRecordsTopicResult, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DeleteRecordsTopicResult, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteRecordsPartitionResult_schema),
};
const KSchema DeleteRecordsTopicResult_schema = KSCHEMA(DeleteRecordsTopicResult);

static const KField DeleteRecordsResponse_fields[] = {
	KFIELD(DeleteRecordsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DeleteRecordsResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteRecordsTopicResult_schema),
};
const KSchema DeleteRecordsResponse_schema = KSCHEMA(DeleteRecordsResponse);

static const KField DescribeConfigsResource_fields[] = {
	KFIELD(DescribeConfigsResource, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResource, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DescribeConfigsResource, ConfigurationKeys, KT_STRING, 0, KV_MAX, 0, -1, NULL),
};
const KSchema DescribeConfigsResource_schema = KSCHEMA(DescribeConfigsResource);

static const KField DescribeConfigsRequest_fields[] = {
	KFIELD_ARRAY(DescribeConfigsRequest, Resources, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribeConfigsResource_schema),
	KFIELD(DescribeConfigsRequest, IncludeSynonyms, KT_BOOL, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsRequest, IncludeDocumentation, KT_BOOL, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DescribeConfigsRequest_schema = KSCHEMA(DescribeConfigsRequest);

static const KField DescribeConfigsSynonym_fields[] = {
	KFIELD(DescribeConfigsSynonym, Name, KT_STRING, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsSynonym, Value, KT_STRING, 1, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DescribeConfigsSynonym, Source, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DescribeConfigsSynonym_schema = KSCHEMA(DescribeConfigsSynonym);

static const KField DescribeConfigsResourceResult_fields[] = {
	KFIELD(DescribeConfigsResourceResult, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResourceResult, Value, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DescribeConfigsResourceResult, ReadOnly, KT_BOOL, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResourceResult, IsDefault, KT_BOOL, 0, 0, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResourceResult, ConfigSource, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(DescribeConfigsResourceResult, IsSensitive, KT_BOOL, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DescribeConfigsResourceResult, Synonyms, KT_STRUCT, 1, KV_MAX, KV_NONE, -1, &DescribeConfigsSynonym_schema),
	KFIELD(DescribeConfigsResourceResult, ConfigType, KT_INT8, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResourceResult, Documentation, KT_STRING, 3, KV_MAX, 0, -1, NULL, 0),
};
const KSchema DescribeConfigsResourceResult_schema = KSCHEMA(DescribeConfigsResourceResult);

static const KField DescribeConfigsResult_fields[] = {
	KFIELD(DescribeConfigsResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResult, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DescribeConfigsResult, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeConfigsResult, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DescribeConfigsResult, Configs, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribeConfigsResourceResult_schema),
};
const KSchema DescribeConfigsResult_schema = KSCHEMA(DescribeConfigsResult);

static const KField DescribeConfigsResponse_fields[] = {
	KFIELD(DescribeConfigsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DescribeConfigsResponse, Results, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribeConfigsResult_schema),
};
const KSchema DescribeConfigsResponse_schema = KSCHEMA(DescribeConfigsResponse);

static const KField AlterableConfig_fields[] = {
	KFIELD(AlterableConfig, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterableConfig, Value, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
};
const KSchema AlterableConfig_schema = KSCHEMA(AlterableConfig);

static const KField AlterConfigsResource_fields[] = {
	KFIELD(AlterConfigsResource, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterConfigsResource, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(AlterConfigsResource, Configs, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AlterableConfig_schema),
};
const KSchema AlterConfigsResource_schema = KSCHEMA(AlterConfigsResource);

static const KField AlterConfigsRequest_fields[] = {
	KFIELD_ARRAY(AlterConfigsRequest, Resources, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AlterConfigsResource_schema),
	KFIELD(AlterConfigsRequest, ValidateOnly, KT_BOOL, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema AlterConfigsRequest_schema = KSCHEMA(AlterConfigsRequest);

static const KField AlterConfigsResourceResponse_fields[] = {
	KFIELD(AlterConfigsResourceResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterConfigsResourceResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(AlterConfigsResourceResponse, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterConfigsResourceResponse, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema AlterConfigsResourceResponse_schema = KSCHEMA(AlterConfigsResourceResponse);

static const KField AlterConfigsResponse_fields[] = {
	KFIELD(AlterConfigsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(AlterConfigsResponse, Responses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AlterConfigsResourceResponse_schema),
};
const KSchema AlterConfigsResponse_schema = KSCHEMA(AlterConfigsResponse);

static const KField IncrementalAlterableConfig_fields[] = {
	KFIELD(IncrementalAlterableConfig, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(IncrementalAlterableConfig, ConfigOperation, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(IncrementalAlterableConfig, Value, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
};
const KSchema IncrementalAlterableConfig_schema = KSCHEMA(IncrementalAlterableConfig);

static const KField IncrementalAlterConfigsResource_fields[] = {
	KFIELD(IncrementalAlterConfigsResource, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(IncrementalAlterConfigsResource, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(IncrementalAlterConfigsResource, Configs, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &IncrementalAlterableConfig_schema),
};
const KSchema IncrementalAlterConfigsResource_schema = KSCHEMA(IncrementalAlterConfigsResource);

static const KField IncrementalAlterConfigsRequest_fields[] = {
	KFIELD_ARRAY(IncrementalAlterConfigsRequest, Resources, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &IncrementalAlterConfigsResource_schema),
	KFIELD(IncrementalAlterConfigsRequest, ValidateOnly, KT_BOOL, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema IncrementalAlterConfigsRequest_schema = KSCHEMA(IncrementalAlterConfigsRequest);

static const KField IncrementalAlterConfigsResourceResponse_fields[] = {
	KFIELD(IncrementalAlterConfigsResourceResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(IncrementalAlterConfigsResourceResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(IncrementalAlterConfigsResourceResponse, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(IncrementalAlterConfigsResourceResponse, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema IncrementalAlterConfigsResourceResponse_schema = KSCHEMA(IncrementalAlterConfigsResourceResponse);

static const KField IncrementalAlterConfigsResponse_fields[] = {
	KFIELD(IncrementalAlterConfigsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(IncrementalAlterConfigsResponse, Responses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &IncrementalAlterConfigsResourceResponse_schema),
};
const KSchema IncrementalAlterConfigsResponse_schema = KSCHEMA(IncrementalAlterConfigsResponse);

static const KField ReassignablePartition_fields[] = {
	KFIELD(ReassignablePartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ReassignablePartition, Replicas, KT_INT32, 0, KV_MAX, 0, -1, NULL),
};
const KSchema ReassignablePartition_schema = KSCHEMA(ReassignablePartition);

static const KField ReassignableTopic_fields[] = {
	KFIELD(ReassignableTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ReassignableTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ReassignablePartition_schema),
};
const KSchema ReassignableTopic_schema = KSCHEMA(ReassignableTopic);

static const KField AlterPartitionReassignmentsRequest_fields[] = {
	KFIELD(AlterPartitionReassignmentsRequest, TimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 60000),
	KFIELD_ARRAY(AlterPartitionReassignmentsRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ReassignableTopic_schema),
};
const KSchema AlterPartitionReassignmentsRequest_schema = KSCHEMA(AlterPartitionReassignmentsRequest);

static const KField ReassignablePartitionResponse_fields[] = {
	KFIELD(ReassignablePartitionResponse, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ReassignablePartitionResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ReassignablePartitionResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
};
const KSchema ReassignablePartitionResponse_schema = KSCHEMA(ReassignablePartitionResponse);

static const KField ReassignableTopicResponse_fields[] = {
	KFIELD(ReassignableTopicResponse, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ReassignableTopicResponse, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ReassignablePartitionResponse_schema),
};
const KSchema ReassignableTopicResponse_schema = KSCHEMA(ReassignableTopicResponse);

static const KField AlterPartitionReassignmentsResponse_fields[] = {
	KFIELD(AlterPartitionReassignmentsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterPartitionReassignmentsResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterPartitionReassignmentsResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(AlterPartitionReassignmentsResponse, Responses, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ReassignableTopicResponse_schema),
};
const KSchema AlterPartitionReassignmentsResponse_schema = KSCHEMA(AlterPartitionReassignmentsResponse);

static const KField ListPartitionReassignmentsTopics_fields[] = {
	KFIELD(ListPartitionReassignmentsTopics, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListPartitionReassignmentsTopics, PartitionIndexes, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema ListPartitionReassignmentsTopics_schema = KSCHEMA(ListPartitionReassignmentsTopics);

static const KField ListPartitionReassignmentsRequest_fields[] = {
	KFIELD(ListPartitionReassignmentsRequest, TimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 60000),
	KFIELD_ARRAY(ListPartitionReassignmentsRequest, Topics, KT_STRUCT, 0, KV_MAX, 0, -1, &ListPartitionReassignmentsTopics_schema),
};
const KSchema ListPartitionReassignmentsRequest_schema = KSCHEMA(ListPartitionReassignmentsRequest);

static const KField OngoingPartitionReassignment_fields[] = {
	KFIELD(OngoingPartitionReassignment, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OngoingPartitionReassignment, Replicas, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
	KFIELD_ARRAY(OngoingPartitionReassignment, AddingReplicas, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
	KFIELD_ARRAY(OngoingPartitionReassignment, RemovingReplicas, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema OngoingPartitionReassignment_schema = KSCHEMA(OngoingPartitionReassignment);

static const KField OngoingTopicReassignment_fields[] = {
	KFIELD(OngoingTopicReassignment, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OngoingTopicReassignment, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OngoingPartitionReassignment_schema),
};
const KSchema OngoingTopicReassignment_schema = KSCHEMA(OngoingTopicReassignment);

static const KField ListPartitionReassignmentsResponse_fields[] = {
	KFIELD(ListPartitionReassignmentsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListPartitionReassignmentsResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListPartitionReassignmentsResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(ListPartitionReassignmentsResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OngoingTopicReassignment_schema),
};
const KSchema ListPartitionReassignmentsResponse_schema = KSCHEMA(ListPartitionReassignmentsResponse);

static const KField DescribeClusterRequest_fields[] = {
	KFIELD(DescribeClusterRequest, IncludeClusterAuthorizedOperations, KT_BOOL, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterRequest, EndpointType, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 1),
};
const KSchema DescribeClusterRequest_schema = KSCHEMA(DescribeClusterRequest);

static const KField DescribeClusterBroker_fields[] = {
	KFIELD(DescribeClusterBroker, BrokerId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterBroker, Host, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterBroker, Port, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterBroker, Rack, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
};
const KSchema DescribeClusterBroker_schema = KSCHEMA(DescribeClusterBroker);

static const KField DescribeClusterResponse_fields[] = {
	KFIELD(DescribeClusterResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD(DescribeClusterResponse, EndpointType, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 1),
	KFIELD(DescribeClusterResponse, ClusterId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeClusterResponse, ControllerId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(DescribeClusterResponse, Brokers, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribeClusterBroker_schema),
	KFIELD(DescribeClusterResponse, ClusterAuthorizedOperations, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, -2147483648),
};
const KSchema DescribeClusterResponse_schema = KSCHEMA(DescribeClusterResponse);

/* Consumer groups, InitProducerId, and SASL (not in KafkaApis[] yet). */

static const KField FindCoordinatorRequest_fields[] = {
	KFIELD(FindCoordinatorRequest, Key, KT_STRING, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorRequest, KeyType, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(FindCoordinatorRequest, CoordinatorKeys, KT_STRING, 4, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema FindCoordinatorRequest_schema = KSCHEMA(FindCoordinatorRequest);

static const KField Coordinator_fields[] = {
	KFIELD(Coordinator, Key, KT_STRING, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(Coordinator, NodeId, KT_INT32, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(Coordinator, Host, KT_STRING, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(Coordinator, Port, KT_INT32, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(Coordinator, ErrorCode, KT_INT16, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(Coordinator, ErrorMessage, KT_STRING, 4, KV_MAX, 4, -1, NULL, 0),
};
const KSchema Coordinator_schema = KSCHEMA(Coordinator);

static const KField FindCoordinatorResponse_fields[] = {
	KFIELD(FindCoordinatorResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, ErrorCode, KT_INT16, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, ErrorMessage, KT_STRING, 1, 3, 1, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, NodeId, KT_INT32, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, Host, KT_STRING, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, Port, KT_INT32, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(FindCoordinatorResponse, Coordinators, KT_STRUCT, 4, KV_MAX, KV_NONE, -1, &Coordinator_schema),
};
const KSchema FindCoordinatorResponse_schema = KSCHEMA(FindCoordinatorResponse);

static const KField JoinGroupRequestProtocol_fields[] = {
	KFIELD(JoinGroupRequestProtocol, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupRequestProtocol, Metadata, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema JoinGroupRequestProtocol_schema = KSCHEMA(JoinGroupRequestProtocol);

static const KField JoinGroupRequest_fields[] = {
	KFIELD(JoinGroupRequest, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupRequest, SessionTimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupRequest, RebalanceTimeoutMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(JoinGroupRequest, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupRequest, GroupInstanceId, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
	KFIELD(JoinGroupRequest, ProtocolType, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(JoinGroupRequest, Protocols, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &JoinGroupRequestProtocol_schema),
	KFIELD(JoinGroupRequest, Reason, KT_STRING, 8, KV_MAX, 8, -1, NULL, KDEF_NULL),
};
const KSchema JoinGroupRequest_schema = KSCHEMA(JoinGroupRequest);

static const KField JoinGroupResponseMember_fields[] = {
	KFIELD(JoinGroupResponseMember, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupResponseMember, GroupInstanceId, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
	KFIELD(JoinGroupResponseMember, Metadata, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema JoinGroupResponseMember_schema = KSCHEMA(JoinGroupResponseMember);

static const KField JoinGroupResponse_fields[] = {
	KFIELD(JoinGroupResponse, ThrottleTimeMs, KT_INT32, 2, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupResponse, GenerationId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(JoinGroupResponse, ProtocolType, KT_STRING, 7, KV_MAX, 7, -1, NULL, KDEF_NULL),
	KFIELD(JoinGroupResponse, ProtocolName, KT_STRING, 0, KV_MAX, 7, -1, NULL, 0),
	KFIELD(JoinGroupResponse, Leader, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupResponse, SkipAssignment, KT_BOOL, 9, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(JoinGroupResponse, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(JoinGroupResponse, Members, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &JoinGroupResponseMember_schema),
};
const KSchema JoinGroupResponse_schema = KSCHEMA(JoinGroupResponse);

static const KField HeartbeatRequest_fields[] = {
	KFIELD(HeartbeatRequest, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(HeartbeatRequest, GenerationId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(HeartbeatRequest, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(HeartbeatRequest, GroupInstanceId, KT_STRING, 3, KV_MAX, 3, -1, NULL, KDEF_NULL),
};
const KSchema HeartbeatRequest_schema = KSCHEMA(HeartbeatRequest);

static const KField HeartbeatResponse_fields[] = {
	KFIELD(HeartbeatResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(HeartbeatResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema HeartbeatResponse_schema = KSCHEMA(HeartbeatResponse);

static const KField MemberIdentity_fields[] = {
	KFIELD(MemberIdentity, MemberId, KT_STRING, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MemberIdentity, GroupInstanceId, KT_STRING, 3, KV_MAX, 3, -1, NULL, KDEF_NULL),
	KFIELD(MemberIdentity, Reason, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
};
const KSchema MemberIdentity_schema = KSCHEMA(MemberIdentity);

static const KField LeaveGroupRequest_fields[] = {
	KFIELD(LeaveGroupRequest, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(LeaveGroupRequest, MemberId, KT_STRING, 0, 2, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(LeaveGroupRequest, Members, KT_STRUCT, 3, KV_MAX, KV_NONE, -1, &MemberIdentity_schema),
};
const KSchema LeaveGroupRequest_schema = KSCHEMA(LeaveGroupRequest);

static const KField MemberResponse_fields[] = {
	KFIELD(MemberResponse, MemberId, KT_STRING, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(MemberResponse, GroupInstanceId, KT_STRING, 3, KV_MAX, 3, -1, NULL, 0),
	KFIELD(MemberResponse, ErrorCode, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema MemberResponse_schema = KSCHEMA(MemberResponse);

static const KField LeaveGroupResponse_fields[] = {
	KFIELD(LeaveGroupResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(LeaveGroupResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(LeaveGroupResponse, Members, KT_STRUCT, 3, KV_MAX, KV_NONE, -1, &MemberResponse_schema),
};
const KSchema LeaveGroupResponse_schema = KSCHEMA(LeaveGroupResponse);

static const KField SyncGroupRequestAssignment_fields[] = {
	KFIELD(SyncGroupRequestAssignment, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SyncGroupRequestAssignment, Assignment, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema SyncGroupRequestAssignment_schema = KSCHEMA(SyncGroupRequestAssignment);

static const KField SyncGroupRequest_fields[] = {
	KFIELD(SyncGroupRequest, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SyncGroupRequest, GenerationId, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SyncGroupRequest, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SyncGroupRequest, GroupInstanceId, KT_STRING, 3, KV_MAX, 3, -1, NULL, KDEF_NULL),
	KFIELD(SyncGroupRequest, ProtocolType, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
	KFIELD(SyncGroupRequest, ProtocolName, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(SyncGroupRequest, Assignments, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &SyncGroupRequestAssignment_schema),
};
const KSchema SyncGroupRequest_schema = KSCHEMA(SyncGroupRequest);

static const KField SyncGroupResponse_fields[] = {
	KFIELD(SyncGroupResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SyncGroupResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SyncGroupResponse, ProtocolType, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
	KFIELD(SyncGroupResponse, ProtocolName, KT_STRING, 5, KV_MAX, 5, -1, NULL, KDEF_NULL),
	KFIELD(SyncGroupResponse, Assignment, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema SyncGroupResponse_schema = KSCHEMA(SyncGroupResponse);

static const KField OffsetCommitRequestPartition_fields[] = {
	KFIELD(OffsetCommitRequestPartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetCommitRequestPartition, CommittedOffset, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetCommitRequestPartition, CommittedLeaderEpoch, KT_INT32, 6, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(OffsetCommitRequestPartition, CommitTimestamp, KT_INT64, 1, 1, KV_NONE, -1, NULL, -1),
	KFIELD(OffsetCommitRequestPartition, CommittedMetadata, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
};
const KSchema OffsetCommitRequestPartition_schema = KSCHEMA(OffsetCommitRequestPartition);

static const KField OffsetCommitRequestTopic_fields[] = {
	KFIELD(OffsetCommitRequestTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetCommitRequestTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetCommitRequestPartition_schema),
};
const KSchema OffsetCommitRequestTopic_schema = KSCHEMA(OffsetCommitRequestTopic);

static const KField OffsetCommitRequest_fields[] = {
	KFIELD(OffsetCommitRequest, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetCommitRequest, GenerationIdOrMemberEpoch, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(OffsetCommitRequest, MemberId, KT_STRING, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetCommitRequest, GroupInstanceId, KT_STRING, 7, KV_MAX, 7, -1, NULL, KDEF_NULL),
	KFIELD(OffsetCommitRequest, RetentionTimeMs, KT_INT64, 2, 4, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(OffsetCommitRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetCommitRequestTopic_schema),
};
const KSchema OffsetCommitRequest_schema = KSCHEMA(OffsetCommitRequest);

static const KField OffsetCommitResponsePartition_fields[] = {
	KFIELD(OffsetCommitResponsePartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetCommitResponsePartition, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetCommitResponsePartition_schema = KSCHEMA(OffsetCommitResponsePartition);

static const KField OffsetCommitResponseTopic_fields[] = {
	KFIELD(OffsetCommitResponseTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetCommitResponseTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetCommitResponsePartition_schema),
};
const KSchema OffsetCommitResponseTopic_schema = KSCHEMA(OffsetCommitResponseTopic);

static const KField OffsetCommitResponse_fields[] = {
	KFIELD(OffsetCommitResponse, ThrottleTimeMs, KT_INT32, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetCommitResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetCommitResponseTopic_schema),
};
const KSchema OffsetCommitResponse_schema = KSCHEMA(OffsetCommitResponse);

static const KField OffsetFetchRequestTopic_fields[] = {
	KFIELD(OffsetFetchRequestTopic, Name, KT_STRING, 0, 7, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchRequestTopic, PartitionIndexes, KT_INT32, 0, 7, KV_NONE, -1, NULL),
};
const KSchema OffsetFetchRequestTopic_schema = KSCHEMA(OffsetFetchRequestTopic);

static const KField OffsetFetchRequestTopics_fields[] = {
	KFIELD(OffsetFetchRequestTopics, Name, KT_STRING, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchRequestTopics, PartitionIndexes, KT_INT32, 8, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema OffsetFetchRequestTopics_schema = KSCHEMA(OffsetFetchRequestTopics);

static const KField OffsetFetchRequestGroup_fields[] = {
	KFIELD(OffsetFetchRequestGroup, GroupId, KT_STRING, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetFetchRequestGroup, MemberId, KT_STRING, 9, KV_MAX, 9, -1, NULL, KDEF_NULL),
	KFIELD(OffsetFetchRequestGroup, MemberEpoch, KT_INT32, 9, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD_ARRAY(OffsetFetchRequestGroup, Topics, KT_STRUCT, 8, KV_MAX, 8, -1, &OffsetFetchRequestTopics_schema),
};
const KSchema OffsetFetchRequestGroup_schema = KSCHEMA(OffsetFetchRequestGroup);

static const KField OffsetFetchRequest_fields[] = {
	KFIELD(OffsetFetchRequest, GroupId, KT_STRING, 0, 7, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchRequest, Topics, KT_STRUCT, 0, 7, 2, -1, &OffsetFetchRequestTopic_schema),
	KFIELD_ARRAY(OffsetFetchRequest, Groups, KT_STRUCT, 8, KV_MAX, KV_NONE, -1, &OffsetFetchRequestGroup_schema),
	KFIELD(OffsetFetchRequest, RequireStable, KT_BOOL, 7, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetFetchRequest_schema = KSCHEMA(OffsetFetchRequest);

static const KField OffsetFetchResponsePartition_fields[] = {
	KFIELD(OffsetFetchResponsePartition, PartitionIndex, KT_INT32, 0, 7, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetFetchResponsePartition, CommittedOffset, KT_INT64, 0, 7, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetFetchResponsePartition, CommittedLeaderEpoch, KT_INT32, 5, 7, KV_NONE, -1, NULL, -1),
	KFIELD(OffsetFetchResponsePartition, Metadata, KT_STRING, 0, 7, 0, -1, NULL, 0),
	KFIELD(OffsetFetchResponsePartition, ErrorCode, KT_INT16, 0, 7, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetFetchResponsePartition_schema = KSCHEMA(OffsetFetchResponsePartition);

static const KField OffsetFetchResponseTopic_fields[] = {
	KFIELD(OffsetFetchResponseTopic, Name, KT_STRING, 0, 7, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchResponseTopic, Partitions, KT_STRUCT, 0, 7, KV_NONE, -1, &OffsetFetchResponsePartition_schema),
};
const KSchema OffsetFetchResponseTopic_schema = KSCHEMA(OffsetFetchResponseTopic);

static const KField OffsetFetchResponsePartitions_fields[] = {
	KFIELD(OffsetFetchResponsePartitions, PartitionIndex, KT_INT32, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetFetchResponsePartitions, CommittedOffset, KT_INT64, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetFetchResponsePartitions, CommittedLeaderEpoch, KT_INT32, 8, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(OffsetFetchResponsePartitions, Metadata, KT_STRING, 8, KV_MAX, 8, -1, NULL, 0),
	KFIELD(OffsetFetchResponsePartitions, ErrorCode, KT_INT16, 8, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetFetchResponsePartitions_schema = KSCHEMA(OffsetFetchResponsePartitions);

static const KField OffsetFetchResponseTopics_fields[] = {
	KFIELD(OffsetFetchResponseTopics, Name, KT_STRING, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchResponseTopics, Partitions, KT_STRUCT, 8, KV_MAX, KV_NONE, -1, &OffsetFetchResponsePartitions_schema),
};
const KSchema OffsetFetchResponseTopics_schema = KSCHEMA(OffsetFetchResponseTopics);

static const KField OffsetFetchResponseGroup_fields[] = {
	KFIELD(OffsetFetchResponseGroup, GroupId, KT_STRING, 8, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchResponseGroup, Topics, KT_STRUCT, 8, KV_MAX, KV_NONE, -1, &OffsetFetchResponseTopics_schema),
	KFIELD(OffsetFetchResponseGroup, ErrorCode, KT_INT16, 8, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetFetchResponseGroup_schema = KSCHEMA(OffsetFetchResponseGroup);

static const KField OffsetFetchResponse_fields[] = {
	KFIELD(OffsetFetchResponse, ThrottleTimeMs, KT_INT32, 3, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchResponse, Topics, KT_STRUCT, 0, 7, KV_NONE, -1, &OffsetFetchResponseTopic_schema),
	KFIELD(OffsetFetchResponse, ErrorCode, KT_INT16, 2, 7, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetFetchResponse, Groups, KT_STRUCT, 8, KV_MAX, KV_NONE, -1, &OffsetFetchResponseGroup_schema),
};
const KSchema OffsetFetchResponse_schema = KSCHEMA(OffsetFetchResponse);

static const KField DescribeGroupsRequest_fields[] = {
	KFIELD_ARRAY(DescribeGroupsRequest, Groups, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL),
	KFIELD(DescribeGroupsRequest, IncludeAuthorizedOperations, KT_BOOL, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DescribeGroupsRequest_schema = KSCHEMA(DescribeGroupsRequest);

static const KField DescribedGroupMember_fields[] = {
	KFIELD(DescribedGroupMember, MemberId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroupMember, GroupInstanceId, KT_STRING, 4, KV_MAX, 4, -1, NULL, KDEF_NULL),
	KFIELD(DescribedGroupMember, ClientId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroupMember, ClientHost, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroupMember, MemberMetadata, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroupMember, MemberAssignment, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DescribedGroupMember_schema = KSCHEMA(DescribedGroupMember);

static const KField DescribedGroup_fields[] = {
	KFIELD(DescribedGroup, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroup, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroup, GroupState, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroup, ProtocolType, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribedGroup, ProtocolData, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DescribedGroup, Members, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribedGroupMember_schema),
	KFIELD(DescribedGroup, AuthorizedOperations, KT_INT32, 3, KV_MAX, KV_NONE, -1, NULL, -2147483648),
};
const KSchema DescribedGroup_schema = KSCHEMA(DescribedGroup);

static const KField DescribeGroupsResponse_fields[] = {
	KFIELD(DescribeGroupsResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DescribeGroupsResponse, Groups, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribedGroup_schema),
};
const KSchema DescribeGroupsResponse_schema = KSCHEMA(DescribeGroupsResponse);

static const KField ListGroupsRequest_fields[] = {
	KFIELD_ARRAY(ListGroupsRequest, StatesFilter, KT_STRING, 4, KV_MAX, KV_NONE, -1, NULL),
	KFIELD_ARRAY(ListGroupsRequest, TypesFilter, KT_STRING, 5, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema ListGroupsRequest_schema = KSCHEMA(ListGroupsRequest);

static const KField ListedGroup_fields[] = {
	KFIELD(ListedGroup, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListedGroup, ProtocolType, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListedGroup, GroupState, KT_STRING, 4, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListedGroup, GroupType, KT_STRING, 5, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema ListedGroup_schema = KSCHEMA(ListedGroup);

static const KField ListGroupsResponse_fields[] = {
	KFIELD(ListGroupsResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ListGroupsResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(ListGroupsResponse, Groups, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ListedGroup_schema),
};
const KSchema ListGroupsResponse_schema = KSCHEMA(ListGroupsResponse);

static const KField DeleteGroupsRequest_fields[] = {
	KFIELD_ARRAY(DeleteGroupsRequest, GroupsNames, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema DeleteGroupsRequest_schema = KSCHEMA(DeleteGroupsRequest);

static const KField DeletableGroupResult_fields[] = {
	KFIELD(DeletableGroupResult, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeletableGroupResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeletableGroupResult_schema = KSCHEMA(DeletableGroupResult);

static const KField DeleteGroupsResponse_fields[] = {
	KFIELD(DeleteGroupsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DeleteGroupsResponse, Results, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeletableGroupResult_schema),
};
const KSchema DeleteGroupsResponse_schema = KSCHEMA(DeleteGroupsResponse);

static const KField InitProducerIdRequest_fields[] = {
	KFIELD(InitProducerIdRequest, TransactionalId, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(InitProducerIdRequest, TransactionTimeoutMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(InitProducerIdRequest, ProducerId, KT_INT64, 3, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(InitProducerIdRequest, ProducerEpoch, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, -1),
};
const KSchema InitProducerIdRequest_schema = KSCHEMA(InitProducerIdRequest);

static const KField InitProducerIdResponse_fields[] = {
	KFIELD(InitProducerIdResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(InitProducerIdResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(InitProducerIdResponse, ProducerId, KT_INT64, 0, KV_MAX, KV_NONE, -1, NULL, -1),
	KFIELD(InitProducerIdResponse, ProducerEpoch, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema InitProducerIdResponse_schema = KSCHEMA(InitProducerIdResponse);

static const KField OffsetDeleteRequestPartition_fields[] = {
	KFIELD(OffsetDeleteRequestPartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetDeleteRequestPartition_schema = KSCHEMA(OffsetDeleteRequestPartition);

static const KField OffsetDeleteRequestTopic_fields[] = {
	KFIELD(OffsetDeleteRequestTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetDeleteRequestTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetDeleteRequestPartition_schema),
};
const KSchema OffsetDeleteRequestTopic_schema = KSCHEMA(OffsetDeleteRequestTopic);

static const KField OffsetDeleteRequest_fields[] = {
	KFIELD(OffsetDeleteRequest, GroupId, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetDeleteRequest, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetDeleteRequestTopic_schema),
};
const KSchema OffsetDeleteRequest_schema = KSCHEMA(OffsetDeleteRequest);

static const KField OffsetDeleteResponsePartition_fields[] = {
	KFIELD(OffsetDeleteResponsePartition, PartitionIndex, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetDeleteResponsePartition, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema OffsetDeleteResponsePartition_schema = KSCHEMA(OffsetDeleteResponsePartition);

static const KField OffsetDeleteResponseTopic_fields[] = {
	KFIELD(OffsetDeleteResponseTopic, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetDeleteResponseTopic, Partitions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetDeleteResponsePartition_schema),
};
const KSchema OffsetDeleteResponseTopic_schema = KSCHEMA(OffsetDeleteResponseTopic);

static const KField OffsetDeleteResponse_fields[] = {
	KFIELD(OffsetDeleteResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(OffsetDeleteResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(OffsetDeleteResponse, Topics, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &OffsetDeleteResponseTopic_schema),
};
const KSchema OffsetDeleteResponse_schema = KSCHEMA(OffsetDeleteResponse);

static const KField SaslHandshakeRequest_fields[] = {
	KFIELD(SaslHandshakeRequest, Mechanism, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema SaslHandshakeRequest_schema = KSCHEMA(SaslHandshakeRequest);

static const KField SaslHandshakeResponse_fields[] = {
	KFIELD(SaslHandshakeResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(SaslHandshakeResponse, Mechanisms, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL),
};
const KSchema SaslHandshakeResponse_schema = KSCHEMA(SaslHandshakeResponse);

static const KField SaslAuthenticateRequest_fields[] = {
	KFIELD(SaslAuthenticateRequest, AuthBytes, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema SaslAuthenticateRequest_schema = KSCHEMA(SaslAuthenticateRequest);

static const KField SaslAuthenticateResponse_fields[] = {
	KFIELD(SaslAuthenticateResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SaslAuthenticateResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(SaslAuthenticateResponse, AuthBytes, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(SaslAuthenticateResponse, SessionLifetimeMs, KT_INT64, 1, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema SaslAuthenticateResponse_schema = KSCHEMA(SaslAuthenticateResponse);

static const KField DescribeAclsRequest_fields[] = {
	KFIELD(DescribeAclsRequest, ResourceTypeFilter, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeAclsRequest, ResourceNameFilter, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DescribeAclsRequest, PatternTypeFilter, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 3),
	KFIELD(DescribeAclsRequest, PrincipalFilter, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DescribeAclsRequest, HostFilter, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DescribeAclsRequest, Operation, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeAclsRequest, PermissionType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DescribeAclsRequest_schema = KSCHEMA(DescribeAclsRequest);

static const KField AclDescription_fields[] = {
	KFIELD(AclDescription, Principal, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclDescription, Host, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclDescription, Operation, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclDescription, PermissionType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema AclDescription_schema = KSCHEMA(AclDescription);

static const KField DescribeAclsResource_fields[] = {
	KFIELD(DescribeAclsResource, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeAclsResource, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeAclsResource, PatternType, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 3),
	KFIELD_ARRAY(DescribeAclsResource, Acls, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AclDescription_schema),
};
const KSchema DescribeAclsResource_schema = KSCHEMA(DescribeAclsResource);

static const KField DescribeAclsResponse_fields[] = {
	KFIELD(DescribeAclsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeAclsResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeAclsResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(DescribeAclsResponse, Resources, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribeAclsResource_schema),
};
const KSchema DescribeAclsResponse_schema = KSCHEMA(DescribeAclsResponse);

static const KField AclCreation_fields[] = {
	KFIELD(AclCreation, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclCreation, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclCreation, ResourcePatternType, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 3),
	KFIELD(AclCreation, Principal, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclCreation, Host, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclCreation, Operation, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclCreation, PermissionType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema AclCreation_schema = KSCHEMA(AclCreation);

static const KField CreateAclsRequest_fields[] = {
	KFIELD_ARRAY(CreateAclsRequest, Creations, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AclCreation_schema),
};
const KSchema CreateAclsRequest_schema = KSCHEMA(CreateAclsRequest);

static const KField AclCreationResult_fields[] = {
	KFIELD(AclCreationResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AclCreationResult, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
};
const KSchema AclCreationResult_schema = KSCHEMA(AclCreationResult);

static const KField CreateAclsResponse_fields[] = {
	KFIELD(CreateAclsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(CreateAclsResponse, Results, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AclCreationResult_schema),
};
const KSchema CreateAclsResponse_schema = KSCHEMA(CreateAclsResponse);

static const KField DeleteAclsFilter_fields[] = {
	KFIELD(DeleteAclsFilter, ResourceTypeFilter, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsFilter, ResourceNameFilter, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DeleteAclsFilter, PatternTypeFilter, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 3),
	KFIELD(DeleteAclsFilter, PrincipalFilter, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DeleteAclsFilter, HostFilter, KT_STRING, 0, KV_MAX, 0, -1, NULL, 0),
	KFIELD(DeleteAclsFilter, Operation, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsFilter, PermissionType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteAclsFilter_schema = KSCHEMA(DeleteAclsFilter);

static const KField DeleteAclsRequest_fields[] = {
	KFIELD_ARRAY(DeleteAclsRequest, Filters, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteAclsFilter_schema),
};
const KSchema DeleteAclsRequest_schema = KSCHEMA(DeleteAclsRequest);

static const KField DeleteAclsMatchingAcl_fields[] = {
	KFIELD(DeleteAclsMatchingAcl, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsMatchingAcl, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD(DeleteAclsMatchingAcl, ResourceType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsMatchingAcl, ResourceName, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsMatchingAcl, PatternType, KT_INT8, 1, KV_MAX, KV_NONE, -1, NULL, 3),
	KFIELD(DeleteAclsMatchingAcl, Principal, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsMatchingAcl, Host, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsMatchingAcl, Operation, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsMatchingAcl, PermissionType, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema DeleteAclsMatchingAcl_schema = KSCHEMA(DeleteAclsMatchingAcl);

static const KField DeleteAclsFilterResult_fields[] = {
	KFIELD(DeleteAclsFilterResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DeleteAclsFilterResult, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(DeleteAclsFilterResult, MatchingAcls, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteAclsMatchingAcl_schema),
};
const KSchema DeleteAclsFilterResult_schema = KSCHEMA(DeleteAclsFilterResult);

static const KField DeleteAclsResponse_fields[] = {
	KFIELD(DeleteAclsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(DeleteAclsResponse, FilterResults, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DeleteAclsFilterResult_schema),
};
const KSchema DeleteAclsResponse_schema = KSCHEMA(DeleteAclsResponse);

static const KField UserName_fields[] = {
	KFIELD(UserName, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema UserName_schema = KSCHEMA(UserName);

static const KField DescribeUserScramCredentialsRequest_fields[] = {
	KFIELD_ARRAY(DescribeUserScramCredentialsRequest, Users, KT_STRUCT, 0, KV_MAX, 0, -1, &UserName_schema),
};
const KSchema DescribeUserScramCredentialsRequest_schema = KSCHEMA(DescribeUserScramCredentialsRequest);

static const KField CredentialInfo_fields[] = {
	KFIELD(CredentialInfo, Mechanism, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(CredentialInfo, Iterations, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema CredentialInfo_schema = KSCHEMA(CredentialInfo);

static const KField DescribeUserScramCredentialsResult_fields[] = {
	KFIELD(DescribeUserScramCredentialsResult, User, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeUserScramCredentialsResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeUserScramCredentialsResult, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(DescribeUserScramCredentialsResult, CredentialInfos, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &CredentialInfo_schema),
};
const KSchema DescribeUserScramCredentialsResult_schema = KSCHEMA(DescribeUserScramCredentialsResult);

static const KField DescribeUserScramCredentialsResponse_fields[] = {
	KFIELD(DescribeUserScramCredentialsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeUserScramCredentialsResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(DescribeUserScramCredentialsResponse, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
	KFIELD_ARRAY(DescribeUserScramCredentialsResponse, Results, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &DescribeUserScramCredentialsResult_schema),
};
const KSchema DescribeUserScramCredentialsResponse_schema = KSCHEMA(DescribeUserScramCredentialsResponse);

static const KField ScramCredentialDeletion_fields[] = {
	KFIELD(ScramCredentialDeletion, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ScramCredentialDeletion, Mechanism, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema ScramCredentialDeletion_schema = KSCHEMA(ScramCredentialDeletion);

static const KField ScramCredentialUpsertion_fields[] = {
	KFIELD(ScramCredentialUpsertion, Name, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ScramCredentialUpsertion, Mechanism, KT_INT8, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ScramCredentialUpsertion, Iterations, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ScramCredentialUpsertion, Salt, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(ScramCredentialUpsertion, SaltedPassword, KT_BYTES, 0, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema ScramCredentialUpsertion_schema = KSCHEMA(ScramCredentialUpsertion);

static const KField AlterUserScramCredentialsRequest_fields[] = {
	KFIELD_ARRAY(AlterUserScramCredentialsRequest, Deletions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ScramCredentialDeletion_schema),
	KFIELD_ARRAY(AlterUserScramCredentialsRequest, Upsertions, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &ScramCredentialUpsertion_schema),
};
const KSchema AlterUserScramCredentialsRequest_schema = KSCHEMA(AlterUserScramCredentialsRequest);

static const KField AlterUserScramCredentialsResult_fields[] = {
	KFIELD(AlterUserScramCredentialsResult, User, KT_STRING, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterUserScramCredentialsResult, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(AlterUserScramCredentialsResult, ErrorMessage, KT_STRING, 0, KV_MAX, 0, -1, NULL, KDEF_NULL),
};
const KSchema AlterUserScramCredentialsResult_schema = KSCHEMA(AlterUserScramCredentialsResult);

static const KField AlterUserScramCredentialsResponse_fields[] = {
	KFIELD(AlterUserScramCredentialsResponse, ThrottleTimeMs, KT_INT32, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(AlterUserScramCredentialsResponse, Results, KT_STRUCT, 0, KV_MAX, KV_NONE, -1, &AlterUserScramCredentialsResult_schema),
};
const KSchema AlterUserScramCredentialsResponse_schema = KSCHEMA(AlterUserScramCredentialsResponse);
