/*-------------------------------------------------------------------------
 *
 * objstore.c
 *	  The object-store front end: URL dispatch, key validation, the done
 *	  queue of asynchronous requests and the synchronous wrappers.
 *
 *	  Every operation goes through the asynchronous path (start, then wait
 *	  for that request); the synchronous calls are thin wrappers, so both
 *	  back ends are exercised the same way whichever style a caller uses.
 *
 *	  The s3 back end counts its HTTP requests itself (objstore_s3.c).
 *	  The file back end's operations are counted here, once each, under
 *	  the S3 request they stand for, so that the same dashboards work on
 *	  both: a put is one PutObject whatever its size, a get one GetObject.
 *
 * src/backend/storage/objstore/objstore.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "objstore_int.h"
#include "utils/guc.h"
#include "utils/metrics.h"

void
objstore_error(ObjStoreError *err, ObjStoreStatus code, int http_status,
			   const char *fmt, ...)
{
	va_list		ap;

	if (err == NULL)
		return;
	err->code = code;
	err->http_status = http_status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* one line: never let a server's text break the log line */
	for (char *p = err->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void
error_clear(ObjStoreError *err)
{
	if (err)
	{
		err->code = OBJSTORE_OK;
		err->http_status = 0;
		err->message[0] = '\0';
	}
}

const char *
ObjStoreStatusName(ObjStoreStatus code)
{
	switch (code)
	{
		case OBJSTORE_OK:
			return "ok";
		case OBJSTORE_NOT_FOUND:
			return "not found";
		case OBJSTORE_NO_BUCKET:
			return "no such bucket";
		case OBJSTORE_ACCESS_DENIED:
			return "access denied";
		case OBJSTORE_BAD_RANGE:
			return "bad range";
		case OBJSTORE_UNAVAILABLE:
			return "unavailable";
		case OBJSTORE_IO_ERROR:
			return "I/O error";
		case OBJSTORE_CONFIG_ERROR:
			return "configuration error";
		case OBJSTORE_PROTOCOL_ERROR:
			return "protocol error";
		case OBJSTORE_INVALID_ARGUMENT:
			return "invalid argument";
	}
	return "unknown";
}

/*
 * Keys must be usable both as relative file paths and as S3 keys inside
 * XML bodies: printable UTF-8 (no control characters, which XML 1.0 cannot
 * carry), no empty/"."/".." components, no leading or trailing '/'.
 */
bool
ObjStoreKeyIsValid(const char *key, char *why, size_t whylen)
{
	size_t		len;
	const char *comp;

	if (key == NULL || key[0] == '\0')
	{
		snprintf(why, whylen, "key is empty");
		return false;
	}
	len = strlen(key);
	if (len > OBJSTORE_MAX_KEY_LEN)
	{
		snprintf(why, whylen, "key is %zu bytes long, more than %d", len, OBJSTORE_MAX_KEY_LEN);
		return false;
	}
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) key[i];

		if (c < 0x20 || c == 0x7f)
		{
			snprintf(why, whylen, "key contains control character 0x%02x at byte %zu", c, i);
			return false;
		}
	}
	comp = key;
	for (;;)
	{
		const char *slash = strchr(comp, '/');
		size_t		clen = slash ? (size_t) (slash - comp) : strlen(comp);

		if (clen == 0)
		{
			snprintf(why, whylen, "key \"%s\" has an empty path component", key);
			return false;
		}
		if ((clen == 1 && comp[0] == '.') || (clen == 2 && comp[0] == '.' && comp[1] == '.'))
		{
			snprintf(why, whylen, "key \"%s\" has a \".\" or \"..\" component", key);
			return false;
		}
		if (clen >= 12 && strncmp(comp, ".strata-tmp.", 12) == 0)
		{
			snprintf(why, whylen, "key \"%s\" uses the reserved name prefix \".strata-tmp.\"", key);
			return false;
		}
		if (!slash)
			break;
		comp = slash + 1;
	}
	return true;
}

