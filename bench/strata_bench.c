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
 *	  The code is in four files; see strata_bench.h.
 *
 * bench/strata_bench.c
 *
 *-------------------------------------------------------------------------
 */
#include "strata_bench.h"
#include "utils/sanitizer.h"	/* this file has main() */

/* ----------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------- */

void
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

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

void
sleep_until_ns(uint64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t) (t / 1000000000u);
	ts.tv_nsec = (long) (t % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

char *
xstrdup(const char *s)
{
	char	   *r = strdup(s);

	if (!r)
		die("out of memory");
	return r;
}

void *
xcalloc(size_t n, size_t sz)
{
	void	   *p = calloc(n, sz);

	if (!p)
		die("out of memory");
	return p;
}

char *
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

bool
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
const char *
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

/*
 * workload_set's parts, one per group of settings (bench/README.md): each
 * returns NULL when it applied the setting, an error message, or
 * NOT_MINE for a key of another group.
 */
static const char NOT_MINE[] = "not mine";

#define STR(field) do { free(w->field); w->field = xstrdup(val); return NULL; } while (0)
#define DUR(field) do { if (!parse_duration(val, &w->field)) return "must be a duration (10, 10s, 500ms, 2m)"; return NULL; } while (0)

/* The topics, the messages and the clients per topic. */
static const char *
workload_set_shape(Workload *w, const char *key, const char *val)
{
	long		l;

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
	return NOT_MINE;
}

/* The offered rate and the phases' durations. */
static const char *
workload_set_rate(Workload *w, const char *key, const char *val)
{
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
	if (strcmp(key, "rate_schedule") == 0)
	{
		char	   *copy = xstrdup(val);
		char	   *save = NULL;

		w->nschedule = 0;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		{
			char	   *colon = strchr(tok, ':');
			char	   *end;
			double		t,
						r;

			if (colon == NULL || w->nschedule >= MAX_SCHEDULE)
			{
				free(copy);
				return "must be up to 256 TIME:RATE pairs separated by commas (0s:1000, 30s:1000, 31s:20000)";
			}
			*colon = '\0';
			if (!parse_duration(trim(tok), &t) ||
				(w->nschedule > 0 && t <= w->schedule_t[w->nschedule - 1]))
			{
				free(copy);
				return "its times must be durations (30s, 2m), increasing";
			}
			r = strtod(trim(colon + 1), &end);
			if (end == trim(colon + 1) || *end || !(r >= 1 && r <= 1e8))
			{
				free(copy);
				return "its rates must be messages per second (1 .. 1e8)";
			}
			w->schedule_t[w->nschedule] = t;
			w->schedule_rate[w->nschedule] = r;
			w->nschedule++;
		}
		free(copy);
		if (w->nschedule == 0)
			return "must list at least one TIME:RATE pair";
		w->rate_mode = RATE_FIXED;
		w->produce_rate = w->schedule_rate[0];
		return NULL;
	}
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
	return NOT_MINE;
}

/* The clients' settings, and librdkafka's own (producer.x, consumer.x). */
static const char *
workload_set_client(Workload *w, const char *key, const char *val)
{
	long		l;

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
	return NOT_MINE;
}

#undef STR
#undef DUR

/* "event = <seconds> <shell command>" */
static const char *
workload_add_event(Workload *w, const char *val)
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

/* Apply one "key = value"; returns an error message or NULL. */
static const char *
workload_set(Workload *w, const char *key, const char *val)
{
	const char *res;

	if ((res = workload_set_shape(w, key, val)) != NOT_MINE ||
		(res = workload_set_rate(w, key, val)) != NOT_MINE ||
		(res = workload_set_client(w, key, val)) != NOT_MINE)
		return res;
	if (strcmp(key, "event") == 0)
		return workload_add_event(w, val);
	return "unknown setting (see bench/README.md for the list)";
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

Workload W;
char **topic_names;
volatile sig_atomic_t interrupted;

/* Phase flags read by every thread when recording a latency. */
atomic_bool in_backlog;	/* produce-only, before consumers start */
atomic_bool in_drain;	/* consumers started, backlog not yet drained */
atomic_bool in_measure;	/* the measurement window */
atomic_bool stop_producers;
atomic_bool stop_consumers;
atomic_bool consumers_go;
atomic_int producers_done;	/* producer threads that have flushed */
_Atomic uint64_t target_rate_milli;	/* offered msg/s x 1000, all producers */
uint64_t t0_ns;			/* producers start */
double t0_unix_s;		/* the same moment on CLOCK_REALTIME */

/* The first SIGINT/SIGTERM ends the run cleanly (figures written); a second one exits at once. */
/* ----------------------------------------------------------------
 * A run: main and its steps
 * ---------------------------------------------------------------- */

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

/* strata_bench --serve-mock N [--mock-topic NAME:PARTITIONS ...] */
static int
serve_mock_main(int argc, char **argv)
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

/*
 * The command line: the workload file, then --set overrides applied over
 * it; checks that the combination makes sense.
 */
static void
parse_args(Run *r, int argc, char **argv)
{
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
			r->mock_brokers = (int) n;
		}
		else if (strcmp(a, "--broker-pid") == 0 && has)
		{
			long		n;

			if (!parse_int(argv[++i], 1, INT_MAX, &n))
				die("--broker-pid wants a process id");
			r->broker_pid = (pid_t) n;
		}
		else if (strcmp(a, "--broker-pidfile") == 0 && has)
			r->broker_pid = read_pidfile(argv[++i]);
		else if (strcmp(a, "--out") == 0 && has)
			r->outdir = argv[++i];
		else if (strcmp(a, "--label") == 0 && has)
			r->label = argv[++i];
		else if (strcmp(a, "--set") == 0 && has)
		{
			/* applied after the file: remember and apply below */
			i++;
		}
		else if (a[0] == '-')
			usage();
		else if (!r->workload_path)
			r->workload_path = a;
		else
			usage();
	}
	if (!r->workload_path || (!bootstrap == !r->mock_brokers))
		usage();
	workload_load(&W, r->workload_path);
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
	if (r->mock_brokers && r->broker_pid)
		die("--broker-pid and --mock-cluster together: the mock cluster's own process is measured");
	if (r->broker_pid && kill(r->broker_pid, 0) != 0 && errno == ESRCH)
		die("--broker-pid %d: no such process", (int) r->broker_pid);
	r->backlog_mode = W.backlog_size > 0;
	if (r->backlog_mode && W.consumers_per_topic == 0)
		die("backlog_size needs consumers_per_topic >= 1");
	if (r->backlog_mode && strcmp(W.consumer_start, "earliest") != 0)
		die("backlog_size needs consumer_start = earliest (the consumers must read the backlog)");
	if (W.consumers_per_topic > W.partitions)
		fprintf(stderr, "strata_bench: warning: more consumers than partitions per topic; some stay idle\n");
	if (W.duration <= 0)
		die("duration must be > 0");
}

