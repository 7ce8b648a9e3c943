/* XSAVE area layout from a CPUID leaf 0xD table (pure). SDM Vol. 1 sec. 13.2
 * (enumeration), 13.4 (the XSAVE area: legacy region, header, standard and
 * compacted extended region). */
#ifndef SABLE_FPU_XSAVE_LAYOUT_H
#define SABLE_FPU_XSAVE_LAYOUT_H

#include "types.h"
#include "cpuid_regs.h"

#define XSAVE_LEGACY_SIZE   512u
#define XSAVE_HEADER_OFFSET 512u
#define XSAVE_HEADER_SIZE   64u
#define XSAVE_EXT_OFFSET    576u /* legacy region + header: where component 2 may start */
#define XSAVE_NR_COMPONENTS 63u  /* components 0..62; bit 63 of XCR0/XSS is reserved */
#define XSAVE_FIRST_EXT     2u   /* components 0 (x87) and 1 (SSE) live in the legacy region */

/* Leaf 0xD subleaf i >= 2, ECX */
#define XSAVE_COMP_XSS     (1u << 0) /* supervisor: enabled in IA32_XSS, not XCR0 */
#define XSAVE_COMP_ALIGN64 (1u << 1) /* on a 64-byte boundary in the compacted form */
#define XSAVE_COMP_XFD     (1u << 2) /* IA32_XFD can disable it */

/* Leaf 0xD subleaf 1, EAX */
#define XSAVE_1_EAX_XSAVEOPT (1u << 0)
#define XSAVE_1_EAX_XSAVEC   (1u << 1)
#define XSAVE_1_EAX_XGETBV1  (1u << 2)
#define XSAVE_1_EAX_XSAVES   (1u << 3)
#define XSAVE_1_EAX_XFD      (1u << 4)

#define XSAVE_FCW_OFFSET       0
#define XSAVE_MXCSR_OFFSET     24
#define XSAVE_XSTATE_BV_OFFSET 512
#define XSAVE_XCOMP_BV_OFFSET  520
#define XSAVE_FCW_INIT         0x037fu /* x87 control word after FNINIT */
#define XSAVE_MXCSR_INIT       0x1f80u /* MXCSR after reset (SDM Vol. 1 sec. 13.6) */

#define XCOMP_BV_COMPACTED BIT(63) /* XCOMP_BV[63]: the image is in the compacted form */

struct xsave_comp_info {
	uint32_t size;   /* subleaf i EAX */
	uint32_t offset; /* subleaf i EBX: standard-format offset (0 for supervisor components) */
	uint32_t flags;  /* subleaf i ECX: XSAVE_COMP_* */
};

/* CPUID leaf 0xD as the caller read it. */
struct xsave_cpuid_table {
	struct cpuid_regs sub0, sub1;
	struct xsave_comp_info comp[XSAVE_NR_COMPONENTS]; /* [0] and [1] unused */
	/* XCR0 and IA32_XSS in force while it was read (subleaf 0 EBX and subleaf 1
	 * EBX depend on them); xcr0_read = 0: unknown, those two are not checked */
	uint64_t xcr0_read, xss_read;
};

/* Where each component of mask lies in both formats, and the total sizes. */
struct xsave_layout {
	uint64_t mask;         /* XCR0 | XSS the layout is for */
	uint32_t std_size;     /* standard format: legacy + header + user components of mask */
	uint32_t compact_size; /* compacted format for all of mask */
	uint32_t size[XSAVE_NR_COMPONENTS];       /* 0 for a component outside mask */
	uint32_t std_offset[XSAVE_NR_COMPONENTS]; /* 0 for supervisor components: not there */
	uint32_t compact_offset[XSAVE_NR_COMPONENTS];
};

/* The XCR0 and IA32_XSS bits the table enumerates (subleaf 0 EDX:EAX, subleaf 1 EDX:ECX). */
uint64_t xsave_supported_xcr0(const struct xsave_cpuid_table *t);
uint64_t xsave_supported_xss(const struct xsave_cpuid_table *t);

/* Reads subleaves 0..62 through cpuid into *t; xcr0/xss: the values in force. */
void xsave_table_read(cpuid_host_fn cpuid, void *ctx, uint64_t xcr0, uint64_t xss,
                      struct xsave_cpuid_table *t);

/* 0 if the table is consistent, else -EINVAL with the first problem in *why and
 * the component it concerns in *comp (-1: none). */
int xsave_table_check(const struct xsave_cpuid_table *t, const char **why, int *comp);

/* Copies in to out and repairs what xsave_table_check() rejects: a user
 * component with a size of 0 or a bad offset gets its architectural place
 * when it has one, else it is dropped (with whatever depends on it), and the
 * totals are recomputed from the components. Returns the number of changes. */
int xsave_table_repair(const struct xsave_cpuid_table *in, struct xsave_cpuid_table *out);

/* Layout of every component in mask (a subset of the supported XCR0|XSS bits,
 * with no dependency rule applied: an XCOMP_BV may hold any such set).
 * 0, or -EINVAL if mask has a bit the table does not enumerate. */
int xsave_layout_mask(const struct xsave_cpuid_table *t, uint64_t mask, struct xsave_layout *l);
/* The same walk for the two total sizes only (no per-component arrays). */
int xsave_layout_sizes(const struct xsave_cpuid_table *t, uint64_t mask, uint32_t *std_size,
                       uint32_t *compact_size);

/* Layout for an XCR0 and IA32_XSS a CPU would accept (SDM "XSETBV", sec. 13.3):
 * 0, or -EINVAL with the broken rule in *why. */
int xsave_layout(const struct xsave_cpuid_table *t, uint64_t xcr0, uint64_t xss,
                 struct xsave_layout *l, const char **why);

#endif
