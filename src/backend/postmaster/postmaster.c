/*-------------------------------------------------------------------------
 *
 * postmaster.c
 *	  The postmaster: parent of every process of one Strata broker.
 *
 *	  It reads the settings, takes the data directory's lock
 *	  (postmaster.pid), checks the catalog, creates shared memory, opens the
 *	  listening sockets and starts the auxiliary processes (WAL writer,
 *	  uploader, catalog worker, balancer, and the metrics exporter when
 *	  metrics_listen is set).  Then it loops: it accepts
 *	  connections and forks one backend for each, reaps children, and
 *	  restarts an auxiliary process that exits.
 *
 *	  As in PostgreSQL, the postmaster itself never touches the contents of
 *	  shared memory beyond the process slots and signal flags: a child that
 *	  scribbles on shared memory or dies holding a lock cannot take the
 *	  postmaster down with it.  When a child that is attached to shared
 *	  memory exits abnormally (a signal, an exit status other than 0 or 1, or
 *	  without having released its process slot), the postmaster sends
 *	  SIGQUIT to every other child, waits for all of them to go (SIGKILL
 *	  after SIGKILL_CHILDREN_AFTER_SECS), throws the segment away, creates a
 *	  new one and starts the auxiliary processes again; the WAL writer
 *	  recovers the WAL into it.  restart_after_crash = off stops instead.
 *
 *	  Shutdown modes only escalate: SIGTERM smart (stop accepting, wait for
 *	  clients to leave), SIGINT fast (tell the backends to stop now),
 *	  SIGQUIT immediate (SIGQUIT everybody, no flush).  After the backends
 *	  are gone, the uploader, catalog worker and balancer are told to stop,
 *	  and the WAL writer last, so that everything acknowledged is on disk.
 *
 *	  Signal handlers only record the signal and write a byte to a
 *	  self-pipe; ServerLoop does the work in normal context.
 *
 * src/backend/postmaster/postmaster.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/catalog_brokers.h"
#include "kafka/backend.h"
#include "kafka/sasl.h"
#include "kafka/secure.h"
#include "postmaster/balancer.h"
#include "postmaster/catalogworker.h"
#include "postmaster/interrupt.h"
#include "postmaster/ipci.h"
#include "postmaster/metricsexporter.h"
#include "postmaster/offsetcommitter.h"
#include "postmaster/pmsignal.h"
#include "postmaster/postmaster.h"
#include "postmaster/uploader.h"
#include "postmaster/walwriter.h"
#include "storage/latch.h"
#include "storage/objstore.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/listeners.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

#define SIGKILL_CHILDREN_AFTER_SECS 5
#define MAX_LISTEN_SOCKETS 16
/* An auxiliary process is not restarted more often than this. */
#define AUX_RESTART_DELAY_MS 1000

typedef enum PMState
{
	PM_STARTUP,					/* aux processes started, WAL recovery running */
	PM_RUN,						/* accepting connections */
	PM_HANDOFF,					/* stopping: handing partitions to other brokers */
	PM_STOP_BACKENDS,			/* shutdown: waiting for backends to exit */
	PM_STOP_AUX,				/* waiting for uploader, catalog worker, balancer */
	PM_STOP_WALWRITER,			/* waiting for the WAL writer's final flush */
	PM_WAIT_DEAD_END,			/* crash or immediate stop: waiting for all to die */
	PM_NO_CHILDREN				/* everybody gone: exit */
} PMState;

typedef enum ShutdownMode
{
	NoShutdown = 0,
	SmartShutdown,
	FastShutdown,
	ImmediateShutdown
} ShutdownMode;

typedef struct ChildProc
{
	pid_t		pid;
	int			slot;
	ProcKind	kind;
	char		client_host[NI_MAXHOST];	/* a backend's client's address */
} ChildProc;

static ChildProc *children;
static int	nchildren;
static int	maxchildren;

static PMState pmState = PM_STARTUP;
static ShutdownMode Shutdown = NoShutdown;
static bool FatalError = false;
static int64 AbortStartTime = 0;	/* when SIGQUIT/SIGTERM went out */
static bool StragglersKilled = false;
static bool StartupFailed = false;
/* Fenced: restart as a new incarnation (register again) once all are gone. */
static bool Reregister = false;
/* When a stop's hand-off started (0: none in progress). */
static int64 HandoffStartTime = 0;
static int64 ReregisterNextTry = 0;

/*
 * The broker opens for business once the WAL is recovered and the topic
 * registry is loaded: before that a produce could not be placed.  Both
 * happen again after a crash restart, into the new shared memory.
 */
static bool wal_ready = false;
static bool topics_loaded = false;

/* Per auxiliary kind: should it be running, and when it last started. */
static int64 aux_last_start[NUM_AUX_PROCS];

static int	listen_socks[MAX_LISTEN_SOCKETS];
static char *listen_names[MAX_LISTEN_SOCKETS];
static ListenerProtocol listen_protocols[MAX_LISTEN_SOCKETS];
static bool have_tls_listener = false;
static int	nlisten = 0;

