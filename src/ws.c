/*
 * ws.c: all libwebsockets glue.  The context runs on wsgated's epoll
 * through lws's custom event-library hooks; each lws callback becomes a
 * session event; each session action that touches the client becomes an
 * lws call here.  Handshakes that cannot be served are refused here with a
 * complete HTTP/1.1 response, before any session exists.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <libwebsockets.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allow.h"
#include "backend.h"
#include "config.h"
#include "forwarded.h"
#include "handshake.h"
#include "health.h"
#include "log.h"
#include "loop.h"
#include "iplimit.h"
#include "metadata.h"
#include "metrics.h"
#include "origin.h"
#include "pmd.h"
#include "proxy.h"
#include "session.h"
#include "static.h"
#include "subprotocol.h"
#include "target.h"
#include "token.h"
#include "tokenmap.h"
#include "tls.h"
#include "ws.h"

#if !defined(LWS_WITH_EXTERNAL_POLL) || !defined(LWS_WITH_MBEDTLS)
#error "libwebsockets must be the project's build: run scripts/build-deps"
#endif

/*
 * The protocol a client gets when it asks for none, and the name it may
 * ask for on a route without subprotocols, next to an access token entry.
 */
#define WS_PROTOCOL	"wsgate"

/* One backend read becomes at most one message of this size. */
#define WS_TX_MAX	65536
/*
 * Client input: lws reads up to WS_READ_MAX at a time into one shared
 * buffer (the project's lws-4.3.5-ws-read-size patch), and hands it on in
 * pieces of WS_RX_PIECE, the buffer every connection holds: small, so
 * that an idle session costs little.
 */
#define WS_READ_MAX	65536
#define WS_RX_PIECE	1024

static struct lws_context	*ws_ctx;
static struct lws_vhost		*ws_vh;
static struct lws_vhost		*ws_tls_vh;
static struct tls_pem		*ws_tls_pem;	/* what it serves; owned */
static struct config		*ws_conf;	/* borrowed */
static unsigned char		 ws_txbuf[LWS_PRE + WS_TX_MAX];
/* Metadata is built here: the JSON of a maximal request fits. */
static unsigned char		 ws_metabuf[65536];
/*
 * The vhost's protocols: "wsgate" for clients that ask for none, then
 * every subprotocol some route offers (libwebsockets picks among these;
 * ws_confirm() makes sure it picks the route's choice).  Owned.
 */
static struct lws_protocols	*ws_protocols;
static char			*ws_offered;	/* all those names; owned */
static char			*ws_names;	/* the names of ws_protocols */

/*
 * permessage-deflate on every vhost (lws registers extensions per vhost,
 * not per connection): CONFIRM_EXTENSION_OKAY refuses it on routes
 * without compression, and ws_pmd_cb() answers each offer.
 */
static int	ws_pmd_cb(struct lws_context *, const struct lws_extension *,
		    struct lws *, enum lws_extension_callback_reasons, void *,
		    void *, size_t);
static const struct lws_extension ws_extensions[] = {
	{ "permessage-deflate", ws_pmd_cb, "permessage-deflate" },
	{ NULL, NULL, NULL }
};

/* wsgated pings on its own, per route; lws's keepalive stays off. */
static const lws_retry_bo_t	 ws_no_keepalive;

static void	ws_fd_cb(int, uint32_t, void *);

/* Event-library hooks: lws's descriptors join the loop's epoll set. */

static int
ws_ev_init_pt(struct lws_context *cx, void *loop, int tsi)
{
	(void)cx;
	(void)loop;
	(void)tsi;
	return (0);
}

static int
ws_ev_accept(struct lws *wsi)
{
	int	 fd = lws_get_socket_fd(wsi);

	if (loop_has(fd))
		return (0);
	return (loop_add(fd, EPOLLIN, ws_fd_cb, NULL));
}

static void
ws_ev_io(struct lws *wsi, unsigned int flags)
{
	int		 fd = lws_get_socket_fd(wsi);
	uint32_t	 bits = 0, ev;

	if (flags & LWS_EV_READ)
		bits |= EPOLLIN;
	if (flags & LWS_EV_WRITE)
		bits |= EPOLLOUT;
	/* io() can come before accept for a new fd, and after close. */
	if (!loop_has(fd) || loop_handler(fd) != ws_fd_cb) {
		if ((flags & LWS_EV_START) && !loop_has(fd) &&
		    loop_add(fd, bits, ws_fd_cb, NULL) == -1)
			log_warn("epoll add %d", fd);
		return;
	}
	ev = loop_events(fd);
	ev = (flags & LWS_EV_START) ? ev | bits : ev & ~bits;
	if (loop_mod(fd, ev) == -1)
		log_warn("epoll mod %d", fd);
}

static int
ws_ev_close(struct lws *wsi)
{
	int	 fd = lws_get_socket_fd(wsi);

	if (loop_handler(fd) == ws_fd_cb)
		loop_del(fd);
	return (0);	/* nonzero would mean "closing asynchronously" */
}

static const struct lws_event_loop_ops ws_evops = {
	.name = "wsgate",
	.init_pt = ws_ev_init_pt,
	.init_vhost_listen_wsi = ws_ev_accept,
	.sock_accept = ws_ev_accept,
	.io = ws_ev_io,
	.wsi_logical_close = ws_ev_close,
};

