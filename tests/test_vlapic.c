/* Unit tests for hv/vdev/vlapic.c and vlapic_timer.c: the virtual local APIC's
 * registers, modes, priorities, errors, ICR messages and timer on a fake clock.
 * Each group cites the SDM Vol. 3A rule it checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/vdev/vlapic.h"
#include "param.h"

#define BASE_XAPIC  (0xfee00000ull | APIC_BASE_EN | APIC_BASE_BSP)
#define BASE_X2APIC (BASE_XAPIC | APIC_BASE_EXTD)
#define BASE_OFF    0xfee00000ull
#define BASE_INVAL  (0xfee00000ull | APIC_BASE_EXTD) /* EXTD without EN */
#define MAXPA       40

static uint32_t page[1024] __attribute__((aligned(4096)));
static struct apic_msg sent[8];
static unsigned nsent;

static void record_send(void *ctx, const struct apic_msg *msg)
{
	(void)ctx;
	if (nsent < 8)
		sent[nsent] = *msg;
	nsent++;
}

static int eoi_vectors[8];
static unsigned neoi;

static void record_level_eoi(void *ctx, uint8_t vector)
{
	(void)ctx;
	if (neoi < 8)
		eoi_vectors[neoi] = vector;
	neoi++;
}

static const struct vlapic_ops ops = {.send = record_send, .level_eoi = record_level_eoi};

/* A fresh APIC with ID id, its SPIV enabled (vector 0xff). */
static void setup(struct vlapic *l, uint32_t id)
{
	memset(page, 0xa5, sizeof(page)); /* init must clear it */
	nsent = 0;
	neoi = 0;
	vlapic_init(l, page, id, id == 0, &ops, NULL);
}

static uint32_t rd(struct vlapic *l, uint32_t off, uint64_t now)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(vlapic_mmio_read(l, off, &v, now), 0);
	return v;
}

static void wr(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now)
{
	assert_int_equal(vlapic_mmio_write(l, off, val, now), 0);
}

static void sw_enable(struct vlapic *l)
{
	wr(l, APIC_SPIV, APIC_SPIV_ENABLE | 0xff, 0);
}

static void to_x2apic(struct vlapic *l)
{
	assert_int_equal(vlapic_set_base(l, vlapic_get_base(l) | APIC_BASE_EXTD, true, MAXPA), 0);
}

static uint64_t msr_rd(struct vlapic *l, uint32_t msr, uint64_t now)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(vlapic_msr_read(l, msr, &v, now), 0);
	return v;
}

static int accept_fixed(struct vlapic *l, uint8_t vec, bool level)
{
	struct apic_msg m = {.vector = vec, .mode = APIC_DM_FIXED, .level = level, .assert = true};

	return vlapic_accept(l, &m);
}

static bool irr_has(struct vlapic *l, uint8_t v)
{
	return rd(l, APIC_IRR + 0x10 * (v >> 5), 0) & (1u << (v & 31));
}

static bool isr_has(struct vlapic *l, uint8_t v)
{
	return rd(l, APIC_ISR + 0x10 * (v >> 5), 0) & (1u << (v & 31));
}

/* ---- power-on state (sec. 11.4.7.1, 11.4.4) ---- */

static void test_reset_state(void **state)
{
	struct vlapic l;

	setup(&l, 3);
	assert_int_equal(vlapic_get_base(&l), 0xfee00000ull | APIC_BASE_EN);
	assert_int_equal(rd(&l, APIC_ID, 0), 3u << 24);
	assert_int_equal(rd(&l, APIC_LVR, 0), APIC_LVR_VALUE);
	assert_int_equal((rd(&l, APIC_LVR, 0) >> 16) & 0xff, 6); /* 7 LVT entries */
	assert_false(rd(&l, APIC_LVR, 0) & BIT(24));             /* no directed EOI */
	assert_int_equal(rd(&l, APIC_DFR, 0), 0xffffffffu);
	assert_int_equal(rd(&l, APIC_SPIV, 0), 0xff);
	assert_int_equal(rd(&l, APIC_TASKPRI, 0), 0);
	assert_int_equal(rd(&l, APIC_PROCPRI, 0), 0);
	assert_int_equal(rd(&l, APIC_LDR, 0), 0);
	assert_int_equal(rd(&l, APIC_ICR, 0), 0);
	assert_int_equal(rd(&l, APIC_TMICT, 0), 0);
	assert_int_equal(rd(&l, APIC_TDCR, 0), 0);
	for (uint32_t off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		assert_int_equal(rd(&l, off, 0), APIC_LVT_MASKED);
	assert_int_equal(rd(&l, APIC_LVTCMCI, 0), APIC_LVT_MASKED);
	for (uint32_t off = APIC_ISR; off < APIC_ESR; off += 0x10)
		assert_int_equal(rd(&l, off, 0), 0);
	assert_true(vlapic_hw_enabled(&l));
	assert_false(vlapic_sw_enabled(&l));
	assert_false(vlapic_x2apic_mode(&l));
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	setup(&l, 0);
	assert_int_equal(vlapic_get_base(&l), BASE_XAPIC); /* the BSP flag */
}

/* ---- writable bits (table 11-1, figures 11-8, 11-23, 11-26) ---- */

static void test_register_masks(void **state)
{
	static const struct {
		uint32_t off, mask;
	} regs[] = {
		{APIC_TASKPRI, 0xff},    {APIC_LDR, 0xff000000},         {APIC_SPIV, 0x3ff},
		{APIC_ICR2, 0xff000000}, {APIC_LVTT, 0x700ff - BIT(18)}, /* 11b reserved */
		{APIC_LVTTHMR, 0x107ff}, {APIC_LVTPC, 0x107ff},          {APIC_LVT0, 0x1a7ff},
		{APIC_LVT1, 0x1a7ff},    {APIC_LVTERR, 0x100ff},         {APIC_LVTCMCI, 0x107ff},
		{APIC_TDCR, 0xb},        {APIC_TMICT, 0xffffffff},
	};
	struct vlapic l;

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		setup(&l, 1);
		sw_enable(&l);
		wr(&l, regs[i].off, 0xffffffff, 0);
		assert_int_equal(rd(&l, regs[i].off, 0), regs[i].mask);
		wr(&l, regs[i].off, 0, 0);
		assert_int_equal(rd(&l, regs[i].off, 0), 0);
	}
	setup(&l, 1);
	wr(&l, APIC_DFR, 0x0fffffff, 0); /* cluster model; bits 27:0 read as ones */
	assert_int_equal(rd(&l, APIC_DFR, 0), 0x0fffffff);
	wr(&l, APIC_DFR, 0, 0);
	assert_int_equal(rd(&l, APIC_DFR, 0), 0x0fffffff);
	/* ICR low: delivery status (bit 12) never reads busy */
	wr(&l, APIC_ICR2, 0, 0);
	wr(&l, APIC_ICR, 0xffffffff, 0);
	assert_int_equal(rd(&l, APIC_ICR, 0), 0x000ccfff);
}

