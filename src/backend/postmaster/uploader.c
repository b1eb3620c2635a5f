/*-------------------------------------------------------------------------
 *
 * uploader.c
 *	  The uploader (object-storage archiver) process.
 *
 *	  It follows the WAL from the trim position: every durable record is
 *	  noted in a pending list (the bytes stay in the WAL ring, which cannot
 *	  reuse them before we trim).  When upload_threshold bytes have
 *	  accumulated, upload_interval has passed since the oldest pending
 *	  record, or an appender is waiting for WAL space, it uploads:
 *
 *	    1. take pending records up to the threshold, in LSN order;
 *	    2. drop those not to be uploaded: below the stream's
 *	       object_end_offset (already in objects: a crash came between an
 *	       earlier commit and its trim), of streams deleted meanwhile, or of
 *	       streams another broker has opened since (we are fenced);
 *	    3. sort the rest by (stream, offset); a stream with at least
 *	       stream_split_size gets a stream object (SO) of its own, the
 *	       others share one stream-set object (SSO);
 *	    4. prepare each object in the catalog, build it and stream it out
 *	       as it is built (below); once every object is complete and
 *	       durable in the store, commit them in one catalog transaction
 *	       that checks every stream's epoch (catalog/catalog_objects.h);
 *	    5. advance the WAL trim position past the last record taken.  Only
 *	       now may the WAL writer reuse the space and the log cache evict
 *	       those batches.
 *
 *	  A failure at any step leaves the WAL untouched: the same records are
 *	  uploaded again later, into new objects, after the catalog's reconnect
 *	  backoff (CatalogBackoff: from 100 ms, doubling, up to
 *	  catalog_retry_max), whatever failed.  Objects of a failed attempt
 *	  stay 'prepared' in the catalog and are deleted as orphans once their
 *	  deadline passes.  While object storage or the catalog is down, the
 *	  WAL fills up and produce waits (back-pressure), nothing is lost.
 *
 *	  Between uploads it does the maintenance of object storage: deleting
 *	  unreferenced and orphaned objects, compaction and retention
 *	  (compaction.c), a bounded step at a time.
 *
 *	  Streaming.  An object is not built whole and then sent: each time
 *	  upload_part_size bytes of its blocks are closed, they go to the store
 *	  as one part (ObjStoreWriter: an S3 multipart upload part, or a write
 *	  of the file:// object's temporary file, written back as it goes) and
 *	  the builder goes on in another buffer; the rest goes at the finish,
 *	  which completes the object.  The parts of an upload are paced at
 *	  upload_pacing percent of the rate their records arrived at, until
 *	  something sets our latch (see pace()).  So neither the copying nor
 *	  the writing of an upload comes in one burst that produce latency
 *	  would follow.  Hand-offs and recoveries stream too, unpaced.
 *
 *	  The WAL writer sets our latch once the flushed position passes our
 *	  threshold (WalRequestUploadWakeup), and an appender that must wait for
 *	  space sets it too; otherwise we sleep until upload_interval expires.
 *
 * src/backend/postmaster/uploader.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_brokers.h"
#include "catalog/catalog_cluster.h"
#include "catalog/catalog_objects.h"
#include "catalog/catalog_producers.h"
#include "kafka/cluster.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "postmaster/interrupt.h"
#include "postmaster/uploader.h"
#include "storage/compaction.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/objformat.h"
#include "storage/objstore.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/* A durable WAL record waiting to be uploaded. */
typedef struct PendingRecord
{
	LogCacheRecord rec;
	int64		noticed_ms;		/* when we first saw it (MonotonicMs) */
} PendingRecord;

/*
 * One object being built and streamed out (see "Streaming" in the file
 * comment): prepared in the catalog, built by an ObjFormatBuilder, its
 * closed blocks handed to an ObjStoreWriter a part at a time, finished,
 * then committed with the others of its upload.
 */
typedef struct UploadObject
{
	ObjFormatKind kind;
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	ObjFormatBuilder *builder;	/* while it is built */
	ObjStoreWriter *writer;		/* until it is written whole */
	uint64		len;			/* its size, once finished */
	CatalogRange *ranges;
	int			nranges;
	uint64		start_us;		/* for strata_upload_duration */
} UploadObject;

/*
 * Pacing of one upload's parts: at most rate bytes per second from start,
 * unless off (no pacing set, or something waits for this upload).
 */
typedef struct Pacer
{
	bool		on;
	int64		start_ms;
	uint64		rate;
	uint64		sent;
} Pacer;

static PGconn *catalog_conn;
static ObjStore *store;
static bool store_checked;		/* bucket and credentials known to work */

static PendingRecord *pending;
static int	npending;
static int	maxpending;
static uint64 pending_bytes;
static WalLsn scan_pos;

/* Where and when the WAL stood at the last upload's start (for its pace). */
static WalLsn rate_since_lsn;
static int64 rate_since_ms;

/* When the next attempt may start, after failures (the catalog's backoff). */
static CatalogBackoff retry = CATALOG_BACKOFF_INIT;

static int64 last_status_ms;
static int64 last_upload_wall_ms;
static char last_error[512];

/*
 * Part buffers kept from one part to the next.  An object is built in
 * buffers of about upload_part_size: allocated afresh each time, every
 * page of them was faulted in and zeroed again, which cost more CPU than
 * copying the data in.  The largest UPLOAD_SPARE_BUFFERS (the parts a
 * writer may hold, and two builders') are kept, and let go after
 * UPLOAD_SPARE_IDLE_MS without an upload.
 */
#define UPLOAD_SPARE_BUFFERS	(OBJSTORE_WRITER_PARTS_IN_FLIGHT + 2)
#define UPLOAD_SPARE_IDLE_MS	30000

typedef struct SpareBuffer
{
	char	   *buf;			/* NULL: an empty slot */
	size_t		cap;
} SpareBuffer;

static SpareBuffer spares[UPLOAD_SPARE_BUFFERS];

static void
set_last_error(const char *msg)
{
	/* One log line per distinct failure, not one per retry. */
	if (strcmp(last_error, msg) != 0)
		elog(LOG, "uploader: %s", msg);
	strlcpy_s(last_error, msg, sizeof(last_error));
}

/*
 * An upload (or what it needs: the store, the catalog) failed: log it once
 * and try again after the catalog's backoff, whatever failed.
 */
static void
note_failure(const char *msg)
{
	set_last_error(msg);
	(void) CatalogBackoffFailed(&retry);
}

/* Open the store and the catalog connection if needed; false if not now. */
static bool
ensure_connections(void)
{
	char		err[512];

	if (store == NULL)
	{
		ObjStoreError oerr;

		store = ObjStoreOpen(object_store, &oerr);
		if (store == NULL)
		{
			char		msg[700];

			snprintf(msg, sizeof(msg), "cannot open the object store (object_store = \"%s\"): %s",
					 object_store, oerr.message);
			note_failure(msg);
			return false;
		}
	}
	if (!store_checked)
	{
		ObjStoreError oerr;

		/*
		 * One cheap request tells a missing bucket or refused credentials
		 * apart from an outage, so the operator gets the right line.
		 */
		if (!ObjStoreProbe(store, &oerr))
		{
			char		msg[700];

			snprintf(msg, sizeof(msg), "object store %s is not usable: %s",
					 ObjStoreDescribe(store), oerr.message);
			note_failure(msg);
			return false;
		}
		store_checked = true;
	}
	if (catalog_conn != NULL && PQstatus(catalog_conn) != CONNECTION_OK)
	{
		PQfinish(catalog_conn);
		catalog_conn = NULL;
	}
	if (catalog_conn == NULL)
	{
		catalog_conn = CatalogConnect(err, sizeof(err));
		if (catalog_conn == NULL)
		{
			note_failure(err);
			return false;
		}
	}
	return true;
}

