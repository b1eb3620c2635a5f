/*-------------------------------------------------------------------------
 *
 * apilist.h
 *	  The Kafka APIs Strata implements, one row each: the API table.
 *
 *	  Adding an API is adding its row here, its messages (kafka/messages.h)
 *	  and its handler, nothing else.  A row is
 *
 *		KAFKA_API(key, SYMBOL, Name, min_version, max_version,
 *				  first_flexible_version, note)
 *
 *	  key and SYMBOL make the constant KAFKA_API_SYMBOL (kafka/protocol.h);
 *	  Name is Kafka's name of the API and names everything else: the
 *	  message schemas Name##Request_schema and Name##Response_schema, and the
 *	  handler KafkaHandle##Name (declared in kafka/handlers.h, defined in the
 *	  module of its API group).  The versions are those Strata serves: from
 *	  the oldest that current clients (librdkafka 2.0.2, kafka-python 2.0.2,
 *	  kafkajs 2.2.4) still send up to the newest Kafka 3.9 defines; the note
 *	  says why a range is what it is.  ApiVersions answers from these rows,
 *	  the backend dispatches through them (kafka/dispatch.c) and
 *	  doc/protocol.md is generated from them.
 *
 *	  Rows are in api key order (KafkaApiLookup searches them).  This file
 *	  has no include guard: it is included where KAFKA_API is defined to
 *	  make an enum, the table (kafka/apis.c) or the handlers' declarations.
 *
 * include/kafka/apilist.h
 *
 *-------------------------------------------------------------------------
 */

/* there is deliberately not an #ifndef STRATA_KAFKA_APILIST_H here */

KAFKA_API(0, PRODUCE, Produce, 0, 11, 9,
		  "advertised from v0 (librdkafka before 2.11.1 only compresses with gzip, snappy or "
		  "lz4 if the broker's Produce range includes v0). A magic 0/1 message set in v0-v2 is "
		  "converted into one magic-2 batch on append, as Kafka 3.x converts it (uncompressed "
		  "or gzip; snappy and lz4 sets get UNSUPPORTED_COMPRESSION_TYPE); v0-v2 carry one "
		  "magic-2 batch per partition.")
KAFKA_API(1, FETCH, Fetch, 4, 17, 12,
		  "v0-v3 can only return magic 0/1 message sets and Strata never down-converts; "
		  "kafka-python, the oldest client here, fetches with v4.")
KAFKA_API(2, LIST_OFFSETS, ListOffsets, 1, 9, 6,
		  "v0 (before Kafka 0.10.1) answers with a list of old-style offsets; every current "
		  "client sends v1 or later.")
KAFKA_API(3, METADATA, Metadata, 0, 12, 9,
		  "all versions (kafka-python sends v0/v1): every live broker, each partition's "
		  "leader and leader epoch, the controller.")
KAFKA_API(8, OFFSET_COMMIT, OffsetCommit, 0, 9, 8,
		  "all versions; v9 (KIP-848 member epochs) is served as the classic protocol's "
		  "generation.")
KAFKA_API(9, OFFSET_FETCH, OffsetFetch, 0, 9, 6,
		  "all versions; v8+ fetches several groups at once.")
KAFKA_API(10, FIND_COORDINATOR, FindCoordinator, 0, 6, 3,
		  "all versions; key types group and transaction: the leader of the key's "
		  "coordinator slot (doc/cluster.md).")
KAFKA_API(11, JOIN_GROUP, JoinGroup, 0, 9, 6,
		  "all versions; v4+ with the KIP-394 two-step join.")
KAFKA_API(12, HEARTBEAT, Heartbeat, 0, 4, 4,
		  "all versions.")
KAFKA_API(13, LEAVE_GROUP, LeaveGroup, 0, 5, 4,
		  "all versions; v3+ batched.")
KAFKA_API(14, SYNC_GROUP, SyncGroup, 0, 5, 4,
		  "all versions.")
