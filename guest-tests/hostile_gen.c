// SPDX-License-Identifier: MIT
/*
 * hostile guest: one generator per instruction class. Each picks operands,
 * writes the encoding (SDM Vol. 2), states the architectural outcome where
 * it is known for a CPL-0 protected-mode guest with paging off, and names
 * what must be put back afterwards.
 */
#include "hostile.h"

#define EFLAGS_CF       (1u << 0)
#define EFLAGS_ARITH    0x8d5u /* CF PF AF ZF SF OF */
#define EFLAGS_IF       (1u << 9)
#define EFLAGS_DF       (1u << 10)
#define EFLAGS_OF       (1u << 11)
#define CR0_PE          (1u << 0)
#define CR0_ET          (1u << 4)
#define CR0_NW          (1u << 29)
#define CR0_CD          (1u << 30)
#define CR0_PG          (1u << 31)
#define CR0_DEFINED     0xe005003fu /* PE MP EM TS ET NE WP AM NW CD PG */
#define CR4_DE          (1u << 3)
#define DR7_GD          (1u << 13)
#define BP_LOW_LIMIT    0x10000000u /* breakpoint addresses stay above guest memory */
#define HC_EFAULT       ((uint32_t)-14)
#define HC_EINVAL       ((uint32_t)-22)
#define HC_PRINT_MAX    256
#define MODRM_ESI(reg)  (((reg) << 3) | 6) /* [esi] */
#define MODRM_REG(r, m) (0xc0 | ((r) << 3) | (m))

/* Memory operands and string I/O buffers. */
static uint8_t buf[4096] __attribute__((aligned(16)));

static uint32_t buf_addr(uint32_t off)
{
	return (uint32_t)(uintptr_t)buf + off;
}

static uint32_t rnd_value(void)
{
	switch (rnd_below(6)) {
	case 0:
		return 0;
	case 1:
		return 1u << rnd_below(32);
	case 2:
		return rnd_below(0x100);
	case 3:
		return ~0u;
	default:
		return rnd();
	}
}

static void fill_buf(void)
{
	for (unsigned k = 0; k < 64; k += 4)
		*(uint32_t *)(buf + k) = rnd_value();
}

static void set(struct insn *i, const char *what, uint32_t allow, int want_vec)
{
	i->what = what;
	i->allow = allow;
	i->want_vec = want_vec;
}

/* ---- register checks ---- */

/* EBX, ESI and EDI are written by none of the generated instructions but CPUID (EBX). */
static const char *keep_bsd(const struct insn *i, const struct fuzz_regs *o)
{
	if (o->esi != i->in.esi || o->edi != i->in.edi)
		return "ESI/EDI changed";
	if (o->ebx != i->in.ebx)
		return "EBX changed";
	return NULL;
}

static const char *keep_all(const struct insn *i, const struct fuzz_regs *o)
{
	if (o->eax != i->in.eax || o->ecx != i->in.ecx || o->edx != i->in.edx)
		return "EAX/ECX/EDX changed";
	return keep_bsd(i, o);
}

static const char *check_rdmsr(const struct insn *i, const struct fuzz_regs *o)
{
	return o->ecx != i->in.ecx ? "ECX changed" : keep_bsd(i, o);
}

/* ---- msr ---- */

static const uint32_t known_msrs[] = {
	0x10,       0x1b,       0x3a,       0x3b,       0x48,       0x49,       0x8b,
	0xfe,       0x174,      0x175,      0x176,      0x1a0,      0x1c4,      0x1c5,
	0x1d9,      0x277,      0x2ff,      0x480,      0x48d,      0x6e0,      0x802,
	0x808,      0x830,      0x838,      0xda0,      0xc0000080, 0xc0000081, 0xc0000082,
	0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
};

static void after_msr(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	if (i->b[1] != 0x30 || vec >= 0)
		return;
	if (i->in.ecx == MSR_IA32_EFER)
		wrmsr(MSR_IA32_EFER, 0);
	else if (i->in.ecx == MSR_IA32_PAT)
		wrmsr(MSR_IA32_PAT, env.pat);
}

