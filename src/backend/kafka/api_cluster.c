/*-------------------------------------------------------------------------
 *
 * api_cluster.c
 *	  AlterPartitionReassignments and ListPartitionReassignments: Kafka's
 *	  way to request and watch partition moves (doc/cluster.md).
 *
 *	  A move names one broker (Strata keeps one replica of a partition: its
 *	  durability comes from the WAL device and object storage), and is the
 *	  same request as strata.move_partition() in SQL or strata_ctl move: the
 *	  request returns once the move is recorded; the leader hands the
 *	  partition off and the move leaves ListPartitionReassignments when the
 *	  new leader has it.  A null replica list cancels a move in flight.
 *
 * src/backend/kafka/api_cluster.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog_cluster.h"
#include "kafka/authorizer.h"
#include "kafka/handlers.h"
#include "kafka/topics.h"
#include "utils/elog.h"

/* One partition of AlterPartitionReassignments. */
static void
reassign_one(PGconn *pg, KArena *arena, const char *topic, const ReassignablePartition *rp,
			 ReassignablePartitionResponse *out)
{
	char		err[1024];
	bool		ok;

	out->PartitionIndex = rp->PartitionIndex;
	if (rp->Replicas.count < 0)
	{
		bool		found;

		if (!CatalogCancelMove(pg, topic, rp->PartitionIndex, &found, err, sizeof(err)))
		{
			elog(LOG, "AlterPartitionReassignments: %s", err);
			out->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
			out->ErrorMessage = KSTR_LIT("The catalog could not be reached; see the broker's log");
		}
		else if (!found)
		{
			out->ErrorCode = KAFKA_ERR_NO_REASSIGNMENT_IN_PROGRESS;
			out->ErrorMessage = KSTR_LIT("No move of this partition is in flight");
		}
		return;
	}
	if (rp->Replicas.count != 1)
	{
		out->ErrorCode = KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
		out->ErrorMessage = KArenaPrintf(arena,
										 "%d replicas given: Strata keeps one replica of each partition (durability comes from the WAL device and object storage, not copies); name the one broker to move it to",
										 rp->Replicas.count);
		return;
	}
	{
		int64		move_id;
		CatalogMoveRefusal refused;

		ok = CatalogMovePartition(pg, topic, rp->PartitionIndex, rp->Replicas.items[0],
								  "AlterPartitionReassignments", &move_id, &refused, err, sizeof(err));
		if (ok)
			return;
		out->ErrorMessage = KStrArena(arena, err);
		switch (refused)
		{
			case MOVE_REFUSED_PARTITION:
				out->ErrorCode = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
				break;
			case MOVE_REFUSED_BROKER:
				out->ErrorCode = KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
				break;
			case MOVE_NOT_REFUSED:
				elog(LOG, "AlterPartitionReassignments: %s", err);
				out->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
				out->ErrorMessage = KSTR_LIT("The catalog could not be reached; see the broker's log");
				break;
		}
	}
}

bool
KafkaHandleAlterPartitionReassignments(void *ctx, const KafkaRequestHeader *h, const void *reqp,
									   void *respp)
{
	KafkaConn  *conn = ctx;
	const AlterPartitionReassignmentsRequest *req = reqp;
	AlterPartitionReassignmentsResponse *resp = respp;
	char	   *connmsg = NULL;
	PGconn	   *pg;

	(void) h;
	/* ALTER on the cluster, as in Kafka. */
	if (!KafkaAuthorizeCluster(ACL_OP_ALTER))
	{
		resp->ErrorCode = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		resp->ErrorMessage = KSTR_LIT("Cluster authorization failed.");
		return true;
	}
	pg = BackendCatalogConnection(&connmsg);
	if (pg == NULL)
	{
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
		resp->ErrorMessage = KStrArena(&conn->arena, connmsg);
		return true;
	}
	resp->Responses.count = Max(req->Topics.count, 0);
	resp->Responses.items = KafkaResponseArray(&conn->arena, &ReassignableTopicResponse_schema,
										  Max(req->Topics.count, 1));
	for (int32 t = 0; t < req->Topics.count; t++)
	{
		const ReassignableTopic *rt = &req->Topics.items[t];
		ReassignableTopicResponse *out = &resp->Responses.items[t];
		char	   *topic = pnstrdup_kstr(rt->Name);

		out->Name = rt->Name;
		out->Partitions.count = Max(rt->Partitions.count, 0);
		out->Partitions.items = KafkaResponseArray(&conn->arena, &ReassignablePartitionResponse_schema,
											  Max(rt->Partitions.count, 1));
		for (int32 p = 0; p < rt->Partitions.count; p++)
			reassign_one(pg, &conn->arena, topic, &rt->Partitions.items[p], &out->Partitions.items[p]);
		pfree(topic);
	}
	return true;
}

