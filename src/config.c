/*
 * config.c: read the INI file into a struct config and validate it.
 *
 * inih splits "key = value" lines.  Our reader in front of it counts lines
 * and deals with all else itself: comments, section headers (inih cuts
 * names at 50 characters and does not report empty sections), continuation
 * lines and syntax errors (inih reports only the first).  Every error is
 * printed as FILE:LINE: message and counted; parsing goes on to report
 * them all.  No socket I/O (inet_pton() only parses): Check tests this
 * without sockets.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "origin.h"
#include "log.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define BACKEND_PATH_MAX	TARGET_PATH_MAX

enum key_type {
	KT_LISTEN,
	KT_ADDRESS,
	KT_LOG_LEVEL,
	KT_DURATION,
	KT_SIZE,
	KT_COUNT,
	KT_BOOL,
	KT_FRAMING,
	KT_BACKEND_DOWN,
	KT_BACKEND,
	KT_METADATA,
	KT_SUBPROTOCOLS,
	KT_ORIGINS,
	KT_AUTH,
	KT_SECRET,
	KT_USER,
	KT_PATH,
	KT_COMPRESSION,
	KT_WINDOW_BITS,
	KT_CIDRS,
	KT_URL_PATH,
	KT_TARGETS,
	KT_TOKEN_FROM,
	KT_ALLOW,
};

struct key {
	const char	*k_name;
	enum key_type	 k_type;
	size_t		 k_off;		/* of the field in its struct */
	size_t		 k_size;	/* of the field, to copy defaults */
	uint64_t	 k_min;		/* smallest accepted duration or size */
};

#define KEY(name, type, st, field, min)					\
	{ (name), (type), offsetof(struct st, field),			\
	    sizeof(((struct st *)0)->field), (min) }

enum {
	SK_LISTEN,
	SK_MAX_CONNECTIONS,
	SK_HANDSHAKE_TIMEOUT,
	SK_SHUTDOWN_TIMEOUT,
	SK_REUSE_PORT,
	SK_LOG_LEVEL,
	SK_TLS_CERT,
	SK_TLS_KEY,
	SK_TLS_CA,
	SK_MAX_HEADER_SIZE,
	SK_METRICS_LISTEN,
	SK_TRUSTED_PROXIES,
	SK_HEALTH_PATH,
	SK_DRAIN_DELAY,
	SK_DRAIN_SPREAD,
	SK__COUNT
};

/*
 * max_connections in [server] is the global limit: it is found here before
 * route_keys[] and so is never a default for the routes' own limit.
 */
static const struct key server_keys[SK__COUNT] = {
	[SK_LISTEN] = KEY("listen", KT_LISTEN, config, cf_listen, 0),
	[SK_MAX_CONNECTIONS] = KEY("max_connections", KT_COUNT, config,
	    cf_max_connections, 0),
	[SK_HANDSHAKE_TIMEOUT] = KEY("handshake_timeout", KT_DURATION,
	    config, cf_handshake_timeout, 1),
	[SK_SHUTDOWN_TIMEOUT] = KEY("shutdown_timeout", KT_DURATION, config,
	    cf_shutdown_timeout, 0),
	[SK_REUSE_PORT] = KEY("reuse_port", KT_BOOL, config, cf_reuse_port, 0),
	[SK_LOG_LEVEL] = KEY("log_level", KT_LOG_LEVEL, config, cf_log_level,
	    0),
	[SK_TLS_CERT] = KEY("tls_cert", KT_PATH, config, cf_tls_cert, 0),
	[SK_TLS_KEY] = KEY("tls_key", KT_PATH, config, cf_tls_key, 0),
	[SK_TLS_CA] = KEY("tls_ca", KT_PATH, config, cf_tls_ca, 0),
	[SK_MAX_HEADER_SIZE] = KEY("max_header_size", KT_SIZE, config,
	    cf_max_header_size, 1024),
	[SK_METRICS_LISTEN] = KEY("metrics_listen", KT_ADDRESS, config,
	    cf_metrics, 0),
	[SK_TRUSTED_PROXIES] = KEY("trusted_proxies", KT_CIDRS, config,
	    cf_trusted, 0),
	[SK_HEALTH_PATH] = KEY("health_path", KT_URL_PATH, config,
	    cf_health_path, 0),
	[SK_DRAIN_DELAY] = KEY("drain_delay", KT_DURATION, config,
	    cf_drain_delay, 0),
	[SK_DRAIN_SPREAD] = KEY("drain_spread", KT_DURATION, config,
	    cf_drain_spread, 0),
};

enum {
	RK_BACKEND,
	RK_FRAMING,
	RK_TEXT,
	RK_MAX_MESSAGE_SIZE,
	RK_BUFFER_SIZE,
	RK_IDLE_TIMEOUT,
	RK_PING_INTERVAL,
	RK_PING_TIMEOUT,
	RK_CLOSE_TIMEOUT,
	RK_CONNECT_TIMEOUT,
	RK_SEND_TIMEOUT,
	RK_ON_BACKEND_DOWN,
	RK_MAX_CONNECTIONS,
	RK_METADATA,
	RK_SUBPROTOCOLS,
	RK_ORIGINS,
	RK_AUTH,
	RK_TOKEN_SECRET_FILE,
	RK_BACKEND_OWNER,
	RK_MAX_PER_IP,
	RK_COMPRESSION,
	RK_COMPRESSION_WINDOW_BITS,
	RK_COMPRESSION_CONTEXT_TAKEOVER,
	RK_TARGETS,
	RK_TOKEN_FROM,
	RK_ALLOW_TARGETS,
	RK__COUNT
};

static const struct key route_keys[RK__COUNT] = {
	[RK_BACKEND] = KEY("backend", KT_BACKEND, route, rt_backend, 0),
	[RK_FRAMING] = KEY("framing", KT_FRAMING, route, rt_framing, 0),
	[RK_TEXT] = KEY("text", KT_BOOL, route, rt_text, 0),
	[RK_MAX_MESSAGE_SIZE] = KEY("max_message_size", KT_SIZE, route,
	    rt_max_message_size, 1),
	[RK_BUFFER_SIZE] = KEY("buffer_size", KT_SIZE, route, rt_buffer_size,
	    1024),
	[RK_IDLE_TIMEOUT] = KEY("idle_timeout", KT_DURATION, route,
	    rt_idle_timeout, 0),
	[RK_PING_INTERVAL] = KEY("ping_interval", KT_DURATION, route,
	    rt_ping_interval, 0),
	[RK_PING_TIMEOUT] = KEY("ping_timeout", KT_DURATION, route,
	    rt_ping_timeout, 0),
	[RK_CLOSE_TIMEOUT] = KEY("close_timeout", KT_DURATION, route,
	    rt_close_timeout, 1),
	[RK_CONNECT_TIMEOUT] = KEY("connect_timeout", KT_DURATION, route,
	    rt_connect_timeout, 1),
	[RK_SEND_TIMEOUT] = KEY("send_timeout", KT_DURATION, route,
	    rt_send_timeout, 0),
	[RK_ON_BACKEND_DOWN] = KEY("on_backend_down", KT_BACKEND_DOWN, route,
	    rt_on_backend_down, 0),
	[RK_MAX_CONNECTIONS] = KEY("max_connections", KT_COUNT, route,
	    rt_max_connections, 0),
	[RK_METADATA] = KEY("metadata", KT_METADATA, route, rt_metadata, 0),
	[RK_SUBPROTOCOLS] = KEY("subprotocols", KT_SUBPROTOCOLS, route,
	    rt_subprotocols, 0),
	[RK_ORIGINS] = KEY("origins", KT_ORIGINS, route, rt_origins, 0),
	[RK_AUTH] = KEY("auth", KT_AUTH, route, rt_auth_token, 0),
	[RK_TOKEN_SECRET_FILE] = KEY("token_secret_file", KT_SECRET, route,
	    rt_token_secret, 0),
	[RK_BACKEND_OWNER] = KEY("backend_owner", KT_USER, route,
	    rt_backend_owner, 0),
	[RK_MAX_PER_IP] = KEY("max_connections_per_ip", KT_COUNT, route,
	    rt_max_per_ip, 0),
	[RK_COMPRESSION] = KEY("compression", KT_COMPRESSION, route,
	    rt_deflate, 0),
	[RK_COMPRESSION_WINDOW_BITS] = KEY("compression_window_bits",
	    KT_WINDOW_BITS, route, rt_deflate_window_bits, 0),
	[RK_COMPRESSION_CONTEXT_TAKEOVER] = KEY(
	    "compression_context_takeover", KT_BOOL, route,
	    rt_deflate_takeover, 0),
	[RK_TARGETS] = KEY("targets", KT_TARGETS, route, rt_targets, 0),
	[RK_TOKEN_FROM] = KEY("token_from", KT_TOKEN_FROM, route,
	    rt_token_from_path, 0),
	[RK_ALLOW_TARGETS] = KEY("allow_targets", KT_ALLOW, route, rt_allow,
	    0),
};

