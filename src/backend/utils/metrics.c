/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  The table of Strata's metrics, their cells in shared memory, the
 *	  Prometheus text exposition and doc/metrics.md (see utils/metrics.h).
 *
 *	  Storage: one array of 64-bit cells in shared memory.  Each metric
 *	  owns a fixed run of cells, laid out from the table at start (the
 *	  layout is computed the same way in every process, so it needs no
 *	  sharing): one cell per series for a counter or gauge, and per series
 *	  METRIC_HIST_BUCKETS bucket cells plus a sum for a histogram.  Updates
 *	  are __atomic adds and stores with relaxed ordering: a scrape needs no
 *	  ordering between cells, only that every increment lands.  A scrape
 *	  reads a histogram's cells one by one, so its buckets and sum can
 *	  disagree by the observations made meanwhile; the count is computed
 *	  from the buckets, so count and the +Inf bucket always agree.
 *
 *	  Several backends incrementing the same counter contend for its cache
 *	  line; at a few hundred thousand increments a second on one machine
 *	  that costs far less than the work being counted, and keeps a scrape
 *	  a plain read (no per-process shards to sum).
 *
 * src/backend/utils/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>

#include "storage/shmem.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

/*
 * The table.  Names follow Prometheus's conventions: a strata_ prefix,
 * base units (seconds, bytes) in the name, _total on counters.
 */
