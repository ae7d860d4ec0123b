/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xensim_raw.c - the guest side's slot protocol edge cases and raw
 * ioreq injection (stubs/guest/raw.h), against an in-process "device
 * model" that maps the ioreq server pages with the drop-in libraries and
 * plays the slot protocol by hand from a thread (no event channel bound:
 * the vCPU finds answers by its 50 ms re-checks).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xenforeignmemory.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "stubs/guest/guest.h"
#include "stubs/guest/raw.h"
#include "tests/unit/xensim_fixture.h"

static struct xsim_fixture fx;
static struct xsg_guest *g;
static xendevicemodel_handle *dm;
static xenforeignmemory_handle *fm;
static xenforeignmemory_resource_handle *res;
static ioservid_t sid;
static uint8_t *pages;

static volatile ioreq_t *slot0(void)
{
    return (volatile ioreq_t *)(pages + 4096);
}

static uint8_t state_of(void)
{
    return __atomic_load_n((uint8_t *)slot0() + 30, __ATOMIC_ACQUIRE) & 0xf;
}

static void set_state(uint8_t st)
{
    __atomic_store_n((uint8_t *)slot0() + 30, st, __ATOMIC_RELEASE);
}

static void start(int bufmode)
{
    void *addr = NULL;

    xsim_fixture_setup(&fx, 16, 1);
    ck_assert_int_eq(xsg_attach(fx.dir, 1, &g), 0);
    dm = xendevicemodel_open(NULL, 0);
    fm = xenforeignmemory_open(NULL, 0);
    ck_assert_ptr_nonnull(dm);
    ck_assert_ptr_nonnull(fm);
    ck_assert_int_eq(xendevicemodel_create_ioreq_server(dm, 1, bufmode, &sid),
                     0);
    ck_assert_int_eq(xendevicemodel_map_io_range_to_ioreq_server(dm, 1, sid, 0,
                                                                 0x60, 0x64),
                     0);
    ck_assert_int_eq(xendevicemodel_set_ioreq_server_state(dm, 1, sid, 1), 0);
    res = xenforeignmemory_map_resource(fm, 1, XENMEM_resource_ioreq_server,
                                        sid, bufmode ? 0 : 1, bufmode ? 2 : 1,
                                        &addr, PROT_READ | PROT_WRITE, 0);
    ck_assert_ptr_nonnull(res);
    pages = bufmode ? addr : (uint8_t *)addr - 4096;
    xsg_set_timeout_ms(g, 200);
}

static void stop(void)
{
    if (res)
        xenforeignmemory_unmap_resource(fm, res);
    res = NULL;
    if (dm)
        xendevicemodel_close(dm);
    dm = NULL;
    if (fm)
        xenforeignmemory_close(fm);
    fm = NULL;
    xsg_detach(g);
    g = NULL;
    if (fx.dir[0])
        xsim_fixture_teardown(&fx);
    fx.dir[0] = '\0';
}

static void sleep_ms(unsigned int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Wait (up to 2 s) for the slot to reach @st. */
static int wait_state(uint8_t st)
{
    for (int i = 0; i < 2000; i++) {
        if (state_of() == st)
            return 1;
        sleep_ms(1);
    }
    return 0;
}

/* The late device model: finishes a claimed request after @delay ms, then
 * answers the next READY request with 0x55. */
struct late {
    unsigned int delay;
    uint64_t seen_addr;
    int ok;
};

static void *late_dm(void *arg)
{
    struct late *l = arg;

    sleep_ms(l->delay);
    slot0()->data = 0x99;
    set_state(STATE_IORESP_READY); /* answer to the old request */
    if (!wait_state(STATE_IOREQ_READY))
        return NULL;
    l->seen_addr = slot0()->addr;
    set_state(STATE_IOREQ_INPROCESS);
    slot0()->data = 0x55;
    set_state(STATE_IORESP_READY);
    l->ok = 1;
    return NULL;
}

static void *answer_once(void *arg)
{
    ioreq_t *copy = arg;

    if (!wait_state(STATE_IOREQ_READY))
        return NULL;
    memcpy(copy, (const void *)slot0(), sizeof(*copy));
    slot0()->data = 0xabcdef;
    set_state(STATE_IORESP_READY);
    return NULL;
}

START_TEST(timeout_resets_slot)
{
    uint32_t v;

    start(0);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x60, 1, &v), -ETIMEDOUT);
    ck_assert_uint_eq(state_of(), STATE_IOREQ_NONE);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x61, 1, &v), -ETIMEDOUT);
    ck_assert_uint_eq(state_of(), STATE_IOREQ_NONE);
    stop();
}
END_TEST

