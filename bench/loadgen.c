/*
 * loadgen: WebSocket load generator for the benchmark.
 *
 * Opens N connections at a bounded rate, keeps K messages of S bytes in
 * flight on each, and checks every echoed byte.  Each message starts with
 * its send time (16 hex digits, so text mode stays ASCII) followed by a
 * pattern that depends on the message number.  The echo is read as a
 * byte stream, since a raw-framing gateway (wsgated, websockify) need
 * not keep message boundaries.  Latency is measured from the timestamp
 * that comes back.  With -i it only holds N connections open, for memory
 * measurements.  One thread, level-triggered epoll, no blocking calls.
 */
#define _GNU_SOURCE		/* strerrorname_np */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wsproto.h"

#define RBUF_SIZE	(256 * 1024)
#define HS_MAX		1024
#define TS_LEN		16	/* hex digits of the send time */
#define HIST_SUB	64	/* buckets per power of two: 1.6% error */
#define HIST_N		(HIST_SUB * 60)

enum cstate { C_CONNECTING, C_HANDSHAKE, C_OPEN, C_DEAD };

struct conn {
	int		 c_fd;
	enum cstate	 c_state;
	char		 c_key[WS_KEY_LEN + 1];
	char		*c_hs;		/* owned; handshake response so far */
	size_t		 c_hslen;
	unsigned char	*c_out;		/* owned; frames not yet written */
	size_t		 c_outcap;
	size_t		 c_outlen;
	size_t		 c_outoff;
	uint64_t	 c_tx;		/* messages sent */
	uint64_t	 c_rx;		/* messages echoed in full */
	size_t		 c_rxoff;	/* offset in the message being echoed */
	unsigned char	 c_rxts[TS_LEN];
	uint64_t	*c_ts;		/* owned; send times, K of them */
	unsigned char	 c_hdr[WS_HDR_MAX];	/* frame header so far */
	size_t		 c_hdrlen;
	uint64_t	 c_left;	/* payload left in this frame */
	int		 c_op;
	unsigned char	 c_ctl[125];	/* ping payload, echoed in a pong */
	size_t		 c_ctllen;
};

struct proc {
	pid_t		 p_pid;
	pid_t		 p_ppid;
	uint64_t	 p_ticks;	/* utime + stime */
	int		 p_in;		/* in the tree */
};

static struct {
	int		 conns, inflight, text, idle, rate;
	size_t		 size;
	double		 duration, warmup;
	uint64_t	 count;
	const char	*path;
	pid_t		 cpupid;
} opt = { 1, 1, 0, 0, 5000, 64, 5, 1, 0, "/echo", 0 };

static struct sockaddr_storage	 dst;
static socklen_t		 dstlen;
static char			 hostname[128];
static int			 ep;
static struct conn		*conns;
static unsigned char		 rbuf[RBUF_SIZE];
static unsigned char		*pat;		/* 'a'..'z' repeated */
static uint64_t			 rng = 0x9e3779b97f4a7c15ULL;
static volatile sig_atomic_t	 quit;

static int			 measuring;
static uint64_t			 now_ns;
static uint64_t			 msgs, bytes;
static uint64_t			 hist[HIST_N];
static uint64_t			 err_connect, err_verify, err_closed;
static char			 first_connect_error[48];
static int			 nopen, nopened;

static void
onsig(int sig)
{
	(void)sig;
	quit = 1;
}

static uint64_t
clock_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec);
}

/* xorshift64: masking keys and handshake keys need not be strong here. */
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static size_t
hist_index(uint64_t v)
{
	int	 e;

	if (v < HIST_SUB)
		return ((size_t)v);
	e = 63 - __builtin_clzll(v);	/* >= 6 */
	return ((size_t)(e - 5) * HIST_SUB + ((v >> (e - 6)) & (HIST_SUB - 1)));
}

/* The middle of bucket i, in ns. */
static double
hist_value(size_t i)
{
	int	 e;

	if (i < 2 * HIST_SUB)
		return ((double)i);
	e = (int)(i / HIST_SUB) + 5;
	return (((double)(i % HIST_SUB + HIST_SUB) + 0.5) *
	    (double)(1ULL << (e - 6)));
}

