/*
 * cidr.h: address ranges ("10.0.0.0/8", "2001:db8::/32", a bare address)
 * for trusted_proxies.  Pure code: no sockets.
 */
#ifndef WSGATE_CIDR_H
#define WSGATE_CIDR_H

#include <stddef.h>

struct cidr {
	int		 c_family;	/* 4 or 6 */
	unsigned char	 c_addr[16];	/* network order, host bits zero */
	unsigned int	 c_bits;
};

/* S into *C: 0, or -1 when it is not ADDRESS or ADDRESS/BITS. */
int	 cidr_parse(const char *s, struct cidr *c);
/* 1 when ADDR of FAMILY (4 or 6) is in one of the N ranges of LIST. */
int	 cidr_match(const struct cidr *list, size_t n, int family,
	    const unsigned char *addr);

#endif
