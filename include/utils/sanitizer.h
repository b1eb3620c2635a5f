/*-------------------------------------------------------------------------
 *
 * sanitizer.h
 *	  Options for the sanitizer build (--enable-sanitizers).
 *
 *	  Include this in exactly one file of each program (the one with main):
 *	  it defines the function AddressSanitizer asks for its defaults.
 *
 *	  No LeakSanitizer report at exit: as in PostgreSQL, memory that lives
 *	  until the process ends (settings, shared-memory images, the per-process
 *	  caches) is never freed, so every exit would print a "leak" report — into
 *	  the server log, burying the FATAL line strata_ctl shows, and into every
 *	  unit test's output — and could change the exit status.  Use-after-free,
 *	  overflows and UndefinedBehaviorSanitizer's checks stay on.
 *
 * include/utils/sanitizer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_SANITIZER_H
#define STRATA_SANITIZER_H

#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

#endif							/* STRATA_SANITIZER_H */
