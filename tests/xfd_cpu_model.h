/*
 * A small software model of the CPU rules XFD depends on, for host tests of
 * fpu/xfd*.c (the hardware is neither on the build machines nor in Bochs 2.7).
 * Each rule cites the SDM section it encodes; tests/test_xfd_model.c tests the
 * model itself before using it as the oracle.
 *
 * State: XCR0, IA32_XFD, IA32_XFD_ERR, CR0.TS, XINUSE and one 64-bit token per
 * component standing for its register contents (0 = init). XSAVE images use
 * the real layout of the CPUID table the model was built with.
 */
#ifndef SABLE_TESTS_XFD_CPU_MODEL_H
#define SABLE_TESTS_XFD_CPU_MODEL_H

#include "fpu/xsave_layout.h"
#include "fpu/xsave_selftest.h"

enum model_fault {
	MODEL_OK = 0,
	MODEL_UD = 6,
	MODEL_NM = 7,
	MODEL_GP = 13,
	MODEL_OVERFLOW = 100, /* XSAVE/XRSTOR beyond the buffer it was given */
};

struct cpu_model {
	const struct xsave_cpuid_table *t;
	bool xfd_supported;   /* CPUID.(0xD,1):EAX[4] */
	uint64_t xfd_capable; /* components with CPUID.(0xD,i):ECX[2] */
	uint64_t xcr0, xfd, xfd_err, xinuse;
	bool cr0_ts;
	uint64_t reg[XSAVE_NR_COMPONENTS];
	/* counters, for the tests */
	unsigned nm, xfd_nm, msr_writes_xfd;
};

void model_init(struct cpu_model *m, const struct xsave_cpuid_table *t);

/* An instruction that uses the components in comps and leaves token in each:
 * #UD if XCR0 lacks one, #NM without XFD_ERR change if ts_sensitive and
 * CR0.TS = 1, #NM with XFD_ERR = the armed ones if any is armed in IA32_XFD. */
enum model_fault model_use(struct cpu_model *m, uint64_t comps, bool ts_sensitive, uint64_t token);
/* RDMSR/WRMSR of IA32_XFD and IA32_XFD_ERR (#GP for other MSRs). */
enum model_fault model_wrmsr(struct cpu_model *m, uint32_t msr, uint64_t val);
enum model_fault model_rdmsr(struct cpu_model *m, uint32_t msr, uint64_t *val);
/* XSAVE (standard) or XSAVEC/XSAVES (compacted) of rfbm into buf[0..size). */
enum model_fault model_xsave(struct cpu_model *m, void *buf, uint32_t size, uint64_t rfbm,
                             enum xsave_format f);
/* XRSTOR/XRSTORS of rfbm from buf[0..size). */
enum model_fault model_xrstor(struct cpu_model *m, const void *buf, uint32_t size, uint64_t rfbm,
                              enum xsave_format f);
/* XGETBV(ECX=1): XCR0 & XINUSE (SDM Vol. 1 sec. 13.6). */
uint64_t model_xinuse(const struct cpu_model *m);
/* XSTATE_BV of an image. */
uint64_t model_xstate_bv(const void *buf);

#endif
