// SPDX-License-Identifier: MIT
/*
 * amx: AMX tiles in a guest and XFD as the guest sees it (README "AMX guests").
 *   amx-no-xfd       where the CPU lacks XFD or AMX (Bochs 2.7, most CPUs): the
 *                    guest's CPUID shows neither (CPUID.(0xD,1):EAX[4], XCR0
 *                    bits 17/18, CPUID.(0xD,18), CPUID.(7,0):EDX[22,24,25])
 *                    and RDMSR/WRMSR of IA32_XFD (0x1C4) and IA32_XFD_ERR
 *                    (0x1C5) raise #GP, the XFD_STATS hypercall reports no
 *                    allocation; then `TEST amx SKIP: <reason>`.
 *   amx-tmul         with AMX and XFD (Sapphire Rapids and later, bare metal
 *                    or nested under KVM with -cpu host): in 64-bit mode,
 *                    LDTILECFG, TILELOADD of two int8 matrices, TDPBSSD,
 *                    TILESTORED; the product equals the scalar one, and the
 *                    hypervisor allocated the tile buffer once (hypercall 4)
 *                    without the guest seeing an #NM.
 *   amx-xfd-nm       the guest arms IA32_XFD[18] itself: its tile load raises
 *                    #NM in the guest with IA32_XFD_ERR = 0x40000; its handler
 *                    clears both MSRs and the load retries; still one allocation.
 *   amx-xfd-msr      WRMSR IA32_XFD of XTILECFG (not XFD-capable) or bit 63: #GP.
 * Outside Sable the XFD checks that depend on Sable's policy say SKIP.
 */
#include "guest.h"
#include "sable.h"

#define MSR_IA32_XFD     0x1c4u
#define MSR_IA32_XFD_ERR 0x1c5u
#define VEC_GP           13
#define XTILECFG         (1u << 17)
#define XTILEDATA        (1u << 18)
#define SUB1_XFD         (1u << 4)
#define COMP_XFD         (1u << 2)
#define AMX_CPUID7_EDX   ((1u << 22) | (1u << 24) | (1u << 25))
#define AMX_TILE         (1u << 24)
#define AMX_INT8         (1u << 25)
#define CR4_OSXSAVE      (1u << 18)
#define CR4_OSFXSR       (1u << 9)
#define CR4_PAE          (1u << 5)
#define CR0_PG           (1u << 31)
#define MSR_EFER         0xc0000080u
#define EFER_LME         (1u << 8)
#define HC_XFD_STATS     4 /* EBX = 0: this vCPU's tile-buffer allocations */
#define M                16u
#define K                64u /* bytes per row of A: 16 groups of 4 int8 */
#define N                16u

static uint64_t gdt[4] __attribute__((aligned(8))) = {
	0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull,
	0x00AF9B000000FFFFull, /* 0x18: 64-bit code */
};
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t idt64[2 * 32] __attribute__((aligned(16)));

static uint8_t tilecfg[64] __attribute__((aligned(64)));
static int8_t a[M * K] __attribute__((aligned(64)));
static int8_t b[(K / 4) * N * 4] __attribute__((aligned(64)));
static int32_t c[M * N] __attribute__((aligned(64)));
static int32_t want[M * N];

/* Written by the 64-bit #NM handler. */
volatile uint32_t amx_nm_count, amx_nm_err;

/* The 64-bit #NM handler: records IA32_XFD_ERR, clears it and IA32_XFD, and
 * returns so that the faulting tile instruction retries. */
asm(".code64\n"
    "amx_nm64:\n\t"
    "push %rax\n\tpush %rcx\n\tpush %rdx\n\t"
    "mov $0x1c5, %ecx\n\trdmsr\n\tmov %eax, amx_nm_err(%rip)\n\t"
    "xor %eax, %eax\n\txor %edx, %edx\n\twrmsr\n\t"
    "mov $0x1c4, %ecx\n\twrmsr\n\t"
    "lock incl amx_nm_count(%rip)\n\t"
    "pop %rdx\n\tpop %rcx\n\tpop %rax\n\t"
    "iretq\n"
    ".code32\n");
extern char amx_nm64[];

