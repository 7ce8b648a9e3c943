// SPDX-License-Identifier: MIT
/*
 * hostile: executes a seeded stream of sensitive instructions with random
 * operands and recovers from every vector they raise (lib/fuzz.c). Command
 * line: "hostile seed=N count=N classes=a,b,... trace=N" (all optional;
 * classes default to every class, trace=N prints each instruction from the
 * N-th on). Instructions whose architectural outcome is known (VMX
 * instructions raise #UD, INT n raises vector n, unknown hypercalls return
 * -ENOSYS, I/O leaves unread register bits alone, ...) are checked; others
 * may fault or not. The guest keeps itself alive: CR0.PE stays set and PG
 * clear, no writes to the exit device, the 0x8900 shutdown port, COM1's
 * transmit register or port 0xE9, no EXIT hypercall, breakpoints only
 * outside guest memory, and what an instruction changed (CR0/3/4, DR7, XCR0,
 * EFER, PAT, FS/GS, EFLAGS, the UART) is put back after it. DR0-DR3 and PKRU
 * must keep what the guest last wrote: another VM's values leaking in fail
 * it. Ends with the counts per class and per vector and
 * "TEST hostile-seed-<seed> PASS" (README.md: the hostile guest's rules).
 */
#include "guest.h"
#include "fuzz.h"
#include "hostile.h"

#define DEFAULT_SEED     1
#define DEFAULT_COUNT    20000
#define MAX_REPORTS      20
#define PROGRESS         5000
#define VECTORS_PER_LINE 16 /* the console splits long lines */

const char *const hostile_class_names[NR_CLASSES] = {
	[C_MSR] = "msr",     [C_CR] = "cr",         [C_DR] = "dr",     [C_XCR] = "xcr",
	[C_IO] = "io",       [C_STRIO] = "strio",   [C_VMX] = "vmx",   [C_VMCALL] = "vmcall",
	[C_CPUID] = "cpuid", [C_MISC] = "misc",     [C_PMC] = "pmc",   [C_INT] = "int",
	[C_MWAIT] = "mwait", [C_HLT] = "hlt",       [C_STEP] = "step", [C_PKRU] = "pkru",
	[C_XSAVE] = "xsave", [C_XSAVES] = "xsaves",
};

struct hostile_env env;
static uint64_t rng_state;
static uint32_t executed[NR_CLASSES], vectors[256], no_vector, mismatches;

uint32_t rnd(void)
{
	/* xorshift64* (Marsaglia; Vigna's multiplier) */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

void emit(struct insn *i, unsigned n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n-- && i->len < FUZZ_MAX_INSN)
		i->b[i->len++] = (uint8_t)va_arg(ap, int);
	va_end(ap);
}

static uint64_t parse_num(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned)((*s | 0x20) - 'a' + 10);
		else
			break;
		v = v * base + d;
	}
	return v;
}

/* Length of the token at s (up to a space or the end). */
static size_t token_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

static bool parse_classes(const char *s, size_t len)
{
	bool ok = true;

	env.classes = 0;
	while (len) {
		size_t n = 0;
		unsigned c;
		while (n < len && s[n] != ',')
			n++;
		for (c = 0; c < NR_CLASSES; c++)
			if (strlen(hostile_class_names[c]) == n &&
			    strncmp(s, hostile_class_names[c], n) == 0)
				break;
		if (n == 3 && strncmp(s, "all", 3) == 0)
			env.classes = (1u << NR_CLASSES) - 1;
		else if (c < NR_CLASSES)
			env.classes |= 1u << c;
		else if (n) {
			char name[16];
			snprintf(name, sizeof(name), "%s", s);
			name[n < sizeof(name) ? n : sizeof(name) - 1] = '\0';
			printf("CHECK FAILED hostile: unknown class '%s'\n", name);
			ok = false;
		}
		s += n;
		len -= n;
		if (len) {
			s++;
			len--;
		}
	}
	return ok;
}

