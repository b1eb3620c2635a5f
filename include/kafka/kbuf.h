/*-------------------------------------------------------------------------
 *
 * kbuf.h
 *	  Kafka wire primitives: a bounded reader over one request frame, a
 *	  growable writer for responses, and the per-request arena that decoded
 *	  structures live in.
 *
 *	  Reader.  A KReader walks a byte range it does not own.  Every read is
 *	  bounds-checked; the first failure (underflow, a bad length, a varint
 *	  that does not terminate, an array count the remaining bytes cannot
 *	  hold) records a message in r->errmsg and sets r->failed, and from then
 *	  on every read fails and returns zero/empty values.  So a decoder may
 *	  read a whole structure and test r->failed once at the end, the way
 *	  librdkafka's parsers "goto err_parse".  Nothing a client sends is ever
 *	  used to size an allocation before it has been checked against the bytes
 *	  that are actually left in the frame.
 *
 *	  Strings and byte arrays are *borrowed*: a KStr/KBytes points into the
 *	  frame, which must therefore outlive the decoded request (the backend
 *	  keeps the frame until the response has been built).  A null string or
 *	  null bytes has len == -1 and ptr == NULL.
 *
 *	  Writer.  A KWriter is a growable byte buffer (palloc'd; running out of
 *	  memory is an ERROR like everywhere else) with the same primitives plus
 *	  reserving an int32 and patching it later (frame and batch lengths).
 *	  It may also refer to bytes it does not copy (KWriteExternal; a fetch's
 *	  record batches in the WAL ring): its output is then its own bytes with
 *	  those inserted where they were written, and the backend sends it with
 *	  one sendmsg of iovecs (KWriterIov), so the batches go from shared
 *	  memory to the socket without a copy into the response.  Whoever keeps
 *	  such a writer must keep the external bytes valid until they are sent
 *	  or copied (KWriterInternalize).
 *
 *	  Arena.  A KArena is a bump allocator: many small allocations, freed all
 *	  at once by KArenaReset after each response, like PostgreSQL's
 *	  MessageContext.  Its total size is capped; an allocation past the cap
 *	  returns NULL, which decoders turn into a parse error rather than letting
 *	  a hostile request make the backend balloon.
 *
 * include/kafka/kbuf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_KBUF_H
#define STRATA_KAFKA_KBUF_H

#include "c.h"

/* A borrowed string: len == -1 means null.  Not NUL-terminated. */
typedef struct KStr
{
	const char *ptr;
	int32		len;
} KStr;

/*
 * Bytes in pieces, for a value the encoder writes piece by piece: pieces
 * marked external are referenced (KWriteExternal), the others copied.
 */
typedef struct KPiece
{
	const uint8 *ptr;
	size_t		len;
	bool		external;
} KPiece;

typedef struct KScatter
{
	int			n;
	KPiece		pieces[FLEXIBLE_ARRAY_MEMBER];
} KScatter;

/*
 * Borrowed bytes (also Kafka's "records" type): len == -1 means null.  An
 * encoded value may come in pieces instead of at ptr: scatter, whose pieces
 * add up to len (only the encoder looks at it; decoded values never have
 * one).
 */
typedef struct KBytes
{
	const uint8 *ptr;
	int32		len;
	const KScatter *scatter;
} KBytes;

typedef struct KUuid
{
	uint8		b[16];
} KUuid;

/*
 * An array of T as decoded: count == -1 means a null array (only where the
 * schema allows it), items is NULL when count <= 0.  Every KARRAY has the
 * layout of KArrayHdr, which the generic codec uses.
 */
#define KARRAY(T) struct { int32 count; T *items; }
typedef struct KArrayHdr
{
	int32		count;
	void	   *items;
} KArrayHdr;

#define KSTR_NULL ((KStr) {NULL, -1})
#define KSTR_LIT(s) ((KStr) {(s), (int32) (sizeof(s) - 1)})

/* ----------------
 * Arena
 * ----------------
 */
typedef struct KArenaBlock KArenaBlock;

typedef struct KArena
{
	KArenaBlock *blocks;		/* newest first; reset keeps one */
	size_t		total;			/* bytes of all blocks */
	size_t		limit;			/* KArenaAlloc fails beyond this many bytes */
	int			small_resets;	/* resets in a row that used little of a big block */
} KArena;

