/*-------------------------------------------------------------------------
 *
 * objstore_s3.c
 *	  The s3:// object-store back end: S3's REST API over libcurl multi,
 *	  signed with AWS Signature V4 (sigv4.c).
 *
 *	  Structure.  A request of the public API (ObjStoreRequest) owns one
 *	  S3Op, a small state machine; each HTTP exchange it makes is an S3Xfer
 *	  (one easy handle per attempt).  The types are in objstore_s3_int.h;
 *	  the streamed put (ObjStoreWriter) is in objstore_s3writer.c.  All transfers of a store share one
 *	  curl multi handle, whose connection cache is the pool of kept-alive
 *	  connections (at most S3_MAX_CONNECTIONS to the endpoint).  Transfers
 *	  progress only inside s3_wait (ObjStoreWait): perform, read finished
 *	  transfers, step their ops, start due retries, then poll the sockets
 *	  until the next deadline.
 *
 *	  Operations: PutObject (one PUT up to Max(multipart_threshold,
 *	  part_size), otherwise multipart: CreateMultipartUpload, up to
 *	  S3_PARTS_IN_FLIGHT UploadPart of part_size at once,
 *	  CompleteMultipartUpload; AbortMultipartUpload after a failure),
 *	  GetObject with Range, HeadObject, DeleteObject, ListObjectsV2 and
 *	  DeleteObjects (POST ?delete with Content-MD5, Quiet mode).
 *
 *	  Every request carries x-amz-content-sha256 with the real SHA-256 of
 *	  its body (s3rver rejects requests without the header; AWS needs it
 *	  for V4) and is signed over host, x-amz-content-sha256, x-amz-date and
 *	  where present range, content-md5 and x-amz-security-token.  The Host
 *	  header is set explicitly so that the signed value is the sent one.
 *
 *	  Retries.  An exchange that fails with a curl error (refused, reset,
 *	  timeout; not a TLS trust failure or a bad URL), HTTP 5xx, 429, or S3's
 *	  RequestTimeout / a 200 CompleteMultipartUpload carrying an Error, is
 *	  retried after a backoff of base * 2^attempt (capped) with jitter: the
 *	  delay is drawn uniformly from [cap/2, cap].  Each attempt is signed
 *	  afresh (x-amz-date moves on).
 *
 *	  Metrics.  Each attempt counts one strata_objstore_requests_total of
 *	  its S3 request kind (S3Xfer.kind) when it is launched, so retries
 *	  show; when it ends, its body bytes (as curl reports them) and, if it
 *	  failed, one strata_objstore_request_errors_total.  Without shared
 *	  memory (tools) the counting does nothing.
 *
 * src/backend/storage/objstore/objstore_s3.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <curl/curl.h>
#include <unistd.h>
#include <time.h>

#include "objstore_s3_int.h"
#include "storage/s3xml.h"
#include "storage/sigv4.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

static void op_step(ObjStore *store, S3Op *op, S3Xfer *x);
static bool xfer_ok(S3Xfer *x);

/* ---- opening ---- */

/*
 * ObjStoreOpen for s3:// URLs: parse the URL and the credentials
 * (objstore_s3conf.c), then set up the curl multi handle whose connection
 * cache is the store's pool.
 */
bool
s3_open(ObjStore *store, const char *url, ObjStoreError *err)
{
	S3Store    *s3 = palloc0(sizeof(S3Store));
	static bool curl_ready = false;

	store->display = pstrdup(url);
	if (!s3_parse_config(store, url, &s3->conf, err))
		goto fail;
	if (!curl_ready)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		{
			objstore_error(err, OBJSTORE_CONFIG_ERROR, 0, "could not initialise libcurl");
			goto fail;
		}
		curl_ready = true;
	}
	s3->multi = curl_multi_init();
	curl_multi_setopt(s3->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) S3_MAX_CONNECTIONS);
	curl_multi_setopt(s3->multi, CURLMOPT_MAXCONNECTS, (long) S3_MAX_CONNECTIONS);
	s3->rng = (uint64) MonotonicMs() * 6364136223846793005ULL ^ (uint64) getpid();
	store->s3 = s3;
	return true;

fail:
	s3_free_config(&s3->conf);
	pfree(s3);
	store->s3 = NULL;
	return false;
}

/* ---- transfers ---- */

S3Xfer *
s3_xfer_new(ObjStore *store, S3Op *op, MetricObjStoreRequest kind, const char *method,
		 const char *key)
{
	S3Xfer	   *x = palloc0(sizeof(S3Xfer));

	x->store = store;
	x->op = op;
	x->kind = kind;
	x->method = method;
	x->key = key ? psprintf("%s%s", store->s3->conf.prefix, key) : NULL;
	return x;
}

void
s3_xfer_add_query(S3Xfer *x, const char *name, const char *value)
{
	Assert(x->nquery < (int) lengthof(x->query));
	x->query[x->nquery].name = pstrdup(name);
	x->query[x->nquery].value = pstrdup(value ? value : "");
	x->nquery++;
}

void
s3_xfer_set_body(S3Xfer *x, const char *body, size_t len)
{
	x->body = body;
	x->body_len = len;
	SigV4Sha256Hex(body ? body : "", len, x->payload_hash);
}

/*
 * A body of len bytes that pull produces while the request runs, sent
 * unsigned: its hash is not known when the request is signed.
 */