/* The metrics endpoint's socket, -1 when metrics_listen is off. */
static int	metrics_sock = -1;

static int	selfpipe[2] = {-1, -1};
static int	pidfile_fd = -1;
static char *pidfile_path;
static char *conffile_path;
static char *first_listener = "";

static volatile sig_atomic_t pending_shutdown = NoShutdown;
static volatile sig_atomic_t pending_reload = false;
static volatile sig_atomic_t pending_child_exit = false;
static volatile sig_atomic_t pending_pmsignal = false;

static const char *
pmstate_name(PMState state)
{
	switch (state)
	{
		case PM_STARTUP:
			return "PM_STARTUP";
		case PM_RUN:
			return "PM_RUN";
		case PM_HANDOFF:
			return "PM_HANDOFF";
		case PM_STOP_BACKENDS:
			return "PM_STOP_BACKENDS";
		case PM_STOP_AUX:
			return "PM_STOP_AUX";
		case PM_STOP_WALWRITER:
			return "PM_STOP_WALWRITER";
		case PM_WAIT_DEAD_END:
			return "PM_WAIT_DEAD_END";
		case PM_NO_CHILDREN:
			return "PM_NO_CHILDREN";
	}
	return "?";
}

static void
UpdatePMState(PMState newState)
{
	elog(DEBUG1, "updating PMState from %s to %s", pmstate_name(pmState), pmstate_name(newState));
	pmState = newState;
}

/* ---------- signal handlers: record, poke the self-pipe, return ---------- */

static void
poke_selfpipe(void)
{
	int			save_errno = errno;
	char		c = 0;

	if (write(selfpipe[1], &c, 1) < 0)
	{
		/* pipe full: ServerLoop will wake anyway */
	}
	errno = save_errno;
}

static void
handle_pm_shutdown_signal(int signo)
{
	ShutdownMode mode = signo == SIGTERM ? SmartShutdown :
		signo == SIGINT ? FastShutdown : ImmediateShutdown;

	if ((int) mode > (int) pending_shutdown)
		pending_shutdown = mode;
	poke_selfpipe();
}

static void
handle_pm_reload_signal(int signo)
{
	pending_reload = true;
	poke_selfpipe();
}

static void
handle_pm_child_exit_signal(int signo)
{
	pending_child_exit = true;
	poke_selfpipe();
}

static void
handle_pm_pmsignal_signal(int signo)
{
	pending_pmsignal = true;
	poke_selfpipe();
}

