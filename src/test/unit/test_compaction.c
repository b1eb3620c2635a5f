/*-------------------------------------------------------------------------
 *
 * test_compaction.c
 *	  Unit tests of the maintenance policies that need neither catalog nor
 *	  store: where retention.ms / retention.bytes put a stream's start
 *	  offset (Kafka's rules), and which run of small stream objects
 *	  compaction merges.  The catalog-and-store side is tested by
 *	  src/test/objstore/t/007_compaction_catalog.pl.
 *
 * src/test/unit/test_compaction.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/compaction.h"
#include "tap.h"

static CompactionRange
rg(int64 start, int64 end, int64 bytes, int64 max_ts)
{
	CompactionRange r;

	memset(&r, 0, sizeof(r));
	r.start_offset = start;
	r.end_offset = end;
	r.bytes = bytes;
	r.max_timestamp = max_ts;
	return r;
}

static CompactionRange
so(int64 start, int64 end, int64 size, int64 age, bool is_so)
{
	CompactionRange r;

	memset(&r, 0, sizeof(r));
	r.start_offset = start;
	r.end_offset = end;
	r.object_size = size;
	r.object_age_ms = age;
	r.is_so = is_so;
	return r;
}

static void
test_retention(void)
{
	/* four ranges of 100 bytes, newest record at 1000, 2000, 3000, 4000 */
	CompactionRange r[4] = {
		rg(0, 10, 100, 1000), rg(10, 20, 100, 2000), rg(20, 30, 100, 3000), rg(30, 40, 100, 4000)
	};
	int64		now = 10000;

	/* no limits: nothing moves */
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, -1, -1), 0, "no limits keep everything");

	/* time */
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, 7500, -1), 20,
		   "retention.ms 7500 at 10000 drops the ranges whose newest record is before 2500");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, 8000, -1), 10,
		   "a range whose newest record is exactly at the limit is kept");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, 0, -1), 40,
		   "retention.ms 0 drops everything in objects");
	is_int(CompactionRetentionStart(r, 4, 0, 30, now, 0, -1), 30,
		   "never past object_end_offset");
	{
		CompactionRange r2[3] = {rg(0, 10, 100, 1000), rg(10, 20, 100, 9999), rg(20, 30, 100, 1000)};

		is_int(CompactionRetentionStart(r2, 3, 0, 30, now, 5000, -1), 10,
			   "time retention stops at the first range it must keep (later old ranges stay)");
	}
	{
		CompactionRange r3[2] = {rg(0, 10, 100, -1), rg(10, 20, 100, 1000)};

		is_int(CompactionRetentionStart(r3, 2, 0, 20, now, 0, -1), 0,
			   "a range with an unknown timestamp is kept, and stops time retention");
	}

	/* size: Kafka drops the oldest while total - its size >= retention.bytes */
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, -1, 400), 0, "400 of 400 bytes kept");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, -1, 300), 10, "retention.bytes 300 drops one range");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, -1, 250), 10,
		   "retention.bytes 250 drops one range (dropping two would leave 200 < 250)");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, -1, 100), 30, "retention.bytes 100 keeps the last range");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, -1, 0), 40, "retention.bytes 0 drops everything in objects");

	/* both: the further of the two */
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, 7500, 300), 20, "time beyond size: time wins");
	is_int(CompactionRetentionStart(r, 4, 0, 40, now, 8500, 100), 30, "size beyond time: size wins");

	/* a start offset already inside the ranges */
	is_int(CompactionRetentionStart(r, 4, 15, 40, now, -1, 300), 15,
		   "ranges at or below the start are not counted; the partly-trimmed one counts whole");
	is_int(CompactionRetentionStart(r, 4, 15, 40, now, -1, 200), 20,
		   "size retention from a start inside a range");
	is_int(CompactionRetentionStart(r, 4, 25, 40, now, 7500, -1), 25,
		   "never below the current start");
	is_int(CompactionRetentionStart(r, 0, 5, 40, now, 0, 0), 5, "no ranges: start stays");
}

