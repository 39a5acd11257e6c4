/*
 * check_config.c: config.c from INI text to struct config, and every error
 * as the exact "FILE:LINE: message" text wsgated -t prints.
 */
#include <check.h>
#include <stdint.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "check_suites.h"
#include "config.h"

/* TEST_DATA, the path of tests/unit/data, comes from Makefile.am. */

/* A valid [server] of two lines, and a valid route on lines 3-4. */
#define SERVER		"[server]\nlisten = 127.0.0.1:8080\n"
#define ROUTE_A		"[route /a]\nbackend = unix:/run/a.sock\n"
/* A directory, a file and nothing, for [static] roots. */
#define DIR		TEST_DATA
#define FILE_NOT_DIR	TEST_DATA "/full.ini"
#define NO_SUCH		TEST_DATA "/no-such-dir"
#define BAD_STATIC	": it is / or like /docs/v1 (no blanks, '?', '#' or " \
	"'*'; no empty, '.' or '..' names; no '/' at the end)\n"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Parse TEXT as "t.ini": the error count, with the messages in *MSGS. */
static int
parse(const char *text, struct config **cf, char **msgs)
{
	FILE	*errs;
	size_t	 len;
	int	 n;

	errs = open_memstream(msgs, &len);
	ck_assert_ptr_nonnull(errs);
	n = config_parse_string("t.ini", text, cf, errs);
	fclose(errs);
	return (n);
}

static struct config *
parse_ok(const char *text)
{
	struct config	*cf;
	char		*msgs;
	int		 n;

	n = parse(text, &cf, &msgs);
	ck_assert_str_eq(msgs, "");
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_nonnull(cf);
	free(msgs);
	return (cf);
}

static void
parse_fails(const char *text, int nerr, const char *expect)
{
	struct config	*cf;
	char		*msgs;
	int		 n;

	n = parse(text, &cf, &msgs);
	ck_assert_str_eq(msgs, expect);
	ck_assert_int_eq(n, nerr);
	ck_assert_ptr_null(cf);
	free(msgs);
}

static void
check_route_defaults(const struct route *rt)
{
	ck_assert_int_eq(rt->rt_seqpacket, 0);
	ck_assert_int_eq(rt->rt_framing, FRAMING_RAW);
	ck_assert_int_eq(rt->rt_metadata, METADATA_NONE);
	ck_assert_ptr_null(rt->rt_subprotocols);
	ck_assert_int_eq(rt->rt_text, 0);
	ck_assert_uint_eq(rt->rt_max_message_size, 1024 * 1024);
	ck_assert_uint_eq(rt->rt_buffer_size, 64 * 1024);
	ck_assert_uint_eq(rt->rt_idle_timeout, 0);
	ck_assert_uint_eq(rt->rt_ping_interval, 30000);
	ck_assert_uint_eq(rt->rt_ping_timeout, 30000);
	ck_assert_uint_eq(rt->rt_close_timeout, 5000);
	ck_assert_uint_eq(rt->rt_send_timeout, 60000);
	ck_assert_int_eq(rt->rt_on_backend_down, BACKEND_DOWN_HTTP);
	ck_assert_uint_eq(rt->rt_max_connections, 0);
	ck_assert_uint_eq(rt->rt_sessions, 0);
	ck_assert_int_eq(rt->rt_deflate, 0);
	ck_assert_uint_eq(rt->rt_deflate_window_bits, 15);
	ck_assert_int_eq(rt->rt_deflate_takeover, 1);
}

START_TEST(test_minimal)
{
	struct config	*cf;
	struct route	*rt;

	cf = parse_ok("[server]\n"
	    "listen = 127.0.0.1:8080\n"
	    "\n"
	    "[route /echo]\n"
	    "backend = unix:/run/echo/echo.sock\n");
	ck_assert_str_eq(cf->cf_file, "t.ini");
	ck_assert_uint_eq(cf->cf_nlisten, 1);
	ck_assert_str_eq(cf->cf_listen[0].la_host, "127.0.0.1");
	ck_assert_int_eq(cf->cf_listen[0].la_port, 8080);
	ck_assert_int_eq(cf->cf_listen[0].la_line, 2);
	ck_assert_uint_eq(cf->cf_max_connections, 0);
	ck_assert_uint_eq(cf->cf_handshake_timeout, 10000);
	ck_assert_uint_eq(cf->cf_shutdown_timeout, 10000);
	ck_assert_uint_eq(cf->cf_nroutes, 1);
	rt = &cf->cf_routes[0];
	ck_assert_str_eq(rt->rt_path, "/echo");
	ck_assert_int_eq(rt->rt_prefix, 0);
	ck_assert_str_eq(rt->rt_backend, "/run/echo/echo.sock");
	ck_assert_int_eq(rt->rt_line, 4);
	check_route_defaults(rt);
	config_free(cf);
}
END_TEST

START_TEST(test_every_key)
{
	struct config	*cf;
	struct route	*rt;

	cf = parse_ok("[server]\n"
	    "listen = 0.0.0.0:80\n"
	    "listen = [::1]:8080\n"
	    "max_connections = 1000\n"
	    "handshake_timeout = 2500ms\n"
	    "shutdown_timeout = 1m\n"
	    "[route /api/*]\n"
	    "backend = unix:/run/api.sock\n"
	    "framing = raw\n"
	    "text = yes\n"
	    "max_message_size = 64k\n"
	    "buffer_size = 1k\n"
	    "idle_timeout = 1h\n"
	    "ping_interval = 0\n"
	    "ping_timeout = 0\n"
	    "close_timeout = 250ms\n"
	    "send_timeout = 0\n"
	    "on_backend_down = close\n"
	    "max_connections = 7\n"
	    "metadata = json\n"
	    "subprotocols = chat v2.chat\n"
	    "compression = deflate\n"
	    "compression_window_bits = 9\n"
	    "compression_context_takeover = no\n");
	ck_assert_uint_eq(cf->cf_nlisten, 2);
	ck_assert_str_eq(cf->cf_listen[0].la_host, "0.0.0.0");
	ck_assert_int_eq(cf->cf_listen[0].la_port, 80);
	ck_assert_str_eq(cf->cf_listen[1].la_host, "::1");
	ck_assert_int_eq(cf->cf_listen[1].la_port, 8080);
	ck_assert_int_eq(cf->cf_listen[1].la_line, 3);
	ck_assert_uint_eq(cf->cf_max_connections, 1000);
	ck_assert_uint_eq(cf->cf_handshake_timeout, 2500);
	ck_assert_uint_eq(cf->cf_shutdown_timeout, 60000);
	rt = &cf->cf_routes[0];
	ck_assert_str_eq(rt->rt_path, "/api/");
	ck_assert_int_eq(rt->rt_prefix, 1);
	ck_assert_str_eq(rt->rt_backend, "/run/api.sock");
	ck_assert_int_eq(rt->rt_framing, FRAMING_RAW);
	ck_assert_int_eq(rt->rt_text, 1);
	ck_assert_uint_eq(rt->rt_max_message_size, 65536);
	ck_assert_uint_eq(rt->rt_buffer_size, 1024);
	ck_assert_uint_eq(rt->rt_idle_timeout, 3600000);
	ck_assert_uint_eq(rt->rt_ping_interval, 0);
	ck_assert_uint_eq(rt->rt_ping_timeout, 0);
	ck_assert_uint_eq(rt->rt_close_timeout, 250);
	ck_assert_uint_eq(rt->rt_send_timeout, 0);
	ck_assert_int_eq(rt->rt_on_backend_down, BACKEND_DOWN_CLOSE);
	ck_assert_uint_eq(rt->rt_max_connections, 7);
	ck_assert_int_eq(rt->rt_metadata, METADATA_JSON);
	ck_assert_str_eq(rt->rt_subprotocols, "chat v2.chat");
	ck_assert_int_eq(rt->rt_deflate, 1);
	ck_assert_uint_eq(rt->rt_deflate_window_bits, 9);
	ck_assert_int_eq(rt->rt_deflate_takeover, 0);
	ck_assert_int_eq(rt->rt_line, 7);
	config_free(cf);
}
END_TEST

/* Every boolean spelling, both ways. */
static const struct {
	const char	*value;
	int		 text;
} bools[] = {
	{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 },
	{ "no", 0 }, { "false", 0 }, { "off", 0 }, { "0", 0 },
};

