/*
 * check_metadata.c: what a backend learns about its client.  The PROXY v2
 * header is checked byte by byte against the specification's layout
 * (haproxy doc/proxy-protocol.txt, section 2.2); the JSON object is read
 * back with a small parser, so whatever bytes a client puts in its path,
 * query, Origin or Host, the object stays one valid line that gives them
 * back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "framing.h"
#include "metadata.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const unsigned char sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* 192.0.2.1:51000 -> 127.0.0.1:8080. */
static struct metadata_info
info4(void)
{
	struct metadata_info	 mi;

	memset(&mi, 0, sizeof(mi));
	mi.mi_family = 4;
	memcpy(mi.mi_src, "\xc0\x00\x02\x01", 4);
	memcpy(mi.mi_dst, "\x7f\x00\x00\x01", 4);
	mi.mi_sport = 51000;
	mi.mi_dport = 8080;
	mi.mi_addr = "192.0.2.1";
	mi.mi_path = "/chat";
	mi.mi_query = "a=1";
	mi.mi_origin = "https://example.com";
	mi.mi_authority = "example.com:8080";
	mi.mi_subprotocol = "chat";
	return (mi);
}

/*
 * PROXY v2.
 */

START_TEST(test_proxy_v2_tcp4)
{
	static const unsigned char want[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a,		/* signature */
		0x21,			/* version 2, PROXY */
		0x11,			/* AF_INET, STREAM */
		0x00, 12 + 3 + 16 + 3 + 9,	/* what follows */
		0xc0, 0x00, 0x02, 0x01,	/* source address */
		0x7f, 0x00, 0x00, 0x01,	/* destination address */
		0xc7, 0x38,		/* source port 51000 */
		0x1f, 0x90,		/* destination port 8080 */
		0x02, 0x00, 16,		/* PP2_TYPE_AUTHORITY */
		'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', ':',
		'8', '0', '8', '0',
		0xe0, 0x00, 9,		/* the request path and query */
		'/', 'c', 'h', 'a', 't', '?', 'a', '=', '1',
	};
	struct metadata_info	 mi = info4();
	unsigned char		 out[256];
	long			 n;
	size_t			 i;

	n = metadata_encode(METADATA_PROXY_V2, FRAMING_RAW, &mi, out,
	    sizeof(out));
	ck_assert_int_eq(n, (long)sizeof(want));
	for (i = 0; i < sizeof(want); i++)
		ck_assert_msg(out[i] == want[i], "byte %zu: 0x%02x, not 0x%02x",
		    i, out[i], want[i]);
	/* The same header whatever a raw or lines route does with text. */
	ck_assert_int_eq(metadata_encode(METADATA_PROXY_V2, FRAMING_LINES,
	    &mi, out, sizeof(out)), n);
	ck_assert(memcmp(out, want, sizeof(want)) == 0);
}
END_TEST

/* No Host, no query: no authority TLV, the path alone without '?'. */
START_TEST(test_proxy_v2_tcp6)
{
	static const unsigned char want[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a, 0x21,
		0x21,			/* AF_INET6, STREAM */
		0x00, 36 + 3 + 2,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x00, 0x50,		/* port 80 */
		0xff, 0xff,		/* port 65535 */
		0xe0, 0x00, 2, '/', 'x',
	};
	struct metadata_info	 mi = info4();
	unsigned char		 out[256];
	long			 n;

	mi.mi_family = 6;
	memset(mi.mi_src, 0, sizeof(mi.mi_src));
	memset(mi.mi_dst, 0, sizeof(mi.mi_dst));
	memcpy(mi.mi_src, "\x20\x01\x0d\xb8", 4);
	mi.mi_src[15] = 1;
	mi.mi_dst[15] = 1;
	mi.mi_sport = 80;
	mi.mi_dport = 65535;
	mi.mi_path = "/x";
	mi.mi_query = "";
	mi.mi_authority = NULL;
	n = metadata_encode(METADATA_PROXY_V2, FRAMING_RAW, &mi, out,
	    sizeof(out));
	ck_assert_int_eq(n, (long)sizeof(want));
	ck_assert(memcmp(out, want, sizeof(want)) == 0);
}
END_TEST

