/*
 * check_handshake.c: RFC 6455 4.2.1: which opening handshakes are
 * refused, with which status, reason and Sec-WebSocket-Version header;
 * and that the variants the RFC allows are accepted.
 */
#include <string.h>

#include "check_suites.h"
#include "handshake.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* base64 of 16 bytes, of 15 and of 17. */
#define KEY	"dGhlIHNhbXBsZSBub25jZQ=="
#define KEY15	"eHh4eHh4eHh4eHh4eHh4"
#define KEY17	"eHh4eHh4eHh4eHh4eHh4eHg="

static const struct {
	const char		*name;
	struct handshake_req	 req;
	int			 status;	/* 0: accepted */
	const char		*reason;
	int			 version;	/* Sec-WebSocket-Version: 13 */
} cases[] = {
	/* Accepted. */
	{ "valid", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 0, NULL, 0 },
	{ "HTTP/1.2", { 1, "HTTP/1.2", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 0, NULL, 0 },
	{ "HTTP/2.0", { 1, "HTTP/2.0", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 0, NULL, 0 },
	{ "Connection list", { 1, "HTTP/1.1", 1, "keep-alive, Upgrade",
	    "websocket", KEY, 1, "13" }, 0, NULL, 0 },
	{ "Connection list, upgrade first", { 1, "HTTP/1.1", 1,
	    "Upgrade,keep-alive", "websocket", KEY, 1, "13" }, 0, NULL, 0 },
	{ "Connection lower case", { 1, "HTTP/1.1", 1, "upgrade",
	    "websocket", KEY, 1, "13" }, 0, NULL, 0 },
	{ "Connection upper case", { 1, "HTTP/1.1", 1, "UPGRADE",
	    "websocket", KEY, 1, "13" }, 0, NULL, 0 },
	{ "Connection blanks, empty items", { 1, "HTTP/1.1", 1,
	    " ,\tkeep-alive ,, upgrade\t, ", "websocket", KEY, 1, "13" }, 0,
	    NULL, 0 },
	{ "two Connection lines joined", { 1, "HTTP/1.1", 1,
	    "keep-alive,  Upgrade", "websocket", KEY, 1, "13" }, 0, NULL, 0 },
	{ "Upgrade mixed case", { 1, "HTTP/1.1", 1, "Upgrade", "WebSocket",
	    KEY, 1, "13" }, 0, NULL, 0 },
	{ "Upgrade list", { 1, "HTTP/1.1", 1, "Upgrade", "foo/2, websocket",
	    KEY, 1, "13" }, 0, NULL, 0 },
	{ "padded key, other bytes", { 1, "HTTP/1.1", 1, "Upgrade",
	    "websocket", "AAAAAAAAAAAAAAAAAAAAAA==", 1, "13" }, 0, NULL, 0 },
	{ "key with + and /", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    "+/+/+/+/+/+/+/+/+/+/+w==", 1, "13" }, 0, NULL, 0 },

	/* The method and the request line. */
	{ "not GET", { 0, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 400, "method is not GET", 0 },
	{ "HTTP/1.0", { 1, "HTTP/1.0", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 400, "not HTTP/1.1 or later", 0 },
	{ "HTTP/0.9", { 1, "HTTP/0.9", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 400, "not HTTP/1.1 or later", 0 },
	{ "no version in the request line", { 1, NULL, 1, "Upgrade",
	    "websocket", KEY, 1, "13" }, 400, "not HTTP/1.1 or later", 0 },
	{ "http/1.1 in lower case", { 1, "http/1.1", 1, "Upgrade",
	    "websocket", KEY, 1, "13" }, 400, "not HTTP/1.1 or later", 0 },
	{ "HTTP/1.10", { 1, "HTTP/1.10", 1, "Upgrade", "websocket", KEY, 1,
	    "13" }, 400, "not HTTP/1.1 or later", 0 },
	{ "HTTP/1", { 1, "HTTP/1", 1, "Upgrade", "websocket", KEY, 1, "13" },
	    400, "not HTTP/1.1 or later", 0 },
	{ "HTTP/1.1 and a blank", { 1, "HTTP/1.1 ", 1, "Upgrade",
	    "websocket", KEY, 1, "13" }, 400, "not HTTP/1.1 or later", 0 },

	/* Host, Upgrade, Connection. */
	{ "no Host", { 1, "HTTP/1.1", 0, "Upgrade", "websocket", KEY, 1,
	    "13" }, 400, "no Host", 0 },
	{ "no Upgrade", { 1, "HTTP/1.1", 1, "Upgrade", NULL, KEY, 1, "13" },
	    400, "Upgrade is not websocket", 0 },
	{ "Upgrade: h2c", { 1, "HTTP/1.1", 1, "Upgrade", "h2c", KEY, 1,
	    "13" }, 400, "Upgrade is not websocket", 0 },
	{ "Upgrade: websockets", { 1, "HTTP/1.1", 1, "Upgrade", "websockets",
	    KEY, 1, "13" }, 400, "Upgrade is not websocket", 0 },
	{ "no Connection", { 1, "HTTP/1.1", 1, NULL, "websocket", KEY, 1,
	    "13" }, 400, "Connection has no upgrade token", 0 },
	{ "Connection: keep-alive", { 1, "HTTP/1.1", 1, "keep-alive",
	    "websocket", KEY, 1, "13" }, 400,
	    "Connection has no upgrade token", 0 },
	{ "Connection: empty", { 1, "HTTP/1.1", 1, "", "websocket", KEY, 1,
	    "13" }, 400, "Connection has no upgrade token", 0 },
	{ "Connection: a prefix of upgrade", { 1, "HTTP/1.1", 1, "upg",
	    "websocket", KEY, 1, "13" }, 400,
	    "Connection has no upgrade token", 0 },
	{ "Connection: upgrade as a part of a token", { 1, "HTTP/1.1", 1,
	    "upgraded, keep-alive", "websocket", KEY, 1, "13" }, 400,
	    "Connection has no upgrade token", 0 },
	{ "Connection: blank-separated", { 1, "HTTP/1.1", 1,
	    "keep-alive upgrade", "websocket", KEY, 1, "13" }, 400,
	    "Connection has no upgrade token", 0 },

	/* Sec-WebSocket-Key. */
	{ "no key", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", NULL, 0,
	    "13" }, 400, "no Sec-WebSocket-Key", 0 },
	{ "two keys", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 2,
	    "13" }, 400, "more than one Sec-WebSocket-Key", 0 },
	{ "key of 15 bytes", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    KEY15, 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key of 17 bytes", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    KEY17, 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key not base64", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    "!!!!not-base64-at-all!!!", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key base64url", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    "-_-_-_-_-_-_-_-_-_-_-w==", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key without padding", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    "dGhlIHNhbXBsZSBub25jZQ", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key with a blank inside", { 1, "HTTP/1.1", 1, "Upgrade",
	    "websocket", "dGhlIHNhbXBs ZSBub25jZQ==", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key with a blank after it", { 1, "HTTP/1.1", 1, "Upgrade",
	    "websocket", KEY " ", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key with a line break", { 1, "HTTP/1.1", 1, "Upgrade",
	    "websocket", "dGhlIHNhbXBs\nZSBub25jZQ==", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key '=' inside", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    "dGhlIHNhbXBsZSBub25j=Q==", 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key empty", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", "", 1,
	    "13" }, 400, "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
	{ "key too long to copy", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    NULL, 1, "13" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },

	/* Sec-WebSocket-Version (RFC 6455 4.4). */
	{ "no version", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 1,
	    NULL }, 400, "no Sec-WebSocket-Version", 1 },
	{ "version 8", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 1,
	    "8" }, 426, "Sec-WebSocket-Version is not 13", 1 },
	{ "version 14", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 1,
	    "14" }, 426, "Sec-WebSocket-Version is not 13", 1 },
	{ "version 013", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY, 1,
	    "013" }, 426, "Sec-WebSocket-Version is not 13", 1 },
	{ "versions 13 and 8", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    KEY, 1, "13, 8" }, 426, "Sec-WebSocket-Version is not 13", 1 },
	{ "version empty", { 1, "HTTP/1.1", 1, "Upgrade", "websocket", KEY,
	    1, "" }, 426, "Sec-WebSocket-Version is not 13", 1 },

	/* The first failed check decides, in RFC 6455 4.2.1's order. */
	{ "not GET, nothing else", { 0, NULL, 0, NULL, NULL, NULL, 0, NULL },
	    400, "method is not GET", 0 },
	{ "no Host, no version", { 1, "HTTP/1.1", 0, "Upgrade", "websocket",
	    KEY, 1, NULL }, 400, "no Host", 0 },
	{ "bad key, version 8", { 1, "HTTP/1.1", 1, "Upgrade", "websocket",
	    KEY15, 1, "8" }, 400,
	    "Sec-WebSocket-Key is not base64 of 16 bytes", 0 },
};

START_TEST(test_check)
{
	struct handshake_refusal	 hf;
	int				 st;

	memset(&hf, 0xa5, sizeof(hf));
	st = handshake_check(&cases[_i].req, &hf);
	ck_assert_msg(st == cases[_i].status, "%s: status %d, want %d (%s)",
	    cases[_i].name, st, cases[_i].status,
	    hf.hf_reason != NULL && st != 0 ? hf.hf_reason : "-");
	ck_assert_int_eq(hf.hf_status, st);
	ck_assert_int_eq(hf.hf_version, cases[_i].version);
	if (cases[_i].reason == NULL)
		ck_assert_ptr_null(hf.hf_reason);
	else
		ck_assert_str_eq(hf.hf_reason, cases[_i].reason);
}
END_TEST

Suite *
handshake_suite(void)
{
	Suite	*s = suite_create("handshake");
	TCase	*tc = tcase_create("check");

	tcase_add_loop_test(tc, test_check, 0, nitems(cases));
	suite_add_tcase(s, tc);
	return (s);
}
