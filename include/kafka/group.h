/*-------------------------------------------------------------------------
 *
 * group.h
 *	  The group coordinator: consumer-group membership in shared memory.
 *
 *	  This broker is the coordinator of every group (as Metadata says it
 *	  leads every partition).  Groups and their members live in two fixed
 *	  tables in shared memory, sized by max_groups and max_group_members,
 *	  protected by one SMutex (GroupLock).  A JoinGroup or SyncGroup that
 *	  must wait for other members sleeps on its backend's latch; whoever
 *	  completes the round (the last member to join, the leader's SyncGroup,
 *	  a rebalance deadline passing in any waiting backend) sets the latches
 *	  of the waiting members.  Session timeouts are enforced by whoever next
 *	  touches the group and by the timers of waiting backends.
 *
 *	  Committed offsets are not here: they are in the catalog
 *	  (api_offsets.c).
 *
 * include/kafka/group.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_GROUP_H
#define STRATA_KAFKA_GROUP_H

#include "c.h"

#define GROUP_ID_MAX		255
#define GROUP_MEMBER_ID_MAX 255
#define GROUP_CLIENT_ID_MAX 127
#define GROUP_HOST_MAX		63
#define GROUP_PROTOCOL_MAX	63	/* protocol type and protocol names */
#define GROUP_MAX_PROTOCOLS 8
#define GROUP_METADATA_MAX	8192	/* all of one member's protocol metadata */
#define GROUP_ASSIGNMENT_MAX 8192

/* Kafka's group.min.session.timeout.ms and group.max.session.timeout.ms */
#define GROUP_MIN_SESSION_TIMEOUT 6000
#define GROUP_MAX_SESSION_TIMEOUT 1800000

typedef enum GroupState
{
	GROUP_EMPTY = 0,
	GROUP_PREPARING_REBALANCE,
	GROUP_COMPLETING_REBALANCE,
	GROUP_STABLE,
	GROUP_DEAD
} GroupState;

extern size_t GroupShmemSize(void);
extern void GroupShmemInit(void);

extern const char *GroupStateName(int state);

/*
 * For OffsetCommit: check that a commit by (member, generation) is allowed
 * now, creating the group (Empty) if it does not exist.  Returns a Kafka
 * error code.  Takes and releases GroupLock.
 */
extern int16 GroupValidateCommit(const char *group_id, const char *member_id,
								 const char *instance_id, int32 generation);

/*
 * Does the group exist in memory, and how many members has it?  *members
 * gets the count, -1 if the group is unknown.  If topic is not NULL,
 * *subscribed says whether any member's consumer subscription names it.
 */
extern bool GroupInfo(const char *group_id, int *members, const char *topic, bool *subscribed);

/* Forget an empty group (DeleteGroups).  False if it has members. */
extern bool GroupForget(const char *group_id);

/*
 * Forget every group whose coordinator slot (of nslots) is flagged in moved:
 * the slot moved to another broker.
 */
extern void GroupForgetSlots(const bool *moved, int nslots);

/* A member as recorded in strata.group_members. */
typedef struct GroupSnapshotMember
{
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	char		instance_id[GROUP_MEMBER_ID_MAX + 1];
	bool		has_instance;
	char		client_id[GROUP_CLIENT_ID_MAX + 1];
	char		client_host[GROUP_HOST_MAX + 1];
	int32		session_timeout;
	int32		rebalance_timeout;
} GroupSnapshotMember;

/*
 * api_offsets.c: record a group's state and members in the catalog (the
 * operator views), run by the backend whose SyncGroup made the group
 * Stable, without GroupLock.  Failures are logged only.
 */
extern void GroupCatalogRecord(const char *group_id, const char *protocol_type,
							   const char *protocol, int32 generation, const char *state,
							   int nmembers, const GroupSnapshotMember *members);

/*
 * The metrics exporter: how many groups are in each GroupState (counts has
 * GROUP_DEAD + 1 entries) and how many members they have.  Takes GroupLock.
 */
extern void GroupCountStates(int64 *counts, int64 *members);

/* Milliseconds on a clock shared by all processes (CLOCK_MONOTONIC). */
extern int64 GroupNowMs(void);

#endif							/* STRATA_KAFKA_GROUP_H */
