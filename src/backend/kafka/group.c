/*-------------------------------------------------------------------------
 *
 * group.c
 *	  The group coordinator's state machine (see kafka/group.h and
 *	  kafka/group_internal.h): groups and members in shared memory, the
 *	  rebalance rounds, and what the offsets code asks of them.  The
 *	  requests that drive it are served by kafka/api_group.c.
 *
 *	  The classic rebalance protocol, as Kafka's coordinator runs it:
 *
 *	  - Empty: no members.  Stable: every member has its assignment.
 *	    PreparingRebalance: waiting for every member to (re)join.
 *	    CompletingRebalance: the new generation is decided and the leader
 *	    has been sent every member's metadata; waiting for its SyncGroup.
 *	  - A member joins (JoinGroup).  With v4+ and no member id, it is first
 *	    given an id and MEMBER_ID_REQUIRED (KIP-394) and joins again with
 *	    it; until then it is "pending" and not part of the group.
 *	  - A join that changes the group (a new member, changed metadata, the
 *	    leader rejoining) starts a rebalance: the group goes to
 *	    PreparingRebalance, and the round completes when every member has
 *	    rejoined or the rebalance deadline (the largest rebalance timeout of
 *	    the members) passes; members that did not rejoin are removed.
 *	    Completing bumps the generation, picks the protocol all members
 *	    support that most of them prefer, keeps or picks a leader, and
 *	    answers every waiting JoinGroup.
 *	  - SyncGroup from the leader stores every member's assignment and makes
 *	    the group Stable; a follower's SyncGroup that arrives first waits
 *	    for it (answering it with an error breaks kafka-python).
 *	  - Heartbeat keeps a member alive and tells it (REBALANCE_IN_PROGRESS)
 *	    when a rebalance starts.  A member silent for its session timeout
 *	    is removed, which starts a rebalance.
 *	  - Static members (group.instance.id) keep their identity across
 *	    restarts: one that rejoins with its instance id within its session
 *	    timeout takes over its old slot, assignment included, and if its
 *	    protocols are unchanged the group does not rebalance.
 *
 *	  Eager and cooperative rebalancing differ only in the clients: the
 *	  coordinator runs the same rounds for both.
 *
 *	  All state is under one SMutex, GroupLock: operations are short
 *	  (scans of a few thousand slots at most) and rebalances rare.  Nothing
 *	  under the lock raises ERROR (utils/elog.h): the handlers build their
 *	  responses under it with KafkaLockedBuild.
 *
 * src/backend/kafka/group.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/random.h>
#include <time.h>

#include "kafka/cluster.h"
#include "kafka/group_internal.h"
#include "kafka/protocol.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

GroupShared *GroupShm;
Group	   *GroupSlots;
GroupMember *MemberSlots;

size_t
GroupShmemSize(void)
{
	size_t		size = MAXALIGN(sizeof(GroupShared));

	size = add_size(size, MAXALIGN(mul_size(sizeof(Group), (size_t) max_groups)));
	size = add_size(size, mul_size(sizeof(GroupMember), (size_t) max_group_members));
	return size;
}

void
GroupShmemInit(void)
{
	bool		found;
	char	   *p = ShmemInitStruct("Group Coordinator", GroupShmemSize(), &found);

	GroupShm = (GroupShared *) p;
	p += MAXALIGN(sizeof(GroupShared));
	GroupSlots = (Group *) p;
	p += MAXALIGN(sizeof(Group) * (size_t) max_groups);
	MemberSlots = (GroupMember *) p;
	if (found)
		return;
	SMutexInit(&GroupShm->lock);
	GroupShm->ngroups = (int32) max_groups;
	GroupShm->nmembers = (int32) max_group_members;
	memset(GroupSlots, 0, sizeof(Group) * (size_t) max_groups);
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		memset(&MemberSlots[i], 0, offsetof(GroupMember, meta));
		MemberSlots[i].group = -1;
	}
}

int64
GroupNowMs(void)
{
	return MonotonicMs();
}

const char *
GroupStateName(int state)
{
	switch (state)
	{
		case GROUP_EMPTY:
			return "Empty";
		case GROUP_PREPARING_REBALANCE:
			return "PreparingRebalance";
		case GROUP_COMPLETING_REBALANCE:
			return "CompletingRebalance";
		case GROUP_STABLE:
			return "Stable";
		default:
			return "Dead";
	}
}

/* ---------- helpers; all run with GroupLock held ---------- */

