/*
 * check_tokenmap.c: websockify's token files (src/tokenmap.c), their
 * targets (src/target.c) and allow_targets (src/allow.c): parsing with
 * FILE:LINE errors, lookup, loading a directory, and which targets a rule
 * allows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "check_suites.h"
#include "target.h"
#include "tokenmap.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* TEXT as file "t.map": the error count, the messages in *MSGS. */
static int
parse(const char *text, struct tokenmap *tm, char **msgs)
{
	size_t	 len;
	FILE	*errs;
	int	 n;

	memset(tm, 0, sizeof(*tm));
	errs = open_memstream(msgs, &len);
	ck_assert_ptr_nonnull(errs);
	n = tokenmap_parse("t.map", text, tm, errs);
	fclose(errs);
	return (n);
}

static const char *
text_of(const struct target *tg, char *buf)
{
	return (target_text(tg, buf, TARGET_TEXT_MAX));
}

START_TEST(test_map_lines)
{
	struct tokenmap	 tm;
	char		*msgs, buf[TARGET_TEXT_MAX];
	int		 n;

	n = parse("# a comment\n\n  \t\n"
	    "vnc1: 127.0.0.1:5901\n"
	    "  vnc2:   10.0.0.7:5900  \r\n"
	    "six: [::1]:5902\n"
	    "local: localhost:5903\n"
	    "sock: unix:/run/vnc/a.sock\n"
	    "last: 192.168.1.1:1", &tm, &msgs);
	ck_assert_str_eq(msgs, "");
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(tm.tm_n, 6);
	ck_assert_str_eq(tm.tm_v[0].te_token, "vnc1");
	ck_assert_str_eq(text_of(&tm.tm_v[0].te_target, buf), "127.0.0.1:5901");
	ck_assert_str_eq(tm.tm_v[1].te_token, "vnc2");
	ck_assert_str_eq(text_of(&tm.tm_v[1].te_target, buf), "10.0.0.7:5900");
	ck_assert_str_eq(text_of(&tm.tm_v[2].te_target, buf), "[::1]:5902");
	ck_assert_str_eq(text_of(&tm.tm_v[3].te_target, buf), "127.0.0.1:5903");
	ck_assert_int_eq(tm.tm_v[4].te_target.tg_family, TARGET_UNIX);
	ck_assert_str_eq(tm.tm_v[4].te_target.tg_path, "/run/vnc/a.sock");
	ck_assert_str_eq(text_of(&tm.tm_v[5].te_target, buf), "192.168.1.1:1");
	tokenmap_free(&tm);
	free(msgs);
}
END_TEST

static const struct {
	const char	*text;
	const char	*msgs;
} map_errors[] = {
	{ "vnc1 127.0.0.1:5901\n", "t.map:1: not 'token: target'\n" },
	{ "vnc1:127.0.0.1:5901\n", "t.map:1: not 'token: target'\n" },
	{ ": 127.0.0.1:5901\n", "t.map:1: not 'token: target'\n" },
	{ "a: b: 127.0.0.1:1\n", "t.map:1: not 'token: target'\n" },
	{ "\n# x\nvnc: 127.0.0.1\n", "t.map:3: '127.0.0.1' is not HOST:PORT, "
	    "[IPV6]:PORT or unix:/PATH\n" },
	{ "vnc: 127.0.0.1:0\n", "t.map:1: '127.0.0.1:0' is not HOST:PORT, "
	    "[IPV6]:PORT or unix:/PATH\n" },
	{ "vnc: 127.0.0.1:65536\n", "t.map:1: '127.0.0.1:65536' is not "
	    "HOST:PORT, [IPV6]:PORT or unix:/PATH\n" },
	{ "vnc: [::1:5901\n", "t.map:1: '[::1:5901' is not HOST:PORT, "
	    "[IPV6]:PORT or unix:/PATH\n" },
	{ "vnc: vnc.example.com:5901\n", "t.map:1: 'vnc.example.com' is not "
	    "an IP address (names are not looked up in a token map)\n" },
	{ "vnc: unix:relative.sock\n", "t.map:1: 'unix:relative.sock' is not "
	    "HOST:PORT, [IPV6]:PORT or unix:/PATH\n" },
	{ "ok: 127.0.0.1:1\nbad\nok2: 127.0.0.1:2\nworse: x\n",
	    "t.map:2: not 'token: target'\n"
	    "t.map:4: 'x' is not HOST:PORT, [IPV6]:PORT or unix:/PATH\n" },
};

