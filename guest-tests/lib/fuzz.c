// SPDX-License-Identifier: MIT
/*
 * Sable guest library: the C half of the instruction runner (fuzz_run.asm).
 */
#include "guest.h"
#include "fuzz.h"

#define INSN_RET 0xc3

extern uint8_t fuzz_slot[32];
int fuzz_run(struct fuzz_regs *r);
void fuzz_unexpected(uint32_t vector, uint32_t w1, uint32_t w2);

int fuzz_exec(const uint8_t *code, unsigned len, struct fuzz_regs *r)
{
	if (len > FUZZ_MAX_INSN)
		len = FUZZ_MAX_INSN;
	for (unsigned i = 0; i < len; i++)
		fuzz_slot[i] = code[i];
	fuzz_slot[len] = INSN_RET;
	/* fuzz_run enters the slot by IRETD, which serializes: the new bytes are fetched */
	asm volatile("" ::: "memory");
	return fuzz_run(r);
}

uint32_t fuzz_slot_addr(void)
{
	return (uint32_t)(uintptr_t)fuzz_slot;
}

/* A vector outside fuzz_exec(): w1/w2 are the two words above the vector
 * (error code and EIP, or EIP and CS). */
void fuzz_unexpected(uint32_t vector, uint32_t w1, uint32_t w2)
{
	static int depth;

	if (depth++)
		exit_qemu(1);
	printf("GUEST EXCEPTION vector=%u outside a generated instruction (stack 0x%x 0x%x)\n",
	       vector, w1, w2);
	exit_qemu(1);
}
