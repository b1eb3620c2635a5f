/*
 * test_legacy.c
 *	  Legacy message sets (magic 0/1) converted into magic-2 record batches:
 *	  message sets built by kafka-python (an independent implementation,
 *	  bytes pasted below) uncompressed and gzip'd, magic 0 and 1; message
 *	  sets built here for LogAppendTime wrappers and every kind of damage:
 *	  bad CRC, truncation at every byte, a compressed message inside a
 *	  compressed one, snappy, corrupt gzip, a wrapper that inflates past the
 *	  limit.  A converted batch must pass the broker's own validation, and
 *	  its records must be the messages' keys, values and timestamps with
 *	  offset deltas 0..n-1.
 */
#include "c.h"

#include <zlib.h>

#include "kafka/kbuf.h"
#include "kafka/legacy.h"
#include "kafka/protocol.h"
#include "kafka/records.h"
#include "tap.h"

/*
 * kafka-python 2.0.2 LegacyRecordBatchBuilder, three messages with offsets
 * 0, 1, 2: (k1, hello, ts 1700000000000), (null, world, ts +5),
 * (k3, null, ts +2); magic 0 has no timestamps.
 */
static const char *kp_v0 =
"00000000000000000000001571ef57700000000000026b310000000568656c6c6f00000000000000010000"
"00138bc0cd770000ffffffff00000005776f726c64000000000000000200000010b643ca6a0000000000026b"
"33ffffffff";
static const char *kp_v1 =
"00000000000000000000001d9e34959601000000018bcfe56800000000026b310000000568656c6c6f0000"
"0000000000010000001b0627d21201000000018bcfe56805ffffffff00000005776f726c64000000000000"
"000200000018c8e5289201000000018bcfe56802000000026b33ffffffff";
static const char *kp_v1_gzip =
"00000000000000000000006fc88307e401010000000000000000ffffffff000000591f8b08005dc1156b02"
"ff63608003d9792653a73102198cdde79f66804498b20d81246b466a4e4e3e5411485e9a4dfd92105c21eb"
"7f2000292bcf2fca49812a63026289134f3526c1953181cd3306290600c203454774000000";
static const char *kp_v0_gzip =
"00000000000000000000005a3a281f0a0001ffffffff0000004c1f8b08005dc1156b02ff63608003d1c2f7"
"e105601653b6219064cd48cdc9c9874a3202b170f781b3e50c0cff8100245d9e5f94930295660262816dce"
"a7b2a0fa8d418a00a8d155545c000000";

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

/* One decoded record of a converted batch. */
typedef struct Rec
{
	int64		ts;
	int32		offset_delta;
	char		key[32];		/* "null" for a null key */
	char		value[32];
} Rec;

static void
copy_field(KReader *r, char *dst, size_t cap)
{
	int32		len = KReadVarint(r);

	if (len < 0)
	{
		strlcpy_s(dst, "null", cap);
		return;
	}
	if ((size_t) len >= cap || (size_t) len > KReaderRemaining(r))
	{
		KReaderFail(r, "field too long");
		return;
	}
	memcpy(dst, r->buf + r->pos, (size_t) len);
	dst[len] = '\0';
	KReadSkip(r, (size_t) len);
}

