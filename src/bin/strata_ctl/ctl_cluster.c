/*-------------------------------------------------------------------------
 *
 * ctl_cluster.c
 *	  strata_ctl's cluster commands: move TOPIC PARTITION BROKER.
 *
 * src/bin/strata_ctl/ctl_cluster.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "catalog/catalog.h"
#include "catalog/catalog_cluster.h"

#include "strata_ctl.h"

/*
 * strata_ctl move TOPIC PARTITION BROKER: request the move (as
 * strata.move_partition() does) and, unless --no-wait, wait for the hand-off
 * to commit, woken by the catalog's NOTIFY on the partition.
 */
int
do_move(int nargs, char **args)
{
	char		err[1024];
	PGconn	   *conn;
	char	   *end;
	long		partition,
				broker;
	int64		move_id;
	CatalogMoveRefusal refused;
	char		idbuf[24];
	const char *params[1] = {idbuf};
	time_t		deadline;

	if (nargs != 3)
		fail("move needs TOPIC PARTITION BROKER");
	partition = strtol(args[1], &end, 10);
	if (*end != '\0' || partition < 0 || partition > INT32_MAX)
		fail("invalid partition \"%s\"", args[1]);
	broker = strtol(args[2], &end, 10);
	if (*end != '\0' || broker < 0 || broker > INT32_MAX)
		fail("invalid broker id \"%s\"", args[2]);
	check_datadir(1);
	load_settings(true);
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL)
		fail("%s", err);
	if (!CatalogExecScript(conn, "LISTEN " CATALOG_CHANNEL_PARTITIONS, err, sizeof(err)) ||
		!CatalogMovePartition(conn, args[0], (int32) partition, (int32) broker, "strata_ctl",
							  &move_id, &refused, err, sizeof(err)))
	{
		PQfinish(conn);
		fail("%s", err);
	}
	if (move_id == 0)
	{
		printf("partition %ld of topic \"%s\" is already led by broker %ld\n", partition, args[0], broker);
		PQfinish(conn);
		return 0;
	}
	if (!do_wait)
	{
		printf("requested move %lld of partition %ld of topic \"%s\" to broker %ld\n",
			   (long long) move_id, partition, args[0], broker);
		PQfinish(conn);
		return 0;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) move_id);
	deadline = time(NULL) + wait_seconds;
	for (;;)
	{
		PGresult   *res = CatalogQuery(conn,
									   "SELECT state, from_broker, coalesce(duration_ms, 0) FROM strata.move_history WHERE id = $1::bigint"
									   " UNION ALL SELECT 'pending', from_broker, 0 FROM strata.moves_in_flight WHERE id = $1::bigint",
									   1, params, err, sizeof(err));
		PGnotify   *n;

		if (res == NULL)
			fail("%s", err);
		if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "done") == 0)
		{
			printf("moved partition %ld of topic \"%s\" from broker %s to broker %ld in %s ms\n",
				   partition, args[0], PQgetisnull(res, 0, 1) ? "(none)" : PQgetvalue(res, 0, 1),
				   broker, PQgetvalue(res, 0, 2));
			PQclear(res);
			break;
		}
		if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "pending") != 0)
		{
			PQclear(res);
			PQfinish(conn);
			fail("move %lld of partition %ld of topic \"%s\" was cancelled", (long long) move_id,
				 partition, args[0]);
		}
		PQclear(res);
		if (time(NULL) >= deadline)
		{
			PQfinish(conn);
			fail("move %lld is still in flight after %d s (see strata.moves_in_flight)",
				 (long long) move_id, wait_seconds);
		}
		/* Sleep until the catalog announces a partition change (or a second passes). */
		{
			struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};

			(void) poll(&pfd, 1, 1000);
			if (!PQconsumeInput(conn))
				fail("lost the catalog connection while waiting for the move");
			while ((n = PQnotifies(conn)) != NULL)
				PQfreemem(n);
		}
	}
	PQfinish(conn);
	return 0;
}
