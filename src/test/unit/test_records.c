/*
 * test_records.c
 *	  Record batch validation and rewriting: batches built by kafka-python
 *	  (an independent implementation, bytes pasted below), batches built
 *	  here with real CRC-32Cs, and every kind of damage: bad CRC, wrong
 *	  magic, truncation at every byte, bad counts and offsets, bad records,
 *	  control batches, more than one batch, zstd before Produce v7.
 */
#include "c.h"

#include "kafka/kbuf.h"
#include "kafka/protocol.h"
#include "kafka/records.h"
#include "tap.h"
#include "utils/crc32c.h"

/*
 * kafka-python 2.0.2 DefaultRecordBatchBuilder, uncompressed, three records:
 * (k1, hello, header h=v, ts 1700000000000), (null, world, ts +5),
 * (k3, null, ts +2).
 */
static const char *kp_plain =
"0000000000000000000000580000000002bea2a2ca0000000000020000018bcfe568000000018bcfe5680"
"5ffffffffffffffffffffffffffff0000000322000000046b310a68656c6c6f020268027616000a02010a"
"776f726c640010000404046b330100";
/* the same builder, gzip, one record of 100 x's */
static const char *kp_gzip =
"0000000000000000000000510000000002cc84a78e0001000000000000018bcfe568000000018bcfe5680"
"0ffffffffffffffffffffffffffff000000011f8b0800cfd1066b02ffbbc6c8c0c0c07882b1820e800100"
"891151666d000000";

static size_t
unhex(const char *h, uint8 *out)
{
	size_t		n = 0;

	for (; h[0] && h[1]; h += 2)
	{
		unsigned	v;

		sscanf(h, "%2x", &v);
		out[n++] = (uint8) v;
	}
	return n;
}

/* Build a batch: count records "key<i>" -> "value<i>" with one header. */
static size_t
build_batch(KWriter *w, int count, int16 attrs, int64 pid, int32 seq)
{
	size_t		start = w->len;
	size_t		len_at;
	size_t		crc_at;

	KWriteInt64(w, 0);
	len_at = KWriteReserveInt32(w);
	KWriteInt32(w, -1);			/* partition leader epoch */
	KWriteInt8(w, 2);
	crc_at = KWriteReserveInt32(w);
	KWriteInt16(w, attrs);
	KWriteInt32(w, count - 1);
	KWriteInt64(w, 1000);
	KWriteInt64(w, 1000 + count - 1);
	KWriteInt64(w, pid);
	KWriteInt16(w, pid >= 0 ? 0 : -1);
	KWriteInt32(w, seq);
	KWriteInt32(w, count);
	for (int i = 0; i < count; i++)
	{
		KWriter		rec;
		char		k[16],
					v[16];

		snprintf(k, sizeof(k), "key%d", i);
		snprintf(v, sizeof(v), "value%d", i);
		KWriterInit(&rec, 64);
		KWriteInt8(&rec, 0);
		KWriteVarlong(&rec, i);
		KWriteVarint(&rec, i);
		KWriteVarint(&rec, (int32) strlen(k));
		KWriteRaw(&rec, k, strlen(k));
		KWriteVarint(&rec, (int32) strlen(v));
		KWriteRaw(&rec, v, strlen(v));
		KWriteVarint(&rec, 1);
		KWriteVarint(&rec, 2);
		KWriteRaw(&rec, "hk", 2);
		KWriteVarint(&rec, -1);
		KWriteVarint(w, (int32) rec.len);
		KWriteRaw(w, rec.buf, rec.len);
		KWriterFree(&rec);
	}
	KWritePatchInt32(w, len_at, (int32) (w->len - start - 12));
	KWritePatchInt32(w, crc_at, (int32) RecordBatchComputeCrc(w->buf + start));
	return w->len - start;
}

static void
recrc(uint8 *b)
{
	uint32		c = RecordBatchComputeCrc(b);

	b[17] = c >> 24;
	b[18] = c >> 16;
	b[19] = c >> 8;
	b[20] = c;
}

static int16
validate(const uint8 *b, size_t n, RecordBatchInfo *info, char *err)
{
	return RecordBatchValidate(b, n, 0, info, err, 200);
}

