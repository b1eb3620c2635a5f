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

#include "utils/listeners.h"

/*
 * The backend's main function: serves the client on sock (peer is its
 * address, "host:port" or "[v6]:port", for log lines), which came in on a
 * listener of the given protocol, until it disconnects or shutdown.  On a
 * TLS listener it first runs the TLS handshake.  Started by the
 * postmaster's StartChildProcess for each accepted connection, as
 * PostgreSQL's PostgresMain is; never returns.
 */
extern void BackendMain(int sock, const char *peer, ListenerProtocol protocol) pg_attribute_noreturn();

/*
 * Name the metrics' api and state label values after the API table and
 * the group states (utils/metrics.h, MetricsRegisterLabel).  Run by the
 * postmaster at start, before it forks, and by tests.
 */
extern void KafkaRegisterMetricLabels(void);

/* The peer address of this backend's client, for log lines. */
extern const char *MyClientAddr;

/* Its host part alone (what the host of an ACL matches). */
extern const char *MyClientHost;

/*
 * The listener the client came in on: its protocol, and its name (the
 * protocol's name, "SASL_SSL"), by which Metadata finds the advertised
 * listener to give the client.
 */
extern ListenerProtocol MyListenerProtocol;
extern const char *MyListenerName;

/*
 * Who the client is, as Kafka names principals: "User:ANONYMOUS" until
 * authenticated, then "User:<SASL user>", or on an SSL listener
 * "User:<common name of the verified client certificate>".
 */
extern const char *MyPrincipal;

#endif							/* STRATA_KAFKA_BACKEND_H */
