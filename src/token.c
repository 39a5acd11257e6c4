/*
 * token.c: minting and checking access tokens with mbedTLS's HMAC and
 * constant-time comparison.  No I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>

#include "token.h"

#define MAC_LEN		32

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url of IN into OUT; returns the length, -1 if too long. */
static long
b64_encode(const unsigned char *in, size_t len, char *out, size_t size)
{
	size_t		 i, o = 0;
	uint32_t	 v;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		if (o + 4 >= size)
			return (-1);
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = b64url[v >> 6 & 63];
		if (i + 2 < len)
			out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
	return ((long)o);
}

/* Decode LEN base64url characters; -1 on a bad character or length. */
static long
b64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
	size_t		 i, o = 0;
	uint32_t	 v = 0;
	const char	*p;
	int		 bits = 0;

	if (len % 4 == 1)
		return (-1);
	for (i = 0; i < len; i++) {
		if (in[i] == '\0' || (p = strchr(b64url, in[i])) == NULL)
			return (-1);
		v = v << 6 | (uint32_t)(p - b64url);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (o >= size)
				return (-1);
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	/* Only the canonical form: leftover bits must be zero, so each
	 * token has exactly one spelling. */
	if ((v & ((1u << bits) - 1)) != 0)
		return (-1);
	return ((long)o);
}

static int
mac(const unsigned char *key, size_t keylen, const char *data, size_t len,
    unsigned char *out)
{
	return (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    key, keylen, (const unsigned char *)data, len, out));
}

int
token_mint(const unsigned char *secret, size_t secretlen, const char *subject,
    time_t exp, const char *const *routes, size_t nroutes, char *out,
    size_t size)
{
	char		 claims[TOKEN_MAX];
	unsigned char	 m[MAC_LEN];
	size_t		 i, n;
	long		 a, b;

	if (strchr(subject, '\n') != NULL || strlen(subject) >=
	    TOKEN_SUBJECT_MAX)
		return (-1);
	n = (size_t)snprintf(claims, sizeof(claims), "sub=%s\nexp=%lld\n",
	    subject, (long long)exp);
	for (i = 0; i < nroutes && n < sizeof(claims); i++) {
		if (strchr(routes[i], '\n') != NULL)
			return (-1);
		n += (size_t)snprintf(claims + n, sizeof(claims) - n,
		    "route=%s\n", routes[i]);
	}
	if (n >= sizeof(claims))
		return (-1);
	if ((a = b64_encode((unsigned char *)claims, n, out, size)) == -1 ||
	    (size_t)a + 1 >= size)
		return (-1);
	out[a] = '.';
	if (mac(secret, secretlen, out, (size_t)a, m) != 0 ||
	    (b = b64_encode(m, sizeof(m), out + a + 1, size - (size_t)a - 1))
	    == -1)
		return (-1);
	return (0);
}

/* The value of "NAME=" on a line of CLAIMS, or NULL. */
static const char *
claim(const char *claims, const char *name, size_t *len)
{
	size_t		 n = strlen(name);
	const char	*p;

	for (p = claims; *p != '\0'; p += strcspn(p, "\n") + 1) {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			*len = strcspn(p + n + 1, "\n");
			return (p + n + 1);
		}
		if (p[strcspn(p, "\n")] == '\0')
			break;
	}
	return (NULL);
}

static int
has_route(const char *claims, const char *route)
{
	const char	*p;
	size_t		 n = strlen(route);

	for (p = claims; *p != '\0'; p += strcspn(p, "\n") + 1) {
		if (strncmp(p, "route=", 6) == 0 && strncmp(p + 6, route, n) ==
		    0 && (p[6 + n] == '\n' || p[6 + n] == '\0'))
			return (1);
		if (p[strcspn(p, "\n")] == '\0')
			break;
	}
	return (0);
}

enum token_result
token_verify(const char *token, const unsigned char *secret,
    size_t secretlen, const char *route, time_t now, char *subject)
{
	char		 claims[TOKEN_MAX + 1], num[24], *end;
	unsigned char	 want[MAC_LEN], got[MAC_LEN + 3];
	const char	*dot, *v;
	size_t		 len;
	long		 n;
	long long	 exp;

	subject[0] = '\0';
	if (token == NULL || *token == '\0')
		return (TOKEN_MISSING);
	if (strlen(token) > TOKEN_MAX || (dot = strchr(token, '.')) == NULL)
		return (TOKEN_MALFORMED);
	if (b64_decode(dot + 1, strlen(dot + 1), got, sizeof(got)) != MAC_LEN)
		return (TOKEN_MALFORMED);
	/* The signature first: nothing unsigned is believed. */
	if (mac(secret, secretlen, token, (size_t)(dot - token), want) != 0 ||
	    mbedtls_ct_memcmp(want, got, MAC_LEN) != 0)
		return (TOKEN_BAD_SIGNATURE);
	if ((n = b64_decode(token, (size_t)(dot - token),
	    (unsigned char *)claims, sizeof(claims) - 1)) == -1)
		return (TOKEN_MALFORMED);
	claims[n] = '\0';
	if (memchr(claims, '\0', (size_t)n) != NULL)
		return (TOKEN_MALFORMED);
	if ((v = claim(claims, "sub", &len)) == NULL ||
	    len >= TOKEN_SUBJECT_MAX)
		return (TOKEN_MALFORMED);
	memcpy(subject, v, len);
	subject[len] = '\0';
	if ((v = claim(claims, "exp", &len)) == NULL || len == 0 ||
	    len >= sizeof(num))
		return (TOKEN_MALFORMED);
	memcpy(num, v, len);
	num[len] = '\0';
	exp = strtoll(num, &end, 10);
	if (*end != '\0')
		return (TOKEN_MALFORMED);
	if (exp <= (long long)now)
		return (TOKEN_EXPIRED);
	if (!has_route(claims, route))
		return (TOKEN_WRONG_ROUTE);
	return (TOKEN_OK);
}

const char *
token_result_name(enum token_result r)
{
	switch (r) {
	case TOKEN_OK:			return ("valid");
	case TOKEN_MISSING:		return ("no token");
	case TOKEN_MALFORMED:		return ("malformed token");
	case TOKEN_BAD_SIGNATURE:	return ("bad token signature");
	case TOKEN_EXPIRED:		return ("expired token");
	case TOKEN_WRONG_ROUTE:		return ("token not valid for this route");
	}
	return ("?");
}
