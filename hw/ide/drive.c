/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drive.c - the ATA disk backend: a raw image file, sector I/O with
 * pread/pwrite, and the 256 words of IDENTIFY DEVICE.
 *
 * An IdeDrive is immutable after ide_drive_open() (path, fd, capacity,
 * geometry), so the channel's worker thread may use its fd while the main
 * thread reads the rest; no lock is needed here. Settings that commands
 * change (multiple count, transfer mode, write cache) live in the channel's
 * struct ide_dev and are passed in when IDENTIFY data are built.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>

#include "hw/ide/internal.h"

/**
 * struct IdeDrive - an opened raw image.
 * @fd: the file (O_RDWR or O_RDONLY).
 * @read_only: opened read-only.
 * @sectors: capacity in 512-byte sectors.
 * @cyls: default CHS cylinders (16 heads, 63 sectors per track).
 */
struct IdeDrive {
    int fd;
    bool read_only;
    uint64_t sectors;
    uint16_t cyls;
};

int ide_drive_open(const char *path, bool read_only, IdeDrive **out)
{
    struct stat st;
    uint64_t bytes;
    IdeDrive *d;
    int fd, ret;

    *out = NULL;
    fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        ret = -errno;
        log_err("ide: cannot open %s: %s", path, strerror(errno));
        return ret;
    }
    if (fstat(fd, &st) < 0) {
        ret = -errno;
        goto fail;
    }
    if (S_ISREG(st.st_mode)) {
        bytes = (uint64_t)st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            ret = -errno;
            goto fail;
        }
    } else {
        log_err("ide: %s is not a file or block device", path);
        ret = -EINVAL;
        goto fail;
    }
    if (bytes < IDE_SECTOR_SIZE) {
        log_err("ide: %s is smaller than one sector", path);
        ret = -EINVAL;
        goto fail;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        ret = -ENOMEM;
        goto fail;
    }
    d->fd = fd;
    d->read_only = read_only;
    d->sectors = bytes / IDE_SECTOR_SIZE;
    uint64_t cyls = d->sectors / (16 * 63);
    d->cyls = (uint16_t)(cyls > 16383 ? 16383 : cyls ? cyls : 1);
    *out = d;
    return 0;

fail:
    close(fd);
    return ret;
}

void ide_drive_close(IdeDrive *d)
{
    if (!d) {
        return;
    }
    close(d->fd);
    free(d);
}

uint64_t ide_drive_sectors(const IdeDrive *d)
{
    return d->sectors;
}

int ide_drive_fd(const IdeDrive *d)
{
    return d->fd;
}

bool ide_drive_read_only(const IdeDrive *d)
{
    return d->read_only;
}

/* Full pread/pwrite of @len bytes at @off: 0 or -errno (-EIO at EOF). */
static int full_io(int fd, void *buf, size_t len, uint64_t off, bool write)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = write ? pwrite(fd, p, len, (off_t)off)
                          : pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return -EIO;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int ide_drive_pread(const IdeDrive *d, void *buf, uint64_t lba,
                    uint32_t count)
{
    if (lba > d->sectors || count > d->sectors - lba) {
        return -ERANGE;
    }
    return full_io(d->fd, buf, (size_t)count * IDE_SECTOR_SIZE,
                   lba * IDE_SECTOR_SIZE, false);
}

int ide_drive_pwrite(const IdeDrive *d, const void *buf, uint64_t lba,
                     uint32_t count)
{
    if (d->read_only) {
        return -EROFS;
    }
    if (lba > d->sectors || count > d->sectors - lba) {
        return -ERANGE;
    }
    return full_io(d->fd, (void *)buf, (size_t)count * IDE_SECTOR_SIZE,
                   lba * IDE_SECTOR_SIZE, true);
}

/* Bytes [@off, @off + @len) of the image, inside the disk. 0 or -errno. */
int ide_drive_rw_bytes(const IdeDrive *d, void *buf, uint64_t len,
                       uint64_t off, bool write)
{
    uint64_t size = d->sectors * IDE_SECTOR_SIZE;

    if (write && d->read_only) {
        return -EROFS;
    }
    if (off > size || len > size - off) {
        return -ERANGE;
    }
    return full_io(d->fd, buf, (size_t)len, off, write);
}

/* ATA strings: space padded, two characters per word, first in the high
   byte. */
