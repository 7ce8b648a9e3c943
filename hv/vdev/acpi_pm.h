/* The ACPI fixed-hardware registers of a VM (pure): PM1a event and control
 * blocks, the PM timer and the reset register, at the ports the FADT names
 * (hv/vdev/acpi_tables.h). Spec: ACPI 6.5 sec. 4.8.3 (PM1 registers, PM
 * timer), 4.8.3.6 (reset register), 7.4.2 (sleep types). */
#ifndef SABLE_HV_VDEV_ACPI_PM_H
#define SABLE_HV_VDEV_ACPI_PM_H

#include "types.h"

#define ACPI_PM_TIMER_HZ 3579545u

#define PM1_STS_TMR           BIT(0)
#define PM1_STS_WAK           BIT(15)
#define PM1_CNT_SCI_EN        BIT(0)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK  (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN        BIT(13) /* write-only: reads 0 */

struct acpi_pm {
	uint16_t sts, en, cnt;
};

enum acpi_pm_action {
	ACPI_PM_NONE,
	ACPI_PM_POWEROFF, /* SLP_EN with the \_S5 sleep type */
	ACPI_PM_RESET,    /* the reset value written to the reset register */
};

void acpi_pm_init(struct acpi_pm *pm);
/* True for the ports of the block. */
bool acpi_pm_port(uint16_t port);
/* IN of size bytes at port; the PM timer reads guest_tsc converted to
 * 3.579545 MHz ticks at tsc_hz (32 bits, FADT TMR_VAL_EXT). Unused bytes read 0xff. */
uint32_t acpi_pm_read(const struct acpi_pm *pm, uint16_t port, unsigned size, uint64_t guest_tsc,
                      uint64_t tsc_hz);
/* OUT: PM1_STS bits are write-1-to-clear, the timer is read-only. */
enum acpi_pm_action acpi_pm_write(struct acpi_pm *pm, uint16_t port, unsigned size, uint32_t val);

#endif
