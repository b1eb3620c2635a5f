/*-------------------------------------------------------------------------
 *
 * messages.h
 *	  C structs for the request and response bodies of every Kafka API that
 *	  Strata implements, with the schemas (src/backend/kafka/messages.c) the
 *	  generic codec (kafka/codec.h) uses to read and write them.
 *
 *	  Member names are Kafka's own field names.  The comment on each member
 *	  gives the versions it exists in, the versions in which it may be null,
 *	  its tag number if it is a tagged field, and its default (the value it
 *	  has after decoding a version without it).  Nested struct names are
 *	  Kafka's, except where two messages use one name for different shapes:
 *	  there the name is prefixed with the API (FetchNodeEndpoint,
 *	  IncrementalAlterableConfig, ...).
 *
 *	  Field lists and version ranges follow the message definitions of
 *	  Apache Kafka 3.9 (clients/src/main/resources/common/message/).
 *
 *	  KStr/KBytes borrow from the request frame; KARRAY(T) is {count, items}
 *	  with items in the request arena.
 *
 * include/kafka/messages.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_MESSAGES_H
#define STRATA_KAFKA_MESSAGES_H

#include "kafka/codec.h"

/* ApiVersionsRequest: api key 18, versions 0-4, flexible 3+ */
typedef struct ApiVersionsRequest
{
	KStr ClientSoftwareName;	/* v3+ */
	KStr ClientSoftwareVersion;	/* v3+ */
} ApiVersionsRequest;

/* ApiVersionsResponse: api key 18, versions 0-4, flexible 3+ */
typedef struct ApiVersion
{
	int16 ApiKey;	/* v0+ */
	int16 MinVersion;	/* v0+ */
	int16 MaxVersion;	/* v0+ */
} ApiVersion;

typedef struct SupportedFeatureKey
{
	KStr Name;	/* v3+ */
	int16 MinVersion;	/* v3+ */
	int16 MaxVersion;	/* v3+ */
} SupportedFeatureKey;

typedef struct FinalizedFeatureKey
{
	KStr Name;	/* v3+ */
	int16 MaxVersionLevel;	/* v3+ */
	int16 MinVersionLevel;	/* v3+ */
} FinalizedFeatureKey;

typedef struct ApiVersionsResponse
{
	int16 ErrorCode;	/* v0+ */
	KARRAY(ApiVersion) ApiKeys;	/* v0+ */
	int32 ThrottleTimeMs;	/* v1+ */
	KARRAY(SupportedFeatureKey) SupportedFeatures;	/* v3+, tag 0 */
	int64 FinalizedFeaturesEpoch;	/* v3+, tag 1, default -1 */
	KARRAY(FinalizedFeatureKey) FinalizedFeatures;	/* v3+, tag 2 */
	bool ZkMigrationReady;	/* v3+, tag 3, default false */
} ApiVersionsResponse;

/* MetadataRequest: api key 3, versions 0-12, flexible 9+ */
typedef struct MetadataRequestTopic
{
	KUuid TopicId;	/* v10+ */
	KStr Name;	/* v0+, nullable v10+ */
} MetadataRequestTopic;

typedef struct MetadataRequest
{
	KARRAY(MetadataRequestTopic) Topics;	/* v0+, nullable v1+ */
	bool AllowAutoTopicCreation;	/* v4+, default true */
	bool IncludeClusterAuthorizedOperations;	/* v8-10 */
	bool IncludeTopicAuthorizedOperations;	/* v8+ */
} MetadataRequest;

/* MetadataResponse: api key 3, versions 0-12, flexible 9+ */
typedef struct MetadataResponseBroker
{
	int32 NodeId;	/* v0+ */
	KStr Host;	/* v0+ */
	int32 Port;	/* v0+ */
	KStr Rack;	/* v1+, nullable v1+, default null */
} MetadataResponseBroker;

typedef struct MetadataResponsePartition
{
	int16 ErrorCode;	/* v0+ */
	int32 PartitionIndex;	/* v0+ */
	int32 LeaderId;	/* v0+ */
	int32 LeaderEpoch;	/* v7+, default -1 */
	KARRAY(int32) ReplicaNodes;	/* v0+ */
	KARRAY(int32) IsrNodes;	/* v0+ */
	KARRAY(int32) OfflineReplicas;	/* v5+ */
} MetadataResponsePartition;

typedef struct MetadataResponseTopic
{
	int16 ErrorCode;	/* v0+ */
	KStr Name;	/* v0+, nullable v12+ */
	KUuid TopicId;	/* v10+ */
	bool IsInternal;	/* v1+, default false */
	KARRAY(MetadataResponsePartition) Partitions;	/* v0+ */
	int32 TopicAuthorizedOperations;	/* v8+, default -2147483648 */
} MetadataResponseTopic;

typedef struct MetadataResponse
{
	int32 ThrottleTimeMs;	/* v3+ */
	KARRAY(MetadataResponseBroker) Brokers;	/* v0+ */
	KStr ClusterId;	/* v2+, nullable v2+, default null */
	int32 ControllerId;	/* v1+, default -1 */
	KARRAY(MetadataResponseTopic) Topics;	/* v0+ */
	int32 ClusterAuthorizedOperations;	/* v8-10, default -2147483648 */
} MetadataResponse;

/* CreateTopicsRequest: api key 19, versions 0-7, flexible 5+ */
typedef struct CreatableReplicaAssignment
{
	int32 PartitionIndex;	/* v0+ */
	KARRAY(int32) BrokerIds;	/* v0+ */
} CreatableReplicaAssignment;

typedef struct CreatableTopicConfig
{
	KStr Name;	/* v0+ */
	KStr Value;	/* v0+, nullable v0+ */
} CreatableTopicConfig;

typedef struct CreatableTopic
{
	KStr Name;	/* v0+ */
	int32 NumPartitions;	/* v0+ */
	int16 ReplicationFactor;	/* v0+ */
	KARRAY(CreatableReplicaAssignment) Assignments;	/* v0+ */
	KARRAY(CreatableTopicConfig) Configs;	/* v0+ */
} CreatableTopic;

typedef struct CreateTopicsRequest
{
	KARRAY(CreatableTopic) Topics;	/* v0+ */
	int32 timeoutMs;	/* v0+, default 60000 */
	bool validateOnly;	/* v1+, default false */
} CreateTopicsRequest;

/* CreateTopicsResponse: api key 19, versions 0-7, flexible 5+ */
typedef struct CreatableTopicConfigs
{
	KStr Name;	/* v5+ */
	KStr Value;	/* v5+, nullable v5+ */
	bool ReadOnly;	/* v5+ */
	int8 ConfigSource;	/* v5+, default -1 */
	bool IsSensitive;	/* v5+ */
} CreatableTopicConfigs;

typedef struct CreatableTopicResult
{
	KStr Name;	/* v0+ */
	KUuid TopicId;	/* v7+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v1+, nullable v0+ */
	int16 TopicConfigErrorCode;	/* v5+, tag 0 */
	int32 NumPartitions;	/* v5+, default -1 */
	int16 ReplicationFactor;	/* v5+, default -1 */
	KARRAY(CreatableTopicConfigs) Configs;	/* v5+, nullable v5+ */
} CreatableTopicResult;

typedef struct CreateTopicsResponse
{
	int32 ThrottleTimeMs;	/* v2+ */
	KARRAY(CreatableTopicResult) Topics;	/* v0+ */
} CreateTopicsResponse;

/* DeleteTopicsRequest: api key 20, versions 0-6, flexible 4+ */
typedef struct DeleteTopicState
{
	KStr Name;	/* v6+, nullable v6+, default null */
	KUuid TopicId;	/* v6+ */
} DeleteTopicState;

