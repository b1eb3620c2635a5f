/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  The shared-memory segment.
 *
 *	  The postmaster creates one anonymous shared mapping before it forks
 *	  anything; children inherit it at fork.  Its size is the sum of every
 *	  module's XxxShmemSize() (postmaster/ipci.c), and each module carves out
 *	  its part with ShmemInitStruct(name, size, &found).  Shared memory is
 *	  never freed piecemeal: after a crash the postmaster throws the whole
 *	  segment away and builds a new one.
 *
 * include/storage/shmem.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_SHMEM_H
#define STRATA_SHMEM_H

#include "c.h"

/* Size arithmetic that stops the server on overflow instead of wrapping. */
extern size_t add_size(size_t s1, size_t s2);
extern size_t mul_size(size_t s1, size_t s2);

/* Create a fresh segment of at least size bytes (postmaster only). */
extern void ShmemCreate(size_t size);
/* Unmap the current segment (postmaster, before a crash restart). */
extern void ShmemDestroy(void);

/*
 * Allocate (or, in a process that finds it already made, look up) a named
 * structure in shared memory.  Allocation is cache-line aligned.  Running
 * out of the precomputed size is a bug (PANIC).
 */
extern void *ShmemInitStruct(const char *name, size_t size, bool *found);

/* The whole segment (for tests and debugging). */
extern void *ShmemBase;
extern size_t ShmemTotalSize;

#endif							/* STRATA_SHMEM_H */
