/*
 * check_framing.c: the framing codecs of design.md ("What the backend
 * receives").  Every mode is encoded, then decoded back, from one piece,
 * byte by byte and in random chunks (fixed seeds, so a failure repeats);
 * malformed input ends in FRAMING_BAD or FRAMING_TOO_BIG without waiting
 * for a payload; and text messages never end inside a UTF-8 character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "framing.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * UTF-8.
 */

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
		/* And is valid UTF-8, as is what is held with the rest. */
		ck_assert(framing_utf8_valid((const unsigned char *)text,
		    cut - hold));
		ck_assert(framing_utf8_valid((const unsigned char *)text +
		    cut - hold, len - (cut - hold)));
	}
}
END_TEST

/* Lengths are explicit: some cases hold a NUL. */
static const struct {
	const char	*bytes;
	size_t		 len;
	int		 valid;
} utf8_valid_cases[] = {
	{ "", 0, 1 },
	{ "abc", 3, 1 },
	{ "a\0b", 3, 1 },
	{ "\x7f", 1, 1 },
	{ "\xc2\x80", 2, 1 },			/* U+0080, smallest 2-byte */
	{ "\xdf\xbf", 2, 1 },			/* U+07FF */
	{ "\xe0\xa0\x80", 3, 1 },		/* U+0800, smallest 3-byte */
	{ "\xed\x9f\xbf", 3, 1 },		/* U+D7FF, before surrogates */
	{ "\xee\x80\x80", 3, 1 },		/* U+E000, after them */
	{ "\xef\xbf\xbf", 3, 1 },		/* U+FFFF */
	{ "\xf0\x90\x80\x80", 4, 1 },		/* U+10000 */
	{ "\xf4\x8f\xbf\xbf", 4, 1 },		/* U+10FFFF, the last */
	{ "h\xc3\xa9llo \xe2\x82\xac", 11, 1 },
	/* Overlong forms. */
	{ "\xc0\x80", 2, 0 },			/* NUL in 2 bytes */
	{ "\xc1\xbf", 2, 0 },
	{ "\xe0\x80\x80", 3, 0 },
	{ "\xe0\x9f\xbf", 3, 0 },		/* U+07FF in 3 bytes */
	{ "\xf0\x80\x80\x80", 4, 0 },
	{ "\xf0\x8f\xbf\xbf", 4, 0 },		/* U+FFFF in 4 bytes */
	/* UTF-16 surrogates. */
	{ "\xed\xa0\x80", 3, 0 },		/* U+D800 */
	{ "\xed\xbf\xbf", 3, 0 },		/* U+DFFF */
	{ "\xed\xa0\xbd\xed\xb8\x80", 6, 0 },	/* a CESU-8 pair */
	/* Past U+10FFFF, and bytes that never start a character. */
	{ "\xf4\x90\x80\x80", 4, 0 },		/* U+110000 */
	{ "\xf5\x80\x80\x80", 4, 0 },
	{ "\xf7\xbf\xbf\xbf", 4, 0 },
	{ "\xf8\x88\x80\x80\x80", 5, 0 },
	{ "\xfc\x84\x80\x80\x80\x80", 6, 0 },
	{ "\xfe", 1, 0 },
	{ "\xff", 1, 0 },
	/* Cut short, or a continuation where none belongs. */
	{ "\xc3", 1, 0 },
	{ "a\xc3", 2, 0 },
	{ "\xe2\x82", 2, 0 },
	{ "\xf0\x9f\x98", 3, 0 },
	{ "\xe2\x82" "a", 3, 0 },
	{ "\xc3\x28", 2, 0 },
	{ "\x80", 1, 0 },
	{ "a\xbf" "b", 3, 0 },
	{ "\xc3\xa9\xa9", 3, 0 },
	{ "\xf0\x9f\x98\x80\x80", 5, 0 },
};

START_TEST(test_utf8_valid)
{
	ck_assert_msg(framing_utf8_valid((const unsigned char *)
	    utf8_valid_cases[_i].bytes, utf8_valid_cases[_i].len) ==
	    utf8_valid_cases[_i].valid, "case %d: expected %s", _i,
	    utf8_valid_cases[_i].valid ? "valid" : "invalid");
}
END_TEST

