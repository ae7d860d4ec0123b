/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * private.h - tables shared by the scenario parser, formatter and
 * interpreter (internal to stubs/scenario/).
 */
#ifndef XENSIM_SCENARIO_PRIVATE_H
#define XENSIM_SCENARIO_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stubs/scenario/scenario.h"

/**
 * struct xsg_scenario_name - a keyword and its value.
 * @name: the keyword.
 * @value: what it stands for.
 */
struct xsg_scenario_name {
    const char *name;
    uint64_t value;
};

/** xsg_scenario_shutdown_names - SHUTDOWN_* reasons, NULL-terminated. */
extern const struct xsg_scenario_name xsg_scenario_shutdown_names[];

/**
 * xsg_scenario_errno_value() - Return: the errno named @name ("EIO"),
 * or 0 if unknown.
 * @name: the name.
 */
int xsg_scenario_errno_value(const char *name);

/**
 * xsg_scenario_shutdown_name() - Return: the keyword of SHUTDOWN_* @reason,
 * or NULL if it has none.
 * @reason: the reason code.
 */
const char *xsg_scenario_shutdown_name(uint64_t reason);

/**
 * xsg_scenario_obs_keyword() - Return: the words after `expect` that name
 * observation @obs ("isa-irq", "msi count", ...).
 * @obs: enum xsg_scenario_obs value.
 */
const char *xsg_scenario_obs_keyword(int obs);

/* ---- parser internals (scenario.c, lex.c, expect.c) ---- */

#define XSG_SP_MAX_DEPTH 16

/** struct tok - one token of the current line (see lex.c). */
struct tok {
    char *s;      /* NUL-terminated (strings may also contain NULs) */
    size_t len;
    bool str;     /* a quoted string */
};

/** struct block - an open parallel / repeat block. */
struct block {
    size_t idx;           /* index of the opening command */
    size_t last_on;       /* parallel: index of the latest `on`, or SIZE_MAX */
    uint64_t vcpus;       /* parallel: vCPUs seen in its `on` lines */
};

/** struct parser - state of one xsg_scenario_parse() call. */
struct parser {
    const char *name;
    unsigned int line;
    char *err;
    size_t errlen;
    const char *what;     /* command name for messages */
    struct xsg_scenario_cmd *cmds;
    size_t ncmds, capcmds;
    struct tok *toks;
    size_t ntoks, captoks, pos;
    struct block stack[XSG_SP_MAX_DEPTH];
    unsigned int depth;
    bool in_parallel;
    bool pending;         /* an `expect error` waits for its command */
    int pending_errno;
    unsigned int pending_line;
};

/*
 * Token helpers (lex.c). All return 0 or -EINVAL after writing the
 * message with xsg_sp_perr() ("CMD: missing WHAT", "bad number '..'", ...),
 * or -ENOMEM. @what names the argument in messages.
 */

/** xsg_sp_perr() - format "name:line: message" into @p->err. Return: -EINVAL. */
int xsg_sp_perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** xsg_sp_tokenize() - split the writable line @buf into @p->toks. */
int xsg_sp_tokenize(struct parser *p, char *buf);
/** xsg_sp_more() - Return: true if tokens remain. */
bool xsg_sp_more(const struct parser *p);
/** xsg_sp_accept() - consume the next token if it is the word @w. Return: true if so. */
bool xsg_sp_accept(struct parser *p, const char *w);
/** xsg_sp_need_word() - consume a word (not a string) into @w. */
int xsg_sp_need_word(struct parser *p, const char *what, const char **w);
/** xsg_sp_str_to_u64() - decimal or 0x hex. Return: 0, -EINVAL, -ERANGE. */
int xsg_sp_str_to_u64(const char *s, uint64_t *v);
/** xsg_sp_number() - consume a number. */
int xsg_sp_number(struct parser *p, const char *what, uint64_t *v);
/** xsg_sp_number_max() - consume a number no larger than @max. */
int xsg_sp_number_max(struct parser *p, const char *what, uint64_t max,
                      uint64_t *v);
/** xsg_sp_size() - consume b/w/l(/q) or 1/2/4(/8). */
int xsg_sp_size(struct parser *p, bool allow8, unsigned int *size);
/** xsg_sp_size_mask() - Return: all-ones of @size bytes. */
uint64_t xsg_sp_size_mask(unsigned int size);
/** xsg_sp_value() - consume a number that fits in @size bytes. */
int xsg_sp_value(struct parser *p, const char *what, unsigned int size,
                 uint64_t *v);
/** xsg_sp_expect_suffix() - consume `[expect VALUE [mask M]]` into @c. */
int xsg_sp_expect_suffix(struct parser *p, struct xsg_scenario_cmd *c);
/** xsg_sp_finish() - fail if tokens remain ("CMD: unexpected '..'"). */
int xsg_sp_finish(struct parser *p);
/** xsg_sp_new_cmd() - append a zeroed command of @op at the current line. */
int xsg_sp_new_cmd(struct parser *p, enum xsg_scenario_op op,
                   struct xsg_scenario_cmd **out);
/** xsg_sp_parse_expect() - the rest of an `expect` line (expect.c). */
int xsg_sp_parse_expect(struct parser *p);
/** xsg_sp_parse_raw() - the rest of a `raw` line (raw.c). */
int xsg_sp_parse_raw(struct parser *p);
/**
 * xsg_scenario_format_raw() - write a raw command back as text (raw.c).
 * @c: the command.
 * @buf: destination (NUL-terminated, truncated).
 * @len: size of @buf.
 */
void xsg_scenario_format_raw(const struct xsg_scenario_cmd *c, char *buf,
                             size_t len);
/**
 * xsg_scenario_type_name() - Return: the keyword of IOREQ_TYPE_* @type
 * ("pio", "copy", ...), or NULL.
 * @type: the type.
 */
const char *xsg_scenario_type_name(unsigned int type);

/** xsg_sp_pending_unmet() - report an `expect error` without a command. */
int xsg_sp_pending_unmet(struct parser *p);

#endif /* XENSIM_SCENARIO_PRIVATE_H */
