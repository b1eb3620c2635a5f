/*-------------------------------------------------------------------------
 *
 * tap.h
 *	  A tiny TAP producer for C unit tests, run by prove (--exec '').
 *
 *	  plan_no_plan(); ok(cond, "name"); is_int(got, want, "name");
 *	  is_str(got, want, "name"); return done_testing();
 *
 * src/test/unit/tap.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_TAP_H
#define STRATA_TAP_H

#include "utils/sanitizer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int	tap_count = 0;
static int	tap_failed = 0;

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list		ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
	{
		tap_failed++;
		printf("#   Failed test at %s line %d.\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) \
	do { \
		long long g_ = (long long) (got), w_ = (long long) (want); \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__)) \
			printf("#          got: %lld\n#     expected: %lld\n", g_, w_); \
	} while (0)

#define is_str(got, want, ...) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		int eq_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_; \
		if (!tap_ok(eq_, __FILE__, __LINE__, __VA_ARGS__)) \
			printf("#          got: '%s'\n#     expected: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif							/* STRATA_TAP_H */
