/*
 * check_proxy_header.c: the PROXY protocol v1/v2 parser, each input whole
 * and then fed as every prefix, as a socket may deliver it: a prefix of a
 * good header is MORE, never a verdict.
 */
#include <arpa/inet.h>

#include <string.h>

#include "check_suites.h"
#include "proxy_header.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define SIG	"\r\n\r\n\0\r\nQUIT\n"
/* v2 PROXY TCP4 203.0.113.7:40000 -> 192.0.2.1:443, then a TLV. */
#define V2_TCP4	SIG "\x21\x11\x00\x12" "\xcb\x00\x71\x07" "\xc0\x00\x02\x01" \
		"\x9c\x40\x01\xbb" "\x04\x00\x03" "abc"

/* A refused input and its length (0: strlen). */
#define BAD(in, len)	{ (in), (len), PROXY_HEADER_BAD, 0, 0, NULL, 0 }
#define BIG(in, len)	{ (in), (len), PROXY_HEADER_OVERSIZED, 0, 0, NULL, 0 }

static const struct {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	enum proxy_header_status st;
	size_t		 hlen;		/* on DONE */
	int		 local;
	const char	*src;		/* on DONE and !local */
	uint16_t	 sport;
} cases[] = {
	{ "PROXY TCP4 198.51.100.9 192.0.2.1 56324 8080\r\nGET", 0,
	    PROXY_HEADER_DONE, 46, 0, "198.51.100.9", 56324 },
	{ "PROXY TCP6 2001:db8::7 2001:db8::1 1 65535\r\n", 0,
	    PROXY_HEADER_DONE, 44, 0, "2001:db8::7", 1 },
	{ "PROXY UNKNOWN\r\n", 0, PROXY_HEADER_DONE, 15, 1, NULL, 0 },
	{ "PROXY UNKNOWN ff:: 1.2.3.4 x y\r\n", 0, PROXY_HEADER_DONE, 32, 1,
	    NULL, 0 },
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", 0),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", 0),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n", 0),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 000001\r\n", 0),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n", 0),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", 0),
	BAD("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", 0),
	BAD("PROXY TCP4 ::1 ::1 1 2\r\n", 0),
	BAD("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", 0),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", 0),
	BAD("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", 0),
	BAD("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", 0),
	BAD("PROXY \r\n", 0),
	BAD("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", 0),
	BAD("GET / HTTP/1.1\r\n", 0),
	BAD("\x16\x03\x01", 3),	/* TLS, no header */
	BIG("PROXY TCP4 1.2.3.4 5.6.7.8 11111 22222 "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxx\r\n", 0),
	{ V2_TCP4, sizeof(V2_TCP4) - 1, PROXY_HEADER_DONE, 34, 0,
	    "203.0.113.7", 40000 },
	/* LOCAL: the address block is not read. */
	{ SIG "\x20\x00\x00\x00", 16, PROXY_HEADER_DONE, 16, 1, NULL, 0 },
	{ SIG "\x20\x11\x00\x03xyz", 19, PROXY_HEADER_DONE, 19, 1, NULL, 0 },
	{ SIG "\x21\x00\x00\x00", 16, PROXY_HEADER_DONE, 16, 1, NULL, 0 },
	{ SIG "\x21\x21\x00\x24"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x09"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01" "\x00\x50\x01\xbb",
	    52, PROXY_HEADER_DONE, 52, 0, "2001:db8::9", 80 },
	BAD(SIG "\x11\x11\x00\x0c" "12345678abcd", 28),
	BAD(SIG "\x22\x11\x00\x0c" "12345678abcd", 28),
	BAD(SIG "\x21\x12\x00\x0c" "12345678abcd", 28),
	BAD(SIG "\x21\x11\x00\x0b" "12345678abc", 27),
	BAD(SIG "\x21\x21\x00\x0c" "12345678abcd", 28),
	/* TLVs that do not fit what the length field says. */
	{ SIG "\x21\x11\x00\x0e" "12345678abcd\x01\x00", 30,
	    PROXY_HEADER_BAD, 0, 0, NULL, 0 },
	{ SIG "\x21\x11\x00\x10" "12345678abcd\x01\x00\x02z", 32,
	    PROXY_HEADER_BAD, 0, 0, NULL, 0 },
	BIG(SIG "\x21\x11\xff\xff", 16),
	BIG(SIG "\x21\x11\x03\xf1", 16),
	BAD("\r\n\r\n\0\r\nQUIX\n\x21\x11\x00\x00", 16),
};