/* Note every durable record after scan_pos. */
static void
scan_wal(void)
{
	LogCacheRecord rec;
	int64		now = MonotonicMs();

	while (LogCacheNextRecord(&scan_pos, &rec))
	{
		if (npending == maxpending)
		{
			maxpending = Max(1024, maxpending * 2);
			pending = pending ? repalloc(pending, sizeof(PendingRecord) * (size_t) maxpending)
				: palloc(sizeof(PendingRecord) * (size_t) maxpending);
		}
		pending[npending].rec = rec;
		pending[npending].noticed_ms = now;
		npending++;
		pending_bytes += rec.end_lsn - rec.lsn;
	}
}

/* The bytes an upload takes at most: the threshold, bounded by the WAL. */
static uint64
effective_threshold(void)
{
	return Max(Min((uint64) upload_threshold, WalCapacity() / 4), (uint64) 64 * 1024);
}

static bool
upload_due(void)
{
	if (npending == 0)
		return false;
	/* commits save producer snapshots, which need the recovered state */
	if (!ProducerStateIsRecovered())
		return false;
	if (pending_bytes >= effective_threshold())
		return true;
	if (MonotonicMs() - pending[0].noticed_ms >= upload_interval)
		return true;

	/* Appenders are (or will soon be) waiting for space: go now. */
	if (WalInsertLsn() - WalTrimLsn() >= WalCapacity() / 2)
		return true;
	return false;
}

static int
cmp_stream_lsn(const void *a, const void *b)
{
	const LogCacheRecord *x = *(const LogCacheRecord *const *) a;
	const LogCacheRecord *y = *(const LogCacheRecord *const *) b;

	if (x->stream_id != y->stream_id)
		return x->stream_id < y->stream_id ? -1 : 1;
	return x->lsn < y->lsn ? -1 : (x->lsn > y->lsn ? 1 : 0);
}

/* The epoch this broker opened stream_id with, or -1 if not ours. */
static int64
registry_stream_epoch(uint64 stream_id)
{
	int64		epoch = -1;
	int			idx;

	RegistryLock();
	idx = PartitionLookupByStream((int64) stream_id);
	if (idx >= 0)
		epoch = PartitionGet(idx)->stream_epoch;
	RegistryUnlock();
	return epoch;
}

/*
 * A buffer for a part: the largest spare, or a new one with room for a
 * part and the open block that stays behind when a part is taken.
 */
static char *
take_buffer(size_t *cap)
{
	SpareBuffer *best = NULL;
	char	   *buf;

	for (int i = 0; i < UPLOAD_SPARE_BUFFERS; i++)
		if (spares[i].buf != NULL && (best == NULL || spares[i].cap > best->cap))
			best = &spares[i];
	if (best == NULL)
	{
		*cap = (size_t) upload_part_size + 2 * OBJFORMAT_DEFAULT_BLOCK_SIZE;
		return palloc(*cap);
	}
	buf = best->buf;
	*cap = best->cap;
	best->buf = NULL;
	best->cap = 0;
	return buf;
}

/* An object's buffer, no longer needed: kept if among the largest. */
static void
keep_buffer(char *buf, size_t cap)
{
	SpareBuffer *slot = &spares[0];

	for (int i = 0; i < UPLOAD_SPARE_BUFFERS; i++)
	{
		if (spares[i].buf == NULL)
		{
			slot = &spares[i];
			break;
		}
		if (spares[i].cap < slot->cap)
			slot = &spares[i];
	}
	if (slot->buf != NULL && slot->cap >= cap)
	{
		pfree(buf);
		return;
	}
	if (slot->buf != NULL)
		pfree(slot->buf);
	slot->buf = buf;
	slot->cap = cap;
}

static void
release_spares(void)
{
	for (int i = 0; i < UPLOAD_SPARE_BUFFERS; i++)
	{
		if (spares[i].buf != NULL)
			pfree(spares[i].buf);
		spares[i].buf = NULL;
		spares[i].cap = 0;
	}
}

/*
 * Add one record to a builder.  A body that wraps the ring's end is made
 * contiguous in scratch first.
 */
static bool
builder_add(ObjFormatBuilder *b, const LogCacheRecord *r, char **scratch, size_t *scratchlen,
			char *err, size_t errlen)
{
	const char *body = r->body1;
	size_t		len = r->len1 + r->len2;

	if (r->len2 > 0)
	{
		if (*scratchlen < len)
		{
			*scratch = *scratch ? repalloc(*scratch, len) : palloc(len);
			*scratchlen = len;
		}
		memcpy(*scratch, r->body1, r->len1);
		memcpy(*scratch + r->len1, r->body2, r->len2);
		body = *scratch;
	}
	Assert(r->record_count > 0);
	return ObjFormatAppend(b, r->stream_id, (uint64) r->base_offset, r->record_count - 1,
						   r->record_count, r->max_timestamp, body, len, err, errlen);
}

/* A part's buffer, given back by the writer (ObjStoreWriterRelease). */
typedef struct PartBuffer
{
	char	   *buf;
	size_t		cap;
} PartBuffer;

static void
part_released(void *tag, void *arg)
{
	PartBuffer *pb = tag;

	keep_buffer(pb->buf, pb->cap);
	pfree(pb);
}

/*
 * Start obj: prepare it in the catalog (which names its key), a builder,
 * a writer.  false with err.
 */
static bool
object_begin(UploadObject *obj, ObjFormatKind kind, char *err, size_t errlen)
{
	size_t		cap;
	char	   *buf;

	memset(obj, 0, sizeof(*obj));
	obj->kind = kind;
	obj->start_us = MetricsNowUs();
	if (!CatalogPrepareObject(catalog_conn, kind, &obj->object_id, obj->key, sizeof(obj->key),
							  err, errlen))
		return false;
	buf = take_buffer(&cap);
	obj->builder = ObjFormatBuilderCreateIn(kind, 0, buf, cap);
	obj->writer = ObjStoreWriterBegin(store, obj->key, part_released, NULL);
	return true;
}

/*
 * Let the upload's parts go at the pacer's rate: wait out the time the
 * bytes sent so far should have taken, driving the store's transfers
 * meanwhile.  Whatever sets our latch (an appender waiting for WAL space,
 * a hand-off, a shutdown, the next upload's threshold) ends the pacing of
 * this upload: it then goes at full speed.
 */
static void
pace(Pacer *p, size_t len)
{
	int64		due;
	uint64		start_us;

	p->sent += len;
	if (!p->on)
		return;
	if (WalInsertLsn() - WalTrimLsn() >= WalCapacity() / 2)
	{
		p->on = false;
		return;
	}
	due = p->start_ms + (int64) (p->sent * 1000 / Max(p->rate, 1));
	if (due <= MonotonicMs())
		return;					/* not ahead of the rate */
	start_us = MetricsNowUs();
	for (;;)
	{
		int64		now = MonotonicMs();
		int64		slice = Min(due - now, (int64) 50);
		int			rc;

		if (slice <= 0)
			break;
		if (ObjStoreIsS3(store))
		{
			(void) ObjStoreWait(store, (long) slice);
			slice -= MonotonicMs() - now;
		}
		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, (long) Max(slice, 0));
		if (rc & WL_LATCH_SET)
		{
			p->on = false;
			break;
		}
	}
	MetricsObserve(METRIC_UPLOAD_PACE_WAIT, MetricsNowUs() - start_us);
}

