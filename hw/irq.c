/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * irq.c - IRQ lines and the test recorder.
 *
 * A line is three words (handler, opaque, number) and forwards every level
 * change synchronously. The recorder keeps per-number levels and counters
 * under a mutex, so lines driven from I/O worker threads can be checked.
 */
#include <string.h>

#include "hw/irq.h"

void irq_line_init(IRQLine *line, irq_handler_fn *handler, void *opaque,
                   int n)
{
    line->handler = handler;
    line->opaque = opaque;
    line->n = n;
}

void irq_set_level(IRQLine *line, int level)
{
    if (!line || !line->handler)
        return;
    line->handler(line->opaque, line->n, level ? 1 : 0);
}

static void irq_recorder_handler(void *opaque, int n, int level)
{
    IRQRecorder *rec = opaque;

    pthread_mutex_lock(&rec->lock);
    if (n < 0 || n >= IRQ_RECORDER_LINES) {
        rec->out_of_range++;
    } else {
        rec->calls[n]++;
        if (level && !rec->level[n])
            rec->raises[n]++;
        rec->level[n] = level;
    }
    pthread_mutex_unlock(&rec->lock);
}

void irq_recorder_init(IRQRecorder *rec)
{
    memset(rec, 0, sizeof(*rec));
    pthread_mutex_init(&rec->lock, NULL);
}

void irq_recorder_destroy(IRQRecorder *rec)
{
    pthread_mutex_destroy(&rec->lock);
}

void irq_recorder_line(IRQRecorder *rec, IRQLine *line, int n)
{
    irq_line_init(line, irq_recorder_handler, rec, n);
}

int irq_recorder_level(IRQRecorder *rec, int n)
{
    int v = 0;

    pthread_mutex_lock(&rec->lock);
    if (n >= 0 && n < IRQ_RECORDER_LINES)
        v = rec->level[n];
    pthread_mutex_unlock(&rec->lock);
    return v;
}

unsigned irq_recorder_raises(IRQRecorder *rec, int n)
{
    unsigned v = 0;

    pthread_mutex_lock(&rec->lock);
    if (n >= 0 && n < IRQ_RECORDER_LINES)
        v = rec->raises[n];
    pthread_mutex_unlock(&rec->lock);
    return v;
}
