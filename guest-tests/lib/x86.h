/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: x86 instruction wrappers for 32-bit protected mode
 * guests (port I/O, CPUID, TSC, control registers).
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes one byte to an I/O port. */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* Writes one 16-bit word to an I/O port. */
static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* Writes one 32-bit dword to an I/O port. */
static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* Reads one byte from an I/O port. */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* Reads one 16-bit word from an I/O port. */
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* Reads one 32-bit dword from an I/O port. */
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* Executes CPUID with EAX=leaf, ECX=subleaf and stores the four outputs in *r. */
static inline void cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	asm volatile("cpuid"
	             : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
	             : "a"(leaf), "c"(subleaf)
	             : "memory");
}

/* Returns the 64-bit time-stamp counter (RDTSC, not serializing). */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Returns the TSC (RDTSCP) and stores IA32_TSC_AUX in *aux; needs CPUID.80000001h:EDX[27]. */
static inline uint64_t rdtscp(uint32_t *aux)
{
	uint32_t lo, hi, c;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	*aux = c;
	return ((uint64_t)hi << 32) | lo;
}

/* read_crN/write_crN for the control registers CR0, CR2, CR3 and CR4. */
#define GUEST_CR_ACCESSORS(n)                                                                      \
	static inline uint32_t read_cr##n(void)                                                    \
	{                                                                                          \
		uint32_t v;                                                                        \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));                                      \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(uint32_t v)                                                 \
	{                                                                                          \
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                             \
	}
GUEST_CR_ACCESSORS(0)
GUEST_CR_ACCESSORS(2)
GUEST_CR_ACCESSORS(3)
GUEST_CR_ACCESSORS(4)

/* Reads extended control register index (XGETBV; needs CR4.OSXSAVE). */
static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

/* Reads PKRU (needs CR4.PKE, else #UD). */
static inline uint32_t rdpkru(void)
{
	uint32_t v, d;

	asm volatile("rdpkru" : "=a"(v), "=d"(d) : "c"(0));
	return v;
}

/* Writes PKRU (needs CR4.PKE, else #UD). */
static inline void wrpkru(uint32_t v)
{
	asm volatile("wrpkru" : : "a"(v), "c"(0), "d"(0) : "memory");
}

/* read_drN/write_drN for the debug registers DR0-DR3, DR6 and DR7. */
#define GUEST_DR_ACCESSORS(n)                                                                      \
	static inline uint32_t read_dr##n(void)                                                    \
	{                                                                                          \
		uint32_t v;                                                                        \
		asm volatile("mov %%dr" #n ", %0" : "=r"(v));                                      \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_dr##n(uint32_t v)                                                 \
	{                                                                                          \
		asm volatile("mov %0, %%dr" #n : : "r"(v) : "memory");                             \
	}
GUEST_DR_ACCESSORS(0)
GUEST_DR_ACCESSORS(1)
GUEST_DR_ACCESSORS(2)
GUEST_DR_ACCESSORS(3)
GUEST_DR_ACCESSORS(6)
GUEST_DR_ACCESSORS(7)

/* Reads the x87 control word (FNSTCW). */
static inline uint16_t read_fcw(void)
{
	uint16_t v;

	asm volatile("fnstcw %0" : "=m"(v));
	return v;
}

/* Writes extended control register xcr (XSETBV; needs CR4.OSXSAVE). */
static inline void xsetbv(uint32_t xcr, uint64_t v)
{
	asm volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* FXSAVE into a 16-byte aligned 512-byte area (XMM only with CR4.OSFXSR). */
static inline void fxsave(void *area)
{
	asm volatile("fxsave %0" : "=m"(*(uint8_t(*)[512])area));
}

/* Spins one PAUSE. */
static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/* Stops the CPU for good: interrupts off, HLT in a loop. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

#define CR4_OSXSAVE (1u << 18)
#define CR4_PKE     (1u << 22)

/* Architectural MSR numbers used by the tests. */
#define MSR_IA32_TSC            0x00000010
#define MSR_IA32_SYSENTER_CS    0x00000174
#define MSR_IA32_SYSENTER_ESP   0x00000175
#define MSR_IA32_SYSENTER_EIP   0x00000176
#define MSR_IA32_PAT            0x00000277
#define MSR_IA32_EFER           0xC0000080
#define MSR_IA32_FS_BASE        0xC0000100
#define MSR_IA32_GS_BASE        0xC0000101
#define MSR_IA32_KERNEL_GS_BASE 0xC0000102
#define MSR_IA32_TSC_AUX        0xC0000103

#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

/* Exception vectors. */
#define X86_DE 0
#define X86_UD 6
#define X86_DF 8
#define X86_GP 13
#define X86_PF 14

/* Loads the GDT at gdt, bytes long (LGDT with a 32-bit base). */
static inline void load_gdt(const void *gdt, uint32_t bytes)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr = {(uint16_t)(bytes - 1), (uint32_t)(uintptr_t)gdt};

	asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
}

#endif
