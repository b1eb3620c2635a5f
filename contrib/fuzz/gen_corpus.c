/*-------------------------------------------------------------------------
 *
 * gen_corpus.c
 *	  Writes the fuzzer's seed corpus with the codec's own encoder: every
 *	  implemented request at its min, first-flexible and max versions (with
 *	  defaults, and a few with real content written in the codec's text
 *	  form), default responses, record batches, SASL tokens (SCRAM's and
 *	  PLAIN's, as librdkafka sends them) and ACL creations.
 *
 *	  Usage: gen_corpus DIR   (make -C contrib/fuzz corpus)
 *
 * contrib/fuzz/gen_corpus.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/protocol.h"
#include "kafka/records.h"
#include "utils/crc32c.h"
#include "utils/sanitizer.h"

static const char *dir;
static int	nfiles;

static void
write_seed(const char *name, uint8 mode, const uint8 *data, size_t len)
{
	char		path[1024];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
	{
		perror(path);
		exit(1);
	}
	fputc(mode, f);
	fwrite(data, 1, len, f);
	fclose(f);
	nfiles++;
}

/* One request: mode 0, the frame without its INT32 size. */
static void
seed_request(const KafkaApi *api, int16 v, const void *req, const char *tag)
{
	KWriter		w;
	char		name[128];

	KWriterInit(&w, 256);
	if (!KafkaWriteRequest(&w, api->api_key, v, 1, "seed", req))
	{
		fprintf(stderr, "%s v%d: %s\n", api->name, v, w.errmsg);
		exit(1);
	}
	snprintf(name, sizeof(name), "req-%s-v%d%s", api->name, v, tag);
	write_seed(name, 0, w.buf + 4, w.len - 4);
	KWriterFree(&w);
}

static void
seed_text(KArena *a, int16 key, int16 v, const char *text)
{
	const KafkaApi *api = KafkaApiLookup(key);
	void	   *req = KArenaAlloc(a, api->request->size);
	char		err[200];
	const char *t = text;

	if (!KafkaParseText(api->request, &t, a, req, err, sizeof(err)))
	{
		fprintf(stderr, "%s: %s\n", api->name, err);
		exit(1);
	}
	seed_request(api, v, req, "-text");
}

static size_t
build_batch(KWriter *w)
{
	size_t		len_at,
				crc_at;

	KWriteInt64(w, 0);
	len_at = KWriteReserveInt32(w);
	KWriteInt32(w, -1);
	KWriteInt8(w, 2);
	crc_at = KWriteReserveInt32(w);
	KWriteInt16(w, 0);
	KWriteInt32(w, 1);
	KWriteInt64(w, 1000);
	KWriteInt64(w, 1001);
	KWriteInt64(w, -1);
	KWriteInt16(w, -1);
	KWriteInt32(w, -1);
	KWriteInt32(w, 2);
	for (int i = 0; i < 2; i++)
	{
		KWriteVarint(w, 12);
		KWriteInt8(w, 0);
		KWriteVarlong(w, i);
		KWriteVarint(w, i);
		KWriteVarint(w, -1);	/* null key */
		KWriteVarint(w, 3);
		KWriteRaw(w, "abc", 3);
		KWriteVarint(w, 1);
		KWriteVarint(w, 1);
		KWriteRaw(w, "h", 1);
		KWriteVarint(w, -1);
	}
	KWritePatchInt32(w, len_at, (int32) (w->len - 12));
	KWritePatchInt32(w, crc_at, (int32) RecordBatchComputeCrc(w->buf));
	return w->len;
}

/*
 * For every API at its lowest, first flexible and highest version: the
 * request with defaults (mode 0) and the response (mode 1: [api index]
 * [version offset] then the body).
 */
