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

static int		 log_journal;	/* stderr goes to the systemd journal */
static enum log_level	 log_level = LOG_LEVEL_INFO;
static int		 log_forced;	/* -d */

void
log_init(int debug)
{
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	log_forced = debug;
	if (debug)
		log_level = LOG_LEVEL_DEBUG;
}

void
log_set_level(enum log_level level)
{
	if (!log_forced)
		log_level = level;
}

enum log_level
log_get_level(void)
{
	return (log_level);
}

const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERROR:
		return ("error");
	case LOG_LEVEL_WARN:
		return ("warn");
	case LOG_LEVEL_INFO:
		return ("info");
	case LOG_LEVEL_DEBUG:
		return ("debug");
	}
	return ("?");
}

/* Copy SRC to DST with control characters as \xNN; the line may get cut. */
static void
log_sanitize(char *dst, size_t size, const char *src)
{
	size_t		 o = 0;
	unsigned char	 c;

	for (; *src != '\0' && o + 1 < size; src++) {
		c = (unsigned char)*src;
		if (c >= 0x20 && c != 0x7f)
			dst[o++] = (char)c;
		else if (o + 5 <= size)
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
		else
			break;
	}
	dst[o] = '\0';
}

static void
log_vemit(int pri, const char *err, const char *fmt, va_list ap)
{
	char		 raw[1024], line[1024], stamp[32];
	struct tm	 tm;
	struct timespec	 ts;
	int		 saved = errno;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_sanitize(line, sizeof(line), raw);
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
log_errx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, NULL);
}

void
log_warn(const char *fmt, ...)
{
	if (log_level >= LOG_LEVEL_WARN)
		LOG_BODY(LOG_WARNING, strerror(errno));
}

void
log_warnx(const char *fmt, ...)
{
	if (log_level >= LOG_LEVEL_WARN)
		LOG_BODY(LOG_WARNING, NULL);
}

void
log_info(const char *fmt, ...)
{
	if (log_level >= LOG_LEVEL_INFO)
		LOG_BODY(LOG_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	if (log_level >= LOG_LEVEL_DEBUG)
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
