/*-------------------------------------------------------------------------
 *
 * migrate.c
 *	  The catalog's schema and its numbered migrations.
 *
 *	  The schema "strata" is built by an ordered list of migrations, each a
 *	  SQL script with a number and a name.  strata.schema_version records
 *	  the ones applied.  CatalogMigrate applies the missing ones, each in its
 *	  own transaction that first takes a transaction-level advisory lock:
 *	  several brokers (and strata_ctl init) may start against one catalog at
 *	  the same moment, and the lock makes exactly one of them apply each
 *	  migration while the others wait and then find it done.
 *
 *	  A catalog whose version is higher than the highest migration compiled
 *	  in here was upgraded by a newer Strata; an older binary refuses it
 *	  rather than misread tables it does not know.
 *
 *	  Later issues add their tables (objects, groups, producer ids, metrics)
 *	  by appending migrations to the list; a migration once released is
 *	  never edited.  The SQL lives in this file, so the binary needs no
 *	  installed data files to set up a catalog.
 *
 * src/backend/catalog/migrate.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog.h"

/* pg_advisory_xact_lock key serialising migrations ("STRATMIG" in ASCII). */
#define MIGRATE_LOCK_KEY	"6004233789011331399"

typedef struct CatalogMigration
{
	int			version;
	const char *name;
	const char *sql;
} CatalogMigration;

/*
 * Migration 1: the cluster, brokers, topics, partitions and streams, the
 * operator views and the NOTIFY triggers.
 *
 * brokers.lease_expires is the heart of liveness: a broker renews it every
 * broker_lease_time/3; one whose lease has passed is considered dead even if
 * its state still says 'alive'.  epoch is bumped on every start (and by
 * whoever fences the broker), and every later write the broker makes is
 * conditional on its epoch, so a zombie cannot overwrite its successor.
 *
 * NOTIFY: brokers send on strata_brokers when a broker row is added,
 * removed, or changes state, epoch or address (not on every lease renewal,
 * which would wake every broker three times per lease);
 * strata_partitions when a partition's leader or target changes.  The
 * payload is a small JSON object naming the row.
 */
