/* INS/OUTS and REP INS/OUTS for the ports of hv/vdev/guest_io.c. The element count,
 * address size, segment and DF rules are hv/lib/string_io.c; here the VMCS supplies them
 * and guest memory is reached by linear address (vmx/guest_mem.c). A REP instruction
 * moves at most STRIO_CHUNK elements per exit and is then re-executed (RIP is not
 * advanced while the count is not zero), so a huge count cannot hold the CPU and
 * interrupts are taken between chunks, as between iterations on the CPU. */
#include "vmx/string_io.h"
#include "err.h"
#include "hv/lib/string_io.h"
#include "hv/vdev/guest_io.h"
#include "hv/vm.h"
#include "vmx/guest_mem.h"
#include "vmx/paging.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

#define STRIO_CHUNK       256
#define RFLAGS_DF         BIT(10)
#define AR_DB             BIT(14)
#define VEC_SS            12
#define VEC_GP            13
#define QUAL_IN           BIT(3)
#define QUAL_REP          BIT(5)
#define INFO_ASIZE(i)     (((i) >> 7) & 7)  /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
#define INFO_SEG(i)       (((i) >> 15) & 7) /* ES, CS, SS, DS, FS, GS */
#define SEG_FIELD(f, seg) ((f) + 2 * (seg)) /* the guest segment fields are ES..GS in order */

static void read_segment(unsigned seg, struct strio_seg *s)
{
	s->base = __vmcs_read(SEG_FIELD(GUEST_ES_BASE, seg));
	s->limit = (uint32_t)__vmcs_read(SEG_FIELD(GUEST_ES_LIMIT, seg));
	s->ar = (uint32_t)__vmcs_read(SEG_FIELD(GUEST_ES_AR_BYTES, seg));
}

/* Address size and segment: from the VM-exit instruction-information field where the CPU
 * reports it (IA32_VMX_BASIC bit 54), else from the instruction's prefixes. */
static int operand_form(struct vcpu *v, struct strio_op *op)
{
	unsigned def = op->long64 ? 8 : (vmcs_read32(GUEST_CS_AR_BYTES) & AR_DB) ? 4 : 2;
	uint32_t len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	uint8_t insn[15];
	uint64_t rip;
	int r;

	if (vmx_cfg.basic.ins_outs_info) {
		uint32_t info = vmcs_read32(VMX_INSTRUCTION_INFO);
		op->addr_size = 2u << INFO_ASIZE(info);
		op->seg = op->in ? STRIO_ES : INFO_SEG(info);
		return op->addr_size <= 8 && op->seg <= STRIO_GS ? 0 : -EINVAL;
	}
	rip = vcpu_read_rip(v);
	if (!op->long64)
		rip = (uint32_t)(rip + vmcs_readl(GUEST_CS_BASE));
	if (len == 0 || len > sizeof(insn))
		return -EINVAL;
	r = vmx_read_guest(v, rip, insn, len,
	                   GWALK_FETCH | (vmx_guest_cpl(v) == 3 ? GWALK_USER : 0));
	if (r < 0)
		return r;
	return strio_decode(insn, len, def, op->long64, &op->addr_size, &op->seg);
}

static void write_back(struct vcpu *v, const struct strio_op *op)
{
	v->regs[op->in ? VCPU_REGS_RDI : VCPU_REGS_RSI] = op->index;
	v->regs[VCPU_REGS_RCX] = op->rcx;
}

enum exit_action vmx_string_io(struct vcpu *v, uint64_t q)
{
	struct strio_op op = {
		.in = q & QUAL_IN,
		.rep = q & QUAL_REP,
		.size = (q & 7) + 1,
		.df = vcpu_read_rflags(v) & RFLAGS_DF,
		.long64 = vmx_guest_64bit(v),
	};
	uint16_t port = (uint16_t)(q >> 16);
	unsigned access = vmx_guest_cpl(v) == 3 ? GWALK_USER : 0;
	enum exit_action a = EXIT_RESUME;
	uint64_t n;
	int r;

	r = operand_form(v, &op);
	if (r == -EFAULT)
		return EXIT_RESUME; /* #PF fetching the instruction: pending for the guest */
	if (r < 0) {
		vm_stop(v->vm,
		        "string I/O on port 0x%x at RIP 0x%lx: cannot decode the instruction", port,
		        vcpu_read_rip(v));
		return EXIT_STOP_VM;
	}
	read_segment(op.seg, &op.s);
	op.rcx = v->regs[VCPU_REGS_RCX];
	op.index = v->regs[op.in ? VCPU_REGS_RDI : VCPU_REGS_RSI];
	n = MIN(strio_remaining(&op), (uint64_t)STRIO_CHUNK);
	for (; n && a != EXIT_STOP_VM; n--) {
		struct guest_span s;
		uint32_t val = 0;
		uint64_t la;

		if (strio_next_address(&op, &la) < 0) {
			vmx_inject_exception(v, op.seg == STRIO_SS ? VEC_SS : VEC_GP, true, 0);
			break;
		}
		/* both directions translate first: a faulting INS must not consume port data */
		r = vmx_guest_map(v, la, op.size, access | (op.in ? GWALK_WRITE : 0), &s);
		if (r == -EFAULT)
			break;
		if (r < 0) {
			write_back(v, &op);
			vm_stop(v->vm, "%s on port 0x%x: linear address 0x%lx is not guest RAM",
			        op.in ? "INS" : "OUTS", port, la);
			return EXIT_STOP_VM;
		}
		if (op.in) {
			a = guest_io(v, port, op.size, true, &val);
			guest_span_copy_in(&s, &val);
		} else {
			guest_span_copy_out(&s, &val);
			a = guest_io(v, port, op.size, false, &val);
		}
		strio_advance(&op, 1);
	}
	write_back(v, &op);
	if (a == EXIT_STOP_VM)
		return a;
	if (n)
		return EXIT_RESUME; /* a fault is pending: the instruction did not complete */
	if (!op.rep || strio_remaining(&op) == 0)
		vmx_skip_instruction(v);
	return a;
}
