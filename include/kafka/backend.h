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

/* The peer address of this backend's client, for log lines. */
extern const char *MyClientAddr;

#endif							/* STRATA_KAFKA_BACKEND_H */