typedef struct DeleteTopicsRequest
{
	KARRAY(DeleteTopicState) Topics;	/* v6+ */
	KARRAY(KStr) TopicNames;	/* v0-5 */
	int32 TimeoutMs;	/* v0+ */
} DeleteTopicsRequest;

/* DeleteTopicsResponse: api key 20, versions 0-6, flexible 4+ */
typedef struct DeletableTopicResult
{
	KStr Name;	/* v0+, nullable v6+ */
	KUuid TopicId;	/* v6+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v5+, nullable v5+, default null */
} DeletableTopicResult;

typedef struct DeleteTopicsResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	KARRAY(DeletableTopicResult) Responses;	/* v0+ */
} DeleteTopicsResponse;

/* CreatePartitionsRequest: api key 37, versions 0-3, flexible 2+ */
typedef struct CreatePartitionsAssignment
{
	KARRAY(int32) BrokerIds;	/* v0+ */
} CreatePartitionsAssignment;

typedef struct CreatePartitionsTopic
{
	KStr Name;	/* v0+ */
	int32 Count;	/* v0+ */
	KARRAY(CreatePartitionsAssignment) Assignments;	/* v0+, nullable v0+ */
} CreatePartitionsTopic;

typedef struct CreatePartitionsRequest
{
	KARRAY(CreatePartitionsTopic) Topics;	/* v0+ */
	int32 TimeoutMs;	/* v0+ */
	bool ValidateOnly;	/* v0+ */
} CreatePartitionsRequest;

/* CreatePartitionsResponse: api key 37, versions 0-3, flexible 2+ */
typedef struct CreatePartitionsTopicResult
{
	KStr Name;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+, default null */
} CreatePartitionsTopicResult;

typedef struct CreatePartitionsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(CreatePartitionsTopicResult) Results;	/* v0+ */
} CreatePartitionsResponse;

/* ProduceRequest: api key 0, versions 0-11, flexible 9+ */
typedef struct PartitionProduceData
{
	int32 Index;	/* v0+ */
	KBytes Records;	/* v0+, nullable v0+ */
} PartitionProduceData;

typedef struct TopicProduceData
{
	KStr Name;	/* v0+ */
	KARRAY(PartitionProduceData) PartitionData;	/* v0+ */
} TopicProduceData;

typedef struct ProduceRequest
{
	KStr TransactionalId;	/* v3+, nullable v3+, default null */
	int16 Acks;	/* v0+ */
	int32 TimeoutMs;	/* v0+ */
	KARRAY(TopicProduceData) TopicData;	/* v0+ */
} ProduceRequest;

/* ProduceResponse: api key 0, versions 0-11, flexible 9+ */
typedef struct BatchIndexAndErrorMessage
{
	int32 BatchIndex;	/* v8+ */
	KStr BatchIndexErrorMessage;	/* v8+, nullable v8+, default null */
} BatchIndexAndErrorMessage;

typedef struct ProduceLeaderIdAndEpoch
{
	int32 LeaderId;	/* v10+, default -1 */
	int32 LeaderEpoch;	/* v10+, default -1 */
} ProduceLeaderIdAndEpoch;

typedef struct PartitionProduceResponse
{
	int32 Index;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	int64 BaseOffset;	/* v0+ */
	int64 LogAppendTimeMs;	/* v2+, default -1 */
	int64 LogStartOffset;	/* v5+, default -1 */
	KARRAY(BatchIndexAndErrorMessage) RecordErrors;	/* v8+ */
	KStr ErrorMessage;	/* v8+, nullable v8+, default null */
	ProduceLeaderIdAndEpoch CurrentLeader;	/* v10+, tag 0 */
} PartitionProduceResponse;

typedef struct TopicProduceResponse
{
	KStr Name;	/* v0+ */
	KARRAY(PartitionProduceResponse) PartitionResponses;	/* v0+ */
} TopicProduceResponse;

typedef struct ProduceNodeEndpoint
{
	int32 NodeId;	/* v10+ */
	KStr Host;	/* v10+ */
	int32 Port;	/* v10+ */
	KStr Rack;	/* v10+, nullable v10+, default null */
} ProduceNodeEndpoint;

typedef struct ProduceResponse
{
	KARRAY(TopicProduceResponse) Responses;	/* v0+ */
	int32 ThrottleTimeMs;	/* v1+, default 0 */
	KARRAY(ProduceNodeEndpoint) NodeEndpoints;	/* v10+, tag 0 */
} ProduceResponse;

/* FetchRequest: api key 1, versions 0-17, flexible 12+ */
typedef struct FetchReplicaState
{
	int32 ReplicaId;	/* v15+, default -1 */
	int64 ReplicaEpoch;	/* v15+, default -1 */
} FetchReplicaState;

typedef struct FetchPartition
{
	int32 Partition;	/* v0+ */
	int32 CurrentLeaderEpoch;	/* v9+, default -1 */
	int64 FetchOffset;	/* v0+ */
	int32 LastFetchedEpoch;	/* v12+, default -1 */
	int64 LogStartOffset;	/* v5+, default -1 */
	int32 PartitionMaxBytes;	/* v0+ */
	KUuid ReplicaDirectoryId;	/* v17+, tag 0 */
} FetchPartition;

typedef struct FetchTopic
{
	KStr Topic;	/* v0-12 */
	KUuid TopicId;	/* v13+ */
	KARRAY(FetchPartition) Partitions;	/* v0+ */
} FetchTopic;

typedef struct ForgottenTopic
{
	KStr Topic;	/* v7-12 */
	KUuid TopicId;	/* v13+ */
	KARRAY(int32) Partitions;	/* v7+ */
} ForgottenTopic;

typedef struct FetchRequest
{
	KStr ClusterId;	/* v12+, nullable v12+, tag 0, default null */
	int32 ReplicaId;	/* v0-14, default -1 */
	FetchReplicaState ReplicaState;	/* v15+, tag 1 */
	int32 MaxWaitMs;	/* v0+ */
	int32 MinBytes;	/* v0+ */
	int32 MaxBytes;	/* v3+, default 0x7fffffff */
	int8 IsolationLevel;	/* v4+, default 0 */
	int32 SessionId;	/* v7+, default 0 */
	int32 SessionEpoch;	/* v7+, default -1 */
	KARRAY(FetchTopic) Topics;	/* v0+ */
	KARRAY(ForgottenTopic) ForgottenTopicsData;	/* v7+ */
	KStr RackId;	/* v11+, default  */
} FetchRequest;

/* FetchResponse: api key 1, versions 0-17, flexible 12+ */
typedef struct FetchEpochEndOffset
{
	int32 Epoch;	/* v12+, default -1 */
	int64 EndOffset;	/* v12+, default -1 */
} FetchEpochEndOffset;

typedef struct FetchLeaderIdAndEpoch
{
	int32 LeaderId;	/* v12+, default -1 */
	int32 LeaderEpoch;	/* v12+, default -1 */
} FetchLeaderIdAndEpoch;

typedef struct FetchSnapshotId
{
	int64 EndOffset;	/* v0+, default -1 */
	int32 Epoch;	/* v0+, default -1 */
} FetchSnapshotId;

typedef struct AbortedTransaction
{
	int64 ProducerId;	/* v4+ */
	int64 FirstOffset;	/* v4+ */
} AbortedTransaction;