/* The payload template and the topic names (fresh per run unless random_suffix = false). */
static void
make_payload_and_topics(Run *r)
{
	/* payload template */
	payload_template = xcalloc(1, W.message_size);
	r->seed = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32);
	if (strcmp(W.payload, "random") == 0)
	{
		uint64_t	x = r->seed | 1;

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
			sprintf(topic_names[t], "%s-%08x-%d", W.topic_prefix, (unsigned) (r->seed & 0xffffffff), t);
		else
			sprintf(topic_names[t], "%s-%d", W.topic_prefix, t);
	}
}

/* The output directory (default results/NAME-STAMP), events.log and client.log. */
static void
open_output(Run *r)
{
	char		path[PATH_MAX];
	static char defout[PATH_MAX];

	if (!r->outdir)
	{
		time_t		now = time(NULL);
		struct tm	tm;
		char		stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(defout, sizeof(defout), "results/%s-%s", W.name, stamp);
		r->outdir = defout;
	}
	{
		char		cmd[PATH_MAX + 32];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", r->outdir);
		if (strchr(r->outdir, '\'') || system(cmd) != 0)
			die("cannot create output directory \"%s\"", r->outdir);
	}
	snprintf(path, sizeof(path), "%s", out_path(r->outdir, "events.log"));
	if (!(event_log = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	if (!(client_log = fopen(out_path(r->outdir, "client.log"), "w")))
		die("cannot write %s/client.log: %s", r->outdir, strerror(errno));
}

/*
 * Start the mock cluster (in its own process, before any thread exists) or
 * create the topics on the real broker; then install the signal handlers.
 */
static void
start_peer(Run *r)
{
	struct sigaction sa;

	/* the peer runs in its own process, started before any thread exists */
	if (r->mock_brokers)
	{
		start_mock_process(r->mock_brokers);
		r->broker_pid = mock_pid;
	}
	else
		create_topics();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fprintf(stderr, "strata_bench: %s against %s%s, topics %s..., output in %s\n", W.name,
			r->mock_brokers ? "mock cluster " : "", bootstrap, topic_names[0], r->outdir);
}

/* Create the producers, and start the consumer threads. */
static void
start_clients(Run *r)
{
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
		snprintf(c->group, sizeof(c->group), "strata-bench-%08x-%d", (unsigned) (r->seed & 0xffffffff), c->topic);
		if (pthread_create(&c->thread, NULL, consumer_main, c))
			die("pthread_create failed");
		while (!atomic_load(&c->created))
			usleep(1000);
	}
}

/* Tail reads: the consumers are placed before the first message is sent. */
static void
wait_for_assignment(Run *r)
{
	if (!r->backlog_mode && nconsumers > 0)
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
}

/* Take the starting samples, set the phases' times and start the producers: t = 0. */
static void
start_producers(Run *r)
{
	HistInit(&r->pub_measure);
	HistInit(&r->e2e_measure);
	HistInit(&r->pub_backlog);
	HistInit(&r->pub_drain);
	HistInit(&r->e2e_drain);
	if (r->broker_pid)
		r->bs0 = r->bs_prev = sample_tree(r->broker_pid);
	r->self0 = r->self_prev = self_cpu_s();
	read_cpu_totals(&r->mbusy_prev, &r->mtotal_prev);
	series = xcalloc(MAX_SECONDS, sizeof(Second));

	if (r->backlog_mode)
	{
		/* produce-only latency is recorded from the end of the warm-up */
		if (W.warmup <= 0)
			atomic_store(&in_backlog, true);
	}
	else
	{
		r->consumers_at = 0;
		r->measure_from = W.warmup;
		r->measure_to = W.warmup + W.duration;
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
}

/*
 * rate_schedule: the offered rate at t seconds, linear between the points,
 * the first point's before it and the last one's after it.
 */
static double
schedule_rate(double t)
{
	int			i = 0;

	if (t <= W.schedule_t[0])
		return W.schedule_rate[0];
	while (i + 1 < W.nschedule && W.schedule_t[i + 1] <= t)
		i++;
	if (i + 1 >= W.nschedule)
		return W.schedule_rate[W.nschedule - 1];
	return W.schedule_rate[i] + (W.schedule_rate[i + 1] - W.schedule_rate[i]) *
		(t - W.schedule_t[i]) / (W.schedule_t[i + 1] - W.schedule_t[i]);
}

/*
 * The phase changes due at t (seconds from the start): the backlog built,
 * the backlog drained, the measurement window's start and end.
 */
static void
phase_step(Run *r, double t)
{
	if (r->backlog_mode && r->backlog_reached_at < 0)
	{
		if (t >= W.warmup && !atomic_load(&in_backlog))
			atomic_store(&in_backlog, true);
		if (r->cur.acked_bytes >= W.backlog_size)
		{
			r->backlog_reached_at = r->consumers_at = t;
			r->at_consumers = r->cur;
			atomic_store(&in_backlog, false);
			atomic_store(&in_drain, true);
			atomic_store(&consumers_go, true);
			r->measure_from = t + W.warmup;
			r->measure_to = r->measure_from + W.duration;
			fprintf(stderr, "strata_bench: backlog of %" PRIu64 " messages (%.1f MiB) built in %.1f s; consumers start\n",
					r->cur.acked, r->cur.acked_bytes / 1048576.0, t);
		}
		else if (t > W.backlog_timeout)
		{
			r->aborted = 1;
			snprintf(r->abort_reason, sizeof(r->abort_reason),
					 "backlog of %" PRIu64 " bytes not reached within backlog_timeout (%.0f s): %" PRIu64 " acked",
					 W.backlog_size, W.backlog_timeout, r->cur.acked_bytes);
		}
	}
	if (atomic_load(&in_drain) && r->drained_at < 0)
	{
		/*
		 * Caught up: the lag is back to what a tail reader has anyway,
		 * at most 1000 messages (OpenMessaging's threshold) or 100 ms of
		 * the offered rate, whichever is more.
		 */
		double		tolerance = fmax(1000.0, (double) atomic_load(&target_rate_milli) / 1000.0 * 0.1);

		if ((double) r->cur.acked - (double) r->cur.consumed <= tolerance)
		{
			r->drained_at = t;
			atomic_store(&in_drain, false);
			fprintf(stderr, "strata_bench: backlog drained %.2f s after the consumers started\n",
					t - r->consumers_at);
		}
	}
	if (!r->measuring && !r->measured && (!r->backlog_mode || r->backlog_reached_at >= 0) && t >= r->measure_from)
	{
		r->measuring = true;
		r->at_measure_start = r->cur;
		if (r->broker_pid)
			r->bs_m0 = sample_tree(r->broker_pid);
		r->self_m0 = self_cpu_s();
		read_cpu_totals(&r->mb_m0, &r->mt_m0);
		atomic_store(&in_measure, true);
	}
	if (r->measuring && t >= r->measure_to)
	{
		atomic_store(&in_measure, false);
		r->measuring = false;
		r->measured = true;
		r->at_measure_end = r->cur;
		r->measure_to = t;
		if (r->broker_pid)
			r->bs_m1 = sample_tree(r->broker_pid);
		r->self_m1 = self_cpu_s();
		read_cpu_totals(&r->mb_m1, &r->mt_m1);
	}
}

/* One per-second sample into the series, with its latency and resource figures. */
static void
take_second(Run *r, double t)
{
	Second	   *s = &series[nseries++];
	double		dt = 1.0;
	uint64_t	mb,
				mt;
	double		self;
	Histogram	sec_pub,
				sec_e2e;

	HistInit(&sec_pub);
	HistInit(&sec_e2e);
	for (int i = 0; i < nproducers; i++)
		take_interval(&producers[i].lat, &sec_pub);
	for (int i = 0; i < nconsumers; i++)
		take_interval(&consumers[i].lat, &sec_e2e);
	s->t = t;
	dt = nseries > 1 ? t - series[nseries - 2].t : t;
	s->sent = r->cur.sent - r->prev.sent;
	s->acked = r->cur.acked - r->prev.acked;
	s->acked_bytes = r->cur.acked_bytes - r->prev.acked_bytes;
	s->consumed = r->cur.consumed - r->prev.consumed;
	s->consumed_bytes = r->cur.consumed_bytes - r->prev.consumed_bytes;
	s->errors = r->cur.errors - r->prev.errors;
	s->lag = r->cur.acked > r->cur.consumed ? r->cur.acked - r->cur.consumed : 0;
	quantiles_ms(&sec_pub, s->pub);
	quantiles_ms(&sec_e2e, s->e2e);
	if (r->broker_pid)
	{
		ProcSample	bs = sample_tree(r->broker_pid);

		if (!bs.alive)
		{
			r->broker_died = true;
			r->aborted = 1;
			snprintf(r->abort_reason, sizeof(r->abort_reason), "the broker (pid %d) exited during the run",
					 (int) r->broker_pid);
		}
		else
		{
			s->broker_cpu = (bs.cpu_s - r->bs_prev.cpu_s) / dt;
			s->broker_rss_mib = bs.rss / 1048576.0;
			s->broker_pss_mib = bs.pss / 1048576.0;
			r->peak_rss = fmax(r->peak_rss, s->broker_rss_mib);
			r->peak_pss = fmax(r->peak_pss, s->broker_pss_mib);
			r->bs_prev = r->bs_last = bs;
		}
	}
	self = self_cpu_s();
	s->driver_cpu = (self - r->self_prev) / dt;
	r->self_prev = self;
	if (read_cpu_totals(&mb, &mt) && mt > r->mtotal_prev)
		s->machine_busy = (double) (mb - r->mbusy_prev) / (double) (mt - r->mtotal_prev);
	r->mbusy_prev = mb;
	r->mtotal_prev = mt;
	s->target_rate = (double) atomic_load(&target_rate_milli) / 1000.0;
	if (W.rate_mode == RATE_MAX)
		max_rate_step(s, dt, &r->cur, &r->prev);
	r->prev = r->cur;
	fprintf(stderr, "  t=%5.1fs  pub %8.0f msg/s %7.1f MiB/s  cons %8.0f msg/s  pub p99 %7.2f ms  e2e p99 %7.2f ms  lag %" PRIu64 "%s\n",
			t, s->acked / dt, s->acked_bytes / dt / 1048576.0, s->consumed / dt, s->pub[1], s->e2e[1], s->lag,
			r->measuring ? "  [measuring]" : "");
}

/*
 * Stopping: the producers flush what is in flight (up to 10 s), then the
 * consumers get drain_timeout to read everything acknowledged.  Sampling
 * goes on meanwhile, so the plots show the final drain.  True when the
 * control loop is done.
 */
static bool
stop_step(Run *r, double t)
{
	/*
	 * Stopping: the producers flush what is in flight (up to 10 s), then
	 * the consumers get drain_timeout to read everything acknowledged.
	 * Sampling goes on meanwhile, so the plots show the final drain.
	 */
	if ((r->measured || interrupted || r->aborted) && !r->stopping)
	{
		r->stopping = true;
		r->producers_stopped_at = t;
		atomic_store(&in_measure, false);
		atomic_store(&stop_producers, true);
	}
	if (r->stopping && atomic_load(&producers_done) == nproducers)
	{
		bool		read_all = nconsumers == 0 || r->broker_died || interrupted ||
			!atomic_load(&consumers_go) || r->cur.consumed >= r->cur.acked;

		if (r->drain_deadline == 0)
			r->drain_deadline = now_ns() + (uint64_t) (W.drain_timeout * 1e9);
		if (read_all || now_ns() > r->drain_deadline)
			return true;
	}
	return false;
}

/*
 * The control loop: every 10 ms check phase changes and events; every
 * 100th tick take a per-second sample.  Ends when the measurement window
 * is over (or on SIGINT, or when the broker dies), and everything
 * acknowledged was read or the drain timed out.
 */
static void
control_loop(Run *r)
{
	uint64_t	next_tick = t0_ns;
	int			tick = 0;

	for (;;)
	{
		double		t;

		next_tick += 10000000;
		sleep_until_ns(next_tick);
		t = (double) (now_ns() - t0_ns) / 1e9;
		tick++;
		events_poll(t, false);
		if (W.nschedule > 0 && W.rate_mode == RATE_FIXED)
			atomic_store(&target_rate_milli, (uint64_t) (schedule_rate(t) * 1000.0));
		r->cur = totals();
		phase_step(r, t);
		if (tick % 100 == 0 && nseries < MAX_SECONDS)
			take_second(r, t);
		if (stop_step(r, t))
			break;
	}
}

/*
 * After the loop: join the threads, end the events, take the last samples
 * and merge the clients' histograms.
 */
static void
finish_run(Run *r)
{
	for (int i = 0; i < nproducers; i++)
		pthread_join(producers[i].thread, NULL);
	r->t_end_ns = now_ns();
	r->cur = totals();
	if (nconsumers > 0 && r->cur.acked > r->cur.consumed && !r->broker_died)
		report_stuck_partitions();
	if (atomic_load(&in_drain) && r->drained_at < 0 && r->cur.consumed >= r->cur.acked)
		r->drained_at = (double) (r->t_end_ns - t0_ns) / 1e9;
	atomic_store(&stop_consumers, true);
	for (int i = 0; i < nconsumers; i++)
		pthread_join(consumers[i].thread, NULL);
	events_poll((double) (r->t_end_ns - t0_ns) / 1e9, false);
	for (int i = 0; i < W.nevents; i++)
		if (W.events[i].pid > 0 && W.events[i].ended < 0)
		{
			fprintf(event_log, "event still running at the end, sent SIGTERM: %s\n", W.events[i].command);
			kill(-W.events[i].pid, SIGTERM);
		}
	events_poll((double) (r->t_end_ns - t0_ns) / 1e9, true);
	if (r->broker_pid && !r->broker_died)
	{
		ProcSample	bs = sample_tree(r->broker_pid);

		if (bs.alive)
			r->bs_last = bs;
	}
	for (int i = 0; i < nproducers; i++)
	{
		HistMerge(&r->pub_measure, &producers[i].lat.measure);
		HistMerge(&r->pub_backlog, &producers[i].lat.backlog);
		HistMerge(&r->pub_drain, &producers[i].lat.drain);
		rd_kafka_topic_destroy(producers[i].rkt);
		rd_kafka_destroy(producers[i].rk);
	}
	for (int i = 0; i < nconsumers; i++)
	{
		HistMerge(&r->e2e_measure, &consumers[i].lat.measure);
		HistMerge(&r->e2e_drain, &consumers[i].lat.drain);
		rd_kafka_destroy(consumers[i].rk);
	}
	stop_mock_process();

	if (!r->measured)
	{
		/* interrupted or aborted: report what was measured so far */
		r->at_measure_end = r->cur;
		if (!r->measuring)
			r->at_measure_start = r->cur;
		r->measure_to = (double) (r->t_end_ns - t0_ns) / 1e9;
		r->bs_m1 = r->bs_last;
		r->self_m1 = self_cpu_s();
		read_cpu_totals(&r->mb_m1, &r->mt_m1);
	}
}

/*
 * A run, in the order of the file comment: options, payload and topics,
 * output, the peer, the clients, t = 0, the control loop, the end, the
 * reports.
 */
int
main(int argc, char **argv)
{
	Run		   *r = xcalloc(1, sizeof(Run));
	Figures		fig;
	char		path[PATH_MAX];

	clk_tck = sysconf(_SC_CLK_TCK);
	page_size = sysconf(_SC_PAGESIZE);
	workload_defaults(&W);
	if (argc >= 3 && strcmp(argv[1], "--serve-mock") == 0)
		return serve_mock_main(argc, argv);

	r->label = "";
	r->drained_at = -1;
	r->backlog_reached_at = -1;
	parse_args(r, argc, argv);
	make_payload_and_topics(r);
	open_output(r);
	start_peer(r);
	start_clients(r);
	wait_for_assignment(r);
	start_producers(r);
	control_loop(r);
	finish_run(r);

	compute_figures(r, &fig);
	write_summary(r, &fig);
	write_result_json(r, &fig);
	fclose(event_log);

	write_series(r->outdir);
	snprintf(path, sizeof(path), "%s", out_path(r->outdir, "percentiles.dat"));
	write_percentile_curve(path, &r->pub_measure, &r->e2e_measure);
	write_plots(r->outdir, r->backlog_mode ? r->consumers_at : 0, r->measure_from, r->measure_to, r->producers_stopped_at);
	return (r->aborted || interrupted) ? 1 : 0;
}
