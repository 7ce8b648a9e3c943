/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: runs single generated instructions and recovers from
 * whatever vector they raise (fuzz_run.asm, fuzz.c). After fuzz_idt_install()
 * every one of the 256 vectors lands in the recovery path; an exception
 * outside fuzz_exec() prints "GUEST EXCEPTION ..." and exits 1.
 */
#ifndef GUEST_FUZZ_H
#define GUEST_FUZZ_H

#include <stdint.h>

#define FUZZ_MAX_INSN 15 /* architectural limit of an x86 instruction */

/* Registers loaded before the instruction runs and stored back after it. */
struct fuzz_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, eflags;
};

/* What the last fuzz_exec() raised: vector -1 if nothing. */
extern volatile int32_t fuzz_trap_vector;
extern volatile uint32_t fuzz_trap_error;     /* valid if fuzz_trap_has_error */
extern volatile uint32_t fuzz_trap_has_error; /* the CPU pushed an error code */
extern volatile uint32_t fuzz_trap_eip;       /* EIP in the frame (slot address) */

/* Loads the guest's 256-vector IDT (replaces the library's 32-vector one). */
void fuzz_idt_install(void);

/*
 * Runs code[0..len) once with *r loaded, then stores the registers back into
 * *r (unchanged if the instruction raised a vector). Returns the vector or -1.
 * Afterwards EFLAGS = 2, DR7 = 0x400 and FS/GS are reloaded.
 */
int fuzz_exec(const uint8_t *code, unsigned len, struct fuzz_regs *r);

/* Address of the code slot (for EIP checks). */
uint32_t fuzz_slot_addr(void);

#endif
