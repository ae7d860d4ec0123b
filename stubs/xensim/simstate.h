/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * simstate.h - xensim's shared domain state (internal to stubs/).
 *
 * A run directory ($XENSIM_DIR) holds one folder per domain:
 *
 *   dom<N>/state    struct xsim_shared, mmapped MAP_SHARED by every process
 *                   that touches the domain (daemon, device models through
 *                   the drop-in libraries, the guest side);
 *   dom<N>/ram      sparse file of machine frames: frame F at offset
 *                   F * 4096. Frames are allocated to the domain by
 *                   populate and freed (hole punched) by decrease
 *                   reservation; the per-domain p2m (xsim_shared.p2m)
 *                   maps each populated gfn to its frame, like Xen's. A
 *                   foreign mapping names frames (resolved at map time), so
 *                   relocating a gfn (XENMAPSPACE_gmfn) moves a p2m entry
 *                   and leaves existing mappings valid;
 *   dom<N>/ioreq<I> two pages per ioreq server I: page 0 the buffered ring
 *                   (resource frame 0), page 1 the shared_iopage (frame 1).
 *
 * dom0 exists too (no RAM): its port table holds the device models' ends
 * of event channels.
 *
 * Locking: xsim_shared.lock is a process-shared robust mutex (a process
 * that dies holding it does not wedge the run: the next locker marks it
 * consistent). Never hold two domains' locks at once. Event-channel
 * coalescing flags (xsim_port.flags) are updated with atomics, lock-free.
 *
 * Event channels: a device model's receiver is a FIFO in the run
 * directory (a xenevtchn handle's evtchn/<pid>-<nonce>.fifo); notifying
 * port P writes the 4-byte peer port number into the peer's FIFO, so its fd
 * turns readable like /dev/xen/evtchn. A guest vCPU's receiver is a futex
 * (xsim_port.doorbell) in the shared state: it needs no fd, and a wake-up
 * costs a system call only when the vCPU actually sleeps.
 * Senders keep the FIFOs they write to open (struct xsim_fdcache, keyed by
 * inode, opened O_RDWR so a vanished reader never raises SIGPIPE).
 */
#ifndef XENSIM_SIMSTATE_H
#define XENSIM_SIMSTATE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XSIM_PAGE_SHIFT 12
#define XSIM_PAGE_SIZE 4096u
#define XSIM_MAGIC 0x5853494du /* "XSIM" */
#define XSIM_VERSION 6u
#define XSIM_MAX_GFNS (1ull << 24)      /* 64 GiB of guest-physical space */
#define XSIM_MAX_FRAMES (1ull << 24)    /* frames of the RAM file (64 GiB) */
#define XSIM_NO_FRAME UINT64_MAX
#define XSIM_MAX_VCPUS 64u
#define XSIM_MAX_SERVERS 8u
#define XSIM_MAX_RANGES 256u
#define XSIM_NR_PORTS 1024u
#define XSIM_NR_GRANTS 4096u
#define XSIM_MAX_ACCT 64u
#define XSIM_MAX_MEMTYPES 64u
#define XSIM_MAX_VRAM_PAGES 65536u
#define XSIM_NR_HVM_PARAMS 64u
#define XSIM_FIFO_MAX 96u
#define XSIM_MSI_RING 16u           /* MSIs remembered for the KVM backend */
/* Legacy gfns of ioreq server pages (get_ioreq_server_info with gfn
 * pointers): server I's buffered page is XSIM_IOREQ_GFN_BASE + 2*I, its
 * synchronous page the next one. Mapping them with map/map2 maps the
 * server's page file. */
#define XSIM_IOREQ_GFN_BASE 0xfefe0ull
#define XSIM_RUN_PATH_MAX 2048u  /* run directory path, bytes */
#define XSIM_DOM_PATH_MAX 2176u  /* a domain folder's path */

/** enum xsim_port_state - state of one event-channel port. */
enum xsim_port_state {
    XSIM_PORT_FREE = 0,
    XSIM_PORT_UNBOUND = 1,      /* allocated, waiting for @remote_dom */
    XSIM_PORT_INTERDOMAIN = 2,  /* connected to peer_dom:peer_port */
};

/* xsim_port.flags bits (atomic): delivered and not yet unmasked; event
 * arrived while masked. Only ports bound by a xenevtchn handle coalesce. */
#define XSIM_PF_MASKED 1u
#define XSIM_PF_PENDING 2u

/**
 * struct xsim_port - one event-channel port of a domain.
 * @state: enum xsim_port_state.
 * @coalesce: 1 if delivery follows /dev/xen/evtchn masking rules.
 * @flags: XSIM_PF_* (atomic).
 * @futex: 1 if the receiver is a guest vCPU waiting on @doorbell (a futex
 *         in the shared state) instead of reading a FIFO.
 * @doorbell: incremented by every event for a @futex port (atomic).
 * @sleepers: receivers blocked in FUTEX_WAIT on @doorbell (atomic); the
 *            sender only makes the wake system call when it is non-zero.
 * @remote_dom: domain allowed to bind an UNBOUND port.
 * @peer_dom: the other end's domain (INTERDOMAIN).
 * @peer_port: the other end's port (INTERDOMAIN).
 * @fifo_ino: inode of @fifo.
 * @peer_fifo_ino: inode of @peer_fifo.
 * @fifo: FIFO receiving events for THIS port, relative to the run
 *        directory ("" = nobody receives; events are dropped).
 * @peer_fifo: the peer's receiving FIFO (copied at bind time so notify
 *             needs one lock).
 */
struct xsim_port {
    uint32_t state;
    uint32_t coalesce;
    uint32_t flags;
    uint32_t futex;
    uint32_t doorbell;
    uint32_t sleepers;
    uint32_t remote_dom;
    uint32_t peer_dom;
    uint32_t peer_port;
    uint64_t fifo_ino;
    uint64_t peer_fifo_ino;
    char fifo[XSIM_FIFO_MAX];
    char peer_fifo[XSIM_FIFO_MAX];
};

/** struct xsim_range - an inclusive range [start, last]. */
struct xsim_range {
    uint64_t start;
    uint64_t last;
};

/**
 * struct xsim_server - one ioreq server.
 * @in_use: slot allocated.
 * @enabled: set_ioreq_server_state(1) was called.
 * @bufioreq: HVM_IOREQSRV_BUFIOREQ_* mode.
 * @owner_pid: process that created it.
 * @nr_ranges: number of ranges per XEN_DMOP_IO_RANGE_* type.
 * @ranges: the ranges (PCI: sbdf in both ends).
 * @vcpu_port: guest-side port per vCPU (the slot's vp_eport).
 * @buf_port: guest-side port for the buffered ring.
 */
struct xsim_server {
    uint32_t in_use;
    uint32_t enabled;
    uint32_t bufioreq;
    int32_t owner_pid;
    uint32_t nr_ranges[3];
    struct xsim_range ranges[3][XSIM_MAX_RANGES];
    uint32_t vcpu_port[XSIM_MAX_VCPUS];
    uint32_t buf_port;
};

/**
 * struct xsim_grant - one grant-table entry of the guest.
 * @in_use: granted.
 * @readonly: read-only grant.
 * @domid: domain allowed to map.
 * @gfn: granted frame.
 * @maps: current mappings of the grant.
 */
struct xsim_grant {
    uint32_t in_use;
    uint32_t readonly;
    uint32_t domid;
    uint32_t maps;
    uint64_t gfn;
};

/**
 * struct xsim_acct - mapping accounting of one process for this domain.
 * @pid: the process (0 = free slot).
 * @foreign_maps: outstanding xenforeignmemory_map/map2 mappings.
 * @foreign_pages: pages in them.
 * @resource_maps: outstanding map_resource mappings.
 * @grant_maps: outstanding grant mappings.
 * @map_calls: total map/map2 calls (for "extra work" checks).
 * @exit_scanned: 1 if the process's exit scan filled the live_* fields
 *                (the library's destructor reads /proc/self/maps, so
 *                mappings dropped with plain munmap(), as QEMU's mapcache
 *                does, are seen correctly).
 * @live_ram_pages: pages of the domain's RAM file still mapped at exit
 *                  (foreign and grant mappings).
 * @live_ioreq_pages: ioreq server pages still mapped at exit.
 */
struct xsim_acct {
    int32_t pid;
    uint32_t exit_scanned;
    int64_t foreign_maps;
    int64_t foreign_pages;
    int64_t resource_maps;
    int64_t grant_maps;
    uint64_t map_calls;
    int64_t live_ram_pages;
    int64_t live_ioreq_pages;
};

/** struct xsim_memtype - a gfn range with a non-default HVMMEM type. */
struct xsim_memtype {
    uint64_t first;
    uint64_t nr;
    uint32_t type;
    uint32_t pad;
};

/**
 * struct xsim_shared - the mmapped state file of one domain.
 * All fields under @lock unless stated otherwise.
 */
struct xsim_shared {
    uint32_t magic;
    uint32_t version;
    pthread_mutex_t lock;
    uint32_t domid;
    uint32_t nr_vcpus;
    uint64_t mem_bytes;
    uint32_t dead;               /* destroyed: everything fails */
    uint32_t max_grants_hint;
    uint64_t shutdown_count;
    uint32_t shutdown_reason;
    uint32_t pad0;
    uint64_t hvm_params[XSIM_NR_HVM_PARAMS];
    /* observations (see struct xsg_obs) */
    uint8_t isa_irq[16];
    uint8_t pci_intx[32][4];
    uint8_t link_route[4];
    uint8_t pad1[4];
    uint64_t msi_count;
    uint64_t msi_last_addr;
    uint32_t msi_last_data;
    uint32_t pad2;
    uint64_t modified_calls;
    uint64_t modified_pages;
    uint64_t pinned_ranges;
    uint64_t populated_count;
    /* dirty VRAM tracking (one range) */
    uint64_t vram_first;
    uint64_t vram_nr;            /* 0: not tracking */
    uint64_t vram_dirty[XSIM_MAX_VRAM_PAGES / 64];
    uint32_t nr_memtypes;
    uint32_t pad3;
    struct xsim_memtype memtypes[XSIM_MAX_MEMTYPES];
    struct xsim_server servers[XSIM_MAX_SERVERS];
    struct xsim_port ports[XSIM_NR_PORTS];
    struct xsim_grant grants[XSIM_NR_GRANTS];
    struct xsim_acct acct[XSIM_MAX_ACCT];
    /* The KVM backend (stubs/kvm/), when one runs the domain's vCPUs:
     * every change it must act on (IRQ levels, link routes, MSIs, p2m and
     * memory types, shutdown, a dirty-VRAM query) rings @plat_bell, a
     * futex its platform thread sleeps on (xsim_plat_ring()). */
    int32_t kvm_pid;             /* backend process (0: none) */
    uint32_t plat_bell;          /* atomic; futex */
    uint32_t plat_sleepers;      /* atomic */
    uint32_t vram_sync_done;     /* atomic; futex: last request folded */
    uint32_t vram_sync_req;      /* atomic: track_dirty_vram's request */
    uint32_t pad4;
    uint64_t p2m_gen;            /* bumped by every p2m/memtype/VRAM-range change */
    uint64_t msi_ring_addr[XSIM_MSI_RING]; /* MSI n at n % XSIM_MSI_RING */
    uint32_t msi_ring_data[XSIM_MSI_RING];
    /* memory: p2m[gfn] = frame + 1 (0: not populated); frame allocator */
    uint64_t frames_used;        /* frames allocated to the domain */
    uint64_t frame_next;         /* next frame the rotating allocator tries */
    uint64_t frame_bitmap[XSIM_MAX_FRAMES / 64];
    uint32_t p2m[XSIM_MAX_GFNS];
};

/**
 * struct xsim_dom - one process's view of a domain.
 * @domid: the domain.
 * @sh: the mapped state.
 * @ram_fd: the RAM file (O_RDWR).
 * @dir: the domain's folder (absolute path).
 */
struct xsim_dom {
    uint32_t domid;
    struct xsim_shared *sh;
    int ram_fd;
    char dir[XSIM_DOM_PATH_MAX];
};

/**
 * struct xsim_run - a run directory.
 * @path: absolute path of the run directory.
 */
struct xsim_run {
    char path[XSIM_RUN_PATH_MAX];
};

/**
 * xsim_run_open() - resolve a run directory.
 * @run: filled in.
 * @path: the directory, or NULL for $XENSIM_DIR.
 * Return: 0, -ENOENT (unset or missing: a message is printed to stderr).
 */
int xsim_run_open(struct xsim_run *run, const char *path)
    __attribute__((warn_unused_result));

/**
 * xsim_dom_create() - create a domain's files (fails if it exists).
 * @run: run directory.
 * @domid: domain id.
 * @mem_bytes: RAM size (0 for dom0); populated like libxc's HVM build:
 *             [0, min(mem, 0xf0000000)) minus the VGA hole 0xa0000-0xbffff,
 *             the remainder from 4 GiB up.
 * @nr_vcpus: vCPUs (1..XSIM_MAX_VCPUS).
 * Return: 0 or negative errno.
 */
int xsim_dom_create(const struct xsim_run *run, uint32_t domid,
                    uint64_t mem_bytes, uint32_t nr_vcpus)
    __attribute__((warn_unused_result));

/**
 * xsim_dom_destroy() - mark the domain dead and remove its files.
 * @run: run directory.
 * @domid: domain id.
 * Return: 0 or negative errno.
 */
int xsim_dom_destroy(const struct xsim_run *run, uint32_t domid);

/**
 * xsim_dom_open() - map a domain's state and open its RAM.
 * @run: run directory.
 * @domid: domain id.
 * @out: new view; free with xsim_dom_close().
 * Return: 0, -ESRCH (no such domain) or negative errno.
 */
int xsim_dom_open(const struct xsim_run *run, uint32_t domid,
                  struct xsim_dom **out) __attribute__((warn_unused_result));

/** xsim_dom_close() - undo xsim_dom_open(). @d: the view (NULL ok). */
void xsim_dom_close(struct xsim_dom *d);

/** xsim_lock() - take @d's state lock (recovers from dead owners). */
void xsim_lock(struct xsim_dom *d);
/** xsim_unlock() - release @d's state lock. */
void xsim_unlock(struct xsim_dom *d);

/** xsim_populated_locked() - Return: true if @gfn is populated. */
bool xsim_populated_locked(const struct xsim_dom *d, uint64_t gfn);

/**
 * xsim_gfn_frame_locked() - resolve @gfn through the p2m.
 * @d: domain (locked).
 * @gfn: guest frame.
 * Return: its machine frame (offset frame * XSIM_PAGE_SIZE in the RAM
 * file), or XSIM_NO_FRAME if @gfn is not populated.
 */
uint64_t xsim_gfn_frame_locked(const struct xsim_dom *d, uint64_t gfn);

/**
 * xsim_relocate_locked() - XENMAPSPACE_gmfn: move @src's frame to @dst.
 * @d: domain (locked).
 * @src: populated source gfn (becomes unpopulated).
 * @dst: destination gfn; a frame it had is freed first (like Xen's
 *       guest_physmap_add_page replacing a page).
 * No data is copied: mappings of the frame stay valid.
 * Return: 0, -EINVAL (bad gfn), -ENOENT (@src not populated).
 */
int xsim_relocate_locked(struct xsim_dom *d, uint64_t src, uint64_t dst);

/**
 * xsim_populate_locked() - populate [gfn, gfn+nr) (frames read as zero).
 * @d: domain (locked).
 * @gfn: first frame.
 * @nr: count.
 * @exact: if true, a frame that is already populated fails the whole call
 *         with -EBUSY; if false, such frames are skipped.
 * Each new gfn gets a free frame (zeroed) from a rotating allocator, so a
 * freed frame is reused only after the allocator has gone round the whole
 * frame space: a stale mapping of it practically never aliases new memory.
 * Return: 0, -EINVAL, -EBUSY, -ENOMEM (frame space exhausted): nothing
 * changed; or -EIO: the RAM file could not be zeroed (the frames are
 * populated anyway).
 */
int xsim_populate_locked(struct xsim_dom *d, uint64_t gfn, uint64_t nr,
                         bool exact);

/**
 * xsim_depopulate_locked() - unpopulate [gfn, gfn+nr): clear the p2m
 * entries and free their frames (holes punched in the RAM file).
 * @d: domain (locked).
 * @gfn: first frame.
 * @nr: count.
 * Return: number of frames that were populated, or negative errno.
 */
int64_t xsim_depopulate_locked(struct xsim_dom *d, uint64_t gfn, uint64_t nr);

/**
 * xsim_memtype_locked() - Return: the HVMMEM type of @gfn.
 * @d: domain (locked).
 * @gfn: frame.
 */
uint32_t xsim_memtype_locked(const struct xsim_dom *d, uint64_t gfn);

/**
 * xsim_acct_locked() - this process's accounting slot in @d.
 * @d: domain (locked).
 * @pid: process.
 * @create: allocate one if missing.
 * Return: the slot or NULL.
 */
struct xsim_acct *xsim_acct_locked(struct xsim_dom *d, pid_t pid, bool create);

/**
 * xsim_acct_leaks() - Return: true if slot @a shows outstanding mappings
 * (the exit scan when present, else the counters).
 * @a: an accounting slot.
 */
bool xsim_acct_leaks(const struct xsim_acct *a);

/**
 * xsim_acct_exit_scan() - record this process's live mappings of every
 * domain of @run it has an accounting slot in (reads /proc/self/maps).
 * @run: the run directory.
 * Called from the drop-in library's destructor at process exit.
 */
void xsim_acct_exit_scan(const struct xsim_run *run);

/**
 * xsim_ioreq_path() - path of server @id's page file.
 * @d: domain.
 * @id: server id.
 * @buf: output.
 * @len: size of @buf.
 */
void xsim_ioreq_path(const struct xsim_dom *d, unsigned int id, char *buf,
                     size_t len);

/**
 * xsim_vcpu_fifo() - the guest vCPU's receiving FIFO, relative to the run dir.
 * @domid: domain.
 * @vcpu: vCPU.
 * @out: output ("dom<N>/vcpu<V>.fifo").
 */
void xsim_vcpu_fifo(uint32_t domid, unsigned int vcpu,
                    char out[XSIM_FIFO_MAX]);

/**
 * xsim_doorbell_wait() - sleep until @e's doorbell moves from @seen.
 * @e: a futex port (in a MAP_SHARED state file).
 * @seen: the doorbell value observed before the caller's last check.
 * @timeout_ms: upper bound; 0: none (no timer is armed: the caller must
 *              arrange a periodic xsim_doorbell_kick() to bound the wait).
 * Registers as a sleeper so senders issue the wake system call.
 */
void xsim_doorbell_wait(struct xsim_port *e, uint32_t seen,
                        unsigned int timeout_ms);

/**
 * xsim_doorbell_kick() - wake @e's sleepers without ringing the doorbell
 * (they re-check their condition and their deadline).
 * @e: a futex port.
 */
void xsim_doorbell_kick(struct xsim_port *e);

/**
 * xsim_plat_ring() - tell the domain's KVM backend that something it acts
 * on changed (see struct xsim_shared.plat_bell). Cheap when no backend
 * sleeps: one atomic add.
 * @sh: the domain's state (lock held or not).
 */
void xsim_plat_ring(struct xsim_shared *sh);

/**
 * xsim_plat_wait() - sleep until @sh's platform bell moves from @seen.
 * @sh: the domain's state.
 * @seen: the bell value read before the caller's last check.
 * @timeout_ms: upper bound (0: none).
 */
void xsim_plat_wait(struct xsim_shared *sh, uint32_t seen,
                    unsigned int timeout_ms);

/**
 * xsim_kvm_attached() - Return: true if a live KVM backend runs the
 * domain's vCPUs (its pid is recorded and exists).
 * @sh: the domain's state.
 */
bool xsim_kvm_attached(const struct xsim_shared *sh);

/**
 * xsim_fifo_open() - create (if missing) and open a receiving FIFO.
 * @run: run directory.
 * @rel: path relative to @run.
 * @flags: extra open flags (O_NONBLOCK); always O_RDWR | O_CLOEXEC.
 * @ino: its inode.
 * Return: fd or negative errno.
 */
int xsim_fifo_open(const struct xsim_run *run, const char *rel, int flags,
                   uint64_t *ino);

/**
 * xsim_port_alloc_locked() - allocate a free port.
 * @d: domain (locked).
 * Return: the port (>0) or -ENOSPC.
 */
int xsim_port_alloc_locked(struct xsim_dom *d);

/**
 * struct xsim_fdcache - FIFOs a sender keeps open, keyed by inode.
 * @lock: protects @e.
 * @e: entries (fd < 0 = empty).
 * @next: next victim when full.
 */
struct xsim_fdcache {
    pthread_mutex_t lock;
    struct {
        uint64_t ino;
        int fd;
    } e[16];
    unsigned int next;
};

/** xsim_fdcache_init() - @c: cache to initialise (empty). */
void xsim_fdcache_init(struct xsim_fdcache *c);
/** xsim_fdcache_fini() - close every cached fd. @c: the cache. */
void xsim_fdcache_fini(struct xsim_fdcache *c);

/**
 * xsim_fifo_send() - write 4-byte @port into FIFO @rel (inode @ino).
 * @c: the sender's cache.
 * @run: run directory.
 * @rel: FIFO path relative to @run.
 * @ino: expected inode (a replaced FIFO is a vanished receiver).
 * @port: payload.
 * Return: 0 (a missing or full receiver drops the event) or -errno.
 */
int xsim_fifo_send(struct xsim_fdcache *c, const struct xsim_run *run,
                   const char *rel, uint64_t ino, uint32_t port);

/**
 * xsim_port_deliver() - deliver an event to @peer_port of @peer_sh,
 * following the receiver's masking rules (coalesce).
 * @peer_sh: the receiving domain's state (only atomics are used).
 * @peer_port: the receiving port.
 * @rel: receiving FIFO.
 * @ino: its inode.
 * @c: the sender's fd cache.
 * @run: run directory.
 * Return: 0 or negative errno.
 */
int xsim_port_deliver(struct xsim_shared *peer_sh, uint32_t peer_port,
                      const char *rel, uint64_t ino, struct xsim_fdcache *c,
                      const struct xsim_run *run);

/**
 * xsim_port_unmask() - clear the masked bit; re-deliver a pending event.
 * @sh: the domain holding @port.
 * @port: the port.
 * @self_wfd: a nonblocking write fd on the port's own receiving FIFO.
 * Return: 0 or negative errno.
 */
int xsim_port_unmask(struct xsim_shared *sh, uint32_t port, int self_wfd);

/**
 * struct xsim_domcache - a small per-handle cache of opened domains.
 * @run: the run directory.
 * @doms: opened views (NULL = empty).
 * @lock: protects @doms.
 */
struct xsim_domcache {
    struct xsim_run run;
    pthread_mutex_t lock;
    struct xsim_dom *doms[16];
};

/**
 * xsim_domcache_init() - resolve $XENSIM_DIR (or @path) for a handle.
 * @c: the cache.
 * @path: run dir or NULL.
 * Return: 0 or negative errno.
 */
int xsim_domcache_init(struct xsim_domcache *c, const char *path)
    __attribute__((warn_unused_result));

/** xsim_domcache_fini() - close every cached domain. @c: the cache. */
void xsim_domcache_fini(struct xsim_domcache *c);

/**
 * xsim_domcache_get() - the view of @domid, opening it on first use.
 * @c: the cache.
 * @domid: domain.
 * Return: the view (owned by the cache) or NULL with errno set.
 */
struct xsim_dom *xsim_domcache_get(struct xsim_domcache *c, uint32_t domid);

#endif /* XENSIM_SIMSTATE_H */
