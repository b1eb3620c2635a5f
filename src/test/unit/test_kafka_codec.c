/*
 * test_kafka_codec.c
 *	  The generic message codec, the API table, headers and ApiVersions.
 *
 *	  - the table: sorted, sane ranges, schemas present;
 *	  - every request and response of every API at every advertised version
 *	    (so min, first-flexible and max included), filled with non-default
 *	    values, with tagged fields present and absent and with nulls where
 *	    the version allows them: encode -> decode -> encode gives the same
 *	    bytes and the same printed text;
 *	  - every such encoding truncated at every byte fails cleanly;
 *	  - hand-made byte vectors checked field by field;
 *	  - hostile counts, lengths and tagged sections;
 *	  - header v1/v2 parsing and ApiVersions, including the unknown-version
 *	    fallback;
 *	  - the UNKNOWN_SERVER_ERROR answer to a request that failed with an
 *	    ERROR, for every API version whose response has a top-level
 *	    ErrorCode.
 *
 *	  "test_kafka_codec --describe-apis" prints doc/protocol.md's API table
 *	  from KafkaApis[] (with what a failed request gets); the test checks the
 *	  committed doc matches it.
 */
#include "c.h"

#include <dirent.h>

#include "kafka/protocol.h"
#include "kafka/records.h"
#include "tap.h"

static KArena arena;
static int	counter;

/* ---------- filling a message with non-default values ---------- */

typedef struct FillOpts
{
	bool		tagged;			/* give tagged fields non-default values */
	bool		nulls;			/* use null wherever the version allows */
} FillOpts;

static void fill_struct(const KSchema *s, int16 v, FillOpts o, void *msg);

static void
fill_elem(const KField *f, int16 v, FillOpts o, bool nullable, void *p)
{
	counter++;
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			*(bool *) p = !f->dflt;
			break;
		case KT_INT8:
			*(int8 *) p = (int8) (counter % 100 + 1);
			break;
		case KT_INT16:
		case KT_UINT16:
			*(int16 *) p = (int16) (counter + 1000);
			break;
		case KT_INT32:
		case KT_UINT32:
			*(int32 *) p = counter * 100003;
			break;
		case KT_INT64:
			*(int64 *) p = (int64) counter * 10000000019LL;
			break;
		case KT_FLOAT64:
			*(double *) p = counter + 0.5;
			break;
		case KT_UUID:
			for (int i = 0; i < 16; i++)
				((KUuid *) p)->b[i] = (uint8) (counter + i);
			break;
		case KT_STRING:
			if (o.nulls && nullable)
				*(KStr *) p = KSTR_NULL;
			else
			{
				char	   *s = KArenaAlloc(&arena, 32);

				snprintf(s, 32, "s%d\"\\\x01", counter);
				*(KStr *) p = KStrFromC(s);
			}
			break;
		case KT_BYTES:
		case KT_RECORDS:
			if (o.nulls && nullable)
				*(KBytes *) p = (KBytes) {NULL, -1};
			else
			{
				uint8	   *b = KArenaAlloc(&arena, 3);

				b[0] = (uint8) counter;
				b[1] = 0;
				b[2] = 0xff;
				*(KBytes *) p = (KBytes) {b, 3};
			}
			break;
		case KT_STRUCT:
			fill_struct(f->sub, v, o, p);
			break;
	}
}

static size_t
csize_of(const KField *f)
{
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
		case KT_INT8:
			return 1;
		case KT_INT16:
		case KT_UINT16:
			return 2;
		case KT_INT32:
		case KT_UINT32:
			return 4;
		case KT_INT64:
		case KT_FLOAT64:
			return 8;
		case KT_UUID:
			return 16;
		case KT_STRING:
			return sizeof(KStr);
		case KT_BYTES:
		case KT_RECORDS:
			return sizeof(KBytes);
		case KT_STRUCT:
			return f->sub->size;
	}
	return 0;
}

static void
fill_struct(const KSchema *s, int16 v, FillOpts o, void *msg)
{
	KafkaSetDefaults(s, msg);
	for (int i = 0; i < s->nfields; i++)
	{
		const KField *f = &s->fields[i];
		void	   *p = (char *) msg + f->offset;
		bool		nullable = v >= f->nullable_min;

		if (!KFieldInVersion(f, v) || (f->tag >= 0 && !o.tagged))
			continue;
		if (f->is_array)
		{
			KArrayHdr  *a = p;

			if (o.nulls && nullable)
			{
				a->count = -1;
				continue;
			}
			a->count = 2;
			a->items = KArenaAlloc(&arena, 2 * csize_of(f));
			for (int j = 0; j < 2; j++)
				fill_elem(f, v, o, false, (char *) a->items + j * csize_of(f));
		}
		else
			fill_elem(f, v, o, nullable, p);
	}
}

static char *
print_msg(const KSchema *s, int16 v, const void *msg)
{
	KWriter		w;
	char	   *out;

	KWriterInit(&w, 256);
	KafkaPrint(s, v, msg, &w);
	KWriteInt8(&w, 0);
	out = pstrdup((char *) w.buf);
	KWriterFree(&w);
	return out;
}

/*
 * Round-trip one schema at one version; return number of failures (each
 * reported).  Also truncates the encoding at every byte.
 */
static int
roundtrip(const char *what, const KSchema *s, int16 v, bool flex, FillOpts o,
		  int *truncfail)
{
	void	   *msg = KArenaAlloc(&arena, s->size);
	void	   *back = KArenaAlloc(&arena, s->size);
	KWriter		w1,
				w2;
	KReader		r;
	int			bad = 0;
	char	   *p1,
			   *p2;

	fill_struct(s, v, o, msg);
	KWriterInit(&w1, 256);
	KWriterInit(&w2, 256);
	if (!KafkaEncode(s, v, flex, msg, &w1))
	{
		printf("# %s v%d: encode failed: %s\n", what, v, w1.errmsg);
		bad++;
		goto out;
	}
	KReaderInit(&r, w1.buf, w1.len);
	if (!KafkaDecode(s, v, flex, &r, &arena, back))
	{
		printf("# %s v%d: decode failed: %s\n", what, v, r.errmsg);
		bad++;
		goto out;
	}
	if (!KafkaEncode(s, v, flex, back, &w2) || w1.len != w2.len ||
		memcmp(w1.buf, w2.buf, w1.len) != 0)
	{
		printf("# %s v%d: re-encoding differs\n", what, v);
		bad++;
	}
	p1 = print_msg(s, v, msg);
	p2 = print_msg(s, v, back);
	if (strcmp(p1, p2) != 0)
	{
		printf("# %s v%d: printed forms differ:\n# %s\n# %s\n", what, v, p1, p2);
		bad++;
	}
	/* parse the printed text back and encode it: same bytes */
	{
		void	   *parsed = KArenaAlloc(&arena, s->size);
		const char *t = p1;
		char		err[200];
		KWriter		w3;

		KWriterInit(&w3, 256);
		if (!KafkaParseText(s, &t, &arena, parsed, err, sizeof(err)))
		{
			printf("# %s v%d: text parse failed: %s\n", what, v, err);
			bad++;
		}
		else if (!KafkaEncode(s, v, flex, parsed, &w3) || w3.len != w1.len ||
				 memcmp(w3.buf, w1.buf, w1.len) != 0)
		{
			printf("# %s v%d: text round trip differs\n", what, v);
			bad++;
		}
		KWriterFree(&w3);
	}
	pfree(p1);
	pfree(p2);

	for (size_t cut = 0; cut < w1.len; cut++)
	{
		KReaderInit(&r, w1.buf, cut);
		if (KafkaDecode(s, v, flex, &r, &arena, back) || r.errmsg[0] == '\0')
		{
			printf("# %s v%d: truncated at %zu/%zu decoded without error\n", what, v, cut, w1.len);
			(*truncfail)++;
			break;
		}
	}
out:
	KWriterFree(&w1);
	KWriterFree(&w2);
	KArenaReset(&arena);
	return bad;
}

