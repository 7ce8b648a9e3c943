/* sable.efi: loads sable.elf and its modules from the loader's own volume,
 * builds the multiboot2 boot information, leaves boot services and enters
 * Sable's multiboot2 entry through boot/efi/trampoline.asm (GNU-EFI). */
#include "boot/efi/efi_io.h"
#include "boot/efi/efi_acpi.h"
#include "boot/efi/efi_cfg.h"
#include "boot/efi/efi_kernel.h"
#include "boot/efi/efi_mb2.h"
#include "boot/efi/efi_mmap.h"

#define MBI_PAGES    16 /* 64 KiB for the boot information */
#define MAP_BYTES    (64 * 1024)
#define MAX_REGIONS  256
#define EBS_ATTEMPTS 8
#define BELOW_4G     0xffffffffu

extern const uint8_t efi_trampoline_start[], efi_trampoline_end[];
typedef void (*trampoline_fn)(uint32_t entry, uint32_t mbi) __attribute__((noreturn));

static struct efi_cfg cfg;
static struct efi_cfg_args args;
static char dir[EFI_CFG_PATH_MAX], path[EFI_CFG_PATH_MAX], opts[EFI_CFG_CMDLINE_MAX + 512];
static struct efi_mb2_module mods[EFI_CFG_MODULES_MAX];
static struct mem_region regions[MAX_REGIONS];
static struct efi_kernel kern;
static uint8_t rsdp_new[256], rsdp_old[RSDP_V1_LEN];
static int rsdp_new_len;
static BOOLEAN have_old;
static struct efi_mb2_fb fb;
static BOOLEAN have_fb;

