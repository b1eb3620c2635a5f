/*-------------------------------------------------------------------------
 *
 * listeners.h
 *	  Parsing "PLAINTEXT://host:port" listener lists.
 *
 * include/utils/listeners.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_LISTENERS_H
#define STRATA_LISTENERS_H

#include "c.h"

/*
 * Parse one "NAME://host:port" listener (IPv6 as [addr]:port) into host and
 * port.  Only PLAINTEXT exists for now.  false with a message in err.
 */
extern bool ListenerParse(const char *spec, char *host, size_t hostlen, char *port, size_t portlen,
						  char *err, size_t errlen);

/* host:port of the first advertised listener (or listener). */
extern bool ListenerAdvertised(char *host, size_t hostlen, int32 *port);

/*
 * host:port of the listener named name (its security protocol, e.g.
 * "PLAINTEXT"; NULL or "" for the first) in a comma-separated list such as
 * another broker's advertised_listeners.  false if there is none.
 */
extern bool ListenerFind(const char *list, const char *name, char *host, size_t hostlen,
						 int32 *port);

#endif							/* STRATA_LISTENERS_H */
