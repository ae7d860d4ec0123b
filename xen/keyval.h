/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyval.h - QEMU-style "key=value,key=value" option strings.
 *
 * Syntax (what QEMU's -chardev, -machine, -drive ... accept):
 *  - elements are separated by ',', and ",," stands for a literal comma
 *    inside a key or value;
 *  - the first element may be a bare value for an implied key
 *    ("socket,id=x" = "backend=socket,id=x" when the implied key is
 *    "backend");
 *  - any other bare element "flag" means "flag=on" (QEMU's legacy
 *    shorthand, e.g. "server,nowait"); keyval_take_legacy_no() turns a
 *    "noflag=on" into "flag=off" for known boolean keys;
 *  - a repeated key: the last one wins.
 * Also: strict parsers for numbers, sizes with suffixes and booleans.
 */
#ifndef XENDM_XEN_KEYVAL_H
#define XENDM_XEN_KEYVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct keyval - one key and its value (both owned, NUL-terminated).
 * @key: the key.
 * @value: the value, commas unescaped.
 */
struct keyval {
    char *key;
    char *value;
};

/**
 * struct keyval_list - parsed option string, in order of appearance.
 * @n: number of entries (keys are unique: a repeated key replaced the
 *     earlier value in place).
 * @items: the entries, owned (free with keyval_list_clear()).
 */
struct keyval_list {
    size_t n;
    struct keyval *items;
};

/**
 * keyval_parse() - parse @str into @out.
 * @str: the option string.
 * @implied: key for a leading bare value, or NULL (then a bare first
 *           element is a flag like the others).
 * @out: zero-initialised list; filled on success, left empty on failure.
 * @err: on failure, a message (g_free()); may be NULL.
 * Return: 0, or -EINVAL for an empty key, empty string or "=value".
 */
int keyval_parse(const char *str, const char *implied, struct keyval_list *out,
                 char **err) __attribute__((warn_unused_result));

/** keyval_list_clear() - free the entries of @l and empty it. */
void keyval_list_clear(struct keyval_list *l);

/**
 * keyval_get() - Return: the value of @key in @l (borrowed), or NULL.
 * @l: the list.
 * @key: the key.
 */
const char *keyval_get(const struct keyval_list *l, const char *key);

/**
 * keyval_set() - set @key to @value in @l (replacing an existing value).
 * @l: the list. @key: the key. @value: the value (copied).
 */
void keyval_set(struct keyval_list *l, const char *key, const char *value);

/**
 * keyval_remove() - remove @key from @l. Return: true if it was there.
 * @l: the list. @key: the key.
 */
bool keyval_remove(struct keyval_list *l, const char *key);

/**
 * keyval_parse_bool() - parse on/off, yes/no, true/false.
 * @s: the text. @out: the value.
 * Return: 0, or -EINVAL.
 */
int keyval_parse_bool(const char *s, bool *out) __attribute__((warn_unused_result));

/**
 * keyval_parse_u64() - parse an unsigned decimal (or 0x hex) number.
 * @s: the text; no sign, no spaces, no trailing characters.
 * @out: the value.
 * Return: 0, -EINVAL for bad syntax, -ERANGE on overflow.
 */
int keyval_parse_u64(const char *s, uint64_t *out) __attribute__((warn_unused_result));

/**
 * keyval_parse_size() - parse a size with an optional suffix.
 * @s: decimal digits followed by at most one of B, K, M, G, T, P, E (any
 *     case); no suffix means @default_unit.
 * @default_unit: the multiplier without suffix (1 for bytes, 1 << 20 for
 *                QEMU's -m).
 * @out: the size in bytes.
 * Return: 0, -EINVAL for bad syntax, -ERANGE on overflow.
 */
int keyval_parse_size(const char *s, uint64_t default_unit, uint64_t *out)
    __attribute__((warn_unused_result));

#endif /* XENDM_XEN_KEYVAL_H */
