/*-------------------------------------------------------------------------
 *
 * kafka_regress.c
 *	  Scripted Kafka requests against a broker, with the decoded responses
 *	  printed in the codec's text form, so that regress/ can diff them
 *	  against expected files (the pg_regress idea for a binary protocol).
 *
 *	  Usage: kafka_regress -p PORT [-h HOST] [SCRIPT]   (stdin if no SCRIPT)
 *
 *	  A script is a sequence of statements; '#' starts a comment.
 *
 *		Metadata v1 {Topics=[{Name="t1"}]}
 *			Send a request: API name, version, then the body in the text
 *			form of KafkaPrint/KafkaParseText (it may span lines; omitted
 *			fields keep their defaults).  Prints "> " and the request as
 *			encoded at that version, then "< " and the decoded response.
 *		Metadata v12 {Topics=null} + 010000
 *			'+' and hex after the body: these bytes are appended to the
 *			frame after the encoded body (surplus bytes, which a broker
 *			must ignore as Kafka does).
 *		Metadata v1 {} &
 *			A trailing '&' sends without waiting: the responses of all
 *			queued requests are read, in order, when the next statement
 *			without '&' has been sent (pipelining).
 *		Records=@records("v1", "k2":"v2", null)
 *			Inside a body: an uncompressed magic-2 batch with these values
 *			(and keys), timestamps 0, built with a real CRC-32C.
 *		Records=@records(producer=1000:0:5, "v1", "v2")
 *			The same from an idempotent producer: producer id 1000,
 *			epoch 0, base sequence 5.
 *		raw 0000000a00120000...
 *			Send these bytes as they are (size prefix included), then print
 *			the raw response frame in hex or "connection closed".
 *		mask Name ...
 *			From now on print these fields' values as '*' (ids, ports).
 *		reconnect
 *			Close the connection and open a new one.
 *
 *	  Response Records print as the batches' records,
 *	  [{offset=N, timestamp=T, key=..., value=..., headers=[...]}], or as
 *	  a summary for compressed batches (offsets, count, codec, first and
 *	  largest timestamp).  Exit status 1 if a statement
 *	  could not be parsed or sent, 0 otherwise.
 *
 * regress/kafka_regress.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kafka/legacy.h"
#include "kafka/protocol.h"
#include "kafka/records.h"
#include "utils/crc32c.h"
#include "utils/sanitizer.h"

#define RESPONSE_TIMEOUT_MS 15000
#define MAX_PENDING 256

typedef struct Pending
{
	const KafkaApi *api;
	int16		version;
	int32		correlation_id;
} Pending;

static const char *host = "127.0.0.1";
static const char *port;
static int	sock = -1;
static int32 next_corr = 1;
static Pending pending[MAX_PENDING];
static int	npending;
static char *masks[64];
static int	nmasks;
static int	failures;

/* ---------------------------------------------------------------- */

static void
do_connect(void)
{
	struct addrinfo hints = {0},
			   *res;
	int			one = 1;

	if (sock >= 0)
		close(sock);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
	{
		fprintf(stderr, "kafka_regress: cannot resolve %s:%s\n", host, port);
		exit(2);
	}
	sock = socket(res->ai_family, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, res->ai_addr, res->ai_addrlen) != 0)
	{
		fprintf(stderr, "kafka_regress: cannot connect to %s:%s: %s\n", host, port, strerror(errno));
		exit(2);
	}
	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	freeaddrinfo(res);
}

static bool
send_all(const uint8 *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = send(sock, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t) n;
	}
	return true;
}