static void
seed_every_api(KArena *a)
{
	for (int i = 0; i < KafkaNumApis; i++)
	{
		const KafkaApi *api = &KafkaApis[i];
		int16		vs[3] = {api->min_version, api->first_flexible_version, api->max_version};

		for (int k = 0; k < 3; k++)
		{
			void	   *req = KArenaAlloc(a, api->request->size);
			void	   *resp = KArenaAlloc(a, api->response->size);
			KWriter		w;
			char		name[128];

			if (k > 0 && vs[k] == vs[k - 1])
				continue;
			if (vs[k] < api->min_version || vs[k] > api->max_version)
				continue;
			KafkaSetDefaults(api->request, req);
			seed_request(api, vs[k], req, "");

			/* mode 1: [api index][version offset] then the response body */
			KafkaSetDefaults(api->response, resp);
			KWriterInit(&w, 256);
			KWriteInt8(&w, (int8) i);
			KWriteInt8(&w, (int8) (vs[k] - api->min_version));
			KWriteInt32(&w, 1);
			if (KafkaApiIsFlexible(api, vs[k]) && api->api_key != KAFKA_API_API_VERSIONS)
				KWriteEmptyTaggedFields(&w);
			KafkaEncode(api->response, vs[k], KafkaApiIsFlexible(api, vs[k]), resp, &w);
			snprintf(name, sizeof(name), "resp-%s-v%d", api->name, vs[k]);
			write_seed(name, 1, w.buf, w.len);
			KWriterFree(&w);
		}
	}
}

/* Requests written as text, the way a client fills them in. */
static void
seed_texts(KArena *a)
{
	seed_text(a, KAFKA_API_METADATA, 1, "{Topics=[{Name=\"t1\"}, {Name=\"t2\"}]}");
	seed_text(a, KAFKA_API_METADATA, 12,
			  "{Topics=[{TopicId=0102030405060708090a0b0c0d0e0f10, Name=null}], AllowAutoTopicCreation=false}");
	seed_text(a, KAFKA_API_FETCH, 12,
			  "{ClusterId=\"c\", MaxWaitMs=500, MinBytes=1, Topics=[{Topic=\"t\", Partitions=[{Partition=0, FetchOffset=5, PartitionMaxBytes=1048576}]}], RackId=\"r\"}");
	seed_text(a, KAFKA_API_CREATE_TOPICS, 5,
			  "{Topics=[{Name=\"t\", NumPartitions=3, ReplicationFactor=1, Configs=[{Name=\"retention.ms\", Value=\"1000\"}]}]}");
	seed_text(a, KAFKA_API_LIST_OFFSETS, 6,
			  "{ReplicaId=-1, Topics=[{Name=\"t\", Partitions=[{PartitionIndex=0, Timestamp=-1}]}]}");
}

/* Produce with a real batch, and the batch alone (mode 2). */
static void
seed_produce(void)
{
	KWriter		batch;

	KWriterInit(&batch, 256);
	build_batch(&batch);
	{
		ProduceRequest pr;
		TopicProduceData t;
		PartitionProduceData p;

		KafkaSetDefaults(&ProduceRequest_schema, &pr);
		KafkaSetDefaults(&TopicProduceData_schema, &t);
		KafkaSetDefaults(&PartitionProduceData_schema, &p);
		pr.Acks = -1;
		pr.TimeoutMs = 30000;
		t.Name = KStrFromC("t");
		t.PartitionData.count = 1;
		t.PartitionData.items = &p;
		p.Records = (KBytes) {batch.buf, (int32) batch.len};
		pr.TopicData.count = 1;
		pr.TopicData.items = &t;
		seed_request(KafkaApiLookup(KAFKA_API_PRODUCE), 7, &pr, "-batch");
		seed_request(KafkaApiLookup(KAFKA_API_PRODUCE), 9, &pr, "-batch");
	}
	write_seed("records-2", 2, batch.buf, batch.len);

	KWriterFree(&batch);
}

