/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci.h - the PCI core: one conventional PCI bus (bus 0, segment 0) with
 * type-0 functions, their configuration space, BARs, capabilities and
 * INTx, and configuration mechanism #1 (ports 0xcf8/0xcfc-0xcff).
 *
 * How a device is built (the pattern every PCI device follows):
 *
 *     struct mydev { PCIDevice pci; MemoryRegion bar0; ... };
 *     static const PCIDeviceInfo mydev_info = {
 *         .name = "mydev", .vendor_id = 0x8086, .device_id = 0x7010,
 *         .class_id = 0x0101, .prog_if = 0x80, .interrupt_pin = 1,
 *         .config_write = mydev_config_write,   // optional hooks
 *         .reset = mydev_reset,
 *     };
 *     ret = pci_device_init(&s->pci, bus, PCI_DEVFN(1, 1), &mydev_info, s);
 *     memory_region_init_io(&s->bar0, ms, NULL, &ops, s, "mydev-bar4", 16);
 *     ret = pci_register_bar(&s->pci, 4, PCI_BASE_ADDRESS_SPACE_IO, &s->bar0);
 *     ...  pci_set_irq(&s->pci, 1);
 *     ...  pci_device_exit(&s->pci);  memory_region_finalize(&s->bar0);
 *
 * The core places BARs: when the guest enables COMMAND.IO / COMMAND.MEMORY
 * or moves a BAR, the region is (re)mapped into the bus's I/O or memory
 * container inside one memory transaction. Devices only give the region.
 *
 * Configuration space is 256 bytes per function. Every byte has a write
 * mask (bits the guest may change) and a write-1-to-clear mask (STATUS
 * error bits); everything else is read-only. Registers 0x100-0xfff (only
 * reachable through the PCI_CONFIG ioreq path) read as 0 and ignore writes
 * for these conventional functions; offsets >= 0x1000 and absent functions
 * read all-ones.
 *
 * Threading: configuration accesses, BAR registration, device init/exit and
 * reset run on the device-model thread. pci_set_irq() may be called from any
 * thread (the bus's @irq_lock serialises INTx state).
 */
#ifndef XENDM_HW_PCI_H
#define XENDM_HW_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/platform.h"
#include "memory/memory.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* Configuration space layout (PCI Local Bus Specification 3.0)         */
/* ------------------------------------------------------------------ */

#define PCI_CONFIG_SPACE_SIZE 0x100
#define PCI_CONFIG_HEADER_SIZE 0x40
#define PCIE_CONFIG_SPACE_SIZE 0x1000

#define PCI_VENDOR_ID 0x00          /* 16 bits */
#define PCI_DEVICE_ID 0x02          /* 16 bits */
#define PCI_COMMAND 0x04            /* 16 bits */
#define  PCI_COMMAND_IO 0x0001
#define  PCI_COMMAND_MEMORY 0x0002
#define  PCI_COMMAND_MASTER 0x0004
#define  PCI_COMMAND_SPECIAL 0x0008
#define  PCI_COMMAND_INVALIDATE 0x0010
#define  PCI_COMMAND_VGA_PALETTE 0x0020
#define  PCI_COMMAND_PARITY 0x0040
#define  PCI_COMMAND_WAIT 0x0080
#define  PCI_COMMAND_SERR 0x0100
#define  PCI_COMMAND_FAST_BACK 0x0200
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06             /* 16 bits */
#define  PCI_STATUS_INTERRUPT 0x0008
#define  PCI_STATUS_CAP_LIST 0x0010
#define  PCI_STATUS_66MHZ 0x0020
#define  PCI_STATUS_FAST_BACK 0x0080
#define  PCI_STATUS_PARITY 0x0100    /* master data parity error (W1C) */
#define  PCI_STATUS_DEVSEL_MASK 0x0600
#define  PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define  PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY 0x8000
/* The STATUS bits that are write-1-to-clear. */
#define  PCI_STATUS_W1C_BITS (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
                              PCI_STATUS_REC_TARGET_ABORT | \
                              PCI_STATUS_REC_MASTER_ABORT | \
                              PCI_STATUS_SIG_SYSTEM_ERROR | \
                              PCI_STATUS_DETECTED_PARITY)
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a       /* 16 bits: class << 8 | subclass */
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define  PCI_HEADER_TYPE_NORMAL 0x00
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST 0x0f
#define PCI_BASE_ADDRESS_0 0x10     /* BAR n at 0x10 + 4 * n */
#define  PCI_BASE_ADDRESS_SPACE_IO 0x01
#define  PCI_BASE_ADDRESS_SPACE_MEMORY 0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_32 0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define  PCI_BASE_ADDRESS_IO_MASK (~0x03u)
#define  PCI_BASE_ADDRESS_MEM_MASK (~0x0fu)
#define PCI_CARDBUS_CIS 0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d      /* 0 none, 1 INTA .. 4 INTD */
#define PCI_MIN_GNT 0x3e
#define PCI_MAX_LAT 0x3f

