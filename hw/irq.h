/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * irq.h - a tiny interrupt line abstraction for devices.
 *
 * A device does not know where its interrupt goes: it holds an IRQLine
 * (a callback + opaque + number) that the machine wires to the platform
 * (hw/platform.h: an ISA IRQ of the hypervisor), to the PCI core, or, in
 * tests, to an IRQRecorder. Lines are levels: a device raises a line while
 * its condition holds and lowers it when the condition clears; edges are the
 * receiver's business.
 *
 * Threading: a line calls its handler synchronously on the caller's thread.
 * Handlers made here (platform ISA lines, recorders) are thread-safe.
 */
#ifndef XENDM_HW_IRQ_H
#define XENDM_HW_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/**
 * typedef irq_handler_fn - receives level changes of a line.
 * @opaque: the line's @opaque.
 * @n: the line's number (e.g. the ISA IRQ).
 * @level: 0 (deasserted) or 1 (asserted).
 */
typedef void irq_handler_fn(void *opaque, int n, int level);

/**
 * struct IRQLine - one interrupt line, owned by whoever embeds it.
 * @handler: called on every irq_set_level(); NULL makes the line a
 *           no-op (an unconnected pin).
 * @opaque: passed to @handler.
 * @n: passed to @handler.
 *
 * The line does not filter repeated levels: the handler sees every call
 * (receivers that count edges must compare with the previous level).
 */
typedef struct IRQLine {
    irq_handler_fn *handler;
    void *opaque;
    int n;
} IRQLine;

/**
 * irq_line_init() - connect @line to @handler(@opaque, @n, level).
 * @line: the line (caller storage).
 * @handler: the receiver, or NULL for an unconnected line.
 * @opaque: passed to @handler.
 * @n: passed to @handler.
 */
void irq_line_init(IRQLine *line, irq_handler_fn *handler, void *opaque,
                   int n);

/**
 * irq_set_level() - drive @line to @level (non-zero = asserted).
 * @line: the line; NULL or unconnected lines are ignored.
 * @level: the new level.
 * May be called on the ioreq path; runs the handler synchronously.
 */
void irq_set_level(IRQLine *line, int level);

/** irq_raise() - irq_set_level(@line, 1). */
static inline void irq_raise(IRQLine *line)
{
    irq_set_level(line, 1);
}

/** irq_lower() - irq_set_level(@line, 0). */
static inline void irq_lower(IRQLine *line)
{
    irq_set_level(line, 0);
}

/** Number of line numbers an IRQRecorder tracks (0..IRQ_RECORDER_LINES-1). */
#define IRQ_RECORDER_LINES 32

/**
 * struct IRQRecorder - a receiver for tests: remembers the level of each
 * line number and counts calls and rising edges. Thread-safe (@lock).
 * @level: current level of line n (0/1).
 * @calls: irq_set_level() calls seen for line n.
 * @raises: 0 -> 1 transitions of line n.
 * @out_of_range: calls for numbers outside [0, IRQ_RECORDER_LINES).
 * @lock: protects the counters.
 */
typedef struct IRQRecorder {
    int level[IRQ_RECORDER_LINES];
    unsigned calls[IRQ_RECORDER_LINES];
    unsigned raises[IRQ_RECORDER_LINES];
    unsigned out_of_range;
    pthread_mutex_t lock;
} IRQRecorder;

/** irq_recorder_init() - zero @rec and initialise its lock. */
void irq_recorder_init(IRQRecorder *rec);
/** irq_recorder_destroy() - release @rec's lock. */
void irq_recorder_destroy(IRQRecorder *rec);
/**
 * irq_recorder_line() - connect @line to @rec as line number @n.
 * @rec: the recorder (must outlive the line's use).
 * @line: the line to initialise.
 * @n: the number recorded.
 */
void irq_recorder_line(IRQRecorder *rec, IRQLine *line, int n);
/** irq_recorder_level() - Return: the recorded level of line @n (thread-safe). */
int irq_recorder_level(IRQRecorder *rec, int n);
/** irq_recorder_raises() - Return: rising edges seen on line @n. */
unsigned irq_recorder_raises(IRQRecorder *rec, int n);

#endif /* XENDM_HW_IRQ_H */
