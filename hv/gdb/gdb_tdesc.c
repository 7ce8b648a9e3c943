#include "hv/gdb/gdb_tdesc.h"
#include "err.h"
#include "hv/gdb/gdb_packet.h"
#include "kstring.h"

#define X87_REGS  16 /* st0-st7 (10 bytes), fctrl..fop (4 bytes) */
#define NO_SOURCE 0xff

enum reg_source {
	SRC_GPR = 0, /* index: encoding number */
	SRC_RIP,
	SRC_RFLAGS,
	SRC_SEG, /* index: CS SS DS ES FS GS */
	SRC_X87,
};

struct reg_slot {
	uint8_t size, source, index;
};

/* gdb's i386 numbering: EAX ECX EDX EBX ESP EBP ESI EDI, EIP, EFLAGS, segments. */
static const struct reg_slot layout32[] = {
	{4, SRC_GPR, 0}, {4, SRC_GPR, 1},    {4, SRC_GPR, 2}, {4, SRC_GPR, 3},
	{4, SRC_GPR, 4}, {4, SRC_GPR, 5},    {4, SRC_GPR, 6}, {4, SRC_GPR, 7},
	{4, SRC_RIP, 0}, {4, SRC_RFLAGS, 0}, {4, SRC_SEG, 0}, {4, SRC_SEG, 1},
	{4, SRC_SEG, 2}, {4, SRC_SEG, 3},    {4, SRC_SEG, 4}, {4, SRC_SEG, 5},
};

/* gdb's amd64 numbering: RAX RBX RCX RDX RSI RDI RBP RSP R8-R15, RIP, EFLAGS, segments. */
static const struct reg_slot layout64[] = {
	{8, SRC_GPR, 0},  {8, SRC_GPR, 3},  {8, SRC_GPR, 1},    {8, SRC_GPR, 2},  {8, SRC_GPR, 6},
	{8, SRC_GPR, 7},  {8, SRC_GPR, 5},  {8, SRC_GPR, 4},    {8, SRC_GPR, 8},  {8, SRC_GPR, 9},
	{8, SRC_GPR, 10}, {8, SRC_GPR, 11}, {8, SRC_GPR, 12},   {8, SRC_GPR, 13}, {8, SRC_GPR, 14},
	{8, SRC_GPR, 15}, {8, SRC_RIP, 0},  {4, SRC_RFLAGS, 0}, {4, SRC_SEG, 0},  {4, SRC_SEG, 1},
	{4, SRC_SEG, 2},  {4, SRC_SEG, 3},  {4, SRC_SEG, 4},    {4, SRC_SEG, 5},
};

static unsigned gp_count(bool mode64)
{
	return mode64 ? ARRAY_SIZE(layout64) : ARRAY_SIZE(layout32);
}

unsigned gdb_reg_count(bool mode64)
{
	return gp_count(mode64) + X87_REGS;
}

unsigned gdb_reg_size(bool mode64, unsigned regno)
{
	unsigned n = gp_count(mode64);

	if (regno < n)
		return mode64 ? layout64[regno].size : layout32[regno].size;
	if (regno < n + 8)
		return 10;
	return regno < n + X87_REGS ? 4 : 0;
}

static uint64_t *slot_ptr(struct gdb_regs *r, const struct reg_slot *s)
{
	switch (s->source) {
	case SRC_GPR:
		return &r->gpr[s->index];
	case SRC_RIP:
		return &r->rip;
	case SRC_RFLAGS:
		return &r->rflags;
	}
	return NULL;
}

static const struct reg_slot *slot(bool mode64, unsigned regno)
{
	if (regno >= gp_count(mode64))
		return NULL;
	return mode64 ? &layout64[regno] : &layout32[regno];
}

size_t gdb_reg_put(bool mode64, const struct gdb_regs *r, unsigned regno, char *out)
{
	const struct reg_slot *s = slot(mode64, regno);
	unsigned size = gdb_reg_size(mode64, regno);
	uint8_t bytes[8];
	uint64_t v;

	if (!s) {
		memset(out, 'x', 2 * size);
		return 2 * size;
	}
	v = s->source == SRC_SEG ? r->seg[s->index]
	                         : *slot_ptr((struct gdb_regs *)r, s); /* read only */
	for (unsigned i = 0; i < size; i++)
		bytes[i] = (uint8_t)(v >> (8 * i)); /* little-endian */
	gdb_put_hex(out, bytes, size);
	return 2 * size;
}

