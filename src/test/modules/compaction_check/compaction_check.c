/*-------------------------------------------------------------------------
 *
 * compaction_check.c
 *	  compaction_check CONNINFO STORE_URL
 *
 *	  Drives ObjMaintenanceStep (storage/compaction.h) against a real
 *	  PostgreSQL catalog and a real object store, with objects written the
 *	  way the uploader writes them (objformat builder, CatalogPrepareObject,
 *	  ObjStorePut, CatalogCommitObjects), and prints TAP: stream-set objects
 *	  split into stream objects only for the streams this broker leads,
 *	  small stream objects merged (also a small-large-small layout made on
 *	  purpose), every record read back intact and in
 *	  order, a fenced stream left alone, retention.bytes and retention.ms
 *	  moving the start offset (catalog and registry), ranges below the
 *	  start and of deleted topics removed, their objects deleted from the
 *	  store, and the store holding exactly the catalog's objects.  The
 *	  store is any back end (007_compaction_catalog.pl runs it on file://
 *	  and on s3rver).
 *
 *	  The registry is this process's own shared memory (the broker's
 *	  catalog worker is not running), filled as the catalog worker would.
 *	  Run by src/test/objstore/t/007_compaction_catalog.pl on a fresh
 *	  catalog database.
 *
 * src/test/modules/compaction_check/compaction_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/catalog_objects.h"
#include "kafka/partition.h"
#include "storage/compaction.h"
#include "storage/objformat.h"
#include "storage/objstore.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "../../unit/tap.h"

#define PAYLOAD		1000		/* bytes per batch */
#define PER_BATCH	10			/* records (offsets) per batch */

static PGconn *conn;
static ObjStore *store;
static int64 now_ms;

static int64
wallclock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pattern(char *buf, int64 stream, int64 base)
{
	uint64		x = (uint64) stream * 1000003u + (uint64) base * 7919u;

	for (int i = 0; i < PAYLOAD; i++)
	{
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (char) (x >> 56);
	}
}