START_TEST(test_map_errors)
{
	struct tokenmap	 tm;
	char		*msgs;
	const char	*p;
	int		 n, lines = 0;

	n = parse(map_errors[_i].text, &tm, &msgs);
	ck_assert_str_eq(msgs, map_errors[_i].msgs);
	for (p = msgs; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ck_assert_int_eq(n, lines);
	tokenmap_free(&tm);
	free(msgs);
}
END_TEST

START_TEST(test_map_long_line)
{
	struct tokenmap	 tm;
	char		 text[2048], *msgs;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ck_assert_int_eq(parse(text, &tm, &msgs), 1);
	ck_assert_str_eq(msgs, "t.map:1: a line longer than 1024 bytes\n");
	tokenmap_free(&tm);
	free(msgs);
}
END_TEST

/* A directory: its files in name order, dot files skipped; lookup. */
START_TEST(test_map_load_dir)
{
	struct tokenmap		 tm;
	const struct target	*tg;
	char			 buf[TARGET_TEXT_MAX];

	ck_assert_int_eq(tokenmap_load(TEST_DATA "/tokens", &tm, stderr), 0);
	ck_assert_uint_eq(tm.tm_n, 3);
	tg = tokenmap_lookup(&tm, "alice");
	ck_assert_ptr_nonnull(tg);
	ck_assert_str_eq(text_of(tg, buf), "127.0.0.1:5901");
	tg = tokenmap_lookup(&tm, "carol");
	ck_assert_ptr_nonnull(tg);
	ck_assert_str_eq(text_of(tg, buf), "[::1]:5902");
	ck_assert_ptr_nonnull(tokenmap_lookup(&tm, "bob"));
	ck_assert_ptr_null(tokenmap_lookup(&tm, "dave"));	/* .hidden */
	ck_assert_ptr_null(tokenmap_lookup(&tm, "Alice"));
	ck_assert_ptr_null(tokenmap_lookup(&tm, ""));
	ck_assert_uint_ne(tm.tm_stamp, 0);
	ck_assert_uint_eq(tm.tm_stamp, tokenmap_stamp(TEST_DATA "/tokens"));
	tokenmap_free(&tm);
	ck_assert_int_eq(tokenmap_load(TEST_DATA "/tokens/a.conf", &tm,
	    stderr), 0);
	ck_assert_uint_eq(tm.tm_n, 2);
	tokenmap_free(&tm);
}
END_TEST

START_TEST(test_map_load_errors)
{
	struct tokenmap	 tm;
	char		*msgs;
	size_t		 len;
	FILE		*errs;

	errs = open_memstream(&msgs, &len);
	ck_assert_int_eq(tokenmap_load(TEST_DATA "/no-such-map", &tm, errs),
	    1);
	fclose(errs);
	ck_assert_str_eq(msgs, TEST_DATA "/no-such-map: No such file or "
	    "directory\n");
	ck_assert_uint_eq(tm.tm_n, 0);
	free(msgs);
}
END_TEST

/* allow_targets: what each rule lets through, and what not. */
static const struct {
	const char	*rules;
	const char	*target;
	int		 allowed;
} allows[] = {
	{ "127.0.0.0/8", "127.0.0.1:5901", 1 },
	{ "127.0.0.0/8", "127.255.255.254:1", 1 },
	{ "127.0.0.0/8", "128.0.0.1:5901", 0 },
	{ "127.0.0.0/8", "[::1]:5901", 0 },
	{ "127.0.0.0/8", "unix:/run/vnc/a.sock", 0 },
	{ "10.1.2.3", "10.1.2.3:80", 1 },
	{ "10.1.2.3", "10.1.2.4:80", 0 },
	{ "10.1.2.3/31", "10.1.2.2:80", 1 },
	{ "10.0.0.0/8:5900-5999", "10.9.9.9:5900", 1 },
	{ "10.0.0.0/8:5900-5999", "10.9.9.9:5999", 1 },
	{ "10.0.0.0/8:5900-5999", "10.9.9.9:6000", 0 },
	{ "10.0.0.0/8:5900-5999", "10.9.9.9:22", 0 },
	{ "10.0.0.1:5901", "10.0.0.1:5901", 1 },
	{ "10.0.0.1:5901", "10.0.0.1:5902", 0 },
	{ "0.0.0.0/0", "203.0.113.9:443", 1 },
	{ "[::1]", "[::1]:5901", 1 },
	{ "[::1]", "[::2]:5901", 0 },
	{ "[::1]", "127.0.0.1:5901", 0 },
	{ "[::1]:5901", "[::1]:5902", 0 },
	{ "[fd00::]/8:5900", "[fd12:3456::1]:5900", 1 },
	{ "[fd00::/8]:5900", "[fd12:3456::1]:5900", 1 },
	{ "[fd00::/8]:5900", "[fe80::1]:5900", 0 },
	{ "unix:/run/vnc/*", "unix:/run/vnc/a.sock", 1 },
	{ "unix:/run/vnc/*", "unix:/run/vnc/sub/a.sock", 0 },
	{ "unix:/run/vnc/*", "unix:/run/other.sock", 0 },
	{ "unix:/run/vnc/*", "127.0.0.1:5901", 0 },
	{ "127.0.0.0/8 [::1] unix:/run/vnc/*", "[::1]:1", 1 },
	{ "127.0.0.0/8 [::1] unix:/run/vnc/*", "unix:/run/vnc/x", 1 },
	{ "127.0.0.0/8 [::1] unix:/run/vnc/*", "192.0.2.1:5901", 0 },
};

START_TEST(test_allow)
{
	struct allow	 al;
	struct target	 tg;
	char		 err[160];

	ck_assert_int_eq(allow_parse(allows[_i].rules, &al, err, sizeof(err)),
	    0);
	ck_assert_int_eq(target_parse(allows[_i].target, &tg, err,
	    sizeof(err)), 0);
	ck_assert_msg(allow_match(&al, &tg) == allows[_i].allowed,
	    "allow_targets = %s: %s should be %s", allows[_i].rules,
	    allows[_i].target, allows[_i].allowed ? "allowed" : "refused");
	allow_free(&al);
}
END_TEST

static const char *const bad_allows[] = {
	"", "   ", "127.0.0.0/33", "127.0.0.1/", "localhost", "10.0.0.0/8:0",
	"10.0.0.0/8:6000-5900", "10.0.0.0/8:70000", "[::1", "[::1]/129",
	"[::1]x", "unix:run/*", "10.0.0.0/8:59x", "1.2.3.4:5-", "::1",
};

START_TEST(test_allow_bad)
{
	struct allow	 al;
	char		 err[160];

	ck_assert_msg(allow_parse(bad_allows[_i], &al, err, sizeof(err)) ==
	    -1, "'%s' accepted", bad_allows[_i]);
	ck_assert_ptr_null(al.al_rules);
	ck_assert(strlen(err) > 0);
}
END_TEST

Suite *
tokenmap_suite(void)
{
	Suite	*s = suite_create("tokenmap");
	TCase	*tc = tcase_create("tokenmap");

	tcase_add_test(tc, test_map_lines);
	tcase_add_loop_test(tc, test_map_errors, 0, (int)nitems(map_errors));
	tcase_add_test(tc, test_map_long_line);
	tcase_add_test(tc, test_map_load_dir);
	tcase_add_test(tc, test_map_load_errors);
	tcase_add_loop_test(tc, test_allow, 0, (int)nitems(allows));
	tcase_add_loop_test(tc, test_allow_bad, 0, (int)nitems(bad_allows));
	suite_add_tcase(s, tc);
	return (s);
}