static const lws_plugin_evlib_t ws_evlib = {
	.hdr = { "wsgate epoll", "lws_evlib_plugin", LWS_BUILD_HASH,
	    LWS_PLUGIN_API_MAGIC },
	.ops = &ws_evops,
};

static void
ws_fd_cb(int fd, uint32_t events, void *arg)
{
	struct lws_pollfd	 pfd;

	(void)arg;
	pfd.fd = fd;
	pfd.events = (short)(loop_events(fd) & (EPOLLIN | EPOLLOUT));
	pfd.revents = 0;
	if (events & EPOLLIN)
		pfd.revents |= LWS_POLLIN;
	if (events & EPOLLOUT)
		pfd.revents |= LWS_POLLOUT;
	if (events & (EPOLLHUP | EPOLLERR))
		pfd.revents |= LWS_POLLHUP;
	lws_service_fd(ws_ctx, &pfd);
}

int
ws_prepare(int timeout_ms)
{
	int	 n;

	/* Zero means some connection needs service without I/O. */
	if ((n = lws_service_adjust_timeout(ws_ctx, timeout_ms, 0)) == 0) {
		lws_service_tsi(ws_ctx, -1, 0);
		n = lws_service_adjust_timeout(ws_ctx, timeout_ms, 0);
	}
	return (n);
}

void
ws_after(void)
{
	if (lws_service_adjust_timeout(ws_ctx, 1, 0) == 0)
		lws_service_tsi(ws_ctx, -1, 0);
}

/* A whole plain-text HTTP response, then close (-1 for lws). */
static int
ws_reply(struct lws *wsi, int status, const char *text, const char *hdr,
    const char *body)
{
	char	 buf[512];
	int	 n;

	n = snprintf(buf, sizeof(buf), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n%s", status, text, strlen(body),
	    hdr, body);
	lws_write(wsi, (unsigned char *)buf, (size_t)n, LWS_WRITE_HTTP);
	return (-1);
}

/*
 * The handshake is refused: a whole HTTP/1.1 response, then close.  HDR
 * is one more header line ("Name: value\r\n"), or NULL.
 */
static int
ws_refuse_hdr(struct lws *wsi, const char *peer, const char *path,
    int status, const char *why, const char *hdr)
{
	char		 line[256];
	const char	*text;

	switch (status) {
	case 400:	text = "Bad Request"; break;
	case 401:	text = "Unauthorized"; break;
	case 403:	text = "Forbidden"; break;
	case 404:	text = "Not Found"; break;
	case 414:	text = "URI Too Long"; break;
	case 426:	text = "Upgrade Required"; break;
	case 429:	text = "Too Many Requests"; break;
	case 431:	text = "Request Header Fields Too Large"; break;
	case 502:	text = "Bad Gateway"; break;
	case 504:	text = "Gateway Timeout"; break;
	default:	text = "Service Unavailable"; break;
	}
	if (hdr == NULL)
		hdr = status == 503 || status == 429 ?
		    "Retry-After: 1\r\n" : "";
	snprintf(line, sizeof(line), "%s\n", why);
	log_info("refused %s %s: %d %s", peer, path, status, why);
	metrics_refused(route_match(ws_conf, path), status);
	return (ws_reply(wsi, status, text, hdr, line));
}

static int
ws_refuse(struct lws *wsi, const char *peer, const char *path, int status,
    const char *why)
{
	return (ws_refuse_hdr(wsi, peer, path, status, why, NULL));
}

/* MI's client as PEER's text and per-IP key. */
static void
ws_peer_text(const struct metadata_info *mi, struct session_peer *peer)
{
	inet_ntop(mi->mi_family == 4 ? AF_INET : AF_INET6, mi->mi_src,
	    peer->sp_addr, sizeof(peer->sp_addr));
	snprintf(peer->sp_text, sizeof(peer->sp_text), mi->mi_family == 4 ?
	    "%s:%u" : "[%s]:%u", peer->sp_addr, mi->mi_sport);
	/* The per-IP limit's key: the family, then the address. */
	peer->sp_key[0] = (unsigned char)mi->mi_family;
	memcpy(peer->sp_key + 1, mi->mi_src, mi->mi_family == 4 ? 4 : 16);
	peer->sp_keylen = mi->mi_family == 4 ? 5 : 17;
}

/*
 * A trusted HTTP balancer's word for the client: Forwarded when it sent
 * one, else X-Forwarded-For.  Only when the peer found so far (the TCP
 * peer or the PROXY header's client) is in trusted_proxies; anyone else
 * may write these headers.  1 when MI's client changed.
 */
