/*
 * PCI configuration mechanism 1 (pure; PCI Local Bus Specification 3.0 sec.
 * 3.2.2.3.2): the address register at 0xCF8 (32-bit accesses only; bit 31
 * enables) and the data window at 0xCFC-0xCFF. The bus has no devices, not
 * even a host bridge: every configuration read returns all ones and writes
 * are dropped, as on a bus where nothing answers. A guest's probe of the
 * mechanism (write 0x80000000, read it back) succeeds; its scan finds nothing.
 */
#ifndef SABLE_HV_VDEV_PCI_CFG_H
#define SABLE_HV_VDEV_PCI_CFG_H

#include "types.h"

#define PCI_CFG_ADDR   0xcf8
#define PCI_CFG_DATA   0xcfc
#define PCI_CFG_ENABLE 0x80000000u

struct pci_cfg {
	uint32_t addr;
};

/* Ports 0xCF8-0xCFF, size 1, 2 or 4. Other sizes or ports read all ones. */
uint32_t pci_cfg_read(const struct pci_cfg *p, uint16_t port, unsigned size);
void pci_cfg_write(struct pci_cfg *p, uint16_t port, unsigned size, uint32_t val);

#endif
