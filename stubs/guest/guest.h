/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest.h - the guest side of xensim: play a domain's vCPUs.
 *
 * A struct xsg_guest is attached to one xensim domain (run directory +
 * domid). Through it a test issues the accesses a guest CPU would make;
 * xsg_* routes each one exactly like Xen does (see XEN-FACTS §1):
 *
 *  - an access goes to the ioreq server whose registered range (port range,
 *    MMIO range, or PCI device for config cycles) wholly contains it;
 *  - an unclaimed read returns all-ones (of the access size), an unclaimed
 *    write vanishes; both return 0 and xsg_last_server() reports -1;
 *  - writes to port 0xcf8 are latched and forwarded like any PIO write; a
 *    0xcfc-0xcff access with the latched address enabled (bit 31) and a BDF
 *    some server registered arrives there as IOREQ_TYPE_PCI_CONFIG
 *    (addr = sbdf << 32 | reg), otherwise as plain PIO;
 *  - MMIO writes to 0xa0000-0xbffff go through the server's buffered ring
 *    when it has one (8-byte writes take two slots), else synchronously.
 *
 * Synchronous requests use the server's vcpu_ioreq[vcpu] slot: fill, write
 * barrier, STATE_IOREQ_READY, notify vp_eport; wait for STATE_IORESP_READY,
 * read barrier, read data, STATE_IOREQ_NONE. The data path never passes
 * through the xensim daemon. stubs/guest/raw.h injects arbitrary requests
 * (hostile-guest tests).
 *
 * Threading: each vCPU has its own lock; calls naming different vCPUs may
 * run concurrently from different threads (one thread per vCPU is the
 * intended use). Calls naming the same vCPU are serialised. RAM, grant and
 * observation calls are thread-safe. Only one xsg_guest may be attached to
 * a domain at a time (per run directory): it owns the domain's vCPUs.
 * xsg_attach() starts one helper thread (it wakes waiting vCPUs every
 * 20 ms so they can sleep without a timer; timeouts have that
 * granularity); an attachment is not usable in a child after fork().
 *
 * Errors: functions return 0 or a negative errno. -ETIMEDOUT means no device
 * model answered within the timeout (xsg_set_timeout_ms()); the slot is
 * then reset to STATE_IOREQ_NONE (the request is taken back). If the device
 * model had already claimed it (INPROCESS) and answers late, the vCPU's
 * next request on that slot first waits (up to the timeout) for that
 * answer and discards it, so a late answer is never taken for a new
 * request's. -EFAULT means a
 * RAM access touched an unpopulated frame. -EINVAL a
 * bad size/alignment/vCPU. -EROFS a write to HVMMEM_ram_ro memory (the
 * write is dropped, like Xen does; the error lets a test observe it).
 * -ESHUTDOWN: a device model shut the domain down (xendevicemodel_shutdown
 * or xc_domain_shutdown); the domain's vCPUs issue no more I/O. -EBUSY:
 * the vCPU's slot of that server still holds a request a device model
 * claimed and did not finish within the timeout.
 */
#ifndef XENSIM_GUEST_H
#define XENSIM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xsg_guest;

/**
 * xsg_attach() - attach to a domain of a xensim run directory.
 * @run_dir: the run directory, or NULL for $XENSIM_DIR.
 * @domid: the domain (created beforehand, e.g. with `xensim create`).
 * @out: on success, the new attachment; free with xsg_detach().
 *
 * Maps the domain's state, opens its RAM, and takes the domain's guest lock.
 * Return: 0, -ENOENT (no such domain / run dir), -EBUSY (another guest is
 * attached), or another negative errno.
 */
int xsg_attach(const char *run_dir, uint32_t domid, struct xsg_guest **out)
    __attribute__((warn_unused_result));

/**
 * xsg_detach() - release everything xsg_attach() took. NULL is a no-op.
 * @g: the attachment. No call on @g may be in progress.
 */
void xsg_detach(struct xsg_guest *g);

/** xsg_nr_vcpus() - Return: the domain's vCPU count. @g: the attachment. */
unsigned int xsg_nr_vcpus(const struct xsg_guest *g);

/** xsg_domid() - Return: the attached domain id. @g: the attachment. */
uint32_t xsg_domid(const struct xsg_guest *g);

/**
 * xsg_set_timeout_ms() - how long a vCPU waits for a device model's answer.
 * @g: the attachment.
 * @ms: milliseconds (default 5000; 0 restores the default). Checked every
 *      20 ms, so a wait may last up to 20 ms longer.
 */
void xsg_set_timeout_ms(struct xsg_guest *g, unsigned int ms);

/**
 * xsg_set_spin_us() - let a vCPU poll for a device model's answer this
 * long before it sleeps (default 0: sleep at once). Polling saves the
 * wake-up of a sleeping thread, which dominates a round trip on an idle
 * virtual machine, at the price of a busy CPU.
 * @g: the attachment.
 * @us: microseconds (at most 10,000).
 */
void xsg_set_spin_us(struct xsg_guest *g, unsigned int us);

