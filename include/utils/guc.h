/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  The settings table ("grand unified configuration", after PostgreSQL).
 *
 *	  Every setting is one row of the table in utils/guc_tables.c: name, type,
 *	  default, bounds, unit, context (when it may change), group and a one-line
 *	  description.  Values come from the built-in default, then
 *	  DATADIR/strata.conf, then -c name=value on the command line, each source
 *	  overriding the one before.  The documentation (doc/settings.md) and the
 *	  sample strata.conf are generated from the same table.
 *
 *	  Settings are plain C globals, inherited by every child at fork.  On
 *	  SIGHUP each process re-reads the file (GucReload) and takes the new
 *	  values of the GUC_SIGHUP settings.
 *
 * include/utils/guc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_GUC_H
#define STRATA_GUC_H

#include "c.h"

typedef enum GucType
{
	GUC_BOOL,
	GUC_INT,					/* int64 with optional unit */
	GUC_STRING,
	GUC_ENUM
} GucType;

typedef enum GucContext
{
	GUC_POSTMASTER,				/* fixed at server start */
	GUC_SIGHUP					/* reloaded on SIGHUP / strata_ctl reload */
} GucContext;

typedef enum GucUnit
{
	GUC_UNIT_NONE,
	GUC_UNIT_BYTES,
	GUC_UNIT_MS
} GucUnit;

typedef enum GucSource
{
	GUC_SRC_DEFAULT,
	GUC_SRC_FILE,
	GUC_SRC_CMDLINE
} GucSource;

typedef struct GucEnumOption
{
	const char *name;
	int			value;
} GucEnumOption;

typedef struct GucEntry
{
	const char *name;
	GucType		type;
	GucContext	context;
	const char *group;
	const char *description;
	GucUnit		unit;
	void	   *variable;		/* bool *, int64 *, char **, or int * (enum) */
	const char *boot_value;		/* the default, as text */
	int64		min;			/* GUC_INT bounds */
	int64		max;
	const GucEnumOption *options;	/* GUC_ENUM, terminated by {NULL} */
	/* runtime state */
	GucSource	source;
} GucEntry;

/* --- Settings (defined in guc_tables.c) --- */
extern int64 broker_id;
extern char *listeners;
extern char *advertised_listeners;
extern char *broker_rack;
extern char *catalog_conninfo;		/* "catalog" */
extern char *object_store;
extern char *wal_device;
extern int64 wal_size;
extern int	wal_sync_method;
extern int64 wal_io_depth;
extern bool wal_appender_flush;
extern int64 upload_threshold;
extern int64 upload_part_size;
extern int64 upload_pacing;
extern bool upload_single_put;
extern int64 upload_interval;
extern int64 stream_split_size;
extern int64 compaction_max_age;
extern int64 compaction_small_object_size;
extern int64 compaction_max_object_size;
extern int64 retention_check_interval;
extern int64 object_prepare_timeout;
extern int64 object_delete_delay;
extern int64 log_cache_size;
extern int	huge_pages;
extern int64 block_cache_size;
extern int64 cold_read_bandwidth;
extern int64 num_partitions;
extern int64 max_partitions;
extern int64 max_groups;
extern int64 max_group_members;
extern int64 group_initial_rebalance_delay;
extern int64 offsets_commit_timeout;
extern int64 offset_commit_queue_size;
extern int64 offset_cache_size;
extern int64 max_producer_states;
extern bool auto_create_topics;
extern int64 max_connections;
extern int64 max_connections_per_ip;
extern int64 socket_request_max_bytes;
extern bool restart_after_crash;
extern int64 broker_lease_time;
extern int64 shutdown_handoff_timeout;
extern int64 broker_capacity;
extern bool balancer_enabled;		/* "balancer" */
extern int64 balancer_interval;
extern int64 balancer_band;
extern int64 balancer_max_moves;
extern int64 balancer_min_load;
extern int64 balancer_move_threshold;
extern int64 balancer_latency_threshold;
extern int64 scaling_target;
extern int64 scaling_emergency;
extern int64 scaling_out_cooldown;
extern int64 scaling_in_cooldown;
extern int64 scaling_min_brokers;
extern int64 scaling_max_brokers;
extern int64 scaling_timeout;
extern char *scale_out_command;
extern char *scale_in_command;
extern int64 catalog_retry_max;
extern char *metrics_listen;
extern char *ssl_cert_file;
extern char *ssl_key_file;
extern char *ssl_ca_file;
extern int	ssl_min_protocol_version;
extern char *ssl_ciphers;
extern int	ssl_client_auth;
extern int64 authentication_timeout;
extern char *sasl_enabled_mechanisms;
extern bool sasl_plain_without_tls;
extern int64 connections_max_reauth_ms;
extern int64 authentication_failure_delay;
extern int64 sasl_max_request_bytes;
extern int64 security_cache_size;
extern bool authorizer;
extern char *super_users;
extern bool allow_everyone_if_no_acl_found;
extern int	log_authorization;