/*
 * Add one record to obj.  Once upload_part_size bytes of closed blocks
 * are waiting, they go to the writer as one part (the builder goes on in
 * another buffer), and the pacer (if any) has its say.  false with err.
 */
static bool
object_add(UploadObject *obj, const LogCacheRecord *r, Pacer *pacer, char **scratch,
		   size_t *scratchlen, char *err, size_t errlen)
{
	size_t		closed;

	if (!builder_add(obj->builder, r, scratch, scratchlen, err, errlen))
		return false;
	closed = ObjFormatBuilderClosedBytes(obj->builder);
	if (closed >= (size_t) upload_part_size)
	{
		PartBuffer *pb = palloc(sizeof(PartBuffer));
		ObjStoreError oerr;
		size_t		newcap;
		char	   *newbuf = take_buffer(&newcap);
		size_t		len;

		pb->buf = ObjFormatBuilderTakeClosed(obj->builder, newbuf, newcap, &len, &pb->cap);
		if (!ObjStoreWriterPart(obj->writer, pb->buf, len, pb, &oerr))
		{
			snprintf(err, errlen, "upload of %s failed: %s", obj->key, oerr.message);
			return false;
		}
		if (!PostmasterIsAlive())
			proc_exit(1);
		if (pacer)
			pace(pacer, len);
	}
	return true;
}

/*
 * Finish obj: its ranges (with timestamps from recs, in stream order), the
 * rest of the object to the writer, which makes it complete and durable
 * in the store.  false with err.
 */
static bool
object_finish(UploadObject *obj, LogCacheRecord **recs, int nrecs, char *err, size_t errlen)
{
	ObjFormatRange *fr;
	int			n;
	PartBuffer *pb = palloc(sizeof(PartBuffer));
	ObjStoreError oerr;
	size_t		len;
	bool		ok;

	fr = ObjFormatBuilderRanges(obj->builder, &n);
	obj->ranges = palloc(sizeof(CatalogRange) * (size_t) Max(n, 1));
	obj->nranges = n;
	for (int i = 0; i < n; i++)
	{
		CatalogRange *cr = &obj->ranges[i];

		cr->stream_id = fr[i].stream_id;
		cr->start_offset = (int64) fr[i].start_offset;
		cr->end_offset = (int64) fr[i].end_offset;
		cr->record_count = (int64) fr[i].record_count;
		cr->bytes = (int64) fr[i].bytes;
		cr->max_timestamp = -1;
	}

	/* Ranges and records are both in stream order: one merge pass. */
	for (int i = 0, k = 0; i < n; i++)
	{
		while (k < nrecs && recs[k]->stream_id < obj->ranges[i].stream_id)
			k++;
		for (; k < nrecs && recs[k]->stream_id == obj->ranges[i].stream_id; k++)
			obj->ranges[i].max_timestamp = Max(obj->ranges[i].max_timestamp, recs[k]->max_timestamp);
	}
	pfree(fr);
	obj->len = ObjFormatBuilderSize(obj->builder);
	pb->buf = ObjFormatFinishBuffer(obj->builder, &len, &pb->cap);
	ObjFormatBuilderFree(obj->builder);
	obj->builder = NULL;
	ok = ObjStoreWriterFinish(obj->writer, pb->buf, len, pb, &oerr);
	obj->writer = NULL;
	if (ok)
	{
		MetricsInc(METRIC_UPLOAD_OBJECTS, 1);
		MetricsInc(METRIC_UPLOAD_BYTES, obj->len);
		MetricsObserve(METRIC_UPLOAD_DURATION, MetricsNowUs() - obj->start_us);
	}
	else
	{
		MetricsInc(METRIC_UPLOAD_ERRORS, 1);
		snprintf(err, errlen, "upload of %s failed: %s", obj->key, oerr.message);
		store_checked = false;
	}
	return ok;
}

/*
 * Free what obj holds.  An object not finished is abandoned: its writer
 * aborted (nothing appears under its key), its catalog entry left
 * 'prepared', to be deleted as an orphan.
 */
static void
object_free(UploadObject *obj)
{
	if (obj->writer)
	{
		MetricsInc(METRIC_UPLOAD_ERRORS, 1);
		ObjStoreWriterAbort(obj->writer);
	}
	if (obj->builder)
		ObjFormatBuilderFree(obj->builder);
	if (obj->ranges)
		pfree(obj->ranges);
	obj->writer = NULL;
	obj->builder = NULL;
	obj->ranges = NULL;
}

static void
free_objects(UploadObject *objs, int nobjs)
{
	for (int i = 0; i < nobjs; i++)
		object_free(&objs[i]);
	pfree(objs);
}

/*
 * One upload in the making: the records taken (step 1), kept (2), the
 * objects built from them (3) and committed (4).  upload_once runs the
 * steps in turn and frees it all in one place, whatever step failed.
 */
typedef struct Upload
{
	int			ntake;			/* pending[0 .. ntake-1] are taken */
	uint64		take_bytes;
	WalLsn		trim_to;		/* the end of the last record taken */
	LogCacheRecord **recs;		/* taken, by (stream, LSN); then those kept */
	int			nrecs;
	uint64	   *sids;			/* the distinct streams taken, in order */
	int			nsids;
	CatalogStreamState *states; /* the catalog's view of sids */
	CatalogStreamEpoch *epochs; /* the streams kept, with our epochs */
	int			nepochs;
	UploadObject *objs;
	int			nobjs;
	Pacer		pacer;
	char	   *scratch;		/* a record body that wraps the ring */
	size_t		scratchlen;
	char		err[700];
} Upload;

/* Step 1: take the oldest pending records, up to the threshold. */
static void
upload_take(Upload *u)
{
	uint64		threshold = effective_threshold();

	while (u->ntake < npending && (u->ntake == 0 || u->take_bytes < threshold))
	{
		u->take_bytes += pending[u->ntake].rec.end_lsn - pending[u->ntake].rec.lsn;
		u->ntake++;
	}
	u->trim_to = pending[u->ntake - 1].rec.end_lsn;

	/*
	 * The pace: upload_pacing percent of the rate data came into the WAL
	 * since the last upload started (or since we started).  Not from when
	 * we noticed the records: we notice them when we wake, all at once.
	 * An upload that leaves records pending is behind (a backlog after an
	 * outage, say, or producers faster than the threshold): it is not
	 * paced.  Nor is this upload's own size ever spread over more than the
	 * span: when little or nothing came in since the last start (the
	 * producers stopped), its records arrived earlier, and pacing them at
	 * the recent rate would crawl.
	 */
	{
		int64		now = MonotonicMs();
		WalLsn		flushed = WalFlushedLsn();
		int64		span = Max(now - rate_since_ms, (int64) 100);
		uint64		arrived = Max(flushed - rate_since_lsn, u->take_bytes);

		u->pacer.on = upload_pacing > 0 && u->ntake == npending;
		u->pacer.start_ms = now;
		u->pacer.rate = arrived * 1000 / (uint64) span * (uint64) upload_pacing / 100;
		rate_since_ms = now;
		rate_since_lsn = flushed;
	}
	u->recs = palloc(sizeof(LogCacheRecord *) * (size_t) u->ntake);
	for (int i = 0; i < u->ntake; i++)
		u->recs[i] = &pending[i].rec;
	qsort(u->recs, (size_t) u->ntake, sizeof(LogCacheRecord *), cmp_stream_lsn);
	u->sids = palloc(sizeof(uint64) * (size_t) u->ntake);
	for (int i = 0; i < u->ntake; i++)
		if (u->nsids == 0 || u->sids[u->nsids - 1] != u->recs[i]->stream_id)
			u->sids[u->nsids++] = u->recs[i]->stream_id;
}

