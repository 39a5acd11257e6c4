/*
 * cidr.c: parse and match address ranges.  inet_pton() only parses.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <string.h>

#include "cidr.h"

int
cidr_parse(const char *s, struct cidr *c)
{
	char		 addr[64];
	const char	*slash;
	size_t		 len, i;
	unsigned int	 bits = 0, max;

	memset(c, 0, sizeof(*c));
	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(addr))
		return (-1);
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, c->c_addr) == 1)
		c->c_family = 4;
	else if (inet_pton(AF_INET6, addr, c->c_addr) == 1)
		c->c_family = 6;
	else
		return (-1);
	max = c->c_family == 4 ? 32 : 128;
	if (slash == NULL)
		bits = max;
	else {
		/* 1 to 3 digits, no sign, no blank: strtoul() takes both. */
		for (i = 1; slash[i] != '\0'; i++) {
			if (slash[i] < '0' || slash[i] > '9' || i > 3)
				return (-1);
			bits = bits * 10 + (unsigned int)(slash[i] - '0');
		}
		if (i == 1 || bits > max)
			return (-1);
	}
	c->c_bits = bits;
	/* Host bits go, so that 10.1.2.3/8 means 10.0.0.0/8. */
	for (i = 0; i < 16; i++) {
		if (i * 8 >= bits)
			c->c_addr[i] = 0;
		else if (i * 8 + 8 > bits)
			c->c_addr[i] &= (unsigned char)(0xff << (8 - bits % 8));
	}
	return (0);
}

static int
cidr_in(const struct cidr *c, const unsigned char *addr)
{
	unsigned int	 full = c->c_bits / 8, rest = c->c_bits % 8;
	unsigned char	 mask;

	if (memcmp(c->c_addr, addr, full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = (unsigned char)(0xff << (8 - rest));
	return ((addr[full] & mask) == c->c_addr[full]);
}

int
cidr_match(const struct cidr *list, size_t n, int family,
    const unsigned char *addr)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (list[i].c_family == family && cidr_in(&list[i], addr))
			return (1);
	return (0);
}
