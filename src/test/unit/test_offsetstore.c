/*-------------------------------------------------------------------------
 *
 * test_offsetstore.c
 *	  Unit test of the OffsetFetch cache (kafka/offsetstore.c): loads,
 *	  hits, a delete racing a load, metadata too long to cache, eviction
 *	  of the least recently used group when entries or group slots run
 *	  out, and the queue's refusal of a request larger than itself.
 *
 * src/test/unit/test_offsetstore.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/offsetstore.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "tap.h"

static void
set(const char *name, const char *value)
{
	char		err[256];

	if (!GucSet(name, value, GUC_SRC_CMDLINE, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

static OffsetRow
row(const char *topic, int32 p, int64 off, const char *meta)
{
	OffsetRow	r;

	r.topic = topic;
	r.partition = p;
	r.offset = off;
	r.leader_epoch = 3;
	r.metadata = meta;
	r.metadata_len = meta ? (int32) strlen(meta) : 0;
	return r;
}

/* Load group with n rows of topic t (offset = 100 + p); true if a load was allowed. */
static bool
load(const char *group, const char *t, int n)
{
	OffsetRow  *out;
	OffsetRow  *rows = palloc(sizeof(OffsetRow) * (size_t) Max(n, 1));
	int			got;
	uint64		id;

	if (OffsetCacheLookup(group, &out, &got, &id) || id == 0)
		return false;
	for (int i = 0; i < n; i++)
		rows[i] = row(t, i, 100 + i, "");
	OffsetCacheInstall(group, id, true, n, rows);
	pfree(rows);
	return true;
}

static bool
cached(const char *group, int *n)
{
	OffsetRow  *out;
	uint64		id;
	bool		hit = OffsetCacheLookup(group, &out, n, &id);

	if (!hit && id != 0)
		OffsetCacheInstall(group, id, false, 0, NULL);	/* release the slot */
	return hit;
}

int
main(void)
{
	OffsetRow  *out;
	int			n;
	uint64		id,
				id2;
	OffsetRow	rows[3];
	char		longmeta[201];
	OffsetStoreStats st;

	GucInitDefaults();
	set("offset_cache_size", "64kB");
	set("offset_commit_queue_size", "64kB");
	set("max_groups", "4");
	set("max_connections", "4");
	set("log_min_messages", "warning");
	ShmemCreate(add_size(OffsetStoreShmemSize(), 64 * 1024));
	OffsetStoreShmemInit();

	/* A miss hands out a load; a second fetcher meanwhile reads on its own. */
	ok(!OffsetCacheLookup("g1", &out, &n, &id) && id > 0, "first fetch of a group: miss, load it");
	ok(!OffsetCacheLookup("g1", &out, &n, &id2) && id2 == 0, "while it loads, another fetch is not given the load");
	rows[0] = row("t", 0, 10, "m0");
	rows[1] = row("t", 1, 11, NULL);
	rows[2] = row("u", 0, 12, "");
	OffsetCacheInstall("g1", id, true, 3, rows);
	ok(OffsetCacheLookup("g1", &out, &n, &id) && n == 3, "after the load: a hit with 3 offsets");
	{
		bool		good = true;

		for (int i = 0; i < n; i++)
		{
			if (strcmp(out[i].topic, "t") == 0 && out[i].partition == 0)
				good &= out[i].offset == 10 && out[i].metadata && strcmp(out[i].metadata, "m0") == 0 &&
					out[i].leader_epoch == 3;
			else if (strcmp(out[i].topic, "t") == 0 && out[i].partition == 1)
				good &= out[i].offset == 11 && out[i].metadata == NULL;
			else if (strcmp(out[i].topic, "u") == 0 && out[i].partition == 0)
				good &= out[i].offset == 12 && out[i].metadata && out[i].metadata[0] == '\0';
			else
				good = false;
		}
		ok(good, "offsets, epochs and metadata (NULL, empty, text) as installed");
	}

	/* A delete drops the group. */
	OffsetCacheForget("g1");
	ok(!cached("g1", &n), "after OffsetCacheForget: a miss");

	/* A delete during a load: the load is not installed. */
	ok(!OffsetCacheLookup("g2", &out, &n, &id) && id > 0, "g2: load handed out");
	OffsetCacheForget("g2");
	rows[0] = row("t", 0, 1, "");
	OffsetCacheInstall("g2", id, true, 1, rows);
	ok(!cached("g2", &n), "a load raced by a delete is not installed");

	/* A failed load (catalog down) releases the slot. */
	ok(!OffsetCacheLookup("g3", &out, &n, &id) && id > 0, "g3: load handed out");
	OffsetCacheInstall("g3", id, false, 0, NULL);
	ok(!OffsetCacheLookup("g3", &out, &n, &id2) && id2 > 0, "after a failed load the next fetch loads again");
	OffsetCacheInstall("g3", id2, false, 0, NULL);

	/* Metadata over the cached size: the group stays uncached. */
	memset(longmeta, 'x', 200);
	longmeta[200] = '\0';
	ok(!OffsetCacheLookup("g4", &out, &n, &id) && id > 0, "g4: load handed out");
	rows[0] = row("t", 0, 1, longmeta);
	OffsetCacheInstall("g4", id, true, 1, rows);
	ok(!cached("g4", &n), "a group with 200-byte metadata is not cached");

	/* Entries run out: the least recently fetched group goes. */
	ok(load("a", "ta", 80), "group a loaded with 80 offsets");
	ok(load("b", "tb", 40), "group b loaded with 40 offsets");
	ok(cached("a", &n) && n == 80, "a fetched (now the most recent)");
	ok(load("c", "tc", 80), "group c loaded with 80 offsets (more than the free entries)");
	ok(!cached("b", &n), "b, the least recently fetched, was evicted");
	ok(cached("a", &n) && n == 80 && cached("c", &n) && n == 80, "a and c are cached");
	ok(!load("huge", "th", 1000) || !cached("huge", &n), "a group larger than the whole cache is not cached");
	ok(cached("a", &n) && cached("c", &n), "and it evicted nobody");

	/* Group slots run out (max_groups = 4). */
	ok(load("d", "td", 1) && load("e", "te", 1) && load("f", "tf", 1) && load("h", "tg", 1),
	   "four more groups loaded");
	ok(cached("h", &n) && !cached("a", &n), "the oldest group made room for the newest");

	OffsetStoreGetStats(&st);
	ok(st.cache_hits > 0 && st.cache_loads > 0, "hits and loads are counted");

	/* A request larger than the whole queue is the caller's to write. */
	MyProcSlot = NUM_AUX_PROCS;
	{
		OffsetRow	big[20];
		char	   *meta = palloc(4001);

		memset(meta, 'm', 4000);
		meta[4000] = '\0';
		for (int i = 0; i < 20; i++)
			big[i] = row("t", i, i, meta);
		is_int(OffsetStoreCommit("g", "consumer", 20, big), OFFSET_COMMIT_TOO_LARGE,
			   "an 80 kB commit does not fit a 64 kB queue");
	}

	done_testing();
}