static void test_read_only_registers(void **state)
{
	struct vlapic l;

	setup(&l, 2);
	sw_enable(&l);
	wr(&l, APIC_ID, 0x07000000, 0); /* the ID is read-only here (sec. 11.4.6) */
	assert_int_equal(rd(&l, APIC_ID, 0), 2u << 24);
	wr(&l, APIC_LVR, 0, 0);
	assert_int_equal(rd(&l, APIC_LVR, 0), APIC_LVR_VALUE);
	wr(&l, APIC_PROCPRI, 0xff, 0);
	assert_int_equal(rd(&l, APIC_PROCPRI, 0), 0);
	wr(&l, APIC_IRR + 0x10, 0xffffffff, 0);
	wr(&l, APIC_ISR + 0x10, 0xffffffff, 0);
	wr(&l, APIC_TMR + 0x10, 0xffffffff, 0);
	assert_int_equal(rd(&l, APIC_IRR + 0x10, 0), 0);
	assert_int_equal(rd(&l, APIC_ISR + 0x10, 0), 0);
	assert_int_equal(rd(&l, APIC_TMR + 0x10, 0), 0);
	wr(&l, APIC_TMCCT, 1234, 0);
	assert_int_equal(rd(&l, APIC_TMCCT, 0), 0);
	assert_int_equal(rd(&l, APIC_EOI, 0), 0); /* write-only: reads 0 */
	/* a reserved offset reads 0 and logs "illegal register address" (sec. 11.5.3) */
	assert_int_equal(rd(&l, 0x40, 0), 0);
	assert_int_equal(rd(&l, APIC_TASKPRI + 4, 0), 0);
	wr(&l, APIC_ESR, 0, 0);
	assert_int_equal(rd(&l, APIC_ESR, 0), APIC_ESR_ILLEGAL_REG);
	/* SELF IPI is x2APIC only */
	wr(&l, APIC_SELF_IPI, 0x40, 0);
	assert_int_equal(nsent, 0);
}

/* ---- IA32_APIC_BASE (sec. 11.4.4, 11.12.5, fig. 11-27) ---- */

static void test_base_reserved_bits(void **state)
{
	for (unsigned b = 0; b < 64; b++) {
		uint64_t v = BASE_XAPIC | BIT(b);
		bool reserved = b <= 7 || b == 9 || b >= MAXPA || b == 10;

		if (b == 8 || b == 11)
			v = BASE_XAPIC & ~BIT(b); /* BSP and EN are writable both ways */
		assert_int_equal(vlapic_base_check(BASE_XAPIC, v, false, MAXPA),
		                 reserved ? -EINVAL : 0);
	}
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_XAPIC | BIT(51), false, 52), 0);
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_XAPIC | BIT(52), false, 52), -EINVAL);
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_XAPIC | BIT(35), false, 36), 0);
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_XAPIC | BIT(36), false, 36), -EINVAL);
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_XAPIC | BIT(63), false, 64), 0);
	/* EXTD only when x2APIC is offered */
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_X2APIC, false, MAXPA), -EINVAL);
	assert_int_equal(vlapic_base_check(BASE_XAPIC, BASE_X2APIC, true, MAXPA), 0);
}

/* Every pair of the four EN/EXTD states: which transitions fig. 11-27 allows. */
static void test_base_transitions(void **state)
{
	static const uint64_t st[4] = {BASE_OFF, BASE_INVAL, BASE_XAPIC, BASE_X2APIC};
	/* allowed[from][to]: off, invalid, xAPIC, x2APIC */
	static const bool allowed[4][4] = {
		{true, false, true, false}, /* off: to xAPIC only */
		{true, false, true, false}, /* (never reached; the value rules still apply) */
		{true, false, true, true},  /* xAPIC: off or x2APIC */
		{true, false, false, true}, /* x2APIC: off only */
	};

	for (int f = 0; f < 4; f++)
		for (int t = 0; t < 4; t++)
			assert_int_equal(vlapic_base_check(st[f], st[t], true, MAXPA),
			                 allowed[f][t] ? 0 : -EINVAL);
}

static void test_base_moves_and_refusals_keep_state(void **state)
{
	struct vlapic l;

	setup(&l, 5);
	assert_int_equal(vlapic_set_base(&l, 0xfed00000ull | APIC_BASE_EN, false, MAXPA), 0);
	assert_int_equal(vlapic_get_base(&l), 0xfed00000ull | APIC_BASE_EN);
	assert_int_equal(vlapic_set_base(&l, BASE_X2APIC, false, MAXPA), -EINVAL);
	assert_int_equal(vlapic_set_base(&l, BASE_OFF | BIT(9), true, MAXPA), -EINVAL);
	assert_int_equal(vlapic_get_base(&l), 0xfed00000ull | APIC_BASE_EN);
	assert_true(vlapic_hw_enabled(&l));
}

