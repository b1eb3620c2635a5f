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
#include "catalog/catalog_balancer.h"

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

/*
 * Migration 6: the cluster (issue 15; doc/cluster.md).
 *
 * Liveness is one expression everywhere, strata.broker_live(): state
 * 'starting' or 'alive' and an unexpired lease.
 *
 * The controller: the broker whose balancer process holds the controller
 * advisory lock records itself in strata.cluster (controller,
 * controller_epoch), which every broker loads.
 *
 * Coordinator slots: a group's coordinator is the leader of slot
 * abs(java hashCode(group id)) % coordinator_slots, as Kafka maps groups
 * onto __consumer_offsets partitions; slots are led like partitions.
 *
 * Moves: strata.move_partition() records a request (partition_moves, state
 * 'pending') and sets the partition's target_broker; the leader hands the
 * partition off and, in the transaction that commits its tail, makes the
 * target the leader (leader_epoch + 1) and marks the move done.
 *
 * Failover: the controller fences a broker whose lease has expired (state
 * 'fenced', epoch + 1) and records a WAL recovery assigned to a live
 * broker, which uploads what the dead WAL holds beyond the objects and, in
 * the same transaction, hands the dead broker's partitions to live brokers
 * (strata.reassign_partitions).
 *
 * From this migration on, every statement can run again on a catalog that
 * already has it (IF NOT EXISTS, OR REPLACE, ON CONFLICT DO NOTHING): a
 * test of an earlier migration rewinds strata.schema_version below it and
 * lets the broker apply everything after again.
 */
