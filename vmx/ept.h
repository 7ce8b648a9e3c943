/* Extended page tables of one VM (pure: built through mm/pgtable.h callbacks).
 * SDM Vol. 3C sec. 29.3. */
#ifndef SABLE_VMX_EPT_H
#define SABLE_VMX_EPT_H

#include "mm/pgtable.h"
#include "types.h"

#define EPT_READ       BIT(0)
#define EPT_WRITE      BIT(1)
#define EPT_EXEC       BIT(2)
#define EPT_RWX        (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MT_SHIFT   3
#define EPT_MT_UC      0ull
#define EPT_MT_WB      6ull
#define EPT_IGNORE_PAT BIT(6)

/* EPTP: memory type of the paging structures, walk length - 1 (sec. 25.6.11). */
#define EPTP_WB     6ull
#define EPTP_WALK_4 (3ull << 3)

extern const struct pt_format pt_format_ept;
extern const struct pt_format pt_format_ept_no1g;

struct ept {
	struct pgtable pt;
	uint64_t max_page; /* largest page the CPU supports */
};

/* Allocates the root. allow_1g/allow_2m from IA32_VMX_EPT_VPID_CAP. 0 or -ENOMEM. */
int ept_init(struct ept *e, const struct pt_ops *ops, bool allow_2m, bool allow_1g);

/* Maps guest-physical [gpa, gpa+len) to host [hpa, ...) with prot (EPT_READ/WRITE/EXEC)
 * as write-back RAM with the largest pages that fit. -EEXIST on overlap, -EINVAL, -ENOMEM. */
int ept_map_ram(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t len, uint64_t prot);

/* Host address of gpa, or INVALID_HPA; *prot gets the leaf's R/W/X bits. */
hpa_t ept_translate(const struct ept *e, gpa_t gpa, uint64_t *prot, uint64_t *page_size);

/* The EPT pointer for the VMCS. */
uint64_t ept_pointer(const struct ept *e);

#endif
