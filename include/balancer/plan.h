/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  The balancer's planning: given the brokers, the partitions and their
 *	  traffic, which partitions to move where (doc/balancer.md, "Goals").
 *
 *	  A pure function over its inputs: no catalog, no shared memory, no
 *	  clock.  The balancer process (balancer/balancer.c) fills the inputs
 *	  from the catalog, keeps the state that spans checks (the hysteresis
 *	  flag, which brokers have been slow), and requests the moves.
 *
 *	  Goals, in order:
 *	  1. drain: every partition of a draining broker goes to the eligible
 *	     broker that would carry the least traffic relative to the mean;
 *	  2. latency: a slow broker (append latency above the threshold for
 *	     consecutive checks) is relieved down to the bottom of the band,
 *	     largest partitions first, onto brokers that are not slow and stay
 *	     within the band;
 *	  3. traffic: each eligible broker's bytes in and bytes out within the
 *	     band around the mean (band_pct).  A broker is out of band when it
 *	     is more than band * mean away from the mean in either direction,
 *	     unless both it and the mean are below the floor (min_load).  Once
 *	     a broker has been out of band on the same side (above or below,
 *	     in or out) at every check across a report interval or more (so
 *	     that a burst, a dip, or report windows that catch a bursty
 *	     producer differently on different brokers, is not taken for a
 *	     change of load), moves are chosen greedily, the one that
 *	     most reduces the squared excess beyond HALF the band first, until
 *	     none is left or no move reduces it (hysteresis: a broker just
 *	     inside the band after balancing does not trigger it again);
 *	  4. partition counts: with every broker within the band and no other
 *	     move made, partitions that carry no more than the move threshold
 *	     are moved from the broker with the most partitions to the one with
 *	     the fewest while the counts differ by more than one, only where
 *	     both stay within half the band.
 *	  Traffic moves skip partitions carrying less than move_threshold of
 *	  the mean broker's traffic; no goal moves a partition that is moving,
 *	  of an excluded topic (except to drain), or moved recently; nothing
 *	  moves onto a broker that is excluded, draining, not live or slow; at
 *	  most max_moves moves are planned.
 *
 * include/balancer/plan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BALANCER_PLAN_H
#define STRATA_BALANCER_PLAN_H

#include "c.h"

typedef enum PlanBrokerRole
{
	PLAN_BROKER_ELIGIBLE,		/* live: may give and take partitions */
	PLAN_BROKER_EXCLUDED,		/* excluded by the operator: left alone */
	PLAN_BROKER_DRAINING,		/* to be emptied (scale-in or operator) */
	PLAN_BROKER_GONE			/* not live, or stopping */
} PlanBrokerRole;

typedef enum PlanGoal
{
	PLAN_GOAL_DRAIN,
	PLAN_GOAL_LATENCY,
	PLAN_GOAL_BYTES_IN,
	PLAN_GOAL_BYTES_OUT,
	PLAN_GOAL_PARTITIONS
} PlanGoal;

/* The goal's name as recorded in the catalog ("drain", "bytes_in", ...). */
extern const char *PlanGoalName(PlanGoal goal);

typedef struct PlanBroker
{
	int32		id;
	PlanBrokerRole role;
	bool		slow;			/* append latency high for consecutive checks */
	/*
	 * The side of the band (+1 above, -1 below, 0 neither) its bytes in and
	 * bytes out have been out on at every check since one a report interval
	 * or more ago: out of band there, and still on that side now, confirms.
	 */
	int8		confirmed_in;
	int8		confirmed_out;
	/* set by BalancerPlan: the side it is out of band on now, before the plan */
	int8		side_in;
	int8		side_out;
	/* set by BalancerPlan: what it leads or is about to, after the plan */
	double		in;				/* bytes per second */
	double		out;
	int			partitions;
} PlanBroker;

typedef struct PlanPartition
{
	int32		owner;			/* the move target if moving, else the leader; -1 none */
	bool		moving;			/* a move is in flight */
	bool		excluded;		/* its topic is excluded from balancing */
	bool		recent;			/* moved within the cool-down */
	double		in;				/* bytes per second */
	double		out;
} PlanPartition;

typedef struct PlanParams
{
	double		band;			/* a fraction: 0.10 is +-10 % around the mean */
	double		min_load;		/* the floor, bytes per second */
	double		move_threshold; /* a fraction of the mean broker's in + out */
	int			max_moves;		/* moves that may be planned now */
	bool		balancing;		/* the hysteresis state left by the last check */
	bool		unsettled;		/* the reports still span the last move: no
								 * traffic move now, the round goes on later */
} PlanParams;

typedef struct PlanMove
{
	int			partition;		/* index into the partitions given */
	int32		from;
	int32		to;
	PlanGoal	goal;
	/* the source and target brokers' traffic relative to the mean, before */
	double		from_pct;
	double		to_pct;
} PlanMove;

typedef struct PlanResult
{
	PlanMove   *moves;			/* palloc'd, max_moves long at most */
	int			nmoves;
	int			eligible;		/* eligible brokers */
	double		mean_in;		/* per eligible broker, draining load included */
	double		mean_out;
	int			out_of_band;	/* eligible brokers out of the band before the plan */
	bool		confirmed;		/* one of them on the side it was on before */
	bool		balancing;		/* the hysteresis state for the next check */
	bool		more;			/* the plan was cut short by max_moves */
} PlanResult;

/*
 * Plan.  Fills each broker's in/out/partitions with its load after the
 * planned moves, and *result.  Brokers are matched to partitions' owners
 * by id; partitions whose owner is not among the brokers are ignored.
 * Deterministic: ties go to the lower broker id and the lower partition
 * index.
 */
extern void BalancerPlan(PlanBroker *brokers, int nbrokers, const PlanPartition *parts, int nparts,
						 const PlanParams *params, PlanResult *result);

/*
 * Whether the brokers' reports are clear of the last round of moves, kept
 * from check to check by the balancer process.  A report is a rate over
 * the interval since the broker's previous one, and one that spans a move
 * sees the dip the move causes while producers find the new leader; after
 * the dip come the producers' catch-up bursts, on whichever brokers lead
 * the partitions they were holding back.  Neither is a change of load, and
 * moves planned from them are undone by the next round.  So after moves,
 * the reports are settled once the last move finished two report
 * intervals ago AND the cluster's total traffic (every partition's bytes
 * in and out) is steady again: two checks a report interval or more apart
 * that agree within the band (or are both below the floor).  A load that
 * is ramping is never steady: SETTLE_MAX_REPORTS report intervals after the
 * moves, the reports count as settled whatever the total does.  Once
 * settled, they stay so until the next move.
 */
#define SETTLE_MAX_REPORTS	6

typedef struct PlanSettle
{
	int64		move_done_ms;	/* when the last move seen finished; -1 none */
	bool		settled;		/* clear of it, and steady since */
	double		ref_total;		/* the total at an earlier check since then */
	int64		ref_ms;			/* when; -1 none */
} PlanSettle;

extern void PlanSettleInit(PlanSettle *s);

/*
 * One check: moves in flight, the age of the last move that finished (-1:
 * none ever), the cluster's total traffic in bytes per second, the band
 * (a fraction) and the floor of that total, the report interval and the
 * caller's clock.  true: settled.
 */
extern bool PlanSettleStep(PlanSettle *s, int moves_in_flight, int64 last_move_age_ms, double total,
						   double band, double floor, int64 report_ms, int64 now_ms);

#endif							/* STRATA_BALANCER_PLAN_H */
