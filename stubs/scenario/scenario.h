/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scenario.h - xensim's guest scenario language: parser and interpreter.
 *
 * A scenario is a text file, one command per line, that plays a guest's
 * vCPUs against a xensim domain (docs/scenarios.md is the reference). It is
 * handled in two steps:
 *
 *  1. xsg_scenario_parse() turns the whole text into an array of
 *     struct xsg_scenario_cmd, checking everything that can be checked
 *     without a domain (syntax, numbers, sizes, ranges, block balance).
 *     A malformed scenario is rejected here, with "file:line: message",
 *     before anything runs.
 *  2. xsg_scenario_run() executes the array through a
 *     struct xsg_scenario_backend: a table of function pointers whose
 *     default implementation (xsg_scenario_backend_guest()) calls
 *     stubs/guest/guest.h. Tests substitute a recording backend.
 *
 * Blocks are kept flat: `parallel`, `on vcpu N:` and `repeat` commands
 * carry the index of the command that closes them (@jump), so the
 * interpreter walks index ranges instead of a tree.
 */
#ifndef XENSIM_SCENARIO_H
#define XENSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stubs/guest/guest.h"
#include "stubs/guest/raw.h"

/** XSG_SCENARIO_MAX_COUNT - largest rep count of ins/outs/movs. */
#define XSG_SCENARIO_MAX_COUNT 4096u
/** XSG_SCENARIO_MAX_VCPUS - vCPU numbers a scenario may name are below this. */
#define XSG_SCENARIO_MAX_VCPUS 64u
/** XSG_SCENARIO_ANY_ERROR - @expect_errno value of a bare `expect error`. */
#define XSG_SCENARIO_ANY_ERROR (-1)

/**
 * enum xsg_scenario_op - what a command does.
 *
 * Field use per op is listed in struct xsg_scenario_cmd.
 */
enum xsg_scenario_op {
    XSG_OP_PIO_READ,       /* in */
    XSG_OP_PIO_WRITE,      /* out */
    XSG_OP_PIO_REP,        /* ins (dir_read) / outs */
    XSG_OP_MMIO_READ,      /* read */
    XSG_OP_MMIO_WRITE,     /* write */
    XSG_OP_MMIO_REP,       /* movs-from-mmio (dir_read) / movs-to-mmio */
    XSG_OP_PCI_READ,       /* pci read */
    XSG_OP_PCI_WRITE,      /* pci write */
    XSG_OP_RAM_WRITE,      /* ram write */
    XSG_OP_RAM_FILL,       /* ram fill */
    XSG_OP_RAM_EXPECT,     /* ram expect */
    XSG_OP_RAM_CHECKSUM,   /* ram checksum */
    XSG_OP_GRANT,          /* grant */
    XSG_OP_GRANT_END,      /* grant end */
    XSG_OP_BALLOON_OUT,    /* balloon out */
    XSG_OP_BALLOON_IN,     /* balloon in */
    XSG_OP_WAIT_SERVERS,   /* wait servers */
    XSG_OP_TIMEOUT,        /* timeout */
    XSG_OP_SLEEP,          /* sleep */
    XSG_OP_ECHO,           /* echo */
    XSG_OP_EXPECT,         /* expect <observation> */
    XSG_OP_VCPU,           /* vcpu */
    XSG_OP_PARALLEL,       /* parallel */
    XSG_OP_ON,             /* on vcpu N: */
    XSG_OP_REPEAT,         /* repeat */
    XSG_OP_END,            /* end */
    XSG_OP_RAW_IOREQ,      /* raw ioreq (stubs/guest/raw.h) */
    XSG_OP_RAW_BUFFERED,   /* raw buffered */
    XSG_OP_RAW_PTRS,       /* raw buffered-ptrs */
};

/**
 * enum xsg_scenario_obs - what an `expect <observation>` looks at.
 */
