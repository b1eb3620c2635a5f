/*-------------------------------------------------------------------------
 *
 * c.h
 *	  Fundamental definitions included first by every Strata source file:
 *	  integer types, attribute macros, assertions and small helpers.
 *
 * include/c.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_C_H
#define STRATA_C_H

#include "strata_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef int8_t int8;
typedef int16_t int16;
typedef int32_t int32;
typedef int64_t int64;
typedef uint8_t uint8;
typedef uint16_t uint16;
typedef uint32_t uint32;
typedef uint64_t uint64;

#define FLEXIBLE_ARRAY_MEMBER /* empty */

#define lengthof(array) (sizeof(array) / sizeof((array)[0]))

#define Min(a, b) ((a) < (b) ? (a) : (b))
#define Max(a, b) ((a) > (b) ? (a) : (b))

/* Round up/down to a power-of-two alignment. */
#define TYPEALIGN(ALIGNVAL, LEN) \
	(((uint64) (LEN) + ((ALIGNVAL) - 1)) & ~((uint64) ((ALIGNVAL) - 1)))
#define TYPEALIGN_DOWN(ALIGNVAL, LEN) \
	(((uint64) (LEN)) & ~((uint64) ((ALIGNVAL) - 1)))
#define MAXALIGN(LEN) TYPEALIGN(8, (LEN))
#define CACHELINEALIGN(LEN) TYPEALIGN(64, (LEN))

#define pg_attribute_printf(f, a) __attribute__((format(printf, f, a)))
#define pg_attribute_noreturn() __attribute__((noreturn))
#define pg_attribute_unused() __attribute__((unused))
#define likely(x) __builtin_expect((x) != 0, 1)
#define unlikely(x) __builtin_expect((x) != 0, 0)

#define StaticAssertDecl(cond, msg) _Static_assert(cond, msg)

/*
 * Assertions: compiled in with --enable-cassert.  A failed assertion is a
 * bug, reported through ExceptionalCondition (elog.c), which aborts.
 */
extern void ExceptionalCondition(const char *condition, const char *file, int line)
	pg_attribute_noreturn();

#ifdef USE_ASSERT_CHECKING
#define Assert(condition) \
	do { \
		if (unlikely(!(condition))) \
			ExceptionalCondition(#condition, __FILE__, __LINE__); \
	} while (0)
#else
#define Assert(condition) ((void) true)
#endif

/* Like Assert, but always checked: invariants whose violation must stop us. */
#define Ensure(condition) \
	do { \
		if (unlikely(!(condition))) \
			ExceptionalCondition(#condition, __FILE__, __LINE__); \
	} while (0)

/* Bounded string copy that always terminates (utils/elog.c). */
extern size_t strlcpy_s(char *dst, const char *src, size_t siz);

/* Memory contexts and palloc, which never returns NULL (utils/mcxt.c). */
#include "utils/palloc.h"

#endif							/* STRATA_C_H */
