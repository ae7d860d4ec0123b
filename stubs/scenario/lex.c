/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lex.c - the scenario parser's tokenizer and argument helpers.
 *
 * xsg_sp_tokenize() splits one line, held in a private writable copy, into
 * struct tok entries of the parser: words are NUL-terminated in place,
 * quoted strings are unescaped in place (never longer than their source).
 * A `#` outside a string ends the line. The helpers then consume tokens
 * left to right (parser->pos) and report the first problem through
 * xsg_sp_perr() as "name:line: message".
 *
 * Threading: none; everything works on one struct parser.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/scenario/private.h"
#include "stubs/scenario/scenario.h"

int xsg_sp_perr(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);

    if (n < 0 || (size_t)n >= p->errlen)
        return -EINVAL;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* ---- tokens ------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int push_tok(struct parser *p, char *s, size_t len, bool str)
{
    if (p->ntoks == p->captoks) {
        size_t cap = p->captoks ? p->captoks * 2 : 16;
        struct tok *t = realloc(p->toks, cap * sizeof(*t));

        if (!t)
            return -ENOMEM;
        p->toks = t;
        p->captoks = cap;
    }
    p->toks[p->ntoks++] = (struct tok){ .s = s, .len = len, .str = str };
    return 0;
}

/* Split @buf (a writable copy of one line, NUL-terminated) into tokens. */
int xsg_sp_tokenize(struct parser *p, char *buf)
{
    char *c = buf;
    int ret;

    p->ntoks = 0;
    p->pos = 0;
    for (;;) {
        while (*c == ' ' || *c == '\t' || *c == '\r')
            c++;
        if (!*c || *c == '#')
            return 0;
        if (*c == '"') {
            char *start = ++c, *o = start;

            for (;;) {
                if (!*c)
                    return xsg_sp_perr(p, "unterminated string");
                if (*c == '"')
                    break;
                if (*c != '\\') {
                    *o++ = *c++;
                    continue;
                }
                c++;
                switch (*c) {
                case 'n': *o++ = '\n'; c++; break;
                case 't': *o++ = '\t'; c++; break;
                case 'r': *o++ = '\r'; c++; break;
                case '0': *o++ = '\0'; c++; break;
                case '\\': *o++ = '\\'; c++; break;
                case '"': *o++ = '"'; c++; break;
                case 'x':
                    if (hexval(c[1]) < 0 || hexval(c[2]) < 0)
                        return xsg_sp_perr(p, "bad escape in string (\\x needs two hex digits)");
                    *o++ = (char)(hexval(c[1]) << 4 | hexval(c[2]));
                    c += 3;
                    break;
                case '\0':
                    return xsg_sp_perr(p, "unterminated string");
                default:
                    return xsg_sp_perr(p, "bad escape '\\%c' in string", *c);
                }
            }
            c++; /* closing quote */
            if (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#')
                return xsg_sp_perr(p, "missing space after string");
            ret = push_tok(p, start, (size_t)(o - start), true);
            *o = '\0';
            if (ret)
                return ret;
            continue;
        }
        {
            char *start = c;

            while (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#' &&
                   *c != '"')
                c++;
            ret = push_tok(p, start, (size_t)(c - start), false);
            if (ret)
                return ret;
            if (*c == ' ' || *c == '\t' || *c == '\r') {
                *c++ = '\0';
            } else if (*c == '#') {
                *c = '\0';
                return 0;
            } else if (*c == '"') {
                return xsg_sp_perr(p, "missing space before string");
            }
        }
    }
}

/* ---- argument helpers --------------------------------------------- */

bool xsg_sp_more(const struct parser *p)
{
    return p->pos < p->ntoks;
}

/* Is the next token the word @w? Consume it if so. */
bool xsg_sp_accept(struct parser *p, const char *w)
{
    if (xsg_sp_more(p) && !p->toks[p->pos].str && !strcmp(p->toks[p->pos].s, w)) {
        p->pos++;
        return true;
    }
    return false;
}

static int need(struct parser *p, const char *what, struct tok **t)
{
    if (!xsg_sp_more(p))
        return xsg_sp_perr(p, "%s: missing %s", p->what, what);
    *t = &p->toks[p->pos++];
    return 0;
}

int xsg_sp_need_word(struct parser *p, const char *what, const char **w)
{
    struct tok *t = NULL;
    int ret = need(p, what, &t);

    if (ret)
        return ret;
    if (t->str)
        return xsg_sp_perr(p, "%s: expected %s, got a string", p->what, what);
    *w = t->s;
    return 0;
}

int xsg_sp_str_to_u64(const char *s, uint64_t *v)
{
    uint64_t r = 0;
    unsigned int base = 10;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        int d = hexval(*s);

        if (d < 0 || (unsigned int)d >= base)
            return -EINVAL;
        if (r > (UINT64_MAX - (uint64_t)d) / base)
            return -ERANGE;
        r = r * base + (uint64_t)d;
    }
    *v = r;
    return 0;
}