static void gen_msr(struct insn *i)
{
	uint32_t msr;

	switch (rnd_below(8)) {
	case 0:
	case 1:
	case 2:
		msr = rnd_below(0x2000);
		break;
	case 3:
	case 4:
		msr = 0xc0000000 + rnd_below(0x2000);
		break;
	case 5:
	case 6:
		msr = known_msrs[rnd_below(ARRAY_SIZE(known_msrs))];
		break;
	default:
		msr = rnd();
		break;
	}
	i->in.ecx = msr;
	i->after = after_msr;
	if (rnd_below(2)) {
		emit(i, 2, 0x0f, 0x32);
		set(i, "rdmsr", OK_NONE | OK(X86_GP), WANT_ANY);
		i->check = check_rdmsr;
	} else {
		i->in.eax = rnd_value();
		i->in.edx = rnd_below(4) ? 0 : rnd_value();
		emit(i, 2, 0x0f, 0x30);
		set(i, "wrmsr", OK_NONE | OK(X86_GP), WANT_ANY);
		i->check = keep_all;
	}
}

/* ---- cr ---- */

static void after_cr(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	write_cr0(env.cr0);
	write_cr3(env.cr3);
	write_cr4(env.cr4);
}

static void gen_cr(struct insn *i)
{
	static const uint8_t bad_cr[] = {1, 5, 6, 7};
	uint32_t v = rnd_value();

	i->after = after_cr;
	i->check = keep_bsd;
	switch (rnd_below(10)) {
	case 0:
	case 1:
	case 2:
		if (rnd_below(2))
			v = env.cr0 ^ (1u << rnd_below(32));
		if (rnd_below(8)) {
			v = (v | CR0_PE) & ~CR0_PG; /* stays in protected mode without paging */
		} else {
			v = (v | CR0_PG) & ~CR0_PE; /* invalid: #GP, no change */
		}
		i->in.eax = v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(0, 0));
		if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
			set(i, "mov cr0", OK(X86_GP), WANT_ANY);
		else if (!(v & ~CR0_DEFINED))
			set(i, "mov cr0", OK_NONE, WANT_ANY);
		else
			set(i, "mov cr0", OK_NONE | OK(X86_GP), WANT_ANY);
		break;
	case 3:
		i->in.eax = v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(3, 0));
		set(i, "mov cr3", OK_NONE, WANT_ANY);
		break;
	case 4:
	case 5:
		i->in.eax = rnd_below(2) ? env.cr4 ^ (1u << rnd_below(32)) : v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(4, 0));
		set(i, "mov cr4", OK_NONE | OK(X86_GP), WANT_ANY);
		break;
	case 6:
		i->in.eax = v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(2, 0));
		set(i, "mov cr2", OK_NONE, WANT_ANY);
		break;
	case 7: /* CR1, CR5-CR7 do not exist; LOCK MOV CR0 is not CR8 on this CPU */
		if (rnd_below(4) == 0) {
			emit(i, 4, 0xf0, 0x0f, 0x22, MODRM_REG(0, 0));
			set(i, "lock mov cr0", 0, X86_UD);
		} else {
			emit(i, 3, 0x0f, rnd_below(2) ? 0x22 : 0x20,
			     MODRM_REG(bad_cr[rnd_below(4)], 0));
			set(i, "mov crN", 0, X86_UD);
		}
		break;
	case 8: {
		static const uint8_t good_cr[] = {0, 2, 3, 4};
		emit(i, 3, 0x0f, 0x20, MODRM_REG(good_cr[rnd_below(4)], 0));
		set(i, "mov from cr", OK_NONE, WANT_ANY);
		break;
	}
	default:
		switch (rnd_below(3)) {
		case 0:
			emit(i, 2, 0x0f, 0x06);
			set(i, "clts", OK_NONE, WANT_ANY);
			break;
		case 1: /* LMSW loads PE MP EM TS and cannot clear PE */
			emit(i, 3, 0x0f, 0x01, MODRM_REG(6, 0));
			set(i, "lmsw", OK_NONE, WANT_ANY);
			break;
		default:
			emit(i, 3, 0x0f, 0x01, MODRM_REG(4, 0));
			set(i, "smsw", OK_NONE, WANT_ANY);
			break;
		}
	}
}