static const char migration_001[] =
"CREATE TABLE strata.cluster (\n"
"    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n"
"    created timestamptz NOT NULL DEFAULT now(),\n"
"    one_row boolean NOT NULL DEFAULT true UNIQUE CHECK (one_row)\n"
");\n"
"INSERT INTO strata.cluster DEFAULT VALUES;\n"
"\n"
"CREATE TABLE strata.brokers (\n"
"    id integer PRIMARY KEY CHECK (id >= 0),\n"
"    listeners text NOT NULL,\n"
"    advertised_listeners text NOT NULL,\n"
"    rack text,\n"
"    host text NOT NULL,\n"
"    data_dir text NOT NULL,\n"
"    pid integer,\n"
"    state text NOT NULL DEFAULT 'starting'\n"
"        CHECK (state IN ('starting', 'alive', 'stopping', 'stopped', 'fenced')),\n"
"    epoch bigint NOT NULL DEFAULT 0,\n"
"    lease_expires timestamptz,\n"
"    wal_device text,\n"
"    last_heartbeat timestamptz,\n"
"    registered timestamptz NOT NULL DEFAULT now()\n"
");\n"
"\n"
"CREATE TABLE strata.topics (\n"
"    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n"
"    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 249),\n"
"    internal boolean NOT NULL DEFAULT false,\n"
"    created timestamptz NOT NULL DEFAULT now()\n"
");\n"
"\n"
"CREATE TABLE strata.topic_configs (\n"
"    topic_id uuid NOT NULL REFERENCES strata.topics ON DELETE CASCADE,\n"
"    name text NOT NULL,\n"
"    value text,\n"
"    PRIMARY KEY (topic_id, name)\n"
");\n"
"\n"
"CREATE TABLE strata.streams (\n"
"    id bigserial PRIMARY KEY,\n"
"    epoch bigint NOT NULL DEFAULT 0,\n"
"    start_offset bigint NOT NULL DEFAULT 0 CHECK (start_offset >= 0),\n"
"    end_offset bigint NOT NULL DEFAULT 0,\n"
"    state text NOT NULL DEFAULT 'closed' CHECK (state IN ('opened', 'closed', 'deleted')),\n"
"    CHECK (end_offset >= start_offset)\n"
");\n"
"\n"
"CREATE TABLE strata.partitions (\n"
"    topic_id uuid NOT NULL REFERENCES strata.topics ON DELETE CASCADE,\n"
"    index integer NOT NULL CHECK (index >= 0),\n"
"    stream_id bigint NOT NULL UNIQUE REFERENCES strata.streams,\n"
"    leader integer REFERENCES strata.brokers ON DELETE SET NULL,\n"
"    leader_epoch integer NOT NULL DEFAULT 0,\n"
"    target_broker integer REFERENCES strata.brokers ON DELETE SET NULL,\n"
"    PRIMARY KEY (topic_id, index)\n"
");\n"
"CREATE INDEX partitions_leader ON strata.partitions (leader);\n"
"\n"
"CREATE VIEW strata.broker_status AS\n"
"SELECT b.id, b.state, b.epoch, b.listeners, b.advertised_listeners, b.rack,\n"
"       b.host, b.data_dir, b.pid, b.lease_expires,\n"
"       (b.state IN ('starting', 'alive') AND coalesce(b.lease_expires > now(), false)) AS live,\n"
"       now() - b.last_heartbeat AS since_heartbeat,\n"
"       (SELECT count(*) FROM strata.partitions p WHERE p.leader = b.id) AS partitions_led\n"
"FROM strata.brokers b;\n"
"\n"
"CREATE VIEW strata.partition_placement AS\n"
"SELECT t.name AS topic, p.index AS partition, p.leader, p.leader_epoch,\n"
"       (b.state IN ('starting', 'alive') AND coalesce(b.lease_expires > now(), false)) AS leader_live,\n"
"       p.target_broker, p.stream_id, s.epoch AS stream_epoch,\n"
"       s.start_offset, s.end_offset, s.state AS stream_state\n"
"FROM strata.partitions p\n"
"JOIN strata.topics t ON t.id = p.topic_id\n"
"JOIN strata.streams s ON s.id = p.stream_id\n"
"LEFT JOIN strata.brokers b ON b.id = p.leader;\n"
"\n"
"CREATE FUNCTION strata.notify_broker_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"DECLARE r strata.brokers;\n"
"BEGIN\n"
"    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_BROKERS "',\n"
"        json_build_object('op', lower(TG_OP), 'id', r.id, 'state', r.state, 'epoch', r.epoch)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE TRIGGER brokers_notify_insdel AFTER INSERT OR DELETE ON strata.brokers\n"
"    FOR EACH ROW EXECUTE FUNCTION strata.notify_broker_change();\n"
"CREATE TRIGGER brokers_notify_update AFTER UPDATE ON strata.brokers\n"
"    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state\n"
"                    OR OLD.epoch IS DISTINCT FROM NEW.epoch\n"
"                    OR OLD.listeners IS DISTINCT FROM NEW.listeners\n"
"                    OR OLD.advertised_listeners IS DISTINCT FROM NEW.advertised_listeners)\n"
"    EXECUTE FUNCTION strata.notify_broker_change();\n"
"\n"
"CREATE FUNCTION strata.notify_partition_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"DECLARE r strata.partitions;\n"
"BEGIN\n"
"    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_PARTITIONS "',\n"
"        json_build_object('op', lower(TG_OP), 'topic_id', r.topic_id, 'partition', r.index,\n"
"                          'leader', r.leader, 'leader_epoch', r.leader_epoch,\n"
"                          'target_broker', r.target_broker)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE TRIGGER partitions_notify_insdel AFTER INSERT OR DELETE ON strata.partitions\n"
"    FOR EACH ROW EXECUTE FUNCTION strata.notify_partition_change();\n"
"CREATE TRIGGER partitions_notify_update AFTER UPDATE ON strata.partitions\n"
"    FOR EACH ROW WHEN (OLD.leader IS DISTINCT FROM NEW.leader\n"
"                    OR OLD.leader_epoch IS DISTINCT FROM NEW.leader_epoch\n"
"                    OR OLD.target_broker IS DISTINCT FROM NEW.target_broker)\n"
"    EXECUTE FUNCTION strata.notify_partition_change();\n";

