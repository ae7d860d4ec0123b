/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xensim_fixture.c - see xensim_fixture.h. The responder is exec'ed with
 * LD_LIBRARY_PATH pointing at the build's drop-in libraries and its
 * stdout redirected to a file in the run directory.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stubs/xensim/simstate.h"
#include "tests/unit/xensim_fixture.h"

void xsim_fixture_setup(struct xsim_fixture *f, uint64_t mem_mb,
                        unsigned int vcpus)
{
    struct xsim_run run;
    char exe[512];
    ssize_t n;

    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/xsim-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ck_assert_int_gt(n, 0);
    exe[n] = '\0';
    /* $(B)/tests/NAME -> $(B) */
    snprintf(f->bdir, sizeof(f->bdir), "%s", dirname(dirname(exe)));
    snprintf(f->log, sizeof(f->log), "%s/responder.log", f->dir);
    setenv("XENSIM_DIR", f->dir, 1);
    ck_assert_int_eq(xsim_run_open(&run, f->dir), 0);
    ck_assert_int_eq(xsim_dom_create(&run, 0, 0, 1), 0);
    ck_assert_int_eq(xsim_dom_create(&run, 1, mem_mb << 20, vcpus), 0);
}

void xsim_fixture_responder(struct xsim_fixture *f, const char *const *args)
{
    char prog[600], libs[600];
    const char *argv[40];
    int i = 0;

    snprintf(prog, sizeof(prog), "%s/xensim-responder", f->bdir);
    snprintf(libs, sizeof(libs), "%s/stubs/lib", f->bdir);
    argv[i++] = prog;
    for (int k = 0; args[k] && i < 38; k++)
        argv[i++] = args[k];
    argv[i] = NULL;
    f->pid = fork();
    ck_assert_int_ge(f->pid, 0);
    if (f->pid == 0) {
        int fd = open(f->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (fd < 0)
            _exit(127);
        dup2(fd, 1);
        setenv("LD_LIBRARY_PATH", libs, 1);
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    /* Wait for "ready" (or the child's death). */
    for (int t = 0; t < 500; t++) {
        if (xsim_fixture_log_has(f, "ready"))
            return;
        if (waitpid(f->pid, NULL, WNOHANG) == f->pid) {
            f->pid = 0;
            ck_abort_msg("responder died during setup");
        }
        usleep(10000);
    }
    ck_abort_msg("responder not ready");
}

int xsim_fixture_stop(struct xsim_fixture *f)
{
    int st = -1;

    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, &st, 0);
        f->pid = 0;
    }
    return st;
}

void xsim_fixture_teardown(struct xsim_fixture *f)
{
    char cmd[400];

    xsim_fixture_stop(f);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

int xsim_fixture_log_has(struct xsim_fixture *f, const char *s)
{
    char buf[65536];
    FILE *fp = fopen(f->log, "r");
    size_t n;

    if (!fp)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return strstr(buf, s) != NULL;
}

int xsim_fixture_wait_log(struct xsim_fixture *f, const char *s, int ms)
{
    for (int t = 0; t <= ms; t += 10) {
        if (xsim_fixture_log_has(f, s))
            return 1;
        usleep(10000);
    }
    return 0;
}
