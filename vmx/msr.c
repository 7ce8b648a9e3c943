/*
 * How guest MSRs are policed: one table (msr_table) says, per MSR, whether
 * the guest reaches the hardware MSR directly (the CPU switches it through
 * the VMCS guest state), reaches it directly while Sable switches it with the
 * vCPU (loaded at vcpu load, saved at put), reads it directly but has its
 * writes emulated, or has both emulated. The MSR bitmap is built from the
 * table (SDM Vol. 3C 25.6.9); any MSR not listed raises #GP in the guest.
 * Which written values are valid is decided in vmx/msr_rules.c (pure); the
 * speculation-control MSRs are applied to the CPU in vmx/msr_spec.c.
 */
#include "vmx/msr.h"
#include "err.h"
#include "fpu/fpu.h"
#include "fpu/xfd_vcpu.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/virq.h"
#include "hv/vdev/guest_cpuid.h"
#include "hv/vdev/vlapic.h"
#include "hv/vm.h"
#include "kstring.h"
#include "mm/mm.h"
#include "vmx/msr_rules.h"
#include "vmx/msr_state.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmx_xfd.h"
#include "x86.h"

#define MSR_IA32_TSC           0x10
#define MSR_IA32_TSC_ADJUST    0x3b
#define MSR_IA32_BIOS_SIGN_ID  0x8b
#define MSR_MTRRCAP            0xfe
#define MSR_IA32_SYSENTER_CS   0x174
#define MSR_IA32_SYSENTER_ESP  0x175
#define MSR_IA32_SYSENTER_EIP  0x176
#define MSR_IA32_MCG_CAP       0x179
#define MSR_IA32_MCG_STATUS    0x17a
#define MSR_IA32_MISC_ENABLE   0x1a0
#define MSR_IA32_DEBUGCTL      0x1d9
#define MSR_MTRR_DEF_TYPE      0x2ff
#define MSR_STAR               0xc0000081
#define MSR_LSTAR              0xc0000082
#define MSR_CSTAR              0xc0000083
#define MSR_SYSCALL_MASK       0xc0000084
#define MSR_TSC_AUX            0xc0000103
#define FEATURE_CONTROL_LOCKED BIT(0)
#define MTRR_DEF_TYPE_INITIAL  (MTRR_DEF_TYPE_E | MTRR_TYPE_WB)

enum msr_policy {
	MSR_PASS,      /* no exit; the VMCS guest-state area switches the MSR */
	MSR_SWITCHED,  /* Sable loads it at vcpu load and saves it at put; no exit,
	                * except WRMSR when the rule has a write check */
	MSR_PASS_READ, /* RDMSR does not exit; WRMSR is emulated */
	MSR_EMULATED,  /* both exit */
};

/* A host feature a rule needs; without it the MSR is emulated (or #GP). */
enum msr_need {
	NEED_NONE,
	NEED_RDTSCP,    /* TSC_AUX exists and RDTSCP is enabled for guests */
	NEED_SPEC_CTRL, /* host and guest both have IA32_SPEC_CTRL */
};

struct msr_rule {
	uint32_t msr;
	uint8_t policy, need;
	int (*read)(struct vcpu *v, uint32_t msr, uint64_t *val); /* NULL: RDMSR raises #GP */
	int (*write)(struct vcpu *v, uint32_t msr, uint64_t val); /* NULL: WRMSR raises #GP */
};

hpa_t vmx_msr_bitmap;
struct msr_guest_caps vmx_msr_caps;

/* ---- emulated MSRs ---- */

static int efer_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = vmcs_read64(GUEST_IA32_EFER);
	return 0;
}

static int efer_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	uint64_t now;

	if (msr_efer_write(&vmx_msr_caps, vmcs_read64(GUEST_IA32_EFER), val,
	                   vcpu_read_cr0(v) & CR0_PG, &now) < 0)
		return -EINVAL;
	vmcs_write64(GUEST_IA32_EFER, now);
	return 0;
}

static int tsc_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = rdtsc() + to_vmx(v)->tsc_offset;
	return 0;
}

static void tsc_apply(struct vcpu *v, const struct msr_tsc *t)
{
	to_vmx(v)->tsc_offset = t->offset;
	v->lapic->tsc_offset = t->offset; /* IA32_TSC_DEADLINE is in guest TSC */
	vmx_msr_state(v)->tsc_adjust = t->adjust;
	vmcs_write64(TSC_OFFSET, t->offset);
}

