/*
 * listen.c: bind, listen and accept; nothing else.  Owning the listeners
 * (instead of letting libwebsockets bind) keeps IPv4/IPv6 binding exact,
 * lets a reload open and close addresses one by one, and takes sockets
 * passed by systemd the same way as our own.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "sdnotify.h"
#include "ws.h"

struct listener {
	int		 li_fd;
	char		*li_host;	/* owned; NULL: passed by systemd */
	int		 li_port;
};

static struct listener	*listen_list;	/* owned */
static size_t		 listen_n;
static int		 listen_inherited;	/* sockets came from systemd */
static struct loop_timer listen_pause;

/*
 * Out of descriptors: a level-triggered listener would spin on the
 * pending connection, so stop watching all of them for a moment.
 */
static void
listen_watch(uint32_t events)
{
	size_t	 i;

	for (i = 0; i < listen_n; i++)
		loop_mod(listen_list[i].li_fd, events);
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
listen_one(const char *host, int port, int reuse_port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
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
	if ((reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1) ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, SOMAXCONN) == -1 ||
	    loop_add(fd, EPOLLIN, listen_cb, NULL) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static void
listen_drop(struct listener *li)
{
	loop_del(li->li_fd);
	close(li->li_fd);
	free(li->li_host);
}

static struct listener *
listen_find(const char *host, int port)
{
	size_t	 i;

	for (i = 0; i < listen_n; i++)
		if (listen_list[i].li_host != NULL &&
		    listen_list[i].li_port == port &&
		    strcmp(listen_list[i].li_host, host) == 0)
			return (&listen_list[i]);
	return (NULL);
}

static int
listen_in(const struct config *cf, const struct listener *li)
{
	size_t	 i;

	for (i = 0; i < cf->cf_nlisten; i++)
		if (cf->cf_listen[i].la_port == li->li_port &&
		    strcmp(cf->cf_listen[i].la_host, li->li_host) == 0)
			return (1);
	return (0);
}

/* Sockets systemd passed (LISTEN_FDS) replace every listen line. */
static int
listen_adopt_inherited(int n)
{
	int	 i, fd;

	if ((listen_list = calloc((size_t)n, sizeof(*listen_list))) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		fd = SDNOTIFY_LISTEN_FDS_START + i;
		if (!sdnotify_is_listener(fd)) {
			log_warnx("socket activation: descriptor %d is not a "
			    "listening stream socket", fd);
			return (-1);
		}
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1 ||
		    loop_add(fd, EPOLLIN, listen_cb, NULL) == -1) {
			log_warn("socket activation: descriptor %d", fd);
			return (-1);
		}
		listen_list[listen_n++].li_fd = fd;
	}
	listen_inherited = 1;
	log_info("socket activation: listening on %d sockets from systemd; "
	    "listen lines are not used", n);
	return (0);
}

int
listen_open(const struct config *cf)
{
	int	 n;

	loop_timer_init(&listen_pause, listen_resume_cb, NULL);
	if ((n = sdnotify_listen_fds()) == -1)
		return (-1);
	if (n > 0)
		return (listen_adopt_inherited(n));
	return (listen_update(cf));
}

int
listen_update(const struct config *cf)
{
	struct listener	*list, *li;
	size_t		 i, n = 0, first;
	int		 fd;

	if (listen_inherited)
		return (0);
	list = reallocarray(listen_list, listen_n + cf->cf_nlisten,
	    sizeof(*list));
	if (list == NULL) {
		log_warn("listen");
		return (-1);
	}
	listen_list = list;
	first = listen_n;
	/* Open what is new first, so a failure changes nothing. */
	for (i = 0; i < cf->cf_nlisten; i++) {
		const struct listen_addr *la = &cf->cf_listen[i];

		if (listen_find(la->la_host, la->la_port) != NULL)
			continue;
		if ((fd = listen_one(la->la_host, la->la_port,
		    cf->cf_reuse_port)) == -1) {
			log_warn("%s:%d: listen %s port %d", cf->cf_file,
			    la->la_line, la->la_host, la->la_port);
			goto fail;
		}
		li = &listen_list[listen_n++];
		li->li_fd = fd;
		li->li_port = la->la_port;
		if ((li->li_host = strdup(la->la_host)) == NULL) {
			log_warn("listen");
			goto fail;
		}
		log_info("listening on %s port %d", la->la_host, la->la_port);
	}
	/* Then close what is gone; a listener's queued connections go too. */
	for (i = 0; i < first; i++) {
		li = &listen_list[i];
		if (listen_in(cf, li)) {
			listen_list[n++] = *li;
			continue;
		}
		log_info("no longer listening on %s port %d", li->li_host,
		    li->li_port);
		listen_drop(li);
	}
	memmove(listen_list + n, listen_list + first,
	    (listen_n - first) * sizeof(*listen_list));
	listen_n = n + listen_n - first;
	return (0);

 fail:
	while (listen_n > first)
		listen_drop(&listen_list[--listen_n]);
	return (-1);
}

void
listen_close(void)
{
	size_t	 i;

	loop_timer_cancel(&listen_pause);
	for (i = 0; i < listen_n; i++)
		listen_drop(&listen_list[i]);
	free(listen_list);
	listen_list = NULL;
	listen_n = 0;
}
