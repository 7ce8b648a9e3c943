/*
 * A virtual local APIC (SDM Vol. 3A ch. 11), pure: the registers live on one
 * 4 KiB page in the xAPIC layout, which the VMX backend also uses as the
 * virtual-APIC page, so the CPU's APIC virtualization and this model read and
 * write the same bytes. In x2APIC mode the page keeps the same layout with the
 * x2APIC values (full 32-bit ID, derived LDR, ICR destination at 0x310), as
 * x2APIC virtualization expects (SDM Vol. 3C 30.1). Time ("now") is the host
 * TSC the caller passes in; the timer counts at the TSC rate divided by the
 * divide configuration; IA32_TSC_DEADLINE values are guest TSC values, which
 * are host TSC + tsc_offset.
 *
 * Any CPU may make an interrupt pending (vlapic_accept: atomic on IRR and the
 * pending flags); everything else runs on the CPU of the vCPU that owns it.
 */
#ifndef SABLE_HV_VDEV_VLAPIC_H
#define SABLE_HV_VDEV_VLAPIC_H

#include "types.h"

/* Register offsets on the page (SDM Vol. 3A table 11-1); x2APIC MSR = 0x800 + offset / 16. */
#define APIC_ID               0x020
#define APIC_LVR              0x030
#define APIC_TASKPRI          0x080
#define APIC_ARBPRI           0x090
#define APIC_PROCPRI          0x0a0
#define APIC_EOI              0x0b0
#define APIC_RRR              0x0c0
#define APIC_LDR              0x0d0
#define APIC_DFR              0x0e0
#define APIC_SPIV             0x0f0
#define APIC_ISR              0x100 /* eight 32-bit words, one every 16 bytes */
#define APIC_TMR              0x180
#define APIC_IRR              0x200
#define APIC_ESR              0x280
#define APIC_LVTCMCI          0x2f0
#define APIC_ICR              0x300
#define APIC_ICR2             0x310
#define APIC_LVTT             0x320
#define APIC_LVTTHMR          0x330
#define APIC_LVTPC            0x340
#define APIC_LVT0             0x350
#define APIC_LVT1             0x360
#define APIC_LVTERR           0x370
#define APIC_TMICT            0x380
#define APIC_TMCCT            0x390
#define APIC_TDCR             0x3e0
#define APIC_SELF_IPI         0x3f0 /* x2APIC mode only */
#define X2APIC_MSR_BASE       0x800
#define X2APIC_MSR_LAST       0x8ff
#define MSR_IA32_TSC_DEADLINE 0x6e0

/* Delivery modes (ICR and LVT bits 10:8). */
enum apic_dm {
	APIC_DM_FIXED = 0,
	APIC_DM_LOWEST = 1,
	APIC_DM_SMI = 2,
	APIC_DM_NMI = 4,
	APIC_DM_INIT = 5,
	APIC_DM_SIPI = 6,
	APIC_DM_EXTINT = 7,
};

/* Destination shorthands (ICR bits 19:18). */
enum apic_shorthand {
	APIC_DEST_NONE = 0,
	APIC_DEST_SELF = 1,
	APIC_DEST_ALL = 2,
	APIC_DEST_OTHERS = 3,
};

/* An interrupt message: what an ICR write (or, later, an IOAPIC pin) sends. */
struct apic_msg {
	uint8_t vector;
	uint8_t mode; /* enum apic_dm */
	uint8_t shorthand;
	bool logical;  /* destination mode */
	bool level;    /* trigger mode */
	bool assert;   /* level: assert (1) or de-assert (0) */
	bool x2apic;   /* dest is in the x2APIC format (32 bits) rather than xAPIC (8 bits) */
	uint32_t dest; /* APIC ID (physical) or logical destination; 0xff / 0xffffffff broadcast */
	uint32_t src;  /* index of the sending vCPU in its VM */
};

