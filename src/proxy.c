/*
 * proxy.c: the PROXY header stage of an accepted connection.  The header
 * is peeked at, not read, until it is complete, so nothing after it
 * (the HTTP request, a TLS ClientHello) leaves the socket before
 * libwebsockets takes it over; only then are exactly the header's bytes
 * consumed.  Peeking leaves the bytes in the socket, so the descriptor is
 * watched edge-triggered: only new bytes wake it.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cidr.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "proxy.h"
#include "ws.h"

struct pending {
	int		 pe_fd;
	int		 pe_tls;
	char		 pe_peer[64];	/* the balancer, for the log */
	struct loop_timer pe_timer;	/* handshake_timeout */
	struct pending	*pe_prev, *pe_next;
};

/* By descriptor: the header's addresses, set while pa_set. */
struct proxy_addr {
	int			 pa_set;
	struct proxy_header	 pa_ph;
};

static const struct config	*proxy_conf;	/* borrowed */
static struct pending		*proxy_pending;	/* owned list */
static struct proxy_addr	*proxy_addrs;	/* owned, proxy_naddrs long */
static size_t			 proxy_naddrs;
static unsigned char		 proxy_buf[PROXY_HEADER_MAX];

void
proxy_reconfigure(const struct config *cf)
{
	proxy_conf = cf;
}

static void
proxy_free(struct pending *pe)
{
	loop_timer_cancel(&pe->pe_timer);
	loop_del(pe->pe_fd);
	if (pe->pe_prev != NULL)
		pe->pe_prev->pe_next = pe->pe_next;
	else
		proxy_pending = pe->pe_next;
	if (pe->pe_next != NULL)
		pe->pe_next->pe_prev = pe->pe_prev;
	free(pe);
}

/* The connection ends before libwebsockets saw it. */
static void
proxy_refuse(struct pending *pe, enum metrics_proxy result, const char *why)
{
	int	 fd = pe->pe_fd;

	log_info("refused %s: PROXY header: %s", pe->pe_peer, why);
	metrics_proxy(result);
	proxy_free(pe);
	close(fd);
}

static int
proxy_remember(int fd, const struct proxy_header *ph)
{
	struct proxy_addr	*pa;
	size_t			 n;

	if ((size_t)fd >= proxy_naddrs) {
		n = (size_t)fd + 64;
		if ((pa = reallocarray(proxy_addrs, n, sizeof(*pa))) == NULL)
			return (-1);
		memset(pa + proxy_naddrs, 0, (n - proxy_naddrs) * sizeof(*pa));
		proxy_addrs = pa;
		proxy_naddrs = n;
	}
	proxy_addrs[fd].pa_set = !ph->ph_local;
	proxy_addrs[fd].pa_ph = *ph;
	return (0);
}

static void
proxy_read_cb(int fd, uint32_t events, void *arg)
{
	struct pending		*pe = arg;
	struct proxy_header	 ph;
	const char		*why;
	ssize_t			 n;
	int			 tls = pe->pe_tls;

	n = recv(fd, proxy_buf, sizeof(proxy_buf), MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		proxy_refuse(pe, METRICS_PROXY_CLOSED, n == 0 ?
		    "closed before its end" : strerror(errno));
		return;
	}
	switch (proxy_header_parse(proxy_buf, (size_t)n, &ph, &why)) {
	case PROXY_HEADER_MORE:
		/* Edge-triggered: a peer that is done sends nothing more. */
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			proxy_refuse(pe, METRICS_PROXY_CLOSED,
			    "closed before its end");
		return;
	case PROXY_HEADER_BAD:
		proxy_refuse(pe, METRICS_PROXY_MALFORMED, why);
		return;
	case PROXY_HEADER_OVERSIZED:
		proxy_refuse(pe, METRICS_PROXY_OVERSIZED, why);
		return;
	case PROXY_HEADER_DONE:
		break;
	}
	/* The bytes are there: this read takes exactly the header. */
	if (recv(fd, proxy_buf, ph.ph_len, 0) != (ssize_t)ph.ph_len ||
	    proxy_remember(fd, &ph) == -1) {
		proxy_refuse(pe, METRICS_PROXY_CLOSED, "cannot consume it");
		return;
	}
	metrics_proxy(ph.ph_local ? METRICS_PROXY_LOCAL :
	    METRICS_PROXY_ACCEPTED);
	proxy_free(pe);
	ws_adopt(fd, tls);
}

static void
proxy_timeout_cb(void *arg)
{
	proxy_refuse(arg, METRICS_PROXY_TIMEOUT, "handshake_timeout");
}

/* PEER as "addr:port", and whether trusted_proxies holds it. */
static int
proxy_trusted(const struct sockaddr_storage *peer, char *text, size_t size)
{
	const struct sockaddr_in	*sin = (const void *)peer;
	const struct sockaddr_in6	*sin6 = (const void *)peer;
	char				 a[INET6_ADDRSTRLEN];

	if (peer->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(text, size, "%s:%u", a, ntohs(sin->sin_port));
		return (cidr_match(proxy_conf->cf_trusted,
		    proxy_conf->cf_ntrusted, 4,
		    (const unsigned char *)&sin->sin_addr));
	}
	if (peer->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(text, size, "[%s]:%u", a, ntohs(sin6->sin6_port));
		return (cidr_match(proxy_conf->cf_trusted,
		    proxy_conf->cf_ntrusted, 6, sin6->sin6_addr.s6_addr));
	}
	snprintf(text, size, "?");
	return (0);
}

void
proxy_accept(int fd, int tls, const struct sockaddr_storage *peer)
{
	struct pending	*pe;

	proxy_forget(fd);
	if ((pe = calloc(1, sizeof(*pe))) == NULL) {
		log_warn("PROXY header");
		close(fd);
		return;
	}
	pe->pe_fd = fd;
	pe->pe_tls = tls;
	if (!proxy_trusted(peer, pe->pe_peer, sizeof(pe->pe_peer))) {
		log_info("refused %s: not in trusted_proxies", pe->pe_peer);
		metrics_proxy(METRICS_PROXY_UNTRUSTED);
		close(fd);
		free(pe);
		return;
	}
	if (loop_add(fd, EPOLLIN | EPOLLRDHUP | EPOLLET, proxy_read_cb,
	    pe) == -1) {
		log_warn("PROXY header");
		close(fd);
		free(pe);
		return;
	}
	loop_timer_init(&pe->pe_timer, proxy_timeout_cb, pe);
	loop_timer_arm(&pe->pe_timer, proxy_conf->cf_handshake_timeout);
	pe->pe_next = proxy_pending;
	if (proxy_pending != NULL)
		proxy_pending->pe_prev = pe;
	proxy_pending = pe;
	/* The header often came with the connection. */
	proxy_read_cb(fd, EPOLLIN, pe);
}

void
proxy_forget(int fd)
{
	if (fd >= 0 && (size_t)fd < proxy_naddrs)
		proxy_addrs[fd].pa_set = 0;
}

int
proxy_client(int fd, struct proxy_header *ph)
{
	if (fd < 0 || (size_t)fd >= proxy_naddrs || !proxy_addrs[fd].pa_set)
		return (-1);
	*ph = proxy_addrs[fd].pa_ph;
	return (0);
}

void
proxy_done(void)
{
	int	 fd;

	while (proxy_pending != NULL) {
		fd = proxy_pending->pe_fd;
		proxy_free(proxy_pending);
		close(fd);
	}
	free(proxy_addrs);
	proxy_addrs = NULL;
	proxy_naddrs = 0;
}