/* ---- dr ---- */

static void after_dr(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	if (i->aux)
		write_cr4(env.cr4);
}

static void gen_dr(struct insn *i)
{
	unsigned n = rnd_below(8);
	uint32_t v = rnd_value();
	bool write = rnd_below(2);

	i->after = after_dr;
	i->check = keep_bsd;
	i->aux = rnd_below(4) == 0; /* CR4.DE: DR4/DR5 raise #UD instead of aliasing DR6/DR7 */
	if (i->aux)
		write_cr4(env.cr4 | CR4_DE);
	if (n < 4 && v < BP_LOW_LIMIT)
		v |= 0x80000000u; /* a breakpoint on the guest's own code or stack would loop */
	if (n == 7 || n == 5)
		v &= ~DR7_GD; /* general detect would fault the runner's own DR7 reset */
	i->in.eax = v;
	emit(i, 3, 0x0f, write ? 0x23 : 0x21, MODRM_REG(n, 0));
	if ((n == 4 || n == 5) && i->aux)
		set(i, write ? "mov drN" : "mov from drN", 0, X86_UD);
	else
		set(i, write ? "mov drN" : "mov from drN", OK_NONE, WANT_ANY);
}

/* ---- xcr ---- */

/* XCR0 rules, SDM Vol. 1 sec. 13.3: x87 always, AVX needs SSE, the AVX-512
 * states go together and need AVX, AMX tile config and data go together,
 * nothing the CPU (as the guest sees it) does not support. */
static bool xcr0_ok(uint64_t v)
{
	uint64_t avx512 = 0xe0;

	if (!(v & 1) || (v & ~env.xcr0_supported))
		return false;
	if ((v & 4) && !(v & 2))
		return false;
	if ((v & avx512) && ((v & avx512) != avx512 || !(v & 4)))
		return false;
	if (((v >> 17) & 3) == 1 || ((v >> 17) & 3) == 2)
		return false;
	return true;
}

#define XCR_SET     1u /* aux: the instruction is XSETBV */
#define XCR_OSXSAVE 2u /* aux: CR4.OSXSAVE was set for it */

static uint64_t xcr0_after_set;

static void after_xcr(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	if ((i->aux & XCR_OSXSAVE) && (i->aux & XCR_SET) && vec < 0) {
		xcr0_after_set = xgetbv(0);
		xsetbv(0, 1);
	}
	write_cr4(env.cr4);
}

static const char *check_xsetbv(const struct insn *i, const struct fuzz_regs *o)
{
	if (xcr0_after_set != (((uint64_t)i->in.edx << 32) | i->in.eax))
		return "XGETBV(0) differs from the value XSETBV accepted";
	return keep_all(i, o);
}

static void gen_xcr(struct insn *i)
{
	static const uint32_t vals[] = {0, 1, 2, 3, 5, 7, 0x27, 0x67, 0xe7, 0x207, 0x2e7, 0x60007};
	bool osxsave = env.has_xsave && rnd_below(8);
	uint32_t xcr = rnd_below(8) ? 0 : rnd_below(4) ? 1 : rnd();

	i->after = after_xcr;
	if (osxsave) {
		write_cr4(env.cr4 | CR4_OSXSAVE);
		i->aux = XCR_OSXSAVE;
	}
	i->in.ecx = xcr;
	if (rnd_below(3)) {
		uint64_t v = rnd_below(3) ? vals[rnd_below(ARRAY_SIZE(vals))] : rnd_value();
		if (rnd_below(8) == 0)
			v |= (uint64_t)rnd_value() << 32;
		i->in.eax = (uint32_t)v;
		i->in.edx = (uint32_t)(v >> 32);
		emit(i, 3, 0x0f, 0x01, 0xd1);
		i->check = check_xsetbv;
		i->aux |= XCR_SET;
		if (!osxsave)
			set(i, "xsetbv", 0, X86_UD);
		else if (xcr != 0 || !xcr0_ok(v))
			set(i, "xsetbv", 0, X86_GP);
		else
			set(i, "xsetbv", 0, -1);
	} else {
		emit(i, 3, 0x0f, 0x01, 0xd0);
		i->check = keep_bsd;
		if (!osxsave)
			set(i, "xgetbv", 0, X86_UD);
		else if (xcr == 0 || (xcr == 1 && env.has_xgetbv1))
			set(i, "xgetbv", 0, -1);
		else
			set(i, "xgetbv", 0, X86_GP);
	}
}