int xsg_sp_number(struct parser *p, const char *what, uint64_t *v)
{
    const char *w = NULL;
    int ret = xsg_sp_need_word(p, what, &w);

    if (ret)
        return ret;
    if (xsg_sp_str_to_u64(w, v))
        return xsg_sp_perr(p, "bad number '%s'", w);
    return 0;
}

/* A number no larger than @max. */
int xsg_sp_number_max(struct parser *p, const char *what, uint64_t max,
                      uint64_t *v)
{
    int ret = xsg_sp_number(p, what, v);

    if (ret)
        return ret;
    if (*v > max)
        return xsg_sp_perr(p, "%s: %s 0x%" PRIx64 " out of range (max 0x%" PRIx64 ")",
                    p->what, what, *v, max);
    return 0;
}

int xsg_sp_size(struct parser *p, bool allow8, unsigned int *size)
{
    const char *w = NULL;
    int ret = xsg_sp_need_word(p, "SIZE", &w);

    if (ret)
        return ret;
    if (!strcmp(w, "b") || !strcmp(w, "1"))
        *size = 1;
    else if (!strcmp(w, "w") || !strcmp(w, "2"))
        *size = 2;
    else if (!strcmp(w, "l") || !strcmp(w, "4"))
        *size = 4;
    else if (allow8 && (!strcmp(w, "q") || !strcmp(w, "8")))
        *size = 8;
    else
        return xsg_sp_perr(p, "bad size '%s' (use %s)", w,
                    allow8 ? "b, w, l, q or 1, 2, 4, 8" : "b, w, l or 1, 2, 4");
    return 0;
}

uint64_t xsg_sp_size_mask(unsigned int size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
}

/* A value that fits in @size bytes. */
int xsg_sp_value(struct parser *p, const char *what, unsigned int size,
                     uint64_t *v)
{
    int ret = xsg_sp_number(p, what, v);

    if (ret)
        return ret;
    if (*v & ~xsg_sp_size_mask(size))
        return xsg_sp_perr(p, "%s: %s 0x%" PRIx64 " does not fit in %u byte%s",
                    p->what, what, *v, size, size == 1 ? "" : "s");
    return 0;
}

/* [expect VALUE [mask M]] */
int xsg_sp_expect_suffix(struct parser *p, struct xsg_scenario_cmd *c)
{
    int ret;

    c->mask = xsg_sp_size_mask(c->size);
    if (!xsg_sp_accept(p, "expect"))
        return 0;
    c->has_expect = true;
    ret = xsg_sp_value(p, "VALUE", c->size, &c->value);
    if (!ret && xsg_sp_accept(p, "mask"))
        ret = xsg_sp_value(p, "MASK", c->size, &c->mask);
    return ret;
}

int xsg_sp_finish(struct parser *p)
{
    if (xsg_sp_more(p)) {
        struct tok *t = &p->toks[p->pos];

        return xsg_sp_perr(p, t->str ? "%s: unexpected string \"%s\"" :
                    "%s: unexpected '%s'", p->what, t->s);
    }
    return 0;
}

int xsg_sp_new_cmd(struct parser *p, enum xsg_scenario_op op,
                   struct xsg_scenario_cmd **out)
{
    if (p->ncmds == p->capcmds) {
        size_t cap = p->capcmds ? p->capcmds * 2 : 32;
        struct xsg_scenario_cmd *c = realloc(p->cmds, cap * sizeof(*c));

        if (!c)
            return -ENOMEM;
        p->cmds = c;
        p->capcmds = cap;
    }
    *out = &p->cmds[p->ncmds++];
    **out = (struct xsg_scenario_cmd){ .op = op, .line = p->line };
    return 0;
}
