/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_listener.c - MemoryListener rules: replay on register and
 * unregister, priority order (adds forward, dels reverse), every del before
 * every add, changed attributes as del + add, nops, per-address-space
 * filter, dirty logging (set_log, global start/stop, sync), transactions
 * batching, address-space destruction.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/core-internal.h"
#include "tests/unit/memory/core_helpers.h"

struct journal {
    char text[8192];
};

struct rec {
    MemoryListener l;
    const char *tag;
    struct journal *j;
    bool quiet_nop;     /* do not journal region_nop */
    int begins, commits, nops;
};

static void jprintf(struct rec *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void jprintf(struct rec *r, const char *fmt, ...)
{
    size_t used = strlen(r->j->text);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->j->text + used, sizeof(r->j->text) - used, fmt, ap);
    va_end(ap);
}

#define REC(l) ((struct rec *)(l))

static void sec(struct rec *r, const char *what, MemoryRegionSection *s)
{
    jprintf(r, "%s:%s %s %" PRIx64 "+%" PRIx64 "%s;", r->tag, what,
            memory_region_name(s->mr), s->offset_within_address_space,
            s->size, s->readonly ? " ro" : "");
}

static void on_begin(MemoryListener *l)
{
    REC(l)->begins++;
    jprintf(REC(l), "%s:begin;", REC(l)->tag);
}

static void on_commit(MemoryListener *l)
{
    REC(l)->commits++;
    jprintf(REC(l), "%s:commit;", REC(l)->tag);
}

static void on_add(MemoryListener *l, MemoryRegionSection *s)
{
    sec(REC(l), "add", s);
}

static void on_del(MemoryListener *l, MemoryRegionSection *s)
{
    sec(REC(l), "del", s);
}

static void on_nop(MemoryListener *l, MemoryRegionSection *s)
{
    REC(l)->nops++;
    if (!REC(l)->quiet_nop)
        sec(REC(l), "nop", s);
}

static void on_log_start(MemoryListener *l, MemoryRegionSection *s, int o,
                         int n)
{
    jprintf(REC(l), "%s:log_start %s %d>%d;", REC(l)->tag,
            memory_region_name(s->mr), o, n);
}

static void on_log_stop(MemoryListener *l, MemoryRegionSection *s, int o,
                        int n)
{
    jprintf(REC(l), "%s:log_stop %s %d>%d;", REC(l)->tag,
            memory_region_name(s->mr), o, n);
}

static void on_log_sync(MemoryListener *l, MemoryRegionSection *s)
{
    sec(REC(l), "sync", s);
}

static void on_global_start(MemoryListener *l)
{
    jprintf(REC(l), "%s:global_start;", REC(l)->tag);
}

static void on_global_stop(MemoryListener *l)
{
    jprintf(REC(l), "%s:global_stop;", REC(l)->tag);
}

static void rec_init(struct rec *r, struct journal *j, const char *tag,
                     unsigned priority)
{
    memset(r, 0, sizeof(*r));
    r->tag = tag;
    r->j = j;
    r->quiet_nop = true;
    r->l.begin = on_begin;
    r->l.commit = on_commit;
    r->l.region_add = on_add;
    r->l.region_del = on_del;
    r->l.region_nop = on_nop;
    r->l.log_start = on_log_start;
    r->l.log_stop = on_log_stop;
    r->l.log_sync = on_log_sync;
    r->l.log_global_start = on_global_start;
    r->l.log_global_stop = on_global_stop;
    r->l.priority = priority;
    r->l.name = tag;
}

static void jclear(struct journal *j)
{
    j->text[0] = '\0';
}

struct world {
    MemorySystem *ms;
    MemoryRegion root, a, b;
    AddressSpace as;
    struct journal j;
};

static void world_init(struct world *w)
{
    memset(&w->j, 0, sizeof(w->j));
    w->ms = memory_system_new();
    memory_region_init(&w->root, w->ms, NULL, "root", 0x100000);
    core_io_init(&w->a, w->ms, "a", 0x1000);
    core_io_init(&w->b, w->ms, "b", 0x1000);
    memory_region_add_subregion(&w->root, 0x1000, &w->a);
    address_space_init(&w->as, w->ms, &w->root, "mem");
}

