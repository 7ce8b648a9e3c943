// SPDX-License-Identifier: MIT
/*
 * hostile guest: generators for the instructions that reach devices, the
 * hypercall interface and the rest of the exiting and non-exiting set:
 * I/O, string I/O, VMX, VMCALL, CPUID, misc, RDPMC, INT n, MONITOR/MWAIT,
 * HLT (SDM Vol. 2 for the encodings and faults).
 */
#include "hostile.h"

/* ---- io, strio ---- */

static const uint16_t known_ports[] = {
	0x20,  0x21,  0x40,  0x43,  0x60,  0x61,  0x64,   0x70,   0x71,   0x80,   0x92,
	0xa0,  0xa1,  0xe9,  0xf0,  0xf4,  0x2f8, 0x3f8,  0x3fd,  0x402,  0x4d0,  0x510,
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

/* Ports the guest must not write: the exit device, the shutdown port, the
 * i8042's command port (0xFE resets the VM), the 8259 PICs (initialized with a
 * random vector base they would deliver the PIT's and the i8042's interrupts,
 * which the outcome checks do not expect), its console's transmit register
 * and the 0xE9 debug console (garbage in the log).
 * The other COM1 registers may be written: the guest reprograms them after. */
static bool port_unsafe_out(uint16_t port, unsigned size)
{
	return overlaps(port, size, 0xf4, 0xf8) || overlaps(port, size, 0x8900, 0x8904) ||
	       overlaps(port, size, 0x64, 0x65) || overlaps(port, size, 0x20, 0x22) ||
	       overlaps(port, size, 0xa0, 0xa2) || overlaps(port, size, 0x3f8, 0x3f9) ||
	       overlaps(port, size, 0xe9, 0xea);
}

static void after_out(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	if (overlaps(i->in.edx & 0xffff, i->aux & 7, 0x3f9, 0x400))
		serial_init();
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

void gen_io(struct insn *i)
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
	i->after = in ? NULL : after_out;
	expect(i, in ? "in" : "out", OK_NONE, WANT_ANY);
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

void gen_strio(struct insn *i)
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
	i->after = in ? NULL : after_out;
	expect(i, in ? (rep ? "rep ins" : "ins") : (rep ? "rep outs" : "outs"), OK_NONE, WANT_ANY);
}

/* ---- vmx, vmcall ---- */

void gen_vmx(struct insn *i)
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
	/* the operand is never read: these exit (or #UD) before any memory access */
	i->in.esi = rnd_below(2) ? buf_addr(0) : rnd();
	if (rnd_below(2))
		i->in.eax = rnd_below(4);
	for (unsigned j = 0; j < ops[k].n; j++)
		emit(i, 1, ops[k].b[j]);
	/* VMX is not offered to guests (CPUID.1:ECX.VMX = 0, CR4.VMXE = 0): #UD */
	expect(i, ops[k].what, 0, X86_UD);
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
		else if (nr == HC_XFD_STATS) /* this guest never uses AMX: both counts are 0 */
			want = i->in.ebx <= 1 ? 0 : HC_EINVAL;
		else
			want = nr == HC_YIELD ? 0 : HC_ENOSYS;
		if (o->eax != want)
			return "wrong hypercall result";
	}
	if (o->ecx != i->in.ecx || o->edx != i->in.edx)
		return "ECX/EDX changed";
	return keep_bsd(i, o);
}

void gen_vmcall(struct insn *i)
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
	expect(i, "vmcall", OK_NONE, WANT_ANY);
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

void gen_cpuid(struct insn *i)
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
	expect(i, "cpuid", OK_NONE, WANT_ANY);
}

/* ---- misc ---- */

void gen_misc(struct insn *i)
{
	switch (rnd_below(8)) {
	case 0:
		i->in.esi = rnd();
		emit(i, 3, 0x0f, 0x01, MODRM_ESI(7));
		expect(i, "invlpg", OK_NONE, WANT_ANY);
		break;
	case 1:
		emit(i, 2, 0x0f, rnd_below(2) ? 0x08 : 0x09);
		expect(i, i->b[1] == 0x08 ? "invd" : "wbinvd", OK_NONE, WANT_ANY);
		break;
	case 2:
		emit(i, 2, 0x0f, 0x31);
		expect(i, "rdtsc", OK_NONE, WANT_ANY);
		break;
	case 3:
		emit(i, 3, 0x0f, 0x01, 0xf9);
		expect(i, "rdtscp", 0, env.has_rdtscp ? -1 : X86_UD);
		break;
	case 5:
		fill_buf();
		i->in.esi = buf_addr(0);
		i->in.eax = rnd_below(2) ? rnd_below(4) : rnd();
		emit(i, 5, 0x66, 0x0f, 0x38, 0x82, MODRM_ESI(0));
		expect(i, "invpcid", env.has_invpcid ? OK_NONE | OK(X86_GP) : OK(X86_UD), WANT_ANY);
		break;
	case 6:
		emit(i, 2, 0xf3, 0x90);
		expect(i, "pause", OK_NONE, WANT_ANY);
		i->check = keep_all;
		return;
	default:
		i->in.esi = buf_addr(64);
		emit(i, 3, 0x0f, 0x01, MODRM_ESI(rnd_below(2)));
		expect(i, i->b[2] == MODRM_ESI(0) ? "sgdt" : "sidt", OK_NONE, WANT_ANY);
		break;
	}
	i->check = keep_bsd;
}

