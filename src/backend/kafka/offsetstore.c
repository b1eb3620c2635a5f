/*-------------------------------------------------------------------------
 *
 * offsetstore.c
 *	  Committed offsets between the backends and the catalog (see
 *	  kafka/offsetstore.h): the group-commit queue, the work of the offset
 *	  committer process that drains it into the catalog (its main loop is
 *	  postmaster/offsetcommitter.c), and the OffsetFetch cache.
 *
 *	  THE QUEUE.  One buffer in shared memory (offset_commit_queue_size
 *	  bytes) under one SMutex.  A backend appends one record per OffsetCommit
 *	  request (its group id and every row) with a ticket, notes the ticket
 *	  in its waiter slot (one per process slot), sets the committer's latch
 *	  and sleeps on its own.  The committer copies the whole buffer out and
 *	  empties it in one short critical section, so the buffer is never a
 *	  ring: appends always go at the end and a drain resets it.  Requests
 *	  that arrive while a catalog transaction is running simply accumulate
 *	  for the next one: that is the group commit, with no timer (like
 *	  PostgreSQL's WAL flush without commit_delay).
 *
 *	  THE COMMITTER writes everything it drained in one statement: an upsert
 *	  of the distinct group ids into strata.groups and a multi-row upsert
 *	  of the rows, fed by arrays (unnest).  PostgreSQL refuses an ON
 *	  CONFLICT DO UPDATE that touches one row twice, so rows for the same
 *	  (group, topic, partition) are reduced first to the last one queued,
 *	  which is what applying them in order would leave.  After the commit
 *	  it marks each request done and sets the latches of exactly those
 *	  backends.  A statement the catalog rejects (a group id that is not
 *	  valid UTF-8, say) would fail the whole batch, so the batch is then
 *	  retried request by request and only the offending requests fail.
 *	  When the catalog cannot be reached the committer keeps its batch,
 *	  reconnects with a doubling backoff (up to catalog_retry_max) and
 *	  merges newly queued requests into it; a backend whose wait exceeds
 *	  offsets_commit_timeout withdraws its request (the committer drops
 *	  withdrawn requests before each attempt) and answers
 *	  COORDINATOR_NOT_AVAILABLE.  A withdrawn request may still have been
 *	  committed (the connection broke after COMMIT): Kafka makes the same
 *	  promise, and retrying an upsert is harmless.  The queue being full
 *	  makes backends wait for room, within the same bound.
 *
 *	  THE CACHE.  Groups (up to max_groups) and their offsets, in a fixed
 *	  pool of entries (offset_cache_size bytes) hashed on (group, topic,
 *	  partition); the least recently fetched group is evicted whole when
 *	  the pool runs out.  Metadata longer than OFFSET_CACHE_METADATA_MAX
 *	  bytes is not cached: such a group is read from the catalog each time.
 *	  A group is loaded by the first backend that fetches it (state
 *	  LOADING, read the catalog without the lock, install).
 *
 *	  Why the cache never goes back in time: every change of
 *	  strata.committed_offsets goes either through the committer, which
 *	  applies its batches to the cache in the order it committed them, or
 *	  through a backend that then calls OffsetCacheForget.
 *	  - A batch applied to a group that is LOADING marks the load invalid:
 *	    the loader's read may predate the batch, so it does not install.
 *	    A batch applied after a load installed is either newer than the
 *	    load's read (correct to apply) or already in it (applying it again
 *	    changes nothing, since later batches are applied after it).
 *	  - A delete drops the group, but a batch committed to the catalog
 *	    before the delete may not have been applied to the cache yet; if
 *	    the group were reloaded meanwhile that late apply would resurrect
 *	    deleted or older offsets.  So a delete records the number of the
 *	    batch in flight (load_barrier), and no group is loaded until that
 *	    batch is done (reads go to the catalog meanwhile).
 *	  - An attempt that got no answer (the catalog went away, or did not
 *	    answer within offsets_commit_timeout: the statement is then
 *	    cancelled) may have committed or not; its groups are forgotten as
 *	    by a delete.
 *	  Like the group state, the cache assumes this broker coordinates its
 *	  groups alone; offsets changed by hand in the catalog are seen after a
 *	  restart.  In a cluster a group's coordinator moves with its slot: the
 *	  catalog worker forgets the cached groups of a slot that came or went
 *	  (OffsetCacheForgetSlots), and the commit statement writes only the
 *	  groups whose slot this broker leads in the catalog (the fence against
 *	  a commit arriving after the move); a refused group is forgotten too
 *	  and its backends answer NOT_COORDINATOR.
 *
 * src/backend/kafka/offsetstore.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>

#include "catalog/catalog_groups.h"
#include "kafka/group.h"
#include "kafka/cluster.h"
#include "kafka/offsetstore.h"
#include "kafka/partition.h"
#include "kafka/protocol.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define OFFSET_CACHE_METADATA_MAX 128

/* ---------- shared state ---------- */

