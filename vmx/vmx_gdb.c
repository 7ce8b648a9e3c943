/*
 * The GDB stub's backend: registers, memory and debug controls of a vCPU,
 * and the exits that stop it for gdb. While gdb is attached DR0-DR3 and DR7
 * hold gdb's breakpoints and MOV DR exits (SDM Vol. 3C sec. 25.6.2): the
 * guest reads and writes its own values, kept here, and gets them back at
 * detach. A single step arms the monitor trap flag (sec. 26.5.2) and sets
 * RFLAGS.TF with #DB intercepted (Vol. 3B sec. 18.3.1.4), whichever ends the
 * step first stops the vCPU: Bochs 2.7 never delivers the MTF exit. Software
 * breakpoints use the #BP bit of the exception bitmap (sec. 25.6.3).
 */
#include "hv/gdb/gdb.h"
#include "hv/vm.h"
#include "vmx/exc_reflect.h"
#include "vmx/guest_mem.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define EXC_BP            3
#define EXC_GP            13
#define EXC_UD            6
#define DR7_FIXED1        0x400ull      /* bit 10 reads 1 (SDM Vol. 3B sec. 18.2.4) */
#define DR6_FIXED1        0xffff0ff0ull /* sec. 18.2.3 */
#define RFLAGS_FIXED1     BIT(1)
#define RFLAGS_WRITABLE   0x3f7fd5ull /* CF PF AF ZF SF TF IF DF OF IOPL NT RF VM AC VIF VIP ID */
#define RFLAGS_RF         BIT(16)
#define RFLAGS_VM         BIT(17)
#define RFLAGS_TF         BIT(8)
#define DB_QUAL_BS        BIT(14) /* #DB exit qualification: single step */
#define PENDING_DBG_BS    BIT(14)
#define CS_AR_L           BIT(13)
#define DB_QUAL_HITS      0xfull /* B0-B3 */
#define MOVDR_QUAL_DR(q)  ((unsigned)(q)&7)
#define MOVDR_QUAL_FROM   BIT(4) /* MOV from DR (a read) */
#define MOVDR_QUAL_GPR(q) ((unsigned)((q) >> 8) & 15)

static const uint32_t seg_field[6] = {GUEST_CS_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
                                      GUEST_ES_SELECTOR, GUEST_FS_SELECTOR, GUEST_GS_SELECTOR};

static bool mode64(struct vcpu *v)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & CS_AR_L);
}

static void get_regs(struct vcpu *v, struct gdb_regs *r)
{
	for (unsigned i = 0; i < 16; i++)
		r->gpr[i] = vcpu_read_gpr(v, i);
	r->rip = vcpu_read_rip(v);
	r->rflags = vcpu_read_rflags(v);
	for (unsigned i = 0; i < 6; i++)
		r->seg[i] = vmcs_read16(seg_field[i]);
}

static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* General registers, RIP and RFLAGS; selectors cannot be changed this way
 * (their descriptors would not follow) and stay. RFLAGS keeps what VM entry
 * requires (sec. 27.3.1.4), RIP a canonical value in 64-bit mode. */
static void set_regs(struct vcpu *v, const struct gdb_regs *r)
{
	bool m64 = mode64(v);
	uint64_t fl = (r->rflags & RFLAGS_WRITABLE) | RFLAGS_FIXED1;

	for (unsigned i = 0; i < (m64 ? 16u : 8u); i++)
		vcpu_write_gpr(v, i, r->gpr[i]);
	if (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA)
		fl &= ~RFLAGS_VM;
	if (fl != vcpu_read_rflags(v))
		vcpu_write_rflags(v, fl);
	if (r->rip != vcpu_read_rip(v) && (m64 ? canonical(r->rip) : r->rip <= 0xffffffffull))
		vcpu_write_rip(v, r->rip);
}

static int access_mem(struct vcpu *v, uint64_t la, void *buf, uint32_t len, bool write)
{
	return vmx_debug_access(v, la, buf, len, write);
}

static void set_proc(struct vcpu_vmx *x, uint32_t bit, bool on)
{
	uint32_t proc = on ? x->proc | bit : x->proc & ~bit;

	if (proc != x->proc) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
		x->proc = proc;
	}
}

static void load_drs(const uint64_t dr[4])
{
	write_dr0(dr[0]);
	write_dr1(dr[1]);
	write_dr2(dr[2]);
	write_dr3(dr[3]);
}