static void put_string(uint16_t *words, const char *s, unsigned nwords)
{
    size_t len = strlen(s);

    for (unsigned i = 0; i < nwords * 2; i++) {
        uint8_t c = i < len ? (uint8_t)s[i] : ' ';

        if (i & 1) {
            words[i / 2] |= c;
        } else {
            words[i / 2] = (uint16_t)(c << 8);
        }
    }
}

void ide_drive_identify(const IdeDrive *d, const struct ide_dev *dev,
                        unsigned index, uint16_t w[256])
{
    uint64_t lba28 = d->sectors > 0x0fffffff ? 0x0fffffff : d->sectors;
    uint64_t chs = (uint64_t)d->cyls * 16 * 63;
    unsigned heads = dev->heads ? dev->heads : 16;
    unsigned spt = dev->spt ? dev->spt : 63;
    uint64_t cur_cyls = (uint64_t)d->cyls * 16 * 63 / (heads * spt);
    uint64_t cur_chs;
    char serial[21];
    uint8_t sum = 0;

    if (cur_cyls > 65535) {
        cur_cyls = 65535;
    }
    cur_chs = cur_cyls * heads * spt;
    if (chs > d->sectors) {
        chs = d->sectors;
    }
    if (cur_chs > d->sectors) {
        cur_chs = d->sectors;
    }
    memset(w, 0, 512);
    w[0] = 0x0040;                       /* fixed, non-removable ATA disk */
    w[1] = d->cyls;
    w[3] = 16;
    w[6] = 63;
    snprintf(serial, sizeof(serial), "XENDM%015u", index + 1);
    put_string(&w[10], serial, 10);
    put_string(&w[23], XENDM_VERSION, 4);
    put_string(&w[27], "XENDM HARDDISK", 20);
    w[47] = 0x8000 | IDE_MAX_MULTIPLE;   /* READ/WRITE MULTIPLE up to 16 */
    w[48] = 0x0001;                      /* dword I/O (PIIX) */
    w[49] = (1u << 11) | (1u << 9) | (1u << 8); /* IORDY, LBA, DMA */
    w[50] = 0x4000;
    w[51] = 0x0200;                      /* obsolete PIO timing */
    w[52] = 0x0200;
    w[53] = 0x0007;                      /* words 54-58, 64-70, 88 valid */
    w[54] = (uint16_t)cur_cyls;
    w[55] = (uint16_t)heads;
    w[56] = (uint16_t)spt;
    w[57] = (uint16_t)cur_chs;
    w[58] = (uint16_t)(cur_chs >> 16);
    if (dev->mult_count) {
        w[59] = 0x0100 | dev->mult_count;
    }
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    /* Multiword DMA 0-2 supported; the selected mode in the high byte. */
    w[63] = 0x0007;
    if ((dev->xfer_mode & 0xf8) == 0x20) {
        w[63] |= (uint16_t)(0x100u << (dev->xfer_mode & 7));
    }
    w[64] = 0x0003;                      /* PIO 3 and 4 */
    w[65] = 120;
    w[66] = 120;
    w[67] = 120;
    w[68] = 120;
    w[80] = 0x00f0;                      /* ATA/ATAPI-4 .. -7 */
    w[81] = 0x0016;
    w[82] = (1u << 14) | (1u << 5);      /* NOP, write cache */
    w[83] = (1u << 14) | (1u << 13) | (1u << 12) | (1u << 10);
    w[84] = 1u << 14;
    w[85] = (uint16_t)((1u << 14) | (dev->write_cache ? 1u << 5 : 0));
    w[86] = (1u << 13) | (1u << 12) | (1u << 10); /* FLUSH EXT, FLUSH, LBA48 */
    w[87] = 1u << 14;
    w[88] = 0x003f;                      /* UDMA 0-5 supported */
    if ((dev->xfer_mode & 0xf8) == 0x40) {
        w[88] |= (uint16_t)(0x100u << (dev->xfer_mode & 7));
    }
    w[93] = (uint16_t)(0x4000 | 0x2000 | 0x0001);
    w[100] = (uint16_t)d->sectors;
    w[101] = (uint16_t)(d->sectors >> 16);
    w[102] = (uint16_t)(d->sectors >> 32);
    w[103] = (uint16_t)(d->sectors >> 48);
    /* Integrity word: signature A5h, checksum makes the 512 bytes sum 0. */
    w[255] = 0x00a5;
    for (unsigned i = 0; i < 255; i++) {
        sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
    }
    sum = (uint8_t)(sum + 0xa5);
    w[255] |= (uint16_t)((uint8_t)-sum << 8);
}
