/*-------------------------------------------------------------------------
 *
 * objreader.c
 *	  Cold reads: a stream's batches from object storage, through the
 *	  shared block cache (see objreader.h).
 *
 *	  Per backend we keep, in TopMemoryContext (the reads happen while a
 *	  request's context is current, but these outlive the request):
 *	  - the object store handle (opened on first use: curl handles must
 *	    not cross fork);
 *	  - for a few streams, the object locations the catalog last gave;
 *	  - for a few objects, their parsed index;
 *	  - a read-ahead window per sequential reader: a miss at the page
 *	    where the previous read of the same object ended doubles the
 *	    number of pages fetched in one ranged GET.
 *
 * src/backend/storage/objstore/objreader.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog_objects.h"
#include "storage/blockcache.h"
#include "storage/objformat.h"
#include "storage/objreader.h"
#include "storage/objstore.h"
#include "storage/readlimit.h"
#include "utils/elog.h"
#include "utils/guc.h"

#define LOC_STREAMS		16		/* streams whose locations we keep */
#define LOC_PER_STREAM	16		/* locations fetched per lookup */
#define INDEX_CACHE		16		/* parsed indexes kept */

typedef struct StreamLocations
{
	uint64		stream_id;		/* 0: unused */
	int			n;
	uint64		lru;
	CatalogObjectLocation loc[LOC_PER_STREAM];
} StreamLocations;

typedef struct CachedIndex
{
	int64		object_id;		/* 0: unused */
	uint64		lru;
	ObjFormatIndex index;
} CachedIndex;

static ObjStore *reader_store;
static StreamLocations locations[LOC_STREAMS];
static CachedIndex indexes[INDEX_CACHE];
static uint64 lru_clock;

/* Read-ahead state: one sequential reader per backend is the common case. */
static int64 ra_object = -1;
static uint32 ra_next_page;
static int	ra_pages = 1;

/* Scratch buffers, grown as needed and kept. */
static char *fetch_buf;
static size_t fetch_buflen;
static char *block_buf;
static size_t block_buflen;

static char *
grow(char **buf, size_t *len, size_t need)
{
	if (*len < need)
	{
		if (*buf)
			pfree(*buf);
		*buf = NULL;
		*len = 0;
		*buf = MemoryContextAlloc(TopMemoryContext, need);
		*len = need;
	}
	return *buf;
}

static bool
ensure_store(char *err, size_t errlen)
{
	ObjStoreError oerr;
	MemoryContext old;

	if (reader_store != NULL)
		return true;
	old = MemoryContextSwitchTo(TopMemoryContext);
	reader_store = ObjStoreOpen(object_store, &oerr);
	MemoryContextSwitchTo(old);
	if (reader_store == NULL)
	{
		snprintf(err, errlen, "cannot open the object store: %s", oerr.message);
		return false;
	}
	return true;
}

/*
 * Read [pos, pos + len) of an object into dst through the block cache.
 * Missing pages are fetched in one ranged GET together with the pages of
 * the read-ahead window (no more than ColdReadLimitReadAhead), each GET
 * paid for from cold_read_bandwidth first.
 * *gone is set if the object no longer exists.  With wait_deadline >= 0
 * (MonotonicMs), a GET the budget would hold past it is not made: false
 * with *throttled set and err empty.
 */
