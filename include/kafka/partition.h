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
 *	  that WAL order is offset order), the next offset to assign, and the
 *	  log start offset.  What is durable (the high watermark) and who waits
 *	  for new data is the log cache's business (storage/logcache.h).
 *
 *	  Locking: RegistryLock (an SMutex) protects the topic and partition
 *	  tables and their hash indexes; lookups take it briefly.  A partition's
 *	  append_lock protects next_offset and the max-timestamp fields;
 *	  log_start_offset is atomic.
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
	/*
	 * message.timestamp.before.max.ms / after.max.ms (INT64_MAX: no limit)
	 * and the deprecated difference.max.ms they fall back to, as Kafka.
	 */
	int64		timestamp_before_max_ms;
	int64		timestamp_after_max_ms;
	int64		timestamp_difference_max_ms;
	/*
	 * Bit i set: TopicConfigDefs[i], a config Strata accepts and stores but
	 * does not act on, has an override in the catalog (strata.topic_configs),
	 * where DescribeConfigs reads its value.
	 */
	uint64		stored_overrides;
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
	/*
	 * Traffic counters for the metrics endpoint (TopicCountIn/Out): atomic
	 * adds without RegistryLock; zeroed when the entry is created, kept
	 * when an existing topic is installed again (a catalog reload).
	 */
	uint64		bytes_in;
	uint64		records_in;
	uint64		bytes_out;
	uint64		records_out;
} StrataTopic;

typedef struct StrataPartition
{
	uint32		state;			/* TOPIC_FREE / TOPIC_LIVE */
	int32		topic;			/* index into the topic table */
	int32		partition;
	int32		leader_id;
	int32		leader_epoch;
	int64		stream_id;
	int64		stream_epoch;	/* the epoch this broker opened the stream
								 * with; 0 when it is not open here */
	/*
	 * A hand-off in progress (a move to target_broker): set under
	 * append_lock by the catalog worker, which refuses further appends;
	 * handoff_lsn is the WAL insert position then, which every append made
	 * before ends at or below.  The uploader uploads the stream's tail and
	 * commits the new leader (doc/cluster.md).
	 */
	int32		target_broker;	/* -1: none */
	uint32		handoff;		/* atomic: 1 while frozen for a hand-off */
	uint64		handoff_lsn;
	SMutex		append_lock;
	int64		next_offset;	/* protected by append_lock */
	int64		log_start_offset;	/* atomic */
	int64		max_timestamp;	/* largest batch max timestamp seen */
	int64		max_timestamp_offset;	/* last offset of that batch */
	/*
	 * Traffic for the balancer (PartitionCountIn/Out, collected by
	 * PartitionTrafficCollect): atomic adds without locks, counted from
	 * the entry's creation, whoever led the partition meanwhile.  The
	 * reader takes differences between two of its samples of the same
	 * stream opened with the same epoch, so it needs no reset.
	 */
	uint64		bytes_in;		/* record batch bytes appended */
	uint64		batches_in;		/* record batches appended */
	uint64		bytes_out;		/* record batch bytes fetched */
	uint64		reads_out;		/* fetch responses that carried its data */
} StrataPartition;

extern size_t PartitionShmemSize(void);
extern void PartitionShmemInit(void);

/* The cluster id clients see (Kafka's 22-character base64 form). */
extern void RegistrySetClusterId(const char *id);
extern void RegistryGetClusterId(char *buf, size_t len);

/*
 * Held by whoever changes topics in the catalog and then mirrors the change
 * into the registry (a backend serving CreateTopics, the catalog worker
 * loading), from before its catalog transaction until the registry is
 * updated.  Without it a load that read the catalog just before a commit
 * could install its older view over the newer one.  Taken before
 * RegistryLock, never inside it.
 */
extern void RegistryChangeLock(void);
extern void RegistryChangeUnlock(void);

/*
 * Set by the catalog worker once it has loaded the registry from the
 * catalog after a start or crash restart (and the uploader's latch set);
 * until then the registry may be incomplete.
 */
extern void RegistrySetLoaded(void);
extern bool RegistryIsLoaded(void);

extern void RegistryLock(void);
extern void RegistryUnlock(void);

/* Lookups: an index, or -1.  Take RegistryLock around a lookup and use. */
extern int	TopicLookupByName(const char *name, size_t len);
extern int	TopicLookupById(const uint8 id[16]);
extern int	PartitionLookup(int topic, int32 partition);
extern int	PartitionLookupByStream(int64 stream_id);