/* Capability IDs (first byte of a capability). */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_LIST_ID 0
#define PCI_CAP_LIST_NEXT 1

#define PCI_NUM_BARS 6
/** A BAR that is not mapped (decoding off, address 0, or invalid). */
#define PCI_BAR_UNMAPPED UINT64_MAX

#define PCI_DEVFN(slot, fn) ((uint8_t)((((slot) & 0x1f) << 3) | ((fn) & 0x07)))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 0x07)
/** PCI_SBDF() - segment/bus/devfn packed as in IOREQ_TYPE_PCI_CONFIG
 * (the ioreq's addr >> 32). */
#define PCI_SBDF(seg, bus, devfn) \
    ((uint32_t)(((uint32_t)(seg) << 16) | ((uint32_t)((bus) & 0xff) << 8) | \
                ((devfn) & 0xff)))

/* Ports of configuration mechanism #1. */
#define PCI_HOST_CONFIG_ADDR_PORT 0xcf8
#define PCI_HOST_CONFIG_DATA_PORT 0xcfc
#define PCI_HOST_CONFIG_ENABLE 0x80000000u

/* Little-endian accessors of a configuration byte array (trivial). */
static inline uint8_t pci_get_byte(const uint8_t *p) { return p[0]; }
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t pci_get_quad(const uint8_t *p)
{
    return (uint64_t)pci_get_long(p) | ((uint64_t)pci_get_long(p + 4) << 32);
}
static inline void pci_set_byte(uint8_t *p, uint8_t v) { p[0] = v; }
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    pci_set_word(p, (uint16_t)v);
    pci_set_word(p + 2, (uint16_t)(v >> 16));
}
static inline void pci_set_quad(uint8_t *p, uint64_t v)
{
    pci_set_long(p, (uint32_t)v);
    pci_set_long(p + 4, (uint32_t)(v >> 32));
}

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/**
 * struct PCIDeviceInfo - what a kind of PCI function is; a const table
 * per device kind, read by pci_device_init() and by the core afterwards
 * (must outlive the device).
 * @name: for logs ("piix3-ide").
 * @vendor_id: VENDOR_ID.
 * @device_id: DEVICE_ID.
 * @revision: REVISION_ID.
 * @class_id: class << 8 | subclass (0x0600 host bridge, 0x0101 IDE, ...).
 * @prog_if: programming interface byte (CLASS_PROG).
 * @subsystem_vendor_id: SUBSYSTEM_VENDOR_ID; 0 (with @subsystem_id 0)
 *        means the bus default (pci_bus_set_default_subsystem()).
 * @subsystem_id: SUBSYSTEM_ID.
 * @header_type: PCI_HEADER_TYPE_NORMAL, or | PCI_HEADER_TYPE_MULTI_FUNCTION
 *        on function 0 of a multi-function device.
 * @interrupt_pin: 0 none, 1 INTA .. 4 INTD.
 * @config_read: optional; replaces pci_default_read_config() for this
 *        function. Called with @addr < 0x100, @addr + @len <= 0x100 and
 *        @len in 1..4 (any alignment). Usually handles its registers and
 *        calls pci_default_read_config() for the rest.
 * @config_write: optional; replaces pci_default_write_config(), same
 *        arguments. The usual pattern: call pci_default_write_config()
 *        (which applies the masks and remaps BARs), then react to the new
 *        values of device-specific registers (ranges_overlap helper:
 *        pci_range_touches()).
 * @reset: optional; called by pci_device_reset() after the core reset the
 *        standard header, to restore device-specific registers and state.
 */
