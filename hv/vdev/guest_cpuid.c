/*
 * Guest CPUID policy. Leaf layouts follow the CPUID instruction reference
 * (Intel SDM Vol. 2A, "CPUID"), XSAVE enumeration Vol. 1 sec. 13.2-13.4, and
 * topology enumeration via leaves 0xB/0x1F in the Vol. 3A multiple-processor
 * management chapter ("Identifying Topology").
 *
 * Ranges:
 *  - Basic leaves 0..max, max = min(host max, 0x1F). Per-leaf rules below;
 *    a basic leaf without a rule is passed through.
 *  - 0x40000000..0x4FFFFFFF (reserved for hypervisors): 0x40000000 returns
 *    the highest hypervisor leaf (0x40000001) and the "SableSableHV"
 *    signature; every other leaf of the range is all zero.
 *  - Extended leaves 0x80000000..max, max = min(host max, 0x80000008): passed
 *    through, except that 0x80000000 reports the capped max.
 *  - Any other leaf (above a range's max, or outside every range) returns
 *    the guest's highest basic leaf, as the SDM specifies for out-of-range
 *    inputs; the subleaf is applied to that leaf.
 */
#include "types.h"
#include "hv/vdev/guest_cpuid.h"
#include "cpuid_bits.h"
#include "fpu/xcr0.h"
#include "fpu/xsave_cpuid.h"

#define LEAF_EXT_BASE 0x80000000u

#define CPUID_4_CACHE_TYPE  0x1fu
#define CPUID_4_CORES_SHIFT 26
#define CPUID_4_CORES_MAX   0x3fu
#define CPUID_4_KEEP_MASK   ((1u << 14) - 1)

#define TOPO_LEVEL_SMT  1u
#define TOPO_LEVEL_CORE 2u

/* Runs the host's CPUID. */
static void host_cpuid(const struct guest_cpuid_ctx *c, uint32_t leaf, uint32_t subleaf,
                       struct cpuid_regs *out)
{
	c->host(c->host_ctx, leaf, subleaf, out);
}

static void regs_zero(struct cpuid_regs *r)
{
	r->eax = 0;
	r->ebx = 0;
	r->ecx = 0;
	r->edx = 0;
}

/* The VM's vCPU count, at least 1. */
static uint32_t vm_cpus(const struct guest_cpuid_ctx *c)
{
	return c->nvcpus ? c->nvcpus : 1;
}

/* Smallest s with 2^s >= n: the ID bits needed to number n logical processors. */
static uint32_t id_bits(uint32_t n)
{
	uint32_t s = 0;

	while (s < 32 && ((uint64_t)1 << s) < n)
		s++;
	return s;
}

/* Highest basic leaf the guest sees: min(host's, GUEST_CPUID_MAX_BASIC). */
static uint32_t guest_max_basic(const struct guest_cpuid_ctx *c)
{
	struct cpuid_regs r;

	if (c->host_max_basic)
		return MIN(c->host_max_basic, GUEST_CPUID_MAX_BASIC);
	host_cpuid(c, 0, 0, &r);
	return MIN(r.eax, GUEST_CPUID_MAX_BASIC);
}

/* Highest extended leaf the guest sees, or 0 if the host has no extended range. */
static uint32_t guest_max_extended(const struct guest_cpuid_ctx *c)
{
	struct cpuid_regs r;

	host_cpuid(c, LEAF_EXT_BASE, 0, &r);
	if (r.eax < LEAF_EXT_BASE)
		return 0;
	return MIN(r.eax, GUEST_CPUID_MAX_EXTENDED);
}

/*
 * Leaf 1. ECX hides what Sable does not virtualize: VMX and SMX (no nesting),
 * PDCM (no IA32_PERF_CAPABILITIES), MONITOR/MWAIT, DS-CPL, EST and TM2 (no
 * thermal/power MSRs); offers x2APIC and TSC-deadline, which the virtual
 * local APIC provides whatever the host has; sets HYPERVISOR; OSXSAVE mirrors
 * the guest's CR4.OSXSAVE when XSAVE exists. EDX offers APIC while the vCPU's
 * IA32_APIC_BASE.EN is set (it reads 0 when disabled, as on hardware: SDM
 * Vol. 3A 11.4.3) and hides DS, ACPI, TM and PBE; MCE/MCA stay.
 * EBX[31:24] (initial APIC ID) = vcpu_id, EBX[23:16] = vCPU count (capped at
 * 255), and HTT is set only when the VM has more than one vCPU.
 */