void
s3_xfer_set_pull(S3Xfer *x, size_t len, size_t (*pull) (S3Xfer *x, char *buf, size_t n))
{
	x->body = NULL;
	x->body_len = len;
	x->pull = pull;
	snprintf(x->payload_hash, sizeof(x->payload_hash), "UNSIGNED-PAYLOAD");
}

/* The pull body has more: let curl go on reading it. */
void
s3_xfer_resume(S3Xfer *x)
{
	if (x->paused && x->easy)
	{
		x->paused = false;
		curl_easy_pause(x->easy, CURLPAUSE_CONT);
	}
}

/*
 * Take a transfer out of flight without waiting for its answer (a pull
 * body that will not be finished); counted as a failed request.
 */
void
s3_xfer_cancel(ObjStore *store, S3Xfer *x)
{
	if (x->easy)
	{
		curl_multi_remove_handle(store->s3->multi, x->easy);
		store->s3->nactive--;
		MetricsIncObjStore(METRIC_OBJSTORE_REQUEST_ERRORS, x->kind, 1);
	}
	s3_xfer_free(x);
}

static void
xfer_reset_attempt(S3Xfer *x)
{
	if (x->easy)
	{
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	if (x->headers)
	{
		curl_slist_free_all(x->headers);
		x->headers = NULL;
	}
	x->resp_len = 0;
	x->sink_len = 0;
	x->sink_skip = x->range_offset;
	x->sink_full = false;
	x->body_pos = 0;
	x->etag[0] = '\0';
	x->have_length = false;
	x->content_length = 0;
	x->status = 0;
	x->errbuf[0] = '\0';
}

void
s3_xfer_free(S3Xfer *x)
{
	xfer_reset_attempt(x);
	for (int i = 0; i < x->nquery; i++)
	{
		pfree((char *) x->query[i].name);
		pfree((char *) x->query[i].value);
	}
	if (x->key)
		pfree(x->key);
	if (x->resp)
		pfree(x->resp);
	pfree(x);
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	S3Xfer	   *x = userp;
	size_t		n = size * nmemb;
	long		status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (x->sink && (status == 200 || status == 206))
	{
		size_t		take;

		if (status == 200 && x->sink_skip > 0)
		{
			/* the server ignored Range: drop the bytes before our offset */
			size_t		drop = (size_t) Min((uint64) n, x->sink_skip);

			x->sink_skip -= drop;
			data += drop;
			n -= drop;
			if (n == 0)
				return size * nmemb;
		}
		take = Min(n, x->sink_cap - x->sink_len);
		memcpy(x->sink + x->sink_len, data, take);
		x->sink_len += take;
		if (take < n)
		{
			if (status == 206)
				return 0;		/* more than asked for: protocol error */
			x->sink_full = true;	/* 200 with the whole object: enough */
			return 0;
		}
		return size * nmemb;
	}
	if (x->resp_len + n > S3_MAX_RESPONSE)
		return 0;
	if (x->resp_len + n + 1 > x->resp_cap)
	{
		x->resp_cap = Max(x->resp_cap * 2, x->resp_len + n + 4096);
		x->resp = repalloc(x->resp, x->resp_cap);
	}
	memcpy(x->resp + x->resp_len, data, n);
	x->resp_len += n;
	x->resp[x->resp_len] = '\0';
	return n;
}

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	S3Xfer	   *x = userp;
	size_t		n = size * nmemb;
	size_t		vlen;
	const char *colon;
	const char *v;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
	{
		/* a new response (after 100 Continue, say): forget the old one */
		x->etag[0] = '\0';
		x->have_length = false;
		return n;
	}
	colon = memchr(data, ':', n);
	if (colon == NULL)
		return n;
	v = colon + 1;
	while (v < data + n && (*v == ' ' || *v == '\t'))
		v++;
	vlen = data + n - v;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	if (colon - data == 4 && strncasecmp(data, "etag", 4) == 0 && vlen < sizeof(x->etag))
	{
		memcpy(x->etag, v, vlen);
		x->etag[vlen] = '\0';
	}
	else if (colon - data == 14 && strncasecmp(data, "content-length", 14) == 0)
	{
		char		tmp[32];

		if (vlen < sizeof(tmp))
		{
			memcpy(tmp, v, vlen);
			tmp[vlen] = '\0';
			x->content_length = strtoull(tmp, NULL, 10);
			x->have_length = true;
		}
	}
	return n;
}

static size_t
read_cb(char *buffer, size_t size, size_t nitems, void *userp)
{
	S3Xfer	   *x = userp;
	size_t		n = Min(size * nitems, x->body_len - x->body_pos);

	if (x->pull && n > 0)
	{
		size_t		got = x->pull(x, buffer, n);

		if (got != CURL_READFUNC_PAUSE)
			x->body_pos += got;
		return got;
	}
	if (n == 0)
		return 0;
	memcpy(buffer, x->body + x->body_pos, n);
	x->body_pos += n;
	return n;
}

static int
seek_cb(void *userp, curl_off_t offset, int origin)
{
	S3Xfer	   *x = userp;

	if (x->pull)
		return CURL_SEEKFUNC_CANTSEEK;
	if (origin != SEEK_SET || offset < 0 || (size_t) offset > x->body_len)
		return CURL_SEEKFUNC_FAIL;
	x->body_pos = (size_t) offset;
	return CURL_SEEKFUNC_OK;
}

/* The path of the request, raw (unencoded). */
static char *
xfer_path(S3Store *s3, S3Xfer *x)
{
	if (s3->conf.path_style)
		return x->key ? psprintf("/%s/%s", s3->conf.bucket, x->key) : psprintf("/%s", s3->conf.bucket);
	return x->key ? psprintf("/%s", x->key) : pstrdup("/");
}