typedef struct PartitionData
{
	int32 PartitionIndex;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	int64 HighWatermark;	/* v0+ */
	int64 LastStableOffset;	/* v4+, default -1 */
	int64 LogStartOffset;	/* v5+, default -1 */
	FetchEpochEndOffset DivergingEpoch;	/* v12+, tag 0 */
	FetchLeaderIdAndEpoch CurrentLeader;	/* v12+, tag 1 */
	FetchSnapshotId SnapshotId;	/* v12+, tag 2 */
	KARRAY(AbortedTransaction) AbortedTransactions;	/* v4+, nullable v4+ */
	int32 PreferredReadReplica;	/* v11+, default -1 */
	KBytes Records;	/* v0+, nullable v0+ */
} PartitionData;

typedef struct FetchableTopicResponse
{
	KStr Topic;	/* v0-12 */
	KUuid TopicId;	/* v13+ */
	KARRAY(PartitionData) Partitions;	/* v0+ */
} FetchableTopicResponse;

typedef struct FetchNodeEndpoint
{
	int32 NodeId;	/* v16+ */
	KStr Host;	/* v16+ */
	int32 Port;	/* v16+ */
	KStr Rack;	/* v16+, nullable v16+, default null */
} FetchNodeEndpoint;

typedef struct FetchResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v7+ */
	int32 SessionId;	/* v7+, default 0 */
	KARRAY(FetchableTopicResponse) Responses;	/* v0+ */
	KARRAY(FetchNodeEndpoint) NodeEndpoints;	/* v16+, tag 0 */
} FetchResponse;

/* ListOffsetsRequest: api key 2, versions 0-9, flexible 6+ */
typedef struct ListOffsetsPartition
{
	int32 PartitionIndex;	/* v0+ */
	int32 CurrentLeaderEpoch;	/* v4+, default -1 */
	int64 Timestamp;	/* v0+ */
	int32 MaxNumOffsets;	/* v0, default 1 */
} ListOffsetsPartition;

typedef struct ListOffsetsTopic
{
	KStr Name;	/* v0+ */
	KARRAY(ListOffsetsPartition) Partitions;	/* v0+ */
} ListOffsetsTopic;

typedef struct ListOffsetsRequest
{
	int32 ReplicaId;	/* v0+ */
	int8 IsolationLevel;	/* v2+ */
	KARRAY(ListOffsetsTopic) Topics;	/* v0+ */
} ListOffsetsRequest;

/* ListOffsetsResponse: api key 2, versions 0-9, flexible 6+ */
typedef struct ListOffsetsPartitionResponse
{
	int32 PartitionIndex;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KARRAY(int64) OldStyleOffsets;	/* v0 */
	int64 Timestamp;	/* v1+, default -1 */
	int64 Offset;	/* v1+, default -1 */
	int32 LeaderEpoch;	/* v4+, default -1 */
} ListOffsetsPartitionResponse;

typedef struct ListOffsetsTopicResponse
{
	KStr Name;	/* v0+ */
	KARRAY(ListOffsetsPartitionResponse) Partitions;	/* v0+ */
} ListOffsetsTopicResponse;

typedef struct ListOffsetsResponse
{
	int32 ThrottleTimeMs;	/* v2+ */
	KARRAY(ListOffsetsTopicResponse) Topics;	/* v0+ */
} ListOffsetsResponse;

/* OffsetForLeaderEpochRequest: api key 23, versions 0-4, flexible 4+ */
typedef struct OffsetForLeaderPartition
{
	int32 Partition;	/* v0+ */
	int32 CurrentLeaderEpoch;	/* v2+, default -1 */
	int32 LeaderEpoch;	/* v0+ */
} OffsetForLeaderPartition;

typedef struct OffsetForLeaderTopic
{
	KStr Topic;	/* v0+ */
	KARRAY(OffsetForLeaderPartition) Partitions;	/* v0+ */
} OffsetForLeaderTopic;

typedef struct OffsetForLeaderEpochRequest
{
	int32 ReplicaId;	/* v3+, default -2 */
	KARRAY(OffsetForLeaderTopic) Topics;	/* v0+ */
} OffsetForLeaderEpochRequest;

/* OffsetForLeaderEpochResponse: api key 23, versions 0-4, flexible 4+ */
typedef struct EpochEndOffset
{
	int16 ErrorCode;	/* v0+ */
	int32 Partition;	/* v0+ */
	int32 LeaderEpoch;	/* v1+, default -1 */
	int64 EndOffset;	/* v0+, default -1 */
} EpochEndOffset;

typedef struct OffsetForLeaderTopicResult
{
	KStr Topic;	/* v0+ */
	KARRAY(EpochEndOffset) Partitions;	/* v0+ */
} OffsetForLeaderTopicResult;

typedef struct OffsetForLeaderEpochResponse
{
	int32 ThrottleTimeMs;	/* v2+ */
	KARRAY(OffsetForLeaderTopicResult) Topics;	/* v0+ */
} OffsetForLeaderEpochResponse;

/* DeleteRecordsRequest: api key 21, versions 0-2, flexible 2+ */
typedef struct DeleteRecordsPartition
{
	int32 PartitionIndex;	/* v0+ */
	int64 Offset;	/* v0+ */
} DeleteRecordsPartition;

typedef struct DeleteRecordsTopic
{
	KStr Name;	/* v0+ */
	KARRAY(DeleteRecordsPartition) Partitions;	/* v0+ */
} DeleteRecordsTopic;

typedef struct DeleteRecordsRequest
{
	KARRAY(DeleteRecordsTopic) Topics;	/* v0+ */
	int32 TimeoutMs;	/* v0+ */
} DeleteRecordsRequest;

/* DeleteRecordsResponse: api key 21, versions 0-2, flexible 2+ */
typedef struct DeleteRecordsPartitionResult
{
	int32 PartitionIndex;	/* v0+ */
	int64 LowWatermark;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
} DeleteRecordsPartitionResult;

typedef struct DeleteRecordsTopicResult
{
	KStr Name;	/* v0+ */
	KARRAY(DeleteRecordsPartitionResult) Partitions;	/* v0+ */
} DeleteRecordsTopicResult;

typedef struct DeleteRecordsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(DeleteRecordsTopicResult) Topics;	/* v0+ */
} DeleteRecordsResponse;

/* DescribeConfigsRequest: api key 32, versions 0-4, flexible 4+ */
typedef struct DescribeConfigsResource
{
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	KARRAY(KStr) ConfigurationKeys;	/* v0+, nullable v0+ */
} DescribeConfigsResource;

typedef struct DescribeConfigsRequest
{
	KARRAY(DescribeConfigsResource) Resources;	/* v0+ */
	bool IncludeSynonyms;	/* v1+, default false */
	bool IncludeDocumentation;	/* v3+, default false */
} DescribeConfigsRequest;

/* DescribeConfigsResponse: api key 32, versions 0-4, flexible 4+ */
typedef struct DescribeConfigsSynonym
{
	KStr Name;	/* v1+ */
	KStr Value;	/* v1+, nullable v0+ */
	int8 Source;	/* v1+ */
} DescribeConfigsSynonym;

typedef struct DescribeConfigsResourceResult
{
	KStr Name;	/* v0+ */
	KStr Value;	/* v0+, nullable v0+ */
	bool ReadOnly;	/* v0+ */
	bool IsDefault;	/* v0 */
	int8 ConfigSource;	/* v1+, default -1 */
	bool IsSensitive;	/* v0+ */
	KARRAY(DescribeConfigsSynonym) Synonyms;	/* v1+ */
	int8 ConfigType;	/* v3+, default 0 */
	KStr Documentation;	/* v3+, nullable v0+ */
} DescribeConfigsResourceResult;

typedef struct DescribeConfigsResult
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	KARRAY(DescribeConfigsResourceResult) Configs;	/* v0+ */
} DescribeConfigsResult;

typedef struct DescribeConfigsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(DescribeConfigsResult) Results;	/* v0+ */
} DescribeConfigsResponse;

