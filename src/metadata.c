/*
 * metadata.c: the HAProxy PROXY protocol v2 header and the JSON object.
 * Every value a client chose is length-delimited (PROXY v2) or escaped
 * (JSON), so nothing it sends can change where the metadata ends.
 */
#include <stdio.h>
#include <string.h>

#include "framing.h"
#include "metadata.h"

/* Section 2.2 of the PROXY protocol specification. */
static const unsigned char pp2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};
#define PP2_VERSION_PROXY	0x21	/* version 2, command PROXY */
#define PP2_TCP4		0x11
#define PP2_TCP6		0x21
#define PP2_TYPE_AUTHORITY	0x02

struct out {
	unsigned char	*o_buf;
	size_t		 o_len, o_size;
	int		 o_full;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (o->o_full || n > o->o_size - o->o_len) {
		o->o_full = 1;
		return;
	}
	memcpy(o->o_buf + o->o_len, p, n);
	o->o_len += n;
}

static void
put16(struct out *o, size_t v)
{
	unsigned char	 b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(o, b, 2);
}

/* A TLV whose value is A, then B (NULL: nothing). */
static void
put_tlv(struct out *o, int type, const char *a, const char *sep,
    const char *b)
{
	size_t		 la = strlen(a), ls = 0, lb = 0;
	unsigned char	 t = (unsigned char)type;

	if (b != NULL) {
		ls = strlen(sep);
		lb = strlen(b);
	}
	if (la + ls + lb > 0xffff) {
		o->o_full = 1;
		return;
	}
	put(o, &t, 1);
	put16(o, la + ls + lb);
	put(o, a, la);
	put(o, sep, ls);
	put(o, b, lb);
}

static void
proxy_v2(struct out *o, const struct metadata_info *mi)
{
	unsigned char	 hdr[2];
	size_t		 start, alen = mi->mi_family == 6 ? 16 : 4;

	put(o, pp2_sig, sizeof(pp2_sig));
	hdr[0] = PP2_VERSION_PROXY;
	hdr[1] = mi->mi_family == 6 ? PP2_TCP6 : PP2_TCP4;
	put(o, hdr, 2);
	start = o->o_len + 2;
	put16(o, 0);		/* the length, filled in below */
	put(o, mi->mi_src, alen);
	put(o, mi->mi_dst, alen);
	put16(o, mi->mi_sport);
	put16(o, mi->mi_dport);
	if (mi->mi_authority != NULL)
		put_tlv(o, PP2_TYPE_AUTHORITY, mi->mi_authority, "", NULL);
	/* The path and query as one request target. */
	put_tlv(o, METADATA_TLV_PATH, mi->mi_path, "?",
	    *mi->mi_query != '\0' ? mi->mi_query : NULL);
	if (!o->o_full && o->o_len - start > 0xffff)
		o->o_full = 1;
	if (!o->o_full) {
		o->o_buf[start - 2] = (unsigned char)((o->o_len - start) >> 8);
		o->o_buf[start - 1] = (unsigned char)(o->o_len - start);
	}
}

/*
 * A JSON string.  Valid UTF-8 passes as it is; otherwise each byte above
 * 0x7f is read as Latin-1, so the object is always valid JSON.
 */
static void
json_str(struct out *o, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 utf8 = framing_utf8_valid(p, strlen(s));
	char			 esc[8];

	put(o, "\"", 1);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(o, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8)) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(o, esc, 6);
		} else
			put(o, p, 1);
	}
	put(o, "\"", 1);
}

static void
json_field(struct out *o, const char *name, const char *value, int first)
{
	if (!first)
		put(o, ",", 1);
	json_str(o, name);
	put(o, ":", 1);
	if (value == NULL)
		put(o, "null", 4);
	else
		json_str(o, value);
}

static void
json(struct out *o, const struct metadata_info *mi)
{
	char	 port[32];

	json_field(o, "client_address", mi->mi_addr, 1);
	snprintf(port, sizeof(port), ",\"client_port\":%u", mi->mi_sport);
	put(o, port, strlen(port));
	json_field(o, "path", mi->mi_path, 0);
	json_field(o, "query", mi->mi_query, 0);
	json_field(o, "origin", mi->mi_origin, 0);
	json_field(o, "host", mi->mi_authority, 0);
	json_field(o, "subprotocol", mi->mi_subprotocol, 0);
	json_field(o, "subject", mi->mi_subject, 0);
	put(o, "}", 1);
}

long
metadata_encode(enum route_metadata kind, enum route_framing f,
    const struct metadata_info *mi, unsigned char *buf, size_t size)
{
	struct out	 o = { buf, 0, size, 0 };
	unsigned char	 pre[FRAMING_PREFIX_MAX], post[1];
	size_t		 npost, hdr = 0;

	if (kind == METADATA_NONE)
		return (0);
	/* length and seqpacket: a type-3 message, its header first. */
	if (f == FRAMING_LENGTH || f == FRAMING_SEQPACKET)
		hdr = framing_wrap(f, FRAMING_TYPE_METADATA, 0, pre, post,
		    &npost);
	put(&o, pre, hdr);
	if (kind == METADATA_PROXY_V2)
		proxy_v2(&o, mi);
	else {
		put(&o, "{", 1);
		json(&o, mi);
		if (hdr == 0)
			put(&o, "\n", 1);	/* one line, raw or lines */
	}
	if (o.o_full)
		return (-1);
	if (hdr > 0)	/* now that the payload's length is known */
		framing_wrap(f, FRAMING_TYPE_METADATA, o.o_len - hdr, buf,
		    post, &npost);
	return ((long)o.o_len);
}