static const char migration_006[] =
"CREATE OR REPLACE FUNCTION strata.broker_live(state text, lease_expires timestamptz) RETURNS boolean\n"
"    LANGUAGE sql STABLE AS\n"
"$$ SELECT state IN ('starting', 'alive') AND coalesce(lease_expires > now(), false) $$;\n"
"\n"
"ALTER TABLE strata.cluster\n"
"    ADD COLUMN IF NOT EXISTS controller integer,\n"
"    ADD COLUMN IF NOT EXISTS controller_epoch bigint NOT NULL DEFAULT 0,\n"
"    ADD COLUMN IF NOT EXISTS coordinator_slots integer NOT NULL DEFAULT 50 CHECK (coordinator_slots BETWEEN 1 AND 1000);\n"
"\n"
"ALTER TABLE strata.brokers\n"
"    ADD COLUMN IF NOT EXISTS bytes_in bigint NOT NULL DEFAULT 0,\n"
"    ADD COLUMN IF NOT EXISTS bytes_out bigint NOT NULL DEFAULT 0,\n"
"    ADD COLUMN IF NOT EXISTS bytes_in_rate double precision NOT NULL DEFAULT 0,\n"
"    ADD COLUMN IF NOT EXISTS bytes_out_rate double precision NOT NULL DEFAULT 0;\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.coordinator_slots (\n"
"    slot integer PRIMARY KEY CHECK (slot >= 0),\n"
"    leader integer REFERENCES strata.brokers ON DELETE SET NULL,\n"
"    leader_epoch integer NOT NULL DEFAULT 0\n"
");\n"
"INSERT INTO strata.coordinator_slots (slot) SELECT generate_series(0, 49) ON CONFLICT DO NOTHING;\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.partition_moves (\n"
"    id bigserial PRIMARY KEY,\n"
"    topic_id uuid NOT NULL,\n"
"    topic text NOT NULL,\n"
"    partition integer NOT NULL,\n"
"    from_broker integer,\n"
"    to_broker integer NOT NULL,\n"
"    reason text NOT NULL,\n"
"    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),\n"
"    requested timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
"    finished timestamptz,\n"
"    end_offset bigint\n"
");\n"
"CREATE UNIQUE INDEX IF NOT EXISTS partition_moves_one_pending ON strata.partition_moves (topic_id, partition)\n"
"    WHERE state = 'pending';\n"
"CREATE INDEX IF NOT EXISTS partition_moves_requested ON strata.partition_moves (requested);\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.wal_recoveries (\n"
"    broker_id integer NOT NULL,\n"
"    broker_epoch bigint NOT NULL,\n"
"    wal_device text NOT NULL,\n"
"    host text NOT NULL,\n"
"    assigned_to integer,\n"
"    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'superseded')),\n"
"    requested timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
"    finished timestamptz,\n"
"    records bigint,\n"
"    bytes bigint,\n"
"    last_error text,\n"
"    PRIMARY KEY (broker_id, broker_epoch)\n"
");\n"
"\n"
"/* The live broker (other than exclude) that leads, or is about to lead, the fewest partitions. */\n"
"CREATE OR REPLACE FUNCTION strata.least_loaded_broker(exclude integer DEFAULT NULL) RETURNS integer\n"
"    LANGUAGE sql STABLE AS $$\n"
"SELECT b.id FROM strata.brokers b\n"
"WHERE strata.broker_live(b.state, b.lease_expires) AND b.id IS DISTINCT FROM exclude\n"
"ORDER BY (SELECT count(*) FROM strata.partitions p WHERE coalesce(p.target_broker, p.leader) = b.id), b.id\n"
"LIMIT 1 $$;\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.move_partition(topic_name text, partition_index integer, broker integer,\n"
"                                      reason text DEFAULT 'operator') RETURNS bigint\n"
"    LANGUAGE plpgsql AS $$\n"
"DECLARE\n"
"    t uuid;\n"
"    p strata.partitions;\n"
"    b strata.brokers;\n"
"    l strata.brokers;\n"
"    m bigint;\n"
"BEGIN\n"
"    SELECT id INTO t FROM strata.topics WHERE name = topic_name;\n"
"    IF NOT FOUND THEN\n"
"        RAISE EXCEPTION 'topic \"%\" does not exist', topic_name USING ERRCODE = 'no_data_found';\n"
"    END IF;\n"
"    SELECT * INTO p FROM strata.partitions WHERE topic_id = t AND index = partition_index FOR UPDATE;\n"
"    IF NOT FOUND THEN\n"
"        RAISE EXCEPTION 'topic \"%\" has no partition %', topic_name, partition_index\n"
"            USING ERRCODE = 'no_data_found';\n"
"    END IF;\n"
"    SELECT * INTO b FROM strata.brokers WHERE id = broker;\n"
"    IF NOT FOUND THEN\n"
"        RAISE EXCEPTION 'broker % is not registered in this cluster', broker\n"
"            USING ERRCODE = 'undefined_object', HINT = 'strata.broker_status lists the brokers';\n"
"    END IF;\n"
"    IF NOT strata.broker_live(b.state, b.lease_expires) THEN\n"
"        RAISE EXCEPTION 'broker % is not live (state %, lease expired)', broker, b.state\n"
"            USING ERRCODE = 'object_not_in_prerequisite_state',\n"
"                  HINT = 'move the partition to a live broker (strata.broker_status)';\n"
"    END IF;\n"
"    IF p.leader IS NOT NULL THEN\n"
"        SELECT * INTO l FROM strata.brokers WHERE id = p.leader;\n"
"        IF NOT strata.broker_live(l.state, l.lease_expires) THEN\n"
"            RAISE EXCEPTION 'partition % of topic \"%\" is led by broker %, which is not live', partition_index, topic_name, p.leader\n"
"                USING ERRCODE = 'object_not_in_prerequisite_state',\n"
"                      HINT = 'the controller hands a dead broker''s partitions to live brokers once its lease has expired';\n"
"        END IF;\n"
"    END IF;\n"
"    IF p.leader = broker THEN\n"
"        /* Already there: cancel a move in flight, if any. */\n"
"        UPDATE strata.partition_moves SET state = 'cancelled', finished = clock_timestamp()\n"
"            WHERE topic_id = t AND partition = partition_index AND state = 'pending';\n"
"        UPDATE strata.partitions SET target_broker = NULL\n"
"            WHERE topic_id = t AND index = partition_index AND target_broker IS NOT NULL;\n"
"        RETURN NULL;\n"
"    END IF;\n"
"    IF p.leader IS NULL THEN\n"
"        /* Nobody leads it: no hand-off, the target opens it at once. */\n"
"        INSERT INTO strata.partition_moves (topic_id, topic, partition, from_broker, to_broker, reason, state, finished)\n"
"            VALUES (t, topic_name, partition_index, NULL, broker, reason, 'done', clock_timestamp())\n"
"            RETURNING id INTO m;\n"
"        UPDATE strata.partitions SET leader = broker, leader_epoch = leader_epoch + 1, target_broker = NULL\n"
"            WHERE topic_id = t AND index = partition_index;\n"
"        RETURN m;\n"
"    END IF;\n"
"    UPDATE strata.partition_moves SET to_broker = broker, reason = move_partition.reason\n"
"        WHERE topic_id = t AND partition = partition_index AND state = 'pending'\n"
"        RETURNING id INTO m;\n"
"    IF NOT FOUND THEN\n"
"        INSERT INTO strata.partition_moves (topic_id, topic, partition, from_broker, to_broker, reason)\n"
"            VALUES (t, topic_name, partition_index, p.leader, broker, reason)\n"
"            RETURNING id INTO m;\n"
"    END IF;\n"
"    UPDATE strata.partitions SET target_broker = broker WHERE topic_id = t AND index = partition_index;\n"
"    RETURN m;\n"
"END $$;\n"
"\n"
"/*\n"
" * Hand every partition and coordinator slot that broker dead leads to the\n"
" * least loaded live brokers (leader epoch + 1), recording the moves; for a\n"
" * fenced broker after its WAL is recovered, or one with nothing to recover.\n"
" * Returns the number of partitions moved.\n"
" */\n"
"CREATE OR REPLACE FUNCTION strata.reassign_partitions(dead integer, reason text) RETURNS integer\n"
"    LANGUAGE plpgsql AS $$\n"
"DECLARE\n"
"    r record;\n"
"    target integer;\n"
"    n integer := 0;\n"
"BEGIN\n"
"    FOR r IN SELECT p.topic_id, p.index, t.name FROM strata.partitions p\n"
"             JOIN strata.topics t ON t.id = p.topic_id\n"
"             WHERE p.leader IS NOT DISTINCT FROM dead ORDER BY t.name, p.index FOR UPDATE OF p\n"
"    LOOP\n"
"        target := strata.least_loaded_broker(dead);\n"
"        EXIT WHEN target IS NULL;\n"
"        UPDATE strata.partition_moves SET state = 'cancelled', finished = clock_timestamp()\n"
"            WHERE topic_id = r.topic_id AND partition = r.index AND state = 'pending';\n"
"        UPDATE strata.partitions SET leader = target, leader_epoch = leader_epoch + 1, target_broker = NULL\n"
"            WHERE topic_id = r.topic_id AND index = r.index;\n"
"        INSERT INTO strata.partition_moves (topic_id, topic, partition, from_broker, to_broker, reason, state, finished)\n"
"            VALUES (r.topic_id, r.name, r.index, dead, target, reassign_partitions.reason, 'done', clock_timestamp());\n"
"        n := n + 1;\n"
"    END LOOP;\n"
"    PERFORM strata.reassign_slots(dead);\n"
"    RETURN n;\n"
"END $$;\n"
"\n"
"/*\n"
" * Graceful stop of broker b: request a move of every partition it leads to\n"
" * the least loaded other live broker, and hand its coordinator slots over.\n"
" * Returns the number of moves requested (0 when no other broker is live).\n"
" */\n"
"CREATE OR REPLACE FUNCTION strata.drain_broker(b integer) RETURNS integer\n"
"    LANGUAGE plpgsql AS $$\n"
"DECLARE\n"
"    r record;\n"
"    target integer;\n"
"    n integer := 0;\n"
"BEGIN\n"
"    FOR r IN SELECT t.name, p.index FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id\n"
"             WHERE p.leader = b AND p.target_broker IS NULL ORDER BY t.name, p.index\n"
"    LOOP\n"
"        target := strata.least_loaded_broker(b);\n"
"        EXIT WHEN target IS NULL;\n"
"        PERFORM strata.move_partition(r.name, r.index, target, 'shutdown');\n"
"        n := n + 1;\n"
"    END LOOP;\n"
"    PERFORM strata.reassign_slots(b);\n"
"    RETURN n;\n"
"END $$;\n"
"\n"
"/* Move the coordinator slots broker gone leads (or that nobody leads) to live brokers. */\n"
"CREATE OR REPLACE FUNCTION strata.reassign_slots(gone integer) RETURNS integer\n"
"    LANGUAGE plpgsql AS $$\n"
"DECLARE\n"
"    s integer;\n"
"    target integer;\n"
"    n integer := 0;\n"
"BEGIN\n"
"    FOR s IN SELECT slot FROM strata.coordinator_slots\n"
"             WHERE leader IS NULL OR leader = gone ORDER BY slot FOR UPDATE\n"
"    LOOP\n"
"        SELECT b.id INTO target FROM strata.brokers b\n"
"            WHERE strata.broker_live(b.state, b.lease_expires) AND b.id IS DISTINCT FROM gone\n"
"            ORDER BY (SELECT count(*) FROM strata.coordinator_slots c WHERE c.leader = b.id), b.id LIMIT 1;\n"
"        EXIT WHEN target IS NULL;\n"
"        UPDATE strata.coordinator_slots SET leader = target, leader_epoch = leader_epoch + 1 WHERE slot = s;\n"
"        n := n + 1;\n"
"    END LOOP;\n"
"    RETURN n;\n"
"END $$;\n"
"\n"
"/*\n"
" * Even out the coordinator slots over the live brokers (counts within one\n"
" * of each other), moving as few as possible: after brokers join.\n"
" */\n"
"CREATE OR REPLACE FUNCTION strata.balance_slots() RETURNS integer\n"
"    LANGUAGE plpgsql AS $$\n"
"DECLARE\n"
"    lo integer;\n"
"    nlo bigint;\n"
"    hi integer;\n"
"    nhi bigint;\n"
"    s integer;\n"
"    n integer := 0;\n"
"BEGIN\n"
"    LOOP\n"
"        SELECT b.id, (SELECT count(*) FROM strata.coordinator_slots c WHERE c.leader = b.id)\n"
"            INTO lo, nlo FROM strata.brokers b\n"
"            WHERE strata.broker_live(b.state, b.lease_expires) ORDER BY 2, 1 LIMIT 1;\n"
"        SELECT c.leader, count(*) INTO hi, nhi FROM strata.coordinator_slots c\n"
"            WHERE c.leader IS NOT NULL GROUP BY c.leader ORDER BY 2 DESC, 1 LIMIT 1;\n"
"        EXIT WHEN lo IS NULL OR hi IS NULL OR nhi - nlo <= 1;\n"
"        SELECT slot INTO s FROM strata.coordinator_slots WHERE leader = hi ORDER BY slot DESC LIMIT 1;\n"
"        UPDATE strata.coordinator_slots SET leader = lo, leader_epoch = leader_epoch + 1 WHERE slot = s;\n"
"        n := n + 1;\n"
"    END LOOP;\n"
"    RETURN n;\n"
"END $$;\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.notify_slot_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"BEGIN\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_SLOTS "',\n"
"        json_build_object('slot', NEW.slot, 'leader', NEW.leader, 'leader_epoch', NEW.leader_epoch)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE OR REPLACE TRIGGER coordinator_slots_notify AFTER UPDATE ON strata.coordinator_slots\n"
"    FOR EACH ROW WHEN (OLD.leader IS DISTINCT FROM NEW.leader OR OLD.leader_epoch IS DISTINCT FROM NEW.leader_epoch)\n"
"    EXECUTE FUNCTION strata.notify_slot_change();\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.notify_controller_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"BEGIN\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_BROKERS "',\n"
"        json_build_object('op', 'controller', 'id', NEW.controller, 'epoch', NEW.controller_epoch)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE OR REPLACE TRIGGER cluster_notify_controller AFTER UPDATE ON strata.cluster\n"
"    FOR EACH ROW WHEN (OLD.controller IS DISTINCT FROM NEW.controller\n"
"                    OR OLD.controller_epoch IS DISTINCT FROM NEW.controller_epoch)\n"
"    EXECUTE FUNCTION strata.notify_controller_change();\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.notify_recovery_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"BEGIN\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_RECOVERIES "',\n"
"        json_build_object('broker', NEW.broker_id, 'epoch', NEW.broker_epoch,\n"
"                          'assigned_to', NEW.assigned_to, 'state', NEW.state)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE OR REPLACE TRIGGER wal_recoveries_notify AFTER INSERT OR UPDATE ON strata.wal_recoveries\n"
"    FOR EACH ROW EXECUTE FUNCTION strata.notify_recovery_change();\n"
"\n"
"CREATE OR REPLACE VIEW strata.broker_status AS\n"
"SELECT b.id, b.state, b.epoch, b.listeners, b.advertised_listeners, b.rack,\n"
"       b.host, b.data_dir, b.pid, b.lease_expires,\n"
"       strata.broker_live(b.state, b.lease_expires) AS live,\n"
"       now() - b.last_heartbeat AS since_heartbeat,\n"
"       (SELECT count(*) FROM strata.partitions p WHERE p.leader = b.id) AS partitions_led\n"
"FROM strata.brokers b;\n"
"\n"
"CREATE OR REPLACE VIEW strata.broker_load AS\n"
"SELECT b.id AS broker, strata.broker_live(b.state, b.lease_expires) AS live, b.rack,\n"
"       (SELECT count(*) FROM strata.partitions p WHERE p.leader = b.id) AS partitions,\n"
"       (SELECT count(*) FROM strata.coordinator_slots c WHERE c.leader = b.id) AS coordinator_slots,\n"
"       (SELECT c.controller = b.id FROM strata.cluster c) AS controller,\n"
"       b.bytes_in_rate, b.bytes_out_rate, b.bytes_in, b.bytes_out\n"
"FROM strata.brokers b;\n"
"\n"
"CREATE OR REPLACE VIEW strata.moves_in_flight AS\n"
"SELECT id, topic, partition, from_broker, to_broker, reason, requested,\n"
"       clock_timestamp() - requested AS waiting\n"
"FROM strata.partition_moves WHERE state = 'pending';\n"
"\n"
"CREATE OR REPLACE VIEW strata.move_history AS\n"
"SELECT id, topic, partition, from_broker, to_broker, reason, state, requested, finished,\n"
"       round(extract(epoch FROM finished - requested)::numeric * 1000, 1) AS duration_ms, end_offset\n"
"FROM strata.partition_moves WHERE state <> 'pending';\n";