/*
 * Step 2: keep what must be uploaded (ours, live, not yet in objects),
 * by what the catalog says of each stream.  false with u->err when the
 * upload must wait.
 */
static bool
upload_select(Upload *u)
{
	int			s = 0;
	int64		mine;
	uint64		warned = 0;
	int			ntaken = u->ntake;

	u->states = palloc(sizeof(CatalogStreamState) * (size_t) u->nsids);
	u->epochs = palloc(sizeof(CatalogStreamEpoch) * (size_t) u->nsids);
	if (!CatalogGetStreamStates(catalog_conn, u->sids, u->nsids, u->states, u->err, sizeof(u->err)))
		return false;
	mine = registry_stream_epoch(u->sids[0]);
	for (int i = 0; i < ntaken; i++)
	{
		LogCacheRecord *r = u->recs[i];
		const CatalogStreamState *st;

		if (u->sids[s] != r->stream_id)
		{
			while (u->sids[s] != r->stream_id)
				s++;
			mine = registry_stream_epoch(u->sids[s]);
		}
		st = &u->states[s];
		if (st->object_end_offset < 0 || !st->opened || st->leader < 0)
			continue;			/* the topic was deleted */
		if (r->base_offset + (int64) r->record_count <= st->object_end_offset)
			continue;			/* uploaded before a crash, trim was lost */
		if (r->base_offset < st->object_end_offset)
		{
			if (warned != r->stream_id)
				elog(WARNING, "uploader: stream %llu batch at offset %lld overlaps what objects hold (up to %lld); skipped",
					 (unsigned long long) r->stream_id, (long long) r->base_offset,
					 (long long) st->object_end_offset);
			warned = r->stream_id;
			continue;
		}
		if (st->leader != (int32) broker_id)
		{
			/*
			 * Another broker leads the partition now: its data from here
			 * on is that broker's to serve, and a commit of ours would be
			 * refused anyway.
			 */
			if (warned != r->stream_id)
				elog(WARNING, "uploader: stream %llu is now led by broker %d; its WAL data here is not uploaded",
					 (unsigned long long) r->stream_id, (int) st->leader);
			warned = r->stream_id;
			continue;
		}
		if (mine != st->epoch)
		{
			/*
			 * Ours, but the registry has not caught up with the catalog
			 * yet (a partition being opened or created): try again in a
			 * moment rather than guess.
			 */
			snprintf(u->err, sizeof(u->err), "stream %llu has epoch %lld in the catalog and %lld here; waiting for the registry",
					 (unsigned long long) r->stream_id, (long long) st->epoch, (long long) mine);
			return false;
		}
		if (u->nepochs == 0 || u->epochs[u->nepochs - 1].stream_id != r->stream_id)
		{
			u->epochs[u->nepochs].stream_id = r->stream_id;
			u->epochs[u->nepochs].epoch = mine;
			u->nepochs++;
		}
		u->recs[u->nrecs++] = r;
	}
	return true;
}

/* Add recs[from .. to-1] to obj; false with u->err. */
static bool
upload_add_records(Upload *u, UploadObject *obj, int from, int to)
{
	for (int k = from; k < to; k++)
		if (!object_add(obj, u->recs[k], &u->pacer, &u->scratch, &u->scratchlen,
						u->err, sizeof(u->err)))
			return false;
	return true;
}

/*
 * Step 3: build the objects and write them out as they are built, a
 * stream object for each stream with at least stream_split_size bytes,
 * one stream-set object for the rest (built alongside).  Each object is
 * prepared in the catalog first, and is complete and durable in the store
 * when this returns true; false with u->err.
 */
static bool
upload_build(Upload *u)
{
	UploadObject *sso = NULL;
	LogCacheRecord **sso_recs = palloc(sizeof(LogCacheRecord *) * (size_t) Max(u->nrecs, 1));
	int			nsso = 0;
	int			i = 0;
	bool		ok = true;

	u->objs = palloc0(sizeof(UploadObject) * (size_t) (u->nepochs + 1));
	while (ok && i < u->nrecs)
	{
		int			j = i;
		uint64		bytes = 0;

		while (j < u->nrecs && u->recs[j]->stream_id == u->recs[i]->stream_id)
			bytes += u->recs[j]->len1 + u->recs[j]->len2, j++;
		if (bytes >= (uint64) stream_split_size)
		{
			UploadObject *so = &u->objs[u->nobjs++];

			ok = object_begin(so, OBJFORMAT_SO, u->err, sizeof(u->err)) &&
				upload_add_records(u, so, i, j) &&
				object_finish(so, u->recs + i, j - i, u->err, sizeof(u->err));
		}
		else
		{
			if (sso == NULL)
			{
				sso = &u->objs[u->nobjs++];
				ok = object_begin(sso, OBJFORMAT_SSO, u->err, sizeof(u->err));
			}
			ok = ok && upload_add_records(u, sso, i, j);
			for (int k = i; k < j; k++)
				sso_recs[nsso++] = u->recs[k];
		}
		i = j;
	}
	if (ok && sso != NULL)
		ok = object_finish(sso, sso_recs, nsso, u->err, sizeof(u->err));
	pfree(sso_recs);
	return ok;
}

/*
 * After a commit whose answer was lost with the connection: did it make
 * it?  Asks a new connection about the first object.
 */
static CatalogCommitResult
upload_commit_outcome(const Upload *u)
{
	char		state[16];
	char		e2[512];

	PQfinish(catalog_conn);
	catalog_conn = CatalogConnect(e2, sizeof(e2));
	if (catalog_conn != NULL &&
		CatalogGetObjectState(catalog_conn, u->objs[0].object_id, state, sizeof(state), e2, sizeof(e2)) &&
		strcmp(state, "committed") == 0)
		return CATALOG_COMMIT_OK;
	return CATALOG_COMMIT_ERROR;
}

/*
 * Step 4: commit the objects, complete in the store, in one catalog
 * transaction that checks every stream's epoch.  false with u->err.
 */
static bool
upload_commit(Upload *u)
{
	uint64	   *fenced = NULL;
	int			nfenced = 0;
	CatalogObject *cobjs;
	CatalogCommitResult res;

	if (u->nobjs == 0)
		return true;
	cobjs = palloc(sizeof(CatalogObject) * (size_t) u->nobjs);
	for (int i = 0; i < u->nobjs; i++)
	{
		cobjs[i].object_id = u->objs[i].object_id;
		cobjs[i].size = u->objs[i].len;
		cobjs[i].compactions = 0;
		cobjs[i].ranges = u->objs[i].ranges;
		cobjs[i].nranges = u->objs[i].nranges;
	}
	res = CatalogCommitObjects(catalog_conn, cobjs, u->nobjs, u->epochs, u->nepochs, true,
							   NULL, 0, &fenced, &nfenced, u->err, sizeof(u->err));
	pfree(cobjs);
	if (res == CATALOG_COMMIT_ERROR && PQstatus(catalog_conn) != CONNECTION_OK)
		res = upload_commit_outcome(u);
	if (res == CATALOG_COMMIT_FENCED)
	{
		/* Streams opened elsewhere between our check and the commit. */
		snprintf(u->err, sizeof(u->err), "commit refused: %d stream(s) were opened by another broker (first: %llu); retrying without them",
				 nfenced, (unsigned long long) fenced[0]);
		pfree(fenced);
		return false;
	}
	if (res != CATALOG_COMMIT_OK)
		return false;
	elog(DEBUG1, "uploader: %d object(s), %llu WAL bytes, trim to %llu",
		 u->nobjs, (unsigned long long) u->take_bytes, (unsigned long long) u->trim_to);
	return true;
}

