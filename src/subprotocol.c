/*
 * subprotocol.c: RFC 6455 4.2.2: the server selects one of the client's
 * protocols; wsgated takes the first one, in the client's order, that the
 * route offers.
 */
#include <string.h>

#include "subprotocol.h"

/* Is the LEN-byte name N one of the blank-separated OFFERED? */
static int
offered_has(const char *offered, const char *n, size_t len)
{
	const char	*p = offered;
	size_t		 l;

	while (*p != '\0') {
		l = strcspn(p, " ");
		if (l == len && strncmp(p, n, len) == 0)
			return (1);
		p += l;
		p += strspn(p, " ");
	}
	return (0);
}

const char *
subprotocol_pick(const char *offered, const char *requested, char *out,
    size_t size)
{
	const char	*p = requested;
	size_t		 len;

	while (*p != '\0') {
		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len > 0 && len < size && offered_has(offered, p, len)) {
			memcpy(out, p, len);
			out[len] = '\0';
			return (out);
		}
		p += len;
	}
	return (NULL);
}
