/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core_helpers.c - see core_helpers.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/memory/core_helpers.h"

static uint64_t core_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x1111111111111111ull >> (64 - 8 * size);
}

static void core_io_write(void *opaque, hwaddr addr, uint64_t data,
                          unsigned size)
{
}

const MemoryRegionOps core_io_ops = {
    .read = core_io_read,
    .write = core_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

void core_io_init(MemoryRegion *mr, MemorySystem *ms, const char *name,
                  uint64_t size)
{
    memory_region_init_io(mr, ms, NULL, &core_io_ops, mr, name, size);
}

char *fv_string(AddressSpace *as)
{
    FlatView *fv = address_space_get_flatview(as);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    MemoryRegionSection s;

    for (unsigned i = 0; flatview_range_section(fv, i, &s); i++) {
        uint64_t start = s.offset_within_address_space;
        uint64_t last = (start == 0 && s.size == UINT64_MAX)
                            ? UINT64_MAX : start + s.size - 1;

        fprintf(f, "%" PRIx64 "-%" PRIx64 " %s+%" PRIx64 "%s%s%s\n",
                s.offset_within_address_space, last,
                memory_region_name(s.mr), s.offset_within_region,
                s.readonly ? " ro" : "", s.nonvolatile ? " nv" : "",
                memory_region_is_romd(s.mr) ? " romd" : "");
    }
    fclose(f);
    flatview_unref(fv);
    return buf;
}

int core_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
