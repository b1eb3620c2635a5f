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
 *	  strata_ctl user add|remove|list -D DATADIR [NAME] [--mechanism M] [--iterations N]
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
 *	  This file holds the options, main, and what every command uses; each
 *	  command's steps are in ctl_init.c, ctl_server.c and ctl_catalog.c
 *	  (see strata_ctl.h).
 *
 * src/bin/strata_ctl/strata_ctl.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/sanitizer.h"

#include "strata_ctl.h"

const char *progname = "strata_ctl";
char	   *datadir = NULL;
char	   *logfile = NULL;
char	   *post_opts = NULL;
bool		do_wait = true;
int			wait_seconds = 60;
ShutdownMode shutdown_mode = SHUTDOWN_FAST;
InitOpt		init_opts[16];
int			n_init_opts = 0;

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
			"  %s move    -D DATADIR TOPIC PARTITION BROKER [-w|-W] [-t SECS]\n"
			"  %s user    add|remove|list -D DATADIR [NAME] [--mechanism=M] [--iterations=N]\n\n"
			"Options:\n"
			"  -D DATADIR     data directory (or the STRATA_DATA environment variable)\n"
			"  -l LOGFILE     server log (default DATADIR/log/strata.log)\n"
			"  -o OPTIONS     options for the strata server, e.g. \"-c log_min_messages=debug1\"\n"
			"  -w, -W         wait (the default) or do not wait for the operation to finish\n"
			"  -t SECS        seconds to wait (default 60)\n"
			"  -m MODE        shutdown mode: smart, fast (default) or immediate\n"
			"  --mechanism=M  user add: SCRAM-SHA-256 or SCRAM-SHA-512 only (default both)\n"
			"  --iterations=N user add: SCRAM iterations, 4096 (default) to 16384\n\n"
			"Exit status: 0 success, 1 failure; for status 0 running, 3 not running,\n"
			"4 no or invalid data directory.\n",
			progname, progname, progname, progname, progname, progname, progname, progname,
			progname);
}

void
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

bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool
is_executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* The strata server beside this strata_ctl, else "strata" from PATH. */
char *
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

/*
 * fork(), with our buffered output flushed first (so the child does not
 * write it again); fails (exits) if it cannot.
 */
pid_t
fork_or_fail(void)
{
	pid_t		pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail("fork failed: %s", strerror(errno));
	return pid;
}

/*
 * In a child about to exec: send stdout and stderr to path (appended),
 * or _exit(exit_code) saying why ("could not open <what>\"path\"").
 */
void
child_output_to(const char *path, const char *what, int exit_code)
{
	int			fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (fd < 0)
	{
		fprintf(stderr, "%s: could not open %s\"%s\": %s\n", progname, what, path, strerror(errno));
		_exit(exit_code);
	}
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

/*
 * Run argv, waiting for it; with as_pg, as the PostgreSQL user.  Output goes
 * to outfile (appended) when given, else to our stdout/stderr.  Returns the
 * exit status, or -1 if it did not exit normally.
 */
int
run_program(char *const argv[], bool as_pg, const char *outfile)
{
	pid_t		pid;
	int			status;

	pid = fork_or_fail();
	if (pid == 0)
	{
		if (outfile)
			child_output_to(outfile, "", 127);
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
void
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


char *
pidfile_path(void)
{
	return psprintf("%s/postmaster.pid", datadir);
}

/* Read postmaster.pid; false if it does not exist or is unreadable. */
bool
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
bool
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

char *
conf_path(void)
{
	return psprintf("%s/strata.conf", datadir);
}

/*
 * Split -o's text the way a shell would (quotes and backslashes), into a
 * NULL-terminated palloc'd array.
 */
char **
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
void
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


static void
add_init_opt(const char *name, const char *value)
{
	if (n_init_opts >= (int) lengthof(init_opts))
		fail("too many options");
	init_opts[n_init_opts].name = name;
	init_opts[n_init_opts].value = pstrdup(value);
	n_init_opts++;
}

/*
 * Parse the command line into the globals of strata_ctl.h and *command (the
 * operation, which may come before, between or after the options).
 * --version exits; false (after a hint on stderr) for a bad option.
 */
static bool
parse_options(int argc, char *argv[], const char **command)
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
		{"mechanism", required_argument, NULL, 6},
		{"iterations", required_argument, NULL, 7},
		{NULL, 0, NULL, 0}
	};
	int			c;

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
				case 6:
					user_mechanism = pstrdup(optarg);
					break;
				case 7:
					{
						char	   *end;
						long		v = strtol(optarg, &end, 10);

						if (*end || v <= 0 || v > INT_MAX)
							fail("invalid --iterations \"%s\"", optarg);
						user_iterations = (int) v;
					}
					break;
				case 'V':
					printf("strata_ctl (Strata) %s\n", PACKAGE_VERSION);
					exit(0);
				case '?':
				default:
					fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
					return false;
			}
		}
		/*
		 * getopt_long has moved every non-option after the options: the
		 * command, then its arguments, in their order.
		 */
		while (optind < argc)
		{
			if (*command == NULL)
				*command = argv[optind++];
			else if (ncmd_args < (int) lengthof(cmd_args))
				cmd_args[ncmd_args++] = argv[optind++];
			else
				fail("too many command-line arguments (first is \"%s\")", argv[optind]);
		}
	}
	return true;
}

/* Arguments after the command (move TOPIC PARTITION BROKER; user add NAME). */
char	   *cmd_args[3];
int			ncmd_args = 0;

int
main(int argc, char *argv[])
{
	const char *command = NULL;
	const char *env;

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

	if (!parse_options(argc, argv, &command))
		return 1;
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
	if (strcmp(command, "user") == 0)
		return do_user(ncmd_args, cmd_args);
	if (ncmd_args > 0)
		fail("too many command-line arguments (first is \"%s\")", cmd_args[0]);
	fprintf(stderr, "%s: unrecognized operation \"%s\"\nTry \"%s --help\" for more information.\n",
			progname, command, progname);
	return 1;
}