/*
 * A reader of the specification: the length field covers exactly the
 * addresses and the TLVs, and the TLVs tile what follows the addresses.
 * Client bytes, even a signature or a NUL-free "\r\n", cannot add a TLV.
 */
START_TEST(test_proxy_v2_tlvs)
{
	struct metadata_info	 mi = info4();
	unsigned char		 out[1024];
	size_t			 off, len, tl;
	long			 n;
	int			 ntlv = 0;

	mi.mi_path = "/\r\n\r\n\x02\x01QUIT\n\xe0\xff\xff";
	mi.mi_query = "q=\x0d\x0a\x0d\x0a";
	mi.mi_authority = "h\x02";
	n = metadata_encode(METADATA_PROXY_V2, FRAMING_RAW, &mi, out,
	    sizeof(out));
	ck_assert_int_gt(n, 16);
	ck_assert(memcmp(out, sig, sizeof(sig)) == 0);
	len = (size_t)out[14] << 8 | out[15];
	ck_assert_uint_eq(16 + len, (size_t)n);
	for (off = 16 + 12; off < (size_t)n; off += 3 + tl) {
		ck_assert_uint_le(off + 3, (size_t)n);
		tl = (size_t)out[off + 1] << 8 | out[off + 2];
		if (out[off] == 0x02)
			ck_assert(tl == 2 &&
			    memcmp(out + off + 3, "h\x02", 2) == 0);
		else {
			ck_assert_int_eq(out[off], 0xe0);
			ck_assert_uint_eq(tl, strlen(mi.mi_path) + 1 +
			    strlen(mi.mi_query));
		}
		ntlv++;
	}
	ck_assert_uint_eq(off, (size_t)n);
	ck_assert_int_eq(ntlv, 2);
}
END_TEST

/*
 * JSON.
 */

#define JSON_KEYS	16

struct json_obj {
	char		 key[JSON_KEYS][32];
	unsigned char	 val[JSON_KEYS][512];	/* decoded, or number text */
	size_t		 vlen[JSON_KEYS];
	int		 kind[JSON_KEYS];	/* 's' string, 'n' number, '0' null */
	int		 n;
};

/*
 * A JSON string at *P into OUT: the parser accepts only what RFC 8259
 * allows (no raw control characters, known escapes); \u00XX gives back
 * the byte XX, which is how metadata.c writes bytes that are not UTF-8.
 * Returns the decoded length, or -1.
 */
static long
json_string(const char **p, unsigned char *out, size_t size)
{
	const char	*s = *p;
	size_t		 n = 0;
	unsigned int	 u;
	char		 hex[5];

	if (*s++ != '"')
		return (-1);
	while (*s != '"') {
		if ((unsigned char)*s < 0x20 || n + 1 >= size)
			return (-1);
		if (*s != '\\') {
			out[n++] = (unsigned char)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"':
		case '\\':
		case '/':
			out[n++] = (unsigned char)*s++;
			break;
		case 'n':
			out[n++] = '\n', s++;
			break;
		case 't':
			out[n++] = '\t', s++;
			break;
		case 'r':
			out[n++] = '\r', s++;
			break;
		case 'b':
			out[n++] = '\b', s++;
			break;
		case 'f':
			out[n++] = '\f', s++;
			break;
		case 'u':
			memcpy(hex, s + 1, 4);
			hex[4] = '\0';
			if (strspn(hex, "0123456789abcdefABCDEF") != 4)
				return (-1);
			u = (unsigned int)strtoul(hex, NULL, 16);
			if (u > 0xff)
				return (-1);	/* metadata.c writes none */
			out[n++] = (unsigned char)u;
			s += 5;
			break;
		default:
			return (-1);
		}
	}
	*p = s + 1;
	return ((long)n);
}

