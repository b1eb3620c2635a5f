/*-------------------------------------------------------------------------
 *
 * wal_crash.c
 *	  Crash and back-pressure tests of the WAL, run as a small "postmaster"
 *	  of its own: it creates shared memory, forks a WAL writer (running the
 *	  real WalWriterMain) and appender processes set up the way the
 *	  postmaster sets up its children, and kill -9s them.
 *
 *	  wal_crash crash DIR [ROUNDS] [SEED]
 *		Each round: fresh shared memory (as after a crash restart), a WAL
 *		writer that recovers, appenders that append numbered batches to
 *		their own streams (continuing at the recovered end offset, as the
 *		produce path will) and log each acknowledged one (after
 *		WalWaitFlushed) to a file, and a mini uploader that trims now and
 *		then.  After a random delay the writer, or everything, is killed
 *		with SIGKILL.  Then the WAL is recovered in-process and checked:
 *		every acknowledged batch above the trim position is there at its
 *		LSN with its exact bytes, and each stream's batches are contiguous
 *		(nothing duplicated, reordered or resurrected).  Half the batches
 *		are appended with the CRC of their tail given (crc_tail_from), as
 *		the Produce handler appends.  The last round
 *		lets the appenders finish a few batches each, stops the trimmer and
 *		shuts the writer down cleanly (SIGTERM) instead.  A round that does
 *		not end within ROUND_TIMEOUT_S is a FAIL that prints the WAL's
 *		positions, not a hang.  The run fails too if the WAL writer never
 *		padded a write, the path that lets several writes be in flight;
 *		how many writes it overlapped is reported.
 *
 *	  wal_crash backpressure DIR
 *		A WAL of 1 MiB capacity and no trimming: appenders fill it and
 *		block (counted in backpressure_waits); then this process trims as
 *		an uploader would and they all finish.
 *
 *	  Prints "ok" lines and exits 0 on success; "FAIL" and exit 1 otherwise.
 *
 * src/test/modules/wal_crash/wal_crash.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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
#include "utils/crc32c.h"
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

/* ---- test state ---- */

#define NAPPENDERS	4
#define MAX_STREAMS 64
#define ROUND_TIMEOUT_S 60

static const char *dir;
static int	round_no;
static int64 stream_next[MAX_STREAMS];	/* per stream (index = id - 100) */
static int	fails = 0;
static uint64 padding_seen = 0;	/* padding bytes over all rounds */
static uint64 pipelined_seen = 0;	/* writes that overlapped another */
static int	rounds_pipelined = 0;	/* rounds killed with >= 2 writes in flight */

typedef struct Child
{
	pid_t		pid;
	int			slot;
} Child;

static Child children[16];
static int	nchildren;

static uint64
mix(uint64 x)
{
	x ^= x >> 31;
	x *= UINT64_C(0x7fb5d329728ea185);
	x ^= x >> 27;
	x *= UINT64_C(0x81dadef4bc2dd44d);
	x ^= x >> 33;
	return x;
}

/* The body of stream s's batch at base: its length and bytes follow from both. */
static uint32
body_len(uint64 s, int64 base, uint32 maxlen)
{
	return 1 + (uint32) (mix(s * 1000003 + (uint64) base) % maxlen);
}

static void
body_fill(uint64 s, int64 base, char *buf, uint32 len)
{
	uint64		h = mix(s * 7919 + (uint64) base + 17);

	for (uint32 k = 0; k < len; k++)
		buf[k] = (char) ((h >> ((k % 8) * 8)) ^ k);
}

static void
fail(const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	fails++;
}