static int
ws_forwarded(struct lws *wsi, struct metadata_info *mi)
{
	char			 buf[2048];
	struct forwarded_addr	 fa;
	enum forwarded_kind	 kind = FORWARDED_RFC7239;

	if (ws_conf->cf_ntrusted == 0 || !cidr_match(ws_conf->cf_trusted,
	    ws_conf->cf_ntrusted, mi->mi_family, mi->mi_src))
		return (0);
	if (lws_hdr_custom_copy(wsi, buf, sizeof(buf), "forwarded:", 10) < 0) {
		kind = FORWARDED_XFF;
		if (lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR) <= 0 ||
		    lws_hdr_copy(wsi, buf, sizeof(buf),
		    WSI_TOKEN_X_FORWARDED_FOR) < 0)
			return (0);
	}
	if (forwarded_client(kind, buf, ws_conf->cf_trusted,
	    ws_conf->cf_ntrusted, &fa) == -1)
		return (0);
	if (fa.fa_family != mi->mi_family)
		memset(mi->mi_dst, 0, sizeof(mi->mi_dst));	/* unknown */
	mi->mi_family = fa.fa_family;
	memcpy(mi->mi_src, fa.fa_addr, sizeof(mi->mi_src));
	mi->mi_sport = fa.fa_port;
	metrics_forwarded();
	return (1);
}

/*
 * The client's and our address of WSI, for the log (PEER as "addr:port")
 * and the metadata.  Behind a balancer the client is the one its PROXY
 * header or its forwarding headers name, and PEER keeps the balancer's
 * address in sp_via.  IPv4-mapped IPv6 addresses are not used: wsgated's
 * own listeners are either IPv4 or IPv6-only.
 */
static void
ws_addresses(struct lws *wsi, struct session_peer *peer,
    struct metadata_info *mi)
{
	struct sockaddr_storage	 ss, ls;
	socklen_t		 len = sizeof(ss), llen = sizeof(ls);
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct proxy_header	 ph;
	int			 fd = lws_get_socket_fd(wsi), via = 0;
	char			 balancer[sizeof(peer->sp_text)];

	memset(peer, 0, sizeof(*peer));
	snprintf(peer->sp_text, sizeof(peer->sp_text), "?");
	snprintf(peer->sp_addr, sizeof(peer->sp_addr), "?");
	mi->mi_addr = peer->sp_addr;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ls, &llen) == -1)
		return;
	if (ss.ss_family == AF_INET) {
		mi->mi_family = 4;
		memcpy(mi->mi_src, &sin->sin_addr, 4);
		memcpy(mi->mi_dst, &((struct sockaddr_in *)&ls)->sin_addr, 4);
		mi->mi_sport = ntohs(sin->sin_port);
		mi->mi_dport = ntohs(((struct sockaddr_in *)&ls)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		mi->mi_family = 6;
		memcpy(mi->mi_src, &sin6->sin6_addr, 16);
		memcpy(mi->mi_dst, &((struct sockaddr_in6 *)&ls)->sin6_addr,
		    16);
		mi->mi_sport = ntohs(sin6->sin6_port);
		mi->mi_dport = ntohs(((struct sockaddr_in6 *)&ls)->sin6_port);
	} else
		return;
	ws_peer_text(mi, peer);
	memcpy(balancer, peer->sp_text, sizeof(balancer));
	if (proxy_client(fd, &ph) == 0) {
		mi->mi_family = ph.ph_family;
		memcpy(mi->mi_src, ph.ph_src, sizeof(mi->mi_src));
		memcpy(mi->mi_dst, ph.ph_dst, sizeof(mi->mi_dst));
		mi->mi_sport = ph.ph_sport;
		mi->mi_dport = ph.ph_dport;
		via = 1;
	}
	via |= ws_forwarded(wsi, mi);
	if (!via)
		return;
	ws_peer_text(mi, peer);
	memcpy(peer->sp_via, balancer, sizeof(peer->sp_via));
}

/* A request header as a string, or NULL when absent or too long. */
static const char *
ws_header(struct lws *wsi, enum lws_token_indexes h, char *buf, int size)
{
	if (lws_hdr_total_length(wsi, h) <= 0 ||
	    lws_hdr_copy(wsi, buf, size, h) < 0)
		return (NULL);
	return (buf);
}

/*
 * The query string, its '&'-separated parts joined again (lws_hdr_copy()
 * would join them too, but logs every such call as an error).
 */
static void
ws_query(struct lws *wsi, char *buf, size_t size)
{
	size_t	 o = 0;
	int	 i, n;

	buf[0] = '\0';
	for (i = 0; o + 1 < size; i++) {
		if (i > 0)
			buf[o++] = '&';
		n = lws_hdr_copy_fragment(wsi, buf + o, (int)(size - o),
		    WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0) {
			if (i > 0)
				o--;
			break;
		}
		o += (size_t)n;
	}
	buf[o] = '\0';
}

/*
 * The subprotocol for RT, into OUT (empty: none).  -1 when the client
 * asks for protocols and the route offers none of them (a route without
 * subprotocols offers "wsgate"), or when libwebsockets, which picks the
 * first name any route offers, would pick another than the route's first.
 * REQ holds the client's list (empty when it sent none).
 */
static int
ws_subprotocol(const char *req, struct route *rt, char *out, size_t size)
{
	char		 lwspick[128];
	const char	*want;

	out[0] = '\0';
	if (*req == '\0')
		return (0);
	if (subprotocol_pick(rt->rt_subprotocols != NULL ?
	    rt->rt_subprotocols : WS_PROTOCOL, req, out, size) == NULL)
		return (-1);
	want = subprotocol_pick(ws_offered, req, lwspick, sizeof(lwspick));
	return (want != NULL && strcmp(want, out) == 0 ? 0 : -1);
}

/*
 * The access token: the access_token query parameter, or a
 * Sec-WebSocket-Protocol entry "access_token.TOKEN" (browsers cannot set
 * other headers).  Into BUF; NULL when there is none.
 */
