/*-------------------------------------------------------------------------
 *
 * group.c
 *	  The group coordinator (see kafka/group.h): FindCoordinator,
 *	  JoinGroup, SyncGroup, Heartbeat, LeaveGroup, DescribeGroups,
 *	  ListGroups and DeleteGroups, over group state in shared memory.
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
 *	  under the lock can elog(ERROR) except arena exhaustion while building
 *	  a response, which the arena's size (several times the largest
 *	  request) rules out in practice.
 *
 *	  Authorisation (kafka/authorizer.h), as Kafka: READ on the group to
 *	  join, sync, heartbeat or leave, DESCRIBE to find its coordinator or
 *	  describe it (GROUP_AUTHORIZATION_FAILED otherwise); ListGroups lists
 *	  every group for DESCRIBE on the cluster, else only those the
 *	  principal may describe.  Decisions are made before GroupLock is
 *	  taken, except ListGroups' filter, which neither logs nor allocates.
 *
 * src/backend/kafka/group.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/random.h>
#include <time.h>

#include "kafka/authorizer.h"
#include "kafka/backend.h"
#include "kafka/group.h"
#include "kafka/handlers.h"
#include "kafka/topics.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "catalog/catalog.h"

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

typedef struct GroupShared
{
	SMutex		lock;
	int32		ngroups;
	int32		nmembers;
} GroupShared;

static GroupShared *GroupShm;
static Group *Groups;
static GroupMember *Members;

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
	Groups = (Group *) p;
	p += MAXALIGN(sizeof(Group) * (size_t) max_groups);
	Members = (GroupMember *) p;
	if (found)
		return;
	SMutexInit(&GroupShm->lock);
	GroupShm->ngroups = (int32) max_groups;
	GroupShm->nmembers = (int32) max_group_members;
	memset(Groups, 0, sizeof(Group) * (size_t) max_groups);
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		memset(&Members[i], 0, offsetof(GroupMember, meta));
		Members[i].group = -1;
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

static bool
kstr_eq(KStr s, const char *c)
{
	size_t		n = strlen(c);

	return s.len >= 0 && (size_t) s.len == n && memcmp(s.ptr, c, n) == 0;
}

/* Copy a KStr into a fixed buffer; false if it does not fit. */
static bool
kstr_copy(char *dst, size_t cap, KStr s)
{
	if (s.len < 0)
	{
		dst[0] = '\0';
		return true;
	}
	if ((size_t) s.len >= cap || memchr(s.ptr, '\0', (size_t) s.len) != NULL)
		return false;
	memcpy(dst, s.ptr, (size_t) s.len);
	dst[s.len] = '\0';
	return true;
}

static int
group_lookup(const char *id)
{
	for (int i = 0; i < GroupShm->ngroups; i++)
		if (Groups[i].in_use && strcmp(Groups[i].group_id, id) == 0)
			return i;
	return -1;
}

static int
group_create(const char *id)
{
	for (int i = 0; i < GroupShm->ngroups; i++)
	{
		Group	   *g = &Groups[i];

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

static int
member_lookup(int g, const char *member_id)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (Members[i].group == g && strcmp(Members[i].member_id, member_id) == 0)
			return i;
	return -1;
}

static int
member_by_instance(int g, const char *instance_id)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (Members[i].group == g && !Members[i].pending && Members[i].has_instance &&
			strcmp(Members[i].instance_id, instance_id) == 0)
			return i;
	return -1;
}

static int
member_alloc(int g)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &Members[i];

		if (m->group >= 0)
			continue;
		memset(m, 0, offsetof(GroupMember, meta));
		m->group = g;
		return i;
	}
	return -1;
}

static int
group_member_count(int g)
{
	int			n = 0;

	for (int i = 0; i < GroupShm->nmembers; i++)
		if (Members[i].group == g && !Members[i].pending)
			n++;
	return n;
}

static void
wake(GroupMember *m)
{
	if (m->waiter != NULL)
		SetLatch(m->waiter);
}

static void
wake_all(int g)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (Members[i].group == g)
			wake(&Members[i]);
}

/* A member id: the client id (shortened) and a random UUID, as Kafka does. */
static void
new_member_id(char *buf, size_t cap, const char *client_id)
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
		if (Members[i].group == g && !Members[i].pending)
			t = Max(t, Members[i].rebalance_timeout);
	return t;
}

static void check_join_complete(int g, int64 now);

/* Start a rebalance round: every member must rejoin by the deadline. */
static void
prepare_rebalance(int g, int64 now)
{
	Group	   *grp = &Groups[g];
	int64		timeout = group_max_rebalance_timeout(g);

	/*
	 * The first rebalance of an Empty group waits
	 * group_initial_rebalance_delay for more members, as Kafka's
	 * InitialDelayedJoin does: consumers starting together then form ONE
	 * generation instead of one per member.  The wait is extended, a delay
	 * at a time, while new members keep arriving, within the rebalance
	 * timeout (check_join_complete).
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
		GroupMember *m = &Members[i];

		if (m->group != g || m->pending)
			continue;
		/* A JoinGroup still waiting counts as a join of the new round. */
		m->joined = m->in_join;
		m->join_ready = false;
		wake(m);				/* a waiting SyncGroup must learn of it */
	}
}

/* The group has no members left: it becomes Empty with a new generation. */
static void
group_become_empty(int g)
{
	Group	   *grp = &Groups[g];

	grp->generation++;
	grp->state = GROUP_EMPTY;
	grp->leader = -1;
	grp->protocol[0] = '\0';
}

