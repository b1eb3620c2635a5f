/*-------------------------------------------------------------------------
 *
 * wal_bench.c
 *	  WAL benchmark: N appender processes append 1 KiB record batches and
 *	  wait for each to be durable (acks=all), through the real WAL writer;
 *	  prints throughput and acknowledgement latency percentiles.  A trimmer
 *	  process trims behind the flushed position as the uploader would, so
 *	  the WAL never fills.  Run by bench/wal_bench.sh, which adds the fio
 *	  comparison.
 *
 *	  wal_bench DIR SECONDS APPENDERS [RECORD_BYTES [INFLIGHT]]
 *
 *	  INFLIGHT 1 (the default): each appender appends one record and waits
 *	  for it (WalWaitFlushed), like a producer with one request in flight.
 *	  INFLIGHT k > 1: each appender keeps k appends outstanding, like a
 *	  Kafka connection with k produce requests in flight, and waits the way
 *	  the Kafka backend does (kafka/backend.c): acknowledge what is flushed,
 *	  append again, and when nothing is acknowledged write the WAL itself if
 *	  nobody is writing (WalTryFlush), else sleep until the oldest is
 *	  flushed (WalRequestFlushWakeup).  Latency is from append to the
 *	  acknowledgement being seen.
 *
 *	  Every process first touches each page of shared memory (unless
 *	  WAL_BENCH_PREFAULT=0), so that the run measures a server whose
 *	  processes have been up for a while: on the development VM (PVM, shadow
 *	  paging) the first access of a process to a shared page costs about
 *	  20 us, after which it is free.  Without this, a short run with a large
 *	  ring never laps, every append lands on pages new to its process, and
 *	  that cost dominates.  Hence also the default log_cache_size of 32MB
 *	  (the touching takes ~160 ms per process at that size).
 *
 *	  Besides throughput and latency it prints the device writes made in
 *	  the run: their number, mean size, how many appenders wrote themselves
 *	  (sync_writes), and the mean number in flight (write_depth, by Little's
 *	  law: the summed time from submission to completion over the elapsed
 *	  time), so that fio can be run with the same pattern.
 *
 * bench/wal_bench.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "postmaster/interrupt.h"
#include "postmaster/ipci.h"
#include "postmaster/pmsignal.h"
#include "postmaster/walwriter.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/sanitizer.h"

/*
 * This process plays the postmaster: the WAL writer signals it (SIGUSR1,
 * postmaster/pmsignal.h) when recovery is done.
 */
static void
as_postmaster(void)
{
	signal(SIGUSR1, SIG_IGN);
	PostmasterPid = getpid();
}

#define MAX_SAMPLES (1 << 20)

typedef struct Shared
{
	volatile int stop;
	int			ready;			/* appenders at the start barrier */
	uint64		count[128];
	uint32		lat_us[][MAX_SAMPLES];
} Shared;

static Shared *sh;
static int	start_pipe[2];
static int	seconds;
static uint32 record_bytes = 1024;
static int	inflight = 1;

#define MAX_INFLIGHT 64

static uint64
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64) ts.tv_sec * 1000000000 + (uint64) ts.tv_nsec;
}

/*
 * Touch every page of the WAL ring and the log cache index for writing
 * without changing it (an atomic add of 0 is safe against concurrent
 * writers and DMA).
 */
static void
prefault_range(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		(void) __atomic_fetch_add(p + off, 0, __ATOMIC_RELAXED);
}

static void
prefault_shmem(void)
{
	const char *e = getenv("WAL_BENCH_PREFAULT");

	if (e != NULL && strcmp(e, "0") == 0)
		return;
	prefault_range(WalShmem->ring, (size_t) WalShmem->ring_size);
	prefault_range((char *) WalShmem->entries, LogCacheEntriesSize());
}

static pid_t
start_child(ProcKind kind, void (*fn) (int), int arg)
{
	int			slot = ProcSlotAssign(kind);
	pid_t		pid = fork();

	if (pid == 0)
	{
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(start_pipe[1]);
		ProcSlotActivate(slot);
		InitLatchSupport();
		SetupChildSignalHandlers();
		prefault_shmem();
		fn(arg);
		proc_exit(0);
	}
	return pid;
}

static void
writer_main(int arg)
{
	WalWriterMain();
}