/* ---- io, strio ---- */

static const uint16_t known_ports[] = {
	0x20,  0x21,  0x40,  0x43,  0x60,  0x61,  0x64,  0x70,  0x71,   0x80,   0x92,
	0xa0,  0xa1,  0xe9,  0xf0,  0xf4,  0x2f8, 0x3f8, 0x3fd, 0x402,  0x4d0,  0x510,
	0x511, 0x514, 0xcf8, 0xcf9, 0xcfc, 0xcfe, 0xb000, 0xb004, 0x8900, 0xfffe,
};

static uint16_t rnd_port(void)
{
	switch (rnd_below(6)) {
	case 0:
	case 1:
		return (uint16_t)rnd_below(0x100);
	case 2:
		return (uint16_t)(0x3f8 + rnd_below(8));
	case 3:
		return known_ports[rnd_below(ARRAY_SIZE(known_ports))];
	case 4:
		return (uint16_t)(0xfff8 + rnd_below(8)); /* accesses that wrap past 0xffff */
	default:
		return (uint16_t)rnd();
	}
}

static bool overlaps(uint32_t port, unsigned size, uint32_t lo, uint32_t hi)
{
	return port < hi && port + size > lo;
}

/* Ports the guest must not write: the exit device, the shutdown port, its own
 * console (COM1) and the 0xE9 debug console (garbage in the log). */
static bool port_unsafe_out(uint16_t port, unsigned size)
{
	return overlaps(port, size, 0xf4, 0xf8) || overlaps(port, size, 0x8900, 0x8904) ||
	       overlaps(port, size, 0x3f8, 0x400) || overlaps(port, size, 0xe9, 0xea);
}

static const char *check_in(const struct insn *i, const struct fuzz_regs *o)
{
	uint32_t keep = i->aux == 1 ? 0xffffff00u : i->aux == 2 ? 0xffff0000u : 0;

	if ((o->eax & keep) != (i->in.eax & keep))
		return "IN changed EAX bits above the operand";
	if (o->ecx != i->in.ecx || o->edx != i->in.edx)
		return "ECX/EDX changed";
	return keep_bsd(i, o);
}

static void gen_io(struct insn *i)
{
	unsigned size = 1u << rnd_below(3);
	uint16_t port = rnd_port();
	bool in = rnd_below(2) || port_unsafe_out(port, size);
	bool imm = port < 0x100 && rnd_below(2);
	uint8_t op = (uint8_t)((imm ? 0xe4 : 0xec) | (in ? 0 : 2) | (size > 1));

	if (size == 2)
		emit(i, 1, 0x66);
	if (imm)
		emit(i, 2, op, port);
	else
		emit(i, 1, op);
	i->in.edx = (i->in.edx & 0xffff0000u) | port;
	i->aux = size;
	i->check = in ? check_in : keep_all;
	set(i, in ? "in" : "out", OK_NONE, WANT_ANY);
}

static const char *check_strio(const struct insn *i, const struct fuzz_regs *o)
{
	unsigned size = i->aux & 7, rep = (i->aux >> 3) & 1, in = (i->aux >> 4) & 1;
	uint32_t n = rep ? i->in.ecx : 1, step = n * size;
	uint32_t d = (i->in.eflags & EFLAGS_DF) ? -step : step;

	if (rep && o->ecx != 0)
		return "REP count not 0";
	if (!rep && o->ecx != i->in.ecx)
		return "ECX changed";
	if (o->edi != i->in.edi + (in ? d : 0) || o->esi != i->in.esi + (in ? 0 : d))
		return "ESI/EDI not advanced by count * size";
	if (o->eax != i->in.eax || o->ebx != i->in.ebx || o->edx != i->in.edx)
		return "EAX/EBX/EDX changed";
	return NULL;
}