/* Error status bits (SDM Vol. 3A 11.5.3). */
#define APIC_ESR_SEND_ACCEPT  BIT(2) /* a message named no APIC that accepted it */
#define APIC_ESR_SEND_ILLEGAL BIT(5) /* a fixed/lowest IPI with a vector below 16 was sent */
#define APIC_ESR_RECV_ILLEGAL BIT(6) /* one was received (IPI or LVT) */
#define APIC_ESR_ILLEGAL_REG  BIT(7) /* access to an unimplemented xAPIC register */

/* IA32_APIC_BASE (SDM Vol. 3A 11.4.4, 11.12.1). */
#define APIC_BASE_BSP   BIT(8)
#define APIC_BASE_EXTD  BIT(10) /* x2APIC mode */
#define APIC_BASE_EN    BIT(11) /* xAPIC global enable */
#define APIC_BASE_ADDR  0xfffffffffffff000ull
#define APIC_BASE_RESET (0xfee00000ull | APIC_BASE_EN)

#define APIC_SPIV_ENABLE BIT(8)
#define APIC_LVT_MASKED  BIT(16)
#define APIC_LVR_VALUE   0x00060015u /* version 0x15, 7 LVT entries (max index 6), no directed EOI */

struct vlapic;

/* Effects the model cannot do itself. */
struct vlapic_ops {
	/* An ICR write: the caller routes msg to its destinations. */
	void (*send)(void *ctx, const struct apic_msg *msg);
	/* The EOI of a level-triggered vector (its TMR bit set): the I/O APIC's
	 * remote IRR for it clears (sec. 11.8.5). May be NULL. */
	void (*level_eoi)(void *ctx, uint8_t vector);
};

struct vlapic {
	volatile uint32_t *regs; /* the 4 KiB register page */
	uint64_t base;           /* IA32_APIC_BASE */
	uint32_t id;             /* APIC ID (xAPIC: bits 31:24 of APIC_ID) */
	const struct vlapic_ops *ops;
	void *ctx;
	uint64_t tsc_offset; /* guest TSC - host TSC, for IA32_TSC_DEADLINE */
	/* timer */
	uint64_t timer_start;    /* host TSC when the count (or this period) started */
	uint64_t timer_deadline; /* host TSC of the next expiry, UINT64_MAX when not armed */
	/* the mode, divide and initial count the timer runs with: the page may
	 * already hold new values when an APIC-write exit reports them */
	uint32_t timer_initial;
	uint8_t timer_mode;    /* LVT timer bits 18:17 */
	uint8_t timer_shift;   /* log2 of the divisor */
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE (guest value) */
	/* set by vlapic_accept from any CPU */
	volatile uint32_t nmi_pending;
	volatile uint32_t init_pending;
	volatile uint32_t sipi_pending; /* sipi_vector valid */
	volatile uint8_t sipi_vector;
	uint32_t esr_pending; /* errors since the last ESR write (ESR is write-then-read) */
};

/* Power-on state: enabled xAPIC at 0xFEE00000, BSP bit if bsp, APIC ID id,
 * everything else as SDM Vol. 3A sec. 11.4.7.1 gives. page: 4 KiB, zeroed by this. */
void vlapic_init(struct vlapic *l, volatile uint32_t *page, uint32_t id, bool bsp,
                 const struct vlapic_ops *ops, void *ctx);
/* INIT: the registers as after power-on except the APIC ID and IA32_APIC_BASE (sec. 11.4.7.3). */
void vlapic_init_signal(struct vlapic *l);

/* IA32_APIC_BASE. -EINVAL for a write that raises #GP (reserved bits: 0-7, 9 and
 * from maxphyaddr up; EXTD when x2APIC is not offered; an illegal mode
 * transition: sec. 11.12.5). Disabling resets the registers (but not the ID);
 * xAPIC to x2APIC sets the x2APIC ID and LDR (sec. 11.12.5.1). */