static void
test_table(void)
{
	bool		sorted = true,
				sane = true,
				handled = true;

	for (int i = 0; i < KafkaNumApis; i++)
	{
		const KafkaApi *a = &KafkaApis[i];

		if (a->handler == NULL)
			handled = false;
		if (i > 0 && KafkaApis[i - 1].api_key >= a->api_key)
			sorted = false;
		if (a->min_version < 0 || a->min_version > a->max_version ||
			a->first_flexible_version < 0 || a->request == NULL || a->response == NULL ||
			KafkaApiLookup(a->api_key) != a)
			sane = false;
	}
	ok(sorted, "KafkaApis[] sorted by key");
	ok(sane, "every row has a sane range, schemas, and is found by lookup");
	ok(handled, "every row names its handler (the backend dispatches through the table)");
	is_int(KafkaNumApis, 35, "14 APIs in issue 5, 11 of the group coordinator and InitProducerId (issue 7), "
		   "SaslHandshake, SaslAuthenticate, the SCRAM credential and the ACL APIs (issue 17), "
		   "2 of partition moves (issue 15)");
	ok(KafkaApiLookup(KAFKA_API_INIT_PRODUCER_ID) != NULL &&
	   KafkaApiLookup(KAFKA_API_INIT_PRODUCER_ID)->max_version == 4,
	   "InitProducerId implemented, v0-v4");
	ok(KafkaApiLookup(-1) == NULL && KafkaApiLookup(1000) == NULL, "lookup of bogus keys");
	is_str(KafkaErrorName(0), "NONE", "error name 0");
	is_str(KafkaErrorName(35), "UNSUPPORTED_VERSION", "error name 35");
	is_str(KafkaErrorName(3), "UNKNOWN_TOPIC_OR_PARTITION", "error name 3");
	is_str(KafkaErrorName(-1), "UNKNOWN_SERVER_ERROR", "error name -1");
	is_str(KafkaErrorName(99), "UNKNOWN_ERROR_CODE", "unassigned code 99");
	is_int(KAFKA_ERR_CORRUPT_MESSAGE, 2, "CORRUPT_MESSAGE = 2");
	is_int(KAFKA_ERR_INVALID_RECORD, 87, "INVALID_RECORD = 87");
	is_int(KAFKA_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, 43, "UNSUPPORTED_FOR_MESSAGE_FORMAT = 43");
}

/*
 * Messages described but not yet in KafkaApis[]: Kafka 3.9's version ranges
 * and first flexible versions (0x7fff: never flexible).
 */
static const struct
{
	int16		key;
	const char *name;
	int16		minv,
				maxv,
				flexv;
	const KSchema *req,
			   *resp;
}			pending[] = {
	{10, "FindCoordinator", 0, 6, 3, &FindCoordinatorRequest_schema, &FindCoordinatorResponse_schema},
	{11, "JoinGroup", 0, 9, 6, &JoinGroupRequest_schema, &JoinGroupResponse_schema},
	{12, "Heartbeat", 0, 4, 4, &HeartbeatRequest_schema, &HeartbeatResponse_schema},
	{13, "LeaveGroup", 0, 5, 4, &LeaveGroupRequest_schema, &LeaveGroupResponse_schema},
	{14, "SyncGroup", 0, 5, 4, &SyncGroupRequest_schema, &SyncGroupResponse_schema},
	{8, "OffsetCommit", 0, 9, 8, &OffsetCommitRequest_schema, &OffsetCommitResponse_schema},
	{9, "OffsetFetch", 0, 9, 6, &OffsetFetchRequest_schema, &OffsetFetchResponse_schema},
	{15, "DescribeGroups", 0, 5, 5, &DescribeGroupsRequest_schema, &DescribeGroupsResponse_schema},
	{16, "ListGroups", 0, 5, 3, &ListGroupsRequest_schema, &ListGroupsResponse_schema},
	{42, "DeleteGroups", 0, 2, 2, &DeleteGroupsRequest_schema, &DeleteGroupsResponse_schema},
	{22, "InitProducerId", 0, 5, 2, &InitProducerIdRequest_schema, &InitProducerIdResponse_schema},
	{47, "OffsetDelete", 0, 0, 0x7fff, &OffsetDeleteRequest_schema, &OffsetDeleteResponse_schema},
	{17, "SaslHandshake", 0, 1, 0x7fff, &SaslHandshakeRequest_schema, &SaslHandshakeResponse_schema},
	{36, "SaslAuthenticate", 0, 2, 2, &SaslAuthenticateRequest_schema, &SaslAuthenticateResponse_schema},
};

/* Round-trip one API's request and response at every version. */
static void
roundtrip_api(const char *name, int16 minv, int16 maxv, int16 flexv,
			  const KSchema *req, const KSchema *resp)
{
	int			bad = 0,
				truncfail = 0,
				runs = 0;

	for (int16 v = minv; v <= maxv; v++)
	{
		bool		flex = v >= flexv;
		FillOpts	opts[3] = {{true, false}, {false, false}, {true, true}};

		for (int k = 0; k < 3; k++)
		{
			bad += roundtrip(req->name, req, v, flex, opts[k], &truncfail);
			bad += roundtrip(resp->name, resp, v, flex, opts[k], &truncfail);
			runs += 2;
		}
	}
	/* a message left at its defaults encodes at every version */
	for (int16 v = minv; v <= maxv; v++)
	{
		bool		flex = v >= flexv;
		const KSchema *ss[2] = {req, resp};

		for (int k = 0; k < 2; k++)
		{
			void	   *m = KArenaAlloc(&arena, ss[k]->size);
			void	   *back = KArenaAlloc(&arena, ss[k]->size);
			KWriter		w;
			KReader		r;

			KafkaSetDefaults(ss[k], m);
			KWriterInit(&w, 64);
			KReaderInit(&r, NULL, 0);
			if (!KafkaEncode(ss[k], v, flex, m, &w) ||
				(KReaderInit(&r, w.buf, w.len), !KafkaDecode(ss[k], v, flex, &r, &arena, back)))
			{
				printf("# %s v%d: defaults do not round-trip: %s%s\n", ss[k]->name, v, w.errmsg, r.errmsg);
				bad++;
			}
			KWriterFree(&w);
		}
		KArenaReset(&arena);
	}
	ok(bad == 0, "%s v%d-v%d: %d round trips (tagged on/off, nulls, defaults), bytes and text identical",
	   name, minv, maxv, runs);
	ok(truncfail == 0, "%s: every encoding truncated at every byte fails with a message", name);
}