int
GroupLookup(const char *id)
{
	for (int i = 0; i < GroupShm->ngroups; i++)
		if (GroupSlots[i].in_use && strcmp(GroupSlots[i].group_id, id) == 0)
			return i;
	return -1;
}

int
GroupCreate(const char *id)
{
	for (int i = 0; i < GroupShm->ngroups; i++)
	{
		Group	   *g = &GroupSlots[i];

		if (g->in_use)
			continue;
		memset(g, 0, sizeof(Group));
		g->in_use = true;
		g->state = GROUP_EMPTY;
		g->leader = -1;
		strlcpy_s(g->group_id, id, sizeof(g->group_id));
		return i;
	}
	return -1;
}

int
GroupMemberLookup(int g, const char *member_id)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g && strcmp(MemberSlots[i].member_id, member_id) == 0)
			return i;
	return -1;
}

int
GroupMemberByInstance(int g, const char *instance_id)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g && !MemberSlots[i].pending && MemberSlots[i].has_instance &&
			strcmp(MemberSlots[i].instance_id, instance_id) == 0)
			return i;
	return -1;
}

int
GroupMemberAlloc(int g)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &MemberSlots[i];

		if (m->group >= 0)
			continue;
		memset(m, 0, offsetof(GroupMember, meta));
		m->group = g;
		return i;
	}
	return -1;
}

int
GroupMemberCount(int g)
{
	int			n = 0;

	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g && !MemberSlots[i].pending)
			n++;
	return n;
}

void
GroupWakeMember(GroupMember *m)
{
	if (m->waiter != NULL)
		SetLatch(m->waiter);
}

static void
wake_all(int g)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g)
			GroupWakeMember(&MemberSlots[i]);
}

/* A member id: the client id (shortened) and a random UUID, as Kafka does. */
void
GroupNewMemberId(char *buf, size_t cap, const char *client_id)
{
	uint8		r[16];
	char		prefix[65];

	if (getrandom(r, sizeof(r), 0) != (ssize_t) sizeof(r))
	{
		uint64		x = (uint64) GroupNowMs() ^ ((uint64) MyProcPid << 32);

		for (int i = 0; i < 16; i++)
		{
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			r[i] = (uint8) (x >> 56);
		}
	}
	r[6] = (uint8) ((r[6] & 0x0f) | 0x40);
	r[8] = (uint8) ((r[8] & 0x3f) | 0x80);
	strlcpy_s(prefix, client_id[0] ? client_id : "member", sizeof(prefix));
	snprintf(buf, cap,
			 "%s-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 prefix, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
			 r[10], r[11], r[12], r[13], r[14], r[15]);
}

static int32
group_max_rebalance_timeout(int g)
{
	int32		t = 0;

	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g && !MemberSlots[i].pending)
			t = Max(t, MemberSlots[i].rebalance_timeout);
	return t;
}

/* Start a rebalance round: every member must rejoin by the deadline. */
void
GroupPrepareRebalance(int g, int64 now)
{
	Group	   *grp = &GroupSlots[g];
	int64		timeout = group_max_rebalance_timeout(g);

	/*
	 * The first rebalance of an Empty group waits
	 * group_initial_rebalance_delay for more members, as Kafka's
	 * InitialDelayedJoin does: consumers starting together then form ONE
	 * generation instead of one per member.  The wait is extended, a delay
	 * at a time, while new members keep arriving, within the rebalance
	 * timeout (GroupCheckJoinComplete).
	 */
	grp->initial_delay = false;
	if (grp->state == GROUP_EMPTY && group_initial_rebalance_delay > 0)
	{
		grp->initial_delay = true;
		grp->new_member_added = false;
		grp->delay_until = now + Min(group_initial_rebalance_delay, timeout);
		grp->delay_remaining = Max(timeout - group_initial_rebalance_delay, 0);
	}
	grp->state = GROUP_PREPARING_REBALANCE;
	grp->rebalance_deadline = now + timeout;
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &MemberSlots[i];

		if (m->group != g || m->pending)
			continue;
		/* A JoinGroup still waiting counts as a join of the new round. */
		m->joined = m->in_join;
		m->join_ready = false;
		GroupWakeMember(m);				/* a waiting SyncGroup must learn of it */
	}
}