/* One flat object of strings, numbers and nulls; 0, or -1. */
static int
json_parse(const char *s, struct json_obj *o)
{
	unsigned char	 k[32];
	long		 n;
	size_t		 d;

	memset(o, 0, sizeof(*o));
	if (*s++ != '{')
		return (-1);
	while (*s != '}') {
		if (o->n == JSON_KEYS || (o->n > 0 && *s++ != ','))
			return (-1);
		if ((n = json_string(&s, k, sizeof(k))) == -1 || *s++ != ':')
			return (-1);
		memcpy(o->key[o->n], k, (size_t)n);
		if (*s == '"') {
			n = json_string(&s, o->val[o->n], sizeof(o->val[0]));
			if (n == -1)
				return (-1);
			o->vlen[o->n] = (size_t)n;
			o->kind[o->n] = 's';
		} else if (strncmp(s, "null", 4) == 0) {
			s += 4;
			o->kind[o->n] = '0';
		} else if ((d = strspn(s, "0123456789")) > 0) {
			memcpy(o->val[o->n], s, d);
			o->vlen[o->n] = d;
			o->kind[o->n] = 'n';
			s += d;
		} else
			return (-1);
		o->n++;
	}
	return (s[1] == '\0' ? 0 : -1);
}

/* The value of KEY in O is the string V (NULL: null). */
static void
json_has(const struct json_obj *o, const char *key, const char *v)
{
	int	 i;

	for (i = 0; i < o->n; i++) {
		if (strcmp(o->key[i], key) != 0)
			continue;
		if (v == NULL) {
			ck_assert_msg(o->kind[i] == '0', "%s is not null", key);
			return;
		}
		ck_assert_msg(o->kind[i] != '0', "%s is null", key);
		ck_assert_msg(o->vlen[i] == strlen(v) &&
		    memcmp(o->val[i], v, o->vlen[i]) == 0,
		    "%s: other bytes", key);
		return;
	}
	ck_abort_msg("no %s in the object", key);
}

START_TEST(test_json_exact)
{
	static const char	 want[] = "{\"client_address\":\"192.0.2.1\","
	    "\"client_port\":51000,\"path\":\"/chat\",\"query\":\"a=1\","
	    "\"origin\":\"https://example.com\",\"host\":\"example.com:8080\","
	    "\"subprotocol\":\"chat\",\"subject\":null}\n";
	struct metadata_info	 mi = info4();
	char			 out[512];
	long			 n;

	n = metadata_encode(METADATA_JSON, FRAMING_RAW, &mi,
	    (unsigned char *)out, sizeof(out));
	ck_assert_int_eq(n, (long)strlen(want));
	out[n] = '\0';
	ck_assert_str_eq(out, want);

	/* Absent headers and no subprotocol are null; no query is "". */
	mi.mi_origin = mi.mi_authority = mi.mi_subprotocol = NULL;
	mi.mi_query = "";
	n = metadata_encode(METADATA_JSON, FRAMING_LINES, &mi,
	    (unsigned char *)out, sizeof(out));
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "{\"client_address\":\"192.0.2.1\","
	    "\"client_port\":51000,\"path\":\"/chat\",\"query\":\"\","
	    "\"origin\":null,\"host\":null,\"subprotocol\":null,"
	    "\"subject\":null}\n");
}
END_TEST