typedef enum WaiterState
{
	WAITER_IDLE = 0,
	WAITER_WAITING,				/* request queued or being written */
	WAITER_DONE,				/* written; result holds the Kafka error */
} WaiterState;

typedef struct OffsetWaiter
{
	uint64		ticket;
	int32		state;			/* WaiterState */
	int32		result;
	bool		wants_space;	/* sleeping until the queue has room */
} OffsetWaiter;

typedef enum CacheGroupState
{
	CG_FREE = 0,
	CG_LOADING,
	CG_LOADED
} CacheGroupState;

typedef struct CacheGroup
{
	int32		state;
	bool		invalid;		/* LOADING: a write raced the load */
	uint64		load_id;
	int64		load_start;		/* when LOADING began (now_ms) */
	uint64		last_used;
	int32		first;			/* first entry of its list, -1 */
	char		group_id[GROUP_ID_MAX + 1];
} CacheGroup;

typedef struct CacheEntry
{
	int32		group;			/* -1: free */
	int32		next;			/* group list, or free list */
	int32		hnext;			/* hash chain */
	int32		partition;
	int64		offset;
	int32		leader_epoch;
	int16		metadata_len;	/* -1: NULL */
	char		topic[TOPIC_NAME_MAX + 1];
	char		metadata[OFFSET_CACHE_METADATA_MAX];
} CacheEntry;

typedef struct OffsetShared
{
	SMutex		lock;
	/* the queue */
	uint64		next_ticket;
	size_t		queue_cap;
	size_t		queue_used;
	int32		nwaiters;
	/* batches: started when drained, done when applied to the cache */
	uint64		batch_started;
	uint64		batch_done;
	uint64		load_barrier;
	/* the cache */
	int32		ngroups;
	int32		nentries;
	int32		nbuckets;		/* power of two */
	int32		free_entry;
	uint64		use_clock;
	uint64		next_load_id;
	OffsetStoreStats stats;
} OffsetShared;

static OffsetShared *Shm;
static OffsetWaiter *Waiters;
static CacheGroup *CGroups;
static CacheEntry *CEntries;
static int32 *CBuckets;
static char *QueueBuf;

/*
 * A queued request: this header, the group id, then nrows rows, each a
 * QueuedRow followed by its topic and metadata bytes.  Lengths are
 * MAXALIGNed so the next header is aligned.
 */
typedef struct QueuedRequest
{
	uint32		len;
	int32		slot;
	uint64		ticket;
	int32		nrows;
	int16		group_len;
	bool		consumer;		/* protocol_type "consumer" for a new group */
} QueuedRequest;

typedef struct QueuedRow
{
	int64		offset;
	int32		partition;
	int32		leader_epoch;
	int16		topic_len;
	int16		metadata_len;	/* -1: NULL */
} QueuedRow;

static int32
total_cache_entries(void)
{
	int64		n = offset_cache_size / (int64) sizeof(CacheEntry);

	return (int32) Max(Min(n, INT64_C(1) << 30), 16);
}

static int32
bucket_count(int32 nentries)
{
	int32		b = 16;

	while (b < nentries && b < (1 << 30))
		b <<= 1;
	return b;
}

size_t
OffsetStoreShmemSize(void)
{
	int32		ne = total_cache_entries();
	size_t		size = MAXALIGN(sizeof(OffsetShared));

	size = add_size(size, MAXALIGN(mul_size(sizeof(OffsetWaiter), (size_t) (NUM_AUX_PROCS + max_connections))));
	size = add_size(size, MAXALIGN(mul_size(sizeof(CacheGroup), (size_t) max_groups)));
	size = add_size(size, MAXALIGN(mul_size(sizeof(CacheEntry), (size_t) ne)));
	size = add_size(size, MAXALIGN(mul_size(sizeof(int32), (size_t) bucket_count(ne))));
	size = add_size(size, MAXALIGN((size_t) offset_commit_queue_size));
	return size;
}