/* Decode a converted batch's records (gunzipping them if need be). */
static int
decode_batch(const uint8 *b, size_t len, RecordBatchInfo *info, Rec *recs, int max)
{
	uint8		plain[65536];
	const uint8 *data = b + RECORD_BATCH_OVERHEAD;
	size_t		dlen = len - RECORD_BATCH_OVERHEAD;
	KReader		r;
	int			n = 0;
	char		err[200];

	if (RecordBatchValidate(b, len, 0, info, err, sizeof(err)) != 0)
	{
		printf("# converted batch does not validate: %s\n", err);
		return -1;
	}
	if (info->compression == RB_COMPRESSION_GZIP)
	{
		z_stream	zs;

		memset(&zs, 0, sizeof(zs));
		inflateInit2(&zs, 16 + MAX_WBITS);
		zs.next_in = (Bytef *) data;
		zs.avail_in = (uInt) dlen;
		zs.next_out = plain;
		zs.avail_out = sizeof(plain);
		if (inflate(&zs, Z_FINISH) != Z_STREAM_END)
			return -1;
		dlen = zs.total_out;
		inflateEnd(&zs);
		data = plain;
	}
	KReaderInit(&r, data, dlen);
	while (KReaderRemaining(&r) > 0 && n < max && !r.failed)
	{
		int32		rlen = KReadVarint(&r);
		size_t		end = r.pos + (size_t) rlen;

		(void) KReadInt8(&r);
		recs[n].ts = info->first_timestamp + KReadVarlong(&r);
		recs[n].offset_delta = KReadVarint(&r);
		copy_field(&r, recs[n].key, sizeof(recs[n].key));
		copy_field(&r, recs[n].value, sizeof(recs[n].value));
		if (KReadVarint(&r) != 0 || r.pos != end)
			return -1;
		n++;
	}
	return r.failed ? -1 : n;
}

static int16
convert(const uint8 *in, size_t len, size_t limit, uint8 **out, size_t *outlen, char *err)
{
	size_t		inflated;

	return LegacyMessageSetConvert(in, len, limit, out, outlen, &inflated, err, 200);
}

static void
test_kafka_python(const char *name, const char *hex, int magic, bool gzip)
{
	uint8		in[1024];
	size_t		n = unhex(hex, in);
	uint8	   *out;
	size_t		outlen;
	char		err[200];
	RecordBatchInfo info;
	Rec			recs[8];
	int			nr;
	int64		ts0 = magic == 0 ? -1 : INT64_C(1700000000000);

	ok(LegacyIsMessageSet(in, n), "%s: recognised as a legacy message set", name);
	if (!ok(convert(in, n, 1 << 20, &out, &outlen, err) == 0, "%s: converted", name))
	{
		printf("# %s\n", err);
		return;
	}
	nr = decode_batch(out, outlen, &info, recs, 8);
	ok(nr == 3 && info.record_count == 3 && info.last_offset_delta == 2 &&
	   info.producer_id == -1 && info.base_offset == 0,
	   "%s: one magic-2 batch of 3 records, no producer id", name);
	ok(info.compression == (gzip ? RB_COMPRESSION_GZIP : RB_COMPRESSION_NONE),
	   "%s: compressed as the message set was", name);
	if (nr != 3)
		return;
	ok(recs[0].offset_delta == 0 && recs[1].offset_delta == 1 && recs[2].offset_delta == 2,
	   "%s: offset deltas 0, 1, 2", name);
	ok(strcmp(recs[0].key, "k1") == 0 && strcmp(recs[0].value, "hello") == 0 &&
	   strcmp(recs[1].key, "null") == 0 && strcmp(recs[1].value, "world") == 0 &&
	   strcmp(recs[2].key, "k3") == 0 && strcmp(recs[2].value, "null") == 0,
	   "%s: keys and values kept, nulls too", name);
	if (magic == 0)
		ok(recs[0].ts == -1 && recs[1].ts == -1 && recs[2].ts == -1 &&
		   info.first_timestamp == -1 && info.max_timestamp == -1,
		   "%s: no timestamps (-1)", name);
	else
		ok(recs[0].ts == ts0 && recs[1].ts == ts0 + 5 && recs[2].ts == ts0 + 2 &&
		   info.first_timestamp == ts0 && info.max_timestamp == ts0 + 5,
		   "%s: the messages' timestamps; base = first, max = largest", name);
	pfree(out);
}

