/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  The balancer's planning (see balancer/plan.h for the goals).
 *
 *	  The traffic goal's measure of imbalance: for each eligible broker and
 *	  each direction (bytes in, bytes out), the distance from the mean
 *	  beyond the tolerated band, as a fraction of the mean, squared; zero
 *	  when the broker and the mean are both below the floor.  Squaring
 *	  makes the greedy choice relieve the worst broker first, and a move
 *	  that only shifts the excess from one broker to another gains nothing,
 *	  so a partition is never moved back and forth between two brokers (nor
 *	  is a partition as big as the gap between them, whose move the noise
 *	  in the rates could make look worth it; see MAX_GAP_SHARE).
 *
 *	  Runs in the balancer process (any process: it touches no shared
 *	  state); allocates the result with palloc.
 *
 * src/backend/balancer/plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <math.h>
#include <stdlib.h>

#include "balancer/plan.h"

/* A move must reduce the imbalance by more than this to be worth making. */
#define MIN_GAIN	1e-6

/*
 * ... and the partition must be no bigger than this share of the gap
 * between the two brokers, in the direction the move is for.  Moving a
 * partition as big as the gap hands one broker's excess (or shortfall) to
 * the other: it gains nothing in principle, but the partitions' rates
 * differ a little from report to report, so such a move gains a hair one
 * way and at the next report a hair the other way; with partitions that
 * do not divide evenly among the brokers it would be made again and
 * again.  At three quarters of the gap or less, a move at least halves
 * the gap.
 */
#define MAX_GAP_SHARE	0.75

typedef struct PlanState
{
	PlanBroker *brokers;
	int			nbrokers;
	const PlanPartition *parts;
	int			nparts;
	const PlanParams *params;
	int		   *owner;			/* per partition: broker index, or -1 */
	bool	   *planned;		/* per partition: moved by this plan */
	double		mean_in;
	double		mean_out;
	PlanResult *result;
} PlanState;

const char *
PlanGoalName(PlanGoal goal)
{
	switch (goal)
	{
		case PLAN_GOAL_DRAIN:
			return "drain";
		case PLAN_GOAL_LATENCY:
			return "latency";
		case PLAN_GOAL_BYTES_IN:
			return "bytes_in";
		case PLAN_GOAL_BYTES_OUT:
			return "bytes_out";
		case PLAN_GOAL_PARTITIONS:
			return "partitions";
	}
	return "unknown";
}

/* One direction's excess beyond the band tolerance (a fraction), squared. */
static double
dim_cost(double x, double mean, double tolerance, double floor)
{
	double		e;

	if (x < floor && mean < floor)
		return 0;
	e = fabs(x - mean) - tolerance * mean;
	if (e <= 0)
		return 0;
	e /= Max(mean, Max(floor, 1.0));
	return e * e;
}

static double
cost_in(const PlanState *s, double in, double tolerance)
{
	return dim_cost(in, s->mean_in, tolerance, s->params->min_load);
}

static double
cost_out(const PlanState *s, double out, double tolerance)
{
	return dim_cost(out, s->mean_out, tolerance, s->params->min_load);
}

static double
broker_cost(const PlanState *s, const PlanBroker *b, double tolerance)
{
	return cost_in(s, b->in, tolerance) + cost_out(s, b->out, tolerance);
}

static bool
can_receive(const PlanBroker *b)
{
	return b->role == PLAN_BROKER_ELIGIBLE && !b->slow;
}

/* Traffic relative to the mean, in percent, for the record. */
static double
load_pct(const PlanState *s, const PlanBroker *b)
{
	double		mean = s->mean_in + s->mean_out;

	return mean > 0 ? (b->in + b->out) / mean * 100.0 : 0;
}

static void
apply_move(PlanState *s, int p, int to, PlanGoal goal)
{
	PlanBroker *from = &s->brokers[s->owner[p]];
	PlanBroker *dest = &s->brokers[to];
	PlanResult *r = s->result;
	PlanMove   *m = &r->moves[r->nmoves++];

	m->partition = p;
	m->from = from->id;
	m->to = dest->id;
	m->goal = goal;
	m->from_pct = load_pct(s, from);
	m->to_pct = load_pct(s, dest);
	from->in -= s->parts[p].in;
	from->out -= s->parts[p].out;
	from->partitions--;
	dest->in += s->parts[p].in;
	dest->out += s->parts[p].out;
	dest->partitions++;
	s->owner[p] = to;
	s->planned[p] = true;
}

