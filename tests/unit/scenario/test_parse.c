/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_parse.c - the scenario parser: every command shape parses into the
 * expected fields and formats back to text that parses to the same
 * command; every malformed input is rejected with its exact
 * "file:line: message".
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stubs/scenario/scenario.h"

static struct xsg_scenario *ok(const char *text)
{
    struct xsg_scenario *sc = NULL;
    char err[512];
    int ret = xsg_scenario_parse("t.scn", text, strlen(text), &sc, err, sizeof(err));

    ck_assert_msg(ret == 0, "parse failed: %s (text: %s)", err, text);
    return sc;
}

/* Parse a single-command text and return the copy of its one command. */
static struct xsg_scenario_cmd one(const char *text)
{
    struct xsg_scenario *sc = ok(text);
    struct xsg_scenario_cmd c;

    ck_assert_uint_eq(sc->ncmds, 1);
    c = sc->cmds[0];
    c.bytes = NULL; /* freed with sc */
    xsg_scenario_free(sc);
    return c;
}

static void bad(const char *text, const char *msg)
{
    struct xsg_scenario *sc = NULL;
    char err[512];
    int ret = xsg_scenario_parse("t.scn", text, strlen(text), &sc, err, sizeof(err));

    ck_assert_msg(ret == -EINVAL, "accepted: %s", text);
    ck_assert_ptr_null(sc);
    ck_assert_str_eq(err, msg);
}

/* format(parse(text)) == want, and it parses back identically. */
static void roundtrip(const char *text, const char *want)
{
    struct xsg_scenario *a = ok(text), *b;
    char buf[512], buf2[512];

    ck_assert_uint_eq(a->ncmds, 1);
    xsg_scenario_format_cmd(&a->cmds[0], buf, sizeof(buf));
    ck_assert_str_eq(buf, want);
    b = ok(buf);
    xsg_scenario_format_cmd(&b->cmds[0], buf2, sizeof(buf2));
    ck_assert_str_eq(buf2, buf);
    ck_assert_int_eq(b->cmds[0].op, a->cmds[0].op);
    ck_assert_uint_eq(b->cmds[0].nbytes, a->cmds[0].nbytes);
    if (a->cmds[0].nbytes)
        ck_assert(!memcmp(a->cmds[0].bytes, b->cmds[0].bytes, a->cmds[0].nbytes));
    xsg_scenario_free(a);
    xsg_scenario_free(b);
}

START_TEST(port_io)
{
    struct xsg_scenario_cmd c;

    c = one("out b 0x3f8 0x41");
    ck_assert_int_eq(c.op, XSG_OP_PIO_WRITE);
    ck_assert_uint_eq(c.size, 1);
    ck_assert_uint_eq(c.addr, 0x3f8);
    ck_assert_uint_eq(c.value, 0x41);
    ck_assert_uint_eq(c.line, 1);
    c = one("out 2 16 0xffff");
    ck_assert_uint_eq(c.size, 2);
    ck_assert_uint_eq(c.addr, 16);
    c = one("out l 0xcf8 0x80000000");
    ck_assert_uint_eq(c.size, 4);
    ck_assert_uint_eq(c.value, 0x80000000u);
    c = one("in w 0x10");
    ck_assert_int_eq(c.op, XSG_OP_PIO_READ);
    ck_assert(!c.has_expect);
    ck_assert_uint_eq(c.mask, 0xffff);
    c = one("in w 0x10 expect 0x49d2");
    ck_assert(c.has_expect);
    ck_assert_uint_eq(c.value, 0x49d2);
    ck_assert_uint_eq(c.mask, 0xffff);
    c = one("in b 0x3fd expect 0x60 mask 0x60");
    ck_assert_uint_eq(c.mask, 0x60);
    c = one("outs b 0x3f8 5 0x1000");
    ck_assert_int_eq(c.op, XSG_OP_PIO_REP);
    ck_assert(!c.dir_read);
    ck_assert(!c.df);
    ck_assert_uint_eq(c.count, 5);
    ck_assert_uint_eq(c.gpa, 0x1000);
    c = one("ins l 0x1f0 4096 0x2000 df");
    ck_assert(c.dir_read);
    ck_assert(c.df);
    ck_assert_uint_eq(c.count, 4096);
    roundtrip("in   b 1021   expect 96 mask 0x60 # LSR", "in b 0x3fd expect 0x60 mask 0x60");
    roundtrip("ins w 0x1f0 256 0x2000 df", "ins w 0x1f0 256 0x2000 df");
}
END_TEST

START_TEST(mmio)
{
    struct xsg_scenario_cmd c;

    c = one("write q 0xfebf0000 0x1122334455667788");
    ck_assert_int_eq(c.op, XSG_OP_MMIO_WRITE);
    ck_assert_uint_eq(c.size, 8);
    ck_assert_uint_eq(c.value, 0x1122334455667788ull);
    c = one("read 8 0xfebf0000 expect 0xffffffffffffffff");
    ck_assert_int_eq(c.op, XSG_OP_MMIO_READ);
    ck_assert_uint_eq(c.mask, UINT64_MAX);
    c = one("read l 0xa0000");
    ck_assert(!c.has_expect);
    c = one("movs-to-mmio l 0xa0000 16 0x3000");
    ck_assert_int_eq(c.op, XSG_OP_MMIO_REP);
    ck_assert(!c.dir_read);
    c = one("movs-from-mmio q 0xa0000 16 0x3000 df");
    ck_assert(c.dir_read);
    ck_assert(c.df);
    ck_assert_uint_eq(c.size, 8);
    roundtrip("movs-from-mmio 2 655360 3 4096", "movs-from-mmio w 0xa0000 3 0x1000");
    roundtrip("write b 0xa0000 0xff", "write b 0xa0000 0xff");
}
END_TEST

