/*
 * check_bufq.c: the backend queue writes complete messages only, in order,
 * across short writes, with their framing around them; drops an
 * unfinished one whole; and on a seqpacket socket sends one message per
 * datagram.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
setup_seqpacket(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK,
	    0, sv), 0);
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

/* A message of one chunk, without framing. */
static int
put(struct bufq *q, const char *s)
{
	if (bufq_append(q, s, strlen(s)) == -1)
		return (-1);
	return (bufq_commit(q, NULL, 0, NULL, 0));
}

START_TEST(test_partial_waits)
{
	struct bufq	 q = { 0 };
	char		 buf[64];

	ck_assert_int_eq(bufq_append(&q, "hel", 3), 0);
	ck_assert(bufq_empty(&q));
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), 0);
	ck_assert_int_eq(bufq_append(&q, "lo", 2), 0);
	ck_assert(bufq_empty(&q));
	ck_assert_uint_eq(q.bq_part_bytes, 5);
	ck_assert_uint_eq(q.bq_bytes, 0);
	ck_assert_int_eq(bufq_commit(&q, NULL, 0, NULL, 0), 0);
	ck_assert(!bufq_empty(&q));
	ck_assert_uint_eq(q.bq_part_bytes, 0);
	ck_assert_uint_eq(q.bq_bytes, 5);
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), 5);
	ck_assert(bufq_empty(&q));
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);
}
END_TEST

START_TEST(test_drop_partial)
{
	struct bufq	 q = { 0 };
	char		 buf[64];

	put(&q, "one");
	bufq_append(&q, "tw", 2);
	bufq_append(&q, "o-", 2);
	ck_assert_uint_eq(bufq_drop_partial(&q), 4);
	ck_assert_uint_eq(bufq_drop_partial(&q), 0);
	put(&q, "three");
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), 8);
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 8);
	ck_assert(memcmp(buf, "onethree", 8) == 0);
	ck_assert_uint_eq(bufq_clear(&q), 0);
}
END_TEST

/*
 * An empty message in a mode that adds nothing (raw) is no message; with
 * a prefix (length) it is the prefix alone.
 */
START_TEST(test_empty_message)
{
	struct bufq	 q = { 0 };
	char		 buf[16];

	ck_assert_int_eq(bufq_commit(&q, NULL, 0, NULL, 0), 0);
	ck_assert(bufq_empty(&q));
	ck_assert_int_eq(bufq_commit(&q, "\x01\0\0\0\0", 5, NULL, 0), 0);
	ck_assert(!bufq_empty(&q));
	ck_assert_uint_eq(q.bq_bytes, 5);
	ck_assert_int_eq(bufq_commit(&q, NULL, 0, "\n", 1), 0);
	ck_assert_uint_eq(q.bq_bytes, 6);
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), 6);
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 6);
	ck_assert(memcmp(buf, "\x01\0\0\0\0\n", 6) == 0);
}
END_TEST

/*
 * Framed messages (prefix, chunks, suffix) filling the socket many times
 * over, drained bit by bit: every byte once, in order, each message's
 * prefix before its chunks and its suffix after them.
 */
#define FR_MSGS		3000
#define FR_MAX		700