/* The group has no members left: it becomes Empty with a new generation. */
static void
group_become_empty(int g)
{
	Group	   *grp = &GroupSlots[g];

	grp->generation++;
	grp->state = GROUP_EMPTY;
	grp->leader = -1;
	grp->protocol[0] = '\0';
}

/*
 * Remove a member.  In a Stable or CompletingRebalance group that starts a
 * rebalance; in PreparingRebalance the round may now be complete.
 */
void
GroupMemberRemove(int mi, int64 now, bool rebalance)
{
	GroupMember *m = &MemberSlots[mi];
	int			g = m->group;
	Group	   *grp = &GroupSlots[g];
	bool		was_pending = m->pending;

	GroupWakeMember(m);
	m->group = -1;
	m->waiter = NULL;
	if (was_pending)
		return;
	if (grp->leader == mi)
		grp->leader = -1;
	if (!rebalance)
		return;
	if (GroupMemberCount(g) == 0)
	{
		if (grp->state != GROUP_EMPTY)
			group_become_empty(g);
		wake_all(g);
		return;
	}
	if (grp->state == GROUP_STABLE || grp->state == GROUP_COMPLETING_REBALANCE)
		GroupPrepareRebalance(g, now);
	GroupCheckJoinComplete(g, now);
}

/*
 * Remove members whose session expired.  A member whose backend is waiting
 * for a JoinGroup answer is alive by definition (Kafka does not expire
 * members awaiting a join either).
 */
void
GroupExpire(int g, int64 now)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &MemberSlots[i];

		if (m->group != g || now < m->deadline)
			continue;
		if (m->waiter != NULL)
			continue;
		if (!m->pending)
			elog(LOG, "group \"%s\": member %s left (session timeout of %d ms expired)",
				 GroupSlots[g].group_id, m->member_id, m->session_timeout);
		GroupMemberRemove(i, now, true);
	}
	GroupCheckJoinComplete(g, now);
}

int
GroupMemberProtocol(GroupMember *m, const char *name)
{
	for (int p = 0; p < m->nprotocols; p++)
		if (strcmp(m->protocols[p], name) == 0)
			return p;
	return -1;
}

/* Choose the protocol every member supports that most members prefer. */
static void
select_protocol(int g)
{
	Group	   *grp = &GroupSlots[g];
	GroupMember *first = NULL;
	int			best_votes = -1;

	grp->protocol[0] = '\0';
	for (int i = 0; i < GroupShm->nmembers && first == NULL; i++)
		if (MemberSlots[i].group == g && !MemberSlots[i].pending)
			first = &MemberSlots[i];
	if (first == NULL)
		return;
	for (int p = 0; p < first->nprotocols; p++)
	{
		const char *cand = first->protocols[p];
		bool		all = true;
		int			votes = 0;

		for (int i = 0; i < GroupShm->nmembers; i++)
		{
			GroupMember *m = &MemberSlots[i];

			if (m->group != g || m->pending)
				continue;
			if (GroupMemberProtocol(m, cand) < 0)
			{
				all = false;
				break;
			}
			/* A member votes for its most preferred candidate. */
			for (int q = 0; q < m->nprotocols; q++)
			{
				bool		everyone = true;

				for (int j = 0; j < GroupShm->nmembers && everyone; j++)
					if (MemberSlots[j].group == g && !MemberSlots[j].pending &&
						GroupMemberProtocol(&MemberSlots[j], m->protocols[q]) < 0)
						everyone = false;
				if (everyone)
				{
					if (strcmp(m->protocols[q], cand) == 0)
						votes++;
					break;
				}
			}
		}
		if (all && votes > best_votes)
		{
			best_votes = votes;
			strlcpy_s(grp->protocol, cand, sizeof(grp->protocol));
		}
	}
}

