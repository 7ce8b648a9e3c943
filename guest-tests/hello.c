// SPDX-License-Identifier: MIT
/*
 * hello: the smallest useful guest. Checks the multiboot hand-over (magic,
 * memory sizes, command line, memory map) and the fw_cfg device.
 */
#include "guest.h"

#define CMDLINE_MAX 4096

/* Highest byte address + 1 the loader reported as RAM (4 GiB if unknown). */
static uint64_t ram_top(const struct multiboot_info *mbi)
{
	if (!(mbi->flags & MBI_FLAG_MEM))
		return 1ull << 32;
	return 0x100000ull + (uint64_t)mbi->mem_upper * 1024;
}

/* Checks mem_lower/mem_upper (flag bit 0). */
static void check_mem(const struct multiboot_info *mbi)
{
	if (!CHECK(mbi->flags & MBI_FLAG_MEM, "no mem_lower/mem_upper (flags=0x%x)", mbi->flags))
		return;
	info("mem_lower=%u KiB mem_upper=%u KiB", mbi->mem_lower, mbi->mem_upper);
	CHECK(mbi->mem_upper > 1024, "mem_upper=%u KiB, want > 1024", mbi->mem_upper);
}

/* Checks that the command line (flag bit 2) is in RAM and NUL-terminated. */
static void check_cmdline(const struct multiboot_info *mbi)
{
	const char *cmdline;
	uint64_t room;
	size_t len, max;

	if (!CHECK(mbi->flags & MBI_FLAG_CMDLINE, "no cmdline (flags=0x%x)", mbi->flags))
		return;
	if (!CHECK(mbi->cmdline && mbi->cmdline < ram_top(mbi), "cmdline at 0x%08x is outside RAM",
	           mbi->cmdline))
		return;
	room = ram_top(mbi) - mbi->cmdline;
	max = room < CMDLINE_MAX ? (size_t)room : CMDLINE_MAX;
	cmdline = (const char *)(uintptr_t)mbi->cmdline;
	len = strnlen(cmdline, max);
	if (!CHECK(len < max, "cmdline at 0x%08x not NUL-terminated", mbi->cmdline))
		return;
	info("cmdline=\"%s\"", cmdline);
}

/* Checks the memory map (flag bit 6) has a type-1 entry covering 1 MiB. */
static void check_mmap(const struct multiboot_info *mbi)
{
	const struct multiboot_mmap_entry *e;
	bool covers_1m = false;
	int n = 0;

	if (!CHECK(mbi->flags & MBI_FLAG_MMAP, "no memory map (flags=0x%x)", mbi->flags))
		return;
	if (!CHECK(mbi->mmap_addr && mbi->mmap_length >= sizeof(*e),
	           "empty memory map (addr=0x%x length=%u)", mbi->mmap_addr, mbi->mmap_length))
		return;
	for (e = mmap_first(mbi); mmap_valid(e, mbi); e = mmap_next(e)) {
		if (!CHECK(e->size >= 20 && n < 128, "bad mmap entry %d (size=%u)", n, e->size))
			return;
		info("mmap %d: base=0x%016llx len=0x%016llx type=%u", n, e->addr, e->len, e->type);
		if (e->type == MULTIBOOT_MEMORY_AVAILABLE && e->addr <= 0x100000 &&
		    e->addr + e->len > 0x100000)
			covers_1m = true;
		n++;
	}
	CHECK(covers_1m, "no type-1 mmap entry covers 1 MiB (%d entries)", n);
}

/* Modules (flag bit 3): each in RAM, page-aligned; prints the first line of each. */
static void check_modules(const struct multiboot_info *mbi)
{
	const struct multiboot_module *m;
	char first[64];

	if (!(mbi->flags & MBI_FLAG_MODS) || mbi->mods_count == 0) {
		test_skip("hello-modules", "no modules given");
		return;
	}
	test_begin("hello-modules");
	m = (const struct multiboot_module *)(uintptr_t)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count && i < 16; i++) {
		uint32_t len = m[i].mod_end - m[i].mod_start, n = 0;
		const char *p = (const char *)(uintptr_t)m[i].mod_start;

		if (!CHECK(m[i].mod_end >= m[i].mod_start && m[i].mod_end <= ram_top(mbi),
		           "module %u [0x%x, 0x%x) outside RAM", i, m[i].mod_start, m[i].mod_end) ||
		    !CHECK((m[i].mod_start & 0xfff) == 0, "module %u at 0x%x not page-aligned", i,
		           m[i].mod_start))
			break;
		while (n < len && n < sizeof(first) - 1 && p[n] != '\n') {
			first[n] = p[n] >= 32 && p[n] < 127 ? p[n] : '.';
			n++;
		}
		first[n] = 0;
		info("module %u: %u bytes, cmdline \"%s\", first line \"%s\"", i, len,
		     m[i].string ? (const char *)(uintptr_t)m[i].string : "", first);
	}
	test_end();
}

/* fw_cfg: signature "QEMU", ID bit 0, a sane CPU count, RAM size if provided. */
static void check_fw_cfg(const struct multiboot_info *mbi)
{
	uint32_t id;
	uint16_t cpus;
	uint64_t ram;

	if (!fw_cfg_present()) {
		if (under_sable())
			test_fail("hello-fwcfg", "no fw_cfg signature \"QEMU\" at port 0x510");
		else
			test_skip("hello-fwcfg", "no fw_cfg device");
		return;
	}
	test_begin("hello-fwcfg");
	id = fw_cfg_read_u32(FW_CFG_ID);
	cpus = fw_cfg_read_u16(FW_CFG_NB_CPUS);
	ram = fw_cfg_read_u64(FW_CFG_RAM_SIZE);
	info("fw_cfg id=0x%x cpus=%u ram_size=%llu", id, cpus, ram);
	CHECK(id & 1, "fw_cfg ID 0x%x lacks the traditional-interface bit", id);
	CHECK(cpus >= 1 && cpus <= 256, "fw_cfg CPU count %u", cpus);
	if (ram && (mbi->flags & MBI_FLAG_MEM))
		CHECK(ram >= 0x100000ull + (uint64_t)mbi->mem_upper * 1024,
		      "fw_cfg RAM size %llu below multiboot RAM top %llu", ram, ram_top(mbi));
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	static const char e9_msg[] = "hello from guest (port 0xe9)\n";

	puts("hello from guest");
	debugcon_write(e9_msg, sizeof(e9_msg) - 1);

	test_begin("hello");
	if (CHECK(magic == MULTIBOOT_BOOTLOADER_MAGIC, "bad multiboot magic 0x%08x", magic) &&
	    CHECK(mbi != NULL, "no multiboot info")) {
		info("mbi=0x%08x flags=0x%08x", (uint32_t)(uintptr_t)mbi, mbi->flags);
		check_mem(mbi);
		check_cmdline(mbi);
		check_mmap(mbi);
	}
	test_end();

	if (magic == MULTIBOOT_BOOTLOADER_MAGIC && mbi) {
		check_modules(mbi);
		check_fw_cfg(mbi);
	}
	tests_finish();
}
