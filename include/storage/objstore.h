/*-------------------------------------------------------------------------
 *
 * objstore.h
 *	  The object-store layer: one API over two back ends, chosen by the
 *	  object_store setting.
 *
 *	  file:///abs/path    objects are files under a directory (the embedded
 *	                      default, DATADIR/objects, when object_store is
 *	                      empty).  Puts are atomic: write a temporary file,
 *	                      fsync, rename, fsync the directory.
 *	  s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1
 *	                      &path_style=true&part_size=16MB
 *	                      &multipart_threshold=100MB&verify_tls=true
 *	                      any S3-compatible service, through libcurl multi
 *	                      (kept-alive connection pool, several requests in
 *	                      flight) with AWS Signature V4.  Credentials come
 *	                      from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 *	                      (and AWS_SESSION_TOKEN if set).
 *
 *	  Keys are relative to the store (the URL's directory or bucket prefix)
 *	  and may contain '/'.  A key is 1..1024 bytes of UTF-8 without control
 *	  characters, does not start or end with '/', and has no empty, "." or
 *	  ".." component (ObjStoreKeyIsValid).
 *
 *	  Three ways to call it (the third, streamed puts, is described at
 *	  ObjStoreWriterBegin):
 *
 *	  - Synchronous: ObjStorePut/Get/Head/Delete/DeleteBatch/List.  They
 *	    return true on success; on failure false with *err filled in.
 *
 *	  - Asynchronous, for the uploader (several objects in flight) and the
 *	    reader (prefetch): ObjStoreStartPut/Get/Head/Delete return a request
 *	    at once; the caller then drives transfers with ObjStoreWait(store,
 *	    timeout_ms), which returns when at least one request has completed
 *	    or the timeout passed, and collects finished requests with
 *	    ObjStoreNextDone(store).  A finished request has req->done set and
 *	    req->error.code == OBJSTORE_OK on success.  The caller frees it with
 *	    ObjStoreRequestFree.  Buffers passed to Start* must stay valid until
 *	    the request is done.  With the file back end the work happens inside
 *	    Start* and the request is already done when returned (it still goes
 *	    through the done queue, so callers need one code path).
 *	    The caller's latch cannot be woken by curl; a process that must also
 *	    react to its latch calls ObjStoreWait with a short timeout (e.g.
 *	    100 ms) in its loop.  Transfers progress only inside ObjStore calls.
 *
 *	  Failures: each request is retried inside the layer with exponential
 *	  backoff and full jitter on 5xx (500/502/503 SlowDown/504), HTTP 429,
 *	  S3's RequestTimeout, connection errors and timeouts, up to
 *	  max_attempts (default 8, about 25 s in all).  What remains is returned
 *	  as a code plus one operator-readable line (ObjStoreError): 403 names
 *	  AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a missing bucket names the
 *	  bucket and the object_store setting.  Nothing here calls elog(ERROR):
 *	  callers decide (the uploader keeps the WAL and retries later).
 *
 *	  An ObjStore belongs to one process (curl handles are not shared across
 *	  fork): open it after fork, in the process that uses it.
 *
 * include/storage/objstore.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OBJSTORE_H
#define STRATA_OBJSTORE_H

#include "c.h"

#define OBJSTORE_MAX_KEY_LEN		1024
#define OBJSTORE_DEFAULT_PART_SIZE	((size_t) 16 * 1024 * 1024)
#define OBJSTORE_MIN_PART_SIZE		((size_t) 5 * 1024 * 1024)	/* S3's minimum */
#define OBJSTORE_MAX_PUT_SIZE		((size_t) 5 * 1024 * 1024 * 1024)	/* S3's largest PutObject */
/*
 * Objects up to this size go up in one PutObject, larger ones in parts:
 * AWS suggests multipart from about 100 MB, and below that a multipart
 * upload only multiplies the requests (16 MiB parts made a 64 MiB object
 * cost 6 requests instead of 1).
 */