static void
test_roundtrips(void)
{

	for (int i = 0; i < KafkaNumApis; i++)
	{
		const KafkaApi *a = &KafkaApis[i];

		roundtrip_api(a->name, a->min_version, a->max_version, a->first_flexible_version,
					  a->request, a->response);
	}
	for (size_t i = 0; i < lengthof(pending); i++)
		roundtrip_api(pending[i].name, pending[i].minv, pending[i].maxv, pending[i].flexv,
					  pending[i].req, pending[i].resp);
}

/*
 * How much arena a decode can need per frame byte: for every array field,
 * the C size of one element over the fewest wire bytes it can take.  The
 * backend sizes its arena cap from this (kbuf.h); keep it small.
 */
static double
max_ratio(const KSchema *s, int16 v, bool flex, const char **where)
{
	double		worst = 0;

	for (int i = 0; i < s->nfields; i++)
	{
		const KField *f = &s->fields[i];
		double		r = 0;

		if (!KFieldInVersion(f, v))
			continue;
		if (f->is_array)
		{
			size_t		wire;

			switch ((KFieldType) f->type)
			{
				case KT_STRING:
					wire = flex ? 1 : 2;
					break;
				case KT_STRUCT:
					{
						/* fewest bytes: fixed fields + 1/2/4 per var-length one */
						wire = flex ? 1 : 0;
						for (int j = 0; j < f->sub->nfields; j++)
						{
							const KField *g = &f->sub->fields[j];

							if (!KFieldInVersion(g, v) || g->tag >= 0)
								continue;
							if (g->is_array)
								wire += flex ? 1 : 4;
							else if (g->type == KT_STRING)
								wire += flex ? 1 : 2;
							else if (g->type == KT_BYTES || g->type == KT_RECORDS)
								wire += flex ? 1 : 4;
							else if (g->type == KT_STRUCT)
								wire += 1;
							else
								wire += csize_of(g);
						}
						wire = Max(wire, 1);
						break;
					}
				default:
					wire = csize_of(f);
					break;
			}
			r = (double) csize_of(f) / (double) wire;
		}
		if (r > worst)
		{
			worst = r;
			*where = f->name;
		}
		if (f->type == KT_STRUCT)
		{
			const char *w2 = NULL;
			double		r2 = max_ratio(f->sub, v, flex, &w2);

			if (r2 > worst)
			{
				worst = r2;
				*where = w2;
			}
		}
	}
	return worst;
}

static void
test_amplification(void)
{
	double		worst = 0;
	const char *where = "";
	const char *api = "";

	for (int i = 0; i < KafkaNumApis; i++)
		for (int16 v = KafkaApis[i].min_version; v <= KafkaApis[i].max_version; v++)
		{
			const char *w = NULL;
			double		r = max_ratio(KafkaApis[i].request, v, KafkaApiIsFlexible(&KafkaApis[i], v), &w);

			if (r > worst)
			{
				worst = r;
				where = w;
				api = KafkaApis[i].name;
			}
		}
	ok(worst <= 32, "decoded arrays need at most %.1f arena bytes per wire byte (worst: %s.%s)",
	   worst, api, where);
}

/* ---------- hand-made vectors ---------- */

static bool
decode_hex(const KSchema *s, int16 v, bool flex, const uint8 *b, size_t n, void *out, char *err)
{
	KReader		r;
	bool		res;

	KReaderInit(&r, b, n);
	res = KafkaDecode(s, v, flex, &r, &arena, out);
	if (err)
		strcpy(err, r.errmsg);
	return res;
}

