/*
 * xpio — port I/O round trips from a real guest's user space.
 *
 *   xpio COUNT   iopl(3), then COUNT times outb(i & 0xff, 0x3ff) and
 *                inb(0x3ff) (the 16550 scratch register at COM1), checking
 *                that every byte read back is the byte written; prints
 *                "xpio COUNT round trips in S.SSSSSS s: R per second, E errors"
 *                and exits 1 if E > 0 (2 if the ports cannot be had).
 *   xpio now     prints CLOCK_MONOTONIC as seconds with six decimals
 *                (the guest's /init times its steps with it).
 *
 * Built by tests/guest/mkguest.sh with gcc -static -O2 into the initramfs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>

#define SCRATCH_PORT 0x3ff

static double seconds(const struct timespec *t)
{
    return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    unsigned long count, i, errors = 0;
    char *end;
    double s;

    if (argc == 2 && strcmp(argv[1], "now") == 0) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        printf("%ld.%06ld\n", (long)t0.tv_sec, (long)(t0.tv_nsec / 1000));
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: xpio COUNT | xpio now\n");
        return 2;
    }
    errno = 0;
    count = strtoul(argv[1], &end, 10);
    if (errno || end == argv[1] || *end) {
        fprintf(stderr, "xpio: bad count '%s'\n", argv[1]);
        return 2;
    }
    if (iopl(3) != 0) {
        fprintf(stderr, "xpio: iopl(3): %s\n", strerror(errno));
        return 2;
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < count; i++) {
        unsigned char v = (unsigned char)(i & 0xff), r;

        outb(v, SCRATCH_PORT);
        r = inb(SCRATCH_PORT);
        if (r != v && errors++ < 5)
            fprintf(stderr, "xpio: round trip %lu: wrote 0x%02x, read 0x%02x\n",
                    i, v, r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    s = seconds(&t1) - seconds(&t0);
    printf("xpio %lu round trips in %.6f s: %.0f per second, %lu errors\n",
           count, s, s > 0 ? (double)count / s : 0.0, errors);
    return errors ? 1 : 0;
}
