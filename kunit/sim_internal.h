/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp2m_sim: what the domain builder (builder.c) does to the machine
 * (sim.c), inside xp2m_sim.ko.
 */
#ifndef _XP2M_SIM_INTERNAL_H
#define _XP2M_SIM_INTERNAL_H

#include <xp2m/sim.h>

struct page;

struct xp2m_sim *xp2m_sim_of(struct xp2m_backend *be);
int xp2m_sim_bind_page(struct xp2m_sim *sim, struct page *page,
		       unsigned long mfn);
int xp2m_sim_set_pool(struct xp2m_sim *sim, const unsigned long *pfns,
		      const unsigned long *mfns, unsigned long nr);

#endif /* _XP2M_SIM_INTERNAL_H */
