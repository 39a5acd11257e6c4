/*
 * allow.c: allow_targets parsed and matched.  No socket, no DNS: the
 * rules compare addresses a token map already holds as numbers.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"

static int
allow_number(const char *s, const char *end, unsigned long max,
    unsigned long *n)
{
	*n = 0;
	if (s == end || end - s > 5)
		return (-1);
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		*n = *n * 10 + (unsigned long)(*s - '0');
	}
	return (*n > max ? -1 : 0);
}

/* ":PORT" or ":LOW-HIGH" at S, or nothing: all ports. */
static int
allow_ports(const char *s, struct allow_rule *r)
{
	const char	*dash;
	unsigned long	 lo, hi;

	r->ar_lo = 1;
	r->ar_hi = 65535;
	if (*s == '\0')
		return (0);
	if (*s++ != ':')
		return (-1);
	if ((dash = strchr(s, '-')) == NULL)
		dash = s + strlen(s);
	if (allow_number(s, dash, 65535, &lo) == -1 || lo == 0)
		return (-1);
	hi = lo;
	if (*dash == '-' && (allow_number(dash + 1, dash + strlen(dash),
	    65535, &hi) == -1 || hi < lo))
		return (-1);
	r->ar_lo = (unsigned int)lo;
	r->ar_hi = (unsigned int)hi;
	return (0);
}

/* Zero the host bits, so that matching compares the network only. */
static void
allow_mask(struct allow_rule *r)
{
	size_t		 len = r->ar_family == TARGET_INET ? 4 : 16, i;
	unsigned int	 bits = r->ar_bits;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			r->ar_addr[i] &= (unsigned char)(0xff << (8 - bits));
			bits = 0;
		}
	}
}

static int
allow_item(const char *item, struct allow_rule *r)
{
	char		 addr[64], *slash;
	const char	*rest, *close, *bitstr = NULL;
	unsigned long	 bits;
	size_t		 n, bitlen = 0;

	memset(r, 0, sizeof(*r));
	if (strncmp(item, "unix:", 5) == 0) {
		if (item[5] != '/' || strlen(item + 5) > TARGET_PATH_MAX)
			return (-1);
		r->ar_family = TARGET_UNIX;
		strcpy(r->ar_glob, item + 5);
		return (0);
	}
	if (item[0] == '[') {
		if ((close = strchr(item, ']')) == NULL)
			return (-1);
		n = (size_t)(close - item - 1);
		rest = close + 1;
		r->ar_family = TARGET_INET6;
		r->ar_bits = 128;
	} else {
		n = strcspn(item, "/:");
		rest = item + n;
		r->ar_family = TARGET_INET;
		r->ar_bits = 32;
	}
	if (n >= sizeof(addr))
		return (-1);
	memcpy(addr, item + (item[0] == '['), n);
	addr[n] = '\0';
	/* "[V6/N]" and "[V6]/N" both. */
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash++ = '\0';
		bitstr = slash;
		bitlen = strlen(slash);
	} else if (*rest == '/') {
		bitstr = ++rest;
		bitlen = strspn(rest, "0123456789");
		rest += bitlen;
	}
	if (inet_pton(r->ar_family == TARGET_INET ? AF_INET : AF_INET6, addr,
	    r->ar_addr) != 1)
		return (-1);
	if (bitstr != NULL) {
		if (allow_number(bitstr, bitstr + bitlen, r->ar_bits,
		    &bits) == -1)
			return (-1);
		r->ar_bits = (unsigned int)bits;
	}
	allow_mask(r);
	return (allow_ports(rest, r));
}

int
allow_parse(const char *text, struct allow *al, char *err, size_t errlen)
{
	struct allow_rule	*v;
	char			 item[TARGET_PATH_MAX + 8];
	const char		*p;
	size_t			 len;

	memset(al, 0, sizeof(*al));
	for (p = text; *(p += strspn(p, " \t")) != '\0'; p += len) {
		len = strcspn(p, " \t");
		if (len >= sizeof(item))
			goto bad;
		memcpy(item, p, len);
		item[len] = '\0';
		if ((v = reallocarray(al->al_rules, al->al_n + 1,
		    sizeof(*v))) == NULL) {
			snprintf(err, errlen, "out of memory");
			allow_free(al);
			return (-1);
		}
		al->al_rules = v;
		if (allow_item(item, &v[al->al_n]) == -1)
			goto bad;
		al->al_n++;
	}
	if (al->al_n > 0)
		return (0);
	snprintf(err, errlen, "name at least one address, network or "
	    "unix: path");
	return (-1);

 bad:
	snprintf(err, errlen, "'%.*s' is not A.B.C.D[/N][:PORTS], "
	    "[V6][/N][:PORTS] or unix:/GLOB", (int)len, p);
	allow_free(al);
	return (-1);
}

static int
allow_rule_match(const struct allow_rule *r, const struct target *tg)
{
	struct allow_rule	 t;

	if (r->ar_family != tg->tg_family)
		return (0);
	if (r->ar_family == TARGET_UNIX)
		return (fnmatch(r->ar_glob, tg->tg_path, FNM_PATHNAME) == 0);
	if (tg->tg_port < r->ar_lo || tg->tg_port > r->ar_hi)
		return (0);
	t = *r;
	memcpy(t.ar_addr, tg->tg_addr, sizeof(t.ar_addr));
	allow_mask(&t);
	return (memcmp(t.ar_addr, r->ar_addr, r->ar_family == TARGET_INET ?
	    4 : 16) == 0);
}

int
allow_match(const struct allow *al, const struct target *tg)
{
	size_t	 i;

	for (i = 0; i < al->al_n; i++)
		if (allow_rule_match(&al->al_rules[i], tg))
			return (1);
	return (0);
}

void
allow_free(struct allow *al)
{
	free(al->al_rules);
	al->al_rules = NULL;
	al->al_n = 0;
}