/* The command line and configuration file from the load options. */
static EFI_STATUS read_options(EFI_LOADED_IMAGE *li)
{
	const char *msg;

	opts[0] = '\0';
	if (li->LoadOptions != NULL && li->LoadOptionsSize >= 2 &&
	    efi_cfg_narrow(li->LoadOptions, li->LoadOptionsSize, opts, sizeof(opts)) < 0)
		opts[0] = '\0'; /* not text: firmware data, not a command line */
	if (efi_cfg_args_parse(opts, &args, &msg) < 0) {
		efi_io_error("load options", msg);
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}

/* Reads and parses the configuration file; the default one may be absent. */
static EFI_STATUS read_config(void)
{
	struct efi_cfg_error err;
	void *text;
	UINTN size;
	EFI_STATUS st;

	efi_cfg_parse("", 0, &cfg, &err);
	if (efi_cfg_resolve(dir, args.config[0] ? args.config : EFI_CFG_FILE, path, sizeof(path)) <
	    0) {
		efi_io_error("configuration file", "path too long");
		return EFI_INVALID_PARAMETER;
	}
	st = efi_io_read(path, FALSE, &text, &size);
	if (EFI_ERROR(st)) {
		if (st == EFI_NOT_FOUND && args.config[0] == '\0') {
			efi_io_info("no configuration file: sable.elf, no modules");
			return EFI_SUCCESS;
		}
		return st;
	}
	if (efi_cfg_parse(text, size, &cfg, &err) < 0) {
		Print(L"sable.efi: ERROR: %a line %u: %a\r\n", path, err.line, err.msg);
		FreePool(text);
		return EFI_INVALID_PARAMETER;
	}
	FreePool(text);
	return EFI_SUCCESS;
}

/* Reads every module into pages below 4 GiB. */
static EFI_STATUS load_modules(void)
{
	for (UINTN i = 0; i < cfg.nmodules; i++) {
		void *buf;
		UINTN size;
		EFI_STATUS st;

		if (efi_cfg_resolve(dir, cfg.modules[i].path, path, sizeof(path)) < 0) {
			efi_io_error(cfg.modules[i].path, "path too long");
			return EFI_INVALID_PARAMETER;
		}
		st = efi_io_read(path, TRUE, &buf, &size);
		if (EFI_ERROR(st))
			return st;
		mods[i].start = (uint64_t)(UINTN)buf;
		mods[i].end = mods[i].start + size;
		mods[i].string = cfg.modules[i].string;
	}
	return EFI_SUCCESS;
}

/* Reads and checks sable.elf, then copies its segments where they run. */
static EFI_STATUS load_kernel(void)
{
	uint64_t lo = ~0ull, hi = 0;
	EFI_PHYSICAL_ADDRESS at;
	const char *msg;
	void *img;
	UINTN size;
	EFI_STATUS st;

	if (efi_cfg_resolve(dir, cfg.kernel, path, sizeof(path)) < 0) {
		efi_io_error(cfg.kernel, "path too long");
		return EFI_INVALID_PARAMETER;
	}
	st = efi_io_read(path, FALSE, &img, &size);
	if (EFI_ERROR(st))
		return st;
	if (efi_kernel_check(img, size, &kern, &msg) < 0) {
		efi_io_error(path, msg);
		FreePool(img);
		return EFI_LOAD_ERROR;
	}
	for (size_t i = 0; i < kern.nsegs; i++) {
		lo = MIN(lo, kern.segs[i].paddr);
		hi = MAX(hi, kern.segs[i].paddr + kern.segs[i].memsz);
	}
	lo = ALIGN_DOWN(lo, (uint64_t)EFI_PAGE_SIZE);
	hi = ALIGN_UP(hi, (uint64_t)EFI_PAGE_SIZE);
	at = lo;
	st = efi_io_pages(AllocateAddress, (hi - lo) / EFI_PAGE_SIZE, &at, TRUE);
	if (EFI_ERROR(st)) {
		Print(L"sable.efi: ERROR: cannot allocate [0x%lx, 0x%lx) for %a: %r\r\n", lo, hi,
		      path, st);
		FreePool(img);
		return st;
	}
	ZeroMem((void *)(UINTN)lo, hi - lo);
	for (size_t i = 0; i < kern.nsegs; i++)
		CopyMem((void *)(UINTN)kern.segs[i].paddr, (uint8_t *)img + kern.segs[i].offset,
		        kern.segs[i].filesz);
	FreePool(img);
	Print(L"sable.efi: %a at [0x%lx, 0x%lx), entry 0x%lx\r\n", path, lo, hi, kern.entry);
	return EFI_SUCCESS;
}

/* The ACPI RSDPs from the configuration table: 2.0 first, 1.0 second. */
static EFI_STATUS find_acpi(void)
{
	_Static_assert(sizeof(struct efi_config_entry) == sizeof(EFI_CONFIGURATION_TABLE),
	               "EFI_CONFIGURATION_TABLE layout");
	struct efi_acpi acpi;

	if (efi_acpi_find((const struct efi_config_entry *)ST->ConfigurationTable,
	                  ST->NumberOfTableEntries, &acpi) < 0) {
		efi_io_error("no ACPI table", "the EFI configuration table has no valid RSDP");
		return EFI_NOT_FOUND;
	}
	if (acpi.rsdp_new) {
		CopyMem(rsdp_new, (void *)acpi.rsdp_new, (UINTN)acpi.rsdp_new_len);
		rsdp_new_len = acpi.rsdp_new_len;
	}
	if (acpi.rsdp_old) {
		CopyMem(rsdp_old, (void *)acpi.rsdp_old, RSDP_V1_LEN);
		have_old = TRUE;
	}
	return EFI_SUCCESS;
}

/* Bit position and width of a contiguous mask. */
static void mask_field(uint32_t mask, uint8_t *pos, uint8_t *size)
{
	*pos = 0;
	*size = 0;
	while (mask != 0 && !(mask & 1)) {
		mask >>= 1;
		(*pos)++;
	}
	while (mask & 1) {
		mask >>= 1;
		(*size)++;
	}
}

/* The GOP framebuffer, when the firmware has a linear one. */
static void find_framebuffer(void)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL,
	                                (void **)&gop)) ||
	    gop->Mode == NULL || gop->Mode->Info == NULL)
		return;
	info = gop->Mode->Info;
	fb.addr = gop->Mode->FrameBufferBase;
	fb.width = info->HorizontalResolution;
	fb.height = info->VerticalResolution;
	fb.pitch = info->PixelsPerScanLine * 4;
	fb.bpp = 32;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb = (struct efi_mb2_fb){fb.addr, fb.pitch, fb.width, fb.height, 32, 0,
		                         8,       8,        8,        16,        8};
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb = (struct efi_mb2_fb){fb.addr, fb.pitch, fb.width, fb.height, 32, 16,
		                         8,       8,        8,        0,         8};
		break;
	case PixelBitMask:
		mask_field(info->PixelInformation.RedMask, &fb.red_pos, &fb.red_size);
		mask_field(info->PixelInformation.GreenMask, &fb.green_pos, &fb.green_size);
		mask_field(info->PixelInformation.BlueMask, &fb.blue_pos, &fb.blue_size);
		break;
	default: /* BLT only: no linear framebuffer */
		return;
	}
	have_fb = TRUE;
}

