/*
 * check_token.c: access tokens: a minted token verifies; every byte that
 * changes breaks it; expiry is exact to the second; routes must match.
 */
#include <string.h>

#include "check_suites.h"
#include "token.h"

static const unsigned char	 secret[] = "0123456789abcdef-secret";
#define SECRET_LEN		(sizeof(secret) - 1)
#define NOW			1800000000

static void
mint(const char *sub, time_t exp, const char *r1, const char *r2, char *out)
{
	const char	*routes[2] = { r1, r2 };

	ck_assert_int_eq(token_mint(secret, SECRET_LEN, sub, exp, routes,
	    r2 != NULL ? 2 : 1, out, TOKEN_MAX), 0);
}

START_TEST(test_roundtrip)
{
	char	 tok[TOKEN_MAX], sub[TOKEN_SUBJECT_MAX];

	mint("alice", NOW + 60, "/echo", "/api/*", tok);
	ck_assert(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789-_.") == strlen(tok));
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/echo", NOW,
	    sub), TOKEN_OK);
	ck_assert_str_eq(sub, "alice");
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/api/*", NOW,
	    sub), TOKEN_OK);
}
END_TEST

START_TEST(test_expiry_boundary)
{
	char	 tok[TOKEN_MAX], sub[TOKEN_SUBJECT_MAX];

	mint("bob", NOW, "/echo", NULL, tok);
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/echo",
	    NOW - 1, sub), TOKEN_OK);
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/echo", NOW,
	    sub), TOKEN_EXPIRED);
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/echo",
	    NOW + 1, sub), TOKEN_EXPIRED);
}
END_TEST

START_TEST(test_wrong_route)
{
	char	 tok[TOKEN_MAX], sub[TOKEN_SUBJECT_MAX];

	mint("carol", NOW + 60, "/api/*", NULL, tok);
	/* Names compare exactly: neither a prefix nor the path under it. */
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/api/", NOW,
	    sub), TOKEN_WRONG_ROUTE);
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/api/*x",
	    NOW, sub), TOKEN_WRONG_ROUTE);
	ck_assert_int_eq(token_verify(tok, secret, SECRET_LEN, "/ap", NOW,
	    sub), TOKEN_WRONG_ROUTE);
}
END_TEST

/* Change each character in turn: none still verifies. */
START_TEST(test_tampered)
{
	char		 tok[TOKEN_MAX], bad[TOKEN_MAX], sub[TOKEN_SUBJECT_MAX];
	size_t		 i;

	mint("dave", NOW + 60, "/echo", NULL, tok);
	for (i = 0; tok[i] != '\0'; i++) {
		strcpy(bad, tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (bad[i] == tok[i])
			continue;
		ck_assert_msg(token_verify(bad, secret, SECRET_LEN, "/echo",
		    NOW, sub) != TOKEN_OK, "byte %zu changed still verifies", i);
	}
}
END_TEST

START_TEST(test_other_secret)
{
	static const unsigned char other[] = "another-secret-of-16+";
	char	 tok[TOKEN_MAX], sub[TOKEN_SUBJECT_MAX];

	mint("erin", NOW + 60, "/echo", NULL, tok);
	ck_assert_int_eq(token_verify(tok, other, sizeof(other) - 1, "/echo",
	    NOW, sub), TOKEN_BAD_SIGNATURE);
}
END_TEST

static const struct {
	const char		*tok;
	enum token_result	 want;
} malformed[] = {
	{ NULL, TOKEN_MISSING },
	{ "", TOKEN_MISSING },
	{ "nodot", TOKEN_MALFORMED },
	{ "abc.", TOKEN_MALFORMED },
	{ "abc.!!!!", TOKEN_MALFORMED },
	{ "abc.AAAA", TOKEN_MALFORMED },	/* a MAC of 3 bytes */
	{ ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", TOKEN_BAD_SIGNATURE },
};

START_TEST(test_malformed)
{
	char	 sub[TOKEN_SUBJECT_MAX];

	ck_assert_int_eq(token_verify(malformed[_i].tok, secret, SECRET_LEN,
	    "/echo", NOW, sub), malformed[_i].want);
}
END_TEST

START_TEST(test_mint_refuses)
{
	const char	*routes[1] = { "/echo" }, *bad[1] = { "/a\nroute=/b" };
	char		 tok[TOKEN_MAX], small[16];

	ck_assert_int_eq(token_mint(secret, SECRET_LEN, "a\nexp=9", NOW,
	    routes, 1, tok, sizeof(tok)), -1);
	ck_assert_int_eq(token_mint(secret, SECRET_LEN, "x", NOW, bad, 1,
	    tok, sizeof(tok)), -1);
	ck_assert_int_eq(token_mint(secret, SECRET_LEN, "x", NOW, routes, 1,
	    small, sizeof(small)), -1);
}
END_TEST

START_TEST(test_names)
{
	int	 r;

	for (r = TOKEN_OK; r <= TOKEN_WRONG_ROUTE; r++)
		ck_assert_str_ne(token_result_name(r), "?");
}
END_TEST

Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc = tcase_create("token");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_expiry_boundary);
	tcase_add_test(tc, test_wrong_route);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_other_secret);
	tcase_add_loop_test(tc, test_malformed, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_mint_refuses);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return (s);
}
