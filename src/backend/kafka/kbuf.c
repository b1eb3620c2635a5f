/*-------------------------------------------------------------------------
 *
 * kbuf.c
 *	  Kafka wire primitives: bounded reader, growable writer, request arena.
 *
 *	  Every multi-byte integer on the Kafka wire is big-endian.  Varints are
 *	  protobuf-style base-128 little-endian groups; the signed forms use
 *	  zigzag encoding.  See include/kafka/kbuf.h for the error contract.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/kbuf.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/uio.h>

#include "kafka/kbuf.h"

/* ----------------------------------------------------------------
 *		Arena
 * ----------------------------------------------------------------
 */
struct KArenaBlock
{
	KArenaBlock *next;
	size_t		size;			/* usable bytes in data[] */
	size_t		used;
	/* data follows, MAXALIGN'ed */
};

#define KARENA_BLOCK_HDR MAXALIGN(sizeof(KArenaBlock))
#define KARENA_MIN_BLOCK 8192

/*
 * KArenaInit: an empty arena whose blocks may total at most limit bytes.
 * Runs in the backend once per connection.
 */
void
KArenaInit(KArena *a, size_t limit)
{
	a->blocks = NULL;
	a->total = 0;
	a->limit = limit;
	a->small_resets = 0;
}

/*
 * KArenaAlloc: size zeroed bytes, 8-byte aligned.  Returns NULL when the
 * arena would exceed its limit or malloc fails: callers (the decoders) turn
 * that into a parse error, so a request can never exhaust the backend.
 */
void *
KArenaAlloc(KArena *a, size_t size)
{
	void	   *p = KArenaAllocRaw(a, size);

	if (p != NULL)
		memset(p, 0, MAXALIGN(size ? size : 1));
	return p;
}

/*
 * KArenaAllocRaw: as KArenaAlloc, but the bytes are not zeroed: for buffers
 * the caller fills at once (a fetch's record data), where zeroing a
 * partition's whole allowance per fetch cost more than the fetch.
 */
void *
KArenaAllocRaw(KArena *a, size_t size)
{
	KArenaBlock *b = a->blocks;
	void	   *p;

	size = MAXALIGN(size ? size : 1);
	if (b == NULL || b->size - b->used < size)
	{
		size_t		bsize = Max(KARENA_MIN_BLOCK, size);

		/* Grow geometrically so a big request needs few blocks. */
		if (b != NULL && bsize < b->size * 2)
			bsize = b->size * 2;
		if (a->total + bsize + KARENA_BLOCK_HDR > a->limit)
		{
			bsize = size;
			if (a->total + bsize + KARENA_BLOCK_HDR > a->limit)
				return NULL;
		}
		b = malloc(KARENA_BLOCK_HDR + bsize);
		if (b == NULL)
			return NULL;
		b->size = bsize;
		b->used = 0;
		b->next = a->blocks;
		a->blocks = b;
		a->total += KARENA_BLOCK_HDR + bsize;
	}
	p = (char *) b + KARENA_BLOCK_HDR + b->used;
	b->used += size;
	return p;
}

/*
 * KArenaReset: free everything allocated since the last reset, keeping one
 * block for the next request.
 *
 * A connection's requests tend to be alike: a consumer catching up asks
 * for tens of MB per fetch, again and again.  Memory freed and allocated
 * anew for each of them comes back from the kernel as fresh pages, and
 * touching those (a page fault per 4 KiB) cost more than copying the data
 * into them.  So when a request needed more than the kept block, the
 * blocks are replaced by one that holds what it needed, and that block
 * stays while requests keep using a good part of it.  After
 * KARENA_SHRINK_AFTER requests in a row that used less than a quarter of
 * it, a block larger than KARENA_KEEP_MAX is given back: a connection does
 * not hold on to the memory of its biggest request forever.
 */
#define KARENA_KEEP_MAX (256 * 1024)
#define KARENA_SHRINK_AFTER 16