#define OBJSTORE_DEFAULT_MULTIPART_THRESHOLD	((size_t) 100 * 1024 * 1024)
#define OBJSTORE_MAX_PARTS			10000	/* S3's maximum */
#define OBJSTORE_DELETE_BATCH_MAX	1000	/* keys per DeleteObjects */

typedef enum ObjStoreStatus
{
	OBJSTORE_OK = 0,
	OBJSTORE_NOT_FOUND,			/* no such key */
	OBJSTORE_NO_BUCKET,			/* bucket (or file:// directory) missing */
	OBJSTORE_ACCESS_DENIED,		/* 403: credentials or permissions */
	OBJSTORE_BAD_RANGE,			/* ranged get starting past the end */
	OBJSTORE_UNAVAILABLE,		/* retries exhausted: 5xx, timeouts, refused */
	OBJSTORE_IO_ERROR,			/* local file system error */
	OBJSTORE_CONFIG_ERROR,		/* bad URL, missing credentials, TLS trust */
	OBJSTORE_PROTOCOL_ERROR,	/* the service answered something unexpected */
	OBJSTORE_INVALID_ARGUMENT	/* bad key, bad size: a caller bug */
} ObjStoreStatus;

typedef struct ObjStoreError
{
	ObjStoreStatus code;
	int			http_status;	/* last HTTP status, 0 if none */
	char		message[512];	/* one line for the operator */
} ObjStoreError;

typedef enum ObjStoreOp
{
	OBJSTORE_OP_PUT,
	OBJSTORE_OP_GET,
	OBJSTORE_OP_HEAD,
	OBJSTORE_OP_DELETE,
	OBJSTORE_OP_LIST,
	OBJSTORE_OP_DELETE_BATCH
} ObjStoreOp;

typedef struct ObjStore ObjStore;

/* One listed object. */
typedef struct ObjStoreEntry
{
	char	   *key;			/* relative to the store */
	uint64		size;
} ObjStoreEntry;

/* One page of a listing; free with ObjStoreListingFree. */
typedef struct ObjStoreListing
{
	ObjStoreEntry *entries;		/* in key order (byte order) */
	int			nentries;
	bool		truncated;		/* more keys follow */
	char	   *next_token;		/* pass to the next ObjStoreList call */
} ObjStoreListing;

/* An asynchronous request.  Fields below "results" are valid once done. */
typedef struct ObjStoreRequest
{
	ObjStoreOp	op;
	char	   *key;
	void	   *user_data;		/* the caller's, untouched */
	/* results */
	bool		done;
	ObjStoreError error;
	size_t		nread;			/* GET: bytes stored in the buffer */
	uint64		size;			/* HEAD: object size; PUT: bytes written */
	int			attempts;		/* HTTP attempts made, retries included */
	/* private to objstore */
	struct ObjStoreRequest *next_done;
	void	   *priv;
} ObjStoreRequest;

/*
 * Open a store from a URL (NULL or "" means file://DataDir/objects, created
 * if missing).  Returns NULL with *err filled in on a bad URL or missing
 * credentials.  Opening makes no network request; ObjStoreProbe does.
 */
extern ObjStore *ObjStoreOpen(const char *url, ObjStoreError *err);
/*
 * Close: waits for requests still in flight, frees finished requests not
 * yet collected (so pointers to them die too) and the connection pool.
 */
extern void ObjStoreClose(ObjStore *store);

/* The URL with credentials never shown, for log lines. */
extern const char *ObjStoreDescribe(const ObjStore *store);
extern bool ObjStoreIsS3(const ObjStore *store);

/*
 * Tuning (tests and s3check): retry policy, multipart part size, and the
 * multipart threshold.  A put of len bytes is one PutObject when len <=
 * Max(multipart_threshold, part_size), else a multipart upload in parts of
 * part_size.  Both are at least OBJSTORE_MIN_PART_SIZE; the threshold is
 * at most OBJSTORE_MAX_PUT_SIZE.
 */
