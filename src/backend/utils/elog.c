/*-------------------------------------------------------------------------
 *
 * elog.c
 *	  Error reporting and logging.
 *
 *	  Each log line is written with a single write(2) so that lines from many
 *	  processes sharing one log file never interleave.  Nothing here
 *	  allocates memory while reporting, so "out of memory" can always be
 *	  reported.
 *
 * src/backend/utils/elog.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "utils/elog.h"

int			log_min_messages = LOG;
const char *MyProcKindName = "strata";
pid_t		MyProcPid;
sigjmp_buf *elog_exception_stack = NULL;
char		elog_last_error[1024];

static int	log_fd = 2;

void		(*elog_exit_hook) (int code) = NULL;

/* FATAL (and ERROR with nowhere to go) end the process cleanly. */
static void pg_attribute_noreturn()
fatal_exit(void)
{
	if (elog_exit_hook)
		elog_exit_hook(1);
	exit(1);
}

const char *
elog_level_name(int level)
{
	switch (level)
	{
		case DEBUG2:
			return "DEBUG2";
		case DEBUG1:
			return "DEBUG1";
		case LOG:
			return "LOG";
		case INFO:
			return "INFO";
		case NOTICE:
			return "NOTICE";
		case WARNING:
			return "WARNING";
		case ERROR:
			return "ERROR";
		case FATAL:
			return "FATAL";
		case PANIC:
			return "PANIC";
	}
	return "???";
}

void
elog_set_fd(int fd)
{
	log_fd = fd;
}

/* Write the whole buffer, retrying on EINTR and short writes. */
static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, buf, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t) n;
	}
}

static void
elog_emit(int level, const char *fmt, va_list ap)
{
	char		line[4096];
	size_t		len;
	struct timeval tv;
	struct tm	tm;
	int			n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line + len, sizeof(line) - len, ".%03d UTC [%d] %s %s:  ",
				 (int) (tv.tv_usec / 1000), (int) (MyProcPid ? MyProcPid : getpid()),
				 MyProcKindName, elog_level_name(level));
	if (n > 0)
		len += Min((size_t) n, sizeof(line) - len - 1);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	if (n > 0)
		len += Min((size_t) n, sizeof(line) - len - 2);
	/* One line per message: strip a trailing newline the caller supplied. */
	while (len > 0 && line[len - 1] == '\n')
		len--;
	line[len++] = '\n';
	write_all(log_fd, line, len);
}

void
elog(int level, const char *fmt, ...)
{
	va_list		ap;
	int			save_errno = errno;

	if (level >= log_min_messages || level >= ERROR)
	{
		va_start(ap, fmt);
		elog_emit(level, fmt, ap);
		va_end(ap);
	}

	if (level == ERROR)
	{
		va_start(ap, fmt);
		vsnprintf(elog_last_error, sizeof(elog_last_error), fmt, ap);
		va_end(ap);
		if (elog_exception_stack != NULL)
			siglongjmp(*elog_exception_stack, 1);
		fatal_exit();
	}
	if (level == FATAL)
		fatal_exit();
	if (level == PANIC)
		abort();
	errno = save_errno;
}

void
elog_fatal(const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	elog_emit(FATAL, fmt, ap);
	va_end(ap);
	fatal_exit();
}

void
ExceptionalCondition(const char *condition, const char *file, int line)
{
	char		buf[512];
	int			n;

	n = snprintf(buf, sizeof(buf), "[%d] TRAP: failed Assert(\"%s\"), File: \"%s\", Line: %d\n",
				 (int) getpid(), condition, file, line);
	if (n > 0)
		write_all(log_fd, buf, Min((size_t) n, sizeof(buf) - 1));
	abort();
}

/* ---------- string helper ---------- */

size_t
strlcpy_s(char *dst, const char *src, size_t siz)
{
	size_t		len = strlen(src);

	if (siz > 0)
	{
		size_t		n = Min(len, siz - 1);

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
