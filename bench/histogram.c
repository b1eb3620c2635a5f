/*-------------------------------------------------------------------------
 *
 * histogram.c
 *	  Log-linear latency histogram (see histogram.h).
 *
 *	  Bucket layout: index i < 256 holds exactly the value i.  Above that, a
 *	  value v with its highest set bit at position b (b >= 8) is shifted right
 *	  by s = b - 7, which leaves 8 significant bits in [128, 256); the index is
 *	  256 + (s - 1) * 128 + ((v >> s) - 128).  Each bucket therefore spans
 *	  2^s values and 2^s / v <= 1/128.
 *
 *	  Percentiles report the highest value the bucket can hold (as
 *	  HdrHistogram does), capped by the exact maximum, so a reported p99 is
 *	  never below the true one and at most 1/128 above it.
 *
 * bench/histogram.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <string.h>

#include "histogram.h"

void
HistInit(Histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

int
HistBucketIndex(uint64_t value)
{
	int			bit;
	int			shift;

	if (value > HIST_MAX_VALUE)
		value = HIST_MAX_VALUE;
	if (value < HIST_SUB_COUNT)
		return (int) value;
	bit = 63 - __builtin_clzll(value);
	shift = bit - (HIST_SUB_BITS - 1);
	return HIST_SUB_COUNT + (shift - 1) * HIST_HALF_COUNT +
		(int) ((value >> shift) - HIST_HALF_COUNT);
}

uint64_t
HistBucketLow(int index)
{
	int			shift;
	uint64_t	sub;

	if (index < HIST_SUB_COUNT)
		return (uint64_t) index;
	shift = (index - HIST_SUB_COUNT) / HIST_HALF_COUNT + 1;
	sub = (uint64_t) ((index - HIST_SUB_COUNT) % HIST_HALF_COUNT) + HIST_HALF_COUNT;
	return sub << shift;
}

uint64_t
HistBucketHigh(int index)
{
	int			shift;

	if (index < HIST_SUB_COUNT)
		return (uint64_t) index;
	shift = (index - HIST_SUB_COUNT) / HIST_HALF_COUNT + 1;
	return HistBucketLow(index) + (UINT64_C(1) << shift) - 1;
}

void
HistRecordN(Histogram *h, uint64_t value, uint64_t n)
{
	if (n == 0)
		return;
	if (value > HIST_MAX_VALUE)
	{
		value = HIST_MAX_VALUE;
		h->clamped += n;
	}
	h->counts[HistBucketIndex(value)] += n;
	h->count += n;
	h->sum += (double) value * (double) n;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

void
HistRecord(Histogram *h, uint64_t value)
{
	HistRecordN(h, value, 1);
}

void
HistMerge(Histogram *dst, const Histogram *src)
{
	int			i;

	if (src->count == 0)
		return;
	for (i = 0; i < HIST_NBUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/*
 * The value at percentile pct (0..100): the smallest bucket whose cumulative
 * count reaches ceil(pct/100 * count), reported as that bucket's upper end
 * capped by the recorded maximum.  0 for an empty histogram.
 */
uint64_t
HistPercentile(const Histogram *h, double pct)
{
	uint64_t	rank;
	uint64_t	seen = 0;
	int			i;

	if (h->count == 0)
		return 0;
	if (pct >= 100.0)
		return h->max;
	if (pct <= 0.0)
		return h->min;
	rank = (uint64_t) ceil(pct / 100.0 * (double) h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_NBUCKETS; i++)
	{
		seen += h->counts[i];
		if (seen >= rank)
		{
			uint64_t	v = HistBucketHigh(i);

			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

double
HistMean(const Histogram *h)
{
	return h->count ? h->sum / (double) h->count : 0.0;
}
