/*-------------------------------------------------------------------------
 *
 * records.c
 *	  Validation and in-place rewriting of Kafka record batches (magic 2).
 *	  See include/kafka/records.h for the layout and the error contract.
 *
 *	  Order of checks follows Kafka's broker, so a client sees the error
 *	  Kafka would give: the batch's size and magic as the batch iterator sees
 *	  them (CORRUPT_MESSAGE), the Produce rules (INVALID_RECORD, magic 2 and
 *	  one batch), then size and CRC (CORRUPT_MESSAGE), then the batch header
 *	  rules and finally the records themselves (INVALID_RECORD).  Nothing is
 *	  trusted before the CRC has been verified over the bytes it covers, and
 *	  every record is read through a reader narrowed to its own length.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/records.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "kafka/kbuf.h"
#include "kafka/protocol.h"
#include "kafka/records.h"
#include "utils/crc32c.h"

static int16
rb_error(int16 code, char *errmsg, size_t errlen, const char *fmt,...)
pg_attribute_printf(4, 5);

static int16
rb_error(int16 code, char *errmsg, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errmsg && errlen)
	{
		va_start(ap, fmt);
		vsnprintf(errmsg, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/*
 * Walk the records of an uncompressed batch.  Returns false with a message
 * if any record's varint structure disagrees with its length, or the
 * records do not exactly fill the batch.
 */
static bool
walk_records(const uint8 *data, size_t len, int32 count, int64 base_ts,
			 int64 *max_ts, int64 *min_ts, char *errmsg, size_t errlen)
{
	KReader		r;

	KReaderInit(&r, data, len);
	*max_ts = -1;
	*min_ts = INT64_MAX;
	for (int32 i = 0; i < count; i++)
	{
		int32		rlen = KReadVarint(&r);
		KReader		rec;
		int64		ts_delta,
					ts;
		int32		klen,
					vlen,
					nheaders;

		if (r.failed || rlen <= 0 || (size_t) rlen > KReaderRemaining(&r))
		{
			rb_error(0, errmsg, errlen, "record %d: invalid length %d with %zu bytes left in the batch",
					 i, rlen, KReaderRemaining(&r));
			return false;
		}
		KReaderSub(&r, &rec, (size_t) rlen);
		(void) KReadInt8(&rec);	/* attributes: unused in magic 2 */
		ts_delta = KReadVarlong(&rec);
		(void) KReadVarint(&rec);	/* offset delta */
		klen = KReadVarint(&rec);
		if (klen < -1)
			KReaderFail(&rec, "negative key length %d", klen);
		else if (klen > 0)
			KReadSkip(&rec, (size_t) klen);
		vlen = KReadVarint(&rec);
		if (vlen < -1)
			KReaderFail(&rec, "negative value length %d", vlen);
		else if (vlen > 0)
			KReadSkip(&rec, (size_t) vlen);
		nheaders = KReadVarint(&rec);
		if (nheaders < 0)
			KReaderFail(&rec, "negative header count %d", nheaders);
		for (int32 h = 0; h < nheaders && !rec.failed; h++)
		{
			int32		hk = KReadVarint(&rec);
			int32		hv;

			if (hk < 0)
			{
				KReaderFail(&rec, "negative header key length %d", hk);
				break;
			}
			KReadSkip(&rec, (size_t) hk);
			hv = KReadVarint(&rec);
			if (hv < -1)
				KReaderFail(&rec, "negative header value length %d", hv);
			else if (hv > 0)
				KReadSkip(&rec, (size_t) hv);
		}
		if (!rec.failed && KReaderRemaining(&rec) != 0)
			KReaderFail(&rec, "%zu bytes left over", KReaderRemaining(&rec));
		if (rec.failed)
		{
			rb_error(0, errmsg, errlen, "record %d: %s", i, rec.errmsg);
			return false;
		}
		/* a client's delta may be anything: add without signed overflow */
		ts = (int64) ((uint64) base_ts + (uint64) ts_delta);
		if (ts > *max_ts)
			*max_ts = ts;
		if (ts < *min_ts)
			*min_ts = ts;
	}
	if (KReaderRemaining(&r) != 0)
	{
		rb_error(0, errmsg, errlen, "%zu bytes after the last of %d records",
				 KReaderRemaining(&r), count);
		return false;
	}
	return true;
}

/*
 * RecordBatchValidate: run by the Produce handler (through
 * RecordsValidateProduce) on every batch a client sends, before anything is
 * appended; also usable on data read back from storage.  The CRC is
 * verified before any field it covers is believed.
 */
