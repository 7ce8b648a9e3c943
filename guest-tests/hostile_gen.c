// SPDX-License-Identifier: MIT
/*
 * hostile guest: the shared helpers, the dispatcher and the generators for
 * the register classes (MSR, CR, DR, XCR, PKRU, single-step). Each picks operands,
 * writes the encoding (SDM Vol. 2), states the architectural outcome where
 * it is known for a CPL-0 protected-mode guest with paging off, and names
 * what must be put back afterwards.
 */
#include "hostile.h"

/* Memory operands and string I/O buffers. */
uint8_t hostile_buf[4096] __attribute__((aligned(64))); /* XSAVE areas need 64 */

uint32_t buf_addr(uint32_t off)
{
	return (uint32_t)(uintptr_t)hostile_buf + off;
}

uint32_t rnd_value(void)
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

void fill_buf(void)
{
	for (unsigned k = 0; k < 64; k += 4)
		*(uint32_t *)(hostile_buf + k) = rnd_value();
}

void expect(struct insn *i, const char *what, uint32_t allow, int want_vec)
{
	i->what = what;
	i->allow = allow;
	i->want_vec = want_vec;
}

/* ---- register checks ---- */

/* EBX, ESI and EDI are written by none of the generated instructions but CPUID (EBX). */
const char *keep_bsd(const struct insn *i, const struct fuzz_regs *o)
{
	if (o->esi != i->in.esi || o->edi != i->in.edi)
		return "ESI/EDI changed";
	if (o->ebx != i->in.ebx)
		return "EBX changed";
	return NULL;
}

const char *keep_all(const struct insn *i, const struct fuzz_regs *o)
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
	if (i->b[i->len - 1] != 0x30 || vec >= 0) /* not a WRMSR that completed */
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
		expect(i, "rdmsr", OK_NONE | OK(X86_GP), WANT_ANY);
		i->check = check_rdmsr;
	} else {
		i->in.eax = rnd_value();
		i->in.edx = rnd_below(4) ? 0 : rnd_value();
		emit(i, 2, 0x0f, 0x30);
		expect(i, "wrmsr", OK_NONE | OK(X86_GP), WANT_ANY);
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
			expect(i, "mov cr0", OK(X86_GP), WANT_ANY);
		else if (!(v & ~CR0_DEFINED))
			expect(i, "mov cr0", OK_NONE, WANT_ANY);
		else
			expect(i, "mov cr0", OK_NONE | OK(X86_GP), WANT_ANY);
		break;
	case 3:
		i->in.eax = v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(3, 0));
		expect(i, "mov cr3", OK_NONE, WANT_ANY);
		break;
	case 4:
	case 5:
		i->in.eax = rnd_below(2) ? env.cr4 ^ (1u << rnd_below(32)) : v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(4, 0));
		expect(i, "mov cr4", OK_NONE | OK(X86_GP), WANT_ANY);
		break;
	case 6:
		i->in.eax = v;
		emit(i, 3, 0x0f, 0x22, MODRM_REG(2, 0));
		expect(i, "mov cr2", OK_NONE, WANT_ANY);
		break;
	case 7: /* CR1, CR5-CR7 do not exist; LOCK MOV CR0 is not CR8 on this CPU */
		if (rnd_below(4) == 0) {
			emit(i, 4, 0xf0, 0x0f, 0x22, MODRM_REG(0, 0));
			expect(i, "lock mov cr0", 0, X86_UD);
		} else {
			emit(i, 3, 0x0f, rnd_below(2) ? 0x22 : 0x20,
			     MODRM_REG(bad_cr[rnd_below(4)], 0));
			expect(i, "mov crN", 0, X86_UD);
		}
		break;
	case 8: {
		static const uint8_t good_cr[] = {0, 2, 3, 4};
		emit(i, 3, 0x0f, 0x20, MODRM_REG(good_cr[rnd_below(4)], 0));
		expect(i, "mov from cr", OK_NONE, WANT_ANY);
		break;
	}
	default:
		switch (rnd_below(3)) {
		case 0:
			emit(i, 2, 0x0f, 0x06);
			expect(i, "clts", OK_NONE, WANT_ANY);
			break;
		case 1: /* LMSW loads PE MP EM TS and cannot clear PE */
			emit(i, 3, 0x0f, 0x01, MODRM_REG(6, 0));
			expect(i, "lmsw", OK_NONE, WANT_ANY);
			break;
		default:
			emit(i, 3, 0x0f, 0x01, MODRM_REG(4, 0));
			expect(i, "smsw", OK_NONE, WANT_ANY);
			break;
		}
	}
}

/* ---- dr ---- */

/* What this guest last wrote to DR0-DR3: nothing else writes them, so a
 * different value means another VM's breakpoints reached this vCPU. */
static uint32_t dr_written[4];

static void after_dr(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	unsigned n = (i->b[2] >> 3) & 7;

	if (i->aux)
		write_cr4(env.cr4);
	if (vec < 0 && i->b[1] == 0x23 && n < 4)
		dr_written[n] = i->in.eax;
}

static void read_drs(uint32_t dr[4])
{
	dr[0] = read_dr0();
	dr[1] = read_dr1();
	dr[2] = read_dr2();
	dr[3] = read_dr3();
}

void hostile_dr_init(void)
{
	read_drs(dr_written);
}

const char *hostile_dr_check(void)
{
	static char why[96];
	uint32_t dr[4];

	read_drs(dr);
	for (unsigned n = 0; n < 4; n++) {
		if (dr[n] == dr_written[n])
			continue;
		snprintf(why, sizeof(why), "DR%u = 0x%x, this guest wrote 0x%x", n, dr[n],
		         dr_written[n]);
		dr_written[n] = dr[n];
		return why;
	}
	return NULL;
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
		expect(i, write ? "mov drN" : "mov from drN", 0, X86_UD);
	else
		expect(i, write ? "mov drN" : "mov from drN", OK_NONE, WANT_ANY);
}