/* tcp: backends, resolved once at load; connect_timeout. */
START_TEST(test_tcp_backend)
{
	static const unsigned char	 lo4[4] = { 127, 0, 0, 1 };
	static const unsigned char	 lo6[16] = { [15] = 1 };
	struct config	*cf;
	struct route	*rt;

	cf = parse_ok(SERVER "connect_timeout = 2s\n"
	    "[route /v4]\nbackend = tcp:127.0.0.1:5901\n"
	    "[route /v6]\nbackend = tcp:[::1]:1\nconnect_timeout = 250ms\n"
	    "[route /name]\nbackend = tcp:localhost:65535\n"
	    "[route /unix]\nbackend = unix:/run/a.sock\n");
	rt = route_match(cf, "/v4");
	ck_assert_int_eq(rt->rt_target.tg_family, TARGET_INET);
	ck_assert_mem_eq(rt->rt_target.tg_addr, lo4, 4);
	ck_assert_uint_eq(rt->rt_target.tg_port, 5901);
	ck_assert_str_eq(rt->rt_backend, "127.0.0.1:5901");
	ck_assert_uint_eq(rt->rt_connect_timeout, 2000);
	rt = route_match(cf, "/v6");
	ck_assert_int_eq(rt->rt_target.tg_family, TARGET_INET6);
	ck_assert_mem_eq(rt->rt_target.tg_addr, lo6, 16);
	ck_assert_uint_eq(rt->rt_target.tg_port, 1);
	ck_assert_uint_eq(rt->rt_connect_timeout, 250);
	rt = route_match(cf, "/name");
	ck_assert_int_ne(rt->rt_target.tg_family, TARGET_UNIX);
	ck_assert_uint_eq(rt->rt_target.tg_port, 65535);
	ck_assert_str_eq(rt->rt_backend, "localhost:65535");
	rt = route_match(cf, "/unix");
	ck_assert_int_eq(rt->rt_target.tg_family, TARGET_UNIX);
	ck_assert_str_eq(rt->rt_target.tg_path, "/run/a.sock");
	ck_assert_str_eq(rt->rt_backend, "/run/a.sock");
	config_free(cf);
	cf = parse_ok(SERVER ROUTE_A);
	ck_assert_uint_eq(cf->cf_routes[0].rt_connect_timeout, 5000);
	config_free(cf);
}
END_TEST

/* A token route: its map is loaded with the configuration. */
START_TEST(test_targets)
{
	struct config	*cf;
	struct route	*rt;

	cf = parse_ok(SERVER "token_from = path\n"
	    "[route /websockify/*]\ntargets = " DIR "/tokens\n"
	    "allow_targets = 127.0.0.0/8 [::1] unix:/run/vnc/*\n");
	rt = route_match(cf, "/websockify/alice");
	ck_assert_ptr_nonnull(rt);
	ck_assert_str_eq(rt->rt_targets, DIR "/tokens");
	ck_assert_str_eq(rt->rt_backend, DIR "/tokens");
	ck_assert_int_eq(rt->rt_token_from_path, 1);
	ck_assert_uint_eq(rt->rt_tokenmap.tm_n, 3);
	ck_assert_ptr_nonnull(tokenmap_lookup(&rt->rt_tokenmap, "bob"));
	ck_assert_uint_eq(rt->rt_allow.al_n, 3);
	config_free(cf);
}
END_TEST

START_TEST(test_bool)
{
	struct config	*cf;
	char		 text[128];

	snprintf(text, sizeof(text), SERVER ROUTE_A "text = %s\n",
	    bools[_i].value);
	cf = parse_ok(text);
	ck_assert_int_eq(cf->cf_routes[0].rt_text, bools[_i].text);
	config_free(cf);
}
END_TEST

/* The [server] defaults reach the routes wherever [server] stands. */
static const char *const server_defaults[] = {
	"[server]\n"
	"listen = 127.0.0.1:8080\n"
	"max_connections = 50\n"
	"idle_timeout = 10m\n"
	"text = on\n"
	"ping_interval = 5s\n"
	"on_backend_down = close\n"
	"[route /a]\n"
	"backend = unix:/run/a.sock\n"
	"[route /b]\n"
	"backend = unix:/run/b.sock\n"
	"idle_timeout = 20s\n"
	"max_connections = 3\n",

	"[route /a]\n"
	"backend = unix:/run/a.sock\n"
	"[route /b]\n"
	"backend = unix:/run/b.sock\n"
	"idle_timeout = 20s\n"
	"max_connections = 3\n"
	"[server]\n"
	"listen = 127.0.0.1:8080\n"
	"max_connections = 50\n"
	"idle_timeout = 10m\n"
	"text = on\n"
	"ping_interval = 5s\n"
	"on_backend_down = close\n",
};

START_TEST(test_server_defaults)
{
	struct config	*cf;
	struct route	*a, *b;

	cf = parse_ok(server_defaults[_i]);
	ck_assert_uint_eq(cf->cf_nroutes, 2);
	a = &cf->cf_routes[0];
	b = &cf->cf_routes[1];
	ck_assert_str_eq(a->rt_path, "/a");
	ck_assert_str_eq(b->rt_path, "/b");
	ck_assert_uint_eq(cf->cf_max_connections, 50);

	ck_assert_uint_eq(a->rt_idle_timeout, 600000);
	ck_assert_int_eq(a->rt_text, 1);
	ck_assert_uint_eq(a->rt_ping_interval, 5000);
	ck_assert_int_eq(a->rt_on_backend_down, BACKEND_DOWN_CLOSE);
	/* The global limit is no default for the route limit. */
	ck_assert_uint_eq(a->rt_max_connections, 0);
	ck_assert_uint_eq(a->rt_close_timeout, 5000);

	/* A route's own value wins. */
	ck_assert_uint_eq(b->rt_idle_timeout, 20000);
	ck_assert_uint_eq(b->rt_max_connections, 3);
	ck_assert_int_eq(b->rt_text, 1);
	config_free(cf);
}
END_TEST

/*
 * Framing, and what it does to text: lines are text (the websocketd
 * model) unless text is set, in the route or in [server]; a seqpacket
 * backend brings its own framing, whatever [server] says.
 */
static const struct {
	const char	*text;
	int		 seqpacket;
	enum route_framing framing;
	int		 is_text;
} framings[] = {
	{ SERVER ROUTE_A, 0, FRAMING_RAW, 0 },
	{ SERVER ROUTE_A "framing = raw\n", 0, FRAMING_RAW, 0 },
	{ SERVER ROUTE_A "framing = lines\n", 0, FRAMING_LINES, 1 },
	{ SERVER ROUTE_A "framing = length\n", 0, FRAMING_LENGTH, 0 },
	{ SERVER ROUTE_A "framing = lines\ntext = no\n", 0, FRAMING_LINES, 0 },
	{ SERVER ROUTE_A "text = off\nframing = lines\n", 0, FRAMING_LINES,
	    0 },
	{ SERVER ROUTE_A "framing = lines\ntext = yes\n", 0, FRAMING_LINES,
	    1 },
	{ SERVER "text = no\n" ROUTE_A "framing = lines\n", 0,
	    FRAMING_LINES, 0 },
	{ ROUTE_A "framing = lines\n" SERVER "text = no\n", 0,
	    FRAMING_LINES, 0 },
	{ SERVER "framing = lines\n" ROUTE_A, 0, FRAMING_LINES, 1 },
	{ SERVER "framing = lines\n" ROUTE_A "framing = raw\n", 0,
	    FRAMING_RAW, 0 },
	{ SERVER "framing = length\ntext = yes\n" ROUTE_A, 0, FRAMING_LENGTH,
	    1 },
	{ SERVER "[route /a]\nbackend = seqpacket:/run/a.sock\n", 1,
	    FRAMING_SEQPACKET, 0 },
	{ SERVER "framing = length\n[route /a]\n"
	    "backend = seqpacket:/run/a.sock\n", 1, FRAMING_SEQPACKET, 0 },
	{ SERVER "framing = lines\n[route /a]\n"
	    "backend = seqpacket:/run/a.sock\n", 1, FRAMING_SEQPACKET, 0 },
	{ SERVER "[route /a]\nbackend = seqpacket:/run/a.sock\ntext = yes\n",
	    1, FRAMING_SEQPACKET, 1 },
};

START_TEST(test_framing)
{
	struct config	*cf;
	struct route	*rt;

	cf = parse_ok(framings[_i].text);
	rt = &cf->cf_routes[0];
	/* The scheme is not part of the path. */
	ck_assert_str_eq(rt->rt_backend, "/run/a.sock");
	ck_assert_int_eq(rt->rt_seqpacket, framings[_i].seqpacket);
	ck_assert_int_eq(rt->rt_framing, framings[_i].framing);
	ck_assert_int_eq(rt->rt_text, framings[_i].is_text);
	config_free(cf);
}
END_TEST

/* Two routes, one each way: the rule is per route. */
START_TEST(test_framing_per_route)
{
	struct config	*cf;

	cf = parse_ok(SERVER "framing = lines\n"
	    "[route /s]\nbackend = seqpacket:/s\n"
	    "[route /u]\nbackend = unix:/u\n");
	ck_assert_str_eq(cf->cf_routes[0].rt_path, "/s");
	ck_assert_int_eq(cf->cf_routes[0].rt_framing, FRAMING_SEQPACKET);
	ck_assert_int_eq(cf->cf_routes[0].rt_seqpacket, 1);
	ck_assert_int_eq(cf->cf_routes[1].rt_framing, FRAMING_LINES);
	ck_assert_int_eq(cf->cf_routes[1].rt_seqpacket, 0);
	ck_assert_int_eq(cf->cf_routes[1].rt_text, 1);
	config_free(cf);
}
END_TEST