/* AlterConfigsRequest: api key 33, versions 0-2, flexible 2+ */
typedef struct AlterableConfig
{
	KStr Name;	/* v0+ */
	KStr Value;	/* v0+, nullable v0+ */
} AlterableConfig;

typedef struct AlterConfigsResource
{
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	KARRAY(AlterableConfig) Configs;	/* v0+ */
} AlterConfigsResource;

typedef struct AlterConfigsRequest
{
	KARRAY(AlterConfigsResource) Resources;	/* v0+ */
	bool ValidateOnly;	/* v0+ */
} AlterConfigsRequest;

/* AlterConfigsResponse: api key 33, versions 0-2, flexible 2+ */
typedef struct AlterConfigsResourceResponse
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
} AlterConfigsResourceResponse;

typedef struct AlterConfigsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(AlterConfigsResourceResponse) Responses;	/* v0+ */
} AlterConfigsResponse;

/* IncrementalAlterConfigsRequest: api key 44, versions 0-1, flexible 1+ */
typedef struct IncrementalAlterableConfig
{
	KStr Name;	/* v0+ */
	int8 ConfigOperation;	/* v0+ */
	KStr Value;	/* v0+, nullable v0+ */
} IncrementalAlterableConfig;

typedef struct IncrementalAlterConfigsResource
{
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	KARRAY(IncrementalAlterableConfig) Configs;	/* v0+ */
} IncrementalAlterConfigsResource;

typedef struct IncrementalAlterConfigsRequest
{
	KARRAY(IncrementalAlterConfigsResource) Resources;	/* v0+ */
	bool ValidateOnly;	/* v0+ */
} IncrementalAlterConfigsRequest;

/* IncrementalAlterConfigsResponse: api key 44, versions 0-1, flexible 1+ */
typedef struct IncrementalAlterConfigsResourceResponse
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
} IncrementalAlterConfigsResourceResponse;

typedef struct IncrementalAlterConfigsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(IncrementalAlterConfigsResourceResponse) Responses;	/* v0+ */
} IncrementalAlterConfigsResponse;

/* AlterPartitionReassignmentsRequest: api key 45, versions 0, flexible 0+ */
typedef struct ReassignablePartition
{
	int32 PartitionIndex;	/* v0+ */
	KARRAY(int32) Replicas;	/* v0+, nullable v0+ (null: cancel) */
} ReassignablePartition;

typedef struct ReassignableTopic
{
	KStr Name;	/* v0+ */
	KARRAY(ReassignablePartition) Partitions;	/* v0+ */
} ReassignableTopic;

typedef struct AlterPartitionReassignmentsRequest
{
	int32 TimeoutMs;	/* v0+, default 60000 */
	KARRAY(ReassignableTopic) Topics;	/* v0+ */
} AlterPartitionReassignmentsRequest;

/* AlterPartitionReassignmentsResponse: api key 45, versions 0, flexible 0+ */
typedef struct ReassignablePartitionResponse
{
	int32 PartitionIndex;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
} ReassignablePartitionResponse;

typedef struct ReassignableTopicResponse
{
	KStr Name;	/* v0+ */
	KARRAY(ReassignablePartitionResponse) Partitions;	/* v0+ */
} ReassignableTopicResponse;

typedef struct AlterPartitionReassignmentsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KARRAY(ReassignableTopicResponse) Responses;	/* v0+ */
} AlterPartitionReassignmentsResponse;

/* ListPartitionReassignmentsRequest: api key 46, versions 0, flexible 0+ */
typedef struct ListPartitionReassignmentsTopics
{
	KStr Name;	/* v0+ */
	KARRAY(int32) PartitionIndexes;	/* v0+ */
} ListPartitionReassignmentsTopics;

typedef struct ListPartitionReassignmentsRequest
{
	int32 TimeoutMs;	/* v0+, default 60000 */
	KARRAY(ListPartitionReassignmentsTopics) Topics;	/* v0+, nullable v0+ (null: all) */
} ListPartitionReassignmentsRequest;

/* ListPartitionReassignmentsResponse: api key 46, versions 0, flexible 0+ */
typedef struct OngoingPartitionReassignment
{
	int32 PartitionIndex;	/* v0+ */
	KARRAY(int32) Replicas;	/* v0+ */
	KARRAY(int32) AddingReplicas;	/* v0+ */
	KARRAY(int32) RemovingReplicas;	/* v0+ */
} OngoingPartitionReassignment;

typedef struct OngoingTopicReassignment
{
	KStr Name;	/* v0+ */
	KARRAY(OngoingPartitionReassignment) Partitions;	/* v0+ */
} OngoingTopicReassignment;

typedef struct ListPartitionReassignmentsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KARRAY(OngoingTopicReassignment) Topics;	/* v0+ */
} ListPartitionReassignmentsResponse;

/* DescribeClusterRequest: api key 60, versions 0-1, flexible 0+ */
typedef struct DescribeClusterRequest
{
	bool IncludeClusterAuthorizedOperations;	/* v0+ */
	int8 EndpointType;	/* v1+, default 1 */
} DescribeClusterRequest;

/* DescribeClusterResponse: api key 60, versions 0-1, flexible 0+ */
typedef struct DescribeClusterBroker
{
	int32 BrokerId;	/* v0+ */
	KStr Host;	/* v0+ */
	int32 Port;	/* v0+ */
	KStr Rack;	/* v0+, nullable v0+, default null */
} DescribeClusterBroker;

typedef struct DescribeClusterResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+, default null */
	int8 EndpointType;	/* v1+, default 1 */
	KStr ClusterId;	/* v0+ */
	int32 ControllerId;	/* v0+, default -1 */
	KARRAY(DescribeClusterBroker) Brokers;	/* v0+ */
	int32 ClusterAuthorizedOperations;	/* v0+, default -2147483648 */
} DescribeClusterResponse;

/* ----------------
 * The consumer-group APIs and InitProducerId (described before their
 * handlers were written), and SASL, not in KafkaApis[] yet: the unit tests
 * round-trip them at every Kafka 3.9 version.
 * ----------------
 */

/* FindCoordinatorRequest: api key 10, versions 0-6, flexible 3+ */
typedef struct FindCoordinatorRequest
{
	KStr Key;	/* v0-3 */
	int8 KeyType;	/* v1+, default 0 */
	KARRAY(KStr) CoordinatorKeys;	/* v4+ */
} FindCoordinatorRequest;

/* FindCoordinatorResponse: api key 10, versions 0-6, flexible 3+ */
typedef struct Coordinator
{
	KStr Key;	/* v4+ */
	int32 NodeId;	/* v4+ */
	KStr Host;	/* v4+ */
	int32 Port;	/* v4+ */
	int16 ErrorCode;	/* v4+ */
	KStr ErrorMessage;	/* v4+, nullable v4+ */
} Coordinator;

typedef struct FindCoordinatorResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0-3 */
	KStr ErrorMessage;	/* v1-3, nullable v1-3 */
	int32 NodeId;	/* v0-3 */
	KStr Host;	/* v0-3 */
	int32 Port;	/* v0-3 */
	KARRAY(Coordinator) Coordinators;	/* v4+ */
} FindCoordinatorResponse;

/* JoinGroupRequest: api key 11, versions 0-9, flexible 6+ */
typedef struct JoinGroupRequestProtocol
{
	KStr Name;	/* v0+ */
	KBytes Metadata;	/* v0+ */
} JoinGroupRequestProtocol;

