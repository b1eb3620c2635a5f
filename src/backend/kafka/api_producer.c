/*-------------------------------------------------------------------------
 *
 * api_producer.c
 *	  InitProducerId: producer ids for idempotent producers.
 *
 *	  Ids come from the catalog sequence strata.producer_ids, so they are
 *	  unique across brokers and restarts.  A producer that re-initialises
 *	  (v3+, after an error such as OUT_OF_ORDER_SEQUENCE_NUMBER or a
 *	  timed-out batch, KIP-360) sends its current id and epoch and gets the
 *	  same id with the epoch bumped, which fences its own older in-flight
 *	  batches (INVALID_PRODUCER_EPOCH at the partitions) and restarts its
 *	  sequences at 0; when the epoch would overflow (32766 and up, as
 *	  Kafka's coordinator) it gets a new id with epoch 0 instead.  Either
 *	  both or neither of ProducerId/ProducerEpoch must be given
 *	  (INVALID_REQUEST otherwise, as Kafka).
 *
 *	  Transactions are not built yet: a non-null TransactionalId gets
 *	  TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which every client treats as
 *	  final (librdkafka and the Java client fail init_transactions() at
 *	  once with "Transactional Id authorization failed"), rather than a
 *	  retriable error that would make them retry until a timeout.  Produce
 *	  answers transactional batches the same way (api_produce.c).
 *
 *	  Authorisation, as Kafka 3.x: IDEMPOTENT_WRITE on the cluster, or WRITE
 *	  on at least one topic; CLUSTER_AUTHORIZATION_FAILED otherwise.
 *
 * src/backend/kafka/api_producer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog_producers.h"
#include "kafka/authorizer.h"
#include "kafka/handlers.h"
#include "kafka/topics.h"
#include "utils/elog.h"

/* Kafka rotates the producer id once the epoch reaches Short.MaxValue - 1. */
#define PRODUCER_EPOCH_EXHAUSTED	(INT16_MAX - 1)

/* A fresh producer id from the catalog sequence; -1 if unreachable. */
static int64
next_producer_id(void)
{
	char	   *msg = NULL;
	char		err[1024];
	PGconn	   *pg = BackendCatalogConnection(&msg);
	int64		id;

	if (pg == NULL)
		return -1;
	id = CatalogNextProducerId(pg, err, sizeof(err));
	if (id < 0)
		elog(LOG, "%s", err);
	return id;
}

bool
KafkaHandleInitProducerId(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	const InitProducerIdRequest *req = reqp;
	InitProducerIdResponse *resp = respp;

	(void) ctx;
	resp->ProducerId = -1;
	resp->ProducerEpoch = -1;
	if (req->TransactionalId.len >= 0)
	{
		resp->ErrorCode = KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
		return true;
	}
	/* An idempotent producer: IDEMPOTENT_WRITE on the cluster or WRITE on some topic. */
	if (!KafkaAuthorizeCluster(ACL_OP_IDEMPOTENT_WRITE) && !KafkaAuthorizeAny(ACL_RESOURCE_TOPIC, ACL_OP_WRITE))
	{
		resp->ErrorCode = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		return true;
	}
	if (h->api_version >= 3 && (req->ProducerId >= 0 || req->ProducerEpoch >= 0))
	{
		if (req->ProducerId < 0 || req->ProducerEpoch < 0)
		{
			resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			return true;
		}
		if (req->ProducerEpoch < PRODUCER_EPOCH_EXHAUSTED)
		{
			resp->ErrorCode = KAFKA_ERR_NONE;
			resp->ProducerId = req->ProducerId;
			resp->ProducerEpoch = (int16) (req->ProducerEpoch + 1);
			return true;
		}
		/* epoch exhausted: a new id, as for a fresh producer */
	}
	resp->ProducerId = next_producer_id();
	if (resp->ProducerId < 0)
	{
		resp->ErrorCode = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
		return true;
	}
	resp->ErrorCode = KAFKA_ERR_NONE;
	resp->ProducerEpoch = 0;
	return true;
}