enum xsg_scenario_obs {
    XSG_OBS_SHUTDOWN,        /* value: SHUTDOWN_* reason, or ~0 for none */
    XSG_OBS_SHUTDOWN_COUNT,  /* value: count */
    XSG_OBS_ISA_IRQ,         /* addr: irq, value: level */
    XSG_OBS_PCI_INTX,        /* addr: device, count: pin, value: level */
    XSG_OBS_LINK_ROUTE,      /* addr: link, value: irq */
    XSG_OBS_MSI_COUNT,       /* value */
    XSG_OBS_MSI_ADDR,        /* value */
    XSG_OBS_MSI_DATA,        /* value */
    XSG_OBS_MODIFIED_CALLS,  /* value */
    XSG_OBS_MODIFIED_PAGES,  /* value */
    XSG_OBS_PINNED,          /* value */
    XSG_OBS_POPULATED,       /* value: frames */
    XSG_OBS_FRAME,           /* addr: gfn, value: 1 populated / 0 not */
    XSG_OBS_SERVER,          /* value: server id, or ~0 for none */
};

/** XSG_SCENARIO_NONE - "none" for XSG_OBS_SHUTDOWN / XSG_OBS_SERVER. */
#define XSG_SCENARIO_NONE UINT64_MAX

/**
 * struct xsg_scenario_cmd - one parsed command.
 * @op: what to do.
 * @line: 1-based source line.
 * @vcpu: vCPU of XSG_OP_VCPU / XSG_OP_ON.
 * @size: access size in bytes (I/O, MMIO, PCI).
 * @addr: port, MMIO address, GPA (ram ops), grant ref, first gfn
 *        (balloon), server count (wait), repeat count, observation subject.
 * @value: value written; expected value (@has_expect); fill byte; ram
 *         checksum expected; milliseconds (sleep, timeout); gfn (grant);
 *         observation's expected value.
 * @mask: mask for @has_expect (all-ones of the size when not given).
 * @count: rep count; length (ram fill/checksum); frames (balloon);
 *         timeout ms (wait servers); pin (pci-intx).
 * @gpa: RAM side of ins/outs/movs.
 * @bus: PCI bus.
 * @dev: PCI device.
 * @fn: PCI function.
 * @reg: PCI register.
 * @df: direction flag (reps).
 * @dir_read: ins / movs-from-mmio.
 * @readonly: read-only grant.
 * @has_expect: reads: compare the value; ram checksum: compare.
 * @obs: observation kind of XSG_OP_EXPECT.
 * @within_ms: XSG_OP_EXPECT: keep looking this long before failing.
 * @expect_errno: 0; an errno the command must fail with; or
 *                XSG_SCENARIO_ANY_ERROR.
 * @bytes: owned bytes of ram write / ram expect / echo.
 * @nbytes: length of @bytes.
 * @jump: parallel/repeat: index of the matching end; on: index of the next
 *        on or of the end.
 * @server: raw commands: ioreq server id.
 * @vcpu_given: raw ioreq: @vcpu was given (else the current vCPU).
 * @state: raw ioreq: slot state to publish.
 * @extra: raw buffered: extra write-pointer advance.
 * @has_expect2: raw buffered-ptrs: compare the write pointer with @value2
 *               (@has_expect/@value compare the read pointer).
 * @value2: raw buffered-ptrs: expected write pointer.
 *
 * Raw commands keep their request in @bytes: one ioreq_t (raw ioreq) or
 * @nbytes / 8 buf_ioreq_t (raw buffered); @size is 8 (the expectation of
 * `raw ioreq ... expect data V` is 64-bit).
 */
struct xsg_scenario_cmd {
    enum xsg_scenario_op op;
    unsigned int line;
    unsigned int vcpu;
    unsigned int size;
    uint64_t addr;
    uint64_t value;
    uint64_t mask;
    uint64_t count;
    uint64_t gpa;
    uint8_t bus, dev, fn, reg;
    bool df, dir_read, readonly, has_expect;
    enum xsg_scenario_obs obs;
    unsigned int within_ms;
    int expect_errno;
    uint8_t *bytes;
    size_t nbytes;
    size_t jump;
    unsigned int server;
    bool vcpu_given;
    uint8_t state;
    uint32_t extra;
    bool has_expect2;
    uint64_t value2;
};

