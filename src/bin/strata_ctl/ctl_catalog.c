/*-------------------------------------------------------------------------
 *
 * ctl_catalog.c
 *	  strata_ctl: the catalog's PostgreSQL.  With "catalog = embedded" it is
 *	  a cluster in DATADIR/catalog listening only on a unix socket there:
 *	  this file finds PostgreSQL's binaries, runs them as the unprivileged
 *	  user "strata" when strata_ctl runs as root (PostgreSQL refuses root),
 *	  creates the cluster at init, and starts and stops it around the
 *	  broker.  An external catalog only gets its migrations applied.
 *
 * src/bin/strata_ctl/ctl_catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "utils/guc.h"

#include "strata_ctl.h"

/* Who runs the embedded PostgreSQL: ourselves, or PG_USER when we are root. */
bool		pg_as_other_user = false;
uid_t		pg_uid;
gid_t		pg_gid;
char	   *pg_bindir = NULL;

/* Compare "15" and "9.6"-style version directory names numerically. */
static int
version_cmp(const char *a, const char *b)
{
	double		x = atof(a),
				y = atof(b);

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * Where initdb, pg_ctl and postgres are: pg_config --bindir, then the newest
 * /usr/lib/postgresql/<version>/bin (Debian's layout, where pg_config comes
 * from libpq-dev and may not sit beside the server).
 */
const char *
find_pg_bindir(void)
{
	FILE	   *f;
	char		line[PATH_MAX];
	DIR		   *d;
	struct dirent *de;
	char	   *best = NULL;

	if (pg_bindir)
		return pg_bindir;
	f = popen("pg_config --bindir 2>/dev/null", "r");
	if (f)
	{
		if (fgets(line, sizeof(line), f))
		{
			char	   *p;

			line[strcspn(line, "\n")] = '\0';
			p = psprintf("%s/initdb", line);
			if (line[0] && is_executable(p))
				pg_bindir = pstrdup(line);
			pfree(p);
		}
		pclose(f);
	}
	if (pg_bindir)
		return pg_bindir;
	d = opendir("/usr/lib/postgresql");
	if (d)
	{
		while ((de = readdir(d)) != NULL)
		{
			char	   *p;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			p = psprintf("/usr/lib/postgresql/%s/bin/initdb", de->d_name);
			if (is_executable(p) && (best == NULL || version_cmp(de->d_name, best) > 0))
			{
				if (best)
					pfree(best);
				best = pstrdup(de->d_name);
			}
			pfree(p);
		}
		closedir(d);
	}
	if (best)
		pg_bindir = psprintf("/usr/lib/postgresql/%s/bin", best);
	else
		fail("the PostgreSQL server programs (initdb, pg_ctl, postgres) were not found with pg_config --bindir nor in /usr/lib/postgresql/*/bin; install the Debian package postgresql-15 (the embedded catalog needs them), or set catalog to an external PostgreSQL");
	return pg_bindir;
}

/*
 * When we are root, PostgreSQL must run as someone else: the system user
 * "strata", created here when missing.
 */
void
setup_pg_user(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	pw = getpwnam(PG_USER);
	if (pw == NULL)
	{
		int			rc;

		fprintf(stderr, "%s: running as root: creating the system user \"%s\" to run the embedded PostgreSQL\n",
				progname, PG_USER);
		rc = system("useradd --system --no-create-home --shell /usr/sbin/nologin " PG_USER);
		if (rc != 0)
			fail("could not create the system user \"%s\" (useradd failed); create it yourself with: useradd --system --no-create-home --shell /usr/sbin/nologin %s",
				 PG_USER, PG_USER);
		pw = getpwnam(PG_USER);
		if (pw == NULL)
			fail("the system user \"%s\" was created but cannot be found", PG_USER);
	}
	pg_as_other_user = true;
	pg_uid = pw->pw_uid;
	pg_gid = pw->pw_gid;
}

/* In a child: become the PostgreSQL user if we must. */
void
become_pg_user(void)
{
	if (!pg_as_other_user)
		return;
	if (setgroups(1, &pg_gid) != 0 || setgid(pg_gid) != 0 || setuid(pg_uid) != 0)
	{
		fprintf(stderr, "%s: could not switch to user \"%s\": %s\n", progname, PG_USER, strerror(errno));
		_exit(127);
	}
	setenv("USER", PG_USER, 1);
	setenv("LOGNAME", PG_USER, 1);
	setenv("HOME", "/", 1);
}

/*
 * Check that the PostgreSQL user can reach dir: every directory from / to
 * dir must be searchable by it.  Run in a child that has become the user,
 * so the kernel's own permission check answers.
 */
void
check_pg_user_traverse(const char *dir)
{
	int			fds[2];
	pid_t		pid;
	char		blocked[PATH_MAX] = "";
	int			status;
	ssize_t		n;

	if (!pg_as_other_user)
		return;
	if (pipe(fds) != 0)
		fail("pipe failed: %s", strerror(errno));
	pid = fork_or_fail();
	if (pid == 0)
	{
		char		path[PATH_MAX];

		close(fds[0]);
		become_pg_user();
		strlcpy_s(path, dir, sizeof(path));
		for (char *p = path + 1;; p++)
		{
			if (*p == '/' || *p == '\0')
			{
				char		save = *p;

				*p = '\0';
				if (access(path, X_OK) != 0)
				{
					if (write(fds[1], path, strlen(path)) < 0)
						_exit(2);
					_exit(1);
				}
				*p = save;
				if (save == '\0')
					break;
			}
		}
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], blocked, sizeof(blocked) - 1);
	if (n > 0)
		blocked[n] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (blocked[0])
		fail("the embedded catalog's PostgreSQL runs as user \"%s\" (strata_ctl runs as root), which cannot enter directory \"%s\"; allow it with chmod o+x \"%s\", or put the data directory elsewhere",
			 PG_USER, blocked, blocked);
	fail("could not check that user \"%s\" can reach \"%s\"", PG_USER, dir);
}

