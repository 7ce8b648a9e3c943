// SPDX-License-Identifier: MIT
/*
 * gprs: every general register survives each kind of exit, in 64-bit mode
 * (lib/long64.h) so that R8-R15 count too. For each exit kind, one body
 * loads all sixteen registers but RSP from a pattern, executes one
 * instruction that exits, and stores all sixteen; the guest then compares
 * them with the pattern, allowing only the instruction's own outputs
 * (architecturally: CPUID writes RAX-RDX, IN writes AL, RDMSR EDX:EAX with
 * the upper halves cleared, VMCALL EAX by Sable's ABI).
 *
 * The kinds cover the hypervisor's fast path (vmx/exit.c: CPUID from its
 * cache, CPUID answered by the policy, IN answered without the device lock,
 * IN and OUT through the device lock, VMCALL VERSION and another hypercall)
 * and its generic path (RDMSR): the exit stub saves and reloads different
 * registers on each, and a register it forgot shows as a changed value.
 */
#include "guest.h"
#include "long64.h"

#define REPEATS 40

enum gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, NGPR };

/* The body's layout: in[] loaded, out[] stored (RSP's slots unused). */
struct gprs_run {
	uint64_t in[NGPR];  /* offset 0 */
	uint64_t out[NGPR]; /* offset 128 */
};
_Static_assert(__builtin_offsetof(struct gprs_run, out) == 128, "GPRS_BODY's layout");

/*
 * GPRS_BODY name, insn: RDI = struct gprs_run *. Keeps RBX and RBP (the
 * long64_call contract) and the run pointer on the stack, loads the sixteen
 * registers (RDI last), runs insn, pushes them so that [rsp + 8 * n] is
 * register n, and copies them to out[].
 */
asm(".pushsection .text\n"
    ".code64\n"
    ".macro GPRS_BODY name, insn:vararg\n"
    ".globl \\name\n"
    "\\name:\n\t"
    "push %rbx\n\tpush %rbp\n\tpush %rdi\n\t"
    "mov 0*8(%rdi), %rax\n\tmov 1*8(%rdi), %rcx\n\tmov 2*8(%rdi), %rdx\n\t"
    "mov 3*8(%rdi), %rbx\n\tmov 5*8(%rdi), %rbp\n\tmov 6*8(%rdi), %rsi\n\t"
    "mov 8*8(%rdi), %r8\n\tmov 9*8(%rdi), %r9\n\tmov 10*8(%rdi), %r10\n\t"
    "mov 11*8(%rdi), %r11\n\tmov 12*8(%rdi), %r12\n\tmov 13*8(%rdi), %r13\n\t"
    "mov 14*8(%rdi), %r14\n\tmov 15*8(%rdi), %r15\n\tmov 7*8(%rdi), %rdi\n\t"
    "\\insn\n\t"
    "push %r15\n\tpush %r14\n\tpush %r13\n\tpush %r12\n\t"
    "push %r11\n\tpush %r10\n\tpush %r9\n\tpush %r8\n\t"
    "push %rdi\n\tpush %rsi\n\tpush %rbp\n\tpush %rsp\n\t"
    "push %rbx\n\tpush %rdx\n\tpush %rcx\n\tpush %rax\n\t"
    "mov 16*8(%rsp), %rdi\n\t"
    "lea 128(%rdi), %rdi\n\tmov %rsp, %rsi\n\tmov $16, %ecx\n\tcld\n\trep movsq\n\t"
    "add $16*8, %rsp\n\t"
    "pop %rdi\n\tpop %rbp\n\tpop %rbx\n\t"
    "ret\n"
    ".endm\n"
    "GPRS_BODY gprs_cpuid, cpuid\n"
    "GPRS_BODY gprs_in_dx, inb %dx, %al\n"
    "GPRS_BODY gprs_in_pic, inb $0x21, %al\n"
    "GPRS_BODY gprs_out_dx, outb %al, %dx\n"
    "GPRS_BODY gprs_vmcall, vmcall\n"
    "GPRS_BODY gprs_rdmsr, rdmsr\n"
    ".code32\n"
    ".popsection");
