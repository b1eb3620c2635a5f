/*-------------------------------------------------------------------------
 *
 * balancer.h
 *	  The balancer process (postmaster/balancer.c).
 *
 * include/postmaster/balancer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_BALANCER_H
#define STRATA_POSTMASTER_BALANCER_H

#include "c.h"

/*
 * The balancer's main function.  Started by the postmaster's
 * StartChildProcess on every broker; never returns.
 */
extern void BalancerMain(void) pg_attribute_noreturn();

#endif							/* STRATA_POSTMASTER_BALANCER_H */
