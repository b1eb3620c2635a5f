/*-------------------------------------------------------------------------
 *
 * objstore_s3writer.c
 *	  The s3:// half of a streamed put (ObjStoreWriter): one PutObject
 *	  whose body arrives while it runs, or a multipart upload whose parts
 *	  do.
 *
 *	  With the object's size announced, the first part starts a PutObject
 *	  of that Content-Length whose body curl pulls from the parts handed
 *	  over (stream_pull), pausing when it has sent them all; a part is
 *	  given back once curl has taken its last byte.  The MD5 of the parts
 *	  is checked against the ETag of the answer.
 *
 *	  Without, the first part starts CreateMultipartUpload; each part is sent with
 *	  UploadPart as soon as the upload exists, at most
 *	  OBJSTORE_WRITER_PARTS_IN_FLIGHT at once (the writer waits for one to
 *	  end before it takes another: the caller's buffers are bounded), and
 *	  given back to the caller (the writer's release) once answered.  The
 *	  finish sends the rest and CompleteMultipartUpload.  An object that
 *	  never had a part goes as one PutObject.  After any failure every
 *	  exchange is let end, then the upload is aborted, so that nothing
 *	  appears under the key and no parts are left to bill.
 *
 *	  The op is private (its request is never in the done queue): every
 *	  answer to one of its exchanges sets req->done, which is what
 *	  writer_wait waits for, and is cleared before each wait.
 *
 * src/backend/storage/objstore/objstore_s3writer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>

#include "objstore_s3_int.h"
#include "storage/s3xml.h"

static void
writer_release_part(S3Op *op, int i)
{
	ObjStoreWriter *w = op->writer;

	if (op->wparts[i].released)
		return;
	op->wparts[i].released = true;
	op->wheld--;
	if (w->release)
		w->release(op->wparts[i].tag, w->release_arg);
}

/* Note the writer's first failure, from exchange x. */
static void
writer_fail(ObjStore *store, S3Op *op, S3Xfer *x)
{
	if (op->writer->failed)
		return;
	s3_xfer_error(store, x, &op->writer->error);
	op->writer->failed = true;
}

/* Start UploadPart for the parts waiting, within the in-flight limit. */
static void
writer_start_parts(ObjStore *store, S3Op *op)
{
	while (!op->writer->failed && op->state == S3_W_PARTS && op->wnext < op->nwparts &&
		   op->parts_inflight < OBJSTORE_WRITER_PARTS_IN_FLIGHT)
	{
		int			i = op->wnext++;

		s3_start_upload_part(store, op, i + 1, op->wparts[i].data, op->wparts[i].len);
	}
}

/*
 * The body of a streamed PutObject: the parts handed over, in order.  A
 * part is given back once its last byte is in curl's buffer, which also
 * wakes a writer waiting for room (req->done).
 */
static size_t
stream_pull(S3Xfer *x, char *buf, size_t n)
{
	S3Op	   *op = x->op;
	size_t		got = 0;

	while (got < n && op->wnext < op->nwparts)
	{
		S3WPart    *p = &op->wparts[op->wnext];
		size_t		take = Min(n - got, p->len - op->wpos);

		memcpy(buf + got, p->data + op->wpos, take);
		got += take;
		op->wpos += take;
		if (op->wpos == p->len)
		{
			writer_release_part(op, op->wnext);
			op->wnext++;
			op->wpos = 0;
			op->req->done = true;
		}
	}
	if (got == 0)
	{
		x->paused = true;		/* until the next part (s3_xfer_resume) */
		return CURL_READFUNC_PAUSE;
	}
	return got;
}

