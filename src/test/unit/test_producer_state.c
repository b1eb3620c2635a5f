/*
 * test_producer_state.c
 *	  Unit tests of idempotent producers' state (kafka/producer.h): Kafka's
 *	  duplicate / sequence / epoch rules against the shared-memory table,
 *	  LRU eviction when the table is full, sequence wrap-around, and the
 *	  snapshot format, including hostile snapshots.
 *
 * src/test/unit/test_producer_state.c
 */
#include "c.h"

#include "kafka/producer.h"
#include "kafka/protocol.h"
#include "postmaster/ipci.h"
#include "storage/shmem.h"
#include "tap.h"
#include "utils/crc32c.h"
#include "utils/guc.h"

static RecordBatchInfo
batch(int64 pid, int16 epoch, int32 seq, int32 count)
{
	RecordBatchInfo i;

	memset(&i, 0, sizeof(i));
	i.producer_id = pid;
	i.producer_epoch = epoch;
	i.base_sequence = seq;
	i.record_count = count;
	i.last_offset_delta = count - 1;
	return i;
}

/* Check and, if appended, record a WAL position like Produce does. */
static ProducerCheckResult
produce(uint64 stream, int64 *next_offset, int64 pid, int16 epoch, int32 seq, int32 count,
		ProducerDuplicate *dup, int16 *err)
{
	RecordBatchInfo i = batch(pid, epoch, seq, count);
	char		msg[256];
	ProducerCheckResult r;

	*err = 0;
	r = ProducerStateCheck(stream, &i, *next_offset, 1000 + *next_offset, dup, err, msg, sizeof(msg));
	if (r == PRODUCER_APPEND)
	{
		ProducerStateSetLsn(stream, pid, *next_offset, (uint64) (*next_offset + 1) * 100);
		*next_offset += count;
	}
	return r;
}

