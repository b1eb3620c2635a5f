/*-------------------------------------------------------------------------
 *
 * strata_bench.c
 *	  An OpenMessaging-Benchmark-style load driver for Kafka-protocol brokers
 *	  (Strata, or librdkafka's in-memory mock cluster as a peer), written on
 *	  librdkafka.
 *
 *	  strata_bench WORKLOAD (--bootstrap HOST:PORT | --mock-cluster N)
 *	               [--broker-pid PID | --broker-pidfile FILE] [--out DIR]
 *	               [--duration SECS] [--set key=value ...]
 *	  strata_bench --serve-mock N [--mock-topic NAME:PARTITIONS ...]
 *
 *	  A run: create the topics, start the consumers (unless a backlog is to
 *	  be built first), start the producers at t = 0, optionally wait until
 *	  backlog_size bytes are acknowledged and only then start the consumers,
 *	  warm up, measure for `duration`, stop the producers, let the consumers
 *	  drain, then write summary.txt, result.json, timeseries.{csv,json},
 *	  percentiles.dat and gnuplot plots (PNG and SVG) into the output
 *	  directory.
 *
 *	  Latency.  Every message carries a 24-byte header with the
 *	  CLOCK_MONOTONIC time at which rd_kafka_produce() was called.  Publish
 *	  latency is taken in the delivery-report callback (which runs in the
 *	  producer's own thread, from rd_kafka_poll), end-to-end latency in the
 *	  consumer thread; producers and consumers live in this one process, so
 *	  both readings use the same clock and are exact to the clock's
 *	  resolution (no cross-machine skew).
 *
 *	  Rate limiting.  Each producer thread owns 1/Nth of the target rate and
 *	  runs a token bucket on CLOCK_MONOTONIC whose depth is rate_burst
 *	  (default 5 ms) of tokens, at least one, and wakes once per rate_tick
 *	  (default 1 ms) to send what is due.  Tokens that would overflow the bucket after a stall
 *	  (GC-free C, but the broker can push back, the scheduler can
 *	  deschedule us) are dropped and counted as "rate shortfall", so the
 *	  offered load never bursts to catch up; the achieved rate is reported
 *	  next to the target.
 *
 *	  The mock cluster (--mock-cluster N) runs in a separate process, this
 *	  same program re-executed with --serve-mock, so that its CPU time and
 *	  memory are measured exactly as a real broker's would be (it becomes
 *	  the --broker-pid), and the driver's own CPU is not mixed in.
 *
 *	  Broker resources.  Once a second the process tree rooted at the broker
 *	  pid is walked in /proc: CPU = utime+stime+cutime+cstime summed over the
 *	  live tree (a child reaped by a tree member moves into its parent's
 *	  cutime, so nothing is lost or counted twice), memory = summed RSS and
 *	  summed PSS (smaps_rollup; PSS shares shared memory fairly between the
 *	  processes mapping it, which matters for a postmaster-style broker).
 *
 * bench/strata_bench.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "histogram.h"
#include "utils/sanitizer.h"

#define MAX_TOPICS		64
#define MAX_THREADS		256
#define MAX_EVENTS		64
#define MAX_PASSTHRU	64
#define MAX_SECONDS		7200
#define HDR_MAGIC		0x53423031u	/* "SB01" */
#define HDR_SIZE		24
#define HDR_NO_PSEQ		0x80000000u	/* producer id flag: seq is not per partition */

/*
 * Message header (host byte order; producer and consumer are this process):
 *	 0  magic "SB01"
 *	 4  producer id (HDR_NO_PSEQ set when partitioning = sticky)
 *	 8  sequence number of this producer in this partition, from 0
 *	16  CLOCK_MONOTONIC ns at rd_kafka_produce()
 * The rest is the payload (random, zeros or a file's bytes).
 */

/* ----------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------- */

static void die(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "strata_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void
sleep_until_ns(uint64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t) (t / 1000000000u);
	ts.tv_nsec = (long) (t % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static char *
xstrdup(const char *s)
{
	char	   *r = strdup(s);

	if (!r)
		die("out of memory");
	return r;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void	   *p = calloc(n, sz);

	if (!p)
		die("out of memory");
	return p;
}

static char *
trim(char *s)
{
	char	   *e;

	while (isspace((unsigned char) *s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char) e[-1]))
		*--e = '\0';
	return s;
}

/* "64MB", "1GiB", "1024", "4k": bytes (KB = KiB, as in Strata's settings). */
static bool
parse_bytes(const char *s, uint64_t *out)
{
	char	   *end;
	double		v;
	uint64_t	mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return false;
	while (isspace((unsigned char) *end))
		end++;
	if (*end)
	{
		char		u = (char) toupper((unsigned char) *end);

		if (u == 'K')
			mult = 1024;
		else if (u == 'M')
			mult = 1024 * 1024;
		else if (u == 'G')
			mult = 1024ULL * 1024 * 1024;
		else if (u == 'B' && end[1] == '\0')
			mult = 1;
		else
			return false;
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return false;
	}
	if (v * (double) mult > 1e15)
		return false;
	*out = (uint64_t) (v * (double) mult);
	return true;
}

/* "10", "10s", "500ms", "2m": seconds. */
static bool
parse_duration(const char *s, double *out)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0 || !isfinite(v))
		return false;
	while (isspace((unsigned char) *end))
		end++;
	if (*end == '\0' || strcmp(end, "s") == 0)
		*out = v;
	else if (strcmp(end, "ms") == 0)
		*out = v / 1000.0;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		*out = v * 60.0;
	else
		return false;
	return *out <= 86400.0;
}

static bool
parse_int(const char *s, long min, long max, long *out)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* DIR/NAME in a static buffer; the caller copies it if it needs two. */
static const char *
out_path(const char *dir, const char *name)
{
	static char buf[PATH_MAX + 64];
	int			n = snprintf(buf, sizeof(buf), "%s/%s", dir, name);

	if (n < 0 || (size_t) n >= sizeof(buf))
		die("output path too long: %s/%s", dir, name);
	return buf;
}

/* ----------------------------------------------------------------
 * Workload
 * ---------------------------------------------------------------- */

typedef struct Event
{
	double		at;				/* seconds after the producers start */
	char	   *command;
	pid_t		pid;
	double		started;		/* -1 until run */
	double		ended;			/* -1 until reaped */
	int			status;
} Event;

/*
 * RATE_MAX is OpenMessaging's "find the maximum sustainable rate": the
 * driver keeps raising the offered rate while the broker acknowledges it
 * promptly and the consumers keep up, and backs off when messages queue up
 * in the client or the consumers fall behind.  RATE_UNLIMITED opens the
 * throttle completely (the client's queue fills up, so latency then measures
 * queueing in the client, not the broker).
 */
#define RATE_FIXED		0
#define RATE_MAX		1
#define RATE_UNLIMITED	2

typedef struct Workload
{
	char	   *name;
	int			topics;
	int			partitions;
	char	   *topic_prefix;
	bool		random_suffix;
	uint64_t	message_size;
	char	   *payload;		/* "random", "zeros" or "file:PATH" */
	char	   *partitioning;	/* round_robin | sticky */
	int			producers_per_topic;
	int			consumers_per_topic;
	double		produce_rate;	/* msg/s over all producers (RATE_FIXED) */
	int			rate_mode;		/* RATE_FIXED, RATE_MAX, RATE_UNLIMITED */
	double		rate_burst;		/* token-bucket depth, seconds of tokens */
	double		rate_tick;		/* wake-up period of a rate-limited producer */
	bool		consumer_sched_idle;	/* consumers' threads run SCHED_IDLE */
	double		max_rate_start;	/* RATE_MAX: first offered rate, msg/s */
	double		warmup;
	double		duration;
	uint64_t	backlog_size;	/* bytes acked before the consumers start */
	double		backlog_timeout;
	double		drain_timeout;
	char	   *consumer_start; /* earliest | latest */
	char	   *subscription;	/* group | assign */
	char	   *acks;
	char	   *linger_ms;
	char	   *batch_size;
	char	   *compression;
	int			npassthru;
	char	   *passthru_key[MAX_PASSTHRU]; /* "producer.x" / "consumer.x" */
	char	   *passthru_val[MAX_PASSTHRU];
	int			nevents;
	Event		events[MAX_EVENTS];
} Workload;

static void
workload_defaults(Workload *w)
{
	memset(w, 0, sizeof(*w));
	w->name = xstrdup("workload");
	w->topics = 1;
	w->partitions = 16;
	w->topic_prefix = xstrdup("strata-bench");
	w->random_suffix = true;
	w->message_size = 1024;
	w->payload = xstrdup("random");
	w->partitioning = xstrdup("round_robin");
	w->producers_per_topic = 1;
	w->consumers_per_topic = 1;
	w->produce_rate = 10000;
	w->warmup = 2;
	w->duration = 10;
	w->backlog_timeout = 300;
	w->drain_timeout = 15;
	w->consumer_start = xstrdup("latest");
	w->subscription = xstrdup("group");
	w->acks = xstrdup("all");
	w->linger_ms = xstrdup("1");
	w->batch_size = xstrdup("1048576");
	w->rate_burst = 0.005;
	w->rate_tick = 0.001;
	w->max_rate_start = 10000;
	w->compression = xstrdup("none");
}

