/* Choosing the TSC rate (pure): CPUID 0x15/0x16 and the PIT measurement. */
#include "drivers/tsc_freq.h"
#include "hv/lib/format.h"

#define LEAF_TSC_CRYSTAL 0x15
#define LEAF_FREQUENCY   0x16

uint64_t tsc_cpuid_hz(const struct tsc_cpuid *c, enum tsc_source *src)
{
	const struct cpuid_regs *l = &c->l15;
	uint32_t base_mhz;

	*src = TSC_SRC_FALLBACK;
	/* EAX = denominator, EBX = numerator of TSC / crystal; 0 = not enumerated */
	if (c->max_leaf < LEAF_TSC_CRYSTAL || !l->eax || !l->ebx)
		return 0;
	if (l->ecx) {
		*src = TSC_SRC_CPUID_15;
		return (uint64_t)l->ecx * l->ebx / l->eax;
	}
	/* no crystal frequency: the TSC runs at the base frequency (EAX[15:0] MHz) */
	base_mhz = c->max_leaf >= LEAF_FREQUENCY ? c->l16.eax & 0xffff : 0;
	if (!base_mhz)
		return 0;
	*src = TSC_SRC_CPUID_16;
	return (uint64_t)base_mhz * 1000000;
}

static bool within(uint64_t a, uint64_t b, uint64_t permille)
{
	uint64_t d = a > b ? a - b : b - a;

	return d * 1000 <= b * permille;
}

struct tsc_choice tsc_choose(const struct tsc_cpuid *c, uint64_t pit_hz)
{
	struct tsc_choice t = {.pit_hz = pit_hz};

	t.cpuid_hz = tsc_cpuid_hz(c, &t.cpuid_source);
	if (t.cpuid_hz && pit_hz && !within(t.cpuid_hz, pit_hz, TSC_AGREE_PERMILLE))
		t.disagree = true;
	if (t.cpuid_hz && !t.disagree) {
		t.hz = t.cpuid_hz;
		t.source = t.cpuid_source;
	} else if (pit_hz) {
		t.hz = pit_hz;
		t.source = TSC_SRC_PIT;
	} else {
		t.hz = TSC_FALLBACK_HZ;
		t.source = TSC_SRC_FALLBACK;
	}
	return t;
}

/* "CPUID 0x15 (crystal 24000 kHz x 200/2)" or "CPUID 0x16 (base 2400 MHz, ratio 200/2)". */
static void cpuid_words(const struct tsc_choice *t, const struct tsc_cpuid *c, char *buf, size_t n)
{
	if (t->cpuid_source == TSC_SRC_CPUID_15)
		fmt_snprintf(buf, n, "CPUID 0x15 (crystal %u kHz x %u/%u)", c->l15.ecx / 1000,
		             c->l15.ebx, c->l15.eax);
	else
		fmt_snprintf(buf, n, "CPUID 0x16 (base %u MHz; 0x15 ratio %u/%u, no crystal)",
		             c->l16.eax & 0xffff, c->l15.ebx, c->l15.eax);
}

/* Why CPUID gave no rate. */
static const char *no_cpuid_reason(const struct tsc_cpuid *c)
{
	if (c->max_leaf < LEAF_TSC_CRYSTAL)
		return "CPUID has no leaf 0x15";
	if (!c->l15.eax || !c->l15.ebx)
		return "CPUID 0x15 enumerates no TSC ratio";
	return "CPUID 0x15 has no crystal and 0x16 no base frequency";
}

void tsc_describe(const struct tsc_choice *t, const struct tsc_cpuid *c, char *buf, size_t n)
{
	char cw[96];
	uint64_t khz = t->hz / 1000;

	if (t->cpuid_hz)
		cpuid_words(t, c, cw, sizeof(cw));
	if (t->disagree)
		fmt_snprintf(buf, n,
		             "%lu kHz measured against the PIT; %s says %lu kHz, more than 1%% "
		             "apart: using the PIT",
		             (unsigned long)khz, cw, (unsigned long)(t->cpuid_hz / 1000));
	else if (t->cpuid_hz && t->pit_hz)
		fmt_snprintf(buf, n, "%lu kHz from %s, PIT measured %lu kHz", (unsigned long)khz,
		             cw, (unsigned long)(t->pit_hz / 1000));
	else if (t->cpuid_hz)
		fmt_snprintf(buf, n, "%lu kHz from %s (the PIT did not count)", (unsigned long)khz,
		             cw);
	else if (t->pit_hz)
		fmt_snprintf(buf, n, "%lu kHz measured against the PIT (%s)", (unsigned long)khz,
		             no_cpuid_reason(c));
	else
		fmt_snprintf(buf, n, "assuming %lu kHz: the PIT did not count and %s",
		             (unsigned long)khz, no_cpuid_reason(c));
}
