/*-------------------------------------------------------------------------
 *
 * test_histogram.c
 *	  Unit tests for the benchmark's log-linear histogram: bucket layout,
 *	  precision bound, percentiles against a sorted reference, merging,
 *	  clamping and the empty case.  Prints TAP for prove.
 *
 * bench/test_histogram.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "histogram.h"
#include "tap.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/* Exact percentile of a sorted array, same rank rule as HistPercentile. */
static uint64_t
ref_percentile(const uint64_t *v, size_t n, double pct)
{
	size_t		rank = (size_t) ceil(pct / 100.0 * (double) n);

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t
xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int
main(void)
{
	static Histogram h, h2, m;
	int			i;
	int			layout_ok = 1;
	int			prec_ok = 1;
	uint64_t	v;
	size_t		n = 200000;
	uint64_t   *vals;
	double		pcts[] = {1, 10, 50, 90, 99, 99.9, 99.99};

	/* Bucket layout: contiguous, non-overlapping, within the array. */
	for (i = 0; i < HIST_NBUCKETS - 1; i++)
		if (HistBucketHigh(i) + 1 != HistBucketLow(i + 1))
			layout_ok = 0;
	ok(layout_ok, "buckets are contiguous and do not overlap");
	ok(HistBucketIndex(HIST_MAX_VALUE) < HIST_NBUCKETS, "60 s fits in the bucket array (index %d of %d)",
	   HistBucketIndex(HIST_MAX_VALUE), HIST_NBUCKETS);
	is_int(HistBucketIndex(0), 0, "0 goes to bucket 0");
	is_int(HistBucketIndex(255), 255, "255 is exact");
	is_int(HistBucketLow(HistBucketIndex(256)), 256, "256 starts a bucket");
	is_int(HistBucketHigh(HistBucketIndex(256)), 257, "256's bucket is 2 wide");

	/* Every value maps into a bucket containing it, of relative width <= 1/128. */
	for (v = 0; v < 5000000 && prec_ok; v += (v < 100000 ? 1 : 997))
	{
		int			b = HistBucketIndex(v);

		if (HistBucketLow(b) > v || HistBucketHigh(b) < v)
			prec_ok = 0;
		if (v >= 256 && (double) (HistBucketHigh(b) - HistBucketLow(b) + 1) / (double) v > 1.0 / 128)
			prec_ok = 0;
	}
	ok(prec_ok, "every value lies in its bucket, bucket width <= value/128");

	/* Empty histogram. */
	HistInit(&h);
	is_int(h.count, 0, "empty count");
	is_int(HistPercentile(&h, 99), 0, "empty p99 is 0");
	ok(HistMean(&h) == 0.0, "empty mean is 0");

	/* Single value. */
	HistRecord(&h, 12345);
	is_int(HistPercentile(&h, 50), 12345, "single value: p50 is the value (capped by max)");
	is_int(HistPercentile(&h, 100), 12345, "single value: max");
	is_int(HistPercentile(&h, 0), 12345, "single value: min");

	/* Log-uniform random values from 1 us to ~30 s against a sorted reference. */
	vals = malloc(n * sizeof(uint64_t));
	HistInit(&h);
	HistInit(&h2);
	for (size_t k = 0; k < n; k++)
	{
		double		e = (double) (xorshift() % 1000000) / 1000000.0 * 24.8;

		vals[k] = (uint64_t) exp2(e);
		if (k % 2)
			HistRecord(&h, vals[k]);
		else
			HistRecord(&h2, vals[k]);
	}
	qsort(vals, n, sizeof(uint64_t), cmp_u64);
	HistInit(&m);
	HistMerge(&m, &h);
	HistMerge(&m, &h2);
	is_int(m.count, n, "merged count is the sum");
	is_int(m.max, vals[n - 1], "merged max is exact");
	is_int(m.min, vals[0], "merged min is exact");
	for (i = 0; i < (int) (sizeof(pcts) / sizeof(pcts[0])); i++)
	{
		uint64_t	got = HistPercentile(&m, pcts[i]);
		uint64_t	want = ref_percentile(vals, n, pcts[i]);

		ok(got >= want && (double) (got - want) <= (double) want / 128.0 + 1e-9,
		   "p%g: got %llu, exact %llu (within +1/128)", pcts[i],
		   (unsigned long long) got, (unsigned long long) want);
	}

	/* Merge equals recording everything into one histogram. */
	HistInit(&h);
	for (size_t k = 0; k < n; k++)
		HistRecord(&h, vals[k]);
	ok(memcmp(h.counts, m.counts, sizeof(h.counts)) == 0, "merge of halves == one histogram of all");

	/* Known small distribution: 1..100 once each. */
	HistInit(&h);
	for (v = 1; v <= 100; v++)
		HistRecord(&h, v);
	is_int(HistPercentile(&h, 50), 50, "1..100: p50 = 50");
	is_int(HistPercentile(&h, 99), 99, "1..100: p99 = 99");
	is_int(HistPercentile(&h, 99.9), 100, "1..100: p99.9 = 100");
	ok(HistMean(&h) == 50.5, "1..100: mean 50.5");

	/* Clamping above 60 s. */
	HistInit(&h);
	HistRecord(&h, UINT64_C(3600000000));
	HistRecordN(&h, 10, 3);
	is_int(h.clamped, 1, "value above 60 s counted as clamped");
	is_int(h.max, HIST_MAX_VALUE, "clamped value recorded as 60 s");
	is_int(h.count, 4, "RecordN counts n");
	is_int(HistPercentile(&h, 75), 10, "p75 of {10,10,10,60s} = 10");
	ok(HistPercentile(&h, 99) == HIST_MAX_VALUE, "p99 of {10,10,10,60s} = 60 s");

	free(vals);
	return done_testing();
}
