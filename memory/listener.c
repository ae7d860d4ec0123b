/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listener.c - MemoryListeners: registration with replay, the del/add
 * passes of a topology update, dirty-log notifications and syncs.
 *
 * Data structure: ms->listeners is one singly linked list sorted by
 * ascending priority (equal priorities in registration order). A listener
 * registered with a filter also sits on its address space's list (next_as)
 * and only hears about that address space; one without a filter hears
 * about every address space of its system. Forward calls walk the list;
 * reverse calls (region_del, log_stop, log_global_stop) walk a snapshot
 * array of it backwards.
 *
 * An update of an address space from FlatView old to new is a merge walk
 * of the two sorted range arrays, done twice: first every range of old
 * that is not in new is deleted (in reverse listener order), then every
 * range of new that is not in old is added and every unchanged range gets
 * region_nop (plus log_start/log_stop when only its dirty-log mask moved).
 *
 * Threading: device-model thread only (the thread that commits transactions);
 * ms->lock is taken only around list changes, for address_space_get_flatview
 * users that might look at a listener's address space.
 */
#include <assert.h>
#include <stdlib.h>

#include <glib.h>

#include "memory/core-internal.h"

static bool listener_watches(const MemoryListener *l, const AddressSpace *as)
{
    return !l->address_space || l->address_space == as;
}

/* The listeners watching @as (all when @as is NULL), ascending priority. */
static MemoryListener **listeners_snapshot(MemorySystem *ms,
                                           const AddressSpace *as, size_t *n)
{
    MemoryListener **arr;
    size_t count = 0, i = 0;

    for (MemoryListener *l = ms->listeners; l; l = l->next)
        if (!as || listener_watches(l, as))
            count++;
    *n = count;
    if (!count)
        return NULL;
    arr = g_new(MemoryListener *, count);
    for (MemoryListener *l = ms->listeners; l; l = l->next)
        if (!as || listener_watches(l, as))
            arr[i++] = l;
    return arr;
}

void listeners_call_begin(MemorySystem *ms, AddressSpace *as)
{
    for (MemoryListener *l = ms->listeners; l; l = l->next)
        if (listener_watches(l, as) && l->begin)
            l->begin(l);
}

void listeners_call_commit(MemorySystem *ms, AddressSpace *as)
{
    for (MemoryListener *l = ms->listeners; l; l = l->next)
        if (listener_watches(l, as) && l->commit)
            l->commit(l);
}

enum pass_call { CALL_DEL, CALL_ADD, CALL_NOP, CALL_LOG_START, CALL_LOG_STOP };

static void call_range(MemoryListener **arr, size_t n, FlatView *fv,
                       const FlatRange *fr, enum pass_call what, int old_mask,
                       int new_mask)
{
    MemoryRegionSection section;
    bool reverse = what == CALL_DEL || what == CALL_LOG_STOP;

    flatrange_to_section(fv, fr, &section);
    for (size_t k = 0; k < n; k++) {
        MemoryListener *l = arr[reverse ? n - 1 - k : k];

        switch (what) {
        case CALL_DEL:
            if (l->region_del)
                l->region_del(l, &section);
            break;
        case CALL_ADD:
            if (l->region_add)
                l->region_add(l, &section);
            break;
        case CALL_NOP:
            if (l->region_nop)
                l->region_nop(l, &section);
            break;
        case CALL_LOG_START:
            if (l->log_start)
                l->log_start(l, &section, old_mask, new_mask);
            break;
        case CALL_LOG_STOP:
            if (l->log_stop)
                l->log_stop(l, &section, old_mask, new_mask);
            break;
        }
    }
}

static void update_pass(MemoryListener **arr, size_t n, FlatView *old,
                        FlatView *new, bool adding)
{
    unsigned io = 0, in = 0;
    unsigned nold = old ? old->nr : 0, nnew = new ? new->nr : 0;

    while (io < nold || in < nnew) {
        const FlatRange *fo = io < nold ? &old->ranges[io] : NULL;
        const FlatRange *fn = in < nnew ? &new->ranges[in] : NULL;

        if (fo && (!fn || fo->start < fn->start ||
                   (fo->start == fn->start && !flatrange_equal(fo, fn)))) {
            if (!adding)
                call_range(arr, n, old, fo, CALL_DEL, 0, 0);
            io++;
        } else if (fo && fn && flatrange_equal(fo, fn)) {
            if (adding) {
                uint8_t om = fo->dirty_log_mask, nm = fn->dirty_log_mask;

                call_range(arr, n, new, fn, CALL_NOP, 0, 0);
                if (nm & ~om)
                    call_range(arr, n, new, fn, CALL_LOG_START, om, nm);
                if (om & ~nm)
                    call_range(arr, n, new, fn, CALL_LOG_STOP, om, nm);
            }
            io++;
            in++;
        } else {
            if (adding)
                call_range(arr, n, new, fn, CALL_ADD, 0, 0);
            in++;
        }
    }
}

void listeners_update_topology(MemorySystem *ms, AddressSpace *as,
                               FlatView *old, FlatView *new)
{
    size_t n;
    MemoryListener **arr = listeners_snapshot(ms, as, &n);

    if (!n)
        return;
    update_pass(arr, n, old, new, false);
    update_pass(arr, n, old, new, true);
    g_free(arr);
}

