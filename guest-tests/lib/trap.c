// SPDX-License-Identifier: MIT
/*
 * Sable guest library: exception dispatch. Faults at instructions listed in
 * the exception table (EXTABLE) resume at their fixup address; any other
 * exception is reported and fails the run.
 */
#include "guest.h"

/* Laid out by isr_common in entry.asm (PUSHAD, vector, error, CPU frame). */
struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

struct extable_entry {
	uint32_t insn;
	uint32_t fixup;
};

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

volatile int fault_vector = -1;
volatile uint32_t fault_error;

void trap_dispatch(struct trap_frame *f);

/* Called from isr_common for every exception; returns only after a fixup. */
void trap_dispatch(struct trap_frame *f)
{
	static int depth;
	const struct extable_entry *e;

	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == f->eip) {
			fault_vector = (int)f->vector;
			fault_error = f->error;
			f->eip = e->fixup;
			return;
		}
	}

	if (depth++) /* fault while reporting a fault: just stop */
		exit_qemu(1);
	printf("GUEST EXCEPTION vector=%u error=0x%x eip=0x%08x\n", f->vector, f->error, f->eip);
	exit_qemu(1);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo, hi;

	fault_arm();
	asm volatile("1: rdmsr\n2:\n\t" EXTABLE(1b, 2b) : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	if (fault_vector >= 0)
		return fault_vector;
	*val = ((uint64_t)hi << 32) | lo;
	return 0;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	fault_arm();
	asm volatile("1: wrmsr\n2:\n\t" EXTABLE(1b, 2b)
	             :
	             : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
	             : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
	             :
	             : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
	             : "memory");
}

int write_cr4_safe(uint32_t val)
{
	fault_arm();
	asm volatile("1: mov %0, %%cr4\n2:\n\t" EXTABLE(1b, 2b) : : "r"(val) : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}
