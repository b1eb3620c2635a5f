/*-------------------------------------------------------------------------
 *
 * legacy.c
 *	  Converting legacy message sets (magic 0/1, Produce v0-v2) into one
 *	  magic-2 record batch.  See include/kafka/legacy.h for the formats.
 *
 *	  Every message is read through its own length and its CRC-32 checked
 *	  before anything in it is believed.  Keys and values are not copied
 *	  while parsing: the records point into the request frame (or into the
 *	  one inflated buffer of a compressed wrapper) until the batch is
 *	  written.  Decompression never produces more than the caller's limit.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/legacy.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <zlib.h>

#include "kafka/kbuf.h"
#include "kafka/legacy.h"
#include "kafka/protocol.h"
#include "kafka/records.h"
#include "utils/crc32c.h"

#define LEGACY_ATTR_COMPRESSION_MASK	0x07
#define LEGACY_ATTR_LOG_APPEND_TIME		0x08

/* One record to be written, pointing into the frame or an inflated buffer. */
typedef struct LegacyRecord
{
	const uint8 *key;
	int32		key_len;		/* -1: null */
	const uint8 *value;
	int32		value_len;		/* -1: null */
	int64		timestamp;		/* -1: none (magic 0) */
} LegacyRecord;

typedef struct LegacyState
{
	LegacyRecord *recs;
	int			nrecs;
	int			cap;
	int			compression;	/* of the first wrapper: the batch's codec */
	size_t		inflate_limit;
	size_t		inflated;
	uint8	  **buffers;		/* inflated buffers, freed at the end */
	int			nbuffers;
	char	   *errmsg;
	size_t		errlen;
} LegacyState;

static int16
legacy_error(LegacyState *st, int16 code, const char *fmt,...)
pg_attribute_printf(3, 4);

