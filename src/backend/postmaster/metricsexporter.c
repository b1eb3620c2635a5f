/*-------------------------------------------------------------------------
 *
 * metricsexporter.c
 *	  The metrics exporter process: serves GET /metrics in the Prometheus
 *	  text format (version 0.0.4) over HTTP/1.1 on metrics_listen.
 *
 *	  The postmaster opens the listening socket at start (so a bad
 *	  metrics_listen or a port in use stops the start with one line, like
 *	  a bad listeners value) and hands it to this auxiliary process, which
 *	  exists only when the endpoint is on.  The postmaster itself never
 *	  serves a scrape: building one reads shared memory and takes the
 *	  registry and group locks, which the postmaster never does.
 *
 *	  One process, one poll loop, no threads.  A scrape is small (tens of
 *	  kilobytes), so it is built whole in memory and written out as the
 *	  socket accepts it.  What keeps a slow or hostile client from holding
 *	  the endpoint:
 *	  - at most MAX_CLIENTS connections at once; more wait in the listen
 *	    backlog until one finishes;
 *	  - a request must arrive whole within READ_TIMEOUT_MS and fit in
 *	    REQUEST_MAX bytes (a request line and headers; no body is read);
 *	  - the response must be taken within WRITE_TIMEOUT_MS;
 *	  - every connection is closed after one response (Connection: close),
 *	    so there is no idle keep-alive to hold.
 *	  Bad requests get 400, other paths 404, other methods 405.
 *
 *	  Waiting: ppoll() on the sockets and the postmaster-alive pipe, with
 *	  SIGTERM and SIGHUP blocked except inside ppoll, so a shutdown or
 *	  reload request can never slip in between checking the flags and
 *	  going to sleep.  Nothing here sleep-polls.
 *
 * src/backend/postmaster/metricsexporter.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kafka/group.h"
#include "kafka/partition.h"
#include "postmaster/interrupt.h"
#include "postmaster/metricsexporter.h"
#include "storage/blockcache.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

#define MAX_CLIENTS			16
#define REQUEST_MAX			8192
#define READ_TIMEOUT_MS		5000
#define WRITE_TIMEOUT_MS	10000
#define LINGER_MS			1000	/* reading a client's leftovers after
									 * the response, before closing */

typedef enum ClientState
{
	CLIENT_READING,
	CLIENT_WRITING,
	CLIENT_LINGERING
} ClientState;

typedef struct Client
{
	int			fd;				/* -1: free */
	ClientState state;
	char		req[REQUEST_MAX];
	size_t		reqlen;
	char	   *resp;
	size_t		resplen;
	size_t		sent;
	int64		deadline;		/* ms, CLOCK_MONOTONIC */
} Client;

static Client clients[MAX_CLIENTS];

/* ---------- the listening socket (postmaster) ---------- */

bool
MetricsParseListen(const char *value, char *host, size_t hostlen,
				   char *port, size_t portlen, char *err, size_t errlen)
{
	const char *colon;
	const char *h = value;
	size_t		hl;
	char	   *end;
	long		p;

	if (value[0] == '[')
	{
		const char *close = strchr(value, ']');

		if (close == NULL || close[1] != ':')
		{
			snprintf(err, errlen, "\"%s\" is not host:port or [ipv6]:port", value);
			return false;
		}
		h = value + 1;
		hl = (size_t) (close - h);
		colon = close + 1;
	}
	else
	{
		colon = strrchr(value, ':');
		if (colon == NULL || strchr(value, ':') != colon)
		{
			snprintf(err, errlen, "\"%s\" is not host:port (an IPv6 address goes in brackets)", value);
			return false;
		}
		hl = (size_t) (colon - value);
	}
	if (hl == 0 || hl >= hostlen)
	{
		snprintf(err, errlen, "\"%s\" has no host (use 127.0.0.1:PORT, or 0.0.0.0:PORT for every address)", value);
		return false;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535)
	{
		snprintf(err, errlen, "\"%s\" has no valid port (1 .. 65535)", value);
		return false;
	}
	snprintf(port, portlen, "%ld", p);
	return true;
}

