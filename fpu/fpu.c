#include "fpu/fpu.h"
#include "fpu/xcr0.h"
#include "hv/log.h"
#include "mm/mm.h"
#include "x86.h"

#define CPUID_1_ECX_XSAVE  BIT(26)
#define XSAVE_MXCSR_OFFSET 24
#define MXCSR_DEFAULT      0x1f80
#define GUEST_XCR0_CANDIDATES                                                                      \
	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

#define CPUID_7_ECX_PKU BIT(3)

static uint64_t host_xcr0;
static uint32_t area_size;
static bool pkru_switched;

void fpu_init_cpu(void)
{
	struct cpuid_regs d;

	if (cpuid(0).eax >= 7 && (cpuid(7).ecx & CPUID_7_ECX_PKU))
		pkru_switched = true;
	if (!(cpuid(1).ecx & CPUID_1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid_count(0xd, 0, &d);
	host_xcr0 = (((uint64_t)d.edx << 32) | d.eax) & GUEST_XCR0_CANDIDATES;
	if (!xcr0_valid(host_xcr0, host_xcr0))
		host_xcr0 &= XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM;
	xsetbv(0, host_xcr0);
	cpuid_count(0xd, 0, &d);
	area_size = d.ebx;
}

bool fpu_pkru_switched(void)
{
	return pkru_switched;
}

/* The host runs with CR4.PKE clear, so a guest's PKRU left in the register
 * never applies to it; PKE is set only around RDPKRU/WRPKRU, with no memory
 * access in between. */
uint32_t fpu_swap_pkru(uint32_t v)
{
	uint64_t cr4 = read_cr4();
	uint32_t old;

	write_cr4(cr4 | CR4_PKE);
	old = rdpkru();
	wrpkru(v);
	write_cr4(cr4);
	return old;
}

uint64_t fpu_host_xcr0(void)
{
	return host_xcr0;
}

uint64_t fpu_guest_xcr0_allowed(void)
{
	return host_xcr0;
}

hpa_t fpu_alloc_state(void)
{
	size_t frames = ALIGN_UP((uint64_t)(area_size ? area_size : 512), PAGE_SIZE) / PAGE_SIZE;
	hpa_t area = mm_alloc_frames(frames, PAGE_SIZE);

	if (area != INVALID_HPA)
		*(uint32_t *)((uint8_t *)phys_to_virt(area) + XSAVE_MXCSR_OFFSET) = MXCSR_DEFAULT;
	return area;
}

void fpu_free_state(hpa_t area)
{
	mm_free_frames(area,
	               ALIGN_UP((uint64_t)(area_size ? area_size : 512), PAGE_SIZE) / PAGE_SIZE);
}

void fpu_save(hpa_t area)
{
	if (host_xcr0)
		xsave(phys_to_virt(area), host_xcr0);
}

void fpu_restore(hpa_t area)
{
	if (host_xcr0)
		xrstor(phys_to_virt(area), host_xcr0);
}