/* The length given is the length read: nothing past it is looked at. */
START_TEST(test_utf8_valid_bounds)
{
	static const unsigned char	 b[] = { 'a', 0xc3, 0xa9 };

	ck_assert(framing_utf8_valid(b, 1));
	ck_assert(!framing_utf8_valid(b, 2));
	ck_assert(framing_utf8_valid(b, 3));
}
END_TEST

/*
 * Close codes (RFC 6455 7.4): what may travel in a close frame.
 */
static const struct {
	unsigned int	 code;
	int		 valid;
} close_codes[] = {
	{ 0, 0 }, { 999, 0 }, { 1000, 1 }, { 1001, 1 }, { 1002, 1 },
	{ 1003, 1 }, { 1004, 0 }, { 1005, 0 }, { 1006, 0 }, { 1007, 1 },
	{ 1008, 1 }, { 1009, 1 }, { 1010, 1 }, { 1011, 1 }, { 1012, 1 },
	{ 1013, 1 }, { 1014, 1 }, { 1015, 0 }, { 1016, 0 }, { 2000, 0 },
	{ 2999, 0 }, { 3000, 1 }, { 4001, 1 }, { 4999, 1 }, { 5000, 0 },
	{ 65535, 0 }, { 65536 + 1000, 0 },
};

START_TEST(test_close_code_valid)
{
	ck_assert_msg(framing_close_code_valid(close_codes[_i].code) ==
	    close_codes[_i].valid, "code %u", close_codes[_i].code);
}
END_TEST

/*
 * Encoders: the exact bytes.
 */

START_TEST(test_wrap)
{
	unsigned char	 pre[FRAMING_PREFIX_MAX], post[1];
	size_t		 npost;

	npost = 9;
	ck_assert_uint_eq(framing_wrap(FRAMING_RAW, FRAMING_TYPE_TEXT, 10,
	    pre, post, &npost), 0);
	ck_assert_uint_eq(npost, 0);

	npost = 9;
	ck_assert_uint_eq(framing_wrap(FRAMING_LINES, FRAMING_TYPE_TEXT, 10,
	    pre, post, &npost), 0);
	ck_assert_uint_eq(npost, 1);
	ck_assert_int_eq(post[0], '\n');

	npost = 9;
	ck_assert_uint_eq(framing_wrap(FRAMING_LENGTH, FRAMING_TYPE_BINARY,
	    0x01020304, pre, post, &npost), 5);
	ck_assert_uint_eq(npost, 0);
	ck_assert(memcmp(pre, "\x02\x01\x02\x03\x04", 5) == 0);
	framing_wrap(FRAMING_LENGTH, FRAMING_TYPE_TEXT, 0, pre, post, &npost);
	ck_assert(memcmp(pre, "\x01\0\0\0\0", 5) == 0);
	framing_wrap(FRAMING_LENGTH, FRAMING_TYPE_METADATA, 0xfffffffe, pre,
	    post, &npost);
	ck_assert(memcmp(pre, "\x03\xff\xff\xff\xfe", 5) == 0);

	npost = 9;
	ck_assert_uint_eq(framing_wrap(FRAMING_SEQPACKET, FRAMING_TYPE_TEXT,
	    1000, pre, post, &npost), 1);
	ck_assert_uint_eq(npost, 0);
	ck_assert_int_eq(pre[0], FRAMING_TYPE_TEXT);
}
END_TEST

static const struct {
	enum route_framing f;
	uint16_t	 code;
	const char	*reason;
	const char	*bytes;
	size_t		 len;
} closes[] = {
	{ FRAMING_RAW, 1000, "bye", "", 0 },
	{ FRAMING_LINES, 1000, "bye", "", 0 },
	{ FRAMING_LENGTH, 4002, "bye", "\x08\0\0\0\x05\x0f\xa2" "bye", 10 },
	{ FRAMING_LENGTH, 1000, "", "\x08\0\0\0\x02\x03\xe8", 7 },
	{ FRAMING_LENGTH, 0, "", "\x08\0\0\0\0", 5 },	/* no code */
	{ FRAMING_SEQPACKET, 4002, "bye", "\x08\x0f\xa2" "bye", 6 },
	{ FRAMING_SEQPACKET, 1001, "", "\x08\x03\xe9", 3 },
	{ FRAMING_SEQPACKET, 0, "", "\x08", 1 },
};

