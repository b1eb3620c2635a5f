/*-------------------------------------------------------------------------
 *
 * catalog_balancer.c
 *	  The catalog's side of auto-balancing and auto-scaling: the traffic
 *	  brokers publish, the balancer's inputs and records, scaling actions
 *	  (see catalog/catalog_balancer.h for the transactions and locks each
 *	  takes, and migration 8 in migrate.c for the tables).
 *
 * src/backend/catalog/catalog_balancer.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdlib.h>

#include "catalog/catalog.h"
#include "catalog/catalog_balancer.h"

/* ---------- publishing ---------- */

/*
 * One statement: the broker's row (only while its epoch is current), then
 * the partitions' rows, joined to the broker's update so that a fenced
 * broker writes none.  Partitions deleted meanwhile are skipped (the join
 * with strata.partitions); the controller prunes rows of partitions
 * deleted later.
 */
const char CatalogPublishLoadSQL[] =
"WITH b AS (\n"
"  UPDATE strata.brokers SET bytes_in = $3::bigint, bytes_out = $4::bigint,\n"
"         bytes_in_rate = $5::float8, bytes_out_rate = $6::float8,\n"
"         append_latency_ms = $7::float8, append_latency_p99_ms = $8::float8,\n"
"         fetch_latency_ms = $9::float8, fetch_latency_p99_ms = $10::float8,\n"
"         capacity = nullif($11::bigint, 0), load_updated = now()\n"
"   WHERE id = $1::int AND epoch = $2::bigint RETURNING id)\n"
"INSERT INTO strata.partition_load AS l\n"
"       (topic_id, partition, broker, bytes_in_rate, bytes_out_rate, produce_rate, fetch_rate, updated)\n"
"SELECT u.topic_id, u.partition, b.id, u.bi, u.bo, u.pr, u.fr, now()\n"
"  FROM b, unnest($12::uuid[], $13::int[], $14::float8[], $15::float8[], $16::float8[], $17::float8[])\n"
"       AS u(topic_id, partition, bi, bo, pr, fr)\n"
" WHERE EXISTS (SELECT 1 FROM strata.partitions p WHERE p.topic_id = u.topic_id AND p.index = u.partition)\n"
"ON CONFLICT (topic_id, partition) DO UPDATE SET broker = excluded.broker,\n"
"   bytes_in_rate = excluded.bytes_in_rate, bytes_out_rate = excluded.bytes_out_rate,\n"
"   produce_rate = excluded.produce_rate, fetch_rate = excluded.fetch_rate, updated = excluded.updated";

static char *
format_float(double v)
{
	return psprintf("%.3f", v);
}

/* A latency: -1 (nothing measured) is SQL NULL. */
static char *
format_latency(double v)
{
	return v < 0 ? NULL : psprintf("%.3f", v);
}

/* A PostgreSQL array literal of n values, each formatted by fmt_one. */
typedef int (*ArrayElemFormatter) (char *out, size_t outlen, const CatalogPartitionLoad *p);

static char *
format_array(const CatalogPartitionLoad *parts, int n, size_t elem_max, ArrayElemFormatter fmt_one)
{
	size_t		cap = (size_t) n * (elem_max + 1) + 3;
	char	   *out = palloc(cap);
	size_t		len = 0;

	out[len++] = '{';
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			out[len++] = ',';
		len += (size_t) fmt_one(out + len, cap - len, &parts[i]);
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}

