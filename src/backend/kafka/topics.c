/*-------------------------------------------------------------------------
 *
 * topics.c
 *	  Topic management in the catalog, mirrored into the shared-memory
 *	  registry (see kafka/topics.h).
 *
 *	  The catalog is changed first, in one transaction (catalog_topics.c);
 *	  the registry is updated only after the commit, so a crash in between
 *	  leaves the catalog right and the registry is reloaded from it at the
 *	  next start (and by the catalog worker on the NOTIFY the change sends).
 *
 *	  Every stream opened by this broker gets its epoch bumped in the same
 *	  statement that opens it: later commits touching the stream carry that
 *	  epoch, so a broker that lost the partition can never commit to it.
 *
 * src/backend/kafka/topics.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>

#include "catalog/catalog.h"
#include "catalog/catalog_cluster.h"
#include "catalog/catalog_topics.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "storage/logcache.h"
#include "utils/elog.h"
#include "utils/guc.h"

/*
 * Every topic config Kafka 3.9 defines, sorted by name: Kafka's name, type
 * and default, whether Strata acts on it, the range of a numeric value, and
 * what it means here.  A config Strata does not act on is still accepted
 * with any value Kafka accepts (tools set them, Terraform sets them all),
 * stored and described: it either has no meaning for Strata's storage
 * (segments, replicas, local disks, flushing: durability comes from the WAL
 * and object storage) or is deprecated in Kafka 3.x and ignored there too.
 * Values Kafka accepts that ask for something Strata does not do (compaction,
 * recompression) are refused with INVALID_CONFIG saying so.
 */
const TopicConfigDef TopicConfigDefs[] = {
	{"cleanup.policy", TCT_LIST, "delete", true, 0, 0,
	"What happens to old data: delete (compact is not supported yet)."},
	{"compression.gzip.level", TCT_INT, "-1", false, -1, 9,
	"Accepted and ignored: Strata never recompresses batches."},
	{"compression.lz4.level", TCT_INT, "9", false, 1, 17,
	"Accepted and ignored: Strata never recompresses batches."},
	{"compression.type", TCT_STRING, "producer", false, 0, 0,
	"Batches are stored as the producer compressed them; only producer is supported."},
	{"compression.zstd.level", TCT_INT, "3", false, -131072, 22,
	"Accepted and ignored: Strata never recompresses batches."},
	{"delete.retention.ms", TCT_LONG, "86400000", false, 0, INT64_MAX,
	"Accepted and ignored: applies to compacted topics, which Strata does not have."},
	{"file.delete.delay.ms", TCT_LONG, "60000", false, 0, INT64_MAX,
	"Accepted and ignored: Strata keeps no segment files."},
	{"flush.messages", TCT_LONG, "9223372036854775807", false, 1, INT64_MAX,
	"Accepted and ignored: every acknowledged batch is flushed to the WAL."},
	{"flush.ms", TCT_LONG, "9223372036854775807", false, 0, INT64_MAX,
	"Accepted and ignored: every acknowledged batch is flushed to the WAL."},
	{"follower.replication.throttled.replicas", TCT_LIST, "", false, 0, 0,
	"Accepted and ignored: partitions have one replica; data is durable in object storage."},
	{"index.interval.bytes", TCT_INT, "4096", false, 0, INT32_MAX,
	"Accepted and ignored: Strata keeps no offset index files."},
	{"leader.replication.throttled.replicas", TCT_LIST, "", false, 0, 0,
	"Accepted and ignored: partitions have one replica; data is durable in object storage."},
	{"local.retention.bytes", TCT_LONG, "-2", false, -2, INT64_MAX,
	"Accepted and ignored: all data lives in object storage; retention.bytes applies."},
	{"local.retention.ms", TCT_LONG, "-2", false, -2, INT64_MAX,
	"Accepted and ignored: all data lives in object storage; retention.ms applies."},
	{"max.compaction.lag.ms", TCT_LONG, "9223372036854775807", false, 1, INT64_MAX,
	"Accepted and ignored: applies to compacted topics, which Strata does not have."},
	{"max.message.bytes", TCT_INT, "1048588", true, 0, INT32_MAX,
	"Largest record batch accepted for this topic, in bytes."},
	{"message.downconversion.enable", TCT_BOOLEAN, "true", false, 0, 0,
	"Deprecated in Kafka; accepted and ignored: Strata never down-converts."},
	{"message.format.version", TCT_STRING, "3.0-IV1", false, 0, 0,
	"Deprecated in Kafka 3.x, which ignores it; accepted and ignored: batches are stored as magic 2."},
	{"message.timestamp.after.max.ms", TCT_LONG, "9223372036854775807", true, 0, INT64_MAX,
	"CreateTime topics: largest allowed distance of a record's timestamp into the future, in ms."},
	{"message.timestamp.before.max.ms", TCT_LONG, "9223372036854775807", true, 0, INT64_MAX,
	"CreateTime topics: largest allowed age of a record's timestamp, in ms."},
	{"message.timestamp.difference.max.ms", TCT_LONG, "9223372036854775807", true, 0, INT64_MAX,
	"Deprecated in Kafka: the before and after limits where those are not set."},
	{"message.timestamp.type", TCT_STRING, "CreateTime", true, 0, 0,
	"CreateTime keeps the producer's timestamps; LogAppendTime stamps batches on arrival."},
	{"min.cleanable.dirty.ratio", TCT_DOUBLE, "0.5", false, 0, 1,
	"Accepted and ignored: applies to compacted topics, which Strata does not have."},
	{"min.compaction.lag.ms", TCT_LONG, "0", false, 0, INT64_MAX,
	"Accepted and ignored: applies to compacted topics, which Strata does not have."},
	{"min.insync.replicas", TCT_INT, "1", false, 1, INT32_MAX,
	"Accepted and ignored: acks=all waits for the WAL flush, the one durable copy before upload."},
	{"preallocate", TCT_BOOLEAN, "false", false, 0, 0,
	"Accepted and ignored: Strata keeps no segment files."},
	{"remote.log.copy.disable", TCT_BOOLEAN, "false", false, 0, 0,
	"Accepted and ignored: all data is uploaded to object storage."},
	{"remote.log.delete.on.disable", TCT_BOOLEAN, "false", false, 0, 0,
	"Accepted and ignored: all data lives in object storage."},
	{"remote.storage.enable", TCT_BOOLEAN, "false", false, 0, 0,
	"Accepted and ignored: all data lives in object storage whatever its value."},
	{"retention.bytes", TCT_LONG, "-1", true, -1, INT64_MAX,
	"Bytes kept per partition before old data is deleted; -1 means no limit."},
	{"retention.ms", TCT_LONG, "604800000", true, -1, INT64_MAX,
	"How long data is kept, in milliseconds; -1 means forever."},
	{"segment.bytes", TCT_INT, "1073741824", true, 14, INT32_MAX,
	"Accepted for compatibility: Strata's storage has no segments."},
	{"segment.index.bytes", TCT_INT, "10485760", false, 4, INT32_MAX,
	"Accepted and ignored: Strata keeps no offset index files."},
	{"segment.jitter.ms", TCT_LONG, "0", false, 0, INT64_MAX,
	"Accepted and ignored: Strata's storage has no segments."},
	{"segment.ms", TCT_LONG, "604800000", false, 1, INT64_MAX,
	"Accepted and ignored: Strata's storage has no segments."},
	{"unclean.leader.election.enable", TCT_BOOLEAN, "false", false, 0, 0,
	"Accepted and ignored: partitions have one replica, always in sync."},
};
StaticAssertDecl(lengthof(TopicConfigDefs) <= 64, "TopicConfig.stored_overrides has one bit per config");
const int	NumTopicConfigDefs = lengthof(TopicConfigDefs);