ObjStore *
ObjStoreOpen(const char *url, ObjStoreError *err)
{
	ObjStore   *store = palloc0(sizeof(ObjStore));

	error_clear(err);
	store->max_attempts = 8;
	store->retry_base_ms = 100;
	store->retry_max_ms = 10000;
	store->part_size = OBJSTORE_DEFAULT_PART_SIZE;
	store->multipart_threshold = OBJSTORE_DEFAULT_MULTIPART_THRESHOLD;

	if (url == NULL || url[0] == '\0')
	{
		char	   *path;

		if (DataDir == NULL)
		{
			objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
						   "object_store is empty and no data directory is set: set object_store to a file:// or s3:// URL");
			pfree(store);
			return NULL;
		}
		path = psprintf("%s/objects", DataDir);
		store->display = psprintf("file://%s", path);
		if (!file_open(store, path, true, err))
		{
			pfree(path);
			if (store->root)
				pfree(store->root);
			pfree(store->display);
			pfree(store);
			return NULL;
		}
		pfree(path);
		return store;
	}
	if (strncmp(url, "file://", 7) == 0)
	{
		const char *path = url + 7;

		store->display = pstrdup(url);
		if (path[0] != '/')
		{
			objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
						   "object_store \"%s\" is not valid: a file:// URL needs an absolute path, as in file:///var/lib/strata/objects", url);
			pfree(store->display);
			pfree(store);
			return NULL;
		}
		if (!file_open(store, path, false, err))
		{
			if (store->root)
				pfree(store->root);
			pfree(store->display);
			pfree(store);
			return NULL;
		}
		return store;
	}
	if (strncmp(url, "s3://", 5) == 0)
	{
		store->is_s3 = true;
		if (!s3_open(store, url, err))
		{
			if (store->display)
				pfree(store->display);
			pfree(store);
			return NULL;
		}
		return store;
	}
	objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
				   "object_store \"%s\" is not valid: use file:///absolute/path or s3://bucket/prefix?endpoint=...&region=...", url);
	pfree(store);
	return NULL;
}

void
ObjStoreClose(ObjStore *store)
{
	ObjStoreRequest *req;

	if (store == NULL)
		return;
	if (store->is_s3)
		s3_close(store);
	while ((req = ObjStoreNextDone(store)) != NULL)
		ObjStoreRequestFree(req);
	if (store->root)
		pfree(store->root);
	if (store->display)
		pfree(store->display);
	pfree(store);
}

const char *
ObjStoreDescribe(const ObjStore *store)
{
	return store->display;
}

bool
ObjStoreIsS3(const ObjStore *store)
{
	return store->is_s3;
}

void
ObjStoreSetRetry(ObjStore *store, int max_attempts, int base_ms, int max_ms)
{
	store->max_attempts = Max(1, max_attempts);
	store->retry_base_ms = Max(1, base_ms);
	store->retry_max_ms = Max(store->retry_base_ms, max_ms);
}

bool
ObjStoreSetPartSize(ObjStore *store, size_t part_size, ObjStoreError *err)
{
	if (part_size < OBJSTORE_MIN_PART_SIZE)
	{
		objstore_error(err, OBJSTORE_INVALID_ARGUMENT, 0,
					   "multipart part size %zu is below S3's minimum of %zu bytes",
					   part_size, OBJSTORE_MIN_PART_SIZE);
		return false;
	}
	store->part_size = part_size;
	return true;
}

size_t
ObjStoreGetPartSize(const ObjStore *store)
{
	return store->part_size;
}

bool
ObjStoreSetMultipartThreshold(ObjStore *store, size_t threshold, ObjStoreError *err)
{
	if (threshold < OBJSTORE_MIN_PART_SIZE || threshold > OBJSTORE_MAX_PUT_SIZE)
	{
		objstore_error(err, OBJSTORE_INVALID_ARGUMENT, 0,
					   "multipart threshold %zu is outside %zu .. %zu bytes (S3's smallest part, largest single PUT)",
					   threshold, OBJSTORE_MIN_PART_SIZE, OBJSTORE_MAX_PUT_SIZE);
		return false;
	}
	store->multipart_threshold = threshold;
	return true;
}

