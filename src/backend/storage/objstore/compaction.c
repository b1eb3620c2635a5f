/*-------------------------------------------------------------------------
 *
 * compaction.c
 *	  Object maintenance between uploads: compaction, retention and the
 *	  removal of what nothing references.
 *
 *	  The uploader calls ObjMaintenanceStep when no upload is due.  Each call
 *	  does one bounded piece of work and the duties take turns:
 *
 *	  split     A stream-set object (SSO) older than compaction_max_age
 *	            that holds data of streams this broker leads: each such
 *	            stream's data is copied into stream objects (SO) and
 *	            committed with the SSO as the replaced object, one commit
 *	            per stream (so a stream fenced meanwhile costs only its own
 *	            copy).  The SSO keeps the ranges of streams led elsewhere;
 *	            it becomes 'deleting' when its last range is gone.  The
 *	            brief said "written by this broker"; selecting by the
 *	            streams we lead instead is the same thing while leadership
 *	            stays put, and after a move it lets the new leader compact
 *	            what its predecessor uploaded.  Two brokers never touch the
 *	            same ranges because each commits only its own streams, with
 *	            their epochs.
 *
 *	  merge     A run of consecutive small SOs (each < compaction_small_
 *	            object_size) of one stream is merged into one SO of at most
 *	            compaction_max_object_size, replacing them.  Only runs that
 *	            make an object no longer small, or whose objects are all
 *	            older than compaction_max_age, are merged: merging on every
 *	            upload would rewrite the growing object again and again.
 *	            A small SO with no small SO beside it (between two large
 *	            ones, say) is merged, once older than compaction_max_age,
 *	            with its smaller neighbour if both fit in
 *	            compaction_max_object_size; see CompactionPickMergeRun.
 *
 *	  retention For a batch of the partitions this broker leads, the
 *	            topic's retention.ms and retention.bytes move the stream's
 *	            start offset in the catalog (only with our epoch, like
 *	            DeleteRecords) and then the registry's log_start_offset.
 *	            A full pass over the partitions happens at most once per
 *	            retention_check_interval.
 *
 *	  sweep     Stream ranges wholly below their stream's start offset or
 *	            of streams no partition references (deleted topics) are
 *	            removed; a committed object left with no range becomes
 *	            'deleting' (delete_after = now + object_delete_delay, so a
 *	            reader that located it can finish).  Any broker may run the
 *	            sweep: the statements are idempotent.  At most once per
 *	            retention_check_interval; then every time, a batch of
 *	            ObjCatalogCollectGarbage (the physical deletes).
 *
 *	  Memory: data is read block by block (a few blocks per ranged GET, at
 *	  most COMPACTION_READ_CHUNK bytes) and appended to an object builder,
 *	  which is cut, uploaded and freed whenever it reaches
 *	  compaction_max_object_size.  So a compaction holds at most one output
 *	  object and one read chunk, whatever the size of its inputs.
 *
 *	  Every object is written the objcatalog.h way: prepare, put, commit.
 *	  Objects put but not committed (fenced, catalog failure) are marked
 *	  'deleting' at once; if even that fails, their prepare deadline makes
 *	  them orphans that garbage collection removes.
 *
 * src/backend/storage/objstore/compaction.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "kafka/partition.h"
#include "storage/compaction.h"
#include "storage/objcatalog.h"
#include "storage/objformat.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* Largest ranged GET of consecutive blocks (one block may be bigger). */
#define COMPACTION_READ_CHUNK	((size_t) 8 * 1024 * 1024)

/* Partitions looked at per retention step. */
#define RETENTION_BATCH			256

/* Rows per sweep statement and objects per garbage-collection batch. */
#define SWEEP_BATCH				1000
#define GC_BATCH				1000

typedef enum MaintenanceDuty
{
	DUTY_SPLIT,
	DUTY_MERGE,
	DUTY_RETENTION,
	DUTY_SWEEP,
	NUM_DUTIES
} MaintenanceDuty;

/* A partition this broker leads, copied out of the registry. */
typedef struct LedStream
{
	int64		stream_id;
	int64		epoch;
	int64		retention_ms;
	int64		retention_bytes;
	int32		partition;
	char		topic[TOPIC_NAME_MAX + 1];
} LedStream;

/* Where the duties are between calls (this process only). */
static int	next_duty = DUTY_SPLIT;
static int64 split_cursor = 0;	/* last SSO id split */
static int64 merge_cursor = 0;	/* last stream id merged */
static int64 retention_cursor = 0;	/* last stream id of the current pass */
static int64 retention_pass_done_ms = -1;	/* monotonic, -1: never */
static int64 sweep_done_ms = -1;

/* ---------------------------------------------------------------------
 * Pure policy
 * ---------------------------------------------------------------------
 */

int64
CompactionRetentionStart(const CompactionRange *ranges, int n,
						 int64 start_offset, int64 object_end_offset,
						 int64 now_ms, int64 retention_ms, int64 retention_bytes)
{
	int64		by_time = start_offset;
	int64		by_size = start_offset;
	int64		result;

	/*
	 * Time: the leading ranges whose newest record is older than the limit,
	 * up to the first that is not (Kafka stops at the first segment it may
	 * not delete, too).  A range whose max timestamp is unknown is kept.
	 */
	if (retention_ms >= 0)
	{
		for (int i = 0; i < n; i++)
		{
			const CompactionRange *r = &ranges[i];

			if (r->end_offset <= start_offset)
				continue;
			if (r->max_timestamp < 0 || r->max_timestamp >= now_ms - retention_ms)
				break;
			by_time = r->end_offset;
		}
	}

	/*
	 * Size: Kafka's rule, drop the oldest while what remains is still at
	 * least retention.bytes.  The total counts every range the stream still
	 * has, including a first range that is partly below the start (its
	 * bytes are still stored), as Kafka counts a segment's whole size.
	 */
	if (retention_bytes >= 0)
	{
		int64		total = 0;

		for (int i = 0; i < n; i++)
			if (ranges[i].end_offset > start_offset)
				total += ranges[i].bytes;
		for (int i = 0; i < n; i++)
		{
			const CompactionRange *r = &ranges[i];

			if (r->end_offset <= start_offset)
				continue;
			if (total - r->bytes < retention_bytes)
				break;
			total -= r->bytes;
			by_size = r->end_offset;
		}
	}

	result = Max(by_time, by_size);
	if (result > object_end_offset)
		result = object_end_offset;
	if (result < start_offset)
		result = start_offset;
	return result;
}