START_TEST(late_answer_is_not_taken)
{
    struct late l = { .delay = 100 };
    ioreq_t seen;
    pthread_t th;
    uint32_t v = 0;

    start(0);
    /* A late IORESP_READY left in the slot is discarded. */
    slot0()->data = 0x77;
    set_state(STATE_IORESP_READY);
    ck_assert_int_eq(pthread_create(&th, NULL, answer_once, &seen), 0);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x61, 4, &v), 0);
    pthread_join(th, NULL);
    ck_assert_uint_eq(v, 0xabcdef);
    ck_assert_uint_eq(seen.addr, 0x61);
    /* The device model claimed a request (INPROCESS) and answers it late:
     * the next request waits for that answer, drops it, and gets its own. */
    set_state(STATE_IOREQ_INPROCESS);
    ck_assert_int_eq(pthread_create(&th, NULL, late_dm, &l), 0);
    ck_assert_int_eq(xsg_pio_read(g, 0, 0x62, 1, &v), 0);
    pthread_join(th, NULL);
    ck_assert(l.ok);
    ck_assert_uint_eq(l.seen_addr, 0x62);
    ck_assert_uint_eq(v, 0x55);
    ck_assert_uint_eq(state_of(), STATE_IOREQ_NONE);
    stop();
}
END_TEST

START_TEST(raw_ioreq_fields)
{
    ioreq_t req = { .addr = 0xdeadbeef000ull, .data = 0x1122334455667788ull,
                    .count = 0xffffffffu, .size = 3, .vp_eport = 999,
                    .dir = IOREQ_READ, .df = 1, .data_is_ptr = 1,
                    .type = 0x7f };
    ioreq_t seen;
    uint32_t port;
    pthread_t th;

    start(0);
    port = slot0()->vp_eport;
    memset(&seen, 0, sizeof(seen));
    ck_assert_int_eq(pthread_create(&th, NULL, answer_once, &seen), 0);
    ck_assert_int_eq(xsg_raw_ioreq(g, 0, sid, &req, STATE_IOREQ_READY), 0);
    pthread_join(th, NULL);
    ck_assert_uint_eq(req.data, 0xabcdef);
    ck_assert_uint_eq(seen.addr, 0xdeadbeef000ull);
    ck_assert_uint_eq(seen.data, 0x1122334455667788ull);
    ck_assert_uint_eq(seen.count, 0xffffffffu);
    ck_assert_uint_eq(seen.size, 3);
    ck_assert_uint_eq(seen.type, 0x7f);
    ck_assert_uint_eq(seen.dir, IOREQ_READ);
    ck_assert_uint_eq(seen.df, 1);
    ck_assert_uint_eq(seen.data_is_ptr, 1);
    ck_assert_uint_eq(seen.vp_eport, port); /* Xen's, not the guest's */
    ck_assert_uint_eq(state_of(), STATE_IOREQ_NONE);
    /* A state the device model must ignore: nobody answers, reset. */
    ck_assert_int_eq(xsg_raw_ioreq(g, 0, sid, &req, STATE_IOREQ_INPROCESS),
                     -ETIMEDOUT);
    ck_assert_uint_eq(state_of(), STATE_IOREQ_NONE);
    ck_assert_int_eq(xsg_raw_ioreq(g, 0, sid, &req, 0xf), -ETIMEDOUT);
    ck_assert_uint_eq(state_of(), STATE_IOREQ_NONE);
    /* Bad arguments. */
    ck_assert_int_eq(xsg_raw_ioreq(g, 1, sid, &req, 1), -EINVAL);
    ck_assert_int_eq(xsg_raw_ioreq(g, 0, 7, &req, 1), -ENOENT);
    ck_assert_int_eq(xsg_raw_ioreq(g, 0, 99, &req, 1), -EINVAL);
    stop();
}
END_TEST

