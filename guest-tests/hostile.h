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
	C_MISC,   /* INVLPG, INVD, WBINVD, INVPCID, RDTSC(P), RDPMC, PAUSE, SGDT/SIDT */
	C_INT,    /* INT n, INT3, INTO, INT1, UD2 */
	C_MWAIT,  /* MONITOR/MWAIT */
	C_HLT,    /* HLT */
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
};

/* What the generators need to know about the guest, read at start. */
struct hostile_env {
	uint64_t seed;
	uint32_t count, trace_from, classes;
	const struct multiboot_info *mbi;
	uint32_t mem_top; /* end of guest RAM */
	uint32_t cr0, cr3, cr4;
	uint64_t pat, xcr0_supported;
	bool has_xsave, has_xgetbv1, has_rdtscp, has_invpcid;
};

extern struct hostile_env env;
extern const char *const hostile_class_names[NR_CLASSES];

uint32_t rnd(void);
/* Uniform-ish in [0, n). */
uint32_t rnd_below(uint32_t n);
/* Appends n bytes (ints) to the instruction. */
void emit(struct insn *i, unsigned n, ...);
/* Fills *i with a random instruction of class c, its operands and expectations. */
void hostile_generate(unsigned c, struct insn *i);

#endif