static void
pm_set_handler(int signo, void (*handler) (int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(signo, &sa, NULL);
}

/* ---------- postmaster.pid ---------- */

static void
write_pidfile(const char *status)
{
	char		buf[1024];
	int			n;

	n = snprintf(buf, sizeof(buf), "%d\n%s\n%lld\n%s\n%s\n",
				 (int) getpid(), DataDir, (long long) time(NULL), first_listener, status);
	if (pwrite(pidfile_fd, buf, (size_t) n, 0) != n || ftruncate(pidfile_fd, n) != 0)
		elog(WARNING, "could not write \"%s\": %s", pidfile_path, strerror(errno));
	fdatasync(pidfile_fd);
}

/*
 * Take the data directory's lock.  The lock is an flock on postmaster.pid,
 * so a file left behind by a crash (whose process is gone, and with it the
 * lock) is recognised as stale and simply taken over.
 */
static void
create_pidfile(void)
{
	pidfile_path = psprintf("%s/postmaster.pid", DataDir);
	pidfile_fd = open(pidfile_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (pidfile_fd < 0)
		elog_fatal("could not create lock file \"%s\": %s", pidfile_path, strerror(errno));
	if (flock(pidfile_fd, LOCK_EX | LOCK_NB) != 0)
	{
		char		buf[64] = "";
		ssize_t		n = pread(pidfile_fd, buf, sizeof(buf) - 1, 0);

		if (n > 0)
			buf[strcspn(buf, "\n")] = '\0';
		elog_fatal("lock file \"%s\" is held: another strata server (PID %s) is running in data directory \"%s\"; stop it first",
				   pidfile_path, buf[0] ? buf : "?", DataDir);
	}
	{
		struct stat st;

		if (fstat(pidfile_fd, &st) == 0 && st.st_size > 0)
			elog(LOG, "lock file \"%s\" was left by a server that is gone; taking it over", pidfile_path);
	}
	write_pidfile("starting");
}

static void
remove_pidfile(void)
{
	if (pidfile_fd >= 0)
	{
		unlink(pidfile_path);
		close(pidfile_fd);
		pidfile_fd = -1;
	}
}

/* ---------- listening sockets ---------- */

/*
 * Check listeners and advertised_listeners as a whole (each protocol once;
 * advertised ones among the listeners) and load the TLS context if a TLS
 * listener needs it.  false with one line in err: the start fails.
 */
static bool
check_listener_settings(char *err, size_t errlen)
{
	if (!ListenersCheck(listeners, "listeners", NULL, err, errlen) ||
		!ListenersCheck(advertised_listeners, "advertised_listeners", listeners, err, errlen))
		return false;
	for (int p = 0; p < LISTENER_PROTOCOLS; p++)
	{
		char		host[256];
		int32		port;

		if (!ListenerFind(listeners, ListenerProtocolName(p), host, sizeof(host), &port))
			continue;
		if (ListenerUsesTls(p))
			have_tls_listener = true;
		if (ListenerUsesSasl(p) && !SaslCheckMechanisms(sasl_enabled_mechanisms, err, errlen))
			return false;
	}
	return !have_tls_listener || SecureLoadContext(false, err, errlen);
}

static void
open_listen_sockets(void)
{
	char	   *list = pstrdup(listeners);
	char	   *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		char		host[256],
					port[16],
					err[512];
		struct addrinfo hints,
				   *res,
				   *ai;
		int			rc;
		ListenerProtocol proto;

		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		if (!ListenerParse(tok, host, sizeof(host), port, sizeof(port), err, sizeof(err)) ||
			!ListenerParseProtocol(tok, &proto, err, sizeof(err)))
			elog_fatal("invalid value for setting \"listeners\": %s", err);
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
		if (rc != 0)
			elog_fatal("could not resolve \"%s\" in setting \"listeners\": %s", host, gai_strerror(rc));
		for (ai = res; ai; ai = ai->ai_next)
		{
			int			fd,
						one = 1;

			if (nlisten >= MAX_LISTEN_SOCKETS)
				elog_fatal("too many listening sockets in setting \"listeners\" (at most %d)", MAX_LISTEN_SOCKETS);
			fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			if (fd < 0)
				elog_fatal("could not create socket for \"%s\": %s", tok, strerror(errno));
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (ai->ai_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
				elog_fatal("could not bind to %s:%s (setting \"listeners\" = '%s'): %s; is another server using the port?",
						   host, port, listeners, strerror(errno));
			if (listen(fd, 1024) != 0)
				elog_fatal("could not listen on %s:%s: %s", host, port, strerror(errno));
			listen_socks[nlisten] = fd;
			listen_names[nlisten] = psprintf("%s:%s", host, port);
			listen_protocols[nlisten] = proto;
			nlisten++;
			elog(LOG, "listening on %s:%s (%s)", host, port, ListenerProtocolName(proto));
		}
		if (first_listener[0] == '\0')
			first_listener = psprintf("%s:%s", host, port);
		freeaddrinfo(res);
	}
	pfree(list);
	if (nlisten == 0)
		elog_fatal("setting \"listeners\" names no address to listen on");
}

static void
close_listen_sockets(void)
{
	for (int i = 0; i < nlisten; i++)
		close(listen_socks[i]);
	nlisten = 0;
}

/* ---------- children ---------- */

static void
add_child(pid_t pid, int slot, ProcKind kind, const char *client_host)
{
	if (nchildren == maxchildren)
	{
		maxchildren = maxchildren ? maxchildren * 2 : 64;
		children = repalloc(children, sizeof(ChildProc) * maxchildren);
	}
	children[nchildren].pid = pid;
	children[nchildren].slot = slot;
	children[nchildren].kind = kind;
	strlcpy_s(children[nchildren].client_host, client_host ? client_host : "",
			  sizeof(children[nchildren].client_host));
	nchildren++;
}

static int
count_children(bool backends, bool aux_but_walwriter, bool walwriter)
{
	int			n = 0;

	for (int i = 0; i < nchildren; i++)
	{
		ProcKind	k = children[i].kind;

		if ((k == PROC_BACKEND && backends) ||
			(k == PROC_WALWRITER && walwriter) ||
			(k != PROC_BACKEND && k != PROC_WALWRITER && aux_but_walwriter))
			n++;
	}
	return n;
}

static bool
aux_running(ProcKind kind)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i].kind == kind)
			return true;
	return false;
}

static void
signal_child_kind(ProcKind kind, int signo)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i].kind == kind)
			kill(children[i].pid, signo);
}

static void
signal_children(int signo, bool backends, bool aux_but_walwriter, bool walwriter)
{
	for (int i = 0; i < nchildren; i++)
	{
		ProcKind	k = children[i].kind;

		if ((k == PROC_BACKEND && backends) ||
			(k == PROC_WALWRITER && walwriter) ||
			(k != PROC_BACKEND && k != PROC_WALWRITER && aux_but_walwriter))
			kill(children[i].pid, signo);
	}
}

/*
 * Everything a child does between fork and its main function.
 */
