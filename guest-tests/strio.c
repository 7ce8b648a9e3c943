// SPDX-License-Identifier: MIT
/*
 * strio: string I/O the hypervisor must emulate. Lines printed with REP OUTSB (forward
 * and, with DF=1, backward), OUTSW, REP OUTSD, a 16-bit address size and an FS override
 * reach COM1 (the harness checks them); REP INSB/INSW/INSD read the fw_cfg signature
 * "QEMU" from port 0x511. Each instruction's final RSI/RDI/RCX are checked. With paging
 * on, REP OUTSB running into a not-present page stops there with #PF (CR2, error code,
 * registers at the faulting element), and REP INSB into a read-only page faults without
 * consuming port data. A segment limit violation is #GP(0), and a 20000-byte REP OUTSB
 * (many exits' worth) completes. With a command line starting "badmem" it instead reads
 * a string from outside its RAM, and the hypervisor must stop it.
 */
#include "guest.h"

#define FWCFG_SEL  0x510
#define FWCFG_DATA 0x511
#define LOW_BUF    0x7000u /* below 64 KiB, for 16-bit addressing */
#define FS_SEL     0x18    /* data, base LOW_BUF, limit 0xfff */
#define CR0_WP     (1u << 16)
#define CR0_PG     (1u << 31)
#define SINK_PORT  0x80 /* no device: writes are dropped */

static uint64_t gdt[4] __attribute__((aligned(8))) = {
	0,
	0x00CF9B000000FFFFull,
	0x00CF93000000FFFFull,
	0x0040930070000FFFull,
};
static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));
static uint8_t pages[3][4096] __attribute__((aligned(4096))); /* ok, absent, read-only */
static uint8_t big[20000];

struct regs {
	uint32_t esi, edi, ecx;
};

#define STRING_OP(insn, r, port)                                                                   \
	asm volatile(insn : "+S"((r)->esi), "+D"((r)->edi), "+c"((r)->ecx) : "d"(port) : "memory")

static void test_rep_outsb(void)
{
	static const char line[] = "INFO strio forward: rep outsb to COM1\n";
	struct regs r = {(uint32_t)(uintptr_t)line, 0x1234, sizeof(line) - 1};

	test_begin("strio-rep-outsb");
	STRING_OP("rep outsb", &r, COM1_PORT);
	CHECK(r.esi == (uint32_t)(uintptr_t)line + sizeof(line) - 1, "ESI 0x%x", r.esi);
	CHECK(r.ecx == 0, "ECX %u", r.ecx);
	CHECK(r.edi == 0x1234, "EDI changed: 0x%x", r.edi);
	test_end();
}

static void test_rep_outsb_backward(void)
{
	static const char text[] = "INFO strio backward: rep outsb with DF=1\n";
	char rev[sizeof(text)];
	unsigned n = sizeof(text) - 1;
	struct regs r;

	for (unsigned i = 0; i < n; i++)
		rev[i] = text[n - 1 - i];
	r = (struct regs){(uint32_t)(uintptr_t)&rev[n - 1], 0, n};
	test_begin("strio-rep-outsb-backward");
	STRING_OP("std; rep outsb; cld", &r, COM1_PORT);
	CHECK(r.esi == (uint32_t)(uintptr_t)rev - 1, "ESI 0x%x, want 0x%x", r.esi,
	      (uint32_t)(uintptr_t)rev - 1);
	CHECK(r.ecx == 0, "ECX %u", r.ecx);
	test_end();
}

/* Words and dwords to the UART: its data register takes the low byte of each, the
 * other bytes go to the registers above it. */
static void test_outsw_outsd(void)
{
	static const char text[] = "INFO strio outsw and rep outsd\n";
	uint16_t w[sizeof(text)];
	uint32_t d[sizeof(text)];
	unsigned n = sizeof(text) - 1, half = 16; /* "INFO strio outsw" by OUTSW, the rest OUTSD */
	struct regs r;

	for (unsigned i = 0; i < n; i++) {
		/* a bus splits wider writes into bytes for the next registers: keep them as
		 * serial_init() set them (IER 0, FIFOs on without clearing them, LCR 0x03) */
		w[i] = (uint8_t)text[i];
		d[i] = 0x03c10000u | (uint8_t)text[i];
	}
	test_begin("strio-outsw-outsd");
	r = (struct regs){(uint32_t)(uintptr_t)w, 0, 0};
	for (unsigned i = 0; i < half; i++)
		STRING_OP("outsw", &r, COM1_PORT); /* no REP: ECX stays 0 */
	CHECK(r.esi == (uint32_t)(uintptr_t)&w[half], "OUTSW ESI 0x%x", r.esi);
	CHECK(r.ecx == 0, "OUTSW changed ECX: %u", r.ecx);
	r = (struct regs){(uint32_t)(uintptr_t)&d[half], 0, n - half};
	STRING_OP("rep outsl", &r, COM1_PORT);
	CHECK(r.esi == (uint32_t)(uintptr_t)&d[n], "REP OUTSD ESI 0x%x", r.esi);
	CHECK(r.ecx == 0, "REP OUTSD ECX %u", r.ecx);
	test_end();
}