static void setup_long_mode_tables(void)
{
	uint32_t h = (uint32_t)(uintptr_t)amx_nm64;

	for (uint32_t i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83; /* 2 MiB, RW, present */
	pdpt[0] = (uint32_t)(uintptr_t)pd | 3;
	pml4[0] = (uint32_t)(uintptr_t)pdpt | 3;
	/* vector 7: 64-bit interrupt gate, selector 0x18, present */
	idt64[2 * 7] = (h & 0xffff) | (0x18u << 16) | (0x8eull << 40) | ((uint64_t)(h >> 16) << 48);
	idt64[2 * 7 + 1] = 0;
}

/* One trip to 64-bit mode: the tile sequence on a, b into c. Interrupts stay
 * off; the 64-bit IDT has the #NM gate only, the 32-bit one is restored. */
static void tile_trip(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt}, idtr32;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr64 = {sizeof(idt64) - 1, (uint32_t)(uintptr_t)idt64};
	uint32_t cr0 = read_cr0(), flags;

	asm volatile("pushf\n\tpop %0\n\tsidt %1" : "=r"(flags), "=m"(idtr32));
	asm volatile("cli\n\tlgdt %0" : : "m"(gdtr));
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3((uint32_t)(uintptr_t)pml4);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_LME);
	asm volatile("mov %[on], %%cr0\n\t"
	             "ljmp $0x18, $1f\n"
	             ".code64\n"
	             "1: mov %%esp, %%esp\n\t"
	             "lidt (%[idt])\n\t"
	             "mov %[cfg], %%eax\n\t"
	             "ldtilecfg (%%rax)\n\t"
	             "mov $64, %%edx\n\t"
	             "mov %[a], %%eax\n\t"
	             "tileloadd (%%rax,%%rdx,1), %%tmm1\n\t"
	             "mov %[b], %%eax\n\t"
	             "tileloadd (%%rax,%%rdx,1), %%tmm2\n\t"
	             "tilezero %%tmm0\n\t"
	             "tdpbssd %%tmm2, %%tmm1, %%tmm0\n\t"
	             "mov %[c], %%eax\n\t"
	             "tilestored %%tmm0, (%%rax,%%rdx,1)\n\t"
	             "tilerelease\n\t"
	             "pushq $0x08\n\t"
	             "leaq 2f(%%rip), %%rax\n\t"
	             "pushq %%rax\n\t"
	             "lretq\n"
	             ".code32\n"
	             "2:\n\t"
	             :
	             : [on] "r"(cr0 | CR0_PG), [idt] "r"(&idtr64), [cfg] "i"(tilecfg), [a] "i"(a),
	               [b] "i"(b), [c] "i"(c)
	             : "eax", "edx", "memory");
	write_cr0(cr0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_LME);
	asm volatile("lidt %0\n\tpush %1\n\tpopf" : : "m"(idtr32), "r"(flags) : "cc", "memory");
}

static void fill(void)
{
	static const uint8_t cfg[64] = {[0] = 1,
	                                /* colsb: tmm0 64, tmm1 64, tmm2 64 bytes */
	                                [16] = 64,
	                                [18] = 64,
	                                [20] = 64,
	                                /* rows */
	                                [48] = M,
	                                [49] = M,
	                                [50] = K / 4};

	memcpy(tilecfg, cfg, sizeof(cfg));
	for (uint32_t i = 0; i < M * K; i++)
		a[i] = (int8_t)((i * 7 + 3) % 251 - 125);
	for (uint32_t i = 0; i < sizeof(b); i++)
		b[i] = (int8_t)((i * 13 + 5) % 241 - 120);
	/* TDPBSSD (Intel ISA Extensions ref., AMX): C[m][n] += sum over k, i of
	 * A[m][4k+i] * B[k][4n+i], signed bytes */
	for (uint32_t m = 0; m < M; m++)
		for (uint32_t n = 0; n < N; n++) {
			int32_t s = 0;

			for (uint32_t k = 0; k < K / 4; k++)
				for (uint32_t i = 0; i < 4; i++)
					s += a[m * K + 4 * k + i] * b[k * N * 4 + 4 * n + i];
			want[m * N + n] = s;
		}
}

static uint32_t allocations(void)
{
	uint32_t r = 0;

	return vmcall_safe(HC_XFD_STATS, 0, 0, 0, &r) == 0 ? r : 0xffffffffu;
}