static void gen_strio(struct insn *i)
{
	static const uint8_t segs[] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
	unsigned size = 1u << rnd_below(3), rep = rnd_below(2);
	uint16_t port = rnd_port();
	bool in = rnd_below(2) || port_unsafe_out(port, size);

	if (rep)
		emit(i, 1, 0xf3);
	if (size == 2)
		emit(i, 1, 0x66);
	if (!in && rnd_below(4) == 0)
		emit(i, 1, segs[rnd_below(ARRAY_SIZE(segs))]); /* all bases are 0 */
	emit(i, 1, (in ? 0x6c : 0x6e) | (size > 1));
	i->in.edx = port;
	i->in.ecx = rep ? rnd_below(5) : i->in.ecx;
	/* both directions stay inside buf: at most 4 x 4 bytes from the middle */
	i->in.esi = buf_addr(1024 + rnd_below(2048));
	i->in.edi = buf_addr(1024 + rnd_below(2048));
	if (rnd_below(2))
		i->in.eflags |= EFLAGS_DF;
	i->aux = size | rep << 3 | (unsigned)in << 4;
	i->check = check_strio;
	set(i, in ? (rep ? "rep ins" : "ins") : (rep ? "rep outs" : "outs"), OK_NONE, WANT_ANY);
}

/* ---- vmx, vmcall ---- */

static void gen_vmx(struct insn *i)
{
	static const struct {
		const char *what;
		uint8_t n, b[5];
	} ops[] = {
		{"vmxon", 4, {0xf3, 0x0f, 0xc7, MODRM_ESI(6)}},
		{"vmclear", 4, {0x66, 0x0f, 0xc7, MODRM_ESI(6)}},
		{"vmptrld", 3, {0x0f, 0xc7, MODRM_ESI(6)}},
		{"vmptrst", 3, {0x0f, 0xc7, MODRM_ESI(7)}},
		{"vmread", 3, {0x0f, 0x78, MODRM_REG(0, 3)}},
		{"vmread m", 3, {0x0f, 0x78, MODRM_ESI(0)}},
		{"vmwrite", 3, {0x0f, 0x79, MODRM_REG(0, 3)}},
		{"vmwrite m", 3, {0x0f, 0x79, MODRM_ESI(0)}},
		{"vmlaunch", 3, {0x0f, 0x01, 0xc2}},
		{"vmresume", 3, {0x0f, 0x01, 0xc3}},
		{"vmxoff", 3, {0x0f, 0x01, 0xc4}},
		{"invept", 5, {0x66, 0x0f, 0x38, 0x80, MODRM_ESI(0)}},
		{"invvpid", 5, {0x66, 0x0f, 0x38, 0x81, MODRM_ESI(0)}},
		{"vmfunc", 3, {0x0f, 0x01, 0xd4}},
		{"getsec", 2, {0x0f, 0x37}},
	};
	unsigned k = rnd_below(ARRAY_SIZE(ops));

	fill_buf();
	i->in.esi = buf_addr(0);
	if (rnd_below(2))
		i->in.eax = rnd_below(4);
	for (unsigned j = 0; j < ops[k].n; j++)
		emit(i, 1, ops[k].b[j]);
	/* VMX is not offered to guests (CPUID.1:ECX.VMX = 0, CR4.VMXE = 0): #UD */
	set(i, ops[k].what, 0, X86_UD);
}

static const char *check_vmcall(const struct insn *i, const struct fuzz_regs *o)
{
	uint32_t nr = i->in.eax, want;

	if (nr == HC_VERSION) {
		if (o->eax == 0 || (int32_t)o->eax < 0)
			return "VERSION not > 0";
	} else {
		if (nr == HC_PRINT)
			want = i->in.ecx > HC_PRINT_MAX ? HC_EINVAL : HC_EFAULT;
		else
			want = nr == HC_YIELD ? 0 : HC_ENOSYS;
		if (o->eax != want)
			return "wrong hypercall result";
	}
	if (o->ecx != i->in.ecx || o->edx != i->in.edx)
		return "ECX/EDX changed";
	return keep_bsd(i, o);
}