/* Disabling resets the APIC: re-enabled, it is in its power-on state (sec. 11.4.3). */
static void test_base_disable_resets(void **state)
{
	struct vlapic l;
	uint32_t v;

	setup(&l, 4);
	sw_enable(&l);
	wr(&l, APIC_TASKPRI, 0x20, 0);
	wr(&l, APIC_LVT0, 0x700, 0);
	wr(&l, APIC_TMICT, 1000, 0);
	accept_fixed(&l, 0x40, false);
	assert_int_equal(vlapic_set_base(&l, BASE_OFF, true, MAXPA), 0);
	assert_false(vlapic_hw_enabled(&l));
	assert_int_equal(vlapic_mmio_read(&l, APIC_ID, &v, 0), -EINVAL); /* no MMIO while off */
	assert_int_equal(vlapic_mmio_write(&l, APIC_TASKPRI, 0, 0), -EINVAL);
	assert_false(accept_fixed(&l, 0x41, false));
	assert_int_equal(vlapic_set_base(&l, BASE_OFF | APIC_BASE_EN, true, MAXPA), 0);
	assert_int_equal(rd(&l, APIC_ID, 0), 4u << 24);
	assert_int_equal(rd(&l, APIC_TASKPRI, 0), 0);
	assert_int_equal(rd(&l, APIC_SPIV, 0), 0xff);
	assert_int_equal(rd(&l, APIC_LVT0, 0), APIC_LVT_MASKED);
	assert_int_equal(rd(&l, APIC_TMICT, 0), 0);
	assert_false(irr_has(&l, 0x40));
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
}

/* ---- x2APIC view (sec. 11.12.1-11.12.1.3, 11.12.10.2, table 11-6) ---- */

static void test_x2apic_identity(void **state)
{
	struct vlapic l;
	uint32_t v;

	setup(&l, 0x25);
	sw_enable(&l);
	wr(&l, APIC_TASKPRI, 0x30, 0); /* preserved across the switch */
	to_x2apic(&l);
	assert_true(vlapic_x2apic_mode(&l));
	assert_int_equal(msr_rd(&l, 0x802, 0), 0x25);
	assert_int_equal(msr_rd(&l, 0x803, 0), APIC_LVR_VALUE);
	assert_int_equal(msr_rd(&l, 0x80d, 0), (2u << 16) | (1u << 5));
	assert_int_equal(vlapic_x2apic_ldr(0x25), 0x20020);
	assert_int_equal(msr_rd(&l, 0x808, 0), 0x30);
	assert_int_equal(msr_rd(&l, 0x80f, 0), 0x1ff);
	/* the page holds the x2APIC values too (virtual-APIC page) */
	assert_int_equal(vlapic_reg(&l, APIC_ID), 0x25);
	/* MMIO is gone in x2APIC mode */
	assert_int_equal(vlapic_mmio_read(&l, APIC_ID, &v, 0), -EINVAL);
	assert_int_equal(vlapic_mmio_write(&l, APIC_TASKPRI, 0, 0), -EINVAL);
	/* a full 32-bit ID */
	setup(&l, 0x12345);
	to_x2apic(&l);
	assert_int_equal(msr_rd(&l, 0x802, 0), 0x12345);
	assert_int_equal(msr_rd(&l, 0x80d, 0), (0x1234u << 16) | (1u << 5));
}

static void test_x2apic_gp_rules(void **state)
{
	static const uint32_t absent[] = {0x800, 0x801, 0x804, 0x807, 0x809, 0x80c, 0x80e,
	                                  0x829, 0x82e, 0x831, 0x83a, 0x83d, 0x840, 0x8ff};
	static const uint32_t read_only[] = {0x802, 0x803, 0x80a, 0x80d, 0x810,
	                                     0x817, 0x818, 0x820, 0x827, 0x839};
	struct vlapic l;
	uint64_t v;

	setup(&l, 1);
	/* not in x2APIC mode: every x2APIC MSR #GPs */
	assert_int_equal(vlapic_msr_read(&l, 0x802, &v, 0), -EINVAL);
	assert_int_equal(vlapic_msr_write(&l, 0x808, 0, 0), -EINVAL);
	to_x2apic(&l);
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
		assert_int_equal(vlapic_msr_read(&l, absent[i], &v, 0), -EINVAL);
		assert_int_equal(vlapic_msr_write(&l, absent[i], 0, 0), -EINVAL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(read_only); i++) {
		assert_int_equal(vlapic_msr_read(&l, read_only[i], &v, 0), 0);
		assert_int_equal(vlapic_msr_write(&l, read_only[i], 0, 0), -EINVAL);
	}
	/* write-only */
	assert_int_equal(vlapic_msr_read(&l, 0x80b, &v, 0), -EINVAL); /* EOI */
	assert_int_equal(vlapic_msr_read(&l, 0x83f, &v, 0), -EINVAL); /* SELF IPI */
	/* reserved bits (RsvdZ) */
	assert_int_equal(vlapic_msr_write(&l, 0x80b, 1, 0), -EINVAL); /* EOI must be 0 */
	assert_int_equal(vlapic_msr_write(&l, 0x828, 1, 0), -EINVAL); /* ESR must be 0 */
	assert_int_equal(vlapic_msr_write(&l, 0x808, 0x100, 0), -EINVAL);
	assert_int_equal(vlapic_msr_write(&l, 0x808, BIT(32), 0), -EINVAL);
	assert_int_equal(vlapic_msr_write(&l, 0x80f, BIT(12), 0), -EINVAL); /* no EOI suppression */
	assert_int_equal(vlapic_msr_write(&l, 0x832, BIT(19), 0), -EINVAL);
	assert_int_equal(vlapic_msr_write(&l, 0x832, 3u << 17, 0), -EINVAL); /* mode 11b */
	assert_int_equal(vlapic_msr_write(&l, 0x835, BIT(12), 0), -EINVAL);  /* delivery status */
	assert_int_equal(vlapic_msr_write(&l, 0x83e, 4, 0), -EINVAL);
	assert_int_equal(vlapic_msr_write(&l, 0x83f, 0x100, 0), -EINVAL);
	assert_int_equal(vlapic_msr_write(&l, 0x830, BIT(13) | 0x40, 0), -EINVAL);
	assert_int_equal(nsent, 0);
	/* and the valid ones */
	assert_int_equal(vlapic_msr_write(&l, 0x808, 0xff, 0), 0);
	assert_int_equal(vlapic_msr_write(&l, 0x80b, 0, 0), 0);
	assert_int_equal(vlapic_msr_write(&l, 0x828, 0, 0), 0);
	assert_int_equal(vlapic_msr_write(&l, 0x80f, 0x1ff, 0), 0);
	assert_int_equal(vlapic_msr_write(&l, 0x832, 0x200ef, 0), 0);
	assert_int_equal(msr_rd(&l, 0x832, 0), 0x200ef);
}

