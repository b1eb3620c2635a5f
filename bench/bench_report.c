/*-------------------------------------------------------------------------
 *
 * bench_report.c
 *	  strata_bench's results: the totals over the clients, the per-second
 *	  series, the adaptive rate of produce_rate = max, the run's figures,
 *	  and the files written at the end (summary.txt, result.json,
 *	  timeseries.{csv,json}, percentiles.dat, gnuplot plots).
 *
 * bench/bench_report.c
 *
 *-------------------------------------------------------------------------
 */
#include "strata_bench.h"

/* ----------------------------------------------------------------
 * Time series
 * ---------------------------------------------------------------- */

Second *series;
int	nseries;

Totals
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

void
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

void
take_interval(LatStats *s, Histogram *into)
{
	pthread_mutex_lock(&s->lock);
	HistMerge(into, &s->interval);
	HistInit(&s->interval);
	pthread_mutex_unlock(&s->lock);
}

void
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

void
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

void
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
 * The time plots' markers: the measurement window shaded, the consumers'
 * start and the producers' stop as dashed lines, and each event (E1, E2,
 * ... with the start of its command) in red.
 */
static void
write_time_markers(FILE *f, double consumers_at, double measure_from, double measure_to,
				   double stopped_at)
{
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
}

/*
 * gnuplot script: throughput, latency over time (log scale), latency
 * percentile curve (x = 1/(1-p), HdrHistogram's "nines" axis) and broker
 * resources; each to PNG and SVG.  Events and the consumer start are
 * vertical lines labelled at the top.
 */
void
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
	write_time_markers(f, consumers_at, measure_from, measure_to, stopped_at);
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
		if (fmt == 0)			/* the percentile plot unset them: again for SVG */
			write_time_markers(f, consumers_at, measure_from, measure_to, stopped_at);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s' && timeout 60 gnuplot plot.gp 2>gnuplot.log", dir);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "strata_bench: warning: gnuplot failed (see %s/gnuplot.log); data files are complete\n", dir);
}

/* ----------------------------------------------------------------
 * The run's figures and reports
 * ---------------------------------------------------------------- */

static const char *
rate_mode_name(void)
{
	return W.rate_mode == RATE_FIXED ? "fixed" : W.rate_mode == RATE_MAX ? "max (adaptive)" : "unlimited";
}