static const char *
ws_token(struct lws *wsi, const char *req, char *buf, size_t size)
{
	const char	*p;
	size_t		 len;

	if (lws_get_urlarg_by_name_safe(wsi, "access_token", buf,
	    (int)size) > 0)
		return (buf);
	for (p = req; *p != '\0'; p += len) {
		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len > 13 && strncmp(p, "access_token.", 13) == 0 &&
		    len - 13 < size) {
			memcpy(buf, p + 13, len - 13);
			buf[len - 13] = '\0';
			return (buf);
		}
	}
	return (NULL);
}

/* The uid of the process on the other end of a UNIX socket, or -1. */
static long
ws_peer_uid(int fd)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (-1);
	return ((long)cred.uid);
}

static void
ws_user_name(long uid, char *buf, size_t size)
{
	struct passwd	*pw;

	if (uid >= 0 && (pw = getpwuid((uid_t)uid)) != NULL)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "uid %ld", uid);
}

/* How many header lines named H the request had. */
static int
ws_header_lines(struct lws *wsi, enum lws_token_indexes h)
{
	int	 n;

	if (lws_hdr_total_length(wsi, h) <= 0)
		return (0);
	/* A repeated line's fragment holds at least its separator. */
	for (n = 1; lws_hdr_fragment_length(wsi, h, n) > 0; n++)
		;
	return (n);
}

/*
 * RFC 6455 4.2.1, before anything else: lws asks HTTP_CONFIRM_UPGRADE of
 * any request with "Upgrade: websocket" (or h2c) and checks Connection,
 * Host and the key only afterwards, by closing without a word.  -1 after
 * refusing the request, 0 when it may go on.
 */
static int
ws_handshake(struct lws *wsi, const char *peer, const char *logpath)
{
	/*
	 * lws's own check reads at most 126 bytes of Connection and closes
	 * without a word on a longer one: it is refused here.
	 */
	char				 http[16], conn[127], upgrade[64];
	char				 key[64], version[16];
	struct handshake_req		 r;
	struct handshake_refusal	 hf;

	memset(&r, 0, sizeof(r));
	r.hr_get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
	r.hr_http = ws_header(wsi, WSI_TOKEN_HTTP, http, sizeof(http));
	r.hr_host = lws_hdr_total_length(wsi, WSI_TOKEN_HOST) > 0;
	r.hr_connection = ws_header(wsi, WSI_TOKEN_CONNECTION, conn,
	    sizeof(conn));
	/* lws upgrades on its first Upgrade line alone. */
	if (lws_hdr_copy_fragment(wsi, upgrade, sizeof(upgrade),
	    WSI_TOKEN_UPGRADE, 0) >= 0)
		r.hr_upgrade = upgrade;
	/* The first line only: a second one is refused anyway. */
	if ((r.hr_nkeys = ws_header_lines(wsi, WSI_TOKEN_KEY)) > 0 &&
	    lws_hdr_copy_fragment(wsi, key, sizeof(key), WSI_TOKEN_KEY,
	    0) >= 0)
		r.hr_key = key;
	r.hr_version = ws_header(wsi, WSI_TOKEN_VERSION, version,
	    sizeof(version));
	if (handshake_check(&r, &hf) == 0)
		return (0);
	return (ws_refuse_hdr(wsi, peer, logpath, hf.hf_status, hf.hf_reason,
	    hf.hf_version ? "Sec-WebSocket-Version: 13\r\n" : NULL));
}

/*
 * The target of a route with targets: the token (?token=, or the last
 * path segment with token_from = path) looked up in its map, which must
 * be one allow_targets names.  0 and *TG, or -1 after refusing: 404 for
 * a missing or unknown token, 403 for a target not allowed; nothing is
 * connected then.
 */
static int
ws_token_target(struct lws *wsi, struct route *rt, const char *path,
    const char *peer, const char *logpath, struct target *tg)
{
	const struct target	*found;
	char			 token[256], text[TARGET_TEXT_MAX];
	char			 why[64];
	const char		*slash;

	token[0] = '\0';
	if (rt->rt_token_from_path) {
		slash = strrchr(path, '/');
		snprintf(token, sizeof(token), "%s", slash + 1);
	} else if (lws_get_urlarg_by_name_safe(wsi, "token", token,
	    (int)sizeof(token)) < 0)
		token[0] = '\0';
	if (token[0] == '\0')
		return (ws_refuse(wsi, peer, logpath, 404, "no token"));
	tokenmap_refresh(&rt->rt_tokenmap, rt->rt_targets, loop_now());
	if ((found = tokenmap_lookup(&rt->rt_tokenmap, token)) == NULL) {
		log_escape(why, sizeof(why), token, strlen(token));
		log_info("%s: unknown token %s", rt->rt_path, why);
		return (ws_refuse(wsi, peer, logpath, 404, "unknown token"));
	}
	if (!allow_match(&rt->rt_allow, found)) {
		log_warnx("%s: token map %s names %s, which allow_targets does "
		    "not allow", rt->rt_path, rt->rt_targets,
		    target_text(found, text, sizeof(text)));
		return (ws_refuse(wsi, peer, logpath, 403,
		    "target not allowed"));
	}
	*tg = *found;
	log_debug("%s: token -> %s", rt->rt_path, target_text(tg, text,
	    sizeof(text)));
	return (0);
}

