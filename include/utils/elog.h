/*-------------------------------------------------------------------------
 *
 * elog.h
 *	  Error reporting and logging.
 *
 *	  elog(level, fmt, ...) writes one line to the server log (stderr, which
 *	  strata_ctl -l points at a file), prefixed with the time, the pid and the
 *	  kind of process: "2026-11-25 12:00:00.123 UTC [4242] wal writer LOG: ...".
 *
 *	  ERROR abandons the current unit of work: the line is logged, and
 *	  control returns with siglongjmp to the process's recovery point
 *	  (elog_exception_stack), which releases what the work held and goes on.
 *	  A backend's recovery point is its request loop (kafka/backend.c): the
 *	  request is answered with UNKNOWN_SERVER_ERROR, or its connection
 *	  closed where the response has no error code to say so, and the
 *	  backend serves the next request.  A process without a recovery point
 *	  -- every auxiliary process, and the postmaster -- treats ERROR like
 *	  FATAL: it exits, and the postmaster starts an auxiliary process again
 *	  within a second (doc/architecture.md lists what each one does then).
 *
 *	  FATAL ends this process with exit(1) (a clean exit: the postmaster does
 *	  not treat it as a crash).  PANIC aborts the process (abnormal exit),
 *	  which makes the postmaster reinitialise shared memory, as PostgreSQL
 *	  does.
 *
 *	  The rule: never raise ERROR -- nor call what can, such as palloc or the
 *	  response allocators of kafka/handlers.h -- while holding an SMutex or
 *	  a spinlock (storage/spin.h).  Nothing releases a shared lock when an
 *	  ERROR unwinds, and the state it protects may be half-changed, so such
 *	  an ERROR cannot be recovered from: the recovery point and proc_exit
 *	  see SMutexHeldCount > 0 and exit as a crash (status 2), and the
 *	  postmaster reinitialises shared memory -- PostgreSQL's ERROR in a
 *	  critical section, promoted to PANIC.  Code that builds a response
 *	  under a lock collects its allocations without raising
 *	  (KafkaLockedBuild) and raises after releasing the lock.
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
 * ERROR recovery point.  A process that wants to survive an ERROR does,
 * once, before its main loop
 *
 *		sigjmp_buf local;
 *		if (sigsetjmp(local, 1) != 0) { ...clean up after the error... }
 *		elog_exception_stack = &local;
 *
 * Locals changed after sigsetjmp are not to be trusted after the jump:
 * keep the loop's state in static variables.  The message of the last
 * ERROR is kept in elog_last_error.
 */
extern sigjmp_buf *elog_exception_stack;
extern char elog_last_error[1024];

/* A level's name as printed ("DEBUG2" ... "PANIC"); settings parse them with guc_tables.c. */
extern const char *elog_level_name(int level);

/*
 * Called instead of exit(1) by FATAL: a child process sets it to proc_exit
 * so that a FATAL exit counts as clean (it releases the process slot).
 */
extern void (*elog_exit_hook) (int code);

/* Redirect the log to a file descriptor (used after daemonising). */
extern void elog_set_fd(int fd);

#endif							/* STRATA_ELOG_H */
