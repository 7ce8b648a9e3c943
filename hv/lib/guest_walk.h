/* Guest linear -> guest-physical translation through the guest's own page tables:
 * no paging, 32-bit, PAE, 4- and 5-level paging (SDM Vol. 3A ch. 4), with the U/S,
 * R/W, NX, SMEP and SMAP rights. Pure: guest memory is
 * reached through a callback, so it runs over a VM's memslots or over a test buffer. */
#ifndef SABLE_HV_LIB_GUEST_WALK_H
#define SABLE_HV_LIB_GUEST_WALK_H

#include "types.h"

/* Access kinds, numbered as the page-fault error code bits (sec. 4.7). */
#define GWALK_WRITE BIT(1)
#define GWALK_USER  BIT(2) /* CPL 3 */
#define GWALK_FETCH BIT(4)
/* A supervisor access the CPU makes itself (descriptor tables, TSS): SMAP applies
 * whatever EFLAGS.AC says (sec. 4.6). Not an error-code bit. */
#define GWALK_IMPLICIT BIT(8)

/* Page-fault error code bits. */
#define PF_PRESENT BIT(0)
#define PF_WRITE   BIT(1)
#define PF_USER    BIT(2)
#define PF_RSVD    BIT(3)
#define PF_FETCH   BIT(4)

struct gwalk_env {
	uint64_t cr0, cr3, cr4, efer;
	bool ac; /* EFLAGS.AC: with CR4.SMAP, explicit supervisor accesses to user pages */
	const uint64_t *pdptes; /* PAE paging: the four loaded PDPTEs (not re-read from CR3) */
	unsigned maxphyaddr;
	/* Host pointer to guest-physical [gpa, gpa+len), or NULL if that is not guest RAM. */
	void *(*map)(void *ctx, gpa_t gpa, uint64_t len);
	void *ctx;
};

/* Translates la for an access of kind access (GWALK_* bits). Sets the accessed bits of
 * the entries used and the dirty bit of the last one for a write, as the CPU does.
 * 0 and *gpa; -EFAULT and *pf_error: the access raises #PF; -EIO: a paging structure
 * lies outside guest RAM. */
int gwalk_translate(const struct gwalk_env *e, gva_t la, unsigned access, gpa_t *gpa,
                    uint32_t *pf_error);

#endif
