/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyval.c - QEMU-style option strings and value parsers (see keyval.h).
 *
 * The parser walks the string once, unescaping ",," into a GString per
 * element; entries live in a plain array grown with g_renew(). Pure
 * functions, no shared state; any thread.
 */
#include "xen/keyval.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <glib.h>

void keyval_list_clear(struct keyval_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        g_free(l->items[i].key);
        g_free(l->items[i].value);
    }
    g_free(l->items);
    l->items = NULL;
    l->n = 0;
}

const char *keyval_get(const struct keyval_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    }
    return NULL;
}

void keyval_set(struct keyval_list *l, const char *key, const char *value)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            g_free(l->items[i].value);
            l->items[i].value = g_strdup(value);
            return;
        }
    }
    l->items = g_renew(struct keyval, l->items, l->n + 1);
    l->items[l->n].key = g_strdup(key);
    l->items[l->n].value = g_strdup(value);
    l->n++;
}

bool keyval_remove(struct keyval_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            g_free(l->items[i].key);
            g_free(l->items[i].value);
            memmove(&l->items[i], &l->items[i + 1],
                    (l->n - i - 1) * sizeof(l->items[0]));
            l->n--;
            return true;
        }
    }
    return false;
}

/*
 * Read one element starting at *pos: up to an unescaped ',' or the end.
 * Writes the unescaped text into @elem and records where the first
 * unescaped '=' was (as an offset into @elem, or -1).
 */
static void next_element(const char **pos, GString *elem, gssize *eq)
{
    const char *p = *pos;

    g_string_truncate(elem, 0);
    *eq = -1;
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(elem, ',');
                p += 2;
                continue;
            }
            break;
        }
        if (*p == '=' && *eq < 0)
            *eq = (gssize)elem->len;
        g_string_append_c(elem, *p);
        p++;
    }
    *pos = p;
}

int keyval_parse(const char *str, const char *implied, struct keyval_list *out,
                 char **err)
{
    g_autoptr(GString) elem = g_string_new(NULL);
    const char *p = str;
    bool first = true;

    if (*str == '\0') {
        if (err)
            *err = g_strdup("empty option string");
        return -EINVAL;
    }
    for (;;) {
        gssize eq;

        next_element(&p, elem, &eq);
        if (eq < 0) {
            if (elem->len == 0) {
                if (err)
                    *err = g_strdup("empty element (stray ',')");
                goto fail;
            }
            if (first && implied)
                keyval_set(out, implied, elem->str);
            else
                keyval_set(out, elem->str, "on");
        } else {
            if (eq == 0) {
                if (err)
                    *err = g_strdup_printf("missing key before '%s'", elem->str);
                goto fail;
            }
            elem->str[eq] = '\0';
            keyval_set(out, elem->str, elem->str + eq + 1);
        }
        first = false;
        if (*p == '\0')
            break;
        p++; /* the separating ',' */
        if (*p == '\0') {
            if (err)
                *err = g_strdup("trailing ','");
            goto fail;
        }
    }
    return 0;
fail:
    keyval_list_clear(out);
    return -EINVAL;
}

int keyval_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

int keyval_parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return -EINVAL;
    for (; *s; s++) {
        unsigned d;

        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && isxdigit((unsigned char)*s))
            d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        else
            return -EINVAL;
        if (v > (UINT64_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int keyval_parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    static const char suffixes[] = "BKMGTPE";
    g_autofree char *digits = NULL;
    size_t len = strlen(s);
    uint64_t unit = default_unit, v;
    const char *suf;
    int ret;

    if (len == 0)
        return -EINVAL;
    suf = strchr(suffixes, toupper((unsigned char)s[len - 1]));
    if (suf && s[len - 1] != '\0') {
        unit = 1ull << (10 * (suf - suffixes));
        len--;
    }
    if (len == 0)
        return -EINVAL;
    digits = g_strndup(s, len);
    for (const char *c = digits; *c; c++) {
        if (!isdigit((unsigned char)*c))
            return -EINVAL;
    }
    ret = keyval_parse_u64(digits, &v);
    if (ret < 0)
        return ret;
    if (unit && v > UINT64_MAX / unit)
        return -ERANGE;
    *out = v * unit;
    return 0;
}
