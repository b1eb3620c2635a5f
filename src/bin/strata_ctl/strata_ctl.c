/*-------------------------------------------------------------------------
 *
 * strata_ctl.c
 *	  Initialise, start, stop and inspect a Strata broker, as pg_ctl does
 *	  for PostgreSQL.
 *
 *	  strata_ctl init    -D DATADIR [--broker-id N] [--listeners L] [--catalog C]
 *	                     [--object-store URL] [--wal-size SIZE]
 *	  strata_ctl start   -D DATADIR [-l LOGFILE] [-o "-c name=value ..."] [-w|-W] [-t SECS]
 *	  strata_ctl stop    -D DATADIR [-m smart|fast|immediate] [-w|-W] [-t SECS]
 *	  strata_ctl restart -D DATADIR [-m MODE] [-l LOGFILE] [-o OPTIONS] [-w|-W] [-t SECS]
 *	  strata_ctl reload  -D DATADIR
 *	  strata_ctl status  -D DATADIR
 *
 *	  Exit status, as pg_ctl's: 0 success; 1 failure; for status, 0 the
 *	  server is running, 3 it is not, 4 DATADIR is missing or not a Strata
 *	  data directory.
 *
 *	  With "catalog = embedded" (the default) the catalog is a PostgreSQL
 *	  cluster in DATADIR/catalog that listens only on a unix socket in that
 *	  directory; init creates it, start starts it before the broker and stop
 *	  stops it after the broker.  PostgreSQL refuses to run as root, so when
 *	  strata_ctl runs as root it runs initdb, pg_ctl and postgres as the
 *	  unprivileged system user "strata" (created when missing), which owns
 *	  DATADIR/catalog; DATADIR itself then belongs to group strata with mode
 *	  0710 so that user can reach its directory.
 *
 *	  strata_ctl links libstrata.a: the settings table (to validate options
 *	  and write strata.conf) and the catalog code (to apply migrations) are
 *	  the server's own.
 *
 * src/bin/strata_ctl/strata_ctl.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <poll.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/catalog_cluster.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/sanitizer.h"

#define PG_USER			"strata"
#define EXIT_STATUS_NOT_RUNNING	3
#define EXIT_STATUS_NO_DATADIR	4

typedef enum ShutdownMode
{
	SHUTDOWN_SMART,
	SHUTDOWN_FAST,
	SHUTDOWN_IMMEDIATE
} ShutdownMode;

static const char *progname = "strata_ctl";
static char *datadir = NULL;		/* absolute */
static char *logfile = NULL;		/* absolute */
static char *post_opts = NULL;		/* -o, concatenated */
static bool do_wait = true;
static int	wait_seconds = 60;
/* Arguments after the command (move TOPIC PARTITION BROKER). */
static char *cmd_args[3];
static int	ncmd_args = 0;
static ShutdownMode shutdown_mode = SHUTDOWN_FAST;

/* init options: setting name and value, in the order given. */
typedef struct InitOpt
{
	const char *name;
	char	   *value;
} InitOpt;
static InitOpt init_opts[16];
static int	n_init_opts = 0;

/* Who runs the embedded PostgreSQL: ourselves, or PG_USER when we are root. */
static bool pg_as_other_user = false;
static uid_t pg_uid;
static gid_t pg_gid;
static char *pg_bindir = NULL;

static void
usage(FILE *out)
{
	fprintf(out,
			"%s initializes, starts, stops and reports on a Strata broker.\n\n"
			"Usage:\n"
			"  %s init    -D DATADIR [--broker-id=N] [--listeners=LIST] [--catalog=CONNINFO|embedded]\n"
			"                        [--object-store=URL] [--wal-size=SIZE]\n"
			"  %s start   -D DATADIR [-l LOGFILE] [-o OPTIONS] [-w|-W] [-t SECS]\n"
			"  %s stop    -D DATADIR [-m smart|fast|immediate] [-w|-W] [-t SECS]\n"
			"  %s restart -D DATADIR [-m MODE] [-l LOGFILE] [-o OPTIONS] [-w|-W] [-t SECS]\n"
			"  %s reload  -D DATADIR\n"
			"  %s status  -D DATADIR\n"
			"  %s move    -D DATADIR TOPIC PARTITION BROKER [-w|-W] [-t SECS]\n\n"
			"Options:\n"
			"  -D DATADIR     data directory (or the STRATA_DATA environment variable)\n"
			"  -l LOGFILE     server log (default DATADIR/log/strata.log)\n"
			"  -o OPTIONS     options for the strata server, e.g. \"-c log_min_messages=debug1\"\n"
			"  -w, -W         wait (the default) or do not wait for the operation to finish\n"
			"  -t SECS        seconds to wait (default 60)\n"
			"  -m MODE        shutdown mode: smart, fast (default) or immediate\n\n"
			"Exit status: 0 success, 1 failure; for status 0 running, 3 not running,\n"
			"4 no or invalid data directory.\n",
			progname, progname, progname, progname, progname, progname, progname, progname);
}