/* Apply one "key = value"; returns an error message or NULL. */
static const char *
workload_set(Workload *w, const char *key, const char *val)
{
	long		l;
	static char err[512];

#define STR(field) do { free(w->field); w->field = xstrdup(val); return NULL; } while (0)
	if (strcmp(key, "name") == 0 || strcmp(key, "topic_prefix") == 0)
	{
		/* used in file names, plot titles and Kafka topic names */
		if (*val == '\0' || strlen(val) > 200 || strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(val))
			return "must be 1 to 200 of the characters a-z A-Z 0-9 . _ -";
		if (key[0] == 'n')
			STR(name);
		STR(topic_prefix);
	}
	if (strcmp(key, "random_suffix") == 0)
	{
		if (strcmp(val, "true") && strcmp(val, "false"))
			return "must be true or false";
		w->random_suffix = strcmp(val, "true") == 0;
		return NULL;
	}
	if (strcmp(key, "topics") == 0)
	{
		if (!parse_int(val, 1, MAX_TOPICS, &l))
			return "must be an integer from 1 to 64";
		w->topics = (int) l;
		return NULL;
	}
	if (strcmp(key, "partitions_per_topic") == 0)
	{
		if (!parse_int(val, 1, 100000, &l))
			return "must be an integer from 1 to 100000";
		w->partitions = (int) l;
		return NULL;
	}
	if (strcmp(key, "message_size") == 0)
	{
		if (!parse_bytes(val, &w->message_size) || w->message_size < HDR_SIZE ||
			w->message_size > 64 * 1024 * 1024)
			return "must be a size from 24 bytes (the timestamp header) to 64MB";
		return NULL;
	}
	if (strcmp(key, "payload") == 0)
	{
		if (strcmp(val, "random") && strcmp(val, "zeros") && strncmp(val, "file:", 5))
			return "must be random, zeros or file:PATH";
		STR(payload);
	}
	if (strcmp(key, "partitioning") == 0)
	{
		if (strcmp(val, "round_robin") && strcmp(val, "sticky"))
			return "must be round_robin or sticky";
		STR(partitioning);
	}
	if (strcmp(key, "producers_per_topic") == 0 || strcmp(key, "consumers_per_topic") == 0)
	{
		if (!parse_int(val, key[0] == 'p' ? 1 : 0, 64, &l))
			return "must be an integer from 0 (consumers only) or 1 to 64";
		if (key[0] == 'p')
			w->producers_per_topic = (int) l;
		else
			w->consumers_per_topic = (int) l;
		return NULL;
	}
	if (strcmp(key, "produce_rate") == 0)
	{
		char	   *end;

		if (strcmp(val, "max") == 0 || strcmp(val, "unlimited") == 0)
		{
			w->rate_mode = val[0] == 'm' ? RATE_MAX : RATE_UNLIMITED;
			w->produce_rate = 0;
			return NULL;
		}
		w->produce_rate = strtod(val, &end);
		if (end == val || *end || !(w->produce_rate >= 1 && w->produce_rate <= 1e8))
			return "must be messages per second (1 .. 1e8), max (the most the broker sustains) or unlimited";
		w->rate_mode = RATE_FIXED;
		return NULL;
	}
#define DUR(field) do { if (!parse_duration(val, &w->field)) return "must be a duration (10, 10s, 500ms, 2m)"; return NULL; } while (0)
	if (strcmp(key, "warmup") == 0)
		DUR(warmup);
	if (strcmp(key, "duration") == 0)
		DUR(duration);
	if (strcmp(key, "backlog_timeout") == 0)
		DUR(backlog_timeout);
	if (strcmp(key, "max_rate_start") == 0)
	{
		char	   *end;

		w->max_rate_start = strtod(val, &end);
		if (end == val || *end || !(w->max_rate_start >= 100 && w->max_rate_start <= 1e8))
			return "must be messages per second (100 .. 1e8)";
		return NULL;
	}
	if (strcmp(key, "rate_burst") == 0)
	{
		if (!parse_duration(val, &w->rate_burst) || w->rate_burst > 1.0)
			return "must be a duration up to 1 s (the token bucket's depth, e.g. 5ms)";
		return NULL;
	}
	if (strcmp(key, "consumer_priority") == 0)
	{
		if (strcmp(val, "normal") != 0 && strcmp(val, "idle") != 0)
			return "must be normal or idle";
		w->consumer_sched_idle = strcmp(val, "idle") == 0;
		return NULL;
	}
	if (strcmp(key, "rate_tick") == 0)
	{
		if (!parse_duration(val, &w->rate_tick) || w->rate_tick > 0.1)
			return "must be a duration up to 100 ms (how often a rate-limited producer wakes, e.g. 1ms)";
		return NULL;
	}
	if (strcmp(key, "drain_timeout") == 0)
		DUR(drain_timeout);
	if (strcmp(key, "backlog_size") == 0)
	{
		if (!parse_bytes(val, &w->backlog_size))
			return "must be a size (0, 512MB, 4GB)";
		return NULL;
	}
	if (strcmp(key, "consumer_start") == 0)
	{
		if (strcmp(val, "earliest") && strcmp(val, "latest"))
			return "must be earliest or latest";
		STR(consumer_start);
	}
	if (strcmp(key, "subscription") == 0)
	{
		if (strcmp(val, "group") && strcmp(val, "assign"))
			return "must be group (subscribe, a consumer group per topic) or assign (static)";
		STR(subscription);
	}
	if (strcmp(key, "acks") == 0)
	{
		if (strcmp(val, "all") && strcmp(val, "-1") && strcmp(val, "1") && strcmp(val, "0"))
			return "must be all, -1, 1 or 0";
		STR(acks);
	}
	if (strcmp(key, "linger_ms") == 0)
	{
		if (!parse_int(val, 0, 900000, &l))
			return "must be milliseconds (0 .. 900000)";
		STR(linger_ms);
	}
	if (strcmp(key, "batch_size") == 0)
	{
		uint64_t	b;

		if (!parse_bytes(val, &b) || b < 1 || b > 2147483647)
			return "must be a size in bytes";
		free(w->batch_size);
		w->batch_size = xcalloc(1, 24);
		snprintf(w->batch_size, 24, "%" PRIu64, b);
		return NULL;
	}
	if (strcmp(key, "compression") == 0)
	{
		if (strcmp(val, "none") && strcmp(val, "gzip") && strcmp(val, "snappy") &&
			strcmp(val, "lz4") && strcmp(val, "zstd"))
			return "must be none, gzip, snappy, lz4 or zstd";
		STR(compression);
	}
	if (strncmp(key, "producer.", 9) == 0 || strncmp(key, "consumer.", 9) == 0)
	{
		if (w->npassthru >= MAX_PASSTHRU)
			return "too many producer./consumer. settings";
		w->passthru_key[w->npassthru] = xstrdup(key);
		w->passthru_val[w->npassthru] = xstrdup(val);
		w->npassthru++;
		return NULL;
	}
	if (strcmp(key, "event") == 0)
	{
		char	   *end;
		double		at;
		Event	   *e;

		if (w->nevents >= MAX_EVENTS)
			return "too many events (at most 64)";
		at = strtod(val, &end);
		if (end == val || !isspace((unsigned char) *end) || !(at >= 0 && at <= 86400))
			return "must be \"<seconds> <shell command>\"";
		end = trim(end);
		if (!*end)
			return "needs a shell command after the time";
		e = &w->events[w->nevents++];
		e->at = at;
		e->command = xstrdup(end);
		e->started = e->ended = -1;
		return NULL;
	}
	snprintf(err, sizeof(err), "unknown setting (see bench/README.md for the list)");
	return err;
#undef STR
#undef DUR
}

static void
workload_load(Workload *w, const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[4096];
	int			lineno = 0;

	if (!f)
		die("cannot open workload file \"%s\": %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
	{
		char	   *s,
				   *eq,
				   *key,
				   *val;
		const char *err;

		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			die("%s:%d: line longer than %zu bytes", path, lineno, sizeof(line) - 1);
		s = trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		eq = strchr(s, '=');
		if (!eq)
			die("%s:%d: expected \"key = value\", got \"%s\"", path, lineno, s);
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		/* an unquoted trailing comment, except in event commands */
		if (strcmp(key, "event") != 0)
		{
			char	   *hash = strstr(val, " #");

			if (hash)
			{
				*hash = '\0';
				val = trim(val);
			}
		}
		if ((err = workload_set(w, key, val)) != NULL)
			die("%s:%d: %s = %s: %s", path, lineno, key, val, err);
	}
	fclose(f);
}

/* ----------------------------------------------------------------
 * Shared run state
 * ---------------------------------------------------------------- */

static Workload W;
static char **topic_names;
static volatile sig_atomic_t interrupted;

/* Phase flags read by every thread when recording a latency. */
static atomic_bool in_backlog;	/* produce-only, before consumers start */
static atomic_bool in_drain;	/* consumers started, backlog not yet drained */
static atomic_bool in_measure;	/* the measurement window */
static atomic_bool stop_producers;
static atomic_bool stop_consumers;
static atomic_bool consumers_go;
static atomic_int producers_done;	/* producer threads that have flushed */
static _Atomic uint64_t target_rate_milli;	/* offered msg/s x 1000, all producers */
static uint64_t t0_ns;			/* producers start */
static double t0_unix_s;		/* the same moment on CLOCK_REALTIME */

typedef struct LatStats
{
	pthread_mutex_t lock;
	Histogram	interval;		/* since the last per-second sample */
	Histogram	backlog;
	Histogram	drain;
	Histogram	measure;
} LatStats;

static void
latstats_init(LatStats *s)
{
	pthread_mutex_init(&s->lock, NULL);
	HistInit(&s->interval);
	HistInit(&s->backlog);
	HistInit(&s->drain);
	HistInit(&s->measure);
}

static void
latstats_record(LatStats *s, uint64_t us)
{
	pthread_mutex_lock(&s->lock);
	HistRecord(&s->interval, us);
	if (atomic_load_explicit(&in_measure, memory_order_relaxed))
		HistRecord(&s->measure, us);
	if (atomic_load_explicit(&in_drain, memory_order_relaxed))
		HistRecord(&s->drain, us);
	if (atomic_load_explicit(&in_backlog, memory_order_relaxed))
		HistRecord(&s->backlog, us);
	pthread_mutex_unlock(&s->lock);
}

typedef struct Producer
{
	pthread_t	thread;
	int			id;
	int			topic;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	LatStats	lat;
	atomic_uint_fast64_t sent;	/* rd_kafka_produce() accepted */
	atomic_uint_fast64_t acked;
	atomic_uint_fast64_t acked_bytes;
	atomic_uint_fast64_t errors;
	atomic_uint_fast64_t queue_full;
	atomic_uint_fast64_t shortfall;	/* tokens dropped after stalls */
	atomic_uint_fast64_t max_stall_us;	/* longest gap between two passes */
	char		first_error[256];
} Producer;

typedef struct Consumer
{
	pthread_t	thread;
	int			id;
	int			index;			/* within its topic */
	int			topic;
	rd_kafka_t *rk;
	LatStats	lat;
	atomic_uint_fast64_t consumed;
	atomic_uint_fast64_t consumed_bytes;
	uint64_t   *next_seq;		/* [producer of the topic][partition]; UINT64_MAX unseen */
	atomic_uint_fast64_t seq_gaps;	/* messages skipped (lost) */
	atomic_uint_fast64_t seq_dups;	/* seen again or out of order */
	atomic_uint_fast64_t errors;
	atomic_int	assigned;		/* partitions currently assigned */
	atomic_bool subscribed;
	atomic_bool created;		/* rk is set (by the consumer's own thread) */
	char		group[128];
	char		first_error[256];
} Consumer;

static Producer *producers;
static int	nproducers;
static Consumer *consumers;
static int	nconsumers;
static unsigned char *payload_template;

/* ----------------------------------------------------------------
 * librdkafka configuration
 * ---------------------------------------------------------------- */

static void
conf_set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
	char		errstr[512];

	if (rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
		die("librdkafka setting %s = %s: %s", k, v, errstr);
}

static void
conf_passthru(rd_kafka_conf_t *conf, const char *prefix)
{
	size_t		plen = strlen(prefix);

	for (int i = 0; i < W.npassthru; i++)
		if (strncmp(W.passthru_key[i], prefix, plen) == 0)
			conf_set(conf, W.passthru_key[i] + plen, W.passthru_val[i]);
}

static char *bootstrap;
static FILE *client_log;
static atomic_int client_warnings;

/* librdkafka's log lines go to client.log (any of its threads calls this). */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	if (level <= 4)
		atomic_fetch_add(&client_warnings, 1);
	if (client_log)
	{
		fprintf(client_log, "%.3f %d %s %s: %s\n",
				t0_ns ? (double) (now_ns() - t0_ns) / 1e9 : 0.0, level, rk ? rd_kafka_name(rk) : "", fac, buf);
		fflush(client_log);
	}
}

/* ----------------------------------------------------------------
 * Producers
 * ---------------------------------------------------------------- */

/*
 * Delivery report: runs in the producer's own thread, inside rd_kafka_poll()
 * or rd_kafka_flush().  The payload still holds our header (librdkafka keeps
 * its copy until the report is served).
 */
static void
dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	Producer   *p = opaque;

	if (m->err)
	{
		if (atomic_fetch_add(&p->errors, 1) == 0)
			snprintf(p->first_error, sizeof(p->first_error), "%s", rd_kafka_err2str(m->err));
		return;
	}
	if (m->len >= HDR_SIZE)
	{
		uint64_t	sent_ns;

		memcpy(&sent_ns, (const char *) m->payload + 16, 8);
		latstats_record(&p->lat, (now_ns() - sent_ns) / 1000);
	}
	atomic_fetch_add(&p->acked, 1);
	atomic_fetch_add(&p->acked_bytes, m->len);
}

static void
producer_create(Producer *p)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char		errstr[512];

	conf_set(conf, "bootstrap.servers", bootstrap);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	conf_set(conf, "acks", W.acks);
	conf_set(conf, "linger.ms", W.linger_ms);
	conf_set(conf, "batch.size", W.batch_size);
	conf_set(conf, "compression.type", W.compression);
	conf_set(conf, "client.id", "strata_bench");
	conf_passthru(conf, "producer.");
	rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
	rd_kafka_conf_set_opaque(conf, p);
	p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!p->rk)
		die("cannot create producer: %s", errstr);
	p->rkt = rd_kafka_topic_new(p->rk, topic_names[p->topic], NULL);
	if (!p->rkt)
		die("cannot create topic handle %s: %s", topic_names[p->topic],
			rd_kafka_err2str(rd_kafka_last_error()));
}

