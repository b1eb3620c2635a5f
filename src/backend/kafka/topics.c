/*-------------------------------------------------------------------------
 *
 * topics.c
 *	  Topic management in the catalog, mirrored into the shared-memory
 *	  registry (see kafka/topics.h).
 *
 *	  The catalog is changed first, in one transaction; the registry is
 *	  updated only after the commit, so a crash in between leaves the
 *	  catalog right and the registry is reloaded from it at the next start
 *	  (and by the catalog worker on the NOTIFY the change sends).
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
#include "kafka/partition.h"
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

static bool
parse_uuid(const char *text, uint8 out[16])
{
	int			n = 0;

	for (const char *p = text; *p && n < 32; p++)
	{
		int			v;

		if (*p == '-')
			continue;
		if (!isxdigit((unsigned char) *p))
			return false;
		v = isdigit((unsigned char) *p) ? *p - '0' : (tolower((unsigned char) *p) - 'a' + 10);
		if (n % 2 == 0)
			out[n / 2] = (uint8) (v << 4);
		else
			out[n / 2] |= (uint8) v;
		n++;
	}
	return n == 32;
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

static char *
format_uuid(const uint8 id[16])
{
	return psprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7],
					id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]);
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
	const char *params[1];
	PGresult   *res;
	int			n;

	params[0] = format_uuid(id);
	res = CatalogQuery(conn, "SELECT name, value FROM strata.topic_configs WHERE topic_id = $1::uuid",
					   1, params, err, sizeof(err));
	if (res == NULL)
	{
		elog(LOG, "%s", err);
		*msg = pstrdup("The catalog could not be read; see the broker's log");
		return -1;
	}
	n = PQntuples(res);
	*names = palloc(sizeof(char *) * (size_t) Max(n, 1));
	*values = palloc(sizeof(char *) * (size_t) Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		(*names)[i] = pstrdup(PQgetvalue(res, i, 0));
		(*values)[i] = PQgetisnull(res, i, 1) ? NULL : pstrdup(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	return n;
}

/* ---------- catalog helpers ---------- */

static TopicResult
catalog_failed(PGconn *conn, const char *err, char **msg)
{
	elog(LOG, "%s", err);
	*msg = pstrdup("The catalog could not be updated; see the broker's log");
	/* Leave no transaction open on this connection. */
	PQclear(PQexec(conn, "ROLLBACK"));
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

	if (conn == NULL || PQtransactionStatus(conn) == PQTRANS_IDLE)
		return;
	if (PQtransactionStatus(conn) == PQTRANS_INTRANS || PQtransactionStatus(conn) == PQTRANS_INERROR)
		PQclear(PQexec(conn, "ROLLBACK"));
	else
	{
		/* busy or broken: start afresh on the next use */
		PQfinish(conn);
		backend_catalog_conn = NULL;
	}
}

/* ---------- create ---------- */

/* Install partitions [0, n) of a topic from a result of (index, stream_id, epoch). */
static TopicResult
install_topic(const char *name, size_t len, const uint8 id[16], const TopicConfig *config,
			  int32 total, PGresult *parts, char **msg)
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
	for (int i = 0; i < PQntuples(parts); i++)
	{
		int32		index = atoi(PQgetvalue(parts, i, 0));
		int64		stream = atoll(PQgetvalue(parts, i, 1));
		int64		epoch = atoll(PQgetvalue(parts, i, 2));

		if (PartitionInstall(t, index, stream, epoch, (int32) broker_id, 0, 0, 0) < 0)
		{
			RegistryUnlock();
			*msg = pstrdup("The broker's partition registry is full: raise max_partitions");
			return TOPIC_REGISTRY_FULL;
		}
	}
	RegistryUnlock();
	return TOPIC_OK;
}

