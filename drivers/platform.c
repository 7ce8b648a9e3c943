#include "drivers/platform.h"
#include "drivers/tsc.h"
#include "x86.h"

#define FW_CFG_SELECTOR    0x510
#define FW_CFG_DATA        0x511
#define FW_CFG_SIGNATURE   0x0000
#define CPUID_HYPERVISOR   BIT(31)
#define ACPI_SLP_EN        BIT(13)
#define ACPI_SLP_TYP_SHIFT 10

struct acpi_info acpi;

bool platform_is_qemu(void)
{
	static const char sig[4] = {'Q', 'E', 'M', 'U'};

	if (!(cpuid(1).ecx & CPUID_HYPERVISOR))
		return false;
	outw(FW_CFG_SELECTOR, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		if (inb(FW_CFG_DATA) != (uint8_t)sig[i])
			return false;
	return true;
}

void platform_poweroff(int code)
{
	if (platform_is_qemu())
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)code);
	if (acpi.have_s5 && acpi.pm1a_cnt) {
		outw((uint16_t)acpi.pm1a_cnt,
		     (acpi.s5_slp_typa << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN);
		if (acpi.pm1b_cnt)
			outw((uint16_t)acpi.pm1b_cnt,
			     (acpi.s5_slp_typb << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN);
		udelay(100000);
	}
}

#define RESET_CONTROL_PORT 0xcf9
#define RST_CPU            0x04 /* a 0->1 transition resets */
#define RST_SYSTEM         0x02 /* hard reset: the whole platform */
#define KBC_COMMAND_PORT   0x64
#define KBC_STATUS_IBF     0x02 /* input buffer full: the controller has not taken a byte yet */
#define KBC_PULSE_RESET    0xfe

/*
 * The reset control register's hard reset first (the whole platform: RESET#,
 * which VMX operation does not block), then the keyboard controller's reset
 * pulse for machines without 0xCF9 (a CPU reset that arrives as INIT, hence
 * the VMXOFF in hv_reboot and on every stopped core).
 */
void platform_reset(void)
{
	outb(RESET_CONTROL_PORT, RST_SYSTEM);
	outb(RESET_CONTROL_PORT, RST_SYSTEM | RST_CPU);
	udelay(100000);
	for (int i = 0; i < 1000 && (inb(KBC_COMMAND_PORT) & KBC_STATUS_IBF); i++)
		udelay(100);
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	udelay(100000);
}
