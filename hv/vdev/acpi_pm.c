/* ACPI PM1a registers, PM timer and reset register (ACPI 6.5 sec. 4.8.3). */
#include "hv/vdev/acpi_pm.h"
#include "hv/vdev/acpi_tables.h"

#define OFF_STS   (ACPI_PM1A_EVT - ACPI_PM_BASE)
#define OFF_EN    (OFF_STS + 2)
#define OFF_CNT   (ACPI_PM1A_CNT - ACPI_PM_BASE)
#define OFF_TMR   (ACPI_PM_TMR - ACPI_PM_BASE)
#define OFF_RESET (ACPI_RESET_PORT - ACPI_PM_BASE)

void acpi_pm_init(struct acpi_pm *pm)
{
	pm->sts = 0;
	pm->en = 0;
	/* no SMI command port: the platform is always in ACPI mode (sec. 4.8.2.1) */
	pm->cnt = PM1_CNT_SCI_EN;
}

bool acpi_pm_port(uint16_t port)
{
	return port >= ACPI_PM_BASE && port < ACPI_PM_END;
}

static uint32_t timer(uint64_t tsc, uint64_t hz)
{
	if (!hz)
		return 0;
	return (uint32_t)((tsc / hz) * ACPI_PM_TIMER_HZ + (tsc % hz) * ACPI_PM_TIMER_HZ / hz);
}

static uint8_t read_byte(const struct acpi_pm *pm, unsigned off, uint32_t tmr)
{
	switch (off) {
	case OFF_STS:
	case OFF_STS + 1:
		return (uint8_t)(pm->sts >> (8 * (off - OFF_STS)));
	case OFF_EN:
	case OFF_EN + 1:
		return (uint8_t)(pm->en >> (8 * (off - OFF_EN)));
	case OFF_CNT:
	case OFF_CNT + 1:
		return (uint8_t)(pm->cnt >> (8 * (off - OFF_CNT)));
	case OFF_TMR:
	case OFF_TMR + 1:
	case OFF_TMR + 2:
	case OFF_TMR + 3:
		return (uint8_t)(tmr >> (8 * (off - OFF_TMR)));
	case OFF_RESET:
		return 0;
	}
	return 0xff;
}

uint32_t acpi_pm_read(const struct acpi_pm *pm, uint16_t port, unsigned size, uint64_t guest_tsc,
                      uint64_t tsc_hz)
{
	uint32_t tmr = timer(guest_tsc, tsc_hz), v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)read_byte(pm, port - ACPI_PM_BASE + i, tmr) << (8 * i);
	return v;
}

enum acpi_pm_action acpi_pm_write(struct acpi_pm *pm, uint16_t port, unsigned size, uint32_t val)
{
	enum acpi_pm_action a = ACPI_PM_NONE;
	uint16_t cnt = pm->cnt;
	bool cnt_written = false;

	for (unsigned i = 0; i < size; i++) {
		unsigned off = port - ACPI_PM_BASE + i, sh;
		uint8_t b = (uint8_t)(val >> (8 * i));

		switch (off) {
		case OFF_STS:
		case OFF_STS + 1:
			pm->sts &= (uint16_t) ~((unsigned)b << (8 * (off - OFF_STS)));
			break;
		case OFF_EN:
		case OFF_EN + 1:
			sh = 8 * (off - OFF_EN);
			pm->en = (uint16_t)((pm->en & ~(0xffu << sh)) | ((unsigned)b << sh));
			break;
		case OFF_CNT:
		case OFF_CNT + 1:
			sh = 8 * (off - OFF_CNT);
			cnt = (uint16_t)((cnt & ~(0xffu << sh)) | ((unsigned)b << sh));
			cnt_written = true;
			break;
		case OFF_RESET:
			if (b == ACPI_RESET_VALUE)
				a = ACPI_PM_RESET;
			break;
		}
	}
	if (!cnt_written)
		return a;
	if ((cnt & PM1_CNT_SLP_EN) &&
	    ((cnt & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP)
		a = ACPI_PM_POWEROFF;
	/* SCI_EN stays set; SLP_EN is write-only */
	pm->cnt = (uint16_t)((cnt & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN);
	return a;
}
