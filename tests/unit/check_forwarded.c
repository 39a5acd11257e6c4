/*
 * check_forwarded.c: address ranges (cidr.c) and the client picked out of
 * X-Forwarded-For and Forwarded (forwarded.c): only hops that trusted
 * proxies appended are believed.
 */
#include <arpa/inet.h>

#include <string.h>

#include "check_suites.h"
#include "cidr.h"
#include "forwarded.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*range;
	const char	*addr;
	int		 in;
} ranges[] = {
	{ "10.0.0.0/8", "10.255.1.2", 1 },
	{ "10.0.0.0/8", "11.0.0.0", 0 },
	{ "10.9.9.9/8", "10.0.0.1", 1 },	/* host bits ignored */
	{ "192.0.2.128/25", "192.0.2.200", 1 },
	{ "192.0.2.128/25", "192.0.2.127", 0 },
	{ "192.0.2.7", "192.0.2.7", 1 },
	{ "192.0.2.7", "192.0.2.8", 0 },
	{ "0.0.0.0/0", "203.0.113.1", 1 },
	{ "0.0.0.0/0", "::1", 0 },		/* families never mix */
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/32", "2001:db9::1", 0 },
	{ "::1", "::1", 1 },
	{ "fe80::/10", "febf::1", 1 },
	{ "fe80::/10", "fec0::1", 0 },
	{ "::/0", "127.0.0.1", 0 },
};

START_TEST(test_range)
{
	struct cidr	 c;
	unsigned char	 a[16];
	int		 fam;

	ck_assert_int_eq(cidr_parse(ranges[_i].range, &c), 0);
	fam = strchr(ranges[_i].addr, ':') != NULL ? 6 : 4;
	ck_assert_int_eq(inet_pton(fam == 6 ? AF_INET6 : AF_INET,
	    ranges[_i].addr, a), 1);
	ck_assert_int_eq(cidr_match(&c, 1, fam, a), ranges[_i].in);
}
END_TEST

START_TEST(test_bad_range)
{
	static const char *const bad[] = { "", "/8", "10.0.0.0/", "10/8",
	    "10.0.0.0/33", "::/129", "10.0.0.0/8/8", "10.0.0.0/ 8",
	    "10.0.0.0/-1", "10.0.0.0/0008", "host.example", "1.2.3.4 " };
	struct cidr	 c;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(cidr_parse(bad[i], &c) == -1, "'%s'", bad[i]);
}
END_TEST

/* Trusted: 10.0.0.0/8 and 2001:db8::/32. */
static const struct {
	enum forwarded_kind kind;
	const char	*value;
	const char	*client;	/* NULL: none */
	uint16_t	 port;
} hops[] = {
	{ FORWARDED_XFF, "198.51.100.1", "198.51.100.1", 0 },
	{ FORWARDED_XFF, "198.51.100.1, 10.0.0.2", "198.51.100.1", 0 },
	/* A client that writes its own header is the right-most untrusted. */
	{ FORWARDED_XFF, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1", 0 },
	{ FORWARDED_XFF, "6.6.6.6,198.51.100.1", "198.51.100.1", 0 },
	{ FORWARDED_XFF, "10.0.0.3, 10.0.0.2", "10.0.0.3", 0 },
	{ FORWARDED_XFF, "garbage, 198.51.100.1", "198.51.100.1", 0 },
	{ FORWARDED_XFF, "198.51.100.1, garbage", NULL, 0 },
	{ FORWARDED_XFF, "198.51.100.1, garbage, 10.0.0.2", "10.0.0.2", 0 },
	{ FORWARDED_XFF, "2001:db8::5, 2001:db9::1", "2001:db9::1", 0 },
	{ FORWARDED_XFF, "198.51.100.1:4711", "198.51.100.1", 4711 },
	{ FORWARDED_XFF, "[2001:db9::1]:80", "2001:db9::1", 80 },
	{ FORWARDED_XFF, "198.51.100.1:99999", NULL, 0 },
	{ FORWARDED_XFF, "", NULL, 0 },
	{ FORWARDED_XFF, " , ,", NULL, 0 },
	{ FORWARDED_RFC7239, "for=198.51.100.1", "198.51.100.1", 0 },
	{ FORWARDED_RFC7239, "for=192.0.2.60;proto=http;by=203.0.113.43",
	    "192.0.2.60", 0 },
	{ FORWARDED_RFC7239, "proto=https; For=\"[2001:db9::1]:4711\"",
	    "2001:db9::1", 4711 },
	{ FORWARDED_RFC7239, "for=6.6.6.6, for=198.51.100.1, for=10.0.0.2",
	    "198.51.100.1", 0 },
	{ FORWARDED_RFC7239, "for=unknown, for=10.0.0.2", "10.0.0.2", 0 },
	{ FORWARDED_RFC7239, "for=_hidden", NULL, 0 },
	{ FORWARDED_RFC7239, "proto=http", NULL, 0 },
};

START_TEST(test_hops)
{
	struct cidr		 t[2];
	struct forwarded_addr	 fa;
	char			 text[64];
	int			 r;

	ck_assert_int_eq(cidr_parse("10.0.0.0/8", &t[0]), 0);
	ck_assert_int_eq(cidr_parse("2001:db8::/32", &t[1]), 0);
	r = forwarded_client(hops[_i].kind, hops[_i].value, t, 2, &fa);
	if (hops[_i].client == NULL) {
		ck_assert_msg(r == -1, "'%s': a client", hops[_i].value);
		return;
	}
	ck_assert_msg(r == 0, "'%s': no client", hops[_i].value);
	inet_ntop(fa.fa_family == 4 ? AF_INET : AF_INET6, fa.fa_addr, text,
	    sizeof(text));
	ck_assert_str_eq(text, hops[_i].client);
	ck_assert_uint_eq(fa.fa_port, hops[_i].port);
}
END_TEST

Suite *
forwarded_suite(void)
{
	Suite	*s = suite_create("forwarded");
	TCase	*tc = tcase_create("forwarded");

	tcase_add_loop_test(tc, test_range, 0, (int)nitems(ranges));
	tcase_add_test(tc, test_bad_range);
	tcase_add_loop_test(tc, test_hops, 0, (int)nitems(hops));
	suite_add_tcase(s, tc);
	return (s);
}