const MetricDef MetricDefs[NUM_METRICS] = {
	[METRIC_KAFKA_REQUESTS] = {"strata_kafka_requests_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_API,
	"Kafka requests received, per API (counted when the backend starts serving them)."},
	[METRIC_KAFKA_REQUEST_DURATION] = {"strata_kafka_request_duration_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_API,
	"Time from a request being read to its response being ready to send; for Produce with acks=1/all this includes waiting for the WAL flush."},
	[METRIC_KAFKA_REQUESTS_FAILED] = {"strata_kafka_requests_failed_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_API,
	"Kafka requests that closed the connection (malformed, unsupported API or version); unknown API keys count as api=\"unknown\"."},
	[METRIC_KAFKA_REQUESTS_SURPLUS] = {"strata_kafka_requests_surplus_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_API,
	"Kafka requests served although bytes followed their body (ignored, as Kafka ignores them; the first per connection is logged at DEBUG1)."},

	[METRIC_TOPIC_BYTES_IN] = {"strata_topic_bytes_in_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_TOPIC,
	"Record batch bytes produced to the topic and appended to the WAL."},
	[METRIC_TOPIC_RECORDS_IN] = {"strata_topic_records_in_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_TOPIC,
	"Records produced to the topic and appended to the WAL."},
	[METRIC_TOPIC_BYTES_OUT] = {"strata_topic_bytes_out_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_TOPIC,
	"Record batch bytes returned to consumers by Fetch."},
	[METRIC_TOPIC_RECORDS_OUT] = {"strata_topic_records_out_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_TOPIC,
	"Records in the batches returned to consumers by Fetch (whole batches, so a fetch from the middle of a batch counts all of it)."},
	[METRIC_TOPICS] = {"strata_topics", METRIC_GAUGE, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Topics in this broker's partition registry."},
	[METRIC_PARTITIONS] = {"strata_partitions", METRIC_GAUGE, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Partitions in this broker's partition registry."},

	[METRIC_CONNECTIONS] = {"strata_connections", METRIC_GAUGE, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Client connections being served now (backend processes)."},
	[METRIC_CONNECTIONS_ACCEPTED] = {"strata_connections_accepted_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Client connections accepted and given a backend."},
	[METRIC_CONNECTIONS_REFUSED] = {"strata_connections_refused_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Client connections closed at once: max_connections or max_connections_per_ip reached, or the broker starting, recovering or stopping."},

	[METRIC_AUTHENTICATIONS] = {"strata_authentications_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Successful authentications: SASL logins and re-authentications, and verified TLS client certificates."},
	[METRIC_AUTHENTICATION_FAILURES] = {"strata_authentication_failures_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Failed authentications: SASL logins refused, TLS handshakes that failed, clients past authentication_timeout."},
	[METRIC_AUTHORIZATIONS_ALLOWED] = {"strata_authorizations_allowed_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Authorisation checks that allowed the operation (with authorizer = on)."},
	[METRIC_AUTHORIZATIONS_DENIED] = {"strata_authorizations_denied_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Authorisation checks that denied the operation (with authorizer = on), topics hidden from Metadata included."},

	[METRIC_WAL_APPENDED_RECORDS] = {"strata_wal_appended_records_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"WAL records (record batches) appended to the WAL ring."},
	[METRIC_WAL_APPENDED_BYTES] = {"strata_wal_appended_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Record batch bytes appended to the WAL ring (without WAL record headers)."},
	[METRIC_WAL_WRITES] = {"strata_wal_writes_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Write I/Os submitted to the WAL device."},
	[METRIC_WAL_WRITTEN_BYTES] = {"strata_wal_written_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Bytes written to the WAL device (whole 4 KiB blocks; a partial block is written again as it fills)."},
	[METRIC_WAL_PIPELINED_WRITES] = {"strata_wal_pipelined_writes_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"WAL writes the WAL writer submitted while another of its writes was in flight."},
	[METRIC_WAL_PADDING_BYTES] = {"strata_wal_padding_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"WAL space taken by the padding that ends a write on a block boundary (so that the next write can be in flight with it)."},
	[METRIC_WAL_FLUSH_BYTES] = {"strata_wal_flush_bytes", METRIC_HISTOGRAM, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"WAL bytes made durable by each advance of the flushed position (the size of a group commit)."},
	[METRIC_WAL_FLUSH_DURATION] = {"strata_wal_flush_duration_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Time from submitting a WAL write to it being durable and its waiters woken (with wal_sync_method=fdatasync, including the fdatasync)."},
	[METRIC_WAL_BACKPRESSURE_WAIT] = {"strata_wal_backpressure_wait_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Time appends spent waiting because the WAL was full (back-pressure until the uploader trims it); the count is the appends that waited."},
	[METRIC_WAL_INSERT_POSITION] = {"strata_wal_insert_position_bytes", METRIC_GAUGE, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"WAL position (LSN) up to which space has been reserved by appenders."},
	[METRIC_WAL_FLUSHED_POSITION] = {"strata_wal_flushed_position_bytes", METRIC_GAUGE, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"WAL position (LSN) below which everything is durable on the WAL device."},
	[METRIC_WAL_TRIM_POSITION] = {"strata_wal_trim_position_bytes", METRIC_GAUGE, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"WAL position (LSN) below which everything is safe in object storage; flushed minus trim is what still needs uploading."},

	[METRIC_LOG_CACHE_HITS] = {"strata_log_cache_hits_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Log cache reads that returned record batches from shared memory."},
	[METRIC_LOG_CACHE_MISSES] = {"strata_log_cache_misses_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Log cache reads for data the cache no longer (or never) held, to be read from object storage."},
	[METRIC_LOG_CACHE_SENT_BYTES] = {"strata_log_cache_sent_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Record batch bytes that fetch responses took from the log cache by reference, to be sent from the WAL ring without a copy."},
	[METRIC_LOG_CACHE_COPIED_BYTES] = {"strata_log_cache_copied_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Of those, bytes copied into the response after all, because the client's socket was full (a slow consumer must not hold WAL space)."},
	[METRIC_BLOCK_CACHE_HITS] = {"strata_block_cache_hits_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Object-storage block reads served from the block cache."},
	[METRIC_BLOCK_CACHE_MISSES] = {"strata_block_cache_misses_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Object-storage block reads that had to GET from object storage."},
	[METRIC_COLD_READ_THROTTLE_WAIT] = {"strata_cold_read_throttle_wait_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Time fetches waited for cold_read_bandwidth before a GET from object storage; the count is the GETs that waited."},
	[METRIC_FETCH_READ_DURATION] = {"strata_fetch_read_duration_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Time a Fetch that returned data spent reading it (log cache, block cache or object storage), without the wait for new data before it; the balancer publishes its mean as the broker's fetch latency."},

	[METRIC_UPLOAD_BYTES] = {"strata_upload_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Bytes of objects uploaded to object storage."},
	[METRIC_UPLOAD_OBJECTS] = {"strata_upload_objects_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Objects uploaded to object storage."},
	[METRIC_UPLOAD_DURATION] = {"strata_upload_duration_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Time to upload one object, retries and pacing included: from its start (the first record added) to the store's acknowledgement of the whole object."},
	[METRIC_UPLOAD_ERRORS] = {"strata_upload_errors_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Objects whose upload failed after the object store's own retries (the upload round is retried later)."},
	[METRIC_UPLOAD_PACE_WAIT] = {"strata_upload_pace_wait_seconds", METRIC_HISTOGRAM, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Time the uploader waited after handing a part over, so that an upload goes out at upload_pacing percent of the rate its data arrived at (and a compacted object no faster than the uploads); the count is the parts that waited."},

	[METRIC_OBJSTORE_REQUESTS] = {"strata_objstore_requests_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_OBJSTORE_REQUEST,
	"HTTP requests sent to the object store, per S3 request, each retry included (counted as each attempt starts). With a file:// store, each operation counts once under the request it stands for."},
	[METRIC_OBJSTORE_REQUEST_ERRORS] = {"strata_objstore_request_errors_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_OBJSTORE_REQUEST,
	"Object-store requests that failed (an HTTP error status, including 404 for a missing key, or a transport error), whether retried or not."},
	[METRIC_OBJSTORE_SENT_BYTES] = {"strata_objstore_sent_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Request body bytes sent to the object store (object data and XML bodies; a retry sends its body again)."},
	[METRIC_OBJSTORE_RECEIVED_BYTES] = {"strata_objstore_received_bytes_total", METRIC_COUNTER, METRIC_UNIT_BYTES, METRIC_LABEL_NONE,
	"Response body bytes received from the object store (object data read and XML answers)."},

	[METRIC_GROUPS] = {"strata_groups", METRIC_GAUGE, METRIC_UNIT_NONE, METRIC_LABEL_GROUP_STATE,
	"Consumer groups this broker coordinates, per state."},
	[METRIC_GROUP_MEMBERS] = {"strata_group_members", METRIC_GAUGE, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Members of all coordinated consumer groups."},

	[METRIC_START_TIME] = {"strata_start_time_seconds", METRIC_GAUGE, METRIC_UNIT_SECONDS, METRIC_LABEL_NONE,
	"Unix time at which shared memory, and so every metric, was (re)initialised: at start and after a crash restart."},
	[METRIC_SCRAPES] = {"strata_metrics_scrapes_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Successful GET /metrics requests served by the metrics exporter."},
	[METRIC_HTTP_ERRORS] = {"strata_metrics_http_errors_total", METRIC_COUNTER, METRIC_UNIT_NONE, METRIC_LABEL_NONE,
	"Requests to the metrics endpoint answered with an error status, or dropped for being too slow."},
};

/*
 * Label values of the API and group-state series, registered at start by
 * the kafka layer (MetricsRegisterLabel): this layer knows no Kafka API or
 * group state.  Process-local: the postmaster registers them before it
 * forks, so every child has them.  A slot without a name has no series.
 */
static const char *api_labels[METRIC_API_SLOTS - 1];
static const char *group_state_labels[METRIC_GROUP_STATES];

/* Label values of METRIC_LABEL_OBJSTORE_REQUEST, S3's names. */
const char *const MetricObjStoreRequestNames[METRIC_OBJREQ_KINDS] = {
	[METRIC_OBJREQ_PUT_OBJECT] = "PutObject",
	[METRIC_OBJREQ_CREATE_MULTIPART_UPLOAD] = "CreateMultipartUpload",
	[METRIC_OBJREQ_UPLOAD_PART] = "UploadPart",
	[METRIC_OBJREQ_COMPLETE_MULTIPART_UPLOAD] = "CompleteMultipartUpload",
	[METRIC_OBJREQ_ABORT_MULTIPART_UPLOAD] = "AbortMultipartUpload",
	[METRIC_OBJREQ_GET_OBJECT] = "GetObject",
	[METRIC_OBJREQ_HEAD_OBJECT] = "HeadObject",
	[METRIC_OBJREQ_DELETE_OBJECT] = "DeleteObject",
	[METRIC_OBJREQ_DELETE_OBJECTS] = "DeleteObjects",
	[METRIC_OBJREQ_LIST_OBJECTS_V2] = "ListObjectsV2",
};

/* Histogram buckets exposed per unit: 2^lo .. 2^hi, then +Inf. */
#define SECONDS_BUCKET_LO	3		/* 8 us */
#define SECONDS_BUCKET_HI	25		/* 33.5 s */
#define BYTES_BUCKET_LO		6		/* 64 B */
#define BYTES_BUCKET_HI		30		/* 1 GiB */
#define NONE_BUCKET_LO		0
#define NONE_BUCKET_HI		20

#define HIST_CELLS			(METRIC_HIST_BUCKETS + 1)	/* buckets, sum */

typedef struct MetricsShmemStruct
{
	uint64		ncells;
	uint64		cells[FLEXIBLE_ARRAY_MEMBER];
} MetricsShmemStruct;

static MetricsShmemStruct *MetricsShmem = NULL;
static uint32 metric_offset[NUM_METRICS];	/* first cell of each metric */
static uint32 total_cells = 0;

static int
label_slots(MetricLabel label)
{
	switch (label)
	{
		case METRIC_LABEL_NONE:
			return 1;
		case METRIC_LABEL_API:
			return METRIC_API_SLOTS;
		case METRIC_LABEL_GROUP_STATE:
			return METRIC_GROUP_STATES;
		case METRIC_LABEL_OBJSTORE_REQUEST:
			return METRIC_OBJREQ_KINDS;
		case METRIC_LABEL_TOPIC:
			return 0;			/* in the partition registry */
	}
	return 0;
}

static int
series_cells(const MetricDef *def)
{
	return def->type == METRIC_HISTOGRAM ? HIST_CELLS : 1;
}

/* Lay the cells out from the table (same result in every process). */
static void
compute_layout(void)
{
	uint32		n = 0;

	if (total_cells != 0)
		return;
	for (int i = 0; i < NUM_METRICS; i++)
	{
		Ensure(MetricDefs[i].name != NULL);
		metric_offset[i] = n;
		n += (uint32) (label_slots(MetricDefs[i].label) * series_cells(&MetricDefs[i]));
	}
	total_cells = n;
}

size_t
MetricsShmemSize(void)
{
	compute_layout();
	return add_size(offsetof(MetricsShmemStruct, cells), mul_size(sizeof(uint64), total_cells));
}

/* Runs in the postmaster (or a test) when shared memory is created. */
void
MetricsShmemInit(void)
{
	bool		found;

	compute_layout();
	MetricsShmem = ShmemInitStruct("Metrics", MetricsShmemSize(), &found);
	if (found)
		return;
	memset(MetricsShmem->cells, 0, sizeof(uint64) * total_cells);
	MetricsShmem->ncells = total_cells;
	MetricsShmem->cells[metric_offset[METRIC_START_TIME]] = (uint64) time(NULL) * 1000000;
}

uint64
MetricsNowUs(void)
{
	return (uint64) MonotonicUs();
}

int
MetricsBucketIndex(uint64 value)
{
	int			b;

	if (value <= 1)
		return 0;
	/* smallest i with value <= 2^i */
	b = 64 - __builtin_clzll(value - 1);
	return Min(b, METRIC_HIST_BUCKETS - 1);
}

static inline uint64 *
cell(MetricId id, int slot)
{
	return &MetricsShmem->cells[metric_offset[id] + (uint32) slot * (uint32) series_cells(&MetricDefs[id])];
}

/*
 * The series of an API key: its own if it was registered (Strata
 * implements it), else "unknown".
 */
static int
api_slot(int api_key)
{
	if (api_key >= 0 && api_key < METRIC_API_SLOTS - 1 && api_labels[api_key] != NULL)
		return api_key;
	return METRIC_API_SLOTS - 1;
}

void
MetricsRegisterLabel(MetricLabel label, int slot, const char *name)
{
	switch (label)
	{
		case METRIC_LABEL_API:
			Ensure(slot >= 0 && slot < METRIC_API_SLOTS - 1);
			api_labels[slot] = name;
			break;
		case METRIC_LABEL_GROUP_STATE:
			Ensure(slot >= 0 && slot < METRIC_GROUP_STATES);
			group_state_labels[slot] = name;
			break;
		case METRIC_LABEL_NONE:
		case METRIC_LABEL_TOPIC:
		case METRIC_LABEL_OBJSTORE_REQUEST:
			Ensure(!"labels of this kind are not registered");
			break;
	}
}

static inline void
inc_slot(MetricId id, int slot, uint64 n)
{
	if (unlikely(MetricsShmem == NULL))
		return;
	Assert(MetricDefs[id].type == METRIC_COUNTER || MetricDefs[id].type == METRIC_GAUGE);
	__atomic_fetch_add(cell(id, slot), n, __ATOMIC_RELAXED);
}

static inline void
observe_slot(MetricId id, int slot, uint64 value)
{
	uint64	   *c;

	if (unlikely(MetricsShmem == NULL))
		return;
	Assert(MetricDefs[id].type == METRIC_HISTOGRAM);
	c = cell(id, slot);
	__atomic_fetch_add(&c[MetricsBucketIndex(value)], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c[METRIC_HIST_BUCKETS], value, __ATOMIC_RELAXED);
}

static inline void
set_slot(MetricId id, int slot, int64 value)
{
	if (unlikely(MetricsShmem == NULL))
		return;
	Assert(MetricDefs[id].type != METRIC_HISTOGRAM);
	__atomic_store_n(cell(id, slot), (uint64) value, __ATOMIC_RELAXED);
}

void
MetricsInc(MetricId id, uint64 n)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_NONE);
	inc_slot(id, 0, n);
}

void
MetricsObserve(MetricId id, uint64 value)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_NONE);
	observe_slot(id, 0, value);
}

/*
 * Gauges, and counters whose source of truth is another module's own
 * shared counter (copied at scrape time by the exporter).
 */
void
MetricsSet(MetricId id, int64 value)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_NONE);
	set_slot(id, 0, value);
}

void
MetricsIncApi(MetricId id, int api_key, uint64 n)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_API);
	inc_slot(id, api_slot(api_key), n);
}

