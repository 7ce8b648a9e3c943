/* Builds struct xsave_cpuid_table values from the XSAVE_ROW fixtures (tests only). */
#ifndef SABLE_TESTS_XSAVE_TABLE_FIXTURE_H
#define SABLE_TESTS_XSAVE_TABLE_FIXTURE_H

#include <string.h>

#include "fpu/xsave_layout.h"
#include "xsave_fixture_bochs.h"
#include "xsave_fixtures.h"

struct xsave_row {
	uint32_t sub, eax, ebx, ecx, edx;
};

#define XSAVE_ROW(s, a, b, c, d) {s, a, b, c, d},
static const struct xsave_row bochs_rows[] = {BOCHS_TIGERLAKE_ROWS};
static const struct xsave_row skx_rows[] = {SKYLAKE_X_ROWS};
static const struct xsave_row spr_rows[] = {SAPPHIRE_RAPIDS_ROWS};
#undef XSAVE_ROW

struct xsave_fixture {
	const char *name;
	const struct xsave_row *rows;
	size_t nrows;
	uint64_t xcr0_read;
};

static const struct xsave_fixture xsave_fixtures[] = {
	{"bochs-tigerlake", bochs_rows, sizeof(bochs_rows) / sizeof(bochs_rows[0]),
         BOCHS_TIGERLAKE_XCR0_READ},
	{"skylake-x", skx_rows, sizeof(skx_rows) / sizeof(skx_rows[0]), SKYLAKE_X_XCR0_READ},
	{"sapphire-rapids", spr_rows, sizeof(spr_rows) / sizeof(spr_rows[0]),
         SAPPHIRE_RAPIDS_XCR0_READ},
};
#define FIXTURE_BOCHS 0
#define FIXTURE_SKX   1
#define FIXTURE_SPR   2

/* A CPUID callback over a fixture: leaf 0xD from its rows, everything else 0. */
static void fixture_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	const struct xsave_fixture *f = ctx;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; leaf == 0xd && i < f->nrows; i++) {
		if (f->rows[i].sub == sub) {
			*out = (struct cpuid_regs){f->rows[i].eax, f->rows[i].ebx, f->rows[i].ecx,
			                           f->rows[i].edx};
			return;
		}
	}
}

static inline void fixture_table(int which, struct xsave_cpuid_table *t)
{
	const struct xsave_fixture *f = &xsave_fixtures[which];

	xsave_table_read(fixture_cpuid, (void *)f, f->xcr0_read, 0, t);
}

#endif