static void
test_merge_pick(void)
{
	int64		MB = 1024 * 1024;
	int			first = -1,
				count = -1;

	{
		/* three small young SOs totalling 18 MB, small = 16 MB */
		CompactionRange r[3] = {so(0, 10, 6 * MB, 0, true), so(10, 20, 6 * MB, 0, true), so(20, 30, 6 * MB, 0, true)};

		ok(CompactionPickMergeRun(r, 3, 0, 16 * MB, 128 * MB, 3600000, &first, &count),
		   "three small objects making a non-small one are merged");
		is_int(first, 0, "from the first");
		is_int(count, 3, "all three");
		ok(!CompactionPickMergeRun(r, 2, 0, 16 * MB, 128 * MB, 3600000, &first, &count),
		   "two young ones making only 12 MB wait for more");
		r[0].object_age_ms = r[1].object_age_ms = 3600000;
		ok(CompactionPickMergeRun(r, 2, 0, 16 * MB, 128 * MB, 3600000, &first, &count) && count == 2,
		   "... unless both are older than compaction_max_age");
	}
	{
		/* an SSO range between small SOs breaks the run */
		CompactionRange r[4] = {so(0, 10, 10 * MB, 0, true), so(10, 20, 30 * MB, 0, false),
		so(20, 30, 10 * MB, 0, true), so(30, 40, 10 * MB, 0, true)};

		ok(CompactionPickMergeRun(r, 4, 0, 16 * MB, 128 * MB, 3600000, &first, &count),
		   "a run after a stream-set object's range");
		is_int(first, 2, "starts after the stream-set object");
		is_int(count, 2, "two objects");
	}
	{
		/* a large SO breaks the run: a small one merges with it instead */
		CompactionRange r[3] = {so(0, 10, 10 * MB, 0, true), so(10, 20, 20 * MB, 0, true), so(20, 30, 10 * MB, 0, true)};

		ok(CompactionPickMergeRun(r, 3, 0, 16 * MB, 128 * MB, 0, &first, &count) &&
		   first == 0 && count == 2,
		   "small-large-small: the first small object merges with the large one, not across it");
	}
	{
		/* max size limits the run */
		CompactionRange r[4] = {so(0, 10, 15 * MB, 0, true), so(10, 20, 15 * MB, 0, true),
		so(20, 30, 15 * MB, 0, true), so(30, 40, 15 * MB, 0, true)};

		ok(CompactionPickMergeRun(r, 4, 0, 16 * MB, 40 * MB, 3600000, &first, &count),
		   "a run limited by compaction_max_object_size");
		is_int(first, 0, "from the first");
		is_int(count, 2, "only two fit in 40 MB");
		ok(!CompactionPickMergeRun(r, 4, 0, 16 * MB, 20 * MB, 0, &first, &count),
		   "no two fit in 20 MB: nothing to merge");
	}
	{
		/* ranges below the stream's start are left to the sweep */
		CompactionRange r[3] = {so(0, 10, MB, 0, true), so(10, 20, MB, 0, true), so(20, 30, MB, 0, true)};

		ok(CompactionPickMergeRun(r, 3, 15, 16 * MB, 128 * MB, 0, &first, &count),
		   "old objects above the start are merged");
		is_int(first, 1, "the one wholly below the start is skipped");
		is_int(count, 2, "two remain");
		ok(!CompactionPickMergeRun(r, 3, 25, 16 * MB, 128 * MB, 0, &first, &count),
		   "a single object above the start: nothing to merge");
	}
	ok(!CompactionPickMergeRun(NULL, 0, 0, 16 * MB, 128 * MB, 0, &first, &count), "no ranges");
}

/*
 * Apply the picker to a layout until it picks nothing, as the merge duty
 * does (a merged run becomes one object of the summed size, aged min_age);
 * returns the final object sizes in MB as "a,b,c" and the merges made.
 */
static const char *
merge_until_done(const int64 *mb, const bool *old, const bool *is_so, int n, int64 start,
				 int64 small, int64 max, int *merges, int64 *rewritten)
{
	static char out[256];
	CompactionRange r[16];
	int64		MB = 1024 * 1024;
	int			first,
				count;
	size_t		len = 0;

	for (int i = 0; i < n; i++)
		r[i] = so(i * 10, i * 10 + 10, mb[i] * MB, old[i] ? 3600000 : 0, is_so[i]);
	*merges = 0;
	*rewritten = 0;
	while (CompactionPickMergeRun(r, n, start, small * MB, max * MB, 3600000, &first, &count))
	{
		int64		total = 0;

		for (int k = first; k < first + count; k++)
			total += r[k].object_size;
		if (total > max * MB || count < 2 || ++*merges > 32)
			return "bad pick";
		*rewritten += total;
		r[first].end_offset = r[first + count - 1].end_offset;
		r[first].object_size = total;
		r[first].object_age_ms = 3600000;
		memmove(&r[first + 1], &r[first + count], sizeof(CompactionRange) * (size_t) (n - first - count));
		n -= count - 1;
	}
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t) snprintf(out + len, sizeof(out) - len, "%s%lld%s", i ? "," : "",
								 (long long) (r[i].object_size / MB), r[i].is_so ? "" : "(sso)");
	return out;
}

