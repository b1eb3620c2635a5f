/*-------------------------------------------------------------------------
 *
 * scaling.c
 *	  Auto-scaling: target tracking on the cluster's utilisation, an
 *	  emergency policy, and the scaling commands (see balancer/scaling.h,
 *	  and doc/balancer.md for the operator's view).
 *
 *	  An action's life, recorded in strata.scaling_actions:
 *	  - scale-out: "running" while scale_out_command runs, "waiting" until
 *	    as many brokers as wanted are live, then "done"; "failed" if the
 *	    command fails or the brokers do not come in time.
 *	  - scale-in: "draining" while the balancer moves the chosen brokers'
 *	    partitions away (their rows in strata.balancer_draining), then
 *	    "running" while scale_in_command runs (which stops them, with
 *	    strata_ctl stop -m fast: they hand their coordinator slots over),
 *	    "waiting" until they are no longer live, then "done"; "cancelled"
 *	    if, while it drains, the traffic stays above the target for a
 *	    confirmation (once its command runs, it goes on).  Ending, it
 *	    takes the brokers out of strata.balancer_draining.
 *	  - "skipped" when the command is not set: the decision is recorded,
 *	    and its cool-down applies.
 *	  One action at a time.  A command is a child of this process in a
 *	  process group of its own, with its output in an unlinked file in the
 *	  data directory (its last KB goes to the log and the record); it is
 *	  killed when it runs longer than scaling_timeout.  If the controller
 *	  changes while a command runs, the new controller does not run it
 *	  again: it waits for its effect as for any command that succeeded.
 *
 *	  Runs in the balancer process, on the controller's connection
 *	  (ScalingStep) and in any state (ScalingReap).  No shared memory.
 *
 * src/backend/balancer/scaling.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "balancer/scaling.h"
#include "catalog/catalog.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* How much of a command's output is kept (the end of it). */
#define OUTPUT_TAIL		1024

/* The command running, if any (a child of this process). */
static pid_t child_pid = 0;
static int64 child_action = 0;
static int	child_out_fd = -1;
static int64 child_started_ms = 0;
static bool child_done = false;
static int	child_status = 0;
static bool child_killed = false;	/* timed out: already recorded as failed */
static int64 recorded_action = 0;	/* the last one whose command end we recorded */

/* Target tracking's state between checks. */
static int64 above_since_ms = 0;
static int64 low_since_ms = 0;

/* ---------- the policy ---------- */

static int
clamp_brokers(double n, const ScalingParams *p)
{
	int			v = (int) Min(n, 1e6);

	return Max(Min(v, p->max_brokers), Max(p->min_brokers, 1));
}