static char *
xfer_host(S3Store *s3)
{
	return s3->conf.path_style ? pstrdup(s3->conf.hostport) : psprintf("%s.%s", s3->conf.bucket, s3->conf.hostport);
}

/*
 * Build the headers and the signature of one attempt.  Also used by the
 * test program that compares Strata's signatures with botocore's
 * (s3_debug_sign): everything that decides the signature is here.
 */
static char *
xfer_sign(S3Store *s3, S3Xfer *x, const char *amz_date, char **url_out, struct curl_slist **hdrs)
{
	SigV4Pair	h[8];
	int			nh = 0;
	SigV4Request r = {0};
	char	   *path = xfer_path(s3, x);
	char	   *host = xfer_host(s3);
	char	   *auth;
	char	   *url;
	size_t		ulen = 0,
				ucap = 256;

	h[nh++] = (SigV4Pair) {"host", host};
	h[nh++] = (SigV4Pair) {"x-amz-content-sha256", x->payload_hash};
	h[nh++] = (SigV4Pair) {"x-amz-date", amz_date};
	if (x->range[0])
		h[nh++] = (SigV4Pair) {"range", x->range};
	if (x->content_md5[0])
		h[nh++] = (SigV4Pair) {"content-md5", x->content_md5};
	if (s3->conf.session_token)
		h[nh++] = (SigV4Pair) {"x-amz-security-token", s3->conf.session_token};
	r.method = x->method;
	r.path = path;
	r.query = x->query;
	r.nquery = x->nquery;
	r.headers = h;
	r.nheaders = nh;
	r.payload_hash = x->payload_hash;
	r.access_key = s3->conf.access_key;
	r.secret_key = s3->conf.secret_key;
	r.region = s3->conf.region;
	r.service = "s3";
	r.amz_date = amz_date;
	auth = SigV4Sign(&r, NULL, NULL);

	/* the URL carries the same encoding the signature used */
	url = palloc(ucap);
	url[0] = '\0';
	{
		char	   *pre = psprintf("%s://%s", s3->conf.scheme, host);
		char	   *enc = SigV4Encode(path, true);

		pfree(url);
		url = psprintf("%s%s", pre, enc);
		ulen = strlen(url);
		ucap = ulen + 1;
		pfree(pre);
		pfree(enc);
	}
	for (int i = 0; i < x->nquery; i++)
	{
		char	   *n = SigV4Encode(x->query[i].name, false);
		char	   *v = SigV4Encode(x->query[i].value, false);
		char	   *nu;

		if (v[0])
			nu = psprintf("%s%c%s=%s", url, i ? '&' : '?', n, v);
		else
			nu = psprintf("%s%c%s", url, i ? '&' : '?', n);
		pfree(url);
		url = nu;
		pfree(n);
		pfree(v);
	}
	if (hdrs)
	{
		char	   *line;
		struct curl_slist *l = NULL;

		for (int i = 0; i < nh; i++)
		{
			line = psprintf("%s: %s", h[i].name, h[i].value);
			l = curl_slist_append(l, line);
			pfree(line);
		}
		line = psprintf("Authorization: %s", auth);
		l = curl_slist_append(l, line);
		pfree(line);
		l = curl_slist_append(l, "Expect:");
		if (strcmp(x->method, "POST") == 0)
			l = curl_slist_append(l, "Content-Type: application/xml");
		*hdrs = l;
	}
	pfree(path);
	pfree(host);
	*url_out = url;
	return auth;
}

void
s3_xfer_launch(ObjStore *store, S3Xfer *x)
{
	S3Store    *s3 = store->s3;
	char		amz_date[17];
	char	   *url;
	char	   *auth;
	CURL	   *e;

	xfer_reset_attempt(x);
	x->attempt++;
	if (x->op)
		x->op->req->attempts++;
	/* every attempt is a request the service receives: count it here */
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, x->kind, 1);
	SigV4FormatDate(time(NULL), amz_date);
	auth = xfer_sign(s3, x, amz_date, &url, &x->headers);
	pfree(auth);

	e = x->easy = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, url);
	pfree(url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	/* no total timeout (objects are large); a stalled transfer is cut off */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, s3->conf.verify_tls ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, s3->conf.verify_tls ? 2L : 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
	if (strcmp(x->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(x->method, "PUT") == 0)
	{
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, x);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_cb);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, x);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t) x->body_len);
	}
	else if (strcmp(x->method, "POST") == 0)
	{
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body ? x->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) x->body_len);
	}
	else if (strcmp(x->method, "DELETE") == 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
	curl_multi_add_handle(s3->multi, e);
	s3->nactive++;
}

static bool
retryable_curl(CURLcode c)
{
	switch (c)
	{
		case CURLE_UNSUPPORTED_PROTOCOL:
		case CURLE_URL_MALFORMAT:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_OUT_OF_MEMORY:
		case CURLE_WRITE_ERROR:
		case CURLE_ABORTED_BY_CALLBACK:
			return false;
		default:
			return true;
	}
}

/* Does the response body contain element tag? */
bool
s3_resp_has(S3Xfer *x, const char *tag)
{
	size_t		pos = 0;
	const char *c;
	size_t		clen;

	return x->resp && S3XmlNext(x->resp, x->resp_len, &pos, tag, &c, &clen);
}

/* The S3 error code of a response body, or "" (palloc'd). */
static char *
resp_code(S3Xfer *x)
{
	char	   *c = x->resp ? S3XmlGet(x->resp, x->resp_len, "Code") : NULL;

	return c ? c : pstrdup("");
}

