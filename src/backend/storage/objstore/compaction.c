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
 *	            garbage collection (collect_garbage: the physical deletes).
 *
 *	  Memory: data is read block by block (a few blocks per ranged GET, at
 *	  most COMPACTION_READ_CHUNK bytes) and appended to an object builder,
 *	  which is cut, uploaded and freed whenever it reaches
 *	  compaction_max_object_size.  So a compaction holds at most one output
 *	  object and one read chunk, whatever the size of its inputs.
 *
 *	  Every object is written the catalog_objects.h way: prepare, put,
 *	  commit.
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
#include "catalog/catalog_objects.h"
#include "catalog/catalog_topics.h"
#include "storage/compaction.h"
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

/* Who tells which partitions this broker leads (ObjMaintenanceSetLedStreams). */
static const LedStreamSource *led_source = NULL;

/* Who paces the objects written (ObjMaintenanceSetPacer); NULL: nobody. */
static const ObjMaintenancePacer *maint_pacer = NULL;

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

void
ObjMaintenanceSetLedStreams(const LedStreamSource *source)
{
	led_source = source;
}

/*
 * The partitions this broker leads, sorted by stream id (palloc'd; *n
 * entries); none while the source cannot tell yet.
 */
static LedStream *
collect_led_streams(int *n)
{
	LedStream  *out = NULL;

	*n = 0;
	if (led_source == NULL || !led_source->collect(&out, n))
	{
		*n = 0;
		return palloc(sizeof(LedStream));
	}
	qsort(out, (size_t) *n, sizeof(LedStream), led_cmp);
	return out;
}

static const LedStream *
find_led(const LedStream *led, int n, int64 stream_id)
{
	LedStream	key;

	key.stream_id = stream_id;
	return bsearch(&key, led, (size_t) n, sizeof(LedStream), led_cmp);
}

