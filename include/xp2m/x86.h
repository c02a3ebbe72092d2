/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_x86: the Xen PV backend, live import of the running kernel's p2m and
 * its verification. See arch-x86/ and Documentation/x86-live.rst.
 */
#ifndef _XP2M_X86_H
#define _XP2M_X86_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <xen/interface/grant_table.h>
#include <xen/interface/xen.h>

#include <xp2m/e820.h>
#include <xp2m/m2p.h>
#include <xp2m/p2m.h>

struct page;
struct xp2m_debugfs;

/**
 * struct xp2m_x86_range - pfns [@start, @end)
 * @start: first pfn
 * @end: end pfn, exclusive
 */
struct xp2m_x86_range {
	unsigned long start;
	unsigned long end;
};

/**
 * enum xp2m_x86_map_source - where the hypervisor's memory map came from
 * @XP2M_X86_MAP_MACHINE: XENMEM_machine_memory_map (the host's, in dom0)
 * @XP2M_X86_MAP_PSEUDO: XENMEM_memory_map (the domain's own, in a domU)
 * @XP2M_X86_MAP_NONE: the hypervisor has no such hypercall; as Linux does,
 *	one RAM entry over the domain's pages and 8 MiB more
 * @XP2M_X86_MAP_GIVEN: entries given by the caller (tests)
 */
enum xp2m_x86_map_source {
	XP2M_X86_MAP_MACHINE,
	XP2M_X86_MAP_PSEUDO,
	XP2M_X86_MAP_NONE,
	XP2M_X86_MAP_GIVEN,
};

/**
 * struct xp2m_x86_map - a PV domain's memory map, as its kernel keeps it
 * @source: where @hv came from
 * @hv: the hypervisor's entries, as it gave them
 * @nr_hv: number of @hv entries
 * @ram: the RAM, sorted, disjoint, not adjacent: see xp2m_x86_map_build()
 * @nr_ram: number of @ram ranges
 * @nr_pages: the domain's initial pages (start_info's nr_pages)
 * @max_pfn: the map covers pfns [0, @max_pfn)
 *
 * Read-only once built.
 */
struct xp2m_x86_map {
	enum xp2m_x86_map_source source;
	struct xp2m_e820_entry *hv;
	unsigned int nr_hv;
	struct xp2m_x86_range *ram;
	unsigned int nr_ram;
	unsigned long nr_pages;
	unsigned long max_pfn;
};

int xp2m_x86_map_build(struct xp2m_x86_map *map,
		       const struct xp2m_e820_entry *hv, unsigned int nr_hv,
		       bool dom0, unsigned long nr_pages, unsigned long max_pfn,
		       const struct xp2m_x86_range *kram, unsigned int nr_kram);
void xp2m_x86_map_free(struct xp2m_x86_map *map);
bool xp2m_x86_ram(const struct xp2m_x86_map *map, unsigned long pfn,
		  unsigned long *end);

/**
 * enum xp2m_x86_kind - what disagrees at a pfn
 * @XP2M_X86_CLASS: our entry and the kernel's are of different classes
 * @XP2M_X86_VALUE: same class, different frame (or identity of another pfn)
 * @XP2M_X86_M2P: our entry names a frame whose M2P entry is not the pfn
 * @XP2M_X86_IDENTITY_ON_RAM: the kernel's entry is identity, on RAM
 * @XP2M_X86_FRAME_ON_HOLE: the kernel's entry is a frame of the domain, on a
 *	hole of the memory map
 * @XP2M_X86_LEAF: our slot shows another page than the kernel's list (the
 *	instance did not follow a change of the kernel's structure)
 * @XP2M_X86_NR_KINDS: number of kinds
 */
enum xp2m_x86_kind {
	XP2M_X86_CLASS,
	XP2M_X86_VALUE,
	XP2M_X86_M2P,
	XP2M_X86_IDENTITY_ON_RAM,
	XP2M_X86_FRAME_ON_HOLE,
	XP2M_X86_LEAF,
	XP2M_X86_NR_KINDS,
};

/**
 * struct xp2m_x86_mismatch - a run of pfns with one kind of disagreement
 * @pfn: the first pfn
 * @nr: pfns in the run
 * @kind: what disagrees
 * @ours: our entry of @pfn
 * @kernel: the kernel's entry of @pfn, as get_phys_to_machine() gives it
 * @m2p: the M2P's entry for our frame of @pfn, or ~0
 */
struct xp2m_x86_mismatch {
	unsigned long pfn;
	unsigned long nr;
	enum xp2m_x86_kind kind;
	unsigned long ours;
	unsigned long kernel;
	unsigned long m2p;
};

/**
 * struct xp2m_x86_report - the outcome of a verification
 * @pfns: pfns compared: the instance's max_pfn
 * @ours: our entries by class
 * @kernel: the kernel's entries by class
 * @balloon: our missing entries on RAM: pages the balloon driver owns
 * @hole_missing: our missing entries on holes of the memory map: the
 *	kernel uses those pfns for something else (scratch pages for grant
 *	mappings, hot-plug space, the unused tail of the boot list's last leaf)
 * @hole_foreign: our foreign entries on holes
 * @kinds: pfns with each kind of disagreement
 * @mismatched: pfns with at least one
 * @ns: how long it took
 * @max_listed: room in @listed
 * @nr_listed: runs in @listed, the first ones found
 * @listed: the first runs of disagreement, in pfn order
 */
