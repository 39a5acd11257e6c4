/*
 * metrics.c: the counters and their Prometheus text exposition.
 *
 * The endpoint is its own listener in the loop, not a libwebsockets vhost:
 * a scrape is one short request and one response, which a small HTTP/1.0
 * responder serves without touching the client vhost's handshake path,
 * limits or timeouts, and a unix: address is just a bind.  At most
 * METRICS_CONNS scrapes run at once, each with a 5 s deadline, so the
 * endpoint cannot hold more than that much memory.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <mbedtls/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "health.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "session.h"
#include "ws.h"

#define METRICS_CONNS		16
#define METRICS_REQ_MAX		2048
#define METRICS_TIMEOUT_MS	5000

enum { DIR_C2B, DIR_B2C };

struct mclose {
	enum fsm_side	 mc_side;
	uint16_t	 mc_code;	/* sent to the client; 0: none */
	uint64_t	 mc_n;
};

struct mstatus {
	int		 ms_status;
	uint64_t	 ms_n;
};

struct mroute {
	char		*mr_name;	/* owned; "" for no route */
	uint64_t	 mr_active, mr_total, mr_pauses, mr_down, mr_busy;
	uint64_t	 mr_msgs[2], mr_bytes[2], mr_dropped[2];	/* ended */
	uint64_t	 mr_live_msgs[2], mr_live_bytes[2], mr_live_dropped[2];
	struct mstatus	*mr_status;	/* owned array */
	size_t		 mr_nstatus;
	struct mclose	*mr_closes;	/* owned array */
	size_t		 mr_ncloses;
	struct mroute	*mr_next;
};

struct mconn {
	int		 co_fd;
	char		 co_req[METRICS_REQ_MAX];
	size_t		 co_len;
	char		*co_out;	/* owned response */
	size_t		 co_outlen, co_off;
	struct loop_timer co_timer;
	struct mconn	*co_next;
};

struct mlistener {
	int		 ml_fd;		/* -1: none */
	char		*ml_addr;	/* owned; as configured */
	int		 ml_port;
};

static struct mroute	*metrics_routes;	/* owned list */
static struct mconn	*metrics_conns;		/* owned list */
static unsigned int	 metrics_nconns;
static struct loop_timer metrics_accept_pause;	/* no descriptors */
static struct mlistener	 metrics_cur = { -1, NULL, 0 };
static struct mlistener	 metrics_new = { -1, NULL, 0 };
static int		 metrics_keep;	/* prepare found no change */
static uint64_t		 metrics_reloads[2];	/* failed, ok */
static uint64_t		 metrics_proxies[METRICS_PROXY__COUNT];
static uint64_t		 metrics_forwards;
static time_t		 metrics_started;

static void	metrics_conn_close(struct mconn *);

/* The label a route's counters carry: its path as configured. */
static struct mroute *
metrics_route(const struct route *rt)
{
	struct mroute	*mr;
	char		 name[1024];

	snprintf(name, sizeof(name), "%s%s", rt != NULL ? rt->rt_path : "",
	    rt != NULL && rt->rt_prefix ? "*" : "");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next)
		if (strcmp(mr->mr_name, name) == 0)
			return (mr);
	if ((mr = calloc(1, sizeof(*mr))) == NULL ||
	    (mr->mr_name = strdup(name)) == NULL) {
		free(mr);
		return (NULL);
	}
	mr->mr_next = metrics_routes;
	metrics_routes = mr;
	return (mr);
}

void
metrics_init(void)
{
	metrics_started = time(NULL);
}

void
metrics_refused(const struct route *rt, int status)
{
	struct mroute	*mr;
	struct mstatus	*ms;
	size_t		 i;

	if ((mr = metrics_route(rt)) == NULL)
		return;
	for (i = 0; i < mr->mr_nstatus; i++)
		if (mr->mr_status[i].ms_status == status) {
			mr->mr_status[i].ms_n++;
			return;
		}
	ms = reallocarray(mr->mr_status, mr->mr_nstatus + 1, sizeof(*ms));
	if (ms == NULL)
		return;
	mr->mr_status = ms;
	ms[mr->mr_nstatus].ms_status = status;
	ms[mr->mr_nstatus++].ms_n = 1;
}

