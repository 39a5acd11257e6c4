/*
 * check_framing.c: text messages never end inside a UTF-8 character.
 */
#include <string.h>

#include "check_suites.h"
#include "framing.h"

static const struct {
	const char	*bytes;
	size_t		 hold;
} utf8_cases[] = {
	{ "", 0 },
	{ "abc", 0 },
	{ "ab\xc3", 1 },		/* first byte of a 2-byte character */
	{ "ab\xc3\xa9", 0 },		/* complete e-acute */
	{ "\xe2\x82", 2 },		/* 2 of 3 bytes of the euro sign */
	{ "\xe2\x82\xac", 0 },
	{ "x\xf0\x9f\x98", 3 },		/* 3 of 4 bytes of an emoji */
	{ "\xf0\x9f\x98\x80", 0 },
	{ "\x80\x80\x80\x80\x80", 0 },	/* invalid: the client decides */
	{ "a\xff", 0 },
};

START_TEST(test_utf8_incomplete)
{
	const char	*b = utf8_cases[_i].bytes;

	ck_assert_uint_eq(framing_utf8_incomplete((const unsigned char *)b,
	    strlen(b)), utf8_cases[_i].hold);
}
END_TEST

/* Split a text at every byte: the held bytes always restart a character. */
START_TEST(test_utf8_every_split)
{
	const char	*text = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80!";
	size_t		 len = strlen(text), cut, hold;

	for (cut = 0; cut <= len; cut++) {
		hold = framing_utf8_incomplete((const unsigned char *)text,
		    cut);
		ck_assert_uint_le(hold, 3);
		ck_assert_uint_le(hold, cut);
		/* What is sent ends on a character boundary. */
		ck_assert((((unsigned char)text[cut - hold]) & 0xc0) != 0x80 ||
		    cut - hold == len);
	}
}
END_TEST

Suite *
framing_suite(void)
{
	Suite	*s = suite_create("framing");
	TCase	*tc = tcase_create("utf8");

	tcase_add_loop_test(tc, test_utf8_incomplete, 0,
	    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tc, test_utf8_every_split);
	suite_add_tcase(s, tc);
	return (s);
}