static void
test_vectors(void)
{
	MetadataRequest mr;
	ProduceRequest pr;
	char		err[200];

	{
		static const uint8 b[] = {0, 0, 0, 1, 0, 3, 'f', 'o', 'o'};

		ok(decode_hex(&MetadataRequest_schema, 0, false, b, sizeof(b), &mr, NULL), "Metadata v0 decodes");
		ok(mr.Topics.count == 1 && KStrEq(mr.Topics.items[0].Name, "foo"), "Metadata v0 topic \"foo\"");
		ok(mr.AllowAutoTopicCreation, "AllowAutoTopicCreation defaults to true before v4");
	}
	{
		static const uint8 b[] = {0xff, 0xff, 0xff, 0xff};

		ok(decode_hex(&MetadataRequest_schema, 1, false, b, sizeof(b), &mr, NULL) &&
		   mr.Topics.count == -1, "Metadata v1 null topics = all topics");
		ok(!decode_hex(&MetadataRequest_schema, 0, false, b, sizeof(b), &mr, err),
		   "Metadata v0 null topics rejected (%s)", err);
	}
	{
		/* Metadata v12 (flexible): one topic by id with null name */
		static const uint8 b[] = {0x02,
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			0x00,				/* Name null (compact) */
			0x00,				/* topic tags */
			0x01,				/* AllowAutoTopicCreation */
			0x00,				/* IncludeTopicAuthorizedOperations */
		0x00};

		ok(decode_hex(&MetadataRequest_schema, 12, true, b, sizeof(b), &mr, err),
		   "Metadata v12 decodes (%s)", err);
		ok(mr.Topics.count == 1 && mr.Topics.items[0].Name.len == -1 &&
		   mr.Topics.items[0].TopicId.b[0] == 1 && mr.Topics.items[0].TopicId.b[15] == 16,
		   "Metadata v12 topic id, null name");
		ok(!decode_hex(&MetadataRequest_schema, 12, true, b, sizeof(b) - 1, &mr, err),
		   "Metadata v12 missing final tag section rejected");
		ok(!decode_hex(&MetadataRequest_schema, 9, true, b, sizeof(b), &mr, err),
		   "Metadata v9 null name rejected (nullable only from v10): %s", err);
	}
	{
		static const uint8 b[] = {
			0xff, 0xff,			/* TransactionalId null */
			0xff, 0xff,			/* Acks -1 */
			0x00, 0x00, 0x03, 0xe8,	/* TimeoutMs 1000 */
			0, 0, 0, 1, 0, 1, 't',
			0, 0, 0, 1, 0, 0, 0, 7,	/* Index 7 */
		0, 0, 0, 3, 0xaa, 0xbb, 0xcc};

		ok(decode_hex(&ProduceRequest_schema, 3, false, b, sizeof(b), &pr, err), "Produce v3 decodes");
		ok(pr.TransactionalId.len == -1 && pr.Acks == -1 && pr.TimeoutMs == 1000,
		   "Produce v3 TransactionalId/Acks/TimeoutMs");
		ok(pr.TopicData.count == 1 && KStrEq(pr.TopicData.items[0].Name, "t") &&
		   pr.TopicData.items[0].PartitionData.count == 1 &&
		   pr.TopicData.items[0].PartitionData.items[0].Index == 7,
		   "Produce v3 topic t partition 7");
		ok(pr.TopicData.items[0].PartitionData.items[0].Records.len == 3 &&
		   pr.TopicData.items[0].PartitionData.items[0].Records.ptr == b + sizeof(b) - 3,
		   "Produce records borrowed from the frame");
	}
	{
		/* Produce response v10 with a CurrentLeader tag in a partition */
		ProduceResponse resp,
					back;
		TopicProduceResponse t;
		PartitionProduceResponse p;
		KWriter		w;
		KReader		r;
		static const uint8 want[] = {
			0x02,				/* Responses: 1 */
			0x02, 't',			/* Name */
			0x02,				/* PartitionResponses: 1 */
			0, 0, 0, 0,			/* Index 0 */
			0, 0,				/* ErrorCode */
			0, 0, 0, 0, 0, 0, 0, 42,	/* BaseOffset */
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* LogAppendTimeMs -1 */
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* LogStartOffset -1 */
			0x01,				/* RecordErrors: empty */
			0x00,				/* ErrorMessage null */
			0x01,				/* partition: 1 tagged field */
			0x00, 0x09,			/* tag 0, 9 bytes: */
			0, 0, 0, 5, 0, 0, 0, 9,	/* LeaderId 5, LeaderEpoch 9, */
			0x00,				/* and the struct's own (empty) tag section */
			0x00,				/* topic tags */
			0, 0, 0, 0,			/* ThrottleTimeMs */
			0x00				/* no NodeEndpoints: no tags */
		};

		KafkaSetDefaults(&ProduceResponse_schema, &resp);
		KafkaSetDefaults(&TopicProduceResponse_schema, &t);
		KafkaSetDefaults(&PartitionProduceResponse_schema, &p);
		ok(p.LogAppendTimeMs == -1 && p.LogStartOffset == -1 && p.CurrentLeader.LeaderId == -1 &&
		   p.ErrorMessage.len == -1, "PartitionProduceResponse defaults");
		p.BaseOffset = 42;
		p.CurrentLeader.LeaderId = 5;
		p.CurrentLeader.LeaderEpoch = 9;
		t.Name = KStrFromC("t");
		t.PartitionResponses.count = 1;
		t.PartitionResponses.items = &p;
		resp.Responses.count = 1;
		resp.Responses.items = &t;
		KWriterInit(&w, 64);
		ok(KafkaEncode(&ProduceResponse_schema, 10, true, &resp, &w), "Produce v10 response encodes");
		ok(w.len == sizeof(want) && memcmp(w.buf, want, w.len) == 0,
		   "Produce v10 response bytes, tagged CurrentLeader, field by field");
		KReaderInit(&r, w.buf, w.len);
		ok(KafkaDecode(&ProduceResponse_schema, 10, true, &r, &arena, &back) &&
		   back.Responses.items[0].PartitionResponses.items[0].CurrentLeader.LeaderEpoch == 9,
		   "and decodes back");
		KWriterReset(&w);
		p.CurrentLeader.LeaderId = -1;
		p.CurrentLeader.LeaderEpoch = -1;
		ok(KafkaEncode(&ProduceResponse_schema, 10, true, &resp, &w) &&
		   w.len == sizeof(want) - 11, "default CurrentLeader is not sent");
		KWriterReset(&w);
		resp.ThrottleTimeMs = 7;
		ok(KafkaEncode(&ProduceResponse_schema, 3, false, &resp, &w) && w.len == 4 + 3 + 4 + 4 + 2 + 8 + 8 + 4,
		   "the same response at v3: no v5+ fields, no tags");
		KWriterFree(&w);
	}
	{
		/* ApiVersions v3 response: unknown tag skipped, known tags read */
		ApiVersionsResponse av;
		static const uint8 b[] = {
			0, 0,				/* ErrorCode */
			0x02, 0, 18, 0, 0, 0, 4, 0x00,	/* ApiKeys: [18 0-4] */
			0, 0, 0, 0,			/* ThrottleTimeMs */
			0x03,				/* 3 tags */
			0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 7,	/* FinalizedFeaturesEpoch 7 */
			0x03, 0x01, 0x01,	/* ZkMigrationReady true */
			0x09, 0x02, 0xab, 0xcd	/* tag 9: unknown, skipped */
		};

		ok(decode_hex(&ApiVersionsResponse_schema, 3, true, b, sizeof(b), &av, err),
		   "ApiVersions v3 response with tags decodes (%s)", err);
		ok(av.ApiKeys.count == 1 && av.ApiKeys.items[0].ApiKey == 18 && av.ApiKeys.items[0].MaxVersion == 4,
		   "ApiKeys entry");
		ok(av.FinalizedFeaturesEpoch == 7 && av.ZkMigrationReady && av.SupportedFeatures.count == 0,
		   "tagged FinalizedFeaturesEpoch and ZkMigrationReady read, SupportedFeatures default");
	}
}