static void
InitChildProcess(ProcKind kind, int slot)
{
	MyProcPid = getpid();
	MyProcKindName = ProcKindName(kind);

	/* Die with the postmaster; and if it is already gone, do not start. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != PostmasterPid)
		_exit(1);

	close_listen_sockets();
	if (metrics_sock >= 0 && kind != PROC_METRICS)
		close(metrics_sock);
	close(selfpipe[0]);
	close(selfpipe[1]);
	close(postmaster_alive_fds[1]);
	if (pidfile_fd >= 0)
		close(pidfile_fd);	/* the lock stays with the postmaster's descriptor */
	pidfile_fd = -1;

	InitLatchSupport();
	ProcSlotActivate(slot);
	elog_exit_hook = proc_exit;
	SetupChildSignalHandlers();
	{
		sigset_t	none;

		sigemptyset(&none);
		sigaddset(&none, SIGURG);	/* stays blocked: read via signalfd */
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
}

/* How many backends serve clients from host (max_connections_per_ip). */
static int
count_backends_from(const char *host)
{
	int			n = 0;

	for (int i = 0; i < nchildren; i++)
		if (children[i].kind == PROC_BACKEND && strcmp(children[i].client_host, host) == 0)
			n++;
	return n;
}

/*
 * Fork a child of the given kind.  For a backend, sock is its client's
 * socket, peer the client's address, host the address alone and protocol
 * the listener's; the others ignore them.
 */
static pid_t
StartChildProcess(ProcKind kind, int sock, const char *peer, const char *host,
				  ListenerProtocol protocol)
{
	int			slot = ProcSlotAssign(kind);
	sigset_t	all,
				old;
	pid_t		pid;

	if (slot < 0)
		return -1;

	/* Block signals so the child never runs the postmaster's handlers. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
	{
		InitChildProcess(kind, slot);
		switch (kind)
		{
			case PROC_BACKEND:
				set_ps_display("strata: backend %s", peer);
				BackendMain(sock, peer, protocol);
			case PROC_WALWRITER:
				set_ps_display("strata: wal writer");
				WalWriterMain();
			case PROC_UPLOADER:
				set_ps_display("strata: uploader");
				UploaderMain();
			case PROC_CATALOG:
				set_ps_display("strata: catalog worker");
				CatalogWorkerMain();
			case PROC_BALANCER:
				set_ps_display("strata: balancer");
				BalancerMain();
			case PROC_METRICS:
				set_ps_display("strata: metrics exporter");
				MetricsExporterMain(metrics_sock);
			case PROC_COMMITTER:
				set_ps_display("strata: offset committer");
				OffsetCommitterMain();
			default:
				_exit(2);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
	{
		elog(LOG, "could not fork %s process: %s", ProcKindName(kind), strerror(errno));
		ProcSlotRelease(slot);
		return -1;
	}
	add_child(pid, slot, kind, host);
	if (kind != PROC_BACKEND)
		aux_last_start[kind] = MonotonicMs();
	return pid;
}

/* Start any auxiliary process that should run and does not. */
static void
maybe_start_aux_processes(void)
{
	int64		now = MonotonicMs();

	if (FatalError || Shutdown > NoShutdown)
		return;
	if (pmState != PM_STARTUP && pmState != PM_RUN)
		return;
	for (int k = 0; k < NUM_AUX_PROCS; k++)
	{
		if (aux_running((ProcKind) k))
			continue;
		if (k == PROC_METRICS && metrics_sock < 0)
			continue;			/* the endpoint is off */
		if (aux_last_start[k] != 0 && now - aux_last_start[k] < AUX_RESTART_DELAY_MS)
			continue;
		if (StartChildProcess((ProcKind) k, -1, NULL, NULL, LISTENER_PLAINTEXT) < 0)
			elog(LOG, "could not start %s process", ProcKindName((ProcKind) k));
	}
}

static void
describe_exit(const char *kind, pid_t pid, int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "%s process (PID %d) exited with exit code %d", kind, (int) pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "%s process (PID %d) was terminated by signal %d: %s", kind, (int) pid,
				 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "%s process (PID %d) exited with unrecognized status %d", kind, (int) pid, status);
}

/*
 * Make every child quit at once (SIGQUIT), as after a crash, and wait for
 * them all to be gone before starting over (PostmasterStateMachine).
 */
static void
terminate_all_children(void)
{
	if (!FatalError)
	{
		signal_children(SIGQUIT, true, true, true);
		AbortStartTime = MonotonicMs();
		StragglersKilled = false;
	}
	FatalError = true;
	if (pmState != PM_WAIT_DEAD_END && pmState != PM_NO_CHILDREN)
		UpdatePMState(PM_WAIT_DEAD_END);
}

/*
 * A child crashed.  Shared memory may be damaged: make everybody else quit
 * at once, then (PostmasterStateMachine) start over.
 */
static void
HandleChildCrash(pid_t pid, int status, ProcKind kind)
{
	char		msg[256];

	if (!FatalError && Shutdown != ImmediateShutdown)
	{
		describe_exit(ProcKindName(kind), pid, status, msg, sizeof(msg));
		elog(LOG, "%s", msg);
		elog(LOG, "terminating any other active server processes");
		write_pidfile("recovering");
	}
	terminate_all_children();
}

static void
process_child_exit(void)
{
	pid_t		pid;
	int			status;

	pending_child_exit = false;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
	{
		int			idx = -1;
		ChildProc	child;
		bool		slot_ok;
		bool		clean;

		for (int i = 0; i < nchildren; i++)
			if (children[i].pid == pid)
				idx = i;
		if (idx < 0)
			continue;
		child = children[idx];
		children[idx] = children[--nchildren];

		slot_ok = ProcSlotRelease(child.slot);
		clean = slot_ok && WIFEXITED(status) &&
			(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1);
		if (!clean)
		{
			if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1))
				elog(LOG, "%s process (PID %d) exited without cleaning up its process slot",
					 ProcKindName(child.kind), (int) pid);
			HandleChildCrash(pid, status, child.kind);
			continue;
		}
		if (child.kind == PROC_WALWRITER && !wal_ready && !FatalError && Shutdown == NoShutdown)
		{
			/*
			 * The WAL writer gave up before recovery finished (a missing or
			 * foreign WAL device, say): trying again would fail again, as
			 * PostgreSQL reasons about its startup process.  Stop.
			 */
			elog(LOG, "aborting startup due to WAL writer failure");
			StartupFailed = true;
			signal_children(SIGQUIT, true, true, true);
			AbortStartTime = MonotonicMs();
			StragglersKilled = false;
			Shutdown = ImmediateShutdown;
			UpdatePMState(PM_WAIT_DEAD_END);
			continue;
		}
		if (child.kind != PROC_BACKEND && pmState <= PM_RUN && !FatalError && Shutdown == NoShutdown)
		{
			char		msg[256];

			describe_exit(ProcKindName(child.kind), pid, status, msg, sizeof(msg));
			elog(LOG, "%s; restarting it", msg);
		}
	}
}

