/*-------------------------------------------------------------------------
 *
 * protocol.h
 *	  Kafka protocol constants and framing: error codes, API keys, the table
 *	  of implemented APIs (its rows are in kafka/apilist.h; the single
 *	  source for ApiVersions, dispatch and doc/protocol.md),
 *	  request/response headers and ApiVersions.
 *
 *	  Framing, for the backend's connection loop: a request is an INT32 size
 *	  followed by that many bytes; the size is checked against
 *	  socket_request_max_bytes before anything is allocated.  The bytes are
 *	  the request header then the body:
 *
 *		KafkaRequestHeader h;
 *		KReader r;
 *		KReaderInit(&r, frame, size);
 *		if (!KafkaParseRequestHeader(&r, &h))   -> log r.errmsg, close
 *		if (h.api == NULL) -> log, close
 *		else if (!h.version_supported)
 *			ApiVersions: KafkaApiVersionsRespond(&h, &r, arena, out);
 *			any other API: log, close
 *		else {
 *			void *req = KafkaDecodeRequest(&h, &r, arena);  NULL: log, close
 *			void *resp = KafkaNewResponse(&h, arena);        defaults set
 *			h.api->handler(conn, &h, req, resp);             fills resp
 *			KafkaWriteResponse(out, &h, resp);               whole frame
 *		}
 *		KArenaReset(arena) once the response is on its way.
 *
 *	  Arena cap: decoding never needs more than 16 arena bytes per frame byte
 *	  for arrays (test_kafka_codec checks the schemas), plus the top-level
 *	  struct, so KArenaInit(arena, 16 * socket_request_max_bytes + 1MB)
 *	  never refuses a valid request; it is a cap, not an allocation.
 *
 * include/kafka/protocol.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_PROTOCOL_H
#define STRATA_KAFKA_PROTOCOL_H

#include "kafka/codec.h"
#include "kafka/messages.h"

/*
 * Kafka error codes, with Kafka's names (org.apache.kafka.common.protocol.
 * Errors, 3.9).  Code 99 is not assigned.
 */
