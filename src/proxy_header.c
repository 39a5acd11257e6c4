/*
 * proxy_header.c: parse the PROXY protocol header, versions 1 and 2
 * (haproxy doc/proxy-protocol.txt).  Every length is checked against the
 * bytes at hand before it is used; nothing here reads past LEN.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <string.h>

#include "proxy_header.h"

#define V1_MAX		107	/* "PROXY TCP6 " ... "\r\n", section 2.1 */
#define V2_FIXED	16

static const unsigned char v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

static enum proxy_header_status
bad(const char **why, const char *what)
{
	*why = what;
	return (PROXY_HEADER_BAD);
}

/* A port: 1 to 5 digits, at most 65535. */
static int
v1_port(const char *s, uint16_t *port)
{
	unsigned long	 n = 0;
	size_t		 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 5)
			return (-1);
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || n > 65535)
		return (-1);
	*port = (uint16_t)n;
	return (0);
}

/* "PROXY TCP4 SRC DST SPORT DPORT", the CR LF cut off, in LINE. */
static enum proxy_header_status
v1_line(char *line, struct proxy_header *ph, const char **why)
{
	char	*f[6], *p = line;
	int	 n, af;

	for (n = 0; n < 6; n++) {
		f[n] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	if (strcmp(f[0], "PROXY") != 0 || n == 0)
		return (bad(why, "v1: not PROXY followed by a protocol"));
	/* UNKNOWN may be followed by anything: the real addresses stand. */
	if (strcmp(f[1], "UNKNOWN") == 0) {
		ph->ph_local = 1;
		return (PROXY_HEADER_DONE);
	}
	if (n != 5 || p != NULL)
		return (bad(why, "v1: not five fields after PROXY"));
	if (strcmp(f[1], "TCP4") == 0) {
		af = AF_INET;
		ph->ph_family = 4;
	} else if (strcmp(f[1], "TCP6") == 0) {
		af = AF_INET6;
		ph->ph_family = 6;
	} else
		return (bad(why, "v1: protocol is not TCP4, TCP6 or UNKNOWN"));
	if (inet_pton(af, f[2], ph->ph_src) != 1 ||
	    inet_pton(af, f[3], ph->ph_dst) != 1)
		return (bad(why, "v1: bad address"));
	if (v1_port(f[4], &ph->ph_sport) == -1 ||
	    v1_port(f[5], &ph->ph_dport) == -1)
		return (bad(why, "v1: bad port"));
	return (PROXY_HEADER_DONE);
}

static enum proxy_header_status
v1(const unsigned char *buf, size_t len, struct proxy_header *ph,
    const char **why)
{
	char	 line[V1_MAX + 1];
	size_t	 i;

	/* The CR may come at most at byte 106: CR LF end at 107. */
	for (i = 0; i < len && i < V1_MAX - 1; i++) {
		if (buf[i] == '\r') {
			if (i + 1 == len)
				return (PROXY_HEADER_MORE);
			if (buf[i + 1] != '\n')
				return (bad(why, "v1: CR without LF"));
			memcpy(line, buf, i);
			line[i] = '\0';
			ph->ph_len = i + 2;
			return (v1_line(line, ph, why));
		}
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return (bad(why, "v1: not printable ASCII"));
	}
	if (i == V1_MAX - 1) {
		*why = "v1: no CR LF within 107 bytes";
		return (PROXY_HEADER_OVERSIZED);
	}
	return (PROXY_HEADER_MORE);
}

/* The TLVs after the addresses: each must fit; none is used. */
static enum proxy_header_status
v2_tlvs(const unsigned char *p, size_t len, const char **why)
{
	size_t	 vlen;

	while (len > 0) {
		if (len < 3)
			return (bad(why, "v2: truncated TLV"));
		vlen = (size_t)p[1] << 8 | p[2];
		if (vlen > len - 3)
			return (bad(why, "v2: TLV longer than the header"));
		p += 3 + vlen;
		len -= 3 + vlen;
	}
	return (PROXY_HEADER_DONE);
}

static enum proxy_header_status
v2(const unsigned char *buf, size_t len, struct proxy_header *ph,
    const char **why)
{
	size_t	 body, alen;

	if (len < V2_FIXED)
		return (PROXY_HEADER_MORE);
	if ((buf[12] & 0xf0) != 0x20)
		return (bad(why, "v2: version is not 2"));
	if ((buf[12] & 0x0f) > 1)
		return (bad(why, "v2: command is not LOCAL or PROXY"));
	body = (size_t)buf[14] << 8 | buf[15];
	if (V2_FIXED + body > PROXY_HEADER_MAX) {
		*why = "v2: header too long";
		return (PROXY_HEADER_OVERSIZED);
	}
	if (len < V2_FIXED + body)
		return (PROXY_HEADER_MORE);
	ph->ph_len = V2_FIXED + body;
	/* LOCAL: the balancer speaks for itself; its address block is not
	 * read (section 2.2). */
	if ((buf[12] & 0x0f) == 0) {
		ph->ph_local = 1;
		return (PROXY_HEADER_DONE);
	}
	switch (buf[13]) {
	case 0x11:	/* TCP over IPv4 */
		ph->ph_family = 4;
		alen = 12;
		break;
	case 0x21:	/* TCP over IPv6 */
		ph->ph_family = 6;
		alen = 36;
		break;
	case 0x00:	/* UNSPEC */
	case 0x31:	/* UNIX stream */
		ph->ph_local = 1;
		return (PROXY_HEADER_DONE);
	default:
		return (bad(why, "v2: not a stream family"));
	}
	if (body < alen)
		return (bad(why, "v2: address block shorter than its family"));
	buf += V2_FIXED;
	alen = ph->ph_family == 4 ? 4 : 16;
	memcpy(ph->ph_src, buf, alen);
	memcpy(ph->ph_dst, buf + alen, alen);
	ph->ph_sport = (uint16_t)(buf[2 * alen] << 8 | buf[2 * alen + 1]);
	ph->ph_dport = (uint16_t)(buf[2 * alen + 2] << 8 | buf[2 * alen + 3]);
	return (v2_tlvs(buf + 2 * alen + 4, body - (2 * alen + 4), why));
}

enum proxy_header_status
proxy_header_parse(const unsigned char *buf, size_t len,
    struct proxy_header *ph, const char **why)
{
	size_t	 n;

	memset(ph, 0, sizeof(*ph));
	*why = NULL;
	if (len == 0)
		return (PROXY_HEADER_MORE);
	if (buf[0] == v2_sig[0]) {
		n = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
		if (memcmp(buf, v2_sig, n) != 0)
			return (bad(why, "no PROXY header"));
		return (v2(buf, len, ph, why));
	}
	n = len < 6 ? len : 6;
	if (memcmp(buf, "PROXY ", n) != 0)
		return (bad(why, "no PROXY header"));
	return (v1(buf, len, ph, why));
}
