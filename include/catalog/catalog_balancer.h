/*-------------------------------------------------------------------------
 *
 * catalog_balancer.h
 *	  The catalog's side of auto-balancing and auto-scaling (migration 8,
 *	  doc/balancer.md): the traffic every broker publishes, what the
 *	  controller's balancer reads and records, and the scaling actions.
 *
 *	  Transactions and locks, function by function:
 *	  - CatalogPublishLoad: one statement, run by each broker's catalog
 *	    worker after its lease renewal: updates the broker's row
 *	    (conditional on its epoch: a fenced broker publishes nothing) and
 *	    upserts the rows of strata.partition_load of the partitions it
 *	    leads (row locks on those rows only).
 *	  - CatalogBalancerLoad: reads in one REPEATABLE READ READ ONLY
 *	    transaction (a consistent view of brokers, partitions, loads, moves
 *	    and scaling state); no locks.
 *	  - CatalogBalancerRecord: one statement, strata.balancer_record(),
 *	    which in one transaction inserts the check, requests each move it
 *	    is asked to request through strata.move_partition (locking the
 *	    partition row; a refused move is recorded with the refusal, the
 *	    others go ahead), and prunes old checks and the traffic rows of
 *	    deleted partitions.
 *	  - CatalogScalingBegin, CatalogScalingUpdate: one statement each, on
 *	    strata.scaling_actions and strata.balancer_draining (row locks of
 *	    the rows they change).
 *
 *	  Every function returns false with one line in err on failure and
 *	  leaves no transaction open.  None raises an ERROR.
 *
 * include/catalog/catalog_balancer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_BALANCER_H
#define STRATA_CATALOG_BALANCER_H

#include "c.h"

#include <libpq-fe.h>

/* NOTIFY channel: the balancer's pause, exclusions and draining changed. */
#define CATALOG_CHANNEL_BALANCER	"strata_balancer"

/* ---------- publishing (every broker's catalog worker) ---------- */

/* One partition's traffic as this broker measured it since its last report. */
typedef struct CatalogPartitionLoad
{
	uint8		topic_id[16];
	int32		partition;
	double		bytes_in_rate;	/* bytes per second */
	double		bytes_out_rate;
	double		produce_rate;	/* batches appended per second */
	double		fetch_rate;		/* fetch responses carrying its data per second */
} CatalogPartitionLoad;

/* This broker's totals and latencies. */
typedef struct CatalogBrokerLoad
{
	uint64		bytes_in;		/* since the broker started */
	uint64		bytes_out;
	double		bytes_in_rate;	/* bytes per second since the last report */
	double		bytes_out_rate;
	double		append_latency_ms;	/* mean over the interval; -1: no appends */
	double		append_latency_p99_ms;	/* upper bound of the p99 bucket; -1 */
	double		fetch_latency_ms;	/* -1: no fetch read data */
	double		fetch_latency_p99_ms;
	int64		capacity;		/* broker_capacity, bytes per second; 0: unset */
} CatalogBrokerLoad;

/*
 * Publish it: one statement (CatalogPublishLoadSQL), waited for at most
 * timeout_ms (CatalogQueryWait).  Its parameters: CatalogPublishLoadParams
 * fills params[CATALOG_PUBLISH_LOAD_NPARAMS] with palloc'd strings (the
 * partitions as arrays, so that one statement carries them all).
 */
extern bool CatalogPublishLoad(PGconn *conn, int32 broker_id, int64 broker_epoch,
							   const CatalogBrokerLoad *load, const CatalogPartitionLoad *parts,
							   int nparts, long timeout_ms, char *err, size_t errlen);
#define CATALOG_PUBLISH_LOAD_NPARAMS	17
extern const char CatalogPublishLoadSQL[];
extern void CatalogPublishLoadParams(int32 broker_id, int64 broker_epoch,
									 const CatalogBrokerLoad *load,
									 const CatalogPartitionLoad *parts, int nparts,
									 char **params);
extern void CatalogPublishLoadParamsFree(char **params);

/* ---------- the balancer (the controller's balancer process) ---------- */

typedef struct CatalogBalancerBroker
{
	int32		id;
	bool		live;
	bool		starting;		/* live, its first registry load not done */
	bool		excluded;
	bool		draining;
	int64		draining_action;	/* the scaling action draining it; -1 none */
	int64		capacity;		/* bytes per second; 0: unset */
	double		bytes_in_rate;	/* the broker's own totals */
	double		bytes_out_rate;
	double		append_latency_ms;	/* -1: none measured */
	int64		load_age_ms;	/* since its last report; -1: never */
} CatalogBalancerBroker;

