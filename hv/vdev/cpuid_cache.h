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
	uint64_t key; /* cpuid_cache_key() */
	struct cpuid_regs r;
	uint64_t valid; /* 32 bytes an entry: the slot is a shift away */
};
_Static_assert(sizeof(struct cpuid_cache_entry) == 32, "cpuid cache entry");

struct cpuid_cache {
	struct cpuid_cache_entry e[CPUID_CACHE_SLOTS];
};

static inline uint64_t cpuid_cache_key(uint32_t leaf, uint32_t subleaf)
{
	return (uint64_t)subleaf << 32 | leaf;
}

static inline unsigned cpuid_cache_slot(uint32_t leaf, uint32_t subleaf)
{
	return (leaf ^ (leaf >> 28) ^ (subleaf << 1)) & (CPUID_CACHE_SLOTS - 1);
}

/* The cached answer of (leaf, subleaf), or NULL. */
static inline const struct cpuid_regs *cpuid_cache_get(const struct cpuid_cache *c, uint32_t leaf,
                                                       uint32_t subleaf)
{
	const struct cpuid_cache_entry *e = &c->e[cpuid_cache_slot(leaf, subleaf)];

	return e->valid && e->key == cpuid_cache_key(leaf, subleaf) ? &e->r : NULL;
}

/* Caches r as the answer of (leaf, subleaf), replacing what shared its slot. */
void cpuid_cache_put(struct cpuid_cache *c, uint32_t leaf, uint32_t subleaf,
                     const struct cpuid_regs *r);

#endif
