/*
 * framing.c: encoders and incremental decoders of the framing modes.
 */
#include <string.h>

#include "framing.h"

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

size_t
framing_wrap(enum route_framing f, int type, size_t len, unsigned char *pre,
    unsigned char *post, size_t *npost)
{
	*npost = 0;
	switch (f) {
	case FRAMING_RAW:
		return (0);
	case FRAMING_LINES:
		post[0] = '\n';
		*npost = 1;
		return (0);
	case FRAMING_LENGTH:
		pre[0] = (unsigned char)type;
		put_be32(pre + 1, (uint32_t)len);
		return (5);
	case FRAMING_SEQPACKET:
		pre[0] = (unsigned char)type;
		return (1);
	}
	return (0);
}

size_t
framing_close(enum route_framing f, uint16_t code, const char *reason,
    size_t rlen, unsigned char *out)
{
	unsigned char	 body[2 + 123];
	size_t		 n, hdr, npost;

	if (f != FRAMING_LENGTH && f != FRAMING_SEQPACKET)
		return (0);
	if (rlen > 123)
		rlen = 123;
	body[0] = (unsigned char)(code >> 8);
	body[1] = (unsigned char)code;
	if (rlen > 0)
		memcpy(body + 2, reason, rlen);
	n = code != 0 ? 2 + rlen : 0;	/* no code: an empty close */
	hdr = framing_wrap(f, FRAMING_TYPE_CLOSE, n, out, NULL, &npost);
	memcpy(out + hdr, body, n);
	return (hdr + n);
}

int
framing_close_code_valid(unsigned int code)
{
	return ((code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) ||
	    (code >= 3000 && code <= 4999));
}

int
framing_utf8_valid(const unsigned char *p, size_t len)
{
	size_t		 i = 0, n, k;
	uint32_t	 c, min;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, c &= 0x07;
		} else
			return (0);
		if (i + n >= len)
			return (0);	/* cut short */
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			c = c << 6 | (p[i + k] & 0x3f);
		}
		/* No overlong forms, surrogates or values past U+10FFFF. */
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

/* A close message's body: an optional code and a UTF-8 reason. */
static enum framing_result
decode_close(const unsigned char *body, size_t n, struct framing_msg *m)
{
	if (n == 0) {
		m->fm_code = 1000;	/* RFC 6455: no code is a normal end */
		return (FRAMING_CLOSE);
	}
	if (n < 2 || n > 125) {
		m->fm_fault = "close message of bad size";
		return (FRAMING_BAD);
	}
	m->fm_code = (uint16_t)(body[0] << 8 | body[1]);
	if (!framing_close_code_valid(m->fm_code)) {
		m->fm_fault = "invalid close code";
		return (FRAMING_BAD);
	}
	if (!framing_utf8_valid(body + 2, n - 2)) {
		m->fm_fault = "close reason is not UTF-8";
		return (FRAMING_BAD);
	}
	return (FRAMING_CLOSE);
}

/*
 * RFC 6455 8.1: a text frame must be UTF-8, or the client fails the
 * connection; a backend's bad text is a framing fault, said as such.
 */
static enum framing_result
decode_text_check(const unsigned char *payload, struct framing_msg *m)
{
	if (m->fm_text && !framing_utf8_valid(payload, m->fm_len)) {
		m->fm_fault = "text message is not UTF-8";
		return (FRAMING_BAD);
	}
	return (FRAMING_MESSAGE);
}

/* Type byte TYPE with a payload of N bytes at BUF + OFF. */
static enum framing_result
decode_typed(int type, size_t off, size_t n, const unsigned char *buf,
    size_t max, struct framing_msg *m)
{
	m->fm_off = off;
	m->fm_len = n;
	switch (type) {
	case FRAMING_TYPE_TEXT:
	case FRAMING_TYPE_BINARY:
		m->fm_text = type == FRAMING_TYPE_TEXT;
		if (n > max) {
			m->fm_fault = "message over max_message_size";
			return (FRAMING_TOO_BIG);
		}
		return (decode_text_check(buf + off, m));
	case FRAMING_TYPE_CLOSE:
		m->fm_off += 2;
		m->fm_len = n >= 2 ? n - 2 : 0;
		return (decode_close(buf + off, n, m));
	case FRAMING_TYPE_METADATA:
		m->fm_fault = "metadata (type 3) goes only toward the backend";
		return (FRAMING_BAD);
	}
	m->fm_fault = "unknown message type";
	return (FRAMING_BAD);
}

enum framing_result
framing_decode(enum route_framing f, const unsigned char *buf, size_t len,
    size_t max, int text, struct framing_msg *m)
{
	const unsigned char	*nl;
	uint32_t		 n;

	memset(m, 0, sizeof(*m));
	m->fm_text = text;
	switch (f) {
	case FRAMING_RAW:
		if (len == 0)
			return (FRAMING_NEED_MORE);
		m->fm_len = m->fm_used = len;
		return (FRAMING_MESSAGE);
	case FRAMING_LINES:
		/* Look no further than a line of max bytes and its '\n'. */
		nl = memchr(buf, '\n', len < max + 1 ? len : max + 1);
		if (nl == NULL) {
			if (len <= max)
				return (FRAMING_NEED_MORE);
			m->fm_fault = "line over max_message_size";
			return (FRAMING_TOO_BIG);
		}
		m->fm_len = (size_t)(nl - buf);
		m->fm_used = m->fm_len + 1;
		return (decode_text_check(buf, m));
	case FRAMING_LENGTH:
		if (len < 5)
			return (FRAMING_NEED_MORE);
		n = get_be32(buf + 1);
		/*
		 * Judge the header before waiting for the payload, so a
		 * length of 4 GiB never makes anyone wait or allocate.
		 */
		if (buf[0] == FRAMING_TYPE_TEXT || buf[0] == FRAMING_TYPE_BINARY) {
			if (n > max) {
				m->fm_fault = "length over max_message_size";
				return (FRAMING_BAD);
			}
		} else if (buf[0] == FRAMING_TYPE_CLOSE && n > 125) {
			m->fm_fault = "close message of bad size";
			return (FRAMING_BAD);
		} else if (buf[0] != FRAMING_TYPE_CLOSE)
			return (decode_typed(buf[0], 5, 0, buf, max, m));
		if (len - 5 < n)
			return (FRAMING_NEED_MORE);
		m->fm_used = 5 + (size_t)n;
		return (decode_typed(buf[0], 5, n, buf, max, m));
	case FRAMING_SEQPACKET:
		if (len == 0) {
			m->fm_fault = "empty datagram";
			return (FRAMING_BAD);
		}
		m->fm_used = len;
		return (decode_typed(buf[0], 1, len - 1, buf, max, m));
	}
	return (FRAMING_BAD);
}

size_t
framing_utf8_incomplete(const unsigned char *buf, size_t len)
{
	size_t	 back, need;

	/* Look back over at most three continuation bytes to a lead byte. */
	for (back = 1; back <= 4 && back <= len; back++) {
		unsigned char	 c = buf[len - back];

		if ((c & 0xc0) == 0x80)
			continue;	/* continuation byte */
		if (c < 0x80)
			return (0);
		if ((c & 0xe0) == 0xc0)
			need = 2;
		else if ((c & 0xf0) == 0xe0)
			need = 3;
		else if ((c & 0xf8) == 0xf0)
			need = 4;
		else
			return (0);	/* invalid: let the client judge it */
		return (back < need ? back : 0);
	}
	return (0);
}