typedef struct JoinGroupRequest
{
	KStr GroupId;	/* v0+ */
	int32 SessionTimeoutMs;	/* v0+ */
	int32 RebalanceTimeoutMs;	/* v1+, default -1 */
	KStr MemberId;	/* v0+ */
	KStr GroupInstanceId;	/* v5+, nullable v5+, default null */
	KStr ProtocolType;	/* v0+ */
	KARRAY(JoinGroupRequestProtocol) Protocols;	/* v0+ */
	KStr Reason;	/* v8+, nullable v8+, default null */
} JoinGroupRequest;

/* JoinGroupResponse: api key 11, versions 0-9, flexible 6+ */
typedef struct JoinGroupResponseMember
{
	KStr MemberId;	/* v0+ */
	KStr GroupInstanceId;	/* v5+, nullable v5+, default null */
	KBytes Metadata;	/* v0+ */
} JoinGroupResponseMember;

typedef struct JoinGroupResponse
{
	int32 ThrottleTimeMs;	/* v2+ */
	int16 ErrorCode;	/* v0+ */
	int32 GenerationId;	/* v0+, default -1 */
	KStr ProtocolType;	/* v7+, nullable v7+, default null */
	KStr ProtocolName;	/* v0+, nullable v7+ */
	KStr Leader;	/* v0+ */
	bool SkipAssignment;	/* v9+, default false */
	KStr MemberId;	/* v0+ */
	KARRAY(JoinGroupResponseMember) Members;	/* v0+ */
} JoinGroupResponse;

/* HeartbeatRequest: api key 12, versions 0-4, flexible 4+ */
typedef struct HeartbeatRequest
{
	KStr GroupId;	/* v0+ */
	int32 GenerationId;	/* v0+ */
	KStr MemberId;	/* v0+ */
	KStr GroupInstanceId;	/* v3+, nullable v3+, default null */
} HeartbeatRequest;

/* HeartbeatResponse: api key 12, versions 0-4, flexible 4+ */
typedef struct HeartbeatResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0+ */
} HeartbeatResponse;

/* LeaveGroupRequest: api key 13, versions 0-5, flexible 4+ */
typedef struct MemberIdentity
{
	KStr MemberId;	/* v3+ */
	KStr GroupInstanceId;	/* v3+, nullable v3+, default null */
	KStr Reason;	/* v5+, nullable v5+, default null */
} MemberIdentity;

typedef struct LeaveGroupRequest
{
	KStr GroupId;	/* v0+ */
	KStr MemberId;	/* v0-2 */
	KARRAY(MemberIdentity) Members;	/* v3+ */
} LeaveGroupRequest;

/* LeaveGroupResponse: api key 13, versions 0-5, flexible 4+ */
typedef struct MemberResponse
{
	KStr MemberId;	/* v3+ */
	KStr GroupInstanceId;	/* v3+, nullable v3+ */
	int16 ErrorCode;	/* v3+ */
} MemberResponse;

typedef struct LeaveGroupResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0+ */
	KARRAY(MemberResponse) Members;	/* v3+ */
} LeaveGroupResponse;

/* SyncGroupRequest: api key 14, versions 0-5, flexible 4+ */
typedef struct SyncGroupRequestAssignment
{
	KStr MemberId;	/* v0+ */
	KBytes Assignment;	/* v0+ */
} SyncGroupRequestAssignment;

typedef struct SyncGroupRequest
{
	KStr GroupId;	/* v0+ */
	int32 GenerationId;	/* v0+ */
	KStr MemberId;	/* v0+ */
	KStr GroupInstanceId;	/* v3+, nullable v3+, default null */
	KStr ProtocolType;	/* v5+, nullable v5+, default null */
	KStr ProtocolName;	/* v5+, nullable v5+, default null */
	KARRAY(SyncGroupRequestAssignment) Assignments;	/* v0+ */
} SyncGroupRequest;

/* SyncGroupResponse: api key 14, versions 0-5, flexible 4+ */
typedef struct SyncGroupResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0+ */
	KStr ProtocolType;	/* v5+, nullable v5+, default null */
	KStr ProtocolName;	/* v5+, nullable v5+, default null */
	KBytes Assignment;	/* v0+ */
} SyncGroupResponse;

/* OffsetCommitRequest: api key 8, versions 0-9, flexible 8+ */
typedef struct OffsetCommitRequestPartition
{
	int32 PartitionIndex;	/* v0+ */
	int64 CommittedOffset;	/* v0+ */
	int32 CommittedLeaderEpoch;	/* v6+, default -1 */
	int64 CommitTimestamp;	/* v1, default -1 */
	KStr CommittedMetadata;	/* v0+, nullable v0+ */
} OffsetCommitRequestPartition;

typedef struct OffsetCommitRequestTopic
{
	KStr Name;	/* v0+ */
	KARRAY(OffsetCommitRequestPartition) Partitions;	/* v0+ */
} OffsetCommitRequestTopic;

typedef struct OffsetCommitRequest
{
	KStr GroupId;	/* v0+ */
	int32 GenerationIdOrMemberEpoch;	/* v1+, default -1 */
	KStr MemberId;	/* v1+ */
	KStr GroupInstanceId;	/* v7+, nullable v7+, default null */
	int64 RetentionTimeMs;	/* v2-4, default -1 */
	KARRAY(OffsetCommitRequestTopic) Topics;	/* v0+ */
} OffsetCommitRequest;

/* OffsetCommitResponse: api key 8, versions 0-9, flexible 8+ */
typedef struct OffsetCommitResponsePartition
{
	int32 PartitionIndex;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
} OffsetCommitResponsePartition;

typedef struct OffsetCommitResponseTopic
{
	KStr Name;	/* v0+ */
	KARRAY(OffsetCommitResponsePartition) Partitions;	/* v0+ */
} OffsetCommitResponseTopic;

typedef struct OffsetCommitResponse
{
	int32 ThrottleTimeMs;	/* v3+ */
	KARRAY(OffsetCommitResponseTopic) Topics;	/* v0+ */
} OffsetCommitResponse;

/* OffsetFetchRequest: api key 9, versions 0-9, flexible 6+ */
typedef struct OffsetFetchRequestTopic
{
	KStr Name;	/* v0-7 */
	KARRAY(int32) PartitionIndexes;	/* v0-7 */
} OffsetFetchRequestTopic;

typedef struct OffsetFetchRequestTopics
{
	KStr Name;	/* v8+ */
	KARRAY(int32) PartitionIndexes;	/* v8+ */
} OffsetFetchRequestTopics;

typedef struct OffsetFetchRequestGroup
{
	KStr GroupId;	/* v8+ */
	KStr MemberId;	/* v9+, nullable v9+, default null */
	int32 MemberEpoch;	/* v9+, default -1 */
	KARRAY(OffsetFetchRequestTopics) Topics;	/* v8+, nullable v8+ */
} OffsetFetchRequestGroup;

typedef struct OffsetFetchRequest
{
	KStr GroupId;	/* v0-7 */
	KARRAY(OffsetFetchRequestTopic) Topics;	/* v0-7, nullable v2-7 */
	KARRAY(OffsetFetchRequestGroup) Groups;	/* v8+ */
	bool RequireStable;	/* v7+, default false */
} OffsetFetchRequest;

/* OffsetFetchResponse: api key 9, versions 0-9, flexible 6+ */
typedef struct OffsetFetchResponsePartition
{
	int32 PartitionIndex;	/* v0-7 */
	int64 CommittedOffset;	/* v0-7 */
	int32 CommittedLeaderEpoch;	/* v5-7, default -1 */
	KStr Metadata;	/* v0-7, nullable v0-7 */
	int16 ErrorCode;	/* v0-7 */
} OffsetFetchResponsePartition;

