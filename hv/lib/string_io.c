/* String I/O arithmetic (SDM Vol. 2B INS/INSB/INSW/INSD, OUTS, REP; Vol. 3A sec. 3.4.5
 * for segment types and limits, 3.3.7.1 for canonical addresses). */
#include "hv/lib/string_io.h"
#include "err.h"
#include "hv/lib/insn_prefix.h"

#define AR_TYPE_CODE BIT(3)
#define AR_TYPE_W_R  BIT(1) /* data: writable, code: readable */
#define AR_TYPE_E    BIT(2) /* data: expand-down */
#define AR_DB        BIT(14)
#define AR_UNUSABLE  BIT(16)

static uint64_t addr_mask(unsigned addr_size)
{
	return addr_size == 8 ? ~0ull : (BIT(8 * addr_size) - 1);
}

uint64_t strio_remaining(const struct strio_op *op)
{
	return op->rep ? op->rcx & addr_mask(op->addr_size) : 1;
}

static bool canonical(uint64_t la)
{
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

/* Offset range [off, off+size) inside the segment, by type and limit. */
static bool in_segment(const struct strio_seg *s, uint64_t off, unsigned size, bool write)
{
	uint64_t last = off + size - 1;

	if (s->ar & AR_UNUSABLE)
		return false;
	if (s->ar & AR_TYPE_CODE) {
		if (write || !(s->ar & AR_TYPE_W_R))
			return false; /* code is never writable, execute-only is not readable */
	} else if (write && !(s->ar & AR_TYPE_W_R)) {
		return false;
	}
	if (!(s->ar & AR_TYPE_CODE) && (s->ar & AR_TYPE_E)) {
		uint64_t top = (s->ar & AR_DB) ? 0xffffffffull : 0xffff;
		return off > s->limit && last <= top;
	}
	return last <= s->limit;
}

int strio_next_address(const struct strio_op *op, uint64_t *la)
{
	uint64_t off = op->index & addr_mask(op->addr_size);

	if (op->long64) {
		uint64_t base = (op->seg == STRIO_FS || op->seg == STRIO_GS) ? op->s.base : 0;
		*la = base + off;
		return canonical(*la) && canonical(*la + op->size - 1) ? 0 : -EINVAL;
	}
	if (!in_segment(&op->s, off, op->size, op->in))
		return -EINVAL;
	*la = (uint32_t)(op->s.base + off);
	return 0;
}

/* reg with its low addr_size bytes replaced by val (32-bit writes zero-extend). */
static uint64_t merge(uint64_t reg, uint64_t val, unsigned addr_size)
{
	if (addr_size == 2)
		return (reg & ~0xffffull) | (val & 0xffff);
	return val & addr_mask(addr_size);
}

void strio_advance(struct strio_op *op, uint64_t n)
{
	uint64_t delta = n * op->size;

	op->index = merge(op->index, op->df ? op->index - delta : op->index + delta, op->addr_size);
	if (op->rep)
		op->rcx = merge(op->rcx, op->rcx - n, op->addr_size);
}

int strio_decode(const uint8_t *insn, unsigned len, unsigned default_addr_size, bool long64,
                 unsigned *addr_size, unsigned *seg)
{
	struct insn_prefixes p;

	if (insn_prefixes(insn, len, long64, &p) < 0 || insn[p.len] < 0x6c || insn[p.len] > 0x6f)
		return -EINVAL;
	/* INS writes ES:[rDI], no override (Vol. 2A INS) */
	*seg = insn[p.len] <= 0x6d ? STRIO_ES : p.seg == INSN_NO_SEG ? STRIO_DS : (unsigned)p.seg;
	*addr_size = insn_addr_size(&p, long64 ? 8 : default_addr_size);
	return 0;
}