void
MetricsObserveApi(MetricId id, int api_key, uint64 value)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_API);
	observe_slot(id, api_slot(api_key), value);
}

void
MetricsSetState(MetricId id, int state, int64 value)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_GROUP_STATE);
	if (state < 0 || state >= METRIC_GROUP_STATES)
		return;
	set_slot(id, state, value);
}

/*
 * The object-store layer runs in tools and tests without shared memory
 * too (s3check, test modules): there this does nothing, as every update.
 */
void
MetricsIncObjStore(MetricId id, int request, uint64 n)
{
	Assert(MetricDefs[id].label == METRIC_LABEL_OBJSTORE_REQUEST);
	if (request < 0 || request >= METRIC_OBJREQ_KINDS)
		return;
	inc_slot(id, request, n);
}

int64
MetricsGet(MetricId id, int slot)
{
	if (MetricsShmem == NULL || slot < 0 || slot >= label_slots(MetricDefs[id].label) ||
		MetricDefs[id].type == METRIC_HISTOGRAM)
		return 0;
	return (int64) __atomic_load_n(cell(id, slot), __ATOMIC_RELAXED);
}

void
MetricsGetHistogram(MetricId id, int slot, MetricHistogram *h)
{
	uint64	   *c;

	memset(h, 0, sizeof(*h));
	if (MetricsShmem == NULL || slot < 0 || slot >= label_slots(MetricDefs[id].label) ||
		MetricDefs[id].type != METRIC_HISTOGRAM)
		return;
	c = cell(id, slot);
	for (int i = 0; i < METRIC_HIST_BUCKETS; i++)
	{
		h->buckets[i] = __atomic_load_n(&c[i], __ATOMIC_RELAXED);
		h->count += h->buckets[i];
	}
	h->sum = __atomic_load_n(&c[METRIC_HIST_BUCKETS], __ATOMIC_RELAXED);
}

