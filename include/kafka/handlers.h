/*-------------------------------------------------------------------------
 *
 * handlers.h
 *	  The Kafka request handlers and the per-connection state they share.
 *
 *	  A handler fills a response struct (already at its defaults) from a
 *	  decoded request struct; the dispatcher (dispatch.c) decodes, calls
 *	  the handler the API table names and encodes.  Strings the handler
 *	  puts into the response must live until the response is encoded:
 *	  borrowed from the request frame, static, or allocated in conn->arena.  A handler returns false only when the
 *	  connection must be closed.
 *
 * include/kafka/handlers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_HANDLERS_H
#define STRATA_KAFKA_HANDLERS_H

#include "c.h"

#include "kafka/kbuf.h"
#include "kafka/messages.h"
#include "kafka/protocol.h"

typedef struct KafkaConn
{
	KArena		arena;			/* per request; reset after each response */
	KWriter		out;			/* response frames waiting to be sent */
	bool		no_response;	/* set by a handler: send nothing (acks=0) */
	uint64		wait_lsn;		/* set by Produce: hold the response until the
								 * WAL is flushed up to here (a WalLsn) */
	bool		in_request;		/* a request is being served: */
	KafkaRequestHeader request; /* its header (client id in the frame) */
	bool		surplus_logged; /* a request with surplus bytes was logged */
} KafkaConn;

/* The connection of this backend. */
extern KafkaConn *MyConn;

/* dispatch.c */
extern void KafkaConnInit(KafkaConn *conn);
extern bool KafkaProcessRequest(KafkaConn *conn, const uint8 *frame, size_t len);

/*
 * For the backend's ERROR recovery (backend.c), with TopMemoryContext
 * current.  KafkaAnswerFailedRequest abandons what the interrupted request
 * built (the arena and RequestContext are reset) and appends its answer to
 * conn->out: the response at its defaults with UNKNOWN_SERVER_ERROR in its
 * top-level ErrorCode, as Kafka answers a request that failed unexpectedly.
 * false (one log line) if the response has no top-level ErrorCode at that
 * version: the connection must close.  KafkaRequestAbandon only resets.
 */
extern bool KafkaAnswerFailedRequest(KafkaConn *conn);
extern void KafkaRequestAbandon(KafkaConn *conn);

/* api_fetch.c: forget the fetch session a failed Fetch may have half-changed. */
extern void KafkaFetchSessionAbort(void);

/*
 * Building a response in the request arena (conn->arena).  None of these
 * returns NULL for want of room: a response the arena's cap cannot hold
 * raises ERROR "request arena exhausted", which fails this request with
 * UNKNOWN_SERVER_ERROR while the connection goes on serving (dispatch.c).
 * So, as any ERROR, never with an SMutex held (utils/elog.h).
 */
/* A copy of a C string, as a KStr. */
extern KStr KStrArena(KArena *arena, const char *s);
/* A copy of len bytes (len <= 0: empty, not null). */
extern KBytes KBytesArena(KArena *arena, const void *data, int32 len);
/* n elements of size sz, zeroed; NULL when n <= 0. */
extern void *KArenaArray(KArena *arena, int32 n, size_t sz);
/* n response structs of schema elem at their defaults; NULL when n <= 0. */
extern void *KafkaResponseArray(KArena *arena, const KSchema *elem, int32 n);
/*
 * A buffer of size bytes, not zeroed.  With p (a buffer of oldsize bytes
 * from here) it grows p, in place when p is the arena's newest allocation
 * (kbuf.h, KArenaExtendRaw), keeping its contents.
 */
extern void *KArenaBuffer(KArena *arena, void *p, size_t oldsize, size_t size);

/*
 * Building a response while holding an SMutex (GroupLock, RegistryLock),
 * where no ERROR may be raised: the same allocations, collected in a
 * KafkaLockedBuild, never raise.  One that fails sets b->failed and returns
 * an empty string or bytes, or a NULL array (which the caller then skips);
 * after releasing the lock the caller calls KafkaLockedBuildEnd, which
 * raises the arena's ERROR if anything failed.
 */
typedef struct KafkaLockedBuild
{
	KArena	   *arena;
	bool		failed;
} KafkaLockedBuild;

#define KAFKA_LOCKED_BUILD(conn) ((KafkaLockedBuild) {&(conn)->arena, false})

extern KStr LockedStr(KafkaLockedBuild *b, const char *s);
extern KBytes LockedBytes(KafkaLockedBuild *b, const void *data, int32 len);
extern void *LockedArray(KafkaLockedBuild *b, int32 n, size_t sz);
extern void *LockedResponseArray(KafkaLockedBuild *b, const KSchema *elem, int32 n);
extern void KafkaLockedBuildEnd(KafkaLockedBuild *b);

/* A KStr as a palloc'd C string (null and empty both give ""). */
extern char *pnstrdup_kstr(KStr s);

/* The host and port this client should connect to: the advertised
 * listener of the protocol it came in on (utils/listeners.h). */
extern void KafkaAdvertisedAddress(char *host, size_t hostlen, int32 *port);

/* A broker's address as responses carry it (Metadata, KIP-951 hints). */
typedef struct KafkaEndpoint
{
	int32		id;
	KStr		host;
	int32		port;
	KStr		rack;			/* KSTR_NULL: none */
} KafkaEndpoint;

/*
 * The endpoints of the live brokers among ids (duplicates and unknown ids
 * left out), for the NodeEndpoints of Produce and Fetch responses that
 * name a partition's new leader (KIP-951).  Returns how many; *out in arena.
 */
extern int	KafkaEndpointsOf(KArena *arena, const int32 *ids, int n, KafkaEndpoint **out);

/*
 * Copy n endpoints into a response's array of brokers, whose elements have
 * an id field (NodeId or BrokerId), Host, Port and Rack.
 */
#define KAFKA_COPY_ENDPOINTS(items, idfield, e, n) \
	do { \
		for (int _i = 0; _i < (n); _i++) \
		{ \
			(items)[_i].idfield = (e)[_i].id; \
			(items)[_i].Host = (e)[_i].host; \
			(items)[_i].Port = (e)[_i].port; \
			(items)[_i].Rack = (e)[_i].rack; \
		} \
	} while (0)

/*
 * The handlers, KafkaHandle<Name> for every row of the API table
 * (kafka/apilist.h), each defined in the module of its API group.
 */
#define KAFKA_API(key, symbol, name, minv, maxv, flexv, note) \
	extern bool KafkaHandle##name(void *ctx, const KafkaRequestHeader *h, \
								  const void *req, void *resp);
#include "kafka/apilist.h"
#undef KAFKA_API

#endif							/* STRATA_KAFKA_HANDLERS_H */
