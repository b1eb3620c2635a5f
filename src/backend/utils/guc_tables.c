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
char	   *broker_rack;
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
int64		upload_part_size;
int64		upload_pacing;
bool		upload_single_put;
int64		compaction_max_age;
int64		compaction_small_object_size;
int64		compaction_max_object_size;
int64		retention_check_interval;
int64		object_prepare_timeout;
int64		object_delete_delay;
int64		log_cache_size;
int			huge_pages;
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
int64		max_connections_per_ip;
int64		socket_request_max_bytes;
bool		restart_after_crash;
int64		broker_lease_time;
int64		shutdown_handoff_timeout;
int64		broker_capacity;
bool		balancer_enabled;
int64		balancer_interval;
int64		balancer_band;
int64		balancer_max_moves;
int64		balancer_min_load;
int64		balancer_move_threshold;
int64		balancer_latency_threshold;
int64		scaling_target;
int64		scaling_emergency;
int64		scaling_out_cooldown;
int64		scaling_in_cooldown;
int64		scaling_min_brokers;
int64		scaling_max_brokers;
int64		scaling_timeout;
char	   *scale_out_command;
char	   *scale_in_command;
int64		catalog_retry_max;
char	   *metrics_listen;
char	   *ssl_cert_file;
char	   *ssl_key_file;
char	   *ssl_ca_file;
int			ssl_min_protocol_version;
char	   *ssl_ciphers;
int			ssl_client_auth;
int64		authentication_timeout;
char	   *sasl_enabled_mechanisms;
bool		sasl_plain_without_tls;
int64		connections_max_reauth_ms;
int64		authentication_failure_delay;
int64		sasl_max_request_bytes;
int64		security_cache_size;
bool		authorizer;
char	   *super_users;
bool		allow_everyone_if_no_acl_found;
int			log_authorization;

static const GucEnumOption huge_pages_options[] = {
	{"off", HUGE_PAGES_OFF},
	{"try", HUGE_PAGES_TRY},
	{"on", HUGE_PAGES_ON},
	{NULL, 0}
};

static const GucEnumOption wal_sync_method_options[] = {
	{"o_dsync", WAL_SYNC_O_DSYNC},
	{"fdatasync", WAL_SYNC_FDATASYNC},
	{NULL, 0}
};

static const GucEnumOption ssl_protocol_options[] = {
	{"TLSv1.2", SSL_PROTOCOL_TLSV1_2},
	{"TLSv1.3", SSL_PROTOCOL_TLSV1_3},
	{NULL, 0}
};

static const GucEnumOption ssl_client_auth_options[] = {
	{"none", SSL_CLIENT_AUTH_NONE},
	{"requested", SSL_CLIENT_AUTH_REQUESTED},
	{"required", SSL_CLIENT_AUTH_REQUIRED},
	{NULL, 0}
};