/* ---------- exposition ---------- */

static const char *
type_name(MetricType type)
{
	switch (type)
	{
		case METRIC_COUNTER:
			return "counter";
		case METRIC_GAUGE:
			return "gauge";
		case METRIC_HISTOGRAM:
			return "histogram";
	}
	return "untyped";
}

static const char *
label_name(MetricLabel label)
{
	switch (label)
	{
		case METRIC_LABEL_API:
			return "api";
		case METRIC_LABEL_TOPIC:
			return "topic";
		case METRIC_LABEL_GROUP_STATE:
			return "state";
		case METRIC_LABEL_OBJSTORE_REQUEST:
			return "request";
		case METRIC_LABEL_NONE:
			break;
	}
	return "";
}

static void
bucket_range(MetricUnit unit, int *lo, int *hi)
{
	switch (unit)
	{
		case METRIC_UNIT_SECONDS:
			*lo = SECONDS_BUCKET_LO;
			*hi = SECONDS_BUCKET_HI;
			return;
		case METRIC_UNIT_BYTES:
			*lo = BYTES_BUCKET_LO;
			*hi = BYTES_BUCKET_HI;
			return;
		case METRIC_UNIT_NONE:
			break;
	}
	*lo = NONE_BUCKET_LO;
	*hi = NONE_BUCKET_HI;
}