static int
fmt_topic_id(char *out, size_t outlen, const CatalogPartitionLoad *p)
{
	const uint8 *u = p->topic_id;

	return snprintf(out, outlen,
					"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
					u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static int
fmt_partition(char *out, size_t outlen, const CatalogPartitionLoad *p)
{
	return snprintf(out, outlen, "%d", p->partition);
}

static int
fmt_in(char *out, size_t outlen, const CatalogPartitionLoad *p)
{
	return snprintf(out, outlen, "%.1f", p->bytes_in_rate);
}

static int
fmt_out(char *out, size_t outlen, const CatalogPartitionLoad *p)
{
	return snprintf(out, outlen, "%.1f", p->bytes_out_rate);
}

static int
fmt_produce(char *out, size_t outlen, const CatalogPartitionLoad *p)
{
	return snprintf(out, outlen, "%.2f", p->produce_rate);
}

static int
fmt_fetch(char *out, size_t outlen, const CatalogPartitionLoad *p)
{
	return snprintf(out, outlen, "%.2f", p->fetch_rate);
}

/*
 * Rates are clamped to [0, 1e15] before formatting, so that each element
 * fits the per-element bound given to format_array.
 */
static double
clamp_rate(double v)
{
	return v < 0 || v != v ? 0 : Min(v, 1e15);
}

void
CatalogPublishLoadParams(int32 broker_id, int64 broker_epoch, const CatalogBrokerLoad *load,
						 const CatalogPartitionLoad *parts, int nparts, char **params)
{
	CatalogPartitionLoad *clamped = palloc(sizeof(CatalogPartitionLoad) * (size_t) Max(nparts, 1));

	for (int i = 0; i < nparts; i++)
	{
		clamped[i] = parts[i];
		clamped[i].bytes_in_rate = clamp_rate(parts[i].bytes_in_rate);
		clamped[i].bytes_out_rate = clamp_rate(parts[i].bytes_out_rate);
		clamped[i].produce_rate = clamp_rate(parts[i].produce_rate);
		clamped[i].fetch_rate = clamp_rate(parts[i].fetch_rate);
	}
	params[0] = psprintf("%d", broker_id);
	params[1] = psprintf("%lld", (long long) broker_epoch);
	params[2] = psprintf("%llu", (unsigned long long) load->bytes_in);
	params[3] = psprintf("%llu", (unsigned long long) load->bytes_out);
	params[4] = format_float(clamp_rate(load->bytes_in_rate));
	params[5] = format_float(clamp_rate(load->bytes_out_rate));
	params[6] = format_latency(load->append_latency_ms);
	params[7] = format_latency(load->append_latency_p99_ms);
	params[8] = format_latency(load->fetch_latency_ms);
	params[9] = format_latency(load->fetch_latency_p99_ms);
	params[10] = psprintf("%lld", (long long) Max(load->capacity, 0));
	params[11] = format_array(clamped, nparts, 36, fmt_topic_id);
	params[12] = format_array(clamped, nparts, 11, fmt_partition);
	params[13] = format_array(clamped, nparts, 20, fmt_in);
	params[14] = format_array(clamped, nparts, 20, fmt_out);
	params[15] = format_array(clamped, nparts, 20, fmt_produce);
	params[16] = format_array(clamped, nparts, 20, fmt_fetch);
	pfree(clamped);
}

void
CatalogPublishLoadParamsFree(char **params)
{
	for (int i = 0; i < CATALOG_PUBLISH_LOAD_NPARAMS; i++)
		if (params[i])
			pfree(params[i]);
}

bool
CatalogPublishLoad(PGconn *conn, int32 broker_id, int64 broker_epoch, const CatalogBrokerLoad *load,
				   const CatalogPartitionLoad *parts, int nparts, long timeout_ms,
				   char *err, size_t errlen)
{
	char	   *params[CATALOG_PUBLISH_LOAD_NPARAMS];
	PGresult   *res;
	CatalogWaitResult r;

	CatalogPublishLoadParams(broker_id, broker_epoch, load, parts, nparts, params);
	r = CatalogQueryWait(conn, CatalogPublishLoadSQL, CATALOG_PUBLISH_LOAD_NPARAMS,
						 (const char *const *) params, timeout_ms, false, &res, err, errlen);
	CatalogPublishLoadParamsFree(params);
	if (r != CATALOG_WAIT_OK)
		return false;
	PQclear(res);
	return true;
}

/* ---------- the balancer ---------- */

static void
rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}

static int32
int_or(PGresult *res, int row, int col, int32 dflt)
{
	return PQgetisnull(res, row, col) ? dflt : (int32) atoi(PQgetvalue(res, row, col));
}

static double
float_or(PGresult *res, int row, int col, double dflt)
{
	return PQgetisnull(res, row, col) ? dflt : strtod(PQgetvalue(res, row, col), NULL);
}

static bool
bool_of(PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* The brokers' rows of CatalogBalancerLoad's second query. */
static void
read_brokers(PGresult *br, CatalogBalancerInputs *in)
{
	in->nbrokers = PQntuples(br);
	in->brokers = palloc0(sizeof(CatalogBalancerBroker) * (size_t) Max(in->nbrokers, 1));
	for (int i = 0; i < in->nbrokers; i++)
	{
		CatalogBalancerBroker *b = &in->brokers[i];

		b->id = int_or(br, i, 0, -1);
		b->live = bool_of(br, i, 1);
		b->excluded = bool_of(br, i, 2);
		b->draining = bool_of(br, i, 3);
		b->draining_action = strtoll(PQgetvalue(br, i, 4), NULL, 10);
		b->capacity = strtoll(PQgetvalue(br, i, 5), NULL, 10);
		b->bytes_in_rate = float_or(br, i, 6, 0);
		b->bytes_out_rate = float_or(br, i, 7, 0);
		b->append_latency_ms = float_or(br, i, 8, -1);
		b->load_age_ms = PQgetisnull(br, i, 9) ? -1 : strtoll(PQgetvalue(br, i, 9), NULL, 10);
		b->starting = b->live && bool_of(br, i, 10);
	}
}

/* The partitions' rows of CatalogBalancerLoad's third query. */
static void
read_partitions(PGresult *pa, CatalogBalancerInputs *in)
{
	in->nparts = PQntuples(pa);
	in->parts = palloc0(sizeof(CatalogBalancerPartition) * (size_t) Max(in->nparts, 1));
	for (int i = 0; i < in->nparts; i++)
	{
		CatalogBalancerPartition *cp = &in->parts[i];

		strlcpy_s(cp->topic, PQgetvalue(pa, i, 0), sizeof(cp->topic));
		cp->partition = int_or(pa, i, 1, 0);
		cp->leader = int_or(pa, i, 2, -1);
		cp->target = int_or(pa, i, 3, -1);
		cp->bytes_in_rate = float_or(pa, i, 4, 0);
		cp->bytes_out_rate = float_or(pa, i, 5, 0);
		cp->excluded = bool_of(pa, i, 6);
		cp->recent = bool_of(pa, i, 7);
	}
}

/* The last scaling action, if any, of CatalogBalancerLoad's last query. */
static void
read_scaling(PGresult *sc, CatalogBalancerInputs *in)
{
	if (PQntuples(sc) == 1)
	{
		CatalogScalingAction *a = &in->scaling;
		char	   *p = PQgetvalue(sc, 0, 7);

		a->id = strtoll(PQgetvalue(sc, 0, 0), NULL, 10);
		a->controller = int_or(sc, 0, 1, -1);
		a->out = bool_of(sc, 0, 2);
		a->emergency = bool_of(sc, 0, 3);
		strlcpy_s(a->state, PQgetvalue(sc, 0, 4), sizeof(a->state));
		a->brokers_before = int_or(sc, 0, 5, 0);
		a->brokers_wanted = int_or(sc, 0, 6, 0);
		while (*p && a->nids < (int) lengthof(a->ids))
		{
			char	   *end;
			long		v = strtol(p, &end, 10);

			if (end == p)
				break;
			a->ids[a->nids++] = (int32) v;
			p = end;
		}
		a->age_ms = strtoll(PQgetvalue(sc, 0, 8), NULL, 10);
		a->started_age_ms = strtoll(PQgetvalue(sc, 0, 9), NULL, 10);
		a->finished_age_ms = strtoll(PQgetvalue(sc, 0, 10), NULL, 10);
	}
}

bool
CatalogBalancerLoad(PGconn *conn, int64 cooldown_ms, CatalogBalancerInputs *in,
					char *err, size_t errlen)
{
	PGresult   *st = NULL,
			   *br = NULL,
			   *pa = NULL,
			   *mv = NULL,
			   *sc = NULL;
	char		cool[24];
	const char *p[1] = {cool};

	memset(in, 0, sizeof(*in));
	snprintf(cool, sizeof(cool), "%lld", (long long) Max(cooldown_ms, 0));
	if (!CatalogExec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err, errlen))
		return false;
	st = CatalogQuery(conn, "SELECT paused, coalesce(pause_reason, '') FROM strata.balancer_state",
					  0, NULL, err, errlen);
	if (st != NULL)
		br = CatalogQuery(conn,
						  "SELECT b.id, strata.broker_live(b.state, b.lease_expires),"
						  " EXISTS (SELECT 1 FROM strata.balancer_excluded_brokers x WHERE x.broker = b.id),"
						  " d.broker IS NOT NULL, coalesce(d.scaling_action, -1), coalesce(b.capacity, 0),"
						  " b.bytes_in_rate, b.bytes_out_rate, b.append_latency_ms,"
						  " (extract(epoch FROM now() - b.load_updated) * 1000)::bigint,"
						  " b.state = 'starting'"
						  " FROM strata.brokers b LEFT JOIN strata.balancer_draining d ON d.broker = b.id"
						  " ORDER BY b.id",
						  0, NULL, err, errlen);
	if (br != NULL)
		pa = CatalogQuery(conn,
						  "SELECT t.name, p.index, p.leader, p.target_broker,"
						  " coalesce(l.bytes_in_rate, 0), coalesce(l.bytes_out_rate, 0),"
						  " EXISTS (SELECT 1 FROM strata.balancer_excluded_topics x WHERE x.topic = t.name),"
						  " r.topic_id IS NOT NULL"
						  " FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id"
						  " LEFT JOIN strata.partition_load l ON l.topic_id = p.topic_id AND l.partition = p.index"
						  " LEFT JOIN (SELECT DISTINCT topic_id, partition FROM strata.partition_moves"
						  "            WHERE state = 'done' AND finished > clock_timestamp() - $1::bigint * interval '1 ms') r"
						  "   ON r.topic_id = p.topic_id AND r.partition = p.index"
						  " ORDER BY t.name, p.index",
						  1, p, err, errlen);
	if (pa != NULL)
		mv = CatalogQuery(conn,
						  "SELECT count(*) FILTER (WHERE reason = 'balancer'), count(*),"
						  " (SELECT (extract(epoch FROM clock_timestamp() - max(d.finished)) * 1000)::bigint"
						  "  FROM strata.partition_moves d WHERE d.state = 'done')"
						  " FROM strata.partition_moves WHERE state = 'pending'",
						  0, NULL, err, errlen);
	if (mv != NULL)
		sc = CatalogQuery(conn,
						  "SELECT id, controller, direction = 'out', policy = 'emergency', state,"
						  " brokers_before, brokers_wanted, array_to_string(broker_ids, ' '),"
						  " (extract(epoch FROM clock_timestamp() - decided) * 1000)::bigint,"
						  " coalesce((extract(epoch FROM clock_timestamp() - started) * 1000)::bigint, -1),"
						  " coalesce((extract(epoch FROM clock_timestamp() - finished) * 1000)::bigint, -1)"
						  " FROM strata.scaling_actions ORDER BY id DESC LIMIT 1",
						  0, NULL, err, errlen);
	if (sc == NULL || !CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
	{
		PQclear(st);
		PQclear(br);
		PQclear(pa);
		PQclear(mv);
		PQclear(sc);
		rollback(conn);
		return false;
	}

	if (PQntuples(st) == 1)
	{
		in->paused = bool_of(st, 0, 0);
		strlcpy_s(in->pause_reason, PQgetvalue(st, 0, 1), sizeof(in->pause_reason));
	}
	read_brokers(br, in);
	read_partitions(pa, in);
	in->balancer_moves_in_flight = int_or(mv, 0, 0, 0);
	in->moves_in_flight = int_or(mv, 0, 1, 0);
	in->last_move_age_ms = PQgetisnull(mv, 0, 2) ? -1 : strtoll(PQgetvalue(mv, 0, 2), NULL, 10);
	read_scaling(sc, in);
	PQclear(st);
	PQclear(br);
	PQclear(pa);
	PQclear(mv);
	PQclear(sc);
	return true;
}

void
CatalogBalancerFree(CatalogBalancerInputs *in)
{
	if (in->brokers)
		pfree(in->brokers);
	if (in->parts)
		pfree(in->parts);
	memset(in, 0, sizeof(*in));
}

/* A growing text buffer for array literals. */
typedef struct ArrayBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} ArrayBuf;

static void
buf_append(ArrayBuf *b, const char *s, size_t n)
{
	if (b->len + n + 2 > b->cap)
	{
		size_t		cap = Max(b->cap * 2, b->len + n + 64);

		b->data = b->data ? repalloc(b->data, cap) : palloc(cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_element(ArrayBuf *b, int i, const char *text, bool quote)
{
	buf_append(b, i == 0 ? "{" : ",", 1);
	if (!quote)
	{
		buf_append(b, text, strlen(text));
		return;
	}
	/* A quoted element: backslash before " and \. */
	buf_append(b, "\"", 1);
	for (const char *c = text; *c; c++)
	{
		if (*c == '"' || *c == '\\')
			buf_append(b, "\\", 1);
		buf_append(b, c, 1);
	}
	buf_append(b, "\"", 1);
}

static char *
buf_finish(ArrayBuf *b, int n)
{
	if (n == 0)
		buf_append(b, "{", 1);
	buf_append(b, "}", 1);
	return b->data;
}

bool
CatalogBalancerRecord(PGconn *conn, const CatalogBalancerCheck *check,
					  CatalogBalancerAction *actions, int n, char *err, size_t errlen)
{
	ArrayBuf	arr[9];
	ArrayBuf	slow;
	const char *params[26];
	char	   *owned[16];
	int			nowned = 0;
	char		num[64];
	PGresult   *res;
	bool		ok = false;

	memset(arr, 0, sizeof(arr));
	memset(&slow, 0, sizeof(slow));
	for (int i = 0; i < check->nslow; i++)
	{
		snprintf(num, sizeof(num), "%d", check->slow[i]);
		buf_element(&slow, i, num, false);
	}
	for (int i = 0; i < n; i++)
	{
		const CatalogBalancerAction *a = &actions[i];

		buf_element(&arr[0], i, a->topic, true);
		snprintf(num, sizeof(num), "%d", a->partition);
		buf_element(&arr[1], i, num, false);
		snprintf(num, sizeof(num), "%d", a->from);
		buf_element(&arr[2], i, num, false);
		snprintf(num, sizeof(num), "%d", a->to);
		buf_element(&arr[3], i, num, false);
		buf_element(&arr[4], i, a->goal, true);
		snprintf(num, sizeof(num), "%.1f", a->bytes_in_rate);
		buf_element(&arr[5], i, num, false);
		snprintf(num, sizeof(num), "%.1f", a->bytes_out_rate);
		buf_element(&arr[6], i, num, false);
		snprintf(num, sizeof(num), "%.1f", a->from_pct);
		buf_element(&arr[7], i, num, false);
		snprintf(num, sizeof(num), "%.1f", a->to_pct);
		buf_element(&arr[8], i, num, false);
	}
#define OWN(s)	(owned[nowned++] = (s))
	params[0] = OWN(psprintf("%d", check->controller));
	params[1] = check->state;
	params[2] = OWN(psprintf("%d", check->eligible));
	params[3] = OWN(psprintf("%.1f", check->mean_in));
	params[4] = OWN(psprintf("%.1f", check->mean_out));
	params[5] = OWN(psprintf("%d", check->band_pct));
	params[6] = OWN(psprintf("%lld", (long long) check->min_load));
	params[7] = OWN(psprintf("%d", check->threshold_pct));
	params[8] = OWN(psprintf("%d", check->out_of_band));
	params[9] = buf_finish(&slow, check->nslow);
	params[10] = OWN(psprintf("%d", check->in_flight));
	params[11] = check->utilisation_pct < 0 ? NULL : OWN(psprintf("%.2f", check->utilisation_pct));
	params[12] = check->capacity <= 0 ? NULL : OWN(psprintf("%lld", (long long) check->capacity));
	params[13] = check->desired_brokers < 0 ? NULL : OWN(psprintf("%d", check->desired_brokers));
	params[14] = check->execute ? "true" : "false";
	params[15] = check->why_not ? check->why_not : "";
	for (int k = 0; k < 9; k++)
		params[16 + k] = buf_finish(&arr[k], n);
	params[25] = check->scaling;
#undef OWN

	res = CatalogQuery(conn,
					   "SELECT ord, coalesce(move_id, 0), outcome FROM strata.balancer_record("
					   "$1::int, $2, $3::int, $4::float8, $5::float8, $6::int, $7::bigint, $8::int, $9::int,"
					   " $10::int[], $11::int, $12::float8, $13::bigint, $14::int, $15::boolean, $16,"
					   " $17::text[], $18::int[], $19::int[], $20::int[], $21::text[], $22::float8[],"
					   " $23::float8[], $24::float8[], $25::float8[], $26)",
					   26, params, err, errlen);
	if (res != NULL)
	{
		for (int r = 0; r < PQntuples(res); r++)
		{
			int			i = atoi(PQgetvalue(res, r, 0)) - 1;

			if (i < 0 || i >= n)
				continue;
			actions[i].move_id = strtoll(PQgetvalue(res, r, 1), NULL, 10);
			strlcpy_s(actions[i].outcome, PQgetvalue(res, r, 2), sizeof(actions[i].outcome));
		}
		PQclear(res);
		ok = true;
	}
	for (int k = 0; k < nowned; k++)
		pfree(owned[k]);
	for (int k = 0; k < 9; k++)
		pfree(arr[k].data);
	pfree(slow.data);
	return ok;
}

/* ---------- scaling ---------- */

static char *
int_array(const int32 *v, int n)
{
	ArrayBuf	b;
	char		num[16];

	memset(&b, 0, sizeof(b));
	for (int i = 0; i < n; i++)
	{
		snprintf(num, sizeof(num), "%d", v[i]);
		buf_element(&b, i, num, false);
	}
	return buf_finish(&b, n);
}

bool
CatalogScalingBegin(PGconn *conn, int32 controller, bool out, bool emergency,
					double utilisation_pct, double traffic, int64 capacity,
					int brokers_before, int brokers_wanted, const int32 *ids, int nids,
					const char *command, const char *state, const char *note,
					int64 *id, char *err, size_t errlen)
{
	char	   *p[14];
	PGresult   *res;

	*id = 0;
	p[0] = psprintf("%d", controller);
	p[1] = pstrdup(out ? "out" : "in");
	p[2] = pstrdup(emergency ? "emergency" : "target tracking");
	p[3] = psprintf("%.2f", utilisation_pct);
	p[4] = psprintf("%.1f", traffic);
	p[5] = psprintf("%lld", (long long) capacity);
	p[6] = psprintf("%d", brokers_before);
	p[7] = psprintf("%d", brokers_wanted);
	p[8] = int_array(ids, nids);
	p[9] = command ? pstrdup(command) : NULL;
	p[10] = pstrdup(state);
	p[11] = note ? pstrdup(note) : NULL;
	p[12] = pstrdup(strcmp(state, "draining") == 0 ? "true" : "false");
	p[13] = NULL;
	res = CatalogQuery(conn,
					   "WITH a AS (INSERT INTO strata.scaling_actions (controller, direction, policy,"
					   "    utilisation_pct, traffic, broker_capacity, brokers_before, brokers_wanted,"
					   "    broker_ids, command, state, note, finished)"
					   "  VALUES ($1::int, $2, $3, $4::float8, $5::float8, $6::bigint, $7::int, $8::int,"
					   "    $9::int[], $10, $11, $12, CASE WHEN $11 = 'skipped' THEN clock_timestamp() END)"
					   "  RETURNING id),"
					   " d AS (INSERT INTO strata.balancer_draining (broker, scaling_action, reason)"
					   "  SELECT b, a.id, 'scale-in' FROM a, unnest($9::int[]) b WHERE $13::boolean"
					   "  ON CONFLICT (broker) DO UPDATE SET scaling_action = excluded.scaling_action,"
					   "    reason = excluded.reason)"
					   " SELECT id FROM a",
					   13, (const char *const *) p, err, errlen);
	for (int i = 0; i < 13; i++)
		if (p[i])
			pfree(p[i]);
	if (res == NULL)
		return false;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool
CatalogScalingUpdate(PGconn *conn, int64 id, const char *state, int exit_status,
					 const char *output, const char *note, bool started,
					 bool command_finished, bool finished, bool release,
					 char *err, size_t errlen)
{
	char		idbuf[24],
				exitbuf[16];
	const char *p[9];

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) id);
	snprintf(exitbuf, sizeof(exitbuf), "%d", exit_status);
	p[0] = idbuf;
	p[1] = state;
	p[2] = exit_status < -1 ? NULL : exitbuf;
	p[3] = output;
	p[4] = note;
	p[5] = started ? "true" : "false";
	p[6] = command_finished ? "true" : "false";
	p[7] = finished ? "true" : "false";
	p[8] = release ? "true" : "false";
	return CatalogExec(conn,
					   "WITH u AS (UPDATE strata.scaling_actions SET state = $2,"
					   "    exit_status = coalesce($3::int, exit_status), output = coalesce($4, output),"
					   "    note = coalesce($5, note),"
					   "    started = CASE WHEN $6::boolean THEN clock_timestamp() ELSE started END,"
					   "    command_finished = CASE WHEN $7::boolean THEN clock_timestamp() ELSE command_finished END,"
					   "    finished = CASE WHEN $8::boolean THEN clock_timestamp() ELSE finished END"
					   "  WHERE id = $1::bigint RETURNING id)"
					   " DELETE FROM strata.balancer_draining d USING u WHERE $9::boolean AND d.scaling_action = u.id",
					   9, p, err, errlen);
}
