/*
 * test_balancer.c
 *	  The pure parts of the balancer: the latencies a broker reports (mean
 *	  and p99 bucket from two samples of a histogram) and the parameters of
 *	  the one statement that publishes its load.
 *
 * src/test/unit/test_balancer.c
 */
#include "c.h"

#include "balancer/loadreport.h"
#include "catalog/catalog_balancer.h"
#include "utils/metrics.h"
#include "tap.h"

static void
observe(MetricHistogram *h, uint64 us, int times)
{
	for (int i = 0; i < times; i++)
	{
		h->buckets[MetricsBucketIndex(us)]++;
		h->sum += us;
		h->count++;
	}
}

static void
test_latency(void)
{
	MetricHistogram a,
				b;
	double		mean,
				p99;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	LoadReportLatency(&a, &b, &mean, &p99);
	ok(mean == -1 && p99 == -1, "no observations: no latency");

	/* Before: 10 slow observations that must not count. */
	observe(&a, 500000, 10);
	b = a;
	/* 99 at 1 ms, 1 at 40 ms: mean 1.39 ms, p99 in the 1 ms bucket (<= 1.024 ms). */
	observe(&b, 1000, 99);
	observe(&b, 40000, 1);
	LoadReportLatency(&a, &b, &mean, &p99);
	ok(mean > 1.389 && mean < 1.391, "mean of the interval only (%.3f ms)", mean);
	ok(p99 == 1.024, "p99 is the upper bound of its bucket (%.3f ms)", p99);

	/* 98 at 1 ms and 2 at 40 ms: the p99 moves to the 40 ms bucket (65.536 ms). */
	b = a;
	observe(&b, 1000, 98);
	observe(&b, 40000, 2);
	LoadReportLatency(&a, &b, &mean, &p99);
	ok(p99 == 65.536, "p99 in the slow bucket when 2 %% are slow (%.3f ms)", p99);

	/* A histogram that restarted (shared memory re-created) counts afresh. */
	memset(&b, 0, sizeof(b));
	observe(&b, 2000, 4);
	LoadReportLatency(&a, &b, &mean, &p99);
	ok(mean == 2.0, "after a restart of the counters, the new observations (%.3f ms)", mean);
}

static void
test_publish_params(void)
{
	CatalogBrokerLoad b;
	CatalogPartitionLoad p[2];
	char	   *params[CATALOG_PUBLISH_LOAD_NPARAMS];

	memset(&b, 0, sizeof(b));
	memset(p, 0, sizeof(p));
	b.bytes_in = 1000;
	b.bytes_out = 2000;
	b.bytes_in_rate = 12.5;
	b.bytes_out_rate = -3;		/* never negative */
	b.append_latency_ms = 1.5;
	b.append_latency_p99_ms = 2.048;
	b.fetch_latency_ms = -1;	/* nothing measured: NULL */
	b.fetch_latency_p99_ms = -1;
	b.capacity = 100 * 1024 * 1024;
	for (int i = 0; i < 16; i++)
		p[0].topic_id[i] = (uint8) (0x10 + i);
	p[0].partition = 0;
	p[0].bytes_in_rate = 1e20;	/* clamped */
	p[0].produce_rate = 3.456;
	p[1].topic_id[15] = 1;
	p[1].partition = 7;
	p[1].bytes_out_rate = 0.0 / 0.0;	/* NaN: 0 */
	p[1].fetch_rate = 2;
	CatalogPublishLoadParams(3, 42, &b, p, 2, params);
	is_str(params[0], "3", "broker id");
	is_str(params[1], "42", "epoch");
	is_str(params[2], "1000", "bytes in");
	is_str(params[4], "12.500", "bytes in rate");
	is_str(params[5], "0.000", "a negative rate is 0");
	is_str(params[6], "1.500", "append latency");
	ok(params[8] == NULL && params[9] == NULL, "no fetch latency: NULL");
	is_str(params[10], "104857600", "capacity");
	is_str(params[11], "{10111213-1415-1617-1819-1a1b1c1d1e1f,00000000-0000-0000-0000-000000000001}",
		   "topic ids as a uuid[] literal");
	is_str(params[12], "{0,7}", "partitions");
	is_str(params[13], "{1000000000000000.0,0.0}", "bytes in rates, clamped");
	is_str(params[14], "{0.0,0.0}", "bytes out rates, NaN as 0");
	is_str(params[15], "{3.46,0.00}", "produce rates");
	is_str(params[16], "{0.00,2.00}", "fetch rates");
	CatalogPublishLoadParamsFree(params);

	CatalogPublishLoadParams(3, 42, &b, NULL, 0, params);
	is_str(params[11], "{}", "no partitions: empty arrays");
	CatalogPublishLoadParamsFree(params);
}

int
main(void)
{
	test_latency();
	test_publish_params();
	return done_testing();
}
