/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory.h - xendm's memory API: regions, FlatViews, address spaces,
 * listeners, accesses, map/unmap, RAM blocks, dirty bitmaps, IOMMUs.
 *
 * The names and semantics follow QEMU's memory API, so that people who know
 * QEMU feel at home. The differences:
 *
 *  - There are no globals. A MemorySystem holds what QEMU keeps global
 *    (transaction depth, address spaces, global listeners, RAM blocks,
 *    dirty bitmaps, bounce buffers). Every region is initialised for one
 *    MemorySystem (the @ms argument after @mr) and may only be linked with
 *    regions of the same system.
 *  - The "owner" of a region is an Object: a reference count with a release
 *    callback that a device embeds; memory_region_ref() references the owner
 *    (or the region itself when it has none).
 *  - Sizes are uint64_t; UINT64_MAX stands for 2^64 (the whole space).
 *    Ranges are [start, last] inclusive internally.
 *
 * Threading: the region tree, transactions, listeners and address-space
 * creation belong to one thread at a time, "the device-model thread" (in
 * xendm: whichever thread holds the device-model lock, see
 * xen/xendm.h). Dispatch through
 * an address space (address_space_rw, _translate, _map, ld/st) may run on
 * other threads: it takes a reference on the current FlatView, so a
 * concurrent commit is safe. Device callbacks run on the thread that made the
 * access.
 */
#ifndef XENDM_MEMORY_MEMORY_H
#define XENDM_MEMORY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t hwaddr;
typedef uint64_t ram_addr_t;

#define HWADDR_MAX UINT64_MAX
#define RAM_ADDR_INVALID UINT64_MAX
/* Host page size assumed by RAM blocks and dirty bitmaps. */
#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ull << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

typedef struct MemorySystem MemorySystem;
typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct MemoryRegionSection MemoryRegionSection;
typedef struct MemoryListener MemoryListener;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct RAMBlock RAMBlock;
typedef struct IOMMUMemoryRegion IOMMUMemoryRegion;
typedef struct IOMMUNotifier IOMMUNotifier;
typedef struct MemoryRegionCache MemoryRegionCache;
typedef struct Object Object;

/* ------------------------------------------------------------------ */
/* Owners                                                               */
/* ------------------------------------------------------------------ */

/**
 * struct Object - a reference-counted owner of memory regions.
 * @ref: reference count; starts at 1 with object_init().
 * @release: called when @ref drops to zero (may free the object); may be NULL.
 * @name: for mtree's owner display; not copied; may be NULL.
 *
 * A device embeds one and passes it as the owner of its regions; the
 * memory core references the owner while a FlatView, section or mapping
 * refers to one of its regions.
 */
struct Object {
    unsigned ref;
    void (*release)(Object *obj);
    const char *name;
};

/** object_init() - set @obj's count to 1, with @release and @name. */
void object_init(Object *obj, const char *name, void (*release)(Object *obj));
/** object_ref() - take a reference on @obj (NULL is ignored). Thread-safe. */
void object_ref(Object *obj);
/** object_unref() - drop a reference; the last one calls ->release. */
void object_unref(Object *obj);

/* ------------------------------------------------------------------ */
/* Transaction attributes and results                                   */
/* ------------------------------------------------------------------ */

/**
 * struct MemTxAttrs - attributes of one bus transaction.
 * @unspecified: no attributes given (MEMTXATTRS_UNSPECIFIED).
 * @secure: secure world access.
 * @user: unprivileged access.
 * @memory: access through the memory (not I/O) address space.
 * @requester_id: PCI requester ID (bus/dev/fn) for DMA.
 */
typedef struct MemTxAttrs {
    unsigned int unspecified : 1;
    unsigned int secure : 1;
    unsigned int user : 1;
    unsigned int memory : 1;
    unsigned int requester_id : 16;
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs){ .unspecified = 1 })

typedef uint32_t MemTxResult;
#define MEMTX_OK 0u
#define MEMTX_ERROR (1u << 0)        /* device returned an error */
#define MEMTX_DECODE_ERROR (1u << 1) /* nothing at that address / refused */
#define MEMTX_ACCESS_ERROR (1u << 2) /* access not permitted */

enum device_endian {
    DEVICE_NATIVE_ENDIAN = 0,
    DEVICE_BIG_ENDIAN = 1,
    DEVICE_LITTLE_ENDIAN = 2,
};

/** enum IOMMUAccessFlags - permission bits of an IOMMU translation. */
typedef enum {
    IOMMU_NONE = 0,
    IOMMU_RO = 1,
    IOMMU_WO = 2,
    IOMMU_RW = 3,
} IOMMUAccessFlags;

/* ------------------------------------------------------------------ */
/* Region operations                                                    */
/* ------------------------------------------------------------------ */

/**
 * struct MemoryRegionOps - callbacks of an I/O region (PIO and MMIO alike).
 * @read: read @size bytes at @addr (offset in the region); the value is
 *        in host order, the core handles @endianness.
 * @write: write @size bytes of @data at @addr.
 * @read_with_attrs: like @read with attributes and a result; used instead
 *        of @read when set.
 * @write_with_attrs: like @write with attributes and a result.
 * @endianness: how multi-byte values are laid out on the bus.
 * @valid: which accesses the device accepts at all: sizes in
 *         [@valid.min_access_size, @valid.max_access_size] (0 means 1 and
 *         4), @valid.unaligned allows unaligned ones, @valid.accepts may
 *         refuse any access. A refused access is MEMTX_DECODE_ERROR.
 * @impl: which accesses the callbacks implement: larger ones are split
 *        (pieces ordered by @endianness), smaller ones widened (read of the
 *        containing aligned unit, then shifted/masked); 0 means 1 and 4.
 *        @impl.unaligned: callbacks handle unaligned addresses themselves.
 *
 * Callbacks run on the accessing thread with no memory-core lock held; a
 * callback that re-enters an access to its own region is refused with
 * MEMTX_ERROR (no recursion).
 */
struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    MemTxResult (*read_with_attrs)(void *opaque, hwaddr addr, uint64_t *data,
                                   unsigned size, MemTxAttrs attrs);
    MemTxResult (*write_with_attrs)(void *opaque, hwaddr addr, uint64_t data,
                                    unsigned size, MemTxAttrs attrs);
    enum device_endian endianness;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
        bool (*accepts)(void *opaque, hwaddr addr, unsigned size,
                        bool is_write, MemTxAttrs attrs);
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
};

/* ------------------------------------------------------------------ */
/* IOMMU                                                                */
/* ------------------------------------------------------------------ */

/**
 * struct IOMMUTLBEntry - one IOMMU translation.
 * @target_as: where translated addresses go.
 * @iova: input address, aligned to @addr_mask + 1.
 * @translated_addr: output address (page base).
 * @addr_mask: size of the page minus one (e.g. 0xfff).
 * @perm: what the translation permits; IOMMU_NONE = no mapping.
 */
typedef struct IOMMUTLBEntry {
    AddressSpace *target_as;
    hwaddr iova;
    hwaddr translated_addr;
    hwaddr addr_mask;
    IOMMUAccessFlags perm;
} IOMMUTLBEntry;

/** enum IOMMUNotifierFlag - which events a notifier wants. */
typedef enum {
    IOMMU_NOTIFIER_NONE = 0,
    IOMMU_NOTIFIER_UNMAP = 1,
    IOMMU_NOTIFIER_MAP = 2,
    IOMMU_NOTIFIER_ALL = 3,
} IOMMUNotifierFlag;

/**
 * struct IOMMUTLBEvent - a change of IOMMU mappings.
 * @type: IOMMU_NOTIFIER_MAP or IOMMU_NOTIFIER_UNMAP.
 * @entry: the mapping (for UNMAP, perm is IOMMU_NONE).
 */
typedef struct IOMMUTLBEvent {
    IOMMUNotifierFlag type;
    IOMMUTLBEntry entry;
} IOMMUTLBEvent;

typedef void IOMMUNotify(IOMMUNotifier *n, IOMMUTLBEntry *entry);

/**
 * struct IOMMUNotifier - a client of IOMMU mapping changes.
 * @notify: called for each event that matches @notifier_flags and
 *          overlaps [@start, @end].
 * @notifier_flags: MAP, UNMAP or both.
 * @start: first IOVA of interest.
 * @end: last IOVA of interest (inclusive).
 * @iommu_idx: which of the IOMMU's translation contexts.
 * @node_next: private list link.
 */
struct IOMMUNotifier {
    IOMMUNotify *notify;
    IOMMUNotifierFlag notifier_flags;
    hwaddr start;
    hwaddr end;
    int iommu_idx;
    IOMMUNotifier *node_next;
};

/** iommu_notifier_init() - fill @n (see struct IOMMUNotifier). */
void iommu_notifier_init(IOMMUNotifier *n, IOMMUNotify *fn,
                         IOMMUNotifierFlag flags, hwaddr start, hwaddr end,
                         int iommu_idx);

typedef enum IOMMUMemoryRegionAttr {
    IOMMU_ATTR_SPAPR_TCE_FD,
    IOMMU_ATTR_MAX_IOVA,
} IOMMUMemoryRegionAttr;

/**
 * struct IOMMUMemoryRegionClass - an IOMMU implementation.
 * @translate: required; translate @addr for an access of kind @flag in
 *             translation context @iommu_idx. Must not fail: an absent
 *             mapping returns perm IOMMU_NONE.
 * @get_min_page_size: smallest page (default TARGET_PAGE_SIZE).
 * @replay: optional; re-announce all current mappings to @n. The default
 *          walks the region by minimum page size calling @translate.
 * @get_attr: optional; 0 on success, -EINVAL when unsupported.
 * @attrs_to_index: optional; the context for @attrs (default 0).
 * @num_indexes: optional; number of contexts (default 1).
 * @notify_flag_changed: optional; told when the union of notifier flags
 *          changes (returns 0 or -errno to refuse).
 */
typedef struct IOMMUMemoryRegionClass {
    IOMMUTLBEntry (*translate)(IOMMUMemoryRegion *iommu, hwaddr addr,
                               IOMMUAccessFlags flag, int iommu_idx);
    uint64_t (*get_min_page_size)(IOMMUMemoryRegion *iommu);
    void (*replay)(IOMMUMemoryRegion *iommu, IOMMUNotifier *n);
    int (*get_attr)(IOMMUMemoryRegion *iommu, IOMMUMemoryRegionAttr attr,
                    void *data);
    int (*attrs_to_index)(IOMMUMemoryRegion *iommu, MemTxAttrs attrs);
    int (*num_indexes)(IOMMUMemoryRegion *iommu);
    int (*notify_flag_changed)(IOMMUMemoryRegion *iommu,
                               IOMMUNotifierFlag old_flags,
                               IOMMUNotifierFlag new_flags);
} IOMMUMemoryRegionClass;

/* ------------------------------------------------------------------ */
/* Regions                                                              */
/* ------------------------------------------------------------------ */

/** enum MemoryRegionType - what a region is (see memory_region_init*()). */
typedef enum MemoryRegionType {
    MR_CONTAINER,
    MR_IO,
    MR_RAM,
    MR_RAM_DEVICE,
    MR_ALIAS,
    MR_ROM_DEVICE,
    MR_RESERVATION,
    MR_IOMMU,
} MemoryRegionType;

