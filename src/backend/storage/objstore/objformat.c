/*-------------------------------------------------------------------------
 *
 * objformat.c
 *	  Building and reading stream-set objects and stream objects; the
 *	  layout is in objformat.h and doc/objects.md.
 *
 *	  The builder writes into one growing buffer: each block starts with a
 *	  reserved header that is filled in (with the CRC-32C of the block's
 *	  data) when the block closes.  Closed blocks never change again, so a
 *	  caller that streams the object out may take them away as it goes
 *	  (ObjFormatBuilderTakeClosed): the builder then goes on in another
 *	  buffer, and counts positions from the object's start (base).  A block closes when the next batch
 *	  belongs to another stream or would take it past block_size; a batch
 *	  bigger than block_size gets a block of its own.
 *
 *	  The reader trusts nothing: the footer's own CRC, its magic, version
 *	  and kind, the index position and length against the object size, the
 *	  index CRC, then each entry (ordering, offsets, block bounds inside the
 *	  data area and not overlapping), and each block's header and CRC
 *	  against its entry, are all checked before use.
 *
 * src/backend/storage/objstore/objformat.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/objformat.h"
#include "utils/crc32c.h"

/* ---- big-endian helpers ---- */

static void
put16(char *p, uint16 v)
{
	p[0] = (char) (v >> 8);
	p[1] = (char) v;
}

static void
put32(char *p, uint32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (char) (v >> (24 - 8 * i));
}

static void
put64(char *p, uint64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (char) (v >> (56 - 8 * i));
}

static uint16
get16(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return (uint16) ((u[0] << 8) | u[1]);
}

static uint32
get32(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return ((uint32) u[0] << 24) | ((uint32) u[1] << 16) | ((uint32) u[2] << 8) | u[3];
}

static uint64
get64(const char *p)
{
	return ((uint64) get32(p) << 32) | get32(p + 4);
}

/* ---- layout ---- */

void
ObjFormatLayoutInit(ObjFormatLayout *l, size_t block_size)
{
	memset(l, 0, sizeof(*l));
	l->block_size = block_size ? block_size : OBJFORMAT_DEFAULT_BLOCK_SIZE;
}

/*
 * A block closes when the next batch belongs to another stream or would
 * take it past block_size (or past what its 32-bit header fields hold); a
 * batch bigger than block_size gets a block of its own.
 */
bool
ObjFormatLayoutAdd(ObjFormatLayout *l, uint64 stream_id, uint32 record_count, size_t len)
{
	uint64		entry = OBJFORMAT_BATCH_HEADER_SIZE + (uint64) len;
	bool		opens;

	opens = !l->block_open ||
		stream_id != l->stream_id ||
		l->block_len + entry > l->block_size ||
		l->block_records + record_count > UINT32_MAX ||
		l->block_len + entry > UINT32_MAX;
	if (opens)
	{
		l->block_open = true;
		l->stream_id = stream_id;
		l->block_len = OBJFORMAT_BLOCK_HEADER_SIZE;
		l->block_records = 0;
		l->bytes += OBJFORMAT_BLOCK_HEADER_SIZE;
		l->nblocks++;
	}
	l->block_len += entry;
	l->block_records += record_count;
	l->bytes += entry;
	return opens;
}

uint64
ObjFormatLayoutSize(const ObjFormatLayout *l)
{
	return l->bytes + l->nblocks * OBJFORMAT_INDEX_ENTRY_SIZE + OBJFORMAT_FOOTER_SIZE;
}

/* ---- builder ---- */

struct ObjFormatBuilder
{
	ObjFormatKind kind;
	ObjFormatLayout layout;		/* decides where blocks close */
	uint64		base;			/* object position of buf[0]: bytes taken out */
	char	   *buf;
	size_t		len;
	size_t		cap;
	bool		finished;
	/* the open block, if block_open */
	bool		block_open;
	size_t		block_start;
	ObjFormatIndexEntry cur;
	uint32		cur_batches;
	/* closed blocks */
	ObjFormatIndexEntry *entries;
	int			nentries;
	int			entries_cap;
	/* ordering */
	bool		have_last;
	uint64		last_stream;
	uint64		last_end;
};

static void
reserve(ObjFormatBuilder *b, size_t n)
{
	if (b->len + n > b->cap)
	{
		size_t		ncap = Max(b->cap * 2, b->len + n);

		b->buf = repalloc(b->buf, ncap);
		b->cap = ncap;
	}
}

