/*-------------------------------------------------------------------------
 *
 * objformat.h
 *	  The format of Strata's objects: stream-set objects (SSO, data of many
 *	  streams) and stream objects (SO, one stream).  Both are
 *
 *	    [data block]* [index] [footer, 48 bytes]
 *
 *	  A data block holds consecutive record batches of one stream; blocks
 *	  are sorted by (stream id, offset) and closed at about block_size
 *	  (512 KiB).  The index has one 48-byte entry per block: stream id,
 *	  start and end offset, record count, position, size and the largest
 *	  timestamp.  The footer gives the index's position, length, entry
 *	  count and CRC-32C, the format version, the object kind, the object's
 *	  size, its own CRC and a magic number.  Integers are big-endian, as in
 *	  Kafka.  doc/objects.md describes every field.
 *
 *	  Reading: fetch the last OBJFORMAT_FOOTER_SIZE bytes, parse the footer
 *	  (ObjFormatParseFooter), fetch and parse the index (ObjFormatParseIndex),
 *	  find the block holding (stream, offset) by binary search
 *	  (ObjFormatFindBlock), fetch that block and walk its batches
 *	  (ObjFormatBlockOpen / ObjFormatBlockNext).  Every length and offset
 *	  read from an object is checked before use; a damaged object gives a
 *	  one-line error, never a crash.
 *
 *	  Offsets are Kafka offsets: a batch covers base_offset ..
 *	  base_offset + last_offset_delta; a block's and a stream range's end
 *	  offset is exclusive (last offset + 1).
 *
 * include/storage/objformat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OBJFORMAT_H
#define STRATA_OBJFORMAT_H

#include "c.h"

#define OBJFORMAT_VERSION			1
#define OBJFORMAT_MAGIC				UINT64_C(0x5354524154414f42)	/* "STRATAOB" */
#define OBJFORMAT_BLOCK_MAGIC		UINT32_C(0x53424c4b)	/* "SBLK" */
#define OBJFORMAT_FOOTER_SIZE		48
#define OBJFORMAT_INDEX_ENTRY_SIZE	48
#define OBJFORMAT_BLOCK_HEADER_SIZE	32
#define OBJFORMAT_BATCH_HEADER_SIZE	32
#define OBJFORMAT_DEFAULT_BLOCK_SIZE ((size_t) 512 * 1024)

typedef enum ObjFormatKind
{
	OBJFORMAT_SSO = 1,			/* stream-set object: many streams */
	OBJFORMAT_SO = 2			/* stream object: one stream */
} ObjFormatKind;

typedef struct ObjFormatFooter
{
	uint64		index_position;
	uint32		index_length;
	uint32		entry_count;
	uint32		index_crc;
	uint16		version;
	ObjFormatKind kind;
	uint64		object_size;
} ObjFormatFooter;

typedef struct ObjFormatIndexEntry
{
	uint64		stream_id;
	uint64		start_offset;
	uint64		end_offset;		/* exclusive */
	uint32		record_count;
	uint32		block_size;		/* header included */
	uint64		block_position;
	int64		max_timestamp;
} ObjFormatIndexEntry;

typedef struct ObjFormatIndex
{
	ObjFormatFooter footer;
	int			nentries;
	ObjFormatIndexEntry *entries;
} ObjFormatIndex;

/* One stream's part of an object (what the catalog records). */
typedef struct ObjFormatRange
{
	uint64		stream_id;
	uint64		start_offset;
	uint64		end_offset;		/* exclusive */
	uint64		record_count;
	uint64		bytes;			/* its blocks' bytes */
} ObjFormatRange;

/* One record batch read back from a block. */
typedef struct ObjFormatBatch
{
	uint64		stream_id;
	uint64		base_offset;
	uint32		last_offset_delta;
	uint32		record_count;
	int64		max_timestamp;
	const char *payload;		/* points into the block buffer */
	uint32		payload_len;
} ObjFormatBatch;

typedef struct ObjFormatBlockReader
{
	const char *data;			/* the block's data, after its header */
	size_t		len;
	size_t		pos;
	uint32		remaining;		/* batches still to read */
	uint64		stream_id;
	uint64		next_min_offset;	/* offsets must not go back */
	uint64		end_offset;		/* from the index entry */
	uint32		records_left;	/* from the index entry */
} ObjFormatBlockReader;

/* ---- building ---- */

/*
 * Where blocks begin and end, and so how large an object will be, from the
 * batches alone (stream, record count, payload length), before a byte of
 * it is built: for a put that must announce its length before it sends
 * the first byte.  The builder places its blocks with the same rule
 * (ObjFormatLayoutAdd), so the two cannot disagree: fed the same batches
 * in the same order, ObjFormatLayoutSize is the finished object's size.
 */
typedef struct ObjFormatLayout
{
	size_t		block_size;
	bool		block_open;
	uint64		stream_id;		/* of the open block */
	uint64		block_len;		/* the open block's bytes, header included */
	uint64		block_records;	/* records in the open block */
	uint64		bytes;			/* all blocks, the open one included */
	uint64		nblocks;		/* the open one included */
} ObjFormatLayout;

