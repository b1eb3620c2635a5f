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

const char *MyClientAddr = "";
const char *MyClientHost = "";
ListenerProtocol MyListenerProtocol = LISTENER_PLAINTEXT;
const char *MyListenerName = "PLAINTEXT";
const char *MyPrincipal = "User:ANONYMOUS";

static int	client_sock = -1;

/*
 * Responses built but not yet sent: out's bytes [0, ready) may be sent
 * now; each queued entry ends at byte `end` of out and may be sent once
 * the WAL is flushed past `lsn`.
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
 * the ERROR recovery continues with them.
 */
static struct
{
	uint8	   *buf;
	size_t		cap;
	size_t		len;
	size_t		pos;
}			in;

/* The request being served. */
static struct
{
	bool		active;
	int16		api_key;
	uint64		start_us;		/* when the request was read */
	size_t		out_before;		/* conn->out's length before its response */
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

/*
 * Send out's first out_ready bytes, waiting for the socket to drain when it
 * is full; keep the rest (queued responses) at the front of the buffer.  A
 * client that went away ends this backend quietly.
 */
static void
send_ready(KWriter *out)
{
	size_t		off = 0;

	while (off < out_ready)
	{
		ssize_t		n = SecureWrite(out->buf + off, out_ready - off);

		if (n > 0)
		{
			off += (size_t) n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		{
			ResetLatch(MyLatch);
			WaitLatchOrSocket(MyLatch, SecureWaitEvent() | WL_LATCH_SET | WL_EXIT_ON_PM_DEATH,
							  client_sock, -1);
			continue;
		}
		elog(DEBUG1, "connection from %s closed while sending: %s", MyClientAddr,
			 n < 0 ? strerror(errno) : "peer closed");
		close_connection(0);
	}
	if (out_ready == 0)
		return;
	memmove(out->buf, out->buf + out_ready, out->len - out_ready);
	out->len -= out_ready;
	for (int i = 0; i < queue_len; i++)
		queue[(queue_head + i) % MAX_QUEUED_RESPONSES].end -= out_ready;
	out_ready = 0;
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
	if (conn->out.len == cur.out_before)
	{
		/* acks=0: no response */
		MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, cur.api_key, MetricsNowUs() - cur.start_us);
		return;
	}
	if (conn->wait_lsn > WalFlushedLsn() || queue_len > 0)
	{
		QueuedResponse *q = &queue[(queue_head + queue_len) % MAX_QUEUED_RESPONSES];

		q->end = conn->out.len;
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
		out_ready = conn->out.len;
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
 * Is a whole frame (or a frame length that will close the connection)
 * waiting in the input buffer?  Only after an ERROR, which leaves the
 * frames behind the failed one unserved.
 */
static bool
frame_buffered(void)
{
	uint32		raw;
	int32		frame_len;

	if (in.len - in.pos < 4)
		return false;
	memcpy(&raw, in.buf + in.pos, 4);
	frame_len = (int32) __builtin_bswap32(raw);
	return frame_len < min_frame() || frame_len > SaslMaxFrame() ||
		in.len - in.pos - 4 >= (size_t) frame_len;
}

/*
 * Serve every complete frame in the input buffer, in order.  Each frame
 * counts as consumed before it is served, so that after an ERROR the loop
 * goes on with the next one.  Then keep what is left at the front of the
 * buffer, with room for the whole frame it starts.
 */
static void
serve_frames(KafkaConn *conn)
{
	for (;;)
	{
		int32		frame_len;
		uint32		raw;
		const uint8 *frame;

		if (in.len - in.pos < 4)
			break;
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
		if (in.len - in.pos - 4 < (size_t) frame_len)
		{
			/* Incomplete: make room for the whole frame, then read on. */
			size_t		need = (size_t) frame_len + 4;

			memmove(in.buf, in.buf + in.pos, in.len - in.pos);
			in.len -= in.pos;
			in.pos = 0;
			if (need > in.cap)
			{
				in.buf = repalloc(in.buf, need);
				in.cap = need;
			}
			return;
		}
		frame = in.buf + in.pos + 4;
		in.pos += (size_t) frame_len + 4;
		serve_frame(conn, frame, (size_t) frame_len);
	}
	memmove(in.buf, in.buf + in.pos, in.len - in.pos);
	in.len -= in.pos;
	in.pos = 0;
	/* Give back a buffer grown for one huge request. */
	if (in.len == 0 && in.cap > 4 * INITIAL_INBUF)
	{
		in.buf = repalloc(in.buf, INITIAL_INBUF);
		in.cap = INITIAL_INBUF;
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
	conn->out.len = cur.out_before;
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
		if (frame_buffered())
		{
			serve_frames(&conn);
			continue;
		}

		n = SecureRead(in.buf + in.len, in.cap - in.len);
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
