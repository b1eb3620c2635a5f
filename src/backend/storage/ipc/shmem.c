/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  The shared-memory segment and named allocations within it.
 *
 *	  The segment is an anonymous MAP_SHARED mapping: it needs no key, no
 *	  cleanup after a crash and is inherited by every child at fork.  With
 *	  huge_pages = try or on it is mapped with 2 MB pages when the kernel
 *	  has them reserved.  Its
 *	  first bytes hold a small directory of named structures, so that a
 *	  module can ask for its part by name.
 *
 * src/backend/storage/ipc/shmem.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/mman.h>

#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/guc.h"

/* The kernel's default huge page on x86-64 and arm64 (4 KiB base pages). */
#define HUGE_PAGE_SIZE	((size_t) 2 * 1024 * 1024)

#define SHMEM_INDEX_SIZE 64

typedef struct ShmemIndexEnt
{
	char		name[48];
	size_t		offset;
	size_t		size;
} ShmemIndexEnt;

typedef struct ShmemHeader
{
	slock_t		lock;
	size_t		total;
	size_t		free_offset;
	int			nentries;
	ShmemIndexEnt index[SHMEM_INDEX_SIZE];
} ShmemHeader;

void	   *ShmemBase = NULL;
size_t		ShmemTotalSize = 0;

size_t
add_size(size_t s1, size_t s2)
{
	size_t		result;

	if (__builtin_add_overflow(s1, s2, &result))
		elog_fatal("requested shared memory size overflows size_t: lower log_cache_size or block_cache_size");
	return result;
}

size_t
mul_size(size_t s1, size_t s2)
{
	size_t		result;

	if (__builtin_mul_overflow(s1, s2, &result))
		elog_fatal("requested shared memory size overflows size_t: lower log_cache_size or block_cache_size");
	return result;
}

/*
 * The segment with huge pages (huge_pages = try or on): MAP_HUGETLB takes
 * them from the kernel's reserved pool (vm.nr_hugepages) and fails at once
 * if it has too few, so nothing is left to fail later at a first touch.
 * Returns MAP_FAILED (errno set) without them; *size is rounded up to
 * whole huge pages when they are used.
 */
static void *
map_huge(size_t *size)
{
#ifdef MAP_HUGETLB
	size_t		huge = TYPEALIGN(HUGE_PAGE_SIZE, *size);
	void	   *p;

	p = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		return p;
	*size = huge;

	/*
	 * The pages are the kernel's already (reserved at mmap), but each is
	 * zeroed at its first touch, 2 MB at a time, inside whatever append or
	 * cache fill touches it first: a fault of a tenth of a millisecond or
	 * more on the produce path, for the first pass through the WAL ring.
	 * Zero them all now, at start, instead.
	 */
#ifdef MADV_POPULATE_WRITE
	if (madvise(p, huge, MADV_POPULATE_WRITE) == 0)
		return p;
#endif
	for (size_t off = 0; off < huge; off += HUGE_PAGE_SIZE)
		((volatile char *) p)[off] = 0;
	return p;
#else
	(void) size;
	errno = ENOTSUP;
	return MAP_FAILED;
#endif
}

void
ShmemCreate(size_t size)
{
	void	   *p = MAP_FAILED;
	ShmemHeader *hdr;

	size = add_size(size, CACHELINEALIGN(sizeof(ShmemHeader)));
	size = TYPEALIGN(4096, size);
	if (huge_pages != HUGE_PAGES_OFF)
	{
		size_t		want = size;

		p = map_huge(&size);
		if (p == MAP_FAILED && huge_pages == HUGE_PAGES_ON)
			elog_fatal("could not map %zu bytes of shared memory with huge pages: %s; it needs %zu free 2 MB pages reserved (sysctl vm.nr_hugepages), or set huge_pages = try",
					   TYPEALIGN(HUGE_PAGE_SIZE, want), strerror(errno), TYPEALIGN(HUGE_PAGE_SIZE, want) / HUGE_PAGE_SIZE);
		if (p == MAP_FAILED)
			elog(LOG, "shared memory: %zu MB in 4 kB pages; huge_pages = try found fewer than the %zu 2 MB pages it needs reserved (sysctl vm.nr_hugepages)",
				 size >> 20, TYPEALIGN(HUGE_PAGE_SIZE, want) / HUGE_PAGE_SIZE);
		else
			elog(LOG, "shared memory: %zu MB in %zu huge pages", size >> 20, size / HUGE_PAGE_SIZE);
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		elog_fatal("could not create shared memory segment of %zu bytes: %s; lower log_cache_size or block_cache_size",
				   size, strerror(errno));
	ShmemBase = p;
	ShmemTotalSize = size;
	hdr = (ShmemHeader *) p;
	SpinLockInit(&hdr->lock);
	hdr->total = size;
	hdr->free_offset = CACHELINEALIGN(sizeof(ShmemHeader));
	hdr->nentries = 0;
}

void
ShmemDestroy(void)
{
	if (ShmemBase != NULL)
		munmap(ShmemBase, ShmemTotalSize);
	ShmemBase = NULL;
	ShmemTotalSize = 0;
}

void *
ShmemInitStruct(const char *name, size_t size, bool *found)
{
	ShmemHeader *hdr = (ShmemHeader *) ShmemBase;
	void	   *result = NULL;

	Ensure(hdr != NULL);
	SpinLockAcquire(&hdr->lock);
	for (int i = 0; i < hdr->nentries; i++)
	{
		if (strcmp(hdr->index[i].name, name) == 0)
		{
			size_t		existing = hdr->index[i].size;
			size_t		offset = hdr->index[i].offset;

			SpinLockRelease(&hdr->lock);
			if (existing != size)
				elog(PANIC, "shared memory structure \"%s\" has size %zu, expected %zu", name, existing, size);
			*found = true;
			return (char *) ShmemBase + offset;
		}
	}
	if (hdr->nentries >= SHMEM_INDEX_SIZE ||
		hdr->free_offset + CACHELINEALIGN(size) > hdr->total ||
		strlen(name) >= sizeof(hdr->index[0].name))
	{
		SpinLockRelease(&hdr->lock);
		elog(PANIC, "out of shared memory allocating \"%s\" (%zu bytes): a module's ShmemSize function is wrong", name, size);
	}
	strlcpy_s(hdr->index[hdr->nentries].name, name, sizeof(hdr->index[0].name));
	hdr->index[hdr->nentries].offset = hdr->free_offset;
	hdr->index[hdr->nentries].size = size;
	hdr->nentries++;
	result = (char *) ShmemBase + hdr->free_offset;
	hdr->free_offset += CACHELINEALIGN(size);
	SpinLockRelease(&hdr->lock);
	*found = false;
	return result;
}
