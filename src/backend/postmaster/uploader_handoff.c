/*-------------------------------------------------------------------------
 *
 * uploader_handoff.c
 *	  The uploader's part of a partition move: the hand-off
 *	  (doc/cluster.md, "Moves").
 *
 *	  The catalog worker freezes a partition being moved away: appends to
 *	  it are refused from then on, and the partition registry notes the
 *	  WAL position of the last append made before the freeze.  Once the
 *	  WAL is durable up to there, the uploader
 *
 *	    1. reads each stream's state in the catalog and gathers its tail:
 *	       every pending record beyond what objects hold, which must reach
 *	       the partition's end (else it waits and tries again);
 *	    2. builds the tails of all streams handed off at once into one
 *	       object and streams it out, unpaced (the partitions are
 *	       unavailable until the hand-off commits);
 *	    3. commits the object, the producer snapshots and the new leaders
 *	       in one catalog transaction that checks every stream's epoch;
 *	    4. tells the registry, and forgets the streams' pending records:
 *	       the WAL is trimmed past whatever no longer needs uploading.
 *
 *	  A failure at any step leaves everything as it was; the hand-off is
 *	  tried again after the catalog's backoff, and the controller cancels
 *	  a move that does not complete in time (the partition thaws here).
 *
 * src/backend/postmaster/uploader_handoff.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_cluster.h"
#include "kafka/partition.h"
#include "postmaster/uploader_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define MAX_HANDOFFS	4096

/*
 * One round of hand-offs in the making; UploaderHandoffStep runs the
 * steps in turn and frees it all in one place, whatever step failed.
 */
typedef struct Handoff
{
	PartitionHandoff *h;		/* the frozen partitions, by stream */
	int			n;
	CatalogStreamState *states; /* the catalog's view of h[] */
	LogCacheRecord **recs;		/* the tails, by (stream, LSN) */
	int			nrecs;
	UploadObject *obj;			/* the tails' object, if any */
	bool	   *handed;			/* per h[]: false if the move was cancelled */
	int32	   *leader_epochs;	/* per h[]: the new leader's epoch */
	char	   *scratch;		/* a record body that wraps the ring */
	size_t		scratchlen;
	int64		start_ms;
	char		err[700];
} Handoff;

