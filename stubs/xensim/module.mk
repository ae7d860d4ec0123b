# stubs/xensim/ - the simulated hypervisor: shared domain state, the
# xensimd daemon, the xensim control CLI and a trivial responder.
MODULES += xsimstate
xsimstate_SRCS := stubs/xensim/simstate.c

PROGS += xensim-responder
xensim-responder_SRCS := stubs/xensim/responder.c
xensim-responder_MODULES := xsimstate

# Tests link the system's Xen libraries by name; the run path makes them
# load xensim's drop-ins from the build directory instead.
XSIM_TEST_LIBS = -Wl,-rpath,$(abspath $(B)/stubs/lib)
UNIT_TESTS += test_xensim_io
test_xensim_io_SRCS := tests/unit/test_xensim_io.c tests/unit/xensim_fixture.c
test_xensim_io_MODULES := guest xsimstate util
test_xensim_io_LIBS = $(XSIM_TEST_LIBS)
$(B)/tests/test_xensim_io: $(XSIM_LIB_FILES) $(B)/xensim-responder

UNIT_TESTS += test_xensim_libs
test_xensim_libs_SRCS := tests/unit/test_xensim_libs.c tests/unit/xensim_fixture.c
test_xensim_libs_MODULES := guest xsimstate util
test_xensim_libs_LIBS = $(XSIM_TEST_LIBS)
$(B)/tests/test_xensim_libs: $(XSIM_LIB_FILES) $(B)/xensim-responder

PROGS += xensimd
xensimd_SRCS := stubs/xensim/xensimd.c
xensimd_MODULES := xsimstate xenstored util

PROGS += xensim
xensim_SRCS := stubs/xensim/xensim_cli.c
xensim_MODULES := xsimstate

PROGS += xensim-probe
xensim-probe_SRCS := stubs/xensim/probe.c
xensim-probe_MODULES := guest xsimstate

CHECK_SCRIPTS += tests/scenarios/xensim-toolstack.sh
# with xendm: VRAM relocation through the p2m, run-dm stopping it after a
# guest power-off (skips without xendm)
CHECK_SCRIPTS += tests/scenarios/xensim-xendm.sh
# The scripts need the programs and libraries built.
tests: $(B)/xensimd $(B)/xensim $(B)/xensim-probe $(B)/xensim-responder $(XSIM_LIB_FILES)
CHECK_SCRIPTS += tests/scenarios/xensim-qemu.sh

# make check-qemu: install Debian's qemu-system-xen when root, then run the
# QEMU-on-xensim scenario and the device-by-device comparison with xendm
# (both skip themselves when the binary is missing).
check-qemu: tests
	$(Q)if [ ! -x /usr/libexec/xen-qemu-system-i386 ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-xen; \
	  else echo "check-qemu: not root; cannot install qemu-system-xen (skipping)"; fi; fi
	$(Q)B=$(B) TOP=$(TOP) VALGRIND= sh tests/run-tests.sh -- tests/scenarios/xensim-qemu.sh \
	  tests/scenarios/qemu-compare.sh
.PHONY: check-qemu

BENCHES += bench_xensim_rtt
bench_xensim_rtt_SRCS := tests/bench/bench_xensim_rtt.c
bench_xensim_rtt_MODULES := guest xsimstate
bench_xensim_rtt_LIBS = $(XSIM_TEST_LIBS)
$(B)/bench/bench_xensim_rtt: $(XSIM_LIB_FILES) $(B)/xensim-responder

UNIT_TESTS += test_xensim_raw
test_xensim_raw_SRCS := tests/unit/test_xensim_raw.c tests/unit/xensim_fixture.c
test_xensim_raw_MODULES := guest xsimstate util
test_xensim_raw_LIBS = $(XSIM_TEST_LIBS)
$(B)/tests/test_xensim_raw: $(XSIM_LIB_FILES) $(B)/xensim-responder

UNIT_TESTS += test_xensim_p2m
test_xensim_p2m_SRCS := tests/unit/test_xensim_p2m.c tests/unit/xensim_fixture.c
test_xensim_p2m_MODULES := guest xsimstate util
test_xensim_p2m_LIBS = $(XSIM_TEST_LIBS)
$(B)/tests/test_xensim_p2m: $(XSIM_LIB_FILES) $(B)/xensim-responder
