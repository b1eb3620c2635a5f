/*-------------------------------------------------------------------------
 *
 * backend.c
 *	  The main loop of a backend: read request frames from the client's
 *	  socket, serve each, write the responses back in request order.
 *
 *	  Kafka clients pipeline: they send many requests without waiting, and
 *	  responses must go back in request order.  A backend serves requests
 *	  one at a time, in order, with one exception that matters for speed: a
 *	  Produce request is appended to the WAL and its response queued until
 *	  the WAL writer has flushed it, while the backend goes on reading and
 *	  appending the requests behind it.  So a producer that keeps several
 *	  requests in flight gets them into one WAL write (group commit within a
 *	  connection, not only across connections).  A response is sent only
 *	  when it and every response before it are ready; any request other
 *	  than Produce first waits for the queue to empty, so nothing else is
 *	  ever answered ahead of an earlier produce.
 *
 *	  The 4-byte frame length is checked against socket_request_max_bytes
 *	  before any memory is set aside for the frame; a frame that is too
 *	  short or too long closes the connection with one log line, as does a
 *	  request the codec rejects.  Nothing here can harm another client.
 *
 *	  Bytes go through kafka/secure.h, plain or TLS: on an SSL or SASL_SSL
 *	  listener the backend first runs the TLS handshake, which must end
 *	  within authentication_timeout of the connection's arrival.  On a SASL
 *	  listener kafka/sasl.h decides, before dispatch, what an
 *	  unauthenticated client may send, and sets the frame limit
 *	  (sasl_max_request_bytes) checked here before a frame is read; a
 *	  failed authentication has its answer sent after a delay, and the
 *	  connection closed (close_after_authentication_failure).
 *
 *	  Request bytes are read from the connection into one buffer and served
 *	  where they land: a produced batch is copied from there into the WAL
 *	  ring (storage/wal.h) and nowhere else, never moved within the buffer
 *	  (see input_prepare).  A fetch's answer refers to the log cache's
 *	  batches in the WAL ring and is sent from there (see send_ready).
 *
 *	  Errors.  The request loop is the backend's ERROR recovery point, as
 *	  PostgresMain's is: an elog(ERROR) while a request is served (an
 *	  exhausted request arena, out of memory) unwinds here with siglongjmp,
 *	  and the backend releases what the request held -- RequestContext and
 *	  the request arena, partial response bytes, a log-cache wait, an open
 *	  catalog transaction, and for a Fetch its fetch session -- answers the
 *	  request with UNKNOWN_SERVER_ERROR in the response's top-level error
 *	  code, and goes on with the next request.  A response without a
 *	  top-level error code at that version (Produce, Metadata, ...; see
 *	  doc/kafka.md) cannot say so, and the connection is closed after the
 *	  log line instead, after the responses queued before it are sent.  An
 *	  ERROR between requests closes the connection.  An ERROR raised with an
 *	  SMutex held cannot be recovered from (utils/elog.h): the backend exits
 *	  as a crash and the postmaster reinitialises shared memory.
 *
 * src/backend/kafka/backend.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kafka/backend.h"
#include "kafka/cluster.h"
#include "kafka/group.h"
#include "kafka/handlers.h"
#include "kafka/protocol.h"
#include "kafka/sasl.h"
#include "kafka/secure.h"
#include "kafka/topics.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/spin.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/* Smallest request: api key, version, correlation id, client id length. */
#define MIN_REQUEST_FRAME 10
#define INITIAL_INBUF (64 * 1024)
/* A grown input buffer shrinks back after this many small frames in a row. */
#define SMALL_FRAMES_TO_SHRINK 64
/* iovecs per sendmsg: own bytes and a fetch's batches alternate */
#define SEND_IOVECS 256

const char *MyClientAddr = "";
const char *MyClientHost = "";
ListenerProtocol MyListenerProtocol = LISTENER_PLAINTEXT;
const char *MyListenerName = "PLAINTEXT";
const char *MyPrincipal = "User:ANONYMOUS";

static int	client_sock = -1;

/*
 * Responses built but not yet sent: out's bytes [0, ready) may be sent
 * now; each queued entry ends at byte `end` of out and may be sent once
 * the WAL is flushed past `lsn`.  Positions count out's output bytes
 * (KWriterTotal), the batches a fetch response refers to included.
 */