static int16
legacy_error(LegacyState *st, int16 code, const char *fmt,...)
{
	va_list		ap;

	if (st->errmsg && st->errlen)
	{
		va_start(ap, fmt);
		vsnprintf(st->errmsg, st->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

bool
LegacyIsMessageSet(const uint8 *buf, size_t len)
{
	/* the magic byte of the first message: entry header + CRC */
	return len > LEGACY_ENTRY_OVERHEAD + 4 &&
		(buf[LEGACY_ENTRY_OVERHEAD + 4] == 0 || buf[LEGACY_ENTRY_OVERHEAD + 4] == 1);
}

static void
add_record(LegacyState *st, const LegacyRecord *r)
{
	if (st->nrecs == st->cap)
	{
		st->cap = st->cap ? st->cap * 2 : 16;
		st->recs = st->recs ? repalloc(st->recs, sizeof(LegacyRecord) * (size_t) st->cap)
			: palloc(sizeof(LegacyRecord) * (size_t) st->cap);
	}
	st->recs[st->nrecs++] = *r;
}

/*
 * Inflate a gzip stream into a palloc'd buffer, never growing it past what
 * is left of st->inflate_limit.  NULL with the error code in *err.
 */
static uint8 *
gunzip(LegacyState *st, const uint8 *in, size_t inlen, size_t *outlen, int16 *err)
{
	z_stream	zs;
	size_t		cap = Min(Max(inlen * 4, (size_t) 1024), st->inflate_limit - st->inflated);
	uint8	   *out;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
	{
		*err = legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "cannot start gzip decompression");
		return NULL;
	}
	out = palloc(Max(cap, 1));
	zs.next_in = (Bytef *) in;
	zs.avail_in = (uInt) Min(inlen, (size_t) UINT_MAX);
	zs.next_out = out;
	zs.avail_out = (uInt) cap;
	for (;;)
	{
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		/* out of input with room left for output: the stream ends early */
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || (zs.avail_out > 0 && zs.avail_in == 0))
		{
			*err = legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "corrupt gzip data in a compressed message: %s",
								zs.msg ? zs.msg : "truncated");
			inflateEnd(&zs);
			pfree(out);
			return NULL;
		}
		if (zs.avail_out == 0)
		{
			size_t		used = cap;
			size_t		room = st->inflate_limit - st->inflated;

			if (cap >= room)
			{
				inflateEnd(&zs);
				pfree(out);
				*err = legacy_error(st, KAFKA_ERR_MESSAGE_TOO_LARGE,
									"a compressed message set inflates to more than %zu bytes",
									st->inflate_limit);
				return NULL;
			}
			cap = Min(cap * 2, room);
			out = repalloc(out, cap);
			zs.next_out = out + used;
			zs.avail_out = (uInt) (cap - used);
		}
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	st->inflated += *outlen;
	return out;
}

static int16 parse_message_set(LegacyState *st, const uint8 *buf, size_t len, int depth,
							   int64 wrapper_ts, bool wrapper_log_append_time, int wrapper_magic);

/*
 * One message (msg[0..len), its CRC first).  depth 0: a message of the
 * request's set; 1: inside a compressed wrapper.
 */
static int16
parse_message(LegacyState *st, const uint8 *msg, size_t len, int depth,
			  int64 wrapper_ts, bool wrapper_log_append_time, int wrapper_magic)
{
	KReader		r;
	uint32		crc;
	int8		magic;
	int8		attrs;
	int			codec;
	LegacyRecord rec;

	if (len < LEGACY_MESSAGE_MIN_V0)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "message of %zu bytes is smaller than the minimum %d",
							len, LEGACY_MESSAGE_MIN_V0);
	crc = LoadBE32(msg);
	if ((uint32) crc32(0L, msg + 4, (uInt) (len - 4)) != crc)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "message is corrupt (stored crc = %u, computed crc = %u)",
							crc, (uint32) crc32(0L, msg + 4, (uInt) (len - 4)));
	magic = (int8) msg[4];
	attrs = (int8) msg[5];
	if (magic != 0 && magic != 1)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "invalid magic %d in a legacy message set", magic);
	if (depth > 0 && magic != wrapper_magic)
		return legacy_error(st, KAFKA_ERR_INVALID_RECORD,
							"a compressed message of magic %d holds a message of magic %d",
							wrapper_magic, magic);
	if (magic == 1 && len < LEGACY_MESSAGE_MIN_V1)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "message of %zu bytes is smaller than the minimum %d",
							len, LEGACY_MESSAGE_MIN_V1);

	KReaderInit(&r, msg + 6, len - 6);
	rec.timestamp = magic == 1 ? KReadInt64(&r) : -1;
	rec.key_len = KReadInt32(&r);
	rec.key = NULL;
	if (rec.key_len < -1)
		KReaderFail(&r, "negative key length %d", rec.key_len);
	else if (rec.key_len >= 0)
	{
		rec.key = msg + 6 + r.pos;
		KReadSkip(&r, (size_t) rec.key_len);
	}
	rec.value_len = KReadInt32(&r);
	rec.value = NULL;
	if (rec.value_len < -1)
		KReaderFail(&r, "negative value length %d", rec.value_len);
	else if (rec.value_len >= 0)
	{
		rec.value = msg + 6 + r.pos;
		KReadSkip(&r, (size_t) rec.value_len);
	}
	if (!r.failed && KReaderRemaining(&r) != 0)
		KReaderFail(&r, "%zu bytes after the value", KReaderRemaining(&r));
	if (r.failed)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "malformed message: %s", r.errmsg);
	if (rec.timestamp < -1)
		return legacy_error(st, KAFKA_ERR_INVALID_TIMESTAMP, "invalid negative timestamp %lld",
							(long long) rec.timestamp);

	codec = attrs & LEGACY_ATTR_COMPRESSION_MASK;
	if (codec == 0)
	{
		if (depth > 0)
			rec.timestamp = magic == 0 ? -1 : wrapper_log_append_time ? wrapper_ts : rec.timestamp;
		add_record(st, &rec);
		return KAFKA_ERR_NONE;
	}
	if (depth > 0)
		return legacy_error(st, KAFKA_ERR_INVALID_RECORD,
							"a compressed message holds another compressed message");
	if (codec == RB_COMPRESSION_SNAPPY || codec == RB_COMPRESSION_LZ4 || codec == RB_COMPRESSION_ZSTD)
		return legacy_error(st, KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE,
							"%s-compressed legacy message sets (magic %d) are not supported; use gzip, or Produce v3 or later",
							codec == RB_COMPRESSION_SNAPPY ? "snappy" : codec == RB_COMPRESSION_LZ4 ? "lz4" : "zstd",
							magic);
	if (codec != RB_COMPRESSION_GZIP)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "unknown compression type id %d", codec);
	if (rec.value_len <= 0)
		return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "a compressed message has no value");
	{
		size_t		inner_len = 0;
		int16		err = KAFKA_ERR_NONE;
		uint8	   *inner = gunzip(st, rec.value, (size_t) rec.value_len, &inner_len, &err);

		if (inner == NULL)
			return err;
		st->buffers = st->buffers ? repalloc(st->buffers, sizeof(uint8 *) * (size_t) (st->nbuffers + 1))
			: palloc(sizeof(uint8 *));
		st->buffers[st->nbuffers++] = inner;
		if (st->compression == RB_COMPRESSION_NONE)
			st->compression = RB_COMPRESSION_GZIP;
		return parse_message_set(st, inner, inner_len, 1, rec.timestamp,
								 magic == 1 && (attrs & LEGACY_ATTR_LOG_APPEND_TIME) != 0, magic);
	}
}