static int tsc_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct msr_tsc t = {to_vmx(v)->tsc_offset, vmx_msr_state(v)->tsc_adjust};

	msr_tsc_write(&t, rdtsc(), val);
	tsc_apply(v, &t);
	return 0;
}

static int tsc_adjust_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!vmx_msr_caps.tsc_adjust)
		return -EINVAL;
	*val = vmx_msr_state(v)->tsc_adjust;
	return 0;
}

static int tsc_adjust_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct msr_tsc t = {to_vmx(v)->tsc_offset, vmx_msr_state(v)->tsc_adjust};

	if (!vmx_msr_caps.tsc_adjust)
		return -EINVAL;
	msr_tsc_adjust_write(&t, val);
	tsc_apply(v, &t);
	return 0;
}

/* IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE belong to the vCPU's
 * virtual local APIC (hv/vdev/vlapic.c), which holds their rules. */
static int apic_base_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = vlapic_get_base(v->lapic);
	return 0;
}

static int apic_base_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return vlapic_set_base(v->lapic, val, vmx_msr_caps.x2apic, vmx_msr_caps.maxphyaddr);
}

static int lapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (msr == MSR_IA32_TSC_DEADLINE && !vmx_msr_caps.tsc_deadline)
		return -EINVAL;
	return vlapic_msr_read(v->lapic, msr, val, rdtsc());
}

static int lapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int r;

	if (msr == MSR_IA32_TSC_DEADLINE && !vmx_msr_caps.tsc_deadline)
		return -EINVAL;
	r = vlapic_msr_write(v->lapic, msr, val, rdtsc());
	sched_timer_armed(v, virq_next_deadline(v)); /* the write may have armed the timer */
	return r;
}

static int feature_control_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = FEATURE_CONTROL_LOCKED; /* locked with VMX off: VMX is not offered */
	return 0;
}

static int misc_enable_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = MSR_MISC_ENABLE_VALUE;
	return 0;
}

/* No bit of IA32_MISC_ENABLE can be changed: only its own value is accepted. */
static int misc_enable_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return val == MSR_MISC_ENABLE_VALUE ? 0 : -EINVAL;
}

static int read_zero(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = 0;
	return 0;
}

/* IA32_BIOS_SIGN_ID: a write asks CPUID to latch the microcode revision,
 * which reads as 0 (no microcode update for a virtual CPU). */
static int bios_sign_id_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return 0;
}

static int mtrr_def_type_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = vmx_msr_state(v)->mtrr_def_type;
	return 0;
}

static int mtrr_def_type_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (msr_mtrr_def_type_check(val) < 0)
		return -EINVAL;
	vmx_msr_state(v)->mtrr_def_type = val;
	return 0;
}

static int mcg_cap_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!vmx_msr_caps.mca)
		return -EINVAL;
	*val = msr_mcg_cap(&vmx_msr_caps);
	return 0;
}

static int mcg_status_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!vmx_msr_caps.mca)
		return -EINVAL;
	*val = vmx_msr_state(v)->mcg_status;
	return 0;
}

static int mcg_status_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (!vmx_msr_caps.mca || (val & ~msr_mcg_status_valid(&vmx_msr_caps)))
		return -EINVAL;
	vmx_msr_state(v)->mcg_status = val;
	return 0;
}

static int debugctl_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = vmcs_read64(GUEST_IA32_DEBUGCTL);
	return 0;
}

static int debugctl_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (val & ~msr_debugctl_valid(&vmx_msr_caps))
		return -EINVAL;
	vmcs_write64(GUEST_IA32_DEBUGCTL, val);
	return 0;
}

static void switched_write(struct vcpu *v, uint32_t msr, uint64_t val);
static void switched_live_init(void);

/* The switched MSRs a guest writes rarely (an OS sets them up once per CPU)
 * exit on WRMSR, so that their values are always known: a vCPU switch reads
 * back only IA32_KERNEL_GS_BASE (SWAPGS changes it without an exit). Checked,
 * then written to the hardware MSR, which holds the guest's value while the
 * vCPU is current. Bits 63:32 reserved: IA32_FMASK, IA32_TSC_AUX. */
static int low32_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (val >> 32)
		return -EINVAL;
	switched_write(v, msr, val);
	return 0;
}

/* IA32_STAR: no reserved bits. */
static int star_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switched_write(v, msr, val);
	return 0;
}

/* IA32_LSTAR, IA32_CSTAR: canonical addresses (the hardware would raise #GP
 * in the hypervisor). */
static int syscall_target_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (msr_syscall_target_check(&vmx_msr_caps, val) < 0)
		return -EINVAL;
	switched_write(v, msr, val);
	return 0;
}

