/*
 * target.c: a backend's address as text, both ways.  No socket, no DNS.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

static int
target_port(const char *s, unsigned int *port)
{
	char		*end;
	unsigned long	 n;

	if (*s < '0' || *s > '9')
		return (-1);
	n = strtoul(s, &end, 10);
	if (*end != '\0' || n < 1 || n > 65535)
		return (-1);
	*port = (unsigned int)n;
	return (0);
}

int
target_parse(const char *text, struct target *tg, char *err, size_t errlen)
{
	char	 host[64], *port, *end;

	memset(tg, 0, sizeof(*tg));
	if (strncmp(text, "unix:/", 6) == 0) {
		if (strlen(text + 5) > TARGET_PATH_MAX) {
			snprintf(err, errlen, "a UNIX socket path has at most "
			    "%d bytes", TARGET_PATH_MAX);
			return (-1);
		}
		tg->tg_family = TARGET_UNIX;
		strcpy(tg->tg_path, text + 5);
		return (0);
	}
	if (strncmp(text, "unix:", 5) == 0 || strlen(text) >= sizeof(host))
		goto bad;
	strcpy(host, text);
	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL || end[1] != ':')
			goto bad;
		*end = '\0';
		port = end + 2;
		tg->tg_family = TARGET_INET6;
		if (inet_pton(AF_INET6, host + 1, tg->tg_addr) != 1)
			goto bad;
	} else {
		if ((port = strrchr(host, ':')) == NULL)
			goto bad;
		*port++ = '\0';
		tg->tg_family = TARGET_INET;
		if (strcmp(host, "localhost") == 0)
			inet_pton(AF_INET, "127.0.0.1", tg->tg_addr);
		else if (inet_pton(AF_INET, host, tg->tg_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IP address "
			    "(names are not looked up in a token map)", host);
			return (-1);
		}
	}
	if (target_port(port, &tg->tg_port) == -1)
		goto bad;
	return (0);

 bad:
	snprintf(err, errlen, "'%s' is not HOST:PORT, [IPV6]:PORT or "
	    "unix:/PATH", text);
	return (-1);
}

char *
target_text(const struct target *tg, char *buf, size_t size)
{
	char	 addr[INET6_ADDRSTRLEN];

	switch (tg->tg_family) {
	case TARGET_UNIX:
		snprintf(buf, size, "unix:%s", tg->tg_path);
		break;
	case TARGET_INET:
		inet_ntop(AF_INET, tg->tg_addr, addr, sizeof(addr));
		snprintf(buf, size, "%s:%u", addr, tg->tg_port);
		break;
	case TARGET_INET6:
		inet_ntop(AF_INET6, tg->tg_addr, addr, sizeof(addr));
		snprintf(buf, size, "[%s]:%u", addr, tg->tg_port);
		break;
	}
	return (buf);
}
