/*-------------------------------------------------------------------------
 *
 * balancer.c
 *	  Auto-balancing: the controller's balancer checks its goals every
 *	  balancer_interval (see balancer/plan.h for the goals and
 *	  doc/balancer.md for the operator's view), and the auto-scaling
 *	  (balancer/scaling.c) decides on the same inputs at each check.
 *
 *	  One check: read the inputs (CatalogBalancerLoad, one consistent
 *	  read), mark the brokers whose append latency stayed above
 *	  balancer_latency_threshold at this check and the one before as slow,
 *	  plan (BalancerPlan), then record the check and request its moves with
 *	  one call (CatalogBalancerRecord: strata.balancer_record, which asks
 *	  strata.move_partition for each move with reason 'balancer').  Paused
 *	  or with balancer = off, the plan is recorded but not requested.
 *
 *	  What spans checks lives in this process: the hysteresis state (still
 *	  balancing towards half the band), the slow-broker counts, and whether
 *	  the last plan was cut short by balancer_max_moves (then each move
 *	  completing brings the next check forward).  A new controller starts
 *	  afresh: the moves themselves are in the catalog.
 *
 *	  Runs in the balancer process, on the controller's connection
 *	  (blocking statements: each is short, and the controller's own checks
 *	  wait meanwhile).  No shared memory, no locks of its own; the catalog
 *	  locks the partition rows it moves (strata.move_partition).
 *
 * src/backend/balancer/balancer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "balancer/balancer.h"
#include "balancer/controller.h"
#include "balancer/plan.h"
#include "balancer/scaling.h"
#include "catalog/catalog_balancer.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* The soonest a notification brings a check forward, after the last one. */
#define NOTIFIED_CHECK_GAP_MS	1000
#define MOVE_DONE_CHECK_GAP_MS	500

/* Report interval: each broker publishes its load every third of its lease. */
#define REPORT_INTERVAL_MS	(broker_lease_time / 3)

/* A partition moved by anyone within this many intervals is left alone. */
#define RECENT_MOVE_INTERVALS	3

/* Append latency above the threshold at this many checks in a row: slow. */
#define SLOW_CHECKS			2

/* What the balancer remembers of each broker from check to check. */
typedef struct BrokerTrack
{
	int32		id;
	int			slow_checks;	/* consecutive checks above the latency threshold */
	int8		side_in;		/* the side of the band it was out on (plan.h) */
	int8		side_out;
	int64		in_since_ms;	/* the first check of that run, on that side */
	int64		out_since_ms;
} BrokerTrack;

static int64 next_check_ms = 0;
static int64 last_check_ms = 0;
static int64 not_before_ms = 0; /* no check before (a new controller waits) */
static bool balancing = false;	/* hysteresis: still going for half the band */
static bool more_to_do = false; /* the last plan was cut short */
static BrokerTrack *tracks = NULL;	/* the brokers of the last check */
static int	ntracks = 0;
static char last_state[64] = "";
static PlanSettle settle;		/* reports clear of the last moves? */
static bool settling = false;	/* waiting for them, no move in flight */

void
BalancerReset(void)
{
	/*
	 * A controller that just took the role over waits a lease before its
	 * first check: if the previous controller's broker died, it is known
	 * dead by then (and not given partitions), and reports are fresh.
	 */
	not_before_ms = MonotonicMs() + broker_lease_time;
	next_check_ms = not_before_ms;
	last_check_ms = 0;
	balancing = false;
	more_to_do = false;
	ScalingReset();
	if (tracks)
		pfree(tracks);
	tracks = NULL;
	ntracks = 0;
	last_state[0] = '\0';
	PlanSettleInit(&settle);
	settling = false;
}

/*
 * Carry each broker's track over to this check's brokers (in->brokers'
 * order), update the slow counts from this check's latencies (a broker's
 * report older than a lease counts as nothing measured) and say which are
 * slow.
 */
static void
track_brokers(const CatalogBalancerInputs *in, bool *slow)
{
	BrokerTrack *t = palloc0(sizeof(BrokerTrack) * (size_t) Max(in->nbrokers, 1));

	for (int i = 0; i < in->nbrokers; i++)
	{
		const CatalogBalancerBroker *b = &in->brokers[i];
		int			before = 0;

		for (int k = 0; k < ntracks; k++)
			if (tracks[k].id == b->id)
			{
				t[i] = tracks[k];
				before = tracks[k].slow_checks;
			}
		t[i].id = b->id;
		t[i].slow_checks = 0;
		if (balancer_latency_threshold > 0 && b->live && b->append_latency_ms > (double) balancer_latency_threshold &&
			b->load_age_ms >= 0 && b->load_age_ms <= broker_lease_time)
			t[i].slow_checks = before + 1;
		slow[i] = t[i].slow_checks >= SLOW_CHECKS;
		if (slow[i] && before + 1 == SLOW_CHECKS)
			elog(LOG, "balancer: broker %d is slow (mean append latency %.1f ms, above balancer_latency_threshold at %d checks in a row): relieving it first",
				 b->id, b->append_latency_ms, SLOW_CHECKS);
		else if (!slow[i] && before >= SLOW_CHECKS)
			elog(LOG, "balancer: broker %d is no longer slow", b->id);
	}
	if (tracks)
		pfree(tracks);
	tracks = t;
	ntracks = in->nbrokers;
}