/* ACL requests, and the ACL model's input (mode 5: [version] body). */
static void
seed_acls(KArena *a)
{
	const char *acls =
		"{Creations=[{ResourceType=2, ResourceName=\"logs-\", ResourcePatternType=4, Principal=\"User:bob\","
		" Host=\"*\", Operation=2, PermissionType=3}, {ResourceType=4, ResourceName=\"kafka-cluster\","
		" ResourcePatternType=3, Principal=\"User:*\", Host=\"10.0.0.1\", Operation=7, PermissionType=2}]}";
	const KafkaApi *api = KafkaApiLookup(KAFKA_API_CREATE_ACLS);
	void	   *req = KArenaAlloc(a, api->request->size);
	const char *t = acls;
	char		err[200];
	KWriter		w;

	seed_text(a, KAFKA_API_CREATE_ACLS, 3, acls);
	seed_text(a, KAFKA_API_DESCRIBE_ACLS, 1,
			  "{ResourceTypeFilter=2, ResourceNameFilter=\"logs-app\", PatternTypeFilter=2,"
			  " PrincipalFilter=null, HostFilter=null, Operation=1, PermissionType=1}");
	seed_text(a, KAFKA_API_DELETE_ACLS, 2,
			  "{Filters=[{ResourceTypeFilter=1, ResourceNameFilter=null, PatternTypeFilter=1,"
			  " PrincipalFilter=\"User:bob\", HostFilter=null, Operation=1, PermissionType=1}]}");
	seed_text(a, KAFKA_API_ALTER_USER_SCRAM_CREDENTIALS, 0,
			  "{Deletions=[{Name=\"a\", Mechanism=1}], Upsertions=[{Name=\"b\", Mechanism=2,"
			  " Iterations=4096, Salt=0x0102, SaltedPassword=0x0304}]}");
	if (!KafkaParseText(api->request, &t, a, req, err, sizeof(err)))
	{
		fprintf(stderr, "CreateAcls: %s\n", err);
		exit(1);
	}
	KWriterInit(&w, 256);
	KWriteInt8(&w, 3);
	KafkaEncode(api->request, 3, true, req, &w);
	write_seed("acls-v3", 5, w.buf, w.len);
	KWriterFree(&w);
}

/* SASL tokens (mode 4: [kind] token). */
static void
seed_sasl(void)
{
	static const struct
	{
		const char *name;
		uint8		kind;
		const char *token;
		size_t		len;
	}			tokens[] = {
		{"sasl-scram-first", 0, "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL", 37},
		{"sasl-scram-first-authzid", 0, "n,a=al=2Cice,n=al=3Dice,r=abc,ext=1,tokenauth=true", 50},
		{"sasl-scram-final", 1,
		"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", 82},
		{"sasl-plain", 2, "\0alice\0alice-pw", 15},
	};

	for (int i = 0; i < (int) lengthof(tokens); i++)
	{
		uint8		buf[256];

		buf[0] = tokens[i].kind;
		memcpy(buf + 1, tokens[i].token, tokens[i].len);
		write_seed(tokens[i].name, 4, buf, tokens[i].len + 1);
	}
}

/*
 * A legacy message set (magic 1, gzip'd, three messages: what
 * kafka-python 2.0.2 builds), for the converter (mode 2).
 */
static void
seed_legacy(void)
{
	static const char hex[] =
		"00000000000000000000006fc88307e401010000000000000000ffffffff000000591f8b08005dc1156b02"
		"ff63608003d9792653a73102198cdde79f66804498b20d81246b466a4e4e3e5411485e9a4dfd92105c21eb"
		"7f2000292bcf2fca49812a63026289134f3526c1953181cd3306290600c203454774000000";
	uint8		legacy[sizeof(hex) / 2];
	size_t		n = 0;

	for (const char *h = hex; h[0] && h[1]; h += 2)
	{
		unsigned	v;

		sscanf(h, "%2x", &v);
		legacy[n++] = (uint8) v;
	}
	write_seed("records-legacy-gzip", 2, legacy, n);
}

int
main(int argc, char **argv)
{
	KArena		a;

	if (argc != 2)
	{
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	KArenaInit(&a, 16 * 1024 * 1024);
	seed_every_api(&a);
	seed_texts(&a);
	seed_produce();
	seed_acls(&a);
	seed_sasl();
	seed_legacy();
	printf("wrote %d seeds to %s\n", nfiles, dir);
	KArenaFree(&a);
	return 0;
}
