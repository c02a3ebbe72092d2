// SPDX-License-Identifier: GPL-2.0
/*
 * xp2m_x86: reading the running kernel's p2m by leaf. See the comment on
 * struct xp2m_kview in internal.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include <asm/pgtable.h>
#include <asm/xen/page.h>

#include "internal.h"

/* The kernel's list: one page-table page maps one GiB of pfns. */
static_assert(PTRS_PER_PTE == XP2M_PER_PAGE);

int xp2m_kv_init(struct xp2m_kview *kv)
{
	memset(kv, 0, sizeof(*kv));
	kv->base = READ_ONCE(xen_p2m_addr);
	kv->size = READ_ONCE(xen_p2m_size);
	kv->missing_pfn = XP2M_INVALID_ENTRY;
	kv->identity_pfn = XP2M_INVALID_ENTRY;
	kv->gib_first = XP2M_INVALID_ENTRY;
	/*
	 * The kernel places its list so that each GiB of pfns is one
	 * page-table page (xen_vmalloc_p2m_tree()); anything else is a layout
	 * this reader does not know.
	 */
	if (!kv->base || !kv->size ||
	    !IS_ALIGNED((unsigned long)kv->base, PMD_SIZE) ||
	    !IS_ALIGNED(kv->size, XP2M_PER_PAGE)) {
		pr_err("the kernel's p2m list (%lu entries) is not laid out as expected\n",
		       kv->size);
		return -EINVAL;
	}
	return 0;
}

/* Which shared leaf, if any, does page-table entry @pte of @first map? */
static enum xp2m_kv_kind xp2m_kv_page(struct xp2m_kview *kv, pte_t pte,
				      unsigned long first)
{
	const unsigned long *words = kv->base + first;
	unsigned long backing = pte_pfn(pte);
	unsigned int i;

	if (backing == kv->identity_pfn)
		return XP2M_KV_IDENTITY;
	if (backing == kv->missing_pfn)
		return XP2M_KV_MISSING;
	/* The shared leaves are mapped read-only, every other one writable. */
	if (pte_write(pte))
		return XP2M_KV_WORDS;
	for (i = 0; i < XP2M_PER_PAGE; i++)
		if (READ_ONCE(words[i]) != INVALID_P2M_ENTRY)
			return XP2M_KV_WORDS;
	/* Only the identity leaf makes get_phys_to_machine() answer identity. */
	if (get_phys_to_machine(first) == IDENTITY_FRAME(first)) {
		if (kv->identity_pfn == XP2M_INVALID_ENTRY)
			kv->identity_pfn = backing;
		return XP2M_KV_IDENTITY;
	}
	if (kv->missing_pfn == XP2M_INVALID_ENTRY)
		kv->missing_pfn = backing;
	return XP2M_KV_MISSING;
}

/* Leaves of GiB @g that lie below the list's end. */
static unsigned int xp2m_kv_leaves(struct xp2m_kview *kv, unsigned long g)
{
	unsigned long left = kv->size - g * XP2M_MID_SPAN;

	return min_t(unsigned long, XP2M_PER_PAGE, left / XP2M_PER_PAGE);
}

/**
 * xp2m_kv_gib() - start reading GiB @g of the kernel's list
 * @kv: the reader
 * @g: the GiB, below DIV_ROUND_UP(kv->size, XP2M_MID_SPAN)
 *
 * Sets @kv->gib to the shared kind every leaf of the GiB has, or to
 * %XP2M_KV_WORDS when its leaves must be read one by one.
 *
 * Return: 0, or -EFAULT when the list is not mapped by 4 KiB pages there.
 */
