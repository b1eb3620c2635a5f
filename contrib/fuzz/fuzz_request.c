/*-------------------------------------------------------------------------
 *
 * fuzz_request.c
 *	  libFuzzer target for the Kafka codec: arbitrary bytes through request
 *	  header parsing, every request decoder, ApiVersions, the client-side
 *	  response decoders and record batch validation; and for what a client
 *	  sends before it has authenticated: the SASL tokens (SCRAM's client
 *	  messages, PLAIN's) and, with the ACL requests, the ACL model.
 *
 *	  The first byte picks what the rest is:
 *		0: a request frame (what follows the INT32 size on the wire);
 *		1: a response body for api key data[1], version data[2];
 *		2: a Produce partition's records (a legacy message set is also
 *		   converted, and what it converts to must validate);
 *		3: a message of an API described ahead of its handler (messages.h);
 *		4: a SASL token: data[1] % 3 picks SCRAM client-first, SCRAM
 *		   client-final or PLAIN;
 *		5: a CreateAcls request body at version data[1] % 4, whose ACLs go
 *		   through the ACL model: an ACL that may be created must match a
 *		   filter of its own fields and cover its own name.
 *	  A request that decodes is re-encoded and decoded again, and the two
 *	  printed forms must match: the codec must agree with itself on
 *	  anything it accepts.
 *
 *	  Built and run by "make -C contrib/fuzz check" (clang with
 *	  -fsanitize=fuzzer,address,undefined); corpus/ holds seeds written by
 *	  gen_corpus.c with the codec's own encoder.
 *
 * contrib/fuzz/fuzz_request.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/acl.h"
#include "kafka/legacy.h"
#include "kafka/protocol.h"
#include "kafka/records.h"
#include "utils/scram.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static KArena arena;
static bool initialized;

static void
print_to(const KSchema *s, int16 v, const void *msg, KWriter *w)
{
	KWriterReset(w);
	KafkaPrint(s, v, msg, w);
}

static void
fuzz_request(const uint8 *data, size_t size)
{
	KReader		r;
	KafkaRequestHeader h;
	KWriter		out;

	KReaderInit(&r, data, size);
	if (!KafkaParseRequestHeader(&r, &h))
		return;
	KWriterInit(&out, 256);
	if (h.api_key == KAFKA_API_API_VERSIONS)
		(void) KafkaApiVersionsRespond(&h, &r, &arena, &out);
	else if (h.api != NULL && h.version_supported)
	{
		void	   *req = KafkaDecodeRequest(&h, &r, &arena);

		if (req != NULL)
		{
			bool		flex = KafkaApiIsFlexible(h.api, h.api_version);
			void	   *again = KArenaAlloc(&arena, h.api->request->size);
			KWriter		p1,
						p2;
			KReader		r2;

			if (!KafkaEncode(h.api->request, h.api_version, flex, req, &out))
				abort();		/* anything decoded must re-encode */
			KReaderInit(&r2, out.buf, out.len);
			if (again == NULL ||
				!KafkaDecode(h.api->request, h.api_version, flex, &r2, &arena, again))
				abort();
			KWriterInit(&p1, 256);
			KWriterInit(&p2, 256);
			print_to(h.api->request, h.api_version, req, &p1);
			print_to(h.api->request, h.api_version, again, &p2);
			if (p1.len != p2.len || memcmp(p1.buf, p2.buf, p1.len) != 0)
				abort();
			KWriterFree(&p1);
			KWriterFree(&p2);

			/* the handler side: a default response must encode */
			KWriterReset(&out);
			if (!KafkaWriteResponse(&out, &h, KafkaNewResponse(&h, &arena)))
				abort();
		}
	}
	KWriterFree(&out);
}

static void
fuzz_response(const uint8 *data, size_t size)
{
	KReader		r;
	int32		corr;
	KWriter		w;
	void	   *resp;
	const KafkaApi *api;

	if (size < 2)
		return;
	api = &KafkaApis[data[0] % KafkaNumApis];
	{
		int16		v = api->min_version + data[1] % (api->max_version - api->min_version + 1);

		KReaderInit(&r, data + 2, size - 2);
		resp = KafkaDecodeResponse(api->api_key, v, &r, &arena, &corr);
		if (resp != NULL)
		{
			KWriterInit(&w, 256);
			KafkaPrint(api->response, v, resp, &w);
			KWriterFree(&w);
		}
	}
}