static bool
should_retry(S3Xfer *x)
{
	bool		retry = false;

	if (x->cres != CURLE_OK)
		return retryable_curl(x->cres);
	if (x->status >= 500 || x->status == 429)
		return true;
	if (x->status == 400 || (x->status == 200 && x->error_in_200))
	{
		char	   *code = resp_code(x);

		if (x->status == 400)
			retry = strcmp(code, "RequestTimeout") == 0;
		else
			retry = s3_resp_has(x, "Error");
		pfree(code);
	}
	return retry;
}

/* Describe a failed exchange as one operator line. */
void
s3_xfer_error(ObjStore *store, S3Xfer *x, ObjStoreError *err)
{
	S3Store    *s3 = store->s3;
	char	   *code;
	char	   *msg;
	const char *what = x->key ? x->key + strlen(s3->conf.prefix) : "(bucket)";

	if (x->cres != CURLE_OK)
	{
		if (x->cres == CURLE_PEER_FAILED_VERIFICATION || x->cres == CURLE_SSL_CACERT_BADFILE ||
			x->cres == CURLE_SSL_CERTPROBLEM)
			objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
						   "TLS verification of object store %s://%s failed: %s (install its CA certificate, or set verify_tls=false in object_store only for testing)",
						   s3->conf.scheme, s3->conf.hostport, x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->cres));
		else if (x->cres == CURLE_WRITE_ERROR)
			objstore_error(err, OBJSTORE_PROTOCOL_ERROR, x->status,
						   "object store %s://%s sent more data than asked for %s %s",
						   s3->conf.scheme, s3->conf.hostport, x->method, what);
		else
			objstore_error(err, OBJSTORE_UNAVAILABLE, 0,
						   "could not reach object store %s://%s for %s %s after %d attempts: %s",
						   s3->conf.scheme, s3->conf.hostport, x->method, what, x->attempt,
						   x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->cres));
		return;
	}
	code = resp_code(x);
	msg = x->resp ? S3XmlGet(x->resp, x->resp_len, "Message") : NULL;
	if (x->status == 403)
		objstore_error(err, OBJSTORE_ACCESS_DENIED, 403,
					   "object store %s://%s refused %s %s with 403 %s%s%s: check the credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and the bucket's permissions",
					   s3->conf.scheme, s3->conf.hostport, x->method, what, code[0] ? code : "Forbidden",
					   msg ? ": " : "", msg ? msg : "");
	else if (strcmp(code, "NoSuchBucket") == 0 ||
			 (x->status == 404 && x->key == NULL && strcmp(code, "NoSuchKey") != 0))
		objstore_error(err, OBJSTORE_NO_BUCKET, 404,
					   "bucket \"%s\" does not exist at %s://%s: create it, or correct the object_store setting (%s)",
					   s3->conf.bucket, s3->conf.scheme, s3->conf.hostport, store->display);
	else if (x->status == 404 && strcmp(code, "NoSuchUpload") != 0)
		objstore_error(err, OBJSTORE_NOT_FOUND, 404, "object \"%s\" does not exist in %s",
					   what, store->display);
	else if (x->status == 416)
		objstore_error(err, OBJSTORE_BAD_RANGE, 416,
					   "range %s is past the end of \"%s\"", x->range, what);
	else if (x->status >= 500 || x->status == 429 || strcmp(code, "RequestTimeout") == 0)
		objstore_error(err, OBJSTORE_UNAVAILABLE, (int) x->status,
					   "object store %s://%s failed %s %s with %ld %s after %d attempts%s%s",
					   s3->conf.scheme, s3->conf.hostport, x->method, what, x->status, code,
					   x->attempt, msg ? ": " : "", msg ? msg : "");
	else
		objstore_error(err, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
					   "object store %s://%s answered %s %s with unexpected HTTP %ld %s%s%s",
					   s3->conf.scheme, s3->conf.hostport, x->method, what, x->status, code,
					   msg ? ": " : "", msg ? msg : "");
	pfree(code);
	if (msg)
		pfree(msg);
}

static int64
backoff_ms(ObjStore *store, int attempt)
{
	S3Store    *s3 = store->s3;
	int64		cap = store->retry_base_ms;
	uint64		r;

	for (int i = 1; i < attempt && cap < store->retry_max_ms; i++)
		cap *= 2;
	cap = Min(cap, (int64) store->retry_max_ms);
	/* xorshift64*: jitter, not cryptography */
	s3->rng ^= s3->rng >> 12;
	s3->rng ^= s3->rng << 25;
	s3->rng ^= s3->rng >> 27;
	r = s3->rng * 2685821657736338717ULL;
	return cap / 2 + (int64) (r % (uint64) (cap / 2 + 1));
}

/* A transfer left the multi handle: retry it, or hand it to its op. */
static void
xfer_finished(ObjStore *store, S3Xfer *x, CURLcode res)
{
	S3Store    *s3 = store->s3;
	curl_off_t	sent = 0;
	curl_off_t	received = 0;

	x->cres = res;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (res == CURLE_WRITE_ERROR && x->sink_full)
		x->cres = CURLE_OK;		/* we stopped a 200 once we had our range */
	curl_multi_remove_handle(s3->multi, x->easy);
	s3->nactive--;

	/* body bytes as curl moved them, partial attempts included */
	if (curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &sent) == CURLE_OK && sent > 0)
		MetricsInc(METRIC_OBJSTORE_SENT_BYTES, (uint64) sent);
	if (curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &received) == CURLE_OK && received > 0)
		MetricsInc(METRIC_OBJSTORE_RECEIVED_BYTES, (uint64) received);
	if (!xfer_ok(x) || (x->error_in_200 && s3_resp_has(x, "Error")))
		MetricsIncObjStore(METRIC_OBJSTORE_REQUEST_ERRORS, x->kind, 1);

	if (x->pull == NULL && should_retry(x) && x->attempt < store->max_attempts)
	{
		x->due_ms = MonotonicMs() + backoff_ms(store, x->attempt);
		x->next = s3->waiting;
		s3->waiting = x;
		return;
	}
	op_step(store, x->op, x);
}

