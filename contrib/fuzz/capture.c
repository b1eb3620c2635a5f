/*-------------------------------------------------------------------------
 *
 * capture.c
 *	  Record the request frames real Kafka clients send, for the fuzzer's
 *	  seed corpus and the codec's unit-test vectors.
 *
 *	  Usage: capture PORT DIR
 *
 *	  Listens on 127.0.0.1:PORT and answers just enough for a producer to
 *	  get going, using the codec itself: ApiVersions (from the API table),
 *	  Metadata (this listener as broker 1, leader of partition 0 of every
 *	  topic asked for), Produce (every partition's records checked with
 *	  RecordsValidateProduce, whose error code is returned); any other
 *	  implemented request gets its default response.  The consumer-group
 *	  APIs and InitProducerId, described in messages.h but not yet in
 *	  KafkaApis[], are advertised and answered just enough (one member, one
 *	  generation) for a client's group to form.  Every request frame is
 *	  written to DIR/<seq>-<Api>-v<version>.bin (the first three of each
 *	  API and version) (without the size prefix),
 *	  and a line per request goes to stdout, with the decode or validation
 *	  error if there is one.  Exits after 30 s without traffic.
 *
 *	  This is a capture tool, not a broker: it stores nothing.
 *
 * contrib/fuzz/capture.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kafka/protocol.h"
#include "kafka/records.h"

#define MAXCONN 32

typedef struct Conn
{
	int			fd;
	uint8	   *buf;
	size_t		len;
	size_t		cap;
} Conn;

static int	port;
static const char *dir;
static int	seq;

/*
 * APIs whose messages are described but not in KafkaApis[] yet: advertised
 * and answered here (just enough for a consumer group to form) so that
 * clients send them and their frames can be recorded.
 */
typedef struct ExtraApi
{
	int16		key;
	const char *name;
	int16		minv,
				maxv,
				flexv;
	const KSchema *req,
			   *resp;
} ExtraApi;

static const ExtraApi extra[] = {
	{KAFKA_API_OFFSET_COMMIT, "OffsetCommit", 0, 9, 8, &OffsetCommitRequest_schema, &OffsetCommitResponse_schema},
	{KAFKA_API_OFFSET_FETCH, "OffsetFetch", 0, 9, 6, &OffsetFetchRequest_schema, &OffsetFetchResponse_schema},
	{KAFKA_API_FIND_COORDINATOR, "FindCoordinator", 0, 6, 3, &FindCoordinatorRequest_schema, &FindCoordinatorResponse_schema},
	{KAFKA_API_JOIN_GROUP, "JoinGroup", 0, 9, 6, &JoinGroupRequest_schema, &JoinGroupResponse_schema},
	{KAFKA_API_HEARTBEAT, "Heartbeat", 0, 4, 4, &HeartbeatRequest_schema, &HeartbeatResponse_schema},
	{KAFKA_API_LEAVE_GROUP, "LeaveGroup", 0, 5, 4, &LeaveGroupRequest_schema, &LeaveGroupResponse_schema},
	{KAFKA_API_SYNC_GROUP, "SyncGroup", 0, 5, 4, &SyncGroupRequest_schema, &SyncGroupResponse_schema},
	{KAFKA_API_DESCRIBE_GROUPS, "DescribeGroups", 0, 5, 5, &DescribeGroupsRequest_schema, &DescribeGroupsResponse_schema},
	{KAFKA_API_LIST_GROUPS, "ListGroups", 0, 5, 3, &ListGroupsRequest_schema, &ListGroupsResponse_schema},
	{KAFKA_API_INIT_PRODUCER_ID, "InitProducerId", 0, 5, 2, &InitProducerIdRequest_schema, &InitProducerIdResponse_schema},
	{KAFKA_API_DELETE_GROUPS, "DeleteGroups", 0, 2, 2, &DeleteGroupsRequest_schema, &DeleteGroupsResponse_schema},
};

static const ExtraApi *
extra_lookup(int16 key)
{
	for (size_t i = 0; i < lengthof(extra); i++)
		if (extra[i].key == key)
			return &extra[i];
	return NULL;
}

