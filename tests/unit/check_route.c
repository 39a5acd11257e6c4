/*
 * check_route.c: route_match() on tables config.c built from INI text, in
 * more than one declaration order.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "config.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The same routes, declared in two orders. */
static const char *const tables[] = {
	"[server]\nlisten = 127.0.0.1:8080\n"
	"[route /*]\nbackend = unix:/any\n"
	"[route /]\nbackend = unix:/root\n"
	"[route /api/*]\nbackend = unix:/api\n"
	"[route /api]\nbackend = unix:/api-exact\n"
	"[route /api/v1/*]\nbackend = unix:/v1\n"
	"[route /api/v1/stream]\nbackend = unix:/stream\n"
	"[route /ws*]\nbackend = unix:/ws-prefix\n"
	"[route /ws]\nbackend = unix:/ws\n",

	"[route /ws]\nbackend = unix:/ws\n"
	"[route /api/v1/stream]\nbackend = unix:/stream\n"
	"[route /]\nbackend = unix:/root\n"
	"[route /api]\nbackend = unix:/api-exact\n"
	"[route /ws*]\nbackend = unix:/ws-prefix\n"
	"[route /api/v1/*]\nbackend = unix:/v1\n"
	"[route /api/*]\nbackend = unix:/api\n"
	"[route /*]\nbackend = unix:/any\n"
	"[server]\nlisten = 127.0.0.1:8080\n",
};

/* Request path and the backend of the route it must get. */
static const struct {
	const char	*path;
	const char	*backend;
} matches[] = {
	{ "/", "/root" },		/* the exact route beats the prefix */
	{ "/x", "/any" },
	{ "/apix", "/any" },
	{ "/api", "/api-exact" },	/* prefix "/api/" is not "/api" */
	{ "/api/", "/api" },
	{ "/api/x", "/api" },
	{ "/api/v1", "/api" },
	{ "/api/v1/", "/v1" },		/* longest prefix wins */
	{ "/api/v1/x/y", "/v1" },
	{ "/api/v1/stream", "/stream" },	/* exact beats prefix */
	{ "/api/v1/stream/", "/v1" },
	{ "/api/v1/streams", "/v1" },
	{ "/ws", "/ws" },		/* exact beats its own prefix */
	{ "/ws2", "/ws-prefix" },
	{ "/ws/x", "/ws-prefix" },
	{ "/API", "/any" },		/* bytes compare: case counts */
	{ "/api%2Fx", "/any" },		/* and nothing is decoded */
	{ "", NULL },
	{ "api", NULL },
};

static struct config *
table(const char *text)
{
	struct config	*cf;
	FILE		*errs;
	char		*msgs;
	size_t		 len;
	int		 n;

	errs = open_memstream(&msgs, &len);
	ck_assert_ptr_nonnull(errs);
	n = config_parse_string("r.ini", text, &cf, errs);
	fclose(errs);
	ck_assert_str_eq(msgs, "");
	free(msgs);
	ck_assert_int_eq(n, 0);
	return (cf);
}

START_TEST(test_match)
{
	struct config	*cf;
	struct route	*rt;
	size_t		 i;

	cf = table(tables[_i]);
	for (i = 0; i < nitems(matches); i++) {
		rt = route_match(cf, matches[i].path);
		if (matches[i].backend == NULL) {
			ck_assert_msg(rt == NULL, "'%s' matched [route %s%s]",
			    matches[i].path, rt->rt_path,
			    rt->rt_prefix ? "*" : "");
			continue;
		}
		ck_assert_msg(rt != NULL, "'%s' matched nothing",
		    matches[i].path);
		ck_assert_msg(strcmp(rt->rt_backend, matches[i].backend) == 0,
		    "'%s' matched %s, not %s", matches[i].path,
		    rt->rt_backend, matches[i].backend);
		/* A pointer into the table: nothing is allocated. */
		ck_assert(rt >= cf->cf_routes &&
		    rt < cf->cf_routes + cf->cf_nroutes);
	}
	config_free(cf);
}
END_TEST

START_TEST(test_no_match)
{
	struct config	*cf;
	struct route	*rt;

	/* Without a catch-all, an unknown path gets no route (HTTP 404). */
	cf = table("[server]\nlisten = 127.0.0.1:8080\n"
	    "[route /]\nbackend = unix:/root\n"
	    "[route /api/*]\nbackend = unix:/api\n");
	rt = route_match(cf, "/");
	ck_assert_ptr_nonnull(rt);
	ck_assert_str_eq(rt->rt_backend, "/root");
	ck_assert_ptr_null(route_match(cf, "/x"));
	ck_assert_ptr_null(route_match(cf, "/api"));
	ck_assert_ptr_null(route_match(cf, "//api/"));
	rt = route_match(cf, "/api/");
	ck_assert_ptr_nonnull(rt);
	ck_assert_str_eq(rt->rt_backend, "/api");
	config_free(cf);

	/* No route at all. */
	cf = table("[server]\nlisten = 127.0.0.1:8080\n");
	ck_assert_ptr_null(route_match(cf, "/"));
	config_free(cf);

	/* A lone prefix route "/" takes every path. */
	cf = table("[server]\nlisten = 127.0.0.1:8080\n"
	    "[route /*]\nbackend = unix:/any\n");
	ck_assert_ptr_nonnull(route_match(cf, "/"));
	ck_assert_ptr_nonnull(route_match(cf, "/a/b/c"));
	ck_assert_ptr_null(route_match(cf, "a"));
	config_free(cf);
}
END_TEST

Suite *
route_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("route");
	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match, 0, nitems(tables));
	tcase_add_test(tc, test_no_match);
	suite_add_tcase(s, tc);
	return (s);
}