/*
 * If a PreparingRebalance round is complete (every member rejoined) or its
 * deadline passed, finish it: drop the members that did not rejoin, bump
 * the generation, choose protocol and leader, answer the JoinGroups.
 */
void
GroupCheckJoinComplete(int g, int64 now)
{
	Group	   *grp = &GroupSlots[g];
	bool		all = true;

	if (grp->state != GROUP_PREPARING_REBALANCE)
		return;
	if (grp->initial_delay)
	{
		/* Not even a full round completes the initial delay early. */
		if (now < grp->delay_until)
			return;
		if (grp->new_member_added && grp->delay_remaining > 0)
		{
			int64		d = Min(group_initial_rebalance_delay, grp->delay_remaining);

			grp->new_member_added = false;
			grp->delay_until = now + d;
			grp->delay_remaining -= d;
			return;
		}
		grp->initial_delay = false;
	}
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g && !MemberSlots[i].pending && !MemberSlots[i].joined)
			all = false;
	if (!all && now < grp->rebalance_deadline)
		return;
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &MemberSlots[i];

		if (m->group == g && !m->pending && !m->joined)
		{
			elog(LOG, "group \"%s\": member %s removed (did not rejoin within the rebalance timeout)",
				 grp->group_id, m->member_id);
			GroupMemberRemove(i, now, false);
		}
	}
	if (GroupMemberCount(g) == 0)
	{
		group_become_empty(g);
		wake_all(g);
		return;
	}
	grp->generation++;
	select_protocol(g);
	if (grp->leader < 0 || MemberSlots[grp->leader].group != g || MemberSlots[grp->leader].pending)
	{
		grp->leader = -1;
		for (int i = 0; i < GroupShm->nmembers && grp->leader < 0; i++)
			if (MemberSlots[i].group == g && !MemberSlots[i].pending)
				grp->leader = i;
	}
	grp->state = GROUP_COMPLETING_REBALANCE;
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &MemberSlots[i];

		if (m->group != g || m->pending)
			continue;
		m->join_ready = true;
		m->assignment_len = 0;
		m->deadline = now + m->session_timeout;
		GroupWakeMember(m);
	}
	elog(LOG, "group \"%s\": generation %d with %d members, protocol \"%s\"",
		 grp->group_id, grp->generation, GroupMemberCount(g), grp->protocol);
}

/* Earliest time anything in the group can change by itself. */
static int64
group_next_deadline(int g, int64 now)
{
	int64		d = now + 10000;

	if (GroupSlots[g].state == GROUP_PREPARING_REBALANCE)
		d = Min(d, GroupSlots[g].rebalance_deadline);
	if (GroupSlots[g].state == GROUP_PREPARING_REBALANCE && GroupSlots[g].initial_delay)
		d = Min(d, GroupSlots[g].delay_until);
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group == g && MemberSlots[i].waiter == NULL)
			d = Min(d, MemberSlots[i].deadline);
	return Max(d, now + 5);
}

/*
 * Wait on this backend's latch until woken or the group's next deadline;
 * called and returns with GroupLock held.  False if the broker is shutting
 * down.
 */
bool
GroupWait(int g, GroupMember *m)
{
	int64		now = GroupNowMs();
	int64		until = group_next_deadline(g, now);

	m->waiter = MyLatch;
	SMutexUnlock(&GroupShm->lock);
	WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, (long) (until - now));
	ResetLatch(MyLatch);
	SMutexLock(&GroupShm->lock);
	return !ShutdownRequestPending;
}

void
GroupLockAcquire(void)
{
	SMutexLock(&GroupShm->lock);
}

void
GroupLockRelease(void)
{
	SMutexUnlock(&GroupShm->lock);
}