enum section {
	SEC_NONE,	/* before the first header */
	SEC_SKIP,	/* a bad header, already reported: ignore its keys */
	SEC_SERVER,
	SEC_ROUTE,
	SEC_STATIC,
};

/* Outcome of a value parser; the handler turns it into a message. */
enum val {
	VAL_OK,
	VAL_BAD,
	VAL_NOUNIT,
	VAL_RANGE,
};

struct parse {
	const char	*p_file;
	FILE		*p_errs;
	int		 p_nerr;
	int		 p_line;	/* of the line last read */

	FILE		*p_fp;		/* the source: a file ... */
	const char	*p_text;	/* ... or a string */
	char		*p_buf;		/* getline() buffer, owned */
	size_t		 p_bufsz;

	char		 p_key[64];	/* last key of this section */
	enum section	 p_sec;
	char		*p_where;	/* "[server]", "[route /p]"; owned */
	size_t		 p_cur;		/* index of the current route */
	int		 p_rootset;	/* line of root in this [static] */

	struct config	*p_cf;		/* owned until returned */
	int		 p_sset[SK__COUNT];	/* line of each server key */
	struct route	 p_srv;		/* route defaults from [server] */
	int		 p_srvset[RK__COUNT];
	int		(*p_rset)[RK__COUNT];	/* per route; owned */
};

static int	 parse_err(struct parse *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));

/*
 * Print "FILE:LINE: message" (or "FILE: message" for LINE 0) and count it.
 * Returns 0, what an inih handler returns on error.
 */
static int
parse_err(struct parse *p, int line, const char *fmt, ...)
{
	va_list	 ap;

	if (line > 0)
		fprintf(p->p_errs, "%s:%d: ", p->p_file, line);
	else
		fprintf(p->p_errs, "%s: ", p->p_file);
	va_start(ap, fmt);
	vfprintf(p->p_errs, fmt, ap);
	va_end(ap);
	fputc('\n', p->p_errs);
	p->p_nerr++;
	return (0);
}

/* Decimal digits only: strtoull() would take signs and blanks. */
static enum val
parse_uint(const char **sp, uint64_t *np)
{
	const char	*s = *sp;
	uint64_t	 n = 0;
	int		 over = 0;

	if (!isdigit((unsigned char)*s))
		return (VAL_BAD);
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			over = 1;
		else
			n = n * 10 + (uint64_t)(*s - '0');
	}
	*sp = s;
	*np = n;
	return (over ? VAL_RANGE : VAL_OK);
}

static enum val
parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char	*u_name;
		uint64_t	 u_ms;
	} units[] = {
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60 * 1000 },
		{ "h", 60 * 60 * 1000 },
	};
	enum val	 v;
	uint64_t	 n;
	size_t		 i;

	if ((v = parse_uint(&s, &n)) == VAL_BAD)
		return (VAL_BAD);
	if (*s == '\0') {
		/* Only zero is the same in every unit. */
		if (v != VAL_OK || n != 0)
			return (VAL_NOUNIT);
		*ms = 0;
		return (VAL_OK);
	}
	for (i = 0; i < nitems(units); i++)
		if (strcmp(s, units[i].u_name) == 0)
			break;
	if (i == nitems(units))
		return (VAL_BAD);
	if (v == VAL_RANGE || n > UINT64_MAX / units[i].u_ms)
		return (VAL_RANGE);
	*ms = n * units[i].u_ms;
	return (VAL_OK);
}

static enum val
parse_size(const char *s, size_t *bytes)
{
	enum val	 v;
	uint64_t	 n;
	int		 shift;

	if ((v = parse_uint(&s, &n)) == VAL_BAD)
		return (VAL_BAD);
	if (strcmp(s, "") == 0)
		shift = 0;
	else if (strcmp(s, "k") == 0 || strcmp(s, "K") == 0)
		shift = 10;
	else if (strcmp(s, "M") == 0)
		shift = 20;
	else if (strcmp(s, "G") == 0)
		shift = 30;
	else
		return (VAL_BAD);
	if (v == VAL_RANGE || n > SIZE_MAX >> shift)
		return (VAL_RANGE);
	*bytes = (size_t)n << shift;
	return (VAL_OK);
}

int
config_parse_duration(const char *s, uint64_t *ms)
{
	return (parse_duration(s, ms) == VAL_OK ? 0 : -1);
}

int
config_parse_size(const char *s, size_t *bytes)
{
	return (parse_size(s, bytes) == VAL_OK ? 0 : -1);
}

/* An IP literal of family AF, as listen.c will bind it. */
static int
ip_valid(int af, const char *s)
{
	unsigned char	 addr[sizeof(struct in6_addr)];

	return (inet_pton(af, s, addr) == 1);
}

/*
 * "HOST:PORT" or "[V6]:PORT" with an IP literal: wsgated binds before it
 * serves and never blocks, so it does no DNS lookup.
 */