/* ---------- shutdown, reload, state machine ---------- */

static void handoff_done(void);

/*
 * A smart or fast stop of a running broker first hands its partitions and
 * coordinator slots to the other live brokers (doc/cluster.md, "Stopping"):
 * the catalog worker requests the moves, the uploader completes them, and
 * the backends still answer the clients connected (NOT_LEADER_OR_FOLLOWER,
 * and metadata naming the new leaders) meanwhile.  New connections are
 * refused.  When the catalog worker reports that nothing is led here any
 * more (or after shutdown_handoff_timeout), the stop goes on as before.
 */
static void
start_handoff(void)
{
	if (!aux_running(PROC_CATALOG) || shutdown_handoff_timeout == 0)
	{
		/* Nobody to do it: stop as a broker of its own does. */
		handoff_done();
		return;
	}
	HandoffStartTime = MonotonicMs();
	UpdatePMState(PM_HANDOFF);
	signal_child_kind(PROC_CATALOG, SIGUSR2);
}

/* The hand-off is over (or given up): stop the backends. */
static void
handoff_done(void)
{
	HandoffStartTime = 0;
	if (Shutdown == FastShutdown)
	{
		signal_children(SIGTERM, true, false, false);
		AbortStartTime = MonotonicMs();
	}
	UpdatePMState(PM_STOP_BACKENDS);
}

static void
process_shutdown_request(void)
{
	ShutdownMode mode = (ShutdownMode) pending_shutdown;

	if (mode <= Shutdown)
		return;					/* only ever escalate */
	Shutdown = mode;
	write_pidfile("stopping");
	close_listen_sockets();
	switch (mode)
	{
		case SmartShutdown:
			elog(LOG, "received smart shutdown request");
			if (pmState == PM_RUN)
				start_handoff();
			else if (pmState == PM_STARTUP)
				UpdatePMState(PM_STOP_BACKENDS);
			break;
		case FastShutdown:
			elog(LOG, "received fast shutdown request");
			if (pmState == PM_RUN)
				start_handoff();
			else if (pmState == PM_STARTUP || pmState == PM_STOP_BACKENDS)
			{
				signal_children(SIGTERM, true, false, false);
				UpdatePMState(PM_STOP_BACKENDS);
			}
			if (pmState != PM_HANDOFF)
				AbortStartTime = MonotonicMs();
			break;
		case ImmediateShutdown:
			elog(LOG, "received immediate shutdown request");
			signal_children(SIGQUIT, true, true, true);
			AbortStartTime = MonotonicMs();
			StragglersKilled = false;
			UpdatePMState(PM_WAIT_DEAD_END);
			break;
		case NoShutdown:
			break;
	}
}

static void
process_reload_request(void)
{
	pending_reload = false;
	elog(LOG, "received SIGHUP, reloading configuration files");
	GucReload(conffile_path);
	if (have_tls_listener)
	{
		char		err[1024];

		if (!SecureLoadContext(true, err, sizeof(err)))
			elog(LOG, "%s; new TLS connections keep the certificate and settings loaded before", err);
	}
	signal_children(SIGHUP, true, true, true);
}


