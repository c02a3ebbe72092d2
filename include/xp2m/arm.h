/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m ARM: a model of the p2m of a Xen ARM guest, both sides of it, in
 * portable C. Nothing in it runs ARM instructions or talks to a hypervisor:
 * it is built on every architecture (UML and x86 as well as arm64), and its
 * KUnit suites run wherever the suite's do.
 *
 * Hypervisor side: Xen's ARM stage-2 p2m (xen/arch/arm/p2m.c), an LPAE
 * table tree (gpa -> mfn, 4 KiB granule, first, second and third level
 * tables of 512 64-bit descriptors); a virtual-linear page table (VLPT) that
 * makes every third-level entry addressable as base[gpa >> 12]; and
 * log-dirty tracking for live migration on top of it.
 *
 * Guest side: an auto-translated ARM guest's own p2m, which holds nothing but
 * foreign mappings, as an rbtree of pfn -> mfn ranges.
 *
 * See Documentation/arm-vlpt.rst.
 */
#ifndef _XP2M_ARM_H
#define _XP2M_ARM_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dentry;
struct seq_file;

/* Translation levels, 4 KiB granule. */
#define XP2M_ARM_ENTRIES	512
#define XP2M_ARM_THIRD_SHIFT	12
#define XP2M_ARM_SECOND_SHIFT	21
#define XP2M_ARM_FIRST_SHIFT	30
#define XP2M_ARM_THIRD_SIZE	BIT_ULL(XP2M_ARM_THIRD_SHIFT)
#define XP2M_ARM_SECOND_SIZE	BIT_ULL(XP2M_ARM_SECOND_SHIFT)
#define XP2M_ARM_FIRST_SIZE	BIT_ULL(XP2M_ARM_FIRST_SHIFT)

/*
 * Stage-2 descriptor bits (VMSAv8-64 and ARMv7 LPAE long descriptors).
 * Bit 1 is "table" at the first and second level and "page" at the third.
 */
#define XP2M_LPAE_VALID		BIT_ULL(0)
#define XP2M_LPAE_TABLE		BIT_ULL(1)
#define XP2M_LPAE_MEMATTR_SHIFT	2
#define XP2M_LPAE_S2AP_R	BIT_ULL(6)
#define XP2M_LPAE_S2AP_W	BIT_ULL(7)
#define XP2M_LPAE_SH_INNER	(3ULL << 8)
#define XP2M_LPAE_AF		BIT_ULL(10)
#define XP2M_LPAE_ADDR_MASK	GENMASK_ULL(47, 12)
#define XP2M_LPAE_XN		BIT_ULL(54)
/* Bits [58:55] are for software; the p2m keeps the entry's type there. */
#define XP2M_LPAE_TYPE_SHIFT	55
#define XP2M_LPAE_TYPE_MASK	GENMASK_ULL(58, 55)

/* Stage-2 MemAttr: Normal write-back, and Device-nGnRE. */
#define XP2M_LPAE_MEMATTR_NORMAL	0xfULL
#define XP2M_LPAE_MEMATTR_DEVICE	0x1ULL

/* Output addresses are 48 bits: the largest frame number. */
#define XP2M_ARM_MAX_MFN	((1UL << (48 - XP2M_ARM_THIRD_SHIFT)) - 1)
/* Guest frame numbers of the foreign-range tree: 48-bit IPAs. */
#define XP2M_ARM_MAX_PFN	XP2M_ARM_MAX_MFN

/* IPA sizes the stage-2 model takes; above 39 bits the root concatenates. */
#define XP2M_ARM_IPA_MIN	32
#define XP2M_ARM_IPA_MAX	43

/* Access permissions: what a mapping allows, what an access needs. */
#define XP2M_ARM_R		1U
#define XP2M_ARM_W		2U
#define XP2M_ARM_X		4U
#define XP2M_ARM_RWX		(XP2M_ARM_R | XP2M_ARM_W | XP2M_ARM_X)

