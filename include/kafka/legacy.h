/*-------------------------------------------------------------------------
 *
 * legacy.h
 *	  Legacy message sets (magic 0 and 1, what Produce v0-v2 may carry),
 *	  converted into one record batch (magic 2) on append, as Kafka 3.x
 *	  converts them.
 *
 *	  A message set is a sequence of entries, all big-endian:
 *
 *		Offset int64 | MessageSize int32 | Message (MessageSize bytes)
 *
 *	  and a message is
 *
 *		 0 Crc uint32: CRC-32 (IEEE, zlib's) of bytes 4..end
 *		 4 Magic int8 (0 or 1)
 *		 5 Attributes int8: bits 0-2 compression (0 none, 1 gzip, 2 snappy,
 *		   3 lz4), bit 3 timestamp type (magic 1; 1 = LogAppendTime)
 *		 6 Timestamp int64 (magic 1 only)
 *		   Key bytes (int32 length, -1 = null)
 *		   Value bytes (int32 length, -1 = null)
 *
 *	  A compressed message (a "wrapper") holds in its value a whole message
 *	  set, compressed, whose messages must not be compressed themselves.
 *	  Producers' offsets are ignored: the records get offset deltas 0..n-1
 *	  and the broker assigns the batch's base offset as for any batch.
 *
 *	  The batch keeps every record's key, value and timestamp (magic 0 has
 *	  none: -1; under a LogAppendTime wrapper the wrapper's); it has no
 *	  producer id, no headers, and is compressed with gzip when the message
 *	  set was (Kafka's compression.type=producer), uncompressed otherwise.
 *	  gzip is the codec this build has; a snappy or lz4 message set gets
 *	  UNSUPPORTED_COMPRESSION_TYPE.
 *
 * include/kafka/legacy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_LEGACY_H
#define STRATA_KAFKA_LEGACY_H

#include "c.h"

/* Smallest legacy message (magic 0, null key and value), and its entry. */
#define LEGACY_MESSAGE_MIN_V0	14
#define LEGACY_MESSAGE_MIN_V1	22
#define LEGACY_ENTRY_OVERHEAD	12	/* Offset + MessageSize */

/* Does a Produce partition's records blob hold a legacy message set? */
extern bool LegacyIsMessageSet(const uint8 *buf, size_t len);

/*
 * LegacyMessageSetConvert: convert the message set buf[0..len) into one
 * magic-2 record batch, *out (palloc'd, *outlen bytes, base offset 0,
 * valid CRC-32C).  inflate_limit bounds the bytes decompression may
 * produce (a wrapper whose contents inflate past it is refused with
 * MESSAGE_TOO_LARGE), so that nothing is allocated in proportion to what a
 * client claims rather than what it sent; *inflated is set to the bytes
 * inflated.  Returns a Kafka error code (0 = converted); errmsg gets a
 * one-line reason: CORRUPT_MESSAGE for a bad size, CRC, magic or
 * compressed stream; INVALID_RECORD for a compressed message inside a
 * compressed one; UNSUPPORTED_COMPRESSION_TYPE for snappy, lz4 and zstd.
 * Runs in a backend serving Produce; no locks.
 */
extern int16 LegacyMessageSetConvert(const uint8 *buf, size_t len, size_t inflate_limit,
									 uint8 **out, size_t *outlen, size_t *inflated,
									 char *errmsg, size_t errlen);

#endif							/* STRATA_KAFKA_LEGACY_H */
