/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Access to the PostgreSQL catalog.
 *
 * include/catalog/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_H
#define STRATA_CATALOG_H

#include "c.h"

/*
 * Called by the postmaster before it creates shared memory: connect, apply
 * pending migrations, register this broker.  false + one line in err.
 */
extern bool CatalogStartupCheck(char *err, size_t errlen);

#endif							/* STRATA_CATALOG_H */
