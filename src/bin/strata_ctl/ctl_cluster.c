/*-------------------------------------------------------------------------
 *
 * ctl_cluster.c
 *	  strata_ctl's cluster commands: move TOPIC PARTITION BROKER, and
 *	  balancer status|pause|resume.
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

/*
 * Print a result as an aligned table: a header line, a rule, the rows
 * (NULL as "-"), or "(none)".
 */
static void
print_table(PGresult *res, const char *indent)
{
	int			ncols = PQnfields(res);
	int			nrows = PQntuples(res);
	int		   *width = palloc0(sizeof(int) * (size_t) Max(ncols, 1));

	if (nrows == 0)
	{
		printf("%s(none)\n", indent);
		pfree(width);
		return;
	}
	for (int c = 0; c < ncols; c++)
	{
		width[c] = (int) strlen(PQfname(res, c));
		for (int r = 0; r < nrows; r++)
			width[c] = Max(width[c], PQgetisnull(res, r, c) ? 1 : PQgetlength(res, r, c));
	}
	printf("%s", indent);
	for (int c = 0; c < ncols; c++)
		printf("%s%-*s", c ? "  " : "", width[c], PQfname(res, c));
	printf("\n%s", indent);
	for (int c = 0; c < ncols; c++)
	{
		printf("%s", c ? "  " : "");
		for (int k = 0; k < width[c]; k++)
			putchar('-');
	}
	printf("\n");
	for (int r = 0; r < nrows; r++)
	{
		printf("%s", indent);
		for (int c = 0; c < ncols; c++)
			printf("%s%-*s", c ? "  " : "", width[c], PQgetisnull(res, r, c) ? "-" : PQgetvalue(res, r, c));
		printf("\n");
	}
	pfree(width);
}

/* Run a query and print its result as a table under a title. */
static void
print_query(PGconn *conn, const char *title, const char *sql)
{
	char		err[1024];
	PGresult   *res = CatalogQuery(conn, sql, 0, NULL, err, sizeof(err));

	if (res == NULL)
	{
		PQfinish(conn);
		fail("%s", err);
	}
	printf("\n%s:\n", title);
	print_table(res, "  ");
	PQclear(res);
}