static void world_fini(struct world *w)
{
    address_space_destroy(&w->as);
    if (w->a.container)
        memory_region_del_subregion(&w->root, &w->a);
    if (w->b.container)
        memory_region_del_subregion(w->b.container, &w->b);
    memory_region_finalize(&w->a);
    memory_region_finalize(&w->b);
    memory_region_finalize(&w->root);
    memory_system_free(w->ms);
}

START_TEST(register_replays_and_orders_by_priority)
{
    struct world w;
    struct rec hi, lo;

    world_init(&w);
    rec_init(&hi, &w.j, "H", 10);
    rec_init(&lo, &w.j, "L", 1);
    memory_listener_register(&hi.l, w.ms, NULL);
    ck_assert_str_eq(w.j.text, "H:begin;H:add a 1000+1000;H:commit;");
    memory_listener_register(&lo.l, w.ms, NULL);
    jclear(&w.j);
    memory_region_add_subregion(&w.root, 0x8000, &w.b);
    /* Begin/commit and adds in ascending priority. */
    ck_assert_str_eq(w.j.text, "L:begin;H:begin;L:add b 8000+1000;"
                               "H:add b 8000+1000;L:commit;H:commit;");
    jclear(&w.j);
    memory_region_del_subregion(&w.root, &w.b);
    /* Dels in descending priority. */
    ck_assert_str_eq(w.j.text, "L:begin;H:begin;H:del b 8000+1000;"
                               "L:del b 8000+1000;L:commit;H:commit;");
    jclear(&w.j);
    memory_listener_unregister(&hi.l);
    ck_assert_str_eq(w.j.text, "H:begin;H:del a 1000+1000;H:commit;");
    jclear(&w.j);
    memory_region_add_subregion(&w.root, 0x8000, &w.b);
    ck_assert_str_eq(w.j.text, "L:begin;L:add b 8000+1000;L:commit;");
    /* Unregistering twice is harmless. */
    memory_listener_unregister(&hi.l);
    memory_listener_unregister(&lo.l);
    world_fini(&w);
}
END_TEST

START_TEST(dels_before_adds_and_changes)
{
    struct world w;
    struct rec r;

    world_init(&w);
    memory_region_add_subregion(&w.root, 0x8000, &w.b);
    rec_init(&r, &w.j, "R", 0);
    memory_listener_register(&r.l, w.ms, NULL);
    jclear(&w.j);
    /* One transaction: move a up, b down; all dels come first. */
    memory_region_transaction_begin(w.ms);
    memory_region_set_address(&w.a, 0x20000);
    memory_region_set_address(&w.b, 0x0);
    memory_region_transaction_commit(w.ms);
    ck_assert_str_eq(w.j.text, "R:begin;R:del a 1000+1000;R:del b 8000+1000;"
                               "R:add b 0+1000;R:add a 20000+1000;R:commit;");
    ck_assert_int_eq(r.begins, 2);
    /* A changed attribute is a del and an add; the rest are nops. */
    jclear(&w.j);
    r.quiet_nop = false;
    memory_region_set_readonly(&w.a, true);
    ck_assert_str_eq(w.j.text, "R:begin;R:del a 20000+1000;R:nop b 0+1000;"
                               "R:add a 20000+1000 ro;R:commit;");
    memory_listener_unregister(&r.l);
    world_fini(&w);
}
END_TEST

START_TEST(transaction_batches_updates)
{
    struct world w;
    struct rec r;
    FlatView *before, *after;

    world_init(&w);
    rec_init(&r, &w.j, "R", 0);
    memory_listener_register(&r.l, w.ms, NULL);
    jclear(&w.j);
    before = address_space_get_flatview(&w.as);
    memory_region_transaction_begin(w.ms);
    memory_region_transaction_begin(w.ms);
    memory_region_add_subregion(&w.root, 0x8000, &w.b);
    memory_region_set_size(&w.b, 0x2000);
    memory_region_transaction_commit(w.ms);
    /* Inner commit: nothing rendered yet. */
    ck_assert_str_eq(w.j.text, "");
    after = address_space_get_flatview(&w.as);
    ck_assert_ptr_eq(before, after);
    flatview_unref(after);
    memory_region_set_enabled(&w.a, false);
    memory_region_transaction_commit(w.ms);
    ck_assert_str_eq(w.j.text, "R:begin;R:del a 1000+1000;R:add b 8000+2000;"
                               "R:commit;");
    flatview_unref(before);
    memory_region_set_enabled(&w.a, true);
    memory_listener_unregister(&r.l);
    world_fini(&w);
}
END_TEST