/* One SQL statement; the first column of the first row (static buffer). */
static const char *
sql(const char *q)
{
	static char out[256];
	PGresult   *res = PQexec(conn, q);

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		printf("# SQL failed: %s: %s", q, PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	out[0] = '\0';
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		strlcpy_s(out, PQgetvalue(res, 0, 0), sizeof(out));
	PQclear(res);
	return out;
}

static int64
sql_int(const char *q)
{
	const char *v = sql(q);

	return v && v[0] ? atoll(v) : -1;
}

/* What one object holds of one stream: [from, to) with a max timestamp. */
typedef struct Part
{
	int64		stream;
	int64		from;
	int64		to;
	int64		max_ts;			/* every batch's timestamp */
} Part;

/*
 * Write and commit one object the way the uploader does (advance_end,
 * epoch 1).  Returns its id, or -1.
 */
static int64
upload(ObjFormatKind kind, const Part *parts, int nparts)
{
	ObjFormatBuilder *b = ObjFormatBuilderCreate(kind, 0);
	char		payload[PAYLOAD];
	char		err[1024];
	ObjFormatRange *fr;
	int			nfr;
	char	   *data;
	size_t		len;
	int64		id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	ObjStoreError oerr;
	CatalogRange *ranges;
	CatalogStreamEpoch *eps;
	CatalogObject obj;
	uint64	   *fenced;
	int			nfenced;

	for (int p = 0; p < nparts; p++)
		for (int64 off = parts[p].from; off < parts[p].to; off += PER_BATCH)
		{
			pattern(payload, parts[p].stream, off);
			if (!ObjFormatAppend(b, (uint64) parts[p].stream, (uint64) off, PER_BATCH - 1, PER_BATCH,
								 parts[p].max_ts, payload, PAYLOAD, err, sizeof(err)))
			{
				printf("# append: %s\n", err);
				return -1;
			}
		}
	fr = ObjFormatBuilderRanges(b, &nfr);
	data = ObjFormatFinish(b, &len);
	ObjFormatBuilderFree(b);
	if (!CatalogPrepareObject(conn, kind, &id, key, sizeof(key), err, sizeof(err)))
	{
		printf("# prepare: %s\n", err);
		return -1;
	}
	if (!ObjStorePut(store, key, data, len, &oerr))
	{
		printf("# put: %s\n", oerr.message);
		return -1;
	}
	pfree(data);
	ranges = palloc(sizeof(CatalogRange) * (size_t) nfr);
	eps = palloc(sizeof(CatalogStreamEpoch) * (size_t) nfr);
	for (int i = 0; i < nfr; i++)
	{
		ranges[i].stream_id = fr[i].stream_id;
		ranges[i].start_offset = (int64) fr[i].start_offset;
		ranges[i].end_offset = (int64) fr[i].end_offset;
		ranges[i].record_count = (int64) fr[i].record_count;
		ranges[i].bytes = (int64) fr[i].bytes;
		ranges[i].max_timestamp = parts[i].max_ts;
		eps[i].stream_id = fr[i].stream_id;
		eps[i].epoch = sql_int(psprintf("SELECT epoch FROM strata.streams WHERE id = %llu",
										(unsigned long long) fr[i].stream_id));
	}
	obj.object_id = id;
	obj.size = len;
	obj.compactions = 0;
	obj.ranges = ranges;
	obj.nranges = nfr;
	if (CatalogCommitObjects(conn, &obj, 1, eps, nfr, true, NULL, 0, &fenced, &nfenced,
						 err, sizeof(err)) != CATALOG_COMMIT_OK)
	{
		printf("# commit: %s\n", err);
		return -1;
	}
	pfree(fr);
	pfree(ranges);
	pfree(eps);
	return id;
}

/*
 * Call ObjMaintenanceStep until it has had nothing to do three times in a
 * row, 150 ms apart (longer than retention_check_interval, so the
 * throttled duties get their turn).  Returns how many calls did work, or
 * -1 if one failed.
 */
static int
run_until_idle(void)
{
	int			idle = 0,
				worked = 0;

	for (int i = 0; i < 500 && idle < 3; i++)
	{
		bool		did;
		char		err[1024];

		if (!ObjMaintenanceStep(conn, store, &did, err, sizeof(err)))
		{
			printf("# maintenance failed: %s\n", err);
			return -1;
		}
		if (did)
		{
			worked++;
			idle = 0;
		}
		else
		{
			idle++;
			usleep(150 * 1000);
		}
	}
	return worked;
}

/*
 * Read every committed range of stream from offset 'from' through the
 * catalog and the store, as a cold reader would, and check the offsets
 * are contiguous up to 'to' and every payload is intact.
 */
static bool
verify_stream(int64 stream, int64 from, int64 to, const char *what)
{
	CatalogObjectLocation locs[64];
	char		err[1024];
	int			n = CatalogLookupObjects(conn, (uint64) stream, from, locs, 64, err, sizeof(err));
	int64		next = from;
	char		want[PAYLOAD];

	if (n < 0)
	{
		printf("# lookup: %s\n", err);
		return false;
	}
	for (int i = 0; i < n; i++)
	{
		char	   *obj = palloc(locs[i].size);
		size_t		nread;
		ObjStoreError oerr;
		ObjFormatIndex idx;

		if (!ObjStoreGet(store, locs[i].key, 0, locs[i].size, obj, &nread, &oerr) ||
			!ObjFormatOpenBuffer(obj, nread, &idx, err, sizeof(err)))
		{
			printf("# %s: reading %s: %s\n", what, locs[i].key, oerr.code ? oerr.message : err);
			return false;
		}
		if (locs[i].start_offset > next)
		{
			printf("# %s: gap: next offset %lld, range starts at %lld\n", what,
				   (long long) next, (long long) locs[i].start_offset);
			return false;
		}
		for (int e = 0; e < idx.nentries; e++)
		{
			ObjFormatBlockReader rd;
			ObjFormatBatch bt;
			const ObjFormatIndexEntry *ent = &idx.entries[e];

			if (ent->stream_id != (uint64) stream)
				continue;
			if (!ObjFormatBlockOpen(ent, obj + ent->block_position, ent->block_size, &rd, err, sizeof(err)))
			{
				printf("# %s: %s\n", what, err);
				return false;
			}
			while (ObjFormatBlockNext(&rd, &bt, err, sizeof(err)) == 1)
			{
				if ((int64) bt.base_offset + PER_BATCH <= next || (int64) bt.base_offset >= locs[i].end_offset)
					continue;
				if ((int64) bt.base_offset != next)
				{
					printf("# %s: expected a batch at %lld, got %llu in %s\n", what,
						   (long long) next, (unsigned long long) bt.base_offset, locs[i].key);
					return false;
				}
				pattern(want, stream, next);
				if (bt.payload_len != PAYLOAD || memcmp(bt.payload, want, PAYLOAD) != 0)
				{
					printf("# %s: batch at %lld differs from what was written\n", what, (long long) next);
					return false;
				}
				next += PER_BATCH;
			}
		}
		ObjFormatIndexFree(&idx);
		pfree(obj);
	}
	if (next != to)
	{
		printf("# %s: read up to %lld, expected %lld\n", what, (long long) next, (long long) to);
		return false;
	}
	return true;
}

/* Objects in the store (listed through the store, so any back end). */
static int
count_files(void)
{
	char	   *token = NULL;
	int			n = 0;

	for (;;)
	{
		ObjStoreListing l;
		ObjStoreError oerr;

		if (!ObjStoreList(store, "data/", token, 1000, &l, &oerr))
		{
			printf("# list: %s\n", oerr.message);
			return -1;
		}
		n += l.nentries;
		if (token)
			pfree(token);
		token = l.truncated && l.next_token ? pstrdup(l.next_token) : NULL;
		ObjStoreListingFree(&l);
		if (token == NULL)
			break;
	}
	return n;
}

static bool
object_file_exists(int64 id, const char *kind)
{
	char		key[CATALOG_OBJECT_KEY_LEN];
	uint64		size;
	ObjStoreError oerr;

	CatalogObjectKey(id, strcmp(kind, "sso") == 0 ? OBJFORMAT_SSO : OBJFORMAT_SO, key, sizeof(key));
	if (ObjStoreHead(store, key, &size, &oerr))
		return true;
	if (oerr.code != OBJSTORE_NOT_FOUND)
		printf("# head %s: %s\n", key, oerr.message);
	return false;
}

static void
set(const char *name, const char *value)
{
	char		err[256];

	if (!GucSet(name, value, GUC_SRC_CMDLINE, err, sizeof(err)))
		printf("# set %s: %s\n", name, err);
}

static int64
create_stream(void)
{
	return sql_int("INSERT INTO strata.streams (epoch, state) VALUES (1, 'opened') RETURNING id");
}

static int	topic_t = -1,
			topic_u = -1;
static const uint8 uuid_t_[16] = {1};
static const uint8 uuid_u_[16] = {2};

static void
install_topic(int *idx, const char *name, const uint8 *id, int64 retention_ms,
			  int64 retention_bytes, int nparts)
{
	TopicConfig cfg;

	TopicConfigDefaults(&cfg);
	cfg.retention_ms = retention_ms;
	cfg.retention_bytes = retention_bytes;
	RegistryLock();
	*idx = TopicInstall(name, strlen(name), id, &cfg, nparts);
	RegistryUnlock();
}

static int64
registry_log_start(int64 stream)
{
	int64		v = -1;
	int			p;

	RegistryLock();
	p = PartitionLookupByStream(stream);
	if (p >= 0)
		v = __atomic_load_n(&PartitionGet(p)->log_start_offset, __ATOMIC_ACQUIRE);
	RegistryUnlock();
	return v;
}

/* The streams of topic t (s3: of a deleted topic) and of topic u, as made below. */
static int64 s0,
			s1,
			s2,
			s3,
			s4;
static int64 sso_a;				/* the first stream-set object */

/* Two brokers; we are broker 1.  Topic t: p0, p1 led here, p2 by 2. */
static void
setup_streams(void)
{
	const char *topic_uuid;
	int64		sso_b;

	sql("INSERT INTO strata.brokers (id, listeners, advertised_listeners, host, data_dir) VALUES "
		"(1, 'x', 'x', 'h', '/d1'), (2, 'x', 'x', 'h', '/d2')");
	topic_uuid = pstrdup(sql("INSERT INTO strata.topics (name) VALUES ('t') RETURNING id"));
	s0 = create_stream();
	s1 = create_stream();
	s2 = create_stream();
	s3 = create_stream();		/* of a topic deleted before we start */
	sql(psprintf("INSERT INTO strata.partitions (topic_id, index, stream_id, leader) VALUES "
				 "('%s', 0, %lld, 1), ('%s', 1, %lld, 1), ('%s', 2, %lld, 2)",
				 topic_uuid, (long long) s0, topic_uuid, (long long) s1, topic_uuid, (long long) s2));
	sql(psprintf("UPDATE strata.streams SET state = 'deleted' WHERE id = %lld", (long long) s3));
	install_topic(&topic_t, "t", uuid_t_, -1, -1, 3);
	RegistryLock();
	PartitionInstall(topic_t, 0, s0, 1, 1, 0, 0, 0);
	PartitionInstall(topic_t, 1, s1, 1, 1, 0, 0, 0);
	PartitionInstall(topic_t, 2, s2, 1, 2, 0, 0, 0);
	RegistryUnlock();

	/* Uploads: two SSOs of all four streams (s3 was written before its topic went) */
	{
		Part		a[4] = {{s0, 0, 200, now_ms}, {s1, 0, 200, now_ms}, {s2, 0, 200, now_ms}, {s3, 0, 200, now_ms}};
		Part		b[3] = {{s0, 200, 400, now_ms}, {s1, 200, 400, now_ms}, {s2, 200, 400, now_ms}};

		sql(psprintf("UPDATE strata.streams SET state = 'opened' WHERE id = %lld", (long long) s3));
		sso_a = upload(OBJFORMAT_SSO, a, 4);
		sql(psprintf("UPDATE strata.streams SET state = 'deleted' WHERE id = %lld", (long long) s3));
		sso_b = upload(OBJFORMAT_SSO, b, 3);
	}
	ok(sso_a > 0 && sso_b > 0, "two stream-set objects uploaded");
}

/* 1. Young SSOs are not split; the deleted topic's range goes. */
static void
check_young_ssos(void)
{
	ok(run_until_idle() >= 1, "maintenance found work (the deleted topic's range)");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s3)), 0,
		   "ranges of a stream no partition references are removed");
	is_int(sql_int("SELECT count(*) FROM strata.objects WHERE kind = 'so'"), 0,
		   "stream-set objects younger than compaction_max_age are not split");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE object_id = %lld", (long long) sso_a)), 3,
		   "the young SSO keeps its three live ranges");
}