/* ---- operations ---- */

S3Op *
s3_op_new(ObjStoreRequest *req)
{
	S3Op	   *op = palloc0(sizeof(S3Op));

	op->req = req;
	req->priv = op;
	return op;
}

static void
op_finish(ObjStore *store, S3Op *op)
{
	ObjStoreRequest *req = op->req;

	if (op->etags)
	{
		for (int i = 0; i < op->nparts; i++)
			if (op->etags[i])
				pfree(op->etags[i]);
		pfree(op->etags);
	}
	if (op->upload_id)
		pfree(op->upload_id);
	if (op->body)
		pfree(op->body);
	pfree(op);
	req->priv = NULL;
	objstore_complete(store, req);
}

static bool
xfer_ok(S3Xfer *x)
{
	return x->cres == CURLE_OK && x->status >= 200 && x->status < 300;
}

/* Start UploadPart number (1-based) of op's upload, with data. */
void
s3_start_upload_part(ObjStore *store, S3Op *op, int number, const char *data, size_t len)
{
	S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_UPLOAD_PART, "PUT", op->req->key);
	char		num[16];

	snprintf(num, sizeof(num), "%d", number);
	s3_xfer_add_query(x, "partNumber", num);
	s3_xfer_add_query(x, "uploadId", op->upload_id);
	s3_xfer_set_body(x, data, len);
	x->part_number = number;
	op->parts_inflight++;
	s3_xfer_launch(store, x);
}

/*
 * Start one of a multipart upload's own requests for op, by kind:
 * CreateMultipartUpload (POST ?uploads), CompleteMultipartUpload (POST
 * ?uploadId=, the body from s3_complete_body; a 200 may still carry an
 * Error) or AbortMultipartUpload (DELETE ?uploadId=).
 */
void
s3_start_mpu_request(ObjStore *store, S3Op *op, MetricObjStoreRequest kind, const char *body, size_t len)
{
	const char *method = kind == METRIC_OBJREQ_ABORT_MULTIPART_UPLOAD ? "DELETE" : "POST";
	S3Xfer	   *x = s3_xfer_new(store, op, kind, method, op->req->key);

	if (kind == METRIC_OBJREQ_CREATE_MULTIPART_UPLOAD)
		s3_xfer_add_query(x, "uploads", "");
	else
		s3_xfer_add_query(x, "uploadId", op->upload_id);
	s3_xfer_set_body(x, body, len);
	x->error_in_200 = kind == METRIC_OBJREQ_COMPLETE_MULTIPART_UPLOAD;
	s3_xfer_launch(store, x);
}