static bool parse_cmdline(const char *s)
{
	bool ok = true;

	while (*s) {
		size_t n = token_len(s);
		if (strncmp(s, "seed=", 5) == 0)
			env.seed = parse_num(s + 5);
		else if (strncmp(s, "count=", 6) == 0)
			env.count = (uint32_t)parse_num(s + 6);
		else if (strncmp(s, "trace=", 6) == 0)
			env.trace_from = (uint32_t)parse_num(s + 6);
		else if (strncmp(s, "classes=", 8) == 0)
			ok &= parse_classes(s + 8, n - 8);
		s += n;
		while (*s == ' ')
			s++;
	}
	return ok;
}

static void print_insn(const char *tag, uint32_t n, const struct insn *i)
{
	printf("%s #%u %s %s bytes", tag, n, hostile_class_names[i->cls], i->what);
	for (unsigned k = 0; k < i->len; k++)
		printf(" %02x", i->b[k]);
	printf(" eax=%x ebx=%x ecx=%x edx=%x esi=%x edi=%x efl=%x\n", i->in.eax, i->in.ebx,
	       i->in.ecx, i->in.edx, i->in.esi, i->in.edi, i->in.eflags);
}

/* The reason the outcome is wrong, or NULL. */
static const char *judge(const struct insn *i, int vec, const struct fuzz_regs *out)
{
	if (i->step) {
		/* single-step trap: #DB with EIP right after the instruction */
		if (vec == 1 && fuzz_trap_eip == fuzz_slot_addr() + i->len)
			vec = -1;
		else if (vec == 1)
			return "single-step #DB late (after the following instruction)";
		else if (vec < 0)
			return "single-step #DB missing";
	}
	if (i->want_vec != WANT_ANY) {
		if (vec != i->want_vec)
			return "wrong vector";
	} else if (i->allow) {
		uint32_t bit = vec < 0 ? OK_NONE : vec < 31 ? OK(vec) : 0;
		if (!(i->allow & bit))
			return "vector not allowed";
	}
	if (vec < 0 && i->check && !i->step)
		return i->check(i, out);
	return NULL;
}

static void run_one(uint32_t n, struct insn *i)
{
	struct fuzz_regs out = i->in;
	const char *why;
	int vec;

	/* state only this guest writes must still hold its own last value */
	why = i->cls == C_DR               ? hostile_dr_check()
	      : i->cls == C_PKRU && i->aux ? hostile_pkru_check()
	      : i->cls == C_XSAVE          ? hostile_fpu_check()
	                                   : NULL;
	if (why && ++mismatches <= MAX_REPORTS)
		printf("CHECK FAILED hostile #%u: before it: %s (not switched per vCPU)\n", n, why);

	if (n >= env.trace_from)
		print_insn("INFO hostile run", n, i);
	vec = fuzz_exec(i->b, i->len, &out);
	if (i->after)
		i->after(i, vec, &out);
	executed[i->cls]++;
	if (vec < 0)
		no_vector++;
	else
		vectors[vec & 0xff]++;
	why = judge(i, vec, &out);
	if (!why)
		return;
	if (++mismatches <= MAX_REPORTS) {
		print_insn("CHECK FAILED hostile", n, i);
		printf("CHECK FAILED hostile #%u: %s: got vector %d error 0x%x (eip 0x%x), want ",
		       n, why, vec, fuzz_trap_error, fuzz_trap_eip);
		if (i->want_vec != WANT_ANY)
			printf("vector %d", i->want_vec);
		else
			printf("allowed mask 0x%x", i->allow);
		printf("; out eax=%x ebx=%x ecx=%x edx=%x esi=%x edi=%x\n", out.eax, out.ebx,
		       out.ecx, out.edx, out.esi, out.edi);
	}
}