/*
 * Migration 2: consumer groups and committed offsets (issue 7).
 *
 * Group membership itself lives in the coordinator's shared memory; the
 * catalog keeps what must survive a restart (the committed offsets, keyed
 * by topic name as Kafka keys them) and what operators look at: the
 * groups, the members as of each group's last completed rebalance, and the
 * lag of every committed offset behind the partition's end offset as the
 * catalog knows it (strata.streams.end_offset).  producer_ids hands out
 * idempotent producers' ids.
 */
static const char migration_002[] =
"CREATE TABLE strata.groups (\n"
"    group_id text PRIMARY KEY CHECK (length(group_id) BETWEEN 1 AND 255),\n"
"    protocol_type text,\n"
"    protocol text,\n"
"    generation integer NOT NULL DEFAULT 0,\n"
"    state text NOT NULL DEFAULT 'Empty',\n"
"    created timestamptz NOT NULL DEFAULT now(),\n"
"    updated timestamptz NOT NULL DEFAULT now()\n"
");\n"
"\n"
"CREATE TABLE strata.group_members (\n"
"    group_id text NOT NULL,\n"
"    member_id text NOT NULL,\n"
"    group_instance_id text,\n"
"    client_id text,\n"
"    client_host text,\n"
"    session_timeout_ms integer,\n"
"    rebalance_timeout_ms integer,\n"
"    generation integer,\n"
"    PRIMARY KEY (group_id, member_id)\n"
");\n"
"\n"
"CREATE TABLE strata.committed_offsets (\n"
"    group_id text NOT NULL,\n"
"    topic text NOT NULL,\n"
"    partition integer NOT NULL CHECK (partition >= 0),\n"
"    committed_offset bigint NOT NULL,\n"
"    leader_epoch integer,\n"
"    metadata text,\n"
"    commit_time timestamptz NOT NULL DEFAULT now(),\n"
"    PRIMARY KEY (group_id, topic, partition)\n"
");\n"
"\n"
"CREATE SEQUENCE strata.producer_ids START 1000;\n"
"\n"
"CREATE VIEW strata.group_offsets AS\n"
"SELECT o.group_id, o.topic, o.partition, o.committed_offset, o.leader_epoch,\n"
"       o.metadata, o.commit_time, s.end_offset AS log_end_offset,\n"
"       greatest(s.end_offset - o.committed_offset, 0) AS lag\n"
"FROM strata.committed_offsets o\n"
"LEFT JOIN strata.topics t ON t.name = o.topic\n"
"LEFT JOIN strata.partitions p ON p.topic_id = t.id AND p.index = o.partition\n"
"LEFT JOIN strata.streams s ON s.id = p.stream_id;\n"
"\n"
"CREATE VIEW strata.group_status AS\n"
"SELECT g.group_id, g.state, g.protocol_type, g.protocol, g.generation,\n"
"       (SELECT count(*) FROM strata.group_members m WHERE m.group_id = g.group_id) AS members,\n"
"       (SELECT count(*) FROM strata.committed_offsets o WHERE o.group_id = g.group_id) AS partitions,\n"
"       (SELECT sum(lag) FROM strata.group_offsets l WHERE l.group_id = g.group_id) AS total_lag,\n"
"       g.updated\n"
"FROM strata.groups g;\n";