START_TEST(test_close_encode)
{
	unsigned char	 out[FRAMING_CLOSE_MAX];
	size_t		 n;

	n = framing_close(closes[_i].f, closes[_i].code, closes[_i].reason,
	    strlen(closes[_i].reason), out);
	ck_assert_uint_eq(n, closes[_i].len);
	ck_assert(memcmp(out, closes[_i].bytes, n) == 0);
}
END_TEST

/* A reason longer than a control frame holds is cut to 123 bytes. */
START_TEST(test_close_encode_long)
{
	unsigned char	 out[FRAMING_CLOSE_MAX + 16];
	char		 reason[200];
	struct framing_msg m;
	size_t		 n;

	memset(reason, 'r', sizeof(reason));
	memset(out, 0xaa, sizeof(out));
	n = framing_close(FRAMING_LENGTH, 1000, reason, sizeof(reason), out);
	ck_assert_uint_eq(n, FRAMING_CLOSE_MAX);
	ck_assert_int_eq(out[FRAMING_CLOSE_MAX], 0xaa);
	ck_assert_int_eq(framing_decode(FRAMING_LENGTH, out, n, 1 << 20, 0,
	    &m), FRAMING_CLOSE);
	ck_assert_uint_eq(m.fm_len, 123);
	n = framing_close(FRAMING_SEQPACKET, 1000, reason, sizeof(reason),
	    out);
	ck_assert_uint_eq(n, 1 + 125);
	ck_assert_int_eq(framing_decode(FRAMING_SEQPACKET, out, n, 1 << 20,
	    0, &m), FRAMING_CLOSE);
	ck_assert_uint_eq(m.fm_len, 123);
}
END_TEST

/*
 * Round trips.  A message is its type (text, binary or close), its code
 * (close) and its payload (the reason, for close).
 */
#define MAX_MSG		(64 * 1024)
#define NMSGS		300

struct msg {
	int		 type;
	uint16_t	 code;
	size_t		 len;
	unsigned char	*data;
	size_t		 wire;	/* its encoded size */
};

static const uint16_t	 valid_codes[] = { 1000, 1001, 1011, 1013, 3000,
	4001, 4999 };

/*
 * NMSGS random messages for mode F: lines never hold '\n' and are all of
 * type TEXT; close messages (length, seqpacket) carry a valid code and a
 * UTF-8 reason.  Sizes are mostly small, with some empty and some up to
 * BIG bytes.
 */
static struct msg *
gen_msgs(enum route_framing f, unsigned int seed, size_t big)
{
	struct msg	*v;
	size_t		 i, k, r;

	v = calloc(NMSGS, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < NMSGS; i++) {
		r = (size_t)rand_r(&seed) % 100;
		v[i].type = r < 45 ? FRAMING_TYPE_TEXT : FRAMING_TYPE_BINARY;
		if (f == FRAMING_LINES)
			v[i].type = FRAMING_TYPE_TEXT;
		else if (r >= 90 && f != FRAMING_RAW)
			v[i].type = FRAMING_TYPE_CLOSE;
		r = (size_t)rand_r(&seed) % 100;
		v[i].len = r < 10 ? 0 : r < 95 ?
		    (size_t)rand_r(&seed) % 200 :
		    (size_t)rand_r(&seed) % big + 1;
		if (v[i].type == FRAMING_TYPE_CLOSE) {
			v[i].code = valid_codes[(size_t)rand_r(&seed) %
			    nitems(valid_codes)];
			v[i].len %= 61;
		}
		v[i].data = malloc(v[i].len * 2 + 1);
		ck_assert_ptr_nonnull(v[i].data);
		for (k = 0; k < v[i].len; k++) {
			v[i].data[k] = (unsigned char)rand_r(&seed);
			if (f == FRAMING_LINES && v[i].data[k] == '\n')
				v[i].data[k] = '\r';
			/* Text must be UTF-8 (RFC 6455 8.1): ASCII here. */
			if (v[i].type != FRAMING_TYPE_BINARY)
				v[i].data[k] = 0x20 + v[i].data[k] % 0x5f;
		}
		/* A two-byte character in a reason: 2 bytes, 1 character. */
		if (v[i].type == FRAMING_TYPE_CLOSE && v[i].len >= 2) {
			v[i].data[0] = 0xc3;
			v[i].data[1] = 0xa9;
		}
	}
	return (v);
}

