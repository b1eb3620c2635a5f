/*-------------------------------------------------------------------------
 *
 * blockcache.h
 *	  The block cache: pages of objects read from object storage, kept in
 *	  shared memory (block_cache_size) so that every backend's cold reads
 *	  share them.
 *
 *	  A page is BLOCK_CACHE_PAGE_SIZE bytes of one object at a page-aligned
 *	  position (the object's last page may be shorter).  Objects never
 *	  change once written, so a cached page is never stale: it only goes
 *	  when the clock sweep needs its slot.
 *
 *	  Locking: one SMutex protects the hash table and the page headers;
 *	  page bytes are copied with the page pinned and the lock released.
 *	  Two backends missing the same page at once may both read it from the
 *	  store; the second insert is a no-op.
 *
 * include/storage/blockcache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_BLOCKCACHE_H
#define STRATA_BLOCKCACHE_H

#include "c.h"

#define BLOCK_CACHE_PAGE_SIZE	((size_t) 1024 * 1024)

extern size_t BlockCacheShmemSize(void);
extern void BlockCacheShmemInit(void);

/*
 * Copy len bytes at offset off of page (object_id, page) into dst.  True
 * on a hit; false if the page is not cached or holds fewer than off + len
 * bytes.
 */
extern bool BlockCacheRead(int64 object_id, uint32 page, size_t off, void *dst, size_t len);

/* Cache a page (len <= BLOCK_CACHE_PAGE_SIZE bytes) read from the store. */
extern void BlockCacheInsert(int64 object_id, uint32 page, const void *data, size_t len);

/* Counters since start. */
typedef struct BlockCacheStats
{
	uint64		hits;
	uint64		misses;
	uint64		inserts;
	uint64		evictions;
	int			pages;			/* capacity */
} BlockCacheStats;

extern void BlockCacheGetStats(BlockCacheStats *stats);

#endif							/* STRATA_BLOCKCACHE_H */
