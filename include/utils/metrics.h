/*-------------------------------------------------------------------------
 *
 * metrics.h
 *	  Counters, gauges and histograms in shared memory, exposed in the
 *	  Prometheus text format by the metrics exporter (metrics_listen).
 *
 *	  Every metric is one row of the table in utils/metrics.c (name, type,
 *	  unit, label, help), indexed by a MetricId below.  The exposition and
 *	  doc/metrics.md ("strata --describe-metrics=markdown") are both
 *	  generated from that table, as doc/settings.md is from the settings
 *	  table.
 *
 *	  Updating a metric is a lock-free atomic add or store on a shared
 *	  64-bit cell: any process attached to shared memory may call these
 *	  functions from its hot path, with or without locks of its own held.
 *	  Before shared memory exists (strata_ctl, tools, unit tests that do
 *	  not set it up) they do nothing.
 *
 *	  Units: a histogram or counter in seconds takes MICROSECONDS
 *	  (MetricsNowUs() gives a monotonic clock in them) and is exposed in
 *	  seconds; bytes are bytes.  Histograms have fixed log-scale buckets:
 *	  bucket i counts values <= 2^i, so an observation costs two atomic
 *	  adds (its bucket and the sum) and no lock.
 *
 *	  Labelled metrics:
 *	  - METRIC_LABEL_API: one series per Kafka API (label api="Produce",
 *	    the names of kafka/apis.c's table, registered at start with
 *	    MetricsRegisterLabel); pass the request's api_key to the *Api
 *	    functions.
 *	  - METRIC_LABEL_GROUP_STATE: one series per consumer-group state
 *	    (names registered the same way).
 *	  - METRIC_LABEL_OBJSTORE_REQUEST: one series per S3 request kind
 *	    (request="PutObject", MetricObjStoreRequest below), counted by the
 *	    object-store layer with MetricsIncObjStore.
 *	  - METRIC_LABEL_TOPIC: per-topic counters live with the topic in the
 *	    partition registry (kafka/partition.h, TopicCountIn/TopicCountOut),
 *	    not here; the table row only names and documents them.
 *
 *	  Metrics restart from zero when shared memory is re-created after a
 *	  crash; strata_start_time_seconds says when that happened, and
 *	  Prometheus's rate() treats it as a counter reset.
 *
 * include/utils/metrics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_METRICS_H
#define STRATA_METRICS_H

#include "c.h"

#include <stdio.h>

typedef enum MetricType
{
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM
} MetricType;

typedef enum MetricUnit
{
	METRIC_UNIT_NONE,
	METRIC_UNIT_BYTES,
	METRIC_UNIT_SECONDS			/* recorded in microseconds */
} MetricUnit;

typedef enum MetricLabel
{
	METRIC_LABEL_NONE,
	METRIC_LABEL_API,			/* api="Produce" */
	METRIC_LABEL_TOPIC,			/* topic="..." (values in the registry) */
	METRIC_LABEL_GROUP_STATE,	/* state="Stable" */
	METRIC_LABEL_OBJSTORE_REQUEST	/* request="PutObject" */
} MetricLabel;

/*
 * The S3 requests the object store makes, one series each.  The file://
 * back end counts each operation under the request it stands for.
 */
typedef enum MetricObjStoreRequest
{
	METRIC_OBJREQ_PUT_OBJECT,
	METRIC_OBJREQ_CREATE_MULTIPART_UPLOAD,
	METRIC_OBJREQ_UPLOAD_PART,
	METRIC_OBJREQ_COMPLETE_MULTIPART_UPLOAD,
	METRIC_OBJREQ_ABORT_MULTIPART_UPLOAD,
	METRIC_OBJREQ_GET_OBJECT,
	METRIC_OBJREQ_HEAD_OBJECT,
	METRIC_OBJREQ_DELETE_OBJECT,
	METRIC_OBJREQ_DELETE_OBJECTS,
	METRIC_OBJREQ_LIST_OBJECTS_V2,
	METRIC_OBJREQ_KINDS			/* number of kinds (series) */
} MetricObjStoreRequest;

/* The label values: S3's own names of the requests ("PutObject", ...). */
extern const char *const MetricObjStoreRequestNames[METRIC_OBJREQ_KINDS];

