/*
 * wsproto.h: the few pieces of RFC 6455 the benchmark programs share.
 *
 * Only the opening handshake's key digest and small helpers; each program
 * does its own framing, since the client masks and the server does not.
 */
#ifndef WSPROTO_H
#define WSPROTO_H

#include <stddef.h>
#include <stdint.h>

#define WS_OP_CONT	0x0
#define WS_OP_TEXT	0x1
#define WS_OP_BINARY	0x2
#define WS_OP_CLOSE	0x8
#define WS_OP_PING	0x9
#define WS_OP_PONG	0xa

#define WS_KEY_LEN	24	/* base64 of 16 bytes */
#define WS_ACCEPT_LEN	28	/* base64 of a SHA-1 digest */
#define WS_HDR_MAX	14	/* 2 + 8 length + 4 mask */

/* Writes the NUL-terminated Sec-WebSocket-Accept value for key. */
void	ws_accept(const char *key, size_t keylen,
	    char out[WS_ACCEPT_LEN + 1]);
/* Writes base64 of len bytes of in; out holds 4 * ((len + 2) / 3) + 1. */
void	ws_base64(const unsigned char *in, size_t len, char *out);
/* Finds header name (case-insensitive) in a request; returns its value. */
const char *ws_header(const char *req, const char *name, size_t *vlen);
#define WS_REQ_MAX	4096	/* the longest opening handshake taken */

/* A server's opening handshake, gathered across reads. */
struct ws_req {
	char		*buf;		/* owned; NUL-terminated */
	size_t		 len;
};

/*
 * Adds len bytes of p to the request; *used: how many were its own (the
 * rest are frames).  Once it is whole, writes the 101 answer (at most
 * WS_RESP_MAX bytes; with pmd, it takes a permessage-deflate offer) to
 * resp, frees the request and returns the answer's length; 0: not whole
 * yet; -1: too long or no key.
 */
#define WS_RESP_MAX	256
int	ws_req_take(struct ws_req *r, const unsigned char *p, size_t len,
	    size_t *used, char resp[WS_RESP_MAX], int pmd);
void	ws_req_free(struct ws_req *r);
/* Writes a frame header; mask may be NULL.  Returns its length. */
size_t	ws_frame_header(unsigned char *p, int fin, int op, uint64_t len,
	    const unsigned char *mask);
/* Bytes of a frame header as far as the have bytes of it tell. */
size_t	ws_header_need(const unsigned char *hdr, size_t have);
/* The payload length of a whole frame header. */
uint64_t ws_payload_len(const unsigned char *hdr);
/* XORs len bytes with the mask, starting at mask offset off. */
void	ws_mask(unsigned char *p, size_t len, const unsigned char mask[4],
	    size_t off);

#endif