void
OffsetStoreShmemInit(void)
{
	bool		found;
	int32		ne = total_cache_entries();
	int32		nw = (int32) (NUM_AUX_PROCS + max_connections);
	char	   *p = ShmemInitStruct("Offset Store", OffsetStoreShmemSize(), &found);

	Shm = (OffsetShared *) p;
	p += MAXALIGN(sizeof(OffsetShared));
	Waiters = (OffsetWaiter *) p;
	p += MAXALIGN(sizeof(OffsetWaiter) * (size_t) nw);
	CGroups = (CacheGroup *) p;
	p += MAXALIGN(sizeof(CacheGroup) * (size_t) max_groups);
	CEntries = (CacheEntry *) p;
	p += MAXALIGN(sizeof(CacheEntry) * (size_t) ne);
	CBuckets = (int32 *) p;
	p += MAXALIGN(sizeof(int32) * (size_t) bucket_count(ne));
	QueueBuf = p;
	if (found)
		return;
	memset(Shm, 0, sizeof(OffsetShared));
	SMutexInit(&Shm->lock);
	Shm->next_ticket = 1;
	Shm->queue_cap = (size_t) offset_commit_queue_size;
	Shm->nwaiters = nw;
	Shm->ngroups = (int32) max_groups;
	Shm->nentries = ne;
	Shm->nbuckets = bucket_count(ne);
	Shm->next_load_id = 1;
	memset(Waiters, 0, sizeof(OffsetWaiter) * (size_t) nw);
	memset(CGroups, 0, sizeof(CacheGroup) * (size_t) max_groups);
	for (int32 i = 0; i < ne; i++)
	{
		CEntries[i].group = -1;
		CEntries[i].next = i + 1 < ne ? i + 1 : -1;
		CEntries[i].hnext = -1;
	}
	Shm->free_entry = 0;
	for (int32 i = 0; i < Shm->nbuckets; i++)
		CBuckets[i] = -1;
}

void
OffsetStoreGetStats(OffsetStoreStats *stats)
{
	SMutexLock(&Shm->lock);
	*stats = Shm->stats;
	SMutexUnlock(&Shm->lock);
}