/* The body of CompleteMultipartUpload for parts 1 .. nparts (palloc'd). */
char *
s3_complete_body(char *const *etags, int nparts, size_t *len)
{
	size_t		cap = 64 + (size_t) nparts * 320;
	char	   *body = palloc(cap);
	size_t		n;

	n = snprintf(body, cap, "<CompleteMultipartUpload>");
	for (int i = 0; i < nparts; i++)
	{
		char	   *etag = S3XmlEscape(etags[i]);

		n += snprintf(body + n, cap - n,
					  "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i + 1, etag);
		pfree(etag);
	}
	n += snprintf(body + n, cap - n, "</CompleteMultipartUpload>");
	*len = n;
	return body;
}

/* The next part of a put's data. */
static void
start_part(ObjStore *store, S3Op *op)
{
	int			n = op->next_part++;
	size_t		off = (size_t) (n - 1) * op->part_size;

	s3_start_upload_part(store, op, n, op->data + off, Min(op->part_size, op->len - off));
}

static void
start_complete(ObjStore *store, S3Op *op)
{
	size_t		len;

	op->body = s3_complete_body(op->etags, op->nparts, &len);
	op->state = S3_MPU_COMPLETE;
	s3_start_mpu_request(store, op, METRIC_OBJREQ_COMPLETE_MULTIPART_UPLOAD, op->body, len);
}

static void
start_abort(ObjStore *store, S3Op *op)
{
	op->state = S3_MPU_ABORT;
	s3_start_mpu_request(store, op, METRIC_OBJREQ_ABORT_MULTIPART_UPLOAD, NULL, 0);
}

/* Parse a ListObjectsV2 result into op->listing. */
static bool
parse_listing(ObjStore *store, S3Xfer *x, ObjStoreListing *out, ObjStoreError *err)
{
	S3Store    *s3 = store->s3;
	size_t		pos = 0;
	const char *c;
	size_t		clen;
	int			cap = 16;
	size_t		plen = strlen(s3->conf.prefix);
	char	   *t;

	out->entries = palloc(sizeof(ObjStoreEntry) * cap);
	while (S3XmlNext(x->resp, x->resp_len, &pos, "Contents", &c, &clen))
	{
		char	   *key = S3XmlGet(c, clen, "Key");
		char	   *size = S3XmlGet(c, clen, "Size");
		char	   *end = NULL;
		uint64		sz = size ? strtoull(size, &end, 10) : 0;

		if (key == NULL || size == NULL || end == size || *end != '\0' ||
			strncmp(key, s3->conf.prefix, plen) != 0)
		{
			objstore_error(err, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
						   "object store %s://%s sent a ListObjectsV2 entry without a valid Key/Size under the prefix",
						   s3->conf.scheme, s3->conf.hostport);
			if (key)
				pfree(key);
			if (size)
				pfree(size);
			return false;
		}
		if (out->nentries == cap)
		{
			cap *= 2;
			out->entries = repalloc(out->entries, sizeof(ObjStoreEntry) * cap);
		}
		out->entries[out->nentries].key = pstrdup(key + plen);
		out->entries[out->nentries].size = sz;
		out->nentries++;
		pfree(key);
		pfree(size);
	}
	t = S3XmlGet(x->resp, x->resp_len, "IsTruncated");
	out->truncated = t && strcmp(t, "true") == 0;
	if (t)
		pfree(t);
	if (out->truncated)
	{
		out->next_token = S3XmlGet(x->resp, x->resp_len, "NextContinuationToken");
		if (out->next_token == NULL)
		{
			objstore_error(err, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
						   "object store %s://%s sent a truncated listing without NextContinuationToken",
						   s3->conf.scheme, s3->conf.hostport);
			return false;
		}
	}
	return true;
}

/*
 * A transfer of op is over (retries done).  Consume its result, then
 * either start the op's next exchange or finish the op.
 */
/*
 * DeleteObjects in Quiet mode lists only the keys it failed to delete:
 * report the first.
 */
static void
batch_delete_error(ObjStore *store, S3Xfer *x, ObjStoreError *err)
{
	size_t		pos = 0;
	const char *c;
	size_t		clen;
	char	   *k;
	char	   *code;
	char	   *msg;

	if (x->resp == NULL || !S3XmlNext(x->resp, x->resp_len, &pos, "Error", &c, &clen))
		return;
	k = S3XmlGet(c, clen, "Key");
	code = S3XmlGet(c, clen, "Code");
	msg = S3XmlGet(c, clen, "Message");
	objstore_error(err,
				   code && strcmp(code, "AccessDenied") == 0 ? OBJSTORE_ACCESS_DENIED : OBJSTORE_UNAVAILABLE,
				   (int) x->status,
				   "object store %s refused to delete \"%s\": %s%s%s",
				   store->display, k ? k : "?", code ? code : "?",
				   msg ? ": " : "", msg ? msg : "");
	if (k)
		pfree(k);
	if (code)
		pfree(code);
	if (msg)
		pfree(msg);
}

/* The one exchange of a single-exchange request has ended (ok or not). */
static void
simple_done(ObjStore *store, S3Op *op, S3Xfer *x, bool ok)
{
	ObjStoreRequest *req = op->req;

	if (!ok)
		s3_xfer_error(store, x, &req->error);
	else if (req->op == OBJSTORE_OP_GET)
	{
		req->nread = x->sink_len;
		if (x->sink_len == 0 && op->get_len > 0)
			objstore_error(&req->error, OBJSTORE_BAD_RANGE, (int) x->status,
						   "range %s is past the end of \"%s\"", x->range, req->key);
	}
	else if (req->op == OBJSTORE_OP_HEAD)
	{
		if (!x->have_length)
			objstore_error(&req->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
						   "HEAD %s: no Content-Length in the answer", req->key);
		req->size = x->content_length;
	}
	else if (req->op == OBJSTORE_OP_PUT)
		req->size = op->len;
	else if (req->op == OBJSTORE_OP_LIST)
	{
		if (!parse_listing(store, x, op->listing, &req->error))
			ObjStoreListingFree(op->listing);
	}
	else if (req->op == OBJSTORE_OP_DELETE_BATCH)
		batch_delete_error(store, x, &req->error);
	s3_xfer_free(x);
	op_finish(store, op);
}

/*
 * An UploadPart has ended: keep its ETag, start the next part, or once
 * none is in flight any more, complete the upload (or abort it after a
 * failure).
 */
static void
mpu_part_done(ObjStore *store, S3Op *op, S3Xfer *x, bool ok)
{
	ObjStoreRequest *req = op->req;

	op->parts_inflight--;
	if (ok && x->etag[0] == '\0')
	{
		ok = false;
		if (!op->failed)
			objstore_error(&req->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
						   "UploadPart %d of \"%s\": no ETag in the answer", x->part_number, req->key);
		op->failed = true;
	}
	if (ok)
	{
		op->etags[x->part_number - 1] = pstrdup(x->etag);
		op->parts_done++;
	}
	else if (!op->failed)
	{
		s3_xfer_error(store, x, &req->error);
		op->failed = true;
	}
	s3_xfer_free(x);
	if (!op->failed && op->next_part <= op->nparts)
		start_part(store, op);
	else if (op->parts_inflight == 0)
	{
		if (op->failed)
			start_abort(store, op);
		else
			start_complete(store, op);
	}
}

/* Advance op's state machine: its exchange x has ended. */
static void
op_step(ObjStore *store, S3Op *op, S3Xfer *x)
{
	ObjStoreRequest *req = op->req;
	bool		ok = xfer_ok(x);

	if (op->writer)
	{
		s3_writer_step(store, op, x, ok);
		return;
	}
	switch (op->state)
	{
		case S3_SIMPLE:
			simple_done(store, op, x, ok);
			return;

		case S3_MPU_CREATE:
			if (ok)
				op->upload_id = x->resp ? S3XmlGet(x->resp, x->resp_len, "UploadId") : NULL;
			if (!ok)
				s3_xfer_error(store, x, &req->error);
			else if (op->upload_id == NULL || op->upload_id[0] == '\0')
				objstore_error(&req->error, OBJSTORE_PROTOCOL_ERROR, (int) x->status,
							   "CreateMultipartUpload of \"%s\": no UploadId in the answer", req->key);
			s3_xfer_free(x);
			if (req->error.code != OBJSTORE_OK)
			{
				op_finish(store, op);
				return;
			}
			op->state = S3_MPU_PARTS;
			op->etags = palloc0(sizeof(char *) * op->nparts);
			while (op->next_part <= op->nparts && op->parts_inflight < S3_PARTS_IN_FLIGHT)
				start_part(store, op);
			return;

		case S3_MPU_PARTS:
			mpu_part_done(store, op, x, ok);
			return;

		case S3_MPU_COMPLETE:
			if (ok && x->error_in_200 && s3_resp_has(x, "Error"))
				ok = false;
			if (!ok)
			{
				s3_xfer_error(store, x, &req->error);
				s3_xfer_free(x);
				start_abort(store, op);
				return;
			}
			req->size = op->len;
			s3_xfer_free(x);
			op_finish(store, op);
			return;

		case S3_MPU_ABORT:
			/* best effort: the put has failed already, keep its error */
			Assert(req->error.code != OBJSTORE_OK);
			s3_xfer_free(x);
			op_finish(store, op);
			return;

		default:
			Ensure(false);	/* writer states belong to s3_writer_step */
	}
}

void
s3_start_put(ObjStore *store, ObjStoreRequest *req, const void *data, size_t len)
{
	S3Op	   *op = s3_op_new(req);

	op->data = data;
	op->len = len;

	/*
	 * One PutObject up to the threshold: below about 100 MB a multipart
	 * upload costs two extra requests (and one per part) for no gain.  An
	 * object that fits in one part never needs more than one request.
	 */
	if (len <= Max(store->multipart_threshold, store->part_size))
	{
		S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_PUT_OBJECT, "PUT", req->key);

		s3_xfer_set_body(x, data, len);
		op->state = S3_SIMPLE;
		s3_xfer_launch(store, x);
		return;
	}
	op->part_size = store->part_size;
	/* S3 allows 10,000 parts: grow the part size for huge objects */
	while ((len + op->part_size - 1) / op->part_size > OBJSTORE_MAX_PARTS)
		op->part_size *= 2;
	op->nparts = (int) ((len + op->part_size - 1) / op->part_size);
	op->next_part = 1;
	op->state = S3_MPU_CREATE;
	s3_start_mpu_request(store, op, METRIC_OBJREQ_CREATE_MULTIPART_UPLOAD, NULL, 0);
}

