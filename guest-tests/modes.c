// SPDX-License-Identifier: MIT
/*
 * modes: enters PAE paging and IA-32e (long) mode and leaves them again through every
 * MOV-to-CR0 path: one the hypervisor must emulate (CR0.NE toggles at the same time, and
 * NE is owned by the hypervisor, so the write exits) and one the CPU carries out alone
 * (NE unchanged). Under PAE paging a second mapping (linear 1 GiB -> physical 0) shows
 * that the PDPTEs were loaded; in long mode 64-bit code runs and reads EFER.LMA back.
 * EFER is written before paging (LME), while in long mode (SCE) and after (LME off).
 */
#include "guest.h"

#define CR0_PE   (1u << 0)
#define CR0_NE   (1u << 5)
#define CR0_PG   (1u << 31)
#define CR4_PAE  (1u << 5)
#define EFER_SCE (1u << 0)
#define CODE64   0x18
#define ALIAS    0x40000000u /* linear 1 GiB maps physical 0 */
#define PTE_P    1u
#define PTE_RW   2u
#define PTE_PS   0x80u

static uint64_t gdt[4] __attribute__((aligned(8))) = {
	0, 0x00CF9B000000FFFFull, /* 0x08: 32-bit code, the one entry.asm loaded */
	0x00CF93000000FFFFull,    /* 0x10: data */
	0x00AF9B000000FFFFull,    /* 0x18: 64-bit code (L=1, D=0) */
};
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt_long[512] __attribute__((aligned(4096)));
static uint64_t pdpt_pae[4] __attribute__((aligned(32)));
static uint64_t pd_identity[512] __attribute__((aligned(4096)));
static uint64_t pd_alias[512] __attribute__((aligned(4096)));
static volatile uint32_t marker = 0x5ab1e000;

static void setup_tables(void)
{
	load_gdt(gdt, sizeof(gdt));
	for (uint32_t i = 0; i < 512; i++)
		pd_identity[i] = ((uint64_t)i << 21) | PTE_PS | PTE_RW | PTE_P;
	pd_alias[0] = PTE_PS | PTE_RW | PTE_P;
	pml4[0] = (uint32_t)(uintptr_t)pdpt_long | PTE_RW | PTE_P;
	pdpt_long[0] = (uint32_t)(uintptr_t)pd_identity | PTE_RW | PTE_P;
	pdpt_long[1] = (uint32_t)(uintptr_t)pd_alias | PTE_RW | PTE_P;
	/* PAE PDPTEs have no R/W bit: bits 2:1 are reserved */
	pdpt_pae[0] = (uint32_t)(uintptr_t)pd_identity | PTE_P;
	pdpt_pae[1] = (uint32_t)(uintptr_t)pd_alias | PTE_P;
}