/* Dirty memory clients (bits of memory_region_set_log() / log mask). */
#define DIRTY_MEMORY_VGA 0
#define DIRTY_MEMORY_CODE 1
#define DIRTY_MEMORY_MIGRATION 2
#define DIRTY_MEMORY_NUM 3

/**
 * struct MemoryRegion - a node of the region tree.
 *
 * Devices embed it and initialise it with one of memory_region_init*();
 * all fields are private to memory/ (read them through the accessors).
 * A region is finalised with memory_region_finalize() once it is no longer
 * mapped; containers must be empty by then.
 */
struct MemoryRegion {
    MemorySystem *ms;
    Object *owner;
    char *name;
    MemoryRegionType type;
    uint64_t size;              /* UINT64_MAX = 2^64 */
    unsigned ref;               /* used when owner == NULL */

    /* Placement within the parent. */
    MemoryRegion *container;
    hwaddr addr;
    int priority;
    bool may_overlap;
    bool enabled;
    bool readonly;
    bool rom_device;            /* ROM device: reads RAM in romd mode */
    bool romd_mode;
    bool ram_device;
    bool nonvolatile;
    bool terminates;            /* a leaf that handles accesses */
    bool global_locking;
    uint8_t dirty_log_mask;
    uint8_t vga_logging_count;
    unsigned long subregion_seq; /* order of insertion, for equal priority */

    /* Children, sorted by ascending priority then oldest first (the
       renderer walks them from the end: highest priority, newest). */
    MemoryRegion **subregions;
    unsigned n_subregions;
    unsigned subregions_cap;

    /* I/O and ROM device. */
    const MemoryRegionOps *ops;
    void *opaque;
    unsigned reentrancy_depth;  /* guards against a device re-entering */

    /* RAM, ROM, ROM device. */
    RAMBlock *ram_block;

    /* Alias. */
    MemoryRegion *alias;
    hwaddr alias_offset;
    unsigned alias_count;       /* how many aliases point here */

    /* IOMMU. */
    const IOMMUMemoryRegionClass *iommu_ops;
    IOMMUNotifier *iommu_notifiers;
    IOMMUNotifierFlag iommu_notify_flags;
};

/**
 * struct IOMMUMemoryRegion - an IOMMU region; embed and init with
 * memory_region_init_iommu().
 * @parent_obj: the region (must stay the first member).
 */
struct IOMMUMemoryRegion {
    MemoryRegion parent_obj;
};

/**
 * memory_region_init() - initialise @mr as a pure container.
 * @mr: the region (caller-owned storage).
 * @ms: the memory system it belongs to.
 * @owner: reference-counted owner, or NULL.
 * @name: copied; used by mtree and memory_region_name().
 * @size: UINT64_MAX for the whole 64-bit space.
 *
 * Reads of gaps in a pure container are unassigned (all-ones).
 */
void memory_region_init(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                        const char *name, uint64_t size);

/** memory_region_init_io() - an I/O region served by @ops with @opaque. */
void memory_region_init_io(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);

/**
 * memory_region_init_ram() - a RAM region backed by a new RAMBlock of
 * @size bytes, named @name, reached through the system's RAM host ops
 * (plain host memory by default).
 * Return: 0 or -errno (e.g. -ENOMEM, -EEXIST for a duplicate name).
 */
int memory_region_init_ram(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                           const char *name, uint64_t size)
    __attribute__((warn_unused_result));

/**
 * memory_region_init_ram_from_block() - a RAM region over an existing block
 * (created with ram_block_add()); the region does not own the block.
 */
void memory_region_init_ram_from_block(MemoryRegion *mr, MemorySystem *ms,
                                       Object *owner, const char *name,
                                       RAMBlock *block);

/**
 * memory_region_init_ram_ptr() - a RAM region over caller memory @ptr of
 * @size bytes (not freed by the core).
 * Return: 0 or -errno.
 */
int memory_region_init_ram_ptr(MemoryRegion *mr, MemorySystem *ms,
                               Object *owner, const char *name,
                               uint64_t size, void *ptr)
    __attribute__((warn_unused_result));

/**
 * memory_region_init_resizeable_ram() - RAM whose used length @size may
 * later grow up to @max_size with memory_region_ram_resize(); @resized is
 * called after each resize.
 * Return: 0 or -errno.
 */
int memory_region_init_resizeable_ram(MemoryRegion *mr, MemorySystem *ms,
                                      Object *owner, const char *name,
                                      uint64_t size, uint64_t max_size,
                                      void (*resized)(const char *id,
                                                      uint64_t length,
                                                      void *host))
    __attribute__((warn_unused_result));

/**
 * memory_region_init_ram_device_ptr() - RAM that is device memory: shown as
 * RAM to listeners but never accessed with memcpy by the core (accesses go
 * through sized host loads/stores of the access width).
 */
void memory_region_init_ram_device_ptr(MemoryRegion *mr, MemorySystem *ms,
                                       Object *owner, const char *name,
                                       uint64_t size, void *ptr);

/**
 * memory_region_init_alias() - a window of @size bytes onto @orig starting
 * at @offset. Holds a reference on @orig.
 */
void memory_region_init_alias(MemoryRegion *mr, MemorySystem *ms,
                              Object *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset,
                              uint64_t size);

/** memory_region_init_rom() - read-only RAM; guest writes are ignored. */
int memory_region_init_rom(MemoryRegion *mr, MemorySystem *ms, Object *owner,
                           const char *name, uint64_t size)
    __attribute__((warn_unused_result));

/**
 * memory_region_init_rom_device() - reads come from RAM while in romd mode
 * (the default); writes always go to @ops; with romd off, reads go to @ops.
 */
int memory_region_init_rom_device(MemoryRegion *mr, MemorySystem *ms,
                                  Object *owner, const MemoryRegionOps *ops,
                                  void *opaque, const char *name,
                                  uint64_t size)
    __attribute__((warn_unused_result));

