/*-------------------------------------------------------------------------
 *
 * blockcache.c
 *	  The shared-memory cache of object-storage pages (see blockcache.h).
 *
 *	  Layout: a control struct, a bucket array (chains of page indexes
 *	  linked through the page headers), the page headers, then the page
 *	  bytes.  Replacement is a clock sweep over usage counts (0..3), as in
 *	  PostgreSQL's buffer manager: a hit bumps the count, the sweep
 *	  decrements it and takes the first unpinned page at zero.
 *
 * src/backend/storage/cache/blockcache.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <string.h>

#include "storage/blockcache.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/guc.h"

#define BC_NONE		(-1)
#define BC_MAX_USAGE 3

typedef struct BlockCachePage
{
	int64		object_id;
	uint32		page;
	int32		next;			/* next page in the bucket's chain */
	uint32		len;			/* valid bytes; 0 = free */
	uint32		pins;			/* readers copying from it */
	uint32		usage;
	uint32		loading;		/* being filled: not visible to readers */
} BlockCachePage;

typedef struct BlockCacheCtl
{
	SMutex		lock;
	int			npages;
	int			nbuckets;
	int			hand;
	uint64		hits;			/* atomics */
	uint64		misses;
	uint64		inserts;
	uint64		evictions;
} BlockCacheCtl;

static BlockCacheCtl *Ctl;
static int32 *Buckets;
static BlockCachePage *Pages;
static char *Data;

static int
cache_pages(void)
{
	return (int) Max(block_cache_size / (int64) BLOCK_CACHE_PAGE_SIZE, 4);
}

static int
cache_buckets(void)
{
	int			n = 16;

	while (n < cache_pages() * 2)
		n <<= 1;
	return n;
}

size_t
BlockCacheShmemSize(void)
{
	size_t		size = CACHELINEALIGN(sizeof(BlockCacheCtl));

	size = add_size(size, CACHELINEALIGN(mul_size(sizeof(int32), (size_t) cache_buckets())));
	size = add_size(size, CACHELINEALIGN(mul_size(sizeof(BlockCachePage), (size_t) cache_pages())));
	size = add_size(size, 4096);	/* page alignment of the data */
	size = add_size(size, mul_size(BLOCK_CACHE_PAGE_SIZE, (size_t) cache_pages()));
	return size;
}

void
BlockCacheShmemInit(void)
{
	bool		found;
	char	   *p = ShmemInitStruct("Block cache", BlockCacheShmemSize(), &found);

	Ctl = (BlockCacheCtl *) p;
	p += CACHELINEALIGN(sizeof(BlockCacheCtl));
	Buckets = (int32 *) p;
	p += CACHELINEALIGN(sizeof(int32) * (size_t) cache_buckets());
	Pages = (BlockCachePage *) p;
	p += CACHELINEALIGN(sizeof(BlockCachePage) * (size_t) cache_pages());
	Data = (char *) TYPEALIGN(4096, (uintptr_t) p);
	if (found)
		return;
	memset(Ctl, 0, sizeof(*Ctl));
	SMutexInit(&Ctl->lock);
	Ctl->npages = cache_pages();
	Ctl->nbuckets = cache_buckets();
	for (int i = 0; i < Ctl->nbuckets; i++)
		Buckets[i] = BC_NONE;
	memset(Pages, 0, sizeof(BlockCachePage) * (size_t) Ctl->npages);
	for (int i = 0; i < Ctl->npages; i++)
		Pages[i].next = BC_NONE;
}

static inline uint32
bucket_of(int64 object_id, uint32 page)
{
	uint64		h = ((uint64) object_id * UINT64_C(0x9E3779B97F4A7C15)) ^ ((uint64) page * UINT64_C(0xC2B2AE3D27D4EB4F));

	return (uint32) (h >> 32) & (uint32) (Ctl->nbuckets - 1);
}

/* Caller holds the lock. */
static int
lookup(int64 object_id, uint32 page)
{
	for (int i = Buckets[bucket_of(object_id, page)]; i != BC_NONE; i = Pages[i].next)
		if (Pages[i].object_id == object_id && Pages[i].page == page && Pages[i].len > 0)
			return i;
	return BC_NONE;
}

