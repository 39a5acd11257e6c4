/*
 * framing.c: message boundaries for data read from backends.
 */
#include "framing.h"

size_t
framing_utf8_incomplete(const unsigned char *buf, size_t len)
{
	size_t	 back, need;

	/* Look back over at most three continuation bytes to a lead byte. */
	for (back = 1; back <= 4 && back <= len; back++) {
		unsigned char	 c = buf[len - back];

		if ((c & 0xc0) == 0x80)
			continue;	/* continuation byte */
		if (c < 0x80)
			return (0);
		if ((c & 0xe0) == 0xc0)
			need = 2;
		else if ((c & 0xf0) == 0xe0)
			need = 3;
		else if ((c & 0xf8) == 0xf0)
			need = 4;
		else
			return (0);	/* invalid: let the client judge it */
		return (back < need ? back : 0);
	}
	return (0);
}
