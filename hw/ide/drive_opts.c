/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drive_opts.c - parse the argument of `-drive` as libxl writes it for an
 * IDE disk: file=PATH,if=ide,index=N,media=disk,format=raw[,cache=MODE]
 * [,readonly=on|off]. A comma inside a value is written ",," (QEMU's
 * convention). Pure string handling, no state: any thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/ide/ide.h"

/* Next "key=value" item of *@p into @item (",," unescaped); advance. */
static int next_item(const char **p, char *item, size_t cap)
{
    const char *s = *p;
    size_t n = 0;

    while (*s) {
        if (*s == ',') {
            if (s[1] != ',') {
                s++;
                break;
            }
            s++;                      /* ",," is a literal comma */
        }
        if (n + 1 >= cap) {
            return -EINVAL;
        }
        item[n++] = *s++;
    }
    item[n] = 0;
    *p = s;
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        *out = true;
    } else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        *out = false;
    } else {
        return -EINVAL;
    }
    return 0;
}

int ide_drive_opts_parse(const char *arg, struct ide_drive_opts *out)
{
    char item[4096];
    const char *p = arg;
    bool have_if = false;
    int ret;

    memset(out, 0, sizeof(*out));
    out->index = -1;
    while (*p) {
        char *eq, *key, *val;

        ret = next_item(&p, item, sizeof(item));
        if (ret < 0) {
            goto fail;
        }
        if (!item[0]) {
            continue;
        }
        eq = strchr(item, '=');
        if (!eq) {
            ret = -EINVAL;
            goto fail;
        }
        *eq = 0;
        key = item;
        val = eq + 1;
        ret = 0;
        if (!strcmp(key, "file")) {
            free(out->file);
            out->file = strdup(val);
            if (!out->file) {
                ret = -ENOMEM;
            }
        } else if (!strcmp(key, "if")) {
            have_if = true;
            ret = strcmp(val, "ide") ? -ENOTSUP : 0;
        } else if (!strcmp(key, "index")) {
            char *end;
            long n = strtol(val, &end, 10);

            if (!*val || *end || n < 0 || n >= IDE_MAX_DRIVES) {
                ret = -EINVAL;
            } else {
                out->index = (int)n;
            }
        } else if (!strcmp(key, "media")) {
            ret = strcmp(val, "disk") ? -ENOTSUP : 0;
        } else if (!strcmp(key, "format")) {
            ret = strcmp(val, "raw") ? -ENOTSUP : 0;
        } else if (!strcmp(key, "readonly")) {
            ret = parse_bool(val, &out->read_only);
        } else if (!strcmp(key, "cache")) {
            /* Host caching policy: pread/pwrite through the page cache
               whatever is asked; the guest controls flushes. */
            ret = 0;
        } else {
            ret = -EINVAL;
        }
        if (ret < 0) {
            goto fail;
        }
    }
    if (!out->file || !out->file[0] || out->index < 0 || !have_if) {
        ret = -EINVAL;
        goto fail;
    }
    return 0;

fail:
    free(out->file);
    out->file = NULL;
    return ret;
}

void ide_drive_opts_free(struct ide_drive_opts *o)
{
    free(o->file);
    o->file = NULL;
}
