/* Unit tests for tests/kvm-runner/bench_platform.c: the bench guest's platform under KVM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/loader/mbinfo.h"
#include "tests/kvm-runner/bench_platform.h"

#define MAX_LINES 8
#define RAM_SIZE  (4u << 20)

static struct {
	char lines[MAX_LINES][BP_LINE_MAX + 1];
	size_t n;
} sink;
static struct bench_platform plat;

static void record(void *ctx, const char *line, size_t len)
{
	assert_ptr_equal(ctx, &sink);
	assert_true(sink.n < MAX_LINES);
	memcpy(sink.lines[sink.n], line, len);
	sink.lines[sink.n++][len] = '\0';
}

static int setup(void **state)
{
	memset(&sink, 0, sizeof(sink));
	memset(&plat, 0xa5, sizeof(plat));
	bp_init(&plat, record, &sink);
	return 0;
}

static void out8(uint16_t port, uint8_t v)
{
	uint32_t x = v;

	bp_io(&plat, port, false, 1, &x);
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t x = 0x5a5a5a5a;

	bp_io(&plat, port, true, size, &x);
	return x;
}

static void puts_com1(const char *s)
{
	while (*s)
		out8(BP_COM1_BASE, (uint8_t)*s++);
}

static void com1_lines_are_relayed(void **state)
{
	puts_com1("BENCH cpuid ticks_per_op=971\r\nsec");
	assert_int_equal(sink.n, 1);
	assert_string_equal(sink.lines[0], "BENCH cpuid ticks_per_op=971");
	puts_com1("ond");
	bp_flush(&plat);
	assert_int_equal(sink.n, 2);
	assert_string_equal(sink.lines[1], "second");
	bp_flush(&plat);
	assert_int_equal(sink.n, 2);
}

static void long_line_is_split(void **state)
{
	for (int i = 0; i < BP_LINE_MAX + 3; i++)
		out8(BP_COM1_BASE, 'x');
	out8(BP_COM1_BASE, '\n');
	assert_int_equal(sink.n, 2);
	assert_int_equal(strlen(sink.lines[0]), BP_LINE_MAX);
	assert_string_equal(sink.lines[1], "xxx");
}

/* The guest library's serial_init: divisor bytes written with DLAB set are not output. */
static void divisor_writes_are_not_output(void **state)
{
	out8(BP_COM1_BASE + 3, 0x80);
	out8(BP_COM1_BASE + 0, 'A');
	out8(BP_COM1_BASE + 1, 'B');
	assert_int_equal(in(BP_COM1_BASE + 3, 1), 0x80);
	out8(BP_COM1_BASE + 3, 0x03);
	out8(BP_COM1_BASE + 1, 0x00);
	puts_com1("ok\n");
	assert_int_equal(sink.n, 1);
	assert_string_equal(sink.lines[0], "ok");
	assert_int_equal(in(BP_COM1_BASE + 3, 1), 0x03);
}

static void lsr_reports_an_empty_transmitter(void **state)
{
	assert_int_equal(in(BP_COM1_BASE + 5, 1), BP_LSR_IDLE);
	out8(BP_COM1_BASE + 7, 0x42);
	assert_int_equal(in(BP_COM1_BASE + 7, 1), 0x42);
	assert_int_equal(plat.unhandled, 0);
}

static void exit_port_keeps_the_first_status(void **state)
{
	assert_false(plat.exited);
	out8(BP_EXIT_PORT, 1);
	assert_true(plat.exited);
	assert_int_equal(plat.status, 1);
	out8(BP_EXIT_PORT, 0);
	assert_int_equal(plat.status, 1);
}

static void shutdown_string_ends_the_guest(void **state)
{
	const char *s = "ShuShutdown";

	for (const char *p = s; *p; p++) {
		assert_false(plat.exited);
		out8(BP_SHUTDOWN_PORT, (uint8_t)*p);
	}
	assert_true(plat.exited);
	assert_int_equal(plat.status, 0);
}

static void unknown_ports_read_all_ones(void **state)
{
	assert_int_equal(in(0x21, 1), 0xff);
	assert_int_equal(in(0x1234, 2), 0xffff);
	assert_int_equal(in(0xcfc, 4), 0xffffffffu);
	assert_int_equal(in(BP_COM1_BASE, 2), 0xffff); /* COM1 is byte-wide */
	out8(0x80, 0);
	assert_int_equal(plat.unhandled, 5);
	assert_int_equal(sink.n, 0);
}

