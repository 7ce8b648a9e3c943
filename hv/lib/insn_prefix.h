/* The prefixes of an x86 instruction (SDM Vol. 2A sec. 2.1.1 legacy prefixes, 2.2.1 REX).
 * Pure: shared by the decoders of the instructions the hypervisor completes for a guest. */
#ifndef SABLE_HV_LIB_INSN_PREFIX_H
#define SABLE_HV_LIB_INSN_PREFIX_H

#include "types.h"

#define INSN_MAX_LEN 15 /* longer instructions raise #GP (Vol. 2A sec. 2.3.11) */
#define INSN_NO_SEG  (-1)

/* Segment registers in their encoding order (Vol. 2A sec. 3.1.1.3, Sreg). */
enum insn_seg { INSN_ES = 0, INSN_CS, INSN_SS, INSN_DS, INSN_FS, INSN_GS };

struct insn_prefixes {
	unsigned len;  /* bytes of prefixes, REX included; the opcode is at insn[len] */
	int seg;       /* enum insn_seg override (the last one counts) or INSN_NO_SEG */
	bool opsize;   /* 0x66 */
	bool addrsize; /* 0x67 */
	bool lock;     /* 0xf0 */
	bool rep;      /* 0xf3 */
	bool repne;    /* 0xf2 */
	uint8_t rex;   /* 64-bit mode: the REX byte right before the opcode, else 0 */
};

/* Scans the prefixes of insn[0..len). A REX byte counts only directly before the
 * opcode (one followed by a legacy prefix is ignored). 0, or -EINVAL when the bytes
 * end (or reach INSN_MAX_LEN) before an opcode. */
int insn_prefixes(const uint8_t *insn, unsigned len, bool long64, struct insn_prefixes *p);

/* The effective address size in bytes (2, 4, 8) given the code's default (2, 4, 8). */
unsigned insn_addr_size(const struct insn_prefixes *p, unsigned default_size);

#endif
