/* The MOV forms a guest uses on a memory-mapped register, decoded far enough to complete
 * the access for it (SDM Vol. 2A sec. 2.1-2.2 instruction format, Vol. 2B "MOV"):
 * 89 /r (store r), 8B /r (load r), C7 /0 (store imm), A1 (load rAX from moffs) and
 * A3 (store rAX to moffs), with operand-size, address-size, segment and REX prefixes,
 * in 16-, 32- and 64-bit code. The memory address itself is not computed: the VM exit
 * reports which register was touched. Pure. */
#ifndef SABLE_HV_LIB_INSN_MOV_H
#define SABLE_HV_LIB_INSN_MOV_H

#include "types.h"

enum insn_mov_kind {
	INSN_MOV_LOAD,      /* memory -> reg */
	INSN_MOV_STORE,     /* reg -> memory */
	INSN_MOV_STORE_IMM, /* imm -> memory */
};

struct insn_mov {
	enum insn_mov_kind kind;
	unsigned reg;   /* LOAD: destination, STORE: source (encoding number 0-15) */
	unsigned width; /* operand size in bytes: 2, 4 or 8 */
	uint64_t imm;   /* STORE_IMM: the immediate, sign-extended to 64 bits */
	unsigned len;   /* length of the whole instruction */
	int seg;        /* segment override (enum insn_seg) or INSN_NO_SEG */
};

/* Decodes the instruction at insn[0..avail) in code whose default operand and address
 * size is mode (2, 4 or 8 bytes; 8 = 64-bit mode). 0, or -EINVAL if it is none of the
 * forms above (other opcodes, a register operand, LOCK, cut short, longer than 15). */
int insn_mov_decode(const uint8_t *insn, unsigned avail, unsigned mode, struct insn_mov *m);

#endif
