/*
 * target.h: where a backend is, as backend_connect() takes it: a UNIX
 * socket path or a TCP address.  Pure: no socket, no DNS.
 */
#ifndef WSGATE_TARGET_H
#define WSGATE_TARGET_H

#include <stddef.h>

/* sizeof(((struct sockaddr_un *)0)->sun_path) on Linux, less the NUL. */
#define TARGET_PATH_MAX		107
/* "[v6]:port" or "unix:/path" at the longest, and its NUL. */
#define TARGET_TEXT_MAX		(TARGET_PATH_MAX + 8)

enum target_family {
	TARGET_UNIX,
	TARGET_INET,		/* tg_addr holds 4 bytes */
	TARGET_INET6,		/* 16 */
};

struct target {
	enum target_family tg_family;
	unsigned char	 tg_addr[16];
	unsigned int	 tg_port;
	char		 tg_path[TARGET_PATH_MAX + 1];	/* TARGET_UNIX */
};

/*
 * A token map's target: "IPV4:PORT", "[IPV6]:PORT", "localhost:PORT"
 * (127.0.0.1) or "unix:/PATH".  Other names are refused: a lookup would
 * stall every session.  0, or -1 with the reason in ERR.
 */
int	 target_parse(const char *text, struct target *, char *err,
	    size_t errlen);
/* TG as target_parse() reads it, into BUF (TARGET_TEXT_MAX bytes). */
char	*target_text(const struct target *, char *buf, size_t size);

#endif