/* A value in the metric's unit: microseconds become seconds. */
static void
write_value(FILE *out, MetricUnit unit, MetricType type, uint64 raw)
{
	if (unit == METRIC_UNIT_SECONDS)
		fprintf(out, "%llu.%06llu", (unsigned long long) (raw / 1000000),
				(unsigned long long) (raw % 1000000));
	else if (type == METRIC_GAUGE)
		fprintf(out, "%lld", (long long) (int64) raw);
	else
		fprintf(out, "%llu", (unsigned long long) raw);
}

/* A bucket bound 2^i in the metric's unit, shortest form ("0.000008"). */
static void
write_bound(FILE *out, MetricUnit unit, int i)
{
	uint64		v = UINT64_C(1) << i;

	if (unit == METRIC_UNIT_SECONDS)
	{
		char		buf[64];
		size_t		n;

		n = (size_t) snprintf(buf, sizeof(buf), "%llu.%06llu", (unsigned long long) (v / 1000000),
							  (unsigned long long) (v % 1000000));
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';
		fputs(buf, out);
	}
	else
		fprintf(out, "%llu", (unsigned long long) v);
}

/* Label value escaping of the text format: backslash, quote, newline. */
static void
write_label_value(FILE *out, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

/* {name="value"} or nothing; extra is a further label (le) or NULL. */
static void
write_labels(FILE *out, MetricLabel label, const char *value, const MetricDef *def, int le)
{
	bool		any = false;

	if (label != METRIC_LABEL_NONE)
	{
		fprintf(out, "{%s=\"", label_name(label));
		write_label_value(out, value);
		fputc('"', out);
		any = true;
	}
	if (le >= 0)
	{
		fputs(any ? ",le=\"" : "{le=\"", out);
		if (le >= METRIC_HIST_BUCKETS - 1)
			fputs("+Inf", out);
		else
			write_bound(out, def->unit, le);
		fputc('"', out);
		any = true;
	}
	if (any)
		fputc('}', out);
}

static void
write_histogram(FILE *out, const MetricDef *def, MetricId id, int slot, const char *value)
{
	MetricHistogram h;
	uint64		cum = 0;
	int			lo,
				hi;

	MetricsGetHistogram(id, slot, &h);
	bucket_range(def->unit, &lo, &hi);
	for (int i = 0; i < METRIC_HIST_BUCKETS - 1; i++)
	{
		cum += h.buckets[i];
		if (i < lo || i > hi)
			continue;
		fprintf(out, "%s_bucket", def->name);
		write_labels(out, def->label, value, def, i);
		fprintf(out, " %llu\n", (unsigned long long) cum);
	}
	fprintf(out, "%s_bucket", def->name);
	write_labels(out, def->label, value, def, METRIC_HIST_BUCKETS - 1);
	fprintf(out, " %llu\n", (unsigned long long) h.count);
	fprintf(out, "%s_sum", def->name);
	write_labels(out, def->label, value, def, -1);
	fputc(' ', out);
	write_value(out, def->unit, METRIC_COUNTER, h.sum);
	fputc('\n', out);
	fprintf(out, "%s_count", def->name);
	write_labels(out, def->label, value, def, -1);
	fprintf(out, " %llu\n", (unsigned long long) h.count);
}

static void
write_series(FILE *out, MetricId id, int slot, const char *value)
{
	const MetricDef *def = &MetricDefs[id];

	if (def->type == METRIC_HISTOGRAM)
	{
		write_histogram(out, def, id, slot, value);
		return;
	}
	fputs(def->name, out);
	write_labels(out, def->label, value, def, -1);
	fputc(' ', out);
	write_value(out, def->unit, def->type, (uint64) MetricsGet(id, slot));
	fputc('\n', out);
}

static uint64
topic_value(MetricId id, const MetricTopicSample *t)
{
	switch (id)
	{
		case METRIC_TOPIC_BYTES_IN:
			return t->bytes_in;
		case METRIC_TOPIC_RECORDS_IN:
			return t->records_in;
		case METRIC_TOPIC_BYTES_OUT:
			return t->bytes_out;
		case METRIC_TOPIC_RECORDS_OUT:
			return t->records_out;
		default:
			return 0;
	}
}

/* HELP text escaping: backslash and newline. */
static void
write_help(FILE *out, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

void
MetricsWriteExposition(FILE *out, const MetricTopicSample *topics, int ntopics)
{
	for (int i = 0; i < NUM_METRICS; i++)
	{
		const MetricDef *def = &MetricDefs[i];

		fprintf(out, "# HELP %s ", def->name);
		write_help(out, def->help);
		fprintf(out, "\n# TYPE %s %s\n", def->name, type_name(def->type));
		switch (def->label)
		{
			case METRIC_LABEL_NONE:
				write_series(out, (MetricId) i, 0, NULL);
				break;
			case METRIC_LABEL_API:
				for (int slot = 0; slot < METRIC_API_SLOTS - 1; slot++)
				{
					if (api_labels[slot] == NULL)
						continue;
					/* Latency series appear once an API has been used. */
					if (def->type == METRIC_HISTOGRAM &&
						MetricsGet(METRIC_KAFKA_REQUESTS, slot) == 0)
						continue;
					write_series(out, (MetricId) i, slot, api_labels[slot]);
				}
				if (def->type != METRIC_HISTOGRAM &&
					MetricsGet((MetricId) i, METRIC_API_SLOTS - 1) != 0)
					write_series(out, (MetricId) i, METRIC_API_SLOTS - 1, "unknown");
				break;
			case METRIC_LABEL_GROUP_STATE:
				for (int s = 0; s < METRIC_GROUP_STATES; s++)
				{
					if (group_state_labels[s] != NULL)
						write_series(out, (MetricId) i, s, group_state_labels[s]);
				}
				break;
			case METRIC_LABEL_OBJSTORE_REQUEST:
				/* all of them, zeros too: a rate() needs the series early */
				for (int r = 0; r < METRIC_OBJREQ_KINDS; r++)
					write_series(out, (MetricId) i, r, MetricObjStoreRequestNames[r]);
				break;
			case METRIC_LABEL_TOPIC:
				for (int t = 0; t < ntopics; t++)
				{
					fputs(def->name, out);
					write_labels(out, def->label, topics[t].name, def, -1);
					fprintf(out, " %llu\n", (unsigned long long) topic_value((MetricId) i, &topics[t]));
				}
				break;
		}
	}
}

/* ---------- doc/metrics.md ---------- */

static void
write_doc_buckets(FILE *out, MetricUnit unit)
{
	int			lo,
				hi;

	bucket_range(unit, &lo, &hi);
	fputs("le = ", out);
	write_bound(out, unit, lo);
	fputs(", ", out);
	write_bound(out, unit, lo + 1);
	fputs(", ... (doubling), ", out);
	write_bound(out, unit, hi);
	fputs(", +Inf", out);
}

void
MetricsWriteDocs(FILE *out)
{
	fprintf(out,
			"<!-- Generated from src/backend/utils/metrics.c by `strata --describe-metrics=markdown`; do not edit. -->\n\n"
			"# Metrics\n\n"
			"With `metrics_listen` set (for example `metrics_listen = '127.0.0.1:9404'`; empty, the\n"
			"default, turns it off), the broker's metrics exporter process serves every metric below\n"
			"at `http://HOST:PORT/metrics` in the Prometheus text format (version 0.0.4):\n\n"
			"```\n"
			"curl -s http://127.0.0.1:9404/metrics\n"
			"```\n\n"
			"Only `GET` and `HEAD` of `/metrics` are served (other paths get 404, other methods\n"
			"405, malformed or oversized requests 400); each response closes the connection. A\n"
			"client has 5 seconds to send its request (at most 8 KiB) and 10 seconds to read the\n"
			"answer, and at most 16 are served at once, so a slow client cannot hold the endpoint.\n\n"
			"Values live in shared memory and are updated with atomic additions, without locks, by\n"
			"the process doing the work. They restart from zero when the broker starts and after a\n"
			"crash restart (`strata_start_time_seconds` says when; Prometheus's `rate()` handles\n"
			"the reset). Durations are in seconds and sizes in bytes. Histograms have fixed\n"
			"power-of-two buckets; a histogram labelled by `api` shows an API once it has been used.\n\n"
			"| Metric | Type | Labels | Description |\n"
			"|---|---|---|---|\n");
	for (int i = 0; i < NUM_METRICS; i++)
	{
		const MetricDef *def = &MetricDefs[i];

		fprintf(out, "| `%s` | %s | %s | %s", def->name, type_name(def->type),
				def->label == METRIC_LABEL_NONE ? "" : label_name(def->label), def->help);
		if (def->type == METRIC_HISTOGRAM)
		{
			fputs(" Buckets: ", out);
			write_doc_buckets(out, def->unit);
			fputs(".", out);
		}
		fputs(" |\n", out);
	}
	fprintf(out,
			"\n## Labels\n\n"
			"- `api`: the Kafka API's name as in `doc/protocol.md` (`Produce`, `Fetch`, ...); requests\n"
			"  with an API key Strata does not implement count as `unknown`.\n"
			"- `topic`: the topic's name; the series goes away when the topic is deleted.\n"
			"- `state`: a consumer group's state (`Empty`, `PreparingRebalance`, `CompletingRebalance`,\n"
			"  `Stable`, `Dead`).\n"
			"- `request`: the S3 request, by S3's name: `PutObject`, `CreateMultipartUpload`,\n"
			"  `UploadPart`, `CompleteMultipartUpload`, `AbortMultipartUpload`, `GetObject`,\n"
			"  `HeadObject`, `DeleteObject`, `DeleteObjects`, `ListObjectsV2`. With `s3://` every\n"
			"  HTTP exchange counts, retries included: these are the requests the service received.\n"
			"  A `file://` store counts each operation once under the request it stands for (a put\n"
			"  is one `PutObject`, whatever its size; a get one `GetObject`; a listing page one\n"
			"  `ListObjectsV2`; a batch delete one `DeleteObjects` per 1000 keys); its errors are\n"
			"  the operations that failed, a missing key included. Every process that uses the\n"
			"  object store counts: the uploader's puts, compaction and deletion, and the backends'\n"
			"  reads.\n");
}

void
MetricsDescribe(FILE *out)
{
	for (int i = 0; i < NUM_METRICS; i++)
	{
		const MetricDef *def = &MetricDefs[i];

		fprintf(out, "%s\t%s\t%s\t%s\n", def->name, type_name(def->type),
				label_name(def->label), def->help);
	}
}