void
ScalingDecide(const ScalingInputs *in, const ScalingParams *p, ScalingDecision *d)
{
	double		u;
	int			desired_in;
	bool		above,
				low;

	memset(d, 0, sizeof(*d));
	d->utilisation = -1;
	d->desired = -1;
	if (in->capacity <= 0 || in->brokers <= 0)
	{
		snprintf(d->why, sizeof(d->why), "%s", in->capacity <= 0 ? "no broker_capacity: utilisation unknown" : "no live broker");
		return;
	}
	u = in->traffic / ((double) in->brokers * in->capacity);
	d->utilisation = u;
	d->desired = clamp_brokers(ceil(in->traffic / (in->capacity * p->target)), p);
	desired_in = clamp_brokers(ceil(in->traffic / (in->capacity * p->target * SCALING_IN_HEADROOM)), p);
	above = u > p->target;
	low = desired_in < in->brokers;
	/*
	 * Above the target since the first check that saw it, counted from the
	 * end of the last action at the earliest: while brokers come or go,
	 * and just after, the traffic is not what it will be (clients catch up
	 * on what they could not send or read before).  A drain counts from
	 * its first check (the caller forgets the state when an action
	 * starts): it is the one time the traffic of brokers on their way out
	 * is weighed against those that stay.
	 */
	d->above_since_ms = 0;
	if (above)
	{
		d->above_since_ms = in->above_since_ms ? in->above_since_ms : in->now_ms;
		if (!in->in_draining && in->since_last_ms >= 0 &&
			d->above_since_ms < in->now_ms - in->since_last_ms)
			d->above_since_ms = in->now_ms;
	}
	d->low_since_ms = low ? (in->low_since_ms ? in->low_since_ms : in->now_ms) : 0;

	if (in->in_in_progress)
	{
		/*
		 * Cancelled only while its brokers are drained, before its command
		 * stops them, and only on a rise that lasts: the moves themselves
		 * make the clients of the moved partitions catch up, a burst of
		 * traffic that says nothing of the load after them.
		 */
		if (above && in->in_draining && in->now_ms - d->above_since_ms >= p->confirm_ms)
		{
			d->kind = SCALING_CANCEL_IN;
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%% rose above scaling_target %.0f%% while brokers were being drained",
					 u * 100, p->target * 100);
		}
		else if (above && in->in_draining)
			snprintf(d->why, sizeof(d->why), "a scale-in is being drained; utilisation %.1f%% above scaling_target %.0f%%, to be confirmed by a later report",
					 u * 100, p->target * 100);
		else
			snprintf(d->why, sizeof(d->why), "a scale-in is in progress");
		return;
	}
	if (in->out_in_progress)
	{
		snprintf(d->why, sizeof(d->why), "a scale-out is in progress");
		return;
	}
	if (u >= p->emergency && d->desired > in->brokers && in->last_failed &&
		in->since_last_ms >= 0 && in->since_last_ms < p->out_cooldown_ms)
	{
		snprintf(d->why, sizeof(d->why), "utilisation %.1f%% >= scaling_emergency %.0f%%: the last scale-out failed; trying again after scaling_out_cooldown",
				 u * 100, p->emergency * 100);
		return;
	}
	if (u >= p->emergency && d->desired > in->brokers && !in->last_failed &&
		in->since_last_ms >= 0 && in->since_last_ms < p->out_cooldown_ms &&
		in->now_ms - d->above_since_ms < p->confirm_ms)
	{
		snprintf(d->why, sizeof(d->why), "utilisation %.1f%% >= scaling_emergency %.0f%% just after the last action: to be confirmed by a later report",
				 u * 100, p->emergency * 100);
		return;
	}
	if (u >= p->emergency && d->desired > in->brokers)
	{
		d->kind = SCALING_OUT;
		d->emergency = true;
		d->wanted = d->desired;
		snprintf(d->why, sizeof(d->why), "utilisation %.1f%% >= scaling_emergency %.0f%%: %d brokers needed for %.0f%%",
				 u * 100, p->emergency * 100, d->desired, p->target * 100);
		return;
	}
	if (above && d->desired > in->brokers)
	{
		if (in->now_ms - d->above_since_ms < p->confirm_ms)
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%% above scaling_target %.0f%%, to be confirmed by a later report",
					 u * 100, p->target * 100);
		else if (in->since_last_ms >= 0 && in->since_last_ms < p->out_cooldown_ms)
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%% above scaling_target %.0f%%, in the scale-out cool-down",
					 u * 100, p->target * 100);
		else
		{
			d->kind = SCALING_OUT;
			d->wanted = d->desired;
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%% above scaling_target %.0f%%: %d brokers needed",
					 u * 100, p->target * 100, d->desired);
		}
		return;
	}
	if (low)
	{
		if (in->now_ms - d->low_since_ms < p->in_cooldown_ms)
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%%: %d brokers would do, not yet for scaling_in_cooldown",
					 u * 100, desired_in);
		else if (in->since_last_ms >= 0 && in->since_last_ms < p->in_cooldown_ms)
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%%: %d brokers would do, in the cool-down of the last action",
					 u * 100, desired_in);
		else if (!in->can_drain)
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%%: %d brokers would do, but the balancer cannot drain (off or paused)",
					 u * 100, desired_in);
		else
		{
			d->kind = SCALING_IN;
			d->wanted = desired_in;
			snprintf(d->why, sizeof(d->why), "utilisation %.1f%%: %d brokers would run at %.0f%% or less for scaling_in_cooldown",
					 u * 100, desired_in, u * in->brokers / desired_in * 100);
		}
		return;
	}
	snprintf(d->why, sizeof(d->why), "utilisation %.1f%% of %d brokers", u * 100, in->brokers);
}