extern StrataTopic *TopicGet(int idx);
extern StrataPartition *PartitionGet(int idx);

/*
 * Whether this broker serves p: it leads p and has p's stream open (a
 * stream epoch).  A partition the catalog says this broker leads but that
 * a load has not opened yet is not served: its end offset is unknown.
 */
extern bool PartitionServedHere(const StrataPartition *p);
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
/*
 * This broker opened partition idx's stream with stream_epoch (it leads
 * it now, with leader_epoch): its next offset and log start offset come
 * from the catalog (and the WAL), not from whatever the registry held of
 * an earlier time the partition was led here.  Caller holds RegistryLock.
 */
extern void PartitionOpened(int idx, int64 stream_epoch, int32 leader_epoch,
							int64 log_start_offset, int64 next_offset);

/*
 * Freeze partition idx for a hand-off to target (appends get
 * NOT_LEADER_OR_FOLLOWER from now on) or, with target -1, thaw it.
 * Takes the partition's append lock; caller holds RegistryLock.
 */
extern void PartitionSetHandoff(int idx, int32 target);

/* A partition frozen for a hand-off, as the uploader sees it. */
typedef struct PartitionHandoff
{
	int			idx;
	uint64		stream_id;
	int64		stream_epoch;
	int32		target;
	int64		next_offset;	/* the stream's end: nothing is appended any more */
	uint64		handoff_lsn;	/* every append ended at or below it */
} PartitionHandoff;

/*
 * The partitions this broker is handing off (up to max into out); takes
 * RegistryLock.
 */
extern int	PartitionCollectHandoffs(PartitionHandoff *out, int max);

/*
 * The hand-off of partition idx committed: target leads it now with
 * leader_epoch; this broker no longer has its stream open.  Takes
 * RegistryLock and the append lock.
 */
extern void PartitionHandedOff(int idx, int32 target, int32 leader_epoch);

/* How many partitions this broker leads now; takes RegistryLock. */
extern int	PartitionCountLed(void);

/*
 * Raise a partition's log start offset to at least start (DeleteRecords,
 * retention; after the catalog has it); returns the offset before.  Atomic:
 * no lock needed beyond keeping the partition from being reused.
 */
extern int64 PartitionAdvanceLogStart(StrataPartition *part, int64 start);

/* Remove a topic and all its partitions; caller holds RegistryLock. */
extern void TopicRemove(int topic);

extern void TopicConfigDefaults(TopicConfig *config);

/*
 * Per-topic traffic, for the metrics endpoint: produced batches once in the
 * WAL ring, fetched batches once in a response.  No lock needed; a topic
 * deleted meanwhile loses (or, if its entry was reused at once, lends to
 * its successor) the last few counts.
 */
extern void TopicCountIn(int topic, uint64 bytes, uint64 records);
extern void TopicCountOut(int topic, uint64 bytes, uint64 records);

/* Bytes produced to and fetched from all live topics (for the catalog's broker_load). */
extern void TopicTrafficTotals(uint64 *bytes_in, uint64 *bytes_out);

/*
 * Per-partition traffic, for the balancer: a batch of the given size
 * appended to partition part (in the WAL ring), and a fetch response that
 * carried bytes of partition idx's stream stream_id (ignored when the
 * entry has been reused for another stream since).  No lock needed.
 */
extern void PartitionCountIn(StrataPartition *part, uint64 bytes);
extern void PartitionCountOut(int idx, int64 stream_id, uint64 bytes);

/* One partition this broker leads, and its traffic counters now. */
typedef struct PartitionTraffic
{
	int			idx;			/* registry index */
	uint8		topic_id[16];
	int32		partition;
	int64		stream_id;
	int64		stream_epoch;	/* the epoch this broker opened it with */
	uint64		bytes_in;
	uint64		batches_in;
	uint64		bytes_out;
	uint64		reads_out;
} PartitionTraffic;

/*
 * The partitions this broker leads with their stream open (palloc'd array
 * in *out, its length returned).  Takes RegistryLock.
 */
extern int	PartitionTrafficCollect(PartitionTraffic **out);

/*
 * The metrics exporter: every live topic's counters (palloc'd array in
 * *samples, its length returned) and the number of live partitions.
 * Takes RegistryLock.
 */
struct MetricTopicSample;
extern int	TopicMetricsCollect(struct MetricTopicSample **samples, int *npartitions);

#endif							/* STRATA_KAFKA_PARTITION_H */
