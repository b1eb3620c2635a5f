/*-------------------------------------------------------------------------
 *
 * objstore_s3_int.h
 *	  What the s3:// back end's files share: the store, the operations'
 *	  state machines and the HTTP exchanges they make.
 *
 *	  objstore_s3.c holds the transfers (S3Xfer: signing, libcurl, retries),
 *	  the operations of the public API and the engine (s3_wait);
 *	  objstore_s3writer.c holds the streamed put (ObjStoreWriter), an S3Op
 *	  whose parts arrive while it runs.
 *
 * src/backend/storage/objstore/objstore_s3_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OBJSTORE_S3_INT_H
#define STRATA_OBJSTORE_S3_INT_H

#include "c.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include "objstore_int.h"
#include "storage/sigv4.h"
#include "utils/metrics.h"

#define S3_MAX_CONNECTIONS	16
#define S3_PARTS_IN_FLIGHT	4
#define S3_MAX_RESPONSE		(16 * 1024 * 1024)	/* XML bodies we keep */

typedef struct S3Store
{
	S3Config	conf;			/* from the URL and the environment */
	CURLM	   *multi;
	int			nactive;		/* transfers inside the multi handle */
	struct S3Xfer *waiting;		/* transfers waiting to be retried */
	uint64		rng;
} S3Store;

typedef enum S3OpState
{
	S3_SIMPLE,					/* one exchange: GET, HEAD, DELETE, PUT, LIST, DELETE_BATCH */
	S3_MPU_CREATE,
	S3_MPU_PARTS,
	S3_MPU_COMPLETE,
	S3_MPU_ABORT,
	/* a streamed put (ObjStoreWriter): what is in flight */
	S3_W_IDLE,					/* nothing started yet, or all answered */
	S3_W_CREATE,				/* CreateMultipartUpload */
	S3_W_PARTS,					/* the upload exists: UploadPart as parts come */
	S3_W_PUT,					/* one PutObject: finished without parts */
	S3_W_STREAM,				/* one PutObject of the announced size, its
								 * body sent as the parts come */
	S3_W_COMPLETE,				/* CompleteMultipartUpload */
	S3_W_ABORT					/* AbortMultipartUpload */
} S3OpState;

/* A part handed to a streamed put. */
typedef struct S3WPart
{
	const char *data;
	size_t		len;
	void	   *tag;			/* given back to the writer's release */
	bool		released;
} S3WPart;

typedef struct S3Op
{
	ObjStoreRequest *req;
	S3OpState	state;
	/* put */
	const char *data;
	size_t		len;
	/* get */
	uint64		offset;
	size_t		get_len;
	char	   *buf;
	/* multipart */
	char	   *upload_id;
	int			nparts;
	size_t		part_size;
	int			next_part;		/* next part number to start (1-based) */
	int			parts_done;
	int			parts_inflight;
	char	  **etags;			/* per part, once UploadPart succeeded */
	bool		failed;			/* a part failed: drain, then abort */
	/* streamed put: parts in order, wnext the next to start */
	ObjStoreWriter *writer;
	S3WPart    *wparts;
	int			nwparts;
	int			wparts_cap;
	int			wnext;			/* multipart: next to start; streamed: the part
								 * being sent */
	int			wheld;			/* handed over, not yet released */
	/* streamed single put (the writer announced its size) */
	bool		streamed;
	struct S3Xfer *wxfer;		/* its PutObject, while in flight */
	size_t		wpos;			/* bytes of wparts[wnext] sent */
	EVP_MD_CTX *md5;			/* of every byte handed over */
	/* list */
	ObjStoreListing *listing;
	/* batch delete */
	char	   *body;
} S3Op;

typedef struct S3Xfer
{
	S3Op	   *op;
	ObjStore   *store;
	MetricObjStoreRequest kind;	/* which S3 request, for the metrics */
	const char *method;
	char	   *key;			/* full key (prefix included) or NULL: bucket */
	SigV4Pair	query[4];
	int			nquery;
	const char *body;			/* request body (PUT, POST) */
	size_t		body_len;
	size_t		body_pos;

	/*
	 * A body that is not in memory when the request starts: pull fills
	 * curl's buffer from it, or returns CURL_READFUNC_PAUSE (after setting
	 * paused) when it has nothing yet; s3_xfer_resume goes on.  Such an
	 * exchange is never retried: its bytes are gone once sent.
	 */
	size_t		(*pull) (struct S3Xfer *x, char *buf, size_t n);
	bool		paused;
	char		payload_hash[65];
	char		content_md5[25];
	char		range[64];
	int			part_number;	/* UploadPart: which part */
	bool		error_in_200;	/* CompleteMultipartUpload: 200 may carry Error */
	/* attempt */
	CURL	   *easy;
	struct curl_slist *headers;
	char		errbuf[CURL_ERROR_SIZE];
	int			attempt;
	int64		due_ms;
	struct S3Xfer *next;		/* in the waiting list */
	/* response */
	CURLcode	cres;
	long		status;
	char	   *resp;
	size_t		resp_len;
	size_t		resp_cap;
	char	   *sink;			/* GET: caller's buffer */
	size_t		sink_cap;
	size_t		sink_len;
	uint64		sink_skip;		/* bytes to drop when a server ignores Range */
	uint64		range_offset;	/* GET: where the range starts */
	bool		sink_full;
	char		etag[256];
	uint64		content_length;
	bool		have_length;
} S3Xfer;

/* objstore_s3.c: transfers */
extern S3Xfer *s3_xfer_new(ObjStore *store, S3Op *op, MetricObjStoreRequest kind, const char *method,
						   const char *key);
extern void s3_xfer_add_query(S3Xfer *x, const char *name, const char *value);
extern void s3_xfer_set_body(S3Xfer *x, const char *body, size_t len);
extern void s3_xfer_set_pull(S3Xfer *x, size_t len, size_t (*pull) (S3Xfer *x, char *buf, size_t n));
extern void s3_xfer_resume(S3Xfer *x);
extern void s3_xfer_cancel(ObjStore *store, S3Xfer *x);
extern void s3_xfer_launch(ObjStore *store, S3Xfer *x);
extern void s3_xfer_free(S3Xfer *x);
extern void s3_xfer_error(ObjStore *store, S3Xfer *x, ObjStoreError *err);
extern bool s3_resp_has(S3Xfer *x, const char *tag);

/* objstore_s3.c: multipart steps both kinds of put share */
extern S3Op *s3_op_new(ObjStoreRequest *req);
extern void s3_start_upload_part(ObjStore *store, S3Op *op, int number, const char *data, size_t len);
extern void s3_start_mpu_request(ObjStore *store, S3Op *op, MetricObjStoreRequest kind,
								 const char *body, size_t len);
extern char *s3_complete_body(char *const *etags, int nparts, size_t *len);

/* objstore_s3writer.c: an exchange of a writer's op has ended */
extern void s3_writer_step(ObjStore *store, S3Op *op, S3Xfer *x, bool ok);

#endif							/* STRATA_OBJSTORE_S3_INT_H */
