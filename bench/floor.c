/*
 * floor: the smallest relay that does wsgated's job, as the benchmark's
 * reference floor.  Not part of the product.
 *
 * Listens on 127.0.0.1:PORT, answers the opening handshake, connects each
 * client to the UNIX socket PATH, and relays like wsgated with framing =
 * raw: the payload of the client's data frames goes to the backend as
 * bytes, what the backend sends goes back as binary frames.  Every frame
 * one read brought in is handled before the next read, and what it gave
 * each side leaves in one write.  A ping is answered, a close echoed.  A
 * side that cannot take more stops the other from being read.  One
 * thread, level-triggered epoll; no timeouts, no limits, no logging.
 */
#define _GNU_SOURCE		/* accept4 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsproto.h"

#define BUFSZ		(256 * 1024)

struct sess;

/* One socket of a session and what is waiting to be written to it. */
struct end {
	struct sess	*e_sess;
	int		 e_fd;
	uint32_t	 e_events;	/* as registered with epoll */
	unsigned char	*e_out;		/* owned; unwritten bytes */
	size_t		 e_outlen;
	size_t		 e_outoff;
};

struct sess {
	struct end	 s_client;
	struct end	 s_backend;
	int		 s_open;	/* handshake answered */
	int		 s_closing;	/* close echoed: end once flushed */
	struct sess	*s_dead;	/* next ended one, freed after the batch */
	struct ws_req	 s_req;		/* the handshake so far */
	unsigned char	 s_hdr[WS_HDR_MAX];	/* frame header so far */
	size_t		 s_hdrlen;
	uint64_t	 s_left;	/* payload left in this frame */
	unsigned char	 s_mask[4];
	size_t		 s_moff;
	int		 s_op;
};

static int		 ep;
static struct sess	*dead;		/* ended in this batch of events */
static struct sess	 alive;		/* s_dead of a session not ended */
static const char	*backend_path;
static volatile sig_atomic_t quit;
static unsigned char	 ibuf[BUFSZ];
static unsigned char	 tobackend[BUFSZ];
static unsigned char	 toclient[BUFSZ + 2 * WS_HDR_MAX];

static void
onsig(int sig)
{
	(void)sig;
	quit = 1;
}

/* Later events of the same batch may still name it: free it after. */
static void
sess_end(struct sess *s)
{
	if (s->s_dead != &alive)
		return;
	s->s_dead = dead;
	dead = s;
}

static void
sess_free(struct sess *s)
{
	close(s->s_client.e_fd);
	if (s->s_backend.e_fd != -1)
		close(s->s_backend.e_fd);
	free(s->s_client.e_out);
	free(s->s_backend.e_out);
	ws_req_free(&s->s_req);
	free(s);
}

static struct end *
peer(struct end *e)
{
	struct sess	*s = e->e_sess;

	return (e == &s->s_client ? &s->s_backend : &s->s_client);
}

/* Reads an end while its peer has nothing queued; writes while it has. */
static void
interest(struct end *e)
{
	struct epoll_event	 ev = { .data.ptr = e };

	if (e->e_fd == -1)
		return;
	ev.events = (e->e_out != NULL ? EPOLLOUT : 0) |
	    (peer(e)->e_out == NULL && !e->e_sess->s_closing ? EPOLLIN : 0);
	if (ev.events == e->e_events)
		return;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, e->e_fd, &ev) == -1)
		err(1, "epoll_ctl");
	e->e_events = ev.events;
}

/* Writes what it can, queues the rest after what is queued already. */
static int
end_write(struct end *e, const unsigned char *p, size_t len)
{
	unsigned char	*q;
	ssize_t		 n = 0;

	if (len == 0)
		return (0);
	if (e->e_out == NULL && (n = write(e->e_fd, p, len)) == -1) {
		if (errno != EAGAIN)
			return (-1);
		n = 0;
	}
	if ((size_t)n == len)
		return (0);
	if ((q = realloc(e->e_out, e->e_outlen + len - (size_t)n)) == NULL)
		return (-1);
	memcpy(q + e->e_outlen, p + n, len - (size_t)n);
	e->e_out = q;
	e->e_outlen += len - (size_t)n;
	return (0);
}

