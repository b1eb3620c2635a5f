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
 *	  something sets our latch (see UploadPace() in upload_object.c).  So neither
 *	  the copying nor the writing of an upload comes in one burst that
 *	  produce latency would follow.
 *
 *	  Before uploads, it completes the hand-offs of partitions being moved
 *	  away (uploader_handoff.c) and recovers the WAL of fenced brokers the
 *	  controller assigned to it (uploader_recovery.c).  Both stream their
 *	  objects the same way, unpaced: something waits for them.
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
#include "postmaster/uploader_internal.h"
#include "storage/compaction.h"
#include "storage/latch.h"
#include "storage/objstore.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/* Part buffers are let go after this long without an upload. */
#define UPLOAD_SPARE_IDLE_MS	30000

UploaderState Uploader;

/* Where and when the WAL stood at the last upload's start (for its pace). */
static WalLsn rate_since_lsn;
static int64 rate_since_ms;

/* The pace of the last paced upload, for compaction's (0: none yet). */
static uint64 last_pace_rate;

/*
 * Compaction's objects go no faster than the uploads (their data arrived
 * at a rate compaction need only keep up with), and a whole object in no
 * more than this, however slow the uploads were.
 */
#define COMPACTION_PACE_MAX_MS	10000

static Pacer compaction_pacer;

static void
compaction_pace_begin(uint64 size)
{
	compaction_pacer.on = upload_pacing > 0 && last_pace_rate > 0;
	compaction_pacer.start_ms = MonotonicMs();
	compaction_pacer.sent = 0;
	compaction_pacer.rate = Max(last_pace_rate, size * 1000 / COMPACTION_PACE_MAX_MS);
}

static void
compaction_pace_piece(size_t len)
{
	UploadPace(&compaction_pacer, len);
}

static const ObjMaintenancePacer compaction_pacer_hooks = {
	compaction_pace_begin,
	compaction_pace_piece
};

/* When the next attempt may start, after failures (the catalog's backoff). */
static CatalogBackoff retry = CATALOG_BACKOFF_INIT;

static int64 last_status_ms;
static int64 last_upload_wall_ms;
static char last_error[512];

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
void
UploaderNoteFailure(const char *msg)
{
	set_last_error(msg);
	(void) CatalogBackoffFailed(&retry);
}

/* Open the store and the catalog connection if needed; false if not now. */
static bool
ensure_connections(void)
{
	char		err[512];

	if (Uploader.store == NULL)
	{
		ObjStoreError oerr;

		Uploader.store = ObjStoreOpen(object_store, &oerr);
		if (Uploader.store == NULL)
		{
			char		msg[700];

			snprintf(msg, sizeof(msg), "cannot open the object store (object_store = \"%s\"): %s",
					 object_store, oerr.message);
			UploaderNoteFailure(msg);
			return false;
		}
	}
	if (!Uploader.store_checked)
	{
		ObjStoreError oerr;

		/*
		 * One cheap request tells a missing bucket or refused credentials
		 * apart from an outage, so the operator gets the right line.
		 */
		if (!ObjStoreProbe(Uploader.store, &oerr))
		{
			char		msg[700];

			snprintf(msg, sizeof(msg), "object store %s is not usable: %s",
					 ObjStoreDescribe(Uploader.store), oerr.message);
			UploaderNoteFailure(msg);
			return false;
		}
		Uploader.store_checked = true;
	}
	if (Uploader.catalog_conn != NULL && PQstatus(Uploader.catalog_conn) != CONNECTION_OK)
	{
		PQfinish(Uploader.catalog_conn);
		Uploader.catalog_conn = NULL;
	}
	if (Uploader.catalog_conn == NULL)
	{
		Uploader.catalog_conn = CatalogConnect(err, sizeof(err));
		if (Uploader.catalog_conn == NULL)
		{
			UploaderNoteFailure(err);
			return false;
		}
	}
	return true;
}

/* Note every durable record after scan_pos. */
void
UploaderScanWal(void)
{
	LogCacheRecord rec;
	int64		now = MonotonicMs();

	while (LogCacheNextRecord(&Uploader.scan_pos, &rec))
	{
		if (Uploader.npending == Uploader.maxpending)
		{
			Uploader.maxpending = Max(1024, Uploader.maxpending * 2);
			Uploader.pending = Uploader.pending ? repalloc(Uploader.pending, sizeof(PendingRecord) * (size_t) Uploader.maxpending)
				: palloc(sizeof(PendingRecord) * (size_t) Uploader.maxpending);
		}
		Uploader.pending[Uploader.npending].rec = rec;
		Uploader.pending[Uploader.npending].noticed_ms = now;
		Uploader.npending++;
		Uploader.pending_bytes += rec.end_lsn - rec.lsn;
	}
}

/* The bytes an upload takes at most: the threshold, bounded by the WAL. */
uint64
UploaderThreshold(void)
{
	return Max(Min((uint64) upload_threshold, WalCapacity() / 4), (uint64) 64 * 1024);
}

