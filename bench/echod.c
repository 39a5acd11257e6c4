/*
 * echod: echo service on a UNIX socket for the benchmark.
 *
 * Plain mode echoes bytes, as a raw-framing backend behind wsgated or
 * websockify would.  With -w it is a minimal WebSocket server that echoes
 * every frame back unmasked (a ping as a pong, a close then EOF), the
 * backend nginx and HAProxy proxy to and the direct ceiling run talks to.
 * One thread, level-triggered epoll.  A connection holds memory only
 * while its handshake or a short write is pending, so idle sessions stay
 * cheap and the backend does not blur the proxies' memory figures.
 */
#define _GNU_SOURCE		/* accept4 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsproto.h"

#define BUFSZ		(256 * 1024)

struct conn {
	int		 c_fd;
	int		 c_open;	/* handshake done (or plain mode) */
	int		 c_closing;	/* close echoed: EOF once flushed */
	struct ws_req	 c_req;		/* the handshake so far */
	unsigned char	*c_out;		/* owned; unwritten output */
	size_t		 c_outlen;
	size_t		 c_outoff;
	unsigned char	 c_hdr[WS_HDR_MAX];	/* frame header so far */
	size_t		 c_hdrlen;
	uint64_t	 c_left;	/* payload left in this frame */
	unsigned char	 c_mask[4];
	size_t		 c_moff;
	int		 c_op;
};

static int		 ep;
static int		 wsmode;
static volatile sig_atomic_t quit;
static unsigned char	 ibuf[BUFSZ];
static unsigned char	 obuf[BUFSZ + 2 * WS_HDR_MAX];

static void
onsig(int sig)
{
	(void)sig;
	quit = 1;
}

static void
conn_free(struct conn *c)
{
	close(c->c_fd);
	ws_req_free(&c->c_req);
	free(c->c_out);
	free(c);
}

static void
conn_events(struct conn *c, uint32_t ev)
{
	struct epoll_event	 e = { .events = ev, .data.ptr = c };

	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->c_fd, &e) == -1)
		err(1, "epoll_ctl");
}

/* Writes out; keeps the rest and waits for EPOLLOUT.  -1: drop it. */
static int
conn_write(struct conn *c, const unsigned char *p, size_t len)
{
	ssize_t	 n;

	n = write(c->c_fd, p, len);
	if (n == -1) {
		if (errno != EAGAIN)
			return (-1);
		n = 0;
	}
	if ((size_t)n == len)
		return (c->c_closing ? -1 : 0);
	if ((c->c_out = malloc(len - (size_t)n)) == NULL)
		return (-1);
	memcpy(c->c_out, p + n, len - (size_t)n);
	c->c_outlen = len - (size_t)n;
	c->c_outoff = 0;
	conn_events(c, EPOLLOUT);
	return (0);
}

static int
conn_flush(struct conn *c)
{
	ssize_t	 n;

	n = write(c->c_fd, c->c_out + c->c_outoff, c->c_outlen - c->c_outoff);
	if (n == -1)
		return (errno == EAGAIN ? 0 : -1);
	c->c_outoff += (size_t)n;
	if (c->c_outoff < c->c_outlen)
		return (0);
	free(c->c_out);
	c->c_out = NULL;
	if (c->c_closing)
		return (-1);
	conn_events(c, EPOLLIN);
	return (0);
}

static int
ws_handshake(struct conn *c, const unsigned char *p, size_t len,
    size_t *used)
{
	char	 resp[WS_RESP_MAX];
	int	 rlen;

	/*
	 * permessage-deflate is taken and frames echoed as they are, RSV1
	 * too: the client inflates its own compressed stream (the
	 * bench/deflate cell behind nginx).
	 */
	if ((rlen = ws_req_take(&c->c_req, p, len, used, resp, 1)) <= 0)
		return (rlen);
	c->c_open = 1;
	return (conn_write(c, (unsigned char *)resp, (size_t)rlen));
}