/* Replay @as's current ranges to @l alone (registration / removal). */
static void listener_replay(MemoryListener *l, AddressSpace *as, bool add)
{
    FlatView *fv = address_space_get_flatview(as);
    MemoryRegionSection section;

    if (l->begin)
        l->begin(l);
    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];

        flatrange_to_section(fv, fr, &section);
        if (add) {
            if (l->region_add)
                l->region_add(l, &section);
            if (fr->dirty_log_mask && l->log_start)
                l->log_start(l, &section, 0, fr->dirty_log_mask);
        } else {
            if (fr->dirty_log_mask && l->log_stop)
                l->log_stop(l, &section, fr->dirty_log_mask, 0);
            if (l->region_del)
                l->region_del(l, &section);
        }
    }
    if (l->commit)
        l->commit(l);
    flatview_unref(fv);
}

void memory_listener_register(MemoryListener *listener, MemorySystem *ms,
                              AddressSpace *filter)
{
    MemoryListener **link;

    if (filter)
        ms = filter->ms;
    assert(ms && !listener->ms);
    pthread_mutex_lock(&ms->lock);
    listener->ms = ms;
    listener->address_space = filter;
    for (link = &ms->listeners; *link; link = &(*link)->next)
        if ((*link)->priority > listener->priority)
            break;
    listener->next = *link;
    *link = listener;
    if (filter) {
        listener->next_as = filter->listeners;
        filter->listeners = listener;
    }
    pthread_mutex_unlock(&ms->lock);

    if (ms->global_dirty_log && listener->log_global_start)
        listener->log_global_start(listener);
    for (AddressSpace *as = ms->address_spaces; as; as = as->next)
        if (listener_watches(listener, as))
            listener_replay(listener, as, true);
}

/* Take @listener off the lists (ms->lock held). */
static void listener_unlink_locked(MemorySystem *ms, MemoryListener *listener)
{
    MemoryListener **link;

    for (link = &ms->listeners; *link; link = &(*link)->next)
        if (*link == listener) {
            *link = listener->next;
            break;
        }
    if (listener->address_space) {
        for (link = &listener->address_space->listeners; *link;
             link = &(*link)->next_as)
            if (*link == listener) {
                *link = listener->next_as;
                break;
            }
    }
    listener->next = NULL;
    listener->next_as = NULL;
    listener->address_space = NULL;
    listener->ms = NULL;
}

void memory_listener_unregister(MemoryListener *listener)
{
    MemorySystem *ms = listener->ms;

    if (!ms)
        return;                 /* never registered, or its AS is gone */
    for (AddressSpace *as = ms->address_spaces; as; as = as->next)
        if (listener_watches(listener, as))
            listener_replay(listener, as, false);
    pthread_mutex_lock(&ms->lock);
    listener_unlink_locked(ms, listener);
    pthread_mutex_unlock(&ms->lock);
}

void listeners_detach_as(MemorySystem *ms, AddressSpace *as)
{
    pthread_mutex_lock(&ms->lock);
    while (as->listeners)
        listener_unlink_locked(ms, as->listeners);
    pthread_mutex_unlock(&ms->lock);
}

void memory_global_dirty_log_start(MemorySystem *ms)
{
    if (ms->global_dirty_log)
        return;
    /* Atomic: the access half reads it on the write path. */
    __atomic_store_n(&ms->global_dirty_log, true, __ATOMIC_RELAXED);
    for (MemoryListener *l = ms->listeners; l; l = l->next)
        if (l->log_global_start)
            l->log_global_start(l);
    memory_region_transaction_begin(ms);
    ms->update_pending = true;
    memory_region_transaction_commit(ms);
}

void memory_global_dirty_log_stop(MemorySystem *ms)
{
    size_t n;
    MemoryListener **arr;

    if (!ms->global_dirty_log)
        return;
    __atomic_store_n(&ms->global_dirty_log, false, __ATOMIC_RELAXED);
    memory_region_transaction_begin(ms);
    ms->update_pending = true;
    memory_region_transaction_commit(ms);
    arr = listeners_snapshot(ms, NULL, &n);
    for (size_t k = n; k-- > 0;)
        if (arr[k]->log_global_stop)
            arr[k]->log_global_stop(arr[k]);
    g_free(arr);
}

bool memory_global_dirty_log_enabled(const MemorySystem *ms)
{
    return __atomic_load_n(&ms->global_dirty_log, __ATOMIC_RELAXED);
}

/*
 * log_sync for the sections of @mr (every logged section when @mr is NULL)
 * in every address space, to every listener watching it.
 */
static void dirty_log_sync(MemorySystem *ms, MemoryRegion *mr)
{
    for (AddressSpace *as = ms->address_spaces; as; as = as->next) {
        FlatView *fv = NULL;

        for (MemoryListener *l = ms->listeners; l; l = l->next) {
            if (!l->log_sync || !listener_watches(l, as))
                continue;
            if (!fv)
                fv = address_space_get_flatview(as);
            for (unsigned i = 0; i < fv->nr; i++) {
                const FlatRange *fr = &fv->ranges[i];
                MemoryRegionSection section;

                if (mr ? fr->mr != mr : !fr->dirty_log_mask)
                    continue;
                flatrange_to_section(fv, fr, &section);
                l->log_sync(l, &section);
            }
        }
        flatview_unref(fv);
    }
}

void memory_global_dirty_log_sync(MemorySystem *ms)
{
    dirty_log_sync(ms, NULL);
}

void memory_region_sync_dirty_bitmap(MemoryRegion *mr)
{
    dirty_log_sync(mr->ms, mr);
}
