# tests/bench/ - benchmarks owned by the tests (others live with their
# module's fragment).
#
# bench_xendm: xendm's ioreq round trips vs xensim's floor responder, and
# start-up time / RSS vs Debian's QEMU, on a private xensimd (see
# docs/benchmarks.md, "xendm ioreq path").
BENCHES += bench_xendm
bench_xendm_SRCS := tests/bench/bench_xendm.c
bench_xendm_MODULES := guest xsimstate
bench_xendm_LIBS = $(XSIM_TEST_LIBS)
$(B)/bench/bench_xendm: $(XSIM_LIB_FILES) $(B)/xensim-responder $(B)/xendm \
	$(B)/xensimd $(B)/xensim