void
KArenaReset(KArena *a)
{
	KArenaBlock *b = a->blocks;
	size_t		used = 0;
	size_t		want;

	for (KArenaBlock *x = b; x != NULL; x = x->next)
		used += x->used;

	if (b != NULL && b->next != NULL)
	{
		/* Outgrown: one block of the size this request needed instead. */
		while (b != NULL)
		{
			KArenaBlock *next = b->next;

			free(b);
			b = next;
		}
		want = KARENA_MIN_BLOCK;
		while (want < used)
			want *= 2;
		if (KARENA_BLOCK_HDR + want > a->limit)
			want = Max(a->limit, KARENA_BLOCK_HDR + KARENA_MIN_BLOCK) - KARENA_BLOCK_HDR;
		b = malloc(KARENA_BLOCK_HDR + want);
		if (b != NULL)
		{
			b->size = want;
			b->next = NULL;
		}
		a->small_resets = 0;
	}
	else if (b != NULL && b->size > KARENA_KEEP_MAX)
	{
		if (used >= b->size / 4)
			a->small_resets = 0;
		else if (++a->small_resets >= KARENA_SHRINK_AFTER)
		{
			free(b);
			b = NULL;
			a->small_resets = 0;
		}
	}
	a->blocks = b;
	a->total = 0;
	if (b != NULL)
	{
		b->used = 0;
		a->total = KARENA_BLOCK_HDR + b->size;
	}
}

/*
 * KArenaExtendRaw: grow the allocation p of oldsize bytes to newsize bytes,
 * keeping its contents.  In place when p is the newest allocation and its
 * block has room (a fetch growing its read buffer), otherwise a new
 * allocation and a copy.  NULL past the limit, as KArenaAllocRaw.
 */
void *
KArenaExtendRaw(KArena *a, void *p, size_t oldsize, size_t newsize)
{
	KArenaBlock *b = a->blocks;
	char	   *data;
	void	   *q;

	Assert(newsize >= oldsize);
	oldsize = MAXALIGN(oldsize ? oldsize : 1);
	if (b != NULL)
	{
		data = (char *) b + KARENA_BLOCK_HDR;
		if ((char *) p + oldsize == data + b->used &&
			(size_t) ((char *) p - data) + MAXALIGN(newsize) <= b->size)
		{
			b->used = (size_t) ((char *) p - data) + MAXALIGN(newsize);
			return p;
		}
	}
	q = KArenaAllocRaw(a, newsize);
	if (q != NULL)
		memcpy(q, p, oldsize);
	return q;
}

void
KArenaFree(KArena *a)
{
	while (a->blocks != NULL)
	{
		KArenaBlock *next = a->blocks->next;

		free(a->blocks);
		a->blocks = next;
	}
	a->total = 0;
	a->small_resets = 0;
}

char *
KArenaStrdup(KArena *a, KStr s)
{
	char	   *p;

	if (s.len < 0)
		return NULL;
	p = KArenaAlloc(a, (size_t) s.len + 1);
	if (p != NULL && s.len > 0)
		memcpy(p, s.ptr, s.len);
	return p;
}

/* ----------------------------------------------------------------
 *		Reader
 * ----------------------------------------------------------------
 */
void
KReaderInit(KReader *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->failed = false;
	r->errmsg[0] = '\0';
}

bool
KReaderFail(KReader *r, const char *fmt,...)
{
	va_list		ap;

	if (!r->failed)
	{
		va_start(ap, fmt);
		vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
		va_end(ap);
		r->failed = true;
	}
	return false;
}

/* Check that n more bytes are there; on failure poison the reader. */
static inline bool
kr_need(KReader *r, size_t n, const char *what)
{
	if (unlikely(r->failed))
		return false;
	if (unlikely(r->len - r->pos < n))
		return KReaderFail(r, "frame truncated reading %s at offset %zu (need %zu, have %zu)",
						   what, r->pos, n, r->len - r->pos);
	return true;
}