/* A NUL-terminated palloc'd copy of n bytes. */
static char *
dupn(const char *s, size_t n)
{
	char	   *d = palloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---------- the cache; everything here runs with Shm->lock held ---------- */

static uint32
entry_hash(int32 g, const char *topic, int32 partition)
{
	uint32		h = 2166136261u ^ (uint32) g;

	for (const char *c = topic; *c; c++)
		h = (h ^ (uint8) *c) * 16777619u;
	h = (h ^ (uint32) partition) * 16777619u;
	return h;
}

static int
cache_group_lookup(const char *group_id)
{
	for (int i = 0; i < Shm->ngroups; i++)
		if (CGroups[i].state != CG_FREE && strcmp(CGroups[i].group_id, group_id) == 0)
			return i;
	return -1;
}

static int32
cache_entry_find(int32 g, const char *topic, int32 partition)
{
	int32		e = CBuckets[entry_hash(g, topic, partition) & (uint32) (Shm->nbuckets - 1)];

	for (; e >= 0; e = CEntries[e].hnext)
		if (CEntries[e].group == g && CEntries[e].partition == partition &&
			strcmp(CEntries[e].topic, topic) == 0)
			return e;
	return -1;
}

/* Free every entry of group g and the group's slot. */
static void
cache_group_drop(int32 g)
{
	CacheGroup *cg = &CGroups[g];
	int32		e = cg->first;

	while (e >= 0)
	{
		CacheEntry *ce = &CEntries[e];
		int32		next = ce->next;
		int32	   *link = &CBuckets[entry_hash(g, ce->topic, ce->partition) & (uint32) (Shm->nbuckets - 1)];

		while (*link != e)
			link = &CEntries[*link].hnext;
		*link = ce->hnext;
		ce->group = -1;
		ce->hnext = -1;
		ce->next = Shm->free_entry;
		Shm->free_entry = e;
		e = next;
	}
	cg->first = -1;
	cg->state = CG_FREE;
	cg->invalid = false;
	cg->group_id[0] = '\0';
}

/* Evict the least recently used loaded group other than keep; false if none. */
static bool
cache_evict_one(int32 keep)
{
	int32		victim = -1;

	for (int32 i = 0; i < Shm->ngroups; i++)
		if (i != keep && CGroups[i].state == CG_LOADED &&
			(victim < 0 || CGroups[i].last_used < CGroups[victim].last_used))
			victim = i;
	if (victim < 0)
		return false;
	cache_group_drop(victim);
	return true;
}

/*
 * Set (group g, row) in the cache, inserting the entry if new.  False if
 * the row cannot be cached (metadata too long, no room even after
 * evicting every other group): the caller drops the group.
 */
static bool
cache_entry_set(int32 g, const OffsetRow *r)
{
	int32		e;
	CacheEntry *ce;

	if (r->metadata_len > OFFSET_CACHE_METADATA_MAX || strlen(r->topic) > TOPIC_NAME_MAX)
		return false;
	e = cache_entry_find(g, r->topic, r->partition);
	if (e < 0)
	{
		uint32		b;

		while (Shm->free_entry < 0)
			if (!cache_evict_one(g))
				return false;
		e = Shm->free_entry;
		ce = &CEntries[e];
		Shm->free_entry = ce->next;
		ce->group = g;
		ce->partition = r->partition;
		strlcpy_s(ce->topic, r->topic, sizeof(ce->topic));
		ce->next = CGroups[g].first;
		CGroups[g].first = e;
		b = entry_hash(g, r->topic, r->partition) & (uint32) (Shm->nbuckets - 1);
		ce->hnext = CBuckets[b];
		CBuckets[b] = e;
	}
	ce = &CEntries[e];
	ce->offset = r->offset;
	ce->leader_epoch = r->leader_epoch;
	if (r->metadata == NULL)
		ce->metadata_len = -1;
	else
	{
		ce->metadata_len = (int16) r->metadata_len;
		if (r->metadata_len > 0)
			memcpy(ce->metadata, r->metadata, (size_t) r->metadata_len);
	}
	return true;
}

bool
OffsetCacheLookup(const char *group_id, OffsetRow **out, int *n, uint64 *load_id)
{
	int			g;

	*load_id = 0;
	*out = NULL;
	*n = 0;
	SMutexLock(&Shm->lock);
	g = cache_group_lookup(group_id);
	if (g >= 0 && CGroups[g].state == CG_LOADED)
	{
		CacheGroup *cg = &CGroups[g];
		int			count = 0,
					k = 0;
		OffsetRow  *rows;

		cg->last_used = ++Shm->use_clock;
		Shm->stats.cache_hits++;
		for (int32 e = cg->first; e >= 0; e = CEntries[e].next)
			count++;
		/*
		 * palloc under the lock: an out-of-memory ERROR here would leave
		 * the SMutex held, which proc_exit turns into a crash restart; a
		 * group's cached rows are bounded by offset_cache_size.
		 */
		rows = count > 0 ? palloc(sizeof(OffsetRow) * (size_t) count) : NULL;
		for (int32 e = cg->first; e >= 0; e = CEntries[e].next, k++)
		{
			CacheEntry *ce = &CEntries[e];

			rows[k].topic = pstrdup(ce->topic);
			rows[k].partition = ce->partition;
			rows[k].offset = ce->offset;
			rows[k].leader_epoch = ce->leader_epoch;
			rows[k].metadata_len = Max(ce->metadata_len, 0);
			rows[k].metadata = ce->metadata_len < 0 ? NULL : dupn(ce->metadata, (size_t) ce->metadata_len);
		}
		SMutexUnlock(&Shm->lock);
		*out = rows;
		*n = count;
		return true;
	}
	/*
	 * A load that never finished (its backend exited in between) is taken
	 * over after a while instead of keeping the group out of the cache.
	 */
	if (g >= 0 && CGroups[g].state == CG_LOADING && MonotonicMs() - CGroups[g].load_start > 60000)
	{
		cache_group_drop(g);
		g = -1;
	}
	if (g < 0 && Shm->batch_done >= Shm->load_barrier)
	{
		/* Take a free slot, or evict the least recently used group. */
		for (int i = 0; i < Shm->ngroups && g < 0; i++)
			if (CGroups[i].state == CG_FREE)
				g = i;
		if (g < 0 && cache_evict_one(-1))
			for (int i = 0; i < Shm->ngroups && g < 0; i++)
				if (CGroups[i].state == CG_FREE)
					g = i;
		if (g >= 0)
		{
			CacheGroup *cg = &CGroups[g];

			cg->state = CG_LOADING;
			cg->invalid = false;
			cg->first = -1;
			cg->load_id = Shm->next_load_id++;
			cg->load_start = MonotonicMs();
			cg->last_used = ++Shm->use_clock;
			strlcpy_s(cg->group_id, group_id, sizeof(cg->group_id));
			*load_id = cg->load_id;
		}
	}
	SMutexUnlock(&Shm->lock);
	return false;
}

void
OffsetCacheInstall(const char *group_id, uint64 load_id, bool ok, int n, const OffsetRow *rows)
{
	int			g;

	if (load_id == 0)
		return;
	SMutexLock(&Shm->lock);
	g = cache_group_lookup(group_id);
	if (g >= 0 && CGroups[g].state == CG_LOADING && CGroups[g].load_id == load_id)
	{
		/* A group larger than the whole cache would only evict the rest. */
		bool		keep = ok && !CGroups[g].invalid && n <= Shm->nentries;

		for (int i = 0; i < n && keep; i++)
			keep = cache_entry_set(g, &rows[i]);
		if (keep)
		{
			CGroups[g].state = CG_LOADED;
			Shm->stats.cache_loads++;
		}
		else
			cache_group_drop(g);
	}
	SMutexUnlock(&Shm->lock);
}

/* OffsetCacheForget with the lock held. */
static void
cache_forget_locked(const char *group_id)
{
	int			g = cache_group_lookup(group_id);

	if (g >= 0)
	{
		if (CGroups[g].state == CG_LOADING)
			CGroups[g].invalid = true;
		else
			cache_group_drop(g);
	}
	Shm->load_barrier = Shm->batch_started;
}

void
OffsetCacheForget(const char *group_id)
{
	SMutexLock(&Shm->lock);
	cache_forget_locked(group_id);
	SMutexUnlock(&Shm->lock);
}

void
OffsetCacheForgetSlots(const bool *moved, int nslots)
{
	SMutexLock(&Shm->lock);
	for (int i = 0; i < Shm->ngroups; i++)
		if (CGroups[i].state != CG_FREE &&
			moved[ClusterKeySlot(CGroups[i].group_id, strlen(CGroups[i].group_id), nslots)])
			cache_forget_locked(CGroups[i].group_id);
	SMutexUnlock(&Shm->lock);
}

/* ---------- the queue, backend side ---------- */

static size_t
request_size(const char *group_id, int nrows, const OffsetRow *rows)
{
	size_t		size = sizeof(QueuedRequest) + strlen(group_id);

	for (int i = 0; i < nrows; i++)
		size += sizeof(QueuedRow) + strlen(rows[i].topic) + (size_t) Max(rows[i].metadata_len, 0);
	return MAXALIGN(size);
}

static void
request_write(char *dst, size_t len, int slot, uint64 ticket, const char *group_id,
			  bool consumer, int nrows, const OffsetRow *rows)
{
	QueuedRequest hdr;
	char	   *p = dst;

	memset(&hdr, 0, sizeof(hdr));
	hdr.len = (uint32) len;
	hdr.slot = slot;
	hdr.ticket = ticket;
	hdr.nrows = nrows;
	hdr.group_len = (int16) strlen(group_id);
	hdr.consumer = consumer;
	memcpy(p, &hdr, sizeof(hdr));
	p += sizeof(hdr);
	memcpy(p, group_id, (size_t) hdr.group_len);
	p += hdr.group_len;
	for (int i = 0; i < nrows; i++)
	{
		QueuedRow	r;

		r.offset = rows[i].offset;
		r.partition = rows[i].partition;
		r.leader_epoch = rows[i].leader_epoch;
		r.topic_len = (int16) strlen(rows[i].topic);
		r.metadata_len = rows[i].metadata == NULL ? -1 : (int16) rows[i].metadata_len;
		memcpy(p, &r, sizeof(r));
		p += sizeof(r);
		memcpy(p, rows[i].topic, (size_t) r.topic_len);
		p += r.topic_len;
		if (r.metadata_len > 0)
		{
			memcpy(p, rows[i].metadata, (size_t) r.metadata_len);
			p += r.metadata_len;
		}
	}
}

int
OffsetStoreCommit(const char *group_id, const char *protocol_type, int nrows, const OffsetRow *rows)
{
	size_t		len = request_size(group_id, nrows, rows);
	int64		deadline = MonotonicMs() + offsets_commit_timeout;
	OffsetWaiter *w;
	uint64		ticket;
	bool		queued = false;
	int			result = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;

	Ensure(MyProcSlot >= 0 && MyProcSlot < Shm->nwaiters);
	if (len > Shm->queue_cap)
		return OFFSET_COMMIT_TOO_LARGE;
	w = &Waiters[MyProcSlot];

	SMutexLock(&Shm->lock);
	ticket = Shm->next_ticket++;
	w->ticket = ticket;
	w->state = WAITER_WAITING;
	w->wants_space = false;
	SMutexUnlock(&Shm->lock);

	for (;;)
	{
		int64		now;
		bool		done = false;
		bool		timed_out = false;

		ResetLatch(MyLatch);
		SMutexLock(&Shm->lock);
		if (!queued && Shm->queue_used + len <= Shm->queue_cap)
		{
			request_write(QueueBuf + Shm->queue_used, len, MyProcSlot, ticket, group_id,
						  protocol_type != NULL && strcmp(protocol_type, "consumer") == 0,
						  nrows, rows);
			Shm->queue_used += len;
			w->wants_space = false;
			queued = true;
		}
		else if (!queued)
			w->wants_space = true;
		if (w->ticket == ticket && w->state == WAITER_DONE)
		{
			result = w->result;
			w->state = WAITER_IDLE;
			done = true;
		}
		now = MonotonicMs();
		if (!done && now >= deadline)
		{
			/* Withdraw: the committer drops it if it still holds it. */
			w->state = WAITER_IDLE;
			w->wants_space = false;
			w->ticket = 0;
			done = true;
			timed_out = true;
		}
		SMutexUnlock(&Shm->lock);
		if (timed_out)
			elog(LOG, "offset commit for group \"%s\" not written to the catalog within offsets_commit_timeout (%lld ms); answering COORDINATOR_NOT_AVAILABLE",
				 group_id, (long long) offsets_commit_timeout);
		if (done)
			return result;
		if (queued)
			SetLatch(AuxProcLatch(PROC_COMMITTER));
		WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, (long) (deadline - now));
	}
}