size_t
ObjStoreGetMultipartThreshold(const ObjStore *store)
{
	return store->multipart_threshold;
}

/*
 * Count one file:// operation, finished, as the S3 request it stands for;
 * sent and received are its data bytes.
 */
static void
count_file_op(MetricObjStoreRequest kind, bool ok, uint64 sent, uint64 received)
{
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, kind, 1);
	if (!ok)
		MetricsIncObjStore(METRIC_OBJSTORE_REQUEST_ERRORS, kind, 1);
	if (sent > 0)
		MetricsInc(METRIC_OBJSTORE_SENT_BYTES, sent);
	if (received > 0)
		MetricsInc(METRIC_OBJSTORE_RECEIVED_BYTES, received);
}

/* ---- requests and the done queue ---- */

ObjStoreRequest *
objstore_request_new(ObjStore *store, ObjStoreOp op, const char *key, void *user_data)
{
	ObjStoreRequest *req = palloc0(sizeof(ObjStoreRequest));

	req->op = op;
	req->key = key ? pstrdup(key) : NULL;
	req->user_data = user_data;
	store->outstanding++;
	return req;
}

void
objstore_complete(ObjStore *store, ObjStoreRequest *req)
{
	Assert(!req->done);
	req->done = true;
	req->next_done = NULL;
	if (store->done_tail)
		store->done_tail->next_done = req;
	else
		store->done_head = req;
	store->done_tail = req;
	store->ndone++;
}

ObjStoreRequest *
ObjStoreNextDone(ObjStore *store)
{
	ObjStoreRequest *req = store->done_head;

	if (req == NULL)
		return NULL;
	store->done_head = req->next_done;
	if (store->done_head == NULL)
		store->done_tail = NULL;
	req->next_done = NULL;
	store->ndone--;
	store->outstanding--;
	return req;
}

/* Take one particular finished request out of the done queue. */
static void
unlink_done(ObjStore *store, ObjStoreRequest *req)
{
	ObjStoreRequest *prev = NULL;

	for (ObjStoreRequest *r = store->done_head; r; prev = r, r = r->next_done)
	{
		if (r != req)
			continue;
		if (prev)
			prev->next_done = r->next_done;
		else
			store->done_head = r->next_done;
		if (store->done_tail == r)
			store->done_tail = prev;
		r->next_done = NULL;
		store->ndone--;
		store->outstanding--;
		return;
	}
	Assert(false);
}

int
ObjStoreInFlight(const ObjStore *store)
{
	return store->outstanding;
}

int
ObjStoreWait(ObjStore *store, long timeout_ms)
{
	if (store->is_s3 && store->ndone == 0)
		s3_wait(store, timeout_ms, NULL);
	return store->ndone;
}

void
ObjStoreWaitFor(ObjStore *store, ObjStoreRequest *req)
{
	while (!req->done)
	{
		Assert(store->is_s3);
		s3_wait(store, 1000, req);
	}
}

void
ObjStoreRequestFree(ObjStoreRequest *req)
{
	if (req == NULL)
		return;
	Assert(req->done && req->priv == NULL);
	if (req->key)
		pfree(req->key);
	pfree(req);
}

/* Validate the key; if bad, finish the request at once with the reason. */
static bool
check_key(ObjStore *store, ObjStoreRequest *req)
{
	char		why[256];

	if (ObjStoreKeyIsValid(req->key, why, sizeof(why)))
		return true;
	objstore_error(&req->error, OBJSTORE_INVALID_ARGUMENT, 0, "%s", why);
	objstore_complete(store, req);
	return false;
}