/* 2. Old SSOs: our streams split out (and merged), broker 2's stay. */
static void
check_old_ssos(void)
{
	sql("UPDATE strata.objects SET committed = now() - interval '3 hours' WHERE kind = 'sso'");
	ok(run_until_idle() >= 2, "maintenance split the old SSOs");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
							"WHERE r.stream_id IN (%lld, %lld) AND o.kind = 'sso'", (long long) s0, (long long) s1)), 0,
		   "no range of the streams we lead is left in an SSO");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
							"WHERE r.stream_id = %lld AND o.kind = 'sso' AND o.state = 'committed'", (long long) s2)), 2,
		   "the stream another broker leads stays in both SSOs");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s0)), 1,
		   "stream 0's two small stream objects (split from each SSO) were merged into one");
	is_int(sql_int(psprintf("SELECT o.compactions FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
							"WHERE r.stream_id = %lld", (long long) s0)), 2,
		   "the merged object records two compactions");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s1)), 1,
		   "so was stream 1's");
	ok(verify_stream(s0, 0, 400, "s0"), "stream 0 reads back whole and in order after split and merge");
	ok(verify_stream(s1, 0, 400, "s1"), "stream 1 reads back whole and in order after split and merge");
	ok(verify_stream(s2, 0, 400, "s2"), "stream 2 (not compacted) still reads back");
	is_int(sql_int("SELECT count(*) FROM strata.objects WHERE state <> 'committed'"), 0,
		   "objects replaced by the merge were deleted (object_delete_delay = 0)");
	is_int(count_files(), (int) sql_int("SELECT count(*) FROM strata.objects"),
		   "the store holds exactly the catalog's objects");
}