/* ---------- the committer ---------- */

/* A drained request, in the committer's memory. */
typedef struct Pending
{
	int32		slot;
	uint64		ticket;
	char	   *group_id;
	bool		consumer;
	int			nrows;
	OffsetRow  *rows;
	char	   *raw;			/* the copied record the strings point into */
} Pending;

static Pending *pending = NULL;
static int	npending = 0;
static int	pending_cap = 0;

static void
pending_free(Pending *p)
{
	pfree(p->group_id);
	for (int i = 0; i < p->nrows; i++)
		pfree((char *) p->rows[i].topic);
	if (p->rows)
		pfree(p->rows);
	pfree(p->raw);
}

/* Decode one record copied out of the queue. */
static void
pending_add(const char *rec, uint32 len)
{
	QueuedRequest hdr;
	Pending    *p;
	const char *c;

	if (npending == pending_cap)
	{
		pending_cap = pending_cap ? pending_cap * 2 : 64;
		pending = pending ? repalloc(pending, sizeof(Pending) * (size_t) pending_cap)
			: palloc(sizeof(Pending) * (size_t) pending_cap);
	}
	p = &pending[npending++];
	memcpy(&hdr, rec, sizeof(hdr));
	p->raw = palloc(len);
	memcpy(p->raw, rec, len);
	p->slot = hdr.slot;
	p->ticket = hdr.ticket;
	p->consumer = hdr.consumer;
	p->nrows = hdr.nrows;
	c = p->raw + sizeof(hdr);
	p->group_id = dupn(c, (size_t) hdr.group_len);
	c += hdr.group_len;
	p->rows = hdr.nrows > 0 ? palloc(sizeof(OffsetRow) * (size_t) hdr.nrows) : NULL;
	for (int i = 0; i < hdr.nrows; i++)
	{
		QueuedRow	r;

		memcpy(&r, c, sizeof(r));
		c += sizeof(r);
		p->rows[i].topic = dupn(c, (size_t) r.topic_len);
		c += r.topic_len;
		p->rows[i].partition = r.partition;
		p->rows[i].offset = r.offset;
		p->rows[i].leader_epoch = r.leader_epoch;
		p->rows[i].metadata_len = Max(r.metadata_len, 0);
		p->rows[i].metadata = r.metadata_len < 0 ? NULL : c;
		c += Max(r.metadata_len, 0);
	}
}