static char *
catalog_dir(void)
{
	return psprintf("%s/%s", datadir, CATALOG_EMBEDDED_SUBDIR);
}

/* Quote s for the shell command pg_ctl builds from -o. */
static char *
shell_quote(const char *s)
{
	char	   *out = palloc(strlen(s) * 4 + 3);
	char	   *p = out;

	*p++ = '\'';
	for (; *s; s++)
	{
		if (*s == '\'')
		{
			memcpy(p, "'\\''", 4);
			p += 4;
		}
		else
			*p++ = *s;
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}

static int
pg_ctl_status(void)
{
	char	   *catdir = catalog_dir();
	char	   *pgctl = psprintf("%s/pg_ctl", find_pg_bindir());
	char	   *argv[] = {pgctl, "status", "-D", catdir, NULL};
	int			rc;

	rc = run_program(argv, true, "/dev/null");
	pfree(pgctl);
	pfree(catdir);
	return rc;
}

/* Start the embedded PostgreSQL unless it runs; true if we started it. */
bool
start_embedded_catalog(void)
{
	char	   *catdir = catalog_dir();
	char	   *pgctl = psprintf("%s/pg_ctl", find_pg_bindir());
	char	   *pglog = psprintf("%s/log/postgresql.log", catdir);
	char	   *opts;
	char	   *qdir = shell_quote(catdir);
	char		tbuf[16];
	int			rc;

	if (!file_exists(catdir))
		fail("the embedded catalog \"%s\" does not exist; was this data directory made by strata_ctl init with catalog = embedded?", catdir);
	check_pg_user_traverse(catdir);
	if (pg_ctl_status() == 0)
		return false;
	opts = psprintf("-k %s -c listen_addresses='' -p %d", qdir, CATALOG_EMBEDDED_PORT);
	snprintf(tbuf, sizeof(tbuf), "%d", wait_seconds);
	{
		char	   *argv[] = {pgctl, "start", "-w", "-t", tbuf, "-s", "-D", catdir, "-l", pglog, "-o", opts, NULL};

		rc = run_program(argv, true, NULL);
	}
	if (rc != 0)
	{
		fprintf(stderr, "%s: could not start the embedded catalog (PostgreSQL in \"%s\"); its log \"%s\" ends with:\n",
				progname, catdir, pglog);
		print_tail(pglog, 10);
		exit(1);
	}
	pfree(opts);
	pfree(qdir);
	pfree(pglog);
	pfree(pgctl);
	pfree(catdir);
	return true;
}

void
stop_embedded_catalog(bool quiet_if_down)
{
	char	   *catdir = catalog_dir();
	char	   *pgctl;
	char		tbuf[16];
	int			rc;

	if (!file_exists(catdir))
	{
		pfree(catdir);
		return;
	}
	if (pg_ctl_status() != 0)
	{
		if (!quiet_if_down)
			fprintf(stderr, "%s: the embedded catalog was not running\n", progname);
		pfree(catdir);
		return;
	}
	pgctl = psprintf("%s/pg_ctl", find_pg_bindir());
	snprintf(tbuf, sizeof(tbuf), "%d", wait_seconds);
	{
		char	   *argv[] = {pgctl, "stop", "-w", "-t", tbuf, "-s", "-m", "fast", "-D", catdir, NULL};

		rc = run_program(argv, true, NULL);
	}
	if (rc != 0)
		fail("could not stop the embedded catalog (PostgreSQL in \"%s\")", catdir);
	pfree(pgctl);
	pfree(catdir);
}

void
init_embedded_catalog(void)
{
	char	   *catdir = catalog_dir();
	char	   *bindir;
	char	   *initdb;
	char	   *pglogdir = psprintf("%s/log", catdir);
	char	   *initlog = psprintf("%s/log/catalog_initdb.log", datadir);
	char		err[1024];
	PGconn	   *conn;
	PGresult   *res;
	int			applied;
	int			rc;

	bindir = (char *) find_pg_bindir();
	initdb = psprintf("%s/initdb", bindir);

	if (mkdir(catdir, 0700) != 0)
		fail("could not create directory \"%s\": %s", catdir, strerror(errno));
	if (pg_as_other_user)
	{
		if (chown(catdir, pg_uid, pg_gid) != 0)
			fail("could not give user \"%s\" access to \"%s\": %s", PG_USER, catdir, strerror(errno));
		check_pg_user_traverse(catdir);
	}

	printf("creating the embedded catalog (PostgreSQL in %s)... ", catdir);
	fflush(stdout);
	{
		char	   *argv[] = {initdb, "-D", catdir, "-U", CATALOG_EMBEDDED_USER, "-A", "trust",
		"-E", "UTF8", "--no-locale", NULL};

		rc = run_program(argv, true, initlog);
	}
	if (rc != 0)
	{
		printf("failed\n");
		fprintf(stderr, "%s: initdb failed; its output (%s) ends with:\n", progname, initlog);
		print_tail(initlog, 15);
		exit(1);
	}
	if (mkdir(pglogdir, 0700) != 0 ||
		(pg_as_other_user && chown(pglogdir, pg_uid, pg_gid) != 0))
		fail("could not create directory \"%s\": %s", pglogdir, strerror(errno));
	printf("ok\n");

	printf("starting it to create database \"%s\" and the schema... ", CATALOG_EMBEDDED_DBNAME);
	fflush(stdout);
	start_embedded_catalog();
	{
		char	   *qdir = psprintf("host='%s' port=%d dbname=postgres user=%s", catdir,
									CATALOG_EMBEDDED_PORT, CATALOG_EMBEDDED_USER);

		conn = PQconnectdb(qdir);
		pfree(qdir);
	}
	if (PQstatus(conn) != CONNECTION_OK)
	{
		CatalogConnError(conn, "could not connect to the embedded catalog", err, sizeof(err));
		goto failed;
	}
	res = PQexec(conn, "CREATE DATABASE " CATALOG_EMBEDDED_DBNAME);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		CatalogConnError(conn, "could not create the catalog database", err, sizeof(err));
		PQclear(res);
		goto failed;
	}
	PQclear(res);
	PQfinish(conn);
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL)
		goto failed;
	if (!CatalogMigrate(conn, &applied, err, sizeof(err)))
		goto failed;
	PQfinish(conn);
	stop_embedded_catalog(false);
	printf("ok (schema version %d)\n", CatalogSchemaVersion());
	return;