#define MAX_QUEUED_RESPONSES 128

typedef struct QueuedResponse
{
	size_t		end;
	WalLsn		lsn;
	int16		api_key;		/* for the latency metric */
	uint64		start_us;		/* when the request was read */
} QueuedResponse;

static QueuedResponse queue[MAX_QUEUED_RESPONSES];
static int	queue_head = 0;
static int	queue_len = 0;
static size_t out_ready = 0;

/*
 * Bytes read from the socket: [pos, len) not yet served, in a buffer of
 * cap bytes (TopMemoryContext).  Static, like the request below, because
 * the ERROR recovery continues with them.  small_frames counts frames in a
 * row of at most cap / 8 bytes, to give back a buffer grown for large
 * requests.
 */
static struct
{
	uint8	   *buf;
	size_t		cap;
	size_t		len;
	size_t		pos;
	int			small_frames;
}			in;

/* The request being served. */
static struct
{
	bool		active;
	int16		api_key;
	uint64		start_us;		/* when the request was read */
	size_t		out_before;		/* conn->out's own length before its response */
	size_t		total_before;	/* and its output length (KWriterTotal) */
}			cur;

static void pg_attribute_noreturn()
close_connection(int code)
{
	SecureClose();
	if (client_sock >= 0)
		close(client_sock);
	client_sock = -1;
	proc_exit(code);
}

/*
 * An acknowledgement may leave only while this broker's lease is valid: once
 * it may have lapsed, another broker may be recovering our WAL, and what we
 * acknowledge now could be missing from what it recovered.  Such a response
 * is not sent; the connection is closed instead (the client retries, and
 * finds the partition's new leader).  See doc/cluster.md, "Fencing".
 */
static void
check_lease_for_ack(WalLsn lsn)
{
	if (lsn == 0 || ClusterLeaseValid())
		return;
	elog(LOG, "closing the connection from %s without acknowledging its produce requests: %s",
		 MyClientAddr, ClusterIsFenced() ? "this broker was fenced"
		 : "this broker's lease in the catalog may have expired");
	close_connection(0);
}

/* Move queued responses whose data is now durable to the sendable part. */
static void
release_durable(void)
{
	WalLsn		flushed = WalFlushedLsn();

	while (queue_len > 0 && queue[queue_head].lsn <= flushed)
	{
		check_lease_for_ack(queue[queue_head].lsn);
		out_ready = queue[queue_head].end;
		MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, queue[queue_head].api_key,
						  MetricsNowUs() - queue[queue_head].start_us);
		queue_head = (queue_head + 1) % MAX_QUEUED_RESPONSES;
		queue_len--;
	}
}

/* Remove the first n bytes of out (sent), moving the queue's positions. */
static void
consume_sent(KWriter *out, size_t n)
{
	if (n == 0)
		return;
	KWriterConsume(out, n);
	out_ready -= n;
	for (int i = 0; i < queue_len; i++)
		queue[(queue_head + i) % MAX_QUEUED_RESPONSES].end -= n;
}

/*
 * Send out's first out_ready bytes, waiting for the socket to drain when it
 * is full; keep the rest (queued responses) at the front of the buffer.  A
 * client that went away ends this backend quietly.
 *
 * A fetch response refers to its record batches in the WAL ring instead of
 * holding a copy (KWriteExternal; pinned, storage/logcache.h): one
 * gathered write (SecureWritev) sends them with the response's own bytes,
 * so they go from shared memory to the socket with no copy in between
 * (with TLS, SSL_write encrypts them from the ring, piece by piece).  Should the socket fill up
 * before they are all sent, the rest of them is copied into the buffer and
 * the pin dropped before waiting, so that a slow client never holds WAL
 * space back.
 */