typedef struct OffsetFetchResponseTopic
{
	KStr Name;	/* v0-7 */
	KARRAY(OffsetFetchResponsePartition) Partitions;	/* v0-7 */
} OffsetFetchResponseTopic;

typedef struct OffsetFetchResponsePartitions
{
	int32 PartitionIndex;	/* v8+ */
	int64 CommittedOffset;	/* v8+ */
	int32 CommittedLeaderEpoch;	/* v8+, default -1 */
	KStr Metadata;	/* v8+, nullable v8+ */
	int16 ErrorCode;	/* v8+ */
} OffsetFetchResponsePartitions;

typedef struct OffsetFetchResponseTopics
{
	KStr Name;	/* v8+ */
	KARRAY(OffsetFetchResponsePartitions) Partitions;	/* v8+ */
} OffsetFetchResponseTopics;

typedef struct OffsetFetchResponseGroup
{
	KStr GroupId;	/* v8+ */
	KARRAY(OffsetFetchResponseTopics) Topics;	/* v8+ */
	int16 ErrorCode;	/* v8+, default 0 */
} OffsetFetchResponseGroup;

typedef struct OffsetFetchResponse
{
	int32 ThrottleTimeMs;	/* v3+ */
	KARRAY(OffsetFetchResponseTopic) Topics;	/* v0-7 */
	int16 ErrorCode;	/* v2-7, default 0 */
	KARRAY(OffsetFetchResponseGroup) Groups;	/* v8+ */
} OffsetFetchResponse;

/* DescribeGroupsRequest: api key 15, versions 0-5, flexible 5+ */
typedef struct DescribeGroupsRequest
{
	KARRAY(KStr) Groups;	/* v0+ */
	bool IncludeAuthorizedOperations;	/* v3+ */
} DescribeGroupsRequest;

/* DescribeGroupsResponse: api key 15, versions 0-5, flexible 5+ */
typedef struct DescribedGroupMember
{
	KStr MemberId;	/* v0+ */
	KStr GroupInstanceId;	/* v4+, nullable v4+, default null */
	KStr ClientId;	/* v0+ */
	KStr ClientHost;	/* v0+ */
	KBytes MemberMetadata;	/* v0+ */
	KBytes MemberAssignment;	/* v0+ */
} DescribedGroupMember;

typedef struct DescribedGroup
{
	int16 ErrorCode;	/* v0+ */
	KStr GroupId;	/* v0+ */
	KStr GroupState;	/* v0+ */
	KStr ProtocolType;	/* v0+ */
	KStr ProtocolData;	/* v0+ */
	KARRAY(DescribedGroupMember) Members;	/* v0+ */
	int32 AuthorizedOperations;	/* v3+, default -2147483648 */
} DescribedGroup;

typedef struct DescribeGroupsResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	KARRAY(DescribedGroup) Groups;	/* v0+ */
} DescribeGroupsResponse;

/* ListGroupsRequest: api key 16, versions 0-5, flexible 3+ */
typedef struct ListGroupsRequest
{
	KARRAY(KStr) StatesFilter;	/* v4+ */
	KARRAY(KStr) TypesFilter;	/* v5+ */
} ListGroupsRequest;

/* ListGroupsResponse: api key 16, versions 0-5, flexible 3+ */
typedef struct ListedGroup
{
	KStr GroupId;	/* v0+ */
	KStr ProtocolType;	/* v0+ */
	KStr GroupState;	/* v4+ */
	KStr GroupType;	/* v5+ */
} ListedGroup;

typedef struct ListGroupsResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0+ */
	KARRAY(ListedGroup) Groups;	/* v0+ */
} ListGroupsResponse;

/* DeleteGroupsRequest: api key 42, versions 0-2, flexible 2+ */
typedef struct DeleteGroupsRequest
{
	KARRAY(KStr) GroupsNames;	/* v0+ */
} DeleteGroupsRequest;

/* DeleteGroupsResponse: api key 42, versions 0-2, flexible 2+ */
typedef struct DeletableGroupResult
{
	KStr GroupId;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
} DeletableGroupResult;

typedef struct DeleteGroupsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(DeletableGroupResult) Results;	/* v0+ */
} DeleteGroupsResponse;

/* InitProducerIdRequest: api key 22, versions 0-5, flexible 2+ */
typedef struct InitProducerIdRequest
{
	KStr TransactionalId;	/* v0+, nullable v0+ */
	int32 TransactionTimeoutMs;	/* v0+ */
	int64 ProducerId;	/* v3+, default -1 */
	int16 ProducerEpoch;	/* v3+, default -1 */
} InitProducerIdRequest;

/* InitProducerIdResponse: api key 22, versions 0-5, flexible 2+ */
typedef struct InitProducerIdResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	int64 ProducerId;	/* v0+, default -1 */
	int16 ProducerEpoch;	/* v0+ */
} InitProducerIdResponse;

/* OffsetDeleteRequest: api key 47, versions 0, flexible none */
typedef struct OffsetDeleteRequestPartition
{
	int32 PartitionIndex;	/* v0+ */
} OffsetDeleteRequestPartition;

typedef struct OffsetDeleteRequestTopic
{
	KStr Name;	/* v0+ */
	KARRAY(OffsetDeleteRequestPartition) Partitions;	/* v0+ */
} OffsetDeleteRequestTopic;

typedef struct OffsetDeleteRequest
{
	KStr GroupId;	/* v0+ */
	KARRAY(OffsetDeleteRequestTopic) Topics;	/* v0+ */
} OffsetDeleteRequest;

/* OffsetDeleteResponse: api key 47, versions 0, flexible none */
typedef struct OffsetDeleteResponsePartition
{
	int32 PartitionIndex;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
} OffsetDeleteResponsePartition;

typedef struct OffsetDeleteResponseTopic
{
	KStr Name;	/* v0+ */
	KARRAY(OffsetDeleteResponsePartition) Partitions;	/* v0+ */
} OffsetDeleteResponseTopic;

typedef struct OffsetDeleteResponse
{
	int16 ErrorCode;	/* v0+ */
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(OffsetDeleteResponseTopic) Topics;	/* v0+ */
} OffsetDeleteResponse;

/* SaslHandshakeRequest: api key 17, versions 0-1, flexible none */
typedef struct SaslHandshakeRequest
{
	KStr Mechanism;	/* v0+ */
} SaslHandshakeRequest;

/* SaslHandshakeResponse: api key 17, versions 0-1, flexible none */
typedef struct SaslHandshakeResponse
{
	int16 ErrorCode;	/* v0+ */
	KARRAY(KStr) Mechanisms;	/* v0+ */
} SaslHandshakeResponse;

/* SaslAuthenticateRequest: api key 36, versions 0-2, flexible 2+ */
typedef struct SaslAuthenticateRequest
{
	KBytes AuthBytes;	/* v0+ */
} SaslAuthenticateRequest;

/* SaslAuthenticateResponse: api key 36, versions 0-2, flexible 2+ */
typedef struct SaslAuthenticateResponse
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KBytes AuthBytes;	/* v0+ */
	int64 SessionLifetimeMs;	/* v1+, default 0 */
} SaslAuthenticateResponse;

/* DescribeAclsRequest: api key 29, versions 0-3, flexible 2+ */
typedef struct DescribeAclsRequest
{
	int8 ResourceTypeFilter;	/* v0+ */
	KStr ResourceNameFilter;	/* v0+, nullable v0+ */
	int8 PatternTypeFilter;	/* v1+, default 3 */
	KStr PrincipalFilter;	/* v0+, nullable v0+ */
	KStr HostFilter;	/* v0+, nullable v0+ */
	int8 Operation;	/* v0+ */
	int8 PermissionType;	/* v0+ */
} DescribeAclsRequest;