/* Echoes each frame with the same length and flags, unmasked. */
static int
ws_echo(struct conn *c, unsigned char *p, size_t len)
{
	unsigned char	*o = obuf;
	size_t		 need, n;
	uint64_t	 plen;

	while (len > 0) {
		if (c->c_left == 0 && c->c_hdrlen < 2) {
			c->c_hdr[c->c_hdrlen++] = *p++;
			len--;
			continue;
		}
		if (c->c_left == 0) {
			need = ws_header_need(c->c_hdr, c->c_hdrlen);
			while (c->c_hdrlen < need && len > 0) {
				c->c_hdr[c->c_hdrlen++] = *p++;
				len--;
			}
			if (c->c_hdrlen < need)
				break;
			plen = ws_payload_len(c->c_hdr);
			if (c->c_hdr[1] & 0x80)
				memcpy(c->c_mask, c->c_hdr + need - 4, 4);
			else
				memset(c->c_mask, 0, 4);
			c->c_op = c->c_hdr[0] & 0x0f;
			c->c_moff = 0;
			c->c_left = plen;
			c->c_hdrlen = 0;
			/* A ping is answered; a pong is not echoed. */
			if (c->c_op != WS_OP_PONG) {
				n = ws_frame_header(o, c->c_hdr[0] & 0x80,
				    c->c_op == WS_OP_PING ? WS_OP_PONG :
				    c->c_op, plen, NULL);
				*o |= c->c_hdr[0] & 0x70;	/* RSV bits */
				o += n;
			}
			if (plen == 0) {
				if (c->c_op == WS_OP_CLOSE)
					break;
				continue;
			}
		}
		n = len < c->c_left ? len : (size_t)c->c_left;
		ws_mask(p, n, c->c_mask, c->c_moff);
		if (c->c_op != WS_OP_PONG) {
			memcpy(o, p, n);
			o += n;
		}
		c->c_moff += n;
		c->c_left -= n;
		p += n;
		len -= n;
		if (c->c_left == 0 && c->c_op == WS_OP_CLOSE)
			break;
	}
	/* After echoing a close, nothing more is read: EOF follows. */
	if (c->c_left == 0 && c->c_op == WS_OP_CLOSE && c->c_hdrlen == 0)
		c->c_closing = 1;
	if (o == obuf)
		return (c->c_closing ? -1 : 0);
	return (conn_write(c, obuf, (size_t)(o - obuf)));
}

static int
conn_read(struct conn *c)
{
	ssize_t	 n;
	size_t	 used;

	if ((n = read(c->c_fd, ibuf, sizeof(ibuf))) <= 0)
		return (n == -1 && errno == EAGAIN ? 0 : -1);
	if (!wsmode)
		return (conn_write(c, ibuf, (size_t)n));
	used = 0;
	if (!c->c_open && ws_handshake(c, ibuf, (size_t)n, &used) == -1)
		return (-1);
	if (!c->c_open || (size_t)n == used)
		return (0);
	return (ws_echo(c, ibuf + used, (size_t)n - used));
}

static void
accept_all(int lfd)
{
	struct epoll_event	 e;
	struct conn		*c;
	int			 fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->c_fd = fd;
		c->c_open = !wsmode;
		e.events = EPOLLIN;
		e.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) == -1)
			err(1, "epoll_ctl");
	}
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		warn("accept");
}

static void
usage(void)
{
	fprintf(stderr, "usage: echod [-w] path\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 e, evs[256];
	struct sockaddr_un	 sun;
	struct rlimit		 rl;
	struct conn		*c;
	int			 ch, lfd, i, n, rc;

	while ((ch = getopt(argc, argv, "w")) != -1) {
		switch (ch) {
		case 'w':
			wsmode = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	/* One fd per session: the idle test holds thousands. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, onsig);
	signal(SIGINT, onsig);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[optind]) >= sizeof(sun.sun_path))
		errx(1, "%s: path too long", argv[optind]);
	strcpy(sun.sun_path, argv[optind]);
	unlink(sun.sun_path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		err(1, "socket");
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(lfd, SOMAXCONN) == -1)
		err(1, "%s", sun.sun_path);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e) == -1)
		err(1, "epoll_ctl");

	while (!quit) {
		if ((n = epoll_wait(ep, evs, 256, -1)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (i = 0; i < n; i++) {
			if ((c = evs[i].data.ptr) == NULL) {
				accept_all(lfd);
				continue;
			}
			if (c->c_out != NULL)
				rc = conn_flush(c);
			else
				rc = conn_read(c);
			if (rc == -1)
				conn_free(c);
		}
	}
	unlink(sun.sun_path);
	return (0);
}
