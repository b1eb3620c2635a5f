/*-------------------------------------------------------------------------
 *
 * apis.c
 *	  The table of implemented Kafka APIs, error-code names, request and
 *	  response headers, and the ApiVersions exchange.
 *
 *	  KafkaApis[], built from the rows of kafka/apilist.h, is the one place
 *	  that says which APIs and versions Strata speaks and which handler
 *	  serves each: ApiVersions answers from it, the backend dispatches
 *	  through it and doc/protocol.md is generated from it
 *	  (src/test/unit/test_kafka_codec --describe-apis).  A row lists an API
 *	  only once it is implemented.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/apis.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>

#include "kafka/protocol.h"
#ifndef KAFKA_CODEC_ONLY
#include "kafka/handlers.h"
#endif

/*
 * The table: one entry per row of kafka/apilist.h, with its schemas and
 * handler.  A codec-only build (KAFKA_CODEC_ONLY, the fuzz target) has no
 * handlers to point at.
 */
#ifdef KAFKA_CODEC_ONLY
#define API_HANDLER(name) NULL
#else
#define API_HANDLER(name) KafkaHandle##name
#endif

const KafkaApi KafkaApis[] = {
#define KAFKA_API(key, symbol, name, minv, maxv, flexv, note) \
	{key, #name, minv, maxv, flexv, &name##Request_schema, &name##Response_schema, \
	 API_HANDLER(name), note},
#include "kafka/apilist.h"
#undef KAFKA_API
};
const int	KafkaNumApis = lengthof(KafkaApis);

