/*-------------------------------------------------------------------------
 *
 * listeners.h
 *	  Parsing "PROTOCOL://host:port" listener lists.
 *
 *	  A listener is named by its security protocol, Kafka's names:
 *	  PLAINTEXT, SSL (TLS), SASL_PLAINTEXT and SASL_SSL (SASL over TLS).
 *	  As the listener's name is its protocol, a list names each protocol
 *	  at most once, and advertised_listeners may only name listeners that
 *	  listeners has.
 *
 * include/utils/listeners.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_LISTENERS_H
#define STRATA_LISTENERS_H

#include "c.h"

typedef enum ListenerProtocol
{
	LISTENER_PLAINTEXT,
	LISTENER_SSL,
	LISTENER_SASL_PLAINTEXT,
	LISTENER_SASL_SSL
} ListenerProtocol;

#define LISTENER_PROTOCOLS 4

/* Does a connection on a listener of this protocol run TLS, SASL? */
#define ListenerUsesTls(p)	((p) == LISTENER_SSL || (p) == LISTENER_SASL_SSL)
#define ListenerUsesSasl(p) ((p) == LISTENER_SASL_PLAINTEXT || (p) == LISTENER_SASL_SSL)

/* "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL". */
extern const char *ListenerProtocolName(ListenerProtocol p);

/*
 * Parse one "PROTOCOL://host:port" listener (IPv6 as [addr]:port) into
 * host and port; proto may be NULL.  The protocol is case-insensitive.
 * false with a message in err.
 */
extern bool ListenerParse(const char *spec, char *host, size_t hostlen, char *port, size_t portlen,
						  char *err, size_t errlen);
extern bool ListenerParseProtocol(const char *spec, ListenerProtocol *proto, char *err, size_t errlen);

/*
 * Check a whole listener list (setting is the name used in messages):
 * every entry parses and no protocol appears twice.  With within != NULL,
 * every protocol must also be one of that list's.  false with one line
 * in err.
 */
extern bool ListenersCheck(const char *list, const char *setting, const char *within,
						   char *err, size_t errlen);

/* host:port of the first advertised listener (or listener). */
extern bool ListenerAdvertised(char *host, size_t hostlen, int32 *port);

/*
 * host:port of the listener named name (its security protocol, e.g.
 * "PLAINTEXT"; NULL or "" for the first) in a comma-separated list such as
 * another broker's advertised_listeners.  false if there is none.  A
 * wildcard host is given as the loopback address.
 */
extern bool ListenerFind(const char *list, const char *name, char *host, size_t hostlen,
						 int32 *port);

/*
 * host:port that clients of the listener named name should be given: that
 * listener in advertised_listeners, else in listeners, else the first
 * advertised one.
 */
extern bool ListenerAdvertisedFor(const char *name, char *host, size_t hostlen, int32 *port);

#endif							/* STRATA_LISTENERS_H */