extern void KArenaInit(KArena *a, size_t limit);
extern void *KArenaAlloc(KArena *a, size_t size);	/* zeroed; NULL past limit */
extern void *KArenaAllocRaw(KArena *a, size_t size);	/* not zeroed */
extern void *KArenaExtendRaw(KArena *a, void *p, size_t oldsize, size_t newsize);
extern void KArenaReset(KArena *a);
extern void KArenaFree(KArena *a);
/* A NUL-terminated copy of s in the arena (NULL for a null string or OOM). */
extern char *KArenaStrdup(KArena *a, KStr s);

/* ----------------
 * Reader
 * ----------------
 */
typedef struct KReader
{
	const uint8 *buf;
	size_t		len;
	size_t		pos;
	bool		failed;
	char		errmsg[128];
} KReader;

extern void KReaderInit(KReader *r, const void *buf, size_t len);
/* Record a failure (first one wins); always returns false. */
extern bool KReaderFail(KReader *r, const char *fmt,...) pg_attribute_printf(2, 3);

static inline size_t
KReaderRemaining(const KReader *r)
{
	return r->failed ? 0 : r->len - r->pos;
}

extern int8 KReadInt8(KReader *r);
extern int16 KReadInt16(KReader *r);
extern int32 KReadInt32(KReader *r);
extern int64 KReadInt64(KReader *r);
extern uint16 KReadUInt16(KReader *r);
extern uint32 KReadUInt32(KReader *r);
extern double KReadFloat64(KReader *r);
extern bool KReadBool(KReader *r);	/* any nonzero byte is true, as in Kafka */
extern uint32 KReadUVarint(KReader *r);	/* at most 5 bytes */
extern int32 KReadVarint(KReader *r);	/* zigzag */
extern uint64 KReadUVarlong(KReader *r);	/* at most 10 bytes */
extern int64 KReadVarlong(KReader *r);	/* zigzag */
extern void KReadUuid(KReader *r, KUuid *u);
extern void KReadSkip(KReader *r, size_t n);
/* Borrow n raw bytes; NULL (and failure) if fewer are left. */
extern const uint8 *KReadRaw(KReader *r, size_t n);

/*
 * Strings: INT16 length (-1 = null) or, compact, UVARINT length+1 (0 =
 * null).  A null where nullable is false fails the reader.
 */
extern KStr KReadString(KReader *r, bool nullable);
extern KStr KReadCompactString(KReader *r, bool nullable);
/* Bytes: INT32 length (-1 = null) or compact UVARINT length+1. */
extern KBytes KReadBytes(KReader *r, bool nullable);
extern KBytes KReadCompactBytes(KReader *r, bool nullable);

/*
 * Array counts: INT32 (-1 = null) or compact UVARINT count+1 (0 = null).
 * min_elem_size is the fewest bytes one element can occupy on the wire; a
 * count that the remaining bytes cannot hold fails the reader, so callers
 * may allocate count elements afterwards.  Returns -1 for null.
 */
extern int32 KReadArrayCount(KReader *r, bool nullable, size_t min_elem_size);
extern int32 KReadCompactArrayCount(KReader *r, bool nullable, size_t min_elem_size);

/* Skip a whole tagged-field section (count, then tag/size/data each). */
extern void KReadSkipTaggedFields(KReader *r);

/*
 * Narrow: make sub a reader over the next n bytes of r and advance r past
 * them.  Fails r (and leaves sub failed) if fewer than n bytes are left.
 */
extern void KReaderSub(KReader *r, KReader *sub, size_t n);

/* ----------------
 * Writer
 * ----------------
 */
/* Bytes a writer refers to (KWriteExternal), inserted before own byte at. */
typedef struct KWriterExt
{
	size_t		at;
	const uint8 *ptr;
	size_t		len;
} KWriterExt;

typedef struct KWriter
{
	uint8	   *buf;
	size_t		len;
	size_t		cap;
	bool		failed;			/* an encoder met a value it cannot write */
	char		errmsg[128];
	/* bytes referred to, in the order written (none unless KWriteExternal) */
	KWriterExt *ext;
	int			next;
	int			extcap;
	size_t		ext_len;		/* their total */
} KWriter;

struct iovec;

