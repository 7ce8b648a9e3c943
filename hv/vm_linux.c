/* Building a Linux guest: the bzImage, its initrd and command line, the zero
 * page and the VM's ACPI tables in guest RAM (hv/loader/bzimage.h). */
#include "hv/vm_linux.h"
#include "err.h"
#include "kstring.h"
#include "hv/loader/bzimage.h"
#include "hv/loader/multiboot2.h"
#include "hv/log.h"
#include "hv/vdev/acpi_tables.h"
#include "mm/mm.h"

extern struct mb2_info boot_info;

/* The kernel command line: the module's string after its first word (the file name). */
static const char *kernel_args(const struct mb2_module *m)
{
	const char *s = m->cmdline ? m->cmdline : "";

	while (*s == ' ')
		s++;
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

int vm_load_linux(struct vm *vm, const struct vm_config *cfg, uint64_t *entry,
                  uint64_t *boot_params)
{
	const struct mb2_module *km = &boot_info.modules[cfg->module], *im = NULL;
	uint8_t *ram = vm_gpa_to_hva(vm, 0, vm->mem_size);
	struct bzimage_info info;
	struct bzimage_plan plan;
	struct bzimage_load req = {0};
	char err[160];
	int r;

	req.image = phys_to_virt(km->start);
	req.len = km->end - km->start;
	r = bzimage_parse(req.image, req.len, &info, err, sizeof(err));
	if (r < 0) {
		log_err("vm %s: bad Linux image (module %u): %s", vm->name, cfg->module, err);
		return r;
	}
	if (cfg->has_initrd) {
		im = &boot_info.modules[cfg->initrd];
		req.initrd = phys_to_virt(im->start);
	}
	req.cmdline = kernel_args(km);
	req.mem_size = vm->mem_size;
	r = bzimage_plan(&info, vm->mem_size, strlen(req.cmdline), im ? im->end - im->start : 0,
	                 &plan, err, sizeof(err));
	if (r < 0) {
		log_err("vm %s: cannot boot Linux (module %u): %s", vm->name, cfg->module, err);
		return r;
	}
	req.acpi_rsdp = acpi_tables_build(ram + ACPI_TABLES_GPA, ACPI_TABLES_SIZE, ACPI_TABLES_GPA,
	                                  cfg->ncpus);
	if (!req.acpi_rsdp) {
		log_err("vm %s: no room for the ACPI tables of %u vCPUs", vm->name, cfg->ncpus);
		return -ENOSPC;
	}
	*boot_params = bzimage_load(&info, &plan, &req, ram);
	*entry = plan.load_gpa;
	vm_log(vm,
	       "Linux boot protocol %u.%02u, kernel at 0x%lx (init_size %u MiB), initrd %lu "
	       "KiB at 0x%lx, command line \"%s\"",
	       info.version >> 8, info.version & 0xff, plan.load_gpa, info.init_size >> 20,
	       plan.initrd_len >> 10, plan.initrd_gpa, req.cmdline);
	return 0;
}