/* Every entry of a message set; an empty set or a partial entry is corrupt. */
static int16
parse_message_set(LegacyState *st, const uint8 *buf, size_t len, int depth,
				  int64 wrapper_ts, bool wrapper_log_append_time, int wrapper_magic)
{
	size_t		pos = 0;

	if (len == 0)
		return legacy_error(st, depth ? KAFKA_ERR_CORRUPT_MESSAGE : KAFKA_ERR_INVALID_RECORD,
							"%s message set is empty", depth ? "a compressed message's" : "the");
	while (pos < len)
	{
		int32		size;
		int16		err;

		if (len - pos < LEGACY_ENTRY_OVERHEAD)
			return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "%zu bytes after the last message cannot hold another",
								len - pos);
		size = (int32) LoadBE32(buf + pos + 8);
		if (size < 0 || (size_t) size > len - pos - LEGACY_ENTRY_OVERHEAD)
			return legacy_error(st, KAFKA_ERR_CORRUPT_MESSAGE, "message size %d runs past the message set (%zu bytes left)",
								size, len - pos - LEGACY_ENTRY_OVERHEAD);
		err = parse_message(st, buf + pos + LEGACY_ENTRY_OVERHEAD, (size_t) size, depth,
							wrapper_ts, wrapper_log_append_time, wrapper_magic);
		if (err != KAFKA_ERR_NONE)
			return err;
		pos += LEGACY_ENTRY_OVERHEAD + (size_t) size;
	}
	return KAFKA_ERR_NONE;
}

/* gzip the records section into w; false on a zlib failure. */
static bool
gzip_into(KWriter *w, const uint8 *data, size_t len)
{
	z_stream	zs;
	uLong		bound;
	uint8	   *dst;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	bound = deflateBound(&zs, (uLong) len) + 32;	/* + the gzip header/trailer */
	dst = KWriteAlloc(w, (size_t) bound);
	zs.next_in = (Bytef *) data;
	zs.avail_in = (uInt) len;
	zs.next_out = dst;
	zs.avail_out = (uInt) bound;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END)
	{
		deflateEnd(&zs);
		return false;
	}
	w->len -= (size_t) bound - zs.total_out;
	deflateEnd(&zs);
	return true;
}