/* Hostile values: each is escaped, exactly so, and the line stays one. */
static const struct {
	const char	*in;
	const char	*json;
} escapes[] = {
	{ "a\"b", "a\\\"b" },
	{ "a\\b", "a\\\\b" },
	{ "a\nb", "a\\u000ab" },
	{ "\r\n", "\\u000d\\u000a" },
	{ "\t\x01\x1f", "\\u0009\\u0001\\u001f" },
	{ "\x7f", "\\u007f" },
	{ "\"}\n{\"x\":\"", "\\\"}\\u000a{\\\"x\\\":\\\"" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* UTF-8 as is */
	{ "\xff", "\\u00ff" },				/* not UTF-8 */
	{ "caf\xc3\xa9\xff", "caf\\u00c3\\u00a9\\u00ff" },
	{ "\xed\xa0\x80", "\\u00ed\\u00a0\\u0080" },	/* a surrogate */
	{ "\xc0\xaf", "\\u00c0\\u00af" },		/* overlong '/' */
	{ "/", "/" },
};

START_TEST(test_json_escapes)
{
	static const char *const fields[] = { "path", "query", "origin",
		"host" };
	struct metadata_info	 mi = info4();
	struct json_obj		 o;
	char			 out[1024], want[256];
	const char		*s;
	long			 n;
	size_t			 j;
	int			 nkeys;

	/* As many keys as with harmless values: none was smuggled in. */
	n = metadata_encode(METADATA_JSON, FRAMING_LENGTH, &mi,
	    (unsigned char *)out, sizeof(out) - 1);
	ck_assert_int_gt(n, 5);
	out[n] = '\0';
	ck_assert_int_eq(json_parse(out + 5, &o), 0);
	nkeys = o.n;
	for (j = 0; j < nitems(fields); j++) {
		mi = info4();
		s = escapes[_i].in;
		if (j == 0)
			mi.mi_path = s;
		else if (j == 1)
			mi.mi_query = s;
		else if (j == 2)
			mi.mi_origin = s;
		else
			mi.mi_authority = s;
		n = metadata_encode(METADATA_JSON, FRAMING_RAW, &mi,
		    (unsigned char *)out, sizeof(out) - 1);
		ck_assert_int_gt(n, 0);
		out[n] = '\0';
		/* One line: the only newline, or control byte, ends it. */
		ck_assert_int_eq(out[n - 1], '\n');
		out[--n] = '\0';
		for (s = out; *s != '\0'; s++)
			ck_assert_msg((unsigned char)*s >= 0x20 &&
			    *s != 0x7f, "%s: raw byte 0x%02x", fields[j],
			    (unsigned char)*s);
		snprintf(want, sizeof(want), "\"%s\":\"%s\"", fields[j],
		    escapes[_i].json);
		ck_assert_msg(strstr(out, want) != NULL, "no %s in %s", want,
		    out);
		ck_assert_msg(json_parse(out, &o) == 0, "not JSON: %s", out);
		ck_assert_int_eq(o.n, nkeys);
		json_has(&o, fields[j], escapes[_i].in);
	}
}
END_TEST

/* Property: random bytes in every client-chosen field come back intact. */
START_TEST(test_json_random)
{
	struct metadata_info	 mi;
	struct json_obj		 o;
	char			 f[4][64];
	char			 out[4096];
	unsigned int		 seed = 42;
	long			 n;
	int			 round, j, k, len;

	for (round = 0; round < 2000; round++) {
		for (j = 0; j < 4; j++) {
			len = rand_r(&seed) % 63;
			for (k = 0; k < len; k++) {
				/* Mostly ASCII, some of every byte but NUL. */
				f[j][k] = (char)(rand_r(&seed) % 4 ?
				    0x20 + rand_r(&seed) % 0x5f :
				    1 + rand_r(&seed) % 255);
			}
			f[j][len] = '\0';
		}
		mi = info4();
		mi.mi_path = f[0];
		mi.mi_query = f[1];
		mi.mi_origin = f[2];
		mi.mi_authority = f[3];
		n = metadata_encode(METADATA_JSON, FRAMING_LINES, &mi,
		    (unsigned char *)out, sizeof(out) - 1);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(out[n - 1], '\n');
		ck_assert_ptr_eq(memchr(out, '\n', (size_t)n - 1), NULL);
		out[n - 1] = '\0';
		ck_assert_msg(json_parse(out, &o) == 0, "round %d: not JSON: "
		    "%s", round, out);
		json_has(&o, "client_address", "192.0.2.1");
		json_has(&o, "path", f[0]);
		json_has(&o, "query", f[1]);
		json_has(&o, "origin", f[2]);
		json_has(&o, "host", f[3]);
		json_has(&o, "subprotocol", "chat");
	}
}
END_TEST

/*
 * Framing: one line for raw and lines; a type-3 message, with the length
 * of what follows, for length; a type-3 datagram for seqpacket.
 */
START_TEST(test_framed)
{
	struct metadata_info	 mi = info4();
	unsigned char		 line[1024], out[1024];
	long			 nl, n;
	size_t			 body;
	int			 kind;

	for (kind = METADATA_PROXY_V2; kind <= METADATA_JSON; kind++) {
		nl = metadata_encode(kind, FRAMING_RAW, &mi, line,
		    sizeof(line));
		ck_assert_int_gt(nl, 0);
		/* JSON loses its newline in a message; PROXY v2 is as is. */
		body = (size_t)nl - (kind == METADATA_JSON);
		/* PROXY v2 ends with the path TLV: "/chat?a=1". */
		ck_assert_int_eq(line[nl - 1], kind == METADATA_JSON ? '\n' :
		    '1');

		n = metadata_encode(kind, FRAMING_LENGTH, &mi, out,
		    sizeof(out));
		ck_assert_int_eq(n, (long)(5 + body));
		ck_assert_int_eq(out[0], FRAMING_TYPE_METADATA);
		ck_assert_uint_eq((size_t)out[1] << 24 | (size_t)out[2] << 16 |
		    (size_t)out[3] << 8 | out[4], body);
		ck_assert(memcmp(out + 5, line, body) == 0);

		n = metadata_encode(kind, FRAMING_SEQPACKET, &mi, out,
		    sizeof(out));
		ck_assert_int_eq(n, (long)(1 + body));
		ck_assert_int_eq(out[0], FRAMING_TYPE_METADATA);
		ck_assert(memcmp(out + 1, line, body) == 0);
	}
	ck_assert_int_eq(metadata_encode(METADATA_NONE, FRAMING_LENGTH, &mi,
	    out, sizeof(out)), 0);
}
END_TEST

/*
 * Too small a buffer is -1, whatever its size, and nothing is written
 * past it: each size gets a buffer of exactly that many bytes (ASan
 * sees an overrun) followed, in the plain build, by a guard.
 */
#define GUARD	16

START_TEST(test_too_small)
{
	static const enum route_framing modes[] = { FRAMING_RAW,
		FRAMING_LINES, FRAMING_LENGTH, FRAMING_SEQPACKET };
	struct metadata_info	 mi = info4();
	unsigned char		*buf;
	size_t			 size, j, g;
	long			 need, n;
	int			 kind;

	for (kind = METADATA_PROXY_V2; kind <= METADATA_JSON; kind++)
		for (j = 0; j < nitems(modes); j++) {
			buf = malloc(1024);
			need = metadata_encode(kind, modes[j], &mi, buf, 1024);
			free(buf);
			ck_assert_int_gt(need, 0);
			for (size = 0; size <= (size_t)need; size++) {
				buf = malloc(size + GUARD);
				memset(buf, 0xa5, size + GUARD);
				n = metadata_encode(kind, modes[j], &mi, buf,
				    size);
				ck_assert_int_eq(n, size == (size_t)need ?
				    need : -1);
				for (g = size; g < size + GUARD; g++)
					ck_assert_msg(buf[g] == 0xa5, "kind %d,"
					    " mode %zu, size %zu: byte %zu "
					    "written", kind, j, size, g);
				free(buf);
			}
		}
}
END_TEST

Suite *
metadata_suite(void)
{
	Suite	*s = suite_create("metadata");
	TCase	*tc;

	tc = tcase_create("proxy-v2");
	tcase_add_test(tc, test_proxy_v2_tcp4);
	tcase_add_test(tc, test_proxy_v2_tcp6);
	tcase_add_test(tc, test_proxy_v2_tlvs);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_exact);
	tcase_add_loop_test(tc, test_json_escapes, 0, nitems(escapes));
	tcase_add_test(tc, test_json_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("framing");
	tcase_add_test(tc, test_framed);
	tcase_add_test(tc, test_too_small);
	suite_add_tcase(s, tc);
	return (s);
}
