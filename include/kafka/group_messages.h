/*-------------------------------------------------------------------------
 *
 * group_messages.h
 *	  C structs for the group coordinator's Kafka messages: FindCoordinator,
 *	  JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
 *	  DescribeGroups, ListGroups, DeleteGroups, OffsetDelete and
 *	  InitProducerId, with their schemas in group_messages.c.
 *
 *	  Kept apart from messages.h (same conventions: Kafka's field names,
 *	  versions from Apache Kafka 3.9's message definitions, KStr/KBytes
 *	  borrowed from the frame, KARRAY items in the request arena) so that
 *	  the coordinator's messages merge without touching the shared file.
 *
 * include/kafka/group_messages.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_GROUP_MESSAGES_H
#define STRATA_KAFKA_GROUP_MESSAGES_H

#include "kafka/codec.h"

/* FindCoordinator: api key 10, versions 0-6, flexible 3+ */
typedef struct FindCoordinatorRequest
{
	KStr Key;	/* v0-3 */
	int8 KeyType;	/* v1+, default 0 (0 group, 1 transaction, 2 share) */
	KARRAY(KStr) CoordinatorKeys;	/* v4+ */
} FindCoordinatorRequest;

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
	KStr ErrorMessage;	/* v1-3, nullable 1-3 */
	int32 NodeId;	/* v0-3 */
	KStr Host;	/* v0-3 */
	int32 Port;	/* v0-3 */
	KARRAY(Coordinator) Coordinators;	/* v4+ */
} FindCoordinatorResponse;

/* JoinGroup: api key 11, versions 0-9, flexible 6+ */
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
	bool SkipAssignment;	/* v9+ */
	KStr MemberId;	/* v0+ */
	KARRAY(JoinGroupResponseMember) Members;	/* v0+ */
} JoinGroupResponse;

/* SyncGroup: api key 14, versions 0-5, flexible 4+ */
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

typedef struct SyncGroupResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0+ */
	KStr ProtocolType;	/* v5+, nullable v5+, default null */
	KStr ProtocolName;	/* v5+, nullable v5+, default null */
	KBytes Assignment;	/* v0+ */
} SyncGroupResponse;

/* Heartbeat: api key 12, versions 0-4, flexible 4+ */
typedef struct HeartbeatRequest
{
	KStr GroupId;	/* v0+ */
	int32 GenerationId;	/* v0+ */
	KStr MemberId;	/* v0+ */
	KStr GroupInstanceId;	/* v3+, nullable v3+, default null */
} HeartbeatRequest;

typedef struct HeartbeatResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	int16 ErrorCode;	/* v0+ */
} HeartbeatResponse;

/* LeaveGroup: api key 13, versions 0-5, flexible 4+ */
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

/* OffsetCommit: api key 8, versions 0-9, flexible 8+ */
typedef struct OffsetCommitRequestPartition
{
	int32 PartitionIndex;	/* v0+ */
	int64 CommittedOffset;	/* v0+ */
	int32 CommittedLeaderEpoch;	/* v6+, default -1 */
	int64 CommitTimestamp;	/* v1 only, default -1 */
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

/* OffsetFetch: api key 9, versions 0-9, flexible 6+ */
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
	bool RequireStable;	/* v7+ */
} OffsetFetchRequest;

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
	int16 ErrorCode;	/* v8+ */
} OffsetFetchResponseGroup;

typedef struct OffsetFetchResponse
{
	int32 ThrottleTimeMs;	/* v3+ */
	KARRAY(OffsetFetchResponseTopic) Topics;	/* v0-7 */
	int16 ErrorCode;	/* v2-7 */
	KARRAY(OffsetFetchResponseGroup) Groups;	/* v8+ */
} OffsetFetchResponse;

/* DescribeGroups: api key 15, versions 0-5, flexible 5+ */
typedef struct DescribeGroupsRequest
{
	KARRAY(KStr) Groups;	/* v0+ */
	bool IncludeAuthorizedOperations;	/* v3+ */
} DescribeGroupsRequest;

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
	int32 AuthorizedOperations;	/* v3+, default INT32_MIN */
} DescribedGroup;

typedef struct DescribeGroupsResponse
{
	int32 ThrottleTimeMs;	/* v1+ */
	KARRAY(DescribedGroup) Groups;	/* v0+ */
} DescribeGroupsResponse;

/* ListGroups: api key 16, versions 0-5, flexible 3+ */
typedef struct ListGroupsRequest
{
	KARRAY(KStr) StatesFilter;	/* v4+ */
	KARRAY(KStr) TypesFilter;	/* v5+ */
} ListGroupsRequest;

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

/* DeleteGroups: api key 42, versions 0-2, flexible 2+ */
typedef struct DeleteGroupsRequest
{
	KARRAY(KStr) GroupsNames;	/* v0+ */
} DeleteGroupsRequest;

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

/* OffsetDelete: api key 47, version 0, not flexible */
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

/* InitProducerId: api key 22, versions 0-5, flexible 2+ */
typedef struct InitProducerIdRequest
{
	KStr TransactionalId;	/* v0+, nullable v0+ */
	int32 TransactionTimeoutMs;	/* v0+ */
	int64 ProducerId;	/* v3+, default -1 */
	int16 ProducerEpoch;	/* v3+, default -1 */
} InitProducerIdRequest;

typedef struct InitProducerIdResponse
{
	int32 ThrottleTimeMs;	/* v0+ */
	int16 ErrorCode;	/* v0+ */
	int64 ProducerId;	/* v0+, default -1 */
	int16 ProducerEpoch;	/* v0+ */
} InitProducerIdResponse;

extern const KSchema FindCoordinatorRequest_schema;
extern const KSchema Coordinator_schema;
extern const KSchema FindCoordinatorResponse_schema;
extern const KSchema JoinGroupRequestProtocol_schema;
extern const KSchema JoinGroupRequest_schema;
extern const KSchema JoinGroupResponseMember_schema;
extern const KSchema JoinGroupResponse_schema;
extern const KSchema SyncGroupRequestAssignment_schema;
extern const KSchema SyncGroupRequest_schema;
extern const KSchema SyncGroupResponse_schema;
extern const KSchema HeartbeatRequest_schema;
extern const KSchema HeartbeatResponse_schema;
extern const KSchema MemberIdentity_schema;
extern const KSchema LeaveGroupRequest_schema;
extern const KSchema MemberResponse_schema;
extern const KSchema LeaveGroupResponse_schema;
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
extern const KSchema OffsetDeleteRequestPartition_schema;
extern const KSchema OffsetDeleteRequestTopic_schema;
extern const KSchema OffsetDeleteRequest_schema;
extern const KSchema OffsetDeleteResponsePartition_schema;
extern const KSchema OffsetDeleteResponseTopic_schema;
extern const KSchema OffsetDeleteResponse_schema;
extern const KSchema InitProducerIdRequest_schema;
extern const KSchema InitProducerIdResponse_schema;

#endif							/* STRATA_KAFKA_GROUP_MESSAGES_H */