static const struct {
	const char	*value;
	enum route_metadata md;
} metadatas[] = {
	{ "none", METADATA_NONE },
	{ "proxy-v2", METADATA_PROXY_V2 },
	{ "json", METADATA_JSON },
};

START_TEST(test_metadata)
{
	struct config	*cf;
	char		 text[256];

	snprintf(text, sizeof(text), SERVER ROUTE_A "metadata = %s\n",
	    metadatas[_i].value);
	cf = parse_ok(text);
	ck_assert_int_eq(cf->cf_routes[0].rt_metadata, metadatas[_i].md);
	config_free(cf);

	/* As a [server] default; a route's own value wins. */
	snprintf(text, sizeof(text), SERVER "metadata = %s\n" ROUTE_A
	    "[route /b]\nbackend = unix:/b\nmetadata = none\n",
	    metadatas[_i].value);
	cf = parse_ok(text);
	ck_assert_str_eq(cf->cf_routes[0].rt_path, "/a");
	ck_assert_int_eq(cf->cf_routes[0].rt_metadata, metadatas[_i].md);
	ck_assert_int_eq(cf->cf_routes[1].rt_metadata, METADATA_NONE);
	config_free(cf);
}
END_TEST

/* Blanks of any kind and number become one; every tchar is allowed. */
static const struct {
	const char	*value;
	const char	*list;
} subprotocols[] = {
	{ "chat", "chat" },
	{ "a b c", "a b c" },
	{ "a   b\t\tc", "a b c" },
	{ "\ta \t b", "a b" },
	{ "v1.json v2.json", "v1.json v2.json" },
	{ "x!#$%&'*+-.^_`|~0Z", "x!#$%&'*+-.^_`|~0Z" },
	{ "chat ; a comment", "chat" },
};

START_TEST(test_subprotocols)
{
	struct config	*cf;
	char		 text[256];

	snprintf(text, sizeof(text), SERVER ROUTE_A "subprotocols = %s\n",
	    subprotocols[_i].value);
	cf = parse_ok(text);
	ck_assert_str_eq(cf->cf_routes[0].rt_subprotocols,
	    subprotocols[_i].list);
	config_free(cf);
}
END_TEST

/* The keys behind a balancer: listener flags, ranges, health, drain. */
START_TEST(test_balancer)
{
	struct config	*cf;

	cf = parse_ok("[server]\nlisten = 127.0.0.1:8080 proxy\n"
	    "listen = [::]:8443 tls proxy\nlisten = 127.0.0.1:8081 proxy tls\n"
	    "listen = 127.0.0.1:8082\ntls_cert = /c\ntls_key = /k\n"
	    "trusted_proxies = 10.1.2.3/8 2001:db8::/32  192.0.2.7\n"
	    "health_path = /healthz\ndrain_delay = 2s\ndrain_spread = 3s\n"
	    "shutdown_timeout = 10s\n");
	ck_assert_int_eq(cf->cf_listen[0].la_proxy, 1);
	ck_assert_int_eq(cf->cf_listen[0].la_tls, 0);
	ck_assert_int_eq(cf->cf_listen[1].la_proxy, 1);
	ck_assert_int_eq(cf->cf_listen[1].la_tls, 1);
	ck_assert_int_eq(cf->cf_listen[2].la_proxy, 1);
	ck_assert_int_eq(cf->cf_listen[2].la_tls, 1);
	ck_assert_int_eq(cf->cf_listen[3].la_proxy, 0);
	ck_assert_uint_eq(cf->cf_ntrusted, 3);
	ck_assert_int_eq(cf->cf_trusted[0].c_family, 4);
	ck_assert_uint_eq(cf->cf_trusted[0].c_bits, 8);
	ck_assert_uint_eq(cf->cf_trusted[0].c_addr[1], 0);	/* host bits */
	ck_assert_int_eq(cf->cf_trusted[1].c_family, 6);
	ck_assert_uint_eq(cf->cf_trusted[1].c_bits, 32);
	ck_assert_uint_eq(cf->cf_trusted[2].c_bits, 32);
	ck_assert_str_eq(cf->cf_health_path, "/healthz");
	ck_assert_uint_eq(cf->cf_drain_delay, 2000);
	ck_assert_uint_eq(cf->cf_drain_spread, 3000);
	config_free(cf);
	/* Defaults: no health check, no delay, no spread, nothing trusted. */
	cf = parse_ok(SERVER);
	ck_assert_ptr_null(cf->cf_health_path);
	ck_assert_uint_eq(cf->cf_drain_delay, 0);
	ck_assert_uint_eq(cf->cf_drain_spread, 0);
	ck_assert_uint_eq(cf->cf_ntrusted, 0);
	config_free(cf);
}
END_TEST

START_TEST(test_route_order)
{
	struct config	*cf;
	static const char *const paths[] = {
		"/api/v1/", "/api/v1", "/api/", "/api/", "/ws", "/", "/",
	};
	static const int prefix[] = { 1, 0, 0, 1, 0, 0, 1 };
	size_t		 i;

	cf = parse_ok(SERVER
	    "[route /*]\nbackend = unix:/1\n"
	    "[route /api/*]\nbackend = unix:/2\n"
	    "[route /ws]\nbackend = unix:/3\n"
	    "[route /]\nbackend = unix:/4\n"
	    "[route /api/v1/*]\nbackend = unix:/5\n"
	    "[route /api/]\nbackend = unix:/6\n"
	    "[route /api/v1]\nbackend = unix:/7\n");
	ck_assert_uint_eq(cf->cf_nroutes, 7);
	for (i = 0; i < cf->cf_nroutes; i++) {
		ck_assert_str_eq(cf->cf_routes[i].rt_path, paths[i]);
		ck_assert_int_eq(cf->cf_routes[i].rt_prefix, prefix[i]);
	}
	config_free(cf);
}
END_TEST

START_TEST(test_lexical)
{
	struct config	*cf;
	char		 text[512];
	int		 n;

	/* A BOM, CRLF, comments, ':' for '=', blanks in brackets. */
	cf = parse_ok("\xef\xbb\xbf; wsgate\r\n"
	    "# also a comment\r\n"
	    "[ server ] ; inline\r\n"
	    "\tlisten: 127.0.0.1:8080 ; inline\r\n"
	    "\r\n"
	    "[route\t/a;b]\r\n"
	    "backend = unix:/run/a;b.sock\r\n"
	    "   ; an indented comment is no continuation\r\n");
	ck_assert_str_eq(cf->cf_listen[0].la_host, "127.0.0.1");
	ck_assert_str_eq(cf->cf_routes[0].rt_path, "/a;b");
	ck_assert_str_eq(cf->cf_routes[0].rt_backend, "/run/a;b.sock");
	ck_assert_int_eq(cf->cf_routes[0].rt_line, 6);
	config_free(cf);

	/* A BOM before a header. */
	cf = parse_ok("\xef\xbb\xbf[server]\nlisten = 127.0.0.1:1\n");
	ck_assert_int_eq(cf->cf_listen[0].la_port, 1);
	config_free(cf);

	/* No last newline. */
	cf = parse_ok(SERVER "[route /a]\nbackend = unix:/a");
	ck_assert_str_eq(cf->cf_routes[0].rt_backend, "/a");
	config_free(cf);

	/* More than inih's 50 characters of section name. */
	n = snprintf(text, sizeof(text), SERVER "[route /%0150d]\n"
	    "backend = unix:/a\n", 0);
	ck_assert_int_lt(n, (int)sizeof(text));
	cf = parse_ok(text);
	ck_assert_uint_eq(strlen(cf->cf_routes[0].rt_path), 151);
	config_free(cf);

	/* Two [server] sections are one. */
	cf = parse_ok("[server]\nlisten = 127.0.0.1:1\n" ROUTE_A
	    "[server]\nlisten = 127.0.0.1:2\nmax_connections = 9\n");
	ck_assert_uint_eq(cf->cf_nlisten, 2);
	ck_assert_uint_eq(cf->cf_max_connections, 9);
	config_free(cf);

	/* An exact and a prefix route may share a path. */
	cf = parse_ok(SERVER ROUTE_A "[route /a*]\nbackend = unix:/b\n");
	ck_assert_uint_eq(cf->cf_nroutes, 2);
	config_free(cf);

	/* No route at all is valid: every request gets 404. */
	cf = parse_ok(SERVER);
	ck_assert_uint_eq(cf->cf_nroutes, 0);
	ck_assert_ptr_null(cf->cf_routes);
	config_free(cf);
}
END_TEST

