/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - xendm's one logging interface.
 *
 * Messages go to a sink (stderr by default) with a level prefix. The level
 * threshold and the sink are process-wide settings: they describe where the
 * process's output goes, like stderr itself, and are the one piece of
 * mutable file-scope state xendm allows (kept in log.c, accessed
 * atomically). Every device or subsystem keeps its own rate limiters.
 */
#ifndef XENDM_UTIL_LOG_H
#define XENDM_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/**
 * enum log_level - severity of a message, lowest value most severe.
 */
enum log_level {
    LOG_LEVEL_ERR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_INFO = 2,
    LOG_LEVEL_DEBUG = 3,
    LOG_LEVEL_TRACE = 4,
};

/**
 * typedef log_sink_fn - where formatted messages go.
 * @opaque: the pointer given to log_set_sink().
 * @level: the message's level.
 * @msg: the message, NUL-terminated, without a trailing newline.
 */
typedef void log_sink_fn(void *opaque, enum log_level level, const char *msg);

/**
 * log_set_level() - set the threshold; messages above it are dropped.
 * @level: new threshold. Thread-safe.
 */
void log_set_level(enum log_level level);

/**
 * log_get_level() - Return: the current threshold. Thread-safe.
 */
enum log_level log_get_level(void);

/**
 * log_parse_level() - parse "err", "warn", "info", "debug" or "trace".
 * @name: the level's name.
 * @out: where the level goes on success.
 * Return: 0, or -EINVAL for an unknown name.
 */
int log_parse_level(const char *name, enum log_level *out);

/**
 * log_set_sink() - send messages to @fn instead of stderr.
 * @fn: the sink, or NULL to restore stderr.
 * @opaque: passed to @fn.
 *
 * Meant for tests that check what was logged. The sink is called with an
 * internal lock held, one message at a time; it must not log.
 */
void log_set_sink(log_sink_fn *fn, void *opaque);

/**
 * log_enabled() - Return: true if a message at @level would be emitted.
 * @level: the level to test. Cheap; usable on the ioreq path.
 */
bool log_enabled(enum log_level level);

/**
 * log_msg() - emit a message at @level (printf format).
 * @level: severity.
 * @fmt: printf format.
 * Safe from any thread and on the ioreq path.
 */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** log_vmsg() - va_list form of log_msg(). */
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) \
    do { if (log_enabled(LOG_LEVEL_DEBUG)) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__); } while (0)
#define log_trace(...) \
    do { if (log_enabled(LOG_LEVEL_TRACE)) log_msg(LOG_LEVEL_TRACE, __VA_ARGS__); } while (0)

/**
 * struct log_ratelimit - a token bucket for messages a guest can trigger.
 * @interval_ns: length of one window (0 means the default, 5 s).
 * @burst: messages allowed per window (0 means the default, 10).
 * @window_start_ns: start of the current window (monotonic clock).
 * @printed: messages emitted in the current window.
 * @suppressed: messages dropped since the last emitted one.
 *
 * Zero-initialise and embed one per message source in the owning
 * instance. Not locked: keep it under the owner's lock (or accept a racy
 * count, which is harmless).
 */
struct log_ratelimit {
    uint64_t interval_ns;
    uint32_t burst;
    uint64_t window_start_ns;
    uint32_t printed;
    uint64_t suppressed;
};

/**
 * log_ratelimit_msg() - log through a rate limiter.
 * @rl: the limiter.
 * @level: severity.
 * @fmt: printf format.
 *
 * When a window opens after messages were dropped, the first message says
 * how many. Return: true if the message was emitted.
 */
bool log_ratelimit_msg(struct log_ratelimit *rl, enum log_level level,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_warn_rl(rl, ...) log_ratelimit_msg((rl), LOG_LEVEL_WARN, __VA_ARGS__)
#define log_err_rl(rl, ...) log_ratelimit_msg((rl), LOG_LEVEL_ERR, __VA_ARGS__)

#endif /* XENDM_UTIL_LOG_H */
