/*-------------------------------------------------------------------------
 *
 * records.h
 *	  Kafka record batches (magic 2): validation of what producers send, and
 *	  the in-place rewrites a broker makes before storing a batch.
 *
 *	  Layout of one batch (all big-endian):
 *
 *		 0 BaseOffset int64          | not covered by the CRC: the broker
 *		 8 BatchLength int32         | rewrites BaseOffset and
 *		12 PartitionLeaderEpoch int32| PartitionLeaderEpoch freely
 *		16 Magic int8 (= 2)
 *		17 CRC uint32: CRC-32C of bytes 21..end
 *		21 Attributes int16: bits 0-2 compression (0 none, 1 gzip, 2 snappy,
 *		   3 lz4, 4 zstd), bit 3 timestamp type (1 = LogAppendTime),
 *		   bit 4 transactional, bit 5 control, bit 6 delete horizon
 *		23 LastOffsetDelta int32
 *		27 BaseTimestamp int64
 *		35 MaxTimestamp int64
 *		43 ProducerId int64
 *		51 ProducerEpoch int16
 *		53 BaseSequence int32
 *		57 RecordCount int32
 *		61 records
 *
 *	  BatchLength counts the bytes after itself, so a batch occupies
 *	  12 + BatchLength bytes.  Each record is a varint length followed by
 *	  attributes int8, timestampDelta varlong, offsetDelta varint, key
 *	  (varint length, -1 = null), value (likewise), and a varint count of
 *	  headers, each a key (varint length >= 0) and a value (-1 = null).
 *
 *	  Strata never decompresses: a compressed batch is checked up to its
 *	  header and CRC, an uncompressed one record by record.  Errors are the
 *	  ones Kafka 3.9 answers: CORRUPT_MESSAGE for a bad size, an unknown magic
 *	  or a CRC mismatch; INVALID_RECORD for magic 0/1 in Produce v3+, a batch
 *	  count other than one, a bad record count or offset range, a control
 *	  batch from a client, a record whose varint structure does not match its
 *	  length; UNSUPPORTED_COMPRESSION_TYPE for zstd before Produce v7;
 *	  UNSUPPORTED_FOR_MESSAGE_FORMAT for a magic 0/1 message set that was
 *	  not converted first (the Produce handler converts them: kafka/legacy.h).
 *
 * include/kafka/records.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_RECORDS_H
#define STRATA_KAFKA_RECORDS_H

#include "c.h"

#define RECORD_BATCH_OVERHEAD		61	/* header bytes before the records */
#define RECORD_BATCH_LOG_OVERHEAD	12	/* BaseOffset + BatchLength */

#define RB_BASE_OFFSET_OFF			0
#define RB_LENGTH_OFF				8
#define RB_LEADER_EPOCH_OFF			12
#define RB_MAGIC_OFF				16
#define RB_CRC_OFF					17
#define RB_ATTRIBUTES_OFF			21
#define RB_LAST_OFFSET_DELTA_OFF	23
#define RB_BASE_TIMESTAMP_OFF		27
#define RB_MAX_TIMESTAMP_OFF		35
#define RB_PRODUCER_ID_OFF			43
#define RB_PRODUCER_EPOCH_OFF		51
#define RB_BASE_SEQUENCE_OFF		53
#define RB_RECORD_COUNT_OFF			57

#define RB_ATTR_COMPRESSION_MASK	0x07
#define RB_ATTR_LOG_APPEND_TIME		0x08
#define RB_ATTR_TRANSACTIONAL		0x10
#define RB_ATTR_CONTROL				0x20
#define RB_ATTR_DELETE_HORIZON		0x40

typedef enum RecordCompression
{
	RB_COMPRESSION_NONE = 0,
	RB_COMPRESSION_GZIP = 1,
	RB_COMPRESSION_SNAPPY = 2,
	RB_COMPRESSION_LZ4 = 3,
	RB_COMPRESSION_ZSTD = 4
} RecordCompression;

