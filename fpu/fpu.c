/* Boot-time FPU setup: CR4, the host XCR0, the checked leaf 0xD and the
 * self-test that chooses the save format. */
#include "fpu/fpu.h"
#include "cpuid_bits.h"
#include "err.h"
#include "fpu/fpu_host.h"
#include "fpu/xcr0.h"
#include "fpu/xfd_vcpu.h"
#include "fpu/xsave_layout.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "kstring.h"
#include "x86.h"

/* PKRU stays out of the boot XCR0: XCR0[9] is set only to switch images. */
#define GUEST_XCR0_CANDIDATES                                                                      \
	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)
/* Supervisor components guests may enable in IA32_XSS: none yet, as none of
 * their features (PT, CET, arch LBR, ...) is virtualized; the mechanism
 * (checks, per-vCPU value, switch) is in place for them. Offering one also
 * needs its init state loaded by XRSTORS for a vCPU without a saved image
 * (fpu_switch.c restores that one with XRSTOR, which ignores IA32_XSS). */
#define GUEST_XSS_CANDIDATES 0ull
#define SELFTEST_BUF         4096u
#define XTILEDATA            18u /* the XFD-capable component AMX needs (SDM Vol. 1 sec. 13.14) */

struct fpu_host fpu_host;

/* FCW = 0x37F (FNINIT), MXCSR = 0x1F80, XSTATE_BV = XCOMP_BV = 0: XRSTOR
 * initializes every component of RFBM and loads MXCSR (SDM Vol. 1 sec. 13.8.1);
 * FXRSTOR takes an empty x87 stack (abridged tag 0) from it. */
__attribute__((aligned(64))) const uint8_t fpu_init_image[XSAVE_EXT_OFFSET] = {
	[XSAVE_FCW_OFFSET] = 0x7f,
	[XSAVE_FCW_OFFSET + 1] = 0x03,
	[XSAVE_MXCSR_OFFSET] = 0x80,
	[XSAVE_MXCSR_OFFSET + 1] = 0x1f,
};

static __attribute__((aligned(64))) uint8_t st_std[SELFTEST_BUF], st_comp[SELFTEST_BUF];

static uint32_t cpuid_count_eax(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	cpuid_count(leaf, sub, &r);
	return r.eax;
}

static bool cpu_has_pku(void)
{
	struct cpuid_regs r;

	if (cpuid(0).eax < 7)
		return false;
	cpuid_count(7, 0, &r);
	return r.ecx & CPUID_7_ECX_PKU;
}

static void run_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	(void)ctx;
	cpuid_count(leaf, sub, out);
}

/* Reads the host's leaf 0xD with the boot XCR0 in force, checks it and keeps
 * a consistent copy for the guests' CPUID (Bochs 2.7's needs repair). */
static void read_host_table(void)
{
	struct xsave_cpuid_table raw;
	struct xsave_layout l;
	const char *why;
	int comp;

	xsave_table_read(run_cpuid, NULL, fpu_host.xcr0, 0, &raw);
	if (xsave_table_check(&raw, &why, &comp))
		log_warn("XSAVE: host CPUID leaf 0xD is inconsistent: %s (component %d); "
		         "guests see a repaired leaf",
		         why, comp);
	xsave_table_repair(&raw, &fpu_host.table);
	fpu_host.table_ready = true;
	if (xsave_layout_mask(&fpu_host.table, xsave_supported_xcr0(&fpu_host.table), &l) == 0)
		log_info("XSAVE: XCR0 0x%lx IA32_XSS 0x%lx, all components %u bytes standard, "
		         "%u compacted",
		         (unsigned long)xsave_supported_xcr0(&fpu_host.table),
		         (unsigned long)xsave_supported_xss(&fpu_host.table), l.std_size,
		         l.compact_size);
}

/* Loads a pattern with XRSTOR, saves it with XSAVES (or XSAVEC) and checks
 * where each component landed; if that agrees, restores the compacted image
 * and checks a standard XSAVE of the result. Leaves every component in its
 * init state. Runs with XCR0 = switch_mask. */
