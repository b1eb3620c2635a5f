/*-------------------------------------------------------------------------
 *
 * palloc.h
 *	  Memory contexts and the palloc family: PostgreSQL's model in small.
 *
 *	  Every palloc'd chunk belongs to a memory context.  palloc allocates in
 *	  CurrentMemoryContext; pfree and repalloc work on any chunk whatever
 *	  context is current, and repalloc keeps a chunk in its own context.
 *	  MemoryContextReset frees every chunk of a context at once and deletes
 *	  its child contexts, so whatever a unit of work palloc'd and did not
 *	  pfree -- or left behind when an ERROR abandoned it -- goes back in one
 *	  step.
 *
 *	  The contexts every process has:
 *
 *	  TopMemoryContext	lives as long as the process and is never reset.
 *			What must outlive one request (settings, caches, the fetch
 *			session, the connection's buffers) is allocated here: switch to
 *			it, or use MemoryContextAlloc(TopMemoryContext, ...).
 *	  RequestContext	a backend's per-request context, like PostgreSQL's
 *			MessageContext: current while one Kafka request is served, and
 *			reset once its response is built (kafka/backend.c), also after
 *			an ERROR.  NULL in every other process.
 *
 *	  Outside a request a backend's current context is TopMemoryContext, as
 *	  it always is in the postmaster and the auxiliary processes (which
 *	  free what they allocate themselves).
 *
 *	  A request's decoded structures and its response live in another
 *	  per-request store, the capped request arena (kafka/kbuf.h), which a
 *	  hostile request cannot grow without bound; RequestContext holds the
 *	  rest of what serving the request allocates.
 *
 *	  Allocation never returns NULL: running out of memory is an
 *	  elog(ERROR).  Differences from PostgreSQL: pfree(NULL) does nothing
 *	  and repalloc(NULL, n) is palloc(n), as with free and realloc, which
 *	  much of Strata's code relies on; chunks are malloc'd one by one and
 *	  chained in their context (a 32-byte header each) rather than carved
 *	  from blocks.  A pointer that palloc did not return must never reach
 *	  pfree or repalloc (memory from malloc, strdup, libpq or libcurl has its
 *	  own free function): the chunk header check stops the process.
 *
 *	  None of this is shared between processes, and nothing here takes a
 *	  lock.
 *
 * include/utils/palloc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_PALLOC_H
#define STRATA_PALLOC_H

/* Included by c.h, after its basic definitions. */

typedef struct MemoryContextData *MemoryContext;

extern MemoryContext TopMemoryContext;
extern MemoryContext CurrentMemoryContext;
extern MemoryContext RequestContext;

/*
 * A new, empty context, a child of parent (which MemoryContextReset and
 * MemoryContextDelete of the parent delete too).  name is kept as given
 * (a string constant) and shows in out-of-memory messages.
 */
extern MemoryContext MemoryContextCreate(MemoryContext parent, const char *name);

/* Free every chunk of context and delete its children. */
extern void MemoryContextReset(MemoryContext context);

/* Reset context, then delete it (never TopMemoryContext). */
extern void MemoryContextDelete(MemoryContext context);

/* The context a palloc'd chunk belongs to. */
extern MemoryContext GetMemoryChunkContext(void *pointer);

/*
 * Bytes the chunks of context hold (what was asked for, headers not
 * counted), with its children's when recurse is true.
 */
extern size_t MemoryContextMemAllocated(MemoryContext context, bool recurse);

/* Allocation in a given context, whatever context is current. */
extern void *MemoryContextAlloc(MemoryContext context, size_t size);
extern void *MemoryContextAllocZero(MemoryContext context, size_t size);
extern char *MemoryContextStrdup(MemoryContext context, const char *s);

/* Make context current; returns the one that was. */
static inline MemoryContext
MemoryContextSwitchTo(MemoryContext context)
{
	MemoryContext old = CurrentMemoryContext;

	CurrentMemoryContext = context;
	return old;
}

/* The palloc family: allocation in CurrentMemoryContext. */
extern void *palloc(size_t size);
extern void *palloc0(size_t size);
extern void *repalloc(void *ptr, size_t size);
extern char *pstrdup(const char *s);
extern char *pnstrdup(const char *s, size_t len);	/* len bytes, NUL added */
extern char *psprintf(const char *fmt,...) pg_attribute_printf(1, 2);
extern void pfree(void *ptr);

#endif							/* STRATA_PALLOC_H */
