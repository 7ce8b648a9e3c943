/* Control-register writes and the paging mode (SDM Vol. 3A ch. 4 and sec. 10.8.5). */
#include "hv/lib/paging_mode.h"
#include "err.h"
#include "x86.h"

#define PDPTE_P        BIT(0)
#define PDPTE_RESERVED 0x1e6ull /* bits 2:1 and 8:5 */
/* CR0 bits whose change reloads the PDPTEs under PAE paging (sec. 4.4.1). */
#define CR0_PDPTE_BITS (CR0_PG | CR0_CD | CR0_NW)
#define CR4_PDPTE_BITS (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)

bool paging_is_pae(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

bool paging_pdpte_valid(uint64_t pdpte, unsigned maxphyaddr)
{
	uint64_t above = maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr;

	return !(pdpte & PDPTE_P) || !(pdpte & (PDPTE_RESERVED | above));
}

int paging_write_cr0(const struct paging_state *s, uint64_t val, struct paging_change *out)
{
	bool pg_on = (val & CR0_PG) && !(s->cr0 & CR0_PG);
	bool pg_off = !(val & CR0_PG) && (s->cr0 & CR0_PG);
	bool lme = s->efer & EFER_LME;

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -EINVAL;
	/* Activating IA-32e mode needs PAE and a CS that is not already 64-bit. */
	if (pg_on && lme && (!(s->cr4 & CR4_PAE) || s->cs_l))
		return -EINVAL;
	/* Paging cannot be turned off from 64-bit code, only from compatibility mode. */
	if (pg_off && (s->efer & EFER_LMA) && s->cs_l)
		return -EINVAL;
	out->efer = s->efer;
	if (pg_on && lme)
		out->efer |= EFER_LMA;
	if (pg_off)
		out->efer &= ~EFER_LMA;
	out->mode_changed = (out->efer ^ s->efer) & EFER_LMA;
	out->load_pdptes =
		paging_is_pae(val, s->cr4, out->efer) && ((val ^ s->cr0) & CR0_PDPTE_BITS);
	return 0;
}

int paging_write_cr4(const struct paging_state *s, uint64_t val, struct paging_change *out)
{
	/* IA-32e mode needs PAE; PCIDE only in IA-32e mode with CR3[11:0] = 0 (sec. 4.10.1). */
	if ((s->efer & EFER_LMA) && !(val & CR4_PAE))
		return -EINVAL;
	if ((val & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) &&
	    (!(s->efer & EFER_LMA) || (s->cr3 & 0xfff)))
		return -EINVAL;
	out->efer = s->efer;
	out->mode_changed = false;
	out->load_pdptes = paging_is_pae(s->cr0, val, s->efer) && ((val ^ s->cr4) & CR4_PDPTE_BITS);
	return 0;
}

int paging_write_cr3(const struct paging_state *s, uint64_t val, struct paging_change *out)
{
	/* Outside IA-32e mode CR3 is 32 bits wide; the upper half of the source is ignored. */
	out->efer = s->efer;
	out->mode_changed = false;
	out->load_pdptes = paging_is_pae(s->cr0, s->cr4, s->efer);
	return 0;
}