/* KafkaApiLookup: the table row for api_key (binary search), or NULL. */
const KafkaApi *
KafkaApiLookup(int16 api_key)
{
	int			lo = 0,
				hi = KafkaNumApis - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (KafkaApis[mid].api_key == api_key)
			return &KafkaApis[mid];
		if (KafkaApis[mid].api_key < api_key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static const struct
{
	int16		code;
	const char *name;
}			KafkaErrorNames[] = {
	{-1, "UNKNOWN_SERVER_ERROR"},
	{0, "NONE"},
	{1, "OFFSET_OUT_OF_RANGE"},
	{2, "CORRUPT_MESSAGE"},
	{3, "UNKNOWN_TOPIC_OR_PARTITION"},
	{4, "INVALID_FETCH_SIZE"},
	{5, "LEADER_NOT_AVAILABLE"},
	{6, "NOT_LEADER_OR_FOLLOWER"},
	{7, "REQUEST_TIMED_OUT"},
	{8, "BROKER_NOT_AVAILABLE"},
	{9, "REPLICA_NOT_AVAILABLE"},
	{10, "MESSAGE_TOO_LARGE"},
	{11, "STALE_CONTROLLER_EPOCH"},
	{12, "OFFSET_METADATA_TOO_LARGE"},
	{13, "NETWORK_EXCEPTION"},
	{14, "COORDINATOR_LOAD_IN_PROGRESS"},
	{15, "COORDINATOR_NOT_AVAILABLE"},
	{16, "NOT_COORDINATOR"},
	{17, "INVALID_TOPIC_EXCEPTION"},
	{18, "RECORD_LIST_TOO_LARGE"},
	{19, "NOT_ENOUGH_REPLICAS"},
	{20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND"},
	{21, "INVALID_REQUIRED_ACKS"},
	{22, "ILLEGAL_GENERATION"},
	{23, "INCONSISTENT_GROUP_PROTOCOL"},
	{24, "INVALID_GROUP_ID"},
	{25, "UNKNOWN_MEMBER_ID"},
	{26, "INVALID_SESSION_TIMEOUT"},
	{27, "REBALANCE_IN_PROGRESS"},
	{28, "INVALID_COMMIT_OFFSET_SIZE"},
	{29, "TOPIC_AUTHORIZATION_FAILED"},
	{30, "GROUP_AUTHORIZATION_FAILED"},
	{31, "CLUSTER_AUTHORIZATION_FAILED"},
	{32, "INVALID_TIMESTAMP"},
	{33, "UNSUPPORTED_SASL_MECHANISM"},
	{34, "ILLEGAL_SASL_STATE"},
	{35, "UNSUPPORTED_VERSION"},
	{36, "TOPIC_ALREADY_EXISTS"},
	{37, "INVALID_PARTITIONS"},
	{38, "INVALID_REPLICATION_FACTOR"},
	{39, "INVALID_REPLICA_ASSIGNMENT"},
	{40, "INVALID_CONFIG"},
	{41, "NOT_CONTROLLER"},
	{42, "INVALID_REQUEST"},
	{43, "UNSUPPORTED_FOR_MESSAGE_FORMAT"},
	{44, "POLICY_VIOLATION"},
	{45, "OUT_OF_ORDER_SEQUENCE_NUMBER"},
	{46, "DUPLICATE_SEQUENCE_NUMBER"},
	{47, "INVALID_PRODUCER_EPOCH"},
	{48, "INVALID_TXN_STATE"},
	{49, "INVALID_PRODUCER_ID_MAPPING"},
	{50, "INVALID_TRANSACTION_TIMEOUT"},
	{51, "CONCURRENT_TRANSACTIONS"},
	{52, "TRANSACTION_COORDINATOR_FENCED"},
	{53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"},
	{54, "SECURITY_DISABLED"},
	{55, "OPERATION_NOT_ATTEMPTED"},
	{56, "KAFKA_STORAGE_ERROR"},
	{57, "LOG_DIR_NOT_FOUND"},
	{58, "SASL_AUTHENTICATION_FAILED"},
	{59, "UNKNOWN_PRODUCER_ID"},
	{60, "REASSIGNMENT_IN_PROGRESS"},
	{61, "DELEGATION_TOKEN_AUTH_DISABLED"},
	{62, "DELEGATION_TOKEN_NOT_FOUND"},
	{63, "DELEGATION_TOKEN_OWNER_MISMATCH"},
	{64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED"},
	{65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED"},
	{66, "DELEGATION_TOKEN_EXPIRED"},
	{67, "INVALID_PRINCIPAL_TYPE"},
	{68, "NON_EMPTY_GROUP"},
	{69, "GROUP_ID_NOT_FOUND"},
	{70, "FETCH_SESSION_ID_NOT_FOUND"},
	{71, "INVALID_FETCH_SESSION_EPOCH"},
	{72, "LISTENER_NOT_FOUND"},
	{73, "TOPIC_DELETION_DISABLED"},
	{74, "FENCED_LEADER_EPOCH"},
	{75, "UNKNOWN_LEADER_EPOCH"},
	{76, "UNSUPPORTED_COMPRESSION_TYPE"},
	{77, "STALE_BROKER_EPOCH"},
	{78, "OFFSET_NOT_AVAILABLE"},
	{79, "MEMBER_ID_REQUIRED"},
	{80, "PREFERRED_LEADER_NOT_AVAILABLE"},
	{81, "GROUP_MAX_SIZE_REACHED"},
	{82, "FENCED_INSTANCE_ID"},
	{83, "ELIGIBLE_LEADERS_NOT_AVAILABLE"},
	{84, "ELECTION_NOT_NEEDED"},
	{85, "NO_REASSIGNMENT_IN_PROGRESS"},
	{86, "GROUP_SUBSCRIBED_TO_TOPIC"},
	{87, "INVALID_RECORD"},
	{88, "UNSTABLE_OFFSET_COMMIT"},
	{89, "THROTTLING_QUOTA_EXCEEDED"},
	{90, "PRODUCER_FENCED"},
	{91, "RESOURCE_NOT_FOUND"},
	{92, "DUPLICATE_RESOURCE"},
	{93, "UNACCEPTABLE_CREDENTIAL"},
	{94, "INCONSISTENT_VOTER_SET"},
	{95, "INVALID_UPDATE_VERSION"},
	{96, "FEATURE_UPDATE_FAILED"},
	{97, "PRINCIPAL_DESERIALIZATION_FAILURE"},
	{98, "SNAPSHOT_NOT_FOUND"},
	{100, "UNKNOWN_TOPIC_ID"},
	{101, "DUPLICATE_BROKER_REGISTRATION"},
	{102, "BROKER_ID_NOT_REGISTERED"},
	{103, "INCONSISTENT_TOPIC_ID"},
	{104, "INCONSISTENT_CLUSTER_ID"},
	{105, "TRANSACTIONAL_ID_NOT_FOUND"},
	{106, "FETCH_SESSION_TOPIC_ID_ERROR"},
	{107, "INELIGIBLE_REPLICA"},
	{108, "NEW_LEADER_ELECTED"},
	{109, "OFFSET_MOVED_TO_TIERED_STORAGE"},
	{110, "FENCED_MEMBER_EPOCH"},
	{111, "UNRELEASED_INSTANCE_ID"},
	{112, "UNSUPPORTED_ASSIGNOR"},
	{113, "STALE_MEMBER_EPOCH"},
	{114, "MISMATCHED_ENDPOINT_TYPE"},
	{115, "UNSUPPORTED_ENDPOINT_TYPE"},
	{116, "UNKNOWN_CONTROLLER_ID"},
	{117, "UNKNOWN_SUBSCRIPTION_ID"},
	{118, "TELEMETRY_TOO_LARGE"},
	{119, "INVALID_REGISTRATION"},
	{120, "TRANSACTION_ABORTABLE"},
	{121, "INVALID_RECORD_STATE"},
	{122, "SHARE_SESSION_NOT_FOUND"},
	{123, "INVALID_SHARE_SESSION_EPOCH"},
	{124, "FENCED_STATE_EPOCH"},
	{125, "INVALID_VOTER_KEY"},
	{126, "DUPLICATE_VOTER"},
	{127, "VOTER_NOT_FOUND"},
};

/* KafkaErrorName: Kafka's name for an error code, for logs and tests. */
const char *
KafkaErrorName(int16 code)
{
	for (size_t i = 0; i < lengthof(KafkaErrorNames); i++)
		if (KafkaErrorNames[i].code == code)
			return KafkaErrorNames[i].name;
	return "UNKNOWN_ERROR_CODE";
}

/* ----------------------------------------------------------------
 *		Headers
 * ----------------------------------------------------------------
 */
/*
 * KafkaParseRequestHeader: run by the backend on every request frame; see
 * protocol.h.  Only the header is read; the body is left for the decoder.
 */
bool
KafkaParseRequestHeader(KReader *r, KafkaRequestHeader *h)
{
	memset(h, 0, sizeof(*h));
	h->api_key = KReadInt16(r);
	h->api_version = KReadInt16(r);
	h->correlation_id = KReadInt32(r);
	/* ClientId stays a non-compact string even in header v2. */
	h->client_id = KReadString(r, true);
	h->header_version = 1;
	if (r->failed)
		return false;
	h->api = KafkaApiLookup(h->api_key);
	h->version_supported = h->api != NULL &&
		KafkaApiSupportsVersion(h->api, h->api_version);
	if (h->api != NULL && h->api_version >= 0 &&
		KafkaApiIsFlexible(h->api, h->api_version))
	{
		h->header_version = 2;
		/*
		 * The body of an unsupported version is never read, so neither are
		 * its header's tags: an ApiVersions probe of a future version must be
		 * answered whatever follows ClientId.
		 */
		if (h->version_supported)
			KReadSkipTaggedFields(r);
	}
	return !r->failed;
}

int16
KafkaResponseHeaderVersion(const KafkaRequestHeader *h)
{
	/* ApiVersions responses use header v0 so any client can read them. */
	if (h->api_key == KAFKA_API_API_VERSIONS || h->api == NULL)
		return 0;
	return KafkaApiIsFlexible(h->api, h->api_version) ? 1 : 0;
}

size_t
KafkaBeginResponse(KWriter *w, const KafkaRequestHeader *h, int16 header_version)
{
	size_t		start = KWriteReserveInt32(w);

	KWriteInt32(w, h->correlation_id);
	if (header_version >= 1)
		KWriteEmptyTaggedFields(w);
	return start;
}

void
KafkaEndResponse(KWriter *w, size_t start)
{
	/* the frame's length counts the bytes referred to (KWriteExternal) too */
	KWritePatchInt32(w, start, (int32) (KWriterTotalSince(w, start) - 4));
}

/*
 * KafkaDecodeRequest: the request body as its C struct, in the arena.
 * Surplus bytes after the body stay in r (see protocol.h).
 */
void *
KafkaDecodeRequest(const KafkaRequestHeader *h, KReader *r, KArena *arena)
{
	void	   *req;

	Assert(h->api != NULL && h->version_supported);
	req = KArenaAlloc(arena, h->api->request->size);
	if (req == NULL)
	{
		KReaderFail(r, "out of request memory");
		return NULL;
	}
	if (!KafkaDecodePartial(h->api->request, h->api_version,
							KafkaApiIsFlexible(h->api, h->api_version), r, arena, req))
		return NULL;
	return req;
}

void *
KafkaNewResponse(const KafkaRequestHeader *h, KArena *arena)
{
	void	   *resp = KArenaAlloc(arena, h->api->response->size);

	if (resp != NULL)
		KafkaSetDefaults(h->api->response, resp);
	return resp;
}

/*
 * KafkaWriteResponse: append a whole response frame to w.  On failure w is
 * left as it was, so half a response is never sent.
 */
bool
KafkaWriteResponse(KWriter *w, const KafkaRequestHeader *h, const void *resp)
{
	size_t		start = KafkaBeginResponse(w, h, KafkaResponseHeaderVersion(h));

	if (!KafkaEncode(h->api->response, h->api_version,
					 KafkaApiIsFlexible(h->api, h->api_version), resp, w))
	{
		KWriterTruncate(w, start);	/* never send half a response */
		return false;
	}
	KafkaEndResponse(w, start);
	return true;
}

/* KafkaWriteRequest: the client direction (regress client, tests, fuzz seeds). */
bool
KafkaWriteRequest(KWriter *w, int16 api_key, int16 api_version,
				  int32 correlation_id, const char *client_id, const void *req)
{
	const KafkaApi *api = KafkaApiLookup(api_key);
	size_t		start;
	bool		flex;

	if (api == NULL)
		return KWriterFail(w, "API key %d is not in the table", api_key);
	flex = api_version >= 0 && KafkaApiIsFlexible(api, api_version);
	start = KWriteReserveInt32(w);
	KWriteInt16(w, api_key);
	KWriteInt16(w, api_version);
	KWriteInt32(w, correlation_id);
	KWriteString(w, client_id, client_id ? (int32) strlen(client_id) : -1);
	if (flex)
		KWriteEmptyTaggedFields(w);
	if (!KafkaEncode(api->request, api_version, flex, req, w))
	{
		KWriterTruncate(w, start);
		return false;
	}
	KafkaEndResponse(w, start);
	return true;
}

/*
 * KafkaDecodeResponse: the client direction.  r holds a response frame
 * without its size; ApiVersions answers use header v0 and, when the error
 * is UNSUPPORTED_VERSION, the v0 body layout.
 */
void *
KafkaDecodeResponse(int16 api_key, int16 api_version, KReader *r,
					KArena *arena, int32 *correlation_id)
{
	const KafkaApi *api = KafkaApiLookup(api_key);
	bool		flex;
	void	   *resp;

	if (api == NULL)
	{
		KReaderFail(r, "API key %d is not in the table", api_key);
		return NULL;
	}
	flex = KafkaApiIsFlexible(api, api_version);
	*correlation_id = KReadInt32(r);
	if (api_key == KAFKA_API_API_VERSIONS)
	{
		/* header v0; an UNSUPPORTED_VERSION answer is in the v0 layout */
		if (KReaderRemaining(r) >= 2 && r->buf[r->pos] == 0 &&
			r->buf[r->pos + 1] == KAFKA_ERR_UNSUPPORTED_VERSION)
		{
			api_version = 0;
			flex = false;
		}
	}
	else if (flex)
		KReadSkipTaggedFields(r);
	resp = KArenaAlloc(arena, api->response->size);
	if (resp == NULL)
	{
		KReaderFail(r, "out of response memory");
		return NULL;
	}
	if (!KafkaDecode(api->response, api_version, flex, r, arena, resp))
		return NULL;
	return resp;
}

/* ----------------------------------------------------------------
 *		ApiVersions
 * ----------------------------------------------------------------
 */
/*
 * KafkaApiVersionsFill: ApiKeys straight from KafkaApis[], in a static
 * array of this process (the same values every time), so an ApiVersions
 * answer needs no memory of its own.
 */
void
KafkaApiVersionsFill(ApiVersionsResponse *resp)
{
	static ApiVersion keys[lengthof(KafkaApis)];

	for (int i = 0; i < KafkaNumApis; i++)
	{
		keys[i].ApiKey = KafkaApis[i].api_key;
		keys[i].MinVersion = KafkaApis[i].min_version;
		keys[i].MaxVersion = KafkaApis[i].max_version;
	}
	resp->ApiKeys.count = KafkaNumApis;
	resp->ApiKeys.items = keys;
}

/*
 * Kafka's rule for ClientSoftwareName/Version (KIP-511):
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
 */
static bool
software_string_valid(KStr s)
{
	if (s.len <= 0 || !isalnum((unsigned char) s.ptr[0]) ||
		!isalnum((unsigned char) s.ptr[s.len - 1]))
		return false;
	for (int32 i = 0; i < s.len; i++)
	{
		unsigned char c = (unsigned char) s.ptr[i];

		if (!(isalnum(c) || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* KafkaApiVersionsAnswer: see protocol.h. */
void
KafkaApiVersionsAnswer(int16 version, const ApiVersionsRequest *req, ApiVersionsResponse *resp)
{
	if (version >= 3 && (!software_string_valid(req->ClientSoftwareName) ||
						 !software_string_valid(req->ClientSoftwareVersion)))
		resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
	else
		KafkaApiVersionsFill(resp);
}

/* KafkaApiVersionsRespond: see protocol.h. */
bool
KafkaApiVersionsRespond(const KafkaRequestHeader *h, KReader *r,
						KArena *arena, KWriter *w)
{
	ApiVersionsResponse resp;
	int16		v = h->api_version;
	size_t		start;

	KafkaSetDefaults(&ApiVersionsResponse_schema, &resp);
	if (!h->version_supported)
	{
		/* Unknown version: v0 layout, so any client can read the list. */
		v = 0;
		resp.ErrorCode = KAFKA_ERR_UNSUPPORTED_VERSION;
		KafkaApiVersionsFill(&resp);
	}
	else
	{
		ApiVersionsRequest req;

		if (!KafkaDecodePartial(&ApiVersionsRequest_schema, v,
								KafkaApiIsFlexible(h->api, v), r, arena, &req))
			return false;
		KafkaApiVersionsAnswer(v, &req, &resp);
	}
	start = KafkaBeginResponse(w, h, 0);
	if (!KafkaEncode(&ApiVersionsResponse_schema, v, v >= 3, &resp, w))
	{
		/* cannot happen: the response is built from the table */
		KWriterTruncate(w, start);
		return KReaderFail(r, "cannot encode ApiVersions response: %s", w->errmsg);
	}
	KafkaEndResponse(w, start);
	return true;
}