/* Read exactly len bytes; 0 ok, -1 closed/error, -2 timeout. */
static int
recv_all(uint8 *buf, size_t len)
{
	while (len > 0)
	{
		struct pollfd pfd = {sock, POLLIN, 0};
		ssize_t		n;
		int			rc = poll(&pfd, 1, RESPONSE_TIMEOUT_MS);

		if (rc == 0)
			return -2;
		if (rc < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		n = recv(sock, buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t) n;
	}
	return 0;
}

/* Read one response frame; returns its length or -1/-2. *out is malloc'd. */
static int64
read_frame(uint8 **out)
{
	uint8		hdr[4];
	uint32		size;
	int			rc;

	*out = NULL;
	if ((rc = recv_all(hdr, 4)) != 0)
		return rc;
	size = ((uint32) hdr[0] << 24) | ((uint32) hdr[1] << 16) | ((uint32) hdr[2] << 8) | hdr[3];
	if (size > 256 * 1024 * 1024)
		return -1;
	*out = malloc(size ? size : 1);
	if ((rc = recv_all(*out, size)) != 0)
	{
		free(*out);
		*out = NULL;
		return rc;
	}
	return size;
}

/* The broker closed the connection: the next statement reconnects. */
static void
mark_closed(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	npending = 0;
}

static void
ensure_connected(void)
{
	if (sock < 0)
		do_connect();
}

/* ---------------------------------------------------------------- */

/* Replace the values of masked fields with '*'. */
static void
apply_masks(KWriter *text)
{
	for (int m = 0; m < nmasks; m++)
	{
		size_t		nlen = strlen(masks[m]);

		for (size_t i = 0; i + nlen + 1 < text->len; i++)
		{
			size_t		j,
						depth = 0;
			bool		inq = false;

			if ((i > 0 && text->buf[i - 1] != '{' && text->buf[i - 1] != ' ') ||
				memcmp(text->buf + i, masks[m], nlen) != 0 || text->buf[i + nlen] != '=')
				continue;
			j = i + nlen + 1;
			for (; j < text->len; j++)
			{
				char		c = (char) text->buf[j];

				if (inq)
				{
					if (c == '\\')
						j++;
					else if (c == '"')
						inq = false;
					continue;
				}
				if (c == '"')
					inq = true;
				else if (c == '{' || c == '[')
					depth++;
				else if ((c == '}' || c == ']') && depth > 0)
					depth--;
				else if ((c == ',' || c == '}' || c == ']') && depth == 0)
					break;
			}
			/* replace [i+nlen+1, j) by "*" */
			memmove(text->buf + i + nlen + 2, text->buf + j, text->len - j);
			text->buf[i + nlen + 1] = '*';
			text->len = text->len - (j - (i + nlen + 1)) + 1;
		}
	}
}

static void
print_quoted(KWriter *w, const uint8 *p, int32 len)
{
	if (len < 0)
	{
		KWriteText(w, "null");
		return;
	}
	KWriteText(w, "\"");
	for (int32 i = 0; i < len; i++)
	{
		if (p[i] == '"' || p[i] == '\\')
			KWriteText(w, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			KWriteText(w, "\\x%02x", p[i]);
		else
			KWriteText(w, "%c", p[i]);
	}
	KWriteText(w, "\"");
}

/* Render a records blob as its records (uncompressed) or a summary. */
static void
print_records(KWriter *w, const uint8 *buf, size_t len)
{
	size_t		pos = 0;
	bool		first = true;

	KWriteText(w, "[");
	while (pos < len)
	{
		RecordBatchInfo info;
		char		err[200];
		int16		e = RecordBatchValidate(buf + pos, len - pos, RECORDS_ALLOW_CONTROL,
											&info, err, sizeof(err));

		if (e != 0 && pos == 0 && LegacyIsMessageSet(buf, len))
		{
			/* what Produce v0-v2 may carry: the broker converts it */
			KWriteText(w, "<%zu bytes: legacy message set, magic %d>", len,
					   buf[LEGACY_ENTRY_OVERHEAD + 4]);
			break;
		}
		if (e != 0)
		{
			/* a fetch may end in a partial batch: say so and stop */
			KWriteText(w, "%s<%zu bytes: %s>", first ? "" : ", ", len - pos,
					   KafkaErrorName(e));
			break;
		}
		if (info.compression != RB_COMPRESSION_NONE || info.control)
		{
			KWriteText(w, "%s<batch offsets %lld-%lld, %d records, compression %d, timestamps %lld-%lld%s%s>",
					   first ? "" : ", ", (long long) info.base_offset,
					   (long long) (info.base_offset + info.last_offset_delta),
					   info.record_count, info.compression,
					   (long long) info.first_timestamp, (long long) info.max_timestamp,
					   info.control ? ", control" : "",
					   info.transactional ? ", transactional" : "");
			first = false;
		}
		else
		{
			KReader		r;

			KReaderInit(&r, buf + pos + RECORD_BATCH_OVERHEAD, (size_t) info.size - RECORD_BATCH_OVERHEAD);
			for (int32 i = 0; i < info.record_count; i++)
			{
				int32		klen,
							vlen,
							nh;
				int64		tsd;
				int32		od;
				const uint8 *k,
						   *v;

				(void) KReadVarint(&r);
				(void) KReadInt8(&r);
				tsd = KReadVarlong(&r);
				od = KReadVarint(&r);
				klen = KReadVarint(&r);
				k = klen > 0 ? KReadRaw(&r, (size_t) klen) : NULL;
				vlen = KReadVarint(&r);
				v = vlen > 0 ? KReadRaw(&r, (size_t) vlen) : NULL;
				KWriteText(w, "%s{offset=%lld, timestamp=%lld, key=", first ? "" : ", ",
						   (long long) (info.base_offset + od),
						   (long long) (info.log_append_time ? info.max_timestamp
										: info.first_timestamp + tsd));
				first = false;
				print_quoted(w, k ? k : (const uint8 *) "", klen);
				KWriteText(w, ", value=");
				print_quoted(w, v ? v : (const uint8 *) "", vlen);
				nh = KReadVarint(&r);
				if (nh > 0)
				{
					KWriteText(w, ", headers=[");
					for (int32 h = 0; h < nh && !r.failed; h++)
					{
						int32		hk = KReadVarint(&r);
						const uint8 *hkp = hk > 0 ? KReadRaw(&r, (size_t) hk) : NULL;
						int32		hv;
						const uint8 *hvp;

						hv = KReadVarint(&r);
						hvp = hv > 0 ? KReadRaw(&r, (size_t) hv) : NULL;
						KWriteText(w, "%s", h ? ", " : "");
						print_quoted(w, hkp ? hkp : (const uint8 *) "", hk);
						KWriteText(w, ":");
						print_quoted(w, hvp ? hvp : (const uint8 *) "", hv);
					}
					KWriteText(w, "]");
				}
				KWriteText(w, "}");
			}
		}
		pos += (size_t) info.size;
	}
	KWriteText(w, "]");
}

/* Replace every Records=0x... in text with the decoded records. */
static void
expand_records(KWriter *text)
{
	KWriter		out;
	size_t		i = 0;
	static const char key[] = "Records=0x";

	KWriterInit(&out, text->len + 64);
	while (i < text->len)
	{
		if (i + sizeof(key) - 1 <= text->len && memcmp(text->buf + i, key, sizeof(key) - 1) == 0)
		{
			size_t		j = i + sizeof(key) - 1,
						n;
			uint8	   *bin;

			while (j < text->len && isxdigit(text->buf[j]))
				j++;
			n = (j - i - (sizeof(key) - 1)) / 2;
			bin = malloc(n + 1);
			for (size_t b = 0; b < n; b++)
			{
				unsigned	v;

				sscanf((const char *) text->buf + i + sizeof(key) - 1 + 2 * b, "%2x", &v);
				bin[b] = (uint8) v;
			}
			KWriteText(&out, "Records=");
			print_records(&out, bin, n);
			free(bin);
			i = j;
			continue;
		}
		KWriteInt8(&out, (int8) text->buf[i++]);
	}
	KWriterReset(text);
	KWriteRaw(text, out.buf, out.len);
	KWriterFree(&out);
}

static void
print_msg(const char *prefix, const KSchema *s, int16 v, const void *msg)
{
	KWriter		w;

	KWriterInit(&w, 256);
	KafkaPrint(s, v, msg, &w);
	expand_records(&w);
	apply_masks(&w);
	printf("%s%.*s\n", prefix, (int) w.len, (const char *) w.buf);
	KWriterFree(&w);
}

/* ---------------------------------------------------------------- */

/*
 * Parse one record, "value" or "key":"value" (each a string or null), at p
 * and append it, numbered index, to recs.  Returns the position after it,
 * or NULL with err.
 */
static const char *
parse_record(const char *p, int index, KWriter *recs, char *err, size_t errlen)
{
	const uint8 *kv[2] = {NULL, NULL};
	int32		kl[2] = {-1, -1};
	int			nparts = 0;
	KWriter		rec;

	for (;;)
	{
		while (isspace((unsigned char) *p))
			p++;
		if (nparts == 2)
		{
			snprintf(err, errlen, "@records: too many parts");
			return NULL;
		}
		if (strncmp(p, "null", 4) == 0)
		{
			kv[nparts] = NULL;
			kl[nparts++] = -1;
			p += 4;
		}
		else if (*p == '"')
		{
			const char *q = ++p;

			while (*q && *q != '"')
				q++;
			if (*q != '"')
			{
				snprintf(err, errlen, "@records: unterminated string");
				return NULL;
			}
			kv[nparts] = (const uint8 *) p;
			kl[nparts++] = (int32) (q - p);
			p = q + 1;
		}
		else
		{
			snprintf(err, errlen, "@records: expected \"string\" or null near \"%.10s\"", p);
			return NULL;
		}
		while (isspace((unsigned char) *p))
			p++;
		if (*p != ':')
			break;
		p++;
	}
	if (nparts == 1)
	{
		/* value only: null key */
		kv[1] = kv[0];
		kl[1] = kl[0];
		kv[0] = NULL;
		kl[0] = -1;
	}
	KWriterInit(&rec, 64);
	KWriteInt8(&rec, 0);
	KWriteVarlong(&rec, 0);
	KWriteVarint(&rec, index);
	for (int k = 0; k < 2; k++)
	{
		KWriteVarint(&rec, kl[k]);
		if (kl[k] > 0)
			KWriteRaw(&rec, kv[k], (size_t) kl[k]);
	}
	KWriteVarint(&rec, 0);
	KWriteVarint(recs, (int32) rec.len);
	KWriteRaw(recs, rec.buf, rec.len);
	KWriterFree(&rec);
	return p;
}

/* Build a batch from @records(...) items; returns its hex in w. */
static const char *
build_records(const char *p, KWriter *hex, char *err, size_t errlen)
{
	KWriter		b,
				recs;
	int			count = 0;
	size_t		len_at,
				crc_at;
	long long	producer_id = -1;
	long		producer_epoch = -1,
				base_sequence = -1;

	while (isspace((unsigned char) *p))
		p++;
	if (strncmp(p, "producer=", 9) == 0)
	{
		int			used = 0;

		if (sscanf(p + 9, "%lld:%ld:%ld%n", &producer_id, &producer_epoch, &base_sequence, &used) != 3 ||
			producer_epoch < INT16_MIN || producer_epoch > INT16_MAX ||
			base_sequence < INT32_MIN || base_sequence > INT32_MAX)
		{
			snprintf(err, errlen, "@records: expected producer=ID:EPOCH:SEQUENCE");
			return NULL;
		}
		p += 9 + used;
	}
	KWriterInit(&recs, 256);
	while (*p && *p != ')')
	{
		while (isspace((unsigned char) *p) || *p == ',')
			p++;
		if (*p == ')')
			break;
		if ((p = parse_record(p, count, &recs, err, errlen)) == NULL)
		{
			KWriterFree(&recs);
			return NULL;
		}
		count++;
	}
	if (*p != ')' || count == 0)
	{
		snprintf(err, errlen, "@records: expected ) after at least one record");
		KWriterFree(&recs);
		return NULL;
	}
	KWriterInit(&b, 256);
	KWriteInt64(&b, 0);
	len_at = KWriteReserveInt32(&b);
	KWriteInt32(&b, -1);
	KWriteInt8(&b, 2);
	crc_at = KWriteReserveInt32(&b);
	KWriteInt16(&b, 0);
	KWriteInt32(&b, count - 1);
	KWriteInt64(&b, 0);
	KWriteInt64(&b, 0);
	KWriteInt64(&b, producer_id);
	KWriteInt16(&b, (int16) producer_epoch);
	KWriteInt32(&b, (int32) base_sequence);
	KWriteInt32(&b, count);
	KWriteRaw(&b, recs.buf, recs.len);
	KWritePatchInt32(&b, len_at, (int32) (b.len - 12));
	KWritePatchInt32(&b, crc_at, (int32) RecordBatchComputeCrc(b.buf));
	KWriteText(hex, "0x");
	for (size_t i = 0; i < b.len; i++)
		KWriteText(hex, "%02x", b.buf[i]);
	KWriterFree(&b);
	KWriterFree(&recs);
	return p + 1;
}

/* Expand @records(...) in a body; returns a malloc'd string or NULL. */
static char *
expand_macros(const char *body, char *err, size_t errlen)
{
	KWriter		w;
	const char *p = body;
	char	   *out;

	KWriterInit(&w, strlen(body) + 1);
	while (*p)
	{
		if (strncmp(p, "@records(", 9) == 0)
		{
			p = build_records(p + 9, &w, err, errlen);
			if (p == NULL)
			{
				KWriterFree(&w);
				return NULL;
			}
			continue;
		}
		KWriteInt8(&w, (int8) *p++);
	}
	KWriteInt8(&w, 0);
	out = strdup((char *) w.buf);
	KWriterFree(&w);
	return out;
}

/* ---------------------------------------------------------------- */

static void
read_pending(KArena *arena)
{
	int			i = 0;

	while (i < npending)
	{
		Pending    *pd = NULL;
		uint8	   *frame;
		int64		n = read_frame(&frame);
		KReader		r;
		int32		corr;
		void	   *resp;

		if (n < 0)
		{
			printf("< %s\n", n == -2 ? "timeout" : "connection closed");
			mark_closed();
			return;
		}
		/*
		 * Kafka answers in request order.  A response that matches no
		 * outstanding request is reported and skipped; one that matches a
		 * later request is reported as out of order and decoded as that.
		 */
		corr = n >= 4 ? (int32) (((uint32) frame[0] << 24) | ((uint32) frame[1] << 16) |
								 ((uint32) frame[2] << 8) | frame[3]) : -1;
		for (int j = i; j < npending; j++)
			if (pending[j].correlation_id == corr)
			{
				pd = &pending[j];
				if (j != i)
					printf("< out of order: response to request %d before request %d\n",
						   corr, pending[i].correlation_id);
				i = j + 1;
				break;
			}
		if (pd == NULL)
		{
			printf("< unexpected response (correlation id %d, %lld bytes)\n", corr, (long long) n);
			free(frame);
			continue;
		}
		KReaderInit(&r, frame, (size_t) n);
		resp = KafkaDecodeResponse(pd->api->api_key, pd->version, &r, arena, &corr);
		if (resp == NULL)
			printf("< undecodable %s v%d response: %s\n", pd->api->name, pd->version, r.errmsg);
		else
		{
			int16		v = pd->version;

			/* an UNSUPPORTED_VERSION ApiVersions answer uses the v0 layout */
			if (pd->api->api_key == KAFKA_API_API_VERSIONS &&
				((ApiVersionsResponse *) resp)->ErrorCode == KAFKA_ERR_UNSUPPORTED_VERSION)
				v = 0;
			print_msg("< ", pd->api->response, v, resp);
		}
		free(frame);
	}
	npending = 0;
}

static bool
run_request(const char *name, int16 version, const char *body, bool async, KArena *arena)
{
	const KafkaApi *api = NULL;
	void	   *req;
	char		err[256];
	char	   *expanded;
	const char *t;
	KWriter		w;
	bool		acks0 = false;

	for (int i = 0; i < KafkaNumApis; i++)
		if (strcmp(KafkaApis[i].name, name) == 0)
			api = &KafkaApis[i];
	if (api == NULL)
	{
		printf("! unknown API %s\n", name);
		return false;
	}
	expanded = expand_macros(body, err, sizeof(err));
	if (expanded == NULL)
	{
		printf("! %s\n", err);
		return false;
	}
	req = KArenaAlloc(arena, api->request->size);
	t = expanded;
	if (!KafkaParseText(api->request, &t, arena, req, err, sizeof(err)))
	{
		printf("! %s v%d: %s\n", name, version, err);
		free(expanded);
		return false;
	}
	KWriterInit(&w, 256);
	if (!KafkaWriteRequest(&w, api->api_key, version, next_corr, "kafka_regress", req))
	{
		printf("! %s v%d cannot be encoded: %s\n", name, version, w.errmsg);
		KWriterFree(&w);
		free(expanded);
		return false;
	}
	/* "+ HEX" after the body: surplus bytes at the end of the frame */
	while (isspace((unsigned char) *t))
		t++;
	if (*t == '+')
	{
		size_t		nsurplus = 0;

		for (t++; *t; t++)
		{
			unsigned	v;

			if (isspace((unsigned char) *t))
				continue;
			if (!isxdigit((unsigned char) t[0]) || !isxdigit((unsigned char) t[1]) ||
				sscanf(t, "%2x", &v) != 1)
			{
				printf("! %s v%d: bad surplus hex near \"%.10s\"\n", name, version, t);
				KWriterFree(&w);
				free(expanded);
				return false;
			}
			KWriteInt8(&w, (int8) v);
			nsurplus++;
			t++;
		}
		KWritePatchInt32(&w, 0, (int32) (w.len - 4));
		printf("> %s v%d (+%zu surplus bytes) ", name, version, nsurplus);
	}
	else
		printf("> %s v%d ", name, version);
	print_msg("", api->request, version, req);
	fflush(stdout);
	ensure_connected();
	if (!send_all(w.buf, w.len))
	{
		printf("< connection closed\n");
		mark_closed();
	}
	else
	{
		if (api->api_key == KAFKA_API_PRODUCE && ((ProduceRequest *) req)->Acks == 0)
			acks0 = true;
		if (acks0)
			printf("< (acks=0: no response)\n");
		else if (npending < MAX_PENDING)
			pending[npending++] = (Pending) {api, version, next_corr};
		if (!async)
			read_pending(arena);
	}
	next_corr++;
	KWriterFree(&w);
	free(expanded);
	return true;
}

static bool
run_raw(const char *hex)
{
	uint8	   *buf = malloc(strlen(hex) / 2 + 1);
	size_t		n = 0;
	uint8	   *frame;
	int64		len;

	while (*hex)
	{
		unsigned	v;

		if (isspace((unsigned char) *hex))
		{
			hex++;
			continue;
		}
		if (!isxdigit((unsigned char) hex[0]) || !isxdigit((unsigned char) hex[1]) ||
			sscanf(hex, "%2x", &v) != 1)
		{
			printf("! raw: bad hex near \"%.10s\"\n", hex);
			free(buf);
			return false;
		}
		buf[n++] = (uint8) v;
		hex += 2;
	}
	printf("> raw %zu bytes\n", n);
	fflush(stdout);
	ensure_connected();
	if (!send_all(buf, n))
	{
		printf("< connection closed\n");
		mark_closed();
		free(buf);
		return true;
	}
	free(buf);
	len = read_frame(&frame);
	if (len < 0)
	{
		printf("< %s\n", len == -2 ? "timeout" : "connection closed");
		mark_closed();
	}
	else
	{
		printf("< raw ");
		for (int64 i = 0; i < len; i++)
			printf("%02x", frame[i]);
		printf("\n");
		free(frame);
	}
	return true;
}

/* Is the statement complete: braces and brackets balanced outside strings? */
static bool
balanced(const char *s)
{
	int			depth = 0;
	bool		inq = false;

	for (; *s; s++)
	{
		if (inq)
		{
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				inq = false;
		}
		else if (*s == '"')
			inq = true;
		else if (*s == '#')
			while (s[1] && s[1] != '\n')
				s++;
		else if (*s == '{' || *s == '[' || *s == '(')
			depth++;
		else if (*s == '}' || *s == ']' || *s == ')')
			depth--;
	}
	return depth <= 0 && !inq;
}

static void
run_statement(char *stmt, KArena *arena)
{
	char	   *p = stmt;
	char		name[64];
	int			version;
	int			n;
	size_t		len;
	bool		async = false;

	while (isspace((unsigned char) *p))
		p++;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char) p[len - 1]))
		p[--len] = '\0';
	if (len == 0 || *p == '#')
		return;
	if (strncmp(p, "mask ", 5) == 0)
	{
		char	   *tok = strtok(p + 5, " \t");

		for (; tok && nmasks < (int) lengthof(masks); tok = strtok(NULL, " \t"))
			masks[nmasks++] = strdup(tok);
		return;
	}
	if (strcmp(p, "reconnect") == 0)
	{
		read_pending(arena);
		mark_closed();
		do_connect();
		printf("> reconnect\n");
		return;
	}
	if (strncmp(p, "raw ", 4) == 0)
	{
		read_pending(arena);
		if (!run_raw(p + 4))
			failures++;
		return;
	}
	if (len > 0 && p[len - 1] == '&')
	{
		async = true;
		p[--len] = '\0';
	}
	if (sscanf(p, "%63s v%d%n", name, &version, &n) != 2)
	{
		printf("! cannot parse statement: %.40s\n", p);
		failures++;
		return;
	}
	if (!run_request(name, (int16) version, p + n, async, arena))
		failures++;
	KArenaReset(arena);
}