/* block_size 0 means OBJFORMAT_DEFAULT_BLOCK_SIZE. */
extern void ObjFormatLayoutInit(ObjFormatLayout *l, size_t block_size);

/*
 * Place one batch of len payload bytes; true if it opens a new block (the
 * open one, if any, closes first).  The batch must be one ObjFormatAppend
 * would take.
 */
extern bool ObjFormatLayoutAdd(ObjFormatLayout *l, uint64 stream_id, uint32 record_count,
							   size_t len);

/* The object's size once finished: blocks, index and footer. */
extern uint64 ObjFormatLayoutSize(const ObjFormatLayout *l);

typedef struct ObjFormatBuilder ObjFormatBuilder;

/* block_size 0 means OBJFORMAT_DEFAULT_BLOCK_SIZE. */
extern ObjFormatBuilder *ObjFormatBuilderCreate(ObjFormatKind kind, size_t block_size);

/*
 * The same, building in buf (palloc'd, cap bytes), which the builder takes
 * over: a buffer kept from an earlier object, whose pages are already
 * mapped, so building does not fault in fresh memory again.
 */
extern ObjFormatBuilder *ObjFormatBuilderCreateIn(ObjFormatKind kind, size_t block_size,
												  char *buf, size_t cap);

/*
 * Append one record batch (payload: the Kafka RecordBatch bytes) of stream
 * stream_id.  Streams must come in increasing id order, and within a
 * stream batches in increasing, non-overlapping offset order; an SO takes
 * a single stream.  On a violation returns false with a line in err and
 * leaves the builder unchanged.
 */
extern bool ObjFormatAppend(ObjFormatBuilder *b, uint64 stream_id, uint64 base_offset,
							uint32 last_offset_delta, uint32 record_count,
							int64 max_timestamp, const void *payload, size_t len,
							char *err, size_t errlen);

/* Bytes the object would have if finished now. */
extern size_t ObjFormatBuilderSize(const ObjFormatBuilder *b);

/*
 * The per-stream ranges appended so far, in stream order (palloc'd array,
 * *n entries).
 */
extern ObjFormatRange *ObjFormatBuilderRanges(const ObjFormatBuilder *b, int *n);

/*
 * Streaming an object out while it is built.  ClosedBytes: how many bytes
 * at the front of the builder's buffer are closed blocks, final and ready
 * to be sent.  TakeClosed hands that buffer over (its first *len bytes
 * are those blocks, *cap its allocated size) and goes on in newbuf
 * (palloc'd, newcap bytes, taken over), into which the open block is
 * copied.  The object's positions stay counted from its start; Finish
 * then returns only what was not taken.
 */
extern size_t ObjFormatBuilderClosedBytes(const ObjFormatBuilder *b);
extern char *ObjFormatBuilderTakeClosed(ObjFormatBuilder *b, char *newbuf, size_t newcap,
										size_t *len, size_t *cap);

/*
 * Close the last block, write index and footer; returns the whole object
 * (palloc'd, *len bytes), which the caller now owns -- or, after
 * ObjFormatBuilderTakeClosed, the object's rest.  The builder can then
 * only be asked for its ranges, and freed.
 */
extern char *ObjFormatFinish(ObjFormatBuilder *b, size_t *len);

/* ObjFormatFinish, also giving the allocated size of what it returns. */
extern char *ObjFormatFinishBuffer(ObjFormatBuilder *b, size_t *len, size_t *cap);
extern void ObjFormatBuilderFree(ObjFormatBuilder *b);

/* ---- reading ---- */

/* buf holds the object's last OBJFORMAT_FOOTER_SIZE bytes. */
extern bool ObjFormatParseFooter(const void *buf, size_t len, uint64 object_size,
								 ObjFormatFooter *f, char *err, size_t errlen);

/* buf holds footer->index_length bytes read at footer->index_position. */
extern bool ObjFormatParseIndex(const ObjFormatFooter *f, const void *buf, size_t len,
								ObjFormatIndex *out, char *err, size_t errlen);
extern void ObjFormatIndexFree(ObjFormatIndex *idx);

/* Footer and index of an object held whole in memory. */
extern bool ObjFormatOpenBuffer(const void *obj, size_t len, ObjFormatIndex *out,
								char *err, size_t errlen);

/*
 * The index entry of the block of stream_id that holds offset or, if the
 * offset falls in a gap, the first block after it; -1 if the object has
 * nothing of that stream at or after offset.
 */
extern int	ObjFormatFindBlock(const ObjFormatIndex *idx, uint64 stream_id, uint64 offset);

/* Check a block (buf: block_size bytes at block_position) and start reading it. */
extern bool ObjFormatBlockOpen(const ObjFormatIndexEntry *e, const void *buf, size_t len,
							   ObjFormatBlockReader *r, char *err, size_t errlen);

/* Next batch: 1 got one, 0 end of block, -1 damaged (err filled in). */
extern int	ObjFormatBlockNext(ObjFormatBlockReader *r, ObjFormatBatch *batch,
							   char *err, size_t errlen);

#endif							/* STRATA_OBJFORMAT_H */
