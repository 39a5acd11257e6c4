/*
 * pmd.c: the server side of permessage-deflate negotiation (RFC 7692 5,
 * 7.1).  libwebsockets hands ws.c each offer; this file decides whether
 * to take it and with which parameters.  No I/O, no libwebsockets.
 */
#include <stdio.h>
#include <string.h>

#include "pmd.h"

enum pmd_param {
	PMD_SERVER_NO_TAKEOVER,
	PMD_CLIENT_NO_TAKEOVER,
	PMD_SERVER_BITS,
	PMD_CLIENT_BITS,
	PMD__COUNT
};

static const char *const pmd_names[PMD__COUNT] = {
	[PMD_SERVER_NO_TAKEOVER] = "server_no_context_takeover",
	[PMD_CLIENT_NO_TAKEOVER] = "client_no_context_takeover",
	[PMD_SERVER_BITS] = "server_max_window_bits",
	[PMD_CLIENT_BITS] = "client_max_window_bits",
};

#define PMD_BLANK	" \t"

/*
 * A window size: 8..15, maybe as a quoted string (RFC 7692 7).  Returns
 * it, or 0 when P (N bytes) is none.
 */
static unsigned int
pmd_bits(const char *p, size_t n)
{
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	if (n == 1 && p[0] >= '8' && p[0] <= '9')
		return ((unsigned int)(p[0] - '0'));
	if (n == 2 && p[0] == '1' && p[1] >= '0' && p[1] <= '5')
		return (10 + (unsigned int)(p[1] - '0'));
	return (0);
}

/* P (N bytes) without blanks at either end. */
static void
pmd_trim(const char **p, size_t *n)
{
	while (*n > 0 && strchr(PMD_BLANK, **p) != NULL) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && strchr(PMD_BLANK, (*p)[*n - 1]) != NULL)
		(*n)--;
}

/*
 * Parse the parameters into SEEN (1 when present) and VAL (a window, 0
 * when given without one).  -1 on anything the RFC does not allow.
 */
static int
pmd_parse(const char *offer, size_t len, int seen[PMD__COUNT],
    unsigned int val[PMD__COUNT])
{
	const char	*p, *end = offer + len, *semi, *eq;
	size_t		 n, nn, vn;
	int		 first, i;

	for (p = offer; p < end; p = semi + 1) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		n = (size_t)(semi - p);
		first = p == offer;
		pmd_trim(&p, &n);
		if (n == 0) {
			if (first || semi == end)
				continue;	/* a leading ';', or the end */
			return (-1);		/* an empty parameter */
		}
		eq = memchr(p, '=', n);
		nn = eq != NULL ? (size_t)(eq - p) : n;
		vn = eq != NULL ? n - nn - 1 : 0;
		pmd_trim(&p, &nn);
		for (i = 0; i < PMD__COUNT; i++)
			if (strlen(pmd_names[i]) == nn &&
			    strncmp(pmd_names[i], p, nn) == 0)
				break;
		if (i == PMD__COUNT || seen[i])
			return (-1);
		seen[i] = 1;
		if (eq == NULL) {
			/* server_max_window_bits needs its value. */
			if (i == PMD_SERVER_BITS)
				return (-1);
			continue;
		}
		if (i != PMD_SERVER_BITS && i != PMD_CLIENT_BITS)
			return (-1);
		eq++;
		pmd_trim(&eq, &vn);
		if ((val[i] = pmd_bits(eq, vn)) == 0)
			return (-1);
	}
	return (0);
}

static unsigned int
pmd_min(unsigned int a, unsigned int b)
{
	return (a < b ? a : b);
}

int
pmd_negotiate(const char *offer, size_t len, unsigned int bits,
    int takeover, struct pmd_params *out, char *resp, size_t size)
{
	int		 seen[PMD__COUNT] = { 0 };
	unsigned int	 val[PMD__COUNT] = { 0 };
	int		 n;

	if (pmd_parse(offer, len, seen, val) == -1)
		return (-1);
	/* The server's window: at most what the client asks for. */
	out->pp_server_bits = seen[PMD_SERVER_BITS] ?
	    pmd_min(val[PMD_SERVER_BITS], bits) : bits;
	if (out->pp_server_bits < 9)
		return (-1);	/* zlib cannot deflate with 8 bits */
	/*
	 * The client's: only a client that names client_max_window_bits
	 * may be told a size; one that does not may use 15 bits.
	 */
	out->pp_client_bits = 15;
	if (seen[PMD_CLIENT_BITS])
		out->pp_client_bits = pmd_min(val[PMD_CLIENT_BITS] != 0 ?
		    val[PMD_CLIENT_BITS] : 15, bits);
	out->pp_server_takeover = takeover && !seen[PMD_SERVER_NO_TAKEOVER];
	out->pp_client_takeover = takeover && !seen[PMD_CLIENT_NO_TAKEOVER];
	n = snprintf(resp, size, "%s%s",
	    out->pp_server_takeover ? "" : "; server_no_context_takeover",
	    out->pp_client_takeover ? "" : "; client_no_context_takeover");
	if (n >= 0 && (size_t)n < size && (seen[PMD_SERVER_BITS] ||
	    out->pp_server_bits < 15))
		n += snprintf(resp + n, size - (size_t)n,
		    "; server_max_window_bits=%u", out->pp_server_bits);
	if (n >= 0 && (size_t)n < size && seen[PMD_CLIENT_BITS])
		n += snprintf(resp + n, size - (size_t)n,
		    "; client_max_window_bits=%u", out->pp_client_bits);
	return (n >= 0 && (size_t)n < size ? 0 : -1);
}