START_TEST(raw_buffered)
{
    buffered_iopage_t *bp;
    buf_ioreq_t s[3] = {
        { .type = IOREQ_TYPE_COPY, .size = 0, .addr = 0xa0000, .data = 0x41 },
        { .type = IOREQ_TYPE_PIO, .dir = 1, .size = 3, .addr = 0xfffff,
          .data = 0xffffffffu },
        { .type = 0xee, .size = 2, .addr = 0x12345, .data = 7 },
    };
    uint32_t rp, wp;

    start(2); /* BUFIOREQ_ATOMIC */
    bp = (buffered_iopage_t *)pages;
    ck_assert_int_eq(xsg_raw_buffered_ptrs(g, sid, &rp, &wp), 0);
    ck_assert_uint_eq(rp, 0);
    ck_assert_uint_eq(wp, 0);
    ck_assert_int_eq(xsg_raw_buffered(g, sid, s, 3, 0), 0);
    ck_assert_int_eq(xsg_raw_buffered_ptrs(g, sid, &rp, &wp), 0);
    ck_assert_uint_eq(wp, 3);
    ck_assert_uint_eq(bp->buf_ioreq[1].type, IOREQ_TYPE_PIO);
    ck_assert_uint_eq(bp->buf_ioreq[1].addr, 0xfffff);
    ck_assert_uint_eq(bp->buf_ioreq[2].type, 0xee);
    /* Overrun: the write pointer runs far ahead of what was written. */
    ck_assert_int_eq(xsg_raw_buffered(g, sid, s, 1, 1000), 0);
    ck_assert_int_eq(xsg_raw_buffered_ptrs(g, sid, &rp, &wp), 0);
    ck_assert_uint_eq(wp, 1004);
    ck_assert_uint_eq(bp->buf_ioreq[3].data, 0x41);
    /* The consumer catches up past 511: ATOMIC mode rebases both. */
    __atomic_store_n(&bp->read_pointer, 600, __ATOMIC_RELEASE);
    ck_assert_int_eq(xsg_raw_buffered(g, sid, NULL, 0, 0), 0);
    ck_assert_int_eq(xsg_raw_buffered_ptrs(g, sid, &rp, &wp), 0);
    ck_assert_uint_eq(rp, 600 - 511);
    ck_assert_uint_eq(wp, 1004 - 511);
    ck_assert_int_eq(xsg_raw_buffered(g, sid, s, 512, 0), -EINVAL);
    stop();
}
END_TEST

START_TEST(raw_buffered_needs_ring)
{
    buf_ioreq_t s = { 0 };
    uint32_t rp, wp;

    start(0);
    ck_assert_int_eq(xsg_raw_buffered(g, sid, &s, 1, 0), -ENOENT);
    ck_assert_int_eq(xsg_raw_buffered_ptrs(g, sid, &rp, &wp), -ENOENT);
    stop();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("xensim_raw");
    TCase *tc = tcase_create("raw");

    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, NULL, stop);
    tcase_add_test(tc, timeout_resets_slot);
    tcase_add_test(tc, late_answer_is_not_taken);
    tcase_add_test(tc, raw_ioreq_fields);
    tcase_add_test(tc, raw_buffered);
    tcase_add_test(tc, raw_buffered_needs_ring);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