static void leaf_1(const struct guest_cpuid_ctx *c, struct cpuid_regs *r)
{
	uint32_t n = MIN(vm_cpus(c), 0xffu);

	r->ecx &= ~(CPUID_1_ECX_MONITOR | CPUID_1_ECX_DS_CPL | CPUID_1_ECX_VMX | CPUID_1_ECX_SMX |
	            CPUID_1_ECX_EST | CPUID_1_ECX_TM2 | CPUID_1_ECX_PDCM | CPUID_1_ECX_OSXSAVE);
	r->ecx |= CPUID_1_ECX_HYPERVISOR | CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
	if (c->cr4_osxsave && (r->ecx & CPUID_1_ECX_XSAVE))
		r->ecx |= CPUID_1_ECX_OSXSAVE;

	r->edx &= ~(CPUID_1_EDX_APIC | CPUID_1_EDX_DS | CPUID_1_EDX_ACPI | CPUID_1_EDX_HTT |
	            CPUID_1_EDX_TM | CPUID_1_EDX_PBE);
	if (!c->apic_off)
		r->edx |= CPUID_1_EDX_APIC;
	if (vm_cpus(c) > 1)
		r->edx |= CPUID_1_EDX_HTT;

	r->ebx = (r->ebx & 0xffffu) | (n << 16) | ((c->vcpu_id & 0xffu) << 24);
}

/*
 * Leaf 4 (deterministic cache parameters). Cache geometry passes through; each
 * vCPU is presented as its own core that shares no cache with another vCPU:
 * EAX[31:26] (addressable core IDs - 1) = vCPUs - 1, capped at 63, and
 * EAX[25:14] (addressable IDs sharing this cache - 1) = 0. The terminating
 * subleaf (cache type 0) passes through unchanged.
 */
static void leaf_4(const struct guest_cpuid_ctx *c, struct cpuid_regs *r)
{
	uint32_t cores = MIN(vm_cpus(c) - 1, CPUID_4_CORES_MAX);

	if ((r->eax & CPUID_4_CACHE_TYPE) == 0)
		return;
	r->eax = (r->eax & CPUID_4_KEEP_MASK) | (cores << CPUID_4_CORES_SHIFT);
}

/*
 * Leaf 7. Subleaf 0 hides SGX and Intel PT (EBX); WAITPKG, SGX launch
 * control and PKS (ECX); IA32_ARCH_CAPABILITIES and IA32_CORE_CAPABILITIES
 * (EDX), whose MSRs are not emulated; the AMX bits (subleaf 0 EDX[22,24,25],
 * subleaf 1 EAX[21], EDX[8]) unless guests may enable XTILECFG and XTILEDATA,
 * which needs XFD (fpu/fpu.c). OSPKE mirrors the guest's CR4.PKE when
 * PKU exists (the host's bit would reflect the hypervisor's CR4, SDM Vol. 2A
 * CPUID leaf 07H). Other subleaves pass through.
 */
static void leaf_7(const struct guest_cpuid_ctx *c, uint32_t subleaf, struct cpuid_regs *r)
{
	bool amx = (c->xcr0_allowed & XFEATURE_MASK_XTILE) == XFEATURE_MASK_XTILE;

	if (subleaf == 1 && !amx) {
		r->eax &= ~CPUID_7_1_EAX_AMX_FP16;
		r->edx &= ~CPUID_7_1_EDX_AMX_COMPLEX;
	}
	if (subleaf != 0)
		return;
	if (!amx)
		r->edx &= ~(CPUID_7_EDX_AMX_BF16 | CPUID_7_EDX_AMX_TILE | CPUID_7_EDX_AMX_INT8);
	r->ebx &= ~(CPUID_7_EBX_SGX | CPUID_7_EBX_PT);
	r->ecx &= ~(CPUID_7_ECX_OSPKE | CPUID_7_ECX_WAITPK | CPUID_7_ECX_SGX_LC | CPUID_7_ECX_PKS);
	if (c->cr4_pke && (r->ecx & CPUID_7_ECX_PKU))
		r->ecx |= CPUID_7_ECX_OSPKE;
	r->edx &= ~(CPUID_7_EDX_ARCH | CPUID_7_EDX_CORE);
}