int
MetricsListenOpen(void)
{
	char		host[256],
				port[16],
				err[512];
	struct addrinfo hints,
			   *res;
	int			rc,
				fd,
				one = 1;

	if (metrics_listen == NULL || metrics_listen[0] == '\0' ||
		strcmp(metrics_listen, "off") == 0)
		return -1;
	if (!MetricsParseListen(metrics_listen, host, sizeof(host), port, sizeof(port), err, sizeof(err)))
		elog_fatal("invalid value for setting \"metrics_listen\": %s", err);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		elog_fatal("could not resolve \"%s\" in setting \"metrics_listen\": %s", host, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		elog_fatal("could not create socket for metrics_listen \"%s\": %s", metrics_listen, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0)
		elog_fatal("could not bind to %s:%s (setting \"metrics_listen\" = '%s'): %s; is another server using the port?",
				   host, port, metrics_listen, strerror(errno));
	if (listen(fd, 64) != 0)
		elog_fatal("could not listen on %s:%s: %s", host, port, strerror(errno));
	freeaddrinfo(res);
	elog(LOG, "metrics endpoint listening on http://%s%s%s:%s/metrics",
		 strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
	return fd;
}

/* ---------- one scrape ---------- */

/*
 * Refresh the metrics whose values live in other modules: gauges read
 * from the registry, the group table, the process array and the WAL, and
 * the WAL's and the block cache's own counters.
 */
static void
collect(MetricTopicSample **topics, int *ntopics)
{
	int64		states[METRIC_GROUP_STATES];
	int64		members;
	int			npartitions = 0;
	int64		nbackends = 0;

	*ntopics = TopicMetricsCollect(topics, &npartitions);
	MetricsSet(METRIC_TOPICS, *ntopics);
	MetricsSet(METRIC_PARTITIONS, npartitions);

	StaticAssertDecl(GROUP_DEAD + 1 == METRIC_GROUP_STATES, "one series per group state");
	GroupCountStates(states, &members);
	for (int s = 0; s < METRIC_GROUP_STATES; s++)
		MetricsSetState(METRIC_GROUPS, s, states[s]);
	MetricsSet(METRIC_GROUP_MEMBERS, members);

	for (int i = NUM_AUX_PROCS; i < ProcArray->nslots; i++)
		if (__atomic_load_n(&ProcArray->slots[i].state, __ATOMIC_SEQ_CST) != PROC_SLOT_UNUSED)
			nbackends++;
	MetricsSet(METRIC_CONNECTIONS, nbackends);

	if (WalIsReady())
	{
		WalStats	st;

		WalGetStats(&st);
		MetricsSet(METRIC_WAL_APPENDED_RECORDS, (int64) st.appends);
		MetricsSet(METRIC_WAL_APPENDED_BYTES, (int64) st.append_bytes);
		MetricsSet(METRIC_WAL_WRITES, (int64) st.writes);
		MetricsSet(METRIC_WAL_WRITTEN_BYTES, (int64) st.write_bytes);
		MetricsSet(METRIC_WAL_PIPELINED_WRITES, (int64) st.pipelined_writes);
		MetricsSet(METRIC_WAL_PADDING_BYTES, (int64) st.padding_bytes);
		MetricsSet(METRIC_WAL_INSERT_POSITION, (int64) WalInsertLsn());
		MetricsSet(METRIC_WAL_FLUSHED_POSITION, (int64) WalFlushedLsn());
		MetricsSet(METRIC_WAL_TRIM_POSITION, (int64) WalTrimLsn());
	}
	{
		BlockCacheStats bc;

		BlockCacheGetStats(&bc);
		MetricsSet(METRIC_BLOCK_CACHE_HITS, (int64) bc.hits);
		MetricsSet(METRIC_BLOCK_CACHE_MISSES, (int64) bc.misses);
	}
}

/* Build a complete response with a text body into a malloc'd buffer. */
static int
respond(int status, const char *reason, const char *extra_headers, bool head,
		const char *body, size_t bodylen, const char *ctype, char **resp, size_t *resplen)
{
	FILE	   *f = open_memstream(resp, resplen);

	if (f == NULL)
		elog(ERROR, "out of memory building a metrics response");
	fprintf(f, "HTTP/1.1 %d %s\r\n"
			"Content-Type: %s\r\n"
			"Content-Length: %zu\r\n"
			"Connection: close\r\n"
			"%s"
			"\r\n",
			status, reason, ctype, bodylen, extra_headers ? extra_headers : "");
	if (!head && bodylen > 0)
		fwrite(body, 1, bodylen, f);
	fclose(f);
	if (status != 200)
		MetricsInc(METRIC_HTTP_ERRORS, 1);
	return status;
}

static int
respond_error(int status, const char *reason, const char *why, const char *extra,
			  char **resp, size_t *resplen)
{
	char		body[256];
	int			n = snprintf(body, sizeof(body), "%d %s: %s\n", status, reason, why);

	return respond(status, reason, extra, false, body, (size_t) n,
				   "text/plain; charset=utf-8", resp, resplen);
}

static bool
is_tchar(char c)
{
	/* RFC 9110 token characters */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * Is there a header named name (case-insensitive) among the header lines
 * hdrs[0..len)?
 */
static bool
has_header(const char *hdrs, size_t len, const char *name)
{
	size_t		nl = strlen(name);
	size_t		pos = 0;

	while (pos < len)
	{
		const char *line = hdrs + pos;
		const char *eol = memchr(line, '\n', len - pos);
		size_t		ll = eol ? (size_t) (eol - line) : len - pos;

		if (ll > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':')
			return true;
		pos += ll + 1;
	}
	return false;
}

int
MetricsHttpRespond(const char *req, size_t len, char **resp, size_t *resplen)
{
	const char *end = NULL;
	const char *sp1,
			   *sp2,
			   *eol;
	char		method[16];
	char		target[256];
	size_t		ml,
				tl;
	bool		head;
	const char *version;
	size_t		hdr_start;

	*resp = NULL;
	*resplen = 0;
	/* The request line and headers end at an empty line. */
	for (size_t i = 0; i + 1 < len; i++)
	{
		if (req[i] == '\n' && req[i + 1] == '\n')
		{
			end = req + i;
			break;
		}
		if (i + 3 < len && memcmp(req + i, "\r\n\r\n", 4) == 0)
		{
			end = req + i;
			break;
		}
	}
	if (end == NULL)
		return respond_error(400, "Bad Request", "request headers incomplete or larger than 8192 bytes",
							 NULL, resp, resplen);
	for (const char *p = req; p < end; p++)
		if (*p == '\0' || ((unsigned char) *p < 0x20 && *p != '\r' && *p != '\n' && *p != '\t') ||
			*p == 0x7f)
			return respond_error(400, "Bad Request", "control characters in the request", NULL, resp, resplen);

	/* Request line: METHOD SP request-target SP HTTP-version */
	eol = memchr(req, '\n', (size_t) (end - req) + 1);
	if (eol == NULL)
		eol = end;
	sp1 = memchr(req, ' ', (size_t) (eol - req));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (eol - sp1 - 1)) : NULL;
	if (sp1 == NULL || sp2 == NULL)
		return respond_error(400, "Bad Request", "malformed request line", NULL, resp, resplen);
	ml = (size_t) (sp1 - req);
	tl = (size_t) (sp2 - sp1 - 1);
	if (ml == 0 || ml >= sizeof(method) || tl == 0 || tl >= sizeof(target))
		return respond_error(400, "Bad Request", "malformed request line", NULL, resp, resplen);
	for (size_t i = 0; i < ml; i++)
		if (!is_tchar(req[i]))
			return respond_error(400, "Bad Request", "malformed method", NULL, resp, resplen);
	memcpy(method, req, ml);
	method[ml] = '\0';
	memcpy(target, sp1 + 1, tl);
	target[tl] = '\0';
	version = sp2 + 1;
	{
		size_t		vl = (size_t) (eol - version);

		if (vl > 0 && version[vl - 1] == '\r')
			vl--;
		if (!(vl == 8 && (memcmp(version, "HTTP/1.1", 8) == 0 || memcmp(version, "HTTP/1.0", 8) == 0)))
			return respond_error(400, "Bad Request", "only HTTP/1.0 and HTTP/1.1 are served", NULL, resp, resplen);
	}
	hdr_start = (size_t) (eol - req) + 1;
	/* HTTP/1.1 requires Host (RFC 9112 3.2). */
	if (memcmp(version, "HTTP/1.1", 8) == 0 &&
		!has_header(req + hdr_start, hdr_start < (size_t) (end - req) ? (size_t) (end - req) - hdr_start + 1 : 0, "Host"))
		return respond_error(400, "Bad Request", "HTTP/1.1 request without a Host header", NULL, resp, resplen);

	head = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "GET") != 0 && !head)
		return respond_error(405, "Method Not Allowed", "only GET and HEAD are served",
							 "Allow: GET, HEAD\r\n", resp, resplen);
	/* The path, without a query string (Prometheus may add parameters). */
	target[strcspn(target, "?")] = '\0';
	if (strcmp(target, "/metrics") != 0)
		return respond_error(404, "Not Found", "the metrics are at /metrics", NULL, resp, resplen);

	{
		MetricTopicSample *topics = NULL;
		int			ntopics = 0;
		char	   *body = NULL;
		size_t		bodylen = 0;
		FILE	   *f;
		int			status;

		collect(&topics, &ntopics);
		MetricsInc(METRIC_SCRAPES, 1);
		f = open_memstream(&body, &bodylen);
		if (f == NULL)
			elog(ERROR, "out of memory building a metrics response");
		MetricsWriteExposition(f, topics, ntopics);
		fclose(f);
		pfree(topics);
		status = respond(200, "OK", NULL, head, body, bodylen,
						 "text/plain; version=0.0.4; charset=utf-8", resp, resplen);
		free(body);
		return status;
	}
}

