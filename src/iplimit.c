/*
 * iplimit.c: (route, address) -> open sessions, chained in 4096 buckets.
 * Entries exist only while their count is above zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iplimit.h"

#define IPLIMIT_BUCKETS	4096

struct iplimit {
	struct iplimit	*il_next;
	const void	*il_route;	/* borrowed; only compared */
	unsigned char	 il_key[IPLIMIT_KEY_MAX];
	size_t		 il_len;
	unsigned int	 il_count;
};

static struct iplimit	*iplimit_table[IPLIMIT_BUCKETS];

/* FNV-1a over the route pointer and the key. */
static size_t
iplimit_hash(const void *route, const unsigned char *key, size_t len)
{
	uintptr_t	 r = (uintptr_t)route;
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < sizeof(r); i++, r >>= 8)
		h = (h ^ (r & 0xff)) * 16777619u;
	for (i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	return (h % IPLIMIT_BUCKETS);
}

static struct iplimit **
iplimit_find(const void *route, const unsigned char *key, size_t len)
{
	struct iplimit	**pp;

	pp = &iplimit_table[iplimit_hash(route, key, len)];
	for (; *pp != NULL; pp = &(*pp)->il_next)
		if ((*pp)->il_route == route && (*pp)->il_len == len &&
		    memcmp((*pp)->il_key, key, len) == 0)
			break;
	return (pp);
}

unsigned int
iplimit_count(const void *route, const unsigned char *key, size_t len)
{
	struct iplimit	*e = *iplimit_find(route, key, len);

	return (e != NULL ? e->il_count : 0);
}

int
iplimit_add(const void *route, const unsigned char *key, size_t len)
{
	struct iplimit	**pp = iplimit_find(route, key, len), *e;

	if (len > IPLIMIT_KEY_MAX)
		return (-1);
	if ((e = *pp) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return (-1);
		e->il_route = route;
		memcpy(e->il_key, key, len);
		e->il_len = len;
		*pp = e;
	}
	e->il_count++;
	return (0);
}

void
iplimit_del(const void *route, const unsigned char *key, size_t len)
{
	struct iplimit	**pp = iplimit_find(route, key, len), *e;

	if ((e = *pp) == NULL)
		return;
	if (--e->il_count == 0) {
		*pp = e->il_next;
		free(e);
	}
}
