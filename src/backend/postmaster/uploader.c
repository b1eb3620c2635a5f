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
 *	    4. prepare each object in the catalog, put them all (in parallel),
 *	       then commit them in one catalog transaction that checks every
 *	       stream's epoch (catalog/catalog_objects.h);
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
#include "catalog/catalog_objects.h"
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

/* One object of an upload being built. */
typedef struct UploadObject
{
	ObjFormatKind kind;
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	char	   *data;
	size_t		len;
	size_t		cap;			/* allocated size of data */
	CatalogRange *ranges;
	int			nranges;
	ObjStoreRequest *req;
} UploadObject;

static PGconn *catalog_conn;
static ObjStore *store;
static bool store_checked;		/* bucket and credentials known to work */

static PendingRecord *pending;
static int	npending;
static int	maxpending;
static uint64 pending_bytes;
static WalLsn scan_pos;

/* When the next attempt may start, after failures (the catalog's backoff). */
static CatalogBackoff retry = CATALOG_BACKOFF_INIT;

static int64 last_status_ms;
static int64 last_upload_wall_ms;
static char last_error[512];

/*
 * Object buffers kept from one upload to the next.  An upload builds its
 * objects in memory (upload_threshold, 64 MB by default): allocated afresh
 * each time, every page of them was faulted in and zeroed again, which
 * cost more CPU than copying the data in.  The largest
 * UPLOAD_SPARE_BUFFERS are kept, and let go after
 * UPLOAD_SPARE_IDLE_MS without an upload.
 */
#define UPLOAD_SPARE_BUFFERS	2
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

/* A builder for a new object, in the largest spare buffer if there is one. */
static ObjFormatBuilder *
builder_create(ObjFormatKind kind)
{
	SpareBuffer *best = NULL;
	ObjFormatBuilder *b;

	for (int i = 0; i < UPLOAD_SPARE_BUFFERS; i++)
		if (spares[i].buf != NULL && (best == NULL || spares[i].cap > best->cap))
			best = &spares[i];
	if (best == NULL)
		return ObjFormatBuilderCreate(kind, 0);
	b = ObjFormatBuilderCreateIn(kind, 0, best->buf, best->cap);
	best->buf = NULL;
	best->cap = 0;
	return b;
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

/* Finish a builder into obj: data, ranges (with timestamps from recs). */
static void
finish_object(ObjFormatBuilder *b, UploadObject *obj, LogCacheRecord **recs, int nrecs)
{
	ObjFormatRange *fr;
	int			n;

	fr = ObjFormatBuilderRanges(b, &n);
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
	obj->data = ObjFormatFinishBuffer(b, &obj->len, &obj->cap);
	ObjFormatBuilderFree(b);
}

static void
free_objects(UploadObject *objs, int nobjs)
{
	for (int i = 0; i < nobjs; i++)
	{
		if (objs[i].req)
			ObjStoreRequestFree(objs[i].req);
		if (objs[i].data)
			keep_buffer(objs[i].data, objs[i].cap);
		if (objs[i].ranges)
			pfree(objs[i].ranges);
	}
	pfree(objs);
}

/* Put every object, in parallel; false (with the first error) if any failed. */
static bool
put_objects(UploadObject *objs, int nobjs, char *err, size_t errlen)
{
	int			left = nobjs;
	bool		ok = true;
	uint64		start_us = MetricsNowUs();

	for (int i = 0; i < nobjs; i++)
		objs[i].req = ObjStoreStartPut(store, objs[i].key, objs[i].data, objs[i].len, &objs[i]);
	while (left > 0)
	{
		ObjStoreRequest *req;

		ObjStoreWait(store, 100);
		while ((req = ObjStoreNextDone(store)) != NULL)
		{
			left--;
			if (req->error.code == OBJSTORE_OK)
			{
				MetricsInc(METRIC_UPLOAD_OBJECTS, 1);
				MetricsInc(METRIC_UPLOAD_BYTES, ((UploadObject *) req->user_data)->len);
				MetricsObserve(METRIC_UPLOAD_DURATION, MetricsNowUs() - start_us);
			}
			else
				MetricsInc(METRIC_UPLOAD_ERRORS, 1);
			if (req->error.code != OBJSTORE_OK && ok)
			{
				snprintf(err, errlen, "upload of %s failed: %s", req->key, req->error.message);
				ok = false;
			}
		}

		/*
		 * Transfers only progress inside ObjStore calls, so we stay here
		 * until they end; the store's own retry limit bounds that.  A
		 * shutdown does not interrupt them: the WAL keeps the data, but
		 * a half-written multipart upload is better finished or failed
		 * cleanly than abandoned.
		 */
		if (!PostmasterIsAlive())
			proc_exit(1);
	}
	return ok;
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

/* Add recs[from .. to-1] to a builder; false with u->err. */
static bool
upload_add_records(Upload *u, ObjFormatBuilder *b, int from, int to)
{
	for (int k = from; k < to; k++)
		if (!builder_add(b, u->recs[k], &u->scratch, &u->scratchlen, u->err, sizeof(u->err)))
			return false;
	return true;
}

/*
 * Step 3: build the objects, a stream object for each stream with at
 * least stream_split_size bytes, one stream-set object for the rest.
 * false with u->err.
 */
static bool
upload_build(Upload *u)
{
	ObjFormatBuilder *sso = NULL;
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
			ObjFormatBuilder *b = builder_create(OBJFORMAT_SO);

			ok = upload_add_records(u, b, i, j);
			if (!ok)
				ObjFormatBuilderFree(b);
			else
			{
				u->objs[u->nobjs].kind = OBJFORMAT_SO;
				finish_object(b, &u->objs[u->nobjs], u->recs + i, j - i);
				u->nobjs++;
			}
		}
		else
		{
			if (sso == NULL)
				sso = builder_create(OBJFORMAT_SSO);
			ok = upload_add_records(u, sso, i, j);
			for (int k = i; k < j; k++)
				sso_recs[nsso++] = u->recs[k];
		}
		i = j;
	}
	if (sso != NULL && ok)
	{
		u->objs[u->nobjs].kind = OBJFORMAT_SSO;
		finish_object(sso, &u->objs[u->nobjs], sso_recs, nsso);
		u->nobjs++;
	}
	else if (sso != NULL)
		ObjFormatBuilderFree(sso);
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
 * Step 4: prepare each object in the catalog, put them all, commit them
 * in one catalog transaction that checks every stream's epoch.  false
 * with u->err.
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
	for (int i = 0; i < u->nobjs; i++)
		if (!CatalogPrepareObject(catalog_conn, u->objs[i].kind, &u->objs[i].object_id,
								  u->objs[i].key, sizeof(u->objs[i].key), u->err, sizeof(u->err)))
			return false;
	if (!put_objects(u->objs, u->nobjs, u->err, sizeof(u->err)))
	{
		store_checked = false;
		return false;
	}
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
			while (upload_due() && CatalogBackoffDue(&retry, now))
			{
				if (!upload_once())
					break;
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
