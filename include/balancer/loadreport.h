/*-------------------------------------------------------------------------
 *
 * loadreport.h
 *	  What a broker tells the balancer about itself: its traffic per
 *	  partition and in total, and its append and fetch latencies, as rates
 *	  and means over the time since its previous report.
 *
 *	  Run by the catalog worker, which publishes the report with each lease
 *	  renewal (catalog/catalog_balancer.h, CatalogPublishLoadSQL).  The
 *	  previous report's counters are kept in this process's memory, so the
 *	  first report after a (re)start gives totals and latencies but no
 *	  partition rows.
 *
 * include/balancer/loadreport.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BALANCER_LOADREPORT_H
#define STRATA_BALANCER_LOADREPORT_H

#include "c.h"

#include "catalog/catalog_balancer.h"

/*
 * Take a sample now and fill *broker and *parts (palloc'd, *nparts long)
 * with the rates since the previous call.  A partition is reported only
 * when this broker led it, with the same stream epoch, at the previous
 * sample too: a partition that just came here is measured from now on, and
 * its row meanwhile keeps what its previous leader measured.
 *
 * LoadReportCommit makes this sample the base of the next report; call it
 * once the report is published (a report that could not be published is
 * simply folded into the next one).
 */
extern void LoadReportBuild(CatalogBrokerLoad *broker, CatalogPartitionLoad **parts, int *nparts);
extern void LoadReportCommit(void);

/*
 * Mean and 99th percentile (the upper bound of the power-of-two bucket it
 * falls in), in milliseconds, of the observations between two samples of
 * a microsecond histogram; -1 for both when there were none.  Exposed for
 * the unit tests.
 */
struct MetricHistogram;
extern void LoadReportLatency(const struct MetricHistogram *before, const struct MetricHistogram *after,
							  double *mean_ms, double *p99_ms);

#endif							/* STRATA_BALANCER_LOADREPORT_H */