START_TEST(pci)
{
    struct xsg_scenario_cmd c;

    c = one("pci read l 00:00.0 0 expect 0x12378086");
    ck_assert_int_eq(c.op, XSG_OP_PCI_READ);
    ck_assert_uint_eq(c.bus, 0);
    ck_assert_uint_eq(c.dev, 0);
    ck_assert_uint_eq(c.fn, 0);
    ck_assert_uint_eq(c.value, 0x12378086);
    c = one("pci read w 0000:ff:1f.7 0xfe");
    ck_assert_uint_eq(c.bus, 0xff);
    ck_assert_uint_eq(c.dev, 0x1f);
    ck_assert_uint_eq(c.fn, 7);
    ck_assert_uint_eq(c.reg, 0xfe);
    c = one("pci write b 00:01.0 0x60 0x0b");
    ck_assert_int_eq(c.op, XSG_OP_PCI_WRITE);
    ck_assert_uint_eq(c.dev, 1);
    ck_assert_uint_eq(c.reg, 0x60);
    ck_assert_uint_eq(c.value, 0xb);
    roundtrip("pci read b 0:1.1 0x9 expect 0x80 mask 0x80",
              "pci read b 00:01.1 0x9 expect 0x80 mask 0x80");
    roundtrip("pci write l 00:02.0 0x10 0xffffffff", "pci write l 00:02.0 0x10 0xffffffff");
}
END_TEST

START_TEST(ram)
{
    struct xsg_scenario *sc;
    struct xsg_scenario_cmd c;

    sc = ok("ram write 0x1000 \"hi\\n\\t\\\\\\\"\\x00\\xfF\" 1 0x2 \"\"");
    ck_assert_int_eq(sc->cmds[0].op, XSG_OP_RAM_WRITE);
    ck_assert_uint_eq(sc->cmds[0].addr, 0x1000);
    ck_assert_uint_eq(sc->cmds[0].nbytes, 10);
    ck_assert(!memcmp(sc->cmds[0].bytes, "hi\n\t\\\"\0\xff\x01\x02", 10));
    xsg_scenario_free(sc);
    sc = ok("ram expect 0x1000 \"# not a comment\" # a comment");
    ck_assert_int_eq(sc->cmds[0].op, XSG_OP_RAM_EXPECT);
    ck_assert_uint_eq(sc->cmds[0].nbytes, 15);
    xsg_scenario_free(sc);
    c = one("ram fill 0x2000 4096 0xaa");
    ck_assert_int_eq(c.op, XSG_OP_RAM_FILL);
    ck_assert_uint_eq(c.count, 4096);
    ck_assert_uint_eq(c.value, 0xaa);
    c = one("ram checksum 0x2000 4096");
    ck_assert_int_eq(c.op, XSG_OP_RAM_CHECKSUM);
    ck_assert(!c.has_expect);
    c = one("ram checksum 0x2000 4096 expect 0xcbf43926");
    ck_assert(c.has_expect);
    ck_assert_uint_eq(c.value, 0xcbf43926u);
    roundtrip("ram write 4096 \"AB\" 0 \"C\\\"\"", "ram write 0x1000 \"AB\" 0x00 \"C\\\"\"");
    roundtrip("ram fill 0 16 255", "ram fill 0x0 0x10 0xff");
}
END_TEST

START_TEST(grant_balloon_wait)
{
    struct xsg_scenario_cmd c;

    c = one("grant 7 0x123");
    ck_assert_int_eq(c.op, XSG_OP_GRANT);
    ck_assert_uint_eq(c.addr, 7);
    ck_assert_uint_eq(c.value, 0x123);
    ck_assert(!c.readonly);
    ck_assert_uint_eq(c.count, 0);
    c = one("grant 8 0x124 ro to 3");
    ck_assert(c.readonly);
    ck_assert_uint_eq(c.count, 3);
    c = one("grant end 7");
    ck_assert_int_eq(c.op, XSG_OP_GRANT_END);
    ck_assert_uint_eq(c.addr, 7);
    c = one("balloon out 0x100 4");
    ck_assert_int_eq(c.op, XSG_OP_BALLOON_OUT);
    ck_assert_uint_eq(c.addr, 0x100);
    ck_assert_uint_eq(c.count, 4);
    c = one("balloon in 0x100 4");
    ck_assert_int_eq(c.op, XSG_OP_BALLOON_IN);
    c = one("wait servers 1");
    ck_assert_int_eq(c.op, XSG_OP_WAIT_SERVERS);
    ck_assert_uint_eq(c.addr, 1);
    ck_assert_uint_eq(c.count, 5000);
    c = one("wait servers 2 timeout 100");
    ck_assert_uint_eq(c.count, 100);
    c = one("sleep 10");
    ck_assert_int_eq(c.op, XSG_OP_SLEEP);
    ck_assert_uint_eq(c.value, 10);
    c = one("timeout 50");
    ck_assert_int_eq(c.op, XSG_OP_TIMEOUT);
    ck_assert_uint_eq(c.value, 50);
    roundtrip("grant 1 2 ro", "grant 1 0x2 ro");
    roundtrip("grant end 1", "grant end 1");
    roundtrip("balloon out 256 2", "balloon out 0x100 2");
    roundtrip("wait servers 1", "wait servers 1 timeout 5000");
}
END_TEST