/*
 * Migration 7: users and ACLs (issue 17).
 *
 * scram_credentials: a user's SCRAM credential per mechanism, as RFC 5802
 * keeps it (utils/scram.h): the salt, the iteration count, StoredKey and
 * ServerKey, never the password.  A user is whoever has a credential.
 *
 * acls: Kafka's ACLs, with Kafka's names for resource types, pattern
 * types, operations and permissions (doc/security.md).  A principal is
 * "User:name" or "User:*"; a host is an IP address or "*".
 *
 * security_state: version counts changes to either table (bumped by the
 * statement triggers below, which also NOTIFY strata_security with it), so
 * a broker knows how current the copy in its shared memory is; auth_nonce
 * is a random secret from which a SCRAM exchange for a user that does not
 * exist derives its salt, the same on every broker, so that an attacker
 * cannot tell users that exist from users that do not.
 *
 * Like migration 6, every statement can run again on a catalog that has it.
 */
static const char migration_007[] =
"CREATE TABLE IF NOT EXISTS strata.scram_credentials (\n"
"    user_name text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 255),\n"
"    mechanism text NOT NULL CHECK (mechanism IN ('SCRAM-SHA-256', 'SCRAM-SHA-512')),\n"
"    iterations integer NOT NULL CHECK (iterations BETWEEN 4096 AND 16384),\n"
"    salt bytea NOT NULL CHECK (length(salt) BETWEEN 1 AND 128),\n"
"    stored_key bytea NOT NULL,\n"
"    server_key bytea NOT NULL,\n"
"    updated timestamptz NOT NULL DEFAULT now(),\n"
"    PRIMARY KEY (user_name, mechanism),\n"
"    CHECK (length(stored_key) = length(server_key)\n"
"           AND length(stored_key) = CASE mechanism WHEN 'SCRAM-SHA-256' THEN 32 ELSE 64 END)\n"
");\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.acls (\n"
"    id bigserial PRIMARY KEY,\n"
"    resource_type text NOT NULL CHECK (resource_type IN\n"
"        ('TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER')),\n"
"    resource_name text NOT NULL CHECK (length(resource_name) >= 1),\n"
"    pattern_type text NOT NULL CHECK (pattern_type IN ('LITERAL', 'PREFIXED')),\n"
"    principal text NOT NULL CHECK (principal LIKE '%:%'),\n"
"    host text NOT NULL CHECK (length(host) >= 1),\n"
"    operation text NOT NULL CHECK (operation IN\n"
"        ('ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION',\n"
"         'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'CREATE_TOKENS', 'DESCRIBE_TOKENS')),\n"
"    permission text NOT NULL CHECK (permission IN ('ALLOW', 'DENY')),\n"
"    created timestamptz NOT NULL DEFAULT now(),\n"
"    UNIQUE (resource_type, resource_name, pattern_type, principal, host, operation, permission)\n"
");\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.security_state (\n"
"    one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),\n"
"    version bigint NOT NULL DEFAULT 0,\n"
"    auth_nonce bytea NOT NULL\n"
"        DEFAULT sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea)\n"
");\n"
"INSERT INTO strata.security_state DEFAULT VALUES ON CONFLICT DO NOTHING;\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.notify_security_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"DECLARE v bigint;\n"
"BEGIN\n"
"    UPDATE strata.security_state SET version = version + 1 RETURNING version INTO v;\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_SECURITY "',\n"
"        json_build_object('table', TG_TABLE_NAME, 'version', v)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE OR REPLACE TRIGGER scram_credentials_notify\n"
"    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON strata.scram_credentials\n"
"    FOR EACH STATEMENT EXECUTE FUNCTION strata.notify_security_change();\n"
"CREATE OR REPLACE TRIGGER acls_notify\n"
"    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON strata.acls\n"
"    FOR EACH STATEMENT EXECUTE FUNCTION strata.notify_security_change();\n"
"\n"
"CREATE OR REPLACE VIEW strata.users AS\n"
"SELECT user_name, array_agg(mechanism || ' (' || iterations || ' iterations)' ORDER BY mechanism)\n"
"           AS credentials,\n"
"       max(updated) AS updated\n"
"FROM strata.scram_credentials GROUP BY user_name;\n";