static TopicResult
TopicCreate_locked(PGconn *conn, const char *name, size_t len,
			int32 partitions, int16 replication_factor,
			const TopicConfigEntry *configs, int nconfigs,
			bool validate_only, uint8 id_out[16], char **msg)
{
	TopicConfig config;
	TopicResult r;
	char		err[1024];
	char	   *tname,
			   *nparts,
			   *leader;
	PGresult   *res;
	const char *params[3];

	*msg = NULL;
	if (!TopicNameValid(name, len, msg))
		return TOPIC_INVALID_NAME;
	if (partitions == -1)
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

	tname = pnstrdup(name, len);
	nparts = psprintf("%d", partitions);
	leader = psprintf("%lld", (long long) broker_id);
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, sizeof(err)))
		return catalog_failed(conn, err, msg);
	params[0] = tname;
	res = PQexecParams(conn, "INSERT INTO strata.topics (name) VALUES ($1) "
					   "ON CONFLICT (name) DO NOTHING RETURNING id::text",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		snprintf(err, sizeof(err), "catalog query failed: %s", PQerrorMessage(conn));
		PQclear(res);
		return catalog_failed(conn, err, msg);
	}
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		*msg = psprintf("Topic '%s' already exists.", tname);
		return TOPIC_EXISTS;
	}
	parse_uuid(PQgetvalue(res, 0, 0), id_out);
	{
		char	   *idtext = pstrdup(PQgetvalue(res, 0, 0));

		PQclear(res);
		for (int i = 0; i < nconfigs; i++)
		{
			char	   *cname = pnstrdup(configs[i].name, configs[i].name_len);
			char	   *cval = configs[i].value ? pnstrdup(configs[i].value, configs[i].value_len) : NULL;
			const char *p3[3] = {idtext, cname, cval};

			if (!CatalogExec(conn, "INSERT INTO strata.topic_configs (topic_id, name, value) VALUES ($1, $2, $3) "
							 "ON CONFLICT (topic_id, name) DO UPDATE SET value = EXCLUDED.value",
							 3, p3, err, sizeof(err)))
				return catalog_failed(conn, err, msg);
		}
		params[0] = idtext;
		params[1] = nparts;
		params[2] = leader;
		res = CatalogQuery(conn,
						   "WITH s AS (INSERT INTO strata.streams (epoch, state) "
						   "           SELECT 1, 'opened' FROM generate_series(1, $2::int) RETURNING id, epoch) "
						   "INSERT INTO strata.partitions (topic_id, index, stream_id, leader, leader_epoch) "
						   "SELECT $1::uuid, (row_number() OVER (ORDER BY id))::int - 1, id, $3::int, 0 FROM s "
						   "RETURNING index, stream_id, 1",
						   3, params, err, sizeof(err));
		if (res == NULL)
			return catalog_failed(conn, err, msg);
	}
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, sizeof(err)))
	{
		PQclear(res);
		return catalog_failed(conn, err, msg);
	}
	r = install_topic(name, len, id_out, &config, partitions, res, msg);
	PQclear(res);
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
	PGresult   *res;
	const char *params[1];
	char	   *key;
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
	key = format_uuid(id_out);
	params[0] = key;
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, sizeof(err)))
		return catalog_failed(conn, err, msg);
	if (!CatalogExec(conn,
					 "UPDATE strata.streams SET state = 'deleted' WHERE id IN "
					 "(SELECT stream_id FROM strata.partitions WHERE topic_id = $1::uuid)",
					 1, params, err, sizeof(err)))
		return catalog_failed(conn, err, msg);
	res = CatalogQuery(conn, "DELETE FROM strata.topics WHERE id = $1::uuid RETURNING name",
					   1, params, err, sizeof(err));
	if (res == NULL)
		return catalog_failed(conn, err, msg);
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, sizeof(err)))
	{
		PQclear(res);
		return catalog_failed(conn, err, msg);
	}
	if (PQntuples(res) > 0)
		elog(LOG, "deleted topic \"%s\"", PQgetvalue(res, 0, 0));
	PQclear(res);

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
				   bool validate_only, char **msg)
{
	char		err[1024];
	uint8		id[16];
	int32		current;
	TopicConfig config;
	int			t;
	PGresult   *res;
	const char *params[4];
	TopicResult r;

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
	if (validate_only)
		return TOPIC_OK;

	params[0] = format_uuid(id);
	params[1] = psprintf("%d", current);
	params[2] = psprintf("%d", new_total);
	params[3] = psprintf("%lld", (long long) broker_id);
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, sizeof(err)))
		return catalog_failed(conn, err, msg);
	res = CatalogQuery(conn,
					   "WITH s AS (INSERT INTO strata.streams (epoch, state) "
					   "           SELECT 1, 'opened' FROM generate_series($2::int + 1, $3::int) RETURNING id) "
					   "INSERT INTO strata.partitions (topic_id, index, stream_id, leader, leader_epoch) "
					   "SELECT $1::uuid, $2::int + (row_number() OVER (ORDER BY id))::int - 1, id, $4::int, 0 FROM s "
					   "RETURNING index, stream_id, 1",
					   4, params, err, sizeof(err));
	if (res == NULL)
		return catalog_failed(conn, err, msg);
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, sizeof(err)))
	{
		PQclear(res);
		return catalog_failed(conn, err, msg);
	}
	r = install_topic(name, len, id, &config, new_total, res, msg);
	PQclear(res);
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
	char	   *idtext;

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

	idtext = format_uuid(id);
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, sizeof(err)))
		return catalog_failed(conn, err, msg);
	if (!incremental)
	{
		const char *p1[1] = {idtext};

		if (!CatalogExec(conn, "DELETE FROM strata.topic_configs WHERE topic_id = $1::uuid",
						 1, p1, err, sizeof(err)))
			return catalog_failed(conn, err, msg);
	}
	for (int i = 0; i < n; i++)
	{
		char	   *cname = pnstrdup(entries[i].name, entries[i].name_len);
		char	   *cval = entries[i].value ? pnstrdup(entries[i].value, entries[i].value_len) : NULL;
		const char *p3[3] = {idtext, cname, cval};
		bool		ok;

		if (cval == NULL)
			ok = CatalogExec(conn, "DELETE FROM strata.topic_configs WHERE topic_id = $1::uuid AND name = $2",
							 2, p3, err, sizeof(err));
		else
			ok = CatalogExec(conn, "INSERT INTO strata.topic_configs (topic_id, name, value) VALUES ($1, $2, $3) "
							 "ON CONFLICT (topic_id, name) DO UPDATE SET value = EXCLUDED.value",
							 3, p3, err, sizeof(err));
		if (!ok)
			return catalog_failed(conn, err, msg);
	}
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, sizeof(err)))
		return catalog_failed(conn, err, msg);

	RegistryLock();
	t = TopicLookupById(id);
	if (t >= 0)
		TopicGet(t)->config = config;
	RegistryUnlock();
	return TOPIC_OK;
}