/*
 * Leaves 0xB and 0x1F (extended topology), synthesized: one package of
 * nvcpus single-thread cores. Subleaf 0 is the SMT level (shift 0, one
 * thread), subleaf 1 the core level (shift = ID bits for nvcpus, nvcpus
 * processors), higher subleaves are invalid levels (type 0, ECX[7:0] echoes
 * the subleaf). EDX is always the x2APIC ID = vcpu_id.
 */
static void leaf_topology(const struct guest_cpuid_ctx *c, uint32_t subleaf, struct cpuid_regs *r)
{
	r->edx = c->vcpu_id;
	switch (subleaf) {
	case 0:
		r->eax = 0;
		r->ebx = 1;
		r->ecx = TOPO_LEVEL_SMT << 8;
		break;
	case 1:
		r->eax = id_bits(vm_cpus(c));
		r->ebx = vm_cpus(c) & 0xffffu;
		r->ecx = (TOPO_LEVEL_CORE << 8) | 1;
		break;
	default:
		r->eax = 0;
		r->ebx = 0;
		r->ecx = subleaf & 0xffu;
		break;
	}
}

/*
 * Leaf 0xD (XSAVE), built by fpu/xsave_cpuid.c from the host's table
 * (validated and repaired at boot) for the guest's XCR0 and IA32_XSS, never
 * passed through. Policy here: XSAVES (subleaf 1 EAX bit 3) only when the
 * hypervisor offers it (c->xsaves; fpu_offer_xsaves() says when), XFD only
 * with XTILEDATA allowed. Without a
 * table (no XSAVE) the leaf reads all zero.
 */
static void leaf_xsave(const struct guest_cpuid_ctx *c, uint32_t subleaf, struct cpuid_regs *r)
{
	struct xsave_guest_view g = {
		.xcr0_allowed = c->xcr0_allowed,
		.xss_allowed = c->xss_allowed,
		.xcr0 = c->guest_xcr0,
		.xss = c->guest_xss,
		.sub1_eax_allowed = ~XSAVE_1_EAX_XSAVES,
	};

	if (c->xsaves)
		g.sub1_eax_allowed |= XSAVE_1_EAX_XSAVES;
	else
		g.xss_allowed = 0; /* no IA32_XSS without XSAVES */

	if (!(c->xcr0_allowed & XFEATURE_MASK_XTILE_DATA))
		g.sub1_eax_allowed &= ~XSAVE_1_EAX_XFD;
	/* a compacted image laid out otherwise than the offsets a guest computes from
	 * this leaf corrupts its state when it converts one (signal frames, ptrace) */
	if (c->compacted_broken)
		g.sub1_eax_allowed &= ~XSAVE_1_EAX_XSAVEC;
	if (!c->xsave) {
		regs_zero(r);
		return;
	}
	xsave_guest_cpuid(c->xsave, &g, subleaf, r);
}

/*
 * Leaves 0x15 (TSC / crystal ratio) and 0x16 (frequencies), synthesized from
 * the TSC rate the hypervisor measured, which is the guest's TSC rate too
 * (offsetting only): crystal = TSC / k with ratio k/1, k the smallest power of
 * two that fits the crystal in ECX's 32 bits; so the virtual LAPIC timer,
 * which counts at the TSC rate, runs at the crystal rate a guest derives when
 * k = 1. Leaf 0x16: base = maximum = TSC MHz (rounded), bus 100 MHz.
 */
