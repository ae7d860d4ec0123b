# util/ - logging and small helpers shared by every subsystem.
MODULES += util
util_SRCS := util/log.c
UNIT_TESTS += test_log
test_log_SRCS := tests/unit/test_log.c
test_log_MODULES := util
