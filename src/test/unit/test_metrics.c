/*
 * test_metrics.c
 *	  The metrics table, cells, histograms and exposition (utils/metrics.c),
 *	  the metrics endpoint's HTTP answers (postmaster/metricsexporter.c)
 *	  and doc/metrics.md being what the table generates.
 */
#include "c.h"

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kafka/backend.h"
#include "kafka/partition.h"
#include "kafka/protocol.h"
#include "postmaster/ipci.h"
#include "postmaster/metricsexporter.h"
#include "storage/objstore.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "tap.h"
#include "utils/guc.h"
#include "utils/metrics.h"

static char *exposition_buf;

static char *
exposition(void)
{
	size_t		len = 0;
	FILE	   *f = open_memstream(&exposition_buf, &len);
	MetricTopicSample t;

	memset(&t, 0, sizeof(t));
	strcpy(t.name, "a\"b\\c");
	t.bytes_in = 7;
	MetricsWriteExposition(f, &t, 1);
	fclose(f);
	return exposition_buf;
}

static bool
has_line(const char *text, const char *line)
{
	size_t		n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static int
http(const char *req, char **resp)
{
	size_t		len;

	return MetricsHttpRespond(req, strlen(req), resp, &len);
}

int
main(void)
{
	char		err[256];
	char	   *text;
	char	   *resp;
	MetricHistogram h;

	/* Every row is filled in, names are unique and well-formed. */
	{
		bool		good = true;

		for (int i = 0; i < NUM_METRICS; i++)
		{
			const MetricDef *d = &MetricDefs[i];

			if (d->name == NULL || d->help == NULL || strncmp(d->name, "strata_", 7) != 0 ||
				strspn(d->name, "abcdefghijklmnopqrstuvwxyz_") != strlen(d->name) ||
				strchr(d->help, '|') != NULL)
				good = false;
			if (d->name && d->type == METRIC_COUNTER && strcmp(d->name + strlen(d->name) - 6, "_total") != 0)
				good = false;
			for (int j = 0; j < i; j++)
				if (d->name && MetricDefs[j].name && strcmp(d->name, MetricDefs[j].name) == 0)
					good = false;
		}
		ok(good, "every metric has a unique strata_ name, help, and counters end in _total");
	}

	/* Buckets: index i counts values <= 2^i. */
	is_int(MetricsBucketIndex(0), 0, "0 -> bucket 0");
	is_int(MetricsBucketIndex(1), 0, "1 -> bucket 0 (le 1)");
	is_int(MetricsBucketIndex(2), 1, "2 -> bucket 1 (le 2)");
	is_int(MetricsBucketIndex(3), 2, "3 -> bucket 2 (le 4)");
	is_int(MetricsBucketIndex(4), 2, "4 -> bucket 2");
	is_int(MetricsBucketIndex(5), 3, "5 -> bucket 3");
	is_int(MetricsBucketIndex(UINT64_C(1) << 39), 39, "2^39 -> bucket 39");
	is_int(MetricsBucketIndex((UINT64_C(1) << 39) + 1), METRIC_HIST_BUCKETS - 1, "above -> +Inf");
	is_int(MetricsBucketIndex(UINT64_MAX), METRIC_HIST_BUCKETS - 1, "UINT64_MAX -> +Inf");

	/* Before shared memory exists, updates do nothing and reads are 0. */
	MetricsInc(METRIC_SCRAPES, 1);
	MetricsObserve(METRIC_WAL_FLUSH_BYTES, 10);
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_PUT_OBJECT, 1);
	is_int(MetricsGet(METRIC_SCRAPES, 0), 0, "no shared memory: nothing counted, no crash");
	is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_PUT_OBJECT), 0,
		   "no shared memory: object-store requests not counted, no crash (tools like s3check)");

	GucInitDefaults();
	if (!GucSet("log_cache_size", "1MB", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_connections", "4", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_min_messages", "warning", GUC_SRC_CMDLINE, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* As the postmaster does at start: the kafka layer names the series. */
	KafkaRegisterMetricLabels();
	CreateSharedMemoryAndSemaphores();
	ProcSlotActivate(ProcSlotAssign(PROC_BACKEND));

	MetricsInc(METRIC_CONNECTIONS_ACCEPTED, 3);
	MetricsInc(METRIC_CONNECTIONS_ACCEPTED, 2);
	is_int(MetricsGet(METRIC_CONNECTIONS_ACCEPTED, 0), 5, "counter adds");
	MetricsSet(METRIC_TOPICS, 9);
	MetricsSet(METRIC_TOPICS, 4);
	is_int(MetricsGet(METRIC_TOPICS, 0), 4, "gauge set");
	MetricsIncApi(METRIC_KAFKA_REQUESTS, KAFKA_API_PRODUCE, 2);
	MetricsIncApi(METRIC_KAFKA_REQUESTS, KAFKA_API_FETCH, 1);
	MetricsIncApi(METRIC_KAFKA_REQUESTS, 999, 1);
	MetricsIncApi(METRIC_KAFKA_REQUESTS, -5, 1);
	MetricsIncApi(METRIC_KAFKA_REQUESTS, 57, 1);	/* a key Strata lacks (UpdateFeatures) */
	is_int(MetricsGet(METRIC_KAFKA_REQUESTS, KAFKA_API_PRODUCE), 2, "per-API counter: Produce");
	is_int(MetricsGet(METRIC_KAFKA_REQUESTS, METRIC_API_SLOTS - 1), 3, "keys out of range or unimplemented count as unknown");
	is_int(MetricsGet(METRIC_KAFKA_REQUESTS, 57), 0, "an unimplemented key has no series of its own");
	MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, KAFKA_API_PRODUCE, 1500);	/* 1.5 ms */
	MetricsObserveApi(METRIC_KAFKA_REQUEST_DURATION, KAFKA_API_PRODUCE, 3);
	MetricsGetHistogram(METRIC_KAFKA_REQUEST_DURATION, KAFKA_API_PRODUCE, &h);
	is_int(h.count, 2, "histogram count");
	is_int(h.sum, 1503, "histogram sum (microseconds)");
	is_int(h.buckets[11], 1, "1500 us in the 2048 us bucket");
	is_int(h.buckets[2], 1, "3 us in the 4 us bucket");
	MetricsObserve(METRIC_WAL_FLUSH_BYTES, 4096);
	MetricsObserve(METRIC_WAL_FLUSH_BYTES, 4097);
	MetricsObserve(METRIC_WAL_FLUSH_BYTES, 10);
	MetricsSetState(METRIC_GROUPS, 3, 2);
	MetricsSetState(METRIC_GROUPS, 77, 1);	/* ignored */
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_PUT_OBJECT, 3);
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_UPLOAD_PART, 4);
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_LIST_OBJECTS_V2, 1);
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_KINDS, 1);	/* ignored */
	MetricsIncObjStore(METRIC_OBJSTORE_REQUESTS, -1, 1);	/* ignored */
	MetricsIncObjStore(METRIC_OBJSTORE_REQUEST_ERRORS, METRIC_OBJREQ_UPLOAD_PART, 1);
	MetricsInc(METRIC_OBJSTORE_SENT_BYTES, 123456789);
	is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_PUT_OBJECT), 3, "per-request counter: PutObject");
	is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_UPLOAD_PART), 4, "per-request counter: UploadPart");
	is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_GET_OBJECT), 0, "per-request counter: GetObject untouched");
	is_int(MetricsGet(METRIC_OBJSTORE_REQUEST_ERRORS, METRIC_OBJREQ_UPLOAD_PART), 1,
		   "errors are a series of their own");
	is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_KINDS), 0, "no slot past the last request kind");
	{
		/* every kind has a distinct, non-empty S3 name */
		bool		good = true;

		for (int i = 0; i < METRIC_OBJREQ_KINDS; i++)
		{
			if (MetricObjStoreRequestNames[i] == NULL || MetricObjStoreRequestNames[i][0] == '\0')
				good = false;
			for (int j = 0; good && j < i; j++)
				if (strcmp(MetricObjStoreRequestNames[i], MetricObjStoreRequestNames[j]) == 0)
					good = false;
		}
		ok(good, "every object-store request kind has its own name");
	}

	/* A child process sees (and adds to) the same cells. */
	{
		pid_t		pid;
		int			status;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
		{
			for (int i = 0; i < 1000; i++)
				MetricsInc(METRIC_SCRAPES, 1);
			_exit(0);
		}
		for (int i = 0; i < 1000; i++)
			MetricsInc(METRIC_SCRAPES, 1);
		waitpid(pid, &status, 0);
		is_int(MetricsGet(METRIC_SCRAPES, 0), 2000, "increments from two processes all land");
	}

	/*
	 * The file:// back end counts each operation once, as the S3 request
	 * it stands for (the s3 back end's counts are checked against s3rver
	 * by src/test/objstore/t/009_s3_requests.pl).
	 */
	{
		char		dir[] = "/tmp/strata-test-metrics-XXXXXX";
		char	   *url;
		ObjStore   *st;
		ObjStoreError oerr;
		ObjStoreListing l;
		char		buf[100];
		size_t		nread;
		uint64		size;
		const char *const keys[] = {"k1", "k2", "never-written"};
		int64		put0 = MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_PUT_OBJECT);

		ok(mkdtemp(dir) != NULL, "temporary directory for a file:// store");
		url = psprintf("file://%s", dir);
		st = ObjStoreOpen(url, &oerr);
		ok(st != NULL, "file:// store opens: %s", st ? "" : oerr.message);
		memset(buf, 'x', sizeof(buf));
		ok(ObjStorePut(st, "k1", buf, sizeof(buf), &oerr) && ObjStorePut(st, "k2", buf, 10, &oerr) &&
		   ObjStoreGet(st, "k1", 0, sizeof(buf), buf, &nread, &oerr) &&
		   !ObjStoreHead(st, "never-written", &size, &oerr) &&
		   ObjStoreList(st, "", NULL, 10, &l, &oerr) &&
		   ObjStoreDeleteBatch(st, keys, 3, &oerr), "file:// operations ran");
		ObjStoreListingFree(&l);
		is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_PUT_OBJECT) - put0, 2, "file://: a put is one PutObject");
		is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_GET_OBJECT), 1, "file://: a get is one GetObject");
		is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_HEAD_OBJECT), 1, "file://: a head is one HeadObject");
		is_int(MetricsGet(METRIC_OBJSTORE_REQUEST_ERRORS, METRIC_OBJREQ_HEAD_OBJECT), 1,
			   "file://: the head of a missing key is an error");
		is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_LIST_OBJECTS_V2) - 1, 1,
			   "file://: a listing page is one ListObjectsV2");
		is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_DELETE_OBJECTS), 1,
			   "file://: a batch delete of 3 keys is one DeleteObjects");
		is_int(MetricsGet(METRIC_OBJSTORE_REQUESTS, METRIC_OBJREQ_DELETE_OBJECT), 0,
			   "file://: ... not a DeleteObject per key");
		is_int(MetricsGet(METRIC_OBJSTORE_SENT_BYTES, 0) - 123456789, 110, "file://: sent bytes are the data put");
		is_int(MetricsGet(METRIC_OBJSTORE_RECEIVED_BYTES, 0), 100, "file://: received bytes are the data read");
		ObjStoreClose(st);
		rmdir(dir);
		pfree(url);
	}

	text = exposition();
	ok(has_line(text, "# TYPE strata_kafka_requests_total counter"), "TYPE line");
	ok(has_line(text, "strata_kafka_requests_total{api=\"Produce\"} 2"), "Produce series with the API table's name");
	ok(has_line(text, "strata_kafka_requests_total{api=\"unknown\"} 3"), "unknown series");
	ok(has_line(text, "strata_kafka_requests_total{api=\"DescribeCluster\"} 0"), "unused APIs' counters show 0");
	ok(has_line(text, "strata_kafka_request_duration_seconds_bucket{api=\"Produce\",le=\"0.000008\"} 1"),
	   "lowest seconds bucket (8 us), cumulative from below");
	ok(has_line(text, "strata_kafka_request_duration_seconds_bucket{api=\"Produce\",le=\"0.001024\"} 1"),
	   "1.024 ms bucket");
	ok(has_line(text, "strata_kafka_request_duration_seconds_bucket{api=\"Produce\",le=\"0.002048\"} 2"),
	   "2.048 ms bucket holds both");
	ok(has_line(text, "strata_kafka_request_duration_seconds_bucket{api=\"Produce\",le=\"33.554432\"} 2"),
	   "highest seconds bucket");
	ok(has_line(text, "strata_kafka_request_duration_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 2"), "+Inf bucket");
	ok(has_line(text, "strata_kafka_request_duration_seconds_sum{api=\"Produce\"} 0.001503"), "sum in seconds");
	ok(has_line(text, "strata_kafka_request_duration_seconds_count{api=\"Produce\"} 2"), "count");
	ok(has_line(text, "strata_kafka_request_duration_seconds_count{api=\"Fetch\"} 0"),
	   "a latency series once an API has requests (in flight: count 0)");
	ok(strstr(text, "strata_kafka_request_duration_seconds_count{api=\"Metadata\"}") == NULL,
	   "none for an API without requests");
	ok(has_line(text, "strata_wal_flush_bytes_bucket{le=\"64\"} 1"), "bytes buckets start at 64");
	ok(has_line(text, "strata_wal_flush_bytes_bucket{le=\"4096\"} 2"), "4096 is in le=4096");
	ok(has_line(text, "strata_wal_flush_bytes_bucket{le=\"8192\"} 3"), "4097 is in le=8192");
	ok(has_line(text, "strata_wal_flush_bytes_bucket{le=\"1073741824\"} 3"), "up to 1 GiB");
	ok(has_line(text, "strata_wal_flush_bytes_sum 8203"), "bytes sum");
	ok(has_line(text, "strata_groups{state=\"Stable\"} 2"), "group state label");
	ok(has_line(text, "strata_groups{state=\"Dead\"} 0"), "every state shown");
	ok(has_line(text, "strata_topic_bytes_in_total{topic=\"a\\\"b\\\\c\"} 7"), "topic label value escaped");
	ok(has_line(text, "strata_topics 4"), "unlabelled gauge");
	ok(has_line(text, "# TYPE strata_objstore_requests_total counter"), "object-store requests: TYPE line");
	ok(has_line(text, "strata_objstore_requests_total{request=\"PutObject\"} 5"), "request label: PutObject");
	ok(has_line(text, "strata_objstore_requests_total{request=\"UploadPart\"} 4"), "request label: UploadPart");
	ok(has_line(text, "strata_objstore_requests_total{request=\"ListObjectsV2\"} 2"), "request label: ListObjectsV2");
	{
		bool		all = true;

		for (int i = 0; i < METRIC_OBJREQ_KINDS; i++)
		{
			char		want[128];

			snprintf(want, sizeof(want), "strata_objstore_request_errors_total{request=\"%s\"} %d",
					 MetricObjStoreRequestNames[i],
					 i == METRIC_OBJREQ_UPLOAD_PART || i == METRIC_OBJREQ_HEAD_OBJECT ? 1 : 0);
			if (!has_line(text, want))
				all = false;
		}
		ok(all, "every request kind has an error series, unused ones at 0");
	}
	ok(has_line(text, "strata_objstore_sent_bytes_total 123456899"), "sent bytes, unlabelled");
	ok(has_line(text, "strata_objstore_received_bytes_total 100"), "received bytes, unlabelled");
	ok(has_line(text, "# HELP strata_kafka_requests_failed_total Kafka requests that closed the connection (malformed, unsupported API or version); unknown API keys count as api=\"unknown\"."),
	   "HELP line");
	{
		/* The start time is a Unix time in seconds with microseconds. */
		const char *p = strstr(text, "\nstrata_start_time_seconds ");
		double		v = p ? strtod(p + 27, NULL) : 0;

		ok(v > (double) time(NULL) - 60 && v <= (double) time(NULL) + 1, "start time is now");
	}
	free(text);

	/* HTTP answers. */
	is_int(http("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &resp), 200, "GET /metrics: 200");
	ok(strncmp(resp, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n", 73) == 0,
	   "200 with the text format's content type");
	ok(strstr(resp, "\r\nConnection: close\r\n") != NULL, "Connection: close");
	{
		const char *cl = strstr(resp, "Content-Length: ");
		const char *body = strstr(resp, "\r\n\r\n");

		ok(cl && body && (size_t) atol(cl + 16) == strlen(body + 4), "Content-Length is the body's length");
		ok(body && strstr(body, "\nstrata_connections 1\n") != NULL,
		   "the scrape collected the connection gauge (this process holds a backend slot)");
	}
	free(resp);
	is_int(http("GET /metrics HTTP/1.0\n\n", &resp), 200, "bare LF line ends, HTTP/1.0 without Host: 200");
	free(resp);
	is_int(http("HEAD /metrics?x=1 HTTP/1.1\r\nhost: x\r\n\r\n", &resp), 200, "HEAD with a query, lower-case host: 200");
	ok(strstr(resp, "\r\n\r\n")[4] == '\0', "HEAD has no body");
	free(resp);
	is_int(http("PUT /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &resp), 405, "PUT: 405");
	ok(strstr(resp, "\r\nAllow: GET, HEAD\r\n") != NULL, "405 says what is allowed");
	free(resp);
	is_int(http("GET /metricsx HTTP/1.1\r\nHost: x\r\n\r\n", &resp), 404, "other path: 404");
	free(resp);
	is_int(http("GET /metrics HTTP/1.1\r\nHost: x\r\n", &resp), 400, "headers not finished: 400");
	free(resp);
	is_int(http("GET /metrics HTTP/1.1\r\nX-Host: x\r\n\r\n", &resp), 400, "X-Host is not Host: 400");
	free(resp);
	is_int(http("GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &resp), 400, "two spaces: 400");
	free(resp);
	is_int(http("GET /metrics HTTP/1.1 extra\r\nHost: x\r\n\r\n", &resp), 400, "junk after the version: 400");
	free(resp);
	is_int(http("G(T /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &resp), 400, "a non-token method: 400");
	free(resp);
	is_int(http("\r\n\r\n", &resp), 400, "empty request: 400");
	free(resp);
	is_int(http("GET /metrics HTTP/1.1\r\nHost: \x01\r\n\r\n", &resp), 400, "control character in a header: 400");
	free(resp);
	is_int(MetricsGet(METRIC_HTTP_ERRORS, 0), 9, "error answers counted");

	/* metrics_listen values. */
	{
		char		host[64],
					port[16];

		ok(MetricsParseListen("127.0.0.1:9404", host, sizeof(host), port, sizeof(port), err, sizeof(err)) &&
		   strcmp(host, "127.0.0.1") == 0 && strcmp(port, "9404") == 0, "host:port");
		ok(MetricsParseListen("[::1]:9404", host, sizeof(host), port, sizeof(port), err, sizeof(err)) &&
		   strcmp(host, "::1") == 0, "[ipv6]:port");
		ok(!MetricsParseListen("::1:9404", host, sizeof(host), port, sizeof(port), err, sizeof(err)),
		   "bare IPv6 refused");
		ok(!MetricsParseListen(":9404", host, sizeof(host), port, sizeof(port), err, sizeof(err)), "no host");
		ok(!MetricsParseListen("h:0", host, sizeof(host), port, sizeof(port), err, sizeof(err)), "port 0");
		ok(!MetricsParseListen("h:65536", host, sizeof(host), port, sizeof(port), err, sizeof(err)), "port too big");
		ok(!MetricsParseListen("h:12x", host, sizeof(host), port, sizeof(port), err, sizeof(err)), "junk port");
		ok(!MetricsParseListen("h:", host, sizeof(host), port, sizeof(port), err, sizeof(err)), "empty port");
		ok(strstr(err, "1 .. 65535") != NULL, "the message says what a port is");
	}

	/* doc/metrics.md is what the table generates. */
	{
		char	   *gen = NULL;
		size_t		genlen = 0;
		FILE	   *f = open_memstream(&gen, &genlen);
		FILE	   *doc = fopen("../../../doc/metrics.md", "r");
		char	   *cur = NULL;
		size_t		curlen = 0;

		MetricsWriteDocs(f);
		fclose(f);
		if (doc)
		{
			FILE	   *m = open_memstream(&cur, &curlen);
			int			c;

			while ((c = fgetc(doc)) != EOF)
				fputc(c, m);
			fclose(m);
			fclose(doc);
		}
		ok(cur != NULL && strcmp(cur, gen) == 0,
		   "doc/metrics.md holds what strata --describe-metrics=markdown prints");
		for (int i = 0; i < NUM_METRICS; i++)
			if (strstr(gen, MetricDefs[i].name) == NULL)
				ok(0, "%s documented", MetricDefs[i].name);
		free(gen);
		free(cur);
	}
	return done_testing();
}
