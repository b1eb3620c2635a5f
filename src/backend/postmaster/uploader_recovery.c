/*-------------------------------------------------------------------------
 *
 * uploader_recovery.c
 *	  The uploader's part of a failover: recovering a fenced broker's WAL
 *	  (doc/cluster.md, "Failover").
 *
 *	  When a broker's lease lapses, the controller fences it (its epoch
 *	  moves on) and assigns the recovery of its WAL device to a live
 *	  broker, whose uploader
 *
 *	    1. loads the streams the dead broker still leads, with the epochs
 *	       it opened them with and what objects hold of them, and their
 *	       producer snapshots;
 *	    2. scans the device from its trim position, keeping every record
 *	       of those streams at those epochs beyond the objects, carrying
 *	       the producers' state forward, and streaming the records out as
 *	       stream-set objects of about upload_threshold each;
 *	    3. commits those objects, the producer snapshots and the hand-over
 *	       of the dead broker's partitions and coordinator slots to live
 *	       brokers in one catalog transaction that checks every epoch;
 *	    4. marks the device recovered up to where the scan ended, so that
 *	       the broker, restarted, does not replay what was recovered.
 *
 *	  A failure before the commit leaves the catalog as it was (the
 *	  objects stay 'prepared', to be deleted as orphans) and is noted on
 *	  the recovery, which is tried again later.
 *
 * src/backend/postmaster/uploader_recovery.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_cluster.h"
#include "catalog/catalog_producers.h"
#include "kafka/cluster.h"
#include "kafka/producer.h"
#include "postmaster/uploader_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

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
	ok = UploadObjectBuild(obj, OBJFORMAT_SSO, recs, rs->nrecs, NULL, NULL, NULL, rs->err, sizeof(rs->err));
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
	if (rs->chunk_len >= UploaderThreshold() && !recovery_flush_chunk(rs))
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

	CatalogProducerSnapshot *snaps = palloc(sizeof(CatalogProducerSnapshot) * (size_t) Max(rs->nstreams, 1));
	int			nsnaps = 0;
	bool		ok;

	/* the touched streams' snapshots, in one statement */
	for (int i = 0; i < rs->nstreams; i++)
	{
		RecStream  *s = &rs->streams[i];

		if (s->touched)
			ProducerSnapshotFill(&snaps[nsnaps++], s->stream_id, s->end, s->producers, s->nproducers);
	}
	ok = CatalogSaveProducerSnapshots(conn, snaps, nsnaps, err, errlen);
	ProducerSnapshotsFreeFilled(snaps, nsnaps);
	if (!ok)
		return false;
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
 * Step 1: the dead broker's streams, with its epochs, the end of what
 * objects hold of each, and the producers' state as last saved, to be
 * carried forward by the scan.  false with rs->err.
 */
static bool
recovery_load(RecoveryScan *rs, const CatalogRecovery *rec)
{
	CatalogDeadStream *ds = NULL;
	int			nds = 0;
	CatalogProducerSnapshot *snaps = NULL;
	int			nsnaps;
	uint64	   *sids;
	bool		ok = true;

	if (!CatalogDeadBrokerStreams(Uploader.catalog_conn, rec->broker_id, &ds, &nds, rs->err, sizeof(rs->err)))
		return false;
	rs->nstreams = nds;
	rs->streams = palloc0(sizeof(RecStream) * (size_t) Max(nds, 1));
	sids = palloc(sizeof(uint64) * (size_t) Max(nds, 1));
	for (int i = 0; i < nds; i++)
	{
		rs->streams[i].stream_id = ds[i].stream_id;
		rs->streams[i].epoch = ds[i].epoch;
		rs->streams[i].end = ds[i].object_end_offset;
		rs->streams[i].producers = palloc(sizeof(ProducerSnapshotEntry) * RECOVERY_MAX_PRODUCERS);
		sids[i] = ds[i].stream_id;
	}
	if (ds)
		pfree(ds);
	qsort(rs->streams, (size_t) rs->nstreams, sizeof(RecStream), cmp_recstream);

	nsnaps = CatalogLoadProducerSnapshots(Uploader.catalog_conn, sids, nds, &snaps, rs->err, sizeof(rs->err));
	pfree(sids);
	if (nsnaps < 0)
		return false;
	for (int j = 0; ok && j < nsnaps; j++)
	{
		RecStream	key = {.stream_id = snaps[j].stream_id};
		RecStream  *s = bsearch(&key, rs->streams, (size_t) rs->nstreams, sizeof(RecStream), cmp_recstream);

		if (s == NULL)
			continue;
		s->snapshot_end = snaps[j].end_offset;
		if (snaps[j].data == NULL)
		{
			snprintf(rs->err, sizeof(rs->err), "the producer snapshot of stream %llu is not valid bytea",
					 (unsigned long long) snaps[j].stream_id);
			ok = false;
		}
		else
			ok = ProducerSnapshotDecode(snaps[j].data, snaps[j].len, s->producers, RECOVERY_MAX_PRODUCERS,
										&s->nproducers, rs->err, sizeof(rs->err));
	}
	if (snaps)
		CatalogFreeProducerSnapshots(snaps, nsnaps);
	return ok;
}

