/* INS/OUTS (with REP) as the SDM defines them: the memory operand's segment and address
 * size, DF, the element count in RCX/ECX/CX, and the register updates (SDM Vol. 2B INS,
 * OUTS, REP; Vol. 3C sec. 28.2.1 and 28.2.5 for what a VM exit reports). Pure. */
#ifndef SABLE_HV_LIB_STRING_IO_H
#define SABLE_HV_LIB_STRING_IO_H

#include "types.h"

enum strio_seg_reg { STRIO_ES = 0, STRIO_CS, STRIO_SS, STRIO_DS, STRIO_FS, STRIO_GS };

/* A segment register's hidden part, access rights in the VMCS layout (sec. 25.4.1). */
struct strio_seg {
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

struct strio_op {
	bool in;            /* INS (memory is ES:[RDI]) or OUTS (seg:[RSI]) */
	bool rep;           /* REP prefix: RCX/ECX/CX counts */
	bool df;            /* RFLAGS.DF: the index moves down */
	bool long64;        /* 64-bit mode: flat except FS/GS, canonical addresses */
	unsigned size;      /* element size: 1, 2 or 4 */
	unsigned addr_size; /* 2, 4 or 8 bytes */
	unsigned seg;       /* enum strio_seg_reg of the memory operand */
	struct strio_seg s;
	uint64_t rcx, index; /* the full RCX and RSI (OUTS) or RDI (INS) */
};

/* Elements still to move: RCX masked to the address size with REP, else 1. */
uint64_t strio_remaining(const struct strio_op *op);

/* Linear address of the next element. 0, or -EINVAL when the access faults: #SS(0) if
 * op->seg is SS, #GP(0) otherwise (segment unusable, wrong type, limit, not canonical). */
int strio_next_address(const struct strio_op *op, uint64_t *la);

/* Moves index (by size, up or down) and, with REP, RCX by n elements, within the
 * address size: 16-bit sizes keep the upper bits, 32-bit ones zero-extend. */
void strio_advance(struct strio_op *op, uint64_t n);

/* Reads the prefixes of the instruction bytes insn[0..len) up to an INS/OUTS opcode
 * (0x6c-0x6f): the address size (2, 4 or 8) given the default one, and the segment of
 * the memory operand (DS unless overridden; always ES for INS). 0, or -EINVAL if the
 * bytes are not an INS/OUTS. */
int strio_decode(const uint8_t *insn, unsigned len, unsigned default_addr_size, bool long64,
                 unsigned *addr_size, unsigned *seg);

#endif
