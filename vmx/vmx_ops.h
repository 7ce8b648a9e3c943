/* The VMX instructions and width-checked VMCS accessors (SDM Vol. 3C ch. 31). */
#ifndef SABLE_VMX_VMX_OPS_H
#define SABLE_VMX_VMX_OPS_H

#include "bench.h"
#include "types.h"
#include "vmx/vmcs_fields.h"

/* Refuses, at compile time, an accessor of the wrong width for a constant field. */
#define VMCS_CHECK(f, w)                                                                           \
	((void)sizeof(char[1 - 2 * (__builtin_constant_p(f) && VMCS_FIELD_WIDTH(f) != (w))]))

/* VMfail (CF or ZF set) as a bool. */
#define VMX_FAILED "setna %0"

static inline bool vmxon(hpa_t pa)
{
	bool fail;
	__asm__ volatile("vmxon %1; " VMX_FAILED : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmxoff(void)
{
	bool fail;
	__asm__ volatile("vmxoff; " VMX_FAILED : "=qm"(fail) : : "cc", "memory");
	return !fail;
}

static inline bool vmclear(hpa_t pa)
{
	bool fail;
	__asm__ volatile("vmclear %1; " VMX_FAILED : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(hpa_t pa)
{
	bool fail;
	__asm__ volatile("vmptrld %1; " VMX_FAILED : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

/* The current VMCS pointer; INVALID_HPA when there is none (SDM Vol. 3C sec. 31.3). */
static inline hpa_t vmptrst(void)
{
	hpa_t pa;
	__asm__ volatile("vmptrst %0" : "=m"(pa) : : "memory");
	return pa;
}

static inline bool vmread_raw(unsigned long field, uint64_t *value)
{
	bool fail;
	uint64_t v = 0;
	BENCH_COUNT(BENCH_VMREAD);
	__asm__ volatile("vmread %2, %1; " VMX_FAILED : "=qm"(fail), "+rm"(v) : "r"(field) : "cc");
	*value = v;
	return !fail;
}

/* A failed VMCS access (what says which): reported with the VM-instruction
 * error, the VM whose VMCS is current is stopped, or the hypervisor panics
 * without one. */
void vmcs_access_failed(const char *what);

/* A failed VMREAD of field: reported (field, VM-instruction error), the VM whose
 * VMCS is current is stopped, or the hypervisor panics without one. Returns 0. */
uint64_t vmcs_read_failed(unsigned long field);

/* VMREAD of field into out, VMWRITE of val to field; on failure (CF or ZF:
 * VMfailInvalid/VMfailValid) a jump to label, the one branch taken only then.
 * The accessors below and the exit fast path's (vmx/exit.c) are built on them. */
#define VMREAD_OR_GOTO(field, out, label)                                                          \
	do {                                                                                       \
		BENCH_COUNT(BENCH_VMREAD);                                                         \
		__asm__ volatile goto("vmread %[f], %[o]; jbe %l[" #label "]"                      \
		                      : [o] "=r"(out)                                              \
		                      : [f] "r"((unsigned long)(field))                            \
		                      : "cc"                                                       \
		                      : label);                                                    \
	} while (0)
#define VMWRITE_OR_GOTO(field, val, label)                                                         \
	do {                                                                                       \
		BENCH_COUNT(BENCH_VMWRITE);                                                        \
		__asm__ volatile goto("vmwrite %[x], %[f]; jbe %l[" #label "]"                     \
		                      :                                                            \
		                      : [f] "r"((unsigned long)(field)), [x] "rm"((uint64_t)(val)) \
		                      : "cc"                                                       \
		                      : label);                                                    \
	} while (0)

/* Reads a field; a failure is a hypervisor bug, handled by vmcs_read_failed.
 * Every exit reads several fields. */
static inline uint64_t __vmcs_read(unsigned long field)
{
	uint64_t v;

	VMREAD_OR_GOTO(field, v, failed);
	return v;
failed:
	return vmcs_read_failed(field);
}

static inline bool vmwrite_raw(unsigned long field, uint64_t value)
{
	bool fail;
	BENCH_COUNT(BENCH_VMWRITE);
	__asm__ volatile("vmwrite %2, %1; " VMX_FAILED
	                 : "=qm"(fail)
	                 : "r"(field), "rm"(value)
	                 : "cc");
	return !fail;
}

/* The failure path of __vmcs_write: reports field, value and the VM-instruction
 * error and stops the VM whose VMCS is current (panics without one). */
bool vmcs_write_failed(unsigned long field, uint64_t value);

/* Writes a field; inline, as every exit writes several. */
static inline bool __vmcs_write(unsigned long field, uint64_t value)
{
	VMWRITE_OR_GOTO(field, value, failed);
	return true;
failed:
	return vmcs_write_failed(field, value);
}

#define vmcs_read16(f)     (VMCS_CHECK(f, VMCS_WIDTH_16), (uint16_t)__vmcs_read(f))
#define vmcs_read32(f)     (VMCS_CHECK(f, VMCS_WIDTH_32), (uint32_t)__vmcs_read(f))
#define vmcs_read64(f)     (VMCS_CHECK(f, VMCS_WIDTH_64), __vmcs_read(f))
#define vmcs_readl(f)      (VMCS_CHECK(f, VMCS_WIDTH_NATURAL), __vmcs_read(f))
#define vmcs_write16(f, v) (VMCS_CHECK(f, VMCS_WIDTH_16), __vmcs_write(f, (uint16_t)(v)))
#define vmcs_write32(f, v) (VMCS_CHECK(f, VMCS_WIDTH_32), __vmcs_write(f, (uint32_t)(v)))
#define vmcs_write64(f, v) (VMCS_CHECK(f, VMCS_WIDTH_64), __vmcs_write(f, (uint64_t)(v)))
#define vmcs_writel(f, v)  (VMCS_CHECK(f, VMCS_WIDTH_NATURAL), __vmcs_write(f, (uint64_t)(v)))

#define VMX_EPT_EXTENT_CONTEXT         1
#define VMX_EPT_EXTENT_GLOBAL          2
#define VMX_VPID_EXTENT_SINGLE_CONTEXT 1
#define VMX_VPID_EXTENT_ALL_CONTEXT    2

static inline bool invept(unsigned long type, uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = {eptp, 0};
	bool fail;
	__asm__ volatile("invept %1, %2; " VMX_FAILED
	                 : "=qm"(fail)
	                 : "m"(desc), "r"(type)
	                 : "cc", "memory");
	return !fail;
}

static inline bool invvpid(unsigned long type, uint16_t vpid, uint64_t gva)
{
	struct {
		uint64_t vpid, gva;
	} desc = {vpid, gva};
	bool fail;
	__asm__ volatile("invvpid %1, %2; " VMX_FAILED
	                 : "=qm"(fail)
	                 : "m"(desc), "r"(type)
	                 : "cc", "memory");
	return !fail;
}

#endif
