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

#endif							/* STRATA_BALANCER_PLAN_H */