static void *
producer_main(void *arg)
{
	Producer   *p = arg;
	unsigned char *buf = malloc(W.message_size);
	uint64_t	seq = 0;
	uint64_t   *pseq = xcalloc(W.partitions, sizeof(uint64_t));
	int			partition = p->id % W.partitions;
	bool		sticky = strcmp(W.partitioning, "sticky") == 0;
	double		tokens = 0;
	double		dropped = 0;
	uint64_t	last;

	if (!buf)
		die("out of memory");
	memcpy(buf, payload_template, W.message_size);
	/* sleep precisely: the default 50 us timer slack would smear low rates */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	/*
	 * At least two tokens: a wake-up that comes a little late (timer slack,
	 * scheduling) must not cost the fraction of a token it overslept.
	 */
	last = now_ns();

	while (!atomic_load(&stop_producers))
	{
		long		n;
		double		rate = W.rate_mode == RATE_UNLIMITED ? 0 :
			(double) atomic_load_explicit(&target_rate_milli, memory_order_relaxed) / 1000.0 / nproducers;

		if (rate > 0)
		{
			double		burst = fmax(2.0, rate * W.rate_burst);
			/* what a wake-up sends: a tick's worth, within the bucket */
			double		want = fmin(fmax(1.0, rate * W.rate_tick), burst);

			uint64_t	now = now_ns();

			tokens += (double) (now - last) / 1e9 * rate;
			if ((now - last) / 1000 > atomic_load(&p->max_stall_us))
				atomic_store(&p->max_stall_us, (now - last) / 1000);
			last = now;
			if (tokens > burst)
			{
				/* a stall: drop what cannot be sent without bursting */
				dropped += tokens - burst;
				atomic_store(&p->shortfall, (uint64_t) dropped);
				tokens = burst;
			}
			if (tokens < want)
			{
				uint64_t	wait = (uint64_t) ((want - tokens) / rate * 1e9);

				rd_kafka_poll(p->rk, 0);
				sleep_until_ns(now + wait);
				continue;
			}
			n = (long) tokens;
		}
		else
			n = 64;

		while (n > 0 && !atomic_load(&stop_producers))
		{
			uint32_t	magic = HDR_MAGIC;
			uint32_t	pid32 = (uint32_t) p->id | (sticky ? HDR_NO_PSEQ : 0);
			uint64_t	ts = now_ns();

			memcpy(buf, &magic, 4);
			memcpy(buf + 4, &pid32, 4);
			memcpy(buf + 8, sticky ? &seq : &pseq[partition], 8);
			memcpy(buf + 16, &ts, 8);
			if (rd_kafka_produce(p->rkt, sticky ? RD_KAFKA_PARTITION_UA : partition,
								 RD_KAFKA_MSG_F_COPY, buf, W.message_size,
								 NULL, 0, NULL) != 0)
			{
				rd_kafka_resp_err_t err = rd_kafka_last_error();

				if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				{
					atomic_fetch_add(&p->queue_full, 1);
					rd_kafka_poll(p->rk, 1);
					continue;
				}
				if (atomic_fetch_add(&p->errors, 1) == 0)
					snprintf(p->first_error, sizeof(p->first_error), "produce: %s",
							 rd_kafka_err2str(err));
				rd_kafka_poll(p->rk, 10);
				continue;
			}
			seq++;
			if (!sticky)
				pseq[partition]++;
			atomic_fetch_add(&p->sent, 1);
			if (++partition >= W.partitions)
				partition = 0;
			n--;
			if (rate > 0)
				tokens -= 1.0;
		}
		rd_kafka_poll(p->rk, 0);
	}
	/* let everything in flight be acknowledged (reports still recorded) */
	rd_kafka_flush(p->rk, 10000);
	atomic_fetch_add(&producers_done, 1);
	free(buf);
	free(pseq);
	return NULL;
}

/* ----------------------------------------------------------------
 * Consumers
 * ---------------------------------------------------------------- */

static void
rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	Consumer   *c = opaque;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
	{
		rd_kafka_assign(rk, parts);
		atomic_store(&c->assigned, parts->cnt);
	}
	else
	{
		rd_kafka_assign(rk, NULL);
		atomic_store(&c->assigned, 0);
	}
}

static void
consumer_create(Consumer *c, const char *group)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char		errstr[512];

	conf_set(conf, "bootstrap.servers", bootstrap);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	conf_set(conf, "group.id", group);
	conf_set(conf, "auto.offset.reset", W.consumer_start);
	conf_set(conf, "enable.partition.eof", "false");
	if (strcmp(W.subscription, "assign") == 0)
	{
		/*
		 * Static assignment needs no group coordinator, and must not wait
		 * for one: no offset commits (a broker without the group APIs would
		 * make rd_kafka_consumer_close() wait for a coordinator).
		 */
		conf_set(conf, "enable.auto.commit", "false");
		conf_set(conf, "enable.auto.offset.store", "false");
	}
	conf_set(conf, "client.id", "strata_bench");
	conf_passthru(conf, "consumer.");
	rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
	rd_kafka_conf_set_opaque(conf, c);
	c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!c->rk)
		die("cannot create consumer: %s", errstr);
	rd_kafka_poll_set_consumer(c->rk);
}

static void
consumer_start(Consumer *c)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(W.partitions);
	rd_kafka_resp_err_t err;

	if (strcmp(W.subscription, "group") == 0)
	{
		rd_kafka_topic_partition_list_add(l, topic_names[c->topic], RD_KAFKA_PARTITION_UA);
		err = rd_kafka_subscribe(c->rk, l);
	}
	else
	{
		int64_t		start = strcmp(W.consumer_start, "earliest") == 0 ?
			RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;

		for (int p = c->index; p < W.partitions; p += W.consumers_per_topic)
			rd_kafka_topic_partition_list_add(l, topic_names[c->topic], p)->offset = start;
		err = rd_kafka_assign(c->rk, l);
		if (!err)
			atomic_store(&c->assigned, l->cnt);
	}
	rd_kafka_topic_partition_list_destroy(l);
	if (err)
		die("consumer %d: cannot subscribe/assign: %s", c->id, rd_kafka_err2str(err));
	atomic_store(&c->subscribed, true);
}

/*
 * Per (producer, partition) sequence check: a jump forward counts the
 * skipped messages as lost, a step back counts a duplicate (or a reordered
 * message).  With consumer_start = latest the first message of each pair
 * sets the baseline; with earliest on a fresh topic the baseline is 0.
 */
static void
consumer_check_seq(Consumer *c, const rd_kafka_message_t *m)
{
	uint32_t	pid32;
	uint64_t	seq;
	uint64_t   *next;
	int			prod;

	memcpy(&pid32, (const char *) m->payload + 4, 4);
	memcpy(&seq, (const char *) m->payload + 8, 8);
	if (pid32 & HDR_NO_PSEQ)
		return;
	prod = (int) pid32 - c->topic * W.producers_per_topic;
	if (prod < 0 || prod >= W.producers_per_topic || m->partition < 0 || m->partition >= W.partitions)
		return;					/* not ours (a reused topic) */
	next = &c->next_seq[(size_t) prod * W.partitions + m->partition];
	if (*next == UINT64_MAX)
		*next = (strcmp(W.consumer_start, "earliest") == 0 && W.random_suffix) ? 0 : seq;
	if (seq > *next)
		atomic_fetch_add(&c->seq_gaps, seq - *next);
	else if (seq < *next)
		atomic_fetch_add(&c->seq_dups, 1);
	if (seq + 1 > *next)
		*next = seq + 1;
}

static void *
consumer_main(void *arg)
{
	Consumer   *c = arg;

	/*
	 * The scheduling policy is per thread on Linux, and the threads
	 * librdkafka starts for this consumer inherit it from the thread that
	 * creates it: so the consumer is created here, after our own policy
	 * is set.
	 */
	if (W.consumer_sched_idle)
	{
		struct sched_param sp = {0};

		if (sched_setscheduler(0, SCHED_IDLE, &sp) != 0)
			die("consumer %d: cannot switch to SCHED_IDLE: %s", c->id, strerror(errno));
	}
	consumer_create(c, c->group);
	atomic_store(&c->created, true);

	while (!atomic_load(&consumers_go) && !atomic_load(&stop_consumers))
		usleep(1000);
	if (!atomic_load(&stop_consumers))
		consumer_start(c);
	while (!atomic_load(&stop_consumers))
	{
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 100);

		if (!m)
			continue;
		if (m->err)
		{
			if (atomic_fetch_add(&c->errors, 1) == 0)
				snprintf(c->first_error, sizeof(c->first_error), "%s",
						 rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			continue;
		}
		if (m->len >= HDR_SIZE)
		{
			uint32_t	magic;
			uint64_t	sent_ns;
			uint64_t	now = now_ns();

			memcpy(&magic, m->payload, 4);
			memcpy(&sent_ns, (const char *) m->payload + 16, 8);
			if (magic == HDR_MAGIC && sent_ns <= now)
				latstats_record(&c->lat, (now - sent_ns) / 1000);
			if (magic == HDR_MAGIC && c->next_seq)
				consumer_check_seq(c, m);
		}
		atomic_fetch_add(&c->consumed, 1);
		atomic_fetch_add(&c->consumed_bytes, m->len);
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(c->rk);
	return NULL;
}

/*
 * After the drain: messages were acknowledged but never read.  Say where,
 * from each consumer's position and the high watermark its last Fetch saw
 * (librdkafka's cached value; no request is sent).  Goes to stderr and
 * client.log.  Runs in the main thread while the consumers still poll.
 */
static void
report_stuck_partitions(void)
{
	int			shown = 0;

	for (int i = 0; i < nconsumers && shown < 20; i++)
	{
		rd_kafka_topic_partition_list_t *a = NULL;

		if (rd_kafka_assignment(consumers[i].rk, &a) || !a)
			continue;
		rd_kafka_position(consumers[i].rk, a);
		for (int k = 0; k < a->cnt && shown < 20; k++)
		{
			int64_t		lo = -1,
						hi = -1;

			rd_kafka_get_watermark_offsets(consumers[i].rk, a->elems[k].topic, a->elems[k].partition, &lo, &hi);
			if (hi >= 0 && a->elems[k].offset >= 0 && a->elems[k].offset >= hi)
				continue;
			shown++;
			fprintf(stderr, "strata_bench: not drained: %s [%d]: consumer %d at offset %" PRId64
					", high watermark last seen %" PRId64 "\n", a->elems[k].topic, a->elems[k].partition,
					i, a->elems[k].offset, hi);
			if (client_log)
				fprintf(client_log, "not drained: %s [%d]: consumer %d at offset %" PRId64
						", high watermark last seen %" PRId64 "\n", a->elems[k].topic, a->elems[k].partition,
						i, a->elems[k].offset, hi);
		}
		rd_kafka_topic_partition_list_destroy(a);
	}
}

/* ----------------------------------------------------------------
 * Broker process-tree sampling (/proc)
 * ---------------------------------------------------------------- */

typedef struct ProcSample
{
	bool		alive;
	int			nprocs;
	double		cpu_s;			/* utime+stime+cutime+cstime over the tree */
	uint64_t	rss;			/* bytes, summed */
	uint64_t	pss;			/* bytes, summed (0 if unreadable) */
} ProcSample;

static long clk_tck;
static long page_size;

static bool
read_stat(pid_t pid, pid_t *ppid, double *cpu, uint64_t *rss)
{
	char		path[64],
				buf[1024];
	FILE	   *f;
	char	   *p;
	unsigned long utime,
				stime;
	long		cutime,
				cstime,
				rsspages;
	int			pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	if (!(f = fopen(path, "r")))
		return false;
	if (!fgets(buf, sizeof(buf), f))
	{
		fclose(f);
		return false;
	}
	fclose(f);
	/* the command name may hold spaces and parentheses: parse after the last ')' */
	if (!(p = strrchr(buf, ')')))
		return false;
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld %*d %*d %*d %*d %*u %*u %ld",
			   &pp, &utime, &stime, &cutime, &cstime, &rsspages) != 6)
		return false;
	*ppid = pp;
	*cpu = (double) (utime + stime + (unsigned long) cutime + (unsigned long) cstime) / (double) clk_tck;
	*rss = (uint64_t) rsspages * (uint64_t) page_size;
	return true;
}

static uint64_t
read_pss(pid_t pid)
{
	char		path[64],
				line[256];
	FILE	   *f;
	uint64_t	kb = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int) pid);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Pss:", 4) == 0)
		{
			kb = strtoull(line + 4, NULL, 10);
			break;
		}
	fclose(f);
	return kb * 1024;
}

