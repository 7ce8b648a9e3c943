// SPDX-License-Identifier: MIT
/* 64-bit code from a 32-bit guest (long64.h). */
#include "long64.h"

#define SEL_CODE32 0x08
#define SEL_CODE64 0x18
#define PTE_P      1u
#define PTE_RW     2u
#define PTE_PS     0x80u
#define CR0_PG     (1u << 31)
#define CR4_PAE    (1u << 5)
#define MSR_EFER   0xc0000080u
#define EFER_LME   (1u << 8)

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint32_t base;
};

/* 0x08 and 0x10 as entry.asm has them, so the selectors in use stay valid */
static uint64_t gdt[4] __attribute__((aligned(8))) = {
	0, 0x00CF9B000000FFFFull, /* 0x08: 32-bit code */
	0x00CF93000000FFFFull,    /* 0x10: data */
	0x00AF9B000000FFFFull,    /* 0x18: 64-bit code (L=1, D=0) */
};
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

bool long64_offered(void)
{
	struct cpuid_regs r;

	cpuid(0x80000000u, 0, &r);
	if (r.eax < 0x80000001u)
		return false;
	cpuid(0x80000001u, 0, &r);
	return r.edx & (1u << 29);
}

void long64_call(void (*body)(void), void *arg)
{
	static uint32_t cr0_off; /* absolute address: no register needed to reach it */
	struct dtr saved, mine = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
	uint32_t flags, cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4(), on = cr0 | CR0_PG;
	uint64_t efer;

	if (!pml4[0]) {
		for (uint32_t i = 0; i < 512; i++)
			pd[i] = ((uint64_t)i << 21) | PTE_PS | PTE_RW | PTE_P;
		pdpt[0] = (uint32_t)(uintptr_t)pd | PTE_RW | PTE_P;
		pml4[0] = (uint32_t)(uintptr_t)pdpt | PTE_RW | PTE_P;
	}
	asm volatile("pushfl\n\tpopl %0\n\tcli\n\tsgdt %1\n\tlgdt %2"
	             : "=r"(flags), "=m"(saved)
	             : "m"(mine)
	             : "memory");
	write_cr4(cr4 | CR4_PAE);
	write_cr3((uint32_t)(uintptr_t)pml4);
	efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer | EFER_LME);
	cr0_off = cr0;
	asm volatile("mov %%eax, %%cr0\n\t"
	             "ljmp %[cs64], $1f\n"
	             ".code64\n"
	             "1: mov %%esp, %%esp\n\t" /* upper halves are undefined on entry */
	             "mov %%edi, %%edi\n\t"
	             "mov %%ebx, %%ebx\n\t"
	             "call *%%rbx\n\t"
	             "pushq %[cs32]\n\t"
	             "leaq 2f(%%rip), %%rax\n\t"
	             "pushq %%rax\n\t"
	             "lretq\n"
	             ".code32\n"
	             "2: mov %[off], %%eax\n\t"
	             "mov %%eax, %%cr0"
	             : "+a"(on), "+D"(arg)
	             : [off] "m"(cr0_off), "b"(body), [cs64] "i"(SEL_CODE64), [cs32] "i"(SEL_CODE32)
	             : "ecx", "edx", "esi", "memory", "cc");
	wrmsr(MSR_EFER, efer);
	write_cr3(cr3);
	write_cr4(cr4);
	asm volatile("lgdt %0\n\tpushl %1\n\tpopfl" : : "m"(saved), "r"(flags) : "memory", "cc");
}
