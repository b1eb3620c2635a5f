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
#include "catalog/catalog_brokers.h"
#include "catalog/catalog_objects.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "postmaster/interrupt.h"
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
	CatalogStreamState *states;
	CatalogStreamEpoch *epochs;
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
	states = palloc(sizeof(CatalogStreamState) * (size_t) nsids);
	epochs = palloc(sizeof(CatalogStreamEpoch) * (size_t) nsids);
	if (!CatalogGetStreamStates(catalog_conn, sids, nsids, states, err, sizeof(err)))
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
			if (states[s].object_end_offset < 0 || !states[s].opened || states[s].leader < 0)
				continue;		/* the topic was deleted */
			if (r->base_offset + (int64) r->record_count <= states[s].object_end_offset)
				continue;		/* uploaded before a crash, trim was lost */
			if (r->base_offset < states[s].object_end_offset)
			{
				if (warned != r->stream_id)
					elog(WARNING, "uploader: stream %llu batch at offset %lld overlaps what objects hold (up to %lld); skipped",
						 (unsigned long long) r->stream_id, (long long) r->base_offset,
						 (long long) states[s].object_end_offset);
				warned = r->stream_id;
				continue;
			}
			if (states[s].leader != (int32) broker_id)
			{
				/*
				 * Another broker leads the partition now: its data from
				 * here on is that broker's to serve, and a commit of ours
				 * would be refused anyway.
				 */
				if (warned != r->stream_id)
					elog(WARNING, "uploader: stream %llu is now led by broker %d; its WAL data here is not uploaded",
						 (unsigned long long) r->stream_id, (int) states[s].leader);
				warned = r->stream_id;
				continue;
			}
			if (mine != states[s].epoch)
			{
				/*
				 * Ours, but the registry has not caught up with the catalog
				 * yet (a partition being opened or created): try again in
				 * a moment rather than guess.
				 */
				snprintf(err, sizeof(err), "stream %llu has epoch %lld in the catalog and %lld here; waiting for the registry",
						 (unsigned long long) r->stream_id, (long long) states[s].epoch, (long long) mine);
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
		CatalogObject *cobjs;
		CatalogCommitResult res;

		for (int i = 0; i < nobjs; i++)
			if (!CatalogPrepareObject(catalog_conn, objs[i].kind, &objs[i].object_id,
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
		cobjs = palloc(sizeof(CatalogObject) * (size_t) nobjs);
		for (int i = 0; i < nobjs; i++)
		{
			cobjs[i].object_id = objs[i].object_id;
			cobjs[i].size = objs[i].len;
			cobjs[i].compactions = 0;
			cobjs[i].ranges = objs[i].ranges;
			cobjs[i].nranges = objs[i].nranges;
		}
		res = CatalogCommitObjects(catalog_conn, cobjs, nobjs, epochs, nepochs, true,
							   NULL, 0, &fenced, &nfenced, err, sizeof(err));
		if (res == CATALOG_COMMIT_ERROR && PQstatus(catalog_conn) != CONNECTION_OK)
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
				CatalogGetObjectState(catalog_conn, objs[0].object_id, state, sizeof(state), e2, sizeof(e2)) &&
				strcmp(state, "committed") == 0)
				res = CATALOG_COMMIT_OK;
		}
		pfree(cobjs);
		if (res == CATALOG_COMMIT_FENCED)
		{
			/* Streams opened elsewhere between our check and the commit. */
			snprintf(err, sizeof(err), "commit refused: %d stream(s) were opened by another broker (first: %llu); retrying without them",
					 nfenced, (unsigned long long) fenced[0]);
			pfree(fenced);
			free_objects(objs, nobjs);
			note_failure(err);
			goto done;
		}
		if (res != CATALOG_COMMIT_OK)
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
	pfree(states);
	pfree(epochs);
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
		if (RegistryIsLoaded() && now >= retry_at_ms && ensure_connections())
		{
			while (upload_due() && now >= retry_at_ms)
			{
				if (!upload_once())
					break;
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
