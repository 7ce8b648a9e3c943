#include "drivers/tsc.h"
#include "drivers/tsc_freq.h"
#include "x86.h"

#define PIT_HZ               1193182u
#define PIT_CH2_DATA         0x42
#define PIT_MODE             0x43
#define PIT_CH2_GATE         0x61
#define GATE_ENABLE          0x01
#define GATE_SPEAKER         0x02
#define GATE_OUT2            0x20
#define PIT_CH2_LOHI_MODE0   0xb0
#define CALIBRATE_MS         10
#define CALIBRATE_SPIN_LIMIT 50000000u

uint64_t tsc_hz = TSC_FALLBACK_HZ;

/* TSC ticks per second over 10 ms of PIT channel 2; 0 if the PIT never counted down. */
static uint64_t pit_measure(void)
{
	uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t t0, t1;
	uint32_t spins = 0;

	outb(PIT_CH2_GATE, (inb(PIT_CH2_GATE) & ~GATE_SPEAKER) & ~GATE_ENABLE);
	outb(PIT_MODE, PIT_CH2_LOHI_MODE0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	outb(PIT_CH2_GATE, (inb(PIT_CH2_GATE) & ~GATE_SPEAKER) | GATE_ENABLE);
	t0 = rdtsc();
	while (!(inb(PIT_CH2_GATE) & GATE_OUT2)) {
		if (++spins > CALIBRATE_SPIN_LIMIT)
			return 0;
	}
	t1 = rdtsc();
	if (t1 <= t0)
		return 0;
	return (t1 - t0) * (1000 / CALIBRATE_MS);
}

struct tsc_choice tsc_calibrate(struct tsc_cpuid *c)
{
	struct tsc_choice t;

	c->max_leaf = cpuid(0).eax;
	if (c->max_leaf >= 0x15)
		c->l15 = cpuid(0x15);
	if (c->max_leaf >= 0x16)
		c->l16 = cpuid(0x16);
	t = tsc_choose(c, pit_measure());
	tsc_hz = t.hz;
	return t;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_hz / 1000000);

	while (rdtsc() < end)
		cpu_relax();
}