void
metrics_backend_error(const struct route *rt, int busy)
{
	struct mroute	*mr;

	if ((mr = metrics_route(rt)) == NULL)
		return;
	if (busy)
		mr->mr_busy++;
	else
		mr->mr_down++;
}

void
metrics_session_start(const struct route *rt)
{
	struct mroute	*mr;

	if ((mr = metrics_route(rt)) == NULL)
		return;
	mr->mr_active++;
	mr->mr_total++;
}

void
metrics_session_end(const struct session *s)
{
	struct mroute	*mr;
	struct mclose	*mc;
	size_t		 i;

	if ((mr = metrics_route(s->se_route)) == NULL)
		return;
	mr->mr_active--;
	mr->mr_msgs[DIR_C2B] += s->se_c2b.sc_msgs;
	mr->mr_bytes[DIR_C2B] += s->se_c2b.sc_bytes;
	mr->mr_dropped[DIR_C2B] += s->se_c2b.sc_dropped;
	mr->mr_msgs[DIR_B2C] += s->se_b2c.sc_msgs;
	mr->mr_bytes[DIR_B2C] += s->se_b2c.sc_bytes;
	mr->mr_dropped[DIR_B2C] += s->se_b2c.sc_dropped;
	for (i = 0; i < mr->mr_ncloses; i++) {
		mc = &mr->mr_closes[i];
		if (mc->mc_side == s->se_ended_by &&
		    mc->mc_code == s->se_code_sent) {
			mc->mc_n++;
			return;
		}
	}
	mc = reallocarray(mr->mr_closes, mr->mr_ncloses + 1, sizeof(*mc));
	if (mc == NULL)
		return;
	mr->mr_closes = mc;
	mc[mr->mr_ncloses].mc_side = s->se_ended_by;
	mc[mr->mr_ncloses].mc_code = s->se_code_sent;
	mc[mr->mr_ncloses++].mc_n = 1;
}

void
metrics_pause(const struct route *rt)
{
	struct mroute	*mr;

	if ((mr = metrics_route(rt)) != NULL)
		mr->mr_pauses++;
}

void
metrics_reload(int ok)
{
	metrics_reloads[ok != 0]++;
}

/* The exposition */

/* A label value: backslash, double quote and newline escaped. */
void
metrics_proxy(enum metrics_proxy result)
{
	metrics_proxies[result]++;
}

void
metrics_forwarded(void)
{
	metrics_forwards++;
}

static const char *
metrics_proxy_name(enum metrics_proxy result)
{
	switch (result) {
	case METRICS_PROXY_ACCEPTED:	return ("accepted");
	case METRICS_PROXY_LOCAL:	return ("local");
	case METRICS_PROXY_UNTRUSTED:	return ("untrusted");
	case METRICS_PROXY_MALFORMED:	return ("malformed");
	case METRICS_PROXY_OVERSIZED:	return ("oversized");
	case METRICS_PROXY_TIMEOUT:	return ("timeout");
	case METRICS_PROXY_CLOSED:	return ("closed");
	case METRICS_PROXY__COUNT:	break;
	}
	return ("?");
}

static void
metrics_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_route_line(FILE *f, const char *name, const struct mroute *mr,
    const char *more, uint64_t v)
{
	fprintf(f, "%s{route=\"", name);
	metrics_label(f, mr->mr_name);
	fprintf(f, "\"%s} %" PRIu64 "\n", more, v);
}

