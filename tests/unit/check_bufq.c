/*
 * check_bufq.c: the backend queue writes complete messages only, in order,
 * across short writes, and drops an unfinished one whole.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bufq.h"
#include "check_suites.h"

static int	 sv[2];

static void
setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
}

static void
teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

static size_t
drain(char *buf, size_t size)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < size && (n = read(sv[1], buf + got, size - got)) > 0)
		got += (size_t)n;
	return (got);
}

START_TEST(test_partial_waits)
{
	struct bufq	 q = { 0 };
	char		 buf[64];

	ck_assert_int_eq(bufq_append(&q, "hel", 3, 0), 0);
	ck_assert(bufq_empty(&q));
	ck_assert_int_eq(bufq_flush(&q, sv[0]), 0);
	ck_assert_int_eq(bufq_append(&q, "lo", 2, 1), 0);
	ck_assert(!bufq_empty(&q));
	ck_assert_int_eq(bufq_flush(&q, sv[0]), 5);
	ck_assert(bufq_empty(&q));
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);
}
END_TEST

START_TEST(test_drop_partial)
{
	struct bufq	 q = { 0 };
	char		 buf[64];

	bufq_append(&q, "one", 3, 1);
	bufq_append(&q, "tw", 2, 0);
	bufq_append(&q, "o-", 2, 0);
	ck_assert_uint_eq(bufq_drop_partial(&q), 4);
	bufq_append(&q, "three", 5, 1);
	ck_assert_int_eq(bufq_flush(&q, sv[0]), 8);
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 8);
	ck_assert(memcmp(buf, "onethree", 8) == 0);
	ck_assert_uint_eq(bufq_clear(&q), 0);
}
END_TEST

/* Fill the socket, then drain it bit by bit: every byte once, in order. */
START_TEST(test_short_writes_keep_order)
{
	struct bufq	 q = { 0 };
	static char	 out[1 << 20], in[1 << 20];
	size_t		 i, got = 0;
	ssize_t		 n;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 251);
	for (i = 0; i < sizeof(out); i += 1000)
		ck_assert_int_eq(bufq_append(&q, out + i, sizeof(out) - i <
		    1000 ? sizeof(out) - i : 1000, 1), 0);
	while (!bufq_empty(&q) || got < sizeof(in)) {
		n = bufq_flush(&q, sv[0]);
		ck_assert(n >= 0 || errno == EAGAIN);
		n = read(sv[1], in + got, 4096);
		if (n > 0)
			got += (size_t)n;
	}
	ck_assert_uint_eq(got, sizeof(in));
	ck_assert(memcmp(in, out, sizeof(in)) == 0);
	ck_assert_uint_eq(q.bq_bytes, 0);
}
END_TEST

START_TEST(test_clear_counts_everything)
{
	struct bufq	 q = { 0 };

	bufq_append(&q, "abc", 3, 1);
	bufq_append(&q, "de", 2, 0);
	ck_assert_uint_eq(bufq_clear(&q), 5);
	ck_assert(bufq_empty(&q));
	ck_assert_uint_eq(bufq_clear(&q), 0);
}
END_TEST

START_TEST(test_dead_peer_is_epipe)
{
	struct bufq	 q = { 0 };

	close(sv[1]);
	sv[1] = open("/dev/null", O_RDONLY);
	bufq_append(&q, "x", 1, 1);
	ck_assert_int_eq(bufq_flush(&q, sv[0]), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_uint_eq(bufq_clear(&q), 1);
}
END_TEST

Suite *
bufq_suite(void)
{
	Suite	*s = suite_create("bufq");
	TCase	*tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_partial_waits);
	tcase_add_test(tc, test_drop_partial);
	tcase_add_test(tc, test_short_writes_keep_order);
	tcase_add_test(tc, test_clear_counts_everything);
	tcase_add_test(tc, test_dead_peer_is_epipe);
	suite_add_tcase(s, tc);
	return (s);
}