START_TEST(test_long_lines)
{
	struct config	*cf;
	char		 text[2048], want[256];
	char		 backend[108 + 1];

	/* The longest UNIX socket path fits; one byte more does not. */
	memset(backend, 'b', sizeof(backend) - 1);
	backend[0] = '/';
	backend[107] = '\0';
	snprintf(text, sizeof(text), SERVER "[route /a]\nbackend = unix:%s\n",
	    backend);
	cf = parse_ok(text);
	ck_assert_uint_eq(strlen(cf->cf_routes[0].rt_backend), 107);
	config_free(cf);
	backend[107] = 'b';
	backend[108] = '\0';
	snprintf(text, sizeof(text), SERVER "[route /a]\nbackend = unix:%s\n",
	    backend);
	parse_fails(text, 1, "t.ini:4: backend: the path has 108 bytes; "
	    "a UNIX socket path has at most 107\n");

	/* A line inih's buffer cannot hold is an error; counting goes on. */
	snprintf(text, sizeof(text), SERVER "foo = %0500d\nfoo = 1\n", 0);
	snprintf(want, sizeof(want), "t.ini:3: line is longer than %d "
	    "characters\nt.ini:4: unknown key 'foo' in [server]\n",
	    INI_MAX_LINE - 2);
	parse_fails(text, 2, want);

	/* But a comment may be longer. */
	snprintf(text, sizeof(text), SERVER "  ; %0500d\n# %0500d\n", 0, 0);
	config_free(parse_ok(text));
}
END_TEST