void gprs_cpuid(void);
void gprs_in_dx(void);
void gprs_in_pic(void);
void gprs_out_dx(void);
void gprs_vmcall(void);
void gprs_rdmsr(void);

struct gprs_kind {
	const char *name;
	void (*body)(void);
	/* the inputs: registers whose low 32 bits are set (the rest is pattern) */
	uint32_t eax, ecx, edx;
	bool set_eax, set_ecx, set_edx;
	/* the outputs: bits of each register the instruction may change */
	uint64_t changes[4]; /* RAX, RCX, RDX, RBX */
};

#define LOW8  0xffull
#define ALL64 ~0ull

static const struct gprs_kind kinds[] = {
	/* leaf 0 is in the CPUID cache after the first; leaf 1 depends on
	 * CR4.OSXSAVE and is answered by the policy every time */
	{"gprs-cpuid-cached", gprs_cpuid, 0, 0, 0, true, true, false, {ALL64, ALL64, ALL64, ALL64}},
	{"gprs-cpuid-policy", gprs_cpuid, 1, 0, 0, true, true, false, {ALL64, ALL64, ALL64, ALL64}},
	/* COM1's LSR: answered without the device lock */
	{"gprs-in-lsr", gprs_in_dx, 0, 0, 0x3fd, false, false, true, {LOW8, 0, 0, 0}},
	/* the PIC's mask register: through the device lock */
	{"gprs-in-pic", gprs_in_pic, 0, 0, 0, false, false, false, {LOW8, 0, 0, 0}},
	/* COM1's scratch register: an OUT that changes nothing else */
	{"gprs-out-scr", gprs_out_dx, 0, 0, 0x3ff, false, false, true, {0, 0, 0, 0}},
	/* VERSION and an unknown hypercall: EAX = result, zero-extended */
	{"gprs-vmcall-version", gprs_vmcall, 0, 0, 0, true, false, false, {ALL64, 0, 0, 0}},
	{"gprs-vmcall-unknown", gprs_vmcall, 0x7fff, 0, 0, true, false, false, {ALL64, 0, 0, 0}},
	/* an exit the generic path handles (IA32_MISC_ENABLE is emulated):
	 * EDX:EAX, upper halves cleared */
	{"gprs-rdmsr", gprs_rdmsr, 0, 0x1a0, 0, false, true, false, {ALL64, 0, ALL64, 0}},
};

static uint64_t pattern(unsigned k)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (k + 1);

	return x ^ (x >> 29) ^ 0x5a5a000000000000ull;
}

static const char *const names[NGPR] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static uint64_t set_low(uint64_t v, uint32_t low)
{
	return (v & ~0xffffffffull) | low;
}

/* Runs kind k once with patterns from seed; true if only its outputs changed. */
static bool run_kind(const struct gprs_kind *k, unsigned seed)
{
	static struct gprs_run r;

	for (unsigned i = 0; i < NGPR; i++)
		r.in[i] = pattern(seed * NGPR + i);
	if (k->set_eax)
		r.in[RAX] = set_low(r.in[RAX], k->eax);
	if (k->set_ecx)
		r.in[RCX] = set_low(r.in[RCX], k->ecx);
	if (k->set_edx)
		r.in[RDX] = set_low(r.in[RDX], k->edx);
	long64_call(k->body, &r);
	for (unsigned i = 0; i < NGPR; i++) {
		uint64_t may = i <= RBX ? k->changes[i] : 0;

		if (i == RSP)
			continue;
		if ((r.in[i] ^ r.out[i]) & ~may) {
			test_fail(k->name, "%s was 0x%08x%08x, is 0x%08x%08x after the exit",
			          names[i], (uint32_t)(r.in[i] >> 32), (uint32_t)r.in[i],
			          (uint32_t)(r.out[i] >> 32), (uint32_t)r.out[i]);
			return false;
		}
	}
	return true;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (!long64_offered()) {
		test_skip("gprs", "long mode not offered: R8-R15 cannot be checked");
		tests_finish();
	}
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		bool ok = true;

		for (unsigned n = 0; n < REPEATS && ok; n++)
			ok = run_kind(&kinds[k], k * REPEATS + n);
		if (ok)
			test_pass(kinds[k].name);
	}
	tests_finish();
}
