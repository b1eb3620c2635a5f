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

/* Output buffer of a connection: whole response frames, in request order. */
typedef struct ConnOutBuf
{
	uint8	   *data;
	size_t		len;
	size_t		cap;
} ConnOutBuf;

extern void ConnOutReserve(ConnOutBuf *buf, size_t more);

/*
 * Serve one request frame (without its 4-byte length).  Appends the
 * response frame (with its length) to out, or nothing (acks=0 produce).
 * Returns false if the connection must be closed (malformed request); the
 * reason has been logged.
 */
extern bool KafkaProcessRequest(const uint8 *frame, size_t len, ConnOutBuf *out);

/* The peer address of this backend's client, for log lines. */
extern const char *MyClientAddr;

#endif							/* STRATA_KAFKA_BACKEND_H */