uint64_t vlapic_get_base(const struct vlapic *l);
int vlapic_set_base(struct vlapic *l, uint64_t val, bool x2apic_offered, uint32_t maxphyaddr);
/* The same rule without a vlapic: may the base change from old to val? */
int vlapic_base_check(uint64_t old, uint64_t val, bool x2apic_offered, uint32_t maxphyaddr);
bool vlapic_hw_enabled(const struct vlapic *l); /* IA32_APIC_BASE.EN */
bool vlapic_sw_enabled(const struct vlapic *l); /* and SPIV bit 8 */
bool vlapic_x2apic_mode(const struct vlapic *l);

/* xAPIC MMIO, one aligned 32-bit access at offset (0-0xff0). Reads of write-only or
 * reserved registers read 0; writes to read-only ones are ignored (and set ESR where
 * the SDM says so). Returns 0, or -EINVAL if the access is not allowed at all
 * (not in xAPIC mode). */
int vlapic_mmio_read(struct vlapic *l, uint32_t offset, uint32_t *val, uint64_t now);
int vlapic_mmio_write(struct vlapic *l, uint32_t offset, uint32_t val, uint64_t now);
/* x2APIC MSRs 0x800-0x8ff and IA32_TSC_DEADLINE. -EINVAL = #GP (not in x2APIC
 * mode, reserved or write-only register, reserved bits set: sec. 11.12.1.2). */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now);
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now);
/* The CPU wrote offset on the page itself (APIC-write exit, trap-like): apply
 * that write's side effects (EOI, ICR send, timer, LVT masks, SPIV). */
void vlapic_write_done(struct vlapic *l, uint32_t offset, uint64_t now);

/* Interrupt acceptance: sets the IRR bit (and TMR for level) atomically, or the
 * NMI/INIT/SIPI flag. False if the APIC drops it (fixed/lowest while
 * software-disabled, or a vector below 16: ESR "receive illegal vector";
 * anything while hardware-disabled; SMI, ExtINT, INIT de-assert). Any CPU. */
bool vlapic_accept(struct vlapic *l, const struct apic_msg *msg);
/* Logs ESR bits err and raises the LVT error interrupt unless masked. Any CPU. */
void vlapic_error(struct vlapic *l, uint32_t err);
/* Would l accept a message of this delivery mode (enabled state only)? */
bool vlapic_accepts_mode(const struct vlapic *l, uint8_t mode);
/* Take (and clear) a pending NMI / INIT / SIPI; vlapic_take_sipi returns the
 * vector or -1. Used on the owner's CPU. */
bool vlapic_take_nmi(struct vlapic *l);
bool vlapic_take_init(struct vlapic *l);
int vlapic_take_sipi(struct vlapic *l);
/* Highest vector in IRR whose priority class is above PPR's, or -1 (sec. 11.8.3.1). */
int vlapic_pending_vector(const struct vlapic *l);
/* The vector was delivered to the guest: IRR -> ISR, PPR updated. */
void vlapic_ack(struct vlapic *l, uint8_t vector);
/* Highest vector in ISR, or -1. */
int vlapic_in_service(const struct vlapic *l);
uint32_t vlapic_ppr(const struct vlapic *l);
/* Recomputes PPR from TPR and ISR (after the CPU changed TPR on the page itself). */
void vlapic_update_ppr(struct vlapic *l);
/* The x2APIC logical ID for APIC ID id: cluster (id >> 4) << 16 | bit (id & 15). */
uint32_t vlapic_x2apic_ldr(uint32_t id);
/* Register value as the guest's access would read it (xAPIC layout); for tests and dumps. */
uint32_t vlapic_reg(const struct vlapic *l, uint32_t offset);

/* Timer (sec. 11.5.4): TSC of the next expiry, UINT64_MAX when none is armed. */
uint64_t vlapic_timer_deadline(const struct vlapic *l);
/* Fires the timer if it is due at now: IRR of the LVT timer vector unless masked,
 * re-armed in periodic mode. True if an interrupt became pending. */
bool vlapic_timer_poll(struct vlapic *l, uint64_t now);

#endif
