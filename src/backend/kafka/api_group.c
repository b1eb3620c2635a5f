/*-------------------------------------------------------------------------
 *
 * api_group.c
 *	  The group coordinator's requests: FindCoordinator, JoinGroup,
 *	  SyncGroup, Heartbeat, LeaveGroup, DescribeGroups and ListGroups, over
 *	  the state machine of kafka/group.c (whose banner describes the
 *	  rebalance protocol).  DeleteGroups and the offsets APIs are in
 *	  api_offsets.c.
 *
 *	  Each handler runs in a backend and takes GroupLock for the group it
 *	  serves; what it puts in the response while holding the lock is
 *	  allocated through a KafkaLockedBuild, and an arena that ran out is
 *	  raised as an ERROR once the lock is released (group_unlock_build).
 *
 *	  Authorisation (kafka/authorizer.h), as Kafka: READ on the group to
 *	  join, sync, heartbeat or leave, DESCRIBE to find its coordinator or
 *	  describe it (GROUP_AUTHORIZATION_FAILED otherwise); ListGroups lists
 *	  every group for DESCRIBE on the cluster, else only those the
 *	  principal may describe.  Decisions are made before GroupLock is
 *	  taken, except ListGroups' filter, which neither logs nor allocates.
 *
 * src/backend/kafka/api_group.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog_groups.h"
#include "kafka/authorizer.h"
#include "kafka/backend.h"
#include "kafka/cluster.h"
#include "kafka/group_internal.h"
#include "kafka/handlers.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "utils/guc.h"

/*
 * Release GroupLock after building (part of) a response under it: now an
 * arena that ran out may raise its ERROR (see KafkaLockedBuild).
 */
static void
group_unlock_build(KafkaLockedBuild *b)
{
	GroupLockRelease();
	KafkaLockedBuildEnd(b);
}

/* Fill a JoinGroup answer for member mi of group g (round complete); GroupLock held. */
static void
join_response(KafkaLockedBuild *b, int16 version, int g, int mi, JoinGroupResponse *resp, bool leader_gets_members)
{
	Group	   *grp = &GroupSlots[g];
	GroupMember *m = &MemberSlots[mi];

	resp->ErrorCode = KAFKA_ERR_NONE;
	resp->GenerationId = grp->generation;
	resp->ProtocolType = LockedStr(b, grp->protocol_type);
	resp->ProtocolName = LockedStr(b, grp->protocol);
	resp->Leader = grp->leader >= 0 ? LockedStr(b, MemberSlots[grp->leader].member_id) : KSTR_LIT("");
	resp->MemberId = LockedStr(b, m->member_id);
	if (grp->leader == mi && leader_gets_members)
	{
		int			n = GroupMemberCount(g),
					k = 0;
		JoinGroupResponseMember *items = LockedResponseArray(b, &JoinGroupResponseMember_schema, n);

		for (int i = 0; i < GroupShm->nmembers && k < n && items != NULL; i++)
		{
			GroupMember *o = &MemberSlots[i];
			int			p;

			if (o->group != g || o->pending)
				continue;
			p = GroupMemberProtocol(o, grp->protocol);
			items[k].MemberId = LockedStr(b, o->member_id);
			items[k].GroupInstanceId = o->has_instance ? LockedStr(b, o->instance_id) : KSTR_NULL;
			items[k].Metadata = p >= 0 ? LockedBytes(b, o->meta + o->meta_off[p], o->meta_len[p])
				: LockedBytes(b, NULL, 0);
			k++;
		}
		resp->Members.items = items;
		resp->Members.count = k;
	}
	(void) version;
}

/* ---------- FindCoordinator ---------- */

/* DESCRIBE on the group or transactional id whose coordinator is asked for. */
static int16
coordinator_access(int8 key_type, KStr key)
{
	if (key_type == 0 && !KafkaAuthorizeGroup(key, ACL_OP_DESCRIBE))
		return KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
	if (key_type == 1 &&
		!KafkaAuthorize(ACL_RESOURCE_TRANSACTIONAL_ID, key.ptr ? key.ptr : "", Max(key.len, 0), ACL_OP_DESCRIBE))
		return KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
	return KAFKA_ERR_NONE;
}

/*
 * The coordinator of one key: the leader of the key's coordinator slot
 * (kafka/cluster.h), with its address on the listener the client came in
 * by.  Transactional ids use the same slots as groups.
 */
