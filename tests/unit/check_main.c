/*
 * check_main.c: one runner over every suite (CK_FORK=no for gdb).
 */
#include <stdlib.h>

#include "check_suites.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(fsm_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, route_suite());
	srunner_add_suite(sr, origin_suite());
	srunner_add_suite(sr, token_suite());
	srunner_add_suite(sr, bufq_suite());
	srunner_add_suite(sr, framing_suite());
	srunner_add_suite(sr, metadata_suite());
	srunner_add_suite(sr, subprotocol_suite());
	srunner_add_suite(sr, handshake_suite());
	srunner_add_suite(sr, pmd_suite());
	srunner_add_suite(sr, tokenmap_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