/**
 * memory_region_init_reservation() - claims a range with no contents (an
 * I/O region whose reads are all-ones and writes ignored, without the
 * "unassigned" logging); used to keep others out of a range.
 */
void memory_region_init_reservation(MemoryRegion *mr, MemorySystem *ms,
                                    Object *owner, const char *name,
                                    uint64_t size);

/**
 * memory_region_init_iommu() - an IOMMU region translating with @ops;
 * accesses through an address space walk the translation into
 * the returned target address space.
 */
void memory_region_init_iommu(IOMMUMemoryRegion *iommu, MemorySystem *ms,
                              Object *owner,
                              const IOMMUMemoryRegionClass *ops,
                              const char *name, uint64_t size);

/**
 * memory_region_finalize() - release what init allocated (name, RAM block
 * if owned, alias reference). @mr must not be mapped in any container
 * and, if a container, must be empty.
 */
void memory_region_finalize(MemoryRegion *mr);

/** memory_region_ref() - reference the owner (or @mr when ownerless). */
void memory_region_ref(MemoryRegion *mr);
/** memory_region_unref() - drop a memory_region_ref() reference. */
void memory_region_unref(MemoryRegion *mr);

/**
 * memory_region_add_subregion() - map @subregion at @offset in container
 * @mr, priority 0, overlap not allowed (an overlap with a non-overlapping
 * sibling is logged as a programming error but still rendered).
 * @subregion must not already be in a container.
 */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
/**
 * memory_region_add_subregion_overlap() - as above with @priority; higher
 * priority wins where regions overlap; among equal priorities the region
 * added later wins.
 */
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
/** memory_region_del_subregion() - unmap @subregion from @mr. */
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);

void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/** memory_region_set_address() - move @mr within its container. */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile);
/** memory_region_rom_device_set_romd() - switch a ROM device's reads. */
void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd_mode);

const char *memory_region_name(const MemoryRegion *mr);
uint64_t memory_region_size(const MemoryRegion *mr);
Object *memory_region_owner(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr);
bool memory_region_is_ram_device(const MemoryRegion *mr);
bool memory_region_is_romd(const MemoryRegion *mr);
bool memory_region_is_rom(const MemoryRegion *mr);
bool memory_region_is_iommu(const MemoryRegion *mr);
bool memory_region_is_readonly(const MemoryRegion *mr);
bool memory_region_is_enabled(const MemoryRegion *mr);
/** memory_region_is_mapped() - true if @mr is in a container. */
bool memory_region_is_mapped(const MemoryRegion *mr);
/**
 * memory_region_present() - true if @container has a subregion (at any
 * depth, through nested containers) covering @addr.
 */
bool memory_region_present(MemoryRegion *container, hwaddr addr);
/** memory_region_get_ram_ptr() - host pointer of a RAM region's start. */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/** memory_region_get_ram_addr() - ram_addr of a RAM region's start. */
ram_addr_t memory_region_get_ram_addr(MemoryRegion *mr);
/** memory_region_ram_resize() - change a resizeable region's used size. */
int memory_region_ram_resize(MemoryRegion *mr, uint64_t newsize)
    __attribute__((warn_unused_result));

/* ------------------------------------------------------------------ */
/* Transactions                                                         */
/* ------------------------------------------------------------------ */

/**
 * memory_region_transaction_begin() - defer FlatView rendering; nests.
 * Every tree mutation opens and closes its own transaction, so batching
 * several mutations in an explicit one renders once.
 */
void memory_region_transaction_begin(MemorySystem *ms);
/**
 * memory_region_transaction_commit() - at the outermost level, render the
 * FlatViews of every address space whose tree changed and tell listeners.
 */
void memory_region_transaction_commit(MemorySystem *ms);

/* ------------------------------------------------------------------ */
/* Sections, FlatViews, address spaces                                  */
/* ------------------------------------------------------------------ */

/**
 * struct MemoryRegionSection - a contiguous piece of a FlatView.
 * @size: length in bytes (UINT64_MAX = 2^64).
 * @mr: the terminating region (never a container or alias).
 * @fv: the FlatView it belongs to.
 * @offset_within_region: where in @mr the section starts.
 * @offset_within_address_space: where in the address space it starts.
 * @readonly: writes are refused (ROM, readonly region, ancestor readonly).
 * @nonvolatile: the region is persistent memory.
 */
struct MemoryRegionSection {
    uint64_t size;
    MemoryRegion *mr;
    FlatView *fv;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    bool readonly;
    bool nonvolatile;
};

/**
 * memory_region_find() - the part of [@addr, @addr + @size) inside
 * container @mr's rendered view that the first region covering @addr
 * serves. Return: a section whose .mr is referenced (drop with
 * memory_region_unref(section.mr)); .mr is NULL (size 0) if nothing
 * is mapped at @addr. @mr must be the root of an address space or below one.
 */
MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
                                       uint64_t size);

/**
 * struct AddressSpace - a view of a region tree from its root.
 * Fields are private to memory/.
 */
struct AddressSpace {
    MemorySystem *ms;
    char *name;
    MemoryRegion *root;
    FlatView *current_map;      /* RCU-like: swapped under ms lock */
    AddressSpace *next;         /* in ms's list */
    MemoryListener *listeners;  /* listeners filtered to this AS */
    uint64_t mru;               /* dispatch MRU hint: FlatView generation
                                   << 32 | range index; atomic */
};

/**
 * address_space_init() - create a view rooted at @root named @name.
 * @root is referenced; listeners registered on the system get region_add
 * for every section.
 */
void address_space_init(AddressSpace *as, MemorySystem *ms, MemoryRegion *root,
                        const char *name);
/** address_space_destroy() - unregister and release the view. */
void address_space_destroy(AddressSpace *as);
const char *address_space_name(const AddressSpace *as);

