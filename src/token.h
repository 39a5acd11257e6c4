/*
 * token.h: HMAC-SHA256 access tokens (auth = token).
 *
 * A token is  base64url(claims) "." base64url(HMAC-SHA256(secret, first
 * part))  with the claims as lines "sub=NAME", "exp=UNIX-SECONDS" and one
 * "route=NAME" per route it opens (NAME as in the [route NAME] header, a
 * trailing star included).  Only base64url characters and '.', so it fits
 * a query parameter and a Sec-WebSocket-Protocol entry.
 */
#ifndef WSGATE_TOKEN_H
#define WSGATE_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOKEN_SUBJECT_MAX	128
#define TOKEN_MAX		2048

enum token_result {
	TOKEN_OK,
	TOKEN_MISSING,
	TOKEN_MALFORMED,
	TOKEN_BAD_SIGNATURE,
	TOKEN_EXPIRED,
	TOKEN_WRONG_ROUTE,
};

/*
 * Check TOKEN against SECRET for the route named ROUTE (its [route] name,
 * "*" included) at time NOW; the signature is compared in constant time.
 * On TOKEN_OK, SUBJECT (TOKEN_SUBJECT_MAX bytes) holds "sub".
 */
enum token_result token_verify(const char *token, const unsigned char *secret,
		    size_t secretlen, const char *route, time_t now,
		    char *subject);
/*
 * A token for SUBJECT valid until EXP for the NROUTES ROUTES, into OUT of
 * SIZE bytes.  0, or -1 when it does not fit or a value holds a newline.
 */
int		 token_mint(const unsigned char *secret, size_t secretlen,
		    const char *subject, time_t exp, const char *const *routes,
		    size_t nroutes, char *out, size_t size);
const char	*token_result_name(enum token_result);

#endif