static void
find_coordinator(KArena *arena, int8 key_type, KStr key, int16 *err, KStr *msg,
				 int32 *node, KStr *host, int32 *port)
{
	char		h[256];
	int32		leader = -1;

	*err = KAFKA_ERR_NONE;
	*msg = KSTR_NULL;
	/* Key types: 0 group, 1 transaction; 2 (share groups) is not served. */
	if (key_type != 0 && key_type != 1)
	{
		*err = KAFKA_ERR_INVALID_REQUEST;
		*msg = KArenaPrintf(arena, "Coordinator key type %d is not supported", key_type);
	}
	else if (key.len <= 0)
		*err = KAFKA_ERR_INVALID_REQUEST;	/* as Kafka answers an empty key */
	else if ((*err = coordinator_access(key_type, key)) != KAFKA_ERR_NONE)
		;
	else
	{
		leader = ClusterCoordinatorFor(key.ptr, (size_t) key.len);
		if (leader == (int32) broker_id)
			KafkaAdvertisedAddress(h, sizeof(h), port);
		else if (leader < 0 || !ClusterBrokerAddress(leader, MyListenerName, h, sizeof(h), port))
		{
			*err = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
			*msg = KSTR_LIT("The coordinator is moving to another broker; retry");
		}
	}
	*node = *err ? -1 : leader;
	*host = *err ? KSTR_LIT("") : KStrArena(arena, h);
	if (*err)
		*port = -1;
}

bool
KafkaHandleFindCoordinator(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const FindCoordinatorRequest *req = reqp;
	FindCoordinatorResponse *resp = respp;

	if (h->api_version < 4)
	{
		find_coordinator(&conn->arena, h->api_version >= 1 ? req->KeyType : 0, req->Key,
						 &resp->ErrorCode, &resp->ErrorMessage, &resp->NodeId, &resp->Host, &resp->Port);
		return true;
	}
	if (req->CoordinatorKeys.count > 0)
	{
		int32		n = req->CoordinatorKeys.count;
		Coordinator *c = KafkaResponseArray(&conn->arena, &Coordinator_schema, n);

		for (int i = 0; i < n; i++)
		{
			c[i].Key = req->CoordinatorKeys.items[i];
			find_coordinator(&conn->arena, req->KeyType, c[i].Key, &c[i].ErrorCode, &c[i].ErrorMessage,
							 &c[i].NodeId, &c[i].Host, &c[i].Port);
		}
		resp->Coordinators.items = c;
		resp->Coordinators.count = n;
	}
	return true;
}

/* ---------- JoinGroup ---------- */

/*
 * JoinGroup in steps: check and copy the request (join_read), then under
 * GroupLock find the group and the member (join_find), give a static member
 * back its slot (join_static_rejoin), add a new member or update a known
 * one (join_new_member, join_known_member), and enter the rebalance round
 * and wait for it to complete (join_round).  Every step returns true once
 * the response is complete, and the steps after it are skipped.
 */
typedef struct JoinState
{
	/* the request, checked and copied out of the frame */
	const JoinGroupRequest *req;
	int16		version;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	char		instance_id[GROUP_MEMBER_ID_MAX + 1];
	char		protocol_type[GROUP_PROTOCOL_MAX + 1];
	char		client_id[GROUP_CLIENT_ID_MAX + 1];
	bool		has_instance;
	int32		rebalance_timeout;
	/* found under GroupLock */
	int64		now;
	int			g;
	int			mi;				/* member slot, -1 until found or added */
	bool		added;			/* a new member joins for real */
} JoinState;

/* Check the request and copy what the steps need; true if answered. */
static bool
join_read(const KafkaRequestHeader *h, const JoinGroupRequest *req, JoinState *js,
		  JoinGroupResponse *resp)
{
	js->req = req;
	js->version = h->api_version;
	js->has_instance = req->GroupInstanceId.len >= 0;
	js->rebalance_timeout = h->api_version >= 1 ? req->RebalanceTimeoutMs : req->SessionTimeoutMs;
	if (js->rebalance_timeout <= 0)
		js->rebalance_timeout = req->SessionTimeoutMs;
	js->mi = -1;
	js->added = false;
	if (req->GroupId.len <= 0 || !KStrCopy(js->group_id, sizeof(js->group_id), req->GroupId))
		resp->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
	else if ((resp->ErrorCode = ClusterCoordinatorError(js->group_id, strlen(js->group_id))) != KAFKA_ERR_NONE)
		;
	else if (req->SessionTimeoutMs < GROUP_MIN_SESSION_TIMEOUT ||
			 req->SessionTimeoutMs > GROUP_MAX_SESSION_TIMEOUT)
		resp->ErrorCode = KAFKA_ERR_INVALID_SESSION_TIMEOUT;
	else if (req->ProtocolType.len <= 0 || req->Protocols.count <= 0 ||
			 !KStrCopy(js->protocol_type, sizeof(js->protocol_type), req->ProtocolType))
		resp->ErrorCode = KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
	else if (!KStrCopy(js->member_id, sizeof(js->member_id), req->MemberId) ||
			 !KStrCopy(js->instance_id, sizeof(js->instance_id), req->GroupInstanceId))
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else if (js->has_instance && js->instance_id[0] == '\0')
		resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
	if (resp->ErrorCode != KAFKA_ERR_NONE)
		return true;

	js->client_id[0] = '\0';
	if (h->client_id.len > 0)
	{
		int32		n = Min(h->client_id.len, GROUP_CLIENT_ID_MAX);

		memcpy(js->client_id, h->client_id.ptr, (size_t) n);
		js->client_id[n] = '\0';
		for (int i = 0; i < n; i++)
			if (js->client_id[i] == '\0')
				js->client_id[i] = '_';
	}
	return false;
}

