/*
 * origin.h: the Origin allowlist of a route.  Pure code.
 */
#ifndef WSGATE_ORIGIN_H
#define WSGATE_ORIGIN_H

/*
 * Is ORIGIN (the request's header) one of ALLOWED (blank-separated
 * "scheme://host[:port]")?  Scheme and host compare without regard to
 * case, and a port equal to the scheme's default (80 for http, 443 for
 * https) may be left out on either side: the comparison is exact on
 * scheme, host and port.
 */
int	 origin_allowed(const char *allowed, const char *origin);
/* Is S one "scheme://host[:port]" origin?  For the configuration. */
int	 origin_valid(const char *s, unsigned int len);

#endif