static void
appender_main(int id)
{
	char	   *body = palloc(record_bytes);
	int64		off = 0;
	uint64		n = 0;

	memset(body, 'a' + id % 26, record_bytes);
	WalWaitReady();
	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
	{
		char		c;

		/* start barrier: the parent closes the pipe's write end */
		(void) read(start_pipe[0], &c, 1);
	}
	while (!sh->stop && inflight == 1)
	{
		uint64		t0 = now_ns();
		WalLsn		end = WalAppend((uint64) id, 1, off, 1, 0, body, record_bytes);

		WalWaitFlushed(end);
		if (n < MAX_SAMPLES)
			sh->lat_us[id][n] = (uint32) ((now_ns() - t0) / 1000);
		n++;
		off++;
	}
	if (inflight > 1)
	{
		WalLsn		lsn[MAX_INFLIGHT];
		uint64		start[MAX_INFLIGHT];
		int			head = 0,
					count = 0;

		while (!sh->stop)
		{
			WalLsn		flushed;
			bool		acked = false;

			while (count < inflight)
			{
				int			k = (head + count) % inflight;

				start[k] = now_ns();
				lsn[k] = WalAppend((uint64) id, 1, off, 1, 0, body, record_bytes);
				off++;
				count++;
			}
			flushed = WalFlushedLsn();
			while (count > 0 && lsn[head] <= flushed)
			{
				if (n < MAX_SAMPLES)
					sh->lat_us[id][n] = (uint32) ((now_ns() - start[head]) / 1000);
				n++;
				head = (head + 1) % inflight;
				count--;
				acked = true;
			}
			if (acked)
				continue;
			/* Nothing acknowledged: as the Kafka backend with an empty socket. */
			if (WalTryFlush(lsn[(head + count - 1) % inflight]))
				continue;
			ResetLatch(MyLatch);
			WalRequestFlushWakeup(lsn[head]);
			if (WalFlushedLsn() >= lsn[head])
				continue;
			WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1);
		}
		WalCancelFlushWakeup();
	}
	sh->count[id] = n;
}

/*
 * Trim everything flushed, as the uploader would once it is uploaded: the
 * real one uploads every upload_threshold (64 MB) of new data or every
 * upload_interval (30 s); this one once a quarter of the ring is untrimmed
 * or every second, so that the WAL never fills.  (Trimming much more often
 * than the uploader would adds a header write every time, competing with
 * the appends' writes for the device, and is not what the server does.)
 */
#define TRIM_BYTES		(WalShmem->capacity / 4)

