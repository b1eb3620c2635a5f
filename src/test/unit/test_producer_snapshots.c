/*
 * test_producer_snapshots.c
 *	  Producer state through a real catalog and a real WAL: snapshots saved
 *	  with ProducerStateSaveSnapshots, then "restarts" (fresh shared memory,
 *	  the WAL recovered by a forked WAL writer) rebuilt by
 *	  ProducerStateRecover from the snapshot plus the WAL batches after it;
 *	  a WAL that no longer holds the batches (as after upload and trim)
 *	  leaves the snapshot alone to remember them; a corrupt snapshot is
 *	  skipped with a warning; saving before recovery is refused.
 *
 *	  It needs a catalog with Strata's schema and a partition led by broker
 *	  1: src/test/kafka/t/007_producer_snapshots.pl runs it with
 *	  STRATA_TEST_CATALOG (a conninfo) and STRATA_TEST_STREAM (the stream id
 *	  of partition 0 of a topic).  Without them it skips (make check in
 *	  src/test/unit has no PostgreSQL).
 *
 * src/test/unit/test_producer_snapshots.c
 */
#include "c.h"

#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>

#include "catalog/catalog.h"
#include "catalog/catalog_producers.h"
#include "kafka/partition.h"
#include "kafka/producer.h"
#include "kafka/protocol.h"
#include "postmaster/interrupt.h"
#include "postmaster/pmsignal.h"
#include "storage/latch.h"
#include "tap.h"
#include "wal_test_util.h"

/* A TAP comment line (tap.h has none). */
static void diag(const char *fmt,...) pg_attribute_printf(1, 2);