typedef struct TextBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} TextBuf;

static void
text_append(TextBuf *t, const char *s)
{
	size_t		n = strlen(s);

	if (t->len + n + 1 > t->cap)
	{
		t->cap = (t->len + n + 1) * 2;
		t->data = t->data ? repalloc(t->data, t->cap) : palloc(t->cap);
	}
	memcpy(t->data + t->len, s, n + 1);
	t->len += n;
}

char *
ScalingExpandCommand(const char *command, const int32 *ids, int nids)
{
	TextBuf		t = {NULL, 0, 0};
	char		piece[16];

	text_append(&t, "");
	for (const char *c = command; *c; c++)
	{
		if (c[0] == '%' && c[1] == 'n')
		{
			snprintf(piece, sizeof(piece), "%d", nids);
			text_append(&t, piece);
			c++;
		}
		else if (c[0] == '%' && c[1] == 'i')
		{
			for (int k = 0; k < nids; k++)
			{
				snprintf(piece, sizeof(piece), k ? " %d" : "%d", ids[k]);
				text_append(&t, piece);
			}
			c++;
		}
		else if (c[0] == '%' && c[1] == '%')
		{
			text_append(&t, "%");
			c++;
		}
		else
		{
			piece[0] = *c;
			piece[1] = '\0';
			text_append(&t, piece);
		}
	}
	return t.data;
}

/* ---------- running a command ---------- */

/* The end of the command's output, as printable ASCII (newlines kept). */
static char *
read_output_tail(int fd)
{
	off_t		size = lseek(fd, 0, SEEK_END);
	off_t		from = Max(size - OUTPUT_TAIL, 0);
	char	   *buf = palloc(OUTPUT_TAIL + 1);
	ssize_t		n = size > 0 ? pread(fd, buf, (size_t) (size - from), from) : 0;

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if ((buf[i] < 32 && buf[i] != '\n') || (unsigned char) buf[i] > 126)
			buf[i] = '?';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

static void
set_env_int(const char *name, long long v)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	setenv(name, buf, 1);
}

/*
 * In the child: its own process group (so that a timeout kills all it
 * started), default signals, output to the file, no descriptor of ours,
 * the environment, then the shell.  Never returns.
 */