/* MOV to CR0 that may fault: 0 or the vector. */
static int write_cr0_safe(uint32_t v)
{
	fault_arm();
	asm volatile("1: mov %0, %%cr0\n2:\n\t" EXTABLE(1b, 2b) : : "r"(v) : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

/* What the trip through long mode saw. */
struct long_result {
	uint32_t lo, hi;   /* a 64-bit shift result, 0x123456789 */
	uint32_t efer_in;  /* EFER read in 64-bit mode */
	uint32_t efer_sce; /* EFER after WRMSR of SCE in 64-bit mode */
	uint32_t alias;    /* in: alias address of marker; out: what it read in 64-bit mode */
	uint32_t efer_out; /* EFER after paging is off again, in 32-bit mode */
	/* REP OUTSB to COM1 in 64-bit mode (RSI/RCX), then with 0x67 (ESI/ECX) */
	uint32_t text64, len64, end64, rcx64;
	uint32_t text32, len32, esi32, rsi32_hi, rcx32_hi;
	uint32_t cr0_off;
};

/* Paging on with cr0_on (PAE and LME already set), far jump to 64-bit code, back to
 * compatibility mode, paging off with cr0_off. Interrupts stay off: the IDT has only
 * 32-bit gates. */
static void long_trip(uint32_t cr0_on, uint32_t cr0_off, struct long_result *r)
{
	r->cr0_off = cr0_off;
	asm volatile("mov %[on], %%cr0\n\t"
	             "ljmp $0x18, $1f\n"
	             ".code64\n"
	             "1: mov %%esp, %%esp\n\t" /* upper halves are undefined on entry */
	             "mov %%edi, %%edi\n\t"
	             "movabs $0x123456789abcdef0, %%rax\n\t"
	             "shr $28, %%rax\n\t"
	             "mov %%eax, 0(%%rdi)\n\t"
	             "shr $32, %%rax\n\t"
	             "mov %%eax, 4(%%rdi)\n\t"
	             "mov $0xc0000080, %%ecx\n\t"
	             "rdmsr\n\t"
	             "mov %%eax, 8(%%rdi)\n\t"
	             "or $1, %%eax\n\t"
	             "wrmsr\n\t"
	             "rdmsr\n\t"
	             "mov %%eax, 12(%%rdi)\n\t"
	             "and $~1, %%eax\n\t"
	             "wrmsr\n\t"
	             "mov 16(%%rdi), %%eax\n\t"
	             "mov (%%rax), %%eax\n\t"
	             "mov %%eax, 16(%%rdi)\n\t"
	             "mov 24(%%rdi), %%esi\n\t"
	             "mov 28(%%rdi), %%ecx\n\t"
	             "mov $0x3f8, %%edx\n\t"
	             "rep outsb\n\t"
	             "mov %%esi, 32(%%rdi)\n\t"
	             "mov %%ecx, 36(%%rdi)\n\t"
	             "movabs $0xdead000000000000, %%rax\n\t"
	             "mov 40(%%rdi), %%esi\n\t"
	             "or %%rax, %%rsi\n\t"
	             "mov 44(%%rdi), %%ecx\n\t"
	             "or %%rax, %%rcx\n\t"
	             ".byte 0x67\n\t"
	             "rep outsb\n\t"
	             "mov %%esi, 48(%%rdi)\n\t"
	             "shr $32, %%rsi\n\t"
	             "mov %%esi, 52(%%rdi)\n\t"
	             "shr $32, %%rcx\n\t"
	             "mov %%ecx, 56(%%rdi)\n\t"
	             "pushq $0x08\n\t"
	             "leaq 2f(%%rip), %%rax\n\t"
	             "pushq %%rax\n\t"
	             "lretq\n"
	             ".code32\n"
	             "2: mov 60(%%edi), %%eax\n\t"
	             "mov %%eax, %%cr0\n\t"
	             "mov $0xc0000080, %%ecx\n\t"
	             "rdmsr\n\t"
	             "mov %%eax, 20(%%edi)\n\t"
	             :
	             : [on] "b"(cr0_on), "D"(r)
	             : "eax", "ecx", "edx", "esi", "memory");
}

static void long_mode(const char *name, uint32_t ne_on, uint32_t ne_off)
{
	uint32_t cr0 = read_cr0() & ~(CR0_PG | CR0_NE);
	static const char line64[] = "INFO modes: rep outsb in 64-bit mode\n";
	static const char line32[] = "INFO modes: rep outsb in 64-bit mode, 32-bit addresses\n";
	struct long_result r = {0};
	uint64_t efer;

	test_begin(name);
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3((uint32_t)(uintptr_t)pml4);
	wrmsr(MSR_IA32_EFER, EFER_LME);
	marker = 0x10000000u | ne_on | ne_off >> 4;
	r.alias = ALIAS + (uint32_t)(uintptr_t)&marker;
	r.text64 = (uint32_t)(uintptr_t)line64;
	r.len64 = sizeof(line64) - 1;
	r.text32 = (uint32_t)(uintptr_t)line32;
	r.len32 = sizeof(line32) - 1;
	long_trip(cr0 | CR0_PG | ne_on, cr0 | ne_off, &r);
	efer = rdmsr(MSR_IA32_EFER);
	wrmsr(MSR_IA32_EFER, 0);
	write_cr4(read_cr4() & ~CR4_PAE);
	CHECK(r.lo == 0x23456789 && r.hi == 1, "64-bit shift gave 0x%x%08x", r.hi, r.lo);
	CHECK((r.efer_in & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	      "EFER in 64-bit mode 0x%x, want LME and LMA", r.efer_in);
	CHECK(r.efer_sce == (EFER_LME | EFER_LMA | EFER_SCE), "EFER after WRMSR SCE 0x%x",
	      r.efer_sce);
	CHECK(r.alias == marker, "alias read 0x%x, want 0x%x", r.alias, marker);
	CHECK(r.efer_out == EFER_LME, "EFER after paging off 0x%x, want LME only", r.efer_out);
	CHECK(efer == EFER_LME, "EFER in 32-bit code 0x%llx", efer);
	CHECK(r.end64 == r.text64 + r.len64 && r.rcx64 == 0, "64-bit REP OUTSB: RSI 0x%x RCX %u",
	      r.end64, r.rcx64);
	CHECK(r.esi32 == r.text32 + r.len32 && r.rsi32_hi == 0 && r.rcx32_hi == 0,
	      "REP OUTSB with 0x67: ESI 0x%x, upper RSI 0x%x, upper RCX 0x%x (want zero-extended)",
	      r.esi32, r.rsi32_hi, r.rcx32_hi);
	CHECK((read_cr0() & (CR0_PG | CR0_NE)) == ne_off, "CR0 after the trip 0x%x", read_cr0());
	CHECK(rdmsr(MSR_IA32_EFER) == 0, "EFER.LME did not clear");
	test_end();
}

static void pae_mode(const char *name, uint32_t ne_on, uint32_t ne_off)
{
	uint32_t cr0 = read_cr0() & ~(CR0_PG | CR0_NE);
	volatile uint32_t *alias = (volatile uint32_t *)(ALIAS + (uintptr_t)&marker);
	static const char line[] = "INFO modes: rep outsb under PAE paging from the 1 GiB alias\n";
	uint32_t seen, after, efer_vec, cr0_pg;
	uint32_t esi = ALIAS + (uint32_t)(uintptr_t)line, ecx = sizeof(line) - 1;

	test_begin(name);
	marker = 0x5ab1e000 | ne_on | ne_off >> 4;
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3((uint32_t)(uintptr_t)pdpt_pae);
	write_cr0(cr0 | CR0_PG | ne_on);
	seen = *alias;
	*alias = seen + 1;
	after = marker;
	cr0_pg = read_cr0();
	/* string I/O through the alias: the hypervisor walks the PAE tables */
	asm volatile("rep outsb" : "+S"(esi), "+c"(ecx) : "d"(0x3f8) : "memory");
	efer_vec = wrmsr_safe(MSR_IA32_EFER, EFER_LME); /* LME may not change under paging */
	if (efer_vec == 0)
		wrmsr(MSR_IA32_EFER, 0); /* it did: undo it before paging goes off */
	write_cr0(cr0 | ne_off);
	write_cr4(read_cr4() & ~CR4_PAE);
	CHECK(cr0_pg & CR0_PG, "CR0.PG not set: 0x%x", cr0_pg);
	CHECK(seen == (0x5ab1e000 | ne_on | ne_off >> 4), "alias read 0x%x", seen);
	CHECK(after == seen + 1, "write through the alias not seen: 0x%x", after);
	CHECK(esi == ALIAS + (uint32_t)(uintptr_t)line + sizeof(line) - 1 && ecx == 0,
	      "REP OUTSB through the alias: ESI 0x%x ECX %u", esi, ecx);
	if (efer_vec || !under_tcg()) /* QEMU TCG does not raise this #GP */
		CHECK(efer_vec == X86_GP, "WRMSR EFER.LME under paging raised %u, want #GP",
		      efer_vec);
	CHECK(rdmsr(MSR_IA32_EFER) == 0, "EFER changed");
	test_end();
}

/* Long mode cannot start without PAE: #GP, from the exiting and the direct path. */
static void long_without_pae(void)
{
	uint32_t cr0 = read_cr0() & ~(CR0_PG | CR0_NE);
	uint32_t after;
	int exiting, direct;

	write_cr3((uint32_t)(uintptr_t)pml4);
	wrmsr(MSR_IA32_EFER, EFER_LME);
	exiting = write_cr0_safe(cr0 | CR0_PG | CR0_NE);
	direct = write_cr0_safe(cr0 | CR0_PG);
	after = read_cr0();
	write_cr0(cr0);
	wrmsr(MSR_IA32_EFER, 0);
	if (!exiting && !direct && under_tcg()) {
		test_skip("modes-long-without-pae-gp", "QEMU TCG does not raise this #GP");
		return;
	}
	test_begin("modes-long-without-pae-gp");
	CHECK(exiting == X86_GP, "MOV CR0 (PG, NE) raised %d, want #GP", exiting);
	CHECK(direct == X86_GP, "MOV CR0 (PG) raised %d, want #GP", direct);
	CHECK(!(after & CR0_PG), "paging went on: CR0 0x%x", after);
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;
	setup_tables();
	/* on/off: NE toggles (exit) or stays (no exit) */
	pae_mode("modes-pae-exit-exit", CR0_NE, 0);
	pae_mode("modes-pae-direct-direct", 0, 0);
	pae_mode("modes-pae-exit-direct", CR0_NE, CR0_NE);
	write_cr0(read_cr0() & ~CR0_NE);
	pae_mode("modes-pae-direct-exit", 0, CR0_NE);
	write_cr0(read_cr0() & ~CR0_NE);
	long_mode("modes-long-exit-exit", CR0_NE, 0);
	long_mode("modes-long-direct-direct", 0, 0);
	long_mode("modes-long-exit-direct", CR0_NE, CR0_NE);
	write_cr0(read_cr0() & ~CR0_NE);
	long_mode("modes-long-direct-exit", 0, CR0_NE);
	write_cr0(read_cr0() & ~CR0_NE);
	long_without_pae();
	tests_finish();
}