typedef struct PCIDeviceInfo {
    const char *name;
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;
    uint8_t prog_if;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint8_t header_type;
    uint8_t interrupt_pin;
    uint32_t (*config_read)(PCIDevice *d, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *d, uint32_t addr, uint32_t val,
                         unsigned len);
    void (*reset)(PCIDevice *d);
} PCIDeviceInfo;

/**
 * struct PCIIORegion - one BAR of a device. Private to the core; read
 * through pci_get_bar_addr().
 * @mr: the device's region (NULL: BAR not implemented, reads 0).
 * @size: region size (a power of two).
 * @type: PCI_BASE_ADDRESS_* low bits (IO, MEM_TYPE_64, MEM_PREFETCH).
 * @addr: where it is mapped now, or PCI_BAR_UNMAPPED.
 */
typedef struct PCIIORegion {
    MemoryRegion *mr;
    uint64_t size;
    uint8_t type;
    uint64_t addr;
} PCIIORegion;

/**
 * struct PCIDevice - one PCI function. Embedded in the device's state and
 * initialised with pci_device_init(). Fields are private to the core
 * except @config, which device hooks may read and modify directly
 * (device-specific registers; use pci_default_write_config() for guest
 * writes so masks apply).
 * @config: the 256 configuration bytes (little-endian).
 * @wmask: bits the guest may write.
 * @w1cmask: bits the guest clears by writing 1.
 * @cap_used: bytes taken by capabilities (non-zero = used).
 * @bus: the bus it sits on (NULL before init / after exit).
 * @devfn: slot << 3 | function.
 * @info: the device kind.
 * @opaque: the device's state (pci_device_opaque()).
 * @bars: BAR state.
 * @irq_state: the INTx level the device asks for (0/1), under the bus's
 *        irq_lock.
 * @intx_asserted: whether this function currently counts towards its
 *        (slot, pin) line (irq_state and not COMMAND.INTX_DISABLE).
 * @rl: rate limiter for guest-triggered messages.
 */
struct PCIDevice {
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t cap_used[PCI_CONFIG_SPACE_SIZE];
    PCIBus *bus;
    uint8_t devfn;
    const PCIDeviceInfo *info;
    void *opaque;
    PCIIORegion bars[PCI_NUM_BARS];
    int irq_state;
    bool intx_asserted;
    struct log_ratelimit rl;
};

/**
 * struct PCIBus - bus 0. Embedded in the machine; fields private.
 * @ms: the memory system.
 * @mem: container the memory BARs are mapped into (bus addresses =
 *       offsets in @mem; the machine maps @mem at 0 of "system").
 * @io: container the I/O BARs are mapped into (offsets = ports).
 * @platform: where INTx goes (set_pci_intx_level).
 * @bus_num: the bus number answered by config accesses (0).
 * @devices: function by devfn, NULL when absent.
 * @intx_count: per slot and pin, the functions asserting that line.
 * @default_ssvid: SUBSYSTEM_VENDOR_ID for devices whose info leaves it 0.
 * @default_ssid: SUBSYSTEM_ID likewise.
 * @irq_lock: protects @intx_count and the devices' irq fields.
 * @rl: rate limiter for guest-triggered messages.
 */
struct PCIBus {
    MemorySystem *ms;
    MemoryRegion *mem;
    MemoryRegion *io;
    const Platform *platform;
    uint8_t bus_num;
    PCIDevice *devices[256];
    unsigned intx_count[32][4];
    uint16_t default_ssvid;
    uint16_t default_ssid;
    pthread_mutex_t irq_lock;
    struct log_ratelimit rl;
};

/* ------------------------------------------------------------------ */
/* Bus                                                                  */
/* ------------------------------------------------------------------ */

/**
 * pci_bus_init() - initialise bus 0.
 * @bus: caller storage.
 * @ms: the memory system of @mem and @io.
 * @mem: container for memory BARs (not owned; must outlive the bus).
 * @io: container for I/O BARs (not owned).
 * @platform: receives set_pci_intx_level (may be NULL: INTx dropped).
 * Return: 0 or -errno.
 */
int pci_bus_init(PCIBus *bus, MemorySystem *ms, MemoryRegion *mem,
                 MemoryRegion *io, const Platform *platform)
    __attribute__((warn_unused_result));
/** pci_bus_exit() - release the bus; every device must have exited. */
void pci_bus_exit(PCIBus *bus);
/**
 * pci_bus_set_default_subsystem() - subsystem IDs given to devices whose
 * info leaves both at 0 (the xenfv machine uses 1af4:1100 as QEMU does, so
 * guests see the same hardware identity). Applies to devices created after.
 */
