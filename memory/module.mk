# memory/ - the memory API (see memory/memory.h).
MODULES += memory
# Regions, rendering, address spaces, listeners, mtree.
memory_core_SRCS := memory/system.c memory/region.c memory/flatview.c \
	memory/address-space.c memory/listener.c memory/mtree.c
# Accesses, rw, map/unmap, RAM blocks, dirty bitmaps, IOMMU notifiers.
memory_access_SRCS := memory/access.c memory/rw.c memory/map.c \
	memory/ramblock.c memory/dirty.c memory/iommu.c

memory_SRCS := $(memory_core_SRCS) $(memory_access_SRCS)

# Suites and benchmarks of the core half: memory/core.mk.
# Suites of the access half: memory/access.mk.
-include memory/core.mk memory/access.mk
