/*
 * test_mcxt.c
 *	  Memory contexts (utils/palloc.h): where palloc allocates, what pfree
 *	  and repalloc do with chunks of other contexts, what a reset frees,
 *	  and that running out of memory is an ERROR a recovery point catches.
 */
#include "c.h"

#include <setjmp.h>

#include "tap.h"
#include "utils/elog.h"

static void
huge_palloc(void *arg)
{
	(void) palloc(SIZE_MAX / 2);
}

static void
huge_repalloc(void *arg)
{
	(void) repalloc(arg, SIZE_MAX / 2);
}

/* Does fn(arg) raise ERROR?  (The message is left in elog_last_error.) */
static bool
raises_error(void (*fn) (void *), void *arg)
{
	sigjmp_buf	local;
	bool		caught = true;

	if (sigsetjmp(local, 1) == 0)
	{
		elog_exception_stack = &local;
		fn(arg);
		caught = false;
	}
	elog_exception_stack = NULL;
	return caught;
}

int
main(void)
{
	size_t		top_before = MemoryContextMemAllocated(TopMemoryContext, false);
	MemoryContext req;
	MemoryContext child;
	MemoryContext old;
	char	   *a,
			   *b,
			   *c,
			   *d;

	ok(CurrentMemoryContext == TopMemoryContext, "TopMemoryContext is current from the start");
	a = palloc(100);
	ok(GetMemoryChunkContext(a) == TopMemoryContext, "palloc allocates in the current context");
	is_int(MemoryContextMemAllocated(TopMemoryContext, false) - top_before, 100,
		   "the context counts the chunk's bytes");
	ok(((uintptr_t) a & 15) == 0, "chunks keep malloc's 16-byte alignment");
	pfree(a);
	is_int(MemoryContextMemAllocated(TopMemoryContext, false), top_before, "pfree gives them back");

	/* A per-request context, as a backend has. */
	req = MemoryContextCreate(TopMemoryContext, "test request");
	old = MemoryContextSwitchTo(req);
	ok(old == TopMemoryContext, "MemoryContextSwitchTo returns the previous context");
	a = palloc(10);
	b = palloc0(4000);
	c = pstrdup("kept until the reset");
	d = psprintf("%s-%d", "formatted", 42);
	ok(GetMemoryChunkContext(a) == req && GetMemoryChunkContext(d) == req,
	   "palloc, pstrdup and psprintf allocate in the new current context");
	is_str(d, "formatted-42", "psprintf");
	{
		bool		zero = true;

		for (int i = 0; i < 4000; i++)
			zero &= b[i] == 0;
		ok(zero, "palloc0 zeroes");
	}
	is_int(MemoryContextMemAllocated(req, false), 10 + 4000 + strlen(c) + 1 + strlen(d) + 1,
		   "the request context holds exactly what was asked for");

	/* pfree and repalloc of a chunk of a context that is not current */
	MemoryContextSwitchTo(TopMemoryContext);
	pfree(a);
	is_int(MemoryContextMemAllocated(req, false), 4000 + strlen(c) + 1 + strlen(d) + 1,
		   "pfree of a chunk of another context");
	memcpy(b, "abc", 4);
	b = repalloc(b, 1024 * 1024);
	ok(GetMemoryChunkContext(b) == req, "repalloc keeps the chunk in its own context");
	is_str(b, "abc", "repalloc keeps the contents");
	is_int(MemoryContextMemAllocated(req, false), 1024 * 1024 + strlen(c) + 1 + strlen(d) + 1,
		   "repalloc adjusts the context's count");
	is_int(MemoryContextMemAllocated(TopMemoryContext, false), top_before,
		   "nothing of that went to TopMemoryContext");

	/* A child context goes with its parent's reset. */
	child = MemoryContextCreate(req, "test child");
	a = MemoryContextAlloc(child, 500);
	ok(GetMemoryChunkContext(a) == child, "MemoryContextAlloc allocates in the given context");
	ok(MemoryContextMemAllocated(req, true) == MemoryContextMemAllocated(req, false) + 500,
	   "a recursive count includes the children");
	MemoryContextReset(req);
	is_int(MemoryContextMemAllocated(req, true), 0,
		   "a reset frees every chunk the request did not pfree, and its children");

	/* The context is usable again after a reset, many times over. */
	for (int round = 0; round < 100; round++)
	{
		old = MemoryContextSwitchTo(req);
		for (int i = 0; i < 50; i++)
			(void) palloc((size_t) (i * 37 + round));
		MemoryContextSwitchTo(old);
		MemoryContextReset(req);
	}
	is_int(MemoryContextMemAllocated(req, true), 0, "100 request cycles leave nothing behind");

	/* free/realloc conventions Strata's code relies on */
	pfree(NULL);
	ok(true, "pfree(NULL) does nothing");
	old = MemoryContextSwitchTo(req);
	a = repalloc(NULL, 64);
	MemoryContextSwitchTo(old);
	ok(GetMemoryChunkContext(a) == req, "repalloc(NULL, n) is palloc(n) in the current context");
	a = MemoryContextStrdup(TopMemoryContext, "long-lived");
	ok(GetMemoryChunkContext(a) == TopMemoryContext, "MemoryContextStrdup into TopMemoryContext");
	MemoryContextReset(req);
	is_str(a, "long-lived", "a request's reset leaves TopMemoryContext alone");
	pfree(a);

	/* Out of memory is an ERROR, caught by a recovery point. */
	{
		size_t		before = MemoryContextMemAllocated(req, false);

		old = MemoryContextSwitchTo(req);
		ok(raises_error(huge_palloc, NULL), "an impossible palloc raises ERROR");
		MemoryContextSwitchTo(old);
		ok(strstr(elog_last_error, "out of memory") != NULL &&
		   strstr(elog_last_error, "\"test request\"") != NULL,
		   "the ERROR names the context: %s", elog_last_error);
		is_int(MemoryContextMemAllocated(req, false), before, "the failed palloc left the context as it was");

		a = MemoryContextAlloc(req, 8);
		ok(raises_error(huge_repalloc, a) && GetMemoryChunkContext(a) == req &&
		   MemoryContextMemAllocated(req, false) == before + 8,
		   "a failed repalloc raises ERROR and keeps the chunk");
	}

	MemoryContextDelete(req);
	is_int(MemoryContextMemAllocated(TopMemoryContext, true), top_before,
		   "deleting the context leaves TopMemoryContext as it was");
	return done_testing();
}