static void snapshot_env(void)
{
	struct cpuid_regs r, max;
	uint32_t upper = 0;

	env.cr0 = read_cr0();
	env.cr3 = read_cr3();
	env.cr4 = read_cr4();
	env.pat = rdmsr(MSR_IA32_PAT);
	cpuid(1, 0, &r);
	env.has_xsave = r.ecx & CPUID_1_ECX_XSAVE;
	env.has_monitor = r.ecx & (1u << 3);
	cpuid(0, 0, &max);
	if (max.eax >= 7) {
		cpuid(7, 0, &r);
		env.has_invpcid = r.ebx & (1u << 10);
		env.has_pku = r.ecx & (1u << 3);
	}
	if (max.eax >= 0xa) {
		cpuid(0xa, 0, &r);
		env.pmu_counters = ((r.eax >> 8) & 0xff) + (r.edx & 0x1f);
	}
	if (env.has_xsave) {
		cpuid(0xd, 0, &r);
		env.xcr0_supported = ((uint64_t)r.edx << 32) | r.eax;
		cpuid(0xd, 1, &r);
		env.has_xsaveopt = r.eax & (1u << 0);
		env.has_xsavec = r.eax & (1u << 1);
		env.has_xgetbv1 = r.eax & (1u << 2);
		env.has_xsaves = r.eax & (1u << 3);
	}
	cpuid(0x80000000, 0, &r);
	if (r.eax >= 0x80000001) {
		cpuid(0x80000001, 0, &r);
		env.has_rdtscp = r.edx & (1u << 27);
	}
	if (env.mbi && (env.mbi->flags & MBI_FLAG_MEM))
		upper = env.mbi->mem_upper;
	env.mem_top = (upper + 1024) * 1024;
}

static void report(void)
{
	char name[48];

	printf("INFO hostile executed");
	for (unsigned c = 0; c < NR_CLASSES; c++)
		if (env.classes & (1u << c))
			printf(" %s=%u", hostile_class_names[c], executed[c]);
	printf("\nINFO hostile vectors none=%u", no_vector);
	for (unsigned v = 0, k = 0; v < 256; v++) {
		if (!vectors[v])
			continue;
		if (++k % VECTORS_PER_LINE == 0)
			printf("\nINFO hostile vectors");
		printf(" %u=%u", v, vectors[v]);
	}
	printf("\nINFO hostile mismatches=%u\n", mismatches);
	snprintf(name, sizeof(name), "hostile-seed-%llu", (unsigned long long)env.seed);
	if (mismatches)
		test_fail(name, "%u instruction(s) with a wrong outcome (CHECK FAILED lines)",
		          mismatches);
	else
		test_pass(name);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmdline = "";
	bool ok;

	fuzz_idt_install();
	env.seed = DEFAULT_SEED;
	env.count = DEFAULT_COUNT;
	env.trace_from = UINT32_MAX;
	env.classes = (1u << NR_CLASSES) - 1;
	if (magic == MULTIBOOT_BOOTLOADER_MAGIC) {
		env.mbi = mbi;
		if (mbi->flags & MBI_FLAG_CMDLINE)
			cmdline = (const char *)(uintptr_t)mbi->cmdline;
	}
	ok = parse_cmdline(cmdline);
	rng_state = env.seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
	snapshot_env();
	hostile_dr_init();
	printf("INFO hostile seed=%llu count=%u classes=", (unsigned long long)env.seed, env.count);
	for (unsigned c = 0, first = 1; c < NR_CLASSES; c++)
		if (env.classes & (1u << c)) {
			printf("%s%s", first ? "" : ",", hostile_class_names[c]);
			first = 0;
		}
	printf(" mem_top=0x%x\n", env.mem_top);
	if (!ok || !env.classes) {
		test_fail("hostile-config", "bad command line \"%s\"", cmdline);
		tests_finish();
	}
	for (uint32_t n = 0; n < env.count; n++) {
		struct insn i;
		unsigned c;
		do
			c = rnd_below(NR_CLASSES);
		while (!(env.classes & (1u << c)));
		hostile_generate(c, &i);
		run_one(n, &i);
		if ((n + 1) % PROGRESS == 0)
			info("hostile progress %u", n + 1);
	}
	report();
	tests_finish();
}
