// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: the memory map a PV kernel's identity entries follow.
 *
 * At boot a PV kernel asks Xen for a memory map (XENMEM_machine_memory_map
 * in dom0, which is the host's; XENMEM_memory_map in a domU, its own) and
 * shapes its p2m by it (arch/x86/xen/setup.c, xen_memory_setup()):
 *
 *  - In dom0, UNUSABLE entries count as RAM (Xen refuses 1-1 mappings of
 *    them). Overlaps resolve to the non-RAM type; adjacent RAM merges.
 *  - A pfn that does not lie wholly in RAM (holes between entries, reserved
 *    and ACPI ranges, rounded outward to whole pages, and everything past
 *    the end of the map) is set 1-1: identity. The domain's own pages that
 *    sat on such pfns are moved, in order, to the first RAM pfns from
 *    nr_pages up ("Remapped N page(s)").
 *  - RAM from nr_pages up is kept only as far as the kernel takes it as
 *    extra memory: at most ten times nr_pages, in a dom0 no more than its
 *    maximum reservation allows. That RAM is in the kernel's own E820, and
 *    the remapped pages and the balloon live there; the rest of the host's
 *    RAM the kernel drops, and its pfns are identity like any hole.
 *
 * So RAM, as the kernel keeps it, is: below nr_pages, the RAM of the
 * hypervisor's map; from nr_pages up, the kernel's own System RAM (its E820
 * RAM, and memory hot-added since boot) not overlapping a non-RAM entry of
 * the hypervisor's map. Every other pfn below the p2m's end is a hole. The
 * kernel's own System RAM is read from its resource tree ("System RAM" in
 * /proc/iomem): below nr_pages it is no guide, since a domU kernel reserves
 * the ISA range it nevertheless populates.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioport.h>
#include <linux/memory.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <asm/e820/types.h>
#include <asm/xen/hypercall.h>
#include <xen/interface/memory.h>
#include <xen/xen.h>

#include "internal.h"

/* Xen's "no such hypercall" (xen/include/public/errno.h), returned negated. */
#define XP2M_XEN_ENOSYS		38

struct xp2m_brange {
	u64 start;
	u64 end;
};

