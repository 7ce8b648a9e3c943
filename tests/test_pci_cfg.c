/* Unit tests for hv/vdev/pci_cfg.c: the address latch and an empty bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv/vdev/pci_cfg.h"

static void test_empty_bus(void **state)
{
	struct pci_cfg p = {0};

	(void)state;
	pci_cfg_write(&p, PCI_CFG_ADDR, 4, 0x80000000u);
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_ADDR, 4), 0x80000000u);
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_DATA, 4), 0xffffffffu);
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_DATA + 2, 2), 0xffffffffu);
	pci_cfg_write(&p, PCI_CFG_DATA, 4, 0);
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_DATA, 4), 0xffffffffu);
	pci_cfg_write(&p, PCI_CFG_ADDR, 4, 0xffffffffu); /* reserved bits 30:24, 1:0 stay 0 */
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_ADDR, 4), 0x80fffffcu);
	pci_cfg_write(&p, PCI_CFG_ADDR, 1, 0); /* byte writes do not reach the latch */
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_ADDR, 4), 0x80fffffcu);
	assert_int_equal(pci_cfg_read(&p, PCI_CFG_ADDR, 2), 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_empty_bus)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