static bool
room(const PlanState *s)
{
	return s->result->nmoves < s->params->max_moves;
}

/* Partition indexes of broker b's partitions, largest traffic first. */
static const PlanState *sort_state;

static int
by_load_desc(const void *a, const void *b)
{
	const PlanPartition *pa = &sort_state->parts[*(const int *) a];
	const PlanPartition *pb = &sort_state->parts[*(const int *) b];
	double		la = pa->in + pa->out;
	double		lb = pb->in + pb->out;

	if (la != lb)
		return la > lb ? -1 : 1;
	return (*(const int *) a > *(const int *) b) - (*(const int *) a < *(const int *) b);
}

static int
partitions_of(PlanState *s, int b, int *out)
{
	int			n = 0;

	for (int p = 0; p < s->nparts; p++)
		if (s->owner[p] == b && !s->parts[p].moving && !s->planned[p])
			out[n++] = p;
	sort_state = s;
	qsort(out, (size_t) n, sizeof(int), by_load_desc);
	return n;
}

/*
 * The receiving broker that would carry the least traffic relative to the
 * mean after taking partition p (fewest partitions, then lowest id, among
 * equals); -1 if none may receive.  With every receiver slow, a slow one.
 */
static int
least_loaded_receiver(const PlanState *s, int p, bool allow_slow)
{
	int			best = -1;
	double		best_load = 0;

	for (int b = 0; b < s->nbrokers; b++)
	{
		const PlanBroker *d = &s->brokers[b];
		double		load;

		if (d->role != PLAN_BROKER_ELIGIBLE || (d->slow && !allow_slow) || b == s->owner[p])
			continue;
		load = (d->in + s->parts[p].in) / Max(s->mean_in, 1.0) +
			(d->out + s->parts[p].out) / Max(s->mean_out, 1.0);
		if (best < 0 || load < best_load ||
			(load == best_load && d->partitions < s->brokers[best].partitions))
		{
			best = b;
			best_load = load;
		}
	}
	return best;
}

/* Goal 1: empty the draining brokers. */
static void
plan_drain(PlanState *s, int *scratch)
{
	bool		any_receiver = false;

	for (int b = 0; b < s->nbrokers; b++)
		any_receiver |= can_receive(&s->brokers[b]);
	for (int b = 0; b < s->nbrokers && room(s); b++)
	{
		int			n;

		if (s->brokers[b].role != PLAN_BROKER_DRAINING)
			continue;
		n = partitions_of(s, b, scratch);
		for (int i = 0; i < n && room(s); i++)
		{
			int			to = least_loaded_receiver(s, scratch[i], !any_receiver);

			if (to < 0)
				return;
			apply_move(s, scratch[i], to, PLAN_GOAL_DRAIN);
		}
	}
}

/* May p move for a traffic or latency goal? */
static bool
movable(const PlanState *s, int p)
{
	const PlanPartition *pp = &s->parts[p];

	return !pp->moving && !pp->excluded && !pp->recent && !s->planned[p];
}

/* Would broker d stay within the band (top) after taking partition p? */
static bool
fits(const PlanState *s, const PlanBroker *d, int p, double tolerance)
{
	double		in = d->in + s->parts[p].in;
	double		out = d->out + s->parts[p].out;
	double		floor = s->params->min_load;

	return (in <= s->mean_in * (1 + tolerance) || (in < floor && s->mean_in < floor)) &&
		(out <= s->mean_out * (1 + tolerance) || (out < floor && s->mean_out < floor));
}

/* Is broker b above the bottom of the band in either direction? */
static bool
above_bottom(const PlanState *s, const PlanBroker *b)
{
	double		floor = s->params->min_load;

	return (b->in > s->mean_in * (1 - s->params->band) && b->in >= floor) ||
		(b->out > s->mean_out * (1 - s->params->band) && b->out >= floor);
}