/* Inputs that fail, with exactly what wsgated -t prints for them. */
static const struct {
	const char	*text;
	int		 nerr;
	const char	*msgs;
} errors[] = {
	{ "", 1, "t.ini: no listen address in [server]\n" },
	{ ROUTE_A, 1, "t.ini: no listen address in [server]\n" },
	{ "listen = 127.0.0.1:1\n" SERVER, 1,
	    "t.ini:1: 'listen' before any section\n" },
	{ SERVER "[tls]\ncert = x\n  key = y\n", 1,
	    "t.ini:3: unknown section [tls]\n" },
	{ SERVER "[Server]\n", 1, "t.ini:3: unknown section [Server]\n" },
	{ SERVER "[route/a]\n", 1, "t.ini:3: unknown section [route/a]\n" },
	{ SERVER "[route /a\nbackend = unix:/a\n", 1,
	    "t.ini:3: missing ']' in section header\n" },
	{ SERVER "[route /a] x\nbackend = unix:/a\n", 1,
	    "t.ini:3: unexpected 'x' after ']'\n" },
	{ SERVER "[route]\n", 1, "t.ini:3: bad route path '': it starts "
	    "with '/', has no blanks, '?' or '#', and '*' only at the end\n" },
	{ SERVER "[route api]\n", 1, "t.ini:3: bad route path 'api': it "
	    "starts with '/', has no blanks, '?' or '#', and '*' only at "
	    "the end\n" },
	{ SERVER "[route /a*b]\n", 1, "t.ini:3: bad route path '/a*b': it "
	    "starts with '/', has no blanks, '?' or '#', and '*' only at "
	    "the end\n" },
	{ SERVER "[route /a b]\n", 1, "t.ini:3: bad route path '/a b': it "
	    "starts with '/', has no blanks, '?' or '#', and '*' only at "
	    "the end\n" },
	{ SERVER "[route /a?x=1]\n", 1, "t.ini:3: bad route path '/a?x=1': "
	    "it starts with '/', has no blanks, '?' or '#', and '*' only at "
	    "the end\n" },
	{ SERVER ROUTE_A "[route /a]\nbackend = unix:/b\n", 1,
	    "t.ini:5: duplicate [route /a] (first at line 3)\n" },
	{ SERVER "[route /a/*]\nbackend = unix:/a\n\n"
	    "[route /a/*]\nbackend = unix:/b\n", 1,
	    "t.ini:6: duplicate [route /a/*] (first at line 3)\n" },
	{ SERVER "foo = 1\n", 1, "t.ini:3: unknown key 'foo' in [server]\n" },
	{ SERVER "log_level = loud\n", 1,
	    "t.ini:3: log_level: 'loud' is not error, warn, info or debug\n" },
	{ SERVER "metrics_listen = localhost:9090\n", 1,
	    "t.ini:3: metrics_listen: 'localhost:9090' is not IPV4:PORT, "
	    "[IPV6]:PORT or unix:/PATH\n" },
	{ SERVER ROUTE_A "foo = 1\n", 1,
	    "t.ini:5: unknown key 'foo' in [route /a]\n" },
	{ SERVER "[route /p/*]\nbackend = unix:/a\nBackend = unix:/a\n", 1,
	    "t.ini:5: unknown key 'Backend' in [route /p/*]\n" },
	{ SERVER "= 1\n", 1, "t.ini:3: unknown key '' in [server]\n" },
	{ SERVER ROUTE_A "backend = unix:/b\n", 1,
	    "t.ini:5: duplicate key 'backend' in [route /a] "
	    "(first at line 4)\n" },
	{ SERVER "shutdown_timeout = 1s\n" ROUTE_A "[server]\n"
	    "shutdown_timeout = 2s\n", 1, "t.ini:7: duplicate key "
	    "'shutdown_timeout' in [server] (first at line 3)\n" },
	{ SERVER "text = no\n\n\ntext = no\n", 1, "t.ini:6: duplicate key "
	    "'text' in [server] (first at line 3)\n" },
	{ SERVER "[route /a]\n", 1,
	    "t.ini:3: missing backend in [route /a]\n" },
	{ SERVER "[route /a]\ntext = yes\n[route /b]\n", 2,
	    "t.ini:3: missing backend in [route /a]\n"
	    "t.ini:5: missing backend in [route /b]\n" },
	{ SERVER "backend = unix:/a\n", 1,
	    "t.ini:3: backend belongs in a [route] section\n" },
	{ SERVER "backend = seqpacket:/a\n", 1,
	    "t.ini:3: backend belongs in a [route] section\n" },
	{ SERVER "nonsense\n", 1,
	    "t.ini:3: expected 'key = value' or '[section]'\n" },
	{ SERVER "foo ; = 1\n", 1,
	    "t.ini:3: expected 'key = value' or '[section]'\n" },
	{ SERVER ROUTE_A "  framing = raw\n", 1, "t.ini:5: line continues "
	    "the value of 'backend'; remove the indentation\n" },
	{ SERVER ROUTE_A "\n  framing = raw\n", 1, "t.ini:6: line continues "
	    "the value of 'backend'; remove the indentation\n" },

	{ "[server]\nlisten = 127.0.0.1:8443 tls\n", 1,
	    "t.ini:2: listen: a tls listener needs tls_cert and tls_key in "
	    "[server]\n" },
	{ SERVER "tls_cert = /c.pem\n", 1,
	    "t.ini:3: tls_cert: tls_key is missing in [server]\n" },
	{ SERVER "tls_key = /k.pem\ntls_ca = /ca.pem\n", 2,
	    "t.ini:3: tls_key: tls_cert is missing in [server]\n"
	    "t.ini:4: tls_ca: tls_cert is missing in [server]\n" },
	{ SERVER "tls_cert =\n", 1, "t.ini:3: tls_cert: name a file\n" },
	{ SERVER "listen = 127.0.0.1:8080 tls\n", 1, "t.ini:3: listen: "
	    "'127.0.0.1:8080 tls' already at line 2\n" },
	{ SERVER "listen = 127.0.0.1:81 tls tls\n", 1,
	    "t.ini:3: listen: unexpected 'tls' after the address (flags: "
	    "tls, proxy)\n" },
	{ SERVER "listen = 127.0.0.1:81 ssl\n", 1,
	    "t.ini:3: listen: unexpected 'ssl' after the address (flags: "
	    "tls, proxy)\n" },
	{ SERVER "trusted_proxies = ::1\nlisten = 127.0.0.1:81 proxy proxy\n",
	    1, "t.ini:4: listen: unexpected 'proxy' after the address "
	    "(flags: tls, proxy)\n" },
	{ SERVER "listen = 127.0.0.1:81 proxy\n", 1,
	    "t.ini:3: listen: a proxy listener needs trusted_proxies in "
	    "[server]\n" },
	{ SERVER "trusted_proxies = 10.0.0.0/8 10.0.0.0/33 ::1/129\n", 1,
	    "t.ini:3: trusted_proxies: '10.0.0.0/33' is not ADDRESS or "
	    "ADDRESS/BITS\n" },
	{ SERVER "trusted_proxies = ::1/129\n", 1,
	    "t.ini:3: trusted_proxies: '::1/129' is not ADDRESS or "
	    "ADDRESS/BITS\n" },
	{ SERVER "trusted_proxies = 10.0.0.0/\n", 1,
	    "t.ini:3: trusted_proxies: '10.0.0.0/' is not ADDRESS or "
	    "ADDRESS/BITS\n" },
	{ SERVER "trusted_proxies = 10.0.0.0/+8\n", 1,
	    "t.ini:3: trusted_proxies: '10.0.0.0/+8' is not ADDRESS or "
	    "ADDRESS/BITS\n" },
	{ SERVER "trusted_proxies = lb.example\n", 1,
	    "t.ini:3: trusted_proxies: 'lb.example' is not ADDRESS or "
	    "ADDRESS/BITS\n" },
	{ SERVER "trusted_proxies =\n", 1,
	    "t.ini:3: trusted_proxies: name at least one address range\n" },
	{ SERVER "health_path = healthz\n", 1,
	    "t.ini:3: health_path: 'healthz' is not a request path such as "
	    "/healthz\n" },
	{ SERVER "health_path = /health?x\n", 1,
	    "t.ini:3: health_path: '/health?x' is not a request path such "
	    "as /healthz\n" },
	{ SERVER "drain_delay = 5\n", 1,
	    "t.ini:3: drain_delay: '5' needs a unit (ms, s, m, h)\n" },
	{ SERVER "drain_spread = 10s\n", 1,
	    "t.ini:3: drain_spread: must be less than shutdown_timeout, "
	    "which counts from the same moment\n" },
	{ SERVER "listen = localhost:80\n", 1, "t.ini:3: listen: 'localhost' "
	    "is not an IP address (no DNS lookups: use e.g. 127.0.0.1 or "
	    "[::1])\n" },
	{ SERVER "listen = *:80\n", 1, "t.ini:3: listen: '*' is not an IP "
	    "address (no DNS lookups: use e.g. 127.0.0.1 or [::1])\n" },
	{ SERVER "listen = 127.0.0.01:80\n", 1, "t.ini:3: listen: "
	    "'127.0.0.01' is not an IP address (no DNS lookups: use e.g. "
	    "127.0.0.1 or [::1])\n" },
	{ SERVER "listen = 256.0.0.1:80\n", 1, "t.ini:3: listen: "
	    "'256.0.0.1' is not an IP address (no DNS lookups: use e.g. "
	    "127.0.0.1 or [::1])\n" },
	{ SERVER "listen = 127.0.0.1\n", 1, "t.ini:3: listen: '127.0.0.1' "
	    "is not HOST:PORT or [IPV6]:PORT\n" },
	{ SERVER "listen = 8080\n", 1, "t.ini:3: listen: '8080' "
	    "is not HOST:PORT or [IPV6]:PORT\n" },
	{ SERVER "listen = :8080\n", 1, "t.ini:3: listen: ':8080' "
	    "is not HOST:PORT or [IPV6]:PORT\n" },
	{ SERVER "listen = [::1]8080\n", 1, "t.ini:3: listen: '[::1]8080' "
	    "is not HOST:PORT or [IPV6]:PORT\n" },
	{ SERVER "listen = [::1\n", 1, "t.ini:3: listen: '[::1' "
	    "is not HOST:PORT or [IPV6]:PORT\n" },
	{ SERVER "listen =\n", 1, "t.ini:3: listen: '' "
	    "is not HOST:PORT or [IPV6]:PORT\n" },
	{ SERVER "listen = 127.0.0.1:0\n", 1,
	    "t.ini:3: listen: port '0' is not from 1 to 65535\n" },
	{ SERVER "listen = 127.0.0.1:65536\n", 1,
	    "t.ini:3: listen: port '65536' is not from 1 to 65535\n" },
	{ SERVER "listen = 127.0.0.1:+80\n", 1,
	    "t.ini:3: listen: port '+80' is not from 1 to 65535\n" },
	{ SERVER "listen = [::1]:\n", 1,
	    "t.ini:3: listen: port '' is not from 1 to 65535\n" },
	{ SERVER "listen = ::1:8080\n", 1, "t.ini:3: listen: '::1:8080': an "
	    "IPv6 address goes in brackets, as in [::1]:8080\n" },
	{ SERVER "listen = [::g]:80\n", 1,
	    "t.ini:3: listen: '::g' is not an IPv6 address\n" },
	{ SERVER "listen = [1:2:3:4:5:6:7:8:9]:80\n", 1,
	    "t.ini:3: listen: '1:2:3:4:5:6:7:8:9' is not an IPv6 address\n" },
	{ SERVER "listen = [1:2:3:4:5:6:7]:80\n", 1,
	    "t.ini:3: listen: '1:2:3:4:5:6:7' is not an IPv6 address\n" },
	{ SERVER "listen = [1::2::3]:80\n", 1,
	    "t.ini:3: listen: '1::2::3' is not an IPv6 address\n" },
	{ SERVER "listen = [:1]:80\n", 1,
	    "t.ini:3: listen: ':1' is not an IPv6 address\n" },
	{ SERVER "listen = [1:]:80\n", 1,
	    "t.ini:3: listen: '1:' is not an IPv6 address\n" },
	{ SERVER "listen = [12345::]:80\n", 1,
	    "t.ini:3: listen: '12345::' is not an IPv6 address\n" },
	{ SERVER "listen = [fe80::1%eth0]:80\n", 1,
	    "t.ini:3: listen: 'fe80::1%eth0' is not an IPv6 address\n" },
	{ SERVER "listen = [127.0.0.1]:80\n", 1,
	    "t.ini:3: listen: '127.0.0.1' is not an IPv6 address\n" },
	{ SERVER "listen = [::1.2.3]:80\n", 1,
	    "t.ini:3: listen: '::1.2.3' is not an IPv6 address\n" },
	{ SERVER "listen = []:80\n", 1,
	    "t.ini:3: listen: '' is not an IPv6 address\n" },
	{ SERVER "listen = 127.0.0.1:8080\n", 1,
	    "t.ini:3: listen: '127.0.0.1:8080' already at line 2\n" },

	{ SERVER "[route /a]\nbackend = /run/a.sock\n", 1,
	    "t.ini:4: backend: '/run/a.sock' is not unix:/ABSOLUTE/PATH, "
	    "seqpacket:/ABSOLUTE/PATH or tcp:HOST:PORT\n" },
	{ SERVER "[route /a]\nbackend = unix:run/a.sock\n", 1,
	    "t.ini:4: backend: 'unix:run/a.sock' is not "
	    "unix:/ABSOLUTE/PATH, seqpacket:/ABSOLUTE/PATH or tcp:HOST:PORT\n" },
	{ SERVER "[route /a]\nbackend = seqpacket:run/a.sock\n", 1,
	    "t.ini:4: backend: 'seqpacket:run/a.sock' is not "
	    "unix:/ABSOLUTE/PATH, seqpacket:/ABSOLUTE/PATH or tcp:HOST:PORT\n" },
	{ SERVER "[route /a]\nbackend = seqpacket:\n", 1,
	    "t.ini:4: backend: 'seqpacket:' is not "
	    "unix:/ABSOLUTE/PATH, seqpacket:/ABSOLUTE/PATH or tcp:HOST:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:127.0.0.1\n", 1,
	    "t.ini:4: backend: 'tcp:127.0.0.1' is not tcp:HOST:PORT or "
	    "tcp:[IPV6]:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:127.0.0.1:0\n", 1,
	    "t.ini:4: backend: 'tcp:127.0.0.1:0' is not tcp:HOST:PORT or "
	    "tcp:[IPV6]:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:127.0.0.1:65536\n", 1,
	    "t.ini:4: backend: 'tcp:127.0.0.1:65536' is not tcp:HOST:PORT or "
	    "tcp:[IPV6]:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:::1:80\n", 1,
	    "t.ini:4: backend: 'tcp:::1:80' is not tcp:HOST:PORT or "
	    "tcp:[IPV6]:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:[::1:80\n", 1,
	    "t.ini:4: backend: 'tcp:[::1:80' is not tcp:HOST:PORT or "
	    "tcp:[IPV6]:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:[127.0.0.1]:80\n", 1,
	    "t.ini:4: backend: 'tcp:[127.0.0.1]:80' is not tcp:HOST:PORT or "
	    "tcp:[IPV6]:PORT\n" },
	{ SERVER "[route /a]\nbackend = tcp:no-such-host.invalid:80\n", 1,
	    "t.ini:4: backend: cannot resolve 'no-such-host.invalid': "
	    "Name or service not known\n" },
	{ SERVER "[route /a]\nbackend = tcp:127.0.0.1:5901\n"
	    "backend_owner = root\n", 1,
	    "t.ini:5: backend_owner applies to unix: backends, not tcp:\n" },
	{ SERVER "[route /a]\nbackend = tcp:127.0.0.1:5901\n"
	    "connect_timeout = 0\n", 1,
	    "t.ini:5: connect_timeout: must be more than 0\n" },
	{ SERVER "[route /a]\ntargets = " DIR "/tokens\n", 1,
	    "t.ini:4: targets needs allow_targets (e.g. allow_targets = "
	    "127.0.0.0/8 [::1])\n" },
	{ SERVER "[route /a]\nbackend = unix:/a\ntargets = " DIR "/tokens\n"
	    "allow_targets = 127.0.0.0/8\n", 1,
	    "t.ini:4: backend and targets exclude each other in [route /a]\n" },
	{ SERVER "[route /a]\ntargets = " DIR "/tokens\n"
	    "allow_targets = 127.0.0.0/8\ntoken_from = path\n", 1,
	    "t.ini:6: token_from = path needs a prefix route, such as "
	    "[route /a/*]\n" },
	{ SERVER "[route /a]\ntargets = " DIR "/tokens\n"
	    "allow_targets = 127.0.0.0/33\n", 1,
	    "t.ini:5: allow_targets: '127.0.0.0/33' is not A.B.C.D[/N][:PORTS], "
	    "[V6][/N][:PORTS] or unix:/GLOB\n" },
	{ SERVER "[route /a]\ntargets = " DIR "/tokens\n"
	    "allow_targets = 127.0.0.0/8\ntoken_from = header\n", 1,
	    "t.ini:6: token_from: 'header' is not query or path\n" },
	{ SERVER ROUTE_A "allow_targets = 127.0.0.0/8\n", 1,
	    "t.ini:5: allow_targets applies to a route with targets\n" },
	{ SERVER "allow_targets = 127.0.0.0/8\n" ROUTE_A, 1,
	    "t.ini:3: allow_targets belongs in a [route] section\n" },
	{ SERVER "[route /a]\ntargets =\nallow_targets = 127.0.0.0/8\n", 1,
	    "t.ini:4: targets: name a file\n" },
	{ SERVER "[route /a]\ntargets = " DIR "/no-such\n"
	    "allow_targets = 127.0.0.0/8\n", 1,
	    "t.ini:4: targets: " DIR "/no-such: No such file or directory\n" },
	{ SERVER "[route /a]\ntargets = " DIR "/bad.map\n"
	    "allow_targets = 127.0.0.0/8\n", 2,
	    DIR "/bad.map:2: not 'token: target'\n"
	    DIR "/bad.map:3: 'example.com' is not an IP address (names are not "
	    "looked up in a token map)\n" },
	{ SERVER "[route /a]\nbackend = SEQPACKET:/a\n", 1,
	    "t.ini:4: backend: 'SEQPACKET:/a' is not "
	    "unix:/ABSOLUTE/PATH, seqpacket:/ABSOLUTE/PATH or tcp:HOST:PORT\n" },
	{ SERVER "[route /a]\nbackend = unix:/a\nbackend = seqpacket:/a\n", 1,
	    "t.ini:5: duplicate key 'backend' in [route /a] "
	    "(first at line 4)\n" },
	{ SERVER ROUTE_A "framing = RAW\n", 1,
	    "t.ini:5: framing: 'RAW' is not raw, lines or length\n" },
	/* seqpacket is a kind of backend, not a framing to choose. */
	{ SERVER ROUTE_A "framing = seqpacket\n", 1,
	    "t.ini:5: framing: 'seqpacket' is not raw, lines or length\n" },
	{ SERVER ROUTE_A "framing =\n", 1,
	    "t.ini:5: framing: '' is not raw, lines or length\n" },
	/* A seqpacket route has its own framing: the error is at framing. */
	{ SERVER "[route /s]\nbackend = seqpacket:/s\nframing = length\n", 1,
	    "t.ini:5: framing does not apply to a seqpacket: backend\n" },
	{ SERVER "[route /s]\nframing = raw\nbackend = seqpacket:/s\n", 1,
	    "t.ini:4: framing does not apply to a seqpacket: backend\n" },
	/* Reported once the file is read, after the errors of other lines. */
	{ SERVER "[route /s]\nframing = lines\nbackend = seqpacket:/s\n"
	    "text = maybe\n", 2,
	    "t.ini:6: text: 'maybe' is not yes or no\n"
	    "t.ini:4: framing does not apply to a seqpacket: backend\n" },
	{ SERVER ROUTE_A "metadata = PROXY-V2\n", 1,
	    "t.ini:5: metadata: 'PROXY-V2' is not none, proxy-v2 or json\n" },
	{ SERVER ROUTE_A "metadata = proxy\n", 1,
	    "t.ini:5: metadata: 'proxy' is not none, proxy-v2 or json\n" },
	{ SERVER "metadata = yaml\n", 1,
	    "t.ini:3: metadata: 'yaml' is not none, proxy-v2 or json\n" },
	{ SERVER ROUTE_A "metadata = json\nmetadata = none\n", 1,
	    "t.ini:6: duplicate key 'metadata' in [route /a] "
	    "(first at line 5)\n" },
	{ SERVER "subprotocols = chat\n", 1,
	    "t.ini:3: subprotocols belongs in a [route] section\n" },
	{ SERVER ROUTE_A "subprotocols =\n", 1,
	    "t.ini:5: subprotocols: name at least one protocol\n" },
	{ SERVER ROUTE_A "subprotocols = a,b\n", 1,
	    "t.ini:5: subprotocols: ',' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = a, b\n", 1,
	    "t.ini:5: subprotocols: ',' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = chat/1\n", 1,
	    "t.ini:5: subprotocols: '/' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = \"chat\"\n", 1,
	    "t.ini:5: subprotocols: '\"' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = a=b\n", 1,
	    "t.ini:5: subprotocols: '=' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = (x)\n", 1,
	    "t.ini:5: subprotocols: '(' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = a;b\n", 1,
	    "t.ini:5: subprotocols: ';' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = a\x01\n", 1,
	    "t.ini:5: subprotocols: '\x01' cannot be in a protocol name\n" },
	{ SERVER ROUTE_A "subprotocols = a\nsubprotocols = b\n", 1,
	    "t.ini:6: duplicate key 'subprotocols' in [route /a] "
	    "(first at line 5)\n" },
	{ SERVER ROUTE_A "text = maybe\n", 1,
	    "t.ini:5: text: 'maybe' is not yes or no\n" },
	{ SERVER ROUTE_A "on_backend_down = drop\n", 1,
	    "t.ini:5: on_backend_down: 'drop' is not http or close\n" },
	{ SERVER ROUTE_A "compression = gzip\n", 1,
	    "t.ini:5: compression: 'gzip' is not off or deflate\n" },
	{ SERVER ROUTE_A "compression = yes\n", 1,
	    "t.ini:5: compression: 'yes' is not off or deflate\n" },
	{ SERVER ROUTE_A "compression_window_bits = 8\n", 1,
	    "t.ini:5: compression_window_bits: '8' is not a number from 9 "
	    "to 15\n" },
	{ SERVER ROUTE_A "compression_window_bits = 16\n", 1,
	    "t.ini:5: compression_window_bits: '16' is not a number from 9 "
	    "to 15\n" },
	{ SERVER ROUTE_A "compression_window_bits = 12k\n", 1,
	    "t.ini:5: compression_window_bits: '12k' is not a number from 9 "
	    "to 15\n" },
	{ SERVER ROUTE_A "compression_context_takeover = sometimes\n", 1,
	    "t.ini:5: compression_context_takeover: 'sometimes' is not yes "
	    "or no\n" },
	{ SERVER ROUTE_A "max_message_size = 0\n", 1,
	    "t.ini:5: max_message_size: must be more than 0\n" },
	{ SERVER ROUTE_A "max_message_size = 1T\n", 1,
	    "t.ini:5: max_message_size: '1T' is not a size (a whole number "
	    "of bytes, or with k, M or G)\n" },
	{ SERVER ROUTE_A "buffer_size = 1023\n", 1,
	    "t.ini:5: buffer_size: '1023' is less than 1024 bytes\n" },
	{ SERVER ROUTE_A "buffer_size = 99999999999999999999k\n", 1,
	    "t.ini:5: buffer_size: '99999999999999999999k' is too large\n" },
	{ SERVER ROUTE_A "idle_timeout = 5\n", 1,
	    "t.ini:5: idle_timeout: '5' needs a unit (ms, s, m, h)\n" },
	{ SERVER ROUTE_A "idle_timeout = 1.5s\n", 1,
	    "t.ini:5: idle_timeout: '1.5s' is not a duration (a whole number "
	    "with ms, s, m or h)\n" },
	{ SERVER "handshake_timeout = 99999999999999999999h\n", 1,
	    "t.ini:3: handshake_timeout: '99999999999999999999h' is too "
	    "large\n" },
	{ SERVER "handshake_timeout = 0\n", 1,
	    "t.ini:3: handshake_timeout: must be more than 0\n" },
	{ SERVER "shutdown_timeout = -1s\n", 1,
	    "t.ini:3: shutdown_timeout: '-1s' is not a duration (a whole "
	    "number with ms, s, m or h)\n" },
	{ SERVER ROUTE_A "close_timeout = 0ms\n", 1,
	    "t.ini:5: close_timeout: must be more than 0\n" },
	{ SERVER "close_timeout = 0\n", 1,
	    "t.ini:3: close_timeout: must be more than 0\n" },
	{ SERVER "max_connections = -1\n", 1, "t.ini:3: max_connections: "
	    "'-1' is not a number from 0 to 4294967295\n" },
	{ SERVER ROUTE_A "max_connections = 4294967296\n", 1,
	    "t.ini:5: max_connections: '4294967296' is not a number from 0 "
	    "to 4294967295\n" },
	{ SERVER ROUTE_A "ping_timeout = 0\n", 1, "t.ini:5: ping_timeout: "
	    "must be more than 0 while [route /a] sends pings\n" },
	{ SERVER "ping_timeout = 0\n" ROUTE_A "[route /b/*]\n"
	    "backend = unix:/b\nping_interval = 0\n"
	    "[route /c]\nbackend = unix:/c\n", 2, "t.ini:3: ping_timeout: "
	    "must be more than 0 while [route /a] sends pings\n"
	    "t.ini:3: ping_timeout: "
	    "must be more than 0 while [route /c] sends pings\n" },

	{ SERVER "[static /]\n", 1, "t.ini:3: missing root in [static /]\n" },
	{ SERVER "[static /b]\n" ROUTE_A, 1,
	    "t.ini:3: missing root in [static /b]\n" },
	{ SERVER "[static /]\nroot =\n", 1,
	    "t.ini:4: root: name a directory\n" },
	{ SERVER "[static /]\nroot = " FILE_NOT_DIR "\n", 1,
	    "t.ini:4: root: " FILE_NOT_DIR " is not a directory\n" },
	{ SERVER "[static /]\nroot = " NO_SUCH "\n", 1,
	    "t.ini:4: root: " NO_SUCH ": No such file or directory\n" },
	{ SERVER "[static /]\nroot = " FILE_NOT_DIR "/x\n", 1,
	    "t.ini:4: root: " FILE_NOT_DIR "/x: Not a directory\n" },
	{ SERVER "[static /]\nroot = " DIR "\nroot = " DIR "\n", 1,
	    "t.ini:5: duplicate key 'root' in [static /] (first at line 4)\n" },
	{ SERVER "[static /]\nroot = " DIR "\nindex = a.html\n", 1,
	    "t.ini:5: unknown key 'index' in [static /]\n" },
	{ SERVER "[static /]\nbackend = unix:/a\nroot = " DIR "\n", 1,
	    "t.ini:4: unknown key 'backend' in [static /]\n" },
	{ SERVER "root = " DIR "\n", 1,
	    "t.ini:3: unknown key 'root' in [server]\n" },
	{ SERVER ROUTE_A "root = " DIR "\n", 1,
	    "t.ini:5: unknown key 'root' in [route /a]\n" },
	{ SERVER "[static /]\nroot = " DIR "\n[static /]\nroot = " DIR "\n",
	    1, "t.ini:5: duplicate [static /] (first at line 3)\n" },
	{ SERVER "[static /d]\nroot = " DIR "\n\n[static /d]\nfoo = 1\n", 3,
	    "t.ini:6: duplicate [static /d] (first at line 3)\n"
	    "t.ini:7: unknown key 'foo' in [static /d]\n"
	    "t.ini:6: missing root in [static /d]\n" },
	{ SERVER "[statics /]\n", 1, "t.ini:3: unknown section [statics /]\n" },
	{ SERVER "[static]\n", 1, "t.ini:3: bad static path ''" BAD_STATIC },
	{ SERVER "[static docs]\n", 1,
	    "t.ini:3: bad static path 'docs'" BAD_STATIC },
	{ SERVER "[static /docs/]\nroot = " DIR "\n", 1,
	    "t.ini:3: bad static path '/docs/'" BAD_STATIC },
	{ SERVER "[static /docs/*]\nroot = " DIR "\n", 1,
	    "t.ini:3: bad static path '/docs/*'" BAD_STATIC },
	{ SERVER "[static //]\n", 1,
	    "t.ini:3: bad static path '//'" BAD_STATIC },
	{ SERVER "[static /a//b]\n", 1,
	    "t.ini:3: bad static path '/a//b'" BAD_STATIC },
	{ SERVER "[static /a/./b]\n", 1,
	    "t.ini:3: bad static path '/a/./b'" BAD_STATIC },
	{ SERVER "[static /a/..]\n", 1,
	    "t.ini:3: bad static path '/a/..'" BAD_STATIC },
	{ SERVER "[static /a b]\n", 1,
	    "t.ini:3: bad static path '/a b'" BAD_STATIC },
	{ SERVER "[static /a?b]\n", 1,
	    "t.ini:3: bad static path '/a?b'" BAD_STATIC },
	/* lws redirects /docs to /docs/, upgrades included. */
	{ SERVER "[route /docs]\nbackend = unix:/a\n"
	    "[static /docs]\nroot = " DIR "\n", 1,
	    "t.ini:5: [static /docs] answers /docs with a redirect to /docs/: "
	    "[route /docs] would never get a request\n" },
};