static void leaf_tsc(const struct guest_cpuid_ctx *c, uint32_t leaf, struct cpuid_regs *r)
{
	uint32_t k = 1;

	regs_zero(r);
	if (leaf == 0x16) {
		r->eax = (uint32_t)((c->tsc_hz + 500000) / 1000000);
		r->ebx = r->eax;
		r->ecx = 100;
		return;
	}
	while (c->tsc_hz / k > 0xffffffffu)
		k *= 2;
	r->eax = 1;
	r->ebx = k;
	r->ecx = (uint32_t)(c->tsc_hz / k);
}

/* Leaf 0x40000000 + n: the signature leaf, or zero (no paravirtual features yet). */
static void leaf_hypervisor(uint32_t leaf, struct cpuid_regs *r)
{
	static const char sig[] = SABLE_CPUID_SIGNATURE;
	uint32_t w[3] = {0, 0, 0};

	_Static_assert(sizeof(sig) == 13, "the signature is 12 bytes");
	regs_zero(r);
	if (leaf != CPUID_LEAF_HV_BASE)
		return;
	for (uint32_t i = 0; i < 12; i++)
		w[i / 4] |= (uint32_t)(uint8_t)sig[i] << (8 * (i % 4));
	r->eax = CPUID_LEAF_HV_FEATURES;
	r->ebx = w[0];
	r->ecx = w[1];
	r->edx = w[2];
}

/* c with its vCPU state filled in (ctx->vcpu_state). */
static struct guest_cpuid_ctx with_state(const struct guest_cpuid_ctx *c)
{
	struct guest_cpuid_ctx s = *c;

	if (s.vcpu_state)
		s.vcpu_state(s.host_ctx, &s);
	return s;
}

/* A basic leaf within the guest's range; leaves without a rule pass through. */
static void leaf_basic(const struct guest_cpuid_ctx *c, uint32_t leaf, uint32_t subleaf,
                       struct cpuid_regs *r)
{
	struct guest_cpuid_ctx s;

	switch (leaf) {
	case 0x5: /* MONITOR/MWAIT: hidden */
	case 0x6: /* thermal and power management: hidden */
	case 0xa: /* architectural PMU: none */
		regs_zero(r);
		return;
	case 0xb:
	case 0x1f:
		leaf_topology(c, subleaf, r);
		return;
	case 0xd:
		s = with_state(c);
		leaf_xsave(&s, subleaf, r);
		return;
	case 0x1d: /* tile information */
	case 0x1e: /* TMUL information */
		if ((c->xcr0_allowed & XFEATURE_MASK_XTILE) != XFEATURE_MASK_XTILE) {
			regs_zero(r);
			return;
		}
		break;
	case 0x15:
	case 0x16:
		if (c->tsc_hz) {
			leaf_tsc(c, leaf, r);
			return;
		}
		break;
	}

	host_cpuid(c, leaf, subleaf, r);
	switch (leaf) {
	case 0x0:
		r->eax = MIN(r->eax, GUEST_CPUID_MAX_BASIC);
		break;
	case 0x1:
		s = with_state(c);
		leaf_1(&s, r);
		break;
	case 0x4:
		leaf_4(c, r);
		break;
	case 0x7:
		s = with_state(c);
		leaf_7(&s, subleaf, r);
		break;
	}
}

void guest_cpuid(const struct guest_cpuid_ctx *c, uint32_t leaf, uint32_t subleaf,
                 struct cpuid_regs *out)
{
	uint32_t max_basic;

	if (leaf >= CPUID_LEAF_HV_BASE && leaf <= CPUID_LEAF_HV_END) {
		leaf_hypervisor(leaf, out);
		return;
	}
	if (leaf >= LEAF_EXT_BASE && leaf <= guest_max_extended(c)) {
		host_cpuid(c, leaf, subleaf, out);
		if (leaf == LEAF_EXT_BASE)
			out->eax = MIN(out->eax, GUEST_CPUID_MAX_EXTENDED);
		return;
	}
	max_basic = guest_max_basic(c);
	leaf_basic(c, MIN(leaf, max_basic), subleaf, out);
}