extern void ObjStoreSetRetry(ObjStore *store, int max_attempts, int base_ms, int max_ms);
extern bool ObjStoreSetPartSize(ObjStore *store, size_t part_size, ObjStoreError *err);
extern size_t ObjStoreGetPartSize(const ObjStore *store);
extern bool ObjStoreSetMultipartThreshold(ObjStore *store, size_t threshold, ObjStoreError *err);
extern size_t ObjStoreGetMultipartThreshold(const ObjStore *store);

/* Check that the bucket exists and the credentials work (a 1-key list). */
extern bool ObjStoreProbe(ObjStore *store, ObjStoreError *err);

/* --- synchronous API --- */

/*
 * Store len bytes under key (replacing any object); multipart above
 * Max(multipart_threshold, part_size).
 */
extern bool ObjStorePut(ObjStore *store, const char *key, const void *data,
						size_t len, ObjStoreError *err);

/*
 * Read up to len bytes from offset into buf; *nread tells how many (fewer
 * than len only at the end of the object).  offset past the end gives
 * OBJSTORE_BAD_RANGE.
 */
extern bool ObjStoreGet(ObjStore *store, const char *key, uint64 offset,
						size_t len, void *buf, size_t *nread, ObjStoreError *err);

/* Size of an object; OBJSTORE_NOT_FOUND if absent. */
extern bool ObjStoreHead(ObjStore *store, const char *key, uint64 *size,
						 ObjStoreError *err);

/* Delete one key; deleting a missing key succeeds (as in S3). */
extern bool ObjStoreDelete(ObjStore *store, const char *key, ObjStoreError *err);

/*
 * Delete many keys (DeleteObjects, 1000 per request).  Missing keys are not
 * errors.  On failure *err describes the first key that could not be
 * deleted; the others may or may not be gone.
 */
extern bool ObjStoreDeleteBatch(ObjStore *store, const char *const *keys, int nkeys,
								ObjStoreError *err);

/*
 * List keys beginning with prefix, in byte order, at most max_keys (1..1000)
 * per page.  token is NULL for the first page, then the previous page's
 * next_token.
 */
extern bool ObjStoreList(ObjStore *store, const char *prefix, const char *token,
						 int max_keys, ObjStoreListing *out, ObjStoreError *err);
extern void ObjStoreListingFree(ObjStoreListing *listing);

/* --- asynchronous API --- */
extern ObjStoreRequest *ObjStoreStartPut(ObjStore *store, const char *key,
										 const void *data, size_t len, void *user_data);
extern ObjStoreRequest *ObjStoreStartGet(ObjStore *store, const char *key,
										 uint64 offset, size_t len, void *buf,
										 void *user_data);
extern ObjStoreRequest *ObjStoreStartHead(ObjStore *store, const char *key, void *user_data);
extern ObjStoreRequest *ObjStoreStartDelete(ObjStore *store, const char *key, void *user_data);

/*
 * Drive transfers for up to timeout_ms (0: just make progress, no sleep).
 * Returns the number of requests waiting in the done queue.
 */
extern int	ObjStoreWait(ObjStore *store, long timeout_ms);
/* Pop one finished request, or NULL. */
extern ObjStoreRequest *ObjStoreNextDone(ObjStore *store);
/* Requests started and not yet collected with ObjStoreNextDone. */
extern int	ObjStoreInFlight(const ObjStore *store);
/* Block until this request is done (other requests keep progressing). */
extern void ObjStoreWaitFor(ObjStore *store, ObjStoreRequest *req);
extern void ObjStoreRequestFree(ObjStoreRequest *req);

/* --- streamed puts --- */

