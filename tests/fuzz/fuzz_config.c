/*
 * fuzz_config: whole configuration files through config_parse_string().
 *
 * Checks what wsgate.ini(5) promises: a file either loads (0 errors, a
 * configuration) or fails with every error printed as "NAME:LINE: ..."
 * and no configuration; a loaded one is usable by route_match() and frees
 * cleanly.  A token_secret_file, targets or backend_owner in the input
 * makes the parser open a file or look up a user, and a tcp: backend
 * resolve a name, which is what it does in real use.
 */
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define NAME	"fuzz.ini"

static const char *paths[] = { "/", "/echo", "/api/x", "/a/b/c", "" };

/* Every line of ERRS is "NAME:LINE: ...", or "NAME: ..." about the file. */
static void
check_errors(const char *errs, size_t len)
{
	const char	*p = errs, *end = errs + len, *nl;
	size_t		 n = strlen(NAME);

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert(nl != NULL);
		/* A token map that targets = names has its own NAME:LINE. */
		if ((size_t)(nl - p) <= n + 1 || memcmp(p, NAME ":", n + 1) !=
		    0) {
			assert(*p != ':' && memchr(p, ':', (size_t)(nl - p)));
			p = nl + 1;
			continue;
		}
		p += n + 1;
		if (*p != ' ') {
			assert(isdigit((unsigned char)*p));
			while (isdigit((unsigned char)*p))
				p++;
			assert(*p == ':');
		}
		p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cf = NULL;
	char		*text, *errs = NULL;
	size_t		 errlen = 0, i;
	FILE		*ef;
	int		 nerr;

	if ((text = malloc(size + 1)) == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	if ((ef = open_memstream(&errs, &errlen)) == NULL) {
		free(text);
		return (0);
	}
	nerr = config_parse_string(NAME, text, &cf, ef);
	fclose(ef);
	assert(nerr >= 0);
	assert((nerr == 0) == (cf != NULL));
	assert((nerr == 0) == (errlen == 0));
	check_errors(errs, errlen);
	if (cf != NULL) {
		for (i = 0; i < cf->cf_nroutes; i++)
			assert(route_match(cf, cf->cf_routes[i].rt_path) !=
			    NULL);
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			(void)route_match(cf, paths[i]);
	}
	config_free(cf);
	free(errs);
	free(text);
	return (0);
}