static void
exec_command(const char *command, int out_fd, int64 action, const int32 *ids, int nids)
{
	sigset_t	none;
	char	   *conninfo;
	char		err[256];
	char		idlist[512];
	size_t		len = 0;

	setsid();
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	idlist[0] = '\0';
	for (int i = 0; i < nids && len + 12 < sizeof(idlist); i++)
		len += (size_t) snprintf(idlist + len, sizeof(idlist) - len, i ? " %d" : "%d", ids[i]);
	setenv("STRATA_SCALE_IDS", idlist, 1);
	set_env_int("STRATA_SCALE_COUNT", nids);
	set_env_int("STRATA_SCALE_ACTION", action);
	set_env_int("STRATA_CONTROLLER", broker_id);
	if (DataDir)
		setenv("STRATA_DATA_DIR", DataDir, 1);
	if (CatalogConninfo(&conninfo, err, sizeof(err)))
		setenv("STRATA_CATALOG", conninfo, 1);
	setenv("STRATA_OBJECT_STORE", object_store ? object_store : "", 1);
	execl("/bin/sh", "sh", "-c", command, (char *) NULL);
	fprintf(stderr, "could not run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/* Start command for action; false (with a note) if it could not start. */
static bool
start_command(const char *command, int64 action, const int32 *ids, int nids, char *note, size_t notelen)
{
	char	   *path = psprintf("%s/scaling-XXXXXX", DataDir ? DataDir : "/tmp");
	int			fd = mkstemp(path);
	pid_t		pid;

	if (fd < 0)
	{
		snprintf(note, notelen, "could not create a file for the command's output (%s): %s", path, strerror(errno));
		pfree(path);
		return false;
	}
	unlink(path);
	pfree(path);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		snprintf(note, notelen, "could not fork: %s", strerror(errno));
		close(fd);
		return false;
	}
	if (pid == 0)
		exec_command(command, fd, action, ids, nids);
	child_pid = pid;
	child_action = action;
	child_out_fd = fd;
	child_started_ms = MonotonicMs();
	child_done = false;
	child_killed = false;
	return true;
}

void
ScalingReap(void)
{
	int			status;

	if (child_pid <= 0 || child_done)
		return;
	if (waitpid(child_pid, &status, WNOHANG) == child_pid)
	{
		child_done = true;
		child_status = status;
	}
}

bool
ScalingCommandEnded(void)
{
	return child_pid > 0 && child_done;
}

/* The command's process is gone and accounted for: forget it. */
static void
forget_child(void)
{
	if (child_out_fd >= 0)
		close(child_out_fd);
	child_out_fd = -1;
	child_pid = 0;
	child_action = 0;
	child_done = false;
	child_killed = false;
}

void
ScalingDropEnded(void)
{
	if (child_pid <= 0 || !child_done)
		return;
	elog(LOG, "scaling: the command of action %lld ended (status %d) after this broker lost the controller role; the new controller waits for its effect",
		 (long long) child_action, child_status);
	forget_child();
}

void
ScalingReset(void)
{
	above_since_ms = 0;
	low_since_ms = 0;
	/* A command still running is reaped, and its result logged, as it ends. */
}

/* ---------- at each check ---------- */

/* The command ended: record and log its result. */
static bool
record_command_end(PGconn *conn, const CatalogScalingAction *latest, char *err, size_t errlen)
{
	char	   *out = read_output_tail(child_out_fd);
	int			code = WIFEXITED(child_status) ? WEXITSTATUS(child_status) : 128 + WTERMSIG(child_status);
	bool		ok = WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0;
	bool		in = latest->id == child_action && !latest->out;
	bool		result = true;

	elog(ok ? LOG : WARNING, "scaling: the command of action %lld %s after %.1f s%s%s",
		 (long long) child_action, ok ? "succeeded" : (WIFEXITED(child_status) ? "failed" : "was killed"),
		 (double) (MonotonicMs() - child_started_ms) / 1000.0, out[0] ? "; its output ends: " : "", out);
	if (!child_killed)
	{
		char		note[128];

		snprintf(note, sizeof(note), "the command exited with status %d", code);
		result = CatalogScalingUpdate(conn, child_action, ok ? "waiting" : "failed", code, out,
									  ok ? NULL : note, false, true, !ok, !ok && in, err, errlen);
	}
	else
		result = CatalogScalingUpdate(conn, child_action, "failed", code, out, NULL,
									  false, true, false, false, err, errlen);
	pfree(out);
	/* The inputs of this check still say "running": see drive_action. */
	recorded_action = child_action;
	forget_child();
	return result;
}

static bool
broker_live(const CatalogBalancerInputs *in, int32 id)
{
	for (int i = 0; i < in->nbrokers; i++)
		if (in->brokers[i].id == id)
			return in->brokers[i].live;
	return false;
}

/* Partitions led by (or moving to) the given brokers. */
static int
partitions_on(const CatalogBalancerInputs *in, const int32 *ids, int nids)
{
	int			n = 0;

	for (int p = 0; p < in->nparts; p++)
	{
		int32		owner = in->parts[p].target >= 0 ? in->parts[p].target : in->parts[p].leader;

		for (int k = 0; k < nids; k++)
			if (owner == ids[k] || in->parts[p].leader == ids[k])
			{
				n++;
				break;
			}
	}
	return n;
}

static int
serving_brokers(const CatalogBalancerInputs *in)
{
	int			n = 0;

	for (int i = 0; i < in->nbrokers; i++)
		n += in->brokers[i].live && !in->brokers[i].draining;
	return n;
}

/*
 * Move the latest action along; *in_progress says whether one still is,
 * *draining whether it is a scale-in still draining (its command not
 * started: the only time it can be cancelled).
 */
static bool
drive_action(PGconn *conn, const CatalogBalancerInputs *in, bool *in_progress, bool *draining,
			 char *err, size_t errlen)
{
	const CatalogScalingAction *a = &in->scaling;
	bool		can_drain = balancer_enabled && !in->paused;

	*in_progress = false;
	*draining = false;
	if (a->id == 0)
		return true;
	if (strcmp(a->state, "running") == 0)
	{
		*in_progress = true;
		if (child_action == a->id || recorded_action == a->id)
			return true;
		elog(LOG, "scaling: action %lld's command was started by an earlier controller; waiting for its effect",
			 (long long) a->id);
		return CatalogScalingUpdate(conn, a->id, "waiting", -2, NULL,
									"the controller changed while the command ran; waiting for its effect",
									false, true, false, false, err, errlen);
	}
	if (strcmp(a->state, "waiting") == 0)
	{
		bool		reached;

		*in_progress = true;
		if (a->out)
			reached = serving_brokers(in) >= a->brokers_wanted;
		else
		{
			reached = true;
			for (int k = 0; k < a->nids; k++)
				reached &= !broker_live(in, a->ids[k]);
		}
		if (reached)
		{
			elog(LOG, "scaling: action %lld done: %d brokers live, %.1f s after the decision",
				 (long long) a->id, serving_brokers(in), (double) a->age_ms / 1000.0);
			*in_progress = false;
			return CatalogScalingUpdate(conn, a->id, "done", -2, NULL, NULL, false, false, true,
										!a->out, err, errlen);
		}
		if (a->started_age_ms >= 2 * scaling_timeout)
		{
			char		note[160];

			snprintf(note, sizeof(note), "the brokers did not %s within twice scaling_timeout (%lld ms)",
					 a->out ? "join" : "leave", (long long) (2 * scaling_timeout));
			elog(WARNING, "scaling: action %lld failed: %s", (long long) a->id, note);
			*in_progress = false;
			return CatalogScalingUpdate(conn, a->id, "failed", -2, NULL, note, false, false, true,
										!a->out, err, errlen);
		}
		return true;
	}
	if (strcmp(a->state, "draining") == 0)
	{
		char	   *cmd;
		char		note[300];

		*in_progress = true;
		if (!can_drain || partitions_on(in, a->ids, a->nids) > 0)
		{
			*draining = true;
			return true;
		}
		if (scale_in_command == NULL || scale_in_command[0] == '\0')
		{
			*in_progress = false;
			return CatalogScalingUpdate(conn, a->id, "skipped", -2, NULL, "scale_in_command is not set",
										false, false, true, true, err, errlen);
		}
		cmd = ScalingExpandCommand(scale_in_command, a->ids, a->nids);
		elog(LOG, "scaling: brokers of action %lld drained; running scale_in_command: %s", (long long) a->id, cmd);
		if (!start_command(cmd, a->id, a->ids, a->nids, note, sizeof(note)))
		{
			elog(WARNING, "scaling: action %lld failed: %s", (long long) a->id, note);
			pfree(cmd);
			*in_progress = false;
			return CatalogScalingUpdate(conn, a->id, "failed", -2, NULL, note, true, false, true, true,
										err, errlen);
		}
		pfree(cmd);
		return CatalogScalingUpdate(conn, a->id, "running", -2, NULL, NULL, true, false, false, false,
									err, errlen);
	}
	return true;
}

static int
cmp_int32_desc(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x < y) - (x > y);
}