static void
diag(const char *fmt,...)
{
	va_list		ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static uint64 stream;
static StrataPartition *part;
static pid_t writer = 0;
static PGconn *conn;

/* A "restart": the old writer is killed, shared memory made afresh. */
static void
restart(int64 next_offset)
{
	uint8		id[16] = {1};
	TopicConfig config;
	int			t,
				p;

	if (writer > 0)
	{
		kill(writer, SIGKILL);
		waitpid(writer, NULL, 0);
	}
	wal_test_fresh_shmem();
	writer = wal_test_fork_writer();
	InitLatchSupport();
	WalWaitReady();
	TopicConfigDefaults(&config);
	RegistryLock();
	t = TopicInstall("snap", 4, id, &config, 1);
	p = PartitionInstall(t, 0, (int64) stream, 1, (int32) broker_id, 0, 0, next_offset);
	part = PartitionGet(p);
	RegistryUnlock();
}

static bool stop_before_append = false;	/* leave the batch pending */
static RecordBatchInfo pending_info;
static char pending_body[64];

/*
 * Produce one batch as api_produce.c does; returns the response's offset
 * or -error.  With stop_before_append, stops where a backend waiting for
 * WAL space would be: recorded (pending), next offset advanced, not in the
 * WAL yet, append lock held; finish_pending() completes it.
 */
static int64
produce(int64 pid, int16 epoch, int32 seq, int32 count)
{
	RecordBatchInfo info;
	ProducerDuplicate dup;
	int16		err = 0;
	char		msg[256];
	char		body[64];
	ProducerCheckResult r;
	int64		base;
	WalLsn		end;

	memset(&info, 0, sizeof(info));
	info.producer_id = pid;
	info.producer_epoch = epoch;
	info.base_sequence = seq;
	info.record_count = count;
	info.last_offset_delta = count - 1;
	memset(body, 0, sizeof(body));
	/* the WAL replay reads the batch header: write the fields it reads */
	for (int i = 0; i < 8; i++)
		body[RB_PRODUCER_ID_OFF + i] = (char) ((uint64) pid >> (56 - 8 * i));
	body[RB_PRODUCER_EPOCH_OFF] = (char) (epoch >> 8);
	body[RB_PRODUCER_EPOCH_OFF + 1] = (char) epoch;
	for (int i = 0; i < 4; i++)
	{
		body[RB_BASE_SEQUENCE_OFF + i] = (char) ((uint32) seq >> (24 - 8 * i));
		body[RB_LAST_OFFSET_DELTA_OFF + i] = (char) ((uint32) (count - 1) >> (24 - 8 * i));
	}

	SMutexLock(&part->append_lock);
	base = part->next_offset;
	r = ProducerStateCheck(stream, &info, base, 0, &dup, &err, msg, sizeof(msg));
	if (r == PRODUCER_DUPLICATE)
	{
		SMutexUnlock(&part->append_lock);
		return dup.first_offset;
	}
	if (r == PRODUCER_ERROR)
	{
		SMutexUnlock(&part->append_lock);
		return -err;
	}
	if (stop_before_append)
	{
		part->next_offset = base + count;
		pending_info = info;
		memcpy(pending_body, body, sizeof(body));
		return base;
	}
	end = WalAppend(stream, 1, base, (uint32) count, 0, body, sizeof(body));
	ProducerStateSetLsn(stream, pid, base, end);
	part->next_offset = base + count;
	SMutexUnlock(&part->append_lock);
	WalWaitFlushed(end);
	return base;
}

static void
finish_pending(void)
{
	int64		base = part->next_offset - pending_info.record_count;
	WalLsn		end = WalAppend(stream, 1, base, (uint32) pending_info.record_count, 0,
								pending_body, sizeof(pending_body));

	ProducerStateSetLsn(stream, pending_info.producer_id, base, end);
	SMutexUnlock(&part->append_lock);
	WalWaitFlushed(end);
}

static bool
save(void)
{
	char		err[512];
	bool		ok;

	PQclear(PQexec(conn, "BEGIN"));
	ok = ProducerStateSaveSnapshots(conn, &stream, 1, err, sizeof(err));
	if (!ok)
		diag("save: %s", err);
	PQclear(PQexec(conn, ok ? "COMMIT" : "ROLLBACK"));
	return ok;
}

static bool
recover(void)
{
	char		err[512];

	if (!ProducerStateRecover(conn, err, sizeof(err)))
	{
		diag("recover: %s", err);
		return false;
	}
	return true;
}

static char *
sql_value(const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	static char buf[256];

	buf[0] = '\0';
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		strlcpy_s(buf, PQgetvalue(res, 0, 0), sizeof(buf));
	else
		diag("%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
	return buf;
}

/* Save snapshots of streams in one statement, in a transaction as the uploader does. */
static bool
save_batch(const CatalogProducerSnapshot *snaps, int n)
{
	char		err[512];
	bool		ok;

	PQclear(PQexec(conn, "BEGIN"));
	ok = CatalogSaveProducerSnapshots(conn, snaps, n, err, sizeof(err));
	if (!ok)
		diag("%s", err);
	PQclear(PQexec(conn, ok ? "COMMIT" : "ROLLBACK"));
	return ok;
}

/*
 * CatalogSaveProducerSnapshots with several streams at once, on the
 * other partitions of the test's topic: each row gets its own snapshot,
 * and a row is replaced only by a snapshot ending no earlier.
 */
static void
save_several(void)
{
	char		sql[512];
	uint64		s1,
				s2;
	uint8		a[] = {0x00, 0xff, 0x5c, 0x27},
				b[] = {0x22, 0x7b, 0x2c};
	CatalogProducerSnapshot snaps[2];
	CatalogProducerSnapshot *got;
	char		err[512];
	int			n;

	snprintf(sql, sizeof(sql),
			 "SELECT string_agg(p.stream_id::text, ' ' ORDER BY p.index) FROM strata.partitions p "
			 "JOIN strata.partitions q ON q.topic_id = p.topic_id "
			 "WHERE q.stream_id = %llu AND p.stream_id <> q.stream_id",
			 (unsigned long long) stream);
	if (sscanf(sql_value(sql), "%llu %llu", (unsigned long long *) &s1, (unsigned long long *) &s2) != 2)
	{
		ok(0, "the test topic has two more partitions");
		return;
	}
	snaps[0] = (CatalogProducerSnapshot) {.stream_id = s1, .end_offset = 5, .data = a, .len = sizeof(a), .nproducers = 2};
	snaps[1] = (CatalogProducerSnapshot) {.stream_id = s2, .end_offset = 7, .data = b, .len = sizeof(b), .nproducers = 1};
	ok(save_batch(snaps, 2), "two streams' snapshots saved in one statement");
	snaps[0].end_offset = 9;
	snaps[0].data = b;
	snaps[0].len = sizeof(b);
	snaps[1].end_offset = 6;
	snaps[1].data = a;
	snaps[1].len = sizeof(a);
	snaps[0].nproducers = 3;
	snaps[1].nproducers = 4;
	ok(save_batch(snaps, 2), "saved again, one later and one earlier");
	ok(save_batch(snaps, 0), "saving no snapshot is no statement, and no error");

	{
		uint64		ids[2] = {s1, s2};

		n = CatalogLoadProducerSnapshots(conn, ids, 2, &got, err, sizeof(err));
	}
	is_int(n, 2, "both snapshots load back");
	if (n == 2)
	{
		CatalogProducerSnapshot *g1 = got[0].stream_id == s1 ? &got[0] : &got[1];
		CatalogProducerSnapshot *g2 = got[0].stream_id == s1 ? &got[1] : &got[0];

		ok(g1->end_offset == 9 && g1->len == sizeof(b) && memcmp(g1->data, b, sizeof(b)) == 0,
		   "the later snapshot replaced the first (end %lld, %zu bytes)", (long long) g1->end_offset, g1->len);
		ok(g2->end_offset == 7 && g2->len == sizeof(b) && memcmp(g2->data, b, sizeof(b)) == 0,
		   "the earlier one did not (end %lld, %zu bytes)", (long long) g2->end_offset, g2->len);
		CatalogFreeProducerSnapshots(got, n);
	}
	snprintf(sql, sizeof(sql), "SELECT string_agg(producers::text, ' ' ORDER BY stream_id) "
			 "FROM strata.producer_snapshots WHERE stream_id IN (%llu, %llu)",
			 (unsigned long long) s1, (unsigned long long) s2);
	ok(strcmp(sql_value(sql), s1 < s2 ? "3 1" : "1 3") == 0, "the producer counts are those of the rows kept");
	snprintf(sql, sizeof(sql), "DELETE FROM strata.producer_snapshots WHERE stream_id IN (%llu, %llu)",
			 (unsigned long long) s1, (unsigned long long) s2);
	PQclear(PQexec(conn, sql));
}

int
main(void)
{
	char		err[512];
	char		sql[256];
	ProducerStateStats st;

	if (getenv("STRATA_TEST_CATALOG") == NULL || getenv("STRATA_TEST_STREAM") == NULL)
	{
		printf("1..0 # SKIP needs STRATA_TEST_CATALOG and STRATA_TEST_STREAM (src/test/kafka/t/007_producer_snapshots.pl)\n");
		return 0;
	}
	signal(SIGUSR1, SIG_IGN);
	PostmasterPid = getpid();
	wal_test_settings();
	if (!GucSet("catalog", getenv("STRATA_TEST_CATALOG"), GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("broker_id", "1", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!WalDeviceCreate(wal_test_path, 4 * 1024 * 1024, 1, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	stream = strtoull(getenv("STRATA_TEST_STREAM"), NULL, 10);
	conn = CatalogConnect(err, sizeof(err));
	if (conn == NULL)
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(sql, sizeof(sql), "DELETE FROM strata.producer_snapshots WHERE stream_id = %llu",
			 (unsigned long long) stream);
	PQclear(PQexec(conn, sql));

	/* saving before recovery would save an incomplete state */
	restart(0);
	ok(!save(), "saving snapshots before recovery is refused");
	ok(recover(), "recovery with no snapshot and an empty WAL");

	is_int((int) produce(77, 0, 0, 2), 0, "seq 0-1 at offset 0");
	is_int((int) produce(77, 0, 2, 2), 2, "seq 2-3 at offset 2");
	is_int((int) produce(77, 0, 4, 2), 4, "seq 4-5 at offset 4");
	is_int((int) produce(88, 3, 0, 1), 6, "producer 88 seq 0 at offset 6");
	ok(save(), "snapshot saved at offset 7");
	snprintf(sql, sizeof(sql), "SELECT end_offset || ' ' || producers FROM strata.producer_snapshots WHERE stream_id = %llu",
			 (unsigned long long) stream);
	is_str(sql_value(sql), "7 2", "the catalog row: end offset 7, two producers");
	is_int((int) produce(77, 0, 6, 2), 7, "seq 6-7 at offset 7 (after the snapshot)");
	is_int((int) produce(77, 0, 8, 2), 9, "seq 8-9 at offset 9");

	/* restart: snapshot (up to 7) + WAL batches from offset 7 */
	restart(11);
	ok(recover(), "recovered from the snapshot and the WAL");
	ProducerStateGetStats(&st);
	is_int((int) st.recovered_snapshots, 2, "two producers from the snapshot");
	is_int((int) st.recovered_batches, 2, "two batches replayed from the WAL (those before 7 skipped)");
	is_int((int) produce(77, 0, 4, 2), 4, "retry of seq 4-5: offset 4, from the snapshot");
	is_int((int) produce(77, 0, 8, 2), 9, "retry of seq 8-9: offset 9, from the WAL");
	is_int((int) produce(88, 3, 0, 1), 6, "producer 88's retry: offset 6");
	is_int((int) produce(77, 0, 11, 1), -KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "a gap is still a gap");
	is_int((int) produce(88, 2, 1, 1), -KAFKA_ERR_INVALID_PRODUCER_EPOCH, "producer 88's epoch 3 was remembered");
	/*
	 * A batch recorded but still waiting to be appended (its backend holds
	 * the append lock, waiting for WAL space): a snapshot taken meanwhile
	 * must neither wait for that lock nor include the batch.
	 */
	stop_before_append = true;
	is_int((int) produce(77, 0, 10, 1), 11, "seq 10 at 11, left pending");
	stop_before_append = false;
	ok(save(), "snapshot saved while a batch is pending, without its append lock");
	is_str(sql_value(sql), "11 2", "it ends at the pending batch (11)");
	finish_pending();
	ok(save(), "snapshot saved at offset 12");
	is_str(sql_value(sql), "12 2", "once appended, the next snapshot ends after it (12)");

	/*
	 * The WAL no longer holds any of it (as once the uploader has trimmed
	 * it): only the snapshot remembers.
	 */
	unlink(wal_test_path);
	if (!WalDeviceCreate(wal_test_path, 4 * 1024 * 1024, 1, err, sizeof(err)))
		diag("%s", err);
	restart(12);
	ok(recover(), "recovered from the snapshot alone");
	ProducerStateGetStats(&st);
	is_int((int) st.recovered_batches, 0, "no batch in the new WAL");
	is_int((int) produce(77, 0, 10, 1), 11, "retry of seq 10: offset 11");
	is_int((int) produce(77, 0, 6, 2), 7, "retry of seq 6-7: offset 7");
	is_int((int) produce(77, 0, 11, 1), 12, "seq 11 appended at 12");

	/* a partition opened here later: its snapshot replaces what was held */
	is_int((int) produce(99, 0, 0, 1), 13, "producer 99 at 13 (in no snapshot)");
	{
		bool		loaded = ProducerStateLoadSnapshots(conn, &stream, 1, err, sizeof(err));

		ok(loaded, "snapshot loaded for a stream opened after start");
		if (!loaded)
			diag("%s", err);
	}
	is_int((int) produce(77, 0, 10, 1), 11, "retry of seq 10: offset 11, from the loaded snapshot");
	is_int((int) produce(77, 0, 11, 1), 14, "seq 11 is new again: the snapshot ends before it");
	is_int((int) produce(99, 0, 5, 1), 15, "producer 99 forgotten: any sequence accepted");

	/* a corrupt snapshot is skipped, not trusted, and recovery goes on */
	snprintf(sql, sizeof(sql), "UPDATE strata.producer_snapshots SET snapshot = '\\x535053310001' WHERE stream_id = %llu",
			 (unsigned long long) stream);
	PQclear(PQexec(conn, sql));
	unlink(wal_test_path);
	if (!WalDeviceCreate(wal_test_path, 4 * 1024 * 1024, 1, err, sizeof(err)))
		diag("%s", err);
	restart(13);
	ok(recover(), "recovery goes on past a corrupt snapshot");
	ProducerStateGetStats(&st);
	is_int((int) st.entries, 0, "nothing loaded from it");

	snprintf(sql, sizeof(sql), "DELETE FROM strata.producer_snapshots WHERE stream_id = %llu",
			 (unsigned long long) stream);
	PQclear(PQexec(conn, sql));

	save_several();
	PQfinish(conn);
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	wal_test_cleanup();
	done_testing();
}
