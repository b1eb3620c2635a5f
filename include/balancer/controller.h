/*-------------------------------------------------------------------------
 *
 * controller.h
 *	  The controller role (balancer/controller.c): elected by a PostgreSQL
 *	  advisory lock, it fences brokers whose lease expired and has their WAL
 *	  recovered and their partitions and coordinator slots moved.
 *
 *	  Driven by the balancer process's main loop: ControllerStep does what
 *	  is due and says what to wait for next.
 *
 * include/balancer/controller.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BALANCER_CONTROLLER_H
#define STRATA_BALANCER_CONTROLLER_H

#include "c.h"

/*
 * Do what is due (connect, wait for or claim the role, fence, assign) and
 * return the milliseconds until the next thing is due; *socket_fd and *events
 * name the catalog socket to wait on as well (-1/0: none).
 */
extern int64 ControllerStep(int *socket_fd, int *events);

/* True while this process holds the controller role. */
extern bool ControllerIsActive(void);

/* Give up the role (at shutdown): the session ends and the lock with it. */
extern void ControllerShutdown(void);

#endif							/* STRATA_BALANCER_CONTROLLER_H */
