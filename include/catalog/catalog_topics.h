/*-------------------------------------------------------------------------
 *
 * catalog_topics.h
 *	  Topics, partitions, topic configs and streams in the catalog (tables
 *	  strata.topics, strata.topic_configs, strata.partitions,
 *	  strata.streams, strata.cluster).
 *
 *	  A partition's data is a stream.  A stream has an epoch, bumped by the
 *	  broker that opens it (in the statement that opens it); every later
 *	  write touching the stream (object commits, start offsets) carries the
 *	  epoch it was opened with and changes nothing once another broker has
 *	  opened it since.  Leadership (partitions.leader, leader_epoch) and
 *	  stream epochs move together: a partition changing hands belongs in one
 *	  transaction here, with its end offset and producer states
 *	  (catalog_producers.h) and the new leader with leader_epoch + 1.
 *
 *	  Transactions and locks:
 *	  - CatalogCreateTopic, CatalogDeleteTopic, CatalogAddPartitions,
 *	    CatalogAlterTopicConfigs and CatalogLoadTopics each run ONE
 *	    transaction of their own (the connection must not be inside one),
 *	    rolled back on any failure; they lock the rows they write (the
 *	    topic's, its partitions' and streams' rows) and take no advisory
 *	    lock.  The caller serialises them within the broker
 *	    (RegistryChangeLock, kafka/partition.h).
 *	  - CatalogTrimStream and CatalogAdvanceStreamStarts are one statement
 *	    each, locking the streams' rows they update; CatalogGetTopicConfigs
 *	    is one statement locking nothing.
 *
 *	  Results are palloc'd; free them with the function named.
 *
 * include/catalog/catalog_topics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_TOPICS_H
#define STRATA_CATALOG_TOPICS_H

#include "c.h"

#include <libpq-fe.h>

/* A topic config as stored (value NULL: none). */
typedef struct CatalogTopicConfig
{
	const char *name;
	const char *value;
} CatalogTopicConfig;

/* A partition and its stream, as the catalog has them. */
typedef struct CatalogPartition
{
	uint8		topic_id[16];
	int32		index;
	int64		stream_id;
	int64		stream_epoch;
	int32		leader;			/* -1: none */
	int32		leader_epoch;
	int64		start_offset;	/* the stream's */
	int64		end_offset;		/* the stream's, as far as objects go */
	int32		target_broker;	/* a move's target; -1: none */
	bool		opened_now;		/* the load (or creation) opened its stream
								 * for the loading broker */
} CatalogPartition;

/* ---- topics and partitions ---- */

typedef enum CatalogTopicResult
{
	CATALOG_TOPIC_OK,
	CATALOG_TOPIC_EXISTS,		/* a topic of that name exists: nothing done */
	CATALOG_TOPIC_ERROR			/* err says why; nothing done */
} CatalogTopicResult;

/*
 * Create topic name with its configs and nparts partitions, partition i
 * led by leaders[i] (leader epoch 0), each on a new stream: opened (epoch
 * 1) for those broker me leads, closed (epoch 0, opened by their leader)
 * for the others.  id_out gets the topic's id and *parts (palloc'd, nparts
 * entries) its partitions (start and end offsets 0).
 */
extern CatalogTopicResult CatalogCreateTopic(PGconn *conn, const char *name,
											 const CatalogTopicConfig *configs, int nconfigs,
											 int32 nparts, const int32 *leaders, int32 me,
											 uint8 id_out[16], CatalogPartition **parts,
											 char *err, size_t errlen);

/*
 * Delete topic id: its streams become 'deleted' (their objects go to
 * garbage collection), its row goes (and with it its partitions and
 * configs).  *name_out gets the name it had (palloc'd), NULL if the topic
 * was gone already.
 */
extern bool CatalogDeleteTopic(PGconn *conn, const uint8 id[16], char **name_out,
							   char *err, size_t errlen);

/*
 * Grow topic id from current to new_total partitions, partition current +
 * i led by leaders[i], each on a new stream as CatalogCreateTopic makes
 * them; *parts (palloc'd, new_total - current entries) gets them.
 */
extern bool CatalogAddPartitions(PGconn *conn, const uint8 id[16], int32 current,
								 int32 new_total, const int32 *leaders, int32 me,
								 CatalogPartition **parts, char *err, size_t errlen);

/*
 * Change topic id's configs: replace removes every config first; then
 * each entry is set, or removed when its value is NULL.
 */
extern bool CatalogAlterTopicConfigs(PGconn *conn, const uint8 id[16], bool replace,
									 const CatalogTopicConfig *configs, int n,
									 char *err, size_t errlen);

/*
 * Topic id's configs as stored (every override, whether Strata acts on it
 * or not).  Returns the count (*out palloc'd, its strings too) or -1.
 */
extern int	CatalogGetTopicConfigs(PGconn *conn, const uint8 id[16], CatalogTopicConfig **out,
								   char *err, size_t errlen);

/* A topic with its configs. */
typedef struct CatalogTopic
{
	uint8		id[16];
	char	   *name;
	int32		num_partitions;
	CatalogTopicConfig *configs;
	int			nconfigs;
} CatalogTopic;

/* Everything a broker loads into its registry. */
typedef struct CatalogTopicSet
{
	bool		has_cluster_id;
	uint8		cluster_id[16];
	CatalogTopic *topics;		/* by name */
	int			ntopics;
	CatalogPartition *partitions;
	int			npartitions;
} CatalogTopicSet;

/*
 * The registry load, one transaction: open (epoch + 1, state 'opened') the
 * streams of the partitions broker leads, except those open_ids names at
 * the epoch open_epochs gives (this broker has them open already; they
 * keep their epoch) — from now on a commit to a newly opened stream by
 * whoever held it before is refused; then read the cluster id, every topic
 * with its configs and every partition with its stream (opened_now set for
 * those opened here and now).  Partitions nobody leads are the
 * controller's to place.  The caller serialises this with its own topic
 * changes (RegistryChangeLock), so the open list stays true meanwhile.
 * Free *set with CatalogFreeTopicSet.
 */
extern bool CatalogLoadTopics(PGconn *conn, int32 broker, const int64 *open_ids,
							  const int64 *open_epochs, int nopen,
							  CatalogTopicSet *set, char *err, size_t errlen);
extern void CatalogFreeTopicSet(CatalogTopicSet *set);

/* ---- streams ---- */

/*
 * DeleteRecords: move a stream's start offset (and its end offset, which
 * is never below it) up to target, if the stream still has epoch.  *ours
 * false: it does not (another broker opened it; nothing changed);
 * otherwise *start gets the start offset now.
 */
extern bool CatalogTrimStream(PGconn *conn, uint64 stream_id, int64 epoch, int64 target,
							  bool *ours, int64 *start, char *err, size_t errlen);

/* A stream's start offset as retention moves it. */
typedef struct CatalogStreamStart
{
	uint64		stream_id;
	int64		epoch;			/* the epoch this broker opened it with */
	int64		start_offset;
} CatalogStreamStart;

/*
 * Retention: move each stream's start offset (and end offset) up to the
 * given one, if the stream still has the given epoch and the new start is
 * not above what objects hold (object_end_offset).  Returns how many
 * streams moved, with their start offsets now in *moved (palloc'd; epoch
 * not set), or -1 with err.
 */
extern int	CatalogAdvanceStreamStarts(PGconn *conn, const CatalogStreamStart *want, int n,
									   CatalogStreamStart **moved, char *err, size_t errlen);

#endif							/* STRATA_CATALOG_TOPICS_H */
