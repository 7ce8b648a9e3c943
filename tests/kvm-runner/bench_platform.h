/* The part of Sable's guest platform the bench guest uses, for the KVM runner (pure):
 * COM1 output and its line status register, the exit device at port 0xf4 (and the
 * Bochs shutdown port), and loading a multiboot ELF32 kernel with its boot information.
 * The runner (kvm_runner.c) does the /dev/kvm ioctls and calls these with each exit. */
#ifndef SABLE_KVM_BENCH_PLATFORM_H
#define SABLE_KVM_BENCH_PLATFORM_H

#include "types.h"

#define BP_COM1_BASE     0x3f8
#define BP_EXIT_PORT     0xf4   /* isa-debug-exit: the byte written is the exit status */
#define BP_SHUTDOWN_PORT 0x8900 /* Bochs' shutdown port: "Shutdown" ends the guest */
#define BP_LSR_IDLE      0x60   /* LSR: THRE | TEMT, the transmitter always empty */
#define BP_LINE_MAX      200    /* a longer guest line is emitted in pieces */

/* Receives one guest console line (no newline), len bytes. */
typedef void (*bp_line_fn)(void *ctx, const char *line, size_t len);

struct bench_platform {
	bp_line_fn emit;
	void *ctx;
	char line[BP_LINE_MAX];
	size_t len;
	uint8_t lcr, ier, mcr, scr; /* the COM1 registers a guest reads back */
	const char *shutdown_next;  /* the rest of "Shutdown" still expected */
	bool exited;                /* the guest wrote the exit device or the shutdown string */
	uint8_t status;             /* what it wrote to the exit device (0 for a shutdown) */
	uint64_t unhandled;         /* port accesses to ports nobody answers */
};

void bp_init(struct bench_platform *p, bp_line_fn emit, void *ctx);

/*
 * One port access of size 1, 2 or 4 bytes: for in, fills *val; for out, takes *val.
 * Ports nobody answers read as all ones and ignore writes (counted in unhandled).
 */
void bp_io(struct bench_platform *p, uint16_t port, bool in, unsigned size, uint32_t *val);

/* Emits a partial console line left when the guest stops. */
void bp_flush(struct bench_platform *p);

/* Where a loaded guest starts (Multiboot 0.6.96 sec. 3.2: EAX = magic, EBX = info). */
struct bp_entry {
	uint32_t eip, eax, ebx;
};

/*
 * Loads the multiboot ELF32 kernel image[0..len) into ram[0..mem_size) (guest-physical 0)
 * and writes its multiboot information with cmdline after it. Returns 0 or -EINVAL (a bad
 * or 64-bit image) / -ENOSPC with a one-line reason in err.
 */
int bp_load(uint8_t *ram, uint64_t mem_size, const void *image, size_t len, const char *cmdline,
            struct bp_entry *entry, char *err, size_t errlen);

#endif
