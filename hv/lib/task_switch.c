/* Task switch (SDM Vol. 3A sec. 8.3 steps 1-13, table 8-2 for the checks on the new
 * task's state, sec. 8.4 for nesting: NT and the previous-task link). */
#include "hv/lib/task_switch.h"
#include "kstring.h"

#define TYPE_TSS16_AVAIL 1
#define TYPE_LDT         2
#define TYPE_TSS16_BUSY  3
#define TYPE_TSS32_AVAIL 9
#define TYPE_TSS32_BUSY  11
#define TYPE_BUSY_BIT    2
#define TYPE_ACCESSED    1
#define TYPE_CODE        8
#define TYPE_CONFORMING  4 /* code */
#define TYPE_W_R         2 /* data: writable, code: readable */
#define EFLAGS_NT        BIT(14)
#define EFLAGS_VM        BIT(17)
#define EFLAGS_FIXED     BIT(1)
#define TSS_TRAP_T       BIT(0) /* debug trap flag of a 32-bit TSS */
/* EFLAGS bits a task may load: CF PF AF ZF SF TF IF DF OF IOPL NT RF VM AC VIF
 * VIP ID; bits 3, 5, 15 and 31:22 are reserved (SDM Vol. 1 sec. 3.4.3). */
#define EFLAGS_LOADABLE 0x3f7fd5u
#define CR0_PG_BIT      BIT(31)
#define CR0_TS_BIT      BIT(3)
#define AR_VM86_DATA    0xf3 /* present, DPL 3, read/write accessed: virtual-8086 mode */
#define TSS32_MIN_LIMIT 0x67
#define TSS_DYNAMIC     0x20 /* EIP through GS: what the old task's TSS receives */
#define TSS_DYNAMIC_LEN 0x40
#define SEL_TI          4

void desc_decode(uint64_t raw, struct seg_desc *d)
{
	d->limit = (uint32_t)((raw & 0xffff) | ((raw >> 32) & 0xf0000));
	d->base = (uint32_t)(((raw >> 16) & 0xffffff) | ((raw >> 32) & 0xff000000));
	d->ar = (uint32_t)((raw >> 40) & 0xf0ff);
	d->type = (raw >> 40) & 0xf;
	d->s = (raw >> 44) & 1;
	d->dpl = (raw >> 45) & 3;
	d->p = (raw >> 47) & 1;
	if ((raw >> 55) & 1)
		d->limit = (d->limit << 12) | 0xfff;
}

struct ctx {
	struct task_cpu *cpu;
	const struct task_req *req;
	const struct task_mem *mem;
	struct task_fault *fault;
};

static enum task_result fail(struct ctx *c, uint8_t vector, uint16_t sel)
{
	c->fault->vector = vector;
	c->fault->error = (sel & 0xfffc) | (c->req->ext ? 1 : 0);
	return TASK_FAULT;
}

/* Linear address of the descriptor sel names, or false if it lies beyond its table. */
static bool desc_addr(const struct task_cpu *cpu, uint16_t sel, uint64_t *la)
{
	uint32_t off = sel & 0xfff8u;

	if (sel & SEL_TI) {
		if (cpu->ldtr.ar & TASK_AR_UNUSABLE || off + 7 > cpu->ldtr.limit)
			return false;
		*la = cpu->ldtr.base + off;
	} else {
		if (off + 7 > cpu->gdt_limit)
			return false;
		*la = cpu->gdt_base + off;
	}
	return true;
}

/* Reads the descriptor of sel: TASK_OK, a memory result, or TASK_FAULT with vector
 * beyond_vec when it lies outside its table. */
static enum task_result read_desc(struct ctx *c, uint16_t sel, uint8_t beyond_vec, uint64_t *la,
                                  uint64_t *raw)
{
	int r;

	if (!desc_addr(c->cpu, sel, la))
		return fail(c, beyond_vec, sel);
	r = c->mem->read(c->mem->ctx, *la, raw, 8);
	return r ? (enum task_result)r : TASK_OK;
}

/* Rewrites the type nibble (byte 5, bits 3:0) of the descriptor at la. */
static enum task_result write_type(struct ctx *c, uint64_t la, uint64_t raw, unsigned type)
{
	uint8_t b = (uint8_t)(((raw >> 40) & 0xf0) | type);
	int r = c->mem->write(c->mem->ctx, la + 5, &b, 1);

	return r ? (enum task_result)r : TASK_OK;
}

static void set_seg(struct task_seg *s, uint16_t sel, const struct seg_desc *d)
{
	s->sel = sel;
	s->base = d->base;
	s->limit = d->limit;
	s->ar = d->ar | TYPE_ACCESSED;
}

/* Loads one segment register of the new task with the checks of table 8-2. */
static enum task_result load_seg(struct ctx *c, unsigned reg, uint16_t sel, unsigned cpl)
{
	struct task_seg *s = &c->cpu->seg[reg];
	unsigned rpl = sel & 3;
	struct seg_desc d;
	uint64_t la, raw;
	enum task_result r;
	bool code;

