/*-------------------------------------------------------------------------
 *
 * interrupt.c
 *	  Signal handling common to every child process (see interrupt.h).
 *
 * src/backend/postmaster/interrupt.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <signal.h>
#include <unistd.h>

#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/spin.h"
#include "storage/wal.h"
#include "utils/elog.h"
#include "utils/guc.h"

volatile sig_atomic_t ShutdownRequestPending = false;
volatile sig_atomic_t ConfigReloadPending = false;
volatile sig_atomic_t HandoffRequestPending = false;

static void
wake_self(void)
{
	int			save_errno = errno;

	if (MyLatch != NULL)
		SetLatch(MyLatch);
	errno = save_errno;
}

static void
handle_shutdown_request(int signo)
{
	ShutdownRequestPending = true;
	wake_self();
}

static void
handle_reload_request(int signo)
{
	ConfigReloadPending = true;
	wake_self();
}

static void
handle_handoff_request(int signo)
{
	HandoffRequestPending = true;
	wake_self();
}

static void
handle_poke(int signo)
{
	wake_self();
}

/*
 * Quick die: the postmaster wants every child gone now, because it is
 * shutting down immediately or because another process crashed and shared
 * memory may be corrupt.  Touch nothing shared; _exit skips atexit hooks.
 * Status 2 tells the postmaster this was no clean exit.
 */
static void
handle_quickdie(int signo)
{
	sigset_t	mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	_exit(2);
}

static void
set_handler(int signo, void (*handler) (int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(signo, &sa, NULL);
}

void
SetupChildSignalHandlers(void)
{
	sigset_t	mask;

	set_handler(SIGTERM, handle_shutdown_request);
	set_handler(SIGINT, SIG_IGN);
	set_handler(SIGHUP, handle_reload_request);
	set_handler(SIGQUIT, handle_quickdie);
	set_handler(SIGUSR1, handle_poke);
	set_handler(SIGUSR2, handle_handoff_request);
	set_handler(SIGPIPE, SIG_IGN);
	set_handler(SIGCHLD, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

void
ProcessConfigReloadIfPending(void)
{
	char	   *path;

	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	path = psprintf("%s/strata.conf", DataDir);
	GucReload(path);
	pfree(path);
}

void
proc_exit(int code)
{
	if (SMutexHeldCount > 0)
	{
		/* Leaving a shared lock held would hang everybody: crash instead. */
		elog(LOG, "process exiting while holding %d shared lock(s); forcing a restart of all processes",
			 SMutexHeldCount);
		_exit(2);
	}
	/* Appends this process never waited for must still reach the device. */
	WalKickWriter();
	/* Ring space it pinned for a send (a fetch) may be reused again. */
	LogCacheUnpin();
	ProcSlotDeactivate();
	exit(code);
}