/**
 * enum xp2m_arm_type - what a stage-2 entry maps
 * @XP2M_ARM_NONE: nothing (never stored in a valid entry)
 * @XP2M_ARM_RAM_RW: guest RAM
 * @XP2M_ARM_RAM_RO: guest RAM the guest may not write
 * @XP2M_ARM_MMIO: device memory (never executable)
 * @XP2M_ARM_FOREIGN: a frame of another domain
 * @XP2M_ARM_LOGDIRTY: guest RAM write-protected by log-dirty tracking; the
 *	first write faults, is logged and turns it back into %XP2M_ARM_RAM_RW.
 *	Only the p2m itself sets this type.
 * @XP2M_ARM_NR_TYPES: number of types
 */
enum xp2m_arm_type {
	XP2M_ARM_NONE,
	XP2M_ARM_RAM_RW,
	XP2M_ARM_RAM_RO,
	XP2M_ARM_MMIO,
	XP2M_ARM_FOREIGN,
	XP2M_ARM_LOGDIRTY,
	XP2M_ARM_NR_TYPES,
};

/**
 * xp2m_lpae_valid() - is a descriptor valid
 * @desc: a descriptor
 *
 * Return: true when bit 0 is set.
 */
static inline bool xp2m_lpae_valid(u64 desc)
{
	return desc & XP2M_LPAE_VALID;
}

/**
 * xp2m_lpae_mfn() - the frame a third-level descriptor maps
 * @desc: a valid page descriptor
 *
 * Return: the output address as a frame number.
 */
static inline unsigned long xp2m_lpae_mfn(u64 desc)
{
	return (desc & XP2M_LPAE_ADDR_MASK) >> XP2M_ARM_THIRD_SHIFT;
}

/**
 * xp2m_lpae_type() - the p2m type a descriptor carries
 * @desc: a descriptor
 *
 * Return: the type, %XP2M_ARM_NONE for an invalid descriptor.
 */
static inline enum xp2m_arm_type xp2m_lpae_type(u64 desc)
{
	if (!xp2m_lpae_valid(desc))
		return XP2M_ARM_NONE;
	return (desc & XP2M_LPAE_TYPE_MASK) >> XP2M_LPAE_TYPE_SHIFT;
}

/**
 * xp2m_lpae_perms() - the access a third-level descriptor allows
 * @desc: a descriptor
 *
 * Return: a mask of %XP2M_ARM_R, %XP2M_ARM_W and %XP2M_ARM_X; 0 for an
 * invalid descriptor.
 */
static inline unsigned int xp2m_lpae_perms(u64 desc)
{
	unsigned int perms = 0;

	if (!xp2m_lpae_valid(desc))
		return 0;
	if (desc & XP2M_LPAE_S2AP_R)
		perms |= XP2M_ARM_R;
	if (desc & XP2M_LPAE_S2AP_W)
		perms |= XP2M_ARM_W;
	if (!(desc & XP2M_LPAE_XN))
		perms |= XP2M_ARM_X;
	return perms;
}

/**
 * struct xp2m_arm_mapping - a decoded stage-2 entry
 * @mfn: the frame
 * @type: its type
 * @perms: the access it allows (%XP2M_ARM_R, %XP2M_ARM_W, %XP2M_ARM_X)
 */
struct xp2m_arm_mapping {
	unsigned long mfn;
	enum xp2m_arm_type type;
	unsigned int perms;
};

/**
 * struct xp2m_arm_stats - what a stage-2 p2m holds and has done
 * @second_tables: second-level tables in the tree
 * @third_tables: third-level tables in the tree
 * @mapped: valid third-level entries
 * @vlpt_slots: VLPT slots that map a table (the rest map the empty page)
 * @vlpt_start: first gpa the VLPT covers (0 and @vlpt_end 0: no VLPT)
 * @vlpt_end: end of the VLPT's window, exclusive
 * @logdirty_pages: pages log-dirty tracks (0: not tracking)
 * @logdirty_start: first gpa tracked
 * @faults: write faults that log-dirty resolved
 * @spurious: write faults on an entry already writable
 * @passes: dirty-bitmap cleans
 * @tlb_flushes: guest TLB flushes the p2m asked for
 */
struct xp2m_arm_stats {
	unsigned long second_tables;
	unsigned long third_tables;
	unsigned long mapped;
	unsigned long vlpt_slots;
	u64 vlpt_start;
	u64 vlpt_end;
	unsigned long logdirty_pages;
	u64 logdirty_start;
	unsigned long faults;
	unsigned long spurious;
	unsigned long passes;
	unsigned long tlb_flushes;
};