static void
free_msgs(struct msg *v)
{
	size_t	 i;

	for (i = 0; i < NMSGS; i++)
		free(v[i].data);
	free(v);
}

/* Append the encoding of M to OUT at *OFF; sets M's wire size. */
static void
encode(enum route_framing f, struct msg *m, unsigned char *out, size_t *off)
{
	unsigned char	 pre[FRAMING_PREFIX_MAX], post[1];
	size_t		 npre, npost, start = *off;

	if (m->type == FRAMING_TYPE_CLOSE) {
		*off += framing_close(f, m->code, (const char *)m->data,
		    m->len, out + *off);
		m->wire = *off - start;
		return;
	}
	npre = framing_wrap(f, m->type, m->len, pre, post, &npost);
	memcpy(out + *off, pre, npre);
	*off += npre;
	memcpy(out + *off, m->data, m->len);
	*off += m->len;
	memcpy(out + *off, post, npost);
	*off += npost;
	m->wire = *off - start;
}

/* Is the decoded M from BUF the expected message X? */
static void
same_msg(enum route_framing f, enum framing_result r, const unsigned char *buf,
    const struct framing_msg *m, const struct msg *x, int text, size_t k)
{
	ck_assert_msg(r == (x->type == FRAMING_TYPE_CLOSE ? FRAMING_CLOSE :
	    FRAMING_MESSAGE), "message %zu: result %d (%s)", k, (int)r,
	    m->fm_fault != NULL ? m->fm_fault : "");
	ck_assert_msg(m->fm_used == x->wire, "message %zu: used %zu of %zu",
	    k, m->fm_used, x->wire);
	ck_assert_msg(m->fm_len == x->len, "message %zu: %zu bytes, not %zu",
	    k, m->fm_len, x->len);
	ck_assert_msg(m->fm_len == 0 || m->fm_off + m->fm_len <= m->fm_used,
	    "message %zu: payload past its end", k);
	ck_assert_msg(memcmp(buf + m->fm_off, x->data, x->len) == 0,
	    "message %zu: other bytes", k);
	if (x->type == FRAMING_TYPE_CLOSE)
		ck_assert_uint_eq(m->fm_code, x->code);
	else if (f == FRAMING_LINES)
		ck_assert_int_eq(m->fm_text, text);
	else
		ck_assert_int_eq(m->fm_text, x->type == FRAMING_TYPE_TEXT);
}

/* How bytes arrive: one at a time, in small, large or random pieces. */
enum chunking { CH_BYTE, CH_SMALL, CH_LARGE, CH_WHOLE, CH__COUNT };

static size_t
next_chunk(enum chunking ch, unsigned int *seed)
{
	switch (ch) {
	case CH_BYTE:
		return (1);
	case CH_SMALL:
		return (1 + (size_t)rand_r(seed) % 7);
	case CH_LARGE:
		return (1 + (size_t)rand_r(seed) % 9000);
	case CH_WHOLE:
	case CH__COUNT:
		break;
	}
	return (SIZE_MAX);
}

