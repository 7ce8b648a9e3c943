/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: everything a test guest needs. Guests are multiboot v1
 * ELF32 kernels that run in flat 32-bit protected mode with paging off, so
 * virtual addresses equal guest-physical addresses.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"
#include "multiboot.h"
#include "fwcfg.h"
#include "sable.h"

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define __noreturn     __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Platform ports (QEMU pc machine, emulated by Sable). */
#define COM1_PORT           0x3F8
#define COM1_LSR            (COM1_PORT + 5)
#define LSR_THRE            (1u << 5) /* transmit holding register empty */
#define LSR_TEMT            (1u << 6) /* transmitter completely idle */
#define DEBUG_EXIT_PORT     0xF4      /* isa-debug-exit: QEMU exits with (v << 1) | 1 */
#define DEBUGCON_PORT       0xE9
#define BOCHS_SHUTDOWN_PORT 0x8900

/* Each guest provides this; its return value becomes the exit status. */
int guest_main(uint32_t magic, const struct multiboot_info *mbi);

/* ---- console (console.c) ---- */

/* Programs COM1 for 115200 8N1, FIFOs on, interrupts off. Called by entry.asm. */
void serial_init(void);
/* Sends one byte to COM1 after polling LSR.THRE (bounded, so a missing UART cannot hang us). */
void serial_putc(char c);
/* Waits (bounded) until COM1 has sent every byte (LSR.TEMT). */
void serial_flush(void);
/* Writes a NUL-terminated string to COM1 without a newline. */
void serial_write(const char *s);
/* Writes s and a newline to COM1. Returns 0. */
int puts(const char *s);
/* Writes the first len bytes of s to the 0xE9 debug port (no newline added). */
void debugcon_write(const char *s, size_t len);
/*
 * Waits for COM1 to drain and writes v to isa-debug-exit; without that device
 * tries the Bochs/Sable "Shutdown" port 0x8900, then halts forever.
 */
__noreturn void exit_qemu(uint8_t v);

/* ---- formatted output (printf.c) ---- */

/*
 * Supported conversions: %d %i %u %x %X %o %s %c %p %%, flags '-' and '0',
 * a decimal or '*' width, and length modifiers l and ll (64-bit: %llx, %llu,
 * %lld). Output goes to COM1; returns the number of bytes produced.
 */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
/* Formats into buf (always NUL-terminated if size > 0); returns the full length. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- string helpers (string.c); gcc may also emit calls to these ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- test reporting (test.c) ---- */

/* Prints "TEST <name> PASS". */
void test_pass(const char *name);
/* Prints "TEST <name> FAIL <reason>" and records a failure. */
void test_fail(const char *name, const char *fmt, ...) __printf(2, 3);
/* Prints "TEST <name> SKIP (<reason>)"; skips are not failures. */
void test_skip(const char *name, const char *reason);
/* Prints an informational line "INFO <text>" that harnesses ignore. */
void info(const char *fmt, ...) __printf(1, 2);

/*
 * Grouped checks: test_begin(name), any number of CHECK()s, then test_end()
 * prints PASS, or FAIL with the first failed check's message.
 */
void test_begin(const char *name);
/* Ends the test opened by test_begin(); returns true if it passed. */
bool test_end(void);
/* Backend of CHECK(); returns ok. */
bool check_report(bool ok, const char *expr, const char *file, int line, const char *fmt, ...)
	__printf(5, 6);

/*
 * CHECK(cond, fmt, ...): if cond is false, prints a "CHECK" diagnostic line
 * and fails the current test_begin() test (or the run, outside one).
 * Evaluates to cond, so it can guard follow-up checks.
 */
#define CHECK(cond, ...) check_report(!!(cond), #cond, __FILE__, __LINE__, __VA_ARGS__)

/* Number of failures recorded so far (test_fail, failed CHECKs and test_end). */
int tests_failed(void);
/* Prints a summary line and exits: status 0 if nothing failed, else 1. */
__noreturn void tests_finish(void);
/* XCR0 bits CPUID.(0xD,0):EAX offers; without XSAVE (CPUID.1:ECX[26]) prints
 * `TEST <name> SKIP: no XSAVE` and finishes the run. */
uint32_t xsave_offered_or_finish(const char *name);

/* ---- exceptions (trap.c) ---- */

/*
 * Exception-table entry: if the instruction at label `insn` faults, the trap
 * handler records the vector and resumes at label `fixup` instead of
 * failing the run. Use inside an asm string with local numeric labels.
 */
#define EXTABLE(insn, fixup)                                                                       \
	".pushsection .ex_table, \"a\"\n\t.balign 4\n\t.long " #insn ", " #fixup                   \
	"\n\t.popsection\n\t"

/* Vector of the last fault recovered through EXTABLE, -1 if none; reset by fault_arm(). */
extern volatile int fault_vector;
/* Error code pushed by the last recovered fault (0 for vectors without one). */
extern volatile uint32_t fault_error;

/* Forgets any earlier recovered fault; call right before a guarded instruction. */
static inline void fault_arm(void)
{
	fault_vector = -1;
	fault_error = 0;
}

/* Reads an MSR; returns 0 and stores it in *val, or returns the exception vector (13 = #GP). */
int rdmsr_safe(uint32_t msr, uint64_t *val);
/* Writes an MSR; returns 0, or the exception vector it raised (13 = #GP). */
int wrmsr_safe(uint32_t msr, uint64_t val);
/* Reads an MSR that must exist: an exception here fails the run. */
uint64_t rdmsr(uint32_t msr);
/* Writes an MSR that must accept val: an exception here fails the run. */
void wrmsr(uint32_t msr, uint64_t val);
/* Writes CR4; returns 0 or the exception vector (13 = #GP for an unsupported bit). */
int write_cr4_safe(uint32_t val);

/* ---- CPL 3 (user.c, user_entry.asm) ---- */

#define GUEST_KERNEL_CS     0x08
#define GUEST_KERNEL_DS     0x10
#define GUEST_USER_CS       (0x18 | 3)
#define GUEST_USER_DS       (0x20 | 3)
#define GUEST_TSS_SEL       0x28
#define GUEST_CONFORMING_CS 0x30 /* DPL 0 conforming: a handler there keeps the CPL */
#define USER_RETURN_VECTOR  0x30

/* Loads a TSS (ESP0 = a library stack) and the gate user_run() returns through. Idempotent. */
void user_init(void);
/*
 * Runs fn at CPL 3 on the stack whose top is user_esp, and returns when fn
 * does. fn may not do I/O (IOPL 0); faults in it go through the IDT as usual
 * (EXTABLE fixups work). Call user_init() first.
 */
void user_run(void (*fn)(void), uint32_t user_esp);
/* Points IDT entry vector at handler (32-bit interrupt gate, selector, gate DPL). */
void idt_set_gate(unsigned vector, void (*handler)(void), uint16_t selector, unsigned dpl);

#endif