static void
metrics_live_cb(const struct session *s, void *arg)
{
	struct mroute	*mr;

	(void)arg;
	if ((mr = metrics_route(s->se_route)) == NULL)
		return;
	mr->mr_live_msgs[DIR_C2B] += s->se_c2b.sc_msgs;
	mr->mr_live_bytes[DIR_C2B] += s->se_c2b.sc_bytes;
	mr->mr_live_dropped[DIR_C2B] += s->se_c2b.sc_dropped;
	mr->mr_live_msgs[DIR_B2C] += s->se_b2c.sc_msgs;
	mr->mr_live_bytes[DIR_B2C] += s->se_b2c.sc_bytes;
	mr->mr_live_dropped[DIR_B2C] += s->se_b2c.sc_dropped;
}

/* Messages, bytes or dropped bytes: ended sessions plus live ones. */
static void
metrics_flow(FILE *f, const char *name, const char *help, size_t off_ended,
    size_t off_live)
{
	static const char *const dirs[2] = {
		",direction=\"client_to_backend\"",
		",direction=\"backend_to_client\""
	};
	struct mroute	*mr;
	const uint64_t	*ended, *live;
	int		 d;

	metrics_family(f, name, "counter", help);
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next) {
		if (mr->mr_name[0] == '\0')
			continue;
		ended = (const uint64_t *)((const char *)mr + off_ended);
		live = (const uint64_t *)((const char *)mr + off_live);
		for (d = 0; d < 2; d++)
			metrics_route_line(f, name, mr, dirs[d],
			    ended[d] + live[d]);
	}
}

