/*-------------------------------------------------------------------------
 *
 * topics.h
 *	  Topic management: creating, deleting and altering topics in the
 *	  catalog and mirroring them into the shared-memory registry.
 *
 *	  These functions speak in TopicResult codes, not Kafka error codes:
 *	  the Kafka request handlers map them onto the wire (and the same
 *	  functions serve SQL-side tools later).  Each failure comes with a
 *	  message meant for the client (the Kafka ErrorMessage field).
 *
 * include/kafka/topics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_TOPICS_H
#define STRATA_KAFKA_TOPICS_H

#include "c.h"

#include <libpq-fe.h>

#include "kafka/partition.h"

typedef enum TopicResult
{
	TOPIC_OK = 0,
	TOPIC_EXISTS,
	TOPIC_NOT_FOUND,
	TOPIC_INVALID_NAME,
	TOPIC_INVALID_PARTITIONS,
	TOPIC_INVALID_REPLICATION,
	TOPIC_INVALID_ASSIGNMENT,
	TOPIC_INVALID_CONFIG,
	TOPIC_REGISTRY_FULL,
	TOPIC_CATALOG_ERROR
} TopicResult;

/* An explicit placement: partition index -> its one broker. */
typedef struct TopicAssignment
{
	int32		partition;
	int32		broker;
} TopicAssignment;

/* A name = value pair as given by a client (value NULL = reset/unset). */
typedef struct TopicConfigEntry
{
	const char *name;
	size_t		name_len;
	const char *value;
	size_t		value_len;
} TopicConfigEntry;

/*
 * Every topic-level config Kafka 3.9 defines (its TopicConfig and
 * LogConfig), for validation and DescribeConfigs.  Kafka's names, types
 * and defaults; the doc says what Strata does with it.
 */
typedef enum TopicConfigType
{
	TCT_BOOLEAN,
	TCT_STRING,
	TCT_INT,
	TCT_LONG,
	TCT_DOUBLE,
	TCT_LIST
} TopicConfigType;

typedef struct TopicConfigDef
{
	const char *name;
	TopicConfigType type;
	const char *default_value;
	/*
	 * true: Strata acts on the value, which lives in TopicConfig (the
	 * registry).  false: accepted (valid values only), stored in the
	 * catalog and described, but it has no effect here; see the doc.
	 */
	bool		applied;
	int64		min;			/* TCT_INT, TCT_LONG: the valid range */
	int64		max;
	const char *doc;
} TopicConfigDef;

extern const TopicConfigDef TopicConfigDefs[];
extern const int NumTopicConfigDefs;

/*
 * The value of an applied config of a topic as text (palloc'd); NULL for
 * a stored-only config (its value is in the catalog if
 * config->stored_overrides has its bit, else its default).
 */
extern char *TopicConfigValue(const TopicConfig *config, const char *name);

/*
 * A topic's stored-only overrides from the catalog: *names and *values
 * (palloc'd arrays of palloc'd strings, value NULL for SQL NULL) and the
 * count, or -1 with *msg if the catalog cannot be read.
 */
extern int	TopicStoredConfigs(PGconn *conn, const uint8 id[16], char ***names,
							   char ***values, char **msg);

/* Kafka's rule for topic names: 1..249 of [a-zA-Z0-9._-], not "." or "..". */
extern bool TopicNameValid(const char *name, size_t len, char **msg);

/*
 * Parse and check a list of configs onto *config (which holds the current
 * or default values).  TOPIC_INVALID_CONFIG with *msg on a bad entry.
 */
extern TopicResult TopicConfigApply(TopicConfig *config, const TopicConfigEntry *entries,
									int n, char **msg);

/*
 * Create a topic with num_partitions partitions (-1: the num_partitions
 * setting), placed on the least loaded live brokers, or as assign says
 * (nassign > 0: partitions 0..nassign-1, one broker each, in order).
 * validate_only checks everything and changes nothing.  On success the
 * topic is in the catalog and in the registry.
 */
extern TopicResult TopicCreate(PGconn *conn, const char *name, size_t len,
							   int32 num_partitions, int16 replication_factor,
							   const TopicAssignment *assign, int32 nassign,
							   const TopicConfigEntry *configs, int nconfigs,
							   bool validate_only, uint8 id_out[16], char **msg);

/* Delete a topic (by name, or by id when name is NULL). */
extern TopicResult TopicDelete(PGconn *conn, const char *name, size_t len,
							   const uint8 *id, uint8 id_out[16], char **msg);

/* Grow a topic to new_total partitions (placed as TopicCreate places them). */
extern TopicResult TopicAddPartitions(PGconn *conn, const char *name, size_t len,
									  int32 new_total, const TopicAssignment *assign, int32 nassign,
									  bool validate_only, char **msg);

/*
 * Change a topic's configs.  incremental: entries set (value) or delete
 * (value NULL) single configs; otherwise the entries replace the whole set.
 */
extern TopicResult TopicAlterConfigs(PGconn *conn, const char *name, size_t len,
									 const TopicConfigEntry *entries, int n,
									 bool incremental, bool validate_only, char **msg);

/*
 * Load every topic and partition from the catalog into the registry,
 * opening (epoch + 1) the streams of partitions this broker has come to
 * lead, freezing those it is to hand off (*handoffs set: wake the
 * uploader), and dropping topics that are gone.  Run by the catalog worker
 * at start (first: the first load since shared memory was made, right
 * after ProducerStateRecover) and when the catalog announces a change.
 */
extern bool TopicsLoad(PGconn *conn, bool first, bool *handoffs, char *err, size_t errlen);

/* A backend's own catalog connection, made on first use; NULL + msg. */
extern PGconn *BackendCatalogConnection(char **msg);
/* Roll back a transaction an ERROR left open on that connection. */
extern void BackendCatalogAbortTransaction(void);

#endif							/* STRATA_KAFKA_TOPICS_H */
