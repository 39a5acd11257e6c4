/*
 * forwarded.h: the client address that HTTP balancers report in
 * X-Forwarded-For or Forwarded (RFC 7239).  Pure code: no sockets.
 */
#ifndef WSGATE_FORWARDED_H
#define WSGATE_FORWARDED_H

#include <stddef.h>
#include <stdint.h>

#include "cidr.h"

struct forwarded_addr {
	int		 fa_family;	/* 4 or 6 */
	unsigned char	 fa_addr[16];	/* network order */
	uint16_t	 fa_port;	/* 0 when the hop gave none */
};

enum forwarded_kind {
	FORWARDED_XFF,		/* X-Forwarded-For: addr, addr, ... */
	FORWARDED_RFC7239,	/* Forwarded: for=addr;proto=..., for=... */
};

/*
 * The client in VALUE (all lines of the header, joined with ','): walking
 * from the right, the first hop not in the N ranges of TRUSTED; the
 * left-most hop when all are trusted.  A hop that is no address (RFC 7239
 * "unknown", an obfuscated name, garbage) ends the walk: nothing left of
 * it can be believed.  0 with *OUT, or -1 when no hop was taken.
 */
int	 forwarded_client(enum forwarded_kind, const char *value,
	    const struct cidr *trusted, size_t n, struct forwarded_addr *out);

#endif
