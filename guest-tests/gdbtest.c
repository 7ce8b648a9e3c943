// SPDX-License-Identifier: MIT
/*
 * gdbtest: the guest the GDB stub test (tests/integration/run.sh, case_gdb)
 * debugs from gdb on COM2. It starts in 32-bit protected mode, calls
 * gdb_probe32 (gdb breaks there, reads registers and gdb_counter, writes
 * gdb_poke, single-steps), writes gdb_watched (a hardware watchpoint), then
 * goes to long mode and runs gdb_probe64 with known RAX and R8 (a hardware
 * breakpoint; gdb re-reads the x86-64 description there) and comes back. The
 * guest checks what gdb changed and that its own DR0/DR1 and INT3 were not
 * disturbed by gdb's. Its vCPU 1 counts in ap_count all along: gdb sees the
 * count stand still while it has the VM stopped (all-stop). Further, the
 * guest first spins until gdb sets gdb_go (the test stops
 * it there with Ctrl-C): it needs gdb to run at all.
 */
#include "guest.h"
#include "smp.h"

#define CR0_PG    (1u << 31)
#define CR4_PAE   (1u << 5)
#define PTE_P     1u
#define PTE_RW    2u
#define PTE_PS    0x80u
#define GUEST_DR0 0x1234u
#define GUEST_DR1 0x5678u
#define COUNTER   0x5ab1eu
#define POKE      0x600du

volatile uint32_t gdb_counter; /* set at run time: gdb must read it from the guest */
volatile uint32_t gdb_watched;
volatile uint32_t gdb_poke; /* written by gdb */
volatile uint32_t gdb_go;   /* set by gdb: the guest spins until then (Ctrl-C test) */
static volatile uint32_t dr0_attached, dr1_attached;
volatile uint32_t ap_count; /* the second vCPU counts: it must stand still while gdb has the VM */

static uint64_t gdt[4] __attribute__((aligned(8))) = {
	0, 0x00CF9B000000FFFFull, /* 0x08: 32-bit code, as entry.asm set it */
	0x00CF93000000FFFFull,    /* 0x10: data */
	0x00AF9B000000FFFFull,    /* 0x18: 64-bit code */
};
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

static void setup_tables(void)
{
	load_gdt(gdt, sizeof(gdt));
	for (uint32_t i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_PS | PTE_RW | PTE_P;
	pml4[0] = (uint32_t)(uintptr_t)pdpt | PTE_RW | PTE_P;
	pdpt[0] = (uint32_t)(uintptr_t)pd | PTE_RW | PTE_P;
}

static void ap_main(uint32_t apic_id)
{
	(void)apic_id;
	for (;;)
		atomic_inc(&ap_count);
}

__attribute__((noinline)) void gdb_probe32(uint32_t arg)
{
	gdb_counter += arg;
	asm volatile("" ::: "memory");
}

/* Identity-mapped long mode, gdb_probe64 with RAX and R8 set, and back. */
static void long_trip(void)
{
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3((uint32_t)(uintptr_t)pml4);
	wrmsr(MSR_IA32_EFER, EFER_LME);
	asm volatile("mov %%cr0, %%eax\n\t"
	             "or $0x80000000, %%eax\n\t"
	             "mov %%eax, %%cr0\n\t"
	             "ljmp $0x18, $1f\n"
	             ".code64\n"
	             "1: mov %%esp, %%esp\n\t"
	             "movabs $0x1122334455667788, %%rax\n\t"
	             "movabs $0x8877665544332211, %%r8\n\t"
	             ".globl gdb_probe64\n"
	             "gdb_probe64: nop\n\t"
	             "nop\n\t"
	             "pushq $0x08\n\t"
	             "leaq 2f(%%rip), %%rax\n\t"
	             "pushq %%rax\n\t"
	             "lretq\n"
	             ".code32\n"
	             "2: mov %%cr0, %%eax\n\t"
	             "and $0x7fffffff, %%eax\n\t"
	             "mov %%eax, %%cr0\n\t"
	             :
	             :
	             : "eax", "memory");
	wrmsr(MSR_IA32_EFER, 0);
	write_cr4(read_cr4() & ~CR4_PAE);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;
	while (!gdb_go)
		asm volatile("pause");
	smp_prepare(ap_main);
	smp_start_ap(1);
	while (ap_count < 1000)
		asm volatile("pause");
	setup_tables();
	write_dr0(GUEST_DR0);
	write_dr1(GUEST_DR1);
	gdb_counter = COUNTER;
	/* gdb's INT3 at gdb_probe32 is in memory now: ours must still reach us */
	test_begin("gdb-own-int3");
	fault_arm();
	asm volatile("int3\n1:\n\t" EXTABLE(1b, 1b));
	CHECK(fault_vector == 3, "own INT3 gave vector %d, want 3 (#BP)", fault_vector);
	test_end();
	for (uint32_t i = 1; i <= 2; i++)
		gdb_probe32(i << 8);
	gdb_watched = 0xabcd;
	/* gdb holds the DRs now (a hardware breakpoint at gdb_probe64) */
	dr0_attached = read_dr0();
	dr1_attached = read_dr1();
	long_trip();
	test_begin("gdb-session");
	CHECK(gdb_counter == COUNTER + 0x300, "gdb_counter 0x%x, want 0x%x", gdb_counter,
	      COUNTER + 0x300);
	CHECK(gdb_poke == POKE, "gdb_poke 0x%x: gdb's write did not arrive", gdb_poke);
	CHECK(dr0_attached == GUEST_DR0 && dr1_attached == GUEST_DR1,
	      "DR0/DR1 read 0x%x/0x%x while gdb held them, want the guest's 0x%x/0x%x",
	      dr0_attached, dr1_attached, GUEST_DR0, GUEST_DR1);
	CHECK(read_dr0() == GUEST_DR0 && read_dr1() == GUEST_DR1,
	      "DR0/DR1 0x%x/0x%x after detach, want the guest's", read_dr0(), read_dr1());
	test_end();
	tests_finish();
}
