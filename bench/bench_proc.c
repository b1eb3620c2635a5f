/*-------------------------------------------------------------------------
 *
 * bench_proc.c
 *	  strata_bench's view of processes: the broker's process tree in /proc
 *	  (CPU and memory, once a second), the machine's CPU, the librdkafka
 *	  mock cluster run in a process of its own, and the workload's timed
 *	  events (shell commands).
 *
 * bench/bench_proc.c
 *
 *-------------------------------------------------------------------------
 */
#include "strata_bench.h"

/* ----------------------------------------------------------------
 * Broker process-tree sampling (/proc)
 * ---------------------------------------------------------------- */

long clk_tck;
long page_size;

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

ProcSample
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
bool
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

double
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
int
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

pid_t mock_pid;
static int	mock_stdin = -1;

void
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

void
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
 * Events
 * ---------------------------------------------------------------- */

FILE *event_log;

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

void
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