/* A multiboot ELF32 kernel: one PT_LOAD at 1 MiB holding the header, 0x100 bytes of bss. */
static size_t make_kernel(uint8_t *img, uint16_t machine, uint8_t class)
{
	const uint32_t code = 0x100, filesz = 0x40, paddr = 0x100000;
	uint8_t *ph = img + 52;
	uint32_t mb[3] = {MB1_HEADER_MAGIC, 0, -MB1_HEADER_MAGIC};

	memset(img, 0, code + filesz);
	memcpy(img, "\177ELF", 4);
	img[4] = class, img[5] = 1, img[6] = 1;
	*(uint16_t *)(img + 16) = 2; /* ET_EXEC */
	*(uint16_t *)(img + 18) = machine;
	*(uint32_t *)(img + 20) = 1;
	*(uint32_t *)(img + 24) = paddr + 0x10; /* e_entry */
	*(uint32_t *)(img + 28) = 52;           /* e_phoff */
	*(uint16_t *)(img + 40) = 52;
	*(uint16_t *)(img + 42) = 32;
	*(uint16_t *)(img + 44) = 1;
	*(uint32_t *)(ph + 0) = 1; /* PT_LOAD */
	*(uint32_t *)(ph + 4) = code;
	*(uint32_t *)(ph + 8) = paddr;
	*(uint32_t *)(ph + 12) = paddr;
	*(uint32_t *)(ph + 16) = filesz;
	*(uint32_t *)(ph + 20) = filesz + 0x100;
	*(uint32_t *)(ph + 24) = 5;
	memcpy(img + code, mb, sizeof(mb));
	img[code + 0x10] = 0xf4; /* hlt */
	return code + filesz;
}

static void load_places_kernel_and_info(void **state)
{
	static uint8_t img[0x200];
	uint8_t *ram = malloc(RAM_SIZE);
	struct bp_entry e;
	char err[96];
	size_t len = make_kernel(img, 3, 1);

	assert_non_null(ram);
	memset(ram, 0xcc, RAM_SIZE);
	assert_int_equal(bp_load(ram, RAM_SIZE, img, len, "bench sse", &e, err, sizeof(err)), 0);
	assert_int_equal(e.eip, 0x100010);
	assert_int_equal(e.eax, MB1_BOOTLOADER_MAGIC);
	assert_int_equal(e.ebx % 4096, 0);
	assert_true(e.ebx >= 0x101000 && e.ebx < RAM_SIZE);
	assert_int_equal(ram[0x100010], 0xf4);
	assert_int_equal(ram[0x100040], 0); /* bss zeroed */
	const struct mb1_info *mbi = (const struct mb1_info *)(ram + e.ebx);
	assert_true(mbi->flags & MB1_INFO_CMDLINE);
	assert_string_equal((const char *)ram + mbi->cmdline, "bench sse");
	free(ram);
}

static void load_refuses_bad_images(void **state)
{
	static uint8_t img[0x200];
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct bp_entry e;
	char err[96] = "";
	size_t len;

	assert_non_null(ram);
	len = make_kernel(img, 62, 2); /* a 64-bit header on a 32-bit layout: invalid */
	assert_true(bp_load(ram, RAM_SIZE, img, len, "", &e, err, sizeof(err)) < 0);
	assert_true(err[0] != '\0');
	len = make_kernel(img, 3, 1);
	img[0x100] ^= 1; /* no multiboot header left */
	err[0] = '\0';
	assert_true(bp_load(ram, RAM_SIZE, img, len, "", &e, err, sizeof(err)) < 0);
	assert_true(err[0] != '\0');
	assert_true(bp_load(ram, RAM_SIZE, img, 20, "", &e, err, sizeof(err)) < 0);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(com1_lines_are_relayed, setup),
		cmocka_unit_test_setup(long_line_is_split, setup),
		cmocka_unit_test_setup(divisor_writes_are_not_output, setup),
		cmocka_unit_test_setup(lsr_reports_an_empty_transmitter, setup),
		cmocka_unit_test_setup(exit_port_keeps_the_first_status, setup),
		cmocka_unit_test_setup(shutdown_string_ends_the_guest, setup),
		cmocka_unit_test_setup(unknown_ports_read_all_ones, setup),
		cmocka_unit_test_setup(load_places_kernel_and_info, setup),
		cmocka_unit_test_setup(load_refuses_bad_images, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
