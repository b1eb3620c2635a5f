/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Connecting to the catalog and running statements on it.
 *
 *	  Used by the postmaster (CatalogStartupCheck, before anything is
 *	  forked), by the auxiliary processes, the backends and strata_ctl.  No
 *	  function here raises an elog(ERROR): each returns failure with one
 *	  line in the caller's buffer, which always names the catalog so an
 *	  operator knows where to look.
 *
 *	  Besides connecting and running statements (blocking, or waiting on
 *	  the process's latch), this file has the one reconnect backoff, the
 *	  LISTEN/NOTIFY plumbing, and the private helpers of catalog_int.h.
 *
 * src/backend/catalog/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <sys/un.h>

#include "catalog/catalog.h"
#include "catalog_int.h"
#include "storage/latch.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

bool
CatalogIsEmbedded(void)
{
	return catalog_conninfo == NULL || catalog_conninfo[0] == '\0' ||
		strcasecmp(catalog_conninfo, "embedded") == 0;
}

/* Append s to buf as a single-quoted libpq conninfo value. */
static char *
conninfo_quote(const char *s)
{
	size_t		len = strlen(s);
	char	   *out = palloc(len * 2 + 3);
	char	   *p = out;

	*p++ = '\'';
	for (; *s; s++)
	{
		if (*s == '\'' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}

/*
 * The embedded catalog's socket directory (palloc'd), and a check that the
 * socket's path fits in sockaddr_un.sun_path: PostgreSQL refuses to create
 * a longer one, and libpq could not connect to it anyway.
 */
static bool
embedded_socket_dir(char **dir, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	char	   *d;
	char	   *sock;

	if (DataDir == NULL)
	{
		snprintf(err, errlen, "catalog = 'embedded' needs a data directory");
		return false;
	}
	d = psprintf("%s/%s", DataDir, CATALOG_EMBEDDED_SUBDIR);
	sock = psprintf("%s/.s.PGSQL.%d", d, CATALOG_EMBEDDED_PORT);
	if (strlen(sock) >= sizeof(sa.sun_path))
	{
		snprintf(err, errlen,
				 "the embedded catalog's socket path \"%s\" is %zu bytes long, more than the %zu a unix socket allows; use a shorter data directory path",
				 sock, strlen(sock), sizeof(sa.sun_path) - 1);
		pfree(sock);
		pfree(d);
		return false;
	}
	pfree(sock);
	*dir = d;
	return true;
}

bool
CatalogConninfo(char **result, char *err, size_t errlen)
{
	char	   *dir;
	char	   *q;

	if (!CatalogIsEmbedded())
	{
		*result = pstrdup(catalog_conninfo);
		return true;
	}
	if (!embedded_socket_dir(&dir, err, errlen))
		return false;
	q = conninfo_quote(dir);
	*result = psprintf("host=%s port=%d dbname=%s user=%s", q,
					   CATALOG_EMBEDDED_PORT, CATALOG_EMBEDDED_DBNAME,
					   CATALOG_EMBEDDED_USER);
	pfree(q);
	pfree(dir);
	return true;
}

char *
CatalogDescribe(void)
{
	if (CatalogIsEmbedded())
	{
		if (DataDir)
			return psprintf("catalog = 'embedded', socket %s/%s/.s.PGSQL.%d",
							DataDir, CATALOG_EMBEDDED_SUBDIR, CATALOG_EMBEDDED_PORT);
		return pstrdup("catalog = 'embedded'");
	}
	return psprintf("catalog = '%s'", catalog_conninfo);
}

/*
 * Copy a libpq message into out as one line.  libpq's messages span lines:
 * a continuation line (starting in lower case) is joined with a space,
 * another line (a hint such as "Is the server running...") with "; ".
 * Trailing newlines and the final period go.
 */
static void
one_line(const char *msg, char *out, size_t outlen)
{
	size_t		o = 0;

	if (outlen == 0)
		return;
	for (const char *p = msg; *p && o + 3 < outlen; p++)
	{
		if (*p == '\n')
		{
			const char *q = p;

			while (*q == '\n' || *q == ' ' || *q == '\t')
				q++;
			if (*q == '\0')
				break;
			if (*q >= 'a' && *q <= 'z')
				out[o++] = ' ';
			else
			{
				if (o > 0 && out[o - 1] == '.')
					o--;
				out[o++] = ';';
				out[o++] = ' ';
			}
			p = q - 1;
			continue;
		}
		out[o++] = *p;
	}
	while (o > 0 && (out[o - 1] == '.' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
}

/*
 * libpq hands notices and errors that arrive outside a query (such as
 * "terminating connection due to administrator command" when the catalog
 * shuts down) to a notice processor, whose default prints them raw to
 * stderr.  Route them into the log instead; the connection-loss handling
 * reports the outage itself.
 */
static void
catalog_notice_processor(void *arg, const char *message)
{
	char		line[768];

	(void) arg;
	one_line(message, line, sizeof(line));
	elog(DEBUG1, "catalog: %s", line);
}

void
CatalogSetNoticeProcessor(PGconn *conn)
{
	if (conn)
		PQsetNoticeProcessor(conn, catalog_notice_processor, NULL);
}

void
CatalogConnError(PGconn *conn, const char *what, char *err, size_t errlen)
{
	char		msg[768];

	one_line(conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s", what, msg);
}

/*
 * Start or make a connection with the settings' conninfo.  The conninfo is
 * expanded as "dbname"; keywords listed before it are defaults the conninfo
 * may override (a connect_timeout given there wins).
 */
static PGconn *
connect_params(const char *application_name, bool start_only, char *err, size_t errlen)
{
	char	   *conninfo;
	char		timeout[16];
	const char *keys[4];
	const char *vals[4];
	PGconn	   *conn;

	if (!CatalogConninfo(&conninfo, err, errlen))
		return NULL;
	snprintf(timeout, sizeof(timeout), "%d", CATALOG_CONNECT_TIMEOUT);
	keys[0] = "connect_timeout";
	vals[0] = timeout;
	keys[1] = "application_name";
	vals[1] = application_name;
	keys[2] = "dbname";
	vals[2] = conninfo;
	keys[3] = NULL;
	vals[3] = NULL;
	conn = start_only ? PQconnectStartParams(keys, vals, 1) : PQconnectdbParams(keys, vals, 1);
	pfree(conninfo);
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
	{
		char		msg[768];
		char	   *desc = CatalogDescribe();

		one_line(conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg));
		snprintf(err, errlen,
				 "could not connect to the catalog (%s): %s; start PostgreSQL or fix the catalog setting",
				 desc, msg);
		pfree(desc);
		if (conn)
			PQfinish(conn);
		return NULL;
	}
	CatalogSetNoticeProcessor(conn);
	return conn;
}

PGconn *
CatalogConnect(char *err, size_t errlen)
{
	return connect_params("strata", false, err, errlen);
}

PGconn *
CatalogConnectStart(const char *application_name, char *err, size_t errlen)
{
	return connect_params(application_name, true, err, errlen);
}

/*
 * Whether a statement succeeded.  If not, the result is freed and err says
 * why, on one line.
 */
static bool
result_ok(PGconn *conn, PGresult *res, char *err, size_t errlen)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	char		msg[768];

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return true;
	one_line(res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn),
			 msg, sizeof(msg));
	snprintf(err, errlen, "catalog query failed: %s", msg);
	PQclear(res);
	return false;
}

PGresult *
CatalogQuery(PGconn *conn, const char *sql, int nparams,
			 const char *const *params, char *err, size_t errlen)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

	return result_ok(conn, res, err, errlen) ? res : NULL;
}

bool
CatalogExec(PGconn *conn, const char *sql, int nparams,
			const char *const *params, char *err, size_t errlen)
{
	PGresult   *res = CatalogQuery(conn, sql, nparams, params, err, errlen);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

bool
CatalogExecScript(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult   *res = PQexec(conn, sql);

	if (!result_ok(conn, res, err, errlen))
		return false;
	PQclear(res);
	return true;
}

PGresult *
CatalogQueryRetry(PGconn *conn, const char *sql, int nparams,
				  const char *const *params, char *err, size_t errlen)
{
	PGresult   *res = CatalogQuery(conn, sql, nparams, params, err, errlen);

	if (res != NULL || PQstatus(conn) == CONNECTION_OK)
		return res;
	/* Lost connection (the catalog restarted): once more on a new one. */
	PQreset(conn);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		char	   *desc = CatalogDescribe();
		char		msg[768];

		one_line(PQerrorMessage(conn), msg, sizeof(msg));
		snprintf(err, errlen,
				 "could not connect to the catalog (%s): %s; start PostgreSQL or fix the catalog setting",
				 desc, msg);
		pfree(desc);
		return NULL;
	}
	return CatalogQuery(conn, sql, nparams, params, err, errlen);
}

bool
CatalogAbandonTransaction(PGconn *conn)
{
	switch (PQtransactionStatus(conn))
	{
		case PQTRANS_IDLE:
			return true;
		case PQTRANS_INTRANS:
		case PQTRANS_INERROR:
			CatalogRollback(conn);
			return true;
		default:
			return false;
	}
}

/* ---------- waiting on the latch ---------- */

PGconn *
CatalogConnectWait(const char *application_name, char *err, size_t errlen)
{
	PGconn	   *c;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int64		deadline = MonotonicMs() + CATALOG_CONNECT_TIMEOUT * 1000;

	c = CatalogConnectStart(application_name, err, errlen);
	if (c == NULL)
		return NULL;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		int64		remaining = deadline - MonotonicMs();
		int			rc;

		if (remaining <= 0)
		{
			snprintf(err, errlen, "could not connect: timeout after %d s", CATALOG_CONNECT_TIMEOUT);
			PQfinish(c);
			return NULL;
		}
		rc = WaitLatchOrSocket(MyLatch,
							   (st == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE) |
							   WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							   PQsocket(c), (long) remaining);
		if (rc & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE))
			st = PQconnectPoll(c);
	}
	if (st == PGRES_POLLING_FAILED)
	{
		CatalogConnError(c, "could not connect", err, errlen);
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Cancel what runs on conn; best effort (the connection is dropped next). */
static void
cancel_statement(PGconn *conn)
{
	PGcancel   *cancel = PQgetCancel(conn);
	char		cerr[256];

	if (cancel)
	{
		(void) PQcancel(cancel, cerr, sizeof(cerr));
		PQfreeCancel(cancel);
	}
}

CatalogWaitResult
CatalogQueryWait(PGconn *conn, const char *sql, int nparams, const char *const *params,
				 long timeout_ms, bool cancel_on_timeout, PGresult **result,
				 char *err, size_t errlen)
{
	int64		deadline = MonotonicMs() + timeout_ms;
	PGresult   *res;
	PGresult   *last = NULL;

	*result = NULL;
	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
	{
		CatalogConnError(conn, "could not send a query", err, errlen);
		return CATALOG_WAIT_LOST;
	}
	while (PQisBusy(conn))
	{
		int64		remaining = deadline - MonotonicMs();
		int			rc;

		if (remaining <= 0)
		{
			if (cancel_on_timeout)
				cancel_statement(conn);
			snprintf(err, errlen, "no answer from the catalog within %ld ms", timeout_ms);
			return CATALOG_WAIT_LOST;
		}
		rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							   PQsocket(conn), (long) remaining);
		if ((rc & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
		{
			CatalogConnError(conn, "connection lost", err, errlen);
			return CATALOG_WAIT_LOST;
		}
	}
	while ((res = PQgetResult(conn)) != NULL)
	{
		PQclear(last);
		last = res;
	}
	if (last != NULL &&
		(PQresultStatus(last) == PGRES_COMMAND_OK || PQresultStatus(last) == PGRES_TUPLES_OK))
	{
		*result = last;
		return CATALOG_WAIT_OK;
	}
	if (last == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		CatalogConnError(conn, "connection lost", err, errlen);
		PQclear(last);
		return CATALOG_WAIT_LOST;
	}
	snprintf(err, errlen, "%s", PQresultErrorMessage(last));
	for (char *c = err; *c; c++)
		if (*c == '\n')
			*c = ' ';
	PQclear(last);
	return CATALOG_WAIT_REJECTED;
}

/* ---------- notifications ---------- */

bool
CatalogListen(PGconn *conn, char *err, size_t errlen)
{
	return CatalogExecScript(conn,
							 "LISTEN " CATALOG_CHANNEL_BROKERS "; LISTEN " CATALOG_CHANNEL_PARTITIONS
							 "; LISTEN " CATALOG_CHANNEL_SLOTS "; LISTEN " CATALOG_CHANNEL_RECOVERIES
							 "; LISTEN " CATALOG_CHANNEL_SECURITY,
							 err, errlen);
}

int
CatalogConsumeNotifications(PGconn *conn)
{
	PGnotify   *n;
	int			changed = 0;

	while ((n = PQnotifies(conn)) != NULL)
	{
		elog(DEBUG1, "catalog notification on %s: %s", n->relname, n->extra);
		if (strcmp(n->relname, CATALOG_CHANNEL_PARTITIONS) == 0)
			changed |= CATALOG_CHANGED_PARTITIONS;
		else if (strcmp(n->relname, CATALOG_CHANNEL_BROKERS) == 0)
			changed |= CATALOG_CHANGED_BROKERS;
		else if (strcmp(n->relname, CATALOG_CHANNEL_SLOTS) == 0)
			changed |= CATALOG_CHANGED_SLOTS;
		else if (strcmp(n->relname, CATALOG_CHANNEL_RECOVERIES) == 0)
			changed |= CATALOG_CHANGED_RECOVERIES;
		else if (strcmp(n->relname, CATALOG_CHANNEL_SECURITY) == 0)
			changed |= CATALOG_CHANGED_SECURITY;
		PQfreemem(n);
	}
	return changed;
}

/* ---------- reconnecting ---------- */

bool
CatalogBackoffFailed(CatalogBackoff *b)
{
	bool		first = b->outage_start_ms < 0;

	if (first)
	{
		b->outage_start_ms = MonotonicMs();
		b->delay_ms = CATALOG_BACKOFF_START_MS;
	}
	else
		b->delay_ms = Min(b->delay_ms * 2, catalog_retry_max);
	b->retry_at_ms = MonotonicMs() + b->delay_ms;
	return first;
}

int64
CatalogBackoffSucceeded(CatalogBackoff *b)
{
	int64		lasted = -1;

	if (b->outage_start_ms >= 0)
		lasted = MonotonicMs() - b->outage_start_ms;
	b->outage_start_ms = -1;
	b->delay_ms = 0;
	b->retry_at_ms = 0;
	return lasted;
}

bool
CatalogBackoffDue(const CatalogBackoff *b, int64 now)
{
	return now >= b->retry_at_ms;
}

/* ---------- catalog_int.h ---------- */

void
CatalogArrayInit(CatalogArray *a)
{
	a->cap = 256;
	a->data = palloc(a->cap);
	a->data[0] = '{';
	a->len = 1;
	a->n = 0;
}

static void
array_putn(CatalogArray *a, const char *s, size_t n)
{
	if (a->len + n + 2 > a->cap)
	{
		while (a->len + n + 2 > a->cap)
			a->cap *= 2;
		a->data = repalloc(a->data, a->cap);
	}
	memcpy(a->data + a->len, s, n);
	a->len += n;
}

static void
array_sep(CatalogArray *a)
{
	if (a->n++ > 0)
		array_putn(a, ",", 1);
}

void
CatalogArrayInt(CatalogArray *a, int64 v)
{
	char		tmp[24];

	array_sep(a);
	CatalogInt64Text(v, tmp);
	array_putn(a, tmp, strlen(tmp));
}

/*
 * A quoted element: s's len bytes escaped as text, or as hex digits; NULL
 * for s == NULL.
 */
static void
array_quoted(CatalogArray *a, const char *s, int32 len, bool as_hex)
{
	static const char hex[] = "0123456789abcdef";

	array_sep(a);
	if (s == NULL)
	{
		array_putn(a, "NULL", 4);
		return;
	}
	array_putn(a, "\"", 1);
	for (int32 i = 0; i < len; i++)
	{
		if (as_hex)
		{
			char		x[2] = {hex[(uint8) s[i] >> 4], hex[(uint8) s[i] & 15]};

			array_putn(a, x, 2);
			continue;
		}
		if (s[i] == '"' || s[i] == '\\')
			array_putn(a, "\\", 1);
		array_putn(a, &s[i], 1);
	}
	array_putn(a, "\"", 1);
}

void
CatalogArrayText(CatalogArray *a, const char *s, int32 len)
{
	array_quoted(a, s, len, false);
}

void
CatalogArrayHex(CatalogArray *a, const char *s, int32 len)
{
	array_quoted(a, s, len, true);
}

char *
CatalogHexDecode(const char *hex, int32 *len)
{
	size_t		n = strlen(hex) / 2;
	char	   *p = palloc(n + 1);

	for (size_t i = 0; i < n; i++)
	{
		int			hi = hex[2 * i],
					lo = hex[2 * i + 1];

		hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
		p[i] = (char) ((hi << 4) | lo);
	}
	p[n] = '\0';
	*len = (int32) n;
	return p;
}

const char *
CatalogArrayFinish(CatalogArray *a)
{
	array_putn(a, "}", 1);
	a->data[a->len] = '\0';
	return a->data;
}

void
CatalogArrayFree(CatalogArray *a)
{
	if (a->data)
		pfree(a->data);
	a->data = NULL;
}

char *
CatalogInt64Array(const int64 *values, int n)
{
	char	   *out = palloc((size_t) n * 21 + 3);
	char	   *p = out;

	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", (long long) values[i]);
	*p++ = '}';
	*p = '\0';
	return out;
}

char *
CatalogInt64Text(int64 v, char *buf)
{
	snprintf(buf, 24, "%lld", (long long) v);
	return buf;
}

void
CatalogUuidText(const uint8 id[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7],
			 id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]);
}

bool
CatalogUuidParse(const char *text, uint8 out[16])
{
	int			n = 0;

	for (const char *p = text; *p && n < 32; p++)
	{
		int			v;

		if (*p == '-')
			continue;
		if (!isxdigit((unsigned char) *p))
			return false;
		v = isdigit((unsigned char) *p) ? *p - '0' : (tolower((unsigned char) *p) - 'a' + 10);
		if (n % 2 == 0)
			out[n / 2] = (uint8) (v << 4);
		else
			out[n / 2] |= (uint8) v;
		n++;
	}
	return n == 32;
}

int
CatalogRowCount(PGresult *res)
{
	int			n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	return n;
}

void
CatalogRollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}