/*
 * Migration 8: auto-balancing and auto-scaling (issue 18; doc/balancer.md).
 *
 * Traffic: every broker publishes, with each lease renewal, its totals,
 * its append and fetch latencies and its capacity (columns of
 * strata.brokers), and the traffic of each partition it leads
 * (strata.partition_load, one row per partition, written by whoever leads
 * it; a partition that just moved keeps its previous leader's figures
 * until the new leader has measured it).  Rates are per second over the
 * time since the broker's previous report.
 *
 * The balancer: operators pause it (balancer_state), exclude brokers and
 * topics, and drain brokers (balancer_draining, also written by scale-in)
 * through the strata.balancer_* functions, each of which NOTIFYs
 * strata_balancer so that the controller looks at once.  Each check of the
 * controller's balancer is a row of balancer_checks (its inputs in
 * summary, its state, and what auto-scaling decided and why) and each move it planned a row of
 * balancer_actions, recorded, and the moves requested, by one call of
 * strata.balancer_record().  Checks that planned nothing are kept an hour,
 * the others 30 days.
 *
 * Scaling: each decision of the controller's auto-scaling to add or remove
 * brokers is a row of scaling_actions, whose state follows it:
 * 'draining' (scale-in: its brokers' partitions are being moved off, rows
 * of balancer_draining name the action), 'running' (the command runs),
 * 'waiting' (for the brokers to join or leave), then 'done', 'failed',
 * 'cancelled' (a scale-in the load outgrew) or 'skipped' (no command set).
 *
 * Like migrations 6 and 7, every statement can run again on a catalog
 * that has it.  The latencies, capacity and utilisation are a view of
 * their own (broker_utilisation) rather than more columns of migration
 * 6's broker_load, which migration 6 run again could not narrow back.
 */