/* A legacy message entry into w; returns nothing, CRC computed. */
static void
put_message(KWriter *w, int magic, int attrs, int64 ts, const char *key,
			const uint8 *value, int32 vlen)
{
	size_t		size_at,
				crc_at;

	KWriteInt64(w, 0);
	size_at = KWriteReserveInt32(w);
	crc_at = KWriteReserveInt32(w);
	KWriteInt8(w, (int8) magic);
	KWriteInt8(w, (int8) attrs);
	if (magic == 1)
		KWriteInt64(w, ts);
	KWriteInt32(w, key ? (int32) strlen(key) : -1);
	if (key)
		KWriteRaw(w, key, strlen(key));
	KWriteInt32(w, vlen);
	if (vlen > 0)
		KWriteRaw(w, value, (size_t) vlen);
	KWritePatchInt32(w, size_at, (int32) (w->len - size_at - 4));
	KWritePatchInt32(w, crc_at, (int32) crc32(0L, w->buf + crc_at + 4, (uInt) (w->len - crc_at - 4)));
}

static size_t
gzip_bytes(const uint8 *in, size_t len, uint8 *out, size_t cap)
{
	z_stream	zs;

	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (Bytef *) in;
	zs.avail_in = (uInt) len;
	zs.next_out = out;
	zs.avail_out = (uInt) cap;
	deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	return zs.total_out;
}