/* Does a carry less traffic than b (fewer partitions among equals)? */
static bool
lighter(const PlanBroker *a, const PlanBroker *b)
{
	double		la = a->in + a->out;
	double		lb = b->in + b->out;

	return la < lb || (la == lb && a->partitions < b->partitions);
}

/* Goal 2: relieve slow brokers, largest partitions first. */
static void
plan_latency(PlanState *s, int *scratch)
{
	for (int b = 0; b < s->nbrokers && room(s); b++)
	{
		PlanBroker *slow = &s->brokers[b];
		int			n;

		if (slow->role != PLAN_BROKER_ELIGIBLE || !slow->slow)
			continue;
		n = partitions_of(s, b, scratch);
		for (int i = 0; i < n && room(s) && above_bottom(s, slow); i++)
		{
			int			p = scratch[i];
			int			best = -1;

			if (!movable(s, p) || s->parts[p].in + s->parts[p].out <= 0)
				continue;
			for (int d = 0; d < s->nbrokers; d++)
			{
				if (d == b || !can_receive(&s->brokers[d]) || !fits(s, &s->brokers[d], p, s->params->band))
					continue;
				if (best < 0 || lighter(&s->brokers[d], &s->brokers[best]))
					best = d;
			}
			if (best >= 0)
				apply_move(s, p, best, PLAN_GOAL_LATENCY);
		}
	}
}

static bool
out_of_band(const PlanState *s, const PlanBroker *b)
{
	return b->role == PLAN_BROKER_ELIGIBLE && broker_cost(s, b, s->params->band) > 0;
}

/* The side of the band x is out on: +1 above, -1 below, 0 within (or under the floor). */
static int8
band_side(double x, double mean, double band, double floor)
{
	if (dim_cost(x, mean, band, floor) <= 0)
		return 0;
	return x > mean ? 1 : -1;
}

/*
 * Set b's sides of the band now; true if one of them is the side it was
 * already out on a report interval or more ago (the excess is confirmed).
 */
static bool
broker_sides(const PlanState *s, PlanBroker *b)
{
	b->side_in = b->side_out = 0;
	if (b->role != PLAN_BROKER_ELIGIBLE)
		return false;
	b->side_in = band_side(b->in, s->mean_in, s->params->band, s->params->min_load);
	b->side_out = band_side(b->out, s->mean_out, s->params->band, s->params->min_load);
	return (b->side_in != 0 && b->side_in == b->confirmed_in) ||
		(b->side_out != 0 && b->side_out == b->confirmed_out);
}

static double
total_cost(const PlanState *s, double tolerance)
{
	double		c = 0;

	for (int b = 0; b < s->nbrokers; b++)
		if (s->brokers[b].role == PLAN_BROKER_ELIGIBLE)
			c += broker_cost(s, &s->brokers[b], tolerance);
	return c;
}

/*
 * Goal 3: greedy moves towards half the band.  Returns false if it stopped
 * because no move helps (true: balanced, or out of room).
 */