/* 3. A large stream is cut at compaction_max_object_size. */
static void
check_large_stream(void)
{
	Part		c[2] = {{s1, 400, 1400, now_ms}, {s2, 400, 500, now_ms}};

	ok(upload(OBJFORMAT_SSO, c, 2) > 0, "a third stream-set object uploaded");
	sql("UPDATE strata.objects SET committed = now() - interval '3 hours' WHERE kind = 'sso'");
	ok(run_until_idle() >= 1, "maintenance split the third SSO");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
							"WHERE r.stream_id = %lld AND o.kind = 'so' AND r.start_offset >= 400", (long long) s1)), 2,
		   "100 kB of one stream became two stream objects (compaction_max_object_size = 64kB)");
	is_int(sql_int("SELECT count(*) FROM strata.objects WHERE kind = 'so' AND size > 65536"), 0,
		   "no stream object is larger than compaction_max_object_size");
	ok(verify_stream(s1, 0, 1400, "s1"), "stream 1 reads back whole across its three objects");
}

/*
 * 3b. Small-large-small, made on purpose: a small stream object on
 * each side of a large one (stream objects written directly, sizes
 * 5, 40 and 5 kB with compaction_small_object_size = 30kB).  While
 * young they stay; once older than compaction_max_age each small one
 * is merged with the large one, which no run of small objects could do.
 */