/* DescribeAclsResponse: api key 29, versions 0-3, flexible 2+ */
typedef struct AclDescription
{
	KStr Principal;	/* v0+ */
	KStr Host;	/* v0+ */
	int8 Operation;	/* v0+ */
	int8 PermissionType;	/* v0+ */
} AclDescription;

typedef struct DescribeAclsResource
{
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	int8 PatternType;	/* v1+, default 3 */
	KARRAY(AclDescription) Acls;	/* v0+ */
} DescribeAclsResource;

typedef struct DescribeAclsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KARRAY(DescribeAclsResource) Resources;	/* v0+ */
} DescribeAclsResponse;

/* CreateAclsRequest: api key 30, versions 0-3, flexible 2+ */
typedef struct AclCreation
{
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	int8 ResourcePatternType;	/* v1+, default 3 */
	KStr Principal;	/* v0+ */
	KStr Host;	/* v0+ */
	int8 Operation;	/* v0+ */
	int8 PermissionType;	/* v0+ */
} AclCreation;

typedef struct CreateAclsRequest
{
	KARRAY(AclCreation) Creations;	/* v0+ */
} CreateAclsRequest;

/* CreateAclsResponse: api key 30, versions 0-3, flexible 2+ */
typedef struct AclCreationResult
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
} AclCreationResult;

typedef struct CreateAclsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(AclCreationResult) Results;	/* v0+ */
} CreateAclsResponse;

/* DeleteAclsRequest: api key 31, versions 0-3, flexible 2+ */
typedef struct DeleteAclsFilter
{
	int8 ResourceTypeFilter;	/* v0+ */
	KStr ResourceNameFilter;	/* v0+, nullable v0+ */
	int8 PatternTypeFilter;	/* v1+, default 3 */
	KStr PrincipalFilter;	/* v0+, nullable v0+ */
	KStr HostFilter;	/* v0+, nullable v0+ */
	int8 Operation;	/* v0+ */
	int8 PermissionType;	/* v0+ */
} DeleteAclsFilter;

typedef struct DeleteAclsRequest
{
	KARRAY(DeleteAclsFilter) Filters;	/* v0+ */
} DeleteAclsRequest;

/* DeleteAclsResponse: api key 31, versions 0-3, flexible 2+ */
typedef struct DeleteAclsMatchingAcl
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	int8 ResourceType;	/* v0+ */
	KStr ResourceName;	/* v0+ */
	int8 PatternType;	/* v1+, default 3 */
	KStr Principal;	/* v0+ */
	KStr Host;	/* v0+ */
	int8 Operation;	/* v0+ */
	int8 PermissionType;	/* v0+ */
} DeleteAclsMatchingAcl;

typedef struct DeleteAclsFilterResult
{
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KARRAY(DeleteAclsMatchingAcl) MatchingAcls;	/* v0+ */
} DeleteAclsFilterResult;

typedef struct DeleteAclsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(DeleteAclsFilterResult) FilterResults;	/* v0+ */
} DeleteAclsResponse;

/* DescribeUserScramCredentialsRequest: api key 50, version 0, flexible 0+ */
typedef struct UserName
{
	KStr Name;	/* v0+ */
} UserName;

typedef struct DescribeUserScramCredentialsRequest
{
	KARRAY(UserName) Users;	/* v0+, nullable v0+ */
} DescribeUserScramCredentialsRequest;

/* DescribeUserScramCredentialsResponse: api key 50, version 0, flexible 0+ */
typedef struct CredentialInfo
{
	int8 Mechanism;	/* v0+ */
	int32 Iterations;	/* v0+ */
} CredentialInfo;

typedef struct DescribeUserScramCredentialsResult
{
	KStr User;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KARRAY(CredentialInfo) CredentialInfos;	/* v0+ */
} DescribeUserScramCredentialsResult;

typedef struct DescribeUserScramCredentialsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
	KARRAY(DescribeUserScramCredentialsResult) Results;	/* v0+ */
} DescribeUserScramCredentialsResponse;

/* AlterUserScramCredentialsRequest: api key 51, version 0, flexible 0+ */
typedef struct ScramCredentialDeletion
{
	KStr Name;	/* v0+ */
	int8 Mechanism;	/* v0+ */
} ScramCredentialDeletion;

typedef struct ScramCredentialUpsertion
{
	KStr Name;	/* v0+ */
	int8 Mechanism;	/* v0+ */
	int32 Iterations;	/* v0+ */
	KBytes Salt;	/* v0+ */
	KBytes SaltedPassword;	/* v0+ */
} ScramCredentialUpsertion;

typedef struct AlterUserScramCredentialsRequest
{
	KARRAY(ScramCredentialDeletion) Deletions;	/* v0+ */
	KARRAY(ScramCredentialUpsertion) Upsertions;	/* v0+ */
} AlterUserScramCredentialsRequest;

/* AlterUserScramCredentialsResponse: api key 51, version 0, flexible 0+ */
typedef struct AlterUserScramCredentialsResult
{
	KStr User;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	KStr ErrorMessage;	/* v0+, nullable v0+ */
} AlterUserScramCredentialsResult;

typedef struct AlterUserScramCredentialsResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	KARRAY(AlterUserScramCredentialsResult) Results;	/* v0+ */
} AlterUserScramCredentialsResponse;

/*
 * Schemas (messages.c), nested ones included: a handler that builds an
 * array element calls KafkaSetDefaults(&PartitionProduceResponse_schema, p).
 */