ObjFormatBuilder *
ObjFormatBuilderCreateIn(ObjFormatKind kind, size_t block_size, char *buf, size_t cap)
{
	ObjFormatBuilder *b = palloc0(sizeof(ObjFormatBuilder));

	Assert(kind == OBJFORMAT_SSO || kind == OBJFORMAT_SO);
	Assert(buf != NULL && cap > 0);
	b->kind = kind;
	ObjFormatLayoutInit(&b->layout, block_size);
	b->cap = cap;
	b->buf = buf;
	return b;
}

ObjFormatBuilder *
ObjFormatBuilderCreate(ObjFormatKind kind, size_t block_size)
{
	return ObjFormatBuilderCreateIn(kind, block_size, palloc(64 * 1024), 64 * 1024);
}

static void
close_block(ObjFormatBuilder *b)
{
	char	   *h;
	size_t		data_len;

	if (!b->block_open)
		return;
	h = b->buf + b->block_start;
	data_len = b->len - b->block_start - OBJFORMAT_BLOCK_HEADER_SIZE;
	put32(h, OBJFORMAT_BLOCK_MAGIC);
	h[4] = (char) OBJFORMAT_VERSION;
	h[5] = 0;					/* flags */
	put16(h + 6, 0);
	put64(h + 8, b->cur.stream_id);
	put32(h + 16, b->cur_batches);
	put32(h + 20, (uint32) data_len);
	put32(h + 24, crc32c(0, h + OBJFORMAT_BLOCK_HEADER_SIZE, data_len));
	put32(h + 28, 0);
	b->cur.block_size = (uint32) (data_len + OBJFORMAT_BLOCK_HEADER_SIZE);
	if (b->nentries == b->entries_cap)
	{
		b->entries_cap = b->entries_cap ? b->entries_cap * 2 : 64;
		b->entries = repalloc(b->entries, sizeof(ObjFormatIndexEntry) * b->entries_cap);
	}
	b->entries[b->nentries++] = b->cur;
	b->block_open = false;
}

bool
ObjFormatAppend(ObjFormatBuilder *b, uint64 stream_id, uint64 base_offset,
				uint32 last_offset_delta, uint32 record_count, int64 max_timestamp,
				const void *payload, size_t len, char *err, size_t errlen)
{
	size_t		entry = OBJFORMAT_BATCH_HEADER_SIZE + len;
	uint64		end;
	char	   *p;

	if (b->finished)
	{
		snprintf(err, errlen, "object already finished");
		return false;
	}
	if (len == 0 || len > (size_t) UINT32_MAX - OBJFORMAT_BLOCK_HEADER_SIZE - OBJFORMAT_BATCH_HEADER_SIZE)
	{
		snprintf(err, errlen, "batch of stream %llu at offset %llu has an invalid length %zu",
				 (unsigned long long) stream_id, (unsigned long long) base_offset, len);
		return false;
	}
	if (base_offset > UINT64_MAX - 1 - last_offset_delta)
	{
		snprintf(err, errlen, "batch of stream %llu: offset %llu + %u overflows",
				 (unsigned long long) stream_id, (unsigned long long) base_offset, last_offset_delta);
		return false;
	}
	end = base_offset + last_offset_delta + 1;
	if (b->have_last)
	{
		if (stream_id < b->last_stream)
		{
			snprintf(err, errlen, "stream %llu appended after stream %llu: streams must come in increasing id order",
					 (unsigned long long) stream_id, (unsigned long long) b->last_stream);
			return false;
		}
		if (stream_id != b->last_stream && b->kind == OBJFORMAT_SO)
		{
			snprintf(err, errlen, "stream object already holds stream %llu; cannot add stream %llu",
					 (unsigned long long) b->last_stream, (unsigned long long) stream_id);
			return false;
		}
		if (stream_id == b->last_stream && base_offset < b->last_end)
		{
			snprintf(err, errlen, "stream %llu: batch at offset %llu overlaps or precedes the previous one (next offset %llu)",
					 (unsigned long long) stream_id, (unsigned long long) base_offset,
					 (unsigned long long) b->last_end);
			return false;
		}
	}

	/* close the open block if the stream changes or the batch won't fit */
	if (ObjFormatLayoutAdd(&b->layout, stream_id, record_count, len))
	{
		close_block(b);
		reserve(b, OBJFORMAT_BLOCK_HEADER_SIZE);
		b->block_start = b->len;
		b->len += OBJFORMAT_BLOCK_HEADER_SIZE;
		memset(&b->cur, 0, sizeof(b->cur));
		b->cur.stream_id = stream_id;
		b->cur.start_offset = base_offset;
		b->cur.block_position = b->base + b->block_start;
		b->cur.max_timestamp = INT64_MIN;
		b->cur_batches = 0;
		b->block_open = true;
	}
	reserve(b, entry);
	p = b->buf + b->len;
	put64(p, base_offset);
	put32(p + 8, last_offset_delta);
	put32(p + 12, record_count);
	put64(p + 16, (uint64) max_timestamp);
	put32(p + 24, (uint32) len);
	put32(p + 28, 0);
	memcpy(p + OBJFORMAT_BATCH_HEADER_SIZE, payload, len);
	b->len += entry;
	b->cur.end_offset = end;
	b->cur.record_count += record_count;
	b->cur.max_timestamp = Max(b->cur.max_timestamp, max_timestamp);
	b->cur_batches++;
	b->have_last = true;
	b->last_stream = stream_id;
	b->last_end = end;
	Assert(b->layout.block_len == b->len - b->block_start);
	return true;
}