/*
 * HTTP_CONFIRM_UPGRADE: check the handshake, pick the route, admit the
 * client, connect its backend.  Each refusal is a whole HTTP/1.1
 * response, and a refused client never reaches a backend.
 */
static int
ws_confirm(struct lws *wsi)
{
	char			 path[1024], logpath[1024], query[4096];
	char			 origin[1024], host[1024], proto[128];
	char			 req[1024], tokbuf[TOKEN_MAX + 1];
	char			 subject[TOKEN_SUBJECT_MAX], why[160];
	char			 got[64];
	struct session_peer	 peer;
	struct metadata_info	 mi;
	struct route		*rt;
	struct session		*s;
	struct target		 tg;
	enum backend_status	 st;
	enum token_result	 tr;
	long			 nmeta, uid;
	int			 fd, n;

	memset(&mi, 0, sizeof(mi));
	ws_addresses(wsi, &peer, &mi);
	/* No path to log for another method, or for one too long. */
	if ((n = lws_hdr_copy(wsi, path, sizeof(path),
	    WSI_TOKEN_GET_URI)) > 0)
		log_escape(logpath, sizeof(logpath), path, strlen(path));
	else
		snprintf(logpath, sizeof(logpath), "-");
	if (ws_handshake(wsi, peer.sp_text, logpath) != 0)
		return (-1);
	if (n < 0)
		return (ws_refuse(wsi, peer.sp_text, "-", 414,
		    "request path too long"));
	if ((rt = route_match(ws_conf, path)) == NULL)
		return (ws_refuse(wsi, peer.sp_text, logpath, 404, "no route"));
	if (ws_header(wsi, WSI_TOKEN_PROTOCOL, req, sizeof(req)) == NULL)
		req[0] = '\0';
	if (ws_subprotocol(req, rt, proto, sizeof(proto)) == -1)
		/* Old websockify clients ask for base64 (noVNC before 1.0). */
		return (ws_refuse(wsi, peer.sp_text, logpath, 400,
		    subprotocol_pick("base64", req, proto, sizeof(proto)) !=
		    NULL ? "the base64 subprotocol is not supported: use "
		    "binary (noVNC 1.0 and later do)" :
		    "no offered subprotocol"));
	mi.mi_origin = ws_header(wsi, WSI_TOKEN_ORIGIN, origin,
	    sizeof(origin));
	/* Browsers always send Origin; other clients need not. */
	if (rt->rt_origins != NULL && mi.mi_origin != NULL &&
	    !origin_allowed(rt->rt_origins, mi.mi_origin)) {
		log_escape(why, sizeof(why), origin, strlen(origin));
		log_info("origin %s not allowed", why);
		return (ws_refuse(wsi, peer.sp_text, logpath, 403,
		    "origin not allowed"));
	}
	subject[0] = '\0';
	if (rt->rt_auth_token) {
		/* Tokens name routes as their [route] header does. */
		snprintf(why, sizeof(why), "%s%s", rt->rt_path,
		    rt->rt_prefix ? "*" : "");
		tr = token_verify(ws_token(wsi, req, tokbuf, sizeof(tokbuf)),
		    (const unsigned char *)rt->rt_token_secret,
		    strlen(rt->rt_token_secret), why, time(NULL), subject);
		if (tr != TOKEN_OK)
			return (ws_refuse(wsi, peer.sp_text, logpath, 401,
			    token_result_name(tr)));
	}
	/* A handshake that was under way when the drain began. */
	if (session_draining())
		return (ws_refuse(wsi, peer.sp_text, logpath, 503,
		    "server shutting down"));
	tg = rt->rt_target;
	if (rt->rt_targets != NULL && ws_token_target(wsi, rt, path,
	    peer.sp_text, logpath, &tg) == -1)
		return (-1);
	if (ws_conf->cf_max_connections != 0 &&
	    session_count() >= ws_conf->cf_max_connections)
		return (ws_refuse(wsi, peer.sp_text, logpath, 503,
		    "max_connections reached"));
	if (rt->rt_max_connections != 0 &&
	    rt->rt_sessions >= rt->rt_max_connections)
		return (ws_refuse(wsi, peer.sp_text, logpath, 503,
		    "route max_connections reached"));
	if (rt->rt_max_per_ip != 0 && iplimit_count(rt, peer.sp_key,
	    peer.sp_keylen) >= rt->rt_max_per_ip)
		return (ws_refuse(wsi, peer.sp_text, logpath, 429,
		    "max_connections_per_ip reached"));
	st = backend_connect(&tg, rt->rt_seqpacket, &fd);
	if (st == BACKEND_OK && rt->rt_backend_owner != NULL &&
	    (uid = ws_peer_uid(fd)) != (long)rt->rt_backend_uid) {
		ws_user_name(uid, got, sizeof(got));
		log_warnx("%s: backend %s runs as %s, not backend_owner %s",
		    rt->rt_path, rt->rt_backend, got, rt->rt_backend_owner);
		close(fd);
		fd = -1;
		st = BACKEND_DOWN;
		errno = EPERM;
	}
	if (st != BACKEND_OK && st != BACKEND_CONNECTING) {
		log_warn("%s: backend %s", rt->rt_path, rt->rt_backend);
		metrics_backend_error(rt, st == BACKEND_BUSY);
		if (rt->rt_on_backend_down == BACKEND_DOWN_HTTP)
			return (ws_refuse(wsi, peer.sp_text, logpath,
			    st == BACKEND_BUSY ? 503 : 502,
			    st == BACKEND_BUSY ? "backend busy" :
			    "backend unavailable"));
	}
	mi.mi_path = path;
	ws_query(wsi, query, sizeof(query));
	mi.mi_query = query;
	mi.mi_authority = ws_header(wsi, WSI_TOKEN_HOST, host, sizeof(host));
	mi.mi_subprotocol = proto[0] != '\0' ? proto : NULL;
	mi.mi_subject = subject[0] != '\0' ? subject : NULL;
	nmeta = metadata_encode(rt->rt_metadata, rt->rt_framing, &mi,
	    ws_metabuf, sizeof(ws_metabuf));
	if (nmeta == -1) {
		if (fd != -1)
			close(fd);
		return (ws_refuse(wsi, peer.sp_text, logpath, 431,
		    "request headers too large for the metadata"));
	}
	if ((s = session_new(rt, wsi, fd, st == BACKEND_CONNECTING, &peer,
	    ws_metabuf, (size_t)nmeta)) == NULL)
		return (ws_refuse(wsi, peer.sp_text, logpath, 503,
		    "out of resources"));
	lws_set_opaque_user_data(wsi, s);
	/*
	 * A TCP connect under way: the answer waits for it (the project's
	 * lws-4.3.5-ws-upgrade-defer patch), and so does the client.
	 */
	if (st == BACKEND_CONNECTING)
		lws_ws_upgrade_defer(wsi);
	return (0);
}