void
s3_start_get(ObjStore *store, ObjStoreRequest *req, uint64 offset, size_t len, void *buf)
{
	S3Op	   *op = s3_op_new(req);
	S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_GET_OBJECT, "GET", req->key);

	op->offset = offset;
	op->get_len = len;
	op->buf = buf;
	x->sink = buf;
	x->sink_cap = len;
	x->range_offset = offset;
	snprintf(x->range, sizeof(x->range), "bytes=%llu-%llu",
			 (unsigned long long) offset, (unsigned long long) (offset + len - 1));
	s3_xfer_set_body(x, NULL, 0);
	s3_xfer_launch(store, x);
}

void
s3_start_head(ObjStore *store, ObjStoreRequest *req)
{
	S3Op	   *op = s3_op_new(req);
	S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_HEAD_OBJECT, "HEAD", req->key);

	s3_xfer_set_body(x, NULL, 0);
	s3_xfer_launch(store, x);
}

void
s3_start_delete(ObjStore *store, ObjStoreRequest *req)
{
	S3Op	   *op = s3_op_new(req);
	S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_DELETE_OBJECT, "DELETE", req->key);

	s3_xfer_set_body(x, NULL, 0);
	s3_xfer_launch(store, x);
}

bool
s3_list(ObjStore *store, const char *prefix, const char *token, int max_keys,
		ObjStoreListing *out, ObjStoreError *err)
{
	ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_LIST, NULL, NULL);
	S3Op	   *op = s3_op_new(req);
	S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_LIST_OBJECTS_V2, "GET", NULL);
	char		mk[16];
	char	   *full = psprintf("%s%s", store->s3->conf.prefix, prefix);

	op->listing = out;
	snprintf(mk, sizeof(mk), "%d", max_keys);
	s3_xfer_add_query(x, "list-type", "2");
	s3_xfer_add_query(x, "prefix", full);
	s3_xfer_add_query(x, "max-keys", mk);
	if (token)
		s3_xfer_add_query(x, "continuation-token", token);
	pfree(full);
	s3_xfer_set_body(x, NULL, 0);
	s3_xfer_launch(store, x);
	return objstore_wait_sync(store, req, err);
}