typedef enum MetricId
{
	/* Kafka requests, per API */
	METRIC_KAFKA_REQUESTS,
	METRIC_KAFKA_REQUEST_DURATION,
	METRIC_KAFKA_REQUESTS_FAILED,
	METRIC_KAFKA_REQUESTS_SURPLUS,
	/* Topics (per-topic values live in the partition registry) */
	METRIC_TOPIC_BYTES_IN,
	METRIC_TOPIC_RECORDS_IN,
	METRIC_TOPIC_BYTES_OUT,
	METRIC_TOPIC_RECORDS_OUT,
	METRIC_TOPICS,
	METRIC_PARTITIONS,
	/* Client connections */
	METRIC_CONNECTIONS,
	METRIC_CONNECTIONS_ACCEPTED,
	METRIC_CONNECTIONS_REFUSED,
	/* Authentication and authorisation (doc/security.md) */
	METRIC_AUTHENTICATIONS,
	METRIC_AUTHENTICATION_FAILURES,
	METRIC_AUTHORIZATIONS_ALLOWED,
	METRIC_AUTHORIZATIONS_DENIED,
	/* WAL */
	METRIC_WAL_APPENDED_RECORDS,
	METRIC_WAL_APPENDED_BYTES,
	METRIC_WAL_WRITES,
	METRIC_WAL_WRITTEN_BYTES,
	METRIC_WAL_PIPELINED_WRITES,
	METRIC_WAL_PADDING_BYTES,
	METRIC_WAL_FLUSH_BYTES,
	METRIC_WAL_FLUSH_DURATION,
	METRIC_WAL_BACKPRESSURE_WAIT,
	METRIC_WAL_INSERT_POSITION,
	METRIC_WAL_FLUSHED_POSITION,
	METRIC_WAL_TRIM_POSITION,
	/* Caches */
	METRIC_LOG_CACHE_HITS,
	METRIC_LOG_CACHE_MISSES,
	METRIC_LOG_CACHE_SENT_BYTES,
	METRIC_LOG_CACHE_COPIED_BYTES,
	METRIC_BLOCK_CACHE_HITS,
	METRIC_BLOCK_CACHE_MISSES,
	METRIC_COLD_READ_THROTTLE_WAIT,
	METRIC_FETCH_READ_DURATION,
	/* Object storage uploads */
	METRIC_UPLOAD_BYTES,
	METRIC_UPLOAD_OBJECTS,
	METRIC_UPLOAD_DURATION,
	METRIC_UPLOAD_ERRORS,
	METRIC_UPLOAD_PACE_WAIT,
	/* Object-store requests (every process that uses the object store) */
	METRIC_OBJSTORE_REQUESTS,
	METRIC_OBJSTORE_REQUEST_ERRORS,
	METRIC_OBJSTORE_SENT_BYTES,
	METRIC_OBJSTORE_RECEIVED_BYTES,
	/* Consumer groups */
	METRIC_GROUPS,
	METRIC_GROUP_MEMBERS,
	/* The server and the exporter itself */
	METRIC_START_TIME,
	METRIC_SCRAPES,
	METRIC_HTTP_ERRORS,
	NUM_METRICS
} MetricId;

typedef struct MetricDef
{
	const char *name;			/* Prometheus family name */
	MetricType	type;
	MetricUnit	unit;
	MetricLabel label;
	const char *help;			/* one line: # HELP and doc/metrics.md */
} MetricDef;

extern const MetricDef MetricDefs[NUM_METRICS];

/* Histogram buckets: index i counts values <= 2^i; the last is +Inf. */
#define METRIC_HIST_BUCKETS		41	/* 2^0 .. 2^39, +Inf */

/* Series of METRIC_LABEL_API metrics: api_key 0..126, and "unknown". */
#define METRIC_API_SLOTS		128

/* Series of METRIC_LABEL_GROUP_STATE metrics (kafka/group.h GroupState). */
#define METRIC_GROUP_STATES		5

/* ---- Shared memory (postmaster/ipci.c) ---- */
extern size_t MetricsShmemSize(void);
extern void MetricsShmemInit(void);

/*
 * Name series slot of a labelled metric kind: for METRIC_LABEL_API the
 * slot is an API key (below METRIC_API_SLOTS - 1), for
 * METRIC_LABEL_GROUP_STATE a group state.  The kafka layer registers its
 * APIs and group states this way (KafkaRegisterMetricLabels), so that this
 * layer needs nothing from kafka/.  A series exists only once named; an
 * API key never named counts as "unknown".  name must stay valid for the
 * life of the process.  Run by the postmaster at start, before it forks
 * (the names are process-local and inherited), and by tests.
 */
extern void MetricsRegisterLabel(MetricLabel label, int slot, const char *name);

/* ---- Updating (any process) ---- */
extern void MetricsInc(MetricId id, uint64 n);
extern void MetricsObserve(MetricId id, uint64 value);
extern void MetricsSet(MetricId id, int64 value);

/* The same for a labelled series: api_key, or a group state. */
extern void MetricsIncApi(MetricId id, int api_key, uint64 n);
extern void MetricsObserveApi(MetricId id, int api_key, uint64 value);
extern void MetricsSetState(MetricId id, int state, int64 value);
/* ... and a METRIC_LABEL_OBJSTORE_REQUEST series (MetricObjStoreRequest). */
extern void MetricsIncObjStore(MetricId id, int request, uint64 n);

/* Monotonic clock in microseconds, for latencies. */
extern uint64 MetricsNowUs(void);

/* ---- Reading ---- */

/* The value of a counter or gauge series (slot 0 for unlabelled ones). */
extern int64 MetricsGet(MetricId id, int slot);

/* A histogram series: per-bucket counts (not cumulative), count and sum. */
typedef struct MetricHistogram
{
	uint64		buckets[METRIC_HIST_BUCKETS];
	uint64		count;
	uint64		sum;
} MetricHistogram;
extern void MetricsGetHistogram(MetricId id, int slot, MetricHistogram *h);

/* The bucket index a value falls into (exposed for tests). */
extern int	MetricsBucketIndex(uint64 value);

/* One topic's counters, gathered from the partition registry. */
typedef struct MetricTopicSample
{
	char		name[250];
	uint64		bytes_in;
	uint64		records_in;
	uint64		bytes_out;
	uint64		records_out;
} MetricTopicSample;

/*
 * Write every metric in the Prometheus text format, version 0.0.4, with
 * the given per-topic samples.  Whoever serves it first refreshes the
 * gauges that are read from other modules (metrics exporter).
 */
extern void MetricsWriteExposition(FILE *out, const MetricTopicSample *topics, int ntopics);

/* doc/metrics.md */
extern void MetricsWriteDocs(FILE *out);
/* strata --describe-metrics: name, type, label, help; tab-separated. */
extern void MetricsDescribe(FILE *out);

#endif							/* STRATA_METRICS_H */