/*
 * Move everything queued into the committer's batch, drop requests whose
 * backends gave up, and wake the backends waiting for room (offset
 * committer only; takes the queue lock).
 */
int
OffsetCommitterDrain(void)
{
	char	   *copy = NULL;
	size_t		used;

	SMutexLock(&Shm->lock);
	used = Shm->queue_used;
	if (used > 0)
	{
		/* palloc under the lock: see OffsetCacheLookup */
		copy = palloc(used);
		memcpy(copy, QueueBuf, used);
		Shm->queue_used = 0;
	}
	for (int i = 0; i < Shm->nwaiters; i++)
		if (Waiters[i].wants_space)
		{
			Waiters[i].wants_space = false;
			SetLatch(&ProcArray->slots[i].latch);
		}
	SMutexUnlock(&Shm->lock);
	for (size_t off = 0; off < used;)
	{
		QueuedRequest hdr;

		memcpy(&hdr, copy + off, sizeof(hdr));
		pending_add(copy + off, hdr.len);
		off += hdr.len;
	}
	if (copy)
		pfree(copy);

	/* Drop what its backend withdrew (timed out). */
	SMutexLock(&Shm->lock);
	{
		int			k = 0;

		for (int i = 0; i < npending; i++)
		{
			OffsetWaiter *w = &Waiters[pending[i].slot];

			if (w->ticket == pending[i].ticket && w->state == WAITER_WAITING)
				pending[k++] = pending[i];
			else
				pending_free(&pending[i]);
		}
		npending = k;
		/* Nothing in flight (what failed was withdrawn): loads may go on. */
		if (npending == 0)
			Shm->batch_done = Shm->batch_started;
	}
	SMutexUnlock(&Shm->lock);
	return npending;
}

/* ---------- writing a batch ---------- */

/* A row of a batch with its order of arrival, for reducing duplicates. */
typedef struct BatchRow
{
	const char *group_id;
	const OffsetRow *row;
	int			seq;
} BatchRow;

