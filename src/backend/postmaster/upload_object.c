/*-------------------------------------------------------------------------
 *
 * upload_object.c
 *	  One object of the uploader, built and streamed out as it is built.
 *
 *	  An object is prepared in the catalog (which names its key), built by
 *	  an ObjFormatBuilder in buffers of about upload_part_size, and each
 *	  time that many bytes of blocks are closed they go to the store as one
 *	  part (ObjStoreWriter) while the builder goes on in another buffer.
 *	  With upload_single_put the object's size is worked out from its
 *	  records first (ObjFormatLayout), so that on S3 the parts are the body
 *	  of one PutObject rather than the parts of a multipart upload.
 *	  The finish sends the rest and makes the object complete and durable
 *	  in the store; the caller commits it.  Regular uploads pace their
 *	  parts (UploadPace()); hand-offs and recoveries are waited for, and do not.
 *
 * src/backend/postmaster/upload_object.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <string.h>

#include "postmaster/interrupt.h"
#include "postmaster/uploader_internal.h"
#include "storage/latch.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/*
 * Part buffers kept from one part to the next.  An object is built in
 * buffers of about upload_part_size: allocated afresh each time, every
 * page of them was faulted in and zeroed again, which cost more CPU than
 * copying the data in.  The largest UPLOAD_SPARE_BUFFERS (the parts a
 * writer may hold, and two builders') are kept, and let go when the
 * uploader has been idle a while (UploadReleaseSpareBuffers).
 */
#define UPLOAD_SPARE_BUFFERS	(OBJSTORE_WRITER_PARTS_IN_FLIGHT + 2)

typedef struct SpareBuffer
{
	char	   *buf;			/* NULL: an empty slot */
	size_t		cap;
} SpareBuffer;

static SpareBuffer spares[UPLOAD_SPARE_BUFFERS];

/* qsort order of LogCacheRecord pointers: by stream, then LSN. */
int
UploadCmpStreamLsn(const void *a, const void *b)
{
	const LogCacheRecord *x = *(const LogCacheRecord *const *) a;
	const LogCacheRecord *y = *(const LogCacheRecord *const *) b;

	if (x->stream_id != y->stream_id)
		return x->stream_id < y->stream_id ? -1 : 1;
	return x->lsn < y->lsn ? -1 : (x->lsn > y->lsn ? 1 : 0);
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

void
UploadReleaseSpareBuffers(void)
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

/* The size of an object of recs, as the builder will build it. */
static uint64
object_size(LogCacheRecord *const *recs, int nrecs)
{
	ObjFormatLayout layout;

	ObjFormatLayoutInit(&layout, 0);
	for (int i = 0; i < nrecs; i++)
		(void) ObjFormatLayoutAdd(&layout, recs[i]->stream_id, (uint32) recs[i]->record_count,
								  recs[i]->len1 + recs[i]->len2);
	return ObjFormatLayoutSize(&layout);
}

/*
 * Start obj, to hold recs: prepare it in the catalog (which names its
 * key), a builder, a writer.  false with err.
 */
bool
UploadObjectBegin(UploadObject *obj, ObjFormatKind kind, LogCacheRecord *const *recs, int nrecs,
				  char *err, size_t errlen)
{
	size_t		cap;
	char	   *buf;

	memset(obj, 0, sizeof(*obj));
	obj->kind = kind;
	obj->start_us = MetricsNowUs();
	if (!CatalogPrepareObject(Uploader.catalog_conn, kind, &obj->object_id, obj->key, sizeof(obj->key),
							  err, errlen))
		return false;
	buf = take_buffer(&cap);
	obj->builder = ObjFormatBuilderCreateIn(kind, 0, buf, cap);
	obj->announced = upload_single_put ? object_size(recs, nrecs) : 0;
	obj->writer = ObjStoreWriterBegin(Uploader.store, obj->key, obj->announced, part_released, NULL);
	return true;
}

/*
 * The longest pacing wait on S3.  An object is one PutObject there
 * (upload_single_put), and S3 ends a request that sends nothing for about
 * 20 s (RequestTimeout), which a slow rate (a long upload_interval) could
 * otherwise reach between two parts.
 */
#define PACE_MAX_WAIT_S3_MS		5000

/*
 * Let the upload's parts go at the pacer's rate: wait out the time the
 * bytes sent so far should have taken, driving the store's transfers
 * meanwhile.  Whatever sets our latch (an appender waiting for WAL space,
 * a hand-off, a shutdown, the next upload's threshold) ends the pacing of
 * this upload: it then goes at full speed.
 */
void
UploadPace(Pacer *p, size_t len)
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
	if (ObjStoreIsS3(Uploader.store))
		due = Min(due, MonotonicMs() + PACE_MAX_WAIT_S3_MS);
	start_us = MetricsNowUs();
	for (;;)
	{
		int64		now = MonotonicMs();
		int64		slice = Min(due - now, (int64) 50);
		int			rc;

		if (slice <= 0)
			break;
		if (ObjStoreIsS3(Uploader.store))
		{
			(void) ObjStoreWait(Uploader.store, (long) slice);
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
bool
UploadObjectAdd(UploadObject *obj, const LogCacheRecord *r, Pacer *pacer, char **scratch,
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
			UploadPace(pacer, len);
	}
	return true;
}

/*
 * Finish obj: its ranges (with timestamps from recs, in stream order), the
 * rest of the object to the writer, which makes it complete and durable
 * in the store.  The rest goes at the pacer's rate too (if any): it is
 * up to a part's worth of bytes, half of a small object.  false with err.
 */
bool
UploadObjectFinish(UploadObject *obj, LogCacheRecord **recs, int nrecs, Pacer *pacer,
				   char *err, size_t errlen)
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
	Assert(obj->announced == 0 || obj->announced == obj->len);
	pb->buf = ObjFormatFinishBuffer(obj->builder, &len, &pb->cap);
	ObjFormatBuilderFree(obj->builder);
	obj->builder = NULL;
	if (pacer)
		UploadPace(pacer, len);
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
		Uploader.store_checked = false;
	}
	return ok;
}

