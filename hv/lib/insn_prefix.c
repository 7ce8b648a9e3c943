/* Instruction prefixes (SDM Vol. 2A sec. 2.1.1, 2.2.1). */
#include "hv/lib/insn_prefix.h"
#include "err.h"

/* The segment an override prefix names, or INSN_NO_SEG if b is none. */
static int seg_override(uint8_t b)
{
	switch (b) {
	case 0x26:
		return INSN_ES;
	case 0x2e:
		return INSN_CS;
	case 0x36:
		return INSN_SS;
	case 0x3e:
		return INSN_DS;
	case 0x64:
		return INSN_FS;
	case 0x65:
		return INSN_GS;
	}
	return INSN_NO_SEG;
}

int insn_prefixes(const uint8_t *insn, unsigned len, bool long64, struct insn_prefixes *p)
{
	*p = (struct insn_prefixes){.seg = INSN_NO_SEG};
	for (unsigned i = 0; i < len && i < INSN_MAX_LEN; i++) {
		uint8_t b = insn[i];
		int seg = seg_override(b);

		if (seg != INSN_NO_SEG)
			p->seg = seg;
		else if (b == 0x66)
			p->opsize = true;
		else if (b == 0x67)
			p->addrsize = true;
		else if (b == 0xf0)
			p->lock = true;
		else if (b == 0xf2)
			p->repne = true;
		else if (b == 0xf3)
			p->rep = true;
		else if (long64 && (b & 0xf0) == 0x40) {
			p->rex = b;
			continue;
		} else {
			p->len = i;
			return 0;
		}
		p->rex = 0; /* a legacy prefix after REX: that REX is ignored */
	}
	return -EINVAL;
}

unsigned insn_addr_size(const struct insn_prefixes *p, unsigned default_size)
{
	if (default_size == 8)
		return p->addrsize ? 4 : 8;
	return p->addrsize ? 6 - default_size : default_size;
}