static void pg_attribute_printf(1, 2) pg_attribute_noreturn()
fail(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static char *
make_absolute(const char *path)
{
	char		cwd[PATH_MAX];

	if (path[0] == '/')
		return pstrdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fail("could not determine the current directory: %s", strerror(errno));
	return psprintf("%s/%s", cwd, path);
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool
is_executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* ---------- paths of our programs and PostgreSQL's ---------- */

/* The strata server beside this strata_ctl, else "strata" from PATH. */
static char *
find_strata(void)
{
	char		self[PATH_MAX];
	ssize_t		n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0)
	{
		char	   *slash;
		char	   *p;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
		{
			*slash = '\0';
			p = psprintf("%s/strata", self);
			if (is_executable(p))
				return p;
			/* In the build tree strata_ctl and strata live in different dirs. */
			pfree(p);
			p = psprintf("%s/../../backend/strata", self);
			if (is_executable(p))
				return p;
			pfree(p);
		}
	}
	return pstrdup("strata");
}

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
static const char *
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

/* ---------- the unprivileged user for PostgreSQL ---------- */

/*
 * When we are root, PostgreSQL must run as someone else: the system user
 * "strata", created here when missing.
 */
static void
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
static void
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
static void
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
	pid = fork();
	if (pid < 0)
		fail("fork failed: %s", strerror(errno));
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

/* ---------- running programs ---------- */

/*
 * Run argv, waiting for it; with as_pg, as the PostgreSQL user.  Output goes
 * to outfile (appended) when given, else to our stdout/stderr.  Returns the
 * exit status, or -1 if it did not exit normally.
 */
static int
run_program(char *const argv[], bool as_pg, const char *outfile)
{
	pid_t		pid;
	int			status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail("fork failed: %s", strerror(errno));
	if (pid == 0)
	{
		if (outfile)
		{
			int			fd = open(outfile, O_WRONLY | O_CREAT | O_APPEND, 0600);

			if (fd < 0)
			{
				fprintf(stderr, "%s: could not open \"%s\": %s\n", progname, outfile, strerror(errno));
				_exit(127);
			}
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (as_pg)
		{
			if (chdir("/") != 0)
				_exit(127);
			become_pg_user();
		}
		execv(argv[0], argv);
		fprintf(stderr, "%s: could not run \"%s\": %s\n", progname, argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
	{
		if (errno != EINTR)
			fail("waitpid failed: %s", strerror(errno));
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

/* Print the last n lines of a file to stderr. */
static void
print_tail(const char *path, int n)
{
	FILE	   *f = fopen(path, "r");
	char	  **lines;
	char		buf[4096];
	int			count = 0;

	if (f == NULL)
		return;
	lines = palloc0(sizeof(char *) * n);
	while (fgets(buf, sizeof(buf), f))
	{
		if (lines[count % n])
			pfree(lines[count % n]);
		lines[count % n] = pstrdup(buf);
		count++;
	}
	fclose(f);
	for (int i = Max(count - n, 0); i < count; i++)
	{
		fputs(lines[i % n], stderr);
		if (lines[i % n][strlen(lines[i % n]) - 1] != '\n')
			fputc('\n', stderr);
	}
	for (int i = 0; i < n; i++)
		if (lines[i])
			pfree(lines[i]);
	pfree(lines);
}

/* ---------- the WAL file ---------- */

/*
 * Create the WAL file, preallocated, with its header (the WAL module's
 * WalDeviceCreate), owned by this broker.
 */
static void
create_wal_file(const char *path, int64 size)
{
	char		err[1024];

	if (!WalDeviceCreate(path, (uint64) size, (uint64) broker_id, err, sizeof(err)))
		fail("%s", err);
}

/* ---------- postmaster.pid ---------- */

typedef struct PidFile
{
	pid_t		pid;
	char		status[32];
	char		listener[256];
} PidFile;

static char *
pidfile_path(void)
{
	return psprintf("%s/postmaster.pid", datadir);
}

/* Read postmaster.pid; false if it does not exist or is unreadable. */
static bool
read_pidfile(PidFile *pf)
{
	char	   *path = pidfile_path();
	FILE	   *f = fopen(path, "r");
	char		line[1024];
	int			lineno = 0;

	pfree(path);
	memset(pf, 0, sizeof(*pf));
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f))
	{
		line[strcspn(line, "\n")] = '\0';
		lineno++;
		if (lineno == 1)
			pf->pid = (pid_t) atol(line);
		else if (lineno == 4)
			strlcpy_s(pf->listener, line, sizeof(pf->listener));
		else if (lineno == 5)
			strlcpy_s(pf->status, line, sizeof(pf->status));
	}
	fclose(f);
	return pf->pid > 0;
}

/*
 * Is pid a running process?  A zombie is not: the server, started in the
 * background by an earlier strata_ctl, is reaped by whoever inherited it
 * (init, or a container's first process), which may take its time or never
 * come.
 */
static bool
pid_alive(pid_t pid)
{
	char		path[64];
	char		buf[512];
	FILE	   *f;
	char	   *p;

	if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	p = strrchr(buf, ')');
	if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
		return false;
	return true;
}

/* ---------- settings ---------- */

static char *
conf_path(void)
{
	return psprintf("%s/strata.conf", datadir);
}

/*
 * Split -o's text the way a shell would (quotes and backslashes), into a
 * NULL-terminated palloc'd array.
 */
static char **
split_options(const char *s, int *count)
{
	char	  **argv = palloc(sizeof(char *) * (strlen(s) / 2 + 2));
	int			n = 0;
	const char *p = s;

	while (*p)
	{
		char	   *word;
		size_t		len = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		word = palloc(strlen(p) + 1);
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		{
			if (*p == '\'')
			{
				p++;
				while (*p && *p != '\'')
					word[len++] = *p++;
				if (*p == '\0')
					fail("unterminated quote in -o \"%s\"", s);
				p++;
			}
			else if (*p == '"')
			{
				p++;
				while (*p && *p != '"')
				{
					if (*p == '\\' && p[1])
						p++;
					word[len++] = *p++;
				}
				if (*p == '\0')
					fail("unterminated quote in -o \"%s\"", s);
				p++;
			}
			else if (*p == '\\' && p[1])
			{
				word[len++] = p[1];
				p += 2;
			}
			else
				word[len++] = *p++;
		}
		word[len] = '\0';
		argv[n++] = word;
	}
	argv[n] = NULL;
	*count = n;
	return argv;
}

/*
 * Load the settings as the server will see them (strata.conf, then -o's
 * -c options), to learn which catalog this data directory uses.  A bad
 * setting is reported now, with the server's own message.
 */
static void
load_settings(bool strict)
{
	char		err[1024];
	char	   *path = conf_path();
	char	  **argv;
	int			argc;

	GucInitDefaults();
	DataDir = datadir;
	if (!GucLoadFile(path, GUC_SRC_FILE, err, sizeof(err)))
	{
		char	   *pgv;

		if (strict)
			fail("%s", err);

		/*
		 * Stopping must work even when strata.conf was broken since the
		 * start: then an embedded catalog is recognised by its directory.
		 */
		GucInitDefaults();
		pgv = psprintf("%s/%s/PG_VERSION", datadir, CATALOG_EMBEDDED_SUBDIR);
		if (!file_exists(pgv))
			GucSet("catalog", "host=unknown", GUC_SRC_DEFAULT, err, sizeof(err));
		pfree(pgv);
		pfree(path);
		return;
	}
	pfree(path);
	if (post_opts == NULL)
		return;
	argv = split_options(post_opts, &argc);
	for (int i = 0; i < argc; i++)
	{
		const char *nv = NULL;
		char	   *name;
		char	   *eq;

		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			nv = argv[++i];
		else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2])
			nv = argv[i] + 2;
		else
			fail("unexpected server option \"%s\" in -o (use -c name=value)", argv[i]);
		name = pstrdup(nv);
		eq = strchr(name, '=');
		if (eq == NULL)
			fail("server option \"-c %s\" has no value (use -c name=value)", nv);
		*eq = '\0';
		/* As the server does: "-c log-min-messages=..." means log_min_messages. */
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!GucSet(name, eq + 1, GUC_SRC_CMDLINE, err, sizeof(err)))
			fail("%s", err);
		pfree(name);
	}
}

/* ---------- the embedded catalog's PostgreSQL ---------- */

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
static bool
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

static void
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

/* ---------- init ---------- */

static bool created_datadir = false;
static bool init_done = false;

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void) sb;
	(void) ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/* atexit: a failed init leaves nothing behind (as initdb). */