static void
test_hostile(void)
{
	MetadataRequest mr;
	FetchRequest fr;
	char		err[200];

	{
		static const uint8 b[] = {0x7f, 0xff, 0xff, 0xff, 0, 3, 'f', 'o', 'o'};

		ok(!decode_hex(&MetadataRequest_schema, 1, false, b, sizeof(b), &mr, err),
		   "Metadata with 2^31-1 topics rejected without allocating: %s", err);
		ok(mr.Topics.count == 0, "failed decode leaves defaults behind");
	}
	{
		static const uint8 b[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x01, 0x00, 0x00};

		ok(!decode_hex(&MetadataRequest_schema, 12, true, b, sizeof(b), &mr, err),
		   "compact topic count 2^32-2 rejected: %s", err);
	}
	{
		static const uint8 b[] = {0, 0, 0, 1, 0xff, 0xfe, 'x'};

		ok(!decode_hex(&MetadataRequest_schema, 1, false, b, sizeof(b), &mr, err),
		   "string length -2 rejected: %s", err);
	}
	{
		static const uint8 b[] = {0, 0, 0, 0, 0x01};

		ok(!decode_hex(&MetadataRequest_schema, 1, false, b, sizeof(b), &mr, err),
		   "left-over bytes rejected: %s", err);
	}
	{
		/* Fetch v12: ReplicaId..RackId, with a tag section we vary */
		KWriter		w;
		FetchRequest f;
		size_t		base;

		KafkaSetDefaults(&FetchRequest_schema, &f);
		KWriterInit(&w, 64);
		KafkaEncode(&FetchRequest_schema, 12, true, &f, &w);
		base = w.len - 1;		/* drop the empty top-level tag section */

		w.len = base;
		KWriteRaw(&w, "\x01\x05\x02\xaa\xbb", 5);	/* unknown tag 5 */
		ok(decode_hex(&FetchRequest_schema, 12, true, w.buf, w.len, &fr, err),
		   "Fetch v12 unknown tag skipped by length (%s)", err);
		w.len = base;
		KWriteRaw(&w, "\x01\x00\x03\x02hi", 5);	/* ClusterId "h" + 1 extra byte */
		ok(!decode_hex(&FetchRequest_schema, 12, true, w.buf, w.len, &fr, err),
		   "known tag whose size disagrees with its content rejected: %s", err);
		w.len = base;
		KWriteRaw(&w, "\x01\x00\x02\x02h", 5);
		ok(decode_hex(&FetchRequest_schema, 12, true, w.buf, w.len, &fr, err) &&
		   KStrEq(fr.ClusterId, "h"), "tagged ClusterId read");
		w.len = base;
		KWriteRaw(&w, "\x02\x05\x00\x01\x00", 5);	/* tags 5 then 1 */
		ok(!decode_hex(&FetchRequest_schema, 12, true, w.buf, w.len, &fr, err),
		   "tags out of order rejected: %s", err);
		w.len = base;
		KWriteRaw(&w, "\x01\x05\x7f", 3);
		ok(!decode_hex(&FetchRequest_schema, 12, true, w.buf, w.len, &fr, err),
		   "tag size past the frame rejected: %s", err);
		w.len = base;
		KWriteRaw(&w, "\xff\xff\xff\xff\x0f", 5);
		ok(!decode_hex(&FetchRequest_schema, 12, true, w.buf, w.len, &fr, err),
		   "tag count 2^32-1 rejected: %s", err);
		KWriterFree(&w);
	}
	{
		/* arena cap: a valid request bigger than the arena fails cleanly */
		KArena		small;
		KWriter		w;
		KReader		r;
		MetadataRequest m;

		KWriterInit(&w, 64);
		KWriteInt32(&w, 5000);
		for (int i = 0; i < 5000; i++)
			KWriteString(&w, "x", 1);
		KArenaInit(&small, 16 * 1024);
		KReaderInit(&r, w.buf, w.len);
		ok(!KafkaDecode(&MetadataRequest_schema, 1, false, &r, &small, &m),
		   "request needing more than the arena's cap fails: %s", r.errmsg);
		KArenaFree(&small);
		KWriterFree(&w);
	}
	{
		/* random garbage never crashes any decoder (more in contrib/fuzz) */
		uint8		buf[64];
		unsigned	seed = 12345;
		int			decoded = 0;

		for (int iter = 0; iter < 2000; iter++)
		{
			for (size_t i = 0; i < sizeof(buf); i++)
			{
				seed = seed * 1103515245 + 12345;
				buf[i] = (uint8) (seed >> 16);
			}
			for (int i = 0; i < KafkaNumApis; i++)
			{
				const KafkaApi *a = &KafkaApis[i];
				int16		v = a->min_version + iter % (a->max_version - a->min_version + 1);
				void	   *m = KArenaAlloc(&arena, a->request->size);
				KReader		r;

				KReaderInit(&r, buf, (size_t) (seed % sizeof(buf)));
				if (KafkaDecode(a->request, v, KafkaApiIsFlexible(a, v), &r, &arena, m))
					decoded++;
			}
			KArenaReset(&arena);
		}
		ok(true, "28000 random frames through every request decoder (%d decoded)", decoded);
	}
}

/* ---------- headers and ApiVersions ---------- */

static void
test_headers(void)
{
	KafkaRequestHeader h;
	KReader		r;
	KWriter		w;

	{
		static const uint8 b[] = {0, 3, 0, 1, 0, 0, 0, 7, 0, 3, 'c', 'l', 'i', 0xff, 0xff, 0xff, 0xff};

		KReaderInit(&r, b, sizeof(b));
		ok(KafkaParseRequestHeader(&r, &h), "header v1 parses");
		ok(h.api_key == 3 && h.api_version == 1 && h.correlation_id == 7 &&
		   KStrEq(h.client_id, "cli") && h.header_version == 1 && h.version_supported,
		   "header v1 fields");
		is_int(KReaderRemaining(&r), 4, "reader left at the body");
	}
	{
		/* Metadata v9: header v2, ClientId still an INT16 string, then tags */
		static const uint8 b[] = {0, 3, 0, 9, 0, 0, 0, 8, 0xff, 0xff, 0x01, 0x00, 0x01, 0x77, 0x42};

		KReaderInit(&r, b, sizeof(b));
		ok(KafkaParseRequestHeader(&r, &h) && h.header_version == 2 && h.client_id.len == -1,
		   "header v2 with null ClientId and one unknown tag");
		is_int(KReaderRemaining(&r), 1, "tag skipped, reader at the body");
	}
	{
		static const uint8 b[] = {0, 99, 0, 0, 0, 0, 0, 1, 0, 0};

		KReaderInit(&r, b, sizeof(b));
		ok(KafkaParseRequestHeader(&r, &h) && h.api == NULL && !h.version_supported,
		   "unknown API key parses as v1 with api NULL");
	}
	{
		static const uint8 b[] = {0, 1, 0, 3, 0, 0, 0, 1, 0, 0};

		KReaderInit(&r, b, sizeof(b));
		ok(KafkaParseRequestHeader(&r, &h) && h.api != NULL && !h.version_supported,
		   "Fetch v3 is below the supported range");
	}
	{
		static const uint8 b[] = {0, 3, 0, 1, 0, 0, 0, 1, 0, 9, 'x'};

		KReaderInit(&r, b, sizeof(b));
		ok(!KafkaParseRequestHeader(&r, &h) && r.errmsg[0], "truncated ClientId rejected");
	}

	KWriterInit(&w, 64);
	{
		static const uint8 b[] = {0, 3, 0, 9, 0, 0, 0, 8, 0xff, 0xff, 0x00};
		static const uint8 want[] = {0, 0, 0, 5, 0, 0, 0, 8, 0};

		KReaderInit(&r, b, sizeof(b));
		KafkaParseRequestHeader(&r, &h);
		is_int(KafkaResponseHeaderVersion(&h), 1, "Metadata v9 answers with header v1");
		KafkaEndResponse(&w, KafkaBeginResponse(&w, &h, 1));
		ok(w.len == sizeof(want) && memcmp(w.buf, want, w.len) == 0, "response header v1 bytes");
	}
	KWriterFree(&w);
}