/* Start what was decided. */
static bool
act(PGconn *conn, const CatalogBalancerInputs *in, const ScalingDecision *d, double traffic,
	int64 capacity, int brokers, char *err, size_t errlen)
{
	int32		ids[64];
	int			nids = 0;
	int64		id;

	if (d->kind == SCALING_CANCEL_IN)
	{
		elog(LOG, "scaling: cancelling action %lld: %s", (long long) in->scaling.id, d->why);
		return CatalogScalingUpdate(conn, in->scaling.id, "cancelled", -2, NULL, d->why,
									false, false, true, true, err, errlen);
	}
	if (d->kind == SCALING_OUT)
	{
		int32		next = 0;
		const char *command = scale_out_command && scale_out_command[0] ? scale_out_command : NULL;
		char	   *cmd;
		char		note[300];

		for (int i = 0; i < in->nbrokers; i++)
			next = Max(next, in->brokers[i].id + 1);
		for (int k = 0; k < d->wanted - brokers && nids < (int) lengthof(ids); k++)
			ids[nids++] = next + k;
		cmd = command ? ScalingExpandCommand(command, ids, nids) : NULL;
		elog(LOG, "scaling: adding %d brokers (%s): %s; %s%s", nids, d->emergency ? "emergency" : "target tracking",
			 d->why, cmd ? "running scale_out_command: " : "scale_out_command is not set", cmd ? cmd : "");
		if (!CatalogScalingBegin(conn, (int32) broker_id, true, d->emergency, d->utilisation * 100, traffic,
								 capacity, brokers, d->wanted, ids, nids, cmd, cmd ? "running" : "skipped",
								 cmd ? d->why : "scale_out_command is not set", &id, err, errlen))
			return false;
		if (cmd && !start_command(cmd, id, ids, nids, note, sizeof(note)))
		{
			elog(WARNING, "scaling: action %lld failed: %s", (long long) id, note);
			pfree(cmd);
			return CatalogScalingUpdate(conn, id, "failed", -2, NULL, note, true, false, true, false,
										err, errlen);
		}
		if (cmd)
		{
			pfree(cmd);
			return CatalogScalingUpdate(conn, id, "running", -2, NULL, NULL, true, false, false, false,
										err, errlen);
		}
		return true;
	}
	if (d->kind == SCALING_IN)
	{
		int32		cand[64];
		int			ncand = 0;
		bool		command = scale_in_command && scale_in_command[0];

		/* The highest ids first; never the controller, nor an excluded broker. */
		for (int i = 0; i < in->nbrokers && ncand < (int) lengthof(cand); i++)
		{
			const CatalogBalancerBroker *b = &in->brokers[i];

			if (b->live && !b->draining && !b->excluded && b->id != (int32) broker_id)
				cand[ncand++] = b->id;
		}
		qsort(cand, (size_t) ncand, sizeof(int32), cmp_int32_desc);
		for (int k = 0; k < brokers - d->wanted && k < ncand; k++)
			ids[nids++] = cand[k];
		if (nids == 0)
			return true;
		elog(LOG, "scaling: removing %d brokers (%s): %s", nids, d->why,
			 command ? "draining them" : "scale_in_command is not set");
		return CatalogScalingBegin(conn, (int32) broker_id, false, false, d->utilisation * 100, traffic,
								   capacity, brokers, brokers - nids, ids, nids,
								   command ? scale_in_command : NULL, command ? "draining" : "skipped",
								   command ? d->why : "scale_in_command is not set", &id, err, errlen);
	}
	return true;
}

