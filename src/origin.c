/*
 * origin.c: RFC 6454 origins, compared as (scheme, host, port) triples.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "origin.h"

struct origin {
	const char	*o_scheme, *o_host;
	size_t		 o_slen, o_hlen;
	unsigned long	 o_port;
};

/* Split the LEN bytes at S; -1 unless it is scheme://host[:port]. */
static int
origin_parse(const char *s, size_t len, struct origin *o)
{
	const char	*sep, *host, *end = s + len, *colon, *p;
	char		 num[8];
	size_t		 n;

	if ((sep = memmem(s, len, "://", 3)) == NULL || sep == s)
		return (-1);
	o->o_scheme = s;
	o->o_slen = (size_t)(sep - s);
	host = sep + 3;
	/* An IPv6 literal keeps its colons inside brackets. */
	if (host < end && *host == '[') {
		if ((p = memchr(host, ']', (size_t)(end - host))) == NULL)
			return (-1);
		colon = p + 1 < end && p[1] == ':' ? p + 1 : NULL;
		if (colon == NULL && p + 1 != end)
			return (-1);
	} else
		colon = memchr(host, ':', (size_t)(end - host));
	o->o_host = host;
	o->o_hlen = (size_t)((colon != NULL ? colon : end) - host);
	if (o->o_hlen == 0 || memchr(host, '/', o->o_hlen) != NULL)
		return (-1);
	if (colon == NULL) {
		if (o->o_slen == 4 && strncasecmp(s, "http", 4) == 0)
			o->o_port = 80;
		else if (o->o_slen == 5 && strncasecmp(s, "https", 5) == 0)
			o->o_port = 443;
		else
			o->o_port = 0;
		return (0);
	}
	n = (size_t)(end - colon - 1);
	if (n == 0 || n >= sizeof(num))
		return (-1);
	memcpy(num, colon + 1, n);
	num[n] = '\0';
	for (p = num; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return (-1);
	o->o_port = strtoul(num, NULL, 10);
	return (o->o_port > 0 && o->o_port < 65536 ? 0 : -1);
}

int
origin_valid(const char *s, unsigned int len)
{
	struct origin	 o;

	return (origin_parse(s, len, &o) == 0);
}

int
origin_allowed(const char *allowed, const char *origin)
{
	struct origin	 want, got;
	const char	*p = allowed;
	size_t		 len;

	if (origin_parse(origin, strlen(origin), &got) == -1)
		return (0);
	while (*p != '\0') {
		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len > 0 && origin_parse(p, len, &want) == 0 &&
		    want.o_slen == got.o_slen &&
		    strncasecmp(want.o_scheme, got.o_scheme, got.o_slen) == 0 &&
		    want.o_hlen == got.o_hlen &&
		    strncasecmp(want.o_host, got.o_host, got.o_hlen) == 0 &&
		    want.o_port == got.o_port)
			return (1);
		p += len;
	}
	return (0);
}