static void
fuzz_records(const uint8 *data, size_t size)
{
	RecordBatchInfo infos[8];
	int			n;
	char		err[200];

	(void) RecordsValidate(data, size, 0, infos, 8, &n, err, sizeof(err));
	if (LegacyIsMessageSet(data, size))
	{
		uint8	   *batch;
		size_t		blen,
					inflated;

		/* bounded: at most 1 MB inflated, whatever the input claims */
		if (LegacyMessageSetConvert(data, size, 1 << 20, &batch, &blen, &inflated, err, sizeof(err)) == 0)
		{
			if (RecordBatchValidate(batch, blen, 0, &infos[0], err, sizeof(err)) != 0)
				abort();
			pfree(batch);
		}
		if (inflated > (1 << 20))
			abort();
	}
	if (RecordsValidateProduce(data, (int32) size, 9, &infos[0], err, sizeof(err)) == 0)
	{
		/* a valid batch must stay valid through the broker's rewrites */
		uint8	   *copy = malloc(size);

		memcpy(copy, data, size);
		RecordBatchSetBaseOffset(copy, 42);
		RecordBatchSetLogAppendTime(copy, 1800000000000LL);
		if (RecordsValidateProduce(copy, (int32) size, 9, &infos[0], err, sizeof(err)) != 0)
			abort();
		free(copy);
	}
}

/*
 * Messages described ahead of their handlers (messages.h): Kafka 3.9's
 * ranges.  Input: [index][version offset][request or response flag] body.
 */
static const struct
{
	int16		minv,
				maxv,
				flexv;
	const KSchema *req,
			   *resp;
}			pending[] = {
	{0, 6, 3, &FindCoordinatorRequest_schema, &FindCoordinatorResponse_schema},
	{0, 9, 6, &JoinGroupRequest_schema, &JoinGroupResponse_schema},
	{0, 4, 4, &HeartbeatRequest_schema, &HeartbeatResponse_schema},
	{0, 5, 4, &LeaveGroupRequest_schema, &LeaveGroupResponse_schema},
	{0, 5, 4, &SyncGroupRequest_schema, &SyncGroupResponse_schema},
	{0, 9, 8, &OffsetCommitRequest_schema, &OffsetCommitResponse_schema},
	{0, 9, 6, &OffsetFetchRequest_schema, &OffsetFetchResponse_schema},
	{0, 5, 5, &DescribeGroupsRequest_schema, &DescribeGroupsResponse_schema},
	{0, 5, 3, &ListGroupsRequest_schema, &ListGroupsResponse_schema},
	{0, 2, 2, &DeleteGroupsRequest_schema, &DeleteGroupsResponse_schema},
	{0, 5, 2, &InitProducerIdRequest_schema, &InitProducerIdResponse_schema},
	{0, 0, 0x7fff, &OffsetDeleteRequest_schema, &OffsetDeleteResponse_schema},
};

static void
fuzz_pending(const uint8 *data, size_t size)
{
	const KSchema *s;
	int16		v;
	bool		flex;
	void	   *msg,
			   *again;
	KReader		r;
	KWriter		w;

	if (size < 3)
		return;
	{
		int			i = data[0] % (int) lengthof(pending);

		v = pending[i].minv + data[1] % (pending[i].maxv - pending[i].minv + 1);
		flex = v >= pending[i].flexv;
		s = (data[2] & 1) ? pending[i].resp : pending[i].req;
	}
	msg = KArenaAlloc(&arena, s->size);
	again = KArenaAlloc(&arena, s->size);
	KReaderInit(&r, data + 3, size - 3);
	if (!KafkaDecode(s, v, flex, &r, &arena, msg))
		return;
	KWriterInit(&w, 256);
	if (!KafkaEncode(s, v, flex, msg, &w))
		abort();
	KReaderInit(&r, w.buf, w.len);
	if (!KafkaDecode(s, v, flex, &r, &arena, again))
		abort();
	KWriterFree(&w);
}

/*
 * A SASL token as the server parses it.  What a parser accepts must hold
 * together: a client-first-message's header ends with ',' and its bare
 * part is the rest of the message; a client-final-message's part without
 * the proof is a prefix of it; PLAIN's fields lie within the token.
 */