static bool
read_object(const CatalogObjectLocation *loc, uint64 pos, size_t len, char *dst,
			int64 wait_deadline, bool *throttled, bool *gone, char *err, size_t errlen)
{
	uint32		first = (uint32) (pos / BLOCK_CACHE_PAGE_SIZE);
	uint32		last = (uint32) ((pos + len - 1) / BLOCK_CACHE_PAGE_SIZE);
	uint32		npages_obj = (uint32) ((loc->size + BLOCK_CACHE_PAGE_SIZE - 1) / BLOCK_CACHE_PAGE_SIZE);
	uint32		p = first;

	*gone = false;
	*throttled = false;
	if (len == 0)
		return true;
	if (pos + len > loc->size)
	{
		snprintf(err, errlen, "read past the end of object %s (%llu + %zu > %llu)",
				 loc->key, (unsigned long long) pos, len, (unsigned long long) loc->size);
		return false;
	}
	while (p <= last)
	{
		uint64		page_start = (uint64) p * BLOCK_CACHE_PAGE_SIZE;
		size_t		off = p == first ? (size_t) (pos - page_start) : 0;
		size_t		n = Min((uint64) BLOCK_CACHE_PAGE_SIZE - off, pos + len - (page_start + off));
		char	   *out = dst + (page_start + off - pos);
		uint32		want,
					q;
		size_t		got;
		ObjStoreError oerr;
		uint64		get_len;

		if (BlockCacheRead(loc->object_id, p, off, out, n))
		{
			p++;
			continue;
		}

		/* A miss: fetch the run of pages we need, plus read-ahead. */
		if (ra_object == loc->object_id && p == ra_next_page)
			ra_pages = Min(ra_pages * 2, OBJREADER_MAX_READAHEAD);
		else
			ra_pages = 1;
		want = Max(last - p + 1,
				   (uint32) Min((uint64) ra_pages,
								Max(ColdReadLimitReadAhead() / BLOCK_CACHE_PAGE_SIZE, 1)));
		want = Min(want, npages_obj - p);
		get_len = Min((uint64) want * BLOCK_CACHE_PAGE_SIZE, loc->size - page_start);
		grow(&fetch_buf, &fetch_buflen, (size_t) OBJREADER_MAX_READAHEAD * BLOCK_CACHE_PAGE_SIZE);
		if (get_len > fetch_buflen)
			grow(&fetch_buf, &fetch_buflen, get_len);
		if (!ColdReadLimitAcquire(get_len, wait_deadline))
		{
			*throttled = true;
			err[0] = '\0';
			return false;
		}
		if (!ObjStoreGet(reader_store, loc->key, page_start, get_len, fetch_buf, &got, &oerr))
		{
			*gone = oerr.code == OBJSTORE_NOT_FOUND;
			snprintf(err, errlen, "cannot read object %s: %s", loc->key, oerr.message);
			return false;
		}
		if (got != get_len)
		{
			snprintf(err, errlen, "object %s is shorter than the catalog says (%llu bytes)",
					 loc->key, (unsigned long long) loc->size);
			return false;
		}
		for (q = 0; q < want; q++)
		{
			uint64		qs = (uint64) q * BLOCK_CACHE_PAGE_SIZE;

			BlockCacheInsert(loc->object_id, p + q, fetch_buf + qs,
							 (size_t) Min((uint64) BLOCK_CACHE_PAGE_SIZE, get_len - qs));
		}
		ra_object = loc->object_id;
		ra_next_page = p + want;

		/* Copy what this read needs out of the fetched run. */
		{
			uint64		run_end = page_start + get_len;
			uint64		from = page_start + off;
			uint64		to = Min(run_end, pos + len);

			memcpy(out, fetch_buf + off, (size_t) (to - from));
			/* A run ends on a page boundary unless the object ends there. */
			p = to < pos + len ? (uint32) (to / BLOCK_CACHE_PAGE_SIZE) : last + 1;
		}
	}
	return true;
}