/* The MD5 of the bytes handed over, as lower-case hex, into out[33]. */
static void
stream_md5_hex(S3Op *op, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_DigestFinal_ex(op->md5, md, &mdlen);
	for (unsigned int i = 0; i < mdlen && i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[32] = '\0';
}

/*
 * A streamed PutObject answered 200: was all of the body sent, and is its
 * ETag (quoted, for a single PutObject the MD5 of the bytes S3 stored)
 * the MD5 of what was handed over?  The body was not signed, so this is
 * what catches bytes changed on the way.
 */
static void
stream_check(ObjStore *store, S3Op *op, S3Xfer *x)
{
	ObjStoreWriter *w = op->writer;
	char		md5[33];
	const char *etag = x->etag;
	size_t		elen = strlen(etag);

	if (x->body_pos != x->body_len)
	{
		objstore_error(&w->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
					   "PutObject of \"%s\" was answered after %zu of its %zu bytes",
					   op->req->key, x->body_pos, x->body_len);
		w->failed = true;
		return;
	}
	stream_md5_hex(op, md5);
	if (elen >= 2 && etag[0] == '"' && etag[elen - 1] == '"')
		etag++, elen -= 2;
	if (elen != 32 || strncasecmp(etag, md5, 32) != 0)
	{
		objstore_error(&w->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
					   "PutObject of \"%s\" to %s: the answer's ETag %s is not the MD5 of the bytes sent (%s): they changed on the way, or the bucket encrypts objects with SSE-KMS or SSE-C, whose ETags are not MD5s (then set upload_single_put = off)",
					   op->req->key, store->display, x->etag[0] ? x->etag : "(none)", md5);
		w->failed = true;
	}
}

/* Start the streamed PutObject, with the parts handed over so far. */
static void
writer_start_stream(ObjStore *store, S3Op *op)
{
	S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_PUT_OBJECT, "PUT", op->req->key);

	s3_xfer_set_pull(x, (size_t) op->writer->announced, stream_pull);
	op->state = S3_W_STREAM;
	op->wxfer = x;
	s3_xfer_launch(store, x);
}

/* Start a request of the writer's own (not a part), in the given state. */
static void
writer_start(ObjStore *store, S3Op *op, S3OpState state, const char *body, size_t len)
{
	op->state = state;
	if (state == S3_W_PUT)
	{
		S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_PUT_OBJECT, "PUT", op->req->key);

		s3_xfer_set_body(x, body, len);
		s3_xfer_launch(store, x);
	}
	else
		s3_start_mpu_request(store, op,
							 state == S3_W_CREATE ? METRIC_OBJREQ_CREATE_MULTIPART_UPLOAD :
							 state == S3_W_COMPLETE ? METRIC_OBJREQ_COMPLETE_MULTIPART_UPLOAD :
							 METRIC_OBJREQ_ABORT_MULTIPART_UPLOAD,
							 body, len);
}

/* An exchange of a writer's op has ended (retries done). */
void
s3_writer_step(ObjStore *store, S3Op *op, S3Xfer *x, bool ok)
{
	ObjStoreRequest *req = op->req;

	switch (op->state)
	{
		case S3_W_CREATE:
			if (ok)
				op->upload_id = x->resp ? S3XmlGet(x->resp, x->resp_len, "UploadId") : NULL;
			if (!ok)
				writer_fail(store, op, x);
			else if (op->upload_id == NULL || op->upload_id[0] == '\0')
			{
				objstore_error(&op->writer->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
							   "CreateMultipartUpload of \"%s\": no UploadId in the answer", req->key);
				op->writer->failed = true;
			}
			if (op->upload_id != NULL && op->upload_id[0] == '\0')
			{
				pfree(op->upload_id);
				op->upload_id = NULL;	/* nothing to abort */
			}
			s3_xfer_free(x);
			op->state = op->upload_id ? S3_W_PARTS : S3_W_IDLE;
			writer_start_parts(store, op);
			break;

		case S3_W_PARTS:
			{
				int			i = x->part_number - 1;

				op->parts_inflight--;
				if (ok && x->etag[0] == '\0')
				{
					objstore_error(&op->writer->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
								   "UploadPart %d of \"%s\": no ETag in the answer", x->part_number, req->key);
					op->writer->failed = true;
				}
				else if (ok)
				{
					op->etags[i] = pstrdup(x->etag);
					op->parts_done++;
				}
				else
					writer_fail(store, op, x);
				s3_xfer_free(x);
				writer_release_part(op, i);
				writer_start_parts(store, op);
			}
			break;

		case S3_W_PUT:
			if (!ok)
				writer_fail(store, op, x);
			s3_xfer_free(x);
			op->state = S3_W_IDLE;
			writer_release_part(op, 0);
			break;

		case S3_W_STREAM:
			if (!ok)
				writer_fail(store, op, x);
			else
				stream_check(store, op, x);
			op->wxfer = NULL;
			s3_xfer_free(x);
			op->state = S3_W_IDLE;
			break;

		case S3_W_COMPLETE:
			if (ok && s3_resp_has(x, "Error"))
				ok = false;
			if (!ok)
				writer_fail(store, op, x);
			s3_xfer_free(x);
			op->state = S3_W_PARTS;
			break;

		case S3_W_ABORT:
			/* best effort: the writer has failed already, keep its error */
			s3_xfer_free(x);
			op->state = S3_W_IDLE;
			break;

		default:
			Ensure(false);	/* only writer states reach here */
	}
	req->done = true;
}

