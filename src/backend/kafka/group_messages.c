/*-------------------------------------------------------------------------
 *
 * group_messages.c
 *	  Schemas of the group coordinator's Kafka messages declared in
 *	  include/kafka/group_messages.h.
 *
 *	  Same row format as messages.c: KFIELD(struct, field, type, first
 *	  version, last version, first nullable version, tag, nested schema,
 *	  default).  Facts are those of Apache Kafka 3.9's message definitions.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/group_messages.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/group_messages.h"

/* ---------- FindCoordinator ---------- */

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
	KFIELD(Coordinator, ErrorMessage, KT_STRING, 4, KV_MAX, 4, -1, NULL, KDEF_NULL),
};
const KSchema Coordinator_schema = KSCHEMA(Coordinator);

static const KField FindCoordinatorResponse_fields[] = {
	KFIELD(FindCoordinatorResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, ErrorCode, KT_INT16, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, ErrorMessage, KT_STRING, 1, 3, 1, -1, NULL, KDEF_NULL),
	KFIELD(FindCoordinatorResponse, NodeId, KT_INT32, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, Host, KT_STRING, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD(FindCoordinatorResponse, Port, KT_INT32, 0, 3, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(FindCoordinatorResponse, Coordinators, KT_STRUCT, 4, KV_MAX, KV_NONE, -1, &Coordinator_schema),
};
const KSchema FindCoordinatorResponse_schema = KSCHEMA(FindCoordinatorResponse);

/* ---------- JoinGroup ---------- */

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

/* ---------- SyncGroup ---------- */

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

/* ---------- Heartbeat ---------- */

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

/* ---------- LeaveGroup ---------- */

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
	KFIELD(MemberResponse, GroupInstanceId, KT_STRING, 3, KV_MAX, 3, -1, NULL, KDEF_NULL),
	KFIELD(MemberResponse, ErrorCode, KT_INT16, 3, KV_MAX, KV_NONE, -1, NULL, 0),
};
const KSchema MemberResponse_schema = KSCHEMA(MemberResponse);

static const KField LeaveGroupResponse_fields[] = {
	KFIELD(LeaveGroupResponse, ThrottleTimeMs, KT_INT32, 1, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD(LeaveGroupResponse, ErrorCode, KT_INT16, 0, KV_MAX, KV_NONE, -1, NULL, 0),
	KFIELD_ARRAY(LeaveGroupResponse, Members, KT_STRUCT, 3, KV_MAX, KV_NONE, -1, &MemberResponse_schema),
};
const KSchema LeaveGroupResponse_schema = KSCHEMA(LeaveGroupResponse);

/* ---------- OffsetCommit ---------- */

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

/* ---------- OffsetFetch ---------- */

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

/* ---------- DescribeGroups ---------- */

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

/* ---------- ListGroups ---------- */

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

/* ---------- DeleteGroups ---------- */

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

/* ---------- OffsetDelete ---------- */

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

/* ---------- InitProducerId ---------- */

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