static void
send_ready(KWriter *out)
{
	struct iovec iov[SEND_IOVECS];
	size_t		off = 0;

	while (off < out_ready)
	{
		ssize_t		n;
		int			iovcnt;

		iovcnt = KWriterIov(out, off, out_ready - off, iov, lengthof(iov));
		/* non-blocking: never wait holding the batches' pin */
		n = SecureWritev(iov, iovcnt);
		if (n > 0)
		{
			off += (size_t) n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		{
			if (out->next > 0)
			{
				consume_sent(out, off);
				off = 0;
				MetricsInc(METRIC_LOG_CACHE_COPIED_BYTES, (int64) out->ext_len);
				KWriterInternalize(out);
				LogCacheUnpin();
			}
			ResetLatch(MyLatch);
			WaitLatchOrSocket(MyLatch, SecureWaitEvent() | WL_LATCH_SET | WL_EXIT_ON_PM_DEATH,
							  client_sock, -1);
			continue;
		}
		elog(DEBUG1, "connection from %s closed while sending: %s", MyClientAddr,
			 n < 0 ? strerror(errno) : "peer closed");
		close_connection(0);
	}
	consume_sent(out, off);
	/* Nothing refers to the ring any more: its space may be reused. */
	if (out->next == 0)
		LogCacheUnpin();
}

/* Wait until every queued response is durable, and send everything. */
static void
drain_queue(KWriter *out)
{
	if (queue_len > 0)
		WalWaitFlushed(queue[(queue_head + queue_len - 1) % MAX_QUEUED_RESPONSES].lsn);
	release_durable();
	send_ready(out);
}

/*
 * The request in cur has its response in conn->out (or none, for acks=0):
 * a response that must wait for the WAL is queued; the others are sendable
 * at once unless something is queued before them.
 */
static void
finish_request(KafkaConn *conn)
{
	/*
	 * A response that refers to the WAL ring (a fetch's batches) goes out
	 * now: the pin keeping those bytes in place must not outlive this
	 * request, since the next one may wait -- even for WAL space that the
	 * pin holds back.  (Such a response is never queued: a fetch first
	 * waits for the queue to empty.)
	 */
	if (conn->out.next > 0)
	{
		Assert(queue_len == 0);
		out_ready = KWriterTotal(&conn->out);
		MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, cur.api_key, MetricsNowUs() - cur.start_us);
		send_ready(&conn->out);
		return;
	}
	if (KWriterTotal(&conn->out) == cur.total_before)
	{
		/* acks=0: no response */
		MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, cur.api_key, MetricsNowUs() - cur.start_us);
		return;
	}
	if (conn->wait_lsn > WalFlushedLsn() || queue_len > 0)
	{
		QueuedResponse *q = &queue[(queue_head + queue_len) % MAX_QUEUED_RESPONSES];

		q->end = KWriterTotal(&conn->out);
		/*
		 * A response leaves after those queued before it, so it waits for
		 * their WAL too: the queue's LSNs never decrease, and the last one
		 * is what all of it waits for (the main loop flushes up to it).  A
		 * produce that appended nothing (every partition refused, say
		 * NOT_LEADER_OR_FOLLOWER during a move) has wait_lsn 0; queued
		 * with 0 behind a response still waiting, it made the loop believe
		 * everything flushed and spin without writing or sleeping.
		 */
		q->lsn = queue_len > 0
			? Max(conn->wait_lsn, queue[(queue_head + queue_len - 1) % MAX_QUEUED_RESPONSES].lsn)
			: conn->wait_lsn;
		q->api_key = cur.api_key;
		q->start_us = cur.start_us;
		queue_len++;
	}
	else
	{
		check_lease_for_ack(conn->wait_lsn);
		out_ready = KWriterTotal(&conn->out);
		MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, cur.api_key, MetricsNowUs() - cur.start_us);
	}
}

/*
 * The client failed to authenticate (kafka/sasl.h): wait delay_ms, send
 * what is ready (the refusal), close.
 */
static void pg_attribute_noreturn()
close_after_authentication_failure(KafkaConn *conn, int64 delay_ms)
{
	int64		end = MonotonicMs() + delay_ms;

	for (;;)
	{
		int64		remaining = end - MonotonicMs();

		ResetLatch(MyLatch);
		if (remaining <= 0 || ShutdownRequestPending)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, (long) remaining);
	}
	drain_queue(&conn->out);
	close_connection(0);
}

