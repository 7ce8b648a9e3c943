/*
 * The virtual local APIC's registers (pure; see vlapic.h). SDM Vol. 3A ch. 11:
 * register map table 11-1 (xAPIC) and 11-6 (x2APIC), reset state 11.4.7,
 * IA32_APIC_BASE 11.4.4 and 11.12.5, priorities 11.8.3, EOI 11.8.5, ESR 11.5.3,
 * ICR 11.6.1, x2APIC MSR rules 11.12.1.2-11.12.1.3. The timer is in
 * vlapic_timer.c.
 */
#include "hv/vdev/vlapic.h"
#include "hv/vdev/vlapic_regs.h"
#include "err.h"

#define APIC_BASE_RESERVED_LOW 0x2ffull /* bits 0-7 and 9 */

/* Writable bits of each register (xAPIC view; x2APIC #GPs on the others). */
#define TPR_MASK     0xffu
#define LDR_MASK     0xff000000u
#define DFR_MASK     0xf0000000u
#define SPIV_MASK    0x3ffu /* vector, APIC enable, focus processor checking */
#define ICR_LO_MASK  0x000ccfffu
#define ICR_HI_MASK  0xff000000u
#define LVT_DM_MASK  0x107ffu /* vector, delivery mode, mask: thermal, PMC, CMCI */
#define LVT_LINT     0x1a7ffu /* and pin polarity, trigger mode: LINT0, LINT1 */
#define LVT_ERR_MASK 0x100ffu
#define LVTT_MASK    0x700ffu /* vector, mask, timer mode */
#define TDCR_MASK    0xbu
#define SELF_IPI_VEC 0xffu

#define ICR_DEST_LOGICAL BIT(11)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_TRIGGER_LVL  BIT(15)

/* ---- vector bit maps (ISR, TMR, IRR) ---- */

static int highest_vector(const struct vlapic *l, uint32_t base)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = reg_get(l, base + 0x10 * (uint32_t)i);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static volatile uint32_t *vec_word(struct vlapic *l, uint32_t base, uint8_t vec)
{
	return &l->regs[(base + 0x10 * (vec >> 5)) >> 2];
}

static void vec_set(struct vlapic *l, uint32_t base, uint8_t vec)
{
	__atomic_fetch_or(vec_word(l, base, vec), 1u << (vec & 31), __ATOMIC_ACQ_REL);
}

static void vec_clear(struct vlapic *l, uint32_t base, uint8_t vec)
{
	__atomic_fetch_and(vec_word(l, base, vec), ~(1u << (vec & 31)), __ATOMIC_ACQ_REL);
}

static bool vec_test(struct vlapic *l, uint32_t base, uint8_t vec)
{
	return *vec_word(l, base, vec) & (1u << (vec & 31));
}

/* ---- priorities (sec. 11.8.3.1) ---- */

void vlapic_update_ppr(struct vlapic *l)
{
	uint32_t tpr = reg_get(l, APIC_TASKPRI) & TPR_MASK;
	int isrv = vlapic_in_service(l);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	reg_set(l, APIC_PROCPRI, (tpr & 0xf0) >= isr_class ? tpr : isr_class);
}

uint32_t vlapic_ppr(const struct vlapic *l)
{
	return reg_get(l, APIC_PROCPRI);
}

/* APR (sec. 11.6.2.4, xAPIC only): TPR if it outranks IRR and ISR, else the
 * highest class of the three. */
static uint32_t apr(const struct vlapic *l)
{
	uint32_t tpr = reg_get(l, APIC_TASKPRI) & TPR_MASK;
	int irr = highest_vector(l, APIC_IRR), isr = vlapic_in_service(l);
	uint32_t irr_c = irr < 0 ? 0 : (uint32_t)irr & 0xf0,
		 isr_c = isr < 0 ? 0 : (uint32_t)isr & 0xf0;

	if ((tpr & 0xf0) >= irr_c && (tpr & 0xf0) > isr_c)
		return tpr;
	return MAX(tpr & 0xf0, MAX(irr_c, isr_c));
}

int vlapic_in_service(const struct vlapic *l)
{
	return highest_vector(l, APIC_ISR);
}