/* Drive transfers until an exchange of the writer's op has ended. */
static void
writer_wait(ObjStore *store, S3Op *op)
{
	op->req->done = false;
	s3_wait(store, 1000, op->req);
}

void
s3_writer_begin(ObjStoreWriter *w)
{
	ObjStoreRequest *req = palloc0(sizeof(ObjStoreRequest));
	S3Op	   *op;

	req->op = OBJSTORE_OP_PUT;
	req->key = pstrdup(w->key);
	op = s3_op_new(req);
	op->writer = w;
	op->state = S3_W_IDLE;
	if (w->announced > 0)
	{
		op->streamed = true;
		op->md5 = EVP_MD_CTX_new();
		Ensure(op->md5 != NULL && EVP_DigestInit_ex(op->md5, EVP_md5(), NULL) == 1);
	}
	w->op = op;
}

static void
writer_add_part(S3Op *op, const void *data, size_t len, void *tag)
{
	if (op->nwparts == op->wparts_cap)
	{
		op->wparts_cap = op->wparts_cap ? op->wparts_cap * 2 : 16;
		op->wparts = op->wparts ? repalloc(op->wparts, sizeof(S3WPart) * op->wparts_cap)
			: palloc(sizeof(S3WPart) * op->wparts_cap);
		op->etags = op->etags ? repalloc(op->etags, sizeof(char *) * op->wparts_cap)
			: palloc(sizeof(char *) * op->wparts_cap);
	}
	op->wparts[op->nwparts].data = data;
	op->wparts[op->nwparts].len = len;
	op->wparts[op->nwparts].tag = tag;
	op->etags[op->nwparts] = NULL;
	op->wparts[op->nwparts].released = false;
	op->nwparts++;
	op->wheld++;
}

/*
 * A part for the streamed PutObject: the first starts it, any other lets
 * a paused one go on; then wait while the writer holds its maximum.
 */
static bool
stream_part(ObjStore *store, S3Op *op, const void *data, size_t len, void *tag)
{
	ObjStoreWriter *w = op->writer;

	writer_add_part(op, data, len, tag);
	if (w->failed)
		return false;
	EVP_DigestUpdate(op->md5, data, len);
	if (op->nwparts == 1)
		writer_start_stream(store, op);
	else if (op->wxfer != NULL)
		s3_xfer_resume(op->wxfer);
	while (!w->failed && op->wheld >= OBJSTORE_WRITER_PARTS_IN_FLIGHT)
		writer_wait(store, op);
	return !w->failed;
}