int
main(void)
{
	uint8		buf[4096];
	uint8		copy[4096];
	size_t		n;
	RecordBatchInfo info;
	char		err[200];
	KWriter		w;

	/* ---- kafka-python's batches ---- */
	n = unhex(kp_plain, buf);
	is_int(validate(buf, n, &info, err), KAFKA_ERR_NONE, "kafka-python uncompressed batch is valid (%s)", err);
	ok(info.size == 100 && info.record_count == 3 && info.last_offset_delta == 2 &&
	   info.compression == 0 && !info.transactional && !info.control,
	   "size, count, last offset delta, attributes");
	ok(info.first_timestamp == 1700000000000LL && info.max_timestamp == 1700000000005LL &&
	   info.computed_max_timestamp == 1700000000005LL, "first and max timestamps");
	ok(info.producer_id == -1 && info.producer_epoch == -1 && info.base_sequence == -1,
	   "producer id/epoch/sequence");
	ok(info.crc == 0xbea2a2ca, "CRC-32C agrees with kafka-python's");
	is_int(RecordsValidateProduce(buf, (int32) n, 3, &info, err, sizeof(err)), 0, "valid for Produce v3");

	n = unhex(kp_gzip, buf);
	is_int(validate(buf, n, &info, err), KAFKA_ERR_NONE, "kafka-python gzip batch is valid without decompressing");
	ok(info.compression == RB_COMPRESSION_GZIP && info.record_count == 1, "gzip batch info");

	/* ---- batches built here ---- */
	KWriterInit(&w, 1024);
	n = build_batch(&w, 5, 0, -1, -1);
	memcpy(buf, w.buf, n);
	is_int(validate(buf, n, &info, err), 0, "5-record batch with headers valid (%s)", err);
	ok(info.computed_max_timestamp == 1004, "computed max timestamp from the records");

	/* bad CRC: flip one bit in a value */
	memcpy(copy, buf, n);
	copy[n - 5] ^= 1;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "flipped bit: CORRUPT_MESSAGE (%s)", err);
	memcpy(copy, buf, n);
	copy[20] ^= 0x80;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "damaged stored CRC: CORRUPT_MESSAGE");

	/* magic */
	memcpy(copy, buf, n);
	copy[16] = 1;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "magic 1: INVALID_RECORD (%s)", err);
	copy[16] = 0;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "magic 0: INVALID_RECORD");
	copy[16] = 3;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "magic 3: CORRUPT_MESSAGE (%s)", err);
	copy[16] = 0xff;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "magic -1: CORRUPT_MESSAGE");

	/* truncation at every byte */
	{
		int			bad = 0;

		for (size_t cut = 0; cut < n; cut++)
		{
			int16		e = validate(buf, cut, &info, err);

			if (e != KAFKA_ERR_CORRUPT_MESSAGE || err[0] == '\0')
				bad++;
		}
		is_int(bad, 0, "batch truncated at each of %zu bytes: CORRUPT_MESSAGE every time", n);
	}

	/* batch length field */
	memcpy(copy, buf, n);
	copy[8] = 0;
	copy[9] = 0;
	copy[10] = 0;
	copy[11] = 48;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "batch length 48 < 49: CORRUPT_MESSAGE");
	copy[8] = 0x7f;
	copy[11] = 0xff;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "batch length 0x7f0000ff: CORRUPT_MESSAGE");
	copy[8] = 0x80;
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "negative batch length: CORRUPT_MESSAGE");

	/* record count and offset delta (CRC fixed up so these checks are reached) */
	memcpy(copy, buf, n);
	copy[57] = copy[58] = copy[59] = copy[60] = 0;
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "record count 0: INVALID_RECORD (%s)", err);
	memcpy(copy, buf, n);
	copy[60] = 4;
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "count 4 vs last offset delta 4: INVALID_RECORD (%s)", err);
	memcpy(copy, buf, n);
	copy[60] = 4;
	copy[26] = 3;
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "count 4 with 5 records: INVALID_RECORD (%s)", err);
	memcpy(copy, buf, n);
	copy[57] = 0x7f;
	copy[58] = copy[59] = copy[60] = 0xff;
	copy[23] = 0x7f;
	copy[24] = copy[25] = 0xff;
	copy[26] = 0xfe;
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "count 2^31-1: INVALID_RECORD (%s)", err);

	/* a record whose length disagrees with its content */
	memcpy(copy, buf, n);
	copy[61] += 2;				/* first record's varint length: +1 */
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "record length +1: INVALID_RECORD (%s)", err);
	memcpy(copy, buf, n);
	copy[61] -= 2;
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "record length -1: INVALID_RECORD (%s)", err);
	memcpy(copy, buf, n);
	copy[65] = 0x03;			/* key length varint -> -2 */
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_INVALID_RECORD, "key length -2: INVALID_RECORD (%s)", err);

	/* attributes */
	memcpy(copy, buf, n);
	copy[22] = 5;
	recrc(copy);
	is_int(validate(copy, n, &info, err), KAFKA_ERR_CORRUPT_MESSAGE, "compression id 5: CORRUPT_MESSAGE (%s)", err);
	memcpy(copy, buf, n);
	copy[22] = 4;
	recrc(copy);
	is_int(validate(copy, n, &info, err), 0, "zstd batch: records not walked");
	is_int(RecordsValidateProduce(copy, (int32) n, 3, &info, err, sizeof(err)),
		   KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE, "zstd in Produce v3: UNSUPPORTED_COMPRESSION_TYPE");
	is_int(RecordsValidateProduce(copy, (int32) n, 7, &info, err, sizeof(err)), 0, "zstd in Produce v7: fine");

	KWriterReset(&w);
	n = build_batch(&w, 1, RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL, 7, 0);
	is_int(validate(w.buf, n, &info, err), KAFKA_ERR_INVALID_RECORD, "control batch from a client: INVALID_RECORD");
	is_int(RecordBatchValidate(w.buf, n, RECORDS_ALLOW_CONTROL, &info, err, sizeof(err)), 0,
		   "control batch allowed for the broker's own markers");
	KWriterReset(&w);
	n = build_batch(&w, 2, RB_ATTR_TRANSACTIONAL, 7, 0);
	is_int(validate(w.buf, n, &info, err), 0, "transactional batch valid");
	ok(info.transactional && info.producer_id == 7 && info.producer_epoch == 0 && info.base_sequence == 0,
	   "transactional flag and producer fields");
	KWriterReset(&w);
	n = build_batch(&w, 2, 0, 7, -1);
	is_int(validate(w.buf, n, &info, err), KAFKA_ERR_INVALID_RECORD,
		   "idempotent batch with sequence -1: INVALID_RECORD");

	/* several batches */
	{
		RecordBatchInfo infos[4];
		int			nb;
		size_t		n1,
					n2;

		KWriterReset(&w);
		n1 = build_batch(&w, 3, 0, -1, -1);
		n2 = build_batch(&w, 2, 0, -1, -1);
		is_int(RecordsValidate(w.buf, w.len, 0, infos, 4, &nb, err, sizeof(err)), 0, "two batches valid");
		ok(nb == 2 && infos[1].offset == n1 && infos[1].size == (int32) n2 && infos[1].record_count == 2,
		   "second batch found at its offset");
		is_int(RecordsValidateProduce(w.buf, (int32) w.len, 9, &infos[0], err, sizeof(err)),
			   KAFKA_ERR_INVALID_RECORD, "two batches in one Produce partition: INVALID_RECORD");
		/* the Produce handler appends a partition's records as one batch */
		is_int(RecordsValidateProduce(w.buf, (int32) w.len, 2, &infos[0], err, sizeof(err)),
			   KAFKA_ERR_INVALID_RECORD, "two magic-2 batches in Produce v2: INVALID_RECORD");
		ok(infos[0].record_count == 3, "info describes the first batch");
		w.buf[16] = 1;
		is_int(RecordsValidateProduce(w.buf, (int32) w.len, 2, &infos[0], err, sizeof(err)),
			   KAFKA_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, "magic 1 in Produce v2 not converted first: UNSUPPORTED_FOR_MESSAGE_FORMAT (%s)", err);
		is_int(RecordsValidateProduce(w.buf, (int32) w.len, 3, &infos[0], err, sizeof(err)),
			   KAFKA_ERR_INVALID_RECORD, "magic 1 in Produce v3: INVALID_RECORD");
		w.buf[16] = 2;
		is_int(RecordsValidate(w.buf, w.len - 1, 0, infos, 4, &nb, err, sizeof(err)),
			   KAFKA_ERR_CORRUPT_MESSAGE, "second batch truncated: CORRUPT_MESSAGE");
		is_int(RecordsValidate(w.buf, 0, 0, infos, 4, &nb, err, sizeof(err)),
			   KAFKA_ERR_INVALID_RECORD, "no batches: INVALID_RECORD");
		is_int(RecordsValidateProduce(NULL, -1, 9, &infos[0], err, sizeof(err)),
			   KAFKA_ERR_INVALID_RECORD, "null records in Produce: INVALID_RECORD");
	}

	/* rewrites */
	KWriterReset(&w);
	n = build_batch(&w, 3, 0, -1, -1);
	RecordBatchSetBaseOffset(w.buf, 123456789012LL);
	RecordBatchSetPartitionLeaderEpoch(w.buf, 7);
	is_int(validate(w.buf, n, &info, err), 0, "base offset and leader epoch rewritten: CRC still valid");
	ok(info.base_offset == 123456789012LL && info.partition_leader_epoch == 7, "new base offset and epoch read back");
	RecordBatchSetLogAppendTime(w.buf, 1800000000000LL);
	is_int(validate(w.buf, n, &info, err), 0, "LogAppendTime set: CRC recomputed (%s)", err);
	ok(info.log_append_time && info.max_timestamp == 1800000000000LL && info.first_timestamp == 1000,
	   "timestamp type bit and max timestamp set");
	RecordBatchSetMaxTimestamp(w.buf, 5);
	is_int(validate(w.buf, n, &info, err), 0, "max timestamp rewritten with CRC");
	ok(info.max_timestamp == 5 && info.log_append_time, "max timestamp read back");

	KWriterFree(&w);
	return done_testing();
}