void pci_bus_set_default_subsystem(PCIBus *bus, uint16_t ssvid, uint16_t ssid);
/** pci_bus_find_device() - Return: the function at @devfn, or NULL. */
PCIDevice *pci_bus_find_device(PCIBus *bus, uint8_t devfn);
/**
 * pci_bus_find_free_slot() - Return: the devfn of function 0 of the lowest
 * slot >= @first_slot with no function, or -ENOSPC.
 */
int pci_bus_find_free_slot(PCIBus *bus, unsigned first_slot);
/** pci_bus_reset() - pci_device_reset() every function, in devfn order. */
void pci_bus_reset(PCIBus *bus);

/**
 * pci_bus_config_read() - a configuration read, the one implementation
 * behind the PCI_CONFIG ioreq path and mechanism #1 on ports.
 * @bus: the bus.
 * @sbdf: PCI_SBDF(segment, bus, devfn); segment != 0 or another bus number
 *        is absent.
 * @reg: register offset (0..0xfff; larger reads all-ones).
 * @size: 1..4 (others read all-ones); any alignment; bytes of a read
 *        that fall at 0x100 or above read 0 (present function).
 * Return: the value (all-ones of @size for absent functions; 0 for
 * 0x100..0xfff of present ones). Never fails; device-model thread.
 */
uint32_t pci_bus_config_read(PCIBus *bus, uint32_t sbdf, uint32_t reg,
                             unsigned size);
/**
 * pci_bus_config_write() - the write counterpart; writes to absent
 * functions, bad sizes and registers >= 0x100 are dropped.
 */
void pci_bus_config_write(PCIBus *bus, uint32_t sbdf, uint32_t reg,
                          uint32_t val, unsigned size);

/**
 * pci_intx_to_pirq_link() - the link (0-3 = PIRQA..D) that INTx @pin
 * (0 = INTA) of @slot is wired to on the xenfv board: (slot + pin) & 3.
 * Xen applies the same swizzle to set_pci_intx_level calls.
 */
unsigned pci_intx_to_pirq_link(unsigned slot, unsigned pin);

/* ------------------------------------------------------------------ */
/* Devices                                                              */
/* ------------------------------------------------------------------ */

/**
 * pci_device_init() - put a function on @bus at @devfn.
 * @d: the device's PCIDevice (caller storage, zeroed here).
 * @bus: the bus.
 * @devfn: PCI_DEVFN(slot, fn), or -1 for function 0 of the lowest free slot.
 * @info: the device kind (IDs, class, hooks).
 * @opaque: the device's state, returned by pci_device_opaque().
 *
 * Sets the IDs, class, revision, header type, subsystem and interrupt pin,
 * the default masks (COMMAND IO/MEMORY/MASTER/PARITY/SERR/INTX_DISABLE
 * writable, STATUS error bits W1C, CACHE_LINE_SIZE and INTERRUPT_LINE
 * writable, device-specific 0x40-0xff writable). STATUS starts at 0 (a
 * device sets DEVSEL timing etc. in @config after init if it wants).
 * Return: 0, -EBUSY if @devfn is taken, -ENOSPC, -EINVAL.
 */
int pci_device_init(PCIDevice *d, PCIBus *bus, int devfn,
                    const PCIDeviceInfo *info, void *opaque)
    __attribute__((warn_unused_result));
/**
 * pci_device_exit() - take @d off its bus: unmap its BARs, drop its INTx.
 * The device then finalises its regions. Safe on a device never inited
 * (zeroed) or already exited.
 */
void pci_device_exit(PCIDevice *d);
/**
 * pci_device_reset() - power-on state: deassert INTx; COMMAND and the
 * writable STATUS bits, CACHE_LINE_SIZE, INTERRUPT_LINE and the BAR
 * addresses to 0 (BARs unmapped); then @info->reset.
 */
void pci_device_reset(PCIDevice *d);
/** pci_device_opaque() - Return: the @opaque given to pci_device_init(). */
void *pci_device_opaque(const PCIDevice *d);

