# stubs/scenario/ - xensim's guest scenario language and xensim-guest.
MODULES += scenario
# The parser (scenario.c, lex.c, expect.c), the formatter and name tables
# (format.c), the interpreter (run.c) and the guest.h backend
# (backend_guest.c; only programs that call xsg_scenario_backend_guest()
# pull it, and they must link `guest xsimstate` too).
scenario_SRCS := stubs/scenario/scenario.c stubs/scenario/lex.c \
	stubs/scenario/expect.c stubs/scenario/format.c stubs/scenario/run.c \
	stubs/scenario/backend_guest.c stubs/scenario/raw_cmd.c

UNIT_TESTS += test_scenario_parse test_scenario_run
test_scenario_parse_SRCS := tests/unit/scenario/test_parse.c
test_scenario_parse_MODULES := scenario util
test_scenario_run_SRCS := tests/unit/scenario/test_run.c
test_scenario_run_MODULES := scenario util

PROGS += xensim-guest
xensim-guest_SRCS := stubs/scenario/cli.c
xensim-guest_MODULES := scenario guest xsimstate util

# xensim-guest's command line without a domain
CHECK_SCRIPTS += tests/unit/scenario/cli.sh
# a scenario against a real xensim domain and xensim-responder
CHECK_SCRIPTS += tests/unit/scenario/e2e.sh
