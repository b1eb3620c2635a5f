/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  Serving one Kafka request: parse the header, decode the body through
 *	  the API table, call the handler the table names, encode the response.
 *
 *	  What Kafka brokers do with a request they cannot serve, we do too: an
 *	  unknown API key, an unsupported version (except for ApiVersions, which
 *	  always gets an answer) or a malformed body closes the connection, with
 *	  one log line naming the client and the reason.  A request whose
 *	  handler fails with an ERROR is answered with UNKNOWN_SERVER_ERROR
 *	  where its response has a top-level error code (KafkaAnswerFailedRequest,
 *	  called by the backend's ERROR recovery in backend.c).
 *
 *	  Surplus bytes after a request body that decoded completely are
 *	  ignored, as Kafka's request parser ignores them: some clients send
 *	  them (librdkafka 2.3 and later encodes Metadata v9+'s null topic
 *	  array in four bytes where a one-byte varint belongs).  They are
 *	  counted and logged once per connection; see note_surplus_bytes.  A
 *	  truncated or inconsistent body is still malformed.
 *
 *	  Before any of that, every frame passes the authentication state
 *	  machine (kafka/sasl.h), which may consume it (a bare SASL token) or
 *	  refuse it (a request before authentication), and the backend's copy
 *	  of users and ACLs is brought up to date, once per request.
 *
 * src/backend/kafka/dispatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/backend.h"
#include "kafka/codec.h"
#include "kafka/handlers.h"
#include "kafka/sasl.h"
#include "kafka/security.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/listeners.h"
#include "utils/metrics.h"

KafkaConn  *MyConn = NULL;

/*
 * KafkaConnInit: run once by a backend, with TopMemoryContext current, so
 * that the connection's buffers live as long as the connection.
 */
void
KafkaConnInit(KafkaConn *conn)
{
	Assert(CurrentMemoryContext == TopMemoryContext);
	RequestContext = MemoryContextCreate(TopMemoryContext, "RequestContext");
	/* Decoded structures are a few times the frame at most. */
	KArenaInit(&conn->arena, (size_t) socket_request_max_bytes * 4 + 16 * 1024 * 1024);
	KWriterInit(&conn->out, 64 * 1024);
	conn->no_response = false;
	conn->in_request = false;
	conn->surplus_logged = false;
}

/* ---------- building responses in the request arena ---------- */

/*
 * The one place a response that does not fit fails: the arena is capped
 * (kafka/kbuf.h), and a request whose response it cannot hold fails with
 * an ERROR, which the backend answers with UNKNOWN_SERVER_ERROR (backend.c).
 */
static void *
arena_checked(void *p)
{
	if (p == NULL)
		elog(ERROR, "request arena exhausted");
	return p;
}

/*
 * The allocators handlers use are the KafkaLockedBuild ones (below), with
 * the failure raised at once.
 */
KStr
KStrArena(KArena *arena, const char *s)
{
	KafkaLockedBuild b = {arena, false};
	KStr		r = LockedStr(&b, s);

	KafkaLockedBuildEnd(&b);
	return r;
}

KBytes
KBytesArena(KArena *arena, const void *data, int32 len)
{
	KafkaLockedBuild b = {arena, false};
	KBytes		r = LockedBytes(&b, data, len);

	KafkaLockedBuildEnd(&b);
	return r;
}

void *
KArenaArray(KArena *arena, int32 n, size_t sz)
{
	KafkaLockedBuild b = {arena, false};
	void	   *r = LockedArray(&b, n, sz);

	KafkaLockedBuildEnd(&b);
	return r;
}

void *
KafkaResponseArray(KArena *arena, const KSchema *elem, int32 n)
{
	KafkaLockedBuild b = {arena, false};
	void	   *r = LockedResponseArray(&b, elem, n);

	KafkaLockedBuildEnd(&b);
	return r;
}

void *
KArenaBuffer(KArena *arena, void *p, size_t oldsize, size_t size)
{
	if (p == NULL)
		return arena_checked(KArenaAllocRaw(arena, Max(size, 1)));
	return arena_checked(KArenaExtendRaw(arena, p, Max(oldsize, 1), Max(size, 1)));
}

/*
 * Allocations that do not raise, for building under an SMutex: a failure
 * is remembered in b, and raised by KafkaLockedBuildEnd once the lock is
 * released.
 */
KStr
LockedStr(KafkaLockedBuild *b, const char *s)
{
	size_t		len = strlen(s);
	char	   *p = b->failed ? NULL : KArenaAllocRaw(b->arena, len + 1);

	if (p == NULL)
	{
		b->failed = true;
		return KSTR_LIT("");
	}
	memcpy(p, s, len + 1);
	return (KStr) {p, (int32) len};
}

KBytes
LockedBytes(KafkaLockedBuild *b, const void *data, int32 len)
{
	uint8	   *p;

	if (len <= 0)
		return (KBytes) {(const uint8 *) "", 0};
	p = b->failed ? NULL : KArenaAllocRaw(b->arena, (size_t) len);
	if (p == NULL)
	{
		b->failed = true;
		return (KBytes) {(const uint8 *) "", 0};
	}
	memcpy(p, data, (size_t) len);
	return (KBytes) {p, len};
}

void *
LockedArray(KafkaLockedBuild *b, int32 n, size_t sz)
{
	void	   *p;

	if (n <= 0)
		return NULL;
	/* an int32 count of elements of a struct's size: no size_t overflow */
	p = b->failed ? NULL : KArenaAlloc(b->arena, (size_t) n * sz);
	if (p == NULL)
		b->failed = true;
	return p;
}

void *
LockedResponseArray(KafkaLockedBuild *b, const KSchema *elem, int32 n)
{
	void	   *p;

	if (n <= 0)
		return NULL;
	p = b->failed ? NULL : KafkaNewArray(b->arena, elem, n);
	if (p == NULL)
		b->failed = true;
	return p;
}

void
KafkaLockedBuildEnd(KafkaLockedBuild *b)
{
	if (b->failed)
		(void) arena_checked(NULL);
}

char *
pnstrdup_kstr(KStr s)
{
	return pnstrdup(s.ptr ? s.ptr : "", (size_t) Max(s.len, 0));
}

void
KafkaAdvertisedAddress(char *host, size_t hostlen, int32 *port)
{
	if (!ListenerAdvertisedFor(MyListenerName, host, hostlen, port))
	{
		strlcpy_s(host, "127.0.0.1", hostlen);
		*port = 9092;
	}
}

/*
 * Surplus bytes after a request body.  The decoder has read the whole body
 * and built the request from it; what follows lies inside the frame
 * already read (so it costs no memory beyond the frame) and is never
 * looked at.  Counted per API in strata_kafka_requests_surplus_total; the
 * first such request of a connection is logged at DEBUG1, naming the
 * client, so that a client doing it on every request does not flood a log
 * at DEBUG.  Runs in the backend serving the request.
 */
static void
note_surplus_bytes(KafkaConn *conn, const KafkaRequestHeader *h, size_t surplus)
{
	MetricsIncApi(METRIC_KAFKA_REQUESTS_SURPLUS, h->api_key, 1);
	if (!conn->surplus_logged)
	{
		conn->surplus_logged = true;
		elog(DEBUG1, "ignoring %zu bytes after the body of a %s v%d request from %s (logged once per connection)",
			 surplus, h->api->name, h->api_version, MyClientAddr);
	}
}

/* Serve one request (see KafkaProcessRequest). */
static bool
serve_request(KafkaConn *conn, const uint8 *frame, size_t len)
{
	KReader		r;
	KafkaRequestHeader h;
	void	   *req;
	void	   *resp;
	bool		ok;

	/* ---- Authentication first (kafka/sasl.h): it may consume the frame ---- */
	switch (SaslFilterFrame(conn, frame, len))
	{
		case SASL_FRAME_DONE:
			return true;
		case SASL_FRAME_CLOSE:
			return false;
		case SASL_FRAME_DISPATCH:
			break;
	}
	/* One state of users and ACLs for the whole request (kafka/authorizer.h). */
	SecurityCacheRefresh();

	KReaderInit(&r, frame, len);
	if (!KafkaParseRequestHeader(&r, &h))
	{
		elog(LOG, "closing connection from %s: malformed request header: %s", MyClientAddr, r.errmsg);
		return false;
	}
	conn->request = h;
	conn->in_request = true;
	if (h.api == NULL)
	{
		elog(LOG, "closing connection from %s: unsupported API key %d", MyClientAddr, h.api_key);
		return false;
	}
	if (!h.version_supported)
	{
		/* ApiVersions always gets an answer, whatever the version. */
		if (h.api_key == KAFKA_API_API_VERSIONS)
		{
			ok = KafkaApiVersionsRespond(&h, &r, &conn->arena, &conn->out);
			if (!ok)
				elog(LOG, "closing connection from %s: malformed ApiVersions v%d request: %s",
					 MyClientAddr, h.api_version, r.errmsg);
			return ok;
		}
		elog(LOG, "closing connection from %s: %s version %d is not supported (supported: %d to %d)",
			 MyClientAddr, h.api->name, h.api_version, h.api->min_version, h.api->max_version);
		return false;
	}

	/* ---- the body: what a request may hold, decided in this one place ---- */
	req = KafkaDecodeRequest(&h, &r, &conn->arena);
	if (req == NULL)
	{
		elog(LOG, "closing connection from %s: malformed %s v%d request: %s",
			 MyClientAddr, h.api->name, h.api_version, r.errmsg);
		return false;
	}
	/* bytes after a complete body are ignored, as Kafka ignores them */
	if (KReaderRemaining(&r) > 0)
		note_surplus_bytes(conn, &h, KReaderRemaining(&r));
	/* ---- */

	resp = arena_checked(KafkaNewResponse(&h, &conn->arena));
	ok = h.api->handler(conn, &h, req, resp);
	if (ok && !conn->no_response && !KafkaWriteResponse(&conn->out, &h, resp))
	{
		elog(LOG, "could not encode %s v%d response for %s: %s",
			 h.api->name, h.api_version, MyClientAddr, conn->out.errmsg);
		ok = false;
	}
	return ok;
}

/* The end of a request, served or failed: what it allocated goes. */
void
KafkaRequestAbandon(KafkaConn *conn)
{
	conn->in_request = false;
	KArenaReset(&conn->arena);
	MemoryContextReset(RequestContext);
}

/*
 * KafkaProcessRequest: serve one request frame, appending its response (if
 * any) to conn->out.  Runs in the backend with TopMemoryContext current;
 * the request is served in RequestContext, and the request arena and
 * RequestContext are reset before it returns, whatever the handler left
 * in them.  Returns false if the connection must be closed.  An ERROR
 * does not return here: see KafkaAnswerFailedRequest.
 */
bool
KafkaProcessRequest(KafkaConn *conn, const uint8 *frame, size_t len)
{
	MemoryContext old = MemoryContextSwitchTo(RequestContext);
	bool		ok;

	conn->no_response = false;
	ok = serve_request(conn, frame, len);
	MemoryContextSwitchTo(old);
	KafkaRequestAbandon(conn);
	return ok;
}

/* KafkaAnswerFailedRequest: see handlers.h. */
bool
KafkaAnswerFailedRequest(KafkaConn *conn)
{
	KafkaRequestHeader h = conn->request;
	bool		was_serving = conn->in_request;
	void	   *resp;
	bool		answered = false;

	KafkaRequestAbandon(conn);
	if (!was_serving)
		return false;
	if (h.api != NULL && h.version_supported)
	{
		resp = KafkaNewResponse(&h, &conn->arena);
		answered = resp != NULL &&
			KafkaSetErrorCode(h.api->response, h.api_version, resp, KAFKA_ERR_UNKNOWN_SERVER_ERROR) &&
			KafkaWriteResponse(&conn->out, &h, resp);
		KArenaReset(&conn->arena);
	}
	if (answered)
		elog(LOG, "%s v%d request (correlation id %d) from %s failed; answered with UNKNOWN_SERVER_ERROR",
			 h.api->name, h.api_version, h.correlation_id, MyClientAddr);
	else
		elog(LOG, "closing connection from %s: %s v%d request (correlation id %d) failed, and its response has no top-level error code to say so",
			 MyClientAddr, h.api ? h.api->name : "unknown", h.api_version, h.correlation_id);
	return answered;
}