START_TEST(test_static)
{
	struct config	*cf;

	cf = parse_ok(SERVER
	    "[static /]\nroot = " DIR "\n"
	    ROUTE_A
	    "[static /docs/v1]\nroot = " DIR "/\n"
	    "[ static   /x.y ]\nroot = .\n");
	ck_assert_uint_eq(cf->cf_nstatics, 3);
	ck_assert_str_eq(cf->cf_statics[0].sd_path, "/");
	ck_assert_str_eq(cf->cf_statics[0].sd_root, DIR);
	ck_assert_int_eq(cf->cf_statics[0].sd_line, 3);
	ck_assert_str_eq(cf->cf_statics[1].sd_path, "/docs/v1");
	ck_assert_str_eq(cf->cf_statics[1].sd_root, DIR "/");
	ck_assert_int_eq(cf->cf_statics[1].sd_line, 7);
	ck_assert_str_eq(cf->cf_statics[2].sd_path, "/x.y");
	ck_assert_str_eq(cf->cf_statics[2].sd_root, ".");
	ck_assert_uint_eq(cf->cf_nroutes, 1);
	config_free(cf);

	/*
	 * Routes below a static path, at "/", or prefix routes that lose
	 * only the static path itself to its redirect, are no conflict.
	 */
	cf = parse_ok(SERVER "[static /app]\nroot = " DIR "\n"
	    "[route /app/ws]\nbackend = unix:/a\n"
	    "[route /app/*]\nbackend = unix:/b\n"
	    "[route /a*]\nbackend = unix:/b\n"
	    "[static /]\nroot = " DIR "\n"
	    "[route /]\nbackend = unix:/c\n");
	ck_assert_uint_eq(cf->cf_nstatics, 2);
	config_free(cf);

	cf = parse_ok(SERVER);
	ck_assert_uint_eq(cf->cf_nstatics, 0);
	ck_assert_ptr_null(cf->cf_statics);
	config_free(cf);
}
END_TEST