static void selftest_compacted(bool use_xsaves, struct xsave_selftest_result *r)
{
	/* no AMX state: tile data is 8 KiB, and a pattern is no valid tile config */
	uint64_t mask = fpu_host.switch_mask & ~XFEATURE_MASK_XTILE;
	struct xsave_layout l;

	*r = (struct xsave_selftest_result){.rc = -EINVAL, .comp = -1, .found = -1};
	if (xsave_layout_mask(&fpu_host.table, mask, &l) < 0 ||
	    xsave_selftest_fill(&l, st_std, sizeof(st_std)) < 0) {
		r->why = "no layout for the components, or larger than the test buffer";
		return;
	}
	xrstor(st_std, mask);
	memset(st_comp, 0, sizeof(st_comp));
	if (use_xsaves)
		xsaves(st_comp, mask);
	else
		xsavec(st_comp, mask);
	xrstor(fpu_init_image, mask);
	xsave_selftest_check_compacted(&l, st_comp, sizeof(st_comp), r);
	if (r->rc)
		return;
	if (use_xsaves)
		xrstors(st_comp, mask);
	else
		xrstor(st_comp, mask);
	memset(st_std, 0, sizeof(st_std));
	xsave(st_std, mask);
	xrstor(fpu_init_image, mask);
	xsave_selftest_check_standard(&l, st_std, sizeof(st_std), r);
}

/* AMX's tile data (8 KiB) is offered to guests only where XFD lets its buffer
 * come on first use (mechanism 4): CPUID.(0xD,1):EAX[4] and (0xD,18):ECX[2]. */
static bool cpu_has_xfd_tiles(void)
{
	struct cpuid_regs r;

	cpuid_count(0xd, 1, &r);
	if (!(r.eax & XSAVE_1_EAX_XFD))
		return false;
	cpuid_count(0xd, XTILEDATA, &r);
	return r.ecx & XSAVE_COMP_XFD;
}

/* On CPU 0, after the table: what XFD code needs, and one line saying so. */
static void xfd_setup(void)
{
	xfd_caps_init(&xfd_host.caps, &fpu_host.table, fpu_host.xcr0);
	xfd_host.table = &fpu_host.table;
	xfd_host.pkru_bit = fpu_host.pkru_bit;
	if (!(fpu_host.table.sub1.eax & XSAVE_1_EAX_XFD)) {
		log_info("XFD: not offered by this CPU (CPUID.(0xD,1):EAX[4] = 0): no AMX for "
		         "guests, IA32_XFD/IA32_XFD_ERR raise #GP, #NM is never intercepted");
		return;
	}
	if (!xfd_host.caps.present) {
		log_info("XFD: no XFD-capable component guests may enable: no AMX for guests, "
		         "IA32_XFD/IA32_XFD_ERR raise #GP, #NM is never intercepted");
		return;
	}
	log_info("XFD: IA32_XFD-capable components 0x%lx: their buffers are allocated on the "
	         "first #NM of each vCPU",
	         (unsigned long)xfd_host.caps.capable);
}

/* On CPU 0: the format every CPU switches vCPU states with, and the boot line. */
static void choose_format(void)
{
	struct xsave_selftest_result r, *test = NULL;
	struct cpuid_regs s1;
	const char *why;

	cpuid_count(0xd, 1, &s1);
	fpu_host.xgetbv1 = s1.eax & XSAVE_1_EAX_XGETBV1;
	if (s1.eax & (XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES)) {
		xsetbv(0, fpu_host.switch_mask);
		selftest_compacted(s1.eax & XSAVE_1_EAX_XSAVES, &r);
		xsetbv(0, fpu_host.xcr0);
		test = &r;
		fpu_host.compacted_broken = r.rc != 0;
	}
	fpu_host.format = xsave_choose_format(true, s1.eax, test, &why);
	log_info("XSAVE: vCPU state saved with %s: %s", xsave_format_name(fpu_host.format), why);
	xfd_host.format = fpu_host.format;
	if (test && r.rc)
		log_info("XSAVE: self-test: %s (component %d: expected at %u, found at %d; "
		         "XCOMP_BV 0x%lx)",
		         r.why, r.comp, r.expected, (int)r.found, (unsigned long)r.xcomp_bv);
}