/* ApiVersions listing KafkaApis[] and extra[], sorted by key. */
static bool
answer_apiversions(KafkaRequestHeader *h, KReader *r, KArena *a, KWriter *out)
{
	ApiVersionsResponse resp;
	ApiVersionsRequest req;
	ApiVersion *keys;
	int			n = 0;
	size_t		start;
	int16		v = h->api_version;

	if (!h->version_supported)
		return KafkaApiVersionsRespond(h, r, a, out);
	if (!KafkaDecode(&ApiVersionsRequest_schema, v, v >= 3, r, a, &req))
		return false;
	KafkaSetDefaults(&ApiVersionsResponse_schema, &resp);
	keys = KArenaAlloc(a, sizeof(ApiVersion) * (KafkaNumApis + lengthof(extra)));
	for (int16 key = 0; key < 100; key++)
	{
		const KafkaApi *api = KafkaApiLookup(key);
		const ExtraApi *x = extra_lookup(key);

		if (api)
			keys[n++] = (ApiVersion) {key, api->min_version, api->max_version};
		else if (x)
			keys[n++] = (ApiVersion) {key, x->minv, x->maxv};
	}
	resp.ApiKeys.count = n;
	resp.ApiKeys.items = keys;
	start = KafkaBeginResponse(out, h, 0);
	KafkaEncode(&ApiVersionsResponse_schema, v, v >= 3, &resp, out);
	KafkaEndResponse(out, start);
	return true;
}

/* Just enough of a group coordinator for one consumer to get going. */
static void
answer_group(int16 key, int16 v, void *reqp, void *respp, KArena *a)
{
	switch (key)
	{
		case KAFKA_API_FIND_COORDINATOR:
			{
				FindCoordinatorRequest *req = reqp;
				FindCoordinatorResponse *resp = respp;

				resp->NodeId = 1;
				resp->Host = KStrFromC("127.0.0.1");
				resp->Port = port;
				resp->ErrorMessage = KSTR_NULL;
				if (v >= 4)
				{
					int			n = req->CoordinatorKeys.count;

					resp->Coordinators.count = n;
					resp->Coordinators.items = KafkaNewArray(a, &Coordinator_schema, n);
					for (int i = 0; i < n; i++)
					{
						resp->Coordinators.items[i].Key = req->CoordinatorKeys.items[i];
						resp->Coordinators.items[i].NodeId = 1;
						resp->Coordinators.items[i].Host = KStrFromC("127.0.0.1");
						resp->Coordinators.items[i].Port = port;
						resp->Coordinators.items[i].ErrorMessage = KSTR_NULL;
					}
				}
				break;
			}
		case KAFKA_API_JOIN_GROUP:
			{
				JoinGroupRequest *req = reqp;
				JoinGroupResponse *resp = respp;
				JoinGroupResponseMember *m = KafkaNewArray(a, &JoinGroupResponseMember_schema, 1);

				resp->GenerationId = 1;
				resp->ProtocolType = req->ProtocolType;
				resp->ProtocolName = req->Protocols.count > 0 ? req->Protocols.items[0].Name : KSTR_LIT("");
				resp->MemberId = KSTR_LIT("member-1");
				resp->Leader = resp->MemberId;
				m->MemberId = resp->MemberId;
				if (req->Protocols.count > 0)
					m->Metadata = req->Protocols.items[0].Metadata;
				resp->Members.count = 1;
				resp->Members.items = m;
				break;
			}
		case KAFKA_API_SYNC_GROUP:
			{
				SyncGroupRequest *req = reqp;
				SyncGroupResponse *resp = respp;

				resp->ProtocolType = req->ProtocolType;
				resp->ProtocolName = req->ProtocolName;
				if (req->Assignments.count > 0)
					resp->Assignment = req->Assignments.items[0].Assignment;
				break;
			}
		case KAFKA_API_INIT_PRODUCER_ID:
			{
				InitProducerIdResponse *resp = respp;

				resp->ProducerId = 1000;
				resp->ProducerEpoch = 0;
				break;
			}
		default:
			break;
	}
}

static void
send_all(int fd, const uint8 *p, size_t n)
{
	while (n > 0)
	{
		ssize_t		k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return;
		p += k;
		n -= (size_t) k;
	}
}