/* The side a run began on, if it began a report interval or more ago. */
static int8
confirmed_side(int8 side, int64 since_ms, int64 now)
{
	return side != 0 && now - since_ms >= REPORT_INTERVAL_MS ? side : 0;
}

/*
 * After the plan: the side of the band each broker is out on now.  A run
 * on one side goes on while the checks keep seeing it there; reports that
 * span a move start none (they measure the move's dip).
 */
static void
track_sides(const PlanBroker *brokers, int nbrokers, bool unsettled)
{
	int64		now = MonotonicMs();

	for (int i = 0; i < nbrokers && i < ntracks; i++)
	{
		BrokerTrack *t = &tracks[i];
		int8		in = unsettled ? 0 : brokers[i].side_in;
		int8		out = unsettled ? 0 : brokers[i].side_out;

		if (in != t->side_in)
			t->in_since_ms = now;
		if (out != t->side_out)
			t->out_since_ms = now;
		t->side_in = in;
		t->side_out = out;
	}
}

static PlanBrokerRole
role_of(const CatalogBalancerBroker *b)
{
	if (!b->live)
		return PLAN_BROKER_GONE;
	/* Still opening what it leads: keeps it, takes nothing yet. */
	if (b->starting)
		return PLAN_BROKER_EXCLUDED;
	if (b->draining)
		return PLAN_BROKER_DRAINING;
	if (b->excluded)
		return PLAN_BROKER_EXCLUDED;
	return PLAN_BROKER_ELIGIBLE;
}

/* One word for the check's outcome, as recorded and shown by balancer status. */
static const char *
check_state(const CatalogBalancerInputs *in, const PlanParams *params, const PlanResult *plan,
			bool execute)
{
	bool		drain = false;

	for (int i = 0; i < plan->nmoves; i++)
		drain |= plan->moves[i].goal == PLAN_GOAL_DRAIN;
	if (!balancer_enabled)
		return "off";
	if (!execute)
		return "paused";
	if (plan->eligible == 0)
		return "no eligible broker";
	if (drain)
		return "draining";
	if (plan->nmoves > 0)
		return "balancing";
	if (in->balancer_moves_in_flight > 0)
		return "moves in flight";
	if (plan->out_of_band > 0 && params->unsettled)
		return "out of band, settling after moves";
	if (plan->out_of_band > 0 && !plan->confirmed && !params->balancing)
		return "out of band, to be confirmed";
	if (plan->out_of_band > 0)
		return "out of band, no move helps";
	return "balanced";
}

/*
 * Whether the brokers' reports are clear of the last round of moves (see
 * PlanSettle in plan.h): the cluster's total traffic, and its floor.
 */
static bool
reports_settled(const CatalogBalancerInputs *in)
{
	double		total = 0;
	int			live = 0;

	for (int i = 0; i < in->nparts; i++)
		total += in->parts[i].bytes_in_rate + in->parts[i].bytes_out_rate;
	for (int i = 0; i < in->nbrokers; i++)
		live += in->brokers[i].live;
	return PlanSettleStep(&settle, in->moves_in_flight, in->last_move_age_ms, total,
						  (double) balancer_band / 100.0, (double) balancer_min_load * live,
						  REPORT_INTERVAL_MS, MonotonicMs());
}

/*
 * The planner's view of the inputs: brokers (their role, slow ones listed
 * in slow_ids) and partitions (by their owner, the move's target if one is
 * in flight), and the parameters of this check.
 */