/*
 * An object written as it is built, in parts, so that it never has to be
 * whole in memory nor be sent in one burst (the uploader):
 *
 *	  w = ObjStoreWriterBegin(store, key, size, release, arg);
 *	  ObjStoreWriterPart(w, data, len, tag, &err);		any number of times
 *	  ObjStoreWriterFinish(w, data, len, tag, &err);	the last bytes
 *	  (or ObjStoreWriterAbort(w) instead of Finish, after a failure)
 *
 * Nothing is visible under key before Finish returns true, and then the
 * whole object is, durably.  Finish and Abort free the writer.
 *
 * size is the object's length when the caller knows it before it starts
 * (up to OBJSTORE_MAX_PUT_SIZE), else 0; the parts must then add up to
 * exactly size, or the put fails.
 *
 * s3:// with a size: the first part starts one PutObject with that
 * Content-Length, whose body is sent as the parts arrive (curl pauses when
 * it has sent all it has been given); a part is given back once it has
 * been handed to the connection, at most OBJSTORE_WRITER_PARTS_IN_FLIGHT
 * held at once.  One request per object, whatever its size, and parts of
 * any size.  The body is sent unsigned (x-amz-content-sha256:
 * UNSIGNED-PAYLOAD, as it is not known when the request is signed);
 * instead its MD5 is computed as it goes and must equal the ETag S3
 * answers, which for a single PutObject is the MD5 of what it stored.  A
 * failure is not retried (the parts are gone): the put fails, and the
 * caller puts the object again.
 * s3:// without a size: the first part starts a multipart upload
 * (CreateMultipartUpload, then one UploadPart per part, at most
 * OBJSTORE_WRITER_PARTS_IN_FLIGHT parts handed over and not yet
 * acknowledged; CompleteMultipartUpload at Finish; AbortMultipartUpload on
 * Abort or after a failure).  Every part but the last must be at least
 * OBJSTORE_MIN_PART_SIZE.
 * Either way, an object finished without any part goes up in one
 * PutObject with its SHA-256 signed.
 * file://: a temporary file, written at each part and written back to
 * the device as it goes (a few MB dirty at most); Finish fsyncs it,
 * renames it over key and fsyncs the directory, as a put does.
 *
 * A part's bytes must stay unchanged until the writer gives them back:
 * release(tag, arg) is called, from inside an ObjStore call on this store,
 * once the part is written (file://: before ObjStoreWriterPart returns;
 * s3://: when the service acknowledged or refused it), and for every part
 * still held when the writer finishes or aborts.  ObjStoreWriterPart
 * drives transfers while the writer holds the maximum of parts.
 *
 * A Part that fails returns false with *err; the writer stays failed, and
 * the caller aborts it.  Finish returns false with *err after a failure
 * (the multipart upload aborted, the temporary file removed).
 */
#define OBJSTORE_WRITER_PARTS_IN_FLIGHT 3

typedef struct ObjStoreWriter ObjStoreWriter;
typedef void (*ObjStoreWriterRelease) (void *tag, void *arg);

extern ObjStoreWriter *ObjStoreWriterBegin(ObjStore *store, const char *key, uint64 size,
										   ObjStoreWriterRelease release, void *arg);
extern bool ObjStoreWriterPart(ObjStoreWriter *w, const void *data, size_t len, void *tag,
							   ObjStoreError *err);
extern bool ObjStoreWriterFinish(ObjStoreWriter *w, const void *data, size_t len, void *tag,
								 ObjStoreError *err);
extern void ObjStoreWriterAbort(ObjStoreWriter *w);
/* Bytes handed to the writer so far, and parts (UploadPart requests) started. */
extern uint64 ObjStoreWriterSize(const ObjStoreWriter *w);
extern int	ObjStoreWriterParts(const ObjStoreWriter *w);

/*
 * Testing only (src/test/modules/sigv4_sign): the URL (*url_out) and the
 * Authorization header an s3:// store would send for one request signed at
 * amz_date.  key NULL means the bucket; query is raw "name=value&...".
 * Returns NULL for a file:// store.
 */
extern char *ObjStoreS3DebugSign(ObjStore *store, const char *method, const char *key,
								 const char *query, const void *body, size_t body_len,
								 const char *range, const char *amz_date, char **url_out);

/* --- helpers --- */
extern bool ObjStoreKeyIsValid(const char *key, char *why, size_t whylen);
extern const char *ObjStoreStatusName(ObjStoreStatus code);

#endif							/* STRATA_OBJSTORE_H */