/* Serve one frame. */
static void
serve_frame(KafkaConn *conn, const uint8 *frame, size_t len)
{
	int64		delay_ms;
	int16		api_key = (int16) ((frame[0] << 8) | frame[1]);

	/* Only produce requests may overtake their own acknowledgements. */
	if (queue_len > 0 && (api_key != KAFKA_API_PRODUCE || queue_len == MAX_QUEUED_RESPONSES))
		drain_queue(&conn->out);

	conn->wait_lsn = 0;
	/*
	 * Latency is measured from here (the frame is whole in memory) to the
	 * response being ready to send: for a queued produce, until the WAL
	 * flush releases it.
	 */
	cur.api_key = api_key;
	cur.start_us = MetricsNowUs();
	cur.out_before = conn->out.len;
	cur.total_before = KWriterTotal(&conn->out);
	cur.active = true;
	MetricsIncApi(METRIC_KAFKA_REQUESTS, api_key, 1);
	if (!KafkaProcessRequest(conn, frame, len))
	{
		cur.active = false;
		MetricsIncApi(METRIC_KAFKA_REQUESTS_FAILED, api_key, 1);
		drain_queue(&conn->out);	/* what was acknowledged still goes out */
		close_connection(0);
	}
	cur.active = false;
	finish_request(conn);
	if (SaslCloseAfterResponse(&delay_ms))
		close_after_authentication_failure(conn, delay_ms);
}

/*
 * The bounds of the next frame's length: before authentication on a SASL
 * listener, sasl_max_request_bytes, and bare SASL tokens may be short
 * (kafka/sasl.h).
 */
static int32
min_frame(void)
{
	return SaslExpectsBareToken() ? 1 : MIN_REQUEST_FRAME;
}

/*
 * The size of the frame at in.pos, its length field included, or 0 if
 * fewer than 4 bytes of it are there.  A length outside min_frame() ..
 * SaslMaxFrame() (socket_request_max_bytes once authenticated, or on a
 * listener without SASL) closes the connection (after the responses
 * already due), before any memory is set aside for it.
 */
static size_t
pending_frame_size(KafkaConn *conn)
{
	uint32		raw;
	int32		frame_len;

	if (in.len - in.pos < 4)
		return 0;
	memcpy(&raw, in.buf + in.pos, 4);
	frame_len = (int32) __builtin_bswap32(raw);
	if (frame_len < min_frame() || frame_len > SaslMaxFrame())
	{
		elog(LOG, "closing connection from %s: request frame length %d is outside %d .. %lld (%s)",
			 MyClientAddr, frame_len, min_frame(), (long long) SaslMaxFrame(),
			 SaslMaxFrame() < socket_request_max_bytes ? "sasl_max_request_bytes, before authentication"
			 : "socket_request_max_bytes");
		drain_queue(&conn->out);
		close_connection(0);
	}
	return (size_t) frame_len + 4;
}

/*
 * Where the next read goes (*dst) and how much it may take (*room), laid
 * out so that request bytes are never moved once read:
 *
 * - When the frame at pos has a known length, read exactly up to its end,
 *   never into the next frame: once it is served the buffer is empty and
 *   starts again at its beginning.
 * - Otherwise (at a frame boundary: at most 3 bytes of a length field are
 *   there, moved to the front) read at most cap / 2 bytes.  So every frame
 *   such a read starts begins in the buffer's first half, and one of up to
 *   cap / 2 bytes fits where it is.
 * - A larger frame grows the buffer to twice its size, copying the part
 *   read so far (at most cap / 2 bytes, once); frames of that size then
 *   fit in place.  After SMALL_FRAMES_TO_SHRINK small frames in a row an
 *   empty buffer goes back to INITIAL_INBUF.
 *
 * Pipelined small requests still arrive many per read; a large one costs
 * at most one more read, for its tail.  *room is 0 when a whole frame is
 * there already (left behind a request that failed): serve it first.
 * The buffer lives in TopMemoryContext.
 */