/* ICR is one 64-bit MSR with a 32-bit destination; SELF IPI (sec. 11.12.9, 11.12.11). */
static void test_x2apic_icr_and_self_ipi(void **state)
{
	struct vlapic l;

	setup(&l, 7);
	to_x2apic(&l);
	assert_int_equal(vlapic_msr_write(&l, 0x830, (0x12345ull << 32) | 0x4840, 0), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].vector, 0x40);
	assert_int_equal(sent[0].mode, APIC_DM_FIXED);
	assert_true(sent[0].logical);
	assert_true(sent[0].x2apic);
	assert_int_equal(sent[0].dest, 0x12345);
	assert_int_equal(sent[0].src, 7);
	assert_int_equal(msr_rd(&l, 0x830, 0), (0x12345ull << 32) | 0x4840);
	assert_int_equal(vlapic_msr_write(&l, 0x83f, 0x55, 0), 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].vector, 0x55);
	assert_int_equal(sent[1].shorthand, APIC_DEST_SELF);
	assert_int_equal(sent[1].mode, APIC_DM_FIXED);
}

/* ---- software disable through SPIV (sec. 11.4.7.2) ---- */

static void test_spiv_software_disable(void **state)
{
	struct vlapic l;
	struct apic_msg nmi = {.mode = APIC_DM_NMI}, init = {.mode = APIC_DM_INIT, .assert = true};

	setup(&l, 1);
	wr(&l, APIC_LVT0, 0x700, 0); /* disabled: the mask stays set */
	assert_int_equal(rd(&l, APIC_LVT0, 0), 0x700 | APIC_LVT_MASKED);
	assert_false(accept_fixed(&l, 0x40, false));
	assert_true(vlapic_accept(&l, &nmi)); /* NMI and INIT still arrive */
	assert_true(vlapic_accept(&l, &init));
	sw_enable(&l);
	assert_int_equal(rd(&l, APIC_LVT0, 0), 0x700 | APIC_LVT_MASKED); /* still masked */
	wr(&l, APIC_LVT0, 0x700, 0);
	wr(&l, APIC_LVTT, 0x20030, 0);
	assert_int_equal(rd(&l, APIC_LVT0, 0), 0x700);
	assert_true(accept_fixed(&l, 0x40, false));
	wr(&l, APIC_SPIV, 0xff, 0); /* disable: every LVT gets masked, IRR is kept */
	assert_int_equal(rd(&l, APIC_LVT0, 0), 0x700 | APIC_LVT_MASKED);
	assert_int_equal(rd(&l, APIC_LVTT, 0), 0x20030 | APIC_LVT_MASKED);
	assert_true(irr_has(&l, 0x40));
	wr(&l, APIC_LVTT, 0x20030, 0);
	assert_int_equal(rd(&l, APIC_LVTT, 0), 0x20030 | APIC_LVT_MASKED);
}

/* ---- priorities, acceptance, EOI (sec. 11.8.3, 11.8.4, 11.8.5) ---- */

static void test_priority_order_and_eoi(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	sw_enable(&l);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_true(accept_fixed(&l, 0x31, false));
	assert_true(accept_fixed(&l, 0x51, false));
	assert_int_equal(vlapic_pending_vector(&l), 0x51);
	vlapic_ack(&l, 0x51);
	assert_false(irr_has(&l, 0x51));
	assert_true(isr_has(&l, 0x51));
	assert_int_equal(vlapic_in_service(&l), 0x51);
	assert_int_equal(vlapic_ppr(&l), 0x50);
	assert_int_equal(vlapic_pending_vector(&l), -1); /* class 3 below PPR class 5 */
	assert_true(accept_fixed(&l, 0x5f, false));      /* same class: waits too */
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_true(accept_fixed(&l, 0x61, false)); /* higher class nests */
	assert_int_equal(vlapic_pending_vector(&l), 0x61);
	vlapic_ack(&l, 0x61);
	wr(&l, APIC_EOI, 0, 0); /* EOI clears the highest ISR bit only */
	assert_false(isr_has(&l, 0x61));
	assert_true(isr_has(&l, 0x51));
	assert_int_equal(vlapic_ppr(&l), 0x50);
	wr(&l, APIC_EOI, 0, 0);
	assert_false(isr_has(&l, 0x51));
	assert_int_equal(vlapic_ppr(&l), 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x5f);
	vlapic_ack(&l, 0x5f);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	wr(&l, APIC_EOI, 0, 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x31);
	wr(&l, APIC_EOI, 0, 0); /* an EOI with nothing in service does nothing */
	assert_int_equal(vlapic_in_service(&l), -1);
}