int8
KReadInt8(KReader *r)
{
	if (!kr_need(r, 1, "int8"))
		return 0;
	return (int8) r->buf[r->pos++];
}

uint16
KReadUInt16(KReader *r)
{
	uint16		v;

	if (!kr_need(r, 2, "int16"))
		return 0;
	v = (uint16) ((r->buf[r->pos] << 8) | r->buf[r->pos + 1]);
	r->pos += 2;
	return v;
}

int16
KReadInt16(KReader *r)
{
	return (int16) KReadUInt16(r);
}

uint32
KReadUInt32(KReader *r)
{
	const uint8 *p;

	if (!kr_need(r, 4, "int32"))
		return 0;
	p = r->buf + r->pos;
	r->pos += 4;
	return ((uint32) p[0] << 24) | ((uint32) p[1] << 16) | ((uint32) p[2] << 8) | p[3];
}

int32
KReadInt32(KReader *r)
{
	return (int32) KReadUInt32(r);
}

int64
KReadInt64(KReader *r)
{
	uint64		hi,
				lo;

	if (!kr_need(r, 8, "int64"))
		return 0;
	hi = KReadUInt32(r);
	lo = KReadUInt32(r);
	return (int64) ((hi << 32) | lo);
}

double
KReadFloat64(KReader *r)
{
	uint64		bits = (uint64) KReadInt64(r);
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

bool
KReadBool(KReader *r)
{
	return KReadInt8(r) != 0;
}

uint64
KReadUVarlong(KReader *r)
{
	uint64		v = 0;
	int			shift;

	for (shift = 0; shift < 70; shift += 7)
	{
		uint8		b;

		if (!kr_need(r, 1, "varint"))
			return 0;
		b = r->buf[r->pos++];
		/* The 10th byte may only carry the top bit of a 64-bit value. */
		if (shift == 63 && b > 1)
			break;
		v |= (uint64) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	KReaderFail(r, "varlong too long at offset %zu", r->pos);
	return 0;
}

uint32
KReadUVarint(KReader *r)
{
	uint32		v = 0;
	int			shift;

	for (shift = 0; shift < 35; shift += 7)
	{
		uint8		b;

		if (!kr_need(r, 1, "varint"))
			return 0;
		b = r->buf[r->pos++];
		/* The 5th byte may only carry the top four bits of a 32-bit value. */
		if (shift == 28 && b > 0x0f)
			break;
		v |= (uint32) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	KReaderFail(r, "varint too long at offset %zu", r->pos);
	return 0;
}

int32
KReadVarint(KReader *r)
{
	uint32		u = KReadUVarint(r);

	return (int32) ((u >> 1) ^ (~(u & 1) + 1));
}

int64
KReadVarlong(KReader *r)
{
	uint64		u = KReadUVarlong(r);

	return (int64) ((u >> 1) ^ (~(u & 1) + 1));
}

void
KReadUuid(KReader *r, KUuid *u)
{
	if (!kr_need(r, 16, "uuid"))
	{
		memset(u, 0, sizeof(*u));
		return;
	}
	memcpy(u->b, r->buf + r->pos, 16);
	r->pos += 16;
}

void
KReadSkip(KReader *r, size_t n)
{
	if (kr_need(r, n, "skipped bytes"))
		r->pos += n;
}

const uint8 *
KReadRaw(KReader *r, size_t n)
{
	const uint8 *p;

	if (!kr_need(r, n, "bytes"))
		return NULL;
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

/* Common tail of the string readers: len already validated as >= -1. */
static KStr
kr_string_body(KReader *r, int64 len, bool nullable)
{
	KStr		s = {NULL, -1};

	if (r->failed)
		return s;
	if (len == -1)
	{
		if (!nullable)
			KReaderFail(r, "null string in a non-nullable field at offset %zu", r->pos);
		return s;
	}
	if (len > 0x7fff)
	{
		KReaderFail(r, "string length %lld exceeds 32767", (long long) len);
		return s;
	}
	if (!kr_need(r, (size_t) len, "string"))
		return s;
	s.ptr = (const char *) r->buf + r->pos;
	s.len = (int32) len;
	r->pos += len;
	return s;
}

KStr
KReadString(KReader *r, bool nullable)
{
	int16		len = KReadInt16(r);

	if (len < -1)
	{
		KReaderFail(r, "negative string length %d", len);
		return KSTR_NULL;
	}
	return kr_string_body(r, len, nullable);
}

KStr
KReadCompactString(KReader *r, bool nullable)
{
	int64		n = (int64) KReadUVarint(r) - 1;

	return kr_string_body(r, n, nullable);
}

static KBytes
kr_bytes_body(KReader *r, int64 len, bool nullable)
{
	KBytes		b = {NULL, -1};

	if (r->failed)
		return b;
	if (len == -1)
	{
		if (!nullable)
			KReaderFail(r, "null bytes in a non-nullable field at offset %zu", r->pos);
		return b;
	}
	if (len > INT32_MAX)
	{
		KReaderFail(r, "bytes length %lld too large", (long long) len);
		return b;
	}
	if (!kr_need(r, (size_t) len, "bytes"))
		return b;
	b.ptr = r->buf + r->pos;
	b.len = (int32) len;
	r->pos += len;
	return b;
}

KBytes
KReadBytes(KReader *r, bool nullable)
{
	int32		len = KReadInt32(r);

	if (len < -1)
	{
		KReaderFail(r, "negative bytes length %d", len);
		return (KBytes) {NULL, -1};
	}
	return kr_bytes_body(r, len, nullable);
}

KBytes
KReadCompactBytes(KReader *r, bool nullable)
{
	int64		n = (int64) KReadUVarint(r) - 1;

	return kr_bytes_body(r, n, nullable);
}

static int32
kr_count_check(KReader *r, int64 count, bool nullable, size_t min_elem_size)
{
	if (r->failed)
		return 0;
	if (count == -1)
	{
		if (!nullable)
		{
			KReaderFail(r, "null array in a non-nullable field at offset %zu", r->pos);
			return 0;
		}
		return -1;
	}
	if (count < -1 || count > INT32_MAX)
	{
		KReaderFail(r, "invalid array count %lld", (long long) count);
		return 0;
	}
	/* Never trust a count the remaining bytes could not possibly hold. */
	if ((uint64) count * Max(min_elem_size, 1) > r->len - r->pos)
	{
		KReaderFail(r, "array count %lld exceeds the %zu bytes left in the frame",
					(long long) count, r->len - r->pos);
		return 0;
	}
	return (int32) count;
}

int32
KReadArrayCount(KReader *r, bool nullable, size_t min_elem_size)
{
	int32		count = KReadInt32(r);

	return kr_count_check(r, count, nullable, min_elem_size);
}

int32
KReadCompactArrayCount(KReader *r, bool nullable, size_t min_elem_size)
{
	int64		count = (int64) KReadUVarint(r) - 1;

	return kr_count_check(r, count, nullable, min_elem_size);
}

void
KReadSkipTaggedFields(KReader *r)
{
	uint32		n = KReadUVarint(r);
	uint32		i;

	for (i = 0; i < n && !r->failed; i++)
	{
		(void) KReadUVarint(r);	/* tag */
		KReadSkip(r, KReadUVarint(r));
	}
}

void
KReaderSub(KReader *r, KReader *sub, size_t n)
{
	if (!kr_need(r, n, "nested field"))
	{
		KReaderInit(sub, NULL, 0);
		KReaderFail(sub, "%s", r->errmsg);
		return;
	}
	KReaderInit(sub, r->buf + r->pos, n);
	r->pos += n;
}

/* ----------------------------------------------------------------
 *		Writer
 * ----------------------------------------------------------------
 */
void
KWriterInit(KWriter *w, size_t initial)
{
	w->cap = Max(initial, 64);
	w->buf = palloc(w->cap);
	w->len = 0;
	w->failed = false;
	w->errmsg[0] = '\0';
	w->ext = NULL;
	w->next = w->extcap = 0;
	w->ext_len = 0;
}

void
KWriterFree(KWriter *w)
{
	if (w->buf)
		pfree(w->buf);
	if (w->ext)
		pfree(w->ext);
	w->buf = NULL;
	w->ext = NULL;
	w->len = w->cap = 0;
	w->next = w->extcap = 0;
	w->ext_len = 0;
}

void
KWriterReset(KWriter *w)
{
	w->len = 0;
	w->failed = false;
	w->errmsg[0] = '\0';
	w->next = 0;
	w->ext_len = 0;
}

/* ---- bytes referred to, not copied ---- */

void
KWriteExternal(KWriter *w, const void *data, size_t n)
{
	if (n == 0)
		return;
	if (w->next == w->extcap)
	{
		/* in the buffer's memory context: the writer may outlive this one */
		w->extcap = Max(w->extcap * 2, 64);
		w->ext = w->ext ? repalloc(w->ext, sizeof(KWriterExt) * (size_t) w->extcap)
			: MemoryContextAlloc(GetMemoryChunkContext(w->buf), sizeof(KWriterExt) * (size_t) w->extcap);
	}
	w->ext[w->next].at = w->len;
	w->ext[w->next].ptr = data;
	w->ext[w->next].len = n;
	w->next++;
	w->ext_len += n;
}

size_t
KWriterTotalSince(const KWriter *w, size_t at)
{
	size_t		n = w->len - at;

	/* external bytes written after at (each sits before own byte e.at > at) */
	for (int i = w->next - 1; i >= 0 && w->ext[i].at > at; i--)
		n += w->ext[i].len;
	return n;
}

void
KWriterTruncate(KWriter *w, size_t len)
{
	Assert(len <= w->len);
	w->len = len;
	while (w->next > 0 && w->ext[w->next - 1].at > len)
	{
		w->next--;
		w->ext_len -= w->ext[w->next].len;
	}
}

/* Add [p + skip, p + len) to the iovecs, less what skip covers; consumes skip and n. */
static void
iov_piece(const uint8 *p, size_t len, size_t *skip, size_t *n, struct iovec *iov, int *k)
{
	size_t		s = Min(*skip, len);
	size_t		take = Min(len - s, *n);

	*skip -= s;
	if (take == 0)
		return;
	iov[*k].iov_base = (void *) (p + s);
	iov[*k].iov_len = take;
	(*k)++;
	*n -= take;
}

int
KWriterIov(const KWriter *w, size_t skip, size_t n, struct iovec *iov, int max)
{
	size_t		own = 0;		/* own bytes walked so far */
	int			k = 0;

	for (int i = 0; i <= w->next && n > 0 && k < max; i++)
	{
		/* own bytes before external i (or the rest of them, after the last) */
		size_t		upto = i < w->next ? w->ext[i].at : w->len;

		iov_piece(w->buf + own, upto - own, &skip, &n, iov, &k);
		own = upto;
		if (i < w->next && n > 0 && k < max)
			iov_piece(w->ext[i].ptr, w->ext[i].len, &skip, &n, iov, &k);
	}
	return k;
}

void
KWriterConsume(KWriter *w, size_t n)
{
	size_t		own = 0;		/* own bytes consumed */
	int			done = 0;		/* external pieces consumed whole */

	Assert(n <= KWriterTotal(w));
	while (n > 0)
	{
		size_t		upto = done < w->next ? w->ext[done].at : w->len;
		size_t		take = Min(upto - own, n);

		own += take;
		n -= take;
		if (n == 0 || done >= w->next)
			break;
		take = Min(w->ext[done].len, n);
		w->ext[done].ptr += take;
		w->ext[done].len -= take;
		w->ext_len -= take;
		n -= take;
		if (w->ext[done].len == 0)
			done++;
	}
	/* an external piece of length 0 left at the front is consumed too */
	while (done < w->next && w->ext[done].len == 0 && w->ext[done].at == own)
		done++;
	/* (memmove wants valid pointers even for 0 bytes: buf or ext may be NULL) */
	if (own > 0 && w->len > own)
		memmove(w->buf, w->buf + own, w->len - own);
	w->len -= own;
	if (done > 0 && w->next > done)
		memmove(w->ext, w->ext + done, sizeof(KWriterExt) * (size_t) (w->next - done));
	w->next -= done;
	for (int i = 0; i < w->next; i++)
		w->ext[i].at -= own;
}

void
KWriterInternalize(KWriter *w)
{
	uint8	   *nbuf;
	size_t		ncap;
	size_t		out = 0;
	size_t		own = 0;

	if (w->next == 0)
		return;
	ncap = Max(w->cap, w->len + w->ext_len);
	nbuf = MemoryContextAlloc(GetMemoryChunkContext(w->buf), ncap);
	for (int i = 0; i <= w->next; i++)
	{
		size_t		upto = i < w->next ? w->ext[i].at : w->len;

		memcpy(nbuf + out, w->buf + own, upto - own);
		out += upto - own;
		own = upto;
		if (i < w->next)
		{
			memcpy(nbuf + out, w->ext[i].ptr, w->ext[i].len);
			out += w->ext[i].len;
		}
	}
	pfree(w->buf);
	w->buf = nbuf;
	w->cap = ncap;
	w->len = out;
	w->next = 0;
	w->ext_len = 0;
}

bool
KWriterFail(KWriter *w, const char *fmt,...)
{
	va_list		ap;

	if (!w->failed)
	{
		va_start(ap, fmt);
		vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
		va_end(ap);
		w->failed = true;
	}
	return false;
}

uint8 *
KWriteAlloc(KWriter *w, size_t n)
{
	uint8	   *p;

	if (w->cap - w->len < n)
	{
		size_t		ncap = w->cap;

		while (ncap - w->len < n)
			ncap *= 2;
		w->buf = repalloc(w->buf, ncap);
		w->cap = ncap;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void
KWriteRaw(KWriter *w, const void *data, size_t n)
{
	if (n > 0)
		memcpy(KWriteAlloc(w, n), data, n);
}

void
KWriteInt8(KWriter *w, int8 v)
{
	*KWriteAlloc(w, 1) = (uint8) v;
}

void
KWriteUInt16(KWriter *w, uint16 v)
{
	uint8	   *p = KWriteAlloc(w, 2);

	p[0] = v >> 8;
	p[1] = v;
}

void
KWriteInt16(KWriter *w, int16 v)
{
	KWriteUInt16(w, (uint16) v);
}

void
KWriteUInt32(KWriter *w, uint32 v)
{
	uint8	   *p = KWriteAlloc(w, 4);

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void
KWriteInt32(KWriter *w, int32 v)
{
	KWriteUInt32(w, (uint32) v);
}

void
KWriteInt64(KWriter *w, int64 v)
{
	KWriteUInt32(w, (uint32) ((uint64) v >> 32));
	KWriteUInt32(w, (uint32) v);
}

void
KWriteFloat64(KWriter *w, double v)
{
	uint64		bits;

	memcpy(&bits, &v, sizeof(bits));
	KWriteInt64(w, (int64) bits);
}

void
KWriteBool(KWriter *w, bool v)
{
	KWriteInt8(w, v ? 1 : 0);
}

void
KWriteUVarlong(KWriter *w, uint64 v)
{
	while (v >= 0x80)
	{
		KWriteInt8(w, (int8) ((v & 0x7f) | 0x80));
		v >>= 7;
	}
	KWriteInt8(w, (int8) v);
}

void
KWriteUVarint(KWriter *w, uint32 v)
{
	KWriteUVarlong(w, v);
}

void
KWriteVarint(KWriter *w, int32 v)
{
	KWriteUVarint(w, ((uint32) v << 1) ^ (uint32) (v >> 31));
}

void
KWriteVarlong(KWriter *w, int64 v)
{
	KWriteUVarlong(w, ((uint64) v << 1) ^ (uint64) (v >> 63));
}

int
KUVarlongSize(uint64 v)
{
	int			n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

int
KUVarintSize(uint32 v)
{
	return KUVarlongSize(v);
}

void
KWriteUuid(KWriter *w, const KUuid *u)
{
	KWriteRaw(w, u->b, 16);
}

void
KWriteString(KWriter *w, const char *s, int32 len)
{
	if (len < 0)
	{
		KWriteInt16(w, -1);
		return;
	}
	if (len > 0x7fff)
	{
		KWriterFail(w, "string of %d bytes is too long for the wire", len);
		len = 0x7fff;
	}
	KWriteInt16(w, (int16) len);
	KWriteRaw(w, s, len);
}

void
KWriteCompactString(KWriter *w, const char *s, int32 len)
{
	if (len < 0)
	{
		KWriteUVarint(w, 0);
		return;
	}
	if (len > 0x7fff)
	{
		KWriterFail(w, "string of %d bytes is too long for the wire", len);
		len = 0x7fff;
	}
	KWriteUVarint(w, (uint32) len + 1);
	KWriteRaw(w, s, len);
}

void
KWriteBytes(KWriter *w, const void *b, int32 len)
{
	if (len < 0)
	{
		KWriteInt32(w, -1);
		return;
	}
	KWriteInt32(w, len);
	KWriteRaw(w, b, len);
}

void
KWriteCompactBytes(KWriter *w, const void *b, int32 len)
{
	if (len < 0)
	{
		KWriteUVarint(w, 0);
		return;
	}
	KWriteUVarint(w, (uint32) len + 1);
	KWriteRaw(w, b, len);
}

void
KWriteArrayCount(KWriter *w, int32 count)
{
	KWriteInt32(w, count < 0 ? -1 : count);
}

void
KWriteCompactArrayCount(KWriter *w, int32 count)
{
	KWriteUVarint(w, count < 0 ? 0 : (uint32) count + 1);
}

void
KWriteEmptyTaggedFields(KWriter *w)
{
	KWriteUVarint(w, 0);
}

void
KWriteText(KWriter *w, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char		small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n < sizeof(small))
	{
		KWriteRaw(w, small, n);
		return;
	}
	{
		char	   *p = (char *) KWriteAlloc(w, (size_t) n + 1);

		va_start(ap, fmt);
		vsnprintf(p, (size_t) n + 1, fmt, ap);
		va_end(ap);
		w->len--;				/* drop the NUL */
	}
}

size_t
KWriteReserveInt32(KWriter *w)
{
	size_t		at = w->len;

	KWriteInt32(w, 0);
	return at;
}

void
KWritePatchInt32(KWriter *w, size_t at, int32 v)
{
	Ensure(at + 4 <= w->len);
	w->buf[at] = (uint32) v >> 24;
	w->buf[at + 1] = (uint32) v >> 16;
	w->buf[at + 2] = (uint32) v >> 8;
	w->buf[at + 3] = (uint32) v;
}

bool
KStrEq(KStr s, const char *cstr)
{
	size_t		n;

	if (s.len < 0 || cstr == NULL)
		return s.len < 0 && cstr == NULL;
	n = strlen(cstr);
	return (size_t) s.len == n && memcmp(s.ptr, cstr, n) == 0;
}

bool
KStrCopy(char *dst, size_t cap, KStr s)
{
	if (s.len < 0)
	{
		dst[0] = '\0';
		return true;
	}
	if ((size_t) s.len >= cap || (s.len > 0 && memchr(s.ptr, '\0', (size_t) s.len) != NULL))
		return false;
	if (s.len > 0)
		memcpy(dst, s.ptr, (size_t) s.len);
	dst[s.len] = '\0';
	return true;
}