/* ---------- names, ids, configs ---------- */

bool
TopicNameValid(const char *name, size_t len, char **msg)
{
	if (len == 0 || len > TOPIC_NAME_MAX)
	{
		*msg = psprintf("Topic name must be 1 to %d characters long", TOPIC_NAME_MAX);
		return false;
	}
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
	{
		*msg = pstrdup("Topic name cannot be \".\" or \"..\"");
		return false;
	}
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (!(isalnum(c) || c == '.' || c == '_' || c == '-') || c > 127)
		{
			*msg = pstrdup("Topic name may contain only ASCII letters, digits, '.', '_' and '-'");
			return false;
		}
	}
	return true;
}

/* Kafka prints cluster ids as URL-safe base64 of the UUID, unpadded. */
static void
encode_cluster_id(const uint8 id[16], char out[23])
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int			o = 0;

	for (int i = 0; i < 16; i += 3)
	{
		uint32		v = (uint32) id[i] << 16;

		if (i + 1 < 16)
			v |= (uint32) id[i + 1] << 8;
		if (i + 2 < 16)
			v |= id[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		if (i + 1 < 16)
			out[o++] = alphabet[(v >> 6) & 63];
		if (i + 2 < 16)
			out[o++] = alphabet[v & 63];
	}
	out[o] = '\0';
}