size_t
ObjFormatBuilderSize(const ObjFormatBuilder *b)
{
	return (size_t) b->base + b->len +
		(size_t) (b->nentries + (b->block_open ? 1 : 0)) * OBJFORMAT_INDEX_ENTRY_SIZE +
		OBJFORMAT_FOOTER_SIZE;
}

size_t
ObjFormatBuilderClosedBytes(const ObjFormatBuilder *b)
{
	return b->block_open ? b->block_start : b->len;
}

char *
ObjFormatBuilderTakeClosed(ObjFormatBuilder *b, char *newbuf, size_t newcap,
						   size_t *len, size_t *cap)
{
	size_t		closed = ObjFormatBuilderClosedBytes(b);
	size_t		open_len = b->len - closed;
	char	   *old = b->buf;

	Assert(!b->finished);
	Assert(newbuf != NULL && newbuf != old && newcap > 0);
	if (newcap < open_len)
	{
		newbuf = repalloc(newbuf, open_len);
		newcap = open_len;
	}
	/* the open block, at most about block_size, moves to the new buffer */
	memcpy(newbuf, old + closed, open_len);
	*len = closed;
	*cap = b->cap;
	b->buf = newbuf;
	b->cap = newcap;
	b->base += closed;
	b->len = open_len;
	if (b->block_open)
		b->block_start -= closed;
	return old;
}

ObjFormatRange *
ObjFormatBuilderRanges(const ObjFormatBuilder *b, int *n)
{
	int			total = b->nentries + (b->block_open ? 1 : 0);
	ObjFormatRange *r = palloc(sizeof(ObjFormatRange) * Max(total, 1));
	int			nr = 0;

	for (int i = 0; i < total; i++)
	{
		ObjFormatIndexEntry e = i < b->nentries ? b->entries[i] : b->cur;
		uint64		bytes = i < b->nentries ? e.block_size : (uint64) (b->len - b->block_start);

		if (nr > 0 && r[nr - 1].stream_id == e.stream_id)
		{
			r[nr - 1].end_offset = e.end_offset;
			r[nr - 1].record_count += e.record_count;
			r[nr - 1].bytes += bytes;
			continue;
		}
		r[nr].stream_id = e.stream_id;
		r[nr].start_offset = e.start_offset;
		r[nr].end_offset = e.end_offset;
		r[nr].record_count = e.record_count;
		r[nr].bytes = bytes;
		nr++;
	}
	*n = nr;
	return r;
}

char *
ObjFormatFinish(ObjFormatBuilder *b, size_t *len)
{
	return ObjFormatFinishBuffer(b, len, NULL);
}

