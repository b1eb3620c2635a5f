/*-------------------------------------------------------------------------
 *
 * sasl.h
 *	  SASL authentication of a client connection: the state machine every
 *	  frame passes before dispatch, the SaslHandshake and SaslAuthenticate
 *	  handlers, and the PLAIN and SCRAM-SHA-256/512 server exchanges.
 *
 *	  On a SASL_PLAINTEXT or SASL_SSL listener a client may send only
 *	  ApiVersions, SaslHandshake and SaslAuthenticate until it has
 *	  authenticated, in frames of at most sasl_max_request_bytes, and must
 *	  finish within authentication_timeout of connecting; anything else
 *	  closes the connection.  A SaslHandshake of version 0 means the tokens
 *	  that follow travel as bare size-prefixed frames (kafka-python does
 *	  this), version 1 that they travel in SaslAuthenticate requests.
 *
 *	  A failed authentication is logged with the client's address (never
 *	  the password), answered with SASL_AUTHENTICATION_FAILED after
 *	  authentication_failure_delay, and the connection is closed.
 *
 *	  Sessions (KIP-368): with connections_max_reauth_ms set, a successful
 *	  SaslAuthenticate tells the client its session lifetime; the client
 *	  re-authenticates on the same connection (SaslHandshake and
 *	  SaslAuthenticate again, same mechanism and user) before it ends, or
 *	  the connection is closed at its next request after that.
 *
 *	  State is the backend's own (one connection per process), kept in
 *	  TopMemoryContext across requests; credentials come from the security
 *	  cache (kafka/security.h).
 *
 * include/kafka/sasl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_SASL_H
#define STRATA_KAFKA_SASL_H

#include "c.h"

#include "kafka/handlers.h"

/* What to do with a frame, decided before dispatch. */
typedef enum SaslFrameAction
{
	SASL_FRAME_DISPATCH,		/* serve it as a Kafka request */
	SASL_FRAME_DONE,			/* consumed here (a bare token); any response is in conn->out */
	SASL_FRAME_CLOSE			/* close the connection (logged) */
} SaslFrameAction;

/*
 * Check a sasl_enabled_mechanisms value: known names, at least one.  For
 * the postmaster's start checks when a SASL listener exists.
 */
extern bool SaslCheckMechanisms(const char *list, char *err, size_t errlen);

/*
 * Set up the connection's authentication state (BackendMain, after TLS);
 * start_ms is when the connection arrived (MonotonicMs), from which
 * authentication_timeout runs.
 */
extern void SaslInitConnection(int64 start_ms);

/* The authentication state machine: every frame goes through it first. */
extern SaslFrameAction SaslFilterFrame(KafkaConn *conn, const uint8 *frame, size_t len);

/* Largest and smallest frame acceptable next (checked before reading it). */
extern int64 SaslMaxFrame(void);
extern bool SaslExpectsBareToken(void);

/*
 * Milliseconds left before the authentication deadline (-1: none), for
 * the backend's waits; SaslDeadlinePassed logs and says to close.
 */
extern long SaslDeadlineRemaining(void);
extern bool SaslDeadlinePassed(void);

/*
 * After a response has been produced: must the connection be closed
 * (authentication failed)?  *delay_ms: how long to wait before sending it.
 */
extern bool SaslCloseAfterResponse(int64 *delay_ms);

#endif							/* STRATA_KAFKA_SASL_H */