typedef struct CatalogBalancerPartition
{
	char		topic[256];
	int32		partition;
	int32		leader;			/* -1: none */
	int32		target;			/* -1: no move in flight */
	double		bytes_in_rate;
	double		bytes_out_rate;
	bool		excluded;		/* its topic is excluded */
	bool		recent;			/* a move of it finished within the cool-down */
} CatalogBalancerPartition;

/* The latest scaling action (strata.scaling_actions). */
typedef struct CatalogScalingAction
{
	int64		id;				/* 0: there is none */
	int32		controller;
	bool		out;			/* scale-out (else scale-in) */
	bool		emergency;
	char		state[16];
	int			brokers_before;
	int			brokers_wanted;
	int32		ids[64];		/* the brokers proposed (out) or removed (in) */
	int			nids;
	int64		age_ms;			/* since decided */
	int64		started_age_ms; /* since its command started; -1: not yet */
	int64		finished_age_ms;	/* since it ended; -1: not yet */
} CatalogScalingAction;

typedef struct CatalogBalancerInputs
{
	bool		paused;
	char		pause_reason[256];
	CatalogBalancerBroker *brokers; /* palloc'd, by id */
	int			nbrokers;
	CatalogBalancerPartition *parts;	/* palloc'd, by topic and index */
	int			nparts;
	int			balancer_moves_in_flight;
	int			moves_in_flight;	/* any reason */
	int64		last_move_age_ms;	/* since the last move finished; -1: none */
	CatalogScalingAction scaling;	/* the latest one */
} CatalogBalancerInputs;

/*
 * Read everything a check needs, as of one moment.  A partition is
 * "recent" when a move of it finished less than cooldown_ms ago.
 */
extern bool CatalogBalancerLoad(PGconn *conn, int64 cooldown_ms, CatalogBalancerInputs *in,
								char *err, size_t errlen);
extern void CatalogBalancerFree(CatalogBalancerInputs *in);

/* A check's summary, as recorded in strata.balancer_checks. */
typedef struct CatalogBalancerCheck
{
	int32		controller;
	const char *state;
	int			eligible;
	double		mean_in;
	double		mean_out;
	int			band_pct;
	int64		min_load;
	int			threshold_pct;
	int			out_of_band;
	const int32 *slow;
	int			nslow;
	int			in_flight;
	double		utilisation_pct;	/* < 0: unknown (no capacity) */
	int64		capacity;		/* the cluster's, bytes per second; 0: unknown */
	int			desired_brokers;	/* < 0: unknown */
	const char *scaling;		/* the auto-scaling's decision; NULL: none */
	bool		execute;		/* request the moves, or only record them */
	const char *why_not;		/* why not, when !execute */
} CatalogBalancerCheck;

/* One planned move; move_id and outcome are filled in by the recording. */
typedef struct CatalogBalancerAction
{
	const char *topic;
	int32		partition;
	int32		from;
	int32		to;
	const char *goal;
	double		bytes_in_rate;
	double		bytes_out_rate;
	double		from_pct;
	double		to_pct;
	int64		move_id;		/* 0: none requested */
	char		outcome[256];
} CatalogBalancerAction;

extern bool CatalogBalancerRecord(PGconn *conn, const CatalogBalancerCheck *check,
								  CatalogBalancerAction *actions, int n, char *err, size_t errlen);

/* ---------- scaling (the controller's balancer process) ---------- */

/*
 * Record a scaling decision (state "running", "draining" or "skipped"),
 * and for a scale-in that drains, mark its brokers draining
 * (strata.balancer_draining), in one statement.  *id gets the action's id.
 * command and note may be NULL.
 */
extern bool CatalogScalingBegin(PGconn *conn, int32 controller, bool out, bool emergency,
								double utilisation_pct, double traffic, int64 capacity,
								int brokers_before, int brokers_wanted, const int32 *ids, int nids,
								const char *command, const char *state, const char *note,
								int64 *id, char *err, size_t errlen);

/*
 * Move action id to state; exit_status < -1 and NULL output or note leave
 * those as they are.  started, command_finished and finished set those
 * times to now; release removes the action's brokers from
 * strata.balancer_draining.  One statement.
 */
extern bool CatalogScalingUpdate(PGconn *conn, int64 id, const char *state, int exit_status,
								 const char *output, const char *note, bool started,
								 bool command_finished, bool finished, bool release,
								 char *err, size_t errlen);

#endif							/* STRATA_CATALOG_BALANCER_H */