static bool
plan_traffic(PlanState *s)
{
	double		tolerance = s->params->band / 2;
	double		threshold = s->params->move_threshold * (s->mean_in + s->mean_out);

	while (total_cost(s, tolerance) > 0)
	{
		int			best_p = -1,
					best_d = -1;
		double		best_gain = MIN_GAIN;
		double		best_gain_in = 0,
					best_gain_out = 0;

		if (!room(s))
			return true;
		for (int p = 0; p < s->nparts; p++)
		{
			const PlanPartition *pp = &s->parts[p];
			int			o = s->owner[p];
			PlanBroker *from;
			double		from_in,
						from_out;

			if (o < 0 || !movable(s, p) || pp->in + pp->out <= 0 || pp->in + pp->out < threshold)
				continue;
			from = &s->brokers[o];
			if (from->role != PLAN_BROKER_ELIGIBLE)
				continue;
			from_in = cost_in(s, from->in, tolerance) - cost_in(s, from->in - pp->in, tolerance);
			from_out = cost_out(s, from->out, tolerance) - cost_out(s, from->out - pp->out, tolerance);
			for (int d = 0; d < s->nbrokers; d++)
			{
				PlanBroker *to = &s->brokers[d];
				double		gain_in,
							gain_out,
							gain;

				if (d == o || !can_receive(to))
					continue;
				gain_in = from_in + cost_in(s, to->in, tolerance) - cost_in(s, to->in + pp->in, tolerance);
				gain_out = from_out + cost_out(s, to->out, tolerance) - cost_out(s, to->out + pp->out, tolerance);
				gain = gain_in + gain_out;
				if (gain_in >= gain_out ? pp->in > MAX_GAP_SHARE * (from->in - to->in) :
					pp->out > MAX_GAP_SHARE * (from->out - to->out))
					continue;
				/* Among equal gains, even out the partition counts. */
				if (gain > best_gain + 1e-12 ||
					(best_p >= 0 && fabs(gain - best_gain) <= 1e-12 &&
					 to->partitions - from->partitions <
					 s->brokers[best_d].partitions - s->brokers[s->owner[best_p]].partitions))
				{
					best_p = p;
					best_d = d;
					best_gain = gain;
					best_gain_in = gain_in;
					best_gain_out = gain_out;
				}
			}
		}
		if (best_p < 0)
			return false;
		apply_move(s, best_p, best_d, best_gain_in >= best_gain_out ? PLAN_GOAL_BYTES_IN : PLAN_GOAL_BYTES_OUT);
	}
	return true;
}

/* Goal 4: even partition counts, with partitions that carry little. */
static void
plan_counts(PlanState *s)
{
	double		tolerance = s->params->band / 2;
	double		threshold = s->params->move_threshold * (s->mean_in + s->mean_out);

	while (room(s))
	{
		int			hi = -1,
					lo = -1,
					best = -1;
		PlanBroker *h,
				   *l;

		for (int b = 0; b < s->nbrokers; b++)
		{
			const PlanBroker *x = &s->brokers[b];

			if (x->role != PLAN_BROKER_ELIGIBLE)
				continue;
			if (hi < 0 || x->partitions > s->brokers[hi].partitions)
				hi = b;
			if (can_receive(x) && (lo < 0 || x->partitions < s->brokers[lo].partitions))
				lo = b;
		}
		if (hi < 0 || lo < 0 || s->brokers[hi].partitions - s->brokers[lo].partitions <= 1)
			return;
		h = &s->brokers[hi];
		l = &s->brokers[lo];
		for (int p = 0; p < s->nparts; p++)
		{
			const PlanPartition *pp = &s->parts[p];
			PlanBroker	h2 = *h,
						l2 = *l;

			if (s->owner[p] != hi || !movable(s, p) || pp->in + pp->out > threshold)
				continue;
			h2.in -= pp->in;
			h2.out -= pp->out;
			l2.in += pp->in;
			l2.out += pp->out;
			if (broker_cost(s, &h2, tolerance) > 0 || broker_cost(s, &l2, tolerance) > 0)
				continue;
			if (best < 0 || pp->in + pp->out < s->parts[best].in + s->parts[best].out)
				best = p;
		}
		if (best < 0)
			return;
		apply_move(s, best, lo, PLAN_GOAL_PARTITIONS);
	}
}

