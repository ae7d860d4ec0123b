# mapcache/ - lazy guest RAM through a cache of foreign mappings
# (see mapcache/mapcache.h).
MODULES += mapcache
mapcache_SRCS := mapcache/mapcache.c mapcache/invalidate.c mapcache/seam.c

# Pure logic against an in-process fake backend (no Xen, no xensim).
UNIT_TESTS += test_mapcache_core
test_mapcache_core_SRCS := tests/unit/mapcache/test_mapcache_core.c \
	tests/unit/mapcache/fakefm.c
test_mapcache_core_MODULES := mapcache util

# The same behaviours against xensim's libxenforeignmemory (run path to
# $(B)/stubs/lib; XSIM_TEST_LIBS comes from stubs/xensim/module.mk).
UNIT_TESTS += test_mapcache_xensim
test_mapcache_xensim_SRCS := tests/unit/mapcache/test_mapcache_xensim.c \
	tests/unit/xensim_fixture.c
test_mapcache_xensim_MODULES := mapcache guest xsimstate util
test_mapcache_xensim_LIBS = $(XSIM_TEST_LIBS)
$(B)/tests/test_mapcache_xensim: $(B)/stubs/lib/libxenforeignmemory.so.1 \
	$(B)/stubs/lib/libxenctrl.so.4.17

# The RAMBlock seam: the memory API's RAM entry points over the mapcache,
# on xensim.
UNIT_TESTS += test_mapcache_seam
test_mapcache_seam_SRCS := tests/unit/mapcache/test_mapcache_seam.c \
	tests/unit/xensim_fixture.c
test_mapcache_seam_MODULES := mapcache memory guest xsimstate util
test_mapcache_seam_LIBS = $(XSIM_TEST_LIBS)
$(B)/tests/test_mapcache_seam: $(B)/stubs/lib/libxenforeignmemory.so.1 \
	$(B)/stubs/lib/libxenctrl.so.4.17

# Lookup and invalidation costs as ratios (docs/benchmarks.md, "Mapcache").
BENCHES += bench_mapcache
bench_mapcache_SRCS := tests/bench/bench_mapcache.c tests/unit/mapcache/fakefm.c
bench_mapcache_MODULES := mapcache util