/* ---- xcr ---- */

/* XCR0 rules, SDM Vol. 1 sec. 13.3: x87 always, AVX needs SSE, the AVX-512
 * states go together and need AVX, AMX tile config and data go together,
 * nothing the CPU (as the guest sees it) does not support. */
bool xcr0_ok(uint64_t v)
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
			expect(i, "xsetbv", 0, X86_UD);
		else if (xcr != 0 || !xcr0_ok(v))
			expect(i, "xsetbv", 0, X86_GP);
		else
			expect(i, "xsetbv", 0, -1);
	} else {
		emit(i, 3, 0x0f, 0x01, 0xd0);
		i->check = keep_bsd;
		if (!osxsave)
			expect(i, "xgetbv", 0, X86_UD);
		else if (xcr == 0 || (xcr == 1 && env.has_xgetbv1))
			expect(i, "xgetbv", 0, -1);
		else
			expect(i, "xgetbv", 0, X86_GP);
	}
}

/* Puts one to three segment-override or address-size prefixes in front: they
 * change nothing for these instructions but the length the hypervisor skips. */
static void add_prefixes(struct insn *i)
{
	static const uint8_t prefixes[] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67};
	unsigned n = 1 + rnd_below(3);

	if (i->len + n > FUZZ_MAX_INSN)
		return;
	for (unsigned k = i->len; k-- > 0;)
		i->b[k + n] = i->b[k];
	for (unsigned k = 0; k < n; k++)
		i->b[k] = prefixes[rnd_below(ARRAY_SIZE(prefixes))];
	i->len += n;
}

/* One exiting instruction the hypervisor completes itself, with TF set: the
 * single-step #DB is due after it (SDM Vol. 3B 18.3.1.4). */
static void gen_step(struct insn *i)
{
	switch (rnd_below(5)) {
	case 0:
		gen_cpuid(i);
		break;
	case 1:
		gen_msr(i);
		break;
	case 2:
		gen_io(i);
		break;
	case 3:
		gen_vmcall(i);
		break;
	default:
		gen_xcr(i);
		break;
	}
	i->in.eflags |= EFLAGS_TF;
	i->step = true;
}

/* ---- pkru ---- */

#define CR4_PKE (1u << 22)

static uint32_t pkru_written; /* PKRU is 0 at reset */

const char *hostile_pkru_check(void)
{
	static char why[64];
	uint32_t v = rdpkru();

	if (v == pkru_written)
		return NULL;
	snprintf(why, sizeof(why), "PKRU = 0x%x, this guest wrote 0x%x", v, pkru_written);
	pkru_written = v;
	return why;
}

static void after_pkru(const struct insn *i, int vec, const struct fuzz_regs *o)
{
	if (vec < 0 && i->b[2] == 0xef)
		pkru_written = i->in.eax;
	if (i->aux)
		write_cr4(env.cr4);
}

/* RDPKRU/WRPKRU: #UD unless CR4.PKE, #GP for ECX (and EDX for WRPKRU) != 0
 * (SDM Vol. 2B). aux: CR4.PKE was set for it. */
static void gen_pkru(struct insn *i)
{
	bool wr = rnd_below(2), bad = rnd_below(8) == 0;

	i->after = after_pkru;
	i->aux = env.has_pku;
	if (i->aux)
		write_cr4(env.cr4 | CR4_PKE);
	i->in.ecx = bad && rnd_below(2) ? rnd() | 1 : 0;
	i->in.edx = bad && wr && !i->in.ecx ? rnd() | 1 : 0;
	emit(i, 3, 0x0f, 0x01, wr ? 0xef : 0xee);
	i->check = wr ? keep_all : keep_bsd;
	if (!i->aux)
		expect(i, wr ? "wrpkru" : "rdpkru", 0, X86_UD);
	else if (i->in.ecx || i->in.edx)
		expect(i, wr ? "wrpkru" : "rdpkru", 0, X86_GP);
	else
		expect(i, wr ? "wrpkru" : "rdpkru", 0, -1);
}

void hostile_generate(unsigned c, struct insn *i)
{
	static void (*const gen[NR_CLASSES])(struct insn *) = {
		[C_MSR] = gen_msr,     [C_CR] = gen_cr,         [C_DR] = gen_dr,
		[C_XCR] = gen_xcr,     [C_IO] = gen_io,         [C_STRIO] = gen_strio,
		[C_VMX] = gen_vmx,     [C_VMCALL] = gen_vmcall, [C_CPUID] = gen_cpuid,
		[C_MISC] = gen_misc,   [C_PMC] = gen_pmc,       [C_INT] = gen_int,
		[C_MWAIT] = gen_mwait, [C_HLT] = gen_hlt,       [C_STEP] = gen_step,
		[C_PKRU] = gen_pkru,   [C_XSAVE] = gen_xsave,   [C_XSAVES] = gen_xsaves,
	};

	memset(i, 0, sizeof(*i));
	i->cls = (enum hostile_class)c;
	i->want_vec = WANT_ANY;
	i->in = (struct fuzz_regs){
		rnd(), rnd(), rnd(), rnd(), rnd(), rnd(), 2 | (rnd() & EFLAGS_ARITH)};
	if (rnd_below(8) == 0)
		i->in.eflags |= EFLAGS_IF;
	gen[c](i);
	if ((c == C_MSR || c == C_IO || c == C_CPUID || c == C_VMCALL || c == C_XCR) &&
	    rnd_below(8) == 0)
		add_prefixes(i);
}