static ProcSample
sample_tree(pid_t root)
{
	ProcSample	s = {0};
	DIR		   *d;
	struct dirent *de;
	int			cap = 4096,
				n = 0;
	pid_t	   *pids = xcalloc(cap, sizeof(pid_t));
	pid_t	   *ppids = xcalloc(cap, sizeof(pid_t));
	double	   *cpus = xcalloc(cap, sizeof(double));
	uint64_t   *rsss = xcalloc(cap, sizeof(uint64_t));
	bool	   *in = xcalloc(cap, sizeof(bool));
	bool		changed = true;

	if (root <= 0 || !(d = opendir("/proc")))
		goto out;
	while ((de = readdir(d)) != NULL && n < cap)
	{
		pid_t		pid;

		if (!isdigit((unsigned char) de->d_name[0]))
			continue;
		pid = (pid_t) atoi(de->d_name);
		if (read_stat(pid, &ppids[n], &cpus[n], &rsss[n]))
		{
			pids[n] = pid;
			in[n] = pid == root;
			n++;
		}
	}
	closedir(d);
	/* close the descendant set under "parent is in the set" */
	while (changed)
	{
		changed = false;
		for (int i = 0; i < n; i++)
			if (!in[i])
				for (int j = 0; j < n; j++)
					if (in[j] && ppids[i] == pids[j])
					{
						in[i] = changed = true;
						break;
					}
	}
	for (int i = 0; i < n; i++)
		if (in[i])
		{
			s.alive = true;
			s.nprocs++;
			s.cpu_s += cpus[i];
			s.rss += rsss[i];
			s.pss += read_pss(pids[i]);
		}
out:
	free(pids);
	free(ppids);
	free(cpus);
	free(rsss);
	free(in);
	return s;
}

/* Whole-machine busy fraction between two /proc/stat readings. */
static bool
read_cpu_totals(uint64_t *busy, uint64_t *total)
{
	FILE	   *f = fopen("/proc/stat", "r");
	unsigned long long v[8] = {0};

	if (!f)
		return false;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
	{
		fclose(f);
		return false;
	}
	fclose(f);
	*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	*busy = *total - v[3] - v[4];
	return true;
}

static double
self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		(double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ----------------------------------------------------------------
 * Mock cluster (peer), in its own process
 * ---------------------------------------------------------------- */

static volatile sig_atomic_t mock_stop;

static void
mock_sig(int sig)
{
	mock_stop = 1;
}

/*
 * --serve-mock N [--mock-topic NAME:PARTITIONS]...: start librdkafka's mock
 * cluster with N brokers, create the topics, print "BOOTSTRAP <list>" on
 * stdout and serve until SIGTERM/SIGINT or until stdin reaches EOF (the
 * driver holds the other end of that pipe, so the mock cannot outlive it).
 */
static int
serve_mock(int nbrokers, int ntopics, char **topics)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	char		errstr[512];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mock_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);

	conf_set(conf, "log_level", "3");
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		die("mock: cannot create handle: %s", errstr);
	mc = rd_kafka_mock_cluster_new(rk, nbrokers);
	if (!mc)
		die("mock: cannot create the mock cluster");
	for (int i = 0; i < ntopics; i++)
	{
		char	   *name = xstrdup(topics[i]);
		char	   *colon = strrchr(name, ':');
		long		parts;
		rd_kafka_resp_err_t err;

		if (!colon || !parse_int(colon + 1, 1, 100000, &parts))
			die("--mock-topic wants NAME:PARTITIONS, got \"%s\"", topics[i]);
		*colon = '\0';
		err = rd_kafka_mock_topic_create(mc, name, (int) parts, 1);
		if (err)
			die("mock: cannot create topic %s: %s", name, rd_kafka_err2str(err));
		free(name);
	}
	printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);

	while (!mock_stop)
	{
		fd_set		rfds;
		struct timeval tv = {0, 200000};

		FD_ZERO(&rfds);
		FD_SET(0, &rfds);
		if (select(1, &rfds, NULL, NULL, &tv) > 0)
		{
			char		b[64];

			if (read(0, b, sizeof(b)) <= 0)
				break;
		}
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}

static pid_t mock_pid;
static int	mock_stdin = -1;

static void
start_mock_process(int nbrokers)
{
	int			in[2],
				out[2];
	char	  **argv = xcalloc(4 + 2 * W.topics + 1, sizeof(char *));
	char		nb[16];
	int			a = 0;
	FILE	   *f;
	char		line[4096];

	snprintf(nb, sizeof(nb), "%d", nbrokers);
	argv[a++] = "strata_bench";
	argv[a++] = "--serve-mock";
	argv[a++] = nb;
	for (int t = 0; t < W.topics; t++)
	{
		char	   *s = malloc(strlen(topic_names[t]) + 16);

		sprintf(s, "%s:%d", topic_names[t], W.partitions);
		argv[a++] = "--mock-topic";
		argv[a++] = s;
	}
	if (pipe(in) || pipe(out))
		die("pipe: %s", strerror(errno));
	mock_pid = fork();
	if (mock_pid < 0)
		die("fork: %s", strerror(errno));
	if (mock_pid == 0)
	{
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "strata_bench: exec of the mock cluster failed: %s\n", strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	mock_stdin = in[1];
	fcntl(mock_stdin, F_SETFD, FD_CLOEXEC);
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "BOOTSTRAP ", 10) != 0)
		die("the mock cluster process did not start (no BOOTSTRAP line)");
	fclose(f);
	bootstrap = xstrdup(trim(line + 10));
}

static void
stop_mock_process(void)
{
	int			st;

	if (mock_pid <= 0)
		return;
	close(mock_stdin);
	kill(mock_pid, SIGTERM);
	waitpid(mock_pid, &st, 0);
	mock_pid = 0;
}

/* ----------------------------------------------------------------
 * Topics
 * ---------------------------------------------------------------- */

/*
 * Against a real broker: CreateTopics through the Admin API (an existing
 * topic is fine), then wait until Metadata shows every topic with the
 * expected partition count.  A broker that does not implement CreateTopics
 * falls back to auto-creation, and the partition check tells the truth.
 */
static void
create_topics(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	char		errstr[512];
	rd_kafka_NewTopic_t **nt = xcalloc(W.topics, sizeof(*nt));
	rd_kafka_queue_t *q;
	rd_kafka_event_t *ev;
	uint64_t	deadline;

	conf_set(conf, "bootstrap.servers", bootstrap);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		die("cannot create admin client: %s", errstr);
	{
		const struct rd_kafka_metadata *md = NULL;
		rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, 10000);

		if (e)
			die("cannot reach the broker at %s within 10 s: %s", bootstrap, rd_kafka_err2str(e));
		rd_kafka_metadata_destroy(md);
	}
	q = rd_kafka_queue_new(rk);
	for (int t = 0; t < W.topics; t++)
		if (!(nt[t] = rd_kafka_NewTopic_new(topic_names[t], W.partitions, 1, errstr, sizeof(errstr))))
			die("topic %s: %s", topic_names[t], errstr);
	rd_kafka_CreateTopics(rk, nt, W.topics, NULL, q);
	ev = rd_kafka_queue_poll(q, 15000);
	if (!ev)
		fprintf(stderr, "strata_bench: warning: CreateTopics got no answer in 15 s; relying on auto-creation\n");
	else if (rd_kafka_event_error(ev))
		fprintf(stderr, "strata_bench: warning: CreateTopics failed (%s); relying on auto-creation\n",
				rd_kafka_event_error_string(ev));
	else
	{
		size_t		cnt;
		const rd_kafka_topic_result_t **res =
			rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);

		for (size_t i = 0; i < cnt; i++)
		{
			rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);

			if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
				fprintf(stderr, "strata_bench: warning: CreateTopics %s: %s\n",
						rd_kafka_topic_result_name(res[i]),
						rd_kafka_topic_result_error_string(res[i]) ?
						rd_kafka_topic_result_error_string(res[i]) : rd_kafka_err2str(e));
		}
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy_array(nt, W.topics);
	free(nt);
	rd_kafka_queue_destroy(q);

	deadline = now_ns() + 20ULL * 1000000000u;
	for (int t = 0; t < W.topics; t++)
	{
		for (;;)
		{
			const struct rd_kafka_metadata *md = NULL;
			rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic_names[t], NULL);
			rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
			int			got = -1;
			int			terr = 0;

			if (!e && md->topic_cnt == 1)
			{
				got = md->topics[0].partition_cnt;
				terr = md->topics[0].err;
			}
			if (md)
				rd_kafka_metadata_destroy(md);
			rd_kafka_topic_destroy(rkt);
			if (got == W.partitions && !terr)
				break;
			if (got > 0 && !terr && got != W.partitions)
				die("topic %s has %d partitions, the workload wants %d", topic_names[t], got, W.partitions);
			if (now_ns() > deadline)
				die("topic %s did not appear in Metadata within 20 s (%s)", topic_names[t],
					e ? rd_kafka_err2str(e) : terr ? rd_kafka_err2str(terr) : "no partitions");
			usleep(200000);
		}
	}
	rd_kafka_destroy(rk);
}

/* ----------------------------------------------------------------
 * Events
 * ---------------------------------------------------------------- */

static FILE *event_log;

static void
event_run(Event *e, double t)
{
	pid_t		pid = fork();

	if (pid < 0)
	{
		fprintf(stderr, "strata_bench: event at %.1f s: fork failed: %s\n", e->at, strerror(errno));
		return;
	}
	if (pid == 0)
	{
		int			fd = fileno(event_log);

		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", e->command, (char *) NULL);
		_exit(127);
	}
	e->pid = pid;
	e->started = t;
	fprintf(event_log, "[t=%.3f] start: %s\n", t, e->command);
	fflush(event_log);
}

static void
events_poll(double t, bool final)
{
	for (int i = 0; i < W.nevents; i++)
	{
		Event	   *e = &W.events[i];

		if (e->started < 0 && t >= e->at && !final)
			event_run(e, t);
		if (e->pid > 0 && e->ended < 0)
		{
			int			st;
			pid_t		r = waitpid(e->pid, &st, final ? 0 : WNOHANG);

			if (r == e->pid)
			{
				e->ended = t;
				e->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				fprintf(event_log, "[t=%.3f] end (status %d): %s\n", t, e->status, e->command);
				fflush(event_log);
			}
		}
	}
}

/* ----------------------------------------------------------------
 * Time series
 * ---------------------------------------------------------------- */

typedef struct Second
{
	double		t;				/* end of the second, since producers start */
	uint64_t	sent,
				acked,
				acked_bytes,
				consumed,
				consumed_bytes,
				errors;			/* during this second */
	uint64_t	lag;			/* acked - consumed, cumulative */
	double		pub[4];			/* p50 p99 p99.9 max, ms */
	double		e2e[4];
	double		broker_cpu;		/* cores */
	double		broker_rss_mib;
	double		broker_pss_mib;
	double		driver_cpu;
	double		machine_busy;	/* 0..1 of all CPUs */
	double		target_rate;	/* offered msg/s (0 = unlimited) */
} Second;

static Second *series;
static int	nseries;

typedef struct Totals
{
	uint64_t	sent,
				acked,
				acked_bytes,
				consumed,
				consumed_bytes,
				errors,
				queue_full,
				shortfall,
				max_stall_us,
				seq_gaps,
				seq_dups;
} Totals;

static Totals
totals(void)
{
	Totals		t = {0};

	for (int i = 0; i < nproducers; i++)
	{
		t.sent += atomic_load(&producers[i].sent);
		t.acked += atomic_load(&producers[i].acked);
		t.acked_bytes += atomic_load(&producers[i].acked_bytes);
		t.errors += atomic_load(&producers[i].errors);
		t.queue_full += atomic_load(&producers[i].queue_full);
		t.shortfall += atomic_load(&producers[i].shortfall);
		if (atomic_load(&producers[i].max_stall_us) > t.max_stall_us)
			t.max_stall_us = atomic_load(&producers[i].max_stall_us);
	}
	for (int i = 0; i < nconsumers; i++)
	{
		t.consumed += atomic_load(&consumers[i].consumed);
		t.consumed_bytes += atomic_load(&consumers[i].consumed_bytes);
		t.errors += atomic_load(&consumers[i].errors);
		t.seq_gaps += atomic_load(&consumers[i].seq_gaps);
		t.seq_dups += atomic_load(&consumers[i].seq_dups);
	}
	return t;
}

/*
 * RATE_MAX controller, run once a second by the main thread.
 *
 * "Congested" means messages pile up: more than 250 ms worth (at the rate
 * actually acknowledged) wait unacknowledged in the clients and that pile
 * grew during the last second, or the consumers are more than 1 s behind and
 * falling further behind (not while a backlog is built or drained, where lag
 * is the point), or librdkafka's queue was full.  Then the offered rate drops
 * to 90% of what was acknowledged, but never below half of the current rate
 * in one step (the first second after connecting acknowledges little).  A
 * pile that is shrinking holds the rate.  Otherwise, when the producers
 * offered what they were asked, the rate grows: x1.5 until the first
 * back-off, then x1.2.  The measurement window therefore sees the rate hover
 * around the most the broker (and this machine) sustain.
 */