ObjStoreRequest *
ObjStoreStartPut(ObjStore *store, const char *key, const void *data, size_t len,
				 void *user_data)
{
	ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_PUT, key, user_data);

	if (!check_key(store, req))
		return req;
	if (len > 0 && data == NULL)
	{
		objstore_error(&req->error, OBJSTORE_INVALID_ARGUMENT, 0, "put of \"%s\": no data", key);
		objstore_complete(store, req);
		return req;
	}
	if (store->is_s3)
		s3_start_put(store, req, data, len);
	else
	{
		file_put(store, req, data, len);
		count_file_op(METRIC_OBJREQ_PUT_OBJECT, req->error.code == OBJSTORE_OK,
					  req->error.code == OBJSTORE_OK ? len : 0, 0);
	}
	return req;
}

ObjStoreRequest *
ObjStoreStartGet(ObjStore *store, const char *key, uint64 offset, size_t len,
				 void *buf, void *user_data)
{
	ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_GET, key, user_data);

	if (!check_key(store, req))
		return req;
	if (len == 0 || buf == NULL)
	{
		objstore_error(&req->error, OBJSTORE_INVALID_ARGUMENT, 0,
					   "get of \"%s\": empty range or no buffer", key);
		objstore_complete(store, req);
		return req;
	}
	if (store->is_s3)
		s3_start_get(store, req, offset, len, buf);
	else
	{
		file_get(store, req, offset, len, buf);
		count_file_op(METRIC_OBJREQ_GET_OBJECT, req->error.code == OBJSTORE_OK, 0, req->nread);
	}
	return req;
}

ObjStoreRequest *
ObjStoreStartHead(ObjStore *store, const char *key, void *user_data)
{
	ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_HEAD, key, user_data);

	if (!check_key(store, req))
		return req;
	if (store->is_s3)
		s3_start_head(store, req);
	else
	{
		file_head(store, req);
		count_file_op(METRIC_OBJREQ_HEAD_OBJECT, req->error.code == OBJSTORE_OK, 0, 0);
	}
	return req;
}

ObjStoreRequest *
ObjStoreStartDelete(ObjStore *store, const char *key, void *user_data)
{
	ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_DELETE, key, user_data);

	if (!check_key(store, req))
		return req;
	if (store->is_s3)
		s3_start_delete(store, req);
	else
	{
		file_delete(store, req);
		count_file_op(METRIC_OBJREQ_DELETE_OBJECT, req->error.code == OBJSTORE_OK, 0, 0);
	}
	return req;
}

/* ---- streamed puts (ObjStoreWriter) ---- */

/*
 * The writer's first failure is kept in w->error and reported by every
 * later call; the file back end's work is counted as one PutObject at the
 * end, as a put of the same object would be.
 */
ObjStoreWriter *
ObjStoreWriterBegin(ObjStore *store, const char *key, uint64 size, ObjStoreWriterRelease release,
					void *arg)
{
	ObjStoreWriter *w = palloc0(sizeof(ObjStoreWriter));
	char		why[256];

	w->store = store;
	w->key = pstrdup(key);
	w->announced = size;
	w->release = release;
	w->release_arg = arg;
	w->fd = -1;
	if (!ObjStoreKeyIsValid(key, why, sizeof(why)))
	{
		objstore_error(&w->error, OBJSTORE_INVALID_ARGUMENT, 0, "%s", why);
		w->failed = true;
		return w;
	}
	if (size > OBJSTORE_MAX_PUT_SIZE)
	{
		objstore_error(&w->error, OBJSTORE_INVALID_ARGUMENT, 0,
					   "streamed put of \"%s\" announces %llu bytes, more than the %zu one PutObject takes",
					   key, (unsigned long long) size, OBJSTORE_MAX_PUT_SIZE);
		w->failed = true;
		return w;
	}
	if (store->is_s3)
		s3_writer_begin(w);
	else if (!file_writer_begin(w))
		w->failed = true;
	return w;
}

static void
writer_release(ObjStoreWriter *w, void *tag)
{
	if (w->release)
		w->release(tag, w->release_arg);
}

/*
 * Would len more bytes take the writer past its announced size (or, at
 * the finish, short of it)?  Then it fails, before anything is sent.
 */