/* Store the protocols of a JoinGroup in the member; false if too large. */
bool
GroupMemberSetProtocols(GroupMember *m, const JoinGroupRequest *req)
{
	int32		used = 0;

	if (req->Protocols.count > GROUP_MAX_PROTOCOLS)
		return false;
	for (int p = 0; p < req->Protocols.count; p++)
	{
		const JoinGroupRequestProtocol *jp = &req->Protocols.items[p];
		int32		len = Max(jp->Metadata.len, 0);

		if (!KStrCopy(m->protocols[p], sizeof(m->protocols[p]), jp->Name) ||
			used + len > GROUP_METADATA_MAX)
			return false;
		m->meta_off[p] = used;
		m->meta_len[p] = len;
		if (len > 0)
			memcpy(m->meta + used, jp->Metadata.ptr, (size_t) len);
		used += len;
	}
	m->nprotocols = req->Protocols.count;
	return true;
}

bool
GroupMemberProtocolsEqual(GroupMember *m, const JoinGroupRequest *req)
{
	if (m->nprotocols != req->Protocols.count)
		return false;
	for (int p = 0; p < m->nprotocols; p++)
	{
		const JoinGroupRequestProtocol *jp = &req->Protocols.items[p];

		if (!KStrEq(jp->Name, m->protocols[p]) ||
			Max(jp->Metadata.len, 0) != m->meta_len[p] ||
			(m->meta_len[p] > 0 && memcmp(jp->Metadata.ptr, m->meta + m->meta_off[p], (size_t) m->meta_len[p]) != 0))
			return false;
	}
	return true;
}

/* Does the request share a protocol with every current member? */
bool
GroupProtocolsCompatible(int g, const JoinGroupRequest *req, int self)
{
	int			n = 0;

	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &MemberSlots[i];
		bool		any = false;

		if (m->group != g || m->pending || i == self)
			continue;
		n++;
		for (int p = 0; p < req->Protocols.count && !any; p++)
		{
			char		name[GROUP_PROTOCOL_MAX + 1];

			if (KStrCopy(name, sizeof(name), req->Protocols.items[p].Name) &&
				GroupMemberProtocol(m, name) >= 0)
				any = true;
		}
		if (!any)
			return false;
	}
	(void) n;
	return true;
}

/* ---------- for the offsets code ---------- */

int16
GroupValidateCommit(const char *group_id, const char *member_id, const char *instance_id,
					int32 generation)
{
	int			g,
				mi;
	int16		err = KAFKA_ERR_NONE;
	int64		now;

	GroupLockAcquire();
	now = GroupNowMs();
	g = GroupLookup(group_id);
	if (g < 0)
	{
		if (generation >= 0 || member_id[0])
			err = KAFKA_ERR_UNKNOWN_MEMBER_ID;	/* Kafka: a member of no group */
		else
			(void) GroupCreate(group_id);	/* if full, offsets still go to the catalog */
		GroupLockRelease();
		return err;
	}
	GroupExpire(g, now);
	if (generation < 0 && member_id[0] == '\0')
	{
		/* A commit from outside the group: only while it is Empty. */
		if (GroupSlots[g].state != GROUP_EMPTY)
			err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		GroupLockRelease();
		return err;
	}
	mi = GroupMemberLookup(g, member_id);
	if (mi < 0 || MemberSlots[mi].pending)
		err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else if (instance_id != NULL &&
			 (!MemberSlots[mi].has_instance || strcmp(MemberSlots[mi].instance_id, instance_id) != 0))
		err = KAFKA_ERR_FENCED_INSTANCE_ID;
	else if (generation != GroupSlots[g].generation)
		err = KAFKA_ERR_ILLEGAL_GENERATION;
	else if (GroupSlots[g].state == GROUP_COMPLETING_REBALANCE)
		err = KAFKA_ERR_REBALANCE_IN_PROGRESS;
	else
		MemberSlots[mi].deadline = now + MemberSlots[mi].session_timeout;
	GroupLockRelease();
	return err;
}

/* Read a big-endian int16/int32 from a bounded buffer. */
static bool
rd16(const uint8 **p, const uint8 *end, int16 *v)
{
	if (end - *p < 2)
		return false;
	*v = (int16) (((*p)[0] << 8) | (*p)[1]);
	*p += 2;
	return true;
}