static int
cmp_handoff_stream(const void *a, const void *b)
{
	uint64		x = ((const PartitionHandoff *) a)->stream_id;
	uint64		y = ((const PartitionHandoff *) b)->stream_id;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static PartitionHandoff *
find_handoff(const Handoff *ho, uint64 stream_id)
{
	PartitionHandoff key = {.stream_id = stream_id};

	return bsearch(&key, ho->h, (size_t) ho->n, sizeof(PartitionHandoff), cmp_handoff_stream);
}

/*
 * Step 1: the catalog's view of the streams, and their tails: every
 * pending record beyond the objects, which must reach each partition's
 * end.  false with ho->err.
 */
static bool
handoff_gather(Handoff *ho)
{
	uint64	   *sids = palloc(sizeof(uint64) * (size_t) ho->n);
	bool		ok;

	ho->states = palloc(sizeof(CatalogStreamState) * (size_t) ho->n);
	for (int i = 0; i < ho->n; i++)
		sids[i] = ho->h[i].stream_id;
	ok = CatalogGetStreamStates(Uploader.catalog_conn, sids, ho->n, ho->states,
								ho->err, sizeof(ho->err));
	pfree(sids);
	if (!ok)
		return false;

	ho->recs = palloc(sizeof(LogCacheRecord *) * (size_t) Max(Uploader.npending, 1));
	for (int i = 0; i < Uploader.npending; i++)
	{
		const LogCacheRecord *r = &Uploader.pending[i].rec;
		PartitionHandoff *f = find_handoff(ho, r->stream_id);

		if (f != NULL && r->base_offset + (int64) r->record_count > ho->states[f - ho->h].object_end_offset)
			ho->recs[ho->nrecs++] = &Uploader.pending[i].rec;
	}
	qsort(ho->recs, (size_t) ho->nrecs, sizeof(LogCacheRecord *), UploadCmpStreamLsn);

	/* Nothing may be missing: the tail must reach the partition's end. */
	for (int i = 0, k = 0; i < ho->n; i++)
	{
		int64		end = ho->states[i].object_end_offset;

		while (k < ho->nrecs && ho->recs[k]->stream_id == ho->h[i].stream_id)
		{
			end = ho->recs[k]->base_offset + (int64) ho->recs[k]->record_count;
			k++;
		}
		if (end < ho->h[i].next_offset)
		{
			snprintf(ho->err, sizeof(ho->err),
					 "hand-off of stream %llu: the WAL holds it up to offset %lld only, not %lld; retrying",
					 (unsigned long long) ho->h[i].stream_id, (long long) end,
					 (long long) ho->h[i].next_offset);
			return false;
		}
	}
	return true;
}

/* Step 2: the tails into one object, streamed out unpaced.  false with ho->err. */
static bool
handoff_build(Handoff *ho)
{
	ObjFormatKind kind;

	if (ho->nrecs == 0)
		return true;
	kind = ho->recs[0]->stream_id == ho->recs[ho->nrecs - 1]->stream_id ? OBJFORMAT_SO : OBJFORMAT_SSO;
	ho->obj = palloc0(sizeof(UploadObject));
	return UploadObjectBuild(ho->obj, kind, ho->recs, ho->nrecs, NULL, &ho->scratch, &ho->scratchlen,
							 ho->err, sizeof(ho->err));
}

/* In the commit's transaction: the targets lead the partitions from now on. */
static bool
handoff_commit_hook(PGconn *conn, void *arg, char *err, size_t errlen)
{
	Handoff    *ho = arg;

	for (int i = 0; i < ho->n; i++)
		if (!CatalogHandoffInTxn(conn, (int32) broker_id, ho->h[i].stream_id, ho->h[i].next_offset,
								 &ho->handed[i], &ho->leader_epochs[i], err, errlen))
			return false;
	return true;
}

/*
 * Step 3: the object, the producer snapshots and the new leaders in one
 * transaction.  false with ho->err.
 */
static bool
handoff_commit(Handoff *ho)
{
	CatalogStreamEpoch *epochs = palloc(sizeof(CatalogStreamEpoch) * (size_t) ho->n);
	int			nobjs = ho->obj ? 1 : 0;
	CatalogObject *cobjs = UploadObjectsForCommit(ho->obj, nobjs);
	uint64	   *fenced;
	int			nfenced;
	CatalogCommitResult res;

	for (int i = 0; i < ho->n; i++)
	{
		epochs[i].stream_id = ho->h[i].stream_id;
		epochs[i].epoch = ho->h[i].stream_epoch;
	}
	ho->handed = palloc0(sizeof(bool) * (size_t) ho->n);
	ho->leader_epochs = palloc0(sizeof(int32) * (size_t) ho->n);
	res = CatalogCommitObjectsExt(Uploader.catalog_conn, cobjs, nobjs, epochs, ho->n, true, NULL, 0,
								  true, handoff_commit_hook, ho, &fenced, &nfenced,
								  ho->err, sizeof(ho->err));
	pfree(cobjs);
	pfree(epochs);
	if (res == CATALOG_COMMIT_FENCED)
	{
		snprintf(ho->err, sizeof(ho->err), "hand-off refused: stream %llu was opened by another broker",
				 (unsigned long long) fenced[0]);
		pfree(fenced);
	}
	return res == CATALOG_COMMIT_OK;
}

/*
 * Step 4: the registry learns the new leaders; we forget the pending
 * records of streams we no longer lead, and trim the WAL up to the oldest
 * record still pending: what lies before it is in objects.
 */
static void
handoff_finish(Handoff *ho)
{
	int			w = 0;

	for (int i = 0; i < ho->n; i++)
	{
		if (!ho->handed[i])
			continue;			/* the move was cancelled: the catalog worker thaws it */
		PartitionHandedOff(ho->h[i].idx, ho->h[i].target, ho->leader_epochs[i]);
		elog(LOG, "handed stream %llu off to broker %d at offset %lld (leader epoch %d) in %lld ms",
			 (unsigned long long) ho->h[i].stream_id, ho->h[i].target, (long long) ho->h[i].next_offset,
			 ho->leader_epochs[i], (long long) (MonotonicMs() - ho->start_ms));
	}

	for (int i = 0; i < Uploader.npending; i++)
	{
		const PendingRecord *p = &Uploader.pending[i];
		PartitionHandoff *f = find_handoff(ho, p->rec.stream_id);

		if (f != NULL && ho->handed[f - ho->h])
		{
			Uploader.pending_bytes -= p->rec.end_lsn - p->rec.lsn;
			continue;
		}
		Uploader.pending[w++] = *p;
	}
	Uploader.npending = w;
	{
		WalLsn		upto = w > 0 ? Uploader.pending[0].rec.lsn : Uploader.scan_pos;

		if (upto > WalTrimLsn())
			WalTrim(upto);
	}
}

static void
handoff_free(Handoff *ho)
{
	if (ho->obj)
		UploadObjectsFree(ho->obj, 1);
	if (ho->scratch)
		pfree(ho->scratch);
	if (ho->recs)
		pfree(ho->recs);
	if (ho->states)
		pfree(ho->states);
	if (ho->handed)
		pfree(ho->handed);
	if (ho->leader_epochs)
		pfree(ho->leader_epochs);
	pfree(ho->h);
}

/*
 * Complete the hand-offs the catalog worker froze partitions for, the
 * steps of the file's header comment.  Returns false on a failure (logged,
 * retried); *wait_ms says when to look again while appends made before
 * the freeze are still being flushed.
 */
bool
UploaderHandoffStep(long *wait_ms)
{
	Handoff		ho;
	WalLsn		need = 0;
	bool		ok;

	memset(&ho, 0, sizeof(ho));
	ho.start_ms = MonotonicMs();
	ho.h = palloc(sizeof(PartitionHandoff) * MAX_HANDOFFS);
	ho.n = PartitionCollectHandoffs(ho.h, MAX_HANDOFFS);
	for (int i = 0; i < ho.n; i++)
		need = Max(need, ho.h[i].handoff_lsn);
	if (ho.n == 0 || WalFlushedLsn() < need)
	{
		if (ho.n > 0)
		{
			/* Appends made before the freeze are still being written. */
			WalRequestUploadWakeup(need);
			WalKickWriter();
			*wait_ms = Min(*wait_ms, 5);
		}
		pfree(ho.h);
		return true;
	}
	UploaderScanWal();
	qsort(ho.h, (size_t) ho.n, sizeof(PartitionHandoff), cmp_handoff_stream);

	ok = handoff_gather(&ho) && handoff_build(&ho) && handoff_commit(&ho);
	if (ok)
		handoff_finish(&ho);
	else
		UploaderNoteFailure(ho.err);
	handoff_free(&ho);
	return ok;
}
