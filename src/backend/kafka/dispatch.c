/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  Serving one Kafka request: parse the header, decode the body through
 *	  the API table, call the handler, encode the response.
 *
 *	  What Kafka brokers do with a request they cannot serve, we do too: an
 *	  unknown API key, an unsupported version (except for ApiVersions, which
 *	  always gets an answer) or a malformed body closes the connection, with
 *	  one log line naming the client and the reason.
 *
 * src/backend/kafka/dispatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/backend.h"
#include "kafka/codec.h"
#include "kafka/handlers.h"
#include "kafka/sasl.h"
#include "kafka/security.h"
#include "storage/shmem.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/listeners.h"

KafkaConn  *MyConn = NULL;

void
KafkaConnInit(KafkaConn *conn)
{
	/* Decoded structures are a few times the frame at most. */
	KArenaInit(&conn->arena, (size_t) socket_request_max_bytes * 4 + 16 * 1024 * 1024);
	KWriterInit(&conn->out, 64 * 1024);
	conn->no_response = false;
}

KStr
KStrArena(KArena *arena, const char *s)
{
	size_t		len = strlen(s);
	char	   *p = KArenaAlloc(arena, len + 1);
	KStr		r;

	if (p == NULL)
		elog(ERROR, "request arena exhausted");
	memcpy(p, s, len + 1);
	r.ptr = p;
	r.len = (int32) len;
	return r;
}

char *
pnstrdup_kstr(KStr s)
{
	char	   *r = palloc((size_t) Max(s.len, 0) + 1);

	if (s.len > 0)
		memcpy(r, s.ptr, (size_t) s.len);
	r[Max(s.len, 0)] = '\0';
	return r;
}

void *
KArenaArray(KArena *arena, int32 n, size_t sz)
{
	void	   *p;

	if (n <= 0)
		return NULL;
	p = KArenaAlloc(arena, mul_size((size_t) n, sz));
	if (p == NULL)
		elog(ERROR, "request arena exhausted");
	return p;
}

void
KafkaAdvertisedAddress(char *host, size_t hostlen, int32 *port)
{
	if (!ListenerAdvertisedFor(MyListenerName, host, hostlen, port))
	{
		strlcpy_s(host, "127.0.0.1", hostlen);
		*port = 9092;
	}
}

static KafkaHandler
handler_for(int16 api_key)
{
	switch (api_key)
	{
		case KAFKA_API_METADATA:
			return KafkaHandleMetadata;
		case KAFKA_API_DESCRIBE_CLUSTER:
			return KafkaHandleDescribeCluster;
		case KAFKA_API_CREATE_TOPICS:
			return KafkaHandleCreateTopics;
		case KAFKA_API_DELETE_TOPICS:
			return KafkaHandleDeleteTopics;
		case KAFKA_API_CREATE_PARTITIONS:
			return KafkaHandleCreatePartitions;
		case KAFKA_API_DESCRIBE_CONFIGS:
			return KafkaHandleDescribeConfigs;
		case KAFKA_API_ALTER_CONFIGS:
			return KafkaHandleAlterConfigs;
		case KAFKA_API_INCREMENTAL_ALTER_CONFIGS:
			return KafkaHandleIncrementalAlterConfigs;
		case KAFKA_API_PRODUCE:
			return KafkaHandleProduce;
		case KAFKA_API_FETCH:
			return KafkaHandleFetch;
		case KAFKA_API_LIST_OFFSETS:
			return KafkaHandleListOffsets;
		case KAFKA_API_OFFSET_FOR_LEADER_EPOCH:
			return KafkaHandleOffsetForLeaderEpoch;
		case KAFKA_API_DELETE_RECORDS:
			return KafkaHandleDeleteRecords;
		case KAFKA_API_INIT_PRODUCER_ID:
			return KafkaHandleInitProducerId;
		case KAFKA_API_FIND_COORDINATOR:
			return KafkaHandleFindCoordinator;
		case KAFKA_API_JOIN_GROUP:
			return KafkaHandleJoinGroup;
		case KAFKA_API_SYNC_GROUP:
			return KafkaHandleSyncGroup;
		case KAFKA_API_HEARTBEAT:
			return KafkaHandleHeartbeat;
		case KAFKA_API_LEAVE_GROUP:
			return KafkaHandleLeaveGroup;
		case KAFKA_API_DESCRIBE_GROUPS:
			return KafkaHandleDescribeGroups;
		case KAFKA_API_LIST_GROUPS:
			return KafkaHandleListGroups;
		case KAFKA_API_DELETE_GROUPS:
			return KafkaHandleDeleteGroups;
		case KAFKA_API_OFFSET_COMMIT:
			return KafkaHandleOffsetCommit;
		case KAFKA_API_OFFSET_FETCH:
			return KafkaHandleOffsetFetch;
		case KAFKA_API_OFFSET_DELETE:
			return KafkaHandleOffsetDelete;
		case KAFKA_API_SASL_HANDSHAKE:
			return KafkaHandleSaslHandshake;
		case KAFKA_API_SASL_AUTHENTICATE:
			return KafkaHandleSaslAuthenticate;
		case KAFKA_API_DESCRIBE_USER_SCRAM_CREDENTIALS:
			return KafkaHandleDescribeUserScramCredentials;
		case KAFKA_API_ALTER_USER_SCRAM_CREDENTIALS:
			return KafkaHandleAlterUserScramCredentials;
		case KAFKA_API_DESCRIBE_ACLS:
			return KafkaHandleDescribeAcls;
		case KAFKA_API_CREATE_ACLS:
			return KafkaHandleCreateAcls;
		case KAFKA_API_DELETE_ACLS:
			return KafkaHandleDeleteAcls;
		default:
			return NULL;
	}
}