/* IA32_XSS exists only with XSAVES in the guest's CPUID; fpu/ checks a write
 * against the components that CPUID offers and switches the value with the vCPU. */
static int xss_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!vmx_msr_caps.xsaves)
		return -EINVAL;
	*val = fpu_guest_xss(v);
	return 0;
}

static int xss_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int r = vmx_msr_caps.xsaves ? fpu_set_xss(v, val) : -EINVAL;

	if (r == -ENOMEM) /* only that VM stops; the WRMSR does not complete */
		vm_stop(v->vm, "no memory for the FPU state of IA32_XSS 0x%lx", (unsigned long)val);
	return r;
}

/* IA32_XFD and IA32_XFD_ERR belong to the vCPU's FPU context
 * (fpu/xfd_vcpu.c), which holds their rules: #GP without XFD or for a bit that
 * is not XFD-capable. WRMSR of IA32_XFD passes through once no buffer is
 * missing (vmx_msr_pass_write); RDMSR of both and WRMSR of IA32_XFD_ERR
 * always exit. */
static int xfd_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return xfd_rdmsr(&v->fpu, msr, val);
}

static int xfd_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return xfd_wrmsr(&v->fpu, msr, val);
}

/* ---- the policy table ---- */

static const struct msr_rule msr_table[] = {
	/* switched by the VMCS guest-state area (SDM Vol. 3C 25.4.1, 26.3.2.1) */
	{MSR_IA32_SYSENTER_CS, MSR_PASS, NEED_NONE, NULL, NULL},
	{MSR_IA32_SYSENTER_ESP, MSR_PASS, NEED_NONE, NULL, NULL},
	{MSR_IA32_SYSENTER_EIP, MSR_PASS, NEED_NONE, NULL, NULL},
	{MSR_IA32_PAT, MSR_PASS, NEED_NONE, NULL, NULL},
	{MSR_FS_BASE, MSR_PASS, NEED_NONE, NULL, NULL},
	{MSR_GS_BASE, MSR_PASS, NEED_NONE, NULL, NULL},
	/* switched by Sable with the vCPU (NR_SWITCHED of them) */
	{MSR_KERNEL_GS_BASE, MSR_SWITCHED, NEED_NONE, NULL, NULL},
	{MSR_STAR, MSR_SWITCHED, NEED_NONE, NULL, star_write},
	{MSR_LSTAR, MSR_SWITCHED, NEED_NONE, NULL, syscall_target_write},
	{MSR_CSTAR, MSR_SWITCHED, NEED_NONE, NULL, syscall_target_write},
	{MSR_SYSCALL_MASK, MSR_SWITCHED, NEED_NONE, NULL, low32_write},
	{MSR_TSC_AUX, MSR_SWITCHED, NEED_RDTSCP, NULL, low32_write},
	/* read directly (TSC offsetting applies), written through Sable */
	{MSR_IA32_TSC, MSR_PASS_READ, NEED_NONE, tsc_read, tsc_write},
	{MSR_IA32_SPEC_CTRL, MSR_PASS_READ, NEED_SPEC_CTRL, vmx_spec_ctrl_read,
         vmx_spec_ctrl_write},
	/* emulated */
	{MSR_IA32_EFER, MSR_EMULATED, NEED_NONE, efer_read, efer_write},
	{MSR_IA32_APIC_BASE, MSR_EMULATED, NEED_NONE, apic_base_read, apic_base_write},
	{MSR_IA32_FEATURE_CONTROL, MSR_EMULATED, NEED_NONE, feature_control_read, NULL},
	{MSR_IA32_TSC_ADJUST, MSR_EMULATED, NEED_NONE, tsc_adjust_read, tsc_adjust_write},
	{MSR_IA32_PRED_CMD, MSR_EMULATED, NEED_NONE, NULL, vmx_pred_cmd_write},
	{MSR_IA32_BIOS_SIGN_ID, MSR_EMULATED, NEED_NONE, read_zero, bios_sign_id_write},
	{MSR_MTRRCAP, MSR_EMULATED, NEED_NONE, read_zero, NULL}, /* no variable/fixed MTRRs */
	{MSR_IA32_FLUSH_CMD, MSR_EMULATED, NEED_NONE, NULL, vmx_flush_cmd_write},
	{MSR_IA32_MCG_CAP, MSR_EMULATED, NEED_NONE, mcg_cap_read, NULL},
	{MSR_IA32_MCG_STATUS, MSR_EMULATED, NEED_NONE, mcg_status_read, mcg_status_write},
	{MSR_IA32_MISC_ENABLE, MSR_EMULATED, NEED_NONE, misc_enable_read, misc_enable_write},
	{MSR_IA32_DEBUGCTL, MSR_EMULATED, NEED_NONE, debugctl_read, debugctl_write},
	{MSR_MTRR_DEF_TYPE, MSR_EMULATED, NEED_NONE, mtrr_def_type_read, mtrr_def_type_write},
	{MSR_IA32_XSS, MSR_EMULATED, NEED_NONE, xss_read, xss_write},
	{MSR_IA32_XFD, MSR_EMULATED, NEED_NONE, xfd_msr_read, xfd_msr_write},
	{MSR_IA32_XFD_ERR, MSR_EMULATED, NEED_NONE, xfd_msr_read, xfd_msr_write},
	{MSR_IA32_TSC_DEADLINE, MSR_EMULATED, NEED_NONE, lapic_msr_read, lapic_msr_write},
	/* one rule for the whole x2APIC range 0x800-0x8ff (find_rule) */
	{X2APIC_MSR_BASE, MSR_EMULATED, NEED_NONE, lapic_msr_read, lapic_msr_write},
};