static void
process_pmsignals(void)
{
	pending_pmsignal = false;
	if (CheckPostmasterSignal(PMSIGNAL_WAL_READY))
		wal_ready = true;
	if (CheckPostmasterSignal(PMSIGNAL_TOPICS_LOADED))
		topics_loaded = true;
	if (CheckPostmasterSignal(PMSIGNAL_HANDED_OFF) && pmState == PM_HANDOFF)
	{
		elog(LOG, "every partition was handed off to other brokers, in %lld ms",
			 (long long) (MonotonicMs() - HandoffStartTime));
		handoff_done();
	}
	if (CheckPostmasterSignal(PMSIGNAL_FENCED) && Shutdown == NoShutdown && !Reregister)
	{
		/*
		 * Another broker may be recovering our WAL: stop everything now, as
		 * after a crash, and come back registered with a new epoch.
		 */
		elog(LOG, "this broker was fenced in the catalog; terminating all server processes to restart as a new incarnation");
		Reregister = true;
		write_pidfile("recovering");
		terminate_all_children();
	}
	if (wal_ready && topics_loaded && pmState == PM_STARTUP && !FatalError)
	{
		UpdatePMState(PM_RUN);
		/* Log first: whoever sees "ready" in the pid file may read the log. */
		elog(LOG, "strata is ready to accept connections on %s", first_listener);
		write_pidfile("ready");
	}
}

/*
 * After this broker was fenced: register again (epoch + 1) before starting
 * over.  Tried at most once a second while the catalog cannot be reached.
 */
static bool
reregister(void)
{
	char		err[1024];

	if (MonotonicMs() < ReregisterNextTry)
		return false;
	if (!CatalogStartupCheck(err, sizeof(err)))
	{
		elog(LOG, "could not register again after being fenced: %s; retrying", err);
		ReregisterNextTry = MonotonicMs() + 1000;
		return false;
	}
	Reregister = false;
	return true;
}

static void
PostmasterStateMachine(void)
{
	if (pmState == PM_STOP_BACKENDS && count_children(true, false, false) == 0)
	{
		signal_children(SIGTERM, false, true, false);
		UpdatePMState(PM_STOP_AUX);
	}
	if (pmState == PM_STOP_AUX && count_children(true, true, false) == 0)
	{
		signal_children(SIGTERM, false, false, true);
		UpdatePMState(PM_STOP_WALWRITER);
	}
	if (pmState == PM_STOP_WALWRITER && nchildren == 0)
		UpdatePMState(PM_NO_CHILDREN);

	if (pmState == PM_WAIT_DEAD_END && nchildren == 0)
	{
		if (Shutdown > NoShutdown)
			UpdatePMState(PM_NO_CHILDREN);
		else if (!restart_after_crash)
		{
			elog(LOG, "shutting down because restart_after_crash is off");
			remove_pidfile();
			exit(1);
		}
		else if (Reregister && !reregister())
			;					/* catalog unreachable: try again next time round */
		else
		{
			elog(LOG, "all server processes terminated; reinitializing");
			ShmemDestroy();
			CreateSharedMemoryAndSemaphores();
			FatalError = false;
			/* The crash is over: a later stop's grace period starts afresh. */
			AbortStartTime = 0;
			StragglersKilled = false;
			wal_ready = topics_loaded = false;
			memset(aux_last_start, 0, sizeof(aux_last_start));
			UpdatePMState(PM_STARTUP);
			maybe_start_aux_processes();
		}
	}

	if (pmState == PM_NO_CHILDREN)
	{
		remove_pidfile();
		if (StartupFailed)
		{
			elog(LOG, "strata could not start");
			exit(1);
		}
		elog(LOG, "strata is shut down");
		exit(0);
	}
}

/* A hand-off that takes longer than shutdown_handoff_timeout is given up. */
static void
check_handoff_timeout(void)
{
	if (pmState != PM_HANDOFF || MonotonicMs() - HandoffStartTime < shutdown_handoff_timeout)
		return;
	elog(LOG, "partitions were not all handed off within shutdown_handoff_timeout (%lld ms); stopping anyway: the controller recovers what remains once this broker's lease has expired",
		 (long long) shutdown_handoff_timeout);
	handoff_done();
}

/* Past the grace period, SIGKILL whoever is still around. */
static void
kill_stragglers(void)
{
	if (AbortStartTime == 0 || StragglersKilled || nchildren == 0)
		return;
	if (pmState != PM_WAIT_DEAD_END && Shutdown < FastShutdown)
		return;
	if (MonotonicMs() - AbortStartTime < SIGKILL_CHILDREN_AFTER_SECS * 1000)
		return;
	elog(LOG, "issuing SIGKILL to recalcitrant children");
	signal_children(SIGKILL, true, true, true);
	StragglersKilled = true;
}

/* ---------- accepting connections ---------- */

