/* The TSC frequency: CPUID leaves 0x15/0x16 cross-checked against a measurement (pure).
 * SDM Vol. 3B 18.7.3 (determining the processor base frequency), Vol. 2A CPUID. */
#ifndef SABLE_DRIVERS_TSC_FREQ_H
#define SABLE_DRIVERS_TSC_FREQ_H

#include "cpuid_regs.h"
#include "types.h"

#define TSC_FALLBACK_HZ    1000000000ull /* neither CPUID nor the PIT gave a rate */
#define TSC_AGREE_PERMILLE 10            /* CPUID and the PIT agree within 1% */

enum tsc_source {
	TSC_SRC_FALLBACK = 0, /* 1 GHz assumed */
	TSC_SRC_CPUID_15,     /* crystal frequency x EBX / EAX */
	TSC_SRC_CPUID_16,     /* 0x15 has the ratio but no crystal: 0x16's base frequency */
	TSC_SRC_PIT,          /* measured over PIT channel 2 */
};

/* CPUID as read on the bootstrap processor: max_leaf = leaf 0's EAX; l15 and
 * l16 are only looked at when max_leaf reaches them. */
struct tsc_cpuid {
	uint32_t max_leaf;
	struct cpuid_regs l15, l16;
};

struct tsc_choice {
	uint64_t hz;            /* the rate Sable uses */
	enum tsc_source source; /* where hz came from */
	uint64_t cpuid_hz;      /* what CPUID says, 0 if nothing */
	enum tsc_source cpuid_source;
	uint64_t pit_hz; /* what the PIT measured, 0 if it did not count */
	bool disagree;   /* both known and more than 1% apart: the PIT wins */
};

/* The TSC rate CPUID enumerates (0 if none) and from which leaf. */
uint64_t tsc_cpuid_hz(const struct tsc_cpuid *c, enum tsc_source *src);

/* CPUID's rate when the PIT confirms it within 1% (or could not measure);
 * the PIT's when they disagree or CPUID gives none; else TSC_FALLBACK_HZ. */
struct tsc_choice tsc_choose(const struct tsc_cpuid *c, uint64_t pit_hz);

/* One console line (without the "TSC: " prefix) saying which source was used
 * and, when both exist, both values. */
void tsc_describe(const struct tsc_choice *t, const struct tsc_cpuid *c, char *buf, size_t n);

#endif