START_TEST(test_whole)
{
	struct proxy_header	 ph;
	const char		*why;
	char			 text[64];
	size_t			 len = cases[_i].len ? cases[_i].len :
				    strlen(cases[_i].in);

	ck_assert_int_eq(proxy_header_parse((const unsigned char *)
	    cases[_i].in, len, &ph, &why), cases[_i].st);
	if (cases[_i].st != PROXY_HEADER_DONE) {
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_uint_eq(ph.ph_len, cases[_i].hlen);
	ck_assert_int_eq(ph.ph_local, cases[_i].local);
	if (cases[_i].local)
		return;
	inet_ntop(ph.ph_family == 4 ? AF_INET : AF_INET6, ph.ph_src, text,
	    sizeof(text));
	ck_assert_str_eq(text, cases[_i].src);
	ck_assert_uint_eq(ph.ph_sport, cases[_i].sport);
}
END_TEST

/* Every prefix of a header that ends well (or badly later) is MORE. */
START_TEST(test_prefixes)
{
	struct proxy_header	 ph;
	const char		*why;
	size_t			 n, len = cases[_i].len ? cases[_i].len :
				    strlen(cases[_i].in);

	if (cases[_i].st != PROXY_HEADER_DONE)
		return;
	for (n = 0; n < cases[_i].hlen; n++)
		ck_assert_msg(proxy_header_parse((const unsigned char *)
		    cases[_i].in, n, &ph, &why) == PROXY_HEADER_MORE,
		    "case %d: prefix of %zu bytes", _i, n);
	ck_assert_int_eq(proxy_header_parse((const unsigned char *)
	    cases[_i].in, len, &ph, &why), PROXY_HEADER_DONE);
}
END_TEST

/* The destination and its port, read from the v2 address block. */
START_TEST(test_v2_destination)
{
	struct proxy_header	 ph;
	const char		*why;
	const unsigned char	 dst[4] = { 192, 0, 2, 1 };

	ck_assert_int_eq(proxy_header_parse((const unsigned char *)V2_TCP4,
	    sizeof(V2_TCP4) - 1, &ph, &why), PROXY_HEADER_DONE);
	ck_assert_int_eq(ph.ph_family, 4);
	ck_assert_mem_eq(ph.ph_dst, dst, 4);
	ck_assert_uint_eq(ph.ph_dport, 443);
}
END_TEST

/* v1 at its maximum of 107 bytes is taken; one more byte is not. */
START_TEST(test_v1_limit)
{
	struct proxy_header	 ph;
	const char		*why;
	char			 buf[128];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "PROXY UNKNOWN ", 14);
	memset(buf + 14, 'x', 105 - 14);
	memcpy(buf + 105, "\r\n", 2);
	ck_assert_int_eq(proxy_header_parse((unsigned char *)buf, 107, &ph,
	    &why), PROXY_HEADER_DONE);
	ck_assert_uint_eq(ph.ph_len, 107);
	memset(buf + 14, 'x', 106 - 14);
	memcpy(buf + 106, "\r\n", 2);
	ck_assert_int_eq(proxy_header_parse((unsigned char *)buf, 108, &ph,
	    &why), PROXY_HEADER_OVERSIZED);
	/* 105 bytes without CR may still end in time; 106 cannot. */
	ck_assert_int_eq(proxy_header_parse((unsigned char *)buf, 105, &ph,
	    &why), PROXY_HEADER_MORE);
	ck_assert_int_eq(proxy_header_parse((unsigned char *)buf, 106, &ph,
	    &why), PROXY_HEADER_OVERSIZED);
}
END_TEST

Suite *
proxy_header_suite(void)
{
	Suite	*s = suite_create("proxy_header");
	TCase	*tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_whole, 0, (int)nitems(cases));
	tcase_add_loop_test(tc, test_prefixes, 0, (int)nitems(cases));
	tcase_add_test(tc, test_v2_destination);
	tcase_add_test(tc, test_v1_limit);
	suite_add_tcase(s, tc);
	return (s);
}