typedef enum KafkaErrorCode
{
	KAFKA_ERR_UNKNOWN_SERVER_ERROR = -1,
	KAFKA_ERR_NONE = 0,
	KAFKA_ERR_OFFSET_OUT_OF_RANGE = 1,
	KAFKA_ERR_CORRUPT_MESSAGE = 2,
	KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION = 3,
	KAFKA_ERR_INVALID_FETCH_SIZE = 4,
	KAFKA_ERR_LEADER_NOT_AVAILABLE = 5,
	KAFKA_ERR_NOT_LEADER_OR_FOLLOWER = 6,
	KAFKA_ERR_REQUEST_TIMED_OUT = 7,
	KAFKA_ERR_BROKER_NOT_AVAILABLE = 8,
	KAFKA_ERR_REPLICA_NOT_AVAILABLE = 9,
	KAFKA_ERR_MESSAGE_TOO_LARGE = 10,
	KAFKA_ERR_STALE_CONTROLLER_EPOCH = 11,
	KAFKA_ERR_OFFSET_METADATA_TOO_LARGE = 12,
	KAFKA_ERR_NETWORK_EXCEPTION = 13,
	KAFKA_ERR_COORDINATOR_LOAD_IN_PROGRESS = 14,
	KAFKA_ERR_COORDINATOR_NOT_AVAILABLE = 15,
	KAFKA_ERR_NOT_COORDINATOR = 16,
	KAFKA_ERR_INVALID_TOPIC_EXCEPTION = 17,
	KAFKA_ERR_RECORD_LIST_TOO_LARGE = 18,
	KAFKA_ERR_NOT_ENOUGH_REPLICAS = 19,
	KAFKA_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20,
	KAFKA_ERR_INVALID_REQUIRED_ACKS = 21,
	KAFKA_ERR_ILLEGAL_GENERATION = 22,
	KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL = 23,
	KAFKA_ERR_INVALID_GROUP_ID = 24,
	KAFKA_ERR_UNKNOWN_MEMBER_ID = 25,
	KAFKA_ERR_INVALID_SESSION_TIMEOUT = 26,
	KAFKA_ERR_REBALANCE_IN_PROGRESS = 27,
	KAFKA_ERR_INVALID_COMMIT_OFFSET_SIZE = 28,
	KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED = 29,
	KAFKA_ERR_GROUP_AUTHORIZATION_FAILED = 30,
	KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED = 31,
	KAFKA_ERR_INVALID_TIMESTAMP = 32,
	KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM = 33,
	KAFKA_ERR_ILLEGAL_SASL_STATE = 34,
	KAFKA_ERR_UNSUPPORTED_VERSION = 35,
	KAFKA_ERR_TOPIC_ALREADY_EXISTS = 36,
	KAFKA_ERR_INVALID_PARTITIONS = 37,
	KAFKA_ERR_INVALID_REPLICATION_FACTOR = 38,
	KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT = 39,
	KAFKA_ERR_INVALID_CONFIG = 40,
	KAFKA_ERR_NOT_CONTROLLER = 41,
	KAFKA_ERR_INVALID_REQUEST = 42,
	KAFKA_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT = 43,
	KAFKA_ERR_POLICY_VIOLATION = 44,
	KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER = 45,
	KAFKA_ERR_DUPLICATE_SEQUENCE_NUMBER = 46,
	KAFKA_ERR_INVALID_PRODUCER_EPOCH = 47,
	KAFKA_ERR_INVALID_TXN_STATE = 48,
	KAFKA_ERR_INVALID_PRODUCER_ID_MAPPING = 49,
	KAFKA_ERR_INVALID_TRANSACTION_TIMEOUT = 50,
	KAFKA_ERR_CONCURRENT_TRANSACTIONS = 51,
	KAFKA_ERR_TRANSACTION_COORDINATOR_FENCED = 52,
	KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53,
	KAFKA_ERR_SECURITY_DISABLED = 54,
	KAFKA_ERR_OPERATION_NOT_ATTEMPTED = 55,
	KAFKA_ERR_KAFKA_STORAGE_ERROR = 56,
	KAFKA_ERR_LOG_DIR_NOT_FOUND = 57,
	KAFKA_ERR_SASL_AUTHENTICATION_FAILED = 58,
	KAFKA_ERR_UNKNOWN_PRODUCER_ID = 59,
	KAFKA_ERR_REASSIGNMENT_IN_PROGRESS = 60,
	KAFKA_ERR_DELEGATION_TOKEN_AUTH_DISABLED = 61,
	KAFKA_ERR_DELEGATION_TOKEN_NOT_FOUND = 62,
	KAFKA_ERR_DELEGATION_TOKEN_OWNER_MISMATCH = 63,
	KAFKA_ERR_DELEGATION_TOKEN_REQUEST_NOT_ALLOWED = 64,
	KAFKA_ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED = 65,
	KAFKA_ERR_DELEGATION_TOKEN_EXPIRED = 66,
	KAFKA_ERR_INVALID_PRINCIPAL_TYPE = 67,
	KAFKA_ERR_NON_EMPTY_GROUP = 68,
	KAFKA_ERR_GROUP_ID_NOT_FOUND = 69,
	KAFKA_ERR_FETCH_SESSION_ID_NOT_FOUND = 70,
	KAFKA_ERR_INVALID_FETCH_SESSION_EPOCH = 71,
	KAFKA_ERR_LISTENER_NOT_FOUND = 72,
	KAFKA_ERR_TOPIC_DELETION_DISABLED = 73,
	KAFKA_ERR_FENCED_LEADER_EPOCH = 74,
	KAFKA_ERR_UNKNOWN_LEADER_EPOCH = 75,
	KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE = 76,
	KAFKA_ERR_STALE_BROKER_EPOCH = 77,
	KAFKA_ERR_OFFSET_NOT_AVAILABLE = 78,
	KAFKA_ERR_MEMBER_ID_REQUIRED = 79,
	KAFKA_ERR_PREFERRED_LEADER_NOT_AVAILABLE = 80,
	KAFKA_ERR_GROUP_MAX_SIZE_REACHED = 81,
	KAFKA_ERR_FENCED_INSTANCE_ID = 82,
	KAFKA_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE = 83,
	KAFKA_ERR_ELECTION_NOT_NEEDED = 84,
	KAFKA_ERR_NO_REASSIGNMENT_IN_PROGRESS = 85,
	KAFKA_ERR_GROUP_SUBSCRIBED_TO_TOPIC = 86,
	KAFKA_ERR_INVALID_RECORD = 87,
	KAFKA_ERR_UNSTABLE_OFFSET_COMMIT = 88,
	KAFKA_ERR_THROTTLING_QUOTA_EXCEEDED = 89,
	KAFKA_ERR_PRODUCER_FENCED = 90,
	KAFKA_ERR_RESOURCE_NOT_FOUND = 91,
	KAFKA_ERR_DUPLICATE_RESOURCE = 92,
	KAFKA_ERR_UNACCEPTABLE_CREDENTIAL = 93,
	KAFKA_ERR_INCONSISTENT_VOTER_SET = 94,
	KAFKA_ERR_INVALID_UPDATE_VERSION = 95,
	KAFKA_ERR_FEATURE_UPDATE_FAILED = 96,
	KAFKA_ERR_PRINCIPAL_DESERIALIZATION_FAILURE = 97,
	KAFKA_ERR_SNAPSHOT_NOT_FOUND = 98,
	KAFKA_ERR_UNKNOWN_TOPIC_ID = 100,
	KAFKA_ERR_DUPLICATE_BROKER_REGISTRATION = 101,
	KAFKA_ERR_BROKER_ID_NOT_REGISTERED = 102,
	KAFKA_ERR_INCONSISTENT_TOPIC_ID = 103,
	KAFKA_ERR_INCONSISTENT_CLUSTER_ID = 104,
	KAFKA_ERR_TRANSACTIONAL_ID_NOT_FOUND = 105,
	KAFKA_ERR_FETCH_SESSION_TOPIC_ID_ERROR = 106,
	KAFKA_ERR_INELIGIBLE_REPLICA = 107,
	KAFKA_ERR_NEW_LEADER_ELECTED = 108,
	KAFKA_ERR_OFFSET_MOVED_TO_TIERED_STORAGE = 109,
	KAFKA_ERR_FENCED_MEMBER_EPOCH = 110,
	KAFKA_ERR_UNRELEASED_INSTANCE_ID = 111,
	KAFKA_ERR_UNSUPPORTED_ASSIGNOR = 112,
	KAFKA_ERR_STALE_MEMBER_EPOCH = 113,
	KAFKA_ERR_MISMATCHED_ENDPOINT_TYPE = 114,
	KAFKA_ERR_UNSUPPORTED_ENDPOINT_TYPE = 115,
	KAFKA_ERR_UNKNOWN_CONTROLLER_ID = 116,
	KAFKA_ERR_UNKNOWN_SUBSCRIPTION_ID = 117,
	KAFKA_ERR_TELEMETRY_TOO_LARGE = 118,
	KAFKA_ERR_INVALID_REGISTRATION = 119,
	KAFKA_ERR_TRANSACTION_ABORTABLE = 120,
	KAFKA_ERR_INVALID_RECORD_STATE = 121,
	KAFKA_ERR_SHARE_SESSION_NOT_FOUND = 122,
	KAFKA_ERR_INVALID_SHARE_SESSION_EPOCH = 123,
	KAFKA_ERR_FENCED_STATE_EPOCH = 124,
	KAFKA_ERR_INVALID_VOTER_KEY = 125,
	KAFKA_ERR_DUPLICATE_VOTER = 126,
	KAFKA_ERR_VOTER_NOT_FOUND = 127,
} KafkaErrorCode;