static double
hist_pct(double q)
{
	uint64_t	 total = 0, want, sum = 0;
	size_t		 i;

	for (i = 0; i < HIST_N; i++)
		total += hist[i];
	if (total == 0)
		return (0);
	want = (uint64_t)(q * (double)total);
	if (want < 1)
		want = 1;
	for (i = 0; i < HIST_N; i++) {
		sum += hist[i];
		if (sum >= want)
			break;
	}
	return (hist_value(i) / 1000.0);
}

/* CPU ticks of pid and all its descendants (websockify forks). */
static uint64_t
tree_ticks(pid_t root)
{
	struct proc	*v = NULL, *nv;
	size_t		 n = 0, cap = 0, i, j;
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	int		 ppid, changed;
	uint64_t	 sum = 0;

	if ((d = opendir("/proc")) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", atoi(de->d_name));
		if ((f = fopen(path, "r")) == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* Fields after the command name, which may hold spaces. */
		if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 2, "%*c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s"
		    " %lu %lu", &ppid, &ut, &st) != 3)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 512;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		v[n].p_pid = atoi(de->d_name);
		v[n].p_ppid = ppid;
		v[n].p_ticks = ut + st;
		v[n].p_in = v[n].p_pid == root;
		n++;
	}
	closedir(d);
	do {
		changed = 0;
		for (i = 0; i < n; i++) {
			if (v[i].p_in)
				continue;
			for (j = 0; j < n; j++)
				if (v[j].p_in && v[j].p_pid == v[i].p_ppid)
					break;
			if (j < n)
				v[i].p_in = changed = 1;
		}
	} while (changed);
	for (i = 0; i < n; i++)
		if (v[i].p_in)
			sum += v[i].p_ticks;
	free(v);
	return (sum);
}

static void
conn_kill(struct conn *c, uint64_t *counter)
{
	if (c->c_state == C_DEAD)
		return;
	if (c->c_state == C_OPEN)
		nopen--;
	(*counter)++;
	c->c_state = C_DEAD;
	close(c->c_fd);
	free(c->c_hs);
	free(c->c_out);
	free(c->c_ts);
	c->c_hs = NULL;
	c->c_out = NULL;
	c->c_ts = NULL;
}

/*
 * A connection that did not get to open: counted in err_connect, and the
 * first one's cause is kept for the final line: the step and its errno
 * (EOF for a read of nothing, EPROTO for a response that is no good 101).
 */
static void
conn_fail(struct conn *c, const char *step, int e)
{
	if (first_connect_error[0] == '\0')
		snprintf(first_connect_error, sizeof(first_connect_error),
		    "%s:%s", step, e == 0 ? "EOF" : strerrorname_np(e));
	if (c->c_fd == -1) {
		c->c_state = C_DEAD;
		err_connect++;
	} else
		conn_kill(c, &err_connect);
}

static void
conn_events(struct conn *c, uint32_t ev)
{
	struct epoll_event	 e = { .events = ev, .data.ptr = c };

	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->c_fd, &e) == -1)
		err(1, "epoll_ctl");
}

static int
conn_flush(struct conn *c)
{
	ssize_t	 n;

	if (c->c_outoff == c->c_outlen)
		return (0);
	n = write(c->c_fd, c->c_out + c->c_outoff, c->c_outlen - c->c_outoff);
	if (n == -1) {
		if (errno != EAGAIN) {
			conn_kill(c, &err_closed);
			return (-1);
		}
		n = 0;
	}
	c->c_outoff += (size_t)n;
	if (c->c_outoff == c->c_outlen) {
		c->c_outoff = c->c_outlen = 0;
		conn_events(c, EPOLLIN);
	} else if (n == 0 || c->c_outoff > 0)
		conn_events(c, EPOLLIN | EPOLLOUT);
	return (0);
}

