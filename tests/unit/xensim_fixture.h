/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xensim_fixture.h - helpers for tests that run on xensim: a throw-away
 * run directory with dom0 and one guest domain, and a responder child.
 */
#ifndef XENSIM_TEST_FIXTURE_H
#define XENSIM_TEST_FIXTURE_H

#include <stdint.h>
#include <sys/types.h>

/**
 * struct xsim_fixture - one test's run directory and responder.
 * @dir: run directory (also exported as XENSIM_DIR).
 * @bdir: build directory (derived from /proc/self/exe).
 * @log: responder's stdout file.
 * @pid: responder process, 0 if none.
 */
struct xsim_fixture {
    char dir[256];
    char bdir[512];
    char log[300];
    pid_t pid;
};

/** xsim_fixture_setup() - run dir + dom0 + domain 1. Aborts the test on error. */
void xsim_fixture_setup(struct xsim_fixture *f, uint64_t mem_mb,
                        unsigned int vcpus);
/** xsim_fixture_responder() - start xensim-responder with @args (NULL-ended). */
void xsim_fixture_responder(struct xsim_fixture *f, const char *const *args);
/** xsim_fixture_stop() - SIGTERM the responder; Return: its exit status. */
int xsim_fixture_stop(struct xsim_fixture *f);
/** xsim_fixture_teardown() - stop the responder, remove the run dir. */
void xsim_fixture_teardown(struct xsim_fixture *f);
/** xsim_fixture_log_has() - Return: 1 if the responder log contains @s. */
int xsim_fixture_log_has(struct xsim_fixture *f, const char *s);

/** xsim_fixture_wait_log() - poll for @s in the log up to @ms. Return: 1 if seen. */
int xsim_fixture_wait_log(struct xsim_fixture *f, const char *s, int ms);

#endif