/* ---------- loading ---------- */

/*
 * Open the streams of partitions this broker leads that it does not have
 * open yet (not in the registry): epoch + 1, state opened.  From now on a
 * commit to such a stream by whoever held it before is refused.
 */
static bool
open_new_streams(PGconn *conn, char *err, size_t errlen)
{
	char	   *me = psprintf("%lld", (long long) broker_id);
	const char *params[2] = {me, NULL};
	PGresult   *res;
	char	   *list;
	size_t		len = 0,
				cap = 64;
	int			nnew = 0;

	res = CatalogQuery(conn, "SELECT stream_id FROM strata.partitions WHERE leader = $1::int",
					   1, params, err, errlen);
	if (res == NULL)
		return false;
	list = palloc(cap);
	list[len++] = '{';
	RegistryLock();
	for (int i = 0; i < PQntuples(res); i++)
	{
		const char *sid = PQgetvalue(res, i, 0);

		if (PartitionLookupByStream(atoll(sid)) >= 0)
			continue;
		while (len + strlen(sid) + 3 > cap)
		{
			cap *= 2;
			list = repalloc(list, cap);
		}
		if (nnew++ > 0)
			list[len++] = ',';
		memcpy(list + len, sid, strlen(sid));
		len += strlen(sid);
	}
	RegistryUnlock();
	list[len++] = '}';
	list[len] = '\0';
	PQclear(res);
	if (nnew == 0)
		return true;
	params[0] = list;
	return CatalogExec(conn,
					   "UPDATE strata.streams SET epoch = epoch + 1, state = 'opened' "
					   "WHERE id = ANY($1::bigint[])",
					   1, params, err, errlen);
}