START_TEST(echo_and_vcpu)
{
    struct xsg_scenario *sc = ok("echo \"hello\\tworld\"\necho two words \"and\"\necho\nvcpu 3");

    ck_assert_uint_eq(sc->ncmds, 4);
    ck_assert_int_eq(sc->cmds[0].op, XSG_OP_ECHO);
    ck_assert_uint_eq(sc->cmds[0].nbytes, 11);
    ck_assert(!memcmp(sc->cmds[0].bytes, "hello\tworld", 11));
    ck_assert_str_eq((char *)sc->cmds[1].bytes, "two words and");
    ck_assert_uint_eq(sc->cmds[2].nbytes, 0);
    ck_assert_int_eq(sc->cmds[3].op, XSG_OP_VCPU);
    ck_assert_uint_eq(sc->cmds[3].vcpu, 3);
    ck_assert_uint_eq(sc->cmds[3].line, 4);
    xsg_scenario_free(sc);
    roundtrip("echo \"a\\\"b\\n\"", "echo \"a\\\"b\\n\"");
}
END_TEST

START_TEST(expectations)
{
    struct xsg_scenario_cmd c;

    c = one("expect shutdown poweroff");
    ck_assert_int_eq(c.op, XSG_OP_EXPECT);
    ck_assert_int_eq(c.obs, XSG_OBS_SHUTDOWN);
    ck_assert_uint_eq(c.value, 0);
    c = one("expect shutdown reboot within 500");
    ck_assert_uint_eq(c.value, 1);
    ck_assert_uint_eq(c.within_ms, 500);
    c = one("expect shutdown none");
    ck_assert_uint_eq(c.value, XSG_SCENARIO_NONE);
    c = one("expect shutdown count 2");
    ck_assert_int_eq(c.obs, XSG_OBS_SHUTDOWN_COUNT);
    ck_assert_uint_eq(c.value, 2);
    c = one("expect isa-irq 4 high");
    ck_assert_int_eq(c.obs, XSG_OBS_ISA_IRQ);
    ck_assert_uint_eq(c.addr, 4);
    ck_assert_uint_eq(c.value, 1);
    c = one("expect pci-intx 2 INTA low");
    ck_assert_int_eq(c.obs, XSG_OBS_PCI_INTX);
    ck_assert_uint_eq(c.addr, 2);
    ck_assert_uint_eq(c.count, 0);
    ck_assert_uint_eq(c.value, 0);
    c = one("expect pci-intx 3 D 1");
    ck_assert_uint_eq(c.count, 3);
    ck_assert_uint_eq(c.value, 1);
    c = one("expect link-route 1 11");
    ck_assert_int_eq(c.obs, XSG_OBS_LINK_ROUTE);
    ck_assert_uint_eq(c.addr, 1);
    ck_assert_uint_eq(c.value, 11);
    c = one("expect msi count 1");
    ck_assert_int_eq(c.obs, XSG_OBS_MSI_COUNT);
    c = one("expect msi addr 0xfee00000");
    ck_assert_int_eq(c.obs, XSG_OBS_MSI_ADDR);
    ck_assert_uint_eq(c.value, 0xfee00000u);
    c = one("expect msi data 0x4041");
    ck_assert_int_eq(c.obs, XSG_OBS_MSI_DATA);
    c = one("expect modified calls 3");
    ck_assert_int_eq(c.obs, XSG_OBS_MODIFIED_CALLS);
    c = one("expect modified pages 5");
    ck_assert_int_eq(c.obs, XSG_OBS_MODIFIED_PAGES);
    c = one("expect pinned 1");
    ck_assert_int_eq(c.obs, XSG_OBS_PINNED);
    c = one("expect populated 256");
    ck_assert_int_eq(c.obs, XSG_OBS_POPULATED);
    c = one("expect frame 0x100 unpopulated");
    ck_assert_int_eq(c.obs, XSG_OBS_FRAME);
    ck_assert_uint_eq(c.value, 0);
    c = one("expect server 0");
    ck_assert_int_eq(c.obs, XSG_OBS_SERVER);
    ck_assert_uint_eq(c.value, 0);
    c = one("expect server none");
    ck_assert_uint_eq(c.value, XSG_SCENARIO_NONE);
    roundtrip("expect pci-intx 2 INTB high within 10", "expect pci-intx 2 B high within 10");
    roundtrip("expect shutdown 5", "expect shutdown soft_reset");
    roundtrip("expect shutdown 77", "expect shutdown 77");
    roundtrip("expect msi data 16", "expect msi data 0x10");
}
END_TEST

START_TEST(expect_error)
{
    struct xsg_scenario *sc = ok("expect error ETIMEDOUT\n"
                                 "in b 0x3f8\n"
                                 "expect error\n"
                                 "\n# comment between\n"
                                 "ram write 0x0 1\n"
                                 "out b 0x80 1\n");

    ck_assert_uint_eq(sc->ncmds, 3);
    ck_assert_int_eq(sc->cmds[0].expect_errno, ETIMEDOUT);
    ck_assert_uint_eq(sc->cmds[0].line, 2);
    ck_assert_int_eq(sc->cmds[1].expect_errno, XSG_SCENARIO_ANY_ERROR);
    ck_assert_uint_eq(sc->cmds[1].line, 6);
    ck_assert_int_eq(sc->cmds[2].expect_errno, 0);
    xsg_scenario_free(sc);
}
END_TEST

