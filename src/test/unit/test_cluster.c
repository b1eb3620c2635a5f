/*
 * test_cluster.c
 *	  The pure parts of the cluster code: Kafka's placement of a group onto
 *	  a coordinator slot (Java's String.hashCode over UTF-16 code units),
 *	  the lease margin, and carrying a producer snapshot forward through the
 *	  batches of a recovered WAL (ProducerSnapshotApplyBatch).
 *
 * src/test/unit/test_cluster.c
 */
#include "c.h"

#include "kafka/cluster.h"
#include "kafka/producer.h"
#include "kafka/records.h"
#include "tap.h"

/* A RecordBatch header with the producer fields set (big-endian). */
static void
batch_header(uint8 *h, int64 pid, int16 epoch, int32 seq, int32 delta, int64 max_ts, int16 attrs)
{
	memset(h, 0, 61);
	for (int i = 0; i < 8; i++)
		h[RB_PRODUCER_ID_OFF + i] = (uint8) ((uint64) pid >> (56 - 8 * i));
	h[RB_PRODUCER_EPOCH_OFF] = (uint8) ((uint16) epoch >> 8);
	h[RB_PRODUCER_EPOCH_OFF + 1] = (uint8) epoch;
	for (int i = 0; i < 4; i++)
	{
		h[RB_BASE_SEQUENCE_OFF + i] = (uint8) ((uint32) seq >> (24 - 8 * i));
		h[RB_LAST_OFFSET_DELTA_OFF + i] = (uint8) ((uint32) delta >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++)
		h[RB_MAX_TIMESTAMP_OFF + i] = (uint8) ((uint64) max_ts >> (56 - 8 * i));
	h[RB_ATTRIBUTES_OFF] = (uint8) ((uint16) attrs >> 8);
	h[RB_ATTRIBUTES_OFF + 1] = (uint8) attrs;
}

int
main(void)
{
	/* Java: "hello".hashCode() == 99162322; 99162322 % 50 == 22. */
	is_int(ClusterKeySlot("hello", 5, 50), 22, "\"hello\" goes to slot 22, as in Kafka");
	is_int(ClusterKeySlot("", 0, 50), 0, "the empty id goes to slot 0");
	/* "polygenelubricants".hashCode() == Integer.MIN_VALUE: Kafka's Utils.abs makes it 0. */
	is_int(ClusterKeySlot("polygenelubricants", 18, 50), 0, "a hash of Integer.MIN_VALUE goes to slot 0 (Utils.abs)");
	/* U+00E9 is one UTF-16 unit, 233; two UTF-8 bytes. */
	is_int(ClusterKeySlot("\xc3\xa9", 2, 1000), 233, "a two-byte UTF-8 character counts as one code unit");
	/* U+1F600: surrogates D83D DE00, hash 55357 * 31 + 56832 = 1772899. */
	is_int(ClusterKeySlot("\xf0\x9f\x98\x80", 4, 1000000), 772899, "a four-byte character counts as its surrogate pair");
	/* A stray continuation byte is U+FFFD for Java's decoder: 65533. */
	is_int(ClusterKeySlot("\x80", 1, 100000), 65533, "a malformed byte counts as U+FFFD");

	ok(ClusterLeaseMargin(10000) == 1000, "the lease margin is a tenth of the lease");
	ok(ClusterLeaseMargin(3000) == 500, "and at least 500 ms");

	/* Carrying a snapshot forward. */
	{
		ProducerSnapshotEntry e[3];
		int			n = 0;
		uint8		h[64];

		batch_header(h, 1000, 0, 0, 4, 111, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 10);
		is_int(n, 1, "a producer's first batch makes an entry");
		ok(e[0].producer_id == 1000 && e[0].nbatches == 1 && e[0].batches[0].first_seq == 0 &&
		   e[0].batches[0].last_seq == 4 && e[0].batches[0].first_offset == 10 &&
		   e[0].batches[0].last_offset == 14 && e[0].batches[0].timestamp == 111,
		   "with the batch's sequences, offsets and timestamp");
		for (int k = 1; k <= 6; k++)
		{
			batch_header(h, 1000, 0, 5 * k, 4, 111 + k, 0);
			ProducerSnapshotApplyBatch(e, &n, 3, h, 10 + 5 * k);
		}
		ok(n == 1 && e[0].nbatches == PRODUCER_BATCHES && e[0].batches[0].first_seq == 10 &&
		   e[0].batches[PRODUCER_BATCHES - 1].first_seq == 30,
		   "the last five batches are kept, oldest first");
		batch_header(h, 1000, 1, 0, 0, 200, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 50);
		ok(n == 1 && e[0].epoch == 1 && e[0].nbatches == 1, "a new epoch forgets the old epoch's batches");
		batch_header(h, 1000, 0, 99, 0, 201, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 51);
		ok(e[0].epoch == 1 && e[0].nbatches == 1, "a fenced epoch's batch changes nothing");
		batch_header(h, 2000, 0, 0, 0, 1, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 52);
		batch_header(h, 3000, 0, 0, 0, 1, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 53);
		batch_header(h, 1000, 1, 1, 0, 1, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 54);
		ok(n == 3 && e[0].producer_id == 2000 && e[2].producer_id == 1000,
		   "the most recently used producer goes last");
		batch_header(h, 4000, 0, 0, 0, 1, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 55);
		ok(n == 3 && e[0].producer_id == 3000 && e[2].producer_id == 4000,
		   "a full snapshot lets its least recently used producer go");
		batch_header(h, -1, -1, -1, 0, 1, 0);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 56);
		batch_header(h, 5000, 0, 0, 0, 1, RB_ATTR_CONTROL);
		ProducerSnapshotApplyBatch(e, &n, 3, h, 57);
		ok(n == 3 && e[2].producer_id == 4000, "batches without a producer, and control batches, change nothing");
	}
	return done_testing();
}