extern void KWriterInit(KWriter *w, size_t initial);
extern void KWriterFree(KWriter *w);
extern void KWriterReset(KWriter *w);
extern bool KWriterFail(KWriter *w, const char *fmt,...) pg_attribute_printf(2, 3);
/* Make room for n more bytes and return a pointer to them (len advances). */
extern uint8 *KWriteAlloc(KWriter *w, size_t n);

extern void KWriteRaw(KWriter *w, const void *data, size_t n);

/*
 * Refer to n bytes at data instead of copying them (see above).  The
 * writer's output length is then KWriterTotal, and its bytes are read with
 * KWriterIov / KWriterConsume, or copied in with KWriterInternalize.
 */
extern void KWriteExternal(KWriter *w, const void *data, size_t n);
/* Output length: own bytes and external ones. */
static inline size_t
KWriterTotal(const KWriter *w)
{
	return w->len + w->ext_len;
}

/*
 * Output bytes from own position at on: own bytes at and after it, and
 * the external bytes that follow own byte at - 1 (those inserted before a
 * later own byte; not those before own byte at, written before it was).
 * A response's length: it starts with own bytes (its length field).
 */
extern size_t KWriterTotalSince(const KWriter *w, size_t at);
/* Keep own bytes [0, len), and the external bytes before own byte len. */
extern void KWriterTruncate(KWriter *w, size_t len);
/*
 * Output bytes [skip, skip + n) as iovecs, at most max of them (so perhaps
 * fewer bytes); returns how many iovecs.
 */
extern int	KWriterIov(const KWriter *w, size_t skip, size_t n, struct iovec *iov, int max);
/* Remove the first n output bytes (sent). */
extern void KWriterConsume(KWriter *w, size_t n);
/* Copy the external bytes in, so the writer no longer refers to any. */
extern void KWriterInternalize(KWriter *w);
extern void KWriteInt8(KWriter *w, int8 v);
extern void KWriteInt16(KWriter *w, int16 v);
extern void KWriteInt32(KWriter *w, int32 v);
extern void KWriteInt64(KWriter *w, int64 v);
extern void KWriteUInt16(KWriter *w, uint16 v);
extern void KWriteUInt32(KWriter *w, uint32 v);
extern void KWriteFloat64(KWriter *w, double v);
extern void KWriteBool(KWriter *w, bool v);
extern void KWriteUVarint(KWriter *w, uint32 v);
extern void KWriteVarint(KWriter *w, int32 v);
extern void KWriteUVarlong(KWriter *w, uint64 v);
extern void KWriteVarlong(KWriter *w, int64 v);
extern void KWriteUuid(KWriter *w, const KUuid *u);
/* len == -1 writes null. */
extern void KWriteString(KWriter *w, const char *s, int32 len);
extern void KWriteCompactString(KWriter *w, const char *s, int32 len);
extern void KWriteBytes(KWriter *w, const void *b, int32 len);
extern void KWriteCompactBytes(KWriter *w, const void *b, int32 len);
extern void KWriteArrayCount(KWriter *w, int32 count);	/* -1 = null */
extern void KWriteCompactArrayCount(KWriter *w, int32 count);
/* An empty tagged-field section (a single zero). */
extern void KWriteEmptyTaggedFields(KWriter *w);
/* Printf into the buffer (for the text printer); no NUL is counted. */
extern void KWriteText(KWriter *w, const char *fmt,...) pg_attribute_printf(2, 3);

/* Reserve an int32 now (returns its offset), fill it in later. */
extern size_t KWriteReserveInt32(KWriter *w);
extern void KWritePatchInt32(KWriter *w, size_t at, int32 v);

/* Size of v as an unsigned varint (1..5) / varlong (1..10). */
extern int	KUVarintSize(uint32 v);
extern int	KUVarlongSize(uint64 v);

/* Helpers for borrowed strings. */
extern bool KStrEq(KStr s, const char *cstr);
/*
 * A NUL-terminated copy of s in dst (cap bytes; a null string gives "");
 * false if it does not fit or holds a NUL byte.
 */
extern bool KStrCopy(char *dst, size_t cap, KStr s);
static inline KStr
KStrFromC(const char *s)
{
	KStr		k = {s, s ? (int32) strlen(s) : -1};

	return k;
}

#endif							/* STRATA_KAFKA_KBUF_H */