static void gen_vmcall(struct insn *i)
{
	uint32_t nr;

	switch (rnd_below(4)) {
	case 0:
	case 1:
		nr = rnd_below(8);
		break;
	case 2:
		nr = rnd_below(2) ? 0x40000000 + rnd_below(16) : ~0u - rnd_below(16);
		break;
	default:
		nr = rnd();
		break;
	}
	if (nr == HC_EXIT)
		nr = HC_YIELD; /* EXIT would end the run */
	i->in.eax = nr;
	if (nr == HC_PRINT) {
		/* only requests that must fail: past the end of RAM or too long */
		switch (rnd_below(3)) {
		case 0:
			i->in.ebx = env.mem_top - 1 - rnd_below(32);
			i->in.ecx = 33 + rnd_below(HC_PRINT_MAX - 32);
			break;
		case 1:
			i->in.ebx = env.mem_top + rnd_below(~0u - env.mem_top);
			i->in.ecx = rnd_below(HC_PRINT_MAX + 1);
			break;
		default:
			i->in.ebx = buf_addr(0);
			i->in.ecx = HC_PRINT_MAX + 1 + rnd_below(0x10000);
			break;
		}
	}
	emit(i, 3, 0x0f, 0x01, 0xc1);
	i->check = check_vmcall;
	set(i, "vmcall", OK_NONE, WANT_ANY);
}

/* ---- cpuid ---- */

static const char *check_cpuid(const struct insn *i, const struct fuzz_regs *o)
{
	struct fuzz_regs again = i->in;

	if (o->esi != i->in.esi || o->edi != i->in.edi)
		return "ESI/EDI changed";
	if (fuzz_exec(i->b, i->len, &again) >= 0)
		return "second CPUID faulted";
	if (again.eax != o->eax || again.ebx != o->ebx || again.ecx != o->ecx ||
	    again.edx != o->edx)
		return "CPUID not repeatable";
	return NULL;
}

static void gen_cpuid(struct insn *i)
{
	static const uint32_t rich[] = {4, 7, 0xb, 0xd, 0x1f, 0x14, 0x12, 0x18};

	switch (rnd_below(6)) {
	case 0:
	case 1:
		i->in.eax = rnd_below(0x21);
		break;
	case 2:
		i->in.eax = 0x40000000 + rnd_below(0x20);
		break;
	case 3:
		i->in.eax = 0x80000000 + rnd_below(0x20);
		break;
	case 4:
		i->in.eax = rich[rnd_below(ARRAY_SIZE(rich))];
		break;
	default:
		i->in.eax = rnd();
		break;
	}
	i->in.ecx = rnd_below(2) ? rnd_below(70) : rnd();
	emit(i, 2, 0x0f, 0xa2);
	i->check = check_cpuid;
	set(i, "cpuid", OK_NONE, WANT_ANY);
}

/* ---- misc ---- */