START_TEST(filter_per_address_space)
{
    struct world w;
    MemoryRegion ioroot, port;
    AddressSpace io;
    struct rec only_io, all;

    world_init(&w);
    memory_region_init(&ioroot, w.ms, NULL, "io", 0x10000);
    core_io_init(&port, w.ms, "port", 4);
    memory_region_add_subregion(&ioroot, 0xcf8, &port);
    address_space_init(&io, w.ms, &ioroot, "I/O");
    rec_init(&only_io, &w.j, "I", 0);
    rec_init(&all, &w.j, "A", 5);
    memory_listener_register(&only_io.l, NULL, &io);
    ck_assert_str_eq(w.j.text, "I:begin;I:add port cf8+4;I:commit;");
    memory_listener_register(&all.l, w.ms, NULL);
    ck_assert_ptr_eq(io.listeners, &only_io.l);
    jclear(&w.j);
    memory_region_add_subregion(&w.root, 0x8000, &w.b);
    /* Everyone hears begin/commit; only A hears about "mem". */
    ck_assert_str_eq(w.j.text, "I:begin;A:begin;A:add b 8000+1000;"
                               "I:commit;A:commit;");
    jclear(&w.j);
    /* Destroying "I/O" deletes its sections and drops I's registration. */
    address_space_destroy(&io);
    ck_assert_str_eq(w.j.text, "I:begin;A:begin;A:del port cf8+4;"
                               "I:del port cf8+4;I:commit;A:commit;");
    ck_assert_ptr_null(only_io.l.ms);
    memory_listener_unregister(&only_io.l);
    memory_region_del_subregion(&ioroot, &port);
    memory_region_finalize(&port);
    memory_region_finalize(&ioroot);
    memory_listener_unregister(&all.l);
    world_fini(&w);
}
END_TEST

START_TEST(new_address_space_is_announced)
{
    struct world w;
    MemoryRegion ioroot, port;
    AddressSpace io;
    struct rec r;

    world_init(&w);
    rec_init(&r, &w.j, "R", 0);
    memory_listener_register(&r.l, w.ms, NULL);
    jclear(&w.j);
    memory_region_init(&ioroot, w.ms, NULL, "io", 0x10000);
    core_io_init(&port, w.ms, "port", 4);
    memory_region_add_subregion(&ioroot, 0x60, &port);
    /* Every outermost commit with changes brackets the listeners. */
    ck_assert_str_eq(w.j.text, "R:begin;R:commit;");
    jclear(&w.j);
    address_space_init(&io, w.ms, &ioroot, "I/O");
    ck_assert_str_eq(w.j.text, "R:begin;R:add port 60+4;R:commit;");
    jclear(&w.j);
    address_space_destroy(&io);
    ck_assert_str_eq(w.j.text, "R:begin;R:del port 60+4;R:commit;");
    memory_region_del_subregion(&ioroot, &port);
    memory_region_finalize(&port);
    memory_region_finalize(&ioroot);
    memory_listener_unregister(&r.l);
    world_fini(&w);
}
END_TEST

