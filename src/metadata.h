/*
 * metadata.h: what a backend is told about its client before any payload
 * (design.md, "What the backend receives").  Pure code: no sockets, no
 * libwebsockets; the caller gathers the facts.
 */
#ifndef WSGATE_METADATA_H
#define WSGATE_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* PROXY v2 TLV type that carries the request path and query. */
#define METADATA_TLV_PATH	0xe0	/* PP2_TYPE_MIN_CUSTOM */

struct metadata_info {
	int		 mi_family;	/* 4 or 6 */
	unsigned char	 mi_src[16], mi_dst[16];	/* network order */
	uint16_t	 mi_sport, mi_dport;
	const char	*mi_addr;	/* client address as text */
	const char	*mi_path;
	const char	*mi_query;	/* without '?'; "" when none */
	const char	*mi_origin;	/* NULL when the client sent none */
	const char	*mi_authority;	/* Host; NULL when none */
	const char	*mi_subprotocol;	/* NULL when none chosen */
	const char	*mi_subject;	/* the access token's; NULL: none */
};

/*
 * The metadata message for a route with metadata KIND and framing F, as
 * the bytes to queue toward the backend (already framed: a JSON line for
 * raw and lines, a type-3 message for length and seqpacket).  Returns its
 * size, 0 for METADATA_NONE, or -1 when it does not fit in SIZE bytes.
 */
long	 metadata_encode(enum route_metadata kind, enum route_framing f,
	    const struct metadata_info *, unsigned char *out, size_t size);

#endif