static int
batchrow_cmp(const void *a, const void *b)
{
	const BatchRow *x = a;
	const BatchRow *y = b;
	int			c = strcmp(x->group_id, y->group_id);

	if (c == 0)
		c = strcmp(x->row->topic, y->row->topic);
	if (c == 0)
		c = (x->row->partition > y->row->partition) - (x->row->partition < y->row->partition);
	if (c == 0)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c;
}

/*
 * The rows of pending[from, to), one per (group, topic, partition): the
 * last queued.  Sorted by group, so the cache is updated group by group.
 */
static BatchRow *
batch_rows(int from, int to, int *nout)
{
	int			n = 0,
				k = 0;
	BatchRow   *br;

	for (int i = from; i < to; i++)
		n += pending[i].nrows;
	br = palloc(sizeof(BatchRow) * (size_t) Max(n, 1));
	for (int i = from; i < to; i++)
		for (int r = 0; r < pending[i].nrows; r++)
		{
			br[k].group_id = pending[i].group_id;
			br[k].row = &pending[i].rows[r];
			br[k].seq = k;
			k++;
		}
	qsort(br, (size_t) n, sizeof(BatchRow), batchrow_cmp);
	k = 0;
	for (int i = 0; i < n; i++)
	{
		if (i + 1 < n && strcmp(br[i].group_id, br[i + 1].group_id) == 0 &&
			strcmp(br[i].row->topic, br[i + 1].row->topic) == 0 &&
			br[i].row->partition == br[i + 1].row->partition)
			continue;			/* a later one follows */
		br[k++] = br[i];
	}
	*nout = k;
	return br;
}

/*
 * Write pending[from, to) in one statement on conn, waiting at most
 * offsets_commit_timeout; on CATALOG_WAIT_OK, *out_rows and *out_n hold
 * the rows given (for the cache) and refused[i - from] says that request
 * i's group was not written: another broker coordinates it now.
 */
static CatalogWaitResult
write_batch(PGconn *conn, int from, int to, BatchRow **out_rows, int *out_n,
			bool *refused, char *err, size_t errlen)
{
	int			n;
	BatchRow   *br = batch_rows(from, to, &n);
	CatalogOffsetGroup *groups = palloc(sizeof(CatalogOffsetGroup) * (size_t) Max(to - from, 1));
	CatalogOffset *rows = palloc(sizeof(CatalogOffset) * (size_t) Max(n, 1));
	int			nslots = ClusterSlotCount();
	CatalogWaitResult result;

	for (int i = from; i < to; i++)
	{
		groups[i - from].group_id = pending[i].group_id;
		groups[i - from].protocol_type = pending[i].consumer ? "consumer" : NULL;
		groups[i - from].slot = nslots > 0
			? ClusterKeySlot(pending[i].group_id, strlen(pending[i].group_id), nslots) : -1;
	}
	for (int i = 0; i < n; i++)
	{
		const OffsetRow *r = br[i].row;

		rows[i].group_id = br[i].group_id;
		rows[i].topic = r->topic;
		rows[i].partition = r->partition;
		rows[i].offset = r->offset;
		rows[i].leader_epoch = r->leader_epoch;
		rows[i].metadata = r->metadata;
		rows[i].metadata_len = r->metadata_len;
	}
	result = CatalogCommitOffsets(conn, (int32) broker_id, groups, to - from, rows, n, refused,
								  (long) offsets_commit_timeout, err, errlen);
	pfree(groups);
	pfree(rows);
	if (result == CATALOG_WAIT_OK)
	{
		*out_rows = br;
		*out_n = n;
	}
	else
		pfree(br);
	return result;
}

/* Whether the group of pending[from, to) was refused (refused may be NULL). */
static bool
group_refused(int from, int to, const bool *refused, const char *group_id)
{
	if (refused == NULL)
		return false;
	for (int i = from; i < to; i++)
		if (refused[i - from] && strcmp(pending[i].group_id, group_id) == 0)
			return true;
	return false;
}

/*
 * After a catalog commit: apply the rows to the cache, answer the backends
 * of pending[from, to) with result (NOT_COORDINATOR for those refused, if
 * refused is given) and wake exactly them.
 */
