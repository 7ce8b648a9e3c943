/* MOV decoding (SDM Vol. 2A sec. 2.1.3 ModR/M and SIB, 2.1.5 addressing-mode tables
 * 2-1 to 2-3, 2.2.1 REX and RIP-relative addressing; Vol. 2B "MOV"). */
#include "hv/lib/insn_mov.h"
#include "err.h"
#include "hv/lib/insn_prefix.h"

#define REX_W BIT(3)
#define REX_R BIT(2)

#define MODRM_MOD(b) ((b) >> 6)
#define MODRM_REG(b) (((b) >> 3) & 7)
#define MODRM_RM(b)  ((b)&7)

/* Bytes of ModR/M, SIB and displacement for a memory operand (mod != 3), or -EINVAL
 * for a register operand or bytes that end first. In 64-bit mode mod 0 r/m 5 is
 * RIP-relative with a disp32, as the 32-bit absolute form is elsewhere. */
static int modrm_len(const uint8_t *b, unsigned avail, unsigned addr_size)
{
	uint8_t modrm, mod, rm;
	unsigned n = 1;

	if (avail < 1)
		return -EINVAL;
	modrm = b[0];
	mod = MODRM_MOD(modrm);
	rm = MODRM_RM(modrm);
	if (mod == 3)
		return -EINVAL;
	if (addr_size == 2) /* table 2-1: no SIB, disp16 */
		n += mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
	else { /* table 2-2 and 2-3 */
		if (rm == 4) {
			if (avail < 2)
				return -EINVAL;
			n++;
			if (mod == 0 && MODRM_RM(b[1]) == 5)
				n += 4; /* SIB base 101 with mod 00: disp32, no base */
		}
		n += mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 5) ? 4 : 0;
	}
	return n <= avail ? (int)n : -EINVAL;
}

static unsigned operand_size(const struct insn_prefixes *p, unsigned mode)
{
	if (mode == 8 && (p->rex & REX_W))
		return 8;
	if (mode == 2)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

static uint64_t load_le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

int insn_mov_decode(const uint8_t *insn, unsigned avail, unsigned mode, struct insn_mov *m)
{
	struct insn_prefixes p;
	unsigned asize, at;
	const uint8_t *rest;
	uint8_t op;
	int n;

	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	if (insn_prefixes(insn, avail, mode == 8, &p) < 0 || p.lock)
		return -EINVAL;
	op = insn[p.len];
	at = p.len + 1; /* after the opcode */
	rest = insn + at;
	asize = insn_addr_size(&p, mode);
	*m = (struct insn_mov){.width = operand_size(&p, mode), .seg = p.seg};
	switch (op) {
	case 0x89:
	case 0x8b:
	case 0xc7:
		n = modrm_len(rest, avail - at, asize);
		if (n < 0)
			return n;
		m->reg = MODRM_REG(rest[0]) | ((p.rex & REX_R) ? 8 : 0);
		m->len = at + (unsigned)n;
		m->kind = op == 0x8b ? INSN_MOV_LOAD : INSN_MOV_STORE;
		if (op != 0xc7)
			return 0;
		/* C7 /0 only; imm16 with a 16-bit operand, else imm32 (sign-extended for 64) */
		if (MODRM_REG(rest[0]) != 0)
			return -EINVAL;
		n = m->width == 2 ? 2 : 4;
		if (m->len + (unsigned)n > avail)
			return -EINVAL;
		m->imm = load_le(insn + m->len, (unsigned)n);
		if (n == 4)
			m->imm = (uint64_t)(int64_t)(int32_t)(uint32_t)m->imm;
		m->len += (unsigned)n;
		m->kind = INSN_MOV_STORE_IMM;
		m->reg = 0;
		return 0;
	case 0xa1:
	case 0xa3:
		/* moffs: an offset of the address size, no ModR/M */
		if (at + asize > avail)
			return -EINVAL;
		m->kind = op == 0xa1 ? INSN_MOV_LOAD : INSN_MOV_STORE;
		m->reg = 0;
		m->len = at + asize;
		return 0;
	}
	return -EINVAL;
}
