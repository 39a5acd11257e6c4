/*
 * handshake.c: is an opening handshake one that RFC 6455 4.2.1 lets a
 * server accept?  No I/O, no lws: ws.c gathers the request's lines and
 * refuses what this file rejects, before any route is looked up.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/base64.h>

#include "handshake.h"

/* The client's nonce: 16 random bytes (RFC 6455 4.1). */
#define HANDSHAKE_NONCE	16

/*
 * Does the comma-separated list L (RFC 7230 7: elements with optional
 * blanks around them, empty ones allowed) hold the token T, compared
 * without regard to case?
 */
static int
handshake_has_token(const char *l, const char *t)
{
	size_t	 len, tlen = strlen(t);

	while (*l != '\0') {
		l += strspn(l, " \t");
		len = strcspn(l, ",");
		/* The element without the blanks before the next comma. */
		while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\t'))
			len--;
		if (len == tlen && strncasecmp(l, t, len) == 0)
			return (1);
		l += strcspn(l, ",");
		if (*l == ',')
			l++;
	}
	return (0);
}

/* Is V "HTTP/" DIGIT "." DIGIT (RFC 7230 2.6), 1.1 or later? */
static int
handshake_http11(const char *v)
{
	if (strncmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) ||
	    v[6] != '.' || !isdigit((unsigned char)v[7]) || v[8] != '\0')
		return (0);
	return (v[5] > '1' || (v[5] == '1' && v[7] >= '1'));
}

/*
 * Is K the base64 (RFC 4648 4, padded) of 16 bytes?  mbedTLS's decoder
 * skips blanks and line ends, which a key may not hold.
 */
static int
handshake_key_ok(const char *k)
{
	unsigned char	 nonce[HANDSHAKE_NONCE];
	size_t		 n;

	if (strpbrk(k, " \t\r\n") != NULL)
		return (0);
	return (mbedtls_base64_decode(nonce, sizeof(nonce), &n,
	    (const unsigned char *)k, strlen(k)) == 0 && n == sizeof(nonce));
}

static int
handshake_refuse(struct handshake_refusal *hf, int status, const char *why,
    int version)
{
	hf->hf_status = status;
	hf->hf_reason = why;
	hf->hf_version = version;
	return (status);
}

int
handshake_check(const struct handshake_req *r, struct handshake_refusal *hf)
{
	memset(hf, 0, sizeof(*hf));
	if (!r->hr_get)
		return (handshake_refuse(hf, 400, "method is not GET", 0));
	if (r->hr_http == NULL || !handshake_http11(r->hr_http))
		return (handshake_refuse(hf, 400, "not HTTP/1.1 or later", 0));
	if (!r->hr_host)
		return (handshake_refuse(hf, 400, "no Host", 0));
	if (r->hr_upgrade == NULL ||
	    !handshake_has_token(r->hr_upgrade, "websocket"))
		return (handshake_refuse(hf, 400, "Upgrade is not websocket",
		    0));
	if (r->hr_connection == NULL ||
	    !handshake_has_token(r->hr_connection, "upgrade"))
		return (handshake_refuse(hf, 400,
		    "Connection has no upgrade token", 0));
	if (r->hr_nkeys == 0)
		return (handshake_refuse(hf, 400, "no Sec-WebSocket-Key", 0));
	if (r->hr_nkeys > 1)
		return (handshake_refuse(hf, 400,
		    "more than one Sec-WebSocket-Key", 0));
	if (r->hr_key == NULL || !handshake_key_ok(r->hr_key))
		return (handshake_refuse(hf, 400,
		    "Sec-WebSocket-Key is not base64 of 16 bytes", 0));
	/* RFC 6455 4.4: name the version we speak, in both cases. */
	if (r->hr_version == NULL)
		return (handshake_refuse(hf, 400, "no Sec-WebSocket-Version",
		    1));
	if (strcmp(r->hr_version, "13") != 0)
		return (handshake_refuse(hf, 426,
		    "Sec-WebSocket-Version is not 13", 1));
	return (0);
}
