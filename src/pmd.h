/*
 * pmd.h: a server's answer to a permessage-deflate offer (RFC 7692),
 * within a route's compression settings.  Pure: no libwebsockets, no I/O.
 */
#ifndef WSGATE_PMD_H
#define WSGATE_PMD_H

#include <stddef.h>

struct pmd_params {
	unsigned int	 pp_server_bits;	/* we deflate with this window */
	unsigned int	 pp_client_bits;	/* the client with at most this */
	int		 pp_server_takeover;	/* our context kept */
	int		 pp_client_takeover;	/* the client's kept */
};

/*
 * Judge one offer: OFFER (LEN bytes) is its parameters after the
 * extension name, as "; a; b=10" or "a; b=10".  BITS (9..15) caps both
 * windows where the RFC lets the server say so; TAKEOVER 0 asks both
 * sides to drop their context after each message.  Returns 0 with OUT
 * and the response parameters in RESP ("; name=value" each, SIZE bytes
 * with the NUL), or -1: the offer is declined (an unknown, repeated or
 * malformed parameter, a server window under 9 bits, RESP too small).
 */
int	 pmd_negotiate(const char *offer, size_t len, unsigned int bits,
	    int takeover, struct pmd_params *out, char *resp, size_t size);

#endif