/* The parsed index of an object, from the backend cache or the object. */
static const ObjFormatIndex *
object_index(const CatalogObjectLocation *loc, bool *gone, char *err, size_t errlen)
{
	CachedIndex *slot = &indexes[0];
	char		footer_buf[OBJFORMAT_FOOTER_SIZE];
	ObjFormatFooter footer;
	char	   *ibuf;
	bool		throttled;
	bool		parsed;
	MemoryContext old;

	for (int i = 0; i < INDEX_CACHE; i++)
	{
		if (indexes[i].object_id == loc->object_id)
		{
			indexes[i].lru = ++lru_clock;
			return &indexes[i].index;
		}
		if (indexes[i].lru < slot->lru)
			slot = &indexes[i];
	}
	if (loc->size < OBJFORMAT_FOOTER_SIZE)
	{
		snprintf(err, errlen, "object %s is too small (%llu bytes)", loc->key,
				 (unsigned long long) loc->size);
		return NULL;
	}
	if (!read_object(loc, loc->size - OBJFORMAT_FOOTER_SIZE, OBJFORMAT_FOOTER_SIZE,
					 footer_buf, -1, &throttled, gone, err, errlen))
		return NULL;
	if (!ObjFormatParseFooter(footer_buf, sizeof(footer_buf), loc->size, &footer, err, errlen))
		return NULL;
	ibuf = palloc(Max(footer.index_length, 1));
	if (!read_object(loc, footer.index_position, footer.index_length, ibuf, -1, &throttled,
					 gone, err, errlen))
	{
		pfree(ibuf);
		return NULL;
	}
	if (slot->object_id != 0)
		ObjFormatIndexFree(&slot->index);
	slot->object_id = 0;
	old = MemoryContextSwitchTo(TopMemoryContext);
	parsed = ObjFormatParseIndex(&footer, ibuf, footer.index_length, &slot->index, err, errlen);
	MemoryContextSwitchTo(old);
	pfree(ibuf);
	if (!parsed)
		return NULL;
	slot->object_id = loc->object_id;
	slot->lru = ++lru_clock;
	return &slot->index;
}

static void
forget_stream(uint64 stream_id)
{
	for (int i = 0; i < LOC_STREAMS; i++)
		if (locations[i].stream_id == stream_id)
			locations[i].stream_id = 0;
}

/*
 * The location of the object holding stream_id at offset (or the first
 * one after it): from the backend's cache if it covers offset, else from
 * the catalog.  NULL with *err empty if there is none.
 */
static const CatalogObjectLocation *
locate(PGconn *conn, uint64 stream_id, int64 offset, char *err, size_t errlen)
{
	StreamLocations *sl = NULL;
	StreamLocations *victim = &locations[0];
	int			n;

	err[0] = '\0';
	for (int i = 0; i < LOC_STREAMS; i++)
	{
		if (locations[i].stream_id == stream_id)
			sl = &locations[i];
		if (locations[i].lru < victim->lru)
			victim = &locations[i];
	}
	if (sl != NULL)
	{
		sl->lru = ++lru_clock;
		for (int i = 0; i < sl->n; i++)
			if (offset >= sl->loc[i].start_offset && offset < sl->loc[i].end_offset)
				return &sl->loc[i];
	}
	else
		sl = victim;

	if (conn == NULL)
	{
		snprintf(err, errlen, "the catalog is unreachable");
		return NULL;
	}
	sl->stream_id = 0;
	n = CatalogLookupObjects(conn, stream_id, offset, sl->loc, LOC_PER_STREAM, err, errlen);
	if (n < 0)
		return NULL;
	sl->stream_id = stream_id;
	sl->n = n;
	sl->lru = ++lru_clock;
	return n > 0 ? &sl->loc[0] : NULL;
}