int gdb_reg_get(bool mode64, struct gdb_regs *r, unsigned regno, const char *hex)
{
	const struct reg_slot *s = slot(mode64, regno);
	uint8_t bytes[8];
	uint64_t v = 0, *p;

	if (!s)
		return -ENOENT;
	if (gdb_get_hex(hex, bytes, s->size) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < s->size; i++)
		v |= (uint64_t)bytes[i] << (8 * i);
	if (s->source == SRC_SEG) {
		r->seg[s->index] = (uint32_t)v;
		return 0;
	}
	p = slot_ptr(r, s);
	/* a 32-bit layout writes the low half (the upper half of a 64-bit
	 * register is undefined after 32-bit code anyway; keep it) */
	*p = s->size == 8 ? v : (*p & ~0xffffffffull) | v;
	return 0;
}

size_t gdb_regs_put(bool mode64, const struct gdb_regs *r, char *out)
{
	size_t n = 0;

	for (unsigned i = 0; i < gdb_reg_count(mode64); i++)
		n += gdb_reg_put(mode64, r, i, out + n);
	return n;
}

int gdb_regs_get(bool mode64, struct gdb_regs *r, const char *hex, size_t len)
{
	struct gdb_regs tmp = *r;
	size_t at = 0;

	for (unsigned i = 0; i < gp_count(mode64); i++) {
		unsigned size = gdb_reg_size(mode64, i);

		if (at + 2 * size > len)
			break;
		if (gdb_reg_get(mode64, &tmp, i, hex + at) < 0)
			return -EINVAL;
		at += 2 * size;
	}
	*r = tmp;
	return 0;
}

#define XML_HEAD                                                                                   \
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target "               \
	"version=\"1.0\">"
#define REG(name, bits, type) "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define SEGS                                                                                       \
	REG("cs", 32, "int32")                                                                     \
	REG("ss", 32, "int32")                                                                     \
	REG("ds", 32, "int32")                                                                     \
	REG("es", 32, "int32") REG("fs", 32, "int32") REG("gs", 32, "int32")
#define X87                                                                                        \
	REG("st0", 80, "i387_ext")                                                                 \
	REG("st1", 80, "i387_ext")                                                                 \
	REG("st2", 80, "i387_ext")                                                                 \
	REG("st3", 80, "i387_ext")                                                                 \
	REG("st4", 80, "i387_ext")                                                                 \
	REG("st5", 80, "i387_ext")                                                                 \
	REG("st6", 80, "i387_ext")                                                                 \
	REG("st7", 80, "i387_ext")                                                                 \
	REG("fctrl", 32, "int")                                                                    \
	REG("fstat", 32, "int")                                                                    \
	REG("ftag", 32, "int")                                                                     \
	REG("fiseg", 32, "int")                                                                    \
	REG("fioff", 32, "int")                                                                    \
	REG("foseg", 32, "int") REG("fooff", 32, "int") REG("fop", 32, "int")

static const char xml32[] =
	XML_HEAD "<architecture>i386</architecture><feature name=\"org.gnu.gdb.i386.core\">" REG(
		"eax", 32, "int32") REG("ecx", 32, "int32") REG("edx", 32, "int32")
		REG("ebx", 32, "int32") REG("esp", 32, "data_ptr") REG("ebp", 32, "data_ptr")
			REG("esi", 32, "int32") REG("edi", 32, "int32") REG("eip", 32, "code_ptr")
				REG("eflags", 32, "int32") SEGS X87 "</feature></target>";

static const char xml64[] = XML_HEAD
	"<architecture>i386:x86-64</architecture><feature "
	"name=\"org.gnu.gdb.i386.core\">" REG("rax", 64, "int64") REG("rbx", 64, "int64")
		REG("rcx", 64, "int64") REG("rdx", 64, "int64") REG("rsi", 64, "int64") REG(
			"rdi", 64, "int64") REG("rbp", 64, "data_ptr") REG("rsp", 64, "data_ptr")
			REG("r8", 64, "int64") REG("r9", 64, "int64") REG("r10", 64, "int64")
				REG("r11", 64, "int64") REG("r12", 64, "int64")
					REG("r13", 64, "int64") REG("r14", 64, "int64")
						REG("r15", 64, "int64") REG("rip", 64, "code_ptr")
							REG("eflags", 32, "int32") SEGS X87
	"</feature></target>";

const char *gdb_tdesc_xml(bool mode64)
{
	return mode64 ? xml64 : xml32;
}