failed:
	printf("failed\n");
	if (conn)
		PQfinish(conn);
	fprintf(stderr, "%s: %s\n", progname, err);
	stop_embedded_catalog(true);
	exit(1);
}

void
init_external_catalog(void)
{
	char		err[1024];
	PGconn	   *conn;
	int			applied;

	printf("applying the catalog schema (%s)... ", catalog_conninfo);
	fflush(stdout);
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL || !CatalogMigrate(conn, &applied, err, sizeof(err)))
	{
		printf("failed\n");
		if (conn)
			PQfinish(conn);
		fprintf(stderr, "%s: %s\n", progname, err);
		exit(1);
	}
	PQfinish(conn);
	if (applied)
		printf("ok (schema upgraded to version %d)\n", CatalogSchemaVersion());
	else
		printf("ok (already at version %d)\n", CatalogSchemaVersion());
}

/* status: say whether the embedded catalog runs (nothing for an external one). */
void
print_catalog_status(void)
{
	char	   *pgv = psprintf("%s/%s/PG_VERSION", datadir, CATALOG_EMBEDDED_SUBDIR);

	if (file_exists(pgv))
	{
		setup_pg_user();
		printf("embedded catalog: %s\n", pg_ctl_status() == 0 ? "running" : "not running");
	}
	pfree(pgv);
}