char *
ObjFormatFinishBuffer(ObjFormatBuilder *b, size_t *len, size_t *cap)
{
	size_t		index_pos;
	size_t		index_len;
	char	   *p;
	char	   *out;

	Assert(!b->finished);
	close_block(b);
	index_pos = b->len;
	index_len = (size_t) b->nentries * OBJFORMAT_INDEX_ENTRY_SIZE;
	Ensure(index_len <= UINT32_MAX);
	reserve(b, index_len + OBJFORMAT_FOOTER_SIZE);
	p = b->buf + b->len;
	for (int i = 0; i < b->nentries; i++, p += OBJFORMAT_INDEX_ENTRY_SIZE)
	{
		const ObjFormatIndexEntry *e = &b->entries[i];

		put64(p, e->stream_id);
		put64(p + 8, e->start_offset);
		put64(p + 16, e->end_offset);
		put32(p + 24, e->record_count);
		put32(p + 28, e->block_size);
		put64(p + 32, e->block_position);
		put64(p + 40, (uint64) e->max_timestamp);
	}
	b->len += index_len;
	/* footer */
	put64(p, b->base + index_pos);
	put32(p + 8, (uint32) index_len);
	put32(p + 12, (uint32) b->nentries);
	put32(p + 16, crc32c(0, b->buf + index_pos, index_len));
	put16(p + 20, OBJFORMAT_VERSION);
	p[22] = (char) b->kind;
	p[23] = 0;
	put64(p + 24, b->base + b->len + OBJFORMAT_FOOTER_SIZE);
	put32(p + 32, 0);
	put32(p + 36, crc32c(0, p, 36));
	put64(p + 40, OBJFORMAT_MAGIC);
	b->len += OBJFORMAT_FOOTER_SIZE;
	Assert(b->base + b->len == ObjFormatLayoutSize(&b->layout));

	out = b->buf;
	*len = b->len;
	if (cap)
		*cap = b->cap;
	b->buf = NULL;
	b->len = b->cap = 0;
	b->finished = true;
	return out;
}

void
ObjFormatBuilderFree(ObjFormatBuilder *b)
{
	if (b->buf)
		pfree(b->buf);
	if (b->entries)
		pfree(b->entries);
	pfree(b);
}

/* ---- reader ---- */

bool
ObjFormatParseFooter(const void *buf, size_t len, uint64 object_size,
					 ObjFormatFooter *f, char *err, size_t errlen)
{
	const char *p = buf;
	uint64		magic;

	if (len != OBJFORMAT_FOOTER_SIZE)
	{
		snprintf(err, errlen, "object footer is %zu bytes, expected %d", len, OBJFORMAT_FOOTER_SIZE);
		return false;
	}
	magic = get64(p + 40);
	if (magic != OBJFORMAT_MAGIC)
	{
		snprintf(err, errlen, "object footer has magic %016llx, expected %016llx: not a Strata object, or truncated",
				 (unsigned long long) magic, (unsigned long long) OBJFORMAT_MAGIC);
		return false;
	}
	if (get32(p + 36) != crc32c(0, p, 36))
	{
		snprintf(err, errlen, "object footer CRC mismatch (stored %08x, computed %08x)",
				 get32(p + 36), crc32c(0, p, 36));
		return false;
	}
	f->index_position = get64(p);
	f->index_length = get32(p + 8);
	f->entry_count = get32(p + 12);
	f->index_crc = get32(p + 16);
	f->version = get16(p + 20);
	f->kind = (ObjFormatKind) (unsigned char) p[22];
	f->object_size = get64(p + 24);
	if (f->version != OBJFORMAT_VERSION)
	{
		snprintf(err, errlen, "object format version %u is not supported (this server reads version %d)",
				 f->version, OBJFORMAT_VERSION);
		return false;
	}
	if (f->kind != OBJFORMAT_SSO && f->kind != OBJFORMAT_SO)
	{
		snprintf(err, errlen, "object footer has unknown kind %d", (int) f->kind);
		return false;
	}
	if (f->object_size != object_size)
	{
		snprintf(err, errlen, "object footer says the object is %llu bytes, but it is %llu",
				 (unsigned long long) f->object_size, (unsigned long long) object_size);
		return false;
	}
	if ((uint64) f->entry_count * OBJFORMAT_INDEX_ENTRY_SIZE != f->index_length ||
		f->index_position > object_size ||
		object_size - f->index_position != (uint64) f->index_length + OBJFORMAT_FOOTER_SIZE)
	{
		snprintf(err, errlen, "object footer is inconsistent: index at %llu, %u bytes, %u entries, object %llu bytes",
				 (unsigned long long) f->index_position, f->index_length, f->entry_count,
				 (unsigned long long) object_size);
		return false;
	}
	return true;
}