static void
accept_connections(int listen_fd, ListenerProtocol protocol)
{
	for (;;)
	{
		struct sockaddr_storage addr;
		socklen_t	addrlen = sizeof(addr);
		char		host[NI_MAXHOST],
					serv[NI_MAXSERV],
					peer[NI_MAXHOST + NI_MAXSERV + 4];
		int			sock = accept4(listen_fd, (struct sockaddr *) &addr, &addrlen, SOCK_CLOEXEC);
		int			one = 1;
		pid_t		pid;

		if (sock < 0)
		{
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				elog(LOG, "could not accept new connection: %s", strerror(errno));
			return;
		}
		if (getnameinfo((struct sockaddr *) &addr, addrlen, host, sizeof(host), serv, sizeof(serv),
						NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		{
			snprintf(peer, sizeof(peer), "unknown");
			strlcpy_s(host, "unknown", sizeof(host));
		}
		else if (addr.ss_family == AF_INET6)
			snprintf(peer, sizeof(peer), "[%s]:%s", host, serv);
		else
			snprintf(peer, sizeof(peer), "%s:%s", host, serv);

		/*
		 * The connection counters are the one thing the postmaster writes
		 * in shared memory besides process slots: a relaxed atomic add at
		 * a fixed place, no lock, nothing read back, so damaged shared
		 * memory cannot hurt the postmaster through them.
		 */
		if (pmState != PM_RUN || FatalError || Shutdown > NoShutdown)
		{
			/* Starting, recovering or stopping: clients retry elsewhere. */
			MetricsInc(METRIC_CONNECTIONS_REFUSED, 1);
			close(sock);
			continue;
		}
		setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

		/*
		 * Per-address limit, counted over the backends not yet reaped: reap
		 * first when at the limit, as for slots below.
		 */
		if (max_connections_per_ip > 0 && count_backends_from(host) >= max_connections_per_ip)
		{
			process_child_exit();
			if (count_backends_from(host) >= max_connections_per_ip)
			{
				elog(LOG, "connection from %s refused: max_connections_per_ip (%lld) reached",
					 peer, (long long) max_connections_per_ip);
				MetricsInc(METRIC_CONNECTIONS_REFUSED, 1);
				close(sock);
				continue;
			}
		}

		/*
		 * No free slot may only mean that a backend whose client just left
		 * has exited since the server loop last reaped: its SIGCHLD comes
		 * after the poll() that brought this connection.  Reap now and try
		 * once more before refusing, or a client that reconnects at once
		 * after closing would be refused with a slot about to be free.
		 */
		pid = StartChildProcess(PROC_BACKEND, sock, peer, host, protocol);
		if (pid < 0)
		{
			process_child_exit();
			if (pmState == PM_RUN && !FatalError)
				pid = StartChildProcess(PROC_BACKEND, sock, peer, host, protocol);
		}
		if (pid < 0)
		{
			elog(LOG, "connection from %s refused: max_connections (%lld) reached",
				 peer, (long long) max_connections);
			MetricsInc(METRIC_CONNECTIONS_REFUSED, 1);
			close(sock);
			continue;
		}
		MetricsInc(METRIC_CONNECTIONS_ACCEPTED, 1);
		close(sock);
	}
}

static void
ServerLoop(void)
{
	for (;;)
	{
		struct pollfd pfd[MAX_LISTEN_SOCKETS + 1];
		int			n = 0;
		int			timeout = 1000;

		pfd[n].fd = selfpipe[0];
		pfd[n].events = POLLIN;
		n++;
		for (int i = 0; i < nlisten; i++)
		{
			pfd[n].fd = listen_socks[i];
			pfd[n].events = POLLIN;
			n++;
		}
		/* Wake up in time to restart an aux process or kill stragglers. */
		if ((AbortStartTime != 0 && !StragglersKilled) || pmState == PM_HANDOFF)
			timeout = 200;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			elog_fatal("poll() failed in postmaster: %s", strerror(errno));

		if (pfd[0].revents)
		{
			char		buf[64];

			while (read(selfpipe[0], buf, sizeof(buf)) > 0)
				;
		}
		if ((int) pending_shutdown > (int) Shutdown)
			process_shutdown_request();
		if (pending_child_exit)
			process_child_exit();
		if (pending_reload)
			process_reload_request();
		if (pending_pmsignal)
			process_pmsignals();
		for (int i = 1; i < n; i++)
			if (pfd[i].revents & POLLIN)
				accept_connections(pfd[i].fd, listen_protocols[i - 1]);
		check_handoff_timeout();
		PostmasterStateMachine();
		kill_stragglers();
		maybe_start_aux_processes();
	}
}

/* ---------- main ---------- */

static void
postmaster_usage_error(const char *msg)
{
	fprintf(stderr, "strata: %s\nTry \"strata --help\" for more information.\n", msg);
	exit(1);
}

/*
 * The command line (-D, -c) and the settings: defaults, then strata.conf in
 * the data directory, then -c.  Sets DataDir; a bad setting is FATAL.
 */
static void
read_command_line_and_settings(int argc, char *argv[])
{
	char	   *datadir = NULL;
	char	  **cmdline_opts;
	int			ncmdline = 0;
	char		err[1024];
	int			c;
	char	   *abs;

	cmdline_opts = palloc(sizeof(char *) * (size_t) (argc + 1));
	opterr = 0;
	while ((c = getopt(argc, argv, "D:c:")) != -1)
	{
		switch (c)
		{
			case 'D':
				datadir = optarg;
				break;
			case 'c':
				cmdline_opts[ncmdline++] = optarg;
				break;
			default:
				postmaster_usage_error("invalid command-line argument");
		}
	}
	if (optind < argc)
		postmaster_usage_error("unexpected command-line argument");
	if (datadir == NULL)
		datadir = getenv("STRATA_DATA");
	if (datadir == NULL)
		postmaster_usage_error("no data directory given: use -D DATADIR or set STRATA_DATA");
	abs = realpath(datadir, NULL);
	if (abs == NULL)
		elog_fatal("data directory \"%s\" does not exist or is not accessible: %s; create it with strata_ctl init -D %s",
				   datadir, strerror(errno), datadir);
	DataDir = abs;

	GucInitDefaults();
	conffile_path = psprintf("%s/strata.conf", DataDir);
	if (access(conffile_path, F_OK) != 0)
		elog_fatal("configuration file \"%s\" is missing; is \"%s\" a data directory made by strata_ctl init?",
				   conffile_path, DataDir);
	if (!GucLoadFile(conffile_path, GUC_SRC_FILE, err, sizeof(err)))
		elog_fatal("%s", err);
	for (int i = 0; i < ncmdline; i++)
	{
		char	   *opt = pstrdup(cmdline_opts[i]);
		char	   *eq = strchr(opt, '=');

		if (eq == NULL)
			elog_fatal("-c %s: expected -c name=value", opt);
		*eq = '\0';
		for (char *p = opt; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!GucSet(opt, eq + 1, GUC_SRC_CMDLINE, err, sizeof(err)))
			elog_fatal("%s", err);
		pfree(opt);
	}
	pfree(cmdline_opts);
}

/*
 * What must hold before anything is started: settings that only make sense
 * together and the TLS certificate, the catalog reachable and at our schema
 * version, a well-formed object_store.  Each failure is FATAL with one line
 * naming the setting and the fix; the pid file is removed first.
 */
static void
check_startup_requirements(void)
{
	char		err[1024];
	ObjStoreError oerr;
	ObjStore   *probe;

	if (!check_listener_settings(err, sizeof(err)) ||
		!CatalogStartupCheck(err, sizeof(err)))
	{
		remove_pidfile();
		elog_fatal("%s", err);
	}

	/*
	 * A malformed object_store URL or missing credentials are settings
	 * errors: refuse to start, as for any bad setting.  Reachability is not
	 * checked here: with the store down the WAL keeps the data and the
	 * uploader retries (and says why in the log).
	 */
	probe = ObjStoreOpen(object_store, &oerr);
	if (probe == NULL)
	{
		remove_pidfile();
		elog_fatal("invalid object_store setting: %s", oerr.message);
	}
	ObjStoreClose(probe);
}

int
PostmasterMain(int argc, char *argv[])
{
	init_ps_display(argc, argv);
	MyProcPid = PostmasterPid = getpid();
	MyProcKindName = "postmaster";
	umask(077);

	read_command_line_and_settings(argc, argv);
	create_pidfile();
	elog(LOG, "starting Strata %s, broker %lld, data directory \"%s\"",
		 PACKAGE_VERSION, (long long) broker_id, DataDir);
	check_startup_requirements();

	open_listen_sockets();
	KafkaRegisterMetricLabels();
	metrics_sock = MetricsListenOpen();

	if (pipe(selfpipe) != 0 || pipe(postmaster_alive_fds) != 0)
		elog_fatal("could not create pipes: %s", strerror(errno));
	fcntl(selfpipe[0], F_SETFL, O_NONBLOCK);
	fcntl(selfpipe[1], F_SETFL, O_NONBLOCK);
	fcntl(postmaster_alive_fds[0], F_SETFL, O_NONBLOCK);

	pm_set_handler(SIGTERM, handle_pm_shutdown_signal);
	pm_set_handler(SIGINT, handle_pm_shutdown_signal);
	pm_set_handler(SIGQUIT, handle_pm_shutdown_signal);
	pm_set_handler(SIGHUP, handle_pm_reload_signal);
	pm_set_handler(SIGCHLD, handle_pm_child_exit_signal);
	pm_set_handler(SIGUSR1, handle_pm_pmsignal_signal);
	pm_set_handler(SIGPIPE, SIG_IGN);
	pm_set_handler(SIGUSR2, SIG_IGN);

	CreateSharedMemoryAndSemaphores();
	UpdatePMState(PM_STARTUP);
	maybe_start_aux_processes();
	ServerLoop();
	exit(1);					/* not reached */
}