void fpu_init_cpu(void)
{
	struct cpuid_regs d;
	uint64_t offered;

	if (!(cpuid(1).ecx & CPUID_1_ECX_XSAVE)) {
		/* FXSAVE saves the XMM registers only with CR4.OSFXSR (SDM Vol. 2A
		 * FXSAVE); the hypervisor itself never uses them. */
		fpu_host.format = XSAVE_FMT_FXSR;
		if (cpuid(1).edx & CPUID_1_EDX_FXSR)
			write_cr4(read_cr4() | CR4_OSFXSR);
		return;
	}
	/* OSFXSR: for STMXCSR at switch-out (fpu_switch.c) */
	write_cr4(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR);
	cpuid_count(0xd, 0, &d);
	offered = ((uint64_t)d.edx << 32) | d.eax;
	fpu_host.xcr0 = offered & GUEST_XCR0_CANDIDATES;
	if (cpu_has_xfd_tiles())
		fpu_host.xcr0 |= offered & XFEATURE_MASK_XTILE;
	if (!xcr0_valid(fpu_host.xcr0, fpu_host.xcr0))
		fpu_host.xcr0 &= XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM;
	/* RDPKRU/WRPKRU work in any guest that sets its CR4.PKE, so PKRU is guest
	 * state whenever the CPU has protection keys. */
	if (cpu_has_pku() && (offered & XFEATURE_MASK_PKRU))
		fpu_host.pkru_bit = XFEATURE_MASK_PKRU;
	fpu_host.switch_mask = fpu_host.xcr0 | fpu_host.pkru_bit;
	xsetbv(0, fpu_host.xcr0);
	/* The hypervisor uses no supervisor component: its IA32_XSS is 0, a guest's
	 * is in force while its state is live (fpu_switch.c; a guest's XSAVES runs
	 * with the hardware value, sec. 13.11). */
	if (cpuid_count_eax(0xd, 1) & XSAVE_1_EAX_XSAVES)
		wrmsr(MSR_IA32_XSS, 0);
	if (fpu_host.xcr0 & XFEATURE_MASK_XTILE_DATA)
		wrmsr(MSR_IA32_XFD, 0); /* its reset value: nothing disabled until a vCPU runs */
	if (cpu_id() == 0 && !fpu_host.table_ready) {
		read_host_table();
		xfd_setup();
		choose_format();
	}
}

const struct xsave_cpuid_table *fpu_xsave_table(void)
{
	return fpu_host.table_ready ? &fpu_host.table : NULL;
}

uint64_t fpu_host_xcr0(void)
{
	return fpu_host.xcr0;
}

/* XCR0[9] stays hidden from guests (their PKRU is switched all the same). */
bool fpu_compacted_broken(void)
{
	return fpu_host.compacted_broken;
}

uint64_t fpu_guest_xcr0_allowed(void)
{
	return fpu_host.xcr0;
}

bool fpu_offer_xsaves(bool vmx_control)
{
	const char *why;

	if (fpu_host.xsaves_decided)
		return fpu_host.guest_xsaves;
	fpu_host.xsaves_decided = true;
	if (fpu_host.format == XSAVE_FMT_FXSR)
		return false; /* no XSAVE at all: nothing to say */
	fpu_host.guest_xsaves =
		xsave_offer_xsaves(cpuid_count_eax(0xd, 1), vmx_control, fpu_host.format, &why);
	if (fpu_host.guest_xsaves)
		fpu_host.switch_xss = xsave_supported_xss(&fpu_host.table) & GUEST_XSS_CANDIDATES;
	log_info("XSAVE: guests %s XSAVES/XRSTORS and IA32_XSS: %s",
	         fpu_host.guest_xsaves ? "get" : "do not get", why);
	return fpu_host.guest_xsaves;
}

bool fpu_guest_xsaves(void)
{
	return fpu_host.guest_xsaves;
}

uint64_t fpu_guest_xss_allowed(void)
{
	return fpu_host.switch_xss;
}
