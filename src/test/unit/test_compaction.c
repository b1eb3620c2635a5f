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
		/* a large SO breaks the run; nothing qualifies */
		CompactionRange r[3] = {so(0, 10, 10 * MB, 0, true), so(10, 20, 20 * MB, 0, true), so(20, 30, 10 * MB, 0, true)};

		ok(!CompactionPickMergeRun(r, 3, 0, 16 * MB, 128 * MB, 0, &first, &count),
		   "small objects separated by a large one are not merged across it");
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

int
main(void)
{
	test_retention();
	test_merge_pick();
	return done_testing();
}