ObjReadResult
ObjReadStream(PGconn *conn, uint64 stream_id, int64 offset, int64 max_offset,
			  char *buf, size_t buflen, int64 wait_deadline, size_t *bytes,
			  int64 *next_offset, char *err, size_t errlen)
{
	*bytes = 0;
	*next_offset = offset;
	if (!ensure_store(err, errlen))
		return OBJREAD_ERROR;

	/* Two attempts: the second after a compacted object turned out gone. */
	for (int attempt = 0; attempt < 2; attempt++)
	{
		const CatalogObjectLocation *loc = locate(conn, stream_id, offset, err, errlen);
		CatalogObjectLocation here;
		const ObjFormatIndex *idx;
		bool		gone = false;
		bool		throttled = false;
		int			e;
		size_t		copied = 0;
		int64		next = offset;

		if (loc == NULL)
			return err[0] ? OBJREAD_ERROR : OBJREAD_NOT_FOUND;
		here = *loc;			/* the cache may be refilled below */
		idx = object_index(&here, &gone, err, errlen);
		if (idx == NULL)
		{
			if (gone && attempt == 0)
			{
				forget_stream(stream_id);
				continue;
			}
			return OBJREAD_ERROR;
		}
		e = ObjFormatFindBlock(idx, stream_id, (uint64) offset);
		for (; e >= 0 && e < idx->nentries; e++)
		{
			const ObjFormatIndexEntry *ent = &idx->entries[e];
			ObjFormatBlockReader r;
			ObjFormatBatch batch;
			int			rc;

			if (ent->stream_id != stream_id || (int64) ent->start_offset >= max_offset)
				break;
			grow(&block_buf, &block_buflen, ent->block_size);
			if (!read_object(&here, ent->block_position, ent->block_size, block_buf,
							 wait_deadline, &throttled, &gone, err, errlen))
				break;
			if (!ObjFormatBlockOpen(ent, block_buf, ent->block_size, &r, err, errlen))
			{
				gone = false;
				break;
			}
			while ((rc = ObjFormatBlockNext(&r, &batch, err, errlen)) == 1)
			{
				int64		batch_end = (int64) (batch.base_offset + batch.last_offset_delta) + 1;

				if (batch_end <= offset)
					continue;
				if ((int64) batch.base_offset >= max_offset)
					break;
				if (copied + batch.payload_len > buflen)
				{
					if (copied == 0)
					{
						*bytes = batch.payload_len;
						return OBJREAD_TOO_SMALL;
					}
					break;
				}
				memcpy(buf + copied, batch.payload, batch.payload_len);
				copied += batch.payload_len;
				next = batch_end;
			}
			if (rc < 0)
				break;
			if (copied >= buflen || (rc == 1))
				break;
		}
		if (throttled && copied == 0)
			return OBJREAD_THROTTLED;
		if (err[0] && copied == 0)
		{
			if (gone && attempt == 0)
			{
				forget_stream(stream_id);
				err[0] = '\0';
				continue;
			}
			return OBJREAD_ERROR;
		}
		*bytes = copied;
		*next_offset = next;
		return OBJREAD_OK;
	}
	return OBJREAD_ERROR;
}

ObjReadResult
ObjFindTimestamp(PGconn *conn, uint64 stream_id, int64 offset, int64 ts,
				 int64 *found_offset, int64 *found_ts, char *err, size_t errlen)
{
	*found_offset = -1;
	*found_ts = -1;
	if (!ensure_store(err, errlen))
		return OBJREAD_ERROR;

	/* Object by object, skipping blocks whose largest timestamp is older. */
	for (int guard = 0; guard < 100000; guard++)
	{
		const CatalogObjectLocation *loc = locate(conn, stream_id, offset, err, errlen);
		CatalogObjectLocation here;
		const ObjFormatIndex *idx;
		bool		gone;
		bool		throttled;

		if (loc == NULL)
			return err[0] ? OBJREAD_ERROR : OBJREAD_NOT_FOUND;
		here = *loc;
		idx = object_index(&here, &gone, err, errlen);
		if (idx == NULL)
			return OBJREAD_ERROR;
		for (int e = ObjFormatFindBlock(idx, stream_id, (uint64) offset);
			 e >= 0 && e < idx->nentries && idx->entries[e].stream_id == stream_id; e++)
		{
			const ObjFormatIndexEntry *ent = &idx->entries[e];
			ObjFormatBlockReader r;
			ObjFormatBatch batch;

			if (ent->max_timestamp < ts)
				continue;
			grow(&block_buf, &block_buflen, ent->block_size);
			if (!read_object(&here, ent->block_position, ent->block_size, block_buf, -1, &throttled,
							 &gone, err, errlen) ||
				!ObjFormatBlockOpen(ent, block_buf, ent->block_size, &r, err, errlen))
				return OBJREAD_ERROR;
			while (ObjFormatBlockNext(&r, &batch, err, errlen) == 1)
				if ((int64) (batch.base_offset + batch.last_offset_delta) >= offset &&
					batch.max_timestamp >= ts)
				{
					*found_offset = Max((int64) batch.base_offset, offset);
					*found_ts = batch.max_timestamp;
					return OBJREAD_OK;
				}
		}
		offset = here.end_offset;
	}
	return OBJREAD_NOT_FOUND;
}