static void
balancer_status(PGconn *conn)
{
	char		err[1024];
	PGresult   *res;

	res = CatalogQuery(conn,
					   "SELECT coalesce(state, 'not checked yet'), coalesce(controller::text, '-'),"
					   " coalesce(round(extract(epoch FROM clock_timestamp() - last_check)::numeric, 1)::text, '-'),"
					   " paused, coalesce(pause_reason, ''), coalesce(brokers, 0), coalesce(mean_bytes_in_rate, 0),"
					   " coalesce(mean_bytes_out_rate, 0), coalesce(band_pct, 0), coalesce(out_of_band, 0),"
					   " moves_in_flight, excluded_brokers, excluded_topics, draining_brokers,"
					   " coalesce(array_to_string(slow_brokers, ', '), ''),"
					   " coalesce(utilisation_pct::text, ''), coalesce(desired_brokers::text, ''),"
					   " coalesce(scaling, '')"
					   " FROM strata.balancer_status",
					   0, NULL, err, sizeof(err));
	if (res == NULL || PQntuples(res) != 1)
	{
		PQfinish(conn);
		fail("%s", res == NULL ? err : "strata.balancer_status has no row");
	}
	printf("balancer: %s (last check %s s ago, by the controller, broker %s)\n",
		   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 1));
	if (strcmp(PQgetvalue(res, 0, 3), "t") == 0)
		printf("paused%s%s\n", PQgetvalue(res, 0, 4)[0] ? ": " : "", PQgetvalue(res, 0, 4));
	printf("%s eligible brokers; mean %s B/s in, %s B/s out; band +-%s %%; %s out of band; %s balancer moves in flight\n",
		   PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8),
		   PQgetvalue(res, 0, 9), PQgetvalue(res, 0, 10));
	printf("excluded: %s brokers, %s topics; draining: %s brokers\n",
		   PQgetvalue(res, 0, 11), PQgetvalue(res, 0, 12), PQgetvalue(res, 0, 13));
	if (PQgetvalue(res, 0, 14)[0])
		printf("slow brokers: %s\n", PQgetvalue(res, 0, 14));
	if (PQgetvalue(res, 0, 15)[0])
		printf("utilisation: %s %% of capacity; brokers wanted: %s\n", PQgetvalue(res, 0, 15),
			   PQgetvalue(res, 0, 16)[0] ? PQgetvalue(res, 0, 16) : "-");
	if (PQgetvalue(res, 0, 17)[0])
		printf("scaling: %s\n", PQgetvalue(res, 0, 17));
	PQclear(res);

	print_query(conn, "inputs (strata.balancer_inputs)",
				"SELECT broker, role, partitions, bytes_in_rate AS in_bps, bytes_out_rate AS out_bps,"
				" bytes_in_pct_of_mean AS in_pct, bytes_out_pct_of_mean AS out_pct, within_band,"
				" round(append_latency_ms::numeric, 2) AS append_ms, utilisation_pct AS util_pct"
				" FROM strata.balancer_inputs ORDER BY broker");
	print_query(conn, "plan of the last check (strata.balancer_plan)",
				"SELECT topic, partition, from_broker AS from, to_broker AS to, goal,"
				" bytes_in_rate AS in_bps, bytes_out_rate AS out_bps, outcome, move_state"
				" FROM strata.balancer_plan ORDER BY topic, partition");
	print_query(conn, "history, last 10 moves (strata.balancer_history)",
				"SELECT to_char(decided, 'YYYY-MM-DD HH24:MI:SS') AS decided, topic, partition,"
				" from_broker AS from, to_broker AS to, goal, outcome, move_state, duration_ms"
				" FROM strata.balancer_history ORDER BY id DESC LIMIT 10");
	print_query(conn, "scaling, last 5 actions (strata.scaling_history)",
				"SELECT id, to_char(decided, 'YYYY-MM-DD HH24:MI:SS') AS decided, direction, policy,"
				" utilisation_pct AS util_pct, brokers_before AS before, brokers_wanted AS wanted,"
				" array_to_string(broker_ids, ' ') AS brokers, state, exit_status AS exit, total_s, note"
				" FROM strata.scaling_history ORDER BY id DESC LIMIT 5");
}

/*
 * strata_ctl balancer status|pause [REASON]|resume: the balancer's state,
 * inputs, plan and history; or pause and resume it (cluster-wide, in the
 * catalog: whichever broker is the controller obeys at once).
 */
int
do_balancer(int nargs, char **args)
{
	char		err[1024];
	PGconn	   *conn;

	if (nargs < 1)
		fail("balancer needs status, pause or resume");
	if (strcmp(args[0], "status") != 0 && strcmp(args[0], "pause") != 0 && strcmp(args[0], "resume") != 0)
		fail("unknown balancer command \"%s\" (status, pause or resume)", args[0]);
	if (nargs > (strcmp(args[0], "pause") == 0 ? 2 : 1))
		fail("too many arguments for balancer %s", args[0]);
	check_datadir(1);
	load_settings(true);
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL)
		fail("%s", err);
	if (strcmp(args[0], "status") == 0)
		balancer_status(conn);
	else if (strcmp(args[0], "pause") == 0)
	{
		const char *p[1] = {nargs > 1 ? args[1] : NULL};

		if (!CatalogExec(conn, "SELECT strata.balancer_pause($1)", 1, p, err, sizeof(err)))
		{
			PQfinish(conn);
			fail("%s", err);
		}
		printf("balancer paused%s%s: it records its plans but moves nothing until resumed\n",
			   p[0] ? ": " : "", p[0] ? p[0] : "");
	}
	else
	{
		if (!CatalogExec(conn, "SELECT strata.balancer_resume()", 0, NULL, err, sizeof(err)))
		{
			PQfinish(conn);
			fail("%s", err);
		}
		printf("balancer resumed\n");
	}
	PQfinish(conn);
	return 0;
}