static void
answer_metadata(MetadataRequest *req, MetadataResponse *resp, KArena *a)
{
	MetadataResponseBroker *b = KArenaAlloc(a, sizeof(*b));
	int			n = req->Topics.count > 0 ? req->Topics.count : 0;

	KafkaSetDefaults(&MetadataResponseBroker_schema, b);
	b->NodeId = 1;
	b->Host = KStrFromC("127.0.0.1");
	b->Port = port;
	resp->Brokers.count = 1;
	resp->Brokers.items = b;
	resp->ControllerId = 1;
	resp->ClusterId = KStrFromC("capture");
	resp->Topics.count = n;
	resp->Topics.items = KArenaAlloc(a, sizeof(MetadataResponseTopic) * (n ? n : 1));
	for (int i = 0; i < n; i++)
	{
		MetadataResponseTopic *t = &resp->Topics.items[i];
		MetadataResponsePartition *p = KArenaAlloc(a, sizeof(*p));
		int32	   *replicas = KArenaAlloc(a, sizeof(int32));

		KafkaSetDefaults(&MetadataResponseTopic_schema, t);
		KafkaSetDefaults(&MetadataResponsePartition_schema, p);
		t->Name = req->Topics.items[i].Name;
		t->TopicId.b[15] = (uint8) (i + 1);
		replicas[0] = 1;
		p->PartitionIndex = 0;
		p->LeaderId = 1;
		p->LeaderEpoch = 0;
		p->ReplicaNodes.count = 1;
		p->ReplicaNodes.items = replicas;
		p->IsrNodes.count = 1;
		p->IsrNodes.items = replicas;
		t->Partitions.count = 1;
		t->Partitions.items = p;
	}
}

static bool
answer_produce(ProduceRequest *req, ProduceResponse *resp, int16 version, KArena *a)
{
	static int64 next_offset;

	resp->Responses.count = req->TopicData.count;
	resp->Responses.items = KArenaAlloc(a, sizeof(TopicProduceResponse) * Max(req->TopicData.count, 1));
	for (int i = 0; i < req->TopicData.count; i++)
	{
		TopicProduceData *td = &req->TopicData.items[i];
		TopicProduceResponse *tr = &resp->Responses.items[i];

		KafkaSetDefaults(&TopicProduceResponse_schema, tr);
		tr->Name = td->Name;
		tr->PartitionResponses.count = td->PartitionData.count;
		tr->PartitionResponses.items =
			KArenaAlloc(a, sizeof(PartitionProduceResponse) * Max(td->PartitionData.count, 1));
		for (int j = 0; j < td->PartitionData.count; j++)
		{
			PartitionProduceData *pd = &td->PartitionData.items[j];
			PartitionProduceResponse *pr = &tr->PartitionResponses.items[j];
			RecordBatchInfo info;
			char		err[200];

			KafkaSetDefaults(&PartitionProduceResponse_schema, pr);
			pr->Index = pd->Index;
			pr->ErrorCode = RecordsValidateProduce(pd->Records.ptr, pd->Records.len, version,
												   &info, err, sizeof(err));
			if (pr->ErrorCode != 0)
			{
				printf("    %.*s[%d]: %s: %s\n", td->Name.len, td->Name.ptr, pd->Index,
					   KafkaErrorName(pr->ErrorCode), err);
				pr->ErrorMessage = KStrFromC(KArenaStrdup(a, KStrFromC(err)));
			}
			else
			{
				printf("    %.*s[%d]: %d records, compression %d, %d bytes\n",
					   td->Name.len, td->Name.ptr, pd->Index, info.record_count,
					   info.compression, info.size);
				pr->BaseOffset = next_offset;
				next_offset += info.record_count;
			}
		}
	}
	return req->Acks != 0;
}