static bool need_met(const struct msr_rule *r)
{
	switch (r->need) {
	case NEED_RDTSCP:
		return vmx_cfg.rdtscp;
	case NEED_SPEC_CTRL:
		return vmx_spec_ctrl_in_hardware();
	}
	return true;
}

/* The rule for msr (the x2APIC MSRs share the one at X2APIC_MSR_BASE); a
 * switched MSR whose host feature is missing does not exist. */
static const struct msr_rule *find_rule(uint32_t msr)
{
	if (msr >= X2APIC_MSR_BASE && msr <= X2APIC_MSR_LAST)
		msr = X2APIC_MSR_BASE;
	for (size_t i = 0; i < ARRAY_SIZE(msr_table); i++) {
		const struct msr_rule *r = &msr_table[i];

		if (r->msr == msr)
			return r->policy == MSR_SWITCHED && !need_met(r) ? NULL : r;
	}
	return NULL;
}

int vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	const struct msr_rule *r = find_rule(msr);

	if (r && r->read && r->read(v, msr, val) == 0)
		return 0;
	log_debug("vm %s: RDMSR 0x%x: #GP", v->vm->name, msr);
	return -EINVAL;
}

int vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	const struct msr_rule *r = find_rule(msr);

	if (r && r->write && r->write(v, msr, val) == 0)
		return 0;
	log_debug("vm %s: WRMSR 0x%x = 0x%lx: #GP", v->vm->name, msr, val);
	return -EINVAL;
}

/* ---- bitmap, VMCS fields, vCPU switch ---- */

static void guest_view_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	guest_cpuid(ctx, leaf, sub, out);
}

static void host_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	cpuid_count(leaf, sub, out);
}

