/*
 * fuzz_proxy_header: proxy_header_parse() on arbitrary input.
 *
 * Checked: a verdict never depends on bytes past the header (DONE on a
 * prefix stays DONE, with the same length and addresses, on the whole
 * input); the header length fits in the input and in PROXY_HEADER_MAX;
 * MORE only below PROXY_HEADER_MAX; BAD and OVERSIZED say why.  The
 * parser sees a private copy of exactly SIZE bytes, so ASan catches any
 * read past them.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_header.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_header	 ph, again;
	enum proxy_header_status st;
	const char		*why;
	unsigned char		*buf;

	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	st = proxy_header_parse(buf, size, &ph, &why);
	switch (st) {
	case PROXY_HEADER_MORE:
		assert(size < PROXY_HEADER_MAX);
		break;
	case PROXY_HEADER_DONE:
		assert(ph.ph_len > 0 && ph.ph_len <= size &&
		    ph.ph_len <= PROXY_HEADER_MAX);
		assert(ph.ph_local || ph.ph_family == 4 || ph.ph_family == 6);
		/* The header alone gives the same verdict. */
		assert(proxy_header_parse(buf, ph.ph_len, &again, &why) ==
		    PROXY_HEADER_DONE);
		assert(memcmp(&ph, &again, sizeof(ph)) == 0);
		break;
	case PROXY_HEADER_BAD:
	case PROXY_HEADER_OVERSIZED:
		assert(why != NULL);
		break;
	}
	free(buf);
	return (0);
}
