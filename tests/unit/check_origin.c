/*
 * check_origin.c: the Origin allowlist compares scheme, host and port
 * exactly, default ports included; and the per-IP session counts.
 */
#include <string.h>

#include "check_suites.h"
#include "iplimit.h"
#include "origin.h"

static const char	 allowed[] =
    "https://app.example http://localhost:8080 https://[::1]:8443";

static const struct {
	const char	*origin;
	int		 ok;
} origins[] = {
	{ "https://app.example", 1 },
	{ "https://app.example:443", 1 },
	{ "HTTPS://APP.EXAMPLE", 1 },
	{ "http://app.example", 0 },		/* scheme */
	{ "https://app.example:8443", 0 },	/* port */
	{ "https://app.example.evil", 0 },	/* host */
	{ "https://evil.app.example", 0 },
	{ "https://app.exampl", 0 },
	{ "http://localhost:8080", 1 },
	{ "http://localhost", 0 },
	{ "https://[::1]:8443", 1 },
	{ "https://[::1]", 0 },
	{ "null", 0 },				/* sandboxed pages */
	{ "", 0 },
	{ "https://app.example/path", 0 },
	{ "https://app.example:99999", 0 },
};

START_TEST(test_allowed)
{
	ck_assert_int_eq(origin_allowed(allowed, origins[_i].origin),
	    origins[_i].ok);
}
END_TEST

START_TEST(test_valid)
{
	ck_assert(origin_valid("https://a.example", 17));
	ck_assert(origin_valid("http://[::1]:80", 15));
	ck_assert(!origin_valid("a.example", 9));
	ck_assert(!origin_valid("https://", 8));
	ck_assert(!origin_valid("https://a:x", 11));
	ck_assert(!origin_valid("://a", 4));
}
END_TEST

START_TEST(test_iplimit)
{
	static const int	 r1 = 1, r2 = 2;
	const unsigned char	 a[5] = { 4, 127, 0, 0, 1 };
	const unsigned char	 b[5] = { 4, 127, 0, 0, 2 };

	ck_assert_uint_eq(iplimit_count(&r1, a, sizeof(a)), 0);
	ck_assert_int_eq(iplimit_add(&r1, a, sizeof(a)), 0);
	ck_assert_int_eq(iplimit_add(&r1, a, sizeof(a)), 0);
	ck_assert_int_eq(iplimit_add(&r1, b, sizeof(b)), 0);
	ck_assert_int_eq(iplimit_add(&r2, a, sizeof(a)), 0);
	ck_assert_uint_eq(iplimit_count(&r1, a, sizeof(a)), 2);
	ck_assert_uint_eq(iplimit_count(&r1, b, sizeof(b)), 1);
	ck_assert_uint_eq(iplimit_count(&r2, a, sizeof(a)), 1);
	iplimit_del(&r1, a, sizeof(a));
	iplimit_del(&r1, a, sizeof(a));
	iplimit_del(&r1, a, sizeof(a));	/* one too many: harmless */
	ck_assert_uint_eq(iplimit_count(&r1, a, sizeof(a)), 0);
	iplimit_del(&r1, b, sizeof(b));
	iplimit_del(&r2, a, sizeof(a));
	ck_assert_uint_eq(iplimit_count(&r2, a, sizeof(a)), 0);
}
END_TEST

Suite *
origin_suite(void)
{
	Suite	*s = suite_create("origin");
	TCase	*tc = tcase_create("origin");

	tcase_add_loop_test(tc, test_allowed, 0,
	    sizeof(origins) / sizeof(origins[0]));
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_iplimit);
	suite_add_tcase(s, tc);
	return (s);
}