/* Is (topic, partition) among those the request asks about (null: all)? */
static bool
move_wanted(const ListPartitionReassignmentsRequest *req, const CatalogMove *m)
{
	if (req->Topics.count < 0)
		return true;
	for (int32 t = 0; t < req->Topics.count; t++)
	{
		const ListPartitionReassignmentsTopics *rt = &req->Topics.items[t];

		if ((size_t) Max(rt->Name.len, 0) != strlen(m->topic) ||
			memcmp(rt->Name.ptr, m->topic, strlen(m->topic)) != 0)
			continue;
		for (int32 p = 0; p < rt->PartitionIndexes.count; p++)
			if (rt->PartitionIndexes.items[p] == m->partition)
				return true;
	}
	return false;
}

/* A replica list of one broker (none if id < 0). */
static void
one_broker(KArena *arena, int32 id, int32 *count, int32 **items)
{
	*count = 0;
	*items = NULL;
	if (id >= 0)
	{
		*items = KArenaArray(arena, 1, sizeof(int32));
		(*items)[0] = id;
		*count = 1;
	}
}

bool
KafkaHandleListPartitionReassignments(void *ctx, const KafkaRequestHeader *h, const void *reqp,
									  void *respp)
{
	KafkaConn  *conn = ctx;
	const ListPartitionReassignmentsRequest *req = reqp;
	ListPartitionReassignmentsResponse *resp = respp;
	char	   *connmsg = NULL;
	PGconn	   *pg;
	CatalogMove *moves;
	int			nmoves;
	char		err[1024];
	int			ntopics = 0;

	(void) h;
	/* DESCRIBE on the cluster, as in Kafka. */
	if (!KafkaAuthorizeCluster(ACL_OP_DESCRIBE))
	{
		resp->ErrorCode = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		resp->ErrorMessage = KSTR_LIT("Cluster authorization failed.");
		return true;
	}
	pg = BackendCatalogConnection(&connmsg);
	if (pg == NULL || !CatalogListMoves(pg, &moves, &nmoves, err, sizeof(err)))
	{
		if (pg != NULL)
			elog(LOG, "ListPartitionReassignments: %s", err);
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
		resp->ErrorMessage = KSTR_LIT("The catalog could not be reached; see the broker's log");
		return true;
	}
	/* Moves come sorted by topic: one response topic per run of them. */
	resp->Topics.items = KafkaResponseArray(&conn->arena, &OngoingTopicReassignment_schema, Max(nmoves, 1));
	for (int i = 0; i < nmoves; i++)
	{
		OngoingTopicReassignment *ot;
		OngoingPartitionReassignment *op;

		if (!move_wanted(req, &moves[i]))
			continue;
		if (ntopics == 0 || strcmp(resp->Topics.items[ntopics - 1].Name.ptr, moves[i].topic) != 0)
		{
			ot = &resp->Topics.items[ntopics++];
			ot->Name = KStrArena(&conn->arena, moves[i].topic);
			ot->Partitions.items = KafkaResponseArray(&conn->arena, &OngoingPartitionReassignment_schema,
												 nmoves - i);
			ot->Partitions.count = 0;
		}
		ot = &resp->Topics.items[ntopics - 1];
		op = &ot->Partitions.items[ot->Partitions.count++];
		op->PartitionIndex = moves[i].partition;
		/* Kafka's view of a move: the target added, the current leader removed. */
		one_broker(&conn->arena, moves[i].from_broker, &op->Replicas.count, &op->Replicas.items);
		one_broker(&conn->arena, moves[i].to_broker, &op->AddingReplicas.count, &op->AddingReplicas.items);
		one_broker(&conn->arena, moves[i].from_broker, &op->RemovingReplicas.count,
				   &op->RemovingReplicas.items);
	}
	resp->Topics.count = ntopics;
	pfree(moves);
	return true;
}