static char *
metrics_render(size_t *lenp)
{
	struct mroute	*mr;
	FILE		*f;
	char		*buf = NULL, more[64];
	size_t		 i;

	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next) {
		memset(mr->mr_live_msgs, 0, sizeof(mr->mr_live_msgs));
		memset(mr->mr_live_bytes, 0, sizeof(mr->mr_live_bytes));
		memset(mr->mr_live_dropped, 0, sizeof(mr->mr_live_dropped));
	}
	session_foreach(metrics_live_cb, NULL);
	if ((f = open_memstream(&buf, lenp)) == NULL)
		return (NULL);

	metrics_family(f, "wsgate_build_info", "gauge",
	    "Versions of wsgated and its libraries.");
	fprintf(f, "wsgate_build_info{version=\"%s\",libwebsockets=\"",
	    PACKAGE_VERSION);
	metrics_label(f, ws_version());
	fprintf(f, "\",mbedtls=\"%s\"} 1\n", MBEDTLS_VERSION_STRING);
	metrics_family(f, "wsgate_start_time_seconds", "gauge",
	    "When wsgated started, in seconds since the epoch.");
	fprintf(f, "wsgate_start_time_seconds %lld\n",
	    (long long)metrics_started);
	metrics_family(f, "wsgate_reloads_total", "counter",
	    "Configuration reloads, by result.");
	fprintf(f, "wsgate_reloads_total{result=\"ok\"} %" PRIu64 "\n"
	    "wsgate_reloads_total{result=\"failed\"} %" PRIu64 "\n",
	    metrics_reloads[1], metrics_reloads[0]);

	metrics_family(f, "wsgate_draining", "gauge",
	    "1 from SIGTERM on: the health check answers 503.");
	fprintf(f, "wsgate_draining %d\n", health_draining());
	metrics_family(f, "wsgate_proxy_headers_total", "counter",
	    "Connections on proxy listeners, by what became of their PROXY "
	    "header.");
	for (i = 0; i < METRICS_PROXY__COUNT; i++)
		fprintf(f, "wsgate_proxy_headers_total{result=\"%s\"} %" PRIu64
		    "\n", metrics_proxy_name((enum metrics_proxy)i),
		    metrics_proxies[i]);
	metrics_family(f, "wsgate_forwarded_clients_total", "counter",
	    "Handshakes whose client address came from X-Forwarded-For or "
	    "Forwarded.");
	fprintf(f, "wsgate_forwarded_clients_total %" PRIu64 "\n",
	    metrics_forwards);

	metrics_family(f, "wsgate_sessions_active", "gauge",
	    "Sessions open now, by route.");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next)
		if (mr->mr_name[0] != '\0')
			metrics_route_line(f, "wsgate_sessions_active", mr, "",
			    mr->mr_active);
	metrics_family(f, "wsgate_sessions_total", "counter",
	    "Sessions opened, by route.");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next)
		if (mr->mr_name[0] != '\0')
			metrics_route_line(f, "wsgate_sessions_total", mr, "",
			    mr->mr_total);
	metrics_family(f, "wsgate_handshake_rejections_total", "counter",
	    "Handshakes refused with an HTTP status, by route (\"\": none "
	    "matched) and status.");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next)
		for (i = 0; i < mr->mr_nstatus; i++) {
			snprintf(more, sizeof(more), ",status=\"%d\"",
			    mr->mr_status[i].ms_status);
			metrics_route_line(f,
			    "wsgate_handshake_rejections_total", mr, more,
			    mr->mr_status[i].ms_n);
		}
	metrics_flow(f, "wsgate_messages_total",
	    "Messages relayed, by route and direction.",
	    offsetof(struct mroute, mr_msgs),
	    offsetof(struct mroute, mr_live_msgs));
	metrics_flow(f, "wsgate_bytes_total",
	    "Payload bytes relayed, by route and direction.",
	    offsetof(struct mroute, mr_bytes),
	    offsetof(struct mroute, mr_live_bytes));
	metrics_flow(f, "wsgate_dropped_bytes_total",
	    "Bytes dropped toward a side that had closed, by route and "
	    "direction.", offsetof(struct mroute, mr_dropped),
	    offsetof(struct mroute, mr_live_dropped));
	metrics_family(f, "wsgate_closes_total", "counter",
	    "Sessions ended, by route, the side that ended them, and the "
	    "close code sent to the client (\"none\": no close frame).");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next)
		for (i = 0; i < mr->mr_ncloses; i++) {
			if (mr->mr_closes[i].mc_code == 0)
				snprintf(more, sizeof(more), ",initiator=\"%s\","
				    "code=\"none\"",
				    fsm_side_name(mr->mr_closes[i].mc_side));
			else
				snprintf(more, sizeof(more), ",initiator=\"%s\","
				    "code=\"%u\"",
				    fsm_side_name(mr->mr_closes[i].mc_side),
				    mr->mr_closes[i].mc_code);
			metrics_route_line(f, "wsgate_closes_total", mr, more,
			    mr->mr_closes[i].mc_n);
		}
	metrics_family(f, "wsgate_backend_connect_errors_total", "counter",
	    "Backend connections that failed, by route and reason (down: "
	    "missing or refusing; busy: listen backlog full).");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next) {
		if (mr->mr_name[0] == '\0')
			continue;
		metrics_route_line(f, "wsgate_backend_connect_errors_total",
		    mr, ",reason=\"down\"", mr->mr_down);
		metrics_route_line(f, "wsgate_backend_connect_errors_total",
		    mr, ",reason=\"busy\"", mr->mr_busy);
	}
	metrics_family(f, "wsgate_backpressure_pauses_total", "counter",
	    "Times a client was no longer read because its backend was "
	    "behind, by route.");
	for (mr = metrics_routes; mr != NULL; mr = mr->mr_next)
		if (mr->mr_name[0] != '\0')
			metrics_route_line(f,
			    "wsgate_backpressure_pauses_total", mr, "",
			    mr->mr_pauses);
	if (fclose(f) != 0) {
		free(buf);
		return (NULL);
	}
	return (buf);
}

/* The HTTP/1.0 responder */

static void
metrics_respond(struct mconn *co, int status, const char *text,
    const char *type, const char *body, size_t len)
{
	FILE	*f;

	if ((f = open_memstream(&co->co_out, &co->co_outlen)) == NULL) {
		metrics_conn_close(co);
		return;
	}
	fprintf(f, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, text,
	    type, len);
	fwrite(body, 1, len, f);
	if (fclose(f) != 0) {
		metrics_conn_close(co);
		return;
	}
	co->co_off = 0;
	loop_mod(co->co_fd, EPOLLOUT);
}