/*
 * Remove a member.  In a Stable or CompletingRebalance group that starts a
 * rebalance; in PreparingRebalance the round may now be complete.
 */
static void
member_remove(int mi, int64 now, bool rebalance)
{
	GroupMember *m = &Members[mi];
	int			g = m->group;
	Group	   *grp = &Groups[g];
	bool		was_pending = m->pending;

	wake(m);
	m->group = -1;
	m->waiter = NULL;
	if (was_pending)
		return;
	if (grp->leader == mi)
		grp->leader = -1;
	if (!rebalance)
		return;
	if (group_member_count(g) == 0)
	{
		if (grp->state != GROUP_EMPTY)
			group_become_empty(g);
		wake_all(g);
		return;
	}
	if (grp->state == GROUP_STABLE || grp->state == GROUP_COMPLETING_REBALANCE)
		prepare_rebalance(g, now);
	check_join_complete(g, now);
}

/*
 * Remove members whose session expired.  A member whose backend is waiting
 * for a JoinGroup answer is alive by definition (Kafka does not expire
 * members awaiting a join either).
 */
static void
group_expire(int g, int64 now)
{
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &Members[i];

		if (m->group != g || now < m->deadline)
			continue;
		if (m->waiter != NULL)
			continue;
		if (!m->pending)
			elog(LOG, "group \"%s\": member %s left (session timeout of %d ms expired)",
				 Groups[g].group_id, m->member_id, m->session_timeout);
		member_remove(i, now, true);
	}
	check_join_complete(g, now);
}