static ApiVersionsResponse *
apiversions(int16 version, const uint8 *body, size_t bodylen, KWriter *w, bool *okp)
{
	KafkaRequestHeader h;
	KReader		r;
	uint8		frame[256];
	size_t		n = 0;
	KReader		rr;
	int32		corr;
	ApiVersionsResponse *resp;

	frame[n++] = 0;
	frame[n++] = 18;
	frame[n++] = (uint8) (version >> 8);
	frame[n++] = (uint8) version;
	memcpy(frame + n, "\0\0\0\x2a\0\x01k", 7);
	n += 7;
	if (version >= 3)
		frame[n++] = 0;			/* header tags */
	if (bodylen > 0)
		memcpy(frame + n, body, bodylen);
	n += bodylen;
	KReaderInit(&r, frame, n);
	KWriterReset(w);
	*okp = KafkaParseRequestHeader(&r, &h) && KafkaApiVersionsRespond(&h, &r, &arena, w);
	if (!*okp)
		return NULL;
	KReaderInit(&rr, w->buf + 4, w->len - 4);
	resp = KafkaDecodeResponse(18, version, &rr, &arena, &corr);
	if (resp == NULL || corr != 42)
		*okp = false;
	return resp;
}

static void
test_apiversions(void)
{
	KWriter		w;
	ApiVersionsResponse *resp;
	bool		okv;
	static const uint8 v3body[] = {0x0b, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a',
	0x06, '2', '.', '0', '.', '2', 0x00};
	static const uint8 v3bad[] = {0x0b, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', '-',
	0x06, '2', '.', '0', '.', '2', 0x00};

	KWriterInit(&w, 256);
	resp = apiversions(0, NULL, 0, &w, &okv);
	ok(okv && resp->ErrorCode == 0 && resp->ApiKeys.count == KafkaNumApis, "ApiVersions v0");
	ok(w.len == (size_t) (4 + 4 + 2 + 4 + 6 * KafkaNumApis), "v0 response: header v0, INT32 array, no throttle");
	{
		bool		same = true;

		for (int i = 0; i < KafkaNumApis; i++)
			if (resp->ApiKeys.items[i].ApiKey != KafkaApis[i].api_key ||
				resp->ApiKeys.items[i].MinVersion != KafkaApis[i].min_version ||
				resp->ApiKeys.items[i].MaxVersion != KafkaApis[i].max_version)
				same = false;
		ok(same, "ApiKeys are exactly KafkaApis[]");
	}
	resp = apiversions(3, v3body, sizeof(v3body), &w, &okv);
	ok(okv && resp->ErrorCode == 0 && resp->ApiKeys.count == KafkaNumApis,
	   "ApiVersions v3 from librdkafka/2.0.2");
	ok(w.buf[8] == 0 && w.buf[9] == 0 && w.buf[10] == KafkaNumApis + 1,
	   "v3 response: header v0 (no tag byte), then ErrorCode and a compact array");
	resp = apiversions(4, v3body, sizeof(v3body), &w, &okv);
	ok(okv && resp->ErrorCode == 0, "ApiVersions v4");
	resp = apiversions(3, v3bad, sizeof(v3bad), &w, &okv);
	ok(okv && resp->ErrorCode == KAFKA_ERR_INVALID_REQUEST && resp->ApiKeys.count == 0,
	   "v3 with ClientSoftwareName ending in '-' gets INVALID_REQUEST");
	resp = apiversions(5, (const uint8 *) "\x7f\x7f garbage", 10, &w, &okv);
	ok(okv && resp->ErrorCode == KAFKA_ERR_UNSUPPORTED_VERSION && resp->ApiKeys.count == KafkaNumApis,
	   "ApiVersions v5: UNSUPPORTED_VERSION with the API list");
	ok(w.len == (size_t) (4 + 4 + 2 + 4 + 6 * KafkaNumApis) && w.buf[9] == 35,
	   "... in the v0 layout, body ignored");
	resp = apiversions(3, v3body, sizeof(v3body) - 1, &w, &okv);
	ok(!okv, "ApiVersions v3 with a truncated body: connection to be closed");
	KWriterFree(&w);
}

/* ---------- request/response helpers through the table ---------- */

