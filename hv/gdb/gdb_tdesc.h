/* What gdb knows of the target: the register layouts of its i386 and amd64
 * architectures (the "org.gnu.gdb.i386.core" feature: general registers,
 * then the x87 stack and control words) and the target descriptions that
 * name them (GDB manual, "Target Descriptions", "i386 Features"). Pure. */
#ifndef SABLE_HV_GDB_TDESC_H
#define SABLE_HV_GDB_TDESC_H

#include "types.h"

/* A vCPU's registers as the stub reads and writes them. */
struct gdb_regs {
	uint64_t
		gpr[16]; /* in instruction-encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8-R15 */
	uint64_t rip, rflags;
	uint32_t seg[6]; /* selectors: CS SS DS ES FS GS */
};

/* The hex size of a 'g' reply: every register of the layout. */
#define GDB_REGS_HEX_MAX (2 * (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4))

/* Registers in the layout (32 for i386, 40 for amd64). */
unsigned gdb_reg_count(bool mode64);
/* Size in bytes of register regno, 0 if there is none. */
unsigned gdb_reg_size(bool mode64, unsigned regno);
/*
 * Register regno as hex (target byte order) at out; x87 registers, which the
 * stub does not read, are "xx..." (unavailable). Returns the digits written.
 */
size_t gdb_reg_put(bool mode64, const struct gdb_regs *r, unsigned regno, char *out);
/* Sets register regno from hex[0..2*size). 0; -EINVAL for bad hex, -ENOENT for
 * a register the stub cannot write (x87). */
int gdb_reg_get(bool mode64, struct gdb_regs *r, unsigned regno, const char *hex);
/* The whole 'g' reply; returns its length. */
size_t gdb_regs_put(bool mode64, const struct gdb_regs *r, char *out);
/* Applies a 'G' packet of len digits: every register it covers (x87 skipped). 0 or -EINVAL. */
int gdb_regs_get(bool mode64, struct gdb_regs *r, const char *hex, size_t len);

/* The target description "target.xml" for the mode. */
const char *gdb_tdesc_xml(bool mode64);

#endif