static bool
TopicsLoad_locked(PGconn *conn, char *err, size_t errlen)
{
	PGresult   *topics,
			   *configs,
			   *parts;
	char	   *me = psprintf("%lld", (long long) broker_id);
	const char *params[1] = {me};
	bool	   *seen;

	/*
	 * Claim and open the partitions that are ours or nobody's: bump the
	 * stream epoch of those this broker does not have open yet.  Streams
	 * already open here keep their epoch.
	 */
	if (!CatalogExec(conn, "BEGIN", 0, NULL, err, errlen))
		return false;
	if (!CatalogExec(conn,
					 "UPDATE strata.partitions SET leader = $1::int, leader_epoch = leader_epoch + 1 "
					 "WHERE leader IS NULL",
					 1, params, err, errlen))
		goto fail;
	if (!open_new_streams(conn, err, errlen))
		goto fail;
	{
		PGresult   *cl = CatalogQuery(conn, "SELECT id::text FROM strata.cluster", 0, NULL, err, errlen);
		uint8		cid[16];
		char		b64[32];

		if (cl == NULL)
			goto fail;
		if (PQntuples(cl) == 1 && parse_uuid(PQgetvalue(cl, 0, 0), cid))
		{
			encode_cluster_id(cid, b64);
			RegistrySetClusterId(b64);
		}
		PQclear(cl);
	}
	topics = CatalogQuery(conn,
						  "SELECT id::text, name, (SELECT count(*) FROM strata.partitions p WHERE p.topic_id = t.id) "
						  "FROM strata.topics t ORDER BY name", 0, NULL, err, errlen);
	if (topics == NULL)
		goto fail;
	configs = CatalogQuery(conn, "SELECT topic_id::text, name, value FROM strata.topic_configs",
						   0, NULL, err, errlen);
	if (configs == NULL)
	{
		PQclear(topics);
		goto fail;
	}
	parts = CatalogQuery(conn,
						 "SELECT p.topic_id::text, p.index, p.stream_id, s.epoch, p.leader, p.leader_epoch, "
						 "       s.start_offset, s.end_offset, s.state "
						 "FROM strata.partitions p JOIN strata.streams s ON s.id = p.stream_id",
						 0, NULL, err, errlen);
	if (parts == NULL)
	{
		PQclear(topics);
		PQclear(configs);
		goto fail;
	}

	RegistryLock();
	seen = palloc0(sizeof(bool) * (size_t) TopicCapacity());
	for (int i = 0; i < PQntuples(topics); i++)
	{
		uint8		id[16];
		TopicConfig config;
		const char *name = PQgetvalue(topics, i, 1);
		int			t;

		parse_uuid(PQgetvalue(topics, i, 0), id);
		TopicConfigDefaults(&config);
		for (int c = 0; c < PQntuples(configs); c++)
		{
			TopicConfigEntry e;
			char	   *ignored;

			if (strcmp(PQgetvalue(configs, c, 0), PQgetvalue(topics, i, 0)) != 0)
				continue;
			e.name = PQgetvalue(configs, c, 1);
			e.name_len = strlen(e.name);
			e.value = PQgetisnull(configs, c, 2) ? NULL : PQgetvalue(configs, c, 2);
			e.value_len = e.value ? strlen(e.value) : 0;
			if (config_apply_one(&config, &e, &ignored) != TOPIC_OK)
				elog(WARNING, "topic \"%s\": ignoring config %s = %s from the catalog: %s",
					 name, e.name, e.value ? e.value : "(null)", ignored);
		}
		t = TopicInstall(name, strlen(name), id, &config, atoi(PQgetvalue(topics, i, 2)));
		if (t < 0)
		{
			elog(WARNING, "topic \"%s\" not loaded: the partition registry is full; raise max_partitions", name);
			continue;
		}
		seen[t] = true;
	}
	for (int i = 0; i < PQntuples(parts); i++)
	{
		uint8		id[16];
		int			t;
		int32		index = atoi(PQgetvalue(parts, i, 1));
		int64		stream = atoll(PQgetvalue(parts, i, 2));
		int64		epoch = atoll(PQgetvalue(parts, i, 3));
		int32		leader = PQgetisnull(parts, i, 4) ? -1 : atoi(PQgetvalue(parts, i, 4));
		int32		leader_epoch = atoi(PQgetvalue(parts, i, 5));
		int64		start = atoll(PQgetvalue(parts, i, 6));
		int64		end = atoll(PQgetvalue(parts, i, 7));

		parse_uuid(PQgetvalue(parts, i, 0), id);
		t = TopicLookupById(id);
		if (t < 0)
			continue;
		/* The WAL may hold more of the stream than objects do. */
		{
			int64		wal_next;

			if (LogCacheStreamEnd((uint64) stream, &wal_next, NULL) && wal_next > end)
				end = wal_next;
		}
		if (PartitionInstall(t, index, stream, epoch, leader, leader_epoch, start, end) < 0)
			elog(WARNING, "partition %d of topic \"%s\" not loaded: the partition registry is full; raise max_partitions",
				 index, TopicGet(t)->name);
	}
	/* Topics that are gone from the catalog. */
	for (int t = 0; t < TopicCapacity(); t++)
		if (TopicGet(t)->state == TOPIC_LIVE && !seen[t])
			TopicRemove(t);
	RegistryUnlock();
	pfree(seen);
	PQclear(topics);
	PQclear(configs);
	PQclear(parts);
	return CatalogExec(conn, "COMMIT", 0, NULL, err, errlen);

fail:
	PQclear(PQexec(conn, "ROLLBACK"));
	return false;
}

/* ---------- entry points: serialised by RegistryChangeLock ---------- */

TopicResult
TopicCreate(PGconn *conn, const char *name, size_t len,
			int32 partitions, int16 replication_factor,
			const TopicConfigEntry *configs, int nconfigs,
			bool validate_only, uint8 id_out[16], char **msg)
{
	TopicResult r;

	RegistryChangeLock();
	r = TopicCreate_locked(conn, name, len, partitions, replication_factor, configs, nconfigs,
						   validate_only, id_out, msg);
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
				   bool validate_only, char **msg)
{
	TopicResult r;

	RegistryChangeLock();
	r = TopicAddPartitions_locked(conn, name, len, new_total, validate_only, msg);
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
TopicsLoad(PGconn *conn, char *err, size_t errlen)
{
	bool		ok;

	RegistryChangeLock();
	ok = TopicsLoad_locked(conn, err, errlen);
	RegistryChangeUnlock();
	return ok;
}