static void
fuzz_sasl(const uint8 *data, size_t size)
{
	const char *msg;
	size_t		len;

	if (size < 1)
		return;
	msg = (const char *) data + 1;
	len = size - 1;
	switch (data[0] % 3)
	{
		case 0:
			{
				ScramClientFirst cf;

				if (ScramParseClientFirst(msg, len, &cf) == NULL)
				{
					size_t		hl = strlen(cf.gs2_header);

					if (hl == 0 || cf.gs2_header[hl - 1] != ',' || hl + strlen(cf.bare) != len ||
						memcmp(msg + hl, cf.bare, len - hl) != 0 || cf.user[0] == '\0' ||
						cf.nonce[0] == '\0')
						abort();
				}
				ScramFreeClientFirst(&cf);
				break;
			}
		case 1:
			{
				ScramClientFinal cf;

				if (ScramParseClientFinal(msg, len, &cf) == NULL &&
					(cf.without_proof_len >= len || memcmp(msg + cf.without_proof_len, ",p=", 3) != 0 ||
					 cf.proof_len < 0 || cf.proof_len > SCRAM_MAX_KEY_LEN))
					abort();
				ScramFreeClientFinal(&cf);
				break;
			}
		case 2:
			{
				SaslPlainMessage pm;

				if (SaslParsePlain(msg, len, &pm) == NULL &&
					(pm.password + pm.password_len != msg + len || pm.user_len == 0 ||
					 pm.user < msg || pm.user + pm.user_len > msg + len))
					abort();
				break;
			}
	}
}

/* CreateAcls' ACLs through the ACL model (see the file comment, mode 5). */
static void
fuzz_acls(const uint8 *data, size_t size)
{
	CreateAclsRequest req;
	KReader		r;
	int16		v;

	if (size < 1)
		return;
	v = (int16) (data[0] % 4);
	KReaderInit(&r, data + 1, size - 1);
	if (!KafkaDecode(&CreateAclsRequest_schema, v, v >= 2, &r, &arena, &req))
		return;
	for (int32 i = 0; i < req.Creations.count; i++)
	{
		const AclCreation *c = &req.Creations.items[i];
		char		principal[256],
					host[256];
		AclEntry	e;
		AclFilter	f;
		const char *msg;

		snprintf(principal, sizeof(principal), "%.*s", (int) Max(c->Principal.len, 0), c->Principal.ptr);
		snprintf(host, sizeof(host), "%.*s", (int) Max(c->Host.len, 0), c->Host.ptr);
		e.resource_type = (uint8) c->ResourceType;
		e.pattern_type = (uint8) c->ResourcePatternType;
		e.operation = (uint8) c->Operation;
		e.permission = (uint8) c->PermissionType;
		e.resource_name = c->ResourceName.ptr ? c->ResourceName.ptr : "";
		e.resource_name_len = Max(c->ResourceName.len, 0);
		e.principal = principal;
		e.host = host;
		if (!AclEntryValid(&e, &msg))
			continue;
		if (strlen(principal) != (size_t) Max(c->Principal.len, 0) || strlen(host) != (size_t) Max(c->Host.len, 0))
			continue;			/* a NUL inside: the strings above are cut short */
		f.resource_type = e.resource_type;
		f.pattern_type = e.pattern_type;
		f.resource_name = e.resource_name;
		f.resource_name_len = e.resource_name_len;
		f.principal = principal;
		f.principal_len = (int32) strlen(principal);
		f.host = host;
		f.host_len = (int32) strlen(host);
		f.operation = e.operation;
		f.permission = e.permission;
		if (!AclFilterValid(&f, &msg) || !AclFilterMatches(&f, &e) ||
			!AclPatternCovers(&e, e.resource_type, e.resource_name, e.resource_name_len))
			abort();
		f.pattern_type = ACL_PATTERN_MATCH;
		if (!AclFilterMatches(&f, &e))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!initialized)
	{
		KArenaInit(&arena, 64 * 1024 * 1024);
		initialized = true;
	}
	if (size < 1)
		return 0;
	switch (data[0] % 6)
	{
		case 5:
			fuzz_acls(data + 1, size - 1);
			break;
		case 4:
			fuzz_sasl(data + 1, size - 1);
			break;
		case 3:
			fuzz_pending(data + 1, size - 1);
			break;
		case 0:
			fuzz_request(data + 1, size - 1);
			break;
		case 1:
			fuzz_response(data + 1, size - 1);
			break;
		case 2:
			fuzz_records(data + 1, size - 1);
			break;
	}
	KArenaReset(&arena);
	return 0;
}