/* What validation found out about one batch. */
typedef struct RecordBatchInfo
{
	size_t		offset;			/* where the batch starts in the blob */
	int32		size;			/* bytes the batch occupies (12 + BatchLength) */
	int64		base_offset;	/* as sent (producers send 0) */
	int32		partition_leader_epoch;
	int16		attributes;
	int32		last_offset_delta;
	int32		record_count;
	int64		first_timestamp;	/* BaseTimestamp */
	int64		max_timestamp;	/* MaxTimestamp field as sent */
	int64		computed_max_timestamp; /* uncompressed: from the records; else = max_timestamp */
	int64		computed_min_timestamp; /* uncompressed: from the records; else = first_timestamp */
	int64		producer_id;
	int16		producer_epoch;
	int32		base_sequence;
	int			compression;	/* RecordCompression */
	bool		transactional;
	bool		control;
	bool		log_append_time;	/* timestamp type bit */
	uint32		crc;
} RecordBatchInfo;

/* Flags for validation. */
#define RECORDS_ALLOW_CONTROL	0x01	/* the broker's own transaction markers */

/*
 * RecordBatchValidate: check the batch at buf (len bytes from there to the
 * end of the blob) and fill info.  Returns a Kafka error code (0 = valid);
 * errmsg gets a one-line reason for the produce response's ErrorMessage.
 */
extern int16 RecordBatchValidate(const uint8 *buf, size_t len, int flags,
								 RecordBatchInfo *info, char *errmsg, size_t errlen);

/*
 * RecordsValidate: validate every batch of a records blob (a Produce
 * partition's Records, or data read back from storage).  Fills up to
 * max_infos entries of infos and sets *nbatches to the number of batches.
 * An empty blob is INVALID_RECORD; trailing bytes that do not form a whole
 * batch are CORRUPT_MESSAGE.
 */
extern int16 RecordsValidate(const uint8 *buf, size_t len, int flags,
							 RecordBatchInfo *infos, int max_infos, int *nbatches,
							 char *errmsg, size_t errlen);

/*
 * RecordsValidateProduce: Kafka's rules for one partition of a Produce
 * request at the given version: from v3 exactly one magic-2 batch and no
 * zstd before v7; before v3 one magic-2 batch (a magic 0/1 message set
 * must have been converted by LegacyMessageSetConvert first, else it is
 * UNSUPPORTED_FOR_MESSAGE_FORMAT); plus everything
 * RecordBatchValidate checks.  Null or empty records are INVALID_RECORD.
 * info describes the first batch.
 */
extern int16 RecordsValidateProduce(const uint8 *records, int32 len, int16 produce_version,
									RecordBatchInfo *info, char *errmsg, size_t errlen);

/*
 * In-place rewrites of a validated batch (batch points at its BaseOffset).
 * The base offset and the leader epoch lie outside the CRC; changing the
 * timestamp type or MaxTimestamp recomputes the CRC.
 */
extern void RecordBatchSetBaseOffset(uint8 *batch, int64 base_offset);
extern void RecordBatchSetPartitionLeaderEpoch(uint8 *batch, int32 epoch);
extern void RecordBatchSetLogAppendTime(uint8 *batch, int64 timestamp);
extern void RecordBatchSetMaxTimestamp(uint8 *batch, int64 timestamp);
/* CRC-32C of bytes 21..end, as stored at offset 17. */
extern uint32 RecordBatchComputeCrc(const uint8 *batch);

/*
 * Big-endian fixed-width fields read and written in place, as a batch's
 * header (and a legacy message's) lays them out.
 */
static inline uint32
LoadBE32(const uint8 *p)
{
	return ((uint32) p[0] << 24) | ((uint32) p[1] << 16) | ((uint32) p[2] << 8) | p[3];
}

static inline int64
LoadBE64(const uint8 *p)
{
	return (int64) (((uint64) LoadBE32(p) << 32) | LoadBE32(p + 4));
}

static inline int16
LoadBE16(const uint8 *p)
{
	return (int16) ((p[0] << 8) | p[1]);
}

static inline void
StoreBE32(uint8 *p, uint32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void
StoreBE64(uint8 *p, int64 v)
{
	StoreBE32(p, (uint32) ((uint64) v >> 32));
	StoreBE32(p + 4, (uint32) v);
}

#endif							/* STRATA_KAFKA_RECORDS_H */
