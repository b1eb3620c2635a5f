/*-------------------------------------------------------------------------
 *
 * ctl_user.c
 *	  strata_ctl's user commands: the SCRAM users clients log in as.
 *
 *	  strata_ctl user add    -D DATADIR NAME [--mechanism M] [--iterations N]
 *	  strata_ctl user remove -D DATADIR NAME
 *	  strata_ctl user list   -D DATADIR
 *
 *	  add reads the password from standard input: with a terminal it
 *	  prompts twice without echo (as createuser --pwprompt does), otherwise
 *	  it reads one line.  It stores only the salted, iterated keys of RFC
 *	  5802 (utils/scram.h), for SCRAM-SHA-256 and SCRAM-SHA-512 unless
 *	  --mechanism names one; an existing user gets new credentials.
 *
 *	  They work on the catalog whether the broker runs or not, so the first
 *	  administrator can be made before any client can log in: an embedded
 *	  catalog that is not running is started for the command and stopped
 *	  again.  Running brokers learn of the change through the catalog's
 *	  NOTIFY (doc/security.md).
 *
 * src/bin/strata_ctl/ctl_user.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "catalog/catalog.h"
#include "catalog/catalog_security.h"
#include "utils/guc.h"
#include "utils/scram.h"

#include "strata_ctl.h"

char	   *user_mechanism = NULL;
int			user_iterations = SCRAM_DEFAULT_ITERATIONS;

/* Read one line from stdin into buf, without its newline; echo off on a tty. */
static bool
read_line(const char *prompt, char *buf, size_t len)
{
	bool		tty = isatty(0);
	struct termios old,
				quiet;
	bool		ok;

	if (tty)
	{
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	ok = fgets(buf, (int) len, stdin) != NULL;
	if (tty)
	{
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

static void
read_password(char *buf, size_t len)
{
	if (!read_line("Enter password for new user: ", buf, len))
		fail("no password given on standard input");
	if (buf[0] == '\0')
		fail("empty password: a user needs a password");
	if (isatty(0))
	{
		char		again[1024];

		if (!read_line("Enter it again: ", again, sizeof(again)) || strcmp(again, buf) != 0)
			fail("passwords didn't match");
		OPENSSL_cleanse(again, sizeof(again));
	}
}

/*
 * Connect to the catalog, starting an embedded one that is down (*started
 * says so), and bring its schema up to date.
 */
static PGconn *
connect_catalog(bool *started)
{
	char		err[1024];
	int			applied;
	PGconn	   *conn;

	check_datadir(1);
	load_settings(true);
	*started = false;
	if (CatalogIsEmbedded())
	{
		setup_pg_user();
		*started = start_embedded_catalog();
	}
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL || !CatalogMigrate(conn, &applied, err, sizeof(err)))
	{
		if (*started)
			stop_embedded_catalog(true);
		fail("%s", err);
	}
	return conn;
}

static void
disconnect_catalog(PGconn *conn, bool started)
{
	PQfinish(conn);
	if (started)
		stop_embedded_catalog(true);
}

static int
user_add(const char *name)
{
	char		password[1024];
	CatalogScramChange changes[SCRAM_MECHANISMS];
	int			n = 0;
	int			missing;
	int64		version;
	char		err[1024];
	bool		started;
	PGconn	   *conn;
	CatalogScramCredential *existing;
	int			nexisting;
	ScramMechanism only;

	if (strlen(name) == 0 || strlen(name) > 255)
		fail("a user name has 1 to 255 bytes");
	if (user_mechanism && !ScramMechanismFromName(user_mechanism, &only))
		fail("unknown mechanism \"%s\" (use SCRAM-SHA-256 or SCRAM-SHA-512)", user_mechanism);
	if (user_iterations < SCRAM_MIN_ITERATIONS || user_iterations > SCRAM_MAX_ITERATIONS)
		fail("--iterations must be %d to %d (what Kafka clients accept)", SCRAM_MIN_ITERATIONS,
			 SCRAM_MAX_ITERATIONS);
	read_password(password, sizeof(password));
	for (int m = 0; m < SCRAM_MECHANISMS; m++)
	{
		if (user_mechanism && (ScramMechanism) m != only)
			continue;
		changes[n].user = name;
		changes[n].delete = false;
		if (!ScramMakeSecret((ScramMechanism) m, password, strlen(password), user_iterations,
							 &changes[n].secret))
			fail("could not compute the SCRAM credential (no random bytes?)");
		n++;
	}
	OPENSSL_cleanse(password, sizeof(password));

	conn = connect_catalog(&started);
	nexisting = CatalogListScramCredentials(conn, name, &existing, err, sizeof(err));
	if (nexisting < 0 ||
		CatalogAlterScramCredentials(conn, changes, n, &missing, &version, err, sizeof(err)) != CATALOG_SECURITY_OK)
	{
		disconnect_catalog(conn, started);
		fail("%s", err);
	}
	OPENSSL_cleanse(changes, sizeof(changes));
	CatalogFreeScramCredentials(existing, nexisting);
	disconnect_catalog(conn, started);
	printf("%s user \"%s\" (%s, %d iterations)\n", nexisting > 0 ? "updated" : "added", name,
		   user_mechanism ? ScramMechanismName(only) : "SCRAM-SHA-256 and SCRAM-SHA-512", user_iterations);
	return 0;
}

static int
user_remove(const char *name)
{
	bool		started;
	PGconn	   *conn = connect_catalog(&started);
	char		err[1024];
	int			removed;
	int64		version;

	if (!CatalogRemoveUser(conn, name, &removed, &version, err, sizeof(err)))
	{
		disconnect_catalog(conn, started);
		fail("%s", err);
	}
	disconnect_catalog(conn, started);
	if (removed == 0)
		fail("user \"%s\" does not exist", name);
	printf("removed user \"%s\"\n", name);
	return 0;
}

static int
user_list(void)
{
	bool		started;
	PGconn	   *conn = connect_catalog(&started);
	char		err[1024];
	CatalogScramCredential *creds;
	int			n = CatalogListScramCredentials(conn, NULL, &creds, err, sizeof(err));

	if (n < 0)
	{
		disconnect_catalog(conn, started);
		fail("%s", err);
	}
	for (int i = 0; i < n; i++)
	{
		bool		first = i == 0 || strcmp(creds[i].user, creds[i - 1].user) != 0;
		bool		last = i == n - 1 || strcmp(creds[i].user, creds[i + 1].user) != 0;

		if (first)
			printf("%s\t", creds[i].user);
		printf("%s%s (%d iterations)%s", first ? "" : ", ", ScramMechanismName(creds[i].secret.mechanism),
			   creds[i].secret.iterations, last ? "\n" : "");
	}
	CatalogFreeScramCredentials(creds, n);
	disconnect_catalog(conn, started);
	return 0;
}

int
do_user(int nargs, char **args)
{
	if (nargs >= 1 && strcmp(args[0], "add") == 0 && nargs == 2)
		return user_add(args[1]);
	if (nargs >= 1 && strcmp(args[0], "remove") == 0 && nargs == 2)
		return user_remove(args[1]);
	if (nargs == 1 && strcmp(args[0], "list") == 0)
		return user_list();
	fail("usage: %s user add|remove NAME, or %s user list (-D DATADIR)", progname, progname);
}
