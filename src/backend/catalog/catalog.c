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

/* Copy msg into err as one line: newlines become "; ", trailing ones go. */
static void
one_line(const char *msg, char *out, size_t outlen)
{
	size_t		o = 0;

	if (outlen == 0)
		return;
	for (const char *p = msg; *p && o + 1 < outlen; p++)
	{
		if (*p == '\n')
		{
			const char *q = p;

			while (*q == '\n' || *q == ' ' || *q == '\t')
				q++;
			if (*q == '\0')
				break;
			if (o + 3 >= outlen)
				break;
			out[o++] = ';';
			out[o++] = ' ';
			p = q - 1;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

void
CatalogConnError(PGconn *conn, const char *what, char *err, size_t errlen)
{
	char		msg[768];

	one_line(conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s", what, msg);
}

PGconn *
CatalogConnect(char *err, size_t errlen)
{
	char	   *conninfo;
	char	   *desc;
	char		timeout[16];
	const char *keys[4];
	const char *vals[4];
	PGconn	   *conn;

	if (!CatalogConninfo(&conninfo, err, errlen))
		return NULL;

	/*
	 * The conninfo is expanded as "dbname"; keywords listed before it are
	 * defaults the conninfo may override (a connect_timeout given there
	 * wins).
	 */
	snprintf(timeout, sizeof(timeout), "%d", CATALOG_CONNECT_TIMEOUT);
	keys[0] = "connect_timeout";
	vals[0] = timeout;
	keys[1] = "application_name";
	vals[1] = "strata";
	keys[2] = "dbname";
	vals[2] = conninfo;
	keys[3] = NULL;
	vals[3] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	pfree(conninfo);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		char		msg[768];

		one_line(conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg));
		desc = CatalogDescribe();
		snprintf(err, errlen,
				 "could not connect to the catalog (%s): %s; start PostgreSQL or fix the catalog setting",
				 desc, msg);
		pfree(desc);
		if (conn)
			PQfinish(conn);
		return NULL;
	}
	return conn;
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