/*
 * The WAL position whose durability is to wake us for the threshold: the
 * scanned position plus the bytes the pending records still lack, the
 * soonest they can reach it.  Not the threshold past the first pending
 * record: the WAL between our records (block padding, other brokers'
 * fenced streams, markers) counts in positions but not in pending_bytes,
 * so that wake-up would come before the threshold is reached, and the
 * loop, asking for the same position again, would find it reached and
 * spin until the records caught up, leaving the latch set for the upload
 * it then starts (which ends its pacing).  Each wake-up here needs new
 * WAL.  None once the threshold is reached: what then holds the upload
 * back (the catalog, recovery) has its own wake-up.
 */
static WalLsn
threshold_wake_lsn(void)
{
	uint64		threshold = UploaderThreshold();

	if (Uploader.pending_bytes >= threshold)
		return WAL_NO_UPLOAD_WAKEUP;
	return Uploader.scan_pos + (threshold - Uploader.pending_bytes);
}

static bool
upload_due(void)
{
	if (Uploader.npending == 0)
		return false;
	/* commits save producer snapshots, which need the recovered state */
	if (!ProducerStateIsRecovered())
		return false;
	if (Uploader.pending_bytes >= UploaderThreshold())
		return true;
	if (MonotonicMs() - Uploader.pending[0].noticed_ms >= upload_interval)
		return true;

	/* Appenders are (or will soon be) waiting for space: go now. */
	if (WalInsertLsn() - WalTrimLsn() >= WalCapacity() / 2)
		return true;
	return false;
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
	uint64		threshold = UploaderThreshold();

	while (u->ntake < Uploader.npending && (u->ntake == 0 || u->take_bytes < threshold))
	{
		u->take_bytes += Uploader.pending[u->ntake].rec.end_lsn - Uploader.pending[u->ntake].rec.lsn;
		u->ntake++;
	}
	u->trim_to = Uploader.pending[u->ntake - 1].rec.end_lsn;

	/*
	 * The pace: upload_pacing percent of the rate data came into the WAL
	 * since the last upload started (or since we started).  Not from when
	 * we noticed the records: we notice them when we wake, all at once.
	 * An upload that leaves records pending is behind (a backlog after an
	 * outage, say, or producers faster than the threshold): it is not
	 * paced.  Nor is this upload's own size ever spread over more than the
	 * span: when little or nothing came in since the last start (the
	 * producers stopped), its records arrived earlier, and pacing them at
	 * the recent rate would crawl.  An upload smaller than a part is one
	 * write, not a burst: it is not paced either.
	 */
	{
		int64		now = MonotonicMs();
		WalLsn		flushed = WalFlushedLsn();
		int64		span = Max(now - rate_since_ms, (int64) 100);
		uint64		arrived = Max(flushed - rate_since_lsn, u->take_bytes);

		u->pacer.on = upload_pacing > 0 && u->ntake == Uploader.npending &&
			u->take_bytes >= (uint64) upload_part_size;
		u->pacer.start_ms = now;
		u->pacer.rate = arrived * 1000 / (uint64) span * (uint64) upload_pacing / 100;
		rate_since_ms = now;
		rate_since_lsn = flushed;
		/* The next upload's threshold, reached meanwhile, ends the pacing (UploadPace()). */
		if (u->pacer.on)
		{
			WalRequestUploadWakeup(Uploader.scan_pos + threshold);
			last_pace_rate = u->pacer.rate;
		}
	}
	u->recs = palloc(sizeof(LogCacheRecord *) * (size_t) u->ntake);
	for (int i = 0; i < u->ntake; i++)
		u->recs[i] = &Uploader.pending[i].rec;
	qsort(u->recs, (size_t) u->ntake, sizeof(LogCacheRecord *), UploadCmpStreamLsn);
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
	if (!CatalogGetStreamStates(Uploader.catalog_conn, u->sids, u->nsids, u->states, u->err, sizeof(u->err)))
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

/* The end of the run of records of u->recs[i]'s stream, and its bytes. */
static int
stream_run(const Upload *u, int i, uint64 *bytes)
{
	int			j = i;

	*bytes = 0;
	while (j < u->nrecs && u->recs[j]->stream_id == u->recs[i]->stream_id)
		*bytes += u->recs[j]->len1 + u->recs[j]->len2, j++;
	return j;
}

/*
 * Step 3: build the objects and write them out as they are built, a
 * stream object for each stream with at least stream_split_size bytes,
 * then one stream-set object for the rest.  One object at a time, each
 * from its first byte to its last: with upload_single_put an object is
 * one PutObject on one connection, which must not sit idle while another
 * object is paced out (S3 drops a request that sends nothing for about 20
 * seconds).  Each object is prepared in the catalog first, and is
 * complete and durable in the store when this returns true; false with
 * u->err.
 */
static bool
upload_build(Upload *u)
{
	LogCacheRecord **sso_recs = palloc(sizeof(LogCacheRecord *) * (size_t) Max(u->nrecs, 1));
	int			nsso = 0;
	int			i = 0;
	bool		ok = true;

	u->objs = palloc0(sizeof(UploadObject) * (size_t) (u->nepochs + 1));
	while (ok && i < u->nrecs)
	{
		uint64		bytes;
		int			j = stream_run(u, i, &bytes);

		if (bytes >= (uint64) stream_split_size)
			ok = UploadObjectBuild(&u->objs[u->nobjs++], OBJFORMAT_SO, u->recs + i, j - i, &u->pacer,
								   &u->scratch, &u->scratchlen, u->err, sizeof(u->err));
		else
			for (int k = i; k < j; k++)
				sso_recs[nsso++] = u->recs[k];
		i = j;
	}
	if (ok && nsso > 0)
		ok = UploadObjectBuild(&u->objs[u->nobjs++], OBJFORMAT_SSO, sso_recs, nsso, &u->pacer,
							   &u->scratch, &u->scratchlen, u->err, sizeof(u->err));
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

	PQfinish(Uploader.catalog_conn);
	Uploader.catalog_conn = CatalogConnect(e2, sizeof(e2));
	if (Uploader.catalog_conn != NULL &&
		CatalogGetObjectState(Uploader.catalog_conn, u->objs[0].object_id, state, sizeof(state), e2, sizeof(e2)) &&
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
	cobjs = UploadObjectsForCommit(u->objs, u->nobjs);
	res = CatalogCommitObjects(Uploader.catalog_conn, cobjs, u->nobjs, u->epochs, u->nepochs, true,
							   NULL, 0, &fenced, &nfenced, u->err, sizeof(u->err));
	pfree(cobjs);
	if (res == CATALOG_COMMIT_ERROR && PQstatus(Uploader.catalog_conn) != CONNECTION_OK)
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
	memmove(Uploader.pending, Uploader.pending + u->ntake, sizeof(PendingRecord) * (size_t) (Uploader.npending - u->ntake));
	Uploader.npending -= u->ntake;
	Uploader.pending_bytes -= u->take_bytes;
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
		UploadObjectsFree(u->objs, u->nobjs);
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
		UploaderNoteFailure(u.err);
	upload_free(&u);
	return ok;
}


/* Tell the catalog how far behind we are (strata.upload_lag). */
static void
report_status(void)
{
	CatalogUploadStatus st;
	char		err[512];

	st.pending_bytes = Uploader.pending_bytes;
	st.wal_trim_lsn = WalTrimLsn();
	st.wal_flushed_lsn = WalFlushedLsn();
	st.last_upload_ms = last_upload_wall_ms;
	st.last_error = last_error[0] ? last_error : NULL;
	if (!CatalogReportUploadStatus(Uploader.catalog_conn, &st, err, sizeof(err)))
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

	if (!ObjMaintenanceStep(Uploader.catalog_conn, Uploader.store, &did_work, err, sizeof(err)))
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
	ObjMaintenanceSetPacer(&compaction_pacer_hooks);
	WalWaitReady();
	Uploader.scan_pos = WalTrimLsn();
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

		UploaderScanWal();
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
				UploaderHandoffStep(&timeout);
			UploaderRecoveryStep();
			now = MonotonicMs();
			while (upload_due() && CatalogBackoffDue(&retry, now))
			{
				if (!upload_once())
					break;
				/* A hand-off requested meanwhile goes before the next upload. */
				UploaderHandoffStep(&timeout);
				UploaderScanWal();
				if (ShutdownRequestPending)
					proc_exit(0);
				now = MonotonicMs();
			}
			now = MonotonicMs();
			if (Uploader.catalog_conn != NULL && CatalogBackoffDue(&retry, now) && !upload_due() &&
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
			if (Uploader.npending == 0 && WallClockMs() - last_upload_wall_ms >= UPLOAD_SPARE_IDLE_MS)
			{
				UploadReleaseSpareBuffers();
				ObjMaintenanceReleaseBuffers();
			}
			if (Uploader.catalog_conn != NULL && PQstatus(Uploader.catalog_conn) == CONNECTION_OK)
				report_status();
		}

		/*
		 * Sleep until: the WAL writer says the threshold is reached, the
		 * oldest pending record is due, a retry is due, or the next status
		 * report.
		 */
		now = MonotonicMs();
		WalRequestUploadWakeup(threshold_wake_lsn());
		if (!CatalogBackoffDue(&retry, now))
			timeout = Min(timeout, retry.retry_at_ms - now);
		else if (Uploader.npending > 0)
			timeout = Min(timeout, Max(Uploader.pending[0].noticed_ms + upload_interval - now, 0));
		timeout = Min(timeout, Max(last_status_ms + 5000 - now, 1));
		if (timeout > 0)
			WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout);
	}
}