START_TEST(test_framed_short_writes)
{
	struct bufq	 q = { 0 };
	unsigned char	 pre[5], chunk[FR_MAX];
	unsigned char	*out, *in;
	size_t		 olen = 0, got = 0, len, off, c, i;
	unsigned int	 seed = 1;
	ssize_t		 n;
	int		 m;

	out = malloc(FR_MSGS * (FR_MAX + 6));
	in = malloc(FR_MSGS * (FR_MAX + 6));
	ck_assert(out != NULL && in != NULL);
	for (m = 0; m < FR_MSGS; m++) {
		len = (size_t)rand_r(&seed) % FR_MAX;
		pre[0] = (unsigned char)(1 + m % 2);
		pre[1] = pre[2] = 0;
		pre[3] = (unsigned char)(len >> 8);
		pre[4] = (unsigned char)len;
		memcpy(out + olen, pre, 5);
		olen += 5;
		for (i = 0; i < len; i++)
			chunk[i] = (unsigned char)(m * 31 + i);
		/* The payload in chunks of random sizes, 0 included. */
		for (off = 0; off < len; off += c) {
			c = (size_t)rand_r(&seed) % (len - off + 1);
			ck_assert_int_eq(bufq_append(&q, chunk + off, c), 0);
		}
		memcpy(out + olen, chunk, len);
		olen += len;
		ck_assert_int_eq(bufq_commit(&q, pre, 5, "\n", 1), 0);
		out[olen++] = '\n';
	}
	ck_assert_uint_eq(q.bq_bytes, olen);
	while (!bufq_empty(&q) || got < olen) {
		n = bufq_flush(&q, sv[0], 0);
		ck_assert(n >= 0 || errno == EAGAIN);
		n = read(sv[1], in + got, 1 + (size_t)rand_r(&seed) % 4096);
		if (n > 0)
			got += (size_t)n;
		/* What is neither queued nor read is in the socket. */
		ck_assert_uint_le(q.bq_bytes + got, olen);
	}
	ck_assert_uint_eq(got, olen);
	ck_assert(memcmp(in, out, olen) == 0);
	ck_assert_uint_eq(q.bq_bytes, 0);
	free(out);
	free(in);
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
	for (i = 0; i < sizeof(out); i += 1000) {
		ck_assert_int_eq(bufq_append(&q, out + i, sizeof(out) - i <
		    1000 ? sizeof(out) - i : 1000), 0);
		ck_assert_int_eq(bufq_commit(&q, NULL, 0, NULL, 0), 0);
	}
	while (!bufq_empty(&q) || got < sizeof(in)) {
		n = bufq_flush(&q, sv[0], 0);
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

	put(&q, "abc");
	bufq_append(&q, "de", 2);
	ck_assert_uint_eq(bufq_clear(&q), 5);
	ck_assert(bufq_empty(&q));
	ck_assert_uint_eq(q.bq_part_bytes, 0);
	ck_assert_uint_eq(bufq_clear(&q), 0);
}
END_TEST

START_TEST(test_dead_peer_is_epipe)
{
	struct bufq	 q = { 0 };

	close(sv[1]);
	sv[1] = open("/dev/null", O_RDONLY);
	put(&q, "x");
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_uint_eq(bufq_clear(&q), 1);
}
END_TEST

/* bufq_drop_first takes the first message, prefix to suffix, and no more. */
START_TEST(test_drop_first)
{
	struct bufq	 q = { 0 };
	char		 buf[64];

	bufq_append(&q, "ab", 2);
	bufq_append(&q, "cd", 2);
	bufq_commit(&q, "<", 1, ">", 1);
	bufq_append(&q, "ef", 2);
	bufq_commit(&q, "<", 1, ">", 1);
	bufq_append(&q, "gh", 2);		/* unfinished: stays */
	ck_assert_uint_eq(q.bq_bytes, 10);
	ck_assert_uint_eq(bufq_drop_first(&q), 6);
	ck_assert_uint_eq(q.bq_bytes, 4);
	ck_assert_uint_eq(q.bq_part_bytes, 2);
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), 4);
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 4);
	ck_assert(memcmp(buf, "<ef>", 4) == 0);
	/* The last one: the tail goes too, so a new message still links. */
	bufq_commit(&q, NULL, 0, NULL, 0);	/* "gh" */
	ck_assert_uint_eq(bufq_drop_first(&q), 2);
	ck_assert(bufq_empty(&q));
	ck_assert_ptr_null(q.bq_tail);
	ck_assert_uint_eq(q.bq_bytes, 0);
	ck_assert_uint_eq(bufq_drop_first(&q), 0);
	put(&q, "x");
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), 1);
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 1);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_uint_eq(bufq_clear(&q), 0);
}
END_TEST

/*
 * Seqpacket: each sendmsg() carries one message, whatever its chunks, so
 * each recv() gives back exactly one message with its type byte.
 */
static const char *const dgrams[] = {
	"\x01hello", "\x02", "\x01a longer one, in pieces", "\x08\x03\xe8",
	"\x01x",
};
#define NDGRAMS		(sizeof(dgrams) / sizeof(dgrams[0]))