/* Step 5: the records taken are in objects (or need not be): trim. */
static void
upload_trim(const Upload *u)
{
	WalTrim(u->trim_to);
	memmove(pending, pending + u->ntake, sizeof(PendingRecord) * (size_t) (npending - u->ntake));
	npending -= u->ntake;
	pending_bytes -= u->take_bytes;
	(void) CatalogBackoffSucceeded(&retry);
	last_upload_wall_ms = WallClockMs();
	if (last_error[0])
	{
		elog(LOG, "uploader: uploads succeed again");
		last_error[0] = '\0';
	}
}

static void
upload_free(Upload *u)
{
	if (u->objs)
		free_objects(u->objs, u->nobjs);
	if (u->scratch)
		pfree(u->scratch);
	if (u->recs)
		pfree(u->recs);
	if (u->sids)
		pfree(u->sids);
	if (u->states)
		pfree(u->states);
	if (u->epochs)
		pfree(u->epochs);
}

/*
 * One upload of the oldest pending records, the steps of the file's
 * header comment.  Returns true if it went through (or there was nothing
 * to upload but a trim), false on a failure already logged and scheduled
 * for retry.
 */
static bool
upload_once(void)
{
	Upload		u;
	bool		ok;

	memset(&u, 0, sizeof(u));
	upload_take(&u);
	ok = upload_select(&u) && upload_build(&u) && upload_commit(&u);
	if (ok)
		upload_trim(&u);
	else
		note_failure(u.err);
	upload_free(&u);
	return ok;
}

/* ---------- hand-offs (doc/cluster.md) ---------- */

#define MAX_HANDOFFS	4096

typedef struct HandoffCommit
{
	PartitionHandoff *h;
	int			n;
	bool	   *handed;
	int32	   *leader_epochs;
} HandoffCommit;

/* In the commit's transaction: the targets lead the partitions from now on. */
static bool
handoff_commit_hook(PGconn *conn, void *arg, char *err, size_t errlen)
{
	HandoffCommit *hc = arg;

	for (int i = 0; i < hc->n; i++)
		if (!CatalogHandoffInTxn(conn, (int32) broker_id, hc->h[i].stream_id, hc->h[i].next_offset,
								 &hc->handed[i], &hc->leader_epochs[i], err, errlen))
			return false;
	return true;
}

