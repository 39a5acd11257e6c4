/*
 * fsmdoc: print what the session transition table says, so documentation
 * is generated from the code and cannot drift from it.
 *
 *   fsmdoc dot	   a Graphviz digraph of the state changes
 *   fsmdoc codes  every close code wsgated originates, with its cause
 *                 ("backend": the code of the backend's close message),
 *                 and the HTTP refusals of a held handshake
 */
#include <stdio.h>
#include <string.h>

#include "fsm.h"

static void
print_actions(unsigned int actions)
{
	unsigned int	 a;
	const char	*sep = "";

	for (a = 1; a <= FSM_A_RELEASE; a <<= 1)
		if (actions & a) {
			printf("%s%s", sep, fsm_action_name(a));
			sep = "\\n";
		}
}

static void
print_dot(void)
{
	struct fsm_step	 st;
	int		 s, e;

	printf("digraph wsgate_session {\n\trankdir=LR;\n"
	    "\tnode [shape=box, fontname=\"sans\"];\n"
	    "\tedge [fontname=\"sans\", fontsize=9];\n");
	for (s = 0; s < FSM_ST__COUNT; s++)
		for (e = 0; e < FSM_EV__COUNT; e++) {
			st = fsm_next(s, e);
			if (st.next == (enum fsm_state)s)
				continue;	/* self-loops would hide the rest */
			printf("\t%s -> %s [label=\"%s", fsm_state_name(s),
			    fsm_state_name(st.next), fsm_event_name(e));
			if (st.close_code == FSM_CODE_BACKEND)
				printf(" (backend's code)");
			else if (st.close_code == FSM_CODE_CLIENT)
				printf(" (client's code, echoed)");
			else if (st.close_code == FSM_CODE_LWS)
				printf(" (lws's 1002/1007/1009)");
			else if (st.close_code != 0)
				printf(" (%u)", st.close_code);
			if (st.ended_by != FSM_SIDE_NONE)
				printf(" ended by %s", fsm_side_name(st.ended_by));
			printf("\\n");
			print_actions(st.actions);
			printf("\"];\n");
		}
	printf("}\n");
}

static void
print_codes(void)
{
	struct fsm_step	 st;
	int		 s, e;

	for (s = 0; s < FSM_ST__COUNT; s++)
		for (e = 0; e < FSM_EV__COUNT; e++) {
			st = fsm_next(s, e);
			if (st.close_code == FSM_CODE_BACKEND)
				printf("backend\t%s\t%s\t(the backend's code and "
				    "reason)\n", fsm_state_name(s),
				    fsm_event_name(e));
			else if (st.close_code == FSM_CODE_LWS)
				printf("lws\t%s\t%s\t(libwebsockets fails the "
				    "connection: 1002, 1007, 1009)\n",
				    fsm_state_name(s), fsm_event_name(e));
			else if (st.close_code > FSM_CODE_LWS)
				printf("%u\t%s\t%s\t%s\n", st.close_code,
				    fsm_state_name(s), fsm_event_name(e),
				    st.reason != NULL ? st.reason : "");
			else if (st.http_status != 0)
				printf("HTTP %u\t%s\t%s\t%s\n",
				    st.http_status, fsm_state_name(s),
				    fsm_event_name(e), st.reason);
		}
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "dot") == 0)
		print_dot();
	else if (argc == 2 && strcmp(argv[1], "codes") == 0)
		print_codes();
	else {
		fprintf(stderr, "usage: fsmdoc dot | codes\n");
		return (1);
	}
	return (0);
}