	if ((sel & 0xfffc) == 0) {
		if (reg == TASK_CS || reg == TASK_SS)
			return fail(c, VEC_TS, sel);
		s->sel = sel;
		s->base = 0;
		s->limit = 0;
		s->ar = TASK_AR_UNUSABLE;
		return TASK_OK;
	}
	r = read_desc(c, sel, VEC_TS, &la, &raw);
	if (r)
		return r;
	desc_decode(raw, &d);
	code = d.type & TYPE_CODE;
	if (!d.s)
		return fail(c, VEC_TS, sel);
	if (reg == TASK_CS) {
		if (!code || ((d.type & TYPE_CONFORMING) ? d.dpl > rpl : d.dpl != rpl))
			return fail(c, VEC_TS, sel);
	} else if (reg == TASK_SS) {
		if (code || !(d.type & TYPE_W_R) || rpl != cpl || d.dpl != cpl)
			return fail(c, VEC_TS, sel);
	} else {
		if (code && !(d.type & TYPE_W_R))
			return fail(c, VEC_TS, sel); /* execute-only code */
		if ((!code || !(d.type & TYPE_CONFORMING)) && (d.dpl < cpl || d.dpl < rpl))
			return fail(c, VEC_TS, sel);
	}
	if (!d.p)
		return fail(c, reg == TASK_SS ? VEC_SS : VEC_NP, sel);
	if (!(d.type & TYPE_ACCESSED)) {
		r = write_type(c, la, raw, d.type | TYPE_ACCESSED);
		if (r)
			return r;
	}
	set_seg(s, sel, &d);
	return TASK_OK;
}

static enum task_result load_ldtr(struct ctx *c, uint16_t sel)
{
	struct task_seg *s = &c->cpu->ldtr;
	struct seg_desc d;
	uint64_t la, raw;
	enum task_result r;

	s->sel = sel;
	if ((sel & 0xfffc) == 0) {
		s->base = 0;
		s->limit = 0;
		s->ar = TASK_AR_UNUSABLE;
		return TASK_OK;
	}
	s->ar = TASK_AR_UNUSABLE; /* until the descriptor checks out */
	if (sel & SEL_TI)
		return fail(c, VEC_TS, sel);
	r = read_desc(c, sel, VEC_TS, &la, &raw);
	if (r)
		return r;
	desc_decode(raw, &d);
	if (d.s || d.type != TYPE_LDT || !d.p)
		return fail(c, VEC_TS, sel);
	s->base = d.base;
	s->limit = d.limit;
	s->ar = d.ar;
	return TASK_OK;
}

/* Loads the new task's state from its TSS (step 11 on): from here on faults belong to
 * the new task. */
static enum task_result load_new_task(struct ctx *c, const struct tss32 *t)
{
	static const unsigned order[] = {TASK_CS, TASK_SS, TASK_DS, TASK_ES, TASK_FS, TASK_GS};
	struct task_cpu *cpu = c->cpu;
	enum task_result r;
	unsigned cpl;

	cpu->eip = t->eip;
	cpu->eflags = (t->eflags & EFLAGS_LOADABLE) | EFLAGS_FIXED;
	memcpy(cpu->gpr, t->gpr, sizeof(cpu->gpr));
	for (unsigned i = 0; i < 6; i++)
		cpu->seg[i].sel = (uint16_t)t->seg[i];
	if (cpu->cr0 & CR0_PG_BIT) {
		cpu->cr3 = t->cr3;
		r = (enum task_result)c->mem->load_cr3(c->mem->ctx, t->cr3);
		if (r == TASK_FAULT) {
			c->fault->vector = VEC_GP;
			c->fault->error = 0;
			return TASK_FAULT;
		}
		if (r)
			return r;
	}
	r = load_ldtr(c, t->ldt);
	if (r)
		return r;
	if (cpu->eflags & EFLAGS_VM) {
		for (unsigned i = 0; i < 6; i++) {
			struct task_seg *s = &cpu->seg[i];
			s->base = (uint32_t)s->sel << 4;
			s->limit = 0xffff;
			s->ar = AR_VM86_DATA; /* every segment, CS too (SDM Vol. 3C 27.3.1.2) */
		}
		return TASK_OK;
	}
	cpl = t->seg[TASK_CS] & 3;
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		r = load_seg(c, order[i], (uint16_t)t->seg[order[i]], cpl);
		if (r)
			return r;
	}
	return TASK_OK;
}

/* Pushes the exception's error code on the new task's stack (sec. 8.3 step 13). */
static enum task_result push_error(struct ctx *c)
{
	struct task_cpu *cpu = c->cpu;
	const struct task_seg *ss = &cpu->seg[TASK_SS];
	bool big = ss->ar & BIT(14);
	uint32_t esp = cpu->gpr[4] - 4;
	int r;