static int
end_flush(struct end *e)
{
	ssize_t	 n;

	n = write(e->e_fd, e->e_out + e->e_outoff, e->e_outlen - e->e_outoff);
	if (n == -1)
		return (errno == EAGAIN ? 0 : -1);
	e->e_outoff += (size_t)n;
	if (e->e_outoff == e->e_outlen) {
		free(e->e_out);
		e->e_out = NULL;
		e->e_outlen = e->e_outoff = 0;
	}
	return (0);
}

static int
backend_connect(struct sess *s)
{
	struct epoll_event	 ev = { .events = EPOLLIN };
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	int			 fd;

	strcpy(sun.sun_path, backend_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	/* Blocking: a local echo service accepts at once. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return (-1);
	}
	s->s_backend.e_fd = fd;
	s->s_backend.e_events = EPOLLIN;
	ev.data.ptr = &s->s_backend;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(1, "epoll_ctl");
	return (0);
}

/* Takes the request; once it is whole, connects and answers. */
static int
handshake(struct sess *s, const unsigned char *p, size_t len, size_t *used)
{
	char	 resp[WS_RESP_MAX];
	int	 rlen;

	if ((rlen = ws_req_take(&s->s_req, p, len, used, resp, 0)) <= 0)
		return (rlen);
	if (backend_connect(s) == -1)
		return (-1);
	s->s_open = 1;
	return (end_write(&s->s_client, (unsigned char *)resp, (size_t)rlen));
}

/*
 * Unmasks every frame in p: data payload into tobackend, pongs and the
 * close echo into toclient (never more than p held).  Returns -1 on a
 * frame it will not take.
 */
static int
parse_frames(struct sess *s, unsigned char *p, size_t len, size_t *nb,
    size_t *nc)
{
	size_t		 n;
	uint64_t	 plen;
	int		 answer;

	*nb = *nc = 0;
	while (len > 0 && !s->s_closing) {
		if (s->s_left == 0 &&
		    s->s_hdrlen < ws_header_need(s->s_hdr, s->s_hdrlen)) {
			s->s_hdr[s->s_hdrlen++] = *p++;
			len--;
			if (s->s_hdrlen < ws_header_need(s->s_hdr, s->s_hdrlen))
				continue;
			if ((s->s_hdr[1] & 0x80) == 0)
				return (-1);
			plen = ws_payload_len(s->s_hdr);
			s->s_op = s->s_hdr[0] & 0x0f;
			if ((s->s_op & 8) && plen > 125)
				return (-1);
			memcpy(s->s_mask, s->s_hdr + s->s_hdrlen - 4, 4);
			s->s_moff = 0;
			s->s_left = plen;
			s->s_hdrlen = 0;
			if (s->s_op == WS_OP_PING || s->s_op == WS_OP_CLOSE)
				*nc += ws_frame_header(toclient + *nc, 1,
				    s->s_op == WS_OP_PING ? WS_OP_PONG :
				    WS_OP_CLOSE, plen, NULL);
			s->s_closing = s->s_op == WS_OP_CLOSE && plen == 0;
			continue;
		}
		n = len < s->s_left ? len : (size_t)s->s_left;
		answer = s->s_op == WS_OP_PING || s->s_op == WS_OP_CLOSE;
		if (!(s->s_op & 8) || answer) {
			unsigned char *to = s->s_op & 8 ? toclient + *nc :
			    tobackend + *nb;

			memcpy(to, p, n);
			ws_mask(to, n, s->s_mask, s->s_moff);
			*(s->s_op & 8 ? nc : nb) += n;
		}
		s->s_moff += n;
		s->s_left -= n;
		p += n;
		len -= n;
		s->s_closing = s->s_op == WS_OP_CLOSE && s->s_left == 0;
	}
	return (0);
}

static int
client_read(struct sess *s)
{
	ssize_t	 n;
	size_t	 used = 0, nb, nc;

	/* A read no bigger than the backend buffer keeps parsing simple. */
	if ((n = read(s->s_client.e_fd, ibuf, sizeof(tobackend))) <= 0)
		return (n == -1 && errno == EAGAIN ? 0 : -1);
	if (!s->s_open && handshake(s, ibuf, (size_t)n, &used) == -1)
		return (-1);
	if (!s->s_open || (size_t)n == used)
		return (0);
	if (parse_frames(s, ibuf + used, (size_t)n - used, &nb, &nc) == -1 ||
	    end_write(&s->s_backend, tobackend, nb) == -1 ||
	    end_write(&s->s_client, toclient, nc) == -1)
		return (-1);
	return (s->s_closing && s->s_client.e_out == NULL ? -1 : 0);
}

static int
backend_read(struct sess *s)
{
	unsigned char	*payload = toclient + WS_HDR_MAX;
	ssize_t		 n;
	size_t		 h;

	if ((n = read(s->s_backend.e_fd, payload, BUFSZ)) <= 0)
		return (n == -1 && errno == EAGAIN ? 0 : -1);
	/* The header goes right before the payload: one write, no copy. */
	h = n < 126 ? 2 : n < 65536 ? 4 : 10;
	ws_frame_header(payload - h, 1, WS_OP_BINARY, (uint64_t)n, NULL);
	return (end_write(&s->s_client, toclient + WS_HDR_MAX - h,
	    h + (size_t)n));
}

static int
end_event(struct end *e, uint32_t events)
{
	struct sess	*s = e->e_sess;
	int		 rc = 0;

	if (s->s_dead != &alive)
		return (0);
	/* Hung up while not read (its peer is full): nothing more to do. */
	if ((events & (EPOLLHUP | EPOLLERR)) && !(e->e_events & EPOLLIN))
		return (-1);
	if (events & EPOLLOUT) {
		rc = end_flush(e);
		if (rc == 0 && e->e_out == NULL && s->s_closing &&
		    e == &s->s_client)
			return (-1);
	}
	if (rc == 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
	    (e->e_events & EPOLLIN))
		rc = e == &s->s_client ? client_read(s) : backend_read(s);
	if (rc == 0) {
		interest(&s->s_client);
		interest(&s->s_backend);
	}
	return (rc);
}

static void
accept_all(int lfd)
{
	struct epoll_event	 ev = { .events = EPOLLIN };
	struct sess		*s;
	int			 fd, one = 1;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s->s_client.e_sess = s->s_backend.e_sess = s;
		s->s_dead = &alive;
		s->s_client.e_fd = fd;
		s->s_client.e_events = EPOLLIN;
		s->s_backend.e_fd = -1;
		ev.data.ptr = &s->s_client;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
			err(1, "epoll_ctl");
	}
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		warn("accept");
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 ev = { .events = EPOLLIN }, evs[256];
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct rlimit		 rl;
	struct end		*e;
	int			 lfd, i, n, one = 1;

	if (argc != 3 || strlen(argv[2]) >=
	    sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "usage: floor port backend-path\n");
		return (2);
	}
	backend_path = argv[2];
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, onsig);
	signal(SIGINT, onsig);

	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		err(1, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, SOMAXCONN) == -1)
		err(1, "127.0.0.1:%s", argv[1]);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		err(1, "epoll_ctl");

	while (!quit) {
		if ((n = epoll_wait(ep, evs, 256, -1)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (i = 0; i < n; i++) {
			if ((e = evs[i].data.ptr) == NULL)
				accept_all(lfd);
			else if (end_event(e, evs[i].events) == -1)
				sess_end(e->e_sess);
		}
		while (dead != NULL) {
			struct sess *s = dead;

			dead = s->s_dead;
			sess_free(s);
		}
	}
	return (0);
}