int vlapic_pending_vector(const struct vlapic *l)
{
	int v = highest_vector(l, APIC_IRR);

	if (v < 0 || ((uint32_t)v & 0xf0) <= (vlapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	vec_clear(l, APIC_IRR, vector);
	vec_set(l, APIC_ISR, vector);
	vlapic_update_ppr(l);
}

/* EOI (sec. 11.8.5): the highest in-service vector is done. */
static void eoi(struct vlapic *l)
{
	int v = vlapic_in_service(l);

	if (v < 0)
		return;
	vec_clear(l, APIC_ISR, (uint8_t)v);
	vlapic_update_ppr(l);
	if (vec_test(l, APIC_TMR, (uint8_t)v) && l->ops && l->ops->level_eoi)
		l->ops->level_eoi(l->ctx, (uint8_t)v);
}

/* ---- errors (sec. 11.5.3) ---- */

/* Logs err and raises the LVT error interrupt unless masked. Any CPU. */
void vlapic_error(struct vlapic *l, uint32_t err)
{
	uint32_t old = __atomic_fetch_or(&l->esr_pending, err, __ATOMIC_ACQ_REL);
	uint32_t lvt = reg_get(l, APIC_LVTERR);
	uint8_t vec = lvt & 0xff;

	if ((old & err) == err || (lvt & APIC_LVT_MASKED) || !vlapic_sw_enabled(l))
		return;
	if (vec < 16) /* the error vector itself is illegal: log that, no recursion */
		__atomic_fetch_or(&l->esr_pending, APIC_ESR_RECV_ILLEGAL, __ATOMIC_ACQ_REL);
	else
		vec_set(l, APIC_IRR, vec);
}

/* ---- state ---- */

bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->base & APIC_BASE_EN;
}

bool vlapic_sw_enabled(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && (reg_get(l, APIC_SPIV) & APIC_SPIV_ENABLE);
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

uint32_t vlapic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

static const uint32_t lvt_regs[] = {APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC,  APIC_LVT0,
                                    APIC_LVT1, APIC_LVTERR,  APIC_LVTCMCI};

/* The ID and LDR registers for the current mode. */
static void set_identity(struct vlapic *l)
{
	if (vlapic_x2apic_mode(l)) {
		reg_set(l, APIC_ID, l->id);
		reg_set(l, APIC_LDR, vlapic_x2apic_ldr(l->id));
	} else {
		reg_set(l, APIC_ID, (l->id & 0xff) << 24);
	}
}

/* Registers as after power-on or INIT (sec. 11.4.7.1): the ID and base stay. */
static void reset_regs(struct vlapic *l)
{
	for (uint32_t off = 0; off < PAGE_SIZE; off += 4)
		reg_set(l, off, 0);
	set_identity(l);
	reg_set(l, APIC_LVR, APIC_LVR_VALUE);
	reg_set(l, APIC_DFR, 0xffffffffu);
	reg_set(l, APIC_SPIV, 0xff);
	for (size_t i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		reg_set(l, lvt_regs[i], APIC_LVT_MASKED);
	__atomic_store_n(&l->esr_pending, 0, __ATOMIC_RELEASE);
	vlapic_timer_reset(l);
}

void vlapic_init(struct vlapic *l, volatile uint32_t *page, uint32_t id, bool bsp,
                 const struct vlapic_ops *ops, void *ctx)
{
	*l = (struct vlapic){.regs = page, .id = id, .ops = ops, .ctx = ctx};
	l->base = APIC_BASE_RESET | (bsp ? APIC_BASE_BSP : 0);
	reset_regs(l);
}

void vlapic_init_signal(struct vlapic *l)
{
	reset_regs(l);
	__atomic_store_n(&l->init_pending, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELEASE);
}

/* ---- IA32_APIC_BASE (sec. 11.4.4, 11.12.5) ---- */

int vlapic_base_check(uint64_t old, uint64_t val, bool x2apic_offered, uint32_t maxphyaddr)
{
	uint64_t reserved = APIC_BASE_RESERVED_LOW;
	bool old_x2 = (old & APIC_BASE_EN) && (old & APIC_BASE_EXTD);
	bool new_x2 = (val & APIC_BASE_EN) && (val & APIC_BASE_EXTD);

	if (maxphyaddr < 64)
		reserved |= ~0ull << maxphyaddr;
	if (!x2apic_offered)
		reserved |= APIC_BASE_EXTD;
	if (val & reserved)
		return -EINVAL;
	if ((val & APIC_BASE_EXTD) && !(val & APIC_BASE_EN))
		return -EINVAL; /* the invalid state EN=0, EXTD=1 */
	if (old_x2 && (val & APIC_BASE_EN) && !new_x2)
		return -EINVAL; /* x2APIC to xAPIC: only through disabled */
	if (!(old & APIC_BASE_EN) && new_x2)
		return -EINVAL; /* disabled to x2APIC: only through xAPIC */
	return 0;
}

uint64_t vlapic_get_base(const struct vlapic *l)
{
	return l->base;
}

int vlapic_set_base(struct vlapic *l, uint64_t val, bool x2apic_offered, uint32_t maxphyaddr)
{
	bool was_en = vlapic_hw_enabled(l), was_x2 = vlapic_x2apic_mode(l);

	if (vlapic_base_check(l->base, val, x2apic_offered, maxphyaddr) < 0)
		return -EINVAL;
	l->base = val;
	if (was_en && !vlapic_hw_enabled(l))
		reset_regs(l); /* disabled: the state after reset, re-enabled as such */
	else if (!was_x2 && vlapic_x2apic_mode(l))
		set_identity(l);
	return 0;
}

/* ---- register reads ---- */

/* Offsets of the xAPIC page that hold a register (table 11-1). */
static bool xapic_reg_exists(uint32_t off)
{
	if (off & 0xf)
		return false;
	switch (off) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_ARBPRI:
	case APIC_PROCPRI:
	case APIC_EOI:
	case APIC_RRR:
	case APIC_LDR:
	case APIC_DFR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_LVTCMCI:
	case APIC_ICR:
	case APIC_ICR2:
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		return true;
	}
	return off >= APIC_ISR && off < APIC_ESR;
}

/* The value a read of off returns (register exists in this mode). */
static uint32_t reg_read(const struct vlapic *l, uint32_t off, uint64_t now)
{
	switch (off) {
	case APIC_ARBPRI:
		return apr(l);
	case APIC_EOI:
	case APIC_RRR:
		return 0;
	case APIC_DFR:
		return reg_get(l, APIC_DFR) | ~DFR_MASK;
	case APIC_TMCCT:
		return vlapic_timer_count(l, now);
	}
	return reg_get(l, off);
}

uint32_t vlapic_reg(const struct vlapic *l, uint32_t offset)
{
	return reg_read(l, offset, 0);
}

int vlapic_mmio_read(struct vlapic *l, uint32_t offset, uint32_t *val, uint64_t now)
{
	if (!vlapic_hw_enabled(l) || vlapic_x2apic_mode(l) || offset >= PAGE_SIZE)
		return -EINVAL;
	if (!xapic_reg_exists(offset)) {
		vlapic_error(l, APIC_ESR_ILLEGAL_REG);
		*val = 0;
		return 0;
	}
	*val = reg_read(l, offset, now);
	return 0;
}

static uint32_t x2apic_offset(uint32_t msr);

/* ---- register writes ---- */

/* An LVT entry keeps its mask bit while the APIC is software-disabled (sec. 11.4.7.2). */
static void lvt_write(struct vlapic *l, uint32_t off, uint32_t val)
{
	if (!vlapic_sw_enabled(l))
		val |= APIC_LVT_MASKED;
	reg_set(l, off, val);
}

static void spiv_write(struct vlapic *l, uint32_t val)
{
	reg_set(l, APIC_SPIV, val);
	if (val & APIC_SPIV_ENABLE)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		reg_set(l, lvt_regs[i], reg_get(l, lvt_regs[i]) | APIC_LVT_MASKED);
}

/* ESR is write-then-read: a write latches the errors logged since the last one. */
static void esr_write(struct vlapic *l)
{
	reg_set(l, APIC_ESR, __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_ACQ_REL));
}

/* A fixed or lowest-priority message with a vector below 16 is not sent
 * (ESR "send illegal vector"); neither is an INIT level de-assert, which
 * only synchronizes arbitration IDs on old APICs (sec. 11.6.1). */
static void send(struct vlapic *l, struct apic_msg *msg)
{
	if ((msg->mode == APIC_DM_FIXED || msg->mode == APIC_DM_LOWEST) && msg->vector < 16) {
		vlapic_error(l, APIC_ESR_SEND_ILLEGAL);
		return;
	}
	if (msg->mode == APIC_DM_INIT && msg->level && !msg->assert)
		return;
	msg->src = l->id;
	if (l->ops && l->ops->send)
		l->ops->send(l->ctx, msg);
}

/* ICR low was written: the message goes out; delivery status stays idle. */
static void icr_send(struct vlapic *l)
{
	uint32_t lo = reg_get(l, APIC_ICR), hi = reg_get(l, APIC_ICR2);
	bool x2 = vlapic_x2apic_mode(l);
	struct apic_msg msg = {
		.vector = lo & 0xff,
		.mode = (lo >> 8) & 7,
		.shorthand = (lo >> 18) & 3,
		.logical = lo & ICR_DEST_LOGICAL,
		.level = lo & ICR_TRIGGER_LVL,
		.assert = lo & ICR_LEVEL_ASSERT,
		.x2apic = x2,
		.dest = x2 ? hi : hi >> 24,
	};

	send(l, &msg);
}

static void self_ipi(struct vlapic *l, uint8_t vector)
{
	struct apic_msg msg = {.vector = vector, .shorthand = APIC_DEST_SELF, .x2apic = true};

	send(l, &msg);
}

/*
 * A write of val to register off in the current mode. strict (x2APIC WRMSR):
 * -EINVAL for read-only or absent registers and for reserved bits set
 * (sec. 11.12.1.2-11.12.1.3). Otherwise reserved bits are dropped and
 * writes to read-only registers leave them as they are.
 */
static int reg_write(struct vlapic *l, uint32_t off, uint64_t val, bool strict, uint64_t now)
{
	bool x2 = vlapic_x2apic_mode(l);
	uint32_t mask, v32 = (uint32_t)val;

	if (strict && off != APIC_ICR && (val >> 32))
		return -EINVAL;
	switch (off) {
	case APIC_TASKPRI:
		mask = TPR_MASK;
		break;
	case APIC_EOI:
		mask = x2 ? 0 : ~0u; /* x2APIC: a non-zero write #GPs */
		break;
	case APIC_LDR:
		if (x2 && strict)
			return -EINVAL; /* read-only in x2APIC mode */
		mask = LDR_MASK;
		break;
	case APIC_DFR:
		mask = DFR_MASK;
		break;
	case APIC_SPIV:
		mask = SPIV_MASK;
		break;
	case APIC_ESR:
		mask = x2 ? 0 : ~0u;
		break;
	case APIC_ICR:
		mask = ICR_LO_MASK;
		break;
	case APIC_ICR2:
		mask = ICR_HI_MASK;
		break;
	case APIC_LVTT:
		mask = LVTT_MASK;
		if (((v32 >> 17) & 3) == 3) { /* mode 11b is reserved */
			if (strict)
				return -EINVAL;
			v32 &= ~BIT(18);
		}
		break;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVTCMCI:
		mask = LVT_DM_MASK;
		break;
	case APIC_LVT0:
	case APIC_LVT1:
		mask = LVT_LINT;
		break;
	case APIC_LVTERR:
		mask = LVT_ERR_MASK;
		break;
	case APIC_TMICT:
		mask = ~0u;
		break;
	case APIC_TDCR:
		mask = TDCR_MASK;
		break;
	case APIC_SELF_IPI:
		mask = SELF_IPI_VEC;
		break;
	default: /* read-only: ID, LVR, APR, PPR, RRR, ISR/TMR/IRR, TMCCT */
		if (strict)
			return -EINVAL;
		if (off == APIC_ID || off == APIC_LDR)
			set_identity(l); /* the CPU may have written the page (APIC-write) */
		return 0;
	}
	if (strict && (v32 & ~mask))
		return -EINVAL;
	v32 &= mask;

	switch (off) {
	case APIC_TASKPRI:
		reg_set(l, off, v32);
		vlapic_update_ppr(l);
		break;
	case APIC_EOI:
		eoi(l);
		break;
	case APIC_LDR:
		if (x2)
			set_identity(l);
		else
			reg_set(l, off, v32);
		break;
	case APIC_SPIV:
		spiv_write(l, v32);
		break;
	case APIC_ESR:
		esr_write(l);
		break;
	case APIC_ICR:
		reg_set(l, APIC_ICR, v32);
		if (x2)
			reg_set(l, APIC_ICR2, (uint32_t)(val >> 32));
		icr_send(l);
		break;
	case APIC_LVTT:
		vlapic_timer_lvt_write(l, v32 | (vlapic_sw_enabled(l) ? 0 : APIC_LVT_MASKED), now);
		break;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVTCMCI:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		lvt_write(l, off, v32);
		break;
	case APIC_TMICT:
		vlapic_timer_initial_write(l, v32, now);
		break;
	case APIC_TDCR:
		vlapic_timer_divide_write(l, v32, now);
		break;
	case APIC_SELF_IPI:
		self_ipi(l, (uint8_t)v32);
		break;
	default:
		reg_set(l, off, v32);
		break;
	}
	return 0;
}

int vlapic_mmio_write(struct vlapic *l, uint32_t offset, uint32_t val, uint64_t now)
{
	if (!vlapic_hw_enabled(l) || vlapic_x2apic_mode(l) || offset >= PAGE_SIZE)
		return -EINVAL;
	if (!xapic_reg_exists(offset)) {
		vlapic_error(l, APIC_ESR_ILLEGAL_REG);
		return 0;
	}
	return reg_write(l, offset, val, false, now);
}

void vlapic_write_done(struct vlapic *l, uint32_t offset, uint64_t now)
{
	uint64_t val = reg_get(l, offset & 0xff0);

	offset &= 0xff0;
	if (offset == APIC_ICR && vlapic_x2apic_mode(l))
		val |= (uint64_t)reg_get(l, APIC_ICR2) << 32;
	if (vlapic_x2apic_mode(l) ? x2apic_offset(X2APIC_MSR_BASE + (offset >> 4)) != 0
	                          : xapic_reg_exists(offset))
		reg_write(l, offset, val, false, now);
}

/* ---- x2APIC MSRs (sec. 11.12.1.2) ---- */

/* The page offset of x2APIC MSR msr, or 0 if it names no x2APIC register. */
static uint32_t x2apic_offset(uint32_t msr)
{
	uint32_t off;

	if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
		return 0;
	off = (msr - X2APIC_MSR_BASE) << 4;
	switch (off) {
	case APIC_ARBPRI: /* no APR, RRR, DFR or ICR high in x2APIC mode */
	case APIC_RRR:
	case APIC_DFR:
	case APIC_ICR2:
		return 0;
	case APIC_SELF_IPI:
		return off;
	}
	return xapic_reg_exists(off) ? off : 0;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now)
{
	uint32_t off;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		vlapic_timer_poll(l, now); /* one that fired reads 0 */
		*val = vlapic_timer_tsc_deadline(l);
		return 0;
	}
	off = x2apic_offset(msr);
	if (!off || !vlapic_x2apic_mode(l) || off == APIC_EOI || off == APIC_SELF_IPI)
		return -EINVAL; /* EOI and SELF IPI are write-only: RDMSR #GPs */
	*val = reg_read(l, off, now);
	if (off == APIC_ICR)
		*val |= (uint64_t)reg_get(l, APIC_ICR2) << 32;
	return 0;
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now)
{
	uint32_t off;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		vlapic_timer_tsc_deadline_write(l, val, now);
		return 0;
	}
	off = x2apic_offset(msr);
	if (!off || !vlapic_x2apic_mode(l))
		return -EINVAL;
	return reg_write(l, off, val, true, now);
}

