/*
 * route.c: find the route for a request path in the table config.c built.
 * The table is immutable; matching allocates nothing and does no I/O.
 */
#include <string.h>

#include "config.h"

/*
 * Paths compare byte for byte as the client sent them: no percent-decoding
 * and no dot-segment removal.  A prefix route's rt_path keeps the '/' before
 * the '*', so "/api/" matches "/api/" and below but not "/api", as nginx's
 * "location /api/" does.  config.c sorts the routes longest path first, an
 * exact route before a prefix route with the same path, so the first match
 * wins: an exact route for PATH is at least as long as any prefix route of
 * PATH.  One pass, O(number of routes), no allocation.
 */
struct route *
route_match(const struct config *cf, const char *path)
{
	struct route	*rt;
	size_t		 i;

	for (i = 0; i < cf->cf_nroutes; i++) {
		rt = &cf->cf_routes[i];
		if (rt->rt_prefix) {
			if (strncmp(path, rt->rt_path,
			    strlen(rt->rt_path)) == 0)
				return (rt);
		} else if (strcmp(path, rt->rt_path) == 0)
			return (rt);
	}
	return (NULL);
}
