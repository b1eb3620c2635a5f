/*-------------------------------------------------------------------------
 *
 * objstore_int.h
 *	  Private declarations shared by the object-store front end
 *	  (objstore.c) and its back ends (objstore_file.c, objstore_s3.c).
 *
 * src/backend/storage/objstore/objstore_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OBJSTORE_INT_H
#define STRATA_OBJSTORE_INT_H

#include "storage/objstore.h"

struct S3Store;

struct ObjStore
{
	bool		is_s3;
	char	   *display;		/* URL for messages, no secrets */
	int			max_attempts;
	int			retry_base_ms;
	int			retry_max_ms;
	size_t		part_size;
	size_t		multipart_threshold;	/* single PUT up to Max(this, part_size) */
	/* finished requests not yet collected */
	ObjStoreRequest *done_head;
	ObjStoreRequest *done_tail;
	int			ndone;
	int			outstanding;	/* started, not yet popped */
	/* file:// */
	char	   *root;			/* absolute directory, no trailing '/' */
	uint64		tmp_counter;
	/* s3:// */
	struct S3Store *s3;
};

/*
 * A streamed put (ObjStoreWriterBegin).  failed/error: the first failure;
 * afterwards parts are refused and released at once.
 */
struct ObjStoreWriter
{
	ObjStore   *store;
	char	   *key;
	ObjStoreWriterRelease release;
	void	   *release_arg;
	uint64		announced;		/* the size given at Begin, or 0 */
	uint64		size;			/* bytes handed over */
	int			nparts;			/* parts handed over (Finish's included) */
	bool		failed;
	ObjStoreError error;
	/* file:// */
	int			fd;
	char	   *path;			/* final name */
	char	   *dir;			/* its directory */
	char	   *tmp;			/* the temporary file being written */
	bool		direct;			/* fd is O_DIRECT: bytes go through stage */
	char	   *stage;			/* aligned staging buffer (direct only) */
	size_t		staged;			/* bytes in it, not written yet */
	/* s3:// */
	struct S3Op *op;
};

/* objstore.c */
extern void objstore_error(ObjStoreError *err, ObjStoreStatus code, int http_status,
						   const char *fmt, ...) pg_attribute_printf(4, 5);
extern void objstore_complete(ObjStore *store, ObjStoreRequest *req);
extern ObjStoreRequest *objstore_request_new(ObjStore *store, ObjStoreOp op,
											 const char *key, void *user_data);
extern bool objstore_wait_sync(ObjStore *store, ObjStoreRequest *req, ObjStoreError *err);

/* objstore_file.c */
extern bool file_open(ObjStore *store, const char *path, bool create, ObjStoreError *err);
extern void file_put(ObjStore *store, ObjStoreRequest *req, const void *data, size_t len);
extern void file_get(ObjStore *store, ObjStoreRequest *req, uint64 offset, size_t len, void *buf);
extern void file_head(ObjStore *store, ObjStoreRequest *req);
extern void file_delete(ObjStore *store, ObjStoreRequest *req);
extern bool file_writer_begin(ObjStoreWriter *w);
extern bool file_writer_write(ObjStoreWriter *w, const void *data, size_t len);
extern bool file_writer_finish(ObjStoreWriter *w);
extern void file_writer_abort(ObjStoreWriter *w);
extern bool file_list(ObjStore *store, const char *prefix, const char *token, int max_keys,
					  ObjStoreListing *out, ObjStoreError *err);

/* objstore_s3conf.c: an s3:// URL and the credentials, parsed */
typedef struct S3Config
{
	char	   *bucket;
	char	   *prefix;			/* "" or "dir/sub/" (with trailing '/') */
	char	   *scheme;			/* "http" or "https" */
	char	   *hostport;		/* endpoint host[:port] */
	char	   *region;
	char	   *access_key;
	char	   *secret_key;
	char	   *session_token;	/* NULL if none */
	bool		path_style;
	bool		verify_tls;
} S3Config;

/*
 * Parse url (s3://bucket/prefix?params) into conf, and its part_size and
 * multipart_threshold parameters into store; credentials come from
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.  On
 * failure, false with a one-line OBJSTORE_CONFIG_ERROR naming the fix;
 * either way s3_free_config releases what conf holds.
 */
extern bool s3_parse_config(ObjStore *store, const char *url, S3Config *conf,
							ObjStoreError *err);
extern void s3_free_config(S3Config *conf);

/* objstore_s3.c */
extern bool s3_open(ObjStore *store, const char *url, ObjStoreError *err);
extern void s3_close(ObjStore *store);
extern void s3_start_put(ObjStore *store, ObjStoreRequest *req, const void *data, size_t len);
extern void s3_start_get(ObjStore *store, ObjStoreRequest *req, uint64 offset, size_t len, void *buf);
extern void s3_start_head(ObjStore *store, ObjStoreRequest *req);
extern void s3_start_delete(ObjStore *store, ObjStoreRequest *req);
extern void s3_writer_begin(ObjStoreWriter *w);
extern bool s3_writer_part(ObjStoreWriter *w, const void *data, size_t len, void *tag);
extern bool s3_writer_finish(ObjStoreWriter *w, const void *data, size_t len, void *tag);
extern void s3_writer_abort(ObjStoreWriter *w);
extern void s3_wait(ObjStore *store, long timeout_ms, ObjStoreRequest *until);
extern bool s3_list(ObjStore *store, const char *prefix, const char *token, int max_keys,
					ObjStoreListing *out, ObjStoreError *err);
extern bool s3_delete_batch(ObjStore *store, const char *const *keys, int nkeys,
							ObjStoreError *err);

#endif							/* STRATA_OBJSTORE_INT_H */