/* Appends a masked frame; the buffer holds K messages and a pong. */
static int
conn_frame(struct conn *c, int op, const unsigned char *p1, size_t n1,
    const unsigned char *p2, size_t n2)
{
	unsigned char	 mask[4];
	unsigned char	*o;
	uint64_t	 r = rnd();

	if (c->c_outlen - c->c_outoff + WS_HDR_MAX + n1 + n2 > c->c_outcap)
		return (-1);
	if (c->c_outoff > 0) {
		memmove(c->c_out, c->c_out + c->c_outoff,
		    c->c_outlen - c->c_outoff);
		c->c_outlen -= c->c_outoff;
		c->c_outoff = 0;
	}
	memcpy(mask, &r, 4);
	o = c->c_out + c->c_outlen;
	o += ws_frame_header(o, 1, op, n1 + n2, mask);
	memcpy(o, p1, n1);
	memcpy(o + n1, p2, n2);
	ws_mask(o, n1 + n2, mask, 0);
	c->c_outlen = (size_t)(o + n1 + n2 - c->c_out);
	return (0);
}

static int
conn_send(struct conn *c)
{
	unsigned char	 ts[TS_LEN + 1];
	uint64_t	 m = c->c_tx++;

	c->c_ts[m % (uint64_t)opt.inflight] = now_ns;
	snprintf((char *)ts, sizeof(ts), "%016" PRIx64, now_ns);
	return (conn_frame(c, opt.text ? WS_OP_TEXT : WS_OP_BINARY, ts, TS_LEN,
	    pat + m % 26 + TS_LEN, opt.size - TS_LEN));
}

/* Checks echoed payload bytes against what was sent. */
static int
conn_verify(struct conn *c, const unsigned char *p, size_t len)
{
	uint64_t	 ts;
	size_t		 n;
	char		 hex[TS_LEN + 1];

	while (len > 0) {
		if (c->c_rx == c->c_tx)
			return (-1);	/* more echoed than sent */
		if (c->c_rxoff < TS_LEN) {
			n = TS_LEN - c->c_rxoff < len ? TS_LEN - c->c_rxoff :
			    len;
			memcpy(c->c_rxts + c->c_rxoff, p, n);
		} else {
			n = opt.size - c->c_rxoff < len ? opt.size -
			    c->c_rxoff : len;
			if (memcmp(p, pat + c->c_rx % 26 + c->c_rxoff, n) != 0)
				return (-1);
		}
		c->c_rxoff += n;
		p += n;
		len -= n;
		if (c->c_rxoff < opt.size)
			continue;
		memcpy(hex, c->c_rxts, TS_LEN);
		hex[TS_LEN] = '\0';
		ts = strtoull(hex, NULL, 16);
		if (ts != c->c_ts[c->c_rx % (uint64_t)opt.inflight])
			return (-1);
		c->c_rx++;
		c->c_rxoff = 0;
		if (measuring) {
			msgs++;
			bytes += opt.size;
			hist[hist_index(now_ns - ts)]++;
		}
		if (!quit && conn_send(c) == -1)
			return (-1);
	}
	return (0);
}

/* Parses server frames: data to the verifier, pings answered. */
static int
conn_frames(struct conn *c, const unsigned char *p, size_t len)
{
	size_t		 need, n, i;
	uint64_t	 plen;

	while (len > 0) {
		if (c->c_left == 0) {
			while (c->c_hdrlen < 2 && len > 0) {
				c->c_hdr[c->c_hdrlen++] = *p++;
				len--;
			}
			if (c->c_hdrlen < 2)
				break;
			if (c->c_hdr[1] & 0x80)
				return (-1);	/* servers do not mask */
			plen = c->c_hdr[1] & 0x7f;
			need = 2 + (plen == 126 ? 2 : plen == 127 ? 8 : 0);
			while (c->c_hdrlen < need && len > 0) {
				c->c_hdr[c->c_hdrlen++] = *p++;
				len--;
			}
			if (c->c_hdrlen < need)
				break;
			if (plen >= 126)
				for (plen = 0, i = 2; i < need; i++)
					plen = plen << 8 | c->c_hdr[i];
			c->c_op = c->c_hdr[0] & 0x0f;
			c->c_hdrlen = 0;
			c->c_left = plen;
			c->c_ctllen = 0;
			if (c->c_op == WS_OP_CLOSE ||
			    (c->c_op > WS_OP_CLOSE && plen > 125))
				return (-1);
		}
		n = len < c->c_left ? len : (size_t)c->c_left;
		if (c->c_op < WS_OP_CLOSE) {
			if (opt.idle || conn_verify(c, p, n) == -1)
				return (-1);
		} else {
			memcpy(c->c_ctl + c->c_ctllen, p, n);
			c->c_ctllen += n;
		}
		c->c_left -= n;
		p += n;
		len -= n;
		if (c->c_left == 0 && c->c_op == WS_OP_PING &&
		    conn_frame(c, WS_OP_PONG, c->c_ctl, c->c_ctllen, NULL, 0) ==
		    -1)
			return (-1);
	}
	return (0);
}

