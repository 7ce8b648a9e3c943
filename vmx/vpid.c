/* VPID allocator over a bitmap (SDM Vol. 3C sec. 29.1: VPIDs tag linear translations). */
#include "vmx/vpid.h"
#include "err.h"

void vpid_pool_init(struct vpid_pool *p, uint32_t last)
{
	for (size_t i = 0; i < ARRAY_SIZE(p->used); i++)
		p->used[i] = 0;
	p->used[0] = 1; /* VPID 0 is the host's */
	p->last = last < VPID_MAX ? last : VPID_MAX;
	p->nfree = p->last;
}

int vpid_alloc(struct vpid_pool *p)
{
	if (!p->nfree)
		return -ENOSPC;
	for (uint32_t w = 0; w <= p->last / 64; w++) {
		uint64_t free = ~p->used[w];
		uint32_t vpid;

		if (!free)
			continue;
		vpid = w * 64 + (uint32_t)__builtin_ctzll(free);
		if (vpid > p->last)
			break;
		p->used[w] |= 1ull << (vpid % 64);
		p->nfree--;
		return (int)vpid;
	}
	return -ENOSPC;
}

int vpid_free(struct vpid_pool *p, uint32_t vpid)
{
	uint64_t bit = 1ull << (vpid % 64);

	if (vpid == 0 || vpid > p->last || !(p->used[vpid / 64] & bit))
		return -EINVAL;
	p->used[vpid / 64] &= ~bit;
	p->nfree++;
	return 0;
}