START_TEST(test_errors)
{
	parse_fails(errors[_i].text, errors[_i].nerr, errors[_i].msgs);
}
END_TEST

/*
 * All errors in one pass, in order, each on its own line whatever comes
 * before it: comments, blank lines, a continuation, an ignored section.
 * A route's missing backend shows when its section ends.
 */
START_TEST(test_many_errors)
{
	parse_fails("; wsgate test\n"
	    "[server]\n"
	    "listen = 127.0.0.1:8080\n"
	    "listen = 127.0.0.1:8080\n"
	    "\n"
	    "# comment\n"
	    "[route /a]\n"
	    "backend = unix:/run/a.sock\n"
	    "    more\n"
	    "idle_timeout = 5\n"
	    "; comment\n"
	    "\n"
	    "[route /b]\n"
	    "text = maybe\n"
	    "[bogus]\n"
	    "key = ignored\n"
	    "    continued = ignored\n"
	    "[route /c]\n"
	    "backend = unix:/run/c.sock ; the c service\n"
	    "nope = 1 ; inline comment\n"
	    "  max_connections = 1\n"
	    "buffer_size = 1k\n"
	    "buffer_size = 2k\n", 9,
	    "t.ini:4: listen: '127.0.0.1:8080' already at line 3\n"
	    "t.ini:9: line continues the value of 'backend'; remove the "
	    "indentation\n"
	    "t.ini:10: idle_timeout: '5' needs a unit (ms, s, m, h)\n"
	    "t.ini:14: text: 'maybe' is not yes or no\n"
	    "t.ini:13: missing backend in [route /b]\n"
	    "t.ini:15: unknown section [bogus]\n"
	    "t.ini:20: unknown key 'nope' in [route /c]\n"
	    "t.ini:21: line continues the value of 'nope'; remove the "
	    "indentation\n"
	    "t.ini:23: duplicate key 'buffer_size' in [route /c] "
	    "(first at line 22)\n");
}
END_TEST