static void
remove_datadir_on_failure(void)
{
	if (created_datadir && datadir && !init_done)
	{
		fprintf(stderr, "%s: removing data directory \"%s\"\n", progname, datadir);
		nftw(datadir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
	}
}

static void
mkdir_p(const char *path, mode_t mode)
{
	char	   *p = pstrdup(path);

	for (char *s = p + 1; *s; s++)
	{
		if (*s == '/')
		{
			*s = '\0';
			/*
			 * Parents we create are 0755 despite our umask: the embedded
			 * catalog's user must be able to traverse them.
			 */
			if (mkdir(p, 0755) == 0)
				chmod(p, 0755);
			else if (errno != EEXIST)
				fail("could not create directory \"%s\": %s", p, strerror(errno));
			*s = '/';
		}
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		fail("could not create directory \"%s\": %s", p, strerror(errno));
	pfree(p);
}

static bool
dir_is_empty(const char *path)
{
	DIR		   *d = opendir(path);
	struct dirent *de;
	bool		empty = true;

	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

/* Write v into a strata.conf line, single-quoted with '' doubled. */
static void
write_conf_value(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s = '", name);
	for (; *v; v++)
	{
		if (*v == '\'')
			fputc('\'', f);
		fputc(*v, f);
	}
	fprintf(f, "'\n");
}

static void
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

static void
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

static int
do_init(void)
{
	char		err[1024];
	char	   *conf;
	char	   *p;
	FILE	   *f;
	struct stat st;

	GucInitDefaults();
	for (int i = 0; i < n_init_opts; i++)
		if (!GucSet(init_opts[i].name, init_opts[i].value, GUC_SRC_CMDLINE, err, sizeof(err)))
			fail("%s", err);

	if (stat(datadir, &st) == 0)
	{
		if (!S_ISDIR(st.st_mode))
			fail("\"%s\" exists and is not a directory", datadir);
		if (!dir_is_empty(datadir))
			fail("directory \"%s\" exists but is not empty; remove it or choose another data directory", datadir);
		if (chmod(datadir, 0700) != 0)
			fail("could not change permissions of \"%s\": %s", datadir, strerror(errno));
	}
	else
	{
		mkdir_p(datadir, 0700);
		created_datadir = true;
		atexit(remove_datadir_on_failure);
	}
	DataDir = datadir;
	if (CatalogIsEmbedded())
	{
		char	   *ci;

		/* Refuse a socket path too long for sun_path before doing anything. */
		if (!CatalogConninfo(&ci, err, sizeof(err)))
			fail("%s", err);
		pfree(ci);
		setup_pg_user();
		find_pg_bindir();
		if (pg_as_other_user)
		{
			/* The PostgreSQL user must reach DATADIR/catalog: group strata, 0710. */
			if (chown(datadir, 0, pg_gid) != 0 || chmod(datadir, 0710) != 0)
				fail("could not give user \"%s\" access to \"%s\": %s", PG_USER, datadir, strerror(errno));
			check_pg_user_traverse(datadir);
		}
	}

	/* strata.conf: every setting commented at its default, then ours. */
	conf = conf_path();
	f = fopen(conf, "w");
	if (f == NULL)
		fail("could not create \"%s\": %s", conf, strerror(errno));
	GucWriteSampleConf(f);
	fprintf(f, "\n#------------------------------------------------------------------------------\n"
			"# Set by strata_ctl init\n"
			"#------------------------------------------------------------------------------\n\n");
	for (int i = 0; i < n_init_opts; i++)
	{
		GucEntry   *e = GucFind(init_opts[i].name);
		char	   *v = GucShowValue(e);

		if (e->type == GUC_STRING)
			write_conf_value(f, e->name, v);
		else
			fprintf(f, "%s = %s\n", e->name, v);
		pfree(v);
	}
	if (fclose(f) != 0)
		fail("could not write \"%s\": %s", conf, strerror(errno));
	printf("wrote %s\n", conf);

	p = psprintf("%s/log", datadir);
	mkdir_p(p, 0700);
	pfree(p);

	/* The WAL file, unless wal_device names something else. */
	if (wal_device == NULL || wal_device[0] == '\0')
	{
		char	   *waldir = psprintf("%s/wal", datadir);
		char	   *wal = psprintf("%s/strata.wal", waldir);

		mkdir_p(waldir, 0700);
		create_wal_file(wal, wal_size);
		printf("created WAL file %s (%lld bytes)\n", wal, (long long) wal_size);
		pfree(wal);
		pfree(waldir);
	}

	/* The object store, when it is a local directory. */
	if (object_store == NULL || object_store[0] == '\0')
	{
		p = psprintf("%s/objects", datadir);
		mkdir_p(p, 0700);
		pfree(p);
	}
	else if (strncmp(object_store, "file://", 7) == 0)
	{
		if (object_store[7] != '/')
			fail("object_store \"%s\" must be file:///absolute/path", object_store);
		mkdir_p(object_store + 7, 0700);
	}

	if (CatalogIsEmbedded())
		init_embedded_catalog();
	else
		init_external_catalog();

	init_done = true;
	printf("\nSuccess. You can now start the broker with:\n\n    %s start -D %s\n\n", progname, datadir);
	return 0;
}

/* ---------- start / stop / restart / reload / status ---------- */

static void
check_datadir(int code)
{
	char	   *conf = conf_path();

	if (!file_exists(datadir))
	{
		fprintf(stderr, "%s: directory \"%s\" does not exist\n", progname, datadir);
		exit(code);
	}
	if (!file_exists(conf))
	{
		fprintf(stderr, "%s: directory \"%s\" is not a Strata data directory (no strata.conf); create one with %s init\n",
				progname, datadir, progname);
		exit(code);
	}
	pfree(conf);
}

/* -o used by the last start, reused by restart when none is given. */
static char *
opts_path(void)
{
	return psprintf("%s/strata_ctl.opts", datadir);
}

static void
save_opts(void)
{
	char	   *path = opts_path();
	FILE	   *f = fopen(path, "w");

	if (f)
	{
		fprintf(f, "%s\n", post_opts ? post_opts : "");
		fclose(f);
	}
	pfree(path);
}

static void
load_saved_opts(void)
{
	char	   *path = opts_path();
	FILE	   *f = fopen(path, "r");
	char		buf[8192];

	if (f)
	{
		if (fgets(buf, sizeof(buf), f))
		{
			buf[strcspn(buf, "\n")] = '\0';
			if (buf[0])
				post_opts = pstrdup(buf);
		}
		fclose(f);
	}
	pfree(path);
}

static int
do_start(void)
{
	PidFile		pf;
	char	   *strata;
	char	   *log;
	bool		started_catalog = false;
	pid_t		pid;
	char	  **opts;
	int			nopts;
	char	  **argv;
	time_t		deadline;

	check_datadir(1);
	if (read_pidfile(&pf) && pid_alive(pf.pid))
		fprintf(stderr, "%s: another server might be running (PID %d); trying to start server anyway\n",
				progname, (int) pf.pid);
	load_settings(true);
	save_opts();

	log = logfile ? logfile : psprintf("%s/log/strata.log", datadir);
	if (CatalogIsEmbedded())
	{
		setup_pg_user();
		started_catalog = start_embedded_catalog();
	}

	strata = find_strata();
	opts = split_options(post_opts ? post_opts : "", &nopts);
	argv = palloc(sizeof(char *) * (nopts + 4));
	argv[0] = strata;
	argv[1] = "-D";
	argv[2] = datadir;
	for (int i = 0; i < nopts; i++)
		argv[3 + i] = opts[i];
	argv[3 + nopts] = NULL;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail("fork failed: %s", strerror(errno));
	if (pid == 0)
	{
		int			fd;

		/* Its own session: a ^C at strata_ctl's terminal must not reach it. */
		setsid();
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
		{
			dup2(fd, 0);
			close(fd);
		}
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0)
		{
			fprintf(stderr, "%s: could not open log file \"%s\": %s\n", progname, log, strerror(errno));
			_exit(1);
		}
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		if (strchr(strata, '/'))
			execv(strata, argv);
		else
			execvp(strata, argv);
		fprintf(stderr, "%s: could not run \"%s\": %s\n", progname, strata, strerror(errno));
		_exit(1);
	}

	if (!do_wait)
	{
		printf("server starting\n");
		return 0;
	}
	printf("waiting for server to start...");
	fflush(stdout);
	deadline = time(NULL) + wait_seconds;
	for (;;)
	{
		int			status;
		pid_t		r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
		{
			printf(" stopped waiting\n");
			fprintf(stderr, "%s: could not start server (it exited with status %d); the log \"%s\" ends with:\n",
					progname, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), log);
			print_tail(log, 20);
			if (started_catalog)
				stop_embedded_catalog(true);
			return 1;
		}
		if (read_pidfile(&pf) && pf.pid == pid && strcmp(pf.status, "ready") == 0)
		{
			printf(" done\nserver started (PID %d, listening on %s)\n", (int) pid, pf.listener);
			return 0;
		}
		if (time(NULL) >= deadline)
		{
			printf(" stopped waiting\n");
			fprintf(stderr, "%s: server did not start within %d seconds; it may still be starting (see \"%s\")\n",
					progname, wait_seconds, log);
			return 1;
		}
		usleep(100 * 1000);
	}
}

static int
do_stop(bool for_restart)
{
	PidFile		pf;
	int			sig;
	int			kill_err = 0;
	time_t		deadline;
	char	   *pidpath = pidfile_path();

	check_datadir(1);
	load_settings(false);
	if (!read_pidfile(&pf))
	{
		fprintf(stderr, "%s: PID file \"%s\" does not exist\nIs server running?\n", progname, pidpath);
		if (CatalogIsEmbedded() && !for_restart)
		{
			setup_pg_user();
			stop_embedded_catalog(true);
		}
		return 1;
	}
	sig = shutdown_mode == SHUTDOWN_SMART ? SIGTERM :
		shutdown_mode == SHUTDOWN_FAST ? SIGINT : SIGQUIT;
	if (!pid_alive(pf.pid))
		kill_err = ESRCH;
	else if (kill(pf.pid, sig) != 0)
		kill_err = errno;
	if (kill_err != 0)
	{
		fprintf(stderr, "%s: could not send stop signal (PID %d): %s\n", progname, (int) pf.pid, strerror(kill_err));
		if (kill_err == ESRCH)
		{
			fprintf(stderr, "%s: the PID file is stale (left by a crash); the next start replaces it\n", progname);
			/* The broker is gone: its embedded catalog need not stay up. */
			if (CatalogIsEmbedded() && !for_restart)
			{
				setup_pg_user();
				stop_embedded_catalog(true);
			}
		}
		return 1;
	}
	if (!do_wait)
	{
		printf("server shutting down\n");
		if (CatalogIsEmbedded())
			fprintf(stderr, "%s: the embedded catalog keeps running until a stop that waits (-w)\n", progname);
		return 0;
	}
	printf("waiting for server to shut down...");
	fflush(stdout);
	deadline = time(NULL) + wait_seconds;
	/*
	 * Wait for the process to be gone; a clean exit has removed
	 * postmaster.pid by then (the pid file is only left by a crash).
	 */
	while (pid_alive(pf.pid))
	{
		if (time(NULL) >= deadline)
		{
			printf(" failed\n");
			fprintf(stderr, "%s: server does not shut down (waited %d seconds)\n", progname, wait_seconds);
			if (shutdown_mode == SHUTDOWN_SMART)
				fprintf(stderr, "HINT: the \"-m fast\" option disconnects clients instead of waiting for them to leave.\n");
			return 1;
		}
		usleep(100 * 1000);
	}
	printf(" done\nserver stopped\n");
	if (CatalogIsEmbedded() && !for_restart)
	{
		setup_pg_user();
		stop_embedded_catalog(true);
	}
	pfree(pidpath);
	return 0;
}

static int
do_restart(void)
{
	PidFile		pf;

	check_datadir(1);
	if (post_opts == NULL)
		load_saved_opts();
	if (read_pidfile(&pf) && pid_alive(pf.pid))
	{
		bool		w = do_wait;

		do_wait = true;
		if (do_stop(true) != 0)
			fail("could not stop the server; not restarting");
		do_wait = w;
	}
	else
		fprintf(stderr, "%s: PID file does not exist or the server is not running; starting server anyway\n", progname);
	return do_start();
}

static int
do_reload(void)
{
	PidFile		pf;

	check_datadir(1);
	if (!read_pidfile(&pf) || !pid_alive(pf.pid))
	{
		fprintf(stderr, "%s: no server running\n", progname);
		return 1;
	}
	if (kill(pf.pid, SIGHUP) != 0)
	{
		fprintf(stderr, "%s: could not send reload signal (PID %d): %s\n", progname, (int) pf.pid, strerror(errno));
		return 1;
	}
	printf("server signaled\n");
	return 0;
}

/* status: say whether the embedded catalog runs (nothing for an external one). */
static void
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

static int
do_status(void)
{
	PidFile		pf;
	char	   *path;
	FILE	   *f;

	check_datadir(EXIT_STATUS_NO_DATADIR);
	if (!read_pidfile(&pf) || !pid_alive(pf.pid))
	{
		printf("%s: no server running\n", progname);
		print_catalog_status();
		return EXIT_STATUS_NOT_RUNNING;
	}
	printf("%s: server is running (PID: %d)\n", progname, (int) pf.pid);
	printf("status: %s\n", pf.status[0] ? pf.status : "unknown");
	if (pf.listener[0])
		printf("listening on: %s\n", pf.listener);
	path = psprintf("/proc/%d/cmdline", (int) pf.pid);
	f = fopen(path, "r");
	if (f)
	{
		char		buf[4096];
		size_t		n = fread(buf, 1, sizeof(buf) - 1, f);

		fclose(f);
		buf[n] = '\0';
		for (size_t i = 0; i + 1 < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		printf("command: %s\n", buf);
	}
	pfree(path);
	print_catalog_status();
	return 0;
}

/* ---------- move ---------- */

/*
 * strata_ctl move TOPIC PARTITION BROKER: request the move (as
 * strata.move_partition() does) and, unless --no-wait, wait for the hand-off
 * to commit, woken by the catalog's NOTIFY on the partition.
 */
static int
do_move(int nargs, char **args)
{
	char		err[1024];
	PGconn	   *conn;
	char	   *end;
	long		partition,
				broker;
	int64		move_id;
	CatalogMoveRefusal refused;
	char		idbuf[24];
	const char *params[1] = {idbuf};
	time_t		deadline;

	if (nargs != 3)
		fail("move needs TOPIC PARTITION BROKER");
	partition = strtol(args[1], &end, 10);
	if (*end != '\0' || partition < 0 || partition > INT32_MAX)
		fail("invalid partition \"%s\"", args[1]);
	broker = strtol(args[2], &end, 10);
	if (*end != '\0' || broker < 0 || broker > INT32_MAX)
		fail("invalid broker id \"%s\"", args[2]);
	check_datadir(1);
	load_settings(true);
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL)
		fail("%s", err);
	if (!CatalogExecScript(conn, "LISTEN " CATALOG_CHANNEL_PARTITIONS, err, sizeof(err)) ||
		!CatalogMovePartition(conn, args[0], (int32) partition, (int32) broker, "strata_ctl",
							  &move_id, &refused, err, sizeof(err)))
	{
		PQfinish(conn);
		fail("%s", err);
	}
	if (move_id == 0)
	{
		printf("partition %ld of topic \"%s\" is already led by broker %ld\n", partition, args[0], broker);
		PQfinish(conn);
		return 0;
	}
	if (!do_wait)
	{
		printf("requested move %lld of partition %ld of topic \"%s\" to broker %ld\n",
			   (long long) move_id, partition, args[0], broker);
		PQfinish(conn);
		return 0;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) move_id);
	deadline = time(NULL) + wait_seconds;
	for (;;)
	{
		PGresult   *res = CatalogQuery(conn,
									   "SELECT state, from_broker, coalesce(duration_ms, 0) FROM strata.move_history WHERE id = $1::bigint"
									   " UNION ALL SELECT 'pending', from_broker, 0 FROM strata.moves_in_flight WHERE id = $1::bigint",
									   1, params, err, sizeof(err));
		PGnotify   *n;

		if (res == NULL)
			fail("%s", err);
		if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "done") == 0)
		{
			printf("moved partition %ld of topic \"%s\" from broker %s to broker %ld in %s ms\n",
				   partition, args[0], PQgetisnull(res, 0, 1) ? "(none)" : PQgetvalue(res, 0, 1),
				   broker, PQgetvalue(res, 0, 2));
			PQclear(res);
			break;
		}
		if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "pending") != 0)
		{
			PQclear(res);
			PQfinish(conn);
			fail("move %lld of partition %ld of topic \"%s\" was cancelled", (long long) move_id,
				 partition, args[0]);
		}
		PQclear(res);
		if (time(NULL) >= deadline)
		{
			PQfinish(conn);
			fail("move %lld is still in flight after %d s (see strata.moves_in_flight)",
				 (long long) move_id, wait_seconds);
		}
		/* Sleep until the catalog announces a partition change (or a second passes). */
		{
			struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};

			(void) poll(&pfd, 1, 1000);
			if (!PQconsumeInput(conn))
				fail("lost the catalog connection while waiting for the move");
			while ((n = PQnotifies(conn)) != NULL)
				PQfreemem(n);
		}
	}
	PQfinish(conn);
	return 0;
}