static const struct {
	enum route_framing f;
	enum chunking	 ch;
	unsigned int	 seed;
	int		 text;
	size_t		 big;	/* lines rescan a line per read: keep it */
} streams[] = {			/* short when fed byte by byte */
	{ FRAMING_LINES, CH_BYTE, 1, 1, 2000 },
	{ FRAMING_LINES, CH_SMALL, 2, 0, 4000 },
	{ FRAMING_LINES, CH_LARGE, 3, 1, MAX_MSG },
	{ FRAMING_LINES, CH_WHOLE, 4, 1, MAX_MSG },
	{ FRAMING_LENGTH, CH_BYTE, 5, 0, MAX_MSG },
	{ FRAMING_LENGTH, CH_SMALL, 6, 1, MAX_MSG },
	{ FRAMING_LENGTH, CH_LARGE, 7, 0, MAX_MSG },
	{ FRAMING_LENGTH, CH_WHOLE, 8, 0, MAX_MSG },
	{ FRAMING_LENGTH, CH_SMALL, 9, 0, MAX_MSG },
	{ FRAMING_LENGTH, CH_LARGE, 10, 0, MAX_MSG },
};

/*
 * Property: random messages encoded into one stream, then decoded from
 * growing prefixes as reads would deliver them, give back exactly the
 * same messages in order; the decoder waits (NEED_MORE) exactly while the
 * next message is incomplete.
 */
START_TEST(test_stream_roundtrip)
{
	enum route_framing f = streams[_i].f;
	struct framing_msg m;
	enum framing_result r;
	struct msg	*v;
	unsigned char	*stream;
	unsigned int	 seed = streams[_i].seed;
	size_t		 total = 0, have = 0, pos = 0, k = 0, i, step;

	v = gen_msgs(f, seed, streams[_i].big);
	stream = malloc(NMSGS * (MAX_MSG + FRAMING_CLOSE_MAX));
	ck_assert_ptr_nonnull(stream);
	for (i = 0; i < NMSGS; i++)
		encode(f, &v[i], stream, &total);
	while (have < total) {
		step = next_chunk(streams[_i].ch, &seed);
		have += step < total - have ? step : total - have;
		for (;;) {
			r = framing_decode(f, stream + pos, have - pos, MAX_MSG,
			    streams[_i].text, &m);
			if (r == FRAMING_NEED_MORE) {
				ck_assert_msg(k == NMSGS ||
				    have - pos < v[k].wire, "message %zu: "
				    "NEED_MORE with all %zu bytes there", k,
				    v[k].wire);
				break;
			}
			ck_assert_uint_lt(k, NMSGS);
			same_msg(f, r, stream + pos, &m, &v[k],
			    streams[_i].text, k);
			pos += m.fm_used;
			k++;
		}
	}
	ck_assert_uint_eq(k, NMSGS);
	ck_assert_uint_eq(pos, total);
	free(stream);
	free_msgs(v);
}
END_TEST

/* Seqpacket: each message is one datagram, decoded whole. */
START_TEST(test_seqpacket_roundtrip)
{
	struct framing_msg m;
	enum framing_result r;
	struct msg	*v;
	unsigned char	*dgram;
	size_t		 len, i;

	v = gen_msgs(FRAMING_SEQPACKET, 11, MAX_MSG);
	dgram = malloc(MAX_MSG + FRAMING_CLOSE_MAX);
	ck_assert_ptr_nonnull(dgram);
	for (i = 0; i < NMSGS; i++) {
		len = 0;
		encode(FRAMING_SEQPACKET, &v[i], dgram, &len);
		ck_assert_uint_eq(len, v[i].len + (v[i].type ==
		    FRAMING_TYPE_CLOSE ? 3 : 1));
		r = framing_decode(FRAMING_SEQPACKET, dgram, len, MAX_MSG, 0,
		    &m);
		same_msg(FRAMING_SEQPACKET, r, dgram, &m, &v[i], 0, i);
	}
	free(dgram);
	free_msgs(v);
}
END_TEST

/*
 * A text message that is not UTF-8 would make the client fail the
 * connection: it is a framing fault; the same bytes as binary are fine.
 */