START_TEST(test_one_per_send)
{
	struct bufq	 q = { 0 };
	char		 buf[128];
	const char	*d;
	size_t		 i, len, k;
	ssize_t		 n;

	for (i = 0; i < NDGRAMS; i++) {
		d = dgrams[i];
		len = strlen(d + 1) + 1;
		/* The body in pieces of 3 bytes, then the type as prefix. */
		for (k = 1; k < len; k += 3)
			bufq_append(&q, d + k, len - k < 3 ? len - k : 3);
		ck_assert_int_eq(bufq_commit(&q, d, 1, NULL, 0), 0);
	}
	for (i = 0, k = 0; i < NDGRAMS; i++)
		k += strlen(dgrams[i] + 1) + 1;
	ck_assert_int_eq(bufq_flush(&q, sv[0], 1), (ssize_t)k);
	ck_assert(bufq_empty(&q));
	for (i = 0; i < NDGRAMS; i++) {
		len = strlen(dgrams[i] + 1) + 1;
		n = recv(sv[1], buf, sizeof(buf), 0);
		ck_assert_int_eq(n, (ssize_t)len);
		ck_assert(memcmp(buf, dgrams[i], len) == 0);
	}
	ck_assert_int_eq(recv(sv[1], buf, sizeof(buf), 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

/* Seqpacket, socket full: whole datagrams or none, then the rest. */
START_TEST(test_one_per_send_full)
{
	struct bufq	 q = { 0 };
	char		 msg[1000], buf[2000];
	size_t		 sent = 0, total = 0, rcvd = 0, i;
	ssize_t		 n;
	int		 round;

	for (i = 0; i < 500; i++) {
		memset(msg, (int)i, sizeof(msg));
		bufq_append(&q, msg, 100 + i % 900);
		bufq_commit(&q, NULL, 0, NULL, 0);
		total += 100 + i % 900;
	}
	for (round = 0; !bufq_empty(&q) || rcvd < 500; round++) {
		ck_assert_int_lt(round, 100000);
		n = bufq_flush(&q, sv[0], 1);
		ck_assert(n >= 0 || errno == EAGAIN);
		if (n > 0)
			sent += (size_t)n;
		while ((n = recv(sv[1], buf, sizeof(buf), 0)) > 0) {
			ck_assert_int_eq(n, 100 + rcvd % 900);
			ck_assert_int_eq((unsigned char)buf[0],
			    (unsigned char)rcvd);
			ck_assert_int_eq((unsigned char)buf[n - 1],
			    (unsigned char)rcvd);
			rcvd++;
			if (round % 2 == 0)
				break;	/* drain slowly every other round */
		}
	}
	ck_assert_uint_eq(rcvd, 500);
	ck_assert_uint_eq(sent, total);
	ck_assert_uint_eq(q.bq_bytes, 0);
}
END_TEST

/*
 * A datagram larger than the socket accepts is EMSGSIZE; the caller drops
 * it with bufq_drop_first and the next one goes.
 */
START_TEST(test_emsgsize)
{
	struct bufq	 q = { 0 };
	static char	 big[64 * 1024];
	char		 buf[64];
	int		 sz = 4096;

	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)), 0);
	memset(big, 'b', sizeof(big));
	bufq_append(&q, big, sizeof(big));
	bufq_commit(&q, "\x02", 1, NULL, 0);
	put(&q, "\x01ok");
	ck_assert_int_eq(bufq_flush(&q, sv[0], 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(q.bq_bytes, sizeof(big) + 1 + 3);
	ck_assert_uint_eq(bufq_drop_first(&q), sizeof(big) + 1);
	ck_assert_int_eq(bufq_flush(&q, sv[0], 1), 3);
	ck_assert_int_eq(recv(sv[1], buf, sizeof(buf), 0), 3);
	ck_assert(memcmp(buf, "\x01ok", 3) == 0);
}
END_TEST

/*
 * More chunks than one sendmsg() takes: a stream gets them all over
 * several calls; a datagram cannot be cut, so it is EMSGSIZE.
 */
#define MANY_CHUNKS	1500

START_TEST(test_many_chunks)
{
	struct bufq	 q = { 0 };
	static char	 in[MANY_CHUNKS];
	size_t		 i;
	char		 c;

	for (i = 0; i < MANY_CHUNKS; i++) {
		c = (char)('a' + i % 26);
		bufq_append(&q, &c, 1);
	}
	bufq_commit(&q, NULL, 0, NULL, 0);
	ck_assert_int_eq(bufq_flush(&q, sv[0], 0), MANY_CHUNKS);
	ck_assert_uint_eq(drain(in, sizeof(in)), MANY_CHUNKS);
	for (i = 0; i < MANY_CHUNKS; i++)
		ck_assert_int_eq(in[i], 'a' + i % 26);

	for (i = 0; i < MANY_CHUNKS; i++)
		bufq_append(&q, "z", 1);
	bufq_commit(&q, NULL, 0, NULL, 0);
	ck_assert_int_eq(bufq_flush(&q, sv[0], 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(bufq_drop_first(&q), MANY_CHUNKS);
	ck_assert(bufq_empty(&q));
}
END_TEST

Suite *
bufq_suite(void)
{
	Suite	*s = suite_create("bufq");
	TCase	*tc = tcase_create("stream");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_partial_waits);
	tcase_add_test(tc, test_drop_partial);
	tcase_add_test(tc, test_empty_message);
	tcase_add_test(tc, test_framed_short_writes);
	tcase_add_test(tc, test_short_writes_keep_order);
	tcase_add_test(tc, test_clear_counts_everything);
	tcase_add_test(tc, test_dead_peer_is_epipe);
	tcase_add_test(tc, test_drop_first);
	tcase_add_test(tc, test_many_chunks);
	suite_add_tcase(s, tc);

	tc = tcase_create("seqpacket");
	tcase_add_checked_fixture(tc, setup_seqpacket, teardown);
	tcase_add_test(tc, test_one_per_send);
	tcase_add_test(tc, test_one_per_send_full);
	tcase_add_test(tc, test_emsgsize);
	suite_add_tcase(s, tc);
	return (s);
}
