/*
 * log.h: one line per event on stderr, after OpenBSD's log.c.  With
 * JOURNAL_STREAM set (systemd) each line starts with a <N> syslog priority
 * and carries no timestamp; otherwise it starts with a local timestamp.
 * Control characters in a line are escaped, so no argument can split one.
 * errno is preserved by every function.
 */
#ifndef WSGATE_LOG_H
#define WSGATE_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* DEBUG (-d): log everything, whatever log_set_level() says later. */
void	log_init(int debug);
void	log_set_level(enum log_level);
enum log_level log_get_level(void);
const char *log_level_name(enum log_level);
void	log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

/*
 * Copy SRC (LEN bytes, not NUL-terminated) into DST of SIZE bytes with
 * control characters, '"' and '\\' escaped as \xNN, so that nothing a
 * peer sends can forge or split a log line.  Returns DST.
 */
char	*log_escape(char *dst, size_t size, const void *src, size_t len);

#endif
