/* The one place for x86 CPU instructions (no VMX: see vmx/vmx_ops.h). */
#ifndef SABLE_X86_H
#define SABLE_X86_H

#include "bench.h"
#include "cpuid_regs.h"
#include "types.h"

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_VME        BIT(0)
#define CR4_PVI        BIT(1)
#define CR4_TSD        BIT(2)
#define CR4_DE         BIT(3)
#define CR4_PSE        BIT(4)
#define CR4_PAE        BIT(5)
#define CR4_MCE        BIT(6)
#define CR4_PGE        BIT(7)
#define CR4_PCE        BIT(8)
#define CR4_OSFXSR     BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_UMIP       BIT(11)
#define CR4_VMXE       BIT(13)
#define CR4_SMXE       BIT(14)
#define CR4_FSGSBASE   BIT(16)
#define CR4_PCIDE      BIT(17)
#define CR4_OSXSAVE    BIT(18)
#define CR4_SMEP       BIT(20)
#define CR4_SMAP       BIT(21)
#define CR4_PKE        BIT(22)
#define CR4_LA57       BIT(12)

#define RFLAGS_IF BIT(9)

#define MSR_IA32_APIC_BASE       0x0000001b
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_PAT             0x00000277
#define MSR_IA32_XSS             0x00000da0
#define MSR_IA32_EFER            0xc0000080
#define MSR_FS_BASE              0xc0000100
#define MSR_GS_BASE              0xc0000101
#define MSR_KERNEL_GS_BASE       0xc0000102

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

static inline void cpuid_count(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	__asm__ volatile("cpuid"
	                 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
	                 : "a"(leaf), "c"(subleaf));
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	struct cpuid_regs r;
	cpuid_count(leaf, 0, &r);
	return r;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	BENCH_COUNT(BENCH_RDMSR);
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
	BENCH_COUNT(BENCH_WRMSR); /* after: the WRMSR of GS_BASE makes %gs valid */
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                                                     \
	static inline uint64_t read_cr##n(void)                                                    \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(uint64_t v)                                                 \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                         \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

#define DEFINE_DR_ACCESSORS(n)                                                                     \
	static inline uint64_t read_dr##n(void)                                                    \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_dr##n(uint64_t v)                                                 \
	{                                                                                          \
		__asm__ volatile("mov %0, %%dr" #n : : "r"(v) : "memory");                         \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)
DEFINE_DR_ACCESSORS(7)

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}
static inline void xsetbv(uint32_t index, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
	BENCH_COUNT(BENCH_XSETBV);
}

/* XSAVE-family instructions on the components in mask (SDM Vol. 1 ch. 13),
 * 64-byte aligned area: xsave/xrstor (standard form; XRSTOR also restores a
 * compacted image), xsavec, and xsaves/xrstors (compacted, supervisor
 * components too; sec. 13.10-13.12). */
#define DEFINE_XSAVE_OP(name, insn, ptr)                                                           \
	static inline void name(ptr area, uint64_t mask)                                           \
	{                                                                                          \
		__asm__ volatile(insn " (%0)"                                                      \
		                 :                                                                 \
		                 : "r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))     \
		                 : "memory");                                                      \
	}
DEFINE_XSAVE_OP(xsave, "xsave64", void *)
DEFINE_XSAVE_OP(xrstor, "xrstor64", const void *)
DEFINE_XSAVE_OP(xsavec, "xsavec64", void *)
DEFINE_XSAVE_OP(xsaves, "xsaves64", void *)
DEFINE_XSAVE_OP(xrstors, "xrstors64", const void *)
/* MXCSR, read without touching any vector register (needs CR4.OSFXSR). */
static inline uint32_t read_mxcsr(void)
{
	uint32_t v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}
/* x87/SSE state in the 512-byte legacy layout (16-byte aligned area). */
static inline void fxsave(void *area)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}
static inline void fxrstor(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
/* sti; hlt with no window between them: wakes on the next interrupt. */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
/* sti; nop; cli: one instruction boundary with interrupts on (STI's shadow
 * covers the nop), so a pending interrupt is taken through the IDT there. */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}
/* INT 2: runs the NMI handler through the IDT; its IRET unblocks NMIs. */
static inline void nmi_handler_call(void)
{
	__asm__ volatile("int $2" ::: "memory");
}
static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void ud2(void)
{
	__asm__ volatile("ud2");
}
static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

struct __packed desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void lgdt(const struct desc_ptr *p)
{
	__asm__ volatile("lgdt %0" : : "m"(*p));
}
static inline void lidt(const struct desc_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p));
}
static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel));
}
static inline uint16_t read_tr(void)
{
	uint16_t sel;
	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

/* Reloads CS with a far return and the data segments with sel_data. */
static inline void load_segments(uint16_t sel_code, uint16_t sel_data)
{
	__asm__ volatile("pushq %q0\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw %w1, %%ds\n\t"
	                 "movw %w1, %%es\n\t"
	                 "movw %w1, %%ss\n\t"
	                 :
	                 : "r"((uint64_t)sel_code), "r"(sel_data)
	                 : "rax", "memory");
}

/* The per-CPU pointer lives at %gs:0 (struct percpu starts with a self pointer). */
static inline void *read_gs_self(void)
{
	void *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("movq %%rbp, %0" : "=r"(v));
	return v;
}

#endif
