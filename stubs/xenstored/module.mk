# stubs/xenstored/ - xensim's in-process xenstore daemon (see xenstored.h).
# libxenstored.a: the daemon library; xsd-serve: serves a socket for
# scripts (--socket PATH [--domain N]..., prints "ready", exits on SIGTERM).
MODULES += xenstored
xenstored_SRCS := stubs/xenstored/store.c stubs/xenstored/watch.c \
	stubs/xenstored/ops.c stubs/xenstored/server.c stubs/xenstored/local.c

PROGS += xsd-serve
xsd-serve_SRCS := stubs/xenstored/xsd-serve.c
xsd-serve_MODULES := xenstored util

# Suites drive the daemon through Debian's libxenstore (in XEN_LIBS) and
# through raw sockets; the script drives Debian's xenstore-* tools.
UNIT_TESTS += test_xenstored test_xenstored_raw
test_xenstored_SRCS := tests/unit/test_xenstored.c
test_xenstored_MODULES := xenstored util
test_xenstored_raw_SRCS := tests/unit/test_xenstored_raw.c
test_xenstored_raw_MODULES := xenstored util

CHECK_SCRIPTS += tests/scenarios/xenstored-tools.sh