bool
ObjFormatParseIndex(const ObjFormatFooter *f, const void *buf, size_t len,
					ObjFormatIndex *out, char *err, size_t errlen)
{
	const char *p = buf;
	uint64		next_pos = 0;

	memset(out, 0, sizeof(*out));
	if (len != f->index_length)
	{
		snprintf(err, errlen, "object index is %zu bytes, footer says %u", len, f->index_length);
		return false;
	}
	if (crc32c(0, p, len) != f->index_crc)
	{
		snprintf(err, errlen, "object index CRC mismatch (stored %08x, computed %08x)",
				 f->index_crc, crc32c(0, p, len));
		return false;
	}
	out->footer = *f;
	out->nentries = (int) f->entry_count;
	out->entries = palloc(sizeof(ObjFormatIndexEntry) * Max(out->nentries, 1));
	for (int i = 0; i < out->nentries; i++, p += OBJFORMAT_INDEX_ENTRY_SIZE)
	{
		ObjFormatIndexEntry *e = &out->entries[i];

		e->stream_id = get64(p);
		e->start_offset = get64(p + 8);
		e->end_offset = get64(p + 16);
		e->record_count = get32(p + 24);
		e->block_size = get32(p + 28);
		e->block_position = get64(p + 32);
		e->max_timestamp = (int64) get64(p + 40);

		if (e->start_offset >= e->end_offset)
		{
			snprintf(err, errlen, "object index entry %d: start offset %llu is not below end offset %llu",
					 i, (unsigned long long) e->start_offset, (unsigned long long) e->end_offset);
			goto bad;
		}
		if (e->block_size < OBJFORMAT_BLOCK_HEADER_SIZE + OBJFORMAT_BATCH_HEADER_SIZE ||
			e->block_position != next_pos ||
			e->block_position + e->block_size > f->index_position)
		{
			snprintf(err, errlen, "object index entry %d: block at %llu of %u bytes does not follow the previous block inside the data area (ends at %llu)",
					 i, (unsigned long long) e->block_position, e->block_size,
					 (unsigned long long) f->index_position);
			goto bad;
		}
		next_pos = e->block_position + e->block_size;
		if (i > 0)
		{
			const ObjFormatIndexEntry *prev = &out->entries[i - 1];

			if (e->stream_id < prev->stream_id ||
				(e->stream_id == prev->stream_id && e->start_offset < prev->end_offset))
			{
				snprintf(err, errlen, "object index entry %d (stream %llu, offset %llu) is out of order",
						 i, (unsigned long long) e->stream_id, (unsigned long long) e->start_offset);
				goto bad;
			}
			if (f->kind == OBJFORMAT_SO && e->stream_id != prev->stream_id)
			{
				snprintf(err, errlen, "stream object holds two streams (%llu and %llu)",
						 (unsigned long long) prev->stream_id, (unsigned long long) e->stream_id);
				goto bad;
			}
		}
	}
	if (next_pos != f->index_position)
	{
		snprintf(err, errlen, "object blocks end at %llu but the index starts at %llu",
				 (unsigned long long) next_pos, (unsigned long long) f->index_position);
		goto bad;
	}
	return true;
bad:
	ObjFormatIndexFree(out);
	return false;
}

void
ObjFormatIndexFree(ObjFormatIndex *idx)
{
	if (idx->entries)
		pfree(idx->entries);
	idx->entries = NULL;
	idx->nentries = 0;
}

bool
ObjFormatOpenBuffer(const void *obj, size_t len, ObjFormatIndex *out, char *err, size_t errlen)
{
	ObjFormatFooter f;
	const char *p = obj;

	memset(out, 0, sizeof(*out));
	if (len < OBJFORMAT_FOOTER_SIZE)
	{
		snprintf(err, errlen, "object is %zu bytes, too short for a footer", len);
		return false;
	}
	if (!ObjFormatParseFooter(p + len - OBJFORMAT_FOOTER_SIZE, OBJFORMAT_FOOTER_SIZE, len, &f, err, errlen))
		return false;
	return ObjFormatParseIndex(&f, p + f.index_position, f.index_length, out, err, errlen);
}

int
ObjFormatFindBlock(const ObjFormatIndex *idx, uint64 stream_id, uint64 offset)
{
	int			lo = 0,
				hi = idx->nentries;

	/* first entry with (stream, end_offset) > (stream_id, offset) */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const ObjFormatIndexEntry *e = &idx->entries[mid];

		if (e->stream_id < stream_id || (e->stream_id == stream_id && e->end_offset <= offset))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < idx->nentries && idx->entries[lo].stream_id == stream_id)
		return lo;
	return -1;
}

