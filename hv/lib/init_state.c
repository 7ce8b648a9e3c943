/* Processor state after RESET/INIT and at a SIPI (SDM Vol. 3A sec. 10.1.1, table 10-1). */
#include "hv/lib/init_state.h"
#include "x86.h"

#define RESET_CS_SEL    0xf000
#define RESET_CS_BASE   0xffff0000ull
#define RESET_RIP       0xfff0
#define REAL_MODE_LIMIT 0xffff
#define RFLAGS_FIXED    BIT(1)
#define RESET_DR6       0xffff0ff0ull
#define RESET_DR7       0x400ull
#define CR0_POWER_ON    (CR0_CD | CR0_NW | CR0_ET) /* 60000010H */

static struct init_seg seg(uint16_t sel, uint64_t base, uint32_t type, bool s)
{
	return (struct init_seg){.sel = sel,
	                         .base = base,
	                         .limit = REAL_MODE_LIMIT,
	                         .ar = INIT_AR_PRESENT | (s ? INIT_AR_S : 0) | type};
}

void init_state_after_init(struct init_state *s, uint64_t old_cr0, bool power_on,
                           uint32_t signature)
{
	/* INIT keeps CD and NW (table 10-1, note 2); ET is always set */
	s->cr0 = power_on ? CR0_POWER_ON : (old_cr0 & (CR0_CD | CR0_NW)) | CR0_ET;
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->rip = RESET_RIP;
	s->rflags = RFLAGS_FIXED;
	s->rdx = signature;
	s->efer = 0;
	s->dr6 = RESET_DR6;
	s->dr7 = RESET_DR7;
	s->cs = seg(RESET_CS_SEL, RESET_CS_BASE, INIT_AR_CODE_RX, true);
	s->data = seg(0, 0, INIT_AR_DATA_RW, true);
	s->ldtr = seg(0, 0, INIT_AR_LDT, false);
	s->tr = seg(0, 0, INIT_AR_TSS_BUSY, false);
	s->gdtr_base = 0;
	s->idtr_base = 0;
	s->gdtr_limit = REAL_MODE_LIMIT;
	s->idtr_limit = REAL_MODE_LIMIT;
}

void init_state_sipi(uint8_t vector, struct init_seg *cs, uint64_t *rip)
{
	*cs = seg((uint16_t)(vector << 8), (uint64_t)vector << 12, INIT_AR_CODE_RX, true);
	*rip = 0;
}