bool
s3_writer_part(ObjStoreWriter *w, const void *data, size_t len, void *tag)
{
	ObjStore   *store = w->store;
	S3Op	   *op = w->op;

	if (op->streamed)
		return stream_part(store, op, data, len, tag);
	if (op->nwparts >= OBJSTORE_MAX_PARTS - 1)
	{
		objstore_error(&w->error, OBJSTORE_INVALID_ARGUMENT, 0,
					   "streamed put of \"%s\" has more than %d parts: use larger parts",
					   w->key, OBJSTORE_MAX_PARTS);
		if (w->release)
			w->release(tag, w->release_arg);
		return false;
	}
	writer_add_part(op, data, len, tag);
	if (op->state == S3_W_IDLE && op->upload_id == NULL)
		writer_start(store, op, S3_W_CREATE, NULL, 0);
	writer_start_parts(store, op);
	while (!w->failed && op->wheld >= OBJSTORE_WRITER_PARTS_IN_FLIGHT)
		writer_wait(store, op);
	return !w->failed;
}

/* Let every exchange of the op end, then abort the upload if one exists. */
static void
writer_settle_and_abort(ObjStore *store, S3Op *op)
{
	op->writer->failed = true;	/* no new part starts */
	if (op->state == S3_W_STREAM)
	{
		/*
		 * Its body will not be finished: S3 keeps nothing of a PutObject
		 * cut short of its Content-Length.
		 */
		s3_xfer_cancel(store, op->wxfer);
		op->wxfer = NULL;
		op->state = S3_W_IDLE;
	}
	while (op->state == S3_W_CREATE || op->state == S3_W_PUT || op->state == S3_W_COMPLETE ||
		   op->parts_inflight > 0)
		writer_wait(store, op);
	if (op->upload_id != NULL)
	{
		writer_start(store, op, S3_W_ABORT, NULL, 0);
		while (op->state == S3_W_ABORT)
			writer_wait(store, op);
	}
}

/* Release what is still held and free the op. */
static void
writer_free_op(S3Op *op)
{
	ObjStoreRequest *req = op->req;

	for (int i = 0; i < op->nwparts; i++)
	{
		writer_release_part(op, i);
		if (op->etags[i])
			pfree(op->etags[i]);
	}
	if (op->wparts)
		pfree(op->wparts);
	if (op->etags)
		pfree(op->etags);
	if (op->upload_id)
		pfree(op->upload_id);
	if (op->body)
		pfree(op->body);
	if (op->md5)
		EVP_MD_CTX_free(op->md5);
	op->writer->op = NULL;
	pfree(op);
	pfree(req->key);
	pfree(req);
}

bool
s3_writer_finish(ObjStoreWriter *w, const void *data, size_t len, void *tag)
{
	ObjStore   *store = w->store;
	S3Op	   *op = w->op;

	if (op->nwparts == 0)
	{
		/* The whole object in one PutObject. */
		writer_add_part(op, data, len, tag);
		writer_start(store, op, S3_W_PUT, data, len);
		while (op->state == S3_W_PUT)
			writer_wait(store, op);
		writer_free_op(op);
		return !w->failed;
	}
	if (op->streamed)
	{
		/* the last bytes; then the answer, which checks them all */
		if (stream_part(store, op, data, len, tag))
			while (op->state == S3_W_STREAM)
				writer_wait(store, op);
		if (w->failed)
			writer_settle_and_abort(store, op);
		writer_free_op(op);
		return !w->failed;
	}
	if (len > 0)
		writer_add_part(op, data, len, tag);
	else if (w->release)
		w->release(tag, w->release_arg);
	writer_start_parts(store, op);
	while (!w->failed && op->parts_done < op->nwparts)
		writer_wait(store, op);
	if (!w->failed)
	{
		size_t		blen;

		op->body = s3_complete_body(op->etags, op->nwparts, &blen);
		writer_start(store, op, S3_W_COMPLETE, op->body, blen);
		while (op->state == S3_W_COMPLETE)
			writer_wait(store, op);
	}
	if (w->failed)
		writer_settle_and_abort(store, op);
	writer_free_op(op);
	return !w->failed;
}

void
s3_writer_abort(ObjStoreWriter *w)
{
	if (w->op == NULL)
		return;
	writer_settle_and_abort(w->store, w->op);
	writer_free_op(w->op);
}