static void test_tpr_masks_and_ppr(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	sw_enable(&l);
	wr(&l, APIC_TASKPRI, 0x4f, 0);
	assert_int_equal(vlapic_ppr(&l), 0x4f);
	assert_true(accept_fixed(&l, 0x45, false));
	assert_int_equal(vlapic_pending_vector(&l), -1); /* class 4 is masked by TPR 4 */
	assert_true(accept_fixed(&l, 0x50, false));
	assert_int_equal(vlapic_pending_vector(&l), 0x50);
	vlapic_ack(&l, 0x50);
	assert_int_equal(vlapic_ppr(&l), 0x50); /* ISR class above TPR class */
	wr(&l, APIC_TASKPRI, 0x63, 0);
	assert_int_equal(vlapic_ppr(&l), 0x63); /* TPR class at least ISR class: TPR */
	wr(&l, APIC_TASKPRI, 0x53, 0);
	assert_int_equal(vlapic_ppr(&l), 0x53);
	wr(&l, APIC_EOI, 0, 0);
	wr(&l, APIC_TASKPRI, 0, 0);
	assert_int_equal(vlapic_ppr(&l), 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x45);
	/* APR (xAPIC): TPR when it outranks IRR and ISR, else the highest class */
	assert_int_equal(rd(&l, APIC_ARBPRI, 0), 0x40);
	wr(&l, APIC_TASKPRI, 0x57, 0);
	assert_int_equal(rd(&l, APIC_ARBPRI, 0), 0x57);
}

static void test_accept_level_tmr_and_modes(void **state)
{
	struct vlapic l;
	struct apic_msg sipi = {.mode = APIC_DM_SIPI, .vector = 0x9a};
	struct apic_msg deassert = {.mode = APIC_DM_INIT, .level = true, .assert = false};
	struct apic_msg smi = {.mode = APIC_DM_SMI}, extint = {.mode = APIC_DM_EXTINT};
	struct apic_msg nmi = {.mode = APIC_DM_NMI}, init = {.mode = APIC_DM_INIT, .assert = true};

	setup(&l, 0);
	sw_enable(&l);
	assert_true(accept_fixed(&l, 0x70, true));
	assert_true(rd(&l, APIC_TMR + 0x30, 0) & BIT(16));
	assert_true(accept_fixed(&l, 0x70, false)); /* edge clears TMR */
	assert_false(rd(&l, APIC_TMR + 0x30, 0) & BIT(16));
	assert_false(vlapic_take_nmi(&l));
	assert_true(vlapic_accept(&l, &nmi));
	assert_true(vlapic_take_nmi(&l));
	assert_false(vlapic_take_nmi(&l));
	assert_false(vlapic_accept(&l, &deassert));
	assert_false(vlapic_take_init(&l));
	assert_true(vlapic_accept(&l, &init));
	assert_true(vlapic_take_init(&l));
	assert_int_equal(vlapic_take_sipi(&l), -1);
	assert_true(vlapic_accept(&l, &sipi));
	assert_int_equal(vlapic_take_sipi(&l), 0x9a);
	assert_int_equal(vlapic_take_sipi(&l), -1);
	assert_false(vlapic_accept(&l, &smi));
	assert_false(vlapic_accept(&l, &extint));
}

/* INIT resets the registers but keeps the ID and IA32_APIC_BASE (sec. 11.4.7.3). */
static void test_init_signal(void **state)
{
	struct vlapic l;
	struct apic_msg nmi = {.mode = APIC_DM_NMI};

	setup(&l, 6);
	sw_enable(&l);
	assert_int_equal(vlapic_set_base(&l, 0xfed00000ull | APIC_BASE_EN, true, MAXPA), 0);
	wr(&l, APIC_TASKPRI, 0x20, 0);
	accept_fixed(&l, 0x40, false);
	vlapic_accept(&l, &nmi);
	vlapic_init_signal(&l);
	assert_int_equal(vlapic_get_base(&l), 0xfed00000ull | APIC_BASE_EN);
	assert_int_equal(rd(&l, APIC_ID, 0), 6u << 24);
	assert_int_equal(rd(&l, APIC_TASKPRI, 0), 0);
	assert_int_equal(rd(&l, APIC_SPIV, 0), 0xff);
	assert_false(irr_has(&l, 0x40));
	assert_false(vlapic_take_nmi(&l));
}

/* ---- ESR (sec. 11.5.3) ---- */

static void test_esr_illegal_vectors(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	sw_enable(&l);
	wr(&l, APIC_ICR2, 1u << 24, 0);
	wr(&l, APIC_ICR, 0x0005, 0); /* fixed, vector 5: not sent */
	assert_int_equal(nsent, 0);
	assert_int_equal(rd(&l, APIC_ESR, 0), 0); /* write-then-read: nothing latched yet */
	wr(&l, APIC_ESR, 0, 0);
	assert_int_equal(rd(&l, APIC_ESR, 0), APIC_ESR_SEND_ILLEGAL);
	wr(&l, APIC_ESR, 0, 0);
	assert_int_equal(rd(&l, APIC_ESR, 0), 0);
	wr(&l, APIC_ICR, 0x010f, 0); /* lowest priority, vector 15 */
	assert_int_equal(nsent, 0);
	wr(&l, APIC_ICR, 0x0400, 0); /* NMI: the vector is ignored */
	assert_int_equal(nsent, 1);
	assert_false(accept_fixed(&l, 15, false)); /* received: dropped and logged */
	assert_false(irr_has(&l, 15));
	wr(&l, APIC_ESR, 0, 0);
	assert_int_equal(rd(&l, APIC_ESR, 0), APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL);
	assert_true(accept_fixed(&l, 16, false));
}