/* ---- pmc ---- */

/* With no architectural PMU (CPUID.0xA:EAX[15:8] = 0 general-purpose and
 * EDX[4:0] = 0 fixed counters) no ECX names a counter: #GP (SDM Vol. 2B
 * RDPMC). */
void gen_pmc(struct insn *i)
{
	i->in.ecx = rnd_below(2) ? rnd_below(8) : rnd_below(2) ? 0x40000000 + rnd_below(4) : rnd();
	emit(i, 2, 0x0f, 0x33);
	i->check = keep_bsd;
	if (env.pmu_counters)
		expect(i, "rdpmc", OK_NONE | OK(X86_GP), WANT_ANY);
	else
		expect(i, "rdpmc", 0, X86_GP);
}

/* ---- int ---- */

void gen_int(struct insn *i)
{
	uint32_t n = rnd_below(256);

	switch (rnd_below(6)) {
	case 0:
	case 1:
	case 2:
		emit(i, 2, 0xcd, n);
		expect(i, "int n", 0, (int)n);
		break;
	case 3:
		emit(i, 1, 0xcc);
		expect(i, "int3", 0, 3);
		break;
	case 4:
		i->in.eflags |= rnd_below(2) ? EFLAGS_OF : 0;
		emit(i, 1, 0xce);
		expect(i, "into", 0, (i->in.eflags & EFLAGS_OF) ? 4 : -1);
		break;
	default:
		if (rnd_below(2)) {
			emit(i, 1, 0xf1);
			expect(i, "int1", 0, 1);
		} else {
			emit(i, 2, 0x0f, 0x0b);
			expect(i, "ud2", 0, X86_UD);
		}
		break;
	}
}

/* ---- mwait, hlt ---- */

/* CPUID.1:ECX.MONITOR = 0 makes both #UD (SDM Vol. 2B MONITOR, MWAIT). */
void gen_mwait(struct insn *i)
{
	int want = env.has_monitor ? WANT_ANY : X86_UD;

	i->in.ecx = rnd_below(4) ? rnd_below(2) : rnd();
	if (rnd_below(2)) {
		i->in.eax = rnd_below(2) ? buf_addr(128) : rnd();
		emit(i, 3, 0x0f, 0x01, 0xc8);
		expect(i, "monitor", 0, want);
	} else {
		i->in.eax = rnd_below(0x100);
		emit(i, 3, 0x0f, 0x01, 0xc9);
		expect(i, "mwait", 0, want);
	}
}

void gen_hlt(struct insn *i)
{
	emit(i, 1, 0xf4);
	expect(i, "hlt", OK_NONE, WANT_ANY);
}

/* ---- xsave, xsaves ---- */

#define XSAVE_HEADER 512 /* XSTATE_BV, XCOMP_BV, then 48 reserved bytes */
#define MXCSR_OFFSET 24
#define XS_OSXSAVE   1u /* aux: CR4.OSXSAVE was set */
#define XS_XCR0      2u /* aux: XCR0 was widened */

#define CR4_OSFXSR  (1u << 9)
#define FX_MXCSR    24
#define FX_XMM      160
#define FX_XMM_SIZE 128

/* MXCSR and XMM0-XMM7 as the guest left them after its last xsave-class
 * instruction: the guest's own code never touches them (-mno-sse). */
static uint8_t fx_area[512] __attribute__((aligned(16)));
static uint8_t fx_last[4 + FX_XMM_SIZE];
static bool fx_valid;

static void fx_snapshot(uint8_t out[4 + FX_XMM_SIZE])
{
	uint32_t cr4 = read_cr4();

	write_cr4(cr4 | CR4_OSFXSR); /* FXSAVE saves XMM only with OSFXSR */
	fxsave(fx_area);
	write_cr4(cr4);
	memcpy(out, fx_area + FX_MXCSR, 4);
	memcpy(out + 4, fx_area + FX_XMM, FX_XMM_SIZE);
}

const char *hostile_fpu_check(void)
{
	static char why[64];
	uint8_t now[sizeof(fx_last)];

	if (!fx_valid)
		return NULL;
	fx_snapshot(now);
	for (unsigned k = 0; k < sizeof(now); k++) {
		if (now[k] == fx_last[k])
			continue;
		snprintf(why, sizeof(why), "%s byte %u = 0x%x, this guest left 0x%x",
		         k < 4 ? "MXCSR" : "XMM", k < 4 ? k : k - 4, now[k], fx_last[k]);
		memcpy(fx_last, now, sizeof(now));
		return why;
	}
	return NULL;
}