/* The run's figures, from the samples taken at the window's ends. */
void
compute_figures(Run *r, Figures *f)
{
	time_t		now = time(NULL);
	struct tm	tm;

	f->win = r->measure_to - r->measure_from;
	f->total_s = (double) (r->t_end_ns - t0_ns) / 1e9;
	f->w_acked = r->at_measure_end.acked - r->at_measure_start.acked;
	f->w_acked_b = r->at_measure_end.acked_bytes - r->at_measure_start.acked_bytes;
	f->w_sent = r->at_measure_end.sent - r->at_measure_start.sent;
	f->w_cons = r->at_measure_end.consumed - r->at_measure_start.consumed;
	f->w_cons_b = r->at_measure_end.consumed_bytes - r->at_measure_start.consumed_bytes;
	f->w_gib = (f->w_acked_b + f->w_cons_b) / 1073741824.0;
	f->run_gib = (r->cur.acked_bytes + r->cur.consumed_bytes) / 1073741824.0;
	f->b_cpu_win = r->broker_pid ? r->bs_m1.cpu_s - r->bs_m0.cpu_s : 0;
	f->b_cpu_run = r->broker_pid ? r->bs_last.cpu_s - r->bs0.cpu_s : 0;
	f->drv_cpu_win = r->self_m1 - r->self_m0;
	f->drv_cpu_run = self_cpu_s() - r->self0;
	f->mach_busy = r->mt_m1 > r->mt_m0 ? (double) (r->mb_m1 - r->mb_m0) / (double) (r->mt_m1 - r->mt_m0) : 0;
	f->lost = r->cur.acked > r->cur.consumed ? r->cur.acked - r->cur.consumed : 0;
	memset(f->host, 0, sizeof(f->host));
	f->errors = r->cur.errors;
	if (f->win <= 0)
		f->win = 1e-9;
	gethostname(f->host, sizeof(f->host) - 1);
	gmtime_r(&now, &tm);
	strftime(f->when, sizeof(f->when), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* summary.txt, and the same text on stdout. */
void
write_summary(Run *r, const Figures *fg)
{
	char		path[PATH_MAX];
	FILE	   *sf;

	snprintf(path, sizeof(path), "%s", out_path(r->outdir, "summary.txt"));
	if (!(sf = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	for (int pass = 0; pass < 2; pass++)
	{
		FILE	   *f = pass == 0 ? sf : stdout;

		fprintf(f, "== strata_bench: %s%s%s%s (%s) ==\n", W.name, *r->label ? " [" : "", r->label, *r->label ? "]" : "", fg->when);
		fprintf(f, "target: %s%s; broker pid %d; %ld CPUs\n", r->mock_brokers ? "librdkafka mock cluster " : "",
				bootstrap, (int) r->broker_pid, sysconf(_SC_NPROCESSORS_ONLN));
		fprintf(f, "workload: %d topic(s) x %d partitions, %" PRIu64 " B messages, %d producer(s) + %d consumer(s) per topic, "
				"rate %s, acks=%s linger.ms=%s batch.size=%s compression=%s, warmup %.0f s, duration %.0f s%s\n",
				W.topics, W.partitions, W.message_size, W.producers_per_topic, W.consumers_per_topic,
				rate_mode_name(), W.acks, W.linger_ms, W.batch_size, W.compression,
				W.warmup, W.duration, r->backlog_mode ? ", with backlog" : "");
		if (W.rate_mode == RATE_FIXED)
			fprintf(f, "target rate: %.0f msg/s (%.2f MiB/s)\n", W.produce_rate,
					W.produce_rate * W.message_size / 1048576.0);
		else if (W.rate_mode == RATE_MAX)
			fprintf(f, "target rate: max sustainable (adaptive from %.0f msg/s; offered %.0f msg/s at the end)\n",
					W.max_rate_start, (double) atomic_load(&target_rate_milli) / 1000.0);
		if (r->aborted || interrupted)
			fprintf(f, "RUN INCOMPLETE: %s\n", r->aborted ? r->abort_reason : "interrupted");
		fprintf(f, "measurement window: %.1f s .. %.1f s (%.2f s)\n", r->measure_from, r->measure_to, fg->win);
		fprintf(f, "publish:  %10.0f msg/s  %8.2f MiB/s   (sent %.0f msg/s; rate shortfall %" PRIu64 " msgs, longest producer stall %.1f ms, queue-full %" PRIu64 ")\n",
				fg->w_acked / fg->win, fg->w_acked_b / fg->win / 1048576.0, fg->w_sent / fg->win, r->cur.shortfall,
				r->cur.max_stall_us / 1000.0, r->cur.queue_full);
		fprintf(f, "consume:  %10.0f msg/s  %8.2f MiB/s\n", fg->w_cons / fg->win, fg->w_cons_b / fg->win / 1048576.0);
		fprintf(f, "latency (measurement window):\n");
		text_hist(f, "publish", &r->pub_measure);
		text_hist(f, "end-to-end", &r->e2e_measure);
		if (r->backlog_mode)
		{
			fprintf(f, "backlog: %" PRIu64 " msgs (%.1f MiB) built in %.2f s; ", r->at_consumers.acked,
					r->at_consumers.acked_bytes / 1048576.0, r->backlog_reached_at);
			if (r->drained_at >= 0)
				fprintf(f, "drained in %.2f s%s\n", r->drained_at - r->consumers_at,
						r->drained_at > r->producers_stopped_at ?
						" (only after the producers stopped: the consumers did not catch up while they ran)" : "");
			else
				fprintf(f, "NOT drained by the end of the run\n");
			text_hist(f, "publish, produce-only", &r->pub_backlog);
			text_hist(f, "publish, while catching up", &r->pub_drain);
			text_hist(f, "end-to-end, catching up", &r->e2e_drain);
		}
		fprintf(f, "errors: %" PRIu64 " (producer/consumer)", fg->errors);
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
				r->cur.acked, r->cur.consumed, nconsumers ? fg->lost : 0);
		if (nconsumers)
			fprintf(f, "order check: %" PRIu64 " messages missing (sequence gaps), %" PRIu64 " duplicated or out of order%s\n",
					r->cur.seq_gaps, r->cur.seq_dups, strcmp(W.partitioning, "sticky") == 0 ? " (not checked: sticky partitioning)" : "");
		fprintf(f, "client log: %d warnings or errors from librdkafka (%s)\n", atomic_load(&client_warnings),
				out_path(r->outdir, "client.log"));
		if (r->broker_pid)
		{
			fprintf(f, "broker: %.2f CPU-s in the window (%.2f cores), %.2f CPU-s over the run; peak RSS %.1f MiB, peak PSS %.1f MiB (%d procs)\n",
					fg->b_cpu_win, fg->b_cpu_win / fg->win, fg->b_cpu_run, r->peak_rss, r->peak_pss, r->bs_last.nprocs);
			if (fg->w_gib > 0)
				fprintf(f, "broker cost: %.3f core-s per GiB produced+consumed (window), %.3f per GiB produced\n",
						fg->b_cpu_win / fg->w_gib, fg->w_acked_b > 0 ? fg->b_cpu_win / (fg->w_acked_b / 1073741824.0) : 0);
		}
		fprintf(f, "driver: %.2f CPU-s in the window (%.2f cores); machine busy %.0f%% of %ld CPUs\n",
				fg->drv_cpu_win, fg->drv_cpu_win / fg->win, fg->mach_busy * 100, sysconf(_SC_NPROCESSORS_ONLN));
		fprintf(f, "output: %s/{summary.txt,result.json,timeseries.csv,timeseries.json,*.png,*.svg}\n", r->outdir);
	}
	fclose(sf);
}

/* result.json: the figures for scripts (bench/compare.py, the figures' tables). */
void
write_result_json(Run *r, const Figures *fg)
{
	char		path[PATH_MAX];
	FILE	   *jf;

	snprintf(path, sizeof(path), "%s", out_path(r->outdir, "result.json"));
	if (!(jf = fopen(path, "w")))
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(jf, "{\n  \"workload\": ");
	json_str(jf, W.name);
	fprintf(jf, ",\n  \"label\": ");
	json_str(jf, r->label);
	fprintf(jf, ",\n  \"time\": \"%s\",\n  \"host\": ", fg->when);
	json_str(jf, fg->host);
	fprintf(jf, ",\n  \"cpus\": %ld,\n  \"target\": ", sysconf(_SC_NPROCESSORS_ONLN));
	json_str(jf, r->mock_brokers ? "mock" : "bootstrap");
	fprintf(jf, ",\n  \"bootstrap\": ");
	json_str(jf, bootstrap);
	fprintf(jf, ",\n  \"complete\": %s,\n  \"abort_reason\": ", (r->aborted || interrupted) ? "false" : "true");
	json_str(jf, r->aborted ? r->abort_reason : interrupted ? "interrupted" : "");
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
	fprintf(jf, "  \"window\": {\"from_s\": %.3f, \"to_s\": %.3f},\n", r->measure_from, r->measure_to);
	fprintf(jf, "  \"publish\": {\"msgs_per_s\": %.1f, \"mib_per_s\": %.3f, \"sent_msgs_per_s\": %.1f, "
			"\"rate_shortfall_msgs\": %" PRIu64 ", \"max_producer_stall_ms\": %.3f, \"queue_full\": %" PRIu64 "},\n",
			fg->w_acked / fg->win, fg->w_acked_b / fg->win / 1048576.0, fg->w_sent / fg->win, r->cur.shortfall,
			r->cur.max_stall_us / 1000.0, r->cur.queue_full);
	fprintf(jf, "  \"consume\": {\"msgs_per_s\": %.1f, \"mib_per_s\": %.3f},\n", fg->w_cons / fg->win, fg->w_cons_b / fg->win / 1048576.0);
	fprintf(jf, "  \"latency\": {\n");
	json_hist(jf, "publish", &r->pub_measure, false);
	json_hist(jf, "end_to_end", &r->e2e_measure, false);
	json_hist(jf, "publish_produce_only", &r->pub_backlog, false);
	json_hist(jf, "publish_while_catching_up", &r->pub_drain, false);
	json_hist(jf, "end_to_end_catching_up", &r->e2e_drain, true);
	fprintf(jf, "  },\n");
	fprintf(jf, "  \"backlog\": {\"msgs\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"built_s\": %.3f, \"consumers_start_s\": %.3f, \"drain_s\": ",
			r->at_consumers.acked, r->at_consumers.acked_bytes, r->backlog_reached_at, r->consumers_at);
	if (r->backlog_mode && r->drained_at >= 0)
		fprintf(jf, "%.3f, \"drained_while_producing\": %s",
				r->drained_at - r->consumers_at, r->drained_at <= r->producers_stopped_at ? "true" : "false");
	else
		fprintf(jf, "null, \"drained_while_producing\": false");
	/* the end of publish_while_catching_up (seconds from the start) */
	fprintf(jf, ", \"catching_up_until_s\": %.3f},\n",
			r->drained_at >= 0 && r->drained_at <= r->producers_stopped_at ? r->drained_at : r->producers_stopped_at);
	/* the start (t_s = 0) on the wall clock, to line up with other records */
	fprintf(jf, "  \"start_unix_s\": %.3f,\n", t0_unix_s);
	fprintf(jf, "  \"errors\": %" PRIu64 ",\n", fg->errors);
	fprintf(jf, "  \"sequence_gaps\": %" PRIu64 ",\n  \"sequence_duplicates\": %" PRIu64 ",\n  \"client_warnings\": %d,\n",
			r->cur.seq_gaps, r->cur.seq_dups, atomic_load(&client_warnings));
	fprintf(jf, "  \"totals\": {\"acked\": %" PRIu64 ", \"consumed\": %" PRIu64 ", \"unconsumed_at_end\": %" PRIu64
			", \"duration_s\": %.3f, \"gib_moved\": %.4f},\n",
			r->cur.acked, r->cur.consumed, nconsumers ? fg->lost : 0, fg->total_s, fg->run_gib);
	fprintf(jf, "  \"broker\": {\"pid\": %d, \"cpu_s_window\": %.3f, \"cores_window\": %.3f, \"cpu_s_run\": %.3f, "
			"\"peak_rss_mib\": %.1f, \"peak_pss_mib\": %.1f, \"core_s_per_gib_in_out\": %.4f, \"core_s_per_gib_produced\": %.4f},\n",
			(int) r->broker_pid, fg->b_cpu_win, fg->b_cpu_win / fg->win, fg->b_cpu_run, r->peak_rss, r->peak_pss,
			fg->w_gib > 0 ? fg->b_cpu_win / fg->w_gib : 0, fg->w_acked_b > 0 ? fg->b_cpu_win / (fg->w_acked_b / 1073741824.0) : 0);
	fprintf(jf, "  \"driver\": {\"cpu_s_window\": %.3f, \"cores_window\": %.3f, \"cpu_s_run\": %.3f},\n",
			fg->drv_cpu_win, fg->drv_cpu_win / fg->win, fg->drv_cpu_run);
	fprintf(jf, "  \"machine_busy_fraction\": %.3f,\n", fg->mach_busy);
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