/*
 * Migration 3: objects in object storage and the stream ranges they hold
 * (issue 6).
 *
 * An object's life: 'prepared' (a row exists, the object may or may not be
 * in the store yet; if its writer does not commit it by prepare_deadline it
 * is an orphan and is deleted) -> 'committed' (its stream ranges are
 * visible to readers) -> 'deleting' (no longer referenced: compacted,
 * below every stream's start offset, or of a deleted stream; removed from
 * the store after delete_after, then the row goes).  Because the row is
 * written before the object, the store never holds an object the catalog
 * does not know, so cleaning up never needs to list the bucket.
 *
 * stream_ranges: the part of a stream an object holds, [start_offset,
 * end_offset).  A stream's ranges do not overlap, except for a moment
 * inside the transaction that swaps compacted objects.
 *
 * streams.object_end_offset: everything of the stream below it is in
 * committed objects.  The uploader skips WAL records below it (a crash
 * between a commit and the WAL trim replays them).
 *
 * broker_uploads: what each broker's uploader last reported, for the
 * upload lag view.
 */
static const char migration_003[] =
"CREATE TABLE strata.objects (\n"
"    id bigserial PRIMARY KEY,\n"
"    key text NOT NULL UNIQUE,\n"
"    kind text NOT NULL CHECK (kind IN ('sso', 'so')),\n"
"    state text NOT NULL DEFAULT 'prepared' CHECK (state IN ('prepared', 'committed', 'deleting')),\n"
"    size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),\n"
"    broker_id integer,\n"
"    broker_epoch bigint,\n"
"    compactions integer NOT NULL DEFAULT 0,\n"
"    prepared timestamptz NOT NULL DEFAULT now(),\n"
"    prepare_deadline timestamptz NOT NULL,\n"
"    committed timestamptz,\n"
"    delete_after timestamptz\n"
");\n"
"CREATE INDEX objects_not_committed ON strata.objects (state, delete_after) WHERE state <> 'committed';\n"
"CREATE INDEX objects_kind ON strata.objects (kind, committed) WHERE state = 'committed';\n"
"\n"
"CREATE TABLE strata.stream_ranges (\n"
"    stream_id bigint NOT NULL,\n"
"    start_offset bigint NOT NULL CHECK (start_offset >= 0),\n"
"    end_offset bigint NOT NULL,\n"
"    object_id bigint NOT NULL REFERENCES strata.objects ON DELETE CASCADE,\n"
"    record_count bigint NOT NULL,\n"
"    bytes bigint NOT NULL,\n"
"    max_timestamp bigint NOT NULL,\n"
"    PRIMARY KEY (stream_id, start_offset, object_id),\n"
"    CHECK (end_offset > start_offset)\n"
");\n"
"CREATE INDEX stream_ranges_object ON strata.stream_ranges (object_id);\n"
"\n"
"ALTER TABLE strata.streams ADD COLUMN object_end_offset bigint NOT NULL DEFAULT 0;\n"
"\n"
"CREATE TABLE strata.broker_uploads (\n"
"    broker_id integer PRIMARY KEY,\n"
"    pending_bytes bigint NOT NULL DEFAULT 0,\n"
"    wal_trim_lsn bigint NOT NULL DEFAULT 0,\n"
"    wal_flushed_lsn bigint NOT NULL DEFAULT 0,\n"
"    last_upload timestamptz,\n"
"    last_error text,\n"
"    updated timestamptz NOT NULL DEFAULT now()\n"
");\n"
"\n"
"CREATE VIEW strata.topic_storage AS\n"
"SELECT t.name AS topic, count(DISTINCT r.object_id) AS objects,\n"
"       coalesce(sum(r.bytes), 0) AS bytes, coalesce(sum(r.record_count), 0) AS records\n"
"FROM strata.topics t\n"
"JOIN strata.partitions p ON p.topic_id = t.id\n"
"LEFT JOIN strata.stream_ranges r ON r.stream_id = p.stream_id\n"
"GROUP BY t.name;\n"
"\n"
"CREATE VIEW strata.stream_objects AS\n"
"SELECT t.name AS topic, p.index AS partition, s.id AS stream_id,\n"
"       s.start_offset, s.end_offset, s.object_end_offset,\n"
"       count(r.object_id) AS objects,\n"
"       count(r.object_id) FILTER (WHERE o.kind = 'so') AS stream_objects,\n"
"       coalesce(sum(r.bytes), 0) AS bytes\n"
"FROM strata.partitions p\n"
"JOIN strata.topics t ON t.id = p.topic_id\n"
"JOIN strata.streams s ON s.id = p.stream_id\n"
"LEFT JOIN strata.stream_ranges r ON r.stream_id = s.id\n"
"LEFT JOIN strata.objects o ON o.id = r.object_id\n"
"GROUP BY t.name, p.index, s.id;\n"
"\n"
"CREATE VIEW strata.upload_lag AS\n"
"SELECT b.id AS broker_id, u.pending_bytes, u.wal_flushed_lsn - u.wal_trim_lsn AS wal_untrimmed_bytes,\n"
"       u.last_upload, now() - u.last_upload AS since_last_upload, u.last_error, u.updated\n"
"FROM strata.brokers b LEFT JOIN strata.broker_uploads u ON u.broker_id = b.id;\n";

