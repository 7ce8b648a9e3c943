/* The architectural rules for changing CR0, CR4 and CR3 and their effect on the
 * paging mode: EFER.LMA, and when PAE paging loads its PDPTEs (pure). */
#ifndef SABLE_HV_LIB_PAGING_MODE_H
#define SABLE_HV_LIB_PAGING_MODE_H

#include "types.h"

/* The part of a vCPU's state the rules look at. */
struct paging_state {
	uint64_t cr0, cr3, cr4, efer;
	bool cs_l; /* CS.L: 64-bit code segment (meaningful only while EFER.LMA = 1) */
};

/* What a MOV to a control register does. */
struct paging_change {
	uint64_t efer;     /* EFER after the write (LMA updated) */
	bool load_pdptes;  /* PAE paging follows and the PDPTEs must be (re)loaded from CR3 */
	bool mode_changed; /* EFER.LMA changed: the IA-32e mode guest entry control follows it */
};

/* MOV to CR0 of val from state s (SDM Vol. 3A sec. 2.5, 4.1.1, 4.4.1, 10.8.5 and the MOV
 * to CR reference). 0 and *out, or -EINVAL when the instruction raises #GP(0). */
int paging_write_cr0(const struct paging_state *s, uint64_t val, struct paging_change *out);
/* MOV to CR4 (the paging-related rules only; feature bits are the caller's). */
int paging_write_cr4(const struct paging_state *s, uint64_t val, struct paging_change *out);
/* MOV to CR3. */
int paging_write_cr3(const struct paging_state *s, uint64_t val, struct paging_change *out);

/* True if paging is on with CR4.PAE and without IA-32e mode: PAE paging (sec. 4.1.1). */
bool paging_is_pae(uint64_t cr0, uint64_t cr4, uint64_t efer);

/* A PAE page-directory-pointer-table entry is loadable: not present, or no reserved bit
 * set (bits 2:1, 8:5 and maxphyaddr..63; sec. 4.4.1, table 4-8). */
bool paging_pdpte_valid(uint64_t pdpte, unsigned maxphyaddr);

#endif