START_TEST(blocks)
{
    struct xsg_scenario *sc = ok("vcpu 1\n"                  /* 0 */
                                 "parallel\n"                /* 1 */
                                 "  on vcpu 0:\n"            /* 2 */
                                 "    out b 0x80 1\n"        /* 3 */
                                 "    repeat 3\n"            /* 4 */
                                 "      in b 0x80\n"         /* 5 */
                                 "    end\n"                 /* 6 */
                                 "  on vcpu 2: out b 0x80 2\n" /* 7, 8 */
                                 "    in b 0x80\n"           /* 9 */
                                 "  on vcpu 1 :\n"           /* 10 */
                                 "end\n"                     /* 11 */
                                 "repeat 0\n"                /* 12 */
                                 "end\n");                   /* 13 */
    const struct xsg_scenario_cmd *c = sc->cmds;

    ck_assert_uint_eq(sc->ncmds, 14);
    ck_assert_int_eq(c[1].op, XSG_OP_PARALLEL);
    ck_assert_uint_eq(c[1].jump, 11);
    ck_assert_int_eq(c[2].op, XSG_OP_ON);
    ck_assert_uint_eq(c[2].vcpu, 0);
    ck_assert_uint_eq(c[2].jump, 7);
    ck_assert_int_eq(c[4].op, XSG_OP_REPEAT);
    ck_assert_uint_eq(c[4].addr, 3);
    ck_assert_uint_eq(c[4].jump, 6);
    ck_assert_int_eq(c[7].op, XSG_OP_ON);
    ck_assert_uint_eq(c[7].vcpu, 2);
    ck_assert_uint_eq(c[7].jump, 10);
    ck_assert_int_eq(c[8].op, XSG_OP_PIO_WRITE);
    ck_assert_uint_eq(c[8].line, 8);
    ck_assert_uint_eq(c[10].vcpu, 1);
    ck_assert_uint_eq(c[10].jump, 11);
    ck_assert_int_eq(c[11].op, XSG_OP_END);
    ck_assert_uint_eq(c[12].jump, 13);
    xsg_scenario_free(sc);
}
END_TEST

START_TEST(lexical)
{
    struct xsg_scenario *sc;

    /* CRLF line ends, tabs, empty input, trailing line without newline */
    sc = ok("out\tb 0x80 1\r\n\r\n  # only a comment\r\nin b 0x80");
    ck_assert_uint_eq(sc->ncmds, 2);
    ck_assert_uint_eq(sc->cmds[1].line, 4);
    xsg_scenario_free(sc);
    sc = ok("");
    ck_assert_uint_eq(sc->ncmds, 0);
    ck_assert_str_eq(sc->name, "t.scn");
    xsg_scenario_free(sc);
    sc = ok("out b 0x80 1#glued comment");
    ck_assert_uint_eq(sc->ncmds, 1);
    xsg_scenario_free(sc);
}
END_TEST

struct bad_case {
    const char *text;
    const char *msg;
};