/**
 * address_space_get_flatview() - the current FlatView, referenced.
 * Thread-safe. Drop with flatview_unref().
 */
FlatView *address_space_get_flatview(AddressSpace *as);
void flatview_ref(FlatView *fv);
void flatview_unref(FlatView *fv);
/** flatview_nr_ranges() - Return: the number of ranges in @fv. */
unsigned flatview_nr_ranges(const FlatView *fv);
/**
 * flatview_range_section() - describe range @i (0-based, ascending) of @fv
 * as a section (no reference taken). Return: false when @i is out of range.
 */
bool flatview_range_section(FlatView *fv, unsigned i,
                            MemoryRegionSection *out);

/**
 * address_space_translate() - find where @addr goes.
 * @as: the address space.
 * @addr: address in @as.
 * @xlat: out: offset within the returned region.
 * @plen: in: wanted length; out: clamped to what the returned region
 *        serves contiguously (and to IOMMU page ends when walked).
 * @is_write: the kind of access (IOMMU permissions).
 * @attrs: transaction attributes (IOMMU context).
 * Return: the terminating region (never NULL: unassigned space returns
 * the system's "unassigned" I/O region). No reference is taken: valid while
 * the caller holds a FlatView reference or runs on the device-model thread.
 */
MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen,
                                      bool is_write, MemTxAttrs attrs);

/* ------------------------------------------------------------------ */
/* Listeners                                                            */
/* ------------------------------------------------------------------ */

/**
 * struct MemoryListener - told about FlatView changes.
 * @begin, @commit: around each update of an address space it watches.
 * @region_add, @region_del, @region_nop: per section; a changed section
 *     (other region, offset, readonly, ...) is a del then an add; all dels
 *     of an update come before all adds. Adds run in ascending @priority,
 *     dels in descending.
 * @log_start, @log_stop: dirty logging of a section's region changed
 *     (old and new client masks).
 * @log_sync: asked to fetch dirty bits for a section.
 * @log_global_start, @log_global_stop: global dirty logging toggled.
 * @priority: ordering among listeners.
 * @name: for debugging.
 * @address_space: private (set by memory_listener_register).
 * @next, @next_as: private list links.
 * @ms: private: the system while registered (NULL otherwise).
 *
 * Callbacks run on the thread that committed the transaction.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*commit)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_del)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_nop)(MemoryListener *listener, MemoryRegionSection *section);
    void (*log_start)(MemoryListener *listener, MemoryRegionSection *section,
                      int old_mask, int new_mask);
    void (*log_stop)(MemoryListener *listener, MemoryRegionSection *section,
                     int old_mask, int new_mask);
    void (*log_sync)(MemoryListener *listener, MemoryRegionSection *section);
    void (*log_global_start)(MemoryListener *listener);
    void (*log_global_stop)(MemoryListener *listener);
    unsigned priority;
    const char *name;
    AddressSpace *address_space;
    MemoryListener *next;
    MemoryListener *next_as;
    MemorySystem *ms;           /* private: set while registered */
};

/**
 * memory_listener_register() - watch @filter's updates (every address
 * space of @listener's system if @filter is NULL — then @ms is required).
 * Existing sections are replayed as region_add (with begin/commit).
 */
void memory_listener_register(MemoryListener *listener, MemorySystem *ms,
                              AddressSpace *filter);
/** memory_listener_unregister() - stop watching; dels are replayed. */
void memory_listener_unregister(MemoryListener *listener);

/**
 * memory_global_dirty_log_start() / _stop() - toggle global dirty logging
 * for the MIGRATION client; listeners get log_global_start/stop.
 */
void memory_global_dirty_log_start(MemorySystem *ms);
void memory_global_dirty_log_stop(MemorySystem *ms);
bool memory_global_dirty_log_enabled(const MemorySystem *ms);
/** memory_global_dirty_log_sync() - call log_sync for every logged section. */
void memory_global_dirty_log_sync(MemorySystem *ms);

/* ------------------------------------------------------------------ */
/* Accesses                                                             */
/* ------------------------------------------------------------------ */

/**
 * memory_region_dispatch_read() - one access of @size (1, 2, 4 or 8) bytes
 * at offset @addr in the terminating region @mr, applying @mr's valid/impl
 * rules and endianness; *@pval is in host order (little-endian value
 * semantics for the bus). Invalid accesses return MEMTX_DECODE_ERROR and
 * read all-ones. May be called on the ioreq path.
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *pval, unsigned size,
                                        MemTxAttrs attrs);
/** memory_region_dispatch_write() - the write counterpart. */
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t val, unsigned size,
                                         MemTxAttrs attrs);

/**
 * address_space_rw() - copy @len bytes between @buf and @as at @addr,
 * split at section boundaries. RAM is copied directly; I/O regions get
 * accesses of the largest size valid for the region and alignment (MMIO
 * accesses are not clamped to the region's end: a register may overlap
 * the next one); ROM ignores writes. Unassigned space reads all-ones.
 * Return: MEMTX_OK or the OR of the pieces' errors. May be called on the
 * ioreq path and from worker threads.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf, hwaddr len);
/**
 * address_space_write_rom() - like a write but also stores into ROM and
 * ROM devices' RAM (firmware loading); I/O pieces are skipped and the copy
 * continues after them.
 */
MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr,
                                    MemTxAttrs attrs, const void *buf,
                                    hwaddr len);
/** address_space_set() - fill @len bytes with byte @c. */
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len, MemTxAttrs attrs);
/**
 * address_space_access_valid() - would an access of @len bytes succeed
 * (every piece accepted by its region's valid rules)?
 */
bool address_space_access_valid(AddressSpace *as, hwaddr addr, hwaddr len,
                                bool is_write, MemTxAttrs attrs);