struct xp2m_arm_vlpt;
struct xp2m_arm_logdirty;
struct xp2m_arm_pcpu;

/**
 * struct xp2m_arm_p2m - an LPAE stage-2 p2m
 * @name: instance name (debugfs directory, messages)
 * @ipa_bits: size of the guest physical address space, in bits
 * @ipa_size: 1 << @ipa_bits
 * @root: the first-level table: 1 << @root_order concatenated pages
 * @root_order: allocation order of @root (0 up to 39 IPA bits)
 * @lock: serialises every change of a descriptor other than the write-fault
 *	handler's, and every change of the VLPT's mappings
 * @ld_mutex: serialises log-dirty start, stop, peek and clean (the save
 *	loop's side); held across their guest TLB flushes, so it may sleep
 * @vlpt: the VLPT, if made
 * @ld: log-dirty state while tracking
 * @flush_tlb: invalidate the guest's stage-2 TLB entries (on hardware, a
 *	TLBI for the VMID); after it returns no vCPU uses a translation older
 *	than the call. May sleep. NULL: no vCPU caches translations.
 * @flush_data: argument of @flush_tlb
 * @second_tables: second-level tables in the tree
 * @third_tables: third-level tables in the tree
 * @mapped: valid third-level entries
 * @passes: dirty-bitmap cleans done
 * @tlb_flushes: guest TLB flushes asked for (calls of @flush_tlb, if set)
 * @pcpu: per-CPU counters of the write-fault handler
 * @debugfs: the instance's directory under xp2m/arm
 *
 * Locking. Tables are linked in, and descriptors written, under @lock; the
 * tables' counts and @second_tables, @third_tables and @mapped change under
 * it too. The write-fault handler and the lookups take no lock: they walk
 * (or read the VLPT) inside an RCU read-side critical section, descriptors
 * are single 64-bit words read with READ_ONCE(), a table is linked in only
 * once zeroed (release store), and a table taken out of the tree is freed,
 * and its VLPT slot given back to the empty page, only after a grace
 * period. The handler's only store is a cmpxchg from %XP2M_ARM_LOGDIRTY to
 * %XP2M_ARM_RAM_RW; nothing under @lock turns an entry into
 * %XP2M_ARM_RAM_RW from %XP2M_ARM_LOGDIRTY but log-dirty stop, whose
 * store writes the same value, so the two never undo each other.
 * @vlpt and @ld are published with rcu_assign_pointer() under @lock and
 * freed after a grace period. @passes and @tlb_flushes are atomic
 * statistics.
 */
struct xp2m_arm_p2m {
	const char *name;
	unsigned int ipa_bits;
	u64 ipa_size;
	u64 *root;
	unsigned int root_order;
	spinlock_t lock;		/* see above */
	struct mutex ld_mutex;		/* see above */
	struct xp2m_arm_vlpt __rcu *vlpt;
	struct xp2m_arm_logdirty __rcu *ld;
	void (*flush_tlb)(void *data);
	void *flush_data;
	unsigned long second_tables;
	unsigned long third_tables;
	unsigned long mapped;
	atomic_long_t passes;
	atomic_long_t tlb_flushes;
	struct xp2m_arm_pcpu __percpu *pcpu;
	struct dentry *debugfs;
};

/* The stage-2 p2m (arch-arm/lpae.c). */
struct xp2m_arm_p2m *xp2m_arm_p2m_create(const char *name,
					 unsigned int ipa_bits,
					 void (*flush_tlb)(void *data),
					 void *flush_data);
void xp2m_arm_p2m_destroy(struct xp2m_arm_p2m *p2m);
int xp2m_arm_map(struct xp2m_arm_p2m *p2m, u64 gpa, unsigned long mfn,
		 unsigned long nr, enum xp2m_arm_type type, unsigned int perms);
long xp2m_arm_unmap(struct xp2m_arm_p2m *p2m, u64 gpa, unsigned long nr);
int xp2m_arm_lookup(struct xp2m_arm_p2m *p2m, u64 gpa,
		    struct xp2m_arm_mapping *map);