static bool
rd32(const uint8 **p, const uint8 *end, int32 *v)
{
	if (end - *p < 4)
		return false;
	*v = (int32) (((uint32) (*p)[0] << 24) | ((uint32) (*p)[1] << 16) | ((uint32) (*p)[2] << 8) | (*p)[3]);
	*p += 4;
	return true;
}

/* Does a consumer-protocol subscription (version, [topic]) name topic? */
static bool
subscription_names(const uint8 *p, int32 len, const char *topic)
{
	const uint8 *end = p + len;
	int16		version,
				tl;
	int32		n;
	size_t		want = strlen(topic);

	if (!rd16(&p, end, &version) || !rd32(&p, end, &n))
		return false;
	for (int32 i = 0; i < n; i++)
	{
		if (!rd16(&p, end, &tl) || tl < 0 || end - p < tl)
			return false;
		if ((size_t) tl == want && memcmp(p, topic, want) == 0)
			return true;
		p += tl;
	}
	return false;
}

bool
GroupInfo(const char *group_id, int *members, const char *topic, bool *subscribed)
{
	int			g;

	GroupLockAcquire();
	g = GroupLookup(group_id);
	*members = -1;
	if (subscribed)
		*subscribed = false;
	if (g >= 0)
	{
		GroupExpire(g, GroupNowMs());
		*members = GroupMemberCount(g);
		if (topic != NULL && subscribed != NULL && strcmp(GroupSlots[g].protocol_type, "consumer") == 0)
		{
			for (int i = 0; i < GroupShm->nmembers; i++)
			{
				GroupMember *m = &MemberSlots[i];
				int			p;

				if (m->group != g || m->pending)
					continue;
				p = GroupMemberProtocol(m, GroupSlots[g].protocol);
				if (p >= 0 && subscription_names(m->meta + m->meta_off[p], m->meta_len[p], topic))
					*subscribed = true;
			}
		}
	}
	GroupLockRelease();
	return g >= 0;
}

bool
GroupForget(const char *group_id)
{
	int			g;
	bool		ok = true;

	GroupLockAcquire();
	g = GroupLookup(group_id);
	if (g >= 0)
	{
		GroupExpire(g, GroupNowMs());
		if (GroupMemberCount(g) > 0)
			ok = false;
		else
		{
			for (int i = 0; i < GroupShm->nmembers; i++)
				if (MemberSlots[i].group == g)
					GroupMemberRemove(i, GroupNowMs(), false);
			GroupSlots[g].in_use = false;
		}
	}
	GroupLockRelease();
	return ok;
}

/*
 * Forget the groups whose coordinator slot moved to another broker (moved
 * has nslots flags): their members are removed, waking any backend that
 * waits for one, which then answers NOT_COORDINATOR, so the clients find the
 * new coordinator and rejoin there.  Kept, the state would be stale if the
 * slot came back later.  Called by the catalog worker after it published the
 * new slot leaders (ClusterSetSlots).
 */
void
GroupForgetSlots(const bool *moved, int nslots)
{
	int64		now = GroupNowMs();

	GroupLockAcquire();
	for (int g = 0; g < GroupShm->ngroups; g++)
	{
		Group	   *grp = &GroupSlots[g];

		if (!grp->in_use ||
			!moved[ClusterKeySlot(grp->group_id, strlen(grp->group_id), nslots)])
			continue;
		for (int i = 0; i < GroupShm->nmembers; i++)
			if (MemberSlots[i].group == g)
				GroupMemberRemove(i, now, false);
		grp->in_use = false;
		elog(LOG, "group \"%s\" forgotten: its coordinator slot moved to another broker", grp->group_id);
	}
	GroupLockRelease();
}

void
GroupCountStates(int64 *counts, int64 *members)
{
	for (int s = 0; s <= GROUP_DEAD; s++)
		counts[s] = 0;
	*members = 0;
	GroupLockAcquire();
	for (int i = 0; i < GroupShm->ngroups; i++)
		if (GroupSlots[i].in_use && GroupSlots[i].state >= 0 && GroupSlots[i].state <= GROUP_DEAD)
			counts[GroupSlots[i].state]++;
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (MemberSlots[i].group >= 0 && !MemberSlots[i].pending)
			(*members)++;
	GroupLockRelease();
}
