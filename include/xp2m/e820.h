/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m: E820-style memory maps, as a PV kernel is given them, and what the
 * p2m takes from them: 1-1 identity for everything that is not RAM
 * (p2m/e820.c), and a cursor over a map's RAM for walks in pfn order.
 */
#ifndef _XP2M_E820_H
#define _XP2M_E820_H

#include <linux/types.h>

struct xp2m;

/*
 * E820 types (the ACPI address range types, as
 * arch/x86/include/asm/e820/types.h names them E820_TYPE_*); only RAM is
 * RAM to the p2m.
 */
#define XP2M_E820_RAM		1
#define XP2M_E820_RESERVED	2
#define XP2M_E820_ACPI		3
#define XP2M_E820_NVS		4
#define XP2M_E820_UNUSABLE	5

/**
 * struct xp2m_e820_entry - one entry of an E820-style memory map
 * @addr: start, in bytes
 * @size: length, in bytes
 * @type: E820 type; only %XP2M_E820_RAM is RAM, and only where no entry
 *	of a larger type overlaps it
 */
struct xp2m_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

/**
 * struct xp2m_e820_result - what xp2m_identity_from_e820() did
 * @identity: pfns now identity
 * @remapped: populated pfns that lay on non-RAM and whose frames moved to
 *	missing RAM pfns at and above the boot list's end
 */
struct xp2m_e820_result {
	unsigned long identity;
	unsigned long remapped;
};

int xp2m_identity_from_e820(struct xp2m *p2m,
			    const struct xp2m_e820_entry *map, unsigned int nr,
			    struct xp2m_e820_result *result);

/**
 * typedef xp2m_ram_fn - is a pfn RAM, in a memory map
 * @map: the map
 * @pfn: the pfn
 * @end: set to the end (exclusive) of the run of pfns from @pfn with the
 *	same answer
 *
 * Return: true for RAM, false for a hole.
 */
typedef bool (*xp2m_ram_fn)(void *map, unsigned long pfn, unsigned long *end);

/**
 * struct xp2m_ram_cursor - a memory map's last answer, for walks in pfn order
 * @ram: the map's answer for a pfn
 * @map: passed to @ram
 * @start: first pfn of the run last found
 * @end: its end, exclusive
 * @is_ram: whether that run is RAM
 *
 * Zero @start and @end to start; a walk then asks the map once a run.
 */
struct xp2m_ram_cursor {
	xp2m_ram_fn ram;
	void *map;
	unsigned long start;
	unsigned long end;
	bool is_ram;
};

/**
 * xp2m_ram_at() - is a pfn RAM, asking the map only past the last run
 * @c: the cursor
 * @pfn: the pfn
 *
 * Return: true for RAM; @c->end is the end of the run @pfn is in.
 */
static inline bool xp2m_ram_at(struct xp2m_ram_cursor *c, unsigned long pfn)
{
	if (pfn < c->start || pfn >= c->end) {
		c->is_ram = c->ram(c->map, pfn, &c->end);
		c->start = pfn;
		if (c->end <= pfn)
			c->end = pfn + 1;
	}
	return c->is_ram;
}

#endif /* _XP2M_E820_H */