static const char migration_008[] =
"ALTER TABLE strata.brokers\n"
"    ADD COLUMN IF NOT EXISTS capacity bigint CHECK (capacity > 0),\n"
"    ADD COLUMN IF NOT EXISTS append_latency_ms double precision,\n"
"    ADD COLUMN IF NOT EXISTS append_latency_p99_ms double precision,\n"
"    ADD COLUMN IF NOT EXISTS fetch_latency_ms double precision,\n"
"    ADD COLUMN IF NOT EXISTS fetch_latency_p99_ms double precision,\n"
"    ADD COLUMN IF NOT EXISTS load_updated timestamptz;\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.partition_load (\n"
"    topic_id uuid NOT NULL,\n"
"    partition integer NOT NULL,\n"
"    broker integer NOT NULL,\n"
"    bytes_in_rate double precision NOT NULL DEFAULT 0,\n"
"    bytes_out_rate double precision NOT NULL DEFAULT 0,\n"
"    produce_rate double precision NOT NULL DEFAULT 0,\n"
"    fetch_rate double precision NOT NULL DEFAULT 0,\n"
"    updated timestamptz NOT NULL DEFAULT now(),\n"
"    PRIMARY KEY (topic_id, partition)\n"
");\n"
"\n"
"CREATE OR REPLACE VIEW strata.broker_utilisation AS\n"
"SELECT b.id AS broker, strata.broker_live(b.state, b.lease_expires) AS live,\n"
"       (SELECT count(*) FROM strata.partitions p WHERE p.leader = b.id) AS partitions,\n"
"       (SELECT c.controller = b.id FROM strata.cluster c) AS controller,\n"
"       b.bytes_in_rate, b.bytes_out_rate,\n"
"       b.append_latency_ms, b.append_latency_p99_ms, b.fetch_latency_ms, b.fetch_latency_p99_ms,\n"
"       b.capacity,\n"
"       round(((b.bytes_in_rate + b.bytes_out_rate) / b.capacity * 100)::numeric, 1) AS utilisation_pct,\n"
"       b.load_updated\n"
"FROM strata.brokers b;\n"
"\n"
"CREATE OR REPLACE VIEW strata.partition_traffic AS\n"
"SELECT t.name AS topic, p.index AS partition, p.leader, p.target_broker,\n"
"       coalesce(l.bytes_in_rate, 0) AS bytes_in_rate, coalesce(l.bytes_out_rate, 0) AS bytes_out_rate,\n"
"       coalesce(l.produce_rate, 0) AS produce_rate, coalesce(l.fetch_rate, 0) AS fetch_rate,\n"
"       l.broker AS measured_by, l.updated\n"
"FROM strata.partitions p\n"
"JOIN strata.topics t ON t.id = p.topic_id\n"
"LEFT JOIN strata.partition_load l ON l.topic_id = p.topic_id AND l.partition = p.index;\n"
"\n"
"CREATE INDEX IF NOT EXISTS partition_moves_finished ON strata.partition_moves (finished) WHERE state = 'done';\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.balancer_state (\n"
"    one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),\n"
"    paused boolean NOT NULL DEFAULT false,\n"
"    paused_at timestamptz,\n"
"    pause_reason text\n"
");\n"
"INSERT INTO strata.balancer_state DEFAULT VALUES ON CONFLICT DO NOTHING;\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.balancer_excluded_brokers (\n"
"    broker integer PRIMARY KEY,\n"
"    reason text,\n"
"    since timestamptz NOT NULL DEFAULT now()\n"
");\n"
"CREATE TABLE IF NOT EXISTS strata.balancer_excluded_topics (\n"
"    topic text PRIMARY KEY,\n"
"    reason text,\n"
"    since timestamptz NOT NULL DEFAULT now()\n"
");\n"
"CREATE TABLE IF NOT EXISTS strata.balancer_draining (\n"
"    broker integer PRIMARY KEY,\n"
"    scaling_action bigint,\n"
"    reason text,\n"
"    since timestamptz NOT NULL DEFAULT now()\n"
");\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.balancer_checks (\n"
"    id bigserial PRIMARY KEY,\n"
"    at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
"    controller integer NOT NULL,\n"
"    state text NOT NULL,\n"
"    eligible integer NOT NULL,\n"
"    mean_in_rate double precision NOT NULL,\n"
"    mean_out_rate double precision NOT NULL,\n"
"    band_pct integer NOT NULL,\n"
"    min_load bigint NOT NULL,\n"
"    move_threshold_pct integer NOT NULL,\n"
"    out_of_band integer NOT NULL,\n"
"    slow_brokers integer[] NOT NULL,\n"
"    moves_in_flight integer NOT NULL,\n"
"    moves_planned integer NOT NULL,\n"
"    moves_requested integer NOT NULL DEFAULT 0,\n"
"    utilisation_pct double precision,\n"
"    capacity bigint,\n"
"    desired_brokers integer,\n"
"    scaling text\n"
");\n"
"CREATE INDEX IF NOT EXISTS balancer_checks_at ON strata.balancer_checks (at);\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.balancer_actions (\n"
"    id bigserial PRIMARY KEY,\n"
"    check_id bigint NOT NULL REFERENCES strata.balancer_checks ON DELETE CASCADE,\n"
"    topic text NOT NULL,\n"
"    partition integer NOT NULL,\n"
"    from_broker integer,\n"
"    to_broker integer NOT NULL,\n"
"    goal text NOT NULL,\n"
"    bytes_in_rate double precision NOT NULL,\n"
"    bytes_out_rate double precision NOT NULL,\n"
"    from_load_pct double precision,\n"
"    to_load_pct double precision,\n"
"    move_id bigint,\n"
"    outcome text NOT NULL\n"
");\n"
"CREATE INDEX IF NOT EXISTS balancer_actions_check ON strata.balancer_actions (check_id);\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.notify_balancer_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
"BEGIN\n"
"    PERFORM pg_notify('" CATALOG_CHANNEL_BALANCER "', json_build_object('table', TG_TABLE_NAME)::text);\n"
"    RETURN NULL;\n"
"END $$;\n"
"CREATE OR REPLACE TRIGGER balancer_state_notify AFTER INSERT OR UPDATE OR DELETE ON strata.balancer_state\n"
"    FOR EACH STATEMENT EXECUTE FUNCTION strata.notify_balancer_change();\n"
"CREATE OR REPLACE TRIGGER balancer_excluded_brokers_notify AFTER INSERT OR UPDATE OR DELETE ON strata.balancer_excluded_brokers\n"
"    FOR EACH STATEMENT EXECUTE FUNCTION strata.notify_balancer_change();\n"
"CREATE OR REPLACE TRIGGER balancer_excluded_topics_notify AFTER INSERT OR UPDATE OR DELETE ON strata.balancer_excluded_topics\n"
"    FOR EACH STATEMENT EXECUTE FUNCTION strata.notify_balancer_change();\n"
"CREATE OR REPLACE TRIGGER balancer_draining_notify AFTER INSERT OR UPDATE OR DELETE ON strata.balancer_draining\n"
"    FOR EACH STATEMENT EXECUTE FUNCTION strata.notify_balancer_change();\n"
"\n"
"CREATE OR REPLACE FUNCTION strata.balancer_pause(reason text DEFAULT NULL) RETURNS void LANGUAGE sql AS $$\n"
"UPDATE strata.balancer_state SET paused = true, paused_at = now(), pause_reason = reason $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_resume() RETURNS void LANGUAGE sql AS $$\n"
"UPDATE strata.balancer_state SET paused = false, paused_at = NULL, pause_reason = NULL $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_exclude_broker(b integer, reason text DEFAULT NULL) RETURNS void LANGUAGE sql AS $$\n"
"INSERT INTO strata.balancer_excluded_brokers (broker, reason) VALUES (b, reason)\n"
"    ON CONFLICT (broker) DO UPDATE SET reason = excluded.reason $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_include_broker(b integer) RETURNS void LANGUAGE sql AS $$\n"
"DELETE FROM strata.balancer_excluded_brokers WHERE broker = b $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_exclude_topic(t text, reason text DEFAULT NULL) RETURNS void LANGUAGE sql AS $$\n"
"INSERT INTO strata.balancer_excluded_topics (topic, reason) VALUES (t, reason)\n"
"    ON CONFLICT (topic) DO UPDATE SET reason = excluded.reason $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_include_topic(t text) RETURNS void LANGUAGE sql AS $$\n"
"DELETE FROM strata.balancer_excluded_topics WHERE topic = t $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_drain_broker(b integer, reason text DEFAULT 'operator') RETURNS void LANGUAGE sql AS $$\n"
"INSERT INTO strata.balancer_draining (broker, reason) VALUES (b, reason)\n"
"    ON CONFLICT (broker) DO UPDATE SET reason = excluded.reason $$;\n"
"CREATE OR REPLACE FUNCTION strata.balancer_undrain_broker(b integer) RETURNS void LANGUAGE sql AS $$\n"
"DELETE FROM strata.balancer_draining WHERE broker = b $$;\n"
"\n"
"/*\n"
" * Record one check of the balancer and, when execute, request its moves\n"
" * (reason 'balancer').  A move whose partition changed since the plan was\n"
" * read (a new leader, or a move requested meanwhile) is skipped; one that\n"
" * strata.move_partition refuses is recorded with the refusal.  Returns\n"
" * each action's move id and outcome, in the order given.\n"
" */\n"
"CREATE OR REPLACE FUNCTION strata.balancer_record(\n"
"    controller integer, state text, eligible integer, mean_in double precision,\n"
"    mean_out double precision, band_pct integer, min_load bigint, threshold_pct integer,\n"
"    out_of_band integer, slow integer[], in_flight integer, utilisation double precision,\n"
"    capacity bigint, desired integer, execute boolean, why_not text,\n"
"    topics text[], parts integer[], froms integer[], tos integer[], goals text[],\n"
"    ins double precision[], outs double precision[], from_pcts double precision[],\n"
"    to_pcts double precision[], scaling text)\n"
"RETURNS TABLE (ord integer, move_id bigint, outcome text)\n"
"LANGUAGE plpgsql AS $$\n"
"DECLARE\n"
"    c bigint;\n"
"    n integer := 0;\n"
"BEGIN\n"
"    INSERT INTO strata.balancer_checks (controller, state, eligible, mean_in_rate, mean_out_rate,\n"
"        band_pct, min_load, move_threshold_pct, out_of_band, slow_brokers, moves_in_flight,\n"
"        moves_planned, utilisation_pct, capacity, desired_brokers, scaling)\n"
"    VALUES (balancer_record.controller, balancer_record.state, balancer_record.eligible, mean_in,\n"
"        mean_out, band_pct, min_load, threshold_pct, out_of_band, slow, in_flight,\n"
"        coalesce(array_length(topics, 1), 0), utilisation, capacity, desired, balancer_record.scaling)\n"
"    RETURNING id INTO c;\n"
"    FOR i IN 1 .. coalesce(array_length(topics, 1), 0) LOOP\n"
"        ord := i;\n"
"        move_id := NULL;\n"
"        IF NOT execute THEN\n"
"            outcome := 'not requested: ' || why_not;\n"
"        ELSIF NOT EXISTS (SELECT 1 FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id\n"
"                          WHERE t.name = topics[i] AND p.index = parts[i] AND p.leader = froms[i]\n"
"                            AND p.target_broker IS NULL FOR UPDATE OF p) THEN\n"
"            outcome := 'skipped: the partition moved or was asked to move since the plan';\n"
"        ELSE\n"
"            BEGIN\n"
"                move_id := strata.move_partition(topics[i], parts[i], tos[i], 'balancer');\n"
"                outcome := 'requested';\n"
"                n := n + 1;\n"
"            EXCEPTION WHEN OTHERS THEN\n"
"                outcome := 'refused: ' || SQLERRM;\n"
"            END;\n"
"        END IF;\n"
"        INSERT INTO strata.balancer_actions (check_id, topic, partition, from_broker, to_broker, goal,\n"
"            bytes_in_rate, bytes_out_rate, from_load_pct, to_load_pct, move_id, outcome)\n"
"        VALUES (c, topics[i], parts[i], froms[i], tos[i], goals[i], ins[i], outs[i],\n"
"            from_pcts[i], to_pcts[i], balancer_record.move_id, balancer_record.outcome);\n"
"        RETURN NEXT;\n"
"    END LOOP;\n"
"    UPDATE strata.balancer_checks SET moves_requested = n WHERE id = c;\n"
"    DELETE FROM strata.balancer_checks WHERE at < now() - interval '1 hour' AND moves_planned = 0;\n"
"    DELETE FROM strata.balancer_checks WHERE at < now() - interval '30 days';\n"
"    DELETE FROM strata.partition_load l WHERE NOT EXISTS\n"
"        (SELECT 1 FROM strata.partitions p WHERE p.topic_id = l.topic_id AND p.index = l.partition);\n"
"END $$;\n"
"\n"
"/* Each broker's role for the balancer (as the controller's balancer sees it). */\n"
"CREATE OR REPLACE FUNCTION strata.balancer_role(b strata.brokers) RETURNS text LANGUAGE sql STABLE AS $$\n"
"SELECT CASE WHEN NOT strata.broker_live(b.state, b.lease_expires) THEN 'not live'\n"
"            WHEN EXISTS (SELECT 1 FROM strata.balancer_draining d WHERE d.broker = b.id) THEN 'draining'\n"
"            WHEN EXISTS (SELECT 1 FROM strata.balancer_excluded_brokers x WHERE x.broker = b.id) THEN 'excluded'\n"
"            ELSE 'eligible' END $$;\n"
"\n"
"CREATE OR REPLACE VIEW strata.balancer_inputs AS\n"
"WITH own AS (\n"
"    SELECT coalesce(p.target_broker, p.leader) AS broker, count(*) AS partitions,\n"
"           sum(coalesce(l.bytes_in_rate, 0)) AS bytes_in, sum(coalesce(l.bytes_out_rate, 0)) AS bytes_out\n"
"    FROM strata.partitions p\n"
"    LEFT JOIN strata.partition_load l ON l.topic_id = p.topic_id AND l.partition = p.index\n"
"    GROUP BY 1),\n"
"b AS (\n"
"    SELECT b.id, strata.balancer_role(b) AS role, coalesce(o.partitions, 0) AS partitions,\n"
"           coalesce(o.bytes_in, 0) AS bytes_in, coalesce(o.bytes_out, 0) AS bytes_out,\n"
"           b.append_latency_ms, b.capacity, b.bytes_in_rate + b.bytes_out_rate AS traffic\n"
"    FROM strata.brokers b LEFT JOIN own o ON o.broker = b.id),\n"
"m AS (\n"
"    SELECT sum(bytes_in) / nullif(count(*) FILTER (WHERE role = 'eligible'), 0) AS mean_in,\n"
"           sum(bytes_out) / nullif(count(*) FILTER (WHERE role = 'eligible'), 0) AS mean_out\n"
"    FROM b WHERE role IN ('eligible', 'draining')),\n"
"c AS (SELECT band_pct, min_load FROM strata.balancer_checks ORDER BY id DESC LIMIT 1)\n"
"SELECT b.id AS broker, b.role, b.partitions, round(b.bytes_in::numeric) AS bytes_in_rate,\n"
"       round(b.bytes_out::numeric) AS bytes_out_rate,\n"
"       round((b.bytes_in / nullif(m.mean_in, 0) * 100)::numeric, 1) AS bytes_in_pct_of_mean,\n"
"       round((b.bytes_out / nullif(m.mean_out, 0) * 100)::numeric, 1) AS bytes_out_pct_of_mean,\n"
"       CASE WHEN b.role = 'eligible' AND c.band_pct IS NOT NULL THEN\n"
"            ((abs(b.bytes_in - m.mean_in) <= m.mean_in * c.band_pct / 100.0\n"
"              OR (b.bytes_in < c.min_load AND m.mean_in < c.min_load))\n"
"         AND (abs(b.bytes_out - m.mean_out) <= m.mean_out * c.band_pct / 100.0\n"
"              OR (b.bytes_out < c.min_load AND m.mean_out < c.min_load))) END AS within_band,\n"
"       b.append_latency_ms, b.capacity,\n"
"       round((b.traffic / b.capacity * 100)::numeric, 1) AS utilisation_pct\n"
"FROM b CROSS JOIN m LEFT JOIN c ON true;\n"
"\n"
"CREATE OR REPLACE VIEW strata.balancer_status AS\n"
"SELECT s.paused, s.paused_at, s.pause_reason, c.controller, c.at AS last_check, c.state,\n"
"       c.eligible AS brokers, round(c.mean_in_rate::numeric) AS mean_bytes_in_rate,\n"
"       round(c.mean_out_rate::numeric) AS mean_bytes_out_rate, c.band_pct, c.out_of_band,\n"
"       c.slow_brokers,\n"
"       (SELECT count(*) FROM strata.partition_moves m WHERE m.state = 'pending' AND m.reason = 'balancer') AS moves_in_flight,\n"
"       (SELECT count(*) FROM strata.balancer_excluded_brokers) AS excluded_brokers,\n"
"       (SELECT count(*) FROM strata.balancer_excluded_topics) AS excluded_topics,\n"
"       (SELECT count(*) FROM strata.balancer_draining) AS draining_brokers,\n"
"       round(c.utilisation_pct::numeric, 1) AS utilisation_pct, c.desired_brokers, c.scaling\n"
"FROM strata.balancer_state s\n"
"LEFT JOIN LATERAL (SELECT * FROM strata.balancer_checks ORDER BY id DESC LIMIT 1) c ON true;\n"
"\n"
"CREATE OR REPLACE VIEW strata.balancer_plan AS\n"
"SELECT a.topic, a.partition, a.from_broker, a.to_broker, a.goal,\n"
"       round(a.bytes_in_rate::numeric) AS bytes_in_rate, round(a.bytes_out_rate::numeric) AS bytes_out_rate,\n"
"       round(a.from_load_pct::numeric, 1) AS from_load_pct, round(a.to_load_pct::numeric, 1) AS to_load_pct,\n"
"       a.outcome, m.state AS move_state\n"
"FROM strata.balancer_actions a\n"
"LEFT JOIN strata.partition_moves m ON m.id = a.move_id\n"
"WHERE a.check_id = (SELECT max(id) FROM strata.balancer_checks);\n"
"\n"
"CREATE OR REPLACE VIEW strata.balancer_history AS\n"
"SELECT a.id, c.at AS decided, a.topic, a.partition, a.from_broker, a.to_broker, a.goal,\n"
"       round(a.bytes_in_rate::numeric) AS bytes_in_rate, round(a.bytes_out_rate::numeric) AS bytes_out_rate,\n"
"       round(a.from_load_pct::numeric, 1) AS from_load_pct, round(a.to_load_pct::numeric, 1) AS to_load_pct,\n"
"       a.outcome, a.move_id, m.state AS move_state,\n"
"       round(extract(epoch FROM m.finished - m.requested)::numeric * 1000, 1) AS duration_ms\n"
"FROM strata.balancer_actions a\n"
"JOIN strata.balancer_checks c ON c.id = a.check_id\n"
"LEFT JOIN strata.partition_moves m ON m.id = a.move_id;\n"
"\n"
"CREATE TABLE IF NOT EXISTS strata.scaling_actions (\n"
"    id bigserial PRIMARY KEY,\n"
"    decided timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
"    controller integer NOT NULL,\n"
"    direction text NOT NULL CHECK (direction IN ('out', 'in')),\n"
"    policy text NOT NULL CHECK (policy IN ('target tracking', 'emergency')),\n"
"    utilisation_pct double precision NOT NULL,\n"
"    traffic double precision NOT NULL,\n"
"    broker_capacity bigint NOT NULL,\n"
"    brokers_before integer NOT NULL,\n"
"    brokers_wanted integer NOT NULL,\n"
"    broker_ids integer[] NOT NULL,\n"
"    command text,\n"
"    state text NOT NULL CHECK (state IN ('draining', 'running', 'waiting', 'done', 'failed', 'cancelled', 'skipped')),\n"
"    started timestamptz,\n"
"    command_finished timestamptz,\n"
"    finished timestamptz,\n"
"    exit_status integer,\n"
"    output text,\n"
"    note text\n"
");\n"
"\n"
"CREATE OR REPLACE VIEW strata.scaling_history AS\n"
"SELECT id, decided, controller, direction, policy, round(utilisation_pct::numeric, 1) AS utilisation_pct,\n"
"       round(traffic::numeric) AS traffic, broker_capacity, brokers_before, brokers_wanted, broker_ids,\n"
"       state, exit_status, note,\n"
"       round(extract(epoch FROM command_finished - started)::numeric, 1) AS command_s,\n"
"       round(extract(epoch FROM coalesce(finished, clock_timestamp()) - decided)::numeric, 1) AS total_s,\n"
"       command, output\n"
"FROM strata.scaling_actions;\n";