/**
 * struct xsg_scenario - a parsed scenario. Immutable after parsing, so
 * several threads may run parts of it at once.
 * @name: file name used in messages (owned).
 * @cmds: the commands (owned).
 * @ncmds: number of commands.
 */
struct xsg_scenario {
    char *name;
    struct xsg_scenario_cmd *cmds;
    size_t ncmds;
};

/**
 * xsg_scenario_parse() - parse a whole scenario text.
 * @name: file name for messages ("-" is shown as "<stdin>").
 * @text: the text (need not be NUL-terminated).
 * @len: its length.
 * @out: on success, the scenario; free with xsg_scenario_free().
 * @err: on failure, "name:line: message" (NUL-terminated, truncated).
 * @errlen: size of @err.
 * Return: 0, -EINVAL (malformed; @err says why) or -ENOMEM.
 */
int xsg_scenario_parse(const char *name, const char *text, size_t len,
                       struct xsg_scenario **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/**
 * xsg_scenario_parse_file() - read @path (or stdin for "-") and parse it.
 * @path: file name.
 * @out: as for xsg_scenario_parse().
 * @err: as for xsg_scenario_parse(); "path: strerror" if unreadable.
 * @errlen: size of @err.
 * Return: 0, -EINVAL, -ENOMEM, or the negative errno of a failed read.
 */
int xsg_scenario_parse_file(const char *path, struct xsg_scenario **out,
                            char *err, size_t errlen)
    __attribute__((warn_unused_result));

/**
 * xsg_scenario_free() - free a scenario. NULL is a no-op.
 * @sc: the scenario.
 */
void xsg_scenario_free(struct xsg_scenario *sc);

/**
 * struct xsg_scenario_backend - what the interpreter calls.
 * @opaque: first argument of every function.
 *
 * Every function has the meaning and return convention of the guest.h
 * (or stubs/guest/raw.h, for raw_*) function with the same name (0 or
 * negative errno). Calls naming
 * different vCPUs may come from different threads at once; the others may
 * come from any thread. All members must be set, except the raw_* ones
 * (NULL: raw commands fail with ENOSYS).
 */
struct xsg_scenario_backend {
    void *opaque;
    unsigned int (*nr_vcpus)(void *opaque);
    void (*set_timeout_ms)(void *opaque, unsigned int ms);
    int (*last_server)(void *opaque, unsigned int vcpu);
    int (*pio_read)(void *opaque, unsigned int vcpu, uint16_t port,
                    unsigned int size, uint32_t *val);
    int (*pio_write)(void *opaque, unsigned int vcpu, uint16_t port,
                     unsigned int size, uint32_t val);
    int (*pio_rep)(void *opaque, unsigned int vcpu, uint16_t port,
                   unsigned int size, uint32_t count, bool df, bool dir_read,
                   uint64_t gpa);
    int (*mmio_read)(void *opaque, unsigned int vcpu, uint64_t addr,
                     unsigned int size, uint64_t *val);
    int (*mmio_write)(void *opaque, unsigned int vcpu, uint64_t addr,
                      unsigned int size, uint64_t val);
    int (*mmio_rep)(void *opaque, unsigned int vcpu, uint64_t addr,
                    unsigned int size, uint32_t count, bool df, bool dir_read,
                    uint64_t gpa);
    int (*pci_cfg_read)(void *opaque, unsigned int vcpu, uint8_t bus,
                        uint8_t dev, uint8_t fn, uint8_t reg,
                        unsigned int size, uint32_t *val);
    int (*pci_cfg_write)(void *opaque, unsigned int vcpu, uint8_t bus,
                         uint8_t dev, uint8_t fn, uint8_t reg,
                         unsigned int size, uint32_t val);
    int (*ram_read)(void *opaque, uint64_t gpa, void *buf, size_t len);
    int (*ram_write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
    int (*ram_fill)(void *opaque, uint64_t gpa, uint8_t byte, size_t len);
    bool (*ram_populated)(void *opaque, uint64_t gfn);
    int (*grant)(void *opaque, uint32_t ref, uint64_t gfn, uint32_t to_domid,
                 bool readonly);
    int (*grant_end)(void *opaque, uint32_t ref);
    int (*balloon_out)(void *opaque, unsigned int vcpu, uint64_t gfn,
                       uint64_t nr);
    int (*balloon_in)(void *opaque, uint64_t gfn, uint64_t nr);
    int (*wait_servers)(void *opaque, unsigned int n, unsigned int timeout_ms);
    void (*observe)(void *opaque, struct xsg_obs *obs);
    int (*raw_ioreq)(void *opaque, unsigned int vcpu, unsigned int server,
                     ioreq_t *req, uint8_t state);
    int (*raw_buffered)(void *opaque, unsigned int server,
                        const buf_ioreq_t *slots, unsigned int n,
                        uint32_t extra);
    int (*raw_buffered_ptrs)(void *opaque, unsigned int server, uint32_t *rp,
                             uint32_t *wp);
};

/**
 * xsg_scenario_backend_guest() - the backend that calls guest.h on @g.
 * @be: filled in; @be->opaque = @g.
 * @g: an attachment; must outlive every run using @be.
 */
void xsg_scenario_backend_guest(struct xsg_scenario_backend *be,
                                struct xsg_guest *g);

/**
 * struct xsg_scenario_opts - how xsg_scenario_run() reports.
 * @out: where echo text and unchecked read results go (NULL: discarded).
 * @trace: if set, each command is written to @out before it runs.
 */
struct xsg_scenario_opts {
    FILE *out;
    bool trace;
};

/**
 * xsg_scenario_run() - execute a parsed scenario.
 * @sc: the scenario.
 * @be: the backend.
 * @opts: reporting options (NULL: all defaults).
 * @err: on failure, "name:line: message", e.g. "a.scn:7: expected 0x60,
 *       got 0xff" or "a.scn:3: in: ETIMEDOUT (Connection timed out)".
 * @errlen: size of @err.
 *
 * Runs from the top with vCPU 0 current. Stops at the first failed
 * command or expectation; inside `parallel` the other threads stop before
 * their next command and are joined. Uses its own threads for `parallel`;
 * otherwise runs in the caller's thread.
 * Return: 0, or -1 with @err set.
 */
int xsg_scenario_run(const struct xsg_scenario *sc,
                     const struct xsg_scenario_backend *be,
                     const struct xsg_scenario_opts *opts, char *err,
                     size_t errlen);

/**
 * xsg_scenario_errno_name() - Return: the symbolic name of errno @e
 * ("ETIMEDOUT"), or NULL if the language does not know it.
 * @e: a positive errno.
 */
const char *xsg_scenario_errno_name(int e);

/**
 * xsg_scenario_crc32() - CRC-32 (IEEE 802.3, as zlib's crc32()).
 * @crc: running value (0 to start).
 * @buf: bytes.
 * @len: length.
 * Return: the updated CRC.
 */
uint32_t xsg_scenario_crc32(uint32_t crc, const void *buf, size_t len);

/**
 * xsg_scenario_format_cmd() - write @cmd back as scenario text.
 * @cmd: the command.
 * @buf: destination (NUL-terminated, truncated).
 * @len: size of @buf.
 * Used for traces and read results; the text parses back to @cmd.
 */
void xsg_scenario_format_cmd(const struct xsg_scenario_cmd *cmd, char *buf,
                             size_t len);

#endif /* XENSIM_SCENARIO_H */
