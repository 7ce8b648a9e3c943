/* Linux bzImage loader (Linux x86 boot protocol, boot.rst; zero page: zero-page.rst). */
#include <stdarg.h>

#include "err.h"
#include "types.h"
#include "hv/loader/bzimage.h"
#include "hv/lib/format.h"
#include "le.h"

#define SECTOR          512
#define DEFAULT_SECTS   4 /* setup_sects 0 means 4 (boot.rst, "setup_sects") */
#define SETUP_MAX_SECTS 64
#define E820_ENTRY_SIZE 20
#define ADDR32_END      0x100000000ull

static __printf(3, 4) int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int bzimage_parse(const void *image, size_t len, struct bzimage_info *info, char *err,
                  size_t errlen)
{
	const uint8_t *p = image;
	uint32_t sects, end, payload_off, payload_len;

	if (err && errlen)
		err[0] = '\0';
	if (len < BZ_HEADER + 6)
		return fail(err, errlen, "%zu bytes: too short for a bzImage setup header", len);
	if (le16(p + BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC || le32(p + BZ_HEADER) != BZ_HEADER_MAGIC)
		return fail(err, errlen,
		            "no boot flag 0xAA55 and \"HdrS\" magic: not a bzImage "
		            "(or its header is corrupted)");
	info->version = le16(p + BZ_VERSION);
	if (info->version < BZ_MIN_VERSION)
		return fail(err, errlen, "boot protocol %u.%02u, Sable needs 2.12 or later",
		            info->version >> 8, info->version & 0xff);
	end = 0x202u + p[BZ_HEADER_END_BYTE];
	sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : DEFAULT_SECTS;
	info->setup_size = (sects + 1) * SECTOR;
	if (sects > SETUP_MAX_SECTS || end < BZ_HEADER_MIN_END || end > info->setup_size)
		return fail(err, errlen, "corrupted setup header (setup_sects %u, header end 0x%x)",
		            sects, end);
	if (len < info->setup_size)
		return fail(err, errlen, "truncated: %zu bytes, the setup code alone is %u", len,
		            info->setup_size);
	info->header_end = end;
	info->pm_size = le32(p + BZ_SYSSIZE) * 16u;
	info->loadflags = p[BZ_LOADFLAGS];
	info->relocatable = p[BZ_RELOCATABLE] != 0;
	info->kernel_alignment = le32(p + BZ_KERNEL_ALIGNMENT);
	info->pref_address = le64(p + BZ_PREF_ADDRESS);
	info->init_size = le32(p + BZ_INIT_SIZE);
	info->cmdline_size = le32(p + BZ_CMDLINE_SIZE);
	info->initrd_addr_max = le32(p + BZ_INITRD_ADDR_MAX);
	info->xloadflags = le16(p + BZ_XLOADFLAGS);
	if (info->pm_size == 0)
		return fail(err, errlen, "corrupted setup header: syssize 0");
	if (len - info->setup_size < info->pm_size)
		return fail(
			err, errlen,
			"truncated: %zu bytes, the header declares %u of setup and %u of kernel",
			len, info->setup_size, info->pm_size);
	if (!(info->loadflags & BZ_LOADED_HIGH))
		return fail(err, errlen, "a zImage (not loaded high): not supported");
	if (info->init_size < info->pm_size)
		return fail(err, errlen,
		            "corrupted setup header: init_size %u below the kernel's %u",
		            info->init_size, info->pm_size);
	if (info->relocatable && !is_pow2(info->kernel_alignment))
		return fail(err, errlen, "corrupted setup header: kernel_alignment 0x%x",
		            info->kernel_alignment);
	payload_off = le32(p + BZ_PAYLOAD_OFFSET);
	payload_len = le32(p + BZ_PAYLOAD_LENGTH);
	if ((uint64_t)payload_off + payload_len > info->pm_size)
		return fail(err, errlen,
		            "corrupted setup header: payload [0x%x, +0x%x) beyond the "
		            "kernel's %u bytes",
		            payload_off, payload_len, info->pm_size);
	return 0;
}

/* Load address: pref_address if it is aligned and fits, else the lowest
 * aligned address from 1 MiB (relocatable kernels); 1 MiB otherwise, where a
 * non-relocatable kernel moves itself to pref_address (boot.rst). */
static void choose_load(const struct bzimage_info *info, uint64_t mem_size,
                        struct bzimage_plan *plan)
{
	uint64_t pref = info->pref_address;

	if (!info->relocatable) {
		plan->load_gpa = BZ_HIGH_START;
		plan->kernel_end = MAX(BZ_HIGH_START, pref) + info->init_size;
		return;
	}
	if (pref >= BZ_HIGH_START && IS_ALIGNED(pref, info->kernel_alignment) &&
	    pref + info->init_size <= mem_size)
		plan->load_gpa = pref;
	else
		plan->load_gpa = ALIGN_UP(BZ_HIGH_START, (uint64_t)info->kernel_alignment);
	plan->kernel_end = plan->load_gpa + info->init_size;
}

int bzimage_plan(const struct bzimage_info *info, uint64_t mem_size, size_t cmdline_len,
                 uint64_t initrd_len, struct bzimage_plan *plan, char *err, size_t errlen)
{
	uint64_t top;

	if (err && errlen)
		err[0] = '\0';
	if (cmdline_len > info->cmdline_size || cmdline_len >= BZ_CMDLINE_ROOM)
		return fail(err, errlen, "command line of %zu bytes, the kernel takes at most %u",
		            cmdline_len, MIN(info->cmdline_size, (uint32_t)BZ_CMDLINE_ROOM - 1));
	if (initrd_len >= mem_size)
		return fail(err, errlen,
		            "initrd of %lu bytes is larger than the guest's %lu MiB of RAM",
		            initrd_len, mem_size >> 20);
	choose_load(info, mem_size, plan);
	if (plan->kernel_end > mem_size)
		return fail(err, errlen,
		            "the kernel needs RAM up to 0x%lx (init_size %u), the guest "
		            "has %lu MiB",
		            plan->kernel_end, info->init_size, mem_size >> 20);
	plan->initrd_gpa = 0;
	plan->initrd_len = initrd_len;
	if (!initrd_len)
		return 0;
	top = MIN(mem_size, MIN((uint64_t)info->initrd_addr_max + 1, ADDR32_END));
	if (top < initrd_len || ALIGN_DOWN(top - initrd_len, PAGE_SIZE) < plan->kernel_end) {
		fail(err, errlen,
		     "initrd of %lu bytes does not fit between the kernel (up to 0x%lx) "
		     "and 0x%lx",
		     initrd_len, plan->kernel_end, top);
		return -ENOSPC;
	}
	plan->initrd_gpa = ALIGN_DOWN(top - initrd_len, PAGE_SIZE);
	return 0;
}

/* Appends e820 entry [base, base + size) of type to the zero page bp. */
static void e820_add(uint8_t *bp, uint64_t base, uint64_t size, uint32_t type)
{
	uint8_t n = bp[BP_E820_ENTRIES];
	uint8_t *e = bp + BP_E820_TABLE + (size_t)n * E820_ENTRY_SIZE;

	if (!size || n >= BP_E820_MAX)
		return;
	put_le64(e, base);
	put_le64(e + 8, size);
	put_le32(e + 16, type);
	bp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
}

uint64_t bzimage_load(const struct bzimage_info *info, const struct bzimage_plan *plan,
                      const struct bzimage_load *req, uint8_t *ram)
{
	const uint8_t *img = req->image;
	uint8_t *bp = ram + BZ_BOOT_PARAMS_GPA;
	size_t clen = req->cmdline ? __builtin_strlen(req->cmdline) : 0;

	__builtin_memcpy(ram + plan->load_gpa, img + info->setup_size, info->pm_size);
	if (plan->initrd_len)
		__builtin_memcpy(ram + plan->initrd_gpa, req->initrd, plan->initrd_len);
	__builtin_memcpy(ram + BZ_CMDLINE_GPA, req->cmdline ? req->cmdline : "", clen);
	ram[BZ_CMDLINE_GPA + clen] = 0;

	__builtin_memset(bp, 0, BP_SIZE);
	__builtin_memcpy(bp + BZ_SETUP_SECTS, img + BZ_SETUP_SECTS,
	                 info->header_end - BZ_SETUP_SECTS);
	put_le16(bp + BZ_VID_MODE, BZ_VID_NORMAL);
	bp[BZ_TYPE_OF_LOADER] = BZ_LOADER_UNDEF;
	put_le32(bp + BZ_CODE32_START, (uint32_t)plan->load_gpa);
	put_le32(bp + BZ_RAMDISK_IMAGE, (uint32_t)plan->initrd_gpa);
	put_le32(bp + BZ_RAMDISK_SIZE, (uint32_t)plan->initrd_len);
	put_le32(bp + BZ_CMD_LINE_PTR, (uint32_t)BZ_CMDLINE_GPA);
	put_le64(bp + BP_ACPI_RSDP_ADDR, req->acpi_rsdp);

	e820_add(bp, 0, BZ_LOW_RAM_END, E820_RAM);
	e820_add(bp, BZ_LOW_RAM_END, 0xa0000 - BZ_LOW_RAM_END, E820_RESERVED);
	e820_add(bp, BZ_BIOS_START, BZ_HIGH_START - BZ_BIOS_START, E820_RESERVED);
	e820_add(bp, BZ_HIGH_START, req->mem_size - BZ_HIGH_START, E820_RAM);
	return BZ_BOOT_PARAMS_GPA;
}
