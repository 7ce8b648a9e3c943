#include "hv/vdev/cpuid_cache.h"

void cpuid_cache_put(struct cpuid_cache *c, uint32_t leaf, uint32_t subleaf,
                     const struct cpuid_regs *r)
{
	struct cpuid_cache_entry *e = &c->e[cpuid_cache_slot(leaf, subleaf)];

	e->key = cpuid_cache_key(leaf, subleaf);
	e->r = *r;
	e->valid = 1;
}