static void
trimmer_main(int arg)
{
	WalLsn		pos;
	uint64		last = now_ns();

	WalWaitReady();
	pos = WalTrimLsn();
	while (!sh->stop)
	{
		LogCacheRecord rec;
		struct timespec ts = {0, 10 * 1000 * 1000};
		WalLsn		before = pos;

		nanosleep(&ts, NULL);
		if (WalFlushedLsn() - pos < TRIM_BYTES && now_ns() - last < 1000000000)
			continue;
		while (LogCacheNextRecord(&pos, &rec))
			;
		if (pos > before)
			WalTrim(pos);
		last = now_ns();
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a,
				y = *(const uint32 *) b;

	return x < y ? -1 : x > y;
}

/* The WAL settings of the run (environment overrides) and its device. */
static void
configure_wal(const char *dir)
{
	char		err[512];
	char		path[1024];

	GucInitDefaults();
	DataDir = pstrdup(dir);
	snprintf(path, sizeof(path), "%s/bench.wal", dir);
	if (!GucSet("wal_device", path, GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_cache_size", getenv("LOG_CACHE_SIZE") ? getenv("LOG_CACHE_SIZE") : "32MB", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_connections", "130", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_min_messages", "warning", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		(getenv("WAL_IO_DEPTH") && !GucSet("wal_io_depth", getenv("WAL_IO_DEPTH"), GUC_SRC_CMDLINE, err, sizeof(err))) ||
		(getenv("WAL_SYNC_METHOD") && !GucSet("wal_sync_method", getenv("WAL_SYNC_METHOD"), GUC_SRC_CMDLINE, err, sizeof(err))) ||
		(getenv("WAL_APPENDER_FLUSH") && !GucSet("wal_appender_flush", getenv("WAL_APPENDER_FLUSH"), GUC_SRC_CMDLINE, err, sizeof(err))))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	if (access(path, F_OK) != 0 &&
		!WalDeviceCreate(path, (uint64) (getenv("WAL_SIZE_MB") ? atoll(getenv("WAL_SIZE_MB")) : 512) << 20,
						 0, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

/* One line of figures: throughput, acknowledgement latency, the writes. */
static void
report(int nappenders, double secs, const WalStats *st0, const WalStats *st1, uint64 elapsed_ns)
{
	uint64		total = 0;
	uint32	   *all;
	size_t		nall = 0;
	uint64		writes = st1->writes - st0->writes;

	for (int i = 0; i < nappenders; i++)
		total += sh->count[i];
	all = malloc(sizeof(uint32) * (size_t) Min(total, (uint64) MAX_SAMPLES * (uint64) nappenders) + 4);
	for (int i = 0; i < nappenders; i++)
	{
		uint64		n = Min(sh->count[i], (uint64) MAX_SAMPLES);

		memcpy(all + nall, sh->lat_us[i], n * sizeof(uint32));
		nall += n;
	}
	qsort(all, nall, sizeof(uint32), cmp_u32);
	printf("appenders=%d inflight=%d records=%llu MiB/s=%.1f ack_p50_us=%u ack_p99_us=%u ack_p999_us=%u writes=%llu avg_write_bytes=%llu sync_writes=%llu write_depth=%.2f write_MiB/s=%.1f\n",
		   nappenders, inflight, (unsigned long long) total,
		   (double) total * record_bytes / secs / (1024.0 * 1024.0),
		   nall ? all[nall / 2] : 0, nall ? all[(size_t) (nall * 0.99)] : 0,
		   nall ? all[(size_t) (nall * 0.999)] : 0,
		   (unsigned long long) writes,
		   (unsigned long long) (writes ? (st1->write_bytes - st0->write_bytes) / writes : 0),
		   (unsigned long long) (st1->sync_writes - st0->sync_writes),
		   (double) (st1->write_ns - st0->write_ns) / (double) elapsed_ns,
		   (double) (st1->write_bytes - st0->write_bytes) / secs / (1024.0 * 1024.0));
	free(all);
}

int
main(int argc, char **argv)
{
	int			nappenders;
	pid_t		writer;
	pid_t		pids[128];
	uint64		t0,
				t1;
	WalStats	st0,
				st1;

	if (argc < 4)
	{
		fprintf(stderr, "usage: %s DIR SECONDS APPENDERS [RECORD_BYTES [INFLIGHT]]\n", argv[0]);
		return 2;
	}
	as_postmaster();
	seconds = atoi(argv[2]);
	nappenders = atoi(argv[3]);
	if (argc > 4)
		record_bytes = (uint32) atoi(argv[4]);
	if (argc > 5)
		inflight = atoi(argv[5]);
	if (nappenders < 1 || nappenders > 120)
	{
		fprintf(stderr, "APPENDERS must be 1..120\n");
		return 2;
	}
	if (inflight < 1 || inflight > MAX_INFLIGHT)
	{
		fprintf(stderr, "INFLIGHT must be 1..%d\n", MAX_INFLIGHT);
		return 2;
	}
	if (record_bytes < 1 || record_bytes > 1024 * 1024)
	{
		fprintf(stderr, "RECORD_BYTES must be 1..1048576\n");
		return 2;
	}
	configure_wal(argv[1]);
	sh = mmap(NULL, sizeof(Shared) + sizeof(uint32) * MAX_SAMPLES * (size_t) nappenders,
			  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	if (pipe(start_pipe) < 0)
		return 1;
	CreateSharedMemoryAndSemaphores();
	writer = start_child(PROC_WALWRITER, writer_main, 0);
	start_child(PROC_UPLOADER, trimmer_main, 0);
	for (int i = 0; i < nappenders; i++)
		pids[i] = start_child(PROC_BACKEND, appender_main, i);
	{
		int			slot = ProcSlotAssign(PROC_CATALOG);

		ProcSlotActivate(slot);
		InitLatchSupport();
		WalWaitReady();
	}
	/* every appender has touched shared memory and waits at the barrier */
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < nappenders)
	{
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	WalGetStats(&st0);
	t0 = now_ns();
	close(start_pipe[1]);
	/* for profiling the measured part only (perf record -a after this line) */
	fprintf(stderr, "wal_bench: measuring for %d s\n", seconds);
	sleep((unsigned) seconds);
	sh->stop = 1;
	for (int i = 0; i < nappenders; i++)
		waitpid(pids[i], NULL, 0);
	t1 = now_ns();
	WalGetStats(&st1);
	report(nappenders, (double) (t1 - t0) / 1e9, &st0, &st1, t1 - t0);

	kill(writer, SIGTERM);
	waitpid(writer, NULL, 0);
	fflush(stdout);
	/* the trimmer sees stop and exits */
	while (wait(NULL) > 0)
		;
	return 0;
}