/* Find or create the group, find a known member; true if answered. */
static bool
join_find(JoinState *js, JoinGroupResponse *resp)
{
	int			g;

	js->now = GroupNowMs();
	g = GroupLookup(js->group_id);
	if (g < 0 && (g = GroupCreate(js->group_id)) < 0)
	{
		elog(LOG, "group coordinator full: %d groups (raise max_groups)", (int) max_groups);
		resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
		return true;
	}
	js->g = g;
	GroupExpire(g, js->now);

	js->mi = js->member_id[0] ? GroupMemberLookup(g, js->member_id) : -1;
	if (js->member_id[0] && js->mi < 0)
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else if (GroupMemberCount(g) > 0 &&
			 (strcmp(GroupSlots[g].protocol_type, js->protocol_type) != 0 ||
			  !GroupProtocolsCompatible(g, js->req, js->mi)))
		resp->ErrorCode = KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
	return resp->ErrorCode != KAFKA_ERR_NONE;
}

/* The timeouts, client and host of a joining member. */
static void
member_set_session(GroupMember *m, const JoinState *js)
{
	m->session_timeout = js->req->SessionTimeoutMs;
	m->rebalance_timeout = js->rebalance_timeout;
	m->deadline = js->now + js->req->SessionTimeoutMs;
	strlcpy_s(m->client_id, js->client_id, sizeof(m->client_id));
	strlcpy_s(m->client_host, MyClientAddr, sizeof(m->client_host));
}

/*
 * A static member (group.instance.id) back after a restart takes over its
 * old slot under a new member id, fencing the old one; with the same
 * protocols in a Stable group nothing else changes and it is answered at
 * once.  True if answered.
 */
static bool
join_static_rejoin(KafkaLockedBuild *b, JoinState *js, JoinGroupResponse *resp)
{
	Group	   *grp = &GroupSlots[js->g];
	GroupMember *m;
	int			si;

	if (!js->has_instance)
		return false;
	si = GroupMemberByInstance(js->g, js->instance_id);
	if (si < 0)
		return false;
	if (js->member_id[0])
	{
		if (si != js->mi)
		{
			resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
			return true;
		}
		return false;
	}
	m = &MemberSlots[si];
	GroupWakeMember(m);
	GroupNewMemberId(m->member_id, sizeof(m->member_id), js->client_id);
	m->waiter = NULL;
	member_set_session(m, js);
	if (grp->state == GROUP_STABLE && GroupMemberProtocolsEqual(m, js->req))
	{
		elog(LOG, "group \"%s\": static member \"%s\" rejoined as %s without a rebalance",
			 js->group_id, js->instance_id, m->member_id);
		join_response(b, js->version, js->g, si, resp, true);
		if (grp->leader == si && js->version >= 9)
			resp->SkipAssignment = true;
		return true;
	}
	js->mi = si;
	return false;
}

/*
 * A member the group does not know yet.  With v4+ and no instance id it is
 * only given its id (KIP-394: MEMBER_ID_REQUIRED) and stays pending until
 * it joins again with it.  True if answered.
 */
static bool
join_new_member(KafkaLockedBuild *b, JoinState *js, JoinGroupResponse *resp)
{
	GroupMember *m;

	js->added = true;
	js->mi = GroupMemberAlloc(js->g);
	if (js->mi < 0)
	{
		elog(LOG, "group coordinator full: %d members (raise max_group_members)", (int) max_group_members);
		resp->ErrorCode = KAFKA_ERR_GROUP_MAX_SIZE_REACHED;
		return true;
	}
	m = &MemberSlots[js->mi];
	GroupNewMemberId(m->member_id, sizeof(m->member_id), js->client_id);
	m->has_instance = js->has_instance;
	strlcpy_s(m->instance_id, js->instance_id, sizeof(m->instance_id));
	member_set_session(m, js);
	if (!GroupMemberSetProtocols(m, js->req))
	{
		m->group = -1;
		resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
		return true;
	}
	if (!js->has_instance && js->version >= 4)
	{
		m->pending = true;
		resp->MemberId = LockedStr(b, m->member_id);
		resp->ErrorCode = KAFKA_ERR_MEMBER_ID_REQUIRED;
		return true;
	}
	return false;
}

/*
 * A member the group knows.  If nothing changed and the round is decided,
 * it is answered with the current generation.  True if answered.
 */
static bool
join_known_member(KafkaLockedBuild *b, JoinState *js, JoinGroupResponse *resp)
{
	Group	   *grp = &GroupSlots[js->g];
	GroupMember *m = &MemberSlots[js->mi];

	if (js->has_instance && (!m->has_instance || strcmp(m->instance_id, js->instance_id) != 0))
	{
		resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
		return true;
	}
	m->session_timeout = js->req->SessionTimeoutMs;
	m->rebalance_timeout = js->rebalance_timeout;
	m->deadline = js->now + js->req->SessionTimeoutMs;
	if (!m->pending && GroupMemberProtocolsEqual(m, js->req) &&
		((grp->state == GROUP_COMPLETING_REBALANCE) ||
		 (grp->state == GROUP_STABLE && grp->leader != js->mi)))
	{
		join_response(b, js->version, js->g, js->mi, resp,
					  grp->state == GROUP_COMPLETING_REBALANCE);
		return true;
	}
	if (!GroupMemberSetProtocols(m, js->req))
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
		return true;
	}
	if (m->pending)
		js->added = true;
	m->pending = false;
	return false;
}