static bool max_rate_backed_off;
static double max_prev_pending;
static double max_prev_lag;

static void
max_rate_step(const Second *s, double dt, const Totals *cur, const Totals *prev)
{
	double		rate = (double) atomic_load(&target_rate_milli) / 1000.0;
	double		acked_rate = fmax(s->acked / dt, 100.0);
	double		pending = (double) cur->sent - (double) cur->acked;
	double		lag = (double) cur->acked - (double) cur->consumed;
	bool		check_lag = nconsumers > 0 && atomic_load(&consumers_go) &&
		!atomic_load(&in_backlog) && !atomic_load(&in_drain);
	bool		piling = pending > acked_rate * 0.25;
	bool		congested;

	congested = (piling && pending > max_prev_pending) ||
		(check_lag && lag > acked_rate * 1.0 && lag > max_prev_lag) ||
		cur->queue_full > prev->queue_full;
	if (congested)
	{
		rate = fmax(rate * 0.5, fmin(rate, s->acked / dt) * 0.9);
		max_rate_backed_off = true;
	}
	else if (!piling && !(check_lag && lag > acked_rate) && s->sent / dt >= 0.9 * rate)
		rate *= max_rate_backed_off ? 1.2 : 1.5;
	max_prev_pending = pending;
	max_prev_lag = lag;
	rate = fmax(100.0, fmin(rate, 1e8));
	atomic_store(&target_rate_milli, (uint64_t) (rate * 1000.0));
}

static void
take_interval(LatStats *s, Histogram *into)
{
	pthread_mutex_lock(&s->lock);
	HistMerge(into, &s->interval);
	HistInit(&s->interval);
	pthread_mutex_unlock(&s->lock);
}

static void
quantiles_ms(const Histogram *h, double out[4])
{
	out[0] = HistPercentile(h, 50) / 1000.0;
	out[1] = HistPercentile(h, 99) / 1000.0;
	out[2] = HistPercentile(h, 99.9) / 1000.0;
	out[3] = HistPercentile(h, 100) / 1000.0;
}

/* ----------------------------------------------------------------
 * Output
 * ---------------------------------------------------------------- */

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_hist(FILE *f, const char *name, const Histogram *h, bool last)
{
	fprintf(f, "    \"%s\": {\"count\": %" PRIu64 ", \"mean_ms\": %.3f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
			"\"p99_9_ms\": %.3f, \"max_ms\": %.3f}%s\n", name, h->count, HistMean(h) / 1000.0,
			HistPercentile(h, 50) / 1000.0, HistPercentile(h, 99) / 1000.0,
			HistPercentile(h, 99.9) / 1000.0, HistPercentile(h, 100) / 1000.0, last ? "" : ",");
}

static void
text_hist(FILE *f, const char *name, const Histogram *h)
{
	if (h->count == 0)
	{
		fprintf(f, "  %-28s (no samples)\n", name);
		return;
	}
	fprintf(f, "  %-28s p50 %8.3f  p99 %8.3f  p99.9 %8.3f  max %8.3f ms  (n=%" PRIu64 ")\n", name,
			HistPercentile(h, 50) / 1000.0, HistPercentile(h, 99) / 1000.0,
			HistPercentile(h, 99.9) / 1000.0, HistPercentile(h, 100) / 1000.0, h->count);
}

static void
write_percentile_curve(const char *path, const Histogram *pub, const Histogram *e2e)
{
	FILE	   *f = fopen(path, "w");
	static const double pcts[] = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999};

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "# percentile  one_over_one_minus_p  publish_ms  e2e_ms\n");
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		fprintf(f, "%g %g %.3f %.3f\n", pcts[i], 1.0 / (1.0 - pcts[i] / 100.0),
				HistPercentile(pub, pcts[i]) / 1000.0, HistPercentile(e2e, pcts[i]) / 1000.0);
	fclose(f);
}

static void
write_series(const char *dir)
{
	char		path[PATH_MAX];
	FILE	   *c,
			   *j;

	snprintf(path, sizeof(path), "%s", out_path(dir, "timeseries.csv"));
	if (!(c = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s", out_path(dir, "timeseries.json"));
	if (!(j = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(c, "t_s,sent_msgs,publish_msgs,publish_mibps,consume_msgs,consume_mibps,errors,lag_msgs,"
			"pub_p50_ms,pub_p99_ms,pub_p999_ms,pub_max_ms,e2e_p50_ms,e2e_p99_ms,e2e_p999_ms,e2e_max_ms,"
			"broker_cpu_cores,broker_rss_mib,broker_pss_mib,driver_cpu_cores,machine_busy,target_rate\n");
	fprintf(j, "[\n");
	for (int i = 0; i < nseries; i++)
	{
		Second	   *s = &series[i];
		double		dt = i == 0 ? s->t : s->t - series[i - 1].t;

		if (dt <= 0)
			dt = 1;
		fprintf(c, "%.3f,%" PRIu64 ",%" PRIu64 ",%.3f,%" PRIu64 ",%.3f,%" PRIu64 ",%" PRIu64 ","
				"%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.1f,%.3f,%.3f,%.0f\n",
				s->t, s->sent, s->acked, s->acked_bytes / dt / 1048576.0, s->consumed,
				s->consumed_bytes / dt / 1048576.0, s->errors, s->lag,
				s->pub[0], s->pub[1], s->pub[2], s->pub[3], s->e2e[0], s->e2e[1], s->e2e[2], s->e2e[3],
				s->broker_cpu, s->broker_rss_mib, s->broker_pss_mib, s->driver_cpu, s->machine_busy,
				s->target_rate);
		fprintf(j, "  {\"t_s\": %.3f, \"sent_msgs\": %" PRIu64 ", \"publish_msgs\": %" PRIu64
				", \"publish_mibps\": %.3f, \"consume_msgs\": %" PRIu64 ", \"consume_mibps\": %.3f"
				", \"errors\": %" PRIu64 ", \"lag_msgs\": %" PRIu64
				", \"pub_ms\": [%.3f, %.3f, %.3f, %.3f], \"e2e_ms\": [%.3f, %.3f, %.3f, %.3f]"
				", \"broker_cpu_cores\": %.3f, \"broker_rss_mib\": %.1f, \"broker_pss_mib\": %.1f"
				", \"driver_cpu_cores\": %.3f, \"machine_busy\": %.3f, \"target_rate\": %.0f}%s\n",
				s->t, s->sent, s->acked, s->acked_bytes / dt / 1048576.0, s->consumed,
				s->consumed_bytes / dt / 1048576.0, s->errors, s->lag,
				s->pub[0], s->pub[1], s->pub[2], s->pub[3], s->e2e[0], s->e2e[1], s->e2e[2], s->e2e[3],
				s->broker_cpu, s->broker_rss_mib, s->broker_pss_mib, s->driver_cpu, s->machine_busy,
				s->target_rate, i + 1 < nseries ? "," : "");
	}
	fprintf(j, "]\n");
	fclose(c);
	fclose(j);
}

/*
 * gnuplot script: throughput, latency over time (log scale), latency
 * percentile curve (x = 1/(1-p), HdrHistogram's "nines" axis) and broker
 * resources; each to PNG and SVG.  Events and the consumer start are
 * vertical lines labelled at the top.
 */
static void
write_plots(const char *dir, double consumers_at, double measure_from, double measure_to,
			double stopped_at)
{
	char		path[PATH_MAX];
	FILE	   *f;
	char		cmd[PATH_MAX + 64];
	int			rc;

	snprintf(path, sizeof(path), "%s", out_path(dir, "plot.gp"));
	if (!(f = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "# generated by strata_bench; run: cd %s && gnuplot plot.gp\n", dir);
	fprintf(f, "set datafile separator ','\nset key outside bottom center horizontal\nset grid\n");
	fprintf(f, "set xlabel 'seconds since the producers started'\n");
	fprintf(f, "set object 1 rect from %.3f, graph 0 to %.3f, graph 1 fc rgb '#eeeeee' fs solid 0.5 noborder behind\n",
			measure_from, measure_to);
	if (consumers_at > 0)
		fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb 'dark-green' dt 2\n"
				"set label 'consumers start' at %.3f, graph 1.02 center font ',8' tc rgb 'dark-green'\n",
				consumers_at, consumers_at, consumers_at);
	fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb 'gray40' dt 2\n"
			"set label 'producers stop' at %.3f, graph 1.02 center font ',8' tc rgb 'gray40'\n",
			stopped_at, stopped_at, stopped_at);
	for (int i = 0; i < W.nevents; i++)
	{
		Event	   *e = &W.events[i];
		double		at = e->started >= 0 ? e->started : e->at;
		char		label[40];

		snprintf(label, sizeof(label), "%.30s", e->command);
		for (char *p = label; *p; p++)
			if (*p == '\'' || *p == '\\' || *p == '"')
				*p = ' ';
		fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb 'red' dt 3\n"
				"set label 'E%d: %s' at %.3f, graph %.2f left font ',7' tc rgb 'red'\n",
				at, at, i + 1, label, at, 0.97 - 0.05 * (i % 6));
	}
	for (int fmt = 0; fmt < 2; fmt++)
	{
		const char *term = fmt == 0 ? "pngcairo size 1000,560 font ',9'" : "svg size 1000,560 dynamic font ',9'";
		const char *ext = fmt == 0 ? "png" : "svg";

		fprintf(f, "\nset terminal %s\n", term);
		fprintf(f, "set output 'throughput.%s'\nset title '%s: throughput (grey: measurement window)' noenhanced\n"
				"set ylabel 'MiB/s'\nset y2label 'msg/s'\nset y2tics\nset ytics nomirror\nunset logscale y\n"
				"plot 'timeseries.csv' skip 1 u 1:4 w l lw 2 t 'publish MiB/s', '' skip 1 u 1:6 w l lw 2 t 'consume MiB/s', "
				"'' skip 1 u 1:3 axes x1y2 w l dt 2 t 'publish msg/s', '' skip 1 u 1:5 axes x1y2 w l dt 2 t 'consume msg/s'\n",
				ext, W.name);
		fprintf(f, "unset y2tics\nunset y2label\nset ytics mirror\n");
		fprintf(f, "set output 'latency.%s'\nset title '%s: latency per second' noenhanced\nset ylabel 'ms'\nset logscale y\n"
				"plot 'timeseries.csv' skip 1 u 1:($9>0?$9:1/0) w l t 'publish p50', '' skip 1 u 1:($10>0?$10:1/0) w l t 'publish p99', "
				"'' skip 1 u 1:($11>0?$11:1/0) w l t 'publish p99.9', '' skip 1 u 1:($13>0?$13:1/0) w l dt 2 t 'e2e p50', "
				"'' skip 1 u 1:($14>0?$14:1/0) w l dt 2 t 'e2e p99', '' skip 1 u 1:($15>0?$15:1/0) w l dt 2 t 'e2e p99.9'\n",
				ext, W.name);
		fprintf(f, "set output 'resources.%s'\nset title '%s: broker CPU and memory, driver CPU' noenhanced\nunset logscale y\n"
				"set ylabel 'CPU cores'\nset y2label 'MiB'\nset y2tics\nset ytics nomirror\n"
				"plot 'timeseries.csv' skip 1 u 1:17 w l lw 2 t 'broker CPU', '' skip 1 u 1:20 w l t 'driver CPU', "
				"'' skip 1 u 1:($21*%ld) w l dt 2 t 'machine busy (cores)', '' skip 1 u 1:19 axes x1y2 w l t 'broker PSS MiB', "
				"'' skip 1 u 1:18 axes x1y2 w l dt 3 t 'broker RSS MiB'\n",
				ext, W.name, sysconf(_SC_NPROCESSORS_ONLN));
		fprintf(f, "unset y2tics\nunset y2label\nset ytics mirror\n");
		/* percentile curve: its own axes, no time markers */
		fprintf(f, "set output 'percentiles.%s'\nunset arrow\nunset label\nunset object 1\nset datafile separator whitespace\n"
				"set title '%s: latency by percentile (measurement window)' noenhanced\nset logscale x\nset logscale y\n"
				"set xlabel 'percentile'\nset ylabel 'ms'\n"
				"set xtics ('p0' 1, 'p90' 10, 'p99' 100, 'p99.9' 1000, 'p99.99' 10000, 'p99.999' 100000)\n"
				"plot 'percentiles.dat' u 2:($3>0?$3:1/0) w lp t 'publish', '' u 2:($4>0?$4:1/0) w lp t 'end-to-end'\n",
				ext, W.name);
		/* restore for the next format */
		fprintf(f, "unset logscale x\nset xtics autofreq\nset xlabel 'seconds since the producers started'\nset datafile separator ','\n");
		if (fmt == 0)
		{
			/* re-emit the markers for the SVG pass */
			fprintf(f, "set object 1 rect from %.3f, graph 0 to %.3f, graph 1 fc rgb '#eeeeee' fs solid 0.5 noborder behind\n",
					measure_from, measure_to);
			if (consumers_at > 0)
				fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb 'dark-green' dt 2\n"
						"set label 'consumers start' at %.3f, graph 1.02 center font ',8' tc rgb 'dark-green'\n",
						consumers_at, consumers_at, consumers_at);
			fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb 'gray40' dt 2\n"
					"set label 'producers stop' at %.3f, graph 1.02 center font ',8' tc rgb 'gray40'\n",
					stopped_at, stopped_at, stopped_at);
			for (int i = 0; i < W.nevents; i++)
			{
				Event	   *e = &W.events[i];
				double		at = e->started >= 0 ? e->started : e->at;

				fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb 'red' dt 3\n"
						"set label 'E%d' at %.3f, graph %.2f left font ',7' tc rgb 'red'\n",
						at, at, i + 1, at, 0.97 - 0.05 * (i % 6));
			}
		}
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s' && timeout 60 gnuplot plot.gp 2>gnuplot.log", dir);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "strata_bench: warning: gnuplot failed (see %s/gnuplot.log); data files are complete\n", dir);
}