bool
KafkaProcessRequest(KafkaConn *conn, const uint8 *frame, size_t len)
{
	KReader		r;
	KafkaRequestHeader h;
	KafkaHandler fn;
	void	   *req;
	void	   *resp;
	bool		ok;

	/* ---- Authentication first (kafka/sasl.h): it may consume the frame ---- */
	switch (SaslFilterFrame(conn, frame, len))
	{
		case SASL_FRAME_DONE:
			return true;
		case SASL_FRAME_CLOSE:
			return false;
		case SASL_FRAME_DISPATCH:
			break;
	}
	/* One state of users and ACLs for the whole request (kafka/authorizer.h). */
	SecurityCacheRefresh();

	KReaderInit(&r, frame, len);
	if (!KafkaParseRequestHeader(&r, &h))
	{
		elog(LOG, "closing connection from %s: malformed request header: %s", MyClientAddr, r.errmsg);
		return false;
	}
	if (h.api_key == KAFKA_API_API_VERSIONS)
	{
		ok = KafkaApiVersionsRespond(&h, &r, &conn->arena, &conn->out);
		if (!ok)
			elog(LOG, "closing connection from %s: malformed ApiVersions v%d request: %s",
				 MyClientAddr, h.api_version, r.errmsg);
		KArenaReset(&conn->arena);
		return ok;
	}
	if (h.api == NULL || (fn = handler_for(h.api_key)) == NULL)
	{
		elog(LOG, "closing connection from %s: unsupported API key %d", MyClientAddr, h.api_key);
		return false;
	}
	if (!h.version_supported)
	{
		elog(LOG, "closing connection from %s: %s version %d is not supported (supported: %d to %d)",
			 MyClientAddr, h.api->name, h.api_version, h.api->min_version, h.api->max_version);
		return false;
	}
	req = KafkaDecodeRequest(&h, &r, &conn->arena);
	if (req == NULL)
	{
		elog(LOG, "closing connection from %s: malformed %s v%d request: %s",
			 MyClientAddr, h.api->name, h.api_version, r.errmsg);
		KArenaReset(&conn->arena);
		return false;
	}
	resp = KafkaNewResponse(&h, &conn->arena);
	conn->no_response = false;
	ok = fn(conn, &h, req, resp);
	if (ok && !conn->no_response && !KafkaWriteResponse(&conn->out, &h, resp))
	{
		elog(LOG, "could not encode %s v%d response for %s: %s",
			 h.api->name, h.api_version, MyClientAddr, conn->out.errmsg);
		ok = false;
	}
	KArenaReset(&conn->arena);
	return ok;
}