bool
ObjFormatBlockOpen(const ObjFormatIndexEntry *e, const void *buf, size_t len,
				   ObjFormatBlockReader *r, char *err, size_t errlen)
{
	const char *h = buf;
	uint32		data_len;

	memset(r, 0, sizeof(*r));
	if (len != e->block_size || len < OBJFORMAT_BLOCK_HEADER_SIZE)
	{
		snprintf(err, errlen, "block at %llu is %zu bytes, index says %u",
				 (unsigned long long) e->block_position, len, e->block_size);
		return false;
	}
	if (get32(h) != OBJFORMAT_BLOCK_MAGIC || (unsigned char) h[4] != OBJFORMAT_VERSION ||
		h[5] != 0 || get16(h + 6) != 0 || get32(h + 28) != 0)
	{
		snprintf(err, errlen, "block at %llu has a bad magic, version or reserved field",
				 (unsigned long long) e->block_position);
		return false;
	}
	data_len = get32(h + 20);
	if (get64(h + 8) != e->stream_id || (uint64) data_len + OBJFORMAT_BLOCK_HEADER_SIZE != len)
	{
		snprintf(err, errlen, "block at %llu does not match its index entry (stream %llu, %u data bytes)",
				 (unsigned long long) e->block_position, (unsigned long long) get64(h + 8), data_len);
		return false;
	}
	if (crc32c(0, h + OBJFORMAT_BLOCK_HEADER_SIZE, data_len) != get32(h + 24))
	{
		snprintf(err, errlen, "block at %llu (stream %llu) CRC mismatch",
				 (unsigned long long) e->block_position, (unsigned long long) e->stream_id);
		return false;
	}
	r->data = h + OBJFORMAT_BLOCK_HEADER_SIZE;
	r->len = data_len;
	r->remaining = get32(h + 16);
	r->stream_id = e->stream_id;
	r->next_min_offset = e->start_offset;
	r->end_offset = e->end_offset;
	r->records_left = e->record_count;
	return true;
}

int
ObjFormatBlockNext(ObjFormatBlockReader *r, ObjFormatBatch *batch, char *err, size_t errlen)
{
	const char *p;
	uint64		end;

	if (r->remaining == 0)
	{
		if (r->pos != r->len || r->records_left != 0)
		{
			snprintf(err, errlen, "block of stream %llu: %zu trailing bytes or %u records unaccounted for",
					 (unsigned long long) r->stream_id, r->len - r->pos, r->records_left);
			return -1;
		}
		return 0;
	}
	if (r->len - r->pos < OBJFORMAT_BATCH_HEADER_SIZE)
	{
		snprintf(err, errlen, "block of stream %llu ends inside a batch header", (unsigned long long) r->stream_id);
		return -1;
	}
	p = r->data + r->pos;
	batch->stream_id = r->stream_id;
	batch->base_offset = get64(p);
	batch->last_offset_delta = get32(p + 8);
	batch->record_count = get32(p + 12);
	batch->max_timestamp = (int64) get64(p + 16);
	batch->payload_len = get32(p + 24);
	if (batch->payload_len == 0 ||
		batch->payload_len > r->len - r->pos - OBJFORMAT_BATCH_HEADER_SIZE)
	{
		snprintf(err, errlen, "block of stream %llu: batch at offset %llu has length %u past the block's end",
				 (unsigned long long) r->stream_id, (unsigned long long) batch->base_offset, batch->payload_len);
		return -1;
	}
	end = batch->base_offset + batch->last_offset_delta + 1;
	if (batch->base_offset < r->next_min_offset || end <= batch->base_offset || end > r->end_offset ||
		batch->record_count > r->records_left)
	{
		snprintf(err, errlen, "block of stream %llu: batch at offset %llu is outside the block's range %llu..%llu",
				 (unsigned long long) r->stream_id, (unsigned long long) batch->base_offset,
				 (unsigned long long) r->next_min_offset, (unsigned long long) r->end_offset);
		return -1;
	}
	batch->payload = p + OBJFORMAT_BATCH_HEADER_SIZE;
	r->pos += OBJFORMAT_BATCH_HEADER_SIZE + batch->payload_len;
	r->next_min_offset = end;
	r->records_left -= batch->record_count;
	r->remaining--;
	return 1;
}