START_TEST(test_text_must_be_utf8)
{
	static const unsigned char line[] = "caf\xe9\n";	/* Latin-1 */
	static const unsigned char len1[] = "\x01\x00\x00\x00\x02\xc3\x28";
	static const unsigned char len2[] = "\x02\x00\x00\x00\x02\xc3\x28";
	static const unsigned char dg1[] = "\x01\xff";
	struct framing_msg m;

	ck_assert_int_eq(framing_decode(FRAMING_LINES, line, 5, 100, 1, &m),
	    FRAMING_BAD);
	ck_assert_str_eq(m.fm_fault, "text message is not UTF-8");
	ck_assert_int_eq(framing_decode(FRAMING_LINES, line, 5, 100, 0, &m),
	    FRAMING_MESSAGE);
	ck_assert_int_eq(framing_decode(FRAMING_LENGTH, len1, 7, 100, 0, &m),
	    FRAMING_BAD);
	ck_assert_int_eq(framing_decode(FRAMING_LENGTH, len2, 7, 100, 0, &m),
	    FRAMING_MESSAGE);
	ck_assert_int_eq(framing_decode(FRAMING_SEQPACKET, dg1, 2, 100, 0,
	    &m), FRAMING_BAD);
}
END_TEST

/* Raw: whatever has arrived is one message; nothing is a message. */
START_TEST(test_raw_roundtrip)
{
	struct framing_msg m;
	unsigned char	 in[5000], out[5000];
	unsigned int	 seed = 12;
	size_t		 i, have, step, got = 0;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)rand_r(&seed);
	ck_assert_int_eq(framing_decode(FRAMING_RAW, in, 0, 10, 1, &m),
	    FRAMING_NEED_MORE);
	for (have = 0; have < sizeof(in); have += step) {
		step = 1 + (size_t)rand_r(&seed) % 700;
		if (step > sizeof(in) - have)
			step = sizeof(in) - have;
		/* More than max: raw has no messages to be too big. */
		ck_assert_int_eq(framing_decode(FRAMING_RAW, in + have, step,
		    10, 1, &m), FRAMING_MESSAGE);
		ck_assert_uint_eq(m.fm_off, 0);
		ck_assert_uint_eq(m.fm_len, step);
		ck_assert_uint_eq(m.fm_used, step);
		ck_assert_int_eq(m.fm_text, 1);
		memcpy(out + got, in + have + m.fm_off, m.fm_len);
		got += m.fm_used;
	}
	ck_assert_uint_eq(got, sizeof(in));
	ck_assert(memcmp(in, out, sizeof(in)) == 0);
}
END_TEST

/*
 * Malformed and edge input, as data: the mode, the bytes, the max, and
 * the result; for a message or close, its payload length and close code.
 */
