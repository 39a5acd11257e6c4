/*
 * log.c: the daemon's only writer to stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_journal;	/* stderr goes to the systemd journal */
static int	log_verbose;

void
log_init(int debug)
{
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	log_verbose = debug;
}

int
log_debugging(void)
{
	return (log_verbose);
}

static void
log_vemit(int pri, const char *err, const char *fmt, va_list ap)
{
	char		 line[1024], stamp[32];
	struct tm	 tm;
	struct timespec	 ts;
	int		 saved = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s%s%s\n", pri, line, err ? ": " : "",
		    err ? err : "");
	else {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s%s%s\n", stamp,
		    ts.tv_nsec / 1000000, line, err ? ": " : "",
		    err ? err : "");
	}
	errno = saved;
}

#define LOG_BODY(pri, err) do {						\
	va_list	 ap;							\
	va_start(ap, fmt);						\
	log_vemit((pri), (err), fmt, ap);				\
	va_end(ap);							\
} while (0)

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, strerror(errno));
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, strerror(errno));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, NULL);
	exit(1);
}

char *
log_escape(char *dst, size_t size, const void *src, size_t len)
{
	const unsigned char	*p = src;
	size_t			 o = 0, i;

	if (size == 0)
		return (dst);
	for (i = 0; i < len && o + 5 <= size; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '"' ||
		    p[i] == '\\')
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x",
			    p[i]);
		else
			dst[o++] = (char)p[i];
	}
	dst[o] = '\0';
	return (dst);
}