static void test_esr_error_interrupt(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	sw_enable(&l);
	wr(&l, APIC_LVTERR, 0xfe, 0);
	accept_fixed(&l, 2, false);
	assert_true(irr_has(&l, 0xfe));
	assert_int_equal(vlapic_pending_vector(&l), 0xfe);
	/* an illegal error vector logs "receive illegal" and raises nothing */
	setup(&l, 0);
	sw_enable(&l);
	wr(&l, APIC_LVTERR, 0x03, 0);
	accept_fixed(&l, 2, false);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	wr(&l, APIC_ESR, 0, 0);
	assert_int_equal(rd(&l, APIC_ESR, 0), APIC_ESR_RECV_ILLEGAL);
}

/* ---- ICR messages (sec. 11.6.1) ---- */

static void test_icr_decode_xapic(void **state)
{
	struct vlapic l;

	setup(&l, 3);
	sw_enable(&l);
	wr(&l, APIC_ICR2, 0x0f000000, 0);
	assert_int_equal(nsent, 0);   /* the high half does not send */
	wr(&l, APIC_ICR, 0xc4931, 0); /* all-but-self, level, assert, logical, lowest, 0x31 */
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].vector, 0x31);
	assert_int_equal(sent[0].mode, APIC_DM_LOWEST);
	assert_true(sent[0].logical);
	assert_true(sent[0].assert);
	assert_false(sent[0].level);
	assert_int_equal(sent[0].shorthand, APIC_DEST_OTHERS);
	assert_int_equal(sent[0].dest, 0x0f);
	assert_false(sent[0].x2apic);
	assert_int_equal(sent[0].src, 3);
	wr(&l, APIC_ICR, 0x4500, 0); /* INIT assert */
	wr(&l, APIC_ICR, 0x8500, 0); /* INIT level de-assert: not sent */
	wr(&l, APIC_ICR, 0x0699, 0); /* SIPI vector 0x99 */
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[1].mode, APIC_DM_INIT);
	assert_int_equal(sent[2].mode, APIC_DM_SIPI);
	assert_int_equal(sent[2].vector, 0x99);
	assert_false(rd(&l, APIC_ICR, 0) & BIT(12)); /* never busy */
}

/* The CPU wrote the page itself (APIC-write exit, SDM Vol. 3C 30.4.3.3). */
static void test_write_done(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	sw_enable(&l);
	accept_fixed(&l, 0x80, false);
	vlapic_ack(&l, 0x80);
	page[APIC_EOI / 4] = 0;
	vlapic_write_done(&l, APIC_EOI, 0);
	assert_int_equal(vlapic_in_service(&l), -1);
	page[APIC_TASKPRI / 4] = 0x345; /* reserved bits are dropped, PPR follows */
	vlapic_write_done(&l, APIC_TASKPRI, 0);
	assert_int_equal(rd(&l, APIC_TASKPRI, 0), 0x45);
	assert_int_equal(vlapic_ppr(&l), 0x45);
	page[APIC_ICR2 / 4] = 2u << 24;
	page[APIC_ICR / 4] = 0x40;
	vlapic_write_done(&l, APIC_ICR, 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].dest, 2);
	page[APIC_ID / 4] = 0x09000000; /* the ID is restored */
	vlapic_write_done(&l, APIC_ID, 0);
	assert_int_equal(rd(&l, APIC_ID, 0), 0);
	page[APIC_LVT1 / 4] = 0xffffffff;
	vlapic_write_done(&l, APIC_LVT1, 0);
	assert_int_equal(rd(&l, APIC_LVT1, 0), 0x1a7ff);
	page[APIC_SELF_IPI / 4] = 0x50; /* no SELF IPI register in xAPIC mode */
	vlapic_write_done(&l, APIC_SELF_IPI, 0);
	assert_int_equal(nsent, 1);
	/* x2APIC: the ICR's destination is the page's upper word; SELF IPI exists */
	to_x2apic(&l);
	page[APIC_ICR2 / 4] = 0x1234;
	page[APIC_ICR / 4] = 0x41;
	vlapic_write_done(&l, APIC_ICR, 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].dest, 0x1234);
	assert_true(sent[1].x2apic);
	vlapic_write_done(&l, APIC_SELF_IPI, 0);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].shorthand, APIC_DEST_SELF);
	page[APIC_LDR / 4] = 0; /* read-only in x2APIC mode: restored */
	vlapic_write_done(&l, APIC_LDR, 0);
	assert_int_equal(vlapic_reg(&l, APIC_LDR), 1);
}

/* ---- timer (sec. 11.5.4) ---- */

#define T0 1000000ull
#define P  100000ull

static void start_timer(struct vlapic *l, uint32_t lvt, uint32_t tdcr, uint32_t initial)
{
	sw_enable(l);
	wr(l, APIC_TDCR, tdcr, T0);
	wr(l, APIC_LVTT, lvt, T0);
	wr(l, APIC_TMICT, initial, T0);
}

/* Every divide code (fig. 11-10): the count falls by one every divisor TSC ticks. */
static void test_timer_divide_values(void **state)
{
	static const struct {
		uint32_t tdcr, div;
	} d[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
	         {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
	struct vlapic l;

	for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
		setup(&l, 0);
		start_timer(&l, 0x40, d[i].tdcr, 100);
		assert_int_equal(rd(&l, APIC_TMCCT, T0), 100);
		assert_int_equal(rd(&l, APIC_TMCCT, T0 + d[i].div - 1), 100);
		assert_int_equal(rd(&l, APIC_TMCCT, T0 + d[i].div), 99);
		assert_int_equal(rd(&l, APIC_TMCCT, T0 + 37 * d[i].div + d[i].div / 2), 63);
		assert_int_equal(vlapic_timer_deadline(&l), T0 + 100 * d[i].div);
		assert_int_equal(rd(&l, APIC_TMCCT, T0 + 100 * d[i].div), 0);
	}
}

static void test_timer_one_shot(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	start_timer(&l, 0x41, 0xb, 500);
	assert_false(vlapic_timer_poll(&l, T0 + 499));
	assert_false(irr_has(&l, 0x41));
	assert_true(vlapic_timer_poll(&l, T0 + 500));
	assert_true(irr_has(&l, 0x41));
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	assert_false(vlapic_timer_poll(&l, T0 + 5000)); /* once only */
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 600), 0);
	/* a write of the initial count restarts it; 0 stops it */
	wr(&l, APIC_TMICT, 10, T0 + 1000);
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 1010);
	wr(&l, APIC_TMICT, 0, T0 + 1005);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 1006), 0);
}