extern const KSchema ApiVersionsRequest_schema;
extern const KSchema ApiVersion_schema;
extern const KSchema SupportedFeatureKey_schema;
extern const KSchema FinalizedFeatureKey_schema;
extern const KSchema ApiVersionsResponse_schema;
extern const KSchema MetadataRequestTopic_schema;
extern const KSchema MetadataRequest_schema;
extern const KSchema MetadataResponseBroker_schema;
extern const KSchema MetadataResponsePartition_schema;
extern const KSchema MetadataResponseTopic_schema;
extern const KSchema MetadataResponse_schema;
extern const KSchema CreatableReplicaAssignment_schema;
extern const KSchema CreatableTopicConfig_schema;
extern const KSchema CreatableTopic_schema;
extern const KSchema CreateTopicsRequest_schema;
extern const KSchema CreatableTopicConfigs_schema;
extern const KSchema CreatableTopicResult_schema;
extern const KSchema CreateTopicsResponse_schema;
extern const KSchema DeleteTopicState_schema;
extern const KSchema DeleteTopicsRequest_schema;
extern const KSchema DeletableTopicResult_schema;
extern const KSchema DeleteTopicsResponse_schema;
extern const KSchema CreatePartitionsAssignment_schema;
extern const KSchema CreatePartitionsTopic_schema;
extern const KSchema CreatePartitionsRequest_schema;
extern const KSchema CreatePartitionsTopicResult_schema;
extern const KSchema CreatePartitionsResponse_schema;
extern const KSchema PartitionProduceData_schema;
extern const KSchema TopicProduceData_schema;
extern const KSchema ProduceRequest_schema;
extern const KSchema BatchIndexAndErrorMessage_schema;
extern const KSchema ProduceLeaderIdAndEpoch_schema;
extern const KSchema PartitionProduceResponse_schema;
extern const KSchema TopicProduceResponse_schema;
extern const KSchema ProduceNodeEndpoint_schema;
extern const KSchema ProduceResponse_schema;
extern const KSchema FetchReplicaState_schema;
extern const KSchema FetchPartition_schema;
extern const KSchema FetchTopic_schema;
extern const KSchema ForgottenTopic_schema;
extern const KSchema FetchRequest_schema;
extern const KSchema FetchEpochEndOffset_schema;
extern const KSchema FetchLeaderIdAndEpoch_schema;
extern const KSchema FetchSnapshotId_schema;
extern const KSchema AbortedTransaction_schema;
extern const KSchema PartitionData_schema;
extern const KSchema FetchableTopicResponse_schema;
extern const KSchema FetchNodeEndpoint_schema;
extern const KSchema FetchResponse_schema;
extern const KSchema ListOffsetsPartition_schema;
extern const KSchema ListOffsetsTopic_schema;
extern const KSchema ListOffsetsRequest_schema;
extern const KSchema ListOffsetsPartitionResponse_schema;
extern const KSchema ListOffsetsTopicResponse_schema;
extern const KSchema ListOffsetsResponse_schema;
extern const KSchema OffsetForLeaderPartition_schema;
extern const KSchema OffsetForLeaderTopic_schema;
extern const KSchema OffsetForLeaderEpochRequest_schema;
extern const KSchema EpochEndOffset_schema;
extern const KSchema OffsetForLeaderTopicResult_schema;
extern const KSchema OffsetForLeaderEpochResponse_schema;
extern const KSchema DeleteRecordsPartition_schema;
extern const KSchema DeleteRecordsTopic_schema;
extern const KSchema DeleteRecordsRequest_schema;
extern const KSchema DeleteRecordsPartitionResult_schema;
extern const KSchema DeleteRecordsTopicResult_schema;
extern const KSchema DeleteRecordsResponse_schema;
extern const KSchema DescribeConfigsResource_schema;
extern const KSchema DescribeConfigsRequest_schema;
extern const KSchema DescribeConfigsSynonym_schema;
extern const KSchema DescribeConfigsResourceResult_schema;
extern const KSchema DescribeConfigsResult_schema;
extern const KSchema DescribeConfigsResponse_schema;
extern const KSchema AlterableConfig_schema;
extern const KSchema AlterConfigsResource_schema;
extern const KSchema AlterConfigsRequest_schema;
extern const KSchema AlterConfigsResourceResponse_schema;
extern const KSchema AlterConfigsResponse_schema;
extern const KSchema IncrementalAlterableConfig_schema;
extern const KSchema IncrementalAlterConfigsResource_schema;
extern const KSchema IncrementalAlterConfigsRequest_schema;
extern const KSchema IncrementalAlterConfigsResourceResponse_schema;
extern const KSchema IncrementalAlterConfigsResponse_schema;
extern const KSchema ReassignablePartition_schema;
extern const KSchema ReassignableTopic_schema;
extern const KSchema AlterPartitionReassignmentsRequest_schema;
extern const KSchema ReassignablePartitionResponse_schema;
extern const KSchema ReassignableTopicResponse_schema;
extern const KSchema AlterPartitionReassignmentsResponse_schema;
extern const KSchema ListPartitionReassignmentsTopics_schema;
extern const KSchema ListPartitionReassignmentsRequest_schema;
extern const KSchema OngoingPartitionReassignment_schema;
extern const KSchema OngoingTopicReassignment_schema;
extern const KSchema ListPartitionReassignmentsResponse_schema;
extern const KSchema DescribeClusterRequest_schema;
extern const KSchema DescribeClusterBroker_schema;
extern const KSchema DescribeClusterResponse_schema;

extern const KSchema FindCoordinatorRequest_schema;
extern const KSchema Coordinator_schema;
extern const KSchema FindCoordinatorResponse_schema;
extern const KSchema JoinGroupRequestProtocol_schema;
extern const KSchema JoinGroupRequest_schema;
extern const KSchema JoinGroupResponseMember_schema;
extern const KSchema JoinGroupResponse_schema;
extern const KSchema HeartbeatRequest_schema;
extern const KSchema HeartbeatResponse_schema;
extern const KSchema MemberIdentity_schema;
extern const KSchema LeaveGroupRequest_schema;
extern const KSchema MemberResponse_schema;
extern const KSchema LeaveGroupResponse_schema;
extern const KSchema SyncGroupRequestAssignment_schema;
extern const KSchema SyncGroupRequest_schema;
extern const KSchema SyncGroupResponse_schema;
extern const KSchema OffsetCommitRequestPartition_schema;
extern const KSchema OffsetCommitRequestTopic_schema;
extern const KSchema OffsetCommitRequest_schema;
extern const KSchema OffsetCommitResponsePartition_schema;
extern const KSchema OffsetCommitResponseTopic_schema;
extern const KSchema OffsetCommitResponse_schema;
extern const KSchema OffsetFetchRequestTopic_schema;
extern const KSchema OffsetFetchRequestTopics_schema;
extern const KSchema OffsetFetchRequestGroup_schema;
extern const KSchema OffsetFetchRequest_schema;
extern const KSchema OffsetFetchResponsePartition_schema;
extern const KSchema OffsetFetchResponseTopic_schema;
extern const KSchema OffsetFetchResponsePartitions_schema;
extern const KSchema OffsetFetchResponseTopics_schema;
extern const KSchema OffsetFetchResponseGroup_schema;
extern const KSchema OffsetFetchResponse_schema;
extern const KSchema DescribeGroupsRequest_schema;
extern const KSchema DescribedGroupMember_schema;
extern const KSchema DescribedGroup_schema;
extern const KSchema DescribeGroupsResponse_schema;
extern const KSchema ListGroupsRequest_schema;
extern const KSchema ListedGroup_schema;
extern const KSchema ListGroupsResponse_schema;
extern const KSchema DeleteGroupsRequest_schema;
extern const KSchema DeletableGroupResult_schema;
extern const KSchema DeleteGroupsResponse_schema;
extern const KSchema InitProducerIdRequest_schema;
extern const KSchema InitProducerIdResponse_schema;
extern const KSchema OffsetDeleteRequestPartition_schema;
extern const KSchema OffsetDeleteRequestTopic_schema;
extern const KSchema OffsetDeleteRequest_schema;
extern const KSchema OffsetDeleteResponsePartition_schema;
extern const KSchema OffsetDeleteResponseTopic_schema;
extern const KSchema OffsetDeleteResponse_schema;
extern const KSchema SaslHandshakeRequest_schema;
extern const KSchema SaslHandshakeResponse_schema;
extern const KSchema SaslAuthenticateRequest_schema;
extern const KSchema SaslAuthenticateResponse_schema;
extern const KSchema DescribeAclsRequest_schema;
extern const KSchema AclDescription_schema;
extern const KSchema DescribeAclsResource_schema;
extern const KSchema DescribeAclsResponse_schema;
extern const KSchema AclCreation_schema;
extern const KSchema CreateAclsRequest_schema;
extern const KSchema AclCreationResult_schema;
extern const KSchema CreateAclsResponse_schema;
extern const KSchema DeleteAclsFilter_schema;
extern const KSchema DeleteAclsRequest_schema;
extern const KSchema DeleteAclsMatchingAcl_schema;
extern const KSchema DeleteAclsFilterResult_schema;
extern const KSchema DeleteAclsResponse_schema;
extern const KSchema UserName_schema;
extern const KSchema DescribeUserScramCredentialsRequest_schema;
extern const KSchema CredentialInfo_schema;
extern const KSchema DescribeUserScramCredentialsResult_schema;
extern const KSchema DescribeUserScramCredentialsResponse_schema;
extern const KSchema ScramCredentialDeletion_schema;
extern const KSchema ScramCredentialUpsertion_schema;
extern const KSchema AlterUserScramCredentialsRequest_schema;
extern const KSchema AlterUserScramCredentialsResult_schema;
extern const KSchema AlterUserScramCredentialsResponse_schema;

#endif							/* STRATA_KAFKA_MESSAGES_H */
