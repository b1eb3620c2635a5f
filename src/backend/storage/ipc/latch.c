/*-------------------------------------------------------------------------
 *
 * latch.c
 *	  Latches in shared memory (see storage/latch.h for the discipline).
 *
 *	  The latch word is_set doubles as a futex: a process waiting on its latch
 *	  alone sleeps in FUTEX_WAIT on it, and SetLatch wakes it with FUTEX_WAKE.
 *	  A process that must also watch a socket sleeps in poll(); SetLatch then
 *	  sends it SIGURG, which is blocked and read through a signalfd, so no
 *	  signal handler and no EINTR are involved.
 *
 *	  Ordering: the waiter publishes "waiting" and then re-reads is_set; the
 *	  setter writes is_set and then reads "waiting".  Both are sequentially
 *	  consistent atomics, so at least one side sees the other's write and a
 *	  wakeup is never lost.
 *
 * src/backend/storage/ipc/latch.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/timestamp.h"

Latch	   *MyLatch = NULL;
int			postmaster_alive_fds[2] = {-1, -1};

static int	signal_fd = -1;

#define LATCH_WAIT_NONE	 0
#define LATCH_WAIT_FUTEX 1
#define LATCH_WAIT_POLL	 2

void
InitSharedLatch(Latch *latch)
{
	latch->is_set = 0;
	latch->waiting = LATCH_WAIT_NONE;
	latch->owner_pid = 0;
}

void
OwnLatch(Latch *latch)
{
	__atomic_store_n(&latch->owner_pid, getpid(), __ATOMIC_SEQ_CST);
}

void
DisownLatch(Latch *latch)
{
	__atomic_store_n(&latch->owner_pid, 0, __ATOMIC_SEQ_CST);
}

void
InitLatchSupport(void)
{
	sigset_t	mask;

	if (signal_fd >= 0)
		close(signal_fd);
	sigemptyset(&mask);
	sigaddset(&mask, SIGURG);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_fd < 0)
		elog(FATAL, "signalfd failed: %s", strerror(errno));
}

void
SetLatch(Latch *latch)
{
	uint32		waiting;

	if (__atomic_load_n(&latch->is_set, __ATOMIC_SEQ_CST))
		return;
	__atomic_store_n(&latch->is_set, 1, __ATOMIC_SEQ_CST);
	waiting = __atomic_load_n(&latch->waiting, __ATOMIC_SEQ_CST);
	if (waiting == LATCH_WAIT_FUTEX)
		futex_wake(&latch->is_set, 1);
	else if (waiting == LATCH_WAIT_POLL)
	{
		pid_t		owner = __atomic_load_n(&latch->owner_pid, __ATOMIC_SEQ_CST);

		if (owner > 0)
			kill(owner, SIGURG);
	}
}

void
ResetLatch(Latch *latch)
{
	__atomic_store_n(&latch->is_set, 0, __ATOMIC_SEQ_CST);
}

static void
drain_signal_fd(void)
{
	struct signalfd_siginfo info[8];

	while (read(signal_fd, info, sizeof(info)) > 0)
		;
}

bool
PostmasterIsAlive(void)
{
	char		c;
	ssize_t		n;

	if (postmaster_alive_fds[0] < 0)
		return true;
	n = read(postmaster_alive_fds[0], &c, 1);
	/* The write end is never written: EOF means the postmaster is gone. */
	return !(n == 0);
}