/**
 * xsg_last_server() - which ioreq server handled @vcpu's last access.
 * @g: the attachment.
 * @vcpu: the vCPU.
 * Return: the server id, -1 if the access was unclaimed (or went to RAM).
 */
int xsg_last_server(struct xsg_guest *g, unsigned int vcpu);

/* ---- port I/O ------------------------------------------------------- */

/**
 * xsg_pio_read() - `in` of @size bytes.
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @port: I/O port.
 * @size: 1, 2 or 4.
 * @val: the value read (all-ones of @size if unclaimed).
 * Return: 0 or negative errno.
 */
int xsg_pio_read(struct xsg_guest *g, unsigned int vcpu, uint16_t port,
                 unsigned int size, uint32_t *val);

/**
 * xsg_pio_write() - `out` of @size bytes.
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @port: I/O port.
 * @size: 1, 2 or 4.
 * @val: the value (only the low @size bytes are sent).
 * Return: 0 or negative errno.
 */
int xsg_pio_write(struct xsg_guest *g, unsigned int vcpu, uint16_t port,
                  unsigned int size, uint32_t val);

/**
 * xsg_pio_rep() - `rep ins` (@dir_read) or `rep outs` between @port and RAM.
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @port: I/O port.
 * @size: item size 1, 2 or 4.
 * @count: number of items (1..4096).
 * @df: direction flag: items at @gpa, @gpa - size, ... instead of upwards.
 * @dir_read: true for ins (port → RAM), false for outs (RAM → port).
 * @gpa: guest physical address of the first item.
 *
 * Sent as one IOREQ_TYPE_PIO request with data_is_ptr = 1, data = @gpa.
 * Unclaimed: ins fills RAM with all-ones, outs does nothing.
 * Return: 0 or negative errno.
 */
int xsg_pio_rep(struct xsg_guest *g, unsigned int vcpu, uint16_t port,
                unsigned int size, uint32_t count, bool df, bool dir_read,
                uint64_t gpa);

/* ---- MMIO ----------------------------------------------------------- */

/**
 * xsg_mmio_read() - a read of @size bytes at guest physical @addr.
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @addr: guest physical address (not RAM: RAM is read with xsg_ram_read()).
 * @size: 1, 2, 4 or 8.
 * @val: the value (all-ones if unclaimed).
 * Return: 0 or negative errno.
 */
int xsg_mmio_read(struct xsg_guest *g, unsigned int vcpu, uint64_t addr,
                  unsigned int size, uint64_t *val);

/**
 * xsg_mmio_write() - a write of @size bytes at guest physical @addr.
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @addr: guest physical address.
 * @size: 1, 2, 4 or 8.
 * @val: the value.
 * Return: 0 or negative errno.
 */
int xsg_mmio_write(struct xsg_guest *g, unsigned int vcpu, uint64_t addr,
                   unsigned int size, uint64_t val);

/**
 * xsg_mmio_rep() - `rep movs` between MMIO at @addr and RAM at @gpa.
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @addr: MMIO address of the first item.
 * @size: item size 1, 2, 4 or 8.
 * @count: number of items (1..4096).
 * @df: direction flag (both sides step downwards).
 * @dir_read: true: MMIO → RAM; false: RAM → MMIO.
 * @gpa: RAM address of the first item.
 *
 * Sent as one IOREQ_TYPE_COPY request with data_is_ptr = 1.
 * Return: 0 or negative errno.
 */
int xsg_mmio_rep(struct xsg_guest *g, unsigned int vcpu, uint64_t addr,
                 unsigned int size, uint32_t count, bool df, bool dir_read,
                 uint64_t gpa);

/* ---- PCI configuration (mechanism #1 through 0xcf8/0xcfc) ------------ */

/**
 * xsg_pci_cfg_read() - out 0xcf8 (enable|bdf|reg&~3), then in 0xcfc+(reg&3).
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @bus: bus number.
 * @dev: device 0..31.
 * @fn: function 0..7.
 * @reg: register 0..255; must not cross a dword with @size.
 * @size: 1, 2 or 4.
 * @val: the value read.
 * Return: 0 or negative errno.
 */
int xsg_pci_cfg_read(struct xsg_guest *g, unsigned int vcpu, uint8_t bus,
                     uint8_t dev, uint8_t fn, uint8_t reg, unsigned int size,
                     uint32_t *val);

/**
 * xsg_pci_cfg_write() - out 0xcf8, then out 0xcfc+(reg&3).
 * @g: the attachment.
 * @vcpu: issuing vCPU.
 * @bus: bus number.
 * @dev: device 0..31.
 * @fn: function 0..7.
 * @reg: register.
 * @size: 1, 2 or 4.
 * @val: the value.
 * Return: 0 or negative errno.
 */
int xsg_pci_cfg_write(struct xsg_guest *g, unsigned int vcpu, uint8_t bus,
                      uint8_t dev, uint8_t fn, uint8_t reg, unsigned int size,
                      uint32_t val);

/* ---- guest RAM ------------------------------------------------------ */

/**
 * xsg_ram_read() - copy guest RAM out.
 * @g: the attachment.
 * @gpa: guest physical address.
 * @buf: destination.
 * @len: bytes.
 * Return: 0, or -EFAULT if a frame in the range is not populated.
 */
