/*-------------------------------------------------------------------------
 *
 * metricsexporter.h
 *	  The metrics exporter process (postmaster/metricsexporter.c): serves
 *	  the metrics of utils/metrics.h at GET /metrics on metrics_listen.
 *
 * include/postmaster/metricsexporter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_METRICSEXPORTER_H
#define STRATA_POSTMASTER_METRICSEXPORTER_H

#include "c.h"

/*
 * Postmaster, at start: open the listening socket metrics_listen names
 * ("host:port"; empty or "off" turns the endpoint off: returns -1).  A bad
 * value or a port in use stops the start with one line (FATAL).
 */
extern int	MetricsListenOpen(void);

/*
 * Parse a metrics_listen value into host and port; false with a message
 * in err if it is malformed (exposed for tests).
 */
extern bool MetricsParseListen(const char *value, char *host, size_t hostlen,
							   char *port, size_t portlen, char *err, size_t errlen);

/* The metrics exporter process; sock is from MetricsListenOpen. */
extern void MetricsExporterMain(int sock) pg_attribute_noreturn();

/*
 * Build the whole HTTP response to one request (bytes req[0..len)), into
 * a malloc'd buffer (*resp, *resplen); returns the status code.  Exposed
 * for the unit test.
 */
extern int	MetricsHttpRespond(const char *req, size_t len, char **resp, size_t *resplen);

#endif							/* STRATA_POSTMASTER_METRICSEXPORTER_H */