static const struct bad_case bad_cases[] = {
    /* unknown commands and missing arguments */
    { "frob 1", "t.scn:1: unknown command 'frob'" },
    { "\n\n  outb 0x80 1", "t.scn:3: unknown command 'outb'" },
    { "\"out\" b 1 2", "t.scn:1: expected a command, got a string" },
    { "out", "t.scn:1: out: missing SIZE" },
    { "out b", "t.scn:1: out: missing PORT" },
    { "out b 0x80", "t.scn:1: out: missing VALUE" },
    { "in", "t.scn:1: in: missing SIZE" },
    { "in b 0x80 expect", "t.scn:1: in: missing VALUE" },
    { "in b 0x80 expect 1 mask", "t.scn:1: in: missing MASK" },
    { "outs b 0x80 1", "t.scn:1: outs: missing GPA" },
    { "ins b 0x80", "t.scn:1: ins: missing COUNT" },
    { "read", "t.scn:1: read: missing SIZE" },
    { "write q 0x1000", "t.scn:1: write: missing VALUE" },
    { "movs-to-mmio l 0xa0000 1", "t.scn:1: movs-to-mmio: missing GPA" },
    { "pci", "t.scn:1: pci: missing 'read' or 'write'" },
    { "pci poke", "t.scn:1: pci: expected 'read' or 'write', got 'poke'" },
    { "pci read b", "t.scn:1: pci read: missing B:D.F" },
    { "pci read b 00:01.0", "t.scn:1: pci read: missing REG" },
    { "pci write l 00:01.0 0", "t.scn:1: pci write: missing VALUE" },
    { "ram", "t.scn:1: ram: missing write, fill, expect or checksum" },
    { "ram zap 1", "t.scn:1: ram: expected write, fill, expect or checksum, got 'zap'" },
    { "ram write 0x1000", "t.scn:1: ram write: missing data (strings or bytes)" },
    { "ram expect", "t.scn:1: ram expect: missing GPA" },
    { "ram fill 0 1", "t.scn:1: ram fill: missing BYTE" },
    { "ram checksum 0", "t.scn:1: ram checksum: missing LEN" },
    { "ram checksum 0 1 expect", "t.scn:1: ram checksum: missing VALUE" },
    { "grant", "t.scn:1: grant: missing REF" },
    { "grant 1", "t.scn:1: grant: missing GFN" },
    { "grant 1 2 to", "t.scn:1: grant: missing DOMID" },
    { "grant end", "t.scn:1: grant end: missing REF" },
    { "balloon", "t.scn:1: balloon: missing 'out' or 'in'" },
    { "balloon up 1 1", "t.scn:1: balloon: expected 'out' or 'in', got 'up'" },
    { "balloon out 1", "t.scn:1: balloon out: missing NR" },
    { "wait", "t.scn:1: wait: expected 'servers'" },
    { "wait servers", "t.scn:1: wait servers: missing N" },
    { "wait servers 1 timeout", "t.scn:1: wait servers: missing MS" },
    { "sleep", "t.scn:1: sleep: missing MS" },
    { "timeout", "t.scn:1: timeout: missing MS" },
    { "vcpu", "t.scn:1: vcpu: missing N" },
    { "repeat", "t.scn:1: repeat: missing N" },
    /* numbers */
    { "out b 0x3g8 1", "t.scn:1: bad number '0x3g8'" },
    { "out b 12a 1", "t.scn:1: bad number '12a'" },
    { "out b -1 1", "t.scn:1: bad number '-1'" },
    { "out b 0x 1", "t.scn:1: bad number '0x'" },
    { "read q 0x10000000000000000", "t.scn:1: bad number '0x10000000000000000'" },
    { "read q 18446744073709551616", "t.scn:1: bad number '18446744073709551616'" },
    { "out b 0x80 \"1\"", "t.scn:1: out: expected VALUE, got a string" },
    { "ram write 0 1 zz", "t.scn:1: bad number 'zz'" },
    { "ram write 0 256", "t.scn:1: ram write: byte 0x100 out of range (max 0xff)" },
    { "ram write 0 \"\"", "t.scn:1: ram write: no data (empty string)" },
    /* sizes and ranges */
    { "out x 0x80 1", "t.scn:1: bad size 'x' (use b, w, l or 1, 2, 4)" },
    { "in q 0x80", "t.scn:1: bad size 'q' (use b, w, l or 1, 2, 4)" },
    { "outs 8 0x80 1 0", "t.scn:1: bad size '8' (use b, w, l or 1, 2, 4)" },
    { "read 3 0x1000", "t.scn:1: bad size '3' (use b, w, l, q or 1, 2, 4, 8)" },
    { "pci read q 00:00.0 0", "t.scn:1: bad size 'q' (use b, w, l or 1, 2, 4)" },
    { "out b 0x10000 1", "t.scn:1: out: PORT 0x10000 out of range (max 0xffff)" },
    { "in l 0xfffe", "t.scn:1: in: access at port 0xfffe crosses 0xffff" },
    { "out b 0x80 0x100", "t.scn:1: out: VALUE 0x100 does not fit in 1 byte" },
    { "out w 0x80 0x10000", "t.scn:1: out: VALUE 0x10000 does not fit in 2 bytes" },
    { "in b 0x80 expect 0x1ff", "t.scn:1: in: VALUE 0x1ff does not fit in 1 byte" },
    { "in b 0x80 expect 1 mask 0x100", "t.scn:1: in: MASK 0x100 does not fit in 1 byte" },
    { "read l 0xfffffffffffffffe", "t.scn:1: read: access at 0xfffffffffffffffe wraps around" },
    { "outs b 0x80 0 0x1000", "t.scn:1: outs: COUNT 0 out of range (1..4096)" },
    { "movs-to-mmio b 0xa0000 4097 0", "t.scn:1: movs-to-mmio: COUNT 4097 out of range (1..4096)" },
    { "pci read b 00:20.0 0", "t.scn:1: pci read: B:D.F '00:20.0' out of range (segment 0, bus <= ff, device <= 1f, function <= 7)" },
    { "pci read b 00:01.8 0", "t.scn:1: pci read: B:D.F '00:01.8' out of range (segment 0, bus <= ff, device <= 1f, function <= 7)" },
    { "pci read b 0001:00:01.0 0", "t.scn:1: pci read: B:D.F '0001:00:01.0' out of range (segment 0, bus <= ff, device <= 1f, function <= 7)" },
    { "pci read b 00-01.0 0", "t.scn:1: pci read: bad B:D.F '00-01.0' (e.g. 00:01.1)" },
    { "pci read b 00:01 0", "t.scn:1: pci read: bad B:D.F '00:01' (e.g. 00:01.1)" },
    { "pci read b 00:01.0x 0", "t.scn:1: pci read: bad B:D.F '00:01.0x' (e.g. 00:01.1)" },
    { "pci read b 00:01.0 0x100", "t.scn:1: pci read: REG 0x100 out of range (max 0xff)" },
    { "pci read l 00:01.0 2", "t.scn:1: pci read: register 0x2 with size 4 crosses a dword" },
    { "pci write w 00:01.0 3 0", "t.scn:1: pci write: register 0x3 with size 2 crosses a dword" },
    { "ram fill 0 1 0x100", "t.scn:1: ram fill: BYTE 0x100 out of range (max 0xff)" },
    { "ram fill 0xffffffffffffffff 2 0", "t.scn:1: ram fill: range 0xffffffffffffffff+0x2 wraps around" },
    { "ram checksum 0 1 expect 0x100000000", "t.scn:1: ram checksum: VALUE 0x100000000 out of range (max 0xffffffff)" },
    { "balloon out 1 0", "t.scn:1: balloon out: NR must not be 0" },
    { "wait servers 9", "t.scn:1: wait servers: N 0x9 out of range (max 0x8)" },
    { "vcpu 64", "t.scn:1: vcpu: N 0x40 out of range (max 0x3f)" },
    /* trailing junk */
    { "out b 0x80 1 2", "t.scn:1: out: unexpected '2'" },
    { "in b 0x80 1", "t.scn:1: in: unexpected '1'" },
    { "in b 0x80 expect 1 mask 1 more", "t.scn:1: in: unexpected 'more'" },
    { "outs b 0x80 1 0 up", "t.scn:1: outs: unexpected 'up'" },
    { "grant 1 2 rw", "t.scn:1: grant: unexpected 'rw'" },
    { "sleep 1 \"x\"", "t.scn:1: sleep: unexpected string \"x\"" },
    { "parallel now", "t.scn:1: parallel: unexpected 'now'" },
    { "repeat 2 times", "t.scn:1: repeat: unexpected 'times'" },
    /* strings */
    { "echo \"abc", "t.scn:1: unterminated string" },
    { "echo \"abc\\\"", "t.scn:1: unterminated string" },
    { "echo \"abc\\", "t.scn:1: unterminated string" },
    { "ram write 0 \"a\\q\"", "t.scn:1: bad escape '\\q' in string" },
    { "ram write 0 \"\\x4\"", "t.scn:1: bad escape in string (\\x needs two hex digits)" },
    { "echo a\"b\"", "t.scn:1: missing space before string" },
    { "echo \"a\"b", "t.scn:1: missing space after string" },
    /* blocks */
    { "end", "t.scn:1: 'end' without 'parallel' or 'repeat'" },
    { "repeat 2\nend\nend", "t.scn:3: 'end' without 'parallel' or 'repeat'" },
    { "out b 0x80 1\nparallel\non vcpu 0:\nout b 0x80 1\n", "t.scn:2: 'parallel' without 'end'" },
    { "repeat 3\nrepeat 2\nend\n", "t.scn:1: 'repeat' without 'end'" },
    { "parallel\nend", "t.scn:2: 'parallel' has no 'on vcpu N:' section" },
    { "parallel\nout b 0x80 1\nend", "t.scn:2: 'out' before 'on vcpu N:' in 'parallel'" },
    { "parallel\non vcpu 0:\nparallel\nend\nend", "t.scn:3: 'parallel' inside 'parallel'" },
    { "on vcpu 0:", "t.scn:1: 'on' outside 'parallel'" },
    { "parallel\non vcpu 0:\nrepeat 2\non vcpu 1:\nend\nend",
      "t.scn:4: 'on' must be directly inside 'parallel'" },
    { "parallel\non cpu 0:\nend", "t.scn:2: on: expected 'vcpu N:'" },
    { "parallel\non vcpu 0\nend", "t.scn:2: on: missing ':' after 'vcpu 0'" },
    { "parallel\non vcpu x:\nend", "t.scn:2: bad number 'x'" },
    { "parallel\non vcpu 64:\nend", "t.scn:2: on: vcpu 64 out of range (max 63)" },
    { "parallel\non vcpu 1:\non vcpu 1:\nend", "t.scn:3: on: vcpu 1 appears twice in this 'parallel'" },
    { "parallel\non vcpu 1: end", "t.scn:2: on: 'end' cannot follow 'on vcpu N:' on the same line" },
    { "parallel\non vcpu 1: bogus\nend", "t.scn:2: unknown command 'bogus'" },
    { "parallel\non vcpu 0:\nvcpu 1\nend", "t.scn:3: 'vcpu' inside 'parallel' (use 'on vcpu N:')" },
    { "repeat 0x100000000\nend", "t.scn:1: repeat: N 0x100000000 out of range (max 0xffffffff)" },
    /* expect error */
    { "expect error", "t.scn:1: 'expect error' must be followed by a command that can fail" },
    { "expect error EIO\n\n# c\n", "t.scn:1: 'expect error' must be followed by a command that can fail" },
    { "expect error EIO\necho \"x\"", "t.scn:1: 'expect error' must be followed by a command that can fail" },
    { "expect error EIO\nexpect error EIO\nin b 1", "t.scn:1: 'expect error' must be followed by a command that can fail" },
    { "expect error\nexpect isa-irq 1 high", "t.scn:1: 'expect error' must be followed by a command that can fail" },
    { "repeat 1\nexpect error\nend", "t.scn:2: 'expect error' must be followed by a command that can fail" },
    { "expect error EWHAT", "t.scn:1: expect error: unknown errno name 'EWHAT'" },
    { "expect error EIO EIO", "t.scn:1: expect error: unexpected 'EIO'" },
    /* observations */
    { "expect", "t.scn:1: expect: missing what to expect" },
    { "expect weather sunny", "t.scn:1: expect: unknown expectation 'weather'" },
    { "expect shutdown", "t.scn:1: expect shutdown: missing REASON" },
    { "expect shutdown halt", "t.scn:1: expect shutdown: unknown reason 'halt' (poweroff, reboot, suspend, crash, watchdog, soft_reset, none or a number)" },
    { "expect isa-irq 16 high", "t.scn:1: expect isa-irq: IRQ 0x10 out of range (max 0xf)" },
    { "expect isa-irq 4 up", "t.scn:1: expect isa-irq: expected high or low, got 'up'" },
    { "expect isa-irq 4", "t.scn:1: expect isa-irq: missing high|low" },
    { "expect pci-intx 32 A high", "t.scn:1: expect pci-intx: DEV 0x20 out of range (max 0x1f)" },
    { "expect pci-intx 1 E high", "t.scn:1: expect pci-intx: bad PIN 'E' (A-D or 0-3)" },
    { "expect link-route 4 11", "t.scn:1: expect link-route: LINK 0x4 out of range (max 0x3)" },
    { "expect msi 1", "t.scn:1: expect msi: expected count, addr or data" },
    { "expect modified bytes 1", "t.scn:1: expect modified: expected calls or pages" },
    { "expect frame 1 gone", "t.scn:1: expect frame: expected populated or unpopulated" },
    { "expect server", "t.scn:1: expect server: missing ID" },
    { "expect msi count 1 within", "t.scn:1: expect msi: missing MS" },
    { "expect msi count 1 after 3", "t.scn:1: expect msi: unexpected 'after'" },
    /* raw */
    { "raw", "t.scn:1: raw: missing ioreq, buffered or buffered-ptrs" },
    { "raw io", "t.scn:1: raw: expected ioreq, buffered or buffered-ptrs, got 'io'" },
    { "raw ioreq size=1", "t.scn:1: raw ioreq: missing type=T" },
    { "raw ioreq type=pio", "t.scn:1: raw ioreq: missing size=S" },
    { "raw ioreq type=mmio size=1", "t.scn:1: raw ioreq: bad value 'mmio' for type" },
    { "raw ioreq type=256 size=1", "t.scn:1: raw ioreq: type=0x100 out of range (max 0xff)" },
    { "raw ioreq type=pio size=1 state=16", "t.scn:1: raw ioreq: state=0x10 out of range (max 0xf)" },
    { "raw ioreq type=pio size=1 ptr=2", "t.scn:1: raw ioreq: ptr=0x2 out of range (max 0x1)" },
    { "raw ioreq type=pio size=1 dir=in", "t.scn:1: raw ioreq: dir must be 'read' or 'write', got 'in'" },
    { "raw ioreq type=pio size=1 colour=red", "t.scn:1: raw ioreq: unknown key 'colour'" },
    { "raw ioreq type=pio size=1 vcpu=64", "t.scn:1: raw ioreq: vcpu=0x40 out of range (max 0x3f)" },
    { "raw ioreq type=pio size=1 expect", "t.scn:1: raw ioreq: expected 'data' or 'timeout' after 'expect'" },
    { "raw ioreq type=pio size=1 expect data", "t.scn:1: raw ioreq: missing VALUE" },
    { "raw ioreq type=pio size=1 expect data 1 expect timeout",
      "t.scn:1: raw ioreq: 'expect data' and 'expect timeout' exclude each other" },
    { "raw ioreq type=pio size=1 junk", "t.scn:1: raw ioreq: unexpected 'junk'" },
    { "raw buffered slot size=1", "t.scn:1: raw buffered: a slot needs type=T and size=S" },
    { "raw buffered slot type=pio size=3", "t.scn:1: raw buffered: slot size must be 1, 2, 4 or 8" },
    { "raw buffered slot type=pio size=1 addr=0x100000",
      "t.scn:1: raw buffered: addr=0x100000 out of range (max 0xfffff)" },
    { "raw buffered slot type=pio size=1 data=0x100000000",
      "t.scn:1: raw buffered: data=0x100000000 out of range (max 0xffffffff)" },
    { "raw buffered extra=-1", "t.scn:1: raw buffered: bad value '-1' for extra" },
    { "raw buffered slot type=pio size=1 extra=1", "t.scn:1: raw buffered: unknown key 'extra'" },
    { "raw buffered-ptrs expect", "t.scn:1: raw buffered-ptrs: 'expect' needs rp=N and/or wp=N" },
    { "raw buffered-ptrs expect rp=1 xp=2", "t.scn:1: raw buffered-ptrs: unknown key 'xp'" },
};