/* IPv6 literals in brackets, stored without them. */
static const struct {
	const char	*value;
	const char	*host;
	int		 port;
} listens[] = {
	{ "127.0.0.1:8080", "127.0.0.1", 8080 },
	{ "0.0.0.0:80", "0.0.0.0", 80 },
	{ "10.255.0.1:65535", "10.255.0.1", 65535 },
	{ "[::1]:8080", "::1", 8080 },
	{ "[::]:8080", "::", 8080 },
	{ "[2001:db8::1]:443", "2001:db8::1", 443 },
	{ "[fe80::]:1", "fe80::", 1 },
	{ "[1:2:3:4:5:6:7:8]:9", "1:2:3:4:5:6:7:8", 9 },
	{ "[1:2:3:4:5:6:7::]:9", "1:2:3:4:5:6:7::", 9 },
	{ "[::ffff:192.0.2.1]:80", "::ffff:192.0.2.1", 80 },
	{ "[1:2:3:4:5:6:1.2.3.4]:80", "1:2:3:4:5:6:1.2.3.4", 80 },
	{ "[ABCD:ef01::]:80", "ABCD:ef01::", 80 },
};

/* The TLS keys: parsed here, the files read and checked by tls.c. */
START_TEST(test_tls)
{
	struct config	*cf;

	cf = parse_ok("[server]\nlisten = 127.0.0.1:8443 tls\n"
	    "listen = [::1]:8080\ntls_cert = /etc/c.pem\n"
	    "tls_key = k.pem\ntls_ca = /etc/ca.pem\n");
	ck_assert_uint_eq(cf->cf_nlisten, 2);
	ck_assert_int_eq(cf->cf_listen[0].la_tls, 1);
	ck_assert_int_eq(cf->cf_listen[0].la_port, 8443);
	ck_assert_int_eq(cf->cf_listen[1].la_tls, 0);
	ck_assert_str_eq(cf->cf_tls_cert, "/etc/c.pem");
	ck_assert_str_eq(cf->cf_tls_key, "k.pem");
	ck_assert_str_eq(cf->cf_tls_ca, "/etc/ca.pem");
	ck_assert_int_eq(cf->cf_tls_cert_line, 4);
	ck_assert_int_eq(cf->cf_tls_key_line, 5);
	ck_assert_int_eq(cf->cf_tls_ca_line, 6);
	config_free(cf);

	cf = parse_ok(SERVER);
	ck_assert_int_eq(cf->cf_listen[0].la_tls, 0);
	ck_assert_ptr_null(cf->cf_tls_cert);
	ck_assert_ptr_null(cf->cf_tls_ca);
	ck_assert_int_eq(cf->cf_tls_cert_line, 0);
	config_free(cf);
}
END_TEST

START_TEST(test_listen)
{
	struct config	*cf;
	char		 text[128];

	snprintf(text, sizeof(text), "[server]\nlisten = %s\n",
	    listens[_i].value);
	cf = parse_ok(text);
	ck_assert_uint_eq(cf->cf_nlisten, 1);
	ck_assert_str_eq(cf->cf_listen[0].la_host, listens[_i].host);
	ck_assert_int_eq(cf->cf_listen[0].la_port, listens[_i].port);
	config_free(cf);
}
END_TEST

static const struct {
	const char	*s;
	int		 ok;
	uint64_t	 ms;
} durations[] = {
	{ "0", 1, 0 },
	{ "00", 1, 0 },
	{ "0s", 1, 0 },
	{ "250ms", 1, 250 },
	{ "5s", 1, 5000 },
	{ "2m", 1, 120000 },
	{ "1h", 1, 3600000 },
	{ "90m", 1, 5400000 },
	{ "18446744073709551615ms", 1, UINT64_MAX },
	{ "18446744073709552s", 0, 0 },
	{ "5", 0, 0 },
	{ "-1s", 0, 0 },
	{ "+1s", 0, 0 },
	{ "1.5s", 0, 0 },
	{ "s", 0, 0 },
	{ "", 0, 0 },
	{ "5S", 0, 0 },
	{ "5 s", 0, 0 },
	{ " 5s", 0, 0 },
	{ "5sec", 0, 0 },
	{ "1m30s", 0, 0 },
	{ "0x10s", 0, 0 },
	{ "99999999999999999999h", 0, 0 },
	{ "99999999999999999999", 0, 0 },
};

START_TEST(test_duration)
{
	uint64_t	 ms = 42;
	int		 rc;

	rc = config_parse_duration(durations[_i].s, &ms);
	ck_assert_msg(rc == (durations[_i].ok ? 0 : -1), "'%s': %d",
	    durations[_i].s, rc);
	ck_assert_uint_eq(ms, durations[_i].ok ? durations[_i].ms : 42);
}
END_TEST

static const struct {
	const char	*s;
	int		 ok;
	uint64_t	 bytes;
} sizes[] = {
	{ "0", 1, 0 },
	{ "512", 1, 512 },
	{ "64k", 1, 65536 },
	{ "64K", 1, 65536 },
	{ "1M", 1, 1048576 },
	{ "2G", 1, 2147483648ULL },
	{ "1T", 0, 0 },
	{ "k", 0, 0 },
	{ "-1", 0, 0 },
	{ "", 0, 0 },
	{ "1.5k", 0, 0 },
	{ "1m", 0, 0 },
	{ "1g", 0, 0 },
	{ "1 k", 0, 0 },
	{ "1kB", 0, 0 },
	{ "+1", 0, 0 },
	{ "99999999999999999999", 0, 0 },
	{ "17179869184G", 0, 0 },
};

START_TEST(test_size)
{
	size_t	 bytes = 42;
	int	 rc;

	rc = config_parse_size(sizes[_i].s, &bytes);
	ck_assert_msg(rc == (sizes[_i].ok ? 0 : -1), "'%s': %d", sizes[_i].s,
	    rc);
	ck_assert_uint_eq(bytes, sizes[_i].ok ? sizes[_i].bytes : 42);
}
END_TEST

START_TEST(test_load)
{
	struct config	*cf;
	FILE		*errs;
	char		*msgs;
	size_t		 len;
	int		 n;

	errs = open_memstream(&msgs, &len);
	n = config_load(TEST_DATA "/full.ini", &cf, errs);
	fclose(errs);
	ck_assert_str_eq(msgs, "");
	free(msgs);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(cf->cf_file, TEST_DATA "/full.ini");
	ck_assert_uint_eq(cf->cf_nlisten, 3);
	ck_assert_uint_eq(cf->cf_nroutes, 3);
	ck_assert_str_eq(cf->cf_routes[0].rt_path, "/chat/");
	ck_assert_int_eq(cf->cf_routes[0].rt_prefix, 1);
	ck_assert_uint_eq(cf->cf_routes[0].rt_max_message_size, 4096);
	ck_assert_uint_eq(cf->cf_routes[0].rt_idle_timeout, 300000);
	ck_assert_str_eq(cf->cf_routes[2].rt_path, "/");
	ck_assert_int_eq(cf->cf_routes[2].rt_prefix, 1);
	config_free(cf);

	errs = open_memstream(&msgs, &len);
	n = config_load(TEST_DATA "/errors.ini", &cf, errs);
	fclose(errs);
	ck_assert_str_eq(msgs,
	    TEST_DATA "/errors.ini:4: listen: 'localhost' is not an IP "
	    "address (no DNS lookups: use e.g. 127.0.0.1 or [::1])\n"
	    TEST_DATA "/errors.ini:9: line continues the value of "
	    "'text'; remove the indentation\n"
	    TEST_DATA "/errors.ini:7: missing backend in [route /a]\n"
	    TEST_DATA "/errors.ini:13: duplicate key 'idle_timeout' in "
	    "[route /b] (first at line 12)\n"
	    TEST_DATA "/errors.ini: no listen address in [server]\n");
	free(msgs);
	ck_assert_int_eq(n, 5);
	ck_assert_ptr_null(cf);

	errs = open_memstream(&msgs, &len);
	n = config_load(TEST_DATA "/missing.ini", &cf, errs);
	fclose(errs);
	ck_assert_str_eq(msgs, TEST_DATA "/missing.ini: cannot open: "
	    "No such file or directory\n");
	free(msgs);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_null(cf);

	config_free(NULL);
}
END_TEST

Suite *
config_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");
	tc = tcase_create("values");
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_tcp_backend);
	tcase_add_test(tc, test_targets);
	tcase_add_test(tc, test_every_key);
	tcase_add_loop_test(tc, test_bool, 0, nitems(bools));
	tcase_add_loop_test(tc, test_server_defaults, 0,
	    nitems(server_defaults));
	tcase_add_loop_test(tc, test_framing, 0, nitems(framings));
	tcase_add_test(tc, test_framing_per_route);
	tcase_add_loop_test(tc, test_metadata, 0, nitems(metadatas));
	tcase_add_loop_test(tc, test_subprotocols, 0, nitems(subprotocols));
	tcase_add_test(tc, test_route_order);
	tcase_add_test(tc, test_balancer);
	tcase_add_test(tc, test_lexical);
	tcase_add_loop_test(tc, test_listen, 0, nitems(listens));
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, nitems(errors));
	tcase_add_test(tc, test_many_errors);
	tcase_add_test(tc, test_long_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("units");
	tcase_add_loop_test(tc, test_duration, 0, nitems(durations));
	tcase_add_loop_test(tc, test_size, 0, nitems(sizes));
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_static);
	suite_add_tcase(s, tc);
	return (s);
}
