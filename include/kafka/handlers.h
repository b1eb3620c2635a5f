/*-------------------------------------------------------------------------
 *
 * handlers.h
 *	  The Kafka request handlers and the per-connection state they share.
 *
 *	  A handler fills a response struct (already at its defaults) from a
 *	  decoded request struct; the dispatcher (dispatch.c) decodes, calls
 *	  and encodes.  Strings the handler puts into the response must live
 *	  until the response is encoded: borrowed from the request frame, static,
 *	  or allocated in conn->arena.  A handler returns false only when the
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
} KafkaConn;

/* The connection of this backend. */
extern KafkaConn *MyConn;

/* dispatch.c */
extern void KafkaConnInit(KafkaConn *conn);
extern bool KafkaProcessRequest(KafkaConn *conn, const uint8 *frame, size_t len);

/* Copy a C string into the arena as a KStr. */
extern KStr KStrArena(KArena *arena, const char *s);
/* A KStr as a palloc'd C string (null and empty both give ""). */
extern char *pnstrdup_kstr(KStr s);
/* Allocate an array of n elements of size sz in the arena (zeroed). */
extern void *KArenaArray(KArena *arena, int32 n, size_t sz);

/* The host and port this client should connect to: the advertised
 * listener of the protocol it came in on (utils/listeners.h). */
extern void KafkaAdvertisedAddress(char *host, size_t hostlen, int32 *port);

#define KAFKA_HANDLER(name) \
	extern bool KafkaHandle##name(void *ctx, const KafkaRequestHeader *h, const void *req, void *resp)

KAFKA_HANDLER(Metadata);
KAFKA_HANDLER(DescribeCluster);
KAFKA_HANDLER(CreateTopics);
KAFKA_HANDLER(DeleteTopics);
KAFKA_HANDLER(CreatePartitions);
KAFKA_HANDLER(DescribeConfigs);
KAFKA_HANDLER(AlterConfigs);
KAFKA_HANDLER(IncrementalAlterConfigs);
KAFKA_HANDLER(Produce);
KAFKA_HANDLER(Fetch);
KAFKA_HANDLER(ListOffsets);
KAFKA_HANDLER(OffsetForLeaderEpoch);
KAFKA_HANDLER(DeleteRecords);
KAFKA_HANDLER(InitProducerId);
/* group coordinator (group.c, api_offsets.c) */
KAFKA_HANDLER(FindCoordinator);
KAFKA_HANDLER(JoinGroup);
KAFKA_HANDLER(SyncGroup);
KAFKA_HANDLER(Heartbeat);
KAFKA_HANDLER(LeaveGroup);
KAFKA_HANDLER(DescribeGroups);
KAFKA_HANDLER(ListGroups);
KAFKA_HANDLER(DeleteGroups);
KAFKA_HANDLER(OffsetCommit);
KAFKA_HANDLER(OffsetFetch);
KAFKA_HANDLER(OffsetDelete);
/* authentication and security administration (sasl.c, api_security.c) */
KAFKA_HANDLER(SaslHandshake);
KAFKA_HANDLER(SaslAuthenticate);
KAFKA_HANDLER(DescribeUserScramCredentials);
KAFKA_HANDLER(AlterUserScramCredentials);
KAFKA_HANDLER(DescribeAcls);
KAFKA_HANDLER(CreateAcls);
KAFKA_HANDLER(DeleteAcls);

#endif							/* STRATA_KAFKA_HANDLERS_H */