static void
input_prepare(KafkaConn *conn, uint8 **dst, size_t *room)
{
	size_t		size;

	if (in.pos == in.len)
	{
		in.pos = in.len = 0;
		if (in.cap > 4 * INITIAL_INBUF && in.small_frames >= SMALL_FRAMES_TO_SHRINK)
		{
			pfree(in.buf);
			in.cap = INITIAL_INBUF;
			in.buf = MemoryContextAlloc(TopMemoryContext, in.cap);
			in.small_frames = 0;
		}
	}
	size = pending_frame_size(conn);
	if (size == 0)
	{
		if (in.pos > 0)
		{
			memmove(in.buf, in.buf + in.pos, in.len - in.pos);
			in.len -= in.pos;
			in.pos = 0;
		}
		*dst = in.buf + in.len;
		*room = in.cap / 2 - in.len;
		return;
	}
	if (in.pos + size > in.cap)
	{
		if (size <= in.cap / 2)
		{
			/* not reached while the invariant above holds; cheap if it is */
			memmove(in.buf, in.buf + in.pos, in.len - in.pos);
		}
		else
		{
			size_t		newcap = Max(2 * size, (size_t) INITIAL_INBUF);
			uint8	   *nbuf = MemoryContextAlloc(TopMemoryContext, newcap);

			memcpy(nbuf, in.buf + in.pos, in.len - in.pos);
			pfree(in.buf);
			in.buf = nbuf;
			in.cap = newcap;
		}
		in.len -= in.pos;
		in.pos = 0;
	}
	*dst = in.buf + in.len;
	*room = in.len - in.pos >= size ? 0 : in.pos + size - in.len;
}

/*
 * Serve every complete frame in the input buffer, in order, where it lies.
 * Each frame counts as consumed before it is served, so that after an
 * ERROR the loop goes on with the next one.
 */
static void
serve_frames(KafkaConn *conn)
{
	for (;;)
	{
		size_t		size = pending_frame_size(conn);
		const uint8 *frame;

		if (size == 0 || in.len - in.pos < size)
			return;
		frame = in.buf + in.pos + 4;
		in.pos += size;
		if (size <= in.cap / 8)
			in.small_frames++;
		else
			in.small_frames = 0;
		serve_frame(conn, frame, size - 4);
	}
}

/*
 * The ERROR recovery of the request loop (see the file banner), entered by
 * siglongjmp from elog(ERROR).  The ERROR is logged already.  Returns with
 * the failed request answered, or does not return (connection closed).
 */
static void
recover_from_error(KafkaConn *conn)
{
	bool		in_request = cur.active;

	cur.active = false;
	MemoryContextSwitchTo(TopMemoryContext);

	/* Shared state under a held SMutex may be half-changed: crash. */
	if (SMutexHeldCount > 0)
		proc_exit(1);			/* exits as a crash, see proc_exit */

	/* What a request may hold besides its memory. */
	LogCacheWaitCancel();
	BackendCatalogAbortTransaction();
	if (in_request && cur.api_key == KAFKA_API_FETCH)
		KafkaFetchSessionAbort();

	if (!in_request)
	{
		elog(LOG, "closing connection from %s after an error outside a request", MyClientAddr);
		KafkaRequestAbandon(conn);
		drain_queue(&conn->out);
		close_connection(0);
	}
	MetricsIncApi(METRIC_KAFKA_REQUESTS_FAILED, cur.api_key, 1);
	/* Drop whatever part of its response the request had written. */
	KWriterTruncate(&conn->out, cur.out_before);
	if (conn->out.next == 0)
		LogCacheUnpin();		/* a fetch's pin, if it failed half-way */
	conn->wait_lsn = 0;
	if (!KafkaAnswerFailedRequest(conn))
	{
		drain_queue(&conn->out);
		close_connection(0);
	}
	finish_request(conn);
}

/*
 * The host part of a peer address: "10.0.0.1:5000" -> "10.0.0.1",
 * "[::1]:5000" -> "::1".  palloc'd.
 */
static char *
peer_host(const char *peer)
{
	const char *colon = strrchr(peer, ':');

	if (peer[0] == '[')
	{
		const char *close = strchr(peer, ']');

		if (close != NULL)
			return pnstrdup(peer + 1, (size_t) (close - peer - 1));
	}
	return colon ? pnstrdup(peer, (size_t) (colon - peer)) : pstrdup(peer);
}

/*
 * Set up the connection's transport: TLS on a TLS listener, with the
 * handshake bounded by authentication_timeout from the connection's
 * arrival.
 */