static void
test_rules(void)
{
	int64		off = 0;
	ProducerDuplicate dup;
	int16		err;
	ProducerStateStats st;

	is_int(produce(1, &off, -1, -1, -1, 3, &dup, &err), PRODUCER_APPEND, "no producer id: appended");
	is_int(produce(1, &off, 7, 0, 0, 2, &dup, &err), PRODUCER_APPEND, "seq 0-1 appended");
	is_int(produce(1, &off, 7, 0, 2, 3, &dup, &err), PRODUCER_APPEND, "seq 2-4 appended");
	is_int((int) off, 8, "offsets advanced");
	is_int(produce(1, &off, 7, 0, 0, 2, &dup, &err), PRODUCER_DUPLICATE, "retry of seq 0-1 is a duplicate");
	is_int((int) dup.first_offset, 3, "duplicate answers the original first offset");
	is_int((int) dup.last_offset, 4, "... and last offset");
	ok(dup.end_lsn == 400 && !dup.pending, "... and the original's WAL position");
	is_int(produce(1, &off, 7, 0, 2, 3, &dup, &err), PRODUCER_DUPLICATE, "retry of seq 2-4 is a duplicate");
	is_int((int) dup.first_offset, 5, "at offset 5");
	is_int(produce(1, &off, 7, 0, 2, 2, &dup, &err), PRODUCER_ERROR, "overlapping, not equal: refused");
	is_int(err, KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "... OUT_OF_ORDER_SEQUENCE_NUMBER");
	is_int(produce(1, &off, 7, 0, 6, 1, &dup, &err), PRODUCER_ERROR, "gap (5 missing): refused");
	is_int(err, KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "... OUT_OF_ORDER_SEQUENCE_NUMBER");
	is_int((int) off, 8, "nothing appended by refused batches");
	is_int(produce(1, &off, 7, 0, 5, 1, &dup, &err), PRODUCER_APPEND, "seq 5 appended");

	/* the same producer in another partition is independent */
	is_int(produce(2, &off, 7, 0, 0, 1, &dup, &err), PRODUCER_APPEND, "other stream: own sequence");

	/* epochs */
	is_int(produce(1, &off, 7, 1, 3, 1, &dup, &err), PRODUCER_ERROR, "new epoch not at seq 0: refused");
	is_int(err, KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "... OUT_OF_ORDER_SEQUENCE_NUMBER");
	is_int(produce(1, &off, 7, 1, 0, 1, &dup, &err), PRODUCER_APPEND, "new epoch at seq 0: appended");
	is_int(produce(1, &off, 7, 0, 6, 1, &dup, &err), PRODUCER_ERROR, "old epoch: refused");
	is_int(err, KAFKA_ERR_INVALID_PRODUCER_EPOCH, "... INVALID_PRODUCER_EPOCH");
	is_int(produce(1, &off, 7, 0, 0, 2, &dup, &err), PRODUCER_ERROR, "old epoch's batch is no duplicate any more");
	is_int(err, KAFKA_ERR_INVALID_PRODUCER_EPOCH, "... INVALID_PRODUCER_EPOCH");

	/* only the last five batches are remembered */
	for (int s = 1; s <= 5; s++)
		produce(1, &off, 7, 1, s, 1, &dup, &err);
	is_int(produce(1, &off, 7, 1, 1, 1, &dup, &err), PRODUCER_DUPLICATE, "5th last batch is a duplicate");
	is_int(produce(1, &off, 7, 1, 0, 1, &dup, &err), PRODUCER_ERROR, "6th last batch is forgotten");
	is_int(err, KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "... and out of order");

	/* an unknown producer is accepted at any sequence (Kafka since KIP-360) */
	is_int(produce(1, &off, 99, 3, 42, 1, &dup, &err), PRODUCER_APPEND, "unknown producer, seq 42: appended");
	is_int(produce(1, &off, 99, 3, 44, 1, &dup, &err), PRODUCER_ERROR, "then its sequence is checked");

	/* malformed idempotent batches */
	is_int(produce(1, &off, 100, 0, -1, 1, &dup, &err), PRODUCER_ERROR, "producer id without base sequence");
	is_int(err, KAFKA_ERR_INVALID_RECORD, "... INVALID_RECORD");
	is_int(produce(1, &off, 100, -1, 0, 1, &dup, &err), PRODUCER_ERROR, "producer id with epoch -1");

	/* sequence wrap at INT32_MAX */
	is_int(ProducerLastSequence(INT32_MAX - 1, 1), INT32_MAX, "last seq up to INT32_MAX");
	is_int(ProducerLastSequence(INT32_MAX, 1), 0, "last seq wraps to 0");
	is_int(ProducerLastSequence(INT32_MAX - 1, 4), 2, "last seq wraps past 0");
	is_int(produce(3, &off, 8, 0, INT32_MAX - 2, 3, &dup, &err), PRODUCER_APPEND, "batch ending at INT32_MAX");
	is_int(produce(3, &off, 8, 0, 0, 2, &dup, &err), PRODUCER_APPEND, "next batch starts at 0");
	is_int(produce(3, &off, 8, 0, INT32_MAX - 2, 3, &dup, &err), PRODUCER_DUPLICATE, "wrapped history still detects duplicates");
	is_int(produce(3, &off, 8, 0, INT32_MAX - 1, 4, &dup, &err), PRODUCER_ERROR, "a batch across the wrap out of order");

	ProducerStateGetStats(&st);
	is_int((int) st.duplicates, 4, "duplicates counted");
}

static void
test_eviction(void)
{
	int64		off = 0;
	ProducerDuplicate dup;
	int16		err;
	ProducerStateStats st;
	int			cap;

	ProducerStateGetStats(&st);
	cap = (int) st.capacity;
	/* fill the table with fresh producers, then some */
	for (int p = 0; p < cap + 3; p++)
		produce(10, &off, 1000 + p, 0, 0, 1, &dup, &err);
	ProducerStateGetStats(&st);
	is_int((int) st.entries, cap, "table full, not over");
	ok(st.evictions >= 3, "least recently used entries evicted");
	/* the newest producers are remembered, the oldest forgotten */
	is_int(produce(10, &off, 1000 + cap + 2, 0, 0, 1, &dup, &err), PRODUCER_DUPLICATE, "newest still known");
	is_int(produce(10, &off, 1000, 0, 5, 1, &dup, &err), PRODUCER_APPEND, "oldest forgotten: any sequence accepted");
}