/*
 * An object of recs from start to finish: Begin, Add each, Finish.  false
 * with err; the object is then to be freed.
 */
bool
UploadObjectBuild(UploadObject *obj, ObjFormatKind kind, LogCacheRecord **recs, int nrecs,
				  Pacer *pacer, char **scratch, size_t *scratchlen, char *err, size_t errlen)
{
	bool		ok = UploadObjectBegin(obj, kind, recs, nrecs, err, errlen);

	for (int k = 0; ok && k < nrecs; k++)
		ok = UploadObjectAdd(obj, recs[k], pacer, scratch, scratchlen, err, errlen);
	return ok && UploadObjectFinish(obj, recs, nrecs, pacer, err, errlen);
}

/*
 * Free what obj holds.  An object not finished is abandoned: its writer
 * aborted (nothing appears under its key), its catalog entry left
 * 'prepared', to be deleted as an orphan.
 */
void
UploadObjectFree(UploadObject *obj)
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

/* Free objs[0 .. nobjs-1] and the array. */
void
UploadObjectsFree(UploadObject *objs, int nobjs)
{
	for (int i = 0; i < nobjs; i++)
		UploadObjectFree(&objs[i]);
	pfree(objs);
}

/*
 * The catalog's view of finished objects, for CatalogCommitObjects: a
 * palloc'd array whose ranges point into objs (free it before them).
 */
CatalogObject *
UploadObjectsForCommit(const UploadObject *objs, int nobjs)
{
	CatalogObject *cobjs = palloc0(sizeof(CatalogObject) * (size_t) Max(nobjs, 1));

	for (int i = 0; i < nobjs; i++)
	{
		cobjs[i].object_id = objs[i].object_id;
		cobjs[i].size = objs[i].len;
		cobjs[i].compactions = 0;
		cobjs[i].ranges = objs[i].ranges;
		cobjs[i].nranges = objs[i].nranges;
	}
	return cobjs;
}
