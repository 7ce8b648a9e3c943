/* The guest page walk (SDM Vol. 3A sec. 4.3, 4.4, 4.5, 4.6 access rights, 4.7 faults). */
#include "hv/lib/guest_walk.h"
#include "err.h"
#include "x86.h"

#define PTE_P  BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_A  BIT(5)
#define PTE_D  BIT(6)
#define PTE_PS BIT(7)
#define PTE_XD BIT(63)

struct walk {
	const struct gwalk_env *e;
	unsigned access;
	bool rw, us, xd; /* AND of R/W and U/S, OR of XD over the levels */
};

/* Reserved address bits of an entry: MAXPHYADDR..51 (bits 62:52 are ignored). */
static uint64_t above_maxphy(const struct gwalk_env *e)
{
	return e->maxphyaddr >= 52 ? 0 : (BIT(52) - 1) & ~(BIT(e->maxphyaddr) - 1);
}

/* The physical-address bits of an entry, 12..MAXPHYADDR-1. */
static uint64_t addr_bits(const struct gwalk_env *e)
{
	return (BIT(MIN(e->maxphyaddr, 52u)) - 1) & ~0xfffull;
}

/* The access rights check once the leaf is known (sec. 4.6). */
static bool allowed(const struct walk *w)
{
	const struct gwalk_env *e = w->e;
	bool user = w->access & GWALK_USER;

	if (user && !w->us)
		return false;
	if ((w->access & GWALK_WRITE) && !w->rw && (user || (e->cr0 & CR0_WP)))
		return false;
	if ((w->access & GWALK_FETCH) && w->xd && (e->efer & EFER_NXE))
		return false;
	if ((w->access & GWALK_FETCH) && !user && w->us && (e->cr4 & CR4_SMEP))
		return false;
	/* SMAP: a supervisor data access to a user page, unless it is explicit and
	 * EFLAGS.AC is set (sec. 4.6.1) */
	if (!(w->access & GWALK_FETCH) && !user && w->us && (e->cr4 & CR4_SMAP) &&
	    ((w->access & GWALK_IMPLICIT) || !e->ac))
		return false;
	return true;
}

static uint32_t fault(const struct walk *w, uint32_t bits)
{
	return bits | (w->access & (GWALK_WRITE | GWALK_USER | GWALK_FETCH));
}

/* One 32-bit or 64-bit entry at gpa; NULL if it is not guest RAM. */
static void *entry(const struct gwalk_env *e, gpa_t gpa, unsigned size)
{
	return e->map(e->ctx, gpa, size);
}

static int walk32(struct walk *w, uint32_t la, gpa_t *gpa, uint32_t *err)
{
	const struct gwalk_env *e = w->e;
	uint32_t *pde, *pte;

	pde = entry(e, (e->cr3 & 0xfffff000u) + ((la >> 22) << 2), 4);
	if (!pde)
		return -EIO;
	if (!(*pde & PTE_P))
		return *err = fault(w, 0), -EFAULT;
	w->rw = *pde & PTE_RW;
	w->us = *pde & PTE_US;
	if ((*pde & PTE_PS) && (e->cr4 & CR4_PSE)) {
		/* 4 MiB page; PSE-36 puts physical bits 39:32 in bits 20:13, bit 21 reserved */
		uint64_t hi = ((uint64_t)(*pde >> 13) & 0xff) << 32;
		if ((*pde & BIT(21)) || (hi & above_maxphy(e)))
			return *err = fault(w, PF_PRESENT | PF_RSVD), -EFAULT;
		if (!allowed(w))
			return *err = fault(w, PF_PRESENT), -EFAULT;
		*pde |= PTE_A | ((w->access & GWALK_WRITE) ? PTE_D : 0);
		*gpa = hi | (*pde & 0xffc00000u) | (la & 0x3fffff);
		return 0;
	}
	pte = entry(e, (*pde & 0xfffff000u) + (((la >> 12) & 0x3ff) << 2), 4);
	if (!pte)
		return -EIO;
	if (!(*pte & PTE_P))
		return *err = fault(w, 0), -EFAULT;
	w->rw &= !!(*pte & PTE_RW);
	w->us &= !!(*pte & PTE_US);
	if (!allowed(w))
		return *err = fault(w, PF_PRESENT), -EFAULT;
	*pde |= PTE_A;
	*pte |= PTE_A | ((w->access & GWALK_WRITE) ? PTE_D : 0);
	*gpa = (*pte & 0xfffff000u) | (la & 0xfff);
	return 0;
}

/* PAE, 4-level and 5-level walks share the 64-bit entry format from the page
 * directory down. */
static int walk64(struct walk *w, uint64_t la, uint64_t table, int level, gpa_t *gpa, uint32_t *err)
{
	const struct gwalk_env *e = w->e;
	uint64_t rsvd = above_maxphy(e) | ((e->efer & EFER_NXE) ? 0 : PTE_XD);
	uint64_t *ent[5];
	int n = 0;

	for (;; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t *p = entry(e, (table & ~0xfffull) + (((la >> shift) & 0x1ff) << 3), 8);
		uint64_t v, size = 1ull << shift;
		bool leaf;

		if (!p)
			return -EIO;
		v = *p;
		if (!(v & PTE_P))
			return *err = fault(w, 0), -EFAULT;
		leaf = level == 1 || ((v & PTE_PS) && level <= 3);
		/* PS is reserved in a PML4E and a PML5E; in a large page the address bits
		 * between the PAT bit (12) and the page size are reserved */
		if ((v & rsvd) || (level >= 4 && (v & PTE_PS)) ||
		    (leaf && level > 1 && (v & (size - 1) & ~0x1fffull)))
			return *err = fault(w, PF_PRESENT | PF_RSVD), -EFAULT;
		w->rw &= !!(v & PTE_RW);
		w->us &= !!(v & PTE_US);
		w->xd |= !!(v & PTE_XD);
		ent[n++] = p;
		if (leaf) {
			if (!allowed(w))
				return *err = fault(w, PF_PRESENT), -EFAULT;
			for (int i = 0; i < n; i++)
				*ent[i] |= PTE_A;
			if (w->access & GWALK_WRITE)
				*p |= PTE_D;
			*gpa = (v & addr_bits(e) & ~(size - 1)) | (la & (size - 1));
			return 0;
		}
		table = v & addr_bits(e);
	}
}

int gwalk_translate(const struct gwalk_env *e, gva_t la, unsigned access, gpa_t *gpa,
                    uint32_t *pf_error)
{
	struct walk w = {.e = e, .access = access, .rw = true, .us = true, .xd = false};

	*pf_error = 0;
	if (!(e->cr0 & CR0_PG)) {
		*gpa = (e->efer & EFER_LMA) ? la : (uint32_t)la;
		return 0;
	}
	if (e->efer & EFER_LMA) {
		/* a non-canonical address is a #GP, checked by the caller; CR4.LA57
		 * selects 5-level paging (SDM Vol. 3A sec. 4.5) */
		return walk64(&w, la, e->cr3 & addr_bits(e), (e->cr4 & CR4_LA57) ? 5 : 4, gpa,
		              pf_error);
	}
	if (e->cr4 & CR4_PAE) {
		uint64_t pdpte = e->pdptes[(la >> 30) & 3];

		la = (uint32_t)la;
		if (!(pdpte & PTE_P))
			return *pf_error = fault(&w, 0), -EFAULT;
		/* PDPTEs carry no access rights; reserved bits were checked when loaded */
		return walk64(&w, la, pdpte & addr_bits(e), 2, gpa, pf_error);
	}
	return walk32(&w, (uint32_t)la, gpa, pf_error);
}
