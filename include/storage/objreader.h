/*-------------------------------------------------------------------------
 *
 * objreader.h
 *	  Reading a stream's record batches back from object storage: what a
 *	  fetch gets for offsets the log cache no longer holds.
 *
 *	  The catalog says which objects hold the stream from an offset on
 *	  (CatalogLookupObjects); each object's footer and index say which block
 *	  holds it; blocks are read through the shared block cache
 *	  (blockcache.h), with read-ahead that doubles, up to
 *	  OBJREADER_MAX_READAHEAD pages, while a backend keeps reading an
 *	  object sequentially.  Locations and parsed indexes are cached in the
 *	  backend (objects never change; a compacted one stays readable for
 *	  object_delete_delay, and a read that finds it gone looks again).
 *
 *	  Used by backends only; the object store is opened on first use.
 *
 * include/storage/objreader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_OBJREADER_H
#define STRATA_OBJREADER_H

#include "c.h"

#include <libpq-fe.h>

#define OBJREADER_MAX_READAHEAD		16	/* pages of BLOCK_CACHE_PAGE_SIZE */

typedef enum ObjReadResult
{
	OBJREAD_OK,					/* batches copied (*bytes may be 0 only if
								 * nothing is stored at or after offset
								 * below max_offset) */
	OBJREAD_NOT_FOUND,			/* no object holds the stream at/after offset */
	OBJREAD_TOO_SMALL,			/* the first batch is larger than buflen;
								 * *bytes says how large */
	OBJREAD_THROTTLED,			/* nothing copied: cold_read_bandwidth would
								 * have held the read past wait_deadline */
	OBJREAD_ERROR				/* store or catalog failure; err says why */
} ObjReadResult;

/*
 * Copy whole record batches of stream_id, starting with the batch that
 * contains offset (or the first after it), into buf, up to buflen bytes,
 * stopping before max_offset and at the end of one object.  *next_offset
 * is the offset after the last batch copied.
 *
 * Data GETs are paid for from cold_read_bandwidth (readlimit.h).
 * wait_deadline is -1 to wait for the budget as long as it takes (a fetch
 * with nothing to answer yet), else the MonotonicMs past which not to
 * wait: the read stops there, with what it copied or OBJREAD_THROTTLED.
 */
extern ObjReadResult ObjReadStream(PGconn *conn, uint64 stream_id, int64 offset,
								   int64 max_offset, char *buf, size_t buflen,
								   int64 wait_deadline, size_t *bytes,
								   int64 *next_offset, char *err, size_t errlen);

/*
 * The first offset of stream_id at or after offset whose batch's max
 * timestamp is >= ts, from the objects (for ListOffsets by time); -1 if
 * none.  *found_ts gets that batch's max timestamp.
 */
extern ObjReadResult ObjFindTimestamp(PGconn *conn, uint64 stream_id, int64 offset, int64 ts,
									  int64 *found_offset, int64 *found_ts,
									  char *err, size_t errlen);

#endif							/* STRATA_OBJREADER_H */