int xp2m_kv_gib(struct xp2m_kview *kv, unsigned long g)
{
	unsigned long first = g * XP2M_MID_SPAN;
	unsigned int level, i, n = xp2m_kv_leaves(kv, g);
	enum xp2m_kv_kind kind;
	pte_t *ptes, pte;

	ptes = lookup_address((unsigned long)(kv->base + first), &level);
	if (!ptes || level != PG_LEVEL_4K || !pte_present(ptep_get(ptes))) {
		pr_err("the kernel's p2m list is not mapped at pfn %#lx\n",
		       first);
		return -EFAULT;
	}
	kv->ptes = ptes;
	kv->gib_first = first;
	for (i = 0; i < kv->nr_memo; i++) {
		if (kv->memo[i] == ptes) {
			kv->gib = kv->memo_kind[i];
			kv->leaf = xp2m_kv_shared(kv, kv->gib);
			return 0;
		}
	}

	kv->gib = XP2M_KV_WORDS;
	pte = ptep_get(&ptes[0]);
	for (i = 1; i < n; i++)
		if (native_pte_val(ptep_get(&ptes[i])) != native_pte_val(pte))
			return 0;
	kind = xp2m_kv_page(kv, pte, first);
	if (kind == XP2M_KV_WORDS || n < XP2M_PER_PAGE)
		return 0;
	kv->leaf = xp2m_kv_shared(kv, kind);
	/*
	 * A page-table page of one shared leaf throughout: the kernel's
	 * shared GiB. It never writes that page (it copies it to give a GiB
	 * a page-table page of its own), so it stays uniform.
	 */
	kv->gib = kind;
	if (kv->nr_memo < XP2M_KV_MEMO) {
		kv->memo[kv->nr_memo] = ptes;
		kv->memo_kind[kv->nr_memo++] = kind;
	}
	return 0;
}

/**
 * xp2m_kv_leaf() - read one leaf of the GiB being read
 * @kv: the reader, after xp2m_kv_gib() of the GiB of @first
 * @first: the leaf's first pfn
 * @kind: set to the leaf's kind
 * @words: set to its entries when @kind is %XP2M_KV_WORDS, else NULL
 *
 * @kv->leaf is set to the page behind the leaf: the kernel's own leaf, or
 * the shared page of @kind (see xp2m_kv_shared()).
 *
 * Return: 0, or -EFAULT when the leaf is not mapped.
 */
int xp2m_kv_leaf(struct xp2m_kview *kv, unsigned long first,
		 enum xp2m_kv_kind *kind, const unsigned long **words)
{
	pte_t pte;

	*words = NULL;
	if (kv->gib != XP2M_KV_WORDS) {
		*kind = kv->gib;
		kv->leaf = xp2m_kv_shared(kv, *kind);
		return 0;
	}
	pte = ptep_get(&kv->ptes[(first - kv->gib_first) / XP2M_PER_PAGE]);
	if (!pte_present(pte)) {
		pr_err("the kernel's p2m leaf of pfn %#lx is not mapped\n",
		       first);
		return -EFAULT;
	}
	*kind = xp2m_kv_page(kv, pte, first);
	if (*kind == XP2M_KV_WORDS) {
		*words = kv->base + first;
		kv->leaf = pfn_to_kaddr(pte_pfn(pte));
	} else {
		kv->leaf = xp2m_kv_shared(kv, *kind);
	}
	return 0;
}

/**
 * xp2m_kv_shared() - the kernel's shared leaf page of a kind
 * @kv: the reader
 * @kind: %XP2M_KV_MISSING or %XP2M_KV_IDENTITY
 *
 * The kernel keeps them in its own p2m.c (p2m_missing, p2m_identity) and
 * exports neither: they are known once a walk has met a leaf of the kind.
 *
 * Return: the page's direct-map address, or NULL while not yet met.
 */
unsigned long *xp2m_kv_shared(const struct xp2m_kview *kv,
			      enum xp2m_kv_kind kind)
{
	unsigned long pfn = kind == XP2M_KV_IDENTITY ? kv->identity_pfn :
						       kv->missing_pfn;

	if (kind == XP2M_KV_WORDS || pfn == XP2M_INVALID_ENTRY ||
	    !pfn_valid(pfn))
		return NULL;
	return pfn_to_kaddr(pfn);
}