/* ----------------------------------------------------------------
 * main
 * ---------------------------------------------------------------- */

static const char *
rate_mode_name(void)
{
	return W.rate_mode == RATE_FIXED ? "fixed" : W.rate_mode == RATE_MAX ? "max (adaptive)" : "unlimited";
}

/* The first SIGINT/SIGTERM ends the run cleanly (figures written); a second one exits at once. */
static void
on_signal(int sig)
{
	if (interrupted)
		_exit(130);
	interrupted = 1;
}

static void
usage(void)
{
	fprintf(stderr,
			"usage: strata_bench WORKLOAD (--bootstrap HOST:PORT | --mock-cluster N)\n"
			"                    [--broker-pid PID | --broker-pidfile FILE] [--out DIR]\n"
			"                    [--set key=value]... [--label TEXT]\n"
			"       strata_bench --serve-mock N [--mock-topic NAME:PARTITIONS]...\n");
	exit(2);
}

static pid_t
read_pidfile(const char *path)
{
	FILE	   *f = fopen(path, "r");
	long		pid;
	char		line[64];

	if (!f)
		die("cannot open pid file \"%s\": %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f) || !parse_int(trim(line), 1, INT_MAX, &pid))
		die("pid file \"%s\" does not start with a process id", path);
	fclose(f);
	return (pid_t) pid;
}

int
main(int argc, char **argv)
{
	const char *workload_path = NULL;
	const char *outdir = NULL;
	const char *label = "";
	int			mock_brokers = 0;
	pid_t		broker_pid = 0;
	char		path[PATH_MAX];
	char		defout[PATH_MAX];
	uint64_t	seed;
	Totals		prev = {0},
				cur,
				at_measure_start = {0},
				at_measure_end = {0},
				at_consumers = {0};
	double		producers_stopped_at = 0;
	double		consumers_at = 0,
				drained_at = -1,
				measure_from = 0,
				measure_to = 0,
				backlog_reached_at = -1;
	ProcSample	bs0 = {0},
				bs_prev = {0},
				bs_m0 = {0},
				bs_m1 = {0},
				bs_last = {0};
	double		peak_rss = 0,
				peak_pss = 0;
	double		self0,
				self_prev,
				self_m0 = 0,
				self_m1 = 0;
	uint64_t	mbusy_prev = 0,
				mtotal_prev = 0,
				mb_m0 = 0,
				mt_m0 = 0,
				mb_m1 = 0,
				mt_m1 = 0;
	Histogram	sec_pub,
				sec_e2e,
				pub_measure,
				e2e_measure,
				pub_backlog,
				pub_drain,
				e2e_drain;
	bool		stopping = false;
	uint64_t	drain_deadline = 0;
	bool		measuring = false,
				measured = false,
				broker_died = false;
	int			tick = 0;
	uint64_t	next_tick;
	uint64_t	t_end_ns = 0;
	struct sigaction sa;
	FILE	   *sf;
	FILE	   *jf;
	bool		backlog_mode;
	int			aborted = 0;
	char		abort_reason[256] = "";

	clk_tck = sysconf(_SC_CLK_TCK);
	page_size = sysconf(_SC_PAGESIZE);
	workload_defaults(&W);

	if (argc >= 3 && strcmp(argv[1], "--serve-mock") == 0)
	{
		long		n;
		char	  **topics = xcalloc(argc, sizeof(char *));
		int			nt = 0;

		if (!parse_int(argv[2], 1, 16, &n))
			die("--serve-mock wants a broker count from 1 to 16");
		for (int i = 3; i < argc; i++)
		{
			if (strcmp(argv[i], "--mock-topic") == 0 && i + 1 < argc)
				topics[nt++] = argv[++i];
			else
				die("unexpected argument \"%s\" with --serve-mock", argv[i]);
		}
		return serve_mock((int) n, nt, topics);
	}

	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		bool		has = i + 1 < argc;

		if (strcmp(a, "--bootstrap") == 0 && has)
			bootstrap = xstrdup(argv[++i]);
		else if (strcmp(a, "--mock-cluster") == 0 && has)
		{
			long		n;

			if (!parse_int(argv[++i], 1, 16, &n))
				die("--mock-cluster wants a broker count from 1 to 16");
			mock_brokers = (int) n;
		}
		else if (strcmp(a, "--broker-pid") == 0 && has)
		{
			long		n;

			if (!parse_int(argv[++i], 1, INT_MAX, &n))
				die("--broker-pid wants a process id");
			broker_pid = (pid_t) n;
		}
		else if (strcmp(a, "--broker-pidfile") == 0 && has)
			broker_pid = read_pidfile(argv[++i]);
		else if (strcmp(a, "--out") == 0 && has)
			outdir = argv[++i];
		else if (strcmp(a, "--label") == 0 && has)
			label = argv[++i];
		else if (strcmp(a, "--set") == 0 && has)
		{
			/* applied after the file: remember and apply below */
			i++;
		}
		else if (a[0] == '-')
			usage();
		else if (!workload_path)
			workload_path = a;
		else
			usage();
	}
	if (!workload_path || (!bootstrap == !mock_brokers))
		usage();
	workload_load(&W, workload_path);
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--set") == 0)
		{
			char	   *kv = xstrdup(argv[i + 1]);
			char	   *eq = strchr(kv, '=');
			const char *err;

			if (!eq)
				die("--set wants key=value, got \"%s\"", kv);
			*eq = '\0';
			if ((err = workload_set(&W, trim(kv), trim(eq + 1))) != NULL)
				die("--set %s: %s", argv[i + 1], err);
			i++;
		}
	if (mock_brokers && broker_pid)
		die("--broker-pid and --mock-cluster together: the mock cluster's own process is measured");
	if (broker_pid && kill(broker_pid, 0) != 0 && errno == ESRCH)
		die("--broker-pid %d: no such process", (int) broker_pid);
	backlog_mode = W.backlog_size > 0;
	if (backlog_mode && W.consumers_per_topic == 0)
		die("backlog_size needs consumers_per_topic >= 1");
	if (backlog_mode && strcmp(W.consumer_start, "earliest") != 0)
		die("backlog_size needs consumer_start = earliest (the consumers must read the backlog)");
	if (W.consumers_per_topic > W.partitions)
		fprintf(stderr, "strata_bench: warning: more consumers than partitions per topic; some stay idle\n");
	if (W.duration <= 0)
		die("duration must be > 0");

	/* payload template */
	payload_template = xcalloc(1, W.message_size);
	seed = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32);
	if (strcmp(W.payload, "random") == 0)
	{
		uint64_t	x = seed | 1;

		for (uint64_t i = 0; i < W.message_size; i++)
		{
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			payload_template[i] = (unsigned char) x;
		}
	}
	else if (strncmp(W.payload, "file:", 5) == 0)
	{
		FILE	   *pf = fopen(W.payload + 5, "rb");
		size_t		got;

		if (!pf)
			die("payload file \"%s\": %s", W.payload + 5, strerror(errno));
		got = fread(payload_template, 1, W.message_size, pf);
		fclose(pf);
		if (got == 0)
			die("payload file \"%s\" is empty", W.payload + 5);
		for (uint64_t i = got; i < W.message_size; i++)	/* repeat to fill */
			payload_template[i] = payload_template[i % got];
	}

	/* topic names: fresh per run unless random_suffix = false */
	topic_names = xcalloc(W.topics, sizeof(char *));
	for (int t = 0; t < W.topics; t++)
	{
		topic_names[t] = malloc(strlen(W.topic_prefix) + 48);
		if (W.random_suffix)
			sprintf(topic_names[t], "%s-%08x-%d", W.topic_prefix, (unsigned) (seed & 0xffffffff), t);
		else
			sprintf(topic_names[t], "%s-%d", W.topic_prefix, t);
	}

	/* output directory */
	if (!outdir)
	{
		time_t		now = time(NULL);
		struct tm	tm;
		char		stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(defout, sizeof(defout), "results/%s-%s", W.name, stamp);
		outdir = defout;
	}
	{
		char		cmd[PATH_MAX + 32];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", outdir);
		if (strchr(outdir, '\'') || system(cmd) != 0)
			die("cannot create output directory \"%s\"", outdir);
	}
	snprintf(path, sizeof(path), "%s", out_path(outdir, "events.log"));
	if (!(event_log = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	if (!(client_log = fopen(out_path(outdir, "client.log"), "w")))
		die("cannot write %s/client.log: %s", outdir, strerror(errno));

	/* the peer runs in its own process, started before any thread exists */
	if (mock_brokers)
	{
		start_mock_process(mock_brokers);
		broker_pid = mock_pid;
	}
	else
		create_topics();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fprintf(stderr, "strata_bench: %s against %s%s, topics %s..., output in %s\n", W.name,
			mock_brokers ? "mock cluster " : "", bootstrap, topic_names[0], outdir);

	/* threads */
	nproducers = W.topics * W.producers_per_topic;
	nconsumers = W.topics * W.consumers_per_topic;
	if (nproducers + nconsumers > MAX_THREADS)
		die("too many clients (%d), at most %d", nproducers + nconsumers, MAX_THREADS);
	producers = xcalloc(nproducers, sizeof(Producer));
	consumers = xcalloc(nconsumers ? nconsumers : 1, sizeof(Consumer));
	for (int i = 0; i < nproducers; i++)
	{
		Producer   *p = &producers[i];

		p->id = i;
		p->topic = i / W.producers_per_topic;
		latstats_init(&p->lat);
		producer_create(p);
	}
	for (int i = 0; i < nconsumers; i++)
	{
		Consumer   *c = &consumers[i];

		c->id = i;
		c->topic = i / W.consumers_per_topic;
		c->index = i % W.consumers_per_topic;
		latstats_init(&c->lat);
		if ((size_t) W.producers_per_topic * W.partitions <= 4 * 1024 * 1024)
		{
			size_t		n = (size_t) W.producers_per_topic * W.partitions;

			c->next_seq = xcalloc(n, sizeof(uint64_t));
			for (size_t k = 0; k < n; k++)
				c->next_seq[k] = UINT64_MAX;
		}
		snprintf(c->group, sizeof(c->group), "strata-bench-%08x-%d", (unsigned) (seed & 0xffffffff), c->topic);
		if (pthread_create(&c->thread, NULL, consumer_main, c))
			die("pthread_create failed");
		while (!atomic_load(&c->created))
			usleep(1000);
	}

	/* tail reads: consumers are placed before the first message is sent */
	if (!backlog_mode && nconsumers > 0)
	{
		uint64_t	deadline = now_ns() + 30ULL * 1000000000u;
		int			want = W.topics * W.partitions;

		atomic_store(&consumers_go, true);
		for (;;)
		{
			int			got = 0;

			for (int i = 0; i < nconsumers; i++)
				got += atomic_load(&consumers[i].assigned);
			if (got >= want)
				break;
			if (interrupted || now_ns() > deadline)
				die("consumers were assigned %d of %d partitions within 30 s", got, want);
			usleep(10000);
		}
		/* let the first Fetch (offset lookup for "latest") go out */
		usleep(500000);
	}

	HistInit(&pub_measure);
	HistInit(&e2e_measure);
	HistInit(&pub_backlog);
	HistInit(&pub_drain);
	HistInit(&e2e_drain);
	if (broker_pid)
		bs0 = bs_prev = sample_tree(broker_pid);
	self0 = self_prev = self_cpu_s();
	read_cpu_totals(&mbusy_prev, &mtotal_prev);
	series = xcalloc(MAX_SECONDS, sizeof(Second));

	if (backlog_mode)
	{
		/* produce-only latency is recorded from the end of the warm-up */
		if (W.warmup <= 0)
			atomic_store(&in_backlog, true);
	}
	else
	{
		consumers_at = 0;
		measure_from = W.warmup;
		measure_to = W.warmup + W.duration;
	}
	atomic_store(&target_rate_milli, (uint64_t) ((W.rate_mode == RATE_MAX ? W.max_rate_start : W.produce_rate) * 1000.0));
	t0_ns = now_ns();
	{
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		t0_unix_s = (double) rt.tv_sec + rt.tv_nsec / 1e9;
	}
	for (int i = 0; i < nproducers; i++)
		if (pthread_create(&producers[i].thread, NULL, producer_main, &producers[i]))
			die("pthread_create failed");

	/*
	 * The control loop: every 10 ms check phase changes and events; every
	 * 100th tick take a per-second sample.  Ends when the measurement window
	 * is over (or on SIGINT, or when the broker dies).
	 */
	next_tick = t0_ns;
	for (;;)
	{
		double		t;

		next_tick += 10000000;
		sleep_until_ns(next_tick);
		t = (double) (now_ns() - t0_ns) / 1e9;
		tick++;
		events_poll(t, false);
		cur = totals();

		if (backlog_mode && backlog_reached_at < 0)
		{
			if (t >= W.warmup && !atomic_load(&in_backlog))
				atomic_store(&in_backlog, true);
			if (cur.acked_bytes >= W.backlog_size)
			{
				backlog_reached_at = consumers_at = t;
				at_consumers = cur;
				atomic_store(&in_backlog, false);
				atomic_store(&in_drain, true);
				atomic_store(&consumers_go, true);
				measure_from = t + W.warmup;
				measure_to = measure_from + W.duration;
				fprintf(stderr, "strata_bench: backlog of %" PRIu64 " messages (%.1f MiB) built in %.1f s; consumers start\n",
						cur.acked, cur.acked_bytes / 1048576.0, t);
			}
			else if (t > W.backlog_timeout)
			{
				aborted = 1;
				snprintf(abort_reason, sizeof(abort_reason),
						 "backlog of %" PRIu64 " bytes not reached within backlog_timeout (%.0f s): %" PRIu64 " acked",
						 W.backlog_size, W.backlog_timeout, cur.acked_bytes);
			}
		}
		if (atomic_load(&in_drain) && drained_at < 0)
		{
			/*
			 * Caught up: the lag is back to what a tail reader has anyway,
			 * at most 1000 messages (OpenMessaging's threshold) or 100 ms of
			 * the offered rate, whichever is more.
			 */
			double		tolerance = fmax(1000.0, (double) atomic_load(&target_rate_milli) / 1000.0 * 0.1);

			if ((double) cur.acked - (double) cur.consumed <= tolerance)
			{
				drained_at = t;
				atomic_store(&in_drain, false);
				fprintf(stderr, "strata_bench: backlog drained %.2f s after the consumers started\n",
						t - consumers_at);
			}
		}
		if (!measuring && !measured && (!backlog_mode || backlog_reached_at >= 0) && t >= measure_from)
		{
			measuring = true;
			at_measure_start = cur;
			if (broker_pid)
				bs_m0 = sample_tree(broker_pid);
			self_m0 = self_cpu_s();
			read_cpu_totals(&mb_m0, &mt_m0);
			atomic_store(&in_measure, true);
		}
		if (measuring && t >= measure_to)
		{
			atomic_store(&in_measure, false);
			measuring = false;
			measured = true;
			at_measure_end = cur;
			measure_to = t;
			if (broker_pid)
				bs_m1 = sample_tree(broker_pid);
			self_m1 = self_cpu_s();
			read_cpu_totals(&mb_m1, &mt_m1);
		}

		if (tick % 100 == 0 && nseries < MAX_SECONDS)
		{
			Second	   *s = &series[nseries++];
			double		dt = 1.0;
			uint64_t	mb,
						mt;
			double		self;

			HistInit(&sec_pub);
			HistInit(&sec_e2e);
			for (int i = 0; i < nproducers; i++)
				take_interval(&producers[i].lat, &sec_pub);
			for (int i = 0; i < nconsumers; i++)
				take_interval(&consumers[i].lat, &sec_e2e);
			s->t = t;
			dt = nseries > 1 ? t - series[nseries - 2].t : t;
			s->sent = cur.sent - prev.sent;
			s->acked = cur.acked - prev.acked;
			s->acked_bytes = cur.acked_bytes - prev.acked_bytes;
			s->consumed = cur.consumed - prev.consumed;
			s->consumed_bytes = cur.consumed_bytes - prev.consumed_bytes;
			s->errors = cur.errors - prev.errors;
			s->lag = cur.acked > cur.consumed ? cur.acked - cur.consumed : 0;
			quantiles_ms(&sec_pub, s->pub);
			quantiles_ms(&sec_e2e, s->e2e);
			if (broker_pid)
			{
				ProcSample	bs = sample_tree(broker_pid);

				if (!bs.alive)
				{
					broker_died = true;
					aborted = 1;
					snprintf(abort_reason, sizeof(abort_reason), "the broker (pid %d) exited during the run",
							 (int) broker_pid);
				}
				else
				{
					s->broker_cpu = (bs.cpu_s - bs_prev.cpu_s) / dt;
					s->broker_rss_mib = bs.rss / 1048576.0;
					s->broker_pss_mib = bs.pss / 1048576.0;
					peak_rss = fmax(peak_rss, s->broker_rss_mib);
					peak_pss = fmax(peak_pss, s->broker_pss_mib);
					bs_prev = bs_last = bs;
				}
			}
			self = self_cpu_s();
			s->driver_cpu = (self - self_prev) / dt;
			self_prev = self;
			if (read_cpu_totals(&mb, &mt) && mt > mtotal_prev)
				s->machine_busy = (double) (mb - mbusy_prev) / (double) (mt - mtotal_prev);
			mbusy_prev = mb;
			mtotal_prev = mt;
			s->target_rate = (double) atomic_load(&target_rate_milli) / 1000.0;
			if (W.rate_mode == RATE_MAX)
				max_rate_step(s, dt, &cur, &prev);
			prev = cur;
			fprintf(stderr, "  t=%5.1fs  pub %8.0f msg/s %7.1f MiB/s  cons %8.0f msg/s  pub p99 %7.2f ms  e2e p99 %7.2f ms  lag %" PRIu64 "%s\n",
					t, s->acked / dt, s->acked_bytes / dt / 1048576.0, s->consumed / dt, s->pub[1], s->e2e[1], s->lag,
					measuring ? "  [measuring]" : "");
		}

		/*
		 * Stopping: the producers flush what is in flight (up to 10 s), then
		 * the consumers get drain_timeout to read everything acknowledged.
		 * Sampling goes on meanwhile, so the plots show the final drain.
		 */
		if ((measured || interrupted || aborted) && !stopping)
		{
			stopping = true;
			producers_stopped_at = t;
			atomic_store(&in_measure, false);
			atomic_store(&stop_producers, true);
		}
		if (stopping && atomic_load(&producers_done) == nproducers)
		{
			bool		read_all = nconsumers == 0 || broker_died || interrupted ||
				!atomic_load(&consumers_go) || cur.consumed >= cur.acked;

			if (drain_deadline == 0)
				drain_deadline = now_ns() + (uint64_t) (W.drain_timeout * 1e9);
			if (read_all || now_ns() > drain_deadline)
				break;
		}
	}

	for (int i = 0; i < nproducers; i++)
		pthread_join(producers[i].thread, NULL);
	t_end_ns = now_ns();
	cur = totals();
	if (nconsumers > 0 && cur.acked > cur.consumed && !broker_died)
		report_stuck_partitions();
	if (atomic_load(&in_drain) && drained_at < 0 && cur.consumed >= cur.acked)
		drained_at = (double) (t_end_ns - t0_ns) / 1e9;
	atomic_store(&stop_consumers, true);
	for (int i = 0; i < nconsumers; i++)
		pthread_join(consumers[i].thread, NULL);
	events_poll((double) (t_end_ns - t0_ns) / 1e9, false);
	for (int i = 0; i < W.nevents; i++)
		if (W.events[i].pid > 0 && W.events[i].ended < 0)
		{
			fprintf(event_log, "event still running at the end, sent SIGTERM: %s\n", W.events[i].command);
			kill(-W.events[i].pid, SIGTERM);
		}
	events_poll((double) (t_end_ns - t0_ns) / 1e9, true);
	if (broker_pid && !broker_died)
	{
		ProcSample	bs = sample_tree(broker_pid);

		if (bs.alive)
			bs_last = bs;
	}
	for (int i = 0; i < nproducers; i++)
	{
		HistMerge(&pub_measure, &producers[i].lat.measure);
		HistMerge(&pub_backlog, &producers[i].lat.backlog);
		HistMerge(&pub_drain, &producers[i].lat.drain);
		rd_kafka_topic_destroy(producers[i].rkt);
		rd_kafka_destroy(producers[i].rk);
	}
	for (int i = 0; i < nconsumers; i++)
	{
		HistMerge(&e2e_measure, &consumers[i].lat.measure);
		HistMerge(&e2e_drain, &consumers[i].lat.drain);
		rd_kafka_destroy(consumers[i].rk);
	}
	stop_mock_process();

	if (!measured)
	{
		/* interrupted or aborted: report what was measured so far */
		at_measure_end = cur;
		if (!measuring)
			at_measure_start = cur;
		measure_to = (double) (t_end_ns - t0_ns) / 1e9;
		bs_m1 = bs_last;
		self_m1 = self_cpu_s();
		read_cpu_totals(&mb_m1, &mt_m1);
	}

	/* ---- figures ---- */
	{
		double		win = measure_to - measure_from;
		double		total_s = (double) (t_end_ns - t0_ns) / 1e9;
		uint64_t	w_acked = at_measure_end.acked - at_measure_start.acked;
		uint64_t	w_acked_b = at_measure_end.acked_bytes - at_measure_start.acked_bytes;
		uint64_t	w_sent = at_measure_end.sent - at_measure_start.sent;
		uint64_t	w_cons = at_measure_end.consumed - at_measure_start.consumed;
		uint64_t	w_cons_b = at_measure_end.consumed_bytes - at_measure_start.consumed_bytes;
		double		w_gib = (w_acked_b + w_cons_b) / 1073741824.0;
		double		run_gib = (cur.acked_bytes + cur.consumed_bytes) / 1073741824.0;
		double		b_cpu_win = broker_pid ? bs_m1.cpu_s - bs_m0.cpu_s : 0;
		double		b_cpu_run = broker_pid ? bs_last.cpu_s - bs0.cpu_s : 0;
		double		drv_cpu_win = self_m1 - self_m0;
		double		drv_cpu_run = self_cpu_s() - self0;
		double		mach_busy = mt_m1 > mt_m0 ? (double) (mb_m1 - mb_m0) / (double) (mt_m1 - mt_m0) : 0;
		uint64_t	lost = cur.acked > cur.consumed ? cur.acked - cur.consumed : 0;
		char		host[256] = "";
		char		when[64];
		time_t		now = time(NULL);
		struct tm	tm;
		uint64_t	errors = cur.errors;

		if (win <= 0)
			win = 1e-9;
		gethostname(host, sizeof(host) - 1);
		gmtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);

		snprintf(path, sizeof(path), "%s", out_path(outdir, "summary.txt"));
		if (!(sf = fopen(path, "w")))
			die("cannot write %s: %s", path, strerror(errno));
		for (int pass = 0; pass < 2; pass++)
		{
			FILE	   *f = pass == 0 ? sf : stdout;

			fprintf(f, "== strata_bench: %s%s%s%s (%s) ==\n", W.name, *label ? " [" : "", label, *label ? "]" : "", when);
			fprintf(f, "target: %s%s; broker pid %d; %ld CPUs\n", mock_brokers ? "librdkafka mock cluster " : "",
					bootstrap, (int) broker_pid, sysconf(_SC_NPROCESSORS_ONLN));
			fprintf(f, "workload: %d topic(s) x %d partitions, %" PRIu64 " B messages, %d producer(s) + %d consumer(s) per topic, "
					"rate %s, acks=%s linger.ms=%s batch.size=%s compression=%s, warmup %.0f s, duration %.0f s%s\n",
					W.topics, W.partitions, W.message_size, W.producers_per_topic, W.consumers_per_topic,
					rate_mode_name(), W.acks, W.linger_ms, W.batch_size, W.compression,
					W.warmup, W.duration, backlog_mode ? ", with backlog" : "");
			if (W.rate_mode == RATE_FIXED)
				fprintf(f, "target rate: %.0f msg/s (%.2f MiB/s)\n", W.produce_rate,
						W.produce_rate * W.message_size / 1048576.0);
			else if (W.rate_mode == RATE_MAX)
				fprintf(f, "target rate: max sustainable (adaptive from %.0f msg/s; offered %.0f msg/s at the end)\n",
						W.max_rate_start, (double) atomic_load(&target_rate_milli) / 1000.0);
			if (aborted || interrupted)
				fprintf(f, "RUN INCOMPLETE: %s\n", aborted ? abort_reason : "interrupted");
			fprintf(f, "measurement window: %.1f s .. %.1f s (%.2f s)\n", measure_from, measure_to, win);
			fprintf(f, "publish:  %10.0f msg/s  %8.2f MiB/s   (sent %.0f msg/s; rate shortfall %" PRIu64 " msgs, longest producer stall %.1f ms, queue-full %" PRIu64 ")\n",
					w_acked / win, w_acked_b / win / 1048576.0, w_sent / win, cur.shortfall,
					cur.max_stall_us / 1000.0, cur.queue_full);
			fprintf(f, "consume:  %10.0f msg/s  %8.2f MiB/s\n", w_cons / win, w_cons_b / win / 1048576.0);
			fprintf(f, "latency (measurement window):\n");
			text_hist(f, "publish", &pub_measure);
			text_hist(f, "end-to-end", &e2e_measure);
			if (backlog_mode)
			{
				fprintf(f, "backlog: %" PRIu64 " msgs (%.1f MiB) built in %.2f s; ", at_consumers.acked,
						at_consumers.acked_bytes / 1048576.0, backlog_reached_at);
				if (drained_at >= 0)
					fprintf(f, "drained in %.2f s%s\n", drained_at - consumers_at,
							drained_at > producers_stopped_at ?
							" (only after the producers stopped: the consumers did not catch up while they ran)" : "");
				else
					fprintf(f, "NOT drained by the end of the run\n");
				text_hist(f, "publish, produce-only", &pub_backlog);
				text_hist(f, "publish, while catching up", &pub_drain);
				text_hist(f, "end-to-end, catching up", &e2e_drain);
			}
			fprintf(f, "errors: %" PRIu64 " (producer/consumer)", errors);
			for (int i = 0; i < nproducers; i++)
				if (producers[i].first_error[0])
				{
					fprintf(f, "; first producer error: %s", producers[i].first_error);
					break;
				}
			for (int i = 0; i < nconsumers; i++)
				if (consumers[i].first_error[0])
				{
					fprintf(f, "; first consumer error: %s", consumers[i].first_error);
					break;
				}
			fprintf(f, "\n");
			fprintf(f, "totals: %" PRIu64 " acked, %" PRIu64 " consumed, %" PRIu64 " acked but not consumed at the end\n",
					cur.acked, cur.consumed, nconsumers ? lost : 0);
			if (nconsumers)
				fprintf(f, "order check: %" PRIu64 " messages missing (sequence gaps), %" PRIu64 " duplicated or out of order%s\n",
						cur.seq_gaps, cur.seq_dups, strcmp(W.partitioning, "sticky") == 0 ? " (not checked: sticky partitioning)" : "");
			fprintf(f, "client log: %d warnings or errors from librdkafka (%s)\n", atomic_load(&client_warnings),
					out_path(outdir, "client.log"));
			if (broker_pid)
			{
				fprintf(f, "broker: %.2f CPU-s in the window (%.2f cores), %.2f CPU-s over the run; peak RSS %.1f MiB, peak PSS %.1f MiB (%d procs)\n",
						b_cpu_win, b_cpu_win / win, b_cpu_run, peak_rss, peak_pss, bs_last.nprocs);
				if (w_gib > 0)
					fprintf(f, "broker cost: %.3f core-s per GiB produced+consumed (window), %.3f per GiB produced\n",
							b_cpu_win / w_gib, w_acked_b > 0 ? b_cpu_win / (w_acked_b / 1073741824.0) : 0);
			}
			fprintf(f, "driver: %.2f CPU-s in the window (%.2f cores); machine busy %.0f%% of %ld CPUs\n",
					drv_cpu_win, drv_cpu_win / win, mach_busy * 100, sysconf(_SC_NPROCESSORS_ONLN));
			fprintf(f, "output: %s/{summary.txt,result.json,timeseries.csv,timeseries.json,*.png,*.svg}\n", outdir);
		}
		fclose(sf);

		snprintf(path, sizeof(path), "%s", out_path(outdir, "result.json"));
		if (!(jf = fopen(path, "w")))
			die("cannot write %s: %s", path, strerror(errno));
		fprintf(jf, "{\n  \"workload\": ");
		json_str(jf, W.name);
		fprintf(jf, ",\n  \"label\": ");
		json_str(jf, label);
		fprintf(jf, ",\n  \"time\": \"%s\",\n  \"host\": ", when);
		json_str(jf, host);
		fprintf(jf, ",\n  \"cpus\": %ld,\n  \"target\": ", sysconf(_SC_NPROCESSORS_ONLN));
		json_str(jf, mock_brokers ? "mock" : "bootstrap");
		fprintf(jf, ",\n  \"bootstrap\": ");
		json_str(jf, bootstrap);
		fprintf(jf, ",\n  \"complete\": %s,\n  \"abort_reason\": ", (aborted || interrupted) ? "false" : "true");
		json_str(jf, aborted ? abort_reason : interrupted ? "interrupted" : "");
		fprintf(jf, ",\n  \"config\": {\"topics\": %d, \"partitions_per_topic\": %d, \"message_size\": %" PRIu64
				", \"producers_per_topic\": %d, \"consumers_per_topic\": %d, \"produce_rate\": %s%.0f%s"
				", \"acks\": \"%s\", \"linger_ms\": %s, \"batch_size\": %s, \"compression\": \"%s\""
				", \"warmup_s\": %.1f, \"duration_s\": %.1f, \"backlog_size\": %" PRIu64
				", \"consumer_start\": \"%s\", \"subscription\": \"%s\", \"partitioning\": \"%s\""
				", \"rate_tick_s\": %.4f, \"consumer_priority\": \"%s\"},\n",
				W.topics, W.partitions, W.message_size, W.producers_per_topic, W.consumers_per_topic,
				W.rate_mode == RATE_FIXED ? "" : W.rate_mode == RATE_MAX ? "\"max\", \"max_rate_start\": " : "\"unlimited\", \"max_rate_start\": ",
				W.rate_mode == RATE_FIXED ? W.produce_rate : W.max_rate_start, "",
				W.acks, W.linger_ms, W.batch_size, W.compression, W.warmup, W.duration, W.backlog_size,
				W.consumer_start, W.subscription, W.partitioning,
				W.rate_tick, W.consumer_sched_idle ? "idle" : "normal");
		fprintf(jf, "  \"window\": {\"from_s\": %.3f, \"to_s\": %.3f},\n", measure_from, measure_to);
		fprintf(jf, "  \"publish\": {\"msgs_per_s\": %.1f, \"mib_per_s\": %.3f, \"sent_msgs_per_s\": %.1f, "
				"\"rate_shortfall_msgs\": %" PRIu64 ", \"max_producer_stall_ms\": %.3f, \"queue_full\": %" PRIu64 "},\n",
				w_acked / win, w_acked_b / win / 1048576.0, w_sent / win, cur.shortfall,
				cur.max_stall_us / 1000.0, cur.queue_full);
		fprintf(jf, "  \"consume\": {\"msgs_per_s\": %.1f, \"mib_per_s\": %.3f},\n", w_cons / win, w_cons_b / win / 1048576.0);
		fprintf(jf, "  \"latency\": {\n");
		json_hist(jf, "publish", &pub_measure, false);
		json_hist(jf, "end_to_end", &e2e_measure, false);
		json_hist(jf, "publish_produce_only", &pub_backlog, false);
		json_hist(jf, "publish_while_catching_up", &pub_drain, false);
		json_hist(jf, "end_to_end_catching_up", &e2e_drain, true);
		fprintf(jf, "  },\n");
		fprintf(jf, "  \"backlog\": {\"msgs\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"built_s\": %.3f, \"consumers_start_s\": %.3f, \"drain_s\": ",
				at_consumers.acked, at_consumers.acked_bytes, backlog_reached_at, consumers_at);
		if (backlog_mode && drained_at >= 0)
			fprintf(jf, "%.3f, \"drained_while_producing\": %s",
					drained_at - consumers_at, drained_at <= producers_stopped_at ? "true" : "false");
		else
			fprintf(jf, "null, \"drained_while_producing\": false");
		/* the end of publish_while_catching_up (seconds from the start) */
		fprintf(jf, ", \"catching_up_until_s\": %.3f},\n",
				drained_at >= 0 && drained_at <= producers_stopped_at ? drained_at : producers_stopped_at);
		/* the start (t_s = 0) on the wall clock, to line up with other records */
		fprintf(jf, "  \"start_unix_s\": %.3f,\n", t0_unix_s);
		fprintf(jf, "  \"errors\": %" PRIu64 ",\n", errors);
		fprintf(jf, "  \"sequence_gaps\": %" PRIu64 ",\n  \"sequence_duplicates\": %" PRIu64 ",\n  \"client_warnings\": %d,\n",
				cur.seq_gaps, cur.seq_dups, atomic_load(&client_warnings));
		fprintf(jf, "  \"totals\": {\"acked\": %" PRIu64 ", \"consumed\": %" PRIu64 ", \"unconsumed_at_end\": %" PRIu64
				", \"duration_s\": %.3f, \"gib_moved\": %.4f},\n",
				cur.acked, cur.consumed, nconsumers ? lost : 0, total_s, run_gib);
		fprintf(jf, "  \"broker\": {\"pid\": %d, \"cpu_s_window\": %.3f, \"cores_window\": %.3f, \"cpu_s_run\": %.3f, "
				"\"peak_rss_mib\": %.1f, \"peak_pss_mib\": %.1f, \"core_s_per_gib_in_out\": %.4f, \"core_s_per_gib_produced\": %.4f},\n",
				(int) broker_pid, b_cpu_win, b_cpu_win / win, b_cpu_run, peak_rss, peak_pss,
				w_gib > 0 ? b_cpu_win / w_gib : 0, w_acked_b > 0 ? b_cpu_win / (w_acked_b / 1073741824.0) : 0);
		fprintf(jf, "  \"driver\": {\"cpu_s_window\": %.3f, \"cores_window\": %.3f, \"cpu_s_run\": %.3f},\n",
				drv_cpu_win, drv_cpu_win / win, drv_cpu_run);
		fprintf(jf, "  \"machine_busy_fraction\": %.3f,\n", mach_busy);
		fprintf(jf, "  \"events\": [");
		for (int i = 0; i < W.nevents; i++)
		{
			fprintf(jf, "%s{\"at_s\": %.3f, \"started_s\": %.3f, \"ended_s\": %.3f, \"status\": %d, \"command\": ",
					i ? ", " : "", W.events[i].at, W.events[i].started, W.events[i].ended, W.events[i].status);
			json_str(jf, W.events[i].command);
			fprintf(jf, "}");
		}
		fprintf(jf, "]\n}\n");
		fclose(jf);
	}
	fclose(event_log);

	write_series(outdir);
	snprintf(path, sizeof(path), "%s", out_path(outdir, "percentiles.dat"));
	write_percentile_curve(path, &pub_measure, &e2e_measure);
	write_plots(outdir, backlog_mode ? consumers_at : 0, measure_from, measure_to, producers_stopped_at);
	return (aborted || interrupted) ? 1 : 0;
}