static void
metrics_health(struct mconn *co)
{
	const char	*text, *body;
	int		 status;

	status = health_status(&text, &body);
	metrics_respond(co, status, text, "text/plain", body, strlen(body));
}

static void
metrics_request(struct mconn *co)
{
	char	*body, *sp;
	size_t	 len;

	if (strncmp(co->co_req, "GET ", 4) != 0) {
		metrics_respond(co, 405, "Method Not Allowed", "text/plain",
		    "GET only\n", 9);
		return;
	}
	sp = co->co_req + 4;
	len = strcspn(sp, " ?\r\n");
	if (health_is(sp, len)) {
		metrics_health(co);
		return;
	}
	if (len != 8 || strncmp(sp, "/metrics", 8) != 0) {
		metrics_respond(co, 404, "Not Found", "text/plain",
		    "see /metrics\n", 13);
		return;
	}
	if ((body = metrics_render(&len)) == NULL) {
		metrics_respond(co, 500, "Internal Server Error", "text/plain",
		    "out of memory\n", 14);
		return;
	}
	metrics_respond(co, 200, "OK", "text/plain; version=0.0.4; "
	    "charset=utf-8", body, len);
	free(body);
}

static void
metrics_conn_cb(int fd, uint32_t events, void *arg)
{
	struct mconn	*co = arg;
	ssize_t		 n;

	if (co->co_out != NULL) {
		n = send(fd, co->co_out + co->co_off,
		    co->co_outlen - co->co_off, MSG_NOSIGNAL);
		if (n > 0)
			co->co_off += (size_t)n;
		if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
		    co->co_off == co->co_outlen)
			metrics_conn_close(co);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(fd, co->co_req + co->co_len, sizeof(co->co_req) - 1 -
	    co->co_len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		metrics_conn_close(co);
		return;
	}
	co->co_len += (size_t)n;
	co->co_req[co->co_len] = '\0';
	if (strstr(co->co_req, "\r\n\r\n") != NULL ||
	    strstr(co->co_req, "\n\n") != NULL)
		metrics_request(co);
	else if (co->co_len == sizeof(co->co_req) - 1)
		metrics_respond(co, 431, "Request Header Fields Too Large",
		    "text/plain", "too large\n", 10);
}

static void
metrics_timeout_cb(void *arg)
{
	metrics_conn_close(arg);
}

static void
metrics_conn_close(struct mconn *co)
{
	struct mconn	**cp;

	for (cp = &metrics_conns; *cp != co; cp = &(*cp)->co_next)
		;
	*cp = co->co_next;
	metrics_nconns--;
	loop_timer_cancel(&co->co_timer);
	loop_del(co->co_fd);
	close(co->co_fd);
	free(co->co_out);
	free(co);
}

static void
metrics_resume_cb(void *arg)
{
	(void)arg;
	if (metrics_cur.ml_fd != -1)
		loop_mod(metrics_cur.ml_fd, EPOLLIN);
}

static void
metrics_accept_cb(int fd, uint32_t events, void *arg)
{
	struct mconn	*co;
	int		 c;

	(void)events;
	(void)arg;
	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c == -1 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		/*
		 * Out of descriptors or memory: the listener stays readable,
		 * so stop watching it for a while instead of spinning, as
		 * listen.c does.
		 */
		if (c == -1 && (errno == EMFILE || errno == ENFILE ||
		    errno == ENOBUFS || errno == ENOMEM)) {
			loop_mod(fd, 0);
			loop_timer_init(&metrics_accept_pause,
			    metrics_resume_cb, NULL);
			loop_timer_arm(&metrics_accept_pause, 100);
		}
		if (c == -1)
			return;
		if (metrics_nconns >= METRICS_CONNS ||
		    (co = calloc(1, sizeof(*co))) == NULL) {
			close(c);
			continue;
		}
		co->co_fd = c;
		if (loop_add(c, EPOLLIN, metrics_conn_cb, co) == -1) {
			close(c);
			free(co);
			continue;
		}
		loop_timer_init(&co->co_timer, metrics_timeout_cb, co);
		loop_timer_arm(&co->co_timer, METRICS_TIMEOUT_MS);
		co->co_next = metrics_conns;
		metrics_conns = co;
		metrics_nconns++;
	}
}

