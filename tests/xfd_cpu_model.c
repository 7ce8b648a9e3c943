/* The CPU model of tests/xfd_cpu_model.h. SDM Vol. 1 sec. 13.14 (XFD), 13.6
 * (XINUSE), 13.7-13.8 (XSAVE/XRSTOR), 13.10-13.11 (compacted forms). */
#include "tests/xfd_cpu_model.h"
#include <string.h>

#define X87_TOKEN_OFFSET 32u  /* ST0 in the legacy region */
#define SSE_TOKEN_OFFSET 160u /* XMM0 */
#define MSR_XFD          0x1c4u
#define MSR_XFD_ERR      0x1c5u

void model_init(struct cpu_model *m, const struct xsave_cpuid_table *t)
{
	memset(m, 0, sizeof(*m));
	m->t = t;
	m->xcr0 = 1; /* x87 after reset (sec. 13.3) */
	m->xfd_supported = t->sub1.eax & XSAVE_1_EAX_XFD;
	for (unsigned i = XSAVE_FIRST_EXT; m->xfd_supported && i < XSAVE_NR_COMPONENTS; i++)
		if (t->comp[i].flags & XSAVE_COMP_XFD)
			m->xfd_capable |= 1ull << i;
}

enum model_fault model_use(struct cpu_model *m, uint64_t comps, bool ts_sensitive, uint64_t token)
{
	uint64_t armed = comps & m->xfd;

	if (comps & ~m->xcr0)
		return MODEL_UD; /* an instruction needs its XCR0 bits (sec. 13.3) */
	if (ts_sensitive && m->cr0_ts) {
		m->nm++; /* CR0.TS #NM: IA32_XFD_ERR untouched (sec. 13.14) */
		return MODEL_NM;
	}
	if (armed) {
		/* sec. 13.14: #NM, and IA32_XFD_ERR gets the disabled components */
		m->xfd_err = armed;
		m->nm++;
		m->xfd_nm++;
		return MODEL_NM;
	}
	for (unsigned i = 0; i < XSAVE_NR_COMPONENTS; i++)
		if (comps & (1ull << i)) {
			m->reg[i] = token;
			m->xinuse |= 1ull << i;
		}
	return MODEL_OK;
}

/* Bits that are not XFD-capable are reserved in both MSRs: #GP (sec. 13.14). */
enum model_fault model_wrmsr(struct cpu_model *m, uint32_t msr, uint64_t val)
{
	if ((msr != MSR_XFD && msr != MSR_XFD_ERR) || !m->xfd_supported || (val & ~m->xfd_capable))
		return MODEL_GP;
	if (msr == MSR_XFD) {
		m->xfd = val;
		m->msr_writes_xfd++;
	} else {
		m->xfd_err = val;
	}
	return MODEL_OK;
}

enum model_fault model_rdmsr(struct cpu_model *m, uint32_t msr, uint64_t *val)
{
	if ((msr != MSR_XFD && msr != MSR_XFD_ERR) || !m->xfd_supported)
		return MODEL_GP;
	*val = msr == MSR_XFD ? m->xfd : m->xfd_err;
	return MODEL_OK;
}

static uint64_t get64(const void *buf, uint32_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)buf + off, sizeof(v));
	return v;
}

static void put64(void *buf, uint32_t off, uint64_t v)
{
	memcpy((uint8_t *)buf + off, &v, sizeof(v));
}

static uint32_t token_offset(const struct xsave_layout *l, unsigned i, bool compacted)
{
	if (i == 0)
		return X87_TOKEN_OFFSET;
	if (i == 1)
		return SSE_TOKEN_OFFSET;
	return compacted ? l->compact_offset[i] : l->std_offset[i];
}

static bool compacted(enum xsave_format f)
{
	return f == XSAVE_FMT_XSAVEC || f == XSAVE_FMT_XSAVES;
}

/* sec. 13.7, 13.10: RFBM = XCR0 & EDX:EAX; a component with XINUSE[i] = 0 or,
 * by sec. 13.14, XFD[i] = 1 is written as init (XSTATE_BV[i] = 0). The
 * standard form keeps XSTATE_BV bits outside RFBM; the compacted form sets
 * XCOMP_BV = RFBM | bit 63 and clears them. */
enum model_fault model_xsave(struct cpu_model *m, void *buf, uint32_t size, uint64_t rfbm,
                             enum xsave_format f)
{
	uint64_t mask = rfbm & m->xcr0, bv, live = mask & m->xinuse & ~m->xfd;
	struct xsave_layout l;
	bool c = compacted(f);

	if (xsave_layout_mask(m->t, mask, &l) || size < XSAVE_EXT_OFFSET ||
	    (c ? l.compact_size : l.std_size) > size)
		return MODEL_OVERFLOW;
	bv = c ? live : (get64(buf, XSAVE_XSTATE_BV_OFFSET) & ~mask) | live;
	for (unsigned i = 0; i < XSAVE_NR_COMPONENTS; i++)
		if (live & (1ull << i))
			put64(buf, token_offset(&l, i, c), m->reg[i]);
	put64(buf, XSAVE_XSTATE_BV_OFFSET, bv);
	put64(buf, XSAVE_XCOMP_BV_OFFSET, c ? mask | XCOMP_BV_COMPACTED : 0);
	return MODEL_OK;
}

/* sec. 13.8, 13.11: XSTATE_BV bits outside XCR0 or (compacted) outside
 * XCOMP_BV raise #GP; sec. 13.14: a component with RFBM[i] = XSTATE_BV[i] =
 * XFD[i] = 1 raises #NM with XFD_ERR naming it, before anything is loaded.
 * Then each RFBM component is loaded (XSTATE_BV[i] = 1) or initialized. */
enum model_fault model_xrstor(struct cpu_model *m, const void *buf, uint32_t size, uint64_t rfbm,
                              enum xsave_format f)
{
	uint64_t mask = rfbm & m->xcr0, bv = get64(buf, XSAVE_XSTATE_BV_OFFSET),
		 xcomp = get64(buf, XSAVE_XCOMP_BV_OFFSET), layout_mask, armed;
	struct xsave_layout l;
	bool c = compacted(f);

	if (size < XSAVE_EXT_OFFSET)
		return MODEL_OVERFLOW;
	if ((bv & ~m->xcr0) || (c && !(xcomp & XCOMP_BV_COMPACTED)) || (!c && xcomp) ||
	    (c && (bv & ~xcomp)))
		return MODEL_GP;
	layout_mask = c ? xcomp & ~XCOMP_BV_COMPACTED : mask & bv;
	if (xsave_layout_mask(m->t, layout_mask, &l) || (c ? l.compact_size : l.std_size) > size)
		return MODEL_OVERFLOW;
	armed = mask & bv & m->xfd;
	if (armed) {
		m->xfd_err = armed;
		m->nm++;
		m->xfd_nm++;
		return MODEL_NM;
	}
	for (unsigned i = 0; i < XSAVE_NR_COMPONENTS; i++) {
		uint64_t b = 1ull << i;

		if (!(mask & b))
			continue;
		m->reg[i] = bv & b ? get64(buf, token_offset(&l, i, c)) : 0;
		m->xinuse = m->reg[i] ? m->xinuse | b : m->xinuse & ~b;
	}
	return MODEL_OK;
}

uint64_t model_xinuse(const struct cpu_model *m)
{
	return m->xinuse & m->xcr0;
}

uint64_t model_xstate_bv(const void *buf)
{
	return get64(buf, XSAVE_XSTATE_BV_OFFSET);
}