bool
ScalingStep(PGconn *conn, const CatalogBalancerInputs *in, ScalingSummary *summary,
			char *err, size_t errlen)
{
	ScalingInputs si;
	ScalingParams sp;
	ScalingDecision d;
	double		capacity_sum = 0;
	bool		in_progress;
	bool		draining;
	const CatalogScalingAction *a = &in->scaling;

	summary->utilisation_pct = -1;
	summary->capacity = 0;
	summary->desired = -1;
	summary->decision[0] = '\0';

	ScalingReap();
	if (child_pid > 0 && child_done && !record_command_end(conn, a, err, errlen))
		return false;
	if (child_pid > 0 && !child_done && !child_killed &&
		MonotonicMs() - child_started_ms >= scaling_timeout)
	{
		char		note[128];

		snprintf(note, sizeof(note), "the command ran longer than scaling_timeout (%lld ms) and was killed",
				 (long long) scaling_timeout);
		elog(WARNING, "scaling: action %lld failed: %s", (long long) child_action, note);
		kill(-child_pid, SIGKILL);
		child_killed = true;
		if (!CatalogScalingUpdate(conn, child_action, "failed", -2, NULL, note, false, true, true,
								  a->id == child_action && !a->out, err, errlen))
			return false;
		return true;			/* look again at the next check */
	}
	if (!drive_action(conn, in, &in_progress, &draining, err, errlen))
		return false;

	memset(&si, 0, sizeof(si));
	si.now_ms = MonotonicMs();
	for (int i = 0; i < in->nbrokers; i++)
	{
		const CatalogBalancerBroker *b = &in->brokers[i];

		if (!b->live)
			continue;
		si.traffic += b->bytes_in_rate + b->bytes_out_rate;
		if (!b->draining)
		{
			si.brokers++;
			capacity_sum += (double) (b->capacity > 0 ? b->capacity : broker_capacity);
		}
	}
	si.capacity = si.brokers > 0 ? capacity_sum / si.brokers : 0;
	si.out_in_progress = in_progress && a->out;
	si.in_in_progress = in_progress && !a->out;
	si.in_draining = draining;
	si.since_last_ms = a->id == 0 ? -1 : (a->finished_age_ms >= 0 ? a->finished_age_ms : 0);
	si.last_failed = strcmp(a->state, "failed") == 0 || strcmp(a->state, "skipped") == 0;
	si.can_drain = balancer_enabled && !in->paused;
	si.above_since_ms = above_since_ms;
	si.low_since_ms = low_since_ms;
	sp.target = (double) scaling_target / 100.0;
	sp.emergency = (double) scaling_emergency / 100.0;
	sp.out_cooldown_ms = scaling_out_cooldown;
	sp.in_cooldown_ms = scaling_in_cooldown;
	sp.confirm_ms = broker_lease_time / 3;
	sp.min_brokers = (int) scaling_min_brokers;
	sp.max_brokers = (int) Max(scaling_max_brokers, scaling_min_brokers);
	ScalingDecide(&si, &sp, &d);
	above_since_ms = d.above_since_ms;
	low_since_ms = d.low_since_ms;
	snprintf(summary->decision, sizeof(summary->decision), "%s%s",
			 d.kind == SCALING_OUT ? "scale out: " : d.kind == SCALING_IN ? "scale in: " :
			 d.kind == SCALING_CANCEL_IN ? "cancel the scale-in: " : "", d.why);
	if (d.utilisation >= 0)
	{
		summary->utilisation_pct = d.utilisation * 100;
		summary->capacity = (int64) capacity_sum;
		summary->desired = d.desired;
	}
	if (d.kind == SCALING_NONE)
		return true;
	if (!act(conn, in, &d, si.traffic, (int64) si.capacity, si.brokers, err, errlen))
		return false;
	/* A new action starts its cool-downs afresh. */
	above_since_ms = 0;
	low_since_ms = 0;
	return true;
}