START_TEST(dirty_logging)
{
    struct world w;
    MemoryRegion vram;
    struct rec r1, r2;

    world_init(&w);
    ck_assert_int_eq(memory_region_init_ram(&vram, w.ms, NULL, "vram",
                                            0x4000), 0);
    memory_region_add_subregion(&w.root, 0x40000, &vram);
    rec_init(&r1, &w.j, "P", 1);
    rec_init(&r2, &w.j, "Q", 2);
    memory_listener_register(&r1.l, w.ms, NULL);
    memory_listener_register(&r2.l, w.ms, NULL);
    jclear(&w.j);

    memory_region_set_log(&vram, true, DIRTY_MEMORY_VGA);
    ck_assert_uint_eq(vram.dirty_log_mask, 1);
    ck_assert_str_eq(w.j.text, "P:begin;Q:begin;P:log_start vram 0>1;"
                               "Q:log_start vram 0>1;P:commit;Q:commit;");
    /* VGA logging is counted: a second user changes nothing. */
    jclear(&w.j);
    memory_region_set_log(&vram, true, DIRTY_MEMORY_VGA);
    ck_assert_str_eq(w.j.text, "");
    memory_region_set_log(&vram, false, DIRTY_MEMORY_VGA);
    ck_assert_str_eq(w.j.text, "");

    /* Sync reaches logged sections only (globally) or the region's. */
    memory_global_dirty_log_sync(w.ms);
    ck_assert_str_eq(w.j.text, "P:sync vram 40000+4000;Q:sync vram 40000+4000;");
    jclear(&w.j);
    memory_region_sync_dirty_bitmap(&w.a);
    ck_assert_str_eq(w.j.text, "P:sync a 1000+1000;Q:sync a 1000+1000;");

    /* Global logging: listeners told, RAM ranges gain MIGRATION. */
    jclear(&w.j);
    ck_assert(!memory_global_dirty_log_enabled(w.ms));
    memory_global_dirty_log_start(w.ms);
    ck_assert(memory_global_dirty_log_enabled(w.ms));
    ck_assert_str_eq(w.j.text, "P:global_start;Q:global_start;P:begin;Q:begin;"
                               "P:log_start vram 1>5;Q:log_start vram 1>5;"
                               "P:commit;Q:commit;");
    /* A listener registered now is told about it and the log mask. */
    {
        struct rec late;

        rec_init(&late, &w.j, "Z", 3);
        jclear(&w.j);
        memory_listener_register(&late.l, w.ms, NULL);
        ck_assert_str_eq(w.j.text, "Z:global_start;Z:begin;Z:add a 1000+1000;"
                                   "Z:add vram 40000+4000;"
                                   "Z:log_start vram 0>5;Z:commit;");
        jclear(&w.j);
        memory_listener_unregister(&late.l);
        ck_assert_str_eq(w.j.text, "Z:begin;Z:del a 1000+1000;"
                                   "Z:log_stop vram 5>0;Z:del vram 40000+4000;"
                                   "Z:commit;");
    }
    jclear(&w.j);
    memory_global_dirty_log_stop(w.ms);
    ck_assert_str_eq(w.j.text, "P:begin;Q:begin;Q:log_stop vram 5>1;"
                               "P:log_stop vram 5>1;P:commit;Q:commit;"
                               "Q:global_stop;P:global_stop;");
    jclear(&w.j);
    memory_region_set_log(&vram, false, DIRTY_MEMORY_VGA);
    ck_assert_str_eq(w.j.text, "P:begin;Q:begin;Q:log_stop vram 1>0;"
                               "P:log_stop vram 1>0;P:commit;Q:commit;");
    ck_assert_uint_eq(vram.dirty_log_mask, 0);

    memory_listener_unregister(&r1.l);
    memory_listener_unregister(&r2.l);
    memory_region_del_subregion(&w.root, &vram);
    memory_region_finalize(&vram);
    world_fini(&w);
}
END_TEST

/* A listener that changes the tree from its commit callback. */
struct mutator {
    struct rec r;
    MemoryRegion *target;
    int fired;
};

static void mutator_commit(MemoryListener *l)
{
    struct mutator *m = (struct mutator *)l;

    on_commit(l);
    if (!m->fired++ && m->target->enabled)
        memory_region_set_enabled(m->target, false);
}

START_TEST(listener_may_change_tree)
{
    struct world w;
    struct mutator m;

    world_init(&w);
    rec_init(&m.r, &w.j, "M", 0);
    m.r.l.commit = mutator_commit;
    m.target = &w.a;
    m.fired = 1;
    memory_listener_register(&m.r.l, w.ms, NULL);
    m.fired = 0;
    jclear(&w.j);
    memory_region_add_subregion(&w.root, 0x8000, &w.b);
    ck_assert_str_eq(w.j.text, "M:begin;M:add b 8000+1000;M:commit;"
                               "M:begin;M:del a 1000+1000;M:commit;");
    ck_assert_fv(&w.as, "8000-8fff b+0\n");
    memory_listener_unregister(&m.r.l);
    world_fini(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory-listener");
    TCase *tc = tcase_create("listener");

    tcase_add_test(tc, register_replays_and_orders_by_priority);
    tcase_add_test(tc, dels_before_adds_and_changes);
    tcase_add_test(tc, transaction_batches_updates);
    tcase_add_test(tc, filter_per_address_space);
    tcase_add_test(tc, new_address_space_is_announced);
    tcase_add_test(tc, dirty_logging);
    tcase_add_test(tc, listener_may_change_tree);
    suite_add_tcase(s, tc);
    return core_run_suite(s);
}