/*
 * Gets the final memory map, builds the boot information from it and exits
 * boot services, retrying with a fresh map key when the map changed in
 * between (UEFI 2.10 sec. 7.4, ExitBootServices). Nothing here allocates.
 */
static EFI_STATUS exit_boot_services(EFI_HANDLE image, void *map, void *mbi)
{
	struct efi_mb2_input in = {0};
	EFI_STATUS st = EFI_LOAD_ERROR;

	in.cmdline = args.cmdline[0] ? args.cmdline : cfg.cmdline;
	in.modules = mods;
	in.nmodules = cfg.nmodules;
	in.rsdp_new = rsdp_new_len ? rsdp_new : NULL;
	in.rsdp_new_len = (size_t)rsdp_new_len;
	in.rsdp_old = have_old ? rsdp_old : NULL;
	in.efi_system_table = (uint64_t)(UINTN)ST;
	in.fb = have_fb ? &fb : NULL;
	for (int attempt = 0; attempt < EBS_ATTEMPTS; attempt++) {
		UINTN size = MAP_BYTES, key, dsize;
		UINT32 dver;
		int n;

		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key, &dsize, &dver);
		if (EFI_ERROR(st))
			break;
		n = efi_mmap_convert(map, size, dsize, regions, MAX_REGIONS);
		if (n < 0)
			return EFI_BUFFER_TOO_SMALL;
		in.mmap = regions;
		in.nmmap = (size_t)n;
		if (efi_mb2_build(&in, mbi, MBI_PAGES * EFI_PAGE_SIZE) < 0)
			return EFI_BUFFER_TOO_SMALL;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	return st;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_PHYSICAL_ADDRESS tramp = BELOW_4G, mbi = BELOW_4G, map = 0;
	UINTN tsize = (UINTN)(efi_trampoline_end - efi_trampoline_start);
	EFI_LOADED_IMAGE *li;
	EFI_STATUS st;

	InitializeLib(image, systab);
	efi_io_info("Sable UEFI loader");
	st = efi_io_open_volume(image, &li, dir, sizeof(dir));
	if (!EFI_ERROR(st))
		st = read_options(li);
	if (!EFI_ERROR(st))
		st = read_config();
	if (!EFI_ERROR(st))
		st = find_acpi();
	/* the kernel's fixed range first, before module pages could take it */
	if (!EFI_ERROR(st))
		st = load_kernel();
	if (!EFI_ERROR(st))
		st = load_modules();
	if (!EFI_ERROR(st)) {
		st = efi_io_pages(AllocateMaxAddress, 1, &tramp, TRUE);
		if (!EFI_ERROR(st))
			st = efi_io_pages(AllocateMaxAddress, MBI_PAGES, &mbi, FALSE);
		if (!EFI_ERROR(st))
			st = efi_io_pages(AllocateAnyPages, MAP_BYTES / EFI_PAGE_SIZE, &map, FALSE);
		if (EFI_ERROR(st))
			efi_io_error_status("out of memory for the boot information", st);
	}
	if (EFI_ERROR(st)) {
		efi_io_free_all();
		efi_io_info("returning to the firmware");
		return st;
	}
	find_framebuffer();
	CopyMem((void *)(UINTN)tramp, efi_trampoline_start, tsize);
	Print(L"sable.efi: %u module(s), ACPI %a, command line: %a\r\n", (unsigned)cfg.nmodules,
	      rsdp_new_len ? "2.0" : "1.0", args.cmdline[0] ? args.cmdline : cfg.cmdline);
	efi_io_info("exiting boot services and starting Sable");
	st = exit_boot_services(image, (void *)(UINTN)map, (void *)(UINTN)mbi);
	if (EFI_ERROR(st)) {
		/* boot services may be half gone: report and hand back */
		efi_io_error_status("ExitBootServices failed", st);
		return st;
	}
	((trampoline_fn)(UINTN)tramp)((uint32_t)kern.entry, (uint32_t)mbi);
}