/* ---------- the process ---------- */

static void
client_close(Client *c)
{
	close(c->fd);
	c->fd = -1;
	free(c->resp);
	c->resp = NULL;
}

static void
client_read(Client *c)
{
	bool		eof = false;

	for (;;)
	{
		ssize_t		n;

		if (c->state == CLIENT_LINGERING)
		{
			char		discard[4096];

			n = recv(c->fd, discard, sizeof(discard), MSG_DONTWAIT);
			if (n > 0)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return;
			client_close(c);	/* EOF or error: done */
			return;
		}
		if (c->reqlen == REQUEST_MAX)
			break;
		n = recv(c->fd, c->req + c->reqlen, REQUEST_MAX - c->reqlen, MSG_DONTWAIT);
		if (n > 0)
		{
			c->reqlen += (size_t) n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n < 0 || c->reqlen == 0)
		{
			/* An error, or the client left without a word. */
			client_close(c);
			return;
		}
		/* The client hung up its side: what it sent is all there is. */
		eof = true;
		break;
	}
	/* Answer once the headers are complete, or they cannot become so. */
	if (memmem(c->req, c->reqlen, "\r\n\r\n", 4) != NULL || memmem(c->req, c->reqlen, "\n\n", 2) != NULL ||
		c->reqlen == REQUEST_MAX || eof)
	{
		int			status = MetricsHttpRespond(c->req, c->reqlen, &c->resp, &c->resplen);

		if (status != 200)
			elog(DEBUG1, "metrics endpoint: answered %d", status);
		c->state = CLIENT_WRITING;
		c->sent = 0;
		c->deadline = MonotonicMs() + WRITE_TIMEOUT_MS;
	}
}

