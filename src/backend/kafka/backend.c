/*-------------------------------------------------------------------------
 *
 * backend.c
 *	  The main loop of a backend: read request frames from the client's
 *	  socket, serve each, write the responses back in request order.
 *
 *	  Kafka clients pipeline: they send many requests without waiting.  A
 *	  backend serves them one at a time, in order, so responses go back in
 *	  request order by construction (as a Kafka broker mutes a channel while
 *	  one of its requests is in progress).  Bytes of later requests simply
 *	  wait in the socket buffer.
 *
 *	  The 4-byte frame length is checked against socket_request_max_bytes
 *	  before any memory is set aside for the frame; a frame that is too
 *	  short or too long closes the connection with one log line, as does a
 *	  request the codec rejects.  Nothing here can harm another client.
 *
 * src/backend/kafka/backend.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/socket.h>
#include <unistd.h>

#include "kafka/backend.h"
#include "kafka/handlers.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"
#include "utils/guc.h"

/* Smallest request: api key, version, correlation id, client id length. */
#define MIN_REQUEST_FRAME 10
#define INITIAL_INBUF (64 * 1024)

const char *MyClientAddr = "";

static int	client_sock = -1;

static void pg_attribute_noreturn()
close_connection(int code)
{
	if (client_sock >= 0)
		close(client_sock);
	client_sock = -1;
	proc_exit(code);
}

/*
 * Write all of out to the client, waiting for the socket to drain when it
 * is full.  A client that went away ends this backend quietly.
 */
static void
flush_output(KWriter *out)
{
	size_t		off = 0;

	while (off < out->len)
	{
		ssize_t		n = send(client_sock, out->buf + off, out->len - off, MSG_NOSIGNAL);

		if (n > 0)
		{
			off += (size_t) n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		{
			int			rc;

			ResetLatch(MyLatch);
			rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_WRITEABLE | WL_LATCH_SET | WL_EXIT_ON_PM_DEATH,
								   client_sock, -1);
			if (ShutdownRequestPending && !(rc & WL_SOCKET_WRITEABLE))
				close_connection(0);
			continue;
		}
		elog(DEBUG1, "connection from %s closed while sending: %s", MyClientAddr,
			 n < 0 ? strerror(errno) : "peer closed");
		close_connection(0);
	}
	KWriterReset(out);
}

void
BackendMain(int sock, const char *peer)
{
	uint8	   *inbuf;
	size_t		incap = INITIAL_INBUF;
	size_t		inlen = 0;
	static KafkaConn conn;

	client_sock = sock;
	MyClientAddr = pstrdup(peer);
	inbuf = palloc(incap);
	KafkaConnInit(&conn);
	MyConn = &conn;
	elog(DEBUG1, "connection from %s", peer);

	for (;;)
	{
		ssize_t		n;
		size_t		consumed = 0;

		ResetLatch(MyLatch);
		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
			close_connection(0);

		n = recv(client_sock, inbuf + inlen, incap - inlen, MSG_DONTWAIT);
		if (n == 0)
		{
			elog(DEBUG1, "connection from %s closed by the client", peer);
			close_connection(0);
		}
		if (n < 0)
		{
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			{
				WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE | WL_LATCH_SET | WL_EXIT_ON_PM_DEATH,
								  client_sock, -1);
				continue;
			}
			elog(DEBUG1, "could not receive from %s: %s", peer, strerror(errno));
			close_connection(0);
		}
		inlen += (size_t) n;

		/* Serve every complete frame in the buffer, in order. */
		for (;;)
		{
			int32		frame_len;
			uint32		raw;

			if (inlen - consumed < 4)
				break;
			memcpy(&raw, inbuf + consumed, 4);
			frame_len = (int32) __builtin_bswap32(raw);
			if (frame_len < MIN_REQUEST_FRAME || frame_len > socket_request_max_bytes)
			{
				elog(LOG, "closing connection from %s: request frame length %d is outside %d .. %lld (socket_request_max_bytes)",
					 peer, frame_len, MIN_REQUEST_FRAME, (long long) socket_request_max_bytes);
				close_connection(0);
			}
			if (inlen - consumed - 4 < (size_t) frame_len)
			{
				/* Incomplete: make room for the whole frame, then read on. */
				size_t		need = (size_t) frame_len + 4;

				if (consumed > 0)
				{
					memmove(inbuf, inbuf + consumed, inlen - consumed);
					inlen -= consumed;
					consumed = 0;
				}
				if (need > incap)
				{
					incap = need;
					inbuf = repalloc(inbuf, incap);
				}
				break;
			}
			if (!KafkaProcessRequest(&conn, inbuf + consumed + 4, (size_t) frame_len))
				close_connection(0);
			consumed += (size_t) frame_len + 4;
			if (conn.out.len > 0)
				flush_output(&conn.out);
		}
		if (consumed > 0)
		{
			memmove(inbuf, inbuf + consumed, inlen - consumed);
			inlen -= consumed;
		}
		/* Give back a buffer grown for one huge request. */
		if (inlen == 0 && incap > 4 * INITIAL_INBUF)
		{
			incap = INITIAL_INBUF;
			inbuf = repalloc(inbuf, incap);
		}
	}
}