/*
 * Migration 4: producer snapshots (issue 7).  Per stream, the idempotent
 * producers' state (kafka/producer.h) up to end_offset, saved by the uploader in the
 * transaction that commits the uploaded data, so that producer state the
 * WAL no longer holds survives restarts.  snapshot is the binary format of
 * ProducerSnapshotEncode; producers is its entry count, for operators.
 */
static const char migration_004[] =
"CREATE TABLE strata.producer_snapshots (\n"
"    stream_id bigint PRIMARY KEY REFERENCES strata.streams ON DELETE CASCADE,\n"
"    end_offset bigint NOT NULL CHECK (end_offset >= 0),\n"
"    snapshot bytea NOT NULL,\n"
"    producers integer NOT NULL DEFAULT 0 CHECK (producers >= 0),\n"
"    updated timestamptz NOT NULL DEFAULT now()\n"
");\n";

/*
 * Migration 5: committed offsets' metadata as bytes (issue 19).  Kafka
 * stores an offset's metadata string as it came and returns it unchanged,
 * NUL bytes and invalid UTF-8 included; only its length is limited.  The
 * column becomes bytea; the rows already there keep the bytes the client
 * sent (they were converted to the server's encoding from the client
 * encoding the brokers use, which convert_to reverses).  The views that
 * show the column are recreated around the change, unchanged otherwise.
 */
static const char migration_005[] =
"DROP VIEW strata.group_status;\n"
"DROP VIEW strata.group_offsets;\n"
"ALTER TABLE strata.committed_offsets\n"
"    ALTER COLUMN metadata TYPE bytea USING convert_to(metadata, pg_client_encoding());\n"
"\n"
"CREATE VIEW strata.group_offsets AS\n"
"SELECT o.group_id, o.topic, o.partition, o.committed_offset, o.leader_epoch,\n"
"       o.metadata, o.commit_time, s.end_offset AS log_end_offset,\n"
"       greatest(s.end_offset - o.committed_offset, 0) AS lag\n"
"FROM strata.committed_offsets o\n"
"LEFT JOIN strata.topics t ON t.name = o.topic\n"
"LEFT JOIN strata.partitions p ON p.topic_id = t.id AND p.index = o.partition\n"
"LEFT JOIN strata.streams s ON s.id = p.stream_id;\n"
"\n"
"CREATE VIEW strata.group_status AS\n"
"SELECT g.group_id, g.state, g.protocol_type, g.protocol, g.generation,\n"
"       (SELECT count(*) FROM strata.group_members m WHERE m.group_id = g.group_id) AS members,\n"
"       (SELECT count(*) FROM strata.committed_offsets o WHERE o.group_id = g.group_id) AS partitions,\n"
"       (SELECT sum(lag) FROM strata.group_offsets l WHERE l.group_id = g.group_id) AS total_lag,\n"
"       g.updated\n"
"FROM strata.groups g;\n";

