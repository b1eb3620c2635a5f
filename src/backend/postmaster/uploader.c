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
 *	       stream's epoch (objcatalog.h);
 *	    5. advance the WAL trim position past the last record taken.  Only
 *	       now may the WAL writer reuse the space and the log cache evict
 *	       those batches.
 *
 *	  A failure at any step leaves the WAL untouched: the same records are
 *	  uploaded again later, into new objects.  Objects of a failed attempt
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
#include "catalog/catalog_cluster.h"
#include "kafka/cluster.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "postmaster/interrupt.h"
#include "postmaster/uploader.h"
#include "storage/compaction.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/objcatalog.h"
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
	char		key[OBJCATALOG_KEY_LEN];
	char	   *data;
	size_t		len;
	size_t		cap;			/* allocated size of data */
	ObjCatalogRange *ranges;
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

/* Consecutive failures, for backoff; when the next attempt may start. */
static int	failures;
static int64 retry_at_ms;

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

static void
note_failure(const char *msg)
{
	int64		backoff;

	set_last_error(msg);
	failures++;
	backoff = Min((int64) 500 << Min(failures - 1, 5), 10000);
	retry_at_ms = MonotonicMs() + backoff;
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
	obj->ranges = palloc(sizeof(ObjCatalogRange) * (size_t) Max(n, 1));
	obj->nranges = n;
	for (int i = 0; i < n; i++)
	{
		ObjCatalogRange *cr = &obj->ranges[i];

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
 * One upload of the oldest pending records.  Returns true if it went
 * through (or there was nothing to upload but a trim), false on a failure
 * already logged and scheduled for retry.
 */
static bool
upload_once(void)
{
	uint64		threshold = effective_threshold();
	int			ntake = 0;
	uint64		take_bytes = 0;
	LogCacheRecord **recs;
	int			nrecs = 0;
	uint64	   *sids;
	int			nsids = 0;
	int64	   *object_ends,
			   *cat_epochs;
	bool	   *opened;
	int32	   *leaders;
	ObjCatalogStreamEpoch *epochs;
	int			nepochs = 0;
	UploadObject *objs;
	int			nobjs = 0;
	char		err[700];
	WalLsn		trim_to;
	char	   *scratch = NULL;
	size_t		scratchlen = 0;
	bool		ok = false;

	while (ntake < npending && (ntake == 0 || take_bytes < threshold))
	{
		take_bytes += pending[ntake].rec.end_lsn - pending[ntake].rec.lsn;
		ntake++;
	}
	trim_to = pending[ntake - 1].rec.end_lsn;

	/* The streams involved, and what the catalog says of them. */
	recs = palloc(sizeof(LogCacheRecord *) * (size_t) ntake);
	for (int i = 0; i < ntake; i++)
		recs[i] = &pending[i].rec;
	qsort(recs, (size_t) ntake, sizeof(LogCacheRecord *), cmp_stream_lsn);
	sids = palloc(sizeof(uint64) * (size_t) ntake);
	for (int i = 0; i < ntake; i++)
		if (nsids == 0 || sids[nsids - 1] != recs[i]->stream_id)
			sids[nsids++] = recs[i]->stream_id;
	object_ends = palloc(sizeof(int64) * (size_t) nsids);
	cat_epochs = palloc(sizeof(int64) * (size_t) nsids);
	opened = palloc(sizeof(bool) * (size_t) nsids);
	leaders = palloc(sizeof(int32) * (size_t) nsids);
	epochs = palloc(sizeof(ObjCatalogStreamEpoch) * (size_t) nsids);
	if (!ObjCatalogStreamInfo(catalog_conn, sids, nsids, object_ends, cat_epochs, opened,
							  leaders, err, sizeof(err)))
	{
		note_failure(err);
		goto done;
	}

	/* Keep what must be uploaded: ours, live, not yet in objects. */
	{
		int			s = 0;
		int64		mine = registry_stream_epoch(sids[0]);
		uint64		warned = 0;

		for (int i = 0; i < ntake; i++)
		{
			LogCacheRecord *r = recs[i];

			if (sids[s] != r->stream_id)
			{
				while (sids[s] != r->stream_id)
					s++;
				mine = registry_stream_epoch(sids[s]);
			}
			if (object_ends[s] < 0 || !opened[s] || leaders[s] < 0)
				continue;		/* the topic was deleted */
			if (r->base_offset + (int64) r->record_count <= object_ends[s])
				continue;		/* uploaded before a crash, trim was lost */
			if (r->base_offset < object_ends[s])
			{
				if (warned != r->stream_id)
					elog(WARNING, "uploader: stream %llu batch at offset %lld overlaps what objects hold (up to %lld); skipped",
						 (unsigned long long) r->stream_id, (long long) r->base_offset,
						 (long long) object_ends[s]);
				warned = r->stream_id;
				continue;
			}
			if (leaders[s] != (int32) broker_id)
			{
				/*
				 * Another broker leads the partition now: its data from
				 * here on is that broker's to serve, and a commit of ours
				 * would be refused anyway.
				 */
				if (warned != r->stream_id)
					elog(WARNING, "uploader: stream %llu is now led by broker %d; its WAL data here is not uploaded",
						 (unsigned long long) r->stream_id, (int) leaders[s]);
				warned = r->stream_id;
				continue;
			}
			if (mine != cat_epochs[s])
			{
				/*
				 * Ours, but the registry has not caught up with the catalog
				 * yet (a partition being opened or created): try again in
				 * a moment rather than guess.
				 */
				snprintf(err, sizeof(err), "stream %llu has epoch %lld in the catalog and %lld here; waiting for the registry",
						 (unsigned long long) r->stream_id, (long long) cat_epochs[s], (long long) mine);
				note_failure(err);
				goto done;
			}
			if (nepochs == 0 || epochs[nepochs - 1].stream_id != r->stream_id)
			{
				epochs[nepochs].stream_id = r->stream_id;
				epochs[nepochs].epoch = mine;
				nepochs++;
			}
			recs[nrecs++] = r;
		}
	}

	/* Build: an SO per big stream, one SSO for the rest. */
	objs = palloc0(sizeof(UploadObject) * (size_t) (nepochs + 1));
	{
		ObjFormatBuilder *sso = NULL;
		LogCacheRecord **sso_recs = palloc(sizeof(LogCacheRecord *) * (size_t) Max(nrecs, 1));
		int			nsso = 0;
		int			i = 0;

		while (i < nrecs)
		{
			int			j = i;
			uint64		bytes = 0;

			while (j < nrecs && recs[j]->stream_id == recs[i]->stream_id)
				bytes += recs[j]->len1 + recs[j]->len2, j++;
			if (bytes >= (uint64) stream_split_size)
			{
				ObjFormatBuilder *b = builder_create(OBJFORMAT_SO);

				for (int k = i; k < j; k++)
					if (!builder_add(b, recs[k], &scratch, &scratchlen, err, sizeof(err)))
					{
						ObjFormatBuilderFree(b);
						if (sso)
							ObjFormatBuilderFree(sso);
						pfree(sso_recs);
						free_objects(objs, nobjs);
						note_failure(err);
						goto done;
					}
				objs[nobjs].kind = OBJFORMAT_SO;
				finish_object(b, &objs[nobjs], recs + i, j - i);
				nobjs++;
			}
			else
			{
				if (sso == NULL)
					sso = builder_create(OBJFORMAT_SSO);
				for (int k = i; k < j; k++)
				{
					if (!builder_add(sso, recs[k], &scratch, &scratchlen, err, sizeof(err)))
					{
						ObjFormatBuilderFree(sso);
						pfree(sso_recs);
						free_objects(objs, nobjs);
						note_failure(err);
						goto done;
					}
					sso_recs[nsso++] = recs[k];
				}
			}
			i = j;
		}
		if (sso)
		{
			objs[nobjs].kind = OBJFORMAT_SSO;
			finish_object(sso, &objs[nobjs], sso_recs, nsso);
			nobjs++;
		}
		pfree(sso_recs);
	}

	if (nobjs > 0)
	{
		uint64	   *fenced;
		int			nfenced;
		ObjCatalogObject *cobjs;
		ObjCatalogResult res;

		for (int i = 0; i < nobjs; i++)
			if (!ObjCatalogPrepare(catalog_conn, objs[i].kind, &objs[i].object_id,
								   objs[i].key, sizeof(objs[i].key), err, sizeof(err)))
			{
				free_objects(objs, nobjs);
				note_failure(err);
				goto done;
			}
		if (!put_objects(objs, nobjs, err, sizeof(err)))
		{
			store_checked = false;
			free_objects(objs, nobjs);
			note_failure(err);
			goto done;
		}
		cobjs = palloc(sizeof(ObjCatalogObject) * (size_t) nobjs);
		for (int i = 0; i < nobjs; i++)
		{
			cobjs[i].object_id = objs[i].object_id;
			cobjs[i].size = objs[i].len;
			cobjs[i].compactions = 0;
			cobjs[i].ranges = objs[i].ranges;
			cobjs[i].nranges = objs[i].nranges;
		}
		res = ObjCatalogCommit(catalog_conn, cobjs, nobjs, epochs, nepochs, true,
							   NULL, 0, &fenced, &nfenced, err, sizeof(err));
		if (res == OBJCAT_ERROR && PQstatus(catalog_conn) != CONNECTION_OK)
		{
			/*
			 * The connection went away, maybe during COMMIT: ask a new
			 * one whether the transaction made it.
			 */
			char		state[16];
			char		e2[512];

			PQfinish(catalog_conn);
			catalog_conn = CatalogConnect(e2, sizeof(e2));
			if (catalog_conn != NULL &&
				ObjCatalogObjectState(catalog_conn, objs[0].object_id, state, sizeof(state), e2, sizeof(e2)) &&
				strcmp(state, "committed") == 0)
				res = OBJCAT_OK;
		}
		pfree(cobjs);
		if (res == OBJCAT_FENCED)
		{
			/* Streams opened elsewhere between our check and the commit. */
			snprintf(err, sizeof(err), "commit refused: %d stream(s) were opened by another broker (first: %llu); retrying without them",
					 nfenced, (unsigned long long) fenced[0]);
			pfree(fenced);
			free_objects(objs, nobjs);
			note_failure(err);
			goto done;
		}
		if (res != OBJCAT_OK)
		{
			free_objects(objs, nobjs);
			note_failure(err);
			goto done;
		}
		elog(DEBUG1, "uploader: %d object(s), %llu WAL bytes, trim to %llu",
			 nobjs, (unsigned long long) take_bytes, (unsigned long long) trim_to);
	}
	free_objects(objs, nobjs);

	WalTrim(trim_to);
	memmove(pending, pending + ntake, sizeof(PendingRecord) * (size_t) (npending - ntake));
	npending -= ntake;
	pending_bytes -= take_bytes;
	failures = 0;
	retry_at_ms = 0;
	last_upload_wall_ms = WallClockMs();
	if (last_error[0])
	{
		elog(LOG, "uploader: uploads succeed again");
		last_error[0] = '\0';
	}
	ok = true;

done:
	if (scratch)
		pfree(scratch);
	pfree(recs);
	pfree(sids);
	pfree(object_ends);
	pfree(cat_epochs);
	pfree(opened);
	pfree(leaders);
	pfree(epochs);
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
	int64	   *object_ends = NULL,
			   *cat_epochs = NULL;
	bool	   *opened = NULL;
	int32	   *leaders = NULL;
	LogCacheRecord **recs = NULL;
	int			nrecs = 0;
	ObjCatalogStreamEpoch *epochs = NULL;
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
	object_ends = palloc(sizeof(int64) * (size_t) n);
	cat_epochs = palloc(sizeof(int64) * (size_t) n);
	opened = palloc(sizeof(bool) * (size_t) n);
	leaders = palloc(sizeof(int32) * (size_t) n);
	for (int i = 0; i < n; i++)
		sids[i] = h[i].stream_id;
	if (!ObjCatalogStreamInfo(catalog_conn, sids, n, object_ends, cat_epochs, opened, leaders,
							  err, sizeof(err)))
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
			pending[i].rec.base_offset + (int64) pending[i].rec.record_count > object_ends[f - h])
			recs[nrecs++] = &pending[i].rec;
	}
	qsort(recs, (size_t) nrecs, sizeof(LogCacheRecord *), cmp_stream_lsn);

	/* Nothing may be missing: the tail must reach the partition's end. */
	for (int i = 0, k = 0; i < n; i++)
	{
		int64		end = object_ends[i];

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
		ObjFormatBuilder *b = builder_create(kind);

		objs = palloc0(sizeof(UploadObject));
		for (int k = 0; k < nrecs; k++)
			if (!builder_add(b, recs[k], &scratch, &scratchlen, err, sizeof(err)))
			{
				ObjFormatBuilderFree(b);
				note_failure(err);
				goto done;
			}
		objs[0].kind = kind;
		finish_object(b, &objs[0], recs, nrecs);
		nobjs = 1;
		if (!ObjCatalogPrepare(catalog_conn, objs[0].kind, &objs[0].object_id,
							   objs[0].key, sizeof(objs[0].key), err, sizeof(err)))
		{
			note_failure(err);
			goto done;
		}
		if (!put_objects(objs, nobjs, err, sizeof(err)))
		{
			store_checked = false;
			note_failure(err);
			goto done;
		}
	}

	epochs = palloc(sizeof(ObjCatalogStreamEpoch) * (size_t) n);
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
		ObjCatalogObject cobj = {0};
		uint64	   *fenced;
		int			nfenced;
		ObjCatalogResult res;

		if (nobjs > 0)
		{
			cobj.object_id = objs[0].object_id;
			cobj.size = objs[0].len;
			cobj.ranges = objs[0].ranges;
			cobj.nranges = objs[0].nranges;
		}
		res = ObjCatalogCommitExt(catalog_conn, &cobj, nobjs, epochs, n, true, NULL, 0,
								  true, handoff_commit_hook, &hc, &fenced, &nfenced, err, sizeof(err));
		if (res == OBJCAT_FENCED)
		{
			snprintf(err, sizeof(err), "hand-off refused: stream %llu was opened by another broker",
					 (unsigned long long) fenced[0]);
			pfree(fenced);
		}
		if (res != OBJCAT_OK)
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
	if (object_ends)
		pfree(object_ends);
	if (cat_epochs)
		pfree(cat_epochs);
	if (opened)
		pfree(opened);
	if (leaders)
		pfree(leaders);
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
	ObjFormatBuilder *b;
	LogCacheRecord **recs;
	UploadObject *obj;

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
	obj = &rs->objs[rs->nobjs];
	memset(obj, 0, sizeof(*obj));
	b = builder_create(OBJFORMAT_SSO);
	for (int i = 0; i < rs->nrecs; i++)
		if (!builder_add(b, recs[i], NULL, NULL, rs->err, sizeof(rs->err)))
		{
			ObjFormatBuilderFree(b);
			pfree(recs);
			return false;
		}
	obj->kind = OBJFORMAT_SSO;
	finish_object(b, obj, recs, rs->nrecs);
	rs->nobjs++;
	pfree(recs);
	if (!ObjCatalogPrepare(catalog_conn, obj->kind, &obj->object_id, obj->key, sizeof(obj->key),
						   rs->err, sizeof(rs->err)) ||
		!put_objects(obj, 1, rs->err, sizeof(rs->err)))
		return false;
	/* Put: the bytes are in the store, the buffer can go. */
	keep_buffer(obj->data, obj->cap);
	obj->data = NULL;
	ObjStoreRequestFree(obj->req);
	obj->req = NULL;
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
		ok = CatalogSaveSnapshotInTxn(conn, s->stream_id, s->end, buf, len, s->nproducers, err, errlen);
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
	CatalogSnapshot *snaps = NULL;
	int			nsnaps = 0;
	WalDeviceHeader dev;
	RecoveryCommit rc = {.rec = rec, .rs = &rs};
	ObjCatalogStreamEpoch *epochs = NULL;
	ObjCatalogObject *cobjs = NULL;
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
	if (!CatalogLoadSnapshotsRaw(catalog_conn, sids, nds, &snaps, &nsnaps, rs.err, sizeof(rs.err)))
		goto done;
	for (int i = 0; i < rs.nstreams; i++)
		rs.streams[i].producers = palloc(sizeof(ProducerSnapshotEntry) * RECOVERY_MAX_PRODUCERS);
	for (int j = 0; j < nsnaps; j++)
	{
		RecStream	key = {.stream_id = snaps[j].stream_id};
		RecStream  *s = bsearch(&key, rs.streams, (size_t) rs.nstreams, sizeof(RecStream), cmp_recstream);

		if (s == NULL)
			continue;
		s->snapshot_end = snaps[j].end_offset;
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

	epochs = palloc(sizeof(ObjCatalogStreamEpoch) * (size_t) Max(rs.nstreams, 1));
	for (int i = 0; i < rs.nstreams; i++)
	{
		epochs[i].stream_id = rs.streams[i].stream_id;
		epochs[i].epoch = rs.streams[i].epoch;
	}
	cobjs = palloc0(sizeof(ObjCatalogObject) * (size_t) Max(rs.nobjs, 1));
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
		ObjCatalogResult res = ObjCatalogCommitExt(catalog_conn, cobjs, rs.nobjs, epochs, rs.nstreams,
												   true, NULL, 0, false, recovery_commit_hook, &rc,
												   &fenced, &nfenced, rs.err, sizeof(rs.err));

		if (res == OBJCAT_FENCED)
		{
			snprintf(rs.err, sizeof(rs.err), "stream %llu of broker %d was opened elsewhere meanwhile; nothing committed",
					 (unsigned long long) fenced[0], rec->broker_id);
			pfree(fenced);
		}
		if (res != OBJCAT_OK)
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
	{
		if (rs.objs[i].data)
			keep_buffer(rs.objs[i].data, rs.objs[i].cap);
		if (rs.objs[i].req)
			ObjStoreRequestFree(rs.objs[i].req);
		if (rs.objs[i].ranges)
			pfree(rs.objs[i].ranges);
	}
	for (int i = 0; i < rs.nstreams; i++)
		if (rs.streams[i].producers)
			pfree(rs.streams[i].producers);
	for (int j = 0; j < nsnaps; j++)
		pfree(snaps[j].data);
	if (snaps)
		pfree(snaps);
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
	char		me[16],
				pend[32],
				trim[32],
				flushed[32],
				last[32];
	const char *params[6] = {me, pend, trim, flushed, NULL, NULL};
	char		err[512];

	snprintf(me, sizeof(me), "%d", (int) broker_id);
	snprintf(pend, sizeof(pend), "%llu", (unsigned long long) pending_bytes);
	snprintf(trim, sizeof(trim), "%llu", (unsigned long long) WalTrimLsn());
	snprintf(flushed, sizeof(flushed), "%llu", (unsigned long long) WalFlushedLsn());
	if (last_upload_wall_ms > 0)
	{
		snprintf(last, sizeof(last), "%lld", (long long) last_upload_wall_ms);
		params[4] = last;
	}
	params[5] = last_error[0] ? last_error : NULL;
	if (!CatalogExec(catalog_conn,
					 "INSERT INTO strata.broker_uploads AS u "
					 "  (broker_id, pending_bytes, wal_trim_lsn, wal_flushed_lsn, last_upload, last_error, updated) "
					 "VALUES ($1::int, $2::bigint, $3::bigint, $4::bigint, "
					 "        to_timestamp($5::bigint / 1000.0), $6, now()) "
					 "ON CONFLICT (broker_id) DO UPDATE SET pending_bytes = excluded.pending_bytes, "
					 "  wal_trim_lsn = excluded.wal_trim_lsn, wal_flushed_lsn = excluded.wal_flushed_lsn, "
					 "  last_upload = coalesce(excluded.last_upload, u.last_upload), "
					 "  last_error = excluded.last_error, updated = now()",
					 6, params, err, sizeof(err)))
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
		if (RegistryIsLoaded() && now >= retry_at_ms && ensure_connections())
		{
			/*
			 * Hand-offs and recoveries first: the partitions concerned are
			 * unavailable until they commit.
			 */
			if (ProducerStateIsRecovered())
				handoff_step(&timeout);
			recovery_step();
			now = MonotonicMs();
			while (upload_due() && now >= retry_at_ms)
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
			if (catalog_conn != NULL && now >= retry_at_ms && !upload_due() &&
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
		if (retry_at_ms > now)
			timeout = Min(timeout, retry_at_ms - now);
		else if (npending > 0)
			timeout = Min(timeout, Max(pending[0].noticed_ms + upload_interval - now, 0));
		timeout = Min(timeout, Max(last_status_ms + 5000 - now, 1));
		if (timeout > 0)
			WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout);
	}
}
