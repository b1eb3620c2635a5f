/*-------------------------------------------------------------------------
 *
 * scaling.h
 *	  Auto-scaling (balancer/scaling.c): on the broker that holds the
 *	  controller role, at each balancer check, hold the cluster's
 *	  utilisation (bytes in plus out against the live brokers' summed
 *	  broker_capacity) near scaling_target by adding brokers
 *	  (scale_out_command) and removing drained ones (scale_in_command);
 *	  an emergency policy adds every broker needed at once above
 *	  scaling_emergency (doc/balancer.md, "Auto-scaling").
 *
 *	  ScalingDecide is the policy, a pure function (unit-tested);
 *	  ScalingStep carries a decision out, drives the action in progress
 *	  and runs the commands (as children of the balancer process, reaped
 *	  by ScalingReap).
 *
 * include/balancer/scaling.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BALANCER_SCALING_H
#define STRATA_BALANCER_SCALING_H

#include "c.h"

#include <libpq-fe.h>

#include "catalog/catalog_balancer.h"

typedef enum ScalingKind
{
	SCALING_NONE,
	SCALING_OUT,
	SCALING_IN,
	SCALING_CANCEL_IN			/* the load outgrew a scale-in being drained */
} ScalingKind;

typedef struct ScalingInputs
{
	int64		now_ms;			/* a monotonic clock */
	int			brokers;		/* live brokers not draining */
	double		traffic;		/* bytes per second, in plus out, of all live brokers */
	double		capacity;		/* one broker's, bytes per second; <= 0: unknown */
	bool		out_in_progress;
	bool		in_in_progress; /* draining, running or waiting */
	bool		in_draining;	/* that scale-in is still draining: its
								 * command has not started, it can be
								 * cancelled */
	int64		since_last_ms;	/* since the last action ended; -1: none ever */
	bool		last_failed;	/* it failed, or was skipped (no command set) */
	bool		can_drain;		/* the balancer is on and not paused */
	/* state kept between checks by the caller (0: none) */
	int64		above_since_ms; /* first check above scaling_target (after
								 * the last action ended, or during the
								 * drain of a scale-in) */
	int64		low_since_ms;	/* first check low enough to remove brokers */
} ScalingInputs;

typedef struct ScalingParams
{
	double		target;			/* a fraction: 0.80 */
	double		emergency;		/* a fraction: 0.90 */
	int64		out_cooldown_ms;
	int64		in_cooldown_ms;
	int64		confirm_ms;		/* above the target this long before target
								 * tracking adds, an emergency just after
								 * an action, or a drain is cancelled */
	int			min_brokers;
	int			max_brokers;
} ScalingParams;

/*
 * Scale-in removes brokers only while the ones left would run at no more
 * than this fraction of the target: a load just below the target never
 * makes brokers go and come back.
 */
#define SCALING_IN_HEADROOM		0.9

typedef struct ScalingDecision
{
	ScalingKind kind;
	bool		emergency;
	int			wanted;			/* brokers after the action */
	double		utilisation;	/* a fraction; < 0 unknown */
	int			desired;		/* brokers for the target; < 0 unknown */
	int64		above_since_ms; /* the updated state */
	int64		low_since_ms;
	char		why[256];		/* for the log and the record */
} ScalingDecision;

/*
 * The policy.  desired = ceil(traffic / (capacity * target)) within
 * [min_brokers, max_brokers]:
 * - a scale-in being drained is cancelled when utilisation exceeds the
 *   target;
 * - emergency: utilisation >= emergency and desired > brokers: add
 *   desired - brokers now (only while no scale-out is in progress; after
 *   one that failed or was skipped, not within out_cooldown; within
 *   out_cooldown of one that succeeded, once confirmed for confirm_ms
 *   after it ended: clients catching up make a spike then);
 * - target tracking: utilisation > target, confirmed for confirm_ms, and
 *   out_cooldown since the last action: add desired - brokers;
 * - scale-in: fewer brokers would do at SCALING_IN_HEADROOM of the target,
 *   continuously for in_cooldown, in_cooldown since the last action, and
 *   the balancer can drain: remove down to that number.
 */
extern void ScalingDecide(const ScalingInputs *in, const ScalingParams *params, ScalingDecision *d);

/*
 * Expand a scaling command's %n (count), %i (space-separated ids) and %%.
 * palloc'd.
 */
extern char *ScalingExpandCommand(const char *command, const int32 *ids, int nids);

/* What a check records of the scaling (strata.balancer_checks). */
typedef struct ScalingSummary
{
	double		utilisation_pct;	/* < 0: unknown */
	int64		capacity;		/* the cluster's, bytes per second; 0: unknown */
	int			desired;		/* < 0: unknown */
	char		decision[320];	/* what the policy decided and why; "" if
								 * it did not run */
} ScalingSummary;

/*
 * At a balancer check (controller only): reap the command if it ended,
 * move the action in progress along, decide, and start what was decided.
 * false (err set) when the catalog failed.
 */
extern bool ScalingStep(PGconn *conn, const CatalogBalancerInputs *in, ScalingSummary *summary,
						char *err, size_t errlen);

/*
 * Reap a scaling command that ended (the balancer process's SIGCHLD sets
 * its latch); any process state, controller or not.  Its result is
 * recorded at the next ScalingStep.
 */
extern void ScalingReap(void);

/* A command has ended and its result is still to be recorded. */
extern bool ScalingCommandEnded(void);

/* Not the controller: log a command that ended, and forget it. */
extern void ScalingDropEnded(void);

/* This process lost (or never had) the controller role. */
extern void ScalingReset(void);

#endif							/* STRATA_BALANCER_SCALING_H */
