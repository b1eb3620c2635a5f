/*-------------------------------------------------------------------------
 *
 * balancer.h
 *	  Auto-balancing (balancer/balancer.c): on the broker that holds the
 *	  controller role, every balancer_interval, read the brokers, the
 *	  partitions and their traffic from the catalog, plan moves
 *	  (balancer/plan.h), and record the check and request the moves in one
 *	  call (doc/balancer.md).
 *
 *	  Driven by the balancer process's main loop (postmaster/balancer.c)
 *	  while ControllerIsActive(), on the controller's connection.
 *
 * include/balancer/balancer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BALANCER_BALANCER_H
#define STRATA_BALANCER_BALANCER_H

#include "c.h"

#include <libpq-fe.h>

/*
 * Run a check if one is due, given the CONTROLLER_NOTIFIED_* bits seen
 * since the last call (a broker joining, the operator's changes and, while
 * a plan is unfinished, a move completing bring the next check forward).
 * *wait_ms gets the time until the next one.  false (err set) when the
 * catalog failed: the caller drops the connection.
 */
extern bool BalancerStep(PGconn *conn, int notified, int64 *wait_ms, char *err, size_t errlen);

/* This process lost (or never had) the controller role: forget what spans checks. */
extern void BalancerReset(void);

#endif							/* STRATA_BALANCER_BALANCER_H */
