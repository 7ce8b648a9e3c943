// SPDX-License-Identifier: MIT
/*
 * Sable guest library: CPL 3 support. user_init() installs a 32-bit TSS (its
 * ESP0 is the stack exceptions from CPL 3 run on) and the DPL-3 gate that
 * brings user_run() back to CPL 0.
 */
#include "guest.h"

/* 32-bit TSS (Intel SDM Vol. 3A sec. 8.2.1); only SS0:ESP0 and the I/O map base matter. */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == 104, "TSS layout");

extern uint64_t gdt[];
extern uint64_t idt[];
extern void user_return_gate(void);

static struct tss32 tss;
static uint8_t trap_stack[8192] __attribute__((aligned(16)));

void idt_set_gate(unsigned vector, void (*handler)(void), uint16_t selector, unsigned dpl)
{
	uint32_t off = (uint32_t)handler;

	idt[vector] = (off & 0xffffu) | ((uint64_t)selector << 16) |
	              ((uint64_t)(0x8e00u | (dpl << 13)) << 32) | ((uint64_t)(off >> 16) << 48);
}

void user_init(void)
{
	static bool done;
	uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = {256 * 8 - 1, (uint32_t)idt};

	if (done)
		return;
	done = true;
	tss.esp0 = (uint32_t)&trap_stack[sizeof(trap_stack)];
	tss.ss0 = GUEST_KERNEL_DS;
	tss.iomap_base = sizeof(tss); /* no I/O permission map: IN/OUT at CPL 3 fault */
	gdt[GUEST_TSS_SEL / 8] = (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) |
	                         (0x89ull << 40) | ((uint64_t)(base >> 24) << 56);
	asm volatile("ltr %w0" : : "r"(GUEST_TSS_SEL));
	idt_set_gate(USER_RETURN_VECTOR, user_return_gate, GUEST_KERNEL_CS, 3);
	asm volatile("lidt %0" : : "m"(idtr));
}
