/*-------------------------------------------------------------------------
 *
 * bench_clients.c
 *	  strata_bench's clients: producer threads (rate-limited, stamping each
 *	  message with its send time and a per-partition sequence number) and
 *	  consumer threads (end-to-end latency, order check), on librdkafka;
 *	  and the topics' creation with the admin API.
 *
 * bench/bench_clients.c
 *
 *-------------------------------------------------------------------------
 */
#include "strata_bench.h"

void
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

Producer *producers;
int	nproducers;
Consumer *consumers;
int	nconsumers;
unsigned char *payload_template;

/* ----------------------------------------------------------------
 * librdkafka configuration
 * ---------------------------------------------------------------- */

void
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

char *bootstrap;
FILE *client_log;
atomic_int client_warnings;

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

void
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

void *
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

void
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

void *
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
void
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
 * Topics
 * ---------------------------------------------------------------- */

/*
 * Against a real broker: CreateTopics through the Admin API (an existing
 * topic is fine), then wait until Metadata shows every topic with the
 * expected partition count.  A broker that does not implement CreateTopics
 * falls back to auto-creation, and the partition check tells the truth.
 */
void
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
