/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c - level filter, sink and rate limiter behind util/log.h.
 *
 * The threshold is an atomic int read on every call; the sink pointer pair
 * is guarded by one mutex that also serialises output, so lines from
 * several threads never interleave.
 */
#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct log_state {
    int level;                 /* atomic */
    pthread_mutex_t lock;
    log_sink_fn *sink;
    void *opaque;
};

/* The process-wide output configuration (see log.h). */
static struct log_state log_state = {
    .level = LOG_LEVEL_INFO,
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

static const char *const level_names[] = {
    [LOG_LEVEL_ERR] = "err", [LOG_LEVEL_WARN] = "warn",
    [LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
    [LOG_LEVEL_TRACE] = "trace",
};

void log_set_level(enum log_level level)
{
    __atomic_store_n(&log_state.level, (int)level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
    return (enum log_level)__atomic_load_n(&log_state.level, __ATOMIC_RELAXED);
}

int log_parse_level(const char *name, enum log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void log_set_sink(log_sink_fn *fn, void *opaque)
{
    pthread_mutex_lock(&log_state.lock);
    log_state.sink = fn;
    log_state.opaque = opaque;
    pthread_mutex_unlock(&log_state.lock);
}

bool log_enabled(enum log_level level)
{
    return (int)level <= __atomic_load_n(&log_state.level, __ATOMIC_RELAXED);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    char buf[1024];

    if (!log_enabled(level))
        return;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';

    pthread_mutex_lock(&log_state.lock);
    if (log_state.sink) {
        log_state.sink(log_state.opaque, level, buf);
    } else {
        fprintf(stderr, "xendm: %s: %s\n", level_names[level], buf);
        fflush(stderr);
    }
    pthread_mutex_unlock(&log_state.lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool log_ratelimit_msg(struct log_ratelimit *rl, enum log_level level,
                       const char *fmt, ...)
{
    uint64_t interval = rl->interval_ns ? rl->interval_ns : 5000000000ull;
    uint32_t burst = rl->burst ? rl->burst : 10;
    uint64_t now = now_ns();
    va_list ap;

    if (now - rl->window_start_ns >= interval || rl->window_start_ns == 0) {
        rl->window_start_ns = now;
        rl->printed = 0;
    }
    if (rl->printed >= burst) {
        rl->suppressed++;
        return false;
    }
    rl->printed++;
    if (rl->suppressed) {
        log_msg(level, "(%llu similar messages suppressed)",
                (unsigned long long)rl->suppressed);
        rl->suppressed = 0;
    }
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
    return true;
}