/* ---- acceptance (sec. 11.6.2, 11.4.7.2) ---- */

bool vlapic_accepts_mode(const struct vlapic *l, uint8_t mode)
{
	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		return vlapic_sw_enabled(l);
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_SIPI:
		return vlapic_hw_enabled(l);
	}
	return false; /* SMI, ExtINT and reserved modes are not modelled */
}

bool vlapic_accept(struct vlapic *l, const struct apic_msg *msg)
{
	if (!vlapic_accepts_mode(l, msg->mode))
		return false;
	switch (msg->mode) {
	case APIC_DM_NMI:
		__atomic_store_n(&l->nmi_pending, 1, __ATOMIC_RELEASE);
		return true;
	case APIC_DM_INIT:
		if (msg->level && !msg->assert)
			return false;
		__atomic_store_n(&l->init_pending, 1, __ATOMIC_RELEASE);
		return true;
	case APIC_DM_SIPI:
		l->sipi_vector = msg->vector;
		__atomic_store_n(&l->sipi_pending, 1, __ATOMIC_RELEASE);
		return true;
	}
	if (msg->vector < 16) {
		vlapic_error(l, APIC_ESR_RECV_ILLEGAL);
		return false;
	}
	if (msg->level)
		vec_set(l, APIC_TMR, msg->vector);
	else
		vec_clear(l, APIC_TMR, msg->vector);
	vec_set(l, APIC_IRR, msg->vector);
	return true;
}

bool vlapic_take_nmi(struct vlapic *l)
{
	return __atomic_exchange_n(&l->nmi_pending, 0, __ATOMIC_ACQ_REL);
}

bool vlapic_take_init(struct vlapic *l)
{
	return __atomic_exchange_n(&l->init_pending, 0, __ATOMIC_ACQ_REL);
}

int vlapic_take_sipi(struct vlapic *l)
{
	if (!__atomic_exchange_n(&l->sipi_pending, 0, __ATOMIC_ACQ_REL))
		return -1;
	return l->sipi_vector;
}

/* A fixed, edge-triggered interrupt from the APIC itself (LVT timer). */
bool vlapic_local_irq(struct vlapic *l, uint8_t vector)
{
	struct apic_msg msg = {.vector = vector, .mode = APIC_DM_FIXED};

	return vlapic_accept(l, &msg);
}
