/*-------------------------------------------------------------------------
 *
 * elog.h
 *	  Error reporting and logging.
 *
 *	  elog(level, fmt, ...) writes one line to the server log (stderr, which
 *	  strata_ctl -l points at a file), prefixed with the time, the pid and the
 *	  kind of process: "2026-11-25 12:00:00.123 UTC [4242] wal writer LOG: ...".
 *
 *	  ERROR aborts the current unit of work: if the process has set up a
 *	  recovery point with PG_TRY-style error handling (elog_set_jmp), control
 *	  returns there; otherwise ERROR behaves like FATAL.  FATAL ends this
 *	  process with exit(1) (a clean exit: the postmaster does not treat it as a
 *	  crash).  PANIC aborts the process (abnormal exit), which makes the
 *	  postmaster reinitialise shared memory, as PostgreSQL does.
 *
 * include/utils/elog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_ELOG_H
#define STRATA_ELOG_H

#include "c.h"
#include <setjmp.h>

#define DEBUG2		10
#define DEBUG1		11
#define LOG			15
#define INFO		16
#define NOTICE		17
#define WARNING		19
#define ERROR		21
#define FATAL		22
#define PANIC		23

extern void elog(int level, const char *fmt, ...) pg_attribute_printf(2, 3);
/*
 * elog_finish_noreturn exists only so the compiler knows FATAL/PANIC calls
 * do not return; use elog_fatal() where that matters for flow analysis.
 */
extern void elog_fatal(const char *fmt, ...) pg_attribute_printf(1, 2) pg_attribute_noreturn();

/* Minimum level written to the log (the log_min_messages setting). */
extern int	log_min_messages;

/* Name of this process's kind, shown in every log line ("postmaster", ...). */
extern const char *MyProcKindName;

/* Set once at process start: the pid that log lines show. */
extern pid_t MyProcPid;

/*
 * ERROR recovery point.  A process that wants to survive an ERROR does
 *
 *		sigjmp_buf local;
 *		if (sigsetjmp(local, 1) != 0) { ...clean up after the error... }
 *		elog_exception_stack = &local;
 *
 * The message of the last ERROR is kept in elog_last_error.
 */
extern sigjmp_buf *elog_exception_stack;
extern char elog_last_error[1024];

/* Parse/print a level name ("debug2" ... "panic"); -1 if unknown. */
extern int	elog_level_from_name(const char *name);
extern const char *elog_level_name(int level);

/*
 * Called instead of exit(1) by FATAL: a child process sets it to proc_exit
 * so that a FATAL exit counts as clean (it releases the process slot).
 */
extern void (*elog_exit_hook) (int code);

/* Redirect the log to a file descriptor (used after daemonising). */
extern void elog_set_fd(int fd);

#endif							/* STRATA_ELOG_H */
