/*
 * wsproto.c: SHA-1 and base64 for the handshake, frame headers and
 * masking.  Kept here so the benchmark needs no crypto library.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wsproto.h"

#define ROL(x, n)	(((x) << (n)) | ((x) >> (32 - (n))))

struct sha1 {
	uint32_t	 h[5];
	unsigned char	 buf[64];
	uint64_t	 len;
};

static void
sha1_block(struct sha1 *c, const unsigned char *p)
{
	uint32_t	 w[80], a, b, d, e, f, k, t, cc;
	int		 i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0];
	b = c->h[1];
	cc = c->h[2];
	d = c->h[3];
	e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = ROL(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
}

static void
sha1_update(struct sha1 *c, const unsigned char *p, size_t len)
{
	size_t	 have = c->len % 64;

	c->len += len;
	while (len > 0) {
		size_t n = 64 - have < len ? 64 - have : len;

		memcpy(c->buf + have, p, n);
		have += n;
		p += n;
		len -= n;
		if (have == 64) {
			sha1_block(c, c->buf);
			have = 0;
		}
	}
}

static void
sha1(const unsigned char *p, size_t len, const unsigned char *p2,
    size_t len2, unsigned char out[20])
{
	struct sha1	 c = { { 0x67452301, 0xefcdab89, 0x98badcfe,
	    0x10325476, 0xc3d2e1f0 }, { 0 }, 0 };
	unsigned char	 pad[72];
	uint64_t	 bits;
	size_t		 n;
	int		 i;

	sha1_update(&c, p, len);
	sha1_update(&c, p2, len2);
	bits = c.len * 8;
	n = 64 - (c.len + 8) % 64;
	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[n + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(&c, pad, n + 8);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(c.h[i / 4] >> (24 - 8 * (i % 4)));
}

void
ws_base64(const unsigned char *in, size_t len, char *out)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*out++ = i + 2 < len ? tab[v & 63] : '=';
	}
	*out = '\0';
}

void
ws_accept(const char *key, size_t keylen, char out[WS_ACCEPT_LEN + 1])
{
	static const char	 guid[] =
	    "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char		 md[20];

	sha1((const unsigned char *)key, keylen, (const unsigned char *)guid,
	    sizeof(guid) - 1, md);
	ws_base64(md, sizeof(md), out);
}

const char *
ws_header(const char *req, const char *name, size_t *vlen)
{
	size_t		 nlen = strlen(name);
	const char	*p, *e;

	for (p = strstr(req, "\r\n"); p != NULL; p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		p += nlen + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if ((e = strstr(p, "\r\n")) == NULL)
			return (NULL);
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		*vlen = (size_t)(e - p);
		return (p);
	}
	return (NULL);
}

size_t
ws_frame_header(unsigned char *p, int fin, int op, uint64_t len,
    const unsigned char *mask)
{
	size_t	 n = 2;
	int	 i;

	p[0] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (len < 126)
		p[1] = (unsigned char)len;
	else if (len < 65536) {
		p[1] = 126;
		p[2] = (unsigned char)(len >> 8);
		p[3] = (unsigned char)len;
		n = 4;
	} else {
		p[1] = 127;
		for (i = 0; i < 8; i++)
			p[2 + i] = (unsigned char)(len >> (56 - 8 * i));
		n = 10;
	}
	if (mask != NULL) {
		p[1] |= 0x80;
		memcpy(p + n, mask, 4);
		n += 4;
	}
	return (n);
}

void
ws_mask(unsigned char *p, size_t len, const unsigned char mask[4], size_t off)
{
	unsigned char	 m[8];
	uint64_t	 w, mw;
	size_t		 i;

	for (i = 0; i < 8; i++)
		m[i] = mask[(off + i) % 4];
	memcpy(&mw, m, 8);
	/* Word at a time: 16 KiB messages would otherwise dominate. */
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		w ^= mw;
		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++)
		p[i] ^= m[i % 8];
}

int
ws_req_take(struct ws_req *r, const unsigned char *p, size_t len,
    size_t *used, char resp[WS_RESP_MAX], int pmd)
{
	char		 acc[WS_ACCEPT_LEN + 1];
	const char	*key, *end, *ext;
	size_t		 klen, elen, n;

	if (r->buf == NULL && (r->buf = malloc(WS_REQ_MAX + 1)) == NULL)
		return (-1);
	n = len < WS_REQ_MAX - r->len ? len : WS_REQ_MAX - r->len;
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->buf[r->len] = '\0';
	if ((end = strstr(r->buf, "\r\n\r\n")) == NULL) {
		*used = len;
		return (r->len < WS_REQ_MAX ? 0 : -1);
	}
	*used = n - (r->len - (size_t)(end + 4 - r->buf));
	if ((key = ws_header(r->buf, "Sec-WebSocket-Key", &klen)) == NULL)
		return (-1);
	ws_accept(key, klen, acc);
	pmd = pmd && (ext = ws_header(r->buf, "Sec-WebSocket-Extensions",
	    &elen)) != NULL && elen >= 18 &&
	    strncmp(ext, "permessage-deflate", 18) == 0;
	ws_req_free(r);
	return (snprintf(resp, WS_RESP_MAX, "HTTP/1.1 101 Switching Protocols"
	    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n%s\r\n", acc, pmd ?
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n" : ""));
}

void
ws_req_free(struct ws_req *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}

size_t
ws_header_need(const unsigned char *hdr, size_t have)
{
	if (have < 2)
		return (2);
	return (2 + ((hdr[1] & 0x7f) == 126 ? 2 : (hdr[1] & 0x7f) == 127 ?
	    8 : 0) + (hdr[1] & 0x80 ? 4 : 0));
}

uint64_t
ws_payload_len(const unsigned char *hdr)
{
	uint64_t	 len = hdr[1] & 0x7f;
	int		 i, n;

	if (len < 126)
		return (len);
	n = len == 126 ? 2 : 8;
	for (len = 0, i = 0; i < n; i++)
		len = len << 8 | hdr[2 + i];
	return (len);
}