static void
conn_open(struct conn *c)
{
	c->c_outcap = 2 * WS_HDR_MAX + sizeof(c->c_ctl);
	if (!opt.idle)
		c->c_outcap += (size_t)opt.inflight * (WS_HDR_MAX + opt.size);
	c->c_out = malloc(c->c_outcap);
	c->c_ts = calloc((size_t)opt.inflight, sizeof(*c->c_ts));
	if (c->c_out == NULL || c->c_ts == NULL) {
		conn_fail(c, "malloc", ENOMEM);
		return;
	}
	c->c_state = C_OPEN;
	nopen++;
	if (!opt.idle)
		while (c->c_tx < (uint64_t)opt.inflight)
			if (conn_send(c) == -1)
				break;
}

/* Reads the 101 response; what follows it is already frames. */
static int
conn_handshake(struct conn *c, const unsigned char *p, size_t len,
    size_t *used)
{
	char		 acc[WS_ACCEPT_LEN + 1];
	const char	*v, *end;
	size_t		 n, vlen;

	n = len < HS_MAX - c->c_hslen ? len : HS_MAX - c->c_hslen;
	memcpy(c->c_hs + c->c_hslen, p, n);
	c->c_hslen += n;
	c->c_hs[c->c_hslen] = '\0';
	if ((end = strstr(c->c_hs, "\r\n\r\n")) == NULL) {
		*used = len;
		return (c->c_hslen < HS_MAX ? 0 : -1);
	}
	*used = n - (c->c_hslen - (size_t)(end + 4 - c->c_hs));
	ws_accept(c->c_key, WS_KEY_LEN, acc);
	if (strncmp(c->c_hs, "HTTP/1.1 101", 12) != 0 ||
	    (v = ws_header(c->c_hs, "Sec-WebSocket-Accept", &vlen)) == NULL ||
	    vlen != WS_ACCEPT_LEN || memcmp(v, acc, WS_ACCEPT_LEN) != 0)
		return (-1);
	free(c->c_hs);
	c->c_hs = NULL;
	conn_open(c);
	return (0);
}

static void
conn_connected(struct conn *c)
{
	unsigned char	 raw[16];
	char		 req[512];
	uint64_t	 r;
	socklen_t	 sl = sizeof(int);
	int		 e = 0, len;

	if (getsockopt(c->c_fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1 ||
	    e != 0 || (c->c_hs = malloc(HS_MAX + 1)) == NULL) {
		conn_fail(c, "connect", e != 0 ? e : errno);
		return;
	}
	r = rnd();
	memcpy(raw, &r, 8);
	r = rnd();
	memcpy(raw + 8, &r, 8);
	ws_base64(raw, sizeof(raw), c->c_key);
	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
	    opt.path, hostname, c->c_key);
	/* A fresh socket takes a few hundred bytes at once. */
	if (write(c->c_fd, req, (size_t)len) != len) {
		conn_fail(c, "write", errno);
		return;
	}
	c->c_state = C_HANDSHAKE;
	conn_events(c, EPOLLIN);
}

static void
conn_start(struct conn *c)
{
	struct epoll_event	 e;
	int			 one = 1;

	c->c_fd = socket(dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->c_fd == -1) {
		conn_fail(c, "socket", errno);
		return;
	}
	/* Latency, not batching: proxies set it on their sockets too. */
	if (dst.ss_family != AF_UNIX)
		setsockopt(c->c_fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	c->c_state = C_CONNECTING;
	e.events = EPOLLOUT;
	e.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->c_fd, &e) == -1)
		err(1, "epoll_ctl");
	if (connect(c->c_fd, (struct sockaddr *)&dst, dstlen) == -1 &&
	    errno != EINPROGRESS)
		conn_fail(c, "connect", errno);
}

