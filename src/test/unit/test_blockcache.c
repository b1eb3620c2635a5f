/*
 * test_blockcache.c
 *	  The shared block cache: hits copy the right bytes at any offset, a
 *	  short last page refuses reads past its end, a second insert of a
 *	  page is a no-op, the clock sweep keeps pages that are used and
 *	  evicts those that are not, and pages of different objects never mix.
 *
 * src/test/unit/test_blockcache.c
 */
#include "c.h"

#include <string.h>

#include "storage/blockcache.h"
#include "storage/shmem.h"
#include "tap.h"
#include "utils/guc.h"

static char page[BLOCK_CACHE_PAGE_SIZE];
static char out[BLOCK_CACHE_PAGE_SIZE];

static void
fill(int64 object, uint32 pageno, size_t len)
{
	for (size_t i = 0; i < len; i++)
		page[i] = (char) (object * 31 + pageno * 7 + i);
}

static bool
check(int64 object, uint32 pageno, size_t off, size_t len)
{
	if (!BlockCacheRead(object, pageno, off, out, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if (out[i] != (char) (object * 31 + pageno * 7 + off + i))
			return false;
	return true;
}

int
main(void)
{
	char		err[256];
	BlockCacheStats st;
	int			kept = 0;

	GucInitDefaults();
	ok(GucSet("block_cache_size", "8MB", GUC_SRC_CMDLINE, err, sizeof(err)), "block_cache_size = 8MB");
	ShmemCreate(BlockCacheShmemSize() + 65536);
	BlockCacheShmemInit();
	BlockCacheGetStats(&st);
	is_int(st.pages, 8, "8 pages of 1 MiB");

	ok(!BlockCacheRead(1, 0, 0, out, 10), "empty cache: a miss");
	fill(1, 0, BLOCK_CACHE_PAGE_SIZE);
	BlockCacheInsert(1, 0, page, BLOCK_CACHE_PAGE_SIZE);
	ok(check(1, 0, 0, BLOCK_CACHE_PAGE_SIZE), "whole page back");
	ok(check(1, 0, 12345, 1000), "a slice at an offset");
	ok(!BlockCacheRead(2, 0, 0, out, 10), "same page number of another object: a miss");
	ok(!BlockCacheRead(1, 1, 0, out, 10), "next page: a miss");

	fill(1, 1, 1000);
	BlockCacheInsert(1, 1, page, 1000);
	ok(check(1, 1, 0, 1000), "a short last page");
	ok(!BlockCacheRead(1, 1, 990, out, 20), "a read past its end is a miss");

	memset(page, 'x', 1000);
	BlockCacheInsert(1, 1, page, 1000);
	ok(check(1, 1, 0, 1000), "a second insert of a cached page changes nothing");

	/* Page (1,0) is used over and over while 20 others pass through. */
	for (uint32 p = 0; p < 20; p++)
	{
		fill(5, p, 4096);
		BlockCacheInsert(5, p, page, 4096);
		if (check(1, 0, 0, 100))
			kept++;
	}
	is_int(kept, 20, "a page in constant use survives the sweep");
	BlockCacheGetStats(&st);
	ok(st.evictions > 0, "cold pages were evicted (%llu)", (unsigned long long) st.evictions);
	ok(!BlockCacheRead(5, 0, 0, out, 10), "the oldest cold page is gone");
	ok(check(5, 19, 0, 4096), "the newest is there");
	ok(st.hits > 0 && st.misses > 0, "hits and misses are counted");
	ShmemDestroy();
	return done_testing();
}
