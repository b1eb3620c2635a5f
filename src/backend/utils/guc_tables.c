/*-------------------------------------------------------------------------
 *
 * guc_tables.c
 *	  The one table of Strata's settings.
 *
 *	  Adding a setting: add its variable here, declare it in utils/guc.h and
 *	  add a row below.  The docs (doc/settings.md), strata --describe-config
 *	  and the sample strata.conf all come from this table.
 *
 * src/backend/utils/guc_tables.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "utils/elog.h"
#include "utils/guc.h"

int64		broker_id;
char	   *listeners;
char	   *advertised_listeners;
char	   *catalog_conninfo;
char	   *object_store;
char	   *wal_device;
int64		wal_size;
int			wal_sync_method;
int64		wal_io_depth;
bool		wal_appender_flush;
int64		upload_threshold;
int64		upload_interval;
int64		stream_split_size;
int64		compaction_max_age;
int64		compaction_small_object_size;
int64		compaction_max_object_size;
int64		retention_check_interval;
int64		object_prepare_timeout;
int64		object_delete_delay;
int64		log_cache_size;
int64		block_cache_size;
int64		cold_read_bandwidth;
int64		num_partitions;
int64		max_partitions;
int64		max_groups;
int64		max_group_members;
int64		group_initial_rebalance_delay;
int64		offsets_commit_timeout;
int64		offset_commit_queue_size;
int64		offset_cache_size;
int64		max_producer_states;
bool		auto_create_topics;
int64		max_connections;
int64		socket_request_max_bytes;
bool		restart_after_crash;
int64		broker_lease_time;
int64		catalog_retry_max;
char	   *metrics_listen;

static const GucEnumOption wal_sync_method_options[] = {
	{"o_dsync", WAL_SYNC_O_DSYNC},
	{"fdatasync", WAL_SYNC_FDATASYNC},
	{NULL, 0}
};

static const GucEnumOption log_level_options[] = {
	{"debug2", DEBUG2},
	{"debug1", DEBUG1},
	{"log", LOG},
	{"info", INFO},
	{"notice", NOTICE},
	{"warning", WARNING},
	{"error", ERROR},
	{"fatal", FATAL},
	{"panic", PANIC},
	{NULL, 0}
};

#define KB	INT64_C(1024)
#define MB	(KB * 1024)
#define GB	(MB * 1024)
#define TB	(GB * 1024)
#define INT_SETTING_MAX	INT64_C(2147483647)

GucEntry	GucTable[] = {
	/* ---- Broker identity and connections ---- */
	{"broker_id", GUC_INT, GUC_POSTMASTER, "Broker",
		"Id of this broker in the cluster (Kafka node id); unique among brokers sharing a catalog.",
		GUC_UNIT_NONE, &broker_id, "0", 0, INT_SETTING_MAX},
	{"listeners", GUC_STRING, GUC_POSTMASTER, "Broker",
		"Comma-separated listeners, NAME://host:port; only PLAINTEXT for now.",
		GUC_UNIT_NONE, &listeners, "PLAINTEXT://127.0.0.1:9092"},
	{"advertised_listeners", GUC_STRING, GUC_POSTMASTER, "Broker",
		"Listeners given to clients in Metadata responses; empty means the same as listeners.",
		GUC_UNIT_NONE, &advertised_listeners, ""},
	{"max_connections", GUC_INT, GUC_POSTMASTER, "Broker",
		"Most client connections served at once; past it a new connection is closed at once and logged.",
		GUC_UNIT_NONE, &max_connections, "256", 1, 65536},
	{"socket_request_max_bytes", GUC_INT, GUC_POSTMASTER, "Broker",
		"Largest Kafka request frame accepted; a larger frame closes the connection.",
		GUC_UNIT_BYTES, &socket_request_max_bytes, "100MB", 1 * KB, 1 * GB},
	{"restart_after_crash", GUC_BOOL, GUC_SIGHUP, "Broker",
		"Reinitialise shared memory and restart all processes after a child crashes.",
		GUC_UNIT_NONE, &restart_after_crash, "on"},

	/* ---- Catalog ---- */
	{"catalog", GUC_STRING, GUC_POSTMASTER, "Catalog",
		"PostgreSQL holding the cluster metadata: a libpq connection string, or 'embedded' for the one in DATADIR/catalog.",
		GUC_UNIT_NONE, &catalog_conninfo, "embedded"},
	{"broker_lease_time", GUC_INT, GUC_SIGHUP, "Catalog",
		"How long this broker's registration stays valid without renewal; renewed every third of it.",
		GUC_UNIT_MS, &broker_lease_time, "10s", 1000, 3600 * 1000},
	{"catalog_retry_max", GUC_INT, GUC_SIGHUP, "Catalog",
		"Longest wait between attempts to reach an unreachable catalog, and between the uploader's attempts after a failed upload (backoff doubles up to it from 100 ms).",
		GUC_UNIT_MS, &catalog_retry_max, "5s", 100, 600 * 1000},

	/* ---- Object storage ---- */
	{"object_store", GUC_STRING, GUC_POSTMASTER, "Object storage",
		"Where data is kept for good: file:///abs/path, or s3://bucket/prefix?endpoint=...&region=...&path_style=true; empty means file://DATADIR/objects.",
		GUC_UNIT_NONE, &object_store, ""},
	{"upload_threshold", GUC_INT, GUC_SIGHUP, "Object storage",
		"Bytes of new WAL data that start an upload to object storage.",
		GUC_UNIT_BYTES, &upload_threshold, "64MB", 1 * MB, 64 * GB},
	{"upload_interval", GUC_INT, GUC_SIGHUP, "Object storage",
		"Longest time new data waits before it is uploaded, however little there is.",
		GUC_UNIT_MS, &upload_interval, "30s", 100, 24 * 3600 * 1000},
	{"stream_split_size", GUC_INT, GUC_SIGHUP, "Object storage",
		"A stream with at least this much data in one upload gets its own stream object.",
		GUC_UNIT_BYTES, &stream_split_size, "8MB", 64 * KB, 64 * GB},
	{"compaction_max_age", GUC_INT, GUC_SIGHUP, "Object storage",
		"Stream-set objects older than this are split entirely into stream objects.",
		GUC_UNIT_MS, &compaction_max_age, "2h", 1000, INT64_C(30) * 24 * 3600 * 1000},
	{"compaction_small_object_size", GUC_INT, GUC_SIGHUP, "Object storage",
		"Stream objects smaller than this are merged with their neighbours of the same stream by compaction.",
		GUC_UNIT_BYTES, &compaction_small_object_size, "16MB", 1 * KB, 64 * GB},
	{"compaction_max_object_size", GUC_INT, GUC_SIGHUP, "Object storage",
		"Largest stream object compaction writes; compaction holds one such object in memory while writing it.",
		GUC_UNIT_BYTES, &compaction_max_object_size, "128MB", 64 * KB, 64 * GB},
	{"retention_check_interval", GUC_INT, GUC_SIGHUP, "Object storage",
		"How often the uploader applies retention.ms and retention.bytes to the partitions this broker leads and looks for objects nothing references.",
		GUC_UNIT_MS, &retention_check_interval, "5min", 100, 24 * 3600 * 1000},
	{"object_prepare_timeout", GUC_INT, GUC_SIGHUP, "Object storage",
		"An object whose writer has not committed it to the catalog this long after starting it is an orphan, and is deleted.",
		GUC_UNIT_MS, &object_prepare_timeout, "10min", 1000, INT64_C(7) * 24 * 3600 * 1000},
	{"object_delete_delay", GUC_INT, GUC_SIGHUP, "Object storage",
		"How long an object no longer referenced (compacted, expired, of a deleted topic) stays in the store, so readers that located it can finish.",
		GUC_UNIT_MS, &object_delete_delay, "1min", 0, INT64_C(7) * 24 * 3600 * 1000},

	/* ---- WAL ---- */
	{"wal_device", GUC_STRING, GUC_POSTMASTER, "WAL",
		"File or block device holding the write-ahead log; empty means DATADIR/wal/strata.wal.",
		GUC_UNIT_NONE, &wal_device, ""},
	{"wal_size", GUC_INT, GUC_POSTMASTER, "WAL",
		"Size of the WAL file created by strata_ctl init (a block device is used whole).",
		GUC_UNIT_BYTES, &wal_size, "1GB", 1 * MB, 16 * TB},
	{"wal_sync_method", GUC_ENUM, GUC_POSTMASTER, "WAL",
		"How WAL writes are made durable: o_dsync (O_DIRECT|O_DSYNC) or fdatasync (O_DIRECT, then fdatasync).",
		GUC_UNIT_NONE, &wal_sync_method, "o_dsync", 0, 0, wal_sync_method_options},
	{"wal_io_depth", GUC_INT, GUC_POSTMASTER, "WAL",
		"Most WAL writes in flight at once (libaio queue depth).",
		GUC_UNIT_NONE, &wal_io_depth, "8", 1, 256},
	{"wal_appender_flush", GUC_BOOL, GUC_SIGHUP, "WAL",
		"A backend waiting for its records writes the WAL itself when no write is in progress and at most 64 KiB wait (more goes to the WAL writer; off: only the WAL writer writes).",
		GUC_UNIT_NONE, &wal_appender_flush, "on"},

	/* ---- Caches ---- */
	{"log_cache_size", GUC_INT, GUC_POSTMASTER, "Caches",
		"The WAL ring in shared memory, which is also the log cache: produce copies batches in, tail fetches read them; data not yet uploaded must fit (see doc/wal.md).",
		GUC_UNIT_BYTES, &log_cache_size, "256MB", 1 * MB, 1 * TB},
	{"block_cache_size", GUC_INT, GUC_POSTMASTER, "Caches",
		"Shared memory for blocks read from object storage.",
		GUC_UNIT_BYTES, &block_cache_size, "128MB", 1 * MB, 1 * TB},
	{"cold_read_bandwidth", GUC_INT, GUC_SIGHUP, "Caches",
		"Most bytes per second all fetches together read from object storage (block cache misses), so catch-up readers leave CPU and network to producers; a fetch that already has data answers with it rather than wait past its max wait. 0: no limit.",
		GUC_UNIT_BYTES, &cold_read_bandwidth, "0", 0, 1 * TB},

	/* ---- Topics ---- */
	{"num_partitions", GUC_INT, GUC_SIGHUP, "Topics",
		"Partitions of a topic created without a partition count (also by auto-creation).",
		GUC_UNIT_NONE, &num_partitions, "1", 1, 100000},
	{"max_partitions", GUC_INT, GUC_POSTMASTER, "Topics",
		"Most partitions this broker can hold (sizes the shared-memory partition registry).",
		GUC_UNIT_NONE, &max_partitions, "4096", 16, 1000000},
	{"max_groups", GUC_INT, GUC_POSTMASTER, "Topics",
		"Most consumer groups this broker coordinates at once (sizes the shared-memory group table).",
		GUC_UNIT_NONE, &max_groups, "1024", 1, 1000000},
	{"max_group_members", GUC_INT, GUC_POSTMASTER, "Topics",
		"Most members of all coordinated groups together (about 17 kB of shared memory each).",
		GUC_UNIT_NONE, &max_group_members, "512", 1, 1000000},
	{"group_initial_rebalance_delay", GUC_INT, GUC_SIGHUP, "Topics",
		"How long the first rebalance of an empty group waits for more members (Kafka's group.initial.rebalance.delay.ms).",
		GUC_UNIT_MS, &group_initial_rebalance_delay, "3s", 0, 300 * 1000},
	{"offsets_commit_timeout", GUC_INT, GUC_SIGHUP, "Topics",
		"Longest an OffsetCommit waits for the catalog before failing with COORDINATOR_NOT_AVAILABLE (Kafka's offsets.commit.timeout.ms).",
		GUC_UNIT_MS, &offsets_commit_timeout, "5s", 100, 600 * 1000},
	{"offset_commit_queue_size", GUC_INT, GUC_POSTMASTER, "Topics",
		"Shared memory for offset commits waiting to be written to the catalog together.",
		GUC_UNIT_BYTES, &offset_commit_queue_size, "1MB", 64 * KB, 1 * GB},
	{"offset_cache_size", GUC_INT, GUC_POSTMASTER, "Topics",
		"Shared memory caching committed offsets for OffsetFetch (about 420 bytes per offset).",
		GUC_UNIT_BYTES, &offset_cache_size, "8MB", 64 * KB, 64 * GB},
	{"max_producer_states", GUC_INT, GUC_POSTMASTER, "Topics",
		"Most (partition, idempotent producer) pairs whose last five batches are remembered (about 240 bytes of shared memory each; the least recently used is forgotten when full).",
		GUC_UNIT_NONE, &max_producer_states, "16384", 16, 10000000},
	{"auto_create_topics", GUC_BOOL, GUC_SIGHUP, "Topics",
		"Create a topic when a client asks for metadata of, or produces to, a topic that does not exist.",
		GUC_UNIT_NONE, &auto_create_topics, "on"},

	/* ---- Logging and monitoring ---- */
	{"log_min_messages", GUC_ENUM, GUC_SIGHUP, "Logging",
		"Least severe message level written to the log.",
		GUC_UNIT_NONE, &log_min_messages, "log", 0, 0, log_level_options},
	{"metrics_listen", GUC_STRING, GUC_POSTMASTER, "Logging",
		"host:port (e.g. 127.0.0.1:9404) where GET /metrics serves the Prometheus metrics (doc/metrics.md); empty or 'off' turns it off.",
		GUC_UNIT_NONE, &metrics_listen, ""},
};

const int	GucTableSize = lengthof(GucTable);
