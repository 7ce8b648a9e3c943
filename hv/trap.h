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

typedef void (*irq_handler_t)(uint8_t vector);

/* How an external interrupt reached the hypervisor. */
enum irq_path {
	IRQ_VIA_IDT,       /* taken through the IDT in root mode */
	IRQ_ACKED_ON_EXIT, /* acknowledged by a VM exit ("acknowledge interrupt on exit") */
};

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
/* Runs the handler of an external interrupt and EOIs it. A vector with no
 * handler (a masked 8259A's, spurious ones, stray IPIs) is reported once per
 * vector and core, never fatal. */
void irq_dispatch(uint8_t vector, enum irq_path path);
/* Counts a host NMI that caused a VM exit (before it is re-raised). */
void trap_note_guest_nmi(void);
/* Prints, from normal context, the NMIs this core took since the last call. */
void trap_report(void);
/* Prints the saved registers of f. */
void trap_dump(const struct trap_frame *f);

#endif