START_TEST(raw_cmds)
{
    struct xsg_scenario *sc;
    const ioreq_t *rq;
    const buf_ioreq_t *bs;
    struct xsg_scenario_cmd c;

    sc = ok("raw ioreq type=copy size=3 count=0xffffffff addr=0xfee00000 "
            "data=0x1234 dir=read ptr=1 df=1 state=inprocess server=2 vcpu=1");
    c = sc->cmds[0];
    ck_assert_int_eq(c.op, XSG_OP_RAW_IOREQ);
    ck_assert_uint_eq(c.nbytes, sizeof(ioreq_t));
    rq = (const ioreq_t *)c.bytes;
    ck_assert_uint_eq(rq->type, IOREQ_TYPE_COPY);
    ck_assert_uint_eq(rq->size, 3);
    ck_assert_uint_eq(rq->count, 0xffffffffu);
    ck_assert_uint_eq(rq->addr, 0xfee00000u);
    ck_assert_uint_eq(rq->data, 0x1234);
    ck_assert_uint_eq(rq->dir, IOREQ_READ);
    ck_assert_uint_eq(rq->data_is_ptr, 1);
    ck_assert_uint_eq(rq->df, 1);
    ck_assert_uint_eq(c.state, STATE_IOREQ_INPROCESS);
    ck_assert_uint_eq(c.server, 2);
    ck_assert(c.vcpu_given);
    ck_assert_uint_eq(c.vcpu, 1);
    ck_assert(!c.has_expect);
    xsg_scenario_free(sc);
    /* defaults: count 1, write, READY, server 0, current vCPU */
    c = one("raw ioreq type=0x7f size=4");
    ck_assert(!c.vcpu_given);
    ck_assert_uint_eq(c.state, STATE_IOREQ_READY);
    c = one("raw ioreq type=pio size=1 addr=0x60 dir=read expect data 0xab mask 0xff");
    ck_assert(c.has_expect);
    ck_assert_uint_eq(c.value, 0xab);
    ck_assert_uint_eq(c.mask, 0xff);
    c = one("raw ioreq type=pio size=1 state=0 expect timeout");
    ck_assert_int_eq(c.expect_errno, ETIMEDOUT);
    ck_assert_uint_eq(c.state, 0);
    c = one("expect error ENOENT\nraw ioreq server=5 type=pio size=1");
    ck_assert_int_eq(c.expect_errno, ENOENT);

    sc = ok("raw buffered server=1 extra=600 slot type=copy size=8 addr=0xa0000 "
            "data=0xffffffff slot type=0xee size=1 addr=0xfffff dir=read");
    c = sc->cmds[0];
    ck_assert_int_eq(c.op, XSG_OP_RAW_BUFFERED);
    ck_assert_uint_eq(c.nbytes, 2 * sizeof(buf_ioreq_t));
    ck_assert_uint_eq(c.extra, 600);
    ck_assert_uint_eq(c.server, 1);
    bs = (const buf_ioreq_t *)c.bytes;
    ck_assert_uint_eq(bs[0].size, 3);
    ck_assert_uint_eq(bs[0].data, 0xffffffffu);
    ck_assert_uint_eq(bs[1].type, 0xee);
    ck_assert_uint_eq(bs[1].addr, 0xfffff);
    ck_assert_uint_eq(bs[1].dir, IOREQ_READ);
    xsg_scenario_free(sc);
    c = one("raw buffered extra=3");
    ck_assert_uint_eq(c.nbytes, 0);
    c = one("raw buffered-ptrs expect rp=3 wp=4");
    ck_assert_int_eq(c.op, XSG_OP_RAW_PTRS);
    ck_assert(c.has_expect && c.has_expect2);
    ck_assert_uint_eq(c.value, 3);
    ck_assert_uint_eq(c.value2, 4);

    roundtrip("raw ioreq type=pio size=1",
              "raw ioreq server=0 type=pio size=1 count=1 addr=0x0 data=0x0 dir=write ptr=0 df=0");
    roundtrip("raw ioreq  vcpu=3 type=200 size=0 count=0 addr=1 data=2 dir=read ptr=1 df=1 state=15 "
              "expect data 5 mask 0xf0",
              "raw ioreq vcpu=3 server=0 type=200 size=0 count=0 addr=0x1 data=0x2 dir=read ptr=1 df=1 "
              "state=15 expect data 0x5 mask 0xf0");
    roundtrip("raw ioreq type=invalidate size=4 expect timeout",
              "raw ioreq server=0 type=invalidate size=4 count=1 addr=0x0 data=0x0 dir=write ptr=0 df=0 "
              "expect timeout");
    roundtrip("raw buffered slot type=copy size=2 addr=0xb8000 data=0x4141",
              "raw buffered server=0 extra=0 slot type=copy size=2 addr=0xb8000 data=0x4141 dir=write");
    roundtrip("raw buffered-ptrs server=1", "raw buffered-ptrs server=1");
    roundtrip("raw buffered-ptrs expect wp=9", "raw buffered-ptrs server=0 expect wp=9");
}
END_TEST

