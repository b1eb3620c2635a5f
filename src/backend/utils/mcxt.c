/*-------------------------------------------------------------------------
 *
 * mcxt.c
 *	  Memory contexts and the palloc family (see utils/palloc.h).
 *
 *	  A context is a list of chunks plus a tree of child contexts.  Each
 *	  chunk is one malloc'd block: a MemoryChunk header (its context and its
 *	  neighbours in the context's doubly-linked chunk list) followed by the
 *	  caller's bytes.  So pfree and repalloc find a chunk's context from the
 *	  pointer alone, pfree unlinks in constant time, and MemoryContextReset
 *	  walks the list and frees everything.  Memory is per process; nothing
 *	  here is shared or locked.
 *
 *	  TopMemoryContext is a static object, usable before main() does
 *	  anything, so the postmaster's first palloc needs no set-up; children
 *	  inherit it (and everything in it) across fork.
 *
 *	  With assertions enabled, a reset context's chunks are overwritten
 *	  with 0x7F before they are freed, as PostgreSQL's CLOBBER_FREED_MEMORY
 *	  does, so a pointer kept past its request's end shows as garbage at
 *	  once instead of working by luck.
 *
 * src/backend/utils/mcxt.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/mman.h>

#include "utils/elog.h"

#define MCXT_MAGIC	0x4d435854	/* "MCXT" */

typedef struct MemoryChunk
{
	struct MemoryChunk *prev;
	struct MemoryChunk *next;
	MemoryContext context;
	size_t		size;			/* bytes asked for */
} MemoryChunk;

/* The caller's bytes keep malloc's 16-byte alignment. */
StaticAssertDecl(sizeof(MemoryChunk) % 16 == 0, "MemoryChunk must keep malloc's alignment");

#define CHUNK_HDRSZ		sizeof(MemoryChunk)
#define ChunkOfPointer(p)	((MemoryChunk *) ((char *) (p) - CHUNK_HDRSZ))
#define PointerOfChunk(c)	((void *) ((char *) (c) + CHUNK_HDRSZ))

typedef struct MemoryContextData
{
	uint32		magic;
	const char *name;
	MemoryContext parent;
	MemoryContext firstchild;
	MemoryContext prevchild;	/* siblings under the same parent */
	MemoryContext nextchild;
	MemoryChunk chunks;			/* list head; chunks.next is the newest */
	size_t		allocated;		/* sum of the chunks' sizes */
} MemoryContextData;

static MemoryContextData TopMemoryContextData = {
	.magic = MCXT_MAGIC,
	.name = "TopMemoryContext",
	.chunks = {
		.prev = &TopMemoryContextData.chunks,
		.next = &TopMemoryContextData.chunks,
		.context = &TopMemoryContextData,
	},
};

MemoryContext TopMemoryContext = &TopMemoryContextData;
MemoryContext CurrentMemoryContext = &TopMemoryContextData;
MemoryContext RequestContext = NULL;

static void pg_attribute_noreturn()
out_of_memory(MemoryContext context, size_t size)
{
	elog(ERROR, "out of memory (requested %zu bytes in memory context \"%s\")",
		 size, context->name);
	abort();					/* not reached: ERROR does not return */
}

/*
 * Large buffers (an object being built, a fetch response) are mapped
 * afresh by malloc, and touching them costs a page fault per 4 KiB: on a
 * virtual machine that costs more than filling them.  Ask for transparent
 * huge pages there (a fault per 2 MiB).  Only a hint: with THP off, or
 * where madvise fails, nothing changes.
 */
#define HUGE_HINT_MIN	((size_t) 8 * 1024 * 1024)
#define HUGE_PAGE_SIZE	((uintptr_t) 2 * 1024 * 1024)