/* Set the extension's option NAME to VALUE (0: one without a value, on). */
static void
ws_pmd_set(struct lws_context *cx, const struct lws_extension *ext,
    struct lws *wsi, void *user, const char *name, unsigned int value)
{
	struct lws_ext_option_arg	 oa;
	char				 num[8];

	snprintf(num, sizeof(num), "%u", value);
	memset(&oa, 0, sizeof(oa));
	oa.option_name = name;
	oa.start = value != 0 ? num : NULL;
	lws_extension_callback_pm_deflate(cx, ext, wsi,
	    LWS_EXT_CB_NAMED_OPTION_SET, user, &oa, 0);
}

/*
 * libwebsockets' permessage-deflate, with our answer to the offer (the
 * project's lws-4.3.5-wsext-negotiate patch asks for it): pmd.c judges
 * it against the route's compression settings.  Declined, the client
 * may have another offer, or goes on uncompressed.
 */
static int
ws_pmd_cb(struct lws_context *cx, const struct lws_extension *ext,
    struct lws *wsi, enum lws_extension_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct lws_ext_negotiate	*neg = in;
	struct session			*s = lws_get_opaque_user_data(wsi);
	struct route			*rt;
	struct pmd_params		 pp;

	if (reason != LWS_EXT_CB_NEGOTIATE_SERVER)
		return (lws_extension_callback_pm_deflate(cx, ext, wsi, reason,
		    user, in, len));
	if (s == NULL)
		return (-1);
	rt = s->se_route;
	if (pmd_negotiate(neg->offer, neg->offer_len,
	    rt->rt_deflate_window_bits, rt->rt_deflate_takeover, &pp,
	    neg->resp, neg->resp_len) == -1)
		return (-1);
	neg->handled = 1;
	ws_pmd_set(cx, ext, wsi, user, "server_max_window_bits",
	    pp.pp_server_bits);
	ws_pmd_set(cx, ext, wsi, user, "client_max_window_bits",
	    pp.pp_client_bits);
	if (!pp.pp_server_takeover)
		ws_pmd_set(cx, ext, wsi, user, "server_no_context_takeover", 0);
	if (!pp.pp_client_takeover)
		ws_pmd_set(cx, ext, wsi, user, "client_no_context_takeover", 0);
	/* zlib's hash table follows the window: 8 (its default) at 14, 15. */
	ws_pmd_set(cx, ext, wsi, user, "mem_level", pp.pp_server_bits < 14 ?
	    pp.pp_server_bits - 6 : 8);
	s->se_deflate = 1;
	return (0);
}

/* The health check; never cached, since it changes with a drain. */
static int
ws_health(struct lws *wsi)
{
	const char	*text, *body;
	int		 status;

	status = health_status(&text, &body);
	return (ws_reply(wsi, status, text, "Cache-Control: no-store\r\n",
	    body));
}