static const CatalogMigration migrations[] = {
	{1, "cluster, brokers, topics, partitions, streams", migration_001},
	{2, "consumer groups, committed offsets, producer ids", migration_002},
	{3, "objects, stream ranges, upload status", migration_003},
	{4, "idempotent producer snapshots", migration_004},
	{5, "committed offset metadata as bytea", migration_005},
};

/* The bookkeeping every migration run starts with; idempotent. */
static const char migrate_bootstrap[] =
"SET LOCAL client_min_messages = warning;\n"
"CREATE SCHEMA IF NOT EXISTS strata;\n"
"CREATE TABLE IF NOT EXISTS strata.schema_version (\n"
"    version integer PRIMARY KEY,\n"
"    name text NOT NULL,\n"
"    applied timestamptz NOT NULL DEFAULT now()\n"
");\n";

int
CatalogSchemaVersion(void)
{
	return migrations[lengthof(migrations) - 1].version;
}

int
CatalogCurrentVersion(PGconn *conn, char *err, size_t errlen)
{
	PGresult   *res;
	int			v;

	res = CatalogQuery(conn,
					   "SELECT CASE WHEN to_regclass('strata.schema_version') IS NULL THEN 0"
					   " ELSE (SELECT coalesce(max(version), 0) FROM strata.schema_version) END",
					   0, NULL, err, errlen);
	if (res == NULL)
		return -1;
	v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

static void
rollback(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "ROLLBACK");

	PQclear(res);
}

bool
CatalogMigrate(PGconn *conn, int *applied, char *err, size_t errlen)
{
	int			latest = CatalogSchemaVersion();
	int			napplied = 0;

	if (applied)
		*applied = 0;

	for (;;)
	{
		char		e[768];
		int			current;
		const CatalogMigration *m = NULL;
		char		vbuf[16];
		const char *params[2];

		/*
		 * One transaction per migration, all under the same advisory lock.
		 * CREATE SCHEMA/TABLE IF NOT EXISTS can still race on the system
		 * catalogs' unique indexes when run concurrently, so the bootstrap
		 * also runs under the lock.
		 */
		if (!CatalogExecScript(conn, "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", e, sizeof(e)) ||
			!CatalogExecScript(conn, migrate_bootstrap, e, sizeof(e)))
		{
			rollback(conn);
			snprintf(err, errlen, "could not prepare the catalog schema: %s", e);
			return false;
		}
		current = CatalogCurrentVersion(conn, e, sizeof(e));
		if (current < 0)
		{
			rollback(conn);
			snprintf(err, errlen, "could not read the catalog schema version: %s", e);
			return false;
		}
		if (current > latest)
		{
			rollback(conn);
			snprintf(err, errlen,
					 "the catalog schema is at version %d but this strata binary knows versions up to %d only; the catalog was upgraded by a newer Strata: run that version (or a newer one) instead",
					 current, latest);
			return false;
		}
		if (current == latest)
		{
			if (!CatalogExecScript(conn, "COMMIT", e, sizeof(e)))
			{
				rollback(conn);
				snprintf(err, errlen, "could not commit the catalog schema: %s", e);
				return false;
			}
			break;
		}
		for (size_t i = 0; i < lengthof(migrations); i++)
			if (migrations[i].version == current + 1)
				m = &migrations[i];
		if (m == NULL)
		{
			rollback(conn);
			snprintf(err, errlen, "catalog schema version %d has no migration to version %d in this binary",
					 current, current + 1);
			return false;
		}
		snprintf(vbuf, sizeof(vbuf), "%d", m->version);
		params[0] = vbuf;
		params[1] = m->name;
		if (!CatalogExecScript(conn, m->sql, e, sizeof(e)) ||
			!CatalogExec(conn, "INSERT INTO strata.schema_version (version, name) VALUES ($1, $2)",
						 2, params, e, sizeof(e)) ||
			!CatalogExecScript(conn, "COMMIT", e, sizeof(e)))
		{
			rollback(conn);
			snprintf(err, errlen, "catalog migration %d (%s) failed: %s", m->version, m->name, e);
			return false;
		}
		napplied++;
	}
	if (applied)
		*applied = napplied;
	return true;
}