static void test_ins(void)
{
	char buf[8];
	struct regs r;

	test_begin("strio-rep-insb");
	memset(buf, 0, sizeof(buf));
	outw(FWCFG_SEL, 0);
	r = (struct regs){0, (uint32_t)(uintptr_t)buf, 4};
	STRING_OP("rep insb", &r, FWCFG_DATA);
	CHECK(memcmp(buf, "QEMU", 5) == 0, "read \"%s\"", buf);
	CHECK(r.edi == (uint32_t)(uintptr_t)buf + 4 && r.ecx == 0, "EDI 0x%x ECX %u", r.edi, r.ecx);
	test_end();

	test_begin("strio-rep-insb-backward");
	memset(buf, 0, sizeof(buf));
	outw(FWCFG_SEL, 0);
	r = (struct regs){0, (uint32_t)(uintptr_t)&buf[3], 4};
	STRING_OP("std; rep insb; cld", &r, FWCFG_DATA);
	CHECK(memcmp(buf, "UMEQ", 5) == 0, "read \"%s\"", buf);
	CHECK(r.edi == (uint32_t)(uintptr_t)buf - 1, "EDI 0x%x", r.edi);
	test_end();

	if (!under_sable()) {
		test_skip("strio-insw-insd", "wide reads of fw_cfg's data port are Sable's");
		return;
	}
	test_begin("strio-insw-insd");
	memset(buf, 0, sizeof(buf));
	outw(FWCFG_SEL, 0);
	r = (struct regs){0, (uint32_t)(uintptr_t)buf, 2};
	STRING_OP("rep insw", &r, FWCFG_DATA);
	CHECK(memcmp(buf, "QEMU", 5) == 0, "REP INSW read \"%s\"", buf);
	CHECK(r.edi == (uint32_t)(uintptr_t)buf + 4, "REP INSW EDI 0x%x", r.edi);
	memset(buf, 0, sizeof(buf));
	outw(FWCFG_SEL, 0);
	r = (struct regs){0, (uint32_t)(uintptr_t)buf, 99};
	STRING_OP("insl", &r, FWCFG_DATA);
	CHECK(memcmp(buf, "QEMU", 5) == 0, "INSD read \"%s\"", buf);
	CHECK(r.edi == (uint32_t)(uintptr_t)buf + 4 && r.ecx == 99, "INSD EDI 0x%x ECX %u", r.edi,
	      r.ecx);
	test_end();
}

/* 0x67: SI and CX, the upper halves of ESI and ECX untouched. */
static void test_addr16(void)
{
	static const char line[] = "INFO strio addr16: rep outsb with SI and CX\n";
	unsigned n = sizeof(line) - 1;
	struct regs r = {0xabcd0000u | LOW_BUF, 0, 0x12340000u | n};

	memcpy((void *)LOW_BUF, line, n);
	test_begin("strio-addr16");
	STRING_OP(".byte 0x67; rep outsb", &r, COM1_PORT);
	CHECK(r.esi == (0xabcd0000u | (LOW_BUF + n)), "ESI 0x%x", r.esi);
	CHECK(r.ecx == 0x12340000u, "ECX 0x%x", r.ecx);
	test_end();
}

static void load_fs(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};

	asm volatile("lgdt %0; mov %1, %%fs" : : "m"(gdtr), "r"(FS_SEL) : "memory");
}

static void test_fs_override(void)
{
	static const char line[] = "INFO strio fs: rep outsb through an FS override\n";
	unsigned n = sizeof(line) - 1;
	struct regs r = {0x100, 0, n};

	memcpy((void *)(LOW_BUF + 0x100), line, n);
	test_begin("strio-fs-override");
	STRING_OP("rep outsb %%fs:(%%esi), (%%dx)", &r, COM1_PORT);
	CHECK(r.esi == 0x100 + n && r.ecx == 0, "ESI 0x%x ECX %u", r.esi, r.ecx);
	test_end();

	/* the byte at 0xfff is inside the 0xfff limit, the next one is not: #GP(0) with
	 * the registers at the second element (to a port without a device) */
	r = (struct regs){0xfff, 0, 2};
	fault_arm();
	asm volatile("1: rep outsb %%fs:(%%esi), (%%dx)\n2:\n\t" EXTABLE(1b, 2b)
	             : "+S"(r.esi), "+c"(r.ecx)
	             : "d"(SINK_PORT)
	             : "memory");
	if (fault_vector < 0 && under_tcg()) {
		test_skip("strio-limit-gp", "QEMU TCG does not check segment limits");
		return;
	}
	test_begin("strio-limit-gp");
	CHECK(fault_vector == X86_GP && fault_error == 0, "vector %d error 0x%x, want #GP(0)",
	      fault_vector, fault_error);
	CHECK(r.esi == 0x1000 && r.ecx == 1, "ESI 0x%x ECX %u, want 0x1000 and 1", r.esi, r.ecx);
	test_end();
}

