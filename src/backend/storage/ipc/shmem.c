/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  The shared-memory segment and named allocations within it.
 *
 *	  The segment is an anonymous MAP_SHARED mapping: it needs no key, no
 *	  cleanup after a crash and is inherited by every child at fork.  Its
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

void
ShmemCreate(size_t size)
{
	void	   *p;
	ShmemHeader *hdr;

	size = add_size(size, CACHELINEALIGN(sizeof(ShmemHeader)));
	size = TYPEALIGN(4096, size);
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