static void
advise_huge(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	uintptr_t	start = ((uintptr_t) p + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
	uintptr_t	end = ((uintptr_t) p + size) & ~(HUGE_PAGE_SIZE - 1);

	if (size >= HUGE_HINT_MIN && end > start)
		(void) madvise((void *) start, end - start, MADV_HUGEPAGE);
#else
	(void) p;
	(void) size;
#endif
}

/*
 * The chunk header of a palloc'd pointer.  A pointer palloc did not return
 * (malloc'd, freed twice, from a library) almost surely fails the list
 * check: stop rather than corrupt the heap.
 */
static inline MemoryChunk *
chunk_of(void *pointer)
{
	MemoryChunk *chunk = ChunkOfPointer(pointer);

	Ensure(chunk->next->prev == chunk && chunk->prev->next == chunk);
	Assert(chunk->context != NULL && chunk->context->magic == MCXT_MAGIC);
	return chunk;
}

static inline void
chunk_link(MemoryContext context, MemoryChunk *chunk)
{
	chunk->context = context;
	chunk->prev = &context->chunks;
	chunk->next = context->chunks.next;
	chunk->next->prev = chunk;
	context->chunks.next = chunk;
	context->allocated += chunk->size;
}

static inline void
chunk_unlink(MemoryChunk *chunk)
{
	chunk->prev->next = chunk->next;
	chunk->next->prev = chunk->prev;
	chunk->context->allocated -= chunk->size;
}

static void *
context_alloc(MemoryContext context, size_t size, bool zero)
{
	MemoryChunk *chunk;
	size_t		total;

	Assert(context != NULL && context->magic == MCXT_MAGIC);
	if (size > SIZE_MAX - CHUNK_HDRSZ - 1)
		out_of_memory(context, size);
	total = CHUNK_HDRSZ + (size ? size : 1);
	chunk = zero ? calloc(1, total) : malloc(total);
	if (chunk == NULL)
		out_of_memory(context, size);
	chunk->size = size;
	chunk_link(context, chunk);
	if (!zero)
		advise_huge(PointerOfChunk(chunk), size);
	return PointerOfChunk(chunk);
}

/* ---------- contexts ---------- */

MemoryContext
MemoryContextCreate(MemoryContext parent, const char *name)
{
	MemoryContext context;

	Assert(parent != NULL && parent->magic == MCXT_MAGIC);
	context = calloc(1, sizeof(MemoryContextData));
	if (context == NULL)
		out_of_memory(parent, sizeof(MemoryContextData));
	context->magic = MCXT_MAGIC;
	context->name = name;
	context->chunks.prev = context->chunks.next = &context->chunks;
	context->chunks.context = context;
	context->parent = parent;
	context->nextchild = parent->firstchild;
	if (parent->firstchild != NULL)
		parent->firstchild->prevchild = context;
	parent->firstchild = context;
	return context;
}

void
MemoryContextReset(MemoryContext context)
{
	MemoryChunk *chunk;

	Assert(context != NULL && context->magic == MCXT_MAGIC);
	while (context->firstchild != NULL)
		MemoryContextDelete(context->firstchild);
	chunk = context->chunks.next;
	while (chunk != &context->chunks)
	{
		MemoryChunk *next = chunk->next;

#ifdef USE_ASSERT_CHECKING
		memset(PointerOfChunk(chunk), 0x7F, chunk->size);
#endif
		free(chunk);
		chunk = next;
	}
	context->chunks.prev = context->chunks.next = &context->chunks;
	context->allocated = 0;
}

void
MemoryContextDelete(MemoryContext context)
{
	Assert(context != TopMemoryContext);
	/* Deleting the current context would leave palloc nowhere to go. */
	Assert(context != CurrentMemoryContext);
	MemoryContextReset(context);
	if (context->prevchild != NULL)
		context->prevchild->nextchild = context->nextchild;
	else
		context->parent->firstchild = context->nextchild;
	if (context->nextchild != NULL)
		context->nextchild->prevchild = context->prevchild;
	context->magic = 0;
	free(context);
}

MemoryContext
GetMemoryChunkContext(void *pointer)
{
	return chunk_of(pointer)->context;
}

size_t
MemoryContextMemAllocated(MemoryContext context, bool recurse)
{
	size_t		total = context->allocated;

	if (recurse)
		for (MemoryContext c = context->firstchild; c != NULL; c = c->nextchild)
			total += MemoryContextMemAllocated(c, true);
	return total;
}

void *
MemoryContextAlloc(MemoryContext context, size_t size)
{
	return context_alloc(context, size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, size_t size)
{
	return context_alloc(context, size, true);
}

char *
MemoryContextStrdup(MemoryContext context, const char *s)
{
	size_t		len = strlen(s) + 1;
	char	   *p = context_alloc(context, len, false);

	memcpy(p, s, len);
	return p;
}

/* ---------- the palloc family ---------- */

void *
palloc(size_t size)
{
	return context_alloc(CurrentMemoryContext, size, false);
}

void *
palloc0(size_t size)
{
	return context_alloc(CurrentMemoryContext, size, true);
}

/*
 * repalloc: resize a chunk within its own context.  On failure (ERROR) the
 * chunk is left as it was.
 */
void *
repalloc(void *ptr, size_t size)
{
	MemoryChunk *chunk;
	MemoryChunk *moved;
	MemoryContext context;

	if (ptr == NULL)
		return palloc(size);
	chunk = chunk_of(ptr);
	context = chunk->context;
	if (size > SIZE_MAX - CHUNK_HDRSZ - 1)
		out_of_memory(context, size);
	moved = realloc(chunk, CHUNK_HDRSZ + (size ? size : 1));
	if (moved == NULL)
		out_of_memory(context, size);
	/* The neighbours still point at the old address. */
	moved->prev->next = moved;
	moved->next->prev = moved;
	context->allocated = context->allocated - moved->size + size;
	moved->size = size;
	advise_huge(PointerOfChunk(moved), size);
	return PointerOfChunk(moved);
}

char *
pstrdup(const char *s)
{
	return MemoryContextStrdup(CurrentMemoryContext, s);
}

char *
pnstrdup(const char *s, size_t len)
{
	char	   *p = palloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
psprintf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		elog(ERROR, "psprintf: bad format \"%s\"", fmt);
	p = palloc((size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
pfree(void *ptr)
{
	MemoryChunk *chunk;

	if (ptr == NULL)
		return;
	chunk = chunk_of(ptr);
	chunk_unlink(chunk);
	free(chunk);
}