static void
conn_event(struct conn *c, uint32_t ev)
{
	ssize_t	 n;
	size_t	 used = 0;

	if (c->c_state == C_CONNECTING) {
		conn_connected(c);
		return;
	}
	if (ev & EPOLLOUT && conn_flush(c) == -1)
		return;
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	if ((n = read(c->c_fd, rbuf, sizeof(rbuf))) <= 0) {
		if (n == -1 && errno == EAGAIN)
			return;
		if (c->c_state == C_OPEN)
			conn_kill(c, &err_closed);
		else
			conn_fail(c, "read", n == 0 ? 0 : errno);
		return;
	}
	now_ns = clock_ns();
	if (c->c_state == C_HANDSHAKE && conn_handshake(c, rbuf, (size_t)n,
	    &used) == -1) {
		conn_fail(c, "handshake", EPROTO);
		return;
	}
	if (c->c_state != C_OPEN)
		return;
	if ((size_t)n > used && conn_frames(c, rbuf + used, (size_t)n - used) ==
	    -1) {
		conn_kill(c, &err_verify);
		return;
	}
	conn_flush(c);
}

static int
parse_target(const char *t)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&dst;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&dst;
	const char		*colon;
	char			 host[64];

	memset(&dst, 0, sizeof(dst));
	if (strncmp(t, "unix:", 5) == 0) {
		if (strlen(t + 5) >= sizeof(sun->sun_path))
			return (-1);
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, t + 5);
		dstlen = sizeof(*sun);
		snprintf(hostname, sizeof(hostname), "localhost");
		return (0);
	}
	if ((colon = strrchr(t, ':')) == NULL ||
	    (size_t)(colon - t) >= sizeof(host))
		return (-1);
	memcpy(host, t, (size_t)(colon - t));
	host[colon - t] = '\0';
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return (-1);
	dstlen = sizeof(*sin);
	snprintf(hostname, sizeof(hostname), "%s", t);
	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen [-it] [-c conns] [-k inflight] "
	    "[-s size] [-d secs] [-w secs]\n"
	    "\t[-n count] [-r conns_per_sec] [-p path] [-x pid] "
	    "host:port | unix:path\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[512];
	struct sigaction	 sa;
	struct rlimit		 rl;
	uint64_t		 t0, tready = 0, tmeas = 0, tend = 0;
	uint64_t		 cpu0 = 0, cpu1, errs;
	double			 secs, tick;
	int			 ch, i, n, timeout, started = 0;

	while ((ch = getopt(argc, argv, "c:d:ik:n:p:r:s:tw:x:")) != -1) {
		switch (ch) {
		case 'c':
			opt.conns = atoi(optarg);
			break;
		case 'd':
			opt.duration = atof(optarg);
			break;
		case 'i':
			opt.idle = 1;
			break;
		case 'k':
			opt.inflight = atoi(optarg);
			break;
		case 'n':
			opt.count = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			opt.path = optarg;
			break;
		case 'r':
			opt.rate = atoi(optarg);
			break;
		case 's':
			opt.size = strtoul(optarg, NULL, 10);
			break;
		case 't':
			opt.text = 1;
			break;
		case 'w':
			opt.warmup = atof(optarg);
			break;
		case 'x':
			opt.cpupid = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || parse_target(argv[optind]) == -1 ||
	    opt.conns < 1 || opt.inflight < 1 || opt.rate < 1 ||
	    opt.size < TS_LEN || opt.size > (1 << 24))
		usage();

	/* Raise the soft descriptor limit: the idle test holds thousands. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)opt.conns + 16)
			errx(1, "%d connections need more than the %llu "
			    "descriptors allowed", opt.conns,
			    (unsigned long long)rl.rlim_cur);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsig;	/* no SA_RESTART: epoll_wait returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((pat = malloc(opt.size + 26)) == NULL ||
	    (conns = calloc((size_t)opt.conns, sizeof(*conns))) == NULL)
		err(1, NULL);
	for (i = 0; i < (int)opt.size + 26; i++)
		pat[i] = (unsigned char)('a' + i % 26);
	rng ^= (uint64_t)getpid() << 32 ^ clock_ns();
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");

	t0 = now_ns = clock_ns();
	while (!quit) {
		/* Open connections no faster than the rate allows. */
		while (nopened < opt.conns && (double)(now_ns - t0) * 1e-9 *
		    opt.rate >= nopened)
			conn_start(&conns[nopened++]);
		if (tready == 0 && nopened == opt.conns &&
		    (uint64_t)nopen + err_connect + err_closed + err_verify >=
		    (uint64_t)opt.conns) {
			tready = now_ns;
			if (opt.idle) {
				printf("ready conns=%d open=%d errors=%" PRIu64
				    "\n", opt.conns, nopen, err_connect +
				    err_closed + err_verify);
				fflush(stdout);
			}
			tmeas = tready + (uint64_t)(opt.warmup * 1e9);
		}
		if (tready != 0 && !measuring && !opt.idle &&
		    now_ns >= tmeas && !started) {
			measuring = started = 1;
			tmeas = now_ns;
			tend = tmeas + (uint64_t)(opt.duration * 1e9);
			if (opt.cpupid > 0)
				cpu0 = tree_ticks(opt.cpupid);
		}
		if (measuring && (opt.count > 0 ? msgs >= opt.count :
		    now_ns >= tend))
			break;
		if (opt.idle && tready != 0 && opt.duration > 0 &&
		    now_ns >= tready + (uint64_t)(opt.duration * 1e9))
			break;
		timeout = nopened < opt.conns || (tready != 0 && !started &&
		    !opt.idle) ? 1 : 100;
		n = epoll_wait(ep, evs, 512, timeout);
		if (n == -1 && errno != EINTR)
			err(1, "epoll_wait");
		now_ns = clock_ns();
		for (i = 0; i < n; i++)
			conn_event(evs[i].data.ptr, evs[i].events);
	}
	now_ns = clock_ns();
	errs = err_connect + err_closed + err_verify;
	if (opt.idle) {
		printf("idle conns=%d open=%d connect_errors=%" PRIu64
		    " closed=%" PRIu64 " errors=%" PRIu64 "%s%s\n", opt.conns,
		    nopen, err_connect, err_closed, errs,
		    err_connect ? " first_connect_error=" : "",
		    first_connect_error);
		return (errs != 0);
	}
	secs = measuring ? (double)(now_ns - tmeas) * 1e-9 : 0;
	if (secs <= 0)
		secs = 1e-9;
	printf("conns=%d inflight=%d size=%zu mode=%s secs=%.3f msgs=%" PRIu64
	    " msg_per_s=%.0f MB_per_s=%.2f p50_us=%.1f p90_us=%.1f"
	    " p99_us=%.1f p999_us=%.1f", opt.conns, opt.inflight, opt.size,
	    opt.text ? "text" : "binary", secs, msgs, (double)msgs / secs,
	    (double)bytes / secs / 1e6, hist_pct(0.50), hist_pct(0.90),
	    hist_pct(0.99), hist_pct(0.999));
	if (opt.cpupid > 0 && measuring) {
		cpu1 = tree_ticks(opt.cpupid);
		tick = (double)sysconf(_SC_CLK_TCK);
		printf(" proxy_cpu_s=%.2f cpu_s_per_100k=%.3f",
		    (double)(cpu1 - cpu0) / tick, msgs == 0 ? 0 :
		    (double)(cpu1 - cpu0) / tick / (double)msgs * 1e5);
	}
	printf(" open=%d connect_errors=%" PRIu64 " verify_errors=%" PRIu64
	    " closed=%" PRIu64 " errors=%" PRIu64 "%s%s\n", nopen, err_connect,
	    err_verify, err_closed, errs, err_connect ?
	    " first_connect_error=" : "", first_connect_error);
	return (errs != 0 || msgs == 0);
}