static int
callback_wsgate(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct session		*s = lws_get_opaque_user_data(wsi);
	const unsigned char	*p = in;

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return (ws_confirm(wsi));
	case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
		if (health_is(in, strlen(in)) &&
		    lws_hdr_total_length(wsi, WSI_TOKEN_UPGRADE) <= 0)
			return (ws_health(wsi));
		if (static_too_long(in))
			return (ws_refuse(wsi, "-", "-", 414,
			    "request path too long"));
		break;
	case LWS_CALLBACK_HTTP:
		/* lws found no file under a [static] path: its 404 below. */
		if (static_covers(in))
			break;
		/* A plain HTTP request: RFC 6455 4.2.1 wants an upgrade. */
		return (ws_refuse(wsi, "-", "-", 400, "not a WebSocket upgrade"));
	default:
		break;
	}
	/* lws's own HTTP work, such as ending a file it sent. */
	if (s == NULL)
		return (lws_callback_http_dummy(wsi, reason, user, in, len));
	switch (reason) {
	case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
		return (s->se_route->rt_deflate ? 0 : 1);
	case LWS_CALLBACK_ESTABLISHED:
		return (session_established(s));
	case LWS_CALLBACK_RECEIVE:
		return (session_client_data(s, in, len,
		    lws_is_first_fragment(wsi), lws_is_final_fragment(wsi),
		    lws_frame_is_binary(wsi)));
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_HTTP_WRITEABLE:	/* a held handshake */
		return (session_client_writeable(s));
	case LWS_CALLBACK_RECEIVE_PONG:
		return (session_dispatch(s, FSM_EV_PONG));
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		session_client_close(s, len >= 2 ? (uint16_t)(p[0] << 8 | p[1]) :
		    0, len > 2 ? p + 2 : NULL, len > 2 ? len - 2 : 0);
		return (0);	/* lws echoes the close frame */
	case LWS_CALLBACK_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		lws_set_opaque_user_data(wsi, NULL);
		session_client_gone(s);
		return (0);
	default:
		break;
	}
	return (0);
}

/* ws_protocols and ws_offered from every route's subprotocols. */
static int
ws_protocols_build(const struct config *cf)
{
	struct lws_protocols	*p;
	size_t			 i, n = 1, len = sizeof(WS_PROTOCOL);
	char			*name;

	for (i = 0; i < cf->cf_nroutes; i++)
		if (cf->cf_routes[i].rt_subprotocols != NULL) {
			len += strlen(cf->cf_routes[i].rt_subprotocols) + 1;
			n += strlen(cf->cf_routes[i].rt_subprotocols) / 2 + 1;
		}
	if ((ws_offered = calloc(1, len)) == NULL ||
	    (ws_protocols = calloc(n + 1, sizeof(*ws_protocols))) == NULL)
		return (-1);
	strcpy(ws_offered, WS_PROTOCOL);
	for (i = 0; i < cf->cf_nroutes; i++)
		if (cf->cf_routes[i].rt_subprotocols != NULL) {
			strcat(ws_offered, " ");
			strcat(ws_offered, cf->cf_routes[i].rt_subprotocols);
		}
	if ((ws_names = strdup(ws_offered + strlen(WS_PROTOCOL))) == NULL)
		return (-1);
	p = ws_protocols;
	p->name = WS_PROTOCOL;
	for (name = strtok(ws_names, " ");; name = strtok(NULL, " ")) {
		p->callback = callback_wsgate;
		p->tx_packet_size = WS_TX_MAX;
		p->rx_buffer_size = WS_RX_PIECE;
		if (name == NULL)
			break;
		(++p)->name = name;
	}
	return (0);
}

/* lws's lines may quote what a client sent: log.c escapes them. */
static void
ws_log_cb(int level, const char *line)
{
	size_t	 n = strlen(line);

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (level & LLL_ERR)
		log_errx("lws: %.*s", (int)n, line);
	else if (level & LLL_WARN)
		log_warnx("lws: %.*s", (int)n, line);
	else
		log_debug("lws: %.*s", (int)n, line);
}

/* lws logs at wsgated's level: its notices only when debugging. */
void
ws_log_level(void)
{
	int	 lll = LLL_ERR;

	if (log_get_level() >= LOG_LEVEL_WARN)
		lll |= LLL_WARN;
	if (log_get_level() >= LOG_LEVEL_DEBUG)
		lll |= LLL_NOTICE;
	lws_set_log_level(lll, ws_log_cb);
}

/* What the plain and the TLS vhost share: the same protocols list. */
static void
ws_vhost_info(struct lws_context_creation_info *info, const struct config *cf)
{
	memset(info, 0, sizeof(*info));
	info->port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info->protocols = ws_protocols;
	info->mounts = static_mounts();
	info->retry_and_idle_policy = &ws_no_keepalive;
	info->extensions = ws_extensions;
	/*
	 * lws bounds the TLS phase with timeout_secs and the wait for the
	 * request headers with timeout_secs_ah_idle, in whole seconds; the
	 * latter is not extended by a client trickling its headers.
	 */
	info->timeout_secs = (unsigned int)((cf->cf_handshake_timeout + 999) /
	    1000);
	info->timeout_secs_ah_idle = info->timeout_secs;
}

/*
 * The TLS vhost comes first, and exists even without a certificate (a
 * reload can add one): when a client sends SNI, lws picks the first
 * vhost on our pseudo-port, and the plain one has no TLS context, so the
 * handshake would fail.  With the TLS vhost first, lws also moves plain
 * connections to it once the Host header is read; that is harmless, as
 * both vhosts serve the same protocols with the same settings.
 */