static void
writer_check_size(ObjStoreWriter *w, size_t len, bool last)
{
	uint64		total = w->size + len;

	if (w->failed || w->announced == 0)
		return;
	if (total > w->announced || (last && total != w->announced))
	{
		objstore_error(&w->error, OBJSTORE_INVALID_ARGUMENT, 0,
					   "streamed put of \"%s\" was given %llu%s bytes, but announced %llu",
					   w->key, (unsigned long long) total, last ? "" : " or more",
					   (unsigned long long) w->announced);
		w->failed = true;
	}
}

bool
ObjStoreWriterPart(ObjStoreWriter *w, const void *data, size_t len, void *tag,
				   ObjStoreError *err)
{
	writer_check_size(w, len, false);
	if (!w->failed && w->store->is_s3 && w->announced == 0 && len < OBJSTORE_MIN_PART_SIZE)
	{
		objstore_error(&w->error, OBJSTORE_INVALID_ARGUMENT, 0,
					   "part %d of \"%s\" has %zu bytes, fewer than the %zu a part other than the last needs",
					   w->nparts + 1, w->key, len, OBJSTORE_MIN_PART_SIZE);
		w->failed = true;
	}
	if (w->failed)
	{
		writer_release(w, tag);
		if (err)
			*err = w->error;
		return false;
	}
	w->nparts++;
	if (w->store->is_s3)
		w->failed = !s3_writer_part(w, data, len, tag);
	else
	{
		w->failed = !file_writer_write(w, data, len);
		writer_release(w, tag);
	}
	w->size += len;
	if (w->failed && err)
		*err = w->error;
	return !w->failed;
}

static void
writer_free(ObjStoreWriter *w)
{
	pfree(w->key);
	pfree(w);
}

bool
ObjStoreWriterFinish(ObjStoreWriter *w, const void *data, size_t len, void *tag,
					 ObjStoreError *err)
{
	bool		ok;

	writer_check_size(w, len, true);
	if (w->failed)
	{
		writer_release(w, tag);
		if (err)
			*err = w->error;
		ObjStoreWriterAbort(w);
		return false;
	}
	if (w->store->is_s3)
	{
		w->nparts++;
		ok = s3_writer_finish(w, data, len, tag);
		w->size += len;
	}
	else
	{
		ok = file_writer_write(w, data, len);
		writer_release(w, tag);
		w->size += len;
		ok = ok && file_writer_finish(w);
		count_file_op(METRIC_OBJREQ_PUT_OBJECT, ok, ok ? w->size : 0, 0);
		file_writer_abort(w);	/* closes; after a failure, removes */
	}
	if (!ok && err)
		*err = w->error;
	writer_free(w);
	return ok;
}

void
ObjStoreWriterAbort(ObjStoreWriter *w)
{
	if (w->store->is_s3)
		s3_writer_abort(w);
	else
	{
		if (w->path)
			count_file_op(METRIC_OBJREQ_PUT_OBJECT, false, 0, 0);
		file_writer_abort(w);
	}
	writer_free(w);
}

uint64
ObjStoreWriterSize(const ObjStoreWriter *w)
{
	return w->size;
}

int
ObjStoreWriterParts(const ObjStoreWriter *w)
{
	return w->nparts;
}

/* ---- synchronous wrappers ---- */

/* Wait for req, take it out of the done queue, report, free. */
static bool
finish_sync(ObjStore *store, ObjStoreRequest *req, ObjStoreError *err,
			size_t *nread, uint64 *size)
{
	bool		ok;

	ObjStoreWaitFor(store, req);
	unlink_done(store, req);
	ok = req->error.code == OBJSTORE_OK;
	if (err)
		*err = req->error;
	if (nread)
		*nread = req->nread;
	if (size)
		*size = req->size;
	ObjStoreRequestFree(req);
	return ok;
}

/* For back ends' internal synchronous operations (list, batch delete). */
bool
objstore_wait_sync(ObjStore *store, ObjStoreRequest *req, ObjStoreError *err)
{
	return finish_sync(store, req, err, NULL, NULL);
}

