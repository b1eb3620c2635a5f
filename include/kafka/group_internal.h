/*-------------------------------------------------------------------------
 *
 * group_internal.h
 *	  The group coordinator's shared-memory state and the state machine
 *	  over it (kafka/group.c), for its request handlers (kafka/api_group.c).
 *	  Everybody else uses kafka/group.h.
 *
 *	  Locking: all of it is under one SMutex, GroupLock
 *	  (GroupLockAcquire/GroupLockRelease).  Every function below but
 *	  GroupLockAcquire runs with it held; GroupWait releases it while it
 *	  sleeps.  Nothing may raise ERROR while it is held (utils/elog.h):
 *	  responses built under it are allocated with KafkaLockedBuild.
 *	  Backends run all of this; the state lives in shared memory.
 *
 * include/kafka/group_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_GROUP_INTERNAL_H
#define STRATA_KAFKA_GROUP_INTERNAL_H

#include "c.h"

#include "kafka/group.h"
#include "kafka/messages.h"
#include "storage/latch.h"
#include "storage/spin.h"

/* A member slot; group == -1 when free. */
typedef struct GroupMember
{
	int32		group;			/* index of its group, -1: slot free */
	bool		pending;		/* KIP-394: id handed out, not joined yet */
	bool		joined;			/* rejoined in the current round */
	bool		join_ready;		/* a JoinGroup answer is owed (round done) */
	bool		in_join;		/* its backend is waiting in JoinGroup */
	Latch	   *waiter;			/* latch of a backend waiting for it */
	int64		deadline;		/* session expiry (GroupNowMs) */
	int32		session_timeout;
	int32		rebalance_timeout;
	bool		has_instance;
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	char		instance_id[GROUP_MEMBER_ID_MAX + 1];
	char		client_id[GROUP_CLIENT_ID_MAX + 1];
	char		client_host[GROUP_HOST_MAX + 1];
	int32		nprotocols;
	char		protocols[GROUP_MAX_PROTOCOLS][GROUP_PROTOCOL_MAX + 1];
	int32		meta_off[GROUP_MAX_PROTOCOLS];
	int32		meta_len[GROUP_MAX_PROTOCOLS];
	uint8		meta[GROUP_METADATA_MAX];
	int32		assignment_len;
	uint8		assignment[GROUP_ASSIGNMENT_MAX];
} GroupMember;

/* A group slot. */
typedef struct Group
{
	bool		in_use;
	int32		state;			/* GroupState */
	int32		generation;
	int32		leader;			/* member slot, -1: none */
	int64		rebalance_deadline;
	/* group_initial_rebalance_delay: the first round of an Empty group */
	bool		initial_delay;	/* the round waits until delay_until */
	bool		new_member_added;	/* a member joined during the delay */
	int64		delay_until;
	int64		delay_remaining;	/* what the rebalance timeout leaves */
	char		group_id[GROUP_ID_MAX + 1];
	char		protocol_type[GROUP_PROTOCOL_MAX + 1];
	char		protocol[GROUP_PROTOCOL_MAX + 1];	/* "" until chosen */
} Group;

/* The header: GroupLock and the number of slots. */
typedef struct GroupShared
{
	SMutex		lock;
	int32		ngroups;
	int32		nmembers;
} GroupShared;


extern GroupShared *GroupShm;
extern Group *GroupSlots;			/* GroupShm->ngroups of them */
extern GroupMember *MemberSlots;	/* GroupShm->nmembers of them */

extern void GroupLockAcquire(void);
extern void GroupLockRelease(void);

/* Slots: lookups by id, -1 if none; creation, -1 if full. */
extern int	GroupLookup(const char *id);
extern int	GroupCreate(const char *id);
extern int	GroupMemberLookup(int g, const char *member_id);
extern int	GroupMemberByInstance(int g, const char *instance_id);
extern int	GroupMemberAlloc(int g);
/* Members of group g that have joined (not pending). */
extern int	GroupMemberCount(int g);
/* A member id: the client id (shortened) and a random UUID, as Kafka does. */
extern void GroupNewMemberId(char *buf, size_t cap, const char *client_id);

/* Wake the backend waiting for member m, if any. */
extern void GroupWakeMember(GroupMember *m);
/* Start a rebalance round: every member must rejoin by the deadline. */
extern void GroupPrepareRebalance(int g, int64 now);
/* Finish the round of group g if it is complete or its deadline passed. */
extern void GroupCheckJoinComplete(int g, int64 now);
/* Remove member mi; with rebalance, the group rebalances (or empties). */
extern void GroupMemberRemove(int mi, int64 now, bool rebalance);
/* Remove the members of group g whose session expired. */
extern void GroupExpire(int g, int64 now);
/*
 * Sleep on this backend's latch, with GroupLock released, until woken or
 * group g's next deadline; false if the broker is shutting down.
 */
extern bool GroupWait(int g, GroupMember *m);

/* A member's protocols: index of name, -1 if it has none of that name. */
extern int	GroupMemberProtocol(GroupMember *m, const char *name);
/* Store a JoinGroup's protocols in m; false if they are too large. */
extern bool GroupMemberSetProtocols(GroupMember *m, const JoinGroupRequest *req);
extern bool GroupMemberProtocolsEqual(GroupMember *m, const JoinGroupRequest *req);
/* Does req share a protocol with every member of g but self? */
extern bool GroupProtocolsCompatible(int g, const JoinGroupRequest *req, int self);

#endif							/* STRATA_KAFKA_GROUP_INTERNAL_H */