/* The stream ids of led (palloc'd). */
static int64 *
led_ids(const LedStream *led, int n)
{
	int64	   *ids = palloc(sizeof(int64) * (size_t) Max(n, 1));

	for (int i = 0; i < n; i++)
		ids[i] = led[i].stream_id;
	return ids;
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
	CatalogObject *objs;
	CatalogRange *ranges;	/* one per object */
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

void
ObjMaintenanceSetPacer(const ObjMaintenancePacer *pacer)
{
	maint_pacer = pacer;
}

/*
 * Put an object, paced by the registered pacer if any: as a streamed put
 * in pieces of upload_part_size, the pacer asked after each.  A streamed
 * put is not retried (on S3 its body is gone from the request): as with
 * an upload, the failure fails this step, which the next one does again.
 */
static bool
put_paced(ObjStore *store, const char *key, const char *data, size_t len, ObjStoreError *oerr)
{
	ObjStoreWriter *ow;
	size_t		piece = (size_t) upload_part_size;
	size_t		off = 0;

	if (maint_pacer == NULL || len <= piece)
		return ObjStorePut(store, key, data, len, oerr);
	maint_pacer->begin(len);
	ow = ObjStoreWriterBegin(store, key, upload_single_put ? len : 0, NULL, NULL);
	for (; len - off > piece; off += piece)
	{
		if (!ObjStoreWriterPart(ow, data + off, piece, NULL, oerr))
		{
			ObjStoreWriterAbort(ow);
			return false;
		}
		maint_pacer->piece(piece);
	}
	return ObjStoreWriterFinish(ow, data + off, len - off, NULL, oerr);
}

/*
 * The buffer of the last stream object written, kept for the next one.
 * An object is built in one buffer that doubles as it fills, so building
 * each in a new buffer faulted in (zeroed pages) and copied again up to
 * twice compaction_max_object_size per object: most of the uploader's page
 * faults while producers wrote (perf record -e page-faults).  Released
 * with the uploader's own spare buffers once it has been idle a while
 * (ObjMaintenanceReleaseBuffers).
 */
static char *spare_buf = NULL;
static size_t spare_cap = 0;

#define SO_FIRST_BUFFER		((size_t) 64 * 1024)

/* A buffer to build an object in: the spare, or a new one. */
static ObjFormatBuilder *
so_builder_create(void)
{
	char	   *buf = spare_buf;
	size_t		cap = spare_cap;

	spare_buf = NULL;
	spare_cap = 0;
	if (buf == NULL)
	{
		cap = SO_FIRST_BUFFER;
		buf = palloc(cap);
	}
	return ObjFormatBuilderCreateIn(OBJFORMAT_SO, 0, buf, cap);
}

/* An object's buffer, put: kept for the next object. */
static void
so_buffer_done(char *buf, size_t cap)
{
	if (spare_buf != NULL && spare_cap >= cap)
	{
		pfree(buf);
		return;
	}
	if (spare_buf != NULL)
		pfree(spare_buf);
	spare_buf = buf;
	spare_cap = cap;
}

void
ObjMaintenanceReleaseBuffers(void)
{
	if (spare_buf != NULL)
		pfree(spare_buf);
	spare_buf = NULL;
	spare_cap = 0;
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
	size_t		cap;
	int64		id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	ObjStoreError oerr;
	CatalogRange *r;

	if (w->b == NULL)
		return true;
	if (w->nbatches == 0)
	{
		ObjFormatBuilderFree(w->b);
		w->b = NULL;
		return true;
	}
	fr = ObjFormatBuilderRanges(w->b, &nfr);
	data = ObjFormatFinishBuffer(w->b, &len, &cap);
	ObjFormatBuilderFree(w->b);
	w->b = NULL;
	w->nbatches = 0;
	Assert(nfr == 1);

	if (w->nobjs == w->cap)
	{
		w->cap = w->cap ? w->cap * 2 : 4;
		w->objs = repalloc(w->objs, sizeof(CatalogObject) * (size_t) w->cap);
		w->ranges = repalloc(w->ranges, sizeof(CatalogRange) * (size_t) w->cap);
	}
	if (!CatalogPrepareObject(w->conn, OBJFORMAT_SO, &id, key, sizeof(key), err, errlen))
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

	if (!put_paced(w->store, key, data, len, &oerr))
	{
		snprintf(err, errlen, "could not put compacted object %s: %s", key, oerr.message);
		pfree(data);
		return false;
	}
	w->bytes_written += (int64) len;
	so_buffer_done(data, cap);
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
		w->b = so_builder_create();
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
	char		err[512];

	if (w->nobjs == 0)
		return;
	ids = palloc(sizeof(int64) * (size_t) w->nobjs);
	for (int i = 0; i < w->nobjs; i++)
		ids[i] = w->objs[i].object_id;
	if (!CatalogAbandonObjects(w->conn, ids, w->nobjs, err, sizeof(err)))
		elog(LOG, "compaction: could not abandon uncommitted objects (garbage collection will): %s", err);
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
	CatalogStreamEpoch ep;
	CatalogCommitResult res;
	uint64	   *fl = NULL;
	int			nfl = 0;

	*fenced = false;
	if (w->nobjs == 0)
		return true;
	for (int i = 0; i < w->nobjs; i++)
		w->objs[i].ranges = &w->ranges[i];
	ep.stream_id = w->stream_id;
	ep.epoch = epoch;
	res = CatalogCommitObjects(w->conn, w->objs, w->nobjs, &ep, 1, false,
						   replaced, nreplaced, &fl, &nfl, err, errlen);
	if (fl)
		pfree(fl);
	if (res == CATALOG_COMMIT_OK)
	{
		w->nobjs = 0;
		return true;
	}
	writer_abandon(w);
	if (res == CATALOG_COMMIT_FENCED)
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
	int64	   *ids;
	CatalogObjectInfo sso;
	bool		found;
	CatalogRangeInfo *rows;
	int			nrows;
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
	ids = led_ids(led, nled);
	if (!CatalogFindSplitCandidate(conn, ids, nled, compaction_max_age, split_cursor,
								   &sso, &found, err, errlen))
	{
		pfree(ids);
		return false;
	}
	if (!found)
	{
		pfree(ids);
		return true;
	}
	level = sso.compactions + 1;
	split_cursor = sso.object_id;
	nrows = CatalogGetObjectRanges(conn, sso.object_id, ids, nled, &rows, err, errlen);
	pfree(ids);
	if (nrows < 0)
		return false;
	if (!read_object_index(store, sso.key, sso.size, &idx, err, errlen))
	{
		pfree(rows);
		return false;
	}

	for (int i = 0; ok && i < nrows; i++)
	{
		int64		stream_id = (int64) rows[i].stream_id;
		int64		lo = rows[i].start_offset;
		int64		hi = rows[i].end_offset;
		const LedStream *ls = find_led(led, nled, stream_id);
		SoWriter	w;
		bool		fenced;

		/*
		 * Not ours, or ours no longer (the registry has not caught up
		 * yet): copying would be wasted, the commit would be fenced.
		 */
		if (ls == NULL || rows[i].stream_epoch != ls->epoch || !rows[i].stream_opened)
			continue;
		if (rows[i].stream_start > lo)
			lo = rows[i].stream_start;
		if (lo >= hi)
			continue;			/* wholly below the start: the sweep's */
		writer_init(&w, conn, store, (uint64) stream_id, level);
		ok = copy_stream(store, sso.key, &idx, &cache, (uint64) stream_id, lo, hi, &w, err, errlen) &&
			writer_flush(&w, err, errlen);
		if (ok && w.nobjs == 0)
		{
			snprintf(err, errlen, "object %s has no data of stream %lld in %lld..%lld, which the catalog says it holds",
					 sso.key, (long long) stream_id, (long long) lo, (long long) hi);
			ok = false;
		}
		if (ok)
		{
			int			made = w.nobjs;
			int64		bytes = w.bytes_written;

			ok = writer_commit(&w, ls->epoch, &sso.object_id, 1, &fenced, err, errlen);
			if (ok && fenced)
				elog(LOG, "compaction: stream %lld (%s-%d) is no longer ours; left it in stream-set object %lld",
					 (long long) stream_id, ls->topic, ls->partition, (long long) sso.object_id);
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
	pfree(rows);
	ObjFormatIndexFree(&idx);
	chunk_cache_free(&cache);
	if (streams_done > 0)
	{
		*did_work = true;
		elog(LOG, "compaction: split %d streams of stream-set object %lld into %d stream objects (%lld bytes)",
			 streams_done, (long long) sso.object_id, objects_made, (long long) bytes_made);
	}
	if (!ok)
	{
		char		tmp[1024];

		snprintf(tmp, sizeof(tmp), "compaction of stream-set object %lld: %s", (long long) sso.object_id, err);
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
		 const CatalogRangeInfo *run, int count, bool *did_work, char *err, size_t errlen)
{
	SoWriter	w;
	int64	   *replaced = palloc(sizeof(int64) * (size_t) count);
	int			level = 0;
	bool		ok = true;
	bool		fenced = false;

	for (int k = 0; k < count; k++)
	{
		replaced[k] = run[k].object_id;
		if (run[k].compactions > level)
			level = run[k].compactions;
	}
	writer_init(&w, conn, store, (uint64) ls->stream_id, level + 1);
	for (int k = 0; ok && k < count; k++)
	{
		int64		lo = run[k].start_offset;
		ObjFormatIndex idx;
		ChunkCache	cache;

		memset(&cache, 0, sizeof(cache));
		if (stream_start > lo)
			lo = stream_start;
		if (!read_object_index(store, run[k].key, run[k].object_size, &idx, err, errlen))
		{
			ok = false;
			break;
		}
		ok = copy_stream(store, run[k].key, &idx, &cache, (uint64) ls->stream_id, lo,
						 run[k].end_offset, &w, err, errlen);
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

/*
 * Look for a run worth merging in one stream's ranges rows[0 .. n-1] (by
 * offset) and merge it; *did_work is set if it was.
 */
static bool
merge_stream(PGconn *conn, ObjStore *store, const LedStream *led, int nled,
			 const CatalogRangeInfo *rows, int n, bool *did_work, char *err, size_t errlen)
{
	int64		stream_id = (int64) rows[0].stream_id;
	const LedStream *ls = find_led(led, nled, stream_id);
	CompactionRange *rg;
	int			first,
				count;
	bool		ok = true;

	rg = palloc(sizeof(CompactionRange) * (size_t) n);
	for (int k = 0; k < n; k++)
	{
		CompactionRange *c = &rg[k];

		c->start_offset = rows[k].start_offset;
		c->end_offset = rows[k].end_offset;
		c->object_size = (int64) rows[k].object_size;
		c->is_so = rows[k].object_is_so;
		c->object_age_ms = rows[k].object_age_ms;
		c->bytes = 0;
		c->max_timestamp = -1;
	}
	if (ls != NULL && rows[0].stream_epoch == ls->epoch && rows[0].stream_opened &&
		CompactionPickMergeRun(rg, n, rows[0].stream_start, compaction_small_object_size,
							   compaction_max_object_size, compaction_max_age,
							   &first, &count))
	{
		merge_cursor = stream_id;
		ok = do_merge(conn, store, ls, rows[0].stream_start, rows + first, count,
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
	return ok;
}

static bool
duty_merge(PGconn *conn, ObjStore *store, const LedStream *led, int nled,
		   bool *did_work, char *err, size_t errlen)
{
	int64	   *ids;
	CatalogRangeInfo *rows;
	int			nrows;
	int			start_row = 0;
	bool		ok = true;

	if (nled == 0)
		return true;
	ids = led_ids(led, nled);

	/*
	 * All ranges (of every kind: an SSO range between two SOs breaks a run)
	 * of the streams we lead that have a small SO and at least one more SO
	 * it might be merged with.
	 */
	nrows = CatalogGetMergeRanges(conn, ids, nled, compaction_small_object_size,
								  &rows, err, errlen);
	pfree(ids);
	if (nrows < 0)
		return false;

	/* Round robin: begin with the first stream after the last one merged. */
	while (start_row < nrows && (int64) rows[start_row].stream_id <= merge_cursor)
		start_row++;
	if (start_row == nrows)
		start_row = 0;

	for (int pass = 0; pass < 2 && ok && !*did_work; pass++)
	{
		int			row = pass == 0 ? start_row : 0;
		int			stop = pass == 0 ? nrows : start_row;

		while (row < stop && ok && !*did_work)
		{
			int			end = row;

			while (end < nrows && rows[end].stream_id == rows[row].stream_id)
				end++;
			ok = merge_stream(conn, store, led, nled, rows + row, end - row, did_work, err, errlen);
			row = end;
		}
	}
	pfree(rows);
	return ok;
}

/* ---------------------------------------------------------------------
 * Duty: retention
 * ---------------------------------------------------------------------
 */

/*
 * The streams of the next retention batch (those with a limit), from
 * retention_cursor on; moves the cursor.  Returns how many (ids palloc'd,
 * room for RETENTION_BATCH).
 */
static int
retention_batch(const LedStream *led, int nled, int64 now, int64 **ids)
{
	int			n = 0;
	int			first = 0;
	int			i;

	*ids = palloc(sizeof(int64) * RETENTION_BATCH);
	while (first < nled && led[first].stream_id <= retention_cursor)
		first++;
	for (i = first; i < nled && n < RETENTION_BATCH; i++)
	{
		if (led[i].retention_ms < 0 && led[i].retention_bytes < 0)
			continue;
		(*ids)[n++] = led[i].stream_id;
	}
	if (i >= nled)
	{
		/* this batch ends the pass */
		retention_cursor = 0;
		retention_pass_done_ms = now;
	}
	else
		retention_cursor = led[i - 1].stream_id;
	return n;
}

/*
 * The start offsets retention gives the streams of rows (by stream and
 * offset), those that move: *want (palloc'd), returns how many.
 */
static int
retention_targets(const LedStream *led, int nled, const CatalogRangeInfo *rows, int nrows,
				  CatalogStreamStart **want)
{
	int64		wall = WallClockMs();
	int			nw = 0;

	*want = palloc(sizeof(CatalogStreamStart) * (size_t) Max(nrows, 1));
	for (int row = 0; row < nrows;)
	{
		int64		stream_id = (int64) rows[row].stream_id;
		int64		sstart = rows[row].stream_start;
		const LedStream *ls = find_led(led, nled, stream_id);
		int			end = row;
		CompactionRange *rg;
		int64		target;

		while (end < nrows && (int64) rows[end].stream_id == stream_id)
			end++;
		rg = palloc0(sizeof(CompactionRange) * (size_t) (end - row));
		for (int k = row; k < end; k++)
		{
			rg[k - row].start_offset = rows[k].start_offset;
			rg[k - row].end_offset = rows[k].end_offset;
			rg[k - row].bytes = rows[k].bytes;
			rg[k - row].max_timestamp = rows[k].max_timestamp;
		}
		target = ls ? CompactionRetentionStart(rg, end - row, sstart, rows[row].stream_object_end,
											   wall, ls->retention_ms, ls->retention_bytes) : sstart;
		if (target > sstart)
		{
			(*want)[nw].stream_id = (uint64) stream_id;
			(*want)[nw].epoch = ls->epoch;
			(*want)[nw].start_offset = target;
			nw++;
		}
		pfree(rg);
		row = end;
	}
	return nw;
}

static bool
duty_retention(PGconn *conn, const LedStream *led, int nled,
			   bool *did_work, char *err, size_t errlen)
{
	int64		now = MonotonicMs();
	int64	   *ids;
	int			n;
	CatalogRangeInfo *rows;
	int			nrows;
	CatalogStreamStart *want;
	int			nwant;
	CatalogStreamStart *moved;
	int			nmoved;

	/* A new pass only once per retention_check_interval. */
	if (retention_cursor == 0 && retention_pass_done_ms >= 0 &&
		now - retention_pass_done_ms < retention_check_interval)
		return true;

	n = retention_batch(led, nled, now, &ids);
	if (n == 0)
	{
		pfree(ids);
		return true;
	}
	nrows = CatalogGetRetentionRanges(conn, ids, n, &rows, err, errlen);
	pfree(ids);
	if (nrows < 0)
		return false;
	nwant = retention_targets(led, nled, rows, nrows, &want);
	pfree(rows);
	if (nwant == 0)
	{
		pfree(want);
		return true;
	}

	/*
	 * Durable first, and only with our epoch (a fenced broker changes
	 * nothing), never past what is in objects; as DeleteRecords does.
	 */
	nmoved = CatalogAdvanceStreamStarts(conn, want, nwant, &moved, err, errlen);
	pfree(want);
	if (nmoved < 0)
		return false;
	for (int i = 0; i < nmoved; i++)
	{
		int64		sid = (int64) moved[i].stream_id;
		int64		start = moved[i].start_offset;
		const LedStream *ls = find_led(led, nled, sid);
		int64		before = led_source->advance_log_start(sid, start);

		if (before < start)
		{
			*did_work = true;
			elog(LOG, "retention: log start offset of %s-%d is now %lld",
				 ls ? ls->topic : "?", ls ? ls->partition : -1, (long long) start);
		}
	}
	pfree(moved);
	return true;
}

/* ---------------------------------------------------------------------
 * Duty: unreferenced ranges and objects, garbage collection
 * ---------------------------------------------------------------------
 */

/*
 * Delete from the store, then from the catalog, up to limit objects in
 * state 'deleting' whose delete_after has passed (orphans, prepared rows
 * past their deadline, become such first).  *deleted gets how many went.
 * A store failure leaves the rows for the next round.
 */
static bool
collect_garbage(PGconn *conn, ObjStore *store, int limit, int *deleted,
				char *err, size_t errlen)
{
	CatalogObjectRef *refs;
	int			n;
	const char **keys;
	int64	   *ids;
	ObjStoreError oerr;
	bool		ok = true;

	*deleted = 0;
	if (!CatalogExpireOrphanObjects(conn, err, errlen))
		return false;
	n = CatalogListDeletableObjects(conn, limit, &refs, err, errlen);
	if (n < 0)
		return false;
	if (n == 0)
	{
		pfree(refs);
		return true;
	}
	keys = palloc(sizeof(char *) * (size_t) n);
	ids = palloc(sizeof(int64) * (size_t) n);
	for (int i = 0; i < n; i++)
	{
		ids[i] = refs[i].object_id;
		keys[i] = refs[i].key;
	}

	/*
	 * Store first, row second: if we die in between, the row is still
	 * there and the next round deletes the (already missing) key again,
	 * which S3 treats as success.
	 */
	if (!ObjStoreDeleteBatch(store, keys, n, &oerr))
	{
		snprintf(err, errlen, "could not delete unreferenced objects: %s", oerr.message);
		ok = false;
	}
	else if (!CatalogForgetObjects(conn, ids, n, err, errlen))
		ok = false;
	else
		*deleted = n;
	pfree(refs);
	pfree(keys);
	pfree(ids);
	return ok;
}

static bool
duty_sweep(PGconn *conn, ObjStore *store, bool *did_work, char *err, size_t errlen)
{
	int64		now = MonotonicMs();
	int			deleted = 0;

	if (sweep_done_ms < 0 || now - sweep_done_ms >= retention_check_interval)
	{
		int			nranges,
					nobjects;

		/*
		 * Ranges nobody can read any more, then committed objects left
		 * without a range.
		 */
		if (!CatalogSweepRanges(conn, SWEEP_BATCH, &nranges, err, errlen) ||
			!CatalogSweepObjects(conn, SWEEP_BATCH, &nobjects, err, errlen))
			return false;
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

	if (!collect_garbage(conn, store, GC_BATCH, &deleted, err, errlen))
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
	 * Until the Kafka layer knows which partitions we lead (the catalog
	 * worker has loaded the registry after a start), we lead nothing as far
	 * as compaction and retention go (doing less is safe; the sweep needs
	 * only the catalog).
	 */
	led = collect_led_streams(&nled);

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