static int xp2m_brange_cmp(const void *a, const void *b)
{
	const struct xp2m_brange *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort @r and merge what overlaps or touches; returns the new count. */
static unsigned int xp2m_brange_norm(struct xp2m_brange *r, unsigned int n)
{
	unsigned int i, out = 0;

	sort(r, n, sizeof(*r), xp2m_brange_cmp, NULL);
	for (i = 0; i < n; i++) {
		if (r[i].start >= r[i].end)
			continue;
		if (out && r[i].start <= r[out - 1].end)
			r[out - 1].end = max(r[out - 1].end, r[i].end);
		else
			r[out++] = r[i];
	}
	return out;
}

/*
 * Append to @out the whole pages of (@src ∩ [@lo, @hi)) ∖ @holes; all byte
 * ranges normalised. Returns the new count of @out.
 */
static unsigned int xp2m_pieces(const struct xp2m_brange *src, unsigned int n,
				const struct xp2m_brange *holes,
				unsigned int nr_holes, u64 lo, u64 hi,
				struct xp2m_x86_range *out, unsigned int nr_out)
{
	unsigned int i, h = 0;

	for (i = 0; i < n; i++) {
		u64 s = max(src[i].start, lo), e = min(src[i].end, hi);

		while (s < e) {
			u64 piece_end = e;

			while (h < nr_holes && holes[h].end <= s)
				h++;
			if (h < nr_holes && holes[h].start < e) {
				if (holes[h].start <= s) {
					s = holes[h].end;
					continue;
				}
				piece_end = holes[h].start;
			}
			if (PFN_UP(s) < PFN_DOWN(piece_end)) {
				out[nr_out].start = PFN_UP(s);
				out[nr_out].end = PFN_DOWN(piece_end);
				nr_out++;
			}
			s = piece_end;
		}
	}
	return nr_out;
}

static int xp2m_range_cmp(const void *a, const void *b)
{
	const struct xp2m_x86_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort @r and merge what overlaps or touches; returns the new count. */
static unsigned int xp2m_range_norm(struct xp2m_x86_range *r, unsigned int n)
{
	unsigned int i, out = 0;

	sort(r, n, sizeof(*r), xp2m_range_cmp, NULL);
	for (i = 0; i < n; i++) {
		if (out && r[i].start <= r[out - 1].end)
			r[out - 1].end = max(r[out - 1].end, r[i].end);
		else
			r[out++] = r[i];
	}
	return out;
}

/*
 * The hypervisor's entries as byte ranges, each set normalised: its RAM
 * (UNUSABLE too, in dom0) into @ram, everything else into @holes.
 */
static void xp2m_hv_split(const struct xp2m_e820_entry *hv, unsigned int nr_hv,
			  bool dom0, struct xp2m_brange *ram,
			  unsigned int *nr_ram, struct xp2m_brange *holes,
			  unsigned int *nr_holes)
{
	unsigned int i;

	*nr_ram = 0;
	*nr_holes = 0;
	for (i = 0; i < nr_hv; i++) {
		bool is_ram = hv[i].type == E820_TYPE_RAM ||
			      (dom0 && hv[i].type == E820_TYPE_UNUSABLE);
		struct xp2m_brange r = {
			.start = hv[i].addr,
			.end = hv[i].addr + hv[i].size,
		};

		if (r.end < r.start)	/* wraps: up to the top */
			r.end = U64_MAX;
		if (is_ram)
			ram[(*nr_ram)++] = r;
		else
			holes[(*nr_holes)++] = r;
	}
	*nr_ram = xp2m_brange_norm(ram, *nr_ram);
	*nr_holes = xp2m_brange_norm(holes, *nr_holes);
}

/* The kernel's RAM, whole pages, as byte ranges, normalised. */
static unsigned int xp2m_kram_bytes(const struct xp2m_x86_range *kram,
				    unsigned int nr_kram,
				    struct xp2m_brange *kb)
{
	unsigned int i;

	for (i = 0; i < nr_kram; i++) {
		kb[i].start = PFN_PHYS((u64)kram[i].start);
		kb[i].end = PFN_PHYS((u64)kram[i].end);
	}
	return xp2m_brange_norm(kb, nr_kram);
}

/**
 * xp2m_x86_map_build() - RAM of a PV domain, as its kernel keeps it
 * @map: filled in; free with xp2m_x86_map_free()
 * @hv: the hypervisor's memory map, in its order (copied)
 * @nr_hv: number of @hv entries
 * @dom0: the map is the host's, read by dom0: UNUSABLE counts as RAM
 * @nr_pages: the domain's initial pages (start_info's nr_pages)
 * @max_pfn: the end of the p2m; nothing from here up is RAM
 * @kram: the kernel's own RAM from @nr_pages up, whole pages, any order
 * @nr_kram: number of @kram ranges
 *
 * RAM below @nr_pages is the pages lying wholly in RAM entries of @hv and
 * in none of its other entries; from @nr_pages up, the pages of @kram lying
 * in none of the non-RAM entries of @hv. See the top of this file for why.
 *
 * Return: 0 or -ENOMEM, with @map left empty.
 */
int xp2m_x86_map_build(struct xp2m_x86_map *map,
		       const struct xp2m_e820_entry *hv, unsigned int nr_hv,
		       bool dom0, unsigned long nr_pages, unsigned long max_pfn,
		       const struct xp2m_x86_range *kram, unsigned int nr_kram)
{
	struct xp2m_brange *ram, *holes, *kb;
	unsigned int nr_ram, nr_holes, n;
	u64 split = PFN_PHYS((u64)min(nr_pages, max_pfn));
	int err = -ENOMEM;

	memset(map, 0, sizeof(*map));
	map->source = XP2M_X86_MAP_GIVEN;
	map->nr_pages = nr_pages;
	map->max_pfn = max_pfn;
	ram = kcalloc(nr_hv + 1, sizeof(*ram), GFP_KERNEL);
	holes = kcalloc(nr_hv + 1, sizeof(*holes), GFP_KERNEL);
	kb = kcalloc(nr_kram + 1, sizeof(*kb), GFP_KERNEL);
	map->hv = kcalloc(nr_hv + 1, sizeof(*map->hv), GFP_KERNEL);
	map->ram = kcalloc(nr_hv + nr_kram + 1, sizeof(*map->ram), GFP_KERNEL);
	if (!ram || !holes || !kb || !map->hv || !map->ram)
		goto out;
	memcpy(map->hv, hv, nr_hv * sizeof(*hv));
	map->nr_hv = nr_hv;

	xp2m_hv_split(hv, nr_hv, dom0, ram, &nr_ram, holes, &nr_holes);
	nr_kram = xp2m_kram_bytes(kram, nr_kram, kb);
	n = xp2m_pieces(ram, nr_ram, holes, nr_holes, 0, split, map->ram, 0);
	n = xp2m_pieces(kb, nr_kram, holes, nr_holes, split,
			PFN_PHYS((u64)max_pfn), map->ram, n);
	map->nr_ram = xp2m_range_norm(map->ram, n);
	err = 0;
out:
	kfree(kb);
	kfree(holes);
	kfree(ram);
	if (err)
		xp2m_x86_map_free(map);
	return err;
}
EXPORT_SYMBOL_GPL(xp2m_x86_map_build);

/**
 * xp2m_x86_map_free() - free what xp2m_x86_map_build() allocated
 * @map: the map; left empty
 */
void xp2m_x86_map_free(struct xp2m_x86_map *map)
{
	kfree(map->hv);
	kfree(map->ram);
	map->hv = NULL;
	map->ram = NULL;
	map->nr_hv = 0;
	map->nr_ram = 0;
}
EXPORT_SYMBOL_GPL(xp2m_x86_map_free);

/**
 * xp2m_x86_ram() - is a pfn RAM, as the kernel keeps it?
 * @map: the map
 * @pfn: the pfn
 * @end: set to the end of the run of pfns from @pfn with the same answer
 *	(at most @map->max_pfn; @pfn + 1 for a pfn past it)
 *
 * Return: true for RAM, false for a hole.
 */
bool xp2m_x86_ram(const struct xp2m_x86_map *map, unsigned long pfn,
		  unsigned long *end)
{
	unsigned int lo = 0, hi = map->nr_ram;

	if (pfn >= map->max_pfn) {
		*end = pfn + 1;
		return false;
	}
	/* The first range that ends past @pfn. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (map->ram[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == map->nr_ram) {
		*end = map->max_pfn;
		return false;
	}
	if (map->ram[lo].start <= pfn) {
		*end = min(map->ram[lo].end, map->max_pfn);
		return true;
	}
	*end = min(map->ram[lo].start, map->max_pfn);
	return false;
}
EXPORT_SYMBOL_GPL(xp2m_x86_ram);

/* xp2m_x86_ram() as an xp2m_ram_fn, for verification's cursor. */
bool xp2m_x86_map_ram(void *map, unsigned long pfn, unsigned long *end)
{
	return xp2m_x86_ram(map, pfn, end);
}

struct xp2m_kram {
	struct xp2m_x86_range *r;
	unsigned int nr;
	unsigned int cap;
};

static int xp2m_kram_add(struct resource *res, void *arg)
{
	struct xp2m_kram *k = arg;
	struct xp2m_x86_range *grown;

	if (k->nr == k->cap) {
		grown = krealloc_array(k->r, k->cap * 2 + 8, sizeof(*k->r),
				       GFP_KERNEL);
		if (!grown)
			return -ENOMEM;
		k->r = grown;
		k->cap = k->cap * 2 + 8;
	}
	k->r[k->nr].start = PFN_UP(res->start);
	k->r[k->nr].end = PFN_DOWN(res->end + 1);
	if (k->r[k->nr].start < k->r[k->nr].end)
		k->nr++;
	return 0;
}

/*
 * The hypervisor's map, as the kernel asked for it at boot. Returns the
 * number of entries in @buf, or a negative errno.
 */
static int xp2m_hv_map(struct e820_entry *buf, unsigned int max,
		       unsigned long nr_pages,
		       enum xp2m_x86_map_source *source)
{
	struct xen_memory_map memmap = { .nr_entries = max };
	bool dom0 = xen_initial_domain();
	int rc;

	set_xen_guest_handle(memmap.buffer, buf);
	xp2m_x86_issued(XP2M_X86_MEMORY_OP, 1);
	rc = HYPERVISOR_memory_op(dom0 ? XENMEM_machine_memory_map :
				  XENMEM_memory_map, &memmap);
	if (rc == -XP2M_XEN_ENOSYS && !dom0) {
		/* As xen_memory_setup() does: the pages, and 8 MiB of slack. */
		buf[0].addr = 0;
		buf[0].size = PFN_PHYS((u64)nr_pages) + SZ_8M;
		buf[0].type = E820_TYPE_RAM;
		*source = XP2M_X86_MAP_NONE;
		return 1;
	}
	if (rc) {
		pr_err("%s failed: %d\n",
		       dom0 ? "XENMEM_machine_memory_map" : "XENMEM_memory_map",
		       rc);
		return rc;
	}
	if (!memmap.nr_entries || memmap.nr_entries > max) {
		pr_err("the hypervisor's memory map has %u entries\n",
		       memmap.nr_entries);
		return -EINVAL;
	}
	*source = dom0 ? XP2M_X86_MAP_MACHINE : XP2M_X86_MAP_PSEUDO;
	return memmap.nr_entries;
}

/*
 * Memory the kernel onlines or offlines after boot (a balloon that grows
 * past the domain's boot maximum hot-adds it) changes its System RAM, and
 * so the map: each such event moves this count, and an instance reads its
 * map again before its next check (xp2m_x86_map_refresh()).
 */
static atomic_t xp2m_x86_ram_seq = ATOMIC_INIT(0);

static int xp2m_x86_ram_notify(struct notifier_block *nb,
			       unsigned long action, void *arg)
{
	if (action == MEM_ONLINE || action == MEM_OFFLINE)
		atomic_inc(&xp2m_x86_ram_seq);
	return NOTIFY_OK;
}

static struct notifier_block xp2m_x86_ram_nb = {
	.notifier_call = xp2m_x86_ram_notify,
};

int xp2m_x86_memmap_init(void)
{
	return register_memory_notifier(&xp2m_x86_ram_nb);
}

void xp2m_x86_memmap_exit(void)
{
	unregister_memory_notifier(&xp2m_x86_ram_nb);
}

/* The count of memory events, before a map is read. */
unsigned int xp2m_x86_ram_seq_read(void)
{
	return atomic_read(&xp2m_x86_ram_seq);
}

/**
 * xp2m_x86_map_read() - read the running domain's memory map
 * @map: filled in; free with xp2m_x86_map_free()
 * @nr_pages: the domain's initial pages
 * @max_pfn: the end of the kernel's p2m
 *
 * Return: 0; the hypercall's error; -EINVAL for a map Linux could not have
 * booted with; -ENOMEM.
 */
int xp2m_x86_map_read(struct xp2m_x86_map *map, unsigned long nr_pages,
		      unsigned long max_pfn)
{
	struct xp2m_kram kram = { };
	enum xp2m_x86_map_source source;
	struct xp2m_e820_entry *hv;
	struct e820_entry *buf;
	int i, n, err = -ENOMEM;

	buf = kcalloc(E820_MAX_ENTRIES, sizeof(*buf), GFP_KERNEL);
	hv = kcalloc(E820_MAX_ENTRIES, sizeof(*hv), GFP_KERNEL);
	if (!buf || !hv)
		goto out;
	n = xp2m_hv_map(buf, E820_MAX_ENTRIES, nr_pages, &source);
	if (n < 0) {
		err = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		hv[i].addr = buf[i].addr;
		hv[i].size = buf[i].size;
		hv[i].type = buf[i].type;
	}
	if (nr_pages < max_pfn) {
		err = walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM,
					  PFN_PHYS((u64)nr_pages),
					  PFN_PHYS((u64)max_pfn) - 1, &kram,
					  xp2m_kram_add);
		/* -EINVAL or -ENODEV: there was none. */
		if (err == -ENOMEM)
			goto out;
	}
	err = xp2m_x86_map_build(map, hv, n, xen_initial_domain(), nr_pages,
				 max_pfn, kram.r, kram.nr);
	if (!err)
		map->source = source;
out:
	kfree(kram.r);
	kfree(hv);
	kfree(buf);
	return err;
}
