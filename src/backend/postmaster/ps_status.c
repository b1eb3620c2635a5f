/*-------------------------------------------------------------------------
 *
 * ps_status.c
 *	  Process titles, so that ps shows each process's role:
 *	  "strata: wal writer", "strata: backend 127.0.0.1:53412".
 *
 *	  As PostgreSQL does on Linux, the title is written over the memory that
 *	  held the argv[] and environ[] strings, after both have been copied
 *	  elsewhere.  The kernel's short name (comm, shown by top) is set with
 *	  PR_SET_NAME as well.
 *
 * src/backend/postmaster/ps_status.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <sys/prctl.h>

#include "postmaster/postmaster.h"

extern char **environ;

static char *ps_area = NULL;	/* start of the original argv strings */
static size_t ps_area_size = 0;

/*
 * Called first thing in main(): copies argv's strings and the environment
 * away, so the area they occupied can hold the title.  argv[] afterwards
 * points at the copies, so the caller can go on reading its arguments.
 */
void
init_ps_display(int argc, char *argv[])
{
	char	   *area_end = NULL;
	char	  **new_environ;
	int			i;

	if (argc <= 0 || argv[0] == NULL)
		return;
	for (i = 0; i < argc; i++)
		if (i == 0 || area_end + 1 == argv[i])
			area_end = argv[i] + strlen(argv[i]);
	for (i = 0; environ[i] != NULL; i++)
		if (area_end + 1 == environ[i])
			area_end = environ[i] + strlen(environ[i]);

	new_environ = malloc((size_t) (i + 1) * sizeof(char *));
	if (new_environ == NULL)
		return;
	for (i = 0; environ[i] != NULL; i++)
		new_environ[i] = strdup(environ[i]);
	new_environ[i] = NULL;
	environ = new_environ;

	ps_area = argv[0];
	ps_area_size = (size_t) (area_end - argv[0]);
	for (i = 0; i < argc; i++)
		argv[i] = strdup(argv[i]);
}

void
set_ps_display(const char *fmt, ...)
{
	char		title[256];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* comm is at most 15 characters: "strata: wal wri" */
	prctl(PR_SET_NAME, title, 0, 0, 0);
	if (ps_area == NULL || ps_area_size < 2)
		return;
	memset(ps_area, 0, ps_area_size);
	memcpy(ps_area, title, Min((size_t) n, ps_area_size - 1));
}