/* Periodic: expiries on the grid T0 + k * period however late the poll is. */
static void test_timer_periodic_no_drift(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	start_timer(&l, 0x20042, 0x0, 50000); /* divide by 2: period P = 100000 ticks */
	assert_int_equal(vlapic_timer_deadline(&l), T0 + P);
	assert_true(vlapic_timer_poll(&l, T0 + P + 17)); /* 17 ticks late */
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 2 * P);
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + P + 17), 50000 - 8);
	vlapic_ack(&l, 0x42);
	wr(&l, APIC_EOI, 0, T0 + P + 20);
	assert_true(vlapic_timer_poll(&l, T0 + 2 * P));
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 3 * P);
	/* three periods missed: one interrupt, the grid is kept */
	assert_true(vlapic_timer_poll(&l, T0 + 5 * P + P / 2 + 5));
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 6 * P);
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 5 * P + P / 2 + 5), 50000 - 25002);
	/* an unpolled count still reads right */
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 10 * P + 10), 50000 - 5);
}

/* A period shorter than VLAPIC_MIN_PERIOD_TICKS: the next expiry is that far
 * away at least, still on the grid, and the count stays exact. */
static void test_timer_periodic_floor(void **state)
{
	struct vlapic l;
	uint64_t d;

	setup(&l, 0);
	start_timer(&l, 0x20042, 0xb, 7); /* period 7 ticks */
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 7);
	assert_true(vlapic_timer_poll(&l, T0 + 7));
	d = vlapic_timer_deadline(&l);
	assert_true(d >= T0 + 7 + VLAPIC_MIN_PERIOD_TICKS);
	assert_true(d < T0 + 7 + VLAPIC_MIN_PERIOD_TICKS + 7);
	assert_int_equal((d - T0) % 7, 0);
	assert_false(vlapic_timer_poll(&l, d - 1));
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 7 + 3), 7 - 3);
	assert_true(vlapic_timer_poll(&l, d));
	/* a period above the floor is left alone */
	setup(&l, 0);
	start_timer(&l, 0x20042, 0xb, VLAPIC_MIN_PERIOD_TICKS);
	assert_true(vlapic_timer_poll(&l, T0 + VLAPIC_MIN_PERIOD_TICKS));
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 2 * VLAPIC_MIN_PERIOD_TICKS);
}

static void test_timer_masked(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	start_timer(&l, 0x10043, 0xb, 100);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX); /* nothing to wake for */
	assert_false(vlapic_timer_poll(&l, T0 + 100));
	assert_false(irr_has(&l, 0x43));
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 50), 0); /* it ran out anyway */
	/* a one-shot that expired while masked raises nothing when unmasked */
	setup(&l, 0);
	start_timer(&l, 0x10043, 0xb, 100);
	wr(&l, APIC_LVTT, 0x43, T0 + 150);
	assert_false(vlapic_timer_poll(&l, T0 + 200));
	assert_false(irr_has(&l, 0x43));
	/* an illegal timer vector logs "receive illegal" */
	setup(&l, 0);
	start_timer(&l, 0x0e, 0xb, 100);
	assert_false(vlapic_timer_poll(&l, T0 + 100));
	wr(&l, APIC_ESR, 0, T0 + 100);
	assert_int_equal(rd(&l, APIC_ESR, 0), APIC_ESR_RECV_ILLEGAL);
}

/* A new divide value applies to the rest of a running count. */
static void test_timer_divide_change(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	start_timer(&l, 0x44, 0xb, 100); /* divide by 1 */
	wr(&l, APIC_TDCR, 0x1, T0 + 40); /* 60 left, now by 4 */
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 40), 60);
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 44), 59);
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 40 + 240);
}

/* TSC-deadline mode (sec. 11.5.4.1). */
static void test_timer_tsc_deadline(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	l.tsc_offset = 5000; /* guest TSC = host + 5000 */
	sw_enable(&l);
	/* outside TSC-deadline mode the MSR reads 0 and ignores writes */
	assert_int_equal(vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, T0 + 9000, T0), 0);
	assert_int_equal(msr_rd(&l, MSR_IA32_TSC_DEADLINE, T0), 0);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	wr(&l, APIC_LVTT, 0x40045, T0);
	assert_int_equal(vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, T0 + 9000, T0), 0);
	assert_int_equal(msr_rd(&l, MSR_IA32_TSC_DEADLINE, T0), T0 + 9000);
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 4000); /* host TSC */
	wr(&l, APIC_TMICT, 100, T0);                            /* ignored in this mode */
	assert_int_equal(rd(&l, APIC_TMICT, T0), 0);
	assert_int_equal(rd(&l, APIC_TMCCT, T0), 0);
	assert_false(vlapic_timer_poll(&l, T0 + 3999));
	assert_true(vlapic_timer_poll(&l, T0 + 4000));
	assert_true(irr_has(&l, 0x45));
	assert_int_equal(msr_rd(&l, MSR_IA32_TSC_DEADLINE, T0 + 4001), 0); /* cleared on firing */
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	/* a deadline in the past fires at once; 0 disarms */
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 1, T0 + 5000);
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 5000);
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 0, T0 + 5000);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	/* a far deadline saturates instead of wrapping into the past */
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, UINT64_MAX, T0 + 5000);
	assert_true(vlapic_timer_deadline(&l) == UINT64_MAX - 5000);
	l.tsc_offset = (uint64_t)-10000; /* the guest's TSC behind the host's */
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, UINT64_MAX, T0 + 5000);
	assert_true(vlapic_timer_deadline(&l) == UINT64_MAX - 1);
	assert_false(vlapic_timer_poll(&l, T0 + 6000));
	l.tsc_offset = 5000;
	/* leaving TSC-deadline mode disarms it and clears the MSR */
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, T0 + 99000, T0 + 5000);
	wr(&l, APIC_LVTT, 0x45, T0 + 5001);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	wr(&l, APIC_LVTT, 0x40045, T0 + 5002);
	assert_int_equal(msr_rd(&l, MSR_IA32_TSC_DEADLINE, T0 + 5002), 0);
	/* a counting timer is stopped by the switch to TSC-deadline mode */
	wr(&l, APIC_LVTT, 0x45, T0 + 6000);
	wr(&l, APIC_TMICT, 100, T0 + 6000);
	wr(&l, APIC_LVTT, 0x40045, T0 + 6001);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	assert_int_equal(rd(&l, APIC_TMICT, T0 + 6001), 0);
}

