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
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "proxy.h"
#include "sdnotify.h"
#include "ws.h"

struct listener {
	int		 li_fd;
	char		*li_host;	/* owned; NULL: passed by systemd */
	int		 li_port;
	int		 li_tls;	/* adopt into the TLS vhost */
	int		 li_proxy;	/* a PROXY header comes first */
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
	struct sockaddr_storage	 peer;
	socklen_t		 len;
	size_t			 i;
	int			 c, tls = 0, proxy = 0, on = 1;

	(void)events;
	(void)arg;
	/* listen_list moves on reload: look the listener up, keep no pointer. */
	for (i = 0; i < listen_n; i++)
		if (listen_list[i].li_fd == fd) {
			tls = listen_list[i].li_tls;
			proxy = listen_list[i].li_proxy;
		}
	for (;;) {
		len = sizeof(peer);
		c = accept4(fd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
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
		/*
		 * lws sets no TCP_NODELAY on adopted sockets.  Without it a
		 * TLS flight written record by record waits for the peer's
		 * delayed ACK: about 40 ms per TLS 1.2 handshake.
		 */
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		if (proxy)
			proxy_accept(c, tls, &peer);
		else {
			proxy_forget(c);
			ws_adopt(c, tls);
		}
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

/* LI's address in CF, or NULL. */
static const struct listen_addr *
listen_in(const struct config *cf, const struct listener *li)
{
	size_t	 i;

	for (i = 0; i < cf->cf_nlisten; i++)
		if (cf->cf_listen[i].la_port == li->li_port &&
		    strcmp(cf->cf_listen[i].la_host, li->li_host) == 0)
			return (&cf->cf_listen[i]);
	return (NULL);
}

/*
 * A socket systemd passed serves TLS (PROXY when WANT_PROXY) when a
 * "listen = ... tls" ("... proxy") line names its port: systemd's
 * ListenStream= rarely spells the address the same.
 */
static int
listen_inherited_flag(const struct config *cf, int fd, int want_proxy)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	size_t			 i;
	int			 port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return (0);
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return (0);
	for (i = 0; i < cf->cf_nlisten; i++)
		if ((want_proxy ? cf->cf_listen[i].la_proxy :
		    cf->cf_listen[i].la_tls) && cf->cf_listen[i].la_port == port)
			return (1);
	return (0);
}

/* Sockets systemd passed (LISTEN_FDS) replace every listen line. */
static int
listen_adopt_inherited(const struct config *cf, int n)
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
		listen_list[listen_n].li_fd = fd;
		listen_list[listen_n].li_proxy = listen_inherited_flag(cf, fd, 1);
		listen_list[listen_n++].li_tls = listen_inherited_flag(cf, fd, 0);
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
		return (listen_adopt_inherited(cf, n));
	return (listen_update(cf));
}

int
listen_update(const struct config *cf)
{
	const struct listen_addr *la;
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
		la = &cf->cf_listen[i];
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
		li->li_tls = la->la_tls;
		li->li_proxy = la->la_proxy;
		if ((li->li_host = strdup(la->la_host)) == NULL) {
			log_warn("listen");
			goto fail;
		}
		log_info("listening on %s port %d%s%s", la->la_host,
		    la->la_port, la->la_tls ? " (TLS)" : "",
		    la->la_proxy ? " (PROXY protocol)" : "");
	}
	/*
	 * Then close what is gone; a listener's queued connections go too.
	 * One that only turns TLS or PROXY on or off keeps its socket:
	 * binding the address anew would collide with it.
	 */
	for (i = 0; i < first; i++) {
		li = &listen_list[i];
		if ((la = listen_in(cf, li)) != NULL) {
			if (li->li_tls != la->la_tls)
				log_info("%s port %d: TLS %s for new "
				    "connections", li->li_host, li->li_port,
				    la->la_tls ? "on" : "off");
			if (li->li_proxy != la->la_proxy)
				log_info("%s port %d: PROXY header %s for new "
				    "connections", li->li_host, li->li_port,
				    la->la_proxy ? "required" : "no longer read");
			li->li_tls = la->la_tls;
			li->li_proxy = la->la_proxy;
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