typedef enum LogAuthorization
{
	LOG_AUTHORIZATION_OFF,
	LOG_AUTHORIZATION_DENIED,
	LOG_AUTHORIZATION_ALL
} LogAuthorization;

typedef enum SslProtocolVersion
{
	SSL_PROTOCOL_TLSV1_2,
	SSL_PROTOCOL_TLSV1_3
} SslProtocolVersion;

typedef enum SslClientAuth
{
	SSL_CLIENT_AUTH_NONE,
	SSL_CLIENT_AUTH_REQUESTED,
	SSL_CLIENT_AUTH_REQUIRED
} SslClientAuth;

typedef enum HugePages
{
	HUGE_PAGES_OFF,
	HUGE_PAGES_TRY,
	HUGE_PAGES_ON
} HugePages;

typedef enum WalSyncMethod
{
	WAL_SYNC_O_DSYNC,
	WAL_SYNC_FDATASYNC
} WalSyncMethod;

/* The data directory of this server (set by -D before settings are read). */
extern char *DataDir;

extern GucEntry GucTable[];
extern const int GucTableSize;

extern void GucInitDefaults(void);
extern GucEntry *GucFind(const char *name);

/*
 * Set one setting from text.  On failure returns false and writes one line
 * into err naming the setting, the value and what is allowed.
 */
extern bool GucSet(const char *name, const char *value, GucSource source,
				   char *err, size_t errlen);

/*
 * Read a configuration file ("name = value" lines, '#' comments, values
 * optionally in single quotes).  Unknown names and bad values fail with a
 * one-line message including the file and line.
 */
extern bool GucLoadFile(const char *path, GucSource source, char *err, size_t errlen);

/*
 * Re-read the file after SIGHUP: GUC_SIGHUP settings take their new values
 * (logged), changed GUC_POSTMASTER settings are logged as needing a restart.
 * Returns false (and logs) if the file is broken; nothing is changed then.
 */
extern bool GucReload(const char *path);

/* Current value as text (with unit where the setting has one); palloc'd. */
extern char *GucShowValue(const GucEntry *entry);

/* Output of strata --describe-config: one tab-separated row per setting. */
extern void GucDescribe(FILE *out);
/* A strata.conf with every setting commented out at its default. */
extern void GucWriteSampleConf(FILE *out);
/* doc/settings.md */
extern void GucWriteDocs(FILE *out);

/*
 * strata.auto.conf: settings a client changed through Kafka's AlterConfigs
 * on the broker resource, read after strata.conf (like PostgreSQL's
 * postgresql.auto.conf).  GucCheckValue says whether name = value could be
 * set there (reloadable settings only); GucAlterAutoConf sets (value) or
 * removes (NULL) entries, or with replace_all makes them the whole file.
 * The caller then signals the postmaster (SIGHUP) to apply them.
 */
#define GUC_AUTO_CONF_FILE "strata.auto.conf"
extern bool GucCheckValue(const char *name, const char *value, char *err, size_t errlen);
extern bool GucAlterAutoConf(const char *datadir, const char *const *names,
							 const char *const *values, int n, bool replace_all,
							 char *err, size_t errlen);

/* Parse "64MB"/"500ms"-style numbers (exposed for tests). */
extern bool GucParseInt(const char *value, GucUnit unit, int64 *result, const char **hint);

#endif							/* STRATA_GUC_H */
