/* SPDX-License-Identifier: MIT */
/*
 * hostile guest: instruction classes, the generated instruction and its
 * expected outcome, shared by hostile.c (driver) and hostile_gen.c
 * (generators).
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "guest.h"
#include "fuzz.h"

enum hostile_class {
	C_MSR,    /* RDMSR/WRMSR */
	C_CR,     /* MOV to/from CR0-CR7, CLTS, LMSW, SMSW */
	C_DR,     /* MOV to/from DR0-DR7 */
	C_XCR,    /* XSETBV/XGETBV */
	C_IO,     /* IN/OUT */
	C_STRIO,  /* INS/OUTS, REP */
	C_VMX,    /* VMX instructions */
	C_VMCALL, /* VMCALL with random function numbers */
	C_CPUID,  /* CPUID */
	C_MISC,   /* INVLPG, INVD, WBINVD, INVPCID, RDTSC(P), PAUSE, SGDT/SIDT */
	C_PMC,    /* RDPMC */
	C_INT,    /* INT n, INT3, INTO, INT1, UD2 */
	C_MWAIT,  /* MONITOR/MWAIT */
	C_HLT,    /* HLT */
	C_STEP,   /* a CPUID, RDMSR/WRMSR, IN/OUT, VMCALL or XSETBV with EFLAGS.TF set */
	C_PKRU,   /* RDPKRU/WRPKRU with CR4.PKE set */
	C_XSAVE,  /* XSAVE, XSAVEOPT, XSAVEC, XRSTOR, FXSAVE, FXRSTOR */
	C_XSAVES, /* XSAVES, XRSTORS */
	NR_CLASSES
};

#define OK(v)    (1u << (v)) /* vector v (< 31) is an allowed outcome */
#define OK_NONE  (1u << 31)  /* completing without a vector is allowed */
#define WANT_ANY (-2)        /* want_vec: no single expected vector */

struct insn;
/* Checks the registers after an instruction that raised nothing; returns a reason or NULL. */
typedef const char *(*insn_check_t)(const struct insn *i, const struct fuzz_regs *out);
/* Puts back guest state the instruction may have changed. */
typedef void (*insn_after_t)(const struct insn *i, int vec, const struct fuzz_regs *out);

struct insn {
	uint8_t b[FUZZ_MAX_INSN];
	unsigned len;
	enum hostile_class cls;
	const char *what;
	struct fuzz_regs in;
	uint32_t allow; /* OK()/OK_NONE mask; 0 = any outcome */
	int want_vec;   /* exactly this vector (-1: none), or WANT_ANY */
	insn_check_t check;
	insn_after_t after;
	uint32_t aux; /* generator data for check/after */
	bool step;    /* EFLAGS.TF: a #DB must follow the instruction if it completes */
};

/* What the generators need to know about the guest, read at start. */
struct hostile_env {
	uint64_t seed;
	uint32_t count, trace_from, classes;
	const struct multiboot_info *mbi;
	uint32_t mem_top; /* end of guest RAM */
	uint32_t cr0, cr3, cr4;
	uint64_t pat, xcr0_supported;
	bool has_xsave, has_xsaveopt, has_xsavec, has_xsaves, has_xgetbv1, has_rdtscp, has_invpcid,
		has_monitor, has_pku;
	uint32_t pmu_counters; /* general-purpose + fixed counters (CPUID 0xA) */
};

extern struct hostile_env env;
extern const char *const hostile_class_names[NR_CLASSES];

uint32_t rnd(void);
/* Uniform-ish in [0, n). */
uint32_t rnd_below(uint32_t n);
/* Appends n bytes (ints) to the instruction. */
void emit(struct insn *i, unsigned n, ...);
/* Records DR0-DR3 as the guest starts. */
void hostile_dr_init(void);
/* NULL if DR0-DR3 still hold what this guest last wrote, else what changed. */
const char *hostile_dr_check(void);
/* NULL if PKRU still holds what this guest last wrote (call with CR4.PKE set). */
const char *hostile_pkru_check(void);
/* NULL if MXCSR and XMM0-7 still hold what the guest left (hostile_gen_io.c). */
const char *hostile_fpu_check(void);
/* Fills *i with a random instruction of class c, its operands and expectations. */
void hostile_generate(unsigned c, struct insn *i);

#define EFLAGS_ARITH    0x8d5u /* CF PF AF ZF SF OF */
#define EFLAGS_IF       (1u << 9)
#define EFLAGS_DF       (1u << 10)
#define EFLAGS_OF       (1u << 11)
#define EFLAGS_TF       (1u << 8)
#define CR0_PE          (1u << 0)
#define CR0_NW          (1u << 29)
#define CR0_CD          (1u << 30)
#define CR0_PG          (1u << 31)
#define CR0_DEFINED     0xe005003fu /* PE MP EM TS ET NE WP AM NW CD PG */
#define CR4_DE          (1u << 3)
#define DR7_GD          (1u << 13)
#define BP_LOW_LIMIT    0x10000000u /* breakpoint addresses stay above guest memory */
#define HC_EFAULT       ((uint32_t)-14)
#define HC_EINVAL       ((uint32_t)-22)
#define HC_XFD_STATS    4 /* EBX 0 or 1: counts (0 without AMX use), else -EINVAL */
#define HC_PRINT_MAX    256
#define MODRM_ESI(reg)  (((reg) << 3) | 6) /* [esi] */
#define MODRM_REG(r, m) (0xc0 | ((r) << 3) | (m))

/* Buffer for memory operands and string I/O (hostile_gen.c). */
extern uint8_t hostile_buf[4096];
/* Address of hostile_buf + off. */
uint32_t buf_addr(uint32_t off);
/* 0, one bit, a byte, all ones or random. */
uint32_t rnd_value(void);
/* Random contents for the first 64 bytes of hostile_buf. */
void fill_buf(void);
/* Names the instruction and its expected outcome (allow mask or exact vector). */
void expect(struct insn *i, const char *what, uint32_t allow, int want_vec);
/* Register checks: EBX/ESI/EDI unchanged; also EAX/ECX/EDX unchanged. */
const char *keep_bsd(const struct insn *i, const struct fuzz_regs *o);
const char *keep_all(const struct insn *i, const struct fuzz_regs *o);

/* True if v is an XCR0 value XSETBV must accept (hostile_gen.c). */
bool xcr0_ok(uint64_t v);

/* Generators of hostile_gen_io.c. */
void gen_io(struct insn *i);
void gen_strio(struct insn *i);
void gen_vmx(struct insn *i);
void gen_vmcall(struct insn *i);
void gen_cpuid(struct insn *i);
void gen_misc(struct insn *i);
void gen_pmc(struct insn *i);
void gen_int(struct insn *i);
void gen_mwait(struct insn *i);
void gen_hlt(struct insn *i);
void gen_xsave(struct insn *i);
void gen_xsaves(struct insn *i);

#endif