static void
complete(int from, int to, int result, const BatchRow *rows, int nrows, const bool *refused)
{
	for (int i = from; refused != NULL && i < to; i++)
		if (refused[i - from])
			elog(LOG, "offset commit for group \"%s\" not written: its coordinator slot has moved to another broker",
				 pending[i].group_id);
	SMutexLock(&Shm->lock);
	for (int i = 0; i < nrows;)
	{
		int			g = cache_group_lookup(rows[i].group_id);
		int			j = i;

		while (j < nrows && strcmp(rows[j].group_id, rows[i].group_id) == 0)
			j++;
		if (group_refused(from, to, refused, rows[i].group_id))
			cache_forget_locked(rows[i].group_id);
		else if (g >= 0 && CGroups[g].state == CG_LOADING)
			CGroups[g].invalid = true;
		else if (g >= 0)
		{
			for (int k = i; k < j; k++)
				if (!cache_entry_set(g, rows[k].row))
				{
					cache_group_drop(g);
					break;
				}
		}
		i = j;
	}
	for (int i = from; i < to; i++)
	{
		OffsetWaiter *w = &Waiters[pending[i].slot];

		bool		not_written = refused != NULL && refused[i - from];

		if (w->ticket == pending[i].ticket && w->state == WAITER_WAITING)
		{
			w->state = WAITER_DONE;
			w->result = not_written ? KAFKA_ERR_NOT_COORDINATOR : result;
			SetLatch(&ProcArray->slots[pending[i].slot].latch);
		}
		if (result == KAFKA_ERR_NONE && !not_written)
		{
			Shm->stats.requests++;
			Shm->stats.rows += (uint64) pending[i].nrows;
		}
	}
	SMutexUnlock(&Shm->lock);
}

/* Forget the first n pending requests (written or failed). */
static void
pending_consume(int n)
{
	for (int i = 0; i < n; i++)
		pending_free(&pending[i]);
	memmove(pending, pending + n, sizeof(Pending) * (size_t) (npending - n));
	npending -= n;
}

/*
 * An attempt got no answer: it may or may not have committed (or may
 * still commit), so the cache cannot be trusted for its groups.
 */
static void
forget_pending_groups(int from, int to)
{
	SMutexLock(&Shm->lock);
	for (int i = from; i < to; i++)
		cache_forget_locked(pending[i].group_id);
	SMutexUnlock(&Shm->lock);
}

/*
 * Write the whole batch (offset committer only; no lock held while the
 * catalog works).  Returns false if the catalog could not be reached: the
 * batch is kept for the next attempt.
 */
bool
OffsetCommitterWrite(PGconn *conn, char *err, size_t errlen)
{
	BatchRow   *rows = NULL;
	int			nrows = 0;
	bool	   *refused = palloc(sizeof(bool) * (size_t) Max(npending, 1));
	CatalogWaitResult r;

	SMutexLock(&Shm->lock);
	Shm->batch_started++;
	SMutexUnlock(&Shm->lock);

	r = write_batch(conn, 0, npending, &rows, &nrows, refused, err, errlen);
	if (r == CATALOG_WAIT_LOST)
	{
		forget_pending_groups(0, npending);
		pfree(refused);
		return false;
	}
	if (r == CATALOG_WAIT_OK)
	{
		complete(0, npending, KAFKA_ERR_NONE, rows, nrows, refused);
		pfree(rows);
		SMutexLock(&Shm->lock);
		Shm->stats.transactions++;
		SMutexUnlock(&Shm->lock);
		pending_consume(npending);
	}
	else
	{
		/* Something in the batch was refused: find out which request. */
		if (npending > 1)
			elog(LOG, "offset committer: a batch of %d commits was refused (%s); writing them one by one",
				 npending, err);
		while (npending > 0)
		{
			r = write_batch(conn, 0, 1, &rows, &nrows, refused, err, errlen);
			if (r == CATALOG_WAIT_LOST)
			{
				forget_pending_groups(0, 1);
				pfree(refused);
				return false;
			}
			if (r == CATALOG_WAIT_OK)
			{
				complete(0, 1, KAFKA_ERR_NONE, rows, nrows, refused);
				pfree(rows);
				SMutexLock(&Shm->lock);
				Shm->stats.transactions++;
				SMutexUnlock(&Shm->lock);
			}
			else
			{
				elog(LOG, "offset commit for group \"%s\" refused by the catalog: %s",
					 pending[0].group_id, err);
				complete(0, 1, KAFKA_ERR_UNKNOWN_SERVER_ERROR, NULL, 0, NULL);
			}
			pending_consume(1);
		}
	}
	SMutexLock(&Shm->lock);
	Shm->batch_done = Shm->batch_started;
	SMutexUnlock(&Shm->lock);
	pfree(refused);
	return true;
}

void
OffsetCommitterLogStats(const char *when)
{
	OffsetStoreStats s;

	OffsetStoreGetStats(&s);
	elog(when ? LOG : DEBUG1,
		 "offset committer%s%s: %llu commit requests (%llu offsets) in %llu catalog transactions; OffsetFetch cache: %llu hits, %llu loads",
		 when ? " " : "", when ? when : "",
		 (unsigned long long) s.requests, (unsigned long long) s.rows,
		 (unsigned long long) s.transactions, (unsigned long long) s.cache_hits,
		 (unsigned long long) s.cache_loads);
}