static void
test_snapshot_format(void)
{
	ProducerSnapshotEntry in[3],
				out[3];
	uint8		buf[1024];
	size_t		len;
	int			n;
	char		err[256];
	uint8		bad[1024];

	memset(in, 0, sizeof(in));
	in[0].producer_id = 1000;
	in[0].epoch = 2;
	in[0].nbatches = 2;
	in[0].batches[0] = (ProducerBatchMeta) {0, 9, 100, 109, 5000};
	in[0].batches[1] = (ProducerBatchMeta) {10, 10, 110, 110, 5001};
	in[1].producer_id = INT64_C(1) << 40;
	in[1].epoch = INT16_MAX;
	in[1].nbatches = 0;
	in[2].producer_id = 3;
	in[2].epoch = 0;
	in[2].nbatches = PRODUCER_BATCHES;
	for (int k = 0; k < PRODUCER_BATCHES; k++)
		in[2].batches[k] = (ProducerBatchMeta) {INT32_MAX - 4 + k, INT32_MAX - 4 + k, k * 2, k * 2 + 1, -1};

	len = ProducerSnapshotEncode(in, 3, NULL, 0);
	is_int((int) ProducerSnapshotEncode(in, 3, buf, sizeof(buf)), (int) len, "encode size matches");
	memset(out, 0, sizeof(out));
	ok(ProducerSnapshotDecode(buf, len, out, 3, &n, err, sizeof(err)), "decode");
	is_int(n, 3, "three entries");
	ok(memcmp(in, out, sizeof(in)) == 0, "round trip equal");
	len = ProducerSnapshotEncode(NULL, 0, buf, sizeof(buf));
	ok(ProducerSnapshotDecode(buf, len, out, 3, &n, err, sizeof(err)) && n == 0, "empty snapshot");

	len = ProducerSnapshotEncode(in, 3, buf, sizeof(buf));
	/* every truncation fails cleanly */
	{
		bool		all = true;

		for (size_t l = 0; l < len; l++)
			if (ProducerSnapshotDecode(buf, l, out, 3, &n, err, sizeof(err)))
				all = false;
		ok(all, "every truncated snapshot is refused");
	}
	/* every single-bit flip is caught (CRC, or a field check) */
	{
		bool		all = true;

		for (size_t b = 0; b < len * 8; b++)
		{
			memcpy(bad, buf, len);
			bad[b / 8] ^= (uint8) (1 << (b % 8));
			if (ProducerSnapshotDecode(bad, len, out, 3, &n, err, sizeof(err)))
				all = false;
		}
		ok(all, "every bit flip is refused");
	}
	ok(!ProducerSnapshotDecode(buf, len, out, 2, &n, err, sizeof(err)), "more entries than the caller's room: refused");
	ok(strstr(err, "more than") != NULL, "... saying so");

	/* hostile, with a valid CRC: huge count, bad batch count, bad values */
	{
		uint32		crc;

		memcpy(bad, buf, len);
		bad[6] = 0x7f;			/* count 0x7f000003 */
		crc = crc32c(0, bad, len - 4);
		bad[len - 4] = (uint8) (crc >> 24);
		bad[len - 3] = (uint8) (crc >> 16);
		bad[len - 2] = (uint8) (crc >> 8);
		bad[len - 1] = (uint8) crc;
		ok(!ProducerSnapshotDecode(bad, len, out, 3, &n, err, sizeof(err)), "huge entry count refused before use");

		in[0].nbatches = 2;
		in[0].batches[1].first_offset = 50;	/* goes backwards */
		len = ProducerSnapshotEncode(in, 1, buf, sizeof(buf));
		ok(!ProducerSnapshotDecode(buf, len, out, 3, &n, err, sizeof(err)), "batches going backwards refused");
		in[0].batches[1].first_offset = 110;
		in[0].producer_id = -5;
		len = ProducerSnapshotEncode(in, 1, buf, sizeof(buf));
		ok(!ProducerSnapshotDecode(buf, len, out, 3, &n, err, sizeof(err)), "negative producer id refused");
		in[0].producer_id = 1000;
		len = ProducerSnapshotEncode(in, 1, buf, sizeof(buf));
		/* batch count byte: entry starts at 10, count at 10 + 10 */
		bad[0] = 0;
		memcpy(bad, buf, len);
		bad[20] = 6;
		crc = crc32c(0, bad, len - 4);
		bad[len - 4] = (uint8) (crc >> 24);
		bad[len - 3] = (uint8) (crc >> 16);
		bad[len - 2] = (uint8) (crc >> 8);
		bad[len - 1] = (uint8) crc;
		ok(!ProducerSnapshotDecode(bad, len, out, 3, &n, err, sizeof(err)), "six batches refused");
		ok(!ProducerSnapshotDecode(NULL, 0, out, 3, &n, err, sizeof(err)), "NULL refused");
	}
}

int
main(void)
{
	char		err[256];

	GucInitDefaults();
	if (!GucSet("max_producer_states", "16", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_min_messages", "warning", GUC_SRC_CMDLINE, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CreateSharedMemoryAndSemaphores();
	test_rules();
	test_eviction();
	test_snapshot_format();
	done_testing();
}
