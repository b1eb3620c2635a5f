/*-------------------------------------------------------------------------
 *
 * catalog_balancer.c
 *	  The catalog's side of auto-balancing and auto-scaling: the traffic
 *	  brokers publish, the balancer's inputs and records, scaling actions
 *	  (see catalog/catalog_balancer.h for the transactions and locks each
 *	  takes, and migration 6 in migrate.c for the tables).
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