static int
parse_listen(struct parse *p, const char *value)
{
	struct config		*cf = p->p_cf;
	struct listen_addr	*la;
	char			 addr[64], *host, *port, *end;
	const char		*rest, *s;
	size_t			 len, i, flen;
	uint64_t		 n;
	int			 tls = 0, proxy = 0;

	len = strcspn(value, " \t");
	/* Flags, in any order, each once: "tls", "proxy". */
	for (rest = value + len; *(rest += strspn(rest, " \t")) != '\0';
	    rest += flen) {
		flen = strcspn(rest, " \t");
		if (flen == 3 && strncmp(rest, "tls", 3) == 0 && !tls)
			tls = 1;
		else if (flen == 5 && strncmp(rest, "proxy", 5) == 0 && !proxy)
			proxy = 1;
		else
			return (parse_err(p, p->p_line,
			    "listen: unexpected '%s' after the address "
			    "(flags: tls, proxy)", rest));
	}
	if (len >= sizeof(addr))
		goto bad;
	memcpy(addr, value, len);
	addr[len] = '\0';
	if (addr[0] == '[') {
		host = addr + 1;
		if ((end = strchr(host, ']')) == NULL || end[1] != ':')
			goto bad;
		*end = '\0';
		port = end + 2;
		if (!ip_valid(AF_INET6, host))
			return (parse_err(p, p->p_line,
			    "listen: '%s' is not an IPv6 address", host));
	} else {
		if ((port = strrchr(addr, ':')) == NULL || port == addr)
			goto bad;
		*port++ = '\0';
		host = addr;
		if (strchr(host, ':') != NULL)
			return (parse_err(p, p->p_line, "listen: '%s': an IPv6 "
			    "address goes in brackets, as in [::1]:8080",
			    value));
		if (!ip_valid(AF_INET, host))
			return (parse_err(p, p->p_line, "listen: '%s' is not "
			    "an IP address (no DNS lookups: use e.g. "
			    "127.0.0.1 or [::1])", host));
	}
	s = port;
	if (parse_uint(&s, &n) != VAL_OK || *s != '\0' || n < 1 || n > 65535)
		return (parse_err(p, p->p_line,
		    "listen: port '%s' is not from 1 to 65535", port));

	for (i = 0; i < cf->cf_nlisten; i++) {
		la = &cf->cf_listen[i];
		if (la->la_port == (int)n && strcmp(la->la_host, host) == 0)
			return (parse_err(p, p->p_line,
			    "listen: '%s' already at line %d", value,
			    la->la_line));
	}
	la = reallocarray(cf->cf_listen, cf->cf_nlisten + 1, sizeof(*la));
	if (la == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	cf->cf_listen = la;
	la = &cf->cf_listen[cf->cf_nlisten];
	if ((la->la_host = strdup(host)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	la->la_port = (int)n;
	la->la_tls = tls;
	la->la_proxy = proxy;
	la->la_line = p->p_line;
	cf->cf_nlisten++;
	return (1);

 bad:
	return (parse_err(p, p->p_line,
	    "listen: '%s' is not HOST:PORT or [IPV6]:PORT", value));
}

/*
 * metrics_listen: "HOST:PORT", "[V6]:PORT" with an IP literal, or
 * "unix:/PATH".
 */
static int
parse_address(struct parse *p, const struct key *k, struct listen_addr *la,
    const char *value)
{
	char		 addr[64], *port, *end;
	const char	*host, *s;
	uint64_t	 n;

	if (strncmp(value, "unix:/", 6) == 0) {
		if (strlen(value + 5) > BACKEND_PATH_MAX)
			return (parse_err(p, p->p_line, "%s: a UNIX socket "
			    "path has at most %d bytes", k->k_name,
			    BACKEND_PATH_MAX));
		host = value;
		n = 0;
	} else {
		if (strlen(value) >= sizeof(addr))
			goto bad;
		snprintf(addr, sizeof(addr), "%s", value);
		if (addr[0] == '[') {
			host = addr + 1;
			if ((end = strchr(addr, ']')) == NULL || end[1] != ':')
				goto bad;
			*end = '\0';
			port = end + 2;
			if (!ip_valid(AF_INET6, host))
				goto bad;
		} else {
			if ((port = strrchr(addr, ':')) == NULL)
				goto bad;
			*port++ = '\0';
			host = addr;
			if (!ip_valid(AF_INET, host))
				goto bad;
		}
		s = port;
		if (parse_uint(&s, &n) != VAL_OK || *s != '\0' || n < 1 ||
		    n > 65535)
			goto bad;
	}
	free(la->la_host);
	if ((la->la_host = strdup(host)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	la->la_port = (int)n;
	la->la_line = p->p_line;
	return (1);

 bad:
	return (parse_err(p, p->p_line, "%s: '%s' is not IPV4:PORT, "
	    "[IPV6]:PORT or unix:/PATH", k->k_name, value));
}

/* trusted_proxies: blank-separated ranges; FIELD is cf_trusted. */
static int
parse_cidrs(struct parse *p, struct cidr **field, const char *value)
{
	struct config	*cf = p->p_cf;
	struct cidr	*list = NULL, *nl;
	char		 one[64];
	size_t		 n = 0, len;
	const char	*s;

	for (s = value + strspn(value, " \t"); *s != '\0';
	    s += len, s += strspn(s, " \t")) {
		len = strcspn(s, " \t");
		snprintf(one, sizeof(one), "%.*s", (int)len, s);
		if ((nl = reallocarray(list, n + 1, sizeof(*list))) == NULL) {
			free(list);
			return (parse_err(p, p->p_line, "out of memory"));
		}
		list = nl;
		if (len >= sizeof(one) || cidr_parse(one, &list[n]) == -1) {
			free(list);
			return (parse_err(p, p->p_line, "trusted_proxies: "
			    "'%.*s' is not ADDRESS or ADDRESS/BITS", (int)len,
			    s));
		}
		n++;
	}
	if (n == 0)
		return (parse_err(p, p->p_line,
		    "trusted_proxies: name at least one address range"));
	*field = list;
	cf->cf_ntrusted = n;
	return (1);
}

/* health_path: an absolute request path, without query or blanks. */
static int
parse_url_path(struct parse *p, const struct key *k, char **field,
    const char *value)
{
	if (value[0] != '/' || strcspn(value, " \t?#") != strlen(value) ||
	    strlen(value) > 255)
		return (parse_err(p, p->p_line, "%s: '%s' is not a request "
		    "path such as /healthz", k->k_name, value));
	if ((*field = strdup(value)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	return (1);
}

/* "unix:/PATH" (stream) or "seqpacket:/PATH"; FIELD is rt_backend. */
/*
 * "tcp:HOST:PORT", "tcp:[V6]:PORT": a name is resolved here, once, so
 * that no session waits for DNS; the first address wins.
 */
static int
parse_tcp(struct parse *p, struct route *rt, const char *value)
{
	char		 host[256], *port, *end;
	struct addrinfo	 hints, *res;
	const char	*s;
	uint64_t	 n;
	int		 rc;

	if (strlen(value) >= sizeof(host))
		goto bad;
	snprintf(host, sizeof(host), "%s", value);
	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL || end[1] != ':')
			goto bad;
		*end = '\0';
		port = end + 2;
		memmove(host, host + 1, strlen(host + 1) + 1);
		if (!ip_valid(AF_INET6, host))
			goto bad;
	} else {
		if ((port = strrchr(host, ':')) == NULL || port == host)
			goto bad;
		*port++ = '\0';
		if (strchr(host, ':') != NULL)
			goto bad;	/* IPv6 goes in brackets */
	}
	s = port;
	if (parse_uint(&s, &n) != VAL_OK || *s != '\0' || n < 1 || n > 65535)
		goto bad;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0)
		return (parse_err(p, p->p_line, "backend: cannot resolve "
		    "'%s': %s", host, gai_strerror(rc)));
	if (res->ai_family == AF_INET) {
		rt->rt_target.tg_family = TARGET_INET;
		memcpy(rt->rt_target.tg_addr, &((struct sockaddr_in *)
		    (void *)res->ai_addr)->sin_addr, 4);
	} else {
		rt->rt_target.tg_family = TARGET_INET6;
		memcpy(rt->rt_target.tg_addr, &((struct sockaddr_in6 *)
		    (void *)res->ai_addr)->sin6_addr, 16);
	}
	freeaddrinfo(res);
	rt->rt_target.tg_port = (unsigned int)n;
	return (1);

 bad:
	return (parse_err(p, p->p_line, "backend: 'tcp:%s' is not "
	    "tcp:HOST:PORT or tcp:[IPV6]:PORT", value));
}

/*
 * "unix:/PATH" (stream), "seqpacket:/PATH" or "tcp:HOST:PORT"; FIELD is
 * rt_backend.
 */
static int
parse_backend(struct parse *p, char **field, const char *value)
{
	struct route	*rt = (struct route *)((char *)field -
			    offsetof(struct route, rt_backend));
	const char	*path;
	size_t		 len;

	rt->rt_seqpacket = 0;
	memset(&rt->rt_target, 0, sizeof(rt->rt_target));
	if (strncmp(value, "tcp:", 4) == 0) {
		if (parse_tcp(p, rt, value + 4) == 0)
			return (0);
		if ((*field = strdup(value + 4)) == NULL)
			return (parse_err(p, p->p_line, "out of memory"));
		return (1);
	}
	if (strncmp(value, "unix:/", 6) == 0)
		path = value + 5;
	else if (strncmp(value, "seqpacket:/", 11) == 0) {
		path = value + 10;
		rt->rt_seqpacket = 1;
	} else
		return (parse_err(p, p->p_line, "backend: '%s' is not "
		    "unix:/ABSOLUTE/PATH, seqpacket:/ABSOLUTE/PATH or "
		    "tcp:HOST:PORT", value));
	if ((len = strlen(path)) > BACKEND_PATH_MAX)
		return (parse_err(p, p->p_line, "backend: the path has %zu "
		    "bytes; a UNIX socket path has at most %d", len,
		    BACKEND_PATH_MAX));
	if ((*field = strdup(path)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	rt->rt_target.tg_family = TARGET_UNIX;
	strcpy(rt->rt_target.tg_path, path);
	return (1);
}

/*
 * "a b c": names offered for Sec-WebSocket-Protocol, in order.  Each must
 * be an HTTP token (RFC 7230 3.2.6), or a client could never ask for it.
 */
static int
parse_subprotocols(struct parse *p, char **field, const char *value)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	const char	*s;
	char		*list, *o;

	if ((list = malloc(strlen(value) + 1)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	o = list;
	for (s = value; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t') {
			if (o > list && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		if (!isalnum((unsigned char)*s) && strchr(tchar, *s) == NULL) {
			free(list);
			return (parse_err(p, p->p_line, "subprotocols: '%c' "
			    "cannot be in a protocol name", *s));
		}
		*o++ = *s;
	}
	if (o > list && o[-1] == ' ')
		o--;
	*o = '\0';
	if (*list == '\0') {
		free(list);
		return (parse_err(p, p->p_line,
		    "subprotocols: name at least one protocol"));
	}
	*field = list;
	return (1);
}

/* "https://a.example http://b.example:8080": each one origin. */
static int
parse_origins(struct parse *p, char **field, const char *value)
{
	const char	*s = value;
	size_t		 len;

	while (*s != '\0') {
		len = strcspn(s, " \t");
		if (len > 0 && !origin_valid(s, (unsigned int)len))
			return (parse_err(p, p->p_line, "origins: '%.*s' is not "
			    "scheme://host[:port]", (int)len, s));
		s += len;
		s += strspn(s, " \t");
	}
	if (*value == '\0')
		return (parse_err(p, p->p_line, "origins: name at least one"));
	if ((*field = strdup(value)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	return (1);
}

/*
 * token_secret_file: read now, so that a reload sees a changed secret and
 * a bad file is an error at its line.  Anyone else who can read the secret
 * can mint tokens: the file must be readable by its owner only.
 */
static int
parse_secret(struct parse *p, char **field, const char *value)
{
	struct stat	 st;
	char		 buf[1024];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(value, O_RDONLY | O_CLOEXEC)) == -1)
		return (parse_err(p, p->p_line, "token_secret_file: %s: %s",
		    value, strerror(errno)));
	if (fstat(fd, &st) == -1 || (st.st_mode & 077) != 0) {
		close(fd);
		return (parse_err(p, p->p_line, "token_secret_file: %s: must "
		    "be readable by its owner only (chmod 600)", value));
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (parse_err(p, p->p_line, "token_secret_file: %s: %s",
		    value, n == 0 ? "empty" : strerror(errno)));
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n < 16 || strlen(buf) != (size_t)n) {
		explicit_bzero(buf, sizeof(buf));
		return (parse_err(p, p->p_line, "token_secret_file: %s: use a "
		    "text secret of at least 16 bytes", value));
	}
	*field = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (*field == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	return (1);
}

/* backend_owner: a user name, resolved once here. */
static int
parse_user(struct parse *p, char **field, const char *value)
{
	struct passwd	*pw;
	struct route	*rt = (struct route *)((char *)field -
			    offsetof(struct route, rt_backend_owner));

	if ((pw = getpwnam(value)) == NULL)
		return (parse_err(p, p->p_line, "backend_owner: no user '%s'",
		    value));
	rt->rt_backend_uid = (unsigned int)pw->pw_uid;
	if ((*field = strdup(value)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	return (1);
}

/* A number that did not parse: say why. */
static int
value_err(struct parse *p, const struct key *k, const char *value,
    enum val v, const char *bad)
{
	if (v == VAL_NOUNIT)
		bad = "needs a unit (ms, s, m, h)";
	else if (v == VAL_RANGE)
		bad = "is too large";
	return (parse_err(p, p->p_line, "%s: '%s' %s", k->k_name, value, bad));
}

/*
 * Parse VALUE as key K into the field at BASE + K->k_off.  Returns 1, or 0
 * after reporting the error; the field is unchanged then.
 */
static int
parse_value(struct parse *p, const struct key *k, void *base,
    const char *value)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	void		*field = (char *)base + k->k_off;
	const char	*s;
	char		 err[160];
	enum val	 v;
	uint64_t	 ms, n;
	size_t		 bytes, i;

	switch (k->k_type) {
	case KT_LISTEN:
		return (parse_listen(p, value));
	case KT_ADDRESS:
		return (parse_address(p, k, field, value));
	case KT_LOG_LEVEL:
		for (i = 0; i <= LOG_LEVEL_DEBUG; i++)
			if (strcmp(value, log_level_name(i)) == 0)
				break;
		if (i > LOG_LEVEL_DEBUG)
			return (parse_err(p, p->p_line, "%s: '%s' is not error, "
			    "warn, info or debug", k->k_name, value));
		*(enum log_level *)field = (enum log_level)i;
		break;
	case KT_DURATION:
		if ((v = parse_duration(value, &ms)) != VAL_OK)
			return (value_err(p, k, value, v, "is not a duration "
			    "(a whole number with ms, s, m or h)"));
		if (ms < k->k_min)
			return (parse_err(p, p->p_line,
			    "%s: must be more than 0", k->k_name));
		*(uint64_t *)field = ms;
		break;
	case KT_SIZE:
		if ((v = parse_size(value, &bytes)) != VAL_OK)
			return (value_err(p, k, value, v, "is not a size (a "
			    "whole number of bytes, or with k, M or G)"));
		if (bytes == 0 && k->k_min == 1)
			return (parse_err(p, p->p_line,
			    "%s: must be more than 0", k->k_name));
		if (bytes < k->k_min)
			return (parse_err(p, p->p_line,
			    "%s: '%s' is less than %ju bytes", k->k_name,
			    value, (uintmax_t)k->k_min));
		*(size_t *)field = bytes;
		break;
	case KT_COUNT:
		s = value;
		if (parse_uint(&s, &n) != VAL_OK || *s != '\0' || n > UINT_MAX)
			return (parse_err(p, p->p_line,
			    "%s: '%s' is not a number from 0 to %u",
			    k->k_name, value, UINT_MAX));
		*(unsigned int *)field = (unsigned int)n;
		break;
	case KT_BOOL:
		for (i = 0; i < nitems(yes); i++)
			if (strcmp(value, yes[i]) == 0 ||
			    strcmp(value, no[i]) == 0)
				break;
		if (i == nitems(yes))
			return (parse_err(p, p->p_line,
			    "%s: '%s' is not yes or no", k->k_name, value));
		*(int *)field = strcmp(value, yes[i]) == 0;
		break;
	case KT_FRAMING:
		if (strcmp(value, "raw") == 0)
			*(enum route_framing *)field = FRAMING_RAW;
		else if (strcmp(value, "lines") == 0)
			*(enum route_framing *)field = FRAMING_LINES;
		else if (strcmp(value, "length") == 0)
			*(enum route_framing *)field = FRAMING_LENGTH;
		else
			return (parse_err(p, p->p_line,
			    "framing: '%s' is not raw, lines or length",
			    value));
		break;
	case KT_METADATA:
		if (strcmp(value, "none") == 0)
			*(enum route_metadata *)field = METADATA_NONE;
		else if (strcmp(value, "proxy-v2") == 0)
			*(enum route_metadata *)field = METADATA_PROXY_V2;
		else if (strcmp(value, "json") == 0)
			*(enum route_metadata *)field = METADATA_JSON;
		else
			return (parse_err(p, p->p_line,
			    "metadata: '%s' is not none, proxy-v2 or json",
			    value));
		break;
	case KT_SUBPROTOCOLS:
		return (parse_subprotocols(p, field, value));
	case KT_ORIGINS:
		return (parse_origins(p, field, value));
	case KT_AUTH:
		if (strcmp(value, "none") == 0)
			*(int *)field = 0;
		else if (strcmp(value, "token") == 0)
			*(int *)field = 1;
		else
			return (parse_err(p, p->p_line,
			    "auth: '%s' is not none or token", value));
		break;
	case KT_SECRET:
		return (parse_secret(p, field, value));
	case KT_USER:
		return (parse_user(p, field, value));
	case KT_BACKEND_DOWN:
		if (strcmp(value, "http") == 0)
			*(enum route_backend_down *)field = BACKEND_DOWN_HTTP;
		else if (strcmp(value, "close") == 0)
			*(enum route_backend_down *)field = BACKEND_DOWN_CLOSE;
		else
			return (parse_err(p, p->p_line,
			    "on_backend_down: '%s' is not http or close",
			    value));
		break;
	case KT_COMPRESSION:
		if (strcmp(value, "off") == 0)
			*(int *)field = 0;
		else if (strcmp(value, "deflate") == 0)
			*(int *)field = 1;
		else
			return (parse_err(p, p->p_line,
			    "compression: '%s' is not off or deflate", value));
		break;
	case KT_WINDOW_BITS:
		s = value;
		/* zlib cannot deflate with 8 bits (RFC 7692 allows it). */
		if (parse_uint(&s, &n) != VAL_OK || *s != '\0' || n < 9 ||
		    n > 15)
			return (parse_err(p, p->p_line,
			    "%s: '%s' is not a number from 9 to 15", k->k_name,
			    value));
		*(unsigned int *)field = (unsigned int)n;
		break;
	case KT_BACKEND:
		return (parse_backend(p, field, value));
	case KT_CIDRS:
		return (parse_cidrs(p, field, value));
	case KT_URL_PATH:
		return (parse_url_path(p, k, field, value));
	case KT_TOKEN_FROM:
		if (strcmp(value, "query") == 0)
			*(int *)field = 0;
		else if (strcmp(value, "path") == 0)
			*(int *)field = 1;
		else
			return (parse_err(p, p->p_line,
			    "token_from: '%s' is not query or path", value));
		break;
	case KT_ALLOW:
		if (allow_parse(value, field, err, sizeof(err)) == -1)
			return (parse_err(p, p->p_line, "allow_targets: %s",
			    err));
		break;
	case KT_TARGETS:
	case KT_PATH:
		if (*value == '\0')
			return (parse_err(p, p->p_line, "%s: name a file",
			    k->k_name));
		if ((*(char **)field = strdup(value)) == NULL)
			return (parse_err(p, p->p_line, "out of memory"));
		break;
	}
	return (1);
}

static const struct key *
key_find(const struct key *keys, size_t nkeys, const char *name)
{
	size_t	 i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].k_name, name) == 0)
			return (&keys[i]);
	return (NULL);
}

/*
 * Record in SET that key K of KEYS is set on this line.  Every key but
 * listen may be set once per section.
 */
static int
key_once(struct parse *p, const struct key *keys, const struct key *k,
    int *set)
{
	int	*line = &set[k - keys];

	if (k->k_type != KT_LISTEN && *line != 0)
		return (parse_err(p, p->p_line,
		    "duplicate key '%s' in %s (first at line %d)", k->k_name,
		    p->p_where, *line));
	*line = p->p_line;
	return (1);
}

static int
parse_server_key(struct parse *p, const char *name, const char *value)
{
	const struct key	*k;

	if ((k = key_find(server_keys, nitems(server_keys), name)) != NULL) {
		if (!key_once(p, server_keys, k, p->p_sset))
			return (0);
		return (parse_value(p, k, p->p_cf, value));
	}
	if ((k = key_find(route_keys, nitems(route_keys), name)) == NULL)
		return (parse_err(p, p->p_line, "unknown key '%s' in [server]",
		    name));
	if (k->k_type == KT_BACKEND || k->k_type == KT_SUBPROTOCOLS ||
	    k->k_type == KT_TARGETS || k->k_type == KT_ALLOW)
		return (parse_err(p, p->p_line,
		    "%s belongs in a [route] section", k->k_name));
	if (!key_once(p, route_keys, k, p->p_srvset))
		return (0);
	return (parse_value(p, k, &p->p_srv, value));
}

static int
parse_route_key(struct parse *p, const char *name, const char *value)
{
	const struct key	*k;

	if ((k = key_find(route_keys, nitems(route_keys), name)) == NULL)
		return (parse_err(p, p->p_line, "unknown key '%s' in %s", name,
		    p->p_where));
	if (!key_once(p, route_keys, k, p->p_rset[p->p_cur]))
		return (0);
	return (parse_value(p, k, &p->p_cf->cf_routes[p->p_cur], value));
}

/*
 * root: an existing directory.  It is kept as written, not resolved, so
 * that a symbolic link on its path is followed at each request: a new
 * release swapped in behind one needs no reload.
 */
static int
parse_static_key(struct parse *p, const char *name, const char *value)
{
	struct config		*cf = p->p_cf;
	struct static_dir	*sd = &cf->cf_statics[cf->cf_nstatics - 1];
	struct stat		 st;

	if (strcmp(name, "root") != 0)
		return (parse_err(p, p->p_line, "unknown key '%s' in %s", name,
		    p->p_where));
	if (p->p_rootset != 0)
		return (parse_err(p, p->p_line,
		    "duplicate key 'root' in %s (first at line %d)",
		    p->p_where, p->p_rootset));
	p->p_rootset = p->p_line;
	if (*value == '\0')
		return (parse_err(p, p->p_line, "root: name a directory"));
	if (stat(value, &st) == -1)
		return (parse_err(p, p->p_line, "root: %s: %s", value,
		    strerror(errno)));
	if (!S_ISDIR(st.st_mode))
		return (parse_err(p, p->p_line, "root: %s is not a directory",
		    value));
	if (access(value, X_OK) == -1)
		return (parse_err(p, p->p_line, "root: %s: %s", value,
		    strerror(errno)));
	if ((sd->sd_root = strdup(value)) == NULL)
		return (parse_err(p, p->p_line, "out of memory"));
	return (1);
}

/* Called by inih for each "key = value" line the reader lets through. */
static int
parse_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct parse	*p = arg;

	(void)section;	/* the reader tracks sections; inih sees no header */
	snprintf(p->p_key, sizeof(p->p_key), "%s", name);
	if (p->p_sec == SEC_SERVER)
		return (parse_server_key(p, name, value));
	if (p->p_sec == SEC_ROUTE)
		return (parse_route_key(p, name, value));
	if (p->p_sec == SEC_STATIC)
		return (parse_static_key(p, name, value));
	if (p->p_sec == SEC_NONE)
		return (parse_err(p, p->p_line, "'%s' before any section",
		    name));
	return (1);
}

static void
route_init(struct route *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->rt_framing = FRAMING_RAW;
	rt->rt_max_message_size = 1024 * 1024;
	rt->rt_buffer_size = 64 * 1024;
	rt->rt_ping_interval = 30 * 1000;
	rt->rt_ping_timeout = 30 * 1000;
	rt->rt_close_timeout = 5 * 1000;
	rt->rt_connect_timeout = 5 * 1000;
	rt->rt_send_timeout = 60 * 1000;
	rt->rt_on_backend_down = BACKEND_DOWN_HTTP;
	rt->rt_deflate_window_bits = 15;
	rt->rt_deflate_takeover = 1;
}

/* A header ends the section before it: check what only it can tell. */
static void
section_end(struct parse *p)
{
	struct route		*rt;
	struct static_dir	*sd;

	if (p->p_sec == SEC_ROUTE && p->p_rset[p->p_cur][RK_BACKEND] == 0 &&
	    p->p_rset[p->p_cur][RK_TARGETS] == 0) {
		rt = &p->p_cf->cf_routes[p->p_cur];
		parse_err(p, rt->rt_line, "missing backend in %s", p->p_where);
	}
	if (p->p_sec == SEC_STATIC && p->p_rootset == 0) {
		sd = &p->p_cf->cf_statics[p->p_cf->cf_nstatics - 1];
		parse_err(p, sd->sd_line, "missing root in %s", p->p_where);
	}
	p->p_sec = SEC_SKIP;
	p->p_key[0] = '\0';
	free(p->p_where);
	p->p_where = NULL;
}

/*
 * "[route PATH]": PATH starts with '/'; a trailing '*' makes it a prefix.
 * A request path never holds blanks, '?' or '#', so a route with one could
 * never match.
 */
static void
section_route(struct parse *p, const char *spec)
{
	struct config	*cf = p->p_cf;
	struct route	*rt;
	int		(*set)[RK__COUNT];
	size_t		 len, plen, i;
	int		 prefix;

	len = strlen(spec);
	prefix = len > 0 && spec[len - 1] == '*';
	plen = prefix ? len - 1 : len;
	if (spec[0] != '/' || strcspn(spec, " \t\v\f?#*") < plen) {
		parse_err(p, p->p_line, "bad route path '%s': it starts with "
		    "'/', has no blanks, '?' or '#', and '*' only at the end",
		    spec);
		return;
	}
	for (i = 0; i < cf->cf_nroutes; i++) {
		rt = &cf->cf_routes[i];
		if (rt->rt_prefix == prefix && strlen(rt->rt_path) == plen &&
		    strncmp(rt->rt_path, spec, plen) == 0) {
			parse_err(p, p->p_line,
			    "duplicate [route %s] (first at line %d)", spec,
			    rt->rt_line);
			break;
		}
	}

	/* A duplicate still gets its keys checked. */
	if ((p->p_where = malloc(len + sizeof("[route ]"))) == NULL)
		goto nomem;
	snprintf(p->p_where, len + sizeof("[route ]"), "[route %s]", spec);
	rt = reallocarray(cf->cf_routes, cf->cf_nroutes + 1, sizeof(*rt));
	if (rt == NULL)
		goto nomem;
	cf->cf_routes = rt;
	set = reallocarray(p->p_rset, cf->cf_nroutes + 1, sizeof(*set));
	if (set == NULL)
		goto nomem;
	p->p_rset = set;
	rt = &cf->cf_routes[cf->cf_nroutes];
	route_init(rt);
	if ((rt->rt_path = strndup(spec, plen)) == NULL)
		goto nomem;
	rt->rt_prefix = prefix;
	rt->rt_line = p->p_line;
	memset(p->p_rset[cf->cf_nroutes], 0, sizeof(*set));
	p->p_cur = cf->cf_nroutes++;
	p->p_sec = SEC_ROUTE;
	return;

 nomem:
	parse_err(p, p->p_line, "out of memory");
}

/*
 * "/", or "/" and names, as in "/docs/v1": libwebsockets matches such a
 * path against request paths after it has removed "//", "." and "..".
 */
static int
static_path_valid(const char *s)
{
	size_t	 len;

	if (strcmp(s, "/") == 0)
		return (1);
	if (*s == '\0')
		return (0);
	while (*s == '/') {
		s++;
		len = strcspn(s, "/");
		if (len == 0 || strncmp(s, ".", len) == 0 ||
		    strncmp(s, "..", len) == 0 ||
		    strcspn(s, " \t\v\f?#*") < len)
			return (0);
		s += len;
	}
	return (*s == '\0');
}

/* "[static PATH]": files for PATH and below. */
static void
section_static(struct parse *p, const char *spec)
{
	struct config		*cf = p->p_cf;
	struct static_dir	*sd;
	size_t			 i;

	if (!static_path_valid(spec)) {
		parse_err(p, p->p_line, "bad static path '%s': it is / or "
		    "like /docs/v1 (no blanks, '?', '#' or '*'; no empty, "
		    "'.' or '..' names; no '/' at the end)", spec);
		return;
	}
	for (i = 0; i < cf->cf_nstatics; i++)
		if (strcmp(cf->cf_statics[i].sd_path, spec) == 0) {
			parse_err(p, p->p_line,
			    "duplicate [static %s] (first at line %d)", spec,
			    cf->cf_statics[i].sd_line);
			break;
		}

	/* A duplicate still gets its keys checked. */
	if ((p->p_where = malloc(strlen(spec) + sizeof("[static ]"))) ==
	    NULL)
		goto nomem;
	snprintf(p->p_where, strlen(spec) + sizeof("[static ]"),
	    "[static %s]", spec);
	sd = reallocarray(cf->cf_statics, cf->cf_nstatics + 1, sizeof(*sd));
	if (sd == NULL)
		goto nomem;
	cf->cf_statics = sd;
	sd = &cf->cf_statics[cf->cf_nstatics];
	memset(sd, 0, sizeof(*sd));
	if ((sd->sd_path = strdup(spec)) == NULL)
		goto nomem;
	sd->sd_line = p->p_line;
	cf->cf_nstatics++;
	p->p_rootset = 0;
	p->p_sec = SEC_STATIC;
	return;

 nomem:
	parse_err(p, p->p_line, "out of memory");
}

/* S is a header line with blanks and comments stripped. */
static void
section_start(struct parse *p, char *s)
{
	char	*end, *name;

	section_end(p);
	if ((end = strchr(s, ']')) == NULL) {
		parse_err(p, p->p_line, "missing ']' in section header");
		return;
	}
	for (name = end + 1; isspace((unsigned char)*name); name++)
		;
	if (*name != '\0') {
		parse_err(p, p->p_line, "unexpected '%s' after ']'", name);
		return;
	}
	do
		*end = '\0';
	while (--end > s && isspace((unsigned char)*end));
	for (name = s + 1; isspace((unsigned char)*name); name++)
		;

	if (strcmp(name, "server") == 0) {
		if ((p->p_where = strdup("[server]")) == NULL)
			parse_err(p, p->p_line, "out of memory");
		else
			p->p_sec = SEC_SERVER;
	} else if (strncmp(name, "route", 5) == 0 &&
	    (name[5] == '\0' || isspace((unsigned char)name[5]))) {
		for (name += 5; isspace((unsigned char)*name); name++)
			;
		section_route(p, name);
	} else if (strncmp(name, "static", 6) == 0 &&
	    (name[6] == '\0' || isspace((unsigned char)name[6]))) {
		for (name += 6; isspace((unsigned char)*name); name++)
			;
		section_static(p, name);
	} else
		parse_err(p, p->p_line, "unknown section [%s]", name);
}

/* The next physical line without its '\n'; NULL at the end. */
static const char *
parse_next_line(struct parse *p, size_t *lenp)
{
	const char	*line;
	ssize_t		 n;

	if (p->p_fp != NULL) {
		if ((n = getline(&p->p_buf, &p->p_bufsz, p->p_fp)) == -1) {
			if (ferror(p->p_fp))
				parse_err(p, 0, "read error: %s",
				    strerror(errno));
			return (NULL);
		}
		line = p->p_buf;
		*lenp = (size_t)n;
	} else {
		if (*p->p_text == '\0')
			return (NULL);
		line = p->p_text;
		*lenp = strcspn(line, "\n");
		p->p_text += *lenp;
		if (*p->p_text == '\n')
			p->p_text++;
	}
	if (*lenp > 0 && line[*lenp - 1] == '\n')
		(*lenp)--;
	return (line);
}

/*
 * The ini_reader: read physical lines, count them, deal with everything but
 * "key = value" lines itself, and hand those to inih one at a time, without
 * leading blanks, so inih never takes one for a continuation line.  inih
 * calls the handler right after this returns, so p_line is the key's line.
 * Like inih, ';' or '#' starts a comment line and " ;" an inline comment.
 */
static char *
parse_reader(char *buf, int size, void *arg)
{
	struct parse	*p = arg;
	const char	*line, *c;
	char		*s, *e;
	size_t		 len;
	int		 indented;

	while ((line = parse_next_line(p, &len)) != NULL) {
		p->p_line++;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (p->p_line == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		/* A comment may be longer than inih's buffer. */
		for (c = line; c < line + len && isspace((unsigned char)*c);
		    c++)
			;
		if (c == line + len || *c == ';' || *c == '#')
			continue;
		if (memchr(line, '\0', len) != NULL) {
			parse_err(p, p->p_line, "NUL byte in line");
			continue;
		}
		/* inih's buffer must hold the line, a '\n' and the NUL. */
		if (len + 2 > (size_t)size) {
			parse_err(p, p->p_line,
			    "line is longer than %d characters", size - 2);
			continue;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';

		indented = isspace((unsigned char)buf[0]);
		for (s = buf; isspace((unsigned char)*s); s++)
			;
		for (e = s + 1; *e != '\0'; e++)
			if (*e == ';' && isspace((unsigned char)e[-1]))
				break;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		*e = '\0';

		/*
		 * Indented after a key, inih would pass the line on as more
		 * of that key's value; no value here spans lines.
		 */
		if (indented && p->p_key[0] != '\0') {
			if (p->p_sec != SEC_SKIP)
				parse_err(p, p->p_line, "line continues the "
				    "value of '%s'; remove the indentation",
				    p->p_key);
			continue;
		}
		if (*s == '[') {
			section_start(p, s);
			continue;
		}
		if (strpbrk(s, "=:") == NULL) {
			parse_err(p, p->p_line,
			    "expected 'key = value' or '[section]'");
			continue;
		}
		len = (size_t)(e - s);
		memmove(buf, s, len);
		buf[len] = '\n';
		buf[len + 1] = '\0';
		return (buf);
	}
	return (NULL);
}

/* Longest path first, exact before prefix: route_match() relies on it. */
static int
route_cmp(const void *a, const void *b)
{
	const struct route	*ra = a, *rb = b;
	size_t			 la, lb;

	la = strlen(ra->rt_path);
	lb = strlen(rb->rt_path);
	if (la != lb)
		return (la > lb ? -1 : 1);
	if (ra->rt_prefix != rb->rt_prefix)
		return (ra->rt_prefix - rb->rt_prefix);
	return (strcmp(ra->rt_path, rb->rt_path));
}

/*
 * A TLS listener needs a certificate and its key; tls.c reads and checks
 * the files themselves, outside this pure parser.
 */
static void
server_tls_finish(struct parse *p)
{
	struct config	*cf = p->p_cf;
	size_t		 i;

	cf->cf_tls_cert_line = p->p_sset[SK_TLS_CERT];
	cf->cf_tls_key_line = p->p_sset[SK_TLS_KEY];
	cf->cf_tls_ca_line = p->p_sset[SK_TLS_CA];
	if (cf->cf_tls_cert != NULL && cf->cf_tls_key == NULL)
		parse_err(p, cf->cf_tls_cert_line,
		    "tls_cert: tls_key is missing in [server]");
	if (cf->cf_tls_key != NULL && cf->cf_tls_cert == NULL)
		parse_err(p, cf->cf_tls_key_line,
		    "tls_key: tls_cert is missing in [server]");
	if (cf->cf_tls_ca != NULL && cf->cf_tls_cert == NULL)
		parse_err(p, cf->cf_tls_ca_line,
		    "tls_ca: tls_cert is missing in [server]");
	if (cf->cf_tls_cert != NULL && cf->cf_tls_key != NULL)
		return;
	for (i = 0; i < cf->cf_nlisten; i++)
		if (cf->cf_listen[i].la_tls)
			parse_err(p, cf->cf_listen[i].la_line, "listen: a tls "
			    "listener needs tls_cert and tls_key in [server]");
}

/*
 * Checks that need the whole file: [server] may come after the routes it
 * gives defaults to.
 */
/*
 * A seqpacket backend has its own framing; lines are text unless the
 * configuration says otherwise (the websocketd model).
 */
static void
route_framing_finish(struct parse *p, struct route *rt, const int *set)
{
	if (rt->rt_seqpacket) {
		if (set[RK_FRAMING] != 0)
			parse_err(p, set[RK_FRAMING], "framing does not apply "
			    "to a seqpacket: backend");
		rt->rt_framing = FRAMING_SEQPACKET;
	}
	if (rt->rt_framing == FRAMING_LINES && set[RK_TEXT] == 0 &&
	    p->p_srvset[RK_TEXT] == 0)
		rt->rt_text = 1;
}

/*
 * targets = FILE: the map is read now, its errors named by its own
 * FILE:LINE; it needs allow_targets, so that a writable token file
 * cannot send wsgated anywhere.
 */
static void
route_targets_finish(struct parse *p, struct route *rt, const int *set)
{
	if (set[RK_TARGETS] == 0) {
		if (set[RK_ALLOW_TARGETS] != 0)
			parse_err(p, set[RK_ALLOW_TARGETS], "allow_targets "
			    "applies to a route with targets");
		return;
	}
	if (set[RK_BACKEND] != 0)
		parse_err(p, set[RK_BACKEND], "backend and targets exclude "
		    "each other in [route %s%s]", rt->rt_path,
		    rt->rt_prefix ? "*" : "");
	if (set[RK_ALLOW_TARGETS] == 0)
		parse_err(p, set[RK_TARGETS], "targets needs allow_targets "
		    "(e.g. allow_targets = 127.0.0.0/8 [::1])");
	if (rt->rt_token_from_path && !rt->rt_prefix)
		parse_err(p, set[RK_TOKEN_FROM] != 0 ? set[RK_TOKEN_FROM] :
		    p->p_srvset[RK_TOKEN_FROM], "token_from = path needs a "
		    "prefix route, such as [route %s/*]", rt->rt_path);
	if (rt->rt_backend_owner != NULL)
		parse_err(p, set[RK_TARGETS], "backend_owner does not apply "
		    "to targets");
	if (rt->rt_targets == NULL)
		return;		/* "targets =" has had its error */
	/* A map that is not there is this key's error, with its line. */
	if (access(rt->rt_targets, R_OK) == -1)
		parse_err(p, set[RK_TARGETS], "targets: %s: %s", rt->rt_targets,
		    strerror(errno));
	else
		p->p_nerr += tokenmap_load(rt->rt_targets, &rt->rt_tokenmap,
		    p->p_errs);
	/* Logs and metrics name the map. */
	if (rt->rt_backend == NULL && (rt->rt_backend = strdup(
	    rt->rt_targets)) == NULL)
		parse_err(p, 0, "out of memory");
}

/* Make the string defaults a route took from [server] its own. */
static char *
route_own(struct parse *p, char *s)
{
	char	*copy;

	if (s == NULL)
		return (NULL);
	if ((copy = strdup(s)) == NULL)
		parse_err(p, 0, "out of memory");
	return (copy);
}

static void
route_access_finish(struct parse *p, struct route *rt, const int *set)
{
	if (set[RK_ORIGINS] == 0)
		rt->rt_origins = route_own(p, rt->rt_origins);
	if (set[RK_TOKEN_SECRET_FILE] == 0)
		rt->rt_token_secret = route_own(p, rt->rt_token_secret);
	if (set[RK_BACKEND_OWNER] == 0) {
		rt->rt_backend_owner = route_own(p, rt->rt_backend_owner);
		rt->rt_backend_uid = p->p_srv.rt_backend_uid;
	}
	/* SO_PEERCRED names the peer of a UNIX socket only. */
	if (rt->rt_target.tg_family != TARGET_UNIX &&
	    rt->rt_backend_owner != NULL)
		parse_err(p, set[RK_BACKEND_OWNER] != 0 ?
		    set[RK_BACKEND_OWNER] : p->p_srvset[RK_BACKEND_OWNER],
		    "backend_owner applies to unix: backends, not tcp:");
	if (rt->rt_auth_token && rt->rt_token_secret == NULL)
		parse_err(p, set[RK_AUTH] != 0 ? set[RK_AUTH] :
		    p->p_srvset[RK_AUTH], "auth = token needs "
		    "token_secret_file in [route %s%s] or [server]",
		    rt->rt_path, rt->rt_prefix ? "*" : "");
}

static void
route_free(struct route *rt)
{
	free(rt->rt_path);
	free(rt->rt_backend);
	free(rt->rt_subprotocols);
	free(rt->rt_origins);
	free(rt->rt_backend_owner);
	free(rt->rt_targets);
	tokenmap_free(&rt->rt_tokenmap);
	allow_free(&rt->rt_allow);
	if (rt->rt_token_secret != NULL) {
		explicit_bzero(rt->rt_token_secret,
		    strlen(rt->rt_token_secret));
		free(rt->rt_token_secret);
	}
}

/*
 * libwebsockets answers a request for exactly PATH of a [static PATH]
 * other than "/" with a redirect to PATH/, WebSocket upgrades included,
 * before any route is looked up: an exact route for PATH would get
 * nothing.  A prefix route loses only that one path.
 */
static void
static_finish(struct parse *p)
{
	struct config		*cf = p->p_cf;
	struct static_dir	*sd;
	struct route		*rt;
	size_t			 i, j;

	for (i = 0; i < cf->cf_nstatics; i++) {
		sd = &cf->cf_statics[i];
		if (strcmp(sd->sd_path, "/") == 0)
			continue;
		for (j = 0; j < cf->cf_nroutes; j++) {
			rt = &cf->cf_routes[j];
			if (!rt->rt_prefix &&
			    strcmp(rt->rt_path, sd->sd_path) == 0)
				parse_err(p, sd->sd_line, "[static %s] answers "
				    "%s with a redirect to %s/: [route %s] "
				    "would never get a request", sd->sd_path,
				    sd->sd_path, sd->sd_path, rt->rt_path);
		}
	}
}

static void
parse_finish(struct parse *p)
{
	struct config	*cf = p->p_cf;
	struct route	*rt;
	const struct key *k;
	size_t		 i;
	int		*set, line;

	section_end(p);
	for (i = 0; i < cf->cf_nroutes; i++) {
		rt = &cf->cf_routes[i];
		set = p->p_rset[i];
		for (k = route_keys; k < route_keys + nitems(route_keys); k++)
			if (set[k - route_keys] == 0 &&
			    p->p_srvset[k - route_keys] != 0)
				memcpy((char *)rt + k->k_off,
				    (char *)&p->p_srv + k->k_off, k->k_size);
		route_access_finish(p, rt, set);
		/* The length framing carries sizes in 32 bits. */
		if (rt->rt_max_message_size > 0xffffffffUL)
			parse_err(p, set[RK_MAX_MESSAGE_SIZE] != 0 ?
			    set[RK_MAX_MESSAGE_SIZE] :
			    p->p_srvset[RK_MAX_MESSAGE_SIZE],
			    "max_message_size: at most 4294967295 bytes");
		route_framing_finish(p, rt, set);
		route_targets_finish(p, rt, set);
		if (rt->rt_ping_interval > 0 && rt->rt_ping_timeout == 0) {
			line = set[RK_PING_TIMEOUT] != 0 ?
			    set[RK_PING_TIMEOUT] : p->p_srvset[RK_PING_TIMEOUT];
			parse_err(p, line, "ping_timeout: must be more than 0 "
			    "while [route %s%s] sends pings", rt->rt_path,
			    rt->rt_prefix ? "*" : "");
		}
	}
	if (cf->cf_nlisten == 0)
		parse_err(p, 0, "no listen address in [server]");
	/* libwebsockets keeps the request head's size in 16 bits. */
	if (cf->cf_max_header_size > 65535)
		parse_err(p, p->p_sset[SK_MAX_HEADER_SIZE],
		    "max_header_size: at most 65535 bytes");
	server_tls_finish(p);
	if (cf->cf_shutdown_timeout > 0 &&
	    cf->cf_drain_spread >= cf->cf_shutdown_timeout)
		parse_err(p, p->p_sset[SK_DRAIN_SPREAD], "drain_spread: must "
		    "be less than shutdown_timeout, which counts from the "
		    "same moment");
	for (i = 0; i < cf->cf_nlisten; i++)
		if (cf->cf_listen[i].la_proxy && cf->cf_ntrusted == 0)
			parse_err(p, cf->cf_listen[i].la_line, "listen: a proxy "
			    "listener needs trusted_proxies in [server]");
	if (p->p_nerr == 0 && cf->cf_nroutes > 0)
		qsort(cf->cf_routes, cf->cf_nroutes, sizeof(*cf->cf_routes),
		    route_cmp);
	static_finish(p);
}

static int
parse_run(struct parse *p, struct config **out)
{
	struct config	*cf;

	*out = NULL;
	if ((cf = calloc(1, sizeof(*cf))) == NULL ||
	    (cf->cf_file = strdup(p->p_file)) == NULL) {
		free(cf);
		parse_err(p, 0, "out of memory");
		return (p->p_nerr);
	}
	cf->cf_handshake_timeout = 10 * 1000;
	cf->cf_max_header_size = 4096;
	cf->cf_shutdown_timeout = 10 * 1000;
	cf->cf_log_level = LOG_LEVEL_INFO;
	route_init(&p->p_srv);
	p->p_cf = cf;

	/* Only a heap-buffer build of inih fails by itself: malloc(). */
	if (ini_parse_stream(parse_reader, p, parse_handler, p) < 0)
		parse_err(p, 0, "out of memory");
	parse_finish(p);
	free(p->p_rset);
	route_free(&p->p_srv);
	if (p->p_nerr > 0) {
		config_free(cf);
		return (p->p_nerr);
	}
	*out = cf;
	return (0);
}

int
config_parse_string(const char *name, const char *text, struct config **out,
    FILE *errs)
{
	struct parse	 p;

	memset(&p, 0, sizeof(p));
	p.p_file = name;
	p.p_errs = errs;
	p.p_text = text;
	return (parse_run(&p, out));
}

int
config_load(const char *file, struct config **out, FILE *errs)
{
	struct parse	 p;
	int		 nerr;

	memset(&p, 0, sizeof(p));
	p.p_file = file;
	p.p_errs = errs;
	if ((p.p_fp = fopen(file, "r")) == NULL) {
		*out = NULL;
		parse_err(&p, 0, "cannot open: %s", strerror(errno));
		return (p.p_nerr);
	}
	nerr = parse_run(&p, out);
	fclose(p.p_fp);
	free(p.p_buf);
	return (nerr);
}

void
config_free(struct config *cf)
{
	size_t	 i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->cf_nlisten; i++)
		free(cf->cf_listen[i].la_host);
	free(cf->cf_listen);
	for (i = 0; i < cf->cf_nroutes; i++)
		route_free(&cf->cf_routes[i]);
	free(cf->cf_routes);
	for (i = 0; i < cf->cf_nstatics; i++) {
		free(cf->cf_statics[i].sd_path);
		free(cf->cf_statics[i].sd_root);
	}
	free(cf->cf_statics);
	free(cf->cf_tls_cert);
	free(cf->cf_tls_key);
	free(cf->cf_tls_ca);
	free(cf->cf_metrics.la_host);
	free(cf->cf_health_path);
	free(cf->cf_trusted);
	free(cf->cf_file);
	free(cf);
}
