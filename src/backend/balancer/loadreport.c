/*-------------------------------------------------------------------------
 *
 * loadreport.c
 *	  A broker's report of its own load for the balancer (see
 *	  balancer/loadreport.h): rates from differences between two samples
 *	  of the counters in shared memory (the partition registry's traffic
 *	  counters and the metrics' latency histograms).
 *
 *	  Runs in the catalog worker; the samples are process-local.  Reads
 *	  shared memory without locks except RegistryLock, which
 *	  PartitionTrafficCollect takes briefly.
 *
 *	  Append latency is the Produce request duration (strata_kafka_request_
 *	  duration_seconds{api="Produce"}: from the request being read until
 *	  its response is ready, which for acks=1/all includes the WAL flush);
 *	  fetch latency is strata_fetch_read_duration_seconds (the read of the
 *	  data a Fetch answered with, without its wait for new data).
 *
 * src/backend/balancer/loadreport.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "balancer/loadreport.h"
#include "kafka/partition.h"
#include "kafka/protocol.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/timestamp.h"

typedef struct LoadSample
{
	int64		at_ms;			/* 0: no sample yet */
	uint64		bytes_in;
	uint64		bytes_out;
	MetricHistogram append;
	MetricHistogram fetch;
	PartitionTraffic *parts;	/* sorted by registry index */
	int			nparts;
} LoadSample;

/* The base of the next report, and the sample taken for the report being published. */
static LoadSample base;
static LoadSample taken;

static void
sample_free(LoadSample *s)
{
	if (s->parts)
		pfree(s->parts);
	memset(s, 0, sizeof(*s));
}

void
LoadReportLatency(const MetricHistogram *before, const MetricHistogram *after,
				  double *mean_ms, double *p99_ms)
{
	uint64		count = 0;
	uint64		seen = 0;
	uint64		buckets[METRIC_HIST_BUCKETS];

	*mean_ms = -1;
	*p99_ms = -1;
	for (int i = 0; i < METRIC_HIST_BUCKETS; i++)
	{
		/* A histogram restarted (shared memory re-created) counts afresh. */
		buckets[i] = after->buckets[i] >= before->buckets[i] ? after->buckets[i] - before->buckets[i]
			: after->buckets[i];
		count += buckets[i];
	}
	if (count == 0)
		return;
	*mean_ms = (double) (after->sum >= before->sum ? after->sum - before->sum : after->sum) /
		(double) count / 1000.0;
	for (int i = 0; i < METRIC_HIST_BUCKETS; i++)
	{
		seen += buckets[i];
		/* The smallest bucket holding at least 99 % of the observations. */
		if (seen * 100 >= count * 99)
		{
			/* Bucket i counts values <= 2^i microseconds; the last is +Inf. */
			*p99_ms = i < METRIC_HIST_BUCKETS - 1 ? (double) ((uint64) 1 << i) / 1000.0 : *mean_ms;
			break;
		}
	}
}

/* Difference of two counters per second (0 if a counter went backwards). */
static double
rate(uint64 now, uint64 then, double secs)
{
	return secs > 0 && now > then ? (double) (now - then) / secs : 0.0;
}

void
LoadReportBuild(CatalogBrokerLoad *broker, CatalogPartitionLoad **parts, int *nparts)
{
	double		secs;
	int			n = 0;
	int			j = 0;
	CatalogPartitionLoad *out;

	sample_free(&taken);
	taken.at_ms = MonotonicMs();
	TopicTrafficTotals(&taken.bytes_in, &taken.bytes_out);
	MetricsGetHistogram(METRIC_KAFKA_REQUEST_DURATION, KAFKA_API_PRODUCE, &taken.append);
	MetricsGetHistogram(METRIC_FETCH_READ_DURATION, 0, &taken.fetch);
	taken.nparts = PartitionTrafficCollect(&taken.parts);

	secs = base.at_ms > 0 ? (double) (taken.at_ms - base.at_ms) / 1000.0 : 0;
	memset(broker, 0, sizeof(*broker));
	broker->bytes_in = taken.bytes_in;
	broker->bytes_out = taken.bytes_out;
	/* Counters of deleted topics go away: a drop is no negative rate. */
	broker->bytes_in_rate = rate(taken.bytes_in, base.bytes_in, secs);
	broker->bytes_out_rate = rate(taken.bytes_out, base.bytes_out, secs);
	broker->capacity = broker_capacity;
	if (base.at_ms > 0)
	{
		LoadReportLatency(&base.append, &taken.append, &broker->append_latency_ms,
						  &broker->append_latency_p99_ms);
		LoadReportLatency(&base.fetch, &taken.fetch, &broker->fetch_latency_ms,
						  &broker->fetch_latency_p99_ms);
	}
	else
	{
		broker->append_latency_ms = broker->append_latency_p99_ms = -1;
		broker->fetch_latency_ms = broker->fetch_latency_p99_ms = -1;
	}

	/* Both samples are sorted by registry index: walk them together. */
	out = palloc(sizeof(CatalogPartitionLoad) * (size_t) Max(taken.nparts, 1));
	for (int i = 0; i < taken.nparts && secs > 0; i++)
	{
		const PartitionTraffic *now = &taken.parts[i];
		const PartitionTraffic *then;

		while (j < base.nparts && base.parts[j].idx < now->idx)
			j++;
		if (j >= base.nparts)
			break;
		then = &base.parts[j];
		if (then->idx != now->idx || then->stream_id != now->stream_id ||
			then->stream_epoch != now->stream_epoch)
			continue;
		memcpy(out[n].topic_id, now->topic_id, 16);
		out[n].partition = now->partition;
		out[n].bytes_in_rate = rate(now->bytes_in, then->bytes_in, secs);
		out[n].bytes_out_rate = rate(now->bytes_out, then->bytes_out, secs);
		out[n].produce_rate = rate(now->batches_in, then->batches_in, secs);
		out[n].fetch_rate = rate(now->reads_out, then->reads_out, secs);
		n++;
	}
	*parts = out;
	*nparts = n;
}

void
LoadReportCommit(void)
{
	sample_free(&base);
	base = taken;
	memset(&taken, 0, sizeof(taken));
}
