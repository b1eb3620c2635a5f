/*-------------------------------------------------------------------------
 *
 * strata_ctl.h
 *	  Declarations shared by the files of strata_ctl:
 *
 *	  strata_ctl.c   options, main, and what every command uses (running
 *	                 programs, postmaster.pid, the settings)
 *	  ctl_init.c     init: the data directory, strata.conf, the WAL file
 *	  ctl_server.c   start, stop, restart, reload, status
 *	  ctl_catalog.c  the embedded catalog's PostgreSQL (its binaries, its
 *	                 unprivileged user, initdb, pg_ctl) or an external one
 *	  ctl_user.c     user add, remove, list: SCRAM users in the catalog
 *
 *	  strata_ctl is a single-threaded command: no locks anywhere.
 *
 * src/bin/strata_ctl/strata_ctl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CTL_H
#define STRATA_CTL_H

#include "c.h"

#include <sys/types.h>

#define PG_USER			"strata"
#define EXIT_STATUS_NOT_RUNNING	3
#define EXIT_STATUS_NO_DATADIR	4

typedef enum ShutdownMode
{
	SHUTDOWN_SMART,
	SHUTDOWN_FAST,
	SHUTDOWN_IMMEDIATE
} ShutdownMode;

/* init options: setting name and value, in the order given. */
typedef struct InitOpt
{
	const char *name;
	char	   *value;
} InitOpt;

/* What postmaster.pid says (doc/architecture.md). */
typedef struct PidFile
{
	pid_t		pid;
	char		status[32];
	char		listener[256];
} PidFile;

/* ---- the command line (strata_ctl.c) ---- */
extern const char *progname;
extern char *datadir;			/* absolute, no trailing slash */
extern char *logfile;			/* absolute, or NULL */
extern char *post_opts;			/* -o, concatenated */
extern bool do_wait;
extern int	wait_seconds;
extern ShutdownMode shutdown_mode;
extern InitOpt init_opts[16];
extern int	n_init_opts;
extern char *cmd_args[3];
extern int	ncmd_args;
extern char *user_mechanism;	/* user add --mechanism */
extern int	user_iterations;	/* user add --iterations */

/* ---- helpers (strata_ctl.c) ---- */

/* Print "strata_ctl: message" to stderr and exit(1). */
extern void fail(const char *fmt,...) pg_attribute_printf(1, 2) pg_attribute_noreturn();
extern bool file_exists(const char *path);
extern bool is_executable(const char *path);
/* The strata server beside this strata_ctl, else "strata" from PATH. */
extern char *find_strata(void);

/*
 * Run argv, waiting for it; with as_pg, as the PostgreSQL user.  Output
 * goes to outfile (appended) when given, else to our stdout/stderr.
 * Returns the exit status, or -1 if it did not exit normally.
 */
extern int	run_program(char *const argv[], bool as_pg, const char *outfile);
/* fork() after flushing our output; fails (exits) if it cannot. */
extern pid_t fork_or_fail(void);
/* In a child about to exec: stdout and stderr to path, or _exit(exit_code). */
extern void child_output_to(const char *path, const char *what, int exit_code);
/* Print the last n lines of a file to stderr. */
extern void print_tail(const char *path, int n);

extern char *pidfile_path(void);
/* Read postmaster.pid; false if it does not exist or is unreadable. */
extern bool read_pidfile(PidFile *pf);
extern bool pid_alive(pid_t pid);

extern char *conf_path(void);
/* Split -o's options into words (shell-like quoting); palloc'd. */
extern char **split_options(const char *s, int *count);
/*
 * Load the settings as the server will see them (strata.conf, then -o's -c
 * options), to learn which catalog this data directory uses.
 */
extern void load_settings(bool strict);

/* ---- the commands ---- */
extern int	do_init(void);			/* ctl_init.c */
extern int	do_start(void);			/* ctl_server.c */
extern int	do_stop(bool for_restart);
extern int	do_restart(void);
extern int	do_reload(void);
extern int	do_status(void);
extern int	do_move(int nargs, char **args);	/* ctl_cluster.c */
extern int	do_user(int nargs, char **args);	/* ctl_user.c */
extern void check_datadir(int code);

/* ---- the catalog's PostgreSQL (ctl_catalog.c) ---- */

/* Who runs the embedded PostgreSQL: ourselves, or PG_USER when we are root. */
extern bool pg_as_other_user;
extern uid_t pg_uid;
extern gid_t pg_gid;
extern char *pg_bindir;

/* Where initdb, pg_ctl and postgres are (fails if nowhere). */
extern const char *find_pg_bindir(void);
/* When we are root: the system user PG_USER, created when missing. */
extern void setup_pg_user(void);
/* In a child: become the PostgreSQL user if we must. */
extern void become_pg_user(void);
/* In a child that became the user: check it can reach dir (fails if not). */
extern void check_pg_user_traverse(const char *dir);
/* Start the embedded PostgreSQL unless it runs; true if we started it. */
extern bool start_embedded_catalog(void);
extern void stop_embedded_catalog(bool quiet_if_down);
/* init: create and start the embedded cluster and apply the migrations. */
extern void init_embedded_catalog(void);
/* init: check an external catalog and apply the migrations. */
extern void init_external_catalog(void);
/* status: say whether the embedded catalog runs (nothing for an external one). */
extern void print_catalog_status(void);

#endif							/* STRATA_CTL_H */
