/*
 * framing.h: how bytes from a backend become WebSocket messages.  Pure
 * code: no I/O, no libwebsockets.
 */
#ifndef WSGATE_FRAMING_H
#define WSGATE_FRAMING_H

#include <stddef.h>

/*
 * How many bytes at the end of BUF[0..LEN) are the start of a UTF-8
 * character whose remaining bytes have not arrived yet (0 to 3).  A text
 * message must not end there: those bytes wait for the next read.
 */
size_t	 framing_utf8_incomplete(const unsigned char *buf, size_t len);

#endif