int
main(int argc, char **argv)
{
	FILE	   *in = stdin;
	KArena		arena;
	char		line[65536];
	KWriter		stmt;
	int			c;

	while ((c = getopt(argc, argv, "h:p:")) != -1)
	{
		if (c == 'h')
			host = optarg;
		else if (c == 'p')
			port = optarg;
		else
		{
			fprintf(stderr, "usage: kafka_regress -p PORT [-h HOST] [SCRIPT]\n");
			return 2;
		}
	}
	if (port == NULL)
	{
		fprintf(stderr, "usage: kafka_regress -p PORT [-h HOST] [SCRIPT]\n");
		return 2;
	}
	if (optind < argc && (in = fopen(argv[optind], "r")) == NULL)
	{
		perror(argv[optind]);
		return 2;
	}
	KArenaInit(&arena, 256 * 1024 * 1024);
	do_connect();
	KWriterInit(&stmt, 1024);
	while (fgets(line, sizeof(line), in))
	{
		char	   *l = line;

		while (isspace((unsigned char) *l))
			l++;
		if (stmt.len == 0 && (*l == '#' || *l == '\0'))
			continue;
		KWriteRaw(&stmt, line, strlen(line));
		KWriteInt8(&stmt, 0);
		stmt.len--;
		if (balanced((char *) stmt.buf))
		{
			char	   *s = strndup((char *) stmt.buf, stmt.len);

			run_statement(s, &arena);
			free(s);
			KWriterReset(&stmt);
		}
	}
	if (stmt.len > 0)
	{
		printf("! unterminated statement at end of script\n");
		failures++;
	}
	read_pending(&arena);
	fflush(stdout);
	KWriterFree(&stmt);
	KArenaFree(&arena);
	return failures ? 1 : 0;
}
