/*
 * fuzz_origin: origin_allowed() and origin_valid() on arbitrary input.
 *
 * Input: an allowlist and an Origin header separated by a NUL byte.
 * Checked: an origin is only ever allowed if it is valid; a valid origin
 * without blanks allows itself, in any letter case; comparing two single
 * origins is symmetric.
 */
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "origin.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul;
	char		*allowed, *origin, *upper;
	size_t		 na, no, i;
	int		 ok;

	if ((nul = memchr(data, '\0', size)) == NULL)
		return (0);
	na = (size_t)(nul - data);
	no = size - na - 1;
	if ((allowed = malloc(na + 1)) == NULL ||
	    (origin = malloc(no + 1)) == NULL ||
	    (upper = malloc(no + 1)) == NULL)
		abort();
	memcpy(allowed, data, na);
	allowed[na] = '\0';
	memcpy(origin, nul + 1, no);
	origin[no] = '\0';
	for (i = 0; i <= no; i++)
		upper[i] = (char)toupper((unsigned char)origin[i]);

	no = strlen(origin);
	ok = origin_allowed(allowed, origin);
	if (ok)
		assert(origin_valid(origin, (unsigned int)no));
	if (origin_valid(origin, (unsigned int)no) &&
	    strchr(origin, ' ') == NULL) {
		assert(origin_allowed(origin, origin));
		assert(origin_allowed(origin, upper));
		assert(origin_allowed(upper, origin));
	}
	if (strchr(allowed, ' ') == NULL && strchr(origin, ' ') == NULL)
		assert(origin_allowed(allowed, origin) ==
		    origin_allowed(origin, allowed));
	free(allowed);
	free(origin);
	free(upper);
	return (0);
}