static void
client_write(Client *c)
{
	while (c->sent < c->resplen)
	{
		ssize_t		n = send(c->fd, c->resp + c->sent, c->resplen - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0)
		{
			c->sent += (size_t) n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		client_close(c);		/* the client went away */
		return;
	}
	/*
	 * All sent.  Closing a socket with unread input makes the kernel send
	 * a reset, which can destroy the response before the client read it;
	 * so half-close and read what is left for a moment first.
	 */
	shutdown(c->fd, SHUT_WR);
	free(c->resp);
	c->resp = NULL;
	c->state = CLIENT_LINGERING;
	c->deadline = MonotonicMs() + LINGER_MS;
	client_read(c);
}

static void
accept_clients(int lsock)
{
	for (;;)
	{
		Client	   *c = NULL;
		int			fd;

		for (int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd < 0)
			{
				c = &clients[i];
				break;
			}
		if (c == NULL)
			return;				/* the rest wait in the backlog */
		fd = accept4(lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
		{
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
				errno != ECONNABORTED)
				elog(LOG, "metrics endpoint: could not accept a connection: %s", strerror(errno));
			return;
		}
		c->fd = fd;
		c->state = CLIENT_READING;
		c->reqlen = 0;
		c->resp = NULL;
		c->resplen = c->sent = 0;
		c->deadline = MonotonicMs() + READ_TIMEOUT_MS;
	}
}

void
MetricsExporterMain(int lsock)
{
	sigset_t	blocked,
				waitmask;

	elog(DEBUG1, "metrics exporter started");
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;

	/* SIGTERM and SIGHUP are delivered only inside ppoll (see banner). */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGHUP);
	sigprocmask(SIG_BLOCK, &blocked, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGHUP);

	for (;;)
	{
		struct pollfd pfd[MAX_CLIENTS + 2];
		Client	   *owner[MAX_CLIENTS + 2];
		int			n = 0;
		int			nclients = 0;
		int64		now = MonotonicMs();
		int64		next_deadline = -1;
		struct timespec ts,
				   *tsp = NULL;

		ProcessConfigReloadIfPending();
		if (ShutdownRequestPending)
		{
			for (int i = 0; i < MAX_CLIENTS; i++)
				if (clients[i].fd >= 0)
					client_close(&clients[i]);
			proc_exit(0);
		}

		/* Drop clients that ran out of time. */
		for (int i = 0; i < MAX_CLIENTS; i++)
		{
			Client	   *c = &clients[i];

			if (c->fd < 0)
				continue;
			if (now >= c->deadline)
			{
				if (c->state != CLIENT_LINGERING)
				{
					MetricsInc(METRIC_HTTP_ERRORS, 1);
					elog(DEBUG1, "metrics endpoint: dropping a client too slow to %s",
						 c->state == CLIENT_READING ? "send its request" : "read the response");
				}
				client_close(c);
				continue;
			}
			nclients++;
			if (next_deadline < 0 || c->deadline < next_deadline)
				next_deadline = c->deadline;
		}

		if (nclients < MAX_CLIENTS)
		{
			pfd[n].fd = lsock;
			pfd[n].events = POLLIN;
			owner[n++] = NULL;
		}
		for (int i = 0; i < MAX_CLIENTS; i++)
		{
			if (clients[i].fd < 0)
				continue;
			pfd[n].fd = clients[i].fd;
			pfd[n].events = clients[i].state == CLIENT_WRITING ? POLLOUT : POLLIN;
			owner[n++] = &clients[i];
		}
		if (postmaster_alive_fds[0] >= 0)
		{
			pfd[n].fd = postmaster_alive_fds[0];
			pfd[n].events = POLLIN;
			owner[n++] = NULL;
		}
		if (next_deadline >= 0)
		{
			int64		wait = Max(next_deadline - now, 0);

			ts.tv_sec = (time_t) (wait / 1000);
			ts.tv_nsec = (long) (wait % 1000) * 1000000;
			tsp = &ts;
		}
		if (ppoll(pfd, (nfds_t) n, tsp, &waitmask) < 0)
		{
			if (errno == EINTR)
				continue;
			elog(FATAL, "ppoll failed in the metrics exporter: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++)
		{
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == postmaster_alive_fds[0] && owner[i] == NULL)
			{
				if (!PostmasterIsAlive())
					_exit(1);
				continue;
			}
			if (owner[i] == NULL)
				accept_clients(lsock);
			else if (owner[i]->fd >= 0)
			{
				if (owner[i]->state == CLIENT_WRITING)
					client_write(owner[i]);
				else
					client_read(owner[i]);
			}
		}
	}
}