/* With APIC-register virtualization the CPU writes the page first and then
 * reports the write (SDM Vol. 3C 30.4.3.3): the timer must act on the values
 * it ran with, not on those already on the page. */
static void test_timer_write_done(void **state)
{
	struct vlapic l;

	setup(&l, 0);
	start_timer(&l, 0x20046, 0xb, 100); /* periodic, divide by 1 */
	page[APIC_TDCR / 4] = 0x1;          /* divide by 4 from T0 + 40: 60 left */
	vlapic_write_done(&l, APIC_TDCR, T0 + 40);
	assert_int_equal(rd(&l, APIC_TMCCT, T0 + 40), 60);
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 40 + 240);
	page[APIC_TMICT / 4] = 0; /* stops a periodic timer */
	vlapic_write_done(&l, APIC_TMICT, T0 + 50);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	assert_false(vlapic_timer_poll(&l, T0 + 1000));
	page[APIC_TMICT / 4] = 10;
	vlapic_write_done(&l, APIC_TMICT, T0 + 1000);
	assert_int_equal(vlapic_timer_deadline(&l), T0 + 1040);
	page[APIC_LVTT / 4] = 0x40046; /* to TSC-deadline mode: the count stops */
	vlapic_write_done(&l, APIC_LVTT, T0 + 1001);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	assert_int_equal(rd(&l, APIC_TMICT, T0 + 1001), 0);
	page[APIC_TMICT / 4] = 77; /* ignored in TSC-deadline mode */
	vlapic_write_done(&l, APIC_TMICT, T0 + 1002);
	assert_int_equal(rd(&l, APIC_TMICT, T0 + 1002), 0);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, T0 + 2000, T0 + 1003);
	page[APIC_LVTT / 4] = 0x46; /* back to one-shot: the deadline is dropped */
	vlapic_write_done(&l, APIC_LVTT, T0 + 1004);
	assert_int_equal(vlapic_timer_deadline(&l), UINT64_MAX);
	assert_int_equal(msr_rd(&l, MSR_IA32_TSC_DEADLINE, T0 + 1004), 0);
}

/* sec. 11.8.5: the EOI of a vector whose TMR bit is set (level) is broadcast to
 * the I/O APICs; an edge vector's EOI is not. */
static void test_level_eoi_hook(void **state)
{
	struct vlapic l;

	(void)state;
	setup(&l, 0);
	sw_enable(&l);
	assert_true(accept_fixed(&l, 0x41, true));
	assert_true(accept_fixed(&l, 0x30, false));
	vlapic_ack(&l, 0x41);
	vlapic_ack(&l, 0x30);
	wr(&l, APIC_EOI, 0, 0); /* 0x41, the highest in service: level */
	assert_int_equal(neoi, 1);
	assert_int_equal(eoi_vectors[0], 0x41);
	wr(&l, APIC_EOI, 0, 0); /* 0x30: edge */
	assert_int_equal(neoi, 1);
	wr(&l, APIC_EOI, 0, 0); /* nothing in service */
	assert_int_equal(neoi, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_register_masks),
		cmocka_unit_test(test_read_only_registers),
		cmocka_unit_test(test_base_reserved_bits),
		cmocka_unit_test(test_base_transitions),
		cmocka_unit_test(test_base_moves_and_refusals_keep_state),
		cmocka_unit_test(test_base_disable_resets),
		cmocka_unit_test(test_x2apic_identity),
		cmocka_unit_test(test_x2apic_gp_rules),
		cmocka_unit_test(test_x2apic_icr_and_self_ipi),
		cmocka_unit_test(test_spiv_software_disable),
		cmocka_unit_test(test_priority_order_and_eoi),
		cmocka_unit_test(test_tpr_masks_and_ppr),
		cmocka_unit_test(test_accept_level_tmr_and_modes),
		cmocka_unit_test(test_init_signal),
		cmocka_unit_test(test_esr_illegal_vectors),
		cmocka_unit_test(test_esr_error_interrupt),
		cmocka_unit_test(test_icr_decode_xapic),
		cmocka_unit_test(test_write_done),
		cmocka_unit_test(test_timer_divide_values),
		cmocka_unit_test(test_timer_one_shot),
		cmocka_unit_test(test_timer_periodic_no_drift),
		cmocka_unit_test(test_timer_periodic_floor),
		cmocka_unit_test(test_timer_masked),
		cmocka_unit_test(test_timer_divide_change),
		cmocka_unit_test(test_timer_tsc_deadline),
		cmocka_unit_test(test_timer_write_done),
		cmocka_unit_test(test_level_eoi_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
