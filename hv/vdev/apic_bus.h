/*
 * Which local APICs of a VM an interrupt message reaches (pure; SDM Vol. 3A
 * 11.6.2 destinations, 11.6.2.4 lowest priority, 11.12.9-11.12.10 x2APIC).
 */
#ifndef SABLE_HV_VDEV_APIC_BUS_H
#define SABLE_HV_VDEV_APIC_BUS_H

#include "hv/vdev/vlapic.h"
#include "types.h"

#define APIC_BUS_MAX 64 /* vCPUs a target set can name */

/*
 * The vCPU indexes (bit i = lapics[i]) msg reaches; msg->src is the sender's
 * index. Shorthands self / all / all-but-self; else physical (ID match, 0xff
 * or 0xffffffff broadcast), xAPIC logical flat (DFR 0xF: LDR[31:24] & dest)
 * or cluster (DFR 0x0: LDR[31:28] == dest[7:4] and LDR[27:24] & dest[3:0];
 * 0xff broadcast), x2APIC logical cluster (dest[31:16] == LDR[31:16] and
 * LDR[15:0] & dest[15:0]). Only APICs that accept msg's delivery mode are
 * named (vlapic_accepts_mode). Lowest priority picks one of them: the lowest
 * PPR, ties to the lowest index. NULL entries are skipped; n <= APIC_BUS_MAX.
 */
uint64_t apic_bus_targets(struct vlapic *const *lapics, uint32_t n, const struct apic_msg *msg);

#endif
