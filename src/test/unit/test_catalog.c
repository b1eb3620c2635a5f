/*-------------------------------------------------------------------------
 *
 * test_catalog.c
 *	  Unit tests of catalog access that need no PostgreSQL: the connection
 *	  string for "catalog = embedded" (quoting, the unix socket length
 *	  limit), and the one-line error of a failed connection.
 *
 * src/test/unit/test_catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog.h"
#include "utils/guc.h"
#include "tap.h"


int
main(void)
{
	char		err[1024];
	char	   *ci = NULL;
	char		longdir[200];
	PGconn	   *conn;

	GucInitDefaults();

	/* embedded is the default, and spelled in any case */
	ok(CatalogIsEmbedded(), "catalog = embedded by default");
	ok(GucSet("catalog", "EMBEDDED", GUC_SRC_CMDLINE, err, sizeof(err)), "set catalog = EMBEDDED");
	ok(CatalogIsEmbedded(), "EMBEDDED is embedded");

	/* conninfo of the embedded catalog, with quoting of odd paths */
	DataDir = "/srv/it's a \\dir";
	ok(CatalogConninfo(&ci, err, sizeof(err)), "conninfo for an odd data directory");
	is_str(ci, "host='/srv/it\\'s a \\\\dir/catalog' port=5432 dbname=strata user=strata",
		   "quotes and backslashes escaped");
	pfree(ci);

	/* the socket path must fit in sun_path (107 characters + NUL) */
	memset(longdir, 'x', sizeof(longdir));
	longdir[0] = '/';
	longdir[107 - (int) strlen("/catalog/.s.PGSQL.5432")] = '\0';	/* path of exactly 107 */
	DataDir = longdir;
	ok(CatalogConninfo(&ci, err, sizeof(err)), "a socket path of 107 characters fits");
	pfree(ci);
	longdir[107 - (int) strlen("/catalog/.s.PGSQL.5432")] = 'x';
	longdir[108 - (int) strlen("/catalog/.s.PGSQL.5432")] = '\0';	/* 108 */
	ok(!CatalogConninfo(&ci, err, sizeof(err)), "a socket path of 108 characters does not");
	ok(strstr(err, "is 108 bytes long, more than the 107 a unix socket allows") != NULL,
	   "socket path error: %s", err);

	/* a connection that fails reports one line naming the catalog */
	ok(GucSet("catalog", "host=/nonexistent/dir port=1 dbname=x user=y", GUC_SRC_CMDLINE, err, sizeof(err)),
	   "set an external catalog");
	ok(!CatalogIsEmbedded(), "a conninfo is not embedded");
	conn = CatalogConnect(err, sizeof(err));
	ok(conn == NULL, "connecting to a missing socket fails");
	ok(strchr(err, '\n') == NULL, "the error is one line");
	{
		const char *want = "could not connect to the catalog (catalog = 'host=/nonexistent/dir port=1 dbname=x user=y'): ";

		ok(strncmp(err, want, strlen(want)) == 0,
		   "the error names the catalog setting: %s", err);
	}
	ok(strstr(err, "No such file or directory") != NULL, "the error has libpq's reason");
	ok(strstr(err, "; start PostgreSQL or fix the catalog setting") != NULL &&
	   err[strlen(err) - 1] == 'g', "the error ends with the fix");

	/* a bad conninfo is reported the same way */
	ok(GucSet("catalog", "host=x nosuchkeyword=1", GUC_SRC_CMDLINE, err, sizeof(err)), "set a bad conninfo");
	conn = CatalogConnect(err, sizeof(err));
	ok(conn == NULL && strstr(err, "nosuchkeyword") != NULL, "a bad conninfo is named: %s", err);

	ok(CatalogSchemaVersion() >= 1, "the binary knows at least migration 1");

	return done_testing();
}