/*
 * Join the rebalance round (starting one if the group is not in one) and
 * wait, releasing GroupLock while asleep, until the round completes; then
 * answer.
 */
static void
join_round(KafkaLockedBuild *b, JoinState *js, JoinGroupResponse *resp)
{
	int			g = js->g;
	Group	   *grp = &GroupSlots[g];
	GroupMember *m = &MemberSlots[js->mi];
	char		my_id[GROUP_MEMBER_ID_MAX + 1];

	if (GroupMemberCount(g) <= 1 || grp->protocol_type[0] == '\0')
		strlcpy_s(grp->protocol_type, js->protocol_type, sizeof(grp->protocol_type));
	m->joined = true;
	m->join_ready = false;
	/* Kafka extends the initial delay only for a group's first generation. */
	if (js->added && grp->state == GROUP_PREPARING_REBALANCE && grp->initial_delay && grp->generation == 0)
		grp->new_member_added = true;
	if (grp->state != GROUP_PREPARING_REBALANCE)
		GroupPrepareRebalance(g, js->now);
	m->joined = true;
	GroupCheckJoinComplete(g, js->now);

	strlcpy_s(my_id, m->member_id, sizeof(my_id));
	m->in_join = true;
	for (;;)
	{
		if (m->group != g || strcmp(m->member_id, my_id) != 0)
		{
			/* Gone: its coordinator slot moved away (GroupForgetSlots), or fenced. */
			resp->ErrorCode = ClusterCoordinatorError(js->group_id, strlen(js->group_id));
			if (resp->ErrorCode == KAFKA_ERR_NONE)
				resp->ErrorCode = js->has_instance ? KAFKA_ERR_FENCED_INSTANCE_ID : KAFKA_ERR_UNKNOWN_MEMBER_ID;
			break;
		}
		if (m->join_ready)
		{
			m->join_ready = false;
			join_response(b, js->version, g, js->mi, resp, true);
			break;
		}
		if (grp->state != GROUP_PREPARING_REBALANCE)
		{
			/* The round ended without us (group emptied). */
			resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
			break;
		}
		if (!GroupWait(g, m))
		{
			resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
			break;
		}
		/* Our own member is skipped: it has a waiter. */
		GroupExpire(g, GroupNowMs());
	}
	if (m->group == g && strcmp(m->member_id, my_id) == 0)
	{
		m->waiter = NULL;
		m->in_join = false;
		m->deadline = GroupNowMs() + m->session_timeout;
	}
}

bool
KafkaHandleJoinGroup(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	KafkaLockedBuild b = KAFKA_LOCKED_BUILD(conn);
	const JoinGroupRequest *req = reqp;
	JoinGroupResponse *resp = respp;
	JoinState	js;

	resp->MemberId = req->MemberId;
	resp->ProtocolName = h->api_version >= 7 ? KSTR_NULL : KSTR_LIT("");
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	if (join_read(h, req, &js, resp))
		return true;
	GroupLockAcquire();
	if (!join_find(&js, resp) &&
		!join_static_rejoin(&b, &js, resp) &&
		!(js.mi < 0 ? join_new_member(&b, &js, resp) : join_known_member(&b, &js, resp)))
		join_round(&b, &js, resp);
	group_unlock_build(&b);
	return true;
}

/* ---------- SyncGroup ---------- */

/*
 * The common start of SyncGroup and Heartbeat: copy the group and member
 * ids out of the request, take the group lock and find the group.  Returns
 * the group's index with the lock held, or -1 with *err set and the lock
 * not held.  group_id and member_id must hold GROUP_ID_MAX + 1 and
 * GROUP_MEMBER_ID_MAX + 1 bytes.
 */
