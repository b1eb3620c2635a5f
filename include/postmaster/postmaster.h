/*-------------------------------------------------------------------------
 *
 * postmaster.h
 *	  The postmaster: the parent of every Strata process of one broker.
 *
 * include/postmaster/postmaster.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_H
#define STRATA_POSTMASTER_H

#include "c.h"

extern int	PostmasterMain(int argc, char *argv[]) pg_attribute_noreturn();

/* Set the process title shown by ps ("strata: wal writer"). */
extern void init_ps_display(int argc, char *argv[]);
extern void set_ps_display(const char *fmt, ...) pg_attribute_printf(1, 2);

#endif							/* STRATA_POSTMASTER_H */