	if (!big)
		esp = (cpu->gpr[4] & 0xffff0000u) | (esp & 0xffff);
	r = c->mem->write(c->mem->ctx, (uint32_t)(ss->base + (big ? esp : (esp & 0xffff))),
	                  &c->req->error, 4);
	if (r)
		return (enum task_result)r;
	cpu->gpr[4] = esp;
	return TASK_OK;
}

enum task_result task_switch(struct task_cpu *cpu, const struct task_req *req,
                             const struct task_mem *mem, struct task_fault *fault)
{
	struct ctx c = {cpu, req, mem, fault};
	const struct task_mem *m = mem;
	uint8_t bad_vec = req->src == TASK_IRET ? VEC_TS : VEC_GP;
	struct seg_desc nd;
	struct tss32 nt, old;
	uint64_t nla, ola, nraw, oraw;
	unsigned otype = cpu->tr.ar & 0xf;
	enum task_result r;

	fault->committed = false;
	fault->debug_trap = false;
	/* the new TSS descriptor: in the GDT, a TSS of the right busy state, present, big
	 * enough (steps 1-5) */
	if (req->sel & SEL_TI || (req->sel & 0xfffc) == 0)
		return fail(&c, bad_vec, req->sel);
	r = read_desc(&c, req->sel, bad_vec, &nla, &nraw);
	if (r)
		return r;
	desc_decode(nraw, &nd);
	if (nd.s)
		return fail(&c, bad_vec, req->sel);
	if (req->src == TASK_IRET ? nd.type != TYPE_TSS32_BUSY && nd.type != TYPE_TSS16_BUSY
	                          : nd.type != TYPE_TSS32_AVAIL && nd.type != TYPE_TSS16_AVAIL)
		return fail(&c, bad_vec, req->sel);
	if (!nd.p)
		return fail(&c, VEC_NP, req->sel);
	if (nd.type == TYPE_TSS16_AVAIL || nd.type == TYPE_TSS16_BUSY || otype == TYPE_TSS16_BUSY)
		return fail(&c, VEC_GP, req->sel); /* 16-bit TSSs are not supported */
	if (nd.limit < TSS32_MIN_LIMIT || cpu->tr.limit < TSS32_MIN_LIMIT)
		return fail(&c, VEC_TS, req->sel);
	r = (enum task_result)m->read(m->ctx, nd.base, &nt, sizeof(nt));
	if (r)
		return r;
	r = (enum task_result)m->read(m->ctx, cpu->tr.base, &old, sizeof(old));
	if (r)
		return r;

	/* the old task: busy bit off for JMP and IRET, NT off in its image for IRET, its
	 * dynamic state into its TSS (steps 6-8) */
	if (req->src == TASK_JMP || req->src == TASK_IRET) {
		r = read_desc(&c, cpu->tr.sel, VEC_TS, &ola, &oraw);
		if (r)
			return r;
		r = write_type(&c, ola, oraw, ((oraw >> 40) & 0xf) & ~TYPE_BUSY_BIT);
		if (r)
			return r;
	}
	old.eip = cpu->eip;
	old.eflags = cpu->eflags & ~(req->src == TASK_IRET ? EFLAGS_NT : 0);
	memcpy(old.gpr, cpu->gpr, sizeof(old.gpr));
	for (unsigned i = 0; i < 6; i++)
		old.seg[i] = (old.seg[i] & 0xffff0000u) | cpu->seg[i].sel;
	r = (enum task_result)m->write(m->ctx, cpu->tr.base + TSS_DYNAMIC,
	                               (const uint8_t *)&old + TSS_DYNAMIC, TSS_DYNAMIC_LEN);
	if (r)
		return r;

	/* the new task: link and NT for CALL and events, busy bit unless IRET (steps 9-10) */
	if (req->src == TASK_CALL || req->src == TASK_IDT_GATE) {
		nt.link = cpu->tr.sel;
		nt.eflags |= EFLAGS_NT;
		r = (enum task_result)m->write(m->ctx, nd.base, &nt.link, sizeof(nt.link));
		if (r)
			return r;
	}
	if (req->src != TASK_IRET) {
		r = write_type(&c, nla, nraw, nd.type | TYPE_BUSY_BIT);
		if (r)
			return r;
	}

	/* commit: TR, CR0.TS, then the new task's state (steps 11-13) */
	fault->committed = true;
	cpu->tr.sel = req->sel;
	cpu->tr.base = nd.base;
	cpu->tr.limit = nd.limit;
	cpu->tr.ar = (nd.ar & ~0xfu) | TYPE_TSS32_BUSY;
	cpu->cr0 |= CR0_TS_BIT;
	r = load_new_task(&c, &nt);
	if (r == TASK_OK && req->has_error)
		r = push_error(&c);
	fault->debug_trap = r == TASK_OK && (nt.trap & TSS_TRAP_T);
	return r;
}