static int
group_enter(KStr group, KStr member, char *group_id, char *member_id, int64 *now, int16 *err)
{
	int			g;

	if (!KStrCopy(group_id, GROUP_ID_MAX + 1, group) || group_id[0] == '\0')
	{
		*err = KAFKA_ERR_INVALID_GROUP_ID;
		return -1;
	}
	if ((*err = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
		return -1;
	if (!KStrCopy(member_id, GROUP_MEMBER_ID_MAX + 1, member))
	{
		*err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		return -1;
	}
	GroupLockAcquire();
	*now = GroupNowMs();
	g = GroupLookup(group_id);
	if (g < 0)
	{
		GroupLockRelease();
		*err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	}
	return g;
}

/* What the leader's SyncGroup records in the catalog for the operator views. */
typedef struct SyncSnapshot
{
	GroupSnapshotMember *members;	/* NULL: nothing to record */
	int			n;
	char		protocol_type[GROUP_PROTOCOL_MAX + 1];
	char		protocol[GROUP_PROTOCOL_MAX + 1];
	int32		generation;
} SyncSnapshot;

/* May member mi of group g sync (the request's ids, generation, protocol)? */
static int16
sync_check(const SyncGroupRequest *req, int g, int mi)
{
	Group	   *grp = &GroupSlots[g];
	GroupMember *m;

	if (mi < 0 || MemberSlots[mi].pending)
		return KAFKA_ERR_UNKNOWN_MEMBER_ID;
	m = &MemberSlots[mi];
	if (req->GroupInstanceId.len >= 0 &&
		(!m->has_instance || !KStrEq(req->GroupInstanceId, m->instance_id)))
		return KAFKA_ERR_FENCED_INSTANCE_ID;
	if (req->GenerationId != grp->generation)
		return KAFKA_ERR_ILLEGAL_GENERATION;
	if ((req->ProtocolType.len >= 0 && !KStrEq(req->ProtocolType, grp->protocol_type)) ||
		(req->ProtocolName.len >= 0 && !KStrEq(req->ProtocolName, grp->protocol)))
		return KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
	return KAFKA_ERR_NONE;
}

/*
 * The leader's SyncGroup: store every member's assignment, make the group
 * Stable and release the followers waiting for it; snap gets what the
 * catalog is to record.  An assignment too large starts a new round and
 * is answered with INVALID_REQUEST.
 */
static int16
sync_store_assignments(KafkaLockedBuild *b, const SyncGroupRequest *req, const char *group_id,
					   int g, int64 now, SyncSnapshot *snap)
{
	Group	   *grp = &GroupSlots[g];

	for (int i = 0; i < req->Assignments.count; i++)
	{
		const SyncGroupRequestAssignment *a = &req->Assignments.items[i];
		char		id[GROUP_MEMBER_ID_MAX + 1];
		int			oi;

		if (!KStrCopy(id, sizeof(id), a->MemberId) || (oi = GroupMemberLookup(g, id)) < 0)
			continue;
		if (a->Assignment.len > GROUP_ASSIGNMENT_MAX)
		{
			elog(LOG, "group \"%s\": assignment of %d bytes for %s exceeds %d bytes",
				 group_id, a->Assignment.len, id, GROUP_ASSIGNMENT_MAX);
			GroupPrepareRebalance(g, now);
			return KAFKA_ERR_INVALID_REQUEST;
		}
		MemberSlots[oi].assignment_len = Max(a->Assignment.len, 0);
		if (a->Assignment.len > 0)
			memcpy(MemberSlots[oi].assignment, a->Assignment.ptr, (size_t) a->Assignment.len);
	}
	grp->state = GROUP_STABLE;
	snap->members = LockedArray(b, GroupMemberCount(g), sizeof(GroupSnapshotMember));
	strlcpy_s(snap->protocol_type, grp->protocol_type, sizeof(snap->protocol_type));
	strlcpy_s(snap->protocol, grp->protocol, sizeof(snap->protocol));
	snap->generation = grp->generation;
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *o = &MemberSlots[i];
		GroupSnapshotMember *sm;

		if (o->group != g || o->pending)
			continue;
		o->deadline = now + o->session_timeout;
		GroupWakeMember(o);
		if (snap->members == NULL)
			continue;			/* the arena ran out: b->failed */
		sm = &snap->members[snap->n++];
		strlcpy_s(sm->member_id, o->member_id, sizeof(sm->member_id));
		strlcpy_s(sm->instance_id, o->instance_id, sizeof(sm->instance_id));
		sm->has_instance = o->has_instance;
		strlcpy_s(sm->client_id, o->client_id, sizeof(sm->client_id));
		strlcpy_s(sm->client_host, o->client_host, sizeof(sm->client_host));
		sm->session_timeout = o->session_timeout;
		sm->rebalance_timeout = o->rebalance_timeout;
	}
	return KAFKA_ERR_NONE;
}

/*
 * Wait (GroupLock released while asleep) until the group is Stable, then
 * answer with member mi's assignment; or until the round is lost.
 */
static void
sync_wait(KafkaLockedBuild *b, int g, int mi, const char *member_id, SyncGroupResponse *resp)
{
	Group	   *grp = &GroupSlots[g];
	GroupMember *m = &MemberSlots[mi];
	int32		gen = grp->generation;

	for (;;)
	{
		int64		now;

		if (m->group != g || strcmp(m->member_id, member_id) != 0)
		{
			/* Gone: its coordinator slot moved away (GroupForgetSlots), or removed. */
			resp->ErrorCode = ClusterCoordinatorError(grp->group_id, strlen(grp->group_id));
			if (resp->ErrorCode == KAFKA_ERR_NONE)
				resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
			break;
		}
		if (grp->generation != gen || grp->state == GROUP_PREPARING_REBALANCE ||
			grp->state == GROUP_EMPTY)
		{
			m->waiter = NULL;
			resp->ErrorCode = KAFKA_ERR_REBALANCE_IN_PROGRESS;
			break;
		}
		if (grp->state == GROUP_STABLE)
		{
			m->waiter = NULL;
			resp->ErrorCode = KAFKA_ERR_NONE;
			resp->Assignment = LockedBytes(b, m->assignment, m->assignment_len);
			resp->ProtocolType = LockedStr(b, grp->protocol_type);
			resp->ProtocolName = LockedStr(b, grp->protocol);
			break;
		}
		/* CompletingRebalance: wait for the leader's SyncGroup. */
		if (!GroupWait(g, m))
		{
			resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
			break;
		}
		now = GroupNowMs();
		if (m->group == g && strcmp(m->member_id, member_id) == 0)
			m->deadline = now + m->session_timeout;
		GroupExpire(g, now);
	}
	if (m->group == g && strcmp(m->member_id, member_id) == 0)
		m->waiter = NULL;
}

bool
KafkaHandleSyncGroup(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	KafkaLockedBuild b = KAFKA_LOCKED_BUILD(conn);
	const SyncGroupRequest *req = reqp;
	SyncGroupResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	int			g,
				mi;
	int64		now;
	SyncSnapshot snap = {0};

	resp->Assignment = KBytesArena(&conn->arena, NULL, 0);
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	g = group_enter(req->GroupId, req->MemberId, group_id, member_id, &now, &resp->ErrorCode);
	if (g < 0)
		return true;
	GroupExpire(g, now);
	mi = GroupMemberLookup(g, member_id);
	resp->ErrorCode = sync_check(req, g, mi);
	if (resp->ErrorCode == KAFKA_ERR_NONE)
	{
		Group	   *grp = &GroupSlots[g];

		MemberSlots[mi].deadline = now + MemberSlots[mi].session_timeout;
		if (grp->state == GROUP_COMPLETING_REBALANCE && grp->leader == mi)
			resp->ErrorCode = sync_store_assignments(&b, req, group_id, g, now, &snap);
		if (resp->ErrorCode == KAFKA_ERR_NONE)
			sync_wait(&b, g, mi, member_id, resp);
	}
	group_unlock_build(&b);
	/* The operator views: this generation's state and members. */
	if (snap.members != NULL)
		GroupCatalogRecord(group_id, snap.protocol_type, snap.protocol, snap.generation,
						   "Stable", snap.n, snap.members);
	return true;
}

/* ---------- Heartbeat ---------- */

bool
KafkaHandleHeartbeat(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	const HeartbeatRequest *req = reqp;
	HeartbeatResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	int			g,
				mi;
	int64		now;

	(void) ctx;
	(void) h;
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	g = group_enter(req->GroupId, req->MemberId, group_id, member_id, &now, &resp->ErrorCode);
	if (g < 0)
		return true;
	GroupExpire(g, now);
	mi = GroupMemberLookup(g, member_id);
	if (mi < 0 || MemberSlots[mi].pending)
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else if (req->GroupInstanceId.len >= 0 &&
			 (!MemberSlots[mi].has_instance || !KStrEq(req->GroupInstanceId, MemberSlots[mi].instance_id)))
		resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
	else
	{
		Group	   *grp = &GroupSlots[g];

		MemberSlots[mi].deadline = now + MemberSlots[mi].session_timeout;
		if (grp->state == GROUP_PREPARING_REBALANCE)
			resp->ErrorCode = KAFKA_ERR_REBALANCE_IN_PROGRESS;
		else if (req->GenerationId != grp->generation)
			resp->ErrorCode = KAFKA_ERR_ILLEGAL_GENERATION;
		else
			resp->ErrorCode = KAFKA_ERR_NONE;
	}
	GroupLockRelease();
	return true;
}

/* ---------- LeaveGroup ---------- */

static int16
leave_one(int g, const char *member_id, KStr instance, int64 now)
{
	int			mi;

	if (instance.len >= 0)
	{
		char		inst[GROUP_MEMBER_ID_MAX + 1];

		if (!KStrCopy(inst, sizeof(inst), instance) || (mi = GroupMemberByInstance(g, inst)) < 0)
			return KAFKA_ERR_UNKNOWN_MEMBER_ID;
		if (member_id[0] && strcmp(MemberSlots[mi].member_id, member_id) != 0)
			return KAFKA_ERR_FENCED_INSTANCE_ID;
	}
	else if ((mi = GroupMemberLookup(g, member_id)) < 0)
		return KAFKA_ERR_UNKNOWN_MEMBER_ID;
	elog(LOG, "group \"%s\": member %s left", GroupSlots[g].group_id, MemberSlots[mi].member_id);
	GroupMemberRemove(mi, now, true);
	return KAFKA_ERR_NONE;
}

bool
KafkaHandleLeaveGroup(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const LeaveGroupRequest *req = reqp;
	LeaveGroupResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	int			g;
	int64		now;

	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	if (!KStrCopy(group_id, sizeof(group_id), req->GroupId) || group_id[0] == '\0')
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return true;
	}
	if ((resp->ErrorCode = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
		return true;
	if (h->api_version >= 3 && req->Members.count > 0)
	{
		resp->Members.items = KafkaResponseArray(&conn->arena, &MemberResponse_schema, req->Members.count);
		resp->Members.count = req->Members.count;
	}
	GroupLockAcquire();
	now = GroupNowMs();
	g = GroupLookup(group_id);
	if (h->api_version < 3)
	{
		char		member_id[GROUP_MEMBER_ID_MAX + 1];

		if (g < 0 || !KStrCopy(member_id, sizeof(member_id), req->MemberId))
			resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		else
			resp->ErrorCode = leave_one(g, member_id, KSTR_NULL, now);
	}
	else
	{
		for (int i = 0; i < req->Members.count; i++)
		{
			const MemberIdentity *mid = &req->Members.items[i];
			MemberResponse *r = &resp->Members.items[i];
			char		member_id[GROUP_MEMBER_ID_MAX + 1];

			r->MemberId = mid->MemberId;
			r->GroupInstanceId = mid->GroupInstanceId;
			if (g < 0 || !KStrCopy(member_id, sizeof(member_id), mid->MemberId))
				r->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
			else
				r->ErrorCode = leave_one(g, member_id, mid->GroupInstanceId, now);
		}
	}
	GroupLockRelease();
	return true;
}

/* ---------- DescribeGroups ---------- */

/*
 * The groups the catalog knows: their count (*known, free with
 * CatalogFreeGroupNames), or -1 if it cannot be reached (then only groups
 * in memory are described).  Run without GroupLock.
 */
static int
catalog_groups(CatalogGroupName **known)
{
	char	   *msg = NULL;
	char		err[512];
	PGconn	   *pg = BackendCatalogConnection(&msg);
	int			n;

	*known = NULL;
	if (pg == NULL)
		return -1;
	n = CatalogListGroups(pg, known, err, sizeof(err));
	if (n < 0)
		elog(LOG, "%s", err);
	return n;
}

bool
KafkaHandleDescribeGroups(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	KafkaLockedBuild b = KAFKA_LOCKED_BUILD(conn);
	const DescribeGroupsRequest *req = reqp;
	DescribeGroupsResponse *resp = respp;
	int32		n = Max(req->Groups.count, 0);
	DescribedGroup *out;
	CatalogGroupName *known;
	int			nknown;
	bool	   *may;

	(void) h;
	if (n == 0)
		return true;
	out = KafkaResponseArray(&conn->arena, &DescribedGroup_schema, n);
	resp->Groups.items = out;
	resp->Groups.count = n;
	/* DESCRIBE on each group, decided before GroupLock is taken. */
	may = KArenaArray(&conn->arena, n, sizeof(bool));
	for (int i = 0; i < n; i++)
		may[i] = KafkaAuthorizeGroup(req->Groups.items[i], ACL_OP_DESCRIBE);
	nknown = catalog_groups(&known);
	GroupLockAcquire();
	for (int i = 0; i < n; i++)
	{
		char		group_id[GROUP_ID_MAX + 1];
		int			g;
		Group	   *grp;
		int			nm,
					k = 0;

		out[i].GroupId = req->Groups.items[i];
		if (!may[i])
		{
			out[i].ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
			continue;
		}
		if (!KStrCopy(group_id, sizeof(group_id), req->Groups.items[i]) || group_id[0] == '\0')
		{
			out[i].ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
			continue;
		}
		if ((out[i].ErrorCode = ClusterCoordinatorError(group_id, strlen(group_id))) != KAFKA_ERR_NONE)
		{
			out[i].GroupState = KSTR_LIT("");
			out[i].ProtocolType = KSTR_LIT("");
			out[i].ProtocolData = KSTR_LIT("");
			continue;
		}
		g = GroupLookup(group_id);
		if (g < 0)
		{
			/*
			 * A group known only from the catalog (committed offsets, e.g.
			 * after a restart) is Empty; Kafka describes an unknown group
			 * as Dead, without error.
			 */
			out[i].GroupState = KSTR_LIT("Dead");
			for (int r = 0; r < nknown; r++)
				if (strcmp(known[r].group_id, group_id) == 0)
				{
					out[i].GroupState = KSTR_LIT("Empty");
					out[i].ProtocolType = LockedStr(&b, known[r].protocol_type);
				}
			continue;
		}
		GroupExpire(g, GroupNowMs());
		grp = &GroupSlots[g];
		out[i].GroupState = LockedStr(&b, GroupStateName(grp->state));
		out[i].ProtocolType = LockedStr(&b, grp->protocol_type);
		out[i].ProtocolData = LockedStr(&b, grp->protocol);
		nm = GroupMemberCount(g);
		if (nm == 0)
			continue;
		out[i].Members.items = LockedResponseArray(&b, &DescribedGroupMember_schema, nm);
		for (int j = 0; j < GroupShm->nmembers && k < nm && out[i].Members.items != NULL; j++)
		{
			GroupMember *m = &MemberSlots[j];
			DescribedGroupMember *dm = &out[i].Members.items[k];
			int			p;

			if (m->group != g || m->pending)
				continue;
			dm->MemberId = LockedStr(&b, m->member_id);
			dm->GroupInstanceId = m->has_instance ? LockedStr(&b, m->instance_id) : KSTR_NULL;
			dm->ClientId = LockedStr(&b, m->client_id);
			dm->ClientHost = LockedStr(&b, m->client_host);
			p = GroupMemberProtocol(m, grp->protocol);
			dm->MemberMetadata = p >= 0 ? LockedBytes(&b, m->meta + m->meta_off[p], m->meta_len[p])
				: LockedBytes(&b, NULL, 0);
			dm->MemberAssignment = grp->state == GROUP_STABLE
				? LockedBytes(&b, m->assignment, m->assignment_len)
				: LockedBytes(&b, NULL, 0);
			k++;
		}
		out[i].Members.count = k;
	}
	group_unlock_build(&b);
	if (nknown >= 0)
		CatalogFreeGroupNames(known, nknown);
	return true;
}

/* ---------- ListGroups ---------- */

static bool
state_wanted(const ListGroupsRequest *req, const char *state)
{
	if (req->StatesFilter.count <= 0)
		return true;
	for (int i = 0; i < req->StatesFilter.count; i++)
	{
		KStr		s = req->StatesFilter.items[i];

		if (s.len >= 0 && (size_t) s.len == strlen(state) && strncasecmp(s.ptr, state, (size_t) s.len) == 0)
			return true;
	}
	return false;
}

static bool
type_wanted(const ListGroupsRequest *req)
{
	if (req->TypesFilter.count <= 0)
		return true;
	for (int i = 0; i < req->TypesFilter.count; i++)
	{
		KStr		s = req->TypesFilter.items[i];

		if (s.len == 7 && strncasecmp(s.ptr, "classic", 7) == 0)
			return true;
	}
	return false;
}

bool
KafkaHandleListGroups(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	KafkaLockedBuild b = KAFKA_LOCKED_BUILD(conn);
	const ListGroupsRequest *req = reqp;
	ListGroupsResponse *resp = respp;
	int			cap,
				n = 0;
	ListedGroup *out;
	CatalogGroupName *known;
	int			nknown;
	/* DESCRIBE on the cluster lists every group, else those it may describe. */
	bool		all = KafkaAuthorizeCluster(ACL_OP_DESCRIBE);

	(void) h;

	/*
	 * Until the slots are placed nobody coordinates a group, and an empty
	 * list would be a wrong answer: Kafka's coordinator answers
	 * COORDINATOR_LOAD_IN_PROGRESS while it loads, and clients retry.
	 */
	if (!ClusterSlotsPlaced())
	{
		resp->ErrorCode = KAFKA_ERR_COORDINATOR_LOAD_IN_PROGRESS;
		return true;
	}
	/* Groups known only from the catalog (committed offsets) are Empty. */
	nknown = catalog_groups(&known);
	cap = (int) max_groups + Max(nknown, 0);
	out = KafkaResponseArray(&conn->arena, &ListedGroup_schema, Max(cap, 1));
	GroupLockAcquire();
	for (int g = 0; g < GroupShm->ngroups; g++)
	{
		if (!GroupSlots[g].in_use)
			continue;
		GroupExpire(g, GroupNowMs());
		if (!state_wanted(req, GroupStateName(GroupSlots[g].state)) || !type_wanted(req))
			continue;
		/* Each broker lists the groups it coordinates, as Kafka's do. */
		if (ClusterCoordinatorError(GroupSlots[g].group_id, strlen(GroupSlots[g].group_id)) != KAFKA_ERR_NONE)
			continue;
		if (!all && !KafkaAuthorizeQuiet(ACL_RESOURCE_GROUP, GroupSlots[g].group_id,
										 (int32) strlen(GroupSlots[g].group_id), ACL_OP_DESCRIBE))
			continue;
		out[n].GroupId = LockedStr(&b, GroupSlots[g].group_id);
		out[n].ProtocolType = LockedStr(&b, GroupSlots[g].protocol_type);
		out[n].GroupState = LockedStr(&b, GroupStateName(GroupSlots[g].state));
		out[n].GroupType = KSTR_LIT("classic");
		n++;
	}
	for (int r = 0; r < nknown; r++)
	{
		const char *id = known[r].group_id;

		if (GroupLookup(id) >= 0 || !state_wanted(req, "Empty") || !type_wanted(req) ||
			ClusterCoordinatorError(id, strlen(id)) != KAFKA_ERR_NONE)
			continue;
		if (!all && !KafkaAuthorizeQuiet(ACL_RESOURCE_GROUP, id, (int32) strlen(id), ACL_OP_DESCRIBE))
			continue;
		out[n].GroupId = LockedStr(&b, id);
		out[n].ProtocolType = LockedStr(&b, known[r].protocol_type);
		out[n].GroupState = KSTR_LIT("Empty");
		out[n].GroupType = KSTR_LIT("classic");
		n++;
	}
	group_unlock_build(&b);
	if (nknown >= 0)
		CatalogFreeGroupNames(known, nknown);
	resp->Groups.items = n > 0 ? out : NULL;
	resp->Groups.count = n;
	return true;
}