int xsg_ram_read(struct xsg_guest *g, uint64_t gpa, void *buf, size_t len);

/**
 * xsg_ram_write() - write guest RAM (a CPU store: marks tracked VRAM dirty,
 * honours HVMMEM_ram_ro).
 * @g: the attachment.
 * @gpa: guest physical address.
 * @buf: source.
 * @len: bytes.
 * Return: 0, -EFAULT (unpopulated frame), -EROFS (read-only frame; frames
 * before it were written).
 */
int xsg_ram_write(struct xsg_guest *g, uint64_t gpa, const void *buf,
                  size_t len);

/**
 * xsg_ram_fill() - memset guest RAM. Same rules as xsg_ram_write().
 * @g: the attachment.
 * @gpa: guest physical address.
 * @byte: fill value.
 * @len: bytes.
 * Return: 0 or negative errno.
 */
int xsg_ram_fill(struct xsg_guest *g, uint64_t gpa, uint8_t byte, size_t len);

/**
 * xsg_ram_populated() - Return: true if frame @gfn is populated.
 * @g: the attachment.
 * @gfn: guest frame number.
 */
bool xsg_ram_populated(struct xsg_guest *g, uint64_t gfn);

/* ---- grants and ballooning ----------------------------------------- */

/**
 * xsg_grant() - grant frame @gfn to @to_domid under reference @ref.
 * @g: the attachment.
 * @ref: grant reference (0..XENSIM_NR_GRANTS-1).
 * @gfn: the frame.
 * @to_domid: the domain allowed to map it (usually 0).
 * @readonly: grant read-only access.
 * Return: 0, -EINVAL (bad ref), -EBUSY (ref in use).
 */
int xsg_grant(struct xsg_guest *g, uint32_t ref, uint64_t gfn,
              uint32_t to_domid, bool readonly);

/**
 * xsg_grant_end() - revoke grant @ref.
 * @g: the attachment.
 * @ref: grant reference.
 * Return: 0, -EINVAL, -EBUSY (still mapped by someone).
 */
int xsg_grant_end(struct xsg_guest *g, uint32_t ref);

/**
 * xsg_balloon_out() - give frames back (XENMEM_decrease_reservation).
 * @g: the attachment.
 * @vcpu: the vCPU that makes the hypercall (carries the invalidate).
 * @gfn: first frame.
 * @nr: number of frames.
 *
 * Punches the frames out of guest RAM, then sends IOREQ_TYPE_INVALIDATE
 * to every enabled ioreq server of the domain through @vcpu's slot and
 * waits for each to complete.
 * Return: 0 or negative errno (the frames are gone even if an invalidate
 * timed out).
 */
int xsg_balloon_out(struct xsg_guest *g, unsigned int vcpu, uint64_t gfn,
                    uint64_t nr);

/**
 * xsg_balloon_in() - populate frames again (XENMEM_populate_physmap).
 * @g: the attachment.
 * @gfn: first frame.
 * @nr: number of frames.
 * Return: 0 or negative errno. The frames read as zero.
 */
int xsg_balloon_in(struct xsg_guest *g, uint64_t gfn, uint64_t nr);

/* ---- observing what the device model did --------------------------- */

/**
 * struct xsg_obs - a snapshot of what device models did to the domain.
 * @isa_irq: ISA IRQ line levels (set_isa_irq_level).
 * @pci_intx: INTx levels by device (0..31) and pin (0..3).
 * @link_route: PCI link → ISA IRQ routes (set_pci_link_route).
 * @msi_count: MSIs injected.
 * @msi_last_addr: address of the last MSI.
 * @msi_last_data: data of the last MSI.
 * @modified_calls: modified_memory calls.
 * @modified_pages: pages reported by modified_memory.
 * @shutdown_count: shutdown requests.
 * @shutdown_reason: last reason (SHUTDOWN_*), valid if @shutdown_count.
 * @pinned_ranges: pin_memory_cacheattr calls.
 * @populated_frames: frames currently populated.
 */
struct xsg_obs {
    uint8_t isa_irq[16];
    uint8_t pci_intx[32][4];
    uint8_t link_route[4];
    uint64_t msi_count;
    uint64_t msi_last_addr;
    uint32_t msi_last_data;
    uint64_t modified_calls;
    uint64_t modified_pages;
    uint64_t shutdown_count;
    uint32_t shutdown_reason;
    uint64_t pinned_ranges;
    uint64_t populated_frames;
};

/**
 * xsg_observe() - take a consistent snapshot of struct xsg_obs.
 * @g: the attachment.
 * @obs: filled in.
 */
void xsg_observe(struct xsg_guest *g, struct xsg_obs *obs);

/**
 * xsg_wait_servers() - wait until @n ioreq servers of the domain are enabled.
 * @g: the attachment.
 * @n: how many.
 * @timeout_ms: how long to wait.
 * Return: 0 or -ETIMEDOUT.
 */
int xsg_wait_servers(struct xsg_guest *g, unsigned int n,
                     unsigned int timeout_ms);

#endif /* XENSIM_GUEST_H */