/* Loads and stores of 1/2/4/8 bytes; @result may be NULL. */
uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                            MemTxResult *result);
uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               MemTxResult *result);
uint32_t address_space_lduw_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               MemTxResult *result);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val,
                       MemTxAttrs attrs, MemTxResult *result);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stw_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);

/* ------------------------------------------------------------------ */
/* Map / unmap                                                          */
/* ------------------------------------------------------------------ */

/**
 * address_space_map() - a host pointer to @as memory at @addr for DMA.
 * @plen: in: wanted length; out: what was mapped (may be shorter; 0 on
 *        failure).
 * Return: for RAM, a direct pointer (through the RAM block's host ops with
 * lock = true, so the mapcache pins it as a DMA mapping); for anything else
 * a bounce buffer (filled by a read now, written back on unmap for writes)
 * limited in total size per system; NULL when nothing can be mapped now
 * (then cpu_register_map_client() asks to be called back).
 * Thread-safe.
 */
void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
                        bool is_write, MemTxAttrs attrs);
/**
 * address_space_unmap() - release a mapping; @access_len bytes were
 * accessed (written back for a bounced write, marked dirty for RAM).
 * Drops the lock taken by address_space_map().
 */
void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len,
                         bool is_write, hwaddr access_len);

/**
 * cpu_register_map_client() - call @cb(@opaque) once, from the thread that
 * frees a bounce buffer, when mapping may succeed again. Returns a handle
 * for cpu_unregister_map_client() (NULL on -ENOMEM).
 */
void *cpu_register_map_client(MemorySystem *ms, void (*cb)(void *opaque),
                              void *opaque);
void cpu_unregister_map_client(MemorySystem *ms, void *handle);

/**
 * struct MemoryRegionCache - a cached translation of [addr, addr + len)
 * for repeated small accesses (e.g. virtqueue rings). Private fields.
 */
struct MemoryRegionCache {
    AddressSpace *as;
    void *ptr;                  /* direct pointer when RAM, else NULL */
    hwaddr xlat;
    hwaddr len;
    hwaddr addr;
    MemoryRegion *mrs_mr;       /* referenced while cached */
    bool is_write;
};

/**
 * address_space_cache_init() - cache the translation of @len bytes at
 * @addr. Return: the length cached (may be less than @len), or -errno.
 */
int64_t address_space_cache_init(MemoryRegionCache *cache, AddressSpace *as,
                                 hwaddr addr, hwaddr len, bool is_write);
/** address_space_cache_invalidate() - a write through the cache was done
 * behind its back at [@addr, @addr + @access_len): mark dirty. */
void address_space_cache_invalidate(MemoryRegionCache *cache, hwaddr addr,
                                    hwaddr access_len);
void address_space_cache_destroy(MemoryRegionCache *cache);
/** address_space_read_cached() - read @len bytes at offset @addr. */
MemTxResult address_space_read_cached(MemoryRegionCache *cache, hwaddr addr,
                                      void *buf, hwaddr len);
MemTxResult address_space_write_cached(MemoryRegionCache *cache, hwaddr addr,
                                       const void *buf, hwaddr len);

/* ------------------------------------------------------------------ */
/* RAM blocks                                                           */
/* ------------------------------------------------------------------ */

#define RAM_PREALLOC (1u << 0)   /* host memory supplied by the caller */
#define RAM_SHARED (1u << 1)
#define RAM_RESIZEABLE (1u << 2)
#define RAM_NOALLOC (1u << 3)    /* never allocated here: reached through
                                    host ops only (Xen main RAM) */

/**
 * struct RAMBlockHostOps - how a RAM block's contents are reached: the
 * seam the mapcache plugs into. Default (no ops): plain host memory.
 * @map: return a host pointer to [@offset, @offset + *@size) of @block
 *       (ram_addr = block->offset + @offset), shortening *@size to what is
 *       contiguous; @lock pins the mapping until @unmap; @dma marks a locked
 *       mapping as DMA. NULL on failure (then *@size is 0).
 * @unmap: drop the lock taken by a locked @map of @host.
 * @ram_addr_from_host: translate a pointer returned by a locked @map back
 *       to a ram_addr; RAM_ADDR_INVALID if unknown.
 * @opaque: passed to every callback.
 */
typedef struct RAMBlockHostOps {
    void *(*map)(void *opaque, RAMBlock *block, ram_addr_t offset,
                 uint64_t *size, bool lock, bool dma);
    void (*unmap)(void *opaque, void *host);
    ram_addr_t (*ram_addr_from_host)(void *opaque, void *host);
    void *opaque;
} RAMBlockHostOps;

/**
 * struct RAMBlock - a span of ram_addr space backing RAM regions.
 * @mr: the region it backs (may be NULL for a bare block).
 * @ms: its system.
 * @host: host memory when allocated here (only when the system had no
 *        default host ops at creation) or supplied (RAM_PREALLOC);
 *        NULL when reached through @host_ops only.
 * @host_ops: the seam (see RAMBlockHostOps); NULL means use @host.
 * @offset: ram_addr of the first byte.
 * @used_length: current size.
 * @max_length: reserved size (resizeable blocks).
 * @flags: RAM_* bits.
 * @idstr: unique name ("pc.ram", "vga.vram", ...).
 * @resized: called after memory_region_ram_resize().
 * @dirty_bmap: private: one bit per page of @max_length per client,
 *        set and cleared with atomic operations.
 * @whole_map: private: the locked non-dma mapping qemu_map_ram_ptr()
 *        keeps for a block that is not RAM_NOALLOC and has host ops.
 * @next: private list link.
 */