static void
check_small_large_small(void)
{
	const char *v_uuid = pstrdup(sql("INSERT INTO strata.topics (name) VALUES ('v') RETURNING id"));
	static const uint8 uuid_v_[16] = {3};
	int			topic_v = -1;
	int64		s5 = create_stream();
	Part		small1[1] = {{s5, 0, 50, now_ms}};
	Part		large[1] = {{s5, 50, 450, now_ms}};
	Part		small2[1] = {{s5, 450, 500, now_ms}};
	int64		ids[3];

	sql(psprintf("INSERT INTO strata.partitions (topic_id, index, stream_id, leader) VALUES ('%s', 0, %lld, 1)",
				 v_uuid, (long long) s5));
	install_topic(&topic_v, "v", uuid_v_, -1, -1, 1);
	RegistryLock();
	PartitionInstall(topic_v, 0, s5, 1, 1, 0, 0, 0);
	RegistryUnlock();
	ids[0] = upload(OBJFORMAT_SO, small1, 1);
	ids[1] = upload(OBJFORMAT_SO, large, 1);
	ids[2] = upload(OBJFORMAT_SO, small2, 1);
	ok(ids[0] > 0 && ids[1] > 0 && ids[2] > 0, "three stream objects of stream 5 written");
	is_str(sql(psprintf("SELECT string_agg(CASE WHEN o.size < 30 * 1024 THEN 'small' ELSE 'large' END, '-' "
						"ORDER BY r.start_offset) FROM strata.stream_ranges r "
						"JOIN strata.objects o ON o.id = r.object_id WHERE r.stream_id = %lld", (long long) s5)),
		   "small-large-small", "the layout is small-large-small");
	run_until_idle();
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s5)), 3,
		   "younger than compaction_max_age: left as they are");
	sql(psprintf("UPDATE strata.objects SET committed = now() - interval '3 hours' WHERE id IN (%lld, %lld, %lld)",
				 (long long) ids[0], (long long) ids[1], (long long) ids[2]));
	ok(run_until_idle() >= 2, "once old, maintenance merged twice");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s5)), 1,
		   "small-large-small became one stream object");
	is_int(sql_int(psprintf("SELECT o.compactions FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
							"WHERE r.stream_id = %lld", (long long) s5)), 2,
		   "made by two merges (each small object joined the large one in turn)");
	ok(verify_stream(s5, 0, 500, "s5"), "stream 5 reads back whole and in order");
	is_int(sql_int("SELECT count(*) FROM strata.objects WHERE state <> 'committed'"), 0,
		   "the replaced objects were deleted");
	sql(psprintf("UPDATE strata.streams SET state = 'deleted' WHERE id = %lld", (long long) s5));
	sql(psprintf("DELETE FROM strata.topics WHERE id = '%s'", v_uuid));
	RegistryLock();
	TopicRemove(topic_v);
	RegistryUnlock();
	run_until_idle();
}