bool
ObjStorePut(ObjStore *store, const char *key, const void *data, size_t len,
			ObjStoreError *err)
{
	return finish_sync(store, ObjStoreStartPut(store, key, data, len, NULL), err, NULL, NULL);
}

bool
ObjStoreGet(ObjStore *store, const char *key, uint64 offset, size_t len, void *buf,
			size_t *nread, ObjStoreError *err)
{
	return finish_sync(store, ObjStoreStartGet(store, key, offset, len, buf, NULL),
					   err, nread, NULL);
}

bool
ObjStoreHead(ObjStore *store, const char *key, uint64 *size, ObjStoreError *err)
{
	return finish_sync(store, ObjStoreStartHead(store, key, NULL), err, NULL, size);
}

bool
ObjStoreDelete(ObjStore *store, const char *key, ObjStoreError *err)
{
	return finish_sync(store, ObjStoreStartDelete(store, key, NULL), err, NULL, NULL);
}

bool
ObjStoreDeleteBatch(ObjStore *store, const char *const *keys, int nkeys, ObjStoreError *err)
{
	char		why[256];

	error_clear(err);
	for (int i = 0; i < nkeys; i++)
	{
		if (!ObjStoreKeyIsValid(keys[i], why, sizeof(why)))
		{
			objstore_error(err, OBJSTORE_INVALID_ARGUMENT, 0, "%s", why);
			return false;
		}
	}
	if (store->is_s3)
		return s3_delete_batch(store, keys, nkeys, err);

	/*
	 * One unlink per key, but counted as S3 would send it: one
	 * DeleteObjects per OBJSTORE_DELETE_BATCH_MAX keys, not a DeleteObject
	 * each.
	 */
	for (int start = 0; start < nkeys; start += OBJSTORE_DELETE_BATCH_MAX)
	{
		int			n = Min(nkeys - start, OBJSTORE_DELETE_BATCH_MAX);
		bool		ok = true;

		for (int i = start; ok && i < start + n; i++)
		{
			ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_DELETE, keys[i], NULL);

			file_delete(store, req);
			ok = finish_sync(store, req, err, NULL, NULL);
		}
		count_file_op(METRIC_OBJREQ_DELETE_OBJECTS, ok, 0, 0);
		if (!ok)
			return false;
	}
	return true;
}

bool
ObjStoreList(ObjStore *store, const char *prefix, const char *token, int max_keys,
			 ObjStoreListing *out, ObjStoreError *err)
{
	memset(out, 0, sizeof(*out));
	error_clear(err);
	if (prefix == NULL)
		prefix = "";
	if (max_keys < 1 || max_keys > 1000)
	{
		objstore_error(err, OBJSTORE_INVALID_ARGUMENT, 0,
					   "list: max_keys %d is outside 1..1000", max_keys);
		return false;
	}
	if (strlen(prefix) > OBJSTORE_MAX_KEY_LEN)
	{
		objstore_error(err, OBJSTORE_INVALID_ARGUMENT, 0, "list: prefix too long");
		return false;
	}
	if (store->is_s3)
		return s3_list(store, prefix, token, max_keys, out, err);
	{
		bool		ok = file_list(store, prefix, token, max_keys, out, err);

		count_file_op(METRIC_OBJREQ_LIST_OBJECTS_V2, ok, 0, 0);
		return ok;
	}
}

void
ObjStoreListingFree(ObjStoreListing *listing)
{
	for (int i = 0; i < listing->nentries; i++)
		pfree(listing->entries[i].key);
	if (listing->entries)
		pfree(listing->entries);
	if (listing->next_token)
		pfree(listing->next_token);
	memset(listing, 0, sizeof(*listing));
}

bool
ObjStoreProbe(ObjStore *store, ObjStoreError *err)
{
	ObjStoreListing l;

	if (!ObjStoreList(store, "", NULL, 1, &l, err))
		return false;
	ObjStoreListingFree(&l);
	return true;
}
