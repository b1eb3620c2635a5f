/*-------------------------------------------------------------------------
 *
 * strata_bench.h
 *	  Declarations shared by the files of the benchmark driver:
 *
 *	  strata_bench.c   the workload, main and the steps of a run
 *	  bench_clients.c  the producer and consumer threads (librdkafka), and
 *	                   creating the topics
 *	  bench_proc.c     the broker's process tree (CPU, memory), the mock
 *	                   cluster's process, and the workload's events
 *	  bench_report.c   the per-second series, the figures and the reports
 *	                   (summary.txt, result.json, timeseries, plots)
 *
 *	  Threads: the main thread runs the control loop; each producer and
 *	  consumer has a thread of its own.  What they share is atomic (the
 *	  flags below, the latency statistics' counters) or written before the
 *	  threads start.
 *
 * bench/strata_bench.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BENCH_H
#define STRATA_BENCH_H

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

#define MAX_TOPICS		64
#define MAX_THREADS		256
#define MAX_EVENTS		64
#define MAX_PASSTHRU	64
#define MAX_SCHEDULE	256
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
	/* rate_schedule: the offered rate over time (RATE_FIXED), interpolated */
	int			nschedule;
	double		schedule_t[MAX_SCHEDULE];	/* seconds from the start, increasing */
	double		schedule_rate[MAX_SCHEDULE];	/* msg/s */
} Workload;

typedef struct LatStats
{
	pthread_mutex_t lock;
	Histogram	interval;		/* since the last per-second sample */
	Histogram	backlog;
	Histogram	drain;
	Histogram	measure;
} LatStats;

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

typedef struct ProcSample
{
	bool		alive;
	int			nprocs;
	double		cpu_s;			/* utime+stime+cutime+cstime over the tree */
	uint64_t	rss;			/* bytes, summed */
	uint64_t	pss;			/* bytes, summed (0 if unreadable) */
} ProcSample;

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
/* The state of a run, shared by main's steps below. */

typedef struct Run
{
	const char *workload_path;
	const char *outdir;
	const char *label;
	int			mock_brokers;
	pid_t		broker_pid;
	uint64_t	seed;
	bool		backlog_mode;
	/* totals: last sample, now, at the phases */
	Totals		prev,
				cur,
				at_measure_start,
				at_measure_end,
				at_consumers;
	/* phases, in seconds from t = 0 (-1: not yet) */
	double		producers_stopped_at;
	double		consumers_at,
				drained_at,
				measure_from,
				measure_to,
				backlog_reached_at;
	/* the broker's process tree */
	ProcSample	bs0,
				bs_prev,
				bs_m0,
				bs_m1,
				bs_last;
	double		peak_rss,
				peak_pss;
	/* our own CPU, and the machine's */
	double		self0,
				self_prev,
				self_m0,
				self_m1;
	uint64_t	mbusy_prev,
				mtotal_prev,
				mb_m0,
				mt_m0,
				mb_m1,
				mt_m1;
	/* latencies merged from the clients at the end */
	Histogram	pub_measure,
				e2e_measure,
				pub_backlog,
				pub_drain,
				e2e_drain;
	bool		stopping;
	uint64_t	drain_deadline;
	bool		measuring,
				measured,
				broker_died;
	uint64_t	t_end_ns;
	int			aborted;
	char		abort_reason[256];
} Run;
/* What the reports say, computed once from a Run. */

typedef struct Figures
{
	double		win;			/* the measurement window, s */
	double		total_s;
	uint64_t	w_acked;		/* in the window */
	uint64_t	w_acked_b;
	uint64_t	w_sent;
	uint64_t	w_cons;
	uint64_t	w_cons_b;
	double		w_gib;
	double		run_gib;
	double		b_cpu_win;		/* the broker's CPU-s */
	double		b_cpu_run;
	double		drv_cpu_win;	/* ours */
	double		drv_cpu_run;
	double		mach_busy;
	uint64_t	lost;
	char		host[256];
	char		when[64];
	uint64_t	errors;
} Figures;

/* ---- strata_bench.c ---- */
extern Workload W;
extern char **topic_names;
extern volatile sig_atomic_t interrupted;
extern atomic_bool in_backlog;	/* produce-only, before consumers start */
extern atomic_bool in_drain;	/* consumers started, backlog not yet drained */
extern atomic_bool in_measure;	/* the measurement window */
extern atomic_bool stop_producers;
extern atomic_bool stop_consumers;
extern atomic_bool consumers_go;
extern atomic_int producers_done;	/* producer threads that have flushed */
extern _Atomic uint64_t target_rate_milli;	/* offered msg/s x 1000, all producers */
extern uint64_t t0_ns;			/* producers start */
extern double t0_unix_s;		/* the same moment on CLOCK_REALTIME */
extern void die(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern uint64_t now_ns(void);
extern void sleep_until_ns(uint64_t t);
extern char *xstrdup(const char *s);
extern void *xcalloc(size_t n, size_t sz);
extern char *trim(char *s);
extern bool parse_int(const char *s, long min, long max, long *out);
extern const char *out_path(const char *dir, const char *name);

/* ---- bench_clients.c ---- */
extern Producer *producers;
extern int	nproducers;
extern Consumer *consumers;
extern int	nconsumers;
extern unsigned char *payload_template;
extern char *bootstrap;
extern FILE *client_log;
extern atomic_int client_warnings;
extern void latstats_init(LatStats *s);
extern void conf_set(rd_kafka_conf_t *conf, const char *k, const char *v);
extern void producer_create(Producer *p);
extern void *producer_main(void *arg);
extern void consumer_start(Consumer *c);
extern void *consumer_main(void *arg);
extern void report_stuck_partitions(void);
extern void create_topics(void);

/* ---- bench_proc.c ---- */
extern long clk_tck;
extern long page_size;
extern pid_t mock_pid;
extern FILE *event_log;
extern ProcSample sample_tree(pid_t root);
extern bool read_cpu_totals(uint64_t *busy, uint64_t *total);
extern double self_cpu_s(void);
extern int serve_mock(int nbrokers, int ntopics, char **topics);
extern void start_mock_process(int nbrokers);
extern void stop_mock_process(void);
extern void events_poll(double t, bool final);

/* ---- bench_report.c ---- */
extern Second *series;
extern int	nseries;
extern Totals totals(void);
extern void max_rate_step(const Second *s, double dt, const Totals *cur, const Totals *prev);
extern void take_interval(LatStats *s, Histogram *into);
extern void quantiles_ms(const Histogram *h, double out[4]);
extern void write_percentile_curve(const char *path, const Histogram *pub, const Histogram *e2e);
extern void write_series(const char *dir);
extern void write_plots(const char *dir, double consumers_at, double measure_from, double measure_to, double stopped_at);
extern void compute_figures(Run *r, Figures *f);
extern void write_summary(Run *r, const Figures *fg);
extern void write_result_json(Run *r, const Figures *fg);

#endif							/* STRATA_BENCH_H */