static void
test_table_io(void)
{
	KWriter		w;
	KReader		r;
	KafkaRequestHeader h;
	MetadataRequest req;
	MetadataRequest *got;
	MetadataResponse *resp;
	MetadataResponseBroker broker;

	KafkaSetDefaults(&MetadataRequest_schema, &req);
	req.Topics.count = -1;
	KWriterInit(&w, 64);
	ok(KafkaWriteRequest(&w, KAFKA_API_METADATA, 12, 5, "c1", &req), "KafkaWriteRequest Metadata v12");
	KReaderInit(&r, w.buf + 4, w.len - 4);
	ok(KafkaParseRequestHeader(&r, &h) && h.header_version == 2 && KStrEq(h.client_id, "c1"),
	   "its header parses as v2");
	got = KafkaDecodeRequest(&h, &r, &arena);
	ok(got != NULL && got->Topics.count == -1 && got->AllowAutoTopicCreation, "its body decodes");
	ok(KReaderRemaining(&r) == 0, "... to its end");

	/*
	 * librdkafka 2.3+'s Metadata v12 "all topics": the null array as four
	 * bytes, then its real fields.  The body decodes from the first bytes
	 * and the real fields are left over, as Kafka reads it.
	 */
	{
		static const uint8 lrk[] = {0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
		KafkaRequestHeader h12 = h;

		KReaderInit(&r, lrk, sizeof(lrk));
		got = KafkaDecodeRequest(&h12, &r, &arena);
		ok(got != NULL && got->Topics.count == -1 && !got->AllowAutoTopicCreation &&
		   KReaderRemaining(&r) == 3,
		   "a body with surplus bytes decodes; the 3 surplus bytes are left in the reader");
		KReaderInit(&r, lrk, 3);
		ok(KafkaDecodeRequest(&h12, &r, &arena) == NULL && r.failed,
		   "a truncated body is still malformed");
	}

	resp = KafkaNewResponse(&h, &arena);
	ok(resp->ControllerId == -1 && resp->ClusterAuthorizedOperations == INT32_MIN &&
	   resp->ClusterId.len == -1, "KafkaNewResponse sets Kafka's defaults");
	KafkaSetDefaults(&MetadataResponseBroker_schema, &broker);
	broker.NodeId = 1;
	broker.Host = KStrFromC("127.0.0.1");
	broker.Port = 19400;
	resp->Brokers.count = 1;
	resp->Brokers.items = &broker;
	KWriterReset(&w);
	ok(KafkaWriteResponse(&w, &h, resp), "KafkaWriteResponse");
	{
		int32		corr;
		MetadataResponse *back;

		KReaderInit(&r, w.buf + 4, w.len - 4);
		back = KafkaDecodeResponse(KAFKA_API_METADATA, 12, &r, &arena, &corr);
		ok(back && corr == 5 && back->Brokers.count == 1 && back->Brokers.items[0].Port == 19400 &&
		   KStrEq(back->Brokers.items[0].Host, "127.0.0.1"), "response frame decodes on the client side");
		ok((int32) ((w.buf[0] << 24) | (w.buf[1] << 16) | (w.buf[2] << 8) | w.buf[3]) == (int32) w.len - 4,
		   "frame size back-patched");
	}
	{
		PartitionProduceResponse *pp = KafkaNewArray(&arena, &PartitionProduceResponse_schema, 3);
		KStr		m = KArenaPrintf(&arena, "partition %d: %s", 7, "bad");

		ok(pp && pp[2].LogAppendTimeMs == -1 && pp[2].CurrentLeader.LeaderEpoch == -1 &&
		   pp[0].ErrorMessage.len == -1, "KafkaNewArray gives elements at their defaults");
		ok(KStrEq(m, "partition 7: bad"), "KArenaPrintf");
		ok(KafkaNewArray(&arena, &PartitionProduceResponse_schema, 0) == NULL, "KafkaNewArray of 0");
	}
	KWriterReset(&w);
	broker.Host = KSTR_NULL;
	ok(!KafkaWriteResponse(&w, &h, resp) && w.len == 0 && w.errmsg[0],
	   "a null non-nullable Host is refused and nothing is left in the buffer: %s", w.errmsg);
	KWriterFree(&w);
	KArenaReset(&arena);
}

/* ---------- requests captured from real clients ---------- */

/*
 * data/kafka-clients/ holds request frames (without the size prefix) sent
 * by librdkafka 2.0.2, kafka-python 2.0.2 and kafkajs 2.2.4, recorded with
 * contrib/fuzz/capture.  Each must parse, decode, and re-encode to exactly
 * the client's bytes; Produce records must validate.
 */
static void
test_real_clients(void)
{
	DIR		   *d = opendir("data/kafka-clients");
	struct dirent *de;
	int			files = 0,
				decoded = 0,
				exact = 0,
				batches = 0,
				produce = 0;

	if (d == NULL)
	{
		ok(false, "data/kafka-clients is readable");
		return;
	}
	while ((de = readdir(d)) != NULL)
	{
		char		path[600];
		static uint8 buf[1 << 20];
		size_t		n;
		FILE	   *f;
		KReader		r;
		KafkaRequestHeader h;
		void	   *req;
		size_t		body_at;
		KWriter		w;

		if (strstr(de->d_name, ".bin") == NULL)
			continue;
		snprintf(path, sizeof(path), "data/kafka-clients/%s", de->d_name);
		f = fopen(path, "rb");
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		files++;
		KReaderInit(&r, buf, n);
		if (!KafkaParseRequestHeader(&r, &h) || h.api == NULL || !h.version_supported)
		{
			printf("# %s: header: %s\n", de->d_name, r.errmsg);
			continue;
		}
		body_at = r.pos;
		req = KafkaDecodeRequest(&h, &r, &arena);
		if (req == NULL)
		{
			printf("# %s: %s\n", de->d_name, r.errmsg);
			continue;
		}
		decoded++;
		KWriterInit(&w, n);
		if (KafkaEncode(h.api->request, h.api_version, KafkaApiIsFlexible(h.api, h.api_version), req, &w) &&
			w.len == n - body_at && memcmp(w.buf, buf + body_at, w.len) == 0)
			exact++;
		else
			printf("# %s: re-encoding differs\n", de->d_name);
		KWriterFree(&w);
		if (h.api_key == KAFKA_API_PRODUCE)
		{
			ProduceRequest *pr = req;

			produce++;
			for (int i = 0; i < pr->TopicData.count; i++)
				for (int j = 0; j < pr->TopicData.items[i].PartitionData.count; j++)
				{
					KBytes		rec = pr->TopicData.items[i].PartitionData.items[j].Records;
					RecordBatchInfo info;
					char		err[200];
					int16		e = RecordsValidateProduce(rec.ptr, rec.len, h.api_version, &info, err, sizeof(err));

					if (e == 0)
						batches++;
					else
						printf("# %s: %s: %s\n", de->d_name, KafkaErrorName(e), err);
				}
		}
		KArenaReset(&arena);
	}
	closedir(d);
	ok(files >= 30, "%d request frames from real clients", files);
	is_int(decoded, files, "every one decodes");
	is_int(exact, files, "every one re-encodes to the client's exact bytes");
	ok(produce > 0 && batches >= produce, "every Produce batch validates (%d batches in %d requests)",
	   batches, produce);
}

/*
 * data/kafka-clients-pending/: consumer-group and InitProducerId requests
 * from the same three clients (capture advertises those APIs), decoded with
 * the schemas waiting for their handlers; same checks as above.
 */
static void
test_real_clients_pending(void)
{
	DIR		   *d = opendir("data/kafka-clients-pending");
	struct dirent *de;
	int			files = 0,
				exact = 0;

	if (d == NULL)
	{
		ok(false, "data/kafka-clients-pending is readable");
		return;
	}
	while ((de = readdir(d)) != NULL)
	{
		char		path[600];
		static uint8 buf[1 << 16];
		size_t		n;
		FILE	   *f;
		KReader		r;
		KafkaRequestHeader h;
		void	   *req;
		size_t		body_at;
		KWriter		w;
		int			p = -1;
		bool		flex;

		if (strstr(de->d_name, ".bin") == NULL)
			continue;
		snprintf(path, sizeof(path), "data/kafka-clients-pending/%s", de->d_name);
		f = fopen(path, "rb");
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		files++;
		KReaderInit(&r, buf, n);
		if (!KafkaParseRequestHeader(&r, &h))
			continue;
		for (size_t i = 0; i < lengthof(pending); i++)
			if (pending[i].key == h.api_key)
				p = (int) i;
		if (p < 0 || h.api_version < pending[p].minv || h.api_version > pending[p].maxv)
		{
			printf("# %s: api %d v%d not described\n", de->d_name, h.api_key, h.api_version);
			continue;
		}
		flex = h.api_version >= pending[p].flexv;
		/* The header parser read the v2 header's tags if it knows the API. */
		if (flex && h.header_version < 2)
			KReadSkipTaggedFields(&r);
		body_at = r.pos;
		req = KArenaAlloc(&arena, pending[p].req->size);
		if (!KafkaDecode(pending[p].req, h.api_version, flex, &r, &arena, req))
		{
			printf("# %s: %s\n", de->d_name, r.errmsg);
			continue;
		}
		KWriterInit(&w, n);
		if (KafkaEncode(pending[p].req, h.api_version, flex, req, &w) &&
			w.len == n - body_at && memcmp(w.buf, buf + body_at, w.len) == 0)
			exact++;
		else
			printf("# %s: re-encoding differs\n", de->d_name);
		KWriterFree(&w);
		KArenaReset(&arena);
	}
	closedir(d);
	ok(files >= 15, "%d consumer-group/InitProducerId frames from real clients", files);
	is_int(exact, files, "every one decodes and re-encodes to the client's exact bytes");
}

/* ---------- doc/protocol.md ---------- */

/*
 * Does the response of api at version v have a top-level ErrorCode, so that
 * a request failing with an ERROR can be answered UNKNOWN_SERVER_ERROR?
 */
static bool
error_answerable(const KafkaApi *api, int16 v)
{
	void	   *resp = KArenaAlloc(&arena, api->response->size);

	KafkaSetDefaults(api->response, resp);
	return KafkaSetErrorCode(api->response, v, resp, KAFKA_ERR_UNKNOWN_SERVER_ERROR);
}

/*
 * What a request that fails with an ERROR gets, for doc/protocol.md:
 * "UNKNOWN_SERVER_ERROR" at every version, "connection closed" at none, or
 * the range of versions that get the error code.
 */
static void
describe_error_answer(const KafkaApi *api, char *buf, size_t len)
{
	int16		first = -1,
				last = -1;

	for (int16 v = api->min_version; v <= api->max_version; v++)
		if (error_answerable(api, v))
		{
			if (first < 0)
				first = v;
			last = v;
		}
	if (first < 0)
		snprintf(buf, len, "connection closed");
	else if (first == api->min_version && last == api->max_version)
		snprintf(buf, len, "UNKNOWN_SERVER_ERROR");
	else if (last == api->max_version)
		snprintf(buf, len, "v%d+: UNKNOWN_SERVER_ERROR; older: connection closed", first);
	else
		snprintf(buf, len, "v%d-%d: UNKNOWN_SERVER_ERROR; others: connection closed", first, last);
}

/*
 * The error answer of every API and version with a top-level ErrorCode
 * encodes, and a client decodes ErrorCode=-1 from it.
 */
static void
test_error_answers(void)
{
	int			answered = 0,
				closed = 0;
	bool		all_ok = true;

	for (int i = 0; i < KafkaNumApis; i++)
	{
		const KafkaApi *a = &KafkaApis[i];

		for (int16 v = a->min_version; v <= a->max_version; v++)
		{
			KafkaRequestHeader h = {.api_key = a->api_key, .api_version = v, .correlation_id = 7,
			.api = a, .version_supported = true};
			void	   *resp = KafkaNewResponse(&h, &arena);
			KWriter		w,
						p;
			KReader		r;
			int32		corr = 0;
			void	   *back;

			if (!KafkaSetErrorCode(a->response, v, resp, KAFKA_ERR_UNKNOWN_SERVER_ERROR))
			{
				closed++;
				continue;
			}
			answered++;
			KWriterInit(&w, 256);
			KWriterInit(&p, 256);
			if (!KafkaWriteResponse(&w, &h, resp))
				all_ok = ok(0, "%s v%d: the error answer encodes: %s", a->name, v, w.errmsg);
			KReaderInit(&r, w.buf + 4, w.len - 4);
			back = KafkaDecodeResponse(a->api_key, v, &r, &arena, &corr);
			if (back == NULL || corr != 7)
				all_ok = ok(0, "%s v%d: the error answer decodes", a->name, v);
			else
			{
				KafkaPrint(a->response, v, back, &p);
				KWriteInt8(&p, 0);
				if (strstr((char *) p.buf, "ErrorCode=-1") == NULL)
					all_ok = ok(0, "%s v%d: ErrorCode=-1 in %s", a->name, v, (char *) p.buf);
			}
			KWriterFree(&w);
			KWriterFree(&p);
		}
	}
	ok(all_ok, "%d API versions answer a failed request with UNKNOWN_SERVER_ERROR, %d close", answered, closed);
	{
		const KafkaApi *fetch = KafkaApiLookup(KAFKA_API_FETCH);
		const KafkaApi *produce = KafkaApiLookup(KAFKA_API_PRODUCE);
		const KafkaApi *groups = KafkaApiLookup(KAFKA_API_LIST_GROUPS);

		ok(!error_answerable(fetch, 6) && error_answerable(fetch, 7),
		   "Fetch has a top-level ErrorCode from v7 on");
		ok(!error_answerable(produce, 9), "Produce has errors per partition only");
		ok(error_answerable(groups, 0), "ListGroups has a top-level ErrorCode");
	}
	KArenaReset(&arena);
}

static char *
describe_apis(void)
{
	KWriter		w;
	char	   *out;

	KWriterInit(&w, 1024);
	KWriteText(&w, "| Key | API | Versions | Flexible from | On a server error | Notes |\n");
	KWriteText(&w, "|----:|-----|----------|---------------|-------------------|-------|\n");
	for (int i = 0; i < KafkaNumApis; i++)
	{
		const KafkaApi *a = &KafkaApis[i];
		char		flex[16];
		char		onerror[96];

		if (a->first_flexible_version > a->max_version)
			snprintf(flex, sizeof(flex), "never");
		else
			snprintf(flex, sizeof(flex), "%d", a->first_flexible_version);
		describe_error_answer(a, onerror, sizeof(onerror));
		KWriteText(&w, "| %d | %s | %d-%d | %s | %s | %s |\n", a->api_key, a->name,
				   a->min_version, a->max_version, flex, onerror, a->note);
	}
	KWriteInt8(&w, 0);
	out = pstrdup((char *) w.buf);
	KWriterFree(&w);
	return out;
}

static void
test_doc(void)
{
	char	   *table = describe_apis();
	FILE	   *f = fopen("../../../doc/protocol.md", "r");
	static char doc[65536];
	size_t		n = 0;

	if (f)
	{
		n = fread(doc, 1, sizeof(doc) - 1, f);
		fclose(f);
	}
	doc[n] = '\0';
	ok(strstr(doc, table) != NULL,
	   "doc/protocol.md holds the table printed by test_kafka_codec --describe-apis");
	pfree(table);
}

int
main(int argc, char **argv)
{
	KArenaInit(&arena, 64 * 1024 * 1024);
	if (argc > 1 && strcmp(argv[1], "--describe-apis") == 0)
	{
		char	   *t = describe_apis();

		fputs(t, stdout);
		pfree(t);
		KArenaFree(&arena);
		return 0;
	}
	test_table();
	test_roundtrips();
	test_amplification();
	test_vectors();
	test_hostile();
	test_headers();
	test_apiversions();
	test_table_io();
	test_real_clients();
	test_real_clients_pending();
	test_error_answers();
	test_doc();
	KArenaFree(&arena);
	return done_testing();
}