u64 xp2m_arm_walk(struct xp2m_arm_p2m *p2m, u64 gpa);
int xp2m_arm_translate(struct xp2m_arm_p2m *p2m, u64 gpa,
		       unsigned int access, unsigned long *mfn);
void xp2m_arm_get_stats(struct xp2m_arm_p2m *p2m, struct xp2m_arm_stats *st);
void xp2m_arm_p2m_dump(struct seq_file *m, struct xp2m_arm_p2m *p2m);
const char *xp2m_arm_type_name(enum xp2m_arm_type type);

/* The virtual-linear page table (arch-arm/vlpt.c). */
int xp2m_arm_vlpt_create(struct xp2m_arm_p2m *p2m, u64 start, u64 end);
void xp2m_arm_vlpt_destroy(struct xp2m_arm_p2m *p2m);
int xp2m_arm_vlpt_read(struct xp2m_arm_p2m *p2m, u64 gpa, u64 *desc);

/* Log-dirty tracking (arch-arm/logdirty.c). */
int xp2m_arm_logdirty_start(struct xp2m_arm_p2m *p2m, u64 start, u64 end);
int xp2m_arm_logdirty_stop(struct xp2m_arm_p2m *p2m);
int xp2m_arm_write_fault(struct xp2m_arm_p2m *p2m, u64 gpa);
long xp2m_arm_dirty_peek(struct xp2m_arm_p2m *p2m, unsigned long *dst,
			 unsigned long nbits);
long xp2m_arm_dirty_clean(struct xp2m_arm_p2m *p2m, unsigned long *dst,
			  unsigned long nbits);

/**
 * struct xp2m_arm_range - a run of foreign mappings
 * @pfn: first guest frame
 * @mfn: the frame @pfn maps; @pfn + i maps @mfn + i
 * @nr: number of frames, at least 1
 */
struct xp2m_arm_range {
	unsigned long pfn;
	unsigned long mfn;
	unsigned long nr;
};

/**
 * struct xp2m_arm_foreign - an ARM guest's p2m: its foreign mappings
 * @root: ranges by @pfn; they never overlap, and two neighbours that
 *	continue each other (in pfn and in mfn) are always one range
 * @lock: @root, @nr_ranges and @nr_pages: readers take it for reading,
 *	changes for writing, with interrupts off, as lookups come from any
 *	context
 * @nr_ranges: ranges in @root
 * @nr_pages: frames they cover
 * @debugfs: the instance's directory under xp2m/arm, if registered
 *
 * A pfn with no range is the guest's own memory: auto-translated, its bus
 * frame is the pfn itself (see xp2m_arm_foreign_to_bfn()).
 */
struct xp2m_arm_foreign {
	struct rb_root root;
	rwlock_t lock;			/* see above */
	unsigned long nr_ranges;
	unsigned long nr_pages;
	struct dentry *debugfs;
};

/* The guest side (arch-arm/foreign.c). */
void xp2m_arm_foreign_init(struct xp2m_arm_foreign *t, const char *name);
void xp2m_arm_foreign_destroy(struct xp2m_arm_foreign *t);
int xp2m_arm_foreign_set(struct xp2m_arm_foreign *t, unsigned long pfn,
			 unsigned long mfn, unsigned long nr);
long xp2m_arm_foreign_clear(struct xp2m_arm_foreign *t, unsigned long pfn,
			    unsigned long nr);
unsigned long xp2m_arm_foreign_lookup(struct xp2m_arm_foreign *t,
				      unsigned long pfn);
unsigned long xp2m_arm_foreign_to_bfn(struct xp2m_arm_foreign *t,
				      unsigned long pfn);
int xp2m_arm_foreign_find(struct xp2m_arm_foreign *t, unsigned long pfn,
			  struct xp2m_arm_range *range);
unsigned long xp2m_arm_foreign_ranges(struct xp2m_arm_foreign *t,
				      struct xp2m_arm_range *out,
				      unsigned long max);
void xp2m_arm_foreign_dump(struct seq_file *m, struct xp2m_arm_foreign *t);

/* Pages the module holds (arch-arm/main.c). */
long xp2m_arm_pages(void);

#endif /* _XP2M_ARM_H */