START_TEST(errors)
{
    bad(bad_cases[_i].text, bad_cases[_i].msg);
}
END_TEST

START_TEST(nul_and_names)
{
    struct xsg_scenario *sc = NULL;
    char err[256];
    static const char text[] = "out b 0x80 1\nout b\0 0x80 1\n";

    ck_assert_int_eq(xsg_scenario_parse("x", text, sizeof(text) - 1, &sc, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, "x:2: NUL byte in line");
    ck_assert_int_eq(xsg_scenario_parse("-", "zap", 3, &sc, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, "<stdin>:1: unknown command 'zap'");
    /* a tiny error buffer truncates but stays terminated */
    ck_assert_int_eq(xsg_scenario_parse("file", "zap", 3, &sc, err, 8), -EINVAL);
    ck_assert_str_eq(err, "file:1:");
    ck_assert_str_eq(xsg_scenario_errno_name(ETIMEDOUT), "ETIMEDOUT");
    ck_assert_ptr_null(xsg_scenario_errno_name(12345));
}
END_TEST

START_TEST(parse_file)
{
    char path[] = "/tmp/test_scenario_XXXXXX";
    struct xsg_scenario *sc = NULL;
    char err[512];
    FILE *f;
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("# demo\nout b 0x80 1\nparallel\n", f);
    fclose(f);
    ck_assert_int_eq(xsg_scenario_parse_file(path, &sc, err, sizeof(err)), -EINVAL);
    {
        char want[600];

        snprintf(want, sizeof(want), "%s:3: 'parallel' without 'end'", path);
        ck_assert_str_eq(err, want);
    }
    f = fopen(path, "w");
    fputs("out b 0x80 1\n", f);
    fclose(f);
    ck_assert_int_eq(xsg_scenario_parse_file(path, &sc, err, sizeof(err)), 0);
    ck_assert_str_eq(sc->name, path);
    ck_assert_uint_eq(sc->ncmds, 1);
    xsg_scenario_free(sc);
    unlink(path);
    ck_assert_int_eq(xsg_scenario_parse_file(path, &sc, err, sizeof(err)), -ENOENT);
    {
        char want[600];

        snprintf(want, sizeof(want), "%s: No such file or directory", path);
        ck_assert_str_eq(err, want);
    }
}
END_TEST

START_TEST(crc)
{
    /* the standard check value of CRC-32/ISO-HDLC */
    ck_assert_uint_eq(xsg_scenario_crc32(0, "123456789", 9), 0xcbf43926u);
    ck_assert_uint_eq(xsg_scenario_crc32(xsg_scenario_crc32(0, "1234", 4), "56789", 5),
                      0xcbf43926u);
    ck_assert_uint_eq(xsg_scenario_crc32(0, "", 0), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenario_parse");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, port_io);
    tcase_add_test(tc, mmio);
    tcase_add_test(tc, pci);
    tcase_add_test(tc, ram);
    tcase_add_test(tc, grant_balloon_wait);
    tcase_add_test(tc, echo_and_vcpu);
    tcase_add_test(tc, expectations);
    tcase_add_test(tc, expect_error);
    tcase_add_test(tc, blocks);
    tcase_add_test(tc, lexical);
    tcase_add_loop_test(tc, errors, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, nul_and_names);
    tcase_add_test(tc, parse_file);
    tcase_add_test(tc, crc);
    tcase_add_test(tc, raw_cmds);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