int
WaitLatch(Latch *latch, int events, long timeout_ms)
{
	int64		deadline = 0;

	if (!(events & WL_TIMEOUT))
		timeout_ms = -1;
	else
		deadline = MonotonicMs() + timeout_ms;

	for (;;)
	{
		long		remaining = -1;
		int			rc;

		if (events & WL_TIMEOUT)
		{
			remaining = (long) (deadline - MonotonicMs());
			if (remaining <= 0)
				return WL_TIMEOUT;
		}
		__atomic_store_n(&latch->waiting, LATCH_WAIT_FUTEX, __ATOMIC_SEQ_CST);
		if ((events & WL_LATCH_SET) && __atomic_load_n(&latch->is_set, __ATOMIC_SEQ_CST))
		{
			__atomic_store_n(&latch->waiting, LATCH_WAIT_NONE, __ATOMIC_SEQ_CST);
			return WL_LATCH_SET;
		}
		rc = futex_wait(&latch->is_set, 0, remaining);
		__atomic_store_n(&latch->waiting, LATCH_WAIT_NONE, __ATOMIC_SEQ_CST);
		(void) rc;
		if ((events & WL_LATCH_SET) && __atomic_load_n(&latch->is_set, __ATOMIC_SEQ_CST))
			return WL_LATCH_SET;
		if ((events & (WL_POSTMASTER_DEATH | WL_EXIT_ON_PM_DEATH)) && !PostmasterIsAlive())
		{
			if (events & WL_EXIT_ON_PM_DEATH)
				_exit(1);
			return WL_POSTMASTER_DEATH;
		}
	}
}

int
WaitLatchOrSocket(Latch *latch, int events, int sock, long timeout_ms)
{
	struct pollfd pfd[3];
	int			npfd = 0;
	int			sock_idx = -1,
				pm_idx = -1,
				sig_idx;
	int			result = 0;

	if (!(events & WL_TIMEOUT))
		timeout_ms = -1;

	Ensure(signal_fd >= 0);
	pfd[npfd].fd = signal_fd;
	pfd[npfd].events = POLLIN;
	sig_idx = npfd++;
	if (sock >= 0 && (events & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE)))
	{
		pfd[npfd].fd = sock;
		pfd[npfd].events = ((events & WL_SOCKET_READABLE) ? POLLIN : 0) |
			((events & WL_SOCKET_WRITEABLE) ? POLLOUT : 0);
		sock_idx = npfd++;
	}
	if ((events & (WL_POSTMASTER_DEATH | WL_EXIT_ON_PM_DEATH)) && postmaster_alive_fds[0] >= 0)
	{
		pfd[npfd].fd = postmaster_alive_fds[0];
		pfd[npfd].events = POLLIN;
		pm_idx = npfd++;
	}

	__atomic_store_n(&latch->waiting, LATCH_WAIT_POLL, __ATOMIC_SEQ_CST);
	if ((events & WL_LATCH_SET) && __atomic_load_n(&latch->is_set, __ATOMIC_SEQ_CST))
	{
		__atomic_store_n(&latch->waiting, LATCH_WAIT_NONE, __ATOMIC_SEQ_CST);
		return WL_LATCH_SET;
	}
	for (;;)
	{
		int			rc = poll(pfd, npfd, (int) timeout_ms);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			elog(FATAL, "poll failed: %s", strerror(errno));
		break;
	}
	__atomic_store_n(&latch->waiting, LATCH_WAIT_NONE, __ATOMIC_SEQ_CST);

	if (pfd[sig_idx].revents)
		drain_signal_fd();
	if ((events & WL_LATCH_SET) && __atomic_load_n(&latch->is_set, __ATOMIC_SEQ_CST))
		result |= WL_LATCH_SET;
	if (sock_idx >= 0 && pfd[sock_idx].revents)
	{
		if (pfd[sock_idx].revents & (POLLIN | POLLHUP | POLLERR))
			result |= (events & WL_SOCKET_READABLE);
		if (pfd[sock_idx].revents & (POLLOUT | POLLHUP | POLLERR))
			result |= (events & WL_SOCKET_WRITEABLE);
	}
	if (pm_idx >= 0 && pfd[pm_idx].revents && !PostmasterIsAlive())
	{
		if (events & WL_EXIT_ON_PM_DEATH)
			_exit(1);
		result |= WL_POSTMASTER_DEATH;
	}
	if (result == 0 && (events & WL_TIMEOUT))
		result = WL_TIMEOUT;
	return result;
}