/* "NONE", "UNKNOWN_TOPIC_OR_PARTITION", ...; "UNKNOWN_ERROR_CODE" if unknown. */
extern const char *KafkaErrorName(int16 code);

/* API keys: KAFKA_API_PRODUCE, ... for every row of the API table. */
typedef enum KafkaApiKey
{
#define KAFKA_API(key, symbol, name, minv, maxv, flexv, note) KAFKA_API_##symbol = key,
#include "kafka/apilist.h"
#undef KAFKA_API
} KafkaApiKey;

struct KafkaRequestHeader;

/*
 * A request handler: fills resp (already set to the response's defaults)
 * from req.  ctx is the backend's connection (KafkaConn, kafka/handlers.h).
 * Returns false if the connection must be closed.  Every row of the table
 * has one, KafkaHandle<Name>, except in a codec-only build (compiled with
 * KAFKA_CODEC_ONLY: the fuzz target, which links no handlers), where the
 * handler pointers are NULL.
 */
typedef bool (*KafkaHandler) (void *ctx, const struct KafkaRequestHeader *h,
							  const void *req, void *resp);

/*
 * One implemented API: a row of kafka/apilist.h.  KafkaApis[] holds them
 * all, sorted by api_key.
 */
typedef struct KafkaApi
{
	int16		api_key;
	const char *name;
	int16		min_version;
	int16		max_version;
	int16		first_flexible_version;
	const KSchema *request;
	const KSchema *response;
	KafkaHandler handler;
	const char *note;			/* why the version range is what it is */
} KafkaApi;

extern const KafkaApi KafkaApis[];
extern const int KafkaNumApis;

/* The table row for api_key, or NULL if Strata does not implement it. */
extern const KafkaApi *KafkaApiLookup(int16 api_key);