void
BalancerPlan(PlanBroker *brokers, int nbrokers, const PlanPartition *parts, int nparts,
			 const PlanParams *params, PlanResult *result)
{
	PlanState	s;
	int		   *scratch;
	double		total_in = 0,
				total_out = 0;
	bool		active;

	memset(result, 0, sizeof(*result));
	memset(&s, 0, sizeof(s));
	s.brokers = brokers;
	s.nbrokers = nbrokers;
	s.parts = parts;
	s.nparts = nparts;
	s.params = params;
	s.result = result;
	s.owner = palloc(sizeof(int) * (size_t) Max(nparts, 1));
	s.planned = palloc0(sizeof(bool) * (size_t) Max(nparts, 1));
	scratch = palloc(sizeof(int) * (size_t) Max(nparts, 1));
	result->moves = palloc(sizeof(PlanMove) * (size_t) Max(params->max_moves, 1));

	for (int b = 0; b < nbrokers; b++)
	{
		brokers[b].in = brokers[b].out = 0;
		brokers[b].partitions = 0;
	}
	for (int p = 0; p < nparts; p++)
	{
		s.owner[p] = -1;
		for (int b = 0; b < nbrokers; b++)
			if (brokers[b].id == parts[p].owner)
			{
				s.owner[p] = b;
				brokers[b].in += parts[p].in;
				brokers[b].out += parts[p].out;
				brokers[b].partitions++;
				break;
			}
	}
	/* The mean: what the eligible brokers carry once the draining are empty. */
	for (int b = 0; b < nbrokers; b++)
		if (brokers[b].role == PLAN_BROKER_ELIGIBLE || brokers[b].role == PLAN_BROKER_DRAINING)
		{
			total_in += brokers[b].in;
			total_out += brokers[b].out;
			result->eligible += brokers[b].role == PLAN_BROKER_ELIGIBLE;
		}
	if (result->eligible > 0)
	{
		s.mean_in = total_in / result->eligible;
		s.mean_out = total_out / result->eligible;
	}
	result->mean_in = s.mean_in;
	result->mean_out = s.mean_out;
	for (int b = 0; b < nbrokers; b++)
	{
		result->out_of_band += out_of_band(&s, &brokers[b]);
		result->confirmed |= broker_sides(&s, &brokers[b]);
	}
	active = result->confirmed || params->balancing;
	result->balancing = active;

	if (result->eligible > 0)
	{
		plan_drain(&s, scratch);
		plan_latency(&s, scratch);
		/*
		 * A round goes on only from reports clear of its moves: a report
		 * that spans a move measures the dip the move causes, and moves
		 * planned from it are undone by the next round.
		 */
		if (active && room(&s) && !params->unsettled)
			result->balancing = plan_traffic(&s) && total_cost(&s, params->band / 2) > 0;
		if (result->nmoves == 0 && result->out_of_band == 0 && !result->balancing)
			plan_counts(&s);
		/* Cut short: something was still to do when the room ran out. */
		result->more = !room(&s) && params->max_moves > 0;
	}
	else
		result->balancing = false;

	pfree(scratch);
	pfree(s.planned);
	pfree(s.owner);
}

void
PlanSettleInit(PlanSettle *s)
{
	s->move_done_ms = -1;
	s->settled = true;
	s->ref_total = 0;
	s->ref_ms = -1;
}

bool
PlanSettleStep(PlanSettle *s, int moves_in_flight, int64 last_move_age_ms, double total,
			   double band, double floor, int64 report_ms, int64 now_ms)
{
	int64		done_ms;

	if (moves_in_flight > 0)
	{
		s->settled = false;
		s->ref_ms = -1;
		return false;
	}
	if (last_move_age_ms < 0)
	{
		s->settled = true;
		return true;
	}

	/*
	 * The same move's finish, seen from this clock, moves by the time the
	 * catalog's statement takes; another move's by a check or more.
	 */
	done_ms = now_ms - last_move_age_ms;
	if (s->move_done_ms < 0 || llabs(done_ms - s->move_done_ms) > report_ms / 2)
	{
		s->move_done_ms = done_ms;
		s->settled = false;
		s->ref_ms = -1;
	}
	if (s->settled)
		return true;
	/* Reports that may span the move measure its dip: not even a reference. */
	if (last_move_age_ms < 2 * report_ms)
		return false;
	if (last_move_age_ms >= SETTLE_MAX_REPORTS * report_ms)
		s->settled = true;
	else if (s->ref_ms < 0 || now_ms - s->ref_ms >= report_ms)
	{
		double		hi = Max(total, s->ref_total);

		if (s->ref_ms >= 0 && (fabs(total - s->ref_total) <= band * hi || hi < floor))
			s->settled = true;
		s->ref_total = total;
		s->ref_ms = now_ms;
	}
	/* else: the same reports as the reference, or nearly; wait */
	return s->settled;
}
