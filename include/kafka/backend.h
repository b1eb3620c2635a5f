/*-------------------------------------------------------------------------
 *
 * backend.h
 *	  A backend: the process serving one Kafka client connection.
 *
 * include/kafka/backend.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_BACKEND_H
#define STRATA_KAFKA_BACKEND_H

#include "c.h"

/*
 * The backend's main function: serves the client on sock (peer is its
 * address, for log lines) until it disconnects or shutdown.  Started by
 * the postmaster's StartChildProcess for each accepted connection, as
 * PostgreSQL's PostgresMain is; never returns.
 */
extern void BackendMain(int sock, const char *peer) pg_attribute_noreturn();

/*
 * Name the metrics' api and state label values after the API table and
 * the group states (utils/metrics.h, MetricsRegisterLabel).  Run by the
 * postmaster at start, before it forks, and by tests.
 */
extern void KafkaRegisterMetricLabels(void);

/* The peer address of this backend's client, for log lines. */
extern const char *MyClientAddr;

#endif							/* STRATA_KAFKA_BACKEND_H */