static const struct {
	enum route_framing f;
	const char	*bytes;
	size_t		 len;
	size_t		 max;
	enum framing_result r;
	size_t		 plen;
	uint16_t	 code;
} decodes[] = {
	/* lines: a line of max bytes passes; one more is too big. */
	{ FRAMING_LINES, "abcd\n", 5, 4, FRAMING_MESSAGE, 4, 0 },
	{ FRAMING_LINES, "abcde\n", 6, 4, FRAMING_TOO_BIG, 0, 0 },
	{ FRAMING_LINES, "abcd", 4, 4, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LINES, "abcde", 5, 4, FRAMING_TOO_BIG, 0, 0 },
	{ FRAMING_LINES, "\n", 1, 4, FRAMING_MESSAGE, 0, 0 },
	{ FRAMING_LINES, "", 0, 4, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LINES, "ab\ncdefghij", 11, 4, FRAMING_MESSAGE, 2, 0 },
	{ FRAMING_LINES, "a\r\n", 3, 4, FRAMING_MESSAGE, 2, 0 },

	/* length: a header is judged before its payload arrives. */
	{ FRAMING_LENGTH, "", 0, 10, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LENGTH, "\x01\0\0\0", 4, 10, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LENGTH, "\x00\0\0\0", 4, 10, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LENGTH, "\x01\0\0\0\x0a", 5, 10, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LENGTH, "\x01\0\0\0\x0a" "0123456789", 15, 10,
	    FRAMING_MESSAGE, 10, 0 },
	{ FRAMING_LENGTH, "\x02\0\0\0\0", 5, 10, FRAMING_MESSAGE, 0, 0 },
	{ FRAMING_LENGTH, "\x01\0\0\0\x0b", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x02\xff\xff\xff\xff", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x00\0\0\0\0", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x03\0\0\0\x02{}", 7, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x03\xff\xff\xff\xff", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x09\0\0\0\0", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\xff\0\0\0\x01", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x04\0\0\0\0", 5, 10, FRAMING_BAD, 0, 0 },
	/* length, close: a code, a UTF-8 reason, 125 bytes at most. */
	{ FRAMING_LENGTH, "\x08\0\0\0\0", 5, 10, FRAMING_CLOSE, 0, 1000 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x01", 5, 10, FRAMING_NEED_MORE, 0, 0 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x01\x03", 6, 10, FRAMING_BAD, 0, 0 },
	/* A code cut in half is no code, whatever byte follows it. */
	{ FRAMING_LENGTH, "\x08\0\0\0\x01\x03\xe8", 7, 10, FRAMING_BAD, 0,
	    0 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x7e", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x08\xff\xff\xff\xff", 5, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x02\x03\xe8", 7, 10, FRAMING_CLOSE, 0,
	    1000 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x05\x0f\xa1" "bye", 10, 1,
	    FRAMING_CLOSE, 3, 4001 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x05\x03\xf5" "bad", 10, 10,
	    FRAMING_CLOSE, 3, 1013 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x04\x03\xe8\xc3\xa9", 9, 10,
	    FRAMING_CLOSE, 2, 1000 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x03\x03\xe8\xc3", 8, 10, FRAMING_BAD,
	    0, 0 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x04\x03\xe8\xed\xa0", 9, 10,
	    FRAMING_BAD, 0, 0 },
	{ FRAMING_LENGTH, "\x08\0\0\0\x03\x03\xe8\xff", 8, 10, FRAMING_BAD,
	    0, 0 },

	/* seqpacket: the datagram is the message. */
	{ FRAMING_SEQPACKET, "", 0, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\x01", 1, 10, FRAMING_MESSAGE, 0, 0 },
	{ FRAMING_SEQPACKET, "\x02" "0123456789", 11, 10, FRAMING_MESSAGE,
	    10, 0 },
	{ FRAMING_SEQPACKET, "\x01" "0123456789x", 12, 10, FRAMING_TOO_BIG,
	    0, 0 },
	{ FRAMING_SEQPACKET, "\x00" "x", 2, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\x03{}", 3, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\x09", 1, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\xff" "x", 2, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\x08", 1, 10, FRAMING_CLOSE, 0, 1000 },
	{ FRAMING_SEQPACKET, "\x08\x03", 2, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\x08\x03\xe8", 2, 10, FRAMING_BAD, 0, 0 },
	{ FRAMING_SEQPACKET, "\x08\x0f\xa1" "bye", 6, 1, FRAMING_CLOSE, 3,
	    4001 },
	{ FRAMING_SEQPACKET, "\x08\x03\xe8\xc3", 4, 10, FRAMING_BAD, 0, 0 },
};

START_TEST(test_decode_cases)
{
	struct framing_msg m;
	enum framing_result r;

	r = framing_decode(decodes[_i].f, (const unsigned char *)
	    decodes[_i].bytes, decodes[_i].len, decodes[_i].max, 0, &m);
	ck_assert_msg(r == decodes[_i].r, "case %d: result %d, expected %d "
	    "(%s)", _i, (int)r, (int)decodes[_i].r,
	    m.fm_fault != NULL ? m.fm_fault : "no fault");
	/* A fault always says why, for the log line. */
	ck_assert((r == FRAMING_BAD || r == FRAMING_TOO_BIG) ==
	    (m.fm_fault != NULL));
	if (r != FRAMING_MESSAGE && r != FRAMING_CLOSE)
		return;
	ck_assert_uint_eq(m.fm_len, decodes[_i].plen);
	/* An empty close's reason may point past it: nothing to read. */
	if (m.fm_len > 0)
		ck_assert_uint_le(m.fm_off + m.fm_len, m.fm_used);
	ck_assert_uint_le(m.fm_used, decodes[_i].len);
	if (r == FRAMING_CLOSE)
		ck_assert_uint_eq(m.fm_code, decodes[_i].code);
}
END_TEST

/* The reason of a close message is where fm_off says. */
START_TEST(test_close_reason)
{
	static const unsigned char	 b[] = "\x08\0\0\0\x05\x0f\xa1" "bye";
	struct framing_msg		 m;

	ck_assert_int_eq(framing_decode(FRAMING_LENGTH, b, sizeof(b) - 1, 10,
	    0, &m), FRAMING_CLOSE);
	ck_assert_uint_eq(m.fm_code, 4001);
	ck_assert_uint_eq(m.fm_used, 10);
	ck_assert_uint_eq(m.fm_len, 3);
	ck_assert(memcmp(b + m.fm_off, "bye", 3) == 0);
}
END_TEST

/* Every code, in both modes that carry them: valid ones cross, others BAD. */
static const struct {
	uint16_t	 code;
	int		 ok;
} codes_in[] = {
	{ 0, 0 }, { 999, 0 }, { 1000, 1 }, { 1004, 0 }, { 1005, 0 },
	{ 1006, 0 }, { 1013, 1 }, { 1015, 0 }, { 2000, 0 }, { 3000, 1 },
	{ 4999, 1 }, { 5000, 0 }, { 65535, 0 },
};

START_TEST(test_close_codes_in)
{
	static const enum route_framing	 modes[] = { FRAMING_LENGTH,
		FRAMING_SEQPACKET };
	unsigned char			 out[FRAMING_CLOSE_MAX];
	struct framing_msg		 m;
	enum framing_result		 r;
	size_t				 n, j;

	for (j = 0; j < nitems(modes); j++) {
		/* Built by hand: framing_close() writes no code 0. */
		n = framing_close(modes[j], 1000, "why", 3, out);
		out[n - 5] = (unsigned char)(codes_in[_i].code >> 8);
		out[n - 4] = (unsigned char)codes_in[_i].code;
		r = framing_decode(modes[j], out, n, 10, 0, &m);
		ck_assert_msg(r == (codes_in[_i].ok ? FRAMING_CLOSE :
		    FRAMING_BAD), "mode %d, code %u: result %d", (int)modes[j],
		    (unsigned int)codes_in[_i].code, (int)r);
		if (r == FRAMING_CLOSE) {
			ck_assert_uint_eq(m.fm_code, codes_in[_i].code);
			ck_assert_uint_eq(m.fm_len, 3);
			ck_assert(memcmp(out + m.fm_off, "why", 3) == 0);
		}
	}
}
END_TEST

/* A NEED_MORE leaves nothing of the buffer used. */
START_TEST(test_need_more_uses_nothing)
{
	static const unsigned char	 b[] = "\x01\0\0\0\x03" "ab";
	struct framing_msg		 m;
	size_t				 len;

	for (len = 0; len < sizeof(b) - 1; len++) {
		ck_assert_int_eq(framing_decode(FRAMING_LENGTH, b, len, 10, 0,
		    &m), FRAMING_NEED_MORE);
		ck_assert_uint_eq(m.fm_used, 0);
	}
}
END_TEST

Suite *
framing_suite(void)
{
	Suite	*s = suite_create("framing");
	TCase	*tc = tcase_create("utf8");

	tcase_add_loop_test(tc, test_utf8_incomplete, 0, nitems(utf8_cases));
	tcase_add_test(tc, test_utf8_every_split);
	tcase_add_loop_test(tc, test_utf8_valid, 0, nitems(utf8_valid_cases));
	tcase_add_test(tc, test_utf8_valid_bounds);
	tcase_add_loop_test(tc, test_close_code_valid, 0, nitems(close_codes));
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_wrap);
	tcase_add_loop_test(tc, test_close_encode, 0, nitems(closes));
	tcase_add_test(tc, test_close_encode_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_loop_test(tc, test_stream_roundtrip, 0, nitems(streams));
	tcase_add_test(tc, test_seqpacket_roundtrip);
	tcase_add_test(tc, test_raw_roundtrip);
	tcase_add_test(tc, test_text_must_be_utf8);
	/* Byte by byte under valgrind takes a while. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode_cases, 0, nitems(decodes));
	tcase_add_test(tc, test_close_reason);
	tcase_add_loop_test(tc, test_close_codes_in, 0, nitems(codes_in));
	tcase_add_test(tc, test_need_more_uses_nothing);
	suite_add_tcase(s, tc);
	return (s);
}