int16
LegacyMessageSetConvert(const uint8 *buf, size_t len, size_t inflate_limit,
						uint8 **out, size_t *outlen, size_t *inflated,
						char *errmsg, size_t errlen)
{
	LegacyState st;
	int16		err;
	KWriter		recs,
				batch;
	int64		base_ts = -1,
				max_ts = -1;
	size_t		len_at,
				crc_at;

	memset(&st, 0, sizeof(st));
	st.inflate_limit = inflate_limit;
	st.errmsg = errmsg;
	st.errlen = errlen;
	st.compression = RB_COMPRESSION_NONE;
	*out = NULL;
	*outlen = 0;
	if (errmsg && errlen)
		errmsg[0] = '\0';

	err = parse_message_set(&st, buf, len, 0, -1, false, 0);
	if (err == KAFKA_ERR_NONE && st.nrecs == 0)
		err = legacy_error(&st, KAFKA_ERR_INVALID_RECORD, "the message set holds no messages");

	if (err == KAFKA_ERR_NONE)
	{
		/* The records section: offset deltas 0..n-1, no headers. */
		base_ts = st.recs[0].timestamp;
		KWriterInit(&recs, len + 64);
		for (int i = 0; i < st.nrecs; i++)
		{
			const LegacyRecord *r = &st.recs[i];
			KWriter		one;

			KWriterInit(&one, 32 + (size_t) Max(r->key_len, 0) + (size_t) Max(r->value_len, 0));
			KWriteInt8(&one, 0);
			/* wraps like the reader's base + delta: no signed overflow */
			KWriteVarlong(&one, (int64) ((uint64) r->timestamp - (uint64) base_ts));
			KWriteVarint(&one, i);
			KWriteVarint(&one, r->key_len);
			if (r->key_len > 0)
				KWriteRaw(&one, r->key, (size_t) r->key_len);
			KWriteVarint(&one, r->value_len);
			if (r->value_len > 0)
				KWriteRaw(&one, r->value, (size_t) r->value_len);
			KWriteVarint(&one, 0);
			KWriteVarint(&recs, (int32) one.len);
			KWriteRaw(&recs, one.buf, one.len);
			KWriterFree(&one);
			if (r->timestamp > max_ts)
				max_ts = r->timestamp;
		}

		KWriterInit(&batch, recs.len + RECORD_BATCH_OVERHEAD + 64);
		KWriteInt64(&batch, 0);				/* BaseOffset: assigned on append */
		len_at = KWriteReserveInt32(&batch);
		KWriteInt32(&batch, -1);			/* PartitionLeaderEpoch */
		KWriteInt8(&batch, 2);
		crc_at = KWriteReserveInt32(&batch);
		KWriteInt16(&batch, (int16) st.compression);
		KWriteInt32(&batch, st.nrecs - 1);	/* LastOffsetDelta */
		KWriteInt64(&batch, base_ts);
		KWriteInt64(&batch, max_ts);
		KWriteInt64(&batch, -1);			/* ProducerId */
		KWriteInt16(&batch, -1);			/* ProducerEpoch */
		KWriteInt32(&batch, -1);			/* BaseSequence */
		KWriteInt32(&batch, st.nrecs);
		if (st.compression == RB_COMPRESSION_GZIP)
		{
			if (!gzip_into(&batch, recs.buf, recs.len))
				err = legacy_error(&st, KAFKA_ERR_UNKNOWN_SERVER_ERROR, "gzip compression failed");
		}
		else
			KWriteRaw(&batch, recs.buf, recs.len);
		KWriterFree(&recs);
		if (err == KAFKA_ERR_NONE && (batch.failed || batch.len - RECORD_BATCH_LOG_OVERHEAD > INT32_MAX))
			err = legacy_error(&st, KAFKA_ERR_MESSAGE_TOO_LARGE, "the converted record batch is too large");
		if (err == KAFKA_ERR_NONE)
		{
			KWritePatchInt32(&batch, len_at, (int32) (batch.len - RECORD_BATCH_LOG_OVERHEAD));
			KWritePatchInt32(&batch, crc_at, (int32) RecordBatchComputeCrc(batch.buf));
			*out = batch.buf;
			*outlen = batch.len;
		}
		else
			KWriterFree(&batch);
	}

	for (int i = 0; i < st.nbuffers; i++)
		pfree(st.buffers[i]);
	if (st.buffers)
		pfree(st.buffers);
	if (st.recs)
		pfree(st.recs);
	*inflated = st.inflated;
	return err;
}