KAFKA_API(15, DESCRIBE_GROUPS, DescribeGroups, 0, 5, 5,
		  "all versions.")
KAFKA_API(16, LIST_GROUPS, ListGroups, 0, 5, 3,
		  "all versions; v4+ state filter.")
KAFKA_API(17, SASL_HANDSHAKE, SaslHandshake, 0, 1, KV_MAX,
		  "all versions; v0 is followed by bare SASL tokens (kafka-python), v1 by "
		  "SaslAuthenticate.")
KAFKA_API(18, API_VERSIONS, ApiVersions, 0, 4, 3,
		  "all versions; an unknown version gets UNSUPPORTED_VERSION in the v0 layout.")
KAFKA_API(19, CREATE_TOPICS, CreateTopics, 0, 7, 5,
		  "all versions.")
KAFKA_API(20, DELETE_TOPICS, DeleteTopics, 0, 6, 4,
		  "all versions.")
KAFKA_API(21, DELETE_RECORDS, DeleteRecords, 0, 2, 2,
		  "all versions.")
KAFKA_API(22, INIT_PRODUCER_ID, InitProducerId, 0, 4, 2,
		  "idempotent producers; v5 (KIP-890 transactions v2) is not served. A "
		  "TransactionalId gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED until transactions "
		  "exist.")
KAFKA_API(23, OFFSET_FOR_LEADER_EPOCH, OffsetForLeaderEpoch, 0, 4, 4,
		  "all versions.")
KAFKA_API(29, DESCRIBE_ACLS, DescribeAcls, 0, 3, 2,
		  "all versions; v0 (no pattern types) leaves PREFIXED ACLs out.")
KAFKA_API(30, CREATE_ACLS, CreateAcls, 0, 3, 2,
		  "all versions.")
KAFKA_API(31, DELETE_ACLS, DeleteAcls, 0, 3, 2,
		  "all versions; v0 (no pattern types) deletes only LITERAL ACLs.")
KAFKA_API(32, DESCRIBE_CONFIGS, DescribeConfigs, 0, 4, 4,
		  "all versions.")
KAFKA_API(33, ALTER_CONFIGS, AlterConfigs, 0, 2, 2,
		  "all versions.")
KAFKA_API(36, SASL_AUTHENTICATE, SaslAuthenticate, 0, 2, 2,
		  "all versions; v1+ carries the session lifetime of KIP-368 re-authentication.")
KAFKA_API(37, CREATE_PARTITIONS, CreatePartitions, 0, 3, 2,
		  "all versions.")
KAFKA_API(42, DELETE_GROUPS, DeleteGroups, 0, 2, 2,
		  "all versions.")
KAFKA_API(44, INCREMENTAL_ALTER_CONFIGS, IncrementalAlterConfigs, 0, 1, 1,
		  "all versions.")
KAFKA_API(45, ALTER_PARTITION_REASSIGNMENTS, AlterPartitionReassignments, 0, 0, 0,
		  "all versions; the replica list names the one broker to move the partition to "
		  "(Strata keeps one replica); null cancels a move in flight.")
KAFKA_API(46, LIST_PARTITION_REASSIGNMENTS, ListPartitionReassignments, 0, 0, 0,
		  "all versions; lists moves in flight (strata.moves_in_flight).")
KAFKA_API(47, OFFSET_DELETE, OffsetDelete, 0, 0, KV_MAX,
		  "all versions (never flexible).")
KAFKA_API(50, DESCRIBE_USER_SCRAM_CREDENTIALS, DescribeUserScramCredentials, 0, 0, 0,
		  "all versions.")
KAFKA_API(51, ALTER_USER_SCRAM_CREDENTIALS, AlterUserScramCredentials, 0, 0, 0,
		  "all versions.")
KAFKA_API(60, DESCRIBE_CLUSTER, DescribeCluster, 0, 1, 0,
		  "all versions.")
