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
 *
 * Each leaf read also yields the page behind it, by its direct-map address
 * (@leaf): the page a borrowed instance shows (see import.c). The kernel's
 * leaves, and its two shared pages, are lowmem pages it allocated itself.
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
	unsigned long *leaf;
};

int xp2m_kv_init(struct xp2m_kview *kv);
int xp2m_kv_gib(struct xp2m_kview *kv, unsigned long g);
int xp2m_kv_leaf(struct xp2m_kview *kv, unsigned long first,
		 enum xp2m_kv_kind *kind, const unsigned long **words);
unsigned long *xp2m_kv_shared(const struct xp2m_kview *kv,
			      enum xp2m_kv_kind kind);

/* The value every pfn of a shared kernel leaf stands for. */
static inline unsigned long xp2m_kv_value(enum xp2m_kv_kind kind,
					  unsigned long pfn)
{
	return kind == XP2M_KV_IDENTITY ? XP2M_IDENTITY_FRAME(pfn) :
					  XP2M_INVALID_ENTRY;
}

unsigned long xp2m_x86_m2p(unsigned long mfn);
int xp2m_x86_backend_init(void);
int xp2m_x86_map_read(struct xp2m_x86_map *map, unsigned long nr_pages,
		      unsigned long max_pfn);
int xp2m_x86_memmap_init(void);
void xp2m_x86_memmap_exit(void);
unsigned int xp2m_x86_ram_seq_read(void);
int xp2m_x86_map_refresh(struct xp2m_x86 *x);
bool xp2m_x86_map_ram(void *map, unsigned long pfn, unsigned long *end);

void xp2m_x86_issued(enum xp2m_x86_hcall call, unsigned long n);

int xp2m_x86_backend_refresh(void);

/* Following the kernel's new leaves (follow.c). */
int xp2m_x86_follow_init(void);
void xp2m_x86_follow_exit(void);

/* The publication in the real shared_info (publish.c). */
void xp2m_x86_gen_open(void);
void xp2m_x86_gen_enter(void);
void xp2m_x86_gen_leave(void);
void xp2m_x86_gen_close(unsigned int n);
void xp2m_x86_cannot_follow(int err);
void xp2m_x86_withdraw_wait(struct xp2m_x86 *x);
int xp2m_x86_pub_vaddr(struct xp2m_x86 *x, unsigned long vaddr);
void xp2m_x86_publish_init(void);
void xp2m_x86_publish_exit(void);

/*
 * The publication as the "publish" view shows it: the real fields, the
 * kernel's own ones (kept while an instance is published), brackets open,
 * counts, and why the last withdrawal happened.
 */
struct xp2m_x86_pub_state {
	struct xp2m_shared_info real;
	struct xp2m_shared_info kernel;
	unsigned int open;
	unsigned long publishes;
	unsigned long withdrawals;
	const char *why;
};

struct xp2m_x86 *xp2m_x86_pub_state(struct xp2m_x86_pub_state *st);

/* Faults in the published view, for tests of its readers (fault.c). */
enum xp2m_x86_fault {
	XP2M_X86_FAULT_NONE,
	XP2M_X86_FAULT_LEAF,
	XP2M_X86_FAULT_VADDR,
};

int xp2m_x86_fault(struct xp2m_x86 *x, enum xp2m_x86_fault kind,
		   unsigned long leaf);
enum xp2m_x86_fault xp2m_x86_fault_show(unsigned long *leaf);

/* Runs of disagreement a report lists (module parameter max_listed). */
extern unsigned int xp2m_x86_max_listed;

/* The live instance's own debugfs files (debugfs.c). */
int xp2m_x86_debugfs(struct xp2m_x86 *x);

/* Bringing an instance up to date after a resume; checking it whole. */
int xp2m_x86_resume(struct xp2m_x86 *x, const char **why);
int xp2m_x86_check(struct xp2m_x86 *x, unsigned int max_listed,
		   const char **why);

#endif /* _XP2M_X86_INTERNAL_H */
