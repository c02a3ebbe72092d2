/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_x86: what the files of arch-x86/ share and nobody else sees.
 */
#ifndef _XP2M_X86_INTERNAL_H
#define _XP2M_X86_INTERNAL_H

#include <linux/pgtable.h>

#include <xp2m/x86.h>

/*
 * A reader of the running kernel's p2m (xen_p2m_addr, xen_p2m_size), leaf
 * by leaf. The kernel maps every all-missing leaf of its list to one shared
 * read-only page (p2m_missing), every all-identity leaf to another
 * (p2m_identity), and a GiB of either to one shared page-table page; both
 * shared pages hold INVALID_P2M_ENTRY, and get_phys_to_machine() answers
 * IDENTITY_FRAME(pfn) for a pfn on p2m_identity. Other leaves are pages of
 * their own, mapped writable, holding the entries.
 *
 * So a leaf is read as: its page-table entry; if it maps a page already
 * known as one of the two shared ones, that class for all 512 pfns; if it
 * is read-only and all INVALID, one call of get_phys_to_machine() tells which
 * shared page it is; otherwise its words. A page-table page whose 512
 * entries all map one shared leaf is a shared GiB, and is remembered, so a
 * 512 GiB list costs one page-table lookup per GiB.
 *
 * The kernel may change its p2m while it is read (balloon, grant mappings):
 * a walk sees each leaf as it was when read.
 */
enum xp2m_kv_kind {
	XP2M_KV_MISSING,
	XP2M_KV_IDENTITY,
	XP2M_KV_WORDS,
};

#define XP2M_KV_MEMO	4

struct xp2m_kview {
	unsigned long *base;
	unsigned long size;
	unsigned long missing_pfn;
	unsigned long identity_pfn;
	pte_t *memo[XP2M_KV_MEMO];
	enum xp2m_kv_kind memo_kind[XP2M_KV_MEMO];
	unsigned int nr_memo;
	pte_t *ptes;
	unsigned long gib_first;
	enum xp2m_kv_kind gib;
};

int xp2m_kv_init(struct xp2m_kview *kv);
int xp2m_kv_gib(struct xp2m_kview *kv, unsigned long g);
int xp2m_kv_leaf(struct xp2m_kview *kv, unsigned long first,
		 enum xp2m_kv_kind *kind, const unsigned long **words);

/* The value every pfn of a shared kernel leaf stands for. */
static inline unsigned long xp2m_kv_value(enum xp2m_kv_kind kind,
					  unsigned long pfn)
{
	return kind == XP2M_KV_IDENTITY ? XP2M_IDENTITY_FRAME(pfn) :
					  XP2M_INVALID_ENTRY;
}

/* A cursor over the RAM ranges of a map, for walks in pfn order. */
struct xp2m_ram_cursor {
	const struct xp2m_x86_map *map;
	unsigned long start;
	unsigned long end;
	bool ram;
};

static inline bool xp2m_ram_at(struct xp2m_ram_cursor *c, unsigned long pfn)
{
	if (pfn < c->start || pfn >= c->end) {
		c->ram = xp2m_x86_ram(c->map, pfn, &c->end);
		c->start = pfn;
	}
	return c->ram;
}

unsigned long xp2m_x86_m2p(unsigned long mfn);
int xp2m_x86_backend_init(void);
int xp2m_x86_map_read(struct xp2m_x86_map *map, unsigned long nr_pages,
		      unsigned long max_pfn);

void xp2m_x86_flush(unsigned long lo, unsigned long hi);
void xp2m_x86_issued(enum xp2m_x86_hcall call, unsigned long n);

#endif /* _XP2M_X86_INTERNAL_H */