static void after_xsave(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	fx_snapshot(fx_last);
	fx_valid = true;
	if (i->aux & XS_XCR0)
		xsetbv(0, 1);
	if (i->aux & XS_OSXSAVE)
		write_cr4(env.cr4);
}

/* A save area at hostile_buf: random MXCSR, XSTATE_BV and XCOMP_BV, a header
 * that is sometimes not all zero where it must be. */
static void fill_xsave_area(void)
{
	for (unsigned k = 0; k < 1024; k += 4)
		*(uint32_t *)(hostile_buf + k) = rnd_below(4) ? 0 : rnd_value();
	*(uint32_t *)(hostile_buf + MXCSR_OFFSET) = rnd_below(2) ? 0x1f80 : rnd_value();
	*(uint32_t *)(hostile_buf + XSAVE_HEADER) = rnd_value();
	*(uint32_t *)(hostile_buf + XSAVE_HEADER + 12) = rnd_below(2) ? 0x80000000u : 0;
	if (rnd_below(2))
		for (unsigned k = 16; k < 64; k += 4)
			*(uint32_t *)(hostile_buf + XSAVE_HEADER + k) = 0;
}

/* Sets up CR4.OSXSAVE and XCR0 for an XSAVE-family instruction; returns true
 * if CR4.OSXSAVE is set (else the instruction must #UD). */
static bool xsave_setup(struct insn *i)
{
	uint64_t wide = xcr0_ok(env.xcr0_supported) ? env.xcr0_supported : 3;

	i->after = after_xsave;
	fill_xsave_area();
	i->in.esi = buf_addr(rnd_below(8) ? 0 : 16 * (1 + rnd_below(3))); /* sometimes misaligned */
	i->in.eax = rnd_below(2) ? ~0u : rnd_value();
	i->in.edx = rnd_below(2) ? ~0u : rnd_value();
	if (!env.has_xsave || rnd_below(8) == 0)
		return false;
	write_cr4(env.cr4 | CR4_OSXSAVE);
	i->aux = XS_OSXSAVE;
	if (rnd_below(2) && xcr0_ok(wide)) {
		xsetbv(0, wide);
		i->aux |= XS_XCR0;
	}
	return true;
}

/* XSAVE/XSAVEOPT/XSAVEC/XRSTOR need CR4.OSXSAVE and a 64-byte aligned area
 * (#GP); XRSTOR also #GPs for a bad header; FXSAVE/FXRSTOR need 16 bytes
 * alignment and FXRSTOR #GPs for reserved MXCSR bits (SDM Vol. 1 ch. 13). */
void gen_xsave(struct insn *i)
{
	static const struct {
		const char *what;
		uint8_t op, modrm;
	} ops[] = {
		{"xsave", 0xae, MODRM_ESI(4)},    {"xrstor", 0xae, MODRM_ESI(5)},
		{"xsaveopt", 0xae, MODRM_ESI(6)}, {"xsavec", 0xc7, MODRM_ESI(4)},
		{"fxsave", 0xae, MODRM_ESI(0)},   {"fxrstor", 0xae, MODRM_ESI(1)},
	};
	unsigned k = rnd_below(ARRAY_SIZE(ops));
	bool os = xsave_setup(i), fx = k >= 4;
	bool present = k == 2 ? env.has_xsaveopt : true;

	emit(i, 3, 0x0f, ops[k].op, ops[k].modrm);
	i->check = keep_all;
	if (fx)
		expect(i, ops[k].what, OK_NONE | OK(X86_GP), WANT_ANY);
	else if (!os || !present)
		expect(i, ops[k].what, 0, X86_UD);
	else if (k == 3 && !env.has_xsavec)
		/* hidden by CPUID (Sable does where the CPU's compacted format is
		 * wrong), but no VMX control makes XSAVEC fault: it runs, or #UDs on
		 * a CPU without it */
		expect(i, ops[k].what, OK_NONE | OK(X86_GP) | OK(X86_UD), WANT_ANY);
	else
		expect(i, ops[k].what, OK_NONE | OK(X86_GP), WANT_ANY);
}

/* XSAVES/XRSTORS: #UD while CPUID.(0xD,1):EAX[3] says they do not exist. */
void gen_xsaves(struct insn *i)
{
	bool os = xsave_setup(i), rs = rnd_below(2);

	emit(i, 3, 0x0f, 0xc7, rs ? MODRM_ESI(3) : MODRM_ESI(5));
	i->check = keep_all;
	if (!os || !env.has_xsaves)
		expect(i, rs ? "xrstors" : "xsaves", 0, X86_UD);
	else
		expect(i, rs ? "xrstors" : "xsaves", OK_NONE | OK(X86_GP), WANT_ANY);
}
