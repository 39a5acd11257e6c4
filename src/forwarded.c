/*
 * forwarded.c: pick the client out of a forwarding header.  Only hops
 * appended by trusted proxies are believed; the client can write anything
 * left of them.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <string.h>

#include "forwarded.h"

#define HOP_MAX		64

static int
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
	return (*len > 0);
}

/* "1.2.3.4", "1.2.3.4:80", "[v6]", "[v6]:80", a bare "v6". */
static int
hop_addr(const char *s, size_t len, struct forwarded_addr *fa)
{
	char		 a[HOP_MAX];
	const char	*port = NULL, *c, *lim = s + len;
	size_t		 alen = len, i;
	unsigned long	 p = 0;

	memset(fa, 0, sizeof(*fa));
	if (len == 0 || len >= sizeof(a))
		return (-1);
	if (s[0] == '[') {
		if ((c = memchr(s, ']', len)) == NULL)
			return (-1);
		alen = (size_t)(c - s) - 1;
		if (c + 1 < s + len) {
			if (c[1] != ':')
				return (-1);
			port = c + 2;
		}
		s++;
	} else if ((c = memchr(s, ':', len)) != NULL &&
	    memchr(c + 1, ':', len - (size_t)(c - s) - 1) == NULL) {
		alen = (size_t)(c - s);		/* one colon: IPv4, port */
		port = c + 1;
	}
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, fa->fa_addr) == 1)
		fa->fa_family = 4;
	else if (inet_pton(AF_INET6, a, fa->fa_addr) == 1)
		fa->fa_family = 6;
	else
		return (-1);
	if (port == NULL)
		return (0);
	if (lim - port < 1 || lim - port > 5)
		return (-1);
	for (i = 0; port + i < lim; i++) {
		if (port[i] < '0' || port[i] > '9')
			return (-1);
		p = p * 10 + (unsigned long)(port[i] - '0');
	}
	if (p > 65535)
		return (-1);
	fa->fa_port = (uint16_t)p;
	return (0);
}

/* The for= value of one Forwarded element, quotes removed. */
static int
element_for(const char *s, size_t len, const char **v, size_t *vlen)
{
	const char	*p = s, *end = s + len;
	size_t		 plen;

	while (p < end) {
		plen = (size_t)(end - p);
		if (memchr(p, ';', plen) != NULL)
			plen = (size_t)((const char *)memchr(p, ';', plen) - p);
		*v = p;
		*vlen = plen;
		if (trim(v, vlen) && *vlen > 4 &&
		    strncasecmp(*v, "for=", 4) == 0) {
			*v += 4;
			*vlen -= 4;
			if (*vlen >= 2 && (*v)[0] == '"' &&
			    (*v)[*vlen - 1] == '"') {
				(*v)++;
				*vlen -= 2;
			}
			return (0);
		}
		p += plen + 1;
	}
	return (-1);
}

int
forwarded_client(enum forwarded_kind kind, const char *value,
    const struct cidr *trusted, size_t n, struct forwarded_addr *out)
{
	struct forwarded_addr	 fa;
	const char		*end, *start, *hop;
	size_t			 hlen;
	int			 found = 0;

	end = value + strlen(value);
	while (end > value) {
		for (start = end; start > value && start[-1] != ','; start--)
			;
		hop = start;
		hlen = (size_t)(end - start);
		end = start > value ? start - 1 : value;
		if (!trim(&hop, &hlen))
			continue;	/* an empty list element */
		if (kind == FORWARDED_RFC7239 &&
		    element_for(hop, hlen, &hop, &hlen) == -1)
			break;
		if (hop_addr(hop, hlen, &fa) == -1)
			break;
		*out = fa;
		found = 1;
		if (!cidr_match(trusted, n, fa.fa_family, fa.fa_addr))
			break;
	}
	return (found ? 0 : -1);
}