/* Caller holds the lock. */
static void
unlink_page(int idx)
{
	int32	   *link = &Buckets[bucket_of(Pages[idx].object_id, Pages[idx].page)];

	while (*link != BC_NONE && *link != idx)
		link = &Pages[*link].next;
	if (*link == idx)
		*link = Pages[idx].next;
	Pages[idx].next = BC_NONE;
	Pages[idx].len = 0;
}

bool
BlockCacheRead(int64 object_id, uint32 page, size_t off, void *dst, size_t len)
{
	int			idx;

	SMutexLock(&Ctl->lock);
	idx = lookup(object_id, page);
	if (idx == BC_NONE || Pages[idx].loading || off + len > Pages[idx].len)
	{
		SMutexUnlock(&Ctl->lock);
		__atomic_add_fetch(&Ctl->misses, 1, __ATOMIC_RELAXED);
		return false;
	}
	Pages[idx].pins++;
	if (Pages[idx].usage < BC_MAX_USAGE)
		Pages[idx].usage++;
	SMutexUnlock(&Ctl->lock);

	memcpy(dst, Data + (size_t) idx * BLOCK_CACHE_PAGE_SIZE + off, len);

	SMutexLock(&Ctl->lock);
	Pages[idx].pins--;
	SMutexUnlock(&Ctl->lock);
	__atomic_add_fetch(&Ctl->hits, 1, __ATOMIC_RELAXED);
	return true;
}

void
BlockCacheInsert(int64 object_id, uint32 page, const void *data, size_t len)
{
	int			victim = BC_NONE;
	uint32		b;

	Assert(len > 0 && len <= BLOCK_CACHE_PAGE_SIZE);
	SMutexLock(&Ctl->lock);
	if (lookup(object_id, page) != BC_NONE)
	{
		SMutexUnlock(&Ctl->lock);
		return;					/* someone else was quicker */
	}

	/*
	 * Clock sweep.  Every page is either pinned (briefly) or loses a usage
	 * count per pass, so at most BC_MAX_USAGE + 1 passes find a victim
	 * unless everything is pinned; then we simply do not cache.
	 */
	for (int n = 0; n < Ctl->npages * (BC_MAX_USAGE + 2); n++)
	{
		BlockCachePage *pg = &Pages[Ctl->hand];
		int			i = Ctl->hand;

		Ctl->hand = (Ctl->hand + 1) % Ctl->npages;
		if (pg->pins > 0 || pg->loading)
			continue;
		if (pg->len > 0 && pg->usage > 0)
		{
			pg->usage--;
			continue;
		}
		victim = i;
		break;
	}
	if (victim == BC_NONE)
	{
		SMutexUnlock(&Ctl->lock);
		return;
	}
	if (Pages[victim].len > 0)
	{
		unlink_page(victim);
		__atomic_add_fetch(&Ctl->evictions, 1, __ATOMIC_RELAXED);
	}
	Pages[victim].object_id = object_id;
	Pages[victim].page = page;
	Pages[victim].len = (uint32) len;
	Pages[victim].usage = 1;
	Pages[victim].loading = 1;
	b = bucket_of(object_id, page);
	Pages[victim].next = Buckets[b];
	Buckets[b] = victim;
	SMutexUnlock(&Ctl->lock);

	memcpy(Data + (size_t) victim * BLOCK_CACHE_PAGE_SIZE, data, len);

	SMutexLock(&Ctl->lock);
	Pages[victim].loading = 0;
	SMutexUnlock(&Ctl->lock);
	__atomic_add_fetch(&Ctl->inserts, 1, __ATOMIC_RELAXED);
}

void
BlockCacheGetStats(BlockCacheStats *stats)
{
	stats->hits = __atomic_load_n(&Ctl->hits, __ATOMIC_RELAXED);
	stats->misses = __atomic_load_n(&Ctl->misses, __ATOMIC_RELAXED);
	stats->inserts = __atomic_load_n(&Ctl->inserts, __ATOMIC_RELAXED);
	stats->evictions = __atomic_load_n(&Ctl->evictions, __ATOMIC_RELAXED);
	stats->pages = Ctl->npages;
}
