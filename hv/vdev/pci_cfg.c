/* PCI configuration mechanism 1 with an empty bus (see pci_cfg.h). */
#include "hv/vdev/pci_cfg.h"

#define ADDR_WRITABLE 0x80fffffcu /* enable, bus, device, function, dword register */

uint32_t pci_cfg_read(const struct pci_cfg *p, uint16_t port, unsigned size)
{
	if (port == PCI_CFG_ADDR && size == 4)
		return p->addr;
	return 0xffffffffu; /* the data window: no device decodes the access */
}

void pci_cfg_write(struct pci_cfg *p, uint16_t port, unsigned size, uint32_t val)
{
	if (port == PCI_CFG_ADDR && size == 4)
		p->addr = val & ADDR_WRITABLE;
}