static const GucEnumOption log_authorization_options[] = {
	{"off", LOG_AUTHORIZATION_OFF},
	{"denied", LOG_AUTHORIZATION_DENIED},
	{"all", LOG_AUTHORIZATION_ALL},
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
		"Comma-separated listeners, PROTOCOL://host:port, PROTOCOL being PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, each at most once (doc/security.md).",
		GUC_UNIT_NONE, &listeners, "PLAINTEXT://127.0.0.1:9092"},
	{"advertised_listeners", GUC_STRING, GUC_POSTMASTER, "Broker",
		"Listeners given to clients in Metadata responses, PROTOCOL://host:port; a client gets the one of the protocol it connected with. Empty means the same as listeners.",
		GUC_UNIT_NONE, &advertised_listeners, ""},
	{"broker_rack", GUC_STRING, GUC_POSTMASTER, "Broker",
		"The rack (or availability zone) of this broker, given to clients in Metadata as Kafka's broker.rack; empty means none.",
		GUC_UNIT_NONE, &broker_rack, ""},
	{"max_connections", GUC_INT, GUC_POSTMASTER, "Broker",
		"Most client connections served at once; past it a new connection is closed at once and logged.",
		GUC_UNIT_NONE, &max_connections, "256", 1, 65536},
	{"max_connections_per_ip", GUC_INT, GUC_SIGHUP, "Broker",
		"Most client connections served at once from one IP address; past it a new one is closed at once and logged. 0: no limit.",
		GUC_UNIT_NONE, &max_connections_per_ip, "0", 0, 65536},
	{"socket_request_max_bytes", GUC_INT, GUC_POSTMASTER, "Broker",
		"Largest Kafka request frame accepted; a larger frame closes the connection.",
		GUC_UNIT_BYTES, &socket_request_max_bytes, "100MB", 1 * KB, 1 * GB},
	{"restart_after_crash", GUC_BOOL, GUC_SIGHUP, "Broker",
		"Reinitialise shared memory and restart all processes after a child crashes.",
		GUC_UNIT_NONE, &restart_after_crash, "on"},

	/* ---- Security ---- */
	{"ssl_cert_file", GUC_STRING, GUC_SIGHUP, "Security",
		"PEM file with the server's certificate (and any intermediate certificates after it) for SSL and SASL_SSL listeners; relative to DATADIR.",
		GUC_UNIT_NONE, &ssl_cert_file, ""},
	{"ssl_key_file", GUC_STRING, GUC_SIGHUP, "Security",
		"PEM file with the private key of ssl_cert_file (not encrypted); relative to DATADIR.",
		GUC_UNIT_NONE, &ssl_key_file, ""},
	{"ssl_ca_file", GUC_STRING, GUC_SIGHUP, "Security",
		"PEM file with the certificate authorities client certificates are verified against (needed by ssl_client_auth); relative to DATADIR.",
		GUC_UNIT_NONE, &ssl_ca_file, ""},
	{"ssl_min_protocol_version", GUC_ENUM, GUC_SIGHUP, "Security",
		"Oldest TLS version accepted: TLSv1.2 or TLSv1.3.",
		GUC_UNIT_NONE, &ssl_min_protocol_version, "TLSv1.2", 0, 0, ssl_protocol_options},
	{"ssl_ciphers", GUC_STRING, GUC_SIGHUP, "Security",
		"OpenSSL cipher list for TLS 1.2 (TLS 1.3 uses OpenSSL's default suites).",
		GUC_UNIT_NONE, &ssl_ciphers, "HIGH:!aNULL:!MD5"},
	{"ssl_client_auth", GUC_ENUM, GUC_SIGHUP, "Security",
		"Client certificates on TLS listeners: none, requested (verified if sent) or required; a verified certificate's subject CN is the principal on an SSL listener.",
		GUC_UNIT_NONE, &ssl_client_auth, "none", 0, 0, ssl_client_auth_options},
	{"authentication_timeout", GUC_INT, GUC_SIGHUP, "Security",
		"Longest time from a connection's arrival to the end of its TLS handshake and SASL authentication; a client slower than that is disconnected.",
		GUC_UNIT_MS, &authentication_timeout, "30s", 1000, 600 * 1000},
	{"sasl_enabled_mechanisms", GUC_STRING, GUC_SIGHUP, "Security",
		"SASL mechanisms offered on SASL_PLAINTEXT and SASL_SSL listeners, comma-separated: SCRAM-SHA-512, SCRAM-SHA-256, PLAIN.",
		GUC_UNIT_NONE, &sasl_enabled_mechanisms, "SCRAM-SHA-512,SCRAM-SHA-256"},
	{"sasl_plain_without_tls", GUC_BOOL, GUC_SIGHUP, "Security",
		"Offer PLAIN on SASL_PLAINTEXT listeners too, where passwords cross the network unencrypted (off: PLAIN only over TLS).",
		GUC_UNIT_NONE, &sasl_plain_without_tls, "off"},
	{"connections_max_reauth_ms", GUC_INT, GUC_SIGHUP, "Security",
		"Lifetime of a SASL session (KIP-368): a client must re-authenticate within it or its connection is closed at its next request. 0: sessions do not expire.",
		GUC_UNIT_MS, &connections_max_reauth_ms, "0", 0, INT64_C(30) * 24 * 3600 * 1000},
	{"authentication_failure_delay", GUC_INT, GUC_SIGHUP, "Security",
		"How long a failed SASL authentication waits before its error response is sent and the connection closed (slows password guessing).",
		GUC_UNIT_MS, &authentication_failure_delay, "100ms", 0, 10 * 1000},
	{"sasl_max_request_bytes", GUC_INT, GUC_SIGHUP, "Security",
		"Largest request frame accepted on a SASL listener before the client has authenticated; a larger frame closes the connection without being read.",
		GUC_UNIT_BYTES, &sasl_max_request_bytes, "64kB", 1 * KB, 100 * MB},
	{"security_cache_size", GUC_INT, GUC_POSTMASTER, "Security",
		"Shared memory holding the catalog's users and ACLs (about 300 bytes per user credential and 100 per ACL).",
		GUC_UNIT_BYTES, &security_cache_size, "4MB", 64 * KB, 1 * GB},
	{"authorizer", GUC_BOOL, GUC_SIGHUP, "Security",
		"Check every request against the ACLs (CreateAcls, DescribeAcls, DeleteAcls); off: everyone may do everything, as in Kafka without an authorizer.",
		GUC_UNIT_NONE, &authorizer, "off"},
	{"super_users", GUC_STRING, GUC_SIGHUP, "Security",
		"Principals allowed everything whatever the ACLs, separated by semicolons: 'User:admin;User:ops'.",
		GUC_UNIT_NONE, &super_users, ""},
	{"allow_everyone_if_no_acl_found", GUC_BOOL, GUC_SIGHUP, "Security",
		"Allow any principal on a resource that no ACL covers (off: such a resource is for super users only).",
		GUC_UNIT_NONE, &allow_everyone_if_no_acl_found, "off"},
	{"log_authorization", GUC_ENUM, GUC_SIGHUP, "Security",
		"Log authorisation decisions: off, denied (each refused operation) or all.",
		GUC_UNIT_NONE, &log_authorization, "denied", 0, 0, log_authorization_options},

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

	/* ---- Cluster ---- */
	{"shutdown_handoff_timeout", GUC_INT, GUC_SIGHUP, "Cluster",
		"How long a smart or fast stop waits for this broker's partitions to be handed off to other live brokers before it stops anyway (0: no hand-off; a partition left behind is recovered once the lease has expired).",
		GUC_UNIT_MS, &shutdown_handoff_timeout, "30s", 0, 3600 * 1000},
	{"broker_capacity", GUC_INT, GUC_SIGHUP, "Cluster",
		"Bytes per second (produced plus fetched) this broker is sized to carry; the controller's auto-scaling holds the cluster's traffic against the sum of the live brokers' capacities (0: unknown, no auto-scaling).",
		GUC_UNIT_BYTES, &broker_capacity, "0", 0, 1024 * TB},

	/* ---- Balancer (on the broker holding the controller role) ---- */
	{"balancer", GUC_BOOL, GUC_SIGHUP, "Balancer",
		"Whether the balancer moves partitions while this broker holds the controller role; off, it still records its checks and plans (and scale-in, which needs it to drain brokers, does not start).",
		GUC_UNIT_NONE, &balancer_enabled, "on"},
	{"balancer_interval", GUC_INT, GUC_SIGHUP, "Balancer",
		"How often the balancer checks its goals (also at once when a broker joins or leaves, and when an operator pauses, resumes, excludes or drains).",
		GUC_UNIT_MS, &balancer_interval, "10s", 1000, 3600 * 1000},
	{"balancer_band", GUC_INT, GUC_SIGHUP, "Balancer",
		"Percent around the mean within which each broker's bytes in and bytes out must stay; once a broker is outside it, the balancer moves partitions until all are within half of it.",
		GUC_UNIT_NONE, &balancer_band, "10", 1, 100},
	{"balancer_max_moves", GUC_INT, GUC_SIGHUP, "Balancer",
		"Most partition moves the balancer has in flight at once.",
		GUC_UNIT_NONE, &balancer_max_moves, "10", 1, 1000},
	{"balancer_min_load", GUC_INT, GUC_SIGHUP, "Balancer",
		"Bytes per second below which a broker's traffic, when the mean is below it too, is left alone (the floor).",
		GUC_UNIT_BYTES, &balancer_min_load, "1MB", 0, 1024 * GB},
	{"balancer_move_threshold", GUC_INT, GUC_SIGHUP, "Balancer",
		"Percent of the mean broker's traffic that a partition must carry to be moved for traffic; partitions carrying less are moved only to even out partition counts or to drain a broker.",
		GUC_UNIT_NONE, &balancer_move_threshold, "1", 0, 100},
	{"balancer_latency_threshold", GUC_INT, GUC_SIGHUP, "Balancer",
		"Mean append latency above which, at two checks in a row, a broker counts as slow: it is relieved first and receives no partitions (0: off).",
		GUC_UNIT_MS, &balancer_latency_threshold, "100ms", 0, 3600 * 1000},

	/* ---- Auto-scaling (on the broker holding the controller role) ---- */
	{"scaling_target", GUC_INT, GUC_SIGHUP, "Scaling",
		"Percent of the live brokers' summed broker_capacity that the cluster's traffic (bytes in plus out) is held near: above it, brokers are added; well below it, removed.",
		GUC_UNIT_NONE, &scaling_target, "80", 1, 100},
	{"scaling_emergency", GUC_INT, GUC_SIGHUP, "Scaling",
		"Percent utilisation at or above which the controller adds every broker needed to get back to scaling_target in one step, without waiting for a cool-down (just after an action, once a later report confirms it).",
		GUC_UNIT_NONE, &scaling_emergency, "90", 1, 1000},
	{"scaling_out_cooldown", GUC_INT, GUC_SIGHUP, "Scaling",
		"Least time between the end of a scaling action and a scale-out by target tracking (the emergency policy does not wait).",
		GUC_UNIT_MS, &scaling_out_cooldown, "1min", 0, 24 * 3600 * 1000},
	{"scaling_in_cooldown", GUC_INT, GUC_SIGHUP, "Scaling",
		"How long the traffic must have stayed low enough, and the last scaling action be over, before brokers are removed.",
		GUC_UNIT_MS, &scaling_in_cooldown, "5min", 0, 24 * 3600 * 1000},
	{"scaling_min_brokers", GUC_INT, GUC_SIGHUP, "Scaling",
		"Fewest live brokers auto-scaling leaves.",
		GUC_UNIT_NONE, &scaling_min_brokers, "1", 1, 10000},
	{"scaling_max_brokers", GUC_INT, GUC_SIGHUP, "Scaling",
		"Most live brokers auto-scaling asks for.",
		GUC_UNIT_NONE, &scaling_max_brokers, "100", 1, 10000},
	{"scaling_timeout", GUC_INT, GUC_SIGHUP, "Scaling",
		"How long a scaling command may run, and then how long the brokers may take to join or leave, before the action counts as failed.",
		GUC_UNIT_MS, &scaling_timeout, "5min", 1000, 24 * 3600 * 1000},
	{"scale_out_command", GUC_STRING, GUC_SIGHUP, "Scaling",
		"Shell command that adds brokers: %n is replaced by how many, %i by the broker ids proposed for them (space-separated), %% by %; empty: no scale-out (decisions are still recorded).",
		GUC_UNIT_NONE, &scale_out_command, ""},
	{"scale_in_command", GUC_STRING, GUC_SIGHUP, "Scaling",
		"Shell command that stops brokers once the balancer has drained them: %i is replaced by their ids (space-separated), %n by how many, %% by %; empty: no scale-in.",
		GUC_UNIT_NONE, &scale_in_command, ""},

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
	{"upload_part_size", GUC_INT, GUC_SIGHUP, "Object storage",
		"The uploader writes an object out in pieces of this size as it builds it (on S3 the pieces of one PutObject's body, or multipart upload parts with upload_single_put off; file:// writes, written back as they go); pacing (upload_pacing) goes piece by piece.",
		GUC_UNIT_BYTES, &upload_part_size, "8MB", 5 * MB, 5 * GB},
	{"upload_single_put", GUC_BOOL, GUC_SIGHUP, "Object storage",
		"On S3, each object the uploader builds goes up as one PutObject whose body is sent while the object is built (its length is worked out first; the body is sent unsigned and checked by its MD5 against the ETag S3 answers): one request per object. Off: a multipart upload in parts of upload_part_size (two requests more per object, and one per part). Turn it off for a bucket that encrypts with SSE-KMS or SSE-C, whose ETags are not MD5s.",
		GUC_UNIT_NONE, &upload_single_put, "on"},
	{"upload_pacing", GUC_INT, GUC_SIGHUP, "Object storage",
		"The uploader sends an object's parts at no more than this percentage of the rate their data arrived at, so that uploads do not come in bursts (0: as fast as possible); producers waiting for WAL space, a hand-off or a stop end the pacing of the upload under way.",
		GUC_UNIT_NONE, &upload_pacing, "200", 0, 100000},
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
	{"huge_pages", GUC_ENUM, GUC_POSTMASTER, "Caches",
		"Map shared memory (the WAL ring, the caches) with 2 MB huge pages: try (if the kernel has enough reserved, vm.nr_hugepages), on (refuse to start without them) or off. Each process maps shared memory as it first touches it; with 4 KiB pages a backend that appends 256 MB maps 65,536 pages, with huge pages 128.",
		GUC_UNIT_NONE, &huge_pages, "try", 0, 0, huge_pages_options},
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