/* Handle one frame; false = close the connection. */
static bool
handle(Conn *c, const uint8 *frame, size_t n, KArena *a)
{
	KReader		r;
	KafkaRequestHeader h;
	KWriter		out;
	char		path[1024];
	FILE	   *f;
	bool		ok = true;
	const ExtraApi *x;
	static int	counts[256][32];

	KReaderInit(&r, frame, n);
	if (!KafkaParseRequestHeader(&r, &h))
	{
		printf("%d: bad header: %s\n", seq, r.errmsg);
		return false;
	}
	x = h.api ? NULL : extra_lookup(h.api_key);
	/* only the first few of each kind: consumers poll in a loop */
	if (++counts[h.api_key & 0xff][h.api_version & 0x1f] <= 3)
	{
		snprintf(path, sizeof(path), "%s/%03d-%s-v%d.bin", dir, seq,
				 h.api ? h.api->name : x ? x->name : "Unknown", h.api_version);
		if ((f = fopen(path, "wb")) != NULL)
		{
			fwrite(frame, 1, n, f);
			fclose(f);
		}
		printf("%d: api %d (%s) v%d client %.*s\n", seq, h.api_key,
			   h.api ? h.api->name : x ? x->name : "?", h.api_version,
			   h.client_id.len > 0 ? h.client_id.len : 0, h.client_id.ptr ? h.client_id.ptr : "");
		seq++;
	}
	KWriterInit(&out, 1024);
	if (h.api_key == KAFKA_API_API_VERSIONS)
		ok = answer_apiversions(&h, &r, a, &out);
	else if (x != NULL && h.api_version >= x->minv && h.api_version <= x->maxv)
	{
		bool		flex = h.api_version >= x->flexv;
		void	   *req = KArenaAlloc(a, x->req->size);
		void	   *resp = KArenaAlloc(a, x->resp->size);
		size_t		start;

		if (flex)
			KReadSkipTaggedFields(&r);	/* header v2 */
		if (!KafkaDecode(x->req, h.api_version, flex, &r, a, req))
		{
			printf("    DECODE ERROR: %s\n", r.errmsg);
			KWriterFree(&out);
			return false;
		}
		KafkaSetDefaults(x->resp, resp);
		answer_group(h.api_key, h.api_version, req, resp, a);
		start = KafkaBeginResponse(&out, &h, flex ? 1 : 0);
		if (!KafkaEncode(x->resp, h.api_version, flex, resp, &out))
		{
			printf("    ENCODE ERROR: %s\n", out.errmsg);
			ok = false;
		}
		KafkaEndResponse(&out, start);
	}
	else if (h.api == NULL || !h.version_supported)
		ok = false;
	else
	{
		void	   *req = KafkaDecodeRequest(&h, &r, a);
		void	   *resp;
		bool		reply = true;

		if (req == NULL)
		{
			printf("    DECODE ERROR: %s\n", r.errmsg);
			KWriterFree(&out);
			return false;
		}
		resp = KafkaNewResponse(&h, a);
		if (h.api_key == KAFKA_API_METADATA)
			answer_metadata(req, resp, a);
		else if (h.api_key == KAFKA_API_PRODUCE)
			reply = answer_produce(req, resp, h.api_version, a);
		if (reply && !KafkaWriteResponse(&out, &h, resp))
		{
			printf("    ENCODE ERROR: %s\n", out.errmsg);
			ok = false;
		}
	}
	if (!ok)
		printf("    closing the connection\n");
	send_all(c->fd, out.buf, out.len);
	KWriterFree(&out);
	fflush(stdout);
	return ok;
}

int
main(int argc, char **argv)
{
	int			lfd;
	struct sockaddr_in sa = {0};
	int			one = 1;
	Conn		conns[MAXCONN];
	int			nconns = 0;
	KArena		arena;

	if (argc != 3)
	{
		fprintf(stderr, "usage: capture PORT DIR\n");
		return 2;
	}
	port = atoi(argv[1]);
	dir = argv[2];
	KArenaInit(&arena, 256 * 1024 * 1024);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16) port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) != 0 || listen(lfd, 16) != 0)
	{
		perror("bind");
		return 1;
	}
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	for (;;)
	{
		struct pollfd pfds[MAXCONN + 1];
		int			rc;

		pfds[0] = (struct pollfd) {lfd, POLLIN, 0};
		for (int i = 0; i < nconns; i++)
			pfds[i + 1] = (struct pollfd) {conns[i].fd, POLLIN, 0};
		rc = poll(pfds, (nfds_t) nconns + 1, 30000);
		if (rc == 0)
			break;
		if (pfds[0].revents & POLLIN)
		{
			int			fd = accept(lfd, NULL, NULL);

			if (fd >= 0 && nconns < MAXCONN)
				conns[nconns++] = (Conn) {fd, malloc(65536), 0, 65536};
			else if (fd >= 0)
				close(fd);
		}
		for (int i = nconns - 1; i >= 0; i--)
		{
			Conn	   *c = &conns[i];
			ssize_t		k;
			bool		alive = true;

			if (!(pfds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c->cap - c->len < 65536)
			{
				c->cap *= 2;
				c->buf = realloc(c->buf, c->cap);
			}
			k = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
			if (k <= 0)
				alive = false;
			else
				c->len += (size_t) k;
			while (alive && c->len >= 4)
			{
				uint32		size = ((uint32) c->buf[0] << 24) | ((uint32) c->buf[1] << 16) |
					((uint32) c->buf[2] << 8) | c->buf[3];

				if (size > 64 * 1024 * 1024)
				{
					alive = false;
					break;
				}
				if (c->len < 4 + (size_t) size)
				{
					if (c->cap < 4 + (size_t) size)
					{
						c->cap = 4 + (size_t) size;
						c->buf = realloc(c->buf, c->cap);
					}
					break;
				}
				alive = handle(c, c->buf + 4, size, &arena);
				KArenaReset(&arena);
				memmove(c->buf, c->buf + 4 + size, c->len - 4 - size);
				c->len -= 4 + (size_t) size;
			}
			if (!alive)
			{
				close(c->fd);
				free(c->buf);
				conns[i] = conns[--nconns];
			}
		}
	}
	return 0;
}