/* Listeners */

static int
metrics_bind(const struct listen_addr *la)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&ss;
	socklen_t		 len;
	int			 fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(la->la_host, "unix:", 5) == 0) {
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s",
		    la->la_host + 5);
		len = sizeof(*sun);
		/* A socket left by an earlier run would make bind fail. */
		unlink(sun->sun_path);
	} else if (inet_pton(AF_INET, la->la_host, &sin->sin_addr) == 1) {
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
	if (ss.ss_family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 16) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static void
metrics_unbind(struct mlistener *ml)
{
	if (ml->ml_fd != -1) {
		loop_del(ml->ml_fd);
		close(ml->ml_fd);
		if (strncmp(ml->ml_addr, "unix:", 5) == 0)
			unlink(ml->ml_addr + 5);
	}
	free(ml->ml_addr);
	ml->ml_fd = -1;
	ml->ml_addr = NULL;
	ml->ml_port = 0;
}

int
metrics_prepare(const struct config *cf)
{
	const struct listen_addr *la = &cf->cf_metrics;

	metrics_abort();
	if (la->la_host == NULL ? metrics_cur.ml_addr == NULL :
	    metrics_cur.ml_addr != NULL && la->la_port == metrics_cur.ml_port &&
	    strcmp(la->la_host, metrics_cur.ml_addr) == 0) {
		metrics_keep = 1;
		return (0);
	}
	if (la->la_host == NULL)
		return (0);
	if ((metrics_new.ml_addr = strdup(la->la_host)) == NULL ||
	    (metrics_new.ml_fd = metrics_bind(la)) == -1) {
		log_warn("%s:%d: metrics_listen %s", cf->cf_file, la->la_line,
		    la->la_host);
		metrics_abort();
		return (-1);
	}
	metrics_new.ml_port = la->la_port;
	return (0);
}

void
metrics_commit(const struct config *cf)
{
	size_t	 i;

	for (i = 0; i < cf->cf_nroutes; i++)
		metrics_route(&cf->cf_routes[i]);
	if (metrics_keep) {
		metrics_keep = 0;
		return;
	}
	metrics_unbind(&metrics_cur);
	metrics_cur = metrics_new;
	metrics_new.ml_fd = -1;
	metrics_new.ml_addr = NULL;
	metrics_new.ml_port = 0;
	if (metrics_cur.ml_fd == -1)
		return;
	if (loop_add(metrics_cur.ml_fd, EPOLLIN, metrics_accept_cb,
	    NULL) == -1) {
		log_warn("metrics_listen");
		metrics_unbind(&metrics_cur);
		return;
	}
	if (metrics_cur.ml_port != 0)
		log_info("metrics on %s port %d", metrics_cur.ml_addr,
		    metrics_cur.ml_port);
	else
		log_info("metrics on %s", metrics_cur.ml_addr);
}

void
metrics_abort(void)
{
	metrics_keep = 0;
	metrics_unbind(&metrics_new);
}

void
metrics_done(void)
{
	struct mroute	*mr;

	metrics_abort();
	loop_timer_cancel(&metrics_accept_pause);
	metrics_unbind(&metrics_cur);
	while (metrics_conns != NULL)
		metrics_conn_close(metrics_conns);
	while ((mr = metrics_routes) != NULL) {
		metrics_routes = mr->mr_next;
		free(mr->mr_name);
		free(mr->mr_status);
		free(mr->mr_closes);
		free(mr);
	}
}
