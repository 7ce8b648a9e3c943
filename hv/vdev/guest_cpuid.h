/* The CPUID a guest sees: the host's values filtered by Sable's policy (pure). */
#ifndef SABLE_HV_GUEST_CPUID_H
#define SABLE_HV_GUEST_CPUID_H

#include "types.h"
#include "cpuid_regs.h"

struct xsave_cpuid_table;

struct guest_cpuid_ctx {
	cpuid_host_fn host; /* the real CPU's CPUID */
	void *host_ctx;
	uint32_t vcpu_id;        /* 0-based; becomes the initial APIC ID / x2APIC ID */
	uint32_t nvcpus;         /* vCPUs in this VM (0 is treated as 1) */
	uint32_t host_max_basic; /* the host's CPUID.0:EAX if known, else 0 (asked each time) */
	uint64_t tsc_hz;         /* the guest's TSC rate for leaves 0x15/0x16; 0: pass through */
	bool cr4_osxsave;        /* guest CR4.OSXSAVE */
	bool cr4_pke;            /* guest CR4.PKE */
	bool apic_off;           /* its IA32_APIC_BASE.EN is 0: leaf 1 EDX[9] reads 0 */
	uint64_t guest_xcr0;     /* guest's current XCR0 (for leaf 0xD sub 0 EBX) */
	uint64_t xcr0_allowed;   /* XCR0 bits the hypervisor lets the guest enable */
	uint64_t guest_xss;      /* guest's current IA32_XSS (leaf 0xD sub 1 EBX) */
	uint64_t xss_allowed;    /* IA32_XSS bits the guest may enable */
	bool xsaves;             /* XSAVES/XRSTORS offered (leaf 0xD sub 1 EAX[3]) */
	bool compacted_broken;   /* the CPU's XSAVEC writes another layout than leaf 0xD says */
	/* the host's leaf 0xD, consistent (fpu/xsave_layout.h); NULL: no XSAVE */
	const struct xsave_cpuid_table *xsave;
	/* Optional: fills in the fields from cr4_osxsave to xsave (on a copy of the
	 * context, with host_ctx) for the leaves that depend on them (1, 7, 0xD),
	 * so that the others cost no reads of the vCPU's state. NULL: they are set. */
	void (*vcpu_state)(void *host_ctx, struct guest_cpuid_ctx *c);
};

#define SABLE_CPUID_SIGNATURE  "SableSableHV" /* EBX,ECX,EDX of leaf 0x40000000 */
#define CPUID_LEAF_HV_BASE     0x40000000u
#define CPUID_LEAF_HV_FEATURES 0x40000001u
#define CPUID_LEAF_HV_END      0x4fffffffu /* last leaf of the range reserved for hypervisors */

#define GUEST_CPUID_MAX_BASIC    0x1fu       /* highest basic leaf a guest is shown */
#define GUEST_CPUID_MAX_EXTENDED 0x80000008u /* highest extended leaf a guest is shown */

/*
 * Fills *out with what CPUID(leaf, subleaf) returns inside the guest described
 * by c. Calls c->host only for leaves inside the host's ranges. The rules are
 * listed in guest_cpuid.c.
 */
void guest_cpuid(const struct guest_cpuid_ctx *c, uint32_t leaf, uint32_t subleaf,
                 struct cpuid_regs *out);

#endif