/* 4. A stream fenced meanwhile is left alone; its copies are deleted. */
static void
check_fenced_stream(void)
{
	Part		d[1] = {{s0, 400, 500, now_ms}};
	int64		sso_d = upload(OBJFORMAT_SSO, d, 1);

	sql("UPDATE strata.objects SET committed = now() - interval '3 hours' WHERE kind = 'sso'");
	sql(psprintf("UPDATE strata.streams SET epoch = 2 WHERE id = %lld", (long long) s0));
	run_until_idle();
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE object_id = %lld", (long long) sso_d)), 1,
		   "a fenced stream's data stays in its SSO");
	is_int(sql_int("SELECT count(*) FROM strata.objects WHERE state <> 'committed'"), 0,
		   "nothing was left behind for the fenced stream (no prepared or deleting objects)");
	is_int(count_files(), (int) sql_int("SELECT count(*) FROM strata.objects"),
		   "the store still holds exactly the catalog's objects");
	sql(psprintf("UPDATE strata.streams SET epoch = 1 WHERE id = %lld", (long long) s0));
	run_until_idle();
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.objects WHERE id = %lld", (long long) sso_d)), 0,
		   "with its epoch back, the stream is split out and the emptied SSO deleted");
	ok(!object_file_exists(sso_d, "sso"), "... from the store too");
	ok(verify_stream(s0, 0, 500, "s0"), "stream 0 reads back whole");
}