struct RAMBlock {
    MemoryRegion *mr;
    MemorySystem *ms;
    uint8_t *host;
    const RAMBlockHostOps *host_ops;
    ram_addr_t offset;
    uint64_t used_length;
    uint64_t max_length;
    uint32_t flags;
    char idstr[64];
    void (*resized)(const char *id, uint64_t length, void *host);
    unsigned long *dirty_bmap[DIRTY_MEMORY_NUM];
    void *whole_map;
    RAMBlock *next;
};

/**
 * ram_block_add() - create a block of @size bytes (max @max_size) named
 * @idstr with @flags. The block gets the next free ram_addr range, or
 * exactly @fixed_offset when that is not RAM_ADDR_INVALID (Xen's main RAM
 * has ram_addr == guest physical address). With RAM_PREALLOC, @host is
 * the memory; with RAM_NOALLOC nothing is allocated.
 * Return: 0 and *@out, or -errno (-EEXIST duplicate name, -EBUSY offset
 * taken, -ENOMEM).
 */
int ram_block_add(MemorySystem *ms, const char *idstr, uint64_t size,
                  uint64_t max_size, uint32_t flags, void *host,
                  ram_addr_t fixed_offset, RAMBlock **out)
    __attribute__((warn_unused_result));
/** ram_block_free() - remove and free @block (its host memory if ours). */
void ram_block_free(RAMBlock *block);
/** qemu_ram_set_host_ops() - attach the seam (NULL restores host memory). */
void qemu_ram_set_host_ops(RAMBlock *block, const RAMBlockHostOps *ops);
/**
 * memory_system_set_default_ram_host_ops() - host ops given to every
 * RAMBlock created from now on (NULL = plain host memory).
 */
void memory_system_set_default_ram_host_ops(MemorySystem *ms,
                                            const RAMBlockHostOps *ops);
/**
 * struct MemorySystemHooks - what a hypervisor binding learns from the
 * memory core (QEMU's RAMBlockNotifier and xen_modified_memory()).
 * @ram_block_added: a block was created and placed (its offset is final);
 *     called outside the RAM lock before ram_block_add() returns. Return 0,
 *     or -errno to refuse: the block is then freed and ram_block_add()
 *     fails with that error. May be NULL.
 * @ram_block_removed: a block is about to be freed. May be NULL.
 * @ram_dirtied: the device model wrote guest RAM [@start, @start + @length)
 *     (ram_addr) while global dirty logging is on. Called on the writing
 *     thread (ioreq thread or a device worker): must be thread-safe.
 *     May be NULL.
 * @opaque: passed to every hook.
 */
typedef struct MemorySystemHooks {
    int (*ram_block_added)(void *opaque, RAMBlock *block);
    void (*ram_block_removed)(void *opaque, RAMBlock *block);
    void (*ram_dirtied)(void *opaque, ram_addr_t start, ram_addr_t length);
    void *opaque;
} MemorySystemHooks;

/**
 * memory_system_set_hooks() - install @hooks (NULL removes them). Set them
 * before creating RAM blocks; device-model thread only.
 */
void memory_system_set_hooks(MemorySystem *ms, const MemorySystemHooks *hooks);

/** qemu_ram_block_by_name() - find a block by @idstr; NULL if none. */
RAMBlock *qemu_ram_block_by_name(MemorySystem *ms, const char *name);
/** qemu_get_ram_block() - the block containing ram_addr @addr, or NULL. */
RAMBlock *qemu_get_ram_block(MemorySystem *ms, ram_addr_t addr);
/**
 * qemu_ram_block_from_host() - the block that @ptr points into (host
 * memory or a locked mapping of the host ops); *@offset is the offset in
 * the block. NULL if unknown.
 */
RAMBlock *qemu_ram_block_from_host(MemorySystem *ms, void *ptr,
                                   ram_addr_t *offset);
/** qemu_ram_resize() - change @block's used length (<= max_length). */
int qemu_ram_resize(RAMBlock *block, uint64_t newsize)
    __attribute__((warn_unused_result));
/** qemu_ram_get_idstr() / _get_used_length() / _get_offset(): accessors. */
const char *qemu_ram_get_idstr(const RAMBlock *block);
uint64_t qemu_ram_get_used_length(const RAMBlock *block);
ram_addr_t qemu_ram_get_offset(const RAMBlock *block);

/**
 * qemu_map_ram_ptr() - host pointer for @addr (an offset in @block, or a
 * ram_addr when @block is NULL). Through host ops: for a RAM_NOALLOC block
 * (main guest RAM) a short unlocked mapping (valid until the next
 * invalidation); for any other block a locked non-dma mapping of the whole
 * block, made once and kept. NULL on failure.
 */
void *qemu_map_ram_ptr(MemorySystem *ms, RAMBlock *block, ram_addr_t addr);
/**
 * qemu_ram_ptr_length() - host pointer for up to *@size bytes at @addr
 * (offset in @block, or ram_addr when @block is NULL); *@size is shortened
 * to what is contiguous. With @lock the mapping is pinned as a DMA mapping
 * until qemu_ram_unmap_locked(). NULL (and *@size 0) on failure.
 */
void *qemu_ram_ptr_length(MemorySystem *ms, RAMBlock *block, ram_addr_t addr,
                          uint64_t *size, bool lock);
/** qemu_ram_unmap_locked() - drop a lock taken by qemu_ram_ptr_length(). */
void qemu_ram_unmap_locked(MemorySystem *ms, RAMBlock *block, void *host);

/* ------------------------------------------------------------------ */
/* Dirty bitmaps                                                        */
/* ------------------------------------------------------------------ */

/**
 * struct DirtyBitmapSnapshot - dirty bits of a range, captured and cleared
 * atomically by cpu_physical_memory_snapshot_and_clear_dirty().
 */
typedef struct DirtyBitmapSnapshot DirtyBitmapSnapshot;

/**
 * memory_region_set_log() - enable/disable logging of @client writes for
 * @mr (listeners get log_start/log_stop).
 */
