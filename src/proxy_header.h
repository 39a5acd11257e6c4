/*
 * proxy_header.h: the HAProxy PROXY protocol header (v1 text, v2 binary)
 * that a balancer sends before the client's first byte.  Pure code: bytes
 * in, a verdict out; no sockets.
 */
#ifndef WSGATE_PROXY_HEADER_H
#define WSGATE_PROXY_HEADER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The longest header accepted: v1's own maximum is 107 bytes; a v2 header
 * with its address block and TLVs is refused as oversized above this.
 */
#define PROXY_HEADER_MAX	1024

enum proxy_header_status {
	PROXY_HEADER_MORE,	/* a valid start: wait for more bytes */
	PROXY_HEADER_DONE,
	PROXY_HEADER_BAD,	/* malformed */
	PROXY_HEADER_OVERSIZED,
};

struct proxy_header {
	size_t		 ph_len;	/* bytes the header took */
	/*
	 * 1: v2 LOCAL, v1 UNKNOWN, or a family other than TCP over IPv4/6:
	 * the connection's own addresses stand (a balancer's health check).
	 */
	int		 ph_local;
	int		 ph_family;	/* 4 or 6 when !ph_local */
	unsigned char	 ph_src[16], ph_dst[16];	/* network order */
	uint16_t	 ph_sport, ph_dport;
};

/*
 * Judge the LEN bytes at BUF, the connection's first bytes.  On DONE, *PH
 * describes the header, which took ph_len bytes; on BAD and OVERSIZED,
 * *WHY says why (a static string).  MORE only while LEN is less than
 * PROXY_HEADER_MAX.
 */
enum proxy_header_status proxy_header_parse(const unsigned char *buf,
		    size_t len, struct proxy_header *ph, const char **why);

#endif