static void arm(struct vcpu *v, const struct gdb_arm *a)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint32_t bitmap = vmcs_read32(EXCEPTION_BITMAP);

	if (a->attached && !x->gdb_owns_drs) {
		x->guest_dr[0] = read_dr0();
		x->guest_dr[1] = read_dr1();
		x->guest_dr[2] = read_dr2();
		x->guest_dr[3] = read_dr3();
		x->guest_dr7 = vmcs_readl(GUEST_DR7);
		x->gdb_owns_drs = true;
	}
	if (a->attached) {
		load_drs(a->dr);
		vmcs_writel(GUEST_DR7, a->dr7 | DR7_FIXED1);
	} else if (x->gdb_owns_drs) {
		load_drs(x->guest_dr);
		vmcs_writel(GUEST_DR7, x->guest_dr7);
		x->gdb_owns_drs = false;
	}
	set_proc(x, CPU_BASED_MOV_DR_EXITING, a->attached);
	set_proc(x, CPU_BASED_MONITOR_TRAP_FLAG, a->step);
	if (a->step && !x->gdb_step) {
		x->gdb_step = true;
		x->gdb_step_tf = vcpu_read_rflags(v) & RFLAGS_TF;
		vcpu_write_rflags(v, vcpu_read_rflags(v) | RFLAGS_TF);
	}
	bitmap = a->intercept_bp ? bitmap | (uint32_t)BIT(EXC_BP) : bitmap & ~(uint32_t)BIT(EXC_BP);
	vmcs_write32(EXCEPTION_BITMAP, bitmap);
	if (a->resume_flag)
		vcpu_write_rflags(v, vcpu_read_rflags(v) | RFLAGS_RF);
}

const struct gdb_backend vmx_gdb_backend = {
	.get_regs = get_regs,
	.set_regs = set_regs,
	.access_mem = access_mem,
	.mode64 = mode64,
	.arm = arm,
};

/* The step ended (MTF exit or TF #DB): neither may stop the vCPU again, and
 * the guest's TF is what it was. */
static enum exit_action step_done(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint64_t fl = vcpu_read_rflags(v);

	set_proc(x, CPU_BASED_MONITOR_TRAP_FLAG, false);
	if (x->gdb_step) {
		x->gdb_step = false;
		vcpu_write_rflags(v, x->gdb_step_tf ? fl | RFLAGS_TF : fl & ~RFLAGS_TF);
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
		            vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) & ~PENDING_DBG_BS);
	}
	return gdb_stepping(v) ? gdb_stop(v, GDB_STOP_TRAP, 0) : EXIT_RESUME;
}

bool vmx_gdb_exception(struct vcpu *v, uint8_t vector, uint32_t type, enum exit_action *out)
{
	uint64_t rip = vcpu_read_rip(v);
	int slot;

	if (vector == EXC_BP && type == INTR_TYPE_SOFT_EXCEPTION && gdb_is_sw_bp(v, rip)) {
		*out = gdb_stop(v, GDB_STOP_SWBREAK, 0);
		return true;
	}
	if (vector != EXC_DB || type != INTR_TYPE_HARD_EXCEPTION)
		return false;
	if (to_vmx(v)->gdb_step && (to_vmx(v)->exit_qual & DB_QUAL_BS)) {
		*out = step_done(v);
		return true;
	}
	slot = gdb_hit_slot(v, to_vmx(v)->exit_qual & DB_QUAL_HITS);
	if (slot < 0)
		return false;
	*out = gdb_stop(v, gdb_slot_is_exec((unsigned)slot) ? GDB_STOP_HWBREAK : GDB_STOP_WATCH,
	                (unsigned)slot);
	return true;
}

enum exit_action vmx_handle_mtf(struct vcpu *v)
{
	return step_done(v);
}

/*
 * MOV to or from a debug register while gdb holds them: the guest's own
 * values. The exit comes before the CPL and CR4.DE checks (sec. 26.1.3):
 * #GP(0) at CPL > 0, #UD for DR4/DR5 with CR4.DE, else they alias DR6/DR7
 * (Vol. 3B sec. 18.2.2). Outside 64-bit mode the operand is 32 bits.
 */
enum exit_action vmx_handle_dr_access(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint64_t q = x->exit_qual;
	unsigned dr = MOVDR_QUAL_DR(q), gpr = MOVDR_QUAL_GPR(q);
	uint64_t mask = mode64(v) ? ~0ull : 0xffffffffull, val;

	if (!x->gdb_owns_drs) {
		/* not armed by us: cannot happen, but never lose a guest write */
		set_proc(x, CPU_BASED_MOV_DR_EXITING, false);
		return EXIT_RESUME; /* re-executed with the exit off */
	}
	if (vmx_guest_cpl(v) > 0) {
		vmx_inject_exception(v, EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	if (dr == 4 || dr == 5) {
		if (vcpu_read_cr4(v) & CR4_DE) {
			vmx_inject_exception(v, EXC_UD, false, 0);
			return EXIT_RESUME;
		}
		dr += 2;
	}
	if (q & MOVDR_QUAL_FROM) {
		val = dr < 4 ? x->guest_dr[dr] : dr == 6 ? read_dr6() : x->guest_dr7;
		vcpu_write_gpr(v, gpr, val & mask);
	} else {
		val = vcpu_read_gpr(v, gpr) & mask;
		if (dr >= 6 && (val >> 32)) { /* bits 63:32 of DR6 and DR7 must be 0 */
			vmx_inject_exception(v, EXC_GP, true, 0);
			return EXIT_RESUME;
		}
		if (dr < 4)
			x->guest_dr[dr] = val;
		else if (dr == 6)
			write_dr6((val & 0xffffffffull) | DR6_FIXED1);
		else
			x->guest_dr7 = (val & 0xffffffffull) | DR7_FIXED1;
	}
	vmx_skip_instruction(v);
	return EXIT_RESUME;
}
