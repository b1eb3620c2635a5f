/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Connecting to the catalog and running statements on it.
 *
 *	  Used by the postmaster (CatalogStartupCheck, before anything is
 *	  forked), by the catalog worker and by strata_ctl.  No function here
 *	  raises an elog(ERROR): each returns failure with one line in the
 *	  caller's buffer, which always names the catalog so an operator knows
 *	  where to look.
 *
 * src/backend/catalog/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <strings.h>
#include <sys/un.h>

#include "catalog/catalog.h"
#include "utils/elog.h"
#include "utils/guc.h"

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

PGresult *
CatalogQuery(PGconn *conn, const char *sql, int nparams,
			 const char *const *params, char *err, size_t errlen)
{
	PGresult   *res;
	ExecStatusType st;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
	{
		char		msg[768];

		one_line(res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn),
				 msg, sizeof(msg));
		snprintf(err, errlen, "catalog query failed: %s", msg);
		PQclear(res);
		return NULL;
	}
	return res;
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
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
	{
		char		msg[768];

		one_line(res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn),
				 msg, sizeof(msg));
		snprintf(err, errlen, "catalog query failed: %s", msg);
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}