int
ws_init(struct config *cf, struct tls_pem *tp)
{
	struct lws_context_creation_info info;
	void	*loops[1] = { NULL };

	ws_conf = cf;
	ws_tls_pem = tp;
	ws_log_level();
	memset(&info, 0, sizeof(info));
	/* A bigger request head gets 431 (the project's lws patch). */
	info.max_http_header_data = (unsigned short)cf->cf_max_header_size;
	info.pt_serv_buf_size = WS_READ_MAX;
	/* Global TLS init now, so a reload can add a TLS vhost later. */
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	    LWS_SERVER_OPTION_VALIDATE_UTF8 |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.event_lib_custom = &ws_evlib;
	info.foreign_loops = loops;
	if ((ws_ctx = lws_create_context(&info)) == NULL)
		return (-1);
	if (ws_protocols_build(cf) == -1)
		return (-1);
	ws_vhost_info(&info, cf);
	info.vhost_name = "<wsgate-tls>";	/* matches no SNI name */
	tls_vhost_info(&info, tp);
	if ((ws_tls_vh = lws_create_vhost(ws_ctx, &info)) == NULL)
		goto fail;
	ws_vhost_info(&info, cf);
	info.vhost_name = "<wsgate>";
	if ((ws_vh = lws_create_vhost(ws_ctx, &info)) == NULL)
		goto fail;
	return (0);

 fail:
	lws_context_destroy(ws_ctx);
	ws_ctx = NULL;
	return (-1);
}

/*
 * The client CA is fixed when the TLS vhost is made: lws can swap the
 * certificate of a vhost but not its CA, and a second TLS vhost would
 * never be picked for clients that send SNI (see ws_init()).
 */
int
ws_tls_can_use(const struct tls_pem *tp)
{
	return (tp == NULL || tls_same_ca(ws_tls_pem, tp));
}

void
ws_tls(struct tls_pem *tp)
{
	if (tp == NULL)
		return;
	tls_cert_update(ws_ctx, tp);
	tls_free(ws_tls_pem);
	ws_tls_pem = tp;
}

/* Reload: new handshakes use CF; sessions keep their own route. */
void
ws_reconfigure(struct config *cf)
{
	ws_conf = cf;
}

const char *
ws_version(void)
{
	return (lws_get_library_version());
}

void
ws_done(void)
{
	if (ws_ctx != NULL)
		lws_context_destroy(ws_ctx);
	ws_ctx = NULL;
	tls_free(ws_tls_pem);
	ws_tls_pem = NULL;
	ws_tls_vh = NULL;
	free(ws_protocols);
	free(ws_names);
	free(ws_offered);
	ws_protocols = NULL;
	ws_names = ws_offered = NULL;
}

void
ws_adopt(int fd, int tls)
{
	/* On failure lws has closed fd. */
	if (lws_adopt_socket_vhost(tls ? ws_tls_vh : ws_vh, fd) == NULL)
		log_warnx("cannot hand a connection to libwebsockets");
}

/* The held handshake gets its 101; -1 when the callback must return -1. */
int
ws_accept(struct lws *wsi)
{
	return (lws_ws_upgrade_resume(wsi) != 0 ? -1 : 0);
}

/* The held handshake is refused: call from its writeable callback. */
int
ws_refuse_held(struct lws *wsi, const char *peer, const char *path,
    int status, const char *why)
{
	return (ws_refuse(wsi, peer, path, status, why));
}

void
ws_want_writeable(struct lws *wsi)
{
	lws_callback_on_writable(wsi);
}

/*
 * Nothing of ours waits to go to the client: libwebsockets asks for
 * POLLOUT whenever it holds unsent bytes or a writeable callback is due.
 */
int
ws_idle_output(struct lws *wsi)
{
	return ((loop_events(lws_get_socket_fd(wsi)) & EPOLLOUT) == 0);
}

uint16_t
ws_close_code(struct lws *wsi)
{
	const unsigned char	*p = lws_get_close_payload(wsi);

	return (lws_get_close_length(wsi) >= 2 ? (uint16_t)(p[0] << 8 | p[1]) :
	    0);
}

void
ws_limit_message(struct lws *wsi, size_t max)
{
	lws_ws_set_rx_max_message(wsi, max);
}

void
ws_rx_flow(struct lws *wsi, int enable)
{
	lws_rx_flow_control(wsi, enable);
}

void
ws_drop(struct lws *wsi)
{
	/* Killed at lws's next timer run: no close frame, no flush. */
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void
ws_detach(struct lws *wsi)
{
	lws_set_opaque_user_data(wsi, NULL);
}

size_t
ws_headroom(void)
{
	return (LWS_PRE);
}

unsigned char *
ws_tx_buffer(size_t *size)
{
	*size = WS_TX_MAX;
	return (ws_txbuf + LWS_PRE);
}

int
ws_send(struct lws *wsi, unsigned char *buf, size_t len, int text)
{
	int	 n;

	n = lws_write(wsi, buf, len, text ? LWS_WRITE_TEXT : LWS_WRITE_BINARY);
	return (n < (int)len ? -1 : 0);
}

int
ws_send_ping(struct lws *wsi)
{
	unsigned char	 buf[LWS_PRE + 8];

	memcpy(buf + LWS_PRE, "wsgate", 6);
	return (lws_write(wsi, buf + LWS_PRE, 6, LWS_WRITE_PING) < 6 ? -1 : 0);
}

void
ws_send_close(struct lws *wsi, uint16_t code, const char *reason)
{
	lws_close_reason(wsi, (enum lws_close_status)code,
	    (unsigned char *)reason, strlen(reason));
}