static bool pick_small_run(const CompactionRange *ranges, int n, int64 start_offset,
						   int64 small_size, int64 max_size, int64 min_age_ms,
						   int *first, int *count);

/* A stream object of the stream that is not about to be deleted. */
static inline bool
live_so(const CompactionRange *r, int64 start_offset)
{
	return r->is_so && r->end_offset > start_offset;
}

/*
 * CompactionPickMergeRun: see compaction.h.  Pure; run by the uploader's
 * merge duty.  Two rules, in this order:
 *
 * 1. a run of two or more consecutive small SOs (the old rule);
 * 2. a lone small SO, older than min_age_ms, whose SO neighbours are not
 *    small: merged with the smaller neighbour whose size added to its own
 *    stays within max_size.  The result is not small, so it is final: each
 *    small object is rewritten into a large one at most once, and a large
 *    neighbour absorbs it only after it has aged (otherwise the newest
 *    object of a busy stream would drag its predecessor through a rewrite
 *    on every upload).
 */
bool
CompactionPickMergeRun(const CompactionRange *ranges, int n, int64 start_offset,
					   int64 small_size, int64 max_size, int64 min_age_ms,
					   int *first, int *count)
{
	if (pick_small_run(ranges, n, start_offset, small_size, max_size, min_age_ms, first, count))
		return true;

	for (int i = 0; i < n; i++)
	{
		const CompactionRange *r = &ranges[i];
		int			best = -1;
		bool		small_neighbour = false;

		if (!live_so(r, start_offset) || r->object_size >= small_size ||
			r->object_age_ms < min_age_ms)
			continue;
		for (int k = i - 1; k <= i + 1; k += 2)
		{
			const CompactionRange *nb = &ranges[k];

			if (k < 0 || k >= n || !live_so(nb, start_offset))
				continue;
			if (nb->object_size < small_size)
			{
				small_neighbour = true; /* rule 1's business */
				continue;
			}
			if (r->object_size + nb->object_size > max_size)
				continue;
			if (best < 0 || nb->object_size < ranges[best].object_size)
				best = k;
		}
		if (best >= 0 && !small_neighbour)
		{
			*first = Min(i, best);
			*count = 2;
			return true;
		}
	}
	return false;
}

