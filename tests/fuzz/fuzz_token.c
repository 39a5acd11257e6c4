/*
 * fuzz_token: token_verify() on arbitrary tokens, and token_mint()'s
 * tokens checked back.
 *
 * Input: three strings separated by NUL bytes: a token, a route name and
 * a subject.  Checked: the verifier never reads outside the token and
 * leaves a terminated subject shorter than TOKEN_SUBJECT_MAX; a minted
 * token for (subject, route) verifies as TOKEN_OK with that subject for
 * that route, as expired a second after it expires, and as a bad
 * signature under another secret.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

#define NOW	((time_t)1700000000)

static const unsigned char secret[] = "fuzz secret, 32 bytes long......";
static const unsigned char other[] = "fuzz secret, 32 bytes long.....!";

/* The next NUL-terminated field of DATA (copied), or "". */
static char *
field(const uint8_t **data, size_t *size)
{
	const uint8_t	*nul;
	size_t		 n;
	char		*s;

	nul = memchr(*data, '\0', *size);
	n = nul != NULL ? (size_t)(nul - *data) : *size;
	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, *data, n);
	s[n] = '\0';
	*data += nul != NULL ? n + 1 : n;
	*size -= nul != NULL ? n + 1 : n;
	return (s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*token, *route, *subject;
	char			 sub[TOKEN_SUBJECT_MAX], minted[TOKEN_MAX + 1];
	const char		*routes[1];
	enum token_result	 r;

	token = field(&data, &size);
	route = field(&data, &size);
	subject = field(&data, &size);

	r = token_verify(token, secret, sizeof(secret) - 1, route, NOW, sub);
	assert(r <= TOKEN_WRONG_ROUTE);
	assert(strlen(sub) < TOKEN_SUBJECT_MAX);
	assert(r != TOKEN_OK || *token != '\0');

	routes[0] = route;
	if (token_mint(secret, sizeof(secret) - 1, subject, NOW + 60, routes,
	    1, minted, sizeof(minted)) == 0) {
		assert(strlen(minted) <= TOKEN_MAX);
		r = token_verify(minted, secret, sizeof(secret) - 1, route,
		    NOW, sub);
		assert(r == TOKEN_OK);
		assert(strcmp(sub, subject) == 0);
		assert(token_verify(minted, secret, sizeof(secret) - 1, route,
		    NOW + 61, sub) == TOKEN_EXPIRED);
		assert(token_verify(minted, other, sizeof(other) - 1, route,
		    NOW, sub) == TOKEN_BAD_SIGNATURE);
	}
	free(token);
	free(route);
	free(subject);
	return (0);
}