/**
 * pci_register_bar() - declare BAR @n backed by @mr.
 * @d: the device.
 * @n: 0..5; a 64-bit memory BAR also takes @n + 1.
 * @type: PCI_BASE_ADDRESS_SPACE_IO, or SPACE_MEMORY | MEM_TYPE_32/64 |
 *        optionally MEM_PREFETCH.
 * @mr: the region (not owned; must stay valid until pci_device_exit());
 *      its size must be a power of two, >= 4 for I/O (<= 64 KiB),
 *      >= 16 for memory (< 4 GiB for 32-bit BARs).
 * The BAR reads as its type bits with address 0; the guest sizes it by
 * writing all-ones and reading back ~(size - 1) | type.
 * Return: 0 or -EINVAL (bad index, size or type), -EBUSY (taken).
 */
int pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr)
    __attribute__((warn_unused_result));
/**
 * pci_get_bar_addr() - Return: where BAR @n is mapped now, or
 * PCI_BAR_UNMAPPED.
 */
uint64_t pci_get_bar_addr(const PCIDevice *d, int n);

/**
 * pci_set_irq() - set the device's INTx level (its @info->interrupt_pin).
 * The bus ORs the functions sharing a (slot, pin) and calls
 * set_pci_intx_level on changes; COMMAND.INTX_DISABLE masks it;
 * STATUS.INTERRUPT shows @level. Any thread.
 */
void pci_set_irq(PCIDevice *d, int level);

/**
 * pci_add_capability() - link a capability of @size bytes at @offset
 * (0: the first free dword-aligned space in 0x40-0xff) into the list
 * head: writes ID and next pointer, sets CAPABILITY_LIST and
 * STATUS.CAP_LIST, and makes its bytes read-only (set wmask afterwards
 * for writable fields).
 * Return: the offset, or -EINVAL (bad offset/size), -EBUSY (overlap),
 * -ENOSPC.
 */
int pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                       uint8_t size) __attribute__((warn_unused_result));
/**
 * pci_find_capability() - walk the list (bounded: at most 48 entries).
 * Return: the offset of the first capability @cap_id, or 0.
 */
uint8_t pci_find_capability(const PCIDevice *d, uint8_t cap_id);

/**
 * pci_default_read_config() - read @len bytes at @addr from @d->config.
 * @addr + @len <= 0x100, @len 1..4.
 */
uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, unsigned len);
/**
 * pci_default_write_config() - apply a guest write through the masks,
 * then remap BARs if COMMAND or a BAR changed, and re-evaluate INTx if
 * COMMAND.INTX_DISABLE changed.
 */
void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len);
/**
 * pci_range_touches() - does the access [@addr, @addr + @len) touch any
 * byte of the register [@reg, @reg + @reg_len)?
 */
bool pci_range_touches(uint32_t addr, unsigned len, uint32_t reg,
                       unsigned reg_len);

/* ------------------------------------------------------------------ */
/* Configuration mechanism #1                                           */
/* ------------------------------------------------------------------ */

/**
 * struct PCIHost - ports 0xcf8 (CONFIG_ADDRESS latch, dword accesses
 * only) and 0xcfc-0xcff (CONFIG_DATA, byte/word/dword at any offset).
 * Fields private.
 * @bus: the bus accesses go to.
 * @ms: the memory system of @io.
 * @io: the I/O container the ports are in.
 * @config_reg: the latched CONFIG_ADDRESS.
 * @addr_mr, @data_mr: the port regions.
 * @mapped: whether the regions are in @io.
 */
typedef struct PCIHost {
    PCIBus *bus;
    MemorySystem *ms;
    MemoryRegion *io;
    uint32_t config_reg;
    MemoryRegion addr_mr;
    MemoryRegion data_mr;
    bool mapped;
} PCIHost;

/**
 * pci_host_init() - map 0xcf8 (4 bytes, priority 0) and 0xcfc (4 bytes)
 * into @io. A 1-byte access to 0xcf9 belongs to PIIX3's reset control,
 * mapped over it with a higher priority; non-dword accesses to 0xcf8-0xcfb
 * are not latch accesses (they read all-ones, writes are dropped).
 * Return: 0 or -errno.
 */
int pci_host_init(PCIHost *h, MemorySystem *ms, PCIBus *bus, MemoryRegion *io)
    __attribute__((warn_unused_result));
/** pci_host_exit() - unmap and finalise the port regions. */
void pci_host_exit(PCIHost *h);
/** pci_host_reset() - CONFIG_ADDRESS back to 0. */
void pci_host_reset(PCIHost *h);

#endif /* XENDM_HW_PCI_H */