static void
plan_inputs(const CatalogBalancerInputs *in, PlanBroker *brokers, PlanPartition *parts,
			PlanParams *params, int32 *slow_ids, int *nslow)
{
	bool	   *slow = palloc0(sizeof(bool) * (size_t) Max(in->nbrokers, 1));
	int64		now = MonotonicMs();

	track_brokers(in, slow);
	*nslow = 0;
	for (int i = 0; i < in->nbrokers; i++)
	{
		brokers[i].id = in->brokers[i].id;
		brokers[i].role = role_of(&in->brokers[i]);
		brokers[i].slow = slow[i] && brokers[i].role == PLAN_BROKER_ELIGIBLE;
		brokers[i].confirmed_in = confirmed_side(tracks[i].side_in, tracks[i].in_since_ms, now);
		brokers[i].confirmed_out = confirmed_side(tracks[i].side_out, tracks[i].out_since_ms, now);
		if (brokers[i].slow)
			slow_ids[(*nslow)++] = brokers[i].id;
	}
	pfree(slow);
	for (int i = 0; i < in->nparts; i++)
	{
		const CatalogBalancerPartition *cp = &in->parts[i];

		parts[i].owner = cp->target >= 0 ? cp->target : cp->leader;
		parts[i].moving = cp->target >= 0;
		parts[i].excluded = cp->excluded;
		parts[i].recent = cp->recent;
		parts[i].in = cp->bytes_in_rate;
		parts[i].out = cp->bytes_out_rate;
	}
	params->band = (double) balancer_band / 100.0;
	params->min_load = (double) balancer_min_load;
	params->move_threshold = (double) balancer_move_threshold / 100.0;
	params->max_moves = (int) Max(balancer_max_moves - in->balancer_moves_in_flight, 0);
	params->balancing = balancing;
	params->unsettled = !reports_settled(in);
	settling = params->unsettled && in->moves_in_flight == 0;
}

/* The plan's moves as the catalog records (and makes) them. */
static CatalogBalancerAction *
plan_actions(const CatalogBalancerInputs *in, const PlanResult *plan)
{
	CatalogBalancerAction *actions = palloc0(sizeof(CatalogBalancerAction) * (size_t) Max(plan->nmoves, 1));

	for (int i = 0; i < plan->nmoves; i++)
	{
		const PlanMove *m = &plan->moves[i];
		const CatalogBalancerPartition *cp = &in->parts[m->partition];

		actions[i].topic = cp->topic;
		actions[i].partition = cp->partition;
		actions[i].from = m->from;
		actions[i].to = m->to;
		actions[i].goal = PlanGoalName(m->goal);
		actions[i].bytes_in_rate = cp->bytes_in_rate;
		actions[i].bytes_out_rate = cp->bytes_out_rate;
		actions[i].from_pct = m->from_pct;
		actions[i].to_pct = m->to_pct;
	}
	return actions;
}

/* Log each move made or refused, and the state when it changes. */
static void
log_check(const CatalogBalancerInputs *in, const PlanResult *plan, const CatalogBalancerAction *actions,
		  bool execute, const char *state)
{
	for (int i = 0; i < plan->nmoves && execute; i++)
	{
		const CatalogBalancerAction *a = &actions[i];

		if (a->move_id > 0)
			elog(LOG, "balancer: moving partition %d of topic \"%s\" from broker %d (%.0f%% of the mean traffic) to broker %d (%.0f%%) for %s (move %lld)",
				 a->partition, a->topic, a->from, a->from_pct, a->to, a->to_pct, a->goal, (long long) a->move_id);
		else
			elog(LOG, "balancer: did not move partition %d of topic \"%s\" from broker %d to broker %d: %s",
				 a->partition, a->topic, a->from, a->to, a->outcome);
	}
	if (strcmp(state, last_state) != 0)
	{
		/* Each move is logged on its own; the resting states once each. */
		bool		resting = plan->nmoves == 0 && in->balancer_moves_in_flight == 0;

		elog(resting ? LOG : DEBUG1,
			 "balancer: %s (%d eligible brokers, mean %.0f B/s in and %.0f B/s out, %d out of the %d%% band)",
			 state, plan->eligible, plan->mean_in, plan->mean_out, plan->out_of_band, (int) balancer_band);
		strlcpy_s(last_state, state, sizeof(last_state));
	}
}

/*
 * One check, on the controller every balancer_interval: load the inputs,
 * plan, let auto-scaling look at the same inputs, record the check and its
 * moves in the catalog (which makes the moves, unless paused), log.
 * false: a catalog failure (err).
 */
