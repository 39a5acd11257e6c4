/*
 * check_subprotocol.c: RFC 6455 4.2.2: the first of the client's
 * protocols, in its order, that the route offers; whole names only.
 */
#include <string.h>

#include "check_suites.h"
#include "subprotocol.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* OFFERED is as config.c normalises it: names and single blanks. */
static const struct {
	const char	*offered;
	const char	*requested;
	const char	*pick;		/* NULL: none */
} picks[] = {
	{ "chat", "chat", "chat" },
	{ "a b c", "c", "c" },
	{ "a b c", "x, b, a", "b" },		/* the client's order */
	{ "a b c", "c,a", "c" },
	{ "a b c", "  x ,\t, c  ,a", "c" },	/* blanks and empty items */
	{ "a b c", "x\tb", "b" },
	{ "a b c", "x y", NULL },
	{ "a b c", "", NULL },
	{ "a b c", ", ,", NULL },
	{ "chat", "chat2", NULL },		/* no prefixes */
	{ "chat2", "chat", NULL },
	{ "chat", "cha", NULL },
	{ "chat2 chat", "chat", "chat" },
	{ "v1.json v2.json", "v2.json, v1.json", "v2.json" },
	{ "Chat", "chat", NULL },		/* names are case-sensitive */
	{ "a", "a,a", "a" },
};

START_TEST(test_pick)
{
	char		 out[64];
	const char	*p;

	memset(out, 'x', sizeof(out));
	p = subprotocol_pick(picks[_i].offered, picks[_i].requested, out,
	    sizeof(out));
	if (picks[_i].pick == NULL) {
		ck_assert_msg(p == NULL, "'%s' from '%s': picked '%s'",
		    picks[_i].requested, picks[_i].offered, out);
		return;
	}
	ck_assert_ptr_eq(p, out);
	ck_assert_str_eq(out, picks[_i].pick);
}
END_TEST

/* A name longer than OUT holds is skipped, never cut. */
START_TEST(test_long_name)
{
	char		 out[8];
	const char	*p;

	p = subprotocol_pick("abcdefgh short", "abcdefgh, short", out,
	    sizeof(out));
	ck_assert_ptr_eq(p, out);
	ck_assert_str_eq(out, "short");
	/* Seven bytes and the NUL fit. */
	p = subprotocol_pick("abcdefg", "abcdefg", out, sizeof(out));
	ck_assert_ptr_eq(p, out);
	ck_assert_str_eq(out, "abcdefg");
	ck_assert_ptr_null(subprotocol_pick("abcdefgh", "abcdefgh", out,
	    sizeof(out)));
}
END_TEST

Suite *
subprotocol_suite(void)
{
	Suite	*s = suite_create("subprotocol");
	TCase	*tc = tcase_create("pick");

	tcase_add_loop_test(tc, test_pick, 0, nitems(picks));
	tcase_add_test(tc, test_long_name);
	suite_add_tcase(s, tc);
	return (s);
}