/*
 * Step 2: scan the device, streaming out what objects do not hold.  false
 * with rs->err.
 */
static bool
recovery_scan(RecoveryScan *rs, const CatalogRecovery *rec)
{
	WalDeviceHeader dev;

	if (!WalScanDevice(rec->wal_device, &dev, recovery_scan_record, rs, rs->err, sizeof(rs->err)) ||
		rs->failed || !recovery_flush_chunk(rs))
		return false;
	if (dev.node_id != (uint64) rec->broker_id)
	{
		snprintf(rs->err, sizeof(rs->err), "WAL device \"%.500s\" belongs to broker %llu, not %d",
				 rec->wal_device, (unsigned long long) dev.node_id, rec->broker_id);
		return false;
	}
	return true;
}

/*
 * Step 3: the objects, the producer snapshots and the hand-over of the
 * dead broker's partitions in one transaction.  false with rs->err.
 */
static bool
recovery_commit(RecoveryScan *rs, const CatalogRecovery *rec)
{
	RecoveryCommit rc = {.rec = rec, .rs = rs};
	CatalogStreamEpoch *epochs = palloc(sizeof(CatalogStreamEpoch) * (size_t) Max(rs->nstreams, 1));
	CatalogObject *cobjs = UploadObjectsForCommit(rs->objs, rs->nobjs);
	uint64	   *fenced;
	int			nfenced;
	CatalogCommitResult res;

	for (int i = 0; i < rs->nstreams; i++)
	{
		epochs[i].stream_id = rs->streams[i].stream_id;
		epochs[i].epoch = rs->streams[i].epoch;
	}
	res = CatalogCommitObjectsExt(Uploader.catalog_conn, cobjs, rs->nobjs, epochs, rs->nstreams,
								  true, NULL, 0, false, recovery_commit_hook, &rc,
								  &fenced, &nfenced, rs->err, sizeof(rs->err));
	pfree(cobjs);
	pfree(epochs);
	if (res == CATALOG_COMMIT_FENCED)
	{
		snprintf(rs->err, sizeof(rs->err), "stream %llu of broker %d was opened elsewhere meanwhile; nothing committed",
				 (unsigned long long) fenced[0], rec->broker_id);
		pfree(fenced);
	}
	return res == CATALOG_COMMIT_OK;
}

static void
recovery_free(RecoveryScan *rs)
{
	for (int i = 0; i < rs->nobjs; i++)
		UploadObjectFree(&rs->objs[i]);
	for (int i = 0; i < rs->nstreams; i++)
		if (rs->streams[i].producers)
			pfree(rs->streams[i].producers);
	if (rs->objs)
		pfree(rs->objs);
	if (rs->streams)
		pfree(rs->streams);
	if (rs->chunk)
		pfree(rs->chunk);
	if (rs->recs)
		pfree(rs->recs);
}

/*
 * Recover one fenced broker's WAL, the steps of the file's header
 * comment.  false on a failure, logged and noted on the recovery.
 */
static bool
recover_one(const CatalogRecovery *rec)
{
	RecoveryScan rs;
	int64		start_ms = MonotonicMs();
	bool		ok;

	memset(&rs, 0, sizeof(rs));
	elog(LOG, "recovering the WAL of fenced broker %d (epoch %lld) from \"%s\"",
		 rec->broker_id, (long long) rec->broker_epoch, rec->wal_device);
	ok = recovery_load(&rs, rec) && recovery_scan(&rs, rec) && recovery_commit(&rs, rec);
	if (ok)
	{
		elog(LOG, "recovered the WAL of fenced broker %d in %lld ms: %lld record batches, %lld bytes in %d object(s); its partitions are led by live brokers now",
			 rec->broker_id, (long long) (MonotonicMs() - start_ms), (long long) rs.records,
			 (long long) rs.bytes, rs.nobjs);

		/* Step 4, best effort: the catalog's epochs fence the records anyway. */
		if (!WalMarkRecovered(rec->wal_device, (uint64) rec->broker_id, rs.end_lsn,
							  (uint64) rec->broker_epoch, rs.err, sizeof(rs.err)))
			elog(WARNING, "recovered broker %d's WAL, but could not mark it so: %s", rec->broker_id, rs.err);
	}
	else
	{
		char		msg[800];

		snprintf(msg, sizeof(msg), "recovery of broker %d's WAL failed: %s", rec->broker_id, rs.err);
		UploaderNoteFailure(msg);
		if (Uploader.catalog_conn != NULL && PQstatus(Uploader.catalog_conn) == CONNECTION_OK)
			CatalogRecoveryNoteError(Uploader.catalog_conn, rec, rs.err);
	}
	recovery_free(&rs);
	return ok;
}

/* The recoveries the controller assigned to this broker, one at a time. */
void
UploaderRecoveryStep(void)
{
	CatalogRecovery *recs;
	int			n;
	char		err[700];

	if (!ClusterTakeRecoveryWork())
		return;
	if (!CatalogRecoveriesFor(Uploader.catalog_conn, (int32) broker_id, &recs, &n, err, sizeof(err)))
	{
		ClusterNoteRecoveryWork();	/* look again after the retry delay */
		UploaderNoteFailure(err);
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