int16
RecordBatchValidate(const uint8 *buf, size_t len, int flags,
					RecordBatchInfo *info, char *errmsg, size_t errlen)
{
	int32		batch_length;
	int8		magic;
	uint32		crc;
	int16		attrs;

	memset(info, 0, sizeof(*info));
	if (errmsg && errlen)
		errmsg[0] = '\0';
	if (len < RECORD_BATCH_LOG_OVERHEAD + 5)	/* up to and including magic */
		return rb_error(KAFKA_ERR_CORRUPT_MESSAGE, errmsg, errlen,
						"%zu bytes cannot hold a record batch header", len);
	batch_length = (int32) LoadBE32(buf + RB_LENGTH_OFF);
	magic = (int8) buf[RB_MAGIC_OFF];
	if (magic < 0 || magic > 2)
		return rb_error(KAFKA_ERR_CORRUPT_MESSAGE, errmsg, errlen,
						"invalid magic %d in record batch", magic);
	if (magic != 2)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"record batches must have magic 2, not %d", magic);
	if (batch_length < RECORD_BATCH_OVERHEAD - RECORD_BATCH_LOG_OVERHEAD)
		return rb_error(KAFKA_ERR_CORRUPT_MESSAGE, errmsg, errlen,
						"record batch size %d is smaller than the minimum %d",
						batch_length, RECORD_BATCH_OVERHEAD - RECORD_BATCH_LOG_OVERHEAD);
	if ((size_t) batch_length > len - RECORD_BATCH_LOG_OVERHEAD)
		return rb_error(KAFKA_ERR_CORRUPT_MESSAGE, errmsg, errlen,
						"record batch of %d bytes is truncated to %zu",
						batch_length + RECORD_BATCH_LOG_OVERHEAD, len);

	info->size = batch_length + RECORD_BATCH_LOG_OVERHEAD;
	crc = LoadBE32(buf + RB_CRC_OFF);
	info->crc = RecordBatchComputeCrc(buf);
	if (crc != info->crc)
		return rb_error(KAFKA_ERR_CORRUPT_MESSAGE, errmsg, errlen,
						"record batch is corrupt (stored crc = %u, computed crc = %u)",
						crc, info->crc);

	attrs = LoadBE16(buf + RB_ATTRIBUTES_OFF);
	info->base_offset = LoadBE64(buf + RB_BASE_OFFSET_OFF);
	info->partition_leader_epoch = (int32) LoadBE32(buf + RB_LEADER_EPOCH_OFF);
	info->attributes = attrs;
	info->last_offset_delta = (int32) LoadBE32(buf + RB_LAST_OFFSET_DELTA_OFF);
	info->first_timestamp = LoadBE64(buf + RB_BASE_TIMESTAMP_OFF);
	info->max_timestamp = LoadBE64(buf + RB_MAX_TIMESTAMP_OFF);
	info->computed_max_timestamp = info->max_timestamp;
	info->computed_min_timestamp = info->first_timestamp;
	info->producer_id = LoadBE64(buf + RB_PRODUCER_ID_OFF);
	info->producer_epoch = LoadBE16(buf + RB_PRODUCER_EPOCH_OFF);
	info->base_sequence = (int32) LoadBE32(buf + RB_BASE_SEQUENCE_OFF);
	info->record_count = (int32) LoadBE32(buf + RB_RECORD_COUNT_OFF);
	info->compression = attrs & RB_ATTR_COMPRESSION_MASK;
	info->transactional = (attrs & RB_ATTR_TRANSACTIONAL) != 0;
	info->control = (attrs & RB_ATTR_CONTROL) != 0;
	info->log_append_time = (attrs & RB_ATTR_LOG_APPEND_TIME) != 0;

	if (info->compression > RB_COMPRESSION_ZSTD)
		return rb_error(KAFKA_ERR_CORRUPT_MESSAGE, errmsg, errlen,
						"unknown compression type id %d", info->compression);
	if (info->last_offset_delta < 0)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"batch has an invalid offset range (last offset delta %d)",
						info->last_offset_delta);
	if (info->record_count <= 0)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"invalid reported count for record batch: %d", info->record_count);
	if ((int64) info->last_offset_delta + 1 != info->record_count)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"inconsistent batch offset range (last offset delta %d) and count of records %d",
						info->last_offset_delta, info->record_count);
	if (info->control && !(flags & RECORDS_ALLOW_CONTROL))
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"clients are not allowed to write control records");
	if (info->producer_id >= 0 && info->base_sequence < 0)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"invalid sequence number %d in record batch with producer id %lld",
						info->base_sequence, (long long) info->producer_id);

	if (info->compression == RB_COMPRESSION_NONE)
	{
		size_t		rlen = (size_t) info->size - RECORD_BATCH_OVERHEAD;
		char		why[160];

		/* Every record takes at least 7 bytes: don't even start otherwise. */
		if ((uint64) info->record_count * 7 > rlen)
			return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
							"record count %d cannot fit in %zu bytes",
							info->record_count, rlen);
		if (!walk_records(buf + RECORD_BATCH_OVERHEAD, rlen, info->record_count,
						  info->first_timestamp, &info->computed_max_timestamp,
						  &info->computed_min_timestamp, why, sizeof(why)))
			return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
							"invalid record in batch: %s", why);
	}
	return KAFKA_ERR_NONE;
}