/* ---------- main ---------- */


static void
add_init_opt(const char *name, const char *value)
{
	if (n_init_opts >= (int) lengthof(init_opts))
		fail("too many options");
	init_opts[n_init_opts].name = name;
	init_opts[n_init_opts].value = pstrdup(value);
	n_init_opts++;
}

int
main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{"help", no_argument, NULL, '?'},
		{"version", no_argument, NULL, 'V'},
		{"pgdata", required_argument, NULL, 'D'},
		{"log", required_argument, NULL, 'l'},
		{"options", required_argument, NULL, 'o'},
		{"mode", required_argument, NULL, 'm'},
		{"timeout", required_argument, NULL, 't'},
		{"wait", no_argument, NULL, 'w'},
		{"no-wait", no_argument, NULL, 'W'},
		{"broker-id", required_argument, NULL, 1},
		{"listeners", required_argument, NULL, 2},
		{"catalog", required_argument, NULL, 3},
		{"object-store", required_argument, NULL, 4},
		{"wal-size", required_argument, NULL, 5},
		{NULL, 0, NULL, 0}
	};
	const char *command = NULL;
	const char *env;
	int			c;

	/* The settings and catalog code log through elog; keep it quiet here. */
	MyProcKindName = "strata_ctl";
	/* strata.conf may hold a catalog password: everything we create is private. */
	umask(077);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0))
	{
		usage(stdout);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
	{
		printf("strata_ctl (Strata) %s\n", PACKAGE_VERSION);
		return 0;
	}

	while (optind < argc)
	{
		while ((c = getopt_long(argc, argv, "D:l:o:m:t:wWs", long_options, NULL)) != -1)
		{
			switch (c)
			{
				case 'D':
					datadir = make_absolute(optarg);
					break;
				case 'l':
					logfile = make_absolute(optarg);
					break;
				case 'o':
					post_opts = post_opts ? psprintf("%s %s", post_opts, optarg) : pstrdup(optarg);
					break;
				case 'm':
					if (strcmp(optarg, "s") == 0 || strcmp(optarg, "smart") == 0)
						shutdown_mode = SHUTDOWN_SMART;
					else if (strcmp(optarg, "f") == 0 || strcmp(optarg, "fast") == 0)
						shutdown_mode = SHUTDOWN_FAST;
					else if (strcmp(optarg, "i") == 0 || strcmp(optarg, "immediate") == 0)
						shutdown_mode = SHUTDOWN_IMMEDIATE;
					else
						fail("unrecognized shutdown mode \"%s\" (use smart, fast or immediate)", optarg);
					break;
				case 't':
					{
						char	   *end;
						long		v = strtol(optarg, &end, 10);

						if (*end || v <= 0 || v > 86400)
							fail("invalid timeout \"%s\" (seconds, 1 to 86400)", optarg);
						wait_seconds = (int) v;
					}
					break;
				case 'w':
					do_wait = true;
					break;
				case 'W':
					do_wait = false;
					break;
				case 's':
					break;
				case 1:
					add_init_opt("broker_id", optarg);
					break;
				case 2:
					add_init_opt("listeners", optarg);
					break;
				case 3:
					add_init_opt("catalog", optarg);
					break;
				case 4:
					add_init_opt("object_store", optarg);
					break;
				case 5:
					add_init_opt("wal_size", optarg);
					break;
				case 'V':
					printf("strata_ctl (Strata) %s\n", PACKAGE_VERSION);
					return 0;
				case '?':
				default:
					fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
					return 1;
			}
		}
		/*
		 * getopt_long has moved every non-option after the options: the
		 * command, then its arguments, in their order.
		 */
		while (optind < argc)
		{
			if (command == NULL)
				command = argv[optind++];
			else if (ncmd_args < (int) lengthof(cmd_args))
				cmd_args[ncmd_args++] = argv[optind++];
			else
				fail("too many command-line arguments (first is \"%s\")", argv[optind]);
		}
	}
	if (command == NULL)
	{
		fprintf(stderr, "%s: no operation specified\nTry \"%s --help\" for more information.\n",
				progname, progname);
		return 1;
	}
	if (datadir == NULL && (env = getenv("STRATA_DATA")) != NULL && env[0])
		datadir = make_absolute(env);
	if (datadir == NULL)
	{
		fprintf(stderr, "%s: no data directory specified (use -D or set STRATA_DATA)\n", progname);
		return strcmp(command, "status") == 0 ? EXIT_STATUS_NO_DATADIR : 1;
	}
	/* Strip trailing slashes so derived paths read well. */
	while (strlen(datadir) > 1 && datadir[strlen(datadir) - 1] == '/')
		datadir[strlen(datadir) - 1] = '\0';
	if (n_init_opts > 0 && strcmp(command, "init") != 0)
		fail("--broker-id, --listeners, --catalog, --object-store and --wal-size go with init only");

	if (strcmp(command, "init") == 0)
		return do_init();
	if (strcmp(command, "start") == 0)
		return do_start();
	if (strcmp(command, "stop") == 0)
		return do_stop(false);
	if (strcmp(command, "restart") == 0)
		return do_restart();
	if (strcmp(command, "reload") == 0)
		return do_reload();
	if (strcmp(command, "status") == 0)
		return do_status();
	if (strcmp(command, "move") == 0)
		return do_move(ncmd_args, cmd_args);
	if (ncmd_args > 0)
		fail("too many command-line arguments (first is \"%s\")", cmd_args[0]);
	fprintf(stderr, "%s: unrecognized operation \"%s\"\nTry \"%s --help\" for more information.\n",
			progname, command, progname);
	return 1;
}