static pid_t
start_child(ProcKind kind, const char *name, void (*fn) (int), int arg)
{
	int			slot = ProcSlotAssign(kind);
	pid_t		pid;

	if (slot < 0)
	{
		fprintf(stderr, "no free process slot\n");
		exit(1);
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
	{
		perror("fork");
		exit(1);
	}
	if (pid == 0)
	{
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		MyProcPid = getpid();
		MyProcKindName = name;
		ProcSlotActivate(slot);
		InitLatchSupport();
		SetupChildSignalHandlers();
		fn(arg);
		proc_exit(0);
	}
	children[nchildren].pid = pid;
	children[nchildren].slot = slot;
	nchildren++;
	return pid;
}

static void
writer_main(int arg)
{
	WalWriterMain();
}

static uint32 max_body = 3000;
static int	appender_records = 1000000;

/*
 * An appender owns streams 100+2*id and 101+2*id; it appends batches with
 * consecutive offsets, sometimes both streams in one reservation or in two
 * appends, waits for them to be flushed and logs them as acknowledged.
 * One burst in four it goes on appending for 16 to 48 rounds before it
 * waits, as a backend pipelining produce requests does, telling the WAL
 * writer after each append (WalKickWriter, as acks=0 does): then enough is
 * unwritten at once for the writer to keep several writes in flight.
 */
static void
appender_main(int id)
{
	char		path[512];
	int			ackfd;
	char	   *bufs[2];
	uint64		seed = mix((uint64) getpid() + (uint64) round_no * 131);

	snprintf(path, sizeof(path), "%s/ack.%d.%d", dir, round_no, id);
	ackfd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (ackfd < 0)
	{
		perror(path);
		exit(1);
	}
	int			burst_left = 0;
	WalLsn		burst_end = 0;
	char	   *acks = palloc(64 * 256);
	int			acks_len = 0;

	bufs[0] = palloc(max_body);
	bufs[1] = palloc(max_body);
	WalWaitReady();
	for (int k = 0; k < 2; k++)
	{
		uint64		s = 100 + 2 * (uint64) id + (uint64) k;
		int64		next,
					fnext;

		if (LogCacheStreamEnd(s, &next, &fnext) && next > stream_next[s - 100])
			stream_next[s - 100] = next;
	}
	for (int i = 0; i < appender_records; i++)
	{
		WalAppendItem items[2];
		int			n = 0;
		WalLsn		end;

		seed = mix(seed + 1);
		if (burst_left == 0)
			burst_left = (seed >> 40) % 4 == 0 ? 16 + (int) ((seed >> 44) % 33) : 1;
		for (int k = 0; k < 2; k++)
		{
			uint64		s = 100 + 2 * (uint64) id + (uint64) k;

			/* both streams in one reservation one time in four */
			if (k == 1 && (seed & 3) != 0)
				break;
			if (k == 0 && (seed & 3) != 0 && (seed & 8))
				continue;
			memset(&items[n], 0, sizeof(items[n]));
			items[n].stream_id = s;
			items[n].stream_epoch = (uint64) round_no;
			items[n].base_offset = stream_next[s - 100];
			items[n].record_count = 1 + (uint32) ((seed >> 8) % 5);
			items[n].max_timestamp = (int64) i;
			items[n].len = body_len(s, items[n].base_offset, max_body);
			body_fill(s, items[n].base_offset, bufs[n], items[n].len);
			items[n].data = bufs[n];

			/*
			 * Half the records come with the CRC of their body past some
			 * point already known, as the Produce handler's do: recovery
			 * then checks a record CRC the WAL formed by combining.
			 */
			if ((seed >> 20) & 1)
			{
				items[n].crc_tail_from = (uint32) ((seed >> 24) % (items[n].len + 1));
				items[n].crc_tail = crc32c(0, bufs[n] + items[n].crc_tail_from,
										   items[n].len - items[n].crc_tail_from);
			}
			stream_next[s - 100] += items[n].record_count;
			n++;
		}
		if (n == 0)
		{
			burst_left--;
			continue;
		}

		/*
		 * Two streams go in one reservation, or, half the time, in two
		 * appends before one wait, as a backend pipelining produce requests
		 * does: the first append may leave the WAL writer untold (its
		 * kick is owed, wal.c) when the second must wait for space.
		 */
		if (n == 2 && (seed & 16))
		{
			(void) WalAppendMulti(&items[0], 1);
			end = WalAppendMulti(&items[1], 1);
		}
		else
			end = WalAppendMulti(items, n);
		burst_end = Max(burst_end, end);
		for (int k = 0; k < n; k++)
			acks_len += snprintf(acks + acks_len, 64 * 256 - (size_t) acks_len, "%llu %lld %u %llu\n",
								 (unsigned long long) items[k].stream_id,
								 (long long) items[k].base_offset, items[k].record_count,
								 (unsigned long long) items[k].lsn);
		if (--burst_left > 0 && i + 1 < appender_records)
		{
			WalKickWriter();
			continue;
		}
		/* Acknowledged once durable: the whole burst at once. */
		WalWaitFlushed(burst_end);
		if (write(ackfd, acks, (size_t) acks_len) != acks_len)
			exit(1);
		acks_len = 0;
		burst_left = 0;
	}
	close(ackfd);
}

/*
 * A mini uploader: walks the records (zero-copy, as the real one will),
 * notes each stream's next offset in a file ("uploaded"), then trims.
 * Until SIGTERM (or SIGKILL).  With arg 1 it trims only while the WAL is
 * more than half full, so that most of what is appended stays to be
 * checked.
 */
static void
trimmer_main(int arg)
{
	char		path[512];
	FILE	   *f;
	WalLsn		pos;
	uint64		seed = mix((uint64) getpid());

	snprintf(path, sizeof(path), "%s/trim.log", dir);
	f = fopen(path, "a");
	WalWaitReady();
	pos = WalTrimLsn();
	while (!ShutdownRequestPending)
	{
		LogCacheRecord rec;
		struct timespec ts = {0, 20 * 1000 * 1000};
		int			n = 0;

		nanosleep(&ts, NULL);
		seed = mix(seed);
		if (seed % 3 != 0)
			continue;			/* leave data in the WAL for recovery */
		if (arg == 1 && WalInsertLsn() - WalTrimLsn() < WalCapacity() / 2)
			continue;
		while (LogCacheNextRecord(&pos, &rec))
		{
			fprintf(f, "%llu %lld\n", (unsigned long long) rec.stream_id,
					(long long) (rec.base_offset + rec.record_count));
			n++;
		}
		if (n > 0)
		{
			fflush(f);
			WalTrim(pos);
		}
	}
	fclose(f);
}

static void
settings(const char *wal_size_s, const char *cache)
{
	char		err[512];
	char		path[512];

	GucInitDefaults();
	DataDir = (char *) dir;
	snprintf(path, sizeof(path), "%s/wal.dev", dir);
	if (!GucSet("wal_device", path, GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("wal_size", wal_size_s, GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_cache_size", cache, GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_connections", "8", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("wal_io_depth", "4", GUC_SRC_CMDLINE, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	if (getenv("WAL_SYNC_METHOD"))
		GucSet("wal_sync_method", getenv("WAL_SYNC_METHOD"), GUC_SRC_CMDLINE, err, sizeof(err));
}

static void
create_device(void)
{
	char		err[512];
	char	   *path = WalDevicePath();

	if (!WalDeviceCreate(path, (uint64) wal_size, (uint64) broker_id, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

static void
fresh_shmem(void)
{
	if (ShmemBase != NULL)
	{
		WalShmem = NULL;
		MyLatch = NULL;
		MyProc = NULL;
		MyProcSlot = -1;
		ShmemDestroy();
	}
	CreateSharedMemoryAndSemaphores();
}

static void
kill_all(int sig)
{
	for (int i = 0; i < nchildren; i++)
		kill(children[i].pid, sig);
}

/*
 * The WAL's positions, for a round that did not end: where appends, writes
 * and trims stand tells a full WAL from a lost wake-up.
 */
static void
print_positions(const char *when)
{
	WalStats	st;

	WalGetStats(&st);
	printf("# %s: reserved %llu, write_pos %llu, flushed %llu, trim requested %llu, durable %llu, limit %llu + capacity %llu; aio in flight %u; %llu back-pressure waits\n",
		   when, (unsigned long long) WalInsertLsn(),
		   (unsigned long long) __atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST),
		   (unsigned long long) WalFlushedLsn(), (unsigned long long) WalTrimLsn(),
		   (unsigned long long) __atomic_load_n(&WalShmem->durable_trim, __ATOMIC_SEQ_CST),
		   (unsigned long long) WalShmem->limit_base, (unsigned long long) WalShmem->capacity,
		   __atomic_load_n(&WalShmem->aio_inflight, __ATOMIC_SEQ_CST),
		   (unsigned long long) st.backpressure_waits);
	fflush(stdout);
}

/*
 * Wait for child i to exit, at most until deadline (CLOCK_MONOTONIC
 * seconds).  Returns false on timeout.  Polls: the test process has no
 * latch to be woken on, and a child exiting is all it waits for.
 */
static bool
wait_child(int i, int *status, time_t deadline)
{
	struct timespec now;
	struct timespec ts = {0, 5 * 1000000};

	for (;;)
	{
		pid_t		r = waitpid(children[i].pid, status, WNOHANG);

		if (r == children[i].pid)
			return true;
		if (r < 0)
		{
			perror("waitpid");
			exit(1);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline)
			return false;
		nanosleep(&ts, NULL);
	}
}

/* After a round: what the writer did that the recovery check cannot see. */
static void
note_round_stats(void)
{
	WalStats	st;

	WalGetStats(&st);
	padding_seen += st.padding_bytes;
	pipelined_seen += st.pipelined_writes;
	if (__atomic_load_n(&WalShmem->aio_inflight, __ATOMIC_SEQ_CST) >= 2)
		rounds_pipelined++;
}

static void
reap_all(void)
{
	for (int i = 0; i < nchildren; i++)
	{
		int			status;

		waitpid(children[i].pid, &status, 0);
	}
	nchildren = 0;
}

/* ---- the check after a crash ---- */

typedef struct Acked
{
	uint64		lsn;
	uint64		stream;
	int64		base;
	uint32		count;
} Acked;

static Acked *acked;
static size_t nacked,
			acked_cap;

/*
 * The next whole line of f into buf (with its newline); false at the end.
 * A line without a newline is the torn end of a write a SIGKILL cut short
 * (a write into a file can stop at a page boundary when the writer is
 * killed), and a line longer than buf is not one of ours: both are
 * skipped.  The next write starts where the torn one stopped, so a torn
 * line can also be glued to the front of the next one; the callers
 * recognise that by its field count.
 */
static bool
next_line(FILE *f, char *buf, size_t len)
{
	while (fgets(buf, (int) len, f) != NULL)
	{
		size_t		n = strlen(buf);

		if (n > 0 && buf[n - 1] == '\n')
			return true;
		/* no newline: skip the rest of it, if any */
		while (n == len - 1 && fgets(buf, (int) len, f) != NULL)
		{
			n = strlen(buf);
			if (n > 0 && buf[n - 1] == '\n')
				break;
		}
	}
	return false;
}

static void
load_acks(int round)
{
	for (int id = 0; id < NAPPENDERS; id++)
	{
		char		path[512];
		FILE	   *f;
		unsigned long long s,
					lsn;
		long long	base;
		unsigned	count;
		char		line[256];
		int			used;

		snprintf(path, sizeof(path), "%s/ack.%d.%d", dir, round, id);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (next_line(f, line, sizeof(line)))
		{
			/* exactly four fields, or it is a torn line (see next_line) */
			if (sscanf(line, "%llu %lld %u %llu%n", &s, &base, &count, &lsn, &used) != 4 ||
				line[used] != '\n')
				continue;
			if (nacked == acked_cap)
			{
				acked_cap = acked_cap ? acked_cap * 2 : 4096;
				acked = repalloc(acked, acked_cap * sizeof(Acked));
			}
			acked[nacked].lsn = lsn;
			acked[nacked].stream = s;
			acked[nacked].base = base;
			acked[nacked].count = count;
			nacked++;
		}
		fclose(f);
	}
}

static void
load_trim_log(void)
{
	char		path[512];
	FILE	   *f;
	unsigned long long s;
	long long	next;
	char		line[256];
	int			used;

	snprintf(path, sizeof(path), "%s/trim.log", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (next_line(f, line, sizeof(line)))
	{
		/*
		 * Exactly two fields: a trimmer killed in the middle of its write
		 * leaves a torn line, which the next trimmer's first line is glued
		 * to ("100 19" + "100 1400").  Read as numbers, that once made a
		 * stream jump far ahead of its recovered end.
		 */
		if (sscanf(line, "%llu %lld%n", &s, &next, &used) != 2 || line[used] != '\n')
			continue;
		if (s >= 100 && s < 100 + MAX_STREAMS && next > stream_next[s - 100])
			stream_next[s - 100] = next;
	}
	fclose(f);
}

static int
cmp_lsn(const void *a, const void *b)
{
	uint64		x = ((const Acked *) a)->lsn,
				y = ((const Acked *) b)->lsn;

	return x < y ? -1 : x > y;
}

/* Recover in this process and check against the acknowledgements. */
static void
check_recovery(const char *when)
{
	int			fd;
	WalLsn		trim,
				pos;
	LogCacheRecord rec;
	Acked	   *rcv = NULL;
	size_t		nrcv = 0,
				rcv_cap = 0;
	int64		seen_next[MAX_STREAMS];
	bool		seen[MAX_STREAMS];
	char	   *buf = palloc(max_body + 1);
	size_t		checked = 0,
				j = 0;
	int			before = fails;

	fresh_shmem();
	fd = WalRecover();
	close(fd);
	trim = WalTrimLsn();
	memset(seen, 0, sizeof(seen));

	pos = trim;
	while (LogCacheNextRecord(&pos, &rec))
	{
		uint64		s = rec.stream_id;
		uint32		len = (uint32) (rec.len1 + rec.len2);

		if (s < 100 || s >= 100 + MAX_STREAMS)
		{
			fail("%s: recovered a record of unknown stream %llu", when, (unsigned long long) s);
			continue;
		}
		if (len != body_len(s, rec.base_offset, max_body))
			fail("%s: stream %llu offset %lld: body of %u bytes, expected %u", when,
				 (unsigned long long) s, (long long) rec.base_offset, len,
				 body_len(s, rec.base_offset, max_body));
		else
		{
			char	   *got = palloc(len);

			body_fill(s, rec.base_offset, buf, len);
			memcpy(got, rec.body1, rec.len1);
			memcpy(got + rec.len1, rec.body2, rec.len2);
			if (memcmp(got, buf, len) != 0)
				fail("%s: stream %llu offset %lld: body differs", when,
					 (unsigned long long) s, (long long) rec.base_offset);
			pfree(got);
		}
		if (seen[s - 100] && rec.base_offset != seen_next[s - 100])
			fail("%s: stream %llu: batch at offset %lld follows one ending at %lld (duplicate, gap or reorder)",
				 when, (unsigned long long) s, (long long) rec.base_offset,
				 (long long) seen_next[s - 100]);
		seen[s - 100] = true;
		seen_next[s - 100] = rec.base_offset + rec.record_count;
		if (nrcv == rcv_cap)
		{
			rcv_cap = rcv_cap ? rcv_cap * 2 : 4096;
			rcv = repalloc(rcv, rcv_cap * sizeof(Acked));
		}
		rcv[nrcv].lsn = rec.lsn;
		rcv[nrcv].stream = s;
		rcv[nrcv].base = rec.base_offset;
		rcv[nrcv].count = rec.record_count;
		nrcv++;
	}

	/* Every acknowledged batch at or above the trim position is there. */
	qsort(acked, nacked, sizeof(Acked), cmp_lsn);
	for (size_t i = 0; i < nacked; i++)
	{
		if (acked[i].lsn < trim)
			continue;
		while (j < nrcv && rcv[j].lsn < acked[i].lsn)
			j++;
		if (j >= nrcv || rcv[j].lsn != acked[i].lsn || rcv[j].stream != acked[i].stream ||
			rcv[j].base != acked[i].base || rcv[j].count != acked[i].count)
		{
			fail("%s: acknowledged batch stream %llu offset %lld at LSN %llu not recovered (trim %llu, recovered up to %llu)",
				 when, (unsigned long long) acked[i].stream, (long long) acked[i].base,
				 (unsigned long long) acked[i].lsn, (unsigned long long) trim,
				 (unsigned long long) WalFlushedLsn());
			if (fails - before > 5)
				break;
			continue;
		}
		checked++;
	}
	/* The streams' ends for the next round. */
	for (int s = 0; s < MAX_STREAMS; s++)
	{
		int64		next,
					fnext;

		if (LogCacheStreamEnd(100 + (uint64) s, &next, &fnext))
		{
			if (next != fnext || (seen[s] && next != seen_next[s]))
				fail("%s: stream %d end %lld/%lld disagrees with records (%lld)", when, 100 + s,
					 (long long) next, (long long) fnext, (long long) seen_next[s]);
			if (next > stream_next[s])
				stream_next[s] = next;
		}
	}
	if (fails == before)
		printf("ok %s: %zu records recovered from LSN %llu to %llu, %zu acknowledged ones checked\n",
			   when, nrcv, (unsigned long long) trim, (unsigned long long) WalFlushedLsn(), checked);
	fflush(stdout);
	pfree(buf);
	if (rcv)
		pfree(rcv);
}

static int
crash_test(int rounds, uint64 seed)
{
	settings("8MB", "4MB");
	create_device();
	for (round_no = 1; round_no <= rounds; round_no++)
	{
		bool		clean = (round_no == rounds);
		struct timespec ts;
		char		when[64];
		int			mode;

		seed = mix(seed + (uint64) round_no);
		mode = (int) (seed % 3);
		load_trim_log();
		fresh_shmem();
		start_child(PROC_WALWRITER, "wal writer", writer_main, 0);
		appender_records = clean ? 50 : 1000000;
		for (int id = 0; id < NAPPENDERS; id++)
			start_child(PROC_BACKEND, "appender", appender_main, id);

		/*
		 * The trimmer runs in the clean round too: the WAL recovered from
		 * the round before may be nearly full (its appenders were killed
		 * while they waited for space), and then the clean round's appends
		 * need trims like any other.
		 */
		start_child(PROC_UPLOADER, "trimmer", trimmer_main, clean ? 1 : 0);

		if (clean)
		{
			time_t		deadline;
			int			status;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			deadline = ts.tv_sec + ROUND_TIMEOUT_S;
			snprintf(when, sizeof(when), "round %d (clean shutdown)", round_no);

			/* appenders finish, then the trimmer and the writer are stopped */
			for (int i = 1; i <= NAPPENDERS && fails == 0; i++)
			{
				if (!wait_child(i, &status, deadline))
					fail("clean round: appender %d did not finish within %d s", i - 1, ROUND_TIMEOUT_S);
				else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					fail("clean round: appender exited with status %d", status);
			}
			kill(children[NAPPENDERS + 1].pid, SIGTERM);
			if (fails == 0 && !wait_child(NAPPENDERS + 1, &status, deadline))
				fail("clean round: the trimmer did not stop within %d s", ROUND_TIMEOUT_S);
			kill(children[0].pid, SIGTERM);
			if (fails == 0)
			{
				if (!wait_child(0, &status, deadline))
					fail("clean round: the WAL writer did not stop within %d s of SIGTERM", ROUND_TIMEOUT_S);
				else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					fail("clean round: WAL writer exited with status %d", status);
				else
					printf("ok WAL writer exits 0 on SIGTERM\n");
			}
			if (fails > 0)
			{
				print_positions(when);
				kill_all(SIGKILL);
				reap_all();
				break;
			}
			nchildren = 0;
		}
		else
		{
			uint64		delay_ms = 30 + mix(seed) % 400;

			ts.tv_sec = (time_t) (delay_ms / 1000);
			ts.tv_nsec = (long) (delay_ms % 1000) * 1000000;
			nanosleep(&ts, NULL);
			if (mode == 0)
			{
				/* the WAL writer alone dies; the postmaster then kills the rest */
				kill(children[0].pid, SIGKILL);
				ts.tv_sec = 0;
				ts.tv_nsec = 5 * 1000000;
				nanosleep(&ts, NULL);
				kill_all(SIGKILL);
				snprintf(when, sizeof(when), "round %d (writer killed after %llu ms)", round_no,
						 (unsigned long long) delay_ms);
			}
			else if (mode == 1)
			{
				/* an appender dies first, then everything */
				kill(children[1].pid, SIGKILL);
				kill_all(SIGKILL);
				snprintf(when, sizeof(when), "round %d (appender then all killed after %llu ms)",
						 round_no, (unsigned long long) delay_ms);
			}
			else
			{
				kill_all(SIGKILL);
				snprintf(when, sizeof(when), "round %d (all killed after %llu ms)", round_no,
						 (unsigned long long) delay_ms);
			}
			reap_all();
		}
		note_round_stats();
		load_acks(round_no);
		check_recovery(when);
		if (fails > 0)
			break;
	}
	{
		WalStats st;

		WalGetStats(&st);
		printf("# %zu acknowledged batches over %d rounds; last recovery: %llu records\n",
			   nacked, round_no - 1, (unsigned long long) st.recovered_records);
	}
	if (fails == 0)
	{
		/*
		 * Padding needs only a libaio write with nobody copying in, which
		 * every run has many of.  How many writes overlapped depends on
		 * timing (test_wal_padding checks that they can): reported only.
		 */
		if (padding_seen == 0)
			fail("the WAL writer never padded a write: the path these rounds are for was not taken");
		else
			printf("ok the WAL writer padded %llu bytes and submitted %llu writes while another was in flight; %d rounds were killed with two or more writes in flight\n",
				   (unsigned long long) padding_seen, (unsigned long long) pipelined_seen,
				   rounds_pipelined);
	}
	return fails == 0 ? 0 : 1;
}

/* ---- back-pressure ---- */

static int
backpressure_test(void)
{
	WalStats st;
	int			slot;
	WalLsn		pos;
	int			status;
	int			finished = 0;
	struct timespec ts = {0, 20 * 1000000};
	uint64		acked_before = 0;

	settings("2MB", "1MB");
	create_device();
	fresh_shmem();
	round_no = 1;
	max_body = 8000;
	appender_records = 250;	/* 4 x 250 x ~4 KiB ~ 4 MiB through a 1 MiB WAL */
	start_child(PROC_WALWRITER, "wal writer", writer_main, 0);
	for (int id = 0; id < NAPPENDERS; id++)
		start_child(PROC_BACKEND, "appender", appender_main, id);

	/* This process plays the uploader: it needs a slot to wait. */
	slot = ProcSlotAssign(PROC_UPLOADER);
	ProcSlotActivate(slot);
	InitLatchSupport();
	WalWaitReady();

	/* Wait until the WAL is full and appends stall. */
	for (int i = 0; i < 500; i++)
	{
		WalGetStats(&st);
		if (st.backpressure_waits > 0 && WalFlushedLsn() == acked_before && i > 10)
			break;
		acked_before = WalFlushedLsn();
		nanosleep(&ts, NULL);
	}
	WalGetStats(&st);
	if (st.backpressure_waits == 0)
		fail("backpressure: appenders never waited for space");
	else
		printf("ok appenders wait when the WAL is full (%llu waits, flushed %llu of capacity %llu)\n",
			   (unsigned long long) st.backpressure_waits,
			   (unsigned long long) WalFlushedLsn(), (unsigned long long) WalShmem->capacity);
	if (WalFlushedLsn() > WalShmem->capacity)
		fail("backpressure: flushed %llu beyond capacity %llu without a trim",
			 (unsigned long long) WalFlushedLsn(), (unsigned long long) WalShmem->capacity);
	nanosleep(&ts, NULL);
	for (int id = 1; id <= NAPPENDERS; id++)
	{
		if (waitpid(children[id].pid, &status, WNOHANG) != 0)
			fail("backpressure: an appender finished although the WAL was full");
	}

	/* Trim as the uploader would, until every appender is done. */
	pos = WalTrimLsn();
	for (int i = 0; i < 3000 && finished < NAPPENDERS; i++)
	{
		LogCacheRecord rec;

		while (LogCacheNextRecord(&pos, &rec))
			;
		WalTrim(pos);
		nanosleep(&ts, NULL);
		for (int id = 1; id <= NAPPENDERS; id++)
		{
			if (children[id].pid > 0 && waitpid(children[id].pid, &status, WNOHANG) == children[id].pid)
			{
				if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					fail("backpressure: appender exited with status %d", status);
				children[id].pid = 0;
				finished++;
			}
		}
	}
	if (finished != NAPPENDERS)
		fail("backpressure: only %d of %d appenders finished after trimming", finished, NAPPENDERS);
	else
		printf("ok appenders resume and finish once the WAL is trimmed (%llu bytes appended)\n",
			   (unsigned long long) WalInsertLsn());
	kill(children[0].pid, SIGTERM);
	waitpid(children[0].pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("backpressure: WAL writer exited with status %d", status);
	nchildren = 0;
	ProcSlotDeactivate();
	load_acks(1);
	check_recovery("after back-pressure");
	return fails == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc < 3)
	{
		fprintf(stderr, "usage: %s crash DIR [ROUNDS] [SEED] | backpressure DIR\n", argv[0]);
		return 2;
	}
	dir = argv[2];
	mkdir(dir, 0700);
	MyProcPid = getpid();
	MyProcKindName = "wal_crash";
	as_postmaster();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "crash") == 0)
		return crash_test(argc > 3 ? atoi(argv[3]) : 20,
						  argc > 4 ? strtoull(argv[4], NULL, 10) : (uint64) time(NULL));
	if (strcmp(argv[1], "backpressure") == 0)
		return backpressure_test();
	fprintf(stderr, "unknown test \"%s\"\n", argv[1]);
	return 2;
}
