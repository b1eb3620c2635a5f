/*-------------------------------------------------------------------------
 *
 * ctl_server.c
 *	  strata_ctl start, stop, restart, reload and status: the broker's
 *	  process (and the embedded catalog's around it), found through
 *	  postmaster.pid and signalled as pg_ctl signals PostgreSQL.
 *
 * src/bin/strata_ctl/ctl_server.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "utils/guc.h"

#include "strata_ctl.h"

void
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

int
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

	pid = fork_or_fail();
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
		child_output_to(log, "log file ", 1);
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

int
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

int
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

int
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

int
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
