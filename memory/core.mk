# Suites and benchmarks of memory/'s core half (regions, rendering, address
# spaces, dispatch, listeners, mtree). Included by memory/module.mk.
MEMCORE_HELPERS := tests/unit/memory/core_helpers.c
UNIT_TESTS += test_mem_render test_mem_listener test_mem_dispatch \
	test_mem_mtree
test_mem_render_SRCS := tests/unit/memory/test_render.c $(MEMCORE_HELPERS)
test_mem_render_MODULES := memory util
test_mem_listener_SRCS := tests/unit/memory/test_listener.c $(MEMCORE_HELPERS)
test_mem_listener_MODULES := memory util
test_mem_dispatch_SRCS := tests/unit/memory/test_dispatch.c $(MEMCORE_HELPERS)
test_mem_dispatch_MODULES := memory util
test_mem_mtree_SRCS := tests/unit/memory/test_mtree.c $(MEMCORE_HELPERS)
test_mem_mtree_MODULES := memory util
BENCHES += bench_memory_lookup
bench_memory_lookup_SRCS := tests/bench/bench_memory_lookup.c
bench_memory_lookup_MODULES := memory util