/* RecordsValidate: every batch of a blob, back to back; see records.h. */
int16
RecordsValidate(const uint8 *buf, size_t len, int flags,
				RecordBatchInfo *infos, int max_infos, int *nbatches,
				char *errmsg, size_t errlen)
{
	size_t		pos = 0;
	int			n = 0;

	*nbatches = 0;
	if (len == 0)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"no record batches at all");
	while (pos < len)
	{
		RecordBatchInfo tmp;
		RecordBatchInfo *info = n < max_infos ? &infos[n] : &tmp;
		int16		err = RecordBatchValidate(buf + pos, len - pos, flags, info, errmsg, errlen);

		if (err != KAFKA_ERR_NONE)
		{
			*nbatches = n;
			return err;
		}
		info->offset = pos;
		pos += (size_t) info->size;
		n++;
	}
	*nbatches = n;
	return KAFKA_ERR_NONE;
}

/* RecordsValidateProduce: Kafka's per-partition Produce rules; see records.h. */
int16
RecordsValidateProduce(const uint8 *records, int32 len, int16 produce_version,
					   RecordBatchInfo *info, char *errmsg, size_t errlen)
{
	int16		err;

	memset(info, 0, sizeof(*info));
	if (len <= 0)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"produce requests with version %d must have at least one record batch per partition",
						produce_version);
	if (produce_version < 3)
	{
		/*
		 * Produce v0-v2: a legacy message set (magic 0/1) is converted by
		 * the Produce handler before it gets here (kafka/legacy.h); one
		 * that was not is refused with the error Kafka uses for formats a
		 * log cannot take.  Magic-2 batches are validated as usual; one per
		 * partition, since the whole blob is appended as one batch.
		 */
		RecordBatchInfo first;
		int			n;

		if (len > RB_MAGIC_OFF && (records[RB_MAGIC_OFF] == 0 || records[RB_MAGIC_OFF] == 1))
			return rb_error(KAFKA_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, errmsg, errlen,
							"message format v%d (magic %d) must be converted before it is stored",
							records[RB_MAGIC_OFF], records[RB_MAGIC_OFF]);
		err = RecordsValidate(records, (size_t) len, 0, &first, 1, &n, errmsg, errlen);
		if (n > 0 || err == KAFKA_ERR_NONE)
			*info = first;
		if (err == KAFKA_ERR_NONE && n > 1)
			return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
							"produce requests with version %d may carry one record batch per partition here, not %d",
							produce_version, n);
		return err;
	}
	err = RecordBatchValidate(records, (size_t) len, 0, info, errmsg, errlen);
	if (err != KAFKA_ERR_NONE)
		return err;
	if (info->compression == RB_COMPRESSION_ZSTD && produce_version < 7)
		return rb_error(KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE, errmsg, errlen,
						"produce requests with version %d are not allowed to use ZStandard compression",
						produce_version);
	if (info->size != len)
		return rb_error(KAFKA_ERR_INVALID_RECORD, errmsg, errlen,
						"produce requests with version %d are only allowed to contain exactly one record batch per partition",
						produce_version);
	return KAFKA_ERR_NONE;
}

/* CRC-32C over Attributes..end, as Kafka defines the batch checksum. */
uint32
RecordBatchComputeCrc(const uint8 *batch)
{
	int32		batch_length = (int32) LoadBE32(batch + RB_LENGTH_OFF);

	return crc32c(0, batch + RB_ATTRIBUTES_OFF,
				  (size_t) batch_length + RECORD_BATCH_LOG_OVERHEAD - RB_ATTRIBUTES_OFF);
}

/*
 * Offset assignment: the Produce handler writes the partition's next offset
 * into the batch header in place.  BaseOffset lies before the CRC's range,
 * so the checksum the client computed stays valid.
 */
void
RecordBatchSetBaseOffset(uint8 *batch, int64 base_offset)
{
	StoreBE64(batch + RB_BASE_OFFSET_OFF, base_offset);
}

void
RecordBatchSetPartitionLeaderEpoch(uint8 *batch, int32 epoch)
{
	StoreBE32(batch + RB_LEADER_EPOCH_OFF, (uint32) epoch);
}

void
RecordBatchSetMaxTimestamp(uint8 *batch, int64 timestamp)
{
	StoreBE64(batch + RB_MAX_TIMESTAMP_OFF, timestamp);
	StoreBE32(batch + RB_CRC_OFF, RecordBatchComputeCrc(batch));
}

/*
 * LogAppendTime: set the timestamp-type bit and MaxTimestamp (readers then
 * take every record's timestamp from MaxTimestamp), then re-checksum.  As in
 * Kafka, BaseTimestamp and the records are left alone.
 */
void
RecordBatchSetLogAppendTime(uint8 *batch, int64 timestamp)
{
	int16		attrs = LoadBE16(batch + RB_ATTRIBUTES_OFF);

	attrs |= RB_ATTR_LOG_APPEND_TIME;
	batch[RB_ATTRIBUTES_OFF] = (uint8) ((uint16) attrs >> 8);
	batch[RB_ATTRIBUTES_OFF + 1] = (uint8) attrs;
	RecordBatchSetMaxTimestamp(batch, timestamp);
}
