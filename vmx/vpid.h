/* VPID allocator: a bitmap of the 16-bit virtual-processor identifiers (pure; callers lock).
 * VPID 0 tags the host's translations and may never be given to a guest (SDM Vol. 3C
 * sec. 26.2.1.1: "enable VPID" requires a nonzero VIRTUAL_PROCESSOR_ID). */
#ifndef SABLE_VMX_VPID_H
#define SABLE_VMX_VPID_H

#include "types.h"

#define VPID_MAX 0xffffu /* the field is 16 bits wide */

struct vpid_pool {
	uint64_t used[(VPID_MAX + 1) / 64]; /* bit n: VPID n is taken; bit 0 always set */
	uint32_t last;                      /* highest VPID this pool hands out */
	uint32_t nfree;
};

/* Makes VPIDs 1..last (at most VPID_MAX) available. */
void vpid_pool_init(struct vpid_pool *p, uint32_t last);

/* The lowest free VPID, now taken; -ENOSPC when none is left. */
int vpid_alloc(struct vpid_pool *p);

/* Returns vpid to the pool. -EINVAL for 0, one beyond the pool, or one not taken. */
int vpid_free(struct vpid_pool *p, uint32_t vpid);

#endif
