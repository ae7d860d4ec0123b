/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chardev-spec.c - parse -chardev and legacy -serial/-qmp device strings
 * into struct chardev_spec (see chardev.h).
 *
 * The string is split by keyval_parse(); each backend then takes the keys
 * it knows, and any key left over is an error naming it. Pure functions.
 */
#include "xen/chardev.h"

#include <errno.h>
#include <string.h>

#include "xen/keyval.h"

static const char *const backend_names[] = {
    [CHARDEV_NULL] = "null", [CHARDEV_SOCKET] = "socket",
    [CHARDEV_STDIO] = "stdio", [CHARDEV_FILE] = "file",
    [CHARDEV_PTY] = "pty",
};

const char *chardev_backend_name(enum chardev_backend b)
{
    if ((size_t)b < G_N_ELEMENTS(backend_names))
        return backend_names[b];
    return "?";
}

void chardev_spec_free(struct chardev_spec *spec)
{
    if (!spec)
        return;
    g_free(spec->id);
    g_free(spec->path);
    g_free(spec);
}

/* Take @key from @kv as a boolean; absent leaves *out alone. */
static int take_bool(struct keyval_list *kv, const char *key, bool *out, char **err)
{
    const char *v = keyval_get(kv, key);

    if (!v)
        return 0;
    if (keyval_parse_bool(v, out) < 0) {
        *err = g_strdup_printf("parameter '%s' expects on/off, not '%s'", key, v);
        return -EINVAL;
    }
    keyval_remove(kv, key);
    return 0;
}

/* Take @key from @kv as a string (copied); absent leaves *out alone. */
static void take_str(struct keyval_list *kv, const char *key, char **out)
{
    const char *v = keyval_get(kv, key);

    if (!v)
        return;
    g_free(*out);
    *out = g_strdup(v);
    keyval_remove(kv, key);
}

static int take_socket(struct keyval_list *kv, struct chardev_spec *s, char **err)
{
    g_autofree char *fd = NULL;
    bool nowait = false;
    bool has_wait = keyval_get(kv, "wait") || keyval_get(kv, "nowait");

    take_str(kv, "path", &s->path);
    take_str(kv, "fd", &fd);
    s->server = false;
    if (take_bool(kv, "server", &s->server, err) < 0)
        return -EINVAL;
    s->wait = s->server;                      /* QEMU's default */
    /* Legacy "nowait" (bare element, parsed as nowait=on). */
    if (take_bool(kv, "nowait", &nowait, err) < 0)
        return -EINVAL;
    if (nowait)
        s->wait = false;
    if (take_bool(kv, "wait", &s->wait, err) < 0)
        return -EINVAL;
    if (keyval_get(kv, "host") || keyval_get(kv, "port")) {
        *err = g_strdup("TCP sockets are not supported; use path= (a Unix socket) or fd=");
        return -EINVAL;
    }
    if (!!s->path == !!fd) {
        *err = g_strdup("a socket needs exactly one of path= and fd=");
        return -EINVAL;
    }
    if (fd) {
        uint64_t v;

        if (keyval_parse_u64(fd, &v) < 0 || v > INT32_MAX) {
            *err = g_strdup_printf("parameter 'fd' expects a file descriptor number, not '%s'", fd);
            return -EINVAL;
        }
        s->fd = (int)v;
    }
    if (s->path && s->path[0] == '\0') {
        *err = g_strdup("parameter 'path' is empty");
        return -EINVAL;
    }
    if (!s->server && has_wait) {
        *err = g_strdup("'wait' only makes sense with server=on");
        return -EINVAL;
    }
    return 0;
}

/* Fill @s from the backend-specific keys of @kv; leftovers are errors. */
static int take_backend_keys(struct keyval_list *kv, struct chardev_spec *s, char **err)
{
    int ret = 0;

    switch (s->backend) {
    case CHARDEV_SOCKET:
        ret = take_socket(kv, s, err);
        break;
    case CHARDEV_FILE:
        take_str(kv, "path", &s->path);
        if (!s->path || !s->path[0]) {
            *err = g_strdup("a file backend needs path=");
            return -EINVAL;
        }
        ret = take_bool(kv, "append", &s->append, err);
        break;
    case CHARDEV_STDIO:
        s->signal = true;
        ret = take_bool(kv, "signal", &s->signal, err);
        break;
    case CHARDEV_NULL:
    case CHARDEV_PTY:
        break;
    }
    if (ret < 0)
        return ret;
    if (kv->n) {
        *err = g_strdup_printf("parameter '%s' is not valid for backend '%s'",
                               kv->items[0].key, chardev_backend_name(s->backend));
        return -EINVAL;
    }
    return 0;
}

static int backend_from_name(const char *name, enum chardev_backend *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(backend_names); i++) {
        if (strcmp(name, backend_names[i]) == 0) {
            *out = (enum chardev_backend)i;
            return 0;
        }
    }
    return -EINVAL;
}

int chardev_spec_parse(const char *str, struct chardev_spec **out, char **err)
{
    struct keyval_list kv = { 0 };
    struct chardev_spec *s;
    g_autofree char *backend = NULL;
    char *perr = NULL;

    if (keyval_parse(str, "backend", &kv, &perr) < 0) {
        *err = perr;
        return -EINVAL;
    }
    s = g_new0(struct chardev_spec, 1);
    s->fd = -1;
    take_str(&kv, "backend", &backend);
    take_str(&kv, "id", &s->id);
    if (!backend) {
        *err = g_strdup("missing the backend (e.g. socket, pty, stdio, file, null)");
        goto fail;
    }
    if (backend_from_name(backend, &s->backend) < 0) {
        *err = g_strdup_printf("unsupported backend '%s' (supported: socket, pty, stdio, file, null)",
                               backend);
        goto fail;
    }
    if (!s->id || !s->id[0]) {
        *err = g_strdup("missing id=");
        goto fail;
    }
    if (take_backend_keys(&kv, s, err) < 0)
        goto fail;
    keyval_list_clear(&kv);
    *out = s;
    return 0;
fail:
    keyval_list_clear(&kv);
    chardev_spec_free(s);
    return -EINVAL;
}

int chardev_spec_parse_legacy(const char *str, const char *id,
                              struct chardev_spec **out, char **err)
{
    struct chardev_spec *s = g_new0(struct chardev_spec, 1);

    s->fd = -1;
    s->id = g_strdup(id);
    if (strcmp(str, "pty") == 0) {
        s->backend = CHARDEV_PTY;
    } else if (strcmp(str, "stdio") == 0) {
        s->backend = CHARDEV_STDIO;
        s->signal = true;
    } else if (strcmp(str, "null") == 0) {
        s->backend = CHARDEV_NULL;
    } else if (g_str_has_prefix(str, "file:") && str[5]) {
        s->backend = CHARDEV_FILE;
        s->path = g_strdup(str + 5);
    } else if (g_str_has_prefix(str, "unix:") && str[5]) {
        struct keyval_list kv = { 0 };
        char *perr = NULL;

        s->backend = CHARDEV_SOCKET;
        if (keyval_parse(str + 5, "path", &kv, &perr) < 0) {
            *err = perr;
            goto fail;
        }
        if (take_backend_keys(&kv, s, err) < 0) {
            keyval_list_clear(&kv);
            goto fail;
        }
        keyval_list_clear(&kv);
    } else {
        *err = g_strdup_printf("unsupported device '%s' (supported: pty, stdio, null, none, "
                               "file:PATH, unix:PATH[,server=on][,wait=off], chardev:ID)", str);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    chardev_spec_free(s);
    return -EINVAL;
}
