/*
 * A vCPU's cache of CPUID answers that depend on nothing it can change (every
 * leaf but those whose answer reads its state: CR4, XCR0, the APIC's enable;
 * hv/vdev/guest_cpuid.c says which). Direct-mapped by leaf and subleaf, so a
 * lookup is a few instructions: the hot CPUID exit skips the policy walk.
 */
#ifndef SABLE_HV_VDEV_CPUID_CACHE_H
#define SABLE_HV_VDEV_CPUID_CACHE_H

#include "cpuid_regs.h"
#include "types.h"

#define CPUID_CACHE_SLOTS 8 /* a power of 2 */

struct cpuid_cache_entry {
	uint32_t leaf, subleaf;
	bool valid;
	struct cpuid_regs r;
};

struct cpuid_cache {
	struct cpuid_cache_entry e[CPUID_CACHE_SLOTS];
};

static inline unsigned cpuid_cache_slot(uint32_t leaf, uint32_t subleaf)
{
	return (leaf ^ (leaf >> 28) ^ (subleaf << 1)) & (CPUID_CACHE_SLOTS - 1);
}

/* True, with *out, if (leaf, subleaf) is cached. */
static inline bool cpuid_cache_get(const struct cpuid_cache *c, uint32_t leaf, uint32_t subleaf,
                                   struct cpuid_regs *out)
{
	const struct cpuid_cache_entry *e = &c->e[cpuid_cache_slot(leaf, subleaf)];

	if (!e->valid || e->leaf != leaf || e->subleaf != subleaf)
		return false;
	*out = e->r;
	return true;
}

/* Caches r as the answer of (leaf, subleaf), replacing what shared its slot. */
void cpuid_cache_put(struct cpuid_cache *c, uint32_t leaf, uint32_t subleaf,
                     const struct cpuid_regs *r);

#endif
