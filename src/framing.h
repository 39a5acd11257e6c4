/*
 * framing.h: how messages cross between WebSocket and a backend socket, in
 * each framing mode of design.md ("What the backend receives").  Pure
 * code: no I/O, no libwebsockets; decoders work on whatever part of the
 * stream has arrived.
 *
 *   raw        bytes as they are, no boundaries
 *   lines      payload + '\n'; a line from the backend is one message
 *   length     type (1 text, 2 binary, 3 metadata, 8 close), 32-bit
 *              big-endian length, payload
 *   seqpacket  one datagram per message: type byte, payload
 */
#ifndef WSGATE_FRAMING_H
#define WSGATE_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define FRAMING_TYPE_TEXT	1
#define FRAMING_TYPE_BINARY	2
#define FRAMING_TYPE_METADATA	3
#define FRAMING_TYPE_CLOSE	8

#define FRAMING_PREFIX_MAX	5
/* A close message: header, code, and a reason of at most 123 bytes. */
#define FRAMING_CLOSE_MAX	(FRAMING_PREFIX_MAX + 125)

/*
 * The bytes that go before a message of LEN bytes and TYPE toward the
 * backend (into PRE, FRAMING_PREFIX_MAX bytes) and after it (into POST,
 * one byte).  Returns the prefix length; *NPOST gets the suffix length.
 */
size_t	 framing_wrap(enum route_framing, int type, size_t len,
	    unsigned char *pre, unsigned char *post, size_t *npost);
/*
 * A close message toward the backend in OUT (FRAMING_CLOSE_MAX bytes):
 * its size, or 0 where the mode has no close message (raw, lines).
 */
size_t	 framing_close(enum route_framing, uint16_t code, const char *reason,
	    size_t reasonlen, unsigned char *out);

enum framing_result {
	FRAMING_NEED_MORE,	/* no whole message yet */
	FRAMING_MESSAGE,
	FRAMING_CLOSE,		/* the backend's close(code, reason) */
	FRAMING_TOO_BIG,	/* over max_message_size: close 1009 */
	FRAMING_BAD,		/* a framing fault: close 1011 */
};

struct framing_msg {
	size_t		 fm_off;	/* payload: BUF + fm_off */
	size_t		 fm_len;
	size_t		 fm_used;	/* bytes of BUF this message took */
	int		 fm_text;
	uint16_t	 fm_code;	/* FRAMING_CLOSE */
	const char	*fm_fault;	/* FRAMING_BAD, FRAMING_TOO_BIG: why */
};

/*
 * The next message from a backend in BUF[0..LEN): for seqpacket BUF is
 * one whole datagram; for raw every byte is a message.  TEXT is the
 * message type of raw and lines.  A message's payload never exceeds MAX.
 */
enum framing_result framing_decode(enum route_framing, const unsigned char *,
	    size_t len, size_t max, int text, struct framing_msg *);

/* RFC 6455 7.4: may CODE travel in a close frame? */
int	 framing_close_code_valid(unsigned int code);
int	 framing_utf8_valid(const unsigned char *, size_t);
/*
 * How many bytes at the end of BUF[0..LEN) are the start of a UTF-8
 * character whose remaining bytes have not arrived yet (0 to 3).  A text
 * message must not end there: those bytes wait for the next read.
 */
size_t	 framing_utf8_incomplete(const unsigned char *buf, size_t len);

#endif