/* 5. retention.bytes: keep at least 20000 bytes of each stream. */
static void
check_retention_bytes(void)
{
	int64		s0_last,
				s1_last;

	install_topic(&topic_t, "t", uuid_t_, -1, 20000, 3);
	run_until_idle();
	s0_last = sql_int(psprintf("SELECT max(start_offset) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s0));
	s1_last = sql_int(psprintf("SELECT max(start_offset) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s1));
	/*
	 * s0: [0,400) ~41 kB then [400,500) ~10 kB: dropping the first
	 * leaves 10 kB < 20000, so nothing goes.  s1: ~41 kB, ~62 kB,
	 * ~41 kB: the first two go, the last (>= 20000) stays.
	 */
	is_int(sql_int(psprintf("SELECT start_offset FROM strata.streams WHERE id = %lld", (long long) s0)), 0,
		   "retention.bytes: stream 0 keeps everything (dropping its oldest range would leave too little)");
	is_int(sql_int(psprintf("SELECT start_offset FROM strata.streams WHERE id = %lld", (long long) s1)), s1_last,
		   "retention.bytes: stream 1 starts at its last range");
	ok(s1_last > 400, "that is past 400 (%lld)", (long long) s1_last);
	is_int(registry_log_start(s1), s1_last, "the registry's log start offset moved too");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s1)), 1,
		   "the ranges below the new start are removed");
	ok(s0_last == 400, "stream 0 still has its two ranges");
	is_int(sql_int(psprintf("SELECT start_offset FROM strata.streams WHERE id = %lld", (long long) s2)), 0,
		   "a stream led by another broker is not touched");
	is_int(count_files(), (int) sql_int("SELECT count(*) FROM strata.objects"),
		   "the expired objects are gone from the store");
	ok(verify_stream(s1, s1_last, 1400, "s1 tail"), "what remains of stream 1 reads back");
	install_topic(&topic_t, "t", uuid_t_, -1, -1, 3);
}

/* 6. retention.ms, then a DeleteRecords-like start, then topic deletion. */
static void
check_retention_ms(void)
{
	const char *u_uuid = pstrdup(sql("INSERT INTO strata.topics (name) VALUES ('u') RETURNING id"));
	Part		p1[1],
				p2[1],
				p3[1],
				p4[1];
	int64		o1,
				o2,
				o3,
				o4;

	s4 = create_stream();
	sql(psprintf("INSERT INTO strata.partitions (topic_id, index, stream_id, leader) VALUES ('%s', 0, %lld, 1)",
				 u_uuid, (long long) s4));
	install_topic(&topic_u, "u", uuid_u_, 3600 * 1000, -1, 1);
	RegistryLock();
	PartitionInstall(topic_u, 0, s4, 1, 1, 0, 0, 0);
	RegistryUnlock();
	p1[0] = (Part) {s4, 0, 100, now_ms - 3 * 3600 * 1000};
	p2[0] = (Part) {s4, 100, 200, now_ms - 2 * 3600 * 1000};
	p3[0] = (Part) {s4, 200, 300, now_ms};
	p4[0] = (Part) {s4, 300, 400, now_ms - 5 * 3600 * 1000};	/* old timestamps, after a new one */
	/* one-stream SSOs: not merged while young, so the ranges stay apart */
	o1 = upload(OBJFORMAT_SSO, p1, 1);
	o2 = upload(OBJFORMAT_SSO, p2, 1);
	o3 = upload(OBJFORMAT_SSO, p3, 1);
	o4 = upload(OBJFORMAT_SSO, p4, 1);
	run_until_idle();
	is_int(sql_int(psprintf("SELECT start_offset FROM strata.streams WHERE id = %lld", (long long) s4)), 200,
		   "retention.ms one hour: the two ranges older than an hour go; an old range after a new one stays");
	is_int(registry_log_start(s4), 200, "the registry's log start offset is 200");
	ok(!object_file_exists(o1, "sso") && !object_file_exists(o2, "sso"), "their objects are deleted from the store");
	ok(object_file_exists(o3, "sso") && object_file_exists(o4, "sso"), "the others are kept");
	ok(verify_stream(s4, 200, 400, "s4"), "the remaining records read back");

	/* what DeleteRecords does: start_offset moved in the catalog */
	install_topic(&topic_u, "u", uuid_u_, -1, -1, 1);
	sql(psprintf("UPDATE strata.streams SET start_offset = 350 WHERE id = %lld", (long long) s4));
	run_until_idle();
	ok(!object_file_exists(o3, "sso"), "after DeleteRecords to 350 the object wholly below it is deleted");
	ok(object_file_exists(o4, "sso"), "the object holding 350 is kept");

	/* the topic is deleted */
	sql(psprintf("UPDATE strata.streams SET state = 'deleted' WHERE id = %lld", (long long) s4));
	sql(psprintf("DELETE FROM strata.topics WHERE id = '%s'", u_uuid));
	RegistryLock();
	TopicRemove(topic_u);
	RegistryUnlock();
	run_until_idle();
	ok(!object_file_exists(o4, "sso"), "a deleted topic's objects are deleted");
	is_int(sql_int(psprintf("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = %lld", (long long) s4)), 0,
		   "and its ranges");
}

int
main(int argc, char **argv)
{
	char		err[1024];
	ObjStoreError oerr;
	int			applied;

	if (argc != 3)
	{
		fprintf(stderr, "usage: compaction_check CONNINFO STORE_URL\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	GucInitDefaults();
	set("broker_id", "1");
	set("object_delete_delay", "0");
	set("retention_check_interval", "100ms");
	set("compaction_small_object_size", "30kB");
	set("compaction_max_object_size", "64kB");
	now_ms = wallclock_ms();

	ShmemCreate(add_size(PartitionShmemSize(), 64 * 1024));
	PartitionShmemInit();
	RegistrySetLoaded();		/* we fill it ourselves, below */

	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		printf("Bail out! cannot connect: %s", PQerrorMessage(conn));
		return 1;
	}
	if (!CatalogMigrate(conn, &applied, err, sizeof(err)))
	{
		printf("Bail out! migrate: %s\n", err);
		return 1;
	}
	store = ObjStoreOpen(argv[2], &oerr);
	if (store == NULL)
	{
		printf("Bail out! store: %s\n", oerr.message);
		return 1;
	}

	setup_streams();
	check_young_ssos();
	check_old_ssos();
	check_large_stream();
	check_small_large_small();
	check_fenced_stream();
	check_retention_bytes();
	check_retention_ms();

	is_int(sql_int("SELECT count(*) FROM strata.objects WHERE state <> 'committed'"), 0,
		   "nothing is left waiting for deletion");
	is_int(count_files(), (int) sql_int("SELECT count(*) FROM strata.objects"),
		   "at the end the store holds exactly the catalog's objects");
	ok(verify_stream(s0, 0, 500, "s0 final") && verify_stream(s2, 0, 500, "s2 final"),
	   "streams untouched by retention still read back whole");
	ObjStoreClose(store);
	PQfinish(conn);
	return done_testing();
}
