/*
 * iplimit.h: how many sessions each client address has open on a route,
 * for max_connections_per_ip.  A small hash table; no sockets.
 */
#ifndef WSGATE_IPLIMIT_H
#define WSGATE_IPLIMIT_H

#include <stddef.h>

#define IPLIMIT_KEY_MAX	17	/* family byte and an IPv6 address */

/* The sessions open for (ROUTE, KEY). */
unsigned int	 iplimit_count(const void *route, const unsigned char *key,
		    size_t len);
/* One more; 0, or -1 when out of memory. */
int		 iplimit_add(const void *route, const unsigned char *key,
		    size_t len);
/* One less; the entry goes when it reaches 0. */
void		 iplimit_del(const void *route, const unsigned char *key,
		    size_t len);

#endif
