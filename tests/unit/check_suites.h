/* The suites of the unit test runner, one per file. */
#ifndef CHECK_SUITES_H
#define CHECK_SUITES_H

#include <check.h>

Suite	*bufq_suite(void);
Suite	*config_suite(void);
Suite	*framing_suite(void);
Suite	*fsm_suite(void);
Suite	*handshake_suite(void);
Suite	*metadata_suite(void);
Suite	*route_suite(void);
Suite	*origin_suite(void);
Suite	*pmd_suite(void);
Suite	*token_suite(void);
Suite	*subprotocol_suite(void);
Suite	*tokenmap_suite(void);

#endif
