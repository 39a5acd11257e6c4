/*
 * fuzz_framing: framing_decode() for one mode (FUZZ_FRAMING, set by the
 * build), on arbitrary backend output.
 *
 * Input: two bytes of max_message_size, one of flags (bit 0: raw and
 * lines send text), one chunk size for incremental feeding, then the
 * stream.  For seqpacket the stream is split into datagrams at each 0xff.
 *
 * Checked: a message's payload lies inside the bytes it used and within
 * max_message_size, text is UTF-8, a close code is one RFC 6455 allows;
 * and the stream modes decode the same messages, with the same results,
 * whether the stream arrives whole or CHUNK bytes at a time as session.c
 * feeds it (decode from the consumed offset until NEED_MORE, then read).
 * Every message framing_wrap() frames decodes back to itself.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

#define MAXMSG	64	/* messages remembered for the comparison */

struct result {
	enum framing_result	 r;
	struct framing_msg	 m;
};

static void
check_msg(const unsigned char *buf, size_t len, size_t max,
    enum framing_result r, const struct framing_msg *m)
{
	switch (r) {
	case FRAMING_NEED_MORE:
		assert(FUZZ_FRAMING != FRAMING_SEQPACKET);
		break;
	case FRAMING_MESSAGE:
		assert(m->fm_used > 0 && m->fm_used <= len);
		assert(m->fm_off + m->fm_len <= m->fm_used);
		assert(m->fm_len <= max || FUZZ_FRAMING == FRAMING_RAW);
		if (m->fm_text && FUZZ_FRAMING != FRAMING_RAW)
			assert(framing_utf8_valid(buf + m->fm_off, m->fm_len));
		break;
	case FRAMING_CLOSE:
		assert(FUZZ_FRAMING == FRAMING_LENGTH ||
		    FUZZ_FRAMING == FRAMING_SEQPACKET);
		assert(m->fm_used > 0 && m->fm_used <= len);
		/* An empty close has no reason to point at. */
		assert(m->fm_len == 0 || m->fm_off + m->fm_len <= m->fm_used);
		assert(m->fm_len <= 123);
		assert(framing_close_code_valid(m->fm_code));
		assert(framing_utf8_valid(buf + m->fm_off, m->fm_len));
		break;
	case FRAMING_TOO_BIG:
	case FRAMING_BAD:
		assert(m->fm_fault != NULL);
		break;
	}
}

static int
same(const struct result *a, const struct result *b)
{
	if (a->r != b->r)
		return (0);
	if (a->r != FRAMING_MESSAGE && a->r != FRAMING_CLOSE)
		return (1);
	return (a->m.fm_off == b->m.fm_off && a->m.fm_len == b->m.fm_len &&
	    a->m.fm_used == b->m.fm_used && a->m.fm_text == b->m.fm_text &&
	    a->m.fm_code == b->m.fm_code);
}

/*
 * Decode BUF[0..LEN) from *OFF on until it needs more or ends; results go
 * to OUT from *N on.  Returns 1 once a result ends the stream.
 */
static int
drain(const unsigned char *buf, size_t len, size_t *off, size_t max,
    int text, struct result *out, size_t *n)
{
	struct result	 res;

	while (*n < MAXMSG) {
		res.r = framing_decode(FUZZ_FRAMING, buf + *off, len - *off, max,
		    text, &res.m);
		check_msg(buf + *off, len - *off, max, res.r, &res.m);
		if (res.r == FRAMING_NEED_MORE)
			return (0);
		out[(*n)++] = res;
		if (res.r != FRAMING_MESSAGE)
			return (1);
		*off += res.m.fm_used;
	}
	return (1);
}

static void
stream(const unsigned char *buf, size_t len, size_t max, int text,
    size_t chunk)
{
	struct result	 whole[MAXMSG], parts[MAXMSG];
	size_t		 nw = 0, np = 0, off = 0, have, i, total = 0;
	int		 ended;

	(void)drain(buf, len, &off, max, text, whole, &nw);
	off = 0;
	ended = 0;
	for (have = 0; have < len && !ended; ) {
		have = len - have < chunk ? len : have + chunk;
		ended = drain(buf, have, &off, max, text, parts, &np);
	}
	if (FUZZ_FRAMING == FRAMING_RAW) {
		/* No boundaries: the same bytes, in order, once each. */
		for (i = 0; i < np; i++) {
			assert(parts[i].r == FRAMING_MESSAGE);
			total += parts[i].m.fm_len;
		}
		assert(total == len || np == MAXMSG);
		return;
	}
	assert(nw == np);
	for (i = 0; i < nw; i++)
		assert(same(&whole[i], &parts[i]));
}

static void
datagrams(const unsigned char *buf, size_t len, size_t max, int text)
{
	struct framing_msg	 m;
	enum framing_result	 r;
	const unsigned char	*p = buf, *end = buf + len, *sep;
	size_t			 n;

	while (p <= end) {
		sep = memchr(p, 0xff, (size_t)(end - p));
		n = (size_t)((sep != NULL ? sep : end) - p);
		r = framing_decode(FUZZ_FRAMING, p, n, max, text, &m);
		check_msg(p, n, max, r, &m);
		assert(r != FRAMING_MESSAGE || m.fm_used == n);
		if (sep == NULL)
			break;
		p = sep + 1;
	}
}

/* PAYLOAD framed toward a backend decodes back to itself. */
static void
roundtrip(const unsigned char *payload, size_t len, size_t max, int text)
{
	unsigned char		*buf, pre[FRAMING_PREFIX_MAX], post[1];
	struct framing_msg	 m;
	enum framing_result	 r;
	size_t			 npre, npost;
	int			 type;

	if (FUZZ_FRAMING == FRAMING_RAW || len > max)
		return;
	if (FUZZ_FRAMING == FRAMING_LINES &&
	    memchr(payload, '\n', len) != NULL)
		return;
	type = text ? FRAMING_TYPE_TEXT : FRAMING_TYPE_BINARY;
	npre = framing_wrap(FUZZ_FRAMING, type, len, pre, post, &npost);
	if ((buf = malloc(npre + len + npost + 1)) == NULL)
		return;
	memcpy(buf, pre, npre);
	memcpy(buf + npre, payload, len);
	memcpy(buf + npre + len, post, npost);
	r = framing_decode(FUZZ_FRAMING, buf, npre + len + npost, max, text,
	    &m);
	if (text && !framing_utf8_valid(payload, len))
		assert(r == FRAMING_BAD);
	else {
		assert(r == FRAMING_MESSAGE);
		assert(m.fm_used == npre + len + npost);
		assert(m.fm_len == len && memcmp(buf + m.fm_off, payload,
		    len) == 0);
		assert(m.fm_text == text);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		 max, chunk, inc;
	int		 text;

	if (size < 4)
		return (0);
	max = (size_t)data[0] << 8 | data[1];
	text = data[2] & 1;
	chunk = data[3] == 0 ? 1 : data[3];
	data += 4;
	size -= 4;
	if (FUZZ_FRAMING == FRAMING_SEQPACKET)
		datagrams(data, size, max, text);
	else
		stream(data, size, max, text, chunk);
	roundtrip(data, size, max, text);
	inc = framing_utf8_incomplete(data, size);
	assert(inc <= 3 && inc <= size);
	if (framing_utf8_valid(data, size))
		assert(inc == 0);
	return (0);
}