struct xp2m_x86_report {
	unsigned long pfns;
	unsigned long ours[XP2M_NR_TYPES];
	unsigned long kernel[XP2M_NR_TYPES];
	unsigned long balloon;
	unsigned long hole_missing;
	unsigned long hole_foreign;
	unsigned long kinds[XP2M_X86_NR_KINDS];
	unsigned long mismatched;
	u64 ns;
	unsigned int max_listed;
	unsigned int nr_listed;
	struct xp2m_x86_mismatch listed[];
};

/**
 * struct xp2m_x86 - an instance imported from the running kernel
 * @p2m: the p2m
 * @map: the memory map its identity comes from
 * @import_ns: how long the import took
 * @m2p: the overrides of grant mappings over the instance's pages (see
 *	xp2m_x86_grant_map()); empty when the instance is freed
 * @dbg: the debugfs registration, if any
 * @lock: protects @report and @check_why
 * @check_lock: serialises checks (xp2m_x86_check()) and verifications
 *	(xp2m_x86_verify()), and protects @map and @ram_seq: held by
 *	whatever reads @map, and by xp2m_x86_map_refresh(), which replaces
 *	it
 * @ram_seq: the count of memory hot-plug events @map was read after
 * @report: the last verification's report, or NULL
 * @check_why: what the last check (xp2m_x86_check()) found wrong, or NULL
 * @follow: its place among the followed instances (follow.c)
 * @followed: it is followed; @follow and @followed change under the
 *	follower's lock
 */
struct xp2m_x86 {
	struct xp2m *p2m;
	struct xp2m_x86_map map;
	u64 import_ns;
	struct xp2m_m2p m2p;
	struct xp2m_debugfs *dbg;
	struct mutex lock;		/* see above */
	struct mutex check_lock;	/* see above */
	unsigned int ram_seq;
	struct xp2m_x86_report *report;
	const char *check_why;
	struct list_head follow;
	bool followed;
};

/**
 * enum xp2m_x86_hcall - the hypercalls the module makes, by hypercall
 * @XP2M_X86_MEMORY_OP: memory_op: XENMEM_populate_physmap,
 *	XENMEM_decrease_reservation, the memory maps, XENMEM_maximum_ram_page
 * @XP2M_X86_UPDATE_VA_MAPPING: update_va_mapping: the module's own, to map
 *	or unmap a page, and the one of the kernel's helper for its balloon
 *	driver where it records a frame the kernel's p2m lacks
 *	(xenmem_reservation_va_mapping_update())
 * @XP2M_X86_MMUEXT_OP: mmuext_op: the TLB flushes of the suite's own
 *	kernel mappings, every one xp2m_kpte_flush() made in this domain
 *	(xp2m_kpte_flush_hypercalls()): the core's for the linear views and
 *	the page tables it gives back, the m2p override's for its view, the
 *	module's for the linear-map PTEs it changes; those made for an
 *	instance of another machine in the same kernel (the simulated one of
 *	the tests) too
 * @XP2M_X86_GRANT_TABLE_OP: grant_table_op (map and unmap a grant)
 * @XP2M_X86_MMU_UPDATE: mmu_update (an M2P entry, for the fault of a
 *	published leaf: see arch-x86/fault.c)
 * @XP2M_X86_NR_HCALLS: their number
 *
 * Not counted: the page-table writes of the kernel's paravirtualised MMU
 * operations (set_pte(), the pinning of a page-table page and the like,
 * which the core's kpte makes for the module), being the kernel's choice
 * of hypercall, or none.
 */
enum xp2m_x86_hcall {
	XP2M_X86_MEMORY_OP,
	XP2M_X86_UPDATE_VA_MAPPING,
	XP2M_X86_MMUEXT_OP,
	XP2M_X86_GRANT_TABLE_OP,
	XP2M_X86_MMU_UPDATE,
	XP2M_X86_NR_HCALLS,
};

unsigned long xp2m_x86_hypercalls(enum xp2m_x86_hcall call);
const char *xp2m_x86_hcall_name(enum xp2m_x86_hcall call);
struct xp2m_backend *xp2m_x86_backend(void);
long xp2m_x86_backend_pages(void);
struct xp2m_x86 *xp2m_x86_import(const char *name);
void xp2m_x86_free(struct xp2m_x86 *x);
long xp2m_x86_sync(struct xp2m_x86 *x);
long xp2m_x86_sync_gib(struct xp2m_x86 *x, unsigned long g);
int xp2m_x86_follow(struct xp2m_x86 *x);
void xp2m_x86_unfollow(struct xp2m_x86 *x);
void xp2m_x86_follow_flush(void);
long xp2m_x86_follow_missed(void);
int xp2m_x86_publish(struct xp2m_x86 *x);
int xp2m_x86_withdraw(struct xp2m_x86 *x);
struct xp2m_x86 *xp2m_x86_published(void);
struct xp2m_x86_report *xp2m_x86_report_alloc(unsigned int max_listed);
int xp2m_x86_verify(struct xp2m_x86 *x, struct xp2m_x86_report *rep);
const char *xp2m_x86_kind_name(enum xp2m_x86_kind kind);
int xp2m_x86_grant_map(struct xp2m_m2p *m2p, struct page *page, domid_t domid,
		       grant_ref_t ref, grant_handle_t *handle);
int xp2m_x86_grant_unmap(struct xp2m_m2p *m2p, struct page *page,
			 grant_handle_t handle);

#endif /* _XP2M_X86_H */