static void
test_built(void)
{
	KWriter		inner,
				set;
	uint8		gz[65536];
	size_t		gzlen;
	uint8	   *out;
	size_t		outlen;
	char		err[200];
	RecordBatchInfo info;
	Rec			recs[4];

	/* a LogAppendTime wrapper: every record gets the wrapper's timestamp */
	KWriterInit(&inner, 256);
	put_message(&inner, 1, 0, 111, "a", (const uint8 *) "x", 1);
	put_message(&inner, 1, 0, 222, "b", (const uint8 *) "y", 1);
	gzlen = gzip_bytes(inner.buf, inner.len, gz, sizeof(gz));
	KWriterInit(&set, 256);
	put_message(&set, 1, 0x01 | 0x08, 999, NULL, gz, (int32) gzlen);
	ok(convert(set.buf, set.len, 1 << 20, &out, &outlen, err) == 0 &&
	   decode_batch(out, outlen, &info, recs, 4) == 2 && recs[0].ts == 999 && recs[1].ts == 999,
	   "a LogAppendTime wrapper's timestamp replaces its messages'");

	/* damage: a flipped bit in every byte fails the CRC or the structure */
	{
		uint8		in[1024];
		size_t		n = unhex(kp_v1, in);
		int			bad = 0;
		bool		in_offset[1024] = {false};
		bool		boundary[1024] = {false};

		/* the entries' Offset fields are ignored (not under the CRC) */
		for (size_t pos = 0; pos < n; pos += LEGACY_ENTRY_OVERHEAD + (in[pos + 10] << 8 | in[pos + 11]))
		{
			for (int k = 0; k < 8; k++)
				in_offset[pos + k] = true;
			boundary[pos] = true;
		}
		for (size_t i = 0; i < n; i++)
		{
			if (in_offset[i])
				continue;
			in[i] ^= 0x10;
			if (convert(in, n, 1 << 20, &out, &outlen, err) == 0)
				bad++;
			in[i] ^= 0x10;
		}
		ok(bad == 0, "a flipped bit anywhere but in an entry's offset is refused (%d accepted)", bad);
		bad = 0;
		for (size_t cut = 1; cut < n; cut++)
			if (!boundary[cut] && convert(in, cut, 1 << 20, &out, &outlen, err) == 0)
				bad++;
		ok(bad == 0, "a message set cut inside a message is refused (%d accepted)", bad);
		in[LEGACY_ENTRY_OVERHEAD + 4] = 0;	/* magic: CRC now wrong */
		ok(convert(in, n, 1 << 20, &out, &outlen, err) == KAFKA_ERR_CORRUPT_MESSAGE &&
		   strstr(err, "crc") != NULL, "a bad CRC is CORRUPT_MESSAGE: %s", err);
	}

	/* a compressed message inside a compressed one */
	{
		KWriter		nested;

		KWriterInit(&nested, 256);
		put_message(&nested, 1, 0x01, 5, NULL, gz, (int32) gzlen);
		gzlen = gzip_bytes(nested.buf, nested.len, gz, sizeof(gz));
		KWriterReset(&set);
		put_message(&set, 1, 0x01, 5, NULL, gz, (int32) gzlen);
		ok(convert(set.buf, set.len, 1 << 20, &out, &outlen, err) == KAFKA_ERR_INVALID_RECORD,
		   "a compressed message inside a compressed one is INVALID_RECORD: %s", err);
		KWriterFree(&nested);
	}

	/* snappy, and gzip that is not gzip */
	KWriterReset(&set);
	put_message(&set, 1, 0x02, 5, NULL, (const uint8 *) "whatever", 8);
	ok(convert(set.buf, set.len, 1 << 20, &out, &outlen, err) == KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE,
	   "snappy is UNSUPPORTED_COMPRESSION_TYPE: %s", err);
	KWriterReset(&set);
	put_message(&set, 1, 0x01, 5, NULL, (const uint8 *) "not gzip at all", 15);
	ok(convert(set.buf, set.len, 1 << 20, &out, &outlen, err) == KAFKA_ERR_CORRUPT_MESSAGE,
	   "corrupt gzip is CORRUPT_MESSAGE: %s", err);
	KWriterReset(&set);
	put_message(&set, 1, 0x01, 5, NULL, gz, (int32) gzlen / 2);
	ok(convert(set.buf, set.len, 1 << 20, &out, &outlen, err) == KAFKA_ERR_CORRUPT_MESSAGE,
	   "truncated gzip is CORRUPT_MESSAGE: %s", err);

	/* a wrapper that inflates past the limit: refused, bounded */
	{
		static uint8 zeros[1 << 20];
		size_t		inflated;

		KWriterReset(&inner);
		put_message(&inner, 1, 0, 5, NULL, zeros, (int32) sizeof(zeros));
		gzlen = gzip_bytes(inner.buf, inner.len, gz, sizeof(gz));
		KWriterReset(&set);
		put_message(&set, 1, 0x01, 5, NULL, gz, (int32) gzlen);
		ok(LegacyMessageSetConvert(set.buf, set.len, 64 * 1024, &out, &outlen, &inflated,
								   err, sizeof(err)) == KAFKA_ERR_MESSAGE_TOO_LARGE &&
		   inflated <= 64 * 1024,
		   "%zu gzip'd bytes inflating to 1 MB with a 64 kB limit: MESSAGE_TOO_LARGE, %zu inflated",
		   set.len, inflated);
		ok(LegacyMessageSetConvert(set.buf, set.len, 2 << 20, &out, &outlen, &inflated,
								   err, sizeof(err)) == 0 && inflated == inner.len,
		   "... and converted under a 2 MB limit");
	}

	/* an empty set, and trailing bytes that are not a message */
	ok(convert((const uint8 *) "", 0, 1 << 20, &out, &outlen, err) == KAFKA_ERR_INVALID_RECORD,
	   "an empty message set is INVALID_RECORD");
	{
		uint8		in[1024];
		size_t		n = unhex(kp_v0, in);

		ok(convert(in, n + 5, 1 << 20, &out, &outlen, err) == KAFKA_ERR_CORRUPT_MESSAGE,
		   "5 bytes after the last message are CORRUPT_MESSAGE: %s", err);
	}
	KWriterFree(&inner);
	KWriterFree(&set);
}

int
main(void)
{
	test_kafka_python("kafka-python magic 0", kp_v0, 0, false);
	test_kafka_python("kafka-python magic 1", kp_v1, 1, false);
	test_kafka_python("kafka-python magic 1 gzip", kp_v1_gzip, 1, true);
	test_kafka_python("kafka-python magic 0 gzip", kp_v0_gzip, 0, true);
	test_built();
	return done_testing();
}