static void gen_misc(struct insn *i)
{
	switch (rnd_below(9)) {
	case 0:
		i->in.esi = rnd();
		emit(i, 3, 0x0f, 0x01, MODRM_ESI(7));
		set(i, "invlpg", OK_NONE, WANT_ANY);
		break;
	case 1:
		emit(i, 2, 0x0f, rnd_below(2) ? 0x08 : 0x09);
		set(i, i->b[1] == 0x08 ? "invd" : "wbinvd", OK_NONE, WANT_ANY);
		break;
	case 2:
		emit(i, 2, 0x0f, 0x31);
		set(i, "rdtsc", OK_NONE, WANT_ANY);
		break;
	case 3:
		emit(i, 3, 0x0f, 0x01, 0xf9);
		set(i, "rdtscp", 0, env.has_rdtscp ? -1 : X86_UD);
		break;
	case 4:
		i->in.ecx = rnd_below(2) ? rnd_below(8) : rnd_below(2) ? 0x40000000 + rnd_below(4)
		                                                        : rnd();
		emit(i, 2, 0x0f, 0x33);
		set(i, "rdpmc", OK_NONE | OK(X86_GP), WANT_ANY);
		break;
	case 5:
		fill_buf();
		i->in.esi = buf_addr(0);
		i->in.eax = rnd_below(2) ? rnd_below(4) : rnd();
		emit(i, 5, 0x66, 0x0f, 0x38, 0x82, MODRM_ESI(0));
		set(i, "invpcid", env.has_invpcid ? OK_NONE | OK(X86_GP) : OK(X86_UD), WANT_ANY);
		break;
	case 6:
		emit(i, 2, 0xf3, 0x90);
		set(i, "pause", OK_NONE, WANT_ANY);
		i->check = keep_all;
		return;
	default:
		i->in.esi = buf_addr(64);
		emit(i, 3, 0x0f, 0x01, MODRM_ESI(rnd_below(2)));
		set(i, i->b[2] == MODRM_ESI(0) ? "sgdt" : "sidt", OK_NONE, WANT_ANY);
		break;
	}
	i->check = keep_bsd;
}

/* ---- int ---- */

static void gen_int(struct insn *i)
{
	uint32_t n = rnd_below(256);

	switch (rnd_below(6)) {
	case 0:
	case 1:
	case 2:
		emit(i, 2, 0xcd, n);
		set(i, "int n", 0, (int)n);
		break;
	case 3:
		emit(i, 1, 0xcc);
		set(i, "int3", 0, 3);
		break;
	case 4:
		i->in.eflags |= rnd_below(2) ? EFLAGS_OF : 0;
		emit(i, 1, 0xce);
		set(i, "into", 0, (i->in.eflags & EFLAGS_OF) ? 4 : -1);
		break;
	default:
		if (rnd_below(2)) {
			emit(i, 1, 0xf1);
			set(i, "int1", 0, 1);
		} else {
			emit(i, 2, 0x0f, 0x0b);
			set(i, "ud2", 0, X86_UD);
		}
		break;
	}
}

/* ---- mwait, hlt ---- */

static void gen_mwait(struct insn *i)
{
	i->in.ecx = rnd_below(4) ? rnd_below(2) : rnd();
	if (rnd_below(2)) {
		i->in.eax = rnd_below(2) ? buf_addr(128) : rnd();
		emit(i, 3, 0x0f, 0x01, 0xc8);
		set(i, "monitor", 0, WANT_ANY);
	} else {
		i->in.eax = rnd_below(0x100);
		emit(i, 3, 0x0f, 0x01, 0xc9);
		set(i, "mwait", 0, WANT_ANY);
	}
}

static void gen_hlt(struct insn *i)
{
	emit(i, 1, 0xf4);
	set(i, "hlt", OK_NONE, WANT_ANY);
}

void hostile_generate(unsigned c, struct insn *i)
{
	static void (*const gen[NR_CLASSES])(struct insn *) = {
		[C_MSR] = gen_msr,     [C_CR] = gen_cr,       [C_DR] = gen_dr,
		[C_XCR] = gen_xcr,     [C_IO] = gen_io,       [C_STRIO] = gen_strio,
		[C_VMX] = gen_vmx,     [C_VMCALL] = gen_vmcall, [C_CPUID] = gen_cpuid,
		[C_MISC] = gen_misc,   [C_INT] = gen_int,     [C_MWAIT] = gen_mwait,
		[C_HLT] = gen_hlt,
	};

	memset(i, 0, sizeof(*i));
	i->cls = (enum hostile_class)c;
	i->want_vec = WANT_ANY;
	i->in = (struct fuzz_regs){rnd(), rnd(), rnd(), rnd(), rnd(), rnd(),
	                           2 | (rnd() & EFLAGS_ARITH)};
	if (rnd_below(8) == 0)
		i->in.eflags |= EFLAGS_IF;
	gen[c](i);
}
