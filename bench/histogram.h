/*-------------------------------------------------------------------------
 *
 * histogram.h
 *	  A log-linear latency histogram in the manner of HdrHistogram: values
 *	  (microseconds) from 0 to HIST_MAX_VALUE are kept with at least two
 *	  significant decimal digits (relative error below 1/128), in a fixed
 *	  array of counters, so recording is one shift and one increment and two
 *	  histograms merge by adding their arrays.
 *
 * bench/histogram.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BENCH_HISTOGRAM_H
#define STRATA_BENCH_HISTOGRAM_H

#include <stdint.h>

/*
 * Values below 2^HIST_SUB_BITS are counted exactly; above, each power of two
 * is cut into 2^(HIST_SUB_BITS-1) equal sub-buckets.  With 8 bits a bucket
 * is at most 1/128 of its value wide, better than the 1/100 that "two
 * significant digits" asks for.
 */
#define HIST_SUB_BITS		8
#define HIST_SUB_COUNT		(1 << HIST_SUB_BITS)	/* 256 */
#define HIST_HALF_COUNT		(HIST_SUB_COUNT / 2)	/* 128 */
#define HIST_MAX_VALUE		UINT64_C(60000000)		/* 60 s in us */
/* 60e6 < 2^26: shifts 1 .. 26 - HIST_SUB_BITS + 1 */
#define HIST_MAX_SHIFT		(26 - HIST_SUB_BITS + 1)
#define HIST_NBUCKETS		(HIST_SUB_COUNT + HIST_MAX_SHIFT * HIST_HALF_COUNT)

typedef struct Histogram
{
	uint64_t	count;			/* values recorded */
	uint64_t	clamped;		/* values above HIST_MAX_VALUE, counted as it */
	uint64_t	min;			/* exact smallest value (UINT64_MAX if empty) */
	uint64_t	max;			/* exact largest value (after clamping) */
	double		sum;			/* for the mean */
	uint64_t	counts[HIST_NBUCKETS];
} Histogram;

extern void HistInit(Histogram *h);
extern void HistRecord(Histogram *h, uint64_t value);
extern void HistRecordN(Histogram *h, uint64_t value, uint64_t n);
extern void HistMerge(Histogram *dst, const Histogram *src);
extern uint64_t HistPercentile(const Histogram *h, double pct);
extern double HistMean(const Histogram *h);
extern int	HistBucketIndex(uint64_t value);
extern uint64_t HistBucketLow(int index);
extern uint64_t HistBucketHigh(int index);

#endif							/* STRATA_BENCH_HISTOGRAM_H */