/*
 * Every layout of small (S < 16 MB) and large objects the merge duty can
 * meet, run to the end (small = 16 MB, max = 128 MB, all old unless said).
 */
static void
test_merge_layouts(void)
{
	int			m;
	int64		rw;
	int64		MB = 1024 * 1024;
	const bool	T = true,
				F = false;

	{
		int64		sz[] = {1, 40, 2};
		bool		old[] = {T, T, T}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "43",
			   "small-large-small: one object");
		is_int(m, 2, "in two merges");
		is_int(rw, 41 * MB + 43 * MB, "rewriting 41 MB then 43 MB");
	}
	{
		int64		sz[] = {100, 1, 30};
		bool		old[] = {T, T, T}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "100,31",
			   "large-small-large: the small one joins the smaller neighbour");
	}
	{
		int64		sz[] = {120, 1, 127};
		bool		old[] = {T, T, T}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "121,127",
			   "large-small-large: the smaller neighbour, 127 MB, would exceed 128 MB with it: the other");
	}
	{
		int64		sz[] = {128, 1, 128};
		bool		old[] = {T, T, T}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "128,1,128",
			   "large-small-large at the size limit: left alone");
	}
	{
		int64		sz[] = {20, 30, 40, 127};
		bool		old[] = {T, T, T, T}, kind[] = {T, T, T, T};

		is_str(merge_until_done(sz, old, kind, 4, 0, 16, 128, &m, &rw), "20,30,40,127",
			   "all large: nothing merged");
		is_int(m, 0, "no merge");
	}
	{
		int64		sz[] = {1, 40, 2};
		bool		old[] = {F, T, F}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "1,40,2",
			   "small-large-small, the small ones younger than compaction_max_age: they wait");
	}
	{
		int64		sz[] = {40, 2, 3};
		bool		old[] = {T, T, F}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "40,2,3",
			   "large-small-small(young): the small ones wait to be merged together");
	}
	{
		int64		sz[] = {40, 2, 3, 50};
		bool		old[] = {T, T, T, T}, kind[] = {T, T, T, T};

		is_str(merge_until_done(sz, old, kind, 4, 0, 16, 128, &m, &rw), "45,50",
			   "large-small-small-large: the small run first, then the result joins a neighbour");
	}
	{
		int64		sz[] = {1, 40, 2};
		bool		old[] = {T, T, T}, kind[] = {T, F, T};

		is_str(merge_until_done(sz, old, kind, 3, 0, 16, 128, &m, &rw), "1,40(sso),2",
			   "small objects beside a stream-set object's range only: left for the split");
	}
	{
		int64		sz[] = {5};
		bool		old[] = {T}, kind[] = {T};

		is_str(merge_until_done(sz, old, kind, 1, 0, 16, 128, &m, &rw), "5",
			   "a single small object: nothing to merge with");
	}
	{
		int64		sz[] = {1, 40, 2};
		bool		old[] = {T, T, T}, kind[] = {T, T, T};

		is_str(merge_until_done(sz, old, kind, 3, 10, 16, 128, &m, &rw), "1,42",
			   "a small object below the stream's start is left to the sweep");
	}
	{
		/* the layout: 287 kB, 1.2 MB, 576 kB with small = 1 MB, max = 4 MB (in kB) */
		CompactionRange r[3] = {so(0, 10, 287 * 1024, 3600000, true), so(10, 20, 1229 * 1024, 3600000, true),
		so(20, 30, 576 * 1024, 3600000, true)};
		int			first,
					count;

		ok(CompactionPickMergeRun(r, 3, 0, MB, 4 * MB, 1000, &first, &count) && first == 0 && count == 2,
		   "287 kB, 1.2 MB, 576 kB: the 287 kB object merges with the 1.2 MB one");
	}
}

int
main(void)
{
	test_retention();
	test_merge_pick();
	test_merge_layouts();
	return done_testing();
}
