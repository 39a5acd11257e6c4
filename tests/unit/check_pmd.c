/*
 * check_pmd.c: RFC 7692 offers as the server answers them: parameters
 * taken within the route's window and context settings, or the offer
 * declined.
 */
#include <string.h>

#include "check_suites.h"
#include "pmd.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*offer;
	unsigned int	 bits;		/* compression_window_bits */
	int		 takeover;	/* compression_context_takeover */
	const char	*resp;		/* NULL: declined */
	unsigned int	 server_bits, client_bits;
	int		 server_takeover, client_takeover;
} offers[] = {
	{ "", 15, 1, "", 15, 15, 1, 1 },
	/* What browsers offer: the client's window may be named. */
	{ "client_max_window_bits", 15, 1, "; client_max_window_bits=15",
	    15, 15, 1, 1 },
	{ "client_max_window_bits", 10, 1, "; server_max_window_bits=10; "
	    "client_max_window_bits=10", 10, 10, 1, 1 },
	/* A client that names no window of its own may use 15 bits. */
	{ "", 10, 1, "; server_max_window_bits=10", 10, 15, 1, 1 },
	{ "client_max_window_bits=12", 15, 1,
	    "; client_max_window_bits=12", 15, 12, 1, 1 },
	{ "client_max_window_bits=12", 10, 1,
	    "; server_max_window_bits=10; client_max_window_bits=10", 10, 10,
	    1, 1 },
	{ "client_max_window_bits=8", 15, 1, "; client_max_window_bits=8",
	    15, 8, 1, 1 },
	/* The server's window: at most what the client asks for. */
	{ "server_max_window_bits=10", 15, 1, "; server_max_window_bits=10",
	    10, 15, 1, 1 },
	{ "server_max_window_bits=12", 9, 1, "; server_max_window_bits=9",
	    9, 15, 1, 1 },
	{ "server_max_window_bits=\"11\"", 15, 1,
	    "; server_max_window_bits=11", 11, 15, 1, 1 },
	{ "server_max_window_bits=8", 15, 1, NULL, 0, 0, 0, 0 },
	{ "server_max_window_bits", 15, 1, NULL, 0, 0, 0, 0 },
	{ "server_max_window_bits=16", 15, 1, NULL, 0, 0, 0, 0 },
	{ "server_max_window_bits=7", 15, 1, NULL, 0, 0, 0, 0 },
	{ "server_max_window_bits=010", 15, 1, NULL, 0, 0, 0, 0 },
	{ "client_max_window_bits=x", 15, 1, NULL, 0, 0, 0, 0 },
	/* Context takeover, asked for by the client or the route. */
	{ "server_no_context_takeover", 15, 1,
	    "; server_no_context_takeover", 15, 15, 0, 1 },
	{ "client_no_context_takeover", 15, 1,
	    "; client_no_context_takeover", 15, 15, 1, 0 },
	{ "", 15, 0, "; server_no_context_takeover; "
	    "client_no_context_takeover", 15, 15, 0, 0 },
	{ "server_no_context_takeover=1", 15, 1, NULL, 0, 0, 0, 0 },
	{ " server_no_context_takeover ;\tclient_max_window_bits = 9 ", 15,
	    1, "; server_no_context_takeover; client_max_window_bits=9", 15,
	    9, 0, 1 },
	/* Unknown, repeated or empty parameters decline the offer. */
	{ "x_unknown", 15, 1, NULL, 0, 0, 0, 0 },
	{ "client_max_window_bits; client_max_window_bits", 15, 1, NULL, 0,
	    0, 0, 0 },
	{ "server_no_context_takeover;; client_max_window_bits", 15, 1,
	    NULL, 0, 0, 0, 0 },
	{ "server_no_context_takeoverx", 15, 1, NULL, 0, 0, 0, 0 },
};

START_TEST(test_offer)
{
	struct pmd_params	 pp;
	char			 resp[128];
	int			 rc;

	memset(&pp, 0, sizeof(pp));
	rc = pmd_negotiate(offers[_i].offer, strlen(offers[_i].offer),
	    offers[_i].bits, offers[_i].takeover, &pp, resp, sizeof(resp));
	if (offers[_i].resp == NULL) {
		ck_assert_msg(rc == -1, "'%s' taken: '%s'", offers[_i].offer,
		    resp);
		return;
	}
	ck_assert_msg(rc == 0, "'%s' declined", offers[_i].offer);
	ck_assert_str_eq(resp, offers[_i].resp);
	ck_assert_uint_eq(pp.pp_server_bits, offers[_i].server_bits);
	ck_assert_uint_eq(pp.pp_client_bits, offers[_i].client_bits);
	ck_assert_int_eq(pp.pp_server_takeover, offers[_i].server_takeover);
	ck_assert_int_eq(pp.pp_client_takeover, offers[_i].client_takeover);
}
END_TEST

/* Only LEN bytes are the offer: the next one, after ',', is not read. */
START_TEST(test_len)
{
	struct pmd_params	 pp;
	char			 resp[128];
	const char		*two = "client_max_window_bits, x_unknown";

	ck_assert_int_eq(pmd_negotiate(two, strcspn(two, ","), 15, 1, &pp,
	    resp, sizeof(resp)), 0);
	ck_assert_str_eq(resp, "; client_max_window_bits=15");
	ck_assert_int_eq(pmd_negotiate(two, strlen(two), 15, 1, &pp, resp,
	    sizeof(resp)), -1);
}
END_TEST

/* An answer that does not fit declines the offer, never cut. */
START_TEST(test_small_resp)
{
	struct pmd_params	 pp;
	char			 resp[20];

	ck_assert_int_eq(pmd_negotiate("client_max_window_bits", 22, 10, 0,
	    &pp, resp, sizeof(resp)), -1);
}
END_TEST

Suite *
pmd_suite(void)
{
	Suite	*s = suite_create("pmd");
	TCase	*tc = tcase_create("negotiate");

	tcase_add_loop_test(tc, test_offer, 0, nitems(offers));
	tcase_add_test(tc, test_len);
	tcase_add_test(tc, test_small_resp);
	suite_add_tcase(s, tc);
	return (s);
}