static void
start_transport(int sock, int64 arrival_ms)
{
	char		err[512];

	if (!ListenerUsesTls(MyListenerProtocol))
	{
		SecureInitPlain(sock);
		return;
	}
	if (!SecureStartTls(sock, arrival_ms + authentication_timeout, err, sizeof(err)))
	{
		elog(LOG, "could not accept TLS connection from %s on listener %s: %s",
			 MyClientAddr, MyListenerName, err);
		MetricsInc(METRIC_AUTHENTICATION_FAILURES, 1);
		close_connection(0);
	}
	/* On an SSL listener a verified client certificate names the principal. */
	if (MyListenerProtocol == LISTENER_SSL)
	{
		char	   *cn = SecurePeerCommonName();

		if (cn != NULL)
		{
			MyPrincipal = psprintf("User:%s", cn);
			elog(DEBUG1, "authenticated %s on listener %s as %s (TLS client certificate)",
				 MyClientAddr, MyListenerName, MyPrincipal);
			MetricsInc(METRIC_AUTHENTICATIONS, 1);
		}
	}
}

void
BackendMain(int sock, const char *peer, ListenerProtocol protocol)
{
	static KafkaConn conn;
	sigjmp_buf	local_sigjmp_buf;
	int64		arrival_ms = MonotonicMs();

	client_sock = sock;
	MyClientAddr = pstrdup(peer);
	MyClientHost = peer_host(peer);
	MyListenerProtocol = protocol;
	MyListenerName = ListenerProtocolName(protocol);
	start_transport(sock, arrival_ms);
	SaslInitConnection(arrival_ms);
	in.cap = INITIAL_INBUF;
	in.buf = palloc(in.cap);
	KafkaConnInit(&conn);
	MyConn = &conn;
	elog(DEBUG1, "connection from %s on listener %s (%s)", peer, MyListenerName, SecureDescribe());

	/* The ERROR recovery point: see recover_from_error. */
	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
		recover_from_error(&conn);
	elog_exception_stack = &local_sigjmp_buf;

	for (;;)
	{
		ssize_t		n;
		uint8	   *dst;
		size_t		room;

		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
		{
			drain_queue(&conn.out);
			close_connection(0);
		}
		if (SaslDeadlinePassed())
			close_connection(0);

		/* Responses whose data became durable go out first. */
		release_durable();
		send_ready(&conn.out);

		/* Frames left behind a failed request are served before reading. */
		input_prepare(&conn, &dst, &room);
		if (room == 0)
		{
			serve_frames(&conn);
			continue;
		}
		n = SecureRead(dst, room);
		if (n == 0)
		{
			elog(DEBUG1, "connection from %s closed by the client", peer);
			close_connection(0);
		}
		if (n < 0)
		{
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			{
				/*
				 * Nothing to read.  With responses waiting for the WAL,
				 * write it ourselves if nobody is writing (cheaper than
				 * two process wake-ups through the WAL writer; storage/
				 * wal.h), else sleep until the client or the WAL has news.
				 */
				if (queue_len > 0)
				{
					if (WalTryFlush(queue[(queue_head + queue_len - 1) % MAX_QUEUED_RESPONSES].lsn))
						continue;
					WalRequestFlushWakeup(queue[queue_head].lsn);
					/* A flush between the check above and arming wakes nobody. */
					if (WalFlushedLsn() >= queue[queue_head].lsn)
						continue;
				}
				{
					/* Not authenticated yet: wake up at the deadline. */
					long		timeout = SaslDeadlineRemaining();

					WaitLatchOrSocket(MyLatch, SecureWaitEvent() | WL_LATCH_SET | WL_EXIT_ON_PM_DEATH |
									  (timeout >= 0 ? WL_TIMEOUT : 0), client_sock, timeout);
				}
				continue;
			}
			elog(DEBUG1, "could not receive from %s: %s", peer, strerror(errno));
			close_connection(0);
		}
		in.len += (size_t) n;
		serve_frames(&conn);
	}
}

void
KafkaRegisterMetricLabels(void)
{
	for (int a = 0; a < KafkaNumApis; a++)
		MetricsRegisterLabel(METRIC_LABEL_API, KafkaApis[a].api_key, KafkaApis[a].name);
	for (int s = 0; s < METRIC_GROUP_STATES; s++)
		MetricsRegisterLabel(METRIC_LABEL_GROUP_STATE, s, GroupStateName(s));
}
