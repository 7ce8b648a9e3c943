/* Interrupt descriptor table, exception reporting and interrupt handlers. */
#ifndef SABLE_HV_TRAP_H
#define SABLE_HV_TRAP_H

#include "types.h"

/* Register state saved by boot/isr.asm, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame must match boot/isr.asm");

#define VEC_NMI           2
#define VEC_DOUBLE_FAULT  8
#define VEC_PAGE_FAULT    14
#define VEC_MACHINE_CHECK 18
#define VEC_FIRST_IRQ     32
#define VEC_WAKEUP        0xf0 /* IPI that only wakes a halted CPU */
#define VEC_SPURIOUS      0xff /* LAPIC spurious-interrupt vector */

typedef void (*irq_handler_t)(struct trap_frame *f);

/* Builds the IDT (once, on the BSP). */
void idt_init(void);
/* Address of the IDT (for the VMCS host state). */
uint64_t idt_base(void);
/* Loads the IDT on the calling CPU. */
void idt_load(void);
/* Installs the handler for an interrupt vector >= 32. */
void irq_register(uint8_t vector, irq_handler_t fn);
/* Entry from boot/isr.asm. */
void trap_dispatch(struct trap_frame *f);
/* Prints the saved registers of f. */
void trap_dump(const struct trap_frame *f);

#endif