static bool
balancer_check(PGconn *conn, char *err, size_t errlen)
{
	CatalogBalancerInputs in;
	PlanBroker *brokers;
	PlanPartition *parts;
	PlanParams	params;
	PlanResult	plan;
	int32	   *slow_ids;
	int			nslow;
	CatalogBalancerCheck check;
	CatalogBalancerAction *actions;
	ScalingSummary scaling;
	bool		execute;
	char		why_not[300];
	const char *state;

	if (!CatalogBalancerLoad(conn, RECENT_MOVE_INTERVALS * balancer_interval, &in, err, errlen))
		return false;

	brokers = palloc0(sizeof(PlanBroker) * (size_t) Max(in.nbrokers, 1));
	slow_ids = palloc(sizeof(int32) * (size_t) Max(in.nbrokers, 1));
	parts = palloc0(sizeof(PlanPartition) * (size_t) Max(in.nparts, 1));
	plan_inputs(&in, brokers, parts, &params, slow_ids, &nslow);
	BalancerPlan(brokers, in.nbrokers, parts, in.nparts, &params, &plan);
	track_sides(brokers, in.nbrokers, params.unsettled);

	execute = balancer_enabled && !in.paused;
	if (!balancer_enabled)
		snprintf(why_not, sizeof(why_not), "balancer = off on the controller");
	else if (in.paused)
		snprintf(why_not, sizeof(why_not), "the balancer is paused%s%s",
				 in.pause_reason[0] ? ": " : "", in.pause_reason);
	else
		why_not[0] = '\0';
	state = check_state(&in, &params, &plan, execute);

	/* Auto-scaling looks at the same inputs (balancer/scaling.c). */
	if (!ScalingStep(conn, &in, &scaling, err, errlen))
	{
		CatalogBalancerFree(&in);
		return false;
	}

	memset(&check, 0, sizeof(check));
	check.controller = (int32) broker_id;
	check.state = state;
	check.eligible = plan.eligible;
	check.mean_in = plan.mean_in;
	check.mean_out = plan.mean_out;
	check.band_pct = (int) balancer_band;
	check.min_load = balancer_min_load;
	check.threshold_pct = (int) balancer_move_threshold;
	check.out_of_band = plan.out_of_band;
	check.slow = slow_ids;
	check.nslow = nslow;
	check.in_flight = in.balancer_moves_in_flight;
	check.utilisation_pct = scaling.utilisation_pct;
	check.capacity = scaling.capacity;
	check.desired_brokers = scaling.desired;
	check.scaling = scaling.decision[0] ? scaling.decision : NULL;
	check.execute = execute;
	check.why_not = why_not;
	actions = plan_actions(&in, &plan);
	if (!CatalogBalancerRecord(conn, &check, actions, plan.nmoves, err, errlen))
	{
		CatalogBalancerFree(&in);
		return false;
	}
	log_check(&in, &plan, actions, execute, state);
	if (execute)
		balancing = plan.balancing;

	/*
	 * A plan cut short by balancer_max_moves goes on as its moves
	 * complete; otherwise the next check waits for the interval, and so
	 * for fresh reports of the brokers the moves changed.
	 */
	more_to_do = plan.more;
	for (int i = 0; i < plan.nmoves; i++)
		more_to_do |= plan.moves[i].goal == PLAN_GOAL_DRAIN;
	/* A scale-in goes on (its command starts) as its drain completes. */
	more_to_do |= strcmp(in.scaling.state, "draining") == 0;

	pfree(actions);
	pfree(plan.moves);
	pfree(parts);
	pfree(brokers);
	pfree(slow_ids);
	CatalogBalancerFree(&in);
	return true;
}

bool
BalancerStep(PGconn *conn, int notified, int64 *wait_ms, char *err, size_t errlen)
{
	int64		now = MonotonicMs();

	if (notified & (CONTROLLER_NOTIFIED_BROKERS | CONTROLLER_NOTIFIED_BALANCER))
		next_check_ms = Min(next_check_ms, Max(now, last_check_ms + NOTIFIED_CHECK_GAP_MS));
	if ((notified & CONTROLLER_NOTIFIED_PARTITIONS) && more_to_do)
		next_check_ms = Min(next_check_ms, Max(now, last_check_ms + MOVE_DONE_CHECK_GAP_MS));
	/* A scaling command ended: record it, and go on with its action. */
	if (ScalingCommandEnded())
		next_check_ms = Min(next_check_ms, Max(now, last_check_ms + MOVE_DONE_CHECK_GAP_MS));
	next_check_ms = Max(next_check_ms, not_before_ms);
	if (now >= next_check_ms)
	{
		if (!balancer_check(conn, err, errlen))
		{
			*wait_ms = 0;
			return false;
		}
		last_check_ms = MonotonicMs();
		next_check_ms = last_check_ms + balancer_interval;
		/* Waiting for the reports to settle: look at each new one. */
		if (settling)
			next_check_ms = Min(next_check_ms, last_check_ms + REPORT_INTERVAL_MS);
	}
	*wait_ms = Max(next_check_ms - MonotonicMs(), 0);
	return true;
}