static void run_tiles(bool sable)
{
	uint32_t bad = 0;

	test_begin("amx-tmul");
	memset(c, 0, sizeof(c));
	tile_trip();
	for (uint32_t i = 0; i < M * N; i++)
		bad += c[i] != want[i];
	CHECK(bad == 0, "%u of %u products differ from the scalar result (c[0]=%d want %d)", bad,
	      M * N, c[0], want[0]);
	CHECK(amx_nm_count == 0, "the guest saw %u #NM on its first tile use", amx_nm_count);
	if (sable)
		CHECK(allocations() == 1, "tile buffer allocations: %u, want 1", allocations());
	test_end();

	test_begin("amx-xfd-nm");
	wrmsr(MSR_IA32_XFD, XTILEDATA);
	memset(c, 0, sizeof(c));
	tile_trip();
	CHECK(amx_nm_count == 1 && amx_nm_err == XTILEDATA,
	      "#NM in the guest: %u, IA32_XFD_ERR 0x%x (want 1, 0x40000)", amx_nm_count,
	      amx_nm_err);
	CHECK(rdmsr(MSR_IA32_XFD) == 0, "IA32_XFD 0x%llx after the handler",
	      (unsigned long long)rdmsr(MSR_IA32_XFD));
	CHECK(c[5] == want[5], "the retried sequence gave %d, want %d", c[5], want[5]);
	if (sable)
		CHECK(allocations() == 1, "allocations after the guest's own #NM: %u",
		      allocations());
	test_end();

	test_begin("amx-xfd-msr");
	CHECK(wrmsr_safe(MSR_IA32_XFD, XTILECFG) == VEC_GP, "XFD <- XTILECFG: no #GP");
	CHECK(wrmsr_safe(MSR_IA32_XFD, 1ull << 63) == VEC_GP, "XFD <- bit 63: no #GP");
	CHECK(rdmsr(MSR_IA32_XFD) == 0, "IA32_XFD changed by a refused write");
	test_end();
}

/* The form issue 15 asks for (the library's test_skip() says "SKIP (why)"). */
static void skip_amx(const char *why)
{
	printf("TEST amx SKIP: %s\n", why);
}

/* Without XFD: nothing of it or of AMX shows, and both MSRs #GP. */
static void no_xfd(const char *why)
{
	struct cpuid_regs r;
	uint64_t v = 0;
	uint32_t n = 1;

	test_begin("amx-no-xfd");
	cpuid(0xd, 1, &r);
	CHECK(!(r.eax & SUB1_XFD), "CPUID.(0xD,1):EAX = 0x%x shows XFD", r.eax);
	cpuid(0xd, 0, &r);
	CHECK(!(r.eax & (XTILECFG | XTILEDATA)), "CPUID.(0xD,0):EAX = 0x%x offers AMX", r.eax);
	cpuid(0xd, 18, &r);
	CHECK(!r.eax && !r.ebx && !r.ecx, "CPUID.(0xD,18) = %x %x %x", r.eax, r.ebx, r.ecx);
	cpuid(7, 0, &r);
	CHECK(!(r.edx & AMX_CPUID7_EDX), "CPUID.(7,0):EDX = 0x%x shows AMX", r.edx);
	CHECK(rdmsr_safe(MSR_IA32_XFD, &v) == VEC_GP, "RDMSR IA32_XFD: no #GP");
	CHECK(wrmsr_safe(MSR_IA32_XFD, 0) == VEC_GP, "WRMSR IA32_XFD: no #GP");
	CHECK(rdmsr_safe(MSR_IA32_XFD_ERR, &v) == VEC_GP, "RDMSR IA32_XFD_ERR: no #GP");
	CHECK(wrmsr_safe(MSR_IA32_XFD_ERR, 0) == VEC_GP, "WRMSR IA32_XFD_ERR: no #GP");
	CHECK(vmcall_safe(HC_XFD_STATS, 0, 0, 0, &n) == 0 && n == 0, "XFD_STATS(0) = %u, want 0",
	      n);
	CHECK(vmcall_safe(HC_XFD_STATS, 2, 0, 0, &n) == 0 && n == (uint32_t)-22,
	      "XFD_STATS(2) = %d, want -EINVAL", (int)n);
	test_end();
	skip_amx(why);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t offered = xsave_offered_or_finish("amx");
	bool sable = under_sable();
	struct cpuid_regs s1, c18, l7;

	(void)magic;
	(void)mbi;
	cpuid(0xd, 1, &s1);
	cpuid(0xd, 18, &c18);
	cpuid(7, 0, &l7);
	if (!(s1.eax & SUB1_XFD) || (offered & (XTILECFG | XTILEDATA)) != (XTILECFG | XTILEDATA) ||
	    !(c18.ecx & COMP_XFD) || (l7.edx & (AMX_TILE | AMX_INT8)) != (AMX_TILE | AMX_INT8)) {
		if (sable)
			no_xfd("CPU has no AMX with XFD (CPUID.(0xD,1):EAX[4] = 0 or no "
			       "XTILEDATA)");
		else
			skip_amx("CPU has no AMX with XFD");
		tests_finish();
	}
	write_cr4(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR);
	xsetbv(0, xgetbv(0) | 0x3 | XTILECFG | XTILEDATA);
	setup_long_mode_tables();
	fill();
	run_tiles(sable);
	tests_finish();
}
