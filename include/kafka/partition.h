/*-------------------------------------------------------------------------
 *
 * partition.h
 *	  The shared-memory registry of topics and partitions.
 *
 *	  The catalog is the source of truth for topics and partitions; this
 *	  registry is every process's fast view of it.  The catalog worker loads
 *	  it at start and on NOTIFY, and a backend that creates or deletes a
 *	  topic installs the change at once after its catalog transaction
 *	  commits; installing is idempotent (an upsert keyed by topic id and
 *	  partition number), so both may do it.
 *
 *	  Each partition also carries the state of its data path: the append
 *	  lock (held while a produce assigns offsets and reserves WAL space, so
 *	  that WAL order is offset order), the next offset to assign, the high
 *	  watermark (the end of what is durable in the WAL), the log start
 *	  offset, and a bitmap of the backends sleeping in a fetch on it.
 *
 *	  Locking: RegistryLock (an SMutex) protects the topic and partition
 *	  tables and their hash indexes; lookups take it briefly.  A partition's
 *	  append_lock protects next_offset; high_watermark, data_seq and the
 *	  waiter bitmap are atomics.
 *
 * include/kafka/partition.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_PARTITION_H
#define STRATA_KAFKA_PARTITION_H

#include "c.h"
#include "storage/spin.h"

#define TOPIC_NAME_MAX 249

typedef struct TopicConfig
{
	int64		retention_ms;	/* -1: keep forever */
	int64		retention_bytes;	/* -1: no size limit */
	int64		max_message_bytes;	/* largest record batch accepted */
	int64		segment_bytes;	/* accepted for compatibility */
	bool		log_append_time;	/* message.timestamp.type=LogAppendTime */
} TopicConfig;

typedef enum TopicState
{
	TOPIC_FREE = 0,
	TOPIC_LIVE
} TopicState;

typedef struct StrataTopic
{
	uint32		state;
	uint8		id[16];			/* Kafka topic id (a UUID) */
	int32		num_partitions;
	int32		name_len;
	char		name[TOPIC_NAME_MAX + 1];
	TopicConfig config;
	uint64		install_seq;	/* RegistryInstallSeq() when installed */
} StrataTopic;

typedef struct StrataPartition
{
	uint32		state;			/* TOPIC_FREE / TOPIC_LIVE */
	int32		topic;			/* index into the topic table */
	int32		partition;
	int32		leader_id;
	int32		leader_epoch;
	int64		stream_id;
	int64		stream_epoch;
	SMutex		append_lock;
	int64		next_offset;	/* protected by append_lock */
	int64		high_watermark; /* atomic: end of durable data */
	int64		log_start_offset;	/* atomic */
	int64		max_timestamp;	/* largest batch max timestamp seen */
	int64		max_timestamp_offset;	/* last offset of that batch */
	uint32		data_seq;		/* bumped whenever high_watermark moves */
	uint32		waiters[FLEXIBLE_ARRAY_MEMBER];	/* bitmap of process slots */
} StrataPartition;

extern size_t PartitionShmemSize(void);
extern void PartitionShmemInit(void);

/* The cluster id clients see (Kafka's 22-character base64 form). */
extern void RegistrySetClusterId(const char *id);
extern void RegistryGetClusterId(char *buf, size_t len);

/*
 * A counter bumped by every TopicInstall that adds a topic: a loader that
 * read the catalog after seeing value N must not remove topics installed
 * later than N (they were created after its snapshot).
 */
extern uint64 RegistryInstallSeq(void);

extern void RegistryLock(void);
extern void RegistryUnlock(void);

/* Lookups: an index, or -1.  Take RegistryLock around a lookup and use. */
extern int	TopicLookupByName(const char *name, size_t len);
extern int	TopicLookupById(const uint8 id[16]);
extern int	PartitionLookup(int topic, int32 partition);
extern int	PartitionLookupByStream(int64 stream_id);

extern StrataTopic *TopicGet(int idx);
extern StrataPartition *PartitionGet(int idx);
extern int	TopicCapacity(void);
extern int	PartitionCapacity(void);

/*
 * Install (insert or update) a topic and its partitions; caller holds
 * RegistryLock.  Returns the index, or -1 if the registry is full.
 */
extern int	TopicInstall(const char *name, size_t len, const uint8 id[16],
						 const TopicConfig *config, int32 num_partitions);
extern int	PartitionInstall(int topic, int32 partition, int64 stream_id, int64 stream_epoch,
							 int32 leader_id, int32 leader_epoch,
							 int64 log_start_offset, int64 next_offset);
/* Remove a topic and all its partitions; caller holds RegistryLock. */
extern void TopicRemove(int topic);

/*
 * Move a partition's high watermark forward to hw (never backward) and wake
 * the fetches waiting on it.  Any process; no lock needed.
 */
extern void PartitionAdvanceHighWatermark(StrataPartition *part, int64 hw);

/* Fetch waiting: register this process's slot as a waiter, or remove it. */
extern void PartitionAddWaiter(StrataPartition *part, int slot);
extern void PartitionRemoveWaiter(StrataPartition *part, int slot);

extern void TopicConfigDefaults(TopicConfig *config);

#endif							/* STRATA_KAFKA_PARTITION_H */