/* Bitmap layout: read low, read high, write low, write high (SDM Vol. 3C 25.6.9). */
static void msr_passthrough(uint8_t *bm, uint32_t msr, bool read, bool write)
{
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0, bit = msr & 0x1fff;

	if (read)
		bm[base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
	if (write)
		bm[2048 + base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

int vmx_msr_setup_bitmap(void)
{
	struct guest_cpuid_ctx ctx = {
		.host = host_cpuid,
		.nvcpus = 1,
		.xcr0_allowed = fpu_guest_xcr0_allowed(),
		.xss_allowed = fpu_guest_xss_allowed(),
		.xsaves = fpu_guest_xsaves(),
		.xsave = fpu_xsave_table(),
	};
	uint8_t *bm;

	msr_guest_caps_init(&vmx_msr_caps, guest_view_cpuid, &ctx);
	vmx_spec_init();
	switched_live_init();
	vmx_xfd_init();
	vmx_msr_bitmap = mm_alloc_frames(1, PAGE_SIZE);
	if (vmx_msr_bitmap == INVALID_HPA)
		return -ENOMEM;
	bm = phys_to_virt(vmx_msr_bitmap);
	memset(bm, 0xff, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(msr_table); i++) {
		const struct msr_rule *m = &msr_table[i];

		if (m->policy != MSR_EMULATED && need_met(m))
			msr_passthrough(bm, m->msr, true, m->policy != MSR_PASS_READ && !m->write);
	}
	return 0;
}

int vmx_msr_pass_write(struct vcpu *v, uint32_t msr)
{
	struct vcpu_vmx *x = to_vmx(v);

	if (!x->msr_bitmap) {
		x->msr_bitmap = kmalloc_aligned(PAGE_SIZE, PAGE_SIZE);
		if (!x->msr_bitmap)
			return -ENOMEM;
		memcpy(x->msr_bitmap, phys_to_virt(vmx_msr_bitmap), PAGE_SIZE);
		/* the direct map is an identity map (mm/mm.h) */
		vmcs_write64(MSR_BITMAP, (hpa_t)(uintptr_t)x->msr_bitmap);
	}
	msr_passthrough(x->msr_bitmap, msr, false, true);
	return 0;
}

void vmx_msr_setup_vcpu(struct vcpu *v)
{
	struct vmx_msr_state *m = vmx_msr_state(v);

	m->mtrr_def_type = MTRR_DEF_TYPE_INITIAL;
	m->entry_load.index = MSR_IA32_SPEC_CTRL;
	m->exit_load.index = MSR_IA32_SPEC_CTRL;
	vmcs_write64(MSR_BITMAP, to_vmx(v)->msr_bitmap ? (hpa_t)(uintptr_t)to_vmx(v)->msr_bitmap
	                                               : vmx_msr_bitmap);
	/* the direct map is an identity map (mm/mm.h): these addresses are physical */
	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, (hpa_t)(uintptr_t)&m->entry_load);
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR, (hpa_t)(uintptr_t)&m->exit_load);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	m->spec_load_count = 0;
}

/*
 * The switched MSRs as each CPU's hardware holds them (known: bit n for
 * switched MSR n): a vCPU load writes only those that differ from what the
 * CPU holds, so two vCPUs of the same guest kernel (or guests that never set
 * them) switch without a WRMSR. Only switched_hw_write and the put's read-back
 * change the hardware values; the hypervisor itself never uses these MSRs.
 */
static struct switched_hw {
	uint64_t val[NR_SWITCHED];
	uint32_t known;
} switched_hw[MAX_CPUS];

static inline void switched_hw_write(struct switched_hw *h, unsigned n, uint32_t msr, uint64_t val)
{
	if ((h->known & BIT(n)) && h->val[n] == val)
		return;
	wrmsr(msr, val);
	h->val[n] = val;
	h->known |= BIT(n);
}

/* The switched MSRs this CPU has (need met), with their slot in
 * vmx_msr_state.switched: a vCPU switch walks these, not the whole table. */
static struct {
	const struct msr_rule *rule;
	unsigned slot;
} switched_live[NR_SWITCHED];
static unsigned nr_switched_live;

static void switched_live_init(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(msr_table); i++) {
		const struct msr_rule *r = &msr_table[i];

		if (r->policy != MSR_SWITCHED)
			continue;
		if (n < NR_SWITCHED && need_met(r))
			switched_live[nr_switched_live++] = (typeof(switched_live[0])){r, n};
		n++;
	}
}

/* The slot of a switched msr (one with a rule: find_rule found it). */
static unsigned switched_slot(uint32_t msr)
{
	unsigned i = 0;

	while (i + 1 < nr_switched_live && switched_live[i].rule->msr != msr)
		i++;
	return switched_live[i].slot;
}

/* A guest's WRMSR of a switched MSR with a write rule, checked: v is current. */
static void switched_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	unsigned n = switched_slot(msr);

	vmx_msr_state(v)->switched[n] = val;
	switched_hw_write(&switched_hw[cpu_id()], n, msr, val);
}

void vmx_msr_load_guest(struct vcpu *v)
{
	struct vmx_msr_state *m = vmx_msr_state(v);
	struct switched_hw *h = &switched_hw[cpu_id()];

	for (unsigned i = 0; i < nr_switched_live; i++) {
		unsigned n = switched_live[i].slot;

		switched_hw_write(h, n, switched_live[i].rule->msr, m->switched[n]);
	}
	vmx_spec_load_guest(v);
}

/* Reads back what the guest could change without an exit: the switched MSRs
 * without a write rule (IA32_KERNEL_GS_BASE). */
void vmx_msr_save_guest(struct vcpu *v)
{
	struct vmx_msr_state *m = vmx_msr_state(v);
	struct switched_hw *h = &switched_hw[cpu_id()];

	for (unsigned i = 0; i < nr_switched_live; i++) {
		const struct msr_rule *r = switched_live[i].rule;
		unsigned n = switched_live[i].slot;

		if (!r->write) {
			m->switched[n] = h->val[n] = rdmsr(r->msr);
			h->known |= BIT(n);
		}
	}
}