static int
member_protocol(GroupMember *m, const char *name)
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
	Group	   *grp = &Groups[g];
	GroupMember *first = NULL;
	int			best_votes = -1;

	grp->protocol[0] = '\0';
	for (int i = 0; i < GroupShm->nmembers && first == NULL; i++)
		if (Members[i].group == g && !Members[i].pending)
			first = &Members[i];
	if (first == NULL)
		return;
	for (int p = 0; p < first->nprotocols; p++)
	{
		const char *cand = first->protocols[p];
		bool		all = true;
		int			votes = 0;

		for (int i = 0; i < GroupShm->nmembers; i++)
		{
			GroupMember *m = &Members[i];

			if (m->group != g || m->pending)
				continue;
			if (member_protocol(m, cand) < 0)
			{
				all = false;
				break;
			}
			/* A member votes for its most preferred candidate. */
			for (int q = 0; q < m->nprotocols; q++)
			{
				bool		everyone = true;

				for (int j = 0; j < GroupShm->nmembers && everyone; j++)
					if (Members[j].group == g && !Members[j].pending &&
						member_protocol(&Members[j], m->protocols[q]) < 0)
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
static void
check_join_complete(int g, int64 now)
{
	Group	   *grp = &Groups[g];
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
		if (Members[i].group == g && !Members[i].pending && !Members[i].joined)
			all = false;
	if (!all && now < grp->rebalance_deadline)
		return;
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &Members[i];

		if (m->group == g && !m->pending && !m->joined)
		{
			elog(LOG, "group \"%s\": member %s removed (did not rejoin within the rebalance timeout)",
				 grp->group_id, m->member_id);
			member_remove(i, now, false);
		}
	}
	if (group_member_count(g) == 0)
	{
		group_become_empty(g);
		wake_all(g);
		return;
	}
	grp->generation++;
	select_protocol(g);
	if (grp->leader < 0 || Members[grp->leader].group != g || Members[grp->leader].pending)
	{
		grp->leader = -1;
		for (int i = 0; i < GroupShm->nmembers && grp->leader < 0; i++)
			if (Members[i].group == g && !Members[i].pending)
				grp->leader = i;
	}
	grp->state = GROUP_COMPLETING_REBALANCE;
	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &Members[i];

		if (m->group != g || m->pending)
			continue;
		m->join_ready = true;
		m->assignment_len = 0;
		m->deadline = now + m->session_timeout;
		wake(m);
	}
	elog(LOG, "group \"%s\": generation %d with %d members, protocol \"%s\"",
		 grp->group_id, grp->generation, group_member_count(g), grp->protocol);
}

/* Earliest time anything in the group can change by itself. */
static int64
group_next_deadline(int g, int64 now)
{
	int64		d = now + 10000;

	if (Groups[g].state == GROUP_PREPARING_REBALANCE)
		d = Min(d, Groups[g].rebalance_deadline);
	if (Groups[g].state == GROUP_PREPARING_REBALANCE && Groups[g].initial_delay)
		d = Min(d, Groups[g].delay_until);
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (Members[i].group == g && Members[i].waiter == NULL)
			d = Min(d, Members[i].deadline);
	return Max(d, now + 5);
}

/*
 * Wait on this backend's latch until woken or the group's next deadline;
 * called and returns with GroupLock held.  False if the broker is shutting
 * down.
 */
static bool
group_wait(int g, GroupMember *m)
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

static void
group_lock(void)
{
	SMutexLock(&GroupShm->lock);
}

static void
group_unlock(void)
{
	SMutexUnlock(&GroupShm->lock);
}

/* Store the protocols of a JoinGroup in the member; false if too large. */
static bool
member_set_protocols(GroupMember *m, const JoinGroupRequest *req)
{
	int32		used = 0;

	if (req->Protocols.count > GROUP_MAX_PROTOCOLS)
		return false;
	for (int p = 0; p < req->Protocols.count; p++)
	{
		const JoinGroupRequestProtocol *jp = &req->Protocols.items[p];
		int32		len = Max(jp->Metadata.len, 0);

		if (!kstr_copy(m->protocols[p], sizeof(m->protocols[p]), jp->Name) ||
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

static bool
member_protocols_equal(GroupMember *m, const JoinGroupRequest *req)
{
	if (m->nprotocols != req->Protocols.count)
		return false;
	for (int p = 0; p < m->nprotocols; p++)
	{
		const JoinGroupRequestProtocol *jp = &req->Protocols.items[p];

		if (!kstr_eq(jp->Name, m->protocols[p]) ||
			Max(jp->Metadata.len, 0) != m->meta_len[p] ||
			(m->meta_len[p] > 0 && memcmp(jp->Metadata.ptr, m->meta + m->meta_off[p], (size_t) m->meta_len[p]) != 0))
			return false;
	}
	return true;
}

/* Does the request share a protocol with every current member? */
static bool
protocols_compatible(int g, const JoinGroupRequest *req, int self)
{
	int			n = 0;

	for (int i = 0; i < GroupShm->nmembers; i++)
	{
		GroupMember *m = &Members[i];
		bool		any = false;

		if (m->group != g || m->pending || i == self)
			continue;
		n++;
		for (int p = 0; p < req->Protocols.count && !any; p++)
		{
			char		name[GROUP_PROTOCOL_MAX + 1];

			if (kstr_copy(name, sizeof(name), req->Protocols.items[p].Name) &&
				member_protocol(m, name) >= 0)
				any = true;
		}
		if (!any)
			return false;
	}
	(void) n;
	return true;
}

static KBytes
bytes_arena(KArena *arena, const uint8 *p, int32 len)
{
	KBytes		b;
	uint8	   *d;

	b.len = len;
	b.ptr = NULL;
	if (len <= 0)
	{
		b.len = 0;
		b.ptr = (const uint8 *) "";
		return b;
	}
	d = KArenaAlloc(arena, (size_t) len);
	if (d == NULL)
		elog(ERROR, "request arena exhausted");
	memcpy(d, p, (size_t) len);
	b.ptr = d;
	return b;
}

/* Fill a JoinGroup answer for member mi of group g (round complete). */
static void
join_response(KArena *arena, int16 version, int g, int mi, JoinGroupResponse *resp, bool leader_gets_members)
{
	Group	   *grp = &Groups[g];
	GroupMember *m = &Members[mi];

	resp->ErrorCode = KAFKA_ERR_NONE;
	resp->GenerationId = grp->generation;
	resp->ProtocolType = KStrArena(arena, grp->protocol_type);
	resp->ProtocolName = KStrArena(arena, grp->protocol);
	resp->Leader = grp->leader >= 0 ? KStrArena(arena, Members[grp->leader].member_id) : KSTR_LIT("");
	resp->MemberId = KStrArena(arena, m->member_id);
	if (grp->leader == mi && leader_gets_members)
	{
		int			n = group_member_count(g),
					k = 0;
		JoinGroupResponseMember *items = KafkaNewArray(arena, &JoinGroupResponseMember_schema, n);

		if (items == NULL && n > 0)
			elog(ERROR, "request arena exhausted");
		for (int i = 0; i < GroupShm->nmembers && k < n; i++)
		{
			GroupMember *o = &Members[i];
			int			p;

			if (o->group != g || o->pending)
				continue;
			p = member_protocol(o, grp->protocol);
			items[k].MemberId = KStrArena(arena, o->member_id);
			items[k].GroupInstanceId = o->has_instance ? KStrArena(arena, o->instance_id) : KSTR_NULL;
			items[k].Metadata = p >= 0 ? bytes_arena(arena, o->meta + o->meta_off[p], o->meta_len[p])
				: bytes_arena(arena, NULL, 0);
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

bool
KafkaHandleFindCoordinator(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const FindCoordinatorRequest *req = reqp;
	FindCoordinatorResponse *resp = respp;
	char		host[256];
	int32		port;
	int16		err = KAFKA_ERR_NONE;
	KStr		msg = KSTR_NULL;

	KafkaAdvertisedAddress(host, sizeof(host), &port);
	/* Key types: 0 group, 1 transaction; 2 (share groups) is not served. */
	if (req->KeyType != 0 && req->KeyType != 1)
	{
		err = KAFKA_ERR_INVALID_REQUEST;
		msg = KArenaPrintf(&conn->arena, "Coordinator key type %d is not supported", req->KeyType);
	}
	if (h->api_version < 4)
	{
		if (err == KAFKA_ERR_NONE)
			err = coordinator_access(req->KeyType, req->Key);
		resp->ErrorCode = err;
		resp->ErrorMessage = msg;
		resp->NodeId = err ? -1 : (int32) broker_id;
		resp->Host = err ? KSTR_LIT("") : KStrArena(&conn->arena, host);
		resp->Port = err ? -1 : port;
		return true;
	}
	if (req->CoordinatorKeys.count > 0)
	{
		int32		n = req->CoordinatorKeys.count;
		Coordinator *c = KafkaNewArray(&conn->arena, &Coordinator_schema, n);

		if (c == NULL)
			elog(ERROR, "request arena exhausted");
		for (int i = 0; i < n; i++)
		{
			int16		e = err != KAFKA_ERR_NONE ? err
				: coordinator_access(req->KeyType, req->CoordinatorKeys.items[i]);

			c[i].Key = req->CoordinatorKeys.items[i];
			c[i].ErrorCode = e;
			c[i].ErrorMessage = e == err ? msg : KSTR_NULL;
			c[i].NodeId = e ? -1 : (int32) broker_id;
			c[i].Host = e ? KSTR_LIT("") : KStrArena(&conn->arena, host);
			c[i].Port = e ? -1 : port;
		}
		resp->Coordinators.items = c;
		resp->Coordinators.count = n;
	}
	return true;
}

/* ---------- JoinGroup ---------- */

bool
KafkaHandleJoinGroup(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const JoinGroupRequest *req = reqp;
	JoinGroupResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	char		instance_id[GROUP_MEMBER_ID_MAX + 1];
	char		protocol_type[GROUP_PROTOCOL_MAX + 1];
	char		client_id[GROUP_CLIENT_ID_MAX + 1];
	bool		has_instance = req->GroupInstanceId.len >= 0;
	int32		rebalance_timeout = h->api_version >= 1 ? req->RebalanceTimeoutMs : req->SessionTimeoutMs;
	bool		added = false;	/* a new member joins for real */
	int64		now;
	int			g,
				mi;
	Group	   *grp;
	GroupMember *m;

	resp->MemberId = req->MemberId;
	resp->ProtocolName = h->api_version >= 7 ? KSTR_NULL : KSTR_LIT("");
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	if (req->GroupId.len <= 0 || !kstr_copy(group_id, sizeof(group_id), req->GroupId))
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return true;
	}
	if (req->SessionTimeoutMs < GROUP_MIN_SESSION_TIMEOUT || req->SessionTimeoutMs > GROUP_MAX_SESSION_TIMEOUT)
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_SESSION_TIMEOUT;
		return true;
	}
	if (rebalance_timeout <= 0)
		rebalance_timeout = req->SessionTimeoutMs;
	if (req->ProtocolType.len <= 0 || req->Protocols.count <= 0 ||
		!kstr_copy(protocol_type, sizeof(protocol_type), req->ProtocolType))
	{
		resp->ErrorCode = KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
		return true;
	}
	if (!kstr_copy(member_id, sizeof(member_id), req->MemberId) ||
		!kstr_copy(instance_id, sizeof(instance_id), req->GroupInstanceId))
	{
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		return true;
	}
	if (has_instance && instance_id[0] == '\0')
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
		return true;
	}
	client_id[0] = '\0';
	if (h->client_id.len > 0)
	{
		int32		n = Min(h->client_id.len, GROUP_CLIENT_ID_MAX);

		memcpy(client_id, h->client_id.ptr, (size_t) n);
		client_id[n] = '\0';
		for (int i = 0; i < n; i++)
			if (client_id[i] == '\0')
				client_id[i] = '_';
	}

	group_lock();
	now = GroupNowMs();
	g = group_lookup(group_id);
	if (g < 0 && (g = group_create(group_id)) < 0)
	{
		group_unlock();
		elog(LOG, "group coordinator full: %d groups (raise max_groups)", (int) max_groups);
		resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
		return true;
	}
	grp = &Groups[g];
	group_expire(g, now);

	mi = member_id[0] ? member_lookup(g, member_id) : -1;
	if (member_id[0] && mi < 0)
	{
		group_unlock();
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		return true;
	}
	if (group_member_count(g) > 0 &&
		(strcmp(grp->protocol_type, protocol_type) != 0 || !protocols_compatible(g, req, mi)))
	{
		group_unlock();
		resp->ErrorCode = KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
		return true;
	}

	if (has_instance)
	{
		int			si = member_by_instance(g, instance_id);

		if (member_id[0] && si >= 0 && si != mi)
		{
			group_unlock();
			resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
			return true;
		}
		if (!member_id[0] && si >= 0)
		{
			/*
			 * A static member back after a restart: it takes over its old
			 * slot under a new member id (fencing the old one).  With the
			 * same protocols and a Stable group, nothing else changes.
			 */
			m = &Members[si];
			wake(m);
			new_member_id(m->member_id, sizeof(m->member_id), client_id);
			m->waiter = NULL;
			m->session_timeout = req->SessionTimeoutMs;
			m->rebalance_timeout = rebalance_timeout;
			m->deadline = now + req->SessionTimeoutMs;
			strlcpy_s(m->client_id, client_id, sizeof(m->client_id));
			strlcpy_s(m->client_host, MyClientAddr, sizeof(m->client_host));
			if (grp->state == GROUP_STABLE && member_protocols_equal(m, req))
			{
				elog(LOG, "group \"%s\": static member \"%s\" rejoined as %s without a rebalance",
					 group_id, instance_id, m->member_id);
				join_response(&conn->arena, h->api_version, g, si, resp, true);
				if (grp->leader == si && h->api_version >= 9)
					resp->SkipAssignment = true;
				group_unlock();
				return true;
			}
			mi = si;
		}
	}

	if (mi < 0)
	{
		added = true;
		mi = member_alloc(g);
		if (mi < 0)
		{
			group_unlock();
			elog(LOG, "group coordinator full: %d members (raise max_group_members)", (int) max_group_members);
			resp->ErrorCode = KAFKA_ERR_GROUP_MAX_SIZE_REACHED;
			return true;
		}
		m = &Members[mi];
		new_member_id(m->member_id, sizeof(m->member_id), client_id);
		m->has_instance = has_instance;
		strlcpy_s(m->instance_id, instance_id, sizeof(m->instance_id));
		strlcpy_s(m->client_id, client_id, sizeof(m->client_id));
		strlcpy_s(m->client_host, MyClientAddr, sizeof(m->client_host));
		m->session_timeout = req->SessionTimeoutMs;
		m->rebalance_timeout = rebalance_timeout;
		m->deadline = now + req->SessionTimeoutMs;
		if (!member_set_protocols(m, req))
		{
			m->group = -1;
			group_unlock();
			resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			return true;
		}
		if (!has_instance && h->api_version >= 4)
		{
			/* KIP-394: hand out the id; the member joins again with it. */
			m->pending = true;
			resp->MemberId = KStrArena(&conn->arena, m->member_id);
			resp->ErrorCode = KAFKA_ERR_MEMBER_ID_REQUIRED;
			group_unlock();
			return true;
		}
	}
	else
	{
		m = &Members[mi];
		if (has_instance && (!m->has_instance || strcmp(m->instance_id, instance_id) != 0))
		{
			group_unlock();
			resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
			return true;
		}
		m->session_timeout = req->SessionTimeoutMs;
		m->rebalance_timeout = rebalance_timeout;
		m->deadline = now + req->SessionTimeoutMs;
		if (!m->pending && member_protocols_equal(m, req) &&
			((grp->state == GROUP_COMPLETING_REBALANCE) ||
			 (grp->state == GROUP_STABLE && grp->leader != mi)))
		{
			/* Nothing changed: answer with the current generation. */
			join_response(&conn->arena, h->api_version, g, mi, resp,
						  grp->state == GROUP_COMPLETING_REBALANCE);
			group_unlock();
			return true;
		}
		if (!member_set_protocols(m, req))
		{
			group_unlock();
			resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			return true;
		}
		if (m->pending)
			added = true;
		m->pending = false;
	}

	if (group_member_count(g) <= 1 || grp->protocol_type[0] == '\0')
		strlcpy_s(grp->protocol_type, protocol_type, sizeof(grp->protocol_type));
	m->joined = true;
	m->join_ready = false;
	/* Kafka extends the initial delay only for a group's first generation. */
	if (added && grp->state == GROUP_PREPARING_REBALANCE && grp->initial_delay && grp->generation == 0)
		grp->new_member_added = true;
	if (grp->state != GROUP_PREPARING_REBALANCE)
		prepare_rebalance(g, now);
	m->joined = true;
	check_join_complete(g, now);

	/* Wait for the round to complete. */
	{
		char		my_id[GROUP_MEMBER_ID_MAX + 1];

		strlcpy_s(my_id, m->member_id, sizeof(my_id));
		m->in_join = true;
		for (;;)
		{
			if (m->group != g || strcmp(m->member_id, my_id) != 0)
			{
				resp->ErrorCode = has_instance ? KAFKA_ERR_FENCED_INSTANCE_ID : KAFKA_ERR_UNKNOWN_MEMBER_ID;
				break;
			}
			if (m->join_ready)
			{
				m->join_ready = false;
				join_response(&conn->arena, h->api_version, g, mi, resp, true);
				break;
			}
			if (grp->state != GROUP_PREPARING_REBALANCE)
			{
				/* The round ended without us (group emptied). */
				resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
				break;
			}
			if (!group_wait(g, m))
			{
				resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
				break;
			}
			now = GroupNowMs();
			/* Our own member is skipped: it has a waiter. */
			group_expire(g, now);
		}
		if (m->group == g && strcmp(m->member_id, my_id) == 0)
		{
			m->waiter = NULL;
			m->in_join = false;
			m->deadline = GroupNowMs() + m->session_timeout;
		}
	}
	group_unlock();
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

	if (!kstr_copy(group_id, GROUP_ID_MAX + 1, group) || group_id[0] == '\0')
	{
		*err = KAFKA_ERR_INVALID_GROUP_ID;
		return -1;
	}
	if (!kstr_copy(member_id, GROUP_MEMBER_ID_MAX + 1, member))
	{
		*err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		return -1;
	}
	group_lock();
	*now = GroupNowMs();
	g = group_lookup(group_id);
	if (g < 0)
	{
		group_unlock();
		*err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	}
	return g;
}

bool
KafkaHandleSyncGroup(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const SyncGroupRequest *req = reqp;
	SyncGroupResponse *resp = respp;
	char		group_id[GROUP_ID_MAX + 1];
	char		member_id[GROUP_MEMBER_ID_MAX + 1];
	int			g,
				mi;
	Group	   *grp;
	GroupMember *m;
	int64		now;
	GroupSnapshotMember *snap = NULL;
	int			nsnap = 0;
	char		snap_type[GROUP_PROTOCOL_MAX + 1];
	char		snap_protocol[GROUP_PROTOCOL_MAX + 1];
	int32		snap_generation = 0;

	resp->Assignment = bytes_arena(&conn->arena, NULL, 0);
	if (!KafkaAuthorizeGroup(req->GroupId, ACL_OP_READ))
	{
		resp->ErrorCode = KAFKA_ERR_GROUP_AUTHORIZATION_FAILED;
		return true;
	}
	g = group_enter(req->GroupId, req->MemberId, group_id, member_id, &now, &resp->ErrorCode);
	if (g < 0)
		return true;
	grp = &Groups[g];
	group_expire(g, now);
	mi = member_lookup(g, member_id);
	if (mi < 0 || Members[mi].pending)
	{
		group_unlock();
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		return true;
	}
	m = &Members[mi];
	if (req->GroupInstanceId.len >= 0 &&
		(!m->has_instance || !kstr_eq(req->GroupInstanceId, m->instance_id)))
	{
		group_unlock();
		resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
		return true;
	}
	if (req->GenerationId != grp->generation)
	{
		group_unlock();
		resp->ErrorCode = KAFKA_ERR_ILLEGAL_GENERATION;
		return true;
	}
	if ((req->ProtocolType.len >= 0 && !kstr_eq(req->ProtocolType, grp->protocol_type)) ||
		(req->ProtocolName.len >= 0 && !kstr_eq(req->ProtocolName, grp->protocol)))
	{
		group_unlock();
		resp->ErrorCode = KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
		return true;
	}
	m->deadline = now + m->session_timeout;

	if (grp->state == GROUP_COMPLETING_REBALANCE && grp->leader == mi)
	{
		/* The leader's assignment: store it and release the followers. */
		for (int i = 0; i < req->Assignments.count; i++)
		{
			const SyncGroupRequestAssignment *a = &req->Assignments.items[i];
			char		id[GROUP_MEMBER_ID_MAX + 1];
			int			oi;

			if (!kstr_copy(id, sizeof(id), a->MemberId) || (oi = member_lookup(g, id)) < 0)
				continue;
			if (a->Assignment.len > GROUP_ASSIGNMENT_MAX)
			{
				elog(LOG, "group \"%s\": assignment of %d bytes for %s exceeds %d bytes",
					 group_id, a->Assignment.len, id, GROUP_ASSIGNMENT_MAX);
				prepare_rebalance(g, now);
				group_unlock();
				resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
				return true;
			}
			Members[oi].assignment_len = Max(a->Assignment.len, 0);
			if (a->Assignment.len > 0)
				memcpy(Members[oi].assignment, a->Assignment.ptr, (size_t) a->Assignment.len);
		}
		grp->state = GROUP_STABLE;
		snap = palloc(sizeof(GroupSnapshotMember) * (size_t) Max(group_member_count(g), 1));
		strlcpy_s(snap_type, grp->protocol_type, sizeof(snap_type));
		strlcpy_s(snap_protocol, grp->protocol, sizeof(snap_protocol));
		snap_generation = grp->generation;
		for (int i = 0; i < GroupShm->nmembers; i++)
			if (Members[i].group == g && !Members[i].pending)
			{
				GroupMember *o = &Members[i];
				GroupSnapshotMember *s = &snap[nsnap++];

				o->deadline = now + o->session_timeout;
				wake(o);
				strlcpy_s(s->member_id, o->member_id, sizeof(s->member_id));
				strlcpy_s(s->instance_id, o->instance_id, sizeof(s->instance_id));
				s->has_instance = o->has_instance;
				strlcpy_s(s->client_id, o->client_id, sizeof(s->client_id));
				strlcpy_s(s->client_host, o->client_host, sizeof(s->client_host));
				s->session_timeout = o->session_timeout;
				s->rebalance_timeout = o->rebalance_timeout;
			}
	}

	{
		int32		gen = grp->generation;

		for (;;)
		{
			if (m->group != g || strcmp(m->member_id, member_id) != 0)
			{
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
				resp->Assignment = bytes_arena(&conn->arena, m->assignment, m->assignment_len);
				resp->ProtocolType = KStrArena(&conn->arena, grp->protocol_type);
				resp->ProtocolName = KStrArena(&conn->arena, grp->protocol);
				break;
			}
			/* CompletingRebalance: wait for the leader's SyncGroup. */
			if (!group_wait(g, m))
			{
				resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
				break;
			}
			now = GroupNowMs();
			if (m->group == g && strcmp(m->member_id, member_id) == 0)
				m->deadline = now + m->session_timeout;
			group_expire(g, now);
		}
		if (m->group == g && strcmp(m->member_id, member_id) == 0)
			m->waiter = NULL;
	}
	group_unlock();
	if (snap != NULL)
	{
		/* The operator views: this generation's state and members. */
		GroupCatalogRecord(group_id, snap_type, snap_protocol, snap_generation, "Stable", nsnap, snap);
		pfree(snap);
	}
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
	group_expire(g, now);
	mi = member_lookup(g, member_id);
	if (mi < 0 || Members[mi].pending)
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else if (req->GroupInstanceId.len >= 0 &&
			 (!Members[mi].has_instance || !kstr_eq(req->GroupInstanceId, Members[mi].instance_id)))
		resp->ErrorCode = KAFKA_ERR_FENCED_INSTANCE_ID;
	else
	{
		Group	   *grp = &Groups[g];

		Members[mi].deadline = now + Members[mi].session_timeout;
		if (grp->state == GROUP_PREPARING_REBALANCE)
			resp->ErrorCode = KAFKA_ERR_REBALANCE_IN_PROGRESS;
		else if (req->GenerationId != grp->generation)
			resp->ErrorCode = KAFKA_ERR_ILLEGAL_GENERATION;
		else
			resp->ErrorCode = KAFKA_ERR_NONE;
	}
	group_unlock();
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

		if (!kstr_copy(inst, sizeof(inst), instance) || (mi = member_by_instance(g, inst)) < 0)
			return KAFKA_ERR_UNKNOWN_MEMBER_ID;
		if (member_id[0] && strcmp(Members[mi].member_id, member_id) != 0)
			return KAFKA_ERR_FENCED_INSTANCE_ID;
	}
	else if ((mi = member_lookup(g, member_id)) < 0)
		return KAFKA_ERR_UNKNOWN_MEMBER_ID;
	elog(LOG, "group \"%s\": member %s left", Groups[g].group_id, Members[mi].member_id);
	member_remove(mi, now, true);
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
	if (!kstr_copy(group_id, sizeof(group_id), req->GroupId) || group_id[0] == '\0')
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
		return true;
	}
	if (h->api_version >= 3 && req->Members.count > 0)
	{
		resp->Members.items = KafkaNewArray(&conn->arena, &MemberResponse_schema, req->Members.count);
		if (resp->Members.items == NULL)
			elog(ERROR, "request arena exhausted");
		resp->Members.count = req->Members.count;
	}
	group_lock();
	now = GroupNowMs();
	g = group_lookup(group_id);
	if (h->api_version < 3)
	{
		char		member_id[GROUP_MEMBER_ID_MAX + 1];

		if (g < 0 || !kstr_copy(member_id, sizeof(member_id), req->MemberId))
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
			if (g < 0 || !kstr_copy(member_id, sizeof(member_id), mid->MemberId))
				r->ErrorCode = KAFKA_ERR_UNKNOWN_MEMBER_ID;
			else
				r->ErrorCode = leave_one(g, member_id, mid->GroupInstanceId, now);
		}
	}
	group_unlock();
	return true;
}

/* ---------- DescribeGroups ---------- */

/*
 * The groups the catalog knows (group_id, protocol_type), or NULL if it
 * cannot be reached (then only groups in memory are described).  Run
 * without GroupLock.
 */
static PGresult *
catalog_groups(void)
{
	char	   *msg = NULL;
	char		err[512];
	PGconn	   *pg = BackendCatalogConnection(&msg);
	PGresult   *res;

	if (pg == NULL)
		return NULL;
	res = CatalogQuery(pg, "SELECT group_id, coalesce(protocol_type, '') FROM strata.groups",
					   0, NULL, err, sizeof(err));
	if (res == NULL)
		elog(LOG, "%s", err);
	return res;
}

bool
KafkaHandleDescribeGroups(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DescribeGroupsRequest *req = reqp;
	DescribeGroupsResponse *resp = respp;
	int32		n = Max(req->Groups.count, 0);
	DescribedGroup *out;
	PGresult   *known = NULL;
	bool	   *may;

	(void) h;
	if (n == 0)
		return true;
	out = KafkaNewArray(&conn->arena, &DescribedGroup_schema, n);
	may = KArenaArray(&conn->arena, n, sizeof(bool));
	if (out == NULL)
		elog(ERROR, "request arena exhausted");
	resp->Groups.items = out;
	resp->Groups.count = n;
	/* DESCRIBE on each group, decided before GroupLock is taken. */
	for (int i = 0; i < n; i++)
		may[i] = KafkaAuthorizeGroup(req->Groups.items[i], ACL_OP_DESCRIBE);
	known = catalog_groups();
	group_lock();
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
		if (!kstr_copy(group_id, sizeof(group_id), req->Groups.items[i]) || group_id[0] == '\0')
		{
			out[i].ErrorCode = KAFKA_ERR_INVALID_GROUP_ID;
			continue;
		}
		g = group_lookup(group_id);
		if (g < 0)
		{
			/*
			 * A group known only from the catalog (committed offsets, e.g.
			 * after a restart) is Empty; Kafka describes an unknown group
			 * as Dead, without error.
			 */
			out[i].GroupState = KSTR_LIT("Dead");
			for (int r = 0; known != NULL && r < PQntuples(known); r++)
				if (strcmp(PQgetvalue(known, r, 0), group_id) == 0)
				{
					out[i].GroupState = KSTR_LIT("Empty");
					out[i].ProtocolType = KStrArena(&conn->arena, PQgetvalue(known, r, 1));
				}
			continue;
		}
		group_expire(g, GroupNowMs());
		grp = &Groups[g];
		out[i].GroupState = KStrArena(&conn->arena, GroupStateName(grp->state));
		out[i].ProtocolType = KStrArena(&conn->arena, grp->protocol_type);
		out[i].ProtocolData = KStrArena(&conn->arena, grp->protocol);
		nm = group_member_count(g);
		if (nm == 0)
			continue;
		out[i].Members.items = KafkaNewArray(&conn->arena, &DescribedGroupMember_schema, nm);
		if (out[i].Members.items == NULL)
			elog(ERROR, "request arena exhausted");
		for (int j = 0; j < GroupShm->nmembers && k < nm; j++)
		{
			GroupMember *m = &Members[j];
			DescribedGroupMember *dm = &out[i].Members.items[k];
			int			p;

			if (m->group != g || m->pending)
				continue;
			dm->MemberId = KStrArena(&conn->arena, m->member_id);
			dm->GroupInstanceId = m->has_instance ? KStrArena(&conn->arena, m->instance_id) : KSTR_NULL;
			dm->ClientId = KStrArena(&conn->arena, m->client_id);
			dm->ClientHost = KStrArena(&conn->arena, m->client_host);
			p = member_protocol(m, grp->protocol);
			dm->MemberMetadata = p >= 0 ? bytes_arena(&conn->arena, m->meta + m->meta_off[p], m->meta_len[p])
				: bytes_arena(&conn->arena, NULL, 0);
			dm->MemberAssignment = grp->state == GROUP_STABLE
				? bytes_arena(&conn->arena, m->assignment, m->assignment_len)
				: bytes_arena(&conn->arena, NULL, 0);
			k++;
		}
		out[i].Members.count = k;
	}
	group_unlock();
	if (known)
		PQclear(known);
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
	const ListGroupsRequest *req = reqp;
	ListGroupsResponse *resp = respp;
	int			cap,
				n = 0;
	ListedGroup *out;
	PGresult   *res;
	/* DESCRIBE on the cluster lists every group, else those it may describe. */
	bool		all = KafkaAuthorizeCluster(ACL_OP_DESCRIBE);

	(void) h;
	/* Groups known only from the catalog (committed offsets) are Empty. */
	res = catalog_groups();
	cap = (int) max_groups + (res ? PQntuples(res) : 0);
	out = KafkaNewArray(&conn->arena, &ListedGroup_schema, Max(cap, 1));
	if (out == NULL)
		elog(ERROR, "request arena exhausted");
	group_lock();
	for (int g = 0; g < GroupShm->ngroups; g++)
	{
		if (!Groups[g].in_use)
			continue;
		group_expire(g, GroupNowMs());
		if (!state_wanted(req, GroupStateName(Groups[g].state)) || !type_wanted(req))
			continue;
		if (!all && !KafkaAuthorizeQuiet(ACL_RESOURCE_GROUP, Groups[g].group_id,
										 (int32) strlen(Groups[g].group_id), ACL_OP_DESCRIBE))
			continue;
		out[n].GroupId = KStrArena(&conn->arena, Groups[g].group_id);
		out[n].ProtocolType = KStrArena(&conn->arena, Groups[g].protocol_type);
		out[n].GroupState = KStrArena(&conn->arena, GroupStateName(Groups[g].state));
		out[n].GroupType = KSTR_LIT("classic");
		n++;
	}
	for (int r = 0; res != NULL && r < PQntuples(res); r++)
	{
		const char *id = PQgetvalue(res, r, 0);

		if (group_lookup(id) >= 0 || !state_wanted(req, "Empty") || !type_wanted(req))
			continue;
		if (!all && !KafkaAuthorizeQuiet(ACL_RESOURCE_GROUP, id, (int32) strlen(id), ACL_OP_DESCRIBE))
			continue;
		out[n].GroupId = KStrArena(&conn->arena, id);
		out[n].ProtocolType = KStrArena(&conn->arena, PQgetvalue(res, r, 1));
		out[n].GroupState = KSTR_LIT("Empty");
		out[n].GroupType = KSTR_LIT("classic");
		n++;
	}
	group_unlock();
	if (res)
		PQclear(res);
	resp->Groups.items = n > 0 ? out : NULL;
	resp->Groups.count = n;
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

	group_lock();
	now = GroupNowMs();
	g = group_lookup(group_id);
	if (g < 0)
	{
		if (generation >= 0 || member_id[0])
			err = KAFKA_ERR_UNKNOWN_MEMBER_ID;	/* Kafka: a member of no group */
		else
			(void) group_create(group_id);	/* if full, offsets still go to the catalog */
		group_unlock();
		return err;
	}
	group_expire(g, now);
	if (generation < 0 && member_id[0] == '\0')
	{
		/* A commit from outside the group: only while it is Empty. */
		if (Groups[g].state != GROUP_EMPTY)
			err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
		group_unlock();
		return err;
	}
	mi = member_lookup(g, member_id);
	if (mi < 0 || Members[mi].pending)
		err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
	else if (instance_id != NULL &&
			 (!Members[mi].has_instance || strcmp(Members[mi].instance_id, instance_id) != 0))
		err = KAFKA_ERR_FENCED_INSTANCE_ID;
	else if (generation != Groups[g].generation)
		err = KAFKA_ERR_ILLEGAL_GENERATION;
	else if (Groups[g].state == GROUP_COMPLETING_REBALANCE)
		err = KAFKA_ERR_REBALANCE_IN_PROGRESS;
	else
		Members[mi].deadline = now + Members[mi].session_timeout;
	group_unlock();
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

	group_lock();
	g = group_lookup(group_id);
	*members = -1;
	if (subscribed)
		*subscribed = false;
	if (g >= 0)
	{
		group_expire(g, GroupNowMs());
		*members = group_member_count(g);
		if (topic != NULL && subscribed != NULL && strcmp(Groups[g].protocol_type, "consumer") == 0)
		{
			for (int i = 0; i < GroupShm->nmembers; i++)
			{
				GroupMember *m = &Members[i];
				int			p;

				if (m->group != g || m->pending)
					continue;
				p = member_protocol(m, Groups[g].protocol);
				if (p >= 0 && subscription_names(m->meta + m->meta_off[p], m->meta_len[p], topic))
					*subscribed = true;
			}
		}
	}
	group_unlock();
	return g >= 0;
}

bool
GroupForget(const char *group_id)
{
	int			g;
	bool		ok = true;

	group_lock();
	g = group_lookup(group_id);
	if (g >= 0)
	{
		group_expire(g, GroupNowMs());
		if (group_member_count(g) > 0)
			ok = false;
		else
		{
			for (int i = 0; i < GroupShm->nmembers; i++)
				if (Members[i].group == g)
					member_remove(i, GroupNowMs(), false);
			Groups[g].in_use = false;
		}
	}
	group_unlock();
	return ok;
}

void
GroupCountStates(int64 *counts, int64 *members)
{
	for (int s = 0; s <= GROUP_DEAD; s++)
		counts[s] = 0;
	*members = 0;
	group_lock();
	for (int i = 0; i < GroupShm->ngroups; i++)
		if (Groups[i].in_use && Groups[i].state >= 0 && Groups[i].state <= GROUP_DEAD)
			counts[Groups[i].state]++;
	for (int i = 0; i < GroupShm->nmembers; i++)
		if (Members[i].group >= 0 && !Members[i].pending)
			(*members)++;
	group_unlock();
}
