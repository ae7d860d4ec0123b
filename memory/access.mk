# Suites of memory/'s access half (accesses, rw/map, RAM blocks and dirty
# bitmaps, IOMMU notifiers). Included by memory/module.mk.
UNIT_TESTS += test_mem_access test_mem_rw_map test_mem_ramblock test_mem_iommu
test_mem_access_SRCS := tests/unit/memory/test_access.c \
	tests/unit/memory/access_helpers.c
test_mem_access_MODULES := memory util
test_mem_rw_map_SRCS := tests/unit/memory/test_rw_map.c \
	tests/unit/memory/access_helpers.c
test_mem_rw_map_MODULES := memory util
test_mem_ramblock_SRCS := tests/unit/memory/test_ramblock_dirty.c \
	tests/unit/memory/access_helpers.c
test_mem_ramblock_MODULES := memory util
test_mem_iommu_SRCS := tests/unit/memory/test_iommu.c \
	tests/unit/memory/access_helpers.c
test_mem_iommu_MODULES := memory util