/* Rule 1 of CompactionPickMergeRun: consecutive small SOs. */
static bool
pick_small_run(const CompactionRange *ranges, int n, int64 start_offset,
			   int64 small_size, int64 max_size, int64 min_age_ms,
			   int *first, int *count)
{
	for (int i = 0; i < n; i++)
	{
		int64		total = 0;
		bool		all_old = true;
		int			j;

		for (j = i; j < n; j++)
		{
			const CompactionRange *r = &ranges[j];

			if (!r->is_so || r->object_size >= small_size ||
				r->end_offset <= start_offset)
				break;
			if (total + r->object_size > max_size)
				break;
			total += r->object_size;
			if (r->object_age_ms < min_age_ms)
				all_old = false;
		}
		if (j - i >= 2 && (total >= small_size || all_old))
		{
			*first = i;
			*count = j - i;
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */

static int
led_cmp(const void *a, const void *b)
{
	const LedStream *x = a;
	const LedStream *y = b;

	return x->stream_id < y->stream_id ? -1 : x->stream_id > y->stream_id;
}

/*
 * The partitions this broker leads, sorted by stream id (palloc'd; *n
 * entries).  Takes RegistryLock.
 */
static LedStream *
collect_led_streams(int *n)
{
	int			nslots = PartitionCapacity();
	int			cap = 64;
	LedStream  *out = palloc(sizeof(LedStream) * (size_t) cap);
	int			k = 0;

	/*
	 * Grown as needed rather than sized for the registry's capacity
	 * (max_partitions may be large; this broker may lead few).  palloc
	 * under the lock is fine: it never raises while we hold it except on
	 * out of memory, which ends the process anyway.
	 */
	RegistryLock();
	for (int i = 0; i < nslots; i++)
	{
		StrataPartition *p = PartitionGet(i);
		StrataTopic *t;

		if (p->state != TOPIC_LIVE || p->leader_id != (int32) broker_id)
			continue;
		t = TopicGet(p->topic);
		if (t->state != TOPIC_LIVE)
			continue;
		if (k == cap)
		{
			cap *= 2;
			out = repalloc(out, sizeof(LedStream) * (size_t) cap);
		}
		out[k].stream_id = p->stream_id;
		out[k].epoch = p->stream_epoch;
		out[k].retention_ms = t->config.retention_ms;
		out[k].retention_bytes = t->config.retention_bytes;
		out[k].partition = p->partition;
		strlcpy_s(out[k].topic, t->name, sizeof(out[k].topic));
		k++;
	}
	RegistryUnlock();
	qsort(out, (size_t) k, sizeof(LedStream), led_cmp);
	*n = k;
	return out;
}

static const LedStream *
find_led(const LedStream *led, int n, int64 stream_id)
{
	LedStream	key;

	key.stream_id = stream_id;
	return bsearch(&key, led, (size_t) n, sizeof(LedStream), led_cmp);
}

static char *
led_id_array(const LedStream *led, int n)
{
	int64	   *ids = palloc(sizeof(int64) * (size_t) Max(n, 1));
	char	   *a;

	for (int i = 0; i < n; i++)
		ids[i] = led[i].stream_id;
	a = ObjCatalogInt64Array(ids, n);
	pfree(ids);
	return a;
}

/* Footer and index of a stored object whose size the catalog gives. */
static bool
read_object_index(ObjStore *store, const char *key, uint64 size,
				  ObjFormatIndex *idx, char *err, size_t errlen)
{
	char		tail[OBJFORMAT_FOOTER_SIZE];
	ObjFormatFooter f;
	ObjStoreError oerr;
	size_t		nread;
	char	   *buf;
	bool		ok;

	if (size < OBJFORMAT_FOOTER_SIZE)
	{
		snprintf(err, errlen, "object %s: catalog size %llu is too small for an object",
				 key, (unsigned long long) size);
		return false;
	}
	if (!ObjStoreGet(store, key, size - OBJFORMAT_FOOTER_SIZE, OBJFORMAT_FOOTER_SIZE,
					 tail, &nread, &oerr))
	{
		snprintf(err, errlen, "could not read the footer of %s: %s", key, oerr.message);
		return false;
	}
	if (nread != OBJFORMAT_FOOTER_SIZE)
	{
		snprintf(err, errlen, "object %s is shorter than its catalog size %llu",
				 key, (unsigned long long) size);
		return false;
	}
	if (!ObjFormatParseFooter(tail, nread, size, &f, err, errlen))
		return false;
	buf = palloc(Max(f.index_length, 1));
	if (!ObjStoreGet(store, key, f.index_position, f.index_length, buf, &nread, &oerr))
	{
		snprintf(err, errlen, "could not read the index of %s: %s", key, oerr.message);
		pfree(buf);
		return false;
	}
	ok = ObjFormatParseIndex(&f, buf, nread, idx, err, errlen);
	pfree(buf);
	return ok;
}

/* ---------------------------------------------------------------------
 * Writing stream objects
 * ---------------------------------------------------------------------
 */

typedef struct SoWriter
{
	PGconn	   *conn;
	ObjStore   *store;
	uint64		stream_id;
	int			compactions;	/* level of the objects written */
	size_t		max_size;
	/* the object being built */
	ObjFormatBuilder *b;
	int64		nbatches;
	int64		max_timestamp;
	/* objects put (prepared, not yet committed) */
	ObjCatalogObject *objs;
	ObjCatalogRange *ranges;	/* one per object */
	int			nobjs;
	int			cap;
	int64		bytes_written;
} SoWriter;

static void
writer_init(SoWriter *w, PGconn *conn, ObjStore *store, uint64 stream_id, int compactions)
{
	memset(w, 0, sizeof(*w));
	w->conn = conn;
	w->store = store;
	w->stream_id = stream_id;
	w->compactions = compactions;
	w->max_size = (size_t) compaction_max_object_size;
	w->max_timestamp = -1;
}

/*
 * Finish the object being built, prepare its catalog row, put it.  The
 * row comes first, so a crash after the put leaves an orphan that garbage
 * collection finds.
 */
static bool
writer_flush(SoWriter *w, char *err, size_t errlen)
{
	ObjFormatRange *fr;
	int			nfr;
	char	   *data;
	size_t		len;
	int64		id;
	char		key[OBJCATALOG_KEY_LEN];
	ObjStoreError oerr;
	ObjCatalogRange *r;

	if (w->b == NULL)
		return true;
	if (w->nbatches == 0)
	{
		ObjFormatBuilderFree(w->b);
		w->b = NULL;
		return true;
	}
	fr = ObjFormatBuilderRanges(w->b, &nfr);
	data = ObjFormatFinish(w->b, &len);
	ObjFormatBuilderFree(w->b);
	w->b = NULL;
	w->nbatches = 0;
	Assert(nfr == 1);

	if (w->nobjs == w->cap)
	{
		w->cap = w->cap ? w->cap * 2 : 4;
		w->objs = repalloc(w->objs, sizeof(ObjCatalogObject) * (size_t) w->cap);
		w->ranges = repalloc(w->ranges, sizeof(ObjCatalogRange) * (size_t) w->cap);
	}
	if (!ObjCatalogPrepare(w->conn, OBJFORMAT_SO, &id, key, sizeof(key), err, errlen))
	{
		pfree(data);
		pfree(fr);
		return false;
	}
	/* Known from here on, so an abandon covers it even if the put fails. */
	r = &w->ranges[w->nobjs];
	r->stream_id = fr[0].stream_id;
	r->start_offset = (int64) fr[0].start_offset;
	r->end_offset = (int64) fr[0].end_offset;
	r->record_count = (int64) fr[0].record_count;
	r->bytes = (int64) fr[0].bytes;
	r->max_timestamp = w->max_timestamp;
	w->objs[w->nobjs].object_id = id;
	w->objs[w->nobjs].size = len;
	w->objs[w->nobjs].compactions = w->compactions;
	w->objs[w->nobjs].nranges = 1;
	w->objs[w->nobjs].ranges = NULL;	/* set at commit: ranges may move */
	w->nobjs++;
	pfree(fr);
	w->max_timestamp = -1;

	if (!ObjStorePut(w->store, key, data, len, &oerr))
	{
		snprintf(err, errlen, "could not put compacted object %s: %s", key, oerr.message);
		pfree(data);
		return false;
	}
	w->bytes_written += (int64) len;
	pfree(data);
	return true;
}

static bool
writer_append(SoWriter *w, const ObjFormatBatch *bt, char *err, size_t errlen)
{
	/*
	 * Cut before a batch that would take the object past the limit (an
	 * object always takes at least one batch, whatever its size).
	 */
	if (w->b != NULL && w->nbatches > 0 &&
		ObjFormatBuilderSize(w->b) + OBJFORMAT_BLOCK_HEADER_SIZE +
		OBJFORMAT_BATCH_HEADER_SIZE + OBJFORMAT_INDEX_ENTRY_SIZE + bt->payload_len > w->max_size)
	{
		if (!writer_flush(w, err, errlen))
			return false;
	}
	if (w->b == NULL)
		w->b = ObjFormatBuilderCreate(OBJFORMAT_SO, 0);
	if (!ObjFormatAppend(w->b, w->stream_id, bt->base_offset, bt->last_offset_delta,
						 bt->record_count, bt->max_timestamp, bt->payload, bt->payload_len,
						 err, errlen))
		return false;
	w->nbatches++;
	if (bt->max_timestamp > w->max_timestamp)
		w->max_timestamp = bt->max_timestamp;
	return true;
}

/*
 * Objects put but never to be committed: mark them 'deleting' now rather
 * than waiting for their prepare deadline.  Only 'prepared' rows change,
 * so an object whose commit did happen (a lost COMMIT reply) is safe.
 */
static void
writer_abandon(SoWriter *w)
{
	int64	   *ids;
	char	   *a;
	const char *params[1];
	char		err[512];

	if (w->nobjs == 0)
		return;
	ids = palloc(sizeof(int64) * (size_t) w->nobjs);
	for (int i = 0; i < w->nobjs; i++)
		ids[i] = w->objs[i].object_id;
	a = ObjCatalogInt64Array(ids, w->nobjs);
	params[0] = a;
	if (!CatalogExec(w->conn,
					 "UPDATE strata.objects SET state = 'deleting', delete_after = now() "
					 "WHERE id = ANY($1::bigint[]) AND state = 'prepared'",
					 1, params, err, sizeof(err)))
		elog(LOG, "compaction: could not abandon uncommitted objects (garbage collection will): %s", err);
	pfree(a);
	pfree(ids);
	w->nobjs = 0;
}

static void
writer_free(SoWriter *w)
{
	if (w->b)
		ObjFormatBuilderFree(w->b);
	if (w->objs)
		pfree(w->objs);
	if (w->ranges)
		pfree(w->ranges);
	w->b = NULL;
	w->objs = NULL;
	w->ranges = NULL;
}

/*
 * Commit what the writer put, replacing the given objects' ranges of its
 * stream.  *fenced is set (and true returned) if the stream's epoch moved:
 * someone else leads it now, and our copies are abandoned.
 */
static bool
writer_commit(SoWriter *w, int64 epoch, const int64 *replaced, int nreplaced,
			  bool *fenced, char *err, size_t errlen)
{
	ObjCatalogStreamEpoch ep;
	ObjCatalogResult res;
	uint64	   *fl = NULL;
	int			nfl = 0;

	*fenced = false;
	if (w->nobjs == 0)
		return true;
	for (int i = 0; i < w->nobjs; i++)
		w->objs[i].ranges = &w->ranges[i];
	ep.stream_id = w->stream_id;
	ep.epoch = epoch;
	res = ObjCatalogCommit(w->conn, w->objs, w->nobjs, &ep, 1, false,
						   replaced, nreplaced, &fl, &nfl, err, errlen);
	if (fl)
		pfree(fl);
	if (res == OBJCAT_OK)
	{
		w->nobjs = 0;
		return true;
	}
	writer_abandon(w);
	if (res == OBJCAT_FENCED)
	{
		*fenced = true;
		return true;
	}
	return false;
}

/*
 * The last chunk read from an object: consecutive blocks, at most
 * COMPACTION_READ_CHUNK bytes (or one bigger block).  A split walks an
 * SSO's streams in block order, so one ranged GET usually serves the
 * blocks of several small streams: the number of GETs is about the
 * object's size / 8 MiB, not its number of streams.
 */
typedef struct ChunkCache
{
	char	   *buf;
	size_t		cap;
	uint64		start;
	uint64		end;			/* start == end: empty */
} ChunkCache;

static void
chunk_cache_free(ChunkCache *c)
{
	if (c->buf)
		pfree(c->buf);
	memset(c, 0, sizeof(*c));
}

/*
 * Make idx->entries[k]'s block available in the cache, reading it and the
 * blocks after it (of any stream: the next streams of a split want them)
 * in one GET.  Returns the block, or NULL with err set.
 */
static const char *
chunk_get_block(ObjStore *store, const char *key, const ObjFormatIndex *idx, int k,
				ChunkCache *c, char *err, size_t errlen)
{
	const ObjFormatIndexEntry *e = &idx->entries[k];
	uint64		end;
	size_t		nread;
	ObjStoreError oerr;

	if (c->end > c->start && e->block_position >= c->start &&
		e->block_position + e->block_size <= c->end)
		return c->buf + (e->block_position - c->start);

	end = e->block_position + e->block_size;
	for (int j = k + 1; j < idx->nentries; j++)
	{
		const ObjFormatIndexEntry *n = &idx->entries[j];

		if (n->block_position != end ||
			end + n->block_size - e->block_position > COMPACTION_READ_CHUNK)
			break;
		end += n->block_size;
	}
	if (end - e->block_position > c->cap)
	{
		c->cap = end - e->block_position;
		c->buf = c->buf ? repalloc(c->buf, c->cap) : palloc(c->cap);
	}
	c->start = c->end = 0;
	if (!ObjStoreGet(store, key, e->block_position, end - e->block_position, c->buf, &nread, &oerr))
	{
		snprintf(err, errlen, "could not read %s: %s", key, oerr.message);
		return NULL;
	}
	if (nread != end - e->block_position)
	{
		snprintf(err, errlen, "object %s is shorter than its index says", key);
		return NULL;
	}
	c->start = e->block_position;
	c->end = end;
	return c->buf;
}

/*
 * Copy stream_id's batches in [lo, hi) from an object into the writer.
 * A batch starting below lo but ending above it is kept (the start offset
 * may fall inside a batch; Kafka readers skip the records below it).  A
 * batch crossing hi means the catalog range does not match the object:
 * that is an error, never silently "fixed".
 */
static bool
copy_stream(ObjStore *store, const char *key, const ObjFormatIndex *idx,
			ChunkCache *cache, uint64 stream_id, int64 lo, int64 hi, SoWriter *w,
			char *err, size_t errlen)
{
	int			k = ObjFormatFindBlock(idx, stream_id, (uint64) lo);

	for (; k >= 0 && k < idx->nentries &&
		 idx->entries[k].stream_id == stream_id &&
		 (int64) idx->entries[k].start_offset < hi; k++)
	{
		const ObjFormatIndexEntry *e = &idx->entries[k];
		const char *block = chunk_get_block(store, key, idx, k, cache, err, errlen);
		ObjFormatBlockReader rd;
		ObjFormatBatch bt;
		int			rc;

		if (block == NULL)
			return false;
		if (!ObjFormatBlockOpen(e, block, e->block_size, &rd, err, errlen))
			return false;
		while ((rc = ObjFormatBlockNext(&rd, &bt, err, errlen)) == 1)
		{
			int64		bend = (int64) bt.base_offset + bt.last_offset_delta + 1;

			if (bend <= lo)
				continue;
			if ((int64) bt.base_offset >= hi)
				break;
			if (bend > hi)
			{
				snprintf(err, errlen,
						 "object %s: batch %llu..%lld of stream %llu crosses the end %lld of its catalog range",
						 key, (unsigned long long) bt.base_offset, (long long) (bend - 1),
						 (unsigned long long) stream_id, (long long) hi);
				return false;
			}
			if (!writer_append(w, &bt, err, errlen))
				return false;
		}
		if (rc < 0)
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Duty: split an old stream-set object into stream objects
 * ---------------------------------------------------------------------
 */
static bool
duty_split(PGconn *conn, ObjStore *store, const LedStream *led, int nled,
		   bool *did_work, char *err, size_t errlen)
{
	char	   *a_led;
	char		age[32],
				cur[32];
	const char *params[3];
	PGresult   *res;
	int64		sso_id;
	char		sso_key[OBJCATALOG_KEY_LEN];
	uint64		sso_size;
	int			level;
	ObjFormatIndex idx;
	ChunkCache	cache;
	bool		ok = true;
	int			streams_done = 0,
				objects_made = 0;
	int64		bytes_made = 0;

	if (nled == 0)
		return true;
	memset(&cache, 0, sizeof(cache));
	a_led = led_id_array(led, nled);
	snprintf(age, sizeof(age), "%lld", (long long) compaction_max_age);
	snprintf(cur, sizeof(cur), "%lld", (long long) split_cursor);
	params[0] = a_led;
	params[1] = age;
	params[2] = cur;

	/*
	 * Oldest first, but round robin from the last one tried, so one SSO
	 * that cannot be read does not block the others.
	 */
	res = CatalogQuery(conn,
					   "SELECT o.id, o.key, o.size, o.compactions FROM strata.objects o "
					   "WHERE o.kind = 'sso' AND o.state = 'committed' "
					   "  AND o.committed < now() - $2::bigint * interval '1 millisecond' "
					   "  AND EXISTS (SELECT 1 FROM strata.stream_ranges r "
					   "              WHERE r.object_id = o.id AND r.stream_id = ANY($1::bigint[])) "
					   "ORDER BY o.id <= $3::bigint, o.id LIMIT 1",
					   3, params, err, errlen);
	if (res == NULL)
	{
		pfree(a_led);
		return false;
	}
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		pfree(a_led);
		return true;
	}
	sso_id = atoll(PQgetvalue(res, 0, 0));
	strlcpy_s(sso_key, PQgetvalue(res, 0, 1), sizeof(sso_key));
	sso_size = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
	level = atoi(PQgetvalue(res, 0, 3)) + 1;
	PQclear(res);
	split_cursor = sso_id;

	{
		char		sid[32];
		const char *p2[2] = {sid, a_led};

		snprintf(sid, sizeof(sid), "%lld", (long long) sso_id);
		res = CatalogQuery(conn,
						   "SELECT r.stream_id, r.start_offset, r.end_offset, s.start_offset, s.epoch, "
						   "       s.state = 'opened' "
						   "FROM strata.stream_ranges r JOIN strata.streams s ON s.id = r.stream_id "
						   "WHERE r.object_id = $1::bigint AND r.stream_id = ANY($2::bigint[]) "
						   "ORDER BY r.stream_id, r.start_offset",
						   2, p2, err, errlen);
	}
	pfree(a_led);
	if (res == NULL)
		return false;
	if (!read_object_index(store, sso_key, sso_size, &idx, err, errlen))
	{
		PQclear(res);
		return false;
	}

	for (int i = 0; ok && i < PQntuples(res); i++)
	{
		int64		stream_id = atoll(PQgetvalue(res, i, 0));
		int64		lo = atoll(PQgetvalue(res, i, 1));
		int64		hi = atoll(PQgetvalue(res, i, 2));
		int64		sstart = atoll(PQgetvalue(res, i, 3));
		const LedStream *ls = find_led(led, nled, stream_id);
		SoWriter	w;
		bool		fenced;

		/*
		 * Not ours, or ours no longer (the registry has not caught up
		 * yet): copying would be wasted, the commit would be fenced.
		 */
		if (ls == NULL || atoll(PQgetvalue(res, i, 4)) != ls->epoch ||
			PQgetvalue(res, i, 5)[0] != 't')
			continue;
		if (sstart > lo)
			lo = sstart;
		if (lo >= hi)
			continue;			/* wholly below the start: the sweep's */
		writer_init(&w, conn, store, (uint64) stream_id, level);
		ok = copy_stream(store, sso_key, &idx, &cache, (uint64) stream_id, lo, hi, &w, err, errlen) &&
			writer_flush(&w, err, errlen);
		if (ok && w.nobjs == 0)
		{
			snprintf(err, errlen, "object %s has no data of stream %lld in %lld..%lld, which the catalog says it holds",
					 sso_key, (long long) stream_id, (long long) lo, (long long) hi);
			ok = false;
		}
		if (ok)
		{
			int			made = w.nobjs;
			int64		bytes = w.bytes_written;

			ok = writer_commit(&w, ls->epoch, &sso_id, 1, &fenced, err, errlen);
			if (ok && fenced)
				elog(LOG, "compaction: stream %lld (%s-%d) is no longer ours; left it in stream-set object %lld",
					 (long long) stream_id, ls->topic, ls->partition, (long long) sso_id);
			else if (ok)
			{
				streams_done++;
				objects_made += made;
				bytes_made += bytes;
			}
		}
		else
			writer_abandon(&w);
		writer_free(&w);
	}
	PQclear(res);
	ObjFormatIndexFree(&idx);
	chunk_cache_free(&cache);
	if (streams_done > 0)
	{
		*did_work = true;
		elog(LOG, "compaction: split %d streams of stream-set object %lld into %d stream objects (%lld bytes)",
			 streams_done, (long long) sso_id, objects_made, (long long) bytes_made);
	}
	if (!ok)
	{
		char		tmp[1024];

		snprintf(tmp, sizeof(tmp), "compaction of stream-set object %lld: %s", (long long) sso_id, err);
		strlcpy_s(err, tmp, errlen);
	}
	return ok;
}

/* ---------------------------------------------------------------------
 * Duty: merge a run of small stream objects
 * ---------------------------------------------------------------------
 */
static bool
do_merge(PGconn *conn, ObjStore *store, const LedStream *ls, int64 stream_start,
		 PGresult *res, int row0, int count, bool *did_work, char *err, size_t errlen)
{
	SoWriter	w;
	int64	   *replaced = palloc(sizeof(int64) * (size_t) count);
	int			level = 0;
	bool		ok = true;
	bool		fenced = false;

	for (int k = 0; k < count; k++)
	{
		int			lv = atoi(PQgetvalue(res, row0 + k, 7));

		replaced[k] = atoll(PQgetvalue(res, row0 + k, 3));
		if (lv > level)
			level = lv;
	}
	writer_init(&w, conn, store, (uint64) ls->stream_id, level + 1);
	for (int k = 0; ok && k < count; k++)
	{
		const char *key = PQgetvalue(res, row0 + k, 4);
		uint64		size = strtoull(PQgetvalue(res, row0 + k, 5), NULL, 10);
		int64		lo = atoll(PQgetvalue(res, row0 + k, 1));
		int64		hi = atoll(PQgetvalue(res, row0 + k, 2));
		ObjFormatIndex idx;
		ChunkCache	cache;

		memset(&cache, 0, sizeof(cache));
		if (stream_start > lo)
			lo = stream_start;
		if (!read_object_index(store, key, size, &idx, err, errlen))
		{
			ok = false;
			break;
		}
		ok = copy_stream(store, key, &idx, &cache, (uint64) ls->stream_id, lo, hi, &w, err, errlen);
		ObjFormatIndexFree(&idx);
		chunk_cache_free(&cache);	/* the next input is another object */
	}
	if (ok)
		ok = writer_flush(&w, err, errlen);
	if (ok)
	{
		int			made = w.nobjs;
		int64		bytes = w.bytes_written;

		ok = writer_commit(&w, ls->epoch, replaced, count, &fenced, err, errlen);
		if (ok && fenced)
			elog(LOG, "compaction: stream %lld (%s-%d) is no longer ours; its stream objects were not merged",
				 (long long) ls->stream_id, ls->topic, ls->partition);
		else if (ok)
		{
			*did_work = true;
			elog(LOG, "compaction: merged %d stream objects of %s-%d (stream %lld) into %d (%lld bytes)",
				 count, ls->topic, ls->partition, (long long) ls->stream_id, made, (long long) bytes);
		}
	}
	else
		writer_abandon(&w);
	writer_free(&w);
	pfree(replaced);
	return ok;
}

static bool
duty_merge(PGconn *conn, ObjStore *store, const LedStream *led, int nled,
		   bool *did_work, char *err, size_t errlen)
{
	char	   *a_led;
	char		small[32];
	const char *params[2];
	PGresult   *res;
	int			nrows;
	int			start_row = 0;
	bool		ok = true;

	if (nled == 0)
		return true;
	a_led = led_id_array(led, nled);
	snprintf(small, sizeof(small), "%lld", (long long) compaction_small_object_size);
	params[0] = a_led;
	params[1] = small;

	/*
	 * All ranges (of every kind: an SSO range between two SOs breaks a run)
	 * of the streams we lead that have a small SO and at least one more SO
	 * it might be merged with.
	 */
	res = CatalogQuery(conn,
					   "WITH r AS (SELECT r.stream_id, r.start_offset, r.end_offset, o.id, o.key, o.size, "
					   "                  o.kind, o.compactions, "
					   "                  (extract(epoch FROM now() - o.committed) * 1000)::bigint AS age_ms "
					   "           FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
					   "           WHERE r.stream_id = ANY($1::bigint[]) AND o.state = 'committed') "
					   "SELECT r.stream_id, r.start_offset, r.end_offset, r.id, r.key, r.size, r.kind, "
					   "       r.compactions, r.age_ms, s.start_offset, s.epoch, s.state = 'opened' "
					   "FROM r JOIN strata.streams s ON s.id = r.stream_id "
					   "WHERE r.stream_id IN (SELECT stream_id FROM r WHERE kind = 'so' "
					   "                      GROUP BY stream_id "
					   "                      HAVING count(*) >= 2 AND bool_or(size < $2::bigint)) "
					   "ORDER BY r.stream_id, r.start_offset",
					   2, params, err, errlen);
	pfree(a_led);
	if (res == NULL)
		return false;
	nrows = PQntuples(res);

	/* Round robin: begin with the first stream after the last one merged. */
	while (start_row < nrows && atoll(PQgetvalue(res, start_row, 0)) <= merge_cursor)
		start_row++;
	if (start_row == nrows)
		start_row = 0;

	for (int pass = 0; pass < 2 && ok && !*did_work; pass++)
	{
		int			row = pass == 0 ? start_row : 0;
		int			stop = pass == 0 ? nrows : start_row;

		while (row < stop && ok && !*did_work)
		{
			int64		stream_id = atoll(PQgetvalue(res, row, 0));
			int			end = row;
			CompactionRange *rg;
			const LedStream *ls = find_led(led, nled, stream_id);
			int64		sstart = atoll(PQgetvalue(res, row, 9));
			int			first,
						count;

			while (end < nrows && atoll(PQgetvalue(res, end, 0)) == stream_id)
				end++;
			rg = palloc(sizeof(CompactionRange) * (size_t) (end - row));
			for (int k = row; k < end; k++)
			{
				CompactionRange *c = &rg[k - row];

				c->start_offset = atoll(PQgetvalue(res, k, 1));
				c->end_offset = atoll(PQgetvalue(res, k, 2));
				c->object_size = atoll(PQgetvalue(res, k, 5));
				c->is_so = strcmp(PQgetvalue(res, k, 6), "so") == 0;
				c->object_age_ms = atoll(PQgetvalue(res, k, 8));
				c->bytes = 0;
				c->max_timestamp = -1;
			}
			if (ls != NULL && atoll(PQgetvalue(res, row, 10)) == ls->epoch &&
				PQgetvalue(res, row, 11)[0] == 't' &&
				CompactionPickMergeRun(rg, end - row, sstart, compaction_small_object_size,
									   compaction_max_object_size, compaction_max_age,
									   &first, &count))
			{
				merge_cursor = stream_id;
				ok = do_merge(conn, store, ls, sstart, res, row + first, count,
							  did_work, err, errlen);
				if (!ok)
				{
					char		tmp[1024];

					snprintf(tmp, sizeof(tmp), "merging stream objects of stream %lld: %s",
							 (long long) stream_id, err);
					strlcpy_s(err, tmp, errlen);
				}
			}
			pfree(rg);
			row = end;
		}
	}
	PQclear(res);
	return ok;
}

/* ---------------------------------------------------------------------
 * Duty: retention
 * ---------------------------------------------------------------------
 */
static bool
duty_retention(PGconn *conn, const LedStream *led, int nled,
			   bool *did_work, char *err, size_t errlen)
{
	int64		now = MonotonicMs();
	int64	   *ids;
	int			n = 0;
	int			first,
				i;
	char	   *a_ids;
	const char *params[1];
	PGresult   *res;
	int64	   *u_ids,
			   *u_epochs,
			   *u_targets;
	int			nu = 0;
	int			nrows;
	int64		wall = WallClockMs();

	/* A new pass only once per retention_check_interval. */
	if (retention_cursor == 0 && retention_pass_done_ms >= 0 &&
		now - retention_pass_done_ms < retention_check_interval)
		return true;

	first = 0;
	while (first < nled && led[first].stream_id <= retention_cursor)
		first++;
	ids = palloc(sizeof(int64) * RETENTION_BATCH);
	i = first;
	for (; i < nled && n < RETENTION_BATCH; i++)
	{
		if (led[i].retention_ms < 0 && led[i].retention_bytes < 0)
			continue;
		ids[n++] = led[i].stream_id;
	}
	if (i >= nled)
	{
		/* this batch ends the pass */
		retention_cursor = 0;
		retention_pass_done_ms = now;
	}
	else
		retention_cursor = led[i - 1].stream_id;
	if (n == 0)
	{
		pfree(ids);
		return true;
	}

	a_ids = ObjCatalogInt64Array(ids, n);
	params[0] = a_ids;
	res = CatalogQuery(conn,
					   "SELECT r.stream_id, r.start_offset, r.end_offset, r.bytes, r.max_timestamp, "
					   "       s.start_offset, s.object_end_offset "
					   "FROM strata.stream_ranges r JOIN strata.streams s ON s.id = r.stream_id "
					   "WHERE r.stream_id = ANY($1::bigint[]) AND r.end_offset > s.start_offset "
					   "ORDER BY r.stream_id, r.start_offset",
					   1, params, err, errlen);
	pfree(a_ids);
	pfree(ids);
	if (res == NULL)
		return false;

	nrows = PQntuples(res);
	u_ids = palloc(sizeof(int64) * (size_t) Max(nrows, 1));
	u_epochs = palloc(sizeof(int64) * (size_t) Max(nrows, 1));
	u_targets = palloc(sizeof(int64) * (size_t) Max(nrows, 1));
	for (int row = 0; row < nrows;)
	{
		int64		stream_id = atoll(PQgetvalue(res, row, 0));
		int64		sstart = atoll(PQgetvalue(res, row, 5));
		int64		oend = atoll(PQgetvalue(res, row, 6));
		const LedStream *ls = find_led(led, nled, stream_id);
		int			end = row;
		CompactionRange *rg;
		int64		target;

		while (end < nrows && atoll(PQgetvalue(res, end, 0)) == stream_id)
			end++;
		rg = palloc(sizeof(CompactionRange) * (size_t) (end - row));
		for (int k = row; k < end; k++)
		{
			CompactionRange *c = &rg[k - row];

			memset(c, 0, sizeof(*c));
			c->start_offset = atoll(PQgetvalue(res, k, 1));
			c->end_offset = atoll(PQgetvalue(res, k, 2));
			c->bytes = atoll(PQgetvalue(res, k, 3));
			c->max_timestamp = atoll(PQgetvalue(res, k, 4));
		}
		target = ls ? CompactionRetentionStart(rg, end - row, sstart, oend, wall,
											   ls->retention_ms, ls->retention_bytes) : sstart;
		if (target > sstart)
		{
			u_ids[nu] = stream_id;
			u_epochs[nu] = ls->epoch;
			u_targets[nu] = target;
			nu++;
		}
		pfree(rg);
		row = end;
	}
	PQclear(res);

	if (nu > 0)
	{
		char	   *a1 = ObjCatalogInt64Array(u_ids, nu);
		char	   *a2 = ObjCatalogInt64Array(u_epochs, nu);
		char	   *a3 = ObjCatalogInt64Array(u_targets, nu);
		const char *p3[3] = {a1, a2, a3};

		/*
		 * Durable first, and only with our epoch (a fenced broker changes
		 * nothing), never past what is in objects; as DeleteRecords does.
		 */
		res = CatalogQuery(conn,
						   "UPDATE strata.streams s SET start_offset = greatest(s.start_offset, u.target), "
						   "       end_offset = greatest(s.end_offset, u.target) "
						   "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, epoch, target) "
						   "WHERE s.id = u.id AND s.epoch = u.epoch AND u.target <= s.object_end_offset "
						   "RETURNING s.id, s.start_offset",
						   3, p3, err, errlen);
		pfree(a1);
		pfree(a2);
		pfree(a3);
		if (res == NULL)
		{
			pfree(u_ids);
			pfree(u_epochs);
			pfree(u_targets);
			return false;
		}
		for (int i = 0; i < PQntuples(res); i++)
		{
			int64		sid = atoll(PQgetvalue(res, i, 0));
			int64		start = atoll(PQgetvalue(res, i, 1));
			const LedStream *ls = find_led(led, nled, sid);
			int64		before = -1;
			int			p;

			RegistryLock();
			p = PartitionLookupByStream(sid);
			if (p >= 0)
			{
				StrataPartition *part = PartitionGet(p);
				int64		cur = __atomic_load_n(&part->log_start_offset, __ATOMIC_ACQUIRE);

				before = cur;
				while (cur < start &&
					   !__atomic_compare_exchange_n(&part->log_start_offset, &cur, start, false,
													__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
					;
			}
			RegistryUnlock();
			if (before < start)
			{
				*did_work = true;
				elog(LOG, "retention: log start offset of %s-%d is now %lld",
					 ls ? ls->topic : "?", ls ? ls->partition : -1, (long long) start);
			}
		}
		PQclear(res);
	}
	pfree(u_ids);
	pfree(u_epochs);
	pfree(u_targets);
	return true;
}

/* ---------------------------------------------------------------------
 * Duty: unreferenced ranges and objects, garbage collection
 * ---------------------------------------------------------------------
 */
static bool
duty_sweep(PGconn *conn, ObjStore *store, bool *did_work, char *err, size_t errlen)
{
	int64		now = MonotonicMs();
	int			deleted = 0;

	if (sweep_done_ms < 0 || now - sweep_done_ms >= retention_check_interval)
	{
		char		lim[16];
		char		delay[32];
		const char *params[2] = {lim, delay};
		PGresult   *res;
		int			nranges,
					nobjects;

		snprintf(lim, sizeof(lim), "%d", SWEEP_BATCH);
		snprintf(delay, sizeof(delay), "%lld", (long long) object_delete_delay);

		/*
		 * Ranges nobody can read any more: wholly below the stream's start,
		 * or of a stream no partition references (its topic was deleted).
		 */
		res = CatalogQuery(conn,
						   "DELETE FROM strata.stream_ranges r "
						   "WHERE (r.stream_id, r.start_offset, r.object_id) IN ("
						   "  SELECT x.stream_id, x.start_offset, x.object_id FROM strata.stream_ranges x "
						   "  LEFT JOIN strata.partitions p ON p.stream_id = x.stream_id "
						   "  LEFT JOIN strata.streams s ON s.id = x.stream_id "
						   "  WHERE p.stream_id IS NULL OR s.id IS NULL OR x.end_offset <= s.start_offset "
						   "  LIMIT $1::int) "
						   "RETURNING r.object_id",
						   1, params, err, errlen);
		if (res == NULL)
			return false;
		nranges = PQntuples(res);
		PQclear(res);

		/*
		 * Committed objects left without a range.  An object's ranges and
		 * its 'committed' state appear in one transaction, so a committed
		 * object with no range is never one being written.  This also
		 * catches an SSO whose last streams two brokers compacted at the
		 * same moment (each saw the other's range still there).
		 */
		res = CatalogQuery(conn,
						   "UPDATE strata.objects o SET state = 'deleting', "
						   "       delete_after = now() + $2::bigint * interval '1 millisecond' "
						   "WHERE o.state = 'committed' AND o.id IN ("
						   "  SELECT x.id FROM strata.objects x WHERE x.state = 'committed' "
						   "  AND NOT EXISTS (SELECT 1 FROM strata.stream_ranges r WHERE r.object_id = x.id) "
						   "  LIMIT $1::int) "
						   "RETURNING o.id",
						   2, params, err, errlen);
		if (res == NULL)
			return false;
		nobjects = PQntuples(res);
		PQclear(res);
		if (nranges > 0 || nobjects > 0)
		{
			*did_work = true;
			elog(LOG, "retention: removed %d unreferenced stream ranges; %d objects are no longer referenced and will be deleted",
				 nranges, nobjects);
		}
		/* a full batch means there is more: come back soon */
		if (nranges < SWEEP_BATCH && nobjects < SWEEP_BATCH)
			sweep_done_ms = now;
	}

	if (!ObjCatalogCollectGarbage(conn, store, GC_BATCH, &deleted, err, errlen))
		return false;
	if (deleted > 0)
	{
		*did_work = true;
		elog(DEBUG1, "deleted %d objects from the store", deleted);
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------
 */
bool
ObjMaintenanceStep(PGconn *conn, ObjStore *store, bool *did_work,
				   char *err, size_t errlen)
{
	LedStream  *led;
	int			nled;
	bool		ok = true;

	*did_work = false;
	err[0] = '\0';

	/*
	 * Until the catalog worker has loaded the registry after a start, it
	 * may miss partitions we lead: then we lead nothing as far as
	 * compaction and retention go (doing less is safe; the sweep needs
	 * only the catalog).
	 */
	if (RegistryIsLoaded())
		led = collect_led_streams(&nled);
	else
	{
		led = palloc(sizeof(LedStream));
		nled = 0;
	}

	/*
	 * Take the duties in turn from where the last call stopped; stop at the
	 * first that did something (or failed), so one call is one piece.
	 */
	for (int k = 0; k < NUM_DUTIES && ok && !*did_work; k++)
	{
		int			d = (next_duty + k) % NUM_DUTIES;

		switch ((MaintenanceDuty) d)
		{
			case DUTY_SPLIT:
				ok = duty_split(conn, store, led, nled, did_work, err, errlen);
				break;
			case DUTY_MERGE:
				ok = duty_merge(conn, store, led, nled, did_work, err, errlen);
				break;
			case DUTY_RETENTION:
				ok = duty_retention(conn, led, nled, did_work, err, errlen);
				break;
			case DUTY_SWEEP:
				ok = duty_sweep(conn, store, did_work, err, errlen);
				break;
			case NUM_DUTIES:
				break;
		}
		if (!ok || *did_work)
			next_duty = (d + 1) % NUM_DUTIES;
	}
	pfree(led);
	return ok;
}
