/* The architectural state of a processor after RESET or INIT, and where a
 * startup IPI starts it (SDM Vol. 3A sec. 10.1.1 table 10-1, sec. 11.6.1 and
 * 11.4.4.1), as data a backend writes into its control structure (pure). */
#ifndef SABLE_HV_LIB_INIT_STATE_H
#define SABLE_HV_LIB_INIT_STATE_H

#include "types.h"

/* Segment access rights in the VMX layout (SDM Vol. 3C sec. 25.4.1, table 25-2). */
#define INIT_AR_PRESENT  BIT(7)
#define INIT_AR_S        BIT(4) /* code or data, not system */
#define INIT_AR_DATA_RW  0x3    /* read/write, accessed */
#define INIT_AR_CODE_RX  0xb    /* execute/read, accessed */
#define INIT_AR_LDT      0x2
#define INIT_AR_TSS_BUSY 0xb /* 32-bit busy TSS: what VM entry accepts for TR */

struct init_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

struct init_state {
	uint64_t cr0, cr2, cr3, cr4;
	uint64_t rip, rflags, rdx; /* every other general register is 0 */
	uint64_t efer, dr7, dr6;
	struct init_seg cs, data, ldtr, tr; /* data: SS, DS, ES, FS, GS */
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
};

/* The state after INIT given CR0 before it (after RESET: power_on), with
 * EDX = signature (CPUID.1:EAX). x87/SSE/AVX registers, MTRRs, PAT and the
 * other MSRs table 10-1 leaves as they were are not part of it. */
void init_state_after_init(struct init_state *s, uint64_t old_cr0, bool power_on,
                           uint32_t signature);
/* A SIPI with this vector to a processor in wait-for-SIPI starts it in the
 * state INIT left, but with CS and IP here: real mode at vector << 12, CS
 * selector vector << 8, IP 0 (sec. 11.4.4.1). */
void init_state_sipi(uint8_t vector, struct init_seg *cs, uint64_t *rip);

#endif
