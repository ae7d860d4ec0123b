# tests/fuzz/ - xendm's end-to-end scripts on xensim and the libFuzzer
# target for the ioreq decoding.
#
# End-to-end (tests/scenarios/xendm-*.sh, helpers in xendm-lib.sh, guest
# scenarios in tests/scenarios/xendm/): run by `make check` with B, TOP,
# VALGRIND; each starts its own xensimd in a temporary run directory.
CHECK_SCRIPTS += tests/scenarios/xendm-ioreq.sh tests/scenarios/xendm-dma.sh \
	tests/scenarios/xendm-qmp.sh tests/scenarios/xendm-restrict.sh \
	tests/scenarios/xendm-hostile.sh

# Fuzzing: built with clang by tests/fuzz/build.sh (own flags and objects,
# never part of the gcc build); `make check` runs it ~20 s
# (tests/fuzz/fuzz-check.sh, skipped without clang + libclang-rt-14-dev),
# `make fuzz` runs it FUZZ_SECS (default 600) seconds, new inputs in
# $(B)/fuzz/corpus-new (merge interesting ones into tests/fuzz/corpus with
# `$(B)/fuzz/fuzz_ioreq -merge=1 tests/fuzz/corpus $(B)/fuzz/corpus-new`).
CHECK_SCRIPTS += tests/fuzz/fuzz-check.sh
FUZZ_SECS ?= 600

fuzz:
	$(Q)TOP=$(TOP) sh tests/fuzz/build.sh $(B)/fuzz
	$(Q)mkdir -p $(B)/fuzz/corpus-new
	$(Q)cd $(B)/fuzz && ./fuzz_ioreq -max_total_time=$(FUZZ_SECS) -max_len=1024 \
	  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  corpus-new $(TOP)/tests/fuzz/corpus

.PHONY: fuzz
