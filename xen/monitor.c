/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.c - the human monitor's command table.
 *
 * Commands live in a GPtrArray kept sorted by name (for `help`); lookup
 * tries the longest run of leading words first, so "info mtree -f" finds
 * "info mtree" with argument "-f" even when "info" alone is registered.
 * Tables hold a handful of commands, so a linear scan is plenty.
 */
#include "xen/monitor.h"

#include <errno.h>
#include <string.h>

struct monitor_cmd {
    char *name;
    char *args_help;
    char *help;
    xen_monitor_fn *fn;
    void *opaque;
};

static void cmd_free(gpointer p)
{
    struct monitor_cmd *c = p;

    g_free(c->name);
    g_free(c->args_help);
    g_free(c->help);
    g_free(c);
}

static gint cmd_cmp(gconstpointer a, gconstpointer b)
{
    const struct monitor_cmd *ca = *(struct monitor_cmd *const *)a;
    const struct monitor_cmd *cb = *(struct monitor_cmd *const *)b;

    return strcmp(ca->name, cb->name);
}

static int cmd_help(void *opaque, const char *args, GString *out)
{
    struct xen_monitor *m = opaque;

    for (guint i = 0; i < m->cmds->len; i++) {
        const struct monitor_cmd *c = g_ptr_array_index(m->cmds, i);
        g_autofree char *synopsis =
            c->args_help ? g_strdup_printf("%s %s", c->name, c->args_help)
                         : g_strdup(c->name);

        g_string_append_printf(out, "%-28s -- %s\n", synopsis, c->help);
    }
    return 0;
}

void xen_monitor_init(struct xen_monitor *m)
{
    m->cmds = g_ptr_array_new_with_free_func(cmd_free);
    (void)xen_monitor_register(m, "help", NULL, "list the commands",
                               cmd_help, m);
}

void xen_monitor_destroy(struct xen_monitor *m)
{
    if (m->cmds)
        g_ptr_array_free(m->cmds, TRUE);
    m->cmds = NULL;
}

static struct monitor_cmd *find_exact(struct xen_monitor *m, const char *name)
{
    for (guint i = 0; i < m->cmds->len; i++) {
        struct monitor_cmd *c = g_ptr_array_index(m->cmds, i);

        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

int xen_monitor_register(struct xen_monitor *m, const char *name,
                         const char *args_help, const char *help,
                         xen_monitor_fn *fn, void *opaque)
{
    g_auto(GStrv) words = g_strsplit_set(name, " \t", -1);
    g_autoptr(GString) norm = g_string_new(NULL);
    struct monitor_cmd *c;

    for (guint i = 0; words[i]; i++) {
        if (!words[i][0])
            continue;
        if (norm->len)
            g_string_append_c(norm, ' ');
        g_string_append(norm, words[i]);
    }
    if (norm->len == 0)
        return -EINVAL;
    if (find_exact(m, norm->str))
        return -EEXIST;
    c = g_new0(struct monitor_cmd, 1);
    c->name = g_strdup(norm->str);
    c->args_help = g_strdup(args_help);
    c->help = g_strdup(help ? help : "");
    c->fn = fn;
    c->opaque = opaque;
    g_ptr_array_add(m->cmds, c);
    g_ptr_array_sort(m->cmds, cmd_cmp);
    return 0;
}

/*
 * Find the command @line names: the longest registered name made of its
 * leading words. *@args gets the rest (g_free()); *@first the first word
 * (g_free()), for messages. NULL if none.
 */
static struct monitor_cmd *lookup(struct xen_monitor *m, const char *line,
                                  char **args, char **first)
{
    g_auto(GStrv) all = g_strsplit_set(line ? line : "", " \t\r\n", -1);
    g_autoptr(GPtrArray) words = g_ptr_array_new();

    *args = NULL;
    *first = NULL;
    for (guint i = 0; all[i]; i++)
        if (all[i][0])
            g_ptr_array_add(words, all[i]);
    if (words->len == 0)
        return NULL;
    *first = g_strdup(g_ptr_array_index(words, 0));
    for (guint n = words->len; n > 0; n--) {
        g_autoptr(GString) name = g_string_new(NULL);
        g_autoptr(GString) rest = g_string_new(NULL);
        struct monitor_cmd *c;

        for (guint i = 0; i < words->len; i++) {
            GString *dst = i < n ? name : rest;

            if (dst->len)
                g_string_append_c(dst, ' ');
            g_string_append(dst, g_ptr_array_index(words, i));
        }
        c = find_exact(m, name->str);
        if (c) {
            *args = g_string_free(g_steal_pointer(&rest), FALSE);
            return c;
        }
    }
    return NULL;
}

bool xen_monitor_knows(struct xen_monitor *m, const char *line)
{
    g_autofree char *args = NULL;
    g_autofree char *first = NULL;

    return lookup(m, line, &args, &first) != NULL;
}

int xen_monitor_execute(struct xen_monitor *m, const char *line, GString *out)
{
    g_autofree char *args = NULL;
    g_autofree char *first = NULL;
    struct monitor_cmd *c = lookup(m, line, &args, &first);

    if (c)
        return c->fn(c->opaque, args, out);
    if (!first)
        g_string_append(out, "empty command; try 'help'\n");
    else
        g_string_append_printf(out, "unknown command: '%s'; try 'help'\n",
                               first);
    return -ENOENT;
}