void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client);
/** memory_region_get_dirty_log_mask() - clients logging @mr. */
uint8_t memory_region_get_dirty_log_mask(MemoryRegion *mr);
/**
 * memory_region_set_dirty() - mark [@addr, @addr + @size) of RAM region
 * @mr dirty for every client. Thread-safe (atomic bit operations).
 */
void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size);
/** memory_region_get_dirty() - any page of the range dirty for @client? */
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                             unsigned client);
/** memory_region_reset_dirty() - clear @client's bits of the range. */
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                               unsigned client);
/**
 * memory_region_test_and_clear_dirty() - atomically read and clear
 * @client's bits of the range. Return: true if any was set.
 */
bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
                                        hwaddr size, unsigned client);
/**
 * memory_region_snapshot_and_clear_dirty() - capture and clear @client's
 * bits of the range in one atomic step per word (listeners' log_sync runs
 * first). Return: a snapshot to query and free with g_free() / free();
 * NULL on -ENOMEM.
 */
DirtyBitmapSnapshot *memory_region_snapshot_and_clear_dirty(MemoryRegion *mr,
                                                            hwaddr addr,
                                                            hwaddr size,
                                                            unsigned client);
/** memory_region_snapshot_get_dirty() - is any page of the range dirty in
 * @snap? The range must lie inside the snapshot's. */
bool memory_region_snapshot_get_dirty(MemoryRegion *mr,
                                      DirtyBitmapSnapshot *snap, hwaddr addr,
                                      hwaddr size);
/** dirty_bitmap_snapshot_free() - free a snapshot (NULL allowed). */
void dirty_bitmap_snapshot_free(DirtyBitmapSnapshot *snap);
/**
 * cpu_physical_memory_set_dirty_range() - mark ram_addr range dirty for
 * the clients in @mask. Thread-safe.
 */
void cpu_physical_memory_set_dirty_range(MemorySystem *ms, ram_addr_t start,
                                         ram_addr_t length, uint8_t mask);

/* ------------------------------------------------------------------ */
/* IOMMU operations                                                     */
/* ------------------------------------------------------------------ */

/** memory_region_get_iommu() - @mr as an IOMMU (through aliases), or NULL. */
IOMMUMemoryRegion *memory_region_get_iommu(MemoryRegion *mr);
/** memory_region_register_iommu_notifier() - 0 or -errno (refused). */
int memory_region_register_iommu_notifier(MemoryRegion *mr, IOMMUNotifier *n)
    __attribute__((warn_unused_result));
void memory_region_unregister_iommu_notifier(MemoryRegion *mr,
                                             IOMMUNotifier *n);
/**
 * memory_region_notify_iommu() - deliver @event to every notifier of
 * context @iommu_idx whose flags and [start, end] match.
 */
void memory_region_notify_iommu(IOMMUMemoryRegion *iommu, int iommu_idx,
                                IOMMUTLBEvent event);
/** memory_region_notify_iommu_one() - deliver @event to @n if it matches. */
void memory_region_notify_iommu_one(IOMMUNotifier *n, IOMMUTLBEvent *event);
/** memory_region_iommu_replay() - announce current mappings to @n. */
void memory_region_iommu_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n);
uint64_t memory_region_iommu_get_min_page_size(IOMMUMemoryRegion *iommu);
int memory_region_iommu_get_attr(IOMMUMemoryRegion *iommu,
                                 IOMMUMemoryRegionAttr attr, void *data);
int memory_region_iommu_attrs_to_index(IOMMUMemoryRegion *iommu,
                                       MemTxAttrs attrs);
int memory_region_iommu_num_indexes(IOMMUMemoryRegion *iommu);

/* ------------------------------------------------------------------ */
/* The memory system                                                    */
/* ------------------------------------------------------------------ */

/**
 * memory_system_new() - a new, empty memory system.
 * Return: the system, or NULL on -ENOMEM. Free with memory_system_free()
 * after every address space is destroyed and region finalised.
 */
MemorySystem *memory_system_new(void) __attribute__((warn_unused_result));
void memory_system_free(MemorySystem *ms);
/**
 * memory_system_set_bounce_limit() - total bytes of bounce buffers that
 * may be outstanding at once (default 1 MiB).
 */
void memory_system_set_bounce_limit(MemorySystem *ms, uint64_t bytes);

/* ------------------------------------------------------------------ */
/* mtree                                                                */
/* ------------------------------------------------------------------ */

/**
 * enum mtree_flags - what mtree_info() prints.
 * @MTREE_FLATVIEW: the rendered FlatViews instead of the tree, one per
 *   distinct FlatView, naming every address space that shares it.
 * @MTREE_DISPATCH: with @MTREE_FLATVIEW, also the dispatch structure
 *   (sorted section table and MRU state).
 * @MTREE_OWNER: show each region's owner.
 * @MTREE_DISABLED: also show disabled regions.
 */
enum mtree_flags {
    MTREE_FLATVIEW = 1u << 0,
    MTREE_DISPATCH = 1u << 1,
    MTREE_OWNER = 1u << 2,
    MTREE_DISABLED = 1u << 3,
};

/**
 * mtree_info() - write the layout of QEMU's "info mtree" to @out.
 * @ms: the system.
 * @flags: enum mtree_flags bits.
 * @out: a callback receiving text pieces (e.g. a GString appender).
 * @opaque: passed to @out.
 */
void mtree_info(MemorySystem *ms, unsigned flags,
                void (*out)(void *opaque, const char *text), void *opaque);
/**
 * mtree_info_string() - the same into a new NUL-terminated string.
 * Return: malloc'd text (free()), or NULL on -ENOMEM.
 */
char *mtree_info_string(MemorySystem *ms, unsigned flags);

#endif /* XENDM_MEMORY_MEMORY_H */