/*
 * A broker registers 'starting' and becomes 'alive' once its first
 * registry load has opened the partitions it leads: until then the
 * balancer gives it nothing (a partition moved to it while it loaded was
 * led here but not opened until the next load).
 */
static const char migration_009[] =
"CREATE OR REPLACE FUNCTION strata.balancer_role(b strata.brokers) RETURNS text LANGUAGE sql STABLE AS $$\n"
"SELECT CASE WHEN NOT strata.broker_live(b.state, b.lease_expires) THEN 'not live'\n"
"            WHEN b.state = 'starting' THEN 'starting'\n"
"            WHEN EXISTS (SELECT 1 FROM strata.balancer_draining d WHERE d.broker = b.id) THEN 'draining'\n"
"            WHEN EXISTS (SELECT 1 FROM strata.balancer_excluded_brokers x WHERE x.broker = b.id) THEN 'excluded'\n"
"            ELSE 'eligible' END $$;\n";

static const CatalogMigration migrations[] = {
	{1, "cluster, brokers, topics, partitions, streams", migration_001},
	{2, "consumer groups, committed offsets, producer ids", migration_002},
	{3, "objects, stream ranges, upload status", migration_003},
	{4, "idempotent producer snapshots", migration_004},
	{5, "committed offset metadata as bytea", migration_005},
	{6, "cluster: controller, coordinator slots, moves, WAL recoveries", migration_006},
	{7, "users (SCRAM credentials) and ACLs", migration_007},
	{8, "balancer and scaling: traffic, plan, history, scaling actions", migration_008},
	{9, "brokers starting until their partitions are open", migration_009},
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