static int
cmp_handoff_stream(const void *a, const void *b)
{
	uint64		x = ((const PartitionHandoff *) a)->stream_id;
	uint64		y = ((const PartitionHandoff *) b)->stream_id;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static PartitionHandoff *
find_handoff(PartitionHandoff *h, int n, uint64 stream_id)
{
	PartitionHandoff key = {.stream_id = stream_id};

	return bsearch(&key, h, (size_t) n, sizeof(PartitionHandoff), cmp_handoff_stream);
}

/*
 * Forget pending records of streams we no longer lead, and trim the WAL
 * up to the oldest record still pending: what lies before it is in
 * objects.
 */
static void
drop_handed_records(PartitionHandoff *h, int n, const bool *handed)
{
	int			w = 0;

	for (int i = 0; i < npending; i++)
	{
		PartitionHandoff *f = find_handoff(h, n, pending[i].rec.stream_id);

		if (f != NULL && handed[f - h])
		{
			pending_bytes -= pending[i].rec.end_lsn - pending[i].rec.lsn;
			continue;
		}
		pending[w++] = pending[i];
	}
	npending = w;
	{
		WalLsn		upto = npending > 0 ? pending[0].rec.lsn : scan_pos;

		if (upto > WalTrimLsn())
			WalTrim(upto);
	}
}

/*
 * Complete the hand-offs the catalog worker froze partitions for: once
 * every append made before the freeze is durable, upload the streams'
 * tails (what objects do not hold yet) as one object and commit it, the
 * producer snapshots and the new leaders in one transaction.  Returns
 * false on a failure (logged, retried); *wait_ms says when to look again
 * while appends are still being flushed.
 */
static bool
handoff_step(long *wait_ms)
{
	PartitionHandoff *h = palloc(sizeof(PartitionHandoff) * MAX_HANDOFFS);
	int			n = PartitionCollectHandoffs(h, MAX_HANDOFFS);
	WalLsn		need = 0;
	uint64	   *sids = NULL;
	CatalogStreamState *states = NULL;
	LogCacheRecord **recs = NULL;
	int			nrecs = 0;
	CatalogStreamEpoch *epochs = NULL;
	UploadObject *objs = NULL;
	int			nobjs = 0;
	HandoffCommit hc = {0};
	char		err[700];
	char	   *scratch = NULL;
	size_t		scratchlen = 0;
	bool		ok = false;
	int64		start_ms = MonotonicMs();

	if (n == 0)
	{
		pfree(h);
		return true;
	}
	for (int i = 0; i < n; i++)
		need = Max(need, h[i].handoff_lsn);
	if (WalFlushedLsn() < need)
	{
		/* Appends made before the freeze are still being written. */
		WalRequestUploadWakeup(need);
		WalKickWriter();
		*wait_ms = Min(*wait_ms, 5);
		pfree(h);
		return true;
	}
	scan_wal();
	qsort(h, (size_t) n, sizeof(PartitionHandoff), cmp_handoff_stream);

	sids = palloc(sizeof(uint64) * (size_t) n);
	states = palloc(sizeof(CatalogStreamState) * (size_t) n);
	for (int i = 0; i < n; i++)
		sids[i] = h[i].stream_id;
	if (!CatalogGetStreamStates(catalog_conn, sids, n, states, err, sizeof(err)))
	{
		note_failure(err);
		goto done;
	}

	/* The tails: every pending record of these streams beyond the objects. */
	recs = palloc(sizeof(LogCacheRecord *) * (size_t) Max(npending, 1));
	for (int i = 0; i < npending; i++)
	{
		PartitionHandoff *f = find_handoff(h, n, pending[i].rec.stream_id);

		if (f != NULL &&
			pending[i].rec.base_offset + (int64) pending[i].rec.record_count > states[f - h].object_end_offset)
			recs[nrecs++] = &pending[i].rec;
	}
	qsort(recs, (size_t) nrecs, sizeof(LogCacheRecord *), cmp_stream_lsn);

	/* Nothing may be missing: the tail must reach the partition's end. */
	for (int i = 0, k = 0; i < n; i++)
	{
		int64		end = states[i].object_end_offset;

		while (k < nrecs && recs[k]->stream_id == h[i].stream_id)
		{
			end = recs[k]->base_offset + (int64) recs[k]->record_count;
			k++;
		}
		if (end < h[i].next_offset)
		{
			snprintf(err, sizeof(err), "hand-off of stream %llu: the WAL holds it up to offset %lld only, not %lld; retrying",
					 (unsigned long long) h[i].stream_id, (long long) end, (long long) h[i].next_offset);
			note_failure(err);
			goto done;
		}
	}

	if (nrecs > 0)
	{
		ObjFormatKind kind = recs[0]->stream_id == recs[nrecs - 1]->stream_id ? OBJFORMAT_SO : OBJFORMAT_SSO;
		bool		built;

		/* A hand-off is waited for: no pacing. */
		objs = palloc0(sizeof(UploadObject));
		nobjs = 1;
		built = object_begin(&objs[0], kind, err, sizeof(err));
		for (int k = 0; built && k < nrecs; k++)
			built = object_add(&objs[0], recs[k], NULL, &scratch, &scratchlen, err, sizeof(err));
		if (!built || !object_finish(&objs[0], recs, nrecs, err, sizeof(err)))
		{
			note_failure(err);
			goto done;
		}
	}

	epochs = palloc(sizeof(CatalogStreamEpoch) * (size_t) n);
	for (int i = 0; i < n; i++)
	{
		epochs[i].stream_id = h[i].stream_id;
		epochs[i].epoch = h[i].stream_epoch;
	}
	hc.h = h;
	hc.n = n;
	hc.handed = palloc0(sizeof(bool) * (size_t) n);
	hc.leader_epochs = palloc0(sizeof(int32) * (size_t) n);
	{
		CatalogObject cobj = {0};
		uint64	   *fenced;
		int			nfenced;
		CatalogCommitResult res;

		if (nobjs > 0)
		{
			cobj.object_id = objs[0].object_id;
			cobj.size = objs[0].len;
			cobj.ranges = objs[0].ranges;
			cobj.nranges = objs[0].nranges;
		}
		res = CatalogCommitObjectsExt(catalog_conn, &cobj, nobjs, epochs, n, true, NULL, 0,
									  true, handoff_commit_hook, &hc, &fenced, &nfenced,
									  err, sizeof(err));
		if (res == CATALOG_COMMIT_FENCED)
		{
			snprintf(err, sizeof(err), "hand-off refused: stream %llu was opened by another broker",
					 (unsigned long long) fenced[0]);
			pfree(fenced);
		}
		if (res != CATALOG_COMMIT_OK)
		{
			note_failure(err);
			goto done;
		}
	}

	for (int i = 0; i < n; i++)
	{
		if (!hc.handed[i])
			continue;			/* the move was cancelled: the catalog worker thaws it */
		PartitionHandedOff(h[i].idx, h[i].target, hc.leader_epochs[i]);
		elog(LOG, "handed stream %llu off to broker %d at offset %lld (leader epoch %d) in %lld ms",
			 (unsigned long long) h[i].stream_id, h[i].target, (long long) h[i].next_offset,
			 hc.leader_epochs[i], (long long) (MonotonicMs() - start_ms));
	}
	drop_handed_records(h, n, hc.handed);
	ok = true;

done:
	if (objs)
		free_objects(objs, nobjs);
	if (scratch)
		pfree(scratch);
	if (recs)
		pfree(recs);
	if (sids)
		pfree(sids);
	if (states)
		pfree(states);
	if (epochs)
		pfree(epochs);
	if (hc.handed)
		pfree(hc.handed);
	if (hc.leader_epochs)
		pfree(hc.leader_epochs);
	pfree(h);
	return ok;
}

/* ---------- recovering a fenced broker's WAL (doc/cluster.md, "Failover") ---------- */

#define RECOVERY_MAX_PRODUCERS	1024	/* producers kept per stream, as a snapshot can hold */

/* A stream of the dead broker, as its recovery sees it. */
typedef struct RecStream
{
	uint64		stream_id;
	int64		epoch;			/* the dead broker's: records of other epochs are not ours */
	int64		end;			/* next offset: objects, then what the scan added */
	ProducerSnapshotEntry *producers;
	int			nproducers;
	int64		snapshot_end;	/* the snapshot covers offsets below this */
	bool		touched;		/* the scan added batches */
} RecStream;

/* A record copied out of the dead WAL into the current chunk. */
typedef struct RecRecord
{
	LogCacheRecord rec;			/* body1 points into the chunk */
	size_t		off;
} RecRecord;

typedef struct RecoveryScan
{
	RecStream  *streams;
	int			nstreams;
	char	   *chunk;
	size_t		chunk_len;
	size_t		chunk_cap;
	RecRecord  *recs;
	int			nrecs;
	int			maxrecs;
	UploadObject *objs;
	int			nobjs;
	int			maxobjs;
	int64		records;
	int64		bytes;
	WalLsn		end_lsn;		/* after the last valid record seen */
	bool		failed;
	char		err[700];
} RecoveryScan;

static int
cmp_recstream(const void *a, const void *b)
{
	uint64		x = ((const RecStream *) a)->stream_id;
	uint64		y = ((const RecStream *) b)->stream_id;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static int
cmp_recrecord(const void *a, const void *b)
{
	const LogCacheRecord *x = &((const RecRecord *) a)->rec;
	const LogCacheRecord *y = &((const RecRecord *) b)->rec;

	if (x->stream_id != y->stream_id)
		return x->stream_id < y->stream_id ? -1 : 1;
	return x->lsn < y->lsn ? -1 : (x->lsn > y->lsn ? 1 : 0);
}

/* Turn the chunk into one stream-set object, put it, and start a new chunk. */
static bool
recovery_flush_chunk(RecoveryScan *rs)
{
	LogCacheRecord **recs;
	UploadObject *obj;
	bool		ok;

	if (rs->nrecs == 0)
		return true;
	qsort(rs->recs, (size_t) rs->nrecs, sizeof(RecRecord), cmp_recrecord);
	recs = palloc(sizeof(LogCacheRecord *) * (size_t) rs->nrecs);
	for (int i = 0; i < rs->nrecs; i++)
	{
		rs->recs[i].rec.body1 = rs->chunk + rs->recs[i].off;
		recs[i] = &rs->recs[i].rec;
	}
	if (rs->nobjs == rs->maxobjs)
	{
		rs->maxobjs = Max(8, rs->maxobjs * 2);
		rs->objs = rs->objs ? repalloc(rs->objs, sizeof(UploadObject) * (size_t) rs->maxobjs)
			: palloc(sizeof(UploadObject) * (size_t) rs->maxobjs);
	}
	obj = &rs->objs[rs->nobjs++];
	ok = object_begin(obj, OBJFORMAT_SSO, rs->err, sizeof(rs->err));
	for (int i = 0; ok && i < rs->nrecs; i++)
		ok = object_add(obj, recs[i], NULL, NULL, NULL, rs->err, sizeof(rs->err));
	ok = ok && object_finish(obj, recs, rs->nrecs, rs->err, sizeof(rs->err));
	pfree(recs);
	if (!ok)
		return false;
	rs->nrecs = 0;
	rs->chunk_len = 0;
	return true;
}

/* WalScanDevice callback: keep the dead broker's records not yet in objects. */
static bool
recovery_scan_record(const WalRecordHeader *hdr, const char *body, void *arg)
{
	RecoveryScan *rs = arg;
	RecStream	key = {.stream_id = hdr->stream_id};
	RecStream  *s = bsearch(&key, rs->streams, (size_t) rs->nstreams, sizeof(RecStream), cmp_recstream);
	RecRecord  *r;

	rs->end_lsn = hdr->lsn + WalRecordSize(hdr->body_len);
	if (s == NULL || (int64) hdr->stream_epoch != s->epoch ||
		hdr->base_offset + (int64) hdr->record_count <= s->end)
		return true;			/* another broker's stream now, or in objects already */
	if (hdr->base_offset != s->end)
	{
		snprintf(rs->err, sizeof(rs->err),
				 "stream %llu: the WAL continues at offset %lld but the stream ends at %lld; nothing committed",
				 (unsigned long long) hdr->stream_id, (long long) hdr->base_offset, (long long) s->end);
		rs->failed = true;
		return false;
	}
	if (rs->chunk_len + hdr->body_len > rs->chunk_cap)
	{
		rs->chunk_cap = Max(rs->chunk_cap * 2, rs->chunk_len + hdr->body_len);
		rs->chunk = rs->chunk ? repalloc(rs->chunk, rs->chunk_cap) : palloc(rs->chunk_cap);
	}
	if (rs->nrecs == rs->maxrecs)
	{
		rs->maxrecs = Max(1024, rs->maxrecs * 2);
		rs->recs = rs->recs ? repalloc(rs->recs, sizeof(RecRecord) * (size_t) rs->maxrecs)
			: palloc(sizeof(RecRecord) * (size_t) rs->maxrecs);
	}
	r = &rs->recs[rs->nrecs++];
	memset(r, 0, sizeof(*r));
	r->rec.lsn = hdr->lsn;
	r->rec.stream_id = hdr->stream_id;
	r->rec.stream_epoch = hdr->stream_epoch;
	r->rec.base_offset = hdr->base_offset;
	r->rec.record_count = hdr->record_count;
	r->rec.max_timestamp = hdr->max_timestamp;
	r->rec.len1 = hdr->body_len;
	r->off = rs->chunk_len;
	memcpy(rs->chunk + rs->chunk_len, body, hdr->body_len);
	rs->chunk_len += hdr->body_len;
	if (hdr->base_offset >= s->snapshot_end)
		ProducerSnapshotApplyBatch(s->producers, &s->nproducers, RECOVERY_MAX_PRODUCERS,
								   (const uint8 *) body, hdr->base_offset);
	s->end = hdr->base_offset + (int64) hdr->record_count;
	s->touched = true;
	rs->records++;
	rs->bytes += hdr->body_len;
	if (rs->chunk_len >= effective_threshold() && !recovery_flush_chunk(rs))
	{
		rs->failed = true;
		return false;
	}
	return true;
}

typedef struct RecoveryCommit
{
	const CatalogRecovery *rec;
	RecoveryScan *rs;
	bool		still_pending;
} RecoveryCommit;

/* In the commit's transaction: the producer state, then the dead broker's partitions go. */
static bool
recovery_commit_hook(PGconn *conn, void *arg, char *err, size_t errlen)
{
	RecoveryCommit *rc = arg;
	RecoveryScan *rs = rc->rs;

	for (int i = 0; i < rs->nstreams; i++)
	{
		RecStream  *s = &rs->streams[i];
		size_t		len;
		uint8	   *buf;
		bool		ok;

		if (!s->touched)
			continue;
		len = ProducerSnapshotEncode(s->producers, s->nproducers, NULL, 0);
		buf = palloc(len);
		ProducerSnapshotEncode(s->producers, s->nproducers, buf, len);
		ok = CatalogSaveProducerSnapshot(conn, s->stream_id, s->end, buf, len, s->nproducers, err, errlen);
		pfree(buf);
		if (!ok)
			return false;
	}
	if (!CatalogRecoveryFinishInTxn(conn, rc->rec, rs->records, rs->bytes, &rc->still_pending, err, errlen))
		return false;
	if (!rc->still_pending)
	{
		snprintf(err, errlen, "the recovery of broker %d's WAL is no longer pending (it restarted, or another broker took it)",
				 rc->rec->broker_id);
		return false;
	}
	return true;
}

/*
 * Recover a fenced broker's WAL: scan it from its trim position, upload
 * every record of the streams it still leads (at the epoch it opened them
 * with) that objects do not hold, and commit those objects, the streams'
 * producer snapshots and the hand-over of its partitions and coordinator
 * slots to live brokers in one transaction.  Then mark the device so that
 * the broker, restarted, does not replay what was recovered.
 */
static bool
recover_one(const CatalogRecovery *rec)
{
	RecoveryScan rs;
	CatalogDeadStream *ds = NULL;
	int			nds = 0;
	CatalogProducerSnapshot *snaps = NULL;
	int			nsnaps = 0;
	WalDeviceHeader dev;
	RecoveryCommit rc = {.rec = rec, .rs = &rs};
	CatalogStreamEpoch *epochs = NULL;
	CatalogObject *cobjs = NULL;
	uint64	   *sids = NULL;
	int64		start_ms = MonotonicMs();
	bool		ok = false;

	memset(&rs, 0, sizeof(rs));
	elog(LOG, "recovering the WAL of fenced broker %d (epoch %lld) from \"%s\"",
		 rec->broker_id, (long long) rec->broker_epoch, rec->wal_device);
	if (!CatalogDeadBrokerStreams(catalog_conn, rec->broker_id, &ds, &nds, rs.err, sizeof(rs.err)))
		goto done;
	rs.nstreams = nds;
	rs.streams = palloc0(sizeof(RecStream) * (size_t) Max(nds, 1));
	sids = palloc(sizeof(uint64) * (size_t) Max(nds, 1));
	for (int i = 0; i < nds; i++)
	{
		rs.streams[i].stream_id = ds[i].stream_id;
		rs.streams[i].epoch = ds[i].epoch;
		rs.streams[i].end = ds[i].object_end_offset;
		sids[i] = ds[i].stream_id;
	}
	qsort(rs.streams, (size_t) rs.nstreams, sizeof(RecStream), cmp_recstream);

	/* The producers' state as last saved, to be carried forward by the scan. */
	if ((nsnaps = CatalogLoadProducerSnapshots(catalog_conn, sids, nds, &snaps, rs.err, sizeof(rs.err))) < 0)
	{
		nsnaps = 0;
		goto done;
	}
	for (int i = 0; i < rs.nstreams; i++)
		rs.streams[i].producers = palloc(sizeof(ProducerSnapshotEntry) * RECOVERY_MAX_PRODUCERS);
	for (int j = 0; j < nsnaps; j++)
	{
		RecStream	key = {.stream_id = snaps[j].stream_id};
		RecStream  *s = bsearch(&key, rs.streams, (size_t) rs.nstreams, sizeof(RecStream), cmp_recstream);

		if (s == NULL)
			continue;
		s->snapshot_end = snaps[j].end_offset;
		if (snaps[j].data == NULL)
		{
			snprintf(rs.err, sizeof(rs.err), "the producer snapshot of stream %llu is not valid bytea",
					 (unsigned long long) snaps[j].stream_id);
			goto done;
		}
		if (!ProducerSnapshotDecode(snaps[j].data, snaps[j].len, s->producers, RECOVERY_MAX_PRODUCERS,
									&s->nproducers, rs.err, sizeof(rs.err)))
			goto done;
	}

	if (!WalScanDevice(rec->wal_device, &dev, recovery_scan_record, &rs, rs.err, sizeof(rs.err)) ||
		rs.failed || !recovery_flush_chunk(&rs))
		goto done;
	if (dev.node_id != (uint64) rec->broker_id)
	{
		snprintf(rs.err, sizeof(rs.err), "WAL device \"%.500s\" belongs to broker %llu, not %d",
				 rec->wal_device, (unsigned long long) dev.node_id, rec->broker_id);
		goto done;
	}

	epochs = palloc(sizeof(CatalogStreamEpoch) * (size_t) Max(rs.nstreams, 1));
	for (int i = 0; i < rs.nstreams; i++)
	{
		epochs[i].stream_id = rs.streams[i].stream_id;
		epochs[i].epoch = rs.streams[i].epoch;
	}
	cobjs = palloc0(sizeof(CatalogObject) * (size_t) Max(rs.nobjs, 1));
	for (int i = 0; i < rs.nobjs; i++)
	{
		cobjs[i].object_id = rs.objs[i].object_id;
		cobjs[i].size = rs.objs[i].len;
		cobjs[i].ranges = rs.objs[i].ranges;
		cobjs[i].nranges = rs.objs[i].nranges;
	}
	{
		uint64	   *fenced;
		int			nfenced;
		CatalogCommitResult res = CatalogCommitObjectsExt(catalog_conn, cobjs, rs.nobjs,
														  epochs, rs.nstreams, true, NULL, 0,
														  false, recovery_commit_hook, &rc,
														  &fenced, &nfenced,
														  rs.err, sizeof(rs.err));

		if (res == CATALOG_COMMIT_FENCED)
		{
			snprintf(rs.err, sizeof(rs.err), "stream %llu of broker %d was opened elsewhere meanwhile; nothing committed",
					 (unsigned long long) fenced[0], rec->broker_id);
			pfree(fenced);
		}
		if (res != CATALOG_COMMIT_OK)
			goto done;
	}
	elog(LOG, "recovered the WAL of fenced broker %d in %lld ms: %lld record batches, %lld bytes in %d object(s); its partitions are led by live brokers now",
		 rec->broker_id, (long long) (MonotonicMs() - start_ms), (long long) rs.records,
		 (long long) rs.bytes, rs.nobjs);
	ok = true;

	/* Best effort: the catalog's epochs fence the records anyway. */
	if (!WalMarkRecovered(rec->wal_device, (uint64) rec->broker_id, rs.end_lsn,
						  (uint64) rec->broker_epoch, rs.err, sizeof(rs.err)))
		elog(WARNING, "recovered broker %d's WAL, but could not mark it so: %s", rec->broker_id, rs.err);

done:
	if (!ok)
	{
		char		msg[800];

		snprintf(msg, sizeof(msg), "recovery of broker %d's WAL failed: %s", rec->broker_id, rs.err);
		note_failure(msg);
		if (catalog_conn != NULL && PQstatus(catalog_conn) == CONNECTION_OK)
			CatalogRecoveryNoteError(catalog_conn, rec, rs.err);
	}
	for (int i = 0; i < rs.nobjs; i++)
		object_free(&rs.objs[i]);
	for (int i = 0; i < rs.nstreams; i++)
		if (rs.streams[i].producers)
			pfree(rs.streams[i].producers);
	if (snaps)
		CatalogFreeProducerSnapshots(snaps, nsnaps);
	if (rs.objs)
		pfree(rs.objs);
	if (rs.streams)
		pfree(rs.streams);
	if (rs.chunk)
		pfree(rs.chunk);
	if (rs.recs)
		pfree(rs.recs);
	if (ds)
		pfree(ds);
	if (sids)
		pfree(sids);
	if (epochs)
		pfree(epochs);
	if (cobjs)
		pfree(cobjs);
	return ok;
}

/* The recoveries the controller assigned to this broker, one at a time. */
static void
recovery_step(void)
{
	CatalogRecovery *recs;
	int			n;
	char		err[700];

	if (!ClusterTakeRecoveryWork())
		return;
	if (!CatalogRecoveriesFor(catalog_conn, (int32) broker_id, &recs, &n, err, sizeof(err)))
	{
		ClusterNoteRecoveryWork();	/* look again after the retry delay */
		note_failure(err);
		return;
	}
	for (int i = 0; i < n; i++)
		if (!recover_one(&recs[i]))
		{
			ClusterNoteRecoveryWork();
			break;
		}
	pfree(recs);
}

/* Tell the catalog how far behind we are (strata.upload_lag). */
static void
report_status(void)
{
	CatalogUploadStatus st;
	char		err[512];

	st.pending_bytes = pending_bytes;
	st.wal_trim_lsn = WalTrimLsn();
	st.wal_flushed_lsn = WalFlushedLsn();
	st.last_upload_ms = last_upload_wall_ms;
	st.last_error = last_error[0] ? last_error : NULL;
	if (!CatalogReportUploadStatus(catalog_conn, &st, err, sizeof(err)))
		set_last_error(err);
}

/*
 * Maintenance of object storage, one bounded step (compaction.h):
 * compaction, retention, unreferenced and orphaned objects.  Returns true
 * if it did something (so there may be more to do at once).
 */
static bool
maintenance_step(void)
{
	char		err[700];
	bool		did_work = false;

	if (!ObjMaintenanceStep(catalog_conn, store, &did_work, err, sizeof(err)))
	{
		char		msg[768];

		snprintf(msg, sizeof(msg), "object maintenance failed: %s", err);
		set_last_error(msg);
		return false;
	}
	return did_work;
}

void
UploaderMain(void)
{
	int64		last_maintenance_ms = 0;

	elog(DEBUG1, "uploader started");
	WalWaitReady();
	scan_pos = WalTrimLsn();
	rate_since_lsn = WalFlushedLsn();
	rate_since_ms = MonotonicMs();

	for (;;)
	{
		long		timeout = 10000;
		int64		now;

		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
			proc_exit(0);

		scan_wal();
		now = MonotonicMs();

		/*
		 * Which streams are ours comes from the partition registry: until
		 * the catalog worker has loaded it (it sets our latch then), we
		 * cannot tell our data from a fenced broker's.
		 */
		if (RegistryIsLoaded() && CatalogBackoffDue(&retry, now) && ensure_connections())
		{
			/*
			 * Hand-offs and recoveries first: the partitions concerned are
			 * unavailable until they commit.
			 */
			if (ProducerStateIsRecovered())
				handoff_step(&timeout);
			recovery_step();
			now = MonotonicMs();
			while (upload_due() && CatalogBackoffDue(&retry, now))
			{
				if (!upload_once())
					break;
				/* A hand-off requested meanwhile goes before the next upload. */
				handoff_step(&timeout);
				scan_wal();
				if (ShutdownRequestPending)
					proc_exit(0);
				now = MonotonicMs();
			}
			now = MonotonicMs();
			if (catalog_conn != NULL && CatalogBackoffDue(&retry, now) && !upload_due() &&
				now - last_maintenance_ms >= 1000)
			{
				if (!maintenance_step())
					last_maintenance_ms = now;
				else
					timeout = 0;	/* more to do: come back at once */
			}
		}
		now = MonotonicMs();
		if (now - last_status_ms >= 5000)
		{
			last_status_ms = now;
			if (npending == 0 && WallClockMs() - last_upload_wall_ms >= UPLOAD_SPARE_IDLE_MS)
				release_spares();
			if (catalog_conn != NULL && PQstatus(catalog_conn) == CONNECTION_OK)
				report_status();
		}

		/*
		 * Sleep until: the WAL writer says the threshold is reached, the
		 * oldest pending record is due, a retry is due, or the next status
		 * report.
		 */
		now = MonotonicMs();
		WalRequestUploadWakeup(npending > 0
							   ? pending[0].rec.lsn + effective_threshold()
							   : scan_pos + effective_threshold());
		if (!CatalogBackoffDue(&retry, now))
			timeout = Min(timeout, retry.retry_at_ms - now);
		else if (npending > 0)
			timeout = Min(timeout, Max(pending[0].noticed_ms + upload_interval - now, 0));
		timeout = Min(timeout, Max(last_status_ms + 5000 - now, 1));
		if (timeout > 0)
			WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout);
	}
}