static inline bool
KafkaApiSupportsVersion(const KafkaApi *api, int16 version)
{
	return version >= api->min_version && version <= api->max_version;
}

static inline bool
KafkaApiIsFlexible(const KafkaApi *api, int16 version)
{
	return version >= api->first_flexible_version;
}

/* ----------------
 * Headers
 * ----------------
 */
typedef struct KafkaRequestHeader
{
	int16		api_key;
	int16		api_version;
	int32		correlation_id;
	KStr		client_id;		/* may be null; borrowed from the frame */
	int16		header_version; /* 1 or 2 */
	const KafkaApi *api;		/* NULL: key not implemented */
	bool		version_supported;	/* api != NULL && version in range */
} KafkaRequestHeader;

/*
 * KafkaParseRequestHeader: read the request header from the front of the
 * frame, leaving r at the body.  The header is v2 (flexible: tagged fields
 * after ClientId) if the API is flexible at that version, else v1; ClientId
 * is a non-compact nullable string in both.  For a key Strata does not
 * implement only v1 is read (the caller closes the connection anyway).
 * Returns false if the header itself is malformed (r->errmsg).
 */
extern bool KafkaParseRequestHeader(KReader *r, KafkaRequestHeader *h);

/* Header version of the response to h: 0, or 1 when flexible (never for ApiVersions). */
extern int16 KafkaResponseHeaderVersion(const KafkaRequestHeader *h);

/*
 * Start a response frame: a size placeholder, then the response header.
 * Returns the frame's start offset for KafkaEndResponse, which fills the size.
 */
extern size_t KafkaBeginResponse(KWriter *w, const KafkaRequestHeader *h, int16 header_version);
extern void KafkaEndResponse(KWriter *w, size_t start);

/*
 * Request/response bodies through the table (h->api must be set and the
 * version supported).  KafkaDecodeRequest returns the request struct in the
 * arena, or NULL if the body is malformed (r->errmsg).  Bytes after a body
 * that decoded completely are not an error (Kafka's parser ignores them):
 * they are left unread in r for the caller to count.  KafkaNewResponse
 * returns a response struct with every field at its default.
 * KafkaWriteResponse appends the whole frame (size, header, body); false
 * means resp cannot be encoded at that version (w->errmsg) - a bug.
 */
extern void *KafkaDecodeRequest(const KafkaRequestHeader *h, KReader *r, KArena *arena);
extern void *KafkaNewResponse(const KafkaRequestHeader *h, KArena *arena);
extern bool KafkaWriteResponse(KWriter *w, const KafkaRequestHeader *h, const void *resp);

/* The client-side direction (regress client, tests). */
extern bool KafkaWriteRequest(KWriter *w, int16 api_key, int16 api_version,
							  int32 correlation_id, const char *client_id,
							  const void *req);
/* Parse a whole response frame body (after the size): header, then body. */
extern void *KafkaDecodeResponse(int16 api_key, int16 api_version, KReader *r,
								 KArena *arena, int32 *correlation_id);

/* ----------------
 * ApiVersions
 * ----------------
 */

/* Fill resp->ApiKeys from KafkaApis[] (a static array). */
extern void KafkaApiVersionsFill(ApiVersionsResponse *resp);

/*
 * KafkaApiVersionsAnswer: the body of an ApiVersions answer to a decoded
 * request of a supported version: INVALID_REQUEST for v3+ software
 * strings that break Kafka's pattern (below), else the table.
 */
extern void KafkaApiVersionsAnswer(int16 version, const ApiVersionsRequest *req,
								   ApiVersionsResponse *resp);

/*
 * KafkaApiVersionsRespond: the whole ApiVersions exchange whatever the
 * version, for tools that serve requests without the backend (the fuzz
 * target, the capture tool); the backend uses it for versions it does not
 * support and the table's handler for the others.  A version Strata does not
 * know gets UNSUPPORTED_VERSION in the v0 layout with the full API list, so
 * a client probing with a newer version (librdkafka sends v3 first) learns
 * the supported range and retries.  v3+ requests carry ClientSoftwareName
 * and ClientSoftwareVersion, which must match Kafka's pattern
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?, else INVALID_REQUEST.
 * Appends the response frame to w.  Returns false if the request body is
 * malformed (r->errmsg): close the connection.  As with KafkaDecodeRequest,
 * bytes after a complete body are left unread in r.
 */
extern bool KafkaApiVersionsRespond(const KafkaRequestHeader *h, KReader *r,
									KArena *arena, KWriter *w);

#endif							/* STRATA_KAFKA_PROTOCOL_H */
