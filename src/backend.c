/*
 * backend.c: non-blocking connect to a backend: a UNIX stream or
 * seqpacket socket, or a TCP address resolved when the configuration was
 * loaded.  Reading and writing belong to the session that owns the socket.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "target.h"

/* TCP keepalive: a backend host that vanished is noticed in ~2 minutes. */
#define BACKEND_KEEPIDLE	60
#define BACKEND_KEEPINTVL	10
#define BACKEND_KEEPCNT		6

static int
backend_tcp_options(int s)
{
	int	 on = 1, idle = BACKEND_KEEPIDLE, intvl = BACKEND_KEEPINTVL;
	int	 cnt = BACKEND_KEEPCNT;

	/* Messages are relayed as they come: no Nagle delay on top. */
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof(idle)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) == -1)
		return (-1);
	return (0);
}

/* The address of TG into SS; its length. */
static socklen_t
backend_addr(const struct target *tg, struct sockaddr_storage *ss)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	switch (tg->tg_family) {
	case TARGET_INET:
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)tg->tg_port);
		memcpy(&sin->sin_addr, tg->tg_addr, 4);
		return (sizeof(*sin));
	case TARGET_INET6:
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)tg->tg_port);
		memcpy(&sin6->sin6_addr, tg->tg_addr, 16);
		return (sizeof(*sin6));
	case TARGET_UNIX:
		break;
	}
	sun->sun_family = AF_UNIX;
	if (strlen(tg->tg_path) >= sizeof(sun->sun_path))
		return (0);
	strcpy(sun->sun_path, tg->tg_path);
	return (sizeof(*sun));
}

enum backend_status
backend_connect(const struct target *tg, int seqpacket, int *fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 s, saved, type = SOCK_STREAM;
	int			 tcp = tg->tg_family != TARGET_UNIX;

	*fd = -1;
	if ((len = backend_addr(tg, &ss)) == 0) {
		errno = ENAMETOOLONG;
		return (BACKEND_DOWN);
	}
	if (seqpacket)
		type = SOCK_SEQPACKET;
	s = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s == -1)
		return (BACKEND_BUSY);	/* out of descriptors: try later */
	if (tcp && backend_tcp_options(s) == -1)
		goto fail;
	if (connect(s, (struct sockaddr *)&ss, len) == 0) {
		*fd = s;
		return (BACKEND_OK);
	}
	if (errno == EINPROGRESS && tcp) {
		*fd = s;
		return (BACKEND_CONNECTING);
	}
 fail:
	saved = errno;
	close(s);
	errno = saved;
	/*
	 * Linux says EAGAIN when a UNIX listener's backlog is full, and for
	 * TCP when no local port is free.
	 */
	return (saved == EAGAIN ? BACKEND_BUSY : BACKEND_DOWN);
}

int
backend_connected(int fd)
{
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return (-1);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}