static void test_page_faults(void)
{
	static const char part[] = "INFO strio pf: the line up to the absent page\n";
	unsigned n = sizeof(part) - 1;
	uint8_t *start = pages[1] - n;
	uint32_t cr0 = read_cr0();
	struct regs r;
	uint8_t next;

	for (unsigned i = 0; i < 1024; i++)
		pt[i] = (i << 12) | 3;
	pt[(uintptr_t)pages[1] >> 12] = 0;                       /* not present */
	pt[(uintptr_t)pages[2] >> 12] = (uintptr_t)pages[2] | 1; /* read-only */
	pd[0] = (uint32_t)(uintptr_t)pt | 3;
	memcpy(start, part, n);
	asm volatile("mov %0, %%cr3" : : "r"(pd) : "memory");
	write_cr0(cr0 | CR0_PG | CR0_WP);

	r = (struct regs){(uint32_t)(uintptr_t)start, 0, n + 10};
	fault_arm();
	asm volatile("1: rep outsb\n2:\n\t" EXTABLE(1b, 2b)
	             : "+S"(r.esi), "+c"(r.ecx)
	             : "d"(COM1_PORT)
	             : "memory");
	uint32_t cr2 = read_cr2();
	int vec1 = fault_vector;
	uint32_t err1 = fault_error, esi1 = r.esi, ecx1 = r.ecx;

	outw(FWCFG_SEL, 0);
	r.edi = (uint32_t)(uintptr_t)pages[2];
	r.ecx = 4;
	fault_arm();
	asm volatile("1: rep insb\n2:\n\t" EXTABLE(1b, 2b)
	             : "+D"(r.edi), "+c"(r.ecx)
	             : "d"(FWCFG_DATA)
	             : "memory");
	int vec2 = fault_vector;
	uint32_t err2 = fault_error, cr2b = read_cr2();
	next = inb(FWCFG_DATA);
	write_cr0(cr0);

	test_begin("strio-pf-outsb");
	CHECK(vec1 == 14, "vector %d, want #PF", vec1);
	CHECK(err1 == 0, "error code 0x%x, want 0 (read, not present)", err1);
	CHECK(cr2 == (uint32_t)(uintptr_t)pages[1], "CR2 0x%x, want 0x%x", cr2,
	      (uint32_t)(uintptr_t)pages[1]);
	CHECK(esi1 == (uint32_t)(uintptr_t)pages[1] && ecx1 == 10,
	      "stopped at ESI 0x%x ECX %u, want the first absent byte and 10 left", esi1, ecx1);
	test_end();
	test_begin("strio-pf-insb-readonly");
	CHECK(vec2 == 14, "vector %d, want #PF", vec2);
	CHECK(err2 == 3, "error code 0x%x, want 3 (write, protection)", err2);
	CHECK(cr2b == (uint32_t)(uintptr_t)pages[2], "CR2 0x%x", cr2b);
	CHECK(r.ecx == 4 && r.edi == (uint32_t)(uintptr_t)pages[2], "ECX %u EDI 0x%x", r.ecx,
	      r.edi);
	CHECK(next == 'Q', "port data consumed by the faulting INSB: next byte 0x%x", next);
	test_end();
}

static void test_huge_rep(void)
{
	struct regs r = {(uint32_t)(uintptr_t)big, 0, sizeof(big)};

	test_begin("strio-rep-20000");
	STRING_OP("rep outsb", &r, SINK_PORT);
	CHECK(r.esi == (uint32_t)(uintptr_t)big + sizeof(big) && r.ecx == 0, "ESI 0x%x ECX %u",
	      r.esi, r.ecx);
	test_end();
}

/* REP OUTSB from guest-physical memory that is not RAM: the hypervisor stops the VM. */
static void outs_from_outside_ram(void)
{
	struct regs r = {0xc0000000u, 0, 16};

	puts("INFO strio: rep outsb from outside guest RAM");
	serial_flush();
	STRING_OP("rep outsb", &r, COM1_PORT);
	test_fail("strio-outside-ram", "still running after REP OUTSB from 0xc0000000");
	tests_finish();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmdline = "";

	if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_FLAG_CMDLINE))
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	if (strncmp(cmdline, "badmem", 6) == 0 && under_sable())
		outs_from_outside_ram();
	serial_flush();
	test_rep_outsb();
	test_rep_outsb_backward();
	test_outsw_outsd();
	test_ins();
	test_addr16();
	load_fs();
	test_fs_override();
	test_page_faults();
	test_huge_rep();
	tests_finish();
}
