/* Interrupt message destinations among a VM's local APICs (pure; see apic_bus.h). */
#include "hv/vdev/apic_bus.h"
#include "hv/vdev/vlapic_regs.h"

#define XAPIC_BROADCAST  0xffu
#define X2APIC_BROADCAST 0xffffffffu
#define DFR_MODEL_FLAT   0xfu

static bool physical_match(const struct vlapic *l, const struct apic_msg *msg)
{
	if (msg->x2apic)
		return msg->dest == X2APIC_BROADCAST || msg->dest == l->id;
	return (msg->dest & 0xff) == XAPIC_BROADCAST || (msg->dest & 0xff) == (l->id & 0xff);
}

/* Logical destinations are matched against the target's own LDR and DFR. */
static bool logical_match(const struct vlapic *l, const struct apic_msg *msg)
{
	uint32_t ldr = reg_get(l, APIC_LDR), dest = msg->dest;

	if (msg->x2apic) {
		if (dest == X2APIC_BROADCAST)
			return true;
		if (!vlapic_x2apic_mode(l))
			return false;
		return (ldr >> 16) == (dest >> 16) && (ldr & dest & 0xffff);
	}
	dest &= 0xff;
	if (dest == XAPIC_BROADCAST)
		return true;
	if (vlapic_x2apic_mode(l))
		return false;
	ldr >>= 24;
	if ((reg_get(l, APIC_DFR) >> 28) == DFR_MODEL_FLAT)
		return ldr & dest;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

static bool named(const struct vlapic *l, uint32_t i, const struct apic_msg *msg)
{
	switch (msg->shorthand) {
	case APIC_DEST_SELF:
		return i == msg->src;
	case APIC_DEST_ALL:
		return true;
	case APIC_DEST_OTHERS:
		return i != msg->src;
	}
	return msg->logical ? logical_match(l, msg) : physical_match(l, msg);
}

/* The one target of a lowest-priority message: the lowest PPR, then the lowest index. */
static uint64_t lowest_priority(struct vlapic *const *lapics, uint64_t set)
{
	uint64_t best = 0;
	uint32_t best_ppr = UINT32_MAX;

	for (uint32_t i = 0; i < APIC_BUS_MAX; i++) {
		uint32_t ppr;

		if (!(set & BIT(i)))
			continue;
		ppr = vlapic_ppr(lapics[i]) & 0xff;
		if (ppr < best_ppr) {
			best_ppr = ppr;
			best = BIT(i);
		}
	}
	return best;
}

uint64_t apic_bus_targets(struct vlapic *const *lapics, uint32_t n, const struct apic_msg *msg)
{
	uint64_t set = 0;

	n = MIN(n, APIC_BUS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		const struct vlapic *l = lapics[i];

		if (l && vlapic_accepts_mode(l, msg->mode) && named(l, i, msg))
			set |= BIT(i);
	}
	if (msg->mode == APIC_DM_LOWEST && set)
		set = lowest_priority(lapics, set);
	return set;
}