bool
s3_delete_batch(ObjStore *store, const char *const *keys, int nkeys, ObjStoreError *err)
{
	for (int start = 0; start < nkeys; start += OBJSTORE_DELETE_BATCH_MAX)
	{
		int			n = Min(nkeys - start, OBJSTORE_DELETE_BATCH_MAX);
		ObjStoreRequest *req = objstore_request_new(store, OBJSTORE_OP_DELETE_BATCH, NULL, NULL);
		S3Op	   *op = s3_op_new(req);
		S3Xfer	   *x = s3_xfer_new(store, op, METRIC_OBJREQ_DELETE_OBJECTS, "POST", NULL);
		size_t		cap = 64,
					len = 0;
		char	   *body;

		for (int i = 0; i < n; i++)
			cap += strlen(store->s3->conf.prefix) + strlen(keys[start + i]) * 6 + 32;
		body = palloc(cap);
		len = snprintf(body, cap, "<Delete><Quiet>true</Quiet>");
		for (int i = 0; i < n; i++)
		{
			char	   *full = psprintf("%s%s", store->s3->conf.prefix, keys[start + i]);
			char	   *k = S3XmlEscape(full);

			len += snprintf(body + len, cap - len, "<Object><Key>%s</Key></Object>", k);
			pfree(k);
			pfree(full);
		}
		len += snprintf(body + len, cap - len, "</Delete>");
		op->body = body;
		s3_xfer_add_query(x, "delete", "");
		s3_xfer_set_body(x, body, len);
		SigV4Md5Base64(body, len, x->content_md5);
		s3_xfer_launch(store, x);
		if (!objstore_wait_sync(store, req, err))
			return false;
	}
	return true;
}

/* ---- streamed puts (ObjStoreWriter) ---- */

/* ---- the engine ---- */

static void
drain_finished(ObjStore *store)
{
	CURLMsg    *m;
	int			left;

	while ((m = curl_multi_info_read(store->s3->multi, &left)) != NULL)
	{
		S3Xfer	   *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &x);
		xfer_finished(store, x, m->data.result);
	}
}

static void
launch_due(ObjStore *store, int64 now)
{
	S3Xfer	  **pp = &store->s3->waiting;

	while (*pp)
	{
		S3Xfer	   *x = *pp;

		if (x->due_ms <= now)
		{
			*pp = x->next;
			x->next = NULL;
			s3_xfer_launch(store, x);
		}
		else
			pp = &x->next;
	}
}

/*
 * Drive transfers until a request finishes (until == NULL: any request;
 * otherwise that one) or timeout_ms passes.
 */
void
s3_wait(ObjStore *store, long timeout_ms, ObjStoreRequest *until)
{
	S3Store    *s3 = store->s3;
	int64		deadline = MonotonicMs() + Max(timeout_ms, 0);

	for (;;)
	{
		int			running;
		int64		now = MonotonicMs();
		int64		wait;

		launch_due(store, now);
		curl_multi_perform(s3->multi, &running);
		drain_finished(store);
		if (until ? until->done : store->ndone > 0)
			return;
		now = MonotonicMs();
		if (now >= deadline || (s3->nactive == 0 && s3->waiting == NULL))
			return;
		wait = deadline - now;
		for (S3Xfer *x = s3->waiting; x; x = x->next)
			wait = Min(wait, Max(x->due_ms - now, 0));
		curl_multi_poll(s3->multi, NULL, 0, (int) Min(wait, (int64) 1000), NULL);
	}
}

void
s3_close(ObjStore *store)
{
	S3Store    *s3 = store->s3;

	/* let outstanding requests end; then drop the pool */
	while (s3->nactive > 0 || s3->waiting)
	{
		if (s3->waiting && s3->nactive == 0)
		{
			/* give up on pending retries at close */
			S3Xfer	   *x = s3->waiting;

			s3->waiting = x->next;
			x->cres = CURLE_COULDNT_CONNECT;
			x->attempt = store->max_attempts;
			op_step(store, x->op, x);
			continue;
		}
		s3_wait(store, 1000, NULL);
		while (store->ndone > 0)
			ObjStoreRequestFree(ObjStoreNextDone(store));
	}
	curl_multi_cleanup(s3->multi);
	s3_free_config(&s3->conf);
	pfree(s3);
	store->s3 = NULL;
}

/*
 * For the signature comparison test (src/test/modules/sigv4_sign): the
 * URL and Authorization this store would send for one request, with a
 * fixed date.  method is GET/PUT/POST/DELETE/HEAD; key NULL means the
 * bucket; query is "name=value&..." raw (unencoded) or NULL.
 */
char *
ObjStoreS3DebugSign(ObjStore *store, const char *method, const char *key, const char *query,
			  const void *body, size_t body_len, const char *range, const char *amz_date,
			  char **url_out)
{
	S3Xfer	   *x;
	char	   *auth;

	if (!store->is_s3)
		return NULL;
	/* never launched, so the metrics kind does not matter */
	x = s3_xfer_new(store, NULL, METRIC_OBJREQ_GET_OBJECT, method, key);

	if (query && query[0])
	{
		char	   *qs = pstrdup(query);
		char	   *save = NULL;

		for (char *tok = strtok_r(qs, "&", &save); tok; tok = strtok_r(NULL, "&", &save))
		{
			char	   *eq = strchr(tok, '=');

			if (eq)
				*eq = '\0';
			s3_xfer_add_query(x, tok, eq ? eq + 1 : "");
		}
		pfree(qs);
	}
	s3_xfer_set_body(x, body, body_len);
	if (range)
		snprintf(x->range, sizeof(x->range), "%s", range);
	if (strcmp(method, "POST") == 0 && query && strncmp(query, "delete", 6) == 0)
		SigV4Md5Base64(body ? body : "", body_len, x->content_md5);
	auth = xfer_sign(store->s3, x, amz_date, url_out, NULL);
	s3_xfer_free(x);
	return auth;
}