static bool
parse_long(const char *s, size_t len, int64 min, int64 max, int64 *out)
{
	char		buf[32];
	char	   *end;
	long long	v;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
name_is(const TopicConfigEntry *e, const char *name)
{
	return e->name_len == strlen(name) && memcmp(e->name, name, e->name_len) == 0;
}

static bool
value_is(const TopicConfigEntry *e, const char *value)
{
	return e->value && e->value_len == strlen(value) && strncasecmp(e->value, value, e->value_len) == 0;
}

static int
config_def_index(const char *name, size_t len)
{
	for (int i = 0; i < NumTopicConfigDefs; i++)
		if (strlen(TopicConfigDefs[i].name) == len && memcmp(TopicConfigDefs[i].name, name, len) == 0)
			return i;
	return -1;
}

/* Kafka's message.format.version values: "0.10.0", "2.8-IV1", "3.0"... */
static bool
format_version_valid(const char *v, size_t len)
{
	size_t		i = 0;
	int			parts = 0;

	if (len == 0 || v[0] < '0' || v[0] > '3' || (len > 1 && isdigit((unsigned char) v[1])))
		return false;
	while (i < len && parts < 4)
	{
		size_t		d = i;

		while (i < len && isdigit((unsigned char) v[i]))
			i++;
		if (i == d)
			return false;
		parts++;
		if (i < len && v[i] == '.')
			i++;
		else
			break;
	}
	if (parts < 2)
		return false;
	if (i < len && len - i > 3 && memcmp(v + i, "-IV", 3) == 0)
	{
		i += 3;
		while (i < len && isdigit((unsigned char) v[i]))
			i++;
	}
	return i == len;
}

/* Kafka's throttled-replica lists: empty, "*", or "partition:broker,...". */
static bool
throttled_list_valid(const char *v, size_t len)
{
	size_t		i = 0;

	while (len > 0 && isspace((unsigned char) v[len - 1]))
		len--;
	while (i < len && isspace((unsigned char) v[i]))
		i++;
	if (i == len || (len - i == 1 && v[i] == '*'))
		return true;
	for (;;)
	{
		size_t		d;

		while (i < len && isspace((unsigned char) v[i]))
			i++;
		for (d = i; i < len && isdigit((unsigned char) v[i]); i++)
			;
		if (i == d || i >= len || v[i] != ':')
			return false;
		for (d = ++i; i < len && isdigit((unsigned char) v[i]); i++)
			;
		if (i == d)
			return false;
		while (i < len && isspace((unsigned char) v[i]))
			i++;
		if (i == len)
			return true;
		if (v[i++] != ',')
			return false;
	}
}

/*
 * Is e->value (not NULL) a valid value of def, as Kafka 3.9 judges it by
 * type and range?  Sets *num for numeric types.  Enumerations that need
 * more than that are checked by name in config_apply_one.
 */
static bool
config_value_valid(const TopicConfigDef *def, const TopicConfigEntry *e, int64 *num)
{
	switch (def->type)
	{
		case TCT_INT:
		case TCT_LONG:
			if (!parse_long(e->value, e->value_len, def->min, def->max, num))
				return false;
			/* gzip levels are 1-9, or -1 for zlib's default */
			return !(*num == 0 && name_is(e, "compression.gzip.level"));
		case TCT_BOOLEAN:
			return value_is(e, "true") || value_is(e, "false");
		case TCT_DOUBLE:
			{
				char		buf[64];
				char	   *end;
				double		d;

				if (e->value_len == 0 || e->value_len >= sizeof(buf))
					return false;
				memcpy(buf, e->value, e->value_len);
				buf[e->value_len] = '\0';
				d = strtod(buf, &end);
				return *end == '\0' && d >= (double) def->min && d <= (double) def->max;
			}
		case TCT_LIST:
			return throttled_list_valid(e->value, e->value_len);
		case TCT_STRING:
			if (name_is(e, "message.format.version"))
				return format_version_valid(e->value, e->value_len);
			return true;		/* the others are checked by name */
	}
	return false;
}

/* Apply one entry (value NULL: back to the default). */
static TopicResult
config_apply_one(TopicConfig *config, const TopicConfigEntry *e, char **msg)
{
	TopicConfig defaults;
	int64		v = 0;
	int			idx = config_def_index(e->name, e->name_len);
	const TopicConfigDef *def;

	if (idx < 0)
	{
		*msg = psprintf("Unknown topic config name: %.*s", (int) e->name_len, e->name);
		return TOPIC_INVALID_CONFIG;
	}
	def = &TopicConfigDefs[idx];
	TopicConfigDefaults(&defaults);

	/* checks by name first: lists and enumerations */
	if (name_is(e, "cleanup.policy"))
	{
		if (e->value == NULL || value_is(e, "delete"))
			return TOPIC_OK;
		for (size_t i = 0; i + 7 <= e->value_len; i++)
			if (strncasecmp(e->value + i, "compact", 7) == 0)
			{
				*msg = pstrdup("cleanup.policy=compact is not supported: Strata does not compact topics yet");
				return TOPIC_INVALID_CONFIG;
			}
		goto bad_value;
	}
	if (name_is(e, "message.timestamp.type"))
	{
		if (e->value == NULL || value_is(e, "CreateTime"))
			config->log_append_time = false;
		else if (value_is(e, "LogAppendTime"))
			config->log_append_time = true;
		else
			goto bad_value;
		return TOPIC_OK;
	}
	if (name_is(e, "compression.type") && e->value != NULL && !value_is(e, "producer"))
	{
		static const char *const codecs[] = {"uncompressed", "gzip", "snappy", "lz4", "zstd"};

		for (int i = 0; i < (int) lengthof(codecs); i++)
			if (value_is(e, codecs[i]))
			{
				*msg = psprintf("compression.type=%s is not supported: Strata stores batches as the producer compressed them (compression.type=producer)",
								codecs[i]);
				return TOPIC_INVALID_CONFIG;
			}
		goto bad_value;
	}

	if (e->value != NULL && !config_value_valid(def, e, &v))
		goto bad_value;

	if (!def->applied)
	{
		if (e->value == NULL)
			config->stored_overrides &= ~(UINT64_C(1) << idx);
		else
			config->stored_overrides |= UINT64_C(1) << idx;
		return TOPIC_OK;
	}
	if (name_is(e, "retention.ms"))
		config->retention_ms = e->value ? v : defaults.retention_ms;
	else if (name_is(e, "retention.bytes"))
		config->retention_bytes = e->value ? v : defaults.retention_bytes;
	else if (name_is(e, "max.message.bytes"))
		config->max_message_bytes = e->value ? v : defaults.max_message_bytes;
	else if (name_is(e, "segment.bytes"))
		config->segment_bytes = e->value ? v : defaults.segment_bytes;
	else if (name_is(e, "message.timestamp.before.max.ms"))
		config->timestamp_before_max_ms = e->value ? v : defaults.timestamp_before_max_ms;
	else if (name_is(e, "message.timestamp.after.max.ms"))
		config->timestamp_after_max_ms = e->value ? v : defaults.timestamp_after_max_ms;
	else if (name_is(e, "message.timestamp.difference.max.ms"))
		config->timestamp_difference_max_ms = e->value ? v : defaults.timestamp_difference_max_ms;
	else
		elog(ERROR, "topic config %s is marked applied but has no field", def->name);
	return TOPIC_OK;

bad_value:
	*msg = psprintf("Invalid value %.*s for configuration %.*s",
					(int) e->value_len, e->value ? e->value : "", (int) e->name_len, e->name);
	return TOPIC_INVALID_CONFIG;
}

TopicResult
TopicConfigApply(TopicConfig *config, const TopicConfigEntry *entries, int n, char **msg)
{
	for (int i = 0; i < n; i++)
	{
		TopicResult r = config_apply_one(config, &entries[i], msg);

		if (r != TOPIC_OK)
			return r;
	}
	return TOPIC_OK;
}

char *
TopicConfigValue(const TopicConfig *config, const char *name)
{
	if (strcmp(name, "retention.ms") == 0)
		return psprintf("%lld", (long long) config->retention_ms);
	if (strcmp(name, "retention.bytes") == 0)
		return psprintf("%lld", (long long) config->retention_bytes);
	if (strcmp(name, "max.message.bytes") == 0)
		return psprintf("%lld", (long long) config->max_message_bytes);
	if (strcmp(name, "segment.bytes") == 0)
		return psprintf("%lld", (long long) config->segment_bytes);
	if (strcmp(name, "message.timestamp.type") == 0)
		return pstrdup(config->log_append_time ? "LogAppendTime" : "CreateTime");
	if (strcmp(name, "cleanup.policy") == 0)
		return pstrdup("delete");
	if (strcmp(name, "message.timestamp.before.max.ms") == 0)
		return psprintf("%lld", (long long) config->timestamp_before_max_ms);
	if (strcmp(name, "message.timestamp.after.max.ms") == 0)
		return psprintf("%lld", (long long) config->timestamp_after_max_ms);
	if (strcmp(name, "message.timestamp.difference.max.ms") == 0)
		return psprintf("%lld", (long long) config->timestamp_difference_max_ms);
	return NULL;
}

/* TopicStoredConfigs: see topics.h.  Run by a backend serving DescribeConfigs. */
int
TopicStoredConfigs(PGconn *conn, const uint8 id[16], char ***names, char ***values, char **msg)
{
	char		err[1024];
	CatalogTopicConfig *c;
	int			n;

	n = CatalogGetTopicConfigs(conn, id, &c, err, sizeof(err));
	if (n < 0)
	{
		elog(LOG, "%s", err);
		*msg = pstrdup("The catalog could not be read; see the broker's log");
		return -1;
	}
	*names = palloc(sizeof(char *) * (size_t) Max(n, 1));
	*values = palloc(sizeof(char *) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		(*names)[i] = (char *) c[i].name;
		(*values)[i] = (char *) c[i].value;
	}
	pfree(c);
	return n;
}

/* A catalog transaction failed (and was rolled back): log it, tell the client. */
static TopicResult
catalog_failed(const char *err, char **msg)
{
	elog(LOG, "%s", err);
	*msg = pstrdup("The catalog could not be updated; see the broker's log");
	return TOPIC_CATALOG_ERROR;
}

/* A backend's catalog connection (libpq's memory), kept across requests. */
static PGconn *backend_catalog_conn = NULL;

PGconn *
BackendCatalogConnection(char **msg)
{
	PGconn	   *conn = backend_catalog_conn;
	char		err[1024];

	if (conn != NULL && PQstatus(conn) != CONNECTION_OK)
	{
		PQfinish(conn);
		conn = NULL;
	}
	if (conn == NULL)
	{
		conn = CatalogConnect(err, sizeof(err));
		if (conn == NULL)
		{
			elog(LOG, "%s", err);
			*msg = pstrdup("The catalog is unreachable; see the broker's log");
		}
	}
	backend_catalog_conn = conn;
	return conn;
}

/*
 * After an ERROR abandoned a request: a transaction it left open on the
 * backend's catalog connection is rolled back, so that no later request
 * commits half of it.
 */
void
BackendCatalogAbortTransaction(void)
{
	PGconn	   *conn = backend_catalog_conn;

	if (conn != NULL && !CatalogAbandonTransaction(conn))
	{
		/* busy or broken: start afresh on the next use */
		PQfinish(conn);
		backend_catalog_conn = NULL;
	}
}

/* ---------- create ---------- */

/*
 * Install a topic with total partitions, nparts of them just made: those
 * led here with the stream opened here, the others with epoch 0 (their
 * leaders open them on the catalog's NOTIFY).
 */
static TopicResult
install_topic(const char *name, size_t len, const uint8 id[16], const TopicConfig *config,
			  int32 total, const CatalogPartition *parts, int nparts, char **msg)
{
	int			t;

	RegistryLock();
	t = TopicInstall(name, len, id, config, total);
	if (t < 0)
	{
		RegistryUnlock();
		*msg = pstrdup("The broker's partition registry is full: raise max_partitions");
		return TOPIC_REGISTRY_FULL;
	}
	for (int i = 0; i < nparts; i++)
	{
		if (PartitionInstall(t, parts[i].index, parts[i].stream_id, parts[i].stream_epoch,
							 parts[i].leader, 0, 0, 0) < 0)
		{
			RegistryUnlock();
			*msg = pstrdup("The broker's partition registry is full: raise max_partitions");
			return TOPIC_REGISTRY_FULL;
		}
	}
	RegistryUnlock();
	return TOPIC_OK;
}

/* The client's config entries as the catalog takes them (palloc'd strings). */
static CatalogTopicConfig *
catalog_configs(const TopicConfigEntry *entries, int n)
{
	CatalogTopicConfig *c = palloc(sizeof(CatalogTopicConfig) * (size_t) Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		c[i].name = pnstrdup(entries[i].name, entries[i].name_len);
		c[i].value = entries[i].value ? pnstrdup(entries[i].value, entries[i].value_len) : NULL;
	}
	return c;
}

static void
free_catalog_configs(CatalogTopicConfig *c, int n)
{
	for (int i = 0; i < n; i++)
	{
		pfree((char *) c[i].name);
		if (c[i].value)
			pfree((char *) c[i].value);
	}
	pfree(c);
}

/*
 * Leaders for n new partitions: from an explicit assignment (one broker
 * per partition, each registered and live), or the least loaded live
 * brokers (doc/cluster.md, "Placement").  TOPIC_OK, or an error with *msg.
 */
static TopicResult
place_partitions(PGconn *conn, int32 n, const TopicAssignment *assign, int32 nassign,
				 int32 *leaders, char **msg)
{
	char		err[1024];

	if (assign == NULL || nassign == 0)
		return CatalogPlacePartitions(conn, n, (int32) broker_id, leaders, err, sizeof(err))
			? TOPIC_OK : catalog_failed(err, msg);
	for (int32 i = 0; i < n; i++)
	{
		bool		exists,
					live;

		leaders[i] = assign[i].broker;
		if (!CatalogBrokerLive(conn, leaders[i], &exists, &live, err, sizeof(err)))
			return catalog_failed(err, msg);
		if (!exists || !live)
		{
			*msg = psprintf("Replica assignment of partition %d names broker %d, which is %s",
							assign[i].partition, leaders[i], exists ? "not live" : "not registered");
			return TOPIC_INVALID_ASSIGNMENT;
		}
	}
	return TOPIC_OK;
}

static TopicResult
TopicCreate_locked(PGconn *conn, const char *name, size_t len,
			int32 partitions, int16 replication_factor,
			const TopicAssignment *assign, int32 nassign,
			const TopicConfigEntry *configs, int nconfigs,
			bool validate_only, uint8 id_out[16], char **msg)
{
	TopicConfig config;
	TopicResult r;
	char		err[1024];
	char	   *tname;
	CatalogTopicConfig *cconfigs;
	CatalogPartition *parts;
	CatalogTopicResult cr;
	int32	   *leaders;

	*msg = NULL;
	if (!TopicNameValid(name, len, msg))
		return TOPIC_INVALID_NAME;
	if (nassign > 0)
		partitions = nassign;
	else if (partitions == -1)
		partitions = (int32) num_partitions;
	if (partitions <= 0)
	{
		*msg = pstrdup("Number of partitions must be larger than 0");
		return TOPIC_INVALID_PARTITIONS;
	}
	if (partitions > PartitionCapacity())
	{
		*msg = psprintf("Number of partitions %d is more than this broker can hold (max_partitions = %d)",
						partitions, PartitionCapacity());
		return TOPIC_INVALID_PARTITIONS;
	}
	/* Durability comes from the WAL and object storage, not from replicas. */
	if (replication_factor == 0 || replication_factor < -1)
	{
		*msg = pstrdup("Replication factor must be larger than 0 (Strata keeps one replica: data is durable in the WAL and object storage)");
		return TOPIC_INVALID_REPLICATION;
	}
	if (replication_factor > 1)
	{
		*msg = psprintf("Replication factor %d is not possible: Strata keeps one replica of each partition, made durable by the WAL device and object storage, not by copies; use 1 (or -1)",
						replication_factor);
		return TOPIC_INVALID_REPLICATION;
	}
	TopicConfigDefaults(&config);
	r = TopicConfigApply(&config, configs, nconfigs, msg);
	if (r != TOPIC_OK)
		return r;

	RegistryLock();
	if (TopicLookupByName(name, len) >= 0)
	{
		RegistryUnlock();
		*msg = psprintf("Topic '%.*s' already exists.", (int) len, name);
		return TOPIC_EXISTS;
	}
	RegistryUnlock();
	if (validate_only)
		return TOPIC_OK;

	leaders = palloc(sizeof(int32) * (size_t) partitions);
	r = place_partitions(conn, partitions, assign, nassign, leaders, msg);
	if (r != TOPIC_OK)
		return r;
	tname = pnstrdup(name, len);
	cconfigs = catalog_configs(configs, nconfigs);
	cr = CatalogCreateTopic(conn, tname, cconfigs, nconfigs, partitions, leaders, (int32) broker_id,
							id_out, &parts, err, sizeof(err));
	free_catalog_configs(cconfigs, nconfigs);
	if (cr == CATALOG_TOPIC_EXISTS)
	{
		*msg = psprintf("Topic '%s' already exists.", tname);
		return TOPIC_EXISTS;
	}
	if (cr != CATALOG_TOPIC_OK)
		return catalog_failed(err, msg);
	r = install_topic(name, len, id_out, &config, partitions, parts, partitions, msg);
	pfree(parts);
	if (r == TOPIC_OK)
		elog(LOG, "created topic \"%s\" with %d partitions", tname, partitions);
	return r;
}

/* ---------- delete ---------- */

static TopicResult
TopicDelete_locked(PGconn *conn, const char *name, size_t len, const uint8 *id,
			uint8 id_out[16], char **msg)
{
	char		err[1024];
	char	   *deleted_name;
	int			t;

	*msg = NULL;
	RegistryLock();
	t = name ? TopicLookupByName(name, len) : TopicLookupById(id);
	if (t >= 0)
		memcpy(id_out, TopicGet(t)->id, 16);
	RegistryUnlock();
	if (t < 0)
	{
		*msg = pstrdup("This server does not host this topic.");
		return TOPIC_NOT_FOUND;
	}
	if (!CatalogDeleteTopic(conn, id_out, &deleted_name, err, sizeof(err)))
		return catalog_failed(err, msg);
	if (deleted_name != NULL)
	{
		elog(LOG, "deleted topic \"%s\"", deleted_name);
		pfree(deleted_name);
	}

	RegistryLock();
	t = TopicLookupById(id_out);
	if (t >= 0)
		TopicRemove(t);
	RegistryUnlock();
	return TOPIC_OK;
}

/* ---------- partitions ---------- */

static TopicResult
TopicAddPartitions_locked(PGconn *conn, const char *name, size_t len, int32 new_total,
				   const TopicAssignment *assign, int32 nassign,
				   bool validate_only, char **msg)
{
	char		err[1024];
	uint8		id[16];
	int32		current;
	TopicConfig config;
	int			t;
	CatalogPartition *parts;
	TopicResult r;
	int32	   *leaders;

	*msg = NULL;
	RegistryLock();
	t = TopicLookupByName(name, len);
	if (t >= 0)
	{
		memcpy(id, TopicGet(t)->id, 16);
		current = TopicGet(t)->num_partitions;
		config = TopicGet(t)->config;
	}
	RegistryUnlock();
	if (t < 0)
	{
		*msg = pstrdup("This server does not host this topic.");
		return TOPIC_NOT_FOUND;
	}
	if (new_total <= current)
	{
		*msg = psprintf("Topic currently has %d partitions, which is higher than the requested %d.",
						current, new_total);
		if (new_total == current)
			*msg = psprintf("Topic already has %d partitions.", current);
		return TOPIC_INVALID_PARTITIONS;
	}
	if (new_total > PartitionCapacity())
	{
		*msg = psprintf("%d partitions are more than this broker can hold (max_partitions = %d)",
						new_total, PartitionCapacity());
		return TOPIC_INVALID_PARTITIONS;
	}
	if (nassign > 0 && nassign != new_total - current)
	{
		*msg = psprintf("Increasing the number of partitions by %d but %d assignments provided.",
						new_total - current, nassign);
		return TOPIC_INVALID_ASSIGNMENT;
	}
	if (validate_only)
		return TOPIC_OK;

	leaders = palloc(sizeof(int32) * (size_t) (new_total - current));
	r = place_partitions(conn, new_total - current, assign, nassign, leaders, msg);
	if (r != TOPIC_OK)
		return r;
	if (!CatalogAddPartitions(conn, id, current, new_total, leaders, (int32) broker_id, &parts,
							  err, sizeof(err)))
		return catalog_failed(err, msg);
	r = install_topic(name, len, id, &config, new_total, parts, new_total - current, msg);
	pfree(parts);
	return r;
}

/* ---------- configs ---------- */

static TopicResult
TopicAlterConfigs_locked(PGconn *conn, const char *name, size_t len,
				  const TopicConfigEntry *entries, int n,
				  bool incremental, bool validate_only, char **msg)
{
	char		err[1024];
	TopicConfig config;
	uint8		id[16];
	int			t;
	TopicResult r;
	CatalogTopicConfig *cconfigs;
	bool		ok;

	*msg = NULL;
	RegistryLock();
	t = TopicLookupByName(name, len);
	if (t >= 0)
	{
		memcpy(id, TopicGet(t)->id, 16);
		config = TopicGet(t)->config;
	}
	RegistryUnlock();
	if (t < 0)
	{
		*msg = pstrdup("This server does not host this topic.");
		return TOPIC_NOT_FOUND;
	}
	if (!incremental)
		TopicConfigDefaults(&config);
	r = TopicConfigApply(&config, entries, n, msg);
	if (r != TOPIC_OK || validate_only)
		return r;

	cconfigs = catalog_configs(entries, n);
	ok = CatalogAlterTopicConfigs(conn, id, !incremental, cconfigs, n, err, sizeof(err));
	free_catalog_configs(cconfigs, n);
	if (!ok)
		return catalog_failed(err, msg);

	RegistryLock();
	t = TopicLookupById(id);
	if (t >= 0)
		TopicGet(t)->config = config;
	RegistryUnlock();
	return TOPIC_OK;
}

/* ---------- loading ---------- */

/*
 * The streams this broker has open (led here, opened with a registry epoch):
 * ids and epochs (palloc'd, *n), which a load must not open again while the
 * catalog still has them at that epoch.  Takes RegistryLock.
 */
static int64 *
registry_open_streams(int64 **epochs, int *n)
{
	int			cap = 64;
	int64	   *ids = palloc(sizeof(int64) * (size_t) cap);

	*epochs = palloc(sizeof(int64) * (size_t) cap);
	*n = 0;
	RegistryLock();
	for (int i = 0; i < PartitionCapacity(); i++)
	{
		StrataPartition *p = PartitionGet(i);

		if (p->state != TOPIC_LIVE || !PartitionServedHere(p))
			continue;
		if (*n == cap)
		{
			cap *= 2;
			ids = repalloc(ids, sizeof(int64) * (size_t) cap);
			*epochs = repalloc(*epochs, sizeof(int64) * (size_t) cap);
		}
		ids[*n] = p->stream_id;
		(*epochs)[*n] = p->stream_epoch;
		(*n)++;
	}
	RegistryUnlock();
	return ids;
}

/* A topic's configs as loaded: the defaults, then the catalog's values. */
static void
loaded_config(const CatalogTopic *ct, TopicConfig *config)
{
	TopicConfigDefaults(config);
	for (int c = 0; c < ct->nconfigs; c++)
	{
		TopicConfigEntry e;
		char	   *ignored;

		e.name = ct->configs[c].name;
		e.name_len = strlen(e.name);
		e.value = ct->configs[c].value;
		e.value_len = e.value ? strlen(e.value) : 0;
		if (config_apply_one(config, &e, &ignored) != TOPIC_OK)
			elog(WARNING, "topic \"%s\": ignoring config %s = %s from the catalog: %s",
				 ct->name, e.name, e.value ? e.value : "(null)", ignored);
	}
}

/* Whether the registry has cp open here at its epoch; RegistryLock held. */
static bool
open_here(int topic, const CatalogPartition *cp)
{
	int			idx = PartitionLookup(topic, cp->index);
	StrataPartition *p;

	if (idx < 0)
		return false;
	p = PartitionGet(idx);
	return p->stream_id == cp->stream_id && p->stream_epoch == cp->stream_epoch &&
		p->leader_id == (int32) broker_id;
}

/*
 * Mirror a loaded catalog into the registry: install every topic and
 * partition, drop the topics that are gone.  Takes RegistryLock.
 *
 *  - a partition this broker leads and has just opened (new here, moved
 *    here, taken over from a fenced broker) starts at the catalog's end
 *    offset (or what the WAL holds beyond it after a restart), whatever
 *    the registry or the WAL log cache held of an earlier time it was
 *    led here;
 *  - a partition another broker leads is installed with stream epoch 0:
 *    requests for it get NOT_LEADER_OR_FOLLOWER; so is one the catalog
 *    says this broker leads that the load did not open (it moved here
 *    between the load's statements) until the next load opens it;
 *  - a partition this broker leads that has a move target is frozen for
 *    the hand-off (the uploader completes it; *handoffs is set); one whose
 *    move was cancelled is thawed.
 */
static void
install_loaded(const CatalogTopicSet *set, bool *handoffs)
{
	bool	   *seen;

	RegistryLock();
	seen = palloc0(sizeof(bool) * (size_t) TopicCapacity());
	for (int i = 0; i < set->ntopics; i++)
	{
		const CatalogTopic *ct = &set->topics[i];
		TopicConfig config;
		int			t;

		loaded_config(ct, &config);
		t = TopicInstall(ct->name, strlen(ct->name), ct->id, &config, ct->num_partitions);
		if (t < 0)
		{
			elog(WARNING, "topic \"%s\" not loaded: the partition registry is full; raise max_partitions", ct->name);
			continue;
		}
		seen[t] = true;
	}
	*handoffs = false;
	for (int i = 0; i < set->npartitions; i++)
	{
		const CatalogPartition *cp = &set->partitions[i];
		int			t = TopicLookupById(cp->topic_id);
		int64		end = cp->end_offset;
		int64		wal_next;
		bool		mine = cp->leader == (int32) broker_id;
		int			idx;

		if (t < 0)
			continue;
		/* The WAL may hold more of the stream than objects do (a restart). */
		if (mine && LogCacheStreamEnd((uint64) cp->stream_id, &wal_next, NULL) && wal_next > end)
			end = wal_next;
		/* Before the registry says it is led here: no stale end is seen. */
		if (mine && cp->opened_now)
			LogCacheStreamReopen((uint64) cp->stream_id, end);
		/*
		 * Writable (a stream epoch) only if this broker has it open at that
		 * epoch already.  One opened just now stays unwritable (epoch 0)
		 * until PartitionOpened sets its end and epoch together under its
		 * append lock: else a Produce in between appends at the end the
		 * registry held from before (0 for a broker new to it).  So does
		 * one the catalog says is ours that this load did not open: it
		 * moved here between the load's statements (each sees the catalog
		 * as of its start), and the load its move's notification brings
		 * opens it.
		 */
		idx = PartitionInstall(t, cp->index, cp->stream_id,
							   mine && !cp->opened_now && open_here(t, cp) ? cp->stream_epoch : 0,
							   cp->leader, cp->leader_epoch, cp->start_offset, end);
		if (idx < 0)
		{
			elog(WARNING, "partition %d of topic \"%s\" not loaded: the partition registry is full; raise max_partitions",
				 cp->index, TopicGet(t)->name);
			continue;
		}
		if (mine && cp->opened_now)
		{
			PartitionOpened(idx, cp->stream_epoch, cp->leader_epoch, cp->start_offset, end);
			elog(DEBUG1, "opened partition %d of topic \"%s\" (stream %lld, epoch %lld, leader epoch %d) at offset %lld",
				 cp->index, TopicGet(t)->name, (long long) cp->stream_id, (long long) cp->stream_epoch,
				 cp->leader_epoch, (long long) end);
		}
		if (mine && cp->target_broker >= 0 && PartitionGet(idx)->target_broker != cp->target_broker)
		{
			PartitionSetHandoff(idx, cp->target_broker);
			elog(LOG, "handing partition %d of topic \"%s\" off to broker %d",
				 cp->index, TopicGet(t)->name, cp->target_broker);
		}
		else if (mine && cp->target_broker < 0 && PartitionGet(idx)->target_broker >= 0)
		{
			PartitionSetHandoff(idx, -1);
			elog(LOG, "the move of partition %d of topic \"%s\" was cancelled; serving it again",
				 cp->index, TopicGet(t)->name);
		}
		if (mine && cp->target_broker >= 0)
			*handoffs = true;
	}
	/* Topics that are gone from the catalog. */
	for (int t = 0; t < TopicCapacity(); t++)
		if (TopicGet(t)->state == TOPIC_LIVE && !seen[t])
			TopicRemove(t);
	RegistryUnlock();
	pfree(seen);
}

/*
 * The catalog first (opening the partitions we lead and do not have open),
 * then, for what we opened, the idempotent producers' state, then the
 * registry.  first: the first load since shared memory was made, right
 * after ProducerStateRecover loaded that state (with what our WAL adds).
 */
static bool
TopicsLoad_locked(PGconn *conn, bool first, bool *handoffs, char *err, size_t errlen)
{
	CatalogTopicSet set;
	int64	   *open,
			   *open_epochs;
	int			nopen;
	bool		ok;

	open = registry_open_streams(&open_epochs, &nopen);
	ok = CatalogLoadTopics(conn, (int32) broker_id, open, open_epochs, nopen, &set, err, errlen);
	pfree(open);
	pfree(open_epochs);
	if (!ok)
		return false;
	if (!first)
	{
		uint64	   *sids = palloc(sizeof(uint64) * (size_t) Max(set.npartitions, 1));
		int			n = 0;

		for (int i = 0; i < set.npartitions; i++)
			if (set.partitions[i].opened_now)
				sids[n++] = (uint64) set.partitions[i].stream_id;
		ok = n == 0 || ProducerStateLoadSnapshots(conn, sids, n, err, errlen);
		pfree(sids);
		if (!ok)
		{
			CatalogFreeTopicSet(&set);
			return false;
		}
	}
	if (set.has_cluster_id)
	{
		char		b64[32];

		encode_cluster_id(set.cluster_id, b64);
		RegistrySetClusterId(b64);
	}
	install_loaded(&set, handoffs);
	CatalogFreeTopicSet(&set);
	return true;
}

/* ---------- entry points: serialised by RegistryChangeLock ---------- */

TopicResult
TopicCreate(PGconn *conn, const char *name, size_t len,
			int32 partitions, int16 replication_factor,
			const TopicAssignment *assign, int32 nassign,
			const TopicConfigEntry *configs, int nconfigs,
			bool validate_only, uint8 id_out[16], char **msg)
{
	TopicResult r;

	RegistryChangeLock();
	r = TopicCreate_locked(conn, name, len, partitions, replication_factor, assign, nassign,
						   configs, nconfigs, validate_only, id_out, msg);
	RegistryChangeUnlock();
	return r;
}

TopicResult
TopicDelete(PGconn *conn, const char *name, size_t len, const uint8 *id,
			uint8 id_out[16], char **msg)
{
	TopicResult r;

	RegistryChangeLock();
	r = TopicDelete_locked(conn, name, len, id, id_out, msg);
	RegistryChangeUnlock();
	return r;
}

TopicResult
TopicAddPartitions(PGconn *conn, const char *name, size_t len, int32 new_total,
				   const TopicAssignment *assign, int32 nassign,
				   bool validate_only, char **msg)
{
	TopicResult r;

	RegistryChangeLock();
	r = TopicAddPartitions_locked(conn, name, len, new_total, assign, nassign, validate_only, msg);
	RegistryChangeUnlock();
	return r;
}

TopicResult
TopicAlterConfigs(PGconn *conn, const char *name, size_t len,
				  const TopicConfigEntry *entries, int n,
				  bool incremental, bool validate_only, char **msg)
{
	TopicResult r;

	RegistryChangeLock();
	r = TopicAlterConfigs_locked(conn, name, len, entries, n, incremental, validate_only, msg);
	RegistryChangeUnlock();
	return r;
}

bool
TopicsLoad(PGconn *conn, bool first, bool *handoffs, char *err, size_t errlen)
{
	bool		ok;

	RegistryChangeLock();
	ok = TopicsLoad_locked(conn, first, handoffs, err, errlen);
	RegistryChangeUnlock();
	return ok;
}
