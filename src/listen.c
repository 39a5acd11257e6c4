/*
 * listen.c: bind, listen and accept; nothing else.  Owning the listeners
 * (instead of letting libwebsockets bind) keeps IPv4/IPv6 binding exact
 * and is the same path socket activation will use.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "ws.h"

static int	*listen_fds;	/* owned */
static size_t	 listen_nfds;
static struct loop_timer listen_pause;

/*
 * Out of descriptors: a level-triggered listener would spin on the
 * pending connection, so stop watching all of them for a moment.
 */
static void
listen_watch(uint32_t events)
{
	size_t	 i;

	for (i = 0; i < listen_nfds; i++)
		loop_mod(listen_fds[i], events);
}

static void
listen_resume_cb(void *arg)
{
	(void)arg;
	listen_watch(EPOLLIN);
}

static void
listen_cb(int fd, uint32_t events, void *arg)
{
	int	 c;

	(void)events;
	(void)arg;
	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN)
				return;
			log_warn("accept");
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				listen_watch(0);
				loop_timer_arm(&listen_pause, 100);
			}
			return;
		}
		ws_adopt(c);
	}
}

static int
listen_one(const struct listen_addr *la)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, la->la_host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)la->la_port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, la->la_host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)la->la_port);
		len = sizeof(*sin6);
	} else {
		errno = EINVAL;
		return (-1);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* "[::]:80" means IPv6 only; list 0.0.0.0:80 too for IPv4. */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, SOMAXCONN) == -1 ||
	    loop_add(fd, EPOLLIN, listen_cb, NULL) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

int
listen_open(const struct config *cf)
{
	size_t	 i;
	int	 fd;

	loop_timer_init(&listen_pause, listen_resume_cb, NULL);
	if ((listen_fds = calloc(cf->cf_nlisten, sizeof(int))) == NULL)
		return (-1);
	for (i = 0; i < cf->cf_nlisten; i++) {
		if ((fd = listen_one(&cf->cf_listen[i])) == -1) {
			log_warn("%s:%d: listen %s port %d", cf->cf_file,
			    cf->cf_listen[i].la_line, cf->cf_listen[i].la_host,
			    cf->cf_listen[i].la_port);
			listen_close();
			return (-1);
		}
		listen_fds[listen_nfds++] = fd;
		log_info("listening on %s port %d", cf->cf_listen[i].la_host,
		    cf->cf_listen[i].la_port);
	}
	return (0);
}

void
listen_close(void)
{
	size_t	 i;

	loop_timer_cancel(&listen_pause);
	for (i = 0; i < listen_nfds; i++) {
		loop_del(listen_fds[i]);
		close(listen_fds[i]);
	}
	free(listen_fds);
	listen_fds = NULL;
	listen_nfds = 0;
}
